//! The chain's certificate authority and the HQ package end to end, as HQ and a store run
//! them: `hq ca init`, `keys request`, `hq ca issue`, `hq package`, `sync receive` (the first
//! pins the CA), a report signed after it verifies as issued by the chain; revoked, another
//! chain's package, an older package replayed, a tampered one, requests and files that are not
//! what they should be: each refused or reported with its reason, and nothing written.

mod common;
use common::text;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Output;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::Value;

const CHAIN: &str = "Ромашка";

struct Cli {
    dir: tempfile::TempDir,
}

impl Cli {
    fn new() -> Cli {
        Cli {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run_in(&self, args: &[&str], lang: &str) -> Output {
        self.run_with("store.db", "hq.db", args, lang)
    }

    fn run_with(&self, db: &str, hq: &str, args: &[&str], lang: &str) -> Output {
        common::storecheck(lang)
            .arg("--db")
            .arg(self.path(db))
            .arg("--hq")
            .arg(self.path(hq))
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .expect("run storecheck")
    }

    fn json(&self, args: &[&str]) -> Value {
        self.json_with("store.db", "hq.db", args)
    }

    fn json_with(&self, db: &str, hq: &str, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.run_with(db, hq, &all, "en_US.UTF-8");
        assert!(
            out.status.success(),
            "storecheck {args:?} failed:\n{}",
            text(&out)
        );
        serde_json::from_slice(&out.stdout).expect("one JSON document")
    }

    /// What a refused command must leave as it was at the store: its standards, stores,
    /// installed packages, and every file of its keys folder.
    fn store_state(&self) -> (Value, Value, BTreeMap<String, Vec<u8>>) {
        let mut keys = BTreeMap::new();
        let root = self.path("keys");
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let name = p.strip_prefix(&root).expect("under").display().to_string();
                    keys.insert(name, std::fs::read(&p).expect("read"));
                }
            }
        }
        (
            self.json(&["standard", "list"]),
            self.json(&["store", "list"]),
            keys,
        )
    }

    /// HQ with its CA and a store directory; the store with the demo and Анна's certificate
    /// request, issued at HQ. Returns the CA's fingerprint.
    fn chain(&self) -> String {
        let ca = self.json(&["hq", "ca", "init", "--name", CHAIN, "--out", "CA.pem"]);
        assert_eq!(ca["ca"]["created"], true);
        self.json(&[
            "hq",
            "store",
            "add",
            "MSK-01",
            "Тверская, 12",
            "--region",
            "Москва",
        ]);
        self.json(&[
            "hq",
            "store",
            "add",
            "EKB-07",
            "Ленина, 5",
            "--region",
            "Урал",
        ]);
        let std = self.json(&[
            "hq",
            "standard",
            "import",
            &root()
                .join("fixtures/standards/sample.json")
                .display()
                .to_string(),
        ]);
        assert_eq!(std["created"], true);
        self.json(&["demo"]);
        let req = self.json(&[
            "keys",
            "request",
            "--signer",
            "Анна Смирнова",
            "--store",
            "MSK-01",
            "--out",
            "anna.req",
        ]);
        assert_eq!(req["store"], "MSK-01");
        let issued = self.json(&["hq", "ca", "issue", "anna.req", "--out", "anna.pem"]);
        assert_eq!(issued["certificate"]["auditor"], "Анна Смирнова");
        assert_eq!(issued["certificate"]["store"], "MSK-01");
        ca["ca"]["fingerprint"]
            .as_str()
            .expect("fingerprint")
            .to_string()
    }

    fn completed_audit(&self) -> String {
        self.json(&["audit", "list"])
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| a["status"] == "completed")
            .and_then(|a| a["id"].as_str())
            .expect("completed audit")
            .to_string()
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A package's entries: name and bytes, in archive order.
type Files = Vec<(String, Vec<u8>)>;

fn entries(zip: &Path) -> Files {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).expect("open")).expect("zip");
    (0..archive.len())
        .map(|i| {
            let mut e = archive.by_index(i).expect("entry");
            let mut bytes = Vec::new();
            e.read_to_end(&mut bytes).expect("read");
            (e.name().expect("name").to_string(), bytes)
        })
        .collect()
}

fn write_zip(path: &Path, entries: &[(String, Vec<u8>)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).expect("create"));
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .expect("start");
        zip.write_all(bytes).expect("write");
    }
    zip.finish().expect("finish");
}

#[test]
fn a_store_that_receives_the_hq_package_signs_reports_that_verify_as_issued_by_the_chain() {
    let cli = Cli::new();
    let fingerprint = cli.chain();
    cli.json(&["hq", "package", "--out", "p1.zip"]);

    // The first package: refused until its CA is confirmed by fingerprint, naming it.
    let before = cli.store_state();
    let out = cli.run_in(&["sync", "receive", "p1.zip"], "ru_RU.UTF-8");
    assert!(!out.status.success());
    let said = text(&out);
    assert!(said.contains("p1.zip не установлен"), "{said}");
    assert!(said.contains("первый пакет"), "{said}");
    assert!(said.contains(&fingerprint[..4].to_uppercase()), "{said}");
    assert!(said.contains(&format!("--pin {fingerprint}")), "{said}");
    assert_eq!(cli.store_state(), before, "nothing installed");
    // A wrong fingerprint: refused too.
    let out = cli.run_in(
        &["sync", "receive", "p1.zip", "--pin", &"0".repeat(64)],
        "en_US.UTF-8",
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("not the one of the CA «Ромашка»"),
        "{}",
        text(&out)
    );
    assert_eq!(cli.store_state(), before);

    // Confirmed as people read it (groups of four, upper case).
    let shown = storecheck_core::hq_package::fingerprint_shown(&fingerprint);
    let got = cli.json(&["sync", "receive", "p1.zip", "--pin", &shown]);
    assert_eq!(got["pinned"], true);
    assert_eq!(got["sequence"], 1);
    assert_eq!(got["chain"], CHAIN);
    assert_eq!(got["standards_added"].as_array().map(Vec::len), Some(1));
    assert_eq!(got["stores_added"], 1, "EKB-07 is new here: {got}");
    assert_eq!(
        got["stores_changed"], 0,
        "MSK-01 has the same name and region"
    );
    let certs = got["certificates"].as_array().expect("certificates");
    assert_eq!(certs.len(), 1);
    assert_eq!(certs[0]["auditor"], "Анна Смирнова");
    // HQ's standard, with HQ's ids.
    let standards = cli.json(&["standard", "list"]);
    assert!(
        standards.to_string().contains("SAMPLE") || standards.to_string().contains("sample"),
        "{standards}"
    );
    let stores = cli.json(&["store", "list"]);
    assert!(stores.to_string().contains("EKB-07"), "{stores}");

    // The same package again: nothing changes.
    let again = cli.json(&["sync", "receive", "p1.zip"]);
    assert_eq!(again["already"], true);
    assert_eq!(again["certificates"].as_array().map(Vec::len), Some(0));

    // A report signed now carries the chain and verifies as issued by it.
    let id = cli.completed_audit();
    cli.json(&[
        "audit",
        "sign",
        &id,
        "--signer",
        "Анна Смирнова",
        "--out",
        "r1.pdf",
    ]);
    let out = cli.run_in(&["verify", "r1.pdf", "--trust", "CA.pem"], "en_US.UTF-8");
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains(&format!(
            "by Анна Смирнова (certificate issued by {CHAIN}, which is trusted here)"
        )),
        "{}",
        text(&out)
    );
    let v = cli.json(&["verify", "r1.pdf", "--trust", "CA.pem"]);
    assert_eq!(v["trusted"], true);
    assert_eq!(v["signer"], "Анна Смирнова");
    // Without --trust: intact, the signer unconfirmed.
    let v = cli.json(&["verify", "r1.pdf"]);
    assert_eq!(v["valid"], true);
    assert_eq!(v["trusted"], Value::Null);

    // The package HQ makes next is number 2; the first, replayed, is refused as older.
    cli.json(&["hq", "package", "--out", "p2.zip"]);
    let got = cli.json(&["sync", "receive", "p2.zip"]);
    assert_eq!(got["sequence"], 2);
    assert_eq!(got["pinned"], false);
    let before = cli.store_state();
    let out = cli.run_in(&["sync", "receive", "p1.zip"], "en_US.UTF-8");
    assert!(!out.status.success());
    assert!(
        text(&out).contains("package 1, older than package 2"),
        "{}",
        text(&out)
    );
    assert_eq!(cli.store_state(), before);
}

#[test]
fn a_revoked_certificate_signs_no_trusted_report_after_its_revocation() {
    let cli = Cli::new();
    let fingerprint = cli.chain();
    cli.json(&["hq", "package", "--out", "p1.zip"]);
    cli.json(&["sync", "receive", "p1.zip", "--pin", &fingerprint]);
    let id = cli.completed_audit();
    cli.json(&[
        "audit",
        "sign",
        &id,
        "--signer",
        "Анна Смирнова",
        "--out",
        "before.pdf",
    ]);

    // Revoked by its file; the next second so that the report above is before it.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let revoked = cli.json(&["hq", "ca", "revoke", "anna.pem", "--reason", "key-lost"]);
    assert_eq!(revoked["revoke_reason"], "key-lost");
    let list = cli.json(&["hq", "ca", "list"]);
    assert!(list[0]["revoked_at"].is_string(), "{list}");
    cli.json(&["hq", "ca", "init", "--out", "CA2.pem"]);

    // Signed before the revocation: still trusted, and says when it was revoked.
    let v = cli.json(&["verify", "before.pdf", "--trust", "CA2.pem"]);
    assert_eq!(v["trusted"], true, "{v}");
    assert!(
        v["identity"].as_str().unwrap_or("").contains("revoked on"),
        "{v}"
    );

    // Signed after: the signature is intact, but not trusted, and says why.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let revision = cli.json(&["audit", "revise", &id, "--reason", "опечатка"]);
    let new_id = revision["id"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| {
            revision["audit"]["id"]
                .as_str()
                .expect("revision id")
                .to_string()
        });
    cli.json(&["audit", "complete", &new_id]);
    cli.json(&[
        "audit",
        "sign",
        &new_id,
        "--signer",
        "Анна Смирнова",
        "--out",
        "after.pdf",
    ]);
    let out = cli.run_in(
        &["verify", "after.pdf", "--trust", "CA2.pem"],
        "ru_RU.UTF-8",
    );
    assert!(!out.status.success());
    let said = text(&out);
    assert!(said.contains("отозван"), "{said}");
    assert!(said.contains("ключ утерян"), "{said}");
    assert!(said.contains("не подтверждает подписавшего"), "{said}");
    let out = cli.run_in(
        &["verify", "after.pdf", "--trust", "CA2.pem", "--json"],
        "en_US.UTF-8",
    );
    assert!(!out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["valid"], true);
    assert_eq!(v["trusted"], false);

    // The next package does not carry the revoked certificate; its list names it.
    let made = cli.json(&["hq", "package", "--out", "p2.zip"]);
    assert_eq!(made["package"]["certificates"], 0);
    assert_eq!(made["package"]["revoked"], 1);
}

#[test]
fn another_chains_package_or_a_tampered_one_is_refused_whole_with_the_reason() {
    let cli = Cli::new();
    let fingerprint = cli.chain();
    cli.json(&["hq", "package", "--out", "p1.zip"]);
    cli.json(&["sync", "receive", "p1.zip", "--pin", &fingerprint]);
    cli.json(&["hq", "package", "--out", "p2.zip"]);

    // Another chain's HQ, with its own CA: its package is refused, whatever its number.
    cli.json_with(
        "store.db",
        "other.db",
        &["hq", "ca", "init", "--name", "Чужая сеть"],
    );
    for _ in 0..3 {
        cli.json_with(
            "store.db",
            "other.db",
            &["hq", "package", "--out", "other.zip"],
        );
    }
    let before = cli.store_state();
    let out = cli.run_in(&["sync", "receive", "other.zip"], "en_US.UTF-8");
    assert!(!out.status.success());
    let said = text(&out);
    assert!(said.contains("signed by the CA «Чужая сеть»"), "{said}");
    assert!(said.contains("not by «Ромашка»"), "{said}");
    assert_eq!(cli.store_state(), before);

    // Tampered: one changed entry, the signed list unchanged; the list itself changed; the
    // signature taken from another package; an entry added; the file cut short; not a ZIP.
    let good = entries(&cli.path("p2.zip"));
    let other = entries(&cli.path("other.zip"));
    let mut cases: Vec<(&str, Files, &str)> = Vec::new();
    let mut stores = good.clone();
    for (name, bytes) in &mut stores {
        if name == "stores.ndjson" {
            *bytes = String::from_utf8(bytes.clone())
                .expect("utf-8")
                .replace("Ленина, 5", "Ленина, 6")
                .into_bytes();
        }
    }
    cases.push((
        "stores",
        stores,
        "«stores.ndjson» was changed after HQ signed the package",
    ));
    let mut manifest = good.clone();
    for (name, bytes) in &mut manifest {
        if name == "package.json" {
            *bytes = String::from_utf8(bytes.clone())
                .expect("utf-8")
                .replace("\"sequence\": 2", "\"sequence\": 9")
                .into_bytes();
        }
    }
    cases.push(("manifest", manifest, "its signature is not its CA's"));
    let mut foreign_sig = good.clone();
    for (name, bytes) in &mut foreign_sig {
        if name == "package.sig" {
            *bytes = other
                .iter()
                .find(|(n, _)| n == "package.sig")
                .expect("sig")
                .1
                .clone();
        }
    }
    cases.push(("signature", foreign_sig, "its signature is not its CA's"));
    let mut foreign_ca = good.clone();
    for (name, bytes) in &mut foreign_ca {
        if name == "ca.pem" {
            *bytes = other
                .iter()
                .find(|(n, _)| n == "ca.pem")
                .expect("ca")
                .1
                .clone();
        }
    }
    cases.push(("ca", foreign_ca, "its signature is not its CA's"));
    let mut added = good.clone();
    added.push(("../../evil.sh".into(), b"rm -rf /".to_vec()));
    cases.push((
        "added",
        added,
        "«../../evil.sh», which an HQ package does not hold",
    ));
    for (label, files, expected) in cases {
        let path = cli.path(&format!("tampered-{label}.zip"));
        write_zip(&path, &files);
        let out = cli.run_in(
            &["sync", "receive", path.to_str().expect("path")],
            "en_US.UTF-8",
        );
        assert!(!out.status.success(), "{label} was installed");
        assert!(text(&out).contains(expected), "{label}: {}", text(&out));
        assert!(
            text(&out).contains("was not installed"),
            "{label}: {}",
            text(&out)
        );
        assert_eq!(cli.store_state(), before, "{label} wrote something");
    }
    let bytes = std::fs::read(cli.path("p2.zip")).expect("read");
    std::fs::write(cli.path("cut.zip"), &bytes[..bytes.len() / 2]).expect("write");
    std::fs::write(cli.path("notes.txt"), "not a package").expect("write");
    for name in ["cut.zip", "notes.txt"] {
        let out = cli.run_in(&["sync", "receive", name], "ru_RU.UTF-8");
        assert!(!out.status.success());
        let said = text(&out);
        assert!(
            said.contains(&format!(
                "{name} не установлен: это не пакет ЦО или он повреждён"
            )),
            "{said}"
        );
        assert!(said.contains("hint:"), "{said}");
        assert_eq!(cli.store_state(), before);
    }
    // The genuine one still installs.
    let got = cli.json(&["sync", "receive", "p2.zip"]);
    assert_eq!(got["sequence"], 2);
}

#[test]
fn requests_and_certificates_that_are_not_what_they_should_be_are_refused_and_write_nothing() {
    let cli = Cli::new();
    // No CA yet: issuing says how to make one.
    std::fs::write(cli.path("garbage.req"), "not a request").expect("write");
    let out = cli.run_in(
        &["hq", "ca", "issue", "garbage.req", "--out", "x.pem"],
        "en_US.UTF-8",
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("not made yet"), "{}", text(&out));
    assert!(
        text(&out).contains("hint: make it with `storecheck hq ca init --name"),
        "{}",
        text(&out)
    );
    assert!(!cli.path("x.pem").exists());
    let out = cli.run_in(&["hq", "package", "--out", "p.zip"], "ru_RU.UTF-8");
    assert!(!out.status.success());
    assert!(
        text(&out).contains("УЦ) сети ещё не создан"),
        "{}",
        text(&out)
    );
    assert!(!cli.path("p.zip").exists());

    cli.chain();
    // Made once: another name is refused, naming the one there.
    let out = cli.run_in(&["hq", "ca", "init", "--name", "Другая"], "en_US.UTF-8");
    assert!(!out.status.success());
    assert!(
        text(&out).contains("exists already, named «Ромашка»"),
        "{}",
        text(&out)
    );

    // A request that is not one, or was changed after the auditor's key signed it.
    let out = cli.run_in(
        &["hq", "ca", "issue", "garbage.req", "--out", "x.pem"],
        "ru_RU.UTF-8",
    );
    assert!(!out.status.success());
    let said = text(&out);
    assert!(
        said.contains("garbage.req нельзя использовать: это не запрос сертификата"),
        "{said}"
    );
    assert!(said.contains("storecheck keys request"), "{said}");
    let pem = std::fs::read_to_string(cli.path("anna.req")).expect("request");
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let mut der = BASE64.decode(body).expect("base64");
    let at = der
        .windows(6)
        .position(|w| w == b"MSK-01")
        .expect("store in the request");
    der[at + 5] = b'2';
    std::fs::write(
        cli.path("changed.req"),
        format!(
            "-----BEGIN CERTIFICATE REQUEST-----\n{}\n-----END CERTIFICATE REQUEST-----\n",
            BASE64
                .encode(&der)
                .as_bytes()
                .chunks(64)
                .map(|c| std::str::from_utf8(c).expect("ascii"))
                .collect::<Vec<_>>()
                .join("\n")
        ),
    )
    .expect("write");
    let listed = cli.json(&["hq", "ca", "list"]);
    let out = cli.run_in(
        &["hq", "ca", "issue", "changed.req", "--out", "x.pem"],
        "en_US.UTF-8",
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("changed.req cannot be used: its signature is not by the key"),
        "{}",
        text(&out)
    );
    assert!(!cli.path("x.pem").exists());
    assert_eq!(cli.json(&["hq", "ca", "list"]), listed, "nothing issued");

    // Revoking what HQ never issued.
    let out = cli.run_in(&["hq", "ca", "revoke", "abcdef12"], "en_US.UTF-8");
    assert!(!out.status.success());
    assert!(
        text(&out).contains("HQ issued no certificate «abcdef12»"),
        "{}",
        text(&out)
    );
    let out = cli.run_in(&["hq", "ca", "revoke", "CA.pem"], "en_US.UTF-8");
    assert!(
        !out.status.success(),
        "the CA's own certificate is not one HQ issued"
    );
    assert_eq!(cli.json(&["hq", "ca", "list"]), listed);

    // A request without a signer, or for a store this database does not have.
    let out = cli.run_in(
        &["keys", "request", "--signer", " ", "--out", "r.req"],
        "en_US.UTF-8",
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("--signer"), "{}", text(&out));
    let out = cli.run_in(
        &[
            "keys",
            "request",
            "--signer",
            "Анна Смирнова",
            "--out",
            "r.req",
        ],
        "en_US.UTF-8",
    );
    assert!(!out.status.success(), "two stores: which one?");
    assert!(text(&out).contains("--store"), "{}", text(&out));
    let out = cli.run_in(
        &[
            "keys",
            "request",
            "--signer",
            "Анна Смирнова",
            "--store",
            "NOPE",
            "--out",
            "r.req",
        ],
        "en_US.UTF-8",
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("NOPE"), "{}", text(&out));
    assert!(!cli.path("r.req").exists());
    // A trusted file that is not a certificate.
    std::fs::write(
        cli.path("notes.pem"),
        "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n",
    )
    .expect("write");
    let id = cli.completed_audit();
    cli.json(&[
        "audit",
        "sign",
        &id,
        "--signer",
        "Анна Смирнова",
        "--out",
        "r.pdf",
    ]);
    let out = cli.run_in(&["verify", "r.pdf", "--trust", "notes.pem"], "en_US.UTF-8");
    assert!(!out.status.success());
    assert!(
        text(&out).contains("notes.pem is not a certificate"),
        "{}",
        text(&out)
    );
}
