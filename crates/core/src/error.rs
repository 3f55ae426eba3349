//! Errors that reach a person: each says what happened and what to do, in English or Russian.
//!
//! Every message is a typed value ([`Entity`], [`Invalid`], [`Conflict`], the import
//! [`Problem`]s, …) said in either language by one `match` (see [`crate::i18n`]); nothing is
//! looked up by an English string. `Display` gives the English text; [`Error::message`],
//! [`Error::headline`] and [`Error::hint`] give either language. [`Error::code`] is the small
//! closed set the UI switches on.

use serde::Serialize;
use ts_rs::TS;

use crate::drawn::{DrawnProblem, Whose};
use crate::i18n::{Lang, Noun, Text, file_size};
use crate::model::AuditStatus;

pub use crate::import::problem::{ImportProblem, Location, Problem};

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
    /// An HQ package refused whole.
    PackageRefused,
    /// HQ's server cannot be reached, or did not answer as StoreCheck's does.
    Unreachable,
    /// HQ's server is not trusted: not the chain's, plain HTTP to another computer, or no HQ
    /// package yet to check it by. Nothing was sent.
    Untrusted,
}

/// The things a person looks for by code or id, and may not find.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Audit,
    Store,
    Standard,
    Requirement,
    Action,
    Photo,
    SignedReport,
}

impl Entity {
    /// `"{entity} {key} was not found"` in either language (Russian agrees with the noun's
    /// gender).
    fn not_found(self, key: &str, lang: Lang) -> String {
        let (en, ru, found) = match self {
            Entity::Audit => ("audit", "Проверка", "найдена"),
            Entity::Store => ("store", "Магазин", "найден"),
            Entity::Standard => ("standard", "Стандарт", "найден"),
            Entity::Requirement => ("requirement", "Требование", "найдено"),
            Entity::Action => ("action", "Корректирующее действие", "найдено"),
            Entity::Photo => ("photo", "Фото", "найдено"),
            Entity::SignedReport => ("signed report", "Подписанный отчёт", "найден"),
        };
        lang.pick(
            format!("{en} {key:?} was not found"),
            format!("{ru} «{key}» не {found}"),
        )
    }

    fn hint(self, lang: Lang) -> Option<String> {
        Some(match self {
            Entity::Audit => lang.pick(
                "list audits with `storecheck audit list`",
                "список проверок: `storecheck audit list`",
            ),
            Entity::Store => lang.pick(
                "add it with `storecheck store add CODE NAME`",
                "добавьте магазин: `storecheck store add КОД НАЗВАНИЕ`",
            ),
            Entity::Standard => lang.pick(
                "import one with `storecheck standard import FILE` or load the demo with `storecheck demo`",
                "импортируйте стандарт (`storecheck standard import ФАЙЛ`) или загрузите демо (`storecheck demo`)",
            ),
            Entity::Requirement => lang.pick(
                "use a code from the audit's standard, as `storecheck audit show` lists them",
                "используйте код требования из стандарта проверки (`storecheck audit show`)",
            ),
            Entity::Action | Entity::Photo | Entity::SignedReport => return None,
        })
    }
}

/// A field a person fills in, named in messages about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputField {
    /// The shift's date.
    Date,
    Auditor,
    /// What a corrective action is to do.
    What,
    Owner,
    Due,
    /// Why a due date is moved.
    Reason,
}

impl InputField {
    fn name(self, lang: Lang) -> &'static str {
        let (en, ru) = match self {
            InputField::Date => ("date", "дата"),
            InputField::Auditor => ("auditor", "проверяющий"),
            InputField::What => ("what", "что сделать"),
            InputField::Owner => ("owner", "ответственный"),
            InputField::Due => ("due", "срок"),
            InputField::Reason => ("reason", "причина"),
        };
        match lang {
            Lang::En => en,
            Lang::Ru => ru,
        }
    }
}

/// Why an input was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Invalid {
    NotADate {
        field: InputField,
        given: String,
    },
    Empty {
        field: InputField,
    },
    /// An id prefix that more than one audit starts with.
    AmbiguousAudit {
        prefix: String,
    },
    /// A corrective action for a requirement that did not fail.
    NotAFinding {
        code: String,
    },
    NoSignedReport {
        audit: String,
        status: AuditStatus,
    },
    /// The signed PDF on disk is not the one that was signed.
    ReportChanged {
        path: String,
    },
    NoRevisionReason,
    RevisionOfUnsigned,
    /// A follow-up of an action whose audit is not signed.
    FollowupOfUnsigned {
        audit: String,
    },
    ActionAlreadyDone {
        done_on: String,
    },
    AlreadyRevised {
        audit: String,
        revision: String,
    },
    StoreNeedsCodeAndName,
    /// An in-memory database has no folder for photos.
    NoPhotoFolder,
    TakesNoPhotos {
        code: String,
    },
    /// A photo's display copy and original are both damaged or gone.
    PhotoLost {
        file: String,
        code: String,
        folder: String,
    },
    DrawnSignature {
        whose: Whose,
        problem: DrawnProblem,
    },
    /// The rating bands could not be stored.
    Ratings {
        detail: String,
    },
    /// Said by a caller outside this crate that has no message type of its own yet: `field`
    /// and the text in both languages. Core itself never uses it.
    Given {
        field: String,
        en: String,
        ru: String,
    },
}

impl Text for Invalid {
    fn text(&self, lang: Lang) -> String {
        use Invalid as I;
        match self {
            I::NotADate { field, given } => lang.pick(
                format!("{}: \"{given}\" is not a date; write it as YYYY-MM-DD, e.g. 2026-11-22", field.name(Lang::En)),
                format!("{}: «{given}» — не дата; пишите ГГГГ-ММ-ДД, например 2026-11-22", field.name(Lang::Ru)),
            ),
            I::Empty { field } => lang.pick(
                format!("{0}: the {0} is empty; fill it in", field.name(Lang::En)),
                format!("{0}: поле «{0}» не заполнено", field.name(Lang::Ru)),
            ),
            I::AmbiguousAudit { prefix } => lang.pick(
                format!("audit: \"{prefix}\" matches more than one audit; give more of the id"),
                format!("проверка: «{prefix}» подходит к нескольким проверкам; укажите id длиннее"),
            ),
            I::NotAFinding { code } => lang.pick(
                format!("requirement {code} is not a finding of this audit; corrective actions are for failed requirements"),
                format!("требование {code} не нарушено в этой проверке; корректирующие действия назначаются по несоответствиям"),
            ),
            I::NoSignedReport { audit, status } => {
                let (en, ru) = match status {
                    AuditStatus::Draft => ("a draft", "черновик"),
                    AuditStatus::Completed | AuditStatus::Signed => {
                        ("completed but not signed", "завершена, но не подписана")
                    }
                };
                lang.pick(
                    format!("audit {audit} has no signed report: it is {en}; sign it first (storecheck audit sign)"),
                    format!("у проверки {audit} нет подписанного отчёта: она {ru}; сначала подпишите её (storecheck audit sign)"),
                )
            }
            I::ReportChanged { path } => lang.pick(
                format!("{path} is not the PDF that was signed: it was changed on disk. Copies sent earlier are unaffected; restore this file from a backup"),
                format!("{path} — не тот PDF, что был подписан: файл изменили на диске. Отправленные ранее копии не затронуты; восстановите этот файл из резервной копии"),
            ),
            I::NoRevisionReason => lang.pick(
                "reason: say why the signed audit needs a revision",
                "причина: укажите, почему подписанную проверку нужно исправить",
            ),
            I::RevisionOfUnsigned => lang.pick(
                "only a signed audit is corrected by a revision; reopen a completed one instead",
                "новой редакцией исправляется только подписанная проверка; завершённую откройте снова",
            ),
            I::FollowupOfUnsigned { audit } => lang.pick(
                format!("audit {audit} is not signed: until it is, change the corrective action itself"),
                format!("проверка {audit} не подписана: пока это так, меняйте само корректирующее действие"),
            ),
            I::ActionAlreadyDone { done_on } => lang.pick(
                format!("this corrective action was already done on {done_on}"),
                format!("это корректирующее действие уже выполнено {done_on}"),
            ),
            I::AlreadyRevised { audit, revision } => lang.pick(
                format!("audit {audit} already has a revision ({revision}); correct that one instead (once signed, it can be revised in turn)"),
                format!("у проверки {audit} уже есть новая редакция ({revision}); исправляйте её (подписанную редакцию тоже можно исправить новой)"),
            ),
            I::StoreNeedsCodeAndName => lang.pick(
                "a store needs a code and a name",
                "у магазина должны быть код и название",
            ),
            I::NoPhotoFolder => lang.pick(
                "an in-memory database cannot keep photos; open a database file",
                "база в памяти не хранит фото; откройте файл базы",
            ),
            I::TakesNoPhotos { code } => lang.pick(
                format!("requirement {code} takes no photos (its photo rule is none)"),
                format!("к требованию {code} фото не прикладываются (правило фото: нет)"),
            ),
            I::PhotoLost { file, code, folder } => lang.pick(
                format!("the photo «{file}» of requirement {code} is damaged or missing in the photos folder ({folder}), and so is its original; restore that folder from a backup"),
                format!("фото «{file}» к требованию {code} повреждено или отсутствует в папке фото ({folder}), как и его оригинал; восстановите эту папку из резервной копии"),
            ),
            I::DrawnSignature { whose, problem } => {
                format!("{} {}", whose.text(lang), problem.text(lang))
            }
            I::Ratings { detail } => lang.pick(
                format!("ratings: {detail}"),
                format!("оценки: {detail}"),
            ),
            I::Given { field, en, ru } => lang.pick(format!("{field}: {en}"), format!("{field}: {ru}")),
        }
    }
}

/// Why a change would contradict what is already recorded.
#[derive(Debug, Clone, PartialEq)]
pub enum Conflict {
    /// A store code already used by a store of another name or region.
    StoreExists { code: String, name: String },
    /// A published standard version with other content.
    VersionExists { code: String, version: String },
}

impl Text for Conflict {
    fn text(&self, lang: Lang) -> String {
        match self {
            Conflict::StoreExists { code, name } => lang.pick(
                format!("store {code} already exists as \"{name}\"; use another code"),
                format!("магазин {code} уже есть («{name}»); выберите другой код"),
            ),
            Conflict::VersionExists { code, version } => lang.pick(
                format!("standard {code} version {version} already exists with different content; published versions never change. Give the file a new version number"),
                format!("стандарт {code} версии {version} уже есть с другим содержанием; опубликованные версии не меняются. Укажите в файле новый номер версии"),
            ),
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

impl Text for AnswerProblem {
    fn text(&self, lang: Lang) -> String {
        answer_problem(self, lang)
    }
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
    #[error("{}", what.not_found(key, Lang::En))]
    NotFound { what: Entity, key: String },

    #[error("{}", .0.text(Lang::En))]
    InvalidInput(Invalid),

    #[error("{}", import_headline(file, problems.len(), Lang::En))]
    ImportInvalid {
        file: String,
        problems: Vec<Problem>,
    },

    #[error("{}", .0.text(Lang::En))]
    Conflict(Conflict),

    #[error("audit {id} is {}: it can no longer be changed", status.as_str())]
    Locked { id: String, status: AuditStatus },

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
    /// The texts are the report crate's, which reads those files.
    #[error("{path}: {en}")]
    SigningFile {
        path: String,
        en: String,
        ru: String,
    },

    /// HQ's server cannot be reached, or did not answer as StoreCheck's does.
    #[error("{url}: {detail}")]
    Network { url: String, detail: String },

    /// HQ's server is not trusted, before anything is sent to it.
    #[error("{}", problem.text(url, Lang::En))]
    HqServer { url: String, problem: ServerProblem },

    /// An HQ package refused whole, with the reason.
    #[error("{file}: {}", problem.text(Lang::En))]
    Package {
        file: String,
        problem: Box<crate::hq_package::PackageProblem>,
    },

    #[error("{path}: {}", io_problem(source, Lang::En))]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<Invalid> for Error {
    fn from(i: Invalid) -> Self {
        Error::InvalidInput(i)
    }
}

impl From<Conflict> for Error {
    fn from(c: Conflict) -> Self {
        Error::Conflict(c)
    }
}

fn import_headline(file: &str, problems: usize, lang: Lang) -> String {
    lang.pick(
        format!(
            "{file} cannot be imported: {}; nothing was imported",
            Noun::Problem.count(problems, lang)
        ),
        format!(
            "{file} не импортирован: {}; ничего не записано",
            Noun::Problem.count(problems, lang)
        ),
    )
}

impl Error {
    /// An input refused by a caller outside this crate, in both languages. Core's own refusals
    /// are [`Invalid`] variants.
    pub fn invalid(field: impl Into<String>, en: impl Into<String>, ru: impl Into<String>) -> Self {
        Error::InvalidInput(Invalid::Given {
            field: field.into(),
            en: en.into(),
            ru: ru.into(),
        })
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
            Error::InvalidInput(_) | Error::InvalidAnswer { .. } => ErrorCode::InvalidInput,
            Error::ImportInvalid { .. } => ErrorCode::ImportInvalid,
            Error::Conflict(_) => ErrorCode::Conflict,
            Error::Locked { .. } => ErrorCode::Locked,
            Error::Incomplete { .. } => ErrorCode::Incomplete,
            Error::Photo { .. } => ErrorCode::InvalidPhoto,
            Error::Database { .. }
            | Error::Corrupt(_)
            | Error::Db(_)
            | Error::Io { .. }
            | Error::SigningFile { .. } => ErrorCode::Storage,
            Error::Package { .. } => ErrorCode::PackageRefused,
            Error::Network { .. } => ErrorCode::Unreachable,
            Error::HqServer { .. } => ErrorCode::Untrusted,
        }
    }

    /// The message in the given language: what happened, then what to do.
    pub fn message(&self, lang: Lang) -> String {
        let mut out = self.headline(lang);
        if let Some(hint) = self.hint(lang) {
            out.push_str(". ");
            out.push_str(&sentence(&hint));
        }
        out
    }

    /// What happened, in one line.
    pub fn headline(&self, lang: Lang) -> String {
        match self {
            Error::NotFound { what, key } => what.not_found(key, lang),
            Error::InvalidInput(invalid) => invalid.text(lang),
            Error::ImportInvalid { file, problems } => import_headline(file, problems.len(), lang),
            Error::Conflict(conflict) => conflict.text(lang),
            Error::Locked { id, status } => lang.pick(
                format!(
                    "audit {id} is {}: it can no longer be changed",
                    status.as_str()
                ),
                format!("проверка {}: изменить её уже нельзя", status.text(Lang::Ru)),
            ),
            Error::Incomplete { missing } => lang.pick(
                format!(
                    "the audit cannot be completed yet: {}",
                    describe_missing(missing, lang)
                ),
                format!(
                    "проверку пока нельзя завершить: {}",
                    describe_missing(missing, lang)
                ),
            ),
            Error::InvalidAnswer { code, problem } => lang.pick(
                format!("requirement {code}: {}", answer_problem(problem, lang)),
                format!("требование {code}: {}", answer_problem(problem, lang)),
            ),
            Error::Photo { file, problem } => lang.pick(
                format!(
                    "photo {file:?} cannot be attached: {}",
                    photo_problem(problem, lang)
                ),
                format!(
                    "фото «{file}» не приложено: {}",
                    photo_problem(problem, lang)
                ),
            ),
            Error::Database { path, problem } => {
                format!("{path}: {}", database_problem(problem, lang))
            }
            Error::Corrupt(d) => lang.pick(
                format!("the database failed its integrity check: {d}"),
                format!("база данных не прошла проверку целостности: {d}"),
            ),
            Error::Db(e) => sqlite_problem(e, lang),
            Error::Io { path, source } => format!("{path}: {}", io_problem(source, lang)),
            Error::SigningFile { path, en, ru } => {
                lang.pick(format!("{path}: {en}"), format!("{path}: {ru}"))
            }
            Error::Network { url, detail } => {
                let detail = network_detail(detail, lang);
                lang.pick(
                    format!("HQ's server at {url} cannot be reached or did not answer ({detail})"),
                    format!("сервер ЦО {url} недоступен или не ответил ({detail})"),
                )
            }
            Error::HqServer { url, problem } => problem.text(url, lang),
            Error::Package { file, problem } => lang.pick(
                format!("{file} was not installed: {}", problem.text(lang)),
                format!("{file} не установлен: {}", problem.text(lang)),
            ),
        }
    }

    /// What to do about it, where there is something to say.
    pub fn hint(&self, lang: Lang) -> Option<String> {
        let (en, ru) = match self {
            Error::Package { problem, .. } => return problem.hint(lang),
            Error::HqServer { problem, .. } => return Some(problem.hint(lang)),
            Error::Network { .. } => (
                "the bundles wait on this computer and go with the next sync; check the address and the network",
                "пакеты ждут на этом компьютере и уйдут при следующей синхронизации; проверьте адрес и сеть",
            ),
            Error::NotFound { what, .. } => return what.hint(lang),
            Error::ImportInvalid { .. } => (
                "fix what is listed above and import the file again",
                "исправьте перечисленное выше и импортируйте файл снова",
            ),
            Error::Locked {
                status: AuditStatus::Signed,
                ..
            } => (
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
            Error::InvalidInput(_) | Error::Conflict(_) | Error::InvalidAnswer { .. } => {
                return None;
            }
        };
        Some(lang.pick(en, ru))
    }

    /// The import problems, one per line, when this is an import error.
    pub fn problems(&self) -> &[Problem] {
        match self {
            Error::ImportInvalid { problems, .. } => problems,
            _ => &[],
        }
    }
}

/// Why a store does not send to an HQ server (nothing is sent).
#[derive(Debug, Clone, PartialEq)]
pub enum ServerProblem {
    /// An `https://` address, and no HQ package installed whose CA the server could be checked
    /// by.
    NoPackage,
    /// The server's certificate is not the chain's CA's (or not for this address, expired, or
    /// revoked): it is not the chain's HQ server.
    NotChainServer { why: CertificateProblem },
    /// `http://` to another computer: audits would cross the network in the clear.
    PlainHttp,
}

/// What is wrong with a server's certificate.
#[derive(Debug, Clone, PartialEq)]
pub enum CertificateProblem {
    /// Not issued by the chain's CA this store pinned.
    OtherIssuer,
    /// Issued by the chain's CA for other names than the address.
    OtherName,
    Expired,
    /// HQ revoked it (its revocation list came in the latest HQ package).
    Revoked,
    /// Anything else the TLS handshake found wrong with it.
    Other(String),
}

impl ServerProblem {
    pub fn text(&self, url: &str, lang: Lang) -> String {
        match self {
            ServerProblem::NoPackage => lang.pick(
                format!("{url} is an HTTPS address, and this store has no HQ package yet to check HQ's server by: nothing was sent"),
                format!("{url} — адрес HTTPS, а у магазина ещё нет пакета ЦО, по которому проверяется сервер ЦО: ничего не отправлено"),
            ),
            ServerProblem::NotChainServer { why } => {
                let (en, ru) = match why {
                    CertificateProblem::OtherIssuer => (
                        "its certificate was not issued by the chain's CA this store trusts".to_string(),
                        "его сертификат выдан не УЦ сети, которому доверяет магазин".to_string(),
                    ),
                    CertificateProblem::OtherName => (
                        "its certificate is the chain's, but for other names than this address".to_string(),
                        "его сертификат выдан УЦ сети, но на другие имена, чем в этом адресе".to_string(),
                    ),
                    CertificateProblem::Expired => (
                        "its certificate has expired or is not valid yet (check this computer's clock too)".to_string(),
                        "срок его сертификата истёк или ещё не начался (проверьте и часы этого компьютера)".to_string(),
                    ),
                    CertificateProblem::Revoked => (
                        "HQ revoked its certificate".to_string(),
                        "ЦО отозвал его сертификат".to_string(),
                    ),
                    CertificateProblem::Other(detail) => (
                        format!("its certificate cannot be trusted ({detail})"),
                        format!("его сертификату нельзя доверять ({detail})"),
                    ),
                };
                lang.pick(
                    format!("{url} is not the chain's HQ server: {en}; nothing was sent"),
                    format!("{url} — не сервер ЦО этой сети: {ru}; ничего не отправлено"),
                )
            }
            ServerProblem::PlainHttp => lang.pick(
                format!("{url} is plain HTTP to another computer: audits go to HQ's server over HTTPS only (plain HTTP only on this computer); nothing was sent"),
                format!("{url} — обычный HTTP на другой компьютер: проверки отправляются на сервер ЦО только по HTTPS (обычный HTTP — только на этом компьютере); ничего не отправлено"),
            ),
        }
    }

    pub fn hint(&self, lang: Lang) -> String {
        match self {
            ServerProblem::NoPackage => lang.pick(
                "receive the HQ package first: from a stick with `storecheck sync receive FILE --pin FINGERPRINT` (in the app: Send to HQ → Receive from HQ), or from the server with `storecheck sync pull --from URL --pin FINGERPRINT`; then sync again",
                "сначала получите пакет ЦО: с флешки командой `storecheck sync receive ФАЙЛ --pin ОТПЕЧАТОК` (в приложении: Отправка в ЦО → Получить из ЦО) или с сервера командой `storecheck sync pull --from АДРЕС --pin ОТПЕЧАТОК`; затем синхронизируйте снова",
            ),
            ServerProblem::NotChainServer { why: CertificateProblem::Revoked | CertificateProblem::Expired } => lang.pick(
                "tell HQ: its server needs a new certificate (`storecheck hq ca server`, or restart `storecheck hq serve`)",
                "сообщите в ЦО: серверу нужен новый сертификат (`storecheck hq ca server` или перезапуск `storecheck hq serve`)",
            ),
            ServerProblem::NotChainServer { why: CertificateProblem::OtherName } => lang.pick(
                "use the address HQ gives (the HQ package carries it), or ask HQ to add this name with `storecheck hq ca server --name NAME`",
                "используйте адрес, который даёт ЦО (он есть в пакете ЦО), или попросите ЦО добавить это имя: `storecheck hq ca server --name ИМЯ`",
            ),
            ServerProblem::NotChainServer { .. } => lang.pick(
                "do not send anything there: check the address with HQ",
                "ничего туда не отправляйте: уточните адрес в ЦО",
            ),
            ServerProblem::PlainHttp => lang.pick(
                "use the https:// address HQ gives (`storecheck hq serve` prints it)",
                "используйте адрес https://, который даёт ЦО (его печатает `storecheck hq serve`)",
            ),
        }
    }
}

const DISK_FULL_HINT: (&str, &str) = (
    "free some space on the disk, then try again; everything saved before is still there",
    "освободите место на диске и повторите; всё сохранённое раньше на месте",
);

fn database_problem(p: &DatabaseProblem, lang: Lang) -> String {
    p.text(lang)
}

impl Text for DatabaseProblem {
    fn text(&self, lang: Lang) -> String {
        match self {
            DatabaseProblem::Empty => lang.pick(
                "the database file is empty (0 bytes): it holds no StoreCheck data",
                "файл базы данных пуст (0 байт): данных StoreCheck в нём нет",
            ),
            DatabaseProblem::NotStoreCheck => lang.pick(
                "this file is not a StoreCheck database",
                "этот файл — не база данных StoreCheck",
            ),
            // SQLite's own detail is English only; the Russian text says what it means.
            DatabaseProblem::Damaged { detail } => lang.pick(
                format!("the database file is damaged ({detail})"),
                "файл базы данных повреждён",
            ),
            DatabaseProblem::Newer { found, supported } => lang.pick(
                format!("the database was written by a newer StoreCheck (schema {found}; this StoreCheck knows up to {supported})"),
                format!("база данных записана более новой версией StoreCheck (схема {found}; эта версия знает схемы до {supported})"),
            ),
            DatabaseProblem::UnknownSchema { found } => lang.pick(
                format!("the database has schema number {found}, which no StoreCheck ever wrote"),
                format!("у базы данных номер схемы {found}, которого не бывает у StoreCheck"),
            ),
            DatabaseProblem::UpgradeFailed { from, detail } => lang.pick(
                format!("the database could not be upgraded from schema {from} ({detail}); it was left as it was"),
                format!("базу данных не удалось обновить со схемы {from}; она оставлена как была"),
            ),
        }
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
            // SQLite's own words are English only.
            return lang.pick(format!("database error: {e}"), "ошибка базы данных");
        }
    };
    lang.pick(text.0, text.1)
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
    use std::io::ErrorKind as K;
    if is_disk_full(e) {
        return lang.pick(
            "the disk is full: the file was not written",
            "диск заполнен: файл не записан",
        );
    }
    // The system's own words are English only: Russian says what the kind of failure means.
    let ru = match e.kind() {
        K::NotFound => "нет такого файла или папки",
        K::PermissionDenied => "нет прав доступа",
        K::AlreadyExists => "такой файл уже есть",
        K::IsADirectory => "это папка, а нужен файл",
        K::NotADirectory => "в пути файл там, где должна быть папка",
        K::ReadOnlyFilesystem => "диск или папка доступны только для чтения",
        K::InvalidData | K::UnexpectedEof => "файл повреждён или обрезан",
        K::FileTooLarge => "файл слишком большой",
        K::InvalidFilename => "недопустимое имя файла",
        _ => "файл не удалось прочитать или записать",
    };
    lang.pick(e.to_string(), ru)
}

fn answer_problem(p: &AnswerProblem, lang: Lang) -> String {
    use crate::model::{Kind, format_number as n};
    match p {
        AnswerProblem::OutOfRange { min, max } => lang.pick(
            format!("the value must be between {} and {}", n(*min), n(*max)),
            format!("значение должно быть от {} до {}", n(*min), n(*max)),
        ),
        AnswerProblem::NaNotAllowed => lang.pick(
            "\"not applicable\" is not allowed for this requirement; answer it",
            "ответ «н/п» для этого требования не допускается; дайте ответ",
        ),
        AnswerProblem::WrongKind(kind) => match Kind::parse(kind) {
            Some(Kind::Check) => lang.pick(
                "answer pass, fail or na",
                "ответьте pass (да), fail (нет) или na (н/п)",
            ),
            Some(Kind::Text) => lang.pick("write a note", "напишите заметку"),
            Some(Kind::Scale | Kind::Number) | None => lang.pick(
                format!("this is a {kind} requirement: give a number (or na)"),
                "это числовое требование: укажите число (или н/п)",
            ),
        },
    }
}

fn photo_problem(p: &PhotoProblem, lang: Lang) -> String {
    p.text(lang)
}

impl Text for PhotoProblem {
    fn text(&self, lang: Lang) -> String {
        use PhotoProblem as P;
        match self {
            P::Empty => lang.pick("the file is empty", "файл пуст"),
            P::TooLarge { bytes, max } => lang.pick(
                format!(
                    "the file is {}; photos may be at most {}",
                    file_size(*bytes, lang),
                    file_size(*max, lang)
                ),
                format!(
                    "файл занимает {}; фото может быть не больше {}",
                    file_size(*bytes, lang),
                    file_size(*max, lang)
                ),
            ),
            P::TooManyPixels {
                width,
                height,
                max_megapixels,
            } => lang.pick(
                format!("it declares {width}×{height} pixels, more than the {max_megapixels} megapixels a photo may have"),
                format!("в нём заявлено {width}×{height} пикселей — больше допустимых {max_megapixels} мегапикселей"),
            ),
            P::SideTooLong {
                width,
                height,
                max_side,
            } => {
                let (en, ru, pixels) = if width >= height {
                    ("wide", "ширина", width)
                } else {
                    ("high", "высота", height)
                };
                lang.pick(
                    format!("it declares {width}×{height} pixels: {pixels} pixels {en}, more than the {max_side} a side of a photo may have"),
                    format!("в нём заявлено {width}×{height} пикселей: {ru} {pixels} пикселей — больше допустимых для стороны фото {max_side}"),
                )
            }
            P::TooThin {
                width,
                height,
                max_ratio,
            } => lang.pick(
                format!("it declares {width}×{height} pixels: one side is more than {max_ratio} times the other, a shape no photo has"),
                format!("в нём заявлено {width}×{height} пикселей: одна сторона больше другой более чем в {max_ratio} раз, таких фото не бывает"),
            ),
            P::Heic { kind } => lang.pick(
                format!("{kind} photos are not supported"),
                format!("фото в формате {kind} не поддерживаются"),
            ),
            P::Unsupported { kind } => lang.pick(
                format!("it is a {kind} file; photos must be JPEG, PNG or WebP"),
                format!("это файл {kind}; фото принимаются в форматах JPEG, PNG и WebP"),
            ),
            P::NotAnImage => lang.pick(
                "it is not an image (JPEG, PNG or WebP expected)",
                "это не изображение (ожидается JPEG, PNG или WebP)",
            ),
            P::Mislabelled { extension, actual } => lang.pick(
                format!("it is named .{extension} but its contents are {actual}"),
                format!("у файла расширение .{extension}, но внутри {actual}"),
            ),
            P::Truncated => lang.pick(
                "the file is cut short (it ends before the picture does)",
                "файл обрезан (он кончается раньше, чем изображение)",
            ),
            // The decoder's detail is English only.
            P::Corrupt { detail } => lang.pick(
                format!("the file is damaged ({detail})"),
                "файл повреждён",
            ),
        }
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
        let count = crate::i18n::Noun::Requirement.count(answers.len() as u64, lang);
        parts.push(lang.pick(
            format!("{count} unanswered ({})", answers.join(", ")),
            format!("{count} без ответа ({})", answers.join(", ")),
        ));
    }
    if !photos.is_empty() {
        parts.push(lang.pick(
            format!("photos missing for {}", photos.join(", ")),
            format!("нет фото для {}", photos.join(", ")),
        ));
    }
    parts.join("; ")
}

/// `text` as a sentence of its own: its first letter capitalised, unless it starts with a
/// command to type (`storecheck …`).
fn sentence(text: &str) -> String {
    if text.starts_with("storecheck") {
        return text.to_string();
    }
    crate::i18n::capitalized(text)
}

/// The network library's reason (English, for logs) in the reader's words, where it is one a
/// person meets: nothing listening, no such computer, no answer in time, a cut connection.
fn network_detail(detail: &str, lang: Lang) -> String {
    let lower = detail.to_lowercase();
    let said = if lower.contains("connection refused") {
        Some((
            "the connection was refused: no server is running at that address",
            "в соединении отказано: по этому адресу сервер не запущен",
        ))
    } else if lower.contains("host not found") || lower.contains("failed to lookup address") {
        Some((
            "no computer of that name was found",
            "компьютер с таким именем не найден",
        ))
    } else if lower.contains("timed out") || lower.starts_with("timeout") {
        Some(("no answer in time", "ответа не было слишком долго"))
    } else if lower.contains("connection reset")
        || lower.contains("connection aborted")
        || lower.contains("broken pipe")
        || lower.contains("not connected")
    {
        Some(("the connection was broken off", "соединение прервано"))
    } else if lower.contains("network is unreachable")
        || lower.contains("network unreachable")
        || lower.contains("host unreachable")
        || lower.contains("no route to host")
    {
        Some(("no network to that address", "нет сети до этого адреса"))
    } else {
        None
    };
    match said {
        Some((en, ru)) => lang.pick(en, ru),
        None => detail.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_that_cannot_be_reached_is_said_in_the_readers_words_and_sentences() {
        let e = Error::Network {
            url: "http://127.0.0.1:8750".into(),
            detail: "io: Connection refused (os error 111)".into(),
        };
        assert_eq!(
            e.message(Lang::Ru),
            "сервер ЦО http://127.0.0.1:8750 недоступен или не ответил (в соединении отказано: по этому адресу сервер не запущен). Пакеты ждут на этом компьютере и уйдут при следующей синхронизации; проверьте адрес и сеть"
        );
        assert!(
            e.message(Lang::En)
                .contains("(the connection was refused: no server is running at that address). The bundles wait"),
            "{}",
            e.message(Lang::En)
        );
        for (detail, ru) in [
            ("host not found", "компьютер с таким именем не найден"),
            ("timeout: global", "ответа не было слишком долго"),
            (
                "io: Connection reset by peer (os error 104)",
                "соединение прервано",
            ),
        ] {
            let e = Error::Network {
                url: "http://hq".into(),
                detail: detail.into(),
            };
            assert!(e.headline(Lang::Ru).contains(ru), "{detail}");
        }
        // A reason nobody put in words stays as the library said it, for HQ's administrator.
        let e = Error::Network {
            url: "http://hq".into(),
            detail: "HTTP 502".into(),
        };
        assert!(e.headline(Lang::Ru).contains("(HTTP 502)"));
        // A hint that is a command to type is not capitalised.
        assert_eq!(sentence("storecheck sync push"), "storecheck sync push");
        assert_eq!(sentence("run it"), "Run it");
    }

    #[test]
    fn not_found_names_the_entity_in_either_language() {
        let e = Error::NotFound {
            what: Entity::Requirement,
            key: "9.9".into(),
        };
        assert_eq!(e.to_string(), "requirement \"9.9\" was not found");
        assert_eq!(e.headline(Lang::Ru), "Требование «9.9» не найдено");
        assert!(
            e.hint(Lang::Ru)
                .is_some_and(|h| h.contains("storecheck audit show"))
        );
    }

    #[test]
    fn an_import_error_counts_its_problems_with_the_right_plural() {
        let problems = |n| Error::ImportInvalid {
            file: "s.csv".into(),
            problems: vec![Problem::file(ImportProblem::Empty); n],
        };
        assert!(problems(1).headline(Lang::Ru).contains("1 проблема;"));
        assert!(problems(3).headline(Lang::Ru).contains("3 проблемы;"));
        assert!(problems(5).headline(Lang::Ru).contains("5 проблем;"));
        assert!(problems(1).to_string().contains("1 problem;"));
        assert!(problems(2).to_string().contains("2 problems;"));
    }

    #[test]
    fn russian_messages_carry_no_english_detail_or_unit() {
        let photo = Error::Photo {
            file: "a.jpg".into(),
            problem: PhotoProblem::Corrupt {
                detail: "Format error decoding Jpeg".into(),
            },
        };
        assert_eq!(
            photo.headline(Lang::Ru),
            "фото «a.jpg» не приложено: файл повреждён"
        );
        let big = Error::Photo {
            file: "b.jpg".into(),
            problem: PhotoProblem::TooLarge {
                bytes: 31 * 1024 * 1024 + 300_000,
                max: 30 * 1024 * 1024,
            },
        };
        assert!(
            big.headline(Lang::Ru)
                .contains("31,3 МБ; фото может быть не больше 30 МБ")
        );
        assert!(
            big.to_string()
                .contains("31.3 MB; photos may be at most 30 MB")
        );
        let io = Error::io("/x", std::io::Error::other("Some English"));
        assert!(
            !io.headline(Lang::Ru).contains("English"),
            "{}",
            io.headline(Lang::Ru)
        );
        let locked = Error::Locked {
            id: "a".into(),
            status: AuditStatus::Signed,
        };
        assert_eq!(
            locked.headline(Lang::Ru),
            "проверка подписана: изменить её уже нельзя"
        );
        assert!(
            locked
                .hint(Lang::En)
                .is_some_and(|h| h.contains("new revision"))
        );
    }
}
