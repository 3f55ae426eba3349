//! Store devices HQ enrols: once HQ has the chain's CA, a bundle is taken only from a device
//! whose bundle-signing key a certificate of the CA is for.
//!
//! - [`enrolment`]: where a key stands (no CA: trust on first use, as before; enrolled; not
//!   enrolled; revoked), read by the import under its write lock.
//! - [`record_waiting`]: a bundle refused because its device is not enrolled leaves the device,
//!   its key and the stores it named in `device_waiting`, so HQ sees who is waiting.
//! - [`HqDb::devices`] lists the devices HQ knows with their state; [`HqDb::enrol_device`]
//!   issues a device certificate (`ca_certificate`, kind `device`), which `hq ca list` shows,
//!   `hq ca revoke` revokes and the HQ package carries.

use std::collections::{BTreeMap, BTreeSet};

use p256::pkcs8::DecodePublicKey;
use serde::Serialize;
use storecheck_report::ca::{self, RevokeReason};
use storecheck_sync::{Parcel, Source};
use ts_rs::TS;
use uuid::Uuid;
use x509_cert::der::Encode;

use crate::ca::CaProblem;
use crate::db::HqDb;
use crate::error::{HqError, Result};
use crate::files::Files;
use crate::params;
use crate::sql::{Conn, OptionalExtension};

/// Where a device's key stands at HQ.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Enrolment {
    /// HQ has no CA: every device is taken on first use, as before enrolment existed.
    NoCa,
    /// For this store (the code its certificate names).
    Enrolled {
        store: String,
    },
    NotEnrolled,
    Revoked {
        at: String,
        reason: Option<RevokeReason>,
    },
}

/// Whether HQ, whose files are `files`, has the chain's CA.
pub(crate) fn has_ca(conn: &Conn, files: &Files) -> Result<bool> {
    files.has(conn, crate::files::CA_CERT)
}

/// Where the key `key_sha256` of device `device` stands at `now` (RFC 3339) at an HQ that has
/// the chain's CA (`with_ca`, as [`has_ca`] says): enrolled (for the store its newest such
/// certificate names) while a device certificate for this key and device is neither revoked nor
/// expired; else revoked when the latest that was revoked says so; else not enrolled.
pub(crate) fn enrolment(
    conn: &Conn,
    with_ca: bool,
    key_sha256: &str,
    device: Uuid,
    now: &str,
) -> Result<Enrolment> {
    if !with_ca {
        return Ok(Enrolment::NoCa);
    }
    let mut stmt = conn.prepare(
        "SELECT not_after, revoked_at, revoke_reason, store_code FROM ca_certificate
         WHERE kind = 'device' AND key_sha256 = ?1 AND for_device = ?2
         ORDER BY created_at DESC, serial",
    )?;
    let certificates: Vec<(String, Option<String>, Option<String>, String)> = stmt
        .query_map(params![key_sha256, device.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<Result<_>>()?;
    if let Some((_, _, _, store)) = certificates
        .iter()
        .find(|(until, revoked, _, _)| revoked.is_none() && until.as_str() > now)
    {
        return Ok(Enrolment::Enrolled {
            store: store.clone(),
        });
    }
    Ok(certificates
        .into_iter()
        .find_map(|(_, revoked, reason, _)| {
            revoked.map(|at| Enrolment::Revoked {
                at,
                reason: reason.as_deref().and_then(RevokeReason::parse),
            })
        })
        .unwrap_or(Enrolment::NotEnrolled))
}

/// A bundle's device as a refusal for not being enrolled remembers it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Attempt {
    pub device_id: Uuid,
    pub name: String,
    pub key_sha256: String,
    pub public_key: String,
    /// The store codes the bundle named, sorted.
    pub stores: Vec<String>,
}

impl Attempt {
    /// The device of a bundle (none for a store database or a PDF: they are not bundles).
    pub fn of(parcel: &Parcel) -> Option<Attempt> {
        let Source::Bundle {
            device,
            key_id,
            public_key,
            ..
        } = &parcel.source
        else {
            return None;
        };
        Some(Attempt {
            device_id: device.id,
            name: device.name.clone(),
            key_sha256: key_id.clone(),
            public_key: public_key.clone(),
            stores: stores_named(parcel),
        })
    }
}

/// The store codes a parcel names, sorted, each once.
pub(crate) fn stores_named(parcel: &Parcel) -> Vec<String> {
    parcel
        .stores
        .iter()
        .map(|s| s.code.clone())
        .chain(parcel.audits.iter().map(|a| a.audit.store.code.clone()))
        .filter(|c| !c.is_empty())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Remembers a device whose bundle was refused because it is not enrolled: its latest name,
/// every store its bundles named, when it first and last tried, how often.
pub(crate) fn record_waiting(conn: &Conn, attempt: &Attempt, now: &str) -> Result<()> {
    let held: Option<String> = conn
        .query_row(
            "SELECT stores FROM device_waiting WHERE key_sha256 = ?1",
            [&attempt.key_sha256],
            |r| r.get(0),
        )
        .optional()?;
    let mut stores: BTreeSet<String> = held
        .and_then(|s| serde_json::from_str::<Vec<String>>(&s).ok())
        .unwrap_or_default()
        .into_iter()
        .collect();
    stores.extend(attempt.stores.iter().cloned());
    let stores = serde_json::to_string(&stores.into_iter().collect::<Vec<_>>())
        .map_err(|e| HqError::Corrupt(e.to_string()))?;
    conn.execute(
        "INSERT INTO device_waiting (key_sha256, device_id, name, public_key, stores, first_at,
            last_at, attempts)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, 1)
         ON CONFLICT (key_sha256) DO UPDATE SET device_id = excluded.device_id,
             name = excluded.name, stores = excluded.stores, last_at = excluded.last_at,
             attempts = device_waiting.attempts + 1",
        params![
            attempt.key_sha256,
            attempt.device_id.to_string(),
            attempt.name,
            attempt.public_key,
            stores,
            now
        ],
    )?;
    Ok(())
}

/// Where a device stands, as HQ lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DeviceState {
    /// Its bundles were refused for want of enrolment: HQ has not enrolled it yet.
    Waiting,
    /// Known from bundles taken before HQ required enrolment; its next one is refused until
    /// HQ enrols it.
    NotEnrolled,
    /// Its certificate ended; enrol it again.
    Expired,
    /// Its certificate was revoked; nothing more is taken from it.
    Revoked,
    Enrolled,
}

impl DeviceState {
    /// Waiting for HQ to enrol it (what `hq device list --pending` shows).
    pub fn pending(self) -> bool {
        matches!(
            self,
            DeviceState::Waiting | DeviceState::NotEnrolled | DeviceState::Expired
        )
    }
}

/// A store device HQ knows, by the key it signs its bundles with.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct KnownDevice {
    pub device_id: String,
    pub name: String,
    /// SHA-256 of the device's public key (SubjectPublicKeyInfo DER), hex.
    pub fingerprint: String,
    /// The same in groups of four, to compare with what `storecheck keys show` prints at the
    /// store.
    pub fingerprint_shown: String,
    pub state: DeviceState,
    /// The store its latest device certificate is for.
    pub store: Option<String>,
    /// That certificate's serial number, end (RFC 3339) and revocation.
    pub serial: Option<String>,
    pub until: Option<String>,
    pub revoked_at: Option<String>,
    pub revoke_reason: Option<RevokeReason>,
    /// The stores its refused bundles named.
    pub stores_named: Vec<String>,
    /// When HQ last refused a bundle of it for want of enrolment, and how many it refused.
    pub last_refused_at: Option<String>,
    #[ts(type = "number")]
    pub refused: u64,
}

/// A device enrolled by [`HqDb::enrol_device`].
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct EnrolledDevice {
    pub device_id: String,
    pub name: String,
    pub fingerprint: String,
    pub fingerprint_shown: String,
    pub store: String,
    pub serial: String,
    pub until: String,
    /// Issued by this call; else the device was enrolled for this store already.
    pub issued: bool,
    /// The certificates of this key it replaces (revoked as replaced): another store's.
    pub replaced: Vec<String>,
}

/// The key HQ holds for a device, to enrol.
struct HeldKey {
    device_id: String,
    name: String,
    key_sha256: String,
    public_key: String,
    stores_named: Vec<String>,
}

/// A fingerprint as a person typed or pasted it: 64 hex digits, any case, spaces, colons.
fn typed_fingerprint(given: &str) -> Option<String> {
    let hex: String = given
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ':' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit())).then_some(hex)
}

impl HqDb {
    /// The store devices HQ knows, by key: from the bundles it took, those it refused for want
    /// of enrolment, and the device certificates its CA issued; waiting ones first.
    pub fn devices(&self) -> Result<Vec<KnownDevice>> {
        let now = self.now();
        let mut out: BTreeMap<String, KnownDevice> = BTreeMap::new();
        let blank = |id: String, name: String, key: String, state| KnownDevice {
            device_id: id,
            name,
            fingerprint_shown: ca::fingerprint_shown(&key),
            fingerprint: key,
            state,
            store: None,
            serial: None,
            until: None,
            revoked_at: None,
            revoke_reason: None,
            stores_named: Vec::new(),
            last_refused_at: None,
            refused: 0,
        };
        let taken: Vec<(String, String, String)> = self
            .conn
            .prepare("SELECT id, name, key_id FROM device WHERE key_id IS NOT NULL")?
            .query_map((), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_>>()?;
        for (id, name, key) in taken {
            out.insert(key.clone(), blank(id, name, key, DeviceState::NotEnrolled));
        }
        let waiting: Vec<(String, String, String, String, String, i64)> = self
            .conn
            .prepare(
                "SELECT key_sha256, device_id, name, stores, last_at, attempts
                 FROM device_waiting",
            )?
            .query_map((), |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?
            .collect::<Result<_>>()?;
        for (key, id, name, stores, last, attempts) in waiting {
            let d = out
                .entry(key.clone())
                .or_insert_with(|| blank(id, name.clone(), key, DeviceState::Waiting));
            d.name = name;
            d.state = DeviceState::Waiting;
            d.stores_named = serde_json::from_str(&stores).unwrap_or_default();
            d.last_refused_at = Some(last);
            d.refused = attempts.max(0) as u64;
        }
        // Oldest first, so the latest certificate of a key is the one that stays.
        let certificates: Vec<CertRow> = self
            .conn
            .prepare(
                "SELECT key_sha256, coalesce(for_device, ''), auditor, store_code, serial,
                    not_after, revoked_at, revoke_reason
                 FROM ca_certificate WHERE kind = 'device' ORDER BY created_at, serial",
            )?
            .query_map((), |r| {
                Ok(CertRow {
                    key: r.get(0)?,
                    device_id: r.get(1)?,
                    name: r.get(2)?,
                    store: r.get(3)?,
                    serial: r.get(4)?,
                    until: r.get(5)?,
                    revoked_at: r.get(6)?,
                    reason: r.get(7)?,
                })
            })?
            .collect::<Result<_>>()?;
        for c in certificates {
            let d = out.entry(c.key.clone()).or_insert_with(|| {
                blank(
                    c.device_id.clone(),
                    c.name.clone(),
                    c.key.clone(),
                    DeviceState::NotEnrolled,
                )
            });
            let valid = c.revoked_at.is_none() && c.until > now;
            // A valid certificate is never hidden by a later revoked one of the same key.
            if d.state == DeviceState::Enrolled && !valid {
                continue;
            }
            d.state = if valid {
                DeviceState::Enrolled
            } else if c.revoked_at.is_some() {
                DeviceState::Revoked
            } else {
                DeviceState::Expired
            };
            d.store = Some(c.store);
            d.serial = Some(c.serial);
            d.until = Some(c.until);
            d.revoked_at = c.revoked_at;
            d.revoke_reason = c.reason.as_deref().and_then(RevokeReason::parse);
        }
        let mut list: Vec<KnownDevice> = out.into_values().collect();
        list.sort_by(|a, b| {
            (a.state, &a.name, &a.fingerprint).cmp(&(b.state, &b.name, &b.fingerprint))
        });
        Ok(list)
    }

    /// Enrols the device `given` (its key's fingerprint, any case and separators, or its
    /// device id) for `store`: a device certificate of the chain's CA for the key HQ holds
    /// from its bundles. The device must be one HQ knows (a bundle of it was taken or refused)
    /// and the store one HQ knows or the device's bundles named. Enrolled for this store
    /// already, nothing is issued; enrolled for another, that certificate is revoked as
    /// replaced.
    ///
    /// Errors: [`CaProblem::NoCa`], [`CaProblem::UnknownDevice`],
    /// [`CaProblem::AmbiguousDevice`], [`CaProblem::UnknownStore`].
    pub fn enrol_device(&mut self, given: &str, store: &str) -> Result<EnrolledDevice> {
        let ca = self.chain_ca()?;
        let held = self.held_key(given)?;
        let store = store.trim();
        let known_store: bool = self
            .conn
            .query_row("SELECT 1 FROM store WHERE code = ?1", [store], |_| Ok(()))
            .optional()?
            .is_some();
        if store.is_empty() || !(known_store || held.stores_named.iter().any(|s| s == store)) {
            return Err(HqError::Ca(CaProblem::UnknownStore {
                code: store.to_string(),
            }));
        }
        let now = self.now();
        let active: Vec<(String, String, String)> = self
            .conn
            .prepare(
                "SELECT serial, store_code, not_after FROM ca_certificate
                 WHERE kind = 'device' AND key_sha256 = ?1 AND revoked_at IS NULL
                    AND not_after > ?2
                 ORDER BY created_at DESC, serial",
            )?
            .query_map(params![held.key_sha256, now], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<Result<_>>()?;
        let enrolled = |serial: String, until: String, issued, replaced| EnrolledDevice {
            device_id: held.device_id.clone(),
            name: held.name.clone(),
            fingerprint: held.key_sha256.clone(),
            fingerprint_shown: ca::fingerprint_shown(&held.key_sha256),
            store: store.to_string(),
            serial,
            until,
            issued,
            replaced,
        };
        if let Some((serial, _, until)) = active.iter().find(|(_, s, _)| s == store) {
            return Ok(enrolled(serial.clone(), until.clone(), false, Vec::new()));
        }
        let key = p256::ecdsa::VerifyingKey::from_public_key_pem(&held.public_key)
            .map_err(|e| HqError::Corrupt(format!("device {}'s key: {e}", held.device_id)))?;
        let cert = ca.issue_device(&key, &held.name, store, (self.clock)())?;
        let der = cert.to_der().map_err(|e| HqError::Corrupt(e.to_string()))?;
        let serial = ca::serial_hex(&cert);
        let (not_before, not_after) = crate::ca::validity(&cert);
        let replaced: Vec<String> = active.into_iter().map(|(s, _, _)| s).collect();
        let tx = self.conn.transaction()?;
        for old in &replaced {
            tx.execute(
                "UPDATE ca_certificate SET revoked_at = ?2, revoke_reason = 'replaced'
                 WHERE serial = ?1 AND revoked_at IS NULL",
                params![old, now],
            )?;
        }
        tx.execute(
            "INSERT INTO ca_certificate (id, serial, auditor, store_code, key_sha256, not_before,
                not_after, der, device_id, created_at, kind, for_device)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'device', ?11)",
            params![
                self.ids.next().to_string(),
                serial,
                held.name,
                store,
                held.key_sha256,
                not_before,
                not_after.clone(),
                der,
                self.device,
                now,
                held.device_id
            ],
        )?;
        tx.commit()?;
        Ok(enrolled(serial, not_after, true, replaced))
    }

    /// The key HQ holds for a device given by its key's fingerprint or its device id.
    fn held_key(&self, given: &str) -> Result<HeldKey> {
        let unknown = || {
            HqError::Ca(CaProblem::UnknownDevice {
                what: given.trim().to_string(),
            })
        };
        // (device id, name, key, public key, stores named JSON)
        type Row = (String, String, String, String, String);
        let read = |sql: &str, param: &str| -> Result<Vec<Row>> {
            self.conn
                .prepare(sql)?
                .query_map([param], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })?
                .collect::<Result<_>>()
        };
        let waiting_sql = "SELECT device_id, name, key_sha256, public_key, stores
                           FROM device_waiting WHERE ";
        let taken_sql = "SELECT id, name, key_id, public_key, '[]' FROM device
                         WHERE public_key IS NOT NULL AND ";
        let mut rows = if let Ok(id) = Uuid::parse_str(given.trim()) {
            let id = id.to_string();
            let mut rows = read(&format!("{waiting_sql}device_id = ?1"), &id)?;
            rows.extend(read(&format!("{taken_sql}id = ?1"), &id)?);
            rows
        } else if let Some(key) = typed_fingerprint(given) {
            let mut rows = read(&format!("{waiting_sql}key_sha256 = ?1"), &key)?;
            rows.extend(read(&format!("{taken_sql}key_id = ?1"), &key)?);
            rows
        } else {
            return Err(unknown());
        };
        let keys: BTreeSet<&str> = rows.iter().map(|r| r.2.as_str()).collect();
        if keys.len() > 1 {
            return Err(HqError::Ca(CaProblem::AmbiguousDevice {
                what: given.trim().to_string(),
            }));
        }
        // The waiting row first: the latest name and the stores its bundles named.
        let Some((device_id, name, key_sha256, public_key, stores)) =
            (!rows.is_empty()).then(|| rows.swap_remove(0))
        else {
            return Err(unknown());
        };
        Ok(HeldKey {
            device_id,
            name,
            key_sha256,
            public_key,
            stores_named: serde_json::from_str(&stores).unwrap_or_default(),
        })
    }
}

/// A device certificate's row.
struct CertRow {
    key: String,
    device_id: String,
    name: String,
    store: String,
    serial: String,
    until: String,
    revoked_at: Option<String>,
    reason: Option<String>,
}
