//! The chain's certificate authority end to end on the report side: a request from the
//! auditor's key, a certificate issued by HQ's CA and put in place on the laptop, a report
//! signed with it verified as issued by the chain; revoked before or after the signature, by
//! another CA, with a revocation list that is not the CA's; requests that are not genuine.

use chrono::Duration;
use der::{Decode, Encode};
use storecheck_core::Lang;
use storecheck_report::ca::{
    self, ChainCa, RequestProblem, Revocation, RevokeReason, install_issued, read_request,
};
use storecheck_report::sign::{Signer, sign_pdf, verify_pdf_in};
use x509_cert::Certificate;

mod common;
use common::{at, ids, signed_demo};

const CHAIN: &str = "Сеть «Ромашка»";

/// The demo report as it was before its signature.
fn unsigned_report() -> Vec<u8> {
    let (_dir, _db, _id, pdf) = signed_demo();
    let eof = pdf.windows(5).position(|w| w == b"%%EOF").expect("%%EOF") + 5;
    let end = if pdf.get(eof) == Some(&b'\n') {
        eof + 1
    } else {
        eof
    };
    pdf[..end].to_vec()
}

struct Setup {
    dir: tempfile::TempDir,
    ca: ChainCa,
    issued: Certificate,
}

/// A CA made a day before `at()`, Анна's request for store M-001 issued an hour before, and
/// put in place in her keys folder.
fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = ChainCa::create(
        &dir.path().join("ca"),
        CHAIN,
        at() - Duration::days(1),
        &ids(),
    )
    .expect("CA");
    let keys = dir.path().join("keys");
    let signer = Signer::load_or_create(&keys, "Анна Смирнова", at() - Duration::days(2), &ids())
        .expect("signer");
    let request = signer.request("M-001").expect("request");
    assert!(request.starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
    let read = read_request(request.as_bytes()).expect("a genuine request");
    assert_eq!(read.auditor, "Анна Смирнова");
    assert_eq!(read.store, "M-001");
    let issued = ca.issue(&read, at() - Duration::hours(1)).expect("issue");
    Setup { dir, ca, issued }
}

fn sign_with_keys(s: &Setup) -> Vec<u8> {
    let signer = Signer::load_or_create(&s.dir.path().join("keys"), "Анна Смирнова", at(), &ids())
        .expect("signer");
    sign_pdf(&unsigned_report(), &signer, at(), "x").expect("sign")
}

#[test]
fn a_report_signed_with_an_issued_certificate_verifies_as_issued_by_the_chain() {
    let s = setup();
    let keys = s.dir.path().join("keys");
    let before = Signer::load_or_create(&keys, "Анна Смирнова", at(), &ids()).expect("signer");
    assert!(before.certificate().self_made);

    let installed = install_issued(
        &keys,
        std::slice::from_ref(&s.issued),
        s.ca.certificate(),
        &[],
        at(),
        &ids(),
    )
    .expect("install");
    assert_eq!(installed.len(), 1);
    assert_eq!(installed[0].auditor, "Анна Смирнова");
    assert_eq!(installed[0].store.as_deref(), Some("M-001"));
    assert_eq!(installed[0].serial, ca::serial_hex(&s.issued));
    // Again: nothing new.
    let again = install_issued(
        &keys,
        std::slice::from_ref(&s.issued),
        s.ca.certificate(),
        &[],
        at(),
        &ids(),
    )
    .expect("install again");
    assert!(again.is_empty(), "{again:?}");

    let after = Signer::load_or_create(&keys, "Анна Смирнова", at(), &ids()).expect("signer");
    assert!(!after.certificate().self_made);
    assert_eq!(after.certificate().issuer, CHAIN);

    let pdf = sign_with_keys(&s);
    let trust = s.ca.trust_file(&s.ca.crl(&[], at()).expect("crl"));
    let v = verify_pdf_in(&pdf, Some(trust.as_bytes()), Lang::En);
    assert!(v.valid, "{:?}", v.problem);
    assert_eq!(v.trusted, Some(true), "{:?}", v.trust_problem);
    assert_eq!(v.signer.as_deref(), Some("Анна Смирнова"));
    let identity = v.identity.expect("identity");
    assert!(
        identity.contains(&format!("issued by {CHAIN}")),
        "{identity}"
    );
    // The CA's certificate alone, as regional managers may keep it, trusts it too.
    let v = verify_pdf_in(&pdf, Some(s.ca.certificate_pem().as_bytes()), Lang::Ru);
    assert_eq!(v.trusted, Some(true));
    assert!(
        v.identity
            .expect("identity")
            .contains(&format!("сертификат выдан {CHAIN}"))
    );

    // Without a trusted certificate, it is valid and says who it claims, unconfirmed.
    let v = verify_pdf_in(&pdf, None, Lang::En);
    assert!(v.valid);
    assert_eq!(v.trusted, None);
    assert_eq!(v.signer, None);

    // pdfsig (poppler) still calls it valid.
    let path = s.dir.path().join("issued.pdf");
    std::fs::write(&path, &pdf).expect("write");
    let report = common::pdfsig(&path);
    assert!(report.contains("Signature is Valid"), "{report}");
}

#[test]
fn a_signature_made_after_its_certificate_was_revoked_is_not_trusted_and_says_why() {
    let s = setup();
    let keys = s.dir.path().join("keys");
    install_issued(
        &keys,
        std::slice::from_ref(&s.issued),
        s.ca.certificate(),
        &[],
        at(),
        &ids(),
    )
    .expect("install");
    let pdf = sign_with_keys(&s);
    let serial = s.issued.tbs_certificate.serial_number.as_bytes().to_vec();

    let before = Revocation {
        serial: serial.clone(),
        at: at() - Duration::minutes(10),
        reason: Some(RevokeReason::KeyLost),
    };
    let trust = s.ca.trust_file(&s.ca.crl(&[before], at()).expect("crl"));
    let v = verify_pdf_in(&pdf, Some(trust.as_bytes()), Lang::En);
    assert!(v.valid, "the bytes are intact: {:?}", v.problem);
    assert_eq!(v.trusted, Some(false));
    assert_eq!(v.signer, None);
    let problem = v.trust_problem.expect("why");
    assert!(problem.contains("revoked"), "{problem}");
    assert!(problem.contains("2026-11-22T17:55:00Z"), "{problem}");
    assert!(problem.contains("lost"), "{problem}");
    let v = verify_pdf_in(&pdf, Some(trust.as_bytes()), Lang::Ru);
    assert!(v.trust_problem.expect("why").contains("отозван"));

    // Revoked after the signature: the signature stays trusted, and says it was revoked later.
    let later = Revocation {
        serial,
        at: at() + Duration::hours(1),
        reason: Some(RevokeReason::Left),
    };
    let trust = s.ca.trust_file(&s.ca.crl(&[later], at()).expect("crl"));
    let v = verify_pdf_in(&pdf, Some(trust.as_bytes()), Lang::En);
    assert_eq!(v.trusted, Some(true), "{:?}", v.trust_problem);
    assert_eq!(
        v.signatures[0].revoked_at.as_deref(),
        Some("2026-11-22T19:05:00Z")
    );
    assert!(
        v.identity
            .expect("identity")
            .contains("revoked on 2026-11-22T19:05:00Z, after")
    );

    // Another certificate revoked: nothing to do with this one.
    let other = Revocation {
        serial: vec![0x01, 0x02],
        at: at() - Duration::days(1),
        reason: None,
    };
    let trust = s.ca.trust_file(&s.ca.crl(&[other], at()).expect("crl"));
    let v = verify_pdf_in(&pdf, Some(trust.as_bytes()), Lang::En);
    assert_eq!(v.trusted, Some(true));
}

#[test]
fn another_chains_ca_or_a_revocation_list_it_did_not_sign_is_not_trust() {
    let s = setup();
    let keys = s.dir.path().join("keys");
    install_issued(
        &keys,
        std::slice::from_ref(&s.issued),
        s.ca.certificate(),
        &[],
        at(),
        &ids(),
    )
    .expect("install");
    let pdf = sign_with_keys(&s);
    let other_dir = tempfile::tempdir().expect("dir");
    let other = ChainCa::create(
        other_dir.path(),
        "Другая сеть",
        at() - Duration::days(1),
        &ids(),
    )
    .expect("other CA");

    let v = verify_pdf_in(&pdf, Some(other.certificate_pem().as_bytes()), Lang::En);
    assert!(v.valid);
    assert_eq!(v.trusted, Some(false));
    assert!(
        v.trust_problem
            .expect("why")
            .contains("not issued by the trusted certificate")
    );

    // The right CA, with a revocation list the other CA signed: not believed, and said.
    let mixed = format!(
        "{}{}",
        s.ca.certificate_pem(),
        other
            .trust_file(&other.crl(&[], at()).expect("crl"))
            .split_once("-----END CERTIFICATE-----\n")
            .expect("split")
            .1
    );
    let v = verify_pdf_in(&pdf, Some(mixed.as_bytes()), Lang::En);
    assert_eq!(v.trusted, Some(false));
    assert!(v.trust_problem.expect("why").contains("revocation list"));
}

#[test]
fn a_request_that_was_changed_or_is_not_one_is_refused_with_the_reason() {
    let s = setup();
    let signer = Signer::load_or_create(&s.dir.path().join("keys"), "Анна Смирнова", at(), &ids())
        .expect("signer");
    let pem = signer.request("M-001").expect("request");
    let (_, der) = der::pem::decode_vec(pem.as_bytes()).expect("pem");
    // One byte of the store code changed: the holder's signature no longer covers it.
    let at_code = der
        .windows(5)
        .position(|w| w == b"M-001")
        .expect("code in the request");
    let mut changed = der.clone();
    changed[at_code + 4] = b'2';
    assert_eq!(read_request(&changed), Err(RequestProblem::BadSignature));
    assert_eq!(
        read_request(b"not a request"),
        Err(RequestProblem::NotARequest)
    );
    assert_eq!(
        read_request(&der[..der.len() - 3]),
        Err(RequestProblem::NotARequest)
    );
    // A certificate is not a request.
    assert_eq!(
        read_request(s.ca.certificate_pem().as_bytes()),
        Err(RequestProblem::NotARequest)
    );
    // Its DER is fine as it is.
    assert!(read_request(&der).is_ok());
    let problem = RequestProblem::BadSignature.text(Lang::Ru);
    assert!(problem.contains("подпись"), "{problem}");
}

#[test]
fn the_ca_is_made_once_its_key_is_private_and_an_issued_certificate_is_only_for_its_key() {
    let s = setup();
    let again = ChainCa::create(&s.dir.path().join("ca"), "Другое имя", at(), &ids());
    assert!(again.is_err(), "a second CA over the first");
    let loaded = ChainCa::load(&s.dir.path().join("ca"))
        .expect("load")
        .expect("there");
    assert_eq!(loaded.name(), CHAIN);
    assert_eq!(loaded.fingerprint(), s.ca.fingerprint());
    assert_eq!(loaded.fingerprint().len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(s.dir.path().join("ca").join(ca::CA_KEY_FILE))
            .expect("key")
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the CA key is readable by others: {mode:o}"
        );
    }
    let cert = Certificate::from_der(&s.issued.to_der().expect("der")).expect("cert");
    assert_eq!(ca::store_of(&cert).as_deref(), Some("M-001"));

    // Another auditor's keys: the certificate is not for them.
    let boris = s.dir.path().join("boris");
    Signer::load_or_create(&boris, "Борис Орлов", at(), &ids()).expect("boris");
    let none = install_issued(
        &boris,
        std::slice::from_ref(&s.issued),
        s.ca.certificate(),
        &[],
        at(),
        &ids(),
    )
    .expect("install");
    assert!(none.is_empty());
    // Revoked, or issued by another CA: not put in place.
    let keys = s.dir.path().join("keys");
    let serial = s.issued.tbs_certificate.serial_number.as_bytes().to_vec();
    let none = install_issued(
        &keys,
        std::slice::from_ref(&s.issued),
        s.ca.certificate(),
        &[serial],
        at(),
        &ids(),
    )
    .expect("install");
    assert!(none.is_empty());
    let other_dir = tempfile::tempdir().expect("dir");
    let other = ChainCa::create(other_dir.path(), "Другая сеть", at(), &ids()).expect("other");
    let none = install_issued(
        &keys,
        std::slice::from_ref(&s.issued),
        other.certificate(),
        &[],
        at(),
        &ids(),
    )
    .expect("install");
    assert!(none.is_empty());
    let signer = Signer::load_or_create(&keys, "Анна Смирнова", at(), &ids()).expect("signer");
    assert!(signer.certificate().self_made, "nothing replaced it");
}

#[test]
fn fingerprints_are_compared_as_people_type_them() {
    let hex = "ab".repeat(32);
    let shown = ca::fingerprint_shown(&hex);
    assert!(shown.starts_with("ABAB ABAB "), "{shown}");
    assert!(ca::same_fingerprint(&shown, &hex));
    assert!(ca::same_fingerprint(
        &shown.to_lowercase().replace(' ', ":"),
        &hex
    ));
    assert!(!ca::same_fingerprint(&shown[..20], &hex));
    assert!(!ca::same_fingerprint(&"cd".repeat(32), &hex));
}
