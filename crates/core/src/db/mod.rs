//! The SQLite store: opening a database, upgrading its schema, and the device it belongs to.
//!
//! [`Db::open`] sets WAL with `synchronous = FULL` (a committed answer survives a crash or a
//! power cut), foreign keys and a busy timeout; refuses a database written by a newer program;
//! runs the append-only migrations below, all in one transaction; and checks integrity.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use uuid::Uuid;

use crate::error::{Error, Result};

/// Schema versions, oldest first. Never edit one that has shipped: append a new one.
const MIGRATIONS: &[&str] = &[
    include_str!("0001_initial.sql"),
    include_str!("0002_photos.sql"),
    include_str!("0003_reports.sql"),
];

/// The schema version this program writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Where time comes from; tests pass a fixed one.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(Utc::now)
}

/// An open StoreCheck database, the device it belongs to, and the clock it stamps rows with.
pub struct Db {
    pub(crate) conn: Connection,
    device: Uuid,
    clock: Clock,
    /// Where photos live: beside the database file; none for an in-memory database.
    pub(crate) photos: Option<crate::photo::PhotoStore>,
}

/// The database the desktop app and the command line use when none is named:
/// `$STORECHECK_DB`, else `storecheck.db` in the user's data directory.
pub fn default_path() -> PathBuf {
    if let Some(p) = std::env::var_os("STORECHECK_DB") {
        return PathBuf::from(p);
    }
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("app.storecheck")
        .join("storecheck.db")
}

impl Db {
    /// Opens (creating if needed) the database at `path`, upgrading its schema.
    ///
    /// Errors: [`Error::NewerDatabase`] for a file from a newer StoreCheck, [`Error::Corrupt`]
    /// when the integrity check fails (the file is left as it is), [`Error::Io`] when the
    /// folder cannot be made.
    pub fn open(path: &Path, clock: Clock) -> Result<Db> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let conn = Connection::open(path)?;
        let mut db = Db::setup(conn, clock, true)?;
        db.photos = Some(crate::photo::PhotoStore::beside(path));
        Ok(db)
    }

    /// A private in-memory database, for tests and benchmarks.
    pub fn open_in_memory(clock: Clock) -> Result<Db> {
        Db::setup(Connection::open_in_memory()?, clock, false)
    }

    fn setup(mut conn: Connection, clock: Clock, file: bool) -> Result<Db> {
        conn.busy_timeout(Duration::from_secs(5))?;
        let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(Error::NewerDatabase {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        if found > 0 {
            let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
            if check != "ok" {
                return Err(Error::Corrupt(check));
            }
        }
        if file {
            conn.pragma_update(None, "journal_mode", "WAL")?;
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        migrate(&mut conn, found)?;
        let device = own_device(&mut conn, &clock)?;
        Ok(Db {
            conn,
            device,
            clock,
            photos: None,
        })
    }

    /// This installation's device id, stamped on every row it makes.
    pub fn device(&self) -> Uuid {
        self.device
    }

    /// Now, as stored: RFC 3339 UTC with milliseconds.
    pub(crate) fn now(&self) -> String {
        (self.clock)().to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    /// Today's date in UTC, `YYYY-MM-DD`.
    pub fn today(&self) -> String {
        (self.clock)().format("%Y-%m-%d").to_string()
    }

    /// A new row id: UUID v7, ordered by creation time.
    pub(crate) fn new_id(&self) -> Uuid {
        Uuid::now_v7()
    }

    /// Runs `f` in one immediate transaction: all of its writes land, or none.
    pub(crate) fn write<T>(&mut self, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        let now = self.now();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&Tx {
            tx: &tx,
            device: self.device,
            now,
        })?;
        tx.commit()?;
        Ok(out)
    }

    /// The raw connection, for read-only queries in this crate and for tests that must prove
    /// the schema itself refuses a write.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// A write transaction with the device and time every row it writes is stamped with.
pub(crate) struct Tx<'a> {
    pub tx: &'a rusqlite::Transaction<'a>,
    pub device: Uuid,
    pub now: String,
}

impl Tx<'_> {
    /// Marks an audit as changed now (a change to one of its answers, photos or actions).
    pub fn touch_audit(&self, audit: Uuid) -> Result<()> {
        self.tx.execute(
            "UPDATE audit SET updated_at = ?2 WHERE id = ?1",
            rusqlite::params![audit.to_string(), self.now],
        )?;
        Ok(())
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.tx
    }
}

fn migrate(conn: &mut Connection, from: i64) -> Result<()> {
    if from == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
    for sql in &MIGRATIONS[from as usize..] {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

fn own_device(conn: &mut Connection, clock: &Clock) -> Result<Uuid> {
    let found: Option<String> = conn
        .query_row("SELECT id FROM device WHERE is_self = 1", [], |r| r.get(0))
        .optional()?;
    if let Some(id) = found {
        return Uuid::parse_str(&id).map_err(|e| Error::Corrupt(format!("device id: {e}")));
    }
    let id = Uuid::now_v7();
    let name = std::env::var("HOSTNAME").unwrap_or_else(|_| "this computer".to_string());
    conn.execute(
        "INSERT INTO device (id, name, is_self, created_at) VALUES (?1, ?2, 1, ?3)",
        (
            id.to_string(),
            name,
            clock().to_rfc3339_opts(SecondsFormat::Millis, true),
        ),
    )?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_database_gets_the_current_schema_and_a_device() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("nested").join("s.db");
        let db = Db::open(&path, system_clock()).expect("open");
        let v: i64 = db
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .expect("user_version");
        assert_eq!(v, SCHEMA_VERSION);
        let device = db.device();
        drop(db);
        let again = Db::open(&path, system_clock()).expect("reopen");
        assert_eq!(
            again.device(),
            device,
            "the device id must survive a reopen"
        );
        let mode: String = again
            .conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .expect("journal_mode");
        assert_eq!(mode, "wal");
    }

    #[test]
    fn a_database_from_a_newer_program_is_refused_untouched() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("s.db");
        {
            let c = Connection::open(&path).expect("create");
            c.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
                .expect("set version");
        }
        let before = std::fs::read(&path).expect("read");
        let err = Db::open(&path, system_clock()).err().expect("must refuse");
        assert!(matches!(err, Error::NewerDatabase { found, .. } if found == SCHEMA_VERSION + 1));
        assert!(err.to_string().contains("newer StoreCheck"), "{err}");
        assert_eq!(
            std::fs::read(&path).expect("read"),
            before,
            "file must stay as it was"
        );
    }

    #[test]
    fn a_corrupt_file_is_refused_with_a_storage_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("s.db");
        std::fs::write(
            &path,
            b"this is not a database, just text that is long enough",
        )
        .expect("write");
        let err = Db::open(&path, system_clock()).err().expect("must refuse");
        assert_eq!(err.code(), crate::error::ErrorCode::Storage, "{err}");
    }
}
