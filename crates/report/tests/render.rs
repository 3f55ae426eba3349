//! The report of the demo's completed audit: deterministic, readable by poppler and qpdf,
//! with the Cyrillic texts, the store, the auditor, the score and the photos in it.

// A test may write the PDFs it makes where $STORECHECK_REPORT_OUT says, to look at them.
#![allow(clippy::disallowed_methods)]

use std::collections::HashMap;
use std::path::Path;

use chrono::{TimeZone, Utc};
use sha2::Digest;
use storecheck_core::audit::AuditView;
use storecheck_core::model::Response;
use storecheck_core::photo::Variant;
use storecheck_core::{Db, Lang};
use storecheck_report::{
    Options, ReportInput, SignatureBlock, missing_glyphs, render, report_lang, report_texts,
};
use uuid::Uuid;

mod common;
use common::{assert_qpdf_accepts, pages_text, pdfinfo, pdftotext};

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
            data: None,
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
            data: None,
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
    let data =
        serde_json::to_vec(&db.signed_audit_data(view.header.id).expect("data")).expect("JSON");
    let input = ReportInput {
        audit: &view,
        photos: &photos,
        signature: Some(&sig),
        revises: None,
        data: Some(&data),
    };
    let a = render(&input, &options(Lang::Ru)).expect("render");
    let b = render(&input, &options(Lang::Ru)).expect("render again");
    assert_eq!(sha2::Sha256::digest(&a), sha2::Sha256::digest(&b));
    let other = render(
        &ReportInput {
            data: Some(b"{}"),
            ..input
        },
        &options(Lang::Ru),
    )
    .expect("render with other data");
    assert_ne!(a, other, "the data is in the file");
    let mut later = options(Lang::Ru);
    later.report_id = Uuid::parse_str("01930000-0000-7000-8000-000000000002").expect("uuid");
    let c = render(&input, &later).expect("render with another id");
    assert_ne!(a, c, "the report id is in the file");
}

/// Each page of the PDF as poppler draws it (PNG, 50 dpi).
fn page_images(pdf: &Path) -> Vec<Vec<u8>> {
    let prefix = pdf.with_extension("page");
    let out = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "50"])
        .arg(pdf)
        .arg(&prefix)
        .output()
        .expect("pdftoppm (poppler-utils) runs");
    assert!(out.status.success(), "{out:?}");
    let dir = pdf.parent().expect("folder");
    let stem = prefix
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let mut pages: Vec<_> = std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{stem}-")))
        })
        .collect();
    pages.sort();
    pages
        .iter()
        .map(|p| std::fs::read(p).expect("page image"))
        .collect()
}

#[test]
fn the_carried_data_changes_nothing_on_the_pages() {
    let (dir, db, view) = demo();
    let photos = display_copies(&db, &view);
    let sig = signature();
    let data =
        serde_json::to_vec(&db.signed_audit_data(view.header.id).expect("data")).expect("JSON");
    let with = |data| {
        render(
            &ReportInput {
                audit: &view,
                photos: &photos,
                signature: Some(&sig),
                revises: None,
                data,
            },
            &options(Lang::Ru),
        )
        .expect("render")
    };
    let bare = keep(&dir, "bare.pdf", &with(None));
    let carrying = keep(&dir, "carrying.pdf", &with(Some(&data)));
    assert_qpdf_accepts(&carrying);
    assert_eq!(pdftotext(&carrying), pdftotext(&bare));
    let (a, b) = (page_images(&bare), page_images(&carrying));
    assert!(a.len() > 1, "{} pages", a.len());
    assert!(a == b, "every page looks the same with the data as without");
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

/// Writes `pdf` into the test's folder (and, when `STORECHECK_REPORT_OUT` names a folder, a
/// copy there to look at) and returns its path.
fn keep(dir: &tempfile::TempDir, name: &str, pdf: &[u8]) -> std::path::PathBuf {
    if let Some(out) = std::env::var_os("STORECHECK_REPORT_OUT") {
        std::fs::write(Path::new(&out).join(name), pdf).expect("copy out");
    }
    let path = dir.path().join(name);
    std::fs::write(&path, pdf).expect("write");
    path
}

#[test]
fn every_label_and_symbol_of_the_report_has_a_glyph() {
    // What the issue named, whether or not today's layout uses each: corrective actions are
    // headed by an arrow, and reports quote and number things.
    let symbols = "→ ✓ × « » — – № % ₽ … · 0123456789";
    assert_eq!(
        missing_glyphs(symbols),
        Vec::<char>::new(),
        "in {symbols:?}"
    );
    for lang in [Lang::Ru, Lang::En] {
        let texts = report_texts(lang);
        // The list really is the report's: its labels and its action line are in it.
        assert!(texts.len() > 60, "{lang:?}: only {} texts", texts.len());
        assert!(texts.iter().any(|t| t.starts_with("→ ")), "{texts:?}");
        for text in &texts {
            assert_eq!(
                missing_glyphs(text),
                Vec::<char>::new(),
                "{lang:?}: the report's fonts cannot draw these characters of {text:?}"
            );
        }
    }
    // The check itself sees a character no font of the report has.
    assert_eq!(missing_glyphs("ok 漢"), vec!['漢']);
}

#[test]
fn the_arrow_of_a_corrective_action_is_drawn_from_a_font_that_has_it() {
    let (dir, db, id) = common::demo_with_failed_values();
    let view = db.load_audit(id).expect("load");
    let photos = display_copies(&db, &view);
    let path = keep(&dir, "actions-ru.pdf", &unsigned(&view, &photos, Lang::Ru));
    let text = pdftotext(&path);
    assert!(
        text.contains("→ Проверять примерочные каждый час"),
        "the action line, arrow first:\n{text}"
    );
    let fonts = std::process::Command::new("pdffonts")
        .arg(&path)
        .output()
        .expect("pdffonts runs");
    let fonts = String::from_utf8_lossy(&fonts.stdout);
    assert!(
        fonts.contains("DejaVuSans"),
        "PT Sans has no arrow: DejaVu Sans must draw it\n{fonts}"
    );
}

#[test]
fn the_auditors_own_comments_have_a_block_of_their_own() {
    let (dir, db, view) = demo();
    let photos = display_copies(&db, &view);
    for (lang, heading, findings) in [
        (Lang::Ru, "Комментарии проверяющего", "Несоответствия ("),
        (Lang::En, "Auditor's comments", "Findings ("),
    ] {
        let path = keep(&dir, "comments.pdf", &unsigned(&view, &photos, lang));
        let text = pdftotext(&path);
        let at = |needle: &str| {
            text.find(needle)
                .unwrap_or_else(|| panic!("{needle:?} not found in:\n{text}"))
        };
        // Under their heading, before the findings: the requirement, then the answer.
        let block = at(heading);
        let strengths = at("Сильные стороны работы смены");
        let answer = at("Тёплое приветствие, хорошее знание коллекции");
        let remarks = at("Навести порядок в примерочных до 12:00");
        assert!(block < strengths && strengths < answer && answer < remarks);
        assert!(
            remarks < at(findings),
            "the comments come before the findings"
        );
        // At a readable size: a word of the answer is set as body text (11 pt), not as a note
        // (9 pt); poppler's box of a word is as tall as its font size.
        let height = word_height(&path, "Тёплое").expect("the answer's first word");
        assert!(height >= 10.5, "the answer is set too small: {height} pt");
    }
}

/// The height poppler gives the first occurrence of `word` (`pdftotext -bbox`).
fn word_height(pdf: &Path, word: &str) -> Option<f32> {
    let out = std::process::Command::new("pdftotext")
        .arg("-bbox")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    let html = String::from_utf8_lossy(&out.stdout);
    let line = html
        .lines()
        .find(|l| l.contains(&format!(">{word}</word>")))?;
    let attr = |name: &str| -> Option<f32> {
        let start = line.find(&format!("{name}=\""))? + name.len() + 2;
        let rest = &line[start..];
        rest[..rest.find('"')?].parse().ok()
    };
    Some(attr("yMax")? - attr("yMin")?)
}

#[test]
fn a_failed_value_is_shown_beside_its_norm() {
    let (dir, db, id) = common::demo_with_failed_values();
    let view = db.load_audit(id).expect("load");
    let codes: Vec<_> = view
        .score
        .findings
        .iter()
        .map(|f| f.code.as_str())
        .collect();
    assert!(
        codes.contains(&"6.1") && codes.contains(&"4.3"),
        "{codes:?}"
    );
    let photos = display_copies(&db, &view);
    for (lang, number, scale, row_number, row_scale) in [
        (
            Lang::Ru,
            "Норма: не менее 4 — факт: 3",
            "Норма: не менее 3 по шкале от 1 до 5 — оценка: 2",
            "Нет: 3",
            "Нет: 2 / 5",
        ),
        (
            Lang::En,
            "Norm: at least 4 — measured: 3",
            "Norm: at least 3 on a scale of 1 to 5 — given: 2",
            "Fail: 3",
            "Fail: 2 / 5",
        ),
    ] {
        let path = keep(&dir, "values.pdf", &unsigned(&view, &photos, lang));
        let text = pdftotext(&path);
        // In the findings and again in the list of every requirement.
        for needle in [number, scale] {
            assert_eq!(text.matches(needle).count(), 2, "{needle:?} in:\n{text}");
        }
        // The row of the list says it failed, with the value, on the requirement's line.
        for (code, answer) in [("6.1", row_number), ("4.3", row_scale)] {
            assert!(
                text.lines()
                    .any(|l| l.trim_start().starts_with(code) && l.trim_end().ends_with(answer)),
                "{code} … {answer} not found in:\n{text}"
            );
        }
    }
}

#[test]
fn norms_read_as_the_standard_gives_their_bounds() {
    // Through the rendered report: a standard of every shape of bound, each answer failed.
    let (dir, db, mut view) = demo();
    let photos = display_copies(&db, &view);
    let shapes: [(&str, Option<f64>, Option<f64>, f64); 3] = [
        ("1.1", None, Some(5.0), 7.0),
        ("3.8", Some(1.0), Some(3.0), 0.0),
        ("4.4", Some(2.5), None, 1.5),
    ];
    for (code, min, max, value) in shapes {
        let req = view
            .standard
            .sections
            .iter_mut()
            .flat_map(|s| s.requirements.iter_mut())
            .find(|r| r.code == code)
            .expect("requirement");
        (req.min, req.max) = (min, max);
        let id = req.id;
        let answer = view
            .answers
            .iter_mut()
            .find(|a| a.requirement_id == id)
            .expect("answer");
        answer.response = Some(Response::Value(value));
    }
    let answers = view
        .answers
        .iter()
        .filter_map(|a| {
            a.response.as_ref().map(|r| {
                let given = storecheck_core::scoring::Given {
                    response: r,
                    note: a.note.as_deref(),
                };
                (a.requirement_id, given)
            })
        })
        .collect();
    view.score = storecheck_core::scoring::score(&view.standard, &answers);
    for (lang, needles) in [
        (
            Lang::Ru,
            [
                "Норма: не более 5 — факт: 7",
                "Норма: от 1 до 3 — факт: 0",
                "Норма: не менее 2,5 — факт: 1,5",
            ],
        ),
        (
            Lang::En,
            [
                "Norm: at most 5 — measured: 7",
                "Norm: 1 to 3 — measured: 0",
                "Norm: at least 2.5 — measured: 1.5",
            ],
        ),
    ] {
        let path = keep(&dir, "norms.pdf", &unsigned(&view, &photos, lang));
        let text = pdftotext(&path);
        for needle in needles {
            assert!(text.contains(needle), "{needle:?} not found in:\n{text}");
        }
    }
}

#[test]
fn a_finding_never_leaves_its_first_photo_for_the_next_page() {
    let (dir, db, mut view) = demo();
    let photos = display_copies(&db, &view);
    // Without the comments the first finding (3.5, with a photo) starts low on page 1; each
    // added line of observed staff moves it 13 points further down, across the page's end.
    view.answers
        .retain(|a| !matches!(a.response, Some(Response::Text(_))));
    let finding = "Примерочные чистые, в них нет оставленных вещей";
    let caption = "Примерочная №2: вещи и вешалки";
    let mut pages_seen = Vec::new();
    for extra in 0..24 {
        let staff: Vec<String> = (0..=extra).map(|i| format!("Сотрудник {i}")).collect();
        view.header.observed = Some(staff.join("\n"));
        let path = keep(&dir, "keep.pdf", &unsigned(&view, &photos, Lang::Ru));
        let pages = pages_text(&path);
        // The findings come before the list of every requirement: the first page that has the
        // text is the finding's.
        let page = pages
            .iter()
            .position(|p| p.contains(finding))
            .expect("the finding is in the report");
        assert!(
            pages[page].contains(caption),
            "with {extra} more lines the finding is on page {} and its photo is not:\n{}",
            page + 1,
            pages[page]
        );
        assert_eq!(
            first_image_page(&path),
            page + 1,
            "the finding's photo is the report's first image"
        );
        pages_seen.push(page);
    }
    // The sweep did cross the end of the page: the finding was on page 1 and then on page 2.
    assert!(
        pages_seen.contains(&0) && pages_seen.contains(&1),
        "{pages_seen:?}"
    );
}

/// The page of the first image in the PDF (`pdfimages -list`).
fn first_image_page(pdf: &Path) -> usize {
    let out = std::process::Command::new("pdfimages")
        .arg("-list")
        .arg(pdf)
        .output()
        .expect("pdfimages runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(2)
        .and_then(|l| l.split_whitespace().next()?.parse().ok())
        .expect("an image")
}

#[test]
fn the_report_speaks_the_standards_language_unless_told_otherwise() {
    assert_eq!(report_lang("ru", None), Lang::Ru);
    assert_eq!(report_lang("ru-RU", None), Lang::Ru);
    assert_eq!(report_lang("en", None), Lang::En);
    assert_eq!(report_lang("ru", Some(Lang::En)), Lang::En, "asked for");
    assert_eq!(report_lang("en", Some(Lang::Ru)), Lang::Ru, "asked for");
    // The demo's standard is Russian: its report has Russian labels and a Russian title.
    let (dir, db, view) = demo();
    let photos = display_copies(&db, &view);
    let lang = report_lang(&view.standard.language, None);
    assert_eq!(lang, Lang::Ru);
    for (lang, title, label) in [
        (lang, "Отчёт о проверке · MSK-01", "Оценка по разделам"),
        (Lang::En, "Audit report · MSK-01", "Score by section"),
    ] {
        let path = keep(&dir, "lang.pdf", &unsigned(&view, &photos, lang));
        let info = pdfinfo(&path);
        assert!(
            info.lines()
                .any(|l| l.starts_with("Title:") && l.ends_with(title)),
            "the title is in the labels' language ({lang:?}):\n{info}"
        );
        assert!(pdftotext(&path).contains(label));
    }
}
