//! What each built-in tool costs a real Matomo, beside the direct Matomo call that answers the
//! same question: requests, Matomo's own time (nginx's `$request_time` in `log/access.log`) and
//! bytes fetched, cold (site 1's segment archives deleted, as before anyone asked) and warm (the
//! same question again, fresh client, Matomo's archives built).
//!
//! Run by hand as root on the machine of `../shared/matomo/matomo-real`, whose site 1 holds the
//! realistic month (November 2026), read only: its visits are never touched; "cold" deletes only
//! the segment archives Matomo builds on request (`done<md5>…` archives of site 1), which it
//! builds again on the next request.
//!
//! ```sh
//! cargo bench -p matomo-privacy-mcp-core --bench matomo_cost            # every question
//! cargo bench -p matomo-privacy-mcp-core --bench matomo_cost -- top_pages countries
//! ```
//!
//! Requests reach Matomo through a counting proxy on 127.0.0.1 that marks them (`cost=1` in the
//! query string, so the access log's lines of other clients are left out) and counts the bytes
//! Matomo sends back. The tools run with the threshold only (k = 5, no noise).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use matomo_privacy_mcp_core::client::MatomoClient;
use matomo_privacy_mcp_core::minimise::{Scrubber, Threshold};
use matomo_privacy_mcp_core::policy::SiteAccess;
use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_core::testing;
use matomo_privacy_mcp_core::{PrivacyClass, Toolbox};
use matomo_privacy_mcp_tools as tools;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const SITE: u32 = 1;
const MONTH: &str = "2026-11-01";
const WEEK: &str = "2026-11-16";
const DAY: &str = "2026-11-18";
const K: u64 = 5;
/// The path the client is given; the proxy turns it into Matomo's with a mark.
const BENCH_PATH: &[u8] = b"/cost-bench/index.php?";
const MARKED_PATH: &[u8] = b"/index.php?cost=1&";

/// One question: a tool call and the direct Matomo calls answering it.
struct Question {
    tool: &'static str,
    args: Value,
    direct: Vec<Vec<(&'static str, String)>>,
}

fn month(method: &'static str, extra: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut call = vec![
        ("method", method.to_owned()),
        ("idSite", SITE.to_string()),
        ("period", "month".to_owned()),
        ("date", MONTH.to_owned()),
    ];
    call.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
    call
}

/// The top ten rows of a report, as Matomo's own UI asks for them.
fn top(method: &'static str, flat: bool) -> Vec<(&'static str, String)> {
    let mut extra = vec![
        ("filter_limit", "10"),
        ("filter_sort_column", "nb_visits"),
        ("filter_sort_order", "desc"),
    ];
    if flat {
        extra.push(("flat", "1"));
    }
    month(method, &extra)
}

/// A report's top ten rows for one day of the month.
fn day_report(tool: &'static str, method: &'static str) -> Question {
    Question {
        tool,
        args: json!({"site": SITE, "period": "day", "date": DAY, "limit": 10}),
        direct: vec![vec![
            ("method", method.to_owned()),
            ("idSite", SITE.to_string()),
            ("period", "day".to_owned()),
            ("date", DAY.to_owned()),
            ("filter_limit", "10".to_owned()),
            ("filter_sort_column", "nb_visits".to_owned()),
            ("filter_sort_order", "desc".to_owned()),
        ]],
    }
}

fn questions() -> Vec<Question> {
    let m = |_tool: &'static str| json!({"site": SITE, "period": "month", "date": MONTH});
    let report = |tool: &'static str, method: &'static str, flat: bool| Question {
        tool,
        args: json!({"site": SITE, "period": "month", "date": MONTH, "limit": 10}),
        direct: vec![top(method, flat)],
    };
    let summary = |tool: &'static str, method: &'static str| Question {
        tool,
        args: m(tool),
        direct: vec![month(method, &[])],
    };
    // The generic `report` tool on a report of the month, beside the same top ten asked directly.
    let any_report = |method: &'static str| Question {
        tool: "report",
        args: json!({"site": SITE, "report": method, "period": "month", "date": MONTH,
            "limit": 10}),
        direct: vec![top(method, false)],
    };
    // A tool that reads one of Matomo's lists for the site (`id` names Matomo's site parameter).
    let site_list = |tool: &'static str, method: &'static str, id: &'static str| Question {
        tool,
        args: json!({"site": SITE}),
        direct: vec![vec![("method", method.to_owned()), (id, SITE.to_string())]],
    };
    vec![
        Question {
            tool: "list_sites",
            args: json!({}),
            direct: vec![vec![(
                "method",
                "SitesManager.getSitesWithAtLeastViewAccess".to_owned(),
            )]],
        },
        summary("visits_summary", "VisitsSummary.get"),
        summary("returning_visits", "VisitFrequency.get"),
        Question {
            tool: "all_sites",
            args: json!({"period": "month", "date": MONTH}),
            direct: vec![vec![
                ("method", "MultiSites.getAll".to_owned()),
                ("period", "month".to_owned()),
                ("date", MONTH.to_owned()),
            ]],
        },
        Question {
            tool: "metric_trend",
            args: json!({"site": SITE, "metric": "nb_visits", "period": "day", "last": 30}),
            direct: vec![vec![
                ("method", "VisitsSummary.get".to_owned()),
                ("idSite", SITE.to_string()),
                ("period", "day".to_owned()),
                ("date", "last30".to_owned()),
            ]],
        },
        report("top_pages", "Actions.getPageUrls", true),
        report("entry_pages", "Actions.getEntryPageUrls", true),
        report("page_titles", "Actions.getPageTitles", true),
        report("outlinks", "Actions.getOutlinks", false),
        report("downloads", "Actions.getDownloads", false),
        report(
            "site_search_keywords",
            "Actions.getSiteSearchKeywords",
            false,
        ),
        report("referrer_types", "Referrers.getReferrerType", false),
        report("referrer_websites", "Referrers.getWebsites", false),
        report("search_engines", "Referrers.getSearchEngines", false),
        report("campaigns", "Referrers.getCampaigns", false),
        report("social_networks", "Referrers.getSocials", false),
        report("countries", "UserCountry.getCountry", false),
        report("cities", "UserCountry.getCity", false),
        report("device_types", "DevicesDetection.getType", false),
        report("browsers", "DevicesDetection.getBrowsers", false),
        report("os_versions", "DevicesDetection.getOsVersions", false),
        summary("goals_overview", "Goals.get"),
        Question {
            tool: "ecommerce_overview",
            args: m("ecommerce_overview"),
            direct: vec![month("Goals.get", &[("idGoal", "ecommerceOrder")])],
        },
        summary("visits_to_conversion", "Goals.getVisitsUntilConversion"),
        summary("site_overview", "API.get"),
        report("event_categories", "Events.getCategory", false),
        report("event_actions", "Events.getAction", false),
        report("event_names", "Events.getName", false),
        Question {
            tool: "visits_per_hour",
            args: m("visits_per_hour"),
            direct: vec![month("VisitTime.getVisitInformationPerServerTime", &[])],
        },
        summary("page_performance", "PagePerformance.get"),
        site_list("report_catalogue", "API.getReportMetadata", "idSites"),
        any_report("UserLanguage.getLanguage"),
        // Rows Matomo sends without a segment, known by their largest part (run D).
        any_report("DevicesDetection.getOsFamilies"),
        any_report("UserCountry.getContinent"),
        Question {
            tool: "compare_periods",
            args: json!({"site": SITE, "report": "Actions.getPageUrls", "period": "week",
                "date": WEEK, "limit": 10}),
            direct: ["2026-11-16", "2026-11-09"]
                .iter()
                .map(|date| {
                    vec![
                        ("method", "Actions.getPageUrls".to_owned()),
                        ("idSite", SITE.to_string()),
                        ("period", "week".to_owned()),
                        ("date", (*date).to_owned()),
                        ("flat", "1".to_owned()),
                        ("filter_limit", "10".to_owned()),
                        ("filter_sort_column", "nb_visits".to_owned()),
                        ("filter_sort_order", "desc".to_owned()),
                    ]
                })
                .collect(),
        },
        // A day: rows pass on Matomo's own distinct visitors, and the "Other" row's proof counts
        // every shown row's segment as well.
        day_report("countries", "UserCountry.getCountry"),
        day_report("os_versions", "DevicesDetection.getOsVersions"),
        Question {
            tool: "annotations",
            args: json!({"site": SITE, "period": "month", "date": MONTH}),
            direct: vec![month("Annotations.getAll", &[])],
        },
        site_list("saved_segments", "SegmentEditor.getAll", "idSite"),
    ]
}

/// What one question cost Matomo.
#[derive(Default, Clone, Copy)]
struct Cost {
    requests: u64,
    matomo_secs: f64,
    bytes: u64,
    wall_secs: f64,
}

struct Bench {
    home: PathBuf,
    port: u16,
    proxy: u16,
    fetched: Arc<AtomicU64>,
    token: String,
}

impl Bench {
    /// Deletes site 1's segment archives (never its visits, never its plain archives).
    fn make_cold(&self) {
        let db = format!("matomo_{}", self.port);
        let tables = std::process::Command::new("mysql")
            .args([
                "-N",
                "-B",
                &db,
                "-e",
                "SHOW TABLES LIKE 'matomo_archive_numeric_%'",
            ])
            .output()
            .expect("mysql (run as root on matomo-real's machine)");
        let mut sql = String::new();
        for numeric in String::from_utf8_lossy(&tables.stdout).split_whitespace() {
            let blob = numeric.replace("_numeric_", "_blob_");
            sql.push_str(&format!(
                "CREATE TEMPORARY TABLE IF NOT EXISTS cold_ids (idarchive INT PRIMARY KEY); \
                 DELETE FROM cold_ids; \
                 INSERT IGNORE INTO cold_ids SELECT idarchive FROM {numeric} \
                   WHERE idsite = {SITE} AND name REGEXP '^done[0-9a-f]{{32}}'; \
                 DELETE FROM {numeric} WHERE idsite = {SITE} AND idarchive IN (SELECT idarchive FROM cold_ids); "
            ));
            let has_blob = std::process::Command::new("mysql")
                .args(["-N", "-B", &db, "-e", &format!("SHOW TABLES LIKE '{blob}'")])
                .output()
                .map(|o| !o.stdout.is_empty())
                .unwrap_or(false);
            if has_blob {
                sql.push_str(&format!(
                    "DELETE FROM {blob} WHERE idsite = {SITE} AND idarchive IN (SELECT idarchive FROM cold_ids); "
                ));
            }
        }
        let out = std::process::Command::new("mysql")
            .args([&db, "-e", &sql])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn log_len(&self) -> u64 {
        std::fs::metadata(self.home.join("log/access.log"))
            .map(|m| m.len())
            .unwrap_or(0)
    }

    /// The marked requests logged since `from`: how many, and Matomo's time.
    fn logged_since(&self, from: u64) -> (u64, f64) {
        let text = std::fs::read(self.home.join("log/access.log")).unwrap();
        let text = String::from_utf8_lossy(text.get(from as usize..).unwrap_or(&[]));
        let mut requests = 0;
        let mut secs = 0.0;
        for line in text.lines().filter(|l| l.contains("cost=1")) {
            requests += 1;
            secs += line
                .split_whitespace()
                .nth(1)
                .and_then(|t| t.parse::<f64>().ok())
                .unwrap_or(0.0);
        }
        (requests, secs)
    }

    async fn measure<F: std::future::Future<Output = ()>>(&self, run: F) -> Cost {
        // nginx writes a line when the answer is sent; let the last one land.
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let from = self.log_len();
        self.fetched.store(0, Ordering::SeqCst);
        let started = Instant::now();
        run.await;
        let wall_secs = started.elapsed().as_secs_f64();
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let (requests, matomo_secs) = self.logged_since(from);
        Cost {
            requests,
            matomo_secs,
            bytes: self.fetched.load(Ordering::SeqCst),
            wall_secs,
        }
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}/cost-bench/", self.proxy)
    }

    async fn toolbox(&self) -> Toolbox<Deployment> {
        let client = MatomoClient::builder(self.base())
            .token(self.token.clone())
            .no_cache()
            .build()
            .unwrap();
        let sites = SiteAccess::check(&client.permissions().await.unwrap(), false, None).unwrap();
        let deployment = Deployment::from_parts(
            client,
            &self.token,
            sites,
            Scrubber::builder().build().unwrap(),
            Threshold::new(K).unwrap(),
            PrivacyClass::Aggregate,
            None,
        );
        tools::toolbox(deployment, |_| true).unwrap()
    }

    async fn tool(&self, q: &Question) -> (Cost, String) {
        let toolbox = self.toolbox().await;
        let mut outcome = String::new();
        let cost = self
            .measure(async {
                let result = toolbox.call(q.tool, Some(q.args.clone())).await;
                outcome = match result {
                    Ok(r) if r.is_error() => {
                        format!("error: {}", r.text().chars().take(160).collect::<String>())
                    }
                    Ok(_) => "ok".to_owned(),
                    Err(e) => format!("refused: {e}"),
                };
            })
            .await;
        (cost, outcome)
    }

    async fn direct(&self, q: &Question) -> Cost {
        let http = reqwest::Client::new();
        self.measure(async {
            for call in &q.direct {
                let query: String = call
                    .iter()
                    .map(|(k, v)| format!("{k}={}", urlencode(v)))
                    .collect::<Vec<_>>()
                    .join("&");
                let url = format!("{}index.php?module=API&format=JSON&{query}", self.base());
                testing::post_form(&http, url, format!("token_auth={}", self.token)).await;
            }
        })
        .await
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A TCP proxy to Matomo that rewrites the bench's path into Matomo's with the mark and counts
/// the bytes Matomo sends back.
async fn proxy(port: u16, fetched: Arc<AtomicU64>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let local = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((client, _)) = listener.accept().await else {
                continue;
            };
            let fetched = fetched.clone();
            tokio::spawn(async move {
                let Ok(upstream) = TcpStream::connect(("127.0.0.1", port)).await else {
                    return;
                };
                let (mut cr, mut cw) = client.into_split();
                let (mut ur, mut uw) = upstream.into_split();
                let up = async move {
                    let mut pending: Vec<u8> = Vec::new();
                    let mut buf = vec![0u8; 65_536];
                    loop {
                        let n = match cr.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        pending.extend_from_slice(&buf[..n]);
                        let out = replace_all(&pending, BENCH_PATH, MARKED_PATH);
                        // Hold back an end that more bytes could make into the bench's path.
                        let hold = (1..BENCH_PATH.len())
                            .rev()
                            .find(|&n| out.ends_with(&BENCH_PATH[..n]))
                            .unwrap_or(0);
                        let (send, rest) = out.split_at(out.len() - hold);
                        if uw.write_all(send).await.is_err() {
                            break;
                        }
                        pending = rest.to_vec();
                    }
                    let _ = uw.write_all(&pending).await;
                    let _ = uw.shutdown().await;
                };
                let down = async move {
                    let mut buf = vec![0u8; 65_536];
                    loop {
                        let n = match ur.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        fetched.fetch_add(n as u64, Ordering::SeqCst);
                        if cw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    let _ = cw.shutdown().await;
                };
                tokio::join!(up, down);
            });
        }
    });
    local
}

fn replace_all(text: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    out
}

fn ratio(tool: f64, direct: f64) -> String {
    if direct <= 0.0 {
        "–".to_owned()
    } else {
        format!("{:.1}×", tool / direct)
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let home = std::env::var_os("MATOMO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/lib/matomo-real"));
    let port: u16 = std::env::var("MATOMO_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8089);
    let token_file = home.join("run/viewer-token.json");
    let Ok(text) = std::fs::read_to_string(&token_file) else {
        println!(
            "SKIPPED matomo_cost: no {} (install ../shared/matomo/matomo-real and run as root)",
            token_file.display()
        );
        return;
    };
    let token = serde_json::from_str::<Value>(&text).unwrap()["value"]
        .as_str()
        .unwrap()
        .to_owned();
    let fetched = Arc::new(AtomicU64::new(0));
    let proxy = proxy(port, fetched.clone()).await;
    let bench = Bench {
        home,
        port,
        proxy,
        fetched,
        token,
    };
    println!(
        "| Tool | Requests cold / warm | Matomo s cold | Matomo s warm | KB cold | Direct: requests, Matomo s cold, KB | Matomo time cold, tool ÷ direct | Outcome |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---|");
    for q in questions() {
        if !only.is_empty() && !only.iter().any(|o| o == q.tool) {
            continue;
        }
        bench.make_cold();
        let direct = bench.direct(&q).await;
        bench.make_cold();
        let (cold, outcome) = bench.tool(&q).await;
        let (warm, _) = bench.tool(&q).await;
        println!(
            "| `{}` {} | {} / {} | {:.2} | {:.2} | {:.0} | {}, {:.2}, {:.0} | {} | {} |",
            q.tool,
            q.args["period"].as_str().unwrap_or(""),
            cold.requests,
            warm.requests,
            cold.matomo_secs,
            warm.matomo_secs,
            cold.bytes as f64 / 1024.0,
            direct.requests,
            direct.matomo_secs,
            direct.bytes as f64 / 1024.0,
            ratio(cold.matomo_secs, direct.matomo_secs),
            outcome
        );
        let _ = cold.wall_secs;
    }
}
