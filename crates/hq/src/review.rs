//! One audit as a regional manager reviews it at HQ: its answers, notes, photos, corrective
//! actions, the revision chain and the signed report; and the review marks, which are HQ's own
//! rows and never touch the audit.

use crate::params;
use crate::sql::OptionalExtension;
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use crate::db::HqDb;
use crate::error::{HqError, Result};

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct HqAuditView {
    pub id: String,
    pub store: String,
    pub store_name: String,
    pub region: Option<String>,
    pub shift_date: String,
    pub shift: String,
    pub auditor: String,
    pub observed: Option<String>,
    /// `completed` or `signed`.
    pub status: String,
    pub score: Option<f64>,
    pub rating: Option<String>,
    pub hard_failures: Vec<String>,
    pub standard: String,
    pub version: String,
    pub standard_title: String,
    pub completed_at: Option<String>,
    /// The device (laptop) it came from.
    pub device: String,
    pub revision_of: Option<String>,
    pub revision_reason: Option<String>,
    /// Whether it counts in the figures (no revision HQ holds replaces it).
    pub current: bool,
    pub sections: Vec<HqSection>,
    pub actions: Vec<HqAction>,
    /// The whole chain this audit belongs to, oldest first (this one included).
    pub revisions: Vec<RevisionLink>,
    pub report: Option<HqReport>,
    /// For a signed audit: `matches` (its PDF carries this data) or `absent`.
    pub pdf_data: Option<String>,
    pub reviews: Vec<Review>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct HqSection {
    pub title: String,
    pub score: Option<f64>,
    pub answers: Vec<HqAnswer>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct HqAnswer {
    pub code: String,
    pub text: String,
    /// `check`, `scale`, `number` or `text`.
    pub kind: String,
    pub hard: bool,
    /// `pass`, `fail`, `na`, `value`, `text`, or `None` when not answered.
    pub response: Option<String>,
    pub value: Option<f64>,
    pub answer_text: Option<String>,
    pub note: Option<String>,
    /// 0–1 as §5 scores it; `None` when it does not count.
    pub score: Option<f64>,
    pub finding: bool,
    pub photos: Vec<HqPhoto>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct HqPhoto {
    pub sha256: String,
    pub format: String,
    pub caption: String,
    pub width: u32,
    pub height: u32,
    /// Whether HQ holds the file (an audit imported from its PDF alone has none yet).
    pub held: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct HqAction {
    pub id: String,
    pub code: String,
    pub what: String,
    pub owner: String,
    /// As set at the audit.
    pub due: String,
    /// As it stands now (moved by the store).
    pub due_now: String,
    pub done_at: Option<String>,
    /// `open`, `overdue` or `done`.
    pub state: String,
    /// What the store did about it since the audit was signed, oldest first.
    pub followups: Vec<storecheck_core::followup::Followup>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RevisionLink {
    pub id: String,
    pub status: String,
    pub score: Option<f64>,
    pub completed_at: Option<String>,
    pub revision_reason: Option<String>,
    pub current: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct HqReport {
    pub id: String,
    pub signer: String,
    pub signed_at: String,
    pub lang: String,
    pub acknowledged_by: Option<String>,
    pub pdf_bytes: u32,
    /// Whether HQ holds the PDF file.
    pub held: bool,
}

/// A regional manager's review mark.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Review {
    pub id: String,
    pub reviewer: String,
    pub comment: String,
    pub created_at: String,
}

impl HqDb {
    /// Audit `id` as HQ holds it, with overdue counted from `today`.
    pub fn audit_view(&self, id: &str, today: &str) -> Result<HqAuditView> {
        let c = &self.conn;
        let not_found = || HqError::NotFound {
            what: format!("audit {id}"),
        };
        let mut view = c
            .query_row(
                "SELECT a.id, a.store_code, s.name, s.region, a.shift_date, a.shift, a.auditor,
                        a.observed, a.status, a.score, a.rating, a.hard_failures, st.code,
                        st.version, st.title, a.completed_at, coalesce(d.name, a.device_id),
                        a.revision_of, a.revision_reason, a.current, a.pdf_data
                 FROM audit a JOIN store s ON s.code = a.store_code
                 JOIN standard st ON st.id = a.standard_id
                 LEFT JOIN device d ON d.id = a.device_id
                 WHERE a.id = ?1",
                [id],
                |r| {
                    let hard: String = r.get(11)?;
                    Ok(HqAuditView {
                        id: r.get(0)?,
                        store: r.get(1)?,
                        store_name: r.get(2)?,
                        region: r.get(3)?,
                        shift_date: r.get(4)?,
                        shift: r.get(5)?,
                        auditor: r.get(6)?,
                        observed: r.get(7)?,
                        status: r.get(8)?,
                        score: r.get(9)?,
                        rating: r.get(10)?,
                        hard_failures: serde_json::from_str(&hard).unwrap_or_default(),
                        standard: r.get(12)?,
                        version: r.get(13)?,
                        standard_title: r.get(14)?,
                        completed_at: r.get(15)?,
                        device: r.get(16)?,
                        revision_of: r.get(17)?,
                        revision_reason: r.get(18)?,
                        current: r.get(19)?,
                        pdf_data: r.get(20)?,
                        sections: Vec::new(),
                        actions: Vec::new(),
                        revisions: Vec::new(),
                        report: None,
                        reviews: Vec::new(),
                    })
                },
            )
            .optional()?
            .ok_or_else(not_found)?;

        // Every requirement of the standard, in order, with this audit's answer and photos.
        let mut photos: std::collections::HashMap<String, Vec<HqPhoto>> = Default::default();
        let mut stmt = c.prepare(
            "SELECT p.requirement_id, p.sha256, p.format, p.caption, p.width, p.height,
                    EXISTS (SELECT 1 FROM photo_file f WHERE f.sha256 = p.sha256)
             FROM photo p WHERE p.audit_id = ?1 ORDER BY p.created_at, p.id",
        )?;
        for row in stmt.query_map([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                HqPhoto {
                    sha256: r.get(1)?,
                    format: r.get(2)?,
                    caption: r.get(3)?,
                    width: r.get(4)?,
                    height: r.get(5)?,
                    held: r.get(6)?,
                },
            ))
        })? {
            let (rid, p) = row?;
            photos.entry(rid).or_default().push(p);
        }
        let mut stmt = c.prepare(
            "SELECT sc.id, sc.title, x.score, r.id, r.code, r.text, r.kind, r.hard,
                    an.response, an.value, an.text, an.note, an.score
             FROM audit a JOIN section sc ON sc.standard_id = a.standard_id
             JOIN requirement r ON r.section_id = sc.id
             LEFT JOIN audit_section x ON x.audit_id = a.id AND x.section_id = sc.id
             LEFT JOIN answer an ON an.audit_id = a.id AND an.requirement_id = r.id
             WHERE a.id = ?1
             ORDER BY sc.position, r.position",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<f64>>(2)?,
                r.get::<_, String>(3)?,
                HqAnswer {
                    code: r.get(4)?,
                    text: r.get(5)?,
                    kind: r.get(6)?,
                    hard: r.get(7)?,
                    response: r.get(8)?,
                    value: r.get(9)?,
                    answer_text: r.get(10)?,
                    note: r.get(11)?,
                    score: r.get(12)?,
                    finding: r
                        .get::<_, Option<f64>>(12)?
                        .is_some_and(|s| s < storecheck_core::scoring::FINDING_BELOW),
                    photos: Vec::new(),
                },
            ))
        })?;
        let mut last_section = String::new();
        for row in rows {
            let (sid, title, score, rid, mut answer) = row?;
            answer.photos = photos.remove(&rid).unwrap_or_default();
            if sid != last_section {
                view.sections.push(HqSection {
                    title,
                    score,
                    answers: Vec::new(),
                });
                last_section = sid;
            }
            if let Some(s) = view.sections.last_mut() {
                s.answers.push(answer);
            }
        }

        let mut stmt = c.prepare(
            "SELECT id, code, what, owner, due, due_now, done_at FROM corrective_action
             WHERE audit_id = ?1 ORDER BY due_now, code, id",
        )?;
        view.actions = stmt
            .query_map([id], |r| {
                let due_now: String = r.get(5)?;
                let done_at: Option<String> = r.get(6)?;
                Ok(HqAction {
                    id: r.get(0)?,
                    code: r.get(1)?,
                    what: r.get(2)?,
                    owner: r.get(3)?,
                    due: r.get(4)?,
                    state: if done_at.is_some() {
                        "done"
                    } else if due_now.as_str() < today {
                        "overdue"
                    } else {
                        "open"
                    }
                    .into(),
                    due_now,
                    done_at,
                    followups: Vec::new(),
                })
            })?
            .collect::<Result<_>>()?;
        let followups = self.followups(id)?;
        for a in &mut view.actions {
            a.followups = followups
                .iter()
                .filter(|f| f.action_id.to_string() == a.id)
                .cloned()
                .collect();
        }

        view.revisions = self.revision_chain(id)?;

        view.report = c
            .query_row(
                "SELECT id, signer, signed_at, lang, acknowledged_by, pdf_bytes FROM report
                 WHERE audit_id = ?1",
                [id],
                |r| {
                    Ok(HqReport {
                        id: r.get(0)?,
                        signer: r.get(1)?,
                        signed_at: r.get(2)?,
                        lang: r.get(3)?,
                        acknowledged_by: r.get(4)?,
                        pdf_bytes: u32::try_from(r.get::<_, i64>(5)?).unwrap_or(u32::MAX),
                        held: false,
                    })
                },
            )
            .optional()?;
        if let Some(report) = &mut view.report {
            report.held = Uuid::parse_str(&report.id)
                .ok()
                .map(|u| self.files.has(&self.conn, &crate::files::report_name(u)))
                .transpose()?
                .unwrap_or(false);
        }
        view.reviews = self.reviews(id)?;
        Ok(view)
    }

    /// The follow-ups HQ holds of audit `id`'s corrective actions, oldest first.
    fn followups(&self, id: &str) -> Result<Vec<storecheck_core::followup::Followup>> {
        use storecheck_core::followup::{COLUMNS, from_columns};
        let sql =
            format!("SELECT {COLUMNS} FROM followup WHERE audit_id = ?1 ORDER BY created_at, id");
        let rows = self.conn.prepare_cached(&sql)?.query_map([id], |r| {
            let mut cols: [Option<String>; 11] = Default::default();
            for (i, slot) in cols.iter_mut().enumerate() {
                *slot = r.get(i)?;
            }
            Ok(cols)
        })?;
        rows.map(|cols| from_columns(cols?).map_err(|e| HqError::Corrupt(e.to_string())))
            .collect()
    }

    /// The chain of revisions audit `id` belongs to, oldest first.
    fn revision_chain(&self, id: &str) -> Result<Vec<RevisionLink>> {
        // Walk back to the first, then forward through every revision HQ holds.
        let mut first = id.to_string();
        for _ in 0..1000 {
            let back: Option<String> = self
                .conn
                .query_row(
                    "SELECT revision_of FROM audit WHERE id = ?1",
                    [&first],
                    |r| r.get(0),
                )
                .optional()?
                .flatten();
            match back {
                Some(b)
                    if self
                        .conn
                        .query_row("SELECT 1 FROM audit WHERE id = ?1", [&b], |_| Ok(()))
                        .optional()?
                        .is_some() =>
                {
                    first = b
                }
                _ => break,
            }
        }
        let mut chain = Vec::new();
        let mut next = Some(first);
        while let Some(at) = next.take() {
            if chain.len() >= 1000 {
                break;
            }
            let link = self.conn.query_row(
                "SELECT id, status, score, completed_at, revision_reason, current FROM audit WHERE id = ?1",
                [&at],
                |r| {
                    Ok(RevisionLink {
                        id: r.get(0)?,
                        status: r.get(1)?,
                        score: r.get(2)?,
                        completed_at: r.get(3)?,
                        revision_reason: r.get(4)?,
                        current: r.get(5)?,
                    })
                },
            )?;
            chain.push(link);
            next = self
                .conn
                .query_row(
                    "SELECT id FROM audit WHERE revision_of = ?1 ORDER BY created_at, id LIMIT 1",
                    [&at],
                    |r| r.get(0),
                )
                .optional()?;
        }
        Ok(chain)
    }

    /// The review marks of audit `id`, oldest first.
    pub fn reviews(&self, id: &str) -> Result<Vec<Review>> {
        self.conn
            .prepare(
                "SELECT id, reviewer, comment, created_at FROM review WHERE audit_id = ?1
                 ORDER BY created_at, id",
            )?
            .query_map([id], |r| {
                Ok(Review {
                    id: r.get(0)?,
                    reviewer: r.get(1)?,
                    comment: r.get(2)?,
                    created_at: r.get(3)?,
                })
            })?
            .collect::<Result<_>>()
    }

    /// Marks audit `id` reviewed by `reviewer` with `comment` (HQ's own row; the audit is not
    /// touched). A reviewer's name is required.
    pub fn add_review(&mut self, id: &str, reviewer: &str, comment: &str) -> Result<Review> {
        let reviewer = reviewer.trim();
        if reviewer.is_empty() {
            return Err(HqError::Missing {
                what: "reviewer".into(),
            });
        }
        let held = self
            .conn
            .query_row("SELECT 1 FROM audit WHERE id = ?1", [id], |_| Ok(()))
            .optional()?
            .is_some();
        if !held {
            return Err(HqError::NotFound {
                what: format!("audit {id}"),
            });
        }
        let review = Review {
            id: self.ids.next().to_string(),
            reviewer: reviewer.to_string(),
            comment: comment.trim().to_string(),
            created_at: self.now(),
        };
        self.conn.execute(
            "INSERT INTO review (id, audit_id, reviewer, comment, device_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                review.id,
                id,
                review.reviewer,
                review.comment,
                self.device,
                review.created_at
            ],
        )?;
        Ok(review)
    }
}
