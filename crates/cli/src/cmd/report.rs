//! `storecheck report pdf` and `storecheck verify`.

use std::path::PathBuf;

use storecheck_core::Db;

use crate::messages::Message;
use crate::output::Out;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Write a signed audit's PDF (the very bytes that were signed) to a file
    Pdf {
        audit: String,
        #[arg(long, value_name = "REPORT.pdf")]
        out: PathBuf,
    },
}

pub fn run(db: &mut Db, out: &Out, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Pdf { audit, out: path } => {
            let id = db.resolve_audit(&audit)?;
            let pdf = db.signed_pdf(id)?;
            std::fs::write(&path, &pdf).map_err(|e| storecheck_core::Error::io(&path, e))?;
            let report = db.signed_report(id)?;
            out.print(
                &serde_json::json!({"out": path, "bytes": pdf.len(), "report": report}),
                || {
                    Message::ReportWritten {
                        path: &path,
                        bytes: pdf.len(),
                    }
                    .text(out.lang)
                },
            )
        }
    }
}

#[derive(clap::Args)]
pub struct VerifyArgs {
    /// The report to check
    pub pdf: PathBuf,
    /// A certificate (PEM or DER) that must have issued the signer's: the chain's HQ
    /// authority, or the auditor's own certificate
    #[arg(long, value_name = "HQ_CA.pem")]
    pub trust: Option<PathBuf>,
}

/// Checks a report's signature; fails (exit 1) unless it is valid.
pub fn verify(out: &Out, args: VerifyArgs) -> anyhow::Result<()> {
    let v = storecheck_report::verify_file(&args.pdf, args.trust.as_deref(), out.lang)?;
    let lang = out.lang;
    out.print(&v, || {
        let mut s = String::new();
        if v.valid {
            s.push_str(&Message::SignatureValid.text(lang));
            s.push('\n');
        } else {
            s.push_str(&Message::SignatureInvalid.text(lang));
            if let Some(p) = &v.problem {
                s.push_str(&format!(": {p}"));
            }
            s.push('\n');
        }
        // Who signed, said only as far as it is confirmed.
        if let Some(who) = &v.identity {
            let who = storecheck_core::i18n::capitalized(who);
            s.push_str(&format!("{who}.\n"));
        }
        if let Some(at) = &v.signed_at {
            s.push_str(&Message::SignedAt { at }.text(lang));
            s.push('\n');
        }
        match v.trusted {
            Some(true) => {
                s.push_str(&Message::Trusted.text(lang));
                s.push('\n');
            }
            Some(false) => {
                s.push_str(&Message::NotTrusted.text(lang));
                if let Some(why) = &v.trust_problem {
                    s.push_str(&format!(": {why}"));
                }
                s.push_str(".\n");
            }
            None => {}
        }
        let audit = v.data_audit.map(|id| id.to_string());
        s.push_str(
            &Message::Data {
                status: v.data,
                audit: audit.as_deref(),
                problem: v.data_problem.as_deref(),
            }
            .text(lang),
        );
        s.push('\n');
        s
    })?;
    if v.valid && v.trusted != Some(false) {
        Ok(())
    } else if out.json {
        Err(crate::output::AlreadyReported.into())
    } else {
        let why = if v.valid {
            Message::VerifyUntrusted
        } else {
            Message::VerifyFailed
        };
        Err(anyhow::anyhow!(why.text(lang)))
    }
}
