//! Standards in the database: publishing an imported file as a new immutable version, listing
//! versions, and loading one whole.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use crate::db::Db;
use crate::error::{Conflict, Error, Invalid, Result};
use crate::ids;
use crate::import::StandardDraft;
use crate::model::{Kind, PhotoRule, RatingBand, Requirement, Section, Standard, StandardInfo};

/// What importing a standard did.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ImportOutcome {
    pub standard: StandardInfo,
    /// False when an identical version was already there and nothing changed.
    pub created: bool,
}

impl Db {
    /// Publishes a parsed standard as a new version.
    ///
    /// Its ids, and its sections' and requirements', are derived from its code, version and
    /// content ([`ids::standard_id`]), the same in every database.
    ///
    /// A missing version becomes the next number for the code. An identical version already
    /// present changes nothing (`created: false`); a different content under an existing code
    /// and version is refused with [`Error::Conflict`].
    pub fn publish_standard(&mut self, draft: &StandardDraft) -> Result<ImportOutcome> {
        let code = draft.code.clone();
        let hash = draft.content_hash();
        let explicit_version = draft.version.clone();
        let outcome = self.write(|tx| {
            if let Some(version) = &explicit_version {
                let existing: Option<(String, String)> = tx
                    .query_row(
                        "SELECT id, content_sha256 FROM standard WHERE code = ?1 AND version = ?2",
                        params![code, version],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                if let Some((existing_id, existing_hash)) = existing {
                    if existing_hash == hash {
                        return Ok((existing_id, false));
                    }
                    return Err(Conflict::VersionExists {
                        code: code.clone(),
                        version: version.clone(),
                    }
                    .into());
                }
            } else {
                // Without a version, a file identical to the latest version is that version.
                let latest: Option<(String, String)> = tx
                    .query_row(
                        "SELECT id, content_sha256 FROM standard WHERE code = ?1
                         ORDER BY created_at DESC, rowid DESC LIMIT 1",
                        params![code],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                if let Some((existing_id, existing_hash)) = latest
                    && existing_hash == hash
                {
                    return Ok((existing_id, false));
                }
            }
            let version = match &explicit_version {
                Some(v) => v.clone(),
                None => next_version(tx, &code)?,
            };
            // Derived from the content, so that every laptop and HQ agree on them (ids.rs).
            let id = ids::standard_id(&code, &version, &hash);
            let ratings = serde_json::to_string(&draft.ratings).map_err(|e| {
                Error::from(Invalid::Ratings {
                    detail: e.to_string(),
                })
            })?;
            tx.execute(
                "INSERT INTO standard (id, code, version, title, language, ratings, content_sha256, device_id, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![id.to_string(), code, version, draft.title, draft.language, ratings, hash, tx.device.to_string(), tx.now],
            )?;
            let mut ins_sec = tx.prepare(
                "INSERT INTO section (id, standard_id, position, title) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut ins_req = tx.prepare(
                "INSERT INTO requirement (id, standard_id, section_id, position, code, text, guidance, kind, weight, hard, photo, na_allowed, min, max)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )?;
            let mut position = 0;
            for (section, s_pos) in draft.sections.iter().zip(0..) {
                let section_id = ids::section_id(id, s_pos);
                ins_sec.execute(params![section_id.to_string(), id.to_string(), s_pos, section.title])?;
                for req in &section.requirements {
                    position += 1;
                    ins_req.execute(params![
                        ids::requirement_id(id, &req.code).to_string(),
                        id.to_string(),
                        section_id.to_string(),
                        position,
                        req.code,
                        req.text,
                        req.guidance,
                        req.kind.as_str(),
                        req.weight,
                        req.hard,
                        req.photo.as_str(),
                        req.na_allowed,
                        req.min,
                        req.max
                    ])?;
                }
            }
            Ok((id.to_string(), true))
        })?;
        let info = self.standard_info(&outcome.0)?;
        Ok(ImportOutcome {
            standard: info,
            created: outcome.1,
        })
    }

    /// Every version of every standard, by code then newest version first.
    pub fn list_standards(&self) -> Result<Vec<StandardInfo>> {
        let mut stmt = self.conn.prepare(&format!(
            "{INFO_SELECT} ORDER BY s.code, s.created_at DESC, s.rowid DESC"
        ))?;
        let rows = stmt.query_map([], info_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn standard_info(&self, id: &str) -> Result<StandardInfo> {
        Ok(self
            .conn
            .query_row(&format!("{INFO_SELECT} WHERE s.id = ?1"), [id], info_row)?)
    }

    /// Finds a standard by `CODE` (the latest version) or `CODE@VERSION`.
    pub fn find_standard(&self, spec: &str) -> Result<Uuid> {
        let (code, version) = match spec.split_once('@') {
            Some((c, v)) => (c.trim(), Some(v.trim())),
            None => (spec.trim(), None),
        };
        let id: Option<String> = match version {
            Some(v) => self
                .conn
                .query_row(
                    "SELECT id FROM standard WHERE code = ?1 AND version = ?2",
                    params![code, v],
                    |r| r.get(0),
                )
                .optional()?,
            None => self
                .conn
                .query_row(
                    "SELECT id FROM standard WHERE code = ?1 ORDER BY created_at DESC, rowid DESC LIMIT 1",
                    params![code],
                    |r| r.get(0),
                )
                .optional()?,
        };
        id.map(|id| parse_uuid(&id))
            .transpose()?
            .ok_or_else(|| Error::NotFound {
                what: crate::error::Entity::Standard,
                key: spec.to_string(),
            })
    }

    /// The most recently published standard, if any.
    pub fn latest_standard(&self) -> Result<Option<Uuid>> {
        let id: Option<String> = self
            .conn
            .query_row(
                "SELECT id FROM standard ORDER BY created_at DESC, rowid DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        id.map(|id| parse_uuid(&id)).transpose()
    }

    /// Loads a whole standard: sections and requirements in order.
    pub fn load_standard(&self, id: Uuid) -> Result<Standard> {
        let head = self
            .conn
            .query_row(
                "SELECT code, version, title, language, ratings, created_at FROM standard WHERE id = ?1",
                [id.to_string()],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                    ))
                },
            )
            .optional()?
            .ok_or_else(|| Error::NotFound {
                what: crate::error::Entity::Standard,
                key: id.to_string(),
            })?;
        let ratings: Vec<RatingBand> = serde_json::from_str(&head.4)
            .map_err(|e| Error::Corrupt(format!("ratings of standard {id}: {e}")))?;
        let mut sections: Vec<Section> = Vec::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, title FROM section WHERE standard_id = ?1 ORDER BY position",
        )?;
        for row in stmt.query_map([id.to_string()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })? {
            let (sid, title) = row?;
            sections.push(Section {
                id: parse_uuid(&sid)?,
                title,
                requirements: Vec::new(),
            });
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, section_id, code, text, guidance, kind, weight, hard, photo, na_allowed, min, max
             FROM requirement WHERE standard_id = ?1 ORDER BY position",
        )?;
        let rows = stmt.query_map([id.to_string()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, f64>(6)?,
                r.get::<_, bool>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, bool>(9)?,
                r.get::<_, Option<f64>>(10)?,
                r.get::<_, Option<f64>>(11)?,
            ))
        })?;
        for row in rows {
            let (rid, sid, code, text, guidance, kind, weight, hard, photo, na_allowed, min, max) =
                row?;
            let section_id = parse_uuid(&sid)?;
            let req = Requirement {
                id: parse_uuid(&rid)?,
                kind: Kind::parse(&kind).ok_or_else(|| Error::Corrupt(format!("kind {kind}")))?,
                photo: PhotoRule::parse(&photo)
                    .ok_or_else(|| Error::Corrupt(format!("photo rule {photo}")))?,
                code,
                text,
                guidance,
                weight,
                hard,
                na_allowed,
                min,
                max,
            };
            sections
                .iter_mut()
                .find(|s| s.id == section_id)
                .ok_or_else(|| Error::Corrupt(format!("requirement {} has no section", req.code)))?
                .requirements
                .push(req);
        }
        Ok(Standard {
            id,
            code: head.0,
            version: head.1,
            title: head.2,
            language: head.3,
            ratings,
            sections,
            created_at: head.5,
        })
    }
}

const INFO_SELECT: &str = "SELECT s.id, s.code, s.version, s.title, s.language, s.created_at,
    (SELECT count(*) FROM section WHERE standard_id = s.id),
    (SELECT count(*) FROM requirement WHERE standard_id = s.id)
    FROM standard s";

fn info_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StandardInfo> {
    let id: String = r.get(0)?;
    Ok(StandardInfo {
        id: Uuid::parse_str(&id).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })?,
        code: r.get(1)?,
        version: r.get(2)?,
        title: r.get(3)?,
        language: r.get(4)?,
        created_at: r.get(5)?,
        sections: r.get(6)?,
        requirements: r.get(7)?,
    })
}

fn next_version(tx: &rusqlite::Connection, code: &str) -> Result<String> {
    let mut stmt = tx.prepare("SELECT version FROM standard WHERE code = ?1")?;
    let max = stmt
        .query_map([code], |r| r.get::<_, String>(0))?
        .filter_map(|v| v.ok()?.trim().parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    Ok((max + 1).to_string())
}

pub(crate) fn parse_uuid(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| Error::Corrupt(format!("id {s:?}: {e}")))
}
