//! A cap on the requests in flight to Matomo.
//!
//! Without it, 200 tool calls at once open hundreds of connections: more than Matomo has PHP
//! workers for (php-fpm's `pm.max_children`, 5 in Debian's default pool), so the rest wait in
//! php-fpm's queue while their own timeout runs, are retried and wait again; and more than a
//! process may have open files (a fresh machine's `ulimit -n` is 1,024). Requests over the cap
//! wait here instead, where waiting costs neither Matomo nor a socket.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, SemaphorePermit};

use super::error::{ClientError, millis};

/// Default cap on the requests in flight to Matomo.
///
/// Four: below the 5 PHP workers of php-fpm's default pool (Debian, Ubuntu), so that Matomo's
/// tracker and its own interface keep a worker; as many as one tool call sends at once (a
/// report and the count of its visitors, for two periods when comparing), so a single call is
/// not slowed down. Matomo's own archiver sends 3 at a time per site by default. Raise it to
/// what Matomo's workers allow when several assistants use one server.
pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 4;

/// The requests in flight to Matomo, at most [`max_in_flight`](Self::max_in_flight) at once;
/// cheap to clone, and every clone (and every client built with it) shares the same places.
///
/// Each client has one (see [`ClientBuilder::max_concurrent_requests`](super::ClientBuilder::max_concurrent_requests));
/// give one to several clients with
/// [`ClientBuilder::shared_request_limit`](super::ClientBuilder::shared_request_limit) so that
/// together they stay under one cap, for example one client per user token in one process.
///
/// A request holds its place only while its HTTP exchange runs (sent, answered, body read), not
/// between retries nor while it waits for an identical request or a cached answer, so no
/// request ever waits for a place another request of the same call holds while waiting: a cap
/// of 1 is slow, never stuck. Places are handed out in the order requests asked for them.
///
/// ```
/// use matomo_privacy_mcp_core::client::{MatomoClient, RequestLimit};
///
/// let limit = RequestLimit::new(8)?;
/// let build = |token: &str| {
///     MatomoClient::builder("https://matomo.example.com")
///         .token(token)
///         .shared_request_limit(limit.clone())
///         .build()
/// };
/// let (alice, bob) = (build("0123456789abcdef")?, build("fedcba9876543210")?);
/// assert_eq!(alice.request_limit().max_in_flight(), 8);
/// assert_eq!(bob.request_limit().in_flight(), 0);
/// assert!(RequestLimit::new(0).is_err());
/// # Ok::<(), matomo_privacy_mcp_core::client::ClientError>(())
/// ```
#[derive(Clone)]
pub struct RequestLimit {
    places: Arc<Semaphore>,
    max: usize,
}

impl RequestLimit {
    /// At most `max_in_flight` requests at once; 0 (which would send nothing) and more than
    /// tokio's semaphore can count are refused.
    pub fn new(max_in_flight: usize) -> Result<Self, ClientError> {
        if max_in_flight == 0 {
            return Err(ClientError::invalid_parameter(
                "max_concurrent_requests",
                "a cap of zero would never send a request; give a positive number",
            ));
        }
        if max_in_flight > Semaphore::MAX_PERMITS {
            return Err(ClientError::invalid_parameter(
                "max_concurrent_requests",
                format!("at most {} places can be counted", Semaphore::MAX_PERMITS),
            ));
        }
        Ok(Self {
            places: Arc::new(Semaphore::new(max_in_flight)),
            max: max_in_flight,
        })
    }

    /// The cap.
    pub fn max_in_flight(&self) -> usize {
        self.max
    }

    /// How many requests hold a place now.
    pub fn in_flight(&self) -> usize {
        self.max.saturating_sub(self.places.available_permits())
    }

    /// A place for one HTTP exchange of `method`, waiting at most `patience`; dropping the
    /// future (a cancelled call) leaves the queue, dropping the place frees it.
    pub(crate) async fn place(
        &self,
        method: &str,
        patience: Duration,
    ) -> Result<SemaphorePermit<'_>, ClientError> {
        if let Ok(place) = self.places.try_acquire() {
            return Ok(place);
        }
        let started = Instant::now();
        match tokio::time::timeout(patience, self.places.acquire()).await {
            Ok(Ok(place)) => {
                let waited_ms = millis(started.elapsed());
                tracing::debug!(method, waited_ms, limit = self.max, "waited for a place");
                Ok(place)
            }
            // `Err(_)` inside: the semaphore is never closed; treat it as no place, like a wait
            // that ran out, rather than send over the cap.
            Ok(Err(_)) | Err(_) => {
                // For the operator: the cap, not Matomo, refused this request.
                tracing::warn!(
                    method,
                    limit = self.max,
                    "no place among the requests to Matomo within the timeout; not sent"
                );
                Err(ClientError::Busy {
                    method: method.to_owned(),
                    limit: self.max,
                })
            }
        }
    }
}

impl Default for RequestLimit {
    /// [`DEFAULT_MAX_CONCURRENT_REQUESTS`] places.
    fn default() -> Self {
        Self {
            places: Arc::new(Semaphore::new(DEFAULT_MAX_CONCURRENT_REQUESTS)),
            max: DEFAULT_MAX_CONCURRENT_REQUESTS,
        }
    }
}

impl fmt::Debug for RequestLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestLimit")
            .field("max_in_flight", &self.max)
            .field("in_flight", &self.in_flight())
            .finish()
    }
}
