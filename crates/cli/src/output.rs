//! Printing results and errors: text for people, one JSON document with `--json`.

use serde::Serialize;
use storecheck_core::{Error, Lang};

/// A failure already described by what was printed (one JSON document with `--json`): the
/// program exits non-zero without printing anything more.
#[derive(Debug)]
pub struct AlreadyReported;

impl std::fmt::Display for AlreadyReported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("already reported")
    }
}

impl std::error::Error for AlreadyReported {}

pub struct Out {
    pub json: bool,
    pub lang: Lang,
}

impl Out {
    pub fn new(json: bool) -> Out {
        let tag = ["STORECHECK_LANG", "LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
            .unwrap_or_default();
        Out {
            json,
            lang: Lang::from_tag(&tag),
        }
    }

    /// Prints `value` as JSON with `--json`, else the text `human` makes.
    pub fn print<T: Serialize>(
        &self,
        value: &T,
        human: impl FnOnce() -> String,
    ) -> anyhow::Result<()> {
        if self.json {
            println!("{}", serde_json::to_string_pretty(value)?);
        } else {
            let text = human();
            print!("{text}");
            if !text.ends_with('\n') {
                println!();
            }
        }
        Ok(())
    }

    /// Prints an error as `error:` (with the problems, one per line) and `hint:` lines on
    /// stderr; with `--json`, also `{"error": {...}}` on stdout.
    pub fn error(&self, e: &anyhow::Error) {
        if e.is::<AlreadyReported>() {
            return;
        }
        let core = e.downcast_ref::<Error>();
        let headline = match core {
            Some(c) => c.headline(self.lang),
            None => format!("{e:#}"),
        };
        eprintln!("error: {headline}");
        let problems = core.map(Error::problems).unwrap_or_default();
        for p in problems {
            eprintln!("  {}", p.text(self.lang));
        }
        let hint = core.and_then(|c| c.hint(self.lang));
        if let Some(h) = &hint {
            eprintln!("hint: {h}");
        }
        if self.json {
            let doc = serde_json::json!({"error": {
                "code": core.map(Error::code),
                "message": headline,
                "problems": problems.iter().map(|p| p.text(self.lang)).collect::<Vec<_>>(),
                "hint": hint,
            }});
            println!("{doc:#}");
        }
    }
}
