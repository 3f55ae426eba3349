//! A bundle changed on the way, or made to do harm, is refused whole with a reason that says
//! what and where, and HQ stays exactly as it was.

mod common;

use std::path::{Path, PathBuf};

use common::{
    Entries, Laptop, accept, entries, hq, manifest_of, refuse, relist, resign, sign, write,
};
use storecheck_core::model::AuditStatus;
use storecheck_sync::DeviceKey;
use storecheck_sync::manifest::{MANIFEST, SIGNATURE};

fn flip_byte(entries: &mut Entries, prefix: &str) -> String {
    let (name, bytes) = entries
        .iter_mut()
        .find(|(n, _)| n.starts_with(prefix))
        .expect("entry");
    let i = bytes.len() / 2;
    bytes[i] ^= 0x01;
    name.clone()
}

struct Case {
    _laptop: Laptop,
    bundle: PathBuf,
    dir: tempfile::TempDir,
}

/// A signed audit's bundle (one audit, three photos, its PDF).
fn case() -> Case {
    let mut laptop = Laptop::new(11);
    let id = laptop.audits(AuditStatus::Completed)[0];
    laptop.sign(id);
    let bundle = laptop.export();
    Case {
        _laptop: laptop,
        bundle,
        dir: tempfile::tempdir().expect("dir"),
    }
}

impl Case {
    fn variant(&self, name: &str, change: impl FnOnce(&mut Entries)) -> PathBuf {
        let mut e = entries(&self.bundle);
        change(&mut e);
        let path = self.dir.path().join(name);
        write(&e, &path);
        path
    }

    fn key(&self) -> &DeviceKey {
        &self._laptop.key
    }
}

#[test]
fn one_changed_byte_anywhere_is_refused_naming_the_part() {
    let c = case();
    let (_d, mut hq) = hq();
    for (prefix, expect) in [
        ("audits.ndjson", "audits.ndjson"),
        ("standards.ndjson", "standards.ndjson"),
        ("stores.ndjson", "stores.ndjson"),
        ("photos/", "photos/"),
        ("reports/", "reports/"),
    ] {
        let mut changed = String::new();
        let file = c.variant(&format!("flip-{}.zip", prefix.replace('/', "")), |e| {
            changed = flip_byte(e, prefix);
        });
        let reason = refuse(&mut hq, &file);
        assert!(
            reason.starts_with(&changed)
                && reason.contains("was changed")
                && reason.contains(expect),
            "{prefix}: {reason}"
        );
    }
    for part in [MANIFEST, SIGNATURE] {
        let file = c.variant(&format!("flip-{part}"), |e| {
            let (_, bytes) = e.iter_mut().find(|(n, _)| n == part).expect("entry");
            // A digit of the sequence number in the manifest; a character of the signature.
            let at = bytes.len() / 2;
            bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        });
        let reason = refuse(&mut hq, &file);
        assert!(
            reason.contains("signature is not valid"),
            "{part}: {reason}"
        );
    }
    // The untouched bundle still goes in: the refusals left nothing half-done.
    assert_eq!(accept(&mut hq, &c.bundle), (1, 0));
}

#[test]
fn a_replayed_bundle_under_another_number_is_refused() {
    let c = case();
    let file = c.variant("replay.zip", |e| {
        let mut m = manifest_of(e);
        m.sequence = 7;
        let bytes = serde_json::to_vec_pretty(&m).expect("json");
        e.iter_mut()
            .find(|(n, _)| n == MANIFEST)
            .expect("manifest")
            .1 = bytes;
    });
    let (_d, mut hq) = hq();
    let reason = refuse(&mut hq, &file);
    assert!(
        reason.contains("manifest.json") && reason.contains("signature"),
        "{reason}"
    );
}

#[test]
fn missing_added_and_unsafe_entries_are_refused() {
    let c = case();
    let (_d, mut hq) = hq();
    let removed = c.variant("removed.zip", |e| {
        e.retain(|(n, _)| !n.starts_with("photos/"))
    });
    assert!(refuse(&mut hq, &removed).contains("is missing"));
    let added = c.variant("added.zip", |e| {
        e.push((format!("photos/{}.jpg", "a".repeat(64)), b"extra".to_vec()));
    });
    assert!(refuse(&mut hq, &added).contains("not listed in the manifest"));
    for evil in [
        "../../etc/cron.d/x",
        "/etc/passwd",
        "photos/../../x.jpg",
        "C:\\x.pdf",
        "notes.txt",
    ] {
        let file = c.variant("evil.zip", |e| e.push((evil.to_string(), b"x".to_vec())));
        let reason = refuse(&mut hq, &file);
        assert!(
            reason.contains("not a name a bundle may hold"),
            "{evil}: {reason}"
        );
        assert!(!Path::new("/etc/cron.d/x").exists());
    }
    let truncated = c.dir.path().join("truncated.zip");
    let bytes = std::fs::read(&c.bundle).expect("read");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write");
    assert!(refuse(&mut hq, &truncated).contains("not a readable ZIP"));
    let empty = c.dir.path().join("empty.zip");
    std::fs::write(&empty, b"").expect("write");
    assert!(
        refuse(&mut hq, &empty).contains("not a sync bundle, a store database or a signed PDF")
    );
}

#[test]
fn duplicate_names_are_refused() {
    let c = case();
    // Two entries whose names differ in one letter, then made the same in the archive's bytes.
    let file = c.variant("dup.zip", |e| {
        let photo = e
            .iter()
            .find(|(n, _)| n.starts_with("photos/"))
            .expect("photo")
            .clone();
        let twin = photo.0.replacen("photos/", "photoz/", 1);
        e.push((twin, photo.1));
    });
    let mut bytes = std::fs::read(&file).expect("read");
    let from = b"photoz/";
    let mut i = 0;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(b"photos/");
        }
        i += 1;
    }
    std::fs::write(&file, bytes).expect("write");
    let (_d, mut hq) = hq();
    assert!(refuse(&mut hq, &file).contains("same name"));
}

#[test]
fn a_manifest_that_lies_about_sizes_is_refused_even_when_signed() {
    let c = case();
    let file = c.variant("lies.zip", |e| {
        let mut m = manifest_of(e);
        relist(e, &mut m);
        let photo = m
            .entries
            .iter_mut()
            .find(|x| x.name.starts_with("photos/"))
            .expect("photo");
        photo.size -= 100;
        sign(e, &m, c.key());
    });
    let (_d, mut hq) = hq();
    let reason = refuse(&mut hq, &file);
    assert!(reason.contains("the manifest says"), "{reason}");
}

#[test]
fn another_key_for_a_known_device_is_refused() {
    let c = case();
    let (_d, mut hq) = hq();
    let stranger = DeviceKey::from_seed([7; 32]).expect("key");
    let forged = c.variant("forged.zip", |e| {
        let mut m = manifest_of(e);
        m.sequence = 2;
        sign(e, &m, &stranger);
    });
    accept(&mut hq, &c.bundle);
    let reason = refuse(&mut hq, &forged);
    assert!(reason.contains("another key"), "{reason}");
}

#[test]
fn a_bundle_from_a_newer_storecheck_is_refused_as_such() {
    let c = case();
    let file = c.variant("newer.zip", |e| {
        let mut m = manifest_of(e);
        m.format = storecheck_sync::manifest::FORMAT + 1;
        sign(e, &m, c.key());
    });
    let (_d, mut hq) = hq();
    let reason = refuse(&mut hq, &file);
    let newer = format!("format {}", storecheck_sync::manifest::FORMAT + 1);
    assert!(
        reason.contains("newer StoreCheck") && reason.contains(&newer),
        "{reason}"
    );
}

#[test]
fn a_draft_or_a_standard_that_is_not_its_content_is_refused_even_when_signed() {
    let c = case();
    let (_d, mut hq) = hq();
    let draft = c.variant("draft.zip", |e| {
        let (_, audits) = e
            .iter_mut()
            .find(|(n, _)| n == "audits.ndjson")
            .expect("audits");
        let text = String::from_utf8(audits.clone()).expect("utf-8");
        *audits = text
            .replacen("\"status\":\"signed\"", "\"status\":\"draft\"", 1)
            .into_bytes();
        resign(e, c.key());
    });
    assert!(refuse(&mut hq, &draft).contains("is a draft"));
    let standard = c.variant("standard.zip", |e| {
        let (_, s) = e
            .iter_mut()
            .find(|(n, _)| n == "standards.ndjson")
            .expect("standards");
        let text = String::from_utf8(s.clone()).expect("utf-8");
        *s = text
            .replacen("\"weight\":1.0", "\"weight\":9.0", 1)
            .into_bytes();
        resign(e, c.key());
    });
    let reason = refuse(&mut hq, &standard);
    assert!(reason.contains("do not match its content"), "{reason}");
}

#[test]
fn an_entry_bigger_than_allowed_is_refused_before_it_is_read() {
    // A table that inflates to 32 MiB under a limit of 1 MiB: refused from the manifest and
    // the archive's directory, never inflated.
    let c = case();
    let file = c.variant("bomb.zip", |e| {
        e.retain(|(n, _)| n != "stores.ndjson");
        e.insert(0, ("stores.ndjson".into(), vec![b' '; 32 << 20]));
        resign(e, c.key());
    });
    let limits = storecheck_sync::read::Limits {
        table_bytes: 1 << 20,
        ..Default::default()
    };
    let refusal =
        storecheck_sync::read::read_bundle(&file, "bomb.zip", limits).expect_err("refused");
    assert!(
        matches!(refusal.problem, storecheck_sync::Problem::EntryTooLarge { ref name, bytes, .. } if name == "stores.ndjson" && bytes == 32 << 20),
        "{refusal}"
    );
}

#[test]
fn rows_that_differ_from_their_signed_pdf_are_refused_even_in_a_signed_bundle() {
    let c = case();
    let file = c.variant("rows.zip", |e| {
        let (_, audits) = e
            .iter_mut()
            .find(|(n, _)| n == "audits.ndjson")
            .expect("audits");
        let text = String::from_utf8(audits.clone()).expect("utf-8");
        assert!(text.contains("\"auditor\":\"Анна Смирнова\""));
        *audits = text
            .replacen(
                "\"auditor\":\"Анна Смирнова\"",
                "\"auditor\":\"Кто-то другой\"",
                1,
            )
            .into_bytes();
        resign(e, c.key());
    });
    let (_d, mut hq) = hq();
    let reason = refuse(&mut hq, &file);
    assert!(
        reason.contains("differ from the data inside its signed PDF (auditor)"),
        "{reason}"
    );
}

#[test]
fn a_bundle_numbered_zero_or_beyond_any_laptop_is_refused_even_when_signed() {
    // Found by fuzzing: number 0 (or one past i64) failed HQ's own database check, an error
    // instead of a refusal; a number near 2^63 was taken, and listing the bundles missing
    // below it never ended.
    let c = case();
    let (_d, mut hq) = hq();
    for sequence in [0, 1_000_001, i64::MAX as u64, u64::MAX] {
        let file = c.variant(&format!("sequence-{sequence}.zip"), |e| {
            let mut m = manifest_of(e);
            m.sequence = sequence;
            sign(e, &m, c.key());
        });
        let reason = refuse(&mut hq, &file);
        assert!(
            reason.starts_with("manifest.json")
                && reason.contains(&format!("numbers the bundle {sequence}")),
            "{sequence}: {reason}"
        );
    }
    assert_eq!(hq.gaps().expect("gaps"), []);
    assert_eq!(accept(&mut hq, &c.bundle), (1, 0));
}

/// Changes the first audit of the bundle's `audits.ndjson` as JSON, then lists and signs the
/// bundle again with the laptop's key.
fn change_audit(e: &mut Entries, key: &DeviceKey, change: impl FnOnce(&mut serde_json::Value)) {
    let (_, audits) = e
        .iter_mut()
        .find(|(n, _)| n == "audits.ndjson")
        .expect("audits");
    let text = String::from_utf8(audits.clone()).expect("utf-8");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut sent: serde_json::Value = serde_json::from_str(&lines[0]).expect("json");
    change(&mut sent["audit"]);
    lines[0] = sent.to_string();
    *audits = format!("{}\n", lines.join("\n")).into_bytes();
    resign(e, key);
}

#[test]
fn rows_under_an_id_another_row_has_are_refused_even_when_signed() {
    // Found by fuzzing: two answers under one id, in the file or one in the file and one at
    // HQ, failed HQ's own database (an error, no line in the import log) instead of a refusal.
    let mut laptop = Laptop::new(12);
    let bundle = laptop.export();
    let c = Case {
        bundle,
        dir: tempfile::tempdir().expect("dir"),
        _laptop: laptop,
    };
    let key = c.key();
    let twice = c.variant("twice.zip", |e| {
        change_audit(e, key, |a| {
            a["answers"][1]["id"] = a["answers"][0]["id"].clone()
        });
    });
    let elsewhere = c.variant("elsewhere.zip", |e| {
        change_audit(e, key, |a| {
            a["id"] = serde_json::json!("0190f5a0-0000-7000-8000-000000000001");
        });
    });
    let (_d, mut hq) = hq();
    let reason = refuse(&mut hq, &twice);
    assert!(reason.contains("is already another row's"), "{reason}");
    accept(&mut hq, &c.bundle);
    let reason = refuse(&mut hq, &elsewhere);
    assert!(
        reason.starts_with("audit 0190f5a0-0000-7000-8000-000000000001")
            && reason.contains("is already another row's"),
        "{reason}"
    );
}

/// Every file under `dir`, as paths relative to it.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path.display().to_string());
        }
    }
    out
}

#[test]
fn a_bundle_refused_at_its_last_photo_leaves_none_of_its_files_at_hq() {
    // Found by fuzzing: the photos HQ lacked were written one by one as they were checked, and
    // a refusal at a later one (its bytes not the hash that names it) left the earlier ones
    // in HQ's folder, with no row naming them.
    let c = case();
    let file = c.variant("photo.zip", |e| {
        let last = e
            .iter()
            .map(|(n, _)| n.clone())
            .filter(|n| n.starts_with("photos/"))
            .max()
            .expect("a photo");
        flip_byte(e, &last);
        resign(e, c.key());
    });
    let (_d, mut hq) = hq();
    let reason = refuse(&mut hq, &file);
    assert!(reason.contains("its bytes are not the SHA-256"), "{reason}");
    assert_eq!(hq.file_names().expect("files"), Vec::<String>::new());
    let local = hq.files().local_dir().to_path_buf();
    assert_eq!(files_under(&local), Vec::<String>::new());
    assert!(!local.join("photos").exists(), "no folder left either");
    assert_eq!(accept(&mut hq, &c.bundle), (1, 0));
    let photos = |hq: &storecheck_hq::HqDb| {
        let names = hq.file_names().expect("files");
        names.iter().filter(|n| n.starts_with("photos/")).count()
    };
    assert_eq!(photos(&hq), 3);
    if matches!(hq.files(), storecheck_hq::files::Files::Table { .. }) {
        assert_eq!(
            files_under(&local),
            Vec::<String>::new(),
            "a PostgreSQL HQ keeps its files in the database, none on the computer it runs on"
        );
    }
}

/// Changes `standards.ndjson` line by line as JSON, then lists and signs the bundle again.
fn change_standards(
    e: &mut Entries,
    key: &DeviceKey,
    change: impl FnOnce(&mut Vec<serde_json::Value>),
) {
    let (_, table) = e
        .iter_mut()
        .find(|(n, _)| n == "standards.ndjson")
        .expect("standards");
    let text = String::from_utf8(table.clone()).expect("utf-8");
    let mut lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    change(&mut lines);
    let lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    *table = format!("{}\n", lines.join("\n")).into_bytes();
    resign(e, key);
}

#[test]
fn a_standard_under_another_id_with_sections_hq_holds_is_refused_even_when_signed() {
    // Found by fuzzing: a standard's content hash does not cover its ids, so a copy under a new
    // id, with the sections and requirements of the one HQ holds (or of another copy in the
    // same file), failed HQ's own database instead of being refused.
    let c = case();
    let new_id = serde_json::json!("0190f5a0-0000-7000-8000-0000000000aa");
    let renamed = c.variant("renamed.zip", |e| {
        change_standards(e, c.key(), |s| s[0]["id"] = new_id.clone());
    });
    let twice = c.variant("twice.zip", |e| {
        change_standards(e, c.key(), |s| {
            let mut copy = s[0].clone();
            copy["id"] = new_id.clone();
            s.push(copy);
        });
    });
    let (_d, mut hq) = hq();
    let reason = refuse(&mut hq, &twice);
    assert!(reason.contains("do not match its content"), "{reason}");
    accept(&mut hq, &c.bundle);
    let reason = refuse(&mut hq, &renamed);
    assert!(
        reason.starts_with("standard ") && reason.contains("do not match its content"),
        "{reason}"
    );
}

#[test]
fn a_standard_under_ids_that_are_not_its_own_is_refused_even_when_signed() {
    let c = case();
    let file = c.variant("ids.zip", |e| {
        let (_, s) = e
            .iter_mut()
            .find(|(n, _)| n == "standards.ndjson")
            .expect("standards");
        let mut standard: serde_json::Value = serde_json::from_slice(s).expect("json");
        // Another requirement id: the content and its hash are untouched.
        standard["sections"][0]["requirements"][0]["id"] =
            serde_json::Value::String("01930000-0000-7000-8000-000000000001".into());
        let mut line = serde_json::to_vec(&standard).expect("json");
        line.push(b'\n');
        *s = line;
        resign(e, c.key());
    });
    let (_d, mut hq) = hq();
    let reason = refuse(&mut hq, &file);
    assert!(reason.contains("do not match its content"), "{reason}");
}

#[test]
fn an_unsigned_audit_carrying_a_signed_report_is_refused_even_when_signed() {
    let c = case();
    let file = c.variant("unsigned-with-report.zip", |e| {
        let (_, audits) = e
            .iter_mut()
            .find(|(n, _)| n == "audits.ndjson")
            .expect("audits");
        let text = String::from_utf8(audits.clone()).expect("utf-8");
        *audits = text
            .replacen("\"status\":\"signed\"", "\"status\":\"completed\"", 1)
            .into_bytes();
        resign(e, c.key());
    });
    let (_d, mut hq) = hq();
    let reason = refuse(&mut hq, &file);
    assert!(
        reason.contains("is not signed but carries a signed report"),
        "{reason}"
    );
}
