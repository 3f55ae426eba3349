//! storecheck-hq: StoreCheck at headquarters. The HQ database holds every store's completed
//! and signed audits, each exactly once, whatever order, duplication or damage the files went
//! through on the way.
//!
//! - [`HqDb::open`]: the HQ database (its own SQLite file and migrations, its own folder of
//!   photo originals and signed PDFs).
//! - [`HqDb::import_file`]: a bundle, a store database file or a signed PDF, checked whole and
//!   written in one transaction or refused with the reason; [`HqDb::import_files`] does many,
//!   checking the next while writing the current; [`rules`] are the import rules as pure
//!   functions, for any backend.
//! - [`HqDb::audits`], [`HqDb::gaps`], [`HqDb::imports`], [`HqDb::dump`]: what HQ holds.
//! - [`HqDb::enrol_device`], [`HqDb::devices`]: store devices enrolled by the chain's CA;
//!   with a CA, bundles are taken only from them ([`enrol`]).
//! - [`HqDb::stats`]: the chain's figures by store, region, section, requirement or week;
//!   [`export`]: the tables for BI, as CSV or XLSX.

pub mod ca;
pub mod dashboard;
pub mod db;
pub mod enrol;
pub mod error;
pub mod export;
pub mod files;
pub mod import;
pub mod query;
pub mod review;
pub mod rollup;
pub mod rules;
pub mod sql;
pub mod stats;
pub mod synth;

pub use db::HqDb;
pub use error::{HqError, Result};
pub use import::{FileOutcome, Refused};
