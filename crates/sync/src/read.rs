//! Reading a bundle as if it were hostile: every check runs before anything is returned, and
//! nothing is written anywhere.
//!
//! In order: the file's size; a readable ZIP; the number of entries, duplicate and unsafe
//! names, encryption; the manifest's format version (a newer bundle is refused as such, before
//! anything else is believed); the manifest's signature, then its kind and sequence number; the
//! archive's entries against the manifest's list, sizes as declared, then every entry read
//! (never more than its listed size) and hashed; the tables parsed line by line.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use storecheck_core::record::{ReportRecord, StandardRecord, StoreRecord};
use zip::ZipArchive;

use crate::manifest::{self, Envelope, FORMAT, KIND, MANIFEST, Manifest, SIGNATURE};
use crate::parcel::{Files, Parcel, Sent, Source};
use crate::refusal::{Problem, Refusal};
use crate::write::{AUDITS, FOLLOWUPS, STANDARDS, STORES, photo_entry, report_entry};

/// How large a bundle and its parts may be.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub bundle_bytes: u64,
    pub entries: usize,
    /// A photo or a PDF.
    pub file_bytes: u64,
    /// A table (`*.ndjson`).
    pub table_bytes: u64,
    pub manifest_bytes: u64,
    /// The highest number a device may give a bundle. HQ lists the numbers missing below a
    /// device's highest, so a number far beyond any a laptop reaches would have it list
    /// numbers without end.
    pub sequence: u64,
    /// A bundle whose entries together are at most this size is kept in memory once checked,
    /// so its photos and PDFs are not read and hashed a second time.
    pub keep_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            bundle_bytes: 16 << 30,
            entries: 200_000,
            file_bytes: 256 << 20,
            table_bytes: 1 << 30,
            manifest_bytes: 64 << 20,
            // A bundle an hour for a century.
            sequence: 1_000_000,
            keep_bytes: 256 << 20,
        }
    }
}

/// Reads and checks the bundle at `path`; `shown` is how the person named the file.
pub fn read_bundle(path: &Path, shown: &str, limits: Limits) -> Result<Parcel, Refusal> {
    open_bundle(path, shown, limits)?.read()
}

/// A bundle whose archive, names, format and manifest signature are checked, its entries not
/// yet read: what HQ needs to know whether it has this bundle already.
pub struct OpenBundle {
    zip: ZipArchive<BufReader<File>>,
    names: Vec<(String, u64)>,
    manifest: Manifest,
    /// SHA-256 of `manifest.json`: the bundle's identity.
    pub manifest_sha256: String,
    envelope: Envelope,
    key_id: String,
    shown: String,
    limits: Limits,
}

impl OpenBundle {
    /// The device that made it.
    pub fn device(&self) -> &crate::manifest::Device {
        &self.manifest.device
    }

    pub fn sequence(&self) -> u64 {
        self.manifest.sequence
    }

    /// How the person named the file.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// SHA-256 of the public key that signed the manifest, hex.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }
}

/// Opens the bundle at `path` and checks all but its entries' contents: the archive, every
/// name, the manifest's format and signature, its sequence number.
pub fn open_bundle(path: &Path, shown: &str, limits: Limits) -> Result<OpenBundle, Refusal> {
    let refuse = |problem| Refusal::new(shown, problem);
    let size = std::fs::metadata(path)
        .map_err(|e| {
            refuse(Problem::Unreadable {
                detail: e.to_string(),
            })
        })?
        .len();
    if size > limits.bundle_bytes {
        return Err(refuse(Problem::TooLarge {
            bytes: size,
            limit: limits.bundle_bytes,
        }));
    }
    let file = File::open(path).map_err(|e| {
        refuse(Problem::Unreadable {
            detail: e.to_string(),
        })
    })?;
    let mut zip = ZipArchive::new(BufReader::new(file)).map_err(|e| {
        refuse(Problem::NotABundle {
            detail: e.to_string(),
        })
    })?;
    if zip.len() > limits.entries {
        return Err(refuse(Problem::TooManyEntries {
            count: zip.len(),
            limit: limits.entries,
        }));
    }
    if zip.has_duplicate_names() {
        return Err(refuse(Problem::DuplicateNames));
    }
    let mut names = Vec::with_capacity(zip.len());
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| {
            refuse(Problem::NotABundle {
                detail: e.to_string(),
            })
        })?;
        let name = entry
            .name()
            .map_err(|e| {
                refuse(Problem::NotABundle {
                    detail: e.to_string(),
                })
            })?
            .into_owned();
        if !allowed_name(&name) {
            return Err(refuse(Problem::BadEntryName { name }));
        }
        if entry.encrypted() {
            return Err(refuse(Problem::Encrypted { name }));
        }
        names.push((name, entry.size()));
    }

    // The manifest: its format first, then its signature, then the rest of it.
    let manifest_bytes = read_entry(&mut zip, MANIFEST, limits.manifest_bytes, shown)?;
    #[derive(Deserialize)]
    struct Head {
        format: u32,
    }
    let head: Head = serde_json::from_slice(&manifest_bytes).map_err(|e| {
        refuse(Problem::ManifestUnreadable {
            detail: e.to_string(),
        })
    })?;
    if head.format > FORMAT {
        return Err(refuse(Problem::NewerFormat {
            found: head.format,
            supported: FORMAT,
        }));
    }
    let envelope_bytes = read_entry(&mut zip, SIGNATURE, limits.manifest_bytes, shown)?;
    let envelope: Envelope =
        serde_json::from_slice(&envelope_bytes).map_err(|_| refuse(Problem::BadSignature))?;
    let key_id = manifest::verify_manifest(&manifest_bytes, &envelope)
        .ok_or_else(|| refuse(Problem::BadSignature))?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes).map_err(|e| {
        refuse(Problem::ManifestUnreadable {
            detail: e.to_string(),
        })
    })?;
    if manifest.kind != KIND {
        return Err(refuse(Problem::ManifestUnreadable {
            detail: format!("kind {:?}", manifest.kind),
        }));
    }
    if !(1..=limits.sequence).contains(&manifest.sequence) {
        return Err(refuse(Problem::BadSequence {
            found: manifest.sequence,
            limit: limits.sequence,
        }));
    }
    Ok(OpenBundle {
        zip,
        names,
        manifest_sha256: manifest::sha256_hex(&manifest_bytes),
        manifest,
        envelope,
        key_id,
        shown: shown.to_string(),
        limits,
    })
}

impl OpenBundle {
    /// Reads every entry (never past its listed size), checks its size and hash, and parses
    /// the tables: the whole bundle, checked.
    pub fn read(self) -> Result<Parcel, Refusal> {
        let OpenBundle {
            mut zip,
            names,
            manifest,
            manifest_sha256,
            envelope,
            key_id,
            shown,
            limits,
        } = self;
        let shown = shown.as_str();
        let refuse = |problem| Refusal::new(shown, problem);
        // The archive holds exactly the manifest's entries, each of its listed size and hash.
        let mut listed = std::collections::BTreeMap::new();
        for e in &manifest.entries {
            if !allowed_name(&e.name) || e.name == MANIFEST || e.name == SIGNATURE {
                return Err(refuse(Problem::BadEntryName {
                    name: e.name.clone(),
                }));
            }
            if listed.insert(e.name.as_str(), e).is_some() {
                return Err(refuse(Problem::DuplicateNames));
            }
        }
        for (name, declared) in &names {
            if name == MANIFEST || name == SIGNATURE {
                continue;
            }
            let Some(entry) = listed.get(name.as_str()) else {
                return Err(refuse(Problem::UnlistedEntry { name: name.clone() }));
            };
            if *declared != entry.size {
                return Err(refuse(Problem::SizeMismatch {
                    name: name.clone(),
                    listed: entry.size,
                    found: *declared,
                }));
            }
        }
        for name in [MANIFEST, SIGNATURE]
            .into_iter()
            .chain(listed.keys().copied())
        {
            if !names.iter().any(|(n, _)| n == name) {
                return Err(refuse(Problem::MissingEntry {
                    name: name.to_string(),
                }));
            }
        }
        let mut tables = std::collections::BTreeMap::new();
        let keep_all = manifest
            .entries
            .iter()
            .map(|e| e.size)
            .try_fold(0u64, u64::checked_add)
            .is_some_and(|total| total <= limits.keep_bytes);
        let mut kept = std::collections::HashMap::new();
        for entry in &manifest.entries {
            let is_table = entry.name.ends_with(".ndjson");
            let limit = if is_table {
                limits.table_bytes
            } else {
                limits.file_bytes
            };
            if entry.size > limit {
                return Err(refuse(Problem::EntryTooLarge {
                    name: entry.name.clone(),
                    bytes: entry.size,
                    limit,
                }));
            }
            let mut reader = zip.by_name(&entry.name).map_err(|e| {
                refuse(Problem::NotABundle {
                    detail: e.to_string(),
                })
            })?;
            let (bytes, hash, count) = read_hashed(&mut reader, entry.size, is_table || keep_all)
                .map_err(|e| {
                refuse(Problem::NotABundle {
                    detail: format!("{}: {e}", entry.name),
                })
            })?;
            if count != entry.size {
                return Err(refuse(Problem::SizeMismatch {
                    name: entry.name.clone(),
                    listed: entry.size,
                    found: count,
                }));
            }
            if hash != entry.sha256 {
                return Err(refuse(Problem::HashMismatch {
                    name: entry.name.clone(),
                }));
            }
            if is_table {
                tables.insert(entry.name.clone(), bytes);
            } else if keep_all {
                kept.insert(entry.name.clone(), bytes);
            }
        }

        let stores: Vec<StoreRecord> = parse_table(&tables, STORES, shown)?;
        let standards: Vec<StandardRecord> = parse_table(&tables, STANDARDS, shown)?;
        let audits: Vec<Sent> = parse_table(&tables, AUDITS, shown)?;
        // Format 2 may carry follow-ups; format 1 never does.
        let followups = if tables.contains_key(FOLLOWUPS) {
            parse_table(&tables, FOLLOWUPS, shown)?
        } else {
            Vec::new()
        };
        let parcel = Parcel {
            file: shown.to_string(),
            source: Source::Bundle {
                device: manifest.device.clone(),
                sequence: manifest.sequence,
                previous: manifest.previous.clone(),
                manifest_sha256,
                key_id,
                public_key: envelope.public_key,
                created_at: manifest.created_at.clone(),
            },
            stores,
            standards,
            audits,
            followups,
            files: Box::new(BundleFiles {
                zip,
                manifest,
                kept,
                shown: shown.to_string(),
                limit: limits.file_bytes,
            }),
        };
        parcel.check()?;
        Ok(parcel)
    }
}

/// Names a bundle may hold: its manifest and signature, its three tables, photos named by
/// their hash and reports by their id. Nothing else, so nothing can point outside a folder.
fn allowed_name(name: &str) -> bool {
    if [MANIFEST, SIGNATURE, STORES, STANDARDS, AUDITS, FOLLOWUPS].contains(&name) {
        return true;
    }
    if let Some(rest) = name.strip_prefix("photos/")
        && let Some((sha, ext)) = rest.split_once('.')
    {
        return storecheck_core::photo::is_sha256(sha) && ["jpg", "png", "webp"].contains(&ext);
    }
    if let Some(id) = name
        .strip_prefix("reports/")
        .and_then(|r| r.strip_suffix(".pdf"))
    {
        return uuid::Uuid::parse_str(id).is_ok_and(|u| u.hyphenated().to_string() == id);
    }
    false
}

/// Reads a small entry whole, never more than `limit` bytes.
fn read_entry<R: Read + std::io::Seek>(
    zip: &mut ZipArchive<R>,
    name: &str,
    limit: u64,
    shown: &str,
) -> Result<Vec<u8>, Refusal> {
    let refuse = |problem| Refusal::new(shown, problem);
    let entry = zip.by_name(name).map_err(|_| {
        refuse(Problem::MissingEntry {
            name: name.to_string(),
        })
    })?;
    if entry.size() > limit {
        return Err(refuse(Problem::EntryTooLarge {
            name: name.to_string(),
            bytes: entry.size(),
            limit,
        }));
    }
    let mut bytes = Vec::new();
    entry.take(limit + 1).read_to_end(&mut bytes).map_err(|e| {
        refuse(Problem::NotABundle {
            detail: format!("{name}: {e}"),
        })
    })?;
    if bytes.len() as u64 > limit {
        return Err(refuse(Problem::EntryTooLarge {
            name: name.to_string(),
            bytes: bytes.len() as u64,
            limit,
        }));
    }
    Ok(bytes)
}

/// Reads at most `size + 1` bytes, hashing them; keeps them when `keep`.
fn read_hashed(
    reader: &mut impl Read,
    size: u64,
    keep: bool,
) -> std::io::Result<(Vec<u8>, String, u64)> {
    let mut hasher = Sha256::new();
    let mut kept = Vec::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut count = 0u64;
    let mut limited = reader.take(size + 1);
    loop {
        let n = limited.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        if keep {
            kept.extend_from_slice(&buf[..n]);
        }
        count += n as u64;
    }
    Ok((kept, manifest::hex(&hasher.finalize()), count))
}

fn parse_table<T: DeserializeOwned>(
    tables: &std::collections::BTreeMap<String, Vec<u8>>,
    name: &str,
    shown: &str,
) -> Result<Vec<T>, Refusal> {
    let Some(bytes) = tables.get(name) else {
        return Err(Refusal::new(
            shown,
            Problem::MissingEntry {
                name: name.to_string(),
            },
        ));
    };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Refusal::new(
            shown,
            Problem::BadRecord {
                entry: name.to_string(),
                line: 0,
                detail: e.to_string(),
            },
        )
    })?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            serde_json::from_str(line).map_err(|e| {
                Refusal::new(
                    shown,
                    Problem::BadRecord {
                        entry: name.to_string(),
                        line: i + 1,
                        detail: e.to_string(),
                    },
                )
            })
        })
        .collect()
}

/// A checked bundle's photos and PDFs: kept from the check when the bundle is small, else read
/// again on demand and hashed again as they are read (the file could have changed since).
struct BundleFiles {
    zip: ZipArchive<BufReader<File>>,
    manifest: Manifest,
    /// Entries kept, already checked against the manifest, by name.
    kept: std::collections::HashMap<String, Vec<u8>>,
    shown: String,
    limit: u64,
}

impl BundleFiles {
    fn entry(&mut self, name: &str, sha256: Option<&str>) -> Result<Option<Vec<u8>>, Refusal> {
        let Some(listed) = self.manifest.entries.iter().find(|e| e.name == name) else {
            return Ok(None);
        };
        let changed = || {
            Refusal::new(
                self.shown.clone(),
                Problem::FileChanged {
                    name: name.to_string(),
                },
            )
        };
        if let Some(bytes) = self.kept.remove(name) {
            if sha256.is_some_and(|s| s != listed.sha256) {
                return Err(changed());
            }
            return Ok(Some(bytes));
        }
        let size = listed.size.min(self.limit);
        let expected = listed.sha256.clone();
        let mut reader = self.zip.by_name(name).map_err(|_| changed())?;
        let (bytes, hash, count) = read_hashed(&mut reader, size, true).map_err(|_| changed())?;
        if hash != expected || count != listed.size || sha256.is_some_and(|s| s != hash) {
            return Err(changed());
        }
        Ok(Some(bytes))
    }
}

impl Files for BundleFiles {
    fn photo(&mut self, sha256: &str, format: &str) -> Result<Option<Vec<u8>>, Refusal> {
        self.entry(&photo_entry(sha256, format), Some(sha256))
    }

    fn report(&mut self, report: &ReportRecord) -> Result<Option<Vec<u8>>, Refusal> {
        self.entry(&report_entry(report.id), Some(&report.pdf_sha256))
    }
}
