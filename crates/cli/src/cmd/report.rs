//! `storecheck report pdf` and `storecheck verify`.

use std::path::PathBuf;

use storecheck_core::Db;

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
                    if out.lang == storecheck_core::Lang::Ru {
                        format!("Записан {} ({} байт).", path.display(), pdf.len())
                    } else {
                        format!("Wrote {} ({} bytes).", path.display(), pdf.len())
                    }
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
    let ru = out.lang == storecheck_core::Lang::Ru;
    out.print(&v, || {
        let mut s = String::new();
        if v.valid {
            s.push_str(if ru {
                "Подпись действительна: документ не изменялся после подписания.\n"
            } else {
                "The signature is valid: the document has not changed since it was signed.\n"
            });
        } else {
            s.push_str(if ru {
                "Подпись НЕДЕЙСТВИТЕЛЬНА"
            } else {
                "The signature is NOT valid"
            });
            if let Some(p) = &v.problem {
                s.push_str(&format!(": {p}"));
            }
            s.push('\n');
        }
        // Who signed, said only as far as it is confirmed.
        if let Some(who) = &v.identity {
            let mut chars = who.chars();
            let who: String = chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default();
            s.push_str(&format!("{who}.\n"));
        }
        if let Some(at) = &v.signed_at {
            s.push_str(&format!(
                "{}: {at}\n",
                if ru {
                    "Когда (по словам подписи)"
                } else {
                    "Signed at (as the signature claims)"
                }
            ));
        }
        match v.trusted {
            Some(true) => s.push_str(if ru {
                "Сертификат выдан доверенным центром (--trust).\n"
            } else {
                "The signer's certificate was issued by the trusted certificate (--trust).\n"
            }),
            Some(false) => {
                s.push_str(if ru {
                    "Доверенный сертификат (--trust) НЕ подтверждает подписавшего"
                } else {
                    "The trusted certificate (--trust) does NOT confirm the signer"
                });
                if let Some(why) = &v.trust_problem {
                    s.push_str(&format!(": {why}"));
                }
                s.push_str(".\n");
            }
            None => {}
        }
        s
    })?;
    if v.valid && v.trusted != Some(false) {
        Ok(())
    } else if out.json {
        Err(crate::output::AlreadyReported.into())
    } else {
        Err(anyhow::anyhow!(match (v.valid, ru) {
            (false, true) => "отчёт не прошёл проверку подписи",
            (false, false) => "the report did not pass the signature check",
            (true, true) => "подпись цела, но сертификат подписавшего выдан не доверенным центром",
            (true, false) => {
                "the signature is intact, but the signer's certificate was not issued by the trusted one"
            }
        }))
    }
}
