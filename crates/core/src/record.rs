//! Audits as they leave the store: the records a sync bundle carries to headquarters and a
//! signed PDF embeds under its signature.
//!
//! Records hold rows exactly as stored (ids, devices, times as RFC 3339 text), so HQ keeps
//! what the store wrote and two copies of one audit compare field by field. A standard travels
//! whole with its content-derived ids, a store by its chain-wide code.
//!
//! - [`Db::audit_record`], [`Db::standard_record`], [`Db::report_record`]: read them.
//! - [`SignedAuditData`]: the JSON file a signed PDF carries; [`AuditRecord::signed_difference`]
//!   compares an audit with it.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::Db;
use crate::error::Result;
use crate::model::{AuditStatus, RatingBand, Section, ShiftPart};
use crate::standard::parse_uuid;

/// The version of these records' shape. A reader refuses a newer one.
pub const RECORD_FORMAT: u32 = 1;

/// A store as the store's own database knows it. HQ reconciles stores by `code`; the name and
/// region HQ shows are its own once it has them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoreRecord {
    pub code: String,
    pub name: String,
    pub region: Option<String>,
}

/// A published standard version, whole, with its content-derived ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StandardRecord {
    pub id: Uuid,
    pub code: String,
    pub version: String,
    pub title: String,
    pub language: String,
    pub ratings: Vec<RatingBand>,
    /// Of the normalised content, as [`crate::import::StandardDraft::content_hash`] makes it.
    pub content_sha256: String,
    /// In order; requirements in order within each.
    pub sections: Vec<Section>,
}

/// One answer row. `response` is `pass`, `fail`, `na`, `value` or `text`; `None` is a note
/// without an answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerRecord {
    pub id: Uuid,
    pub requirement_id: Uuid,
    pub code: String,
    pub response: Option<String>,
    pub value: Option<f64>,
    pub text: Option<String>,
    pub note: Option<String>,
    pub device_id: Uuid,
    pub created_at: String,
    pub updated_at: String,
}

/// One photo attached to a requirement, with what is known of its original file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhotoRecord {
    pub id: Uuid,
    pub requirement_id: Uuid,
    pub code: String,
    /// The original's SHA-256: its file travels as `photos/<sha256>` in a bundle.
    pub sha256: String,
    /// `jpeg`, `png` or `webp`.
    pub format: String,
    /// The original's size in bytes and pixels (after EXIF orientation).
    pub bytes: i64,
    pub width: u32,
    pub height: u32,
    pub file_name: String,
    pub caption: String,
    pub device_id: Uuid,
    pub created_at: String,
    pub updated_at: String,
}

/// One corrective action of a finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionRecord {
    pub id: Uuid,
    pub requirement_id: Uuid,
    pub code: String,
    pub what: String,
    pub owner: String,
    /// `YYYY-MM-DD`.
    pub due: String,
    pub device_id: Uuid,
    pub created_at: String,
    pub updated_at: String,
}

/// A completed or signed audit with everything it holds, and the score the store computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub id: Uuid,
    pub store: StoreRecord,
    pub standard_id: Uuid,
    /// `YYYY-MM-DD`.
    pub shift_date: String,
    pub shift: ShiftPart,
    pub auditor: String,
    pub observed: Option<String>,
    pub status: AuditStatus,
    pub revision_of: Option<Uuid>,
    pub revision_reason: Option<String>,
    pub device_id: Uuid,
    pub created_at: String,
    pub updated_at: String,
    pub completed_at: Option<String>,
    /// Percentage rounded to one decimal, as PRODUCT.md §5; `None` with nothing to count.
    pub score: Option<f64>,
    /// A band name, `failed_hard`, or `None`.
    pub rating: Option<String>,
    /// Codes of failed hard requirements.
    pub hard_failures: Vec<String>,
    /// In the standard's order.
    pub answers: Vec<AnswerRecord>,
    pub photos: Vec<PhotoRecord>,
    pub actions: Vec<ActionRecord>,
}

/// A signed report's row: who signed, when, with which certificate, and the PDF's hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportRecord {
    pub id: Uuid,
    pub audit_id: Uuid,
    pub signer: String,
    pub signed_at: String,
    /// The signer's X.509 certificate, PEM.
    pub certificate: String,
    /// `en` or `ru`.
    pub lang: String,
    pub acknowledged_by: Option<String>,
    /// The signed PDF travels as `reports/<id>.pdf` in a bundle.
    pub pdf_sha256: String,
    pub pdf_bytes: i64,
    pub device_id: Uuid,
    pub created_at: String,
}

/// What a signed PDF carries as its embedded JSON file (`storecheck-audit.json`), under the
/// signature: enough for HQ to import the audit from the PDF alone (photo files aside).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignedAuditData {
    /// [`RECORD_FORMAT`] when written.
    pub format: u32,
    pub audit: AuditRecord,
    pub standard: StandardRecord,
    /// The report this data is signed in; `None` only in data read before it was signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<ReportStamp>,
}

/// What signing stamps on a report, known before the PDF is signed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportStamp {
    /// The report id printed in every footer.
    pub id: Uuid,
    pub signer: String,
    /// RFC 3339 UTC, whole seconds: the signature's own time. The audit's last change becomes
    /// this instant when it is signed.
    pub signed_at: String,
    /// `en` or `ru`.
    pub lang: String,
    pub acknowledged_by: Option<String>,
}

/// The name of the JSON file a signed PDF embeds.
pub const SIGNED_DATA_FILE: &str = "storecheck-audit.json";

/// A signing time as the audit's last change is stored (RFC 3339 UTC with milliseconds);
/// `None` when it is not a time.
pub fn as_stored_time(rfc3339: &str) -> Option<String> {
    chrono::DateTime::parse_from_rfc3339(rfc3339).ok().map(|t| {
        t.with_timezone(&chrono::Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    })
}

impl AuditRecord {
    /// The first field in which `self` and `signed` (the data inside the audit's signed PDF)
    /// differ, or `None` when they hold the same audit. The audit's status and last change
    /// are left out: the PDF's data was taken the moment before the audit became signed.
    pub fn signed_difference(&self, signed: &AuditRecord) -> Option<&'static str> {
        macro_rules! differ {
            ($($field:ident),*) => {
                $(if self.$field != signed.$field { return Some(stringify!($field)); })*
            };
        }
        differ!(
            id,
            store,
            standard_id,
            shift_date,
            shift,
            auditor,
            observed,
            revision_of,
            revision_reason,
            device_id,
            created_at,
            completed_at,
            score,
            rating,
            hard_failures,
            answers,
            photos,
            actions
        );
        None
    }
}

impl Db {
    /// The audit `id` as a record, with the score its answers give now.
    ///
    /// Errors: [`Error::NotFound`] for an unknown audit.
    pub fn audit_record(&self, id: Uuid) -> Result<AuditRecord> {
        let view = self.load_audit(id)?;
        let h = &view.header;
        let device_id: String = self.conn.query_row(
            "SELECT device_id FROM audit WHERE id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )?;
        Ok(AuditRecord {
            id,
            store: StoreRecord {
                code: h.store.code.clone(),
                name: h.store.name.clone(),
                region: h.store.region.clone(),
            },
            standard_id: h.standard_id,
            shift_date: h.shift_date.clone(),
            shift: h.shift,
            auditor: h.auditor.clone(),
            observed: h.observed.clone(),
            status: h.status,
            revision_of: h.revision_of,
            revision_reason: h.revision_reason.clone(),
            device_id: parse_uuid(&device_id)?,
            created_at: h.created_at.clone(),
            updated_at: h.updated_at.clone(),
            completed_at: h.completed_at.clone(),
            score: view.score.score,
            rating: view.score.rating.clone(),
            hard_failures: view.score.hard_failures.clone(),
            answers: self.answer_records(id)?,
            photos: self.photo_records(id)?,
            actions: self.action_records(id)?,
        })
    }

    /// The standard version `id` as a record.
    ///
    /// Errors: [`Error::NotFound`] for an unknown standard.
    pub fn standard_record(&self, id: Uuid) -> Result<StandardRecord> {
        let s = self.load_standard(id)?;
        let content_sha256: String = self.conn.query_row(
            "SELECT content_sha256 FROM standard WHERE id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )?;
        Ok(StandardRecord {
            id,
            code: s.code,
            version: s.version,
            title: s.title,
            language: s.language,
            ratings: s.ratings,
            content_sha256,
            sections: s.sections,
        })
    }

    /// The signed report of audit `audit` as a record; `None` when it is not signed.
    pub fn report_record(&self, audit: Uuid) -> Result<Option<ReportRecord>> {
        let row = self
            .conn
            .query_row(
                "SELECT id, signer, signed_at, certificate, lang, acknowledged_by, pdf_sha256,
                        pdf_bytes, device_id, created_at
                 FROM report WHERE audit_id = ?1",
                [audit.to_string()],
                |r| {
                    Ok((
                        [
                            r.get::<_, String>(0)?,
                            r.get(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                        ],
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, String>(6)?,
                        r.get::<_, i64>(7)?,
                        [r.get::<_, String>(8)?, r.get(9)?],
                    ))
                },
            )
            .optional()?;
        row.map(|(head, acknowledged_by, pdf_sha256, pdf_bytes, tail)| {
            let [id, signer, signed_at, certificate, lang] = head;
            let [device_id, created_at] = tail;
            Ok(ReportRecord {
                id: parse_uuid(&id)?,
                audit_id: audit,
                signer,
                signed_at,
                certificate,
                lang,
                acknowledged_by,
                pdf_sha256,
                pdf_bytes,
                device_id: parse_uuid(&device_id)?,
                created_at,
            })
        })
        .transpose()
    }

    /// What the audit's signed PDF should embed: the audit and its standard.
    pub fn signed_audit_data(&self, id: Uuid) -> Result<SignedAuditData> {
        let audit = self.audit_record(id)?;
        let standard = self.standard_record(audit.standard_id)?;
        Ok(SignedAuditData {
            format: RECORD_FORMAT,
            audit,
            standard,
            report: None,
        })
    }

    fn answer_records(&self, id: Uuid) -> Result<Vec<AnswerRecord>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT an.id, an.requirement_id, r.code, an.response, an.value, an.text, an.note,
                    an.device_id, an.created_at, an.updated_at
             FROM answer an JOIN requirement r ON r.id = an.requirement_id
             WHERE an.audit_id = ?1 ORDER BY r.position",
        )?;
        let rows = stmt.query_map([id.to_string()], |r| {
            Ok((
                [r.get::<_, String>(0)?, r.get(1)?, r.get(2)?],
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<f64>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
                [r.get::<_, String>(7)?, r.get(8)?, r.get(9)?],
            ))
        })?;
        rows.map(|row| {
            let ([aid, rid, code], response, value, text, note, [device, created, updated]) = row?;
            Ok(AnswerRecord {
                id: parse_uuid(&aid)?,
                requirement_id: parse_uuid(&rid)?,
                code,
                response,
                value,
                text,
                note,
                device_id: parse_uuid(&device)?,
                created_at: created,
                updated_at: updated,
            })
        })
        .collect()
    }

    fn photo_records(&self, id: Uuid) -> Result<Vec<PhotoRecord>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.id, p.requirement_id, r.code, p.sha256, f.format, f.bytes, f.width, f.height,
                    p.file_name, p.caption, p.device_id, p.created_at, p.updated_at
             FROM photo p JOIN requirement r ON r.id = p.requirement_id
                          JOIN photo_file f ON f.sha256 = p.sha256
             WHERE p.audit_id = ?1 ORDER BY r.position, p.created_at, p.id",
        )?;
        let rows = stmt.query_map([id.to_string()], |r| {
            Ok((
                [
                    r.get::<_, String>(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                ],
                r.get::<_, i64>(5)?,
                r.get::<_, u32>(6)?,
                r.get::<_, u32>(7)?,
                [
                    r.get::<_, String>(8)?,
                    r.get(9)?,
                    r.get(10)?,
                    r.get(11)?,
                    r.get(12)?,
                ],
            ))
        })?;
        rows.map(|row| {
            let ([pid, rid, code, sha256, format], bytes, width, height, tail) = row?;
            let [file_name, caption, device, created_at, updated_at] = tail;
            Ok(PhotoRecord {
                id: parse_uuid(&pid)?,
                requirement_id: parse_uuid(&rid)?,
                code,
                sha256,
                format,
                bytes,
                width,
                height,
                file_name,
                caption,
                device_id: parse_uuid(&device)?,
                created_at,
                updated_at,
            })
        })
        .collect()
    }

    fn action_records(&self, id: Uuid) -> Result<Vec<ActionRecord>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT ca.id, ca.requirement_id, r.code, ca.what, ca.owner, ca.due,
                    ca.device_id, ca.created_at, ca.updated_at
             FROM corrective_action ca JOIN requirement r ON r.id = ca.requirement_id
             WHERE ca.audit_id = ?1 ORDER BY r.position, ca.created_at, ca.id",
        )?;
        let rows = stmt.query_map(params![id.to_string()], |r| {
            Ok([
                r.get::<_, String>(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
            ])
        })?;
        rows.map(|row| {
            let [
                cid,
                rid,
                code,
                what,
                owner,
                due,
                device,
                created_at,
                updated_at,
            ] = row?;
            Ok(ActionRecord {
                id: parse_uuid(&cid)?,
                requirement_id: parse_uuid(&rid)?,
                code,
                what,
                owner,
                due,
                device_id: parse_uuid(&device)?,
                created_at,
                updated_at,
            })
        })
        .collect()
    }
}

impl StandardRecord {
    /// A standard file's draft as every database derives it: its content's hash, and the ids
    /// [`crate::ids::standard_id`] and its kin give it under `version` (the draft's own when
    /// it has one).
    pub fn from_draft(draft: &crate::import::StandardDraft, version: &str) -> StandardRecord {
        use crate::ids::{requirement_id, section_id, standard_id};
        use crate::model::{Requirement, Section};
        let hash = draft.content_hash();
        let version = draft.version.clone().unwrap_or_else(|| version.to_string());
        let id = standard_id(&draft.code, &version, &hash);
        StandardRecord {
            id,
            code: draft.code.clone(),
            version,
            title: draft.title.clone(),
            language: draft.language.clone(),
            ratings: draft.ratings.clone(),
            content_sha256: hash,
            sections: draft
                .sections
                .iter()
                .zip(0u32..)
                .map(|(s, position)| Section {
                    id: section_id(id, position),
                    title: s.title.clone(),
                    requirements: s
                        .requirements
                        .iter()
                        .map(|r| Requirement {
                            id: requirement_id(id, &r.code),
                            code: r.code.clone(),
                            text: r.text.clone(),
                            guidance: r.guidance.clone(),
                            kind: r.kind,
                            weight: r.weight,
                            hard: r.hard,
                            photo: r.photo,
                            na_allowed: r.na_allowed,
                            min: r.min,
                            max: r.max,
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// The standard as an import would read it, to hash its content again.
    pub fn draft(&self) -> crate::import::StandardDraft {
        use crate::import::{RequirementDraft, SectionDraft, StandardDraft};
        StandardDraft {
            code: self.code.clone(),
            title: self.title.clone(),
            version: Some(self.version.clone()),
            language: self.language.clone(),
            ratings: self.ratings.clone(),
            sections: self
                .sections
                .iter()
                .map(|s| SectionDraft {
                    title: s.title.clone(),
                    requirements: s
                        .requirements
                        .iter()
                        .map(|r| RequirementDraft {
                            code: r.code.clone(),
                            text: r.text.clone(),
                            guidance: r.guidance.clone(),
                            kind: r.kind,
                            weight: r.weight,
                            hard: r.hard,
                            photo: r.photo,
                            na_allowed: r.na_allowed,
                            min: r.min,
                            max: r.max,
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// Whether `content_sha256` is the hash of this content and every id is the one derived
    /// from it ([`crate::ids::standard_id`] and its kin), so that two copies under one id hold
    /// one standard.
    pub fn is_consistent(&self) -> bool {
        use crate::ids::{requirement_id, section_id, standard_id};
        self.draft().content_hash() == self.content_sha256
            && self.id == standard_id(&self.code, &self.version, &self.content_sha256)
            && self.sections.iter().zip(0u32..).all(|(s, position)| {
                s.id == section_id(self.id, position)
                    && s.requirements
                        .iter()
                        .all(|r| r.id == requirement_id(self.id, &r.code))
            })
    }
}
