//! verify as an attacker meets it: forged reports (a change and a second signature after the
//! first, a CMS replaced by another key's, bytes outside the signature written loosely), genuine
//! and false certificate chains, and the signer's key and certificate files when they are
//! damaged or spelled differently.

use std::str::FromStr as _;

use chrono::{DateTime, Duration, Utc};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::SignedData;
use der::asn1::{ObjectIdentifier, SetOfVec};
use der::{Any, Decode, Encode, EncodePem, Tag};
use p256::ecdsa::{DerSignature, SigningKey};
use p256::pkcs8::LineEnding;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use storecheck_core::model::AuditStatus;
use storecheck_core::{Error, Lang};
use storecheck_report::sign::{Signer, Verification, sign_pdf, signer_folder, verify_pdf};
use storecheck_report::{SignRequest, sign_audit};
use x509_cert::Certificate;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

mod common;
use common::{append_update, at, ids, pdfsig, signed_demo};

const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");

// ---- Building forgeries ----

/// The report as it was before its first signature (up to its first `%%EOF`).
fn unsigned(pdf: &[u8]) -> Vec<u8> {
    let eof = pdf.windows(5).position(|w| w == b"%%EOF").expect("%%EOF") + 5;
    let end = if pdf.get(eof) == Some(&b'\n') {
        eof + 1
    } else {
        eof
    };
    pdf[..end].to_vec()
}

/// The hex inside the last signature's `/Contents <…>`, as a range of the file.
fn contents_hole(pdf: &[u8]) -> std::ops::Range<usize> {
    let at = pdf
        .windows(11)
        .rposition(|w| w == b"/Contents <")
        .expect("/Contents <")
        + 11;
    let end = at + pdf[at..].iter().position(|&b| b == b'>').expect(">");
    at..end
}

fn unhex(hex: &[u8]) -> Vec<u8> {
    hex.chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).expect("ascii"), 16).expect("hex"))
        .collect()
}

/// The last signature's CMS, re-made by `change`, written back in place with its zero padding.
fn with_cms(pdf: &[u8], change: impl FnOnce(&mut SignedData)) -> Vec<u8> {
    let hole = contents_hole(pdf);
    let der = unhex(&pdf[hole.clone()]);
    let mut reader = der::SliceReader::new(&der).expect("reader");
    let ci = ContentInfo::decode(&mut reader).expect("CMS");
    let mut sd: SignedData = ci.content.decode_as().expect("SignedData");
    change(&mut sd);
    let content = Any::from_der(&sd.to_der().expect("encode")).expect("any");
    let again = ContentInfo {
        content_type: ci.content_type,
        content,
    }
    .to_der()
    .expect("encode");
    let mut hex: Vec<u8> = again
        .iter()
        .flat_map(|b| format!("{b:02x}").into_bytes())
        .collect();
    assert!(hex.len() <= hole.len());
    hex.resize(hole.len(), b'0');
    let mut out = pdf.to_vec();
    out[hole].copy_from_slice(&hex);
    out
}

fn problem(v: &Verification) -> String {
    v.problem.clone().unwrap_or_default()
}

// ---- Certificates ----

fn key() -> SigningKey {
    SigningKey::random(&mut rand_core::OsRng)
}

fn name(cn: &str) -> Name {
    let rdn = |oid: &str, value: &str| {
        let value = Any::new(Tag::Utf8String, value.as_bytes()).expect("utf8");
        let oid = ObjectIdentifier::from_str(oid).expect("oid");
        RelativeDistinguishedName(
            SetOfVec::try_from(vec![AttributeTypeAndValue { oid, value }]).expect("set"),
        )
    };
    RdnSequence(vec![rdn("2.5.4.10", "StoreCheck"), rdn("2.5.4.3", cn)])
}

fn time(t: DateTime<Utc>) -> Time {
    let since = std::time::SystemTime::UNIX_EPOCH
        + std::time::Duration::from_secs(u64::try_from(t.timestamp()).expect("after 1970"));
    Time::try_from(since).expect("time")
}

/// A certificate for `subject_key` named `cn`, made by `issuer_key` under `profile`, valid
/// from `from` to `to`.
fn certificate(
    profile: Profile,
    cn: &str,
    subject_key: &SigningKey,
    issuer_key: &SigningKey,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> Certificate {
    let serial: [u8; 8] = rand_core::RngCore::next_u64(&mut rand_core::OsRng).to_be_bytes();
    let mut serial = serial.to_vec();
    serial[0] = (serial[0] & 0x7F) | 0x01;
    let spki = SubjectPublicKeyInfoOwned::from_key(*subject_key.verifying_key()).expect("spki");
    CertificateBuilder::new(
        profile,
        SerialNumber::new(&serial).expect("serial"),
        Validity {
            not_before: time(from),
            not_after: time(to),
        },
        name(cn),
        spki,
        issuer_key,
    )
    .expect("builder")
    .build::<DerSignature>()
    .expect("certificate")
}

fn leaf_of(issuer: &str) -> Profile {
    Profile::Leaf {
        issuer: name(issuer),
        enable_key_agreement: false,
        enable_key_encipherment: false,
        include_subject_key_identifier: true,
    }
}

/// Valid for a year around the signing time.
fn this_year() -> (DateTime<Utc>, DateTime<Utc>) {
    (at() - Duration::days(180), at() + Duration::days(180))
}

fn pem(cert: &Certificate) -> Vec<u8> {
    cert.to_pem(LineEnding::LF).expect("pem").into_bytes()
}

/// The demo report, before its signature, signed by `signer`.
fn signed_by(signer: &Signer) -> Vec<u8> {
    let (_dir, _db, _id, pdf) = signed_demo();
    sign_pdf(
        &unsigned(&pdf),
        signer,
        at(),
        "Проверка соответствия стандарту обслуживания",
    )
    .expect("sign")
}

// ---- Item 9: forged reports ----

#[test]
fn a_text_changed_after_the_first_signature_and_signed_again_in_the_same_name_is_refused() {
    let (dir, _db, _id, pdf) = signed_demo();
    let doc = lopdf::Document::load_mem(&pdf).expect("reads");
    let page = doc.get_pages()[&1];
    let contents = doc
        .get_object(page)
        .and_then(lopdf::Object::as_dict)
        .and_then(|d| d.get(b"Contents"))
        .expect("page 1's contents")
        .clone();
    let contents = match contents {
        lopdf::Object::Reference(r) => r,
        lopdf::Object::Array(a) => a[0].as_reference().expect("ref"),
        other => panic!("contents {other:?}"),
    };
    let text = b"BT /F1 24 Tf 72 720 Td (Score 100%) Tj ET";
    let mut body = format!("<</Length {}>>\nstream\n", text.len()).into_bytes();
    body.extend_from_slice(text);
    body.extend_from_slice(b"\nendstream");
    let changed = append_update(&pdf, &[(contents.0, body)]);
    let forger = Signer::load_or_create(&dir.path().join("forger"), "Анна Смирнова", at(), &ids())
        .expect("a self-made identity in the same name");
    let forged = sign_pdf(&changed, &forger, at(), "x").expect("second signature");

    let v = verify_pdf(&forged, None);
    assert!(
        !v.valid,
        "a report changed after its signature is not valid: {v:?}"
    );
    let p = problem(&v);
    assert!(
        p.contains("changed after signature 1") && p.contains(&format!("object {}", contents.0)),
        "says that and what was changed after the first signature: {p}"
    );
    assert_eq!(v.signatures.len(), 2, "every signature is checked");
    assert_eq!(
        v.signer, None,
        "a forged name is never presented as the signer"
    );
}

#[test]
fn a_page_added_after_the_first_signature_is_a_change_even_under_a_second_signature() {
    let (dir, _db, _id, pdf) = signed_demo();
    let doc = lopdf::Document::load_mem(&pdf).expect("reads");
    let size = u32::try_from(
        doc.trailer
            .get(b"Size")
            .expect("Size")
            .as_i64()
            .expect("int"),
    )
    .expect("size");
    let pages = doc
        .catalog()
        .expect("catalog")
        .get(b"Pages")
        .expect("Pages")
        .clone();
    let pages = pages.as_reference().expect("ref");
    let page = format!(
        "<</Type/Page/Parent {} {} R/MediaBox[0 0 595 842]>>",
        pages.0, pages.1
    );
    let changed = append_update(&pdf, &[(size, page.into_bytes())]);
    let forger = Signer::load_or_create(&dir.path().join("forger"), "Анна Смирнова", at(), &ids())
        .expect("identity");
    let forged = sign_pdf(&changed, &forger, at(), "x").expect("second signature");
    let v = verify_pdf(&forged, None);
    assert!(!v.valid, "{v:?}");
    assert!(
        problem(&v).contains(&format!("object {size} (Page) was added")),
        "names the added page: {}",
        problem(&v)
    );
}

#[test]
fn a_later_signature_alone_is_not_a_change_and_pdfsig_sees_both() {
    let (dir, _db, _id, pdf) = signed_demo();
    let second = Signer::load_or_create(&dir.path().join("second"), "Ольга Петрова", at(), &ids())
        .expect("identity");
    let twice = sign_pdf(&pdf, &second, at(), "ознакомлена").expect("second signature");
    let v = verify_pdf(&twice, None);
    assert!(v.valid, "adding a signature changes nothing signed: {v:?}");
    assert_eq!(v.signatures.len(), 2);
    assert!(v.signatures.iter().all(|s| s.valid), "{v:?}");
    let path = dir.path().join("twice.pdf");
    std::fs::write(&path, &twice).expect("write");
    let report = pdfsig(&path);
    assert_eq!(
        report.matches("Signature is Valid").count(),
        2,
        "pdfsig accepts both signatures:\n{report}"
    );
}

#[test]
fn a_signature_replaced_by_another_keys_is_not_presented_as_the_named_signer() {
    let (dir, _db, _id, pdf) = signed_demo();
    // The same document, signed at the same time in the same name by another, self-made key:
    // only the CMS differs, and it is put into the genuine report.
    let forger = Signer::load_or_create(&dir.path().join("forger"), "Анна Смирнова", at(), &ids())
        .expect("identity");
    let other = sign_pdf(
        &unsigned(&pdf),
        &forger,
        at(),
        "Проверка соответствия стандарту обслуживания",
    )
    .expect("sign");
    let hole = contents_hole(&pdf);
    assert_eq!(hole, contents_hole(&other), "the same layout");
    assert_eq!(pdf[..hole.start], other[..hole.start]);
    let mut replaced = pdf.clone();
    replaced[hole.clone()].copy_from_slice(&other[hole]);

    let v = verify_pdf(&replaced, None);
    assert_eq!(
        v.signer, None,
        "an identity nobody vouched for is not given as who signed: {v:?}"
    );
    let identity = v.identity.clone().unwrap_or_default();
    assert!(
        identity.contains("names itself Анна Смирнова") && identity.contains("self-made"),
        "says the name is the certificate's own claim: {identity}"
    );
    let ru = storecheck_report::sign::verify_pdf_in(&replaced, None, Lang::Ru);
    assert!(
        ru.identity
            .unwrap_or_default()
            .contains("называет себя «Анна Смирнова»"),
        "and in Russian"
    );
    // With the genuine certificate as the trusted one, the replacement is told apart.
    let own = std::fs::read(
        dir.path()
            .join("keys")
            .join(signer_folder("Анна Смирнова"))
            .join("signing-cert.pem"),
    )
    .expect("own certificate");
    let v = verify_pdf(&replaced, Some(&own));
    assert_eq!(v.trusted, Some(false), "{v:?}");
    assert_eq!(v.signer, None);
    assert_eq!(
        verify_pdf(&pdf, Some(&own)).trusted,
        Some(true),
        "the genuine one is"
    );
}

// ---- Item 11: bytes the signature does not cover ----

#[test]
fn a_plus_sign_in_the_signature_is_not_a_hex_digit() {
    let (_dir, _db, _id, pdf) = signed_demo();
    let hole = contents_hole(&pdf);
    assert_eq!(
        &pdf[hole.end - 2..hole.end],
        b"00",
        "zero padding at the end"
    );
    let mut bad = pdf.clone();
    bad[hole.end - 2] = b'+';
    let v = verify_pdf(&bad, None);
    assert!(!v.valid, "`+0` is not the hex byte 00: {v:?}");
    assert!(problem(&v).contains("hexadecimal"), "{}", problem(&v));
    // Inside the CMS itself too: a byte below 16 written `+x` instead of `0x`.
    let der = &pdf[hole.clone()];
    let pair = (0..der.len() / 2)
        .map(|i| hole.start + 2 * i)
        .find(|&i| pdf[i] == b'0' && pdf[i + 1] != b'0')
        .expect("a byte below 16");
    let mut bad = pdf.clone();
    bad[pair] = b'+';
    assert!(!verify_pdf(&bad, None).valid);
}

/// A change made to a signature's CMS.
type CmsChange = dyn Fn(&mut SignedData);

#[test]
fn unsigned_cms_fields_changed_are_refused() {
    let (_dir, _db, _id, pdf) = signed_demo();
    assert!(
        verify_pdf(&with_cms(&pdf, |_| {}), None).valid,
        "re-encoding alone changes nothing"
    );
    let cases: Vec<(&str, Box<CmsChange>)> = vec![
        (
            "SignedData version",
            Box::new(|sd| sd.version = CmsVersion::V3),
        ),
        (
            "SignerInfo version",
            Box::new(|sd| {
                let mut infos = sd.signer_infos.0.clone().into_vec();
                infos[0].version = CmsVersion::V3;
                sd.signer_infos =
                    cms::signed_data::SignerInfos(SetOfVec::try_from(infos).expect("set"));
            }),
        ),
        (
            "digest algorithms",
            Box::new(|sd| {
                sd.digest_algorithms = SetOfVec::try_from(vec![AlgorithmIdentifierOwned {
                    oid: SHA384,
                    parameters: None,
                }])
                .expect("set");
            }),
        ),
        (
            "signer's digest algorithm",
            Box::new(|sd| {
                let mut infos = sd.signer_infos.0.clone().into_vec();
                infos[0].digest_alg.oid = SHA384;
                sd.signer_infos =
                    cms::signed_data::SignerInfos(SetOfVec::try_from(infos).expect("set"));
            }),
        ),
        (
            "eContentType",
            Box::new(|sd| {
                sd.encap_content_info.econtent_type =
                    ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.5");
            }),
        ),
        (
            "signature algorithm",
            Box::new(|sd| {
                let mut infos = sd.signer_infos.0.clone().into_vec();
                infos[0].signature_algorithm.oid =
                    ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
                sd.signer_infos =
                    cms::signed_data::SignerInfos(SetOfVec::try_from(infos).expect("set"));
            }),
        ),
    ];
    for (what, change) in cases {
        let bad = with_cms(&pdf, change);
        assert_ne!(bad, pdf, "{what}: changed");
        let v = verify_pdf(&bad, None);
        assert!(
            !v.valid,
            "a changed {what} outside the signed attributes is refused: {v:?}"
        );
        assert!(problem(&v).contains("CMS"), "{what}: {}", problem(&v));
    }
}

// ---- Item 10: certificate chains ----

#[test]
fn a_genuine_chain_is_accepted_and_trusted_through_its_ca() {
    let (ca_key, leaf_key) = (key(), key());
    let ca = certificate(Profile::Root, "HQ", &ca_key, &ca_key, this_year());
    let leaf = certificate(
        leaf_of("HQ"),
        "Анна Смирнова",
        &leaf_key,
        &ca_key,
        this_year(),
    );
    let signer = Signer::with_certificate("Анна Смирнова", leaf_key, leaf, vec![ca.clone()])
        .expect("signer");
    let pdf = signed_by(&signer);

    let v = verify_pdf(&pdf, None);
    assert!(
        v.valid,
        "the signer's certificate is the one the SignerInfo names: {v:?}"
    );
    assert_eq!(
        v.claimed_signer.as_deref(),
        Some("Анна Смирнова"),
        "not the CA"
    );
    let cert = v.certificate.clone().expect("certificate");
    assert_eq!((cert.issuer.as_str(), cert.self_made), ("HQ", false));
    assert!(v.identity.unwrap_or_default().contains("not trusted here"));

    let v = verify_pdf(&pdf, Some(&pem(&ca)));
    assert!(v.valid, "{v:?}");
    assert_eq!(v.trusted, Some(true), "{v:?}");
    assert_eq!(
        v.signer.as_deref(),
        Some("Анна Смирнова"),
        "confirmed by HQ"
    );

    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("chain.pdf");
    std::fs::write(&path, &pdf).expect("write");
    let report = pdfsig(&path);
    assert!(report.contains("Signature is Valid"), "{report}");
}

#[test]
fn a_chain_through_an_intermediate_ca_is_trusted_to_its_root() {
    let (root_key, sub_key, leaf_key) = (key(), key(), key());
    let root = certificate(Profile::Root, "HQ Root", &root_key, &root_key, this_year());
    let sub = certificate(
        Profile::SubCA {
            issuer: name("HQ Root"),
            path_len_constraint: Some(0),
        },
        "HQ Stores",
        &sub_key,
        &root_key,
        this_year(),
    );
    let leaf = certificate(
        leaf_of("HQ Stores"),
        "Анна Смирнова",
        &leaf_key,
        &sub_key,
        this_year(),
    );
    let signer = Signer::with_certificate("Анна Смирнова", leaf_key, leaf, vec![sub, root.clone()])
        .expect("signer");
    let v = verify_pdf(&signed_by(&signer), Some(&pem(&root)));
    assert_eq!(v.trusted, Some(true), "{v:?}");
}

#[test]
fn a_leaf_given_as_trusted_does_not_vouch_for_what_its_key_signed() {
    let (leaf_key, other_key) = (key(), key());
    let leaf = certificate(
        leaf_of("Анна Смирнова"),
        "Анна Смирнова",
        &leaf_key,
        &leaf_key,
        this_year(),
    );
    let issued = certificate(
        leaf_of("Анна Смирнова"),
        "Иван Петров",
        &other_key,
        &leaf_key,
        this_year(),
    );
    let signer = Signer::with_certificate("Иван Петров", other_key, issued, vec![leaf.clone()])
        .expect("signer");
    let v = verify_pdf(&signed_by(&signer), Some(&pem(&leaf)));
    assert!(v.valid, "intact: {v:?}");
    assert_eq!(
        v.trusted,
        Some(false),
        "a leaf is no certificate authority: {v:?}"
    );
    assert!(
        v.trust_problem
            .unwrap_or_default()
            .contains("not a certificate authority"),
        "says why"
    );
    assert_eq!(v.signer, None);
}

#[test]
fn an_issuer_out_of_date_at_the_signing_time_or_not_a_ca_is_not_trusted() {
    let leaf_for = |issuer: &Certificate, issuer_key: &SigningKey| {
        let k = key();
        let cn = x509_cert::der::asn1::Utf8StringRef::try_from(
            &issuer.tbs_certificate.subject.0[1]
                .0
                .iter()
                .next()
                .expect("cn")
                .value,
        )
        .expect("utf8")
        .as_str()
        .to_string();
        let leaf = certificate(leaf_of(&cn), "Анна Смирнова", &k, issuer_key, this_year());
        Signer::with_certificate("Анна Смирнова", k, leaf, vec![issuer.clone()]).expect("signer")
    };
    let long_ago = (at() - Duration::days(800), at() - Duration::days(400));
    let later = (at() + Duration::days(1), at() + Duration::days(400));
    for (what, profile, validity, says) in [
        (
            "expired",
            Profile::Root,
            long_ago,
            "not valid at the signing time",
        ),
        (
            "not yet valid",
            Profile::Root,
            later,
            "not valid at the signing time",
        ),
        (
            "not a CA",
            leaf_of("HQ"),
            this_year(),
            "not a certificate authority",
        ),
    ] {
        let ca_key = key();
        let ca = certificate(profile, "HQ", &ca_key, &ca_key, validity);
        let v = verify_pdf(&signed_by(&leaf_for(&ca, &ca_key)), Some(&pem(&ca)));
        assert_eq!(v.trusted, Some(false), "{what}: {v:?}");
        let why = v.trust_problem.unwrap_or_default();
        assert!(why.contains(says), "{what}: {why}");
        if says.contains("signing time") {
            assert!(
                why.contains("2026-11-22T18:05:00Z"),
                "names the claimed time: {why}"
            );
        }
    }
}

// ---- Items 2 and 12: the signer's key and certificate files ----

fn request(signer: &str) -> SignRequest {
    SignRequest {
        signer: signer.into(),
        lang: Lang::Ru,
        drawn: None,
        acknowledged_by: None,
        acknowledgement: None,
        utc_offset: chrono::FixedOffset::east_opt(0).expect("offset"),
    }
}

#[test]
fn an_empty_or_cut_key_file_refuses_signing_says_what_to_do_and_is_left_as_it_is() {
    let (dir, _db, _id, pdf) = signed_demo();
    let folder = dir.path().join("keys").join(signer_folder("Анна Смирнова"));
    let good = std::fs::read(folder.join("signing-key.pem")).expect("the key signing made");
    drop(pdf);
    for (what, bytes) in [
        ("empty", Vec::new()),
        ("cut", good[..good.len() / 2].to_vec()),
    ] {
        let (dir, mut db, id) = common::demo_db();
        let folder = dir.path().join("keys").join(signer_folder("Анна Смирнова"));
        std::fs::create_dir_all(&folder).expect("mkdir");
        let key_path = folder.join("signing-key.pem");
        std::fs::write(&key_path, &bytes).expect("write");
        let err = sign_audit(&mut db, id, &request("Анна Смирнова"), at())
            .expect_err("no signature with an unusable key");
        assert!(matches!(err, Error::SigningFile { .. }), "{what}: {err:?}");
        let en = err.message(Lang::En);
        assert!(
            en.contains(&key_path.display().to_string())
                && en.contains(if bytes.is_empty() {
                    "empty"
                } else {
                    "cut short"
                })
                && en.contains("move the file aside"),
            "{what}: says where, what and what to do: {en}"
        );
        assert!(
            err.message(Lang::Ru).contains("переместите файл"),
            "{what}: and in Russian"
        );
        assert_eq!(
            std::fs::read(&key_path).expect("still there"),
            bytes,
            "{what}: untouched"
        );
        let status = db.load_audit(id).expect("load").header.status;
        assert_eq!(status, AuditStatus::Completed, "{what}: nothing signed");
        assert!(
            db.signed_report(id).expect("query").is_none(),
            "{what}: no report recorded"
        );
    }
}

#[test]
fn a_temporary_file_left_by_a_kill_is_not_a_key_and_the_key_is_private_from_the_start() {
    let keys = tempfile::tempdir().expect("dir");
    let folder = keys.path().join(signer_folder("Анна Смирнова"));
    std::fs::create_dir_all(&folder).expect("mkdir");
    // What a kill in the middle of writing the key leaves: a part of it under a temporary name.
    let leftover = folder.join(".tmp-0193a1b2-0000-7000-8000-000000000000");
    std::fs::write(&leftover, b"-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMG").expect("write");
    let signer =
        Signer::load_or_create(keys.path(), "Анна Смирнова", at(), &ids()).expect("a new key");
    assert_eq!(signer.folder(), Some(folder.as_path()));
    let again =
        Signer::load_or_create(keys.path(), "Анна Смирнова", at(), &ids()).expect("the same");
    assert_eq!(signer.certificate_der(), again.certificate_der());
    assert!(
        leftover.exists(),
        "a leftover is not taken for the key, nor removed as one"
    );
    let temporaries = std::fs::read_dir(&folder)
        .expect("list")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp-"))
        .count();
    assert_eq!(
        temporaries, 1,
        "writing the key and certificate leaves no temporary behind"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(folder.join("signing-key.pem"))
            .expect("key")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn each_spelling_has_its_own_key_and_an_issued_certificate_is_never_replaced() {
    let keys = tempfile::tempdir().expect("dir");
    // HQ issued Анна Смирнова's certificate; it is installed beside her key.
    let (ca_key, leaf_key) = (key(), key());
    let ca = certificate(Profile::Root, "HQ", &ca_key, &ca_key, this_year());
    let issued = certificate(
        leaf_of("HQ"),
        "Анна Смирнова",
        &leaf_key,
        &ca_key,
        this_year(),
    );
    let folder = keys.path().join(signer_folder("Анна Смирнова"));
    std::fs::create_dir_all(&folder).expect("mkdir");
    let key_pem =
        p256::pkcs8::EncodePrivateKey::to_pkcs8_pem(&leaf_key, LineEnding::LF).expect("pem");
    std::fs::write(folder.join("signing-key.pem"), key_pem.as_bytes()).expect("key");
    std::fs::write(folder.join("signing-cert.pem"), pem(&issued)).expect("cert");
    std::fs::write(folder.join("signing-chain.pem"), pem(&ca)).expect("chain");

    let anna = Signer::load_or_create(keys.path(), "Анна Смирнова", at(), &ids()).expect("issued");
    let info = anna.certificate();
    assert_eq!((info.issuer.as_str(), info.self_made), ("HQ", false));
    for spelling in [
        "анна смирнова",
        "Анна  Смирнова",
        "Анна Смирнова ",
        "Anna Smirnova",
    ] {
        let other = Signer::load_or_create(keys.path(), spelling, at(), &ids()).expect("another");
        assert_ne!(
            other.certificate_der(),
            anna.certificate_der(),
            "{spelling:?} does not sign with Анна Смирнова's certificate"
        );
        assert!(other.certificate().self_made);
    }
    assert_eq!(
        std::fs::read(folder.join("signing-cert.pem")).expect("cert"),
        pem(&issued),
        "the issued certificate stays"
    );
    // And a report she signs carries the chain: HQ's certificate confirms it.
    let v = verify_pdf(&signed_by(&anna), Some(&pem(&ca)));
    assert_eq!(v.trusted, Some(true), "{v:?}");
}

#[test]
fn a_certificate_file_for_another_key_is_refused_not_replaced() {
    let keys = tempfile::tempdir().expect("dir");
    let anna = Signer::load_or_create(keys.path(), "Анна Смирнова", at(), &ids()).expect("made");
    let folder = anna.folder().expect("folder").to_path_buf();
    let stranger = key();
    let foreign = certificate(
        leaf_of("Анна Смирнова"),
        "Анна Смирнова",
        &stranger,
        &stranger,
        this_year(),
    );
    std::fs::write(folder.join("signing-cert.pem"), pem(&foreign)).expect("write");
    let err = match Signer::load_or_create(keys.path(), "Анна Смирнова", at(), &ids()) {
        Ok(_) => panic!("a certificate for another key is not used"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("not for the signing key"), "{err}");
    assert_eq!(
        std::fs::read(folder.join("signing-cert.pem")).expect("cert"),
        pem(&foreign),
        "left as it is"
    );
}
