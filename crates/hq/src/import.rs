//! Importing files at HQ: bundles, store database files and signed PDFs, each checked whole and
//! then written in one transaction, or not at all.
//!
//! For each file: what it is (by its first bytes, not its name); read and checked by
//! storecheck-sync (format, signature, every hash); then, under HQ's write lock, the key the
//! device signs with (and, once HQ has the chain's CA, that the CA enrolled it: see
//! [`crate::enrol`]; a store database file or a signed PDF is not a bundle and is not asked),
//! the standards, each audit by the rules of [`crate::rules`], and every
//! signed audit's PDF (its signature, and the data inside it against the rows); only then are
//! files and rows written, and the transaction committed. Every file accepted or refused gets a
//! line in the import log (an accepted one in its own transaction); a failure of HQ itself (its
//! disk, its database) is returned as an error instead.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::params;
use crate::sql::{Behavior, Conn, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};
use storecheck_core::Lang;
use storecheck_core::db::Inputs;
use storecheck_core::followup::FollowupKind;
use storecheck_core::i18n::Text;
use storecheck_core::ids::Ids;
use storecheck_core::model::{AuditStatus, Kind, PhotoRule, Requirement, Response};
use storecheck_core::record::{AuditRecord, StandardRecord, StoreRecord};
use storecheck_sync::read::Limits;
use storecheck_sync::{Parcel, Problem, Refusal, Sent, Source};
use uuid::Uuid;

use crate::db::HqDb;
use crate::enrol::Enrolment;
use crate::error::{HqError, Result};
use crate::files::{Files, Written};
use crate::rollup;
use crate::rules::{Decision, Rank, decide};

/// What importing one file did.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct FileOutcome {
    pub file: String,
    /// `bundle`, `database`, `pdf`, or `unknown` for a file that is none of them.
    pub kind: String,
    /// The device that made it, when the file says.
    pub device: Option<Uuid>,
    /// Audits added or replaced by a newer copy.
    #[ts(type = "number")]
    pub added: usize,
    /// Audits HQ already had (the same copy or a newer one).
    #[ts(type = "number")]
    pub already_present: usize,
    /// Follow-ups of corrective actions added (done, or due date moved).
    #[ts(type = "number")]
    pub followups: usize,
    /// Empty unless the file was refused; then nothing of it was written.
    pub refused: Vec<Refused>,
    /// Why nothing was refused but something is worth knowing (a bundle HQ already had, a
    /// signed report without data inside it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[ts(optional, as = "Option<Vec<String>>")]
    pub notes: Vec<String>,
}

/// A refusal as printed: the thing refused, and why.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Refused {
    pub what: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub hint: Option<String>,
    /// Refused for the device that sent it (not enrolled, or revoked), not for what it holds:
    /// the same file is taken once HQ enrols the device, so a store keeps it to send again.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub waits_for_enrolment: bool,
    /// The reason in English and in Russian, for the import log, which is read later in
    /// whichever language the reader uses.
    #[serde(skip)]
    #[ts(skip)]
    pub(crate) logged: (String, String),
}

/// What applying a parcel wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Applied {
    pub added: usize,
    pub already_present: usize,
    /// Signed audits whose PDF carries no data (signed before reports carried it).
    pub without_data: usize,
    /// The bundle was imported before: nothing was read past its manifest.
    pub known_bundle: bool,
    /// Follow-ups of corrective actions added.
    pub followups: usize,
}

/// The kind of a file, by its first bytes.
fn kind_of(path: &Path) -> std::io::Result<&'static str> {
    use std::io::Read;
    let mut head = [0u8; 16];
    let mut f = std::fs::File::open(path)?;
    let n = f.read(&mut head)?;
    let head = &head[..n];
    Ok(
        if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
            "bundle"
        } else if head.starts_with(b"SQLite format 3\0") {
            "database"
        } else if head.starts_with(b"%PDF-") {
            "pdf"
        } else {
            "unknown"
        },
    )
}

impl HqDb {
    /// Imports the file at `path` and logs it; `lang` is the language of the outcome's texts.
    /// A refused file is an outcome, not an error: errors are HQ's own failures (its disk, its
    /// database), and then nothing of the file was written either.
    pub fn import_file(&mut self, path: &Path, lang: Lang) -> Result<FileOutcome> {
        let reader = Reader {
            conn: &self.conn,
            files: self.files.clone(),
            clock: self.clock.clone(),
            ids: self.ids.clone(),
        };
        let prepared = reader.prepare(path, None)?;
        self.finish(prepared, lang)
    }

    /// Imports a file given as its bytes (dropped on the app's window, which gives no path),
    /// under the name `name`: kept under HQ's folder while it is read, then removed.
    pub fn import_bytes(&mut self, name: &str, bytes: &[u8], lang: Lang) -> Result<FileOutcome> {
        let base = Path::new(name)
            .file_name()
            .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
        let dir = self
            .files
            .local_path("incoming")
            .join(self.ids.next().to_string());
        std::fs::create_dir_all(&dir).map_err(|e| HqError::io(&dir, e))?;
        let path = dir.join(&base);
        let result = std::fs::write(&path, bytes)
            .map_err(|e| HqError::io(&path, e))
            .and_then(|()| {
                let reader = Reader {
                    conn: &self.conn,
                    files: self.files.clone(),
                    clock: self.clock.clone(),
                    ids: self.ids.clone(),
                };
                reader.prepare(&path, Some(&base))
            })
            .and_then(|prepared| self.finish(prepared, lang));
        let _ = std::fs::remove_dir_all(&dir);
        result
    }

    /// Imports `paths` in order, as [`HqDb::import_file`] each, reading and checking the next
    /// file on a second thread (with its own read-only connection) while this one writes the
    /// current: the checks (every hash, every signature) overlap the disk writes. Stops at the
    /// first failure of HQ itself; refused files are outcomes, as with one file.
    pub fn import_files(&mut self, paths: &[PathBuf], lang: Lang) -> Result<Vec<FileOutcome>> {
        self.import_files_with(paths, lang, |_, _| {})
    }

    /// [`HqDb::import_files`], calling `each` with every file's index and outcome as soon as
    /// it is written (for progress in the app).
    pub fn import_files_with(
        &mut self,
        paths: &[PathBuf],
        lang: Lang,
        mut each: impl FnMut(usize, &FileOutcome),
    ) -> Result<Vec<FileOutcome>> {
        let conn = self.second_connection()?;
        let (files, clock, ids) = (self.files.clone(), self.clock.clone(), self.ids.clone());
        std::thread::scope(|scope| {
            let (send, receive) = std::sync::mpsc::sync_channel::<Result<Prepared>>(1);
            scope.spawn(move || {
                let reader = Reader {
                    conn: &conn,
                    files,
                    clock,
                    ids,
                };
                for path in paths {
                    if send.send(reader.prepare(path, None)).is_err() {
                        break;
                    }
                }
            });
            let mut outcomes = Vec::with_capacity(paths.len());
            for prepared in receive {
                let outcome = self.finish(prepared?, lang)?;
                each(outcomes.len(), &outcome);
                outcomes.push(outcome);
            }
            Ok(outcomes)
        })
    }

    /// Writes what a file brought, or logs its refusal.
    fn finish(&mut self, prepared: Prepared, lang: Lang) -> Result<FileOutcome> {
        let outcome_of = |p: &Head, applied: &Applied| FileOutcome {
            file: p.shown.clone(),
            kind: p.kind.to_string(),
            device: p.device,
            added: applied.added,
            already_present: applied.already_present,
            followups: applied.followups,
            refused: Vec::new(),
            notes: notes(applied, lang),
        };
        let refused = |p: &Head, refusal: Refusal| FileOutcome {
            file: p.shown.clone(),
            kind: p.kind.to_string(),
            device: p.device,
            added: 0,
            already_present: 0,
            followups: 0,
            refused: vec![Refused {
                what: subject(&refusal),
                reason: refusal.problem.text(lang),
                hint: refusal.hint(lang),
                waits_for_enrolment: refusal.problem.waits_for_enrolment(),
                logged: (
                    refusal.problem.text(Lang::En),
                    refusal.problem.text(Lang::Ru),
                ),
            }],
            notes: Vec::new(),
        };
        let now = self.now();
        match prepared {
            Prepared::Known(head, audits) => {
                let applied = Applied {
                    already_present: audits,
                    known_bundle: true,
                    ..Applied::default()
                };
                let outcome = outcome_of(&head, &applied);
                log(&self.conn, &self.ids, &now, &outcome, head.sequence)?;
                Ok(outcome)
            }
            Prepared::Refused(head, refusal) => {
                let outcome = refused(&head, refusal);
                log(&self.conn, &self.ids, &now, &outcome, head.sequence)?;
                Ok(outcome)
            }
            Prepared::Parcel(head, parcel) => {
                let attempt = crate::enrol::Attempt::of(&parcel);
                match self.apply_parcel(*parcel, |tx, ids, now, applied| {
                    log(tx, ids, now, &outcome_of(&head, applied), head.sequence)
                })? {
                    Ok(applied) => Ok(outcome_of(&head, &applied)),
                    Err(refusal) => {
                        // A device HQ has not enrolled (or not for the store its bundle is
                        // of) goes on the waiting list, with the stores the bundle named.
                        if let (
                            Problem::NotEnrolled { .. } | Problem::OtherStore { .. },
                            Some(attempt),
                        ) = (&refusal.problem, &attempt)
                        {
                            crate::enrol::record_waiting(&self.conn, attempt, &now)?;
                        }
                        let outcome = refused(&head, refusal);
                        log(&self.conn, &self.ids, &now, &outcome, head.sequence)?;
                        Ok(outcome)
                    }
                }
            }
        }
    }

    /// Applies a checked parcel in one transaction: everything it adds, or nothing (`Err` of
    /// the inner result: the file is refused, and why).
    pub fn import_parcel(&mut self, parcel: Parcel) -> Result<Result<Applied, Refusal>> {
        self.apply_parcel(parcel, |_, _, _, _| Ok(()))
    }

    /// As [`HqDb::import_parcel`], running `also` in the same transaction once the parcel is
    /// applied (the import log's line, so one disk flush covers both).
    fn apply_parcel(
        &mut self,
        mut parcel: Parcel,
        also: impl FnOnce(&Conn, &Ids, &str, &Applied) -> Result<()>,
    ) -> Result<Result<Applied, Refusal>> {
        let files = self.files.clone();
        let ids = self.ids.clone();
        let tx = self.conn.transaction_with_behavior(Behavior::Immediate)?;
        // Read once the write lock is held: imports commit in the order of their times, so an
        // export's `as_of` (the latest time it saw) misses nothing committed after it.
        let now = (self.clock)().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let mut written = Written::default();
        let result =
            apply(&tx, &mut parcel, &files, &ids, &now, &mut written).and_then(|r| match r {
                Ok(applied) => also(&tx, &ids, &now, &applied).map(|()| Ok(applied)),
                Err(refusal) => Ok(Err(refusal)),
            });
        match result {
            Ok(Ok(applied)) => match tx.commit() {
                Ok(()) => Ok(Ok(applied)),
                Err(e) => {
                    written.undo();
                    Err(e)
                }
            },
            Ok(Err(refusal)) => {
                written.undo();
                tx.rollback()?;
                Ok(Err(refusal))
            }
            Err(e) => {
                written.undo();
                Err(e)
            }
        }
    }
}

/// Writes the import log's line for one file.
fn log(
    conn: &Conn,
    ids: &Ids,
    now: &str,
    outcome: &FileOutcome,
    sequence: Option<u64>,
) -> Result<()> {
    let refused: Vec<serde_json::Value> = outcome
        .refused
        .iter()
        .map(|r| serde_json::json!({"what": r.what, "reason": r.logged.0, "ru": r.logged.1}))
        .collect();
    conn.execute(
        "INSERT INTO import (id, file, kind, device_id, sequence, imported_at, added,
            already_present, refused)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            ids.next().to_string(),
            outcome.file,
            outcome.kind,
            outcome.device.map(|d| d.to_string()),
            sequence.map(|s| s as i64),
            now,
            outcome.added as i64,
            outcome.already_present as i64,
            serde_json::Value::Array(refused).to_string(),
        ],
    )?;
    Ok(())
}

/// Who a file is and where it stands, known before it is written.
struct Head {
    shown: String,
    kind: &'static str,
    device: Option<Uuid>,
    sequence: Option<u64>,
}

/// A file read and checked, ready to be written (or known, or refused).
enum Prepared {
    /// A bundle HQ imported before: the audits it carried.
    Known(Head, usize),
    Refused(Head, Refusal),
    Parcel(Head, Box<Parcel>),
}

/// What reads and checks files for HQ: a connection to look up what HQ holds (read-only on the
/// import's second thread) and what reading a store database needs.
struct Reader<'a> {
    conn: &'a Conn,
    files: Files,
    clock: storecheck_core::db::Clock,
    ids: Ids,
}

impl Reader<'_> {
    /// Reads and checks one file; errors are HQ's own failures.
    fn prepare(&self, path: &Path, shown: Option<&str>) -> Result<Prepared> {
        let shown = shown.map_or_else(|| path.display().to_string(), str::to_string);
        let head = |kind, device, sequence| Head {
            shown: shown.clone(),
            kind,
            device,
            sequence,
        };
        let kind = match kind_of(path) {
            Ok(kind) => kind,
            Err(e) => {
                let problem = Problem::Unreadable {
                    detail: e.to_string(),
                };
                return Ok(Prepared::Refused(
                    head("unknown", None, None),
                    Refusal::new(shown.clone(), problem),
                ));
            }
        };
        let read = match kind {
            "bundle" => {
                // A bundle HQ already holds is known by its manifest before any entry is read.
                match storecheck_sync::read::open_bundle(path, &shown, Limits::default()) {
                    Ok(open) => {
                        let at = head(kind, Some(open.device().id), Some(open.sequence()));
                        return Ok(match self.known_bundle(&open)? {
                            Some(Ok(audits)) => Prepared::Known(at, audits),
                            Some(Err(refusal)) => Prepared::Refused(at, refusal),
                            None => match open.read() {
                                Ok(parcel) => Prepared::Parcel(at, Box::new(parcel)),
                                Err(refusal) => Prepared::Refused(at, refusal),
                            },
                        });
                    }
                    Err(refusal) => Err(refusal),
                }
            }
            "database" => {
                let work = self
                    .files
                    .local_path("work")
                    .join(self.ids.next().to_string());
                let inputs = Inputs {
                    clock: self.clock.clone(),
                    ids: self.ids.clone(),
                    device_name: "HQ import".into(),
                };
                let read =
                    storecheck_sync::store_db::read_store_database(path, &shown, inputs, &work);
                let _ = std::fs::remove_dir_all(&work);
                read
            }
            "pdf" => storecheck_sync::pdf::read_signed_pdf(path, &shown),
            _ => Err(Refusal::new(shown.clone(), Problem::UnknownKind)),
        };
        Ok(match read {
            Ok(parcel) => {
                let at = head(
                    kind,
                    parcel.source.device().map(|d| d.id),
                    sequence_of(&parcel.source),
                );
                Prepared::Parcel(at, Box::new(parcel))
            }
            Err(refusal) => Prepared::Refused(head(kind, None, None), refusal),
        })
    }

    /// For a bundle HQ has imported before (by its manifest's hash), the number of audits it
    /// carried; a refusal when it is signed by another key than the one HQ knows for its
    /// device; `None` for a bundle HQ has not seen.
    fn known_bundle(
        &self,
        open: &storecheck_sync::read::OpenBundle,
    ) -> Result<Option<Result<usize, Refusal>>> {
        let held_key: Option<Option<String>> = self
            .conn
            .query_row(
                "SELECT key_id FROM device WHERE id = ?1",
                [open.device().id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        // With the chain's CA, the enrolment decides instead (a device's new key, enrolled).
        if let Some(Some(held)) = held_key
            && held != open.key_id()
            && !crate::enrol::has_ca(self.conn, &self.files)?
        {
            return Ok(Some(Err(Refusal::new(
                open.shown().to_string(),
                Problem::WrongKey {
                    device: open.device().id.to_string(),
                },
            ))));
        }
        let audits: Option<i64> = self
            .conn
            .query_row(
                "SELECT audits FROM bundle WHERE manifest_sha256 = ?1",
                [&open.manifest_sha256],
                |r| r.get(0),
            )
            .optional()?;
        Ok(audits.map(|n| Ok(n.max(0) as usize)))
    }
}

fn sequence_of(source: &Source) -> Option<u64> {
    match source {
        Source::Bundle { sequence, .. } => Some(*sequence),
        _ => None,
    }
}

fn notes(applied: &Applied, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    if applied.known_bundle {
        out.push(lang.pick(
            "this bundle was imported before; nothing new",
            "этот пакет уже импортирован; ничего нового",
        ));
    }
    if applied.followups > 0 {
        out.push(lang.pick(
            format!(
                "follow-ups of corrective actions added (done, or due date moved): {}",
                applied.followups
            ),
            format!(
                "добавлено отметок по корректирующим действиям (выполнено или перенесён срок): {}",
                applied.followups
            ),
        ));
    }
    if applied.without_data > 0 {
        out.push(lang.pick(
            format!(
                "signed reports without the audit's data inside (signed before reports carried it): {}; imported from the rows and marked as such",
                applied.without_data
            ),
            format!(
                "подписанных отчётов без данных проверки внутри (подписаны раньше, чем отчёты стали их нести): {}; импортированы по строкам и отмечены",
                applied.without_data
            ),
        ));
    }
    out
}

/// The thing a refusal is about: an entry, an audit, or the file itself.
fn subject(refusal: &Refusal) -> String {
    use Problem as P;
    match &refusal.problem {
        P::BadEntryName { name }
        | P::Encrypted { name }
        | P::MissingEntry { name }
        | P::UnlistedEntry { name }
        | P::SizeMismatch { name, .. }
        | P::HashMismatch { name }
        | P::EntryTooLarge { name, .. }
        | P::FileChanged { name } => name.clone(),
        P::BadRecord { entry, line, .. } => format!("{entry}:{line}"),
        P::Draft { audit }
        | P::MissingStandard { audit, .. }
        | P::UnknownRequirement { audit, .. }
        | P::IdTaken { audit, .. }
        | P::ForeignAction { audit, .. }
        | P::MissingReport { audit }
        | P::BadReport { audit, .. }
        | P::ReportDataMismatch { audit, .. }
        | P::SignedConflict { audit, .. }
        | P::UnsignedOverSigned { audit } => format!("audit {audit}"),
        P::StandardMismatch { standard } => format!("standard {standard}"),
        P::ManifestUnreadable { .. } | P::BadSignature | P::BadSequence { .. } => {
            "manifest.json".into()
        }
        _ => refusal.file.clone(),
    }
}

/// SHA-256 of an audit record as JSON: two copies of an audit are the same copy when equal.
pub fn record_sha256(audit: &AuditRecord) -> String {
    let json = serde_json::to_vec(audit).unwrap_or_default();
    storecheck_sync::manifest::hex(&Sha256::digest(&json))
}

fn apply(
    tx: &Conn,
    parcel: &mut Parcel,
    files: &Files,
    ids: &storecheck_core::ids::Ids,
    now: &str,
    written: &mut Written,
) -> Result<Result<Applied, Refusal>> {
    let file = parcel.file.clone();
    let refuse = |problem| Ok(Err(Refusal::new(file.clone(), problem)));
    let mut applied = Applied::default();
    // Whether enrolment applies, read once under the write lock (a query on PostgreSQL).
    let with_ca =
        matches!(parcel.source, Source::Bundle { .. }) && crate::enrol::has_ca(tx, files)?;

    // The device and its key.
    if let Source::Bundle {
        device,
        key_id,
        manifest_sha256,
        ..
    } = &parcel.source
    {
        let held: Option<Option<String>> = tx
            .query_row(
                "SELECT key_id FROM device WHERE id = ?1",
                [device.id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(Some(held)) = held
            && &held != key_id
            && !with_ca
        {
            return refuse(Problem::WrongKey {
                device: device.id.to_string(),
            });
        }
        let known: bool = tx
            .query_row(
                "SELECT 1 FROM bundle WHERE manifest_sha256 = ?1",
                [manifest_sha256],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if known {
            applied.known_bundle = true;
            applied.already_present = parcel.audits.len();
            return Ok(Ok(applied));
        }
        // With the chain's CA, only from a device it enrolled (checked under the write lock,
        // so an enrolment or revocation just made counts).
        let problem = match crate::enrol::enrolment(tx, with_ca, key_id, device.id, now)? {
            Enrolment::NoCa => None,
            // A device speaks for the store it was enrolled for, and for no other.
            Enrolment::Enrolled { store } => {
                let others: std::collections::BTreeSet<&str> = parcel
                    .audits
                    .iter()
                    .map(|a| a.audit.store.code.as_str())
                    .filter(|code| *code != store)
                    .collect();
                (!others.is_empty()).then(|| Problem::OtherStore {
                    device: device.name.clone(),
                    fingerprint: key_id.clone(),
                    enrolled: store,
                    stores: others.into_iter().map(str::to_string).collect(),
                })
            }
            Enrolment::NotEnrolled => Some(Problem::NotEnrolled {
                device: device.name.clone(),
                fingerprint: key_id.clone(),
                store: crate::enrol::stores_named(parcel).into_iter().next(),
            }),
            Enrolment::Revoked { at, reason } => Some(Problem::DeviceRevoked {
                device: device.name.clone(),
                fingerprint: key_id.clone(),
                at,
                reason,
            }),
        };
        if let Some(problem) = problem {
            return refuse(problem);
        }
    }

    // Standards: each is HQ's copy under its id, or new with ids of its own.
    if let Some(problem) = check_standards(tx, &parcel.standards)? {
        return refuse(problem);
    }

    // Standards: each audit's is in the file or at HQ, and names every requirement it uses.
    let mut requirements: HashMap<Uuid, HashMap<Uuid, Requirement>> = HashMap::new();
    for s in &parcel.standards {
        requirements.insert(
            s.id,
            s.sections
                .iter()
                .flat_map(|x| &x.requirements)
                .map(|r| (r.id, r.clone()))
                .collect(),
        );
    }
    for sent in &parcel.audits {
        let a = &sent.audit;
        if let std::collections::hash_map::Entry::Vacant(e) = requirements.entry(a.standard_id) {
            match held_requirements(tx, a.standard_id)? {
                Some(reqs) => {
                    e.insert(reqs);
                }
                None => {
                    return refuse(Problem::MissingStandard {
                        audit: a.id.to_string(),
                        standard: a.standard_id.to_string(),
                    });
                }
            }
        }
        let reqs = &requirements[&a.standard_id];
        let named = a
            .answers
            .iter()
            .map(|x| (x.requirement_id, &x.code))
            .chain(a.photos.iter().map(|x| (x.requirement_id, &x.code)))
            .chain(a.actions.iter().map(|x| (x.requirement_id, &x.code)));
        for (rid, code) in named {
            if !reqs.contains_key(&rid) {
                return refuse(Problem::UnknownRequirement {
                    audit: a.id.to_string(),
                    requirement: code.clone(),
                });
            }
        }
    }

    // Each audit by the rules; every signed one that is new here against its own PDF.
    let mut plan: Vec<(usize, Decision, String, Option<&'static str>)> = Vec::new();
    let mut pdfs: Vec<(Uuid, Vec<u8>)> = Vec::new();
    for i in 0..parcel.audits.len() {
        let sent = &parcel.audits[i];
        let sha = record_sha256(&sent.audit);
        let rank = Rank::of(&sent.audit, &sha);
        let held = held_rank(tx, sent.audit.id)?;
        let held_record = match &held {
            Some(r) if r.signed && r.record_sha256 != sha => {
                crate::query::audit_record(tx, sent.audit.id)?
            }
            _ => None,
        };
        let decision = decide(
            held.as_ref().map(|r| (r, held_record.as_ref())),
            &sent.audit,
            &rank,
        );
        let mut pdf_data = None;
        match &decision {
            Decision::Refuse(problem) => return refuse(problem.clone()),
            Decision::Add | Decision::Replace
                if parcel.audits[i].audit.status == AuditStatus::Signed =>
            {
                match check_signed(parcel, i)? {
                    Ok((bytes, has_data)) => {
                        if let Some(report) = &parcel.audits[i].report {
                            pdfs.push((report.id, bytes));
                        }
                        if !has_data {
                            applied.without_data += 1;
                        }
                        pdf_data = Some(if has_data { "matches" } else { "absent" });
                    }
                    Err(problem) => return refuse(problem),
                }
            }
            _ => {}
        }
        plan.push((i, decision, sha, pdf_data));
    }

    // Each new row's id is its own: HQ holds no other audit's answer, photo, action or report
    // under it (the file's own rows were checked apart by the parcel).
    for (i, decision, _, _) in &plan {
        if !matches!(decision, Decision::Add | Decision::Replace) {
            continue;
        }
        let sent = &parcel.audits[*i];
        let audit = sent.audit.id.to_string();
        for (kind, row) in storecheck_sync::parcel::row_ids(sent) {
            let table = ["answer", "photo", "corrective_action", "report"][kind];
            let owner: Option<String> = tx
                .query_row(
                    &format!("SELECT audit_id FROM {table} WHERE id = ?1"),
                    [row.to_string()],
                    |r| r.get(0),
                )
                .optional()?;
            if owner.is_some_and(|o| o != audit) {
                return refuse(Problem::IdTaken {
                    audit,
                    id: row.to_string(),
                });
            }
        }
    }

    // Photo originals HQ lacks, from whichever audit names them.
    let mut wanted: BTreeMap<String, String> = BTreeMap::new();
    for sent in &parcel.audits {
        for p in &sent.audit.photos {
            wanted
                .entry(p.sha256.clone())
                .or_insert_with(|| p.format.clone());
        }
    }
    for f in &parcel.followups {
        if let (Some(sha), Some(format)) = (&f.photo_sha256, &f.photo_format) {
            wanted.entry(sha.clone()).or_insert_with(|| format.clone());
        }
    }
    let mut photo_rows = Vec::new();
    for (sha, format) in wanted {
        let held: bool = tx
            .query_row("SELECT 1 FROM photo_file WHERE sha256 = ?1", [&sha], |_| {
                Ok(())
            })
            .optional()?
            .is_some();
        if held {
            continue;
        }
        match parcel.files.photo(&sha, &format) {
            Ok(Some(bytes)) => {
                files.add(
                    tx,
                    &crate::files::photo_name(&sha, &format),
                    &bytes,
                    written,
                    ids,
                )?;
                photo_rows.push((sha, format, bytes.len() as i64));
            }
            Ok(None) => {}
            Err(refusal) => return Ok(Err(refusal)),
        }
    }
    for (id, bytes) in &pdfs {
        files.add(tx, &crate::files::report_name(*id), bytes, written, ids)?;
    }

    // The rows.
    match &parcel.source {
        Source::Bundle {
            device,
            sequence,
            previous,
            manifest_sha256,
            key_id,
            public_key,
            created_at,
        } => {
            // The key HQ holds for the device: its first, or with the chain's CA the one
            // enrolled that signed this bundle (a device's new key, once HQ enrolled it).
            let sql = if with_ca {
                "INSERT INTO device (id, name, key_id, public_key) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET key_id = excluded.key_id,
                     public_key = excluded.public_key"
            } else {
                "INSERT INTO device (id, name, key_id, public_key) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET key_id = excluded.key_id,
                     public_key = excluded.public_key WHERE device.key_id IS NULL"
            };
            tx.execute(
                sql,
                params![device.id.to_string(), device.name, key_id, public_key],
            )?;
            tx.execute(
                "INSERT INTO bundle (manifest_sha256, device_id, sequence, previous, created_at, audits)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    manifest_sha256,
                    device.id.to_string(),
                    *sequence as i64,
                    previous,
                    created_at,
                    parcel.audits.len() as i64
                ],
            )?;
        }
        Source::StoreDatabase { device } => {
            tx.execute(
                "INSERT INTO device (id, name) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                params![device.id.to_string(), device.name],
            )?;
        }
        Source::SignedPdf => {}
    }
    for sent in &parcel.audits {
        put_store(tx, &sent.audit.store, &sent.audit.updated_at)?;
    }
    for s in &parcel.standards {
        put_standard(tx, s)?;
    }
    for (sha, format, bytes) in &photo_rows {
        tx.execute(
            "INSERT INTO photo_file (sha256, format, bytes) VALUES (?1, ?2, ?3)
             ON CONFLICT DO NOTHING",
            params![sha, format, bytes],
        )?;
    }
    // Audits whose counting may change: those a new copy names as revised, and those an
    // older copy named.
    let mut recheck = Vec::new();
    for (i, decision, sha, pdf_data) in plan {
        let sent = &parcel.audits[i];
        match decision {
            Decision::Add | Decision::Replace => {
                if decision == Decision::Replace {
                    recheck.extend(remove_audit(tx, sent.audit.id)?);
                }
                put_audit(
                    tx,
                    sent,
                    &sha,
                    pdf_data,
                    &requirements[&sent.audit.standard_id],
                    now,
                )?;
                recheck.extend(sent.audit.revision_of.map(|r| r.to_string()));
                applied.added += 1;
            }
            Decision::AlreadyPresent => applied.already_present += 1,
            Decision::Refuse(_) => {}
        }
    }
    // Follow-ups: each once by id; a different one under a held id is refused. Every action
    // they or the audits above touch gets its state again from all the follow-ups HQ holds.
    let mut actions: Vec<String> = parcel
        .audits
        .iter()
        .flat_map(|s| s.audit.actions.iter().map(|a| a.id.to_string()))
        .collect();
    for f in &parcel.followups {
        // The action, when HQ holds it, must be the audit's the follow-up names.
        let owner: Option<String> = tx
            .prepare_cached("SELECT audit_id FROM corrective_action WHERE id = ?1")?
            .query_row([f.action_id.to_string()], |r| r.get(0))
            .optional()?;
        if owner.is_some_and(|o| o != f.audit_id.to_string()) {
            return refuse(Problem::ForeignAction {
                followup: f.id.to_string(),
                action: f.action_id.to_string(),
                audit: f.audit_id.to_string(),
            });
        }
        let held: Option<(String, String, String, String, String)> = tx
            .query_row(
                "SELECT action_id, kind, on_date, by_whom, note FROM followup WHERE id = ?1",
                [f.id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        match held {
            Some(h) => {
                let same = (h.0, h.1, h.2, h.3, h.4)
                    == (
                        f.action_id.to_string(),
                        f.kind.as_str().to_string(),
                        f.on_date.clone(),
                        f.by_whom.clone(),
                        f.note.clone(),
                    );
                if !same {
                    return refuse(Problem::IdTaken {
                        audit: f.audit_id.to_string(),
                        id: f.id.to_string(),
                    });
                }
            }
            None => {
                tx.prepare_cached(
                    "INSERT INTO followup (id, action_id, audit_id, kind, on_date, by_whom, note,
                        photo_sha256, photo_format, device_id, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )?
                .execute(params![
                    f.id.to_string(),
                    f.action_id.to_string(),
                    f.audit_id.to_string(),
                    f.kind.as_str(),
                    f.on_date,
                    f.by_whom,
                    f.note,
                    f.photo_sha256,
                    f.photo_format,
                    f.device_id.to_string(),
                    f.created_at
                ])?;
                applied.followups += 1;
                actions.push(f.action_id.to_string());
            }
        }
    }
    apply_followups(tx, &actions)?;
    rollup::recheck_current(tx, &recheck)?;
    rollup::refresh(tx)?;
    Ok(Ok(applied))
}

/// The ids of a standard's sections, then of its requirements, in order.
fn standard_row_ids(s: &StandardRecord) -> Vec<Uuid> {
    s.sections
        .iter()
        .map(|x| x.id)
        .chain(
            s.sections
                .iter()
                .flat_map(|x| &x.requirements)
                .map(|r| r.id),
        )
        .collect()
}

/// A standard's content names no ids, so they are checked here: a standard HQ holds comes with
/// HQ's content hash and ids (only the first copy is kept, and the audits are checked against
/// it), copies of one standard in the file are the same, and a standard new to HQ has ids no
/// other section or requirement has, in the file or at HQ. Returns what is wrong, if anything.
fn check_standards(tx: &Conn, standards: &[StandardRecord]) -> Result<Option<Problem>> {
    let mut seen: HashMap<Uuid, (&str, Vec<Uuid>)> = HashMap::new();
    let mut claimed = std::collections::HashSet::new();
    for s in standards {
        let mismatch = || {
            Some(Problem::StandardMismatch {
                standard: format!("{}@{}", s.code, s.version),
            })
        };
        let ids = standard_row_ids(s);
        if let Some((hash, first)) = seen.get(&s.id) {
            if *hash != s.content_sha256 || *first != ids {
                return Ok(mismatch());
            }
            continue;
        }
        let held: Option<String> = tx
            .query_row(
                "SELECT content_sha256 FROM standard WHERE id = ?1",
                [s.id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        match held {
            Some(hash) => {
                let mut held_ids = Vec::with_capacity(ids.len());
                for table in ["section", "requirement"] {
                    let mut stmt = tx.prepare_cached(&format!(
                        "SELECT id FROM {table} WHERE standard_id = ?1 ORDER BY position"
                    ))?;
                    let rows = stmt.query_map([s.id.to_string()], |r| r.get::<_, String>(0))?;
                    for id in rows {
                        held_ids.push(
                            Uuid::parse_str(&id?).map_err(|e| HqError::Corrupt(e.to_string()))?,
                        );
                    }
                }
                if hash != s.content_sha256 || held_ids != ids {
                    return Ok(mismatch());
                }
            }
            None => {
                for id in &ids {
                    let key = id.to_string();
                    let held = tx
                        .query_row(
                            "SELECT 1 FROM section WHERE id = ?1
                             UNION ALL SELECT 1 FROM requirement WHERE id = ?1",
                            [&key],
                            |_| Ok(()),
                        )
                        .optional()?
                        .is_some();
                    if held || !claimed.insert(*id) {
                        return Ok(mismatch());
                    }
                }
            }
        }
        seen.insert(s.id, (s.content_sha256.as_str(), ids));
    }
    Ok(None)
}

/// Checks a signed audit against its signed PDF: the PDF is there, its signature is valid, and
/// the data inside it (when it has some) is the audit. Returns the PDF and whether it had data.
fn check_signed(parcel: &mut Parcel, i: usize) -> Result<Result<(Vec<u8>, bool), Problem>> {
    let audit = parcel.audits[i].audit.id.to_string();
    let Some(report) = parcel.audits[i].report.clone() else {
        return Ok(Err(Problem::MissingReport { audit }));
    };
    let bytes = match parcel.files.report(&report) {
        Ok(Some(b)) => b,
        Ok(None) => return Ok(Err(Problem::MissingReport { audit })),
        Err(refusal) => return Ok(Err(refusal.problem)),
    };
    let verification = storecheck_report::verify::verify_pdf(&bytes, None);
    if !verification.valid {
        return Ok(Err(Problem::BadReport {
            audit,
            detail: verification.problem.unwrap_or_default(),
        }));
    }
    match storecheck_sync::pdf::signed_data(&bytes) {
        Ok(Some(data)) => {
            if data.audit.id != parcel.audits[i].audit.id {
                return Ok(Err(Problem::ReportDataMismatch {
                    audit,
                    field: "id".into(),
                }));
            }
            if let Some(stamp) = &data.report {
                let same = stamp.id == report.id
                    && stamp.signer == report.signer
                    && stamp.signed_at == report.signed_at
                    && stamp.lang == report.lang
                    && stamp.acknowledged_by == report.acknowledged_by;
                if !same {
                    return Ok(Err(Problem::ReportDataMismatch {
                        audit,
                        field: "report".into(),
                    }));
                }
            }
            if let Some(field) = parcel.audits[i].audit.signed_difference(&data.audit) {
                return Ok(Err(Problem::ReportDataMismatch {
                    audit,
                    field: field.into(),
                }));
            }
            Ok(Ok((bytes, true)))
        }
        Ok(None) => Ok(Ok((bytes, false))),
        Err(detail) => Ok(Err(Problem::BadReport { audit, detail })),
    }
}

fn held_rank(tx: &Conn, audit: Uuid) -> Result<Option<Rank>> {
    tx.query_row(
        "SELECT status, updated_at, record_sha256 FROM audit WHERE id = ?1",
        [audit.to_string()],
        |r| {
            Ok(Rank {
                signed: r.get::<_, String>(0)? == "signed",
                updated_at: r.get(1)?,
                record_sha256: r.get(2)?,
            })
        },
    )
    .optional()
}

fn held_requirements(tx: &Conn, standard: Uuid) -> Result<Option<HashMap<Uuid, Requirement>>> {
    let exists = tx
        .query_row(
            "SELECT 1 FROM standard WHERE id = ?1",
            [standard.to_string()],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if !exists {
        return Ok(None);
    }
    let mut stmt = tx.prepare_cached(
        "SELECT id, code, text, guidance, kind, weight, hard, photo, na_allowed, min, max
         FROM requirement WHERE standard_id = ?1",
    )?;
    let rows = stmt.query_map([standard.to_string()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, f64>(5)?,
            r.get::<_, bool>(6)?,
            r.get::<_, String>(7)?,
            r.get::<_, bool>(8)?,
            r.get::<_, Option<f64>>(9)?,
            r.get::<_, Option<f64>>(10)?,
        ))
    })?;
    let mut out = HashMap::new();
    for row in rows {
        let (id, code, text, guidance, kind, weight, hard, photo, na_allowed, min, max) = row?;
        let id = Uuid::parse_str(&id).map_err(|e| HqError::Corrupt(e.to_string()))?;
        out.insert(
            id,
            Requirement {
                id,
                code,
                text,
                guidance,
                kind: Kind::parse(&kind).ok_or_else(|| HqError::Corrupt(kind.clone()))?,
                weight,
                hard,
                photo: PhotoRule::parse(&photo).ok_or_else(|| HqError::Corrupt(photo.clone()))?,
                na_allowed,
                min,
                max,
            },
        );
    }
    Ok(Some(out))
}

/// The store by its code: HQ's own name wins; otherwise the name carried by the audit with the
/// latest change (ties by name, then region), so the order of imports does not matter.
pub(crate) fn put_store(tx: &Conn, store: &StoreRecord, as_of: &str) -> Result<()> {
    let region = |tx: &Conn| -> Result<Option<Option<String>>> {
        tx.query_row(
            "SELECT region FROM store WHERE code = ?1",
            [&store.code],
            |r| r.get(0),
        )
        .optional()
    };
    let before = region(tx)?;
    tx.execute(
        "INSERT INTO store (code, name, region, as_of) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, region = excluded.region,
             as_of = excluded.as_of
         WHERE store.named_by_hq = 0
           AND (excluded.as_of, excluded.name, coalesce(excluded.region, ''))
             > (store.as_of, store.name, coalesce(store.region, ''))",
        params![store.code, store.name, store.region, as_of],
    )?;
    // A store moved to another region moves all its audits in the rollups.
    if let Some(before) = before {
        let after = region(tx)?.flatten();
        if before != after {
            rollup::touch_store(tx, &store.code, before.as_deref())?;
            rollup::touch_store(tx, &store.code, after.as_deref())?;
        }
    }
    Ok(())
}

pub(crate) fn put_standard(tx: &Conn, s: &StandardRecord) -> Result<()> {
    let ratings = serde_json::to_string(&s.ratings).map_err(|e| HqError::Corrupt(e.to_string()))?;
    let added = tx.execute(
        "INSERT INTO standard (id, code, version, title, language, ratings, content_sha256)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
        params![
            s.id.to_string(),
            s.code,
            s.version,
            s.title,
            s.language,
            ratings,
            s.content_sha256
        ],
    )?;
    if added == 0 {
        return Ok(());
    }
    let mut position = 0;
    for (section, s_pos) in s.sections.iter().zip(0..) {
        tx.execute(
            "INSERT INTO section (id, standard_id, position, title) VALUES (?1, ?2, ?3, ?4)",
            params![
                section.id.to_string(),
                s.id.to_string(),
                s_pos,
                section.title
            ],
        )?;
        for r in &section.requirements {
            position += 1;
            tx.execute(
                "INSERT INTO requirement (id, standard_id, section_id, position, code, text, guidance,
                    kind, weight, hard, photo, na_allowed, min, max)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                params![
                    r.id.to_string(),
                    s.id.to_string(),
                    section.id.to_string(),
                    position,
                    r.code,
                    r.text,
                    r.guidance,
                    r.kind.as_str(),
                    r.weight,
                    r.hard,
                    r.photo.as_str(),
                    r.na_allowed,
                    r.min,
                    r.max
                ],
            )?;
        }
    }
    Ok(())
}

/// Sets each action's due date now and the day it was done from the follow-ups HQ holds for it,
/// read in the order they were made (core's `followup::state`).
fn apply_followups(tx: &Conn, actions: &[String]) -> Result<()> {
    for action in actions {
        let due: Option<String> = tx
            .query_row(
                "SELECT due FROM corrective_action WHERE id = ?1",
                [action],
                |r| r.get(0),
            )
            .optional()?;
        let Some(due) = due else {
            continue; // its audit has not arrived yet
        };
        let mut stmt = tx.prepare_cached(
            // Only those that name the action's own audit: one that arrived before its audit
            // and names another is never applied.
            "SELECT kind, on_date FROM followup
             WHERE action_id = ?1
               AND audit_id = (SELECT audit_id FROM corrective_action WHERE id = ?1)
             ORDER BY created_at, id",
        )?;
        let mut held = Vec::new();
        for row in stmt.query_map([action], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })? {
            let (kind, on) = row?;
            let kind = FollowupKind::parse(&kind)
                .ok_or_else(|| HqError::Corrupt(format!("follow-up kind {kind}")))?;
            held.push((kind, on));
        }
        let state =
            storecheck_core::followup::state(&due, held.iter().map(|(k, on)| (*k, on.as_str())));
        tx.prepare_cached("UPDATE corrective_action SET due_now = ?2, done_at = ?3 WHERE id = ?1")?
            .execute(params![action, state.due_now, state.done_on])?;
    }
    Ok(())
}

/// Removes an (unsigned) audit HQ holds, to be replaced by a newer copy; returns the audit
/// it named as revised, if any.
fn remove_audit(tx: &Conn, audit: Uuid) -> Result<Option<String>> {
    let id = audit.to_string();
    rollup::touch_audit(tx, &id)?;
    let revised: Option<String> = tx
        .query_row("SELECT revision_of FROM audit WHERE id = ?1", [&id], |r| {
            r.get(0)
        })
        .optional()?
        .flatten();
    for table in ["answer", "photo", "corrective_action", "audit_section"] {
        tx.execute(&format!("DELETE FROM {table} WHERE audit_id = ?1"), [&id])?;
    }
    tx.execute("DELETE FROM audit WHERE id = ?1", [&id])?;
    Ok(revised)
}

/// Writes an audit HQ takes, with `imported_at` (HQ's time) as when it arrived.
pub(crate) fn put_audit(
    tx: &Conn,
    sent: &Sent,
    record_sha256: &str,
    pdf_data: Option<&str>,
    requirements: &HashMap<Uuid, Requirement>,
    imported_at: &str,
) -> Result<()> {
    let a = &sent.audit;
    let hard =
        serde_json::to_string(&a.hard_failures).map_err(|e| HqError::Corrupt(e.to_string()))?;
    let scores: Vec<Option<f64>> = a
        .answers
        .iter()
        .map(|x| {
            let response = match x.response.as_deref() {
                Some("pass") => Some(Response::Pass),
                Some("fail") => Some(Response::Fail),
                Some("na") => Some(Response::Na),
                Some("value") => x.value.map(Response::Value),
                Some("text") => Some(Response::Text(x.text.clone().unwrap_or_default())),
                _ => None,
            };
            match (response, requirements.get(&x.requirement_id)) {
                (Some(resp), Some(req)) => storecheck_core::scoring::requirement_score(req, &resp),
                _ => None,
            }
        })
        .collect();
    let findings = scores
        .iter()
        .flatten()
        .filter(|s| **s < storecheck_core::scoring::FINDING_BELOW)
        .count() as i64;
    tx.prepare_cached(
        "INSERT INTO audit (id, store_code, standard_id, shift_date, shift, auditor, observed, status,
            revision_of, revision_reason, device_id, created_at, updated_at, completed_at, score,
            rating, failed_hard, hard_failures, store_name, store_region, record_sha256, pdf_data,
            week, findings, current, imported_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
            ?19, ?20, ?21, ?22, ?25, ?23,
            CASE WHEN EXISTS (SELECT 1 FROM audit r WHERE r.revision_of = ?1) THEN 0 ELSE 1 END, ?24)",
    )?
    .execute(params![
            a.id.to_string(),
            a.store.code,
            a.standard_id.to_string(),
            a.shift_date,
            a.shift.as_str(),
            a.auditor,
            a.observed,
            a.status.as_str(),
            a.revision_of.map(|r| r.to_string()),
            a.revision_reason,
            a.device_id.to_string(),
            a.created_at,
            a.updated_at,
            a.completed_at,
            a.score,
            a.rating,
            !a.hard_failures.is_empty(),
            hard,
            a.store.name,
            a.store.region,
            record_sha256,
            pdf_data,
            findings,
            imported_at,
            crate::dashboard::iso_week(&a.shift_date)
        ],
    )?;
    let mut answer = tx.prepare_cached(
        "INSERT INTO answer (id, audit_id, requirement_id, code, response, value, text, note, score,
            device_id, created_at, updated_at, shift_date)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    for (x, score) in a.answers.iter().zip(scores) {
        answer.execute(params![
            x.id.to_string(),
            a.id.to_string(),
            x.requirement_id.to_string(),
            x.code,
            x.response,
            x.value,
            x.text,
            x.note,
            score,
            x.device_id.to_string(),
            x.created_at,
            x.updated_at,
            a.shift_date
        ])?;
    }
    let id = a.id.to_string();
    rollup::put_sections(tx, &id)?;
    rollup::touch_audit(tx, &id)?;
    let mut photo = tx.prepare_cached(
        "INSERT INTO photo (id, audit_id, requirement_id, code, sha256, format, bytes, width, height,
            file_name, caption, device_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?;
    for p in &a.photos {
        photo.execute(params![
            p.id.to_string(),
            a.id.to_string(),
            p.requirement_id.to_string(),
            p.code,
            p.sha256,
            p.format,
            p.bytes,
            p.width,
            p.height,
            p.file_name,
            p.caption,
            p.device_id.to_string(),
            p.created_at,
            p.updated_at
        ])?;
    }
    let mut action = tx.prepare_cached(
        "INSERT INTO corrective_action (id, audit_id, requirement_id, code, what, owner, due,
            device_id, created_at, updated_at, due_now, store_code, standard_id, counts)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?7, a.store_code, a.standard_id, a.current
         FROM audit a WHERE a.id = ?2",
    )?;
    for c in &a.actions {
        action.execute(params![
            c.id.to_string(),
            a.id.to_string(),
            c.requirement_id.to_string(),
            c.code,
            c.what,
            c.owner,
            c.due,
            c.device_id.to_string(),
            c.created_at,
            c.updated_at
        ])?;
    }
    if let Some(r) = &sent.report {
        tx.execute(
            "INSERT INTO report (id, audit_id, signer, signed_at, lang, acknowledged_by,
                pdf_sha256, pdf_bytes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
            params![
                r.id.to_string(),
                a.id.to_string(),
                r.signer,
                r.signed_at,
                r.lang,
                r.acknowledged_by,
                r.pdf_sha256,
                r.pdf_bytes
            ],
        )?;
    }
    Ok(())
}
