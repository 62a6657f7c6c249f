//! The test world (feature `testing`): an emulated Matomo holding a seeded dataset, a view
//! token, and a [`Deployment`] over it with tools (the ready-made ones, say), set up in one line.
//!
//! ```no_run
//! # async fn demo() {
//! use matomo_privacy_mcp_core::testing;
//!
//! let emu = testing::emulator(11, &[1, 2]).await;
//! let toolbox = testing::deployment(&emu)
//!     .threshold(5)
//!     .toolbox(matomo_privacy_mcp_tools::all())
//!     .await;
//! let answer = toolbox.call("visits_summary", Some(serde_json::json!({"site": 1}))).await;
//! # }
//! ```
//!
//! It is for tests: a step that fails (the emulator does not start, a setting is out of range)
//! panics with what went wrong, as a test should.
#![allow(clippy::expect_used)]

use matomo_privacy_mcp_testkit::real_matomo::{RealMatomo, RowLimits};
use matomo_privacy_mcp_testkit::{Day, Emulator, EmulatorBuilder, Referrer, Site, Visit};

use crate::dp::NoiseSetup;
use crate::minimise::{Scrubber, Threshold};
use crate::params::{Date, Params, Period, Sites};
use crate::policy::SiteAccess;
use crate::privacy::PseudonymKey;
use crate::reporting::Deployment;
use crate::tool::CallToolResult;
use crate::{MatomoClient, PrivacyClass, Tool, Toolbox};

/// The view token of the test world's emulator.
pub const TOKEN: &str = "view0123456789abcdef0123456789ab";

/// The day the test world's emulator takes for today: 2026-11-26.
pub fn today() -> Day {
    Day::from_ymd(2026, 11, 26).expect("2026-11-26 is a day")
}

/// An emulator holding dataset `seed`, with [`today`] for today and [`TOKEN`] viewing `sites`.
pub async fn emulator(seed: u64, sites: &[u32]) -> Emulator {
    emulator_for(TOKEN, seed, sites).await
}

/// [`emulator`] with another view token: for tests about the token itself.
pub async fn emulator_for(token: &str, seed: u64, sites: &[u32]) -> Emulator {
    emulator_builder(seed)
        .view_token(token, sites)
        .start()
        .await
        .expect("the emulator starts")
}

/// [`emulator`] where `root` is a super-user token as well: for tests of what a token may do.
pub async fn emulator_with_super_user(seed: u64, sites: &[u32], root: &str) -> Emulator {
    emulator_builder(seed)
        .view_token(TOKEN, sites)
        .super_user_token(root)
        .start()
        .await
        .expect("the emulator starts")
}

/// An emulator holding `copies` copies of dataset 11's visitors, with [`today`] for today and
/// `token` viewing `sites`: enough people for rows to be shown under noise and thresholds.
pub async fn busier_emulator(token: &str, sites: &[u32], copies: u32) -> Emulator {
    emulator_builder(11)
        .view_token(token, sites)
        .busier(copies)
        .start()
        .await
        .expect("the emulator starts")
}

/// The settings of an emulator holding dataset `seed` with [`today`] for today, for a test to
/// add its own tokens, faults or busier days before it starts.
pub fn emulator_builder(seed: u64) -> EmulatorBuilder {
    Emulator::builder().seed(seed).today(today())
}

/// The real Matomo of the testkit's [`RealMatomo`] holding dataset 11 as of [`today`] (set up
/// on a blocking thread the first time), for the test named `test`; `None`, after one `SKIPPED`
/// line saying what to install, where there is none and `CI` is not set.
pub async fn real_matomo(test: &str) -> Option<RealMatomo> {
    let test = test.to_owned();
    tokio::task::spawn_blocking(move || RealMatomo::shared(&test, 11, today()))
        .await
        .expect("the real Matomo's set-up ends")
        .expect("the real Matomo is set up")
}

/// A site of its own on the real Matomo of [`real_matomo`], with `site`'s settings, holding
/// `visits` and archived keeping Matomo's 500 rows of the page reports' top level and at most
/// `subtable_actions` per directory (see [`RowLimits`]), for the test named `test` (`tag` names
/// the site among the test's): the Matomo and the site's id; `None`, after one `SKIPPED` line,
/// where there is no real Matomo and `CI` is not set.
pub async fn real_matomo_site(
    test: &str,
    tag: &str,
    site: Site,
    visits: Vec<Visit>,
    subtable_actions: u32,
) -> Option<(RealMatomo, u32)> {
    let (test, tag) = (test.to_owned(), tag.to_owned());
    let limits = RowLimits {
        actions: 500,
        subtable_actions,
    };
    tokio::task::spawn_blocking(move || {
        let real = RealMatomo::shared(&test, 11, today()).expect("the real Matomo is set up")?;
        let id = real
            .site_with_row_limits(&test, &tag, &site, &visits, limits)
            .expect("the site is set up")?;
        Some((real, id))
    })
    .await
    .expect("the real Matomo's set-up ends")
}

/// `template` made the first visit of a visitor of no user id on `day`, coming directly, with
/// no conversions, site searches or contents: for a test to give it its own visitor, address,
/// time and actions.
pub fn first_direct_visit(template: &Visit, day: Day) -> Visit {
    let mut visit = template.clone();
    visit.user_id = None;
    visit.day = day;
    visit.returning = false;
    visit.visit_count = 1;
    visit.referrer = Referrer::Direct;
    visit.conversions.clear();
    visit.details.days_since_last = 0;
    visit.details.days_since_first = 0;
    visit.details.seconds_since_last = 0;
    visit.details.search_categories.clear();
    visit.details.contents.clear();
    visit.details.returning_customer = false;
    visit
}

/// The parameters of a flat report of site `site` for the day `day`.
pub fn flat_day(site: u32, day: Day) -> Params {
    let (y, m, d) = day.ymd();
    let date = crate::params::Day::new(
        u16::try_from(y).expect("a year of four digits"),
        u8::try_from(m).expect("a month"),
        u8::try_from(d).expect("a day of the month"),
    )
    .expect("a day of the calendar");
    Params::new()
        .sites(Sites::one(site).expect("a site id"))
        .period(Period::Day)
        .date(Date::Day(date))
        .flat(true)
}

/// Arguments of site 1 that the ready-made `tool` takes: `period` `date` where it names any
/// period, at most `limit` rows (`visit_log`: `visit_log_limit` visits). Annotations are of the
/// year, `compare_periods` and `report` of the month, and `metric_trend` of the last 7 days,
/// each up to today: a test asking about other periods sets them.
pub fn tool_arguments(
    tool: &str,
    period: &str,
    date: &str,
    limit: u32,
    visit_log_limit: u32,
) -> serde_json::Value {
    use serde_json::json;
    let compared =
        |report: &str| json!({ "site": 1, "report": report, "period": "month", "date": "today" });
    match tool {
        "list_sites" => json!({}),
        "report_catalogue" | "saved_segments" => json!({ "site": 1 }),
        "annotations" => json!({ "site": 1, "period": "year", "date": "today" }),
        "compare_periods" => compared("UserCountry.getCountry"),
        "report" => compared("UserCountry.getRegion"),
        "metric_trend" => json!({ "site": 1, "metric": "nb_visits", "period": "day", "last": 7 }),
        "all_sites" => json!({ "period": period, "date": date }),
        "visits_summary" | "returning_visits" | "goals_overview" | "ecommerce_overview"
        | "site_overview" | "page_performance" => {
            json!({ "site": 1, "period": period, "date": date })
        }
        "visits_to_conversion" => {
            json!({ "site": 1, "period": period, "date": date, "by": "days_since_first_visit" })
        }
        "visit_log" => {
            json!({ "site": 1, "period": period, "date": date, "limit": visit_log_limit })
        }
        _ => json!({ "site": 1, "period": period, "date": date, "limit": limit }),
    }
}

/// Calls `tool` of `toolbox` with `arguments`, a call the tool must answer (not refuse or fail):
/// its result.
pub async fn answered<S: Send + Sync + 'static>(
    toolbox: &Toolbox<S>,
    tool: &str,
    arguments: serde_json::Value,
) -> CallToolResult {
    call(toolbox, tool, &arguments, false).await
}

/// Calls `tool` of `toolbox` with `arguments`, a call the tool must refuse or fail (not answer):
/// the text saying why, for the test to check.
pub async fn refused<S: Send + Sync + 'static>(
    toolbox: &Toolbox<S>,
    tool: &str,
    arguments: serde_json::Value,
) -> String {
    call(toolbox, tool, &arguments, true)
        .await
        .text()
        .to_owned()
}

/// Calls `tool`, which `toolbox` must have, and asserts that it is refused or fails (`error`)
/// or is answered.
async fn call<S: Send + Sync + 'static>(
    toolbox: &Toolbox<S>,
    tool: &str,
    arguments: &serde_json::Value,
    error: bool,
) -> CallToolResult {
    let result = toolbox
        .call(tool, Some(arguments.clone()))
        .await
        .expect("a tool of the toolbox");
    let text = result.text();
    match error {
        true => assert!(result.is_error(), "{tool} {arguments} was answered: {text}"),
        false => assert!(!result.is_error(), "{tool} {arguments}: {text}"),
    }
    result
}

/// Where any of `secrets` (what it is, its spelling) stands in any of `places` (where, the text):
/// one line each, with up to 60 characters before it, for a test of what results, logs or files
/// let out to assert that there is none.
pub fn secrets_in(
    secrets: &[(impl std::fmt::Display, String)],
    places: &[(&str, &str)],
) -> Vec<String> {
    let mut leaks = Vec::new();
    for (what, secret) in secrets {
        for (place, text) in places {
            if let Some(at) = text.find(secret.as_str()) {
                let from = text[..at]
                    .char_indices()
                    .rev()
                    .nth(60)
                    .map_or(0, |(i, _)| i);
                let to = (at + secret.len()).min(text.len());
                leaks.push(format!("{what} in {place}: …{}…", &text[from..to]));
            }
        }
    }
    leaks.dedup();
    leaks
}

/// A client of `emu` with [`TOKEN`] and the default settings (a report cache included).
pub fn client(emu: &Emulator) -> MatomoClient {
    client_at(&emu.base_url(), TOKEN)
}

/// A client of `emu` with [`TOKEN`] and no cache: Matomo's answers as they are, for ground truth.
pub fn raw_client(emu: &Emulator) -> MatomoClient {
    raw_client_at(&emu.base_url(), TOKEN)
}

/// A client of the Matomo at `base_url` (a real one, say) with `token` and the default settings.
pub fn client_at(base_url: &str, token: &str) -> MatomoClient {
    MatomoClient::builder(base_url)
        .token(token)
        .build()
        .expect("a client of that Matomo")
}

/// [`client_at`] without a cache, for ground truth.
pub fn raw_client_at(base_url: &str, token: &str) -> MatomoClient {
    MatomoClient::builder(base_url)
        .token(token)
        .no_cache()
        .build()
        .expect("a client of that Matomo")
}

/// Posts `body` as a form to `url` (a request a tool made, sent again as it was: the token in
/// the body, never in the URL) and returns the size of the answer in bytes: for tests and
/// benches that measure what Matomo sends back, or how long it takes, without the client.
pub async fn post_form(
    http: &reqwest::Client,
    url: impl reqwest::IntoUrl,
    body: impl Into<reqwest::Body>,
) -> usize {
    http.post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("Matomo answers")
        .bytes()
        .await
        .expect("Matomo's answer is read")
        .len()
}

/// A path in the temporary folder unique to this process and `name` (which tells the tests of
/// one process apart), with no file there yet: a file left by an earlier process of the same id
/// is removed.
pub fn temp_path(name: &str) -> std::path::PathBuf {
    let path =
        std::env::temp_dir().join(format!("matomo-privacy-mcp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// A deployment over `emu` to set up: [`TOKEN`]'s sites, the default threshold
/// ([`Threshold::DEFAULT_K`]), aggregate ceiling, exact
/// numbers, no pseudonym key, until the [`TestDeployment`] methods say otherwise.
pub fn deployment(emu: &Emulator) -> TestDeployment {
    TestDeployment::over(client(emu), TOKEN)
}

/// The settings of a test deployment; [`build`](Self::build) checks the token's sites and makes
/// it, [`toolbox`](Self::toolbox) serves every ready-made tool over it.
pub struct TestDeployment {
    client: MatomoClient,
    token: String,
    threshold: u64,
    ceiling: PrivacyClass,
    pseudonym_key: Option<PseudonymKey>,
    noise: Option<NoiseSetup>,
    sites: Option<SiteAccess>,
}

impl TestDeployment {
    /// A deployment over the Matomo at `base_url` (a real one, say) with `token`, through
    /// [`client_at`], with the settings of [`deployment`].
    pub fn at(base_url: &str, token: &str) -> Self {
        Self::over(client_at(base_url, token), token)
    }

    /// A deployment talking to Matomo through `client`, whose token is `token` (a client shared
    /// between deployments, one with settings of its own, another token), with the settings of
    /// [`deployment`].
    pub fn over(client: MatomoClient, token: &str) -> Self {
        TestDeployment {
            client,
            token: token.to_owned(),
            threshold: Threshold::DEFAULT_K,
            ceiling: PrivacyClass::Aggregate,
            pseudonym_key: None,
            noise: None,
            sites: None,
        }
    }

    /// Shows a row only when at least `k` visitors are behind it.
    pub fn threshold(mut self, k: u64) -> Self {
        self.threshold = k;
        self
    }

    /// Serves tools up to `ceiling`.
    pub fn ceiling(mut self, ceiling: PrivacyClass) -> Self {
        self.ceiling = ceiling;
        self
    }

    /// Pseudonymises visitor ids with `key`.
    pub fn pseudonym_key(mut self, key: &[u8]) -> Self {
        self.pseudonym_key =
            Some(PseudonymKey::from_bytes(key.to_vec()).expect("a valid pseudonym key"));
        self
    }

    /// Serves `sites`, checked already, instead of asking Matomo through the client (one that
    /// cannot reach it, on purpose).
    pub fn sites(mut self, sites: SiteAccess) -> Self {
        self.sites = Some(sites);
        self
    }

    /// Adds noise and a privacy budget (none for `None`).
    pub fn noise(mut self, noise: impl Into<Option<NoiseSetup>>) -> Self {
        self.noise = noise.into();
        self
    }

    /// The deployment, for the sites the token views (checked with Matomo unless given).
    pub async fn build(self) -> Deployment {
        let sites = match self.sites {
            Some(sites) => sites,
            None => {
                let permissions = self
                    .client
                    .permissions()
                    .await
                    .expect("the token's permissions");
                SiteAccess::check(&permissions, false, None).expect("the token views a site")
            }
        };
        let deployment = Deployment::from_parts(
            self.client,
            &self.token,
            sites,
            Scrubber::builder().build().expect("the default scrubber"),
            Threshold::new(self.threshold).expect("a threshold of at least 1"),
            self.ceiling,
            self.pseudonym_key,
        );
        match self.noise {
            Some(noise) => deployment.with_noise(noise),
            None => deployment,
        }
    }

    /// `tools` (the ready-made ones: `matomo_privacy_mcp_tools::all()`) over the deployment,
    /// as [`Deployment::toolbox_of`] serves them.
    pub async fn toolbox(self, tools: Vec<Box<dyn Tool<Deployment>>>) -> Toolbox<Deployment> {
        self.build()
            .await
            .toolbox_of(tools)
            .expect("tools of distinct names")
    }
}

#[cfg(test)]
mod tests {
    use super::secrets_in;

    #[test]
    fn secrets_are_found_with_what_stands_before_them() {
        let secrets = [("token", "abc123".to_owned()), ("key", "k3y".to_owned())];
        let log = format!("{}GET /?token_auth=abc123&x=1", "y".repeat(70));
        let leaks = secrets_in(&secrets, &[("the log", &log), ("stdout", "clean")]);
        assert_eq!(leaks.len(), 1, "{leaks:?}");
        assert!(leaks[0].starts_with("token in the log: …"), "{leaks:?}");
        assert!(leaks[0].ends_with("GET /?token_auth=abc123…"), "{leaks:?}");
        assert!(!leaks[0].contains(&"y".repeat(60)), "{leaks:?}");
        assert!(secrets_in(&secrets, &[("stdout", "abc12 k3")]).is_empty());
    }
}
