//! Standard import under attack: crafted spreadsheets, zip bombs and oversized standards are
//! refused with a message that names the file, the limit and where it was passed, without a
//! panic and without writing anything; the largest standard the limits allow still imports.

use std::io::{Cursor, Read, Write};
use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use storecheck_core::db::Inputs;
use storecheck_core::import::{limits, read_standard};
use storecheck_core::{Db, ErrorCode, Lang};

fn db() -> Db {
    let clock = Arc::new(|| {
        Utc.with_ymd_and_hms(2026, 11, 22, 9, 30, 0)
            .single()
            .expect("time")
    });
    Db::open_in_memory(Inputs::seeded(clock, 1)).expect("in-memory db")
}

/// Imports `bytes` saved as `name` the way the command line and the app do (read, then
/// publish), expects a refusal, checks that the database did not change, and returns the
/// problems in English and Russian.
fn refused(name: &str, bytes: &[u8]) -> (Vec<String>, Vec<String>) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write");
    let mut db = db();
    let before = db.list_standards().expect("list");
    let result = read_standard(&path).and_then(|draft| db.publish_standard(&draft));
    let e = match result {
        Ok(outcome) => panic!("{name} must be refused, yet it imported as {outcome:?}"),
        Err(e) => e,
    };
    assert_eq!(e.code(), ErrorCode::ImportInvalid, "{name}: {e}");
    assert!(
        e.to_string().contains(name),
        "the message names the file: {e}"
    );
    assert_eq!(
        db.list_standards().expect("list"),
        before,
        "a refused file writes nothing"
    );
    let texts = |lang| e.problems().iter().map(|p| p.text(lang)).collect();
    (texts(Lang::En), texts(Lang::Ru))
}

fn assert_says(problems: &[String], what: &str) {
    assert!(
        problems.iter().any(|p| p.contains(what)),
        "expected a problem saying {what:?}, got {problems:#?}"
    );
}

const HEADER: [&str; 3] = ["section", "code", "requirement"];

/// A small valid standard as XLSX, with `extra` written into its first sheet.
fn xlsx_with(extra: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in HEADER.iter().enumerate() {
        sheet.write(0, c as u16, *h).expect("header");
    }
    for r in 1..=3u32 {
        sheet.write(r, 0, "Greeting").expect("cell");
        sheet.write(r, 1, format!("1.{r}")).expect("cell");
        sheet.write(r, 2, format!("Requirement {r}")).expect("cell");
    }
    extra(sheet);
    book.save_to_buffer().expect("xlsx")
}

/// The same archive with each entry passed through `edit` (name, content) and deflated again.
fn rezip(bytes: &[u8], edit: impl Fn(&str, Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).expect("entry");
        let name = entry.name().expect("name").to_string();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).expect("read");
        out.start_file(name.as_str(), options).expect("start");
        out.write_all(&edit(&name, data)).expect("write");
    }
    out.finish().expect("finish").into_inner()
}

/// Sets the `uniqueCount` of the shared-string table to `claimed`.
fn with_unique_count(bytes: &[u8], claimed: &str) -> Vec<u8> {
    rezip(bytes, |name, data| {
        if name != "xl/sharedStrings.xml" {
            return data;
        }
        let xml = String::from_utf8(data).expect("utf-8");
        let start = xml.find("uniqueCount=\"").expect("uniqueCount") + "uniqueCount=\"".len();
        let end = start + xml[start..].find('"').expect("closing quote");
        format!("{}{claimed}{}", &xml[..start], &xml[end..]).into_bytes()
    })
}

#[test]
fn a_shared_string_table_claiming_a_trillion_strings_is_refused_not_allocated() {
    let crafted = with_unique_count(&xlsx_with(|_| {}), "1000000000000");
    let (en, ru) = refused("trillion.xlsx", &crafted);
    assert_says(
        &en,
        "xl/sharedStrings.xml: the table of texts claims to hold 1000000000000",
    );
    assert_says(&ru, "таблица текстов заявляет 1000000000000");
}

#[test]
fn a_shared_string_table_claiming_u64_max_strings_is_refused_without_a_panic() {
    let crafted = with_unique_count(&xlsx_with(|_| {}), "18446744073709551615");
    let (en, _) = refused("u64max.xlsx", &crafted);
    assert_says(&en, "claims to hold 18446744073709551615 texts");
}

#[test]
fn a_cell_at_xfd1048576_is_refused_without_building_the_sheet_it_implies() {
    // With the header at A1, a dense range up to XFD1048576 is 17 billion cells (512 GB).
    let crafted = xlsx_with(|sheet| {
        sheet.write(1_048_575, 16_383, "far away").expect("cell");
    });
    let (en, ru) = refused("far.xlsx", &crafted);
    assert_says(
        &en,
        &format!(
            "cell XFD1048576: a standard's sheet uses at most {} columns",
            limits::COLUMNS
        ),
    );
    assert_says(
        &ru,
        "ячейка XFD1048576: лист стандарта занимает не больше 100 столбцов",
    );
}

#[test]
fn a_sheet_that_makes_the_reader_panic_is_refused_with_a_message() {
    // A dimension whose end comes before its start: the spreadsheet reader subtracts them.
    let crafted = rezip(&xlsx_with(|_| {}), |name, data| {
        if name != "xl/worksheets/sheet1.xml" {
            return data;
        }
        let xml = String::from_utf8(data).expect("utf-8");
        let start = xml.find("<dimension ref=\"").expect("dimension");
        let end = start + xml[start..].find("/>").expect("end of tag");
        format!("{}<dimension ref=\"B2:A1\"{}", &xml[..start], &xml[end..]).into_bytes()
    });
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("backwards.xlsx");
    std::fs::write(&path, &crafted).expect("write");
    // The reader's arithmetic only panics where overflow is checked (debug builds); either way
    // the result must be a message, and where it panics, that message says what to do.
    let outcome = std::panic::catch_unwind(|| read_standard(&path));
    let outcome = outcome.expect("a panic while reading a file must not leave import");
    if cfg!(debug_assertions) {
        let e = outcome.expect_err("a sheet the reader chokes on is refused");
        assert_eq!(e.code(), ErrorCode::ImportInvalid);
        assert_says(
            &e.problems()
                .iter()
                .map(|p| p.text(Lang::En))
                .collect::<Vec<_>>(),
            "the file could not be read",
        );
    }
}

/// A shared-string table holding one string of `len` letters: packs about 1,000 times.
fn bomb_strings(len: usize) -> Vec<u8> {
    let mut xml = b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"1\" uniqueCount=\"1\"><si><t>".to_vec();
    xml.resize(xml.len() + len, b'a');
    xml.extend_from_slice(b"</t></si></sst>");
    xml
}

fn with_bomb(len: usize) -> Vec<u8> {
    rezip(&xlsx_with(|_| {}), |name, data| {
        if name == "xl/sharedStrings.xml" {
            let mut xml = String::from_utf8(data).expect("utf-8");
            // Keep the sheet's strings, and add the bomb as one more.
            let bomb = String::from_utf8(bomb_strings(len)).expect("ascii");
            let si = &bomb[bomb.find("<si>").expect("si")..bomb.find("</sst>").expect("end")];
            let end = xml.find("</sst>").expect("end");
            xml.insert_str(end, si);
            xml.into_bytes()
        } else {
            data
        }
    })
}

#[test]
fn a_zip_bomb_is_refused_from_its_declared_size() {
    let crafted = with_bomb(100 * 1024 * 1024);
    assert!(crafted.len() < 1024 * 1024, "the bomb itself is small");
    let (en, ru) = refused("bomb.xlsx", &crafted);
    assert_says(
        &en,
        &format!(
            "the spreadsheet unpacks to more than {} MB",
            limits::MAX_INFLATED_BYTES / 1024 / 1024
        ),
    );
    assert_says(&ru, "zip-бомба");
}

#[test]
fn a_part_that_packs_a_thousand_times_is_refused_as_a_bomb() {
    let crafted = with_bomb(8 * 1024 * 1024);
    let (en, _) = refused("dense.xlsx", &crafted);
    assert_says(
        &en,
        &format!("a spreadsheet packs at most {} times", limits::MAX_RATIO),
    );
}

/// Rewrites the uncompressed size of entry `name` in its local and central headers.
fn lie_about_size(zip: &mut [u8], name: &str, size: u32) {
    let mut patched = 0;
    for i in 0..zip.len().saturating_sub(46) {
        let (sig, size_at, name_len_at, name_at) = match zip[i..i + 4] {
            [0x50, 0x4b, 0x03, 0x04] => ("local", 22, 26, 30),
            [0x50, 0x4b, 0x01, 0x02] => ("central", 24, 28, 46),
            _ => continue,
        };
        let len = u16::from_le_bytes([zip[i + name_len_at], zip[i + name_len_at + 1]]) as usize;
        if zip.get(i + name_at..i + name_at + len) == Some(name.as_bytes()) {
            zip[i + size_at..i + size_at + 4].copy_from_slice(&size.to_le_bytes());
            patched += 1;
            let _ = sig;
        }
    }
    assert_eq!(patched, 2, "both headers of {name} patched");
}

#[test]
fn a_zip_bomb_whose_headers_lie_is_caught_while_reading() {
    let mut crafted = with_bomb(100 * 1024 * 1024);
    lie_about_size(&mut crafted, "xl/sharedStrings.xml", 1000);
    let (en, _) = refused("liar.xlsx", &crafted);
    // Caught by a reader that stops one byte past the declared size, not after 100 MB.
    assert_says(
        &en,
        "xl/sharedStrings.xml: this part of the archive unpacks to more than the 1000 bytes its header declares",
    );
}

#[test]
fn a_csv_of_100000_sections_stops_at_the_section_limit() {
    let mut csv = String::from("section,code,requirement\n");
    for i in 0..100_000 {
        csv.push_str(&format!("Section {i},{i},Requirement {i}\n"));
    }
    let (en, ru) = refused("sections.csv", csv.as_bytes());
    // Header on row 1, the 200 allowed sections on rows 2..=201.
    assert_eq!(
        en,
        [format!(
            "row {}: a standard holds at most {} sections; merge sections or split the file into several standards",
            limits::SECTIONS + 2,
            limits::SECTIONS
        )],
        "one problem, at the first row past the limit"
    );
    assert_says(
        &ru,
        "строка 202: в стандарте может быть не больше 200 разделов",
    );
}

#[test]
fn a_csv_of_a_million_rows_stops_at_the_requirement_limit() {
    let mut csv = String::from("section,code,requirement\n");
    for i in 0..1_000_000 {
        csv.push_str(&format!("S,{i},R\n"));
    }
    let (en, ru) = refused("million.csv", csv.as_bytes());
    assert_eq!(
        en,
        [
            "row 2002: a standard holds at most 2,000 requirements; split the file into several standards"
        ],
        "one problem, at the first row past the limit"
    );
    assert_says(
        &ru,
        "строка 2002: в стандарте может быть не больше 2\u{a0}000 требований",
    );
}

#[test]
fn a_spreadsheet_of_too_many_rows_stops_at_the_requirement_limit() {
    let crafted = xlsx_with(|sheet| {
        for r in 4..=3000u32 {
            sheet.write(r, 0, "Greeting").expect("cell");
            sheet.write(r, 1, format!("1.{r}")).expect("cell");
            sheet.write(r, 2, "R").expect("cell");
        }
    });
    let (en, _) = refused("rows.xlsx", &crafted);
    assert_says(&en, "row 2002: a standard holds at most 2,000 requirements");
}

#[test]
fn json_with_too_many_requirements_or_values_is_refused_by_the_limit() {
    let req = r#"{"section":"S","code":"C","requirement":"R"}"#;
    let json = format!(
        r#"{{"requirements":[{}]}}"#,
        vec![req; limits::REQUIREMENTS + 1].join(",")
    );
    let (en, _) = refused("many.json", json.as_bytes());
    assert_says(
        &en,
        "requirements[2000]: a standard holds at most 2,000 requirements",
    );

    let json = format!(r#"{{"junk":[{}0]}}"#, "0,".repeat(limits::JSON_VALUES));
    let (en, _) = refused("values.json", json.as_bytes());
    assert_says(&en, "the file holds more than 200,000 values");
}

#[test]
fn texts_longer_than_their_limit_are_refused_with_row_and_column() {
    let csv = format!(
        "section,code,requirement,guidance\nS,1,{},ok\nS,2,ok,{}\nS,{},ok,\n{},4,ok,\n",
        "ж".repeat(limits::TEXT_CHARS + 1),
        "g".repeat(limits::GUIDANCE_CHARS + 1),
        "c".repeat(limits::CODE_CHARS + 1),
        "s".repeat(limits::TITLE_CHARS + 1),
    );
    let (en, ru) = refused("long.csv", csv.as_bytes());
    assert_says(
        &en,
        "row 2, column requirement: the requirement is 1001 characters long; at most 1000 are allowed",
    );
    assert_says(
        &en,
        "row 3, column guidance: the guidance is 3001 characters long",
    );
    assert_says(&en, "row 4, column code: the code is 51 characters long");
    assert_says(
        &en,
        "row 5, column section: the section is 301 characters long",
    );
    // 1001 takes the singular in Russian («1001 символ»), 3001 too.
    assert_says(
        &ru,
        "строка 2, столбец requirement: поле «требование» длиной 1001 символ; допустимо не больше 1000",
    );
    assert_says(
        &ru,
        "строка 5, столбец section: поле «раздел» длиной 301 символ;",
    );
}

/// Cyrillic words from a fixed pseudo-random sequence: text that packs like real text.
fn words(seed: &mut u64, chars: usize) -> String {
    const ALPHABET: &[char] = &[
        'а', 'б', 'в', 'г', 'д', 'е', 'ж', 'з', 'и', 'к', 'л', 'м', 'н', 'о', 'п', 'р', 'с', 'т',
        'у', 'ф', 'х', 'ц', 'ч', 'ш', 'ы', 'э', 'ю', 'я', ' ', ' ',
    ];
    let mut out = String::new();
    for i in 0..chars {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let c = ALPHABET[(*seed >> 33) as usize % ALPHABET.len()];
        // No leading or trailing space: texts are trimmed.
        out.push(if c == ' ' && (i == 0 || i + 1 == chars) {
            'а'
        } else {
            c
        });
    }
    out
}

/// The largest standard the limits allow: every requirement, section and text at its limit.
fn largest_rows() -> Vec<[String; 4]> {
    let mut seed = 7;
    let sections: Vec<String> = (0..limits::SECTIONS)
        .map(|i| format!("{i:03} {}", words(&mut seed, limits::TITLE_CHARS - 4)))
        .collect();
    (0..limits::REQUIREMENTS)
        .map(|i| {
            [
                sections[i % limits::SECTIONS].clone(),
                format!("{i:0>width$}", width = limits::CODE_CHARS),
                words(&mut seed, limits::TEXT_CHARS),
                words(&mut seed, limits::GUIDANCE_CHARS),
            ]
        })
        .collect()
}

fn import_largest(path: &Path) {
    let draft = read_standard(path).unwrap_or_else(|e| panic!("{e}: {:?}", e.problems()));
    let mut db = db();
    let outcome = db.publish_standard(&draft).expect("publish");
    assert_eq!(
        (outcome.standard.sections, outcome.standard.requirements),
        (limits::SECTIONS as u32, limits::REQUIREMENTS as u32),
        "everything the limits allow is kept"
    );
}

#[test]
fn the_largest_standard_the_limits_allow_imports_as_csv_and_xlsx() {
    let rows = largest_rows();
    let dir = tempfile::tempdir().expect("dir");

    let mut csv = String::from("section,code,requirement,guidance\n");
    for r in &rows {
        csv.push_str(&r.join(","));
        csv.push('\n');
    }
    let path = dir.path().join("largest.csv");
    std::fs::write(&path, &csv).expect("write");
    assert!(
        csv.len() as u64 <= storecheck_core::import::MAX_FILE_BYTES,
        "the largest standard fits the file limit: {} bytes",
        csv.len()
    );
    import_largest(&path);

    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["section", "code", "requirement", "guidance"]
        .iter()
        .enumerate()
    {
        sheet.write(0, c as u16, *h).expect("header");
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            sheet.write(r as u32 + 1, c as u16, text).expect("cell");
        }
    }
    let path = dir.path().join("largest.xlsx");
    book.save(&path).expect("xlsx");
    import_largest(&path);
}
