//! What a file sent to HQ holds, once read and checked: the same shape whether it came as a
//! bundle, a store's database file or a signed PDF, so HQ has one set of import rules.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use storecheck_core::model::AuditStatus;
use storecheck_core::record::{AuditRecord, ReportRecord, StandardRecord, StoreRecord};
use uuid::Uuid;

use crate::manifest::Device;
use crate::refusal::{Problem, Refusal};

/// An audit as sent: its record and, when signed, its report's record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sent {
    pub audit: AuditRecord,
    pub report: Option<ReportRecord>,
}

/// Where a parcel came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A signed bundle: its device, place in the device's sequence, and the key that signed it.
    Bundle {
        device: Device,
        sequence: u64,
        previous: Option<String>,
        manifest_sha256: String,
        key_id: String,
        public_key: String,
        created_at: String,
    },
    /// A store's database file, copied from its laptop with `photos/` and `reports/` beside it.
    StoreDatabase { device: Device },
    /// One signed report PDF, carrying its audit's data.
    SignedPdf,
}

impl Source {
    /// `bundle`, `database` or `pdf`, as the import log and `--json` name it.
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Bundle { .. } => "bundle",
            Source::StoreDatabase { .. } => "database",
            Source::SignedPdf => "pdf",
        }
    }

    pub fn device(&self) -> Option<&Device> {
        match self {
            Source::Bundle { device, .. } | Source::StoreDatabase { device } => Some(device),
            Source::SignedPdf => None,
        }
    }
}

/// The photo and PDF files a parcel carries, read on demand and checked against their hashes.
pub trait Files: Send {
    /// The original of the photo `sha256` (hash checked), or `None` when the parcel lacks it.
    fn photo(&mut self, sha256: &str, format: &str) -> Result<Option<Vec<u8>>, Refusal>;
    /// The signed PDF of `report` (hash checked against `report.pdf_sha256`), or `None`.
    fn report(&mut self, report: &ReportRecord) -> Result<Option<Vec<u8>>, Refusal>;
}

/// A file sent to HQ, read and checked as far as it can be without HQ's database.
pub struct Parcel {
    /// The file as the person named it.
    pub file: String,
    pub source: Source,
    pub stores: Vec<StoreRecord>,
    pub standards: Vec<StandardRecord>,
    pub audits: Vec<Sent>,
    /// Follow-ups of corrective actions (bundles of format 2 only).
    pub followups: Vec<storecheck_core::followup::Followup>,
    pub files: Box<dyn Files>,
}

impl std::fmt::Debug for Parcel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parcel")
            .field("file", &self.file)
            .field("source", &self.source)
            .field("audits", &self.audits.len())
            .finish_non_exhaustive()
    }
}

/// The ids of an audit's rows, each with its kind: 0 answers, 1 photos, 2 corrective actions,
/// 3 its report. Rows of one kind share one id space at HQ.
pub fn row_ids(sent: &Sent) -> impl Iterator<Item = (usize, Uuid)> + '_ {
    let a = &sent.audit;
    a.answers
        .iter()
        .map(|x| (0, x.id))
        .chain(a.photos.iter().map(|x| (1, x.id)))
        .chain(a.actions.iter().map(|x| (2, x.id)))
        .chain(sent.report.iter().map(|r| (3, r.id)))
}

impl Parcel {
    fn refuse(&self, problem: Problem) -> Refusal {
        Refusal::new(self.file.clone(), problem)
    }

    /// What can be checked of the contents alone: no drafts; each audit once, and each of
    /// their answers, photos, actions and reports under an id of its own; every signed audit
    /// with its report; every standard's content hash matches its content (its ids, which the
    /// hash does not cover, are checked against HQ's by the import); every answer, photo and
    /// action names a requirement of its audit's standard when that standard is here.
    pub fn check(&self) -> Result<(), Refusal> {
        for s in &self.standards {
            if !s.is_consistent() {
                return Err(self.refuse(Problem::StandardMismatch {
                    standard: format!("{}@{}", s.code, s.version),
                }));
            }
        }
        let requirements: BTreeMap<Uuid, BTreeSet<Uuid>> = self
            .standards
            .iter()
            .map(|s| {
                (
                    s.id,
                    s.sections
                        .iter()
                        .flat_map(|x| &x.requirements)
                        .map(|r| r.id)
                        .collect(),
                )
            })
            .collect();
        let mut seen = BTreeSet::new();
        // Ids of answers, photos, actions and reports, each kind apart.
        let mut rows: [BTreeSet<Uuid>; 4] = Default::default();
        for sent in &self.audits {
            let a = &sent.audit;
            let id = a.id.to_string();
            if !seen.insert(a.id) {
                return Err(self.refuse(Problem::BadRecord {
                    entry: "audits".into(),
                    line: 0,
                    detail: format!("audit {id} appears twice"),
                }));
            }
            for (kind, row) in row_ids(sent) {
                if !rows[kind].insert(row) {
                    return Err(self.refuse(Problem::IdTaken {
                        audit: id,
                        id: row.to_string(),
                    }));
                }
            }
            match a.status {
                AuditStatus::Draft => return Err(self.refuse(Problem::Draft { audit: id })),
                AuditStatus::Signed if sent.report.is_none() => {
                    return Err(self.refuse(Problem::MissingReport { audit: id }));
                }
                AuditStatus::Completed if sent.report.is_some() => {
                    return Err(self.refuse(Problem::BadRecord {
                        entry: "audits".into(),
                        line: 0,
                        detail: format!("audit {id} is not signed but carries a signed report"),
                    }));
                }
                _ => {}
            }
            if let Some(reqs) = requirements.get(&a.standard_id) {
                let named = a
                    .answers
                    .iter()
                    .map(|x| (x.requirement_id, &x.code))
                    .chain(a.photos.iter().map(|x| (x.requirement_id, &x.code)))
                    .chain(a.actions.iter().map(|x| (x.requirement_id, &x.code)));
                for (rid, code) in named {
                    if !reqs.contains(&rid) {
                        return Err(self.refuse(Problem::UnknownRequirement {
                            audit: id,
                            requirement: code.clone(),
                        }));
                    }
                }
            }
        }
        Ok(())
    }
}
