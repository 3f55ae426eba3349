//! What the HQ tests share: store laptops that fill, complete, sign and export audits with a
//! ticking clock, and an HQ database in a temporary folder.
#![allow(dead_code, clippy::disallowed_methods)] // each test file uses its own part

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::DateTime;
use storecheck_core::audit::AnswerInput;
use storecheck_core::db::{Clock, Ids, Inputs};
use storecheck_core::model::{AuditStatus, Response};
use storecheck_core::{Db, Lang};
use storecheck_hq::HqDb;
use storecheck_sync::DeviceKey;
use storecheck_sync::manifest::{MANIFEST, Manifest, SIGNATURE, sha256_hex};
use uuid::Uuid;

pub const ANSWERS_PASS: &[u8] =
    include_bytes!("../../../../fixtures/answers/demo-fashion-pass.csv");

/// A clock that moves one second on every reading, from `start` (seconds since 1970).
pub fn ticking(start: i64) -> Clock {
    let t = Arc::new(AtomicI64::new(start * 1000));
    Arc::new(move || {
        DateTime::from_timestamp_millis(t.fetch_add(1000, Ordering::SeqCst)).unwrap_or_default()
    })
}

/// 20 November 2026, 09:00 UTC.
pub const START: i64 = 1_795_165_200;

/// A store laptop: its database (with the Russian demo), its device key, and the folder its
/// bundles go to.
pub struct Laptop {
    pub dir: tempfile::TempDir,
    pub db: Db,
    pub key: DeviceKey,
    pub clock: Clock,
    pub out: PathBuf,
}

impl Laptop {
    pub fn new(seed: u64) -> Laptop {
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = ticking(START + seed as i64 * 100_000);
        let mut db = Db::open(
            &dir.path().join("store.db"),
            Inputs::seeded(clock.clone(), seed),
        )
        .expect("open");
        db.load_demo(Lang::Ru).expect("demo");
        let key = DeviceKey::load_or_create(&db.keys_dir().expect("keys"), db.ids()).expect("key");
        let out = dir.path().join("out");
        Laptop {
            dir,
            db,
            key,
            clock,
            out,
        }
    }

    pub fn audits(&self, status: AuditStatus) -> Vec<Uuid> {
        self.db
            .list_audits()
            .expect("list")
            .into_iter()
            .filter(|a| a.status == status)
            .map(|a| a.id)
            .collect()
    }

    /// Fills a draft with the demo's passing answers and the photos they call for (the demo's
    /// own), and completes it.
    pub fn complete(&mut self, id: Uuid) {
        self.db
            .fill_from_csv(id, "pass.csv", ANSWERS_PASS)
            .expect("fill");
        let done = self
            .db
            .list_audits()
            .expect("list")
            .into_iter()
            .find(|a| a.status != AuditStatus::Draft && a.id != id)
            .expect("another audit with photos")
            .id;
        let store = self.db.photo_store().expect("photos").clone();
        for p in self.db.photos(done).expect("photos") {
            let format = storecheck_core::photo::Format::parse(&p.format).expect("format");
            let bytes = std::fs::read(
                store.path(&p.sha256, storecheck_core::photo::Variant::Original(format)),
            )
            .expect("original");
            let prepared =
                storecheck_core::photo::prepare(&p.file_name, bytes, &Default::default())
                    .expect("prepare");
            self.db
                .attach_photos(id, &p.code, &[prepared])
                .expect("attach");
        }
        self.db.complete_audit(id).expect("complete");
    }

    /// A new audit of `store`, completed as [`Laptop::complete`] does.
    pub fn completed(&mut self, store: &str) -> Uuid {
        let id = self
            .db
            .create_audit(&storecheck_core::audit::NewAudit {
                store_code: store.into(),
                shift_date: "2026-11-20".into(),
                shift: storecheck_core::model::ShiftPart::Evening,
                auditor: "Анна Смирнова".into(),
                observed: None,
                standard: None,
            })
            .expect("audit");
        self.complete(id);
        id
    }

    /// Reopens a completed audit, fails `code`, and completes it again.
    pub fn redo(&mut self, id: Uuid, code: &str, note: &str) {
        self.db.reopen_audit(id).expect("reopen");
        self.db
            .save_answer(
                id,
                code,
                &AnswerInput {
                    response: Some(Response::Fail),
                    note: Some(note.into()),
                },
            )
            .expect("answer");
        self.db.complete_audit(id).expect("complete");
    }

    pub fn sign(&mut self, id: Uuid) {
        let now = (self.clock)();
        storecheck_report::sign_audit(
            &mut self.db,
            id,
            &storecheck_report::SignRequest {
                signer: "Анна Смирнова".into(),
                lang: Lang::Ru,
                drawn: None,
                acknowledged_by: None,
                acknowledgement: None,
                utc_offset: chrono::FixedOffset::east_opt(3 * 3600).expect("offset"),
            },
            now,
        )
        .expect("sign");
    }

    /// Exports what is new; returns the bundle written.
    pub fn export(&mut self) -> PathBuf {
        let done = storecheck_sync::export::export(&mut self.db, &self.out, false, &self.key)
            .expect("export");
        PathBuf::from(done.file.expect("a bundle was written"))
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("store.db")
    }
}

/// A new HQ database in its own temporary folder: a SQLite file, or, when the test script
/// names a PostgreSQL server in `STORECHECK_TEST_POSTGRES` (its maintenance database's URL), a
/// new database of its own on that server, with its files in the folder.
pub fn hq() -> (tempfile::TempDir, HqDb) {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = ticking(START + 10_000_000);
    let ids = Ids::seeded(clock.clone(), 99);
    let hq = match postgres_url() {
        Some(url) => HqDb::open_postgres(&url, &dir.path().join("hq-files"), clock, ids),
        None => HqDb::open(&dir.path().join("hq.db"), clock, ids),
    }
    .expect("open hq");
    (dir, hq)
}

/// A new, empty database on the test script's PostgreSQL server, if it named one.
pub fn postgres_url() -> Option<String> {
    let admin = std::env::var("STORECHECK_TEST_POSTGRES").ok()?;
    let name = format!("hq_test_{}", Uuid::now_v7().simple());
    let mut client = postgres::Client::connect(&admin, postgres::NoTls).expect("test PostgreSQL");
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create database");
    let (base, _) = admin.rsplit_once('/').expect("a URL with a database");
    Some(format!("{base}/{name}"))
}

/// Imports `file`, expecting it accepted; returns (added, already present).
pub fn accept(hq: &mut HqDb, file: &Path) -> (usize, usize) {
    let o = hq.import_file(file, Lang::En).expect("import runs");
    assert!(
        o.refused.is_empty(),
        "{} was refused: {:?}",
        file.display(),
        o.refused
    );
    (o.added, o.already_present)
}

/// Imports `file`, expecting it refused; returns the reason, checking nothing was written.
pub fn refuse(hq: &mut HqDb, file: &Path) -> String {
    let before = hq.dump().expect("dump");
    let o = hq.import_file(file, Lang::En).expect("import runs");
    assert_eq!(
        o.refused.len(),
        1,
        "{} should be refused: {o:?}",
        file.display()
    );
    assert_eq!((o.added, o.already_present), (0, 0));
    assert_eq!(
        hq.dump().expect("dump"),
        before,
        "a refused file must leave HQ as it was"
    );
    format!("{} | {}", o.refused[0].what, o.refused[0].reason)
}

/// A small deterministic random source for shuffles.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// A bundle's entries, in order, as (name, bytes).
pub type Entries = Vec<(String, Vec<u8>)>;

pub fn entries(bundle: &Path) -> Entries {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(bundle).expect("open")).expect("zip");
    (0..zip.len())
        .map(|i| {
            let mut e = zip.by_index(i).expect("entry");
            let mut bytes = Vec::new();
            e.read_to_end(&mut bytes).expect("read");
            (e.name().expect("name").to_string(), bytes)
        })
        .collect()
}

pub fn write(entries: &Entries, to: &Path) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(to).expect("create"));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), options).expect("start");
        zip.write_all(bytes).expect("write");
    }
    zip.finish().expect("finish");
}

pub fn manifest_of(entries: &Entries) -> Manifest {
    let bytes = &entries
        .iter()
        .find(|(n, _)| n == MANIFEST)
        .expect("manifest")
        .1;
    serde_json::from_slice(bytes).expect("manifest json")
}

/// Puts `manifest` back, signed by `key`.
pub fn sign(entries: &mut Entries, manifest: &Manifest, key: &DeviceKey) {
    let bytes = serde_json::to_vec_pretty(manifest).expect("json");
    let envelope = serde_json::to_vec_pretty(&key.sign_manifest(&bytes)).expect("json");
    for (name, data) in entries.iter_mut() {
        if name == MANIFEST {
            *data = bytes.clone();
        } else if name == SIGNATURE {
            *data = envelope.clone();
        }
    }
}

/// The manifest listing the entries as they are now, signed again by `key` (the device's own,
/// or a stranger's).
pub fn resign(entries: &mut Entries, key: &DeviceKey) {
    let mut m = manifest_of(entries);
    relist(entries, &mut m);
    sign(entries, &m, key);
}

/// The manifest's list made true again for the entries as they are now.
pub fn relist(entries: &Entries, manifest: &mut Manifest) {
    manifest.entries = entries
        .iter()
        .filter(|(n, _)| n != MANIFEST && n != SIGNATURE)
        .map(|(n, b)| storecheck_sync::manifest::Entry {
            name: n.clone(),
            size: b.len() as u64,
            sha256: sha256_hex(b),
        })
        .collect();
}
