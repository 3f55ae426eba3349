//! `storecheck`: the command line over storecheck-core. One module per subcommand; each is a
//! few lines that call the same core functions as the desktop app and print the result as text,
//! or as one JSON document with `--json`.
//!
//! The command line is where StoreCheck meets the system: it reads the environment and the
//! clock here and passes them into the core, which may not (clippy.toml).
#![allow(clippy::disallowed_methods)]

mod cmd;
mod messages;
mod messages_ca;
mod messages_sync;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use std::io::Write as _;

use clap::{Parser, Subcommand};
use storecheck_core::Lang;

use crate::output::{Out, OutputClosed};

#[derive(Parser)]
#[command(
    name = "storecheck",
    version,
    about = "In-store compliance checks against a chain's customer-service standard",
    long_about = "StoreCheck: fill observation forms for a shift against the chain's standard, \
                  offline, and see the score. Start with `storecheck demo`."
)]
struct Cli {
    /// The database to use [default: the app's own database in your data directory,
    /// or $STORECHECK_DB]
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,

    /// The HQ database to use: a SQLite file, or a PostgreSQL database as
    /// postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE [default: hq.db in your data directory,
    /// or $STORECHECK_HQ]
    #[arg(long, global = true, value_name = "PATH|URL")]
    hq: Option<std::ffi::OsString>,

    /// This computer's folder for an HQ database on PostgreSQL, which keeps its photos, PDFs
    /// and CA in the database itself: copies that must be files here (the server's certificate
    /// for a proxy) and scratch [default: hq-files in your data directory, or
    /// $STORECHECK_HQ_FILES]; a SQLite HQ keeps its files beside its own file
    #[arg(long, global = true, value_name = "DIR")]
    hq_files: Option<PathBuf>,

    /// Print one JSON document instead of text
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load a demo standard (Russian and English), two stores and two audits
    Demo(cmd::demo::Args),
    /// Import and list standards
    #[command(subcommand)]
    Standard(cmd::standard::Command),
    /// Manage the chain's stores
    #[command(subcommand)]
    Store(cmd::store::Command),
    /// Start, fill, complete and inspect audits (observation forms)
    #[command(subcommand)]
    Audit(cmd::audit::Command),
    /// Follow up a signed audit's corrective actions: done, or due date moved
    #[command(subcommand)]
    Action(cmd::action::Command),
    /// Signed reports
    #[command(subcommand)]
    Report(cmd::report::Command),
    /// Check a report's digital signature: intact or not, who signed, when
    Verify(cmd::report::VerifyArgs),
    /// Send completed and signed audits to HQ as signed bundles
    #[command(subcommand)]
    Sync(cmd::sync::Command),
    /// This device's key fingerprint for HQ to enrol it; the auditors' signing keys: a
    /// certificate request for HQ
    #[command(subcommand)]
    Keys(cmd::keys::Command),
    /// Headquarters: import what stores send, list what HQ holds
    #[command(subcommand)]
    Hq(cmd::hq::Command),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return refuse_command_line(&e),
    };
    // Everything said comes in one language: the command's `--lang`, else the locale's.
    let lang = match &cli.command {
        Command::Demo(args) => args.lang.as_deref(),
        Command::Audit(c) => c.lang(),
        _ => None,
    }
    .map_or_else(
        || Lang::from_locale(|k| std::env::var(k).ok()),
        Lang::from_tag,
    );
    let out = Out::new(cli.json, lang);
    let db_path = cli
        .db
        .unwrap_or_else(|| storecheck_core::db::default_path(std::env::var_os("STORECHECK_DB")));
    let hq_at = storecheck_hq::db::Location::parse(
        cli.hq
            .unwrap_or_else(|| {
                storecheck_hq::db::default_path(std::env::var_os("STORECHECK_HQ")).into()
            })
            .as_os_str(),
    );
    let hq_files = cli.hq_files.unwrap_or_else(|| {
        std::env::var_os("STORECHECK_HQ_FILES")
            .map_or_else(storecheck_hq::db::default_files_dir, PathBuf::from)
    });
    let result = match cli.command {
        // Verifying needs only the file, not a database.
        Command::Verify(args) => cmd::report::verify(&out, args),
        // HQ works on its own database, never a store's.
        Command::Hq(c) => c.check().and_then(|()| {
            let clock: storecheck_core::db::Clock = std::sync::Arc::new(chrono::Utc::now);
            let ids = storecheck_core::ids::Ids::from_os(clock.clone());
            storecheck_hq::HqDb::open_at(&hq_at, &hq_files, clock, ids)
                .map_err(anyhow::Error::from)
                .and_then(|hq| cmd::hq::run(hq, &out, c))
        }),
        command => storecheck_core::Db::open(
            &db_path,
            storecheck_core::db::Inputs::system(storecheck_core::db::computer_name()),
        )
        .map_err(anyhow::Error::from)
        .and_then(|mut db| match command {
            Command::Demo(args) => cmd::demo::run(&mut db, &out, args),
            Command::Standard(c) => cmd::standard::run(&mut db, &out, c),
            Command::Store(c) => cmd::store::run(&mut db, &out, c),
            Command::Audit(c) => cmd::audit::run(&mut db, &out, c),
            Command::Report(c) => cmd::report::run(&mut db, &out, c),
            Command::Action(c) => cmd::action::run(&mut db, &out, c),
            Command::Sync(c) => cmd::sync::run(&mut db, &out, c),
            Command::Keys(c) => cmd::keys::run(&mut db, &out, c),
            Command::Verify(_) | Command::Hq(_) => Ok(()),
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of the output stopped early (`… | head`): it has what it wanted.
        Err(e) if e.is::<OutputClosed>() => ExitCode::SUCCESS,
        Err(e) => {
            out.error(&e);
            ExitCode::FAILURE
        }
    }
}

/// A command line clap refused (or `--help`, `--version`). Under a Russian locale the refusal
/// is said in Russian; clap's own words, the help included, are English only.
fn refuse_command_line(e: &clap::Error) -> ExitCode {
    let lang = Lang::from_locale(|k| std::env::var(k).ok());
    match messages::usage_error(e, lang).filter(|_| lang != Lang::En && e.use_stderr()) {
        Some(text) => {
            let _ = std::io::stderr().lock().write_all(text.as_bytes());
        }
        None => {
            let _ = e.print();
        }
    }
    ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2))
}
