//! A bundle's manifest (`manifest.json`) and its signature (`manifest.sig`).
//!
//! The manifest names the format, the device, its sequence number and the previous bundle's
//! hash, and gives the size and SHA-256 of every other entry. It is signed as the exact bytes
//! in the archive, in a DSSE envelope (the payload type and the bytes, length-prefixed; no
//! canonical JSON needed), with the device's P-256 key.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;
use uuid::Uuid;

/// The newest bundle format this program writes and reads. Format 2 adds `followups.ndjson`
/// (corrective actions followed up); a bundle without follow-ups is still written as format 1,
/// so an HQ not yet updated takes it.
pub const FORMAT: u32 = 2;
/// The format of a bundle that carries no follow-ups.
pub const FORMAT_WITHOUT_FOLLOWUPS: u32 = 1;
/// `kind` of every bundle's manifest.
pub const KIND: &str = "storecheck-sync-bundle";
/// The DSSE payload type of a signed manifest.
pub const PAYLOAD_TYPE: &str = "application/vnd.storecheck.bundle-manifest+json";

pub const MANIFEST: &str = "manifest.json";
pub const SIGNATURE: &str = "manifest.sig";

/// The device that made a bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Device {
    pub id: Uuid,
    pub name: String,
}

/// One entry of the archive other than the manifest and its signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub name: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`] when written; a reader refuses a newer one.
    pub format: u32,
    /// [`KIND`].
    pub kind: String,
    /// The StoreCheck version that wrote it, for people reading the file.
    pub app_version: String,
    pub device: Device,
    /// 1 for a device's first bundle, then one more for each.
    pub sequence: u64,
    /// SHA-256 of the previous bundle's `manifest.json`; `None` for the first.
    pub previous: Option<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
    pub entries: Vec<Entry>,
}

/// `manifest.sig`: a DSSE envelope without its payload (the payload is `manifest.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    /// The device's public key, SubjectPublicKeyInfo PEM.
    pub public_key: String,
    pub signatures: Vec<EnvelopeSignature>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvelopeSignature {
    /// SHA-256 of the public key's DER, hex.
    pub keyid: String,
    /// ECDSA P-256 over SHA-256 of the PAE, DER, base64.
    pub sig: String,
}

/// DSSE's pre-authentication encoding: what is signed.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The device's signing key: P-256, kept as `keys/device-key.pem` beside the store database,
/// readable by its owner only, made on first export.
pub struct DeviceKey {
    key: SigningKey,
}

/// The device key's file name in the keys folder.
pub const DEVICE_KEY_FILE: &str = "device-key.pem";

impl DeviceKey {
    /// The key in `keys_dir`, made there when there is none. An unreadable key file is an
    /// error, never replaced.
    pub fn load_or_create(
        keys_dir: &Path,
        ids: &storecheck_core::ids::Ids,
    ) -> storecheck_core::Result<DeviceKey> {
        let path = keys_dir.join(DEVICE_KEY_FILE);
        if !path.exists() {
            let key = SigningKey::random(&mut rand_core::OsRng);
            let pem = key
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(|e| key_file_error(&path, &e.to_string()))?;
            storecheck_core::files::write_durably_private(&path, pem.as_bytes(), ids)?;
        }
        let pem =
            std::fs::read_to_string(&path).map_err(|e| storecheck_core::Error::io(&path, e))?;
        let key =
            SigningKey::from_pkcs8_pem(&pem).map_err(|e| key_file_error(&path, &e.to_string()))?;
        Ok(DeviceKey { key })
    }

    /// A key from its secret bytes, for tests and benchmarks.
    pub fn from_seed(seed: [u8; 32]) -> Option<DeviceKey> {
        SigningKey::from_bytes(&seed.into())
            .ok()
            .map(|key| DeviceKey { key })
    }

    pub fn public_pem(&self) -> String {
        VerifyingKey::from(&self.key)
            .to_public_key_pem(LineEnding::LF)
            .unwrap_or_default()
    }

    /// SHA-256 of the public key's DER, hex.
    pub fn key_id(&self) -> String {
        key_id(&VerifyingKey::from(&self.key))
    }

    /// The signature file for `manifest` (its exact bytes).
    pub fn sign_manifest(&self, manifest: &[u8]) -> Envelope {
        let sig: Signature = self.key.sign(&pae(PAYLOAD_TYPE, manifest));
        Envelope {
            payload_type: PAYLOAD_TYPE.to_string(),
            public_key: self.public_pem(),
            signatures: vec![EnvelopeSignature {
                keyid: self.key_id(),
                sig: BASE64.encode(sig.to_der().as_bytes()),
            }],
        }
    }
}

fn key_id(key: &VerifyingKey) -> String {
    key.to_public_key_der()
        .map(|d| sha256_hex(d.as_bytes()))
        .unwrap_or_default()
}

fn key_file_error(path: &Path, detail: &str) -> storecheck_core::Error {
    storecheck_core::Error::SigningFile {
        path: path.display().to_string(),
        en: format!("the device key cannot be used ({detail}); it was left as it is"),
        ru: format!("ключ устройства нельзя использовать ({detail}); файл оставлен как есть"),
    }
}

/// Checks `envelope` signs `manifest`; returns the key id of the key that signed it.
pub fn verify_manifest(manifest: &[u8], envelope: &Envelope) -> Option<String> {
    if envelope.payload_type != PAYLOAD_TYPE {
        return None;
    }
    let key = VerifyingKey::from_public_key_pem(&envelope.public_key).ok()?;
    let id = key_id(&key);
    let message = pae(PAYLOAD_TYPE, manifest);
    envelope
        .signatures
        .iter()
        .filter(|s| s.keyid == id)
        .find_map(|s| {
            let der = BASE64.decode(&s.sig).ok()?;
            let sig = Signature::from_der(&der).ok()?;
            key.verify(&message, &sig).ok()
        })
        .map(|()| id)
}
