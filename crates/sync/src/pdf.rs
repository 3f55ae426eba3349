//! A signed report PDF received on its own (by email): the audit's data it carries under its
//! signature is enough for HQ to import that audit, photo files aside.

use std::path::Path;

use sha2::{Digest, Sha256};
use storecheck_core::model::AuditStatus;
use storecheck_core::record::{ReportRecord, SignedAuditData, as_stored_time};

use crate::manifest::hex;
use crate::parcel::{Files, Parcel, Sent, Source};
use crate::refusal::{Problem, Refusal};

/// The largest PDF read (a report with many photos is a few megabytes).
pub const MAX_PDF_BYTES: u64 = 512 << 20;

/// The audit data a signed PDF carries, from the revision its signature covers; `None` for a
/// report signed before reports carried their data; `Err` (why, in English) for data that
/// cannot be read.
pub fn signed_data(pdf: &[u8]) -> Result<Option<SignedAuditData>, String> {
    storecheck_report::embedded_data(pdf).map_err(|e| e.to_string())
}

/// Reads a signed PDF into a parcel of its one audit, as the store had it once signed. The
/// signature itself is checked by HQ's import, with every other signed audit.
pub fn read_signed_pdf(path: &Path, shown: &str) -> Result<Parcel, Refusal> {
    let refuse = |problem| Refusal::new(shown, problem);
    let size = std::fs::metadata(path)
        .map_err(|e| {
            refuse(Problem::Unreadable {
                detail: e.to_string(),
            })
        })?
        .len();
    if size > MAX_PDF_BYTES {
        return Err(refuse(Problem::TooLarge {
            bytes: size,
            limit: MAX_PDF_BYTES,
        }));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        refuse(Problem::Unreadable {
            detail: e.to_string(),
        })
    })?;
    let data = match signed_data(&bytes) {
        Ok(Some(data)) => data,
        Ok(None) => return Err(refuse(Problem::NoDataInPdf)),
        Err(detail) => {
            return Err(refuse(Problem::BadReport {
                audit: "?".into(),
                detail,
            }));
        }
    };
    let audit_id = data.audit.id.to_string();
    let Some(stamp) = data.report.clone() else {
        return Err(refuse(Problem::BadReport {
            audit: audit_id,
            detail: "its data does not name the report".into(),
        }));
    };
    let signed_at = as_stored_time(&stamp.signed_at).ok_or_else(|| {
        refuse(Problem::BadReport {
            audit: audit_id.clone(),
            detail: format!("signing time {:?}", stamp.signed_at),
        })
    })?;
    // The data was taken the moment before signing; signing made the audit signed, its last
    // change the signing time.
    let mut audit = data.audit.clone();
    audit.status = AuditStatus::Signed;
    audit.updated_at = signed_at;
    let report = ReportRecord {
        id: stamp.id,
        audit_id: audit.id,
        signer: stamp.signer.clone(),
        signed_at: stamp.signed_at.clone(),
        certificate: String::new(),
        lang: stamp.lang.clone(),
        acknowledged_by: stamp.acknowledged_by.clone(),
        pdf_sha256: hex(&Sha256::digest(&bytes)),
        pdf_bytes: bytes.len() as i64,
        device_id: audit.device_id,
        created_at: stamp.signed_at.clone(),
    };
    let parcel = Parcel {
        file: shown.to_string(),
        source: Source::SignedPdf,
        stores: vec![audit.store.clone()],
        standards: vec![data.standard.clone()],
        audits: vec![Sent {
            audit,
            report: Some(report),
        }],
        followups: Vec::new(),
        files: Box::new(PdfFiles { pdf: Some(bytes) }),
    };
    parcel.check()?;
    Ok(parcel)
}

/// A lone PDF carries no photo files, only itself.
struct PdfFiles {
    pdf: Option<Vec<u8>>,
}

impl Files for PdfFiles {
    fn photo(&mut self, _sha256: &str, _format: &str) -> Result<Option<Vec<u8>>, Refusal> {
        Ok(None)
    }

    fn report(&mut self, _report: &ReportRecord) -> Result<Option<Vec<u8>>, Refusal> {
        Ok(self.pdf.clone())
    }
}
