//! The store exports: every completed or signed audit not yet sent (or all of them) into one
//! signed bundle, then remembers what it carried. Nothing at the store is deleted or hidden.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use storecheck_core::audit::AuditSummary;
use storecheck_core::followup::Followup;
use storecheck_core::outbox::SentBundle;
use storecheck_core::outbox::{Due, NewBundle};
use storecheck_core::photo::{Format, PhotoStore, Variant};
use storecheck_core::{Db, Error, Result};
use ts_rs::TS;

use crate::manifest::{Device, DeviceKey};
use crate::parcel::Sent;
use crate::write::{Contents, Header, write_bundle};

/// What `sync export` did.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ExportOutcome {
    /// The bundle written; `None` when nothing was due.
    pub file: Option<String>,
    pub audits: usize,
    /// Follow-ups of corrective actions carried.
    pub followups: usize,
    pub photos: usize,
    #[ts(type = "number")]
    pub bytes: u64,
    /// The bundle's number in this device's sequence; `None` when nothing was written.
    #[ts(type = "number | null")]
    pub sequence: Option<u64>,
    /// Photos whose original file is missing beside the database: their rows travel, the
    /// files cannot.
    pub missing_photos: Vec<String>,
}

/// Reads the audits `due` and everything they need (their standards, stores, photo originals,
/// signed PDFs), and the `followups` with their proof photos, from `db`, the files from beside the database file `beside` (the database's
/// own folder when `None`). Photo files missing on disk are listed, not fatal.
pub fn collect(
    db: &Db,
    due: &[Due],
    followups: &[Followup],
    beside: Option<&Path>,
) -> Result<(Contents, Vec<String>)> {
    let mut contents = Contents::default();
    let mut stores = BTreeMap::new();
    let mut standards = BTreeMap::new();
    let mut photos = BTreeMap::new();
    let mut missing = Vec::new();
    let (photo_store, reports_dir) = match beside {
        Some(file) => (
            Some(PhotoStore::beside(file)),
            Some(file.parent().unwrap_or(Path::new(".")).join("reports")),
        ),
        None => (db.photo_store().ok().cloned(), db.reports_dir().ok()),
    };
    for d in due {
        let audit = db.audit_record(d.id)?;
        stores.insert(audit.store.code.clone(), audit.store.clone());
        if let std::collections::btree_map::Entry::Vacant(e) = standards.entry(audit.standard_id) {
            e.insert(db.standard_record(audit.standard_id)?);
        }
        for p in &audit.photos {
            if photos.contains_key(&p.sha256) {
                continue;
            }
            let path = photo_store.as_ref().and_then(|s| {
                Format::parse(&p.format).map(|f| s.path(&p.sha256, Variant::Original(f)))
            });
            match path.filter(|p| p.exists()) {
                Some(path) => {
                    photos.insert(p.sha256.clone(), (p.format.clone(), path));
                }
                None => missing.push(p.sha256.clone()),
            }
        }
        let report = db.report_record(d.id)?;
        if let Some(r) = &report {
            let dir = reports_dir
                .clone()
                .unwrap_or_else(|| PathBuf::from("reports"));
            contents
                .reports
                .push((r.id, dir.join(format!("{}.pdf", r.id))));
        }
        contents.audits.push(Sent { audit, report });
    }
    for f in followups {
        if let (Some(sha), Some(format)) = (&f.photo_sha256, &f.photo_format) {
            if photos.contains_key(sha) {
                continue;
            }
            let path = photo_store
                .as_ref()
                .and_then(|s| Format::parse(format).map(|x| s.path(sha, Variant::Original(x))));
            match path.filter(|p| p.exists()) {
                Some(path) => {
                    photos.insert(sha.clone(), (format.clone(), path));
                }
                None => missing.push(sha.clone()),
            }
        }
    }
    contents.followups = followups.to_vec();
    contents.stores = stores.into_values().collect();
    contents.standards = standards.into_values().collect();
    contents.photos = photos
        .into_iter()
        .map(|(sha, (format, path))| (sha, format, path))
        .collect();
    Ok((contents, missing))
}

/// Exports a bundle into `out_dir`: the audits not yet sent (all completed and signed ones
/// with `all`), signed with `key`. Writes nothing when nothing is due.
///
/// The file is whole under its name before the database records it as sent; a kill in
/// between leaves a bundle HQ can import and the audits still due here, so the next export
/// carries them again (HQ takes them once).
pub fn export(db: &mut Db, out_dir: &Path, all: bool, key: &DeviceKey) -> Result<ExportOutcome> {
    let due = db.audits_to_send(all)?;
    let followups = db.followups_to_send(all)?;
    if due.is_empty() && followups.is_empty() {
        return Ok(ExportOutcome {
            file: None,
            audits: 0,
            followups: 0,
            photos: 0,
            bytes: 0,
            sequence: None,
            missing_photos: Vec::new(),
        });
    }
    let (contents, missing_photos) = collect(db, &due, &followups, None)?;
    let (last, previous) = match db.last_bundle()? {
        Some((n, sha)) => (n, Some(sha)),
        None => (0, None),
    };
    let sequence = last + 1;
    let header = Header {
        device: Device {
            id: db.device(),
            name: db.device_name()?,
        },
        sequence: sequence as u64,
        previous,
        created_at: db.now(),
    };
    let temp = format!(
        "{}{}",
        storecheck_core::files::temp_prefix(db.device()),
        db.ids().next()
    );
    let written =
        write_bundle(out_dir, &header, &contents, key, &temp).map_err(|e| Error::io(out_dir, e))?;
    let file_name = written
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    db.record_bundle(&NewBundle {
        sequence,
        file_name: &file_name,
        folder: &out_dir.display().to_string(),
        manifest_sha256: &written.manifest_sha256,
        audits: &due,
        followups: &followups.iter().map(|f| f.id).collect::<Vec<_>>(),
        photos: written.photos as u32,
        bytes: written.bytes as i64,
    })?;
    Ok(ExportOutcome {
        file: Some(written.path.display().to_string()),
        audits: due.len(),
        followups: followups.len(),
        photos: written.photos,
        bytes: written.bytes,
        sequence: Some(sequence as u64),
        missing_photos,
    })
}

/// What the "Send to HQ" screen shows: what the next bundle will carry, the bundles written
/// so far, and how many drafts stay behind (drafts are never sent).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Outbox {
    pub to_send: Vec<AuditSummary>,
    pub bundles: Vec<SentBundle>,
    pub drafts: u32,
}

/// The store's outbox, as [`Outbox`] says.
pub fn outbox(db: &Db) -> Result<Outbox> {
    let audits = db.list_audits()?;
    let drafts = audits
        .iter()
        .filter(|a| a.status == storecheck_core::model::AuditStatus::Draft)
        .count() as u32;
    Ok(Outbox {
        to_send: audits.into_iter().filter(|a| a.to_send).collect(),
        bundles: db.sent_bundles()?,
        drafts,
    })
}
