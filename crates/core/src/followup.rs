//! Corrective actions followed up after the audit is signed: marked done (by whom, a note,
//! optionally a photo as proof) or given a new due date with the reason.
//!
//! A follow-up is a record of its own (table `action_followup`, schema 6): the signed audit and
//! its actions never change. An action's state is its follow-ups read in order: the latest
//! decides whether it is done, and the latest new due date is its due date now.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::db::Db;
use crate::error::{Error, InputField, Invalid, Result};
use crate::model::AuditStatus;
use crate::photo::PreparedPhoto;
use crate::standard::parse_uuid;

/// What a follow-up says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FollowupKind {
    Done,
    Rescheduled,
}

impl FollowupKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FollowupKind::Done => "done",
            FollowupKind::Rescheduled => "rescheduled",
        }
    }

    pub fn parse(s: &str) -> Option<FollowupKind> {
        match s {
            "done" => Some(FollowupKind::Done),
            "rescheduled" => Some(FollowupKind::Rescheduled),
            _ => None,
        }
    }
}

/// One follow-up of a corrective action, as stored and as it travels to HQ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Followup {
    pub id: Uuid,
    pub action_id: Uuid,
    pub audit_id: Uuid,
    pub kind: FollowupKind,
    /// Done: the day it was done. Rescheduled: the new due date. `YYYY-MM-DD`.
    pub on_date: String,
    pub by_whom: String,
    /// Done: a note (may be empty). Rescheduled: the reason.
    pub note: String,
    /// A photo as proof: its original's SHA-256 and format (`jpeg`, `png`, `webp`).
    pub photo_sha256: Option<String>,
    pub photo_format: Option<String>,
    pub device_id: Uuid,
    pub created_at: String,
}

/// An action's state from its follow-ups.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ActionState {
    /// The due date now: the latest new due date, else the one set at the audit.
    pub due_now: String,
    /// The day it was done, when the latest follow-up says done.
    pub done_on: Option<String>,
}

/// The state follow-ups give an action due on `due`: each as its kind and date, in the order
/// they were made. The latest says whether it is done; a new due date reopens it.
pub fn state<'a>(
    due: &str,
    followups: impl IntoIterator<Item = (FollowupKind, &'a str)>,
) -> ActionState {
    let mut s = ActionState {
        due_now: due.to_string(),
        done_on: None,
    };
    for (kind, on_date) in followups {
        match kind {
            FollowupKind::Done => s.done_on = Some(on_date.to_string()),
            FollowupKind::Rescheduled => {
                s.due_now = on_date.to_string();
                s.done_on = None;
            }
        }
    }
    s
}

/// [`state`] of an action from its follow-ups as records.
pub fn state_of(due: &str, followups: &[Followup]) -> ActionState {
    state(due, followups.iter().map(|f| (f.kind, f.on_date.as_str())))
}

/// The columns of a follow-up, in the order [`from_columns`] takes them.
pub const COLUMNS: &str = "id, action_id, audit_id, kind, on_date, by_whom, note, photo_sha256,
        photo_format, device_id, created_at";
const SELECT: &str = "SELECT id, action_id, audit_id, kind, on_date, by_whom, note, photo_sha256,
        photo_format, device_id, created_at FROM action_followup";

/// The follow-ups of audit `audit` in `table` of `conn`, oldest first: the store's
/// `action_followup`, or a table of the same columns (HQ's `followup`).
pub fn read_from(conn: &rusqlite::Connection, table: &str, audit: &str) -> Result<Vec<Followup>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM {table} WHERE audit_id = ?1 ORDER BY created_at, id"
    ))?;
    let rows = stmt.query_map([audit], row)?;
    rows.map(|r| from_columns(r?)).collect()
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<[Option<String>; 11]> {
    let mut out: [Option<String>; 11] = Default::default();
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = r.get(i)?;
    }
    Ok(out)
}

/// A follow-up from its [`COLUMNS`], as read from any database.
pub fn from_columns(cols: [Option<String>; 11]) -> Result<Followup> {
    let [
        id,
        action,
        audit,
        kind,
        on_date,
        by,
        note,
        sha,
        format,
        device,
        created,
    ] = cols;
    let text = |v: Option<String>| v.unwrap_or_default();
    Ok(Followup {
        id: parse_uuid(&text(id))?,
        action_id: parse_uuid(&text(action))?,
        audit_id: parse_uuid(&text(audit))?,
        kind: FollowupKind::parse(&text(kind.clone()))
            .ok_or_else(|| Error::Corrupt(format!("follow-up kind {kind:?}")))?,
        on_date: text(on_date),
        by_whom: text(by),
        note: text(note),
        photo_sha256: sha,
        photo_format: format,
        device_id: parse_uuid(&text(device))?,
        created_at: text(created),
    })
}

impl Db {
    /// The follow-ups of audit `audit`'s actions, oldest first.
    pub fn followups(&self, audit: Uuid) -> Result<Vec<Followup>> {
        read_from(&self.conn, "action_followup", &audit.to_string())
    }

    /// Follow-ups no bundle has carried yet (every one with `all`), oldest first.
    pub fn followups_to_send(&self, all: bool) -> Result<Vec<Followup>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "{SELECT} f WHERE ?1 OR NOT EXISTS
                 (SELECT 1 FROM sync_followup_sent s WHERE s.followup_id = f.id)
             ORDER BY created_at, id"
        ))?;
        let rows = stmt.query_map([all], row)?;
        rows.map(|r| from_columns(r?)).collect()
    }

    /// The action `action` with its audit and its follow-ups so far.
    fn action_for_followup(&self, action: Uuid) -> Result<(Uuid, String, String, Vec<Followup>)> {
        let found: Option<(String, String, String, String)> = self
            .conn
            .query_row(
                "SELECT ca.audit_id, a.status, ca.owner, ca.due FROM corrective_action ca
                 JOIN audit a ON a.id = ca.audit_id WHERE ca.id = ?1",
                [action.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let (audit, status, owner, due) = found.ok_or_else(|| Error::NotFound {
            what: crate::error::Entity::Action,
            key: action.to_string(),
        })?;
        let audit = parse_uuid(&audit)?;
        if AuditStatus::parse(&status) != Some(AuditStatus::Signed) {
            return Err(Invalid::FollowupOfUnsigned {
                audit: audit.to_string(),
            }
            .into());
        }
        let all = self
            .followups(audit)?
            .into_iter()
            .filter(|f| f.action_id == action)
            .collect();
        Ok((audit, owner, due, all))
    }

    /// Marks action `action` (of a signed audit) done today, by `by` (its owner when `None`),
    /// with `note` and optionally a photo as proof.
    ///
    /// Errors: [`Error::NotFound`] for an unknown action; [`Error::InvalidInput`] when its
    /// audit is not signed or the action is already done.
    pub fn action_done(
        &mut self,
        action: Uuid,
        by: Option<&str>,
        note: &str,
        photo: Option<&PreparedPhoto>,
    ) -> Result<Followup> {
        let (audit, owner, due, so_far) = self.action_for_followup(action)?;
        if let Some(done) = state_of(&due, &so_far).done_on {
            return Err(Invalid::ActionAlreadyDone { done_on: done }.into());
        }
        let by = by
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .unwrap_or(&owner)
            .to_string();
        let today = self.now().get(..10).unwrap_or_default().to_string();
        if let Some(p) = photo {
            self.keep_photo(p)?;
        }
        self.add_followup(
            audit,
            action,
            FollowupKind::Done,
            &today,
            &by,
            note.trim(),
            photo.map(|p| (p.sha256.clone(), p.format.as_str().to_string())),
        )
    }

    /// Moves action `action`'s due date to `due`, saying why, by `by` (its owner when `None`).
    ///
    /// Errors: [`Error::NotFound`] for an unknown action; [`Error::InvalidInput`] for a bad
    /// date, an empty reason, an unsigned audit or an action already done.
    pub fn reschedule_action(
        &mut self,
        action: Uuid,
        due: &str,
        reason: &str,
        by: Option<&str>,
    ) -> Result<Followup> {
        let new_due = crate::audit::check_date(InputField::Due, due)?;
        let reason = crate::audit::non_empty(InputField::Reason, reason)?;
        let (audit, owner, old_due, so_far) = self.action_for_followup(action)?;
        if let Some(done) = state_of(&old_due, &so_far).done_on {
            return Err(Invalid::ActionAlreadyDone { done_on: done }.into());
        }
        let by = by
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .unwrap_or(&owner)
            .to_string();
        self.add_followup(
            audit,
            action,
            FollowupKind::Rescheduled,
            &new_due,
            &by,
            &reason,
            None,
        )
    }

    /// Keeps a proof photo's original in the photo store (the display copy and thumbnail
    /// too, for the app).
    fn keep_photo(&mut self, p: &PreparedPhoto) -> Result<()> {
        let store = self.photo_store()?.clone();
        store.put(p, self.ids())?;
        self.write(|tx| crate::photo::put_file_row(tx, p))
    }

    #[allow(clippy::too_many_arguments)]
    fn add_followup(
        &mut self,
        audit: Uuid,
        action: Uuid,
        kind: FollowupKind,
        on_date: &str,
        by: &str,
        note: &str,
        photo: Option<(String, String)>,
    ) -> Result<Followup> {
        let id = self.new_id();
        let (sha, format) = photo.unzip();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO action_followup (id, action_id, audit_id, kind, on_date, by_whom, note,
                    photo_sha256, photo_format, device_id, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    id.to_string(),
                    action.to_string(),
                    audit.to_string(),
                    kind.as_str(),
                    on_date,
                    by,
                    note,
                    sha,
                    format,
                    tx.device.to_string(),
                    tx.now
                ],
            )?;
            Ok(())
        })?;
        self.followups(audit)?
            .into_iter()
            .find(|f| f.id == id)
            .ok_or_else(|| Error::Corrupt(format!("follow-up {id} was not recorded")))
    }
}
