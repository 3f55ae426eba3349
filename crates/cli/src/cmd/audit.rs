//! `storecheck audit new|list|answer|fill|photo|show|complete|reopen|sign|revise|action`

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use serde_json::{Value, json};
use storecheck_core::audit::{AnswerInput, AuditView, NewAction, NewAudit};
use storecheck_core::error::{Entity, MissingWhat};
use storecheck_core::model::{Response, ShiftPart};
use storecheck_core::{Db, Lang};

use crate::messages::Message;
use crate::output::Out;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Start an audit (observation form) for a shift; prints its id
    New {
        /// Store code, as `storecheck store list` shows it
        #[arg(long)]
        store: String,
        #[arg(long, value_parser = ["opening", "day", "evening", "closing"])]
        shift: String,
        /// The shift's date, YYYY-MM-DD
        #[arg(long)]
        date: String,
        /// Who observes the shift
        #[arg(long)]
        auditor: String,
        /// CODE or CODE@VERSION [default: the latest imported standard]
        #[arg(long)]
        standard: Option<String>,
        /// The staff observed
        #[arg(long)]
        observed: Option<String>,
    },
    /// List audits, newest shift first
    List,
    /// Answer one requirement: pass, fail, na, or a value for scale and number requirements
    Answer {
        /// Audit id (or a unique prefix of it)
        audit: String,
        /// The requirement's code, e.g. 2.3
        req_code: String,
        /// pass | fail | na | VALUE (a number, or the text of a text requirement)
        answer: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Answer many requirements from a CSV with columns code, answer, note
    Fill { audit: String, answers: PathBuf },
    /// Attach photos (JPEG, PNG, WebP) to a requirement, all or none
    Photo {
        audit: String,
        req_code: String,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Show answers, score, findings and what is still open
    Show { audit: String },
    /// Complete the audit; refuses, listing what is missing
    Complete { audit: String },
    /// Turn a completed (unsigned) audit back into a draft
    Reopen { audit: String },
    /// Sign a completed audit: writes the signed PDF and locks the audit for good
    Sign {
        audit: String,
        /// Who signs (the name in the certificate and under the signature)
        #[arg(long)]
        signer: String,
        /// The drawn signature, PNG
        #[arg(long, value_name = "PNG")]
        signature_image: Option<PathBuf>,
        /// The observed employee who acknowledged the report
        #[arg(long, value_name = "NAME")]
        acknowledged_by: Option<String>,
        /// Their drawn signature, PNG
        #[arg(long, value_name = "PNG")]
        acknowledgement_image: Option<PathBuf>,
        /// Also write the signed PDF here
        #[arg(long, value_name = "REPORT.pdf")]
        out: Option<PathBuf>,
        /// The report's language [default: the standard's language]
        #[arg(long, value_parser = ["ru", "en"])]
        lang: Option<String>,
    },
    /// Correct a signed audit: a new draft that points to it and says why
    Revise {
        audit: String,
        #[arg(long)]
        reason: String,
    },
    /// Record a corrective action for a finding
    Action {
        audit: String,
        req_code: String,
        #[arg(long)]
        what: String,
        #[arg(long)]
        owner: String,
        /// YYYY-MM-DD
        #[arg(long)]
        due: String,
    },
}

impl Command {
    /// The language the command was told to speak with `--lang`, if it has that option.
    pub fn lang(&self) -> Option<&str> {
        match self {
            Command::Sign { lang, .. } => lang.as_deref(),
            _ => None,
        }
    }
}

pub fn run(db: &mut Db, out: &Out, command: Command) -> anyhow::Result<()> {
    match command {
        Command::New {
            store,
            shift,
            date,
            auditor,
            standard,
            observed,
        } => {
            // clap has already refused any other value.
            let shift = ShiftPart::parse(&shift).context("--shift: opening|day|evening|closing")?;
            let id = db.create_audit(&NewAudit {
                store_code: store,
                shift_date: date,
                shift,
                auditor,
                observed,
                standard,
            })?;
            out.print(&json!({ "id": id }), || format!("{id}"))
        }
        Command::List => {
            let audits = db.list_audits()?;
            out.print(&audits, || {
                if audits.is_empty() {
                    return Message::NoAudits.text(out.lang);
                }
                let mut s = String::new();
                for a in &audits {
                    let line = Message::AuditListLine {
                        id: &a.id.to_string(),
                        date: &a.shift_date,
                        store: &a.store_code,
                        shift: a.shift,
                        status: a.status,
                        score: a.score,
                        answered: a.answered,
                        total: a.total,
                        standard: &format!("{}@{}", a.standard_code, a.standard_version),
                        auditor: &a.auditor,
                    };
                    let _ = writeln!(s, "{}", line.text(out.lang));
                }
                s
            })
        }
        Command::Answer {
            audit,
            req_code,
            answer,
            note,
        } => {
            let id = db.resolve_audit(&audit)?;
            let view = db.load_audit(id)?;
            let req = view
                .standard
                .requirement_by_code(req_code.trim())
                .ok_or_else(|| storecheck_core::Error::NotFound {
                    what: Entity::Requirement,
                    key: req_code.clone(),
                })?;
            let response = Response::parse_for(req.kind, &answer).ok_or_else(|| {
                storecheck_core::Error::InvalidAnswer {
                    code: req.code.clone(),
                    problem: storecheck_core::error::AnswerProblem::WrongKind(req.kind.as_str()),
                }
            })?;
            let saved = db.save_answer(
                id,
                &req_code,
                &AnswerInput {
                    response: Some(response),
                    note,
                },
            )?;
            let score = &saved.score;
            out.print(&saved, || {
                Message::AnswerSaved {
                    code: &req_code,
                    answer: &answer,
                    score: score.score,
                    answered: score.answered,
                    total: score.total,
                }
                .text(out.lang)
            })
        }
        Command::Fill { audit, answers } => {
            let id = db.resolve_audit(&audit)?;
            let bytes =
                std::fs::read(&answers).map_err(|e| storecheck_core::Error::io(&answers, e))?;
            let name = answers.file_name().map_or_else(
                || answers.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            let n = db.fill_from_csv(id, &name, &bytes)?;
            let view = db.load_audit(id)?;
            out.print(&json!({"saved": n, "audit": show_json(&view)}), || {
                format!(
                    "{}\n{}",
                    Message::AnswersSaved { count: n }.text(out.lang),
                    show_text(&view, out.lang)
                )
            })
        }
        Command::Photo {
            audit,
            req_code,
            files,
        } => {
            let id = db.resolve_audit(&audit)?;
            let prepared = storecheck_core::photo::prepare_files(&files, &Default::default())
                .into_iter()
                .collect::<Result<Vec<_>, _>>()?;
            let saved = db.attach_photos(id, &req_code, &prepared)?;
            out.print(&saved, || {
                let mut s = String::new();
                for p in &saved.photos {
                    let line = Message::PhotoAttached {
                        file: &p.file_name,
                        code: &p.code,
                        width: p.width,
                        height: p.height,
                        sha256: &p.sha256,
                    };
                    let _ = writeln!(s, "{}", line.text(out.lang));
                }
                let photos_missing = saved
                    .missing
                    .iter()
                    .filter(|m| m.what == MissingWhat::Photo)
                    .map(|m| m.code.as_str())
                    .collect::<Vec<_>>();
                if !photos_missing.is_empty() {
                    let codes = photos_missing.join(", ");
                    let said = Message::PhotosStillNeeded { codes: &codes };
                    let _ = writeln!(s, "{}", said.text(out.lang));
                }
                s.trim_end().to_string()
            })
        }
        Command::Show { audit } => {
            let view = db.load_audit(db.resolve_audit(&audit)?)?;
            out.print(&show_json(&view), || show_text(&view, out.lang))
        }
        Command::Complete { audit } => {
            let view = db.complete_audit(db.resolve_audit(&audit)?)?;
            out.print(&show_json(&view), || {
                format!(
                    "{}\n{}",
                    Message::Completed.text(out.lang),
                    show_text(&view, out.lang)
                )
            })
        }
        Command::Reopen { audit } => {
            let view = db.reopen_audit(db.resolve_audit(&audit)?)?;
            out.print(&show_json(&view), || Message::Reopened.text(out.lang))
        }
        Command::Sign {
            audit,
            signer,
            signature_image,
            acknowledged_by,
            acknowledgement_image,
            out: out_path,
            lang,
        } => {
            let id = db.resolve_audit(&audit)?;
            let read = |p: &Option<PathBuf>| {
                p.as_ref()
                    .map(|p| std::fs::read(p).map_err(|e| storecheck_core::Error::io(p, e)))
                    .transpose()
            };
            // The standard's language unless --lang says otherwise, not the computer's.
            let standard_language = db.load_audit(id)?.standard.language;
            let request = storecheck_report::SignRequest {
                signer,
                lang: storecheck_report::report_lang(
                    &standard_language,
                    lang.as_deref().map(storecheck_core::Lang::from_tag),
                ),
                drawn: read(&signature_image)?,
                acknowledged_by,
                acknowledgement: read(&acknowledgement_image)?,
                utc_offset: *chrono::Local::now().offset(),
            };
            // Signing locks the audit for good: find out first whether the copy can be written.
            if let Some(p) = &out_path {
                check_writable(p, out.lang)?;
            }
            let signed = storecheck_report::sign_audit(db, id, &request, chrono::Utc::now())?;
            let (report, cert) = (&signed.report, &signed.certificate);
            if let Some(p) = &out_path
                && let Err(e) = std::fs::copy(&report.path, p)
            {
                let said = Message::CopyFailed {
                    kept: &report.path,
                    copy: p,
                    error: &e,
                    audit: &id.to_string(),
                };
                anyhow::bail!(said.text(out.lang));
            }
            let written = out_path
                .as_ref()
                .map_or(report.path.clone(), |p| p.display().to_string());
            let certificate = json!({
                "subject": cert.subject, "issuer": cert.issuer, "self_made": cert.self_made,
                "not_before": cert.not_before, "not_after": cert.not_after,
            });
            out.print(
                &json!({"report": report, "out": written, "certificate": certificate}),
                || {
                    let whose = if cert.self_made {
                        Message::CertificateSelfMade {
                            subject: &cert.subject,
                        }
                    } else {
                        Message::CertificateIssued {
                            subject: &cert.subject,
                            issuer: &cert.issuer,
                        }
                    };
                    let lines = [
                        Message::SignedBy {
                            signer: &report.signer,
                            at: &report.signed_at,
                        },
                        whose,
                        Message::ReportAt { path: &written },
                    ];
                    lines
                        .iter()
                        .map(|m| m.text(out.lang))
                        .collect::<Vec<_>>()
                        .join("\n")
                },
            )
        }
        Command::Revise { audit, reason } => {
            let id = db.resolve_audit(&audit)?;
            let new = db.revise_audit(id, &reason)?;
            out.print(&json!({"id": new, "revision_of": id}), || {
                Message::Revision {
                    id: &new.to_string(),
                    of: &id.to_string(),
                }
                .text(out.lang)
            })
        }
        Command::Action {
            audit,
            req_code,
            what,
            owner,
            due,
        } => {
            let id = db.resolve_audit(&audit)?;
            let action = db.add_action(
                id,
                &NewAction {
                    code: req_code,
                    what,
                    owner,
                    due,
                },
            )?;
            out.print(&action, || {
                Message::ActionRecorded {
                    code: &action.code,
                    what: &action.what,
                    owner: &action.owner,
                    due: &action.due,
                }
                .text(out.lang)
            })
        }
    }
}

fn answer_text(r: &Option<Response>) -> String {
    r.as_ref().map_or_else(String::new, Response::to_cli)
}

/// The `audit show --json` document (PRODUCT.md §9).
pub fn show_json(v: &AuditView) -> Value {
    let h = &v.header;
    json!({
        "id": h.id,
        "status": h.status,
        "store": {"code": h.store.code, "name": h.store.name, "region": h.store.region},
        "shift_date": h.shift_date,
        "shift": h.shift,
        "auditor": h.auditor,
        "observed": h.observed,
        "standard": {"code": h.standard_code, "version": h.standard_version, "title": h.standard_title},
        "score": v.score.score,
        "rating": v.score.rating,
        "hard_failures": v.score.hard_failures,
        "answered": v.score.answered,
        "total": v.score.total,
        "open": v.score.open,
        "sections": v.score.sections.iter().map(|s| json!({
            "title": s.title, "score": s.score, "answered": s.answered, "total": s.total, "findings": s.findings,
        })).collect::<Vec<_>>(),
        "findings": v.score.findings.iter().map(|f| json!({
            "code": f.code, "requirement": f.text, "section": f.section, "hard": f.hard, "note": f.note,
        })).collect::<Vec<_>>(),
        "answers": v.answers.iter().map(|a| json!({
            "code": a.code, "answer": a.response.as_ref().map(Response::to_cli), "note": a.note,
        })).collect::<Vec<_>>(),
        "actions": v.actions,
        "missing": v.missing,
        "photos": v.photos.iter().map(|p| json!({
            "requirement": p.code, "sha256": p.sha256, "width": p.width, "height": p.height,
            "file_name": p.file_name, "caption": p.caption, "format": p.format, "bytes": p.bytes,
        })).collect::<Vec<_>>(),
        "report": v.report.as_ref().map(|r| json!({
            "id": r.id, "signer": r.signer, "signed_at": r.signed_at,
            "acknowledged_by": r.acknowledged_by, "path": r.path, "sha256": r.pdf_sha256,
        })),
        "revision_of": h.revision_of,
        "revision_reason": h.revision_reason,
        "revised_by": v.revised_by,
    })
}

fn show_text(v: &AuditView, lang: Lang) -> String {
    let h = &v.header;
    let mut s = String::new();
    let mut line = |m: Message| {
        let _ = writeln!(s, "{}", m.text(lang));
    };
    line(Message::ShowHeader {
        id: &h.id.to_string(),
        status: h.status,
    });
    if let Some(of) = h.revision_of {
        line(Message::ShowRevisionOf {
            of: &of.to_string(),
            reason: h.revision_reason.as_deref().unwrap_or(""),
        });
    }
    if let Some(r) = &v.report {
        line(Message::ShowSignedBy {
            signer: &r.signer,
            at: &r.signed_at,
            path: &r.path,
        });
    }
    if let Some(by) = v.revised_by {
        line(Message::ShowCorrectedBy {
            by: &by.to_string(),
        });
    }
    line(Message::ShowShift {
        store: &h.store.code,
        name: &h.store.name,
        date: &h.shift_date,
        shift: h.shift,
        auditor: &h.auditor,
    });
    if let Some(o) = &h.observed {
        line(Message::ShowObserved { who: o });
    }
    line(Message::ShowStandard {
        code: &h.standard_code,
        version: &h.standard_version,
        title: &h.standard_title,
    });
    line(Message::ShowScore {
        score: v.score.score,
        rating: v.score.rating.as_deref(),
        answered: v.score.answered,
        total: v.score.total,
    });
    let _ = writeln!(s, "\n{}", Message::SectionsHeading.text(lang));
    for sec in &v.score.sections {
        let _ = writeln!(
            s,
            "  {:>6}  {}/{}  {}",
            crate::messages::percent(sec.score, lang),
            sec.answered,
            sec.total,
            sec.title
        );
    }
    if !v.score.findings.is_empty() {
        let _ = writeln!(s, "\n{}", Message::FindingsHeading.text(lang));
        for f in &v.score.findings {
            let hard = if f.hard {
                Message::HardMark.text(lang)
            } else {
                String::new()
            };
            let _ = writeln!(s, "  {}{hard}  {}", f.code, f.text);
            if let Some(n) = &f.note {
                let _ = writeln!(s, "        {}", Message::FindingNote { note: n }.text(lang));
            }
        }
    }
    if !v.actions.is_empty() {
        let _ = writeln!(s, "\n{}", Message::ActionsHeading.text(lang));
        for a in &v.actions {
            let id = a.id.to_string();
            let action = Message::ActionLine {
                id: &id,
                code: &a.code,
                what: &a.what,
                owner: &a.owner,
                due: &a.due_now,
                done_on: a.done_on.as_deref(),
            };
            let _ = writeln!(s, "  {}", action.text(lang));
        }
    }
    if !v.missing.is_empty() {
        let items = v
            .missing
            .iter()
            .map(|m| match m.what {
                MissingWhat::Answer => m.code.clone(),
                MissingWhat::Photo => format!("{}{}", m.code, Message::PhotoMark.text(lang)),
            })
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(s, "\n{}", Message::StillOpen { items: &items }.text(lang));
    }
    if !v.photos.is_empty() {
        let _ = writeln!(s, "\n{}", Message::PhotosHeading.text(lang));
        for p in &v.photos {
            let _ = writeln!(
                s,
                "  {:<6} {}  {}×{}  {}{}",
                p.code,
                &p.sha256[..12],
                p.width,
                p.height,
                p.file_name,
                if p.caption.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", p.caption)
                }
            );
        }
    }
    let _ = writeln!(s, "\n{}", Message::AnswersHeading.text(lang));
    for sec in &v.standard.sections {
        let _ = writeln!(s, "  {}", sec.title);
        for r in &sec.requirements {
            let a = v.answers.iter().find(|a| a.requirement_id == r.id);
            let answer = a.map(|a| answer_text(&a.response)).unwrap_or_default();
            let _ = writeln!(
                s,
                "    {:<6} {:<8} {}",
                r.code,
                if answer.is_empty() {
                    "·".to_string()
                } else {
                    answer
                },
                r.text
            );
        }
    }
    s
}

/// Refuses an output path whose folder does not exist or that is a folder, before anything
/// that cannot be undone happens.
fn check_writable(path: &std::path::Path, lang: Lang) -> anyhow::Result<()> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    if path.is_dir() || !folder.is_dir() {
        let said = Message::OutNotWritable {
            path,
            is_folder: path.is_dir(),
        };
        anyhow::bail!(said.text(lang));
    }
    Ok(())
}
