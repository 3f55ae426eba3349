//! The SQLite store: opening a database, upgrading its schema, and the device it belongs to.
//!
//! [`Db::open`] sets WAL with `synchronous = FULL` (a committed answer survives a crash or a
//! power cut), foreign keys and a busy timeout; refuses a database written by a newer program;
//! runs the append-only migrations below, all in one transaction; and checks integrity.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use uuid::Uuid;

use crate::error::{DatabaseProblem, Error, Result};
pub use crate::ids::Ids;

/// Schema versions, oldest first. Never edit one that has shipped: append a new one.
const MIGRATIONS: &[Migration] = &[
    Migration::Sql(include_str!("0001_initial.sql")),
    Migration::Sql(include_str!("0002_photos.sql")),
    Migration::Sql(include_str!("0003_reports.sql")),
    Migration::Sql(include_str!("0004_sync.sql")),
    Migration::Rust(derived_ids::migrate),
    Migration::Sql(include_str!("0006_followups.sql")),
    Migration::Sql(include_str!("0007_hq_package.sql")),
    Migration::Sql(include_str!("0008_push.sql")),
    Migration::Sql(include_str!("0009_hq_server_from_package.sql")),
];

/// One step of the schema: SQL, or Rust where SQL cannot compute what it writes. Both run in
/// the one transaction of [`migrate`].
enum Migration {
    Sql(&'static str),
    Rust(fn(&Connection) -> rusqlite::Result<()>),
}

#[path = "0005_derived_ids.rs"]
mod derived_ids;

/// The schema version this program writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Where time comes from; tests pass a fixed one.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The system clock: the one place StoreCheck's core reads the time, for [`Inputs::system`].
#[allow(clippy::disallowed_methods)] // the production clock itself (clippy.toml)
fn system_clock() -> Clock {
    Arc::new(Utc::now)
}

/// What a database takes from outside itself: the time, new ids, and the name a new database
/// gives its own device. Nothing in the core reads these from the system behind the caller's
/// back, so a test that fixes them gets the same rows on every run.
#[derive(Clone)]
pub struct Inputs {
    pub clock: Clock,
    /// Row ids and temporary file names; made from `clock`'s time.
    pub ids: Ids,
    /// The computer's name, recorded when a new database makes its device (an existing
    /// database keeps the name it has).
    pub device_name: String,
}

/// This computer's name as people know it: the one its system settings give it (Windows' and
/// macOS's computer name, Linux's pretty host name), else `$HOSTNAME`, else its host name; none
/// when there is none of these. A program reads it once, for a new database's device: HQ lists
/// the store laptops by it.
#[allow(clippy::disallowed_methods)]
pub fn computer_name() -> Option<String> {
    let named = |n: String| {
        let n = n.trim().to_string();
        (!n.is_empty() && n != "localhost").then_some(n)
    };
    whoami::devicename()
        .ok()
        .and_then(named)
        .or_else(|| std::env::var("HOSTNAME").ok().and_then(named))
        .or_else(|| whoami::hostname().ok().and_then(named))
}

impl Inputs {
    /// The running program's: the system clock, the operating system's random source, and the
    /// computer's name as the caller read it ([`computer_name`]), "this computer" without one.
    pub fn system(host_name: Option<String>) -> Inputs {
        let clock = system_clock();
        Inputs {
            ids: Ids::from_os(clock.clone()),
            clock,
            device_name: host_name
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "this computer".to_string()),
        }
    }

    /// A test's: `clock` and ids fixed by `seed` ([`Ids::seeded`]), on a computer named
    /// "test computer". The same calls then make the same ids and times.
    pub fn seeded(clock: Clock, seed: u64) -> Inputs {
        Inputs {
            ids: Ids::seeded(clock.clone(), seed),
            clock,
            device_name: "test computer".to_string(),
        }
    }
}

/// An open StoreCheck database, the device it belongs to, and the clock and ids it stamps rows
/// with.
pub struct Db {
    pub(crate) conn: Connection,
    device: Uuid,
    clock: Clock,
    ids: Ids,
    /// Where photos live: beside the database file; none for an in-memory database.
    pub(crate) photos: Option<crate::photo::PhotoStore>,
    /// Whether an [`Db::atomically`] transaction is open: writes then use savepoints in it.
    in_batch: bool,
}

/// The database the desktop app and the command line use when none is named: `named` (the
/// caller reads `$STORECHECK_DB`), else `storecheck.db` in the user's data directory.
pub fn default_path(named: Option<std::ffi::OsString>) -> PathBuf {
    if let Some(p) = named {
        return PathBuf::from(p);
    }
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("app.storecheck")
        .join("storecheck.db")
}

/// `PRAGMA application_id` of every database StoreCheck makes ("SCK1"), so a file is known
/// for StoreCheck's own before anything is written to it.
const APPLICATION_ID: i32 = 0x5343_4B31;

impl Db {
    /// Opens the database at `path`, creating it when there is no file there, and upgrades
    /// its schema.
    ///
    /// A new database is built under a temporary name and linked into place only when complete,
    /// so any number of processes may create it at once: one wins, the others open its file.
    /// An existing file is never replaced or started afresh: an empty file, another program's
    /// database, a damaged one or one from a newer StoreCheck is refused with
    /// [`Error::Database`] and left exactly as it was.
    ///
    /// Rows are stamped with the time and ids of `inputs`; a new database names its device
    /// after `inputs.device_name`.
    pub fn open(path: &Path, inputs: Inputs) -> Result<Db> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        if !path.exists() {
            create_new(path, &inputs)?;
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| refused(path, e))?;
        let mut db = Db::setup(conn, inputs, Some(path))?;
        db.photos = Some(crate::photo::PhotoStore::beside(path).owned_by(db.device));
        Ok(db)
    }

    /// A private in-memory database, for tests and benchmarks.
    pub fn open_in_memory(inputs: Inputs) -> Result<Db> {
        Db::setup(Connection::open_in_memory()?, inputs, None)
    }

    fn setup(mut conn: Connection, inputs: Inputs, file: Option<&Path>) -> Result<Db> {
        let shown = file.map_or_else(|| ":memory:".to_string(), |p| p.display().to_string());
        let database = |problem| Error::Database {
            path: shown.clone(),
            problem,
        };
        conn.busy_timeout(Duration::from_secs(5))?;
        if let Some(path) = file {
            recognise(&conn, path)?;
        }
        let found = schema_version(&conn).map_err(|e| refused_as(&shown, e))?;
        if found > 0 {
            let check: String = conn
                .query_row("PRAGMA quick_check", [], |r| r.get(0))
                .map_err(|e| refused_as(&shown, e))?;
            if check != "ok" {
                return Err(database(DatabaseProblem::Damaged { detail: check }));
            }
        }
        if file.is_some() {
            conn.pragma_update(None, "journal_mode", "WAL")?;
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        migrate(&mut conn).map_err(|(from, e)| match e {
            Error::Db(db)
                if db.sqlite_error_code().is_some_and(|c| {
                    matches!(
                        c,
                        rusqlite::ErrorCode::DiskFull | rusqlite::ErrorCode::SystemIoFailure
                    )
                }) =>
            {
                Error::Db(db)
            }
            Error::Db(db) => database(DatabaseProblem::UpgradeFailed {
                from,
                detail: db
                    .sqlite_error_code()
                    .map_or_else(|| "SQL error".to_string(), |c| format!("{c:?}")),
            }),
            other => other,
        })?;
        let device = own_device(&mut conn, &inputs)?;
        Ok(Db {
            conn,
            device,
            clock: inputs.clock,
            ids: inputs.ids,
            photos: None,
            in_batch: false,
        })
    }

    /// This installation's device id, stamped on every row it makes.
    pub fn device(&self) -> Uuid {
        self.device
    }

    /// The name this installation's device was given when its database was made.
    pub fn device_name(&self) -> Result<String> {
        Ok(self.conn.query_row(
            "SELECT name FROM device WHERE id = ?1",
            [self.device.to_string()],
            |r| r.get(0),
        )?)
    }

    /// Now, as stored: RFC 3339 UTC with milliseconds.
    pub fn now(&self) -> String {
        (self.clock)().to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    /// Today's date in UTC, `YYYY-MM-DD`.
    pub fn today(&self) -> String {
        (self.clock)().format("%Y-%m-%d").to_string()
    }

    /// A new row id: UUID v7 from the injected ids, ordered by creation time.
    pub(crate) fn new_id(&self) -> Uuid {
        self.ids.next()
    }

    /// Where this database's ids come from, for the ids of rows and files made outside the
    /// core (a signed report) and for temporary file names.
    pub fn ids(&self) -> &Ids {
        &self.ids
    }

    /// Runs `f` in one immediate transaction: all of its writes land, or none. Inside
    /// [`Db::atomically`] it is a savepoint of that transaction.
    pub(crate) fn write<T>(&mut self, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        let now = self.now();
        let device = self.device;
        if self.in_batch {
            let sp = self.conn.savepoint()?;
            let out = f(&Tx {
                tx: &sp,
                device,
                now,
            })?;
            sp.commit()?;
            return Ok(out);
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&Tx {
            tx: &tx,
            device,
            now,
        })?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` holding the database's write lock from its first read to its last write, in
    /// one transaction: what `f` checks is still true when it acts on it (no other process
    /// writes in between), and all of its writes land, or none. Nested calls join the
    /// outer one.
    pub fn atomically<T>(&mut self, f: impl FnOnce(&mut Db) -> Result<T>) -> Result<T> {
        if self.in_batch {
            return f(self);
        }
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        self.in_batch = true;
        let out = f(self);
        self.in_batch = false;
        match out {
            Ok(v) => match self.conn.execute_batch("COMMIT") {
                Ok(()) => Ok(v),
                Err(e) => {
                    let _ = self.conn.execute_batch("ROLLBACK");
                    Err(e.into())
                }
            },
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// The raw connection, for read-only queries in this crate and for tests that must prove
    /// the schema itself refuses a write.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// A write transaction with the device and time every row it writes is stamped with.
pub(crate) struct Tx<'a> {
    pub tx: &'a Connection,
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

/// Upgrades the schema to [`SCHEMA_VERSION`] in one exclusive transaction, reading the version
/// inside it so two processes upgrading at once never run a migration twice. On failure,
/// returns the version it started from.
fn migrate(conn: &mut Connection) -> std::result::Result<(), (i64, Error)> {
    if schema_version(conn).map_err(|e| (0, e.into()))? == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Exclusive)
        .map_err(|e| (0, e.into()))?;
    let from = schema_version(&tx).map_err(|e| (0, e.into()))?;
    let run = || -> rusqlite::Result<()> {
        for step in &MIGRATIONS[from.clamp(0, SCHEMA_VERSION) as usize..] {
            match step {
                Migration::Sql(sql) => tx.execute_batch(sql)?,
                Migration::Rust(run) => run(&tx)?,
            }
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        Ok(())
    };
    run().map_err(|e| (from, e.into()))?;
    tx.commit().map_err(|e| (from, e.into()))
}

fn schema_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
}

/// Refuses a file that is not a StoreCheck database this program can open: empty, another
/// program's, from a newer StoreCheck, or with a schema number none ever had.
fn recognise(conn: &Connection, path: &Path) -> Result<()> {
    let database = |problem| Error::Database {
        path: path.display().to_string(),
        problem,
    };
    if std::fs::metadata(path).is_ok_and(|m| m.len() == 0) {
        return Err(database(DatabaseProblem::Empty));
    }
    let read = || -> rusqlite::Result<(i32, i64, bool)> {
        let app: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
        let version = schema_version(conn)?;
        let has_device = conn
            .query_row(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'device'",
                [],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        Ok((app, version, has_device))
    };
    let (app, version, has_device) = read().map_err(|e| refused(path, e))?;
    // Databases from before the application id was set are known by their schema.
    let ours = app == APPLICATION_ID || (app == 0 && version > 0 && has_device);
    if !ours {
        return Err(database(DatabaseProblem::NotStoreCheck));
    }
    if version > SCHEMA_VERSION {
        return Err(database(DatabaseProblem::Newer {
            found: version,
            supported: SCHEMA_VERSION,
        }));
    }
    if version < 1 {
        return Err(database(DatabaseProblem::UnknownSchema { found: version }));
    }
    Ok(())
}

/// An SQLite failure while first reading a file: a file that is not a database or is damaged.
fn refused(path: &Path, e: rusqlite::Error) -> Error {
    refused_as(&path.display().to_string(), e)
}

fn refused_as(path: &str, e: rusqlite::Error) -> Error {
    use rusqlite::ErrorCode as C;
    let problem = match e.sqlite_error_code() {
        Some(C::NotADatabase) => DatabaseProblem::NotStoreCheck,
        Some(C::DatabaseCorrupt) => DatabaseProblem::Damaged {
            detail: "SQLite: database disk image is malformed".into(),
        },
        _ => return Error::Db(e),
    };
    Error::Database {
        path: path.to_string(),
        problem,
    }
}

/// Creates a complete new database at `path` unless a file appears there first: the schema
/// and the device are written under a temporary name in the same folder, which is then linked
/// to `path` (never replacing a file another process put there meanwhile) and removed.
fn create_new(path: &Path, inputs: &Inputs) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.new-{}", inputs.ids.next()));
    let built = (|| -> Result<()> {
        let mut conn = Connection::open(&tmp)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        migrate(&mut conn).map_err(|(_, e)| e)?;
        own_device(&mut conn, inputs)?;
        conn.close().map_err(|(_, e)| Error::Db(e))?;
        Ok(())
    })();
    let linked = built.and_then(|()| match std::fs::hard_link(&tmp, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()), // another process won
        Err(_) if !path.exists() => {
            // A file system without hard links (a FAT stick): rename, after one more look.
            std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
        }
        Err(_) => Ok(()),
    });
    for leftover in [tmp.clone(), wal_of(&tmp, "-wal"), wal_of(&tmp, "-shm")] {
        let _ = std::fs::remove_file(leftover);
    }
    linked?;
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}

/// This database's own device, made on first open (inside one write transaction, so two
/// processes opening at once agree on it).
fn own_device(conn: &mut Connection, inputs: &Inputs) -> Result<Uuid> {
    let read = |c: &Connection| -> Result<Option<Uuid>> {
        let found: Option<String> = c
            .query_row("SELECT id FROM device WHERE is_self = 1", [], |r| r.get(0))
            .optional()?;
        found
            .map(|id| Uuid::parse_str(&id).map_err(|e| Error::Corrupt(format!("device id: {e}"))))
            .transpose()
    };
    if let Some(id) = read(conn)? {
        return Ok(id);
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if let Some(id) = read(&tx)? {
        return Ok(id);
    }
    let id = inputs.ids.next();
    tx.execute(
        "INSERT INTO device (id, name, is_self, created_at) VALUES (?1, ?2, 1, ?3)",
        (
            id.to_string(),
            &inputs.device_name,
            (inputs.clock)().to_rfc3339_opts(SecondsFormat::Millis, true),
        ),
    )?;
    tx.commit()?;
    Ok(id)
}

fn wal_of(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_database_names_its_device_after_this_computer_without_being_told() {
        // Found at HQ: every laptop was "this computer", as a program started from the desktop
        // has no $HOSTNAME (bash sets it, but does not export it).
        let name = computer_name().expect("this computer has a name");
        assert!(!name.trim().is_empty() && name != "localhost", "{name:?}");
        let dir = tempfile::tempdir().expect("temp dir");
        let db = Db::open(&dir.path().join("s.db"), Inputs::system(computer_name())).expect("open");
        assert_eq!(db.device_name().expect("device"), name);
    }

    #[test]
    fn a_new_database_gets_the_current_schema_and_a_device() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("nested").join("s.db");
        let db = Db::open(&path, Inputs::system(None)).expect("open");
        let v: i64 = db
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .expect("user_version");
        assert_eq!(v, SCHEMA_VERSION);
        let device = db.device();
        drop(db);
        let again = Db::open(&path, Inputs::system(None)).expect("reopen");
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
            c.pragma_update(None, "application_id", APPLICATION_ID)
                .expect("set id");
            c.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
                .expect("set version");
        }
        let before = std::fs::read(&path).expect("read");
        let err = Db::open(&path, Inputs::system(None))
            .err()
            .expect("must refuse");
        assert!(matches!(
            err,
            Error::Database { problem: DatabaseProblem::Newer { found, .. }, .. } if found == SCHEMA_VERSION + 1
        ));
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
        let err = Db::open(&path, Inputs::system(None))
            .err()
            .expect("must refuse");
        assert_eq!(err.code(), crate::error::ErrorCode::Storage, "{err}");
    }
}
