//! The two languages every screen, report and message is written in.

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
}
