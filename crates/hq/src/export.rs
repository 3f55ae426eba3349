//! What HQ holds, for BI tools: four tables (audits, answers, findings, corrective actions) as
//! CSV files (UTF-8 with a BOM, `;`-separated, as Russian Excel opens them) or as one XLSX
//! workbook with a sheet per table (typed cells: numbers as numbers, dates as dates; the header
//! frozen and filtered; a table past Excel's 1,048,576 rows goes on in a second sheet).
//!
//! Columns are stable and only ever added at the end, so a BI refresh keeps working; ids are
//! the store's own. A text that begins with `=`, `+`, `-` or `@` is written as text, never as
//! a formula: a string cell in XLSX, and in CSV with a `'` before it, as spreadsheet programs
//! read a text that must not be computed.
//!
//! [`HqDb::export`] streams: each row goes from the SQLite query straight into the file, so a
//! chain's years of answers take as little memory as a day's. XLSX sheets are written in
//! constant-memory mode (a row at a time, into a temporary file per sheet, zipped when the
//! workbook is saved); CSV rows go through a buffered writer into `<table>.csv.part` files,
//! renamed to `<table>.csv` once every table is whole. [`HqDb::export_tables`] and the
//! `write_*` functions keep the same tables in memory, for tests and small exports.

use std::borrow::Cow;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use crate::db::HqDb;
use crate::error::{HqError, Result};
use crate::sql::{Conn, Row, ValueRef};

/// One value of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// `YYYY-MM-DD`.
    Date(String),
}

/// A table: its name (a file or sheet name), its columns, its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [&'static str],
    pub rows: Vec<Vec<Cell>>,
}

/// Which audits go out: shifts in a period, one region, one store, one standard version (by
/// id), and only those HQ took after `since` (an RFC 3339 time or a date: a BI tool's
/// incremental refresh).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub from: Option<String>,
    pub to: Option<String>,
    pub region: Option<String>,
    pub store: Option<String>,
    pub standard: Option<String>,
    pub since: Option<String>,
}

/// Where [`HqDb::export`] writes.
#[derive(Debug, Clone, Copy)]
pub enum Output<'a> {
    /// One XLSX workbook at `path`, at most `sheet_rows` rows a sheet, the header included
    /// ([`SHEET_ROWS`], Excel's limit, unless a test wants the split sooner).
    Xlsx { path: &'a Path, sheet_rows: usize },
    /// A `<table>.csv` file per table in the folder `dir`.
    Csv { dir: &'a Path },
}

impl<'a> Output<'a> {
    /// An XLSX workbook at `path`, sheets as long as Excel allows.
    pub fn xlsx(path: &'a Path) -> Output<'a> {
        Output::Xlsx {
            path,
            sheet_rows: SHEET_ROWS,
        }
    }

    /// CSV files in the folder `dir`.
    pub fn csv(dir: &'a Path) -> Output<'a> {
        Output::Csv { dir }
    }
}

/// What [`HqDb::export`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Exported {
    /// The workbook, or the CSV files in the tables' order.
    pub files: Vec<PathBuf>,
    /// Each table's name and how many rows it got, in the tables' order.
    pub rows: Vec<(&'static str, usize)>,
    /// The latest time HQ took an audit, read in the export's snapshot: give it as the next
    /// export's `since` to get only what is new.
    pub as_of: Option<String>,
}

impl Exported {
    /// The rows the table `name` got (0 for a table there is not).
    pub fn rows_of(&self, name: &str) -> usize {
        self.rows
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(0, |(_, rows)| *rows)
    }
}

/// Rows per sheet: Excel's limit, the header included.
pub const SHEET_ROWS: usize = 1_048_576;

const AUDIT_COLUMNS: &[&str] = &[
    "audit_id",
    "store",
    "store_name",
    "region",
    "standard",
    "version",
    "shift_date",
    "shift",
    "auditor",
    "status",
    "score",
    "rating",
    "failed_hard",
    "hard_failures",
    "completed_at",
    "revision_of",
    "device_id",
    "pdf_data",
];
const ANSWER_COLUMNS: &[&str] = &[
    "answer_id",
    "audit_id",
    "store",
    "shift_date",
    "section",
    "requirement",
    "hard",
    "weight",
    "response",
    "value",
    "text",
    "note",
    "score",
];
const FINDING_COLUMNS: &[&str] = &[
    "answer_id",
    "audit_id",
    "store",
    "shift_date",
    "section",
    "requirement",
    "requirement_text",
    "hard",
    "response",
    "value",
    "note",
];
const ACTION_COLUMNS: &[&str] = &[
    "action_id",
    "audit_id",
    "store",
    "shift_date",
    "requirement",
    "what",
    "owner",
    "due",
];

/// A table's name and columns.
type Shape = (&'static str, &'static [&'static str]);

/// The tables in the order they are written.
const TABLES: [Shape; 4] = [
    ("audits", AUDIT_COLUMNS),
    ("answers", ANSWER_COLUMNS),
    ("findings", FINDING_COLUMNS),
    ("actions", ACTION_COLUMNS),
];
const AUDITS: usize = 0;
const ANSWERS: usize = 1;
const FINDINGS: usize = 2;
const ACTIONS: usize = 3;

/// A value on its way from the database to a file, borrowed for one row.
#[derive(Debug, Clone, Copy)]
enum Value<'a> {
    Empty,
    Text(&'a str),
    Number(f64),
    /// `YYYY-MM-DD`.
    Date(&'a str),
}

impl Value<'_> {
    fn to_cell(self) -> Cell {
        match self {
            Value::Empty => Cell::Empty,
            Value::Text(s) => Cell::Text(s.to_string()),
            Value::Number(v) => Cell::Number(v),
            Value::Date(d) => Cell::Date(d.to_string()),
        }
    }
}

impl Cell {
    fn value(&self) -> Value<'_> {
        match self {
            Cell::Empty => Value::Empty,
            Cell::Text(s) => Value::Text(s),
            Cell::Number(v) => Value::Number(*v),
            Cell::Date(d) => Value::Date(d),
        }
    }
}

/// Where rows go, as they are read. A table's rows come in order; rows of different tables may
/// come in turn (an answer and the finding it is).
trait Sink {
    /// A row of the table at `table` in the sink's tables.
    fn row(&mut self, table: usize, row: &[Value<'_>]) -> Result<()>;
}

/// The text in column `i` of a row (an error if it is NULL or not text).
fn text_at<'r>(r: &Row<'r>, i: usize) -> Result<&'r str> {
    r.get_ref(i)?.as_str()
}

/// The text in column `i` of a row, or empty for NULL.
fn text_or_empty<'r>(r: &Row<'r>, i: usize) -> Result<Value<'r>> {
    Ok(match r.get_ref(i)? {
        ValueRef::Null => Value::Empty,
        v => Value::Text(v.as_str()?),
    })
}

/// The number in column `i` of a row, or empty for NULL.
fn number_or_empty(r: &Row<'_>, i: usize) -> Result<Value<'static>> {
    Ok(r.get::<_, Option<f64>>(i)?
        .map_or(Value::Empty, Value::Number))
}

/// A flag in column `i` of a row, as 1 or 0.
fn flag(r: &Row<'_>, i: usize) -> Result<Value<'static>> {
    Ok(Value::Number(if r.get::<_, bool>(i)? { 1.0 } else { 0.0 }))
}

impl HqDb {
    /// The four tables for the audits `filter` selects, written to `to` row by row as they are
    /// read, all in one snapshot of HQ; with how many rows each table got and the latest time
    /// HQ took an audit (the next export's `since`). The read transaction ends before the
    /// workbook is zipped. A failure while reading leaves `to`'s files as they were: the
    /// workbook is saved only once every row is in, CSV `.part` files are removed.
    pub fn export(&mut self, filter: &Filter, to: Output<'_>) -> Result<Exported> {
        match to {
            Output::Xlsx { path, sheet_rows } => {
                let mut sink = XlsxSink::new(path, &TABLES, sheet_rows)?;
                let done = self.export_into(filter, &mut sink)?;
                Ok(Exported {
                    files: vec![sink.finish()?],
                    ..done
                })
            }
            Output::Csv { dir } => {
                let mut sink = CsvSink::new(dir, &TABLES)?;
                let done = self.export_into(filter, &mut sink)?;
                Ok(Exported {
                    files: sink.finish()?,
                    ..done
                })
            }
        }
    }

    /// [`HqDb::export_tables`] read in one snapshot, with the latest time HQ took an audit in
    /// it: give that as the next export's `since` to get only what is new.
    pub fn export_snapshot(&mut self, filter: &Filter) -> Result<(Vec<Table>, Option<String>)> {
        let mut sink = Collect::new(&TABLES);
        let done = self.export_into(filter, &mut sink)?;
        Ok((sink.0, done.as_of))
    }

    /// The four tables for the audits `filter` selects, in a stable order, in memory.
    pub fn export_tables(&self, filter: &Filter) -> Result<Vec<Table>> {
        let mut sink = Collect::new(&TABLES);
        stream(&self.conn, filter, &mut sink)?;
        Ok(sink.0)
    }

    /// The tables into `sink` in one read transaction, with each table's row count and the
    /// latest time HQ took an audit, read in the same transaction (no files yet: the sink
    /// knows them once it is finished).
    fn export_into(&mut self, filter: &Filter, sink: &mut impl Sink) -> Result<Exported> {
        let tx = self.conn.transaction()?;
        let as_of: Option<String> =
            tx.query_row("SELECT max(imported_at) FROM audit", (), |r| r.get(0))?;
        let counts = stream(&tx, filter, sink)?;
        tx.commit()?;
        let rows = TABLES
            .iter()
            .zip(counts)
            .map(|((name, _), n)| (*name, n))
            .collect();
        Ok(Exported {
            files: Vec::new(),
            rows,
            as_of,
        })
    }
}

/// The tables for BI, read from `conn` into `sink` (its tables are [`TABLES`]) row by row;
/// how many rows each table got.
fn stream(conn: &Conn, filter: &Filter, sink: &mut impl Sink) -> Result<[usize; 4]> {
    let mut counts = [0usize; 4];
    let mut put = |table: usize, row: &[Value<'_>]| {
        counts[table] += 1;
        sink.row(table, row)
    };
    let audits_where = "(CAST(?1 AS TEXT) IS NULL OR a.shift_date >= ?1) AND (CAST(?2 AS TEXT) IS NULL OR a.shift_date <= ?2)
         AND (CAST(?3 AS TEXT) IS NULL OR s.region = ?3) AND (CAST(?4 AS TEXT) IS NULL OR a.store_code = ?4)
         AND (CAST(?5 AS TEXT) IS NULL OR a.standard_id = ?5) AND (CAST(?6 AS TEXT) IS NULL OR a.imported_at > ?6)";
    let params = crate::params![
        filter.from,
        filter.to,
        filter.region,
        filter.store,
        filter.standard,
        filter.since
    ];

    let mut stmt = conn.prepare(&format!(
        "SELECT a.id, a.store_code, s.name, s.region, st.code, st.version, a.shift_date,
                a.shift, a.auditor, a.status, a.score, a.rating, a.failed_hard,
                a.hard_failures, a.completed_at, a.revision_of, a.device_id, a.pdf_data
         FROM audit a JOIN store s ON s.code = a.store_code
                      JOIN standard st ON st.id = a.standard_id
         WHERE {audits_where} ORDER BY a.shift_date, a.store_code, a.id"
    ))?;
    let mut rows = stmt.query(params)?;
    while let Some(r) = rows.next()? {
        let hard: Vec<String> =
            serde_json::from_str(text_at(&r, 13)?).map_err(|e| HqError::Corrupt(e.to_string()))?;
        let hard = hard.join(", ");
        put(
            AUDITS,
            &[
                Value::Text(text_at(&r, 0)?),
                Value::Text(text_at(&r, 1)?),
                Value::Text(text_at(&r, 2)?),
                text_or_empty(&r, 3)?,
                Value::Text(text_at(&r, 4)?),
                Value::Text(text_at(&r, 5)?),
                Value::Date(text_at(&r, 6)?),
                Value::Text(text_at(&r, 7)?),
                Value::Text(text_at(&r, 8)?),
                Value::Text(text_at(&r, 9)?),
                number_or_empty(&r, 10)?,
                text_or_empty(&r, 11)?,
                flag(&r, 12)?,
                if hard.is_empty() {
                    Value::Empty
                } else {
                    Value::Text(&hard)
                },
                text_or_empty(&r, 14)?,
                text_or_empty(&r, 15)?,
                Value::Text(text_at(&r, 16)?),
                text_or_empty(&r, 17)?,
            ],
        )?;
    }

    // Answers and findings in one pass: a finding is an answer scored below the line.
    let mut stmt = conn.prepare(&format!(
        "SELECT an.id, an.audit_id, a.store_code, a.shift_date, se.title, r.code, r.hard,
                r.weight, an.response, an.value, an.text, an.note, an.score, r.text
         FROM answer an JOIN audit a ON a.id = an.audit_id
                        JOIN store s ON s.code = a.store_code
                        JOIN requirement r ON r.id = an.requirement_id
                        JOIN section se ON se.id = r.section_id
         WHERE {audits_where} AND an.response IS NOT NULL
         ORDER BY a.shift_date, a.store_code, a.id, r.position"
    ))?;
    let mut rows = stmt.query(params)?;
    while let Some(r) = rows.next()? {
        let score: Option<f64> = r.get(12)?;
        let id = Value::Text(text_at(&r, 0)?);
        let audit = Value::Text(text_at(&r, 1)?);
        let store = Value::Text(text_at(&r, 2)?);
        let date = Value::Date(text_at(&r, 3)?);
        let section = Value::Text(text_at(&r, 4)?);
        let code = Value::Text(text_at(&r, 5)?);
        let hard = flag(&r, 6)?;
        let response = text_or_empty(&r, 8)?;
        let value = number_or_empty(&r, 9)?;
        let note = text_or_empty(&r, 11)?;
        put(
            ANSWERS,
            &[
                id,
                audit,
                store,
                date,
                section,
                code,
                hard,
                Value::Number(r.get(7)?),
                response,
                value,
                text_or_empty(&r, 10)?,
                note,
                score.map_or(Value::Empty, Value::Number),
            ],
        )?;
        if score.is_some_and(|s| s < storecheck_core::scoring::FINDING_BELOW) {
            put(
                FINDINGS,
                &[
                    id,
                    audit,
                    store,
                    date,
                    section,
                    code,
                    Value::Text(text_at(&r, 13)?),
                    hard,
                    response,
                    value,
                    note,
                ],
            )?;
        }
    }

    let mut stmt = conn.prepare(&format!(
        "SELECT c.id, c.audit_id, a.store_code, a.shift_date, c.code, c.what, c.owner, c.due
         FROM corrective_action c JOIN audit a ON a.id = c.audit_id
                                  JOIN store s ON s.code = a.store_code
         WHERE {audits_where} ORDER BY a.shift_date, a.store_code, a.id, c.code, c.id"
    ))?;
    let mut rows = stmt.query(params)?;
    while let Some(r) = rows.next()? {
        put(
            ACTIONS,
            &[
                Value::Text(text_at(&r, 0)?),
                Value::Text(text_at(&r, 1)?),
                Value::Text(text_at(&r, 2)?),
                Value::Date(text_at(&r, 3)?),
                Value::Text(text_at(&r, 4)?),
                Value::Text(text_at(&r, 5)?),
                Value::Text(text_at(&r, 6)?),
                Value::Date(text_at(&r, 7)?),
            ],
        )?;
    }
    Ok(counts)
}

/// The tables kept in memory.
struct Collect(Vec<Table>);

impl Collect {
    fn new(shapes: &[Shape]) -> Collect {
        Collect(
            shapes
                .iter()
                .map(|&(name, columns)| Table {
                    name,
                    columns,
                    rows: Vec::new(),
                })
                .collect(),
        )
    }
}

impl Sink for Collect {
    fn row(&mut self, table: usize, row: &[Value<'_>]) -> Result<()> {
        self.0[table]
            .rows
            .push(row.iter().map(|v| v.to_cell()).collect());
        Ok(())
    }
}

/// Tables in memory, row by row into `sink` (made for the same tables in the same order).
fn replay(tables: &[Table], sink: &mut impl Sink) -> Result<()> {
    let mut values = Vec::new();
    for (t, table) in tables.iter().enumerate() {
        for row in &table.rows {
            values.clear();
            values.extend(row.iter().map(Cell::value));
            sink.row(t, &values)?;
        }
    }
    Ok(())
}

fn shapes(tables: &[Table]) -> Vec<Shape> {
    tables.iter().map(|t| (t.name, t.columns)).collect()
}

/// A text as a spreadsheet must read it: one that would start a formula gets a `'` before it.
fn csv_text(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Writes each table as `<dir>/<name>.csv`: UTF-8 with a BOM, `;`-separated, numbers with a
/// `.` (a BI tool's locale decides how it shows them).
pub fn write_csv(tables: &[Table], dir: &Path) -> Result<Vec<PathBuf>> {
    let mut sink = CsvSink::new(dir, &shapes(tables))?;
    replay(tables, &mut sink)?;
    sink.finish()
}

/// CSV files being written: a `<name>.csv.part` per table, renamed to `<name>.csv` when all
/// are whole, removed if the export stops before.
struct CsvSink {
    /// Per table: the file's name when done, the name while written, its writer.
    files: Vec<(PathBuf, PathBuf, csv::Writer<File>)>,
    finished: bool,
}

impl CsvSink {
    fn new(dir: &Path, shapes: &[Shape]) -> Result<CsvSink> {
        std::fs::create_dir_all(dir).map_err(|e| HqError::io(dir, e))?;
        let mut sink = CsvSink {
            files: Vec::new(),
            finished: false,
        };
        for (name, columns) in shapes {
            let path = dir.join(format!("{name}.csv"));
            let part = dir.join(format!("{name}.csv.part"));
            let mut file = File::create(&part).map_err(|e| HqError::io(&part, e))?;
            if let Err(e) = file.write_all("\u{feff}".as_bytes()) {
                let _ = std::fs::remove_file(&part);
                return Err(HqError::io(&part, e));
            }
            // The writer buffers: rows reach the file in blocks, not a write per field.
            let w = csv::WriterBuilder::new()
                .delimiter(b';')
                .buffer_capacity(1 << 16)
                .from_writer(file);
            // Kept from here on, so a failure removes the file with the others.
            sink.files.push((path, part, w));
            let (_, part, w) = sink.files.last_mut().expect("just pushed");
            w.write_record(*columns).map_err(|e| csv_error(part, e))?;
        }
        Ok(sink)
    }

    /// Every file flushed and given its name.
    fn finish(mut self) -> Result<Vec<PathBuf>> {
        for (_, part, w) in &mut self.files {
            w.flush().map_err(|e| HqError::io(&*part, e))?;
        }
        let mut written = Vec::new();
        for (path, part, _) in &self.files {
            std::fs::rename(part, path).map_err(|e| HqError::io(path, e))?;
            written.push(path.clone());
        }
        self.finished = true;
        Ok(written)
    }
}

impl Sink for CsvSink {
    fn row(&mut self, table: usize, row: &[Value<'_>]) -> Result<()> {
        let (_, part, w) = &mut self.files[table];
        for value in row {
            let put = match value {
                Value::Empty => w.write_field(""),
                Value::Text(s) => w.write_field(csv_text(s).as_bytes()),
                Value::Number(v) => w.write_field(storecheck_core::model::format_number(*v)),
                Value::Date(d) => w.write_field(d),
            };
            put.map_err(|e| csv_error(part, e))?;
        }
        w.write_record(None::<&[u8]>)
            .map_err(|e| csv_error(part, e))
    }
}

impl Drop for CsvSink {
    fn drop(&mut self) {
        if !self.finished {
            for (_, part, _) in &self.files {
                let _ = std::fs::remove_file(part);
            }
        }
    }
}

fn csv_error(path: &Path, e: csv::Error) -> HqError {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => HqError::io(path, e),
        other => HqError::Corrupt(format!("CSV: {other:?}")),
    }
}

/// Writes the tables as one XLSX workbook at `path`, a sheet per table (`answers`, then
/// `answers 2`, … past [`SHEET_ROWS`] rows).
pub fn write_xlsx(tables: &[Table], path: &Path) -> Result<()> {
    write_xlsx_split(tables, path, SHEET_ROWS)
}

/// As [`write_xlsx`], with `sheet_rows` rows (the header included) per sheet.
pub fn write_xlsx_split(tables: &[Table], path: &Path, sheet_rows: usize) -> Result<()> {
    let mut sink = XlsxSink::new(path, &shapes(tables), sheet_rows)?;
    replay(tables, &mut sink)?;
    sink.finish().map(drop)
}

fn xlsx_error(e: XlsxError) -> HqError {
    HqError::Corrupt(format!("XLSX: {e}"))
}

/// A workbook being written in constant-memory mode: each sheet holds one row in memory and
/// the rest in a temporary file until the workbook is saved. A table's sheets are kept apart
/// and added in the tables' order at the end, as answers and findings are written in turn.
struct XlsxSink {
    path: PathBuf,
    book: Workbook,
    shapes: Vec<Shape>,
    /// Per table: its sheets, the last one being written.
    sheets: Vec<Vec<Worksheet>>,
    /// Per table: the rows in its last sheet, the header not counted.
    filled: Vec<u32>,
    /// Rows a sheet holds below its header.
    per_sheet: u32,
    header: Format,
    date: Format,
}

impl XlsxSink {
    fn new(path: &Path, shapes: &[Shape], sheet_rows: usize) -> Result<XlsxSink> {
        let per_sheet = sheet_rows.min(SHEET_ROWS).saturating_sub(1).max(1);
        let mut sink = XlsxSink {
            path: path.to_path_buf(),
            book: Workbook::new(),
            shapes: shapes.to_vec(),
            sheets: shapes.iter().map(|_| Vec::new()).collect(),
            filled: vec![0; shapes.len()],
            per_sheet: u32::try_from(per_sheet).unwrap_or(u32::MAX),
            header: Format::new().set_bold(),
            date: Format::new().set_num_format("yyyy-mm-dd"),
        };
        for t in 0..shapes.len() {
            sink.open_sheet(t)?;
        }
        Ok(sink)
    }

    /// The table's next sheet (its first, or `<name> 2`, …): the header written and frozen.
    fn open_sheet(&mut self, table: usize) -> Result<()> {
        let (name, columns) = self.shapes[table];
        let n = self.sheets[table].len();
        let mut sheet = self
            .book
            .new_worksheet_with_constant_memory()
            .map_err(xlsx_error)?;
        let title = if n == 0 {
            name.to_string()
        } else {
            format!("{name} {}", n + 1)
        };
        sheet.set_name(title).map_err(xlsx_error)?;
        for (c, column) in columns.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, *column, &self.header)
                .map_err(xlsx_error)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        self.sheets[table].push(sheet);
        self.filled[table] = 0;
        Ok(())
    }

    /// The filter over the table's last sheet: its header and the rows it got.
    fn close_sheet(&mut self, table: usize) -> Result<()> {
        let last_col = self.shapes[table].1.len().saturating_sub(1) as u16;
        let rows = self.filled[table];
        if let Some(sheet) = self.sheets[table].last_mut() {
            sheet.autofilter(0, 0, rows, last_col).map_err(xlsx_error)?;
        }
        Ok(())
    }

    /// The sheets in the tables' order, saved as the workbook.
    fn finish(mut self) -> Result<PathBuf> {
        for t in 0..self.shapes.len() {
            self.close_sheet(t)?;
        }
        for sheet in std::mem::take(&mut self.sheets).into_iter().flatten() {
            self.book.push_worksheet(sheet);
        }
        self.book.save(&self.path).map_err(xlsx_error)?;
        Ok(self.path)
    }
}

impl Sink for XlsxSink {
    fn row(&mut self, table: usize, row: &[Value<'_>]) -> Result<()> {
        if self.filled[table] == self.per_sheet {
            self.close_sheet(table)?;
            self.open_sheet(table)?;
        }
        self.filled[table] += 1;
        let r = self.filled[table];
        let Some(sheet) = self.sheets[table].last_mut() else {
            return Ok(());
        };
        for (c, value) in row.iter().enumerate() {
            let c = c as u16;
            match *value {
                Value::Empty => {}
                // A string cell, never a formula, whatever it begins with.
                Value::Text(s) => {
                    sheet.write_string(r, c, s).map_err(xlsx_error)?;
                }
                Value::Number(v) => {
                    sheet.write_number(r, c, v).map_err(xlsx_error)?;
                }
                Value::Date(d) => match ExcelDateTime::parse_from_str(d) {
                    Ok(t) => {
                        sheet
                            .write_datetime_with_format(r, c, t, &self.date)
                            .map_err(xlsx_error)?;
                    }
                    Err(_) => {
                        sheet.write_string(r, c, d).map_err(xlsx_error)?;
                    }
                },
            }
        }
        Ok(())
    }
}
