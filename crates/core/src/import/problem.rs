//! What can be wrong in an imported file (a standard, or an answers CSV), and where.
//!
//! A [`Problem`] is a typed [`Location`] and a typed [`ImportProblem`]; both are said in the
//! reader's language only when shown, so no English word ("row", "MB") reaches a Russian screen.

use crate::error::AnswerProblem;
use crate::i18n::{Lang, Noun, Text, file_size, grouped};
use crate::model::format_number;

use super::{Field, limits};

/// Where in a file a problem is, as a person finds it there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A row of a CSV or of a spreadsheet's first sheet (1-based).
    Row(usize),
    /// A cell of a row, in the column headed `column` (the header as the file writes it).
    Column { row: usize, column: String },
    /// A cell of a row in a column the file does not have, named by its field.
    Field { row: usize, field: Field },
    /// A row of the named sheet.
    SheetRow { sheet: String, row: usize },
    /// A cell of the named sheet, as a spreadsheet names it (`CW5`).
    Cell { sheet: String, cell: String },
    /// A whole sheet.
    Sheet(String),
    /// A position in a text file, as a parser reports it.
    Line { line: usize, col: usize },
    /// A place in a JSON document: `requirements[3].kind`.
    Json(String),
    /// A part of a spreadsheet's zip archive: `xl/sharedStrings.xml`.
    Entry(String),
}

impl Location {
    /// The row alone, without the column: where a requirement is, rather than one of its cells.
    pub fn row(&self) -> Location {
        match self {
            Location::Column { row, .. } | Location::Field { row, .. } => Location::Row(*row),
            Location::Json(path) => match path.rsplit_once('.') {
                Some((head, _)) if head.ends_with(']') => Location::Json(head.to_string()),
                _ => self.clone(),
            },
            other => other.clone(),
        }
    }
}

impl Text for Location {
    fn text(&self, lang: Lang) -> String {
        match self {
            Location::Row(row) => lang.pick(format!("row {row}"), format!("строка {row}")),
            Location::Column { row, column } => lang.pick(
                format!("row {row}, column {column}"),
                format!("строка {row}, столбец {column}"),
            ),
            Location::Field { row, field } => lang.pick(
                format!("row {row}, column {}", field.name(Lang::En)),
                format!("строка {row}, столбец {}", field.name(Lang::Ru)),
            ),
            Location::SheetRow { sheet, row } => lang.pick(
                format!("sheet {sheet}, row {row}"),
                format!("лист {sheet}, строка {row}"),
            ),
            Location::Cell { sheet, cell } => lang.pick(
                format!("sheet {sheet}, cell {cell}"),
                format!("лист {sheet}, ячейка {cell}"),
            ),
            Location::Sheet(sheet) => lang.pick(format!("sheet {sheet}"), format!("лист {sheet}")),
            Location::Line { line, col } => lang.pick(
                format!("line {line}, column {col}"),
                format!("строка {line}, позиция {col}"),
            ),
            Location::Json(path) => path.clone(),
            Location::Entry(name) => lang.pick(
                format!("archive part {name}"),
                format!("часть архива {name}"),
            ),
        }
    }
}

/// One thing wrong in an imported file, at a place a person can find (none when it is the
/// whole file).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub at: Option<Location>,
    /// Boxed: problems travel in `Result`s, which stay small this way.
    pub what: Box<ImportProblem>,
}

impl Problem {
    pub fn at(at: Location, what: ImportProblem) -> Self {
        Problem {
            at: Some(at),
            what: Box::new(what),
        }
    }

    /// A problem of the whole file.
    pub fn file(what: ImportProblem) -> Self {
        Problem {
            at: None,
            what: Box::new(what),
        }
    }
}

impl Text for Problem {
    fn text(&self, lang: Lang) -> String {
        match &self.at {
            Some(at) => format!("{}: {}", at.text(lang), self.what.text(lang)),
            None => self.what.text(lang),
        }
    }
}

impl Problem {
    /// The problem in `lang`, with its place first.
    pub fn text(&self, lang: Lang) -> String {
        Text::text(self, lang)
    }
}

const RESAVE_EN: &str = "Save it again from Excel or LibreOffice, or export CSV";
const RESAVE_RU: &str = "Сохраните таблицу заново в Excel или LibreOffice или выгрузите CSV";

/// What is wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportProblem {
    // The file as a whole.
    FileTooLarge {
        bytes: u64,
    },
    UnsupportedFormat {
        extension: String,
    },
    Unreadable,
    Empty,
    NoRequirements,
    // Limits.
    TooManyRequirements,
    TooManySections,
    TooManyMetaRows,
    TooManyJsonValues,
    CellTooFarRight,
    // CSV.
    CsvUnreadable {
        detail: String,
    },
    NoHeader,
    MissingColumn {
        field: Field,
    },
    // XLSX.
    NotXlsx {
        detail: String,
    },
    NoSheets,
    FirstSheetEmpty,
    SheetUnreadable {
        detail: String,
    },
    TooManyArchiveEntries {
        entries: usize,
    },
    PacksTooTightly {
        ratio: u64,
        bytes: u64,
    },
    InflatesPastHeader {
        declared: u64,
    },
    InflatesTooFar,
    TextTableClaim {
        claimed: String,
        room: usize,
    },
    EntryDamaged {
        detail: String,
    },
    // JSON.
    /// `ended`: the file ends in the middle of a value.
    NotJson {
        detail: String,
        ended: bool,
    },
    RatingsNotList,
    NotAnObject,
    NoRequirementsList,
    // Requirements.
    TooLong {
        field: Field,
        chars: usize,
        max: usize,
    },
    Required {
        field: Field,
    },
    DuplicateCode {
        code: String,
        first: Location,
    },
    UnknownKind {
        given: String,
    },
    BadWeight {
        given: String,
    },
    NotYesNo {
        field: Field,
        given: String,
    },
    UnknownPhotoRule {
        given: String,
    },
    BadLimit {
        field: Field,
        given: String,
    },
    ScaleNeedsMax,
    ScaleMaxNotAboveMin {
        max: f64,
        min: f64,
    },
    NumberNeedsRange,
    NumberMaxBelowMin {
        max: f64,
        min: f64,
    },
    // The standard's own fields.
    OwnFieldTooLong {
        start: String,
        chars: usize,
    },
    BadRating {
        name: String,
        given: String,
    },
    // Answers files.
    AnswersEmpty,
    AnswersHeader,
    NotInStandard {
        code: String,
        standard: String,
    },
    AnswerRefused {
        code: String,
        problem: AnswerProblem,
    },
    AnswerDoesNotFit {
        given: String,
        code: String,
        problem: AnswerProblem,
    },
}

impl Text for ImportProblem {
    fn text(&self, lang: Lang) -> String {
        use ImportProblem as P;
        let n = format_number;
        match self {
            P::FileTooLarge { bytes } => lang.pick(
                format!("the file is {}; standards larger than 20 MB are refused", file_size(*bytes, lang)),
                format!("файл занимает {}; стандарты больше 20 МБ не принимаются", file_size(*bytes, lang)),
            ),
            P::UnsupportedFormat { extension } => lang.pick(
                format!("{extension} files are not supported: save the spreadsheet as XLSX or CSV"),
                format!("файлы {extension} не поддерживаются: сохраните таблицу как XLSX или CSV"),
            ),
            P::Unreadable => lang.pick(
                "the file could not be read: its contents are not what a spreadsheet, CSV or JSON file holds. Open it in Excel or LibreOffice and save it again as .xlsx, or export CSV, then import that",
                "файл не удалось прочитать: его содержимое не похоже на таблицу, CSV или JSON. Откройте его в Excel или LibreOffice и сохраните заново как .xlsx или выгрузите CSV, затем импортируйте",
            ),
            P::Empty => lang.pick("the file is empty", "файл пуст"),
            P::NoRequirements => lang.pick("the file has no requirements", "в файле нет требований"),
            P::TooManyRequirements => lang.pick(
                format!(
                    "a standard holds at most {} requirements; split the file into several standards",
                    grouped(limits::REQUIREMENTS as u64, lang)
                ),
                format!(
                    "в стандарте может быть не больше {} требований; разделите файл на несколько стандартов",
                    grouped(limits::REQUIREMENTS as u64, lang)
                ),
            ),
            P::TooManySections => lang.pick(
                format!(
                    "a standard holds at most {} sections; merge sections or split the file into several standards",
                    limits::SECTIONS
                ),
                format!(
                    "в стандарте может быть не больше {} разделов; объедините разделы или разделите файл на несколько стандартов",
                    limits::SECTIONS
                ),
            ),
            P::TooManyMetaRows => lang.pick(
                format!(
                    "a standard has at most {} lines of its own fields (code, title, version, ratings)",
                    limits::META_ROWS
                ),
                format!(
                    "у стандарта не больше {} строк собственных полей (код, название, версия, оценки)",
                    limits::META_ROWS
                ),
            ),
            P::TooManyJsonValues => lang.pick(
                format!(
                    "the file holds more than {} values, more than a standard of {} requirements needs; split it into several standards",
                    grouped(limits::JSON_VALUES as u64, lang),
                    grouped(limits::REQUIREMENTS as u64, lang)
                ),
                format!(
                    "в файле больше {} значений — больше, чем нужно стандарту из {} требований; разделите его на несколько стандартов",
                    grouped(limits::JSON_VALUES as u64, lang),
                    grouped(limits::REQUIREMENTS as u64, lang)
                ),
            ),
            P::CellTooFarRight => lang.pick(
                format!(
                    "a standard's sheet uses at most {} columns, and this cell is further right; delete it or move it nearer",
                    limits::COLUMNS
                ),
                format!(
                    "лист стандарта занимает не больше {} столбцов, а эта ячейка правее; удалите её или перенесите ближе",
                    limits::COLUMNS
                ),
            ),
            // The reader's own detail is English only: the Russian text names the place instead.
            P::CsvUnreadable { detail } => lang.pick(
                format!("the CSV cannot be read: {detail}"),
                "CSV не читается здесь: проверьте кавычки и разделители в этой строке",
            ),
            P::NoHeader => lang.pick("the file has no header row", "в файле нет строки заголовков"),
            P::MissingColumn { field } => {
                let (en, ru) = (field.name(Lang::En), field.name(Lang::Ru));
                lang.pick(
                    format!("the required column \"{en}\" ({ru}) is missing; the header row must name section, code and requirement"),
                    format!("нет обязательного столбца «{ru}» ({en}); в строке заголовков должны быть раздел, код и требование"),
                )
            }
            P::NotXlsx { detail } => lang.pick(
                format!("this is not a readable XLSX spreadsheet ({detail}); save it from Excel or LibreOffice as .xlsx, or export CSV"),
                "это не читаемая таблица XLSX; сохраните её в Excel или LibreOffice как .xlsx или выгрузите CSV",
            ),
            P::NoSheets => lang.pick("the workbook has no sheets", "в книге нет листов"),
            P::FirstSheetEmpty => lang.pick("the first sheet is empty", "первый лист пуст"),
            P::SheetUnreadable { detail } => lang.pick(
                format!("the sheet cannot be read: {detail}"),
                format!("лист не читается; {RESAVE_RU}"),
            ),
            P::TooManyArchiveEntries { entries } => lang.pick(
                format!(
                    "the archive holds {}; a spreadsheet holds at most {}. {RESAVE_EN}",
                    Noun::File.count(*entries, lang),
                    limits::MAX_ENTRIES
                ),
                format!(
                    "в архиве {}; в таблице их может быть не больше {}. {RESAVE_RU}",
                    Noun::File.count(*entries, lang),
                    limits::MAX_ENTRIES
                ),
            ),
            P::PacksTooTightly { ratio, bytes } => lang.pick(
                format!(
                    "this part of the archive unpacks {ratio} times over (to {}); a spreadsheet packs at most {} times, so this is a zip bomb or a damaged file. {RESAVE_EN}",
                    file_size(*bytes, lang),
                    limits::MAX_RATIO
                ),
                format!(
                    "эта часть архива распаковывается в {} (до {}); таблица сжимается не больше чем в {} раз, значит это zip-бомба или повреждённый файл. {RESAVE_RU}",
                    Noun::Time.count(*ratio, lang),
                    file_size(*bytes, lang),
                    limits::MAX_RATIO
                ),
            ),
            P::InflatesPastHeader { declared } => lang.pick(
                format!(
                    "this part of the archive unpacks to more than the {} its header declares; the file is damaged or crafted. {RESAVE_EN}",
                    Noun::Byte.count(*declared, lang)
                ),
                format!(
                    "эта часть архива распаковывается в больший объём, чем заявлено в её заголовке ({}); файл повреждён или подделан. {RESAVE_RU}",
                    Noun::Byte.count(*declared, lang)
                ),
            ),
            P::InflatesTooFar => lang.pick(
                format!(
                    "the spreadsheet unpacks to more than {}; a standard needs far less, so this is a zip bomb or not a standard. {RESAVE_EN}",
                    file_size(limits::MAX_INFLATED_BYTES, lang)
                ),
                format!(
                    "таблица распаковывается больше чем в {}; стандарту нужно гораздо меньше, значит это zip-бомба или не стандарт. {RESAVE_RU}",
                    file_size(limits::MAX_INFLATED_BYTES, lang)
                ),
            ),
            P::TextTableClaim { claimed, room } => lang.pick(
                format!(
                    "the table of texts claims to hold {claimed} texts where there is room for at most {room}; the file is damaged or crafted. {RESAVE_EN}"
                ),
                format!(
                    "таблица текстов заявляет {claimed} текстов, а места в ней не больше чем на {room}; файл повреждён или подделан. {RESAVE_RU}"
                ),
            ),
            P::EntryDamaged { detail } => lang.pick(
                format!("this part of the archive cannot be unpacked ({detail}); the file is damaged. {RESAVE_EN}"),
                format!("эта часть архива не распаковывается; файл повреждён. {RESAVE_RU}"),
            ),
            P::NotJson { detail, ended } => lang.pick(
                format!("this is not valid JSON: {detail}"),
                match ended {
                    true => "это не корректный JSON: файл кончается посреди значения",
                    false => "это не корректный JSON: здесь синтаксическая ошибка (проверьте запятые, кавычки и скобки)",
                },
            ),
            P::RatingsNotList => lang.pick(
                "must be a list of {\"name\", \"min\"}",
                "должен быть списком {\"name\", \"min\"}",
            ),
            P::NotAnObject => lang.pick("must be an object", "должен быть объектом"),
            P::NoRequirementsList => lang.pick(
                "the file needs a \"requirements\" list",
                "в файле нужен список \"requirements\"",
            ),
            P::TooLong { field, chars, max } => lang.pick(
                format!(
                    "the {} is {chars} characters long; at most {max} are allowed",
                    field.name(Lang::En)
                ),
                format!(
                    "поле «{}» длиной {}; допустимо не больше {max}",
                    field.name(Lang::Ru),
                    Noun::Character.count(*chars, lang)
                ),
            ),
            P::Required { field } => lang.pick(
                format!("the {} is empty; every requirement needs one", field.name(Lang::En)),
                format!("не заполнено поле «{}»; оно обязательно", field.name(Lang::Ru)),
            ),
            P::DuplicateCode { code, first } => lang.pick(
                format!("code {code} is already used at {}; codes must be unique", first.text(lang)),
                format!("код {code} уже использован ({}); коды не должны повторяться", first.text(lang)),
            ),
            P::UnknownKind { given } => lang.pick(
                format!("unknown kind \"{given}\"; use check, scale, number or text"),
                format!("неизвестный тип «{given}»; допустимы check, scale, number, text"),
            ),
            P::BadWeight { given } => lang.pick(
                format!("weight \"{given}\" must be a positive number up to {}", n(super::MAX_WEIGHT)),
                format!("вес «{given}» должен быть положительным числом не больше {}", n(super::MAX_WEIGHT)),
            ),
            P::NotYesNo { field, given } => lang.pick(
                format!("{} must be yes or no, not \"{given}\"", field.name(Lang::En)),
                format!("«{}»: укажите да или нет, а не «{given}»", field.name(Lang::Ru)),
            ),
            P::UnknownPhotoRule { given } => lang.pick(
                format!("unknown photo rule \"{given}\"; use none, optional, required or required-on-fail"),
                format!("неизвестное правило фото «{given}»; допустимы none, optional, required, required-on-fail"),
            ),
            P::BadLimit { field, given } => {
                let limit = n(super::MAX_LIMIT);
                lang.pick(
                    format!("{} \"{given}\" must be a number between -{limit} and {limit}", field.name(Lang::En)),
                    format!("«{}»: «{given}» должно быть числом от -{limit} до {limit}", field.name(Lang::Ru)),
                )
            }
            P::ScaleNeedsMax => lang.pick(
                "a scale needs a max (its min defaults to 0)",
                "для шкалы нужен максимум (минимум по умолчанию 0)",
            ),
            P::ScaleMaxNotAboveMin { max, min } => lang.pick(
                format!("max {} must be greater than min {}", n(*max), n(*min)),
                format!("максимум {} должен быть больше минимума {}", n(*max), n(*min)),
            ),
            P::NumberNeedsRange => lang.pick(
                "a number needs a min, a max or both: the range the measured value must fall in",
                "для числа нужен минимум, максимум или оба: диапазон, в который должно попасть значение",
            ),
            P::NumberMaxBelowMin { max, min } => lang.pick(
                format!("max {} is less than min {}", n(*max), n(*min)),
                format!("максимум {} меньше минимума {}", n(*max), n(*min)),
            ),
            P::OwnFieldTooLong { start, chars } => lang.pick(
                format!(
                    "\"{start}…\" is {chars} characters long; a standard's own fields hold at most {}",
                    limits::TITLE_CHARS
                ),
                format!(
                    "«{start}…» длиной {}; в полях стандарта допустимо не больше {}",
                    Noun::Character.count(*chars, lang),
                    limits::TITLE_CHARS
                ),
            ),
            P::BadRating { name, given } => lang.pick(
                format!("rating \"{name}\" needs a minimum percentage between 0 and 100, not \"{given}\""),
                format!("для оценки «{name}» нужен минимальный процент от 0 до 100, а не «{given}»"),
            ),
            P::AnswersEmpty => lang.pick(
                "the file is empty; it needs a header row: code, answer, note",
                "файл пуст; нужна строка заголовков: code, answer, note",
            ),
            P::AnswersHeader => lang.pick(
                "the header must name the columns code and answer (and optionally note)",
                "в заголовке должны быть столбцы code (код) и answer (ответ), по желанию note (заметка)",
            ),
            P::NotInStandard { code, standard } => lang.pick(
                format!("requirement {code} is not in standard {standard}"),
                format!("требования {code} нет в стандарте {standard}"),
            ),
            P::AnswerRefused { code, problem } => lang.pick(
                format!("requirement {code}: {}", problem.text(lang)),
                format!("требование {code}: {}", problem.text(lang)),
            ),
            P::AnswerDoesNotFit { given, code, problem } => lang.pick(
                format!("\"{given}\" does not fit: requirement {code}: {}", problem.text(lang)),
                format!("«{given}» не подходит: требование {code}: {}", problem.text(lang)),
            ),
        }
    }
}

impl ImportProblem {
    pub fn text(&self, lang: Lang) -> String {
        Text::text(self, lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_said_in_the_reader_s_language() {
        let p = Problem::at(
            Location::Column {
                row: 7,
                column: "kind".into(),
            },
            ImportProblem::UnknownKind {
                given: "флажок".into(),
            },
        );
        assert!(
            p.text(Lang::En)
                .starts_with("row 7, column kind: unknown kind")
        );
        assert!(
            p.text(Lang::Ru)
                .starts_with("строка 7, столбец kind: неизвестный тип")
        );
        let cell = Location::Cell {
            sheet: "Лист1".into(),
            cell: "CW5".into(),
        };
        assert_eq!(cell.text(Lang::Ru), "лист Лист1, ячейка CW5");
        assert_eq!(
            Location::Line { line: 5, col: 2 }.text(Lang::En),
            "line 5, column 2"
        );
        let missing = Location::Field {
            row: 3,
            field: Field::Max,
        };
        assert_eq!(missing.text(Lang::Ru), "строка 3, столбец макс");
        assert_eq!(
            Location::Json("requirements[3].kind".into()).row(),
            Location::Json("requirements[3]".into())
        );
    }

    #[test]
    fn sizes_and_counts_in_russian_use_russian_units_and_forms() {
        let big = ImportProblem::FileTooLarge {
            bytes: 25 * 1024 * 1024,
        }
        .text(Lang::Ru);
        assert!(big.contains("25 МБ") && !big.contains("MB"), "{big}");
        let long = ImportProblem::TooLong {
            field: Field::Requirement,
            chars: 1001,
            max: 1000,
        };
        assert!(
            long.text(Lang::Ru).contains("длиной 1001 символ;"),
            "{}",
            long.text(Lang::Ru)
        );
    }
}
