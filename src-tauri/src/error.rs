//! How errors cross IPC: one `{code, message, hint, problems}` shape, in the UI's language.

use serde::Serialize;
use storecheck_core::{Error, ErrorCode, Lang};
use ts_rs::TS;

/// An error as the UI receives it; `code` is the closed set the UI switches on.
#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct IpcError {
    pub code: ErrorCode,
    /// What happened, in the UI's language.
    pub message: String,
    /// What to do about it, where there is something to say.
    pub hint: Option<String>,
    /// For imports: each problem with its row and column.
    pub problems: Vec<String>,
}

impl IpcError {
    pub fn from_core(e: &Error, lang: Lang) -> IpcError {
        IpcError {
            code: e.code(),
            message: e.headline(lang),
            hint: e
                .hint(lang)
                .filter(|_| !matches!(e, Error::NotFound { .. })),
            problems: e.problems().iter().map(|p| p.text(lang)).collect(),
        }
    }
}
