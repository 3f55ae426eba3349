//! The chain's certificate authority: HQ's own key and certificate, which issue auditors'
//! certificates from their requests and list the ones revoked.
//!
//! - [`ChainCa`]: the CA's key (`ca-key.pem`, readable by its owner only) and self-made
//!   certificate (`ca-cert.pem`, P-256, CA basic constraint, keyCertSign and cRLSign), kept in
//!   a folder of HQ's; [`ChainCa::issue`] makes an auditor's certificate from a checked
//!   [`Request`]; [`ChainCa::crl`] a revocation list (X.509 CRL) it signs.
//! - [`crate::sign::Signer::request`]: the store's side, a PKCS #10 request for the auditor's
//!   key naming the auditor and the store; [`read_request`] checks one at HQ.
//! - [`TrustFile`]: what a reader trusts (the CA's certificate and its latest revocation list,
//!   as `hq ca init --out` writes them), read by [`crate::verify`].
//!
//! - [`ChainCa::server_identity`]: the HQ server's TLS certificate and key
//!   (`server.pem`, `server.key`), issued by the same CA for the names stores reach it by, so
//!   that a store trusts HQ's server by the CA it pinned and nothing else.
//!
//! - [`ChainCa::issue_device`]: a store device's certificate for the key it signs its sync
//!   bundles with, which enrols the device: HQ takes bundles only from enrolled devices once it
//!   has a CA.
//!
//! An issued certificate's subject is the auditor (CN), the store (OU, its code) and the chain
//! (O); its issuer is the chain's name, so a verification says "issued by <chain>".

use std::path::Path;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use der::asn1::{BitString, OctetString};
use der::{Decode, DecodePem, Encode, EncodePem};
use p256::ecdsa::{DerSignature, SigningKey};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use sha2::{Digest, Sha256};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use storecheck_core::Lang;
use storecheck_core::ids::Ids;
use x509_cert::Certificate;
use x509_cert::builder::{Builder, CertificateBuilder, Profile, RequestBuilder};
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::crl::CrlReason;
use x509_cert::name::{Name, RdnSequence};
use x509_cert::request::CertReq;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use crate::sign::{SignError, Signer, cert_err, common_name, io, rdn, read_if_there, write_new};

pub const CA_KEY_FILE: &str = "ca-key.pem";
pub const CA_CERT_FILE: &str = "ca-cert.pem";
/// The HQ server's certificate, then the CA's (the chain a TLS server presents).
pub const SERVER_CERT_FILE: &str = "server.pem";
/// The HQ server's TLS key, PKCS #8, readable by its owner only.
pub const SERVER_KEY_FILE: &str = "server.key";

const OID_CN: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("2.5.4.3");
const OID_OU: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("2.5.4.11");
const OID_O: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("2.5.4.10");
const OID_ECDSA_SHA256: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const OID_CRL_REASON: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("2.5.29.21");

/// How long a CA certificate is valid.
const CA_YEARS: u64 = 20;
/// How long an auditor's certificate is valid, unless its CA's ends sooner.
pub const AUDITOR_DAYS: u64 = 3 * 365;
/// How long the HQ server's TLS certificate is valid, unless its CA's ends sooner: a year, as
/// browsers allow (398 days at most), and short enough that a key copied off HQ's server stops
/// working by itself.
pub const SERVER_DAYS: i64 = 365;
/// A server certificate this close to its end is issued anew when the server starts.
pub const SERVER_RENEW_DAYS: i64 = 30;
const OID_KP_SERVER_AUTH: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");
const OID_KP_CLIENT_AUTH: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");
/// How long a store device's certificate is valid, unless its CA's ends sooner.
pub const DEVICE_DAYS: i64 = 3 * 365;

/// SHA-256 of a certificate's DER, lowercase hex: what a store pins and a person compares.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub use storecheck_core::hq_package::{fingerprint_shown, same_fingerprint};

/// A certificate serial number as hex, as HQ lists and revokes them.
pub fn serial_hex(cert: &Certificate) -> String {
    cert.tbs_certificate
        .serial_number
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn time(at: DateTime<Utc>) -> Result<Time, SignError> {
    let at = SystemTime::UNIX_EPOCH + Duration::from_secs(at.timestamp().max(0) as u64);
    Time::try_from(at).map_err(cert_err)
}

fn random_serial() -> Result<SerialNumber, SignError> {
    let mut serial = [0u8; 16];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut serial);
    serial[0] = (serial[0] & 0x7F) | 0x01; // positive, no leading zero
    SerialNumber::new(&serial).map_err(cert_err)
}

/// The chain's CA: its key and certificate.
pub struct ChainCa {
    key: SigningKey,
    cert: Certificate,
    cert_der: Vec<u8>,
    name: String,
}

impl ChainCa {
    /// Makes the chain's CA in `dir`: a new P-256 key (owner-only file) and a certificate
    /// naming `name`, valid 20 years from `now`. Errors when `dir` holds a CA already.
    pub fn create(
        dir: &Path,
        name: &str,
        now: DateTime<Utc>,
        ids: &Ids,
    ) -> Result<ChainCa, SignError> {
        let key_path = dir.join(CA_KEY_FILE);
        if key_path.exists() || dir.join(CA_CERT_FILE).exists() {
            return Err(SignError::Unusable {
                path: dir.display().to_string(),
                en: "the chain's CA is already there; it is never made twice".into(),
                ru: "УЦ сети уже создан; второй раз он не создаётся".into(),
            });
        }
        let made = ChainCa::generate(name, now)?;
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        // The key first: a certificate without its key would be a CA no one can use.
        write_new(&key_path, made.key_pem.as_bytes(), true, ids)?;
        write_new(
            &dir.join(CA_CERT_FILE),
            made.cert_pem.as_bytes(),
            false,
            ids,
        )?;
        ChainCa::load(dir)?.ok_or_else(|| SignError::Certificate("the CA just made is gone".into()))
    }

    /// A new CA for the chain `name`: a new P-256 key and a certificate valid 20 years from
    /// `now`, as PEM for the caller to keep ([`ChainCa::from_pem`] reads them back).
    pub fn generate(name: &str, now: DateTime<Utc>) -> Result<NewCa, SignError> {
        let name = name.trim();
        let key = SigningKey::random(&mut rand_core::OsRng);
        let subject: Name = RdnSequence(vec![rdn(OID_O, name)?, rdn(OID_CN, name)?]);
        let since = time(now)?;
        let until = time(now + chrono::Duration::days(CA_YEARS as i64 * 365))?;
        let spki = SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).map_err(cert_err)?;
        let cert = CertificateBuilder::new(
            Profile::Root,
            random_serial()?,
            Validity {
                not_before: since,
                not_after: until,
            },
            subject,
            spki,
            &key,
        )
        .map_err(cert_err)?
        .build::<DerSignature>()
        .map_err(cert_err)?;
        let key_pem = key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| SignError::Key(e.to_string()))?;
        Ok(NewCa {
            key_pem: key_pem.to_string(),
            cert_pem: cert.to_pem(LineEnding::LF).map_err(cert_err)?,
        })
    }

    /// The CA kept in `dir`, or none when there is none. A key or certificate that is there
    /// but cannot be used is an error, and is left as it is.
    pub fn load(dir: &Path) -> Result<Option<ChainCa>, SignError> {
        let key_path = dir.join(CA_KEY_FILE);
        let cert_path = dir.join(CA_CERT_FILE);
        let Some(key_pem) = read_if_there(&key_path)? else {
            return Ok(None);
        };
        let cert_pem = read_if_there(&cert_path)?;
        ChainCa::from_pem(
            &key_pem,
            cert_pem.as_deref(),
            &key_path.display().to_string(),
            &cert_path.display().to_string(),
        )
        .map(Some)
    }

    /// The CA from its key and certificate (PEM), wherever they are kept; `key_shown` and
    /// `cert_shown` name them in errors. A certificate that is missing, unreadable or not for
    /// the key is an error.
    pub fn from_pem(
        key_pem: &[u8],
        cert_pem: Option<&[u8]>,
        key_shown: &str,
        cert_shown: &str,
    ) -> Result<ChainCa, SignError> {
        let key = SigningKey::from_pkcs8_pem(std::str::from_utf8(key_pem).unwrap_or("")).map_err(
            |e| {
                unusable(
                    key_shown,
                    &format!("the CA's key cannot be read ({e})"),
                    &format!("ключ УЦ не читается ({e})"),
                )
            },
        )?;
        let Some(cert_pem) = cert_pem else {
            return Err(unusable(
                cert_shown,
                "the CA's certificate is missing beside its key",
                "рядом с ключом УЦ нет его сертификата",
            ));
        };
        let cert = Certificate::from_pem(cert_pem).map_err(|e| {
            unusable(
                cert_shown,
                &format!("the CA's certificate cannot be read ({e})"),
                &format!("сертификат УЦ не читается ({e})"),
            )
        })?;
        let ours = SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).map_err(cert_err)?;
        if cert.tbs_certificate.subject_public_key_info != ours {
            return Err(unusable(
                cert_shown,
                "the CA's certificate is not for the key beside it",
                "сертификат УЦ выдан не для ключа, лежащего рядом",
            ));
        }
        let name = common_name(&cert.tbs_certificate.subject).unwrap_or_default();
        let cert_der = cert.to_der().map_err(cert_err)?;
        Ok(ChainCa {
            key,
            cert,
            cert_der,
            name,
        })
    }

    /// The chain's name, as its certificate gives it.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }

    pub fn certificate_der(&self) -> &[u8] {
        &self.cert_der
    }

    pub fn certificate_pem(&self) -> String {
        self.cert.to_pem(LineEnding::LF).unwrap_or_default()
    }

    /// SHA-256 of the certificate, hex.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.cert_der)
    }

    /// The key, for what the CA signs besides certificates (the HQ package).
    pub fn key(&self) -> &SigningKey {
        &self.key
    }

    /// An auditor's certificate for a checked request: the request's key, the auditor and
    /// the store it names, the chain as organisation; valid from `now` for
    /// [`AUDITOR_DAYS`], never past the CA's own end.
    pub fn issue(&self, request: &Request, now: DateTime<Utc>) -> Result<Certificate, SignError> {
        let subject: Name = RdnSequence(vec![
            rdn(OID_O, &self.name)?,
            rdn(OID_OU, &request.store)?,
            rdn(OID_CN, &request.auditor)?,
        ]);
        let ca_end = crate::verify::time_of(&self.cert.tbs_certificate.validity.not_after);
        let until = (now + chrono::Duration::days(AUDITOR_DAYS as i64)).min(ca_end);
        CertificateBuilder::new(
            Profile::Leaf {
                issuer: self.cert.tbs_certificate.subject.clone(),
                enable_key_agreement: false,
                enable_key_encipherment: false,
                include_subject_key_identifier: true,
            },
            random_serial()?,
            Validity {
                not_before: time(now)?,
                not_after: time(until)?,
            },
            subject,
            request.public_key.clone(),
            &self.key,
        )
        .map_err(cert_err)?
        .build::<DerSignature>()
        .map_err(cert_err)
    }

    /// The revocation list of `revoked`, signed now: X.509 CRL v2, DER.
    pub fn crl(&self, revoked: &[Revocation], now: DateTime<Utc>) -> Result<Vec<u8>, SignError> {
        let algorithm = AlgorithmIdentifierOwned {
            oid: OID_ECDSA_SHA256,
            parameters: None,
        };
        let entries = revoked
            .iter()
            .map(|r| {
                let serial = SerialNumber::new(&r.serial).map_err(cert_err)?;
                let extensions = match r.reason {
                    Some(reason) => Some(vec![Extension {
                        extn_id: OID_CRL_REASON,
                        critical: false,
                        extn_value: OctetString::new(reason.code().to_der().map_err(cert_err)?)
                            .map_err(cert_err)?,
                    }]),
                    None => None,
                };
                Ok(RevokedCert {
                    serial_number: serial,
                    revocation_date: time(r.at)?,
                    crl_entry_extensions: extensions,
                })
            })
            .collect::<Result<Vec<_>, SignError>>()?;
        let tbs = TbsCertList {
            version: x509_cert::Version::V2,
            signature: algorithm.clone(),
            issuer: self.cert.tbs_certificate.subject.clone(),
            this_update: time(now)?,
            next_update: None,
            revoked_certificates: (!entries.is_empty()).then_some(entries),
            crl_extensions: None,
        };
        let tbs_der = tbs.to_der().map_err(cert_err)?;
        let signature: DerSignature = signature::Signer::sign(&self.key, &tbs_der);
        CertificateList {
            tbs_cert_list: tbs,
            signature_algorithm: algorithm,
            signature: BitString::from_bytes(signature.as_bytes()).map_err(cert_err)?,
        }
        .to_der()
        .map_err(cert_err)
    }

    /// What a reader needs to trust this chain's signatures: the CA's certificate, then its
    /// revocation list, as PEM.
    pub fn trust_file(&self, crl: &[u8]) -> String {
        let mut out = self.certificate_pem();
        out.push_str(&der::pem::encode_string("X509 CRL", LineEnding::LF, crl).unwrap_or_default());
        out
    }
}

impl ChainCa {
    /// A TLS server certificate for `key` and the `names` stores reach the server by (the
    /// first is its CN too): subjectAltName with each DNS name and IP address, extended key
    /// usage serverAuth only, key usage digitalSignature only, not a CA; valid from `now` for
    /// [`SERVER_DAYS`], never past the CA's own end.
    pub fn issue_server(
        &self,
        key: &p256::ecdsa::VerifyingKey,
        names: &[HostName],
        now: DateTime<Utc>,
    ) -> Result<Certificate, SignError> {
        use x509_cert::ext::pkix::SubjectAltName;
        use x509_cert::ext::pkix::name::GeneralName;
        let first = names
            .first()
            .ok_or_else(|| SignError::Certificate("a server certificate needs a name".into()))?;
        let subject: Name = RdnSequence(vec![
            rdn(OID_O, &self.name)?,
            rdn(OID_CN, &first.to_string())?,
        ]);
        let san = names
            .iter()
            .map(|n| match n {
                HostName::Dns(d) => der::asn1::Ia5String::new(d)
                    .map(GeneralName::DnsName)
                    .map_err(cert_err),
                HostName::Ip(ip) => OctetString::new(match ip {
                    std::net::IpAddr::V4(v4) => v4.octets().to_vec(),
                    std::net::IpAddr::V6(v6) => v6.octets().to_vec(),
                })
                .map(GeneralName::IpAddress)
                .map_err(cert_err),
            })
            .collect::<Result<Vec<_>, SignError>>()?;
        self.issue_leaf(
            key,
            subject,
            SERVER_DAYS,
            OID_KP_SERVER_AUTH,
            Some(SubjectAltName(san)),
            now,
        )
    }

    /// A store device's certificate for the key it signs its bundles with (`key`, as HQ holds
    /// it from the device's bundles): CN the device's name, OU the store it is enrolled for, O
    /// the chain; extended key usage clientAuth only, key usage digitalSignature only, not a CA;
    /// valid from `now` for [`DEVICE_DAYS`], never past the CA's own end.
    pub fn issue_device(
        &self,
        key: &p256::ecdsa::VerifyingKey,
        device: &str,
        store: &str,
        now: DateTime<Utc>,
    ) -> Result<Certificate, SignError> {
        let subject: Name = RdnSequence(vec![
            rdn(OID_O, &self.name)?,
            rdn(OID_OU, store)?,
            rdn(OID_CN, device)?,
        ]);
        self.issue_leaf(key, subject, DEVICE_DAYS, OID_KP_CLIENT_AUTH, None, now)
    }

    /// A certificate of this CA for `key` that is not a CA itself: `subject`, valid from `now`
    /// for `days` but never past the CA's own end, key usage digitalSignature only, extended key
    /// usage `usage` only, with its key's and the CA's key identifiers and `names` when given.
    fn issue_leaf(
        &self,
        key: &p256::ecdsa::VerifyingKey,
        subject: Name,
        days: i64,
        usage: der::asn1::ObjectIdentifier,
        names: Option<x509_cert::ext::pkix::SubjectAltName>,
        now: DateTime<Utc>,
    ) -> Result<Certificate, SignError> {
        use der::referenced::OwnedToRef;
        use x509_cert::ext::pkix::{
            AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
            SubjectKeyIdentifier,
        };
        let ca_end = crate::verify::time_of(&self.cert.tbs_certificate.validity.not_after);
        let until = (now + chrono::Duration::days(days)).min(ca_end);
        let spki = SubjectPublicKeyInfoOwned::from_key(*key).map_err(cert_err)?;
        let mut builder = CertificateBuilder::new(
            Profile::Manual {
                issuer: Some(self.cert.tbs_certificate.subject.clone()),
            },
            random_serial()?,
            Validity {
                not_before: time(now)?,
                not_after: time(until)?,
            },
            subject,
            spki.clone(),
            &self.key,
        )
        .map_err(cert_err)?;
        let ca_spki = &self.cert.tbs_certificate.subject_public_key_info;
        builder
            .add_extension(&SubjectKeyIdentifier::try_from(spki.owned_to_ref()).map_err(cert_err)?)
            .map_err(cert_err)?;
        builder
            .add_extension(
                &AuthorityKeyIdentifier::try_from(ca_spki.owned_to_ref()).map_err(cert_err)?,
            )
            .map_err(cert_err)?;
        builder
            .add_extension(&BasicConstraints {
                ca: false,
                path_len_constraint: None,
            })
            .map_err(cert_err)?;
        builder
            .add_extension(&KeyUsage(KeyUsages::DigitalSignature.into()))
            .map_err(cert_err)?;
        builder
            .add_extension(&ExtendedKeyUsage(vec![usage]))
            .map_err(cert_err)?;
        if let Some(names) = names {
            builder.add_extension(&names).map_err(cert_err)?;
        }
        builder.build::<DerSignature>().map_err(cert_err)
    }

    /// The HQ server's certificate and key: the `held` pair (certificate chain PEM, key PEM)
    /// while it is this CA's, for exactly these `names`, for the key beside it, and valid for
    /// more than [`SERVER_RENEW_DAYS`] after `now`; else a new key and certificate, issued now.
    pub fn server_pair(
        &self,
        held: Option<(&[u8], &[u8])>,
        names: &[HostName],
        now: DateTime<Utc>,
    ) -> Result<ServerPair, SignError> {
        let mut wanted = names.to_vec();
        wanted.sort();
        wanted.dedup();
        if wanted.is_empty() {
            return Err(SignError::Certificate(
                "a server certificate needs a name".into(),
            ));
        }
        let fits = |cert: &Certificate, key: &SigningKey| {
            let mut names = server_names(cert);
            names.sort();
            let validity = &cert.tbs_certificate.validity;
            SubjectPublicKeyInfoOwned::from_key(*key.verifying_key())
                .is_ok_and(|k| k == cert.tbs_certificate.subject_public_key_info)
                && issued_by(cert, &self.cert)
                && names == wanted
                && crate::verify::time_of(&validity.not_before) <= now + chrono::Duration::days(1)
                && crate::verify::time_of(&validity.not_after)
                    > now + chrono::Duration::days(SERVER_RENEW_DAYS)
        };
        let kept = held.and_then(|(cert_pem, key_pem)| {
            let cert = certificates_in(cert_pem).into_iter().next()?;
            let key = SigningKey::from_pkcs8_pem(std::str::from_utf8(key_pem).ok()?).ok()?;
            fits(&cert, &key).then(|| (cert, cert_pem.to_vec(), key_pem.to_vec()))
        });
        let (cert, cert_pem, key_pem, issued) = match kept {
            Some((cert, cert_pem, key_pem)) => (cert, cert_pem, key_pem, false),
            None => {
                let key = SigningKey::random(&mut rand_core::OsRng);
                let cert = self.issue_server(key.verifying_key(), names, now)?;
                let key_pem = key
                    .to_pkcs8_pem(LineEnding::LF)
                    .map_err(|e| SignError::Key(e.to_string()))?;
                let chain = format!(
                    "{}{}",
                    cert.to_pem(LineEnding::LF).map_err(cert_err)?,
                    self.certificate_pem()
                );
                (cert, chain.into_bytes(), key_pem.as_bytes().to_vec(), true)
            }
        };
        Ok(ServerPair {
            der: cert.to_der().map_err(cert_err)?,
            names: server_names(&cert),
            not_after: crate::verify::time_of(&cert.tbs_certificate.validity.not_after),
            serial: serial_hex(&cert),
            cert_pem,
            key_pem,
            issued,
        })
    }
}

/// A CA just made, as PEM: its key (keep it owner-only) and its certificate.
pub struct NewCa {
    pub key_pem: String,
    pub cert_pem: String,
}

/// A name the HQ server is reached by: a DNS name or an IP address.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HostName {
    /// Lowercase ASCII.
    Dns(String),
    Ip(std::net::IpAddr),
}

impl HostName {
    /// A name as a person gives it (`hq.chain.example`, `10.0.0.5`, `[::1]`); none when it is
    /// neither an IP address nor a DNS name (letters, digits and hyphens in dot-separated
    /// labels, no wildcard).
    pub fn parse(given: &str) -> Option<HostName> {
        let given = given.trim().trim_end_matches('.');
        let bare = given.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = bare.parse::<std::net::IpAddr>() {
            return Some(HostName::Ip(ip));
        }
        let name = given.to_ascii_lowercase();
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        };
        (name.len() <= 253 && name.split('.').all(label_ok)).then_some(HostName::Dns(name))
    }
}

impl std::fmt::Display for HostName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HostName::Dns(d) => f.write_str(d),
            HostName::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

/// The DNS names and IP addresses a certificate's subjectAltName gives, in its order.
pub fn server_names(cert: &Certificate) -> Vec<HostName> {
    use x509_cert::ext::pkix::SubjectAltName;
    use x509_cert::ext::pkix::name::GeneralName;
    let Ok(Some((_, san))) = cert.tbs_certificate.get::<SubjectAltName>() else {
        return Vec::new();
    };
    san.0
        .iter()
        .filter_map(|n| match n {
            GeneralName::DnsName(d) => Some(HostName::Dns(d.as_str().to_string())),
            GeneralName::IpAddress(o) => match o.as_bytes().len() {
                4 => <[u8; 4]>::try_from(o.as_bytes())
                    .ok()
                    .map(|b| HostName::Ip(std::net::IpAddr::from(b))),
                16 => <[u8; 16]>::try_from(o.as_bytes())
                    .ok()
                    .map(|b| HostName::Ip(std::net::IpAddr::from(b))),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// The HQ server's certificate and key.
#[derive(Clone, PartialEq)]
pub struct ServerPair {
    /// The certificate, DER.
    pub der: Vec<u8>,
    pub names: Vec<HostName>,
    pub not_after: DateTime<Utc>,
    pub serial: String,
    /// The certificate, then the CA's (PEM).
    pub cert_pem: Vec<u8>,
    /// Its key (PEM): keep it owner-only.
    pub key_pem: Vec<u8>,
    /// Issued by this call (new, or the names or the end date called for it).
    pub issued: bool,
}

impl std::fmt::Debug for ServerPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerPair")
            .field("names", &self.names)
            .field("not_after", &self.not_after)
            .field("serial", &self.serial)
            .field("issued", &self.issued)
            .finish_non_exhaustive()
    }
}

fn unusable(shown: &str, en: &str, ru: &str) -> SignError {
    SignError::Unusable {
        path: shown.to_string(),
        en: en.to_string(),
        ru: ru.to_string(),
    }
}

/// Why HQ revoked a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export)]
pub enum RevokeReason {
    /// The laptop or its key was lost or may be in other hands.
    KeyLost,
    /// The auditor left the store or the chain.
    Left,
    /// A new certificate replaces it.
    Replaced,
}

impl RevokeReason {
    pub fn parse(s: &str) -> Option<RevokeReason> {
        match s {
            "key-lost" => Some(RevokeReason::KeyLost),
            "left" => Some(RevokeReason::Left),
            "replaced" => Some(RevokeReason::Replaced),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RevokeReason::KeyLost => "key-lost",
            RevokeReason::Left => "left",
            RevokeReason::Replaced => "replaced",
        }
    }

    fn code(self) -> CrlReason {
        match self {
            RevokeReason::KeyLost => CrlReason::KeyCompromise,
            RevokeReason::Left => CrlReason::AffiliationChanged,
            RevokeReason::Replaced => CrlReason::Superseded,
        }
    }

    pub(crate) fn from_code(code: CrlReason) -> Option<RevokeReason> {
        match code {
            CrlReason::KeyCompromise => Some(RevokeReason::KeyLost),
            CrlReason::AffiliationChanged | CrlReason::CessationOfOperation => {
                Some(RevokeReason::Left)
            }
            CrlReason::Superseded => Some(RevokeReason::Replaced),
            _ => None,
        }
    }

    pub fn text(self, lang: Lang) -> String {
        lang.pick(
            match self {
                RevokeReason::KeyLost => "its key was lost or may be in other hands",
                RevokeReason::Left => "the auditor left",
                RevokeReason::Replaced => "a new certificate replaced it",
            },
            match self {
                RevokeReason::KeyLost => "ключ утерян или мог попасть в чужие руки",
                RevokeReason::Left => "проверяющий ушёл",
                RevokeReason::Replaced => "его заменил новый сертификат",
            },
        )
    }
}

/// One revoked certificate.
#[derive(Debug, Clone, PartialEq)]
pub struct Revocation {
    /// The certificate's serial number, as its DER integer's bytes.
    pub serial: Vec<u8>,
    pub at: DateTime<Utc>,
    pub reason: Option<RevokeReason>,
}

/// A certificate request as HQ reads it: the auditor and the store it names, and its key,
/// whose holder signed it.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub auditor: String,
    /// The store's code.
    pub store: String,
    pub public_key: SubjectPublicKeyInfoOwned,
}

/// Why a certificate request is not taken.
#[derive(Debug, Clone, PartialEq)]
pub enum RequestProblem {
    /// Not a PKCS #10 request (PEM or DER).
    NotARequest,
    /// Its signature is not by the key it carries.
    BadSignature,
    /// It names no auditor (CN) or no store (OU).
    Unnamed,
    /// Its key is not a P-256 one.
    WrongKey,
}

impl RequestProblem {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            RequestProblem::NotARequest => lang.pick(
                "it is not a certificate request (PEM «CERTIFICATE REQUEST»), or it is cut short",
                "это не запрос сертификата (PEM «CERTIFICATE REQUEST») или файл обрезан",
            ),
            RequestProblem::BadSignature => lang.pick(
                "its signature is not by the key it asks a certificate for: it was changed or made by someone else",
                "его подпись сделана не тем ключом, для которого запрошен сертификат: запрос изменён или составлен другим",
            ),
            RequestProblem::Unnamed => lang.pick(
                "it does not name the auditor and the store (make it with `storecheck keys request`)",
                "в нём не указаны проверяющий и магазин (создайте его командой `storecheck keys request`)",
            ),
            RequestProblem::WrongKey => lang.pick(
                "its key is not an ECDSA P-256 key",
                "его ключ — не ECDSA P-256",
            ),
        }
    }
}

/// Reads and checks a certificate request: PKCS #10, signed by the key it carries (the
/// holder has the key), naming an auditor (CN) and a store (OU), for a P-256 key.
pub fn read_request(bytes: &[u8]) -> Result<Request, RequestProblem> {
    let req = CertReq::from_pem(bytes)
        .ok()
        .or_else(|| CertReq::from_der(bytes).ok())
        .ok_or(RequestProblem::NotARequest)?;
    let key_der = req
        .info
        .public_key
        .to_der()
        .map_err(|_| RequestProblem::WrongKey)?;
    let key = <p256::ecdsa::VerifyingKey as spki::DecodePublicKey>::from_public_key_der(&key_der)
        .map_err(|_| RequestProblem::WrongKey)?;
    let info = req.info.to_der().map_err(|_| RequestProblem::NotARequest)?;
    let signed = req.algorithm.oid == OID_ECDSA_SHA256
        && req
            .signature
            .as_bytes()
            .and_then(|raw| DerSignature::from_bytes(raw).ok())
            .is_some_and(|sig| signature::Verifier::verify(&key, &info, &sig).is_ok());
    if !signed {
        return Err(RequestProblem::BadSignature);
    }
    let auditor = common_name(&req.info.subject).unwrap_or_default();
    let store = attribute(&req.info.subject, OID_OU).unwrap_or_default();
    if auditor.trim().is_empty() || store.trim().is_empty() {
        return Err(RequestProblem::Unnamed);
    }
    Ok(Request {
        auditor,
        store,
        public_key: req.info.public_key,
    })
}

/// The first value of a name's attribute, as text.
pub(crate) fn attribute(name: &Name, oid: der::oid::ObjectIdentifier) -> Option<String> {
    name.0.iter().flat_map(|rdn| rdn.0.iter()).find_map(|atv| {
        (atv.oid == oid).then(|| {
            der::asn1::Utf8StringRef::try_from(&atv.value)
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

/// The store (OU) a certificate names.
pub fn store_of(cert: &Certificate) -> Option<String> {
    attribute(&cert.tbs_certificate.subject, OID_OU)
}

impl Signer {
    /// A certificate request for this auditor's key (PKCS #10, PEM), naming the auditor and
    /// the store by its code, signed by the key so that HQ knows its holder asked.
    pub fn request(&self, store: &str) -> Result<String, SignError> {
        let subject: Name =
            RdnSequence(vec![rdn(OID_OU, store.trim())?, rdn(OID_CN, self.name())?]);
        let builder = RequestBuilder::new(subject, self.signing_key()).map_err(cert_err)?;
        let req = builder.build::<DerSignature>().map_err(cert_err)?;
        req.to_pem(LineEnding::LF).map_err(cert_err)
    }
}

/// Every PEM block in `bytes`, as (label, DER); a file of one DER certificate is one block.
pub fn pem_blocks(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let text = String::from_utf8_lossy(bytes);
    if !text.contains("-----BEGIN ") {
        return vec![("CERTIFICATE".to_string(), bytes.to_vec())];
    }
    let mut out = Vec::new();
    let mut rest = text.as_ref();
    while let Some(start) = rest.find("-----BEGIN ") {
        let block = &rest[start..];
        let Some(label_end) = block[11..].find("-----") else {
            break;
        };
        let label = &block[11..11 + label_end];
        let end_marker = format!("-----END {label}-----");
        let Some(end) = block.find(&end_marker) else {
            break;
        };
        let whole = &block[..end + end_marker.len()];
        if let Ok((label, der)) = der::pem::decode_vec(whole.as_bytes()) {
            out.push((label.to_string(), der));
        }
        rest = &block[end + end_marker.len()..];
    }
    out
}

/// The certificates `bytes` hold (PEM blocks or one DER certificate).
pub fn certificates_in(bytes: &[u8]) -> Vec<Certificate> {
    pem_blocks(bytes)
        .into_iter()
        .filter(|(label, _)| label == "CERTIFICATE")
        .filter_map(|(_, der)| Certificate::from_der(&der).ok())
        .collect()
}

/// What a reader trusts: a CA's (or a signer's own) certificate, and the revocation lists that
/// come with it.
pub struct TrustFile {
    pub anchor: Certificate,
    /// DER of every `X509 CRL` block, in file order.
    pub crls: Vec<Vec<u8>>,
}

impl TrustFile {
    /// The first certificate in `bytes` and any revocation lists after it; none when there is
    /// no certificate.
    pub fn read(bytes: &[u8]) -> Option<TrustFile> {
        let blocks = pem_blocks(bytes);
        let anchor = blocks
            .iter()
            .filter(|(label, _)| label == "CERTIFICATE")
            .find_map(|(_, der)| Certificate::from_der(der).ok())?;
        let crls = blocks
            .into_iter()
            .filter(|(label, _)| label == "X509 CRL")
            .map(|(_, der)| der)
            .collect();
        Some(TrustFile { anchor, crls })
    }
}

/// An issued certificate put in place of an auditor's certificate on this laptop.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Installed {
    pub auditor: String,
    /// The store the certificate names.
    pub store: Option<String>,
    pub serial: String,
    /// RFC 3339.
    pub not_after: String,
}

/// Puts the newest of `issued` in place for every auditor identity kept under `keys` whose
/// key and name it is for, when `ca` issued it, it is neither expired at `now` nor revoked,
/// and it is newer than the certificate there: `signing-cert.pem` is replaced (each file whole
/// or not at all) and `signing-chain.pem` holds the CA's certificate, so that every later
/// signature carries the chain. Returns what it put in place; running it again with the same
/// certificates puts nothing.
pub fn install_issued(
    keys: &Path,
    issued: &[Certificate],
    ca: &Certificate,
    revoked: &[Vec<u8>],
    now: DateTime<Utc>,
    ids: &Ids,
) -> Result<Vec<Installed>, SignError> {
    use crate::verify::{signed_by, time_of};
    let mut folders = vec![keys.to_path_buf()];
    if let Ok(entries) = std::fs::read_dir(keys) {
        let mut subs: Vec<_> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        subs.sort();
        folders.extend(subs);
    }
    let ca_pem = ca.to_pem(LineEnding::LF).map_err(cert_err)?;
    let mut out = Vec::new();
    for dir in folders {
        let key_path = dir.join(crate::sign::KEY_FILE);
        let Some(pem) = read_if_there(&key_path)? else {
            continue;
        };
        let Ok(key) = SigningKey::from_pkcs8_pem(std::str::from_utf8(&pem).unwrap_or("")) else {
            continue;
        };
        let spki = SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).map_err(cert_err)?;
        let cert_path = dir.join(crate::sign::CERT_FILE);
        let current = read_if_there(&cert_path)?.and_then(|p| Certificate::from_pem(&p).ok());
        let name = current
            .as_ref()
            .and_then(|c| common_name(&c.tbs_certificate.subject));
        let usable = |c: &&Certificate| {
            let tbs = &c.tbs_certificate;
            let validity = &tbs.validity;
            tbs.subject_public_key_info == spki
                && tbs.issuer == ca.tbs_certificate.subject
                && signed_by(c, ca)
                && (name.is_none() || common_name(&tbs.subject) == name)
                && time_of(&validity.not_before) <= now + chrono::Duration::days(1)
                && now <= time_of(&validity.not_after)
                && !revoked
                    .iter()
                    .any(|r| r.as_slice() == tbs.serial_number.as_bytes())
        };
        let Some(newest) = issued
            .iter()
            .filter(usable)
            .max_by_key(|c| time_of(&c.tbs_certificate.validity.not_before))
        else {
            continue;
        };
        let newer = match &current {
            None => true,
            Some(c) if c == newest => false,
            Some(c) => {
                let ours =
                    c.tbs_certificate.issuer == ca.tbs_certificate.subject && signed_by(c, ca);
                !ours
                    || time_of(&c.tbs_certificate.validity.not_before)
                        < time_of(&newest.tbs_certificate.validity.not_before)
            }
        };
        if !newer {
            continue;
        }
        let pem = newest.to_pem(LineEnding::LF).map_err(cert_err)?;
        // Stopped between the two, either order leaves an identity that signs and verifies.
        let write = |path: &Path, bytes: &[u8]| {
            storecheck_core::files::replace_durably(path, bytes, ids).map_err(|e| match e {
                storecheck_core::Error::Io { source, .. } => io(path, source),
                other => SignError::Certificate(other.to_string()),
            })
        };
        write(&dir.join(crate::sign::CHAIN_FILE), ca_pem.as_bytes())?;
        write(&cert_path, pem.as_bytes())?;
        out.push(Installed {
            auditor: common_name(&newest.tbs_certificate.subject).unwrap_or_default(),
            store: store_of(newest),
            serial: serial_hex(newest),
            not_after: crate::verify::rfc3339(time_of(&newest.tbs_certificate.validity.not_after)),
        });
    }
    Ok(out)
}

/// The entries of a revocation list `ca` signed; none when it did not, or it cannot be read.
pub fn read_crl(der: &[u8], ca: &Certificate) -> Option<Vec<Revocation>> {
    let list = CertificateList::from_der(der).ok()?;
    let tbs = &list.tbs_cert_list;
    if tbs.issuer != ca.tbs_certificate.subject
        || list.signature_algorithm != tbs.signature
        || list.signature_algorithm.oid != OID_ECDSA_SHA256
        || list.signature_algorithm.parameters.is_some()
    {
        return None;
    }
    let spki = ca.tbs_certificate.subject_public_key_info.to_der().ok()?;
    let key =
        <p256::ecdsa::VerifyingKey as spki::DecodePublicKey>::from_public_key_der(&spki).ok()?;
    let sig = DerSignature::from_bytes(list.signature.as_bytes()?).ok()?;
    signature::Verifier::verify(&key, &tbs.to_der().ok()?, &sig).ok()?;
    Some(
        tbs.revoked_certificates
            .iter()
            .flatten()
            .map(|r| Revocation {
                serial: r.serial_number.as_bytes().to_vec(),
                at: crate::verify::time_of(&r.revocation_date),
                reason: r
                    .crl_entry_extensions
                    .iter()
                    .flatten()
                    .find(|e| e.extn_id == OID_CRL_REASON)
                    .and_then(|e| CrlReason::from_der(e.extn_value.as_bytes()).ok())
                    .and_then(RevokeReason::from_code),
            })
            .collect(),
    )
}

/// A CA's own certificate: made by its own key, with the CA basic constraint.
pub fn is_ca(cert: &Certificate) -> bool {
    use x509_cert::ext::pkix::BasicConstraints;
    cert.tbs_certificate.subject == cert.tbs_certificate.issuer
        && crate::verify::signed_by(cert, cert)
        && matches!(cert.tbs_certificate.get::<BasicConstraints>(), Ok(Some((_, bc))) if bc.ca)
}

/// `cert` names `ca` as its issuer and `ca`'s key signed it.
pub fn issued_by(cert: &Certificate, ca: &Certificate) -> bool {
    cert.tbs_certificate.issuer == ca.tbs_certificate.subject && crate::verify::signed_by(cert, ca)
}

/// A trust file from a CA certificate and its revocation list, both DER, as a store keeps
/// them from the installed HQ package.
pub fn trust_pem(ca_der: &[u8], crl_der: &[u8]) -> String {
    let mut out =
        der::pem::encode_string("CERTIFICATE", LineEnding::LF, ca_der).unwrap_or_default();
    if !crl_der.is_empty() {
        out.push_str(
            &der::pem::encode_string("X509 CRL", LineEnding::LF, crl_der).unwrap_or_default(),
        );
    }
    out
}

/// The certificate an auditor signs with, as the app shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct CertificateStatus {
    pub auditor: String,
    /// Who issued it: the chain's name, or the auditor's own for a self-made one.
    pub issuer: String,
    pub self_made: bool,
    /// The store an issued certificate names.
    pub store: Option<String>,
    /// RFC 3339.
    pub not_after: String,
}

impl CertificateStatus {
    fn of_certificate(cert: &Certificate) -> CertificateStatus {
        let info = crate::verify::CertificateInfo::of(cert);
        CertificateStatus {
            auditor: info.subject,
            issuer: info.issuer,
            self_made: info.self_made,
            store: store_of(cert),
            not_after: info.not_after,
        }
    }

    pub fn of(signer: &Signer) -> CertificateStatus {
        let pem = signer.certificate_pem();
        Certificate::from_pem(pem.as_bytes())
            .map(|c| CertificateStatus::of_certificate(&c))
            .unwrap_or_else(|_| {
                let info = signer.certificate();
                CertificateStatus {
                    auditor: info.subject,
                    issuer: info.issuer,
                    self_made: info.self_made,
                    store: None,
                    not_after: info.not_after,
                }
            })
    }

    /// The certificate kept for `name` in the keys folder, without making anything.
    pub fn find(keys: &Path, name: &str) -> Option<CertificateStatus> {
        [
            keys.join(crate::sign::signer_folder(name)),
            keys.to_path_buf(),
        ]
        .iter()
        .filter_map(|dir| std::fs::read(dir.join(crate::sign::CERT_FILE)).ok())
        .filter_map(|pem| Certificate::from_pem(&pem).ok())
        .find(|c| common_name(&c.tbs_certificate.subject).as_deref() == Some(name))
        .map(|c| CertificateStatus::of_certificate(&c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use x509_cert::ext::pkix::SubjectAltName;
    use x509_cert::ext::pkix::name::GeneralName;
    use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages};

    fn at(day: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-01T09:00:00Z")
            .expect("time")
            .with_timezone(&Utc)
            + chrono::Duration::days(day)
    }

    fn ids() -> Ids {
        Ids::seeded(Arc::new(|| at(0)), 7)
    }

    fn names(given: &[&str]) -> Vec<HostName> {
        given
            .iter()
            .map(|n| HostName::parse(n).expect("a name"))
            .collect()
    }

    fn ca(dir: &Path) -> ChainCa {
        ChainCa::create(&dir.join("ca"), "Ромашка", at(0), &ids()).expect("CA")
    }

    #[test]
    fn a_server_certificate_names_its_hosts_serves_tls_only_and_is_the_chains() {
        let dir = tempfile::tempdir().expect("dir");
        let ca = ca(dir.path());
        let made = ca
            .server_pair(
                None,
                &names(&["HQ.Chain.example", "10.0.0.5", "[::1]"]),
                at(0),
            )
            .expect("server certificate");
        assert!(made.issued);
        let chain = certificates_in(&made.cert_pem);
        assert_eq!(
            chain.len(),
            2,
            "the leaf, then the CA a client checks it by"
        );
        assert_eq!(chain[1], *ca.certificate());
        let leaf = &chain[0];
        assert!(
            issued_by(leaf, ca.certificate()),
            "signed by the chain's CA"
        );
        let (_, san) = leaf
            .tbs_certificate
            .get::<SubjectAltName>()
            .expect("read")
            .expect("subjectAltName");
        let dns: Vec<String> = san
            .0
            .iter()
            .filter_map(|n| match n {
                GeneralName::DnsName(d) => Some(d.as_str().to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(dns, ["hq.chain.example"], "DNS names lowercase");
        let ips: Vec<Vec<u8>> = san
            .0
            .iter()
            .filter_map(|n| match n {
                GeneralName::IpAddress(o) => Some(o.as_bytes().to_vec()),
                _ => None,
            })
            .collect();
        assert_eq!(ips.len(), 2);
        assert_eq!(ips[0], [10, 0, 0, 5], "an IPv4 address as its 4 bytes");
        assert_eq!(ips[1].len(), 16, "an IPv6 address as its 16 bytes");
        let (_, eku) = leaf
            .tbs_certificate
            .get::<ExtendedKeyUsage>()
            .expect("read")
            .expect("extended key usage");
        assert_eq!(eku.0, [OID_KP_SERVER_AUTH], "a TLS server, nothing else");
        let (_, ku) = leaf
            .tbs_certificate
            .get::<KeyUsage>()
            .expect("read")
            .expect("key usage");
        assert_eq!(
            ku.0,
            x509_cert::der::flagset::FlagSet::from(KeyUsages::DigitalSignature)
        );
        let (_, bc) = leaf
            .tbs_certificate
            .get::<BasicConstraints>()
            .expect("read")
            .expect("basic constraints");
        assert!(!bc.ca, "a server certificate issues nothing");
        let v = &leaf.tbs_certificate.validity;
        assert_eq!(
            crate::verify::time_of(&v.not_after) - crate::verify::time_of(&v.not_before),
            chrono::Duration::days(SERVER_DAYS)
        );
        // The key beside it is the certificate's.
        let key = SigningKey::from_pkcs8_pem(std::str::from_utf8(&made.key_pem).expect("utf-8"))
            .expect("PKCS #8");
        assert_eq!(
            SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).expect("spki"),
            leaf.tbs_certificate.subject_public_key_info
        );
    }

    #[test]
    fn the_server_certificate_is_kept_until_its_names_change_or_its_end_nears() {
        let dir = tempfile::tempdir().expect("dir");
        let ca = ca(dir.path());
        fn held(p: &ServerPair) -> Option<(&[u8], &[u8])> {
            Some((&p.cert_pem, &p.key_pem))
        }
        let first = ca
            .server_pair(None, &names(&["hq.example", "10.0.0.5"]), at(0))
            .expect("first");
        // The same names in another order, months later: the same certificate and key.
        let again = ca
            .server_pair(held(&first), &names(&["10.0.0.5", "hq.example"]), at(300))
            .expect("again");
        assert!(!again.issued);
        assert_eq!(again.serial, first.serial);
        assert_eq!(again.key_pem, first.key_pem);
        // Within 30 days of its end: a new one, with a new key.
        let renewed = ca
            .server_pair(held(&first), &names(&["hq.example", "10.0.0.5"]), at(340))
            .expect("renewed");
        assert!(renewed.issued);
        assert_ne!(renewed.serial, first.serial);
        assert_ne!(renewed.key_pem, first.key_pem);
        // Another name: another certificate.
        let renamed = ca
            .server_pair(held(&renewed), &names(&["hq.example"]), at(341))
            .expect("renamed");
        assert!(renamed.issued);
        assert_eq!(renamed.names, names(&["hq.example"]));
        // A key that is not the certificate's (a stop between the two writes): issued anew.
        let other_key = SigningKey::random(&mut rand_core::OsRng)
            .to_pkcs8_pem(LineEnding::LF)
            .expect("pem");
        let mended = ca
            .server_pair(
                Some((&renamed.cert_pem, other_key.as_bytes())),
                &names(&["hq.example"]),
                at(342),
            )
            .expect("mended");
        assert!(mended.issued);
        // Another CA's certificate: issued anew by this one.
        let other =
            ChainCa::create(&dir.path().join("other"), "Другая", at(0), &ids()).expect("other CA");
        let theirs = other
            .server_pair(None, &names(&["hq.example"]), at(342))
            .expect("theirs");
        let ours = ca
            .server_pair(held(&theirs), &names(&["hq.example"]), at(342))
            .expect("ours");
        assert!(ours.issued);
    }

    #[test]
    fn a_device_certificate_certifies_the_devices_own_key_for_its_store_as_a_client() {
        let dir = tempfile::tempdir().expect("dir");
        let ca = ca(dir.path());
        let device_key = SigningKey::random(&mut rand_core::OsRng);
        let cert = ca
            .issue_device(device_key.verifying_key(), "Касса-1", "MSK-01", at(0))
            .expect("device certificate");
        assert!(
            issued_by(&cert, ca.certificate()),
            "signed by the chain's CA, under its name"
        );
        assert_eq!(
            cert.tbs_certificate.subject_public_key_info,
            SubjectPublicKeyInfoOwned::from_key(*device_key.verifying_key()).expect("spki"),
            "the key the device signs its bundles with, not one HQ made"
        );
        let subject = &cert.tbs_certificate.subject;
        assert_eq!(attribute(subject, OID_CN).as_deref(), Some("Касса-1"));
        assert_eq!(store_of(&cert).as_deref(), Some("MSK-01"));
        assert_eq!(attribute(subject, OID_O).as_deref(), Some("Ромашка"));
        let (_, eku) = cert
            .tbs_certificate
            .get::<ExtendedKeyUsage>()
            .expect("read")
            .expect("extended key usage");
        assert_eq!(
            eku.0,
            [OID_KP_CLIENT_AUTH],
            "a client, neither a server nor a signer of reports"
        );
        let (_, ku) = cert
            .tbs_certificate
            .get::<KeyUsage>()
            .expect("read")
            .expect("key usage");
        assert_eq!(
            ku.0,
            x509_cert::der::flagset::FlagSet::from(KeyUsages::DigitalSignature)
        );
        let (_, bc) = cert
            .tbs_certificate
            .get::<BasicConstraints>()
            .expect("read")
            .expect("basic constraints");
        assert!(!bc.ca, "a device certificate issues nothing");
        let v = &cert.tbs_certificate.validity;
        assert_eq!(
            crate::verify::time_of(&v.not_after) - crate::verify::time_of(&v.not_before),
            chrono::Duration::days(DEVICE_DAYS),
            "three years"
        );
        let other = ca
            .issue_device(device_key.verifying_key(), "Касса-1", "MSK-01", at(0))
            .expect("again");
        assert_ne!(
            serial_hex(&cert),
            serial_hex(&other),
            "each its own serial number"
        );
        // Never past the CA's own end.
        let late = ca
            .issue_device(
                device_key.verifying_key(),
                "Касса-1",
                "MSK-01",
                at(365 * 19),
            )
            .expect("late");
        assert_eq!(
            late.tbs_certificate.validity.not_after,
            ca.certificate().tbs_certificate.validity.not_after
        );
    }

    #[test]
    fn host_names_are_dns_names_or_ip_addresses() {
        assert_eq!(
            HostName::parse("HQ.example."),
            Some(HostName::Dns("hq.example".into()))
        );
        assert!(matches!(HostName::parse("[::1]"), Some(HostName::Ip(_))));
        assert!(matches!(HostName::parse("10.0.0.5"), Some(HostName::Ip(_))));
        for bad in [
            "",
            "*.example",
            "hq..example",
            "-hq.example",
            "hq_1.example",
            "hq example",
        ] {
            assert_eq!(HostName::parse(bad), None, "{bad:?} is no host name");
        }
    }
}
