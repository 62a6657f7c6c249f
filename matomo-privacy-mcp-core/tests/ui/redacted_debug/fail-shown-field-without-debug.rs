// A shown field must be `Debug`; the error points at that field, so a secret type without
// `Debug` is either given one on purpose or marked `#[redact]`.
use matomo_privacy_mcp_core::RedactedDebug;

struct Key([u8; 32]);

#[derive(RedactedDebug)]
struct Signer {
    name: String,
    key: Key,
}

fn main() {}
