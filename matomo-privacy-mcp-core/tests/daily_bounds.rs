//! The bounds that prove numbers without asking Matomo for a segment (issue 27), against the
//! emulator's dataset, which knows the people behind every number: a summary's bouncing and
//! converting visits over a week, a month or a range, proven from each day's counts
//! (`reporting::visitors::parts`), are shown only when k distinct visitors are behind them.
//! (Rows proven by their daily sums are checked on people by `population_ground_truth`.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use matomo_privacy_mcp_core::testing;
use matomo_privacy_mcp_testkit::{Dataset, Day};
use serde_json::{Value, json};

mod emulated;

const K: u64 = 5;

/// Narrow and broad populations: the parts of narrow ones are where a wrong bound would show.
const SEGMENTS: &[Option<&str>] = &[
    None,
    Some("deviceType==tablet"),
    Some("deviceType==smartphone"),
    Some("countryCode==de"),
    Some("countryCode==fr"),
    Some("countryCode==gb"),
    Some("countryCode==nl"),
    Some("browserCode==FF"),
    Some("browserCode==SF"),
    Some("referrerType==campaign"),
    Some("referrerType==website"),
    Some("referrerType==social"),
    Some("visitorType==new"),
];

fn ymd(day: Day) -> String {
    let (y, m, d) = day.ymd();
    format!("{y:04}-{m:02}-{d:02}")
}

fn people(data: &Dataset, site: u32, (start, end): (Day, Day), segments: &[&str]) -> u64 {
    data.visits_matching(site, start, end, segments)
        .unwrap()
        .into_iter()
        .map(|v| v.visitor_id.clone())
        .collect::<BTreeSet<_>>()
        .len() as u64
}

#[tokio::test]
async fn summary_parts_proven_by_the_days_describe_k_visitors() {
    let (emu, toolbox) = emulated::world(11, K).await;
    let data = emu.dataset();
    let today = data.today;
    let last_month = today.month_start().plus(-1);
    // (period, date, first and last day)
    let periods = [
        (
            "week",
            today.plus(-7),
            (
                today.plus(-7).week_start(),
                today.plus(-7).week_start().plus(6),
            ),
        ),
        (
            "week",
            today.plus(-14),
            (
                today.plus(-14).week_start(),
                today.plus(-14).week_start().plus(6),
            ),
        ),
        ("month", today, (today.month_start(), today.month_end())),
        (
            "month",
            last_month,
            (last_month.month_start(), last_month.month_end()),
        ),
    ];
    let (mut shown_parts, mut withheld_parts) = (0, 0);
    for site in 1..=3 {
        for &(period, date, days) in &periods {
            let mut questions: Vec<(Value, (Day, Day))> = vec![(
                json!({"site": site, "period": period, "date": ymd(date)}),
                days,
            )];
            let (first, last) = (today.plus(-20), today.plus(-11));
            questions.push((
                json!({"site": site, "period": "range", "date": format!("{},{}", ymd(first), ymd(last))}),
                (first, last),
            ));
            for (args, days) in questions {
                for segment in SEGMENTS {
                    let mut args = args.clone();
                    if let Some(segment) = segment {
                        args["segment"] = json!(segment);
                    }
                    let result = testing::answered(&toolbox, "visits_summary", args.clone()).await;
                    let out = result.structured().unwrap();
                    let metrics = out["metrics"].as_object().unwrap();
                    if metrics.is_empty() {
                        continue;
                    }
                    for (metric, part) in [
                        ("bounce_count", "actions<=1"),
                        ("nb_visits_converted", "visitConverted==1"),
                    ] {
                        let mut selected: Vec<&str> = vec![part];
                        selected.extend(segment.iter());
                        let behind = people(data, site, days, &selected);
                        match metrics.get(metric).and_then(Value::as_f64) {
                            Some(value) if value > 0.0 => {
                                assert!(
                                    behind >= K,
                                    "{args}: {metric} shown about {behind} people: {out}"
                                );
                                shown_parts += 1;
                            }
                            Some(_) => {}
                            None => withheld_parts += 1,
                        }
                    }
                }
            }
        }
    }
    // Both branches are reached: parts shown and parts withheld.
    assert!(
        shown_parts > 50 && withheld_parts > 0,
        "{shown_parts} shown, {withheld_parts} withheld"
    );
}
