//! 500 stores pushing 5,000 bundles (each a signed audit with 3 photos) over HTTP on loopback
//! to two `storecheck hq serve` on one PostgreSQL, and to one on SQLite: bundles per second,
//! p50 and p99 latency of a push, and what HQ holds afterwards (every audit once, none lost),
//! beside `storecheck hq import` of the same files into a fresh database on the same backend in
//! the same run (the floor of the work itself: the same checks and writes, without HTTP).
//!
//! The stores: each a laptop of its own (store database with the demo, its own device key, a
//! store of its own code), 10 signed audits on consecutive days, one bundle each, made once
//! and kept in `target/bench/push-<stores>x<bundles>/` (about 24 GB at full scale) for the
//! next run. The clients: `STORECHECK_BENCH_PUSH_CLIENTS` (default 32) threads, each taking the
//! next store and sending its bundles in order, as a store's push does, one connection per
//! store, the stores spread over the servers as a load balancer would; every request is timed
//! from its first byte to the answer read.
//!
//! `scripts/bench.sh` runs it under `scripts/with-postgres.sh` (a throwaway PostgreSQL whose URL
//! is in `STORECHECK_TEST_POSTGRES`); without that variable only SQLite is measured.
//! `STORECHECK_BENCH_PUSH_STORES` (default 500) and `STORECHECK_BENCH_PUSH_BUNDLES` (per store,
//! default 10) set the scale; `STORECHECK_BENCH_HQ_PHOTOS` names the photos (as for `hq_import`);
//! `STORECHECK_BENCH_PUSH_BACKEND=postgresql` or `=sqlite` measures one backend only.

// A benchmark runs as the program does: the system clock, real ids, and its input named by
// the environment.
#![allow(clippy::disallowed_methods)]

#[path = "../../hq/benches/laptop/mod.rs"]
mod laptop;

use std::collections::HashSet;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use laptop::{GB, Laptop, MB, Photos, env_count, fail, free_bytes};
use serde::{Deserialize, Serialize};
use storecheck_core::model::ShiftPart;

const STORECHECK_BIN: &str = env!("CARGO_BIN_EXE_storecheck");

/// One store's bundles, in the order its laptop made them.
#[derive(Serialize, Deserialize)]
struct Store {
    code: String,
    device: String,
    /// Bundle file names, under the store's folder.
    files: Vec<String>,
    /// The audits the bundles carry, one each.
    audits: Vec<String>,
}

/// What a data folder holds, written last: a folder without it is made again.
#[derive(Serialize, Deserialize)]
struct Made {
    photos: String,
    stores: Vec<Store>,
}

impl Made {
    fn files(&self, dir: &Path) -> Vec<PathBuf> {
        self.stores
            .iter()
            .flat_map(|s| s.files.iter().map(|f| dir.join(&s.code).join(f)))
            .collect()
    }
}

/// Makes the stores' bundles in `dir`, or reads what an earlier run made there.
fn stores(dir: &Path, stores: usize, per_store: usize) -> Made {
    let manifest = dir.join("made.json");
    if let Ok(text) = std::fs::read_to_string(&manifest)
        && let Ok(made) = serde_json::from_str::<Made>(&text)
    {
        eprintln!(
            "using the {} stores' bundles made earlier in {}",
            made.stores.len(),
            dir.display()
        );
        return made;
    }
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("data folder");
    let photos = Photos::load();
    let bundle_guess = (photos.original_bytes + 2 * photos.copies_bytes) as u64;
    // The bundles, and one laptop's files at a time on each thread.
    let need = (stores * per_store) as u64 * bundle_guess + (2 << 30);
    if let Some(free) = free_bytes(dir)
        && free < need
    {
        fail(&format!(
            "{stores} stores' bundles need about {:.1} GB under {}, {:.1} GB are free: set STORECHECK_BENCH_PUSH_STORES lower",
            need as f64 / GB,
            dir.display(),
            free as f64 / GB
        ));
    }
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let next = AtomicUsize::new(0);
    let made: Mutex<Vec<Store>> = Mutex::new(Vec::with_capacity(stores));
    let built = Instant::now();
    let day0 = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("date");
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= stores {
                        break;
                    }
                    let code = format!("P{:04}", n + 1);
                    let laptop_dir = dir.join("laptops").join(&code);
                    let mut laptop = Laptop::new(&laptop_dir);
                    laptop
                        .db
                        .add_store(
                            &code,
                            &format!("Магазин {}", n + 1),
                            Some(&format!("Регион {}", n % 20 + 1)),
                        )
                        .expect("store");
                    let out = dir.join(&code);
                    let mut store = Store {
                        code: code.clone(),
                        device: laptop.db.device().to_string(),
                        files: Vec::with_capacity(per_store),
                        audits: Vec::with_capacity(per_store),
                    };
                    for k in 0..per_store {
                        let day = day0 - chrono::Days::new(k as u64);
                        let id = laptop.signed_audit(
                            &code,
                            day,
                            ShiftPart::Opening,
                            &photos,
                            &format!("{code} audit {k}"),
                        );
                        let (file, audits) = laptop.export(&out);
                        assert_eq!(audits, 1, "each bundle carries one audit");
                        let name = file.file_name().expect("a file name");
                        store.files.push(name.to_string_lossy().into_owned());
                        store.audits.push(id.to_string());
                    }
                    drop(laptop);
                    let _ = std::fs::remove_dir_all(&laptop_dir);
                    let mut made = made.lock().expect("lock");
                    made.push(store);
                    if made.len().is_multiple_of(25) {
                        eprintln!(
                            "made {} of {stores} stores' bundles in {:.0} s",
                            made.len(),
                            built.elapsed().as_secs_f64()
                        );
                    }
                }
            });
        }
    });
    let _ = std::fs::remove_dir_all(dir.join("laptops"));
    let mut stores = made.into_inner().expect("lock");
    stores.sort_by(|a, b| a.code.cmp(&b.code));
    let made = Made {
        photos: photos.from,
        stores,
    };
    std::fs::write(
        &manifest,
        serde_json::to_vec(&made).expect("manifest as JSON"),
    )
    .expect("write the manifest");
    eprintln!(
        "made {} bundles in {:.0} s",
        made.stores.len() * per_store,
        built.elapsed().as_secs_f64()
    );
    made
}

/// An HQ database for one measurement: a new file, or a new database on the PostgreSQL.
struct Hq {
    /// What `--hq` is given.
    location: String,
    files: PathBuf,
    /// The PostgreSQL database to drop afterwards.
    pg: Option<(String, String)>,
}

impl Hq {
    fn new(backend: &Backend, work: &Path, name: &str) -> Hq {
        let files = work.join(format!("{name}-files"));
        let _ = std::fs::remove_dir_all(&files);
        match backend {
            Backend::Sqlite => {
                let path = work.join(format!("{name}.db"));
                remove_sqlite(&path.display().to_string());
                Hq {
                    location: path.display().to_string(),
                    files,
                    pg: None,
                }
            }
            Backend::Postgres { admin } => {
                let db = format!("storecheck_bench_{name}");
                psql(admin, &format!("DROP DATABASE IF EXISTS {db}"));
                psql(admin, &format!("CREATE DATABASE {db}"));
                let (base, _) = admin.rsplit_once('/').expect("a URL with a database");
                Hq {
                    location: format!("{base}/{db}"),
                    files,
                    pg: Some((admin.clone(), db)),
                }
            }
        }
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(STORECHECK_BIN);
        cmd.env("LANG", "en_US.UTF-8")
            .arg("--hq")
            .arg(&self.location)
            .arg("--hq-files")
            .arg(&self.files);
        cmd
    }

    /// Every audit HQ holds, by id, counted.
    fn audits(&self) -> Vec<String> {
        let out = self
            .command()
            .args(["--json", "hq", "audits"])
            .output()
            .expect("storecheck hq audits");
        if !out.status.success() {
            fail(&format!(
                "hq audits failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let list: Vec<serde_json::Value> =
            serde_json::from_slice(&out.stdout).expect("hq audits prints JSON");
        list.iter()
            .map(|a| a["id"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    fn remove(self) {
        if let Some((admin, db)) = &self.pg {
            psql(admin, &format!("DROP DATABASE IF EXISTS {db}"));
        } else {
            remove_sqlite(&self.location);
        }
        let _ = std::fs::remove_dir_all(&self.files);
    }
}

/// A SQLite database this benchmark made, with its journal files.
fn remove_sqlite(path: &str) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{path}{suffix}"));
    }
}

enum Backend {
    Sqlite,
    Postgres { admin: String },
}

fn psql(url: &str, sql: &str) {
    let bin = std::env::var_os("STORECHECK_TEST_POSTGRES_BIN")
        .map_or_else(|| PathBuf::from("psql"), |b| PathBuf::from(b).join("psql"));
    let out = Command::new(&bin)
        .args(["-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql])
        .output()
        .unwrap_or_else(|e| fail(&format!("cannot run {}: {e}", bin.display())));
    if !out.status.success() {
        fail(&format!(
            "psql {sql:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
}

/// A running `storecheck hq serve`, stopped when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(hq: &Hq, connections: usize) -> Server {
        let mut child = hq
            .command()
            .args(["--json", "hq", "serve", "--listen", "127.0.0.1:0"])
            .args(["--connections", &connections.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start hq serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the server says where it listens");
        let v: serde_json::Value = serde_json::from_str(&line)
            .unwrap_or_else(|_| fail(&format!("hq serve printed {line:?}, not its address")));
        let url = v["url"].as_str().expect("url").to_string();
        Server { child, url }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the clients saw.
struct Pushed {
    elapsed: Duration,
    /// Every request's time, sorted.
    latencies: Vec<Duration>,
    added: u64,
    already_present: u64,
    /// Anything but 200: (file, status, answer).
    failures: Vec<(String, u16, String)>,
}

/// Sends every store's bundles (or only its last, `last_only`) to `servers`, `clients` stores
/// at a time.
fn push(made: &Made, dir: &Path, servers: &[Server], clients: usize, last_only: bool) -> Pushed {
    let next = AtomicUsize::new(0);
    let results = Mutex::new((Vec::new(), 0u64, 0u64, Vec::new()));
    let t = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..clients.min(made.stores.len()) {
            scope.spawn(|| {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let Some(store) = made.stores.get(n) else {
                        break;
                    };
                    // One store's push: its own connection, to the server the balancer gives.
                    let agent: ureq::Agent = ureq::Agent::config_builder()
                        .http_status_as_error(false)
                        .build()
                        .into();
                    let url = &servers[n % servers.len()].url;
                    let files = if last_only {
                        &store.files[store.files.len() - 1..]
                    } else {
                        &store.files[..]
                    };
                    let mut mine = Vec::with_capacity(files.len());
                    let (mut added, mut present, mut failed) = (0, 0, Vec::new());
                    for name in files {
                        let path = dir.join(&store.code).join(name);
                        let started = Instant::now();
                        let file = std::fs::File::open(&path).expect("a bundle");
                        let answer = agent
                            .post(format!("{url}/v1/bundles"))
                            .header("content-type", "application/zip")
                            .header("accept-language", "en")
                            .header("x-storecheck-file", name)
                            .header("x-storecheck-device", &store.device)
                            .send(file);
                        let (status, body) = match answer {
                            Ok(r) => {
                                let status = r.status().as_u16();
                                let body = r.into_body().read_to_string().unwrap_or_default();
                                (status, body)
                            }
                            Err(e) => (0, e.to_string()),
                        };
                        mine.push(started.elapsed());
                        let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                        if status == 200 {
                            added += v["added"].as_u64().unwrap_or(0);
                            present += v["already_present"].as_u64().unwrap_or(0);
                        } else {
                            failed.push((name.clone(), status, body));
                        }
                    }
                    let mut r = results.lock().expect("lock");
                    r.0.extend(mine);
                    r.1 += added;
                    r.2 += present;
                    r.3.extend(failed);
                }
            });
        }
    });
    let elapsed = t.elapsed();
    let (mut latencies, added, already_present, failures) = results.into_inner().expect("lock");
    latencies.sort();
    Pushed {
        elapsed,
        latencies,
        added,
        already_present,
        failures,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64()
}

/// What HQ holds against what the stores sent: (audits, duplicates, lost).
fn holds(hq: &Hq, made: &Made) -> (usize, usize, usize) {
    let ids = hq.audits();
    let unique: HashSet<&str> = ids.iter().map(String::as_str).collect();
    let lost = made
        .stores
        .iter()
        .flat_map(|s| &s.audits)
        .filter(|a| !unique.contains(a.as_str()))
        .count();
    (ids.len(), ids.len() - unique.len(), lost)
}

/// The data and the clients, the same for every backend.
struct Run<'a> {
    made: &'a Made,
    /// Where the stores' bundles are.
    dir: &'a Path,
    /// Where HQ's databases and files go.
    work: &'a Path,
    clients: usize,
    /// Every bundle, store by store, and their bytes.
    files: Vec<PathBuf>,
    bytes: u64,
}

/// One backend: the push through `servers` servers, then the import of the same files.
fn measure(run: &Run, backend: &Backend, label: &str, servers: usize, connections: usize) {
    let Run {
        made,
        dir,
        work,
        clients,
        ref files,
        bytes,
    } = *run;
    let bundles = files.len();
    println!(
        "  {label}: {servers} × hq serve --connections {connections}, {clients} clients at once"
    );

    let hq = Hq::new(backend, work, "push");
    let running: Vec<Server> = (0..servers)
        .map(|_| Server::start(&hq, connections))
        .collect();
    let first = push(made, dir, &running, clients, false);
    let again = push(made, dir, &running, clients, true);
    drop(running);
    let (held, duplicates, lost) = holds(&hq, made);
    hq.remove();
    let rate = bundles as f64 / first.elapsed.as_secs_f64();
    println!(
        "    push {bundles} bundles ({:.1} GB) from {} stores: {:6.1} s  {:6.1} bundles/s  latency p50 {:.2} s  p99 {:.2} s  max {:.2} s",
        bytes as f64 / GB,
        made.stores.len(),
        first.elapsed.as_secs_f64(),
        rate,
        percentile(&first.latencies, 0.5),
        percentile(&first.latencies, 0.99),
        percentile(&first.latencies, 1.0),
    );
    println!(
        "    answered: {} added, {} already present, {} not taken; at HQ afterwards: {held} audits, {duplicates} duplicates, {lost} lost",
        first.added,
        first.already_present,
        first.failures.len(),
    );
    for (file, status, body) in first.failures.iter().take(3) {
        println!(
            "      {file}: {status} {}",
            body.chars().take(200).collect::<String>()
        );
    }
    println!(
        "    each store's last bundle again ({} bundles, all already present): {:.1} s  {:.1} bundles/s  p50 {:.2} s  p99 {:.2} s; answered {} added, {} already present, {} not taken",
        again.latencies.len(),
        again.elapsed.as_secs_f64(),
        again.latencies.len() as f64 / again.elapsed.as_secs_f64(),
        percentile(&again.latencies, 0.5),
        percentile(&again.latencies, 0.99),
        again.added,
        again.already_present,
        again.failures.len(),
    );

    // The floor: the same files by `hq import` into a fresh database on the same backend.
    let hq = Hq::new(backend, work, "import");
    let t = Instant::now();
    let out = hq
        .command()
        .args(["--json", "hq", "import"])
        .args(files)
        .output()
        .expect("storecheck hq import");
    let import = t.elapsed();
    let imported: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let added: u64 = imported["files"].as_array().map_or(0, |f| {
        f.iter().map(|o| o["added"].as_u64().unwrap_or(0)).sum()
    });
    let (held, duplicates, lost) = holds(&hq, made);
    hq.remove();
    if !out.status.success() {
        println!(
            "    hq import failed: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or_default()
        );
    }
    println!(
        "    hq import of the same files into a fresh database: {:6.1} s  {:6.1} bundles/s  ({added} added; at HQ {held} audits, {duplicates} duplicates, {lost} lost)   push/import time ratio {:.2}",
        import.as_secs_f64(),
        bundles as f64 / import.as_secs_f64(),
        first.elapsed.as_secs_f64() / import.as_secs_f64(),
    );
}

fn main() {
    let store_count = env_count("STORECHECK_BENCH_PUSH_STORES", 500).max(1);
    let per_store = env_count("STORECHECK_BENCH_PUSH_BUNDLES", 10).max(1);
    let clients = env_count("STORECHECK_BENCH_PUSH_CLIENTS", 32).max(1);
    let bench_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    let dir = bench_dir.join(format!("push-{store_count}x{per_store}"));
    let made = stores(&dir, store_count, per_store);
    let work = bench_dir.join("push-hq");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("work folder");
    let load = std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".into(),
        |l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    );
    let files = made.files(&dir);
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
        .sum();
    println!(
        "  (a bundle: one signed audit, 61 answers, 3 photos ({}) and its signed PDF, {:.1} MB on average; each store a laptop of its own with its own device key; loopback, plain HTTP; load average before {load})",
        made.photos,
        bytes as f64 / files.len().max(1) as f64 / MB
    );
    let run = Run {
        made: &made,
        dir: &dir,
        work: &work,
        clients,
        files,
        bytes,
    };
    let only = std::env::var("STORECHECK_BENCH_PUSH_BACKEND").unwrap_or_default();
    if only != "sqlite" {
        match std::env::var("STORECHECK_TEST_POSTGRES") {
            Ok(admin) => measure(&run, &Backend::Postgres { admin }, "PostgreSQL 15", 2, 4),
            Err(_) => println!(
                "  PostgreSQL: not measured (run under scripts/with-postgres.sh, as scripts/bench.sh does)"
            ),
        }
    }
    if only != "postgresql" {
        measure(&run, &Backend::Sqlite, "SQLite", 1, 1);
    }
    println!("  for scale: ODK Central publishes about 41 submissions per second");
    let _ = std::fs::remove_dir_all(&work);
}
