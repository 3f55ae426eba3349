//! `storecheck sync export`: what the store has not yet sent, as one signed bundle.

use std::path::PathBuf;

use storecheck_core::Db;
use storecheck_core::i18n::Text;
use storecheck_sync::DeviceKey;

use crate::messages_ca::CaMessage;
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
    /// Install an HQ package at this store: standards, the store directory, the auditors'
    /// certificates HQ issued, the revocation list
    Receive {
        #[arg(value_name = "PACKAGE")]
        file: PathBuf,
        /// The CA's fingerprint, as HQ gives it: needed for the first package only, which
        /// makes this store trust that CA from then on
        #[arg(long, value_name = "FINGERPRINT")]
        pin: Option<String>,
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
        Command::Receive { file, pin } => {
            let shown = file.display().to_string();
            let done = storecheck_sync::package::receive(db, &file, &shown, pin.as_deref())?;
            out.print(&done, || {
                let i = &done.install;
                let mut lines = vec![if i.already {
                    CaMessage::PackageAlready {
                        sequence: i.sequence,
                    }
                    .text(out.lang)
                } else {
                    CaMessage::PackageInstalled {
                        chain: &i.chain,
                        sequence: i.sequence,
                        standards: i.standards_added.len(),
                        stores_added: i.stores_added,
                        stores_changed: i.stores_changed,
                    }
                    .text(out.lang)
                }];
                if i.pinned {
                    lines.push(
                        CaMessage::Pinned {
                            chain: &i.chain,
                            fingerprint: &i.fingerprint,
                        }
                        .text(out.lang),
                    );
                }
                for c in &done.certificates {
                    lines.push(
                        CaMessage::CertificateInstalled {
                            auditor: &c.auditor,
                            until: &c.not_after,
                        }
                        .text(out.lang),
                    );
                }
                lines.join("\n")
            })
        }
    }
}
