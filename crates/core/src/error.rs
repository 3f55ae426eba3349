//! Errors that reach a person: each says what happened and what to do, in English or Russian.
//!
//! `Display` gives the English text (the command line's language); [`Error::message`] gives
//! either language for the desktop app. [`Error::code`] is the small closed set the UI switches on.

use serde::Serialize;
use ts_rs::TS;

use crate::i18n::Lang;

/// What kind of failure an error is, for the UI to switch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    NotFound,
    InvalidInput,
    ImportInvalid,
    Conflict,
    Locked,
    Incomplete,
    InvalidPhoto,
    Storage,
}

/// One thing wrong in an imported file, at a place a person can find.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Problem {
    /// `row 4, column kind`, `row 1`, `requirements[3].kind` or `line 5, column 2`.
    pub location: String,
    pub en: String,
    pub ru: String,
}

impl Problem {
    pub fn new(location: impl Into<String>, en: impl Into<String>, ru: impl Into<String>) -> Self {
        Problem {
            location: location.into(),
            en: en.into(),
            ru: ru.into(),
        }
    }

    pub fn text(&self, lang: Lang) -> String {
        let msg = match lang {
            Lang::En => &self.en,
            Lang::Ru => &self.ru,
        };
        if self.location.is_empty() {
            msg.clone()
        } else {
            let loc = match lang {
                Lang::En => self.location.clone(),
                Lang::Ru => self
                    .location
                    .replace("row ", "строка ")
                    .replace("column ", "столбец ")
                    .replace("line ", "строка ")
                    .replace("sheet ", "лист ")
                    .replace("cell ", "ячейка "),
            };
            format!("{loc}: {msg}")
        }
    }
}

/// Why an answer was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerProblem {
    OutOfRange {
        min: f64,
        max: f64,
    },
    NaNotAllowed,
    /// The input does not fit the requirement's kind; carries the kind's name.
    WrongKind(&'static str),
}

/// What is still missing before an audit can be completed.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Missing {
    pub code: String,
    pub what: MissingWhat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MissingWhat {
    Answer,
    Photo,
}

/// Why a database file cannot be used as it is.
#[derive(Debug, Clone, PartialEq)]
pub enum DatabaseProblem {
    /// The file exists but holds nothing (0 bytes): not a database StoreCheck made.
    Empty,
    /// An SQLite file of some other program, or a file that is not a database at all.
    NotStoreCheck,
    /// A StoreCheck database that fails SQLite's integrity check or cannot be read.
    Damaged { detail: String },
    /// Written by a newer StoreCheck.
    Newer { found: i64, supported: i64 },
    /// A schema number no StoreCheck ever wrote.
    UnknownSchema { found: i64 },
    /// An upgrade from an older schema failed; it was rolled back.
    UpgradeFailed { from: i64, detail: String },
}

/// Why a photo was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum PhotoProblem {
    Empty,
    TooLarge {
        bytes: u64,
        max: u64,
    },
    TooManyPixels {
        width: u64,
        height: u64,
        max_megapixels: u64,
    },
    /// A side longer than any camera or screen makes (`max_side` pixels).
    SideTooLong {
        width: u64,
        height: u64,
        max_side: u64,
    },
    /// Longer and thinner than any photo: the long side over `max_ratio` times the short one.
    TooThin {
        width: u64,
        height: u64,
        max_ratio: u64,
    },
    /// HEIC, HEIF or AVIF (`kind` says which).
    Heic {
        kind: &'static str,
    },
    /// An image or document format that is not taken.
    Unsupported {
        kind: &'static str,
    },
    NotAnImage,
    /// The name says one format and the bytes another.
    Mislabelled {
        extension: String,
        actual: &'static str,
    },
    Truncated,
    Corrupt {
        detail: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{what} {key:?} was not found")]
    NotFound { what: &'static str, key: String },

    #[error("{field}: {en}")]
    InvalidInput {
        field: String,
        en: String,
        ru: String,
    },

    #[error("{file} cannot be imported: {} problem(s); nothing was imported", problems.len())]
    ImportInvalid {
        file: String,
        problems: Vec<Problem>,
    },

    #[error("{en}")]
    Conflict { en: String, ru: String },

    #[error("audit {id} is {status}: it can no longer be changed")]
    Locked { id: String, status: &'static str },

    #[error(
        "the audit cannot be completed yet: {}",
        describe_missing(missing, Lang::En)
    )]
    Incomplete { missing: Vec<Missing> },

    #[error("requirement {code}: {}", answer_problem(problem, Lang::En))]
    InvalidAnswer {
        code: String,
        problem: AnswerProblem,
    },

    #[error(
        "photo {file:?} cannot be attached: {}",
        photo_problem(problem, Lang::En)
    )]
    Photo { file: String, problem: PhotoProblem },

    #[error("{path}: {}", database_problem(problem, Lang::En))]
    Database {
        path: String,
        problem: DatabaseProblem,
    },

    #[error("the database failed its integrity check: {0}")]
    Corrupt(String),

    #[error("{}", sqlite_problem(.0, Lang::En))]
    Db(#[from] rusqlite::Error),

    /// A signing key or certificate file that exists but cannot be used; it is never replaced.
    #[error("{path}: {en}")]
    SigningFile {
        path: String,
        en: String,
        ru: String,
    },

    #[error("{path}: {}", io_problem(source, Lang::En))]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(field: impl Into<String>, en: impl Into<String>, ru: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: field.into(),
            en: en.into(),
            ru: ru.into(),
        }
    }

    pub fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Error::NotFound { .. } => ErrorCode::NotFound,
            Error::InvalidInput { .. } | Error::InvalidAnswer { .. } => ErrorCode::InvalidInput,
            Error::ImportInvalid { .. } => ErrorCode::ImportInvalid,
            Error::Conflict { .. } => ErrorCode::Conflict,
            Error::Locked { .. } => ErrorCode::Locked,
            Error::Incomplete { .. } => ErrorCode::Incomplete,
            Error::Photo { .. } => ErrorCode::InvalidPhoto,
            Error::Database { .. }
            | Error::Corrupt(_)
            | Error::Db(_)
            | Error::Io { .. }
            | Error::SigningFile { .. } => ErrorCode::Storage,
        }
    }

    /// The message in the given language: what happened, then what to do.
    pub fn message(&self, lang: Lang) -> String {
        let mut out = self.headline(lang);
        if let Some(hint) = self.hint(lang) {
            out.push_str(". ");
            out.push_str(&hint);
        }
        out
    }

    /// What happened, in one line.
    pub fn headline(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (Error::NotFound { what, key }, Lang::Ru) => {
                let (entity, found) = ru_entity(what);
                format!("{entity} «{key}» не {found}")
            }
            (Error::InvalidInput { field, ru, .. }, Lang::Ru) => format!("{field}: {ru}"),
            (Error::ImportInvalid { file, problems }, Lang::Ru) => format!(
                "{file} не импортирован: проблем — {}; ничего не записано",
                problems.len()
            ),
            (Error::Conflict { ru, .. }, Lang::Ru) => ru.clone(),
            (Error::Locked { status, .. }, Lang::Ru) => format!(
                "проверка {}: изменить её уже нельзя",
                match *status {
                    "signed" => "подписана",
                    "completed" => "завершена",
                    other => other,
                }
            ),
            (Error::Incomplete { missing }, Lang::Ru) => format!(
                "проверку пока нельзя завершить: {}",
                describe_missing(missing, Lang::Ru)
            ),
            (Error::InvalidAnswer { code, problem }, Lang::Ru) => {
                format!("требование {code}: {}", answer_problem(problem, Lang::Ru))
            }
            (Error::Photo { file, problem }, Lang::Ru) => format!(
                "фото «{file}» не приложено: {}",
                photo_problem(problem, Lang::Ru)
            ),
            (Error::Database { path, problem }, Lang::Ru) => {
                format!("{path}: {}", database_problem(problem, Lang::Ru))
            }
            (Error::Corrupt(d), Lang::Ru) => {
                format!("база данных не прошла проверку целостности: {d}")
            }
            (Error::Db(e), Lang::Ru) => sqlite_problem(e, Lang::Ru),
            (Error::Io { path, source }, Lang::Ru) => {
                format!("{path}: {}", io_problem(source, Lang::Ru))
            }
            (Error::SigningFile { path, ru, .. }, Lang::Ru) => format!("{path}: {ru}"),
        }
    }

    /// What to do about it, where there is something to say.
    pub fn hint(&self, lang: Lang) -> Option<String> {
        let (en, ru) = match self {
            Error::NotFound { what, .. } => match *what {
                "audit" => (
                    "list audits with `storecheck audit list`",
                    "список проверок: `storecheck audit list`",
                ),
                "store" => (
                    "add it with `storecheck store add CODE NAME`",
                    "добавьте магазин: `storecheck store add КОД НАЗВАНИЕ`",
                ),
                "standard" => (
                    "import one with `storecheck standard import FILE` or load the demo with `storecheck demo`",
                    "импортируйте стандарт (`storecheck standard import ФАЙЛ`) или загрузите демо (`storecheck demo`)",
                ),
                "requirement" => (
                    "use a code from the audit's standard, as `storecheck audit show` lists them",
                    "используйте код требования из стандарта проверки (`storecheck audit show`)",
                ),
                _ => return None,
            },
            Error::ImportInvalid { .. } => (
                "fix what is listed above and import the file again",
                "исправьте перечисленное выше и импортируйте файл снова",
            ),
            Error::Locked { status, .. } if *status == "signed" => (
                "a signed audit can only be corrected by a new revision",
                "подписанную проверку можно исправить только новой редакцией",
            ),
            Error::Locked { .. } => (
                "reopen the audit to change its answers",
                "откройте проверку снова, чтобы изменить ответы",
            ),
            Error::Incomplete { .. } => (
                "answer the requirements listed and attach the photos they need, then complete again",
                "ответьте на перечисленные требования и приложите нужные фото, затем завершите снова",
            ),
            Error::Photo { problem, .. } => match problem {
                PhotoProblem::Heic { .. } => (
                    "export it as JPEG (on an iPhone: Settings → Camera → Formats → Most Compatible), then attach it again",
                    "сохраните его как JPEG (на iPhone: Настройки → Камера → Форматы → Наиболее совместимый) и приложите снова",
                ),
                PhotoProblem::Unsupported { .. } | PhotoProblem::NotAnImage => (
                    "attach a JPEG, PNG or WebP photo",
                    "приложите фото в формате JPEG, PNG или WebP",
                ),
                PhotoProblem::TooLarge { .. }
                | PhotoProblem::TooManyPixels { .. }
                | PhotoProblem::SideTooLong { .. } => (
                    "attach a smaller copy of the photo (any phone or photo viewer can export one)",
                    "приложите уменьшенную копию фото (её можно сохранить в телефоне или программе просмотра)",
                ),
                PhotoProblem::TooThin { .. } => (
                    "attach the photo as the camera or phone saved it, or crop it to an ordinary photo's shape",
                    "приложите фото в том виде, в каком его сохранили камера или телефон, или обрежьте его до обычных пропорций фото",
                ),
                PhotoProblem::Mislabelled { .. } => (
                    "rename the file to the extension of its real format, or export it again as JPEG",
                    "переименуйте файл в расширение его настоящего формата или сохраните его заново как JPEG",
                ),
                PhotoProblem::Empty | PhotoProblem::Truncated | PhotoProblem::Corrupt { .. } => (
                    "copy the photo from the camera or phone again and attach the new copy",
                    "скопируйте фото с камеры или телефона ещё раз и приложите новую копию",
                ),
            },
            Error::Database { problem, .. } => database_hint(problem),
            Error::Corrupt(_) => (
                "restore the database from a backup copy; StoreCheck left the file as it was",
                "восстановите базу из резервной копии; StoreCheck оставил файл как был",
            ),
            Error::Db(e) => sqlite_hint(e)?,
            Error::Io { source, .. } if is_disk_full(source) => DISK_FULL_HINT,
            Error::SigningFile { .. } => (
                "the file was left as it is, since it may be the only copy of an identity HQ certified: put back a good copy if there is one; otherwise move the file aside (rename it), and the next signing makes a new key and certificate, which HQ then has to certify again",
                "файл оставлен как есть: это может быть единственная копия удостоверения, заверенного ЦО. Верните исправную копию, если она есть; иначе переместите файл в сторону (переименуйте его) — при следующей подписи будут созданы новый ключ и сертификат, которые ЦО нужно будет заверить заново",
            ),
            Error::Io { .. } => (
                "check that the path exists and that you may read and write it",
                "проверьте, что путь существует и доступен для чтения и записи",
            ),
            _ => return None,
        };
        Some(match lang {
            Lang::En => en.to_string(),
            Lang::Ru => ru.to_string(),
        })
    }

    /// The import problems, one per line, when this is an import error.
    pub fn problems(&self) -> &[Problem] {
        match self {
            Error::ImportInvalid { problems, .. } => problems,
            _ => &[],
        }
    }
}

const DISK_FULL_HINT: (&str, &str) = (
    "free some space on the disk, then try again; everything saved before is still there",
    "освободите место на диске и повторите; всё сохранённое раньше на месте",
);

fn database_problem(p: &DatabaseProblem, lang: Lang) -> String {
    match (p, lang) {
        (DatabaseProblem::Empty, Lang::En) => {
            "the database file is empty (0 bytes): it holds no StoreCheck data".into()
        }
        (DatabaseProblem::Empty, Lang::Ru) => {
            "файл базы данных пуст (0 байт): данных StoreCheck в нём нет".into()
        }
        (DatabaseProblem::NotStoreCheck, Lang::En) => {
            "this file is not a StoreCheck database".into()
        }
        (DatabaseProblem::NotStoreCheck, Lang::Ru) => {
            "этот файл — не база данных StoreCheck".into()
        }
        (DatabaseProblem::Damaged { detail }, Lang::En) => {
            format!("the database file is damaged ({detail})")
        }
        (DatabaseProblem::Damaged { detail }, Lang::Ru) => {
            format!("файл базы данных повреждён ({detail})")
        }
        (DatabaseProblem::Newer { found, supported }, Lang::En) => format!(
            "the database was written by a newer StoreCheck (schema {found}; this StoreCheck knows up to {supported})"
        ),
        (DatabaseProblem::Newer { found, supported }, Lang::Ru) => format!(
            "база данных записана более новой версией StoreCheck (схема {found}; эта версия знает схемы до {supported})"
        ),
        (DatabaseProblem::UnknownSchema { found }, Lang::En) => {
            format!("the database has schema number {found}, which no StoreCheck ever wrote")
        }
        (DatabaseProblem::UnknownSchema { found }, Lang::Ru) => {
            format!("у базы данных номер схемы {found}, которого не бывает у StoreCheck")
        }
        (DatabaseProblem::UpgradeFailed { from, detail }, Lang::En) => format!(
            "the database could not be upgraded from schema {from} ({detail}); it was left as it was"
        ),
        (DatabaseProblem::UpgradeFailed { from, detail }, Lang::Ru) => format!(
            "базу данных не удалось обновить со схемы {from} ({detail}); она оставлена как была"
        ),
    }
}

fn database_hint(p: &DatabaseProblem) -> (&'static str, &'static str) {
    match p {
        DatabaseProblem::Empty | DatabaseProblem::Damaged { .. } => (
            "put back a copy of the database from a backup; to start afresh instead, move this file elsewhere (StoreCheck never deletes or overwrites it)",
            "верните копию базы из резервной копии; чтобы начать заново, переместите этот файл в другое место (StoreCheck никогда не удаляет и не перезаписывает его)",
        ),
        DatabaseProblem::NotStoreCheck | DatabaseProblem::UnknownSchema { .. } => (
            "choose the StoreCheck database file; to start a new one here, move this file elsewhere (StoreCheck never overwrites it)",
            "выберите файл базы StoreCheck; чтобы начать новую базу здесь, переместите этот файл в другое место (StoreCheck его не перезаписывает)",
        ),
        DatabaseProblem::Newer { .. } => (
            "install the newer StoreCheck that wrote it; the file was left as it was",
            "установите ту, более новую версию StoreCheck, которая её записала; файл не изменён",
        ),
        DatabaseProblem::UpgradeFailed { .. } => (
            "free some disk space and start StoreCheck again; if it fails again, keep a copy of the file and report the message",
            "освободите место на диске и запустите StoreCheck снова; если не поможет, сохраните копию файла и сообщите это сообщение",
        ),
    }
}

/// What SQLite's failure means for the person, in their words.
fn sqlite_problem(e: &rusqlite::Error, lang: Lang) -> String {
    use rusqlite::ErrorCode as C;
    let text = match e.sqlite_error_code() {
        Some(C::DiskFull) => (
            "the disk is full: the change was not saved",
            "диск заполнен: изменение не сохранено",
        ),
        Some(C::SystemIoFailure) => (
            "the database could not be written (a disk input/output error: the disk may be full or failing); the change was not saved",
            "базу данных не удалось записать (ошибка ввода-вывода диска: диск заполнен или неисправен); изменение не сохранено",
        ),
        Some(C::DatabaseCorrupt) | Some(C::NotADatabase) => {
            ("the database file is damaged", "файл базы данных повреждён")
        }
        Some(C::ReadOnly) | Some(C::CannotOpen) | Some(C::PermissionDenied) => (
            "the database file cannot be opened for writing",
            "файл базы данных нельзя открыть для записи",
        ),
        Some(C::DatabaseBusy) | Some(C::DatabaseLocked) => (
            "another StoreCheck window or command kept the database busy: the change was not saved",
            "база данных занята другим окном или командой StoreCheck: изменение не сохранено",
        ),
        _ => {
            return match lang {
                Lang::En => format!("database error: {e}"),
                Lang::Ru => format!("ошибка базы данных: {e}"),
            };
        }
    };
    match lang {
        Lang::En => text.0.into(),
        Lang::Ru => text.1.into(),
    }
}

fn sqlite_hint(e: &rusqlite::Error) -> Option<(&'static str, &'static str)> {
    use rusqlite::ErrorCode as C;
    Some(match e.sqlite_error_code()? {
        C::DiskFull | C::SystemIoFailure => DISK_FULL_HINT,
        C::DatabaseCorrupt | C::NotADatabase => database_hint(&DatabaseProblem::Damaged {
            detail: String::new(),
        }),
        C::ReadOnly | C::CannotOpen | C::PermissionDenied => (
            "check that you may write the database's folder and that the disk is not read-only",
            "проверьте, что папка базы доступна для записи и диск не защищён от записи",
        ),
        C::DatabaseBusy | C::DatabaseLocked => (
            "wait a moment and try again",
            "подождите немного и повторите",
        ),
        _ => return None,
    })
}

fn is_disk_full(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::StorageFull || e.kind() == std::io::ErrorKind::QuotaExceeded
}

fn io_problem(e: &std::io::Error, lang: Lang) -> String {
    match (is_disk_full(e), lang) {
        (true, Lang::En) => "the disk is full: the file was not written".into(),
        (true, Lang::Ru) => "диск заполнен: файл не записан".into(),
        (false, Lang::En) => e.to_string(),
        (false, Lang::Ru) => match e.kind() {
            std::io::ErrorKind::NotFound => "нет такого файла или папки".into(),
            std::io::ErrorKind::PermissionDenied => "нет прав доступа".into(),
            _ => e.to_string(),
        },
    }
}

/// The Russian noun and the matching form of "found".
fn ru_entity(what: &str) -> (&'static str, &'static str) {
    match what {
        "audit" => ("Проверка", "найдена"),
        "store" => ("Магазин", "найден"),
        "standard" => ("Стандарт", "найден"),
        "requirement" => ("Требование", "найдено"),
        "action" => ("Корректирующее действие", "найдено"),
        "photo" => ("Фото", "найдено"),
        _ => ("Объект", "найден"),
    }
}

fn answer_problem(p: &AnswerProblem, lang: Lang) -> String {
    use crate::model::format_number as n;
    match (p, lang) {
        (AnswerProblem::OutOfRange { min, max }, Lang::En) => {
            format!("the value must be between {} and {}", n(*min), n(*max))
        }
        (AnswerProblem::OutOfRange { min, max }, Lang::Ru) => {
            format!("значение должно быть от {} до {}", n(*min), n(*max))
        }
        (AnswerProblem::NaNotAllowed, Lang::En) => {
            "\"not applicable\" is not allowed for this requirement; answer it".into()
        }
        (AnswerProblem::NaNotAllowed, Lang::Ru) => {
            "ответ «н/п» для этого требования не допускается; дайте ответ".into()
        }
        (AnswerProblem::WrongKind(kind), Lang::En) => match *kind {
            "check" => "answer pass, fail or na".into(),
            "text" => "write a note".into(),
            _ => format!("this is a {kind} requirement: give a number (or na)"),
        },
        (AnswerProblem::WrongKind(kind), Lang::Ru) => match *kind {
            "check" => "ответьте pass (да), fail (нет) или na (н/п)".into(),
            "text" => "напишите заметку".into(),
            _ => "это числовое требование: укажите число (или н/п)".into(),
        },
    }
}

fn photo_problem(p: &PhotoProblem, lang: Lang) -> String {
    let mb = |b: u64| format!("{:.1}", b as f64 / (1024.0 * 1024.0));
    match (p, lang) {
        (PhotoProblem::Empty, Lang::En) => "the file is empty".into(),
        (PhotoProblem::Empty, Lang::Ru) => "файл пуст".into(),
        (PhotoProblem::TooLarge { bytes, max }, Lang::En) => format!(
            "the file is {} MB; photos may be at most {} MB",
            mb(*bytes),
            mb(*max)
        ),
        (PhotoProblem::TooLarge { bytes, max }, Lang::Ru) => format!(
            "файл занимает {} МБ; фото может быть не больше {} МБ",
            mb(*bytes),
            mb(*max)
        ),
        (
            PhotoProblem::TooManyPixels {
                width,
                height,
                max_megapixels,
            },
            Lang::En,
        ) => format!(
            "it declares {width}×{height} pixels, more than the {max_megapixels} megapixels a photo may have"
        ),
        (
            PhotoProblem::TooManyPixels {
                width,
                height,
                max_megapixels,
            },
            Lang::Ru,
        ) => format!(
            "в нём заявлено {width}×{height} пикселей — больше допустимых {max_megapixels} мегапикселей"
        ),
        (
            PhotoProblem::SideTooLong {
                width,
                height,
                max_side,
            },
            lang,
        ) => {
            let (en, ru, pixels) = if width >= height {
                ("wide", "ширина", width)
            } else {
                ("high", "высота", height)
            };
            match lang {
                Lang::En => format!(
                    "it declares {width}×{height} pixels: {pixels} pixels {en}, more than the {max_side} a side of a photo may have"
                ),
                Lang::Ru => format!(
                    "в нём заявлено {width}×{height} пикселей: {ru} {pixels} пикселей — больше допустимых для стороны фото {max_side}"
                ),
            }
        }
        (
            PhotoProblem::TooThin {
                width,
                height,
                max_ratio,
            },
            Lang::En,
        ) => format!(
            "it declares {width}×{height} pixels: one side is more than {max_ratio} times the other, a shape no photo has"
        ),
        (
            PhotoProblem::TooThin {
                width,
                height,
                max_ratio,
            },
            Lang::Ru,
        ) => format!(
            "в нём заявлено {width}×{height} пикселей: одна сторона больше другой более чем в {max_ratio} раз, таких фото не бывает"
        ),
        (PhotoProblem::Heic { kind }, Lang::En) => {
            format!("{kind} photos are not supported")
        }
        (PhotoProblem::Heic { kind }, Lang::Ru) => {
            format!("фото в формате {kind} не поддерживаются")
        }
        (PhotoProblem::Unsupported { kind }, Lang::En) => {
            format!("it is a {kind} file; photos must be JPEG, PNG or WebP")
        }
        (PhotoProblem::Unsupported { kind }, Lang::Ru) => {
            format!("это файл {kind}; фото принимаются в форматах JPEG, PNG и WebP")
        }
        (PhotoProblem::NotAnImage, Lang::En) => {
            "it is not an image (JPEG, PNG or WebP expected)".into()
        }
        (PhotoProblem::NotAnImage, Lang::Ru) => {
            "это не изображение (ожидается JPEG, PNG или WebP)".into()
        }
        (PhotoProblem::Mislabelled { extension, actual }, Lang::En) => {
            format!("it is named .{extension} but its contents are {actual}")
        }
        (PhotoProblem::Mislabelled { extension, actual }, Lang::Ru) => {
            format!("у файла расширение .{extension}, но внутри {actual}")
        }
        (PhotoProblem::Truncated, Lang::En) => {
            "the file is cut short (it ends before the picture does)".into()
        }
        (PhotoProblem::Truncated, Lang::Ru) => {
            "файл обрезан (он кончается раньше, чем изображение)".into()
        }
        (PhotoProblem::Corrupt { detail }, Lang::En) => {
            format!("the file is damaged ({detail})")
        }
        (PhotoProblem::Corrupt { detail }, Lang::Ru) => format!("файл повреждён ({detail})"),
    }
}

fn describe_missing(missing: &[Missing], lang: Lang) -> String {
    let codes = |w: MissingWhat| {
        missing
            .iter()
            .filter(|m| m.what == w)
            .map(|m| m.code.as_str())
            .collect::<Vec<_>>()
    };
    let answers = codes(MissingWhat::Answer);
    let photos = codes(MissingWhat::Photo);
    let mut parts = Vec::new();
    if !answers.is_empty() {
        parts.push(match lang {
            Lang::En => format!("{} unanswered ({})", answers.len(), answers.join(", ")),
            Lang::Ru => format!("без ответа: {} ({})", answers.len(), answers.join(", ")),
        });
    }
    if !photos.is_empty() {
        parts.push(match lang {
            Lang::En => format!("photos missing for {}", photos.join(", ")),
            Lang::Ru => format!("нет фото для {}", photos.join(", ")),
        });
    }
    parts.join("; ")
}
