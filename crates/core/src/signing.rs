//! Signed audits: recording the signed report (which locks the audit for good) and correcting a
//! signed audit by a new revision that points to it.
//!
//! Rendering and signing the PDF are storecheck-report's; this module stores the result. The
//! signed PDF is written beside the database (`reports/<id>.pdf`) and flushed before the row
//! that names it commits, so a signed audit always has its PDF.

use std::path::{Path, PathBuf};

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};
use ts_rs::TS;
use uuid::Uuid;

use crate::db::Db;
use crate::error::{Error, Invalid, Result};
use crate::i18n::Lang;
use crate::model::AuditStatus;
use crate::standard::parse_uuid;

/// What signing records besides the PDF.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub id: Uuid,
    pub signer: String,
    /// RFC 3339 UTC.
    pub signed_at: String,
    pub certificate_pem: String,
    pub lang: Lang,
    pub acknowledged_by: Option<String>,
    pub signature_png: Option<Vec<u8>>,
    pub acknowledgement_png: Option<Vec<u8>>,
}

/// A signed report as stored.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SignedReport {
    pub id: Uuid,
    pub audit_id: Uuid,
    pub signer: String,
    pub signed_at: String,
    pub acknowledged_by: Option<String>,
    pub pdf_sha256: String,
    #[ts(type = "number")]
    pub pdf_bytes: i64,
    /// Where the signed PDF is kept, beside the database.
    pub path: String,
}

/// The drawn signatures of a signed report, to render it again.
#[derive(Debug, Clone, Default)]
pub struct Drawn {
    pub signature_png: Option<Vec<u8>>,
    pub acknowledgement_png: Option<Vec<u8>>,
}

impl Db {
    /// The folder signed PDFs are kept in: `reports/` beside the database.
    pub fn reports_dir(&self) -> Result<PathBuf> {
        Ok(self
            .photo_store()?
            .root()
            .parent()
            .unwrap_or(Path::new("."))
            .join("reports"))
    }

    /// The folder the auditor's signing key and certificate are kept in: `keys/` beside the
    /// database.
    pub fn keys_dir(&self) -> Result<PathBuf> {
        Ok(self.reports_dir()?.with_file_name("keys"))
    }

    /// Where bundles sent to HQ's server are written first: `outbox/` beside the database.
    pub fn outbox_dir(&self) -> Result<PathBuf> {
        Ok(self.reports_dir()?.with_file_name("outbox"))
    }

    /// Stores a signed PDF and marks its completed audit signed, in one transaction; from then
    /// on nothing of the audit changes, whatever program writes to the database.
    ///
    /// Errors: [`Error::Locked`] unless the audit is completed (a draft must be completed
    /// first; a signed one stays as it is); [`Error::Io`] when the PDF cannot be written.
    pub fn record_signature(
        &mut self,
        audit: Uuid,
        report: &NewReport,
        pdf: &[u8],
    ) -> Result<SignedReport> {
        let h = self.audit_header(audit)?;
        if h.status != AuditStatus::Completed {
            return Err(Error::Locked {
                id: audit.to_string(),
                status: h.status,
            });
        }
        let dir = self.reports_dir()?;
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let path = dir.join(format!("{}.pdf", report.id));
        crate::files::write_new(&path, pdf, Some(self.device()), self.ids())?;
        let sha = crate::photo::hex(&Sha256::digest(pdf));
        // The status is checked again under the write lock: another process may have reopened
        // or signed the audit since.
        let written = self.atomically(|db| {
            let h = db.audit_header(audit)?;
            if h.status != AuditStatus::Completed {
                return Err(Error::Locked {
                    id: audit.to_string(),
                    status: h.status,
                });
            }
            db.write(|tx| {
            tx.execute(
                "INSERT INTO report (id, audit_id, signer, signed_at, certificate, lang, acknowledged_by,
                    signature_png, acknowledgement_png, pdf_sha256, pdf_bytes, device_id, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    report.id.to_string(),
                    audit.to_string(),
                    report.signer,
                    report.signed_at,
                    report.certificate_pem,
                    match report.lang {
                        Lang::En => "en",
                        Lang::Ru => "ru",
                    },
                    report.acknowledged_by,
                    report.signature_png,
                    report.acknowledgement_png,
                    sha,
                    pdf.len() as i64,
                    tx.device.to_string(),
                    tx.now
                ],
            )?;
            // Signed at is the audit's last change: the data its PDF carries says the same.
            let changed = crate::record::as_stored_time(&report.signed_at)
                .unwrap_or_else(|| tx.now.clone());
            tx.execute(
                "UPDATE audit SET status = 'signed', updated_at = ?2 WHERE id = ?1",
                params![audit.to_string(), changed],
            )?;
            Ok(())
        })
        });
        if let Err(e) = written {
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
        self.signed_report(audit)?.ok_or_else(|| Error::NotFound {
            what: crate::error::Entity::SignedReport,
            key: audit.to_string(),
        })
    }

    /// The signed report of an audit, if it is signed.
    pub fn signed_report(&self, audit: Uuid) -> Result<Option<SignedReport>> {
        let row = self
            .conn
            .query_row(
                "SELECT id, signer, signed_at, acknowledged_by, pdf_sha256, pdf_bytes
                 FROM report WHERE audit_id = ?1",
                [audit.to_string()],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, i64>(5)?,
                    ))
                },
            )
            .optional()?;
        row.map(
            |(id, signer, signed_at, acknowledged_by, pdf_sha256, pdf_bytes)| {
                let dir = self.reports_dir()?;
                Ok(SignedReport {
                    path: dir.join(format!("{id}.pdf")).display().to_string(),
                    id: parse_uuid(&id)?,
                    audit_id: audit,
                    signer,
                    signed_at,
                    acknowledged_by,
                    pdf_sha256,
                    pdf_bytes,
                })
            },
        )
        .transpose()
    }

    /// The signed PDF of an audit, checked against the hash recorded when it was signed.
    ///
    /// Errors: [`Error::NotFound`] when the audit is not signed; [`Error::Corrupt`] when the
    /// file is missing or its bytes changed.
    pub fn signed_pdf(&self, audit: Uuid) -> Result<Vec<u8>> {
        let Some(report) = self.signed_report(audit)? else {
            let status = self.audit_header(audit)?.status;
            return Err(Invalid::NoSignedReport {
                audit: audit.to_string(),
                status,
            }
            .into());
        };
        let bytes = std::fs::read(&report.path).map_err(|e| Error::io(&report.path, e))?;
        if crate::photo::hex(&Sha256::digest(&bytes)) != report.pdf_sha256 {
            return Err(Invalid::ReportChanged {
                path: report.path.clone(),
            }
            .into());
        }
        Ok(bytes)
    }

    /// The auditor's drawn signature on an audit's signed report: the PNG kept when it was signed.
    pub fn drawn_signature(&self, audit: Uuid) -> Result<Option<Vec<u8>>> {
        Ok(self
            .conn
            .query_row(
                "SELECT signature_png FROM report WHERE audit_id = ?1",
                [audit.to_string()],
                |r| r.get::<_, Option<Vec<u8>>>(0),
            )
            .optional()?
            .flatten())
    }

    /// The audit whose signed report has exactly these bytes, when it was signed in this database.
    pub fn audit_of_report(&self, pdf: &[u8]) -> Result<Option<Uuid>> {
        let hash = crate::photo::hex(&Sha256::digest(pdf));
        self.conn
            .query_row(
                "SELECT audit_id FROM report WHERE pdf_sha256 = ?1",
                [hash],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .map(|id| parse_uuid(&id))
            .transpose()
    }

    /// The audit started as a revision of `audit`, if any.
    pub fn revised_by(&self, audit: Uuid) -> Result<Option<Uuid>> {
        self.conn
            .query_row(
                "SELECT id FROM audit WHERE revision_of = ?1 ORDER BY id LIMIT 1",
                [audit.to_string()],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .map(|id| parse_uuid(&id))
            .transpose()
    }

    /// Starts a new draft that corrects a signed audit: the same store, shift, standard and
    /// auditor, with its answers, photos and corrective actions copied; it points to the signed
    /// audit and says why. The signed audit stays as it is.
    ///
    /// Errors: [`Error::InvalidInput`] for an empty reason or an audit that is not signed.
    pub fn revise_audit(&mut self, audit: Uuid, reason: &str) -> Result<Uuid> {
        // "Is it signed, has it a revision already" are checked under the write lock that then
        // writes the revision, so two processes cannot both revise it.
        self.atomically(|db| db.revise_checked(audit, reason))
    }

    fn revise_checked(&mut self, audit: Uuid, reason: &str) -> Result<Uuid> {
        let reason = reason.trim().to_string();
        if reason.is_empty() {
            return Err(Invalid::NoRevisionReason.into());
        }
        let h = self.audit_header(audit)?;
        if h.status != AuditStatus::Signed {
            return Err(Invalid::RevisionOfUnsigned.into());
        }
        if let Some(existing) = self.revised_by(audit)? {
            return Err(Invalid::AlreadyRevised {
                audit: audit.to_string(),
                revision: existing.to_string(),
            }
            .into());
        }
        let new_id = self.new_id();
        let ids: Vec<(String, String)> = {
            let mut stmt = self
                .conn
                .prepare("SELECT id, 'answer' FROM answer WHERE audit_id = ?1 UNION ALL SELECT id, 'photo' FROM photo WHERE audit_id = ?1 UNION ALL SELECT id, 'action' FROM corrective_action WHERE audit_id = ?1")?;
            stmt.query_map([audit.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?
        };
        let fresh: Vec<(String, String, String)> = ids
            .into_iter()
            .map(|(old, kind)| (old, kind, self.new_id().to_string()))
            .collect();
        self.write(|tx| {
            let (old, new) = (audit.to_string(), new_id.to_string());
            let dev = tx.device.to_string();
            tx.execute(
                "INSERT INTO audit (id, store_id, standard_id, shift_date, shift, auditor, observed, status,
                    revision_of, revision_reason, device_id, created_at, updated_at)
                 SELECT ?2, store_id, standard_id, shift_date, shift, auditor, observed, 'draft', ?1, ?3, ?4, ?5, ?5
                 FROM audit WHERE id = ?1",
                params![old, new, reason, dev, tx.now],
            )?;
            for (old_row, kind, new_row) in &fresh {
                let sql = match kind.as_str() {
                    "answer" => "INSERT INTO answer (id, audit_id, requirement_id, response, value, text, note, device_id, created_at, updated_at)
                                 SELECT ?2, ?3, requirement_id, response, value, text, note, ?4, ?5, ?5 FROM answer WHERE id = ?1",
                    "photo" => "INSERT INTO photo (id, audit_id, requirement_id, sha256, file_name, caption, device_id, created_at, updated_at)
                                SELECT ?2, ?3, requirement_id, sha256, file_name, caption, ?4, ?5, ?5 FROM photo WHERE id = ?1",
                    _ => "INSERT INTO corrective_action (id, audit_id, requirement_id, what, owner, due, device_id, created_at, updated_at)
                          SELECT ?2, ?3, requirement_id, what, owner, due, ?4, ?5, ?5 FROM corrective_action WHERE id = ?1",
                };
                tx.execute(sql, params![old_row, new_row, new, dev, tx.now])?;
            }
            Ok(())
        })?;
        Ok(new_id)
    }
}
