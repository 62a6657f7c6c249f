//! Privacy-typed MCP tools over the Matomo Reporting API.
//!
//! A tool's privacy class is part of its type. Every field a tool can return
//! is classified as [`Aggregate`](PrivacyClass::Aggregate),
//! [`Pseudonymous`](PrivacyClass::Pseudonymous) or
//! [`Identifying`](PrivacyClass::Identifying) through [`Classified`], and
//! `#[matomo_tool]` refuses to compile a tool whose output holds a field above
//! the class it declares. At run time a [`Toolbox`] hides and refuses every
//! tool above the deployment's ceiling, which starts at `Aggregate`.
//!
//! # Example: define, list and call a tool
//!
//! ```
//! use matomo_privacy_mcp_core::{Classified, PrivacyClass, ToolError, Toolbox, matomo_tool};
//!
//! #[derive(serde::Deserialize, schemars::JsonSchema)]
//! #[serde(deny_unknown_fields)]
//! struct Args {
//!     /// The Matomo site id.
//!     site: u32,
//! }
//!
//! #[derive(serde::Serialize, schemars::JsonSchema, Classified)]
//! struct Summary {
//!     #[privacy(aggregate)]
//!     nb_visits: u64,
//! }
//!
//! /// Number of visits to a site yesterday.
//! #[matomo_tool(title = "Visits yesterday")]
//! async fn visits_yesterday(args: Args) -> Result<Summary, ToolError> {
//!     Ok(Summary { nb_visits: 40 + u64::from(args.site) })
//! }
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let toolbox = Toolbox::new().tool(VisitsYesterdayTool);
//!
//! let listed: Vec<_> = toolbox.list().map(|tool| tool.name()).collect();
//! assert_eq!(listed, ["visits_yesterday"]);
//! let tool = toolbox.descriptor("visits_yesterday").unwrap();
//! assert_eq!(tool.max_class(), PrivacyClass::Aggregate);
//! assert_eq!(tool.meta()["matomo-privacy-mcp/privacyClass"], "aggregate");
//!
//! let result = toolbox
//!     .call("visits_yesterday", Some(serde_json::json!({ "site": 2 })))
//!     .await
//!     .unwrap();
//! assert!(!result.is_error());
//! assert_eq!(result.structured().unwrap()["nb_visits"], 42);
//!
//! let refused = toolbox.call("visits_yesterday", Some(serde_json::json!({}))).await.unwrap();
//! assert!(refused.is_error());
//! assert_eq!(refused.text(), "invalid arguments: missing field `site`");
//! # });
//! ```
//!
//! # What the compiler refuses
//!
//! An aggregate tool (the default) returning a pseudonymous field does not
//! compile; the error is at the tool's return type, with a note at the field:
//!
//! ```compile_fail
//! use matomo_privacy_mcp_core::{Classified, ToolError, matomo_tool};
//!
//! #[derive(serde::Serialize, schemars::JsonSchema, Classified)]
//! struct Visit {
//!     #[privacy(pseudonymous)]
//!     #[serde(rename = "visitorId")]
//!     visitor_id: String,
//! }
//!
//! /// Leaks a visitor id.
//! #[matomo_tool]
//! async fn last_visit() -> Result<Visit, ToolError> {
//!     Ok(Visit { visitor_id: "5f2e1c0a9b8d7e6f".into() })
//! }
//! ```
//!
//! Nor does copying a model's identifying value into a plain `String`: values from
//! Matomo carry their class in their type ([`privacy::Identifying`],
//! [`privacy::Pseudonymous`]).
//!
//! ```compile_fail
//! use matomo_privacy_mcp_core::models::actions::PageRow;
//!
//! fn url_of(row: PageRow) -> Option<String> {
//!     row.url
//! }
//! ```
//!
//! The class can only be lowered by a transform whose constructor does the
//! work, such as [`privacy::Pseudonym`] (a keyed HMAC-SHA256), scrubbing and
//! the threshold ([`minimise`]), or by a [`privacy::Declassification`] declared
//! on the tool with its reason.
//!
//! # Crate layout
//!
//! The SDK for a server of your own: [`privacy`] (classes), [`client`], [`params`], [`segment`]
//! and [`models`] (the typed Matomo API), [`minimise`] and [`policy`] (the transforms and the
//! rules), [`dp`] (differential privacy: the noise, its intervals' releases and the privacy
//! budget, configured by one [`dp::NoiseSetup`]), [`audit`], [`tool`] (definitions and the
//! [`Toolbox`]) and [`reporting`] (the [`Deployment`](reporting::Deployment) tools share and the
//! queries they are made of: reports, summaries, trends). The ready-made tools are built on this
//! public API alone, in the `matomo-privacy-mcp-tools` crate; configuration files, the built-in
//! catalogue and the privacy manifest are the application's: the `matomo-privacy-mcp` crate. `#[derive(Classified)]` and `#[matomo_tool]` come from
//! `matomo-privacy-mcp-macros`, re-exported here.
//!
//! # Feature flags
//!
//! - `redis` (off by default): `shared`, the state replicas behind a load balancer share in
//!   Redis (or Valkey): the report cache and the coalescing of identical requests, and the
//!   privacy budget (`PrivacyBudget::shared`). Without it everything stays in the process.
#![cfg_attr(docsrs, feature(doc_cfg))]

// Lets the derives, which name `::matomo_privacy_mcp_core`, be used inside this crate too.
extern crate self as matomo_privacy_mcp_core;

pub mod audit;
pub mod client;
pub mod dp;
pub mod ids;
pub mod minimise;
pub mod models;
pub mod params;
pub mod policy;
pub mod privacy;
pub mod reporting;
pub mod segment;
mod setters;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub mod shared;
mod string_form;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
pub mod tool;

#[doc(hidden)]
pub mod __private;

pub use client::{ClientError, MatomoClient, MatomoToken};
pub use ids::{PeriodLabel, SiteId};
pub use privacy::{Classified, PrivacyClass};
pub use segment::Segment;
pub use tool::{
    CallToolResult, DispatchError, Tool, ToolDescriptor, ToolError, ToolOutput, Toolbox,
};

/// Derives [`Classified`]: every field is classified by `#[privacy(...)]` or by its own type.
///
/// See the [`Classified`] trait for an example and the rules.
pub use matomo_privacy_mcp_macros::Classified;

/// Derives `Debug` for a struct with named fields, leaving out those marked `#[redact]`: for
/// types holding a secret (a key, a token, a password) or visitor data beside settings worth
/// seeing in a log.
///
/// ```
/// use matomo_privacy_mcp_core::RedactedDebug;
///
/// #[derive(RedactedDebug)]
/// struct Upstream {
///     host: String,
///     #[redact]
///     password: String,
/// }
///
/// let upstream = Upstream { host: "cache.internal".into(), password: "hunter2".into() };
/// assert_eq!(format!("{upstream:?}"), r#"Upstream { host: "cache.internal", .. }"#);
/// ```
///
/// The output is that of [`Formatter::debug_struct`](std::fmt::Formatter::debug_struct): the
/// fields shown in their order, then `..` when any was redacted. No bounds are added to type
/// parameters, so a parameter behind a redacted field need not be `Debug`.
pub use matomo_privacy_mcp_macros::RedactedDebug;

/// Turns an `async fn` into an MCP tool whose privacy class is checked at compile time.
///
/// ```
/// use matomo_privacy_mcp_core::{Classified, PrivacyClass, ToolError, Toolbox, matomo_tool};
///
/// struct Matomo; // your client, shared by every tool
///
/// // What the toolbox guards (the client's token) and its ceiling.
/// impl matomo_privacy_mcp_core::tool::ToolState for Matomo {
///     fn secret_guards(&self) -> Vec<matomo_privacy_mcp_core::tool::SecretGuard> {
///         Vec::new()
///     }
/// }
///
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct Args {
///     site: u32,
/// }
///
/// #[derive(serde::Serialize, schemars::JsonSchema, Classified)]
/// struct Summary {
///     #[privacy(aggregate)]
///     nb_visits: u64,
/// }
///
/// /// Visits to a site today. This doc comment is the description the model reads.
/// #[matomo_tool(name = "visits_summary", title = "Visits summary", max_class = aggregate)]
/// async fn visits_summary(matomo: &Matomo, args: Args) -> Result<Summary, ToolError> {
///     Ok(Summary { nb_visits: u64::from(args.site) })
/// }
///
/// let toolbox = Toolbox::with_state(Matomo).tool(VisitsSummaryTool);
/// assert_eq!(VisitsSummaryTool::MAX_CLASS, PrivacyClass::Aggregate);
/// ```
///
/// The function stays as it is; the attribute adds a unit struct named after
/// it in CamelCase with a `Tool` suffix (`VisitsSummaryTool`) that implements
/// [`Tool`]: register it with `Toolbox::new().tool(VisitsSummaryTool)`. Its
/// `NAME` and `MAX_CLASS` constants give the tool's name and class.
///
/// Parameters: an optional first parameter `&S` (the toolbox state) and an
/// optional arguments parameter whose type is `Deserialize + JsonSchema`. The
/// return type is `Result<T, E>` with `T: Serialize + JsonSchema + Classified`
/// and `E: Into<ToolError>`.
///
/// Options: `name` (default: the function name), `title`, `max_class`
/// (`aggregate`, the default, `pseudonymous` or `identifying`), `idempotent`
/// (default `true`), `open_world` (default `false`), `exact_only` (a flag: the tool shows
/// numbers no noise can be calibrated to, so a toolbox over a deployment with noise on leaves
/// it out) and `render` (a
/// `fn(&T) -> String` for the text content; default: compact JSON). The doc
/// comment is the description and is required.
pub use matomo_privacy_mcp_macros::matomo_tool;
