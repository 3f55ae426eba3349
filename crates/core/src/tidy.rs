//! Removing what a crash left half-written beside the database, and nothing else.
//!
//! Photos and signed PDFs are written under a temporary name first (see [`crate::files`]), and
//! a killed write leaves that temporary behind. Its name carries the device id of the database
//! that wrote it, so [`Db::remove_leftovers`] can tell an unfinished write of *this* database
//! from everything else in the folder: another database's files, a backup's, files the user
//! put there. Only the former are removed, and only once older than a grace period, so a write
//! under way in another process (the command line beside the app) is never touched.
//!
//! A complete file that no row of this database refers to (a crash between the rename and the
//! commit) is never removed: the folders belong to the directory, not to one database, and
//! another database there (a copy, a restored backup) may own it. Such files are whole,
//! content-addressed, and reused by the next attachment of the same photo.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::db::Db;
use crate::error::{Error, Result};
use crate::files::temp_prefix;

/// What [`Db::remove_leftovers`] removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Leftovers {
    pub photo_files: usize,
    pub report_files: usize,
}

impl Db {
    /// Removes this database's unfinished temporary files (photos and report PDFs) last
    /// written more than `grace` before `now`.
    pub fn remove_leftovers(&self, now: SystemTime, grace: Duration) -> Result<Leftovers> {
        let Ok(store) = self.photo_store() else {
            return Ok(Leftovers::default()); // an in-memory database keeps no files
        };
        let prefix = temp_prefix(self.device());
        let ours = |path: &Path| {
            path.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&prefix))
                && std::fs::metadata(path)
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| now.duration_since(t).is_ok_and(|age| age > grace))
        };
        let mut removed = Leftovers::default();
        for shard in entries(store.root())? {
            let is_shard = shard.file_name().is_some_and(|n| n.len() == 2) && shard.is_dir();
            if !is_shard {
                continue;
            }
            for file in entries(&shard)? {
                if ours(&file) && remove(&file)? {
                    removed.photo_files += 1;
                }
            }
        }
        for file in entries(&self.reports_dir()?)? {
            if ours(&file) && remove(&file)? {
                removed.report_files += 1;
            }
        }
        Ok(removed)
    }
}

/// The entries of a folder; none when it does not exist yet.
fn entries(dir: &Path) -> Result<Vec<PathBuf>> {
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
