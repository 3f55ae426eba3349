//! What HQ holds, for BI tools: four tables (audits, answers, findings, corrective actions) as
//! CSV files (UTF-8 with a BOM, `;`-separated, as Russian Excel opens them) or as one XLSX
//! workbook with a sheet per table (typed cells: numbers as numbers, dates as dates; the header
//! frozen and filtered; a table past Excel's 1,048,576 rows goes on in a second sheet).
//!
//! Columns are stable and only ever added at the end, so a BI refresh keeps working; ids are
//! the store's own. A text that begins with `=`, `+`, `-` or `@` is written as text, never as
//! a formula: a string cell in XLSX, and in CSV with a `'` before it, as spreadsheet programs
//! read a text that must not be computed.

use std::path::Path;

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

use crate::db::HqDb;
use crate::error::{HqError, Result};

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

fn text(v: Option<String>) -> Cell {
    v.map_or(Cell::Empty, Cell::Text)
}

fn number(v: Option<f64>) -> Cell {
    v.map_or(Cell::Empty, Cell::Number)
}

impl HqDb {
    /// [`HqDb::export_tables`] read in one snapshot, with the latest time HQ took an audit in
    /// it: give that as the next export's `since` to get only what is new.
    pub fn export_snapshot(&mut self, filter: &Filter) -> Result<(Vec<Table>, Option<String>)> {
        let tx = self.conn.transaction()?;
        let as_of: Option<String> =
            tx.query_row("SELECT max(imported_at) FROM audit", [], |r| r.get(0))?;
        let tables = export_tables(&tx, filter)?;
        tx.commit()?;
        Ok((tables, as_of))
    }

    /// The four tables for the audits `filter` selects, in a stable order.
    pub fn export_tables(&self, filter: &Filter) -> Result<Vec<Table>> {
        export_tables(&self.conn, filter)
    }
}

/// The tables for BI, read from `conn`.
fn export_tables(conn: &rusqlite::Connection, filter: &Filter) -> Result<Vec<Table>> {
    {
        let audits_where =
            "(?1 IS NULL OR a.shift_date >= ?1) AND (?2 IS NULL OR a.shift_date <= ?2)
             AND (?3 IS NULL OR s.region = ?3) AND (?4 IS NULL OR a.store_code = ?4)
             AND (?5 IS NULL OR a.standard_id = ?5) AND (?6 IS NULL OR a.imported_at > ?6)";
        let params = rusqlite::params![
            filter.from,
            filter.to,
            filter.region,
            filter.store,
            filter.standard,
            filter.since
        ];
        let mut audits = Vec::new();
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
            let hard: String = r.get(13)?;
            let hard: Vec<String> =
                serde_json::from_str(&hard).map_err(|e| HqError::Corrupt(e.to_string()))?;
            audits.push(vec![
                Cell::Text(r.get(0)?),
                Cell::Text(r.get(1)?),
                Cell::Text(r.get(2)?),
                text(r.get(3)?),
                Cell::Text(r.get(4)?),
                Cell::Text(r.get(5)?),
                Cell::Date(r.get(6)?),
                Cell::Text(r.get(7)?),
                Cell::Text(r.get(8)?),
                Cell::Text(r.get(9)?),
                number(r.get(10)?),
                text(r.get(11)?),
                Cell::Number(if r.get::<_, bool>(12)? { 1.0 } else { 0.0 }),
                text((!hard.is_empty()).then(|| hard.join(", "))),
                text(r.get(14)?),
                text(r.get(15)?),
                Cell::Text(r.get(16)?),
                text(r.get(17)?),
            ]);
        }
        let answer_select = format!(
            "SELECT an.id, an.audit_id, a.store_code, a.shift_date, se.title, r.code, r.hard,
                    r.weight, an.response, an.value, an.text, an.note, an.score, r.text
             FROM answer an JOIN audit a ON a.id = an.audit_id
                            JOIN store s ON s.code = a.store_code
                            JOIN requirement r ON r.id = an.requirement_id
                            JOIN section se ON se.id = r.section_id
             WHERE {audits_where} AND an.response IS NOT NULL
             ORDER BY a.shift_date, a.store_code, a.id, r.position"
        );
        let mut answers = Vec::new();
        let mut findings = Vec::new();
        let mut stmt = conn.prepare(&answer_select)?;
        let mut rows = stmt.query(params)?;
        while let Some(r) = rows.next()? {
            let score: Option<f64> = r.get(12)?;
            let hard = Cell::Number(if r.get::<_, bool>(6)? { 1.0 } else { 0.0 });
            answers.push(vec![
                Cell::Text(r.get(0)?),
                Cell::Text(r.get(1)?),
                Cell::Text(r.get(2)?),
                Cell::Date(r.get(3)?),
                Cell::Text(r.get(4)?),
                Cell::Text(r.get(5)?),
                hard.clone(),
                Cell::Number(r.get(7)?),
                text(r.get(8)?),
                number(r.get(9)?),
                text(r.get(10)?),
                text(r.get(11)?),
                number(score),
            ]);
            if score.is_some_and(|s| s < storecheck_core::scoring::FINDING_BELOW) {
                findings.push(vec![
                    Cell::Text(r.get(0)?),
                    Cell::Text(r.get(1)?),
                    Cell::Text(r.get(2)?),
                    Cell::Date(r.get(3)?),
                    Cell::Text(r.get(4)?),
                    Cell::Text(r.get(5)?),
                    Cell::Text(r.get(13)?),
                    hard,
                    text(r.get(8)?),
                    number(r.get(9)?),
                    text(r.get(11)?),
                ]);
            }
        }
        let mut actions = Vec::new();
        let mut stmt = conn.prepare(&format!(
            "SELECT c.id, c.audit_id, a.store_code, a.shift_date, c.code, c.what, c.owner, c.due
             FROM corrective_action c JOIN audit a ON a.id = c.audit_id
                                      JOIN store s ON s.code = a.store_code
             WHERE {audits_where} ORDER BY a.shift_date, a.store_code, a.id, c.code, c.id"
        ))?;
        let mut rows = stmt.query(params)?;
        while let Some(r) = rows.next()? {
            actions.push(vec![
                Cell::Text(r.get(0)?),
                Cell::Text(r.get(1)?),
                Cell::Text(r.get(2)?),
                Cell::Date(r.get(3)?),
                Cell::Text(r.get(4)?),
                Cell::Text(r.get(5)?),
                Cell::Text(r.get(6)?),
                Cell::Date(r.get(7)?),
            ]);
        }
        Ok(vec![
            Table {
                name: "audits",
                columns: AUDIT_COLUMNS,
                rows: audits,
            },
            Table {
                name: "answers",
                columns: ANSWER_COLUMNS,
                rows: answers,
            },
            Table {
                name: "findings",
                columns: FINDING_COLUMNS,
                rows: findings,
            },
            Table {
                name: "actions",
                columns: ACTION_COLUMNS,
                rows: actions,
            },
        ])
    }
}

/// A text as a spreadsheet must read it: one that would start a formula gets a `'` before it.
fn csv_text(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// Writes each table as `<dir>/<name>.csv`: UTF-8 with a BOM, `;`-separated, numbers with a
/// `.` (a BI tool's locale decides how it shows them).
pub fn write_csv(tables: &[Table], dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| HqError::io(dir, e))?;
    let mut written = Vec::new();
    for table in tables {
        let path = dir.join(format!("{}.csv", table.name));
        let mut out = Vec::from("\u{feff}".as_bytes());
        {
            let mut w = csv_writer(&mut out);
            w.write_record(table.columns)
                .map_err(|e| HqError::Corrupt(e.to_string()))?;
            for row in &table.rows {
                let fields: Vec<String> = row
                    .iter()
                    .map(|c| match c {
                        Cell::Empty => String::new(),
                        Cell::Text(s) => csv_text(s),
                        Cell::Number(v) => storecheck_core::model::format_number(*v),
                        Cell::Date(d) => d.clone(),
                    })
                    .collect();
                w.write_record(&fields)
                    .map_err(|e| HqError::Corrupt(e.to_string()))?;
            }
            w.flush().map_err(|e| HqError::io(&path, e))?;
        }
        std::fs::write(&path, out).map_err(|e| HqError::io(&path, e))?;
        written.push(path);
    }
    Ok(written)
}

fn csv_writer(out: &mut Vec<u8>) -> csv::Writer<&mut Vec<u8>> {
    csv::WriterBuilder::new().delimiter(b';').from_writer(out)
}

/// Writes the tables as one XLSX workbook at `path`, a sheet per table (`answers`, then
/// `answers 2`, … past [`SHEET_ROWS`] rows).
pub fn write_xlsx(tables: &[Table], path: &Path) -> Result<()> {
    write_xlsx_split(tables, path, SHEET_ROWS)
}

/// As [`write_xlsx`], with `sheet_rows` rows (the header included) per sheet.
pub fn write_xlsx_split(tables: &[Table], path: &Path, sheet_rows: usize) -> Result<()> {
    let fail = |e: XlsxError| HqError::Corrupt(format!("XLSX: {e}"));
    let mut book = Workbook::new();
    let header = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let per_sheet = sheet_rows.saturating_sub(1).max(1);
    for table in tables {
        let chunks: Vec<&[Vec<Cell>]> = if table.rows.is_empty() {
            vec![&[]]
        } else {
            table.rows.chunks(per_sheet).collect()
        };
        for (n, chunk) in chunks.into_iter().enumerate() {
            let sheet = book.add_worksheet();
            let name = if n == 0 {
                table.name.to_string()
            } else {
                format!("{} {}", table.name, n + 1)
            };
            sheet.set_name(name).map_err(fail)?;
            for (c, column) in table.columns.iter().enumerate() {
                sheet
                    .write_string_with_format(0, c as u16, *column, &header)
                    .map_err(fail)?;
            }
            for (i, row) in chunk.iter().enumerate() {
                let r = i as u32 + 1;
                for (c, cell) in row.iter().enumerate() {
                    let c = c as u16;
                    match cell {
                        Cell::Empty => {}
                        Cell::Text(s) => {
                            sheet.write_string(r, c, s).map_err(fail)?;
                        }
                        Cell::Number(v) => {
                            sheet.write_number(r, c, *v).map_err(fail)?;
                        }
                        Cell::Date(d) => match ExcelDateTime::parse_from_str(d) {
                            Ok(t) => {
                                sheet
                                    .write_datetime_with_format(r, c, t, &date)
                                    .map_err(fail)?;
                            }
                            Err(_) => {
                                sheet.write_string(r, c, d).map_err(fail)?;
                            }
                        },
                    }
                }
            }
            sheet.set_freeze_panes(1, 0).map_err(fail)?;
            let last_col = table.columns.len().saturating_sub(1) as u16;
            sheet
                .autofilter(0, 0, chunk.len() as u32, last_col)
                .map_err(fail)?;
        }
    }
    book.save(path).map_err(fail)
}
