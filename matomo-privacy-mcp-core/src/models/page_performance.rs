//! `PagePerformance.get` and the page performance records `API.get` carries: how long page views
//! took to load, per timing (network, server, transfer, DOM processing, DOM completion, on-load
//! handlers) and in total.
//!
//! `PagePerformance.get` answers only averages (seconds); `API.get` also sends the records they
//! are computed from: per timing the sum in seconds (Matomo archives milliseconds and its API
//! divides them by 1000, so the sums carry decimals) over the page views that sent it and how
//! many did (`PagePerformance_network_time`, `PagePerformance_network_hits`, …; Matomo
//! spells the server time's sum `PagePerformance_servery_time`). All aggregate.

use super::{Count, Seconds};

classified_fields! {
    /// The averages `PagePerformance.get` returns, in seconds; zero without timed page views.
    pub struct PagePerformance {
        /// Average network time (DNS lookup, connection).
        avg_time_network: Seconds,
        /// Average server time (until the first byte).
        avg_time_server: Seconds,
        /// Average transfer time.
        avg_time_transfer: Seconds,
        /// Average DOM processing time.
        avg_time_dom_processing: Seconds,
        /// Average DOM completion time.
        avg_time_dom_completion: Seconds,
        /// Average time of the on-load handlers.
        avg_time_on_load: Seconds,
        /// Average page load time (all timings together).
        avg_page_load_time: Seconds,
    }
}

classified_fields! {
    /// The page performance records of `API.get`: per timing the sum in seconds and the
    /// count of page views that sent it; the page load's over the page views with any timing.
    pub struct PerformanceTotals {
        /// Network time, summed (seconds).
        #[serde(rename = "PagePerformance_network_time")]
        network_time: Seconds,
        /// Page views with a network time.
        #[serde(rename = "PagePerformance_network_hits")]
        network_hits: Count,
        /// Server time, summed (seconds).
        #[serde(rename = "PagePerformance_servery_time")]
        server_time: Seconds,
        /// Page views with a server time.
        #[serde(rename = "PagePerformance_server_hits")]
        server_hits: Count,
        /// Transfer time, summed (seconds).
        #[serde(rename = "PagePerformance_transfer_time")]
        transfer_time: Seconds,
        /// Page views with a transfer time.
        #[serde(rename = "PagePerformance_transfer_hits")]
        transfer_hits: Count,
        /// DOM processing time, summed (seconds).
        #[serde(rename = "PagePerformance_domprocessing_time")]
        dom_processing_time: Seconds,
        /// Page views with a DOM processing time.
        #[serde(rename = "PagePerformance_domprocessing_hits")]
        dom_processing_hits: Count,
        /// DOM completion time, summed (seconds).
        #[serde(rename = "PagePerformance_domcompletion_time")]
        dom_completion_time: Seconds,
        /// Page views with a DOM completion time.
        #[serde(rename = "PagePerformance_domcompletion_hits")]
        dom_completion_hits: Count,
        /// On-load handler time, summed (seconds).
        #[serde(rename = "PagePerformance_onload_time")]
        on_load_time: Seconds,
        /// Page views with an on-load time.
        #[serde(rename = "PagePerformance_onload_hits")]
        on_load_hits: Count,
        /// Page load time (every timing sent), summed (seconds).
        #[serde(rename = "PagePerformance_pageload_time")]
        page_load_time: Seconds,
        /// Page views with any timing.
        #[serde(rename = "PagePerformance_pageload_hits")]
        page_load_hits: Count,
    }
}

/// One timing of [`PerformanceTotals`], by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timing {
    /// Network time.
    Network,
    /// Server time.
    Server,
    /// Transfer time.
    Transfer,
    /// DOM processing time.
    DomProcessing,
    /// DOM completion time.
    DomCompletion,
    /// On-load handler time.
    OnLoad,
    /// Page load time: all of them together.
    PageLoad,
}

impl Timing {
    /// Every timing, the parts first and the page load last.
    pub const ALL: [Timing; 7] = [
        Timing::Network,
        Timing::Server,
        Timing::Transfer,
        Timing::DomProcessing,
        Timing::DomCompletion,
        Timing::OnLoad,
        Timing::PageLoad,
    ];

    /// The name a tool shows (`network`, `page_load`, …).
    pub fn name(self) -> &'static str {
        match self {
            Timing::Network => "network",
            Timing::Server => "server",
            Timing::Transfer => "transfer",
            Timing::DomProcessing => "dom_processing",
            Timing::DomCompletion => "dom_completion",
            Timing::OnLoad => "on_load",
            Timing::PageLoad => "page_load",
        }
    }
}

impl PerformanceTotals {
    /// The `columns` to ask `API.get` for so that it answers only these records: Matomo 5.0.2's
    /// `API.get` calls the `get` of each plugin whose report metadata lists an asked column
    /// (here the `PagePerformance` averages, which select that plugin alone) and keeps only the
    /// asked columns (here also the sums and counts, which its metadata does not list but its
    /// `get` computes). Without `columns` it calls every plugin's `get`, and under a segment
    /// Matomo archives each of those plugins from the visit logs: for a month of 44,000 visits,
    /// 18 s against 1 s for `PagePerformance` alone.
    pub const API_GET_COLUMNS: &'static str = concat!(
        "avg_time_network,avg_time_server,avg_time_transfer,avg_time_dom_processing,",
        "avg_time_dom_completion,avg_time_on_load,avg_page_load_time,",
        "PagePerformance_network_time,PagePerformance_network_hits,",
        "PagePerformance_servery_time,PagePerformance_server_hits,",
        "PagePerformance_transfer_time,PagePerformance_transfer_hits,",
        "PagePerformance_domprocessing_time,PagePerformance_domprocessing_hits,",
        "PagePerformance_domcompletion_time,PagePerformance_domcompletion_hits,",
        "PagePerformance_onload_time,PagePerformance_onload_hits,",
        "PagePerformance_pageload_time,PagePerformance_pageload_hits",
    );

    /// The sum (in seconds) and the count of page views of `timing`, when Matomo sent both.
    pub fn of(&self, timing: Timing) -> Option<(f64, u64)> {
        let (sum, hits) = match timing {
            Timing::Network => (self.network_time, self.network_hits),
            Timing::Server => (self.server_time, self.server_hits),
            Timing::Transfer => (self.transfer_time, self.transfer_hits),
            Timing::DomProcessing => (self.dom_processing_time, self.dom_processing_hits),
            Timing::DomCompletion => (self.dom_completion_time, self.dom_completion_hits),
            Timing::OnLoad => (self.on_load_time, self.on_load_hits),
            Timing::PageLoad => (self.page_load_time, self.page_load_hits),
        };
        Some((sum?.0, hits?.0))
    }
}

report! {
    /// `PagePerformance.get`: the average page load timings of a site and period.
    Get = "PagePerformance.get" => PagePerformance;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_records_of_api_get_decode_by_matomos_names() {
        // As Matomo 5.0.2 sends them: sums in seconds with decimals (43883 ms as 43.883).
        let body = r#"{"nb_visits": 3, "PagePerformance_servery_time": 43.883,
            "PagePerformance_server_hits": "3", "PagePerformance_pageload_time": 0,
            "PagePerformance_pageload_hits": 0}"#;
        let totals: PerformanceTotals = serde_json::from_str(body).unwrap();
        assert_eq!(totals.of(Timing::Server), Some((43.883, 3)));
        assert_eq!(totals.of(Timing::PageLoad), Some((0.0, 0)));
        assert_eq!(totals.of(Timing::Network), None);
    }

    #[test]
    fn api_get_columns_are_every_record_and_average() {
        // An answer holding only the asked columns decodes every timing's sum and count: a
        // record left out of `columns` would be dropped by `API.get`, its timing read as missing.
        let asked: Vec<&str> = PerformanceTotals::API_GET_COLUMNS.split(',').collect();
        let answer: serde_json::Map<String, serde_json::Value> =
            asked.iter().map(|c| ((*c).to_owned(), 1.into())).collect();
        let totals: PerformanceTotals = serde_json::from_value(answer.into()).unwrap();
        for timing in Timing::ALL {
            assert_eq!(totals.of(timing), Some((1.0, 1)), "{timing:?}");
        }
        // And the averages that select the PagePerformance plugin, one per timing.
        let averages = asked.iter().filter(|c| c.starts_with("avg_")).count();
        assert_eq!(averages, Timing::ALL.len());
        assert_eq!(asked.len(), 3 * Timing::ALL.len());
    }
}
