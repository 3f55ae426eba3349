//! What the command-line tests share: the binary run under a given locale, with nothing of the
//! test machine's own language settings, and what it printed.
#![allow(dead_code)] // each test file uses its own part

use std::process::{Command, Output};

/// `storecheck` under the locale `lang` (`LANG`), with the other language settings removed.
pub fn storecheck(lang: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_storecheck"));
    c.env("LANG", lang)
        .env_remove("STORECHECK_LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    c
}

/// Everything a run printed, stdout then stderr.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
