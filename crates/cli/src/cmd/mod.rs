//! One module per subcommand.

pub mod action;
pub mod audit;
pub mod demo;
pub mod hq;
pub mod keys;
pub mod report;
pub mod standard;
pub mod store;
pub mod sync;
