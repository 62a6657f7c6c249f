//! The two servers asked the same question.

use matomo_privacy_mcp_testkit::real_matomo::RealMatomo;
use matomo_privacy_mcp_testkit::realistic::form_encode;
use matomo_privacy_mcp_testkit::{Day, Emulator, EmulatorBuilder};
use serde_json::Value;

use super::SEED;

pub const ROOT: &str = "root-token-0123456789abcdef";

pub fn today() -> Day {
    Day::from_ymd(2026, 11, 26).unwrap()
}

/// An emulator of the compared dataset (seed [`SEED`], traffic until [`today`]) that takes
/// [`ROOT`], to be configured further. Its today is the real Matomo's, the clock's (UTC): a
/// range's parts depend on it, and for Matomo the dataset's days are past.
pub fn emulator_builder() -> EmulatorBuilder {
    Emulator::builder()
        .seed(SEED)
        .today(Day::today_utc())
        .traffic_until(today())
        .super_user_token(ROOT)
}

/// The emulator of the compared dataset, running.
pub async fn emulator() -> Emulator {
    emulator_builder().start().await.unwrap()
}

/// The dataset's fortnight, as a range.
pub fn fortnight() -> String {
    format!("{},{}", today().plus(-14), today())
}

pub async fn ask(
    http: &reqwest::Client,
    endpoint: &str,
    token: &str,
    site: u32,
    params: &[(&str, &str)],
) -> Value {
    let site = site.to_string();
    let mut pairs = vec![
        ("module", "API"),
        ("format", "JSON"),
        ("idSite", site.as_str()),
        ("token_auth", token),
    ];
    pairs.extend_from_slice(params);
    let body = http
        .post(endpoint)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_encode(&pairs))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    serde_json::from_str(&body).unwrap_or(Value::String(body))
}

pub struct Sides {
    pub http: reqwest::Client,
    pub emu: Emulator,
    pub real: RealMatomo,
}

impl Sides {
    /// The question over the dataset's fortnight.
    pub async fn both(&self, method: &str, segment: &str) -> (Value, Value) {
        self.both_over(method, segment, "range", &fortnight()).await
    }

    /// The question over one of Matomo's own periods (`day`, `week`, `month`), where it also
    /// counts unique visitors.
    pub async fn both_over(
        &self,
        method: &str,
        segment: &str,
        period: &str,
        date: &str,
    ) -> (Value, Value) {
        self.both_with(method, segment, period, date, &[]).await
    }

    /// The question with parameters of its own (`idGoal`, …) beside the period's.
    pub async fn both_with(
        &self,
        method: &str,
        segment: &str,
        period: &str,
        date: &str,
        extra: &[(&str, &str)],
    ) -> (Value, Value) {
        let flat = if method.starts_with("Actions.") {
            "1"
        } else {
            "0"
        };
        let report = [
            ("method", method),
            ("period", period),
            ("date", date),
            ("segment", segment),
            ("filter_limit", "-1"),
            ("flat", flat),
        ];
        // A metadata method is asked as the SDK asks it (with `filter_limit`, Matomo would
        // answer `Goals.getGoals` as an object keyed by goal id).
        let mut params: Vec<(&str, &str)> =
            if matches!(method, "Goals.getGoals" | "API.getReportMetadata") {
                report[..1].to_vec()
            } else {
                report.to_vec()
            };
        params.extend_from_slice(extra);
        self.ask_both(&params).await
    }

    /// Exactly `params` of both (beside the site and the token): the emulator's site the real
    /// site holds, and that real site.
    pub async fn ask_both(&self, params: &[(&str, &str)]) -> (Value, Value) {
        let emu = ask(
            &self.http,
            &self.emu.endpoint(),
            ROOT,
            self.real.emulator_site(),
            params,
        )
        .await;
        let real = ask(
            &self.http,
            &self.real.endpoint(),
            self.real.admin_token(),
            self.real.site(),
            params,
        )
        .await;
        (emu, real)
    }
}
