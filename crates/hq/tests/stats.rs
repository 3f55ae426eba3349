//! `hq stats` against an independent computation: the stores' own scoring of each audit, with
//! a revised audit counted once (its revision).

mod common;

use std::collections::BTreeMap;

use common::{Laptop, accept, hq};
use storecheck_core::audit::AnswerInput;
use storecheck_core::model::{AuditStatus, Response};
use storecheck_hq::stats::{By, iso_week};

#[test]
fn figures_by_store_region_week_and_requirement_equal_the_stores_own_scoring() {
    let mut a = Laptop::new(21);
    let mut b = Laptop::new(22);
    // A: its audit signed, then corrected by a revision with one more failure.
    let a1 = a.audits(AuditStatus::Completed)[0];
    a.sign(a1);
    let r = a.db.revise_audit(a1, "пересчёт").expect("revise");
    a.db.save_answer(
        r,
        "1.3",
        &AnswerInput {
            response: Some(Response::Fail),
            note: Some("не поздоровался".into()),
        },
    )
    .expect("answer");
    a.db.complete_audit(r).expect("complete");
    // B: its audit failed on 1.4 and its draft completed.
    let b1 = b.audits(AuditStatus::Completed)[0];
    let b2 = b.audits(AuditStatus::Draft)[0];
    b.redo(b1, "1.4", "витрина не оформлена");
    b.complete(b2);
    let (_d, mut hq) = hq();
    for file in [a.export(), b.export()] {
        accept(&mut hq, &file);
    }

    // What the stores say of the audits that count (a1 is replaced by its revision r).
    let counted = [(&a, r), (&b, b1), (&b, b2)];
    let mut expected: BTreeMap<String, (u64, Vec<f64>, u64, u64)> = BTreeMap::new();
    for (laptop, id) in counted {
        let view = laptop.db.load_audit(id).expect("audit");
        let e = expected.entry(view.header.store.code.clone()).or_default();
        e.0 += 1;
        e.1.extend(view.score.score);
        e.2 += u64::from(!view.score.hard_failures.is_empty());
        e.3 += view.score.findings.len() as u64;
    }
    let by_store = hq.stats(By::Store, None, None).expect("stats");
    let got: Vec<_> = by_store
        .iter()
        .map(|s| {
            (
                s.key.clone(),
                s.audits,
                s.average_score,
                s.failed_hard,
                s.findings,
            )
        })
        .collect();
    let want: Vec<_> = expected
        .iter()
        .map(|(k, (n, scores, hard, findings))| {
            let mean = scores.iter().sum::<f64>() / scores.len() as f64;
            (
                k.clone(),
                *n,
                Some((mean * 10.0).round() / 10.0),
                *hard,
                *findings,
            )
        })
        .collect();
    assert_eq!(
        got, want,
        "by store: the revised audit counts once, as its revision"
    );
    assert_eq!(by_store.iter().map(|s| s.audits).sum::<u64>(), 3);

    let regions: Vec<_> = hq
        .stats(By::Region, None, None)
        .expect("stats")
        .into_iter()
        .map(|s| (s.key, s.audits))
        .collect();
    assert_eq!(
        regions,
        vec![
            ("Москва".to_string(), 2),
            ("Санкт-Петербург".to_string(), 1)
        ]
    );

    let date = a.db.audit_header(r).expect("header").shift_date;
    let weeks = hq.stats(By::Week, None, None).expect("stats");
    assert_eq!(weeks.len(), 1);
    assert_eq!(Some(weeks[0].key.clone()), iso_week(&date));
    assert_eq!(weeks[0].audits, 3);

    let requirement = |code: &str| {
        hq.stats(By::Requirement, None, None)
            .expect("stats")
            .into_iter()
            .find(|s| s.key == code)
            .expect("the requirement")
    };
    let r13 = requirement("1.3");
    assert_eq!(
        (r13.audits, r13.findings),
        (3, 1),
        "1.3 failed in the revision only"
    );
    let r14 = requirement("1.4");
    assert_eq!(
        (r14.audits, r14.findings),
        (3, 1),
        "1.4 failed in B's audit only"
    );
    assert_eq!(r14.average_score, Some(66.7), "two passes and a failure");

    let sections = hq.stats(By::Section, None, None).expect("stats");
    assert!(sections.iter().all(|s| s.audits == 3), "{sections:?}");
    assert_eq!(
        sections.iter().map(|s| s.findings).sum::<u64>(),
        hq.stats(By::Requirement, None, None)
            .expect("stats")
            .iter()
            .map(|s| s.findings)
            .sum::<u64>(),
        "every finding is in one section and one requirement"
    );

    // A period with no shift in it has no figures.
    assert!(
        hq.stats(By::Store, Some("2030-01-01"), None)
            .expect("stats")
            .is_empty()
    );
    let dates: Vec<String> = [(&a, r), (&b, b1), (&b, b2)]
        .iter()
        .map(|(l, id)| l.db.audit_header(*id).expect("header").shift_date)
        .collect();
    let (first, last) = (
        dates.iter().min().expect("dates").clone(),
        dates.iter().max().expect("dates").clone(),
    );
    assert_eq!(
        hq.stats(By::Store, Some(&first), Some(&last))
            .expect("stats"),
        by_store,
        "the period from the first shift to the last holds them all"
    );
    let on_a_day: u64 = hq
        .stats(By::Store, Some(&date), Some(&date))
        .expect("stats")
        .iter()
        .map(|s| s.audits)
        .sum();
    assert_eq!(
        on_a_day,
        dates.iter().filter(|d| **d == date).count() as u64
    );
}
