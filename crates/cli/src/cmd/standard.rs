//! `storecheck standard import|list`

use std::path::PathBuf;

use serde_json::json;
use storecheck_core::Db;
use storecheck_core::import::read_standard;

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
                    if outcome.created {
                        format!(
                            "Imported {} version {} \"{}\": {} sections, {} requirements.",
                            s.code, s.version, s.title, s.sections, s.requirements
                        )
                    } else {
                        format!(
                            "Nothing changed: this file is {} version {}, already imported.",
                            s.code, s.version
                        )
                    }
                },
            )
        }
        Command::List => {
            let list = db.list_standards()?;
            out.print(&list, || {
                if list.is_empty() {
                    return "No standards yet. Import one with `storecheck standard import FILE`, or run `storecheck demo`.".into();
                }
                let mut s = String::new();
                for st in &list {
                    s.push_str(&format!(
                        "{}@{}\t{}\t{} sections, {} requirements\t{}\n",
                        st.code, st.version, st.title, st.sections, st.requirements, st.language
                    ));
                }
                s
            })
        }
    }
}
