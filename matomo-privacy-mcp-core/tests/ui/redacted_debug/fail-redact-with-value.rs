// `#[redact]` takes no value: a field is either shown or left out, never masked with a text
// that could be mistaken for the real one.
use matomo_privacy_mcp_core::RedactedDebug;

#[derive(RedactedDebug)]
struct Upstream {
    host: String,
    #[redact = "***"]
    password: String,
}

fn main() {}
