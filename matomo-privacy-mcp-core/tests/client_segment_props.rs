//! Property tests of the segment parser: round trips and no panics.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use matomo_privacy_mcp_core::Segment;
use matomo_privacy_mcp_core::segment::{Condition, Operator};
use proptest::prelude::*;

fn dimension() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "countryCode",
            "deviceType",
            "pageUrl",
            "userId",
            "visitorId",
            "dimension3",
            "customVariableValue1",
            "eventAction",
            "visitCount",
            "referrerName",
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z][a-zA-Z0-9_]{0,12}",
    ]
}

fn condition() -> impl Strategy<Value = Condition> {
    (
        dimension(),
        prop::sample::select(Operator::ALL.to_vec()),
        any::<String>(),
    )
        .prop_filter_map("values Matomo cannot carry", |(name, op, value)| {
            Condition::new(name, op, value).ok()
        })
}

fn segment() -> impl Strategy<Value = Segment> {
    prop::collection::vec(prop::collection::vec(condition(), 1..4), 1..4)
        .prop_map(|groups| Segment::all_of(groups).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parse_of_to_string_is_identity(segment in segment()) {
        let text = segment.to_string();
        let parsed = Segment::parse(&text);
        prop_assert_eq!(parsed.as_ref(), Ok(&segment), "{}", text);
        prop_assert_eq!(parsed.unwrap().max_class(), segment.max_class());
    }

    #[test]
    fn parser_never_panics_on_arbitrary_text(input in any::<String>()) {
        let _ = Segment::parse(&input);
    }

    #[test]
    fn parser_never_panics_on_segment_like_text(input in r"[a-zA-Z0-9=!<>@^$;,\\%+ ]{0,40}") {
        if let Ok(segment) = Segment::parse(&input) {
            // Whatever parses prints to something that parses to the same segment.
            prop_assert_eq!(Segment::parse(&segment.to_string()), Ok(segment));
        }
    }
}
