use proptest::prelude::*;
use regex::Regex;

use super::*;

fn scrubber() -> Scrubber {
    Scrubber::builder()
        .allow_query_param("page")
        .build()
        .unwrap()
}

#[test]
fn masks_each_kind_of_identifier_in_text() {
    let s = scrubber();
    let cases = [
        (
            "Contact jane.doe+news@example.co.uk now",
            "Contact [email] now",
        ),
        ("/users/jane%40example.com/edit", "/users/[email]/edit"),
        ("id 123e4567-e89b-12d3-a456-426614174000", "id [uuid]"),
        (
            "from 192.168.10.42 and 2001:db8:85a3::8a2e:370:7334",
            "from [ip] and [ip]",
        ),
        ("visitor 5f2e1c0a9b8d7e6f", "visitor [hex]"),
        ("order 100234 shipped", "order [number] shipped"),
        (
            "call +49 30 1234567 or 0049-89-7654321",
            "call [phone] or [phone]",
        ),
        ("call (555) 123-4567", "call [phone]"),
        (
            "reset/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcDEF123",
            "reset/[token]",
        ),
        (
            "key QWxhZGRpbjpvcGVuIHNlc2FtZTEyMzQ1Njc4OQ==",
            "key [token]",
        ),
        (
            "Checkout - Example Shop 2026",
            "Checkout - Example Shop 2026",
        ),
        (
            "supercalifragilisticexpialidocious words",
            "supercalifragilisticexpialidocious words",
        ),
        ("Product 42 in size 10.5", "Product 42 in size 10.5"),
    ];
    for (input, expected) in cases {
        assert_eq!(s.text(input).as_str(), expected, "{input}");
    }
}

#[test]
fn random_looking_secrets_are_masked_and_slugs_and_titles_stay() {
    let s = scrubber();
    for secret in [
        "sk_live_51H8XqJ2eZvKYlo2C0aBcDeFgHiJkLmN",
        "x8f2kdaqmzlp9d0a7mxyzabc",
        "K7X2M9Q4P8R3T6W1Y5Z0A2B4",
        "Ab3_dEf-GhI9jkL_mnO0pqR7sT",
        "dGhpcyBpcyBhIHNlY3JldCBrZXkgMTIz",
    ] {
        let text = s.text(&format!("key {secret} sent"));
        assert_eq!(text.as_str(), "key [token] sent", "{secret}");
        // In a URL the run of base64 characters includes the path before it.
        assert_eq!(s.url(&format!("/reset/{secret}")).as_str(), "[token]");
    }
    for kept in [
        "/products/trail-runner/item-123",
        "/Blog/2024/My-Post-Title",
        "/en/Products/Category/SubCategory/Item2024Edition",
        "/docs/v2/getting-started/installation-guide",
        "/shop/size-10/colour-blue/model-x200/reviews",
    ] {
        assert_eq!(s.url(kept).as_str(), kept);
    }
}

#[test]
fn urls_lose_fragment_credentials_and_unlisted_query_parameters() {
    let s = scrubber();
    let cases = [
        ("/index.htm?parameter=Should display", "/index.htm"),
        (
            "https://shop.example.com/a?page=2&email=jane@example.com#x",
            "https://shop.example.com/a?page=2",
        ),
        (
            "https://user:secret@shop.example.com/login",
            "https://shop.example.com/login",
        ),
        ("http://10.0.0.7:8080/admin", "http://[ip]:8080/admin"),
        (
            "https://shop.example.com/?page=jane@example.com",
            "https://shop.example.com/?page=[email]",
        ),
        (
            "/orders/100234/invoice?token=abc",
            "/orders/[number]/invoice",
        ),
        (
            "mail.example.com/inbox/17a2b3c4d5e6f708a9b0",
            "mail.example.com/inbox/[hex]",
        ),
        ("/blog/2026/11/privacy", "/blog/2026/11/privacy"),
    ];
    for (input, expected) in cases {
        assert_eq!(s.url(input).as_str(), expected, "{input}");
    }
}

#[test]
fn custom_patterns_mask_after_built_ins_and_are_validated() {
    let s = Scrubber::builder()
        .pattern(CustomPattern::new("customer", r"CUST-[A-Z]{3}\d{2}"))
        .build()
        .unwrap();
    assert_eq!(
        s.text("ticket for CUST-ABC12").as_str(),
        "ticket for [customer]"
    );
    assert!(matches!(
        Scrubber::builder()
            .pattern(CustomPattern::new("Bad Name", "x"))
            .build(),
        Err(ScrubConfigError::InvalidName(_))
    ));
    let err = Scrubber::builder()
        .pattern(CustomPattern::new("broken", "("))
        .build()
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("scrub pattern `broken` is not a valid regular expression"),
        "{err}"
    );
    assert!(matches!(
        Scrubber::builder()
            .pattern(CustomPattern::new("empty", "x*"))
            .build(),
        Err(ScrubConfigError::MatchesEmpty(_))
    ));
}

#[test]
fn a_custom_pattern_matching_placeholders_does_not_grow_them() {
    let s = Scrubber::builder()
        .pattern(CustomPattern::new("word", r"[a-z]+"))
        .build()
        .unwrap();
    let once = s.text("mail jane@example.com");
    assert_eq!(once.as_str(), "[word] [email]");
    assert_eq!(s.text(once.as_str()), once);
}

#[test]
fn scrubbed_text_is_pseudonymous_until_thresholded() {
    // Masking finds patterns, not names: only the threshold makes a label aggregate.
    assert_eq!(ScrubbedText::MAX_CLASS, PrivacyClass::Pseudonymous);
    assert_eq!(
        crate::minimise::ThresholdedLabel::MAX_CLASS,
        PrivacyClass::Aggregate
    );
}

fn forbidden() -> Vec<(&'static str, Regex)> {
    [
        (
            "email",
            r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
        ),
        ("ipv4", r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}"),
        (
            "uuid",
            r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}",
        ),
        ("long hex", r"[0-9A-Fa-f]{16,}"),
    ]
    .into_iter()
    .map(|(name, re)| (name, Regex::new(re).unwrap()))
    .collect()
}

/// Text made of pieces that look like personal data, glued by separators, so that
/// the generator hits the interesting boundaries far more often than random bytes would.
fn tricky_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-z]{1,8}",
        "[A-Za-z0-9._%+-]{1,10}@[a-z0-9-]{1,8}\\.[a-z]{2,4}",
        "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "[0-9a-fA-F]{10,40}",
        "[0-9]{1,12}",
        "\\[[a-z]{1,6}\\]",
        "[ ./@:?&=#%_+-]{1,3}",
        any::<String>(),
    ];
    proptest::collection::vec(piece, 0..8).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn text_scrubbing_is_idempotent_and_leaves_no_identifier(input in tricky_text()) {
        let s = scrubber();
        let once = s.text(&input);
        prop_assert_eq!(s.text(once.as_str()), once.clone());
        for (name, re) in forbidden() {
            prop_assert!(!re.is_match(once.as_str()), "{} left in {:?} (from {:?})", name, once.as_str(), input);
        }
    }

    #[test]
    fn url_scrubbing_is_idempotent_and_leaves_no_identifier(input in tricky_text()) {
        let s = scrubber();
        let once = s.url(&input);
        prop_assert_eq!(s.url(once.as_str()), once.clone());
        prop_assert!(!once.as_str().contains('#'));
        for (name, re) in forbidden() {
            prop_assert!(!re.is_match(once.as_str()), "{} left in {:?} (from {:?})", name, once.as_str(), input);
        }
    }
}

/// Text full of base64-alphabet runs: random-looking secrets (with and without `=` padding),
/// slugs of words, placeholders, separators.
fn base64_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[A-Za-z0-9_+/-]{10,40}={0,3}",
        "[a-z]{3,10}(-[a-z0-9]{2,10}){1,4}",
        "\\[[a-z]{1,30}\\]",
        "[ .?&#=]{1,2}",
    ];
    proptest::collection::vec(piece, 0..6).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// The scrubber skips the token rule when `has_random_run` is false; that must never skip
    /// a match the rule would mask.
    #[test]
    fn the_random_run_test_never_misses_what_the_token_rule_masks(text in base64_text()) {
        let rule = BUILT_IN.iter().find(|rule| rule.random_only).unwrap();
        let regex = Regex::new(rule.regex).unwrap();
        if regex.find_iter(&text).any(|m| patterns::looks_random(m.as_str())) {
            prop_assert!(patterns::has_random_run(&text), "{:?}", text);
        }
    }
}

#[test]
fn text_with_nothing_to_mask_is_not_copied() {
    let s = scrubber();
    let text = "/products/trail-runner/new-arrivals-2026";
    assert!(matches!(s.masker.mask(text), std::borrow::Cow::Borrowed(_)));
    assert!(matches!(
        s.masker.mask("order 12345678"),
        std::borrow::Cow::Owned(_)
    ));
}
