//! Scaffolding shared by several integration tests (each includes it with `mod support;`).

pub mod log_capture;
