//! The audit's data a signed report carries (`storecheck-audit.json`): what comes back is what
//! was signed, read from the signed revision only; one changed byte in it breaks the signature;
//! data put in after signing is told apart from the signed data; a newer format is refused with
//! a reason; reports signed before reports carried data have none.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use lopdf::{Dictionary, Object};
use storecheck_core::Lang;
use storecheck_core::model::AuditStatus;
use storecheck_core::record::{RECORD_FORMAT, SIGNED_DATA_FILE, SignedAuditData};
use storecheck_report::sign::{Signer, sign_pdf, verify_pdf, verify_pdf_in};
use storecheck_report::{
    DataError, DataStatus, Options, ReportInput, SignatureBlock, embedded_data, render,
};

mod common;
use common::{append_update, at, demo_db, ids, pdfsig, sign, signed_demo};

/// What poppler's pdfdetach lists of the PDF's embedded files.
fn pdfdetach_list(pdf: &Path) -> String {
    let out = Command::new("pdfdetach")
        .arg("-list")
        .arg(pdf)
        .output()
        .expect("pdfdetach (poppler-utils) runs");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The first embedded file as poppler's pdfdetach extracts it.
fn pdfdetach_first(pdf: &Path) -> Vec<u8> {
    let to = pdf.with_extension("detached.json");
    let out = Command::new("pdfdetach")
        .args(["-save", "1", "-o"])
        .arg(&to)
        .arg(pdf)
        .output()
        .expect("pdfdetach (poppler-utils) runs");
    assert!(out.status.success(), "{out:?}");
    std::fs::read(&to).expect("the extracted file")
}

fn keep(dir: &tempfile::TempDir, name: &str, pdf: &[u8]) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, pdf).expect("write");
    path
}

/// The embedded file's stream in `pdf` (its object number and its raw, compressed bytes), found
/// as a reader finds it: catalog, /Names, /EmbeddedFiles, the file specification, /EF /F.
fn data_stream(pdf: &[u8]) -> (u32, Vec<u8>) {
    let doc = lopdf::Document::load_mem(pdf).expect("reads");
    let names = doc
        .catalog()
        .and_then(|c| c.get(b"Names"))
        .and_then(|n| doc.dereference(n))
        .and_then(|(_, n)| n.as_dict())
        .and_then(|n| n.get(b"EmbeddedFiles"))
        .and_then(|t| doc.dereference(t))
        .and_then(|(_, t)| t.as_dict())
        .and_then(|t| t.get(b"Names"))
        .and_then(Object::as_array)
        .expect("the catalog's /Names /EmbeddedFiles");
    assert_eq!(
        names[0].as_str().expect("a name"),
        SIGNED_DATA_FILE.as_bytes()
    );
    let spec = doc
        .dereference(&names[1])
        .and_then(|(_, s)| s.as_dict())
        .expect("the file specification");
    let file = spec
        .get(b"EF")
        .and_then(Object::as_dict)
        .and_then(|ef| ef.get(b"F"))
        .and_then(Object::as_reference)
        .expect("/EF /F");
    let stream = doc
        .get_object(file)
        .and_then(Object::as_stream)
        .expect("a stream");
    assert_eq!(
        stream.dict.get(b"Subtype").and_then(Object::as_name).ok(),
        Some(b"application/json".as_slice()),
        "its type"
    );
    assert_eq!(
        stream.dict.get(b"Filter").and_then(Object::as_name).ok(),
        Some(b"FlateDecode".as_slice()),
        "compressed"
    );
    (file.0, stream.content.clone())
}

/// `pdf` with an incremental update appended that makes `json` the catalog's
/// storecheck-audit.json: a new stream, a new file specification and the catalog pointing at
/// them, as a forger would add them.
fn with_data_appended(pdf: &[u8], json: &[u8]) -> Vec<u8> {
    let doc = lopdf::Document::load_mem(pdf).expect("reads");
    let size = u32::try_from(
        doc.trailer
            .get(b"Size")
            .and_then(Object::as_i64)
            .expect("Size"),
    )
    .expect("size");
    let root = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .expect("Root");
    let (file, spec) = (size, size + 1);
    let mut catalog = doc
        .get_object(root)
        .and_then(Object::as_dict)
        .expect("catalog")
        .clone();
    let mut tree = Dictionary::new();
    tree.set(
        "Names",
        Object::Array(vec![
            Object::string_literal(SIGNED_DATA_FILE),
            Object::Reference((spec, 0)),
        ]),
    );
    let mut names = Dictionary::new();
    names.set("EmbeddedFiles", Object::Dictionary(tree));
    catalog.set("Names", Object::Dictionary(names));
    let mut catalog_bytes = Vec::new();
    lopdf::Writer::write_object(&mut catalog_bytes, &Object::Dictionary(catalog))
        .expect("write the catalog");
    let mut stream = format!(
        "<</Type/EmbeddedFile/Subtype/application#2Fjson/Length {}>>\nstream\n",
        json.len()
    )
    .into_bytes();
    stream.extend_from_slice(json);
    stream.extend_from_slice(b"\nendstream");
    let spec_body = format!(
        "<</Type/Filespec/F({SIGNED_DATA_FILE})/UF({SIGNED_DATA_FILE})/EF<</F {file} 0 R/UF {file} 0 R>>>>"
    );
    assert_eq!(root.1, 0);
    append_update(
        pdf,
        &[
            (file, stream),
            (spec, spec_body.into_bytes()),
            (root.0, catalog_bytes),
        ],
    )
}

#[test]
fn the_signed_pdf_carries_the_audit_as_it_was_the_moment_before_signing() {
    let (dir, mut db, id) = demo_db();
    let before = db.signed_audit_data(id).expect("the audit's data");
    assert_eq!(before.audit.status, AuditStatus::Completed);
    let pdf = sign(&mut db, id);

    let carried = embedded_data(&pdf)
        .expect("the data reads")
        .expect("the signed PDF carries data");
    assert_eq!(carried.audit, before.audit);
    assert_eq!(carried.standard, before.standard);
    assert_eq!(carried.format, RECORD_FORMAT);
    // It names the report it is signed in, as the store records it.
    let report = db.report_record(id).expect("read").expect("signed");
    let stamp = carried.report.clone().expect("the data names its report");
    assert_eq!(
        (
            stamp.id,
            stamp.signer.as_str(),
            stamp.signed_at.as_str(),
            stamp.lang.as_str()
        ),
        (
            report.id,
            report.signer.as_str(),
            report.signed_at.as_str(),
            report.lang.as_str()
        )
    );
    let now = db.audit_record(id).expect("the audit now");
    assert_eq!(now.status, AuditStatus::Signed);
    assert_eq!(
        now.signed_difference(&carried.audit),
        None,
        "the signed audit is the one the PDF carries, but for its status and last change"
    );
    assert_eq!(
        db.standard_record(now.standard_id).expect("standard"),
        carried.standard
    );

    // Any reader finds it: poppler lists and extracts the very JSON, and the signature holds.
    let path = keep(&dir, "signed.pdf", &pdf);
    let listed = pdfdetach_list(&path);
    assert!(listed.contains("1 embedded files"), "{listed}");
    assert!(listed.contains(SIGNED_DATA_FILE), "{listed}");
    assert_eq!(
        pdfdetach_first(&path),
        serde_json::to_vec(&carried).expect("JSON"),
        "compact JSON of the data"
    );
    data_stream(&pdf);
    let report = pdfsig(&path);
    assert!(report.contains("Signature is Valid"), "{report}");
    assert!(report.contains("Total document signed"), "{report}");

    let v = verify_pdf(&pdf, None);
    assert!(v.valid, "{v:?}");
    assert_eq!(v.data, DataStatus::Intact);
    assert_eq!(v.data_audit, Some(id));
    assert_eq!(v.data_problem, None);
}

#[test]
fn one_changed_byte_in_the_embedded_data_breaks_the_signature() {
    let (dir, _db, _id, pdf) = signed_demo();
    let signed = embedded_data(&pdf).expect("reads").expect("data");
    let (number, raw) = data_stream(&pdf);
    let header = format!("\n{number} 0 obj");
    let obj = pdf
        .windows(header.len())
        .position(|w| w == header.as_bytes())
        .expect("the stream's object");
    let start = obj
        + pdf[obj..]
            .windows(7)
            .position(|w| w == b"stream\n")
            .expect("stream")
        + 7;
    assert_eq!(&pdf[start..start + raw.len()], raw.as_slice());
    let mut bad = pdf.clone();
    bad[start + raw.len() / 2] ^= 0x01;

    let path = keep(&dir, "changed-data.pdf", &bad);
    let report = pdfsig(&path);
    assert!(!report.contains("Signature is Valid"), "{report}");
    let v = verify_pdf(&bad, None);
    assert!(!v.valid, "{v:?}");
    assert!(
        v.problem.as_deref().unwrap_or("").contains("changed"),
        "{v:?}"
    );
    assert_eq!(v.data, DataStatus::Unverified);
    assert_eq!(v.data_audit, None, "no audit is vouched for");
    assert!(
        v.data_problem
            .as_deref()
            .unwrap_or("")
            .contains("signature over the audit's data is not valid"),
        "{v:?}"
    );
    // Reading it does not panic, and never gives the signed data back as if unchanged.
    assert!(!matches!(embedded_data(&bad), Ok(Some(d)) if d == signed));
}

#[test]
fn data_put_in_after_signing_is_not_the_signed_data() {
    let (dir, _db, _id, pdf) = signed_demo();
    let signed = embedded_data(&pdf).expect("reads").expect("data");
    let mut forged: SignedAuditData = signed.clone();
    forged.audit.score = Some(100.0);
    forged.audit.hard_failures.clear();
    let json = serde_json::to_vec(&forged).expect("JSON");
    let changed = with_data_appended(&pdf, &json);

    // A reader of the whole file now finds the forged data...
    let path = keep(&dir, "appended.pdf", &changed);
    assert_eq!(pdfdetach_first(&path), json, "poppler reads the forgery");
    // ...but the data is read from the revision the signature covers.
    assert_eq!(embedded_data(&changed), Ok(Some(signed.clone())));
    let v = verify_pdf(&changed, None);
    assert!(!v.valid, "{v:?}");
    assert!(
        v.problem.as_deref().unwrap_or("").contains("whole file"),
        "{v:?}"
    );
    assert_eq!(v.data, DataStatus::NotCovered);
    assert_eq!(v.data_audit, None);
    assert!(
        v.data_problem
            .as_deref()
            .unwrap_or("")
            .contains("added, replaced or removed after signing"),
        "{v:?}"
    );
    let ru = verify_pdf_in(&changed, None, Lang::Ru);
    assert!(
        ru.data_problem
            .as_deref()
            .unwrap_or("")
            .contains("подпись не охватывает"),
        "{ru:?}"
    );

    // Signed again over the forgery, by a self-made certificate in the same name: still not the
    // first signature's data, and the change after it is named.
    let forger = Signer::load_or_create(&dir.path().join("forger"), "Анна Смирнова", at(), &ids())
        .expect("identity");
    let resigned = sign_pdf(&changed, &forger, at(), "x").expect("second signature");
    assert_eq!(embedded_data(&resigned), Ok(Some(signed)));
    let v = verify_pdf(&resigned, None);
    assert!(!v.valid, "{v:?}");
    assert!(
        v.problem
            .as_deref()
            .unwrap_or("")
            .contains("changed after signature 1"),
        "{v:?}"
    );
    assert_eq!(v.data, DataStatus::NotCovered);

    // The same data appended again (only re-written) is still the signed data.
    let same = with_data_appended(
        &pdf,
        &serde_json::to_vec(&embedded_data(&pdf).expect("reads").expect("data")).expect("JSON"),
    );
    assert_eq!(verify_pdf(&same, None).data, DataStatus::Intact);
}

#[test]
fn reports_signed_before_reports_carried_data_have_none() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/db/schema-3/reports");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("the fixture's reports") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "pdf") {
            continue;
        }
        let pdf = std::fs::read(&path).expect("read");
        let v = verify_pdf(&pdf, None);
        assert!(v.valid, "{}: {v:?}", path.display());
        assert_eq!(v.data, DataStatus::Absent, "{}", path.display());
        assert_eq!((v.data_audit, v.data_problem), (None, None));
        assert_eq!(embedded_data(&pdf), Ok(None));
        seen += 1;
    }
    assert!(seen > 0, "the fixture holds signed reports");
}

/// The demo's completed audit rendered with `data` embedded and signed by a self-made key
/// (photos left out); also the unsigned PDF.
fn signed_with(data: &[u8]) -> (tempfile::TempDir, Vec<u8>, Vec<u8>) {
    let (dir, db, id) = demo_db();
    let view = db.load_audit(id).expect("load");
    let pdf = render(
        &ReportInput {
            audit: &view,
            photos: &HashMap::new(),
            signature: Some(&SignatureBlock {
                signer: "Анна Смирнова".into(),
                signed_at: at(),
                drawn: None,
                acknowledged_by: None,
                acknowledgement: None,
            }),
            revises: None,
            data: Some(data),
        },
        &Options {
            lang: Lang::Ru,
            report_id: uuid::Uuid::nil(),
            generated_at: at(),
            utc_offset: chrono::FixedOffset::east_opt(0).expect("offset"),
        },
    )
    .expect("render");
    let signer = Signer::load_or_create(&dir.path().join("keys"), "Анна Смирнова", at(), &ids())
        .expect("identity");
    let signed = sign_pdf(&pdf, &signer, at(), "x").expect("sign");
    (dir, pdf, signed)
}

#[test]
fn data_in_a_newer_format_or_damaged_is_refused_with_a_reason() {
    let (_dir, db, id) = demo_db();
    let mut newer = serde_json::to_value(db.signed_audit_data(id).expect("data")).expect("JSON");
    newer["format"] = (RECORD_FORMAT + 1).into();
    let (_d, unsigned, signed) = signed_with(&serde_json::to_vec(&newer).expect("JSON"));
    let err = embedded_data(&signed).expect_err("a newer format is refused");
    assert_eq!(
        err,
        DataError::Newer {
            found: RECORD_FORMAT + 1
        }
    );
    assert!(err.to_string().contains("update StoreCheck"), "{err}");
    let v = verify_pdf(&signed, None);
    assert!(v.valid, "the signature is fine: {v:?}");
    assert_eq!(v.data, DataStatus::Unreadable);
    let problem = v.data_problem.unwrap_or_default();
    assert!(
        problem.contains(&format!("format {}", RECORD_FORMAT + 1)),
        "{problem}"
    );
    let ru = verify_pdf_in(&signed, None, Lang::Ru)
        .data_problem
        .unwrap_or_default();
    assert!(ru.contains("обновите StoreCheck"), "{ru}");

    // Unsigned, the same file is data no signature covers.
    assert_eq!(embedded_data(&unsigned), Err(DataError::Unsigned));
    let v = verify_pdf(&unsigned, None);
    assert!(!v.valid);
    assert_eq!(v.data, DataStatus::NotCovered);

    // Not the data StoreCheck writes.
    for junk in [
        b"{not json".as_slice(),
        br#"{"format":1}"#,
        br#"{"format":-1}"#,
    ] {
        let (_d, _unsigned, signed) = signed_with(junk);
        assert!(
            matches!(embedded_data(&signed), Err(DataError::Damaged(_))),
            "{}",
            String::from_utf8_lossy(junk)
        );
        let v = verify_pdf(&signed, None);
        assert_eq!(v.data, DataStatus::Unreadable);
        assert!(
            v.data_problem.unwrap_or_default().contains("is damaged"),
            "{}",
            String::from_utf8_lossy(junk)
        );
    }
}
