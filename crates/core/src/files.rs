//! Durable file writes, the one way StoreCheck puts a file on disk.
//!
//! A file is written under a temporary name in its own folder, flushed to disk, renamed to its
//! final name and the folder flushed: a file under its final name is always whole, whatever
//! moment a crash or a full disk strikes. A temporary name carries the id of the database
//! (its device) that writes it, `.tmp-<device>-<unique>`, so the start-up tidy
//! ([`crate::tidy`]) removes only what provably is an unfinished write of its own database,
//! never another database's file in the same folder. The unique part of a temporary name comes
//! from the caller's [`Ids`] (a database's own: [`crate::Db::ids`]).

use std::io::Write;
use std::path::Path;

use uuid::Uuid;

use crate::error::{Error, Result};
use crate::ids::Ids;

/// The start of every temporary file name a database with this device id writes.
pub fn temp_prefix(owner: Uuid) -> String {
    format!(".tmp-{owner}-")
}

/// Writes `bytes` to a new file at `path` durably; an existing file stays as it is.
pub fn write_durably(path: &Path, bytes: &[u8], ids: &Ids) -> Result<()> {
    write_new(path, bytes, None, ids).map(|_| ())
}

/// Writes `bytes` to `path` unless a file is there; returns whether it wrote. `owner` is the
/// device id of the database the file belongs to, named in the temporary file.
pub(crate) fn write_new(path: &Path, bytes: &[u8], owner: Option<Uuid>, ids: &Ids) -> Result<bool> {
    if path.exists() {
        return Ok(false);
    }
    replace(path, bytes, owner, ids)?;
    Ok(true)
}

/// As [`write_durably`], for a secret (a signing key): on Unix the file may be read and written
/// by its owner only, from the moment its temporary file is made, and it never replaces a file
/// another process put there meanwhile (it is linked into place, not renamed over). A kill
/// leaves either no file or the whole one, never a part; a leftover temporary (`.tmp-…`) is
/// never the file itself. Returns whether it wrote.
pub fn write_durably_private(path: &Path, bytes: &[u8], ids: &Ids) -> Result<bool> {
    if path.exists() {
        return Ok(false);
    }
    write_through_temporary(path, bytes, None, Secret::KeepExisting, ids)
}

/// As [`replace_durably`], for a secret that is renewed (a TLS server key): on Unix the file may
/// be read and written by its owner only, from the moment its temporary file is made; a kill
/// leaves the old file or the new one whole.
pub fn replace_durably_private(path: &Path, bytes: &[u8], ids: &Ids) -> Result<()> {
    write_through_temporary(path, bytes, None, Secret::Replace, ids).map(|_| ())
}

/// Writes `bytes` to `path` durably, replacing what is there: a kill leaves the old file or
/// the new one whole.
pub fn replace_durably(path: &Path, bytes: &[u8], ids: &Ids) -> Result<()> {
    replace(path, bytes, None, ids)
}

/// Writes `bytes` to `path` durably, replacing what is there.
pub(crate) fn replace(path: &Path, bytes: &[u8], owner: Option<Uuid>, ids: &Ids) -> Result<()> {
    write_through_temporary(path, bytes, owner, Secret::No, ids).map(|_| ())
}

/// Whether a file is a secret (owner-only), and whether it may replace one already there.
#[derive(Clone, Copy, PartialEq)]
enum Secret {
    No,
    /// Never over a file another process put there meanwhile.
    KeepExisting,
    Replace,
}

/// Temporary file, flush, then into place (a private file by a link that fails when the name
/// is taken, where the file system has links), then flush the folder. Returns whether the file
/// at `path` is the one written.
fn write_through_temporary(
    path: &Path,
    bytes: &[u8],
    owner: Option<Uuid>,
    secret: Secret,
    ids: &Ids,
) -> Result<bool> {
    let private = secret != Secret::No;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let unique = ids.next();
    let tmp = dir.join(match owner {
        Some(owner) => format!("{}{unique}", temp_prefix(owner)),
        None => format!(".tmp-{unique}"),
    });
    let result = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        if private {
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        }
        let mut f = options.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        let placed = if secret == Secret::KeepExisting {
            match std::fs::hard_link(&tmp, path) {
                Ok(()) => {
                    std::fs::remove_file(&tmp)?;
                    true
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    std::fs::remove_file(&tmp)?;
                    false
                }
                Err(_) => {
                    std::fs::rename(&tmp, path)?;
                    true
                }
            }
        } else {
            std::fs::rename(&tmp, path)?;
            true
        };
        sync_dir(dir)?;
        Ok(placed)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

#[cfg(unix)]
pub(crate) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
pub(crate) fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}
