//! The report cache: answers for finished periods are kept, today's for a short while.
//!
//! Matomo's archives of a period that ended never change again, and an
//! assistant asks the same question many times in one conversation; serving
//! those repeats from memory spares Matomo (and the model) the wait. Entries
//! are keyed by method, the parameters in a normal order, and a hash of the
//! token, so an answer one token may read is never served to another.

mod finality;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use sha2::{Digest, Sha256};

use super::token::MatomoToken;
use super::transport::RawResponse;
use crate::setters::setters;
use finality::SiteZone;
pub(crate) use finality::{Freshness, freshness};

/// Today in the time zone Matomo names `zone` (`Europe/Berlin`, `UTC+5:30`); `None` for a zone
/// neither spelling nor the time-zone database knows.
pub(crate) fn today_in(zone: &str) -> Option<jiff::civil::Date> {
    let now = jiff::Timestamp::now().as_second();
    SiteZone::from_matomo(zone)?.date_at(now)
}

/// Default time today's (still changing) answers are reused: 60 s.
pub const DEFAULT_TODAY_TTL: Duration = Duration::from_secs(60);
/// Default largest number of cached answers.
pub const DEFAULT_CACHE_ENTRIES: usize = 1_024;
/// Default largest total size of cached response bodies: 64 MiB.
pub const DEFAULT_CACHE_BYTES: usize = 64 * 1024 * 1024;

/// What the report cache keeps and for how long; see [`ClientBuilder::cache`](super::ClientBuilder::cache).
///
/// ```
/// use std::time::Duration;
/// use matomo_privacy_mcp_core::client::CacheConfig;
///
/// let config = CacheConfig::default()
///     .today_ttl(Duration::from_secs(30))
///     .max_entries(256)
///     .max_bytes(16 * 1024 * 1024)
///     .site_utc_offset(1, 60); // site 1 is in Central European Time
/// # let _ = config;
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct CacheConfig {
    today_ttl: Duration,
    max_entries: usize,
    max_bytes: usize,
    offsets: BTreeMap<u32, i32>,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            today_ttl: DEFAULT_TODAY_TTL,
            max_entries: DEFAULT_CACHE_ENTRIES,
            max_bytes: DEFAULT_CACHE_BYTES,
            offsets: BTreeMap::new(),
        }
    }
}

impl CacheConfig {
    setters! {
        /// How long answers that include today (or have no date) are reused; zero never reuses
        /// them.
        pub fn today_ttl(ttl: Duration) => today_ttl = ttl;

        /// The most answers kept; the least recently used go first.
        pub fn max_entries(entries: usize) => max_entries = entries;

        /// The most response bytes kept in total; a single larger answer is not cached.
        pub fn max_bytes(bytes: usize) => max_bytes = bytes;
    }

    /// The UTC offset of `site`'s time zone in minutes (`60` for CET, `-300` for EST).
    ///
    /// Matomo reads dates in the site's time zone. Without a time zone the
    /// cache assumes the westernmost one (UTC−12), so a day counts as final
    /// up to 12 hours later than needed, but never too early. Usually there is
    /// no need to give it: the `list_sites` tool teaches the cache every listed
    /// site's time zone ([`ReportCache::learn_site_time_zone`]), named zones and
    /// their summer time included. A configured offset wins over a learned zone.
    ///
    /// For a zone with daylight saving time give its smaller (standard-time, for
    /// the northern hemisphere winter) offset: a day then counts as final up to an
    /// hour late in summer, never early. The larger offset would mark a day final
    /// an hour before it ends in winter.
    pub fn site_utc_offset(mut self, site: u32, minutes: i32) -> Self {
        self.offsets.insert(site, minutes);
        self
    }
}

/// A report cache that several clients may share (one per token, for example).
///
/// Cheap to clone; clones share the entries. Entries are keyed by the token's
/// hash as well, so clients with different tokens never see each other's answers.
#[derive(Clone)]
pub struct ReportCache {
    config: Arc<CacheConfig>,
    store: Arc<Mutex<Store>>,
}

impl fmt::Debug for ReportCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let store = self.lock();
        f.debug_struct("ReportCache")
            .field("config", &self.config)
            .field("entries", &store.entries.len())
            .field("bytes", &store.bytes)
            .finish()
    }
}

#[derive(Default)]
struct Store {
    entries: HashMap<String, Entry>,
    bytes: usize,
    tick: u64,
    /// Site time zones learned from Matomo's site list (configured offsets take precedence).
    learned_zones: BTreeMap<u32, SiteZone>,
}

struct Entry {
    response: Arc<RawResponse>,
    expires: Option<Instant>,
    used: u64,
}

impl ReportCache {
    /// An empty cache.
    pub fn new(config: CacheConfig) -> Self {
        Self {
            config: Arc::new(config),
            store: Arc::default(),
        }
    }

    /// How many answers are cached.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The total size of the cached response bodies, in bytes.
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }

    /// Teaches the cache `site`'s time zone as Matomo names it (the `timezone` of
    /// `SitesManager.getSitesWithAtLeastViewAccess`); `list_sites` does this for every site it lists.
    ///
    /// Returns whether the zone is known: `UTC`, fixed offsets such as `UTC+5.5`, and the names
    /// of the time-zone database such as `Europe/Berlin` (bundled with the crate, so it works on
    /// machines without one; summer time included). From then on that site's days are final at
    /// its own midnight. An unknown name changes nothing (UTC−12 stays assumed, so nothing is
    /// final early), and an offset given in the configuration is never replaced.
    ///
    /// ```
    /// use matomo_privacy_mcp_core::client::{CacheConfig, ReportCache};
    ///
    /// let cache = ReportCache::new(CacheConfig::default().site_utc_offset(2, 60));
    /// assert!(cache.learn_site_time_zone(1, "UTC+5.5"));
    /// assert!(cache.learn_site_time_zone(3, "Asia/Kolkata"));
    /// assert!(cache.learn_site_time_zone(2, "UTC"));
    /// assert!(!cache.learn_site_time_zone(4, "Mars/Olympus_Mons"));
    /// assert_eq!(cache.site_utc_offset(1), Some(330));
    /// assert_eq!(cache.site_utc_offset(2), Some(60)); // configured wins
    /// assert_eq!(cache.site_utc_offset(3), Some(330));
    /// assert_eq!(cache.site_utc_offset(4), None);
    /// ```
    pub fn learn_site_time_zone(&self, site: u32, zone: &str) -> bool {
        let Some(zone) = SiteZone::from_matomo(zone) else {
            return false;
        };
        self.lock().learned_zones.insert(site, zone);
        true
    }

    /// The UTC offset (minutes) the cache uses for `site` now: configured, else that of the
    /// learned time zone at this moment, else `None` (UTC−12 assumed).
    pub fn site_utc_offset(&self, site: u32) -> Option<i32> {
        let now = SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .and_then(|d| i64::try_from(d.as_secs()).ok())?;
        let seconds = self.zone_of(site)?.offset_at(now)?;
        i32::try_from(seconds / 60).ok()
    }

    /// `site`'s time zone: the configured offset, else the zone learned from Matomo.
    fn zone_of(&self, site: u32) -> Option<SiteZone> {
        match self.config.offsets.get(&site) {
            Some(minutes) => Some(SiteZone::Fixed(*minutes)),
            None => self.lock().learned_zones.get(&site).cloned(),
        }
    }

    /// Forgets every answer (after Matomo re-archived old data, for example).
    pub fn clear(&self) {
        let mut store = self.lock();
        store.entries.clear();
        store.bytes = 0;
    }

    fn lock(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock cannot leave the map half-updated in a way
        // that matters: at worst the byte count is off, so keep using it.
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A fresh cached answer for `key`, if any.
    pub(crate) fn get(&self, key: &RequestKey) -> Option<Arc<RawResponse>> {
        let mut store = self.lock();
        store.tick += 1;
        let tick = store.tick;
        let entry = store.entries.get_mut(&key.0)?;
        if entry.expires.is_some_and(|at| at <= Instant::now()) {
            if let Some(old) = store.entries.remove(&key.0) {
                store.bytes -= old.response.body.len();
            }
            return None;
        }
        entry.used = tick;
        Some(entry.response.clone())
    }

    /// How long an answer to the request `pairs` stays true: `None` when it may not be kept at
    /// all, `final_lifetime` for a period that is over.
    #[cfg(feature = "redis")]
    pub(crate) fn lifetime(
        &self,
        pairs: &[(String, String)],
        final_lifetime: Duration,
    ) -> Option<Duration> {
        let lifetime = match freshness(pairs, SystemTime::now(), |site| self.zone_of(site)) {
            Freshness::Final => final_lifetime,
            Freshness::FinalFor(left) => left.min(final_lifetime),
            Freshness::Live => self.config.today_ttl,
        };
        (!lifetime.is_zero()).then_some(lifetime)
    }

    /// Keeps a successful answer to the request `pairs`, for as long as it stays true.
    pub(crate) fn put(
        &self,
        key: RequestKey,
        pairs: &[(String, String)],
        response: Arc<RawResponse>,
    ) {
        let size = response.body.len();
        if size > self.config.max_bytes || self.config.max_entries == 0 {
            return;
        }
        let lifetime = match freshness(pairs, SystemTime::now(), |site| self.zone_of(site)) {
            Freshness::Final => None,
            Freshness::FinalFor(left) => Some(left),
            Freshness::Live => Some(self.config.today_ttl),
        };
        if lifetime.is_some_and(|left| left.is_zero()) {
            return;
        }
        let mut store = self.lock();
        store.tick += 1;
        let entry = Entry {
            response,
            expires: lifetime.map(|left| Instant::now() + left),
            used: store.tick,
        };
        if let Some(old) = store.entries.insert(key.0, entry) {
            store.bytes -= old.response.body.len();
        }
        store.bytes += size;
        while store.entries.len() > self.config.max_entries || store.bytes > self.config.max_bytes {
            // A linear scan: eviction is rare next to lookups, and the map is small.
            let oldest = store
                .entries
                .iter()
                .min_by_key(|(_, e)| (e.expires.is_none(), e.used))
                .map(|(k, _)| k.clone());
            let Some(oldest) = oldest else { break };
            if let Some(old) = store.entries.remove(&oldest) {
                store.bytes -= old.response.body.len();
            }
        }
    }
}

/// The identity of a request: method, parameters sorted, and the token's hash (never the token).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct RequestKey(String);

impl RequestKey {
    pub(crate) fn new(method: &str, pairs: &[(String, String)], token: &MatomoToken) -> Self {
        let mut sorted: Vec<&(String, String)> = pairs
            .iter()
            .filter(|(name, _)| name != "token_auth")
            .collect();
        sorted.sort();
        let digest = Sha256::digest(token.expose().as_bytes());
        let mut key = String::with_capacity(64 + method.len());
        for byte in &digest[..16] {
            key.push_str(&format!("{byte:02x}"));
        }
        key.push(' ');
        key.push_str(method);
        for (name, value) in sorted {
            key.push('&');
            key.extend(url::form_urlencoded::byte_serialize(name.as_bytes()));
            key.push('=');
            key.extend(url::form_urlencoded::byte_serialize(value.as_bytes()));
        }
        Self(key)
    }

    /// The identity as text (the token only as its hash).
    #[cfg(feature = "redis")]
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(date: &str) -> Vec<(String, String)> {
        vec![
            ("period".to_owned(), "day".to_owned()),
            ("idSite".to_owned(), "1".to_owned()),
            ("date".to_owned(), date.to_owned()),
        ]
    }

    fn response(bytes: usize) -> Arc<RawResponse> {
        Arc::new(RawResponse {
            status: 200,
            is_html: false,
            body: vec![b' '; bytes],
        })
    }

    fn token(t: &str) -> MatomoToken {
        MatomoToken::new(t).unwrap()
    }

    #[test]
    fn keys_ignore_order_and_hide_the_token() {
        let mut reversed = pairs("2020-01-01");
        reversed.reverse();
        let a = RequestKey::new("M.x", &pairs("2020-01-01"), &token("secret1"));
        assert_eq!(a, RequestKey::new("M.x", &reversed, &token("secret1")));
        assert_ne!(a, RequestKey::new("M.x", &reversed, &token("secret2")));
        assert_ne!(a, RequestKey::new("M.y", &reversed, &token("secret1")));
        assert!(!a.0.contains("secret1"));
    }

    #[test]
    fn least_recently_used_go_first_and_bytes_are_bounded() {
        let cache = ReportCache::new(CacheConfig::default().max_entries(2).max_bytes(100));
        let t = token("t");
        let key = |d: &str| RequestKey::new("M.x", &pairs(d), &t);
        for day in ["2020-01-01", "2020-01-02"] {
            cache.put(key(day), &pairs(day), response(10));
        }
        assert!(cache.get(&key("2020-01-01")).is_some());
        cache.put(key("2020-01-03"), &pairs("2020-01-03"), response(10));
        assert!(
            cache.get(&key("2020-01-02")).is_none(),
            "least recently used"
        );
        assert!(cache.get(&key("2020-01-01")).is_some());
        assert_eq!((cache.len(), cache.bytes()), (2, 20));
        cache.put(key("2020-01-04"), &pairs("2020-01-04"), response(95));
        assert_eq!((cache.len(), cache.bytes()), (1, 95));
        cache.put(key("2020-01-05"), &pairs("2020-01-05"), response(101));
        assert!(
            cache.get(&key("2020-01-05")).is_none(),
            "larger than the cache"
        );
        cache.clear();
        assert!(cache.is_empty() && cache.bytes() == 0);
    }

    #[test]
    fn live_answers_expire_and_a_zero_ttl_keeps_none() {
        let t = token("t");
        let cache = ReportCache::new(CacheConfig::default().today_ttl(Duration::ZERO));
        let key = RequestKey::new("M.x", &pairs("today"), &t);
        cache.put(key.clone(), &pairs("today"), response(1));
        assert!(cache.get(&key).is_none());
        let cache = ReportCache::new(CacheConfig::default().today_ttl(Duration::from_millis(1)));
        cache.put(key.clone(), &pairs("today"), response(1));
        std::thread::sleep(Duration::from_millis(5));
        assert!(cache.get(&key).is_none());
        assert_eq!(cache.bytes(), 0);
    }
}
