//! Databases that earlier StoreCheck versions left on users' computers, opened by this one:
//! everything in them is still there and reads the same. Each released schema has a committed
//! database with data in `fixtures/db/` (how each was made: `fixtures/db/README.md`); a new
//! migration adds its checks here, on a copy, never by regenerating a fixture.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use rusqlite::{Connection, OpenFlags};
use sha2::{Digest, Sha256};
use storecheck_core::audit::AnswerInput;
use storecheck_core::db::{Inputs, SCHEMA_VERSION};
use storecheck_core::ids;
use storecheck_core::import::read_standard;
use storecheck_core::model::{AuditStatus, Response, Standard};
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
        {
            let db = Db::open(&path, inputs()).expect("open again");
            db.list_audits().expect("read");
            db.load_audit(id(SIGNED)).expect("read");
        }
        assert!(
            std::fs::read(&path).expect("read") == after,
            "opening an upgraded database again must not change its file"
        );
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

/// Every row of every table, in rowid order, with each id of a standard, section or requirement
/// written as what names it whatever its id (`CODE@VERSION`, then ` section POSITION` or
/// ` requirement CODE`): equal before and after a change of ids only when every reference
/// followed and nothing else moved.
fn rows_by_content(c: &Connection) -> BTreeMap<String, Vec<String>> {
    let names: HashMap<String, String> = c
        .prepare(
            "SELECT id, code || '@' || version FROM standard
             UNION ALL
             SELECT s.id, st.code || '@' || st.version || ' section ' || s.position
             FROM section s JOIN standard st ON st.id = s.standard_id
             UNION ALL
             SELECT r.id, st.code || '@' || st.version || ' requirement ' || r.code
             FROM requirement r JOIN standard st ON st.id = r.standard_id",
        )
        .expect("names")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("names")
        .collect::<Result<_, _>>()
        .expect("names");
    assert_eq!(
        names.len(),
        2 + 26 + 122,
        "every standard, section and requirement is named"
    );
    let tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .expect("tables")
        .query_map([], |r| r.get(0))
        .expect("tables")
        .collect::<Result<_, _>>()
        .expect("tables");
    tables
        .into_iter()
        .map(|table| {
            let mut stmt = c
                .prepare(&format!("SELECT * FROM \"{table}\" ORDER BY rowid"))
                .expect("select");
            let n = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    (0..n)
                        .map(|i| {
                            let v = r.get_ref(i)?;
                            Ok(match v.as_str_or_null() {
                                Ok(Some(text)) if names.contains_key(text) => names[text].clone(),
                                _ => format!("{v:?}"),
                            })
                        })
                        .collect::<Result<Vec<_>, _>>()
                        .map(|v| v.join(" | "))
                })
                .expect("rows")
                .collect::<Result<_, _>>()
                .expect("rows");
            (table, rows)
        })
        .collect()
}

/// The schema as `sqlite_master` holds it: every table, index and trigger with its SQL text.
fn schema(c: &Connection) -> Vec<(String, String, String, Option<String>)> {
    c.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")
        .expect("schema")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .expect("schema")
        .collect::<Result<_, _>>()
        .expect("schema")
}

/// Every file under `dir`'s `reports/` and `photos/`, with its bytes.
fn files_beside(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.insert(path.clone(), std::fs::read(&path).expect("read"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&dir.join("reports"), &mut out);
    walk(&dir.join("photos"), &mut out);
    out
}

/// Each audit's answers as stored: requirement code, response, note, in the standard's order.
type Answers = BTreeMap<String, Vec<(String, Option<Response>, Option<String>)>>;

fn stored_answers(c: &Connection) -> Answers {
    let mut out = Answers::new();
    let mut stmt = c
        .prepare(
            "SELECT an.audit_id, r.code, an.response, an.value, an.text, an.note
             FROM answer an JOIN requirement r ON r.id = an.requirement_id
             ORDER BY an.audit_id, r.position",
        )
        .expect("answers");
    let rows = stmt
        .query_map([], |r| {
            let response = match r.get::<_, Option<String>>(2)?.as_deref() {
                None => None,
                Some("pass") => Some(Response::Pass),
                Some("fail") => Some(Response::Fail),
                Some("na") => Some(Response::Na),
                Some("value") => Some(Response::Value(r.get(3)?)),
                Some("text") => Some(Response::Text(r.get(4)?)),
                Some(other) => panic!("response {other}"),
            };
            Ok((r.get::<_, String>(0)?, r.get(1)?, response, r.get(5)?))
        })
        .expect("answers");
    for row in rows {
        let (audit, code, response, note) = row.expect("answer");
        out.entry(audit).or_default().push((code, response, note));
    }
    out
}

/// Schema 4 gives the standards, sections and requirements of a schema-3 database the ids every
/// database derives from their content, and every audit, answer, photo and corrective action
/// follows: the same audits, scores and signed reports, locked as they were, under ids HQ can
/// match across stores.
#[test]
fn a_schema_3_database_gets_the_ids_derived_from_its_standards() {
    let (dir, path) = copy_of("schema-3");
    let files_before = files_beside(dir.path());
    let (rows_before, schema_before, answers_before) = {
        let c = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open the copy as it is");
        (rows_by_content(&c), schema(&c), stored_answers(&c))
    };
    assert_eq!(
        answers_before.len(),
        3,
        "the fixture's three audits have answers"
    );

    let mut db = Db::open(&path, inputs()).expect("a schema-3 database upgrades");

    // The ids are the derived ones.
    {
        let c = db.connection();
        let mut standards = c
            .prepare("SELECT id, code, version, content_sha256 FROM standard")
            .expect("standards");
        let standards: Vec<(String, String, String, String)> = standards
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .expect("standards")
            .collect::<Result<_, _>>()
            .expect("standards");
        assert_eq!(standards.len(), 2);
        for (stored, code, version, sha) in &standards {
            assert_eq!(
                *stored,
                ids::standard_id(code, version, sha).to_string(),
                "{code}@{version}"
            );
        }
        let mut sections = c
            .prepare("SELECT id, standard_id, position FROM section")
            .expect("sections");
        let sections: Vec<(String, String, u32)> = sections
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("sections")
            .collect::<Result<_, _>>()
            .expect("sections");
        assert_eq!(sections.len(), 26);
        for (stored, standard, position) in &sections {
            assert_eq!(
                *stored,
                ids::section_id(id(standard), *position).to_string()
            );
        }
        let mut requirements = c
            .prepare("SELECT id, standard_id, code FROM requirement")
            .expect("requirements");
        let requirements: Vec<(String, String, String)> = requirements
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("requirements")
            .collect::<Result<_, _>>()
            .expect("requirements");
        assert_eq!(requirements.len(), 122);
        for (stored, standard, code) in &requirements {
            assert_eq!(*stored, ids::requirement_id(id(standard), code).to_string());
        }
    }

    // A laptop that imports the same standard file today gives it the same ids.
    let file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/standards/demo-fashion.ru.json");
    let mut fresh = Db::open_in_memory(Inputs::seeded(inputs().clock, 9)).expect("fresh");
    let published = fresh
        .publish_standard(&read_standard(&file).expect("the demo standard"))
        .expect("publish");
    let upgraded = db.find_standard("DEMO-FASHION@1").expect("upgraded");
    assert_eq!(published.standard.id, upgraded);
    assert_eq!(
        fresh.load_standard(published.standard.id).expect("fresh"),
        Standard {
            created_at: published.standard.created_at.clone(),
            ..db.load_standard(upgraded).expect("upgraded")
        },
        "the same sections and requirements under the same ids"
    );

    // Every answer, photo and corrective action names a requirement of its audit's standard,
    // every requirement a section of its own standard.
    let c = db.connection();
    for table in ["answer", "photo", "corrective_action"] {
        let stray: i64 = c
            .query_row(
                &format!(
                    "SELECT count(*) FROM {table} x JOIN audit a ON a.id = x.audit_id
                     WHERE NOT EXISTS (SELECT 1 FROM requirement r
                                       WHERE r.id = x.requirement_id
                                         AND r.standard_id = a.standard_id)"
                ),
                [],
                |r| r.get(0),
            )
            .expect(table);
        assert_eq!(stray, 0, "{table}");
    }
    let stray: i64 = c
        .query_row(
            "SELECT count(*) FROM requirement r
             WHERE NOT EXISTS (SELECT 1 FROM section s
                               WHERE s.id = r.section_id AND s.standard_id = r.standard_id)",
            [],
            |r| r.get(0),
        )
        .expect("requirements");
    assert_eq!(stray, 0, "requirements");
    let problems: Vec<String> = c
        .prepare("PRAGMA foreign_key_check")
        .expect("check")
        .query_map([], |r| r.get::<_, String>(0))
        .expect("check")
        .collect::<Result<_, _>>()
        .expect("check");
    assert!(problems.is_empty(), "foreign keys: {problems:?}");

    // Nothing but those ids changed: every table of schema 3 holds the same rows, and what
    // later schemas add is empty. Every table, index and trigger of schema 3 is there as it
    // was, and the schema is the one a new database gets.
    let rows_after = rows_by_content(c);
    for (table, rows) in &rows_after {
        match rows_before.get(table) {
            Some(before) => assert!(before == rows, "{table}: rows changed beyond their ids"),
            None => assert!(rows.is_empty(), "{table}: a new table holds nothing yet"),
        }
    }
    assert!(
        rows_before.keys().all(|t| rows_after.contains_key(t)),
        "every table is still there"
    );
    let schema_after = schema(c);
    for entry in &schema_before {
        assert!(
            schema_after.contains(entry),
            "{} {} is not as it was",
            entry.0,
            entry.1
        );
    }
    let new = Db::open_in_memory(inputs()).expect("a new database");
    assert_eq!(schema_after, schema(new.connection()));
    assert_eq!(
        files_beside(dir.path()),
        files_before,
        "signed reports and photos are untouched"
    );

    // The same answers and scores.
    for (audit, score, rating, answered) in [
        (SIGNED, 93.9, "excellent", 61),
        (COMPLETED, 90.2, "failed_hard", 61),
        (DRAFT, 60.0, "satisfactory", 3),
    ] {
        let view = db.load_audit(id(audit)).expect("loads");
        let answers: Vec<_> = view
            .answers
            .iter()
            .map(|a| (a.code.clone(), a.response.clone(), a.note.clone()))
            .collect();
        assert_eq!(answers, answers_before[audit], "{audit}");
        assert_eq!(
            (
                view.score.score,
                view.score.rating.as_deref(),
                view.score.answered
            ),
            (Some(score), Some(rating), answered),
            "{audit}"
        );
    }

    // Still locked: the schema refuses to change a signed audit's answers, to change a
    // completed audit's, to sign an audit without its report, and to change a standard.
    for sql in [
        format!("UPDATE answer SET note = 'x' WHERE audit_id = '{SIGNED}'"),
        format!("UPDATE answer SET note = 'x' WHERE audit_id = '{COMPLETED}'"),
        format!("UPDATE photo SET caption = 'x' WHERE audit_id = '{SIGNED}'"),
        format!("UPDATE audit SET status = 'signed' WHERE id = '{COMPLETED}'"),
        "UPDATE requirement SET text = 'x'".to_string(),
        "UPDATE standard SET title = 'x'".to_string(),
    ] {
        db.connection()
            .execute(&sql, [])
            .expect_err(&format!("refused: {sql}"));
    }
    // And the draft still takes answers.
    db.save_answer(
        id(DRAFT),
        "1.3",
        &AnswerInput {
            response: Some(Response::Pass),
            note: None,
        },
    )
    .expect("the draft takes an answer");
}
