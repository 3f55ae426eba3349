//! Online sync as stores and HQ run it: `storecheck hq serve` on loopback, `sync push` and
//! `sync pull` from store laptops. Each audit reaches HQ exactly once whatever happens on the
//! way (the same bundle twice, an acknowledgement lost, two laptops at once, an upload cut
//! off, the server killed and started again); what is refused says why, with the status a
//! client acts on, and leaves HQ as it was. Over HTTPS (`hq serve --tls` on loopback) a store
//! trusts HQ's server by the chain's CA from the HQ package and nothing else.

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
    /// The chain's CA certificate, when it serves HTTPS.
    ca: Option<PathBuf>,
}

/// A connection to the server: TCP, or TLS over it.
trait Wire: Read + Write {}
impl<T: Read + Write> Wire for T {}

impl Server {
    fn start(hq: &Path, extra: &[&str]) -> Server {
        let stem = hq.file_stem().and_then(|s| s.to_str()).expect("name");
        let files = hq.with_file_name(format!("{stem}-files"));
        Server::start_at(hq.to_str().expect("path"), &files, extra)
    }

    /// A server on the HQ database at `hq` (a file or a postgres:// URL) keeping its files in
    /// `files`.
    fn start_at(hq: &str, files: &Path, extra: &[&str]) -> Server {
        let mut child = common::storecheck("en_US.UTF-8")
            .arg("--hq")
            .arg(hq)
            .arg("--hq-files")
            .arg(files)
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
        let url = v["url"].as_str().expect("url").to_string();
        let ca = url
            .starts_with("https://")
            .then(|| files.join("ca").join("ca-cert.pem"));
        Server { child, url, ca }
    }

    fn addr(&self) -> String {
        self.url
            .trim_start_matches("http://")
            .trim_start_matches("https://")
            .to_string()
    }

    /// A connection, over TLS trusting the chain's CA alone when the server speaks HTTPS.
    fn connect(&self, read_timeout: Duration) -> Box<dyn Wire> {
        let tcp = TcpStream::connect(self.addr()).expect("connect");
        tcp.set_read_timeout(Some(read_timeout)).expect("timeout");
        let Some(ca) = &self.ca else {
            return Box::new(tcp);
        };
        use rustls_pki_types::pem::PemObject as _;
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(rustls_pki_types::CertificateDer::from_pem_file(ca).expect("CA"))
            .expect("root");
        let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
        let name = rustls_pki_types::ServerName::try_from("127.0.0.1").expect("name");
        let conn =
            rustls::ClientConnection::new(std::sync::Arc::new(config), name).expect("client");
        Box::new(rustls::StreamOwned::new(conn, tcp))
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

/// One HTTP/1.1 request by hand (over TLS when the server speaks it): status and body.
fn request(
    server: &Server,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<u8>) {
    let mut s = server.connect(Duration::from_secs(30));
    let addr = server.addr();
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
    response(&mut *s)
}

fn response(s: &mut dyn Wire) -> (u16, Vec<u8>) {
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
        &server,
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
    refusals_say_why_and_leave_hq_unchanged(false);
}

#[test]
fn over_tls_the_server_refuses_the_same_with_the_same_limits() {
    refusals_say_why_and_leave_hq_unchanged(true);
}

fn refusals_say_why_and_leave_hq_unchanged(tls: bool) {
    let dir = tempfile::tempdir().expect("dir");
    let hq = dir.path().join("hq.db");
    let mut args = vec!["--max-body-mb", "1", "--timeout", "2", "--rate", "1"];
    if tls {
        json(&[
            "--hq",
            hq.to_str().expect("path"),
            "hq",
            "ca",
            "init",
            "--name",
            "Ромашка",
        ]);
        args.push("--tls");
    }
    let server = Server::start(&hq, &args);
    assert_eq!(server.url.starts_with("https://"), tls, "{}", server.url);
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
    if tls {
        // With the chain's CA, HQ takes bundles from enrolled devices only.
        let out = run(
            &[
                "--hq",
                hq.to_str().expect("path"),
                "hq",
                "import",
                bundle.to_str().expect("path"),
            ],
            "en_US.UTF-8",
        );
        assert!(
            text(&out).contains("is not enrolled at HQ"),
            "{}",
            text(&out)
        );
        enrol(&hq, &store);
    }

    // Tampered: one byte of the audits' table changed.
    let mut bad = good.clone();
    let at = bad
        .windows(13)
        .position(|w| w == b"audits.ndjson")
        .expect("entry")
        + 200;
    bad[at] ^= 0x20;
    let (status, body) = request(
        &server,
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

    // Larger than the server takes: refused by its declared length, before the body is sent
    // (a body sent on regardless meets a closed connection, which may reset before the answer
    // is read).
    let mut s = server.connect(Duration::from_secs(30));
    s.write_all(
        format!(
            "POST /v1/bundles HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nx-storecheck-device: t2\r\nContent-Length: {}\r\n\r\n",
            server.addr(),
            2 << 20
        )
        .as_bytes(),
    )
    .expect("head");
    let (status, body) = response(&mut *s);
    assert_eq!(status, 413);
    assert!(
        error_message(&body).contains("larger than this server takes (1 MB)"),
        "{}",
        error_message(&body)
    );

    // An upload that stops half way and never ends: cut off, nothing written.
    let mut slow = server.connect(Duration::from_secs(20));
    slow.write_all(
        format!(
            "POST /v1/bundles HTTP/1.1\r\nHost: x\r\nConnection: close\r\nx-storecheck-device: t3\r\nContent-Length: {}\r\n\r\n",
            good.len()
        )
        .as_bytes(),
    )
    .expect("head");
    slow.write_all(&good[..good.len() / 2]).expect("half");
    let (status, _) = response(&mut *slow);
    assert_eq!(status, 408, "a slow upload times out");
    assert!(hq_ids(&hq).is_empty());

    // An upload cut off half way (the connection closed): nothing written.
    let mut cut = server.connect(Duration::from_secs(20));
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
            &server,
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
        &server,
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

/// An HQ with the chain's CA named `chain`: its fingerprint.
fn hq_with_ca(hq: &Path, chain: &str) -> String {
    json(&[
        "--hq",
        hq.to_str().expect("path"),
        "hq",
        "ca",
        "init",
        "--name",
        chain,
    ])["ca"]["fingerprint"]
        .as_str()
        .expect("fingerprint")
        .to_string()
}

/// Enrols the store's device at HQ for MSK-01 by the fingerprint the store reads with `keys
/// show` (HQ knows the device from a bundle it refused).
fn enrol(hq: &Path, store: &Store) -> Value {
    let fingerprint = store.json(&["keys", "show"])["fingerprint"]
        .as_str()
        .expect("fingerprint")
        .to_string();
    json(&[
        "--hq",
        hq.to_str().expect("path"),
        "hq",
        "device",
        "enrol",
        &fingerprint,
        "--store",
        "MSK-01",
    ])
}

/// A push refused because HQ has not enrolled the store's device, then the device enrolled.
fn refused_then_enrolled(hq: &Path, store: &Store) {
    let out = store.run(&["sync", "push"], "en_US.UTF-8");
    assert!(
        text(&out).contains("is not enrolled at HQ"),
        "{}",
        text(&out)
    );
    enrol(hq, store);
}

/// `hq package` into `file`, with extra arguments.
fn hq_package(hq: &Path, file: &Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "--hq",
        hq.to_str().expect("path"),
        "hq",
        "package",
        "--out",
        file.to_str().expect("path"),
    ];
    args.extend_from_slice(extra);
    json(&args)
}

/// How many answers from HQ's server the store recorded.
fn answers(store: &Store) -> i64 {
    rusqlite::Connection::open(&store.db)
        .expect("store database")
        .query_row("SELECT count(*) FROM sync_push", [], |r| r.get(0))
        .expect("sync_push")
}

#[test]
fn over_tls_a_store_that_pinned_the_chains_ca_pushes_and_pulls_at_the_address_the_package_gives() {
    let dir = tempfile::tempdir().expect("dir");
    let hq = dir.path().join("hq.db");
    let fingerprint = hq_with_ca(&hq, "Ромашка");
    let server = Server::start(&hq, &["--tls"]);
    assert!(
        server.url.starts_with("https://127.0.0.1:"),
        "{}",
        server.url
    );
    let made = hq_package(
        &hq,
        &dir.path().join("p1.zip"),
        &["--server-url", &server.url],
    );
    assert_eq!(made["package"]["server_url"], server.url.as_str());

    // On a stick: installing it pins the CA and gives the store HQ's address.
    let store = Store::new(dir.path(), "a");
    let v = store.json(&[
        "sync",
        "receive",
        dir.path().join("p1.zip").to_str().expect("path"),
        "--pin",
        &fingerprint,
    ]);
    assert_eq!(v["server_url"], server.url.as_str(), "{v}");

    // No --to: the package's address, over HTTPS (refused until HQ enrols the device).
    refused_then_enrolled(&hq, &store);
    let pushed = store.json(&["sync", "push"]);
    assert_eq!(pushed["url"], server.url.as_str());
    assert_eq!(pushed["sent"], store.sent_ids().len() as u64, "{pushed}");
    assert_eq!(hq_ids(&hq), store.sent_ids(), "each audit at HQ once");

    // A newer package comes over HTTPS too.
    let v = store.json(&["sync", "pull"]);
    assert_eq!(v["kind"], "up_to_date");
    hq_package(&hq, &dir.path().join("p2.zip"), &[]);
    let v = store.json(&["sync", "pull"]);
    assert_eq!(
        (v["kind"].as_str(), v["sequence"].as_u64()),
        (Some("installed"), Some(2)),
        "{v}"
    );

    // A laptop with no package yet gets the first from the server itself, with the pin read
    // out by HQ: the CA the server presents must be the one of that fingerprint.
    let fresh = Store::new(dir.path(), "b");
    // The right one with its last digit changed.
    let last = if fingerprint.ends_with('0') { '1' } else { '0' };
    let wrong = format!("{}{last}", &fingerprint[..63]);
    let out = fresh.run(
        &["sync", "pull", "--from", &server.url, "--pin", &wrong],
        "en_US.UTF-8",
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("is not the chain's HQ server"),
        "{}",
        text(&out)
    );
    let v = fresh.json(&["sync", "pull", "--from", &server.url, "--pin", &fingerprint]);
    assert_eq!(
        (v["kind"].as_str(), v["sequence"].as_u64()),
        (Some("installed"), Some(2))
    );
    refused_then_enrolled(&hq, &fresh);
    let pushed = fresh.json(&["sync", "push"]);
    assert_eq!(pushed["sent"], fresh.sent_ids().len() as u64, "{pushed}");
    drop(server);
}

#[test]
fn over_tls_without_the_hq_package_nothing_is_sent_and_the_store_is_told_to_receive_it() {
    let dir = tempfile::tempdir().expect("dir");
    let hq = dir.path().join("hq.db");
    hq_with_ca(&hq, "Ромашка");
    let server = Server::start(&hq, &["--tls"]);
    let store = Store::new(dir.path(), "a");
    for (lang, says) in [
        ("en_US.UTF-8", "no HQ package yet"),
        ("ru_RU.UTF-8", "ещё нет пакета ЦО"),
    ] {
        let out = store.run(&["sync", "push", "--to", &server.url], lang);
        assert!(!out.status.success());
        assert!(text(&out).contains(says), "{}", text(&out));
        assert!(
            text(&out).contains("sync receive"),
            "it says how to receive the package: {}",
            text(&out)
        );
    }
    assert!(hq_ids(&hq).is_empty(), "nothing reached HQ");
    assert_eq!(answers(&store), 0, "no bundle was answered");
    drop(server);
}

#[test]
fn a_server_whose_certificate_another_chains_ca_issued_is_not_the_chains_hq_server() {
    let dir = tempfile::tempdir().expect("dir");
    let ours = dir.path().join("ours.db");
    let fingerprint = hq_with_ca(&ours, "Ромашка");
    hq_package(&ours, &dir.path().join("p1.zip"), &[]);
    let store = Store::new(dir.path(), "a");
    store.json(&[
        "sync",
        "receive",
        dir.path().join("p1.zip").to_str().expect("path"),
        "--pin",
        &fingerprint,
    ]);
    // Another HQ, with a CA of its own and the same name: its server is someone else's.
    let theirs = dir.path().join("theirs.db");
    hq_with_ca(&theirs, "Ромашка");
    let server = Server::start(&theirs, &["--tls"]);
    for (lang, says) in [
        ("en_US.UTF-8", "is not the chain's HQ server"),
        ("ru_RU.UTF-8", "не сервер ЦО этой сети"),
    ] {
        let out = store.run(&["sync", "push", "--to", &server.url], lang);
        assert!(!out.status.success());
        assert!(text(&out).contains(says), "{}", text(&out));
        assert!(
            !text(&out).to_lowercase().contains("rustls"),
            "said in the store's words: {}",
            text(&out)
        );
    }
    assert!(
        hq_ids(&theirs).is_empty(),
        "nothing reached the other server"
    );
    assert_eq!(answers(&store), 0);
    drop(server);
}

#[test]
fn plain_http_to_another_computer_is_refused_without_connecting() {
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::new(dir.path(), "a");
    let started = std::time::Instant::now();
    // 10.255.255.1 answers nothing: a connection attempt would wait for its timeout.
    let out = store.run(
        &["sync", "push", "--to", "http://10.255.255.1:1"],
        "en_US.UTF-8",
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("plain HTTP to another computer"),
        "{}",
        text(&out)
    );
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "refused before connecting ({:?})",
        started.elapsed()
    );
    let out = store.run(
        &["sync", "pull", "--from", "http://10.255.255.1:1"],
        "ru_RU.UTF-8",
    );
    assert!(
        text(&out).contains("обычный HTTP на другой компьютер"),
        "{}",
        text(&out)
    );
    assert_eq!(answers(&store), 0);
}

/// Runs `storecheck` for at most `secs` seconds (killed after): its output, or none when it
/// was still running.
fn run_at_most(args: &[&str], secs: u64) -> Option<Output> {
    let mut child = common::storecheck("en_US.UTF-8")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run storecheck");
    let until = std::time::Instant::now() + Duration::from_secs(secs);
    while std::time::Instant::now() < until {
        if child.try_wait().expect("wait").is_some() {
            return Some(child.wait_with_output().expect("output"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

#[test]
fn hq_serve_on_every_address_needs_the_name_stores_reach_it_by() {
    let dir = tempfile::tempdir().expect("dir");
    let hq = dir.path().join("hq.db");
    hq_with_ca(&hq, "Ромашка");
    let hq_arg = hq.to_str().expect("path");
    let out = run_at_most(
        &["--hq", hq_arg, "hq", "serve", "--listen", "0.0.0.0:0"],
        20,
    )
    .expect("refused at once, not served");
    assert!(!out.status.success());
    assert!(text(&out).contains("--name"), "{}", text(&out));
    assert!(
        text(&out).contains("listens on every address"),
        "{}",
        text(&out)
    );
    // With a name it serves HTTPS, under that name.
    let mut child = common::storecheck("en_US.UTF-8")
        .args([
            "--hq",
            hq_arg,
            "--json",
            "hq",
            "serve",
            "--listen",
            "0.0.0.0:0",
        ])
        .args(["--name", "hq.chain.example"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("line");
    let _ = child.kill();
    let _ = child.wait();
    let v: Value = serde_json::from_str(&line).expect("JSON");
    assert!(
        v["url"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://hq.chain.example:")),
        "{v}"
    );
    assert_eq!(v["certificate"]["names"][0], "hq.chain.example");
}

#[test]
fn a_tls_handshake_that_never_comes_is_cut_off_and_others_are_served_meanwhile() {
    let dir = tempfile::tempdir().expect("dir");
    let hq = dir.path().join("hq.db");
    hq_with_ca(&hq, "Ромашка");
    let server = Server::start(&hq, &["--tls"]);
    let mut silent = TcpStream::connect(server.addr()).expect("connect");
    silent
        .set_read_timeout(Some(Duration::from_secs(40)))
        .expect("timeout");
    let started = std::time::Instant::now();
    let (status, _) = request(&server, "GET", "/v1/health", &[], b"");
    assert_eq!(status, 200, "served while one connection says nothing");
    let mut buf = [0u8; 16];
    let read = silent.read(&mut buf);
    assert!(
        matches!(read, Ok(0)) || read.is_err() && started.elapsed() < Duration::from_secs(39),
        "the server closes it: {read:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "within the handshake timeout ({:?})",
        started.elapsed()
    );
}

#[test]
fn the_package_gives_the_store_hqs_address_unless_the_person_typed_one() {
    let dir = tempfile::tempdir().expect("dir");
    let hq = dir.path().join("hq.db");
    let fingerprint = hq_with_ca(&hq, "Ромашка");
    // Refused as stores would: plain HTTP to another computer.
    let hq_arg = hq.to_str().expect("path");
    let out = run(
        &[
            "--hq",
            hq_arg,
            "hq",
            "package",
            "--out",
            dir.path().join("p0.zip").to_str().expect("path"),
            "--server-url",
            "http://hq.chain.example:8750",
        ],
        "en_US.UTF-8",
    );
    assert!(!out.status.success(), "{}", text(&out));
    // Nothing listens there: a push tells where it tried.
    let given = "https://127.0.0.1:9";
    hq_package(&hq, &dir.path().join("p1.zip"), &["--server-url", given]);
    // Remembered: the next package gives it too.
    let made = hq_package(&hq, &dir.path().join("p2.zip"), &[]);
    assert_eq!(made["package"]["server_url"], given);

    let plain = Store::new(dir.path(), "a");
    let v = plain.json(&[
        "sync",
        "receive",
        dir.path().join("p2.zip").to_str().expect("path"),
        "--pin",
        &fingerprint,
    ]);
    assert_eq!(v["server_url"], given, "{v}");
    let out = plain.run(&["sync", "push"], "en_US.UTF-8");
    assert!(text(&out).contains(given), "{}", text(&out));

    // A store whose person typed an address keeps it.
    let typed = Store::new(dir.path(), "b");
    let out = typed.run(
        &["sync", "push", "--to", "http://127.0.0.1:7"],
        "en_US.UTF-8",
    );
    assert!(!out.status.success(), "nothing listens there");
    let v = typed.json(&[
        "sync",
        "receive",
        dir.path().join("p2.zip").to_str().expect("path"),
        "--pin",
        &fingerprint,
    ]);
    assert!(v["server_url"].is_null(), "{v}");
    let out = typed.run(&["sync", "push"], "en_US.UTF-8");
    assert!(text(&out).contains("http://127.0.0.1:7"), "{}", text(&out));
}

#[test]
fn a_server_certificate_hq_revoked_is_refused_once_the_store_has_the_package_that_says_so() {
    let dir = tempfile::tempdir().expect("dir");
    let hq = dir.path().join("hq.db");
    let hq_arg = hq.to_str().expect("path");
    let fingerprint = hq_with_ca(&hq, "Ромашка");
    let server = Server::start(&hq, &["--tls"]);
    hq_package(
        &hq,
        &dir.path().join("p1.zip"),
        &["--server-url", &server.url],
    );
    let store = Store::new(dir.path(), "a");
    store.json(&[
        "sync",
        "receive",
        dir.path().join("p1.zip").to_str().expect("path"),
        "--pin",
        &fingerprint,
    ]);
    refused_then_enrolled(&hq, &store);
    assert_eq!(store.json(&["sync", "push"])["bundles"], 1);

    // The server's key may have been copied: HQ revokes its certificate.
    let listed = json(&["--hq", hq_arg, "hq", "ca", "list"]);
    let serial = listed
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| {
            c["store"] == ""
                && c["auditor"]
                    .as_str()
                    .is_some_and(|a| a.contains("127.0.0.1"))
        })
        .and_then(|c| c["serial"].as_str())
        .expect("the server's certificate is listed")
        .to_string();
    json(&[
        "--hq", hq_arg, "hq", "ca", "revoke", &serial, "--reason", "key-lost",
    ]);
    let made = hq_package(&hq, &dir.path().join("p2.zip"), &[]);
    assert_eq!(
        made["package"]["certificates"], 1,
        "the store device's certificate only: neither an auditor's nor the server's"
    );
    store.json(&[
        "sync",
        "receive",
        dir.path().join("p2.zip").to_str().expect("path"),
    ]);
    let out = store.run(&["sync", "pull"], "en_US.UTF-8");
    assert!(!out.status.success());
    assert!(
        text(&out).contains("HQ revoked its certificate"),
        "{}",
        text(&out)
    );
    drop(server);

    // Started again, HQ's server gets a new certificate and the store trusts it.
    json(&["--hq", hq_arg, "hq", "ca", "server", "--name", "127.0.0.1"]);
    let server = Server::start(&hq, &["--tls"]);
    let v = store.json(&["sync", "pull", "--from", &server.url]);
    assert_eq!(v["kind"], "up_to_date", "{v}");
}

/// A new database on the test script's PostgreSQL server (scripts/with-postgres.sh), as an HQ
/// URL; `None` when the tests run without one. (The script names its server in the
/// environment.)
#[allow(clippy::disallowed_methods)]
fn postgres_hq(name: &str) -> Option<String> {
    let admin = std::env::var("STORECHECK_TEST_POSTGRES").ok()?;
    let bin = PathBuf::from(std::env::var("STORECHECK_TEST_POSTGRES_BIN").expect("its programs"));
    let db = format!("{name}_{}", std::process::id());
    let made = std::process::Command::new(bin.join("psql"))
        .args(["-q", &admin, "-c", &format!("CREATE DATABASE {db}")])
        .output()
        .expect("psql");
    assert!(made.status.success(), "{}", text(&made));
    let (base, _) = admin.rsplit_once('/').expect("a URL with a database");
    Some(format!("{base}/{db}"))
}

/// Stops or starts the test script's PostgreSQL server (`pg_ctl stop|start`), as the user
/// that owns its data.
#[allow(clippy::disallowed_methods)]
fn pg_ctl(action: &str) {
    let bin = PathBuf::from(std::env::var("STORECHECK_TEST_POSTGRES_BIN").expect("its programs"));
    let data = std::env::var("STORECHECK_TEST_POSTGRES_DATA").expect("its data");
    let pg_ctl = bin.join("pg_ctl");
    // The server's log beside its data, as the test script keeps it (the server must not hold
    // this test's pipes open).
    let log = Path::new(&data).with_file_name("server.log");
    let mut args: Vec<String> = vec!["-D".into(), data.clone(), "-w".into()];
    args.extend(match action {
        "stop" => vec!["-m".into(), "fast".into(), "stop".into()],
        _ => vec!["-l".into(), log.display().to_string(), "start".into()],
    });
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"));
    let mut command = if root {
        let mut c = std::process::Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(&pg_ctl);
        c
    } else {
        std::process::Command::new(&pg_ctl)
    };
    let status = command
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("pg_ctl");
    assert!(
        status.success(),
        "pg_ctl {action} failed: see {}",
        log.display()
    );
}

#[test]
fn two_servers_on_one_postgresql_take_every_audit_once_and_ride_out_its_restart() {
    let Some(url) = postgres_hq("hq_two_servers") else {
        eprintln!("skipped: no PostgreSQL (run under scripts/with-postgres.sh)");
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let files = dir.path().join("hq-files");
    let servers = [
        Server::start_at(&url, &files, &[]),
        Server::start_at(&url, &files, &["--connections", "2"]),
    ];
    let stores: Vec<Store> = (0..6)
        .map(|i| Store::new(dir.path(), &format!("store-{i}")))
        .collect();
    // Four laptops at once, two on each server, each pushing twice.
    std::thread::scope(|scope| {
        for (i, store) in stores[..4].iter().enumerate() {
            let to = servers[i % 2].url.clone();
            scope.spawn(move || {
                for _ in 0..2 {
                    let out = store.run(&["sync", "push", "--to", &to], "en_US.UTF-8");
                    assert!(out.status.success(), "{}", text(&out));
                }
            });
        }
    });
    let mut expected: Vec<String> = stores[..4].iter().flat_map(Store::sent_ids).collect();
    expected.sort();
    assert_eq!(hq_ids_at(&url, &files), expected, "every audit once");

    // PostgreSQL stops: the servers say HQ cannot take bundles now, the store keeps them.
    pg_ctl("stop");
    let out = stores[4].run(&["sync", "push", "--to", &servers[0].url], "ru_RU.UTF-8");
    let said = text(&out);
    assert!(!out.status.success(), "{said}");
    assert!(said.contains("база данных не отвечает"), "{said}");
    // It comes back: the same servers, not restarted, take the rest.
    pg_ctl("start");
    for (i, store) in stores[4..].iter().enumerate() {
        let out = store.run(
            &["sync", "push", "--to", &servers[i % 2].url],
            "en_US.UTF-8",
        );
        assert!(out.status.success(), "{}", text(&out));
    }
    let mut expected: Vec<String> = stores.iter().flat_map(Store::sent_ids).collect();
    expected.sort();
    assert_eq!(hq_ids_at(&url, &files), expected, "every audit once");
}

#[test]
fn servers_on_two_computers_share_nothing_but_the_postgresql_database() {
    // Each "computer" has its own folder (--hq-files): the analyst's, and two servers'. HQ's
    // CA, its package, the servers' certificate, the photos and the signed PDFs are all in the
    // database, so a server hands out a package made on another computer, presents the
    // certificate another issued, and takes bundles from devices enrolled elsewhere.
    let Some(url) = postgres_hq("hq_shared_nothing") else {
        eprintln!("skipped: no PostgreSQL (run under scripts/with-postgres.sh)");
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let folder = |computer: &str| dir.path().join(computer);
    let at = |computer: &str, args: &[&str]| -> Value {
        let files = folder(computer);
        let mut all = vec!["--hq", &url, "--hq-files", files.to_str().expect("path")];
        all.extend_from_slice(args);
        json(&all)
    };
    let fingerprint =
        at("analyst", &["hq", "ca", "init", "--name", "Ромашка"])["ca"]["fingerprint"]
            .as_str()
            .expect("fingerprint")
            .to_string();
    let a = Server::start_at(&url, &folder("server-a"), &["--tls"]);
    let b = Server::start_at(&url, &folder("server-b"), &["--tls", "--connections", "2"]);
    let servers = at("analyst", &["hq", "ca", "list"])
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["kind"] == "server" && c["revoked_at"].is_null())
        .count();
    assert_eq!(servers, 1, "one certificate, the first server's, for both");
    let p1 = dir.path().join("p1.zip");
    at(
        "analyst",
        &[
            "hq",
            "package",
            "--out",
            p1.to_str().expect("path"),
            "--server-url",
            &a.url,
        ],
    );
    let enrol = |store: &Store| {
        let device = store.json(&["keys", "show"])["fingerprint"]
            .as_str()
            .expect("fingerprint")
            .to_string();
        at(
            "analyst",
            &["hq", "device", "enrol", &device, "--store", "MSK-01"],
        );
    };
    let push = |store: &Store, to: &str| {
        let out = store.run(&["sync", "push", "--to", to], "en_US.UTF-8");
        assert!(
            text(&out).contains("is not enrolled at HQ"),
            "{}",
            text(&out)
        );
        enrol(store);
        let pushed = store.json(&["sync", "push", "--to", to]);
        assert_eq!(pushed["sent"], store.sent_ids().len() as u64, "{pushed}");
    };

    // A store with the package on a stick pushes to the first server.
    let one = Store::new(dir.path(), "one");
    one.json(&[
        "sync",
        "receive",
        p1.to_str().expect("path"),
        "--pin",
        &fingerprint,
    ]);
    push(&one, &a.url);
    // Another gets that package from the second server, and pushes there.
    let two = Store::new(dir.path(), "two");
    let v = two.json(&["sync", "pull", "--from", &b.url, "--pin", &fingerprint]);
    assert_eq!(
        (v["kind"].as_str(), v["sequence"].as_u64()),
        (Some("installed"), Some(1)),
        "{v}"
    );
    push(&two, &b.url);

    let mut expected: Vec<String> = [&one, &two].iter().flat_map(|s| s.sent_ids()).collect();
    expected.sort();
    assert_eq!(
        hq_ids_at(&url, &folder("analyst")),
        expected,
        "every audit once"
    );
    let reports = psql(
        &url,
        "SELECT count(*) FROM hq_file WHERE name LIKE 'reports/%'",
    );
    assert_eq!(reports, "2", "both stores' signed PDFs, in the database");
    for computer in ["analyst", "server-a", "server-b"] {
        let mut kept = Vec::new();
        let mut stack = vec![folder(computer)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                if e.path().is_dir() {
                    stack.push(e.path());
                } else {
                    kept.push(e.path());
                }
            }
        }
        assert_eq!(
            kept,
            Vec::<PathBuf>::new(),
            "{computer} keeps no file of HQ's"
        );
    }
    drop((a, b));
}

/// What `psql` prints for `sql` on the database at `url`, trimmed.
#[allow(clippy::disallowed_methods)]
fn psql(url: &str, sql: &str) -> String {
    let bin = PathBuf::from(std::env::var("STORECHECK_TEST_POSTGRES_BIN").expect("its programs"));
    let out = std::process::Command::new(bin.join("psql"))
        .args(["-tAq", url, "-c", sql])
        .output()
        .expect("psql");
    assert!(out.status.success(), "{}", text(&out));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The audits the HQ database at `hq` (a file or a URL) holds, sorted.
fn hq_ids_at(hq: &str, files: &Path) -> Vec<String> {
    let files = files.to_str().expect("path");
    let mut ids: Vec<String> = json(&["--hq", hq, "--hq-files", files, "hq", "audits"])
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["id"].as_str().map(str::to_string))
        .collect();
    ids.sort();
    ids
}

#[test]
fn an_hq_database_on_a_postgresql_that_does_not_answer_says_where_and_what_to_do() {
    // Port 1 on this computer: nothing listens there. The password is never shown.
    let url = "postgres://hq:secret@127.0.0.1:1/chain";
    for (lang, said, hint) in [
        (
            "ru_RU.UTF-8",
            "не удалось подключиться к базе ЦО",
            "проверьте, что PostgreSQL там запущен",
        ),
        (
            "en_US.UTF-8",
            "could not connect to the HQ database",
            "check that PostgreSQL is running there",
        ),
    ] {
        let out = run(&["--hq", url, "hq", "audits"], lang);
        let all = text(&out);
        assert!(!out.status.success(), "{all}");
        assert!(all.contains(said), "{all}");
        assert!(all.contains("postgres://hq@127.0.0.1:1/chain"), "{all}");
        assert!(all.contains(hint), "{all}");
        assert!(!all.contains("secret"), "{all}");
    }
}

#[test]
fn a_device_hq_did_not_enrol_is_refused_until_hq_enrols_it_and_a_revoked_one_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let hq = dir.path().join("hq.db");
    let hq_arg = hq.to_str().expect("path");
    hq_with_ca(&hq, "Ромашка");
    let server = Server::start(&hq, &[]);
    let store = Store::new(dir.path(), "a");
    let me = store.json(&["keys", "show"]);
    let fingerprint = me["fingerprint"].as_str().expect("fingerprint").to_string();
    let shown = me["fingerprint_shown"].as_str().expect("shown").to_string();
    assert_eq!(
        shown.split(' ').count(),
        16,
        "read in groups of four: {shown}"
    );

    // Not enrolled: refused with the reason, exit 1, nothing at HQ.
    let out = store.run(
        &["sync", "push", "--to", &server.url, "--json"],
        "en_US.UTF-8",
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let reason = v["refused"][0]["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains(&format!("({shown}) is not enrolled at HQ")),
        "{v}"
    );
    assert!(
        v["refused"][0]["hint"]
            .as_str()
            .unwrap_or_default()
            .contains(&format!(
                "storecheck hq device enrol {fingerprint} --store MSK-01"
            )),
        "{v}"
    );
    assert!(hq_ids(&hq).is_empty(), "nothing of it at HQ");
    // The server answers 422 with the reason.
    let outbox = store.db.with_file_name("outbox");
    let bundle = std::fs::read_dir(&outbox)
        .expect("outbox")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "zip"))
        .expect("the bundle waits in the outbox");
    let bytes = std::fs::read(&bundle).expect("bundle");
    let (status, body) = request(
        &server,
        "POST",
        "/v1/bundles",
        &[
            ("x-storecheck-file", "b.zip"),
            ("x-storecheck-device", "d1"),
        ],
        &bytes,
    );
    assert_eq!(status, 422);
    assert!(
        String::from_utf8_lossy(&body).contains("is not enrolled at HQ"),
        "{}",
        String::from_utf8_lossy(&body)
    );

    // HQ sees who is waiting, with the fingerprint the store read out.
    let pending = json(&["--hq", hq_arg, "hq", "device", "list", "--pending"]);
    let waiting = &pending[0];
    assert_eq!(waiting["fingerprint_shown"], shown.as_str(), "{pending}");
    assert_eq!(waiting["state"], "waiting");
    assert_eq!(waiting["stores_named"][0], "MSK-01");

    // Enrolled: the same bundle goes now, and nothing is waiting.
    let enrolled = enrol(&hq, &store);
    assert_eq!(enrolled["issued"], true);
    let pushed = store.json(&["sync", "push"]);
    assert_eq!(pushed["sent"], store.sent_ids().len() as u64, "{pushed}");
    assert_eq!(hq_ids(&hq), store.sent_ids(), "each audit at HQ once");
    let pending = json(&["--hq", hq_arg, "hq", "device", "list", "--pending"]);
    assert_eq!(pending.as_array().map(Vec::len), Some(0), "{pending}");

    // Revoked: what it sends next is refused with the revocation, what it sent stays.
    let serial = enrolled["serial"].as_str().expect("serial");
    json(&[
        "--hq", hq_arg, "hq", "ca", "revoke", serial, "--reason", "key-lost",
    ]);
    let stick = dir.path().join("stick");
    store.json(&[
        "sync",
        "export",
        "--all",
        "--out",
        stick.to_str().expect("path"),
    ]);
    let out = store.run(&["sync", "push"], "en_US.UTF-8");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("was revoked on"), "{}", text(&out));
    let again = std::fs::read_dir(&stick)
        .expect("stick")
        .flatten()
        .map(|e| e.path())
        .next()
        .expect("bundle");
    let (status, body) = request(
        &server,
        "POST",
        "/v1/bundles",
        &[
            ("x-storecheck-file", "again.zip"),
            ("x-storecheck-device", "d2"),
        ],
        &std::fs::read(&again).expect("bundle"),
    );
    assert_eq!(status, 422);
    assert!(
        String::from_utf8_lossy(&body).contains("was revoked on"),
        "{}",
        String::from_utf8_lossy(&body)
    );
    assert_eq!(hq_ids(&hq), store.sent_ids(), "what it sent before stays");
    drop(server);
}
