// Redacted fields are left out and `..` said; a type parameter behind a redacted field need
// not be `Debug`.
use matomo_privacy_mcp_core::RedactedDebug;

struct Secret;

#[derive(RedactedDebug)]
struct Holder<T> {
    name: &'static str,
    #[redact]
    value: T,
}

#[derive(RedactedDebug)]
struct Plain {
    name: &'static str,
}

fn main() {
    let holder = Holder { name: "token", value: Secret };
    assert_eq!(format!("{holder:?}"), r#"Holder { name: "token", .. }"#);
    assert_eq!(format!("{:?}", Plain { name: "p" }), r#"Plain { name: "p" }"#);
}
