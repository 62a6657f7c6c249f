//! The report cache and request coalescing across replicas.
//!
//! Cached bodies are stored under a digest of the request's identity (method, parameters and
//! the token's hash), never the parameters themselves. A replica about to ask Matomo first takes
//! a lease on the request (`SET … NX PX`): the others wait for its answer in the store instead
//! of asking too. A lease expires on its own, so a replica that crashed while holding one
//! delays the others by at most its lifetime.

use std::time::Duration;

use sha2::{Digest, Sha256};

use super::{SharedState, SharedStateError};

/// How often a replica waiting for another's answer looks for it.
const POLL: Duration = Duration::from_millis(15);

/// A lease on one request: while held, the other replicas wait for this one's answer.
#[derive(Debug)]
pub(crate) struct Lease {
    key: String,
    holder: String,
}

impl SharedState {
    fn digest(identity: &str) -> String {
        Sha256::digest(identity.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The cached body of the request named `identity`, if another replica (or this one) stored it.
    pub(crate) async fn cached(&self, identity: &str) -> Result<Option<Vec<u8>>, SharedStateError> {
        let key = self.key("cache", &Self::digest(identity));
        self.run(redis::cmd("GET").arg(key).to_owned()).await
    }

    /// Stores the body of the request named `identity` for `lifetime`.
    pub(crate) async fn store(
        &self,
        identity: &str,
        body: &[u8],
        lifetime: Duration,
    ) -> Result<(), SharedStateError> {
        let millis = u64::try_from(lifetime.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        let key = self.key("cache", &Self::digest(identity));
        self.run::<()>(
            redis::cmd("SET")
                .arg(key)
                .arg(body)
                .arg("PX")
                .arg(millis)
                .to_owned(),
        )
        .await
    }

    /// Takes the lease on the request named `identity` for `lifetime`, unless another replica holds it.
    pub(crate) async fn lease(
        &self,
        identity: &str,
        lifetime: Duration,
    ) -> Result<Option<Lease>, SharedStateError> {
        let key = self.key("lease", &Self::digest(identity));
        let holder = lease_holder();
        let millis = u64::try_from(lifetime.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        let taken: Option<String> = self
            .run(
                redis::cmd("SET")
                    .arg(&key)
                    .arg(&holder)
                    .arg("NX")
                    .arg("PX")
                    .arg(millis)
                    .to_owned(),
            )
            .await?;
        Ok(taken.map(|_| Lease { key, holder }))
    }

    /// Gives the lease back (only if it is still this holder's: it may have expired and been
    /// taken by another replica since).
    pub(crate) async fn release(&self, lease: Lease) -> Result<(), SharedStateError> {
        let script = redis::Script::new(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end",
        );
        let mut invocation = script.key(&lease.key);
        invocation.arg(&lease.holder);
        self.script::<i64>(&invocation).await.map(drop)
    }

    /// Waits, up to `patience`, for another replica's answer to the request named `identity`;
    /// `None` when its lease ended (answered with an error, or the replica died) or time ran out.
    pub(crate) async fn wait_for(
        &self,
        identity: &str,
        patience: Duration,
    ) -> Result<Option<Vec<u8>>, SharedStateError> {
        let lease_key = self.key("lease", &Self::digest(identity));
        let deadline = tokio::time::Instant::now() + patience;
        loop {
            if let Some(body) = self.cached(identity).await? {
                return Ok(Some(body));
            }
            let held: bool = self
                .run(redis::cmd("EXISTS").arg(&lease_key).to_owned())
                .await?;
            if !held {
                // The holder may have stored the answer just before letting go.
                return self.cached(identity).await;
            }
            if tokio::time::Instant::now() >= deadline {
                return Ok(None);
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

/// A value telling this lease from any other: the process and a random number.
fn lease_holder() -> String {
    let mut random = [0u8; 8];
    // Without randomness the process id alone still tells replicas apart.
    let _ = getrandom::fill(&mut random);
    format!(
        "{}-{}",
        std::process::id(),
        random
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}
