//! The contribution bounds of the noise groundwork hold on the emulator's dataset: within their
//! segment, no visitor has more visits than the bound, and removing any one visitor changes a
//! count or sum by at most its stated sensitivity. Asked of the emulator over HTTP, checked
//! against the visitors the dataset knows.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use matomo_mcp_core::minimise::noise::{ContributionBounds, Spread};
use matomo_mcp_core::params::{Date, Params, Period, RangeEnd, Sites};
use matomo_mcp_testkit::Day;

mod emulated;

#[tokio::test]
async fn within_the_bounds_one_visitor_changes_an_answer_by_at_most_the_sensitivity() {
    let emu = emulated::emulator(11, &[1, 2]).await;
    let client = emulated::raw_client(&emu);
    let data = emu.dataset();
    let (start, end) = (data.today.plus(-14), data.today);
    let bounds = ContributionBounds {
        visits_per_visitor: 2,
        visit_seconds: 600,
        actions_per_visit: 8,
    };
    let segment = bounds.segment().unwrap().to_string();
    let day = |d: Day| {
        let (y, m, dd) = d.ymd();
        format!("{y:04}-{m:02}-{dd:02}").parse::<Date>().unwrap()
    };
    let Date::Day(first) = day(start) else {
        panic!()
    };
    let Date::Day(last) = day(end) else { panic!() };
    let params = Params::new()
        .sites(Sites::one(1).unwrap())
        .period(Period::Range)
        .date(Date::range(first, RangeEnd::Day(last)).unwrap())
        .segment(bounds.segment().unwrap());
    let answer = client.call_raw("VisitsSummary.get", &params).await.unwrap();

    // The visits Matomo counted are exactly the dataset's visits within the bounds.
    let visitors = data.visitors_matching(1, start, end, &[&segment]).unwrap();
    let within: Vec<_> = data
        .visits_in(1, start, end)
        .filter(|v| {
            v.visit_count <= bounds.visits_per_visitor
                && v.duration <= u64::from(bounds.visit_seconds)
                && v.nb_actions() <= u64::from(bounds.actions_per_visit)
        })
        .collect();
    assert_eq!(answer["nb_visits"].as_u64().unwrap(), within.len() as u64);
    let mut per_visitor: BTreeMap<&str, (u64, u64, u64)> = BTreeMap::new();
    for v in &within {
        let entry = per_visitor.entry(&v.visitor_id).or_default();
        entry.0 += 1;
        entry.1 += v.duration;
        entry.2 += v.nb_actions();
    }
    assert_eq!(per_visitor.len(), visitors.len());
    assert!(per_visitor.len() > 10, "enough visitors to mean something");
    let mut loyal = 0;
    for (visits, seconds, actions) in per_visitor.values() {
        assert!(
            *visits
                <= bounds
                    .sensitivity("nb_visits", Spread::OneRowPerVisit)
                    .unwrap()
        );
        assert!(
            *seconds
                <= bounds
                    .sensitivity("sum_visit_length", Spread::OneRowPerVisit)
                    .unwrap()
        );
        assert!(
            *actions
                <= bounds
                    .sensitivity("nb_actions", Spread::OneRowPerVisit)
                    .unwrap()
        );
        loyal += usize::from(*visits == 2);
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
    // Without the bound, some visitors contribute more: the segment is what enforces it.
    let unbounded = data
        .visits_in(1, start, end)
        .fold(BTreeMap::<&str, u64>::new(), |mut m, v| {
            *m.entry(v.visitor_id.as_str()).or_default() += 1;
            m
        });
    assert!(
        unbounded.values().any(|n| *n > 2),
        "the dataset has loyal visitors"
    );
    assert!(loyal > 0, "the bound is reached");
}
