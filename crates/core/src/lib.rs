//! storecheck-core: StoreCheck's domain and storage, shared by the command line and the
//! desktop app. No UI and no Tauri here.
//!
//! - [`model`]: the product's nouns (standard, requirement, audit, answer, corrective action).
//! - [`import::read_standard`]: a standard from XLSX, CSV or JSON, every problem at once.
//! - [`photo::prepare`]: a photo checked, oriented and reduced; [`Db::attach_photos`] stores it.
//! - [`scoring::score`]: PRODUCT.md §5 as a pure function.
//! - [`Db`]: the SQLite store; [`Db::open`] upgrades the schema, and the methods in `audit`,
//!   `standard` and `store` are the operations the CLI and the app call.
//!
//! Time, new ids and the computer's name come in through [`db::Inputs`] (a [`db::Clock`] and
//! [`ids::Ids`]); nothing here reads the clock, the random source, the environment or the
//! network directly, and `clippy.toml` keeps it so.

pub mod answers_csv;
pub mod audit;
pub mod db;
pub mod demo;
pub mod drawn;
pub mod error;
pub mod files;
pub mod followup;
pub mod hq_package;
pub mod i18n;
pub mod ids;
pub mod import;
pub mod model;
pub mod outbox;
pub mod percent;
pub mod photo;
pub mod record;
pub mod scoring;
pub mod signing;
pub mod standard;
pub mod store;
pub mod tidy;

pub use db::Db;
pub use error::{Error, ErrorCode, Result};
pub use i18n::Lang;
