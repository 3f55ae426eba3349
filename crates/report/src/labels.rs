//! The report's words in Russian and English.

use storecheck_core::Lang;
use storecheck_core::model::{Kind, ShiftPart, format_number};

use crate::render::{LAYOUT_TEXTS, date, percent, shift_key, time};

/// The arrow before a corrective action (PT Sans lacks it: DejaVu Sans draws it).
pub(crate) const ARROW: &str = "→";

pub(crate) struct Labels {
    pub lang: Lang,
    pub title: &'static str,
    pub store: &'static str,
    pub shift_label: &'static str,
    pub auditor: &'static str,
    pub observed: &'static str,
    pub standard: &'static str,
    pub version: &'static str,
    pub status: &'static str,
    pub signed_by: &'static str,
    pub completed: &'static str,
    pub draft: &'static str,
    pub hard_failed: &'static str,
    pub sections: &'static str,
    pub findings: &'static str,
    pub no_findings: &'static str,
    pub hard: &'static str,
    pub due: &'static str,
    pub actions: &'static str,
    pub all_requirements: &'static str,
    pub pass: &'static str,
    pub fail: &'static str,
    pub na: &'static str,
    pub photos: &'static str,
    pub see_findings: &'static str,
    pub continued: &'static str,
    pub signatures: &'static str,
    pub auditor_signature: &'static str,
    pub acknowledged: &'static str,
    pub not_signed: &'static str,
    pub report: &'static str,
    pub corrects: &'static str,
    pub of_date: &'static str,
    pub comments: &'static str,
    pub action_what: &'static str,
    pub action_owner: &'static str,
    pub action_due: &'static str,
    norm: &'static str,
    measured: &'static str,
    rated: &'static str,
    shifts: [&'static str; 4],
}

impl Labels {
    pub fn for_lang(lang: Lang) -> Labels {
        match lang {
            Lang::Ru => Labels {
                lang,
                title: "Отчёт о проверке",
                store: "Магазин",
                shift_label: "Смена",
                auditor: "Проверяющий",
                observed: "Наблюдаемые сотрудники",
                standard: "Стандарт",
                version: "версия",
                status: "Статус",
                signed_by: "Подписан:",
                completed: "Завершена, не подписана",
                draft: "Черновик",
                hard_failed: "Нарушены жёсткие требования",
                sections: "Оценка по разделам",
                findings: "Несоответствия",
                no_findings: "Несоответствий нет.",
                hard: "жёсткое",
                due: "срок",
                actions: "Корректирующие действия",
                all_requirements: "Все требования",
                pass: "Да",
                fail: "Нет",
                na: "Н/П",
                photos: "Фото",
                see_findings: "см. несоответствия",
                continued: "продолжение",
                signatures: "Подписи",
                auditor_signature: "Проверяющий",
                acknowledged: "С отчётом ознакомлен(а)",
                not_signed: "не подписано",
                report: "отчёт",
                corrects: "Исправляет отчёт",
                of_date: "от",
                comments: "Комментарии проверяющего",
                action_what: "Что сделать",
                action_owner: "Ответственный",
                action_due: "Срок",
                norm: "Норма",
                measured: "факт",
                rated: "оценка",
                shifts: ["открытие", "день", "вечер", "закрытие"],
            },
            Lang::En => Labels {
                lang,
                title: "Audit report",
                store: "Store",
                shift_label: "Shift",
                auditor: "Auditor",
                observed: "Staff observed",
                standard: "Standard",
                version: "version",
                status: "Status",
                signed_by: "Signed by",
                completed: "Completed, not signed",
                draft: "Draft",
                hard_failed: "Hard requirements failed",
                sections: "Score by section",
                findings: "Findings",
                no_findings: "No findings.",
                hard: "hard",
                due: "due",
                actions: "Corrective actions",
                all_requirements: "All requirements",
                pass: "Pass",
                fail: "Fail",
                na: "N/A",
                photos: "Photos",
                see_findings: "see findings",
                continued: "continued",
                signatures: "Signatures",
                auditor_signature: "Auditor",
                acknowledged: "Acknowledged by",
                not_signed: "not signed",
                report: "report",
                corrects: "Corrects report",
                of_date: "of",
                comments: "Auditor's comments",
                action_what: "Action",
                action_owner: "Owner",
                action_due: "Due",
                norm: "Norm",
                measured: "measured",
                rated: "given",
                shifts: ["opening", "day", "evening", "closing"],
            },
        }
    }

    pub fn shift(&self, s: ShiftPart) -> &'static str {
        self.shifts[shift_key(s)]
    }

    /// A rating band's name; the standard's own names are shown as they are.
    pub fn rating(&self, r: Option<&str>) -> String {
        let ru = self.lang == Lang::Ru;
        match r {
            None => "—".into(),
            Some("excellent") if ru => "Отлично".into(),
            Some("good") if ru => "Хорошо".into(),
            Some("satisfactory") if ru => "Удовлетворительно".into(),
            Some("unsatisfactory") if ru => "Неудовлетворительно".into(),
            Some("failed_hard") if ru => "Провал: жёсткое требование".into(),
            Some("failed_hard") => "Failed: hard requirement".into(),
            Some(other) if !ru => {
                let mut c = other.chars();
                c.next()
                    .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                    .unwrap_or_default()
            }
            Some(other) => other.to_string(),
        }
    }

    /// A number as the language writes it: `2,5` in Russian, `2.5` in English.
    pub fn number(&self, v: f64) -> String {
        let n = format_number(v);
        match self.lang {
            Lang::Ru => n.replace('.', ","),
            Lang::En => n,
        }
    }

    /// What a `number` or `scale` requirement asks for, from its bounds: "не менее 4",
    /// "от 1 до 3", "не менее 3 по шкале от 1 до 5". A scale's answer passes from its middle
    /// up (PRODUCT.md §5: a score below 0.5 is a finding). `None` for other kinds.
    pub fn norm(&self, kind: Kind, min: Option<f64>, max: Option<f64>) -> Option<String> {
        let ru = self.lang == Lang::Ru;
        let n = |v: f64| self.number(v);
        match (kind, min, max) {
            (Kind::Scale, min, Some(max)) => {
                let min = min.unwrap_or(0.0);
                let pass = n(min + (max - min) / 2.0);
                Some(if ru {
                    format!("не менее {pass} по шкале от {} до {}", n(min), n(max))
                } else {
                    format!("at least {pass} on a scale of {} to {}", n(min), n(max))
                })
            }
            (Kind::Number, Some(min), Some(max)) if ru => {
                Some(format!("от {} до {}", n(min), n(max)))
            }
            (Kind::Number, Some(min), Some(max)) => Some(format!("{} to {}", n(min), n(max))),
            (Kind::Number, Some(min), None) if ru => Some(format!("не менее {}", n(min))),
            (Kind::Number, Some(min), None) => Some(format!("at least {}", n(min))),
            (Kind::Number, None, Some(max)) if ru => Some(format!("не более {}", n(max))),
            (Kind::Number, None, Some(max)) => Some(format!("at most {}", n(max))),
            _ => None,
        }
    }

    /// A failed `number` or `scale` answer beside its norm: "Норма: не менее 4 — факт: 3".
    pub fn value_against_norm(&self, kind: Kind, norm: &str, value: f64) -> String {
        let said = if kind == Kind::Scale {
            self.rated
        } else {
            self.measured
        };
        format!("{}: {norm} — {said}: {}", self.norm, self.number(value))
    }

    /// A value answer in the list of every requirement; a failed one says so first.
    pub fn value_answer(&self, kind: Kind, value: f64, max: Option<f64>, failed: bool) -> String {
        let v = match (kind, max) {
            (Kind::Scale, Some(max)) => format!("{} / {}", self.number(value), self.number(max)),
            _ => self.number(value),
        };
        if failed {
            format!("{}: {v}", self.fail)
        } else {
            v
        }
    }

    /// A corrective action under its finding.
    pub fn action_line(&self, what: &str, owner: &str, due: &str) -> String {
        format!("{ARROW} {what} — {owner}, {} {due}", self.due)
    }

    /// Where a finding's photos are, in the list of every requirement.
    pub fn photos_elsewhere(&self, n: usize) -> String {
        format!("{}: {n} ({})", self.photos, self.see_findings)
    }

    /// Heads a row of photos that moved to a new page.
    pub fn photos_continued(&self, code: &str) -> String {
        format!("{code} · {} ({})", self.photos, self.continued)
    }

    pub fn page_of(&self, n: usize, total: usize) -> String {
        match self.lang {
            Lang::Ru => format!("стр. {n} из {total}"),
            Lang::En => format!("page {n} of {total}"),
        }
    }
}

/// The language of a report's labels: the one asked for explicitly (the command line's
/// `--lang`, a choice made in the app), else the standard's own language, so a Russian
/// standard gives a Russian report whatever the computer's language. A standard's language
/// `ru…` is Russian; any other is English.
pub fn report_lang(standard_language: &str, explicit: Option<Lang>) -> Lang {
    explicit.unwrap_or_else(|| Lang::from_tag(standard_language))
}

/// Every fixed text a report in `lang` writes: each label, the names of shifts and ratings,
/// the norms and number, date, time, percentage and page formats (with sample values), the
/// symbols the layout puts between them. The report's fonts must be able to draw every
/// character of these ([`crate::missing_glyphs`]).
pub fn report_texts(lang: Lang) -> Vec<String> {
    let l = Labels::for_lang(lang);
    // Destructured without `..`: a label added to `Labels` must be added here too.
    let Labels {
        lang: _,
        title,
        store,
        shift_label,
        auditor,
        observed,
        standard,
        version,
        status,
        signed_by,
        completed,
        draft,
        hard_failed,
        sections,
        findings,
        no_findings,
        hard,
        due,
        actions,
        all_requirements,
        pass,
        fail,
        na,
        photos,
        see_findings,
        continued,
        signatures,
        auditor_signature,
        acknowledged,
        not_signed,
        report,
        corrects,
        of_date,
        comments,
        action_what,
        action_owner,
        action_due,
        norm,
        measured,
        rated,
        shifts,
    } = &l;
    let mut texts: Vec<String> = [
        title,
        store,
        shift_label,
        auditor,
        observed,
        standard,
        version,
        status,
        signed_by,
        completed,
        draft,
        hard_failed,
        sections,
        findings,
        no_findings,
        hard,
        due,
        actions,
        all_requirements,
        pass,
        fail,
        na,
        photos,
        see_findings,
        continued,
        signatures,
        auditor_signature,
        acknowledged,
        not_signed,
        report,
        corrects,
        of_date,
        comments,
        action_what,
        action_owner,
        action_due,
        norm,
        measured,
        rated,
    ]
    .into_iter()
    .chain(shifts)
    .map(|s| s.to_string())
    .collect();
    for rating in [
        None,
        Some("excellent"),
        Some("good"),
        Some("satisfactory"),
        Some("unsatisfactory"),
        Some(storecheck_core::scoring::FAILED_HARD),
    ] {
        texts.push(l.rating(rating));
    }
    for kind in [Kind::Number, Kind::Scale] {
        for (min, max) in [(Some(4.0), None), (None, Some(5.0)), (Some(1.0), Some(3.5))] {
            if let Some(norm) = l.norm(kind, min, max) {
                texts.push(l.value_against_norm(kind, &norm, 2.5));
            }
            texts.push(l.value_answer(kind, 2.5, max, true));
        }
    }
    texts.push(l.action_line("", "", &date("2026-12-01", lang)));
    texts.push(l.photos_elsewhere(2));
    texts.push(l.photos_continued("3.5"));
    texts.push(l.page_of(1, 2));
    texts.push(percent(None, lang));
    texts.push(percent(Some(93.9), lang));
    let at = chrono::DateTime::from_timestamp(1_795_370_700, 0).unwrap_or_default();
    for secs in [0, 3 * 3600, -(3 * 3600 + 1800)] {
        if let Some(offset) = chrono::FixedOffset::east_opt(secs) {
            texts.push(time(&at, offset, lang));
        }
    }
    texts.extend(LAYOUT_TEXTS.iter().map(|s| s.to_string()));
    texts
}
