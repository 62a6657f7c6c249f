//! A `period=range` that Matomo 5.0.2 would answer with days before its start.
//!
//! Matomo sums a range ending on or after the site's today from whole periods, and a range
//! starting mid-week in a week not over before today is summed over that whole week, its days
//! before the start included (seen on the real Matomo on Sunday 2026-12-06: `2026-12-02,
//! 2026-12-06` counted Monday 11-30's 2,337 visits). The SDK's rule for it
//! (`params::range_counted_from`) is checked here against Matomo's own `Range` class, for todays
//! around month and year ends; and the tools refuse such a range before asking anything.
//! Mutation-checked: with the refusal removed from `ReportArgs::checked` the tools answer and
//! `such_a_range_is_refused_by_every_report_tool` fails; with the week rule removed from
//! `range_counted_from` the agreement test fails on hundreds of ranges.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use matomo_privacy_mcp_core::params::{Day, range_counted_from};
use matomo_privacy_mcp_core::testing::{self, TestDeployment};
use serde_json::json;

const TEST: &str = "ranges Matomo counts from before their start";

fn day_of(date: jiff::civil::Date) -> Day {
    Day::new(
        u16::try_from(date.year()).unwrap(),
        date.month().unsigned_abs(),
        date.day().unsigned_abs(),
    )
    .unwrap()
}

fn plus(date: jiff::civil::Date, days: i64) -> jiff::civil::Date {
    date.checked_add(jiff::Span::new().days(days)).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_first_day_counted_agrees_with_matomos_range_class() {
    let Some(real) = testing::real_matomo(TEST).await else {
        return;
    };
    // Todays around a month's end, a year's end and a leap February, each weekday several
    // times; ranges from 16 days before today to a week after, ending from yesterday to 70
    // days on.
    let todays = (0..24)
        .map(|n| plus(jiff::civil::date(2026, 12, 20), n))
        .chain((0..10).map(|n| plus(jiff::civil::date(2028, 2, 24), n)));
    let mut asked = Vec::new();
    for today in todays {
        for start in -16..=8 {
            for end in [-1, 0, 1, 6, 13, 40, 70] {
                let (first, last) = (plus(today, start), plus(today, end));
                // Two equal days written out are a day to Matomo, not a range.
                if first < last {
                    asked.push((today, first, last));
                }
            }
        }
    }
    let pairs: Vec<(String, String)> = asked
        .iter()
        .map(|(today, first, last)| (today.to_string(), format!("{first},{last}")))
        .collect();
    let matomo = tokio::task::spawn_blocking(move || real.range_subperiods(&pairs))
        .await
        .unwrap()
        .unwrap();
    let mut reaching_back = 0;
    for ((today, first, last), subperiods) in asked.iter().zip(&matomo) {
        let counted = &subperiods.first().expect("a range has periods").first;
        let ours = range_counted_from(day_of(*first), day_of(*last), day_of(*today));
        assert_eq!(
            ours.to_string(),
            *counted,
            "today {today}, range {first},{last}: Matomo sums {subperiods:?}"
        );
        reaching_back += usize::from(ours < day_of(*first));
    }
    // The rule under test is exercised, not only its "start" answer.
    assert!(reaching_back > 100, "{reaching_back} ranges reach back");
}

/// A range that Matomo would widen, whatever weekday the test runs on: from this week's
/// Tuesday (Wednesday when Tuesday is a 1st) to the Sunday after this week's, with the
/// Monday it would be counted from.
fn widened_range() -> (String, String) {
    // The emulator's site 1 is in UTC; the tools date it by this machine's clock.
    let days = jiff::Timestamp::now().as_second().div_euclid(86_400);
    let today = plus(jiff::civil::date(1970, 1, 1), days);
    let monday = plus(today, -i64::from(today.weekday().to_monday_zero_offset()));
    let start = if plus(monday, 1).day() == 1 {
        plus(monday, 2)
    } else {
        plus(monday, 1)
    };
    let end = plus(monday, 13);
    let counted = range_counted_from(day_of(start), day_of(end), day_of(today));
    assert_eq!(counted, day_of(monday), "the chosen range reaches back");
    (format!("{start},{end}"), monday.to_string())
}

#[tokio::test]
async fn such_a_range_is_refused_by_every_report_tool() {
    let emu = testing::emulator(11, &[1]).await;
    let toolbox = TestDeployment::at(&emu.base_url(), testing::TOKEN)
        .toolbox(matomo_privacy_mcp_tools::all())
        .await;
    let tools = [
        ("visits_summary", json!({})),
        ("top_pages", json!({})),
        ("countries", json!({})),
        ("visits_to_conversion", json!({})),
        ("compare_periods", json!({"report": "Actions.getPageUrls"})),
    ];
    // Asked again if UTC's midnight passes meanwhile: the range chosen is the day's.
    let (answers, monday) = loop {
        let (date, monday) = widened_range();
        let mut answers = Vec::new();
        for (tool, extra) in &tools {
            let mut arguments = json!({"site": 1, "period": "range", "date": date});
            for (key, value) in extra.as_object().unwrap() {
                arguments[key] = value.clone();
            }
            let result = toolbox.call(tool, Some(arguments)).await.unwrap();
            answers.push((*tool, result.is_error(), result.text().to_owned()));
        }
        if widened_range().0 == date {
            break (answers, monday);
        }
    };
    for (tool, refused, text) in answers {
        assert!(
            refused
                && text.contains(&format!("count this range from {monday}"))
                && text.contains(&format!("Start the range on {monday}"))
                && text.contains("period: \"week\""),
            "{tool}: {text}"
        );
    }
    // A range that ended before today is answered over its own days.
    let text = testing::answered(
        &toolbox,
        "visits_summary",
        json!({"site": 1, "period": "range", "date": "2026-11-17,2026-11-22"}),
    )
    .await;
    assert!(text.text().contains("nb_visits"), "{}", text.text());
}
