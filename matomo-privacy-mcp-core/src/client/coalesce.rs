//! Request coalescing: concurrent identical calls share one upstream request.
//!
//! An assistant (or several sessions of one) often fires the same report
//! call in parallel; the first caller sends it, the others wait for its
//! answer instead of asking Matomo to archive the same report again.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use super::cache::RequestKey;
use super::error::ClientError;
use super::transport::RawResponse;

type Shared = Arc<OnceCell<Result<Arc<RawResponse>, ClientError>>>;

/// The requests in flight, by key.
#[derive(Default)]
pub(crate) struct Coalescer {
    in_flight: Mutex<HashMap<RequestKey, Shared>>,
}

impl Coalescer {
    /// Runs `fetch` unless an identical request is already in flight, whose answer is then shared.
    ///
    /// If the caller that sends the request is cancelled, a waiting caller sends it
    /// instead (the cell is not filled by a cancelled future).
    pub(crate) async fn run<F, Fut>(
        &self,
        key: &RequestKey,
        fetch: F,
    ) -> Result<Arc<RawResponse>, ClientError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<RawResponse, ClientError>>,
    {
        let cell = self.lock().entry(key.clone()).or_default().clone();
        let result = cell
            .get_or_init(|| async { fetch().await.map(Arc::new) })
            .await
            .clone();
        let mut in_flight = self.lock();
        if in_flight
            .get(key)
            .is_some_and(|current| Arc::ptr_eq(current, &cell))
        {
            in_flight.remove(key);
        }
        result
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<RequestKey, Shared>> {
        // The map only holds handles; after a panic elsewhere it is still consistent.
        self.in_flight
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
