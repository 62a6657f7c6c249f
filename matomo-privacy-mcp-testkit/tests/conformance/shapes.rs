//! The segment shapes the SDK sends, asked of site 1 (`main.rs`) and of sites 2 and 3
//! ([`super::time_zones`]) alike: population counts, contribution bounds, an "Other" negation
//! of rows' own segments, visitor types, a visits-to-conversion range, the summaries'
//! populations (converted, returning and ordering visits, returning bounces), rows' own
//! segments sent back verbatim and the saved segments the SDK applies, each under a summary and
//! two reports, over the fortnight and over a day, its week and its month.

use super::COLUMNS;
use super::compare::{Difference, compare, rows, text};
use super::sides::Sides;

/// What is asked under each shape: a summary and two reports.
pub const SHAPE_METHODS: &[&str] = &[
    "VisitsSummary.get",
    "UserCountry.getCountry",
    "Actions.getPageUrls",
];

/// The population count `population_count` sends (a visitor's first visit, or a later one a
/// day or more after the one before).
pub const POPULATION_COUNT: &str = "visitCount==1,daysSinceLastVisit>=1";

/// Matomo's returning visits, a returning customer's included (`visitorType==returning` alone
/// leaves them out in Matomo 5.0.2), as the summaries ask for them.
const RETURNING: &str = "visitorType==returning,visitorType==returningCustomer";

/// The dimensions whose segments the SDK refuses (`policy::check_segment`: identifying), so
/// that it applies no saved segment on them either.
const REFUSED: &[&str] = &["userId", "visitorId", "visitIp"];

/// Every shape for the emulator's `site`, named: the population counts, the contribution
/// bounds, the "Other" negation of the fortnight's first three page rows' segments, the visitor
/// types, a conversion range, the summaries' populations, the first `per_source` page, country and channel rows' own
/// segments and the saved segments the SDK applies for the site (saved for it or for every
/// site, on no refused dimension).
pub async fn shapes(sides: &Sides, site: u32, per_source: usize) -> Vec<(String, String)> {
    let mut rows_own = Vec::new();
    let mut pages = Vec::new();
    for (source, method) in [
        ("page", "Actions.getPageUrls"),
        ("country", "UserCountry.getCountry"),
        ("channel", "Referrers.getReferrerType"),
    ] {
        let (_, answer) = sides.both(method, "").await;
        let segments: Vec<(String, String)> = rows(&answer)
            .into_iter()
            .filter_map(|(label, r)| r.get("segment").map(|s| (label, text(s))))
            .collect();
        if source == "page" {
            pages = segments.iter().take(3).map(|(_, s)| s.clone()).collect();
        }
        for (label, segment) in segments.into_iter().take(per_source) {
            rows_own.push((format!("{source} row {label}"), segment));
        }
    }
    let other = pages
        .iter()
        .map(|s| s.replacen("==", "!=", 1))
        .collect::<Vec<_>>()
        .join(";");
    let named = |name: &str, segment: &str| (name.to_owned(), segment.to_owned());
    let mut shapes = vec![
        named("population count", POPULATION_COUNT),
        named(
            "contribution bounds",
            "visitCount<=2;visitDuration<=1800;actions<=10",
        ),
        named("Other negation", &other),
        named(
            "population count, visits 30 minutes apart",
            "visitCount==1,secondsSinceLastVisit>=1800",
        ),
        named("returning visits", "visitorType==returning"),
        named("returning customers", "visitorType==returningCustomer"),
        named(
            "conversion range",
            "visitCount>=2;visitCount<=3;visitConvertedGoalId==1",
        ),
        // The populations of the summaries (`reporting::summary::Population`) and a part of one.
        named("converted visits", "visitConverted==1"),
        named("returning visits of either type", RETURNING),
        named(
            "ordering visits",
            "visitEcommerceStatus==ordered,visitEcommerceStatus==orderedThenAbandonedCart",
        ),
        named("returning bounces", &format!("{RETURNING};actions<=1")),
    ];
    shapes.extend(rows_own);
    let saved = sides.emu.dataset().saved_segments.iter().filter(|s| {
        s.site.is_none_or(|own| own == site)
            && !s
                .definition
                .split([';', ','])
                .any(|condition| REFUSED.iter().any(|d| condition.starts_with(d)))
    });
    shapes.extend(saved.map(|s| (format!("saved segment {}", s.name), s.definition.clone())));
    shapes
}

/// [`SHAPE_METHODS`] under each of `shapes` over the fortnight (question `{prefix}{name}`) and
/// over the day, week and month holding `day` (`{prefix}{name} ({period} {day})`), where Matomo
/// archives a segment per day and adds the days up; the differences and how many questions.
pub async fn ask(
    sides: &Sides,
    prefix: &str,
    shapes: &[(String, String)],
    day: &str,
) -> (Vec<Difference>, usize) {
    let mut differences = Vec::new();
    let mut questions = 0;
    for (name, segment) in shapes {
        for method in SHAPE_METHODS {
            let (e, m) = sides.both(method, segment).await;
            differences.extend(compare(
                &format!("{prefix}{name}"),
                method,
                &e,
                &m,
                Some(COLUMNS),
            ));
            questions += 1;
        }
    }
    let periods = ["day", "week", "month"].map(|period| (period.to_owned(), day.to_owned()));
    let (more, asked) = over(sides, prefix, shapes, &periods, SHAPE_METHODS).await;
    differences.extend(more);
    (differences, questions + asked)
}

/// `methods` under each of `segments` (name, segment) over each of `periods` (`period`,
/// `date`), each question named `{prefix}{name} ({period} {date})`; the differences and how
/// many questions.
pub async fn over(
    sides: &Sides,
    prefix: &str,
    segments: &[(impl AsRef<str>, impl AsRef<str>)],
    periods: &[(String, String)],
    methods: &[&str],
) -> (Vec<Difference>, usize) {
    let mut differences = Vec::new();
    let mut questions = 0;
    for (name, segment) in segments {
        for (period, date) in periods {
            for method in methods {
                let (e, m) = sides
                    .both_over(method, segment.as_ref(), period, date)
                    .await;
                let question = format!("{prefix}{} ({period} {date})", name.as_ref());
                differences.extend(compare(&question, method, &e, &m, Some(COLUMNS)));
                questions += 1;
            }
        }
    }
    (differences, questions)
}
