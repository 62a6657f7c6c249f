// `RedactedDebug` lists named fields; an enum has none to list or redact.
use matomo_privacy_mcp_core::RedactedDebug;

#[derive(RedactedDebug)]
enum Credential {
    Token(String),
    Password(String),
}

fn main() {}
