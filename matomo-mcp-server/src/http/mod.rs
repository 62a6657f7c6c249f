//! The Streamable HTTP transport and the checks in front of it.

mod bearer;
mod config;
mod guard;
mod host;
mod origin;
mod server;

pub use bearer::{BearerToken, MIN_TOKEN_CHARS};
pub use config::{DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_IN_FLIGHT, HttpConfig};
pub use server::{HttpServer, serve_http};
