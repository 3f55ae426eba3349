//! The report's digital signature: a PAdES baseline (B-B) signature that any PDF reader checks.
//!
//! [`sign_pdf`] appends an incremental update to a finished PDF: a `/Sig` dictionary
//! (`/SubFilter /ETSI.CAdES.detached`, `/ByteRange`, a fixed-size `/Contents`), an invisible
//! signature field on page 1 and the catalog's `/AcroForm`. It then hashes every byte but the
//! `/Contents` hole (SHA-256) and fills the hole with a detached CMS SignedData made with the
//! auditor's ECDSA P-256 key, carrying the certificate and the ESS signing-certificate-v2
//! attribute. [`verify_pdf`] checks the last signature of a file the same way a reader does.
//!
//! [`Signer`] is the auditor's identity: the key is made on first use and kept in a file only
//! its owner may read; the certificate is self-signed until HQ issues one.

use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::ContentInfo;
use cms::signed_data::{EncapsulatedContentInfo, SignedData, SignerIdentifier};
use der::asn1::{SetOfVec, Utf8StringRef};
use der::{Any, Decode, DecodePem, Encode, EncodePem, Tag, Tagged};
use lopdf::{Dictionary, Object, ObjectId};
use p256::ecdsa::{DerSignature, SigningKey, VerifyingKey};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use serde::Serialize;
use sha2::{Digest, Sha256};
use spki::{AlgorithmIdentifierOwned, DecodePublicKey, SubjectPublicKeyInfoOwned};
use ts_rs::TS;
use x509_cert::Certificate;
use x509_cert::attr::{Attribute, AttributeTypeAndValue};
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

/// Bytes reserved for the CMS signature (hex doubles them in the file). A P-256 signature with
/// one certificate takes about 1 KB; room is left for HQ-issued chains.
const CONTENTS_BYTES: usize = 8192;
/// `[0 a b c]` with each number padded to this many digits, so it can be patched in place.
const BYTE_RANGE_DIGITS: usize = 10;

const OID_CN: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("2.5.4.3");
const OID_O: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("2.5.4.10");
const OID_SHA256: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const OID_DATA: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const OID_SIGNED_DATA: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const OID_MESSAGE_DIGEST: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const OID_SIGNING_CERTIFICATE_V2: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("the signing key cannot be used: {0}")]
    Key(String),
    #[error("the certificate cannot be made or read: {0}")]
    Certificate(String),
    #[error("the PDF cannot be signed: {0}")]
    Pdf(String),
}

fn io(path: &Path, source: std::io::Error) -> SignError {
    SignError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn cert_err(e: impl std::fmt::Display) -> SignError {
    SignError::Certificate(e.to_string())
}

fn pdf_err(e: impl std::fmt::Display) -> SignError {
    SignError::Pdf(e.to_string())
}

/// An auditor's signing identity: an ECDSA P-256 key and its X.509 certificate.
pub struct Signer {
    key: SigningKey,
    cert: Certificate,
    cert_der: Vec<u8>,
    name: String,
}

impl Signer {
    /// Loads `dir/signing-key.pem` and `dir/signing-cert.pem`, making them on first use: the
    /// key file readable by its owner only, the certificate self-signed for ten years. A
    /// certificate for another name gets replaced by one for `name`, for the same key.
    pub fn load_or_create(dir: &Path, name: &str, now: DateTime<Utc>) -> Result<Signer, SignError> {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let key_path = dir.join("signing-key.pem");
        let key = if key_path.exists() {
            let pem = std::fs::read_to_string(&key_path).map_err(|e| io(&key_path, e))?;
            SigningKey::from_pkcs8_pem(&pem).map_err(|e| SignError::Key(e.to_string()))?
        } else {
            let key = SigningKey::random(&mut rand_core::OsRng);
            let pem = key
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(|e| SignError::Key(e.to_string()))?;
            write_private(&key_path, pem.as_bytes())?;
            key
        };
        let cert_path = dir.join("signing-cert.pem");
        let ours = SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).map_err(cert_err)?;
        let existing = std::fs::read_to_string(&cert_path)
            .ok()
            .and_then(|pem| Certificate::from_pem(pem.as_bytes()).ok())
            .filter(|c| {
                c.tbs_certificate.subject_public_key_info == ours
                    && common_name(&c.tbs_certificate.subject).as_deref() == Some(name)
            });
        let cert = match existing {
            Some(c) => c,
            None => {
                let c = self_signed(&key, name, now)?;
                let pem = c.to_pem(LineEnding::LF).map_err(cert_err)?;
                std::fs::write(&cert_path, pem).map_err(|e| io(&cert_path, e))?;
                c
            }
        };
        let cert_der = cert.to_der().map_err(cert_err)?;
        Ok(Signer {
            key,
            cert,
            cert_der,
            name: name.to_string(),
        })
    }

    pub fn certificate_der(&self) -> &[u8] {
        &self.cert_der
    }

    pub fn certificate_pem(&self) -> String {
        self.cert.to_pem(LineEnding::LF).unwrap_or_default()
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Creates a file only its owner may read and write (on Unix), flushed to disk.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), SignError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path).map_err(|e| io(path, e))?;
    f.write_all(bytes).map_err(|e| io(path, e))?;
    f.sync_all().map_err(|e| io(path, e))
}

fn rdn(
    oid: der::oid::ObjectIdentifier,
    value: &str,
) -> Result<RelativeDistinguishedName, SignError> {
    let value = Any::new(Tag::Utf8String, value.as_bytes()).map_err(cert_err)?;
    let set = SetOfVec::try_from(vec![AttributeTypeAndValue { oid, value }]).map_err(cert_err)?;
    Ok(RelativeDistinguishedName(set))
}

fn self_signed(key: &SigningKey, name: &str, now: DateTime<Utc>) -> Result<Certificate, SignError> {
    let subject: Name = RdnSequence(vec![rdn(OID_O, "StoreCheck")?, rdn(OID_CN, name)?]);
    let since = SystemTime::UNIX_EPOCH + Duration::from_secs(now.timestamp().max(0) as u64);
    let until = since + Duration::from_secs(10 * 365 * 24 * 3600);
    let validity = Validity {
        not_before: Time::try_from(since).map_err(cert_err)?,
        not_after: Time::try_from(until).map_err(cert_err)?,
    };
    let mut serial = [0u8; 16];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut serial);
    serial[0] = (serial[0] & 0x7F) | 0x01; // positive, no leading zero
    let spki = SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).map_err(cert_err)?;
    let builder = CertificateBuilder::new(
        Profile::Leaf {
            issuer: subject.clone(),
            enable_key_agreement: false,
            enable_key_encipherment: false,
        },
        SerialNumber::new(&serial).map_err(cert_err)?,
        validity,
        subject,
        spki,
        key,
    )
    .map_err(cert_err)?;
    builder.build::<DerSignature>().map_err(cert_err)
}

/// The subject's common name (CN).
fn common_name(name: &Name) -> Option<String> {
    name.0.iter().flat_map(|rdn| rdn.0.iter()).find_map(|atv| {
        (atv.oid == OID_CN).then(|| {
            Utf8StringRef::try_from(&atv.value)
                .map(|s| s.as_str().to_string())
                .ok()
                .or_else(|| {
                    der::asn1::PrintableStringRef::try_from(&atv.value)
                        .ok()
                        .map(|s| s.as_str().to_string())
                })
        })?
    })
}

/// A PDF text string: UTF-16BE with a byte-order mark, as hex.
fn text_string(s: &str) -> String {
    let mut out = String::from("<FEFF");
    for unit in s.encode_utf16() {
        out.push_str(&format!("{unit:04X}"));
    }
    out.push('>');
    out
}

fn write_name(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'/');
    for &b in name {
        if (0x21..=0x7E).contains(&b) && !b"#()<>[]{}/%".contains(&b) {
            out.push(b);
        } else {
            out.extend_from_slice(format!("#{b:02X}").as_bytes());
        }
    }
}

/// Writes a PDF object in PDF syntax (dictionaries, arrays, names, strings as hex).
fn write_object(out: &mut Vec<u8>, o: &Object) -> Result<(), SignError> {
    match o {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Object::Real(r) => out.extend_from_slice(format!("{r:.4}").as_bytes()),
        Object::Name(n) => write_name(out, n),
        Object::String(s, _) => {
            out.push(b'<');
            for b in s {
                out.extend_from_slice(format!("{b:02X}").as_bytes());
            }
            out.push(b'>');
        }
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_object(out, item)?;
            }
            out.push(b']');
        }
        Object::Dictionary(d) => write_dict(out, d)?,
        Object::Reference((id, generation)) => {
            out.extend_from_slice(format!("{id} {generation} R").as_bytes())
        }
        Object::Stream(_) => {
            return Err(SignError::Pdf("unexpected stream in a dictionary".into()));
        }
        #[allow(unreachable_patterns)]
        _ => return Err(SignError::Pdf("an object of an unknown kind".into())),
    }
    Ok(())
}

fn write_dict(out: &mut Vec<u8>, d: &Dictionary) -> Result<(), SignError> {
    out.extend_from_slice(b"<<");
    for (k, v) in d.iter() {
        write_name(out, k);
        out.push(b' ');
        write_object(out, v)?;
    }
    out.extend_from_slice(b">>");
    Ok(())
}

/// Where the last `startxref` of a PDF points.
fn last_startxref(pdf: &[u8]) -> Option<usize> {
    let at = find_last(pdf, b"startxref")?;
    let rest = &pdf[at + 9..];
    let digits: String = rest
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| b as char)
        .collect();
    digits.parse().ok()
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn pdf_date(t: &DateTime<Utc>) -> String {
    t.format("D:%Y%m%d%H%M%S+00'00'").to_string()
}

/// Signs a finished PDF with an incremental update; returns the signed file.
pub fn sign_pdf(
    pdf: &[u8],
    signer: &Signer,
    signed_at: DateTime<Utc>,
    reason: &str,
) -> Result<Vec<u8>, SignError> {
    let doc = lopdf::Document::load_mem(pdf).map_err(pdf_err)?;
    let root: ObjectId = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(pdf_err)?;
    let mut catalog = doc
        .get_object(root)
        .and_then(Object::as_dict)
        .map_err(pdf_err)?
        .clone();
    let page_id = *doc
        .get_pages()
        .get(&1)
        .ok_or_else(|| SignError::Pdf("the PDF has no pages".into()))?;
    let mut page = doc
        .get_object(page_id)
        .and_then(Object::as_dict)
        .map_err(pdf_err)?
        .clone();
    let size = doc
        .trailer
        .get(b"Size")
        .and_then(Object::as_i64)
        .map_err(pdf_err)? as u32;
    let prev = last_startxref(pdf).ok_or_else(|| SignError::Pdf("no startxref".into()))?;
    let (sig_id, field_id) = (size, size + 1);

    // The field on page 1 (invisible), and the catalog's form that lists it.
    let field_ref = Object::Reference((field_id, 0));
    let mut annots = match page.get(b"Annots") {
        Ok(Object::Array(a)) => a.clone(),
        Ok(Object::Reference(r)) => doc
            .get_object(*r)
            .and_then(Object::as_array)
            .map_err(pdf_err)?
            .clone(),
        _ => Vec::new(),
    };
    annots.push(field_ref.clone());
    page.set("Annots", Object::Array(annots));
    let mut form = Dictionary::new();
    form.set("Fields", Object::Array(vec![field_ref]));
    form.set("SigFlags", Object::Integer(3));
    catalog.set("AcroForm", Object::Dictionary(form));

    let mut out = pdf.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut offsets: Vec<(u32, usize)> = Vec::new();

    offsets.push((sig_id, out.len()));
    let placeholder = format!("[0 {z} {z} {z}]", z = "0".repeat(BYTE_RANGE_DIGITS));
    out.extend_from_slice(
        format!(
            "{sig_id} 0 obj\n<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached/ByteRange {placeholder}/Contents <"
        )
        .as_bytes(),
    );
    let contents_start = out.len() - 1; // the '<'
    out.extend(std::iter::repeat_n(b'0', CONTENTS_BYTES * 2));
    out.push(b'>');
    let contents_end = out.len(); // just after the '>'
    out.extend_from_slice(
        format!(
            "/M({})/Name{}/Reason{}>>\nendobj\n",
            pdf_date(&signed_at),
            text_string(signer.name()),
            text_string(reason)
        )
        .as_bytes(),
    );

    offsets.push((field_id, out.len()));
    out.extend_from_slice(
        format!(
            "{field_id} 0 obj\n<</Type/Annot/Subtype/Widget/FT/Sig/T{}/V {sig_id} 0 R/F 132/Rect[0 0 0 0]/P {} {} R>>\nendobj\n",
            text_string("Signature1"),
            page_id.0,
            page_id.1
        )
        .as_bytes(),
    );
    for (id, dict) in [(root, &catalog), (page_id, &page)] {
        offsets.push((id.0, out.len()));
        out.extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
        write_dict(&mut out, dict)?;
        out.extend_from_slice(b"\nendobj\n");
    }

    // The cross-reference section of this update, in runs of consecutive object numbers.
    offsets.sort_unstable();
    let xref_at = out.len();
    out.extend_from_slice(b"xref\n0 1\n0000000000 65535 f \n");
    let mut i = 0;
    while i < offsets.len() {
        let mut j = i;
        while j + 1 < offsets.len() && offsets[j + 1].0 == offsets[j].0 + 1 {
            j += 1;
        }
        out.extend_from_slice(format!("{} {}\n", offsets[i].0, j - i + 1).as_bytes());
        for (id, off) in &offsets[i..=j] {
            let generation = if *id == root.0 {
                root.1
            } else if *id == page_id.0 {
                page_id.1
            } else {
                0
            };
            out.extend_from_slice(format!("{off:010} {generation:05} n \n").as_bytes());
        }
        i = j + 1;
    }
    let mut trailer = Dictionary::new();
    trailer.set("Size", Object::Integer(i64::from(field_id + 1)));
    trailer.set("Root", Object::Reference(root));
    for key in [b"Info".as_slice(), b"ID"] {
        if let Ok(v) = doc.trailer.get(key) {
            trailer.set(key, v.clone());
        }
    }
    trailer.set("Prev", Object::Integer(prev as i64));
    out.extend_from_slice(b"trailer\n");
    write_dict(&mut out, &trailer)?;
    out.extend_from_slice(format!("\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());

    // Patch /ByteRange at the same width, hash the two ranges, fill the hole.
    let ranges = [0, contents_start, contents_end, out.len() - contents_end];
    let patched = format!(
        "[0 {:<w$} {:<w$} {:<w$}]",
        ranges[1],
        ranges[2],
        ranges[3],
        w = BYTE_RANGE_DIGITS
    );
    let at = find_last(&out[..contents_start], placeholder.as_bytes())
        .ok_or_else(|| SignError::Pdf("lost the /ByteRange placeholder".into()))?;
    out[at..at + placeholder.len()].copy_from_slice(patched.as_bytes());
    let mut hasher = Sha256::new();
    hasher.update(&out[..contents_start]);
    hasher.update(&out[contents_end..]);
    let digest = hasher.finalize();
    let cms = detached_cms(signer, &digest)?;
    if cms.len() > CONTENTS_BYTES {
        return Err(SignError::Pdf(format!(
            "the signature takes {} bytes, more than the {CONTENTS_BYTES} reserved",
            cms.len()
        )));
    }
    let hex: String = cms.iter().map(|b| format!("{b:02x}")).collect();
    out[contents_start + 1..contents_start + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(out)
}

/// ESS signing-certificate-v2 (RFC 5035) naming the signer's certificate by its SHA-256.
fn signing_certificate_v2(cert_der: &[u8]) -> Result<Attribute, SignError> {
    // SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }
    // ESSCertIDv2 ::= SEQUENCE { certHash OCTET STRING }   (hashAlgorithm defaults to SHA-256)
    let hash = der::asn1::OctetString::new(Sha256::digest(cert_der).to_vec()).map_err(cert_err)?;
    let ess_cert_id =
        Any::new(Tag::Sequence, hash.to_der().map_err(cert_err)?).map_err(cert_err)?;
    let certs =
        Any::new(Tag::Sequence, ess_cert_id.to_der().map_err(cert_err)?).map_err(cert_err)?;
    let value = Any::new(Tag::Sequence, certs.to_der().map_err(cert_err)?).map_err(cert_err)?;
    Ok(Attribute {
        oid: OID_SIGNING_CERTIFICATE_V2,
        values: SetOfVec::try_from(vec![value]).map_err(cert_err)?,
    })
}

fn detached_cms(signer: &Signer, digest: &[u8]) -> Result<Vec<u8>, SignError> {
    let eci = EncapsulatedContentInfo {
        econtent_type: OID_DATA,
        econtent: None,
    };
    let sha256 = AlgorithmIdentifierOwned {
        oid: OID_SHA256,
        parameters: None,
    };
    let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: signer.cert.tbs_certificate.issuer.clone(),
        serial_number: signer.cert.tbs_certificate.serial_number.clone(),
    });
    let mut info = SignerInfoBuilder::new(&signer.key, sid, sha256.clone(), &eci, Some(digest))
        .map_err(pdf_err)?;
    info.add_signed_attribute(signing_certificate_v2(&signer.cert_der)?)
        .map_err(pdf_err)?;
    let mut data = SignedDataBuilder::new(&eci);
    data.add_digest_algorithm(sha256)
        .map_err(pdf_err)?
        .add_certificate(CertificateChoices::Certificate(signer.cert.clone()))
        .map_err(pdf_err)?
        .add_signer_info::<SigningKey, DerSignature>(info)
        .map_err(pdf_err)?;
    data.build().map_err(pdf_err)?.to_der().map_err(pdf_err)
}

/// What checking a report's signature found.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Verification {
    /// The signed bytes are intact and the signature is the signer certificate's.
    pub valid: bool,
    /// The signer certificate's name.
    pub signer: Option<String>,
    /// When it was signed (the signature's `/M`), RFC 3339.
    pub signed_at: Option<String>,
    /// Whether the given trusted certificate is the signer's or issued it; none without one.
    pub trusted: Option<bool>,
    /// What is wrong, when it is not valid.
    pub problem: Option<String>,
}

/// The problems [`verify_pdf`] reports, in English and Russian.
const PROBLEMS: &[(&str, &str)] = &[
    ("the file is empty", "файл пуст"),
    ("this is not a PDF file", "это не файл PDF"),
    (
        "the file is cut short (it does not end as a PDF does); ask for the report again",
        "файл обрезан (он не заканчивается так, как PDF); запросите отчёт ещё раз",
    ),
    ("the PDF carries no signature", "в PDF нет подписи"),
    (
        "the signature does not cover the whole file: something was added or cut after signing",
        "подпись охватывает не весь файл: после подписания что-то добавили или отрезали",
    ),
    (
        "the signature is damaged (not hexadecimal)",
        "подпись повреждена (не шестнадцатеричные данные)",
    ),
    (
        "the signature is damaged (its CMS data cannot be read)",
        "подпись повреждена (её данные CMS не читаются) или в её поле что-то дописали",
    ),
    (
        "the signature has no signed attributes",
        "у подписи нет подписанных атрибутов",
    ),
    (
        "the document was changed after it was signed",
        "документ изменили после подписания",
    ),
    (
        "the signature is not an ECDSA P-256 signature this program can check",
        "это не подпись ECDSA P-256, которую умеет проверять программа",
    ),
    (
        "the signature does not match the signer's certificate",
        "подпись не соответствует сертификату подписавшего",
    ),
    (
        "the signer's certificate is not the one the signature names: it was changed or replaced",
        "сертификат подписавшего — не тот, что назван в подписи: его изменили или подменили",
    ),
];

impl Verification {
    /// The same findings with the problem told in `lang`.
    pub fn in_lang(mut self, lang: storecheck_core::Lang) -> Verification {
        if lang == storecheck_core::Lang::Ru
            && let Some(p) = &self.problem
            && let Some((_, ru)) = PROBLEMS.iter().find(|(en, _)| en == p)
        {
            self.problem = Some((*ru).to_string());
        }
        self
    }

    fn invalid(problem: &str) -> Verification {
        Verification {
            valid: false,
            signer: None,
            signed_at: None,
            trusted: None,
            problem: Some(problem.to_string()),
        }
    }
}

/// Parses `[a b c d]` after the last `/ByteRange`.
fn byte_range(pdf: &[u8]) -> Option<(usize, [usize; 4])> {
    let at = find_last(pdf, b"/ByteRange")?;
    let open = at + pdf[at..].iter().position(|&b| b == b'[')?;
    let close = open + pdf[open..].iter().position(|&b| b == b']')?;
    let nums: Vec<usize> = std::str::from_utf8(&pdf[open + 1..close])
        .ok()?
        .split_whitespace()
        .map(|n| n.parse().ok())
        .collect::<Option<_>>()?;
    Some((at, nums.try_into().ok()?))
}

/// The `/M (D:YYYYMMDDHHmmSS…)` of the signature dictionary that starts near `at`.
fn signing_time(pdf: &[u8], at: usize) -> Option<String> {
    let window = &pdf[at..pdf.len().min(at + CONTENTS_BYTES * 2 + 4096)];
    let m = window
        .windows(5)
        .position(|w| w == b"/M(D:" || w == b"/M (D")?;
    let start = at + m + window[m..].iter().position(|&b| b == b'D')? + 2;
    let digits: String = pdf[start..].iter().take(14).map(|&b| b as char).collect();
    let t = chrono::NaiveDateTime::parse_from_str(&digits, "%Y%m%d%H%M%S").ok()?;
    Some(
        t.and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )
}

fn hex_decode(hex: &[u8]) -> Option<Vec<u8>> {
    hex.chunks(2)
        .map(|pair| {
            let s = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(s, 16).ok()
        })
        .collect()
}

/// Checks the last signature of a PDF: the signed ranges cover the whole file but the
/// signature itself, their SHA-256 is the one signed, and the signature is the embedded
/// certificate's. `trust` is a certificate (PEM or DER) that should be the signer's or its issuer.
pub fn verify_pdf(pdf: &[u8], trust: Option<&[u8]>) -> Verification {
    if !pdf.starts_with(b"%PDF-") {
        return Verification::invalid(if pdf.is_empty() {
            "the file is empty"
        } else {
            "this is not a PDF file"
        });
    }
    let tail = &pdf[pdf.len().saturating_sub(1024)..];
    if find_last(tail, b"%%EOF").is_none() {
        return Verification::invalid(
            "the file is cut short (it does not end as a PDF does); ask for the report again",
        );
    }
    let Some((at, [a, b, c, d])) = byte_range(pdf) else {
        return Verification::invalid("the PDF carries no signature");
    };
    if a != 0
        || b >= c
        || c.checked_add(d) != Some(pdf.len())
        || pdf.get(b) != Some(&b'<')
        || pdf.get(c - 1) != Some(&b'>')
    {
        return Verification::invalid(
            "the signature does not cover the whole file: something was added or cut after signing",
        );
    }
    let Some(der) = hex_decode(&pdf[b + 1..c - 1]) else {
        return Verification::invalid("the signature is damaged (not hexadecimal)");
    };
    let mut hasher = Sha256::new();
    hasher.update(&pdf[..b]);
    hasher.update(&pdf[c..]);
    let digest = hasher.finalize();
    let signed_at = signing_time(pdf, at);

    let parsed = (|| {
        let mut reader = der::SliceReader::new(&der).ok()?;
        let ci = ContentInfo::decode(&mut reader).ok()?;
        // The signature is followed by zeros up to the size reserved for it; anything else
        // there was put in after signing.
        let used = usize::try_from(u32::from(ci.encoded_len().ok()?)).ok()?;
        der.get(used..)?.iter().all(|&b| b == 0).then_some(())?;
        (ci.content_type == OID_SIGNED_DATA).then_some(())?;
        let sd: SignedData = ci.content.decode_as().ok()?;
        let cert = sd.certificates.as_ref()?.0.iter().find_map(|c| match c {
            CertificateChoices::Certificate(c) => Some(c.clone()),
            _ => None,
        })?;
        let si = sd.signer_infos.0.get(0)?.clone();
        Some((cert, si))
    })();
    let Some((cert, si)) = parsed else {
        return Verification::invalid("the signature is damaged (its CMS data cannot be read)");
        // (also when bytes were written into the zeros after it)
    };
    let signer = common_name(&cert.tbs_certificate.subject);
    let mut v = Verification {
        valid: false,
        signer,
        signed_at,
        trusted: trust.map(|t| issued_by(&cert, t)),
        problem: None,
    };
    let Some(attrs) = si.signed_attrs.as_ref() else {
        v.problem = Some("the signature has no signed attributes".into());
        return v;
    };
    let signed_digest = attrs
        .iter()
        .find(|a| a.oid == OID_MESSAGE_DIGEST)
        .and_then(|a| a.values.iter().next())
        .and_then(|v| der::asn1::OctetStringRef::try_from(v).ok())
        .map(|o| o.as_bytes().to_vec());
    if signed_digest.as_deref() != Some(digest.as_slice()) {
        v.problem = Some("the document was changed after it was signed".into());
        return v;
    }
    let key = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .ok()
        .and_then(|d| VerifyingKey::from_public_key_der(&d).ok());
    let (Some(key), Ok(message), Ok(sig)) = (
        key,
        attrs.to_der(),
        DerSignature::from_bytes(si.signature.as_bytes()),
    ) else {
        v.problem =
            Some("the signature is not an ECDSA P-256 signature this program can check".into());
        return v;
    };
    if signature::Verifier::verify(&key, &message, &sig).is_err() {
        v.problem = Some("the signature does not match the signer's certificate".into());
        return v;
    }
    // The signed attributes name the certificate by its hash: a certificate changed after
    // signing (another name put in, say) no longer matches.
    let named = attrs
        .iter()
        .find(|a| a.oid == OID_SIGNING_CERTIFICATE_V2)
        .and_then(|a| a.values.iter().next())
        .and_then(certificate_hash);
    let actual = cert.to_der().ok().map(|d| Sha256::digest(d).to_vec());
    if named.is_none() || named != actual {
        v.problem = Some(
            "the signer's certificate is not the one the signature names: it was changed or replaced"
                .into(),
        );
        return v;
    }
    v.valid = true;
    v
}

/// The elements inside a constructed DER value.
fn children(any: &Any) -> Option<Vec<Any>> {
    let mut reader = der::SliceReader::new(any.value()).ok()?;
    let mut out = Vec::new();
    while !der::Reader::is_finished(&reader) {
        out.push(Any::decode(&mut reader).ok()?);
    }
    Some(out)
}

/// The SHA-256 certificate hash of an ESS signing-certificate-v2 value (its first ESSCertIDv2).
fn certificate_hash(value: &Any) -> Option<Vec<u8>> {
    let certs = children(value)?.into_iter().next()?;
    let id = children(&certs)?.into_iter().next()?;
    let mut parts = children(&id)?.into_iter();
    let mut first = parts.next()?;
    if first.tag() == Tag::Sequence {
        // hashAlgorithm: only SHA-256 is checked here.
        let alg = children(&first)?.into_iter().next()?;
        let oid = der::oid::ObjectIdentifier::from_bytes(alg.value()).ok()?;
        (oid == OID_SHA256).then_some(())?;
        first = parts.next()?;
    }
    (first.tag() == Tag::OctetString).then(|| first.value().to_vec())
}

/// Reads a certificate given as PEM or DER; none when the bytes are not one.
pub fn read_certificate(bytes: &[u8]) -> Option<Certificate> {
    Certificate::from_pem(bytes)
        .ok()
        .or_else(|| Certificate::from_der(bytes).ok())
}

/// Whether `anchor` (PEM or DER) is `cert` itself, or issued it: it is named as the issuer
/// and its key made the certificate's signature.
fn issued_by(cert: &Certificate, anchor: &[u8]) -> bool {
    let Some(anchor) = read_certificate(anchor) else {
        return false;
    };
    if anchor == *cert {
        return true;
    }
    if anchor.tbs_certificate.subject != cert.tbs_certificate.issuer {
        return false;
    }
    let key = anchor
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .ok()
        .and_then(|d| VerifyingKey::from_public_key_der(&d).ok());
    let (Some(key), Ok(tbs), Some(raw)) = (
        key,
        cert.tbs_certificate.to_der(),
        cert.signature.as_bytes(),
    ) else {
        return false;
    };
    DerSignature::from_bytes(raw)
        .map(|sig| signature::Verifier::verify(&key, &tbs, &sig).is_ok())
        .unwrap_or(false)
}
