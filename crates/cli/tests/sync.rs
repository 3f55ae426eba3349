//! `storecheck sync export` and `storecheck hq import|audits|gaps` as a user runs them: the JSON
//! PRODUCT.md §9 and the issue give, messages in the locale's language, refusals that say what
//! and where and exit non-zero.

mod common;
use common::text;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

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
        common::storecheck(lang)
            .arg("--db")
            .arg(self.path("store.db"))
            .arg("--hq")
            .arg(self.path("hq.db"))
            .args(args)
            .output()
            .expect("run storecheck")
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.run_in(&all, "en_US.UTF-8");
        assert!(
            out.status.success(),
            "storecheck {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("one JSON document")
    }

    /// The demo with its completed audit signed; returns that audit's id.
    fn signed_demo(&self) -> String {
        self.json(&["demo"]);
        let audits = self.json(&["audit", "list"]);
        let id = audits
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| a["status"] == "completed")
            .and_then(|a| a["id"].as_str())
            .expect("completed audit")
            .to_string();
        self.json(&["audit", "sign", &id, "--signer", "Анна Смирнова"]);
        id
    }
}

#[test]
fn export_then_import_prints_what_the_issue_gives() {
    let cli = Cli::new();
    let id = cli.signed_demo();
    let out_dir = cli.path("stick");
    let stick = out_dir.to_str().expect("path");
    let exported = cli.json(&["sync", "export", "--out", stick]);
    for key in ["file", "audits", "photos", "bytes", "sequence"] {
        assert!(exported.get(key).is_some(), "no {key} in {exported}");
    }
    assert_eq!(exported["audits"], 1);
    assert_eq!(exported["photos"], 3);
    assert_eq!(exported["sequence"], 1);
    let file = exported["file"].as_str().expect("file").to_string();
    assert!(Path::new(&file).is_file());
    assert_eq!(
        std::fs::metadata(&file).expect("bundle").len(),
        exported["bytes"].as_u64().expect("bytes")
    );

    let nothing = cli.json(&["sync", "export", "--out", stick]);
    assert_eq!(nothing["file"], Value::Null, "{nothing}");
    assert_eq!(nothing["audits"], 0);

    let imported = cli.json(&["hq", "import", &file, &file]);
    let files = imported["files"].as_array().expect("files");
    assert_eq!(files.len(), 2);
    for key in [
        "file",
        "kind",
        "device",
        "added",
        "already_present",
        "refused",
    ] {
        assert!(files[0].get(key).is_some(), "no {key} in {}", files[0]);
    }
    assert_eq!(files[0]["kind"], "bundle");
    assert_eq!(
        (files[0]["added"].as_u64(), files[1]["added"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(files[1]["already_present"], 1);

    let audits = cli.json(&["hq", "audits"]);
    let a = &audits.as_array().expect("list")[0];
    assert_eq!(a["id"], id.as_str());
    for key in [
        "id",
        "store",
        "status",
        "score",
        "rating",
        "hard_failures",
        "standard",
        "version",
        "shift_date",
        "revision_of",
    ] {
        assert!(a.get(key).is_some(), "no {key} in {a}");
    }
    assert_eq!(a["status"], "signed");
    assert_eq!(a["store"], "MSK-01");
    assert_eq!(
        cli.json(&["hq", "audits", "--store", "SPB-02"]),
        Value::Array(vec![])
    );
    assert_eq!(cli.json(&["hq", "gaps"]), Value::Array(vec![]));

    let stats = cli.json(&["hq", "stats", "--by", "store"]);
    let line = &stats.as_array().expect("list")[0];
    for key in ["key", "audits", "average_score", "failed_hard", "findings"] {
        assert!(line.get(key).is_some(), "no {key} in {line}");
    }
    assert_eq!(
        (line["key"].as_str(), line["audits"].as_u64()),
        (Some("MSK-01"), Some(1))
    );
    assert_eq!(
        line["average_score"], a["score"],
        "one audit: its own score"
    );
    let xlsx = cli.path("chain.xlsx");
    let exported = cli.json(&[
        "hq",
        "export",
        "--format",
        "xlsx",
        "--out",
        xlsx.to_str().expect("p"),
    ]);
    assert_eq!(exported["rows"]["audits"], 1, "{exported}");
    assert!(
        exported["rows"]["answers"].as_u64().is_some_and(|n| n > 50),
        "{exported}"
    );
    assert!(xlsx.is_file());
    let csv = cli.path("csv");
    let exported = cli.json(&[
        "hq",
        "export",
        "--format",
        "csv",
        "--out",
        csv.to_str().expect("p"),
    ]);
    assert_eq!(
        exported["files"].as_array().map(Vec::len),
        Some(4),
        "{exported}"
    );
    assert!(csv.join("findings.csv").is_file());
    let week = cli.json(&["hq", "stats", "--by", "week"]);
    assert!(
        week[0]["key"]
            .as_str()
            .is_some_and(|k| k.len() == 8 && k.contains("-W")),
        "{week}"
    );
}

#[test]
fn hq_stats_refuses_a_date_that_is_not_one_and_a_grouping_it_does_not_know() {
    let cli = Cli::new();
    let bad = cli.run_in(
        &["hq", "stats", "--by", "store", "--from", "2026-13-01"],
        "ru_RU.UTF-8",
    );
    assert!(!bad.status.success());
    let said = text(&bad);
    assert!(
        said.contains("«2026-13-01» — не дата") && said.contains("ГГГГ-ММ-ДД"),
        "{said}"
    );
    let unknown = cli.run_in(&["hq", "stats", "--by", "shop"], "en_US.UTF-8");
    assert!(!unknown.status.success());
    assert!(
        text(&unknown).contains("store, region, section, requirement, week"),
        "{}",
        text(&unknown)
    );
}

#[test]
fn a_refused_file_exits_non_zero_saying_why_in_the_locale_s_language() {
    let cli = Cli::new();
    cli.signed_demo();
    let exported = cli.json(&[
        "sync",
        "export",
        "--out",
        cli.path("stick").to_str().expect("p"),
    ]);
    let good = exported["file"].as_str().expect("file").to_string();
    let mut bytes = std::fs::read(&good).expect("read");
    bytes.truncate(bytes.len() - 300);
    let broken = cli.path("broken.zip");
    std::fs::write(&broken, &bytes).expect("write");
    let broken = broken.to_str().expect("path");

    let out = cli.run_in(&["hq", "import", &good, broken, "--json"], "en_US.UTF-8");
    assert!(
        !out.status.success(),
        "a refused file must fail the command"
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON even when refused");
    let files = doc["files"].as_array().expect("files");
    assert_eq!(
        files[0]["added"], 1,
        "the good file is imported all the same"
    );
    let refused = files[1]["refused"].as_array().expect("refused");
    assert_eq!(refused.len(), 1);
    assert!(
        refused[0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("ZIP")),
        "{refused:?}"
    );

    let ru = cli.run_in(&["hq", "import", broken], "ru_RU.UTF-8");
    assert!(!ru.status.success());
    let said = text(&ru);
    assert!(
        said.contains("не принят, ничего не записано") && said.contains("broken.zip"),
        "{said}"
    );
    let ru_export = cli.run_in(
        &[
            "sync",
            "export",
            "--out",
            cli.path("stick").to_str().expect("p"),
        ],
        "ru_RU.UTF-8",
    );
    assert!(
        text(&ru_export).contains("Нового для отправки нет"),
        "{}",
        text(&ru_export)
    );

    // HQ refuses to work on a store's database.
    let wrong = Command::new(env!("CARGO_BIN_EXE_storecheck"))
        .arg("--hq")
        .arg(cli.path("store.db"))
        .args(["hq", "audits"])
        .env("LANG", "en_US.UTF-8")
        .env_remove("STORECHECK_LANG")
        .env_remove("LC_ALL")
        .output()
        .expect("run");
    assert!(!wrong.status.success());
    assert!(
        text(&wrong).contains("is a store's database, not an HQ database"),
        "{}",
        text(&wrong)
    );
}

#[test]
fn wrong_arguments_are_refused_before_anything_is_written() {
    let cli = Cli::new();
    let no_out = cli.run_in(&["sync", "export"], "en_US.UTF-8");
    assert!(!no_out.status.success());
    assert!(text(&no_out).contains("--out"), "{}", text(&no_out));
    let no_files = cli.run_in(&["hq", "import"], "en_US.UTF-8");
    assert!(!no_files.status.success());
    assert!(text(&no_files).contains("FILE"), "{}", text(&no_files));
    let out = cli.path("x.xlsx");
    let since = cli.run_in(
        &[
            "hq",
            "export",
            "--format",
            "xlsx",
            "--out",
            out.to_str().expect("path"),
            "--since",
            "вчера",
        ],
        "ru_RU.UTF-8",
    );
    assert_eq!(since.status.code(), Some(1));
    assert!(
        text(&since).contains("--since") && text(&since).contains("«вчера» — не время"),
        "{}",
        text(&since)
    );
    assert!(!out.exists());
    assert!(
        !cli.path("hq.db").exists(),
        "a refused command line writes no HQ database"
    );
    let missing = cli.run_in(
        &["hq", "import", "/nowhere/bundle.zip", "--json"],
        "en_US.UTF-8",
    );
    assert!(!missing.status.success());
    let doc: Value = serde_json::from_slice(&missing.stdout).expect("JSON");
    assert!(
        doc["files"][0]["refused"][0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("cannot be read") || r.contains("not a sync bundle")),
        "{doc}"
    );
}

#[test]
fn a_device_key_that_cannot_be_used_stops_the_export_and_is_left_as_it_is() {
    let cli = Cli::new();
    cli.signed_demo();
    let key = cli.path("keys").join("device-key.pem");
    std::fs::create_dir_all(key.parent().expect("keys")).expect("mkdir");
    std::fs::write(&key, b"-----BEGIN PRIVATE KEY-----\ncut short").expect("write");
    let stick = cli.path("stick");
    let out = cli.run_in(
        &["sync", "export", "--out", stick.to_str().expect("p")],
        "ru_RU.UTF-8",
    );
    assert!(!out.status.success());
    let said = text(&out);
    assert!(
        said.contains("ключ устройства нельзя использовать") && said.contains("device-key.pem"),
        "{said}"
    );
    assert_eq!(
        std::fs::read(&key).expect("key"),
        b"-----BEGIN PRIVATE KEY-----\ncut short"
    );
    assert!(
        !stick.exists() || std::fs::read_dir(&stick).expect("dir").next().is_none(),
        "no bundle written"
    );
}

#[test]
fn a_signed_audit_s_action_is_followed_up_sent_and_refused_where_it_makes_no_sense() {
    let cli = Cli::new();
    cli.json(&["demo"]);
    let audits = cli.json(&["audit", "list"]);
    let id = audits
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["status"] == "completed")
        .and_then(|a| a["id"].as_str())
        .expect("completed audit")
        .to_string();
    let action = cli.json(&[
        "audit",
        "action",
        &id,
        "3.5",
        "--what",
        "Убрать вещи из примерочных",
        "--owner",
        "Иванов",
        "--due",
        "2026-12-01",
    ]);
    let action_id = action["id"].as_str().expect("id").to_string();

    // Before signing: the action itself is changed, not followed up; nothing written.
    let early = cli.run_in(&["action", "done", &action_id], "ru_RU.UTF-8");
    assert_eq!(early.status.code(), Some(1));
    assert!(text(&early).contains("не подписана"), "{}", text(&early));

    cli.json(&["audit", "sign", &id, "--signer", "Анна Смирнова"]);
    let moved = cli.json(&[
        "action",
        "reschedule",
        &action_id[..18],
        "--due",
        "2026-12-20",
        "--reason",
        "ждём стойку",
    ]);
    assert_eq!(
        (
            moved["kind"].as_str(),
            moved["on_date"].as_str(),
            moved["by_whom"].as_str()
        ),
        (Some("rescheduled"), Some("2026-12-20"), Some("Иванов"))
    );
    let said = cli.run_in(
        &[
            "action",
            "done",
            &action_id,
            "--note",
            "убрали",
            "--by",
            "Петрова",
        ],
        "ru_RU.UTF-8",
    );
    assert!(said.status.success(), "{}", text(&said));
    assert!(
        text(&said).contains("отмечено выполненным") && text(&said).contains("Петрова"),
        "{}",
        text(&said)
    );
    let shown = cli.json(&["audit", "show", &id]);
    let a = &shown["actions"][0];
    assert_eq!(
        (a["due_now"].as_str(), a["due"].as_str()),
        (Some("2026-12-20"), Some("2026-12-01"))
    );
    assert!(a["done_on"].is_string(), "{a}");

    // Refusals say what and where, exit 1, and write nothing.
    let count = || -> usize {
        cli.json(&["audit", "show", &id])["actions"][0]["followups"]
            .as_array()
            .map_or(0, Vec::len)
    };
    let before = count();
    for (args, says) in [
        (vec!["action", "done", &action_id], "already done"),
        (
            vec![
                "action",
                "reschedule",
                &action_id,
                "--due",
                "2026-12-40",
                "--reason",
                "x",
            ],
            "2026-12-40",
        ),
        (vec!["action", "done", "ffff0000"], "ffff0000"),
        (
            vec![
                "action",
                "done",
                &action_id,
                "--photo",
                "/nonexistent/proof.jpg",
            ],
            "/nonexistent/proof.jpg",
        ),
    ] {
        let out = cli.run_in(&args, "en_US.UTF-8");
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(text(&out).contains(says), "{args:?}: {}", text(&out));
    }
    assert_eq!(count(), before, "nothing written by a refusal");

    // They go to HQ in the next bundle, and HQ sees the action done.
    let stick = cli.path("stick");
    let sent = cli.json(&["sync", "export", "--out", stick.to_str().expect("path")]);
    assert_eq!(
        (sent["audits"].as_u64(), sent["followups"].as_u64()),
        (Some(1), Some(2))
    );
    let imported = cli.json(&["hq", "import", sent["file"].as_str().expect("file")]);
    assert_eq!(imported["files"][0]["followups"], 2);
}
