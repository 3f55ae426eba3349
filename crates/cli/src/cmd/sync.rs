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
    /// Send what is new to HQ's server: writes a bundle of it, then sends every bundle HQ has
    /// not answered, oldest first
    Push {
        /// HQ's server, e.g. https://hq.example:8750 (plain http:// on this computer only)
        /// [default: the one given before, or the one the HQ package gives]
        #[arg(long, value_name = "URL")]
        to: Option<String>,
    },
    /// Install HQ's latest package from its server, when it is newer than the one installed
    Pull {
        /// HQ's server [default: the one given before]
        #[arg(long, value_name = "URL")]
        from: Option<String>,
        /// The CA's fingerprint, for the first package only (see `sync receive`)
        #[arg(long, value_name = "FINGERPRINT")]
        pin: Option<String>,
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
                if let Some(url) = &i.server_url {
                    lines.push(CaMessage::ServerFromPackage { url }.text(out.lang));
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
        Command::Push { to } => {
            let url = server_of(db, to)?;
            let key = DeviceKey::load_or_create(&db.keys_dir()?, db.ids())?;
            let outbox = db.outbox_dir()?;
            let done = storecheck_sync::push::push(db, &url, &key, &outbox, out.lang)?;
            out.print(&done, || {
                let mut lines = vec![
                    CaMessage::Pushed {
                        url: &done.url,
                        bundles: done.bundles,
                        sent: done.sent,
                        present: done.already_present,
                    }
                    .text(out.lang),
                ];
                for r in &done.refused {
                    lines.push(
                        SyncMessage::Refused {
                            file: &r.file,
                            what: &r.file,
                            reason: &r.reason,
                        }
                        .text(out.lang),
                    );
                    if let Some(hint) = &r.hint {
                        lines.push(format!("  {hint}"));
                    }
                }
                for m in &done.missing_files {
                    lines.push(CaMessage::PushMissing { file: m }.text(out.lang));
                }
                lines.join("\n")
            })?;
            if !done.refused.is_empty() {
                return Err(crate::output::AlreadyReported.into());
            }
            Ok(())
        }
        Command::Pull { from, pin } => {
            let url = server_of(db, from)?;
            let done = storecheck_sync::push::pull(db, &url, pin.as_deref())?;
            out.print(&done, || match &done {
                storecheck_sync::push::PullOutcome::UpToDate => {
                    CaMessage::PullUpToDate { url: &url }.text(out.lang)
                }
                storecheck_sync::push::PullOutcome::NoPackage => {
                    CaMessage::PullNone { url: &url }.text(out.lang)
                }
                storecheck_sync::push::PullOutcome::Installed(r) => {
                    let mut text = CaMessage::PackageInstalled {
                        chain: &r.install.chain,
                        sequence: r.install.sequence,
                        standards: r.install.standards_added.len(),
                        stores_added: r.install.stores_added,
                        stores_changed: r.install.stores_changed,
                    }
                    .text(out.lang);
                    if let Some(url) = &r.install.server_url {
                        text.push('\n');
                        text.push_str(&CaMessage::ServerFromPackage { url }.text(out.lang));
                    }
                    text
                }
            })
        }
    }
}

/// The server given, else the one this store was given before.
fn server_of(db: &Db, given: Option<String>) -> anyhow::Result<String> {
    match given.or(db.hq_server()?) {
        Some(url) => Ok(url),
        None => Err(storecheck_core::Error::invalid(
            "--to",
            "this store has no HQ server yet: give its address once, e.g. --to https://hq.example:8750 (or receive an HQ package that gives it)",
            "у магазина ещё нет сервера ЦО: укажите его адрес один раз, например --to https://hq.example:8750 (или получите пакет ЦО, где он указан)",
        )
        .into()),
    }
}
