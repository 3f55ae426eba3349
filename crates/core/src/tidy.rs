//! Removing what a crash can leave behind beside the database.
//!
//! Photos and signed PDFs are written to disk first and recorded in SQLite after, so a crash
//! between the two leaves a file no row refers to (and a killed write leaves a `.tmp-…` file).
//! Nothing the user saw as saved is among them: that was recorded. [`Db::remove_leftovers`]
//! removes such files once they are older than a grace period, so a write under way in another
//! process (the command line beside the app) is never touched. Only names StoreCheck writes are
//! considered; anything else in those folders stays.

use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::db::Db;
use crate::error::{Error, Result};
use crate::photo::is_sha256;

/// What [`Db::remove_leftovers`] removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Leftovers {
    pub photo_files: usize,
    pub report_files: usize,
}

impl Db {
    /// Removes photo files and report PDFs no row refers to, and unfinished temporary files,
    /// when they were last written more than `grace` before `now`.
    pub fn remove_leftovers(&self, now: SystemTime, grace: Duration) -> Result<Leftovers> {
        let Ok(store) = self.photo_store() else {
            return Ok(Leftovers::default()); // an in-memory database keeps no files
        };
        let photos: HashSet<String> = self.column("SELECT sha256 FROM photo_file")?;
        let reports: HashSet<String> = self.column("SELECT id FROM report")?;
        let old = |path: &Path| {
            std::fs::metadata(path)
                .and_then(|m| m.modified())
                .is_ok_and(|t| now.duration_since(t).is_ok_and(|age| age > grace))
        };
        let mut removed = Leftovers::default();

        for shard in entries(store.root())? {
            let shard_name = file_name(&shard);
            if shard_name.len() != 2 || !shard.is_dir() {
                continue;
            }
            for file in entries(&shard)? {
                let name = file_name(&file);
                let leftover = if name.starts_with(".tmp-") {
                    true
                } else {
                    let sha = name.split('.').next().unwrap_or_default();
                    is_sha256(sha)
                        && sha.starts_with(&shard_name)
                        && !photos.contains(sha)
                        // asked again just before removing: another process may have attached
                        // the same photo since the list was read
                        && !self.exists("SELECT 1 FROM photo_file WHERE sha256 = ?1", sha)?
                };
                if leftover && old(&file) && remove(&file)? {
                    removed.photo_files += 1;
                }
            }
        }

        let reports_dir = self.reports_dir()?;
        for file in entries(&reports_dir)? {
            let name = file_name(&file);
            let leftover = if name.starts_with(".tmp-") {
                true
            } else {
                match name.strip_suffix(".pdf") {
                    Some(id) if uuid::Uuid::parse_str(id).is_ok() && !reports.contains(id) => {
                        !self.exists("SELECT 1 FROM report WHERE id = ?1", id)?
                    }
                    _ => false,
                }
            };
            if leftover && old(&file) && remove(&file)? {
                removed.report_files += 1;
            }
        }
        Ok(removed)
    }

    fn exists(&self, sql: &str, key: &str) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached(sql)?
            .exists(rusqlite::params![key])?)
    }

    fn column(&self, sql: &str) -> Result<HashSet<String>> {
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The entries of a folder; none when it does not exist yet.
fn entries(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    match std::fs::read_dir(dir) {
        Ok(list) => list
            .map(|e| e.map(|e| e.path()).map_err(|e| Error::io(dir, e)))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(Error::io(dir, e)),
    }
}

/// Removes a regular file; another process may have removed it first.
fn remove(path: &Path) -> Result<bool> {
    if !path.is_file() {
        return Ok(false);
    }
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::io(path, e)),
    }
}
