//! The HQ package: what HQ sends to its stores, as one file signed by the chain's CA.
//!
//! A ZIP anyone can list: `package.json` (format, chain, sequence number, time, the CA
//! certificate's SHA-256, and the size and SHA-256 of every other entry), `package.sig` (a DSSE
//! envelope over `package.json`'s exact bytes by the CA's key, as a bundle's manifest is
//! signed), `ca.pem` (the CA's certificate), `crl.pem` (its revocation list),
//! `standards.ndjson` (the current version of every standard, with HQ's ids),
//! `stores.ndjson` (the store directory) and `certificates.pem` (the auditors' certificates
//! HQ issued and did not revoke). `package.json` may carry HQ's server address
//! (`server_url`, since HQ gives it; a package without one is read as before), under the same
//! signature as the rest.
//!
//! - [`write_package`]: HQ's side.
//! - [`read_package`]: the store's side, every check before anything is believed: size,
//!   archive, names, format, the CA certificate, the signature by its key, every entry's size
//!   and hash, every line, certificate and the revocation list the CA's.
//! - [`receive`]: read, then install whole ([`storecheck_core::Db::install_package`]), then
//!   put the store's auditors' issued certificates in place.

use std::io::{Cursor, Read, Write};
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::ecdsa::{Signature, VerifyingKey};
use p256::pkcs8::{DecodePublicKey, EncodePublicKey, LineEnding};
use serde::{Deserialize, Serialize};
use storecheck_core::Db;
use storecheck_core::hq_package::{PackageContents, PackageInstall, PackageProblem};
use storecheck_core::record::{StandardRecord, StoreRecord};
use storecheck_report::ca::{self, ChainCa, Installed};
use x509_cert::Certificate;
use x509_cert::der::Encode;
use zip::ZipArchive;
use zip::write::SimpleFileOptions;

use crate::manifest::{Entry, Envelope, EnvelopeSignature, pae, sha256_hex};

/// The newest package format this program writes and reads.
pub const FORMAT: u32 = 1;
pub const KIND: &str = "storecheck-hq-package";
pub const PAYLOAD_TYPE: &str = "application/vnd.storecheck.hq-package+json";
pub const MANIFEST: &str = "package.json";
pub const SIGNATURE: &str = "package.sig";
pub const CA: &str = "ca.pem";
pub const CRL: &str = "crl.pem";
pub const STANDARDS: &str = "standards.ndjson";
pub const STORES: &str = "stores.ndjson";
pub const CERTIFICATES: &str = "certificates.pem";
const ENTRIES: [&str; 5] = [CA, CRL, STANDARDS, STORES, CERTIFICATES];
/// The largest package read: standards and a directory of stores are small.
pub const MAX_BYTES: u64 = 64 << 20;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackageManifest {
    pub format: u32,
    pub kind: String,
    pub app_version: String,
    /// The chain's name, as its CA's certificate gives it.
    pub chain: String,
    /// 1 for HQ's first package, then one more for each.
    pub sequence: u64,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// SHA-256 of `ca.pem`'s certificate (DER), hex: the fingerprint a store pins.
    pub ca_sha256: String,
    pub entries: Vec<Entry>,
    /// HQ's server address (`https://…`), when HQ gave one: a store with no address of its
    /// own sends there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_url: Option<String>,
}

/// What goes into a package.
pub struct NewPackage<'a> {
    pub ca: &'a ChainCa,
    pub sequence: u64,
    pub created_at: String,
    pub crl_der: &'a [u8],
    pub standards: &'a [StandardRecord],
    pub stores: &'a [StoreRecord],
    /// DER of each certificate.
    pub certificates: &'a [Vec<u8>],
    pub server_url: Option<&'a str>,
}

fn ndjson<T: Serialize>(rows: &[T]) -> Vec<u8> {
    let mut out = Vec::new();
    for row in rows {
        if let Ok(line) = serde_json::to_vec(row) {
            out.extend_from_slice(&line);
            out.push(b'\n');
        }
    }
    out
}

fn pem(label: &str, der: &[u8]) -> String {
    x509_cert::der::pem::encode_string(label, LineEnding::LF, der).unwrap_or_default()
}

/// The package's bytes, and the SHA-256 of its `package.json` (its identity).
pub fn write_package(p: &NewPackage<'_>) -> std::io::Result<(Vec<u8>, String)> {
    let files: Vec<(&str, Vec<u8>)> = vec![
        (CA, p.ca.certificate_pem().into_bytes()),
        (CRL, pem("X509 CRL", p.crl_der).into_bytes()),
        (STANDARDS, ndjson(p.standards)),
        (STORES, ndjson(p.stores)),
        (
            CERTIFICATES,
            p.certificates
                .iter()
                .map(|der| pem("CERTIFICATE", der))
                .collect::<String>()
                .into_bytes(),
        ),
    ];
    let manifest = PackageManifest {
        format: FORMAT,
        kind: KIND.to_string(),
        app_version: env!("CARGO_PKG_VERSION").to_string(),
        chain: p.ca.name().to_string(),
        sequence: p.sequence,
        created_at: p.created_at.clone(),
        ca_sha256: p.ca.fingerprint(),
        entries: files
            .iter()
            .map(|(name, bytes)| Entry {
                name: name.to_string(),
                size: bytes.len() as u64,
                sha256: sha256_hex(bytes),
            })
            .collect(),
        server_url: p.server_url.map(str::to_string),
    };
    let manifest_bytes = serde_json::to_vec_pretty(&manifest).map_err(std::io::Error::other)?;
    let key = p.ca.key();
    let public = VerifyingKey::from(key);
    let sig: Signature = key.sign(&pae(PAYLOAD_TYPE, &manifest_bytes));
    let envelope = Envelope {
        payload_type: PAYLOAD_TYPE.to_string(),
        public_key: public
            .to_public_key_pem(LineEnding::LF)
            .map_err(std::io::Error::other)?,
        signatures: vec![EnvelopeSignature {
            keyid: public
                .to_public_key_der()
                .map(|d| sha256_hex(d.as_bytes()))
                .unwrap_or_default(),
            sig: BASE64.encode(sig.to_der().as_bytes()),
        }],
    };
    let envelope_bytes = serde_json::to_vec_pretty(&envelope).map_err(std::io::Error::other)?;
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (name, bytes) in [
        (MANIFEST, manifest_bytes.as_slice()),
        (SIGNATURE, envelope_bytes.as_slice()),
    ]
    .into_iter()
    .chain(files.iter().map(|(n, b)| (*n, b.as_slice())))
    {
        zip.start_file(name, options)
            .map_err(std::io::Error::other)?;
        zip.write_all(bytes)?;
    }
    let bytes = zip.finish().map_err(std::io::Error::other)?.into_inner();
    Ok((bytes, sha256_hex(&manifest_bytes)))
}

/// A package read and checked whole.
pub struct ReadPackage {
    pub contents: PackageContents,
    pub ca: Certificate,
    /// The auditors' certificates it carries, each issued by its CA.
    pub certificates: Vec<Certificate>,
    /// Serial numbers its revocation list names.
    pub revoked: Vec<Vec<u8>>,
    pub created_at: String,
}

/// Reads and checks a package from its bytes; `shown` is how the person named the file.
pub fn read_package(bytes: &[u8], shown: &str) -> storecheck_core::Result<ReadPackage> {
    let refuse = |problem| storecheck_core::Error::Package {
        file: shown.to_string(),
        problem: Box::new(problem),
    };
    if bytes.len() as u64 > MAX_BYTES {
        return Err(refuse(PackageProblem::TooLarge {
            bytes: bytes.len() as u64,
            limit: MAX_BYTES,
        }));
    }
    let not_a_package = |e: &dyn std::fmt::Display| {
        refuse(PackageProblem::NotAPackage {
            detail: e.to_string(),
        })
    };
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| not_a_package(&e))?;
    if zip.has_duplicate_names() {
        return Err(not_a_package(&"an entry is there twice"));
    }
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| not_a_package(&e))?;
        let name = entry.name().map_err(|e| not_a_package(&e))?.into_owned();
        if !(ENTRIES.contains(&name.as_str()) || name == MANIFEST || name == SIGNATURE)
            || entry.encrypted()
        {
            return Err(refuse(PackageProblem::BadEntry { name }));
        }
    }
    let mut read = |name: &str| -> storecheck_core::Result<Vec<u8>> {
        let entry = zip.by_name(name).map_err(|_| {
            refuse(PackageProblem::MissingEntry {
                name: name.to_string(),
            })
        })?;
        let mut out = Vec::new();
        entry
            .take(MAX_BYTES + 1)
            .read_to_end(&mut out)
            .map_err(|e| not_a_package(&format!("{name}: {e}")))?;
        Ok(out)
    };
    let manifest_bytes = read(MANIFEST)?;
    #[derive(Deserialize)]
    struct Head {
        format: u32,
    }
    let head: Head = serde_json::from_slice(&manifest_bytes).map_err(|e| not_a_package(&e))?;
    if head.format > FORMAT {
        return Err(refuse(PackageProblem::NewerFormat {
            found: head.format,
            supported: FORMAT,
        }));
    }
    // The CA's certificate, then the signature by its key: nothing else is believed before.
    let ca_bytes = read(CA)?;
    let ca_cert = ca::certificates_in(&ca_bytes)
        .into_iter()
        .next()
        .filter(ca::is_ca)
        .ok_or_else(|| refuse(PackageProblem::BadSignature))?;
    let ca_der = ca_cert.to_der().map_err(|e| not_a_package(&e))?;
    let envelope: Envelope = serde_json::from_slice(&read(SIGNATURE)?)
        .map_err(|_| refuse(PackageProblem::BadSignature))?;
    if !signed_by_ca(&manifest_bytes, &envelope, &ca_cert) {
        return Err(refuse(PackageProblem::BadSignature));
    }
    let manifest: PackageManifest =
        serde_json::from_slice(&manifest_bytes).map_err(|e| not_a_package(&e))?;
    let fingerprint = ca::fingerprint(&ca_der);
    if manifest.kind != KIND || manifest.ca_sha256 != fingerprint || manifest.sequence == 0 {
        return Err(not_a_package(&format!("kind {:?}", manifest.kind)));
    }
    let server_url = match &manifest.server_url {
        Some(url) => Some(
            crate::push::server_url(url)
                .and_then(|url| crate::tls::plain_http_allowed(&url).map(|()| url))
                .map_err(|_| not_a_package(&format!("server_url {url:?}")))?,
        ),
        None => None,
    };
    // Every entry is one the list names, of its size and hash.
    let mut tables = std::collections::HashMap::new();
    for name in ENTRIES {
        let listed = manifest
            .entries
            .iter()
            .find(|e| e.name == name)
            .ok_or_else(|| {
                refuse(PackageProblem::MissingEntry {
                    name: name.to_string(),
                })
            })?;
        let bytes = if name == CA {
            ca_bytes.clone()
        } else {
            read(name)?
        };
        if bytes.len() as u64 != listed.size || sha256_hex(&bytes) != listed.sha256 {
            return Err(refuse(PackageProblem::Changed {
                name: name.to_string(),
            }));
        }
        tables.insert(name, bytes);
    }
    if manifest.entries.len() != ENTRIES.len() {
        return Err(not_a_package(&"entries listed twice or unknown"));
    }
    let bad = |entry: &str, line: usize, detail: String| {
        refuse(PackageProblem::BadRecord {
            entry: entry.to_string(),
            line,
            detail,
        })
    };
    let standards: Vec<StandardRecord> = lines(&tables[STANDARDS], STANDARDS, &bad)?;
    for (i, s) in standards.iter().enumerate() {
        if !s.is_consistent() {
            return Err(bad(
                STANDARDS,
                i + 1,
                format!(
                    "standard {} v{}: its ids are not its content's",
                    s.code, s.version
                ),
            ));
        }
    }
    let stores: Vec<StoreRecord> = lines(&tables[STORES], STORES, &bad)?;
    if let Some(i) = stores
        .iter()
        .position(|s| s.code.trim().is_empty() || s.name.trim().is_empty())
    {
        return Err(bad(STORES, i + 1, "a store without a code or name".into()));
    }
    let certificates = ca::certificates_in(&tables[CERTIFICATES]);
    if let Some(i) = certificates
        .iter()
        .position(|c| !ca::issued_by(c, &ca_cert))
    {
        return Err(bad(
            CERTIFICATES,
            0,
            format!("certificate {} is not issued by the package's CA", i + 1),
        ));
    }
    let crl_der = ca::pem_blocks(&tables[CRL])
        .into_iter()
        .find(|(label, _)| label == "X509 CRL")
        .map(|(_, der)| der)
        .unwrap_or_default();
    let revoked = ca::read_crl(&crl_der, &ca_cert)
        .ok_or_else(|| {
            bad(
                CRL,
                0,
                "the revocation list is damaged or not the CA's".into(),
            )
        })?
        .into_iter()
        .map(|r| r.serial)
        .collect();
    Ok(ReadPackage {
        contents: PackageContents {
            sequence: manifest.sequence,
            manifest_sha256: sha256_hex(&manifest_bytes),
            chain: manifest.chain.clone(),
            ca_sha256: fingerprint,
            ca_der,
            crl_der,
            made_at: manifest.created_at.clone(),
            standards,
            stores,
            server_url,
        },
        ca: ca_cert,
        certificates,
        revoked,
        created_at: manifest.created_at,
    })
}

/// The envelope signs `manifest` with the CA certificate's own key (the key the envelope
/// names must be that one).
fn signed_by_ca(manifest: &[u8], envelope: &Envelope, ca: &Certificate) -> bool {
    let Ok(spki) = ca.tbs_certificate.subject_public_key_info.to_der() else {
        return false;
    };
    let Ok(key) = VerifyingKey::from_public_key_der(&spki) else {
        return false;
    };
    if envelope.payload_type != PAYLOAD_TYPE {
        return false;
    }
    let message = pae(PAYLOAD_TYPE, manifest);
    envelope.signatures.iter().any(|s| {
        BASE64
            .decode(&s.sig)
            .ok()
            .and_then(|der| Signature::from_der(&der).ok())
            .is_some_and(|sig| key.verify(&message, &sig).is_ok())
    })
}

fn lines<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    entry: &str,
    bad: &impl Fn(&str, usize, String) -> storecheck_core::Error,
) -> storecheck_core::Result<Vec<T>> {
    let text = std::str::from_utf8(bytes).map_err(|e| bad(entry, 0, e.to_string()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| bad(entry, i + 1, e.to_string())))
        .collect()
}

/// What receiving a package did.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Received {
    #[serde(flatten)]
    #[ts(flatten)]
    pub install: PackageInstall,
    /// The auditors' certificates put in place on this laptop.
    pub certificates: Vec<Installed>,
}

/// What a package holds, before it is installed: for a person to confirm the CA of the first.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct PackagePreview {
    pub chain: String,
    #[ts(type = "number")]
    pub sequence: u64,
    /// SHA-256 of the CA certificate, hex.
    pub fingerprint: String,
    pub made_at: String,
    pub standards: Vec<String>,
    pub stores: usize,
    pub certificates: usize,
    /// No package is installed yet: installing this one pins its CA.
    pub first: bool,
    /// Why it would be refused, if it would (another CA, older, conflicting).
    pub refused: Option<String>,
}

/// Reads `path` whole (never more than [`MAX_BYTES`]).
fn read_file(path: &Path, shown: &str) -> storecheck_core::Result<Vec<u8>> {
    let refuse = |problem| storecheck_core::Error::Package {
        file: shown.to_string(),
        problem: Box::new(problem),
    };
    let file = std::fs::File::open(path).map_err(|e| {
        refuse(PackageProblem::Unreadable {
            detail: e.to_string(),
        })
    })?;
    let mut bytes = Vec::new();
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| {
            refuse(PackageProblem::Unreadable {
                detail: e.to_string(),
            })
        })?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(refuse(PackageProblem::TooLarge {
            bytes: bytes.len() as u64,
            limit: MAX_BYTES,
        }));
    }
    Ok(bytes)
}

/// What the package at `path` holds, checked, without installing it.
pub fn preview(
    db: &Db,
    path: &Path,
    shown: &str,
    lang: storecheck_core::Lang,
) -> storecheck_core::Result<PackagePreview> {
    preview_bytes(db, &read_file(path, shown)?, shown, lang)
}

/// As [`preview`], for a package's bytes (a file dropped on the window).
pub fn preview_bytes(
    db: &Db,
    bytes: &[u8],
    shown: &str,
    lang: storecheck_core::Lang,
) -> storecheck_core::Result<PackagePreview> {
    let p = read_package(bytes, shown)?;
    // The same rules as installing it.
    let verdict = db.package_verdict(&p.contents)?;
    let first = verdict == storecheck_core::hq_package::Verdict::First;
    let refused = match verdict {
        storecheck_core::hq_package::Verdict::Refused(problem) => Some(problem),
        _ => None,
    };
    Ok(PackagePreview {
        chain: p.contents.chain.clone(),
        sequence: p.contents.sequence,
        fingerprint: p.contents.ca_sha256.clone(),
        made_at: p.created_at.clone(),
        standards: p
            .contents
            .standards
            .iter()
            .map(|s| format!("{} v{}", s.code, s.version))
            .collect(),
        stores: p.contents.stores.len(),
        certificates: p.certificates.len(),
        first,
        refused: refused.map(|r| r.text(lang)),
    })
}

/// Installs the package at `path` at this store: checked whole, then its standards and store
/// directory in one transaction (the first package pins its CA when `pin` is its
/// fingerprint), then the auditors' certificates it carries for this laptop's keys. Receiving
/// the same package again changes nothing but puts in place a certificate a failure kept out.
pub fn receive(
    db: &mut Db,
    path: &Path,
    shown: &str,
    pin: Option<&str>,
) -> storecheck_core::Result<Received> {
    receive_bytes(db, &read_file(path, shown)?, shown, pin)
}

/// As [`receive`], for a package's bytes (a file dropped on the window).
pub fn receive_bytes(
    db: &mut Db,
    bytes: &[u8],
    shown: &str,
    pin: Option<&str>,
) -> storecheck_core::Result<Received> {
    let p = read_package(bytes, shown)?;
    let install = db.install_package(shown, &p.contents, pin)?;
    let now = chrono::DateTime::parse_from_rfc3339(&db.now())
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_default();
    let keys = db.keys_dir()?;
    let certificates = ca::install_issued(&keys, &p.certificates, &p.ca, &p.revoked, now, db.ids())
        .map_err(|e| storecheck_core::Error::SigningFile {
            path: keys.display().to_string(),
            en: e.to_string(),
            ru: e.to_string(),
        })?;
    Ok(Received {
        install,
        certificates,
    })
}
