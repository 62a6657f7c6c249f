//! The Rust examples of the README and of the guide, compiled and run by `cargo test` as doctests.
//!
//! They live in this unpublished crate rather than in `matomo-privacy-mcp-core`, whose package does not hold
//! the repository's Markdown: a downloaded core crate's own tests must not depend on files it lacks.

/// Compiles and runs the Rust examples of the README, so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeExamples;

/// Compiles and runs the Rust examples of the custom-tool guide.
#[cfg(doctest)]
#[doc = include_str!("../custom-tools.md")]
pub struct CustomToolsGuideExamples;
