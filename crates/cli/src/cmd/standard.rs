//! `storecheck standard import|list`

use std::path::PathBuf;

use serde_json::json;
use storecheck_core::Db;
use storecheck_core::import::read_standard;

use crate::messages::Message;
use crate::output::Out;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Import a standard from XLSX, CSV or JSON as a new immutable version
    Import {
        /// The standard file
        file: PathBuf,
    },
    /// List every version of every standard
    List,
}

pub fn run(db: &mut Db, out: &Out, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Import { file } => {
            let draft = read_standard(&file)?;
            let outcome = db.publish_standard(&draft)?;
            let s = &outcome.standard;
            out.print(
                &json!({
                    "id": s.id, "code": s.code, "version": s.version, "title": s.title,
                    "language": s.language, "sections": s.sections,
                    "requirements": s.requirements, "created": outcome.created,
                }),
                || {
                    let said = if outcome.created {
                        Message::Imported {
                            code: &s.code,
                            version: &s.version,
                            title: &s.title,
                            sections: s.sections,
                            requirements: s.requirements,
                        }
                    } else {
                        Message::AlreadyImported {
                            code: &s.code,
                            version: &s.version,
                        }
                    };
                    said.text(out.lang)
                },
            )
        }
        Command::List => {
            let list = db.list_standards()?;
            out.print(&list, || {
                if list.is_empty() {
                    return Message::NoStandards.text(out.lang);
                }
                let mut s = String::new();
                for st in &list {
                    let line = Message::StandardLine {
                        code: &st.code,
                        version: &st.version,
                        title: &st.title,
                        sections: st.sections,
                        requirements: st.requirements,
                        language: &st.language,
                    };
                    s.push_str(&line.text(out.lang));
                    s.push('\n');
                }
                s
            })
        }
    }
}
