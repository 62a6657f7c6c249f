//! What the application's end-to-end tests share: the installed binary as a child process, the
//! built-in tools set up from a configuration, a Streamable HTTP session spoken by hand, and a
//! scratch directory per test.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod binary;
pub mod configured;
pub mod mcp_http;
pub mod scratch;
