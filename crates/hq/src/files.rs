//! HQ's files: photo originals, signed PDFs, the chain's CA and the HQ packages made. A SQLite
//! HQ keeps them in a folder beside its file; a PostgreSQL HQ keeps them in its own database
//! (table `hq_file`), so that every server and analyst on that database sees the same ones and
//! no server keeps anything of its own. Each is named by a relative path
//! (`photos/ab/<sha256>.jpg`, `reports/<id>.pdf`, `ca/ca-key.pem`, `packages/…`), the same on
//! both.

use std::path::{Path, PathBuf};

use storecheck_core::ids::Ids;

use crate::error::{HqError, Result};
use crate::params;
use crate::sql::{Conn, OptionalExtension};

/// The chain's CA: its key and its certificate.
pub const CA_KEY: &str = "ca/ca-key.pem";
pub const CA_CERT: &str = "ca/ca-cert.pem";
/// The HQ server's TLS certificate (then the CA's) and its key.
pub const SERVER_CERT: &str = "ca/server.pem";
pub const SERVER_KEY: &str = "ca/server.key";

/// Where HQ's files are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Files {
    /// A SQLite HQ's folder (`<name>-files/` beside its file).
    Folder(PathBuf),
    /// A PostgreSQL HQ's table. `local` is this computer's folder for what must be a file here:
    /// a PDF opened in a reader, the server's certificate for a proxy, an import's scratch.
    Table { local: PathBuf },
}

/// How a file is kept by [`Files::keep`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keep {
    /// Made once: a file that is there already is an error (the chain's CA).
    New { private: bool },
    /// Replaces what is there (a package, the server's certificate).
    Replace { private: bool },
}

impl Files {
    /// This computer's folder: all of HQ's files for a SQLite HQ, copies and scratch for a
    /// PostgreSQL one.
    pub fn local_dir(&self) -> &Path {
        match self {
            Files::Folder(dir) | Files::Table { local: dir } => dir,
        }
    }

    /// Where `name` is, or would be, as a file on this computer.
    pub fn local_path(&self, name: &str) -> PathBuf {
        self.local_dir().join(name)
    }

    /// `name` as shown in a message: its file, or its name in the database.
    pub fn shown(&self, name: &str) -> String {
        match self {
            Files::Folder(_) => self.local_path(name).display().to_string(),
            Files::Table { .. } => format!("{name} (hq_file)"),
        }
    }

    /// The bytes of `name`, or none when HQ has no such file.
    pub(crate) fn read(&self, conn: &Conn, name: &str) -> Result<Option<Vec<u8>>> {
        match self {
            Files::Folder(_) => {
                let path = self.local_path(name);
                match std::fs::read(&path) {
                    Ok(bytes) => Ok(Some(bytes)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(HqError::io(&path, e)),
                }
            }
            Files::Table { .. } => conn
                .query_row("SELECT bytes FROM hq_file WHERE name = ?1", [name], |r| {
                    r.get(0)
                })
                .optional(),
        }
    }

    /// Whether HQ has `name`.
    pub(crate) fn has(&self, conn: &Conn, name: &str) -> Result<bool> {
        match self {
            Files::Folder(_) => Ok(self.local_path(name).is_file()),
            Files::Table { .. } => Ok(conn
                .query_row("SELECT 1 FROM hq_file WHERE name = ?1", [name], |_| Ok(()))
                .optional()?
                .is_some()),
        }
    }

    /// Adds `name` within an import's transaction `tx` (an existing one stays: names are
    /// content or ids). A folder's new file is undone by `written` when the import is refused;
    /// a table's row goes with the transaction.
    pub(crate) fn add(
        &self,
        tx: &Conn,
        name: &str,
        bytes: &[u8],
        written: &mut Written,
        ids: &Ids,
    ) -> Result<()> {
        match self {
            Files::Folder(_) => written.write(&self.local_path(name), bytes, ids),
            Files::Table { .. } => insert(tx, name, bytes),
        }
    }

    /// Keeps `name` as `how` says; a private one is its owner's only in a folder.
    pub(crate) fn keep(
        &self,
        conn: &Conn,
        name: &str,
        bytes: &[u8],
        how: Keep,
        ids: &Ids,
    ) -> Result<()> {
        match self {
            Files::Folder(_) => {
                let path = self.local_path(name);
                let io = |e: storecheck_core::Error| match e {
                    storecheck_core::Error::Io { source, .. } => HqError::io(&path, source),
                    other => HqError::Corrupt(other.to_string()),
                };
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| HqError::io(dir, e))?;
                }
                use storecheck_core::files as f;
                match how {
                    Keep::New { private } => {
                        let wrote = if private {
                            f::write_durably_private(&path, bytes, ids).map_err(io)?
                        } else {
                            let there = path.exists();
                            f::write_durably(&path, bytes, ids).map_err(io)?;
                            !there
                        };
                        if !wrote {
                            return Err(HqError::Corrupt(format!(
                                "{} is there already",
                                path.display()
                            )));
                        }
                        Ok(())
                    }
                    Keep::Replace { private: true } => {
                        f::replace_durably_private(&path, bytes, ids).map_err(io)
                    }
                    Keep::Replace { private: false } => {
                        f::replace_durably(&path, bytes, ids).map_err(io)
                    }
                }
            }
            Files::Table { .. } => {
                let sql = match how {
                    Keep::New { .. } => "INSERT INTO hq_file (name, bytes) VALUES (?1, ?2)",
                    Keep::Replace { .. } => {
                        "INSERT INTO hq_file (name, bytes) VALUES (?1, ?2)
                         ON CONFLICT (name) DO UPDATE SET bytes = excluded.bytes"
                    }
                };
                conn.execute(sql, params![name, bytes])?;
                Ok(())
            }
        }
    }

    /// `name` as a file on this computer, for what needs a path (a reader opening a PDF, a
    /// proxy reading the server's certificate): the folder's own file, or a copy of the table's
    /// written now. None when HQ has no such file.
    pub(crate) fn as_file(
        &self,
        conn: &Conn,
        name: &str,
        private: bool,
        ids: &Ids,
    ) -> Result<Option<PathBuf>> {
        let path = self.local_path(name);
        match self {
            Files::Folder(_) => Ok(path.is_file().then_some(path)),
            Files::Table { .. } => {
                let Some(bytes) = self.read(conn, name)? else {
                    return Ok(None);
                };
                let copy = Files::Folder(self.local_dir().to_path_buf());
                copy.keep(conn, name, &bytes, Keep::Replace { private }, ids)?;
                Ok(Some(path))
            }
        }
    }

    /// Every name HQ has, sorted (a folder's scratch and copies aside).
    pub fn names(&self, conn: &Conn) -> Result<Vec<String>> {
        match self {
            Files::Folder(dir) => {
                let mut names = Vec::new();
                walk(dir, dir, &mut names)?;
                names.sort();
                Ok(names)
            }
            Files::Table { .. } => conn
                .prepare("SELECT name FROM hq_file ORDER BY name")?
                .query_map((), |r| r.get(0))?
                .collect(),
        }
    }
}

/// The files under `dir`, as names relative to `root` ('/'-separated); an import's scratch
/// (`work/`, `incoming/`) and temporary files are not HQ's files.
fn walk(root: &Path, dir: &Path, names: &mut Vec<String>) -> Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(HqError::io(dir, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| HqError::io(dir, e))?;
        let path = entry.path();
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if file_name.starts_with(".tmp-")
            || (dir == root && (file_name == "work" || file_name == "incoming"))
        {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, names)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            names.push(parts.join("/"));
        }
    }
    Ok(())
}

/// The name of a photo original: `photos/ab/<sha256>.<ext>`.
pub fn photo_name(sha256: &str, format: &str) -> String {
    let ext = storecheck_core::photo::Format::parse(format)
        .map_or("jpg", storecheck_core::photo::Format::extension);
    format!("photos/{}/{sha256}.{ext}", &sha256[..2.min(sha256.len())])
}

/// The name of a signed report: `reports/<id>.pdf`.
pub fn report_name(report: uuid::Uuid) -> String {
    format!("reports/{report}.pdf")
}

/// The name of HQ package `sequence`: `packages/hq-package-000001.zip`.
pub fn package_name(sequence: u64) -> String {
    format!("packages/hq-package-{sequence:06}.zip")
}

/// Copies the files an older PostgreSQL HQ kept in the folder `dir` into its table, within the
/// migration's transaction `tx`; the folder is left as it was. Returns how many.
pub(crate) fn adopt_folder(tx: &Conn, dir: &Path) -> Result<usize> {
    let folder = Files::Folder(dir.to_path_buf());
    let names = folder.names(tx)?;
    for name in &names {
        let path = folder.local_path(name);
        let bytes = std::fs::read(&path).map_err(|e| HqError::io(&path, e))?;
        insert(tx, name, &bytes)?;
    }
    Ok(names.len())
}

/// A row of `hq_file`, unless one of that name is there (names are content or ids).
fn insert(conn: &Conn, name: &str, bytes: &[u8]) -> Result<()> {
    conn.execute(
        "INSERT INTO hq_file (name, bytes) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        params![name, bytes],
    )?;
    Ok(())
}

/// The photo and PDF files an import wrote into HQ's folder where there were none, and the
/// folders it made for them: removed again when the import is refused or fails, so that
/// nothing of a refused file stays at HQ. (They are written before the rows are committed, so
/// that a row never names a file that is not there.)
#[derive(Default)]
pub(crate) struct Written {
    files: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
}

impl Written {
    fn write(&mut self, path: &Path, bytes: &[u8], ids: &Ids) -> Result<()> {
        let existed = path.exists();
        let mut made = Vec::new();
        let mut dir = path.parent();
        while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
            made.push(d.to_path_buf());
            dir = d.parent();
        }
        let result = storecheck_core::files::write_durably(path, bytes, ids)
            .map_err(|e| HqError::Corrupt(e.to_string()));
        if !existed && path.exists() {
            self.files.push(path.to_path_buf());
        }
        self.dirs.extend(made);
        result
    }

    pub(crate) fn undo(mut self) {
        for file in &self.files {
            let _ = std::fs::remove_file(file);
        }
        // The deepest first; a folder something else has put a file into stays.
        self.dirs
            .sort_by_key(|d| std::cmp::Reverse(d.components().count()));
        for dir in &self.dirs {
            let _ = std::fs::remove_dir(dir);
        }
    }
}
