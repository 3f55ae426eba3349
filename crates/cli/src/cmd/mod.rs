//! One module per subcommand.

pub mod audit;
pub mod demo;
pub mod report;
pub mod standard;
pub mod store;
