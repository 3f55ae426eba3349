//! Corrective actions followed up after the audit is signed: at the store (done, or due date
//! moved; refused with the reason where it makes no sense, writing nothing), in the next bundle,
//! and at HQ in any order and with any repeats, the signed audit never touched.

mod common;

use common::{Laptop, Rng, accept, entries, hq, manifest_of, refuse, relist, sign, write};
use storecheck_core::audit::NewAction;
use storecheck_core::model::AuditStatus;
use storecheck_core::{ErrorCode, Lang};
use uuid::Uuid;

/// A laptop with a signed audit holding one corrective action (for 1.3, failed), exported as
/// bundle 1; returns the laptop, the audit, the action and the bundle.
fn signed_with_action() -> (Laptop, Uuid, Uuid, std::path::PathBuf) {
    let mut a = Laptop::new(3);
    let id = a.audits(AuditStatus::Completed)[0];
    a.redo(id, "1.3", "не поздоровался");
    let action =
        a.db.add_action(
            id,
            &NewAction {
                code: "1.3".into(),
                what: "Провести инструктаж по приветствию".into(),
                owner: "Иванов".into(),
                due: "2026-12-01".into(),
            },
        )
        .expect("action")
        .id;
    a.sign(id);
    let first = a.export();
    (a, id, action, first)
}

fn count(db: &storecheck_core::Db, table: &str) -> i64 {
    db.connection()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}

#[test]
fn at_the_store_a_follow_up_is_a_record_of_its_own_and_the_signed_audit_never_changes() {
    let (mut a, id, action, _) = signed_with_action();
    let record = a.db.audit_record(id).expect("record");
    let moved =
        a.db.reschedule_action(action, "2026-12-20", "ждём поставку бейджей", None)
            .expect("reschedule");
    assert_eq!(
        (moved.on_date.as_str(), moved.by_whom.as_str()),
        ("2026-12-20", "Иванов"),
        "by the action's owner unless someone else is named"
    );
    let view = a.db.load_audit(id).expect("view");
    assert_eq!(view.actions[0].due_now, "2026-12-20");
    assert_eq!(
        view.actions[0].due, "2026-12-01",
        "the signed due date stays"
    );
    assert_eq!(view.actions[0].done_on, None);

    let done =
        a.db.action_done(action, Some("Петрова"), "инструктаж проведён", None)
            .expect("done");
    let view = a.db.load_audit(id).expect("view");
    assert_eq!(
        view.actions[0].done_on.as_deref(),
        Some(done.on_date.as_str())
    );
    assert_eq!(view.actions[0].followups.len(), 2);
    assert_eq!(
        a.db.audit_record(id).expect("record"),
        record,
        "the signed audit is exactly as it was"
    );

    // Refused, saying why, and nothing written.
    let before = count(&a.db, "action_followup");
    let again =
        a.db.action_done(action, None, "", None)
            .expect_err("done twice");
    assert_eq!(again.code(), ErrorCode::InvalidInput);
    assert!(
        again.headline(Lang::Ru).contains("уже выполнено"),
        "{}",
        again.headline(Lang::Ru)
    );
    let bad =
        a.db.reschedule_action(action, "20.12.2026", "причина", None)
            .expect_err("not a date");
    assert!(
        bad.headline(Lang::En).contains("20.12.2026"),
        "{}",
        bad.headline(Lang::En)
    );
    let unknown =
        a.db.action_done(Uuid::nil(), None, "", None)
            .expect_err("unknown");
    assert_eq!(unknown.code(), ErrorCode::NotFound);
    assert_eq!(count(&a.db, "action_followup"), before);

    // An unsigned audit's action is changed itself, not followed up.
    let draft = a.audits(AuditStatus::Draft)[0];
    a.complete(draft);
    a.db.reopen_audit(draft).expect("reopen");
    a.db.save_answer(
        draft,
        "1.3",
        &storecheck_core::audit::AnswerInput {
            response: Some(storecheck_core::model::Response::Fail),
            note: None,
        },
    )
    .expect("fail");
    let unsigned =
        a.db.add_action(
            draft,
            &NewAction {
                code: "1.3".into(),
                what: "Инструктаж".into(),
                owner: "Иванов".into(),
                due: "2026-12-05".into(),
            },
        )
        .expect("action")
        .id;
    let e =
        a.db.reschedule_action(unsigned, "2026-12-20", "причина", None)
            .expect_err("unsigned");
    assert!(
        e.headline(Lang::Ru).contains("не подписана"),
        "{}",
        e.headline(Lang::Ru)
    );
    let e =
        a.db.reschedule_action(action, "2026-12-20", "  ", None)
            .expect_err("no reason");
    assert!(
        e.headline(Lang::En).contains("reason"),
        "{}",
        e.headline(Lang::En)
    );
    assert_eq!(count(&a.db, "action_followup"), before);
}

#[test]
fn follow_ups_reach_hq_in_any_order_once_and_hq_sees_the_action_done() {
    let (mut a, id, action, first) = signed_with_action();
    a.db.reschedule_action(action, "2026-12-20", "ждём поставку", None)
        .expect("reschedule");
    let second = a.export();
    a.db.action_done(action, None, "проведён", None)
        .expect("done");
    let third = a.export();
    let nothing =
        storecheck_sync::export::export(&mut a.db, &a.out, false, &a.key).expect("export");
    assert_eq!(nothing.file, None, "each follow-up is sent once");

    let state = |hq: &storecheck_hq::HqDb| -> (String, Option<String>) {
        hq.connection()
            .query_row(
                "SELECT due_now, done_at FROM corrective_action WHERE id = ?1",
                [action.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("action at HQ")
    };
    let (_dir, mut reference) = hq();
    for f in [&first, &second, &third] {
        accept(&mut reference, f);
    }
    let done_on = a.db.load_audit(id).expect("view").actions[0]
        .done_on
        .clone()
        .expect("done");
    assert_eq!(state(&reference), ("2026-12-20".into(), Some(done_on)));
    let expected = reference.dump().expect("dump");
    let view = reference
        .audit_view(&id.to_string(), "2026-12-25")
        .expect("view");
    assert_eq!(view.actions[0].state, "done");

    // The follow-ups before their audit, repeats, any order: the same HQ.
    let files = [first.clone(), second.clone(), third.clone()];
    let mut rng = Rng(0xF011_0055);
    for round in 0..8 {
        let mut order: Vec<&std::path::PathBuf> = files.iter().collect();
        order.push(&files[rng.below(3)]);
        rng.shuffle(&mut order);
        let (_dir, mut hq) = hq();
        for f in &order {
            accept(&mut hq, f);
        }
        assert_eq!(
            hq.dump().expect("dump"),
            expected,
            "round {round}: {order:?}"
        );
    }

    // Only the reschedule so far: open, overdue once its new date has passed.
    let (_dir, mut partial) = hq();
    accept(&mut partial, &first);
    accept(&mut partial, &second);
    let view = partial
        .audit_view(&id.to_string(), "2026-12-21")
        .expect("view");
    assert_eq!(
        (
            view.actions[0].state.as_str(),
            view.actions[0].due_now.as_str()
        ),
        ("overdue", "2026-12-20")
    );
}

/// `bundle` with each follow-up line changed by `change`, numbered `sequence` and signed again
/// by the laptop's own key: a bundle the device could have made.
fn with_followups(
    a: &Laptop,
    bundle: &std::path::Path,
    sequence: u64,
    to: &std::path::Path,
    change: impl Fn(&mut serde_json::Value),
) -> std::path::PathBuf {
    let mut e = entries(bundle);
    for (name, bytes) in e.iter_mut() {
        if name == "followups.ndjson" {
            let lines: Vec<String> = String::from_utf8(bytes.clone())
                .expect("utf-8")
                .lines()
                .map(|l| {
                    let mut v: serde_json::Value = serde_json::from_str(l).expect("json");
                    change(&mut v);
                    v.to_string()
                })
                .collect();
            *bytes = format!("{}\n", lines.join("\n")).into_bytes();
        }
    }
    let mut m = manifest_of(&e);
    m.sequence = sequence;
    relist(&e, &mut m);
    sign(&mut e, &m, &a.key);
    write(&e, to);
    to.to_path_buf()
}

#[test]
fn a_follow_up_under_a_held_id_with_other_content_or_naming_another_audits_action_is_refused() {
    let (mut a, _id, action, first) = signed_with_action();
    // A second signed audit with an action of its own.
    let other = a.audits(AuditStatus::Draft)[0];
    a.complete(other);
    a.redo(other, "1.3", "снова не поздоровался");
    let other_action =
        a.db.add_action(
            other,
            &NewAction {
                code: "1.3".into(),
                what: "Повторить инструктаж".into(),
                owner: "Петров".into(),
                due: "2026-12-05".into(),
            },
        )
        .expect("action")
        .id;
    a.sign(other);
    let second = a.export();
    a.db.action_done(action, None, "проведён", None)
        .expect("done");
    let third = a.export();
    let dir = tempfile::tempdir().expect("dir");

    let (_hq_dir, mut held) = hq();
    for f in [&first, &second, &third] {
        accept(&mut held, f);
    }
    // The same follow-up id with another note, in a later bundle the device signed.
    let changed = with_followups(&a, &third, 4, &dir.path().join("changed.zip"), |v| {
        v["note"] = "не проводился".into();
    });
    let why = refuse(&mut held, &changed);
    assert!(why.contains("is already another row's"), "{why}");
    // A new follow-up naming this audit's action id as the other audit's: refused, named.
    let foreign = with_followups(&a, &third, 4, &dir.path().join("foreign.zip"), |v| {
        v["id"] = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0f01)
            .to_string()
            .into();
        v["action_id"] = other_action.to_string().into();
    });
    let why = refuse(&mut held, &foreign);
    assert!(
        why.contains(&format!("names corrective action {other_action}"))
            && why.contains("belongs to another audit"),
        "{why}"
    );

    // The same foreign follow-up before its action arrives cannot be told apart: it goes in,
    // and is never applied to the other audit's action.
    let (_dir2, mut early) = hq();
    accept(&mut early, &first);
    accept(&mut early, &foreign);
    accept(&mut early, &second);
    let done: Option<String> = early
        .connection()
        .query_row(
            "SELECT done_at FROM corrective_action WHERE id = ?1",
            [other_action.to_string()],
            |r| r.get(0),
        )
        .expect("the other action at HQ");
    assert_eq!(
        done, None,
        "a follow-up that names another audit does not close this action"
    );
}
