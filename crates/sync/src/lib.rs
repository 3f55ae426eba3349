//! storecheck-sync: what a store sends to headquarters, as one signed file.
//!
//! A sync bundle is a ZIP anyone can list with `unzip -l`: `stores.ndjson`, `standards.ndjson`
//! and `audits.ndjson` (one JSON record per line, [`storecheck_core::record`]), the photo
//! originals under `photos/<sha256>.<ext>`, the signed PDFs under `reports/<id>.pdf`, and
//! `manifest.json` (format, device, sequence number, previous bundle's hash, size and SHA-256
//! of every entry) signed as exact bytes by the device's P-256 key in `manifest.sig`.
//!
//! - [`export::export`]: the store's side: what is not yet sent, into a bundle, remembered.
//! - [`read::read_bundle`]: HQ's side: a bundle checked whole (names, sizes, format, signature,
//!   every hash) before anything is believed; [`store_db::read_store_database`] reads a store's
//!   database file into the same [`Parcel`].
//! - [`Refusal`]: why a file is refused, in both languages.

pub mod export;
pub mod manifest;
pub mod package;
pub mod parcel;
pub mod pdf;
pub mod push;
pub mod read;
pub mod refusal;
pub mod store_db;
pub mod tls;
pub mod write;

pub use manifest::DeviceKey;
pub use parcel::{Files, Parcel, Sent, Source};
pub use refusal::{Problem, Refusal};
