//! Test helpers: a minimal HTTP/1.1 client (so these tests check the emulator from outside, over real
//! TCP, without pulling a client library) and a standard emulator setup.

#![allow(dead_code)]

use matomo_privacy_mcp_testkit::realistic::form_encode;
use matomo_privacy_mcp_testkit::{Day, Emulator, Visit};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const ROOT: &str = "root-token-0123456789abcdef";
pub const VIEWER: &str = "viewer-token-site1";
pub const WRITER: &str = "writer-token-site1";

/// The fixtures were recorded on this day.
pub fn today() -> Day {
    Day::from_ymd(2026, 11, 26).unwrap()
}

/// Site 1 over the fortnight before [`today`], as the report tests ask Matomo for it.
pub const RANGE: [(&str, &str); 3] = [
    ("idSite", "1"),
    ("period", "range"),
    ("date", "2026-11-12,2026-11-25"),
];

/// The first and the last day of [`RANGE`].
pub fn range_days() -> (Day, Day) {
    (today().plus(-14), today().plus(-1))
}

/// The dataset's visits to site 1 within [`RANGE`]: what its reports count.
pub fn range_visits(emu: &Emulator) -> impl Iterator<Item = &Visit> {
    let (start, end) = range_days();
    emu.dataset().visits_in(1, start, end)
}

pub async fn emulator(seed: u64) -> Emulator {
    Emulator::builder()
        .seed(seed)
        .today(today())
        .super_user_token(ROOT)
        .view_token(VIEWER, &[1])
        .write_token(WRITER, &[1])
        .start()
        .await
        .unwrap()
}

#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

/// POSTs `body` to `/index.php?query` and reads the whole response.
pub async fn post_raw(emu: &Emulator, query: &str, body: &str) -> HttpResponse {
    let mut stream = TcpStream::connect(emu.addr()).await.unwrap();
    let target = if query.is_empty() {
        "/index.php".to_string()
    } else {
        format!("/index.php?{query}")
    };
    let req = format!(
        "POST {target} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        emu.addr(),
        body.len()
    );
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> HttpResponse {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("no header end");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.lines();
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let mut content_type = String::new();
    let mut chunked = false;
    for l in lines {
        let (k, v) = l.split_once(':').unwrap();
        match k.to_ascii_lowercase().as_str() {
            "content-type" => content_type = v.trim().to_string(),
            "transfer-encoding" if v.trim() == "chunked" => chunked = true,
            _ => {}
        }
    }
    if chunked {
        body = dechunk(&body);
    }
    HttpResponse {
        status,
        content_type,
        body,
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let nl = b.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&b[..nl]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[nl + 2..nl + 2 + size]);
        b = &b[nl + 2 + size + 2..];
    }
}

/// `module=API&method=<method>&format=JSON`: what names the call, which the recommended style puts
/// in the query string.
pub fn api_query(method: &str) -> String {
    form_encode(&[("module", "API"), ("method", method), ("format", "JSON")])
}

/// The recommended style: module/method/format in the query string, everything else in the body.
pub async fn api(
    emu: &Emulator,
    method: &str,
    token: &str,
    params: &[(&str, &str)],
) -> HttpResponse {
    let query = api_query(method);
    let mut body: Vec<(&str, &str)> = params.to_vec();
    body.push(("token_auth", token));
    post_raw(emu, &query, &form_encode(&body)).await
}

/// `VisitsSummary.get` of `sites` over `period` and `date`, asked with `token`, as JSON (HTTP 200).
pub async fn summary(emu: &Emulator, token: &str, sites: &str, period: &str, date: &str) -> Value {
    let params = [("idSite", sites), ("period", period), ("date", date)];
    api_json(emu, "VisitsSummary.get", token, &params).await
}

/// As `api`, expecting HTTP 200 JSON.
pub async fn api_json(emu: &Emulator, method: &str, token: &str, params: &[(&str, &str)]) -> Value {
    let r = api(emu, method, token, params).await;
    assert_eq!(
        r.status,
        200,
        "{method}: {}",
        String::from_utf8_lossy(&r.body)
    );
    r.json()
}
