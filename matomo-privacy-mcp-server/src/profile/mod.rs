//! Client profiles: who a caller is, which tools (over which Matomo token, sites and ceiling) it
//! gets, and how fast it may call them.
//!
//! A server with one kind of client has one profile; [`HttpServer::bind`](crate::HttpServer::bind)
//! and [`serve_stdio`](crate::serve_stdio) make it for you. With several, each profile has a
//! toolbox of its own, typically over its own Matomo token, and its own credentials:
//!
//! ```no_run
//! # async fn run(marketing: matomo_privacy_mcp_core::Toolbox, support: matomo_privacy_mcp_core::Toolbox)
//! # -> Result<(), matomo_privacy_mcp_server::ServeError> {
//! use matomo_privacy_mcp_server::{HttpConfig, HttpServer, Profile, Profiles, RateLimit, ServerInfo};
//!
//! let profiles = Profiles::new()
//!     .with(Profile::new("marketing", marketing).bearer_token_file("/run/secrets/marketing-bearer"))
//!     .with(
//!         Profile::new("support", support)
//!             .bearer_token_file("/run/secrets/support-bearer")
//!             .rate_limit(RateLimit::per_minute(30).burst(5)),
//!     );
//! let server = HttpServer::bind_profiles(profiles, ServerInfo::default(), HttpConfig::default()).await?;
//! # let _ = server; Ok(()) }
//! ```

mod rate_limit;

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use matomo_privacy_mcp_core::Toolbox;

use crate::bearer::BearerToken;
use crate::setters::setters;
pub use rate_limit::RateLimit;
pub(crate) use rate_limit::{
    RATE_LIMITED, RateLimiter, Refused, UNAVAILABLE_MESSAGE, refusal_message, retry_after_seconds,
};

/// Which OAuth access tokens a profile accepts: one whose `scope` holds this scope, whose
/// client is this client id, or whose subject is this subject.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OAuthMatch {
    /// The token's scopes (`scope` or `scp`) include this one.
    Scope(String),
    /// The token was issued to this client (`client_id` or `azp`).
    ClientId(String),
    /// The token's subject (`sub`) is this one.
    Subject(String),
}

impl OAuthMatch {
    /// Whether a token with these claims matches.
    pub fn matches<'a>(
        &self,
        scopes: impl IntoIterator<Item = &'a str>,
        client_id: Option<&str>,
        subject: Option<&str>,
    ) -> bool {
        match self {
            Self::Scope(wanted) => scopes.into_iter().any(|scope| scope == wanted),
            Self::ClientId(wanted) => client_id == Some(wanted.as_str()),
            Self::Subject(wanted) => subject == Some(wanted.as_str()),
        }
    }
}

/// One kind of client: its name (in the audit log), how it authenticates over HTTP, its tools
/// and its rate limit.
pub struct Profile<S> {
    pub(crate) name: Arc<str>,
    pub(crate) bearer_tokens: Vec<BearerToken>,
    pub(crate) bearer_token_files: Vec<PathBuf>,
    pub(crate) oauth: Vec<OAuthMatch>,
    pub(crate) rate_limit: Option<RateLimit>,
    pub(crate) tools: ProfileTools<S>,
}

impl<S> Profile<S> {
    /// A profile serving `toolbox`; over HTTP it needs a credential (a bearer token, a token file
    /// or an OAuth rule) before the server starts.
    pub fn new(name: impl Into<String>, toolbox: impl Into<Arc<Toolbox<S>>>) -> Self {
        Self {
            name: name.into().into(),
            bearer_tokens: Vec::new(),
            bearer_token_files: Vec::new(),
            oauth: Vec::new(),
            rate_limit: None,
            tools: ProfileTools::from_toolbox(toolbox.into()),
        }
    }

    setters! {
        /// Accepts `Authorization: Bearer <token>` with this token as this profile.
        pub fn bearer_token(token: BearerToken) { bearer_tokens.push(token) }

        /// Accepts the tokens in this file (one per line; blank lines and lines starting with `#`
        /// are skipped) as this profile. The file is read again when it changes, within
        /// [`TOKEN_FILE_RECHECK`](crate::TOKEN_FILE_RECHECK): a token removed from it stops
        /// working without a restart.
        pub fn bearer_token_file(path: impl Into<PathBuf>) { bearer_token_files.push(path.into()) }

        /// Accepts OAuth access tokens that match `rule` (a scope, a client id or a subject) as
        /// this profile, once the server has an [`OAuthConfig`](crate::OAuthConfig).
        pub fn oauth(rule: OAuthMatch) { oauth.push(rule) }

        /// Limits how fast this profile's clients, together, may call tools.
        pub fn rate_limit(limit: RateLimit) { rate_limit = Some(limit) }
    }

    /// The profile's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A handle to change the profile's tools while the server runs (a rotated Matomo token
    /// gives a new toolbox) or to stop serving them.
    pub fn tools(&self) -> ProfileTools<S> {
        self.tools.clone()
    }
}

impl<S> std::fmt::Debug for Profile<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profile")
            .field("name", &self.name)
            .field("bearer_tokens", &self.bearer_tokens.len())
            .field("bearer_token_files", &self.bearer_token_files)
            .field("oauth", &self.oauth)
            .field("rate_limit", &self.rate_limit)
            .finish_non_exhaustive()
    }
}

/// What a profile serves now: its toolbox, or a reason it serves nothing (a rotated Matomo token
/// that failed its check, for example). Cheap to clone; every clone sees the same state.
pub struct ProfileTools<S>(Arc<RwLock<Serving<S>>>);

pub(crate) enum Serving<S> {
    Tools(Arc<Toolbox<S>>),
    Suspended(Arc<str>),
}

impl<S> Clone for Serving<S> {
    fn clone(&self) -> Self {
        match self {
            Self::Tools(toolbox) => Self::Tools(Arc::clone(toolbox)),
            Self::Suspended(reason) => Self::Suspended(Arc::clone(reason)),
        }
    }
}

impl<S> Clone for ProfileTools<S> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<S> ProfileTools<S> {
    pub(crate) fn from_toolbox(toolbox: Arc<Toolbox<S>>) -> Self {
        Self(Arc::new(RwLock::new(Serving::Tools(toolbox))))
    }

    /// Serves `toolbox` from the next request on; calls in progress finish on the old one.
    pub fn replace(&self, toolbox: impl Into<Arc<Toolbox<S>>>) {
        self.set(Serving::Tools(toolbox.into()));
    }

    /// Serves nothing: every call (and listing) of this profile is refused with `reason`, which
    /// the client sees, until [`replace`](Self::replace). Name what the operator must fix, never
    /// a secret.
    pub fn suspend(&self, reason: impl Into<String>) {
        self.set(Serving::Suspended(reason.into().into()));
    }

    /// Whether the profile serves tools now.
    pub fn is_serving(&self) -> bool {
        matches!(self.current(), Serving::Tools(_))
    }

    fn set(&self, serving: Serving<S>) {
        // A poisoned lock only means a writer panicked mid-assignment of a whole value: the
        // value is still one of ours.
        let mut slot = self
            .0
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *slot = serving;
    }

    pub(crate) fn current(&self) -> Serving<S> {
        self.0
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

/// The profiles of one server, in the order credentials are tried.
pub struct Profiles<S> {
    pub(crate) entries: Vec<Profile<S>>,
}

impl<S> Default for Profiles<S> {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
        }
    }
}

impl<S> Profiles<S> {
    /// No profiles yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a profile.
    pub fn with(mut self, profile: Profile<S>) -> Self {
        self.entries.push(profile);
        self
    }

    /// The profiles, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Profile<S>> {
        self.entries.iter()
    }
}

impl<S> std::fmt::Debug for Profiles<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.entries).finish()
    }
}
