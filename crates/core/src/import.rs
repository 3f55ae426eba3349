//! Reading a standard from XLSX, CSV or JSON (PRODUCT.md §4) into a [`StandardDraft`].
//!
//! Every format is first turned into the same rows of text cells, each cell knowing where it came
//! from (`row 4, column kind` or `requirements[3].kind`), and then checked by one validator, so
//! the three formats accept and refuse exactly the same things. All problems are reported at
//! once; a file with any problem yields no draft at all.
//!
//! Entry point: [`read_standard`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, ImportProblem, Location, Problem, Result};
use crate::i18n::Lang;
use crate::model::{Kind, PhotoRule, RatingBand, default_ratings, format_number};

mod archive;
pub mod problem;

/// Files larger than this are refused before parsing.
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

/// What a standard may hold. A chain's real standard has a few hundred requirements in a dozen
/// sections; these bounds are far above that and far below what would slow import down or
/// exhaust memory. Reading stops at the first row that passes one.
pub mod limits {
    pub const REQUIREMENTS: usize = 2_000;
    pub const SECTIONS: usize = 200;
    /// A requirement's code.
    pub const CODE_CHARS: usize = 50;
    /// A section's title, and the standard's own fields (code, title, version, rating names).
    pub const TITLE_CHARS: usize = 300;
    /// A requirement's text.
    pub const TEXT_CHARS: usize = 1_000;
    /// A requirement's guidance.
    pub const GUIDANCE_CHARS: usize = 3_000;
    /// `#key: value` lines of a CSV, or rows of a spreadsheet's "standard" sheet.
    pub const META_ROWS: usize = 100;
    /// Columns of a spreadsheet or CSV; a spreadsheet cell further right is refused, CSV
    /// fields further right are ignored.
    pub const COLUMNS: usize = 100;
    /// Values (objects, lists, keys, texts, numbers) in a JSON file.
    pub const JSON_VALUES: usize = 200_000;
    pub use super::archive::{MAX_ENTRIES, MAX_INFLATED_BYTES, MAX_RATIO};
}

fn too_many_requirements(at: Location) -> Problem {
    Problem::at(at, ImportProblem::TooManyRequirements)
}

fn too_many_sections(at: Location) -> Problem {
    Problem::at(at, ImportProblem::TooManySections)
}

fn too_many_meta_rows(at: Location) -> Problem {
    Problem::at(at, ImportProblem::TooManyMetaRows)
}

/// Counts rows and sections while a file is read, so that reading stops at the first row
/// past a limit instead of parsing a million rows to refuse them afterwards.
struct Bounds {
    section_column: Option<usize>,
    sections: HashSet<String>,
    rows: usize,
}

impl Bounds {
    fn new(headers: &[String]) -> Self {
        Bounds {
            section_column: headers
                .iter()
                .position(|h| Field::from_header(h) == Some(Field::Section)),
            sections: HashSet::new(),
            rows: 0,
        }
    }

    /// Takes one row after the header; `at` is where a person finds it (row 2003).
    fn row(&mut self, at: Location, cells: &[String]) -> std::result::Result<(), Problem> {
        if cells.iter().all(|c| c.trim().is_empty()) {
            return Ok(());
        }
        self.rows += 1;
        if self.rows > limits::REQUIREMENTS {
            return Err(too_many_requirements(at));
        }
        if let Some(section) = self.section_column.and_then(|i| cells.get(i)) {
            let section = section.trim();
            if !section.is_empty() && !self.sections.contains(section) {
                if self.sections.len() >= limits::SECTIONS {
                    return Err(too_many_sections(at));
                }
                self.sections.insert(section.to_string());
            }
        }
        Ok(())
    }
}

/// A standard read from a file and checked, not yet published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StandardDraft {
    pub code: String,
    pub title: String,
    /// `None`: the next number for the code, given at publication.
    pub version: Option<String>,
    pub language: String,
    pub ratings: Vec<RatingBand>,
    pub sections: Vec<SectionDraft>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionDraft {
    pub title: String,
    pub requirements: Vec<RequirementDraft>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequirementDraft {
    pub code: String,
    pub text: String,
    pub guidance: Option<String>,
    pub kind: Kind,
    pub weight: f64,
    pub hard: bool,
    pub photo: PhotoRule,
    pub na_allowed: bool,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl StandardDraft {
    /// SHA-256 of the content (everything but the version), so that the same standard saved
    /// as CSV, XLSX or JSON is recognised as the same.
    pub fn content_hash(&self) -> String {
        let content = serde_json::json!({
            "code": self.code, "title": self.title, "language": self.language,
            "ratings": self.ratings, "sections": self.sections,
        });
        let digest = Sha256::digest(content.to_string().as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn requirement_count(&self) -> usize {
        self.sections.iter().map(|s| s.requirements.len()).sum()
    }
}

/// Reads and checks a standard file. The format comes from the extension (`.xlsx`, `.csv`,
/// `.json`), or from the content when the extension says nothing.
///
/// Errors: [`Error::ImportInvalid`] listing every problem with its row and column (or JSON
/// path); [`Error::Io`] when the file cannot be read.
pub fn read_standard(path: &Path) -> Result<StandardDraft> {
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(Error::ImportInvalid {
            file,
            problems: vec![Problem::file(ImportProblem::FileTooLarge {
                bytes: meta.len(),
            })],
        });
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    parse_standard(&file, &bytes)
}

/// Reads and checks a standard from the bytes of a file named `file` (the name gives the
/// format and, when the file names none, the code and title).
pub fn parse_standard(file: &str, bytes: &[u8]) -> Result<StandardDraft> {
    let path = Path::new(file);
    let file = file.to_string();
    let fail = |problem: Problem| Error::ImportInvalid {
        file: file.clone(),
        problems: vec![problem],
    };
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let format = match ext.as_str() {
        "xlsx" | "xlsm" => Format::Xlsx,
        "csv" | "txt" => Format::Csv,
        "json" => Format::Json,
        "xls" | "ods" => {
            return Err(fail(Problem::file(ImportProblem::UnsupportedFormat {
                extension: ext,
            })));
        }
        _ if bytes.starts_with(b"PK") => Format::Xlsx,
        _ if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') => Format::Json,
        _ => Format::Csv,
    };
    // Reading runs third-party parsers over whatever the file holds: a panic in one of them
    // must become a message, never end the process (in the desktop app, the window).
    let read = std::panic::catch_unwind(|| {
        let parsed = match format {
            Format::Xlsx => read_xlsx(bytes),
            Format::Csv => read_csv(bytes),
            Format::Json => read_json(bytes),
        }
        .map_err(|problem| vec![problem])?;
        build(parsed, &stem)
    });
    let problems = match read {
        Ok(Ok(draft)) => return Ok(draft),
        Ok(Err(problems)) => problems,
        Err(_) => vec![Problem::file(ImportProblem::Unreadable)],
    };
    Err(Error::ImportInvalid { file, problems })
}

enum Format {
    Xlsx,
    Csv,
    Json,
}

/// The columns of the standard format, with their English and Russian names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Section,
    Code,
    Requirement,
    Guidance,
    Kind,
    Weight,
    Hard,
    Photo,
    Na,
    Min,
    Max,
}

impl Field {
    const ALL: [Field; 11] = [
        Field::Section,
        Field::Code,
        Field::Requirement,
        Field::Guidance,
        Field::Kind,
        Field::Weight,
        Field::Hard,
        Field::Photo,
        Field::Na,
        Field::Min,
        Field::Max,
    ];

    /// The English name (also the JSON key) and the Russian one.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Field::Section => ("section", "раздел"),
            Field::Code => ("code", "код"),
            Field::Requirement => ("requirement", "требование"),
            Field::Guidance => ("guidance", "пояснение"),
            Field::Kind => ("kind", "тип"),
            Field::Weight => ("weight", "вес"),
            Field::Hard => ("hard", "жёсткий"),
            Field::Photo => ("photo", "фото"),
            Field::Na => ("na", "н/п"),
            Field::Min => ("min", "мин"),
            Field::Max => ("max", "макс"),
        }
    }

    /// The column's name in `lang`, as a header may write it.
    pub fn name(self, lang: Lang) -> &'static str {
        let (en, ru) = self.names();
        match lang {
            Lang::En => en,
            Lang::Ru => ru,
        }
    }

    fn from_header(h: &str) -> Option<Field> {
        let h = h
            .trim()
            .trim_start_matches('\u{feff}')
            .to_lowercase()
            .replace('ё', "е");
        let h = h.trim_end_matches('*').trim();
        Field::ALL.into_iter().find(|f| {
            let (en, ru) = f.names();
            h == en || h == ru.replace('ё', "е") || (*f == Field::Na && (h == "нп" || h == "n/a"))
        })
    }
}

/// One cell's text and where a person finds it.
#[derive(Debug, Clone)]
struct Cell {
    text: String,
    at: Location,
}

/// One requirement's cells, as any format gives them.
struct RawRow {
    /// Where the requirement is: row 4, or `requirements[3]`.
    at: Location,
    cells: HashMap<Field, Cell>,
    /// Where a missing cell of a field would be: row 4, column kind, or `requirements[3].kind`.
    missing_at: Box<dyn Fn(Field) -> Location>,
}

/// What a file holds before checking: the standard's own fields and the requirement rows.
struct Parsed {
    meta: HashMap<String, Cell>,
    rows: Vec<RawRow>,
    /// Problems found while reading (a missing column, a bad meta value).
    problems: Vec<Problem>,
}

// ---- CSV ------------------------------------------------------------------------------

pub(crate) fn decode_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8_lossy(rest).into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1251.decode(bytes).0.into_owned(),
    }
}

fn read_csv(bytes: &[u8]) -> std::result::Result<Parsed, Problem> {
    let text = decode_text(bytes);
    if text.trim().is_empty() {
        return Err(Problem::file(ImportProblem::Empty));
    }
    // `#key: value` lines before the header carry the standard's own fields.
    let mut meta = HashMap::new();
    let mut offset = 0usize; // lines consumed before the CSV proper
    let mut meta_lines = 0usize;
    let mut rest = text.as_str();
    loop {
        let (line, after) = match rest.split_once('\n') {
            Some((l, a)) => (l, a),
            None => (rest, ""),
        };
        let trimmed = line.trim();
        if let Some(body) = trimmed.strip_prefix('#') {
            offset += 1;
            meta_lines += 1;
            if meta_lines > limits::META_ROWS {
                return Err(too_many_meta_rows(Location::Row(offset)));
            }
            if let Some((k, v)) = body.split_once(':') {
                let v = v.trim().trim_end_matches([';', ',']).trim();
                meta.insert(
                    k.trim().to_lowercase(),
                    Cell {
                        text: v.trim_matches('"').to_string(),
                        at: Location::Row(offset),
                    },
                );
            }
            rest = after;
        } else if trimmed.is_empty() && !after.is_empty() {
            offset += 1;
            rest = after;
        } else {
            break;
        }
    }
    let header_line = rest.lines().next().unwrap_or("");
    let delimiter = if header_line.matches(';').count() > header_line.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(rest.as_bytes());
    let mut records = Vec::new();
    let mut bounds: Option<Bounds> = None;
    for rec in reader.records() {
        match rec {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line() as usize) + offset;
                let cells = r
                    .iter()
                    .take(limits::COLUMNS)
                    .map(str::to_string)
                    .collect::<Vec<_>>();
                match &mut bounds {
                    // The first record is the header.
                    None => bounds = Some(Bounds::new(&cells)),
                    Some(b) => b.row(Location::Row(line), &cells)?,
                }
                records.push((line, cells));
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize) + offset;
                return Err(Problem::at(
                    Location::Row(line),
                    ImportProblem::CsvUnreadable {
                        detail: e.to_string(),
                    },
                ));
            }
        }
    }
    let mut iter = records.into_iter();
    let (header_row, headers) = iter
        .next()
        .ok_or_else(|| Problem::file(ImportProblem::NoHeader))?;
    Ok(table(meta, header_row, headers, iter.collect()))
}

/// Turns a header and rows of text into raw rows, checking that the required columns exist.
fn table(
    meta: HashMap<String, Cell>,
    header_row: usize,
    headers: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
) -> Parsed {
    let mut columns: HashMap<Field, (usize, String)> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        if let Some(f) = Field::from_header(h) {
            columns
                .entry(f)
                .or_insert((i, h.trim().trim_start_matches('\u{feff}').to_string()));
        }
    }
    let mut problems = Vec::new();
    for f in [Field::Section, Field::Code, Field::Requirement] {
        if !columns.contains_key(&f) {
            problems.push(Problem::at(
                Location::Row(header_row),
                ImportProblem::MissingColumn { field: f },
            ));
        }
    }
    if !problems.is_empty() {
        return Parsed {
            meta,
            rows: Vec::new(),
            problems,
        };
    }
    let names: HashMap<Field, String> = columns.iter().map(|(f, (_, n))| (*f, n.clone())).collect();
    let raw = rows
        .into_iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
        .map(|(row, cells)| {
            let mut map = HashMap::new();
            for (field, (i, name)) in &columns {
                if let Some(text) = cells.get(*i) {
                    map.insert(
                        *field,
                        Cell {
                            text: text.clone(),
                            at: Location::Column {
                                row,
                                column: name.clone(),
                            },
                        },
                    );
                }
            }
            let names = names.clone();
            RawRow {
                at: Location::Row(row),
                cells: map,
                missing_at: Box::new(move |field| match names.get(&field) {
                    Some(n) => Location::Column {
                        row,
                        column: n.clone(),
                    },
                    None => Location::Field { row, field },
                }),
            }
        })
        .collect();
    Parsed {
        meta,
        rows: raw,
        problems,
    }
}

// ---- XLSX -----------------------------------------------------------------------------

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => format_number(*f),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        other => other.to_string(),
    }
}

fn read_xlsx(bytes: &[u8]) -> std::result::Result<Parsed, Problem> {
    let archive = archive::checked_xlsx(bytes)?;
    let mut book = calamine::Xlsx::new(Cursor::new(archive)).map_err(|e| {
        Problem::file(ImportProblem::NotXlsx {
            detail: e.to_string(),
        })
    })?;
    let sheets = book.sheet_names();
    let first = sheets
        .first()
        .cloned()
        .ok_or_else(|| Problem::file(ImportProblem::NoSheets))?;
    let mut meta = HashMap::new();
    if let Some(name) = sheets
        .iter()
        .find(|s| matches!(s.trim().to_lowercase().as_str(), "standard" | "стандарт"))
        .cloned()
    {
        let rows = sheet_rows(&mut book, &name, limits::META_ROWS, &|at| {
            too_many_meta_rows(match at {
                Location::Row(row) => Location::SheetRow {
                    sheet: name.clone(),
                    row,
                },
                other => other,
            })
        })?;
        // Keys in the leftmost column used, values in the next one.
        let key_column = rows
            .values()
            .filter_map(|cells| cells.keys().next())
            .min()
            .copied()
            .unwrap_or(0);
        for (row, cells) in &rows {
            let key = cells.get(&key_column).cloned().unwrap_or_default();
            if key.trim().is_empty() {
                continue;
            }
            meta.insert(
                key.trim().to_lowercase(),
                Cell {
                    text: cells.get(&(key_column + 1)).cloned().unwrap_or_default(),
                    at: Location::SheetRow {
                        sheet: name.clone(),
                        row: *row,
                    },
                },
            );
        }
    }
    let rows = sheet_rows(
        &mut book,
        &first,
        limits::REQUIREMENTS + 1,
        &too_many_requirements,
    )?;
    let mut rows = rows.into_iter().map(|(row, cells)| {
        let width = cells.keys().next_back().map_or(0, |c| c + 1);
        let mut dense = vec![String::new(); width];
        for (column, text) in cells {
            dense[column] = text;
        }
        (row, dense)
    });
    let (header_row, headers) = rows
        .next()
        .ok_or_else(|| Problem::file(ImportProblem::FirstSheetEmpty))?;
    let mut bounds = Bounds::new(&headers);
    let rows: Vec<(usize, Vec<String>)> = rows.collect();
    for (row, cells) in &rows {
        bounds.row(Location::Row(*row), cells)?;
    }
    Ok(table(meta, header_row, headers, rows))
}

/// A 0-based column index as a spreadsheet names it: 0 is `A`, 16383 is `XFD`.
fn column_letters(column: usize) -> String {
    let mut n = column + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// The rows of a sheet that hold any text, by 1-based row number, each with its cells by
/// 0-based column. Read cell by cell: never as a dense range of the size the file claims (one
/// cell at XFD1048576 would make that 17 billion cells). At most `max_rows` rows (`too_many`
/// says where the row past them is) and [`limits::COLUMNS`] columns.
fn sheet_rows(
    book: &mut calamine::Xlsx<Cursor<Vec<u8>>>,
    sheet: &str,
    max_rows: usize,
    too_many: &dyn Fn(Location) -> Problem,
) -> std::result::Result<BTreeMap<usize, BTreeMap<usize, String>>, Problem> {
    let unreadable = |e: calamine::XlsxError| {
        Problem::at(
            Location::Sheet(sheet.to_string()),
            ImportProblem::SheetUnreadable {
                detail: e.to_string(),
            },
        )
    };
    let mut reader = book.worksheet_cells_reader(sheet).map_err(unreadable)?;
    let mut rows: BTreeMap<usize, BTreeMap<usize, String>> = BTreeMap::new();
    while let Some(cell) = reader.next_cell().map_err(unreadable)? {
        let (row, column) = cell.get_position();
        let (row, column) = (row as usize + 1, column as usize);
        let text = cell_text(&Data::from(cell.get_value().clone()));
        if text.trim().is_empty() {
            continue;
        }
        if column >= limits::COLUMNS {
            return Err(Problem::at(
                Location::Cell {
                    sheet: sheet.to_string(),
                    cell: format!("{}{row}", column_letters(column)),
                },
                ImportProblem::CellTooFarRight,
            ));
        }
        if !rows.contains_key(&row) && rows.len() >= max_rows {
            return Err(too_many(Location::Row(row)));
        }
        rows.entry(row).or_default().insert(column, text);
    }
    Ok(rows)
}

// ---- JSON -----------------------------------------------------------------------------

fn json_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Bool(b) => Some(if *b { "yes" } else { "no" }.to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

/// Counts the values of a JSON document without keeping any, and fails at the first one past
/// [`limits::JSON_VALUES`]: a 20 MB file of `[0,0,0,…]` would otherwise take 300 MB as values.
struct CountValues {
    left: usize,
}

impl CountValues {
    fn take<E: serde::de::Error>(&mut self) -> std::result::Result<(), E> {
        match self.left.checked_sub(1) {
            Some(left) => {
                self.left = left;
                Ok(())
            }
            None => Err(E::custom(TOO_MANY_VALUES)),
        }
    }
}

const TOO_MANY_VALUES: &str = "too many values";

impl<'de> serde::de::DeserializeSeed<'de> for &mut CountValues {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for &mut CountValues {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> std::result::Result<(), E> {
        self.take()
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> std::result::Result<(), E> {
        self.take()
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> std::result::Result<(), E> {
        self.take()
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> std::result::Result<(), E> {
        self.take()
    }
    fn visit_str<E: serde::de::Error>(self, _: &str) -> std::result::Result<(), E> {
        self.take()
    }
    fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<(), E> {
        self.take()
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<(), A::Error> {
        self.take()?;
        while seq.next_element_seed(&mut *self)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<(), A::Error> {
        self.take()?;
        while map.next_key_seed(&mut *self)?.is_some() {
            map.next_value_seed(&mut *self)?;
        }
        Ok(())
    }
}

fn read_json(bytes: &[u8]) -> std::result::Result<Parsed, Problem> {
    let text = decode_text(bytes);
    let mut counter = CountValues {
        left: limits::JSON_VALUES,
    };
    let mut de = serde_json::Deserializer::from_str(&text);
    if let Err(e) = serde::de::DeserializeSeed::deserialize(&mut counter, &mut de)
        && e.to_string().starts_with(TOO_MANY_VALUES)
    {
        return Err(Problem::at(
            Location::Line {
                line: e.line(),
                col: e.column(),
            },
            ImportProblem::TooManyJsonValues,
        ));
    }
    let root: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Problem::at(
            Location::Line {
                line: e.line(),
                col: e.column(),
            },
            ImportProblem::NotJson {
                detail: e.to_string(),
                ended: e.is_eof(),
            },
        )
    })?;
    let mut problems = Vec::new();
    let mut meta = HashMap::new();
    match root.get("standard") {
        Some(serde_json::Value::Object(obj)) => {
            for (k, v) in obj {
                if k == "ratings" {
                    continue;
                }
                if let Some(t) = json_text(v) {
                    meta.insert(
                        k.to_lowercase(),
                        Cell {
                            text: t,
                            at: Location::Json(format!("standard.{k}")),
                        },
                    );
                }
            }
            if let Some(r) = obj.get("ratings") {
                match r.as_array() {
                    Some(bands) => {
                        for (i, b) in bands.iter().enumerate() {
                            let name = b.get("name").and_then(json_text).unwrap_or_default();
                            let min = b.get("min").and_then(json_text).unwrap_or_default();
                            meta.insert(
                                format!("rating {name}"),
                                Cell {
                                    text: min,
                                    at: Location::Json(format!("standard.ratings[{i}].min")),
                                },
                            );
                        }
                    }
                    None => problems.push(Problem::at(
                        Location::Json("standard.ratings".into()),
                        ImportProblem::RatingsNotList,
                    )),
                }
            }
        }
        Some(_) => problems.push(Problem::at(
            Location::Json("standard".into()),
            ImportProblem::NotAnObject,
        )),
        None => {}
    }
    let reqs = match root.get("requirements").and_then(|r| r.as_array()) {
        Some(r) => r,
        None => {
            return Err(Problem::at(
                Location::Json("requirements".into()),
                ImportProblem::NoRequirementsList,
            ));
        }
    };
    if reqs.len() > limits::REQUIREMENTS {
        return Err(too_many_requirements(Location::Json(format!(
            "requirements[{}]",
            limits::REQUIREMENTS
        ))));
    }
    let mut rows = Vec::new();
    for (i, r) in reqs.iter().enumerate() {
        let Some(obj) = r.as_object() else {
            problems.push(Problem::at(
                Location::Json(format!("requirements[{i}]")),
                ImportProblem::NotAnObject,
            ));
            continue;
        };
        let mut cells = HashMap::new();
        for f in Field::ALL {
            let key = f.names().0;
            let value = obj.get(key).or_else(|| {
                obj.iter()
                    .find(|(k, _)| Field::from_header(k) == Some(f))
                    .map(|(_, v)| v)
            });
            if let Some(text) = value.and_then(json_text) {
                cells.insert(
                    f,
                    Cell {
                        text,
                        at: Location::Json(format!("requirements[{i}].{key}")),
                    },
                );
            }
        }
        rows.push(RawRow {
            at: Location::Json(format!("requirements[{i}]")),
            cells,
            missing_at: Box::new(move |f| {
                Location::Json(format!("requirements[{i}].{}", f.names().0))
            }),
        });
    }
    Ok(Parsed {
        meta,
        rows,
        problems,
    })
}

// ---- Checking -------------------------------------------------------------------------

/// The largest weight a requirement may have: enough to make one requirement outweigh a
/// thousand others, small enough that no sum of weights overflows.
pub const MAX_WEIGHT: f64 = 1000.0;

/// The largest magnitude of a scale's or a number's min and max.
pub const MAX_LIMIT: f64 = 1e9;

fn parse_number(s: &str) -> Option<f64> {
    s.trim()
        .replace(',', ".")
        .replace(['\u{a0}', ' '], "")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

fn parse_yes_no(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "да" | "д" | "+" => Some(true),
        "no" | "n" | "false" | "0" | "нет" | "н" | "-" => Some(false),
        _ => None,
    }
}

/// Records a problem with a field: its cell (or where it would be), and what is wrong.
type Report<'a> = dyn FnMut(Field, Option<&Cell>, ImportProblem) + 'a;

fn build(parsed: Parsed, stem: &str) -> std::result::Result<StandardDraft, Vec<Problem>> {
    let Parsed {
        meta,
        rows,
        mut problems,
    } = parsed;
    let mut sections: Vec<SectionDraft> = Vec::new();
    // A row finds its section by title here, not by walking the list: import stays linear.
    let mut section_index: HashMap<String, usize> = HashMap::new();
    let mut seen_codes: HashMap<String, Location> = HashMap::new();
    let mut any_cyrillic = false;

    if rows.len() > limits::REQUIREMENTS {
        problems.push(too_many_requirements(rows[limits::REQUIREMENTS].at.clone()));
        return Err(problems);
    }
    for row in &rows {
        let get =
            |f: Field| -> Option<&Cell> { row.cells.get(&f).filter(|c| !c.text.trim().is_empty()) };
        let mut bad = |f: Field, at: Option<&Cell>, what: ImportProblem| {
            let loc = at.map_or_else(|| (row.missing_at)(f), |c| c.at.clone());
            problems.push(Problem::at(loc, what));
        };
        for (field, max) in [
            (Field::Section, limits::TITLE_CHARS),
            (Field::Code, limits::CODE_CHARS),
            (Field::Requirement, limits::TEXT_CHARS),
            (Field::Guidance, limits::GUIDANCE_CHARS),
        ] {
            if let Some(cell) = get(field) {
                let chars = cell.text.trim().chars().count();
                if chars > max {
                    bad(
                        field,
                        Some(cell),
                        ImportProblem::TooLong { field, chars, max },
                    );
                }
            }
        }
        let required = |f: Field, bad: &mut Report<'_>| {
            let c = get(f);
            if c.is_none() {
                bad(f, None, ImportProblem::Required { field: f });
            }
            c.map(|c| c.text.trim().to_string())
        };
        let section = required(Field::Section, &mut bad);
        let code = required(Field::Code, &mut bad);
        let text = required(Field::Requirement, &mut bad);
        if let (Some(code), Some(cell)) = (&code, get(Field::Code)) {
            if let Some(first) = seen_codes.get(code) {
                bad(
                    Field::Code,
                    Some(cell),
                    ImportProblem::DuplicateCode {
                        code: code.clone(),
                        first: first.clone(),
                    },
                );
            } else {
                seen_codes.insert(code.clone(), cell.at.row());
            }
        }
        let kind = match get(Field::Kind) {
            None => Kind::Check,
            Some(c) => Kind::parse(&c.text).unwrap_or_else(|| {
                bad(
                    Field::Kind,
                    Some(c),
                    ImportProblem::UnknownKind {
                        given: c.text.trim().to_string(),
                    },
                );
                Kind::Check
            }),
        };
        let weight = match get(Field::Weight) {
            None => 1.0,
            Some(c) => match parse_number(&c.text) {
                Some(w) if w > 0.0 && w <= MAX_WEIGHT => w,
                _ => {
                    bad(
                        Field::Weight,
                        Some(c),
                        ImportProblem::BadWeight {
                            given: c.text.trim().to_string(),
                        },
                    );
                    1.0
                }
            },
        };
        let yes_no = |f: Field, default: bool, bad: &mut Report<'_>| match get(f) {
            None => default,
            Some(c) => parse_yes_no(&c.text).unwrap_or_else(|| {
                bad(
                    f,
                    Some(c),
                    ImportProblem::NotYesNo {
                        field: f,
                        given: c.text.trim().to_string(),
                    },
                );
                default
            }),
        };
        let hard = yes_no(Field::Hard, false, &mut bad);
        let na_allowed = yes_no(Field::Na, true, &mut bad);
        let photo = match get(Field::Photo) {
            None => PhotoRule::Optional,
            Some(c) => PhotoRule::parse(&c.text).unwrap_or_else(|| {
                bad(
                    Field::Photo,
                    Some(c),
                    ImportProblem::UnknownPhotoRule {
                        given: c.text.trim().to_string(),
                    },
                );
                PhotoRule::Optional
            }),
        };
        let number = |f: Field, bad: &mut Report<'_>| {
            get(f).and_then(|c| {
                let v = parse_number(&c.text).filter(|v| v.abs() <= MAX_LIMIT);
                if v.is_none() {
                    bad(
                        f,
                        Some(c),
                        ImportProblem::BadLimit {
                            field: f,
                            given: c.text.trim().to_string(),
                        },
                    );
                }
                v
            })
        };
        let mut min = number(Field::Min, &mut bad);
        let max = number(Field::Max, &mut bad);
        match kind {
            Kind::Scale => match max {
                None if get(Field::Max).is_none() => {
                    bad(Field::Max, None, ImportProblem::ScaleNeedsMax)
                }
                Some(mx) if mx <= min.unwrap_or(0.0) => bad(
                    Field::Max,
                    get(Field::Max),
                    ImportProblem::ScaleMaxNotAboveMin {
                        max: mx,
                        min: min.unwrap_or(0.0),
                    },
                ),
                _ => {
                    min = Some(min.unwrap_or(0.0));
                }
            },
            Kind::Number => match (min, max) {
                (None, None) if get(Field::Min).is_none() && get(Field::Max).is_none() => {
                    bad(Field::Min, None, ImportProblem::NumberNeedsRange)
                }
                (Some(mn), Some(mx)) if mn > mx => bad(
                    Field::Max,
                    get(Field::Max),
                    ImportProblem::NumberMaxBelowMin { max: mx, min: mn },
                ),
                _ => {}
            },
            Kind::Check | Kind::Text => {}
        }
        let (Some(section), Some(code), Some(text)) = (section, code, text) else {
            continue;
        };
        any_cyrillic |= text.chars().any(|c| ('\u{400}'..='\u{4ff}').contains(&c));
        let req = RequirementDraft {
            code,
            text,
            guidance: get(Field::Guidance).map(|c| c.text.trim().to_string()),
            kind,
            weight,
            hard,
            photo,
            na_allowed,
            min: if matches!(kind, Kind::Scale | Kind::Number) {
                min
            } else {
                None
            },
            max: if matches!(kind, Kind::Scale | Kind::Number) {
                max
            } else {
                None
            },
        };
        match section_index.get(&section) {
            Some(&i) => sections[i].requirements.push(req),
            None => {
                if sections.len() >= limits::SECTIONS {
                    problems.push(too_many_sections(row.at.clone()));
                    return Err(problems);
                }
                section_index.insert(section.clone(), sections.len());
                sections.push(SectionDraft {
                    title: section,
                    requirements: vec![req],
                });
            }
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(Problem::file(ImportProblem::NoRequirements));
    }

    let meta_text = |k: &str| {
        meta.get(k)
            .map(|c| c.text.trim().to_string())
            .filter(|t| !t.is_empty())
    };
    let mut ratings = Vec::new();
    let mut keys: Vec<&String> = meta.keys().collect();
    keys.sort();
    if keys.len() > limits::META_ROWS {
        problems.push(too_many_meta_rows(meta[keys[limits::META_ROWS]].at.clone()));
        return Err(problems);
    }
    for key in &keys {
        let cell = &meta[*key];
        let chars = key.chars().count().max(cell.text.trim().chars().count());
        if chars > limits::TITLE_CHARS {
            problems.push(Problem::at(
                cell.at.clone(),
                ImportProblem::OwnFieldTooLong {
                    start: key.chars().take(20).collect(),
                    chars,
                },
            ));
        }
    }
    for key in keys {
        let cell = &meta[key];
        let name = key
            .strip_prefix("rating ")
            .or_else(|| key.strip_prefix("оценка "))
            .or_else(|| key.strip_prefix("rating:"));
        let Some(name) = name.map(str::trim) else {
            continue;
        };
        match parse_number(&cell.text) {
            Some(min) if (0.0..=100.0).contains(&min) && !name.is_empty() => {
                ratings.push(RatingBand {
                    name: name.to_string(),
                    min,
                })
            }
            _ => problems.push(Problem::at(
                cell.at.clone(),
                ImportProblem::BadRating {
                    name: name.to_string(),
                    given: cell.text.clone(),
                },
            )),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    ratings.sort_by(|a, b| b.min.total_cmp(&a.min));
    Ok(StandardDraft {
        code: meta_text("code")
            .or_else(|| meta_text("код"))
            .unwrap_or_else(|| stem.to_string()),
        title: meta_text("title")
            .or_else(|| meta_text("название"))
            .unwrap_or_else(|| stem.to_string()),
        version: meta_text("version").or_else(|| meta_text("версия")),
        language: meta_text("language")
            .or_else(|| meta_text("язык"))
            .unwrap_or_else(|| if any_cyrillic { "ru" } else { "en" }.to_string()),
        ratings: if ratings.is_empty() {
            default_ratings()
        } else {
            ratings
        },
        sections,
    })
}
