//! The `storecheck` binary as a user runs it: scenarios over the files in `fixtures/`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

struct Cli {
    _dir: tempfile::TempDir,
    db: PathBuf,
}

impl Cli {
    fn new() -> Cli {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("store.db");
        Cli { _dir: dir, db }
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_in(args, "en_US.UTF-8")
    }

    /// Runs under the given locale (`LANG`).
    fn run_in(&self, args: &[&str], lang: &str) -> Output {
        common::storecheck(lang)
            .arg("--db")
            .arg(&self.db)
            .args(args)
            .output()
            .expect("run storecheck")
    }

    /// Runs with `--json` (after the subcommand, as users may) and expects success.
    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.run(&all);
        assert!(
            out.status.success(),
            "storecheck {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{args:?}: not JSON ({e}):\n{}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    /// Expects failure; returns stderr.
    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            !out.status.success(),
            "storecheck {args:?} should have failed"
        );
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            err.starts_with("error: "),
            "{args:?}: stderr must start with `error:`:\n{err}"
        );
        err
    }

    /// Writes a PNG picture of the given size beside the database; returns its path.
    fn picture(&self, name: &str, w: u32, h: u32) -> String {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        });
        let p = self._dir.path().join(name);
        img.save(&p).expect("write picture");
        p.display().to_string()
    }

    /// The id of the first audit in `audit list` with this status.
    fn audit_with_status(&self, status: &str) -> String {
        let list = self.json(&["audit", "list"]);
        list.as_array()
            .expect("list")
            .iter()
            .find(|a| a["status"] == status)
            .unwrap_or_else(|| panic!("an audit with status {status}"))["id"]
            .as_str()
            .expect("id")
            .to_string()
    }

    fn photo_files(&self) -> usize {
        walk(&self._dir.path().join("photos"))
    }

    fn db_bytes(&self) -> Vec<u8> {
        // What a reader sees after a checkpoint: the main file plus the WAL.
        let mut all = std::fs::read(&self.db).unwrap_or_default();
        all.extend(std::fs::read(self.db.with_extension("db-wal")).unwrap_or_default());
        all
    }
}

fn walk(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .map(|e| {
                if e.path().is_dir() {
                    walk(&e.path())
                } else {
                    1
                }
            })
            .sum()
    })
}

fn path(p: &str) -> String {
    fixtures().join(p).display().to_string()
}

fn new_audit(cli: &Cli, standard: &str) -> String {
    cli.json(&[
        "store",
        "add",
        "MSK-01",
        "Тверская, 12",
        "--region",
        "Москва",
    ]);
    let v = cli.json(&[
        "audit",
        "new",
        "--store",
        "MSK-01",
        "--shift",
        "opening",
        "--date",
        "2026-11-20",
        "--auditor",
        "Анна Смирнова",
        "--standard",
        standard,
    ]);
    v["id"].as_str().expect("id").to_string()
}

#[test]
fn import_each_sample_format_and_list_them() {
    let cli = Cli::new();
    for file in [
        "standards/sample.json",
        "standards/sample-utf8-bom-semicolon.csv",
        "standards/sample-cp1251.csv",
        "standards/sample.xlsx",
        "standards/sample-comma.csv",
    ] {
        let v = cli.json(&["standard", "import", &path(file)]);
        assert!(
            v["code"].is_string() && v["version"].is_string(),
            "{file}: {v}"
        );
        assert!(
            v["sections"].as_u64().expect("sections") >= 3,
            "{file}: {v}"
        );
        assert!(
            v["requirements"].as_u64().expect("requirements") >= 6,
            "{file}: {v}"
        );
    }
    let list = cli.json(&["standard", "list"]);
    assert!(list.as_array().expect("list").len() >= 2);
}

#[test]
fn the_same_standard_in_every_format_is_one_version() {
    let cli = Cli::new();
    let first = cli.json(&["standard", "import", &path("standards/sample.json")]);
    assert_eq!(first["created"], true);
    for file in [
        "standards/sample-utf8-bom-semicolon.csv",
        "standards/sample-cp1251.csv",
        "standards/sample.xlsx",
    ] {
        let v = cli.json(&["standard", "import", &path(file)]);
        assert_eq!(
            v["created"], false,
            "{file} holds the same standard as sample.json: {v}"
        );
        assert_eq!(v["version"], first["version"]);
    }
    let out = cli.run(&["standard", "import", &path("standards/sample.json")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Nothing changed") && text.contains("already imported"),
        "{text}"
    );
}

#[test]
fn broken_standards_list_every_problem_and_write_nothing() {
    for file in std::fs::read_dir(fixtures().join("standards/broken")).expect("broken dir") {
        let file = file.expect("entry").path();
        let name = file
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        if name.ends_with(".expected.txt") {
            continue;
        }
        let cli = Cli::new();
        cli.json(&["standard", "list"]); // create the database
        let before = cli.db_bytes();
        let err = cli.fails(&["standard", "import", &file.display().to_string()]);
        assert!(
            err.contains(&name),
            "{name}: the message names the file:\n{err}"
        );
        assert!(err.contains("nothing was imported"), "{name}:\n{err}");
        assert!(
            err.contains("hint: "),
            "{name}: a hint says what to do:\n{err}"
        );
        let expected = file.with_file_name(format!("{name}.expected.txt"));
        if let Ok(expected) = std::fs::read_to_string(&expected) {
            for line in expected.lines().filter(|l| !l.trim().is_empty()) {
                if ["row ", "line ", "requirements["]
                    .iter()
                    .any(|p| line.starts_with(p))
                {
                    let location = line.split(": ").next().expect("location");
                    assert!(
                        err.contains(&format!("  {location}: ")),
                        "{name}: expected a problem at {location:?}:\n{err}"
                    );
                } else {
                    assert!(
                        err.contains(line.trim()),
                        "{name}: expected {line:?}:\n{err}"
                    );
                }
            }
        }
        assert_eq!(cli.db_bytes(), before, "{name}: nothing may be written");
        assert!(
            cli.json(&["standard", "list"])
                .as_array()
                .expect("list")
                .is_empty()
        );
    }
}

#[test]
fn a_shift_audit_from_start_to_completion() {
    let cli = Cli::new();
    cli.json(&[
        "standard",
        "import",
        &path("standards/demo-fashion.ru.json"),
    ]);
    let id = new_audit(&cli, "DEMO-FASHION");
    let show = cli.json(&["audit", "show", &id]);
    assert_eq!(show["status"], "draft");
    assert_eq!(show["score"], Value::Null, "nothing answered: no score");
    assert_eq!(show["rating"], Value::Null);
    assert!(show["photos"].as_array().expect("photos").is_empty());

    let err = cli.fails(&["audit", "complete", &id]);
    assert!(
        err.contains("cannot be completed yet") && err.contains("unanswered"),
        "{err}"
    );
    assert!(
        err.contains("hint: answer the requirements listed"),
        "{err}"
    );

    let filled = cli.json(&["audit", "fill", &id, &path("answers/demo-fashion-pass.csv")]);
    assert!(filled["saved"].as_u64().expect("saved") >= 40);
    let show = cli.json(&["audit", "show", &id]);
    let score = show["score"].as_f64().expect("a score");
    assert!(
        score > 60.0 && score < 100.0,
        "some findings, no disaster: {score}"
    );
    assert_ne!(show["rating"], "failed_hard");
    assert!(show["hard_failures"].as_array().expect("hard").is_empty());
    let findings = show["findings"].as_array().expect("findings");
    assert!(!findings.is_empty(), "the pass file has a few failures");
    assert!(findings.iter().all(|f| f["code"].is_string()));
    let sections = show["sections"].as_array().expect("sections");
    assert!(sections.len() >= 8 && sections.iter().all(|s| s["title"].is_string()));

    let code = findings[0]["code"].as_str().expect("code").to_string();
    let action = cli.json(&[
        "audit",
        "action",
        &id,
        &code,
        "--what",
        "Провести инструктаж",
        "--owner",
        "Ольга",
        "--due",
        "2026-11-27",
    ]);
    assert_eq!(action["code"], code.as_str());

    let err = cli.fails(&["audit", "complete", &id]);
    assert!(
        err.contains("photos missing for 2.1, 3.1, 3.5"),
        "required photos (3.5 failed, and its photo is required on failure): {err}"
    );
    let uniform = cli.picture("uniform.png", 2400, 1800);
    let window = cli.picture("window.png", 1200, 1600);
    let attached = cli.json(&["audit", "photo", &id, "2.1", &uniform]);
    assert_eq!(attached["photos"][0]["code"], "2.1");
    cli.json(&["audit", "photo", &id, "3.1", &window]);
    cli.json(&["audit", "photo", &id, "3.5", &uniform]);
    let show = cli.json(&["audit", "show", &id]);
    let photos = show["photos"].as_array().expect("photos");
    let listed: Vec<(&str, u64, u64)> = photos
        .iter()
        .map(|p| {
            (
                p["requirement"].as_str().expect("requirement"),
                p["width"].as_u64().expect("width"),
                p["height"].as_u64().expect("height"),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("2.1", 1600, 1200),
            ("3.1", 1200, 1600),
            ("3.5", 1600, 1200)
        ],
        "the display copy's size"
    );
    assert_eq!(
        photos[0]["sha256"], photos[2]["sha256"],
        "same file, same hash"
    );
    assert_eq!(photos[0]["sha256"].as_str().map(str::len), Some(64));

    let done = cli.json(&["audit", "complete", &id]);
    assert_eq!(done["status"], "completed");
    assert_eq!(done["score"].as_f64(), Some(score));
    let err = cli.fails(&["audit", "answer", &id, &code, "pass"]);
    assert!(err.contains("can no longer be changed"), "{err}");
}

#[test]
fn a_hard_failure_fails_the_audit_whatever_the_percentage() {
    let cli = Cli::new();
    cli.json(&[
        "standard",
        "import",
        &path("standards/demo-fashion.ru.json"),
    ]);
    let id = new_audit(&cli, "DEMO-FASHION");
    cli.json(&[
        "audit",
        "fill",
        &id,
        &path("answers/demo-fashion-hard-fail.csv"),
    ]);
    let show = cli.json(&["audit", "show", &id]);
    assert_eq!(show["rating"], "failed_hard");
    assert_eq!(show["hard_failures"].as_array().expect("hard").len(), 1);
    assert!(
        show["score"].as_f64().expect("score") > 60.0,
        "the percentage alone would pass"
    );
}

#[test]
fn bad_answers_are_refused_with_the_reason_and_change_nothing() {
    let cli = Cli::new();
    cli.json(&["standard", "import", &path("standards/sample.json")]);
    let std = cli.json(&["standard", "list"]);
    let code = std[0]["code"].as_str().expect("code").to_string();
    let id = new_audit(&cli, &code);
    let show = cli.json(&["audit", "show", &id]);
    let before = show["answers"].clone();

    // Find one requirement of each interesting kind from the standard file itself.
    let sample: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("standards/sample.json")).expect("read"),
    )
    .expect("json");
    let reqs = sample["requirements"].as_array().expect("requirements");
    let scale = reqs
        .iter()
        .find(|r| r["kind"] == "scale")
        .expect("a scale requirement");
    let max = scale["max"].as_f64().expect("max");
    let err = cli.fails(&[
        "audit",
        "answer",
        &id,
        scale["code"].as_str().expect("code"),
        &(max + 1.0).to_string(),
    ]);
    assert!(err.contains("the value must be between"), "{err}");

    let no_na = reqs
        .iter()
        .find(|r| r["na"] == false)
        .expect("a requirement with na: false");
    let err = cli.fails(&[
        "audit",
        "answer",
        &id,
        no_na["code"].as_str().expect("code"),
        "na",
    ]);
    assert!(err.contains("\"not applicable\" is not allowed"), "{err}");

    let check = reqs
        .iter()
        .find(|r| r.get("kind").is_none_or(|k| k == "check"))
        .expect("a check");
    let err = cli.fails(&[
        "audit",
        "answer",
        &id,
        check["code"].as_str().expect("code"),
        "maybe",
    ]);
    assert!(err.contains("answer pass, fail or na"), "{err}");

    let err = cli.fails(&["audit", "answer", &id, "99.99", "pass"]);
    assert!(err.contains("requirement \"99.99\" was not found"), "{err}");

    assert_eq!(
        cli.json(&["audit", "show", &id])["answers"],
        before,
        "nothing changed"
    );
}

#[test]
fn wrong_arguments_say_what_and_where() {
    let cli = Cli::new();
    let err = cli.fails(&[
        "audit",
        "new",
        "--store",
        "X",
        "--shift",
        "opening",
        "--date",
        "2026-11-20",
        "--auditor",
        "A",
    ]);
    assert!(err.contains("not found"), "{err}");
    cli.json(&["standard", "import", &path("standards/sample.json")]);
    cli.json(&["store", "add", "S", "Store"]);
    let err = cli.fails(&[
        "audit",
        "new",
        "--store",
        "S",
        "--shift",
        "opening",
        "--date",
        "20.11.2026",
        "--auditor",
        "A",
    ]);
    assert!(
        err.contains("date: \"20.11.2026\" is not a date; write it as YYYY-MM-DD"),
        "{err}"
    );
    let err = cli.fails(&["audit", "show", "ffffffff"]);
    assert!(
        err.contains("audit \"ffffffff\" was not found") && err.contains("hint: list audits"),
        "{err}"
    );
    let out = cli.run(&[
        "audit",
        "new",
        "--store",
        "S",
        "--shift",
        "night",
        "--date",
        "2026-11-20",
        "--auditor",
        "A",
    ]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("night"),
        "clap names the bad value"
    );
}

#[test]
fn errors_come_as_json_too() {
    let cli = Cli::new();
    let out = cli.run(&[
        "--json",
        "standard",
        "import",
        &path("standards/broken/broken-multi.csv"),
    ]);
    assert!(!out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).expect("json error document");
    assert_eq!(v["error"]["code"], "import_invalid");
    assert!(v["error"]["problems"].as_array().expect("problems").len() >= 5);
}

#[test]
fn messages_follow_a_russian_locale() {
    let cli = Cli::new();
    let out = cli.run_in(&["audit", "show", "ffffffff"], "ru_RU.UTF-8");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: Проверка «ffffffff» не найдена"),
        "{err}"
    );
    assert!(err.contains("hint: список проверок"), "{err}");
}

#[test]
fn demo_loads_once_and_its_completed_audit_scores() {
    let cli = Cli::new();
    let demo = cli.json(&["demo"]);
    assert_eq!(demo["audits"].as_array().expect("audits").len(), 2);
    let again = cli.json(&["demo"]);
    assert!(
        again["audits"].as_array().expect("audits").is_empty(),
        "running the demo twice adds nothing"
    );
    let audits = cli.json(&["audit", "list"]);
    let list = audits.as_array().expect("list");
    assert_eq!(list.len(), 2);
    let completed = list
        .iter()
        .find(|a| a["status"] == "completed")
        .expect("a completed audit");
    assert!(completed["score"].as_f64().is_some());
    let standards = cli.json(&["standard", "list"]);
    let demo_ru = standards
        .as_array()
        .expect("list")
        .iter()
        .find(|s| s["code"] == "DEMO-FASHION")
        .expect("ru");
    assert!(demo_ru["requirements"].as_u64().expect("n") >= 40);
    assert!(demo_ru["sections"].as_u64().expect("n") >= 8);
}

#[test]
fn a_database_from_a_newer_storecheck_is_refused() {
    let cli = Cli::new();
    cli.json(&["standard", "list"]);
    let c = std::process::Command::new("sqlite3")
        .arg(&cli.db)
        .arg("PRAGMA user_version = 999;")
        .status();
    if c.map(|s| s.success()).unwrap_or(false) {
        let err = cli.fails(&["standard", "list"]);
        assert!(
            err.contains("newer StoreCheck") && err.contains("hint: install the newer StoreCheck"),
            "{err}"
        );
    } else {
        panic!("sqlite3 is needed for this test (Debian package sqlite3)");
    }
}

#[test]
fn a_bad_photo_is_refused_by_name_and_nothing_is_attached() {
    let cli = Cli::new();
    cli.json(&[
        "standard",
        "import",
        &path("standards/demo-fashion.ru.json"),
    ]);
    let id = new_audit(&cli, "DEMO-FASHION");
    let good = cli.picture("good.png", 800, 600);
    let cut = cli._dir.path().join("cut.jpg");
    std::fs::write(&cut, [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10]).expect("write");
    let cut = cut.display().to_string();
    // One bad file among good ones: nothing of the batch is attached.
    let err = cli.fails(&["audit", "photo", &id, "2.1", &good, &cut]);
    assert!(
        err.contains("photo \"cut.jpg\" cannot be attached") && err.contains("hint: "),
        "{err}"
    );
    let show = cli.json(&["audit", "show", &id]);
    assert!(show["photos"].as_array().expect("photos").is_empty());
    assert_eq!(cli.photo_files(), 0, "no file left behind");

    let out = cli.run(&["audit", "photo", &id, "2.1", &cut, "--json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON error document");
    assert_eq!(doc["error"]["code"], "invalid_photo", "{doc}");

    let out = cli.run_in(&["audit", "photo", &id, "2.1", &cut], "ru_RU.UTF-8");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("фото «cut.jpg» не приложено"), "{err}");

    let err = cli.fails(&["audit", "photo", &id, "1.1", &good]);
    assert!(err.contains("takes no photos"), "{err}");
    let err = cli.fails(&["audit", "photo", &id, "2.1"]);
    assert!(err.contains("FILES"), "a missing argument is named: {err}");
    cli.json(&["audit", "photo", &id, "2.1", &good]);
    assert_eq!(cli.photo_files(), 3);
    let out = cli.run_in(&["audit", "photo", &id, "2.1", &good], "ru_RU.UTF-8");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("приложено к 2.1: "), "in Russian: {said}");
}

/// The demo's completed audit, signed from the command line.
fn signed_demo(cli: &Cli) -> (String, Value) {
    cli.json(&["demo"]);
    let id = cli.audit_with_status("completed");
    let out = cli._dir.path().join("отчёт.pdf");
    let signed = cli.json(&[
        "audit",
        "sign",
        &id,
        "--signer",
        "Анна Смирнова",
        "--acknowledged-by",
        "Ольга Петрова",
        "--out",
        &out.display().to_string(),
        "--lang",
        "ru",
    ]);
    (id, signed)
}

#[test]
fn signing_writes_a_report_that_verify_explains_and_locks_the_audit() {
    let cli = Cli::new();
    let (id, signed) = signed_demo(&cli);
    let out = signed["out"].as_str().expect("out").to_string();
    assert_eq!(signed["report"]["signer"], "Анна Смирнова");
    assert_eq!(
        signed["certificate"]["self_made"], true,
        "audit sign says which certificate signed"
    );
    assert_eq!(signed["certificate"]["subject"], "Анна Смирнова");
    let v = cli.json(&["verify", &out]);
    assert_eq!(v["valid"], true);
    assert_eq!(
        v["signer"],
        Value::Null,
        "no trusted certificate: the name is not confirmed"
    );
    assert_eq!(v["claimed_signer"], "Анна Смирнова");
    assert!(v["signed_at"].as_str().expect("signed_at").ends_with('Z'));
    assert_eq!(v["trusted"], Value::Null);
    let cert = cli
        ._dir
        .path()
        .join("keys")
        .join(storecheck_report::sign::signer_folder("Анна Смирнова"))
        .join("signing-cert.pem");
    let v = cli.json(&["verify", &out, "--trust", &cert.display().to_string()]);
    assert_eq!(v["trusted"], true);
    assert_eq!(
        v["signer"], "Анна Смирнова",
        "confirmed by the trusted certificate"
    );
    let text =
        String::from_utf8_lossy(&cli.run_in(&["verify", &out], "ru_RU.UTF-8").stdout).into_owned();
    assert!(
        text.contains("Подпись действительна")
            && text.contains("называет себя «Анна Смирнова»")
            && text.contains("не подтверждает"),
        "the name is given as the certificate's claim: {text}"
    );

    // The very bytes that were signed can be written out again.
    let again = cli._dir.path().join("again.pdf");
    cli.json(&["report", "pdf", &id, "--out", &again.display().to_string()]);
    assert_eq!(
        std::fs::read(&again).expect("again"),
        std::fs::read(&out).expect("out")
    );

    // Nothing about a signed audit changes any more, by any command.
    let show = cli.json(&["audit", "show", &id]);
    assert_eq!(show["status"], "signed");
    let picture = cli.picture("late.png", 640, 480);
    for args in [
        vec!["audit", "answer", &id, "1.3", "fail"],
        vec!["audit", "reopen", &id],
        vec!["audit", "complete", &id],
        vec!["audit", "photo", &id, "2.1", &picture],
        vec![
            "audit",
            "action",
            &id,
            "3.5",
            "--what",
            "x",
            "--owner",
            "y",
            "--due",
            "2026-12-01",
        ],
        vec!["audit", "sign", &id, "--signer", "Someone"],
    ] {
        let err = cli.fails(&args);
        assert!(
            err.contains("signed") || err.contains("can no longer be changed"),
            "{args:?}: {err}"
        );
    }
    // Nor by writing to the database file directly.
    for sql in [
        format!("UPDATE answer SET response = 'fail' WHERE audit_id = '{id}'"),
        format!("UPDATE audit SET status = 'draft' WHERE id = '{id}'"),
        format!("DELETE FROM photo WHERE audit_id = '{id}'"),
        "UPDATE report SET signer = 'x'".to_string(),
    ] {
        let out = Command::new("sqlite3")
            .arg(&cli.db)
            .arg(&sql)
            .output()
            .expect("sqlite3");
        assert!(!out.status.success(), "{sql} must be refused");
    }
    let show_after = cli.json(&["audit", "show", &id]);
    assert_eq!(show_after["answers"], show["answers"]);
    assert_eq!(cli.json(&["verify", &out])["valid"], true, "still intact");

    // A correction is a new revision that points to the signed audit.
    let err = cli.fails(&["audit", "revise", &id, "--reason", " "]);
    assert!(err.contains("say why"), "{err}");
    let rev = cli.json(&["audit", "revise", &id, "--reason", "Неверно указана смена"]);
    let new_id = rev["id"].as_str().expect("id");
    let draft = cli.json(&["audit", "show", new_id]);
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["answers"], show["answers"], "answers carried over");
    assert_eq!(draft["photos"].as_array().map(Vec::len), Some(3));
    assert_eq!(draft["revision_of"], id.as_str());
    assert_eq!(draft["revision_reason"], "Неверно указана смена");
    assert_eq!(cli.json(&["audit", "show", &id])["revised_by"], new_id);
    // One revision per signed audit: a second would leave two competing corrections.
    let err = cli.fails(&["audit", "revise", &id, "--reason", "ещё раз"]);
    assert!(err.contains("already has a revision"), "{err}");
    cli.json(&["audit", "answer", new_id, "1.3", "pass"]);
    // Signed in turn, the revision's report names the report it corrects and why.
    cli.json(&["audit", "complete", new_id]);
    let original_report = show["report"]["id"]
        .as_str()
        .expect("report id")
        .to_string();
    let pdf = cli._dir.path().join("revision.pdf");
    cli.json(&[
        "audit",
        "sign",
        new_id,
        "--signer",
        "Анна Смирнова",
        "--out",
        &pdf.display().to_string(),
    ]);
    let text = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains(&original_report), "{text}");
    // Signed under an English locale without --lang: the Russian standard's report is Russian.
    assert!(text.contains("Исправляет отчёт"), "{text}");
    assert!(!text.contains("Corrects report"), "{text}");
    assert!(text.contains("Неверно указана"), "the reason: {text}");
}

#[test]
fn an_explicit_lang_overrides_the_standards_language_in_the_report() {
    let cli = Cli::new();
    cli.json(&["demo"]);
    let id = cli.audit_with_status("completed");
    let pdf = cli._dir.path().join("en.pdf");
    let out = cli.run_in(
        &[
            "audit",
            "sign",
            &id,
            "--signer",
            "Anna Smirnova",
            "--out",
            &pdf.display().to_string(),
            "--lang",
            "en",
        ],
        "ru_RU.UTF-8",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Audit report"), "English labels: {text}");
    assert!(!text.contains("Отчёт о проверке"), "{text}");
}

#[test]
fn signing_refuses_a_draft_a_bad_signature_image_and_verify_refuses_a_changed_file() {
    let cli = Cli::new();
    cli.json(&["demo"]);
    let draft = cli.audit_with_status("draft");
    let err = cli.fails(&["audit", "sign", &draft, "--signer", "Анна"]);
    assert!(err.contains("complete the audit before signing"), "{err}");
    let completed = cli.audit_with_status("completed");
    // A drawn signature that is refused leaves the audit unsigned.
    let refused_signature = |name: &str, bytes: &[u8], expected: &str| {
        let file = cli._dir.path().join(name);
        std::fs::write(&file, bytes).expect("write");
        let err = cli.fails(&[
            "audit",
            "sign",
            &completed,
            "--signer",
            "Анна",
            "--signature-image",
            &file.display().to_string(),
        ]);
        assert!(err.contains(expected), "{err}");
        assert_eq!(
            cli.json(&["audit", "show", &completed])["status"],
            "completed",
            "nothing signed"
        );
    };
    refused_signature(
        "signature.png",
        b"this is not a picture",
        "the drawn signature is not a PNG image",
    );
    let err = cli.fails(&["audit", "sign", &completed, "--signer", "  "]);
    assert!(err.contains("say who signs"), "{err}");
    let err = cli.fails(&["report", "pdf", &completed, "--out", "x.pdf"]);
    assert!(
        err.contains("has no signed report: it is completed but not signed; sign it first"),
        "{err}"
    );
    // An --out that cannot be written is found before signing locks the audit.
    let err = cli.fails(&[
        "audit",
        "sign",
        &completed,
        "--signer",
        "Анна",
        "--out",
        "/nonexistent/folder/r.pdf",
    ]);
    assert!(
        err.contains(
            "/nonexistent/folder/r.pdf is in a folder that does not exist; nothing was signed"
        ),
        "{err}"
    );
    // A drawn signature that declares a huge picture is refused before it is decoded.
    let mut declared = std::fs::read(cli.picture("small.png", 30, 10)).expect("png");
    declared[16..20].copy_from_slice(&60000u32.to_be_bytes());
    declared[20..24].copy_from_slice(&60000u32.to_be_bytes());
    refused_signature(
        "bomb.png",
        &declared,
        "the drawn signature is too large in pixels (60000 × 60000",
    );

    // verify: a changed byte, a file that is not a PDF, and one that does not exist.
    let (_, signed) = {
        let picture = cli.picture("sig.png", 300, 100);
        let out = cli._dir.path().join("r.pdf");
        let v = cli.json(&[
            "audit",
            "sign",
            &completed,
            "--signer",
            "Анна",
            "--signature-image",
            &picture,
            "--out",
            &out.display().to_string(),
        ]);
        (completed.clone(), v)
    };
    let out = signed["out"].as_str().expect("out");
    let mut bytes = std::fs::read(out).expect("read");
    let n = bytes.len() / 2;
    bytes[n] ^= 0x20;
    let bad = cli._dir.path().join("changed.pdf");
    std::fs::write(&bad, &bytes).expect("write");
    let err = cli.fails(&["verify", &bad.display().to_string()]);
    assert!(err.contains("did not pass the signature check"), "{err}");
    let out = cli.run(&["verify", &bad.display().to_string(), "--json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["valid"], false);
    assert!(
        doc["problem"]
            .as_str()
            .expect("problem")
            .contains("changed"),
        "{doc}"
    );
    let text = cli._dir.path().join("notes.pdf");
    std::fs::write(&text, b"just text").expect("write");
    let out = cli.run(&["verify", &text.display().to_string()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("this is not a PDF file"));
    let out = cli.run_in(&["verify", &bad.display().to_string()], "ru_RU.UTF-8");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("Подпись НЕДЕЙСТВИТЕЛЬНА: документ изменили после подписания"),
        "{said}"
    );
    // A trusted "certificate" that is not one is named, not taken as "not trusted".
    let err = cli.fails(&[
        "verify",
        out_path(&signed),
        "--trust",
        &text.display().to_string(),
    ]);
    assert!(
        err.contains("notes.pdf is not a certificate (PEM or DER)"),
        "{err}"
    );
    let err = cli.fails(&["verify", "/nonexistent/report.pdf"]);
    assert!(err.contains("/nonexistent/report.pdf"), "{err}");
}

#[test]
fn verify_says_whether_the_report_carries_the_audits_data() {
    let cli = Cli::new();
    let (id, signed) = signed_demo(&cli);
    let out = out_path(&signed).to_string();
    let v = cli.json(&["verify", &out]);
    assert_eq!(v["valid"], true);
    assert_eq!(v["data"], "intact", "{v}");
    assert_eq!(v["data_audit"], id.as_str(), "the audit it carries");
    assert_eq!(v["data_problem"], Value::Null);
    let said = |path: &str, locale: &str| {
        let run = cli.run_in(&["verify", path], locale);
        String::from_utf8_lossy(&run.stdout).into_owned()
    };
    let en = said(&out, "en_US.UTF-8");
    assert!(
        en.contains(&format!(
            "The report carries the audit's data (audit {id}), covered by the signature."
        )),
        "{en}"
    );
    let ru = said(&out, "ru_RU.UTF-8");
    assert!(
        ru.contains(&format!(
            "Отчёт содержит данные проверки (проверка {id}), их охватывает подпись."
        )),
        "{ru}"
    );

    // A report signed before reports carried the data: still valid, and says it has none.
    let old = fixtures().join("db/schema-3/reports");
    let old = std::fs::read_dir(&old)
        .expect("the fixture's reports")
        .map(|e| e.expect("entry").path())
        .find(|p| p.extension().is_some_and(|e| e == "pdf"))
        .expect("a signed report");
    let old = old.display().to_string();
    let v = cli.json(&["verify", &old]);
    assert_eq!(v["valid"], true);
    assert_eq!(v["data"], "absent", "{v}");
    assert_eq!(v["data_audit"], Value::Null);
    let en = said(&old, "en_US.UTF-8");
    assert!(
        en.contains("The report does not carry the audit's data (reports signed by earlier versions of StoreCheck do not)."),
        "{en}"
    );
    let ru = said(&old, "ru_RU.UTF-8");
    assert!(
        ru.contains("Отчёт не содержит данных проверки (в отчётах, подписанных прежними версиями StoreCheck, их нет)."),
        "{ru}"
    );
}

fn out_path(signed: &Value) -> &str {
    signed["out"].as_str().expect("out")
}

/// Runs storecheck with standard output a pipe whose reader is already gone, as in
/// `storecheck audit show X | head` once `head` has what it wanted: every write fails with a
/// broken pipe. Returns the exit code and standard error.
fn run_into_closed_pipe(cli: &Cli, args: &[&str]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_storecheck"))
        .arg("--db")
        .arg(&cli.db)
        .args(args)
        .env("LANG", "en_US.UTF-8")
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("run storecheck");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn output_closed_early_ends_quietly() {
    let cli = Cli::new();
    cli.json(&["demo"]);
    let id = cli.audit_with_status("completed");
    for args in [
        vec!["audit", "show", id.as_str()],
        vec!["audit", "show", id.as_str(), "--json"],
        vec!["standard", "list"],
        vec!["audit", "list", "--json"],
        vec!["demo"],
    ] {
        let (code, stderr) = run_into_closed_pipe(&cli, &args);
        assert!(
            !stderr.contains("panicked"),
            "storecheck {args:?} must not panic when its reader stops reading:\n{stderr}"
        );
        assert_ne!(
            code,
            Some(101),
            "storecheck {args:?} exited as a panic does"
        );
        assert_eq!(
            code,
            Some(0),
            "storecheck {args:?}: a reader that took what it wanted is no failure:\n{stderr}"
        );
        assert!(
            stderr.is_empty(),
            "storecheck {args:?} ends quietly, with nothing on stderr:\n{stderr}"
        );
    }
    // A failure is still reported on stderr when stdout is closed.
    let (code, stderr) = run_into_closed_pipe(&cli, &["audit", "show", "no-such-audit"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
}

// ---- Language ---------------------------------------------------------------------------

const RU: &str = "ru_RU.UTF-8";
const EN: &str = "en_US.UTF-8";

/// English words the command line used to print under a Russian locale. Whole words only, so
/// commands quoted in a message (`storecheck audit list`) and ids do not count.
const ENGLISH: &[&str] = &[
    "Imported",
    "Nothing",
    "requirement",
    "requirements",
    "section",
    "sections",
    "row",
    "column",
    "line",
    "answered",
    "Saved",
    "Score",
    "rating",
    "Store",
    "Audit",
    "Audits",
    "Sections",
    "Findings",
    "Answers",
    "Completed",
    "Reopened",
    "Corrective",
    "Signed",
    "Certificate",
    "Report",
    "Wrote",
    "bytes",
    "draft",
    "completed",
    "signed",
    "opening",
    "shift",
    "auditor",
    "note",
    "photo",
    "photos",
    "Attached",
    "Still",
    "Demo",
    "Next",
    "by",
    "KB",
    "MB",
    "hard",
    "FAILED",
];

impl Cli {
    /// Runs under `lang` and expects success; returns what was printed on stdout.
    fn says(&self, args: &[&str], lang: &str) -> String {
        let out = self.run_in(args, lang);
        assert!(
            out.status.success(),
            "storecheck {args:?} under {lang} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs under `lang` and expects failure; returns stderr.
    fn refused(&self, args: &[&str], lang: &str) -> String {
        let out = self.run_in(args, lang);
        assert!(
            !out.status.success(),
            "storecheck {args:?} should have failed"
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }
}

/// Fails when `text` holds a word of [`ENGLISH`].
fn assert_no_english(what: &str, text: &str) {
    let found: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| ENGLISH.contains(w))
        .collect();
    assert!(
        found.is_empty(),
        "{what}: English {found:?} under a Russian locale:\n{text}"
    );
}

#[test]
fn every_command_speaks_russian_under_a_russian_locale() {
    let cli = Cli::new();
    let mut said = Vec::new();
    let mut say = |what: &str, text: String| {
        assert_no_english(what, &text);
        said.push((what.to_string(), text));
    };
    let imported = cli.says(
        &[
            "standard",
            "import",
            &path("standards/demo-fashion.ru.json"),
        ],
        RU,
    );
    assert!(
        imported.contains("Импортирован стандарт DEMO-FASHION")
            && imported.contains("13 разделов, 61 требование."),
        "{imported}"
    );
    say("standard import", imported);
    let again = cli.says(
        &[
            "standard",
            "import",
            &path("standards/demo-fashion.ru.json"),
        ],
        RU,
    );
    assert!(again.contains("уже импортирован"), "{again}");
    say("standard import again", again);
    let list = cli.says(&["standard", "list"], RU);
    assert!(list.contains("13 разделов, 61 требование"), "{list}");
    say("standard list", list);
    let added = cli.says(&["store", "add", "MSK-01", "Тверская, 12"], RU);
    assert!(
        added.contains("Магазин MSK-01 «Тверская, 12» готов."),
        "{added}"
    );
    say("store add", added);
    say("store list", cli.says(&["store", "list"], RU));
    let id = cli
        .says(
            &[
                "audit",
                "new",
                "--store",
                "MSK-01",
                "--shift",
                "opening",
                "--date",
                "2026-11-20",
                "--auditor",
                "Анна Смирнова",
            ],
            RU,
        )
        .trim()
        .to_string();
    let answered = cli.says(&["audit", "answer", &id, "1.2", "pass"], RU);
    assert!(
        answered.contains("Сохранено 1.2: да.") && answered.contains("отвечено 1 из "),
        "{answered}"
    );
    say("audit answer", answered);
    let listed = cli.says(&["audit", "list"], RU);
    assert!(
        listed.contains("открытие") && listed.contains("черновик"),
        "{listed}"
    );
    say("audit list", listed);
    let filled = cli.says(
        &["audit", "fill", &id, &path("answers/demo-fashion-pass.csv")],
        RU,
    );
    assert!(filled.starts_with("Сохранено: "), "{filled}");
    say("audit fill", filled);
    let photo = cli.picture("uniform.png", 800, 600);
    for code in ["2.1", "3.1", "3.5"] {
        say(
            "audit photo",
            cli.says(&["audit", "photo", &id, code, &photo], RU),
        );
    }
    let show = cli.json(&["audit", "show", &id]);
    let finding = show["findings"][0]["code"]
        .as_str()
        .expect("a finding")
        .to_string();
    let action = cli.says(
        &[
            "audit",
            "action",
            &id,
            &finding,
            "--what",
            "Провести инструктаж",
            "--owner",
            "Ольга",
            "--due",
            "2026-11-27",
        ],
        RU,
    );
    assert!(
        action.contains(&format!("Корректирующее действие по {finding}")),
        "{action}"
    );
    say("audit action", action);
    let shown = cli.says(&["audit", "show", &id], RU);
    assert!(
        shown.contains("Разделы:")
            && shown.contains("Несоответствия:")
            && shown.contains("Ответы:"),
        "{shown}"
    );
    say("audit show", shown);
    let completed = cli.says(&["audit", "complete", &id], RU);
    assert!(completed.starts_with("Проверка завершена."), "{completed}");
    say("audit complete", completed);
    let reopened = cli.says(&["audit", "reopen", &id], RU);
    assert!(reopened.contains("снова черновик"), "{reopened}");
    say("audit reopen", reopened);
    say(
        "audit complete again",
        cli.says(&["audit", "complete", &id], RU),
    );
    let signed = cli.says(&["audit", "sign", &id, "--signer", "Анна Смирнова"], RU);
    assert!(signed.contains("Подписал(а) Анна Смирнова"), "{signed}");
    say("audit sign", signed);
    let pdf = cli._dir.path().join("копия.pdf").display().to_string();
    let written = cli.says(&["report", "pdf", &id, "--out", &pdf], RU);
    assert!(written.starts_with("Записан "), "{written}");
    say("report pdf", written);
    let revised = cli.says(&["audit", "revise", &id, "--reason", "опечатка"], RU);
    assert!(
        revised.contains("Новый черновик, исправляющий"),
        "{revised}"
    );
    say("audit revise", revised);

    let demo = Cli::new();
    let loaded = demo.says(&["demo"], RU);
    assert!(loaded.starts_with("Демо загружено"), "{loaded}");
    say("demo", loaded);
    say("demo again", demo.says(&["demo"], RU));
    assert!(said.len() > 15);
}

#[test]
fn every_command_speaks_english_under_an_english_locale() {
    let cli = Cli::new();
    let imported = cli.says(
        &[
            "standard",
            "import",
            &path("standards/demo-fashion.ru.json"),
        ],
        EN,
    );
    assert!(
        imported.starts_with("Imported DEMO-FASHION")
            && imported.contains("13 sections, 61 requirements."),
        "{imported}"
    );
    let id = new_audit(&cli, "DEMO-FASHION");
    let answered = cli.says(&["audit", "answer", &id, "1.2", "pass"], EN);
    assert!(answered.contains(". Score 100.0%, 1 of "), "{answered}");
    let listed = cli.says(&["audit", "list"], EN);
    assert!(
        listed.contains("opening") && listed.contains("draft"),
        "{listed}"
    );
    let shown = cli.says(&["audit", "show", &id], EN);
    assert!(
        shown.contains("Sections:") && shown.contains("Answers:") && !shown.contains("Разделы"),
        "{shown}"
    );
    let reopened = cli.refused(&["audit", "reopen", &id], EN);
    assert!(reopened.starts_with("error: "), "{reopened}");
    let loaded = Cli::new().says(&["demo"], EN);
    assert!(loaded.starts_with("Demo loaded"), "{loaded}");
}

#[test]
fn a_command_s_lang_option_outranks_the_locale() {
    let cli = Cli::new();
    let loaded = cli.says(&["demo", "--lang", "en"], RU);
    assert!(loaded.starts_with("Demo loaded"), "{loaded}");
    let loaded = Cli::new().says(&["demo", "--lang", "ru"], EN);
    assert!(loaded.starts_with("Демо загружено"), "{loaded}");
}

#[test]
fn counts_take_the_russian_plural_form() {
    let cli = Cli::new();
    // Standards of 1, 2, 5, 11 and 21 requirements, each in as many sections.
    for (n, requirements, sections) in [
        (1, "1 требование", "1 раздел"),
        (2, "2 требования", "2 раздела"),
        (5, "5 требований", "5 разделов"),
        (11, "11 требований", "11 разделов"),
        (21, "21 требование", "21 раздел"),
    ] {
        let mut csv = format!("#code: P{n}\nsection,code,requirement\n");
        for i in 1..=n {
            csv.push_str(&format!("Раздел {i},{i}.1,Требование {i}\n"));
        }
        let file = cli._dir.path().join(format!("p{n}.csv"));
        std::fs::write(&file, csv).expect("write");
        let said = cli.says(&["standard", "import", &file.display().to_string()], RU);
        assert!(
            said.contains(&format!("{sections}, {requirements}.")),
            "{n}: {said}"
        );
        let said = cli.says(&["standard", "import", &file.display().to_string()], EN);
        let english = if n == 1 {
            "1 section, 1 requirement".to_string()
        } else {
            format!("{n} sections, {n} requirements")
        };
        assert!(said.contains("Nothing changed"), "{n}: {said}");
        let list = cli.says(&["standard", "list"], EN);
        assert!(list.contains(&english), "{n}: {list}");
    }
}

#[test]
fn broken_standards_are_explained_in_russian_with_russian_places() {
    for name in [
        "broken-multi.csv",
        "broken-missing-column.csv",
        "broken-syntax.json",
        "broken.xlsx",
    ] {
        let cli = Cli::new();
        let err = cli.refused(
            &[
                "standard",
                "import",
                &path(&format!("standards/broken/{name}")),
            ],
            RU,
        );
        assert!(err.starts_with("error: "), "{name}: {err}");
        assert!(
            err.contains(&format!("{name} не импортирован")) && err.contains("ничего не записано"),
            "{name}: {err}"
        );
        assert!(
            err.contains("  строка "),
            "{name}: places say «строка»:\n{err}"
        );
        assert!(
            err.contains("hint: исправьте перечисленное выше"),
            "{name}: {err}"
        );
        for english in ["row ", "column ", "line ", "sheet ", "cell ", " MB", "KB"] {
            assert!(
                !err.contains(english),
                "{name}: {english:?} in Russian:\n{err}"
            );
        }
    }
    // The same file in English keeps English places.
    let err = Cli::new().refused(
        &[
            "standard",
            "import",
            &path("standards/broken/broken-multi.csv"),
        ],
        EN,
    );
    assert!(err.contains("  row 9, column kind: unknown kind"), "{err}");
}

#[test]
fn a_problem_count_takes_its_plural_in_both_languages() {
    let err = Cli::new().refused(
        &[
            "standard",
            "import",
            &path("standards/broken/broken-missing-column.csv"),
        ],
        RU,
    );
    assert!(err.contains(": 1 проблема;"), "{err}");
    let err = Cli::new().refused(
        &[
            "standard",
            "import",
            &path("standards/broken/broken-missing-column.csv"),
        ],
        EN,
    );
    assert!(err.contains(": 1 problem;"), "{err}");
}

#[test]
fn wrong_arguments_say_what_and_where_in_russian() {
    let cli = Cli::new();
    cli.json(&["standard", "import", &path("standards/sample.json")]);
    cli.json(&["store", "add", "S", "Store"]);
    let err = cli.refused(
        &[
            "audit",
            "new",
            "--store",
            "S",
            "--shift",
            "opening",
            "--date",
            "20.11.2026",
            "--auditor",
            "A",
        ],
        RU,
    );
    assert!(
        err.starts_with("error: дата: «20.11.2026» — не дата; пишите ГГГГ-ММ-ДД"),
        "{err}"
    );
    let err = cli.refused(
        &[
            "audit",
            "new",
            "--store",
            "S",
            "--shift",
            "opening",
            "--date",
            "2026-11-20",
            "--auditor",
            " ",
        ],
        RU,
    );
    assert!(
        err.contains("проверяющий: поле «проверяющий» не заполнено"),
        "{err}"
    );
    let err = cli.refused(
        &[
            "audit",
            "new",
            "--store",
            "NOPE",
            "--shift",
            "opening",
            "--date",
            "2026-11-20",
            "--auditor",
            "A",
        ],
        RU,
    );
    assert!(
        err.contains("Магазин «NOPE» не найден") && err.contains("hint: добавьте магазин"),
        "{err}"
    );
    let id = new_audit(&cli, "SAMPLE-01");
    let err = cli.refused(&["audit", "answer", &id, "99.99", "pass"], RU);
    assert!(err.contains("Требование «99.99» не найдено"), "{err}");
    let err = cli.refused(&["audit", "complete", &id], RU);
    assert!(
        err.contains("проверку пока нельзя завершить: ")
            && err.contains(" без ответа (")
            && err.contains("hint: ответьте на перечисленные требования"),
        "{err}"
    );
    // What clap refuses is said in Russian too, naming the option and the value.
    let err = cli.refused(
        &[
            "audit",
            "new",
            "--store",
            "S",
            "--shift",
            "night",
            "--date",
            "2026-11-20",
            "--auditor",
            "A",
        ],
        RU,
    );
    assert!(
        err.starts_with(
            "error: --shift <SHIFT>: «night» — недопустимое значение; допустимы opening,"
        ),
        "{err}"
    );
    // The option and its values are what the person types; clap's English sentences are gone.
    for english in [
        "invalid value",
        "possible values",
        "For more information",
        "Usage",
    ] {
        assert!(
            !err.contains(english),
            "{english:?} under a Russian locale: {err}"
        );
    }
    let err = cli.refused(&["audit", "photo", &id, "2.1"], RU);
    assert!(
        err.starts_with("error: не хватает параметров: <FILES>"),
        "{err}"
    );
    let err = cli.refused(&["audit", "show", &id, "--frob"], RU);
    assert!(
        err.starts_with("error: у этой команды нет параметра --frob"),
        "{err}"
    );
    let folder = cli._dir.path().display().to_string();
    let err = cli.refused(
        &["audit", "sign", &id, "--signer", "A", "--out", &folder],
        RU,
    );
    assert!(err.contains("это папка; укажите имя файла"), "{err}");
    assert_no_english("audit sign --out FOLDER", &err);
}

#[test]
fn json_stays_the_same_whatever_the_language() {
    let cli = Cli::new();
    let out = cli.run_in(
        &[
            "standard",
            "import",
            &path("standards/sample.json"),
            "--json",
        ],
        RU,
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    for key in ["code", "version", "sections", "requirements"] {
        assert!(!v[key].is_null(), "{key} in {v}");
    }
    let ru = cli.run_in(&["standard", "list", "--json"], RU).stdout;
    let en = cli.run_in(&["standard", "list", "--json"], EN).stdout;
    assert_eq!(ru, en, "the JSON document does not depend on the language");
}
