//! An in-process emulator of the Matomo Reporting API, for testing Matomo clients over real HTTP.
//!
//! [`Emulator`] binds `127.0.0.1` on a free port and answers `POST /index.php` the way Matomo 5 does,
//! from a synthetic [`Dataset`] generated from a seed: three sites (a shop with ecommerce, a blog, a
//! docs site), fifteen days of visits with pages, titles, referrers, campaigns, places, devices, user
//! IDs (some are e-mail addresses), events, goals, orders and site search. Every report is computed from
//! those visits, so numbers agree across reports.
//!
//! It reproduces the behaviour recorded from a real Matomo 5.0.2 (see the fixtures' README):
//! - `module`, `method`, `format` are read from the query string or body; `token_auth` only from the
//!   body (a token in the query string is refused);
//! - an unknown token gives HTTP 401 as an HTML page, or as JSON when `module`/`method`/`format` are in
//!   the query string; a site without access gives 401 JSON; bad `idSite`/`period`/`date`, unknown
//!   methods and bad segments give HTTP 200 with `{"result":"error","message":...}` in Matomo's words;
//! - several sites (`1,2` or `all`) nest by site id, several periods (`lastN`, `previousN`, `a,b`) by
//!   period label; an empty period inside a multi-period `get` is `[]`;
//! - `filter_limit` (default 100, `-1` = all; Live 10), `filter_offset`, `filter_sort_column`,
//!   `filter_sort_order`, `flat=1`, `expanded=1`, `idSubtable`, `format_metrics`, `hideColumns`,
//!   `showColumns`, and `API.get`'s `columns` (the plugins it selects, only those columns kept);
//!   `VisitsSummary.get`'s and `Goals.get`'s `columns`; a summary left with one column sent as
//!   its bare value (`{"value": …}` alone);
//! - segments on common dimensions (`countryCode`, `deviceType`, `browserCode`, `referrerType`,
//!   `visitorType`, `visitServerHour`, `userId`, `pageUrl`, ... see the `query::segment` source) with the
//!   operators `==`, `!=`, `=@`, `!@`, `=^`, `=$`, `<`, `<=`, `>`, `>=`, `,` (OR) and `;` (AND);
//! - `API.getBulkRequest` with per-item errors; `API.getReportMetadata` whose `imageGraphUrl` values
//!   embed the caller's token exactly as Matomo does (so token-leak tests have something to catch).
//!
//! Faults are injected per test with [`Emulator::inject`]: latency, HTTP 5xx (always or `n` times),
//! malformed or truncated JSON, an oversized body, a Matomo error payload, an HTML error page,
//! fields of the wrong JSON type.
//!
//! ```
//! use matomo_privacy_mcp_testkit::{Day, Emulator, Fault};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let emu = Emulator::builder()
//!     .seed(42)
//!     .today(Day::from_ymd(2026, 11, 26).ok_or("bad date")?)
//!     .view_token("viewer-token", &[1])
//!     .super_user_token("root-token")
//!     .start()
//!     .await?;
//! // Point the client under test at this URL.
//! assert!(emu.base_url().starts_with("http://127.0.0.1:"));
//! // Numbers the emulator reports can be recomputed from its dataset.
//! let today = emu.dataset().today;
//! assert!(emu.dataset().visits_in(1, today.plus(-7), today).count() > 0);
//! // Make the next two requests fail with 503, then heal.
//! emu.inject(Fault::http_status_times(503, 2));
//! emu.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! # Feature flags
//!
//! - `matomo-api`: `realistic::MatomoApi`, a client of a real Matomo's Reporting and bulk
//!   Tracking APIs over reqwest (the token in the POST body only), for tools that track the
//!   realistic month into a Matomo and read it back; the `track_realistic` example needs it.

// The Live visit object is one large `json!` literal.
#![recursion_limit = "512"]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod api;
mod calendar;
mod dataset;
mod emulator;
mod faults;
mod prng;
mod query;
pub mod real_matomo;
pub mod realistic;
mod recorder;
mod recording;
pub mod redis;
mod reports;
mod server;

pub use calendar::Day;
pub use dataset::{
    ANNOTATION_PERSONAL_DATA, Action, Annotation, Browser, CAMPAIGN_LANDING_QUERIES, CLASH_NAME,
    ContentImpression, Conversion, Dataset, Device, Goal, Location, PERSONAL_CAMPAIGN, PageTimings,
    RARE_PERSON, Referrer, SAVED_SEGMENT_PERSONAL_DATA, SavedSegment, Site, TIMING_AVERAGE_COLUMNS,
    TIMING_RECORDS, Visit, VisitDetails, page_timing_columns, search_results,
};
pub use emulator::{Emulator, EmulatorBuilder, EmulatorError};
pub use faults::Fault;
pub use query::auth::Access;
pub use recorder::RecordedRequest;
pub use recording::Recording;
