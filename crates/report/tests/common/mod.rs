//! What the report tests share: the demo's database and the poppler and qpdf tools that look
//! at a PDF as a reader would.
#![allow(dead_code)] // each test file uses its own part

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use storecheck_core::db::{Ids, Inputs};
use storecheck_core::model::AuditStatus;
use storecheck_core::{Db, Lang};

/// 22 November 2026, 18:05 UTC: the time every report test is made at.
pub fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 18, 5, 0)
        .single()
        .expect("time")
}

/// Ids for files a test writes outside a database (a signer's key and certificate).
pub fn ids() -> Ids {
    Ids::seeded(Arc::new(at), 1)
}

/// A new database with the Russian demo, and the id of its completed audit.
pub fn demo_db() -> (tempfile::TempDir, Db, uuid::Uuid) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut db = Db::open(&dir.path().join("s.db"), Inputs::seeded(Arc::new(at), 1)).expect("open");
    db.load_demo(Lang::Ru).expect("demo");
    let id = db
        .list_audits()
        .expect("list")
        .into_iter()
        .find(|a| a.status == AuditStatus::Completed)
        .expect("a completed audit")
        .id;
    (dir, db, id)
}

/// `qpdf --check` passes.
pub fn assert_qpdf_accepts(path: &Path) {
    let qpdf = Command::new("qpdf")
        .arg("--check")
        .arg(path)
        .output()
        .expect("qpdf runs");
    assert!(
        qpdf.status.success(),
        "{}",
        String::from_utf8_lossy(&qpdf.stdout)
    );
}

/// The text poppler reads from the PDF, laid out as on the page.
pub fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    assert!(out.status.success());
    String::from_utf8(out.stdout).expect("utf-8")
}

/// What poppler's pdfsig says of the PDF's signatures.
pub fn pdfsig(path: &Path) -> String {
    let out = Command::new("pdfsig")
        .arg(path)
        .output()
        .expect("pdfsig (poppler-utils) runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A demo database with its completed audit signed by Анна Смирнова (a self-made certificate);
/// returns the signed PDF.
pub fn signed_demo() -> (tempfile::TempDir, Db, uuid::Uuid, Vec<u8>) {
    let (dir, mut db, id) = demo_db();
    storecheck_report::sign_audit(
        &mut db,
        id,
        &storecheck_report::SignRequest {
            signer: "Анна Смирнова".into(),
            lang: Lang::Ru,
            drawn: None,
            acknowledged_by: Some("Ольга Петрова".into()),
            acknowledgement: None,
            utc_offset: chrono::FixedOffset::east_opt(3 * 3600).expect("offset"),
        },
        at(),
    )
    .expect("sign");
    let pdf = db.signed_pdf(id).expect("the signed PDF");
    (dir, db, id, pdf)
}

/// The demo's completed audit with two failed values and corrective actions: 6.1 (at least 4
/// questions) answered 3, 4.3 (a scale of 1 to 5) answered 2, and an action each for 3.5 and
/// 6.1. Completed again, not signed.
pub fn demo_with_failed_values() -> (tempfile::TempDir, Db, uuid::Uuid) {
    use storecheck_core::audit::{AnswerInput, NewAction};
    use storecheck_core::model::Response;
    let (dir, mut db, id) = demo_db();
    db.reopen_audit(id).expect("reopen");
    for (code, value) in [("6.1", 3.0), ("4.3", 2.0)] {
        db.save_answer(
            id,
            code,
            &AnswerInput {
                response: Some(Response::Value(value)),
                note: None,
            },
        )
        .expect("answer");
    }
    db.complete_audit(id).expect("complete");
    for (code, what, owner) in [
        (
            "3.5",
            "Проверять примерочные каждый час и убирать оставленные вещи",
            "Ольга Петрова",
        ),
        (
            "6.1",
            "Повторить с продавцами вопросы для выявления потребности",
            "Анна Смирнова",
        ),
    ] {
        db.add_action(
            id,
            &NewAction {
                code: code.into(),
                what: what.into(),
                owner: owner.into(),
                due: "2026-12-01".into(),
            },
        )
        .expect("action");
    }
    (dir, db, id)
}

/// The text poppler reads from each page of the PDF, page by page.
pub fn pages_text(pdf: &Path) -> Vec<String> {
    pdftotext(pdf)
        .split('\u{c}')
        .map(str::to_string)
        .filter(|p| !p.trim().is_empty())
        .collect()
}

/// What poppler's pdfinfo says of the PDF (title, pages, …).
pub fn pdfinfo(pdf: &Path) -> String {
    let out = Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .expect("pdfinfo (poppler-utils) runs");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}
