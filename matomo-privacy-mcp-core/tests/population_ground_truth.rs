//! Every number in every answer describes at least k distinct visitors, checked against the
//! emulator's dataset, which knows the people behind every number.
//!
//! Random segments built from aggregate dimensions (many narrow to a single visit), random
//! periods, every segment-capable report tool and the summaries. For each shown row the test
//! finds the visitors behind it itself: Matomo's raw rows for the same question, scrubbed as
//! the tool scrubs, each row's visits selected by its own segment over the dataset.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use matomo_privacy_mcp_core::Toolbox;
use matomo_privacy_mcp_core::client::MatomoClient;
use matomo_privacy_mcp_core::dp::{
    ContributionBounds, DifferentialPrivacy, NoiseSetup, PrivacyBudget,
};
use matomo_privacy_mcp_core::minimise::Scrubber;
use matomo_privacy_mcp_core::params::{Date, Day as Ymd, Limit, Params, Period, RangeEnd, Sites};
use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_core::segment::Segment;
use matomo_privacy_mcp_core::testing::{self, TestDeployment};
use matomo_privacy_mcp_testkit::real_matomo::RealMatomo;
use matomo_privacy_mcp_testkit::{Browser, Dataset, Day, Device, Emulator, Visit};
use serde_json::{Value, json};

mod emulated;

const K: u64 = 5;
const SITE: u32 = 1;

/// (tool, Matomo method, flat, labels are URLs)
const REPORT_TOOLS: &[(&str, &str, bool, bool)] = &[
    ("top_pages", "Actions.getPageUrls", true, true),
    ("entry_pages", "Actions.getEntryPageUrls", true, true),
    ("page_titles", "Actions.getPageTitles", true, false),
    (
        "site_search_keywords",
        "Actions.getSiteSearchKeywords",
        false,
        false,
    ),
    ("referrer_types", "Referrers.getReferrerType", false, false),
    ("referrer_websites", "Referrers.getWebsites", false, true),
    ("search_engines", "Referrers.getSearchEngines", false, false),
    ("campaigns", "Referrers.getCampaigns", false, false),
    ("social_networks", "Referrers.getSocials", false, false),
    ("countries", "UserCountry.getCountry", false, false),
    ("cities", "UserCountry.getCity", false, false),
    ("device_types", "DevicesDetection.getType", false, false),
    ("browsers", "DevicesDetection.getBrowsers", false, false),
    (
        "os_versions",
        "DevicesDetection.getOsVersions",
        false,
        false,
    ),
    ("event_categories", "Events.getCategory", false, false),
    ("event_actions", "Events.getAction", false, false),
    ("event_names", "Events.getName", false, false),
    (
        "visits_per_hour",
        "VisitTime.getVisitInformationPerServerTime",
        false,
        false,
    ),
];

struct World {
    /// The emulator the world runs on; `None` on a real Matomo.
    emulator: Option<Emulator>,
    /// The dataset behind the answers: the emulator's, or the one tracked into the real Matomo
    /// with each visit's device and browser as Matomo detected them (its site is [`SITE`]).
    data: Dataset,
    toolbox: Toolbox<Deployment>,
    raw: MatomoClient,
    scrubber: Scrubber,
    /// With noise on: the contribution bounds' segment, which every answer is computed within.
    bounds: Option<String>,
}

async fn world() -> World {
    world_with(false).await
}

/// The world, with differential privacy on when `noise` (and a budget that never runs out).
async fn world_with(noise: bool) -> World {
    world_with_k(noise, K).await
}

/// The world with threshold `k`.
async fn world_with_k(noise: bool, k: u64) -> World {
    let emu = testing::emulator(11, &[1, 2]).await;
    let bounds = ContributionBounds::default();
    let noise_setup = noise.then(|| NoiseSetup {
        // ε 10 per statistic: the property under test (k people behind every number)
        // does not depend on ε, and little noise keeps rows shown on the emulator's small
        // days, so that every branch is reached.
        dp: DifferentialPrivacy::new(vec![3; 32], 10_000_000, bounds)
            .unwrap()
            // Completion widens intervals upward (to hold Matomo's uncounted visits), which on
            // this small site withholds every row; which rows pass the threshold does not
            // depend on it, and this test asks about the threshold.
            .without_completion(),
        budget: PrivacyBudget::in_memory(u64::MAX / 2, std::time::Duration::from_secs(86_400)),
    });
    let toolbox = testing::deployment(&emu)
        .threshold(k)
        .noise(noise_setup)
        .toolbox(matomo_privacy_mcp_tools::all())
        .await;
    let raw = testing::raw_client(&emu);
    World {
        toolbox,
        data: emu.dataset().clone(),
        emulator: Some(emu),
        raw,
        scrubber: Scrubber::builder().build().unwrap(),
        bounds: noise.then(|| bounds.segment().unwrap().to_string()),
    }
}

/// The world on the real Matomo of `RealMatomo` (the emulator's dataset tracked into a site of
/// its own), with the view token a deployment holds; `None` (after one `SKIPPED` line) when
/// there is none and `CI` is not set.
async fn real_world() -> Option<(World, u32)> {
    real_world_with_k(K).await
}

/// [`real_world`] with threshold `k`.
async fn real_world_with_k(k: u64) -> Option<(World, u32)> {
    let today = testing::today();
    let real = testing::real_matomo("population ground truth on a real Matomo").await?;
    let toolbox = TestDeployment::at(&real.base_url(), real.view_token())
        .threshold(k)
        .toolbox(matomo_privacy_mcp_tools::all())
        .await;
    let raw = testing::raw_client_at(&real.base_url(), real.view_token());
    let data = with_matomos_devices(&real, Dataset::generate(11, today)).await;
    let world = World {
        toolbox,
        emulator: None,
        data,
        raw,
        scrubber: Scrubber::builder().build().unwrap(),
        bounds: None,
    };
    Some((world, real.site()))
}

/// The dataset with each visit's device and browser as the real Matomo detected them from the
/// user agent it was tracked with (the dataset draws them apart, Matomo reads one from the
/// other: `docs/emulator-differences.md`, "Devices"); everything else the conformance test
/// shows to agree. Visits are found by their first action's time.
async fn with_matomos_devices(real: &RealMatomo, mut data: Dataset) -> Dataset {
    let admin = MatomoClient::builder(real.base_url())
        .token(real.admin_token())
        .no_cache()
        .build()
        .unwrap();
    let p = Params::new()
        .sites(Sites::one(real.site()).unwrap())
        .period(Period::Range)
        .date(
            Date::range(
                day_of(&ymd(data.today.plus(-14))),
                RangeEnd::Day(day_of(&ymd(data.today))),
            )
            .unwrap(),
        )
        .limit(Limit::rows(5_000).unwrap());
    let visits = admin
        .call_raw("Live.getLastVisitsDetails", &p)
        .await
        .unwrap();
    let text = |v: &Value, key: &str| -> &'static str {
        Box::leak(
            v[key]
                .as_str()
                .unwrap_or_default()
                .to_owned()
                .into_boxed_str(),
        )
    };
    let mut found = 0;
    for live in visits.as_array().unwrap() {
        let first = live["firstActionTimestamp"].as_i64().unwrap();
        for visit in data
            .visits
            .iter_mut()
            .filter(|v| v.site == SITE && v.first_ts == first)
        {
            found += 1;
            visit.device = Box::leak(Box::new(Device {
                device_type: text(live, "deviceType"),
                brand: text(live, "deviceBrand"),
                model: text(live, "deviceModel"),
            }));
            visit.browser = Box::leak(Box::new(Browser {
                code: text(live, "browserCode"),
                name: text(live, "browserName"),
                version: text(live, "browserVersion"),
                family: text(live, "browserFamily"),
                os_code: text(live, "operatingSystemCode"),
                os_name: text(live, "operatingSystemName"),
                os_version: text(live, "operatingSystemVersion"),
            }));
        }
    }
    let tracked = data.visits.iter().filter(|v| v.site == SITE).count();
    assert_eq!(found, tracked, "every visit of the dataset is in Matomo");
    data
}

/// Every number in every answer of the real Matomo holding the dataset is about k distinct
/// visitors: the same questions as on the emulator, asked of Matomo 5.0.2 itself.
///
/// It found (issue 27's report) that `DevicesDetection.getOsVersions` puts iOS and iPadOS visits
/// of one version in one row ("iOS 17.1", 39 visits) whose segment selects the iPadOS ones only
/// (`operatingSystemCode==IPA;operatingSystemVersion==17.1`, 9 visits), so that an "Other" row
/// of one visitor was shown as if it were about 5; the SDK proves "Other" only when every shown
/// row's segment selects as many visits as its row counts (`Pipeline::other_visitors`). The
/// ground truth counts such a row's people by its name (`os_version_label`), not its segment,
/// so `os_versions` is asked here too (it was left out, and its own test ignored, before).
#[tokio::test]
async fn every_number_describes_at_least_k_visitors_on_a_real_matomo() {
    let Some((w, site)) = real_world().await else {
        return;
    };
    // 20 of the emulator's 40 cases: every new segment costs Matomo a pass over raw visits
    // (about 150 s for 20 cases on a cold Matomo).
    every_number_describes_at_least_k_visitors_in(&w, 20, site, &[]).await;
}

/// The rows known without a segment of their own (issue 27): device types and the OS versions
/// Matomo joins with no other by their daily sums over a week, a month or a range
/// (`daily::from_daily_counts`; one archived row each, `models::summed`,
/// `visitors::os_versions`) and by their day counts on a day; continents by their largest city
/// and OS families by their largest such OS version (`visitors::finer`, rows Matomo sends without
/// a segment). Under narrow populations, at k from 2 to 5, every row shown is about k people or
/// more, on the emulator and on the real Matomo.
///
/// Mutation checks (2026-12-06, reverted): the daily sum taken whole, not divided by the
/// period's days (`daily::from_daily_counts`), fails both: the emulator's month under
/// `referrerType==campaign` at k 3 ("`Tablet` is about 2 visitors"), the real Matomo's range of
/// 2026-11-14 to 23 under `countryCode==fr` at k 5 ("`Smartphone` is about 4 visitors": a daily
/// sum of 5). Divided by a third of the days it passes: the dataset's visitors come back on
/// few days, so that bound overstates no row's people here. Every city a part of every
/// continent (`finer::part_keys`) fails both on the day of 2026-11-22 at k 2 ("`North America` is
/// about 1 visitors"), every OS version a part of every family fails both ("`Unix` is about 1
/// visitors" on the emulator's month, "`GNU/Linux`" on the real Matomo's range). A city's bound
/// added into its continent's instead of the largest taken passes: the dataset's people visit
/// from one city each, so that sum overstates no row's people here (`summed_rows` catches it for
/// countries, with a person of two cities on one day).
///
/// Referrer websites and social networks are known by their largest URL row
/// (`visitors::referrer_urls`: read embedded, `expanded=1`, by day over a week, a month or a
/// range). Mutation check (2026-12-06, reverted): every URL row's bound given to every row of
/// the report (`UrlBounds::known` ignoring the row's segment) fails both: the month under
/// `countryCode==us` at k 2 ("`Facebook` is about 1 visitors", on the emulator and on the real
/// Matomo). A URL's daily counts added up and not spread over the days passes: that sum
/// overstates no shown row's people in this dataset, whose people seldom come back through one
/// referrer on another day (the unit tests of `referrer_urls` pin the division). Read expanded,
/// the emulator labels a website's URL rows by the referrer URL as Matomo does (asked flat or by
/// subtable id both label them by path, `UrlsFromWebsiteId`), so both sides prove websites and
/// social networks by their URL rows.
#[tokio::test]
async fn rows_known_without_their_segments_describe_k_visitors() {
    let mut shown = BTreeMap::new();
    for k in [2, 3, 4, 5] {
        let w = world_with_k(false, k).await;
        rows_known_without_segments_in(&w, SITE, k, &mut shown).await;
    }
    for (_, method) in WITHOUT_SEGMENTS {
        let rows = shown.get(method).copied().unwrap_or(0);
        assert!(rows >= 20, "{method}: {rows} rows shown ({shown:?})");
    }
}

/// [`rows_known_without_their_segments_describe_k_visitors`] on the real Matomo 5.0.2.
#[tokio::test]
async fn rows_known_without_their_segments_describe_k_visitors_on_a_real_matomo() {
    let mut shown = BTreeMap::new();
    for k in [2, 5] {
        let Some((w, site)) = real_world_with_k(k).await else {
            return;
        };
        rows_known_without_segments_in(&w, site, k, &mut shown).await;
    }
    for (_, method) in WITHOUT_SEGMENTS {
        let rows = shown.get(method).copied().unwrap_or(0);
        assert!(rows >= 10, "{method}: {rows} rows shown ({shown:?})");
    }
}

/// The tools (and the `report` tool's reports) whose rows are known without their segments:
/// (tool, Matomo method).
const WITHOUT_SEGMENTS: &[(&str, &str)] = &[
    ("device_types", "DevicesDetection.getType"),
    ("os_versions", "DevicesDetection.getOsVersions"),
    ("report", "UserCountry.getContinent"),
    ("report", "DevicesDetection.getOsFamilies"),
    ("referrer_websites", "Referrers.getWebsites"),
    ("social_networks", "Referrers.getSocials"),
];

/// The rows of [`WITHOUT_SEGMENTS`] over weeks, a month, a range and a day under narrow
/// populations, each shown row checked on the people behind it at threshold `k`; the rows
/// shown are added up per method in `shown`.
async fn rows_known_without_segments_in(
    w: &World,
    site: u32,
    k: u64,
    shown: &mut BTreeMap<&'static str, usize>,
) {
    let today = w.data.today;
    let range = (today.plus(-12), today.plus(-3));
    let mut periods = vec![
        ("month", today.month_start(), today.month_end()),
        ("range", range.0, range.1),
        ("day", today.plus(-4), today.plus(-4)),
    ];
    for weeks_ago in [1, 2] {
        let start = today.plus(-7 * weeks_ago).week_start();
        periods.push(("week", start, start.plus(6)));
    }
    let populations = [
        None,
        Some("countryCode==de"),
        Some("countryCode==fr"),
        Some("countryCode==gb"),
        Some("countryCode==us"),
        Some("browserCode==FF"),
        Some("browserCode==SF"),
        Some("referrerType==campaign"),
        Some("referrerType==social"),
        Some("referrerType==website"),
        Some("visitorType==new"),
        Some("visitorType==returning"),
    ];
    for &(period, start, end) in &periods {
        for population in populations {
            let q = Question {
                site,
                period,
                date: match period {
                    "range" => format!("{},{}", ymd(start), ymd(end)),
                    _ => ymd(start),
                },
                start,
                end,
                segment: population.map(str::to_owned),
            };
            for &(tool, method) in WITHOUT_SEGMENTS {
                let mut a = args(&q);
                if tool == "report" {
                    a["report"] = json!(method);
                }
                let result = testing::answered(&w.toolbox, tool, a).await;
                let out = result.structured().unwrap();
                let truth = w.truth(&q, method, false, false).await;
                let labels = emulated::shown_labels(out);
                for label in &labels {
                    let people = if label.starts_with("Other (") {
                        truth
                            .iter()
                            .filter(|(l, _)| !labels.contains(l.as_str()))
                            .flat_map(|(_, p)| p.iter().cloned())
                            .collect::<BTreeSet<_>>()
                    } else {
                        truth.get(*label).cloned().unwrap_or_default()
                    };
                    assert!(
                        people.len() as u64 >= k,
                        "{method} {q:?} at k {k}: `{label}` is about {} visitors: {out}",
                        people.len()
                    );
                    if !label.starts_with("Other (") {
                        *shown.entry(method).or_default() += 1;
                    }
                }
            }
        }
    }
}

/// The OS family Matomo 5.0.2 counts a visit in: the dataset's, but for the codes only a real
/// Matomo detects (`with_matomos_devices`), which the dataset's catalogue does not know: iPadOS
/// (`IPA`, in the family iOS) and GNU/Linux's own code.
fn os_family(v: &Visit) -> &'static str {
    match v.browser.os_code {
        "IPA" => "iOS",
        "LIN" => "GNU/Linux",
        _ => v.browser.os_family().0,
    }
}

/// The label of the OS version row Matomo 5.0.2 counts a visit in: its OS's name and version
/// (iPadOS named iOS, as Matomo names it), or "Unknown" for an OS it does not know (whose
/// version the visitor log gives as `UNK`).
fn os_version_label(v: &Visit) -> String {
    if v.browser.os_name == "Unknown" {
        return "Unknown".to_owned();
    }
    format!("{} {}", v.browser.os_name, v.browser.os_version)
        .trim()
        .to_owned()
}

/// A small deterministic generator, so a failure names its case and replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// One question: a period (and the days it covers) and a segment.
#[derive(Debug, Clone)]
struct Question {
    /// The site the server under test holds the dataset's site [`SITE`] as.
    site: u32,
    period: &'static str,
    date: String,
    start: Day,
    end: Day,
    segment: Option<String>,
}

impl Question {
    fn day(day: Day, segment: Option<String>) -> Self {
        Question {
            site: SITE,
            period: "day",
            date: ymd(day),
            start: day,
            end: day,
            segment,
        }
    }
}

fn ymd(day: Day) -> String {
    let (y, m, d) = day.ymd();
    format!("{y:04}-{m:02}-{d:02}")
}

fn question(rng: &mut Rng, data: &Dataset) -> Question {
    let today = data.today;
    let (period, start, end) = match rng.below(5) {
        0 | 1 => {
            let day = today.plus(-(rng.below(10) as i64));
            ("day", day, day)
        }
        2 => {
            let end = today.plus(-(rng.below(5) as i64));
            ("range", end.plus(-(1 + rng.below(9) as i64)), end)
        }
        3 => {
            let start = today.plus(-7 * rng.below(3) as i64).week_start();
            ("week", start, start.plus(6))
        }
        _ => ("month", today.month_start(), today.month_end()),
    };
    let date = match period {
        "range" => format!("{},{}", ymd(start), ymd(end)),
        _ => ymd(start),
    };
    // Conditions taken from one real visit, so that several together single it out.
    let visits: Vec<_> = data.visits_in(SITE, start, end).collect();
    let segment = (!visits.is_empty() && rng.below(5) > 0).then(|| {
        let v = visits[rng.below(visits.len())];
        let all = [
            format!("countryCode=={}", v.location.country_code),
            format!("deviceType=={}", v.device.device_type),
            format!("browserCode=={}", v.browser.code),
            format!("visitServerHour=={}", v.server_hour()),
            format!("referrerType=={}", v.referrer.type_code()),
            format!(
                "visitorType=={}",
                if v.returning { "returning" } else { "new" }
            ),
            format!("visitDuration=={}", v.duration),
            format!("actions=={}", v.nb_actions()),
        ];
        let n = 1 + rng.below(4);
        let mut picked: Vec<String> = Vec::new();
        while picked.len() < n {
            let c = all[rng.below(all.len())].clone();
            if !picked.contains(&c) {
                picked.push(c);
            }
        }
        picked.join(";")
    });
    Question {
        site: SITE,
        period,
        date,
        start,
        end,
        segment,
    }
}

fn day_of(text: &str) -> Ymd {
    text.parse::<Date>()
        .ok()
        .and_then(|d| match d {
            Date::Day(day) => Some(day),
            _ => None,
        })
        .unwrap()
}

fn params(q: &Question) -> Params {
    let period = match q.period {
        "day" => Period::Day,
        "week" => Period::Week,
        "month" => Period::Month,
        _ => Period::Range,
    };
    let date = match q.period {
        "range" => Date::range(day_of(&ymd(q.start)), RangeEnd::Day(day_of(&ymd(q.end)))).unwrap(),
        _ => Date::Day(day_of(&q.date)),
    };
    let mut p = Params::new()
        .sites(Sites::one(q.site).unwrap())
        .period(period)
        .date(date);
    if let Some(s) = &q.segment {
        p = p.segment(Segment::parse(s).unwrap());
    }
    p
}

fn args(q: &Question) -> Value {
    let mut a = json!({ "site": q.site, "period": q.period, "date": q.date, "limit": 100 });
    if let Some(s) = &q.segment {
        a["segment"] = json!(s);
    }
    a
}

impl World {
    /// The emulator, for the tests that only run on it.
    fn emu(&self) -> &Emulator {
        self.emulator
            .as_ref()
            .expect("an emulator-only test runs on the emulator")
    }

    fn visitors(&self, q: &Question, more: &[&str]) -> BTreeSet<String> {
        self.visitors_where(q, more, |_| true)
    }

    /// The visitors of the question's visits that match `more` and `keep`.
    fn visitors_where(
        &self,
        q: &Question,
        more: &[&str],
        keep: impl Fn(&Visit) -> bool,
    ) -> BTreeSet<String> {
        let mut segments: Vec<&str> = more.to_vec();
        if let Some(s) = &q.segment {
            segments.push(s);
        }
        if let Some(bounds) = &self.bounds {
            segments.push(bounds);
        }
        self.data
            .visits_matching(SITE, q.start, q.end, &segments)
            .unwrap()
            .into_iter()
            .filter(|v| keep(v))
            .map(|v| v.visitor_id.clone())
            .collect()
    }

    /// The visitors behind a row Matomo sends without a segment (it has none for these
    /// reports), selected by what the row's label (or `day_of_week`) says of each visit.
    fn visitors_without_segment(
        &self,
        q: &Question,
        method: &str,
        row: &Value,
    ) -> Option<BTreeSet<String>> {
        let label = row["label"].as_str()?.to_owned();
        let keep: Box<dyn Fn(&Visit) -> bool> = match method {
            "UserCountry.getContinent" => Box::new(move |v| v.location.continent == label),
            // Matomo's "Unknown" device type has no segment (a real Matomo sends it for a
            // user agent without a device, such as Lynx).
            "DevicesDetection.getType" => Box::new(move |v| v.device.device_type == label),
            "DevicesDetection.getOsFamilies" => Box::new(move |v| os_family(v) == label),
            "DevicesDetection.getBrowserEngines" => Box::new(move |v| v.browser.family == label),
            "Resolution.getConfiguration" => Box::new(move |v| {
                let b = v.browser;
                format!("{} / {} / {}", b.os_name, b.name, v.details.resolution) == label
            }),
            // Matomo sends a title viewed after a site search without a segment, with the
            // title's own numbers (every visit that viewed it): its people are the title's.
            "Actions.getPageTitlesFollowingSiteSearch" => {
                Box::new(move |v| v.pages().any(|(_, title, _)| title == label))
            }
            "VisitTime.getByDayOfWeek" => {
                let day = row["day_of_week"].as_i64()?;
                Box::new(move |v| v.day.weekday() + 1 == day)
            }
            _ => return None,
        };
        Some(self.visitors_where(q, &[], keep))
    }

    fn scrub(&self, label: &str, url: bool) -> String {
        let scrubbed = if url {
            self.scrubber.url(label)
        } else {
            self.scrubber.text(label)
        };
        serde_json::to_value(scrubbed)
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The visitors behind each scrubbed label of Matomo's own rows for the question.
    async fn truth(
        &self,
        q: &Question,
        method: &str,
        flat: bool,
        url: bool,
    ) -> BTreeMap<String, BTreeSet<String>> {
        let mut truth: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for row in self.raw_rows(q, method, flat).await {
            let visits = row["nb_visits"].as_f64().unwrap_or(0.0);
            if visits == 0.0 {
                continue;
            }
            let label = match &row["label"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let people = match row["segment"].as_str() {
                // Matomo 5.0.2 puts iOS and iPadOS visits of one version in one row whose segment
                // selects the visits of one of the two codes only: on a real Matomo, an OS version
                // row's people are those of the visits its name is made from (the dataset's
                // visits carry Matomo's own OS name and version, `with_matomos_devices`).
                Some(_)
                    if method == "DevicesDetection.getOsVersions" && self.emulator.is_none() =>
                {
                    self.visitors_where(q, &[], |v| os_version_label(v) == label)
                }
                // A page viewed after a site search is sent with the page's own numbers (every
                // visit that viewed it), inside a folder under the folder's segment (Matomo's
                // generic flattener copies it down) and at the top without one: its people are
                // the viewers of its URL. Its "Others" rows keep their folder's segment.
                _ if method == "Actions.getPageUrlsFollowingSiteSearch"
                    && row["is_summary"].as_bool() != Some(true)
                    && row["url"].is_string() =>
                {
                    let url = row["url"].as_str().unwrap_or_default().to_owned();
                    self.visitors_where(q, &[], move |v| v.pages().any(|(u, _, _)| u == url))
                }
                // Days since the last visit are about returning visits only (a first visit has
                // 0 days too): the row's people are those of its returning visits.
                Some(segment)
                    if method == "VisitorInterest.getNumberOfVisitsByDaysSinceLast"
                        && segment.contains("daysSinceLastVisit") =>
                {
                    self.visitors(q, &[segment, "visitorType==returning"])
                }
                // Entry and exit page rows carry the page's own metrics (every visit that
                // viewed it) beside the entry or exit ones, and the segment of their entry or
                // exit visits: the page's numbers are about its viewers (entry and exit metrics
                // are checked on their own, `part_truth`).
                Some(segment) if part_of(segment).is_some() => {
                    let page = page_segment(segment);
                    self.visitors(q, &[page.as_str()])
                }
                // A referrer row is about its channel's visits only; Matomo's row segment names
                // the referrer alone (a campaign may share a search engine's name).
                Some(segment) => match channel_of(method) {
                    Some(channel) => self.visitors(q, &[segment, channel]),
                    None => self.visitors(q, &[segment]),
                },
                None => self
                    .visitors_without_segment(q, method, &row)
                    .unwrap_or_else(|| panic!("{method}: a row without a segment: {row}")),
            };
            truth
                .entry(self.scrub(&label, url))
                .or_default()
                .extend(people);
        }
        truth
    }
}

impl World {
    /// Matomo's rows of `method` over the visits the answer was computed over (the question's,
    /// within the contribution bounds when noise is on).
    async fn raw_rows(&self, q: &Question, method: &str, flat: bool) -> Vec<Value> {
        let bounded = Question {
            segment: match (&q.segment, &self.bounds) {
                (Some(s), Some(b)) => Some(format!("{s};{b}")),
                (None, Some(b)) => Some(b.clone()),
                (s, None) => s.clone(),
            },
            ..q.clone()
        };
        let p = params(&bounded)
            .flat(flat)
            .limit(Limit::rows(5_000).unwrap());
        let rows = self.raw.call_raw(method, &p).await.unwrap();
        rows.as_array().cloned().unwrap_or_default()
    }

    /// For entry and exit page reports, the visitors behind each row's entry (or exit) metrics:
    /// those of the visits its segment selects; `None` for other reports.
    async fn part_truth(
        &self,
        q: &Question,
        method: &str,
        flat: bool,
        url: bool,
    ) -> Option<(&'static str, BTreeMap<String, BTreeSet<String>>)> {
        let mut prefix = None;
        let mut truth: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for row in self.raw_rows(q, method, flat).await {
            let Some(segment) = row["segment"].as_str() else {
                continue;
            };
            let part = part_of(segment)?;
            prefix = Some(part);
            let label = match &row["label"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            truth
                .entry(self.scrub(&label, url))
                .or_default()
                .extend(self.visitors(q, &[segment]));
        }
        prefix.map(|p| (p, truth))
    }
}

/// The channel a referrer report's rows are about.
fn channel_of(method: &str) -> Option<&'static str> {
    match method {
        "Referrers.getSearchEngines" => Some("referrerType==search"),
        "Referrers.getWebsites" => Some("referrerType==website"),
        "Referrers.getCampaigns" => Some("referrerType==campaign"),
        "Referrers.getSocials" => Some("referrerType==social"),
        _ => None,
    }
}

/// The metric prefix of an entry or exit page row's segment (`entryPageUrl==…` → `entry_`).
fn part_of(segment: &str) -> Option<&'static str> {
    if segment.starts_with("entryPage") {
        Some("entry_")
    } else if segment.starts_with("exitPage") {
        Some("exit_")
    } else {
        None
    }
}

/// An entry or exit page row's segment on the page itself: `entryPageUrl==x` → `pageUrl==x`.
fn page_segment(segment: &str) -> String {
    let rest = segment
        .strip_prefix("entryPage")
        .or_else(|| segment.strip_prefix("exitPage"))
        .unwrap_or(segment);
    format!("page{rest}")
}

/// Every row showing an entry (or exit) metric is about at least k entry (or exit) visitors.
fn check_parts(
    parts: Option<(&'static str, BTreeMap<String, BTreeSet<String>>)>,
    rows: &[Value],
    what: &str,
) {
    let Some((prefix, truth)) = parts else {
        return;
    };
    for row in rows {
        let label = row["label"].as_str().unwrap_or_default();
        let shows_part = row
            .as_object()
            .is_some_and(|o| o.keys().any(|k| k.starts_with(prefix)));
        if !shows_part || label.starts_with("Other (") {
            continue;
        }
        let people = truth.get(label).map_or(0, BTreeSet::len);
        assert!(
            people as u64 >= K,
            "{what}: `{label}` shows {prefix}metrics of {people} visitors: {row}"
        );
    }
}

/// Every row of `rows` is about at least k of the people in `truth` (an "Other (…)" row about
/// the people of every label not shown); `what` names the question in failures. The rows
/// checked, and how many of them were "Other" rows.
fn check_rows(
    truth: &BTreeMap<String, BTreeSet<String>>,
    rows: &[Value],
    what: &str,
) -> (usize, usize) {
    let shown: BTreeSet<&str> = rows.iter().filter_map(|r| r["label"].as_str()).collect();
    let mut others = 0;
    for row in rows {
        let label = row["label"].as_str().unwrap();
        let people = if label.starts_with("Other (") {
            others += 1;
            truth
                .iter()
                .filter(|(l, _)| !shown.contains(l.as_str()))
                .flat_map(|(_, p)| p.iter().cloned())
                .collect::<BTreeSet<_>>()
        } else {
            truth.get(label).cloned().unwrap_or_default()
        };
        assert!(
            people.len() as u64 >= K,
            "{what}: `{label}` is about {} visitors: {row}",
            people.len()
        );
    }
    (rows.len(), others)
}

#[tokio::test]
async fn every_number_describes_at_least_k_visitors() {
    every_number_describes_at_least_k_visitors_with(false).await;
}

/// With differential privacy on, the threshold still counts people exactly (over the visits
/// within the contribution bounds, which every answer is computed over): noise never lets a row
/// of fewer than k visitors through.
#[tokio::test]
async fn with_noise_every_number_still_describes_at_least_k_visitors() {
    every_number_describes_at_least_k_visitors_with(true).await;
}

async fn every_number_describes_at_least_k_visitors_with(noise: bool) {
    let w = world_with(noise).await;
    every_number_describes_at_least_k_visitors_in(&w, 40, SITE, &[]).await;
}

/// `cases` random questions to `w`, whose server holds the dataset's site as `site`, through
/// every tool of [`REPORT_TOOLS`] but `skip`.
async fn every_number_describes_at_least_k_visitors_in(
    w: &World,
    cases: usize,
    site: u32,
    skip: &[&str],
) {
    let noise = w.bounds.is_some();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut shown_rows, mut others, mut withheld) = (0, 0, 0);
    for case in 0..cases {
        let q = Question {
            site,
            ..question(&mut rng, &w.data)
        };
        let whole = w.visitors(&q, &[]).len() as u64;
        for &(tool, method, flat, url) in REPORT_TOOLS {
            if skip.contains(&tool) {
                continue;
            }
            let result = testing::answered(&w.toolbox, tool, args(&q)).await;
            let out = result.structured().unwrap();
            let rows = out["rows"].as_array().unwrap();
            if out["withheld"] == true {
                assert!(rows.is_empty());
                withheld += 1;
                continue;
            }
            if !rows.is_empty() {
                assert!(
                    whole >= K,
                    "case {case} {tool} {q:?}: {whole} visitors in all"
                );
            }
            let truth = w.truth(&q, method, flat, url).await;
            let what = format!("case {case} {tool} {q:?}");
            check_parts(w.part_truth(&q, method, flat, url).await, rows, &what);
            let (checked, other_rows) = check_rows(&truth, rows, &what);
            shown_rows += checked;
            others += other_rows;
        }
        check_summary(w, &q, case, whole).await;
        check_goals_and_trend(w, &q, case).await;
    }
    // The cases reach every branch: rows shown, "Other" rows proven, answers withheld. (With
    // noise, fewer visits are counted and rows need noisy visits of k too: fewer are shown.)
    let enough = if noise { 20 } else { 100 };
    assert!(
        shown_rows > enough && withheld > 0 && others > 0,
        "{shown_rows} {withheld} {others}"
    );
}

/// `visits_summary`: shown only for k visitors, and its parts only for k of them.
async fn check_summary(w: &World, q: &Question, case: usize, whole: u64) {
    let mut a = args(q);
    a.as_object_mut().unwrap().remove("limit");
    let result = w.toolbox.call("visits_summary", Some(a)).await.unwrap();
    let out = result.structured().unwrap().clone();
    let metrics = out["metrics"].as_object().unwrap();
    if metrics.is_empty() {
        return;
    }
    // Without noise a summary of nobody is shown as zeros: no one is described.
    let shown_visits = metrics.get("nb_visits").and_then(Value::as_f64);
    let nobody = w.bounds.is_none() && whole == 0 && shown_visits == Some(0.0);
    assert!(whole >= K || nobody, "case {case} {q:?}: {out}");
    for (metric, segment) in [
        ("bounce_count", "actions<=1"),
        ("nb_visits_converted", "visitConverted==1"),
    ] {
        if metrics.get(metric).and_then(Value::as_f64).unwrap_or(0.0) > 0.0 {
            let people = w.visitors(q, &[segment]).len() as u64;
            // With noise a shown 0 can read 1 or more: the part is then about nobody.
            let nobody = w.bounds.is_some() && people == 0;
            assert!(
                people >= K || nobody,
                "case {case} {q:?}: {metric} about {people}: {out}"
            );
        }
    }
    assert!(
        metrics.get("max_actions").is_none(),
        "one visit's value: {out}"
    );
}

/// Goals (converting visitors), e-commerce (ordering visitors), the overview's parts and every
/// trend point need k distinct visitors of their own.
async fn check_goals_and_trend(w: &World, q: &Question, case: usize) {
    let mut a = args(q);
    a.as_object_mut().unwrap().remove("limit");
    for (tool, segment) in [
        ("goals_overview", "visitConverted==1"),
        ("ecommerce_overview", "visitEcommerceStatus==ordered"),
    ] {
        let result = testing::answered(&w.toolbox, tool, a.clone()).await;
        let out = result.structured().unwrap();
        let shown = out["metrics"].as_object().unwrap();
        let any = shown.values().any(|v| v.as_f64().unwrap_or(0.0) > 0.0);
        if any {
            let people = w.visitors(q, &[segment]).len() as u64;
            assert!(
                people >= K,
                "case {case} {tool} {q:?}: about {people}: {out}"
            );
        }
    }
    let result = w
        .toolbox
        .call("site_overview", Some(a.clone()))
        .await
        .unwrap();
    let out = result.structured().unwrap();
    let visits = out["visits"]["metrics"].as_object().unwrap();
    if !visits.is_empty() {
        // Without noise a summary of nobody is shown as zeros: no one is described.
        let people = w.visitors(q, &[]).len() as u64;
        let nobody = w.bounds.is_none()
            && people == 0
            && visits.get("nb_visits").and_then(Value::as_f64) == Some(0.0);
        assert!(people >= K || nobody, "case {case} {q:?}: {out}");
    }
    for row in out["referrer_types"]["rows"].as_array().unwrap() {
        assert!(row["nb_visits"].as_f64().unwrap() >= K as f64, "{row}");
    }
    // A trend of days ending today: each shown point's day has k visitors in the segment.
    let mut trend = json!({ "site": q.site, "metric": "nb_visits", "period": "day", "last": 10 });
    if let Some(s) = &q.segment {
        trend["segment"] = json!(s);
    }
    let result = testing::answered(&w.toolbox, "metric_trend", trend).await;
    for point in result.structured().unwrap()["points"].as_array().unwrap() {
        let Some(value) = point["value"].as_f64().filter(|v| *v > 0.0) else {
            continue;
        };
        let day = Day::parse(point["period"].as_str().unwrap()).unwrap();
        let on_day = Question {
            start: day,
            end: day,
            ..q.clone()
        };
        let people = w.visitors(&on_day, &[]).len() as u64;
        assert!(
            people >= K,
            "case {case} trend {value} on {day:?} about {people}"
        );
    }
}

/// The attack of the issue: a segment of aggregate dimensions that selects one visit. Every
/// tool withholds its whole answer, and says so.
#[tokio::test]
async fn a_segment_of_one_visit_withholds_every_tool() {
    let w = world().await;
    let day = w.emu().dataset().today.plus(-3);
    let v = w.emu().dataset().visits_in(SITE, day, day).next().unwrap();
    let segment = format!(
        "visitDuration=={};visitServerHour=={};browserCode=={}",
        v.duration,
        v.server_hour(),
        v.browser.code
    );
    let q = Question::day(day, Some(segment));
    assert_eq!(
        w.visitors(&q, &[]).len(),
        1,
        "the segment singles one visitor out"
    );
    for &(tool, ..) in REPORT_TOOLS {
        let result = w.toolbox.call(tool, Some(args(&q))).await.unwrap();
        let out = result.structured().unwrap();
        assert_eq!(out["withheld"], true, "{tool}: {out}");
        assert_eq!(out["rows"], json!([]), "{tool}");
        assert_eq!(
            result.text(),
            format!(
                "Site 1, day {}: withheld: fewer than 5 distinct visitors in this site, period and segment.\n",
                q.date
            ),
            "{tool}"
        );
    }
    let mut a = args(&q);
    a.as_object_mut().unwrap().remove("limit");
    let result = w.toolbox.call("visits_summary", Some(a)).await.unwrap();
    assert_eq!(result.structured().unwrap()["suppressed"], true);
    assert!(
        result
            .text()
            .ends_with("withheld: fewer than 5 distinct visitors."),
        "{}",
        result.text()
    );
}

/// Entries and exits of a shown page are about k visitors too.
#[tokio::test]
async fn entry_and_exit_counts_of_pages_describe_k_visitors() {
    // k = 3: since campaign links land on the home page with queries of their own, the home
    // page is a merged row whose distinct entry visitors Matomo does not send, and on the
    // emulator's small days no page proves 5 entry visitors any more; 3 it does.
    const K: u64 = 3;
    let w = world_with_k(false, K).await;
    let data = w.emu().dataset();
    let mut checked = 0;
    // Days, and weeks (whose parts are bounded from the row's proven visitors), with and
    // without campaign visits.
    let without_campaigns = Some("referrerType!=campaign".to_owned());
    let mut questions = Vec::new();
    for segment in [None, without_campaigns] {
        for back in 0..10 {
            questions.push(Question::day(data.today.plus(-back), segment.clone()));
        }
        for back in [1, 8] {
            let (start, end) = (data.today.plus(-back - 6), data.today.plus(-back));
            questions.push(Question {
                site: SITE,
                period: "range",
                date: format!("{},{}", ymd(start), ymd(end)),
                start,
                end,
                segment: segment.clone(),
            });
        }
    }
    for q in questions {
        let segment = q.segment.clone();
        // Page rows (whose entries and exits are parts of their visits) and entry-page rows.
        for tool in ["top_pages", "entry_pages"] {
            let result = w.toolbox.call(tool, Some(args(&q))).await.unwrap();
            let out = result.structured().unwrap();
            for row in out["rows"].as_array().unwrap() {
                let label = row["label"].as_str().unwrap();
                for (metric, first) in [("entry_nb_visits", true), ("exit_nb_visits", false)] {
                    let Some(n) = row[metric].as_f64().filter(|n| *n > 0.0) else {
                        continue;
                    };
                    let people: BTreeSet<&str> = data
                        .visits_in(SITE, q.start, q.end)
                        .filter(|v| {
                            segment.is_none()
                                || !matches!(
                                    v.referrer,
                                    matomo_privacy_mcp_testkit::Referrer::Campaign { .. }
                                )
                        })
                        .filter(|v| {
                            let pages: Vec<_> = v.pages().collect();
                            let page = if first { pages.first() } else { pages.last() };
                            page.is_some_and(|(u, _, _)| {
                                let path = u.split_once("://").map_or(*u, |(_, r)| r);
                                let path = path.find('/').map_or("/", |i| &path[i..]);
                                w.scrub(path, true) == label
                            })
                        })
                        .map(|v| v.visitor_id.as_str())
                        .collect();
                    checked += 1;
                    assert!(
                        people.len() as u64 >= K,
                        "{label} {metric}={n} is about {} visitors",
                        people.len()
                    );
                }
            }
        }
    }
    assert!(checked > 0);
}

/// The planted person's pages, titles, searches and events are about one visitor: no report
/// shows them, however scrubbing groups them.
#[tokio::test]
async fn the_rare_person_is_in_no_report() {
    let w = world().await;
    let data = w.emu().dataset();
    let mut seen_days = 0;
    for back in 0..8 {
        let day = data.today.plus(-back);
        let q = Question::day(day, None);
        if w.visitors(&q, &["pageTitle=@Olaf"]).is_empty() {
            continue;
        }
        seen_days += 1;
        for &(tool, method, flat, url) in REPORT_TOOLS {
            let result = w.toolbox.call(tool, Some(args(&q))).await.unwrap();
            let text = serde_json::to_string(result.structured().unwrap()).unwrap();
            let lower = text.to_lowercase();
            for planted in ["olaf", "brennan", "/patients/"] {
                assert!(!lower.contains(planted), "{tool} {}: {text}", q.date);
            }
            // And the ground truth agrees row by row.
            let truth = w.truth(&q, method, flat, url).await;
            for row in result.structured().unwrap()["rows"].as_array().unwrap() {
                let label = row["label"].as_str().unwrap();
                if let Some(people) = truth.get(label) {
                    assert!(people.len() as u64 >= K, "{tool}: {label}");
                }
            }
        }
    }
    assert!(seen_days >= 2, "the person visits on several days");
}

/// Flat and URL labels of the catalogue's reports, as the generic tool asks for them (its
/// `known()` table).
fn generic_shape(method: &str) -> (bool, bool) {
    let url = matches!(
        method,
        "Actions.getPageUrls"
            | "Actions.getEntryPageUrls"
            | "Actions.getExitPageUrls"
            | "Actions.getPageUrlsFollowingSiteSearch"
            | "Actions.getOutlinks"
            | "Actions.getDownloads"
            | "Referrers.getWebsites"
    );
    let flat = matches!(
        method,
        "Actions.getPageUrls"
            | "Actions.getEntryPageUrls"
            | "Actions.getExitPageUrls"
            | "Actions.getPageUrlsFollowingSiteSearch"
            | "Actions.getPageTitles"
            | "Actions.getExitPageTitles"
            | "Actions.getPageTitlesFollowingSiteSearch"
    );
    (flat, url)
}

/// For the conversion-range reports (answered by converting visits per range, their rows
/// carry no segment), the visit's value their ranges are of.
fn conversion_range_value(method: &str) -> Option<fn(&Visit) -> u32> {
    match method {
        "Goals.getVisitsUntilConversion" => Some(|v| v.visit_count),
        "Goals.getDaysToConversion" => Some(|v| v.details.days_since_first),
        _ => None,
    }
}

/// The visitors behind each shown range ("9-14 visits", "101+ visits", "0 days"), from the
/// dataset: converting visits of the question whose value is in the range.
fn conversion_truth(
    w: &World,
    q: &Question,
    rows: &[Value],
    value: fn(&Visit) -> u32,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut truth = BTreeMap::new();
    let mut ranges = Vec::new();
    for row in rows {
        let label = row["label"].as_str().unwrap();
        if label.starts_with("Other") {
            continue;
        }
        let number = label.split(' ').next().unwrap();
        let (lo, hi): (u32, u32) = match number.split_once('-') {
            Some((lo, hi)) => (lo.parse().unwrap(), hi.parse().unwrap()),
            None if number.ends_with('+') => {
                (number.trim_end_matches('+').parse().unwrap(), u32::MAX)
            }
            None => (number.parse().unwrap(), number.parse().unwrap()),
        };
        ranges.push(lo..=hi);
        let people = w.visitors_where(q, &[], |v| v.converted() && (lo..=hi).contains(&value(v)));
        truth.insert(label.to_owned(), people);
    }
    // Every converting visit in no shown range: what an "Other" row is about.
    let rest = w.visitors_where(q, &[], |v| {
        v.converted() && !ranges.iter().any(|r| r.contains(&value(v)))
    });
    truth.insert("(in no shown range)".to_owned(), rest);
    truth
}

/// Why the generic tool refuses a catalogue report for a question, if it does: rows whose
/// segments select more visits than the rows count, and unique visitors that are sums of daily
/// counts beyond a week.
fn generic_refusal(method: &str, q: &Question) -> Option<&'static str> {
    match method {
        "VisitTime.getByDayOfWeek" if !matches!(q.period, "day" | "week") => {
            Some("sums of daily counts")
        }
        "PagePerformance.get" => Some("the `page_performance` tool answers it"),
        _ => None,
    }
}

/// The generic `report` tool answers every row report of the emulator's catalogue, and every
/// number it shows is about at least k distinct visitors of the dataset.
///
/// Mutation check (2026-12-06, reverted): local hours' and resolutions' daily sums taken whole
/// rather than divided by the period's days (`daily::from_daily_counts`, which proves them since
/// it reads the same allow-list as a day's count) fails: "case 1
/// VisitTime.getVisitInformationPerLocalTime … month … `21` is about 4 visitors".
#[tokio::test]
async fn the_generic_report_tool_describes_k_visitors_for_every_catalogue_report() {
    let w = world().await;
    let catalogue = w
        .raw
        .call_raw(
            "API.getReportMetadata",
            &Params::new().sites(Sites::one(SITE).unwrap()),
        )
        .await
        .unwrap();
    let methods: Vec<String> = catalogue
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}.{}",
                r["module"].as_str().unwrap(),
                r["action"].as_str().unwrap()
            )
        })
        .filter(|m| {
            !matches!(
                m.as_str(),
                "VisitsSummary.get" | "Goals.get" | "UserId.getUsers"
            )
        })
        .collect();
    assert!(methods.len() >= 48, "{methods:?}");
    assert!(methods.contains(&"UserCountry.getRegion".to_owned()));
    let mut rng = Rng(0x51_7cc1_b727_220a);
    let mut shown_rows = 0;
    let mut refused = 0;
    let mut shown_by: BTreeMap<&str, u64> = BTreeMap::new();
    for case in 0..6 {
        let q = question(&mut rng, w.emu().dataset());
        for method in &methods {
            let mut a = args(&q);
            a["report"] = json!(method);
            let result = w.toolbox.call("report", Some(a)).await.unwrap();
            if let Some(why) = generic_refusal(method, &q) {
                assert!(
                    result.is_error() && result.text().contains(why),
                    "case {case} {method} {q:?}: {}",
                    result.text()
                );
                refused += 1;
                continue;
            }
            assert!(
                !result.is_error(),
                "case {case} {method} {q:?}: {}",
                result.text()
            );
            let out = result.structured().unwrap();
            let rows = out["rows"].as_array().unwrap();
            // Outlink and download domains carry no per-row segment in Matomo's answer, so the
            // dataset cannot be asked who is behind them (as for their dedicated tools, which
            // the loop above leaves out for the same reason).
            if matches!(
                method.as_str(),
                "Actions.getOutlinks" | "Actions.getDownloads"
            ) {
                continue;
            }
            let (flat, url) = generic_shape(method);
            let truth = match conversion_range_value(method) {
                Some(value) => conversion_truth(&w, &q, rows, value),
                None => w.truth(&q, method, flat, url).await,
            };
            let what = format!("case {case} {method} {q:?}");
            check_parts(w.part_truth(&q, method, flat, url).await, rows, &what);
            let (checked, _) = check_rows(&truth, rows, &what);
            shown_rows += checked;
            if checked > 0 {
                *shown_by.entry(method.as_str()).or_default() += checked as u64;
            }
        }
    }
    assert!(shown_rows > 50, "{shown_rows} rows shown");
    assert!(refused >= 1, "{refused} refusals (weekdays beyond a week)");
    println!("rows shown per report: {shown_by:?}");
    // Visits by days since the last visit are answered, each row about its returning visits.
    assert!(
        shown_by.contains_key("VisitorInterest.getNumberOfVisitsByDaysSinceLast"),
        "{shown_by:?}"
    );
    // Most reports show something on this dataset, so their rows were checked.
    assert!(shown_by.len() >= 30, "{shown_by:?}");
}

/// Visit-level, user-level, bulk and writing methods are refused by the generic tool before any
/// request reaches Matomo.
#[tokio::test]
async fn the_generic_report_tool_refuses_what_it_must_never_reach() {
    let w = world().await;
    w.emu().clear_requests();
    for method in [
        "Live.getLastVisitsDetails",
        "UserId.getUsers",
        "SitesManager.addSite",
        "API.getBulkRequest",
    ] {
        let args =
            json!({ "site": SITE, "report": method, "period": "month", "date": "2026-10-01" });
        let refused = testing::refused(&w.toolbox, "report", args).await;
        assert!(refused.contains("never"), "{method}: {refused}");
    }
    assert_eq!(w.emu().request_count(), 0, "{:?}", w.emu().requests());
    // A report the site's catalogue does not list is refused by name.
    let args = json!({ "site": SITE, "report": "SomePlugin.getSomething" });
    let refused = testing::refused(&w.toolbox, "report", args).await;
    assert!(
        refused.contains("has no report `SomePlugin.getSomething`"),
        "{refused}"
    );
}

/// Visits by days since the last visit: the "0 days" row counts returning visits only, while its
/// segment (`daysSinceLastVisit==0`) also selects every first visit. Over ranges (no distinct
/// visitors per row from Matomo, so the row's segment is asked), every shown row must be about
/// `k` returning visitors, whatever the first visits add.
#[tokio::test]
async fn days_since_the_last_visit_are_about_returning_visitors() {
    let w = world().await;
    let method = "VisitorInterest.getNumberOfVisitsByDaysSinceLast";
    let today = w.emu().dataset().today;
    let mut zero_rows_padded_by_first_visits = 0;
    for start in 1..=14 {
        for length in [1, 2, 3] {
            let (first, last) = (today.plus(-start), today.plus(-start + length));
            let q = Question {
                site: SITE,
                period: "range",
                date: format!("{},{}", ymd(first), ymd(last)),
                start: first,
                end: last,
                segment: None,
            };
            let mut a = args(&q);
            a["report"] = json!(method);
            let result = testing::answered(&w.toolbox, "report", a).await;
            let truth = w.truth(&q, method, false, false).await;
            let zero_with_first = w.visitors(&q, &["daysSinceLastVisit==0"]);
            let zero_returning =
                w.visitors(&q, &["daysSinceLastVisit==0", "visitorType==returning"]);
            if zero_returning.len() < K as usize && zero_with_first.len() >= K as usize {
                zero_rows_padded_by_first_visits += 1;
            }
            for row in result.structured().unwrap()["rows"].as_array().unwrap() {
                let label = row["label"].as_str().unwrap();
                let people = truth.get(label).cloned().unwrap_or_default();
                assert!(
                    people.len() as u64 >= K,
                    "{q:?}: `{label}` is about {} returning visitors: {row}",
                    people.len()
                );
            }
        }
    }
    // The case the narrowing exists for happens in this dataset: without it those rows would show.
    assert!(
        zero_rows_padded_by_first_visits > 0,
        "no range where first visits pad the 0-day row"
    );
}
