//! storecheck-core through its public API: standard import in every format, publishing rules,
//! the audit lifecycle and the guarantees of the store.

use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use storecheck_core::audit::{AnswerInput, NewAction, NewAudit};
use storecheck_core::db::Inputs;
use storecheck_core::ids;
use storecheck_core::import::{parse_standard, read_standard};
use storecheck_core::model::{AuditStatus, Kind, PhotoRule, Response, ShiftPart, Standard};
use storecheck_core::{Db, Error, ErrorCode, Lang};

fn db() -> Db {
    let clock = Arc::new(|| {
        Utc.with_ymd_and_hms(2026, 11, 22, 9, 30, 0)
            .single()
            .expect("time")
    });
    Db::open_in_memory(Inputs::seeded(clock, 1)).expect("in-memory db")
}

const CSV_RU: &str = "\u{feff}#code: MINI\n#title: Мини-стандарт\n#version: 1\n\
раздел;код;требование;пояснение;тип;вес;жёсткий;фото;н/п;мин;макс\n\
Приветствие;1.1;Поздоровался в течение 30 секунд;Смотрите от входа;check;2;да;нет;нет;;\n\
Приветствие;1.2;Улыбка и зрительный контакт;;scale;1;нет;по желанию;да;1;5\n\
Потребность;2.1;\"Вопросов задано; не меньше четырёх\";;number;1;нет;;да;4;\n\
Потребность;2.2;Что купил покупатель;;text;;;;;;\n\
Витрина;3.1;Ценники на всех товарах;;check;1;нет;при нарушении;да;;\n";

fn import(db: &mut Db, name: &str, content: &[u8]) -> storecheck_core::standard::ImportOutcome {
    let draft =
        parse_standard(name, content).unwrap_or_else(|e| panic!("{name}: {e}: {:?}", e.problems()));
    db.publish_standard(&draft).expect("publish")
}

#[test]
fn a_russian_semicolon_csv_with_bom_imports_with_every_column() {
    let draft = parse_standard("mini.csv", CSV_RU.as_bytes()).expect("valid");
    assert_eq!(draft.code, "MINI");
    assert_eq!(draft.title, "Мини-стандарт");
    assert_eq!(draft.version.as_deref(), Some("1"));
    assert_eq!(draft.language, "ru", "guessed from the Cyrillic text");
    let titles: Vec<&str> = draft.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Приветствие", "Потребность", "Витрина"],
        "sections keep first-appearance order"
    );
    let r = &draft.sections[0].requirements[0];
    assert_eq!(
        (r.kind, r.weight, r.hard, r.photo, r.na_allowed),
        (Kind::Check, 2.0, true, PhotoRule::None, false)
    );
    assert_eq!(r.guidance.as_deref(), Some("Смотрите от входа"));
    let scale = &draft.sections[0].requirements[1];
    assert_eq!((scale.min, scale.max), (Some(1.0), Some(5.0)));
    assert_eq!(
        draft.sections[1].requirements[0].text, "Вопросов задано; не меньше четырёх",
        "quoted separator"
    );
    assert_eq!(draft.sections[1].requirements[1].kind, Kind::Text);
    assert_eq!(
        draft.sections[2].requirements[0].photo,
        PhotoRule::RequiredOnFail
    );
}

#[test]
fn windows_1251_csv_reads_the_same_as_utf8() {
    let utf8 = CSV_RU.trim_start_matches('\u{feff}');
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1251.encode(utf8);
    assert!(!unmappable);
    let a = parse_standard("mini.csv", CSV_RU.as_bytes()).expect("utf8");
    let b = parse_standard("mini.csv", &bytes).expect("cp1251");
    assert_eq!(a, b);
}

#[test]
fn xlsx_with_a_standard_sheet_reads_the_same_as_csv() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("mini.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let rows = CSV_RU.lines().skip(3).collect::<Vec<_>>();
    // The quoted cell holds a `;`, so split by hand.
    for (r, line) in rows.iter().enumerate() {
        let cells: Vec<String> = if line.contains('"') {
            let (a, rest) = line.split_once('"').expect("quote");
            let (quoted, b) = rest.split_once('"').expect("quote");
            let mut v: Vec<String> = a
                .trim_end_matches(';')
                .split(';')
                .map(str::to_string)
                .collect();
            v.push(quoted.to_string());
            v.extend(
                b.strip_prefix(';')
                    .unwrap_or(b)
                    .split(';')
                    .map(str::to_string),
            );
            v
        } else {
            line.split(';').map(str::to_string).collect()
        };
        for (c, cell) in cells.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            match cell.parse::<f64>() {
                Ok(n) if c >= 5 => sheet.write_number(r as u32, c as u16, n).map(|_| ()),
                _ => sheet.write_string(r as u32, c as u16, cell).map(|_| ()),
            }
            .expect("write");
        }
    }
    let meta = book.add_worksheet().set_name("standard").expect("name");
    for (r, (k, v)) in [
        ("code", "MINI"),
        ("title", "Мини-стандарт"),
        ("version", "1"),
        ("language", "ru"),
    ]
    .iter()
    .enumerate()
    {
        meta.write_string(r as u32, 0, *k).expect("k");
        meta.write_string(r as u32, 1, *v).expect("v");
    }
    meta.write_string(4, 0, "rating отлично").expect("k");
    meta.write_number(4, 1, 95).expect("v");
    book.save(&path).expect("save");

    let x = read_standard(&path).expect("xlsx is valid");
    let c = parse_standard("mini.csv", CSV_RU.as_bytes()).expect("csv");
    assert_eq!(x.sections, c.sections);
    assert_eq!(x.ratings.len(), 1);
    assert_eq!(
        (x.ratings[0].name.as_str(), x.ratings[0].min),
        ("отлично", 95.0)
    );
}

#[test]
fn json_reads_the_same_as_csv_and_defaults_apply() {
    let json = r#"{"standard": {"code": "J", "title": "J", "version": 2, "language": "en"},
        "requirements": [
          {"section": "A", "code": "1", "requirement": "Greets", "hard": true, "na": false},
          {"section": "A", "code": "2", "requirement": "Smiles", "kind": "scale", "max": 5},
          {"section": "B", "code": "3", "requirement": "Questions", "kind": "number", "min": 4, "photo": "required"}
        ]}"#;
    let d = parse_standard("j.json", json.as_bytes()).expect("valid");
    assert_eq!(d.version.as_deref(), Some("2"));
    let r = &d.sections[0].requirements;
    assert_eq!(
        (
            r[0].kind,
            r[0].weight,
            r[0].photo,
            r[0].hard,
            r[0].na_allowed
        ),
        (Kind::Check, 1.0, PhotoRule::Optional, true, false)
    );
    assert_eq!(
        (r[1].min, r[1].max),
        (Some(0.0), Some(5.0)),
        "a scale's min defaults to 0"
    );
    assert_eq!(d.ratings.len(), 3, "default bands");
}

fn problems_of(name: &str, content: &str) -> Vec<String> {
    match parse_standard(name, content.as_bytes()) {
        Ok(_) => panic!("{name} must be refused"),
        Err(e) => {
            assert_eq!(e.code(), ErrorCode::ImportInvalid, "{e}");
            e.problems().iter().map(|p| p.text(Lang::En)).collect()
        }
    }
}

#[test]
fn every_problem_of_a_csv_is_reported_at_once_with_row_and_column() {
    let csv = "Section,Code,Requirement,Kind,Weight,Hard,Photo,Min,Max\n\
               A,1,Greets,check,1,no,none,,\n\
               A,1,Duplicate,check,1,no,none,,\n\
               A,2,,check,1,no,none,,\n\
               A,3,Bad kind,checkbox,1,no,none,,\n\
               A,4,Bad weight,check,-2,no,none,,\n\
               A,5,Scale without max,scale,1,no,none,,\n\
               A,6,Number without range,number,1,no,none,,\n\
               A,7,Bad hard,check,1,maybe,none,,\n\
               A,8,Bad photo,check,1,no,sometimes,,\n";
    let p = problems_of("bad.csv", csv);
    let at = |prefix: &str| {
        assert!(
            p.iter().any(|m| m.starts_with(prefix)),
            "expected a problem at {prefix:?} in {p:#?}"
        );
    };
    at("row 3, column Code: code 1 is already used at row 2");
    at("row 4, column Requirement: ");
    at("row 5, column Kind: unknown kind \"checkbox\"");
    at("row 6, column Weight: ");
    at("row 7, column Max: a scale needs a max");
    at("row 8, column Min: a number needs a min, a max or both");
    at("row 9, column Hard: hard must be yes or no");
    at("row 10, column Photo: unknown photo rule");
    assert_eq!(p.len(), 8, "{p:#?}");
}

#[test]
fn weights_and_ranges_are_bounded_so_no_score_overflows() {
    // A weight of 1e308 once overflowed the sum of weights and scored every audit 0 %.
    let csv = "Section,Code,Requirement,Kind,Weight,Min,Max\n\
               A,1,Huge weight,check,1e308,,\n\
               A,2,Heavy but fine,check,1000,,\n\
               A,3,Too heavy,check,1000.5,,\n\
               A,4,Huge scale,scale,1,-1e308,1e308\n";
    let p = problems_of("weights.csv", csv);
    let has = |prefix: &str| p.iter().any(|m| m.starts_with(prefix));
    assert!(
        has("row 2, column Weight: weight \"1e308\" must be a positive number up to 1000"),
        "{p:#?}"
    );
    assert!(has("row 4, column Weight: "), "{p:#?}");
    assert!(
        has(
            "row 5, column Min: min \"-1e308\" must be a number between -1000000000 and 1000000000"
        ),
        "{p:#?}"
    );
    assert!(has("row 5, column Max: "), "{p:#?}");
    assert_eq!(p.len(), 4, "the weight of 1000 is allowed: {p:#?}");
}

#[test]
fn a_missing_required_column_is_named_at_the_header_row() {
    let p = problems_of("bad.csv", "#title: x\nsection,requirement\nA,Greets\n");
    assert_eq!(p.len(), 1);
    assert!(
        p[0].starts_with("row 2: the required column \"code\" (код) is missing"),
        "{p:?}"
    );
}

#[test]
fn json_problems_name_the_field_path() {
    let json = r#"{"requirements": [
        {"section": "A", "code": "1", "requirement": "ok"},
        {"section": "A", "code": "1", "requirement": "dup"},
        {"section": "A", "code": "2", "requirement": "x", "kind": "slider"},
        {"code": "3", "requirement": "no section"},
        {"section": "A", "code": "4", "requirement": "s", "kind": "scale", "min": 5, "max": 3}
    ]}"#;
    let p = problems_of("bad.json", json);
    for prefix in [
        "requirements[1].code: ",
        "requirements[2].kind: ",
        "requirements[3].section: ",
        "requirements[4].max: ",
    ] {
        assert!(
            p.iter().any(|m| m.starts_with(prefix)),
            "expected {prefix:?} in {p:#?}"
        );
    }
    let syntax = problems_of("bad.json", "{\"requirements\": [\n  {\"code\": ");
    assert!(syntax[0].starts_with("line 2, column"), "{syntax:?}");
}

#[test]
fn a_broken_xlsx_says_it_is_not_a_spreadsheet() {
    let p = problems_of("standard.xlsx", "this is not a spreadsheet");
    assert!(p[0].contains("not a readable XLSX spreadsheet"), "{p:?}");
}

#[test]
fn problems_are_also_given_in_russian() {
    let e = parse_standard(
        "bad.csv",
        "раздел;код;требование;тип\nA;1;x;флажок\n".as_bytes(),
    )
    .expect_err("bad kind");
    let ru = e.problems()[0].text(Lang::Ru);
    assert!(
        ru.starts_with("строка 2, столбец тип: неизвестный тип «флажок»"),
        "{ru}"
    );
    assert!(
        e.message(Lang::Ru).contains("ничего не записано"),
        "{}",
        e.message(Lang::Ru)
    );
}

#[test]
fn publishing_is_immutable_idempotent_and_versions_without_a_number_count_up() {
    let mut db = db();
    let first = import(&mut db, "mini.csv", CSV_RU.as_bytes());
    assert!(first.created);
    assert_eq!(
        (first.standard.sections, first.standard.requirements),
        (3, 5)
    );
    let again = import(&mut db, "mini.csv", CSV_RU.as_bytes());
    assert!(!again.created, "an identical file changes nothing");
    assert_eq!(again.standard.id, first.standard.id);
    assert_eq!(db.list_standards().expect("list").len(), 1);

    let changed = CSV_RU.replace("Улыбка", "Улыбка во весь рот");
    let err = db
        .publish_standard(&parse_standard("mini.csv", changed.as_bytes()).expect("valid"))
        .expect_err("same code and version, other content");
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert!(
        err.to_string().contains("MINI version 1 already exists"),
        "{err}"
    );
    assert_eq!(
        db.list_standards().expect("list").len(),
        1,
        "nothing written"
    );

    let unversioned = changed.replace("#version: 1\n", "");
    let v2 = import(&mut db, "mini.csv", unversioned.as_bytes());
    assert_eq!(v2.standard.version, "2", "the next number for the code");
    let same = import(&mut db, "mini.csv", unversioned.as_bytes());
    assert!(
        !same.created,
        "an unversioned file identical to the latest is that version"
    );
    assert_eq!(db.find_standard("MINI").expect("latest"), v2.standard.id);
    assert_eq!(db.find_standard("MINI@1").expect("v1"), first.standard.id);

    let err = db
        .connection()
        .execute("UPDATE requirement SET text = 'hacked'", [])
        .expect_err("the schema itself refuses to change a published standard");
    assert!(err.to_string().contains("immutable"), "{err}");
}

/// Two laptops that import the same file give the standard, its sections and its requirements
/// the same ids, the ones `ids` derives from its content, so HQ knows two stores' audits
/// measured the same requirement. Another version of the same content gets other ids.
#[test]
fn two_databases_importing_one_standard_agree_on_its_ids() {
    let clock: storecheck_core::db::Clock = Arc::new(|| {
        Utc.with_ymd_and_hms(2026, 11, 22, 9, 30, 0)
            .single()
            .expect("time")
    });
    let v2 = CSV_RU.replace("#version: 1", "#version: 2");
    let v3 = CSV_RU
        .replace("#version: 1\n", "")
        .replace("Улыбка", "Улыбка во весь рот");
    let laptop = |seed: u64| {
        let mut db = Db::open_in_memory(Inputs::seeded(clock.clone(), seed)).expect("db");
        let standards: Vec<Standard> = [CSV_RU, &v2, &v3]
            .iter()
            .map(|csv| {
                let id = import(&mut db, "mini.csv", csv.as_bytes()).standard.id;
                db.load_standard(id).expect("load")
            })
            .collect();
        (db.device(), standards)
    };
    let (device_a, a) = laptop(1);
    let (device_b, b) = laptop(2);
    assert_ne!(device_a, device_b, "other seeds make other row ids");
    let all_ids = |s: &Standard| {
        let mut out = vec![s.id];
        for section in &s.sections {
            out.push(section.id);
            out.extend(section.requirements.iter().map(|r| r.id));
        }
        out
    };
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(all_ids(x), all_ids(y), "{}@{}", x.code, x.version);
    }

    for (standard, csv) in a.iter().zip([CSV_RU, &v2, &v3]) {
        let hash = parse_standard("mini.csv", csv.as_bytes())
            .expect("valid")
            .content_hash();
        let id = ids::standard_id("MINI", &standard.version, &hash);
        assert_eq!(standard.id, id, "version {}", standard.version);
        for (position, section) in (0..).zip(&standard.sections) {
            assert_eq!(section.id, ids::section_id(id, position));
            for r in &section.requirements {
                assert_eq!(r.id, ids::requirement_id(id, &r.code));
            }
        }
    }
    assert_eq!(
        a.iter().map(|s| s.version.as_str()).collect::<Vec<_>>(),
        ["1", "2", "3"],
        "the third, without a version, got the next number"
    );
    let (v1_ids, v2_ids) = (all_ids(&a[0]), all_ids(&a[1]));
    assert!(
        v2_ids.iter().all(|id| !v1_ids.contains(id)),
        "the same content under another version has other ids"
    );
}

fn new_audit(db: &mut Db) -> uuid::Uuid {
    import(db, "mini.csv", CSV_RU.as_bytes());
    db.add_store("S1", "Тверская", Some("Москва"))
        .expect("store");
    db.create_audit(&NewAudit {
        store_code: "S1".into(),
        shift_date: "2026-11-22".into(),
        shift: ShiftPart::Opening,
        auditor: "Анна".into(),
        observed: None,
        standard: None,
    })
    .expect("audit")
}

fn answer(
    db: &mut Db,
    id: uuid::Uuid,
    code: &str,
    r: Response,
) -> storecheck_core::Result<storecheck_core::audit::AnswerSaved> {
    db.save_answer(
        id,
        code,
        &AnswerInput {
            response: Some(r),
            note: None,
        },
    )
}

#[test]
fn an_audit_goes_from_draft_to_completed_and_scores_live() {
    let mut db = db();
    let id = new_audit(&mut db);
    let err = db.complete_audit(id).expect_err("nothing answered");
    assert!(
        matches!(&err, Error::Incomplete { missing } if missing.len() == 4),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("4 requirements unanswered (1.1, 1.2, 2.1, 3.1)"),
        "{err}"
    );

    let s = answer(&mut db, id, "1.1", Response::Pass).expect("pass");
    assert_eq!(s.score.score, Some(100.0));
    answer(&mut db, id, "1.2", Response::Value(3.0)).expect("scale");
    answer(&mut db, id, "2.1", Response::Value(2.0)).expect("number");
    let s = db
        .save_answer(
            id,
            "3.1",
            &AnswerInput {
                response: Some(Response::Fail),
                note: Some("Нет ценников на полке 3".into()),
            },
        )
        .expect("fail with note");
    // (2·1 + 1·0.5 + 1·0 + 1·0) / 5 = 50 %
    assert_eq!(s.score.score, Some(50.0));
    assert_eq!(s.score.rating.as_deref(), Some("unsatisfactory"));
    assert_eq!(
        s.score
            .findings
            .iter()
            .map(|f| f.code.as_str())
            .collect::<Vec<_>>(),
        ["2.1", "3.1"]
    );
    assert_eq!(
        s.score.findings[1].note.as_deref(),
        Some("Нет ценников на полке 3")
    );

    // 3.1 failed and its photo is required on failure; without a photo it waits.
    let err = db.complete_audit(id).expect_err("3.1 needs a photo");
    assert!(err.to_string().contains("photos missing for 3.1"), "{err}");
    answer(&mut db, id, "3.1", Response::Na).expect("n/a");

    // The text requirement is not needed for completion.
    let view = db.complete_audit(id).expect("complete");
    assert_eq!(view.header.status, AuditStatus::Completed);
    let err =
        answer(&mut db, id, "1.1", Response::Fail).expect_err("completed audits are read-only");
    assert_eq!(err.code(), ErrorCode::Locked);

    db.add_action(
        id,
        &NewAction {
            code: "2.1".into(),
            what: "Провести тренинг по выявлению потребностей".into(),
            owner: "Ольга".into(),
            due: "2026-11-23".into(),
        },
    )
    .expect("action on a finding");
    let err = db
        .add_action(
            id,
            &NewAction {
                code: "1.1".into(),
                what: "x".into(),
                owner: "y".into(),
                due: "2026-11-23".into(),
            },
        )
        .expect_err("1.1 passed");
    assert!(err.to_string().contains("not a finding"), "{err}");
    let err = db
        .add_action(
            id,
            &NewAction {
                code: "3.1".into(),
                what: "x".into(),
                owner: "y".into(),
                due: "23.11.2026".into(),
            },
        )
        .expect_err("bad date");
    assert!(err.to_string().contains("YYYY-MM-DD"), "{err}");

    db.reopen_audit(id).expect("reopen");
    answer(&mut db, id, "3.1", Response::Pass).expect("draft again");
    assert_eq!(
        db.load_audit(id).expect("load").actions.len(),
        1,
        "actions survive a reopen"
    );
}

#[test]
fn refused_answers_say_why_and_change_nothing() {
    let mut db = db();
    let id = new_audit(&mut db);
    answer(&mut db, id, "1.2", Response::Value(4.0)).expect("in range");
    let before = db.load_audit(id).expect("load");

    let err = answer(&mut db, id, "1.2", Response::Value(7.0)).expect_err("out of range");
    assert_eq!(
        err.to_string(),
        "requirement 1.2: the value must be between 1 and 5"
    );
    let err = answer(&mut db, id, "1.1", Response::Na).expect_err("na not allowed on 1.1");
    assert!(
        err.to_string()
            .contains("\"not applicable\" is not allowed"),
        "{err}"
    );
    assert!(
        err.message(Lang::Ru)
            .contains("«н/п» для этого требования не допускается")
    );
    let err = answer(&mut db, id, "9.9", Response::Pass).expect_err("unknown code");
    assert_eq!(err.code(), ErrorCode::NotFound);

    let after = db.load_audit(id).expect("load");
    assert_eq!(
        before.answers, after.answers,
        "a refused answer changes nothing"
    );
}

#[test]
fn notes_can_come_before_answers_and_clearing_keeps_the_note() {
    let mut db = db();
    let id = new_audit(&mut db);
    let s = db
        .save_answer(
            id,
            "1.1",
            &AnswerInput {
                response: None,
                note: Some("Опоздал на 5 минут".into()),
            },
        )
        .expect("note only");
    assert_eq!(s.answer.as_ref().and_then(|a| a.response.clone()), None);
    assert_eq!(s.score.answered, 0, "a note is not an answer");
    answer(&mut db, id, "1.1", Response::Fail).expect("answer");
    let a = db.load_audit(id).expect("load").answers;
    assert_eq!(
        a[0].note.as_deref(),
        Some("Опоздал на 5 минут"),
        "answering keeps the note"
    );
    let s = db.clear_answer(id, "1.1").expect("clear");
    assert_eq!(
        s.answer.and_then(|a| a.note).as_deref(),
        Some("Опоздал на 5 минут")
    );
    assert_eq!(s.score.answered, 0);
}

#[test]
fn fill_saves_every_row_or_none() {
    let mut db = db();
    let id = new_audit(&mut db);
    let bad = "code,answer,note\n1.1,pass,\n1.2,9,\n7.7,pass,\n3.1,maybe,\n";
    let err = db
        .fill_from_csv(id, "answers.csv", bad.as_bytes())
        .expect_err("three bad rows");
    let p: Vec<String> = err.problems().iter().map(|p| p.text(Lang::En)).collect();
    assert_eq!(p.len(), 3, "{p:#?}");
    assert!(
        p[0].starts_with(
            "row 3, column answer: requirement 1.2: the value must be between 1 and 5"
        ),
        "{p:#?}"
    );
    assert!(
        p[1].starts_with("row 4, column code: requirement 7.7 is not in standard MINI"),
        "{p:#?}"
    );
    assert!(
        p[2].starts_with("row 5, column answer: \"maybe\" does not fit"),
        "{p:#?}"
    );
    assert!(
        db.load_audit(id).expect("load").answers.is_empty(),
        "nothing saved"
    );

    let good =
        "code;answer;note\n1.1;pass;\n1.2;5;\n2.1;4;\n2.2;Купил пальто;\n3.1;fail;Ценник упал\n";
    assert_eq!(
        db.fill_from_csv(id, "answers.csv", good.as_bytes())
            .expect("good"),
        5
    );
    let v = db.load_audit(id).expect("load");
    assert_eq!(
        (v.score.answered, v.score.total),
        (5, 5),
        "the text answer counts like every other"
    );
    assert_eq!(
        v.answers
            .iter()
            .find(|a| a.code == "2.2")
            .and_then(|a| a.response.clone()),
        Some(Response::Text("Купил пальто".into()))
    );
}

#[test]
fn a_signed_audit_is_locked_by_the_schema_itself() {
    let mut db = db();
    let id = new_audit(&mut db);
    answer(&mut db, id, "1.1", Response::Pass).expect("answer");
    let sign = format!("UPDATE audit SET status = 'signed' WHERE id = '{id}'");
    let err = db.connection().execute(&sign, []).expect_err("no report");
    assert!(err.to_string().contains("signed report"), "{err}");
    // What signing does, by hand: completed, a report row, then signed.
    db.connection()
        .execute_batch(&format!(
            "UPDATE audit SET status = 'completed' WHERE id = '{id}';
             INSERT INTO report (id, audit_id, signer, signed_at, certificate, lang, pdf_sha256, pdf_bytes, device_id, created_at)
             VALUES ('r1', '{id}', 'A', '2026-11-22T10:00:00Z', '', 'ru', '{h}', 1, 'd', '2026-11-22T10:00:00Z');
             {sign};",
            h = "0".repeat(64)
        ))
        .expect("sign");
    for sql in [
        "UPDATE answer SET response = 'fail'",
        "DELETE FROM answer",
        "UPDATE audit SET status = 'draft'",
        "UPDATE audit SET auditor = 'someone else'",
        "DELETE FROM audit",
        "UPDATE report SET signer = 'B'",
        "DELETE FROM report",
    ] {
        let err = db.connection().execute(sql, []).expect_err(sql);
        assert!(
            err.to_string().contains("locked")
                || err.to_string().contains("not a draft")
                || err.to_string().contains("never"),
            "{sql}: {err}"
        );
    }
    let err = answer(&mut db, id, "1.1", Response::Fail).expect_err("locked");
    assert!(err.to_string().contains("signed"), "{err}");
}

#[test]
fn audits_need_a_real_date_an_auditor_and_a_known_store() {
    let mut db = db();
    import(&mut db, "mini.csv", CSV_RU.as_bytes());
    db.add_store("S1", "Тверская", None).expect("store");
    let base = NewAudit {
        store_code: "S1".into(),
        shift_date: "2026-11-22".into(),
        shift: ShiftPart::Day,
        auditor: "Анна".into(),
        observed: None,
        standard: None,
    };
    let err = db
        .create_audit(&NewAudit {
            shift_date: "2026-02-30".into(),
            ..base.clone()
        })
        .expect_err("no such day");
    assert!(
        err.to_string()
            .starts_with("date: \"2026-02-30\" is not a date"),
        "{err}"
    );
    let err = db
        .create_audit(&NewAudit {
            auditor: "  ".into(),
            ..base.clone()
        })
        .expect_err("empty auditor");
    assert!(err.to_string().contains("auditor is empty"), "{err}");
    let err = db
        .create_audit(&NewAudit {
            store_code: "NOPE".into(),
            ..base.clone()
        })
        .expect_err("no store");
    assert_eq!(err.code(), ErrorCode::NotFound);
    assert!(err.hint(Lang::En).expect("hint").contains("store add"));
    assert!(
        db.list_audits().expect("list").is_empty(),
        "nothing written"
    );
}

/// Rows made here carry a UUID v7 of the injected clock; a standard's id is derived from its
/// content instead (`two_databases_importing_one_standard_agree_on_its_ids`).
#[test]
fn every_row_carries_its_id_the_device_and_times() {
    let mut db = db();
    let id = new_audit(&mut db);
    assert_eq!(id.get_version_num(), 7);
    answer(&mut db, id, "1.1", Response::Pass).expect("answer");
    let device = db.device().to_string();
    for table in ["standard", "store", "audit", "answer"] {
        let (row_id, dev, created): (String, String, String) = db
            .connection()
            .query_row(
                &format!("SELECT id, device_id, created_at FROM {table} LIMIT 1"),
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .expect(table);
        assert_eq!(
            uuid::Uuid::parse_str(&row_id)
                .expect("uuid")
                .get_version_num(),
            if table == "standard" { 5 } else { 7 },
            "{table}"
        );
        assert_eq!(dev, device, "{table}");
        assert_eq!(
            created, "2026-11-22T09:30:00.000Z",
            "{table}: times come from the injected clock"
        );
    }
}

#[test]
fn a_saved_answer_is_on_disk_when_save_returns() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("store.db");
    let id = {
        let mut db = Db::open(&path, Inputs::system(None)).expect("open");
        let id = new_audit(&mut db);
        answer(&mut db, id, "1.1", Response::Pass).expect("answer");
        // Leak the connection: no close, no checkpoint, as when the process is killed.
        std::mem::forget(db);
        id
    };
    let db = Db::open(&path, Inputs::system(None)).expect("reopen");
    let v = db.load_audit(id).expect("load");
    assert_eq!(v.answers.len(), 1, "the answer must be in the WAL on disk");
    let sync: i64 = db
        .connection()
        .pragma_query_value(None, "synchronous", |r| r.get(0))
        .expect("pragma");
    assert_eq!(sync, 2, "synchronous = FULL: a commit survives power loss");
    assert!(Path::new(&path).exists());
}

/// Every row of every table, as text, in insertion order.
fn dump(db: &Db) -> Vec<(String, Vec<String>)> {
    let c = db.connection();
    let tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .expect("tables")
        .query_map([], |r| r.get(0))
        .expect("tables")
        .collect::<Result<_, _>>()
        .expect("tables");
    let mut out = Vec::new();
    for table in tables {
        let mut stmt = c
            .prepare(&format!("SELECT * FROM \"{table}\" ORDER BY rowid"))
            .expect("select");
        let n = stmt.column_count();
        let rows: Vec<String> = stmt
            .query_map([], |r| {
                (0..n)
                    .map(|i| r.get_ref(i).map(|v| format!("{v:?}")))
                    .collect::<Result<Vec<_>, _>>()
                    .map(|v| v.join(" | "))
            })
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("rows");
        out.push((table, rows));
    }
    out
}

/// The demo loaded, a new audit answered with a note and completed, in a new database.
fn the_same_work(dir: &Path, inputs: storecheck_core::db::Inputs) -> Db {
    let mut db = Db::open(&dir.join("store.db"), inputs).expect("open");
    db.load_demo(Lang::Ru).expect("demo");
    let id = db
        .create_audit(&NewAudit {
            store_code: "SPB-02".into(),
            shift_date: "2026-11-22".into(),
            shift: ShiftPart::Day,
            auditor: "Ольга Петрова".into(),
            observed: None,
            standard: Some("DEMO-FASHION".into()),
        })
        .expect("audit");
    db.save_answer(
        id,
        "1.2",
        &AnswerInput {
            response: Some(Response::Fail),
            note: Some("Вывеска не горела".into()),
        },
    )
    .expect("answer");
    db
}

#[test]
fn the_same_seed_and_clock_make_the_same_ids_and_times() {
    let clock: storecheck_core::db::Clock = Arc::new(|| {
        Utc.with_ymd_and_hms(2026, 11, 22, 9, 30, 0)
            .single()
            .expect("time")
    });
    let (one, two, three) = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    let a = the_same_work(one.path(), Inputs::seeded(clock.clone(), 42));
    let b = the_same_work(two.path(), Inputs::seeded(clock.clone(), 42));
    let (a_rows, b_rows) = (dump(&a), dump(&b));
    let rows: usize = a_rows.iter().map(|(_, r)| r.len()).sum();
    assert!(rows > 200, "the demo and the audit made rows: {rows}");
    for ((table, x), (_, y)) in a_rows.iter().zip(&b_rows) {
        assert_eq!(x, y, "{table}: the same inputs must make the same rows");
    }
    assert_eq!(a_rows, b_rows);
    assert_eq!(a.device(), b.device());
    assert_eq!(
        a.device().get_timestamp().map(|t| t.to_unix().0),
        Some(clock().timestamp() as u64),
        "an id's time is the injected clock's"
    );
    let c = the_same_work(three.path(), Inputs::seeded(clock, 43));
    assert_ne!(
        c.device(),
        a.device(),
        "another seed makes other ids: they come from the seed, not a constant"
    );
}
