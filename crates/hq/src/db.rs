//! The HQ database: its own SQLite file (never a store's), its own append-only migrations, and
//! its own folder of photo originals and signed PDFs beside it (`<name>-files/`), never a
//! store database's `photos/` or `reports/`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::SecondsFormat;
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use storecheck_core::db::Clock;
use storecheck_core::ids::Ids;

use crate::error::{HqError, Result};

const MIGRATIONS: &[&str] = &[
    include_str!("0001_hq.sql"),
    include_str!("0002_dashboard.sql"),
    include_str!("0003_ca.sql"),
    include_str!("0004_store_sections.sql"),
];

/// The HQ schema version this program writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// `PRAGMA application_id` of HQ databases ("SCHQ"); a store database has "SCK1".
const APPLICATION_ID: i32 = 0x5343_4851;
const STORE_APPLICATION_ID: i32 = 0x5343_4B31;

/// An open HQ database.
pub struct HqDb {
    pub(crate) conn: Connection,
    /// The database file, for a second, read-only connection (the import's reader thread).
    pub(crate) path: PathBuf,
    pub(crate) files: PathBuf,
    pub(crate) clock: Clock,
    pub(crate) ids: Ids,
    /// This workspace's device id, carried by HQ's own rows.
    pub(crate) device: String,
}

/// The HQ database used when none is named: `named` (the caller reads `$STORECHECK_HQ`), else
/// `hq.db` in the app's data directory, beside the store database.
pub fn default_path(named: Option<std::ffi::OsString>) -> PathBuf {
    match named {
        Some(p) => PathBuf::from(p),
        None => storecheck_core::db::default_path(None).with_file_name("hq.db"),
    }
}

impl HqDb {
    /// Opens the HQ database at `path`, creating it (and its folder) when there is none, and
    /// upgrades its schema. A store database, another program's file or one from a newer
    /// StoreCheck is refused and left as it was.
    pub fn open(path: &Path, clock: Clock, ids: Ids) -> Result<HqDb> {
        let shown = path.display().to_string();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| HqError::io(dir, e))?;
        }
        let existed = path.exists();
        let flags = if existed {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
        };
        let mut conn = Connection::open_with_flags(path, flags).map_err(|e| HqError::NotHq {
            path: shown.clone(),
            detail: e.to_string(),
        })?;
        conn.busy_timeout(Duration::from_secs(10))?;
        if existed {
            let read = |c: &Connection| -> rusqlite::Result<(i32, i64)> {
                Ok((
                    c.pragma_query_value(None, "application_id", |r| r.get(0))?,
                    c.pragma_query_value(None, "user_version", |r| r.get(0))?,
                ))
            };
            let (app, version) = read(&conn).map_err(|e| HqError::NotHq {
                path: shown.clone(),
                detail: e.to_string(),
            })?;
            // A file with no schema at all: an empty file, or one whose making was cut short
            // (killed before its first migration committed). There is nothing in it to lose.
            let objects: i64 = conn
                .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
                .map_err(|e| HqError::NotHq {
                    path: shown.clone(),
                    detail: e.to_string(),
                })?;
            let empty = objects == 0 && version == 0;
            if app == STORE_APPLICATION_ID {
                return Err(HqError::StoreDatabase { path: shown });
            }
            if !empty && app != APPLICATION_ID {
                return Err(HqError::NotHq {
                    path: shown,
                    detail: "not a StoreCheck HQ database".into(),
                });
            }
            if version > SCHEMA_VERSION {
                return Err(HqError::Newer {
                    path: shown,
                    found: version,
                    supported: SCHEMA_VERSION,
                });
            }
        }
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        migrate(&mut conn)?;
        // This workspace's own device id, made once: later opens only read it (no write, no
        // lock, on every command).
        let held = |c: &Connection| -> rusqlite::Result<Option<String>> {
            c.query_row(
                "SELECT value FROM workspace WHERE key = 'device'",
                [],
                |r| r.get(0),
            )
            .optional()
        };
        let device = match held(&conn)? {
            Some(d) => d,
            None => {
                conn.execute(
                    "INSERT OR IGNORE INTO workspace (key, value) VALUES ('device', ?1)",
                    [ids.next().to_string()],
                )?;
                held(&conn)?.unwrap_or_default()
            }
        };
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "hq".into());
        let files = path
            .parent()
            .unwrap_or(Path::new("."))
            .join(format!("{stem}-files"));
        Ok(HqDb {
            conn,
            path: path.to_path_buf(),
            files,
            clock,
            ids,
            device,
        })
    }

    /// Now, as stored: RFC 3339 UTC with milliseconds.
    pub(crate) fn now(&self) -> String {
        (self.clock)().to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The folder of photo originals and signed PDFs beside this database.
    pub fn files_dir(&self) -> &Path {
        &self.files
    }

    /// Where HQ keeps a photo original.
    pub fn photo_path(&self, sha256: &str, format: &str) -> PathBuf {
        photo_file(&self.files, sha256, format)
    }

    /// Where HQ keeps a signed report.
    pub fn report_path(&self, report: uuid::Uuid) -> PathBuf {
        report_file(&self.files, report)
    }

    /// The raw connection, for read-only queries and tests.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let version = |c: &Connection| -> rusqlite::Result<i64> {
        c.pragma_query_value(None, "user_version", |r| r.get(0))
    };
    if version(conn)? == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
    let from = version(&tx)?;
    for sql in &MIGRATIONS[from.clamp(0, SCHEMA_VERSION) as usize..] {
        tx.execute_batch(sql)?;
    }
    if from < 2 {
        // Schema 2's per-audit section scores and rollups, for the audits already held.
        let ids: Vec<String> = tx
            .prepare("SELECT id FROM audit")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for id in &ids {
            crate::rollup::put_sections(&tx, id)?;
        }
        crate::rollup::rebuild(&tx)?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

/// A photo original in HQ's folder of files: `photos/ab/<sha256>.<ext>`.
pub(crate) fn photo_file(files: &Path, sha256: &str, format: &str) -> PathBuf {
    let ext = storecheck_core::photo::Format::parse(format)
        .map_or("jpg", storecheck_core::photo::Format::extension);
    files
        .join("photos")
        .join(&sha256[..2.min(sha256.len())])
        .join(format!("{sha256}.{ext}"))
}

/// A signed report in HQ's folder of files: `reports/<id>.pdf`.
pub(crate) fn report_file(files: &Path, report: uuid::Uuid) -> PathBuf {
    files.join("reports").join(format!("{report}.pdf"))
}
