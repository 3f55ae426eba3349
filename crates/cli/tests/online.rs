//! Online sync as stores and HQ run it: `storecheck hq serve` on loopback, `sync push` and
//! `sync pull` from store laptops. Each audit reaches HQ exactly once whatever happens on the
//! way (the same bundle twice, an acknowledgement lost, two laptops at once, an upload cut
//! off, the server killed and started again); what is refused says why, with the status a
//! client acts on, and leaves HQ as it was.

mod common;
use common::text;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

fn run(args: &[&str], lang: &str) -> Output {
    common::storecheck(lang)
        .args(args)
        .output()
        .expect("run storecheck")
}

fn json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let out = run(&all, "en_US.UTF-8");
    assert!(
        out.status.success(),
        "storecheck {args:?} failed:\n{}",
        text(&out)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON document")
}

/// `storecheck hq serve` on a port the system chooses, stopped (killed) when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(hq: &Path, extra: &[&str]) -> Server {
        let mut child = common::storecheck("en_US.UTF-8")
            .arg("--hq")
            .arg(hq)
            .args(["--json", "hq", "serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the server says where it listens");
        let v: Value = serde_json::from_str(&line).expect("JSON line");
        Server {
            child,
            url: v["url"].as_str().expect("url").to_string(),
        }
    }

    fn addr(&self) -> String {
        self.url.trim_start_matches("http://").to_string()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A store laptop: a demo database with its completed audit signed.
struct Store {
    db: PathBuf,
}

impl Store {
    fn new(dir: &Path, name: &str) -> Store {
        let db = dir.join(name).join("store.db");
        let store = Store { db };
        store.json(&["demo"]);
        let id = store.audit("completed");
        store.json(&["audit", "sign", &id, "--signer", "Анна Смирнова"]);
        store
    }

    fn args<'a>(&'a self, args: &[&'a str]) -> Vec<&'a str> {
        let mut all = vec!["--db", self.db.to_str().expect("path")];
        all.extend_from_slice(args);
        all
    }

    fn json(&self, args: &[&str]) -> Value {
        json(&self.args(args))
    }

    fn run(&self, args: &[&str], lang: &str) -> Output {
        run(&self.args(args), lang)
    }

    fn audit(&self, status: &str) -> String {
        self.json(&["audit", "list"])
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| a["status"] == status)
            .and_then(|a| a["id"].as_str())
            .expect("an audit")
            .to_string()
    }

    /// Every completed or signed audit's id, sorted.
    fn sent_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .json(&["audit", "list"])
            .as_array()
            .into_iter()
            .flatten()
            .filter(|a| a["status"] != "draft")
            .filter_map(|a| a["id"].as_str().map(str::to_string))
            .collect();
        ids.sort();
        ids
    }
}

/// The audits HQ holds, sorted (each once, or the test sees it twice).
fn hq_ids(hq: &Path) -> Vec<String> {
    let mut ids: Vec<String> = json(&["--hq", hq.to_str().expect("path"), "hq", "audits"])
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["id"].as_str().map(str::to_string))
        .collect();
    ids.sort();
    ids
}

/// One HTTP/1.1 request by hand: status and body.
fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).expect("head");
    s.write_all(body).expect("body");
    response(&mut s)
}

fn response(s: &mut TcpStream) -> (u16, Vec<u8>) {
    let mut all = Vec::new();
    let _ = s.read_to_end(&mut all);
    let text = String::from_utf8_lossy(&all);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let at = all
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(all.len(), |p| p + 4);
    (status, all[at..].to_vec())
}

fn error_message(body: &[u8]) -> String {
    let v: Value = serde_json::from_slice(body).unwrap_or_default();
    v["error"]["message"]
        .as_str()
        .map(str::to_string)
        .or_else(|| v["refused"][0]["reason"].as_str().map(str::to_string))
        .unwrap_or_else(|| String::from_utf8_lossy(body).into_owned())
}

#[test]
fn pushed_twice_or_with_its_answer_lost_an_audit_is_at_hq_once() {
    let dir = tempfile::tempdir().expect("dir");
    let hq = dir.path().join("hq.db");
    let server = Server::start(&hq, &[]);
    let store = Store::new(dir.path(), "a");

    // Before the first push the laptop knows no server: it says how to give one.
    let out = store.run(&["sync", "push"], "ru_RU.UTF-8");
    assert!(!out.status.success());
    assert!(
        text(&out).contains("у магазина ещё нет сервера ЦО"),
        "{}",
        text(&out)
    );

    // A copy of the laptop as it was before the push: a push whose answer never came back.
    let first = store.json(&["sync", "push", "--to", &server.url]);
    assert_eq!(first["bundles"], 1);
    assert_eq!(first["sent"], store.sent_ids().len() as u64);
    assert_eq!(first["already_present"], 0);
    assert_eq!(hq_ids(&hq), store.sent_ids());
    // Again: nothing new, nothing sent (the address is remembered).
    let again = store.json(&["sync", "push"]);
    assert_eq!(
        (again["bundles"].as_u64(), again["exported"].is_null()),
        (Some(0), true)
    );

    // The same bundle sent again, as after a lost answer: HQ says it has it.
    let bundle = std::fs::read_dir(store.db.with_file_name("outbox"))
        .expect("outbox")
        .flatten()
        .map(|e| e.path())
        .next()
        .expect("the bundle");
    let bytes = std::fs::read(&bundle).expect("bundle");
    let (status, body) = request(
        &server.addr(),
        "POST",
        "/v1/bundles",
        &[("x-storecheck-file", "b.zip")],
        &bytes,
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let v: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(v["added"], 0);
    assert_eq!(v["already_present"], store.sent_ids().len() as u64);
    assert_eq!(hq_ids(&hq), store.sent_ids(), "each audit once");

    drop(server);
}

#[test]
fn two_laptops_pushing_at_once_each_land_once() {
    let dir = tempfile::tempdir().expect("dir");
    let hq = dir.path().join("hq.db");
    let server = Server::start(&hq, &[]);
    let stores: Vec<Store> = ["a", "b", "c"]
        .iter()
        .map(|n| Store::new(dir.path(), n))
        .collect();
    std::thread::scope(|s| {
        for store in &stores {
            let url = server.url.clone();
            s.spawn(move || {
                let v = store.json(&["sync", "push", "--to", &url]);
                assert_eq!(v["bundles"], 1, "{v}");
            });
        }
    });
    let mut all: Vec<String> = stores.iter().flat_map(Store::sent_ids).collect();
    all.sort();
    assert_eq!(hq_ids(&hq), all);
    drop(server);
}

#[test]
fn what_the_server_refuses_says_why_with_its_status_and_hq_is_unchanged() {
    let dir = tempfile::tempdir().expect("dir");
    let hq = dir.path().join("hq.db");
    let server = Server::start(
        &hq,
        &["--max-body-mb", "1", "--timeout", "2", "--rate", "1"],
    );
    let store = Store::new(dir.path(), "a");
    store.json(&[
        "sync",
        "export",
        "--out",
        dir.path().join("stick").to_str().expect("path"),
    ]);
    let bundle = std::fs::read_dir(dir.path().join("stick"))
        .expect("stick")
        .flatten()
        .map(|e| e.path())
        .next()
        .expect("bundle");
    let good = std::fs::read(&bundle).expect("bundle");

    // Tampered: one byte of the audits' table changed.
    let mut bad = good.clone();
    let at = bad
        .windows(13)
        .position(|w| w == b"audits.ndjson")
        .expect("entry")
        + 200;
    bad[at] ^= 0x20;
    let (status, body) = request(
        &server.addr(),
        "POST",
        "/v1/bundles",
        &[
            ("x-storecheck-file", "tampered.zip"),
            ("accept-language", "ru"),
            ("x-storecheck-device", "t1"),
        ],
        &bad,
    );
    assert_eq!(status, 422);
    let why = error_message(&body);
    assert!(!why.is_empty(), "a reason");
    assert!(hq_ids(&hq).is_empty(), "nothing of it at HQ");

    // Larger than the server takes.
    let big = vec![b'x'; 2 << 20];
    let (status, body) = request(
        &server.addr(),
        "POST",
        "/v1/bundles",
        &[("x-storecheck-device", "t2")],
        &big,
    );
    assert_eq!(status, 413);
    assert!(
        error_message(&body).contains("larger than this server takes (1 MB)"),
        "{}",
        error_message(&body)
    );

    // An upload that stops half way and never ends: cut off, nothing written.
    let mut slow = TcpStream::connect(server.addr()).expect("connect");
    slow.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    slow.write_all(
        format!(
            "POST /v1/bundles HTTP/1.1\r\nHost: x\r\nConnection: close\r\nx-storecheck-device: t3\r\nContent-Length: {}\r\n\r\n",
            good.len()
        )
        .as_bytes(),
    )
    .expect("head");
    slow.write_all(&good[..good.len() / 2]).expect("half");
    let (status, _) = response(&mut slow);
    assert_eq!(status, 408, "a slow upload times out");
    assert!(hq_ids(&hq).is_empty());

    // An upload cut off half way (the connection closed): nothing written.
    let mut cut = TcpStream::connect(server.addr()).expect("connect");
    cut.write_all(
        format!(
            "POST /v1/bundles HTTP/1.1\r\nHost: x\r\nx-storecheck-device: t4\r\nContent-Length: {}\r\n\r\n",
            good.len()
        )
        .as_bytes(),
    )
    .expect("head");
    cut.write_all(&good[..good.len() / 3]).expect("a third");
    drop(cut);
    std::thread::sleep(Duration::from_millis(300));
    assert!(hq_ids(&hq).is_empty());

    // One device flooding is slowed down; another is not.
    let mut limited = 0;
    for _ in 0..12 {
        let (status, _) = request(
            &server.addr(),
            "POST",
            "/v1/bundles",
            &[("x-storecheck-device", "flood")],
            b"x",
        );
        if status == 429 {
            limited += 1;
        }
    }
    assert!(limited > 0, "a flood gets 429");
    let (status, body) = request(
        &server.addr(),
        "POST",
        "/v1/bundles",
        &[
            ("x-storecheck-device", "calm"),
            ("x-storecheck-file", "b.zip"),
        ],
        &good,
    );
    assert_eq!(
        status,
        200,
        "another device goes on: {}",
        String::from_utf8_lossy(&body)
    );
    assert_eq!(hq_ids(&hq), store.sent_ids());
    drop(server);
}

#[test]
fn a_server_killed_and_started_again_loses_nothing_acknowledged_and_takes_the_rest() {
    let dir = tempfile::tempdir().expect("dir");
    let hq = dir.path().join("hq.db");
    let stores: Vec<Store> = (0..4)
        .map(|i| Store::new(dir.path(), &format!("s{i}")))
        .collect();
    let mut server = Server::start(&hq, &[]);
    let url = server.url.clone();
    // Pushes under way when the server is killed: some answered, some not.
    std::thread::scope(|s| {
        for store in &stores {
            let url = url.clone();
            s.spawn(move || {
                let _ = store.run(&["sync", "push", "--to", &url], "en_US.UTF-8");
            });
        }
        std::thread::sleep(Duration::from_millis(150));
        let _ = server.child.kill();
    });
    let _ = server.child.wait();
    // Whatever HQ acknowledged is there; nothing is there twice.
    let held = hq_ids(&hq);
    let mut dedup = held.clone();
    dedup.dedup();
    assert_eq!(held, dedup);
    // Started again on the same port's database: the stores' next pushes bring the rest.
    let server = Server::start(&hq, &[]);
    for store in &stores {
        let v = store.json(&["sync", "push", "--to", &server.url]);
        assert!(v["refused"].as_array().is_some_and(Vec::is_empty), "{v}");
    }
    let mut all: Vec<String> = stores.iter().flat_map(Store::sent_ids).collect();
    all.sort();
    assert_eq!(hq_ids(&hq), all, "every audit once");
    // The server down: a laptop's push says so, and its bundle waits for the next one.
    let down = server.url.clone();
    drop(server);
    let late = Store::new(dir.path(), "late");
    let out = late.run(&["sync", "push", "--to", &down], "ru_RU.UTF-8");
    assert!(!out.status.success());
    assert!(text(&out).contains("недоступен"), "{}", text(&out));
    assert!(
        text(&out).contains("hint: пакеты ждут на этом компьютере"),
        "{}",
        text(&out)
    );
    let server = Server::start(&hq, &[]);
    let v = late.json(&["sync", "push", "--to", &server.url]);
    assert_eq!(
        (v["bundles"].as_u64(), v["exported"].is_null()),
        (Some(1), true),
        "the waiting bundle, no new one: {v}"
    );
    assert!(late.sent_ids().iter().all(|id| hq_ids(&hq).contains(id)));
}

#[test]
fn a_store_pulls_the_hq_package_from_the_server_once_it_is_newer() {
    let dir = tempfile::tempdir().expect("dir");
    let hq = dir.path().join("hq.db");
    let hq_arg = hq.to_str().expect("path");
    let server = Server::start(&hq, &[]);
    let store = Store::new(dir.path(), "a");
    let v = store.json(&["sync", "pull", "--from", &server.url]);
    assert_eq!(v["kind"], "no_package");
    let ca = json(&["--hq", hq_arg, "hq", "ca", "init", "--name", "Ромашка"]);
    let fingerprint = ca["ca"]["fingerprint"]
        .as_str()
        .expect("fingerprint")
        .to_string();
    json(&[
        "--hq",
        hq_arg,
        "hq",
        "package",
        "--out",
        dir.path().join("p1.zip").to_str().expect("path"),
    ]);
    // The first: only with the CA's fingerprint.
    let out = store.run(&["sync", "pull"], "en_US.UTF-8");
    assert!(!out.status.success());
    assert!(
        text(&out).contains("first package from HQ"),
        "{}",
        text(&out)
    );
    let v = store.json(&["sync", "pull", "--pin", &fingerprint]);
    assert_eq!(v["kind"], "installed");
    assert_eq!(v["sequence"], 1);
    let v = store.json(&["sync", "pull"]);
    assert_eq!(v["kind"], "up_to_date");
    json(&[
        "--hq",
        hq_arg,
        "hq",
        "package",
        "--out",
        dir.path().join("p2.zip").to_str().expect("path"),
    ]);
    let v = store.json(&["sync", "pull"]);
    assert_eq!(
        (v["kind"].as_str(), v["sequence"].as_u64()),
        (Some("installed"), Some(2))
    );
    drop(server);
}

#[test]
fn a_bundle_the_server_refuses_is_reported_with_its_reason_and_not_sent_again() {
    let dir = tempfile::tempdir().expect("dir");
    let hq = dir.path().join("hq.db");
    let server = Server::start(&hq, &[]);
    let store = Store::new(dir.path(), "a");
    // Written to a stick, then changed there: one byte of its audits' table.
    let stick = dir.path().join("stick");
    let file = store.json(&["sync", "export", "--out", stick.to_str().expect("path")])["file"]
        .as_str()
        .expect("file")
        .to_string();
    let mut bytes = std::fs::read(&file).expect("bundle");
    let at = bytes
        .windows(13)
        .position(|w| w == b"audits.ndjson")
        .expect("entry")
        + 200;
    bytes[at] ^= 0x20;
    std::fs::write(&file, &bytes).expect("write");

    let out = store.run(
        &["sync", "push", "--to", &server.url, "--json"],
        "en_US.UTF-8",
    );
    assert!(!out.status.success(), "a refusal exits non-zero");
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["bundles"], 1);
    assert_eq!(v["sent"], 0);
    let refused = v["refused"].as_array().expect("refused");
    assert_eq!(refused.len(), 1);
    assert!(
        file.ends_with(refused[0]["file"].as_str().expect("file")),
        "{v}"
    );
    assert!(
        !refused[0]["reason"].as_str().unwrap_or("").is_empty(),
        "{v}"
    );
    assert!(hq_ids(&hq).is_empty(), "nothing of it at HQ");
    // Not sent again: HQ would refuse it again.
    let again = store.json(&["sync", "push"]);
    assert_eq!(again["bundles"], 0, "{again}");
    drop(server);
}
