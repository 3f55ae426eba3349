//! Signing an audit end to end: render its report, sign the PDF with the auditor's key, and
//! record it, which locks the audit for good. The CLI and the app both call [`sign_audit`].

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use storecheck_core::drawn::{Whose, prepare_signature};
use storecheck_core::model::AuditStatus;
use storecheck_core::signing::{NewReport, SignedReport};
use storecheck_core::{Db, Error, Lang, Result};
use uuid::Uuid;

use crate::render::{Options, RenderError, ReportInput, Revises, SignatureBlock, render};
use crate::sign::{SignError, Signer, sign_pdf};
use crate::verify::CertificateInfo;

/// A signed audit's report and the certificate that signed it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Signed {
    #[serde(flatten)]
    pub report: SignedReport,
    pub certificate: CertificateInfo,
}

/// What the person signing gives.
#[derive(Debug, Clone)]
pub struct SignRequest {
    /// Who signs: the certificate's name and the name under the signature.
    pub signer: String,
    /// The report's language: [`crate::report_lang`] of the audit's standard and of any
    /// language the person asked for (the computer's language is not a request).
    pub lang: Lang,
    /// The drawn signature, PNG.
    pub drawn: Option<Vec<u8>>,
    /// The observed employee who acknowledged the report, and their drawn signature (PNG).
    pub acknowledged_by: Option<String>,
    pub acknowledgement: Option<Vec<u8>>,
    /// The signing computer's offset from UTC, for the times shown in the report.
    pub utc_offset: chrono::FixedOffset,
}

fn failed(what: &str, e: impl std::fmt::Display) -> Error {
    Error::invalid("report", format!("{what}: {e}"), format!("{what}: {e}"))
}

/// Renders, signs and records the report of a completed audit; returns where the signed PDF is
/// and which certificate signed it (the signer's own, chosen by the exact name).
///
/// Errors: [`Error::Locked`] unless the audit is completed; [`Error::InvalidInput`] for an
/// empty signer or a drawn signature that is not a PNG; [`Error::SigningFile`] when the
/// signer's key or certificate file is there but unusable (it is left as it is); nothing is
/// recorded then.
pub fn sign_audit(
    db: &mut Db,
    audit: Uuid,
    req: &SignRequest,
    now: DateTime<Utc>,
) -> Result<Signed> {
    let signer = req.signer.trim();
    if signer.is_empty() {
        return Err(Error::invalid(
            "signer",
            "say who signs (the name under the signature)",
            "укажите, кто подписывает (имя под подписью)",
        ));
    }
    let view = db.load_audit(audit)?;
    if view.header.status != AuditStatus::Completed {
        return Err(match view.header.status {
            AuditStatus::Draft => Error::invalid(
                "audit",
                "complete the audit before signing it",
                "перед подписью завершите проверку",
            ),
            other => Error::Locked {
                id: audit.to_string(),
                status: other,
            },
        });
    }
    let drawn = req
        .drawn
        .as_deref()
        .map(|png| prepare_signature(png, Whose::Signer))
        .transpose()?;
    let acknowledgement = req
        .acknowledgement
        .as_deref()
        .map(|png| prepare_signature(png, Whose::Acknowledgement))
        .transpose()?;
    let mut photos = HashMap::new();
    for p in &view.photos {
        photos.insert(p.sha256.clone(), db.display_copy(p)?);
    }
    // Whole seconds: the time in the PDF's /M and in the report are then the same instant.
    let now = DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now);
    let block = SignatureBlock {
        signer: signer.to_string(),
        signed_at: now,
        drawn: drawn.clone(),
        acknowledged_by: req
            .acknowledged_by
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        acknowledgement: acknowledgement.clone(),
    };
    let revises = match view.header.revision_of {
        Some(original) => db.signed_report(original)?.map(|r| Revises {
            report_id: r.id,
            signed_at: r.signed_at,
            reason: view.header.revision_reason.clone().unwrap_or_default(),
        }),
        None => None,
    };
    // The audit's data goes into the PDF under the signature, taken while it is still
    // completed: only its status and last change differ once it is signed.
    let report_id = db.ids().next();
    let acknowledged_by = block.acknowledged_by.clone();
    let mut data = db.signed_audit_data(audit)?;
    data.report = Some(storecheck_core::record::ReportStamp {
        id: report_id,
        signer: signer.to_string(),
        signed_at: now.to_rfc3339_opts(SecondsFormat::Secs, true),
        lang: match req.lang {
            Lang::En => "en".into(),
            Lang::Ru => "ru".into(),
        },
        acknowledged_by,
    });
    let data = serde_json::to_vec(&data)
        .map_err(|e| failed("the audit's data could not be written", e))?;
    let pdf = render(
        &ReportInput {
            audit: &view,
            photos: &photos,
            signature: Some(&block),
            revises: revises.as_ref(),
            data: Some(&data),
        },
        &Options {
            lang: req.lang,
            report_id,
            generated_at: now,
            utc_offset: req.utc_offset,
        },
    )
    .map_err(|e| match e {
        RenderError::Signature(detail) => Error::invalid(
            "signature",
            format!("the drawn signature is not a PNG image ({detail})"),
            format!("нарисованная подпись — не изображение PNG ({detail})"),
        ),
        other => failed("the report could not be made", other),
    })?;
    let keys = db.keys_dir()?;
    let key = Signer::load_or_create(&keys, signer, now, db.ids()).map_err(|e| match e {
        SignError::Unusable { path, en, ru } => Error::SigningFile { path, en, ru },
        other => failed("the signing key could not be used", other),
    })?;
    let reason = match req.lang {
        Lang::Ru => "Проверка соответствия стандарту обслуживания",
        Lang::En => "Compliance check against the service standard",
    };
    let signed = sign_pdf(&pdf, &key, now, reason)
        .map_err(|e| failed("the report could not be signed", e))?;
    let report = db.record_signature(
        audit,
        &NewReport {
            id: report_id,
            signer: signer.to_string(),
            signed_at: now.to_rfc3339_opts(SecondsFormat::Secs, true),
            certificate_pem: key.certificate_pem(),
            lang: req.lang,
            acknowledged_by: block.acknowledged_by.clone(),
            signature_png: drawn,
            acknowledgement_png: acknowledgement,
        },
        &signed,
    )?;
    Ok(Signed {
        report,
        certificate: key.certificate(),
    })
}

/// Checks the signature of the report at `pdf`, with an optional trusted certificate file, and
/// tells the findings in `lang`. The command line's `verify` and the app's Verify screen.
///
/// Errors: [`Error::Io`] when a file cannot be read; [`Error::InvalidInput`] when the trusted
/// certificate file is not a certificate.
pub fn verify_file(
    pdf: &std::path::Path,
    trust: Option<&std::path::Path>,
    lang: Lang,
) -> Result<crate::sign::Verification> {
    let anchor = match trust {
        Some(path) => {
            let cert = std::fs::read(path).map_err(|e| Error::io(path, e))?;
            if crate::ca::TrustFile::read(&cert).is_none() {
                return Err(Error::invalid(
                    "trust",
                    format!(
                        "{} is not a certificate (PEM or DER); give the CA file HQ hands out (`storecheck hq ca init --out CA.pem`)",
                        path.display()
                    ),
                    format!(
                        "{} — не сертификат (PEM или DER); укажите файл УЦ, который выдаёт ЦО (`storecheck hq ca init --out CA.pem`)",
                        path.display()
                    ),
                ));
            }
            Some(cert)
        }
        None => None,
    };
    verify_bytes(pdf, anchor.as_deref(), lang)
}

/// Checks the signature of the report at `pdf` against what `trust` holds (a certificate and
/// revocation lists, PEM or DER), and tells the findings in `lang`.
///
/// Errors: [`Error::Io`] when the report cannot be read.
pub fn verify_bytes(
    pdf: &std::path::Path,
    trust: Option<&[u8]>,
    lang: Lang,
) -> Result<crate::sign::Verification> {
    let bytes = std::fs::read(pdf).map_err(|e| Error::io(pdf, e))?;
    Ok(crate::verify::verify_pdf_in(&bytes, trust, lang))
}
