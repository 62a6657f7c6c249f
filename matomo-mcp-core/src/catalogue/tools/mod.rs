//! The built-in tools, by kind.

pub mod overview;
pub mod raw;
pub mod reports;
pub mod site_overview;
pub mod sites;
pub mod visit_log;
