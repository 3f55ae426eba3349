//! The database file and the files beside it under the unlucky and the hostile: several
//! databases in one folder, an emptied or foreign file, processes racing to create a new one,
//! an interrupted demo, a full disk. Nothing the user saved is ever removed or replaced.

// The leftovers of a crash are judged by their files' real age, so these tests read the
// system clock.
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};
use std::time::{Duration, SystemTime};

use storecheck_core::db::Inputs;
use storecheck_core::error::DatabaseProblem;
use storecheck_core::files::temp_prefix;
use storecheck_core::tidy::Leftovers;
use storecheck_core::{Db, Error, ErrorCode, Lang};

/// Every file under `dir` (but the databases themselves) with its bytes.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let Ok(list) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in list.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if !path.to_string_lossy().contains(".db") {
                out.insert(path.clone(), std::fs::read(&path).expect("read"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, &mut out);
    out
}

fn count(db: &Db, table: &str) -> i64 {
    db.connection()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}

#[test]
fn a_second_database_in_the_same_folder_never_removes_the_firsts_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut first = Db::open(&dir.path().join("first.db"), Inputs::system(None)).expect("open");
    first.load_demo(Lang::Ru).expect("demo with photos");
    let second = Db::open(&dir.path().join("copy.db"), Inputs::system(None)).expect("open");
    let photo = first
        .list_audits()
        .expect("audits")
        .iter()
        .flat_map(|a| first.photos(a.id).expect("photos"))
        .next()
        .expect("the demo has photos");
    let shard = first
        .photo_store()
        .expect("store")
        .root()
        .join(&photo.sha256[..2]);
    // A whole file no row of either database refers to (a crash between rename and commit),
    // temporaries each database left, and one from an older StoreCheck without an owner.
    let orphan = shard.join(format!("{}.jpg", "ab".repeat(32)));
    std::fs::write(&orphan, b"whole but unrecorded").expect("orphan");
    let firsts_temp = shard.join(format!("{}1", temp_prefix(first.device())));
    let seconds_temp = shard.join(format!("{}2", temp_prefix(second.device())));
    let reports = dir.path().join("reports");
    std::fs::create_dir_all(&reports).expect("reports");
    let seconds_report_temp = reports.join(format!("{}3", temp_prefix(second.device())));
    for t in [&firsts_temp, &seconds_temp, &seconds_report_temp] {
        std::fs::write(t, b"half").expect("temp");
    }
    std::fs::write(shard.join(".tmp-0193"), b"unknown owner").expect("temp");
    let before = files(dir.path());

    // Fresh temporaries may be writes under way: nothing goes.
    let hour = Duration::from_secs(3600);
    assert_eq!(
        second
            .remove_leftovers(SystemTime::now(), hour)
            .expect("tidy"),
        Leftovers::default()
    );
    assert_eq!(files(dir.path()), before);

    // Days later, the second database removes its own two temporaries and nothing else: the
    // first's photos, its temporary, the unrecorded whole file and the unknown one all stay.
    let later = SystemTime::now() + 72 * hour;
    assert_eq!(
        second.remove_leftovers(later, hour).expect("tidy"),
        Leftovers {
            photo_files: 1,
            report_files: 1
        }
    );
    let mut expected = before.clone();
    expected.remove(&seconds_temp);
    expected.remove(&seconds_report_temp);
    assert_eq!(
        files(dir.path()),
        expected,
        "only the second's temporaries went"
    );
    for audit in first.list_audits().expect("audits") {
        for p in first.photos(audit.id).expect("photos") {
            first
                .display_copy(&p)
                .expect("the first's photos are all there");
        }
    }
    assert_eq!(
        first.remove_leftovers(later, hour).expect("tidy"),
        Leftovers {
            photo_files: 1,
            report_files: 0
        },
        "the first removes its own temporary"
    );
    assert!(orphan.is_file(), "a whole file is never removed");
}

#[test]
fn an_emptied_foreign_or_unknown_database_file_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("storecheck.db");
    {
        let mut db = Db::open(&path, Inputs::system(None)).expect("open");
        db.load_demo(Lang::En).expect("demo");
    }
    let beside = files(dir.path());
    assert!(!beside.is_empty(), "the demo wrote photos");

    let refuse =
        |bytes: Option<&[u8]>, problem: fn(&DatabaseProblem) -> bool, en: &str, ru: &str| {
            if let Some(bytes) = bytes {
                std::fs::write(&path, bytes).expect("write");
            }
            let before = std::fs::read(&path).expect("read");
            let err = Db::open(&path, Inputs::system(None))
                .err()
                .expect("must refuse");
            match &err {
                Error::Database {
                    problem: p,
                    path: shown,
                } => {
                    assert!(problem(p), "{p:?}");
                    assert!(shown.contains("storecheck.db"), "names the file: {shown}");
                }
                other => panic!("expected a database problem, got {other:?}"),
            }
            assert_eq!(err.code(), ErrorCode::Storage);
            let (msg_en, msg_ru) = (err.message(Lang::En), err.message(Lang::Ru));
            assert!(msg_en.contains(en), "{msg_en}");
            assert!(msg_ru.contains(ru), "{msg_ru}");
            assert!(
                !msg_en.contains("SELECT") && !msg_en.contains("CREATE"),
                "no SQL: {msg_en}"
            );
            assert_eq!(
                std::fs::read(&path).expect("read"),
                before,
                "the file is untouched"
            );
            assert_eq!(files(dir.path()), beside, "nothing beside it is touched");
        };

    // Emptied: not started afresh (which would orphan every photo and report beside it).
    refuse(
        Some(b""),
        |p| matches!(p, DatabaseProblem::Empty),
        "empty (0 bytes)",
        "пуст",
    );
    refuse(
        None,
        |p| matches!(p, DatabaseProblem::Empty),
        "Put back a copy",
        "резервной копии",
    );
    // Not a database at all.
    refuse(
        Some(b"SQLite format 3 is what this text pretends to be, and it is long enough"),
        |p| matches!(p, DatabaseProblem::NotStoreCheck),
        "not a StoreCheck database",
        "не база данных StoreCheck",
    );
    // Another program's SQLite database.
    std::fs::remove_file(&path).expect("remove");
    {
        let c = rusqlite::Connection::open(&path).expect("create");
        c.execute_batch("CREATE TABLE contacts (name TEXT); PRAGMA user_version = 2;")
            .expect("foreign schema");
    }
    refuse(
        None,
        |p| matches!(p, DatabaseProblem::NotStoreCheck),
        "move this file elsewhere",
        "переместите этот файл",
    );
    // A StoreCheck file whose schema number none ever had (a negative one made the upgrade
    // index out of its list).
    std::fs::remove_file(&path).expect("remove");
    drop(Db::open(&path, Inputs::system(None)).expect("fresh"));
    {
        let c = rusqlite::Connection::open(&path).expect("open");
        c.pragma_update(None, "user_version", -3).expect("version");
    }
    refuse(
        None,
        |p| matches!(p, DatabaseProblem::UnknownSchema { found: -3 }),
        "schema number -3",
        "номер схемы -3",
    );
}

#[test]
fn a_damaged_database_is_refused_with_a_way_out() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("s.db");
    {
        let mut db = Db::open(&path, Inputs::system(None)).expect("open");
        db.load_demo(Lang::Ru).expect("demo");
    }
    let mut bytes = std::fs::read(&path).expect("read");
    assert!(bytes.len() > 16 * 4096, "the demo spans many pages");
    // Scribble over a few pages in the middle of the file, as a failing disk would.
    for b in &mut bytes[8 * 4096..12 * 4096] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).expect("damage");
    let err = Db::open(&path, Inputs::system(None))
        .err()
        .expect("must refuse");
    assert!(
        matches!(
            &err,
            Error::Database {
                problem: DatabaseProblem::Damaged { .. },
                ..
            }
        ),
        "{err:?}"
    );
    let msg = err.message(Lang::Ru);
    assert!(
        msg.contains("повреждён") && msg.contains("резервной копии"),
        "{msg}"
    );
    assert_eq!(std::fs::read(&path).expect("read"), bytes, "left as it was");
}

#[test]
fn processes_racing_to_create_a_new_database_all_open_the_same_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    for round in 0..20 {
        let path = dir.path().join(format!("new-{round}.db"));
        let start = Arc::new(Barrier::new(8));
        let openers: Vec<_> = (0..8)
            .map(|_| {
                let (path, start) = (path.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    Db::open(&path, Inputs::system(None)).map(|db| db.device())
                })
            })
            .collect();
        let devices: Vec<_> = openers
            .into_iter()
            .map(|t| t.join().expect("no panic"))
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("round {round}: an opener failed: {e}"));
        assert!(
            devices.windows(2).all(|w| w[0] == w[1]),
            "round {round}: one database, one device: {devices:?}"
        );
    }
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".new-"))
        .collect();
    assert!(left.is_empty(), "no half-made database is left: {left:?}");
}

#[test]
fn an_interrupted_demo_leaves_nothing_and_runs_whole_afterwards() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut db = Db::open(&dir.path().join("s.db"), Inputs::system(None)).expect("open");
    // The photos cannot be written (their folder's name is taken by a file): the demo fails
    // after its standards, stores and first audit were written.
    let blocker = dir.path().join("photos");
    std::fs::write(&blocker, b"in the way").expect("block");
    let err = db.load_demo(Lang::Ru).expect_err("the demo fails");
    assert_eq!(err.code(), ErrorCode::Storage, "{err}");
    for table in ["standard", "store", "audit", "answer", "photo"] {
        assert_eq!(count(&db, table), 0, "{table}: all or nothing");
    }
    std::fs::remove_file(&blocker).expect("unblock");
    let outcome = db.load_demo(Lang::Ru).expect("demo");
    assert_eq!(outcome.audits.len(), 2);
    assert_eq!(
        (
            count(&db, "standard"),
            count(&db, "store"),
            count(&db, "audit")
        ),
        (2, 2, 2)
    );
    assert_eq!(count(&db, "photo"), 3);
    db.load_demo(Lang::Ru).expect("again");
    assert_eq!(count(&db, "audit"), 2, "nothing duplicated");
}

#[test]
fn a_full_disk_says_so_and_what_to_do() {
    let full = Error::Db(rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
        None,
    ));
    assert!(
        full.message(Lang::En).contains("the disk is full"),
        "{}",
        full.message(Lang::En)
    );
    assert!(full.message(Lang::En).contains("Free some space"));
    assert!(
        full.message(Lang::Ru).contains("диск заполнен"),
        "{}",
        full.message(Lang::Ru)
    );
    let io = Error::Db(rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_IOERR),
        None,
    ));
    assert!(
        io.message(Lang::En).contains("the disk may be full"),
        "{}",
        io.message(Lang::En)
    );
    assert!(!io.message(Lang::En).starts_with("database error"));
    let photo = Error::io(
        "/media/stick/photos/ab/x.jpg",
        std::io::Error::from(std::io::ErrorKind::StorageFull),
    );
    let msg = photo.message(Lang::En);
    assert!(
        msg.contains("the disk is full") && msg.contains("Free some space"),
        "{msg}"
    );
    assert!(!msg.contains("permission"), "not a hint about paths: {msg}");
    assert!(photo.message(Lang::Ru).contains("диск заполнен"));
}
