//! storecheck-report: the audit report as a PDF, and its digital signature.
//!
//! - [`render`]: audit data and [`Options`] in, PDF bytes out; a pure function, deterministic
//!   for a fixed report id and time. krilla writes the PDF: it embeds the display copies of the
//!   photos as they are (no re-encoding) and subsets the fonts (PT Sans, with Cyrillic; DejaVu
//!   Sans for the few characters PT Sans lacks, see [`missing_glyphs`]). [`report_lang`]
//!   chooses the labels' language: the standard's, unless the caller asks for another.

//! - [`sign::sign_pdf`] / [`sign::verify_pdf`]: a PAdES signature (CMS, ECDSA P-256) that
//!   poppler's `pdfsig` accepts; [`verify`]: the check of every signature in a report and of
//!   the signer's certificate chain.
//! - [`sign_audit`]: the whole signing of an audit, for the CLI and the app. The PDF carries the
//!   audit's data (`storecheck-audit.json`) under its signature; [`embedded_data`] reads it back
//!   from the signed revision, and [`verify`] says whether it is intact.

pub mod ca;
mod data;
mod fonts;
mod labels;
mod render;
pub mod sign;
mod signed;
pub mod verify;

pub use data::{DataError, DataStatus, embedded_data};
pub use fonts::missing_glyphs;
pub use labels::{report_lang, report_texts};
pub use render::{Options, RenderError, ReportInput, Revises, SignatureBlock, render};
pub use signed::{SignRequest, Signed, sign_audit, verify_bytes, verify_file};
