//! The report of the demo's completed audit: deterministic, readable by poppler and qpdf,
//! with the Cyrillic texts, the store, the auditor, the score and the photos in it.

use std::collections::HashMap;
use std::path::Path;

use chrono::{TimeZone, Utc};
use sha2::Digest;
use storecheck_core::audit::AuditView;
use storecheck_core::photo::Variant;
use storecheck_core::{Db, Lang};
use storecheck_report::{Options, ReportInput, SignatureBlock, render};
use uuid::Uuid;

mod common;
use common::{assert_qpdf_accepts, pdftotext};

fn demo() -> (tempfile::TempDir, Db, AuditView) {
    let (dir, db, id) = common::demo_db();
    let view = db.load_audit(id).expect("load");
    (dir, db, view)
}

fn display_copies(db: &Db, view: &AuditView) -> HashMap<String, Vec<u8>> {
    let store = db.photo_store().expect("store");
    view.photos
        .iter()
        .map(|p| {
            let bytes = std::fs::read(store.path(&p.sha256, Variant::Display)).expect("display");
            (p.sha256.clone(), bytes)
        })
        .collect()
}

fn options(lang: Lang) -> Options {
    Options {
        lang,
        report_id: Uuid::parse_str("01930000-0000-7000-8000-000000000001").expect("uuid"),
        generated_at: Utc
            .with_ymd_and_hms(2026, 11, 22, 18, 5, 0)
            .single()
            .expect("time"),
        utc_offset: chrono::FixedOffset::east_opt(3 * 3600).expect("offset"),
    }
}

/// The report of `view` before signing, with fixed id and time.
fn unsigned(view: &AuditView, photos: &HashMap<String, Vec<u8>>, lang: Lang) -> Vec<u8> {
    render(
        &ReportInput {
            audit: view,
            photos,
            signature: None,
            revises: None,
        },
        &options(lang),
    )
    .expect("render")
}

fn signature() -> SignatureBlock {
    SignatureBlock {
        signer: "Анна Смирнова".into(),
        signed_at: Utc
            .with_ymd_and_hms(2026, 11, 22, 18, 5, 0)
            .single()
            .expect("time"),
        drawn: None,
        acknowledged_by: Some("Ольга Петрова".into()),
        acknowledgement: None,
    }
}

#[test]
fn the_russian_report_has_the_texts_the_photos_and_passes_qpdf() {
    let (dir, db, view) = demo();
    let photos = display_copies(&db, &view);
    let sig = signature();
    let pdf = render(
        &ReportInput {
            audit: &view,
            photos: &photos,
            signature: Some(&sig),
            revises: None,
        },
        &options(Lang::Ru),
    )
    .expect("render");
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, &pdf).expect("write");
    if let Some(out) = std::env::var_os("STORECHECK_REPORT_OUT") {
        std::fs::write(Path::new(&out).join("report-ru.pdf"), &pdf).expect("copy out");
    }
    assert_qpdf_accepts(&path);
    let text = pdftotext(&path);
    for needle in [
        "Отчёт о проверке",
        "Тверская, 12",
        "Анна Смирнова",
        "93,9 %",
        "Отлично",
        "Во второй и четвёртой примерочных оставлены вещи и вешалки",
        "Все сотрудники в зале одеты в форму",
        "стр. 1 из",
        "01930000-0000-7000-8000-000000000001",
        "Ольга Петрова",
        // Signed at 18:05 UTC on a computer three hours ahead: its local time, with the offset.
        "22.11.2026 21:05 (UTC+3)",
    ] {
        assert!(text.contains(needle), "{needle:?} not found in:\n{text}");
    }
    // The display copies are in the file byte for byte: passed through, not re-encoded.
    for bytes in photos.values() {
        assert!(
            pdf.windows(bytes.len()).any(|w| w == bytes.as_slice()),
            "a display copy must be embedded unchanged"
        );
    }
}

#[test]
fn the_english_report_speaks_english() {
    let (dir, db, view) = demo();
    let photos = display_copies(&db, &view);
    let pdf = unsigned(&view, &photos, Lang::En);
    if let Some(out) = std::env::var_os("STORECHECK_REPORT_OUT") {
        std::fs::write(Path::new(&out).join("report-en.pdf"), &pdf).expect("copy out");
    }
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, &pdf).expect("write");
    let text = pdftotext(&path);
    for needle in [
        "Audit report",
        "Score by section",
        "Findings",
        "93.9%",
        "page 1 of",
    ] {
        assert!(text.contains(needle), "{needle:?} not found");
    }
}

#[test]
fn the_same_audit_renders_to_the_same_bytes() {
    let (_dir, db, view) = demo();
    let photos = display_copies(&db, &view);
    let sig = signature();
    let input = ReportInput {
        audit: &view,
        photos: &photos,
        signature: Some(&sig),
        revises: None,
    };
    let a = render(&input, &options(Lang::Ru)).expect("render");
    let b = render(&input, &options(Lang::Ru)).expect("render again");
    assert_eq!(sha2::Sha256::digest(&a), sha2::Sha256::digest(&b));
    let mut later = options(Lang::Ru);
    later.report_id = Uuid::now_v7();
    let c = render(&input, &later).expect("render with another id");
    assert_ne!(a, c, "the report id is in the file");
}

#[test]
fn photos_that_run_onto_a_new_page_say_whose_they_are() {
    let (dir, db, mut view) = demo();
    let photos = display_copies(&db, &view);
    // Twelve more photos of the fitting room (a finding): they take more than a page.
    let fitting_room = view
        .photos
        .iter()
        .find(|p| p.code == "3.5")
        .expect("a photo of 3.5")
        .clone();
    view.photos.extend(std::iter::repeat_n(fitting_room, 12));
    let pdf = unsigned(&view, &photos, Lang::Ru);
    let path = dir.path().join("many.pdf");
    std::fs::write(&path, &pdf).expect("write");
    let text = pdftotext(&path);
    assert!(text.contains("3.5 · Фото (продолжение)"), "{text}");
}
