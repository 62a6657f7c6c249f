//! The contribution bounds hold on the emulator's dataset: within their segment, no visitor has
//! more counted visits in a day than the bound, and removing any one visitor changes a count by
//! at most its stated sensitivity; the daily rule keeps loyal visitors' visits. Asked of the emulator over HTTP, checked
//! against the visitors the dataset knows.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use matomo_privacy_mcp_core::dp::{ContributionBounds, CountedVisits, Spread};
use matomo_privacy_mcp_core::params::{Date, Params, Period, RangeEnd, Sites};
use matomo_privacy_mcp_testkit::Day;

mod emulated;

#[tokio::test]
async fn within_the_bounds_one_visitor_changes_an_answer_by_at_most_the_sensitivity() {
    let emu = emulated::emulator(11, &[1, 2]).await;
    let client = emulated::raw_client(&emu);
    let data = emu.dataset();
    let (start, end) = (data.today.plus(-14), data.today);
    let spaced = ContributionBounds::default();
    let first = ContributionBounds {
        counted: CountedVisits::First { visits: 2 },
        actions_per_visit: 8,
    };
    let day = |d: Day| {
        let (y, m, dd) = d.ymd();
        format!("{y:04}-{m:02}-{dd:02}").parse::<Date>().unwrap()
    };
    let Date::Day(first_day) = day(start) else {
        panic!()
    };
    let Date::Day(last_day) = day(end) else {
        panic!()
    };
    let mut counted_by_rule = Vec::new();
    for (bounds, spread) in [
        (spaced, Spread::OneRowPerVisit),
        (first, Spread::RowsPerAction),
    ] {
        let segment = bounds.segment_for(spread).unwrap();
        let text = segment.to_string();
        let params = Params::new()
            .sites(Sites::one(1).unwrap())
            .period(Period::Range)
            .date(Date::range(first_day, RangeEnd::Day(last_day)).unwrap())
            .segment(segment);
        let answer = client.call_raw("VisitsSummary.get", &params).await.unwrap();
        // The visits Matomo counted are exactly the dataset's visits within the rule.
        let within: Vec<_> = data
            .visits_in(1, start, end)
            .filter(|v| {
                let counted = match bounds.counted {
                    CountedVisits::Spaced { days } => {
                        v.visit_count == 1 || v.details.days_since_last >= days
                    }
                    CountedVisits::First { visits } => v.visit_count <= visits,
                    CountedVisits::Separated { .. } => {
                        unreachable!("this test checks the spaced and first-visits rules")
                    }
                };
                let actions = spread == Spread::OneRowPerVisit
                    || v.nb_actions() <= u64::from(bounds.actions_per_visit);
                counted && actions
            })
            .collect();
        assert_eq!(
            answer["nb_visits"].as_u64().unwrap(),
            within.len() as u64,
            "{text}"
        );
        let visitors = data.visitors_matching(1, start, end, &[&text]).unwrap();
        // Per visitor and per day (the period of a day's answer), and over the 15 days:
        // never more counted visits than the bound says, so no more than the sensitivity.
        let mut per_day: BTreeMap<(&str, Day), u64> = BTreeMap::new();
        let mut per_range: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
        for v in &within {
            *per_day.entry((&v.visitor_id, v.day)).or_default() += 1;
            let entry = per_range.entry(&v.visitor_id).or_default();
            entry.0 += 1;
            entry.1 += v.nb_actions();
        }
        assert_eq!(per_range.len(), visitors.len());
        assert!(per_range.len() > 10, "enough visitors to mean something");
        for visits in per_day.values() {
            assert!(
                *visits <= bounds.visits_per_visitor(1),
                "{text}: {visits} in a day"
            );
            assert!(
                *visits
                    <= bounds
                        .sensitivity("nb_visits", Spread::OneRowPerVisit, 1)
                        .unwrap()
            );
        }
        for (visits, actions) in per_range.values() {
            assert!(*visits <= bounds.visits_per_visitor(15));
            if spread == Spread::RowsPerAction {
                assert!(
                    *actions
                        <= bounds
                            .sensitivity("nb_hits", Spread::RowsPerAction, 15)
                            .unwrap()
                );
            }
        }
        counted_by_rule.push(within.len());
    }
    // The bound rests on visit numbers being distinct per visitor, as Matomo's are.
    let mut numbers: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for v in &data.visits {
        numbers
            .entry(&v.visitor_id)
            .or_default()
            .push(v.visit_count);
    }
    for (visitor, mut counts) in numbers {
        let all = counts.len();
        counts.sort_unstable();
        counts.dedup();
        assert_eq!(
            counts.len(),
            all,
            "visitor {visitor} has two visits with one number"
        );
    }
    // Loyal visitors stay counted under the daily rule: it keeps more visits than a
    // visitor's first two ever (which drops every later visit of a returning visitor).
    assert!(
        counted_by_rule[0] > counted_by_rule[1],
        "{counted_by_rule:?}"
    );
    let all = data.visits_in(1, start, end).count();
    assert!(
        counted_by_rule[0] * 10 >= all * 7,
        "{counted_by_rule:?} of {all}"
    );
}
