//! HQ importing 1,000 bundles of one signed audit with 3 photos each (PRODUCT.md §10: ≤ 30 s;
//! the same files again, all already present, ≤ 2 s), beside the floor from the same run:
//! `sha256sum` over the same bytes plus bare SQLite inserts of the same rows. And a store
//! exporting 500 audits in one bundle, beside `zip -0` of the same photo originals and PDFs.
//!
//! The data is made here, in a temporary folder removed at the end: one store database with
//! the demo, then per audit: create, fill with the demo's passing answers, attach 3 photos
//! (prepared once; each audit's originals made distinct by a JPEG comment naming it, so every
//! photo is a file of its own, as real ones are), complete, sign, export one bundle.
//!
//! `STORECHECK_BENCH_HQ_PHOTOS=DIR cargo bench -p storecheck-hq --bench hq_import`, where DIR
//! holds JPEGs of about 1.5 MB (the first 3 by name are used; `scripts/bench.sh` makes them;
//! without it, 3 pictures are generated). `STORECHECK_BENCH_BUNDLES` (default 1000) and
//! `STORECHECK_BENCH_EXPORT_AUDITS` (default 500) set the scale; the data goes under `TMPDIR`.
//! Import is measured in-process (`HqDb::import_files` over the 1,000 files, as `storecheck hq
//! import` does: the next file is read and checked on a second thread while one is written).

// A benchmark runs as the program does: the system clock, real ids, and its input named by
// the environment.
#![allow(clippy::disallowed_methods)]

mod laptop;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use laptop::{GB, Laptop, MB, Photos, env_count, fail, free_bytes};
use rusqlite::{Connection, params};
use storecheck_core::db::Clock;
use storecheck_core::ids::Ids;
use storecheck_core::model::ShiftPart;
use storecheck_core::record::{AuditRecord, ReportRecord};
use storecheck_core::{Db, Lang};
use storecheck_hq::HqDb;
use storecheck_sync::DeviceKey;
use storecheck_sync::export::export;

/// How much of `files` is in the page cache (`fincore`): (resident bytes, bytes).
fn resident(files: &[PathBuf]) -> Option<(u64, u64)> {
    let (mut res, mut size) = (0, 0);
    for chunk in files.chunks(256) {
        let out = Command::new("fincore")
            .args(["--bytes", "--noheadings", "--output", "RES,SIZE"])
            .args(chunk)
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let mut n = line.split_whitespace().map(|v| v.parse::<u64>().ok());
            res += n.next()??;
            size += n.next()??;
        }
    }
    Some((res, size))
}

fn cache_note(files: &[PathBuf]) -> String {
    match resident(files) {
        Some((res, size)) => format!(
            "{:.0}% in the page cache",
            100.0 * res as f64 / size.max(1) as f64
        ),
        None => "page cache unknown (no fincore)".into(),
    }
}

/// Reads every file once, so the timed runs all start warm.
fn warm(files: &[PathBuf]) {
    let mut buf = vec![0u8; 1 << 20];
    for f in files {
        if let Ok(mut file) = std::fs::File::open(f) {
            while std::io::Read::read(&mut file, &mut buf).is_ok_and(|n| n > 0) {}
        }
    }
}

/// The audits' rows as HQ keeps them, bare: the same columns, primary keys only, no indexes,
/// triggers or foreign keys; one transaction per bundle, WAL with `synchronous = FULL`.
fn bare_inserts(path: &Path, rows: &[(AuditRecord, Option<ReportRecord>)]) -> (Duration, usize) {
    let mut conn = Connection::open(path).expect("bare database");
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE audit (id TEXT PRIMARY KEY, store_code TEXT, standard_id TEXT,
            shift_date TEXT, shift TEXT, auditor TEXT, observed TEXT, status TEXT,
            revision_of TEXT, revision_reason TEXT, device_id TEXT, created_at TEXT,
            updated_at TEXT, completed_at TEXT, score REAL, rating TEXT, failed_hard INTEGER,
            hard_failures TEXT, store_name TEXT, store_region TEXT, record_sha256 TEXT,
            pdf_data TEXT);
         CREATE TABLE answer (id TEXT PRIMARY KEY, audit_id TEXT, requirement_id TEXT,
            code TEXT, response TEXT, value REAL, text TEXT, note TEXT, score REAL,
            device_id TEXT, created_at TEXT, updated_at TEXT);
         CREATE TABLE photo (id TEXT PRIMARY KEY, audit_id TEXT, requirement_id TEXT,
            code TEXT, sha256 TEXT, format TEXT, bytes INTEGER, width INTEGER, height INTEGER,
            file_name TEXT, caption TEXT, device_id TEXT, created_at TEXT, updated_at TEXT);
         CREATE TABLE report (id TEXT PRIMARY KEY, audit_id TEXT, signer TEXT, signed_at TEXT,
            lang TEXT, acknowledged_by TEXT, pdf_sha256 TEXT, pdf_bytes INTEGER);",
    )
    .expect("bare schema");
    let mut count = 0;
    let t = Instant::now();
    for (a, report) in rows {
        let tx = conn.transaction().expect("transaction");
        tx.execute(
            "INSERT INTO audit VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,
                ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
            params![
                a.id.to_string(),
                a.store.code,
                a.standard_id.to_string(),
                a.shift_date,
                a.shift.as_str(),
                a.auditor,
                a.observed,
                a.status.as_str(),
                a.revision_of.map(|r| r.to_string()),
                a.revision_reason,
                a.device_id.to_string(),
                a.created_at,
                a.updated_at,
                a.completed_at,
                a.score,
                a.rating,
                !a.hard_failures.is_empty(),
                serde_json::to_string(&a.hard_failures).unwrap_or_default(),
                a.store.name,
                a.store.region,
                "0".repeat(64),
                "matches"
            ],
        )
        .expect("audit row");
        count += 1;
        {
            let mut answer = tx
                .prepare_cached(
                    "INSERT INTO answer VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )
                .expect("prepare");
            for x in &a.answers {
                answer
                    .execute(params![
                        x.id.to_string(),
                        a.id.to_string(),
                        x.requirement_id.to_string(),
                        x.code,
                        x.response,
                        x.value,
                        x.text,
                        x.note,
                        1.0,
                        x.device_id.to_string(),
                        x.created_at,
                        x.updated_at
                    ])
                    .expect("answer row");
                count += 1;
            }
            let mut photo = tx
                .prepare_cached(
                    "INSERT INTO photo VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,
                        ?13, ?14)",
                )
                .expect("prepare");
            for p in &a.photos {
                photo
                    .execute(params![
                        p.id.to_string(),
                        a.id.to_string(),
                        p.requirement_id.to_string(),
                        p.code,
                        p.sha256,
                        p.format,
                        p.bytes,
                        p.width,
                        p.height,
                        p.file_name,
                        p.caption,
                        p.device_id.to_string(),
                        p.created_at,
                        p.updated_at
                    ])
                    .expect("photo row");
                count += 1;
            }
        }
        if let Some(r) = report {
            tx.execute(
                "INSERT INTO report VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    r.id.to_string(),
                    a.id.to_string(),
                    r.signer,
                    r.signed_at,
                    r.lang,
                    r.acknowledged_by,
                    r.pdf_sha256,
                    r.pdf_bytes
                ],
            )
            .expect("report row");
            count += 1;
        }
        tx.commit().expect("commit");
    }
    (t.elapsed(), count)
}

/// Runs `cmd`, timing it; `None` when it cannot run or fails.
fn timed(cmd: &mut Command) -> Option<Duration> {
    let t = Instant::now();
    let status = cmd.stdout(Stdio::null()).status().ok()?;
    status.success().then(|| t.elapsed())
}

fn main() {
    let bundles = env_count("STORECHECK_BENCH_BUNDLES", 1000).max(1);
    let export_audits = env_count("STORECHECK_BENCH_EXPORT_AUDITS", 500).clamp(1, bundles);
    let photos = Photos::load();
    let (original_bytes, copies_bytes) = (photos.original_bytes, photos.copies_bytes);

    let tmp = tempfile::tempdir().expect("temp dir");
    // Disk: the store (originals, copies, PDFs about as large as the display copies) and its
    // bundles, then the 500-audit bundle and its zip at once; later the store goes, HQ's copy
    // comes.
    let bundle_guess = (original_bytes + copies_bytes) as u64;
    let need = bundles as u64 * (original_bytes as u64 + 2 * copies_bytes as u64 + bundle_guess)
        + 2 * export_audits as u64 * bundle_guess
        + (1 << 30);
    if let Some(free) = free_bytes(tmp.path())
        && free < need
    {
        fail(&format!(
            "{bundles} bundles need about {:.1} GB under {}, {:.1} GB are free: set STORECHECK_BENCH_BUNDLES lower",
            need as f64 / GB,
            tmp.path().display(),
            free as f64 / GB
        ));
    }

    // The store laptop.
    let store_dir = tmp.path().join("store");
    let mut laptop = Laptop::new(&store_dir);

    let out_dir = tmp.path().join("bundles");
    let mut files: Vec<PathBuf> = Vec::with_capacity(bundles);
    let mut rows: Vec<(AuditRecord, Option<ReportRecord>)> = Vec::with_capacity(bundles);
    let mut export_figures = None;
    let built = Instant::now();
    let day0 = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("date");
    for n in 0..bundles {
        let (store, shift) = if n % 2 == 0 {
            ("MSK-01", ShiftPart::Opening)
        } else {
            ("SPB-02", ShiftPart::Evening)
        };
        let day = day0 - chrono::Days::new((n / 2) as u64);
        let id = laptop.signed_audit(store, day, shift, &photos, &format!("audit {n}"));
        let (file, audits) = laptop.export(&out_dir);
        assert_eq!(audits, 1, "each bundle carries one audit");
        files.push(file);
        let db = &mut laptop.db;
        rows.push((
            db.audit_record(id).expect("record"),
            db.report_record(id).expect("report"),
        ));
        if n + 1 == export_audits {
            export_figures = Some(export_all(db, tmp.path(), &laptop.key));
        }
        if (n + 1) % 100 == 0 {
            eprintln!(
                "built {} of {bundles} bundles in {:.0} s",
                n + 1,
                built.elapsed().as_secs_f64()
            );
        }
    }
    drop(laptop);
    // The store's files are not needed any more: room for HQ's copies.
    let _ = std::fs::remove_dir_all(&store_dir);
    let bundle_bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
        .sum();
    eprintln!(
        "built {bundles} bundles ({:.2} GB) in {:.0} s",
        bundle_bytes as f64 / GB,
        built.elapsed().as_secs_f64()
    );

    // Every timed run below starts with the bundles read once before.
    warm(&files);
    let cache_before = cache_note(&files);
    // Other work on the machine shows in every figure: say how busy it was.
    let load = std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".into(),
        |l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    );

    // HQ: every bundle into a fresh database, then all of them again.
    let clock: Clock = std::sync::Arc::new(chrono::Utc::now);
    let hq_path = tmp.path().join("hq").join("hq.db");
    let mut hq = HqDb::open(&hq_path, clock.clone(), Ids::from_os(clock)).expect("open HQ");
    let import_all = |hq: &mut HqDb, expect_added: usize| -> Duration {
        let t = Instant::now();
        let outcomes = hq.import_files(&files, Lang::En).expect("import runs");
        let elapsed = t.elapsed();
        for (f, o) in files.iter().zip(&outcomes) {
            assert!(
                o.refused.is_empty(),
                "{} refused: {:?}",
                f.display(),
                o.refused
            );
            assert_eq!(o.added, expect_added, "{}", f.display());
        }
        elapsed
    };
    let import = import_all(&mut hq, 1);
    let reimport = import_all(&mut hq, 0);
    drop(hq);
    let _ = std::fs::remove_dir_all(tmp.path().join("hq"));

    // Of the import, the checks alone: every bundle read and checked by storecheck-sync
    // (signature, every entry's hash), nothing written.
    let t = Instant::now();
    for f in &files {
        storecheck_sync::read::read_bundle(f, "bench", Default::default()).expect("read");
    }
    let checks = t.elapsed();

    // The floor: sha256sum over the same bytes, and the same rows inserted bare.
    let cache_floor = cache_note(&files);
    let mut sha = Command::new("sha256sum");
    sha.current_dir(&out_dir);
    for f in &files {
        sha.arg(f.file_name().expect("a file name"));
    }
    let sha_time = timed(&mut sha);
    // The same hash by OpenSSL, which uses the processor's SHA instructions as HQ does
    // (coreutils' sha256sum does not).
    let mut ossl = Command::new("openssl");
    ossl.current_dir(&out_dir).args(["dgst", "-sha256"]);
    for f in &files {
        ossl.arg(f.file_name().expect("a file name"));
    }
    let ossl_time = timed(&mut ossl);
    let (insert_time, row_count) = bare_inserts(&tmp.path().join("bare.db"), &rows);
    drop(tmp);

    let s = |d: Duration| d.as_secs_f64();
    let photos_from = &photos.from;
    let answers = rows.first().map_or(0, |(a, _)| a.answers.len());
    // The targets are for 1,000 bundles; a smaller run is held to its share.
    let scaled = |target: f64| {
        let t = target * bundles as f64 / 1000.0;
        let digits = if t >= 10.0 {
            0
        } else if t >= 1.0 {
            1
        } else {
            2
        };
        format!("{t:.digits$}")
    };
    let floor = match sha_time {
        Some(sha_time) => format!(
            "floor: sha256sum {:.1} s + bare inserts {:.1} s = {:.1} s   ratio {:.2}",
            s(sha_time),
            s(insert_time),
            s(sha_time + insert_time),
            s(import) / s(sha_time + insert_time)
        ),
        None => format!(
            "floor: sha256sum could not run; bare inserts {:.1} s",
            s(insert_time)
        ),
    };
    println!(
        "  import {bundles} bundles ({:.2} GB):  {:6.1} s  (target <= {} s)   {floor}",
        bundle_bytes as f64 / GB,
        s(import),
        scaled(30.0)
    );
    println!(
        "  the same again (all already present):  {:6.2} s  (target <= {} s)",
        s(reimport),
        scaled(2.0)
    );
    let ossl = ossl_time.map_or_else(|| "openssl not found".into(), |t| format!("{:.1} s", s(t)));
    println!(
        "  beside them: HQ's checks alone (read_bundle: names, sizes, signature, every hash; no writes) {:.1} s; the same bytes through openssl dgst -sha256, which uses the SHA instructions as HQ does and sha256sum does not, {ossl}",
        s(checks)
    );
    println!(
        "  (in-process HqDb::import_files over all the files, reading ahead on a second thread; a bundle: one signed audit, {answers} answers, 3 photos of {:.1} MB ({photos_from}) and its signed PDF; files read warm: {cache_before} before the import, {cache_floor} before sha256sum; load average before the import {load}; bare inserts: {row_count} rows, one transaction per bundle, WAL, synchronous=FULL)",
        original_bytes as f64 / 3.0 / MB,
    );
    if let Some(e) = export_figures {
        println!("{e}");
    }
}

/// Exports every audit of the store into one bundle, beside `zip -0` of the same photo
/// originals and PDFs; returns the printed lines. Both outputs are removed.
fn export_all(db: &mut Db, tmp: &Path, key: &DeviceKey) -> String {
    let dir = tmp.join("export");
    let due = db.audits_to_send(true).expect("due");
    let (contents, _) = storecheck_sync::export::collect(db, &due, &[], None).expect("collect");
    let t = Instant::now();
    let done = export(db, &dir, true, key).expect("export all");
    let ours = t.elapsed();
    let _ = std::fs::remove_dir_all(&dir);

    let zip_path = tmp.join("peer.zip");
    let mut list = Vec::new();
    for (_, _, path) in &contents.photos {
        let _ = writeln!(list, "{}", path.display());
    }
    for (_, path) in &contents.reports {
        let _ = writeln!(list, "{}", path.display());
    }
    let t = Instant::now();
    let zip = Command::new("zip")
        .args(["-0", "-q"])
        .arg(&zip_path)
        .arg("-@")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .and_then(|mut child| {
            if let Some(mut stdin) = child.stdin.take() {
                stdin.write_all(&list)?;
            }
            child.wait()
        });
    let peer = t.elapsed();
    let peer_line = match zip {
        Ok(status) if status.success() => {
            let t = Instant::now();
            let _ = std::fs::File::open(&zip_path).and_then(|f| f.sync_all());
            let flush = t.elapsed();
            let size = std::fs::metadata(&zip_path).map_or(0, |m| m.len());
            format!(
                "  zip -0 -q of the same {} photos and {} PDFs: {:6.1} s (+ {:.1} s to flush it to disk)   {:.2} GB   ratio {:.2} in time (with the flush), {:.3} in size",
                contents.photos.len(),
                contents.reports.len(),
                peer.as_secs_f64(),
                flush.as_secs_f64(),
                size as f64 / GB,
                ours.as_secs_f64() / (peer + flush).as_secs_f64(),
                done.bytes as f64 / size.max(1) as f64
            )
        }
        _ => "  zip -0 -q: could not run (apt-get install zip)".into(),
    };
    let _ = std::fs::remove_file(&zip_path);
    format!(
        "  export a store with {} audits ({} signed here + the demo's completed one), one bundle: {:6.1} s   {:.2} GB\n{peer_line}",
        done.audits,
        done.audits - 1,
        ours.as_secs_f64(),
        done.bytes as f64 / GB
    )
}
