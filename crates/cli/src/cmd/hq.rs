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
    /// Fill a new HQ database with a synthetic chain, for a first look at the dashboard:
    /// stores in regions, audits over the last days with the demo standard
    Demo {
        #[arg(long, default_value_t = 300)]
        stores: usize,
        #[arg(long, default_value_t = 12)]
        regions: usize,
        #[arg(long, default_value_t = 20_000)]
        audits: usize,
        /// The days the audits spread over, ending today
        #[arg(long, default_value_t = 182)]
        days: i64,
    },
    /// Export audits, answers, findings and corrective actions for BI: CSV files (UTF-8 with a
    /// BOM, `;`) in a folder, or one XLSX workbook
    Export {
        #[arg(long, value_parser = ["csv", "xlsx"])]
        format: String,
        /// The folder for CSV files, the file for XLSX
        #[arg(long, value_name = "PATH")]
        out: PathBuf,
        /// First shift date exported (YYYY-MM-DD)
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<String>,
        /// Last shift date exported (YYYY-MM-DD)
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<String>,
        /// Only this region
        #[arg(long)]
        region: Option<String>,
        /// Only this store (by its code)
        #[arg(long, value_name = "CODE")]
        store: Option<String>,
        /// Only audits HQ took after this time (RFC 3339, or a date): what is new since the
        /// last export, whose `as_of` the JSON output gives
        #[arg(long, value_name = "TIME")]
        since: Option<String>,
    },
    /// The chain's figures: audits, average score, audits failed on a hard requirement and
    /// findings, by store, region, section, requirement or ISO week
    Stats {
        #[arg(long, value_parser = ["store", "region", "section", "requirement", "week"])]
        by: String,
        /// First shift date counted (YYYY-MM-DD)
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<String>,
        /// Last shift date counted (YYYY-MM-DD)
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<String>,
    },
}

impl Command {
    /// Checks what clap cannot, before the HQ database is opened (or made): a refused
    /// command line writes nothing.
    pub fn check(&self) -> anyhow::Result<()> {
        if let Command::Stats { from, to, .. } | Command::Export { from, to, .. } = self {
            date_arg("from", from.clone())?;
            date_arg("to", to.clone())?;
        }
        if let Command::Export { since: Some(s), .. } = self {
            since_arg(s)?;
        }
        Ok(())
    }
}

/// `--since` as HQ stores times (RFC 3339 UTC with milliseconds), or a date as given (which
/// sorts before every time of that day).
fn since_arg(value: &str) -> anyhow::Result<String> {
    if chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok() {
        return Ok(value.to_string());
    }
    match chrono::DateTime::parse_from_rfc3339(value) {
        Ok(t) => Ok(t
            .with_timezone(&chrono::Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        Err(_) => Err(storecheck_core::Error::invalid(
            "--since",
            format!(
                "{value:?} is not a time: give the `as_of` of the last export (e.g. 2026-11-30T18:00:00.000Z) or a date (2026-11-30)"
            ),
            format!(
                "«{value}» — не время: укажите `as_of` прошлой выгрузки (например, 2026-11-30T18:00:00.000Z) или дату (2026-11-30)"
            ),
        )
        .into()),
    }
}

/// `--from`/`--to` as given, checked to be a date.
fn date_arg(name: &str, value: Option<String>) -> anyhow::Result<Option<String>> {
    match value {
        Some(v) if chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d").is_err() => {
            Err(storecheck_core::Error::invalid(
                format!("--{name}"),
                format!("{v:?} is not a date: write it as YYYY-MM-DD, e.g. 2026-11-30"),
                format!("«{v}» — не дата: укажите её как ГГГГ-ММ-ДД, например 2026-11-30"),
            )
            .into())
        }
        other => Ok(other),
    }
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
        Command::Export {
            format,
            out: path,
            from,
            to,
            region,
            store,
            since,
        } => {
            let filter = storecheck_hq::export::Filter {
                from,
                to,
                region,
                store,
                standard: None,
                since: since.as_deref().map(since_arg).transpose()?,
            };
            let (tables, as_of) = hq.export_snapshot(&filter)?;
            let files: Vec<String> = if format == "xlsx" {
                storecheck_hq::export::write_xlsx(&tables, &path)?;
                vec![path.display().to_string()]
            } else {
                storecheck_hq::export::write_csv(&tables, &path)?
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect()
            };
            let rows: serde_json::Map<String, serde_json::Value> = tables
                .iter()
                .map(|t| (t.name.to_string(), t.rows.len().into()))
                .collect();
            out.print(
                &serde_json::json!({"format": format, "files": files, "rows": rows, "as_of": as_of}),
                || {
                    let count = |name: &str| {
                        tables
                            .iter()
                            .find(|t| t.name == name)
                            .map_or(0, |t| t.rows.len())
                    };
                    SyncMessage::Exported {
                        files: &files.join(", "),
                        audits: count("audits"),
                        answers: count("answers"),
                        findings: count("findings"),
                        actions: count("actions"),
                    }
                    .text(out.lang)
                },
            )
        }
        Command::Stats { by, from, to } => {
            let from = date_arg("from", from)?;
            let to = date_arg("to", to)?;
            let group = storecheck_hq::stats::By::parse(&by)
                .ok_or_else(|| anyhow::anyhow!("unknown grouping {by}"))?;
            let stats = hq.stats(group, from.as_deref(), to.as_deref())?;
            out.print(&stats, || {
                if stats.is_empty() {
                    return SyncMessage::NoStats.text(out.lang);
                }
                let mut text = SyncMessage::StatsHeader { by: &by }.text(out.lang);
                text.push('\n');
                for s in &stats {
                    text.push_str(
                        &SyncMessage::StatLine {
                            key: &s.key,
                            audits: s.audits,
                            average: s.average_score,
                            failed_hard: s.failed_hard,
                            findings: s.findings,
                        }
                        .text(out.lang),
                    );
                    text.push('\n');
                }
                text
            })
        }
        Command::Demo {
            stores,
            regions,
            audits,
            days,
        } => {
            let held: i64 = hq
                .connection()
                .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))?;
            if held > 0 {
                return Err(storecheck_core::Error::invalid(
                    "--hq",
                    "this HQ database already holds audits; a demo chain goes into a new one (name it with --hq)",
                    "в этой базе ЦО уже есть проверки; демонстрационная сеть создаётся в новой базе (укажите её через --hq)",
                )
                .into());
            }
            if stores == 0 || regions == 0 || audits == 0 || days <= 0 {
                return Err(storecheck_core::Error::invalid(
                    "--stores/--regions/--audits/--days",
                    "each must be at least 1",
                    "каждое значение должно быть не меньше 1",
                )
                .into());
            }
            // The demo standard, as a store gets it (in a scratch store database).
            let scratch = tempfile::tempdir()?;
            let mut store = storecheck_core::Db::open(
                &scratch.path().join("store.db"),
                storecheck_core::db::Inputs::system(None),
            )?;
            store.load_demo(out.lang)?;
            let id = store.list_standards()?[0].id;
            let standard = store.standard_record(id)?;
            let today = chrono::Local::now().date_naive();
            let chain = storecheck_hq::synth::Chain {
                stores,
                regions,
                audits,
                first_day: today - chrono::Duration::days(days - 1),
                days,
                revisions: 0.01,
                seed: 2026,
            };
            let made = storecheck_hq::synth::generate_count(hq, &standard, &chain)?;
            out.print(
                &serde_json::json!({"stores": stores, "regions": regions, "audits": made}),
                || {
                    SyncMessage::HqDemo {
                        stores,
                        audits: made,
                    }
                    .text(out.lang)
                },
            )
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
