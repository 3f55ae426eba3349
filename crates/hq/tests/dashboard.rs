//! The dashboard's figures equal a computation of their own over what was generated (per store,
//! section, requirement, week; empty periods; N/A; revisions counted once), read from the
//! rollups and from the rows alike; every drill-down lists exactly the audits behind its mark;
//! the rollups equal a rebuild whatever order bundles came in.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, Duration, NaiveDate};
use common::{Laptop, Rng, accept, hq};
use storecheck_core::model::{AuditStatus, Response, Standard};
use storecheck_core::record::{AuditRecord, StandardRecord};
use storecheck_core::scoring::{self, Given};
use storecheck_hq::dashboard::{Analytics, Dashboard, Filter, Focus, RowKind, Source};
use storecheck_hq::synth::{self, Chain, Made};
use uuid::Uuid;

fn demo_standard() -> (Laptop, StandardRecord) {
    let laptop = Laptop::new(7);
    let id = laptop.db.list_standards().expect("standards")[0].id;
    let record = laptop.db.standard_record(id).expect("record");
    (laptop, record)
}

fn model(s: &StandardRecord) -> Standard {
    Standard {
        id: s.id,
        code: s.code.clone(),
        version: s.version.clone(),
        title: s.title.clone(),
        language: s.language.clone(),
        ratings: s.ratings.clone(),
        sections: s.sections.clone(),
        created_at: String::new(),
    }
}

fn response(a: &storecheck_core::record::AnswerRecord) -> Option<Response> {
    Some(match a.response.as_deref()? {
        "pass" => Response::Pass,
        "fail" => Response::Fail,
        "na" => Response::Na,
        "value" => Response::Value(a.value?),
        "text" => Response::Text(a.text.clone().unwrap_or_default()),
        _ => return None,
    })
}

/// What one audit contributes, computed here from its answers with the core's scoring.
struct Scored<'a> {
    audit: &'a AuditRecord,
    region: String,
    week: String,
    /// Section title → its score (None when nothing in it counts).
    sections: Vec<(String, Option<f64>)>,
    /// Requirement code → its answer's score, for answers that count.
    answers: Vec<(String, f64)>,
}

fn scored<'a>(standard: &Standard, made: &'a Made) -> Scored<'a> {
    let a = &made.audit;
    let responses: Vec<(Uuid, Response)> = a
        .answers
        .iter()
        .filter_map(|x| Some((x.requirement_id, response(x)?)))
        .collect();
    let given: HashMap<Uuid, Given<'_>> = responses
        .iter()
        .map(|(id, r)| {
            (
                *id,
                Given {
                    response: r,
                    note: None,
                },
            )
        })
        .collect();
    let card = scoring::score(standard, &given);
    assert_eq!(card.score, a.score, "the generator's score is the core's");
    let mut answers = Vec::new();
    for (id, r) in &responses {
        let req = standard
            .requirements()
            .find(|q| q.id == *id)
            .expect("requirement");
        if let Some(s) = scoring::requirement_score(req, r) {
            answers.push((req.code.clone(), s));
        }
    }
    let d = NaiveDate::parse_from_str(&a.shift_date, "%Y-%m-%d").expect("date");
    Scored {
        audit: a,
        region: a.store.region.clone().unwrap_or_default(),
        week: storecheck_hq::stats::iso_week(&d.to_string()).expect("week"),
        sections: card
            .sections
            .iter()
            .map(|s| (s.title.clone(), s.score))
            .collect(),
        answers,
    }
}

fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// Averages agree to one display step: both sides round a mean of one-decimal scores, summed
/// in different orders.
fn close(what: &str, got: Option<f64>, want: Option<f64>) {
    match (got, want) {
        (None, None) => {}
        (Some(g), Some(w)) => assert!((g - w).abs() <= 0.1 + 1e-9, "{what}: {g} vs {w}"),
        _ => panic!("{what}: {got:?} vs {want:?}"),
    }
}

fn in_scope(s: &Scored<'_>, f: &Filter, from: &str, to: &str) -> bool {
    s.audit.shift_date.as_str() >= from
        && s.audit.shift_date.as_str() <= to
        && f.region.as_ref().is_none_or(|r| &s.region == r)
        && f.store.as_ref().is_none_or(|c| &s.audit.store.code == c)
        && f.standard
            .as_ref()
            .is_none_or(|id| s.audit.standard_id.to_string() == *id)
}

/// Checks `d` against the audits in `all` that count.
fn check(d: &Dashboard, all: &[Scored<'_>], stores: usize, source: &str) {
    let f = &d.filter;
    let counted: Vec<&Scored<'_>> = all
        .iter()
        .filter(|s| in_scope(s, f, &f.from, &f.to))
        .collect();
    let tag = format!("{source} {f:?}");

    // Headline.
    let scores: Vec<f64> = counted.iter().filter_map(|s| s.audit.score).collect();
    let hard = counted
        .iter()
        .filter(|s| !s.audit.hard_failures.is_empty())
        .count();
    let findings: usize = counted
        .iter()
        .map(|s| s.answers.iter().filter(|(_, x)| *x < 0.5).count())
        .sum();
    let h = &d.headline.period;
    assert_eq!(h.audits as usize, counted.len(), "{tag}: audits");
    close(&format!("{tag}: average"), h.average_score, mean(&scores));
    assert_eq!(h.failed_hard as usize, hard, "{tag}: failed hard");
    assert_eq!(h.findings as usize, findings, "{tag}: findings");
    let audited: BTreeSet<&str> = counted
        .iter()
        .map(|s| s.audit.store.code.as_str())
        .collect();
    assert_eq!(d.headline.stores as usize, stores, "{tag}: stores in scope");
    assert_eq!(
        d.headline.not_audited as usize,
        stores - audited.len(),
        "{tag}: stores not audited"
    );
    let previous: Vec<&Scored<'_>> = all
        .iter()
        .filter(|s| in_scope(s, f, &d.headline.previous_from, &d.headline.previous_to))
        .collect();
    assert_eq!(
        d.headline.previous.audits as usize,
        previous.len(),
        "{tag}: previous"
    );

    // Stores.
    let mut per_store: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut per_store_before: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for s in &counted {
        per_store
            .entry(s.audit.store.code.as_str())
            .or_default()
            .extend(s.audit.score);
    }
    for s in &previous {
        per_store_before
            .entry(s.audit.store.code.as_str())
            .or_default()
            .extend(s.audit.score);
    }
    assert_eq!(d.stores.len(), stores, "{tag}: every store in scope listed");
    for row in &d.stores {
        let want = per_store.get(row.code.as_str()).and_then(|v| mean(v));
        close(
            &format!("{tag}: store {}", row.code),
            row.average_score,
            want,
        );
        let before = per_store_before
            .get(row.code.as_str())
            .and_then(|v| mean(v));
        close(
            &format!("{tag}: store {} before", row.code),
            row.previous_score,
            before,
        );
        assert_eq!(
            row.audits as usize,
            counted
                .iter()
                .filter(|s| s.audit.store.code == row.code)
                .count()
        );
    }
    for pair in d.stores.windows(2) {
        if let (Some(a), Some(b)) = (pair[0].average_score, pair[1].average_score) {
            assert!(a >= b, "{tag}: stores best first");
        }
    }

    // Heat map.
    let row_of = |s: &Scored<'_>| -> String {
        match d.heat.rows {
            RowKind::Region => s.region.clone(),
            RowKind::Store => s.audit.store.code.clone(),
            RowKind::Week => s.week.clone(),
        }
    };
    let mut cells: BTreeMap<(String, String), (usize, Vec<f64>)> = BTreeMap::new();
    for s in &counted {
        for (title, score) in &s.sections {
            let c = cells.entry((row_of(s), title.clone())).or_default();
            c.0 += 1;
            c.1.extend(*score);
        }
    }
    assert_eq!(d.heat.cells.len(), cells.len(), "{tag}: heat cells");
    for c in &d.heat.cells {
        let (n, xs) = &cells[&(c.row.clone(), c.section.clone())];
        assert_eq!(c.audits as usize, *n, "{tag}: cell {} {}", c.row, c.section);
        close(
            &format!("{tag}: cell {} {}", c.row, c.section),
            c.average_score,
            mean(xs),
        );
    }

    // Requirements.
    let mut reqs: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for s in &counted {
        for (code, x) in &s.answers {
            let r = reqs.entry(code.as_str()).or_default();
            r.0 += 1;
            r.1 += usize::from(*x < 0.5);
        }
    }
    assert_eq!(d.requirements.len(), reqs.len(), "{tag}: requirements");
    for r in &d.requirements {
        assert_eq!(
            (r.answered as usize, r.failed as usize),
            reqs[r.code.as_str()],
            "{tag}: requirement {}",
            r.code
        );
    }
    for pair in d.requirements.windows(2) {
        assert!(pair[0].failed >= pair[1].failed, "{tag}: most failed first");
    }

    // Trend: whole ISO weeks, from 12 weeks before the end (or the period's start if
    // earlier) to the end's week.
    let to = NaiveDate::parse_from_str(&f.to, "%Y-%m-%d").expect("to");
    let from = NaiveDate::parse_from_str(&f.from, "%Y-%m-%d")
        .expect("from")
        .min(to - Duration::weeks(12) + Duration::days(1));
    let from = from - Duration::days(i64::from(from.weekday().num_days_from_monday()));
    let to = to + Duration::days(6 - i64::from(to.weekday().num_days_from_monday()));
    let mut trend: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
    let mut trend_n: BTreeMap<(String, String), usize> = BTreeMap::new();
    for s in all
        .iter()
        .filter(|s| in_scope(s, f, &from.to_string(), &to.to_string()))
    {
        let series = if f.store.is_some() {
            s.audit.store.code.clone()
        } else {
            s.region.clone()
        };
        let key = (s.week.clone(), series);
        *trend_n.entry(key.clone()).or_default() += 1;
        trend.entry(key).or_default().extend(s.audit.score);
    }
    // The lines together, week by week: every audit in scope of that week, once.
    let mut total: BTreeMap<String, (usize, Vec<f64>)> = BTreeMap::new();
    for ((week, _), n) in &trend_n {
        let t = total.entry(week.clone()).or_default();
        t.0 += n;
    }
    for ((week, _), scores) in &trend {
        total.get_mut(week).expect("week").1.extend(scores);
    }
    assert_eq!(
        d.trend_total.len(),
        total.len(),
        "{tag}: weeks of the total"
    );
    for p in &d.trend_total {
        assert_eq!(p.series, "", "{tag}: the total has no line name");
        let (n, scores) = &total[&p.week];
        assert_eq!(p.audits as usize, *n, "{tag}: total of {}", p.week);
        close(
            &format!("{tag}: total of {}", p.week),
            p.average_score,
            mean(scores),
        );
    }
    assert_eq!(d.trend.len(), trend_n.len(), "{tag}: trend points");
    for p in &d.trend {
        let key = (p.week.clone(), p.series.clone());
        assert_eq!(p.audits as usize, trend_n[&key], "{tag}: trend {key:?}");
        close(
            &format!("{tag}: trend {key:?}"),
            p.average_score,
            mean(&trend[&key]),
        );
    }
}

#[test]
fn the_dashboard_equals_a_computation_of_its_own_from_rollups_and_rows_alike() {
    let (_laptop, standard) = demo_standard();
    let (_dir, mut hq) = hq();
    let chain = Chain {
        stores: 30,
        regions: 4,
        audits: 2_500,
        first_day: NaiveDate::from_ymd_opt(2026, 5, 1).expect("date"),
        days: 200,
        revisions: 0.05,
        seed: 11,
    };
    let made = synth::generate(&mut hq, &standard, &chain).expect("generate");
    let model = model(&standard);
    let revised: BTreeSet<Uuid> = made.iter().filter_map(|m| m.audit.revision_of).collect();
    assert!(!revised.is_empty(), "some audits are revised");
    for m in &made {
        assert_eq!(
            m.current,
            !revised.contains(&m.audit.id),
            "a revised audit does not count"
        );
    }
    let has_na = made.iter().any(|m| {
        m.audit
            .answers
            .iter()
            .any(|a| a.response.as_deref() == Some("na"))
    });
    assert!(has_na, "some answers are not applicable");
    let all: Vec<Scored<'_>> = made
        .iter()
        .filter(|m| m.current)
        .map(|m| scored(&model, m))
        .collect();
    let region = synth::region_name(1);
    let store = synth::stores(&chain)[5].code.clone();
    let in_region = synth::stores(&chain)
        .iter()
        .filter(|s| s.region.as_deref() == Some(region.as_str()))
        .count();
    let f = |from: &str, to: &str| Filter {
        from: from.into(),
        to: to.into(),
        ..Filter::default()
    };
    let cases: Vec<(Filter, usize)> = vec![
        (f("2026-05-01", "2026-11-16"), 30),
        (f("2026-08-18", "2026-11-16"), 30),
        (
            Filter {
                region: Some(region.clone()),
                ..f("2026-08-18", "2026-11-16")
            },
            in_region,
        ),
        (
            Filter {
                store: Some(store.clone()),
                ..f("2026-06-01", "2026-10-31")
            },
            1,
        ),
        // A region's stores × sections with a standard: whole weeks and days either side.
        (
            Filter {
                region: Some(region.clone()),
                standard: Some(standard.id.to_string()),
                ..f("2026-09-03", "2026-10-20")
            },
            in_region,
        ),
        (
            Filter {
                standard: Some(standard.id.to_string()),
                ..f("2026-10-01", "2026-10-07")
            },
            30,
        ),
        (
            Filter {
                standard: Some(Uuid::nil().to_string()),
                ..f("2026-10-01", "2026-10-31")
            },
            30,
        ),
        // Before anything happened: nothing, and no average.
        (f("2025-01-01", "2025-03-31"), 30),
    ];
    for (filter, stores) in &cases {
        for source in [Source::Best, Source::Raw] {
            let d = hq
                .dashboard(filter, "2026-11-20", source)
                .expect("dashboard");
            check(&d, &all, *stores, &format!("{source:?}"));
        }
    }
    let empty = hq
        .dashboard(&cases[7].0, "2026-11-20", Source::Best)
        .expect("dashboard");
    assert_eq!(empty.headline.period.audits, 0);
    assert_eq!(empty.headline.period.average_score, None);
    assert!(empty.heat.cells.is_empty() && empty.requirements.is_empty());

    // Open and overdue actions: not done, of audits that count, due before today.
    let today = "2026-11-20";
    let mut open = 0;
    let mut overdue = 0;
    for m in made.iter().filter(|m| m.current) {
        for c in &m.audit.actions {
            if !m.done.contains_key(&c.id) {
                open += 1;
                overdue += usize::from(c.due.as_str() < today);
            }
        }
    }
    let d = hq
        .dashboard(&cases[0].0, today, Source::Best)
        .expect("dashboard");
    assert_eq!(
        (
            d.headline.open_actions as usize,
            d.headline.overdue_actions as usize
        ),
        (open, overdue)
    );
    assert!(
        overdue > 0 && open > overdue,
        "{open} open, {overdue} overdue"
    );
    assert!(
        d.overdue
            .windows(2)
            .all(|w| w[0].days_overdue >= w[1].days_overdue)
    );
}

#[test]
fn every_drill_down_lists_exactly_the_audits_behind_its_mark() {
    let (_laptop, standard) = demo_standard();
    let (_dir, mut hq) = hq();
    let chain = Chain {
        stores: 12,
        regions: 3,
        audits: 600,
        first_day: NaiveDate::from_ymd_opt(2026, 8, 1).expect("date"),
        days: 100,
        revisions: 0.05,
        seed: 5,
    };
    let made = synth::generate(&mut hq, &standard, &chain).expect("generate");
    let model = model(&standard);
    let all: Vec<Scored<'_>> = made
        .iter()
        .filter(|m| m.current)
        .map(|m| scored(&model, m))
        .collect();
    let filter = Filter {
        from: "2026-09-01".into(),
        to: "2026-10-31".into(),
        ..Filter::default()
    };
    let d = hq
        .dashboard(&filter, "2026-11-20", Source::Best)
        .expect("dashboard");
    let ids = |focus: &Focus, f: &Filter| -> BTreeSet<String> {
        let drill = hq.drill(f, focus).expect("drill");
        assert_eq!(drill.total as usize, drill.audits.len(), "all listed here");
        for w in drill.audits.windows(2) {
            assert!(w[0].shift_date >= w[1].shift_date, "newest first");
        }
        drill.audits.into_iter().map(|a| a.id).collect()
    };
    let want = |pred: &dyn Fn(&Scored<'_>) -> bool| -> BTreeSet<String> {
        all.iter()
            .filter(|s| pred(s))
            .map(|s| s.audit.id.to_string())
            .collect()
    };
    let period = |s: &Scored<'_>| in_scope(s, &filter, &filter.from, &filter.to);

    assert_eq!(ids(&Focus::Audits, &filter), want(&period));
    assert_eq!(
        ids(&Focus::Audits, &filter).len(),
        d.headline.period.audits as usize
    );

    let failed = &d.requirements[0];
    let got = ids(
        &Focus::Requirement {
            code: failed.code.clone(),
        },
        &filter,
    );
    assert_eq!(
        got,
        want(&|s| period(s) && s.answers.iter().any(|(c, x)| c == &failed.code && *x < 0.5))
    );
    assert!(got.len() <= failed.failed as usize && !got.is_empty());
    // Read audit by audit (as for a requirement failed thousands of times) or from the failures'
    // index: the same list.
    let focus = Focus::Requirement {
        code: failed.code.clone(),
    };
    assert_eq!(
        hq.drill_with(&filter, &focus, 0).expect("dense"),
        hq.drill(&filter, &focus).expect("sparse")
    );

    let cell = &d.heat.cells[0];
    assert_eq!(d.heat.rows, RowKind::Region);
    let got = ids(
        &Focus::Cell {
            rows: RowKind::Region,
            row: cell.row.clone(),
            section: cell.section.clone(),
        },
        &filter,
    );
    assert_eq!(got.len(), cell.audits as usize);
    assert_eq!(got, want(&|s| period(s) && s.region == cell.row));

    let store = &d.stores[0];
    assert_eq!(
        ids(
            &Focus::Store {
                code: store.code.clone()
            },
            &filter
        ),
        want(&|s| period(s) && s.audit.store.code == store.code)
    );

    let point = d.trend.last().expect("trend");
    let got = ids(
        &Focus::Week {
            week: point.week.clone(),
            series: Some(point.series.clone()),
        },
        &filter,
    );
    assert_eq!(got.len(), point.audits as usize);
    assert_eq!(
        got,
        want(&|s| s.week == point.week && s.region == point.series)
    );
    // The total's point: the whole week in the filter.
    let total = d.trend_total.last().expect("total");
    assert_eq!(
        ids(
            &Focus::Week {
                week: total.week.clone(),
                series: None,
            },
            &filter,
        ),
        want(&|s| s.week == total.week)
    );

    assert_eq!(
        ids(&Focus::FailedHard, &filter).len(),
        d.headline.period.failed_hard as usize
    );

    // A region's heat map is by store; a store's by week; their cells drill the same way.
    let regional = Filter {
        region: Some(synth::region_name(0)),
        ..filter.clone()
    };
    let d = hq
        .dashboard(&regional, "2026-11-20", Source::Best)
        .expect("dashboard");
    assert_eq!(d.heat.rows, RowKind::Store);
    let cell = &d.heat.cells[0];
    assert_eq!(
        ids(
            &Focus::Cell {
                rows: RowKind::Store,
                row: cell.row.clone(),
                section: cell.section.clone()
            },
            &regional
        )
        .len(),
        cell.audits as usize
    );

    // A wrong period is refused, saying so.
    let wrong = Filter {
        from: "2026-10-31".into(),
        to: "2026-09-01".into(),
        ..Filter::default()
    };
    let e = hq.drill(&wrong, &Focus::Audits).expect_err("refused");
    assert!(e.to_string().contains("2026-10-31"), "{e}");
}

#[test]
fn rollups_equal_a_rebuild_whatever_order_bundles_came_in() {
    // Two laptops: completed, reopened, signed, revised (the revision replaces its audit).
    let mut a = Laptop::new(1);
    let mut b = Laptop::new(2);
    let mut bundles = Vec::new();
    let a1 = a.audits(AuditStatus::Completed)[0];
    let a2 = a.audits(AuditStatus::Draft)[0];
    bundles.push(a.export());
    a.complete(a2);
    bundles.push(a.export());
    a.redo(a1, "1.3", "не поздоровался");
    bundles.push(a.export());
    a.sign(a2);
    bundles.push(a.export());
    let a3 = a.db.revise_audit(a2, "опечатка").expect("revise");
    a.complete(a3);
    a.redo(a3, "2.1", "нет бейджа");
    bundles.push(a.export());
    let b1 = b.audits(AuditStatus::Completed)[0];
    b.sign(b1);
    bundles.push(b.export());

    let filter = Filter {
        from: "2020-01-01".into(),
        to: "2030-12-31".into(),
        ..Filter::default()
    };
    let mut rng = Rng(0xDA5B_0A2D);
    let mut first: Option<(String, Dashboard)> = None;
    for round in 0..6 {
        let mut files = bundles.clone();
        rng.shuffle(&mut files);
        let (_dir, mut hq) = hq();
        for file in &files {
            accept(&mut hq, file);
        }
        let dump = hq.dump().expect("dump");
        let dashboard = hq
            .dashboard(&filter, "2026-12-01", Source::Best)
            .expect("dashboard");
        let raw = hq
            .dashboard(&filter, "2026-12-01", Source::Raw)
            .expect("dashboard");
        assert_eq!(dashboard, raw, "round {round}: rollups read as the rows do");
        assert_eq!(dashboard.headline.period.audits, 3, "a1, a3 (not a2), b1");
        hq.rebuild_rollups().expect("rebuild");
        assert_eq!(
            hq.dump().expect("dump"),
            dump,
            "round {round}: the rollups kept by imports equal a rebuild"
        );
        match &first {
            None => first = Some((dump, dashboard)),
            Some((d, x)) => {
                assert_eq!(&dump, d, "round {round}: same HQ whatever the order");
                assert_eq!(&dashboard, x);
            }
        }
    }
}
