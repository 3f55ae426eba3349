//! The two languages every screen, report and message is written in, and the one way messages
//! are written in them.
//!
//! A message is a value of an enum whose variants are the things that can be said; its
//! [`Text::text`] matches every variant once and gives both languages side by side, with
//! [`Lang::pick`]. The compiler then checks that nothing is said in one language only. Counts
//! take the right form of their noun through [`Noun::count`] (Russian has three:
//! «1 требование», «2 требования», «5 требований»).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Lang {
    #[default]
    En,
    Ru,
}

impl Lang {
    /// The language of the computer's locale, as `lookup` reads its variables
    /// (`STORECHECK_LANG`, then `LC_ALL`, `LC_MESSAGES`, `LANG`, the first that is set).
    pub fn from_locale(lookup: impl Fn(&str) -> Option<String>) -> Lang {
        let tag = ["STORECHECK_LANG", "LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|k| lookup(k).filter(|v| !v.is_empty()))
            .unwrap_or_default();
        Lang::from_tag(&tag)
    }

    /// `ru…` is Russian; anything else is English.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_lowercase().starts_with("ru") {
            Lang::Ru
        } else {
            Lang::En
        }
    }

    /// The text of this language, out of one written in both: the one place a message enum
    /// says a variant in English and Russian.
    pub fn pick(self, en: impl Into<String>, ru: impl Into<String>) -> String {
        match self {
            Lang::En => en.into(),
            Lang::Ru => ru.into(),
        }
    }
}

/// Something that can be said to a person in either language.
pub trait Text {
    fn text(&self, lang: Lang) -> String;
}

impl Text for crate::model::AuditStatus {
    /// The status as a word: `draft`, «черновик».
    fn text(&self, lang: Lang) -> String {
        use crate::model::AuditStatus as S;
        match self {
            S::Draft => lang.pick("draft", "черновик"),
            S::Completed => lang.pick("completed", "завершена"),
            S::Signed => lang.pick("signed", "подписана"),
        }
    }
}

impl Text for crate::model::ShiftPart {
    /// The part of the day as a word: `opening`, «открытие».
    fn text(&self, lang: Lang) -> String {
        use crate::model::ShiftPart as S;
        match self {
            S::Opening => lang.pick("opening", "открытие"),
            S::Day => lang.pick("day", "день"),
            S::Evening => lang.pick("evening", "вечер"),
            S::Closing => lang.pick("closing", "закрытие"),
        }
    }
}

/// The rating names StoreCheck itself gives (the default bands, below the lowest band, and a
/// failed hard requirement). A standard may name its own bands; those are shown as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rating {
    Excellent,
    Good,
    Satisfactory,
    Unsatisfactory,
    FailedHard,
}

impl Rating {
    /// The rating a band name stands for, when it is one of StoreCheck's own.
    pub fn from_name(name: &str) -> Option<Rating> {
        Some(match name {
            "excellent" => Rating::Excellent,
            "good" => Rating::Good,
            "satisfactory" => Rating::Satisfactory,
            crate::model::UNSATISFACTORY => Rating::Unsatisfactory,
            crate::scoring::FAILED_HARD => Rating::FailedHard,
            _ => return None,
        })
    }

    /// A band name as a person reads it: StoreCheck's own names in `lang`, a standard's own
    /// names as the standard writes them.
    pub fn name_text(name: &str, lang: Lang) -> String {
        Rating::from_name(name).map_or_else(|| name.to_string(), |r| r.text(lang))
    }
}

impl Text for Rating {
    fn text(&self, lang: Lang) -> String {
        match self {
            Rating::Excellent => lang.pick("excellent", "отлично"),
            Rating::Good => lang.pick("good", "хорошо"),
            Rating::Satisfactory => lang.pick("satisfactory", "удовлетворительно"),
            Rating::Unsatisfactory => lang.pick("unsatisfactory", "неудовлетворительно"),
            Rating::FailedHard => lang.pick(
                "FAILED (hard requirement)",
                "НЕ ПРОЙДЕНА (нарушено жёсткое требование)",
            ),
        }
    }
}

/// `text` with its first letter capitalised, as a sentence or a name starts.
pub fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The Russian form of a noun after the number `n`: `one` for 1, 21, 101 («требование»),
/// `few` for 2–4, 22–24 («требования»), `many` for 0, 5–20, 11–14, 111 («требований»).
pub fn plural_ru<'a>(n: u64, one: &'a str, few: &'a str, many: &'a str) -> &'a str {
    match (n % 10, n % 100) {
        (_, 11..=14) => many,
        (1, _) => one,
        (2..=4, _) => few,
        _ => many,
    }
}

/// The English form of a noun after the number `n`: `one` for exactly 1, else `other`.
pub fn plural_en<'a>(n: u64, one: &'a str, other: &'a str) -> &'a str {
    if n == 1 { one } else { other }
}

/// The nouns that are counted in messages, each with its English and Russian forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Noun {
    Requirement,
    Section,
    Answer,
    Photo,
    Problem,
    Audit,
    File,
    Value,
    Character,
    Byte,
    Pixel,
    Text,
    Time,
}

impl Noun {
    /// English singular and plural; Russian after 1, after 2–4, after 5–20.
    fn forms(self) -> ([&'static str; 2], [&'static str; 3]) {
        match self {
            Noun::Requirement => (
                ["requirement", "requirements"],
                ["требование", "требования", "требований"],
            ),
            Noun::Section => (["section", "sections"], ["раздел", "раздела", "разделов"]),
            Noun::Answer => (["answer", "answers"], ["ответ", "ответа", "ответов"]),
            Noun::Photo => (["photo", "photos"], ["фото", "фото", "фото"]),
            Noun::Problem => (["problem", "problems"], ["проблема", "проблемы", "проблем"]),
            Noun::Audit => (["audit", "audits"], ["проверка", "проверки", "проверок"]),
            Noun::File => (["file", "files"], ["файл", "файла", "файлов"]),
            Noun::Value => (["value", "values"], ["значение", "значения", "значений"]),
            Noun::Character => (
                ["character", "characters"],
                ["символ", "символа", "символов"],
            ),
            Noun::Byte => (["byte", "bytes"], ["байт", "байта", "байт"]),
            Noun::Pixel => (["pixel", "pixels"], ["пиксель", "пикселя", "пикселей"]),
            Noun::Text => (["text", "texts"], ["текст", "текста", "текстов"]),
            Noun::Time => (["time", "times"], ["раз", "раза", "раз"]),
        }
    }

    /// The word alone, in the form the number `n` takes.
    pub fn word(self, n: u64, lang: Lang) -> &'static str {
        let ([one, other], [ru_one, few, many]) = self.forms();
        match lang {
            Lang::En => plural_en(n, one, other),
            Lang::Ru => plural_ru(n, ru_one, few, many),
        }
    }

    /// The number and the noun: `61 requirements`, «61 требование».
    pub fn count(self, n: impl TryInto<u64> + Copy + std::fmt::Display, lang: Lang) -> String {
        let k = n.try_into().unwrap_or(u64::MAX);
        format!("{n} {}", self.word(k, lang))
    }
}

/// A whole number with its thousands set apart: `2,000` in English, `2 000` (with a no-break
/// space) in Russian.
pub fn grouped(n: u64, lang: Lang) -> String {
    let separator = match lang {
        Lang::En => ',',
        Lang::Ru => '\u{a0}',
    };
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(d);
    }
    out
}

/// A size in bytes as people read it: `512 bytes`, `3.4 KB`, `12.5 MB`; «3,4 КБ» in Russian.
pub fn file_size(bytes: u64, lang: Lang) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    let (value, en, ru) = if b < KB {
        return Noun::Byte.count(bytes, lang);
    } else if b < KB * KB {
        (b / KB, "KB", "КБ")
    } else {
        (b / (KB * KB), "MB", "МБ")
    };
    // Whole sizes (limits, mostly) without a decimal: `64 MB`, not `64.0 MB`.
    let number = if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    };
    match lang {
        Lang::En => format!("{number} {en}"),
        Lang::Ru => format!("{} {ru}", number.replace('.', ",")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_plurals_follow_the_last_two_digits() {
        let f = |n| plural_ru(n, "требование", "требования", "требований");
        for n in [1, 21, 31, 101, 121, 1001] {
            assert_eq!(f(n), "требование", "{n}");
        }
        for n in [2, 3, 4, 22, 23, 24, 102, 1034] {
            assert_eq!(f(n), "требования", "{n}");
        }
        for n in [
            0, 5, 9, 10, 11, 12, 13, 14, 15, 19, 20, 25, 100, 111, 112, 114, 211, 2000,
        ] {
            assert_eq!(f(n), "требований", "{n}");
        }
    }

    #[test]
    fn english_plurals_are_singular_for_one_only() {
        assert_eq!(plural_en(1, "requirement", "requirements"), "requirement");
        for n in [0, 2, 11, 21, 101] {
            assert_eq!(plural_en(n, "requirement", "requirements"), "requirements");
        }
    }

    #[test]
    fn counts_read_as_people_say_them() {
        assert_eq!(Noun::Requirement.count(61, Lang::Ru), "61 требование");
        assert_eq!(Noun::Requirement.count(2, Lang::Ru), "2 требования");
        assert_eq!(Noun::Requirement.count(5, Lang::Ru), "5 требований");
        assert_eq!(Noun::Requirement.count(11, Lang::Ru), "11 требований");
        assert_eq!(Noun::Section.count(1, Lang::En), "1 section");
        assert_eq!(Noun::Section.count(8, Lang::En), "8 sections");
        assert_eq!(Noun::Character.count(1001usize, Lang::Ru), "1001 символ");
    }

    #[test]
    fn sizes_use_the_language_s_units() {
        assert_eq!(file_size(512, Lang::En), "512 bytes");
        assert_eq!(file_size(3 * 1024 + 400, Lang::En), "3.4 KB");
        assert_eq!(file_size(3 * 1024 + 400, Lang::Ru), "3,4 КБ");
        assert_eq!(file_size(25 * 1024 * 1024, Lang::Ru), "25 МБ");
        assert_eq!(file_size(5 * 1024 * 1024 + 300_000, Lang::Ru), "5,3 МБ");
        assert_eq!(grouped(2000, Lang::En), "2,000");
        assert_eq!(grouped(200_000, Lang::Ru), "200\u{a0}000");
    }
}
