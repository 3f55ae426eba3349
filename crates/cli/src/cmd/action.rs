//! `storecheck action done|reschedule`: a signed audit's corrective action followed up. The
//! follow-up is a record of its own; the signed audit never changes.

use std::path::PathBuf;

use storecheck_core::Db;
use storecheck_core::photo::{Limits, prepare_file};

use crate::messages::Message;
use crate::output::Out;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Mark a corrective action done (today), optionally with a photo as proof
    Done {
        /// The action's id or its first characters, as `audit show` prints them
        action: String,
        #[arg(long, default_value = "")]
        note: String,
        /// A photo as proof (JPEG, PNG or WebP)
        #[arg(long)]
        photo: Option<PathBuf>,
        /// Who did it (default: the action's owner)
        #[arg(long)]
        by: Option<String>,
    },
    /// Move a corrective action's due date, saying why
    Reschedule {
        action: String,
        /// The new due date, YYYY-MM-DD
        #[arg(long)]
        due: String,
        #[arg(long)]
        reason: String,
        /// Who moved it (default: the action's owner)
        #[arg(long)]
        by: Option<String>,
    },
}

pub fn run(db: &mut Db, out: &Out, command: Command) -> anyhow::Result<()> {
    let code_of = |db: &Db, audit, action| -> anyhow::Result<String> {
        let view = db.load_audit(audit)?;
        Ok(view
            .actions
            .iter()
            .find(|a| a.id == action)
            .map(|a| a.code.clone())
            .unwrap_or_default())
    };
    match command {
        Command::Done {
            action,
            note,
            photo,
            by,
        } => {
            let action = db.resolve_action(&action)?;
            // The photo is checked before anything is written.
            let prepared = photo
                .map(|p| prepare_file(&p, &Limits::default()))
                .transpose()?;
            let f = db.action_done(action, by.as_deref(), &note, prepared.as_ref())?;
            let code = code_of(db, f.audit_id, action)?;
            out.print(&f, || {
                Message::FollowupDone {
                    code: &code,
                    on: &f.on_date,
                    by: &f.by_whom,
                }
                .text(out.lang)
            })
        }
        Command::Reschedule {
            action,
            due,
            reason,
            by,
        } => {
            let action = db.resolve_action(&action)?;
            let f = db.reschedule_action(action, &due, &reason, by.as_deref())?;
            let code = code_of(db, f.audit_id, action)?;
            out.print(&f, || {
                Message::FollowupRescheduled {
                    code: &code,
                    due: &f.on_date,
                    reason: &f.note,
                }
                .text(out.lang)
            })
        }
    }
}
