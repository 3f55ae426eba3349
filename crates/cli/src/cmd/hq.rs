//! `storecheck hq import|audits|gaps`: headquarters' side, on the HQ database (`--hq`).

use std::path::PathBuf;

use storecheck_core::i18n::Text;
use storecheck_hq::HqDb;

use crate::messages_sync::SyncMessage;
use crate::output::{AlreadyReported, Out};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Import sync bundles, store database files and signed report PDFs, in any order, any
    /// number of times
    Import {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// List the audits HQ holds
    Audits {
        /// Only this store (by its code)
        #[arg(long, value_name = "CODE")]
        store: Option<String>,
    },
    /// List the bundles missing from each device's sequence
    Gaps,
}

pub fn run(hq: &mut HqDb, out: &Out, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Import { files } => {
            let outcomes = hq.import_files(&files, out.lang)?;
            let refused = outcomes.iter().filter(|o| !o.refused.is_empty()).count();
            #[derive(serde::Serialize)]
            struct Imported<'a> {
                files: &'a [storecheck_hq::FileOutcome],
            }
            out.print(&Imported { files: &outcomes }, || {
                let mut text = String::new();
                for o in &outcomes {
                    if o.refused.is_empty() {
                        text.push_str(
                            &SyncMessage::Imported {
                                file: &o.file,
                                kind: &o.kind,
                                added: o.added,
                                already_present: o.already_present,
                            }
                            .text(out.lang),
                        );
                        text.push('\n');
                        for note in &o.notes {
                            text.push_str(&SyncMessage::Note { text: note }.text(out.lang));
                            text.push('\n');
                        }
                    }
                    for r in &o.refused {
                        text.push_str(
                            &SyncMessage::Refused {
                                file: &o.file,
                                what: &r.what,
                                reason: &r.reason,
                            }
                            .text(out.lang),
                        );
                        text.push('\n');
                        if let Some(hint) = &r.hint {
                            text.push_str(&format!("  hint: {hint}\n"));
                        }
                    }
                }
                if outcomes.len() > 1 {
                    text.push_str(
                        &SyncMessage::ImportTotals {
                            files: outcomes.len(),
                            added: outcomes.iter().map(|o| o.added).sum(),
                            already_present: outcomes.iter().map(|o| o.already_present).sum(),
                            refused,
                        }
                        .text(out.lang),
                    );
                }
                text
            })?;
            if refused > 0 {
                return Err(AlreadyReported.into());
            }
            Ok(())
        }
        Command::Audits { store } => {
            let audits = hq.audits(store.as_deref())?;
            let shown: Vec<serde_json::Value> = audits
                .iter()
                .map(|a| {
                    serde_json::json!({
                        "id": a.id, "store": a.store, "status": a.status, "score": a.score,
                        "rating": a.rating, "hard_failures": a.hard_failures,
                        "standard": a.standard, "version": a.version,
                        "shift_date": a.shift_date, "revision_of": a.revision_of,
                        "pdf_data": a.pdf_data,
                    })
                })
                .collect();
            out.print(&shown, || {
                if audits.is_empty() {
                    return SyncMessage::NoHqAudits.text(out.lang);
                }
                audits
                    .iter()
                    .map(|a| {
                        let id = a.id.to_string();
                        let standard = format!("{}@{}", a.standard, a.version);
                        let mut line = SyncMessage::HqAuditLine {
                            id: &id,
                            date: &a.shift_date,
                            store: &a.store,
                            status: &a.status,
                            score: a.score,
                            standard: &standard,
                        }
                        .text(out.lang);
                        line.push('\n');
                        line
                    })
                    .collect()
            })
        }
        Command::Gaps => {
            let gaps = hq.gaps()?;
            out.print(&gaps, || {
                if gaps.is_empty() {
                    return SyncMessage::NoGaps.text(out.lang);
                }
                let mut text = String::new();
                for g in &gaps {
                    let device = g.device.to_string();
                    for n in &g.missing {
                        text.push_str(
                            &SyncMessage::Gap {
                                sequence: *n,
                                device: &device,
                                name: &g.device_name,
                            }
                            .text(out.lang),
                        );
                        text.push('\n');
                    }
                }
                text
            })
        }
    }
}
