//! A busier dataset: several generated datasets' visitors and visits on the same sites, for a
//! server's default privacy settings to have enough people to show numbers (the default noise
//! leaves a site of a hundred visits a week without a usable figure).

use super::Dataset;
use crate::calendar::Day;

impl Dataset {
    /// `copies` datasets of consecutive seeds from `seed`, merged: the same sites, goals,
    /// annotations and saved segments, `copies` times the visitors (the pools are drawn apart,
    /// so they do not meet) and their visits, renumbered in time order. Every report is still
    /// computed from [`Dataset::visits`], so numbers agree across reports; `copies` 1 (or 0) is
    /// [`Dataset::generate`].
    pub fn generate_busier(seed: u64, today: Day, copies: u32) -> Dataset {
        let mut merged = Dataset::generate(seed, today);
        if copies <= 1 {
            return merged;
        }
        for copy in 1..u64::from(copies) {
            let more = Dataset::generate(seed.wrapping_add(copy), today);
            merged.visits.extend(more.visits);
        }
        merged.visits.sort_by_key(|v| (v.first_ts, v.site));
        for (i, v) in merged.visits.iter_mut().enumerate() {
            v.id = i as u64 + 1;
        }
        merged
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_multiply_visitors_and_keep_the_sites() {
        let today = Day::from_ymd(2026, 12, 5).unwrap_or(Day(0));
        let one = Dataset::generate(7, today);
        let three = Dataset::generate_busier(7, today, 3);
        assert_eq!(three.sites, one.sites);
        let visitors = |d: &Dataset| {
            d.visits
                .iter()
                .map(|v| (v.site, v.visitor_id.clone()))
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        };
        assert!(visitors(&three) > 2 * visitors(&one));
        let ids: Vec<u64> = three.visits.iter().map(|v| v.id).collect();
        assert_eq!(ids, (1..=three.visits.len() as u64).collect::<Vec<_>>());
        assert!(
            three
                .visits
                .windows(2)
                .all(|w| w[0].first_ts <= w[1].first_ts)
        );
        assert!(
            Dataset::generate_busier(7, today, 1) == one,
            "one copy is the dataset"
        );
    }
}
