//! An HQ database of the released schema 1 (fixtures/hq/schema-1, written by that release)
//! opens with today's code: upgraded in place to the rows a fresh HQ makes of the same bundles,
//! rollups and section scores included, and the same bundles again are already present.

mod common;

use std::path::{Path, PathBuf};

use common::{accept, hq, ticking};
use storecheck_core::db::Ids;
use storecheck_hq::HqDb;
use storecheck_hq::dashboard::{Analytics, Filter, Source};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/hq/schema-1")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn bundles() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixture().join("bundles"))
        .expect("bundles")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files
}

#[test]
fn a_schema_1_hq_database_upgrades_to_what_a_fresh_import_gives() {
    let dir = tempfile::tempdir().expect("dir");
    copy_dir(&fixture(), dir.path());
    let path = dir.path().join("hq.sqlite");
    let version = |p: &Path| -> i64 {
        rusqlite::Connection::open(p)
            .expect("open")
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .expect("version")
    };
    assert_eq!(version(&path), 1, "the fixture is schema 1");
    let clock = ticking(common::START);
    let mut upgraded = HqDb::open(&path, clock.clone(), Ids::seeded(clock, 5)).expect("open");
    assert_eq!(version(&path), storecheck_hq::db::SCHEMA_VERSION);

    let (_fresh_dir, mut fresh) = hq();
    for b in bundles() {
        accept(&mut fresh, &b);
    }
    assert_eq!(
        upgraded.dump().expect("dump"),
        fresh.dump().expect("dump"),
        "the upgrade fills section scores, weeks, rollups and actions' state as an import does"
    );
    let filter = Filter {
        from: "2020-01-01".into(),
        to: "2030-12-31".into(),
        ..Filter::default()
    };
    let d = upgraded
        .dashboard(&filter, "2026-12-02", Source::Best)
        .expect("dashboard");
    assert_eq!(d.headline.period.audits, 2);
    assert_eq!(d.headline.open_actions, 1);
    assert!(!d.heat.cells.is_empty() && !d.requirements.is_empty());
    let signed = upgraded.audits(None).expect("audits");
    let signed = signed
        .iter()
        .find(|a| a.status == "signed")
        .expect("signed");
    let view = upgraded
        .audit_view(&signed.id.to_string(), "2026-12-02")
        .expect("view");
    assert!(
        view.report.as_ref().is_some_and(|r| r.held),
        "its PDF is where it was"
    );

    for b in bundles() {
        assert_eq!(accept(&mut upgraded, &b), (0, 1), "already present");
    }
    // Opening again changes nothing.
    let dump = upgraded.dump().expect("dump");
    drop(upgraded);
    let clock = ticking(common::START);
    let again = HqDb::open(&path, clock.clone(), Ids::seeded(clock, 6)).expect("reopen");
    assert_eq!(again.dump().expect("dump"), dump);
}

#[test]
fn a_postgresql_hq_that_kept_its_files_in_a_folder_takes_them_into_the_database() {
    let Some(url) = common::postgres_url() else {
        eprintln!("skipped: no PostgreSQL (run under scripts/with-postgres.sh)");
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let folder = dir.path().join("hq-files");
    let clock = ticking(common::START);
    let open = || HqDb::open_postgres(&url, &folder, clock.clone(), Ids::seeded(clock.clone(), 5));
    let mut hq = open().expect("open");
    for b in bundles() {
        accept(&mut hq, &b);
    }
    let ca = hq.ca_init(Some("Ромашка")).expect("CA");
    let names = hq.file_names().expect("files");
    assert!(names.iter().any(|n| n.starts_with("photos/")), "{names:?}");
    assert!(names.iter().any(|n| n.starts_with("reports/")), "{names:?}");
    // As the StoreCheck before this schema left it: the files in this computer's folder and
    // no table of them.
    let mut kept = Vec::new();
    for name in &names {
        let bytes = hq.file_bytes(name).expect("read").expect("there");
        let path = folder.join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
        std::fs::write(&path, &bytes).expect("write");
        kept.push(bytes);
    }
    hq.connection()
        .execute_batch("DROP TABLE hq_file; UPDATE hq_schema SET version = 2")
        .expect("back to schema 2");
    drop(hq);

    let upgraded = open().expect("upgraded");
    assert_eq!(upgraded.file_names().expect("files"), names);
    for (name, bytes) in names.iter().zip(&kept) {
        assert_eq!(
            upgraded.file_bytes(name).expect("read").as_ref(),
            Some(bytes),
            "{name}"
        );
    }
    assert_eq!(
        upgraded.ca_info().expect("CA").map(|c| c.fingerprint),
        Some(ca.fingerprint)
    );
    // The folder is left as it was.
    assert!(folder.join(&names[0]).is_file());
    // Opened again: nothing to take.
    drop(upgraded);
    assert_eq!(open().expect("again").file_names().expect("files"), names);
}
