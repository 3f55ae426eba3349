//! Killing `storecheck` at random moments (SIGKILL, as a dead battery or a killed window does)
//! while it saves answers, attaches photos, signs and loads the demo, and checking what
//! PRODUCT.md §11 promises: every change whose command exited 0 and printed its result is still
//! there, the database passes `PRAGMA integrity_check`, and the next command works. Also
//! several processes creating the same new database at once.
//!
//! The delays are drawn from a seeded generator (`STORECHECK_CRASH_SEED` sets it; it is printed
//! with every failure); each command is first run once unkilled to learn how long it takes, and
//! the kills fall anywhere from its start to well after its usual end.
//! `STORECHECK_CRASH_ROUNDS` multiplies the number of kills.

// The kills are timed by the real clock and seeded from the environment or the clock.
#![allow(clippy::disallowed_methods)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// xorshift64*: small, seeded, enough to spread kills over a command's life.
struct Rng(u64);

impl Rng {
    fn new(test: &str) -> (Rng, u64) {
        let seed = std::env::var("STORECHECK_CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |d| d.as_secs())
            });
        let mut state = seed ^ 0x9E37_79B9_7F4A_7C15;
        for b in test.bytes() {
            state = state.rotate_left(7) ^ u64::from(b);
        }
        (Rng(state.max(1)), seed)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
}

fn rounds(base: usize) -> usize {
    let k: usize = std::env::var("STORECHECK_CRASH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    base * k.max(1)
}

fn storecheck(db: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_storecheck"));
    c.arg("--db")
        .arg(db)
        .args(args)
        .env("LANG", "en_US.UTF-8")
        .env_remove("STORECHECK_LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .stdin(Stdio::null());
    c
}

fn run(db: &Path, args: &[&str]) -> Output {
    storecheck(db, args).output().expect("run storecheck")
}

/// Runs a command that must succeed, with `--json`; returns its document.
fn json(db: &Path, args: &[&str]) -> Result<Value, String> {
    let mut all = args.to_vec();
    all.push("--json");
    let out = run(db, &all);
    if !out.status.success() {
        return Err(format!(
            "storecheck {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("storecheck {args:?}: not JSON ({e})"))
}

/// A command started and killed after `delay`; `Some(stdout)` when it had already finished
/// successfully and printed its result (the change was acknowledged).
fn killed_after(mut child: Child, delay: Duration) -> Option<String> {
    std::thread::sleep(delay);
    let _ = child.kill(); // SIGKILL; harmless when the process has already exited
    let out = child.wait_with_output().expect("wait for storecheck");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (out.status.success() && !stdout.trim().is_empty()).then_some(stdout)
}

fn spawn(db: &Path, args: &[&str]) -> Child {
    let mut all = args.to_vec();
    all.push("--json");
    storecheck(db, &all)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start storecheck")
}

/// How long one unkilled run of `args` takes: kills are spread over 0..1.6 times that.
fn calibrate(db: &Path, args: &[&str]) -> Result<Duration, String> {
    let t = Instant::now();
    json(db, args)?;
    Ok(t.elapsed().mul_f64(1.6).max(Duration::from_millis(20)))
}

fn delay(rng: &mut Rng, span: Duration) -> Duration {
    Duration::from_micros(rng.below(span.as_micros() as u64 + 1))
}

/// The database opens, passes `PRAGMA integrity_check`, and answers a command.
fn check_database(db: &Path) -> Result<(), String> {
    {
        let opened = storecheck_core::Db::open(db, storecheck_core::db::Inputs::system(None))
            .map_err(|e| format!("the database no longer opens: {e}"))?;
        let check: String = opened
            .connection()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| format!("integrity_check could not run: {e}"))?;
        if check != "ok" {
            return Err(format!("PRAGMA integrity_check says: {check}"));
        }
    }
    json(db, &["audit", "list"]).map(|_| ())
}

/// A store, the sample standard and `n` draft audits on it; returns their ids.
fn lab(db: &Path, drafts: usize) -> Vec<String> {
    let standard = fixtures().join("standards/sample.json");
    json(
        db,
        &["standard", "import", standard.to_str().expect("utf-8 path")],
    )
    .expect("import");
    json(db, &["store", "add", "LAB-01", "Lab store"]).expect("store");
    (0..drafts)
        .map(|i| {
            let date = format!("2026-11-{:02}", 1 + i % 28);
            let v = json(
                db,
                &[
                    "audit",
                    "new",
                    "--store",
                    "LAB-01",
                    "--shift",
                    "day",
                    "--date",
                    &date,
                    "--auditor",
                    "Анна Смирнова",
                    "--standard",
                    "SAMPLE-01",
                ],
            )
            .expect("audit new");
            v["id"].as_str().expect("id").to_string()
        })
        .collect()
}

/// A small PNG, different for each `n`.
fn picture(dir: &Path, n: u64) -> PathBuf {
    let img = image::RgbImage::from_fn(48, 32, |x, y| {
        image::Rgb([
            (x as u64 * 5 + n) as u8,
            (y as u64 * 7 + n / 256) as u8,
            (n % 251) as u8,
        ])
    });
    let p = dir.join(format!("photo-{n}.png"));
    img.save(&p).expect("save picture");
    p
}

fn fail_with(test: &str, seed: u64, kills: usize, acknowledged: usize, problems: &[String]) {
    eprintln!(
        "{test}: seed {seed}, {kills} kills, {acknowledged} commands finished before their kill, {} problems",
        problems.len()
    );
    assert!(
        problems.is_empty(),
        "{test}: {} problem(s) in {kills} kills (seed {seed}; rerun with STORECHECK_CRASH_SEED={seed}):\n- {}",
        problems.len(),
        problems.join("\n- ")
    );
}

/// `4` and `4.0` are the same answer.
fn same_number(answer: &str) -> String {
    answer
        .parse::<f64>()
        .map_or_else(|_| answer.to_string(), |n| n.to_string())
}

#[test]
fn answers_acknowledged_before_a_kill_are_never_lost() {
    let (mut rng, seed) = Rng::new("answers");
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("store.db");
    let audits = lab(&db, 2);
    let codes = ["1.1", "1.2", "2.1", "2.4", "3.1", "1.3"];
    let span = calibrate(&db, &["audit", "answer", &audits[0], "1.1", "pass"]).expect("calibrate");
    // Per (audit, code): what may be there: the last acknowledged answer (none before the
    // first) and any attempted after it (an unacknowledged write may or may not have landed).
    let mut may: BTreeMap<(String, String), BTreeSet<Option<String>>> = BTreeMap::new();
    may.insert(
        (audits[0].clone(), "1.1".into()),
        [Some("pass".into())].into(),
    );
    let mut problems = Vec::new();
    let mut acknowledged_count = 0;
    let kills = rounds(40);
    for i in 0..kills {
        let audit = &audits[rng.below(2) as usize];
        let code = codes[rng.below(codes.len() as u64) as usize];
        let value = if code == "1.3" {
            (2 + rng.below(5)).to_string()
        } else if rng.below(2) == 0 {
            "pass".to_string()
        } else {
            "fail".to_string()
        };
        let note = format!("note {i}");
        let child = spawn(
            &db,
            &["audit", "answer", audit, code, &value, "--note", &note],
        );
        let acknowledged = killed_after(child, delay(&mut rng, span)).is_some();
        let key = (audit.clone(), code.to_string());
        let entry = may.entry(key).or_insert_with(|| [None].into());
        if acknowledged {
            acknowledged_count += 1;
            entry.clear();
        }
        entry.insert(Some(same_number(&value)));
        if let Err(e) = check_database(&db) {
            problems.push(format!(
                "kill {i} during `audit answer {code} {}`: {e}",
                value
            ));
            break;
        }
    }
    for audit in &audits {
        let shown = match json(&db, &["audit", "show", audit]) {
            Ok(v) => v,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        let answers: BTreeMap<String, String> = shown["answers"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|x| {
                        let answer = match &x["answer"] {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        (
                            x["code"].as_str().unwrap_or("").to_string(),
                            same_number(&answer),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        for ((a, code), allowed) in &may {
            if a != audit {
                continue;
            }
            let found = answers.get(code).cloned();
            if !allowed.contains(&found) {
                problems.push(format!(
                    "audit {a} requirement {code}: acknowledged answer lost: expected one of {allowed:?}, found {found:?}"
                ));
            }
        }
    }
    fail_with("answers", seed, kills, acknowledged_count, &problems);
}

#[test]
fn photos_acknowledged_before_a_kill_are_never_lost() {
    let (mut rng, seed) = Rng::new("photos");
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("store.db");
    let audits = lab(&db, 1);
    let audit = &audits[0];
    let first = picture(dir.path(), 0);
    let span = calibrate(
        &db,
        &[
            "audit",
            "photo",
            audit,
            "1.3",
            first.to_str().expect("path"),
        ],
    )
    .expect("calibrate");
    // (requirement, sha256, bytes); the calibration's photo first.
    let mut acknowledged: Vec<(String, String, u64)> = json(&db, &["audit", "show", audit])
        .expect("show")["photos"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let sha = p["sha256"].as_str().unwrap_or("").to_string();
            (
                "1.3".to_string(),
                sha,
                std::fs::metadata(&first).map_or(0, |m| m.len()),
            )
        })
        .collect();
    let mut problems = Vec::new();
    let kills = rounds(20);
    for i in 0..kills {
        let code = ["1.1", "1.3", "3.1"][rng.below(3) as usize];
        let pic = picture(dir.path(), 1 + i as u64);
        let child = spawn(
            &db,
            &["audit", "photo", audit, code, pic.to_str().expect("path")],
        );
        if let Some(out) = killed_after(child, delay(&mut rng, span)) {
            let saved: Value = serde_json::from_str(&out).unwrap_or(Value::Null);
            for p in saved["photos"].as_array().into_iter().flatten() {
                let sha = p["sha256"].as_str().unwrap_or("").to_string();
                acknowledged.push((
                    code.to_string(),
                    sha,
                    std::fs::metadata(&pic).map_or(0, |m| m.len()),
                ));
            }
        }
        if let Err(e) = check_database(&db) {
            problems.push(format!("kill {i} during `audit photo {code}`: {e}"));
            break;
        }
    }
    match json(&db, &["audit", "show", audit]) {
        Err(e) => problems.push(e),
        Ok(shown) => {
            let photos = shown["photos"].as_array().cloned().unwrap_or_default();
            for (code, sha, bytes) in &acknowledged {
                let listed = photos
                    .iter()
                    .any(|p| p["requirement"] == code.as_str() && p["sha256"] == sha.as_str());
                if !listed {
                    problems.push(format!(
                        "photo {sha} acknowledged on {code} is not in the audit any more"
                    ));
                }
                let file = dir
                    .path()
                    .join("photos")
                    .join(&sha[..2.min(sha.len())])
                    .join(format!("{sha}.png"));
                let on_disk = std::fs::metadata(&file).map_or(0, |m| m.len());
                if on_disk != *bytes {
                    problems.push(format!(
                        "photo {sha} acknowledged on {code}: its original {} has {on_disk} bytes, not {bytes}",
                        file.display()
                    ));
                }
            }
        }
    }
    fail_with("photos", seed, kills, acknowledged.len(), &problems);
}

/// A completed audit of the sample standard, ready to sign.
fn completed(db: &Path, dir: &Path, audit: &str, n: u64) -> Result<(), String> {
    let answers = dir.join("answers.csv");
    std::fs::write(
        &answers,
        "code,answer,note\n1.1,pass,\n1.2,pass,\n1.3,4,\n2.1,pass,\n2.2,2,\n2.3,5,\n2.4,pass,\n3.1,pass,\n3.2,ok,\n",
    )
    .map_err(|e| e.to_string())?;
    json(
        db,
        &["audit", "fill", audit, answers.to_str().ok_or("path")?],
    )?;
    let pic = picture(dir, 10_000 + n);
    json(
        db,
        &["audit", "photo", audit, "3.1", pic.to_str().ok_or("path")?],
    )?;
    json(db, &["audit", "complete", audit]).map(|_| ())
}

#[test]
fn signatures_acknowledged_before_a_kill_are_never_lost_and_signing_still_works() {
    let (mut rng, seed) = Rng::new("sign");
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("store.db");
    let kills = rounds(8);
    let audits = lab(&db, kills + 1);
    let mut problems = Vec::new();
    let sign = |audit: &str| {
        vec![
            "audit".to_string(),
            "sign".into(),
            audit.to_string(),
            "--signer".into(),
            "Анна Смирнова".into(),
        ]
    };
    // Calibrate on a separate database, so the first kill may land in the first signing, when
    // the auditor's key is made.
    let span = {
        let cal = dir.path().join("calibration").join("store.db");
        let a = lab(&cal, 1);
        completed(&cal, dir.path(), &a[0], 0).expect("complete");
        let args = sign(&a[0]);
        calibrate(&cal, &args.iter().map(String::as_str).collect::<Vec<_>>()).expect("calibrate")
    };
    let mut signed: Vec<String> = Vec::new();
    for (i, audit) in audits.iter().take(kills).enumerate() {
        if let Err(e) = completed(&db, dir.path(), audit, i as u64 + 1) {
            problems.push(format!("preparing audit {i}: {e}"));
            break;
        }
        let args = sign(audit);
        let child = spawn(&db, &args.iter().map(String::as_str).collect::<Vec<_>>());
        if killed_after(child, delay(&mut rng, span)).is_some() {
            signed.push(audit.clone());
        }
        if let Err(e) = check_database(&db) {
            problems.push(format!("kill {i} during `audit sign`: {e}"));
            break;
        }
        // The next command works: an audit the kill left unsigned can be signed now.
        let status = json(&db, &["audit", "show", audit])
            .map(|v| v["status"].as_str().unwrap_or("").to_string());
        if status.as_deref() == Ok("completed")
            && let Err(e) = json(&db, &args.iter().map(String::as_str).collect::<Vec<_>>())
        {
            problems.push(format!(
                "after kill {i} during `audit sign`, signing again fails: {e}"
            ));
        }
    }
    for audit in &signed {
        match json(&db, &["audit", "show", audit]) {
            Err(e) => problems.push(e),
            Ok(v) => {
                if v["status"] != "signed" {
                    problems.push(format!(
                        "audit {audit} was acknowledged signed but is {}",
                        v["status"]
                    ));
                    continue;
                }
                let path = v["report"]["path"].as_str().unwrap_or("").to_string();
                match json(&db, &["verify", &path]) {
                    Ok(r) if r["valid"] == true => {}
                    Ok(r) => {
                        problems.push(format!("the signed report of {audit} does not verify: {r}"))
                    }
                    Err(e) => problems.push(format!("the signed report of {audit}: {e}")),
                }
            }
        }
    }
    fail_with("sign", seed, kills, signed.len(), &problems);
}

/// What a complete demo holds, as counts.
fn demo_contents(db: &Path) -> Result<String, String> {
    let standards = json(db, &["standard", "list"])?;
    let stores = json(db, &["store", "list"])?;
    let audits = json(db, &["audit", "list"])?;
    let mut parts = vec![
        format!("{} standards", standards.as_array().map_or(0, Vec::len)),
        format!("{} stores", stores.as_array().map_or(0, Vec::len)),
    ];
    for a in audits.as_array().into_iter().flatten() {
        let id = a["id"].as_str().unwrap_or("");
        let v = json(db, &["audit", "show", id])?;
        parts.push(format!(
            "audit {}: {} answers, {} photos",
            v["status"],
            v["answers"].as_array().map_or(0, Vec::len),
            v["photos"].as_array().map_or(0, Vec::len)
        ));
    }
    parts.sort();
    Ok(parts.join(", "))
}

#[test]
fn a_killed_demo_leaves_a_working_database_and_rerunning_it_completes_the_demo() {
    let (mut rng, seed) = Rng::new("demo");
    let dir = tempfile::tempdir().expect("temp dir");
    let reference = dir.path().join("reference").join("store.db");
    let span = calibrate(&reference, &["demo"]).expect("demo on a new database");
    let complete = demo_contents(&reference).expect("the reference demo");
    let mut problems = Vec::new();
    let mut acknowledged_count = 0;
    let kills = rounds(8);
    for i in 0..kills {
        let db = dir.path().join(format!("demo-{i}")).join("store.db");
        let child = spawn(&db, &["demo"]);
        let acknowledged = killed_after(child, delay(&mut rng, span)).is_some();
        acknowledged_count += usize::from(acknowledged);
        if db.exists()
            && let Err(e) = check_database(&db)
        {
            problems.push(format!(
                "kill {i} during `demo` (acknowledged: {acknowledged}): {e}"
            ));
            continue;
        }
        if let Err(e) = json(&db, &["demo"]) {
            problems.push(format!(
                "after kill {i} during `demo`, running it again fails: {e}"
            ));
            continue;
        }
        match demo_contents(&db) {
            Ok(c) if c == complete => {}
            Ok(c) => problems.push(format!(
                "after kill {i} during `demo` and a second run, the demo is incomplete: {c}; a complete demo has {complete}"
            )),
            Err(e) => problems.push(format!("after kill {i} during `demo`: {e}")),
        }
    }
    fail_with("demo", seed, kills, acknowledged_count, &problems);
}

#[test]
fn processes_racing_to_create_a_new_database_all_succeed() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Each distinct first line of an error, and how often it came.
    let mut failures: BTreeMap<String, usize> = BTreeMap::new();
    let (rounds, processes) = (rounds(20), 6);
    for round in 0..rounds {
        let db = dir.path().join(format!("race-{round}")).join("store.db");
        // Started back to back so they open the missing file together, as the app and the
        // command line may on a new machine.
        let children: Vec<Child> = (0..processes)
            .map(|_| {
                storecheck(&db, &["store", "list"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("start storecheck")
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().expect("wait");
            if !out.status.success() {
                let err = String::from_utf8_lossy(&out.stderr);
                let first = err.lines().next().unwrap_or("(nothing on stderr)");
                *failures
                    .entry(first.chars().take(200).collect())
                    .or_default() += 1;
            }
        }
    }
    let failed: usize = failures.values().sum();
    eprintln!(
        "openers: {} processes in {rounds} rounds, {failed} failed",
        rounds * processes
    );
    assert!(
        failures.is_empty(),
        "{failed} of {} processes opening a new database at once failed; creating a database must be safe with any number of processes:\n{}",
        rounds * processes,
        failures
            .iter()
            .map(|(e, n)| format!("{n}x {e}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Every file under a bundle's name in `dir` is a whole bundle that HQ would accept.
fn whole_bundles(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("storecheck-") && name.ends_with(".zip") {
            storecheck_sync::read::read_bundle(&path, &name, Default::default())
                .map_err(|r| format!("{name} is not a whole bundle: {r}"))?;
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

fn hq_dump(hq: &Path) -> Result<String, String> {
    let clock: storecheck_core::db::Clock = std::sync::Arc::new(chrono::Utc::now);
    let ids = storecheck_core::ids::Ids::from_os(clock.clone());
    storecheck_hq::HqDb::open(hq, clock, ids)
        .and_then(|h| h.dump())
        .map_err(|e| format!("the HQ database no longer opens: {e}"))
}

#[test]
fn a_killed_export_leaves_no_half_bundle_and_a_killed_import_leaves_hq_as_before() {
    let (mut rng, seed) = Rng::new("sync");
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("store.db");
    let out = dir.path().join("out");
    let out_arg = out.to_str().expect("path").to_string();
    json(&db, &["demo"]).expect("demo");
    let audits = json(&db, &["audit", "list"]).expect("list");
    let done = audits
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["status"] == "completed")
        .and_then(|a| a["id"].as_str())
        .expect("the demo's completed audit")
        .to_string();
    json(&db, &["audit", "sign", &done, "--signer", "Анна Смирнова"]).expect("sign");
    let mut problems = Vec::new();
    let kills = rounds(10);

    let export = ["sync", "export", "--all", "--out", out_arg.as_str()];
    let span = calibrate(&db, &export).expect("export");
    let mut acknowledged = 0;
    for i in 0..kills {
        let printed = killed_after(spawn(&db, &export), delay(&mut rng, span));
        acknowledged += usize::from(printed.is_some());
        if let Err(e) = whole_bundles(&out).and_then(|_| check_database(&db)) {
            problems.push(format!("kill {i} during `sync export`: {e}"));
        }
    }
    // A bundle exported and acknowledged is there, whole; every bundle holds the one audit.
    let bundles = whole_bundles(&out).unwrap_or_default();
    if bundles.len() < acknowledged + 1 {
        problems.push(format!(
            "{acknowledged} exports were acknowledged after the first, but only {} bundles are whole",
            bundles.len()
        ));
    }

    // Import: the reference HQ takes the first bundle; a killed import leaves an HQ that holds
    // nothing of it or all of it, and importing again completes it.
    let reference = dir.path().join("reference").join("hq.db");
    let hq_arg = |p: &Path| p.to_str().expect("path").to_string();
    let bundle = hq_arg(&bundles[0]);
    let empty = hq_dump(&dir.path().join("empty").join("hq.db")).expect("empty hq");
    let t = Instant::now();
    json(&db, &["--hq", &hq_arg(&reference), "hq", "import", &bundle]).expect("import");
    let span = t.elapsed().mul_f64(1.6).max(Duration::from_millis(20));
    let complete = hq_dump(&reference).expect("reference");
    for i in 0..kills {
        let hq = dir.path().join(format!("hq-{i}")).join("hq.db");
        let child = spawn(&db, &["--hq", &hq_arg(&hq), "hq", "import", &bundle]);
        let acknowledged = killed_after(child, delay(&mut rng, span)).is_some();
        if hq.exists() {
            match hq_dump(&hq) {
                Ok(d) if d == complete || (d == empty && !acknowledged) => {}
                Ok(_) => problems.push(format!(
                    "kill {i} during `hq import` (acknowledged: {acknowledged}) left HQ half-imported"
                )),
                Err(e) => problems.push(format!("kill {i} during `hq import`: {e}")),
            }
        }
        if let Err(e) = json(&db, &["--hq", &hq_arg(&hq), "hq", "import", &bundle]) {
            problems.push(format!("after kill {i}, importing again fails: {e}"));
        }
        match hq_dump(&hq) {
            Ok(d) if d == complete => {}
            Ok(_) => problems.push(format!(
                "after kill {i} and a second import, HQ differs from one clean import"
            )),
            Err(e) => problems.push(e),
        }
    }
    fail_with("sync", seed, kills, acknowledged, &problems);
}
