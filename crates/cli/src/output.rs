//! Printing results and errors: text for people, one JSON document with `--json`.
//!
//! Everything the program prints goes through here. Standard output may be a pipe whose reader
//! stops early (`storecheck audit show X | head`): the write then fails with a broken pipe, and
//! the program ends quietly and successfully, as the reader took what it wanted
//! ([`OutputClosed`]); `println!` would panic instead.

use std::io::Write;

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

/// Standard output was closed by its reader: nothing more can be printed, and nothing is wrong.
#[derive(Debug)]
pub struct OutputClosed;

impl std::fmt::Display for OutputClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("standard output was closed")
    }
}

impl std::error::Error for OutputClosed {}

/// Writes `text` to standard output and flushes it. A closed pipe becomes [`OutputClosed`].
pub fn write_stdout(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(OutputClosed.into()),
        Err(e) => Err(anyhow::Error::new(e).context("cannot write to standard output")),
    }
}

/// Writes `text` to standard error; there is nowhere left to report a failure to do so.
fn write_stderr(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

pub struct Out {
    pub json: bool,
    pub lang: Lang,
}

impl Out {
    pub fn new(json: bool, lang: Lang) -> Out {
        Out { json, lang }
    }

    /// Prints `value` as JSON with `--json`, else the text `human` makes.
    pub fn print<T: Serialize>(
        &self,
        value: &T,
        human: impl FnOnce() -> String,
    ) -> anyhow::Result<()> {
        let mut text = if self.json {
            serde_json::to_string_pretty(value)?
        } else {
            human()
        };
        if !text.ends_with('\n') {
            text.push('\n');
        }
        write_stdout(&text)
    }

    /// Prints an error as `error:` (with the problems, one per line) and `hint:` lines on
    /// stderr; with `--json`, also `{"error": {...}}` on stdout.
    pub fn error(&self, e: &anyhow::Error) {
        if e.is::<AlreadyReported>() || e.is::<OutputClosed>() {
            return;
        }
        let core = e.downcast_ref::<Error>();
        let hq = e.downcast_ref::<storecheck_hq::HqError>();
        let headline = match (core, hq) {
            (Some(c), _) => c.headline(self.lang),
            (None, Some(h)) => storecheck_core::i18n::Text::text(h, self.lang),
            (None, None) => format!("{e:#}"),
        };
        let mut text = format!("error: {headline}\n");
        let problems = core.map(Error::problems).unwrap_or_default();
        for p in problems {
            text.push_str(&format!("  {}\n", p.text(self.lang)));
        }
        let hint = core
            .and_then(|c| c.hint(self.lang))
            .or_else(|| hq.and_then(|h| h.hint(self.lang)));
        if let Some(h) = &hint {
            text.push_str(&format!("hint: {h}\n"));
        }
        write_stderr(&text);
        if self.json {
            let doc = serde_json::json!({"error": {
                "code": core.map(Error::code),
                "message": headline,
                "problems": problems.iter().map(|p| p.text(self.lang)).collect::<Vec<_>>(),
                "hint": hint,
            }});
            let _ = write_stdout(&format!("{doc:#}\n"));
        }
    }
}

/// Writes a file the person named, whole or not at all: through a temporary file in the same
/// folder, flushed, then renamed over the name.
pub fn write_whole(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let io = |e: std::io::Error| storecheck_core::Error::io(path, e);
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    // A temporary file is the owner's alone; what a person writes here is for others to read
    // (a CA certificate, a package, a request), as any new file of theirs would be.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(io)?;
    }
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}
