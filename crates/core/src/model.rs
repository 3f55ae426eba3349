//! The product's nouns (PRODUCT.md §2) as plain data: what a standard, a requirement, an audit
//! and an answer are. Nothing here touches the database; `store` reads and writes these.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

/// How a requirement is answered and scored (PRODUCT.md §4, §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Kind {
    /// Pass or fail: scores 1 or 0.
    Check,
    /// Points between `min` and `max`: scores (value − min) / (max − min).
    Scale,
    /// A measured value that passes inside `min..=max`.
    Number,
    /// A note, not scored.
    Text,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Check => "check",
            Kind::Scale => "scale",
            Kind::Number => "number",
            Kind::Text => "text",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s.trim().to_lowercase().as_str() {
            "check" | "проверка" => Some(Kind::Check),
            "scale" | "шкала" => Some(Kind::Scale),
            "number" | "число" => Some(Kind::Number),
            "text" | "текст" => Some(Kind::Text),
            _ => None,
        }
    }
}

/// When a requirement needs a photo as evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export)]
pub enum PhotoRule {
    None,
    Optional,
    Required,
    /// Required when the answer is a finding.
    RequiredOnFail,
}

impl PhotoRule {
    pub fn as_str(self) -> &'static str {
        match self {
            PhotoRule::None => "none",
            PhotoRule::Optional => "optional",
            PhotoRule::Required => "required",
            PhotoRule::RequiredOnFail => "required-on-fail",
        }
    }

    pub fn parse(s: &str) -> Option<PhotoRule> {
        match s.trim().to_lowercase().replace('_', "-").as_str() {
            "none" | "нет" => Some(PhotoRule::None),
            "optional" | "по желанию" | "необязательно" => {
                Some(PhotoRule::Optional)
            }
            "required" | "обязательно" => Some(PhotoRule::Required),
            "required-on-fail" | "при нарушении" => Some(PhotoRule::RequiredOnFail),
            _ => None,
        }
    }
}

/// A named rating with the minimum percentage that reaches it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RatingBand {
    pub name: String,
    pub min: f64,
}

/// The bands used when a standard names none: excellent 90, good 75, satisfactory 60.
pub fn default_ratings() -> Vec<RatingBand> {
    [("excellent", 90.0), ("good", 75.0), ("satisfactory", 60.0)]
        .into_iter()
        .map(|(name, min)| RatingBand {
            name: name.to_string(),
            min,
        })
        .collect()
}

/// The rating below the lowest band.
pub const UNSATISFACTORY: &str = "unsatisfactory";

/// One checkable rule of a standard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Requirement {
    pub id: Uuid,
    pub code: String,
    pub text: String,
    pub guidance: Option<String>,
    pub kind: Kind,
    pub weight: f64,
    /// A failure fails the whole audit (knock-out).
    pub hard: bool,
    pub photo: PhotoRule,
    /// May the auditor answer "not applicable".
    pub na_allowed: bool,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// A group of requirements, usually a stage of service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Section {
    pub id: Uuid,
    pub title: String,
    pub requirements: Vec<Requirement>,
}

/// A published, immutable version of a chain's standard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Standard {
    pub id: Uuid,
    pub code: String,
    pub version: String,
    pub title: String,
    pub language: String,
    pub ratings: Vec<RatingBand>,
    pub sections: Vec<Section>,
    pub created_at: String,
}

impl Standard {
    pub fn requirements(&self) -> impl Iterator<Item = &Requirement> {
        self.sections.iter().flat_map(|s| s.requirements.iter())
    }

    pub fn requirement_by_code(&self, code: &str) -> Option<&Requirement> {
        self.requirements().find(|r| r.code == code)
    }
}

/// A line of the standards list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StandardInfo {
    pub id: Uuid,
    pub code: String,
    pub version: String,
    pub title: String,
    pub language: String,
    pub sections: u32,
    pub requirements: u32,
    pub created_at: String,
}

/// A store of the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Store {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub region: Option<String>,
}

/// The part of the day a shift covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum ShiftPart {
    Opening,
    Day,
    Evening,
    Closing,
}

impl ShiftPart {
    pub const ALL: [ShiftPart; 4] = [
        ShiftPart::Opening,
        ShiftPart::Day,
        ShiftPart::Evening,
        ShiftPart::Closing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ShiftPart::Opening => "opening",
            ShiftPart::Day => "day",
            ShiftPart::Evening => "evening",
            ShiftPart::Closing => "closing",
        }
    }

    pub fn parse(s: &str) -> Option<ShiftPart> {
        ShiftPart::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// Where an audit is in its life: a draft is filled, a completed one is ready to sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum AuditStatus {
    Draft,
    Completed,
    Signed,
}

impl AuditStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditStatus::Draft => "draft",
            AuditStatus::Completed => "completed",
            AuditStatus::Signed => "signed",
        }
    }

    pub fn parse(s: &str) -> Option<AuditStatus> {
        match s {
            "draft" => Some(AuditStatus::Draft),
            "completed" => Some(AuditStatus::Completed),
            "signed" => Some(AuditStatus::Signed),
            _ => None,
        }
    }
}

/// What the auditor answered for one requirement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", content = "value", rename_all = "lowercase")]
#[ts(export)]
pub enum Response {
    Pass,
    Fail,
    /// Not applicable: left out of the sums.
    Na,
    /// A value for `scale` and `number` requirements.
    Value(f64),
    /// The note of a `text` requirement.
    Text(String),
}

impl Response {
    /// Reads the command line's `pass|fail|na|VALUE` for a requirement of the given kind.
    pub fn parse_for(kind: Kind, input: &str) -> Option<Response> {
        let t = input.trim();
        match t.to_lowercase().as_str() {
            "pass" | "да" | "yes" | "+" if kind == Kind::Check => return Some(Response::Pass),
            "fail" | "нет" | "no" | "-" if kind == Kind::Check => return Some(Response::Fail),
            "na" | "n/a" | "н/п" => return Some(Response::Na),
            _ => {}
        }
        match kind {
            Kind::Check => None,
            Kind::Scale | Kind::Number => t
                .replace(',', ".")
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .map(Response::Value),
            Kind::Text => (!t.is_empty()).then(|| Response::Text(t.to_string())),
        }
    }

    /// The answer as the command line and the CSV of `audit fill` write it.
    pub fn to_cli(&self) -> String {
        match self {
            Response::Pass => "pass".into(),
            Response::Fail => "fail".into(),
            Response::Na => "na".into(),
            Response::Value(v) => format_number(*v),
            Response::Text(t) => t.clone(),
        }
    }
}

/// Writes a number without a trailing `.0` for whole values.
pub fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// A saved answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Answer {
    pub requirement_id: Uuid,
    pub code: String,
    /// `None`: a note was written, no answer given yet.
    pub response: Option<Response>,
    pub note: Option<String>,
    pub updated_at: String,
}

/// What must be done about a finding, by whom, by when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CorrectiveAction {
    pub id: Uuid,
    pub requirement_id: Uuid,
    pub code: String,
    pub what: String,
    pub owner: String,
    /// `YYYY-MM-DD`.
    pub due: String,
    /// After the audit is signed: the due date now and the day it was done (from its
    /// follow-ups, oldest first).
    pub due_now: String,
    pub done_on: Option<String>,
    pub followups: Vec<crate::followup::Followup>,
}

/// A photo attached to a requirement of an audit. The three files (original, display copy,
/// thumbnail) are named by `sha256`, the original's hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Photo {
    pub id: Uuid,
    pub requirement_id: Uuid,
    pub code: String,
    pub sha256: String,
    /// The name the file had when it was attached.
    pub file_name: String,
    pub caption: String,
    /// `jpeg`, `png` or `webp`: the original's format.
    pub format: String,
    /// The original's size in bytes.
    #[ts(type = "number")]
    pub bytes: i64,
    /// The original's size in pixels, after EXIF orientation.
    pub original_width: u32,
    pub original_height: u32,
    /// The display copy's size in pixels.
    pub width: u32,
    pub height: u32,
    pub thumb_width: u32,
    pub thumb_height: u32,
    pub created_at: String,
}

/// The header of an audit: who checked which shift of which store against what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditHeader {
    pub id: Uuid,
    pub store: Store,
    /// `YYYY-MM-DD`.
    pub shift_date: String,
    pub shift: ShiftPart,
    pub auditor: String,
    pub observed: Option<String>,
    pub standard_id: Uuid,
    pub standard_code: String,
    pub standard_version: String,
    pub standard_title: String,
    pub status: AuditStatus,
    pub created_at: String,
    pub updated_at: String,
    pub completed_at: Option<String>,
    /// The signed audit this one corrects, and why.
    pub revision_of: Option<Uuid>,
    pub revision_reason: Option<String>,
}
