//! The report's words in Russian and English.

use storecheck_core::Lang;
use storecheck_core::model::ShiftPart;

use crate::render::shift_key;

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

    pub fn page_of(&self, n: usize, total: usize) -> String {
        match self.lang {
            Lang::Ru => format!("стр. {n} из {total}"),
            Lang::En => format!("page {n} of {total}"),
        }
    }
}
