//! How many MCP sessions are open: what `max_sessions` is checked against.

use crate::rmcp_adapter::SessionRegistry;

/// A handle on the number of MCP sessions a running [`crate::HttpServer`] holds open.
///
/// Lets an operator's health endpoint or a test watch the session cap at
/// work; it stays valid after the server has been moved into `serve`.
#[derive(Clone)]
pub struct SessionCount {
    registry: SessionRegistry,
}

impl SessionCount {
    pub(crate) fn new(registry: SessionRegistry) -> Self {
        Self { registry }
    }

    /// Sessions open now (initialized, or being initialized).
    pub async fn get(&self) -> usize {
        self.registry.live().await
    }
}

impl std::fmt::Debug for SessionCount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionCount").finish_non_exhaustive()
    }
}
