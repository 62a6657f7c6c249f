//! The segment parser and the policy check never panic; a parsed segment
//! re-serialises to text that parses to the same segment; the policy accepts a
//! segment exactly when its most sensitive dimension is within both limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use matomo_privacy_mcp_core::policy::parse_and_check_segment;
use matomo_privacy_mcp_core::{PrivacyClass, Segment};

const CLASSES: [PrivacyClass; 3] = [
    PrivacyClass::Aggregate,
    PrivacyClass::Pseudonymous,
    PrivacyClass::Identifying,
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = Segment::parse(&text);
    if let Ok(segment) = &parsed {
        let written = segment.to_string();
        let again = Segment::parse(&written)
            .unwrap_or_else(|e| panic!("{written:?} (from {text:?}) does not parse again: {e}"));
        assert_eq!(&again, segment, "{text:?} -> {written:?}");
        assert_eq!(again.to_string(), written, "serialising is not stable");
    }
    for tool in CLASSES {
        for ceiling in CLASSES {
            let checked = parse_and_check_segment(&text, tool, ceiling);
            match (&parsed, &checked) {
                (Err(_), Ok(_)) => panic!("{text:?}: policy accepted what the parser refused"),
                (Ok(segment), Ok(accepted)) => {
                    assert_eq!(segment, accepted);
                    let class = segment.max_class();
                    assert!(
                        class.is_within(tool) && class.is_within(ceiling),
                        "{text:?}"
                    );
                }
                (Ok(segment), Err(refusal)) => {
                    let class = segment.max_class();
                    assert!(
                        !(class.is_within(tool) && class.is_within(ceiling)),
                        "{text:?} refused although within limits: {refusal}"
                    );
                }
                (Err(_), Err(_)) => {}
            }
        }
    }
});
