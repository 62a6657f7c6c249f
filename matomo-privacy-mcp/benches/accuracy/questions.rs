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
    let truth = match tool {
        "visits_summary" => Truth::Summary {
            method: "VisitsSummary.get",
            extra: &[],
            population: None,
        },
        "returning_visits" => Truth::Summary {
            method: "VisitsSummary.get",
            extra: &[],
            // The tool's own population: Matomo 5.0.2's `visitorType==returning` leaves out
            // returning customers (`visitor_returning` 2), which its returning visits include.
            population: Some("visitorType==returning,visitorType==returningCustomer"),
        },
        "goals_overview" => Truth::Summary {
            method: "Goals.get",
            extra: &[],
            population: None,
        },
        "ecommerce_overview" => Truth::Summary {
            method: "Goals.get",
            extra: &[("idGoal", "ecommerceOrder")],
            population: None,
        },
        "compare_periods" => Truth::Compare,
        "metric_trend" => Truth::Trend,
        other => {
            let (method, flat) = report_method(other).expect("a known report tool");
            Truth::Report { method, flat }
        }
    };
    Question { tool, args, truth }
}

/// The battery: what an analyst of the shop asks about November 2026.
pub(crate) fn battery(site: u32) -> Vec<Question> {
    let s = site;
    let sum = |period: &str, date: &str| json!({"site": s, "period": period, "date": date});
    let seg = |period: &str, date: &str, segment: &str| json!({"site": s, "period": period, "date": date, "segment": segment});
    let rep =
        |period: &str, date: &str| json!({"site": s, "period": period, "date": date, "limit": 10});
    vec![
        q("visits_summary", sum("month", "2026-11-01")),
        q("visits_summary", sum("week", "2026-11-02")),
        q("visits_summary", sum("week", "2026-11-23")),
        q("visits_summary", sum("day", "2026-11-02")),
        q("visits_summary", sum("day", "2026-11-08")),
        q("visits_summary", sum("day", "2026-11-15")),
        q("visits_summary", sum("day", "2026-11-27")),
        q("visits_summary", sum("day", "2026-11-30")),
        q("visits_summary", sum("range", "2026-11-01,2026-11-15")),
        q("visits_summary", sum("range", "2026-11-20,2026-11-30")),
        q(
            "visits_summary",
            seg("month", "2026-11-01", "countryCode==de"),
        ),
        q(
            "visits_summary",
            seg("month", "2026-11-01", "deviceType==smartphone"),
        ),
        q(
            "visits_summary",
            seg("month", "2026-11-01", "countryCode==us"),
        ),
        q(
            "visits_summary",
            seg("week", "2026-11-23", "referrerType==campaign"),
        ),
        q(
            "visits_summary",
            seg("day", "2026-11-27", "countryCode==fr"),
        ),
        q("returning_visits", sum("month", "2026-11-01")),
        q("top_pages", rep("month", "2026-11-01")),
        q("top_pages", rep("week", "2026-11-23")),
        q("top_pages", rep("day", "2026-11-27")),
        q(
            "top_pages",
            json!({"site": s, "period": "month", "date": "2026-11-01", "segment": "countryCode==de", "limit": 10}),
        ),
        q("entry_pages", rep("month", "2026-11-01")),
        q("page_titles", rep("month", "2026-11-01")),
        q("countries", rep("month", "2026-11-01")),
        q("countries", rep("week", "2026-11-09")),
        q("countries", rep("day", "2026-11-27")),
        q(
            "countries",
            json!({"site": s, "period": "month", "date": "2026-11-01", "segment": "deviceType==desktop", "limit": 10}),
        ),
        q("referrer_types", rep("month", "2026-11-01")),
        q("referrer_types", rep("day", "2026-11-27")),
        q("referrer_websites", rep("month", "2026-11-01")),
        q("search_engines", rep("month", "2026-11-01")),
        q("social_networks", rep("month", "2026-11-01")),
        q("campaigns", rep("month", "2026-11-01")),
        q("campaigns", rep("week", "2026-11-23")),
        q("site_search_keywords", rep("month", "2026-11-01")),
        q("device_types", rep("month", "2026-11-01")),
        q("browsers", rep("month", "2026-11-01")),
        q("os_versions", rep("month", "2026-11-01")),
        q(
            "visits_per_hour",
            json!({"site": s, "period": "month", "date": "2026-11-01", "limit": 24}),
        ),
        q("goals_overview", sum("month", "2026-11-01")),
        q(
            "goals_overview",
            json!({"site": s, "period": "month", "date": "2026-11-01", "goal": 1}),
        ),
        q("ecommerce_overview", sum("month", "2026-11-01")),
        q(
            "compare_periods",
            json!({"site": s, "report": "UserCountry.getCountry", "period": "week", "date": "2026-11-23"}),
        ),
        q(
            "compare_periods",
            json!({"site": s, "report": "Referrers.getReferrerType", "period": "week", "date": "2026-11-23"}),
        ),
        q(
            "metric_trend",
            json!({"site": s, "metric": "nb_visits", "period": "day", "last": 40}),
        ),
        q(
            "metric_trend",
            json!({"site": s, "metric": "nb_visits", "period": "week", "last": 6}),
        ),
    ]
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
