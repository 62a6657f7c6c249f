//! The questions: the battery an analyst of the shop asks about November 2026, the 100
//! distinct questions of one day, and where in Matomo each question's exact values are.

use serde_json::{Value, json};

/// Where the exact value of a question's numbers is in Matomo.
#[derive(Clone)]
pub(crate) enum Truth {
    /// One row of metrics (`VisitsSummary.get`, `Goals.get`), with extra parameters and a
    /// segment the tool adds for its population (`returning_visits`).
    Summary {
        method: &'static str,
        extra: &'static [(&'static str, &'static str)],
        population: Option<&'static str>,
    },
    /// A report's rows, matched by label.
    Report { method: &'static str, flat: bool },
    /// `compare_periods`: the report's rows in each compared period.
    Compare,
    /// `metric_trend`: `VisitsSummary.get` of each point's period.
    Trend,
}

#[derive(Clone)]
pub(crate) struct Question {
    pub(crate) tool: &'static str,
    pub(crate) args: Value,
    pub(crate) truth: Truth,
}

pub(crate) fn report_method(tool: &str) -> Option<(&'static str, bool)> {
    Some(match tool {
        "top_pages" => ("Actions.getPageUrls", true),
        "entry_pages" => ("Actions.getEntryPageUrls", true),
        "page_titles" => ("Actions.getPageTitles", true),
        "site_search_keywords" => ("Actions.getSiteSearchKeywords", false),
        "referrer_types" => ("Referrers.getReferrerType", false),
        "referrer_websites" => ("Referrers.getWebsites", false),
        "search_engines" => ("Referrers.getSearchEngines", false),
        "campaigns" => ("Referrers.getCampaigns", false),
        "social_networks" => ("Referrers.getSocials", false),
        "countries" => ("UserCountry.getCountry", false),
        "device_types" => ("DevicesDetection.getType", false),
        "browsers" => ("DevicesDetection.getBrowsers", false),
        "os_versions" => ("DevicesDetection.getOsVersions", false),
        "visits_per_hour" => ("VisitTime.getVisitInformationPerServerTime", false),
        _ => return None,
    })
}

fn q(tool: &'static str, args: Value) -> Question {
    let summary = |method, extra, population| Truth::Summary {
        method,
        extra,
        population,
    };
    let truth = match tool {
        "visits_summary" => summary("VisitsSummary.get", &[], None),
        // The tool's own population: Matomo 5.0.2's `visitorType==returning` leaves out
        // returning customers (`visitor_returning` 2), which its returning visits include.
        "returning_visits" => summary(
            "VisitsSummary.get",
            &[],
            Some("visitorType==returning,visitorType==returningCustomer"),
        ),
        "goals_overview" => summary("Goals.get", &[], None),
        "ecommerce_overview" => summary("Goals.get", &[("idGoal", "ecommerceOrder")], None),
        "compare_periods" => Truth::Compare,
        "metric_trend" => Truth::Trend,
        other => {
            let (method, flat) = report_method(other).expect("a known report tool");
            Truth::Report { method, flat }
        }
    };
    Question { tool, args, truth }
}

/// The battery's questions: a tool and its arguments but the site, as `name=value` (a whole
/// number is a JSON number, anything else a string).
const BATTERY: &[&str] = &[
    "visits_summary period=month date=2026-11-01",
    "visits_summary period=week date=2026-11-02",
    "visits_summary period=week date=2026-11-23",
    "visits_summary period=day date=2026-11-02",
    "visits_summary period=day date=2026-11-08",
    "visits_summary period=day date=2026-11-15",
    "visits_summary period=day date=2026-11-27",
    "visits_summary period=day date=2026-11-30",
    "visits_summary period=range date=2026-11-01,2026-11-15",
    "visits_summary period=range date=2026-11-20,2026-11-30",
    "visits_summary period=month date=2026-11-01 segment=countryCode==de",
    "visits_summary period=month date=2026-11-01 segment=deviceType==smartphone",
    "visits_summary period=month date=2026-11-01 segment=countryCode==us",
    "visits_summary period=week date=2026-11-23 segment=referrerType==campaign",
    "visits_summary period=day date=2026-11-27 segment=countryCode==fr",
    "returning_visits period=month date=2026-11-01",
    "top_pages period=month date=2026-11-01 limit=10",
    "top_pages period=week date=2026-11-23 limit=10",
    "top_pages period=day date=2026-11-27 limit=10",
    "top_pages period=month date=2026-11-01 segment=countryCode==de limit=10",
    "entry_pages period=month date=2026-11-01 limit=10",
    "page_titles period=month date=2026-11-01 limit=10",
    "countries period=month date=2026-11-01 limit=10",
    "countries period=week date=2026-11-09 limit=10",
    "countries period=day date=2026-11-27 limit=10",
    "countries period=month date=2026-11-01 segment=deviceType==desktop limit=10",
    "referrer_types period=month date=2026-11-01 limit=10",
    "referrer_types period=day date=2026-11-27 limit=10",
    "referrer_websites period=month date=2026-11-01 limit=10",
    "search_engines period=month date=2026-11-01 limit=10",
    "social_networks period=month date=2026-11-01 limit=10",
    "campaigns period=month date=2026-11-01 limit=10",
    "campaigns period=week date=2026-11-23 limit=10",
    "site_search_keywords period=month date=2026-11-01 limit=10",
    "device_types period=month date=2026-11-01 limit=10",
    "browsers period=month date=2026-11-01 limit=10",
    "os_versions period=month date=2026-11-01 limit=10",
    "visits_per_hour period=month date=2026-11-01 limit=24",
    "goals_overview period=month date=2026-11-01",
    "goals_overview period=month date=2026-11-01 goal=1",
    "ecommerce_overview period=month date=2026-11-01",
    "compare_periods report=UserCountry.getCountry period=week date=2026-11-23",
    "compare_periods report=Referrers.getReferrerType period=week date=2026-11-23",
    "metric_trend metric=nb_visits period=day last=40",
    "metric_trend metric=nb_visits period=week last=6",
];

/// The battery: what an analyst of the shop asks about November 2026.
pub(crate) fn battery(site: u32) -> Vec<Question> {
    BATTERY
        .iter()
        .map(|question| {
            let mut words = question.split(' ');
            let tool = words.next().expect("a tool");
            let mut args = json!({"site": site});
            for word in words {
                let (name, value) = word.split_once('=').expect("an argument's name=value");
                args[name] = value
                    .parse::<u64>()
                    .map_or_else(|_| json!(value), |n| json!(n));
            }
            q(tool, args)
        })
        .collect()
}

/// 100 distinct questions an analyst might ask in one day: the battery, then every day of the
/// month, then countries and pages by week and day.
pub(crate) fn hundred(site: u32) -> Vec<Question> {
    let mut questions = battery(site);
    for d in 1..=30 {
        let date = format!("2026-11-{d:02}");
        let question = q(
            "visits_summary",
            json!({"site": site, "period": "day", "date": date}),
        );
        if !questions
            .iter()
            .any(|x| x.tool == question.tool && x.args == question.args)
        {
            questions.push(question);
        }
    }
    let mut d = 1;
    while questions.len() < 100 {
        let date = format!("2026-11-{d:02}");
        for tool in ["countries", "top_pages", "referrer_types"] {
            if questions.len() < 100 {
                questions.push(q(
                    tool,
                    json!({"site": site, "period": "day", "date": date, "limit": 10}),
                ));
            }
        }
        d += 1;
    }
    questions
}

/// The built-in tool that answers a report of Matomo's (`compare_periods` names reports by method).
pub(crate) fn catalogue_tool_of(report: &str) -> Option<&'static str> {
    [
        "top_pages",
        "entry_pages",
        "page_titles",
        "site_search_keywords",
        "referrer_types",
        "referrer_websites",
        "search_engines",
        "campaigns",
        "social_networks",
        "countries",
        "device_types",
        "browsers",
        "os_versions",
        "visits_per_hour",
    ]
    .into_iter()
    .find(|t| report_method(t).is_some_and(|(m, _)| m == report))
}
