//! `storecheck sync export`: what the store has not yet sent, as one signed bundle.

use std::path::PathBuf;

use storecheck_core::Db;
use storecheck_core::i18n::Text;
use storecheck_sync::DeviceKey;

use crate::messages_sync::SyncMessage;
use crate::output::Out;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Write a signed bundle of the completed and signed audits not yet sent to HQ
    Export {
        /// The folder to write the bundle into (a USB stick, a shared folder)
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Every completed and signed audit, sent before or not
        #[arg(long)]
        all: bool,
    },
}

pub fn run(db: &mut Db, out: &Out, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Export { out: dir, all } => {
            let key = DeviceKey::load_or_create(&db.keys_dir()?, db.ids())?;
            let done = storecheck_sync::export::export(db, &dir, all, &key)?;
            // `--json`: PRODUCT.md's `{file, audits, photos, bytes, sequence}`, and what else
            // the export says (follow-ups, photos whose file is missing).
            out.print(&done, || {
                let mut text = match (&done.file, done.sequence) {
                    (Some(file), Some(sequence)) => SyncMessage::BundleWritten {
                        file,
                        sequence,
                        audits: done.audits,
                        followups: done.followups,
                        photos: done.photos,
                        bytes: done.bytes,
                    }
                    .text(out.lang),
                    _ => SyncMessage::NothingToSend.text(out.lang),
                };
                if !done.missing_photos.is_empty() {
                    text.push('\n');
                    text.push_str(
                        &SyncMessage::PhotosMissing {
                            count: done.missing_photos.len(),
                        }
                        .text(out.lang),
                    );
                }
                text
            })
        }
    }
}
