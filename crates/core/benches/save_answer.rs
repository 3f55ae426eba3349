//! Saving one answer durably (PRODUCT.md §10: p99 ≤ 5 ms), beside a bare durable SQLite
//! INSERT on the same disk in the same run. Run with `scripts/bench.sh` or
//! `cargo bench -p storecheck-core --bench save_answer`.

use std::time::Instant;

use storecheck_core::Db;
use storecheck_core::audit::{AnswerInput, NewAudit};
use storecheck_core::import::parse_standard;
use storecheck_core::model::{Response, ShiftPart};

const SAVES: usize = 2000;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut db = Db::open(
        &dir.path().join("bench.db"),
        storecheck_core::db::Inputs::system(None),
    )
    .expect("open");
    // A 60-requirement standard, like a real shift form.
    let mut csv = String::from("section,code,requirement,kind,min,max\n");
    for i in 0..60 {
        let (kind, min, max) = match i % 4 {
            1 => ("scale", "0", "5"),
            2 => ("number", "4", ""),
            _ => ("check", "", ""),
        };
        csv.push_str(&format!(
            "Section {},{i},Requirement number {i},{kind},{min},{max}\n",
            i / 8
        ));
    }
    let draft = parse_standard("bench.csv", csv.as_bytes()).expect("standard");
    db.publish_standard(&draft).expect("publish");
    db.add_store("B", "Bench", None).expect("store");
    let id = db
        .create_audit(&NewAudit {
            store_code: "B".into(),
            shift_date: "2026-11-22".into(),
            shift: ShiftPart::Day,
            auditor: "Bench".into(),
            observed: None,
            standard: None,
        })
        .expect("audit");

    let mut times = Vec::with_capacity(SAVES);
    for n in 0..SAVES {
        let i = n % 60;
        let response = match i % 4 {
            1 => Response::Value((n % 6) as f64),
            2 => Response::Value(5.0),
            _ if n % 3 == 0 => Response::Fail,
            _ => Response::Pass,
        };
        let t = Instant::now();
        db.save_answer(
            id,
            &i.to_string(),
            &AnswerInput {
                response: Some(response),
                note: Some(format!("note {n}")),
            },
        )
        .expect("save");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);

    // The peer: the cheapest durable write SQLite can do here (WAL, synchronous=FULL, one row).
    let raw = rusqlite::Connection::open(dir.path().join("raw.db")).expect("raw");
    raw.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);").expect("schema");
    let mut peer = Vec::with_capacity(SAVES);
    for n in 0..SAVES {
        let t = Instant::now();
        raw.execute("INSERT INTO t(v) VALUES (?1)", [format!("note {n}")])
            .expect("insert");
        peer.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    peer.sort_by(f64::total_cmp);

    println!("save one answer (durable), {SAVES} saves:");
    println!(
        "  storecheck save_answer     p50 {:6.2} ms   p99 {:6.2} ms   (target p99 <= 5 ms)",
        percentile(&times, 0.5),
        percentile(&times, 0.99)
    );
    println!(
        "  peer: bare SQLite INSERT   p50 {:6.2} ms   p99 {:6.2} ms",
        percentile(&peer, 0.5),
        percentile(&peer, 0.99)
    );
}
