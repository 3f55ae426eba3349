//! `storecheck hq import|audits|gaps`: headquarters' side, on the HQ database (`--hq`).

use std::path::PathBuf;

use storecheck_core::i18n::Text;
use storecheck_hq::HqDb;

use crate::messages_ca::CaMessage;
use crate::messages_sync::SyncMessage;
use crate::output::{AlreadyReported, Out, write_whole};

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
    /// The chain's certificate authority: made once, it issues auditors' certificates from
    /// their requests and revokes them
    #[command(subcommand)]
    Ca(CaCommand),
    /// Store devices: with the chain's CA, HQ takes bundles only from the devices it enrolled
    #[command(subcommand)]
    Device(DeviceCommand),
    /// Write the HQ package for the stores: the current standards, the store directory, the
    /// certificates issued and the revocation list, signed by the chain's CA
    Package {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// HQ's server address as stores reach it (https://host:port, as `hq serve` prints
        /// it): this package and every later one give it to the stores
        #[arg(long, value_name = "URL")]
        server_url: Option<String>,
    },
    /// Serve this HQ database to the stores: they push bundles and fetch the HQ package
    /// (`storecheck sync push|pull`). Over HTTPS with a certificate of the chain's CA when it
    /// listens for other computers; plain HTTP on this computer only. Runs until Ctrl+C.
    Serve {
        /// The address to listen on; port 0 lets the system choose. Any address but
        /// 127.0.0.1 or [::1] is served over HTTPS only
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8750")]
        listen: String,
        /// A DNS name or IP address stores reach the server by, for its certificate (again
        /// for more) [default: the listen address]
        #[arg(long = "name", value_name = "NAME")]
        names: Vec<String>,
        /// A certificate chain of your own (PEM, the server's first) instead of the chain's
        /// CA's; stores trust only the chain's CA, so it must be issued by it
        #[arg(long, value_name = "PEM", requires = "key")]
        cert: Option<PathBuf>,
        /// The private key of --cert (PEM)
        #[arg(long, value_name = "PEM", requires = "cert")]
        key: Option<PathBuf>,
        /// HTTPS on this computer too (127.0.0.1 or [::1])
        #[arg(long)]
        tls: bool,
        /// The largest bundle taken, in MB
        #[arg(long, value_name = "MB", default_value_t = 256)]
        max_body_mb: usize,
        /// Seconds a request may take (a slow upload is cut off after)
        #[arg(long, value_name = "SECONDS", default_value_t = 300)]
        timeout: u64,
        /// Requests per second one device may keep sending (after a burst of six times as many)
        #[arg(long, value_name = "N", default_value_t = 10.0)]
        rate: f64,
        /// Connections to the HQ database, so many requests are written at once [default: 1
        /// for a SQLite file, which takes one writer at a time; 4 for PostgreSQL]
        #[arg(long, value_name = "N")]
        connections: Option<usize>,
    },
    /// Standards HQ publishes to its stores
    #[command(subcommand)]
    Standard(StandardCommand),
    /// HQ's store directory, which goes to the stores in the HQ package
    #[command(subcommand)]
    Store(StoreCommand),
}

#[derive(clap::Subcommand)]
pub enum CaCommand {
    /// Make the chain's CA (once, with --name), or show it; --out writes its certificate and
    /// revocation list for regional managers' `storecheck verify --trust`
    Init {
        /// The chain's name, as signed reports will say "issued by"
        #[arg(long)]
        name: Option<String>,
        #[arg(long, value_name = "CA.pem")]
        out: Option<PathBuf>,
    },
    /// Issue a certificate for an auditor's request (`storecheck keys request`)
    Issue {
        #[arg(value_name = "REQUEST")]
        request: PathBuf,
        #[arg(long, value_name = "CERT")]
        out: PathBuf,
    },
    /// Revoke a certificate HQ issued (its file, or its serial number as `hq ca list` shows)
    Revoke {
        #[arg(value_name = "CERT")]
        cert: String,
        #[arg(long, value_parser = ["key-lost", "left", "replaced"])]
        reason: Option<String>,
    },
    /// List the certificates HQ issued
    List,
    /// Issue (or keep) the HQ server's TLS certificate for the names stores reach it by:
    /// `<hq>-files/ca/server.pem` and its owner-only key `server.key`; issued anew when the
    /// names change or it is within 30 days of its end (`hq serve` does the same at start)
    Server {
        /// A DNS name or IP address (again for more)
        #[arg(long = "name", value_name = "NAME", required = true)]
        names: Vec<String>,
    },
}

#[derive(clap::Subcommand)]
pub enum DeviceCommand {
    /// List the store devices HQ knows (from bundles taken or refused), each with its key's
    /// fingerprint and whether it is enrolled, revoked or waiting
    List {
        /// Only the devices waiting to be enrolled
        #[arg(long)]
        pending: bool,
    },
    /// Enrol a store device: the chain's CA certifies the key it signs its bundles with, for
    /// a store. Compare the fingerprint with what `storecheck keys show` prints at the store
    Enrol {
        /// The device's key fingerprint (as listed; spaces and case do not matter) or its id
        #[arg(value_name = "FINGERPRINT|DEVICE_ID")]
        device: String,
        /// The store the device works in
        #[arg(long, value_name = "CODE")]
        store: String,
    },
}

#[derive(clap::Subcommand)]
pub enum StandardCommand {
    /// Publish a standard from XLSX, CSV or JSON as a new version at HQ
    Import {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

#[derive(clap::Subcommand)]
pub enum StoreCommand {
    /// Add a store to HQ's directory, or rename or move one (HQ's name and region win)
    Add {
        code: String,
        name: String,
        #[arg(long)]
        region: Option<String>,
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

pub fn run(hq: HqDb, out: &Out, command: Command) -> anyhow::Result<()> {
    if let Command::Serve {
        listen,
        names,
        cert,
        key,
        tls,
        max_body_mb,
        timeout,
        rate,
        connections,
    } = command
    {
        let how = Serving {
            listen,
            names,
            own: cert.zip(key),
            tls,
            connections,
        };
        return serve(hq, out, how, max_body_mb, timeout, rate);
    }
    let mut hq = hq;
    let hq = &mut hq;
    match command {
        Command::Serve { .. } => Ok(()),
        Command::Ca(c) => run_ca(hq, out, c),
        Command::Device(c) => run_device(hq, out, c),
        Command::Package {
            out: path,
            server_url,
        } => {
            if let Some(url) = &server_url {
                hq.set_server_url(url)?;
            }
            let (bytes, made) = hq.make_package()?;
            write_whole(&path, &bytes)?;
            let file = path.display().to_string();
            out.print(&serde_json::json!({"file": file, "package": made}), || {
                CaMessage::PackageWritten {
                    file: &file,
                    sequence: made.sequence,
                    standards: made.standards.len(),
                    stores: made.stores,
                    certificates: made.certificates,
                    revoked: made.revoked,
                    bytes: made.bytes,
                }
                .text(out.lang)
                    + &made
                        .server_url
                        .as_deref()
                        .map(|url| format!("\n{}", CaMessage::PackageServer { url }.text(out.lang)))
                        .unwrap_or_default()
            })
        }
        Command::Standard(StandardCommand::Import { file }) => {
            let draft = storecheck_core::import::read_standard(&file)?;
            let published = hq.publish_standard(&draft)?;
            out.print(&published, || {
                CaMessage::StandardPublished {
                    code: &published.code,
                    version: &published.version,
                    requirements: published.requirements,
                    created: published.created,
                }
                .text(out.lang)
            })
        }
        Command::Store(StoreCommand::Add { code, name, region }) => {
            let named = hq.name_store(&code, &name, region.as_deref())?;
            out.print(&named, || {
                CaMessage::StoreNamed {
                    code: &named.code,
                    name: &named.name,
                    added: named.added,
                }
                .text(out.lang)
            })
        }
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
            let to = if format == "xlsx" {
                storecheck_hq::export::Output::xlsx(&path)
            } else {
                storecheck_hq::export::Output::csv(&path)
            };
            let done = hq.export(&filter, to)?;
            let files: Vec<String> = done.files.iter().map(|p| p.display().to_string()).collect();
            let rows: serde_json::Map<String, serde_json::Value> = done
                .rows
                .iter()
                .map(|(name, n)| (name.to_string(), (*n).into()))
                .collect();
            out.print(
                &serde_json::json!({"format": format, "files": files, "rows": rows, "as_of": done.as_of}),
                || {
                    SyncMessage::Exported {
                        files: &files.join(", "),
                        audits: done.rows_of("audits"),
                        answers: done.rows_of("answers"),
                        findings: done.rows_of("findings"),
                        actions: done.rows_of("actions"),
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
                .query_row("SELECT count(*) FROM audit", (), |r| r.get(0))?;
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

fn run_device(hq: &mut HqDb, out: &Out, command: DeviceCommand) -> anyhow::Result<()> {
    match command {
        DeviceCommand::List { pending } => {
            let list: Vec<_> = hq
                .devices()?
                .into_iter()
                .filter(|d| !pending || d.state.pending())
                .collect();
            out.print(&list, || {
                if list.is_empty() {
                    return CaMessage::NoDevices { pending }.text(out.lang);
                }
                list.iter()
                    .map(|d| CaMessage::DeviceLine(d).text(out.lang))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        DeviceCommand::Enrol { device, store } => {
            let enrolled = hq.enrol_device(&device, &store)?;
            out.print(&enrolled, || {
                CaMessage::DeviceEnrolled(&enrolled).text(out.lang)
            })
        }
    }
}

fn run_ca(hq: &mut HqDb, out: &Out, command: CaCommand) -> anyhow::Result<()> {
    match command {
        CaCommand::Server { names } => {
            let mut made = hq.server_certificate(&names)?;
            // As files here, for a proxy in front of the server.
            hq.server_certificate_files(&mut made)?;
            out.print(&made, || server_certificate_line(&made, out.lang))
        }
        CaCommand::Init { name, out: path } => {
            let info = hq.ca_init(name.as_deref())?;
            let file = match &path {
                Some(p) => {
                    write_whole(p, hq.ca_trust()?.as_bytes())?;
                    Some(p.display().to_string())
                }
                None => None,
            };
            out.print(&serde_json::json!({"ca": info, "file": file}), || {
                let mut text = if info.created {
                    CaMessage::CaMade {
                        chain: &info.chain,
                        fingerprint: &info.fingerprint,
                    }
                    .text(out.lang)
                } else {
                    CaMessage::CaThere {
                        chain: &info.chain,
                        fingerprint: &info.fingerprint,
                        issued: info.issued,
                        revoked: info.revoked,
                    }
                    .text(out.lang)
                };
                if let Some(file) = &file {
                    text.push('\n');
                    text.push_str(&CaMessage::TrustWritten { file }.text(out.lang));
                }
                text
            })
        }
        CaCommand::Issue { request, out: path } => {
            let shown = request.display().to_string();
            let bytes =
                std::fs::read(&request).map_err(|e| storecheck_hq::HqError::io(&request, e))?;
            let (issued, pem) = hq.ca_issue(&bytes, &shown)?;
            write_whole(&path, pem.as_bytes())?;
            let file = path.display().to_string();
            out.print(
                &serde_json::json!({"file": file, "certificate": issued}),
                || {
                    CaMessage::Issued {
                        file: &file,
                        auditor: &issued.auditor,
                        store: &issued.store,
                        serial: &issued.serial,
                        until: &issued.not_after,
                    }
                    .text(out.lang)
                },
            )
        }
        CaCommand::Revoke { cert, reason } => {
            let path = std::path::Path::new(&cert);
            let file = if path.is_file() {
                Some(std::fs::read(path).map_err(|e| storecheck_hq::HqError::io(path, e))?)
            } else {
                None
            };
            let serial = hq.ca_find(&cert, file.as_deref())?;
            let reason = reason
                .as_deref()
                .and_then(storecheck_report::ca::RevokeReason::parse);
            let revoked = hq.ca_revoke(&serial, reason)?;
            out.print(&revoked, || {
                if revoked.kind == storecheck_hq::ca::CertificateKind::Device {
                    return CaMessage::DeviceRevoked {
                        serial: &revoked.serial,
                        device: &revoked.auditor,
                        at: revoked.revoked_at.as_deref().unwrap_or_default(),
                    }
                    .text(out.lang);
                }
                CaMessage::Revoked {
                    serial: &revoked.serial,
                    auditor: &revoked.auditor,
                    at: revoked.revoked_at.as_deref().unwrap_or_default(),
                }
                .text(out.lang)
            })
        }
        CaCommand::List => {
            let list = hq.ca_list()?;
            out.print(&list, || {
                if list.is_empty() {
                    return CaMessage::NoCertificates.text(out.lang);
                }
                list.iter()
                    .map(|c| {
                        let who = match c.kind {
                            storecheck_hq::ca::CertificateKind::Device => out.lang.pick(
                                format!("device {}", c.auditor),
                                format!("устройство {}", c.auditor),
                            ),
                            _ => c.auditor.clone(),
                        };
                        CaMessage::CertificateLine {
                            serial: &c.serial,
                            auditor: &who,
                            store: &c.store,
                            until: &c.not_after,
                            revoked: c.revoked_at.as_deref(),
                        }
                        .text(out.lang)
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
    }
}

fn server_certificate_line(
    made: &storecheck_hq::ca::ServerCertificate,
    lang: storecheck_core::Lang,
) -> String {
    CaMessage::ServerCertificate {
        names: &made.names.join(", "),
        until: &made.not_after,
        files: made.cert_file.as_deref().zip(made.key_file.as_deref()),
        issued: made.issued,
    }
    .text(lang)
}

/// How `hq serve` was asked to listen.
struct Serving {
    listen: String,
    /// Names for the chain's CA's certificate.
    names: Vec<String>,
    /// A certificate chain and key of one's own.
    own: Option<(PathBuf, PathBuf)>,
    /// HTTPS on loopback too.
    tls: bool,
    /// Connections to the HQ database.
    connections: Option<usize>,
}

/// `hq serve`: the HQ server on this database until Ctrl+C; HTTPS unless it listens on
/// loopback only and TLS was not asked for.
fn serve(
    mut hq: HqDb,
    out: &Out,
    how: Serving,
    max_body_mb: usize,
    timeout: u64,
    rate: f64,
) -> anyhow::Result<()> {
    use std::net::ToSocketAddrs as _;
    let listen = how.listen.as_str();
    let bad = |en: String, ru: String| storecheck_core::Error::invalid("--listen", en, ru);
    let addr = listen
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| {
            bad(
                format!("{listen:?} is not an address to listen on: give it as 127.0.0.1:8750"),
                format!("«{listen}» — не адрес для приёма: укажите его как 127.0.0.1:8750"),
            )
        })?;
    let tls = how.tls || how.own.is_some() || !how.names.is_empty() || !addr.ip().is_loopback();
    let mut certificate = None;
    let mut host = addr.ip().to_string();
    let config = if !tls {
        None
    } else if let Some((cert, key)) = &how.own {
        let read = |p: &PathBuf| std::fs::read(p).map_err(|e| storecheck_core::Error::io(p, e));
        let chain = read(cert)?;
        if let Some(first) = how.names.first() {
            host.clone_from(first);
        } else if let Some(name) = storecheck_report::ca::certificates_in(&chain)
            .first()
            .and_then(|c| storecheck_report::ca::server_names(c).into_iter().next())
        {
            host = name.to_string();
        }
        Some(
            storecheck_server::Tls::from_pem(&chain, &read(key)?).map_err(|p| {
                storecheck_core::Error::invalid(
                    "--cert",
                    p.text(storecheck_core::Lang::En),
                    p.text(storecheck_core::Lang::Ru),
                )
            })?,
        )
    } else {
        let names = if how.names.is_empty() {
            if addr.ip().is_unspecified() {
                return Err(bad(
                    format!("{listen} listens on every address of this computer, and the server's certificate must name the one stores reach it by: give it with --name (e.g. --name hq.chain.example --name 10.0.0.5)"),
                    format!("{listen} — приём на всех адресах этого компьютера, а в сертификате сервера должно быть имя, по которому к нему обращаются магазины: укажите его через --name (например, --name hq.chain.example --name 10.0.0.5)"),
                )
                .into());
            }
            vec![addr.ip().to_string()]
        } else {
            how.names.clone()
        };
        let made = hq.server_certificate(&names)?;
        host = made.names.first().cloned().unwrap_or(host);
        let tls = storecheck_server::Tls::from_pem(&made.cert_pem, &made.key_pem).map_err(|p| {
            storecheck_core::Error::SigningFile {
                path: made
                    .cert_file
                    .clone()
                    .unwrap_or_else(|| storecheck_hq::files::SERVER_CERT.to_string()),
                en: p.text(storecheck_core::Lang::En),
                ru: p.text(storecheck_core::Lang::Ru),
            }
        })?;
        certificate = Some(made);
        Some(tls)
    };
    let limits = storecheck_server::Limits {
        body_bytes: max_body_mb.max(1) << 20,
        request_timeout: std::time::Duration::from_secs(timeout.max(1)),
        burst: (rate * 6.0).max(1.0),
        per_second: rate.max(0.001),
        ..storecheck_server::Limits::default()
    };
    let path = hq.location().shown();
    let lang = out.lang;
    let json = out.json;
    let postgres = matches!(hq.location(), storecheck_hq::db::Location::Postgres(_));
    let wanted = how
        .connections
        .unwrap_or(if postgres { 4 } else { 1 })
        .clamp(1, 64);
    let mut pool = Vec::with_capacity(wanted);
    for _ in 1..wanted {
        pool.push(hq.reopen()?);
    }
    pool.push(hq);
    storecheck_server::run_blocking(addr, pool, limits, config, |at| {
        let url = if tls {
            let host = if host.contains(':') {
                format!("[{host}]")
            } else {
                host
            };
            format!("https://{host}:{}", at.port())
        } else {
            format!("http://{at}")
        };
        let line = if json {
            serde_json::json!({"url": url, "hq": path, "tls": tls, "certificate": certificate})
                .to_string()
        } else {
            let mut line = String::new();
            if let Some(made) = &certificate {
                line.push_str(&server_certificate_line(made, lang));
                line.push('\n');
            }
            line.push_str(&lang.pick(
                format!("HQ server for {path} at {url} (Ctrl+C stops it)"),
                format!("Сервер ЦО для {path}: {url} (Ctrl+C — остановить)"),
            ));
            line
        };
        let _ = crate::output::write_stdout(&format!("{line}\n"));
    })
    .map_err(|e| storecheck_core::Error::io(listen, e))?;
    Ok(())
}
