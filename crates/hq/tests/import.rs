//! HQ takes every store's audits exactly once, whatever the order, the repeats and the way the
//! files came (bundles, store database files).

mod common;

use std::path::PathBuf;

use common::{Laptop, Rng, accept, hq, refuse};
use storecheck_core::Lang;
use storecheck_core::model::AuditStatus;

/// Two laptops' lives: audits completed, reopened and completed again, signed, revised, each
/// step exported. Returns the laptops and the bundles in the order they were made.
fn two_laptops() -> (Laptop, Laptop, Vec<PathBuf>) {
    let mut a = Laptop::new(1);
    let mut b = Laptop::new(2);
    let mut bundles = Vec::new();

    let a1 = a.audits(AuditStatus::Completed)[0];
    let a2 = a.audits(AuditStatus::Draft)[0];
    bundles.push(a.export()); // a#1: a1 completed
    a.complete(a2);
    bundles.push(a.export()); // a#2: a2 completed
    a.redo(a1, "1.3", "не поздоровался");
    bundles.push(a.export()); // a#3: a1 completed again, newer
    a.sign(a2);
    bundles.push(a.export()); // a#4: a2 signed
    let a3 = a.db.revise_audit(a2, "опечатка в заметке").expect("revise");
    a.complete(a3);
    bundles.push(a.export()); // a#5: a3, the revision of a2

    let b1 = b.audits(AuditStatus::Completed)[0];
    let b2 = b.audits(AuditStatus::Draft)[0];
    b.sign(b1);
    bundles.push(b.export()); // b#1: b1 signed
    b.complete(b2);
    bundles.push(b.export()); // b#2: b2 completed
    (a, b, bundles)
}

#[test]
fn any_order_and_any_repeats_give_the_same_hq() {
    let (a, b, bundles) = two_laptops();
    let (_dir, mut reference) = hq();
    for file in &bundles {
        accept(&mut reference, file);
    }
    let expected = reference.dump().expect("dump");
    let audits = reference.audits(None).expect("audits");
    assert_eq!(
        audits.len(),
        5,
        "a1, a2, a3, b1, b2, each once: {audits:#?}"
    );
    for (laptop, expect_signed) in [(&a, 1), (&b, 1)] {
        let signed = audits
            .iter()
            .filter(|x| x.status == "signed")
            .filter(|x| {
                laptop
                    .db
                    .audit_header(x.id)
                    .is_ok_and(|h| h.status == AuditStatus::Signed)
            })
            .count();
        assert_eq!(signed, expect_signed);
    }
    // Every audit at HQ is the laptop's latest state of it.
    for x in &audits {
        let laptop = if a.db.audit_header(x.id).is_ok() {
            &a
        } else {
            &b
        };
        let record = laptop.db.audit_record(x.id).expect("record");
        assert_eq!(
            reference.audit_record(x.id).expect("hq record"),
            Some(record),
            "HQ holds audit {} exactly as its store has it now",
            x.id
        );
    }

    let mut rng = Rng(0x5EED_2026_1201);
    for round in 0..12 {
        let mut files: Vec<&PathBuf> = bundles.iter().collect();
        for _ in 0..rng.below(6) {
            files.push(&bundles[rng.below(bundles.len())]);
        }
        rng.shuffle(&mut files);
        let (_dir, mut hq) = hq();
        for file in &files {
            accept(&mut hq, file);
        }
        assert_eq!(
            hq.dump().expect("dump"),
            expected,
            "round {round}: importing {files:?} must give the same HQ as each once in order"
        );
    }
}

#[test]
fn an_older_copy_arriving_later_changes_nothing() {
    let mut a = Laptop::new(3);
    let a1 = a.audits(AuditStatus::Completed)[0];
    let first = a.export();
    a.redo(a1, "1.3", "новая заметка");
    let second = a.export();
    let (_dir, mut hq) = hq();
    assert_eq!(accept(&mut hq, &second), (1, 0));
    assert_eq!(
        accept(&mut hq, &first),
        (0, 1),
        "the older copy is already present: HQ has a newer one"
    );
    let held = hq.audit_record(a1).expect("read").expect("held");
    assert_eq!(held, a.db.audit_record(a1).expect("record"));
}

#[test]
fn a_store_database_gives_the_same_rows_as_its_bundles() {
    let (a, _b, bundles) = two_laptops();
    let (_d1, mut from_bundles) = hq();
    for file in bundles.iter().filter(|f| f.starts_with(&a.out)) {
        accept(&mut from_bundles, file);
    }
    let (_d2, mut from_db) = hq();
    let (added, _) = accept(&mut from_db, &a.db_path());
    assert_eq!(added, 3, "a1, a2 signed and a3");
    let (added, present) = accept(&mut from_db, &a.db_path());
    assert_eq!((added, present), (0, 3), "importing it again adds nothing");
    let tables = |dump: &str| -> String {
        dump.split("## ")
            .filter(|t| !t.starts_with("device") && !t.starts_with("bundle"))
            .collect::<Vec<_>>()
            .join("## ")
    };
    assert_eq!(
        tables(&from_db.dump().expect("dump")),
        tables(&from_bundles.dump().expect("dump")),
        "the database file and the bundles that carried it must give the same audits, answers, photos and reports"
    );
    // And the store database file was not changed by being read.
    let store = a.db_path();
    let before = std::fs::read(&store).expect("read");
    accept(&mut from_db, &store);
    assert_eq!(std::fs::read(&store).expect("read"), before);
}

#[test]
fn missing_bundles_are_named_by_device_and_number() {
    let mut a = Laptop::new(4);
    let a1 = a.audits(AuditStatus::Completed)[0];
    let a2 = a.audits(AuditStatus::Draft)[0];
    let first = a.export();
    a.complete(a2);
    let _second = a.export();
    a.redo(a1, "1.4", "заметка");
    let third = a.export();
    let (_dir, mut hq) = hq();
    accept(&mut hq, &first);
    accept(&mut hq, &third);
    let gaps = hq.gaps().expect("gaps");
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(gaps[0].device, a.db.device());
    assert_eq!(gaps[0].missing, vec![2]);
    assert_eq!(gaps[0].last, 3);
}

#[test]
fn drafts_never_travel_and_nothing_is_sent_twice() {
    let mut a = Laptop::new(5);
    let draft = a.audits(AuditStatus::Draft)[0];
    let first = a.export();
    let (_dir, mut hq) = hq();
    accept(&mut hq, &first);
    assert!(
        hq.audit_record(draft).expect("read").is_none(),
        "a draft must not reach HQ"
    );
    let again = storecheck_sync::export::export(&mut a.db, &a.out, false, &a.key).expect("export");
    assert_eq!(again.file, None, "nothing new: no bundle");
    assert_eq!(again.audits, 0);
    let all = storecheck_sync::export::export(&mut a.db, &a.out, true, &a.key).expect("export");
    assert_eq!(all.audits, 1, "--all sends the completed audit again");
    assert_eq!(
        accept(&mut hq, &PathBuf::from(all.file.expect("file"))),
        (0, 1)
    );
    assert!(
        a.db.last_sent(a.audits(AuditStatus::Completed)[0])
            .expect("read")
            .is_some(),
        "the store knows when the audit was last sent"
    );
}

#[test]
fn a_second_different_signed_version_is_refused_and_named() {
    // Two laptops restored from one backup sign the same audit differently.
    let mut a = Laptop::new(6);
    let id = a.audits(AuditStatus::Completed)[0];
    let copy = tempfile::tempdir().expect("dir");
    copy_store(a.dir.path(), copy.path());
    let mut twin = Laptop {
        db: storecheck_core::Db::open(
            &copy.path().join("store.db"),
            storecheck_core::db::Inputs::seeded(common::ticking(common::START + 50), 77),
        )
        .expect("open copy"),
        key: storecheck_sync::DeviceKey::load_or_create(&copy.path().join("keys"), a.db.ids())
            .expect("key"),
        clock: common::ticking(common::START + 50),
        out: copy.path().join("out"),
        dir: copy,
    };
    a.sign(id);
    twin.redo(id, "1.3", "другая версия");
    twin.sign(id);
    let mine = a.export();
    let theirs = twin.export();
    let (_dir, mut hq) = hq();
    accept(&mut hq, &mine);
    let reason = refuse(&mut hq, &theirs);
    assert!(
        reason.contains(&id.to_string()) && reason.contains("different signed version"),
        "{reason}"
    );
}

fn copy_store(from: &std::path::Path, to: &std::path::Path) {
    for entry in walk(from) {
        let rel = entry.strip_prefix(from).expect("inside");
        let target = to.join(rel);
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&entry, &target).expect("copy");
    }
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn a_signed_pdf_alone_gives_the_same_audit_as_its_bundle() {
    let mut a = Laptop::new(8);
    let id = a.audits(AuditStatus::Completed)[0];
    a.sign(id);
    let bundle = a.export();
    let pdf = a.db.signed_report(id).expect("read").expect("signed").path;
    let (_d1, mut from_bundle) = hq();
    accept(&mut from_bundle, &bundle);
    let (_d2, mut from_pdf) = hq();
    assert_eq!(accept(&mut from_pdf, std::path::Path::new(&pdf)), (1, 0));
    let audits = |dump: &str| -> String {
        dump.split("## ")
            .filter(|t| {
                !["device", "bundle", "photo_file"]
                    .iter()
                    .any(|x| t.starts_with(x))
            })
            .collect::<Vec<_>>()
            .join("## ")
    };
    assert_eq!(
        audits(&from_pdf.dump().expect("dump")),
        audits(&from_bundle.dump().expect("dump")),
        "the PDF's own data must give the audit, its answers, photos (rows), actions and report as the bundle does"
    );
    let listed = from_pdf.audits(None).expect("audits");
    assert_eq!(listed[0].pdf_data.as_deref(), Some("matches"));
    // The bundle arriving later brings the photo files and changes nothing else.
    assert_eq!(accept(&mut from_pdf, &bundle), (0, 1));
    assert_eq!(
        from_pdf.dump().expect("dump"),
        from_bundle.dump().expect("dump")
    );
}

#[test]
fn a_report_signed_before_reports_carried_data_goes_in_with_its_rows_and_is_marked() {
    // The committed schema-3 database: its signed audit's PDF carries no data.
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/db/schema-3");
    let copy = tempfile::tempdir().expect("dir");
    for entry in walk(&fixture) {
        let rel = entry.strip_prefix(&fixture).expect("inside");
        let target = copy.path().join(rel);
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&entry, &target).expect("copy");
    }
    let (_d, mut hq) = hq();
    let outcome = hq
        .import_file(
            &copy.path().join("storecheck.sqlite"),
            storecheck_core::Lang::En,
        )
        .expect("import");
    assert!(outcome.refused.is_empty(), "{outcome:?}");
    assert!(
        outcome
            .notes
            .iter()
            .any(|n| n.contains("without the audit's data inside")),
        "{outcome:?}"
    );
    let signed: Vec<_> = hq
        .audits(None)
        .expect("audits")
        .into_iter()
        .filter(|a| a.status == "signed")
        .collect();
    assert_eq!(signed.len(), 1);
    assert_eq!(signed[0].pdf_data.as_deref(), Some("absent"));
    // Such a PDF alone cannot be imported: it carries nothing to import.
    let pdf = walk(&copy.path().join("reports"))
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "pdf"))
        .expect("a signed PDF");
    let reason = refuse(&mut hq, &pdf);
    assert!(reason.contains("carries no audit data"), "{reason}");
}

#[test]
fn a_bundle_too_big_to_keep_in_memory_is_read_twice_and_gives_the_same_hq() {
    let mut a = Laptop::new(9);
    let id = a.audits(AuditStatus::Completed)[0];
    a.sign(id);
    let bundle = a.export();
    let (_d1, mut kept) = hq();
    accept(&mut kept, &bundle);
    let (_d2, mut streamed) = hq();
    let limits = storecheck_sync::read::Limits {
        keep_bytes: 0,
        ..Default::default()
    };
    let parcel = storecheck_sync::read::read_bundle(&bundle, "bundle.zip", limits).expect("read");
    let applied = streamed
        .import_parcel(parcel)
        .expect("import runs")
        .expect("accepted");
    assert_eq!(applied.added, 1);
    assert_eq!(streamed.dump().expect("dump"), kept.dump().expect("dump"));
    assert_eq!(
        streamed
            .file_names()
            .expect("files")
            .iter()
            .filter(|n| n.starts_with("photos/"))
            .count(),
        3,
        "the photos, read a second time from the archive, are all there"
    );
}

#[test]
fn many_files_at_once_are_read_ahead_and_give_what_one_at_a_time_gives() {
    let (_a, _b, bundles) = two_laptops();
    let broken = tempfile::NamedTempFile::new().expect("temp");
    std::fs::write(broken.path(), b"PK\x03\x04 not really a zip").expect("write");
    let mut files: Vec<PathBuf> = bundles.clone();
    files.insert(2, broken.path().to_path_buf());
    files.push(bundles[0].clone());
    files.push(bundles[3].clone());

    let (_d1, mut one_by_one) = hq();
    let singles: Vec<_> = files
        .iter()
        .map(|f| {
            one_by_one
                .import_file(f, storecheck_core::Lang::En)
                .expect("import")
        })
        .collect();
    let (_d2, mut at_once) = hq();
    let together = at_once
        .import_files(&files, storecheck_core::Lang::En)
        .expect("import");
    assert_eq!(
        together, singles,
        "the same outcome for every file, in the order given"
    );
    assert_eq!(together[2].refused.len(), 1, "the broken file is refused");
    assert_eq!(together.last().map(|o| o.already_present), Some(1));
    assert_eq!(
        at_once.dump().expect("dump"),
        one_by_one.dump().expect("dump")
    );
    assert_eq!(
        at_once.imports(100, Lang::En).expect("log").len(),
        files.len(),
        "every file has its line in the import log"
    );
}

#[test]
fn an_hq_database_whose_making_was_cut_short_is_made_again_and_another_program_s_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    // Killed after SQLite wrote the file's header but before the first migration committed.
    let cut = dir.path().join("cut.db");
    {
        let c = rusqlite::Connection::open(&cut).expect("create");
        c.pragma_update(None, "journal_mode", "WAL").expect("wal");
    }
    assert!(std::fs::metadata(&cut).expect("file").len() > 0);
    let clock = common::ticking(common::START);
    let ids = storecheck_core::db::Ids::seeded(clock.clone(), 5);
    let hq = storecheck_hq::HqDb::open(&cut, clock.clone(), ids.clone()).expect("made again");
    assert!(hq.audits(None).expect("audits").is_empty());
    // A database of another program, with a table of its own, is never taken over.
    let other = dir.path().join("other.db");
    {
        let c = rusqlite::Connection::open(&other).expect("create");
        c.execute_batch("CREATE TABLE contacts (name TEXT);")
            .expect("table");
    }
    let before = std::fs::read(&other).expect("read");
    let err = storecheck_hq::HqDb::open(&other, clock, ids)
        .err()
        .expect("refused");
    assert!(
        err.to_string().contains("not a StoreCheck HQ database"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&other).expect("read"),
        before,
        "left as it was"
    );
}

#[test]
fn the_import_history_gives_each_refusal_in_the_readers_language() {
    let (dir, mut hq) = hq();
    let broken = dir.path().join("сломанный.zip");
    std::fs::write(&broken, b"PK\x03\x04 not a whole archive").expect("write");
    let o = hq.import_file(&broken, Lang::Ru).expect("import runs");
    assert_eq!(o.refused.len(), 1);
    assert!(o.refused[0].reason.contains("не "), "{:?}", o.refused);
    let en = hq.imports(10, Lang::En).expect("log");
    let ru = hq.imports(10, Lang::Ru).expect("log");
    let reason = |lines: &[storecheck_hq::query::ImportLine]| {
        lines[0].refused[0]["reason"]
            .as_str()
            .expect("reason")
            .to_string()
    };
    assert!(
        reason(&en).contains("not a"),
        "English for an English reader: {}",
        reason(&en)
    );
    assert_eq!(
        reason(&ru),
        o.refused[0].reason,
        "Russian for a Russian reader"
    );
    assert_eq!(en[0].refused[0]["what"], ru[0].refused[0]["what"]);
}

#[test]
fn on_postgresql_another_program_s_database_and_a_newer_storecheck_s_are_refused_and_left_as_they_were()
 {
    // Only beside the test script's PostgreSQL (scripts/with-postgres.sh).
    let (Some(other), Some(newer)) = (common::postgres_url(), common::postgres_url()) else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let clock = common::ticking(common::START);
    let ids = storecheck_core::db::Ids::seeded(clock.clone(), 5);
    let open = |url: &str| {
        storecheck_hq::HqDb::open_postgres(url, dir.path(), clock.clone(), ids.clone())
            .err()
            .expect("refused")
    };
    let tables = |url: &str| -> Vec<String> {
        let mut c = postgres::Client::connect(url, postgres::NoTls).expect("connect");
        c.query(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = current_schema() ORDER BY 1",
            &[],
        )
        .expect("tables")
        .iter()
        .map(|r| r.get(0))
        .collect()
    };
    let run = |url: &str, sql: &str| {
        postgres::Client::connect(url, postgres::NoTls)
            .expect("connect")
            .batch_execute(sql)
            .expect("sql");
    };
    run(&other, "CREATE TABLE contacts (name text)");
    let err = open(&other);
    assert!(
        err.to_string().contains("not a StoreCheck HQ database"),
        "{err}"
    );
    assert_eq!(tables(&other), ["contacts"], "left as it was");

    // Made by this StoreCheck, then marked as a newer one's.
    drop(
        storecheck_hq::HqDb::open_postgres(&newer, dir.path(), clock.clone(), ids.clone())
            .expect("made"),
    );
    run(&newer, "UPDATE hq_schema SET version = version + 1");
    let before = tables(&newer);
    let err = open(&newer);
    assert!(err.to_string().contains("newer StoreCheck"), "{err}");
    assert_eq!(tables(&newer), before, "left as it was");
}

/// Every file under `dir`, relative, sorted (none when there is no such folder).
fn files_in(dir: &std::path::Path) -> Vec<String> {
    if !dir.exists() {
        return Vec::new();
    }
    let mut names: Vec<String> = walk(dir)
        .iter()
        .map(|p| p.strip_prefix(dir).expect("under").display().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn a_second_computer_on_the_same_hq_database_sees_every_file_the_first_kept() {
    // On PostgreSQL, HQ's files are in the database: a server or analyst on another computer
    // (another local folder) has the photos, PDFs, CA, server certificate and packages the
    // first kept, and neither keeps any of them in its own folder. On SQLite, both open the
    // same file and its folder.
    let (_d, mut first) = hq();
    let mut a = Laptop::new(31);
    let id = a.audits(AuditStatus::Draft)[0];
    a.complete(id);
    a.sign(id);
    let bundle = a.export();
    accept(&mut first, &bundle);
    first.ca_init(Some("Ромашка")).expect("CA");
    let (package, _) = first.make_package().expect("package");
    let server = first
        .server_certificate(&["127.0.0.1".to_string()])
        .expect("server certificate");
    assert!(server.issued);

    let elsewhere = tempfile::tempdir().expect("another computer's folder");
    let clock = common::ticking(common::START + 20_000_000);
    let second = storecheck_hq::HqDb::open_at(
        first.location(),
        elsewhere.path(),
        clock.clone(),
        storecheck_core::ids::Ids::seeded(clock, 7),
    )
    .expect("open from the second computer");

    let names = first.file_names().expect("files");
    assert_eq!(second.file_names().expect("files"), names);
    let photos = names.iter().filter(|n| n.starts_with("photos/")).count();
    assert!(photos > 0, "{names:?}");
    for wanted in [
        "ca/ca-cert.pem",
        "ca/ca-key.pem",
        "ca/server.key",
        "ca/server.pem",
        "packages/hq-package-000001.zip",
    ] {
        assert!(names.iter().any(|n| n == wanted), "{wanted} in {names:?}");
    }
    for name in &names {
        assert_eq!(
            second.file_bytes(name).expect("read"),
            first.file_bytes(name).expect("read"),
            "{name}"
        );
    }
    // What the second computer does with them: the same CA, package, certificate and report.
    assert_eq!(
        second.ca_info().expect("CA").map(|c| c.fingerprint),
        first.ca_info().expect("CA").map(|c| c.fingerprint)
    );
    assert_eq!(second.latest_package().expect("latest"), Some(1));
    assert_eq!(second.package_bytes(1).expect("package"), Some(package));
    let mut second = second;
    let again = second
        .server_certificate(&["127.0.0.1".to_string()])
        .expect("server certificate");
    assert!(
        !again.issued,
        "the certificate the first kept, not one of its own"
    );
    assert_eq!(again.serial, server.serial);
    let view = second
        .audit_view(&id.to_string(), "2026-12-01")
        .expect("audit");
    assert!(view.report.expect("a signed report").held);

    if matches!(first.files(), storecheck_hq::files::Files::Table { .. }) {
        for computer in [&first, &second] {
            assert_eq!(
                files_in(computer.files().local_dir()),
                Vec::<String>::new(),
                "nothing in {}",
                computer.files().local_dir().display()
            );
        }
        assert_eq!(server.cert_file, None, "the certificate is in the database");
        // A copy where a proxy can read it, only when asked for.
        let mut copied = again.clone();
        second
            .server_certificate_files(&mut copied)
            .expect("copies");
        let key = copied.key_file.expect("the key as a file");
        assert_eq!(
            std::fs::read(&key).expect("key"),
            second
                .file_bytes("ca/server.key")
                .expect("read")
                .expect("key")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&key).expect("key").permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "the key's copy is its owner's only");
        }
    }
}
