//! `hq export`: the XLSX workbook read back (calamine) holds what the CSV files hold and what
//! HQ holds, with typed cells, and a text that looks like a formula stays text.

mod common;

use calamine::{Data, Reader, open_workbook_auto};
use common::{Laptop, accept, hq};
use storecheck_core::audit::{AnswerInput, NewAction};
use storecheck_core::model::{AuditStatus, Response};
use storecheck_hq::export::{Cell, Filter, write_csv, write_xlsx, write_xlsx_split};

fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(v) => storecheck_core::model::format_number(*v),
        Data::Int(v) => v.to_string(),
        // Excel counts days from 1899-12-30.
        Data::DateTime(d) => (chrono::NaiveDate::from_ymd_opt(1899, 12, 30).expect("epoch")
            + chrono::Duration::days(d.as_f64() as i64))
        .format("%Y-%m-%d")
        .to_string(),
        other => format!("{other:?}"),
    }
}

#[test]
fn xlsx_and_csv_hold_what_hq_holds_typed_and_formulas_stay_text() {
    let mut a = Laptop::new(31);
    let id = a.audits(AuditStatus::Completed)[0];
    a.db.reopen_audit(id).expect("reopen");
    a.db.save_answer(
        id,
        "1.3",
        &AnswerInput {
            response: Some(Response::Fail),
            note: Some("=HYPERLINK(\"http://x\";\"1\")".into()),
        },
    )
    .expect("answer");
    a.db.add_action(
        id,
        &NewAction {
            code: "1.3".into(),
            what: "-провести инструктаж".into(),
            owner: "@управляющий".into(),
            due: "2026-12-15".into(),
        },
    )
    .expect("action");
    a.db.complete_audit(id).expect("complete");
    let (dir, mut hq) = hq();
    accept(&mut hq, &a.export());

    let tables = hq.export_tables(&Filter::default()).expect("tables");
    let count = |name: &str| {
        tables
            .iter()
            .find(|t| t.name == name)
            .expect(name)
            .rows
            .len()
    };
    assert_eq!(count("audits"), 1);
    assert_eq!(count("answers"), 61);
    assert_eq!(count("actions"), 1);
    let record = a.db.audit_record(id).expect("record");
    assert_eq!(
        count("findings"),
        a.db.load_audit(id).expect("audit").score.findings.len()
    );
    assert!(
        record
            .answers
            .iter()
            .any(|x| x.code == "1.3" && x.response.as_deref() == Some("fail"))
    );

    let xlsx = dir.path().join("export.xlsx");
    write_xlsx(&tables, &xlsx).expect("xlsx");
    let csv_dir = dir.path().join("csv");
    let csvs = write_csv(&tables, &csv_dir).expect("csv");
    assert_eq!(csvs.len(), 4);
    let mut book = open_workbook_auto(&xlsx).expect("open xlsx");
    assert_eq!(
        book.sheet_names(),
        vec!["audits", "answers", "findings", "actions"]
    );
    for table in &tables {
        let range = book.worksheet_range(table.name).expect("sheet");
        let formulas = book.worksheet_formula(table.name).expect("formulas");
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{}: no formula anywhere",
            table.name
        );
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(cell_text).collect())
            .collect();
        assert_eq!(
            rows[0],
            table
                .columns
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
        );
        assert_eq!(rows.len(), table.rows.len() + 1, "{}", table.name);
        // The same values as the CSV file, but for the CSV's quote before formula-like texts.
        let bytes = std::fs::read(csv_dir.join(format!("{}.csv", table.name))).expect("csv");
        assert!(
            bytes.starts_with("\u{feff}".as_bytes()),
            "a BOM, as Russian Excel needs"
        );
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b';')
            .has_headers(false)
            .from_reader(&bytes[3..]);
        let csv_rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| {
                r.expect("record")
                    .iter()
                    .map(|f| f.strip_prefix('\'').unwrap_or(f).to_string())
                    .collect()
            })
            .collect();
        assert_eq!(
            csv_rows, rows,
            "{}: the CSV holds what the workbook holds",
            table.name
        );
        // Typed cells: numbers are numbers, dates are dates.
        for (i, row) in table.rows.iter().enumerate() {
            for (j, cell) in row.iter().enumerate() {
                let got = range.get((i + 1, j)).expect("cell");
                match cell {
                    Cell::Number(_) => {
                        assert!(matches!(got, Data::Float(_)), "{}: {got:?}", table.name)
                    }
                    Cell::Date(_) => {
                        assert!(matches!(got, Data::DateTime(_)), "{}: {got:?}", table.name)
                    }
                    Cell::Text(_) => {
                        assert!(matches!(got, Data::String(_)), "{}: {got:?}", table.name)
                    }
                    Cell::Empty => assert!(matches!(got, Data::Empty), "{}: {got:?}", table.name),
                }
            }
        }
    }
    let answers = book.worksheet_range("answers").expect("answers");
    assert!(
        answers
            .used_cells()
            .any(|(_, _, c)| c == &Data::String("=HYPERLINK(\"http://x\";\"1\")".into())),
        "the formula-like note is a string cell"
    );
    let text = std::fs::read_to_string(csv_dir.join("actions.csv")).expect("csv");
    assert!(
        text.contains("'-провести инструктаж") && text.contains("'@управляющий"),
        "{text}"
    );

    // Past the rows a sheet may hold, a table goes on in the next sheet, every row kept.
    let split = dir.path().join("split.xlsx");
    write_xlsx_split(&tables, &split, 25).expect("xlsx");
    let mut book = open_workbook_auto(&split).expect("open xlsx");
    let names = book.sheet_names();
    assert!(names.contains(&"answers 3".to_string()), "{names:?}");
    let answers: usize = names
        .iter()
        .filter(|n| n.starts_with("answers"))
        .map(|n| book.worksheet_range(n).expect("sheet").height() - 1)
        .sum();
    assert_eq!(answers, 61);

    // Filters: another store has nothing.
    let none = hq
        .export_tables(&Filter {
            store: Some("SPB-02".into()),
            ..Filter::default()
        })
        .expect("tables");
    assert!(none.iter().all(|t| t.rows.is_empty()));
}

#[test]
fn since_the_last_export_only_what_hq_took_after_it_goes_out() {
    let mut a = Laptop::new(32);
    let first = a.export();
    let draft = a.audits(AuditStatus::Draft)[0];
    a.complete(draft);
    let second = a.export();
    let (_dir, mut hq) = hq();
    accept(&mut hq, &first);
    let (tables, as_of) = hq.export_snapshot(&Filter::default()).expect("export");
    assert_eq!(tables[0].rows.len(), 1);
    let as_of = as_of.expect("a time");
    let nothing = hq
        .export_tables(&Filter {
            since: Some(as_of.clone()),
            ..Filter::default()
        })
        .expect("export");
    assert!(nothing.iter().all(|t| t.rows.is_empty()), "nothing new yet");
    accept(&mut hq, &second);
    let new = hq
        .export_tables(&Filter {
            since: Some(as_of),
            ..Filter::default()
        })
        .expect("export");
    assert_eq!(new[0].rows.len(), 1, "only the audit that arrived since");
    let id_column = new[0]
        .columns
        .iter()
        .position(|c| *c == "audit_id")
        .expect("id");
    assert!(matches!(&new[0].rows[0][id_column], Cell::Text(t) if *t == draft.to_string()));
    assert_eq!(
        new[1].rows.len(),
        tables[1].rows.len(),
        "with its answers, and only its"
    );
}
