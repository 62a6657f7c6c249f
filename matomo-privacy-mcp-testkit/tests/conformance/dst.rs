//! Visits on the days the clocks change: the dataset of a `today` whose fortnight holds both
//! autumn DST changes of 2026 (Europe/Berlin's on 25 October, America/New_York's on 1
//! November), its sites 2 and 3 each tracked into a real site of their own
//! ([`RealMatomo::shared_site`]). The dataset of [`super::sides::today`] has no visit near a
//! change, so without this the DST rules were only checked by `dataset/zone.rs`'s unit test.
//! Asked: [`over_periods`]'s reports plain and under the population count over the day
//! before the change, the change's day (25 hours long), the day after, the week and the month
//! holding it and the fortnight, and the visitor log (with each visit's server date and hours) of the
//! change's day and of the fortnight: 220 questions, about 10 s (and once about a minute to
//! track the two sites).
//!
//! Found (2026-12-06): all agree (unique visitors, days, weeks, months, local hours, the visitor
//! log's server dates and hours) but the server time report, 556 differences: Matomo 5.0.2
//! reads each visit's UTC hour at the offset of the UTC date its local day starts on (Berlin's
//! 25 October starts on 24 October in UTC, so the hours after the change come an hour late),
//! and each row's segment at the offset of that hour on the period's last day, where the
//! emulator used the first visit's offset for both. Fixed in the emulator
//! (`archived_hour`, `label_utc_hour` in `reports/dimensions.rs`).

use matomo_privacy_mcp_testkit::Day;
use matomo_privacy_mcp_testkit::real_matomo::RealMatomo;

use super::SEED;
use super::compare::{Difference, compare};
use super::sides::{Sides, emulator_builder};
use super::time_zones::{over_periods, with_times};

/// The emulator's sites in a time zone with DST, and the day its clocks go back in 2026.
const CHANGES: &[(u32, (i64, u32, u32))] = &[(2, (2026, 10, 25)), (3, (2026, 11, 1))];

/// The dataset's today: its fortnight (19 October to 2 November) holds both changes.
fn today() -> Day {
    Day::from_ymd(2026, 11, 2).unwrap()
}

/// Asks both servers the questions of each site around its change; the differences and how
/// many questions were asked. Nothing when the real Matomo is not there (the caller skipped
/// already).
pub async fn questions() -> (Vec<Difference>, usize) {
    let mut differences = Vec::new();
    let mut questions = 0;
    for &(site, (y, m, d)) in CHANGES {
        let Some(real) = RealMatomo::shared_site("conformance", SEED, today(), site).unwrap()
        else {
            return (differences, questions);
        };
        let emu = emulator_builder().today(today()).start().await.unwrap();
        let timezone = emu.dataset().site(site).unwrap().timezone.clone();
        let sides = Sides {
            http: reqwest::Client::new(),
            emu,
            real,
        };
        let change = Day::from_ymd(y, m, d).unwrap();
        let fortnight = format!("{},{}", today().plus(-14), today());
        let mut periods: Vec<(String, String)> = (-1..=1)
            .map(|offset| ("day".to_owned(), change.plus(offset).to_string()))
            .collect();
        periods.push(("week".to_owned(), change.to_string()));
        periods.push(("month".to_owned(), change.to_string()));
        periods.push(("range".to_owned(), fortnight.clone()));
        let prefix = format!("site {site} {timezone}, DST");
        let (more, asked) = over_periods(&sides, &prefix, &periods).await;
        differences.extend(more);
        questions += asked;
        let method = "Live.getLastVisitsDetails";
        for (period, date) in [("day", change.to_string()), ("range", fortnight)] {
            let (e, m) = sides.both_over(method, "", period, &date).await;
            let (e, m) = (with_times(&e), with_times(&m));
            let question = format!("site {site} {timezone} visitor log, DST ({period} {date})");
            differences.extend(compare(&question, method, &e, &m, None));
            questions += 1;
        }
    }
    (differences, questions)
}
