//! The HQ dashboard on a large chain (issue: every dashboard query and every drill-down within
//! 100 ms at 1,000,000 audits), each beside, in the same run, the naive query over the raw
//! rows (audits, sections, answers) that the rollups replace.
//!
//! The chain is made once by `storecheck_hq::synth` (the same write path as an import) and kept
//! at `target/bench/hq-chain-<audits>.db` (about 20 GB at 1,000,000 audits of the demo's 61
//! requirements; remove it when done): `STORECHECK_BENCH_CHAIN_AUDITS` (default 1,000,000),
//! 3,000 stores in 16 regions over two years, 1 % revised. Each query runs 5 times; the median
//! is printed.
//!
//! Then the BI export of about 100,000 audits (73 days) as XLSX, beside `sqlite3 -csv` writing
//! the same audits' and answers' rows.
//!
//! `cargo bench -p storecheck-hq --bench hq_dashboard`

// A benchmark runs as the program does: the system clock, real ids, and its input named by
// the environment.
#![allow(clippy::disallowed_methods)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use storecheck_core::db::{Clock, Inputs};
use storecheck_core::ids::Ids;
use storecheck_core::{Db, Lang};
use storecheck_hq::HqDb;
use storecheck_hq::dashboard::{Analytics, Filter, Focus, RowKind, Source};
use storecheck_hq::synth::{self, Chain};

const RUNS: usize = 5;

fn fail(what: &str) -> ! {
    eprintln!("{what}");
    std::process::exit(2);
}

fn median<T>(mut f: impl FnMut() -> T) -> Duration {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn ms(d: Duration) -> String {
    format!("{:>9.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let audits: usize = std::env::var("STORECHECK_BENCH_CHAIN_AUDITS")
        .ok()
        .map(|v| v.trim().parse().unwrap_or_else(|_| fail("not a count")))
        .unwrap_or(1_000_000);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    std::fs::create_dir_all(&root).unwrap_or_else(|e| fail(&e.to_string()));
    let path = root.join(format!("hq-chain-{audits}.db"));
    let ready = root.join(format!("hq-chain-{audits}.ready"));
    let clock: Clock = Arc::new(chrono::Utc::now);
    let chain = Chain {
        stores: 3_000,
        regions: 16,
        audits,
        first_day: NaiveDate::from_ymd_opt(2024, 12, 1).unwrap_or_default(),
        days: 730,
        revisions: 0.01,
        seed: 2026,
    };
    if !ready.exists() {
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_file(path.with_extension("db-wal"));
        let store_dir = tempfile::tempdir().unwrap_or_else(|e| fail(&e.to_string()));
        let mut store = Db::open(&store_dir.path().join("store.db"), Inputs::system(None))
            .unwrap_or_else(|e| fail(&e.to_string()));
        store
            .load_demo(Lang::Ru)
            .unwrap_or_else(|e| fail(&e.to_string()));
        let id = store
            .list_standards()
            .unwrap_or_else(|e| fail(&e.to_string()))[0]
            .id;
        let standard = store
            .standard_record(id)
            .unwrap_or_else(|e| fail(&e.to_string()));
        let mut hq = HqDb::open(&path, clock.clone(), Ids::from_os(clock.clone()))
            .unwrap_or_else(|e| fail(&e.to_string()));
        eprintln!(
            "making the chain: {audits} audits, {} stores, {} regions, {} days, into {}",
            chain.stores,
            chain.regions,
            chain.days,
            path.display()
        );
        let t = Instant::now();
        synth::generate_count(&mut hq, &standard, &chain).unwrap_or_else(|e| fail(&e.to_string()));
        eprintln!("made in {:.0} s", t.elapsed().as_secs_f64());
        drop(hq);
        std::fs::write(&ready, b"").unwrap_or_else(|e| fail(&e.to_string()));
    }
    let mut hq = HqDb::open(&path, clock.clone(), Ids::from_os(clock))
        .unwrap_or_else(|e| fail(&e.to_string()));
    let c = hq.connection();
    let count = |sql: &str| -> i64 {
        c.query_row(sql, (), |r| r.get(0))
            .unwrap_or_else(|e| fail(&e.to_string()))
    };
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "HQ dashboard: {} audits that count ({} held), {} answers, {} stores, database {:.1} GB",
        count("SELECT count(*) FROM audit WHERE current = 1"),
        count("SELECT count(*) FROM audit"),
        count("SELECT max(rowid) FROM answer"),
        count("SELECT count(*) FROM store"),
        bytes as f64 / 1_073_741_824.0
    );
    let region = synth::region_name(3);
    let store = synth::stores(&chain)[42].code.clone();
    let quarter = Filter {
        from: "2026-08-01".into(),
        to: "2026-10-31".into(),
        ..Filter::default()
    };
    let regional = Filter {
        region: Some(region.clone()),
        ..quarter.clone()
    };
    let one_store = Filter {
        store: Some(store.clone()),
        ..quarter.clone()
    };
    let year = Filter {
        from: "2025-11-01".into(),
        to: "2026-10-31".into(),
        ..Filter::default()
    };
    let today = "2026-11-30";
    let run = |f: &dyn Fn() -> Result<(), storecheck_hq::HqError>| {
        median(|| f().unwrap_or_else(|e| fail(&e.to_string())))
    };

    println!(
        "{:<58} {:>12} {:>12}   (target: each ≤ 100 ms)",
        "query", "StoreCheck", "naive"
    );
    let line = |what: &str, ours: Duration, naive: Option<Duration>| {
        println!(
            "{:<58} {} {}",
            what,
            ms(ours),
            naive.map_or_else(|| format!("{:>12}", "—"), ms)
        );
    };
    for (name, filter) in [
        ("chain, a quarter", &quarter),
        ("chain, a year", &year),
        ("one region, a quarter", &regional),
        ("one store, a quarter", &one_store),
    ] {
        for (part, ours, naive) in [
            (
                "headline figures",
                run(&|| hq.figures(filter, Source::Best).map(drop)),
                Some(run(&|| hq.figures(filter, Source::Raw).map(drop))),
            ),
            (
                "trend by week",
                run(&|| hq.trend(filter, Source::Best).map(drop)),
                Some(run(&|| hq.trend(filter, Source::Raw).map(drop))),
            ),
            (
                "heat map",
                run(&|| hq.heat(filter, Source::Best).map(drop)),
                Some(run(&|| hq.heat(filter, Source::Raw).map(drop))),
            ),
            (
                "requirements failed",
                run(&|| hq.requirements(filter, Source::Best).map(drop)),
                Some(run(&|| hq.requirements(filter, Source::Raw).map(drop))),
            ),
            (
                "stores ranked (period)",
                run(&|| hq.per_store(filter).map(drop)),
                Some(run(&|| {
                    // The same figures by a scan of the audit table, not the period's index.
                    let mut stmt = c.prepare_cached(
                        "SELECT a.store_code, count(*), total(a.score), count(a.score)
                         FROM audit a NOT INDEXED
                         WHERE NOT EXISTS (SELECT 1 FROM audit r WHERE r.revision_of = a.id)
                           AND a.shift_date BETWEEN ?1 AND ?2
                           AND (?3 IS NULL OR a.store_code = ?3)
                           AND (?4 IS NULL OR a.store_code IN
                                (SELECT code FROM store WHERE region = ?4))
                         GROUP BY a.store_code",
                    )?;
                    let n = stmt
                        .query_map(
                            storecheck_hq::params![
                                filter.from,
                                filter.to,
                                filter.store,
                                filter.region
                            ],
                            |_| Ok(()),
                        )?
                        .count();
                    std::hint::black_box(n);
                    Ok(())
                })),
            ),
            (
                "open and overdue actions",
                run(&|| hq.actions(filter, today).map(drop)),
                None,
            ),
            (
                "whole dashboard",
                run(&|| hq.dashboard(filter, today, Source::Best).map(drop)),
                Some(run(&|| hq.dashboard(filter, today, Source::Raw).map(drop))),
            ),
        ] {
            line(&format!("{name}: {part}"), ours, naive);
        }
    }
    let d = hq
        .dashboard(&quarter, today, Source::Best)
        .unwrap_or_else(|e| fail(&e.to_string()));
    let top = d.requirements[0].code.clone();
    let rare = d
        .requirements
        .last()
        .map(|r| r.code.clone())
        .unwrap_or_default();
    let cell = d.heat.cells[0].clone();
    let point = d.trend.last().cloned().unwrap_or_else(|| fail("no trend"));
    for (what, filter, focus) in [
        ("drill: all audits of the quarter", &quarter, Focus::Audits),
        (
            "drill: a trend point (region, week)",
            &quarter,
            Focus::Week {
                week: point.week.clone(),
                series: Some(point.series.clone()),
            },
        ),
        (
            "drill: a store",
            &quarter,
            Focus::Store {
                code: store.clone(),
            },
        ),
        (
            "drill: a heat cell (region × section)",
            &quarter,
            Focus::Cell {
                rows: RowKind::Region,
                row: cell.row.clone(),
                section: cell.section.clone(),
            },
        ),
        (
            "drill: the most failed requirement",
            &quarter,
            Focus::Requirement { code: top.clone() },
        ),
        (
            "drill: the least failed requirement",
            &quarter,
            Focus::Requirement { code: rare.clone() },
        ),
        (
            "drill: failed on a hard requirement",
            &quarter,
            Focus::FailedHard,
        ),
        (
            "drill: a store's week × section cell",
            &one_store,
            Focus::Cell {
                rows: RowKind::Week,
                row: point.week.clone(),
                section: cell.section.clone(),
            },
        ),
    ] {
        let naive = if let Focus::Requirement { code } = &focus {
            Some(run(&|| {
                let mut stmt = c.prepare_cached(
                    "SELECT a.id FROM audit a
                     WHERE a.current = 1 AND a.shift_date BETWEEN ?1 AND ?2
                       AND EXISTS (SELECT 1 FROM answer an WHERE an.audit_id = a.id
                                   AND an.code = ?3 AND an.score < 0.5)
                     ORDER BY a.shift_date DESC LIMIT 500",
                )?;
                let n = stmt
                    .query_map(storecheck_hq::params![filter.from, filter.to, code], |_| {
                        Ok(())
                    })?
                    .count();
                std::hint::black_box(n);
                Ok(())
            }))
        } else {
            None
        };
        line(what, run(&|| hq.drill(filter, &focus).map(drop)), naive);
    }
    line("filter options", run(&|| hq.options().map(drop)), None);

    // BI export of about 100,000 audits (a period of 73 days), once: XLSX of the four tables,
    // beside `sqlite3 -csv` writing the same audits' rows and answers' rows as they are stored.
    let period = storecheck_hq::export::Filter {
        from: Some("2026-08-20".into()),
        to: Some("2026-10-31".into()),
        ..Default::default()
    };
    let out = root.join("hq-export");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap_or_else(|e| fail(&e.to_string()));
    let xlsx = out.join("export.xlsx");
    let t = Instant::now();
    let done = hq
        .export(&period, storecheck_hq::export::Output::xlsx(&xlsx))
        .unwrap_or_else(|e| fail(&e.to_string()));
    let ours = t.elapsed();
    let rows: Vec<String> = done
        .rows
        .iter()
        .map(|(name, n)| format!("{n} {name}"))
        .collect();
    let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let t = Instant::now();
    let csv = out.join("peer.csv");
    let peer = std::process::Command::new("sqlite3")
        .arg("-csv")
        .arg("-header")
        .arg("-cmd")
        .arg(format!(".output {}", csv.display()))
        .arg(&path)
        .arg(
            "SELECT * FROM audit WHERE shift_date BETWEEN '2026-08-20' AND '2026-10-31';
             SELECT an.* FROM answer an JOIN audit a ON a.id = an.audit_id
             WHERE a.shift_date BETWEEN '2026-08-20' AND '2026-10-31';",
        )
        .status();
    let naive = t.elapsed();
    println!("BI export of a period of 73 days ({}):", rows.join(", "));
    match peer {
        Ok(s) if s.success() => println!(
            "  XLSX {:.1} s, {:.0} MB   |   sqlite3 -csv of the same audits' and answers' rows {:.1} s, {:.0} MB",
            ours.as_secs_f64(),
            size(&xlsx) as f64 / 1_048_576.0,
            naive.as_secs_f64(),
            size(&csv) as f64 / 1_048_576.0
        ),
        _ => println!(
            "  XLSX {:.1} s, {:.0} MB   |   sqlite3 could not run (is the sqlite3 package installed?)",
            ours.as_secs_f64(),
            size(&xlsx) as f64 / 1_048_576.0
        ),
    }
    let _ = std::fs::remove_dir_all(&out);
}
