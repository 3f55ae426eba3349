//! Schema 5: the ids of standards, sections and requirements become the ones derived from their
//! content ([`crate::ids`]), so that every laptop and HQ agree on them. Until schema 4 they were
//! UUID v7 made at import, different on every laptop.
//!
//! Every stored standard, section and requirement gets its derived id, and every row that
//! names one (audits, answers, photos, corrective actions, sections and requirements
//! themselves) follows, signed and completed audits included: the same audit, the same answers,
//! under the names every database now gives them. No other column changes; the signed report
//! PDFs beside the database do not hold these ids and stay as they are.
//!
//! Rust, not SQL, because UUID v5 is computed here. It runs in [`super::migrate`]'s transaction,
//! so it lands whole with the schema number, or not at all.

use std::collections::HashMap;

use rusqlite::{Connection, params};
use uuid::Uuid;

use crate::ids;

/// The triggers that refuse the rewrite: standards are immutable, and a signed or completed
/// audit's rows do not change. Dropped for the rewrite and created again from their own stored
/// text, exactly as they were. (`audit_signed_needs_report` fires only on a change of
/// `status`, which this does not make.)
const IN_THE_WAY: &[&str] = &[
    "standard_immutable",
    "section_immutable",
    "requirement_immutable",
    "audit_signed_locked",
    "answer_update_draft_only",
    "action_update_unsigned_only",
    "photo_update_draft_only",
];

/// Every column that holds the id of a standard, a section or a requirement.
const COLUMNS: &[(&str, &str)] = &[
    ("standard", "id"),
    ("section", "id"),
    ("section", "standard_id"),
    ("requirement", "id"),
    ("requirement", "standard_id"),
    ("requirement", "section_id"),
    ("audit", "standard_id"),
    ("answer", "requirement_id"),
    ("corrective_action", "requirement_id"),
    ("photo", "requirement_id"),
];

pub(super) fn migrate(tx: &Connection) -> rusqlite::Result<()> {
    // Rows name a standard's old id until their own column's turn: foreign keys are checked
    // at commit instead, when every one names a new id (and a row missed fails the upgrade).
    tx.pragma_update(None, "defer_foreign_keys", true)?;
    tx.execute_batch(
        "CREATE TEMP TABLE derived_id (old TEXT PRIMARY KEY, new TEXT NOT NULL) WITHOUT ROWID",
    )?;
    derive_ids(tx)?;
    let mut triggers = Vec::new();
    for name in IN_THE_WAY {
        let sql: String = tx.query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
            [name],
            |r| r.get(0),
        )?;
        tx.execute_batch(&format!("DROP TRIGGER \"{name}\""))?;
        triggers.push(sql);
    }
    for (table, column) in COLUMNS {
        tx.execute(
            &format!(
                "UPDATE \"{table}\" SET \"{column}\" = d.new FROM temp.derived_id d
                 WHERE d.old = \"{table}\".\"{column}\""
            ),
            [],
        )?;
    }
    for sql in triggers {
        tx.execute_batch(&sql)?;
    }
    tx.execute_batch("DROP TABLE temp.derived_id")
}

/// Fills `temp.derived_id` with the old and the derived id of every standard, section and
/// requirement.
fn derive_ids(tx: &Connection) -> rusqlite::Result<()> {
    let mut map = tx.prepare("INSERT INTO temp.derived_id (old, new) VALUES (?1, ?2)")?;
    let mut standards: HashMap<String, Uuid> = HashMap::new();
    let mut stmt = tx.prepare("SELECT id, code, version, content_sha256 FROM standard")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let old: String = r.get(0)?;
        let new = ids::standard_id(
            &r.get::<_, String>(1)?,
            &r.get::<_, String>(2)?,
            &r.get::<_, String>(3)?,
        );
        map.execute(params![old, new.to_string()])?;
        standards.insert(old, new);
    }
    // A section or requirement of a standard that is not there (written with foreign keys
    // off) is refused as the foreign key failure it is, not left with an id no one derives.
    let standard_of = |old: String| {
        standards.get(&old).copied().ok_or_else(|| {
            rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
                Some(format!("a row names standard {old}, which is not there")),
            )
        })
    };
    let mut stmt = tx.prepare("SELECT id, standard_id, position FROM section")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let new = ids::section_id(standard_of(r.get(1)?)?, r.get(2)?);
        map.execute(params![r.get::<_, String>(0)?, new.to_string()])?;
    }
    let mut stmt = tx.prepare("SELECT id, standard_id, code FROM requirement")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let new = ids::requirement_id(standard_of(r.get(1)?)?, &r.get::<_, String>(2)?);
        map.execute(params![r.get::<_, String>(0)?, new.to_string()])?;
    }
    Ok(())
}
