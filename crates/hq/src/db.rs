//! The HQ database: its own SQLite file (never a store's) with its own folder of photo
//! originals, signed PDFs and the chain's CA beside it (`<name>-files/`, never a store
//! database's `photos/` or `reports/`), or a PostgreSQL database holding both; each with its own
//! append-only migrations.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::SecondsFormat;
use rusqlite::{Connection, OpenFlags};
use storecheck_core::db::Clock;
use storecheck_core::ids::Ids;

use crate::error::{HqError, Result};
use crate::files::Files;
use crate::params;
use crate::sql::{Behavior, Conn, OptionalExtension, Pg};

const MIGRATIONS: &[&str] = &[
    include_str!("0001_hq.sql"),
    include_str!("0002_dashboard.sql"),
    include_str!("0003_ca.sql"),
    include_str!("0004_store_sections.sql"),
    include_str!("0005_enrolment.sql"),
];

/// PostgreSQL's own migrations, append-only as SQLite's: the first is the schema SQLite reached
/// in four steps.
const PG_MIGRATIONS: &[&str] = &[
    include_str!("pg/0001_hq.sql"),
    include_str!("pg/0002_enrolment.sql"),
    include_str!("pg/0003_files.sql"),
];

/// The HQ schema version this program writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The PostgreSQL schema version this program writes.
pub const PG_SCHEMA_VERSION: i64 = PG_MIGRATIONS.len() as i64;

/// `PRAGMA application_id` of HQ databases ("SCHQ"); a store database has "SCK1".
const APPLICATION_ID: i32 = 0x5343_4851;
const STORE_APPLICATION_ID: i32 = 0x5343_4B31;

/// What a PostgreSQL HQ database says it is, in its `hq_schema` table.
const PG_APPLICATION: &str = "storecheck-hq";

/// Where an HQ database is: its SQLite file, or a PostgreSQL server's database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    File(PathBuf),
    Postgres(String),
}

impl Location {
    /// A `postgres://` or `postgresql://` URL, else a file path.
    pub fn parse(s: &std::ffi::OsStr) -> Location {
        match s.to_str() {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Location::Postgres(url.to_owned())
            }
            _ => Location::File(PathBuf::from(s)),
        }
    }

    /// As shown to a person: the path, or the URL without its password.
    pub fn shown(&self) -> String {
        match self {
            Location::File(p) => p.display().to_string(),
            Location::Postgres(url) => without_password(url),
        }
    }
}

/// `postgres://user:secret@host/db` as `postgres://user@host/db`.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((user, host)) => {
            let user = user.split_once(':').map_or(user, |(u, _)| u);
            format!("{scheme}://{user}@{host}")
        }
        None => url.to_owned(),
    }
}

/// An open HQ database.
pub struct HqDb {
    pub(crate) conn: Conn,
    pub(crate) location: Location,
    pub(crate) files: Files,
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

/// This computer's folder for a PostgreSQL HQ when none is named (`hq-files` in the app's data
/// directory): copies of what must be a file here (a PDF opened in a reader, the server's
/// certificate) and an import's scratch; HQ's files themselves are in the database.
pub fn default_files_dir() -> PathBuf {
    storecheck_core::db::default_path(None).with_file_name("hq-files")
}

impl HqDb {
    /// Opens the HQ database at `location`; a PostgreSQL HQ uses the folder `files` on this
    /// computer for copies and scratch (a SQLite HQ keeps its files beside its own file).
    pub fn open_at(location: &Location, files: &Path, clock: Clock, ids: Ids) -> Result<HqDb> {
        match location {
            Location::File(path) => HqDb::open(path, clock, ids),
            Location::Postgres(url) => HqDb::open_postgres(url, files, clock, ids),
        }
    }

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
        let conn = Connection::open_with_flags(path, flags).map_err(|e| HqError::NotHq {
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
        let mut conn = Conn::Lite(conn);
        migrate_sqlite(&mut conn)?;
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "hq".into());
        let files = path
            .parent()
            .unwrap_or(Path::new("."))
            .join(format!("{stem}-files"));
        HqDb::ready(
            conn,
            Location::File(path.to_path_buf()),
            Files::Folder(files),
            clock,
            ids,
        )
    }

    /// Opens the HQ database on the PostgreSQL server at `url` (its database must exist; an
    /// empty one becomes an HQ database) and upgrades its schema; `files` is this computer's
    /// folder for copies and scratch. A database of another program or of a newer StoreCheck
    /// is refused and left as it was. An HQ database from before its files were in it takes
    /// them from `files`, where that StoreCheck kept them.
    pub fn open_postgres(url: &str, files: &Path, clock: Clock, ids: Ids) -> Result<HqDb> {
        let shown = without_password(url);
        let pg = Pg::connect(url).map_err(|e| HqError::Connect {
            url: shown.clone(),
            detail: match e {
                HqError::Db(db) => db.detail(),
                other => other.to_string(),
            },
        })?;
        let mut conn = Conn::Pg(Box::new(pg));
        migrate_postgres(&mut conn, &shown, files)?;
        HqDb::ready(
            conn,
            Location::Postgres(url.to_owned()),
            Files::Table {
                local: files.to_path_buf(),
            },
            clock,
            ids,
        )
    }

    /// The device id this workspace gives its own rows, made once: later opens only read it
    /// (no write, no lock, on every command).
    fn ready(conn: Conn, location: Location, files: Files, clock: Clock, ids: Ids) -> Result<HqDb> {
        let held = |c: &Conn| -> Result<Option<String>> {
            c.query_row(
                "SELECT value FROM workspace WHERE key = 'device'",
                (),
                |r| r.get(0),
            )
            .optional()
        };
        let device = match held(&conn)? {
            Some(d) => d,
            None => {
                conn.execute(
                    "INSERT INTO workspace (key, value) VALUES ('device', ?1)
                     ON CONFLICT DO NOTHING",
                    [ids.next().to_string()],
                )?;
                held(&conn)?.unwrap_or_default()
            }
        };
        Ok(HqDb {
            conn,
            location,
            files,
            clock,
            ids,
            device,
        })
    }

    /// Another connection to the same database, opened as this one was (a server's pool).
    pub fn reopen(&self) -> Result<HqDb> {
        HqDb::open_at(
            &self.location,
            self.files.local_dir(),
            self.clock.clone(),
            self.ids.clone(),
        )
    }

    /// A second connection to the same database, for reading while this one writes (the
    /// import's checking thread).
    pub(crate) fn second_connection(&self) -> Result<Conn> {
        Ok(match &self.location {
            Location::File(path) => {
                let c = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                c.busy_timeout(Duration::from_secs(10))?;
                Conn::Lite(c)
            }
            Location::Postgres(url) => Conn::Pg(Box::new(Pg::connect(url)?)),
        })
    }

    /// Now, as stored: RFC 3339 UTC with milliseconds.
    pub(crate) fn now(&self) -> String {
        (self.clock)().to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    /// Where the database is.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Where HQ's files are: a folder, or the database's table.
    pub fn files(&self) -> &Files {
        &self.files
    }

    /// Every file HQ holds, by name (`photos/ab/<sha256>.jpg`, `reports/<id>.pdf`, `ca/…`).
    pub fn file_names(&self) -> Result<Vec<String>> {
        self.files.names(&self.conn)
    }

    /// The bytes of HQ's file `name`, if it has it.
    pub fn file_bytes(&self, name: &str) -> Result<Option<Vec<u8>>> {
        self.files.read(&self.conn, name)
    }

    /// A photo original's bytes, if HQ has it.
    pub fn photo_bytes(&self, sha256: &str, format: &str) -> Result<Option<Vec<u8>>> {
        self.file_bytes(&crate::files::photo_name(sha256, format))
    }

    /// A signed report's bytes, if HQ has it.
    pub fn report_bytes(&self, report: uuid::Uuid) -> Result<Option<Vec<u8>>> {
        self.file_bytes(&crate::files::report_name(report))
    }

    /// A signed report as a file on this computer (for a reader to open), if HQ has it.
    pub fn report_as_file(&self, report: uuid::Uuid) -> Result<Option<PathBuf>> {
        self.files.as_file(
            &self.conn,
            &crate::files::report_name(report),
            false,
            &self.ids,
        )
    }

    /// The raw connection, for read-only queries and tests.
    pub fn connection(&self) -> &Conn {
        &self.conn
    }
}

fn migrate_sqlite(conn: &mut Conn) -> Result<()> {
    let version = |c: &Conn| -> Result<i64> {
        let lite = c.sqlite().expect("a SQLite connection");
        Ok(lite.pragma_query_value(None, "user_version", |r| r.get(0))?)
    };
    if version(conn)? == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(Behavior::Immediate)?;
    let from = version(&tx)?;
    for sql in &MIGRATIONS[from.clamp(0, SCHEMA_VERSION) as usize..] {
        tx.execute_batch(sql)?;
    }
    if from < 2 {
        fill_rollups(&tx)?;
    }
    let lite = tx.sqlite().expect("a SQLite connection");
    lite.pragma_update(None, "application_id", APPLICATION_ID)?;
    lite.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()
}

/// Schema 2's per-audit section scores and rollups, for the audits already held.
fn fill_rollups(tx: &Conn) -> Result<()> {
    let ids: Vec<String> = tx
        .prepare("SELECT id FROM audit")?
        .query_map((), |r| r.get(0))?
        .collect::<Result<_>>()?;
    for id in &ids {
        crate::rollup::put_sections(tx, id)?;
    }
    crate::rollup::rebuild(tx)
}

/// PostgreSQL's schema, made or upgraded under the write lock, so that two servers starting
/// at once upgrade it once. `shown` names the database in messages.
fn migrate_postgres(conn: &mut Conn, shown: &str, files: &Path) -> Result<()> {
    // Read first without the write lock: a database already at this schema (every open but
    // the first) does not wait behind an import another server is writing.
    if pg_schema(conn, shown)? == PG_SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(Behavior::Immediate)?;
    let from = pg_schema(&tx, shown)?;
    if from == PG_SCHEMA_VERSION {
        return tx.commit();
    }
    for sql in &PG_MIGRATIONS[from.max(0) as usize..] {
        tx.execute_batch(sql)?;
    }
    // Schemas 1 and 2 kept HQ's files in this computer's folder: into the database with them.
    if (1..3).contains(&from) {
        crate::files::adopt_folder(&tx, files)?;
    }
    tx.execute("DELETE FROM hq_schema", ())?;
    tx.execute(
        "INSERT INTO hq_schema (application, version) VALUES (?1, ?2)",
        params![PG_APPLICATION, PG_SCHEMA_VERSION],
    )?;
    tx.commit()
}

/// The schema version of the PostgreSQL HQ database (0 for an empty database); another
/// program's database, or a newer StoreCheck's, is refused.
fn pg_schema(conn: &Conn, shown: &str) -> Result<i64> {
    let not_hq = || HqError::NotHq {
        path: shown.to_owned(),
        detail: "not a StoreCheck HQ database".into(),
    };
    let (tables, marked): (i64, i64) = conn.query_row(
        "SELECT count(*), count(CASE WHEN table_name = 'hq_schema' THEN 1 END)
         FROM information_schema.tables WHERE table_schema = current_schema()",
        (),
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if marked == 0 {
        return if tables > 0 { Err(not_hq()) } else { Ok(0) };
    }
    let (application, version): (String, i64) = conn
        .query_row("SELECT application, version FROM hq_schema", (), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?
        .unwrap_or_default();
    if application != PG_APPLICATION {
        return Err(not_hq());
    }
    if version > PG_SCHEMA_VERSION {
        return Err(HqError::Newer {
            path: shown.to_owned(),
            found: version,
            supported: PG_SCHEMA_VERSION,
        });
    }
    Ok(version)
}
