//! The bounds that prove numbers without asking Matomo for a segment (issue 27), against the
//! emulator's dataset, which knows the people behind every number: a summary's bouncing and
//! converting visits over a week, a month or a range, proven from each day's counts
//! (`reporting::visitors::parts`), are shown only when k distinct visitors are behind them.
//! (Rows proven by their daily sums are checked on people by `population_ground_truth`.) A
//! month's converting visitors the days' counts leave unproven are proven by the part's segment
//! on its busiest day, or else by the month's segment, with the requests Matomo received
//! checked too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use matomo_privacy_mcp_core::testing;
use matomo_privacy_mcp_testkit::{Dataset, Day, Emulator};
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

// A summary's converting visitors over a month proven by the part's segment on its busiest day
// (`reporting::visitors::parts`): a day's segment costs Matomo that day's raw visits, a month's
// segment all of the month's. The day asked is one of the month's, a part proven by it has at
// least k people that day (so over the month) and no month segment is asked for it; a part its
// busiest day cannot prove is asked as the month's segment, and shown exactly when k people are
// behind it.

/// Populations whose converting visitors the days' counts do not all prove (visitors making
/// several visits a day, which weaken that bound), and narrow ones whose busiest day falls short.
const CONVERTING_SEGMENTS: &[Option<&str>] = &[
    None,
    Some("visitCount>=2"),
    Some("visitCount>=3"),
    Some("actions>=2"),
    Some("daysSinceLastVisit==0"),
    Some("visitorType==returning"),
    Some("visitorType==returningCustomer"),
    Some("deviceType==desktop"),
    Some("deviceType==smartphone"),
    Some("referrerType==direct"),
    Some("referrerType==campaign"),
    Some("countryCode==de"),
    Some("browserCode==FF"),
];

const CONVERTED: &str = "visitConverted==1";

/// One `VisitsSummary.get` Matomo was asked: its period, date and segment (decoded).
struct Asked {
    period: String,
    date: String,
    segment: String,
}

/// Every `VisitsSummary.get` in the emulator's requests, the calls of bulk requests included.
fn summaries_asked(emu: &Emulator) -> Vec<Asked> {
    let mut calls: Vec<Vec<(String, String)>> = Vec::new();
    for request in emu.requests() {
        let pairs: Vec<(String, String)> =
            request.query.iter().chain(&request.body).cloned().collect();
        let bulk = pairs
            .iter()
            .any(|(k, v)| k == "method" && v == "API.getBulkRequest");
        if bulk {
            for (name, url) in &pairs {
                if name.starts_with("urls[") {
                    calls.push(
                        url::form_urlencoded::parse(url.as_bytes())
                            .into_owned()
                            .collect(),
                    );
                }
            }
        } else {
            calls.push(pairs);
        }
    }
    calls
        .into_iter()
        .filter(|call| {
            call.iter()
                .any(|(k, v)| k == "method" && v == "VisitsSummary.get")
        })
        .map(|call| {
            let get = |name: &str| {
                call.iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            };
            Asked {
                period: get("period"),
                date: get("date"),
                segment: get("segment"),
            }
        })
        .collect()
}

/// How a month's converting part was counted, by what Matomo was asked, and how often each way
/// was seen.
#[derive(Default, Debug)]
struct Seen {
    /// Proven by one day's segment, no month segment asked for it.
    by_day: u32,
    /// A day's segment asked, too few, then the month's segment.
    day_then_month: u32,
    /// No day reached k visits: the month's segment straight away.
    month_only: u32,
    /// Proven by the days' counts alone (no segment of the part at all).
    by_days_counts: u32,
    /// Fewer than k of the part's visits over the days: withheld, no segment asked.
    below_k_unasked: u32,
    /// Of those counted by the month's segment, shown (k people behind) and withheld.
    fallback_shown: u32,
    fallback_withheld: u32,
}

/// This month's summary of sites 1–3 within each population, over `copies` copies of dataset
/// 11's visitors at threshold `k`, checked on people.
async fn check_months(copies: u32, k: u64) -> Seen {
    let emulated::World { emu, toolbox, .. } = emulated::World::over(
        testing::busier_emulator(testing::TOKEN, &[1, 2, 3], copies).await,
        k,
    )
    .await;
    let data = emu.dataset();
    let today = data.today;
    let mut seen = Seen::default();
    for site in 1..=3 {
        {
            let month = today;
            let days = (month.month_start(), month.month_end());
            let inside: BTreeSet<String> = (0..=(days.1.0 - days.0.0))
                .map(|i| ymd(days.0.plus(i)))
                .collect();
            for segment in CONVERTING_SEGMENTS {
                let mut args = json!({"site": site, "period": "month", "date": ymd(month)});
                if let Some(segment) = segment {
                    args["segment"] = json!(segment);
                }
                emu.clear_requests();
                let result = testing::answered(&toolbox, "visits_summary", args.clone()).await;
                let out = result.structured().unwrap();
                let metrics = out["metrics"].as_object().unwrap();
                if metrics.is_empty() {
                    continue;
                }
                let asked = summaries_asked(&emu);
                let part = |a: &&Asked| a.segment.contains(CONVERTED);
                let on_days: Vec<&Asked> = asked
                    .iter()
                    .filter(part)
                    .filter(|a| a.period == "day" && !a.date.contains(','))
                    .collect();
                let over_month = asked
                    .iter()
                    .filter(part)
                    .any(|a| a.period == "month" && a.date == ymd(month));
                let mut selected: Vec<&str> = vec![CONVERTED];
                selected.extend(segment.iter());
                let behind = people(data, site, days, &selected);
                let shown = metrics
                    .get("nb_visits_converted")
                    .and_then(Value::as_f64)
                    .is_some_and(|v| v > 0.0);
                if shown {
                    assert!(behind >= k, "{args}: shown about {behind} people: {out}");
                }
                // At most one day is asked for the part, and it is one of the month's.
                assert!(on_days.len() <= 1, "{args}: {} days asked", on_days.len());
                let day = on_days.first().map(|a| {
                    assert!(
                        inside.contains(&a.date),
                        "{args}: proven by {}, not a day of the month",
                        a.date
                    );
                    let d = Day::parse(&a.date).unwrap();
                    people(data, site, (d, d), &selected)
                });
                match (day, over_month) {
                    (Some(that_day), false) => {
                        // Proven by the day alone: k people came that day.
                        assert!(
                            that_day >= k,
                            "{args}: no month segment, the day had {that_day} people: {out}"
                        );
                        assert!(shown, "{args}: proven by a day yet not shown: {out}");
                        seen.by_day += 1;
                    }
                    (day, true) => {
                        match day {
                            Some(that_day) => {
                                assert!(that_day < k, "{args}: a day of {that_day} people");
                                seen.day_then_month += 1;
                            }
                            None => seen.month_only += 1,
                        }
                        // The month's segment counts exactly: shown when k people are behind.
                        assert_eq!(shown, behind >= k, "{args}: {behind} people: {out}");
                        if shown {
                            seen.fallback_shown += 1;
                        } else {
                            seen.fallback_withheld += 1;
                        }
                    }
                    (None, false) => {
                        // Known from the days' counts alone: proven (shown), or fewer than k
                        // visits over the days (withheld without a segment).
                        if shown {
                            seen.by_days_counts += 1;
                        } else {
                            assert!(behind < k, "{args}: withheld unasked, {behind} people");
                            seen.below_k_unasked += 1;
                        }
                    }
                }
            }
        }
    }
    seen
}

#[tokio::test]
async fn a_part_its_busiest_day_proves_asks_no_month_segment() {
    // One copy, k = 8: the days' counts prove 6 converting visitors of site 1's month, its
    // busiest day has 10.
    let seen = check_months(1, 8).await;
    assert!(seen.by_day > 0, "{seen:?}");
}

#[tokio::test]
async fn a_part_its_busiest_day_cannot_prove_is_asked_as_the_months_segment() {
    // Three copies, k = 10: returning customers of site 1 have 14 converting visits on their
    // busiest day but fewer than 10 visitors on any; narrow populations have no day of 10, and
    // some fewer than 10 converting visits in the month (withheld without any segment).
    let seen = check_months(3, 10).await;
    assert!(
        seen.day_then_month > 0
            && seen.month_only > 0
            && seen.below_k_unasked > 0
            && seen.fallback_shown > 0
            && seen.fallback_withheld > 0,
        "{seen:?}"
    );
}

#[tokio::test]
async fn a_month_without_visits_asks_no_segment_for_its_parts() {
    // Dataset 11 has no visit in the month before today's: its days count none without a
    // segment, so neither part has a visitor to prove and no segment is asked (nor, after a
    // segment counted as no visits, whether Matomo archives segments at all).
    let (emu, toolbox) = emulated::world(11, K).await;
    let last_month = emu.dataset().today.month_start().plus(-1);
    for site in 1..=3 {
        let args = json!({"site": site, "period": "month", "date": ymd(last_month)});
        emu.clear_requests();
        let result = testing::answered(&toolbox, "visits_summary", args.clone()).await;
        let out = result.structured().unwrap();
        assert_eq!(out["metrics"]["nb_visits"], json!(0), "{args}: {out}");
        let segmented: Vec<String> = summaries_asked(&emu)
            .into_iter()
            .filter(|a| !a.segment.is_empty())
            .map(|a| format!("{} {} {}", a.period, a.date, a.segment))
            .collect();
        assert!(segmented.is_empty(), "{args}: {segmented:?}");
    }
}
