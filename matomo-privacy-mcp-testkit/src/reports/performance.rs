//! `PagePerformance.get`: page load timings of the period's page views (which `API.get` carries
//! too, [`super::api_get`]).
//!
//! As Matomo's `PagePerformance` plugin archives them: per timing the sum in milliseconds over
//! the page views that sent it and the count of those page views (records
//! `PagePerformance_network_time` / `PagePerformance_network_hits`, …, note Matomo's spelling
//! `servery_time` beside `server_hits`), and for the page load time the sum of every timing sent
//! over the page views with at least one. `PagePerformance.get` answers only the averages, in
//! seconds with two decimals; `API.get` carries the sums (in ms here) and counts as well, beside the visit
//! summary (as the recorded `API.get_day.json` shows).

use serde_json::{Map, Value};

use super::{Ctx, round_value};
use crate::dataset::{TIMING_AVERAGE_COLUMNS, Visit};
use crate::query::errors::ApiError;

/// The timing averages a page row carries, in [`TIMING_RECORDS`] order (no page load's:
/// Matomo gives it to the page rows as the sum of these).
pub(super) const TIMING_AVERAGES: &[&str] = TIMING_AVERAGE_COLUMNS.split_at(6).0;

/// Sums (ms) and counts of the timings of `visits`' page views, in [`TIMING_RECORDS`] order,
/// then the page load's.
pub(super) fn totals<'a>(visits: impl IntoIterator<Item = &'a Visit>) -> [(u64, u64); 7] {
    let mut out = [(0u64, 0u64); 7];
    for visit in visits {
        for timings in visit.page_timings() {
            for (slot, value) in out.iter_mut().zip(timings.all()) {
                if let Some(ms) = value {
                    slot.0 += ms;
                    slot.1 += 1;
                }
            }
            if timings.is_timed() {
                out[6].0 += timings.page_load();
                out[6].1 += 1;
            }
        }
    }
    out
}

pub(super) fn averages(totals: &[(u64, u64); 7], m: &mut Map<String, Value>) {
    for (name, (sum, hits)) in TIMING_AVERAGE_COLUMNS.iter().zip(totals) {
        let seconds = if *hits > 0 {
            *sum as f64 / 1000.0 / *hits as f64
        } else {
            0.0
        };
        m.insert((*name).to_owned(), round_value(seconds, 2));
    }
}

/// `PagePerformance.get`: the seven averages, in seconds.
pub(crate) fn page_performance(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let mut m = Map::new();
    averages(&totals(ctx.visits.iter().copied()), &mut m);
    Ok(Value::Object(m))
}
