//! Databases that earlier StoreCheck versions left on users' computers, opened by this one:
//! everything in them is still there and reads the same. Each released schema has a committed
//! database with data in `fixtures/db/` (how each was made: `fixtures/db/README.md`); a new
//! migration adds its checks here, on a copy, never by regenerating a fixture.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use sha2::{Digest, Sha256};
use storecheck_core::audit::AnswerInput;
use storecheck_core::db::{Inputs, SCHEMA_VERSION};
use storecheck_core::model::{AuditStatus, Response};
use storecheck_core::{Db, Error};
use uuid::Uuid;

/// The schema-3 fixture's audits, store devices and report, as made by
/// `fixtures/db/make-schema-3.sh`.
const DEVICE: &str = "01a2333a-1396-7308-8289-eb5f03ffefc3";
const SIGNED: &str = "01a2333a-13be-77e3-9098-acea9c7ed1d1";
const DRAFT: &str = "01a2333a-1c55-74ab-97cf-2c54db456e5c";
const COMPLETED: &str = "01a2333a-1fde-76c0-b50c-77acc838e14b";
const REPORT: &str = "01a2333a-23e0-711b-9b45-6d5db74e69a1";

fn id(s: &str) -> Uuid {
    Uuid::parse_str(s).expect("uuid")
}

/// A copy of a fixture folder (the database with its `photos/` and `reports/`) in a new temp
/// folder, and the copied database's path: the committed files are never opened themselves.
fn copy_of(fixture: &str) -> (tempfile::TempDir, PathBuf) {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for entry in std::fs::read_dir(from).expect("read fixture") {
            let entry = entry.expect("entry");
            let target = to.join(entry.file_name());
            if entry.file_type().expect("type").is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).expect("copy");
            }
        }
    }
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/db")
        .join(fixture);
    let dir = tempfile::tempdir().expect("temp dir");
    copy(&from, dir.path());
    let db = dir.path().join("storecheck.sqlite");
    assert!(db.exists(), "{} has no storecheck.sqlite", from.display());
    (dir, db)
}

fn user_version(path: &Path) -> i64 {
    rusqlite::Connection::open(path)
        .expect("open")
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("user_version")
}

fn inputs() -> Inputs {
    Inputs::seeded(
        Arc::new(|| {
            Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0)
                .single()
                .expect("time")
        }),
        3,
    )
}

fn count(db: &Db, table: &str) -> i64 {
    db.connection()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .expect(table)
}

#[test]
fn a_schema_3_database_opens_as_it_was_written() {
    let (_dir, path) = copy_of("schema-3");
    assert_eq!(user_version(&path), 3, "the fixture is of schema 3");
    let db = Db::open(&path, inputs()).expect("a schema-3 database opens");
    assert_eq!(
        db.device(),
        id(DEVICE),
        "the database keeps its own device: no second one is made"
    );

    for (table, n) in [
        ("device", 1),
        ("standard", 2),
        ("section", 26),
        ("requirement", 122),
        ("store", 2),
        ("audit", 3),
        ("answer", 125),
        ("corrective_action", 1),
        ("photo_file", 4),
        ("photo", 7),
        ("report", 1),
    ] {
        assert_eq!(count(&db, table), n, "{table}: every row is still there");
    }
    let standards = db.list_standards().expect("standards");
    assert_eq!(standards.len(), 2);
    let stores: Vec<String> = db
        .list_stores()
        .expect("stores")
        .into_iter()
        .map(|s| s.code)
        .collect();
    assert_eq!(stores, ["MSK-01", "SPB-02"]);

    // Every audit scores as it did when it was written (fixtures/answers/README.md).
    let audits = db.list_audits().expect("audits");
    let summary = |key: &str| {
        audits
            .iter()
            .find(|a| a.id == id(key))
            .unwrap_or_else(|| panic!("audit {key} is listed"))
    };
    let signed = summary(SIGNED);
    assert_eq!(
        (signed.status, signed.score, signed.rating.as_deref()),
        (AuditStatus::Signed, Some(93.9), Some("excellent"))
    );
    assert_eq!((signed.answered, signed.total), (61, 61));
    let completed = summary(COMPLETED);
    assert_eq!(
        (
            completed.status,
            completed.score,
            completed.rating.as_deref()
        ),
        (AuditStatus::Completed, Some(90.2), Some("failed_hard"))
    );
    let draft = summary(DRAFT);
    assert_eq!((draft.status, draft.answered), (AuditStatus::Draft, 3));

    // The draft's answers, notes and its photo, with the photo's files beside the database.
    let view = db.load_audit(id(DRAFT)).expect("the draft loads");
    let answer = |code: &str| {
        view.answers
            .iter()
            .find(|a| a.code == code)
            .unwrap_or_else(|| panic!("answer {code}"))
    };
    assert_eq!(answer("1.1").response, Some(Response::Value(32.0)));
    assert_eq!(
        answer("1.1").note.as_deref(),
        Some("Открыли в 9:58, касса готова")
    );
    assert_eq!(answer("2.1").response, Some(Response::Fail));
    assert_eq!(answer("2.1").note.as_deref(), Some("У стажёра нет бейджа"));
    assert_eq!(view.photos.len(), 1);
    let photo = &view.photos[0];
    assert_eq!(
        (photo.code.as_str(), photo.file_name.as_str()),
        ("2.1", "badge.jpg")
    );
    let display = db.display_copy(photo).expect("its display copy reads");
    assert!(display.starts_with(&[0xFF, 0xD8]), "a JPEG");

    // The completed audit's hard failure and corrective action.
    let view = db
        .load_audit(id(COMPLETED))
        .expect("the completed audit loads");
    assert_eq!(view.score.hard_failures, ["12.2"]);
    assert_eq!(view.actions.len(), 1);
    assert_eq!(view.actions[0].code, "12.2");
    assert_eq!(view.actions[0].due, "2026-12-07");

    // The signed audit: its report, its PDF as signed, its demo photos with their captions.
    let view = db.load_audit(id(SIGNED)).expect("the signed audit loads");
    assert_eq!(view.photos.len(), 3);
    assert!(view.photos.iter().all(|p| !p.caption.is_empty()));
    let report = view.report.expect("the signed audit has its report");
    assert_eq!(report.id, id(REPORT));
    assert_eq!(report.signer, "Анна Смирнова");
    let pdf = db.signed_pdf(id(SIGNED)).expect("the signed PDF is intact");
    assert_eq!(
        hex(&Sha256::digest(&pdf)),
        report.pdf_sha256,
        "the PDF is the one signed"
    );
}

#[test]
fn a_signed_audit_of_schema_3_stays_locked() {
    let (_dir, path) = copy_of("schema-3");
    let mut db = Db::open(&path, inputs()).expect("open");
    let err = db
        .save_answer(
            id(SIGNED),
            "1.2",
            &AnswerInput {
                response: Some(Response::Fail),
                note: None,
            },
        )
        .expect_err("a signed audit takes no answer");
    assert!(matches!(err, Error::Locked { .. }), "{err}");
    // The schema's own triggers, whatever program writes.
    for sql in [
        format!("UPDATE answer SET note = 'x' WHERE audit_id = '{SIGNED}'"),
        format!("DELETE FROM answer WHERE audit_id = '{SIGNED}'"),
        format!("UPDATE audit SET status = 'draft' WHERE id = '{SIGNED}'"),
        format!("DELETE FROM audit WHERE id = '{SIGNED}'"),
        format!("UPDATE report SET signer = 'B' WHERE id = '{REPORT}'"),
        format!("DELETE FROM report WHERE id = '{REPORT}'"),
        format!("UPDATE photo SET caption = 'x' WHERE audit_id = '{SIGNED}'"),
    ] {
        db.connection()
            .execute(&sql, [])
            .expect_err("the schema refuses to change a signed audit");
    }
    assert_eq!(
        db.audit_header(id(SIGNED)).expect("header").status,
        AuditStatus::Signed
    );
}

#[test]
fn opening_a_schema_3_database_changes_its_file_only_to_upgrade_it() {
    let (_dir, path) = copy_of("schema-3");
    let before = std::fs::read(&path).expect("read");
    {
        let db = Db::open(&path, inputs()).expect("open");
        db.list_audits().expect("read");
        db.load_audit(id(SIGNED)).expect("read");
    }
    let after = std::fs::read(&path).expect("read");
    if SCHEMA_VERSION == 3 {
        assert!(
            after == before,
            "opening and reading a database of the current schema must not change its file"
        );
    } else {
        assert_eq!(user_version(&path), SCHEMA_VERSION, "opening upgrades it");
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The Verify screen names the audit a report file covers by the file's bytes alone; a changed
/// byte, or a file signed elsewhere, covers nothing known here.
#[test]
fn a_signed_report_is_traced_to_its_audit_by_its_bytes() {
    let (dir, path) = copy_of("schema-3");
    let db = Db::open(&path, inputs()).expect("open");
    let pdf = std::fs::read(dir.path().join("reports").join(format!("{REPORT}.pdf"))).expect("pdf");
    assert_eq!(db.audit_of_report(&pdf).expect("lookup"), Some(id(SIGNED)));
    let summary = db.audit_summary(id(SIGNED)).expect("summary");
    assert_eq!(
        (summary.store_code.as_str(), summary.status, summary.score),
        ("MSK-01", AuditStatus::Signed, Some(93.9))
    );
    let mut changed = pdf.clone();
    let last = changed.len() - 1;
    changed[last] ^= 1;
    assert_eq!(db.audit_of_report(&changed).expect("lookup"), None);
    assert_eq!(db.audit_of_report(b"%PDF-1.7").expect("lookup"), None);
    // Signed without a drawn signature: the card shows none.
    assert_eq!(db.drawn_signature(id(SIGNED)).expect("drawn"), None);
    assert_eq!(db.drawn_signature(id(DRAFT)).expect("drawn"), None);
}
