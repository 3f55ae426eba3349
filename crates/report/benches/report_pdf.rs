//! The signed PDF of a 60-requirement audit with 20 photos from 12-megapixel originals
//! (PRODUCT.md §10: ≤ 0.3 s and ≤ 5 MB), beside headless Chromium printing the same report
//! written as HTML (the photos as `<img>` of the originals, as a web page would have them),
//! measured in the same run.
//!
//! `STORECHECK_BENCH_PHOTOS=DIR cargo bench -p storecheck-report --bench report_pdf`, where
//! DIR holds at least 20 large JPEGs (`scripts/bench.sh` makes them).

// A benchmark runs as the program does: its input is named by the environment.
#![allow(clippy::disallowed_methods)]

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use storecheck_core::audit::{AnswerInput, NewAudit};
use storecheck_core::import::parse_standard;
use storecheck_core::model::{Response, ShiftPart};
use storecheck_core::photo::{Limits, Variant, prepare_file};
use storecheck_core::{Db, Lang};
use storecheck_report::sign::{Signer, sign_pdf};
use storecheck_report::{Options, ReportInput, SignatureBlock, render};

const ROUNDS: usize = 10;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn main() {
    let Some(dir) = std::env::var_os("STORECHECK_BENCH_PHOTOS") else {
        eprintln!(
            "set STORECHECK_BENCH_PHOTOS to a folder of 20 large JPEGs (scripts/bench.sh makes one)"
        );
        std::process::exit(2);
    };
    let mut originals: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "jpg"))
            .collect(),
        Err(e) => {
            eprintln!("cannot read the photo folder {}: {e}", dir.display());
            std::process::exit(2);
        }
    };
    originals.sort();
    originals.truncate(20);
    if originals.len() < 20 {
        eprintln!(
            "{} holds {} JPEG photos; the figure needs 20 (scripts/bench.sh makes them)",
            PathBuf::from(&dir).display(),
            originals.len()
        );
        std::process::exit(2);
    }

    let tmp = tempfile::tempdir().expect("temp dir");
    let at = Utc
        .with_ymd_and_hms(2026, 11, 22, 18, 0, 0)
        .single()
        .expect("time");
    let mut db = Db::open(
        &tmp.path().join("bench.db"),
        storecheck_core::db::Inputs::seeded(std::sync::Arc::new(move || at), 1),
    )
    .expect("open");
    let mut csv = String::from("section,code,requirement,kind,min,max\n");
    for i in 0..60 {
        let (kind, min, max) = match i % 4 {
            1 => ("scale", "0", "5"),
            2 => ("number", "4", ""),
            _ => ("check", "", ""),
        };
        let _ = writeln!(
            csv,
            "Раздел {},{}.{},\"Требование номер {i}: продавец приветствует покупателя и предлагает помощь в течение минуты\",{kind},{min},{max}",
            i / 8 + 1,
            i / 8 + 1,
            i % 8 + 1
        );
    }
    let standard = parse_standard("bench.csv", csv.as_bytes()).expect("standard");
    db.publish_standard(&standard).expect("publish");
    db.add_store("MSK-01", "Тверская, 12", Some("Москва"))
        .expect("store");
    let id = db
        .create_audit(&NewAudit {
            store_code: "MSK-01".into(),
            shift_date: "2026-11-22".into(),
            shift: ShiftPart::Day,
            auditor: "Анна Смирнова".into(),
            observed: Some("Ольга Петрова".into()),
            standard: None,
        })
        .expect("audit");
    let view = db.load_audit(id).expect("load");
    let reqs: Vec<_> = view.standard.requirements().cloned().collect();
    for (i, r) in reqs.iter().enumerate() {
        let response = match i % 4 {
            1 => Response::Value(4.0),
            2 => Response::Value(5.0),
            _ if i % 6 == 0 => Response::Fail,
            _ => Response::Pass,
        };
        let note = (i % 6 == 0).then(|| {
            "Замечание проверяющего: на полке нет ценников, товар разложен не по размерам"
                .to_string()
        });
        db.save_answer(
            id,
            &r.code,
            &AnswerInput {
                response: Some(response),
                note,
            },
        )
        .expect("answer");
    }
    for (i, path) in originals.iter().enumerate() {
        let p = prepare_file(path, &Limits::default()).expect("photo");
        db.attach_photos(id, &reqs[i * 3].code, &[p])
            .expect("attach");
    }
    db.complete_audit(id).expect("complete");
    let view = db.load_audit(id).expect("load");
    let store = db.photo_store().expect("store").clone();
    let signer = Signer::load_or_create(&tmp.path().join("keys"), "Анна Смирнова", at, db.ids())
        .expect("key");
    let block = SignatureBlock {
        signer: "Анна Смирнова".into(),
        signed_at: at,
        drawn: None,
        acknowledged_by: Some("Ольга Петрова".into()),
        acknowledgement: None,
    };
    let options = Options {
        lang: Lang::Ru,
        report_id: db.ids().next(),
        generated_at: at,
        utc_offset: chrono::FixedOffset::east_opt(0).expect("offset"),
    };

    let mut ours = Vec::new();
    let mut size = 0;
    for _ in 0..=ROUNDS {
        let t = Instant::now();
        // What signing does once the audit is loaded: take the audit's data, read the display
        // copies, render (the data embedded), sign.
        let data = serde_json::to_vec(&db.signed_audit_data(id).expect("data")).expect("JSON");
        let photos: HashMap<String, Vec<u8>> = view
            .photos
            .iter()
            .map(|p| {
                let bytes =
                    std::fs::read(store.path(&p.sha256, Variant::Display)).expect("display");
                (p.sha256.clone(), bytes)
            })
            .collect();
        let pdf = render(
            &ReportInput {
                audit: &view,
                photos: &photos,
                signature: Some(&block),
                revises: None,
                data: Some(&data),
            },
            &options,
        )
        .expect("render");
        let signed = sign_pdf(&pdf, &signer, at, "bench").expect("sign");
        ours.push(t.elapsed().as_secs_f64());
        size = signed.len();
        std::fs::write(tmp.path().join("report.pdf"), &signed).expect("write");
    }
    ours.remove(0); // the first round warms the page cache

    // The same report as HTML, printed by headless Chromium.
    let mut html = String::from(
        "<!doctype html><meta charset=utf-8><style>body{font-family:sans-serif;font-size:10pt} img{width:48%;margin:1%} .f{color:#b22}</style>",
    );
    let _ = write!(
        html,
        "<h1>Отчёт о проверке</h1><p>{} · {} · {}</p><h2>Оценка по разделам</h2><table>",
        esc(&view.header.store.name),
        view.header.shift_date,
        esc(&view.header.auditor)
    );
    for s in &view.score.sections {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{:.1} %</td></tr>",
            esc(&s.title),
            s.score.unwrap_or(0.0)
        );
    }
    html.push_str("</table><h2>Несоответствия</h2>");
    for f in &view.score.findings {
        let _ = write!(
            html,
            "<p class=f><b>{}</b> {}<br>{}</p>",
            f.code,
            esc(&f.text),
            esc(f.note.as_deref().unwrap_or(""))
        );
    }
    html.push_str("<h2>Все требования</h2>");
    let original_of: HashMap<&str, &PathBuf> = view
        .photos
        .iter()
        .zip(&originals)
        .map(|(p, o)| (p.code.as_str(), o))
        .collect();
    for r in &reqs {
        let a = view.answers.iter().find(|a| a.requirement_id == r.id);
        let answer = a
            .and_then(|a| a.response.as_ref())
            .map(Response::to_cli)
            .unwrap_or_default();
        let _ = write!(html, "<p>{} {} — {answer}</p>", r.code, esc(&r.text));
        if let Some(o) = original_of.get(r.code.as_str()) {
            let _ = write!(html, "<img src=\"file://{}\">", o.display());
        }
    }
    let html_path = tmp.path().join("report.html");
    std::fs::write(&html_path, html).expect("html");
    let out = tmp.path().join("chromium.pdf");
    let mut peer = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let status = Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-pdf-header-footer",
            ])
            .arg(format!(
                "--user-data-dir={}",
                tmp.path().join("chromium-profile").display()
            ))
            .arg(format!("--print-to-pdf={}", out.display()))
            .arg(format!("file://{}", html_path.display()))
            .stderr(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .status();
        match status {
            Ok(s) if s.success() => peer.push(t.elapsed().as_secs_f64()),
            _ => break,
        }
    }

    let mb = |b: u64| b as f64 / 1_048_576.0;
    let ours = median(ours);
    println!(
        "  storecheck render + sign   median {ours:>6.3} s   {:>5.1} MB   (60 requirements, 20 photos; target <= 0.3 s, <= 5 MB)",
        mb(size as u64)
    );
    if peer.is_empty() {
        println!("  chromium --print-to-pdf    not found (apt-get install chromium)");
    } else {
        let peer_s = median(peer);
        let peer_size = std::fs::metadata(&out).map_or(0, |m| m.len());
        println!(
            "  chromium --print-to-pdf    median {peer_s:>6.3} s   {:>5.1} MB   (the same report as HTML with the original photos)   ratio {:.3} in time, {:.2} in size",
            mb(peer_size),
            ours / peer_s,
            size as f64 / peer_size.max(1) as f64
        );
    }
}
