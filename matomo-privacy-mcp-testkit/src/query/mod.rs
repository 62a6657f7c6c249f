//! What a Reporting API request asks, as the emulator reads it: its parameters, the token's
//! access, period, segment and table filters, and the errors Matomo answers with. Reports and the API's
//! dispatch build on it; it builds on the dataset alone.

pub(crate) mod auth;
pub(crate) mod errors;
pub(crate) mod period;
pub(crate) mod range;
pub(crate) mod request;
pub(crate) mod segment;
pub(crate) mod table;
