//! The report cache and coalescing across replicas, through the [shared state](crate::shared).
//!
//! Order of a read call: this replica's cache, then the shared cache, then (one caller per
//! replica, by the local coalescer) a lease on the request: its holder asks Matomo, the other
//! replicas wait for the answer it stores. Whenever Redis fails or is slow, the call goes on as
//! if there were no shared state: the answer is the same, only Matomo may be asked more often.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::cache::RequestKey;
use super::error::ClientError;
use super::token::MatomoToken;
use super::transport::RawResponse;
use crate::shared::{Lease, SharedState, SharedStateError};

/// How long a lease holds: the longest a replica waits for another's answer before asking
/// Matomo itself (a crashed holder delays the others by at most this).
pub const LEASE: Duration = Duration::from_secs(30);

/// How long a final answer (a period that is over) stays in the shared cache.
pub const FINAL_LIFETIME: Duration = Duration::from_secs(7 * 86_400);

/// A client's link to the shared state.
pub(crate) struct Replicas {
    state: SharedState,
    /// The client's token: a body that holds it (Matomo echoes it in report metadata's image
    /// URLs) is never stored in Redis.
    token: MatomoToken,
    /// Leases this replica holds, released once the answer is stored (or failed).
    leases: Mutex<HashMap<RequestKey, Lease>>,
}

fn degraded(error: &SharedStateError) {
    // No key, value or parameter: only that the shared cache was skipped, and why.
    tracing::warn!(%error, "shared cache skipped: serving from this replica");
}

fn answer(body: Vec<u8>) -> RawResponse {
    // Only successful JSON answers are ever stored.
    RawResponse {
        status: 200,
        is_html: false,
        body,
    }
}

impl Replicas {
    pub(crate) fn new(state: SharedState, token: MatomoToken) -> Self {
        Self {
            state,
            token,
            leases: Mutex::new(HashMap::new()),
        }
    }

    fn leases(&self) -> std::sync::MutexGuard<'_, HashMap<RequestKey, Lease>> {
        // The map only holds handles; after a panic elsewhere it is still consistent.
        self.leases
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The answer another replica stored, if any.
    pub(crate) async fn cached(&self, key: &RequestKey) -> Option<Arc<RawResponse>> {
        match self.state.cached(key.as_str()).await {
            Ok(body) => body.map(|body| Arc::new(answer(body))),
            Err(error) => {
                degraded(&error);
                None
            }
        }
    }

    /// Sends the request unless another replica holds its lease, whose answer is then awaited.
    pub(crate) async fn send<F, Fut>(
        &self,
        key: &RequestKey,
        send: F,
    ) -> Result<RawResponse, ClientError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<RawResponse, ClientError>>,
    {
        match self.state.lease(key.as_str(), LEASE).await {
            Ok(Some(lease)) => {
                // Another replica may have stored the answer between our look and the lease.
                if let Ok(Some(body)) = self.state.cached(key.as_str()).await {
                    let _ = self.state.release(lease).await;
                    return Ok(answer(body));
                }
                let result = send().await;
                if result.is_err() {
                    let _ = self.state.release(lease).await;
                } else {
                    self.leases().insert(key.clone(), lease);
                }
                result
            }
            Ok(None) => match self.state.wait_for(key.as_str(), LEASE).await {
                Ok(Some(body)) => Ok(answer(body)),
                Ok(None) => send().await,
                Err(error) => {
                    degraded(&error);
                    send().await
                }
            },
            Err(error) => {
                degraded(&error);
                send().await
            }
        }
    }

    /// Stores a successful answer for `lifetime` (when it may be kept at all, and never one that
    /// holds the token) and gives back the lease; after a failed answer only gives back the lease.
    pub(crate) async fn settle(
        &self,
        key: &RequestKey,
        response: &RawResponse,
        lifetime: Option<Duration>,
    ) {
        let secret = self.token.expose().as_bytes();
        let holds_token =
            !secret.is_empty() && response.body.windows(secret.len()).any(|w| w == secret);
        if let Some(lifetime) = lifetime
            && !holds_token
            && let Err(error) = self
                .state
                .store(key.as_str(), &response.body, lifetime)
                .await
        {
            degraded(&error);
        }
        self.release(key).await;
    }

    /// Gives back the lease on `key`, if this replica holds it.
    pub(crate) async fn release(&self, key: &RequestKey) {
        let lease = self.leases().remove(key);
        if let Some(lease) = lease
            && let Err(error) = self.state.release(lease).await
        {
            degraded(&error);
        }
    }
}
