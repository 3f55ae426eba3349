//! What HQ holds: the audits, the bundles missing from each device's sequence, the import log,
//! and a canonical dump of every row for tests that compare two HQ databases.

use std::fmt::Write as _;

use crate::sql::{Conn, OptionalExtension, ValueRef};
use serde::Serialize;
use storecheck_core::model::{AuditStatus, ShiftPart};
use storecheck_core::record::{ActionRecord, AnswerRecord, AuditRecord, PhotoRecord, StoreRecord};
use uuid::Uuid;

use crate::db::HqDb;
use crate::error::{HqError, Result};

/// An audit as `hq audits` lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HqAudit {
    pub id: Uuid,
    /// The store's code.
    pub store: String,
    pub store_name: String,
    pub region: Option<String>,
    /// `completed` or `signed`.
    pub status: String,
    pub score: Option<f64>,
    pub rating: Option<String>,
    pub hard_failures: Vec<String>,
    /// The standard's code and version.
    pub standard: String,
    pub version: String,
    pub shift_date: String,
    pub shift: String,
    pub auditor: String,
    pub revision_of: Option<Uuid>,
    /// For a signed audit: `matches` (its PDF carries this data) or `absent` (signed before
    /// reports carried data).
    pub pdf_data: Option<String>,
}

/// Bundles a device numbered but HQ never received.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Gap {
    pub device: Uuid,
    pub device_name: String,
    /// The sequence numbers missing below the highest received.
    #[ts(type = "number[]")]
    pub missing: Vec<u64>,
    /// The highest sequence number received.
    #[ts(type = "number")]
    pub last: u64,
}

/// One line of the import log.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ImportLine {
    pub file: String,
    pub kind: String,
    /// The device's id.
    pub device: Option<String>,
    /// Its name, as HQ knows it from a bundle taken or refused.
    pub device_name: Option<String>,
    #[ts(type = "number | null")]
    pub sequence: Option<i64>,
    pub imported_at: String,
    #[ts(type = "number")]
    pub added: i64,
    #[ts(type = "number")]
    pub already_present: i64,
    /// `[{what, reason}]`, reasons in the language asked for.
    #[ts(type = "Array<{ what: string, reason: string }>")]
    pub refused: serde_json::Value,
}

/// A logged refusal list with each reason in `lang`: the log keeps English as `reason` and
/// Russian as `ru` (lines logged before it kept both have the importer's language only).
fn in_lang(logged: serde_json::Value, lang: storecheck_core::Lang) -> serde_json::Value {
    let serde_json::Value::Array(items) = logged else {
        return serde_json::Value::Array(Vec::new());
    };
    items
        .into_iter()
        .map(|item| {
            let reason = match (lang, item.get("ru")) {
                (storecheck_core::Lang::Ru, Some(ru)) => ru.clone(),
                _ => item.get("reason").cloned().unwrap_or_default(),
            };
            serde_json::json!({"what": item.get("what").cloned().unwrap_or_default(), "reason": reason})
        })
        .collect()
}

fn uuid(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| HqError::Corrupt(format!("{s}: {e}")))
}

impl HqDb {
    /// The audits HQ holds, newest shift first; only the store `store` (by code) when given.
    pub fn audits(&self, store: Option<&str>) -> Result<Vec<HqAudit>> {
        let mut stmt = self.conn.prepare(
            "SELECT a.id, a.store_code, s.name, s.region, a.status, a.score, a.rating, a.hard_failures,
                    st.code, st.version, a.shift_date, a.shift, a.auditor, a.revision_of, a.pdf_data
             FROM audit a JOIN store s ON s.code = a.store_code JOIN standard st ON st.id = a.standard_id
             WHERE CAST(?1 AS TEXT) IS NULL OR a.store_code = ?1
             ORDER BY a.shift_date DESC, a.store_code, a.created_at, a.id",
        )?;
        let rows = stmt.query_map([store], |r| {
            Ok((
                r.get::<_, String>(0)?,
                [r.get::<_, String>(1)?, r.get(2)?],
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<f64>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, String>(7)?,
                [
                    r.get::<_, String>(8)?,
                    r.get(9)?,
                    r.get(10)?,
                    r.get(11)?,
                    r.get(12)?,
                ],
                r.get::<_, Option<String>>(13)?,
                r.get::<_, Option<String>>(14)?,
            ))
        })?;
        rows.map(|row| {
            let (
                id,
                [code, name],
                region,
                status,
                score,
                rating,
                hard,
                head,
                revision_of,
                pdf_data,
            ) = row?;
            let [standard, version, shift_date, shift, auditor] = head;
            Ok(HqAudit {
                id: uuid(&id)?,
                store: code,
                store_name: name,
                region,
                status,
                score,
                rating,
                hard_failures: serde_json::from_str(&hard)
                    .map_err(|e| HqError::Corrupt(e.to_string()))?,
                standard,
                version,
                shift_date,
                shift,
                auditor,
                revision_of: revision_of.as_deref().map(uuid).transpose()?,
                pdf_data,
            })
        })
        .collect()
    }

    /// For every device HQ has bundles from, the numbers it has not received below the highest
    /// it has; devices with none missing are left out.
    pub fn gaps(&self) -> Result<Vec<Gap>> {
        let mut stmt = self.conn.prepare(
            "SELECT d.id, d.name, b.sequence FROM bundle b JOIN device d ON d.id = b.device_id
             ORDER BY d.id, b.sequence",
        )?;
        let rows = stmt.query_map((), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        let mut out: Vec<Gap> = Vec::new();
        let mut seen: Vec<u64> = Vec::new();
        let finish = |gap: Option<Gap>, seen: &mut Vec<u64>, out: &mut Vec<Gap>| {
            if let Some(mut g) = gap {
                g.last = seen.last().copied().unwrap_or(0);
                g.missing = (1..g.last)
                    .filter(|n| seen.binary_search(n).is_err())
                    .collect();
                if !g.missing.is_empty() {
                    out.push(g);
                }
            }
            seen.clear();
        };
        let mut current: Option<Gap> = None;
        for row in rows {
            let (device, name, sequence) = row?;
            let device = uuid(&device)?;
            if current.as_ref().is_none_or(|g| g.device != device) {
                finish(current.take(), &mut seen, &mut out);
                current = Some(Gap {
                    device,
                    device_name: name,
                    missing: Vec::new(),
                    last: 0,
                });
            }
            if seen.last() != Some(&(sequence as u64)) {
                seen.push(sequence as u64);
            }
        }
        finish(current, &mut seen, &mut out);
        Ok(out)
    }

    /// The import log, newest first, at most `limit` lines.
    pub fn imports(&self, limit: usize, lang: storecheck_core::Lang) -> Result<Vec<ImportLine>> {
        let mut stmt = self.conn.prepare(
            "SELECT i.file, i.kind, i.device_id, i.sequence, i.imported_at, i.added,
                 i.already_present, i.refused,
                 coalesce(
                     (SELECT d.name FROM device d WHERE d.id = i.device_id),
                     (SELECT w.name FROM device_waiting w WHERE w.device_id = i.device_id
                      ORDER BY w.last_at DESC LIMIT 1))
             FROM import i ORDER BY i.imported_at DESC, i.id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok(ImportLine {
                file: r.get(0)?,
                kind: r.get(1)?,
                device: r.get(2)?,
                device_name: r.get(8)?,
                sequence: r.get(3)?,
                imported_at: r.get(4)?,
                added: r.get(5)?,
                already_present: r.get(6)?,
                refused: in_lang(
                    serde_json::from_str(&r.get::<_, String>(7)?)
                        .unwrap_or(serde_json::Value::Null),
                    lang,
                ),
            })
        })?;
        rows.collect::<Result<_>>()
    }

    /// Every row of every table but the import log, in a fixed order, as text: two HQ databases
    /// hold the same data exactly when their dumps are equal.
    pub fn dump(&self) -> Result<String> {
        dump(&self.conn)
    }

    /// The audit `id` as HQ holds it, as a record.
    pub fn audit_record(&self, id: Uuid) -> Result<Option<AuditRecord>> {
        audit_record(&self.conn, id)
    }
}

/// The tables a dump covers, each with the columns that order its rows.
const DUMPED: &[(&str, &str)] = &[
    ("device", "id"),
    ("bundle", "manifest_sha256"),
    ("store", "code"),
    ("standard", "id"),
    ("section", "id"),
    ("requirement", "id"),
    ("audit", "id"),
    ("answer", "id"),
    ("photo", "id"),
    ("photo_file", "sha256"),
    ("corrective_action", "id"),
    ("report", "id"),
    ("followup", "id"),
    ("audit_section", "audit_id, section_id"),
    ("roll_audit", "day, region, standard_id"),
    ("roll_section", "day, region, section_id"),
    ("roll_requirement", "day, region, requirement_id"),
    ("roll_section_week", "week_start, region, section_id"),
    (
        "roll_requirement_week",
        "week_start, region, requirement_id",
    ),
    ("roll_store_week", "week_start, store_code, standard_id"),
    (
        "roll_store_section_week",
        "store_code, week_start, section_id",
    ),
    ("roll_touched", "day, region"),
];

pub(crate) fn dump(conn: &Conn) -> Result<String> {
    let mut out = String::new();
    for (table, order) in DUMPED {
        let _ = writeln!(out, "## {table}");
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table} ORDER BY {order}"))?;
        let names = stmt.column_names();
        let columns = names.len();
        // When HQ took a copy is HQ's own clock, not what the stores sent.
        let kept: Vec<usize> = (0..columns)
            .filter(|&i| names[i] != "imported_at")
            .collect();
        let mut rows = stmt.query(())?;
        while let Some(row) = rows.next()? {
            let mut line = Vec::with_capacity(columns);
            for &i in &kept {
                line.push(match row.get_ref(i)? {
                    ValueRef::Null => "∅".to_string(),
                    ValueRef::Integer(v) => v.to_string(),
                    // Sums kept in rollups may differ in the last bits with the order rows were
                    // added; six decimals are far below any figure shown.
                    ValueRef::Real(v) => format!("{v:.6}"),
                    ValueRef::Text(t) => format!("{t:?}"),
                    ValueRef::Blob(b) => format!("blob:{}", b.len()),
                });
            }
            let _ = writeln!(out, "{}", line.join(" | "));
        }
    }
    Ok(out)
}

/// Rebuilds an audit's record from HQ's rows, as its store sent it.
pub(crate) fn audit_record(conn: &Conn, id: Uuid) -> Result<Option<AuditRecord>> {
    let key = id.to_string();
    let head = conn
        .query_row(
            "SELECT store_code, store_name, store_region, standard_id, shift_date, shift, auditor,
                    observed, status, revision_of, revision_reason, device_id, created_at,
                    updated_at, completed_at, score, rating, hard_failures
             FROM audit WHERE id = ?1",
            [&key],
            |r| {
                Ok((
                    [r.get::<_, String>(0)?, r.get(1)?],
                    r.get::<_, Option<String>>(2)?,
                    [r.get::<_, String>(3)?, r.get(4)?, r.get(5)?, r.get(6)?],
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, String>(8)?,
                    r.get::<_, Option<String>>(9)?,
                    r.get::<_, Option<String>>(10)?,
                    [r.get::<_, String>(11)?, r.get(12)?, r.get(13)?],
                    r.get::<_, Option<String>>(14)?,
                    r.get::<_, Option<f64>>(15)?,
                    r.get::<_, Option<String>>(16)?,
                    r.get::<_, String>(17)?,
                ))
            },
        )
        .optional()?;
    let Some((
        [code, name],
        region,
        [standard_id, shift_date, shift, auditor],
        observed,
        status,
        revision_of,
        revision_reason,
        [device_id, created_at, updated_at],
        completed_at,
        score,
        rating,
        hard,
    )) = head
    else {
        return Ok(None);
    };
    let corrupt = |what: &str| HqError::Corrupt(format!("audit {id}: {what}"));
    let mut answers = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT an.id, an.requirement_id, an.code, an.response, an.value, an.text, an.note,
                an.device_id, an.created_at, an.updated_at
         FROM answer an JOIN requirement r ON r.id = an.requirement_id
         WHERE an.audit_id = ?1 ORDER BY r.position",
    )?;
    let mut rows = stmt.query([&key])?;
    while let Some(r) = rows.next()? {
        answers.push(AnswerRecord {
            id: uuid(&r.get::<_, String>(0)?)?,
            requirement_id: uuid(&r.get::<_, String>(1)?)?,
            code: r.get(2)?,
            response: r.get(3)?,
            value: r.get(4)?,
            text: r.get(5)?,
            note: r.get(6)?,
            device_id: uuid(&r.get::<_, String>(7)?)?,
            created_at: r.get(8)?,
            updated_at: r.get(9)?,
        });
    }
    let mut photos = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.requirement_id, p.code, p.sha256, p.format, p.bytes, p.width, p.height,
                p.file_name, p.caption, p.device_id, p.created_at, p.updated_at
         FROM photo p JOIN requirement r ON r.id = p.requirement_id
         WHERE p.audit_id = ?1 ORDER BY r.position, p.created_at, p.id",
    )?;
    let mut rows = stmt.query([&key])?;
    while let Some(r) = rows.next()? {
        photos.push(PhotoRecord {
            id: uuid(&r.get::<_, String>(0)?)?,
            requirement_id: uuid(&r.get::<_, String>(1)?)?,
            code: r.get(2)?,
            sha256: r.get(3)?,
            format: r.get(4)?,
            bytes: r.get(5)?,
            width: r.get(6)?,
            height: r.get(7)?,
            file_name: r.get(8)?,
            caption: r.get(9)?,
            device_id: uuid(&r.get::<_, String>(10)?)?,
            created_at: r.get(11)?,
            updated_at: r.get(12)?,
        });
    }
    let mut actions = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT ca.id, ca.requirement_id, ca.code, ca.what, ca.owner, ca.due, ca.device_id,
                ca.created_at, ca.updated_at
         FROM corrective_action ca JOIN requirement r ON r.id = ca.requirement_id
         WHERE ca.audit_id = ?1 ORDER BY r.position, ca.created_at, ca.id",
    )?;
    let mut rows = stmt.query([&key])?;
    while let Some(r) = rows.next()? {
        actions.push(ActionRecord {
            id: uuid(&r.get::<_, String>(0)?)?,
            requirement_id: uuid(&r.get::<_, String>(1)?)?,
            code: r.get(2)?,
            what: r.get(3)?,
            owner: r.get(4)?,
            due: r.get(5)?,
            device_id: uuid(&r.get::<_, String>(6)?)?,
            created_at: r.get(7)?,
            updated_at: r.get(8)?,
        });
    }
    Ok(Some(AuditRecord {
        id,
        store: StoreRecord { code, name, region },
        standard_id: uuid(&standard_id)?,
        shift_date,
        shift: ShiftPart::parse(&shift).ok_or_else(|| corrupt("shift"))?,
        auditor,
        observed,
        status: AuditStatus::parse(&status).ok_or_else(|| corrupt("status"))?,
        revision_of: revision_of.as_deref().map(uuid).transpose()?,
        revision_reason,
        device_id: uuid(&device_id)?,
        created_at,
        updated_at,
        completed_at,
        score,
        rating,
        hard_failures: serde_json::from_str(&hard).map_err(|_| corrupt("hard failures"))?,
        answers,
        photos,
        actions,
    }))
}
