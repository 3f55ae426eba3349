//! Writing a bundle: a ZIP with three NDJSON tables, the photo originals and signed PDFs
//! (stored as they are: they are compressed already), the manifest and its signature.
//!
//! The archive is written under a temporary name in the target folder, flushed, and only then
//! renamed to its final name, so a kill or a pulled stick never leaves half a bundle under a
//! bundle's name.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};
use storecheck_core::record::{StandardRecord, StoreRecord};
use uuid::Uuid;
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

use crate::manifest::{
    self, Device, DeviceKey, Entry, FORMAT, KIND, MANIFEST, Manifest, SIGNATURE,
};
use crate::parcel::Sent;

pub const STORES: &str = "stores.ndjson";
pub const STANDARDS: &str = "standards.ndjson";
pub const AUDITS: &str = "audits.ndjson";
/// Format 2: corrective actions' follow-ups.
pub const FOLLOWUPS: &str = "followups.ndjson";

/// The entry of a photo original: `photos/<sha256>.jpg`.
pub fn photo_entry(sha256: &str, format: &str) -> String {
    let ext = storecheck_core::photo::Format::parse(format)
        .map_or("jpg", storecheck_core::photo::Format::extension);
    format!("photos/{sha256}.{ext}")
}

/// The entry of a signed report: `reports/<report id>.pdf`.
pub fn report_entry(report: Uuid) -> String {
    format!("reports/{report}.pdf")
}

/// What goes into a bundle.
#[derive(Debug, Default)]
pub struct Contents {
    pub stores: Vec<StoreRecord>,
    pub standards: Vec<StandardRecord>,
    pub audits: Vec<Sent>,
    /// Follow-ups of signed audits' corrective actions (format 2; none in format 1).
    pub followups: Vec<storecheck_core::followup::Followup>,
    /// Photo originals: hash, format, where the file is.
    pub photos: Vec<(String, String, PathBuf)>,
    /// Signed PDFs: report id, where the file is.
    pub reports: Vec<(Uuid, PathBuf)>,
}

/// The bundle's place in its device's sequence.
#[derive(Debug, Clone)]
pub struct Header {
    pub device: Device,
    pub sequence: u64,
    pub previous: Option<String>,
    pub created_at: String,
}

/// A bundle written.
#[derive(Debug, Clone)]
pub struct Written {
    pub path: PathBuf,
    pub manifest_sha256: String,
    pub bytes: u64,
    pub photos: usize,
}

/// The file name of a bundle: `storecheck-<device>-<sequence>.zip`, the device by the last
/// eight digits of its id: a UUID v7 begins with the time it was made, so two laptops set up
/// the same day share their first digits, never their random last ones.
pub fn bundle_name(device: Uuid, sequence: u64) -> String {
    let hex = device.simple().to_string();
    format!("storecheck-{}-{sequence:06}.zip", &hex[hex.len() - 8..])
}

/// Writes the bundle into `dir` (temporary name `temp_name` there first) and returns it.
pub fn write_bundle(
    dir: &Path,
    header: &Header,
    contents: &Contents,
    key: &DeviceKey,
    temp_name: &str,
) -> std::io::Result<Written> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(bundle_name(header.device.id, header.sequence));
    let tmp = dir.join(temp_name);
    let result = write_to(&tmp, header, contents, key).and_then(|(manifest_sha256, photos)| {
        std::fs::rename(&tmp, &path)?;
        if let Ok(folder) = File::open(dir) {
            let _ = folder.sync_all();
        }
        let bytes = std::fs::metadata(&path)?.len();
        Ok(Written {
            path: path.clone(),
            manifest_sha256,
            bytes,
            photos,
        })
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn write_to(
    tmp: &Path,
    header: &Header,
    contents: &Contents,
    key: &DeviceKey,
) -> std::io::Result<(String, usize)> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(tmp)?;
    let mut zip = ZipWriter::new(BufWriter::new(file));
    let time = zip::DateTime::default();
    let deflated = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(time)
        .unix_permissions(0o644)
        .large_file(true);
    let stored = deflated.compression_method(zip::CompressionMethod::Stored);
    let mut entries = Vec::new();

    let mut tables = vec![
        (STORES, ndjson(&contents.stores)?),
        (STANDARDS, ndjson(&contents.standards)?),
        (AUDITS, ndjson(&contents.audits)?),
    ];
    if !contents.followups.is_empty() {
        tables.push((FOLLOWUPS, ndjson(&contents.followups)?));
    }
    for (name, bytes) in tables {
        zip.start_file(name, deflated)?;
        zip.write_all(&bytes)?;
        entries.push(Entry {
            name: name.to_string(),
            size: bytes.len() as u64,
            sha256: manifest::sha256_hex(&bytes),
        });
    }
    let mut photos = 0;
    let mut files: Vec<(String, &Path)> = Vec::new();
    for (sha, format, path) in &contents.photos {
        files.push((photo_entry(sha, format), path));
    }
    for (id, path) in &contents.reports {
        files.push((report_entry(*id), path));
    }
    for (name, path) in files {
        zip.start_file(name.as_str(), stored)?;
        let (size, sha256) = copy_hashed(&mut File::open(path)?, &mut zip)?;
        if name.starts_with("photos/") {
            photos += 1;
        }
        entries.push(Entry { name, size, sha256 });
    }
    let manifest = Manifest {
        format: if contents.followups.is_empty() {
            manifest::FORMAT_WITHOUT_FOLLOWUPS
        } else {
            FORMAT
        },
        kind: KIND.to_string(),
        app_version: env!("CARGO_PKG_VERSION").to_string(),
        device: header.device.clone(),
        sequence: header.sequence,
        previous: header.previous.clone(),
        created_at: header.created_at.clone(),
        entries,
    };
    let manifest_bytes = serde_json::to_vec_pretty(&manifest).map_err(std::io::Error::other)?;
    let envelope = key.sign_manifest(&manifest_bytes);
    let envelope_bytes = serde_json::to_vec_pretty(&envelope).map_err(std::io::Error::other)?;
    zip.start_file(MANIFEST, stored)?;
    zip.write_all(&manifest_bytes)?;
    zip.start_file(SIGNATURE, stored)?;
    zip.write_all(&envelope_bytes)?;
    let mut out = zip.finish().map_err(std::io::Error::other)?;
    out.flush()?;
    out.get_ref().sync_all()?;
    Ok((manifest::sha256_hex(&manifest_bytes), photos))
}

fn ndjson<T: Serialize>(rows: &[T]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    for row in rows {
        serde_json::to_writer(&mut out, row).map_err(std::io::Error::other)?;
        out.push(b'\n');
    }
    Ok(out)
}

fn copy_hashed(from: &mut impl Read, to: &mut impl Write) -> std::io::Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = from.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        to.write_all(&buf[..n])?;
        size += n as u64;
    }
    Ok((size, manifest::hex(&hasher.finalize())))
}

#[cfg(test)]
mod tests {
    #[test]
    fn two_laptops_set_up_the_same_hour_name_their_bundles_apart() {
        let a = uuid::Uuid::parse_str("01a233b4-b690-75c9-a643-280a39f14952").expect("uuid");
        let b = uuid::Uuid::parse_str("01a233b4-c1d2-7aa1-9b2e-55f0c3d4e5f6").expect("uuid");
        assert_eq!(super::bundle_name(a, 7), "storecheck-39f14952-000007.zip");
        assert_ne!(super::bundle_name(a, 1), super::bundle_name(b, 1));
    }
}
