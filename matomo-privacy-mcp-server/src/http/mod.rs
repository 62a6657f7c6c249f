//! The Streamable HTTP transport and the checks in front of it.

mod config;
mod credentials;
mod guard;
mod host;
pub mod oauth;
mod origin;
mod server;
mod sessions;

pub use crate::bearer::{BearerToken, MIN_TOKEN_CHARS};
pub use config::{
    DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_SESSIONS, DEFAULT_READ_TIMEOUT,
    DEFAULT_SESSION_IDLE_TIMEOUT, HttpConfig,
};
pub use credentials::TOKEN_FILE_RECHECK;
pub use server::{HttpServer, serve_http};
pub use sessions::SessionCount;
