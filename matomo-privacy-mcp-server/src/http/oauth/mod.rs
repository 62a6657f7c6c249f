//! OAuth 2.1 resource server: accepting access tokens that an authorization server issued for
//! this MCP server, as the MCP authorization specification asks of a protected MCP server.
//!
//! - [`TokenValidator`] checks a JWT access token (RFC 9068): signature against the keys the
//!   authorization server publishes (JWKS, fetched and cached), `iss`, `aud` (RFC 8707: the token
//!   must be meant for this resource), `exp` and `nbf`.
//! - [`protected_resource_metadata`] and [`www_authenticate`] tell a refused client where to get a
//!   token (RFC 9728, RFC 6750).
//!
//! Tokens are opaque to this module beyond what it checks; it never logs one, nor a claim value.

mod challenge;
mod claims;
mod config;
mod jwks;
mod rejection;
mod validator;

pub use challenge::{
    Challenge, PROTECTED_RESOURCE_METADATA_SUFFIX, protected_resource_metadata,
    protected_resource_metadata_url, www_authenticate,
};
pub use claims::AccessClaims;
pub use config::{
    DEFAULT_HTTP_TIMEOUT, DEFAULT_JWKS_MAX_AGE, DEFAULT_JWKS_MIN_REFRESH_INTERVAL, DEFAULT_LEEWAY,
    MAX_LEEWAY, OAuthConfig, OAuthConfigError, SigningAlgorithm,
};
pub use rejection::TokenRejection;
pub use validator::{MAX_TOKEN_BYTES, TokenValidator};
