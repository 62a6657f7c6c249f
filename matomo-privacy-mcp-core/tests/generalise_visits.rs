//! The visit generaliser on recorded Matomo 5.0.2 visits: every identifier goes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use matomo_privacy_mcp_core::minimise::{GeneralisedVisit, Generaliser, Scrubber};
use matomo_privacy_mcp_core::models::decode;
use matomo_privacy_mcp_core::models::live::Visit;
use matomo_privacy_mcp_core::privacy::PseudonymKey;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../fixtures/matomo-5.0.2/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(path).unwrap()
}

#[test]
fn real_visits_lose_identifiers_precision_and_coordinates() {
    let visits: Vec<Visit> = decode(&fixture("Live.getLastVisitsDetails.json")).unwrap();
    let key = PseudonymKey::from_bytes(vec![3; 32]).unwrap();
    let scrubber = Scrubber::builder().build().unwrap();
    let g = Generaliser::new(&key, &scrubber);
    let out: Vec<GeneralisedVisit> = visits.iter().map(|v| g.visit(v)).collect();
    let json = serde_json::to_string(&out).unwrap();
    for visit in &visits {
        let f = &visit.fields;
        // Classified values are read back through serialisation: the test knows the truth.
        let text = |value: &dyn erased::Text| value.text();
        for secret in [
            text(&f.visitor_id),
            text(&f.visit_ip),
            text(&f.user_id),
            text(&f.fingerprint),
            text(&f.referrer_url),
        ]
        .into_iter()
        .flatten()
        {
            assert!(!json.contains(&secret), "{secret} survived generalisation");
        }
    }
    for forbidden in [
        "latitude",
        "longitude",
        "visitIp",
        "\"city\"",
        "@",
        "serverTimestamp",
    ] {
        assert!(!json.contains(forbidden), "{forbidden} survived: {json}");
    }
    for v in &out {
        if let Some(started) = &v.started {
            assert!(started.ends_with(":00:00Z"), "{started}");
        }
    }
    assert!(out.iter().all(|v| v.visitor.is_some()));
}

mod erased {
    /// An optional classified string's text, through its serialised form.
    pub trait Text {
        fn text(&self) -> Option<String>;
    }

    impl<T: serde::Serialize> Text for Option<T> {
        fn text(&self) -> Option<String> {
            let value = serde_json::to_value(self.as_ref()?).ok()?;
            value.as_str().map(str::to_owned)
        }
    }
}
