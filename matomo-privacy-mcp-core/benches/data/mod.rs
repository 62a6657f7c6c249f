//! Deterministic benchmark data: page-URL reports and visit logs shaped like recorded Matomo 5.0.2 answers.
//!
//! Rows are the recorded rows of `Actions.getPageUrls_flat.json` (and visits of
//! `Live.getLastVisitsDetails.json`) used as templates, with generated paths,
//! metrics and identifiers, so the bytes look like a large real report: about
//! one row in ten carries per-goal metrics, one in twelve an e-mail address,
//! order number or session id in its URL.

#![allow(dead_code)]

use std::path::PathBuf;

use serde_json::{Map, Value, json};

/// A small xorshift generator: the same seed, the same bytes.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A recorded answer from the repository's `fixtures/matomo-5.0.2/`, found above the crate
/// that includes this module.
fn fixture(name: &str) -> Value {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let relative: PathBuf = ["fixtures", "matomo-5.0.2", name].iter().collect();
    let path = manifest
        .ancestors()
        .map(|dir| dir.join(&relative))
        .find(|path| path.exists())
        .unwrap_or_else(|| {
            panic!(
                "{} not found above {}",
                relative.display(),
                manifest.display()
            )
        });
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

const SECTIONS: &[&str] = &[
    "products", "blog", "account", "help", "checkout", "category", "search", "news",
];
const WORDS: &[&str] = &[
    "shoes",
    "trail-runner",
    "jackets",
    "winter",
    "sale",
    "gift-card",
    "returns",
    "shipping",
    "faq",
    "size-guide",
    "about",
    "contact",
    "careers",
    "press",
    "outlet",
    "new-arrivals",
];

/// A page path, sometimes with an identifier a scrubber must mask.
fn path(rng: &mut Rng, i: usize) -> String {
    let section = SECTIONS[rng.below(SECTIONS.len() as u64) as usize];
    let a = WORDS[rng.below(WORDS.len() as u64) as usize];
    let b = WORDS[rng.below(WORDS.len() as u64) as usize];
    match rng.below(48) {
        0 => format!("/account/user{i}.name@example.com/orders"),
        1 => format!("/order/{}/confirmation", 1_000_000 + i),
        2 => format!("/{section}/{a}?session={:016x}&page=2", rng.next()),
        3 => format!(
            "/reset-password/{:08x}-4b1d-4e2a-9c3f-{:012x}",
            rng.next() as u32,
            rng.next() >> 16
        ),
        _ => format!("/{section}/{a}/{b}-{i}"),
    }
}

/// A flat `Actions.getPageUrls` answer of `rows` rows, most visits first, as Matomo sends it.
pub fn page_urls(rows: usize, seed: u64) -> Vec<u8> {
    from_fixture(
        "Actions.getPageUrls_flat.json",
        rows,
        seed,
        |object, rng, i| {
            let label = path(rng, i);
            // A long tail: visits fall with the rank, as in real reports.
            let visits = 1 + (200_000 / (i as u64 + 20)) + rng.below(3);
            let hits = visits + rng.below(visits + 1);
            object.insert("label".into(), json!(label));
            object.insert("nb_visits".into(), json!(visits));
            // A day's report: Matomo counts each row's distinct visitors, which the threshold needs.
            object.insert("nb_uniq_visitors".into(), json!(visits - visits / 8));
            object.insert("nb_hits".into(), json!(hits));
            object.insert("sum_time_spent".into(), json!(hits * (20 + rng.below(90))));
            object.insert(
                "url".into(),
                json!(format!("https://shop.example.com{label}")),
            );
            object.insert("Actions_PageUrl".into(), json!(label));
            let encoded: String = url::form_urlencoded::byte_serialize(
                format!("https://shop.example.com{label}").as_bytes(),
            )
            .collect();
            object.insert("segment".into(), json!(format!("pageUrl=={encoded}")));
            if i % 10 != 0 {
                object.remove("goals");
            }
        },
    )
}

/// A `Live.getLastVisitsDetails` answer of `visits` visits.
pub fn visit_log(visits: usize, seed: u64) -> Vec<u8> {
    from_fixture(
        "Live.getLastVisitsDetails.json",
        visits,
        seed,
        |object, rng, i| {
            object.insert("idVisit".into(), json!(100_000 + i));
            object.insert("visitorId".into(), json!(format!("{:016x}", rng.next())));
            object.insert("fingerprint".into(), json!(format!("{:016x}", rng.next())));
            object.insert(
                "visitIp".into(),
                json!(format!("203.0.{}.{}", rng.below(256), rng.below(256))),
            );
            if i % 7 == 0 {
                object.insert("userId".into(), json!(format!("user{i}@example.com")));
            }
            let ts = 1_795_600_000 + i as u64 * 9;
            object.insert("firstActionTimestamp".into(), json!(ts));
            object.insert("lastActionTimestamp".into(), json!(ts + 120));
            if let Some(Value::Array(actions)) = object.get_mut("actionDetails") {
                for action in actions.iter_mut() {
                    if let Some(action) = action.as_object_mut() {
                        let label = path(rng, i);
                        action.insert(
                            "url".into(),
                            json!(format!("https://shop.example.com{label}")),
                        );
                    }
                }
            }
        },
    )
}

/// `count` objects made from the fixture `name`'s (an array of objects, used in turn), each
/// changed by `fill` with the shared random source and its index, serialised as Matomo sends
/// them.
fn from_fixture(
    name: &str,
    count: usize,
    seed: u64,
    mut fill: impl FnMut(&mut Map<String, Value>, &mut Rng, usize),
) -> Vec<u8> {
    let Value::Array(templates) = fixture(name) else {
        panic!("the fixture {name} is an array");
    };
    let mut rng = Rng::new(seed);
    let out: Vec<Value> = (0..count)
        .map(|i| {
            let mut item = templates[i % templates.len()].clone();
            let object = item.as_object_mut().expect("fixture items are objects");
            fill(object, &mut rng, i);
            item
        })
        .collect();
    serde_json::to_vec(&out).expect("generated items serialise")
}
