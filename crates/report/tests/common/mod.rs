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
    let pdf = sign(&mut db, id);
    (dir, db, id, pdf)
}

/// Signs the completed audit `id` as [`signed_demo`] does; returns the signed PDF.
pub fn sign(db: &mut Db, id: uuid::Uuid) -> Vec<u8> {
    storecheck_report::sign_audit(
        db,
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
    db.signed_pdf(id).expect("the signed PDF")
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

/// Appends an incremental update holding `objects` (number, body between `obj` and `endobj`).
pub fn append_update(pdf: &[u8], objects: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let doc = lopdf::Document::load_mem(pdf).expect("the PDF reads");
    let root = doc
        .trailer
        .get(b"Root")
        .expect("Root")
        .as_reference()
        .expect("ref");
    let size = doc
        .trailer
        .get(b"Size")
        .expect("Size")
        .as_i64()
        .expect("int");
    let prev_at = pdf
        .windows(9)
        .rposition(|w| w == b"startxref")
        .expect("startxref");
    let prev: String = pdf[prev_at + 9..]
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| b as char)
        .collect();
    let mut out = pdf.to_vec();
    let mut offsets = Vec::new();
    for (id, body) in objects {
        offsets.push((*id, out.len()));
        out.extend_from_slice(format!("{id} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(b"xref\n0 1\n0000000000 65535 f \n");
    for (id, off) in &offsets {
        out.extend_from_slice(format!("{id} 1\n{off:010} 00000 n \n").as_bytes());
    }
    let max = objects
        .iter()
        .map(|(id, _)| i64::from(*id) + 1)
        .max()
        .unwrap_or(0);
    let info = match doc.trailer.get(b"Info") {
        Ok(lopdf::Object::Reference((n, g))) => format!("/Info {n} {g} R"),
        _ => String::new(),
    };
    out.extend_from_slice(
        format!(
            "trailer\n<</Size {}/Root {} {} R{info}/Prev {prev}>>\nstartxref\n{xref}\n%%EOF\n",
            size.max(max),
            root.0,
            root.1
        )
        .as_bytes(),
    );
    out
}
