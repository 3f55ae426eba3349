//! Attaching one 12-megapixel JPEG (PRODUCT.md §10: ≤ 0.15 s): read, hash, decode, display copy,
//! thumbnail, three files flushed to disk and the rows committed. Beside it, in the same run,
//! `vipsthumbnail` making a 1600-pixel copy of the same file (the whole process, as a user
//! would run it). Each round attaches a different photo: the same picture with a distinct
//! comment segment, so the content-addressed store never short-cuts.
//!
//! `STORECHECK_BENCH_PHOTO=photo.jpg cargo bench -p storecheck-core --bench attach_photo`
//! (`scripts/bench.sh` makes a 4000×3000 photo and runs this).

// A benchmark runs as the program does: the system clock, real ids, and its input named by
// the environment.
#![allow(clippy::disallowed_methods)]

use std::process::Command;
use std::time::Instant;

use storecheck_core::Db;
use storecheck_core::audit::NewAudit;
use storecheck_core::import::parse_standard;
use storecheck_core::model::ShiftPart;
use storecheck_core::photo::{Limits, prepare_file};

const ROUNDS: usize = 15;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let Some(photo) = std::env::var_os("STORECHECK_BENCH_PHOTO") else {
        eprintln!("set STORECHECK_BENCH_PHOTO to a large JPEG (scripts/bench.sh makes one)");
        std::process::exit(2);
    };
    let original = std::fs::read(&photo).expect("read the photo");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut db = Db::open(
        &dir.path().join("bench.db"),
        storecheck_core::db::Inputs::system(None),
    )
    .expect("open");
    let draft = parse_standard(
        "bench.csv",
        b"section,code,requirement,kind,photo\nFloor,1,Window display,check,required\n",
    )
    .expect("standard");
    db.publish_standard(&draft).expect("publish");
    db.add_store("B", "Bench", None).expect("store");
    let audit = db
        .create_audit(&NewAudit {
            store_code: "B".into(),
            shift_date: "2026-11-22".into(),
            shift: ShiftPart::Day,
            auditor: "Bench".into(),
            observed: None,
            standard: None,
        })
        .expect("audit");

    let mut ours = Vec::new();
    let mut size = (0, 0);
    for round in 0..=ROUNDS {
        // SOI, then a COM segment naming the round, then the rest of the file.
        let mut bytes = original[..2].to_vec();
        let comment = format!("round {round}");
        bytes.extend_from_slice(&[0xFF, 0xFE]);
        bytes.extend_from_slice(&((comment.len() + 2) as u16).to_be_bytes());
        bytes.extend_from_slice(comment.as_bytes());
        bytes.extend_from_slice(&original[2..]);
        let path = dir.path().join(format!("IMG_{round:04}.jpg"));
        std::fs::write(&path, &bytes).expect("write");
        let t = Instant::now();
        let p = prepare_file(&path, &Limits::default()).expect("prepare");
        size = (p.width, p.height);
        db.attach_photos(audit, "1", &[p]).expect("attach");
        if round > 0 {
            ours.push(t.elapsed().as_secs_f64());
        }
    }

    let mut peer = Vec::new();
    let out = dir.path().join("vips-%s.jpg");
    for round in 0..=ROUNDS {
        let t = Instant::now();
        let status = Command::new("vipsthumbnail")
            .arg(&photo)
            .args(["-s", "1600", "-o"])
            .arg(&out)
            .status();
        match status {
            Ok(s) if s.success() => {
                if round > 0 {
                    peer.push(t.elapsed().as_secs_f64());
                }
            }
            _ => break,
        }
    }

    let mb = original.len() as f64 / 1_048_576.0;
    let ours = median(ours);
    println!(
        "  storecheck attach   median {:>6.3} s   ({}×{} JPEG, {mb:.1} MB, {ROUNDS} rounds; target <= 0.150 s)",
        ours, size.0, size.1
    );
    if peer.is_empty() {
        println!("  vipsthumbnail       not found (apt install libvips-tools)");
    } else {
        let peer = median(peer);
        println!(
            "  vipsthumbnail -s 1600   median {peer:>6.3} s   (whole process)   ratio {:.2}",
            ours / peer
        );
    }
}
