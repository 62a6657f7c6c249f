//! The audit log: one JSON line per tool call, never data values, never the token.
//!
//! A record holds the time, the request id, the client, the tool, the sites,
//! period and date asked for, the segment's dimension names (not its values),
//! the highest class the result could expose, the rows returned and
//! suppressed, the outcome and the duration. The [`Toolbox`](crate::Toolbox)
//! writes one for every call once an [`AuditSink`] is set.

mod record;
mod sink;
mod timestamp;

pub use record::{AuditRecord, CallOrigin, ClientInfo, Outcome};
pub(crate) use record::{RequestShape, epsilon_charged, row_counts};
pub use sink::{AuditError, AuditSink, JsonLinesAudit};
pub(crate) use timestamp::format_rfc3339;
pub use timestamp::now_rfc3339;
