//! The Reporting API surface: a request dispatched to its report, with nesting by site and period.

mod dispatch;

pub(crate) use dispatch::{Answer, answer};
