//! HQ as the chain's certificate authority, and what HQ sends to its stores.
//!
//! - The CA's key and certificate are files in `<name>-files/ca/` (the key readable by its
//!   owner only, [`storecheck_report::ca::ChainCa`]); the certificates it issued and revoked are
//!   rows of `ca_certificate`.
//! - HQ publishes standards ([`HqDb::publish_standard`]: the same parsing, versions and
//!   content-derived ids as at a store) and names stores ([`HqDb::name_store`]: HQ's name and
//!   region win over what bundles say).
//! - [`HqDb::make_package`]: the HQ package, signed by the CA: the latest version of every
//!   standard, the store directory, the certificates issued and not revoked, the revocation
//!   list; numbered one more than the last; with HQ's server address when HQ gave one
//!   ([`HqDb::set_server_url`]), so stores find the server by the package.
//! - [`HqDb::server_certificate`]: the HQ server's TLS certificate, issued by the CA for the
//!   names stores reach it by, kept with HQ's files (`ca/server.pem`, `ca/server.key`).

use crate::files::{self, Files, Keep};
use crate::params;
use crate::sql::{Behavior, Conn, OptionalExtension, Row};
use chrono::{DateTime, Utc};
use serde::Serialize;
use storecheck_core::Lang;
use storecheck_core::import::StandardDraft;
use storecheck_core::model::{Kind, PhotoRule, Requirement, Section};
use storecheck_core::record::{StandardRecord, StoreRecord};
use storecheck_report::ca::{self, ChainCa, RequestProblem, Revocation, RevokeReason};
use storecheck_report::sign::SignError;
use ts_rs::TS;
use uuid::Uuid;
use x509_cert::Certificate;
use x509_cert::der::{Decode, Encode, EncodePem};

use crate::db::HqDb;
use crate::error::{HqError, Result};

/// The chain's CA as HQ shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CaInfo {
    pub chain: String,
    /// SHA-256 of the CA certificate, hex.
    pub fingerprint: String,
    /// The same in groups of four, to read aloud to a store.
    pub fingerprint_shown: String,
    /// Made by this call.
    pub created: bool,
    pub not_after: String,
    #[ts(type = "number")]
    pub issued: u64,
    #[ts(type = "number")]
    pub revoked: u64,
}

/// What a certificate HQ issued is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CertificateKind {
    /// An auditor's key, which signs reports.
    Auditor,
    /// HQ's server, for TLS.
    Server,
    /// A store device's key, which signs its sync bundles: the device is enrolled.
    Device,
}

impl CertificateKind {
    fn parse(s: &str) -> CertificateKind {
        match s {
            "server" => CertificateKind::Server,
            "device" => CertificateKind::Device,
            _ => CertificateKind::Auditor,
        }
    }
}

/// A certificate HQ issued.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct IssuedCertificate {
    pub kind: CertificateKind,
    pub serial: String,
    /// The auditor, HQ's server names, or the store device's name.
    pub auditor: String,
    pub store: String,
    pub not_before: String,
    pub not_after: String,
    pub issued_at: String,
    pub revoked_at: Option<String>,
    pub revoke_reason: Option<RevokeReason>,
}

/// A package made for the stores.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct PackageMade {
    pub chain: String,
    #[ts(type = "number")]
    pub sequence: u64,
    pub fingerprint: String,
    #[ts(type = "number")]
    pub bytes: u64,
    /// "CODE vVERSION" of each standard it carries.
    pub standards: Vec<String>,
    #[ts(type = "number")]
    pub stores: u64,
    #[ts(type = "number")]
    pub certificates: u64,
    #[ts(type = "number")]
    pub revoked: u64,
    /// The HQ server's address it gives the stores.
    pub server_url: Option<String>,
}

/// The HQ server's TLS certificate, issued by the chain's CA.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ServerCertificate {
    /// The DNS names and IP addresses it is valid for.
    pub names: Vec<String>,
    pub serial: String,
    pub not_after: String,
    /// The file of the certificate, then the CA's (PEM), when it is a file on this computer
    /// (a SQLite HQ's folder; see [`HqDb::server_certificate_files`]).
    pub cert_file: Option<String>,
    /// The file of its key (PEM, owner-only), likewise.
    pub key_file: Option<String>,
    /// Issued by this call; else the one kept was still good.
    pub issued: bool,
    /// The certificate, then the CA's (PEM), as the server presents it.
    #[serde(skip)]
    #[ts(skip)]
    pub cert_pem: Vec<u8>,
    /// Its key (PEM).
    #[serde(skip)]
    #[ts(skip)]
    pub key_pem: Vec<u8>,
}

/// A store as HQ names it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct NamedStore {
    pub code: String,
    pub name: String,
    pub region: Option<String>,
    /// New to HQ.
    pub added: bool,
}

/// A standard HQ published.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct PublishedStandard {
    pub id: String,
    pub code: String,
    pub version: String,
    pub title: String,
    #[ts(type = "number")]
    pub sections: u64,
    #[ts(type = "number")]
    pub requirements: u64,
    /// False when the same version with the same content was there already.
    pub created: bool,
}

/// What goes wrong with HQ's CA, its requests and its packages.
#[derive(Debug, Clone, PartialEq)]
pub enum CaProblem {
    /// No CA yet.
    NoCa,
    /// A CA is to be made, and no name was given for it.
    NeedsName,
    /// A CA exists already, for another chain name.
    OtherName { existing: String },
    /// A certificate request that is not taken.
    Request {
        file: String,
        problem: RequestProblem,
    },
    /// No certificate HQ issued has this serial number (or prefix).
    UnknownCertificate { what: String },
    /// More than one certificate starts with this prefix.
    Ambiguous { what: String },
    /// A key or certificate file of the CA that cannot be used, or cannot be made.
    Files {
        path: String,
        en: String,
        ru: String,
    },
    /// A standard HQ holds a version of with other content.
    StandardExists { code: String, version: String },
    /// No store device HQ knows has this key fingerprint or device id.
    UnknownDevice { what: String },
    /// A device id under which HQ knows more than one key.
    AmbiguousDevice { what: String },
    /// A store code HQ does not know, to enrol a device for.
    UnknownStore { code: String },
    /// A name for the server's certificate that is neither a DNS name nor an IP address.
    BadHostName { name: String },
    /// A server address for the package that stores could not use.
    BadServerUrl { url: String },
}

impl From<SignError> for HqError {
    fn from(e: SignError) -> HqError {
        let (path, en, ru) = match e {
            SignError::Unusable { path, en, ru } => (path, en, ru),
            SignError::Io { path, source } => (path, source.to_string(), source.to_string()),
            other => (String::new(), other.to_string(), other.to_string()),
        };
        HqError::Ca(CaProblem::Files { path, en, ru })
    }
}

impl CaProblem {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            CaProblem::NoCa => lang.pick(
                "the chain's certificate authority is not made yet",
                "удостоверяющий центр (УЦ) сети ещё не создан",
            ),
            CaProblem::NeedsName => lang.pick(
                "the chain's certificate authority is made once, with the chain's name, and no name was given",
                "УЦ сети создаётся один раз с названием сети, а название не указано",
            ),
            CaProblem::OtherName { existing } => lang.pick(
                format!("the chain's certificate authority exists already, named «{existing}»; it is never made again"),
                format!("УЦ сети уже создан, с названием «{existing}»; второй раз он не создаётся"),
            ),
            CaProblem::Request { file, problem } => lang.pick(
                format!("{file} cannot be used: {}", problem.text(lang)),
                format!("{file} нельзя использовать: {}", problem.text(lang)),
            ),
            CaProblem::UnknownCertificate { what } => lang.pick(
                format!("HQ issued no certificate «{what}»"),
                format!("ЦО не выдавал сертификат «{what}»"),
            ),
            CaProblem::Ambiguous { what } => lang.pick(
                format!("more than one certificate's serial number starts with «{what}»"),
                format!("серийный номер нескольких сертификатов начинается с «{what}»"),
            ),
            CaProblem::Files { path, en, ru } => lang.pick(
                format!("{path}: {en}"),
                format!("{path}: {ru}"),
            ),
            CaProblem::StandardExists { code, version } => lang.pick(
                format!("HQ holds standard {code} version {version} with other content"),
                format!("в ЦО уже есть стандарт {code} версии {version} с другим содержимым"),
            ),
            CaProblem::UnknownDevice { what } => lang.pick(
                format!("HQ knows no store device «{what}»: no bundle of a device with this key fingerprint or id reached HQ"),
                format!("ЦО не знает устройства магазина «{what}»: пакетов устройства с таким отпечатком ключа или идентификатором в ЦО не поступало"),
            ),
            CaProblem::AmbiguousDevice { what } => lang.pick(
                format!("HQ knows more than one key of device {what}"),
                format!("ЦО знает несколько ключей устройства {what}"),
            ),
            CaProblem::UnknownStore { code } => lang.pick(
                format!("HQ knows no store «{code}», and the device's bundles did not name it"),
                format!("ЦО не знает магазина «{code}», и пакеты устройства его не называли"),
            ),
            CaProblem::BadHostName { name } => lang.pick(
                format!("«{name}» is neither a DNS name nor an IP address"),
                format!("«{name}» — не имя DNS и не IP-адрес"),
            ),
            CaProblem::BadServerUrl { url } => lang.pick(
                format!("«{url}» is not an address stores can reach HQ's server by"),
                format!("«{url}» — не адрес, по которому магазины могут обратиться к серверу ЦО"),
            ),
        }
    }

    pub fn hint(&self, lang: Lang) -> Option<String> {
        Some(match self {
            CaProblem::NoCa | CaProblem::NeedsName => lang.pick(
                "make it with `storecheck hq ca init --name \"<the chain's name>\" --out CA.pem`",
                "создайте его: `storecheck hq ca init --name \"<название сети>\" --out CA.pem`",
            ),
            CaProblem::OtherName { .. } => lang.pick(
                "run `storecheck hq ca init --out CA.pem` without --name to write its certificate",
                "запустите `storecheck hq ca init --out CA.pem` без --name, чтобы записать его сертификат",
            ),
            CaProblem::Request { .. } => lang.pick(
                "ask the store for a new request made with `storecheck keys request --out FILE`",
                "попросите магазин создать новый запрос: `storecheck keys request --out ФАЙЛ`",
            ),
            CaProblem::UnknownCertificate { .. } | CaProblem::Ambiguous { .. } => lang.pick(
                "give the certificate file, or its serial number as `storecheck hq ca list` shows it",
                "укажите файл сертификата или его серийный номер из `storecheck hq ca list`",
            ),
            CaProblem::StandardExists { .. } => lang.pick(
                "give the file another version, or leave the version out to publish it as the next one",
                "укажите в файле другую версию или не указывайте её, чтобы опубликовать как следующую",
            ),
            CaProblem::UnknownDevice { .. } => lang.pick(
                "ask the store to send a bundle (`storecheck sync push`, or a stick for `hq import`), then find it with `storecheck hq device list --pending`",
                "попросите магазин отправить пакет (`storecheck sync push` или флешкой для `hq import`), затем найдите его в `storecheck hq device list --pending`",
            ),
            CaProblem::AmbiguousDevice { .. } => lang.pick(
                "give the key's fingerprint as the store reads it with `storecheck keys show`",
                "укажите отпечаток ключа, который магазин видит в `storecheck keys show`",
            ),
            CaProblem::UnknownStore { .. } => lang.pick(
                "add it first: `storecheck hq store add CODE NAME`",
                "сначала добавьте его: `storecheck hq store add КОД НАЗВАНИЕ`",
            ),
            CaProblem::BadHostName { .. } => lang.pick(
                "give each name as stores type it in the address: --name hq.chain.example --name 10.0.0.5",
                "укажите каждое имя так, как его пишут магазины в адресе: --name hq.chain.example --name 10.0.0.5",
            ),
            CaProblem::BadServerUrl { .. } => lang.pick(
                "give it as https://host:port, as `storecheck hq serve` prints it",
                "укажите его как https://узел:порт — так, как его печатает `storecheck hq serve`",
            ),
            CaProblem::Files { .. } => return None,
        })
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub(crate) fn validity(cert: &Certificate) -> (String, String) {
    let v = &cert.tbs_certificate.validity;
    let t = |t: &x509_cert::time::Time| {
        let secs = t.to_unix_duration().as_secs() as i64;
        rfc3339(DateTime::from_timestamp(secs, 0).unwrap_or_default())
    };
    (t(&v.not_before), t(&v.not_after))
}

fn issued_row(r: &Row<'_>) -> Result<IssuedCertificate> {
    Ok(IssuedCertificate {
        kind: CertificateKind::parse(&r.get::<_, String>(8)?),
        serial: r.get(0)?,
        auditor: r.get(1)?,
        store: r.get(2)?,
        not_before: r.get(3)?,
        not_after: r.get(4)?,
        issued_at: r.get(5)?,
        revoked_at: r.get(6)?,
        revoke_reason: r
            .get::<_, Option<String>>(7)?
            .and_then(|s| RevokeReason::parse(&s)),
    })
}

const ISSUED_COLUMNS: &str = "serial, auditor, store_code, not_before, not_after, created_at, revoked_at, revoke_reason, kind";

/// The latest version of a code: the highest number when versions are numbers, else the
/// highest text.
fn version_key(v: &str) -> (u64, String) {
    (v.trim().parse::<u64>().unwrap_or(0), v.to_string())
}

impl HqDb {
    /// The chain's CA as HQ keeps it, if it has one.
    fn load_ca(&self) -> Result<Option<ChainCa>> {
        let Some(key) = self.files.read(&self.conn, files::CA_KEY)? else {
            return Ok(None);
        };
        let cert = self.files.read(&self.conn, files::CA_CERT)?;
        Ok(Some(ChainCa::from_pem(
            &key,
            cert.as_deref(),
            &self.files.shown(files::CA_KEY),
            &self.files.shown(files::CA_CERT),
        )?))
    }

    fn clock_now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// Whether HQ has the chain's CA (then bundles come only from enrolled devices), without
    /// reading its key.
    pub fn has_ca(&self) -> Result<bool> {
        crate::enrol::has_ca(&self.conn, &self.files)
    }

    /// The chain's CA. Errors: [`CaProblem::NoCa`].
    pub fn chain_ca(&self) -> Result<ChainCa> {
        self.load_ca()?.ok_or(HqError::Ca(CaProblem::NoCa))
    }

    /// The chain's CA as HQ shows it, when there is one.
    pub fn ca_info(&self) -> Result<Option<CaInfo>> {
        let Some(ca) = self.load_ca()? else {
            return Ok(None);
        };
        Ok(Some(self.info_of(&ca, false)?))
    }

    fn info_of(&self, ca: &ChainCa, created: bool) -> Result<CaInfo> {
        let (issued, revoked): (i64, i64) = self.conn.query_row(
            "SELECT count(*), count(revoked_at) FROM ca_certificate",
            (),
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let fingerprint = ca.fingerprint();
        Ok(CaInfo {
            chain: ca.name().to_string(),
            fingerprint_shown: ca::fingerprint_shown(&fingerprint),
            fingerprint,
            created,
            not_after: validity(ca.certificate()).1,
            issued: issued as u64,
            revoked: revoked as u64,
        })
    }

    /// Makes the chain's CA named `name` when there is none; with one, says what it is (a name
    /// given must be its own).
    pub fn ca_init(&mut self, name: Option<&str>) -> Result<CaInfo> {
        let name = name.map(str::trim).filter(|n| !n.is_empty());
        if let Some(ca) = self.load_ca()? {
            if let Some(name) = name
                && name != ca.name()
            {
                return Err(HqError::Ca(CaProblem::OtherName {
                    existing: ca.name().to_string(),
                }));
            }
            return self.info_of(&ca, false);
        }
        let Some(name) = name else {
            return Err(HqError::Ca(CaProblem::NeedsName));
        };
        let made = ChainCa::generate(name, self.clock_now())?;
        // The key first: a certificate without its key would be a CA no one can use. In a
        // database, both or neither.
        let tx = self.conn.transaction_with_behavior(Behavior::Immediate)?;
        let new = |private| Keep::New { private };
        let (key, cert) = (made.key_pem.as_bytes(), made.cert_pem.as_bytes());
        self.files
            .keep(&tx, files::CA_KEY, key, new(true), &self.ids)?;
        self.files
            .keep(&tx, files::CA_CERT, cert, new(false), &self.ids)?;
        tx.commit()?;
        let ca = self.chain_ca()?;
        self.info_of(&ca, true)
    }

    /// What a reader needs to trust the chain's signatures, PEM: the CA's certificate and its
    /// revocation list as of now.
    pub fn ca_trust(&self) -> Result<String> {
        let ca = self.chain_ca()?;
        let crl = ca.crl(&self.revocations()?, self.clock_now())?;
        Ok(ca.trust_file(&crl))
    }

    fn revocations(&self) -> Result<Vec<Revocation>> {
        let mut stmt = self.conn.prepare(
            "SELECT der, revoked_at, revoke_reason FROM ca_certificate
             WHERE revoked_at IS NOT NULL ORDER BY revoked_at, serial",
        )?;
        let rows = stmt.query_map((), |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (der, at, reason) = row?;
            let cert = Certificate::from_der(&der)
                .map_err(|e| HqError::Corrupt(format!("an issued certificate: {e}")))?;
            out.push(Revocation {
                serial: cert.tbs_certificate.serial_number.as_bytes().to_vec(),
                at: DateTime::parse_from_rfc3339(&at)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|e| HqError::Corrupt(format!("revoked_at {at:?}: {e}")))?,
                reason: reason.and_then(|r| RevokeReason::parse(&r)),
            });
        }
        Ok(out)
    }

    /// Issues a certificate for a request (`file` is how the person named it): the auditor and
    /// store it names, its key. Returns the row and the certificate file's text: the
    /// certificate, then the CA's.
    pub fn ca_issue(&mut self, request: &[u8], file: &str) -> Result<(IssuedCertificate, String)> {
        let ca = self.chain_ca()?;
        let req = ca::read_request(request).map_err(|problem| {
            HqError::Ca(CaProblem::Request {
                file: file.to_string(),
                problem,
            })
        })?;
        let cert = ca.issue(&req, self.clock_now())?;
        let der = cert.to_der().map_err(|e| HqError::Corrupt(e.to_string()))?;
        let key_der = req
            .public_key
            .to_der()
            .map_err(|e| HqError::Corrupt(e.to_string()))?;
        let (not_before, not_after) = validity(&cert);
        let row = IssuedCertificate {
            kind: CertificateKind::Auditor,
            serial: ca::serial_hex(&cert),
            auditor: req.auditor.clone(),
            store: req.store.clone(),
            not_before,
            not_after,
            issued_at: self.now(),
            revoked_at: None,
            revoke_reason: None,
        };
        self.conn.execute(
            "INSERT INTO ca_certificate (id, serial, auditor, store_code, key_sha256, not_before,
                not_after, der, device_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                self.ids.next().to_string(),
                row.serial,
                row.auditor,
                row.store,
                ca::fingerprint(&key_der),
                row.not_before,
                row.not_after,
                der,
                self.device,
                row.issued_at
            ],
        )?;
        let pem = format!(
            "{}{}",
            cert.to_pem(x509_cert::der::pem::LineEnding::LF)
                .map_err(|e| HqError::Corrupt(e.to_string()))?,
            ca.certificate_pem()
        );
        Ok((row, pem))
    }

    /// The certificates HQ issued, newest first.
    pub fn ca_list(&self) -> Result<Vec<IssuedCertificate>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ISSUED_COLUMNS} FROM ca_certificate ORDER BY created_at DESC, serial"
        ))?;
        let rows = stmt.query_map((), issued_row)?;
        rows.collect::<Result<_>>()
    }

    /// The serial number of a certificate HQ issued, from the certificate's file contents or
    /// its serial number (or at least 6 of its first hex digits).
    pub fn ca_find(&self, given: &str, file: Option<&[u8]>) -> Result<String> {
        if let Some(bytes) = file {
            let cert = ca::certificates_in(bytes)
                .into_iter()
                .next()
                .ok_or_else(|| {
                    HqError::Ca(CaProblem::UnknownCertificate {
                        what: given.to_string(),
                    })
                })?;
            let serial = ca::serial_hex(&cert);
            let held: Option<String> = self
                .conn
                .query_row(
                    "SELECT serial FROM ca_certificate WHERE serial = ?1",
                    [&serial],
                    |r| r.get(0),
                )
                .optional()?;
            return held.ok_or(HqError::Ca(CaProblem::UnknownCertificate { what: serial }));
        }
        let prefix: String = given
            .chars()
            .filter(|c| c.is_ascii_hexdigit())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        let unknown = || {
            HqError::Ca(CaProblem::UnknownCertificate {
                what: given.to_string(),
            })
        };
        if prefix.len() < 6 {
            return Err(unknown());
        }
        let mut stmt = self.conn.prepare(
            "SELECT serial FROM ca_certificate WHERE substr(serial, 1, length(?1)) = ?1 LIMIT 2",
        )?;
        let found: Vec<String> = stmt
            .query_map([&prefix], |r| r.get(0))?
            .collect::<Result<_>>()?;
        match found.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(unknown()),
            _ => Err(HqError::Ca(CaProblem::Ambiguous {
                what: given.to_string(),
            })),
        }
    }

    /// Revokes a certificate HQ issued, now; a certificate revoked before stays as it was.
    /// Signatures it makes from now on are not trusted by readers of the next revocation list
    /// (`hq ca init --out`, the next HQ package).
    pub fn ca_revoke(
        &mut self,
        serial: &str,
        reason: Option<RevokeReason>,
    ) -> Result<IssuedCertificate> {
        self.chain_ca()?;
        let now = self.now();
        self.conn.execute(
            "UPDATE ca_certificate SET revoked_at = ?2, revoke_reason = ?3
             WHERE serial = ?1 AND revoked_at IS NULL",
            params![serial, now, reason.map(RevokeReason::as_str)],
        )?;
        self.conn
            .query_row(
                &format!("SELECT {ISSUED_COLUMNS} FROM ca_certificate WHERE serial = ?1"),
                [serial],
                issued_row,
            )
            .optional()?
            .ok_or(HqError::Ca(CaProblem::UnknownCertificate {
                what: serial.to_string(),
            }))
    }

    /// Publishes a standard read from a file as a new version at HQ, with the ids every store
    /// derives from its content. Without a version in the file, a content equal to the latest
    /// version is that version; otherwise it is the next number.
    pub fn publish_standard(&mut self, draft: &StandardDraft) -> Result<PublishedStandard> {
        let hash = draft.content_hash();
        let versions: Vec<(String, String, String)> = self
            .conn
            .prepare("SELECT version, content_sha256, id FROM standard WHERE code = ?1")?
            .query_map([&draft.code], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_>>()?;
        let mut draft = draft.clone();
        match &draft.version {
            Some(v) => {
                if let Some((_, held, _)) = versions.iter().find(|(held, _, _)| held == v)
                    && *held != hash
                {
                    return Err(HqError::Ca(CaProblem::StandardExists {
                        code: draft.code.clone(),
                        version: v.clone(),
                    }));
                }
            }
            None => {
                let latest = versions.iter().max_by_key(|(v, _, _)| version_key(v));
                draft.version = Some(match latest {
                    Some((v, held, _)) if *held == hash => v.clone(),
                    _ => (versions
                        .iter()
                        .filter_map(|(v, _, _)| v.trim().parse::<u64>().ok())
                        .max()
                        .unwrap_or(0)
                        + 1)
                    .to_string(),
                });
            }
        }
        let record = StandardRecord::from_draft(&draft, "1");
        let tx = self.conn.transaction()?;
        let created = !versions
            .iter()
            .any(|(_, _, id)| *id == record.id.to_string());
        crate::import::put_standard(&tx, &record)?;
        tx.commit()?;
        Ok(PublishedStandard {
            id: record.id.to_string(),
            code: record.code.clone(),
            version: record.version.clone(),
            title: record.title.clone(),
            sections: record.sections.len() as u64,
            requirements: record
                .sections
                .iter()
                .map(|s| s.requirements.len() as u64)
                .sum(),
            created,
        })
    }

    /// Names a store as HQ knows it: its name and region win over what bundles say.
    pub fn name_store(
        &mut self,
        code: &str,
        name: &str,
        region: Option<&str>,
    ) -> Result<NamedStore> {
        let code = code.trim();
        let name = name.trim();
        let region = region.map(str::trim).filter(|r| !r.is_empty());
        if code.is_empty() || name.is_empty() {
            return Err(HqError::Missing {
                what: "store code and name".into(),
            });
        }
        let now = self.now();
        let tx = self.conn.transaction()?;
        let before: Option<Option<String>> = tx
            .query_row("SELECT region FROM store WHERE code = ?1", [code], |r| {
                r.get(0)
            })
            .optional()?;
        tx.execute(
            "INSERT INTO store (code, name, region, named_by_hq, as_of) VALUES (?1, ?2, ?3, 1, ?4)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, region = excluded.region,
                named_by_hq = 1, as_of = excluded.as_of",
            params![code, name, region, now],
        )?;
        if let Some(before) = &before
            && before.as_deref() != region
        {
            crate::rollup::touch_store(&tx, code, before.as_deref())?;
            crate::rollup::touch_store(&tx, code, region)?;
            crate::rollup::refresh(&tx)?;
        }
        tx.commit()?;
        Ok(NamedStore {
            code: code.to_string(),
            name: name.to_string(),
            region: region.map(str::to_string),
            added: before.is_none(),
        })
    }

    /// The latest version of every standard HQ holds, whole.
    pub fn current_standards(&self) -> Result<Vec<StandardRecord>> {
        let rows: Vec<(String, String, String)> = self
            .conn
            .prepare("SELECT id, code, version FROM standard ORDER BY code")?
            .query_map((), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_>>()?;
        let mut latest: std::collections::BTreeMap<String, (String, String)> = Default::default();
        for (id, code, version) in rows {
            let newer = latest
                .get(&code)
                .is_none_or(|(_, v)| version_key(&version) > version_key(v));
            if newer {
                latest.insert(code, (id, version));
            }
        }
        latest
            .into_values()
            .map(|(id, _)| self.standard_record(&id))
            .collect()
    }

    fn standard_record(&self, id: &str) -> Result<StandardRecord> {
        let (code, version, title, language, ratings, content_sha256): (String, String, String, String, String, String) =
            self.conn.query_row(
                "SELECT code, version, title, language, ratings, content_sha256 FROM standard WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )?;
        let corrupt = |e: &dyn std::fmt::Display| HqError::Corrupt(format!("standard {id}: {e}"));
        let mut sections: Vec<Section> = self
            .conn
            .prepare("SELECT id, title FROM section WHERE standard_id = ?1 ORDER BY position")?
            .query_map([id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?
            .map(|row| {
                let (sid, title) = row?;
                Ok(Section {
                    id: Uuid::parse_str(&sid).map_err(|e| corrupt(&e))?,
                    title,
                    requirements: Vec::new(),
                })
            })
            .collect::<Result<_>>()?;
        let mut stmt = self.conn.prepare(
            "SELECT section_id, id, code, text, guidance, kind, weight, hard, photo, na_allowed, min, max
             FROM requirement WHERE standard_id = ?1 ORDER BY position",
        )?;
        let mut rows = stmt.query([id])?;
        while let Some(r) = rows.next()? {
            let section: String = r.get(0)?;
            let kind: String = r.get(5)?;
            let photo: String = r.get(8)?;
            let req = Requirement {
                id: Uuid::parse_str(&r.get::<_, String>(1)?).map_err(|e| corrupt(&e))?,
                code: r.get(2)?,
                text: r.get(3)?,
                guidance: r.get(4)?,
                kind: Kind::parse(&kind).ok_or_else(|| corrupt(&kind))?,
                weight: r.get(6)?,
                hard: r.get(7)?,
                photo: PhotoRule::parse(&photo).ok_or_else(|| corrupt(&photo))?,
                na_allowed: r.get(9)?,
                min: r.get(10)?,
                max: r.get(11)?,
            };
            let s = sections
                .iter_mut()
                .find(|s| s.id.to_string() == section)
                .ok_or_else(|| corrupt(&section))?;
            s.requirements.push(req);
        }
        Ok(StandardRecord {
            id: Uuid::parse_str(id).map_err(|e| corrupt(&e))?,
            code,
            version,
            title,
            language,
            ratings: serde_json::from_str(&ratings).map_err(|e| corrupt(&e))?,
            content_sha256,
            sections,
        })
    }

    /// The store directory: every store HQ knows, by code.
    pub fn store_directory(&self) -> Result<Vec<StoreRecord>> {
        let mut stmt = self
            .conn
            .prepare("SELECT code, name, region FROM store ORDER BY code")?;
        let rows = stmt.query_map((), |r| {
            Ok(StoreRecord {
                code: r.get(0)?,
                name: r.get(1)?,
                region: r.get(2)?,
            })
        })?;
        rows.collect::<Result<_>>()
    }

    /// The HQ server's TLS certificate for `names` (DNS names or IP addresses, the first one
    /// its CN): the one kept in the CA's folder while it is for these names and more than 30
    /// days from its end, else a new key and certificate issued now.
    pub fn server_certificate(&mut self, names: &[String]) -> Result<ServerCertificate> {
        let ca = self.chain_ca()?;
        let hosts = names
            .iter()
            .map(|n| {
                ca::HostName::parse(n).ok_or_else(|| {
                    HqError::Ca(CaProblem::BadHostName {
                        name: n.to_string(),
                    })
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if hosts.is_empty() {
            return Err(HqError::Ca(CaProblem::BadHostName {
                name: String::new(),
            }));
        }
        // Under the write lock: servers starting at once on one database issue one
        // certificate, not one each that revokes the other's.
        let (now, at) = (self.now(), self.clock_now());
        let tx = self.conn.transaction_with_behavior(Behavior::Immediate)?;
        let read = |name| self.files.read(&tx, name);
        let mut held = read(files::SERVER_CERT)?.zip(read(files::SERVER_KEY)?);
        // A kept certificate HQ revoked is never served again: issued anew.
        if let Some(leaf) = held
            .as_ref()
            .and_then(|(pem, _)| ca::certificates_in(pem).into_iter().next())
        {
            let revoked: Option<bool> = tx
                .query_row(
                    "SELECT revoked_at IS NOT NULL FROM ca_certificate WHERE serial = ?1",
                    [ca::serial_hex(&leaf)],
                    |r| r.get(0),
                )
                .optional()?;
            if revoked == Some(true) {
                held = None;
            }
        }
        let made = ca.server_pair(
            held.as_ref().map(|(c, k)| (c.as_slice(), k.as_slice())),
            &hosts,
            at,
        )?;
        if made.issued {
            let replace = |private| Keep::Replace { private };
            self.files.keep(
                &tx,
                files::SERVER_KEY,
                &made.key_pem,
                replace(true),
                &self.ids,
            )?;
            self.files.keep(
                &tx,
                files::SERVER_CERT,
                &made.cert_pem,
                replace(false),
                &self.ids,
            )?;
            record_server_certificate(&tx, &made, &self.ids, &self.device, &now)?;
        }
        tx.commit()?;
        let file = |name| match &self.files {
            Files::Folder(_) => Some(self.files.local_path(name).display().to_string()),
            Files::Table { .. } => None,
        };
        Ok(ServerCertificate {
            names: made.names.iter().map(ToString::to_string).collect(),
            serial: made.serial.clone(),
            not_after: rfc3339(made.not_after),
            cert_file: file(files::SERVER_CERT),
            key_file: file(files::SERVER_KEY),
            issued: made.issued,
            cert_pem: made.cert_pem,
            key_pem: made.key_pem,
        })
    }

    /// `made`'s certificate and key as files on this computer, for a proxy in front of the
    /// server: a SQLite HQ's own, or copies of a PostgreSQL HQ's written now (the key
    /// owner-only) into this computer's folder.
    pub fn server_certificate_files(&self, made: &mut ServerCertificate) -> Result<()> {
        let as_file = |name, private| -> Result<Option<String>> {
            let path = self.files.as_file(&self.conn, name, private, &self.ids)?;
            Ok(path.map(|p| p.display().to_string()))
        };
        made.cert_file = as_file(files::SERVER_CERT, false)?;
        made.key_file = as_file(files::SERVER_KEY, true)?;
        Ok(())
    }

    /// The HQ server's address as stores reach it, which packages carry; none until given.
    pub fn server_url(&self) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT value FROM workspace WHERE key = 'server_url'",
                (),
                |r| r.get(0),
            )
            .optional()
    }

    /// Remembers the HQ server's address for the packages made from now on. Errors:
    /// [`CaProblem::BadServerUrl`] for what a store would refuse (not `https://`, or plain
    /// `http://` to another computer).
    pub fn set_server_url(&mut self, url: &str) -> Result<String> {
        let bad = || {
            HqError::Ca(CaProblem::BadServerUrl {
                url: url.to_string(),
            })
        };
        let url = storecheck_sync::push::server_url(url).map_err(|_| bad())?;
        storecheck_sync::tls::plain_http_allowed(&url).map_err(|_| bad())?;
        self.conn.execute(
            "INSERT INTO workspace (key, value) VALUES ('server_url', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [&url],
        )?;
        Ok(url)
    }

    /// The number of the latest package HQ made, if any.
    pub fn latest_package(&self) -> Result<Option<u64>> {
        let latest: Option<i64> =
            self.conn
                .query_row("SELECT max(sequence) FROM hq_package", (), |r| r.get(0))?;
        Ok(latest.map(|s| s as u64))
    }

    /// The bytes of package `sequence` as it was made, if HQ kept it.
    pub fn package_bytes(&self, sequence: u64) -> Result<Option<Vec<u8>>> {
        self.files.read(&self.conn, &files::package_name(sequence))
    }

    /// Makes the next HQ package: its bytes, and what it holds. It is recorded as made, so
    /// the next one is numbered after it.
    pub fn make_package(&mut self) -> Result<(Vec<u8>, PackageMade)> {
        let ca = self.chain_ca()?;
        let revoked = self.revocations()?;
        let crl = ca.crl(&revoked, self.clock_now())?;
        let standards = self.current_standards()?;
        let stores = self.store_directory()?;
        let now = self.clock_now();
        let certificates: Vec<Vec<u8>> = self
            .conn
            .prepare(
                "SELECT der FROM ca_certificate
                 WHERE revoked_at IS NULL AND not_after > ?1 AND kind <> 'server'
                 ORDER BY store_code, auditor, created_at",
            )?
            .query_map([rfc3339(now)], |r| r.get(0))?
            .collect::<Result<_>>()?;
        let server_url = self.server_url()?;
        let sequence: i64 = self.conn.query_row(
            "SELECT coalesce(max(sequence), 0) + 1 FROM hq_package",
            (),
            |r| r.get(0),
        )?;
        let (bytes, manifest_sha256) =
            storecheck_sync::package::write_package(&storecheck_sync::package::NewPackage {
                ca: &ca,
                sequence: sequence as u64,
                created_at: rfc3339(now),
                crl_der: &crl,
                standards: &standards,
                stores: &stores,
                certificates: &certificates,
                server_url: server_url.as_deref(),
            })
            .map_err(|e| HqError::io("package", e))?;
        // Kept, so that the HQ server hands out the very package that was made.
        self.files.keep(
            &self.conn,
            &files::package_name(sequence as u64),
            &bytes,
            Keep::Replace { private: false },
            &self.ids,
        )?;
        self.conn.execute(
            "INSERT INTO hq_package (id, sequence, manifest_sha256, standards, stores, certificates, device_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                self.ids.next().to_string(),
                sequence,
                manifest_sha256,
                standards.len() as i64,
                stores.len() as i64,
                certificates.len() as i64,
                self.device,
                self.now()
            ],
        )?;
        let made = PackageMade {
            chain: ca.name().to_string(),
            sequence: sequence as u64,
            fingerprint: ca.fingerprint(),
            bytes: bytes.len() as u64,
            standards: standards
                .iter()
                .map(|s| format!("{} v{}", s.code, s.version))
                .collect(),
            stores: stores.len() as u64,
            certificates: certificates.len() as u64,
            revoked: revoked.len() as u64,
            server_url,
        };
        Ok((bytes, made))
    }
}

/// Records a server certificate just issued among the CA's (store code empty: it is no
/// auditor's), so `hq ca list` shows it and `hq ca revoke` reaches it, and revokes the one it
/// replaces: a store then refuses a server that still presents the old one once the next
/// package's revocation list is there.
fn record_server_certificate(
    tx: &Conn,
    made: &ca::ServerPair,
    ids: &storecheck_core::ids::Ids,
    device: &str,
    now: &str,
) -> Result<()> {
    let cert = Certificate::from_der(&made.der)
        .map_err(|e| HqError::Corrupt(format!("the server certificate: {e}")))?;
    let key_der = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| HqError::Corrupt(e.to_string()))?;
    let (not_before, not_after) = validity(&cert);
    tx.execute(
        "UPDATE ca_certificate SET revoked_at = ?1, revoke_reason = 'replaced'
         WHERE kind = 'server' AND revoked_at IS NULL",
        [now],
    )?;
    let names: Vec<String> = made.names.iter().map(ToString::to_string).collect();
    tx.execute(
        "INSERT INTO ca_certificate (id, serial, auditor, store_code, key_sha256, not_before,
            not_after, der, device_id, created_at, kind)
         VALUES (?1, ?2, ?3, '', ?4, ?5, ?6, ?7, ?8, ?9, 'server')",
        params![
            ids.next().to_string(),
            made.serial,
            format!("HQ server: {}", names.join(", ")),
            ca::fingerprint(&key_der),
            not_before,
            not_after,
            made.der,
            device,
            now
        ],
    )?;
    Ok(())
}
