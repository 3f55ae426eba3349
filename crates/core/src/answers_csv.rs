//! The answers file of `storecheck audit fill`: columns `code, answer, note`, header first.

use crate::error::{Error, ImportProblem, Location, Problem, Result};
use crate::import::decode_text;

/// One line of an answers file.
pub struct AnswerRow {
    /// The line of the file, for messages.
    pub line: usize,
    pub code: String,
    pub answer: String,
    pub note: Option<String>,
}

/// Reads an answers CSV (UTF-8 with or without BOM, or Windows-1251; `,` or `;`).
///
/// Errors: [`Error::ImportInvalid`] when the header lacks `code` or `answer` or a line cannot
/// be read.
pub fn parse(file: &str, bytes: &[u8]) -> Result<Vec<AnswerRow>> {
    let fail = |at: Location, what: ImportProblem| Error::ImportInvalid {
        file: file.to_string(),
        problems: vec![Problem::at(at, what)],
    };
    let text = decode_text(bytes);
    let header = text.lines().next().unwrap_or("");
    let delimiter = if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let head = match records.next() {
        Some(Ok(h)) => h,
        _ => {
            return Err(fail(Location::Row(1), ImportProblem::AnswersEmpty));
        }
    };
    let col = |names: &[&str]| {
        head.iter()
            .position(|h| names.contains(&h.trim().to_lowercase().as_str()))
    };
    let (Some(code_col), Some(answer_col)) = (col(&["code", "код"]), col(&["answer", "ответ"]))
    else {
        return Err(fail(Location::Row(1), ImportProblem::AnswersHeader));
    };
    let note_col = col(&["note", "заметка", "комментарий"]);
    let mut rows = Vec::new();
    for rec in records {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize);
            fail(
                Location::Row(line),
                ImportProblem::CsvUnreadable {
                    detail: e.to_string(),
                },
            )
        })?;
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let get = |i: usize| rec.get(i).unwrap_or("").trim().to_string();
        rows.push(AnswerRow {
            line: rec.position().map_or(0, |p| p.line() as usize),
            code: get(code_col),
            answer: get(answer_col),
            note: note_col.map(get).filter(|n| !n.is_empty()),
        });
    }
    Ok(rows)
}
