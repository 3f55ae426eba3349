//! A store's whole database file, copied from its laptop with `photos/` and `reports/` beside
//! it, read as HQ reads a bundle: every completed and signed audit, with what it needs.
//!
//! The file itself is never opened for writing: it is copied into a work folder first, and the
//! copy is upgraded to this program's schema if it is older.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use storecheck_core::Db;
use storecheck_core::db::Inputs;
use storecheck_core::record::ReportRecord;

use crate::export::collect;
use crate::manifest::{Device, hex};
use crate::parcel::{Files, Parcel, Source};
use crate::refusal::{Problem, Refusal};

/// Reads the store database at `path` (`shown` is how the person named it), working on a copy
/// in `work_dir`.
pub fn read_store_database(
    path: &Path,
    shown: &str,
    inputs: Inputs,
    work_dir: &Path,
) -> Result<Parcel, Refusal> {
    let refuse = |problem| Refusal::new(shown, problem);
    let not_ours = |detail: String| refuse(Problem::NotAStoreDatabase { detail });
    let mut head = [0u8; 16];
    {
        use std::io::Read;
        let mut f = std::fs::File::open(path).map_err(|e| {
            refuse(Problem::Unreadable {
                detail: e.to_string(),
            })
        })?;
        f.read_exact(&mut head)
            .map_err(|_| not_ours("too short to be a database".into()))?;
    }
    if &head != b"SQLite format 3\0" {
        return Err(not_ours("not an SQLite database".into()));
    }
    std::fs::create_dir_all(work_dir).map_err(|e| {
        refuse(Problem::Unreadable {
            detail: e.to_string(),
        })
    })?;
    let copy = work_dir.join("store.db");
    let copy_file = |from: &Path, to: &Path| {
        std::fs::copy(from, to).map_err(|e| {
            refuse(Problem::Unreadable {
                detail: e.to_string(),
            })
        })
    };
    copy_file(path, &copy)?;
    let wal = with_suffix(path, "-wal");
    if wal.exists() {
        copy_file(&wal, &with_suffix(&copy, "-wal"))?;
    }
    let db =
        Db::open(&copy, inputs).map_err(|e| not_ours(e.headline(storecheck_core::Lang::En)))?;
    let read = || -> storecheck_core::Result<_> {
        let due = db.audits_to_send(true)?;
        let followups = db.followups_to_send(true)?;
        let (contents, _missing) = collect(&db, &due, &followups, Some(path))?;
        Ok((db.device(), db.device_name()?, contents))
    };
    let (device, name, contents) =
        read().map_err(|e| not_ours(e.headline(storecheck_core::Lang::En)))?;
    let parcel = Parcel {
        file: shown.to_string(),
        source: Source::StoreDatabase {
            device: Device { id: device, name },
        },
        stores: contents.stores,
        standards: contents.standards,
        audits: contents.audits,
        followups: contents.followups,
        files: Box::new(DiskFiles {
            shown: shown.to_string(),
            photos: contents
                .photos
                .into_iter()
                .map(|(sha, _, p)| (sha, p))
                .collect(),
            reports: contents.reports.into_iter().collect(),
        }),
    };
    parcel.check()?;
    Ok(parcel)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Photo originals and signed PDFs read from disk, checked against their hashes as they are
/// read.
pub(crate) struct DiskFiles {
    pub shown: String,
    pub photos: HashMap<String, PathBuf>,
    pub reports: HashMap<uuid::Uuid, PathBuf>,
}

impl DiskFiles {
    fn read(&self, path: &Path, sha256: &str) -> Result<Option<Vec<u8>>, Refusal> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(Refusal::new(
                    self.shown.clone(),
                    Problem::Unreadable {
                        detail: format!("{}: {e}", path.display()),
                    },
                ));
            }
        };
        if hex(&Sha256::digest(&bytes)) != sha256 {
            return Err(Refusal::new(
                self.shown.clone(),
                Problem::FileChanged {
                    name: path.display().to_string(),
                },
            ));
        }
        Ok(Some(bytes))
    }
}

impl Files for DiskFiles {
    fn photo(&mut self, sha256: &str, _format: &str) -> Result<Option<Vec<u8>>, Refusal> {
        match self.photos.get(sha256) {
            Some(p) => self.read(&p.clone(), sha256),
            None => Ok(None),
        }
    }

    fn report(&mut self, report: &ReportRecord) -> Result<Option<Vec<u8>>, Refusal> {
        match self.reports.get(&report.id) {
            Some(p) => self.read(&p.clone(), &report.pdf_sha256),
            None => Ok(None),
        }
    }
}
