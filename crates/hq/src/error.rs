//! What can go wrong at HQ beyond a refused file, said in both languages.

use storecheck_core::Lang;
use storecheck_core::i18n::Text;

#[derive(Debug, thiserror::Error)]
pub enum HqError {
    #[error("{}", self.text(Lang::En))]
    NotHq { path: String, detail: String },
    #[error("{}", self.text(Lang::En))]
    StoreDatabase { path: String },
    #[error("{}", self.text(Lang::En))]
    Newer {
        path: String,
        found: i64,
        supported: i64,
    },
    #[error("{}", self.text(Lang::En))]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{}", self.text(Lang::En))]
    Db(crate::sql::DbError),
    /// The PostgreSQL server named as the HQ database did not answer or let us in.
    #[error("{}", self.text(Lang::En))]
    Connect { url: String, detail: String },
    #[error("{}", self.text(Lang::En))]
    Corrupt(String),
    #[error("{}", self.text(Lang::En))]
    BadPeriod { from: String, to: String },
    #[error("{}", self.text(Lang::En))]
    NotFound { what: String },
    #[error("{}", self.text(Lang::En))]
    Missing { what: String },
    /// The chain's CA, a certificate request or a standard HQ publishes.
    #[error("{}", self.text(Lang::En))]
    Ca(crate::ca::CaProblem),
}

pub type Result<T, E = HqError> = std::result::Result<T, E>;

impl HqError {
    pub fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> HqError {
        HqError::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }

    /// The database is out of reach or busy for now, so the same request later may succeed
    /// (PostgreSQL down or restarting, a lock held too long).
    pub fn is_unavailable(&self) -> bool {
        match self {
            HqError::Db(e) => e.is_unavailable(),
            HqError::Connect { .. } => true,
            _ => false,
        }
    }

    /// What to do about it.
    pub fn hint(&self, lang: Lang) -> Option<String> {
        Some(match self {
            HqError::StoreDatabase { .. } => lang.pick(
                "name the HQ database with --hq, and import store databases with `storecheck hq import FILE`",
                "укажите базу ЦО через --hq, а базы магазинов импортируйте: `storecheck hq import ФАЙЛ`",
            ),
            HqError::Newer { .. } => lang.pick(
                "update StoreCheck to open it",
                "обновите StoreCheck, чтобы открыть её",
            ),
            HqError::NotHq { .. } => lang.pick(
                "name another file with --hq, or a new one to start an HQ database",
                "укажите через --hq другой файл или новый, чтобы начать базу ЦО",
            ),
            HqError::BadPeriod { .. } => lang.pick(
                "give both dates as YYYY-MM-DD, the first not after the second",
                "укажите обе даты в виде ГГГГ-ММ-ДД, первая не позже второй",
            ),
            HqError::Connect { .. } => lang.pick(
                "check that PostgreSQL is running there and that the address, user, password and database are right",
                "проверьте, что PostgreSQL там запущен и что адрес, пользователь, пароль и база указаны верно",
            ),
            HqError::Ca(problem) => return problem.hint(lang),
            _ => return None,
        })
    }
}

impl Text for HqError {
    fn text(&self, lang: Lang) -> String {
        match self {
            HqError::NotHq { path, detail } => lang.pick(
                format!("{path} is not a StoreCheck HQ database ({detail})"),
                format!("{path} — не база ЦО StoreCheck ({detail})"),
            ),
            HqError::StoreDatabase { path } => lang.pick(
                format!("{path} is a store's database, not an HQ database"),
                format!("{path} — база магазина, а не база ЦО"),
            ),
            HqError::Newer {
                path,
                found,
                supported,
            } => lang.pick(
                format!(
                    "{path} was written by a newer StoreCheck (HQ schema {found}; this one knows up to {supported})"
                ),
                format!(
                    "{path} записана более новой версией StoreCheck (схема ЦО {found}; эта версия знает до {supported})"
                ),
            ),
            HqError::Io { path, source } => lang.pick(
                format!("{path}: {source}"),
                format!("{path}: ошибка ввода-вывода ({source})"),
            ),
            HqError::Db(e) => lang.pick(
                format!("the HQ database failed: {e}"),
                format!("сбой базы ЦО: {e}"),
            ),
            HqError::BadPeriod { from, to } => lang.pick(
                format!("the period {from} – {to} is not two dates in order"),
                format!("период {from} – {to} — не две даты по порядку"),
            ),
            HqError::NotFound { what } => lang.pick(
                format!("HQ holds no {what}"),
                format!("в базе ЦО нет: {what}"),
            ),
            HqError::Missing { what } => lang.pick(
                format!("{what} is required"),
                format!("не указано: {}", match what.as_str() {
                    "reviewer" => "кто проверил",
                    other => other,
                }),
            ),
            HqError::Connect { url, detail } => lang.pick(
                format!("could not connect to the HQ database {url}: {detail}"),
                format!("не удалось подключиться к базе ЦО {url}: {detail}"),
            ),
            HqError::Ca(problem) => problem.text(lang),
            HqError::Corrupt(detail) => lang.pick(
                format!("the HQ database holds something it should not: {detail}"),
                format!("в базе ЦО недопустимые данные: {detail}"),
            ),
        }
    }
}
