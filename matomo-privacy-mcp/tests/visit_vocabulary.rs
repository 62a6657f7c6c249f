//! The visitor log shows a URL, title, event or referrer only when at least k distinct visitors of
//! the period share it: the planted person's pages, titles, searches and events never appear. On
//! the emulator, and on a real Matomo 5.0.2 holding the same dataset (`RealMatomo`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use common::configured;
use matomo_privacy_mcp_core::Toolbox;
use matomo_privacy_mcp_core::minimise::Scrubber;
use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_core::testing::{self, TOKEN};
use matomo_privacy_mcp_testkit::{Dataset, Day, Emulator, RARE_PERSON};
use serde_json::{Value, json};

const K: usize = 5;

async fn setup(name: &str) -> (Emulator, Toolbox<Deployment>) {
    let emu = testing::emulator(11, &[1, 2]).await;
    let toolbox = toolbox_on(&emu.base_url(), TOKEN, name).await;
    (emu, toolbox)
}

/// The application's built-in tools on the Matomo at `base_url`, read with `token`.
async fn toolbox_on(base_url: &str, token: &str, name: &str) -> Toolbox<Deployment> {
    configured::toolbox(
        base_url,
        token,
        "pseudonymous",
        &format!("vocabulary-{name}"),
    )
    .await
}

fn ymd(day: Day) -> String {
    let (y, m, d) = day.ymd();
    format!("{y:04}-{m:02}-{d:02}")
}

fn scrubbed(value: impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
}

fn path(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.find('/').map_or("/", |i| &rest[i..])
}

#[tokio::test]
async fn the_visit_log_shows_no_value_fewer_than_k_visitors_share() {
    let (emu, toolbox) = setup("days").await;
    the_visit_log_shows_no_value_fewer_than_k_visitors_share_on(&toolbox, emu.dataset(), 1).await;
}

/// The same on a real Matomo 5.0.2 holding the emulator's dataset in a site of its own.
#[tokio::test]
async fn on_a_real_matomo_the_visit_log_shows_no_value_fewer_than_k_visitors_share() {
    let today = Day::from_ymd(2026, 11, 26).unwrap();
    let Some(real) = testing::real_matomo("visit vocabulary on a real Matomo").await else {
        return;
    };
    let toolbox = toolbox_on(&real.base_url(), real.view_token(), "real").await;
    let data = Dataset::generate(11, today);
    the_visit_log_shows_no_value_fewer_than_k_visitors_share_on(&toolbox, &data, real.site()).await;
}

/// The visit log of `site` (the dataset's site 1) day by day over the last week of `data`.
async fn the_visit_log_shows_no_value_fewer_than_k_visitors_share_on(
    toolbox: &Toolbox<Deployment>,
    data: &Dataset,
    site: u32,
) {
    let scrubber = Scrubber::builder().build().unwrap();
    let planted = [
        RARE_PERSON.to_lowercase(),
        "olaf".to_owned(),
        "brennan".to_owned(),
        "/patients/".to_owned(),
        "booking confirmed".to_owned(),
    ];
    let (mut days_with_person, mut generalised, mut common_shown) = (0, 0, 0);
    for back in 1..8 {
        let day = data.today.plus(-back);
        let visits: Vec<_> = data.visits_in(1, day, day).collect();
        let person_here = visits
            .iter()
            .any(|v| v.pages().any(|(_, title, _)| title.contains(RARE_PERSON)));
        days_with_person += usize::from(person_here);
        let result = testing::answered(
            toolbox,
            "visit_log",
            json!({ "site": site, "period": "day", "date": ymd(day), "limit": 50 }),
        )
        .await;
        let out = result.structured().unwrap();
        assert_eq!(
            out["visits"].as_array().unwrap().len(),
            visits.len(),
            "every visit of the day is in the log"
        );
        let all = result.to_json().to_string().to_lowercase();
        for value in &planted {
            assert!(
                !all.contains(value.as_str()),
                "{value} on {}: {all}",
                ymd(day)
            );
        }
        generalised += out["generalised_values"].as_u64().unwrap();

        // Every URL and title still shown is shared by k distinct visitors of the day.
        let visitors_with = |shown: &str, title: bool| -> BTreeSet<&str> {
            visits
                .iter()
                .filter(|v| {
                    v.pages().any(|(url, t, _)| {
                        if title {
                            scrubbed(scrubber.text(t)) == shown
                        } else {
                            scrubbed(scrubber.url(path(url))) == path(shown)
                        }
                    })
                })
                .map(|v| v.visitor_id.as_str())
                .collect()
        };
        for visit in out["visits"].as_array().unwrap() {
            for action in visit["actions"].as_array().unwrap() {
                if action["type"] != "action" {
                    continue;
                }
                for (field, title) in [("url", false), ("title", true)] {
                    let Some(shown) = action[field].as_str() else {
                        continue;
                    };
                    if shown.contains("[rare ") {
                        continue;
                    }
                    let people = visitors_with(shown, title);
                    assert!(
                        people.len() >= K,
                        "{field} `{shown}` is shared by {}",
                        people.len()
                    );
                    common_shown += 1;
                }
            }
        }
    }
    assert!(days_with_person >= 2, "the person visits on several days");
    assert!(generalised > 0, "rare values were generalised");
    assert!(
        common_shown > 20,
        "common values are still shown: {common_shown}"
    );
}

#[tokio::test]
async fn a_period_of_fewer_than_k_visitors_shows_no_visit() {
    let (emu, toolbox) = setup("withheld").await;
    // One visit, singled out by its length and hour.
    let day = emu.dataset().today.plus(-2);
    let v = emu.dataset().visits_in(1, day, day).next().unwrap();
    let segment = format!(
        "visitDuration=={};visitServerHour=={}",
        v.duration,
        v.server_hour()
    );
    let result = testing::answered(
        &toolbox,
        "visit_log",
        json!({ "site": 1, "period": "day", "date": ymd(day), "segment": segment }),
    )
    .await;
    let out: &Value = result.structured().unwrap();
    assert_eq!(out["withheld"], true, "{out}");
    assert_eq!(out["visits"], json!([]));
    assert_eq!(
        result.text(),
        "Withheld: fewer than 5 distinct visitors in this site, period and segment."
    );
}
