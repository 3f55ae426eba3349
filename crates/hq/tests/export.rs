//! `hq export`: the XLSX workbook read back (calamine) holds what the CSV files hold and what
//! HQ holds, with typed cells, and a text that looks like a formula stays text.

mod common;

use calamine::{Data, Reader, open_workbook_auto};
use common::{Laptop, accept, hq};
use storecheck_core::audit::{AnswerInput, NewAction};
use storecheck_core::model::{AuditStatus, Response};
use storecheck_hq::export::{Cell, Filter, Output, write_csv, write_xlsx, write_xlsx_split};

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

/// A cell of the tables in memory as [`cell_text`] reads it back.
fn text_of(c: &Cell) -> String {
    match c {
        Cell::Empty => String::new(),
        Cell::Text(s) | Cell::Date(s) => s.clone(),
        Cell::Number(v) => storecheck_core::model::format_number(*v),
    }
}

/// A chain of a few dozen audits with failures and corrective actions, in a fresh HQ.
fn chain() -> (tempfile::TempDir, storecheck_hq::HqDb) {
    let laptop = Laptop::new(7);
    let id = laptop.db.list_standards().expect("standards")[0].id;
    let standard = laptop.db.standard_record(id).expect("record");
    let (dir, mut hq) = hq();
    let chain = storecheck_hq::synth::Chain {
        stores: 6,
        regions: 2,
        audits: 60,
        first_day: chrono::NaiveDate::from_ymd_opt(2026, 5, 1).expect("date"),
        days: 20,
        revisions: 0.05,
        seed: 5,
    };
    storecheck_hq::synth::generate(&mut hq, &standard, &chain).expect("generate");
    (dir, hq)
}

#[test]
fn a_streamed_export_splits_sheets_mid_stream_and_they_hold_exactly_the_rows() {
    let (dir, mut hq) = chain();
    let (tables, as_of) = hq.export_snapshot(&Filter::default()).expect("tables");
    let rows = |name: &str| &tables.iter().find(|t| t.name == name).expect(name).rows;
    // Findings are written in turn with the answers they come from: both tables must pass
    // their sheets' end while the other is still being written.
    let findings = rows("findings").len();
    assert!(findings >= 10, "failures to export: {findings}");
    let per_sheet = findings / 2;
    assert!(rows("answers").len() > 3 * per_sheet);
    assert!(!rows("actions").is_empty() && !rows("audits").is_empty());

    let xlsx = dir.path().join("streamed.xlsx");
    let done = hq
        .export(
            &Filter::default(),
            Output::Xlsx {
                path: &xlsx,
                sheet_rows: per_sheet + 1,
            },
        )
        .expect("export");
    assert_eq!(done.files, vec![xlsx.clone()]);
    assert_eq!(done.as_of, as_of, "the same snapshot's time");
    for table in &tables {
        assert_eq!(done.rows_of(table.name), table.rows.len(), "{}", table.name);
    }

    let mut expected_names = Vec::new();
    for table in &tables {
        let sheets = table.rows.len().div_ceil(per_sheet).max(1);
        for n in 0..sheets {
            expected_names.push(if n == 0 {
                table.name.to_string()
            } else {
                format!("{} {}", table.name, n + 1)
            });
        }
    }
    let mut book = open_workbook_auto(&xlsx).expect("open xlsx");
    let names = book.sheet_names();
    assert_eq!(
        names, expected_names,
        "a table's sheets together, tables in order"
    );
    assert!(names.contains(&"findings 2".to_string()), "{names:?}");

    let mut sheet_heights = Vec::new();
    for table in &tables {
        let sheets: Vec<&String> = names
            .iter()
            .filter(|n| *n == table.name || n.starts_with(&format!("{} ", table.name)))
            .collect();
        let mut got: Vec<(Vec<String>, Vec<Data>)> = Vec::new();
        for (i, sheet) in sheets.iter().enumerate() {
            let range = book.worksheet_range(sheet).expect("sheet");
            let formulas = book.worksheet_formula(sheet).expect("formulas");
            assert!(
                formulas.used_cells().all(|(_, _, f)| f.is_empty()),
                "{sheet}"
            );
            let mut lines = range.rows();
            let header: Vec<String> = lines
                .next()
                .expect("header")
                .iter()
                .map(cell_text)
                .collect();
            assert_eq!(header, table.columns, "{sheet}: its own header");
            if i + 1 < sheets.len() {
                assert_eq!(
                    range.height(),
                    per_sheet + 1,
                    "{sheet}: full before the next"
                );
            }
            sheet_heights.push(range.height());
            for line in lines {
                got.push((line.iter().map(cell_text).collect(), line.to_vec()));
            }
        }
        assert_eq!(
            got.len(),
            table.rows.len(),
            "{}: every row once",
            table.name
        );
        for (row, (texts, cells)) in table.rows.iter().zip(&got) {
            let want: Vec<String> = row.iter().map(text_of).collect();
            assert_eq!(&want, texts, "{}: the rows in their order", table.name);
            for (cell, data) in row.iter().zip(cells) {
                let typed = match cell {
                    Cell::Number(_) => matches!(data, Data::Float(_)),
                    Cell::Date(_) => matches!(data, Data::DateTime(_)),
                    Cell::Text(_) => matches!(data, Data::String(_)),
                    Cell::Empty => matches!(data, Data::Empty),
                };
                assert!(typed, "{}: {cell:?} read back as {data:?}", table.name);
            }
        }
    }

    // Every sheet's header is frozen and filtered over exactly its rows.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&xlsx).expect("open")).expect("zip");
    let mut i = 0;
    for table in &tables {
        let last_col = (b'A' + table.columns.len() as u8 - 1) as char;
        while i < names.len()
            && (names[i] == table.name || names[i].starts_with(&format!("{} ", table.name)))
        {
            let mut xml = String::new();
            std::io::Read::read_to_string(
                &mut zip
                    .by_name(&format!("xl/worksheets/sheet{}.xml", i + 1))
                    .expect("sheet xml"),
                &mut xml,
            )
            .expect("read");
            assert!(xml.contains("state=\"frozen\""), "{}: frozen", names[i]);
            let filter = format!("<autoFilter ref=\"A1:{last_col}{}\"/>", sheet_heights[i]);
            assert!(xml.contains(&filter), "{}: {filter}", names[i]);
            assert!(!xml.contains("<f>"), "{}: no formula", names[i]);
            i += 1;
        }
    }

    // CSV, streamed, is what the same tables written from memory are, and leaves no part file.
    let streamed = dir.path().join("csv-streamed");
    let done = hq
        .export(&Filter::default(), Output::csv(&streamed))
        .expect("csv");
    let from_memory = write_csv(&tables, &dir.path().join("csv-memory")).expect("csv");
    assert_eq!(done.files.len(), 4);
    for (a, b) in done.files.iter().zip(&from_memory) {
        assert_eq!(a.file_name(), b.file_name());
        assert_eq!(
            std::fs::read(a).expect("streamed"),
            std::fs::read(b).expect("memory"),
            "{}",
            a.display()
        );
    }
    let left: Vec<_> = std::fs::read_dir(&streamed)
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(left.len(), 4, "{left:?}");

    // Nothing selected: a sheet per table with its header only.
    let empty = dir.path().join("empty.xlsx");
    let done = hq
        .export(
            &Filter {
                store: Some("NO-SUCH".into()),
                ..Filter::default()
            },
            Output::xlsx(&empty),
        )
        .expect("export");
    assert!(done.rows.iter().all(|(_, n)| *n == 0));
    let mut book = open_workbook_auto(&empty).expect("open xlsx");
    assert_eq!(
        book.sheet_names(),
        vec!["audits", "answers", "findings", "actions"]
    );
    for name in book.sheet_names() {
        assert_eq!(book.worksheet_range(&name).expect("sheet").height(), 1);
    }
}

#[test]
fn a_csv_export_that_stops_leaves_no_part_files() {
    let (dir, mut hq) = chain();
    let out = dir.path().join("csv");
    std::fs::create_dir_all(out.join("answers.csv.part")).expect("a folder in the way");
    hq.export(&Filter::default(), Output::csv(&out))
        .expect_err("answers.csv.part cannot be written");
    let mut left: Vec<String> = std::fs::read_dir(&out)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, vec!["answers.csv.part"], "only what was there before");
}
