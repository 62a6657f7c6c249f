//! What the manifest says about the state replicas share (`[shared_state]`): where it is, how it
//! is protected, and what it holds.

use serde::Serialize;

use crate::config::SharedStateSettings;

/// The Redis replicas share, as the manifest lists it (never its password).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ManifestSharedState {
    /// The kind of store.
    pub store: &'static str,
    /// Its URL, without any password.
    pub location: String,
    /// Whether the connection is encrypted (`rediss://`).
    pub tls: bool,
    /// Whether Redis is on this machine (a loopback address or `localhost`).
    pub local: bool,
    /// Whether Redis is reached with a password.
    pub authenticated: bool,
    /// The prefix of every key this deployment writes.
    pub key_prefix: String,
    /// What the store holds for this deployment.
    pub holds: Vec<&'static str>,
    /// What happens while it cannot be reached.
    pub when_unreachable: &'static str,
}

impl ManifestSharedState {
    /// The manifest's view of `settings`, holding the cached reports when the report cache is
    /// on, the budget ledgers when noise is on, and the rate-limit buckets when a profile has a
    /// rate limit.
    pub fn new(
        settings: &SharedStateSettings,
        cache: bool,
        budget: bool,
        rate_limits: bool,
    ) -> Self {
        let mut holds = Vec::new();
        if cache {
            holds.push(
                "cached report bodies: Matomo's answers as Matomo sent them, before minimisation, under a digest of the request and the token's hash (answers for finished periods up to 7 days, answers including today for `cache.today_ttl_seconds`), and for a request being fetched a lease of at most 30 s naming the replica fetching it",
            );
        }
        if budget {
            holds.push(
                "privacy-budget ledgers: per account (a digest of the Matomo token, or `profile:<name>`) and window, the ε spent and digests of the questions answered, kept two windows",
            );
        }
        if rate_limits {
            holds.push(
                "rate-limit buckets: per profile name, the calls left and when they were counted",
            );
        }
        Self {
            store: "Redis (or Valkey)",
            location: settings.location.clone(),
            tls: settings.tls,
            local: settings.is_loopback(),
            authenticated: settings.authenticated,
            key_prefix: settings.prefix.clone(),
            holds,
            when_unreachable: "reports are served from each process's own cache (Matomo is asked more often); answers with noise and rate-limited calls are refused until it answers again",
        }
    }
}

/// The manifest's table row for the shared state.
pub(super) fn row(shared: Option<&ManifestSharedState>) -> String {
    let Some(s) = shared else {
        return "| shared state | none: the report cache, the privacy budget and the rate limits are each process's own |".to_owned();
    };
    let holds = if s.holds.is_empty() {
        "nothing (no cache, noise or rate limit uses it)".to_owned()
    } else {
        s.holds.join("; ")
    };
    format!(
        "| shared state | {} at `{}`, shared by every replica using it: {}, {}; keys prefixed `{}`; holds {}; while unreachable, {} |",
        s.store,
        s.location,
        match (s.tls, s.local) {
            (true, _) => "TLS",
            (false, true) => "no TLS (Redis on this machine)",
            (false, false) => "no TLS (the data crosses the network unencrypted)",
        },
        if s.authenticated {
            "password required"
        } else {
            "no password (`allow_without_password`)"
        },
        s.key_prefix,
        holds,
        s.when_unreachable
    )
}

#[cfg(test)]
#[cfg(feature = "redis")]
mod tests {
    use super::*;
    use crate::config::Config;

    fn settings(url: &str) -> SharedStateSettings {
        let text = format!(
            "[matomo]\nurl = \"https://m.example\"\ntoken = \"0123456789abcdef\"\n[shared_state]\nurl = \"{url}\"\nallow_without_password = true\n"
        );
        Config::from_toml_str(&text, |_| None)
            .unwrap()
            .shared_state
            .unwrap()
    }

    #[test]
    fn the_row_says_where_how_protected_and_what() {
        assert!(row(None).contains(
            "none: the report cache, the privacy budget and the rate limits are each process's own"
        ));
        let remote =
            ManifestSharedState::new(&settings("redis://10.0.0.9:6379/0"), false, true, false);
        let text = row(Some(&remote));
        assert!(
            text.contains("at `redis://10.0.0.9:6379/0`, shared by every replica using it: no TLS (the data crosses the network unencrypted), no password (`allow_without_password`); keys prefixed `matomo-privacy-mcp:`; holds privacy-budget ledgers"),
            "{text}"
        );
        assert!(!text.contains("cached report bodies") && !text.contains("rate-limit buckets"));
        let tls = ManifestSharedState::new(
            &settings("rediss://redis.internal:6380/1"),
            true,
            false,
            true,
        );
        let text = row(Some(&tls));
        assert!(text.contains(": TLS, "), "{text}");
        assert!(
            text.contains("holds cached report bodies") && text.contains("; rate-limit buckets"),
            "{text}"
        );
        let none = ManifestSharedState::new(&settings("redis://localhost/0"), false, false, false);
        assert!(row(Some(&none)).contains("no TLS (Redis on this machine)"));
        assert!(row(Some(&none)).contains("holds nothing"));
    }
}
