//! A signed report PDF received on its own (by email): the audit's data it carries under its
//! signature is enough for HQ to import that audit, photo files aside.

use std::path::Path;

use storecheck_core::record::SignedAuditData;

use crate::parcel::Parcel;
use crate::refusal::{Problem, Refusal};

/// The audit data a signed PDF carries, from the revision its signature covers; `None` for a
/// report signed before reports carried their data; `Err` for data that cannot be read.
pub fn signed_data(_pdf: &[u8]) -> Result<Option<SignedAuditData>, String> {
    Ok(None)
}

/// Reads a signed PDF into a parcel of its one audit.
pub fn read_signed_pdf(_path: &Path, shown: &str) -> Result<Parcel, Refusal> {
    Err(Refusal::new(shown, Problem::NoDataInPdf))
}
