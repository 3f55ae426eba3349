//! The signed report as third-party tools see it: poppler's pdfsig calls it valid, qpdf finds
//! nothing wrong, and one changed byte anywhere in the signed ranges makes both pdfsig and
//! verify_pdf say invalid. Also the auditor's key file and certificate.

use storecheck_core::model::AuditStatus;
use storecheck_report::sign::{Signer, sign_pdf, signer_folder, verify_pdf};

mod common;
use common::{assert_qpdf_accepts, at, ids, pdfsig, signed_demo};

/// Where the demo signer's certificate is kept.
fn own_certificate(dir: &tempfile::TempDir) -> Vec<u8> {
    std::fs::read(
        dir.path()
            .join("keys")
            .join(signer_folder("Анна Смирнова"))
            .join("signing-cert.pem"),
    )
    .expect("own cert")
}

#[test]
fn pdfsig_and_qpdf_accept_the_signed_report() {
    let (dir, db, id, pdf) = signed_demo();
    let path = dir.path().join("signed.pdf");
    std::fs::write(&path, &pdf).expect("write");
    let report = pdfsig(&path);
    assert!(report.contains("Signature is Valid"), "{report}");
    assert!(report.contains("Total document signed"), "{report}");
    assert!(report.contains("Анна Смирнова"), "{report}");
    assert!(report.contains("ETSI.CAdES.detached"), "{report}");
    assert_qpdf_accepts(&path);
    let v = verify_pdf(&pdf, None);
    assert!(v.valid, "{v:?}");
    assert_eq!(
        v.signer, None,
        "without a trusted certificate the name is a claim, not a confirmed signer"
    );
    assert_eq!(v.claimed_signer.as_deref(), Some("Анна Смирнова"));
    assert_eq!(v.signed_at.as_deref(), Some("2026-11-22T18:05:00Z"));
    assert_eq!(v.trusted, None);
    assert_eq!(v.signatures.len(), 1);
    let status = db.load_audit(id).expect("load").header.status;
    assert_eq!(status, AuditStatus::Signed);
}

#[test]
fn one_changed_byte_anywhere_in_the_signed_ranges_is_caught() {
    let (dir, _db, _id, pdf) = signed_demo();
    let contents = pdf
        .windows(11)
        .rposition(|w| w == b"/Contents <")
        .expect("/Contents <");
    let hole_start = contents + 10;
    assert_eq!(pdf[hole_start], b'<');
    let hole_end = hole_start
        + pdf[hole_start..]
            .iter()
            .position(|&b| b == b'>')
            .expect(">")
        + 1;
    // Early (header), middle (page content), just before and after the hole, and the end.
    for at in [
        20,
        pdf.len() / 3,
        hole_start - 5,
        hole_end + 5,
        pdf.len() - 3,
    ] {
        let mut bad = pdf.clone();
        bad[at] ^= 0x01;
        let path = dir.path().join(format!("bad-{at}.pdf"));
        std::fs::write(&path, &bad).expect("write");
        let report = pdfsig(&path);
        assert!(
            !report.contains("Signature is Valid"),
            "pdfsig must refuse a change at byte {at}:\n{report}"
        );
        let v = verify_pdf(&bad, None);
        assert!(!v.valid, "verify must refuse a change at byte {at}");
        assert!(v.problem.is_some());
    }
    // Bytes added after signing are not covered: refused too.
    let mut longer = pdf.clone();
    longer.extend_from_slice(b"\n% appended\n");
    let v = verify_pdf(&longer, None);
    assert!(
        !v.valid && v.problem.as_deref().unwrap_or("").contains("whole file"),
        "{v:?}"
    );
}

#[test]
fn a_changed_signature_and_files_without_one_are_refused_with_a_reason() {
    let (_dir, _db, _id, pdf) = signed_demo();
    let contents = pdf
        .windows(11)
        .rposition(|w| w == b"/Contents <")
        .expect("/Contents <");
    let mut bad = pdf.clone();
    // Inside the CMS (in the certificate, 200 bytes in): the signature no longer checks out.
    let sig_byte = contents + 11 + 400;
    bad[sig_byte] = if bad[sig_byte] == b'a' { b'b' } else { b'a' };
    assert!(!verify_pdf(&bad, None).valid);

    let problem = |bytes: &[u8]| {
        let v = verify_pdf(bytes, None);
        assert!(!v.valid);
        v.problem.unwrap_or_default()
    };
    assert_eq!(
        problem(b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"),
        "the PDF carries no signature"
    );
    assert_eq!(problem(b"not a pdf at all"), "this is not a PDF file");
    assert_eq!(problem(b""), "the file is empty");
    assert!(
        problem(&pdf[..pdf.len() / 2]).contains("cut short"),
        "half a report is told apart from an unsigned one"
    );
}

/// The hex of `text` as it stands inside the signature's `/Contents <…>`.
fn hex(text: &str) -> Vec<u8> {
    text.bytes()
        .flat_map(|b| format!("{b:02x}").into_bytes())
        .collect()
}

#[test]
fn another_name_put_into_the_certificate_or_bytes_put_into_the_padding_are_caught() {
    let (dir, _db, _id, pdf) = signed_demo();
    let (from, to) = (hex("Анна"), hex("Иван"));
    assert_eq!(from.len(), to.len());
    let mut forged = pdf.clone();
    let mut n = 0;
    let mut i = 0;
    while let Some(at) = forged[i..]
        .windows(from.len())
        .position(|w| w == from.as_slice())
    {
        forged[i + at..i + at + to.len()].copy_from_slice(&to);
        i += at + to.len();
        n += 1;
    }
    assert!(
        n >= 2,
        "the name is in the certificate's subject and issuer"
    );
    let own = own_certificate(&dir);
    let v = verify_pdf(&forged, Some(&own));
    assert!(!v.valid, "{v:?}");
    assert!(
        v.problem.as_deref().unwrap_or("").contains("certificate"),
        "{v:?}"
    );
    assert_ne!(
        v.trusted,
        Some(true),
        "a forged certificate is not the trusted one"
    );

    // The zeros after the signature, inside /Contents: not signed, but not to be written in.
    let start = pdf
        .windows(11)
        .rposition(|w| w == b"/Contents <")
        .expect("/Contents <");
    let end = start
        + pdf[start..]
            .iter()
            .position(|&b| b == b'>')
            .expect("end of /Contents");
    assert_eq!(&pdf[end - 10..end], b"0000000000", "padding before the end");
    let mut padded = pdf.clone();
    padded[end - 10] = b'7';
    let v = verify_pdf(&padded, None);
    assert!(!v.valid, "{v:?}");
}

#[test]
fn trust_is_the_signers_certificate_or_its_issuer_and_nothing_else() {
    let (dir, _db, _id, pdf) = signed_demo();
    let own = own_certificate(&dir);
    let confirmed = verify_pdf(&pdf, Some(&own));
    assert_eq!(confirmed.trusted, Some(true));
    assert_eq!(
        confirmed.signer.as_deref(),
        Some("Анна Смирнова"),
        "the signer's own certificate, given as trusted, confirms the name"
    );
    let other = Signer::load_or_create(&dir.path().join("other"), "Someone Else", at(), &ids())
        .expect("another identity");
    let v = verify_pdf(&pdf, Some(other.certificate_pem().as_bytes()));
    assert_eq!(v.trusted, Some(false));
    assert!(v.valid, "untrusted is not the same as broken");
    assert_eq!(verify_pdf(&pdf, Some(b"garbage")).trusted, Some(false));
}

#[test]
fn the_key_is_made_once_readable_by_its_owner_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = Signer::load_or_create(dir.path(), "Анна Смирнова", at(), &ids()).expect("first");
    let b = Signer::load_or_create(dir.path(), "Анна Смирнова", at(), &ids()).expect("again");
    assert_eq!(
        a.certificate_der(),
        b.certificate_der(),
        "same key, same certificate"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(a.folder().expect("folder").join("signing-key.pem"))
            .expect("key file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Another spelling: another identity, with a key and certificate of its own.
    let c = Signer::load_or_create(dir.path(), "Anna Smirnova", at(), &ids()).expect("renamed");
    assert_ne!(a.certificate_der(), c.certificate_der());
    assert_ne!(
        a.folder(),
        c.folder(),
        "one key does not sign for any name typed"
    );
    assert_eq!(c.name(), "Anna Smirnova");
    // Any PDF can be signed and checked with it.
    let (_d, _db, _id, pdf) = signed_demo();
    let twice = sign_pdf(&pdf, &c, at(), "second signature").expect("sign again");
    let v = verify_pdf(&twice, None);
    assert!(
        v.valid,
        "a later signature alone changes nothing signed: {v:?}"
    );
    assert_eq!(v.signatures.len(), 2, "both signatures are checked");
    assert_eq!(
        v.claimed_signer.as_deref(),
        Some("Anna Smirnova"),
        "the last signature's certificate"
    );
}
