//! The server's icon, as the official MCP Python client (`mcp` 2.x) reads it from `initialize`
//! (`serverInfo.icons`, MCP 2025-11-25): one scalable SVG whose `data:` URI holds exactly the
//! repository's `assets/icon.svg`, with no script and no external reference.
//!
//! Needs python3 with `mcp` (`bash matomo-privacy-mcp-server/tests/interop/setup.sh`); without
//! it one SKIPPED line, unless `CI` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::Command;

use serde_json::Value;

/// Starts the binary over stdio with the official client and prints `serverInfo.icons` as JSON.
const CLIENT: &str = r#"
import asyncio, json, sys
from mcp import Client, StdioServerParameters

async def main():
    params = StdioServerParameters(command=sys.argv[1], args=["serve", "--emulator"],
                                   env={"PATH": "/usr/bin:/bin", "HOME": sys.argv[2]})
    async with Client(params, mode="legacy") as client:
        icons = client.server_info.icons or []
        print(json.dumps([icon.model_dump(by_alias=True, exclude_none=True) for icon in icons]))

asyncio.run(main())
"#;

fn python_client_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import mcp, importlib.metadata as m, sys; sys.exit(0 if m.version('mcp').startswith('2.') else 1)"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        let fix = "bash matomo-privacy-mcp-server/tests/interop/setup.sh";
        assert!(
            std::env::var_os("CI").is_none(),
            "the official MCP Python client (mcp 2.x) is missing; run {fix}"
        );
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED icon test with the official MCP Python client: install it with {fix}"
        );
    }
    ok
}

fn decode_base64(text: &str) -> Vec<u8> {
    let output = Command::new("python3")
        .args([
            "-c",
            "import base64, sys; sys.stdout.buffer.write(base64.b64decode(sys.argv[1], validate=True))",
            text,
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "not base64: {text}");
    output.stdout
}

#[test]
fn the_official_client_sees_the_repositorys_svg_icon() {
    if !python_client_available() {
        return;
    }
    let home = std::env::temp_dir().join(format!("matomo-privacy-mcp-icon-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let output = Command::new("python3")
        .args(["-c", CLIENT, env!("CARGO_BIN_EXE_matomo-privacy-mcp")])
        .arg(&home)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&home);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let icons: Value = serde_json::from_slice(&output.stdout).unwrap();
    let icons = icons.as_array().unwrap();
    assert_eq!(icons.len(), 1, "{icons:?}");
    let icon = &icons[0];
    assert_eq!(icon["mimeType"], "image/svg+xml", "{icon}");
    assert_eq!(icon["sizes"], serde_json::json!(["any"]), "{icon}");
    let src = icon["src"].as_str().unwrap();
    let data = src
        .strip_prefix("data:image/svg+xml;base64,")
        .unwrap_or_else(|| panic!("not an SVG data: URI: {src}"));
    let svg = decode_base64(data);
    let file = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/icon.svg")).unwrap();
    assert_eq!(svg, file, "the icon sent is not assets/icon.svg");

    // Clients are asked to take care with SVG, which can hold script: ours holds none, and
    // refers to nothing outside itself.
    let text = String::from_utf8(svg).unwrap().to_ascii_lowercase();
    assert!(
        text.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{text}"
    );
    for unsafe_part in ["<script", "javascript:", "href", "<foreignobject", "url("] {
        assert!(
            !text.contains(unsafe_part),
            "the icon holds {unsafe_part:?}"
        );
    }
    let event_handler = text.match_indices(" on").any(|(at, _)| {
        let name: String = text[at + 3..]
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        !name.is_empty() && text[at + 3 + name.len()..].starts_with('=')
    });
    assert!(!event_handler, "the icon holds an event handler attribute");
}
