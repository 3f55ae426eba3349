//! Reading a standard from XLSX, CSV or JSON (PRODUCT.md §4) into a [`StandardDraft`].
//!
//! Every format is first turned into the same rows of text cells, each cell knowing where it came
//! from (`row 4, column kind` or `requirements[3].kind`), and then checked by one validator, so
//! the three formats accept and refuse exactly the same things. All problems are reported at
//! once; a file with any problem yields no draft at all.
//!
//! Entry point: [`read_standard`].

use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Problem, Result};
use crate::model::{Kind, PhotoRule, RatingBand, default_ratings, format_number};

/// Files larger than this are refused before parsing.
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

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
            problems: vec![Problem::new(
                "",
                format!(
                    "the file is {} MB; standards larger than 20 MB are refused",
                    meta.len() / 1_000_000
                ),
                format!(
                    "файл занимает {} МБ; стандарты больше 20 МБ не принимаются",
                    meta.len() / 1_000_000
                ),
            )],
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
            return Err(fail(Problem::new(
                "",
                format!("{ext} files are not supported: save the spreadsheet as XLSX or CSV"),
                format!("файлы {ext} не поддерживаются: сохраните таблицу как XLSX или CSV"),
            )));
        }
        _ if bytes.starts_with(b"PK") => Format::Xlsx,
        _ if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') => Format::Json,
        _ => Format::Csv,
    };
    let parsed = match format {
        Format::Xlsx => read_xlsx(bytes).map_err(fail)?,
        Format::Csv => read_csv(bytes).map_err(fail)?,
        Format::Json => read_json(bytes).map_err(fail)?,
    };
    build(parsed, &stem).map_err(|problems| Error::ImportInvalid { file, problems })
}

enum Format {
    Xlsx,
    Csv,
    Json,
}

/// The columns of the standard format, with their English and Russian names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Field {
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
    at: String,
}

/// One requirement's cells, as any format gives them.
struct RawRow {
    cells: HashMap<Field, Cell>,
    /// Where a missing cell of a field would be: `row 4, column kind` or `requirements[3].kind`.
    missing_at: Box<dyn Fn(Field) -> String>,
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
        return Err(Problem::new("", "the file is empty", "файл пуст"));
    }
    // `#key: value` lines before the header carry the standard's own fields.
    let mut meta = HashMap::new();
    let mut offset = 0usize; // lines consumed before the CSV proper
    let mut rest = text.as_str();
    loop {
        let (line, after) = match rest.split_once('\n') {
            Some((l, a)) => (l, a),
            None => (rest, ""),
        };
        let trimmed = line.trim();
        if let Some(body) = trimmed.strip_prefix('#') {
            offset += 1;
            if let Some((k, v)) = body.split_once(':') {
                let v = v.trim().trim_end_matches([';', ',']).trim();
                meta.insert(
                    k.trim().to_lowercase(),
                    Cell {
                        text: v.trim_matches('"').to_string(),
                        at: format!("row {offset}"),
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
    for rec in reader.records() {
        match rec {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line() as usize) + offset;
                records.push((line, r.iter().map(str::to_string).collect::<Vec<_>>()));
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize) + offset;
                return Err(Problem::new(
                    format!("row {line}"),
                    format!("the CSV cannot be read: {e}"),
                    format!("CSV не читается: {e}"),
                ));
            }
        }
    }
    let mut iter = records.into_iter();
    let (header_row, headers) = iter.next().ok_or_else(|| {
        Problem::new(
            "",
            "the file has no header row",
            "в файле нет строки заголовков",
        )
    })?;
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
            let (en, ru) = f.names();
            problems.push(Problem::new(
                format!("row {header_row}"),
                format!("the required column \"{en}\" ({ru}) is missing; the header row must name section, code and requirement"),
                format!("нет обязательного столбца «{ru}» ({en}); в строке заголовков должны быть раздел, код и требование"),
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
                            at: format!("row {row}, column {name}"),
                        },
                    );
                }
            }
            let names = names.clone();
            RawRow {
                cells: map,
                missing_at: Box::new(move |f| match names.get(&f) {
                    Some(n) => format!("row {row}, column {n}"),
                    None => format!("row {row}, column {}", f.names().0),
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
    let mut book = calamine::Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        Problem::new(
            "",
            format!("this is not a readable XLSX spreadsheet ({e}); save it from Excel or LibreOffice as .xlsx, or export CSV"),
            format!("это не читаемая таблица XLSX ({e}); сохраните её в Excel или LibreOffice как .xlsx или выгрузите CSV"),
        )
    })?;
    let sheets = book.sheet_names();
    let first = sheets
        .first()
        .cloned()
        .ok_or_else(|| Problem::new("", "the workbook has no sheets", "в книге нет листов"))?;
    let unreadable = |sheet: &str, e: calamine::XlsxError| {
        Problem::new(
            format!("sheet {sheet}"),
            format!("the sheet cannot be read: {e}"),
            format!("лист не читается: {e}"),
        )
    };
    let range = book
        .worksheet_range(&first)
        .map_err(|e| unreadable(&first, e))?;
    let mut meta = HashMap::new();
    if let Some(name) = sheets
        .iter()
        .find(|s| matches!(s.trim().to_lowercase().as_str(), "standard" | "стандарт"))
        .cloned()
    {
        let m = book
            .worksheet_range(&name)
            .map_err(|e| unreadable(&name, e))?;
        let start = m.start().map_or(0, |(r, _)| r as usize);
        for (i, row) in m.rows().enumerate() {
            let key = row.first().map(cell_text).unwrap_or_default();
            if key.trim().is_empty() {
                continue;
            }
            meta.insert(
                key.trim().to_lowercase(),
                Cell {
                    text: row.get(1).map(cell_text).unwrap_or_default(),
                    at: format!("sheet {name}, row {}", start + i + 1),
                },
            );
        }
    }
    let start = range.start().map_or(0, |(r, _)| r as usize);
    let col0 = range.start().map_or(0, |(_, c)| c as usize);
    let mut rows = range.rows().enumerate().map(|(i, r)| {
        let mut cells = vec![String::new(); col0];
        cells.extend(r.iter().map(cell_text));
        (start + i + 1, cells)
    });
    let (header_row, headers) = rows
        .next()
        .ok_or_else(|| Problem::new("", "the first sheet is empty", "первый лист пуст"))?;
    Ok(table(meta, header_row, headers, rows.collect()))
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

fn read_json(bytes: &[u8]) -> std::result::Result<Parsed, Problem> {
    let text = decode_text(bytes);
    let root: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Problem::new(
            format!("line {}, column {}", e.line(), e.column()),
            format!("this is not valid JSON: {e}"),
            format!("это не корректный JSON: {e}"),
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
                            at: format!("standard.{k}"),
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
                                    at: format!("standard.ratings[{i}].min"),
                                },
                            );
                        }
                    }
                    None => problems.push(Problem::new(
                        "standard.ratings",
                        "must be a list of {\"name\", \"min\"}",
                        "должен быть списком {\"name\", \"min\"}",
                    )),
                }
            }
        }
        Some(_) => problems.push(Problem::new(
            "standard",
            "must be an object",
            "должен быть объектом",
        )),
        None => {}
    }
    let reqs = match root.get("requirements").and_then(|r| r.as_array()) {
        Some(r) => r,
        None => {
            return Err(Problem::new(
                "requirements",
                "the file needs a \"requirements\" list",
                "в файле нужен список \"requirements\"",
            ));
        }
    };
    let mut rows = Vec::new();
    for (i, r) in reqs.iter().enumerate() {
        let Some(obj) = r.as_object() else {
            problems.push(Problem::new(
                format!("requirements[{i}]"),
                "must be an object",
                "должен быть объектом",
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
                        at: format!("requirements[{i}].{key}"),
                    },
                );
            }
        }
        rows.push(RawRow {
            cells,
            missing_at: Box::new(move |f| format!("requirements[{i}].{}", f.names().0)),
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

/// Records a problem with a field: its cell (or where it would be), English, Russian.
type Report<'a> = dyn FnMut(Field, Option<&Cell>, String, String) + 'a;

fn build(parsed: Parsed, stem: &str) -> std::result::Result<StandardDraft, Vec<Problem>> {
    let Parsed {
        meta,
        rows,
        mut problems,
    } = parsed;
    let mut sections: Vec<SectionDraft> = Vec::new();
    let mut seen_codes: HashMap<String, String> = HashMap::new();
    let mut any_cyrillic = false;

    for row in &rows {
        let get =
            |f: Field| -> Option<&Cell> { row.cells.get(&f).filter(|c| !c.text.trim().is_empty()) };
        let mut bad = |f: Field, at: Option<&Cell>, en: String, ru: String| {
            let loc = at.map_or_else(|| (row.missing_at)(f), |c| c.at.clone());
            problems.push(Problem::new(loc, en, ru));
        };
        let required = |f: Field, bad: &mut Report<'_>| {
            let c = get(f);
            if c.is_none() {
                let (en, ru) = f.names();
                bad(
                    f,
                    None,
                    format!("the {en} is empty; every requirement needs one"),
                    format!("не заполнено поле «{ru}»; оно обязательно"),
                );
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
                    format!("code {code} is already used at {first}; codes must be unique"),
                    format!("код {code} уже использован ({first}); коды не должны повторяться"),
                );
            } else {
                let at = cell.at.split(", column").next().unwrap_or("");
                seen_codes.insert(code.clone(), at.trim_end_matches(".code").to_string());
            }
        }
        let kind = match get(Field::Kind) {
            None => Kind::Check,
            Some(c) => Kind::parse(&c.text).unwrap_or_else(|| {
                bad(
                    Field::Kind,
                    Some(c),
                    format!(
                        "unknown kind \"{}\"; use check, scale, number or text",
                        c.text.trim()
                    ),
                    format!(
                        "неизвестный тип «{}»; допустимы check, scale, number, text",
                        c.text.trim()
                    ),
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
                        format!(
                            "weight \"{}\" must be a positive number up to {}",
                            c.text.trim(),
                            format_number(MAX_WEIGHT)
                        ),
                        format!(
                            "вес «{}» должен быть положительным числом не больше {}",
                            c.text.trim(),
                            format_number(MAX_WEIGHT)
                        ),
                    );
                    1.0
                }
            },
        };
        let yes_no = |f: Field, default: bool, bad: &mut Report<'_>| match get(f) {
            None => default,
            Some(c) => parse_yes_no(&c.text).unwrap_or_else(|| {
                let (en, ru) = f.names();
                bad(
                    f,
                    Some(c),
                    format!("{en} must be yes or no, not \"{}\"", c.text.trim()),
                    format!("«{ru}»: укажите да или нет, а не «{}»", c.text.trim()),
                );
                default
            }),
        };
        let hard = yes_no(Field::Hard, false, &mut bad);
        let na_allowed = yes_no(Field::Na, true, &mut bad);
        let photo = match get(Field::Photo) {
            None => PhotoRule::Optional,
            Some(c) => PhotoRule::parse(&c.text).unwrap_or_else(|| {
                bad(Field::Photo, Some(c), format!("unknown photo rule \"{}\"; use none, optional, required or required-on-fail", c.text.trim()), format!("неизвестное правило фото «{}»; допустимы none, optional, required, required-on-fail", c.text.trim()));
                PhotoRule::Optional
            }),
        };
        let number = |f: Field, bad: &mut Report<'_>| {
            get(f).and_then(|c| {
                let v = parse_number(&c.text).filter(|v| v.abs() <= MAX_LIMIT);
                if v.is_none() {
                    let (en, ru) = f.names();
                    bad(
                        f,
                        Some(c),
                        format!(
                            "{en} \"{}\" must be a number between -{} and {}",
                            c.text.trim(),
                            format_number(MAX_LIMIT),
                            format_number(MAX_LIMIT)
                        ),
                        format!(
                            "«{ru}»: «{}» должно быть числом от -{} до {}",
                            c.text.trim(),
                            format_number(MAX_LIMIT),
                            format_number(MAX_LIMIT)
                        ),
                    );
                }
                v
            })
        };
        let mut min = number(Field::Min, &mut bad);
        let max = number(Field::Max, &mut bad);
        match kind {
            Kind::Scale => match max {
                None if get(Field::Max).is_none() => bad(Field::Max, None, "a scale needs a max (its min defaults to 0)".into(), "для шкалы нужен максимум (минимум по умолчанию 0)".into()),
                Some(mx) if mx <= min.unwrap_or(0.0) => bad(Field::Max, get(Field::Max), format!("max {} must be greater than min {}", format_number(mx), format_number(min.unwrap_or(0.0))), format!("максимум {} должен быть больше минимума {}", format_number(mx), format_number(min.unwrap_or(0.0)))),
                _ => {
                    min = Some(min.unwrap_or(0.0));
                }
            },
            Kind::Number => match (min, max) {
                (None, None) if get(Field::Min).is_none() && get(Field::Max).is_none() => bad(Field::Min, None, "a number needs a min, a max or both: the range the measured value must fall in".into(), "для числа нужен минимум, максимум или оба: диапазон, в который должно попасть значение".into()),
                (Some(mn), Some(mx)) if mn > mx => bad(Field::Max, get(Field::Max), format!("max {} is less than min {}", format_number(mx), format_number(mn)), format!("максимум {} меньше минимума {}", format_number(mx), format_number(mn))),
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
        match sections.iter_mut().find(|s| s.title == section) {
            Some(s) => s.requirements.push(req),
            None => sections.push(SectionDraft {
                title: section,
                requirements: vec![req],
            }),
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(Problem::new(
            "",
            "the file has no requirements",
            "в файле нет требований",
        ));
    }

    let meta_text = |k: &str| {
        meta.get(k)
            .map(|c| c.text.trim().to_string())
            .filter(|t| !t.is_empty())
    };
    let mut ratings = Vec::new();
    let mut keys: Vec<&String> = meta.keys().collect();
    keys.sort();
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
            _ => problems.push(Problem::new(
                cell.at.clone(),
                format!(
                    "rating \"{name}\" needs a minimum percentage between 0 and 100, not \"{}\"",
                    cell.text
                ),
                format!(
                    "для оценки «{name}» нужен минимальный процент от 0 до 100, а не «{}»",
                    cell.text
                ),
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
