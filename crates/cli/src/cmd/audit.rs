//! `storecheck audit new|list|answer|fill|photo|show|complete|reopen|sign|revise|action`

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use serde_json::{Value, json};
use storecheck_core::Db;
use storecheck_core::audit::{AnswerInput, AuditView, NewAction, NewAudit};
use storecheck_core::error::MissingWhat;
use storecheck_core::model::{Response, ShiftPart};
use storecheck_core::scoring::FAILED_HARD;

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
            let shift = ShiftPart::parse(&shift)
                .context("shift must be opening, day, evening or closing")?;
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
                    return "No audits yet. Start one with `storecheck audit new`, or run `storecheck demo`.".into();
                }
                let mut s = String::new();
                for a in &audits {
                    let _ = writeln!(
                        s,
                        "{}  {} {:<8} {:<9} {:<10} {:>6}  {}/{}  {}@{}  {}",
                        a.id,
                        a.shift_date,
                        a.store_code,
                        a.shift.as_str(),
                        a.status.as_str(),
                        a.score.map_or("—".into(), |v| format!("{v:.1}%")),
                        a.answered,
                        a.total,
                        a.standard_code,
                        a.standard_version,
                        a.auditor
                    );
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
                    what: "requirement",
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
                format!(
                    "Saved {}: {}. Score {}, {} of {} answered.",
                    req_code,
                    answer,
                    score.score.map_or("—".into(), |v| format!("{v:.1}%")),
                    score.answered,
                    score.total
                )
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
                format!("Saved {n} answers.\n{}", show_text(&view))
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
            let ru = out.lang == storecheck_core::Lang::Ru;
            out.print(&saved, || {
                let mut s = String::new();
                for p in &saved.photos {
                    let _ = writeln!(
                        s,
                        "{} {} {} {}: {}×{}, sha256 {}",
                        if ru { "Фото" } else { "Attached" },
                        p.file_name,
                        if ru { "приложено к" } else { "to" },
                        p.code,
                        p.width,
                        p.height,
                        p.sha256
                    );
                }
                let photos_missing = saved
                    .missing
                    .iter()
                    .filter(|m| m.what == MissingWhat::Photo)
                    .map(|m| m.code.as_str())
                    .collect::<Vec<_>>();
                if !photos_missing.is_empty() {
                    let _ = if ru {
                        writeln!(s, "Ещё нужны фото к {}.", photos_missing.join(", "))
                    } else {
                        writeln!(s, "Photos still needed for {}.", photos_missing.join(", "))
                    };
                }
                s.trim_end().to_string()
            })
        }
        Command::Show { audit } => {
            let view = db.load_audit(db.resolve_audit(&audit)?)?;
            out.print(&show_json(&view), || show_text(&view))
        }
        Command::Complete { audit } => {
            let view = db.complete_audit(db.resolve_audit(&audit)?)?;
            out.print(&show_json(&view), || {
                format!("Completed.\n{}", show_text(&view))
            })
        }
        Command::Reopen { audit } => {
            let view = db.reopen_audit(db.resolve_audit(&audit)?)?;
            out.print(&show_json(&view), || {
                "Reopened: the audit is a draft again.".to_string()
            })
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
                check_writable(p)?;
            }
            let signed = storecheck_report::sign_audit(db, id, &request, chrono::Utc::now())?;
            let (report, cert) = (&signed.report, &signed.certificate);
            if let Some(p) = &out_path
                && let Err(e) = std::fs::copy(&report.path, p)
            {
                anyhow::bail!(if out.lang == storecheck_core::Lang::Ru {
                    format!(
                        "проверка подписана, отчёт сохранён в {}, но копию в {} записать не удалось ({e}); запишите её командой storecheck report pdf {id} --out ФАЙЛ",
                        report.path,
                        p.display()
                    )
                } else {
                    format!(
                        "the audit is signed and its report kept in {}, but the copy to {} could not be written ({e}); write it with storecheck report pdf {id} --out FILE",
                        report.path,
                        p.display()
                    )
                });
            }
            let written = out_path
                .as_ref()
                .map_or(report.path.clone(), |p| p.display().to_string());
            let ru = out.lang == storecheck_core::Lang::Ru;
            let certificate = json!({
                "subject": cert.subject, "issuer": cert.issuer, "self_made": cert.self_made,
                "not_before": cert.not_before, "not_after": cert.not_after,
            });
            out.print(
                &json!({"report": report, "out": written, "certificate": certificate}),
                || {
                    let whose = match (ru, cert.self_made) {
                        (true, true) => format!(
                            "Сертификат: «{}», создан самим подписавшим (его ещё не заверил ЦО).",
                            cert.subject
                        ),
                        (true, false) => {
                            format!("Сертификат: «{}», выдан «{}».", cert.subject, cert.issuer)
                        }
                        (false, true) => format!(
                            "Certificate: \"{}\", self-made (HQ has not certified it yet).",
                            cert.subject
                        ),
                        (false, false) => format!(
                            "Certificate: \"{}\", issued by \"{}\".",
                            cert.subject, cert.issuer
                        ),
                    };
                    if ru {
                        format!(
                            "Подписал(а) {} в {}. Проверка заблокирована.\n{whose}\nОтчёт: {written}",
                            report.signer, report.signed_at
                        )
                    } else {
                        format!(
                            "Signed by {} at {}. The audit is locked.\n{whose}\nReport: {written}",
                            report.signer, report.signed_at
                        )
                    }
                },
            )
        }
        Command::Revise { audit, reason } => {
            let id = db.resolve_audit(&audit)?;
            let new = db.revise_audit(id, &reason)?;
            let ru = out.lang == storecheck_core::Lang::Ru;
            out.print(&json!({"id": new, "revision_of": id}), || {
                if ru {
                    format!("{new}\nНовый черновик, исправляющий {id}.")
                } else {
                    format!("{new}\nA new draft that corrects {id}.")
                }
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
                format!(
                    "Corrective action for {}: {} ({}, by {}).",
                    action.code, action.what, action.owner, action.due
                )
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

fn show_text(v: &AuditView) -> String {
    let h = &v.header;
    let mut s = String::new();
    let _ = writeln!(s, "Audit {}  [{}]", h.id, h.status.as_str());
    if let Some(of) = h.revision_of {
        let _ = writeln!(
            s,
            "Revision of {of}: {}",
            h.revision_reason.as_deref().unwrap_or("")
        );
    }
    if let Some(r) = &v.report {
        let _ = writeln!(s, "Signed by {} at {}: {}", r.signer, r.signed_at, r.path);
    }
    if let Some(by) = v.revised_by {
        let _ = writeln!(s, "Corrected by revision {by}");
    }
    let _ = writeln!(
        s,
        "Store {} {}, shift {} {}, auditor {}",
        h.store.code,
        h.store.name,
        h.shift_date,
        h.shift.as_str(),
        h.auditor
    );
    if let Some(o) = &h.observed {
        let _ = writeln!(s, "Observed: {o}");
    }
    let _ = writeln!(
        s,
        "Standard {}@{} {}",
        h.standard_code, h.standard_version, h.standard_title
    );
    let rating = match v.score.rating.as_deref() {
        Some(FAILED_HARD) => "FAILED (hard requirement)".to_string(),
        Some(r) => r.to_string(),
        None => "—".into(),
    };
    let _ = writeln!(
        s,
        "Score {}  rating {}  answered {}/{}",
        v.score.score.map_or("—".into(), |x| format!("{x:.1}%")),
        rating,
        v.score.answered,
        v.score.total
    );
    let _ = writeln!(s, "\nSections:");
    for sec in &v.score.sections {
        let _ = writeln!(
            s,
            "  {:>6}  {}/{}  {}",
            sec.score.map_or("—".into(), |x| format!("{x:.1}%")),
            sec.answered,
            sec.total,
            sec.title
        );
    }
    if !v.score.findings.is_empty() {
        let _ = writeln!(s, "\nFindings:");
        for f in &v.score.findings {
            let _ = writeln!(
                s,
                "  {}{}  {}",
                f.code,
                if f.hard { " (hard)" } else { "" },
                f.text
            );
            if let Some(n) = &f.note {
                let _ = writeln!(s, "        note: {n}");
            }
        }
    }
    if !v.actions.is_empty() {
        let _ = writeln!(s, "\nCorrective actions:");
        for a in &v.actions {
            let _ = writeln!(s, "  {}  {} — {}, by {}", a.code, a.what, a.owner, a.due);
        }
    }
    if !v.missing.is_empty() {
        let _ = writeln!(
            s,
            "\nStill open: {}",
            v.missing
                .iter()
                .map(|m| match m.what {
                    MissingWhat::Answer => m.code.clone(),
                    MissingWhat::Photo => format!("{} (photo)", m.code),
                })
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !v.photos.is_empty() {
        let _ = writeln!(s, "\nPhotos:");
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
    let _ = writeln!(s, "\nAnswers:");
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
fn check_writable(path: &std::path::Path) -> storecheck_core::Result<()> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    if path.is_dir() || !folder.is_dir() {
        let what = if path.is_dir() {
            (
                "is a folder; give a file name",
                "— это папка; укажите имя файла",
            )
        } else {
            (
                "is in a folder that does not exist",
                "— в папке, которой нет",
            )
        };
        return Err(storecheck_core::Error::invalid(
            "out",
            format!("{} {}; nothing was signed", path.display(), what.0),
            format!("{} {}; ничего не подписано", path.display(), what.1),
        ));
    }
    Ok(())
}
