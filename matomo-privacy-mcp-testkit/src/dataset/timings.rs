//! Page performance timings of each page view (Matomo's `PagePerformance` plugin), derived from
//! a hash of the visit and the page view's place in it.
//!
//! Like [`details`](super::details), nothing here draws from the generator's stream, so every
//! value the dataset had before timings existed is unchanged. Matomo stores each of the six
//! timings of a page view on its own (a browser may send some and not others, or none), so
//! each is optional; a page view is "timed" when it has at least one.

use super::{Action, Visit};
use crate::prng::SplitMix64;

/// The six timings of one page view, in milliseconds, as the JavaScript tracker measures them
/// (`pf_net`, `pf_srv`, `pf_tfr`, `pf_dm1`, `pf_dm2`, `pf_onl`); `None` when not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PageTimings {
    /// Network time (DNS, connection).
    pub network: Option<u64>,
    /// Server time (time to first byte).
    pub server: Option<u64>,
    /// Transfer time.
    pub transfer: Option<u64>,
    /// DOM processing time.
    pub dom_processing: Option<u64>,
    /// DOM completion time.
    pub dom_completion: Option<u64>,
    /// On-load handler time.
    pub on_load: Option<u64>,
}

/// The timings in the order Matomo's records list them, with the name of each record.
pub const TIMING_RECORDS: [&str; 6] = [
    "network",
    "servery",
    "transfer",
    "domprocessing",
    "domcompletion",
    "onload",
];

/// The columns of the page load averages Matomo answers (`PagePerformance.get`'s, in seconds):
/// each timing's, in [`TIMING_RECORDS`] order, then the page load time's.
pub const TIMING_AVERAGE_COLUMNS: [&str; 7] = [
    "avg_time_network",
    "avg_time_server",
    "avg_time_transfer",
    "avg_time_dom_processing",
    "avg_time_dom_completion",
    "avg_time_on_load",
    "avg_page_load_time",
];

/// The `columns` of `API.get` that ask for the page timings alone, as `page_performance` asks
/// them: the averages (which select the `PagePerformance` plugin), then each timing's sum and
/// count, the page load's last (Matomo spells the server time's sum `servery_time` but its count
/// `server_hits`).
pub fn page_timing_columns() -> Vec<String> {
    let records = record_names()
        .into_iter()
        .flat_map(|(sum, hits)| [sum, hits]);
    TIMING_AVERAGE_COLUMNS
        .iter()
        .map(|c| c.to_string())
        .chain(records)
        .collect()
}

/// The record names of each timing: `(sum, count)`.
pub(crate) fn record_names() -> [(String, String); 7] {
    let mut names: [(String, String); 7] = Default::default();
    for (i, record) in TIMING_RECORDS.iter().enumerate() {
        // Matomo spells the server time's sum `servery_time` but its count `server_hits`.
        let hits = if *record == "servery" {
            "server"
        } else {
            record
        };
        names[i] = (
            format!("PagePerformance_{record}_time"),
            format!("PagePerformance_{hits}_hits"),
        );
    }
    names[6] = (
        "PagePerformance_pageload_time".to_owned(),
        "PagePerformance_pageload_hits".to_owned(),
    );
    names
}

impl PageTimings {
    /// The six timings in [`TIMING_RECORDS`] order.
    pub fn all(&self) -> [Option<u64>; 6] {
        [
            self.network,
            self.server,
            self.transfer,
            self.dom_processing,
            self.dom_completion,
            self.on_load,
        ]
    }

    /// Whether the page view has any timing (Matomo's "page load" hits count these).
    pub fn is_timed(&self) -> bool {
        self.all().iter().any(Option::is_some)
    }

    /// The page load time: the sum of the timings sent (missing ones count 0, as in Matomo).
    pub fn page_load(&self) -> u64 {
        self.all().iter().flatten().sum()
    }
}

/// One page view in fifteen sends no timings (an old browser, a blocked tracker request).
const UNTIMED_ONE_IN: u64 = 15;

impl Visit {
    /// The timings of each of the visit's page views, in the order of its page actions.
    pub fn page_timings(&self) -> Vec<PageTimings> {
        self.actions
            .iter()
            .filter(|a| matches!(a, Action::Page { .. }))
            .enumerate()
            .map(|(i, _)| timings_of(self.id, i as u64))
            .collect()
    }
}

fn timings_of(visit: u64, page: u64) -> PageTimings {
    let mut rng = SplitMix64::new(visit.wrapping_mul(0x9E37_79B9).wrapping_add(page) ^ STREAM);
    if rng.below(UNTIMED_ONE_IN) == 0 {
        return PageTimings::default();
    }
    // A slow page view now and then: one in forty takes seconds on the server.
    let slow = rng.below(40) == 0;
    let mut part = |lo: u64, hi: u64, missing_one_in: u64| {
        let value = rng.range(lo, hi);
        (rng.below(missing_one_in) != 0).then_some(value)
    };
    PageTimings {
        network: part(0, 120, 50),
        server: part(40, 600, 50).map(|ms| if slow { ms + 4_000 } else { ms }),
        transfer: part(5, 400, 50),
        dom_processing: part(200, 1_800, 30),
        dom_completion: part(50, 900, 30),
        on_load: part(0, 150, 10),
    }
}

/// Seeds the timings apart from every other derived value.
const STREAM: u64 = 0x7469_6d69_6e67_7331;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_names_are_matomos() {
        let names = record_names();
        assert_eq!(names[0].0, "PagePerformance_network_time");
        assert_eq!(names[1].0, "PagePerformance_servery_time");
        assert_eq!(names[1].1, "PagePerformance_server_hits");
        assert_eq!(names[5].1, "PagePerformance_onload_hits");
        assert_eq!(names[6].1, "PagePerformance_pageload_hits");
    }

    #[test]
    fn timings_are_stable_varied_and_sometimes_missing() {
        assert_eq!(timings_of(7, 2), timings_of(7, 2));
        let all: Vec<PageTimings> = (0..3_000).map(|i| timings_of(i, 0)).collect();
        let untimed = all.iter().filter(|t| !t.is_timed()).count();
        assert!((100..320).contains(&untimed), "{untimed} untimed");
        let without_on_load = all
            .iter()
            .filter(|t| t.is_timed() && t.on_load.is_none())
            .count();
        assert!(without_on_load > 100, "{without_on_load}");
        assert!(all.iter().any(|t| t.server.is_some_and(|ms| ms > 4_000)));
        let t = all
            .iter()
            .find(|t| t.is_timed())
            .copied()
            .unwrap_or_default();
        assert_eq!(t.page_load(), t.all().iter().flatten().sum::<u64>());
    }
}
