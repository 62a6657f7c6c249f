//! The server under test: the application's default configuration with the viewer token, and
//! one question asked through its toolbox.

use std::fmt::Write as _;
use std::path::Path;

use matomo_privacy_mcp::{catalogue, config::Config, startup};
use matomo_privacy_mcp_core::Toolbox;
use matomo_privacy_mcp_core::reporting::Deployment;
use serde_json::Value;

use crate::cli::Opts;
use crate::questions::Question;

/// Writes a secret readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) {
    use std::io::Write;
    let _ = std::fs::remove_file(path);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).expect("a private file");
    file.write_all(bytes).expect("the private file written");
}

/// `{"value": "<token>"}` as `matomo-real` writes it.
pub(crate) fn read_token(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let value: Value = serde_json::from_str(&text).ok()?;
    value["value"].as_str().map(str::to_owned)
}

/// The application's default configuration against `matomo` with the viewer token: only the
/// URL, the token's file, the budget file and (for repeatable runs) the noise key are set.
pub(crate) async fn toolbox(o: &Opts, dir: &Path, trial: u32) -> Toolbox<Deployment> {
    std::fs::create_dir_all(dir).expect("a work folder");
    let token = read_token(&o.viewer_token_file).expect("the viewer token");
    let token_file = dir.join("viewer.token");
    write_private(&token_file, token.as_bytes());
    let key_file = dir.join("noise.key");
    std::fs::write(
        &key_file,
        format!("matomo-privacy-mcp accuracy benchmark, noise key of trial {trial:04}"),
    )
    .expect("the key file");
    let budget = dir.join("budget.json");
    let _ = std::fs::remove_file(&budget);
    let mut toml = format!(
        "enabled = true\n[matomo]\nurl = {url:?}\ntoken_file = {token:?}\n[privacy.noise]\nbudget_file = {budget:?}\nkey_file = {key:?}\n",
        url = o.matomo,
        token = token_file.display().to_string(),
        budget = budget.display().to_string(),
        key = key_file.display().to_string(),
    );
    if let Some(minutes) = o.visit_spacing_minutes {
        let _ = writeln!(toml, "visit_spacing_minutes = {minutes}");
    }
    let config = Config::from_toml_str(&toml, |_| None).expect("the configuration");
    let deployment = startup::connect(&config).await.expect("connected");
    catalogue::toolbox(deployment, config.allowed_tools.as_deref()).expect("the toolbox")
}

/// What one question did: answered or refused, its ε charged, its numbers.
pub(crate) struct Asked {
    pub(crate) answered: bool,
    pub(crate) refused_for_budget: bool,
    pub(crate) epsilon: f64,
    pub(crate) out: Value,
    pub(crate) text: String,
}

pub(crate) async fn ask(toolbox: &Toolbox<Deployment>, question: &Question) -> Asked {
    match toolbox
        .call(question.tool, Some(question.args.clone()))
        .await
    {
        Ok(result) => {
            let text = result.text().to_owned();
            let out = result.structured().cloned().unwrap_or(Value::Null);
            let error = result.is_error();
            Asked {
                answered: !error,
                refused_for_budget: error && text.to_lowercase().contains("budget"),
                // A comparison is charged in its two periods' notes.
                epsilon: [
                    &out["noise"],
                    &out["current"]["noise"],
                    &out["previous"]["noise"],
                ]
                .iter()
                .filter_map(|noise| noise["epsilon_charged"].as_f64())
                .sum(),
                out,
                text,
            }
        }
        Err(e) => Asked {
            answered: false,
            refused_for_budget: false,
            epsilon: 0.0,
            out: Value::Null,
            text: e.to_string(),
        },
    }
}
