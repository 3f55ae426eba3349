//! storecheck-report: the audit report as a PDF, and its digital signature.
//!
//! - [`render`]: audit data and [`Options`] in, PDF bytes out; a pure function, deterministic
//!   for a fixed report id and time. krilla writes the PDF: it embeds the display copies of the
//!   photos as they are (no re-encoding) and subsets the font (PT Sans, with Cyrillic).

mod labels;
mod render;

pub use render::{Options, RenderError, ReportInput, SignatureBlock, render};
