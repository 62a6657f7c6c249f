//! The Reporting API surface: parameter handling, access checks, nesting and dispatch to reports.

pub(crate) mod auth;
mod dispatch;
pub(crate) mod errors;
pub(crate) mod period;
pub(crate) mod request;
pub(crate) mod segment;
pub(crate) mod table;

pub(crate) use dispatch::{Answer, answer};
