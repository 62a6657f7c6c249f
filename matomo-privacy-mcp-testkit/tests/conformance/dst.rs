//! Visits on the days the clocks change, autumn and spring ([`CHANGES`]): the dataset of a
//! `today` whose fortnight holds the change, its site 2 (Europe/Berlin) or 3
//! (America/New_York) tracked into a real site of its own ([`RealMatomo::shared_site`], one
//! per site and `today`, set up once and reused by later runs). Autumn: one dataset holds both
//! changes (Berlin's on 25 October, New York's on 1 November 2026); spring: a dataset each
//! (Berlin's on 29 March, New York's on 8 March, three weeks apart). The dataset of
//! [`super::sides::today`] has no visit near a change, so without this the DST rules were only
//! checked by `dataset/zone.rs`'s unit test.
//! Asked: [`over_periods`]'s reports plain and under the population count over the day
//! before the change, the change's day (25 hours long in autumn, 23 in spring), the day after,
//! the week and the month holding it and the fortnight, and the visitor log (with each visit's
//! server date and hours) of the change's day and of the fortnight: 110 questions a change,
//! the four changes asked at once (once, 13–15 s to track and archive each new site).
//!
//! Found (2026-12-06): all agree (unique visitors, days, weeks, months, local hours, the visitor
//! log's server dates and hours) but the server time report, 556 differences: Matomo 5.0.2
//! reads each visit's UTC hour at the offset of the UTC date its local day starts on (Berlin's
//! 25 October starts on 24 October in UTC, so the hours after the change come an hour late),
//! and each row's segment at the offset of that hour on the period's last day, where the
//! emulator used the first visit's offset for both. Fixed in the emulator
//! (`archived_hour`, `label_utc_hour` in `reports/dimensions.rs`).
//!
//! Spring (2026-12-06): all agree but 4 differences, New York's row "02" of the server time
//! report over 8 March and its week, plain and under the population count: its segment
//! selected UTC hour 6 where Matomo's selects 7. 02:00 does not exist there that day (the
//! clocks go from 02:00 to 03:00); PHP reads a time the clocks skip at the offset before the
//! change (02:00 EST, 07:00 UTC), where the emulator took the offset after it. Fixed in
//! `label_utc_hour` (Berlin's skipped 02:00 on 29 March came out right by either rule).
//! Mutation check (2026-12-06, with the 2,396 questions of then, on a copy of the checkout;
//! reverted): the skipped hour read at the offset after the change again failed the test with
//! these 4 differences, the first "(site 3 America/New_York, DST (day 2026-03-08))
//! VisitTime.getVisitInformationPerServerTime [02] segment: visitStartServerHour==6 vs
//! visitStartServerHour==7".

use matomo_privacy_mcp_testkit::Day;
use matomo_privacy_mcp_testkit::real_matomo::RealMatomo;

use super::SEED;
use super::compare::{Difference, compare};
use super::sides::{Sides, emulator_builder};
use super::time_zones::{over_periods, with_times};
use super::truncation::joined;

/// A day the clocks change at one of the emulator's sites in a time zone with DST: the site,
/// the day, and the dataset's today whose fortnight holds it.
type Change = (u32, (i64, u32, u32), (i64, u32, u32));

/// Autumn (back an hour): one dataset, whose fortnight (19 October to 2 November) holds both
/// changes. Spring (forward an hour): a dataset each, the changes being three weeks apart.
const CHANGES: &[Change] = &[
    (2, (2026, 10, 25), (2026, 11, 2)),
    (3, (2026, 11, 1), (2026, 11, 2)),
    (2, (2026, 3, 29), (2026, 4, 1)),
    (3, (2026, 3, 8), (2026, 3, 11)),
];

fn day((y, m, d): (i64, u32, u32)) -> Day {
    Day::from_ymd(y, m, d).unwrap()
}

/// Asks both servers the questions of each site around its change; the differences and how
/// many questions were asked. Nothing when the real Matomo is not there (the caller skipped
/// already). The changes are asked at once: each question mostly waits on Matomo, whose PHP
/// workers answer several at a time.
pub async fn questions() -> (Vec<Difference>, usize) {
    joined(CHANGES.iter().map(|c| tokio::spawn(around(c))).collect()).await
}

/// The questions of one change.
async fn around(&(site, change, today): &'static Change) -> (Vec<Difference>, usize) {
    let today = day(today);
    let real = tokio::task::spawn_blocking(move || {
        RealMatomo::shared_site("conformance", SEED, today, site).unwrap()
    })
    .await
    .unwrap();
    let Some(real) = real else {
        return (Vec::new(), 0);
    };
    let emu = emulator_builder()
        .traffic_until(today)
        .start()
        .await
        .unwrap();
    let timezone = emu.dataset().site(site).unwrap().timezone.clone();
    let sides = Sides {
        http: reqwest::Client::new(),
        emu,
        real,
    };
    let change = day(change);
    let fortnight = format!("{},{}", today.plus(-14), today);
    let mut periods: Vec<(String, String)> = (-1..=1)
        .map(|offset| ("day".to_owned(), change.plus(offset).to_string()))
        .collect();
    periods.push(("week".to_owned(), change.to_string()));
    periods.push(("month".to_owned(), change.to_string()));
    periods.push(("range".to_owned(), fortnight.clone()));
    let prefix = format!("site {site} {timezone}, DST");
    let (mut differences, mut questions) = over_periods(&sides, &prefix, &periods).await;
    let method = "Live.getLastVisitsDetails";
    for (period, date) in [("day", change.to_string()), ("range", fortnight)] {
        let (e, m) = sides.both_over(method, "", period, &date).await;
        let (e, m) = (with_times(&e), with_times(&m));
        let question = format!("site {site} {timezone} visitor log, DST ({period} {date})");
        differences.extend(compare(&question, method, &e, &m, None));
        questions += 1;
    }
    (differences, questions)
}
