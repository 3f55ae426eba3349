//! storecheck-fuzz: a mutation fuzzer for what StoreCheck takes from outside, run by CI for a
//! bounded time on every change (`scripts/fuzz.sh`).
//!
//! Targets: `standards` (CSV, JSON and XLSX through the import the CLI runs), `photos` (JPEG,
//! PNG, WebP through attaching a photo), `pdf` (signed reports through verify) and `bundles`
//! (sync bundles and a store's database file through HQ's import); `all` runs each for a share
//! of the budget. A case fails when it panics, aborts (e.g. an allocation refused under the
//! address-space limit the script sets), runs longer than the hang bound, refuses its input but
//! changes the database, or, for `pdf`, is called valid although the signed bytes changed, or,
//! for `bundles`, fails HQ instead of being refused, is refused without a reason in either
//! language, or is accepted although it changed and was not signed again.
//!
//! The binary supervises a worker process that runs the cases, so an abort or a hang is
//! reported with its case and fuzzing goes on with the next one. Case `n`'s input depends only
//! on the seed and `n`: `--seed S --replay n` makes it again, in-process.
//! The output ends with `N passed, M failed`; the exit code is 0 only when M is 0.

// The fuzzer is a front end: its seed may come from the environment and the clock.
#![allow(clippy::disallowed_methods)]

mod bundles;
mod mutate;
mod pdf;
mod photos;
mod sandbox;
mod standards;
mod xlsx;

use std::io::{BufRead, BufReader, Read};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Parser;

use crate::mutate::Rng;

/// One case's input: a file name (its extension chooses the format) and its bytes.
pub struct Input {
    pub name: String,
    pub bytes: Vec<u8>,
}

impl Input {
    pub fn new(name: &str, bytes: Vec<u8>) -> Input {
        Input {
            name: name.to_string(),
            bytes,
        }
    }
}

/// Why a case failed.
pub struct Failure {
    pub kind: &'static str,
    pub message: String,
}

impl Failure {
    pub fn new(kind: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            kind,
            message: message.into(),
        }
    }

    /// The harness itself could not do its part (a temporary file, the sandbox).
    pub fn harness(message: String) -> Failure {
        Failure::new("harness", message)
    }
}

/// What is fuzzed: how an input is made from the seeds, and what must hold when it is fed.
pub trait Target {
    fn name(&self) -> &'static str;
    fn generate(&self, rng: &mut Rng) -> Input;
    fn check(&mut self, input: &Input) -> Result<(), Failure>;
    /// Back to the starting state after a panic.
    fn recover(&mut self) -> Result<(), String>;
}

const TARGETS: &[&str] = &["standards", "photos", "pdf", "bundles"];

#[derive(Parser, Clone)]
#[command(
    name = "storecheck-fuzz",
    about = "Mutation fuzzing of StoreCheck's inputs"
)]
struct Args {
    /// standards | photos | pdf | bundles | all
    #[arg(value_parser = ["standards", "photos", "pdf", "bundles", "all"])]
    target: String,
    /// The run's seed [default: from the clock; printed either way]
    #[arg(long)]
    seed: Option<u64>,
    /// Stop after this many cases (per target)
    #[arg(long)]
    cases: Option<u64>,
    /// Stop after this many seconds (shared among the targets with `all`)
    #[arg(long)]
    seconds: Option<f64>,
    /// Run this one case in-process and say what happened
    #[arg(long, value_name = "CASE")]
    replay: Option<u64>,
    /// The folder with `standards/` and `answers/` [default: the repository's fixtures]
    #[arg(long)]
    fixtures: Option<PathBuf>,
    /// Write each failing input into this folder
    #[arg(long)]
    save: Option<PathBuf>,
    /// A case running longer than this many seconds is a hang
    #[arg(long, default_value_t = 30)]
    hang_after: u64,
    /// Internal: run cases and report each on standard output
    #[arg(long, hide = true)]
    worker: bool,
    /// Internal: the first case the worker runs
    #[arg(long, hide = true, default_value_t = 0)]
    from: u64,
}

fn main() -> ExitCode {
    let mut args = Args::parse();
    let seed = *args.seed.get_or_insert_with(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_secs())
    });
    if args.worker {
        return worker(&args, seed);
    }
    if let Some(case) = args.replay {
        return replay(&args, seed, case);
    }
    if args.cases.is_none() && args.seconds.is_none() {
        args.seconds = Some(60.0);
    }
    let targets: Vec<&str> = match args.target.as_str() {
        "all" => TARGETS.to_vec(),
        t => vec![t],
    };
    println!(
        "storecheck-fuzz: seed {seed}, targets {}, {}",
        targets.join(", "),
        match (args.cases, args.seconds) {
            (Some(c), Some(s)) => format!("{c} cases or {s} s"),
            (Some(c), None) => format!("{c} cases per target"),
            (None, Some(s)) => format!("{s} s"),
            (None, None) => String::new(),
        }
    );
    let (mut passed, mut failed) = (0u64, 0u64);
    let started = Instant::now();
    for (i, target) in targets.iter().enumerate() {
        // Each target gets an equal share of what is left of the time.
        let share = args.seconds.map(|s| {
            let left = (s - started.elapsed().as_secs_f64()).max(0.0);
            left / (targets.len() - i) as f64
        });
        let t0 = Instant::now();
        let r = supervise(&args, target, seed, share);
        println!(
            "{target}: {} cases ({} passed, {} failed) in {:.1} s",
            r.passed + r.failed,
            r.passed,
            r.failed,
            t0.elapsed().as_secs_f64()
        );
        passed += r.passed;
        failed += r.failed;
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn fixtures(args: &Args) -> PathBuf {
    args.fixtures
        .clone()
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures"))
}

fn make_target(name: &str, args: &Args) -> Result<Box<dyn Target>, String> {
    Ok(match name {
        "standards" => Box::new(standards::Standards::new(&fixtures(args))?),
        "photos" => Box::new(photos::Photos::new()?),
        "pdf" => Box::new(pdf::Pdf::new()?),
        "bundles" => Box::new(bundles::Bundles::new(&fixtures(args))?),
        other => return Err(format!("unknown target {other}")),
    })
}

/// The message of the last panic, taken by the hook instead of printed.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(info.to_string());
        }
    }));
}

fn take_panic() -> String {
    LAST_PANIC
        .lock()
        .ok()
        .and_then(|mut p| p.take())
        .unwrap_or_else(|| "a panic without a message".into())
}

/// Runs one case: makes its input and checks it, a panic anywhere being a failure.
/// `started` is told what the input is before it is fed, so a hang or an abort can name it.
fn run_case(
    target: &mut dyn Target,
    seed: u64,
    case: u64,
    started: impl FnOnce(&Rng, &Input),
) -> (Rng, Input, Result<(), Failure>) {
    let mut rng = Rng::for_case(seed, target.name(), case);
    let input = match std::panic::catch_unwind(AssertUnwindSafe(|| target.generate(&mut rng))) {
        Ok(input) => input,
        Err(_) => {
            let failure = Failure::new("harness-panic", take_panic());
            return (rng, Input::new("none", Vec::new()), Err(failure));
        }
    };
    started(&rng, &input);
    let result = match std::panic::catch_unwind(AssertUnwindSafe(|| target.check(&input))) {
        Ok(r) => r,
        Err(_) => {
            let failure = Failure::new("panic", take_panic());
            if let Err(e) = target.recover() {
                eprintln!("storecheck-fuzz: could not start afresh after a panic: {e}");
            }
            Err(failure)
        }
    };
    (rng, input, result)
}

fn save(args: &Args, target: &str, seed: u64, case: u64, input: &Input) {
    if let Some(dir) = &args.save {
        let _ = std::fs::create_dir_all(dir);
        let name = format!("{target}-{seed}-{case}-{}", input.name.replace('/', "_"));
        let _ = std::fs::write(dir.join(name), &input.bytes);
    }
}

/// The input in a line: its name, size and the mutations that made it.
fn describe(rng: &Rng, input: &Input) -> String {
    one_line(&format!(
        "{}, {} bytes: {}",
        input.name,
        input.bytes.len(),
        rng.log.join(", ")
    ))
}

fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// The worker: runs cases from `--from`, one line per event on standard output, then `done`.
fn worker(args: &Args, seed: u64) -> ExitCode {
    quiet_panics();
    let deadline = args
        .seconds
        .map(|s| Instant::now() + Duration::from_secs_f64(s.max(0.0)));
    let mut target = match make_target(&args.target, args) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut case = args.from;
    while args.cases.is_none_or(|n| case < n) && deadline.is_none_or(|d| Instant::now() < d) {
        let (rng, input, result) = run_case(target.as_mut(), seed, case, |rng, input| {
            println!("start {case} {}", describe(rng, input));
        });
        match result {
            Ok(()) => println!("pass {case}"),
            Err(f) => {
                save(args, target.name(), seed, case, &input);
                println!(
                    "fail {case} {} {} [{}]",
                    f.kind,
                    one_line(&f.message),
                    describe(&rng, &input)
                );
            }
        }
        case += 1;
    }
    println!("done");
    ExitCode::SUCCESS
}

#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
}

/// Failures of one kind shown in full per target; the rest are counted.
const SHOWN_PER_KIND: u64 = 5;

fn report(target: &str, seed: u64, case: u64, kind: &str, message: &str) {
    println!("FAIL {target} seed {seed} case {case}: {kind}: {message}");
    println!("  replay: storecheck-fuzz {target} --seed {seed} --replay {case}");
}

/// Runs `target` in worker processes until the budget is spent; an abort or a hang is a
/// failure of the case under way, and a new worker goes on from the next case.
fn supervise(args: &Args, target: &str, seed: u64, seconds: Option<f64>) -> Tally {
    let mut tally = Tally::default();
    let mut failures = Failures {
        target,
        seed,
        kinds: Default::default(),
    };
    run_workers(args, &mut failures, &mut tally, seconds);
    for (kind, n) in &failures.kinds {
        if *n > SHOWN_PER_KIND {
            println!(
                "  ... and {} more {kind} failures in {target}",
                n - SHOWN_PER_KIND
            );
        }
    }
    tally
}

/// The failures of one target, counted by kind.
struct Failures<'a> {
    target: &'a str,
    seed: u64,
    kinds: std::collections::BTreeMap<String, u64>,
}

impl Failures<'_> {
    fn add(&mut self, tally: &mut Tally, case: u64, kind: &str, message: &str) {
        tally.failed += 1;
        let seen = self.kinds.entry(kind.to_string()).or_default();
        *seen += 1;
        if *seen <= SHOWN_PER_KIND {
            report(self.target, self.seed, case, kind, message);
        }
    }
}

fn run_workers(args: &Args, failures: &mut Failures<'_>, tally: &mut Tally, seconds: Option<f64>) {
    let (target, seed) = (failures.target, failures.seed);
    let started = Instant::now();
    let mut next = 0u64;
    let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("storecheck-fuzz"));
    let hang = Duration::from_secs(args.hang_after);
    loop {
        let left = seconds.map(|s| s - started.elapsed().as_secs_f64());
        if left.is_some_and(|l| l <= 0.0) || args.cases.is_some_and(|n| next >= n) {
            return;
        }
        let mut cmd = Command::new(&exe);
        cmd.arg(target)
            .args([
                "--worker",
                "--seed",
                &seed.to_string(),
                "--from",
                &next.to_string(),
            ])
            .env("RUST_BACKTRACE", "0") // an abort's one-line reason, not a backtrace
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(n) = args.cases {
            cmd.args(["--cases", &n.to_string()]);
        }
        if let Some(l) = left {
            cmd.args(["--seconds", &l.to_string()]);
        }
        if let Some(f) = &args.fixtures {
            cmd.arg("--fixtures").arg(f);
        }
        if let Some(s) = &args.save {
            cmd.arg("--save").arg(s);
        }
        let mut child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) => {
                println!("error: cannot start a worker: {e}");
                tally.failed += 1;
                return;
            }
        };
        let (tx, rx) = channel::<String>();
        if let Some(out) = child.stdout.take() {
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        // The last lines the worker wrote to standard error: an abort's reason is there.
        let stderr_tail = child.stderr.take().map(|mut err| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let _ = err.read_to_end(&mut buf);
                let text = String::from_utf8_lossy(&buf).into_owned();
                let lines: Vec<&str> = text.lines().collect();
                lines[lines.len().saturating_sub(6)..].join(" | ")
            })
        });
        let mut current: Option<u64> = None;
        let mut what = String::new();
        let mut done = false;
        let mut hung = false;
        // Setting a target up (the demo, a signed report) may take a while; cases may not.
        let setup_bound = Duration::from_secs(300);
        loop {
            let bound = if current.is_some() { hang } else { setup_bound };
            match rx.recv_timeout(bound) {
                Ok(line) => {
                    let mut parts = line.splitn(3, ' ');
                    let event = parts.next().unwrap_or("");
                    let case: Option<u64> = parts.next().and_then(|c| c.parse().ok());
                    match (event, case) {
                        ("start", Some(c)) => {
                            current = Some(c);
                            what = parts.next().unwrap_or("").to_string();
                        }
                        ("pass", Some(c)) => {
                            tally.passed += 1;
                            current = None;
                            next = c + 1;
                        }
                        ("fail", Some(c)) => {
                            current = None;
                            next = c + 1;
                            let rest = parts.next().unwrap_or("");
                            let (kind, message) = rest.split_once(' ').unwrap_or((rest, ""));
                            failures.add(tally, c, kind, message);
                        }
                        ("done", _) => done = true,
                        _ => {}
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    match current {
                        Some(c) => {
                            let message =
                                format!("the case ran longer than {} s [{what}]", hang.as_secs());
                            failures.add(tally, c, "hang", &message);
                            next = c + 1;
                        }
                        None => {
                            println!(
                                "error: the {target} worker did not start within {} s",
                                setup_bound.as_secs()
                            );
                            tally.failed += 1;
                            return;
                        }
                    }
                    hung = true;
                    break;
                }
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        if hung {
            continue;
        }
        let status = child.wait();
        if done {
            return;
        }
        let tail = stderr_tail.and_then(|t| t.join().ok()).unwrap_or_default();
        let how = match &status {
            Ok(s) => describe_exit(s),
            Err(e) => e.to_string(),
        };
        match current {
            Some(c) => {
                failures.add(
                    tally,
                    c,
                    "abort",
                    &format!("the process died ({how}): {tail} [{what}]"),
                );
                next = c + 1;
            }
            None if next == 0 || tail.contains("error:") => {
                println!("error: the {target} worker could not start ({how}): {tail}");
                tally.failed += 1;
                return;
            }
            None => {}
        }
    }
}

fn describe_exit(s: &std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = s.signal() {
            return format!("signal {sig}");
        }
    }
    format!("{s}")
}

/// One case, in this process, with a watchdog: the input is made again from the seed.
fn replay(args: &Args, seed: u64, case: u64) -> ExitCode {
    let name = args.target.clone();
    let name = name.as_str();
    if name == "all" {
        eprintln!("error: --replay needs one target: standards, photos, pdf or bundles");
        return ExitCode::from(2);
    }
    let mut target = match make_target(name, args) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let bound = args.hang_after;
    let started = Arc::new(AtomicU64::new(0));
    let clock = Instant::now();
    {
        let started = Arc::clone(&started);
        let name = name.to_string();
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(200));
                let at = started.load(Ordering::Relaxed);
                if at > 0 && clock.elapsed().as_millis() as u64 - at > bound * 1000 {
                    println!(
                        "FAIL {name} seed {seed} case {case}: hang: the case ran longer than {bound} s"
                    );
                    println!("0 passed, 1 failed");
                    std::process::exit(3);
                }
            }
        });
    }
    quiet_panics();
    started.store(clock.elapsed().as_millis() as u64 + 1, Ordering::Relaxed);
    let (_, input, result) = run_case(target.as_mut(), seed, case, |rng, input| {
        println!("{name} seed {seed} case {case}: {}", describe(rng, input));
    });
    started.store(0, Ordering::Relaxed);
    save(args, name, seed, case, &input);
    match result {
        Ok(()) => {
            println!("1 passed, 0 failed");
            ExitCode::SUCCESS
        }
        Err(f) => {
            report(name, seed, case, f.kind, &f.message);
            println!("0 passed, 1 failed");
            ExitCode::FAILURE
        }
    }
}
