//! Target `bundles`: sync bundles, and a store's database file, through HQ's import
//! (`HqDb::import_file`) into an HQ database that already holds other bundles.
//!
//! Seeds, made once at start-up from two laptops with the Russian demo, deterministically (fixed
//! clocks, ids, device keys and the signer's key and certificate in `crates/fuzz/signer/`, so a
//! case replays byte for byte): laptop A exports its completed audit unsigned (`a1`), then the
//! same audit signed (seed `signed`: the audit, three photos, the signed PDF), then another
//! audit completed (seed `completed`); laptop B exports its completed audit (`b1`). HQ's
//! reference state holds `a1` and `b1`: the devices' keys are known, the standard is there,
//! and the signed seed replaces an unsigned copy. A's database file, with its photos and
//! reports beside it, is a third seed.
//!
//! Mutations, chosen by the case's random source: raw bytes of the file; the archive rebuilt
//! with entries dropped, duplicated, renamed (path traversal, odd names), reordered, changed,
//! cut, added, and its headers lying (method, sizes, CRC, entry count, truncation); the
//! manifest's fields (format, kind, sequence, previous, device, each entry's name, size and
//! hash) changed; the NDJSON tables changed as JSON (numbers, strings, statuses, ids, fields
//! removed or renamed, lines dropped, repeated or taken from the other seed). Changed contents
//! are listed again and re-signed by the device's own key most of the time, by a stranger's
//! key sometimes, or left as they are.
//!
//! The oracle, besides no panic, abort or hang: an import that fails with an error of HQ's
//! own instead of a refusal fails the case. A refused file leaves HQ's dump and its folder of
//! files as they were, with a reason named in English and in Russian. A file accepted without
//! being re-signed must leave HQ exactly as importing an untouched seed does (a changed byte
//! that is accepted means a check is missing); one re-signed by a stranger's key for a device
//! HQ knows must be refused; one re-signed by the device's own key, or a database file (not
//! signed at all), only has to leave HQ readable.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use serde_json::Value;
use storecheck_core::db::{Clock, Inputs};
use storecheck_core::i18n::Text;
use storecheck_core::ids::Ids;
use storecheck_core::model::AuditStatus;
use storecheck_core::{Db, Lang};
use storecheck_hq::HqDb;
use storecheck_sync::DeviceKey;
use storecheck_sync::manifest::{MANIFEST, Manifest, SIGNATURE, sha256_hex};
use uuid::Uuid;

use crate::mutate::{self, INTERESTING_NUMBERS, Rng};
use crate::sandbox::{at, copy_dir};
use crate::xlsx::{self, Entry, ZipPlan};
use crate::{Failure, Input, Target};

/// The auditor who signs, and the key and certificate they sign with (made once by
/// `Signer::load_or_create`, kept so the signed PDF is the same in every process).
const SIGNER: &str = "Анна Смирнова";
const SIGNER_KEY: &str = include_str!("../signer/signing-key.pem");
const SIGNER_CERT: &str = include_str!("../signer/signing-cert.pem");

/// Input names: how the case was made, which decides what the oracle expects.
const PLAIN: &str = "bundle.zip";
const RESIGNED: &str = "resigned.zip";
const FORGED: &str = "forged.zip";
const DATABASE: &str = "store.db";

const TABLES: [&str; 3] = ["stores.ndjson", "standards.ndjson", "audits.ndjson"];

struct Seed {
    name: &'static str,
    file: Vec<u8>,
    entries: Vec<Entry>,
    /// HQ's dump after importing this seed, untouched, into the reference state.
    expected: String,
}

pub struct Bundles {
    seeds: Vec<Seed>,
    database: Vec<u8>,
    key: DeviceKey,
    stranger: DeviceKey,
    /// Devices whose key HQ holds in the reference state.
    known_devices: Vec<Uuid>,
    /// Strings of the seeds' tables, to put one where another was.
    pool: Vec<String>,
    hq: Hq,
}

impl Bundles {
    pub fn new(fixtures: &Path) -> Result<Bundles, String> {
        let answers_path = fixtures.join("answers/demo-fashion-pass.csv");
        let answers =
            std::fs::read(&answers_path).map_err(|e| format!("{}: {e}", answers_path.display()))?;
        let root = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
        let err = |what: &str, e: &dyn std::fmt::Display| format!("{what}: {e}");

        // Laptop A: its completed audit sent unsigned, then signed; another audit completed.
        let a_dir = root.path().join("laptop-a");
        let key = DeviceKey::from_seed([0xA1; 32]).ok_or("device key A")?;
        let (a1, signed, completed, a_device) = {
            let mut a = Laptop::new(&a_dir, 1)?;
            let audit = *a
                .audits(AuditStatus::Completed)?
                .first()
                .ok_or("the demo has no completed audit")?;
            let a1 = a.export(&key)?;
            a.sign(audit)?;
            let signed = a.export(&key)?;
            let draft = *a
                .audits(AuditStatus::Draft)?
                .first()
                .ok_or("the demo has no draft")?;
            a.complete(draft, &answers)?;
            let completed = a.export(&key)?;
            (a1, signed, completed, a.db.device())
        };
        // Laptop B: its completed audit.
        let (b1, b_device) = {
            let mut b = Laptop::new(&root.path().join("laptop-b"), 2)?;
            (
                b.export(&DeviceKey::from_seed([0xB2; 32]).ok_or("device key B")?)?,
                b.db.device(),
            )
        };

        // A's database file, with its photos and reports beside it where the case is written.
        let inputs = root.path().join("inputs");
        std::fs::create_dir_all(&inputs).map_err(|e| err("inputs", &e))?;
        for folder in ["photos", "reports"] {
            copy_dir(&a_dir.join(folder), &inputs.join(folder))?;
        }
        let database = std::fs::read(a_dir.join("store.db")).map_err(|e| err("store.db", &e))?;

        let hq = Hq::new(root, inputs, &[&b1, &a1])?;
        let mut bundles = Bundles {
            seeds: Vec::new(),
            database,
            key,
            stranger: DeviceKey::from_seed([0x5E; 32]).ok_or("stranger key")?,
            known_devices: vec![a_device, b_device],
            pool: Vec::new(),
            hq,
        };
        for (name, path) in [("signed", &signed), ("completed", &completed)] {
            let file = std::fs::read(path).map_err(|e| err(name, &e))?;
            let entries = xlsx::read_entries(&file).ok_or("a seed bundle is not a zip")?;
            let expected = bundles.hq.import_untouched(path)?;
            bundles.seeds.push(Seed {
                name,
                file,
                entries,
                expected,
            });
        }
        bundles.hq.reset()?;
        bundles.pool = string_pool(&bundles.seeds);
        Ok(bundles)
    }
}

/// A store laptop in a folder: its database with the demo, a clock that moves a second on
/// every reading from its own start, ids seeded by `seed`.
struct Laptop {
    db: Db,
    clock: Clock,
    out: PathBuf,
}

impl Laptop {
    fn new(dir: &Path, seed: u64) -> Result<Laptop, String> {
        let err = |e: storecheck_core::Error| format!("laptop {seed}: {e}");
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let clock = ticking(at() + chrono::Duration::days(seed as i64));
        let mut db =
            Db::open(&dir.join("store.db"), Inputs::seeded(clock.clone(), seed)).map_err(err)?;
        db.load_demo(Lang::Ru).map_err(err)?;
        let signer = db
            .keys_dir()
            .map_err(err)?
            .join(storecheck_report::sign::signer_folder(SIGNER));
        std::fs::create_dir_all(&signer).map_err(|e| format!("{}: {e}", signer.display()))?;
        for (name, text) in [
            ("signing-key.pem", SIGNER_KEY),
            ("signing-cert.pem", SIGNER_CERT),
        ] {
            std::fs::write(signer.join(name), text).map_err(|e| format!("{name}: {e}"))?;
        }
        Ok(Laptop {
            db,
            clock,
            out: dir.join("out"),
        })
    }

    fn audits(&self, status: AuditStatus) -> Result<Vec<Uuid>, String> {
        Ok(self
            .db
            .list_audits()
            .map_err(|e| e.to_string())?
            .into_iter()
            .filter(|a| a.status == status)
            .map(|a| a.id)
            .collect())
    }

    fn sign(&mut self, audit: Uuid) -> Result<(), String> {
        let now = (self.clock)();
        storecheck_report::sign_audit(
            &mut self.db,
            audit,
            &storecheck_report::SignRequest {
                signer: SIGNER.into(),
                lang: Lang::Ru,
                drawn: None,
                acknowledged_by: Some("Ольга Петрова".into()),
                acknowledgement: None,
                utc_offset: chrono::FixedOffset::east_opt(3 * 3600).ok_or("offset")?,
            },
            now,
        )
        .map(|_| ())
        .map_err(|e| format!("signing: {e}"))
    }

    /// Fills a draft with the demo's passing answers and, where another audit has photos,
    /// pictures of its own (so HQ has not got them yet), and completes it.
    fn complete(&mut self, audit: Uuid, answers: &[u8]) -> Result<(), String> {
        let err = |e: storecheck_core::Error| format!("completing the draft: {e}");
        self.db
            .fill_from_csv(audit, "pass.csv", answers)
            .map_err(err)?;
        let done = self
            .db
            .list_audits()
            .map_err(err)?
            .into_iter()
            .find(|a| a.status != AuditStatus::Draft && a.id != audit)
            .ok_or("no audit with photos")?
            .id;
        for (i, p) in self.db.photos(done).map_err(err)?.into_iter().enumerate() {
            let (name, bytes) = picture(i)?;
            let prepared =
                storecheck_core::photo::prepare(&name, bytes, &Default::default()).map_err(err)?;
            self.db
                .attach_photos(audit, &p.code, &[prepared])
                .map_err(err)?;
        }
        self.db.complete_audit(audit).map_err(err)?;
        Ok(())
    }

    fn export(&mut self, key: &DeviceKey) -> Result<PathBuf, String> {
        let done = storecheck_sync::export::export(&mut self.db, &self.out, false, key)
            .map_err(|e| format!("export: {e}"))?;
        done.file
            .map(PathBuf::from)
            .ok_or("nothing to export".into())
    }
}

/// A small picture of its own for each `i`, PNG and JPEG in turn.
fn picture(i: usize) -> Result<(String, Vec<u8>), String> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 5) as u8, (i * 40) as u8])
    });
    let (name, format) = if i.is_multiple_of(2) {
        (format!("shelf-{i}.png"), image::ImageFormat::Png)
    } else {
        (format!("shelf-{i}.jpg"), image::ImageFormat::Jpeg)
    };
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, format)
        .map_err(|e| format!("a picture: {e}"))?;
    Ok((name, out.into_inner()))
}

fn ticking(start: DateTime<Utc>) -> Clock {
    let t = Arc::new(AtomicI64::new(start.timestamp_millis()));
    Arc::new(move || {
        DateTime::from_timestamp_millis(t.fetch_add(1000, Ordering::SeqCst)).unwrap_or_default()
    })
}

/// The HQ database: a template holding the reference state, and a working copy made from it
/// again whenever a case may have changed it.
struct Hq {
    /// Everything the target made, removed with it.
    _root: tempfile::TempDir,
    template: PathBuf,
    work: PathBuf,
    inputs: PathBuf,
    db: Option<HqDb>,
    reference_dump: String,
    reference_files: BTreeSet<(String, u64)>,
    /// The working copy may differ from the template.
    dirty: bool,
}

const HQ_NAME: &str = "hq.db";

impl Hq {
    fn new(root: tempfile::TempDir, inputs: PathBuf, reference: &[&Path]) -> Result<Hq, String> {
        let template = root.path().join("hq-template");
        {
            let mut db = open_hq(&template.join(HQ_NAME))?;
            for file in reference {
                let o = db
                    .import_file(file, Lang::En)
                    .map_err(|e| format!("the reference import: {e}"))?;
                if !o.refused.is_empty() {
                    return Err(format!("the reference bundle was refused: {:?}", o.refused));
                }
            }
            // Closing the connection folds the WAL into the database file.
        }
        let work = root.path().join("hq");
        let mut hq = Hq {
            _root: root,
            template,
            work,
            inputs,
            db: None,
            reference_dump: String::new(),
            reference_files: BTreeSet::new(),
            dirty: true,
        };
        hq.reset()?;
        hq.reference_dump = hq.dump()?;
        hq.reference_files = hq.files()?;
        Ok(hq)
    }

    /// The template's state again.
    fn reset(&mut self) -> Result<(), String> {
        self.db = None;
        if self.work.exists() {
            std::fs::remove_dir_all(&self.work)
                .map_err(|e| format!("{}: {e}", self.work.display()))?;
        }
        copy_dir(&self.template, &self.work)?;
        self.db = Some(open_hq(&self.work.join(HQ_NAME))?);
        self.dirty = false;
        Ok(())
    }

    fn db(&mut self) -> Result<&mut HqDb, String> {
        self.db.as_mut().ok_or_else(|| "HQ is not open".to_string())
    }

    fn dump(&mut self) -> Result<String, String> {
        self.db()?.dump().map_err(|e| format!("dump: {e}"))
    }

    /// The files in HQ's folder of photos and reports, with their sizes (not its work folder,
    /// where store databases are read and which is emptied after each).
    fn files(&self) -> Result<BTreeSet<(String, u64)>, String> {
        let dir = self.work.join("hq-files");
        let mut out = BTreeSet::new();
        if dir.exists() {
            list_files(&dir, &dir, &mut out)?;
        }
        Ok(out
            .into_iter()
            .filter(|(name, _)| !name.starts_with("work/") && name != "work/")
            .collect())
    }

    /// The dump after importing `file`, which must be accepted, into the reference state.
    fn import_untouched(&mut self, file: &Path) -> Result<String, String> {
        self.reset()?;
        let o = self
            .db()?
            .import_file(file, Lang::En)
            .map_err(|e| format!("importing a seed: {e}"))?;
        if !o.refused.is_empty() || o.added == 0 {
            return Err(format!("a seed was not imported: {o:?}"));
        }
        self.dirty = true;
        self.dump()
    }
}

/// Opens with a fixed clock and ids seeded afresh each time (a reopened copy must not make ids
/// its rows already have).
fn open_hq(path: &Path) -> Result<HqDb, String> {
    static SEED: AtomicU64 = AtomicU64::new(1000);
    let clock: Clock = Arc::new(at);
    let ids = Ids::seeded(clock.clone(), SEED.fetch_add(1, Ordering::Relaxed));
    HqDb::open(path, clock, ids).map_err(|e| format!("opening {}: {e}", path.display()))
}

fn list_files(base: &Path, dir: &Path, out: &mut BTreeSet<(String, u64)>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let rel = path
            .strip_prefix(base)
            .unwrap_or(&path)
            .display()
            .to_string();
        if path.is_dir() {
            out.insert((format!("{rel}/"), 0));
            list_files(base, &path, out)?;
        } else {
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            out.insert((rel, size));
        }
    }
    Ok(())
}

impl Target for Bundles {
    fn name(&self) -> &'static str {
        "bundles"
    }

    fn generate(&self, rng: &mut Rng) -> Input {
        if rng.chance(1, 10) {
            rng.note("seed:database");
            let mut b = self.database.clone();
            mutate::bytes(rng, &mut b, &[], 4);
            return Input::new(DATABASE, b);
        }
        let i = rng.below(self.seeds.len());
        let (seed, other) = (&self.seeds[i], &self.seeds[(i + 1) % self.seeds.len()]);
        rng.note(format!("seed:{}", seed.name));
        let others: Vec<&[u8]> = self.seeds.iter().map(|s| s.file.as_slice()).collect();
        match rng.below(20) {
            0..4 => {
                let mut b = seed.file.clone();
                mutate::bytes(rng, &mut b, &others, 4);
                Input::new(PLAIN, b)
            }
            mode => self.rebuild(rng, seed, other, mode),
        }
    }

    fn check(&mut self, input: &Input) -> Result<(), Failure> {
        if self.hq.dirty {
            self.hq.reset().map_err(Failure::harness)?;
        }
        let path = self.hq.inputs.join(&input.name);
        std::fs::write(&path, &input.bytes)
            .map_err(|e| Failure::harness(format!("{}: {e}", path.display())))?;
        // Whatever happens from here on, the next case starts afresh unless this one is a
        // clean refusal.
        self.hq.dirty = true;
        let db = self.hq.db().map_err(Failure::harness)?;
        let outcome = db.import_file(&path, Lang::En).map_err(|e| {
            Failure::new(
                "hq-error",
                format!(
                    "the import failed instead of refusing: {}",
                    e.text(Lang::En)
                ),
            )
        })?;
        if outcome.refused.is_empty() {
            return self.accepted(input);
        }
        let refused = &outcome.refused;
        if refused.len() != 1 || outcome.added != 0 || outcome.already_present != 0 {
            return Err(Failure::new(
                "refusal-counts",
                format!("refused but counted: {outcome:?}"),
            ));
        }
        let dump = self.hq.dump().map_err(Failure::harness)?;
        if dump != self.hq.reference_dump {
            return Err(Failure::new(
                "refusal-wrote",
                format!(
                    "refused ({}) but HQ's rows changed: {}",
                    refused[0].reason,
                    first_difference(&self.hq.reference_dump, &dump)
                ),
            ));
        }
        let files = self.hq.files().map_err(Failure::harness)?;
        if files != self.hq.reference_files {
            let added: Vec<_> = files.difference(&self.hq.reference_files).collect();
            let removed: Vec<_> = self.hq.reference_files.difference(&files).collect();
            return Err(Failure::new(
                "refusal-left-files",
                format!(
                    "refused ({}) but HQ's files changed: added {added:?}, removed {removed:?}",
                    refused[0].reason
                ),
            ));
        }
        let en = refused[0].clone();
        let db = self.hq.db().map_err(Failure::harness)?;
        let again = db.import_file(&path, Lang::Ru).map_err(|e| {
            Failure::new(
                "hq-error",
                format!(
                    "refused once, then failed instead of refusing: {}",
                    e.text(Lang::En)
                ),
            )
        })?;
        let Some(ru) = again.refused.first() else {
            return Err(Failure::new(
                "refusal-unstable",
                format!("refused ({}), then accepted", en.reason),
            ));
        };
        for (lang, r) in [("en", &en), ("ru", ru)] {
            if r.reason.trim().is_empty() {
                return Err(Failure::new(
                    "silent-refusal",
                    format!("the refusal in {lang} does not say why: {r:?}"),
                ));
            }
        }
        if self.hq.dump().map_err(Failure::harness)? != self.hq.reference_dump {
            return Err(Failure::new(
                "refusal-wrote",
                "refused twice, and the second refusal changed HQ's rows",
            ));
        }
        self.hq.dirty = false;
        Ok(())
    }

    fn recover(&mut self) -> Result<(), String> {
        self.hq.reset()
    }
}

impl Bundles {
    /// What must hold after `input` was accepted.
    fn accepted(&mut self, input: &Input) -> Result<(), Failure> {
        match input.name.as_str() {
            PLAIN => {
                let dump = self.hq.dump().map_err(Failure::harness)?;
                if self.seeds.iter().any(|s| s.expected == dump) {
                    return Ok(());
                }
                let nearest = &self.seeds[0].expected;
                Err(Failure::new(
                    "changed-accepted",
                    format!(
                        "a changed bundle that was not signed again was accepted, and HQ holds what no seed holds: {}",
                        first_difference(nearest, &dump)
                    ),
                ))
            }
            FORGED => Err(Failure::new(
                "forged-accepted",
                "a bundle signed by a stranger's key for a device HQ knows was accepted",
            )),
            _ => {
                let db = self.hq.db().map_err(Failure::harness)?;
                let readable = db
                    .audits(None)
                    .map(|_| ())
                    .and_then(|()| db.gaps().map(|_| ()))
                    .and_then(|()| db.dump().map(|_| ()));
                readable.map_err(|e| {
                    Failure::new(
                        "unreadable-after-import",
                        format!("accepted, then HQ cannot be read: {}", e.text(Lang::En)),
                    )
                })
            }
        }
    }

    /// A case made by taking the seed apart: contents changed and signed again (or not), the
    /// manifest changed, the archive rebuilt.
    fn rebuild(&self, rng: &mut Rng, seed: &Seed, other: &Seed, mode: usize) -> Input {
        let mut entries = seed.entries.clone();
        // 4..9: the archive only; 9..13: the manifest; 13..20: the tables.
        let (tables, manifest, archive) = match mode {
            4..9 => (false, false, true),
            9..13 => (false, true, rng.chance(1, 6)),
            _ => (true, rng.chance(1, 6), rng.chance(1, 6)),
        };
        let mut changed = false;
        if tables {
            let rounds = 1 + rng.below(3);
            for _ in 0..rounds {
                self.mutate_table(rng, &mut entries, other);
            }
            changed = true;
        }
        if rng.chance(1, 10) {
            change_entry(rng, &mut entries, true);
            changed = true;
        }
        let sign = if changed || manifest {
            match rng.below(12) {
                0 => Signing::Stranger,
                1 | 2 => Signing::None,
                _ => Signing::Own,
            }
        } else {
            Signing::None
        };
        if sign != Signing::None && rng.chance(1, 4) {
            // Entries dropped, added or renamed before the list is made again: the manifest
            // agrees with the archive, and what is missing or extra reaches the import.
            set_level(rng, &mut entries, other);
        }
        if changed && sign != Signing::None {
            relist(&mut entries);
        }
        if manifest {
            let rounds = 1 + rng.below(2);
            for _ in 0..rounds {
                self.mutate_manifest(rng, &mut entries, other);
            }
        }
        let name = match sign {
            Signing::None => PLAIN,
            Signing::Own => {
                rng.note("sign:own");
                resign(&mut entries, &self.key);
                RESIGNED
            }
            Signing::Stranger => {
                rng.note("sign:stranger");
                resign(&mut entries, &self.stranger);
                let device = entry(&entries, MANIFEST)
                    .and_then(|m| serde_json::from_slice::<Manifest>(m).ok())
                    .map(|m| m.device.id);
                if device.is_some_and(|d| !self.known_devices.contains(&d)) {
                    RESIGNED
                } else {
                    FORGED
                }
            }
        };
        let mut plan = ZipPlan::default();
        if archive {
            let rounds = 1 + rng.below(3);
            for _ in 0..rounds {
                set_level(rng, &mut entries, other);
            }
            container(rng, &entries, &mut plan);
        }
        // Tables deflated, photos and PDFs stored, as the store writes them; now and then
        // the other way round.
        if plan.stored.is_empty() {
            plan.stored = entries
                .iter()
                .map(|e| !e.name.ends_with(".ndjson") ^ rng.chance(1, 20))
                .collect();
        }
        Input::new(name, xlsx::write_zip(rng, &entries, &plan))
    }

    fn mutate_table(&self, rng: &mut Rng, entries: &mut [Entry], other: &Seed) {
        // The audits are where the import rules are: most of the changes go there.
        let table = match rng.below(10) {
            0 => TABLES[0],
            1..3 => TABLES[1],
            _ => TABLES[2],
        };
        let Some(e) = entries.iter_mut().find(|e| e.name == table) else {
            return;
        };
        let text = String::from_utf8_lossy(&e.data).into_owned();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let theirs: Vec<String> = entry(&other.entries, table)
            .map(|d| {
                String::from_utf8_lossy(d)
                    .lines()
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        if lines.is_empty() || rng.chance(1, 5) {
            line_level(rng, table, &mut lines, &theirs);
        } else {
            let i = rng.below(lines.len());
            match serde_json::from_str::<Value>(&lines[i]) {
                Ok(mut v) => {
                    let mut raws = Vec::new();
                    if rng.chance(1, 4) {
                        change_id(rng, &mut v);
                    } else {
                        let rounds = 1 + rng.below(3);
                        for _ in 0..rounds {
                            mutate_json(rng, &mut v, &mut raws, &self.pool);
                        }
                    }
                    rng.note(format!("json:{table}:{i}"));
                    lines[i] = serialize(&v, &raws, false);
                }
                Err(_) => {
                    let mut b = lines[i].clone().into_bytes();
                    mutate::bytes(rng, &mut b, &[], 2);
                    lines[i] = String::from_utf8_lossy(&b).into_owned();
                }
            }
        }
        let mut data = lines.join("\n");
        if !lines.is_empty() && !rng.chance(1, 20) {
            data.push('\n');
        }
        e.data = data.into_bytes();
    }

    fn mutate_manifest(&self, rng: &mut Rng, entries: &mut [Entry], other: &Seed) {
        let Some(e) = entries.iter_mut().find(|e| e.name == MANIFEST) else {
            return;
        };
        let Ok(mut m) = serde_json::from_slice::<Value>(&e.data) else {
            let mut b = e.data.clone();
            mutate::bytes(rng, &mut b, &[], 2);
            e.data = b;
            return;
        };
        let mut raws = Vec::new();
        let field = match rng.below(10) {
            0 => "format",
            1 => "kind",
            2 | 3 => "sequence",
            4 => "previous",
            5 => "created_at",
            6 => "device",
            7 | 8 => "entries",
            _ => "",
        };
        rng.note(format!("manifest:{field}"));
        let theirs = entry(&other.entries, MANIFEST).map(sha256_hex);
        let Some(obj) = m.as_object_mut() else {
            return;
        };
        match field {
            "format" => {
                let t = *rng.pick(&["0", "2", "3", "4294967295", "4294967296", "-1", "1.0"]);
                obj.insert(field.into(), raw(&mut raws, t));
            }
            "kind" => {
                let k = *rng.pick(&["", "storecheck-sync-bundle ", "storecheck-store-bundle"]);
                obj.insert(field.into(), Value::String(k.into()));
            }
            "sequence" => {
                let t = *rng.pick(&[
                    "0",
                    "1",
                    "2",
                    "3",
                    "4",
                    "1000000",
                    "9223372036854775807",
                    "9223372036854775808",
                    "18446744073709551615",
                    "-1",
                    "1.5",
                    "\"2\"",
                    "null",
                ]);
                obj.insert(field.into(), raw(&mut raws, t));
            }
            "previous" => {
                let p = match rng.below(5) {
                    0 => Value::Null,
                    1 => Value::String(String::new()),
                    2 => Value::String("0".repeat(64)),
                    3 => theirs.map_or(Value::Null, Value::String),
                    _ => Value::String("f".repeat(1 + rng.below(5000))),
                };
                obj.insert(field.into(), p);
            }
            "created_at" => {
                let t = *rng.pick(&[
                    "",
                    "not a time",
                    "9999-12-31T23:59:59Z",
                    "1970-01-01T00:00:00Z",
                ]);
                obj.insert(field.into(), Value::String(t.into()));
            }
            "device" => {
                let Some(device) = obj.get_mut("device").and_then(Value::as_object_mut) else {
                    return;
                };
                if rng.chance(1, 3) {
                    let name = match rng.below(3) {
                        0 => String::new(),
                        1 => "Ноутбук ".repeat(1 + rng.below(500)),
                        _ => "\u{0}\u{202e}".into(),
                    };
                    device.insert("name".into(), Value::String(name));
                } else {
                    let id = match rng.below(5) {
                        0 => self.known_devices[rng.below(self.known_devices.len())].to_string(),
                        1 => Uuid::nil().to_string(),
                        2 => Uuid::from_u64_pair(rng.u64(), rng.u64()).to_string(),
                        3 => "not-a-uuid".into(),
                        _ => self.known_devices[0].to_string().to_uppercase(),
                    };
                    device.insert("id".into(), Value::String(id));
                }
            }
            "entries" => {
                let Some(list) = obj.get_mut("entries").and_then(Value::as_array_mut) else {
                    return;
                };
                manifest_entries(rng, list, &mut raws);
            }
            _ => mutate_json(rng, &mut m, &mut raws, &self.pool),
        }
        e.data = serialize(&m, &raws, true).into_bytes();
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Signing {
    None,
    Own,
    Stranger,
}

fn entry<'a>(entries: &'a [Entry], name: &str) -> Option<&'a [u8]> {
    entries
        .iter()
        .find(|e| e.name == name)
        .map(|e| e.data.as_slice())
}

/// The manifest's list made true again for the entries as they are now.
fn relist(entries: &mut [Entry]) {
    let Some(m) = entries.iter().position(|e| e.name == MANIFEST) else {
        return;
    };
    let Ok(mut manifest) = serde_json::from_slice::<Value>(&entries[m].data) else {
        return;
    };
    let list: Vec<Value> = entries
        .iter()
        .filter(|e| e.name != MANIFEST && e.name != SIGNATURE)
        .map(|e| {
            serde_json::json!({
                "name": e.name,
                "size": e.data.len(),
                "sha256": sha256_hex(&e.data),
            })
        })
        .collect();
    if let Some(obj) = manifest.as_object_mut() {
        obj.insert("entries".into(), Value::Array(list));
    }
    entries[m].data = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
}

/// The manifest signed again by `key`; a missing signature entry is added.
fn resign(entries: &mut Vec<Entry>, key: &DeviceKey) {
    let Some(manifest) = entry(entries, MANIFEST).map(<[u8]>::to_vec) else {
        return;
    };
    let envelope = serde_json::to_vec_pretty(&key.sign_manifest(&manifest)).unwrap_or_default();
    match entries.iter_mut().find(|e| e.name == SIGNATURE) {
        Some(e) => e.data = envelope,
        None => entries.push(Entry {
            name: SIGNATURE.into(),
            data: envelope,
        }),
    }
}

/// Names a bundle must not hold, or that are nearly ones it may.
fn odd_name(rng: &mut Rng, entries: &[Entry]) -> String {
    let photo = entries
        .iter()
        .find(|e| e.name.starts_with("photos/"))
        .map_or("photos/x.jpg", |e| e.name.as_str());
    let report = entries
        .iter()
        .find(|e| e.name.starts_with("reports/"))
        .map_or("reports/x.pdf", |e| e.name.as_str());
    match rng.below(22) {
        0 => "../../etc/cron.d/storecheck".into(),
        1 => "/etc/passwd".into(),
        2 => "photos/../../x.jpg".into(),
        3 => "C:\\Windows\\x.pdf".into(),
        4 => "photos\\..\\..\\x.jpg".into(),
        5 => String::new(),
        6 => "photos/".into(),
        7 => "MANIFEST.JSON".into(),
        8 => "./audits.ndjson".into(),
        9 => "audits.ndjson/".into(),
        10 => "аudits.ndjson".into(), // a Cyrillic а
        11 => "audits.ndjson\0.txt".into(),
        12 => photo.to_uppercase(),
        13 => photo.replace(".jpg", ".JPG").replace(".png", ".gif"),
        14 => format!("{photo}/"),
        15 => report.to_uppercase().replace(".PDF", ".pdf"),
        16 => report.replace('-', ""),
        17 => format!("photos/{}", "a".repeat(300)),
        18 => "photos/0000000000000000000000000000000000000000000000000000000000000000.jpg".into(),
        19 => "reports/00000000-0000-0000-0000-000000000000.pdf".into(),
        20 => rng.pick(entries).name.clone(),
        _ => rng.pick(&TABLES).to_string(),
    }
}

/// Entries dropped, duplicated, renamed, reordered, added or taken from the other seed.
fn set_level(rng: &mut Rng, entries: &mut Vec<Entry>, other: &Seed) {
    if entries.is_empty() {
        entries.push(Entry {
            name: MANIFEST.into(),
            data: b"{}".to_vec(),
        });
        rng.note("zip:refill");
        return;
    }
    let i = rng.below(entries.len());
    match rng.below(9) {
        0 => {
            rng.note(format!("zip:drop:{}", entries[i].name));
            entries.remove(i);
        }
        1 => {
            rng.note(format!("zip:duplicate:{}", entries[i].name));
            let mut copy = entries[i].clone();
            if rng.chance(1, 2) {
                change_entry_data(rng, &mut copy.data);
            }
            let at = rng.below(entries.len() + 1);
            entries.insert(at, copy);
        }
        2 | 3 => {
            let name = odd_name(rng, entries);
            rng.note(format!("zip:rename:{}->{name:?}", entries[i].name));
            entries[i].name = name;
        }
        4 => {
            rng.note("zip:reorder");
            match rng.below(3) {
                0 => entries.reverse(),
                1 => {
                    let e = entries.remove(i);
                    entries.insert(0, e);
                }
                _ => {
                    for k in (1..entries.len()).rev() {
                        let j = rng.below(k + 1);
                        entries.swap(k, j);
                    }
                }
            }
        }
        5 => {
            let name = odd_name(rng, entries);
            rng.note(format!("zip:add:{name:?}"));
            let data = match rng.below(3) {
                0 => Vec::new(),
                1 => entries[i].data.clone(),
                _ => b"{\"a\":1}\n".to_vec(),
            };
            let at = rng.below(entries.len() + 1);
            entries.insert(at, Entry { name, data });
        }
        6 => {
            // The same entry from the other seed.
            let name = entries[i].name.clone();
            if let Some(theirs) = entry(&other.entries, &name) {
                rng.note(format!("zip:swap-in:{name}"));
                entries[i].data = theirs.to_vec();
            }
        }
        _ => change_entry(rng, entries, false),
    }
}

/// A byte of one entry changed, or the entry cut short.
fn change_entry(rng: &mut Rng, entries: &mut [Entry], content_only: bool) {
    let candidates: Vec<usize> = (0..entries.len())
        .filter(|&i| !content_only || (entries[i].name != MANIFEST && entries[i].name != SIGNATURE))
        .collect();
    if candidates.is_empty() {
        return;
    }
    let i = *rng.pick(&candidates);
    rng.note(format!("zip:change:{}", entries[i].name));
    change_entry_data(rng, &mut entries[i].data);
}

fn change_entry_data(rng: &mut Rng, data: &mut Vec<u8>) {
    if data.is_empty() {
        data.push(rng.byte());
        return;
    }
    match rng.below(4) {
        0 => {
            let at = rng.below(data.len());
            data.truncate(at);
        }
        1 => data.push(b'\n'),
        _ => {
            let at = rng.below(data.len());
            data[at] ^= 1 << rng.below(8);
        }
    }
}

/// Headers that lie: a method, sizes, a CRC, the entry count; the archive cut short.
fn container(rng: &mut Rng, entries: &[Entry], plan: &mut ZipPlan) {
    let n = entries.len();
    if n == 0 || rng.chance(1, 2) {
        return;
    }
    let i = rng.below(n);
    plan.stored = entries
        .iter()
        .map(|e| !e.name.ends_with(".ndjson"))
        .collect();
    let per = |rng: &mut Rng| {
        let mut v = vec![None; n];
        v[i] = Some(rng.u64() as u32);
        v
    };
    match rng.below(6) {
        0 => {
            let m = *rng.pick(&[1u16, 8, 9, 12, 14, 93, 99, 0xFFFF]);
            plan.method = vec![None; n];
            plan.method[i] = Some(m);
            rng.note(format!("zip:method{m}@{i}"));
        }
        1 => {
            plan.declared_size = per(rng);
            if let Some(s) = plan.declared_size[i].as_mut() {
                *s = *rng.pick(&[0u32, 1, *s % 4096, 0x7FFF_FFFF, 0xFFFF_FFFF]);
            }
            rng.note(format!("zip:declared-size@{i}"));
        }
        2 => {
            plan.declared_compressed = per(rng);
            if let Some(s) = plan.declared_compressed[i].as_mut() {
                *s = *rng.pick(&[0u32, 1, *s % 4096, 0xFFFF_FFFF]);
            }
            rng.note(format!("zip:declared-compressed@{i}"));
        }
        3 => {
            plan.crc = per(rng);
            rng.note(format!("zip:crc@{i}"));
        }
        4 => {
            let at = rng.below(1000) as f64 / 1000.0;
            plan.truncate_at = Some(at);
            rng.note(format!("zip:truncate{at}"));
        }
        _ => {
            let c = *rng.pick(&[0u16, 1, (n as u16).wrapping_sub(1), n as u16 + 1, 0xFFFF]);
            plan.eocd_count = Some(c);
            rng.note(format!("zip:eocd-count{c}"));
        }
    }
}

/// Lines dropped, repeated, swapped, blank, taken from the other seed's table, or broken.
fn line_level(rng: &mut Rng, table: &str, lines: &mut Vec<String>, theirs: &[String]) {
    let n = lines.len();
    let i = rng.below(n.max(1));
    let what = rng.below(9);
    rng.note(format!("lines:{table}:{what}"));
    match what {
        0 if n > 0 => {
            lines.remove(i);
        }
        1 if n > 0 => {
            let times = 1 + rng.below(3);
            for _ in 0..times {
                lines.insert(i, lines[i].clone());
            }
        }
        2 if n > 1 => {
            let j = rng.below(n);
            lines.swap(i, j);
        }
        3 => lines.clear(),
        4 if !theirs.is_empty() => {
            let line = rng.pick(theirs).clone();
            if rng.chance(1, 2) || n == 0 {
                lines.push(line);
            } else {
                lines[i] = line;
            }
        }
        5 => lines.insert(i.min(n), String::new()),
        6 if n > 0 => {
            let bad = *rng.pick(&["null", "{}", "[]", "1", "\"x\"", "{", "\u{feff}"]);
            if rng.chance(1, 2) {
                lines[i] = bad.to_string();
            } else {
                lines[i].insert_str(0, bad);
            }
        }
        7 if n > 0 => lines[i].push('\r'),
        _ if n > 0 => {
            // A line cut short.
            let cut = rng.below(lines[i].len());
            let mut at = cut;
            while !lines[i].is_char_boundary(at) {
                at -= 1;
            }
            lines[i].truncate(at);
        }
        _ => {}
    }
}

/// A change to the manifest's list of entries.
fn manifest_entries(rng: &mut Rng, list: &mut Vec<Value>, raws: &mut Vec<String>) {
    if list.is_empty() {
        list.push(serde_json::json!({"name": "stores.ndjson", "size": 0, "sha256": ""}));
        return;
    }
    let i = rng.below(list.len());
    match rng.below(8) {
        0 => {
            let size = list[i]["size"].as_u64().unwrap_or(0);
            let t = match rng.below(7) {
                0 => (size + 1).to_string(),
                1 => size.saturating_sub(1).to_string(),
                2 => "0".into(),
                3 => u64::MAX.to_string(),
                4 => (1u64 << 63).to_string(),
                5 => "-1".into(),
                _ => (1u64 << 40).to_string(),
            };
            rng.note(format!("entries[{i}].size={t}"));
            list[i]["size"] = raw(raws, &t);
        }
        1 => {
            let sha = list[i]["sha256"].as_str().unwrap_or("").to_string();
            let new = match rng.below(4) {
                0 => sha.to_uppercase(),
                1 => String::new(),
                2 => {
                    let mut b = sha.into_bytes();
                    if !b.is_empty() {
                        let at = rng.below(b.len());
                        b[at] = if b[at] == b'0' { b'1' } else { b'0' };
                    }
                    String::from_utf8_lossy(&b).into_owned()
                }
                _ => {
                    let j = rng.below(list.len());
                    list[j]["sha256"].as_str().unwrap_or("").to_string()
                }
            };
            rng.note(format!("entries[{i}].sha256"));
            list[i]["sha256"] = Value::String(new);
        }
        2 => {
            let j = rng.below(list.len());
            let name = list[j]["name"].clone();
            rng.note(format!("entries[{i}].name=entries[{j}]"));
            list[i]["name"] = name;
        }
        3 => {
            let name = *rng.pick(&[
                MANIFEST,
                SIGNATURE,
                "../x",
                "",
                "notes.txt",
                "photos/x.jpg",
                "reports/x.pdf",
            ]);
            rng.note(format!("entries[{i}].name={name:?}"));
            list[i]["name"] = Value::String(name.into());
        }
        4 => {
            rng.note(format!("entries[{i}]:remove"));
            list.remove(i);
        }
        5 => {
            rng.note(format!("entries[{i}]:duplicate"));
            let e = list[i].clone();
            list.push(e);
        }
        6 => {
            rng.note("entries:reverse");
            list.reverse();
        }
        _ => {
            rng.note(format!("entries[{i}]:field"));
            if let Some(obj) = list[i].as_object_mut() {
                let key = *rng.pick(&["name", "size", "sha256"]);
                if rng.chance(1, 2) {
                    obj.remove(key);
                } else {
                    obj.insert(key.into(), Value::Null);
                }
            }
        }
    }
}

/// Marks a place for a token serde_json would not write itself (`1e309`, `-0`, `NaN`, a
/// number past u64), put in by [`serialize`].
fn raw(raws: &mut Vec<String>, token: &str) -> Value {
    raws.push(token.to_string());
    Value::String(format!("@@raw{}@@", raws.len() - 1))
}

fn serialize(v: &Value, raws: &[String], pretty: bool) -> String {
    let mut text = if pretty {
        serde_json::to_string_pretty(v)
    } else {
        serde_json::to_string(v)
    }
    .unwrap_or_default();
    for (i, token) in raws.iter().enumerate() {
        text = text.replace(&format!("\"@@raw{i}@@\""), token);
    }
    text
}

/// A step into a JSON value.
#[derive(Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn paths(v: &Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                at.push(Step::Key(k.clone()));
                out.push(at.clone());
                paths(child, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                at.push(Step::Index(i));
                out.push(at.clone());
                paths(child, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn at_path<'a>(v: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    let mut here = v;
    for step in path {
        here = match step {
            Step::Key(k) => here.get_mut(k.as_str())?,
            Step::Index(i) => here.get_mut(*i)?,
        };
    }
    Some(here)
}

/// Keys where the import rules look: a change there is tried more often.
const KEYS: &[&str] = &[
    "status",
    "id",
    "audit_id",
    "requirement_id",
    "standard_id",
    "device_id",
    "revision_of",
    "sha256",
    "pdf_sha256",
    "content_sha256",
    "format",
    "response",
    "value",
    "score",
    "rating",
    "hard_failures",
    "updated_at",
    "created_at",
    "completed_at",
    "signed_at",
    "code",
    "store",
    "report",
    "answers",
    "photos",
    "actions",
    "sections",
    "requirements",
    "weight",
    "min",
    "max",
    "kind",
    "hard",
    "photo",
    "bytes",
    "pdf_bytes",
    "lang",
    "signer",
    "shift",
    "shift_date",
];

/// One change somewhere in a JSON value.
fn mutate_json(rng: &mut Rng, v: &mut Value, raws: &mut Vec<String>, pool: &[String]) {
    let mut all = Vec::new();
    paths(v, &mut Vec::new(), &mut all);
    if all.is_empty() {
        *v = Value::Null;
        return;
    }
    let keyed: Vec<&Vec<Step>> = all
        .iter()
        .filter(|p| matches!(p.last(), Some(Step::Key(k)) if KEYS.contains(&k.as_str())))
        .collect();
    let path = if !keyed.is_empty() && rng.chance(1, 2) {
        (*rng.pick(&keyed)).clone()
    } else {
        rng.pick(&all).clone()
    };
    let label: Vec<String> = path
        .iter()
        .map(|s| match s {
            Step::Key(k) => k.clone(),
            Step::Index(i) => i.to_string(),
        })
        .collect();
    let label = label.join(".");
    // A field removed or renamed, through its object.
    if let Some(Step::Key(k)) = path.last()
        && rng.chance(1, 8)
        && let Some(Value::Object(parent)) = at_path(v, &path[..path.len() - 1])
    {
        if let Some(value) = parent.remove(k)
            && rng.chance(1, 2)
        {
            parent.insert(format!("{k}_"), value);
            rng.note(format!("rename:{label}"));
        } else {
            rng.note(format!("remove:{label}"));
        }
        return;
    }
    let Some(node) = at_path(v, &path) else {
        return;
    };
    let new = match node {
        Value::Number(n) => {
            let n = n.as_f64().unwrap_or(0.0);
            match rng.below(6) {
                0 => raw(raws, &(n + 1.0).to_string()),
                1 => raw(raws, &(-n).to_string()),
                2 => Value::String(n.to_string()),
                3 => Value::Null,
                _ => raw(raws, rng.pick::<&str>(INTERESTING_NUMBERS)),
            }
        }
        Value::String(s) => new_string(rng, s, raws, pool),
        Value::Bool(b) => match rng.below(3) {
            0 => Value::Bool(!*b),
            1 => Value::Null,
            _ => raw(raws, "1"),
        },
        Value::Null => match rng.below(4) {
            0 => Value::String("x".into()),
            1 => raw(raws, "0"),
            2 => Value::Object(Default::default()),
            _ => pool_value(rng, pool),
        },
        Value::Array(items) => {
            let mut items = std::mem::take(items);
            let n = items.len();
            match rng.below(5) {
                0 if n > 0 => {
                    items.remove(rng.below(n));
                }
                1 if n > 0 => {
                    let i = rng.below(n);
                    let copy = items[i].clone();
                    items.insert(rng.below(n + 1), copy);
                }
                2 => items.clear(),
                3 => items.reverse(),
                _ if n > 1 => {
                    let (i, j) = (rng.below(n), rng.below(n));
                    items.swap(i, j);
                }
                _ => items.push(Value::Null),
            }
            Value::Array(items)
        }
        Value::Object(map) => match rng.below(3) {
            0 => Value::Object(Default::default()),
            1 => Value::Null,
            _ => {
                let mut map = std::mem::take(map);
                map.insert("unexpected".into(), Value::Bool(true));
                Value::Object(map)
            }
        },
    };
    rng.note(format!("set:{label}"));
    *node = new;
}

/// One id of a record, a valid one, changed to a new id or to another id of the record: the
/// record's own id (a standard's, an audit's, its report's) half the time, as any one of the
/// dozens of ids below it would seldom be chosen.
fn change_id(rng: &mut Rng, v: &mut Value) {
    fn walk(v: &Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
        match v {
            Value::String(s) if Uuid::parse_str(s).is_ok() => out.push(at.clone()),
            Value::Object(map) => {
                for (k, child) in map {
                    at.push(Step::Key(k.clone()));
                    walk(child, at, out);
                    at.pop();
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    at.push(Step::Index(i));
                    walk(child, at, out);
                    at.pop();
                }
            }
            _ => {}
        }
    }
    let mut ids = Vec::new();
    walk(v, &mut Vec::new(), &mut ids);
    if ids.is_empty() {
        return;
    }
    let own: Vec<&Vec<Step>> = ids
        .iter()
        .filter(|p| match p.as_slice() {
            [Step::Key(k)] => k == "id",
            [Step::Key(_), Step::Key(k)] => k == "id",
            _ => false,
        })
        .collect();
    let path = if !own.is_empty() && rng.chance(1, 2) {
        (*rng.pick(&own)).clone()
    } else {
        rng.pick(&ids).clone()
    };
    let new = if rng.chance(1, 2) {
        Uuid::from_u64_pair(rng.u64(), rng.u64()).to_string()
    } else {
        let other = rng.pick(&ids).clone();
        at_path(v, &other)
            .and_then(|x| x.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    let label: Vec<String> = path
        .iter()
        .map(|s| match s {
            Step::Key(k) => k.clone(),
            Step::Index(i) => i.to_string(),
        })
        .collect();
    rng.note(format!("id:{}", label.join(".")));
    if let Some(node) = at_path(v, &path) {
        *node = Value::String(new);
    }
}

fn pool_value(rng: &mut Rng, pool: &[String]) -> Value {
    if pool.is_empty() {
        Value::String(String::new())
    } else {
        Value::String(rng.pick(pool).clone())
    }
}

fn new_string(rng: &mut Rng, s: &str, raws: &mut Vec<String>, pool: &[String]) -> Value {
    let uuid = Uuid::parse_str(s).ok();
    match rng.below(12) {
        0 => Value::String(String::new()),
        1 => Value::String("Я".repeat(1 + rng.below(4000))),
        2 => Value::String(format!("{s}\u{0}\u{202e}😀")),
        3 | 4 => pool_value(rng, pool),
        5 => Value::String(
            rng.pick(&[
                "draft",
                "completed",
                "signed",
                "Completed",
                "deleted",
                "pass",
                "fail",
                "na",
                "value",
                "text",
                "morning",
                "evening",
                "jpeg",
                "png",
                "webp",
                "gif",
                "en",
                "ru",
                "de",
            ])
            .to_string(),
        ),
        6 => Value::String(match uuid {
            Some(u) => match rng.below(5) {
                0 => u.to_string().to_uppercase(),
                1 => u.simple().to_string(),
                2 => Uuid::nil().to_string(),
                3 => "ffffffff-ffff-ffff-ffff-ffffffffffff".into(),
                _ => Uuid::from_u64_pair(rng.u64(), rng.u64()).to_string(),
            },
            None => Uuid::from_u64_pair(rng.u64(), rng.u64()).to_string(),
        }),
        7 => Value::String(
            rng.pick(&[
                "2026-02-30",
                "9999-12-31",
                "0000-00-00",
                "2026-11-22T18:05:00Z",
                "2026-11-22T18:05:00.000+03:00",
                "9999-12-31T23:59:59.999Z",
                "0",
            ])
            .to_string(),
        ),
        8 => {
            // One character changed.
            let chars: Vec<char> = s.chars().collect();
            if chars.is_empty() {
                Value::String("0".into())
            } else {
                let at = rng.below(chars.len());
                let mut c = chars;
                c[at] = if c[at] == '0' { '1' } else { '0' };
                Value::String(c.into_iter().collect())
            }
        }
        9 => {
            let half: String = s.chars().take(s.chars().count() / 2).collect();
            Value::String(half)
        }
        10 => raw(raws, rng.pick::<&str>(INTERESTING_NUMBERS)),
        _ => match rng.below(3) {
            0 => Value::Null,
            1 => Value::Array(vec![Value::String(s.into())]),
            _ => Value::Bool(true),
        },
    }
}

/// Strings in the seeds' tables (ids, codes, hashes, times, words), to put one where another
/// was: an answer's id where a photo's was, a requirement of the standard where another was.
fn string_pool(seeds: &[Seed]) -> Vec<String> {
    fn walk(v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::String(s) if s.len() <= 200 => {
                out.insert(s.clone());
            }
            Value::Array(items) => items.iter().for_each(|x| walk(x, out)),
            Value::Object(map) => map.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    for seed in seeds {
        for table in TABLES {
            if let Some(data) = entry(&seed.entries, table) {
                for line in String::from_utf8_lossy(data).lines() {
                    if let Ok(v) = serde_json::from_str::<Value>(line) {
                        walk(&v, &mut out);
                    }
                }
            }
        }
    }
    out.into_iter().collect()
}

/// Where two dumps first differ, in a line.
fn first_difference(before: &str, after: &str) -> String {
    let mut table = "";
    for (a, b) in before.lines().zip(after.lines()) {
        if a.starts_with("## ") {
            table = a;
        }
        if a != b {
            let cut = |s: &str| s.chars().take(160).collect::<String>();
            return format!("{table}: {:?} became {:?}", cut(a), cut(b));
        }
    }
    format!(
        "{} lines before, {} after",
        before.lines().count(),
        after.lines().count()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_tokens_are_written_as_they_are() {
        let mut raws = Vec::new();
        let v = serde_json::json!({"a": raw(&mut raws, "1e309"), "b": raw(&mut raws, "NaN")});
        assert_eq!(serialize(&v, &raws, false), r#"{"a":1e309,"b":NaN}"#);
    }
}
