//! The cap on requests in flight to Matomo (`ClientBuilder::max_concurrent_requests`), against
//! a real HTTP server on 127.0.0.1 that counts the requests it holds at once: never more than
//! the cap, every call answered, the default when nothing is set, a cancelled call's place (held
//! or waited for) given to the next, a call that never gets a place refused without sending, and
//! every built-in tool answering the same with a cap of 1 (no tool call waits for itself).
//!
//! No assertion is about time: the server holds each request until as many as the cap allows
//! are in (or a gate opens), so the counts are the same on a slow machine.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::response::IntoResponse;
use matomo_privacy_mcp_core::client::{
    ClientError, DEFAULT_MAX_CONCURRENT_REQUESTS, MatomoClient, RequestLimit,
};
use matomo_privacy_mcp_core::dp::{
    ContributionBounds, DifferentialPrivacy, NoiseSetup, PrivacyBudget,
};
use matomo_privacy_mcp_core::params::{Params, Sites};
use matomo_privacy_mcp_core::testing::{self, TOKEN, TestDeployment};
use tokio::sync::Semaphore;

/// Far above what any of these tests takes; only a stuck test reaches it.
const HANG_GUARD: Duration = Duration::from_secs(60);

/// How long the server keeps a full round of requests before answering them.
const SETTLE: Duration = Duration::from_millis(50);

/// How the server holds a request before answering it.
enum Hold {
    /// Until `cap` requests are held at once (or all that are left of `total`), then
    /// [`SETTLE`] more: with a client that keeps to the cap every request is answered, and
    /// the cap is reached; without one, the requests over it arrive meanwhile.
    Together { cap: usize, total: usize },
    /// Until the test hands the request a permit of this gate.
    Gate(Arc<Semaphore>),
}

struct Counts {
    hold: Hold,
    /// Requests arrived and not yet answered.
    held: AtomicUsize,
    /// The most held at once.
    peak: AtomicUsize,
    arrived: AtomicUsize,
    answered: AtomicUsize,
    /// The sites asked for, in order of arrival.
    sites: Mutex<Vec<String>>,
}

/// A Matomo stand-in that answers every call with `{"value": "5.0.2"}` after holding it.
#[derive(Clone)]
struct Server {
    url: String,
    counts: Arc<Counts>,
}

impl Server {
    async fn start(hold: Hold) -> Self {
        let counts = Arc::new(Counts {
            hold,
            held: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
            arrived: AtomicUsize::new(0),
            answered: AtomicUsize::new(0),
            sites: Mutex::new(Vec::new()),
        });
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(Arc::clone(&counts));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { url, counts }
    }

    fn peak(&self) -> usize {
        self.counts.peak.load(Ordering::SeqCst)
    }

    fn arrived(&self) -> usize {
        self.counts.arrived.load(Ordering::SeqCst)
    }

    fn sites(&self) -> Vec<String> {
        self.counts.sites.lock().unwrap().clone()
    }

    /// Waits (polling) until `arrived` requests have reached the server.
    async fn until_arrived(&self, arrived: usize) {
        tokio::time::timeout(HANG_GUARD, async {
            while self.arrived() < arrived {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
        .await
        .expect("the requests never reached the server");
    }
}

/// Counts a request out when its handler ends, answered or dropped.
struct Held(Arc<Counts>);

impl Drop for Held {
    fn drop(&mut self) {
        self.0.held.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn answer(State(counts): State<Arc<Counts>>, body: String) -> axum::response::Response {
    let site = url::form_urlencoded::parse(body.as_bytes())
        .find(|(name, _)| name == "idSite")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    counts.sites.lock().unwrap().push(site);
    counts.arrived.fetch_add(1, Ordering::SeqCst);
    let now = counts.held.fetch_add(1, Ordering::SeqCst) + 1;
    let held = Held(Arc::clone(&counts));
    counts.peak.fetch_max(now, Ordering::SeqCst);
    match &counts.hold {
        Hold::Together { cap, total } => {
            loop {
                let left = total.saturating_sub(counts.answered.load(Ordering::SeqCst));
                if counts.held.load(Ordering::SeqCst) >= (*cap).min(left) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            // A moment for requests over the cap to arrive too, had the client sent them (a
            // client that keeps to the cap sends none, however long the wait).
            tokio::time::sleep(SETTLE).await;
        }
        Hold::Gate(gate) => gate.acquire().await.unwrap().forget(),
    }
    counts.answered.fetch_add(1, Ordering::SeqCst);
    drop(held);
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        r#"{"value":"5.0.2"}"#,
    )
        .into_response()
}

/// A call of site `site`: distinct sites are distinct requests (no coalescing, no cache).
async fn ask(client: &MatomoClient, site: u32) -> Result<serde_json::Value, ClientError> {
    let params = Params::new().sites(Sites::one(site).unwrap());
    client.call_raw("API.getMatomoVersion", &params).await
}

fn builder(server: &Server) -> matomo_privacy_mcp_core::client::ClientBuilder {
    MatomoClient::builder(&server.url)
        .token(TOKEN)
        .no_cache()
        .max_retries(0)
}

/// `calls` calls at once, each on a clone of `client`: every answer.
async fn all_at_once(client: &MatomoClient, calls: usize) -> Vec<serde_json::Value> {
    let tasks: Vec<_> = (1..=calls)
        .map(|site| {
            let client = client.clone();
            tokio::spawn(async move { ask(&client, u32::try_from(site).unwrap()).await })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        let answer = tokio::time::timeout(HANG_GUARD, task)
            .await
            .expect("a call never ended")
            .unwrap();
        answers.push(answer.expect("every call is answered"));
    }
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_times_the_cap_at_once_never_puts_more_than_the_cap_in_flight() {
    const CAP: usize = 3;
    let server = Server::start(Hold::Together {
        cap: CAP,
        total: 5 * CAP,
    })
    .await;
    let client = builder(&server)
        .max_concurrent_requests(CAP)
        .build()
        .unwrap();
    assert_eq!(client.request_limit().max_in_flight(), CAP);

    let answers = all_at_once(&client, 5 * CAP).await;
    assert_eq!(answers.len(), 5 * CAP);
    assert!(answers.iter().all(|a| a["value"] == "5.0.2"), "{answers:?}");
    assert_eq!(server.arrived(), 5 * CAP, "each call is one request");
    // The server holds requests until CAP are in: the cap was reached, never passed.
    assert_eq!(server.peak(), CAP, "requests held at once by the server");
    assert_eq!(
        client.request_limit().in_flight(),
        0,
        "every place given back"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_cap_applies_when_nothing_is_set() {
    const CAP: usize = DEFAULT_MAX_CONCURRENT_REQUESTS;
    let server = Server::start(Hold::Together {
        cap: CAP,
        total: 5 * CAP,
    })
    .await;
    let client = builder(&server).build().unwrap();
    assert_eq!(client.request_limit().max_in_flight(), CAP);
    assert!(format!("{client:?}").contains(&format!("max_concurrent_requests: {CAP}")));

    let answers = all_at_once(&client, 5 * CAP).await;
    assert_eq!(answers.len(), 5 * CAP);
    assert_eq!(server.arrived(), 5 * CAP);
    assert_eq!(server.peak(), CAP, "requests held at once by the server");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_call_gives_its_place_to_the_next() {
    let gate = Arc::new(Semaphore::new(0));
    let server = Server::start(Hold::Gate(Arc::clone(&gate))).await;
    let client = builder(&server).max_concurrent_requests(1).build().unwrap();

    // Site 1 holds the only place; sites 2 to 4 wait for it and are cancelled while waiting.
    let holder = tokio::spawn({
        let client = client.clone();
        async move { ask(&client, 1).await }
    });
    server.until_arrived(1).await;
    assert_eq!(client.request_limit().in_flight(), 1);
    for site in 2..=4 {
        let mut waiting = Box::pin(ask(&client, site));
        // Polled until it waits for the place (it cannot get it: the gate is shut).
        let still_waiting = tokio::time::timeout(Duration::from_millis(50), &mut waiting).await;
        assert!(still_waiting.is_err(), "site {site} got past the cap");
        drop(waiting);
    }
    // The holder is cancelled too, mid-request: its place is free again.
    holder.abort();
    assert!(holder.await.unwrap_err().is_cancelled());
    assert_eq!(client.request_limit().in_flight(), 0, "the holder's place");

    // The next call gets the place at once: no cancelled waiter is still ahead of it. The gate
    // opens for every request, not one: the server may not have noticed the cancelled holder's
    // closed connection, and its handler, still waiting at the gate, would take a single pass
    // (seen once, with the whole workspace's tests running).
    gate.add_permits(Semaphore::MAX_PERMITS / 2);
    let answer = tokio::time::timeout(HANG_GUARD, ask(&client, 5))
        .await
        .expect("the next call was never sent");
    assert_eq!(answer.unwrap()["value"], "5.0.2");
    assert_eq!(server.sites(), ["1", "5"], "cancelled waiters sent nothing");
    assert_eq!(client.request_limit().in_flight(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_without_a_place_for_its_whole_timeout_is_refused_unsent() {
    let gate = Arc::new(Semaphore::new(0));
    let server = Server::start(Hold::Gate(Arc::clone(&gate))).await;
    // Two clients (two tokens, say) under one cap of 1.
    let limit = RequestLimit::new(1).unwrap();
    let patient = builder(&server)
        .shared_request_limit(limit.clone())
        .build()
        .unwrap();
    let hasty = builder(&server)
        .shared_request_limit(limit.clone())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();

    let holder = tokio::spawn({
        let patient = patient.clone();
        async move { ask(&patient, 1).await }
    });
    server.until_arrived(1).await;
    assert_eq!(hasty.request_limit().in_flight(), 1, "the place is shared");
    let refused = tokio::time::timeout(HANG_GUARD, ask(&hasty, 2))
        .await
        .expect("the wait for a place is bounded by the timeout")
        .unwrap_err();
    assert!(
        matches!(refused, ClientError::Busy { limit: 1, ref method } if method == "API.getMatomoVersion"),
        "{refused:?}"
    );
    assert!(refused.is_transient());
    let text = refused.to_string();
    assert!(
        text.contains("as many requests to Matomo as allowed at once (1) were in flight"),
        "{text}"
    );
    assert!(text.contains("max_concurrent_requests"), "{text}");
    assert!(!text.contains(TOKEN), "{text}");
    assert_eq!(server.sites(), ["1"], "the refused call sent nothing");

    gate.add_permits(1);
    let answer = tokio::time::timeout(HANG_GUARD, holder)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(answer.unwrap()["value"], "5.0.2");
    assert_eq!(limit.in_flight(), 0);
}

#[test]
fn a_cap_of_zero_is_refused() {
    let zero = MatomoClient::builder("http://127.0.0.1:9/")
        .token(TOKEN)
        .max_concurrent_requests(0)
        .build()
        .unwrap_err();
    assert!(
        matches!(&zero, ClientError::InvalidParameter { name, .. } if name == "max_concurrent_requests"),
        "{zero:?}"
    );
    assert!(RequestLimit::new(0).is_err());
    assert_eq!(
        RequestLimit::default().max_in_flight(),
        DEFAULT_MAX_CONCURRENT_REQUESTS
    );
}

/// Noise with completion on, as the server runs by default: the most requests a call sends at
/// once (a report, its population and the two totals that complete it).
fn noise() -> NoiseSetup {
    NoiseSetup {
        dp: DifferentialPrivacy::new(
            b"concurrency".repeat(4),
            500_000,
            ContributionBounds::default(),
        )
        .unwrap(),
        budget: PrivacyBudget::in_memory(u64::MAX / 4, Duration::from_secs(86_400)),
    }
}

/// Every built-in tool answers with a cap of 1 what it answers with the default cap: no tool
/// call holds a place while it waits for another of its own requests (which would leave it
/// waiting for itself until its timeout, then fail as busy).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_tool_answers_the_same_with_a_cap_of_one() {
    let emu = testing::emulator(11, &[1, 2]).await;
    let one_at_a_time = MatomoClient::builder(emu.base_url())
        .token(TOKEN)
        .max_concurrent_requests(1)
        // A call stuck waiting for itself fails after this, instead of hanging the test.
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let capped = TestDeployment::over(one_at_a_time, TOKEN)
        .noise(noise())
        .toolbox(matomo_privacy_mcp_tools::all())
        .await;
    let usual = TestDeployment::over(testing::client(&emu), TOKEN)
        .noise(noise())
        .toolbox(matomo_privacy_mcp_tools::all())
        .await;
    let names: Vec<String> = usual.list().map(|tool| tool.name().to_owned()).collect();
    assert!(names.len() >= 10, "{names:?}");
    let mut answered = 0;
    for name in &names {
        let arguments = testing::tool_arguments(name, "month", "today", 10, 5);
        let capped = capped.call(name, Some(arguments.clone())).await.unwrap();
        let usual = usual.call(name, Some(arguments)).await.unwrap();
        assert_eq!(
            (capped.is_error(), capped.text()),
            (usual.is_error(), usual.text()),
            "{name}"
        );
        assert!(!capped.text().contains("allowed at once"), "{name}");
        answered += usize::from(!usual.is_error());
    }
    // Answers, not only refusals, were compared.
    assert!(answered * 4 >= names.len() * 3, "{answered} of {names:?}");
}
