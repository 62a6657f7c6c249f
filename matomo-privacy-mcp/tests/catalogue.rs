//! The built-in catalogue against the emulator: every tool answers, aggregate results carry none of the
//! personal data planted in the emulator's dataset, and refusals are precise.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use common::configured;
use matomo_privacy_mcp::catalogue::{self, TOOL_NAMES};
use matomo_privacy_mcp::config::Config;
use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_core::testing::{self, TOKEN};
use matomo_privacy_mcp_core::{PrivacyClass, Toolbox};
use matomo_privacy_mcp_testkit::{
    Action, CAMPAIGN_LANDING_QUERIES, Emulator, PERSONAL_CAMPAIGN, Referrer,
};
use serde_json::{Value, json};

async fn emulator() -> Emulator {
    testing::emulator(11, &[1, 2]).await
}

async fn toolbox(emu: &Emulator, ceiling: &str) -> Toolbox<Deployment> {
    configured::toolbox(&emu.base_url(), TOKEN, ceiling, "catalogue").await
}

fn arguments(tool: &str, period: &str, date: &str) -> Value {
    testing::tool_arguments(tool, period, date, 100, 100)
}

#[tokio::test]
async fn every_aggregate_tool_answers_and_the_others_are_hidden() {
    let emu = emulator().await;
    let toolbox = toolbox(&emu, "aggregate").await;
    let listed: Vec<&str> = toolbox.list().map(|t| t.name()).collect();
    assert_eq!(listed.len(), TOOL_NAMES.len() - 2);
    assert!(!listed.contains(&"visit_log") && !listed.contains(&"raw_page_urls"));
    for tool in toolbox.list() {
        assert_eq!(tool.max_class(), PrivacyClass::Aggregate);
        assert!(
            tool.description().len() > 40,
            "{} needs a real description",
            tool.name()
        );
        let result = testing::answered(
            &toolbox,
            tool.name(),
            arguments(tool.name(), "month", "today"),
        )
        .await;
        assert!(result.structured().unwrap().is_object());
        assert!(!result.text().is_empty());
    }
}

/// Personal data the emulator planted: user ids (some e-mail addresses), IP addresses, visitor ids,
/// query-string values, names in titles, site-search terms and pages seen by one visitor only.
fn planted(emu: &Emulator) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut page_visitors: std::collections::BTreeMap<String, BTreeSet<String>> =
        Default::default();
    for visit in &emu.dataset().visits {
        out.insert(visit.ip.clone());
        out.insert(visit.visitor_id.clone());
        // A campaign named per subscriber (`newsletter-nov-4821973`) names one person.
        if let Referrer::Campaign { name, .. } = &visit.referrer
            && name.starts_with(&format!("{PERSONAL_CAMPAIGN}-"))
        {
            out.insert(name.clone());
        }
        if let Some(user) = &visit.user_id {
            out.insert(user.clone());
            out.insert(user.replace('@', "%40"));
        }
        for action in &visit.actions {
            match action {
                Action::Page { url, title, .. } => {
                    if let Some((_, query)) = url.split_once('?') {
                        for pair in query.split('&') {
                            // Campaign links' own parameters (`mtm_source=newsletter`) are
                            // where a link sat, not anybody's data.
                            let campaign = CAMPAIGN_LANDING_QUERIES
                                .iter()
                                .any(|q| q.split('&').any(|p| p == pair));
                            if let Some((_, value)) = pair.split_once('=')
                                && !campaign
                            {
                                out.insert(value.to_owned());
                            }
                        }
                    }
                    if let Some(name) = title
                        .strip_prefix("Profile of ")
                        .or_else(|| title.strip_prefix("Medical notes of "))
                    {
                        out.insert(name.to_owned());
                    }
                    let path = url.split('?').next().unwrap_or_default().to_owned();
                    page_visitors
                        .entry(path)
                        .or_default()
                        .insert(visit.visitor_id.clone());
                }
                Action::Search { keyword } => {
                    let searchers = emu
                        .dataset()
                        .visits
                        .iter()
                        .filter(|v| {
                            v.actions
                                .iter()
                                .any(|a| matches!(a, Action::Search { keyword: k } if k == keyword))
                        })
                        .map(|v| &v.visitor_id)
                        .collect::<BTreeSet<_>>();
                    if searchers.len() < 2 {
                        out.insert(keyword.clone());
                    }
                }
                _ => {}
            }
        }
    }
    // A page (without its query string) that only one visitor ever saw describes that visitor.
    for (url, visitors) in page_visitors {
        if visitors.len() == 1 {
            let path = url.split_once("://").map_or(url.as_str(), |(_, rest)| {
                rest.split_once('/').map_or("", |(_, p)| p)
            });
            if path.len() > 1 {
                out.insert(format!("/{path}"));
            }
        }
    }
    out.retain(|s| s.len() >= 4);
    out
}

#[tokio::test]
async fn aggregate_results_contain_none_of_the_planted_personal_data() {
    let emu = emulator().await;
    let toolbox = toolbox(&emu, "aggregate").await;
    let canaries = planted(&emu);
    assert!(
        canaries.iter().any(|c| c.contains('@')),
        "the dataset should plant e-mail addresses"
    );
    assert!(
        canaries.iter().any(|c| c.starts_with(PERSONAL_CAMPAIGN)),
        "the dataset should plant campaigns named per subscriber"
    );
    let mut leaks = Vec::new();
    for (period, date) in [
        ("day", "yesterday"),
        ("month", "today"),
        ("range", "last15"),
    ] {
        for tool in toolbox.list() {
            let result = toolbox
                .call(tool.name(), Some(arguments(tool.name(), period, date)))
                .await
                .unwrap();
            let text = result.to_json().to_string();
            for canary in &canaries {
                if text.contains(canary.as_str()) {
                    leaks.push(format!(
                        "{} ({period} {date}) leaks {canary:?}",
                        tool.name()
                    ));
                }
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "personal data reached aggregate results:\n{}",
        leaks.join("\n")
    );
}

#[tokio::test]
async fn refusals_are_precise() {
    let emu = emulator().await;
    let toolbox = toolbox(&emu, "aggregate").await;
    let cases = [
        (
            "top_pages",
            json!({ "site": 3 }),
            "refused by privacy policy: site 3 is not served by this deployment",
        ),
        (
            "top_pages",
            json!({ "site": 1, "segment": "userId==bob@example.com" }),
            "segment dimension `userId` is identifying",
        ),
        (
            "top_pages",
            json!({ "site": 1, "segment": "visitorId%3D%3Dabc" }),
            "segment dimension `visitorId` is pseudonymous",
        ),
        (
            "top_pages",
            json!({ "site": 1, "limit": 1000 }),
            "`limit` must be between 1 and 100",
        ),
        (
            "top_pages",
            json!({ "site": 1, "offset": 99999 }),
            "`offset` must be at most 10000",
        ),
        (
            "top_pages",
            json!({ "site": 1, "date": "last7" }),
            "`date` covers several periods",
        ),
        (
            "top_pages",
            json!({ "site": 1, "date": "2026-13-40" }),
            "invalid arguments",
        ),
        ("top_pages", json!({ "site": -1 }), "invalid arguments"),
        (
            "top_pages",
            json!({ "site": 1, "extra": true }),
            "unknown field `extra`",
        ),
        (
            "metric_trend",
            json!({ "site": 1, "metric": "nb_visits", "last": 500 }),
            "`last` must be between 2 and 120",
        ),
        (
            "metric_trend",
            json!({ "site": 1, "metric": "revenue" }),
            "unknown variant `revenue`",
        ),
    ];
    for (tool, args, expected) in cases {
        let refusal = testing::refused(&toolbox, tool, args.clone()).await;
        assert!(refusal.contains(expected), "{tool} {args}: {refusal}");
        assert!(!refusal.contains("bob@example.com"), "{refusal}");
    }
    let err = toolbox
        .call("visit_log", Some(json!({ "site": 1 })))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("allows at most aggregate"));
}

#[tokio::test]
async fn raising_the_ceiling_serves_the_generalised_visit_log() {
    let emu = emulator().await;
    let toolbox = toolbox(&emu, "pseudonymous").await;
    let result = testing::answered(
        &toolbox,
        "visit_log",
        json!({ "site": 1, "period": "month", "date": "today", "limit": 20 }),
    )
    .await;
    let text = result.to_json().to_string();
    for visit in &emu.dataset().visits {
        assert!(!text.contains(&visit.visitor_id) && !text.contains(&visit.ip));
        if let Some(user) = &visit.user_id {
            assert!(!text.contains(user.as_str()), "user id {user} in visit log");
        }
    }
    assert!(toolbox.descriptor("raw_page_urls").is_none());
}

#[tokio::test]
async fn unknown_tool_names_in_the_allow_list_are_refused() {
    let emu = emulator().await;
    let config = Config::from_toml_str(
        &format!(
            "[matomo]\nurl = \"{}\"\ntoken = \"{TOKEN}\"\n[privacy.noise]\nenabled = false\n",
            emu.base_url()
        ),
        |_| None,
    )
    .unwrap();
    let deployment = matomo_privacy_mcp::startup::connect(&config).await.unwrap();
    let err = catalogue::toolbox(deployment, Some(&["top_pages".into(), "everything".into()]))
        .unwrap_err();
    assert!(
        err.to_string().contains("there is no tool `everything`"),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("`tools.allowed (MATOMO_PRIVACY_MCP_ALLOWED_TOOLS)`"),
        "{err}"
    );
    // A profile's own list is named by its own key.
    let err = catalogue::check_tool_names(
        "profiles.support.allowed_tools",
        Some(&["top_pages".into(), "everything".into()]),
    )
    .unwrap_err();
    assert!(
        err.to_string().starts_with(
            "configuration `profiles.support.allowed_tools`: there is no tool `everything`"
        ),
        "{err}"
    );
}

#[test]
fn tool_names_list_every_built_in_tool_in_order() {
    let names: Vec<String> = catalogue::descriptors(None)
        .unwrap()
        .iter()
        .map(|d| d.name().to_owned())
        .collect();
    assert_eq!(names, TOOL_NAMES);
    let some = catalogue::descriptors(Some(&["countries".into()])).unwrap();
    assert_eq!(some.len(), 1);
}

/// While noise is on, the tools that answer only with exact numbers are not served, nor listed.
#[test]
fn exact_only_tools_are_served_only_without_noise() {
    let served = |noise| -> Vec<String> {
        catalogue::served_descriptors(None, noise)
            .unwrap()
            .iter()
            .map(|d| d.name().to_owned())
            .collect()
    };
    assert!(served(false).contains(&"page_performance".to_owned()));
    assert!(!served(true).contains(&"page_performance".to_owned()));
    assert_eq!(served(false).len(), served(true).len() + 1);
}

/// Every tool's description is short (a model reads all of them on every listing) and starts
/// with what it answers; together they stay within a budget.
#[test]
fn descriptions_say_which_question_each_tool_answers_briefly() {
    let descriptors = catalogue::descriptors(None).unwrap();
    let mut total = 0;
    for descriptor in &descriptors {
        let description = descriptor.description();
        total += description.len();
        assert!(
            description.len() <= 640,
            "{} has a {}-character description: keep it to a few lines",
            descriptor.name(),
            description.len()
        );
        let first = description.lines().next().unwrap_or_default();
        assert!(
            first.len() >= 30 && first.len() <= 240,
            "{}: the first line says what it answers: `{first}`",
            descriptor.name()
        );
    }
    assert!(total <= 11_000, "{total} characters of descriptions in all");
}
