//! The report's digital signature: a PAdES baseline (B-B) signature that any PDF reader checks.
//!
//! [`sign_pdf`] appends an incremental update to a finished PDF: a `/Sig` dictionary
//! (`/SubFilter /ETSI.CAdES.detached`, `/ByteRange`, a fixed-size `/Contents`), an invisible
//! signature field on page 1 and the catalog's `/AcroForm`. It then hashes every byte but the
//! `/Contents` hole (SHA-256) and fills the hole with a detached CMS SignedData made with the
//! auditor's ECDSA P-256 key, carrying the certificate and the ESS signing-certificate-v2
//! attribute, and the certificates that issued the signer's when there are any. Checking is
//! [`crate::verify`]'s ([`verify_pdf`] is re-exported here).
//!
//! [`Signer`] is one auditor's identity, kept in a folder of its own per name: the key is made on
//! first use and kept in a file only its owner may read; the certificate is self-made until HQ
//! issues one, and an issued one is never replaced.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier};
use der::asn1::SetOfVec;
use der::{Any, Decode, DecodePem, Encode, EncodePem, Tag};
use lopdf::{Dictionary, Object, ObjectId};
use p256::ecdsa::{DerSignature, SigningKey};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use sha2::{Digest, Sha256};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use storecheck_core::ids::Ids;
use x509_cert::Certificate;
use x509_cert::attr::{Attribute, AttributeTypeAndValue};
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

pub use crate::verify::{CertificateInfo, SignatureCheck, Verification, verify_pdf, verify_pdf_in};

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
    /// A key or certificate file that is there but cannot be used. It is left as it is: it
    /// may be the only copy of an identity HQ certified.
    #[error("{path}: {en}")]
    Unusable {
        path: String,
        en: String,
        ru: String,
    },
}

pub(crate) fn io(path: &Path, source: std::io::Error) -> SignError {
    SignError::Io {
        path: path.display().to_string(),
        source,
    }
}

pub(crate) fn cert_err(e: impl std::fmt::Display) -> SignError {
    SignError::Certificate(e.to_string())
}

fn pdf_err(e: impl std::fmt::Display) -> SignError {
    SignError::Pdf(e.to_string())
}

fn unusable(path: &Path, en: impl Into<String>, ru: impl Into<String>) -> SignError {
    SignError::Unusable {
        path: path.display().to_string(),
        en: en.into(),
        ru: ru.into(),
    }
}

pub(crate) const KEY_FILE: &str = "signing-key.pem";
pub(crate) const CERT_FILE: &str = "signing-cert.pem";
/// The certificates that issued the signer's, when HQ issued it (PEM, any number).
pub(crate) const CHAIN_FILE: &str = "signing-chain.pem";

/// An auditor's signing identity: an ECDSA P-256 key and its X.509 certificate, with the
/// certificates that issued it when HQ did.
pub struct Signer {
    key: SigningKey,
    cert: Certificate,
    cert_der: Vec<u8>,
    chain: Vec<Certificate>,
    name: String,
    dir: Option<PathBuf>,
}

/// The folder of one signer's key and certificate inside the keys folder: the name as typed
/// (characters a file name cannot hold replaced) and a hash of its exact spelling, so that
/// two spellings never share a key or a certificate, even where file names ignore case.
pub fn signer_folder(name: &str) -> String {
    let readable: String = name
        .chars()
        .map(|c| match c {
            c if c.is_alphanumeric() || c == '-' || c == '_' => c,
            ' ' => '-',
            _ => '_',
        })
        .take(40)
        .collect();
    let hash = Sha256::digest(name.as_bytes());
    let short: String = hash[..4].iter().map(|b| format!("{b:02x}")).collect();
    format!("{readable}-{short}")
}

impl Signer {
    /// The identity of `name`, exactly as spelled, from `keys/<signer_folder(name)>/`: its
    /// key (`signing-key.pem`, readable by its owner only), its certificate
    /// (`signing-cert.pem`) and, when HQ issued it, the issuing certificates
    /// (`signing-chain.pem`). What is missing is made, each file written whole or not at all:
    /// a new key, and a self-made certificate valid for ten years. A key made before
    /// identities had folders (`keys/signing-key.pem`) is used for the name its certificate
    /// holds. `ids` names the temporary files they are written through (a database's own,
    /// [`storecheck_core::Db::ids`]).
    ///
    /// Errors: [`SignError::Unusable`] when a key or certificate file is there but empty, cut
    /// short, not a key or certificate, or not for this key or name: nothing is replaced.
    pub fn load_or_create(
        keys: &Path,
        name: &str,
        now: DateTime<Utc>,
        ids: &Ids,
    ) -> Result<Signer, SignError> {
        let legacy_cert = keys.join(CERT_FILE);
        let legacy = keys.join(KEY_FILE).exists()
            && std::fs::read(&legacy_cert)
                .ok()
                .and_then(|pem| Certificate::from_pem(&pem).ok())
                .is_some_and(|c| common_name(&c.tbs_certificate.subject).as_deref() == Some(name));
        let dir = if legacy {
            keys.to_path_buf()
        } else {
            keys.join(signer_folder(name))
        };
        std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
        let key_path = dir.join(KEY_FILE);
        let key = match read_if_there(&key_path)? {
            Some(pem) => read_key(&key_path, &pem)?,
            None => {
                let key = SigningKey::random(&mut rand_core::OsRng);
                let pem = key
                    .to_pkcs8_pem(LineEnding::LF)
                    .map_err(|e| SignError::Key(e.to_string()))?;
                write_private(&key_path, pem.as_bytes(), ids)?;
                // Another process may have made the key first: the file is what counts.
                let pem = std::fs::read(&key_path).map_err(|e| io(&key_path, e))?;
                read_key(&key_path, &pem)?
            }
        };
        let cert_path = dir.join(CERT_FILE);
        let cert = match read_if_there(&cert_path)? {
            Some(pem) => read_own_certificate(&cert_path, &pem, &key, name)?,
            None => {
                let c = self_signed(&key, name, now)?;
                let pem = c.to_pem(LineEnding::LF).map_err(cert_err)?;
                write_new(&cert_path, pem.as_bytes(), false, ids)?;
                let pem = std::fs::read(&cert_path).map_err(|e| io(&cert_path, e))?;
                read_own_certificate(&cert_path, &pem, &key, name)?
            }
        };
        let chain_path = dir.join(CHAIN_FILE);
        let chain = match read_if_there(&chain_path)? {
            Some(pem) => Certificate::load_pem_chain(&pem).map_err(|e| {
                unusable(
                    &chain_path,
                    format!("the issuing certificates cannot be read ({e})"),
                    format!("сертификаты издателя не читаются ({e})"),
                )
            })?,
            None => Vec::new(),
        };
        let mut signer = Signer::with_certificate(name, key, cert, chain)?;
        signer.dir = Some(dir);
        Ok(signer)
    }

    /// An identity from its parts: the key, its certificate, and the certificates that issued
    /// it (put into every signature so that a reader can build the chain).
    pub fn with_certificate(
        name: &str,
        key: SigningKey,
        cert: Certificate,
        chain: Vec<Certificate>,
    ) -> Result<Signer, SignError> {
        let cert_der = cert.to_der().map_err(cert_err)?;
        Ok(Signer {
            key,
            cert,
            cert_der,
            chain,
            name: name.to_string(),
            dir: None,
        })
    }

    pub fn certificate_der(&self) -> &[u8] {
        &self.cert_der
    }

    pub fn certificate_pem(&self) -> String {
        self.cert.to_pem(LineEnding::LF).unwrap_or_default()
    }

    /// Who the certificate says it is, who issued it, and whether it is self-made.
    pub fn certificate(&self) -> CertificateInfo {
        CertificateInfo::of(&self.cert)
    }

    /// The folder the key and certificate are kept in, when they came from one.
    pub fn folder(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.key
    }
}

/// A file's bytes, or none when there is no such file.
pub(crate) fn read_if_there(path: &Path) -> Result<Option<Vec<u8>>, SignError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(path, e)),
    }
}

fn read_key(path: &Path, pem: &[u8]) -> Result<SigningKey, SignError> {
    let text = std::str::from_utf8(pem).unwrap_or("");
    if let Ok(key) = SigningKey::from_pkcs8_pem(text) {
        return Ok(key);
    }
    Err(if pem.is_empty() {
        unusable(
            path,
            "the signing key file is empty (the computer probably stopped while it was being made)",
            "файл ключа подписи пуст (вероятно, компьютер остановился, пока ключ создавался)",
        )
    } else if text.starts_with("-----BEGIN PRIVATE KEY-----")
        && !text.contains("-----END PRIVATE KEY-----")
    {
        unusable(
            path,
            "the signing key file is cut short",
            "файл ключа подписи обрезан",
        )
    } else {
        unusable(
            path,
            "the signing key file does not hold a key StoreCheck can use (a PKCS #8 PEM P-256 key)",
            "в файле ключа подписи нет ключа, который может использовать StoreCheck (PKCS #8 PEM, P-256)",
        )
    })
}

/// The certificate in `pem`, which must be for `key` and name `name`.
fn read_own_certificate(
    path: &Path,
    pem: &[u8],
    key: &SigningKey,
    name: &str,
) -> Result<Certificate, SignError> {
    let Ok(cert) = Certificate::from_pem(pem) else {
        return Err(if pem.is_empty() {
            unusable(
                path,
                "the certificate file is empty",
                "файл сертификата пуст",
            )
        } else {
            unusable(
                path,
                "the certificate file does not hold a certificate (PEM) or is cut short",
                "в файле сертификата нет сертификата (PEM) или файл обрезан",
            )
        });
    };
    let ours = SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).map_err(cert_err)?;
    if cert.tbs_certificate.subject_public_key_info != ours {
        return Err(unusable(
            path,
            "the certificate is not for the signing key beside it",
            "сертификат выдан не для ключа подписи, лежащего рядом",
        ));
    }
    let holds = common_name(&cert.tbs_certificate.subject).unwrap_or_default();
    if holds != name {
        return Err(unusable(
            path,
            format!("the certificate is for «{holds}», not for «{name}»"),
            format!("сертификат выдан на имя «{holds}», а не «{name}»"),
        ));
    }
    Ok(cert)
}

/// Writes a new file through the project's durable writer (temporary file, flush, rename,
/// flush the folder); an existing file is left as it is.
pub(crate) fn write_new(
    path: &Path,
    bytes: &[u8],
    private: bool,
    ids: &Ids,
) -> Result<(), SignError> {
    let written = if private {
        storecheck_core::photo::write_durably_private(path, bytes, ids).map(|_| ())
    } else {
        storecheck_core::photo::write_durably(path, bytes, ids)
    };
    written.map_err(|e| match e {
        storecheck_core::Error::Io { source, .. } => io(path, source),
        other => SignError::Key(other.to_string()),
    })
}

/// A key file only its owner may read and write (on Unix), written whole or not at all.
fn write_private(path: &Path, bytes: &[u8], ids: &Ids) -> Result<(), SignError> {
    write_new(path, bytes, true, ids)
}

pub(crate) fn rdn(
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
            include_subject_key_identifier: true,
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
pub(crate) fn common_name(name: &Name) -> Option<String> {
    crate::ca::attribute(name, OID_CN)
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
        // Rust writes the shortest decimal that reads back as the same number, never an exponent.
        Object::Real(r) => out.extend_from_slice(format!("{r}").as_bytes()),
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
    let mut annots = array_entry(&doc, &page, b"Annots")?;
    annots.push(field_ref.clone());
    page.set("Annots", Object::Array(annots));
    // A report signed before keeps its signature fields: the new one is added to them.
    let mut form = match catalog.get(b"AcroForm") {
        Ok(Object::Dictionary(d)) => d.clone(),
        Ok(Object::Reference(r)) => doc
            .get_object(*r)
            .and_then(Object::as_dict)
            .map_err(pdf_err)?
            .clone(),
        _ => Dictionary::new(),
    };
    let mut fields = array_entry(&doc, &form, b"Fields")?;
    let field_name = format!("Signature{}", fields.len() + 1);
    fields.push(field_ref);
    form.set("Fields", Object::Array(fields));
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
            text_string(&field_name),
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

/// A dictionary's array entry, given in place or by reference; empty when absent.
fn array_entry(
    doc: &lopdf::Document,
    dict: &Dictionary,
    key: &[u8],
) -> Result<Vec<Object>, SignError> {
    Ok(match dict.get(key) {
        Ok(Object::Array(a)) => a.clone(),
        Ok(Object::Reference(r)) => doc
            .get_object(*r)
            .and_then(Object::as_array)
            .map_err(pdf_err)?
            .clone(),
        _ => Vec::new(),
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
        .map_err(pdf_err)?;
    for issuer in &signer.chain {
        data.add_certificate(CertificateChoices::Certificate(issuer.clone()))
            .map_err(pdf_err)?;
    }
    data.add_signer_info::<SigningKey, DerSignature>(info)
        .map_err(pdf_err)?;
    data.build().map_err(pdf_err)?.to_der().map_err(pdf_err)
}

/// Reads a certificate given as PEM or DER; none when the bytes are not one.
pub fn read_certificate(bytes: &[u8]) -> Option<Certificate> {
    Certificate::from_pem(bytes)
        .ok()
        .or_else(|| Certificate::from_der(bytes).ok())
}

impl From<SignError> for storecheck_core::Error {
    fn from(e: SignError) -> Self {
        match e {
            SignError::Unusable { path, en, ru } => {
                storecheck_core::Error::SigningFile { path, en, ru }
            }
            SignError::Io { path, source } => storecheck_core::Error::Io { path, source },
            other => storecheck_core::Error::SigningFile {
                path: "keys".into(),
                en: other.to_string(),
                ru: format!("ключ или сертификат подписи не удалось использовать ({other})"),
            },
        }
    }
}
