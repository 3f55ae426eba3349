//! Durable file writes, the one way StoreCheck puts a file on disk.
//!
//! A file is written under a temporary name in its own folder, flushed to disk, renamed to its
//! final name and the folder flushed: a file under its final name is always whole, whatever
//! moment a crash or a full disk strikes. A temporary name carries the id of the database
//! (its device) that writes it, `.tmp-<device>-<unique>`, so the start-up tidy
//! ([`crate::tidy`]) removes only what provably is an unfinished write of its own database,
//! never another database's file in the same folder.

use std::io::Write;
use std::path::Path;

use uuid::Uuid;

use crate::error::{Error, Result};

/// The start of every temporary file name a database with this device id writes.
pub fn temp_prefix(owner: Uuid) -> String {
    format!(".tmp-{owner}-")
}

/// Writes `bytes` to a new file at `path` durably; an existing file stays as it is.
pub fn write_durably(path: &Path, bytes: &[u8]) -> Result<()> {
    write_new(path, bytes, None).map(|_| ())
}

/// Writes `bytes` to `path` unless a file is there; returns whether it wrote. `owner` is the
/// device id of the database the file belongs to, named in the temporary file.
pub(crate) fn write_new(path: &Path, bytes: &[u8], owner: Option<Uuid>) -> Result<bool> {
    if path.exists() {
        return Ok(false);
    }
    replace(path, bytes, owner)?;
    Ok(true)
}

/// Writes `bytes` to `path` durably, replacing what is there.
pub(crate) fn replace(path: &Path, bytes: &[u8], owner: Option<Uuid>) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let unique = Uuid::now_v7();
    let tmp = dir.join(match owner {
        Some(owner) => format!("{}{unique}", temp_prefix(owner)),
        None => format!(".tmp-{unique}"),
    });
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        sync_dir(dir)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
}

#[cfg(unix)]
pub(crate) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
pub(crate) fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}
