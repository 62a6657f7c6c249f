//! The emulator's sites 2 (Europe/Berlin) and 3 (America/New_York), each in a real site of its
//! own with the same time zone ([`RealMatomo::shared_site`]): how visits fall into a site's
//! local days, weeks and months, the unique visitors of a period added up over local days
//! (`sum_daily_nb_uniq_visitors`), the server and local time reports, goals, entry pages,
//! channels and the visitor log, over the days that straddle local midnight (a visit on one UTC day and another local day), the
//! weeks and the month holding them, the fortnight and a range over both autumn DST changes,
//! without segment and under a population count; each goal's `Goals.get`,
//! `getVisitsUntilConversion` and `getDaysToConversion` over the fortnight and the month; every
//! other segment shape site 1 is asked ([`shapes`]: contribution bounds, visitor types, the
//! 30-minute population count, a conversion range, the summaries' populations, rows' own
//! segments sent back verbatim, an "Other" negation, the saved segments the SDK applies here)
//! under the summary, the countries and the pages over the fortnight and over the straddling
//! day holding most of the site's visits, its week and its month; every report of a day and
//! a week without visits and of a day under a segment that selects none; and the days the
//! clocks change, on a dataset whose visits reach them ([`super::dst`]).
//!
//! Mutation check of the shapes (2026-12-06, with the 1,869 questions of then, on a copy of the
//! checkout; reverted): the emulator's `actions` segment dimension one more than the visit's
//! actions (`visit_values` in `query/segment.rs`) failed the test with 208 unexplained
//! differences, 68 of them sites 2 and 3's (their returning bounces,
//! `visitorType==returning,visitorType==returningCustomer;actions<=1`), the first of site 2
//! "(site 2 Europe/Berlin returning bounces) VisitsSummary.get [] nb_visits: 0 vs 5".

use std::collections::BTreeSet;

use matomo_privacy_mcp_testkit::Day;
use matomo_privacy_mcp_testkit::real_matomo::RealMatomo;

use serde_json::Value;

use super::compare::{Difference, compare, text};
use super::sides::{Sides, fortnight, today};
use super::{COLUMNS, SEED, projections, shapes};

/// The emulator's sites in a time zone other than UTC.
const SITES: &[u32] = &[2, 3];

/// What is asked of each period.
const METHODS: &[&str] = &[
    "VisitsSummary.get",
    "Actions.getPageUrls",
    "UserCountry.getCountry",
    "VisitTime.getVisitInformationPerServerTime",
    "VisitTime.getVisitInformationPerLocalTime",
    "VisitTime.getByDayOfWeek",
    "Goals.get",
    "Actions.getEntryPageUrls",
    "Referrers.getReferrerType",
];

/// Without segment, and under the population count.
const SEGMENTS: &[(&str, &str)] = &[
    ("", ""),
    (", population count", "visitCount==1,daysSinceLastVisit>=1"),
];

/// A segment no visit of the dataset matches.
const NOBODY: &str = "visitCount==9999";

/// The site's offset from UTC in seconds over the dataset's fortnight (November 2026, after
/// both autumn DST changes), to find the days that straddle local midnight.
fn offset(timezone: &str) -> i64 {
    match timezone {
        "Europe/Berlin" => 3_600,
        "America/New_York" => -5 * 3_600,
        _ => 0,
    }
}

/// Asks both servers the questions of every site but 1; the differences and how many
/// questions were asked. Nothing when the real Matomo is not there (the caller skipped already).
pub async fn questions() -> (Vec<Difference>, usize) {
    let mut differences = Vec::new();
    let mut questions = 0;
    for &site in SITES {
        let Some(real) = RealMatomo::shared_site("conformance", SEED, today(), site).unwrap()
        else {
            return (differences, questions);
        };
        let emu = super::sides::emulator().await;
        let timezone = emu.dataset().site(site).unwrap().timezone.clone();
        let shift = offset(&timezone);
        // Each visit's UTC day and local day, where they differ.
        let straddling: BTreeSet<Day> = emu
            .dataset()
            .visits
            .iter()
            .filter(|v| v.site == site)
            .flat_map(|v| {
                [
                    Day(v.first_ts.div_euclid(86_400)),
                    Day((v.first_ts + shift).div_euclid(86_400)),
                ]
            })
            .collect::<Vec<_>>()
            .chunks(2)
            .filter(|pair| pair[0] != pair[1])
            .flatten()
            .copied()
            .collect();
        let sides = Sides {
            http: reqwest::Client::new(),
            emu,
            real,
        };
        let mut periods: Vec<(String, String)> = straddling
            .iter()
            .map(|d| ("day".to_owned(), d.to_string()))
            .collect();
        let weeks: BTreeSet<Day> = straddling.iter().map(|d| d.week_start()).collect();
        periods.extend(weeks.iter().map(|d| ("week".to_owned(), d.to_string())));
        periods.push(("month".to_owned(), today().to_string()));
        periods.push(("range".to_owned(), fortnight()));
        periods.push(("range".to_owned(), format!("2026-10-25,{}", today())));
        let (more, asked) =
            over_periods(&sides, &format!("site {site} {timezone}"), &periods).await;
        differences.extend(more);
        questions += asked;
        // Nobody: a day and a week before the dataset, and a straddling day under a segment
        // that selects no visit. Matomo archives nothing and answers no row, not every hour
        // or weekday with zeros (the emulator did so until 2026-12-06, with UTC's hours).
        let first_day = straddling.iter().next().map(Day::to_string);
        let nobody = [
            ("day", "2026-01-01".to_owned(), ""),
            ("week", "2026-01-01".to_owned(), ""),
        ]
        .into_iter()
        .chain(first_day.map(|day| ("day", day, NOBODY)));
        for (period, date, segment) in nobody {
            for method in METHODS {
                let (e, m) = sides.both_over(method, segment, period, &date).await;
                let question =
                    format!("site {site} {timezone}, nobody ({period} {date} {segment})");
                differences.extend(compare(&question, method, &e, &m, Some(COLUMNS)));
                questions += 1;
            }
        }
        // The goal reports of each of the site's goals, over the fortnight and the month.
        let goals: Vec<String> = sides
            .emu
            .dataset()
            .goals
            .iter()
            .filter(|g| g.site == site)
            .map(|g| g.id.to_string())
            .collect();
        for (period, date) in [("range", fortnight()), ("month", today().to_string())] {
            for goal in &goals {
                for method in GOAL_METHODS {
                    let (e, m) = sides
                        .both_with(method, "", period, &date, &[("idGoal", goal)])
                        .await;
                    let question =
                        format!("site {site} {timezone} idGoal {goal} ({period} {date})");
                    differences.extend(compare(&question, method, &e, &m, Some(COLUMNS)));
                    questions += 1;
                }
            }
        }
        // The segment shapes the SDK sends beside the population count (asked above), as site
        // 1 is asked them: contribution bounds, visitor types, the 30-minute population count,
        // a conversion range, the first two page, country and channel rows' own segments sent
        // back, an "Other" negation of three page rows' and the saved segments the SDK applies
        // here, over the fortnight and over the straddling day holding most of the site's
        // visits, its week and its month.
        let shapes: Vec<(String, String)> = shapes::shapes(&sides, site, 2)
            .await
            .into_iter()
            .filter(|(_, segment)| segment != shapes::POPULATION_COUNT)
            .collect();
        let visits_on = |d: &Day| {
            let visits = sides.emu.dataset().visits.iter();
            visits
                .filter(|v| v.site == site && Day((v.first_ts + shift).div_euclid(86_400)) == *d)
                .count()
        };
        let busiest = straddling.iter().max_by_key(|d| visits_on(d));
        if let Some(day) = busiest {
            let prefix = format!("site {site} {timezone} ");
            let (more, asked) = shapes::ask(&sides, &prefix, &shapes, &day.to_string()).await;
            differences.extend(more);
            questions += asked;
        }
        // The visitor log of the fortnight and of each straddling day, with each visit's
        // server date and hour (in the site's time zone on Matomo).
        let method = "Live.getLastVisitsDetails";
        let logs = std::iter::once(("range".to_owned(), fortnight()))
            .chain(straddling.iter().map(|d| ("day".to_owned(), d.to_string())));
        for (period, date) in logs {
            for (name, segment) in SEGMENTS {
                let (e, m) = sides.both_over(method, segment, &period, &date).await;
                let (e, m) = (with_times(&e), with_times(&m));
                let question =
                    format!("site {site} {timezone} visitor log{name} ({period} {date})");
                differences.extend(compare(&question, method, &e, &m, None));
                questions += 1;
            }
        }
    }
    // The days the clocks change, on a dataset whose visits reach them.
    let (more, asked) = super::dst::questions().await;
    differences.extend(more);
    questions += asked;
    (differences, questions)
}

/// [`METHODS`] over each of `periods` (`period`, `date`), plain and under the population count
/// ([`SEGMENTS`]), each question named `{prefix}{segment's name} ({period} {date})`; the
/// differences and how many questions.
pub async fn over_periods(
    sides: &Sides,
    prefix: &str,
    periods: &[(String, String)],
) -> (Vec<Difference>, usize) {
    shapes::over(sides, prefix, SEGMENTS, periods, METHODS).await
}

/// The goal reports asked of each goal (as `visits_to_conversion` and the goal summaries ask).
const GOAL_METHODS: &[&str] = &[
    "Goals.get",
    "Goals.getVisitsUntilConversion",
    "Goals.getDaysToConversion",
];

/// The fields of a visit that say when it was: Matomo gives them in the site's time zone.
const TIME_FIELDS: &[&str] = &["serverDate", "visitServerHour", "visitLocalHour"];

/// The visitor log as the generaliser reads it ([`projections::visits`]), with each visit's
/// [`TIME_FIELDS`].
pub fn with_times(answer: &Value) -> Value {
    let mut projected = projections::visits(answer);
    if let (Value::Array(raw), Value::Array(rows)) = (answer, &mut projected) {
        for (visit, row) in raw.iter().zip(rows.iter_mut()) {
            for field in TIME_FIELDS {
                if let (Some(x), Some(row)) = (visit.get(*field), row.as_object_mut()) {
                    row.insert((*field).into(), Value::from(text(x)));
                }
            }
        }
    }
    projected
}
