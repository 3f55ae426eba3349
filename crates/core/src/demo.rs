//! `storecheck demo`: a fashion-store standard in Russian and English, two stores and a few
//! audits, for a first look at the app. Safe to run again: nothing is duplicated.

use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use crate::audit::NewAudit;
use crate::db::Db;
use crate::error::Result;
use crate::i18n::Lang;
use crate::import::parse_standard;
use crate::model::ShiftPart;

const STANDARD_RU: &[u8] = include_bytes!("../../../fixtures/standards/demo-fashion.ru.json");
const STANDARD_EN: &[u8] = include_bytes!("../../../fixtures/standards/demo-fashion.en.json");
const ANSWERS_PASS: &[u8] = include_bytes!("../../../fixtures/answers/demo-fashion-pass.csv");

/// What the demo made.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DemoOutcome {
    /// The standard new audits use by default (in the requested language).
    pub standard: String,
    pub stores: Vec<String>,
    /// Audits made by this run (none when the demo was already loaded).
    pub audits: Vec<Uuid>,
}

impl Db {
    /// Loads the demo standard (the requested language last, so it is the default for new
    /// audits), two stores, a completed audit and a draft.
    pub fn load_demo(&mut self, lang: Lang) -> Result<DemoOutcome> {
        let (other, main) = match lang {
            Lang::Ru => (
                ("demo-fashion.en.json", STANDARD_EN),
                ("demo-fashion.ru.json", STANDARD_RU),
            ),
            Lang::En => (
                ("demo-fashion.ru.json", STANDARD_RU),
                ("demo-fashion.en.json", STANDARD_EN),
            ),
        };
        self.publish_standard(&parse_standard(other.0, other.1)?)?;
        let main_outcome = self.publish_standard(&parse_standard(main.0, main.1)?)?;
        let ru = self.find_standard("DEMO-FASHION")?;
        let stores = [
            ("MSK-01", "Тверская, 12", "Москва"),
            ("SPB-02", "Невский, 48", "Санкт-Петербург"),
        ];
        for (code, name, region) in stores {
            self.add_store(code, name, Some(region))?;
        }
        let mut audits = Vec::new();
        let already: i64 = self
            .conn
            .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))?;
        if already == 0 {
            let today = self.today();
            let ru_spec = format!("DEMO-FASHION@{}", self.load_standard(ru)?.version);
            let done = self.create_audit(&NewAudit {
                store_code: "MSK-01".into(),
                shift_date: today.clone(),
                shift: ShiftPart::Opening,
                auditor: "Анна Смирнова".into(),
                observed: Some("Ольга Петрова, Иван Кузнецов (стажёр)".into()),
                standard: Some(ru_spec),
            })?;
            self.fill_from_csv(done, "demo-fashion-pass.csv", ANSWERS_PASS)?;
            self.complete_audit(done)?;
            audits.push(done);
            let draft = self.create_audit(&NewAudit {
                store_code: "SPB-02".into(),
                shift_date: today,
                shift: ShiftPart::Evening,
                auditor: match lang {
                    Lang::Ru => "Анна Смирнова".into(),
                    Lang::En => "Anna Smirnova".into(),
                },
                observed: None,
                standard: Some(main_outcome.standard.code.clone()),
            })?;
            audits.push(draft);
        }
        Ok(DemoOutcome {
            standard: format!(
                "{}@{}",
                main_outcome.standard.code, main_outcome.standard.version
            ),
            stores: stores.iter().map(|s| s.0.to_string()).collect(),
            audits,
        })
    }
}
