//! Audits (observation forms): starting one for a shift, saving answers and notes the moment
//! they are given, corrective actions, completing and reopening.
//!
//! Every write is one SQLite transaction committed with `synchronous = FULL`: when a function
//! here returns `Ok`, what it saved survives a crash or a killed process.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::db::Db;
use crate::error::{
    Error, ImportProblem, InputField, Invalid, Location, Missing, MissingWhat, Problem, Result,
};
use crate::model::{
    Answer, AuditHeader, AuditStatus, CorrectiveAction, Photo, PhotoRule, Response, ShiftPart,
    Standard, Store,
};
use crate::scoring::{self, Given, ScoreCard};
use crate::standard::parse_uuid;

/// What starting an audit needs.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct NewAudit {
    pub store_code: String,
    /// `YYYY-MM-DD`.
    pub shift_date: String,
    pub shift: ShiftPart,
    pub auditor: String,
    pub observed: Option<String>,
    /// `CODE` or `CODE@VERSION`; `None`: the latest published standard.
    pub standard: Option<String>,
}

/// An audit with everything a form or a report shows.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AuditView {
    pub header: AuditHeader,
    pub standard: Standard,
    pub answers: Vec<Answer>,
    pub actions: Vec<CorrectiveAction>,
    pub photos: Vec<Photo>,
    /// The signed report, once the audit is signed.
    pub report: Option<crate::signing::SignedReport>,
    /// The revision that corrects this signed audit, when one was started.
    pub revised_by: Option<Uuid>,
    pub score: ScoreCard,
    /// What still stands between this audit and completion.
    pub missing: Vec<Missing>,
}

/// A line of the audits list.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AuditSummary {
    pub id: Uuid,
    pub store_code: String,
    pub store_name: String,
    pub shift_date: String,
    pub shift: ShiftPart,
    pub auditor: String,
    pub standard_code: String,
    pub standard_version: String,
    pub status: AuditStatus,
    pub score: Option<f64>,
    pub rating: Option<String>,
    pub answered: u32,
    pub total: u32,
    pub updated_at: String,
    /// When a bundle to HQ last carried this audit, in any state.
    pub last_sent: Option<String>,
    /// Completed or signed, and no bundle has carried it as it is now.
    pub to_send: bool,
}

/// What an answer changes: `response` and `note` are each left as they were when `None`;
/// an empty note clears it.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(export)]
pub struct AnswerInput {
    pub response: Option<Response>,
    pub note: Option<String>,
}

/// What saving an answer returns: the answer as stored and the audit's new score.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AnswerSaved {
    pub answer: Option<Answer>,
    pub score: ScoreCard,
    pub missing: Vec<Missing>,
}

/// A corrective action to record.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct NewAction {
    pub code: String,
    pub what: String,
    pub owner: String,
    /// `YYYY-MM-DD`.
    pub due: String,
}

/// A cell of an answers file: its line and the column's name in the file format.
fn column(row: usize, name: &str) -> Location {
    Location::Column {
        row,
        column: name.to_string(),
    }
}

pub(crate) fn check_date(field: InputField, s: &str) -> Result<String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map(|d| d.format("%Y-%m-%d").to_string())
        .map_err(|_| {
            Invalid::NotADate {
                field,
                given: s.to_string(),
            }
            .into()
        })
}

pub(crate) fn non_empty(field: InputField, s: &str) -> Result<String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(Invalid::Empty { field }.into());
    }
    Ok(t.to_string())
}

impl Db {
    /// Starts a draft audit.
    ///
    /// Errors: [`Error::NotFound`] for an unknown store or standard (or no standard at all),
    /// [`Error::InvalidInput`] for a bad date or an empty auditor.
    pub fn create_audit(&mut self, new: &NewAudit) -> Result<Uuid> {
        let shift_date = check_date(InputField::Date, &new.shift_date)?;
        let auditor = non_empty(InputField::Auditor, &new.auditor)?;
        let store = self.store_by_code(&new.store_code)?;
        let standard_id = match &new.standard {
            Some(spec) if !spec.trim().is_empty() => self.find_standard(spec)?,
            _ => self.latest_standard()?.ok_or_else(|| Error::NotFound {
                what: crate::error::Entity::Standard,
                key: "(any)".into(),
            })?,
        };
        let id = self.new_id();
        let observed = new
            .observed
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        self.write(|tx| {
            tx.execute(
                "INSERT INTO audit (id, store_id, standard_id, shift_date, shift, auditor, observed, status, device_id, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'draft', ?8, ?9, ?9)",
                params![id.to_string(), store.id.to_string(), standard_id.to_string(), shift_date, new.shift.as_str(), auditor, observed, tx.device.to_string(), tx.now],
            )?;
            Ok(())
        })?;
        Ok(id)
    }

    /// Finds an audit by its full id or by a unique prefix of it (as the CLI prints them).
    pub fn resolve_audit(&self, key: &str) -> Result<Uuid> {
        self.resolve("audit", crate::error::Entity::Audit, key)
    }

    /// A corrective action by its id or a unique prefix of it (at least 4 characters), as
    /// `audit show` prints it.
    pub fn resolve_action(&self, key: &str) -> Result<Uuid> {
        self.resolve("corrective_action", crate::error::Entity::Action, key)
    }

    fn resolve(&self, table: &str, what: crate::error::Entity, key: &str) -> Result<Uuid> {
        let key = key.trim().to_lowercase();
        let not_found = || Error::NotFound {
            what,
            key: key.clone(),
        };
        if key.len() < 4 || !key.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Err(not_found());
        }
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT id FROM {table} WHERE id >= ?1 AND id < ?1 || 'g' LIMIT 2"
        ))?;
        let ids: Vec<String> = stmt
            .query_map([&key], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        match ids.as_slice() {
            [one] => parse_uuid(one),
            [] => Err(not_found()),
            _ => Err(Invalid::AmbiguousAudit { prefix: key }.into()),
        }
    }

    /// The header of an audit.
    pub fn audit_header(&self, id: Uuid) -> Result<AuditHeader> {
        self.conn
            .query_row(
                "SELECT a.id, s.id, s.code, s.name, s.region, a.shift_date, a.shift, a.auditor, a.observed,
                        st.id, st.code, st.version, st.title, a.status, a.created_at, a.updated_at, a.completed_at,
                        a.revision_of, a.revision_reason
                 FROM audit a JOIN store s ON s.id = a.store_id JOIN standard st ON st.id = a.standard_id
                 WHERE a.id = ?1",
                [id.to_string()],
                |r| {
                    Ok((
                        [r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(9)?],
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, String>(6)?,
                        r.get::<_, String>(7)?,
                        r.get::<_, Option<String>>(8)?,
                        [r.get::<_, String>(10)?, r.get::<_, String>(11)?, r.get::<_, String>(12)?, r.get::<_, String>(13)?, r.get::<_, String>(14)?, r.get::<_, String>(15)?],
                        (
                            r.get::<_, Option<String>>(16)?,
                            r.get::<_, Option<String>>(17)?,
                            r.get::<_, Option<String>>(18)?,
                        ),
                    ))
                },
            )
            .optional()?
            .ok_or_else(|| Error::NotFound {
                what: crate::error::Entity::Audit,
                key: id.to_string(),
            })
            .and_then(|(ids, code, name, region, date, shift, auditor, observed, st, (completed_at, revision_of, revision_reason))| {
                let [st_code, st_version, st_title, status, created_at, updated_at] = st;
                Ok(AuditHeader {
                    id: parse_uuid(&ids[0])?,
                    store: Store {
                        id: parse_uuid(&ids[1])?,
                        code,
                        name,
                        region,
                    },
                    shift_date: date,
                    shift: ShiftPart::parse(&shift)
                        .ok_or_else(|| Error::Corrupt(format!("shift {shift}")))?,
                    auditor,
                    observed,
                    standard_id: parse_uuid(&ids[2])?,
                    standard_code: st_code,
                    standard_version: st_version,
                    standard_title: st_title,
                    status: AuditStatus::parse(&status)
                        .ok_or_else(|| Error::Corrupt(format!("status {status}")))?,
                    created_at,
                    updated_at,
                    completed_at,
                    revision_of: revision_of.as_deref().map(parse_uuid).transpose()?,
                    revision_reason,
                })
            })
    }

    pub(crate) fn answers(&self, id: Uuid) -> Result<Vec<Answer>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT an.requirement_id, r.code, an.response, an.value, an.text, an.note, an.updated_at
             FROM answer an JOIN requirement r ON r.id = an.requirement_id
             WHERE an.audit_id = ?1 ORDER BY r.position",
        )?;
        let rows = stmt.query_map([id.to_string()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<f64>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        rows.map(|row| {
            let (rid, code, response, value, text, note, updated_at) = row?;
            let response = match response.as_deref() {
                None => None,
                Some("pass") => Some(Response::Pass),
                Some("fail") => Some(Response::Fail),
                Some("na") => Some(Response::Na),
                Some("value") => Some(Response::Value(value.unwrap_or_default())),
                Some("text") => Some(Response::Text(text.unwrap_or_default())),
                Some(other) => return Err(Error::Corrupt(format!("answer {other}"))),
            };
            Ok(Answer {
                requirement_id: parse_uuid(&rid)?,
                code,
                response,
                note,
                updated_at,
            })
        })
        .collect()
    }

    fn actions(&self, id: Uuid) -> Result<Vec<CorrectiveAction>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT ca.id, ca.requirement_id, r.code, ca.what, ca.owner, ca.due
             FROM corrective_action ca JOIN requirement r ON r.id = ca.requirement_id
             WHERE ca.audit_id = ?1 ORDER BY r.position, ca.created_at",
        )?;
        let rows = stmt.query_map([id.to_string()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        let followups = self.followups(id)?;
        rows.map(|row| {
            let (aid, rid, code, what, owner, due) = row?;
            let aid = parse_uuid(&aid)?;
            let mine: Vec<_> = followups
                .iter()
                .filter(|f| f.action_id == aid)
                .cloned()
                .collect();
            let state = crate::followup::state_of(&due, &mine);
            Ok(CorrectiveAction {
                id: aid,
                requirement_id: parse_uuid(&rid)?,
                code,
                what,
                owner,
                due,
                due_now: state.due_now,
                done_on: state.done_on,
                followups: mine,
            })
        })
        .collect()
    }

    /// Loads an audit with its standard, answers, actions and score.
    pub fn load_audit(&self, id: Uuid) -> Result<AuditView> {
        let header = self.audit_header(id)?;
        let standard = self.load_standard(header.standard_id)?;
        let answers = self.answers(id)?;
        let actions = self.actions(id)?;
        let photos = self.photos(id)?;
        let report = self.signed_report(id)?;
        let revised_by = self.revised_by(id)?;
        let (score, missing) = evaluate(&standard, &answers, &photos);
        Ok(AuditView {
            header,
            standard,
            answers,
            actions,
            photos,
            report,
            revised_by,
            score,
            missing,
        })
    }

    /// Every audit, newest shift first.
    pub fn list_audits(&self) -> Result<Vec<AuditSummary>> {
        let ids: Vec<String> = self
            .conn
            .prepare("SELECT id FROM audit ORDER BY shift_date DESC, created_at DESC")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut standards: HashMap<Uuid, Standard> = HashMap::new();
        ids.iter()
            .map(|id| self.summary_with(parse_uuid(id)?, &mut standards))
            .collect()
    }

    /// One audit's line of the list.
    pub fn audit_summary(&self, id: Uuid) -> Result<AuditSummary> {
        self.summary_with(id, &mut HashMap::new())
    }

    /// One audit's line, loading its standard only when `standards` does not hold it yet.
    fn summary_with(
        &self,
        id: Uuid,
        standards: &mut HashMap<Uuid, Standard>,
    ) -> Result<AuditSummary> {
        let h = self.audit_header(id)?;
        if let std::collections::hash_map::Entry::Vacant(e) = standards.entry(h.standard_id) {
            e.insert(self.load_standard(h.standard_id)?);
        }
        let (score, _) = evaluate(&standards[&h.standard_id], &self.answers(id)?, &[]);
        let (last_sent, sent_as_is): (Option<String>, bool) = self.conn.query_row(
            "SELECT max(b.created_at), coalesce(max(s.audit_updated_at = ?2), 0)
             FROM sync_sent s JOIN sync_bundle b ON b.id = s.bundle_id WHERE s.audit_id = ?1",
            rusqlite::params![id.to_string(), h.updated_at],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let to_send = h.status != AuditStatus::Draft && !sent_as_is;
        Ok(AuditSummary {
            id,
            store_code: h.store.code,
            store_name: h.store.name,
            shift_date: h.shift_date,
            shift: h.shift,
            auditor: h.auditor,
            standard_code: h.standard_code,
            standard_version: h.standard_version,
            status: h.status,
            score: score.score,
            rating: score.rating,
            answered: score.answered,
            total: score.total,
            updated_at: h.updated_at,
            last_sent,
            to_send,
        })
    }

    pub(crate) fn require_status(&self, id: Uuid, allowed: &[AuditStatus]) -> Result<AuditHeader> {
        let h = self.audit_header(id)?;
        if allowed.contains(&h.status) {
            Ok(h)
        } else {
            Err(Error::Locked {
                id: id.to_string(),
                status: h.status,
            })
        }
    }

    /// Saves one answer and/or its note, durably, and returns the new score.
    ///
    /// Errors: [`Error::Locked`] unless the audit is a draft; [`Error::NotFound`] for a code not
    /// in the audit's standard; [`Error::InvalidAnswer`] for a value the requirement refuses.
    pub fn save_answer(
        &mut self,
        id: Uuid,
        code: &str,
        input: &AnswerInput,
    ) -> Result<AnswerSaved> {
        self.require_status(id, &[AuditStatus::Draft])?;
        let standard_id = self.audit_header(id)?.standard_id;
        let standard = self.load_standard(standard_id)?;
        let req = standard
            .requirement_by_code(code.trim())
            .ok_or_else(|| Error::NotFound {
                what: crate::error::Entity::Requirement,
                key: code.to_string(),
            })?;
        if let Some(r) = &input.response {
            scoring::validate(req, r)?;
        }
        let row_id = self.new_id();
        let req_id = req.id;
        let input = input.clone();
        self.write(|tx| {
            upsert_answer(tx, id, req_id, row_id, &input)?;
            tx.touch_audit(id)?;
            Ok(())
        })?;
        let answers = self.answers(id)?;
        let (score, missing) = evaluate(&standard, &answers, &self.photos(id)?);
        Ok(AnswerSaved {
            answer: answers.into_iter().find(|a| a.requirement_id == req_id),
            score,
            missing,
        })
    }

    /// Takes an answer back (the note stays).
    pub fn clear_answer(&mut self, id: Uuid, code: &str) -> Result<AnswerSaved> {
        self.require_status(id, &[AuditStatus::Draft])?;
        let standard = self.load_standard(self.audit_header(id)?.standard_id)?;
        let req_id = standard
            .requirement_by_code(code)
            .ok_or_else(|| Error::NotFound {
                what: crate::error::Entity::Requirement,
                key: code.to_string(),
            })?
            .id;
        self.write(|tx| {
            tx.execute(
                "UPDATE answer SET response = NULL, value = NULL, text = NULL, updated_at = ?3, device_id = ?4
                 WHERE audit_id = ?1 AND requirement_id = ?2",
                params![id.to_string(), req_id.to_string(), tx.now, tx.device.to_string()],
            )?;
            tx.execute(
                "DELETE FROM answer WHERE audit_id = ?1 AND requirement_id = ?2 AND note IS NULL",
                params![id.to_string(), req_id.to_string()],
            )?;
            tx.touch_audit(id)?;
            Ok(())
        })?;
        let answers = self.answers(id)?;
        let (score, missing) = evaluate(&standard, &answers, &self.photos(id)?);
        Ok(AnswerSaved {
            answer: answers.into_iter().find(|a| a.requirement_id == req_id),
            score,
            missing,
        })
    }

    /// Saves many answers from a CSV with columns `code, answer, note` (header first; `;` or
    /// `,`; UTF-8 or Windows-1251), all or none.
    ///
    /// Errors: [`Error::ImportInvalid`] listing every bad row; nothing is saved then.
    pub fn fill_from_csv(&mut self, id: Uuid, file: &str, bytes: &[u8]) -> Result<usize> {
        self.require_status(id, &[AuditStatus::Draft])?;
        let standard = self.load_standard(self.audit_header(id)?.standard_id)?;
        let rows = crate::answers_csv::parse(file, bytes)?;
        let mut problems = Vec::new();
        let mut inputs = Vec::new();
        for row in rows {
            let Some(req) = standard.requirement_by_code(&row.code) else {
                problems.push(Problem::at(
                    column(row.line, "code"),
                    ImportProblem::NotInStandard {
                        code: row.code.clone(),
                        standard: standard.code.clone(),
                    },
                ));
                continue;
            };
            let response = if row.answer.trim().is_empty() {
                None
            } else {
                match Response::parse_for(req.kind, &row.answer) {
                    Some(r) => match scoring::validate(req, &r) {
                        Ok(()) => Some(r),
                        Err(Error::InvalidAnswer { code, problem }) => {
                            problems.push(Problem::at(
                                column(row.line, "answer"),
                                ImportProblem::AnswerRefused { code, problem },
                            ));
                            continue;
                        }
                        Err(other) => return Err(other),
                    },
                    None => {
                        problems.push(Problem::at(
                            column(row.line, "answer"),
                            ImportProblem::AnswerDoesNotFit {
                                given: row.answer.clone(),
                                code: req.code.clone(),
                                problem: crate::error::AnswerProblem::WrongKind(req.kind.as_str()),
                            },
                        ));
                        continue;
                    }
                }
            };
            inputs.push((
                req.id,
                AnswerInput {
                    response,
                    note: row.note,
                },
            ));
        }
        if !problems.is_empty() {
            return Err(Error::ImportInvalid {
                file: file.to_string(),
                problems,
            });
        }
        let ids: Vec<Uuid> = inputs.iter().map(|_| self.new_id()).collect();
        let n = inputs.len();
        self.write(|tx| {
            for ((req_id, input), row_id) in inputs.iter().zip(ids) {
                upsert_answer(tx, id, *req_id, row_id, input)?;
            }
            tx.touch_audit(id)?;
            Ok(())
        })?;
        Ok(n)
    }

    /// Completes a draft audit once every requirement (but `text`) is answered and every
    /// required photo is there.
    ///
    /// Errors: [`Error::Incomplete`] listing what is missing; [`Error::Locked`] unless a draft.
    pub fn complete_audit(&mut self, id: Uuid) -> Result<AuditView> {
        // Checked and acted on in one transaction: no answer can be cleared in between.
        self.atomically(|db| {
            db.require_status(id, &[AuditStatus::Draft])?;
            let view = db.load_audit(id)?;
            if !view.missing.is_empty() {
                return Err(Error::Incomplete {
                    missing: view.missing,
                });
            }
            db.write(|tx| {
                tx.execute(
                    "UPDATE audit SET status = 'completed', completed_at = ?2, updated_at = ?2 WHERE id = ?1",
                    params![id.to_string(), tx.now],
                )?;
                Ok(())
            })
        })?;
        self.load_audit(id)
    }

    /// Turns a completed (unsigned) audit back into a draft to change its answers.
    pub fn reopen_audit(&mut self, id: Uuid) -> Result<AuditView> {
        self.atomically(|db| {
            db.require_status(id, &[AuditStatus::Completed])?;
            db.write(|tx| {
                tx.execute(
                    "UPDATE audit SET status = 'draft', completed_at = NULL, updated_at = ?2 WHERE id = ?1",
                    params![id.to_string(), tx.now],
                )?;
                Ok(())
            })
        })?;
        self.load_audit(id)
    }

    /// Deletes a draft audit with its answers, photos and actions (photo files stay: they are
    /// shared by content). Completed and signed audits stay.
    pub fn delete_draft(&mut self, id: Uuid) -> Result<()> {
        self.atomically(|db| {
            db.require_status(id, &[AuditStatus::Draft])?;
            db.write(|tx| {
                let id = id.to_string();
                tx.execute("DELETE FROM corrective_action WHERE audit_id = ?1", [&id])?;
                tx.execute("DELETE FROM photo WHERE audit_id = ?1", [&id])?;
                tx.execute("DELETE FROM answer WHERE audit_id = ?1", [&id])?;
                tx.execute("DELETE FROM audit WHERE id = ?1", [&id])?;
                Ok(())
            })
        })
    }

    /// Records a corrective action for a finding.
    ///
    /// Errors: [`Error::InvalidInput`] when the requirement is not a finding of this audit or a
    /// field is empty or the due date is not a date; [`Error::Locked`] once signed.
    pub fn add_action(&mut self, id: Uuid, action: &NewAction) -> Result<CorrectiveAction> {
        self.require_status(id, &[AuditStatus::Draft, AuditStatus::Completed])?;
        let what = non_empty(InputField::What, &action.what)?;
        let owner = non_empty(InputField::Owner, &action.owner)?;
        let due = check_date(InputField::Due, &action.due)?;
        let view = self.load_audit(id)?;
        let code = action.code.trim();
        let finding = view
            .score
            .findings
            .iter()
            .find(|f| f.code == code)
            .ok_or_else(|| {
                if view.standard.requirement_by_code(code).is_none() {
                    Error::NotFound {
                        what: crate::error::Entity::Requirement,
                        key: code.to_string(),
                    }
                } else {
                    Invalid::NotAFinding {
                        code: code.to_string(),
                    }
                    .into()
                }
            })?;
        let action_id = self.new_id();
        let req_id = finding.requirement_id;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO corrective_action (id, audit_id, requirement_id, what, owner, due, device_id, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
                params![action_id.to_string(), id.to_string(), req_id.to_string(), what, owner, due, tx.device.to_string(), tx.now],
            )?;
            tx.touch_audit(id)?;
            Ok(())
        })?;
        Ok(CorrectiveAction {
            id: action_id,
            requirement_id: req_id,
            code: code.to_string(),
            what,
            owner,
            due_now: due.clone(),
            due,
            done_on: None,
            followups: Vec::new(),
        })
    }

    /// Removes a corrective action of an unsigned audit.
    pub fn remove_action(&mut self, id: Uuid, action_id: Uuid) -> Result<()> {
        self.require_status(id, &[AuditStatus::Draft, AuditStatus::Completed])?;
        let n = self.write(|tx| {
            Ok(tx.execute(
                "DELETE FROM corrective_action WHERE id = ?1 AND audit_id = ?2",
                params![action_id.to_string(), id.to_string()],
            )?)
        })?;
        if n == 0 {
            return Err(Error::NotFound {
                what: crate::error::Entity::Action,
                key: action_id.to_string(),
            });
        }
        Ok(())
    }
}

fn upsert_answer(
    tx: &crate::db::Tx<'_>,
    audit: Uuid,
    req: Uuid,
    row_id: Uuid,
    input: &AnswerInput,
) -> Result<()> {
    let (kind, value, text) = match &input.response {
        None => (None, None, None),
        Some(Response::Pass) => (Some("pass"), None, None),
        Some(Response::Fail) => (Some("fail"), None, None),
        Some(Response::Na) => (Some("na"), None, None),
        Some(Response::Value(v)) => (Some("value"), Some(*v), None),
        Some(Response::Text(t)) => (Some("text"), None, Some(t.clone())),
    };
    let note = input.note.as_deref().map(str::trim);
    let note_given = note.is_some();
    let note = note.filter(|n| !n.is_empty());
    tx.execute(
        "INSERT INTO answer (id, audit_id, requirement_id, response, value, text, note, device_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)
         ON CONFLICT (audit_id, requirement_id) DO UPDATE SET
           response = CASE WHEN ?4 IS NULL THEN response ELSE ?4 END,
           value = CASE WHEN ?4 IS NULL THEN value ELSE ?5 END,
           text = CASE WHEN ?4 IS NULL THEN text ELSE ?6 END,
           note = CASE WHEN ?10 THEN ?7 ELSE note END,
           device_id = ?8, updated_at = ?9",
        params![row_id.to_string(), audit.to_string(), req.to_string(), kind, value, text, note, tx.device.to_string(), tx.now, note_given],
    )?;
    Ok(())
}

/// The score and what is missing for completion, from a standard, its answers and photos.
///
/// A `required` photo is missing while its requirement has none (unless answered "not
/// applicable"); a `required-on-fail` photo, while its requirement is a finding without one.
pub fn evaluate(
    standard: &Standard,
    answers: &[Answer],
    photos: &[Photo],
) -> (ScoreCard, Vec<Missing>) {
    let given: HashMap<Uuid, Given<'_>> = answers
        .iter()
        .filter_map(|a| {
            a.response.as_ref().map(|r| {
                (
                    a.requirement_id,
                    Given {
                        response: r,
                        note: a.note.as_deref(),
                    },
                )
            })
        })
        .collect();
    let card = scoring::score(standard, &given);
    let mut missing: Vec<Missing> = card
        .open
        .iter()
        .map(|code| Missing {
            code: code.clone(),
            what: MissingWhat::Answer,
        })
        .collect();
    let has_photo = |id: Uuid| photos.iter().any(|p| p.requirement_id == id);
    let is_na = |id: Uuid| {
        answers
            .iter()
            .any(|a| a.requirement_id == id && a.response == Some(Response::Na))
    };
    let is_finding = |id: Uuid| card.findings.iter().any(|f| f.requirement_id == id);
    for r in standard.requirements() {
        let needed = match r.photo {
            PhotoRule::Required => !is_na(r.id),
            PhotoRule::RequiredOnFail => is_finding(r.id),
            PhotoRule::None | PhotoRule::Optional => false,
        };
        if needed && !has_photo(r.id) {
            missing.push(Missing {
                code: r.code.clone(),
                what: MissingWhat::Photo,
            });
        }
    }
    missing.sort_by_key(|m| {
        standard
            .requirements()
            .position(|r| r.code == m.code)
            .unwrap_or(usize::MAX)
    });
    (card, missing)
}
