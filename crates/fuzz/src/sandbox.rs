//! A StoreCheck database in a temporary folder, its snapshot, and a way back to the start.
//!
//! Every case starts from the same state (a template made once), so a case replays the same
//! on its own. After a refusal, the snapshot of every table's rows and of the files beside the
//! database must be what it was before: a refusal writes nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::types::ValueRef;
use storecheck_core::Db;
use storecheck_core::db::Inputs;

/// The time every fuzzing database lives at, so runs are reproducible.
pub fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 18, 5, 0)
        .single()
        .unwrap_or_default()
}

/// Everything a refusal must leave as it was.
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot {
    tables: BTreeMap<String, Vec<String>>,
    files: BTreeSet<(String, u64)>,
}

impl Snapshot {
    /// What differs from `before`, in a line.
    pub fn difference(&self, before: &Snapshot) -> Option<String> {
        for (table, rows) in &self.tables {
            let old = before.tables.get(table);
            if old != Some(rows) {
                let was = old.map_or(0, Vec::len);
                return Some(format!(
                    "table {table}: {was} rows before, {} after",
                    rows.len()
                ));
            }
        }
        if self.files != before.files {
            let added: Vec<_> = self.files.difference(&before.files).collect();
            let removed: Vec<_> = before.files.difference(&self.files).collect();
            return Some(format!(
                "files beside the database: added {added:?}, removed {removed:?}"
            ));
        }
        None
    }
}

pub struct Sandbox {
    _root: tempfile::TempDir,
    template: PathBuf,
    work: PathBuf,
    /// Where inputs are written: outside the database's folder, so they are not in its listing.
    pub inputs: PathBuf,
    db: Option<Db>,
    pristine: Option<Snapshot>,
}

const DB_NAME: &str = "store.db";

impl Sandbox {
    /// A sandbox whose every case starts from the database `init` makes.
    pub fn new(
        init: impl FnOnce(&mut Db) -> storecheck_core::Result<()>,
    ) -> Result<Sandbox, String> {
        let root = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
        let template = root.path().join("template");
        let work = root.path().join("work");
        let inputs = root.path().join("inputs");
        std::fs::create_dir_all(&inputs).map_err(|e| format!("{}: {e}", inputs.display()))?;
        {
            let mut db = open(&template.join(DB_NAME))?;
            init(&mut db).map_err(|e| format!("setting up the database: {e}"))?;
            // Closing the last connection folds the WAL into the database file.
        }
        let mut sandbox = Sandbox {
            _root: root,
            template,
            work,
            inputs,
            db: None,
            pristine: None,
        };
        sandbox.reset()?;
        sandbox.pristine = Some(sandbox.snapshot()?);
        Ok(sandbox)
    }

    pub fn db(&mut self) -> Result<&mut Db, String> {
        self.db
            .as_mut()
            .ok_or_else(|| "the database is not open".to_string())
    }

    /// The template's state again, in a fresh folder.
    pub fn reset(&mut self) -> Result<(), String> {
        self.db = None;
        if self.work.exists() {
            std::fs::remove_dir_all(&self.work)
                .map_err(|e| format!("{}: {e}", self.work.display()))?;
        }
        copy_dir(&self.template, &self.work)?;
        self.db = Some(open(&self.work.join(DB_NAME))?);
        Ok(())
    }

    /// Every table's rows, sorted, and every file beside the database with its size.
    pub fn snapshot(&self) -> Result<Snapshot, String> {
        let db = self.db.as_ref().ok_or("the database is not open")?;
        let conn = db.connection();
        let err = |e: rusqlite::Error| format!("snapshot: {e}");
        let names: Vec<String> = {
            let mut st = conn
                .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .map_err(err)?;
            st.query_map([], |r| r.get(0))
                .map_err(err)?
                .collect::<Result<_, _>>()
                .map_err(err)?
        };
        let mut tables = BTreeMap::new();
        for name in names {
            let mut st = conn
                .prepare(&format!("SELECT * FROM \"{}\"", name.replace('"', "\"\"")))
                .map_err(err)?;
            let columns = st.column_count();
            let mut rows: Vec<String> = st
                .query_map([], |r| {
                    let mut row = String::new();
                    for i in 0..columns {
                        row.push_str(&match r.get_ref(i)? {
                            ValueRef::Null => "NULL".to_string(),
                            ValueRef::Integer(n) => n.to_string(),
                            ValueRef::Real(f) => f.to_string(),
                            ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                            ValueRef::Blob(b) => format!("blob{}", b.len()),
                        });
                        row.push('\u{1f}');
                    }
                    Ok(row)
                })
                .map_err(err)?
                .collect::<Result<_, _>>()
                .map_err(err)?;
            rows.sort();
            tables.insert(name, rows);
        }
        let mut files = BTreeSet::new();
        list_files(&self.work, &self.work, &mut files)?;
        Ok(Snapshot { tables, files })
    }

    /// What the case changed, if anything, compared with the template's state.
    pub fn changed(&self) -> Result<Option<String>, String> {
        let now = self.snapshot()?;
        let before = self.pristine.as_ref().ok_or("no snapshot before")?;
        Ok(now.difference(before))
    }
}

/// Opens with the fixed clock and ids seeded afresh each time: a reopened copy of the template
/// must not make the ids the template's rows already have.
fn open(path: &Path) -> Result<Db, String> {
    static SEED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let seed = SEED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Db::open(path, Inputs::seeded(Arc::new(at), seed))
        .map_err(|e| format!("opening {}: {e}", path.display()))
}

/// Copies the folder `from`, everything in it, to `to`.
pub(crate) fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    let err = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
    std::fs::create_dir_all(to).map_err(|e| err(to, e))?;
    for entry in std::fs::read_dir(from).map_err(|e| err(from, e))? {
        let entry = entry.map_err(|e| err(from, e))?;
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &target)?;
        } else {
            std::fs::copy(&path, &target).map_err(|e| err(&path, e))?;
        }
    }
    Ok(())
}

/// Files under `dir` but the database's own (its WAL and shared-memory files change size as
/// SQLite pleases), as (path, size).
fn list_files(base: &Path, dir: &Path, out: &mut BTreeSet<(String, u64)>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let rel = path
            .strip_prefix(base)
            .unwrap_or(&path)
            .display()
            .to_string();
        if path.is_dir() {
            out.insert((format!("{rel}/"), 0));
            list_files(base, &path, out)?;
        } else if !rel.starts_with(DB_NAME) {
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            out.insert((rel, size));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_row_or_a_new_file_is_seen_and_a_reset_undoes_it() {
        let mut sandbox = Sandbox::new(|_| Ok(())).expect("sandbox");
        assert_eq!(
            sandbox.changed().expect("snapshot"),
            None,
            "a fresh sandbox is pristine"
        );
        sandbox
            .db()
            .expect("db")
            .add_store("X-1", "Test", None)
            .expect("store");
        let diff = sandbox
            .changed()
            .expect("snapshot")
            .expect("a new row is a change");
        assert!(diff.contains("table store"), "{diff}");
        sandbox.reset().expect("reset");
        assert_eq!(
            sandbox.changed().expect("snapshot"),
            None,
            "reset restores the start"
        );
        std::fs::create_dir_all(sandbox.work.join("photos/ab")).expect("dir");
        std::fs::write(sandbox.work.join("photos/ab/leftover"), b"x").expect("file");
        let diff = sandbox
            .changed()
            .expect("snapshot")
            .expect("a new file is a change");
        assert!(diff.contains("photos/ab/leftover"), "{diff}");
    }
}
