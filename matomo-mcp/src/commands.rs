//! The subcommands.

use std::error::Error;
use std::path::Path;
use std::sync::Arc;

use matomo_mcp::catalogue;
use matomo_mcp::config::{AuditTarget, Config};
use matomo_mcp::manifest::{ManifestBuilder, PrivacyManifest};
use matomo_mcp::startup;
use matomo_mcp_core::audit::JsonLinesAudit;
use matomo_mcp_core::reporting::Deployment;
use matomo_mcp_core::{PrivacyClass, Toolbox};
use matomo_mcp_server::{BearerToken, HttpConfig, HttpServer, ServerInfo, serve_stdio};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// The configuration, with everything that can be checked without Matomo checked: the tool
/// names of `tools.allowed` too, so that a typo is reported before "configuration: ok".
fn load(path: Option<&Path>) -> Result<Config> {
    let config = Config::load(path)?;
    catalogue::descriptors(config.allowed_tools.as_deref())?;
    Ok(config)
}

fn info() -> ServerInfo {
    ServerInfo::new("matomo-mcp", env!("CARGO_PKG_VERSION"))
}

async fn toolbox(config: &Config) -> Result<Toolbox<Deployment>> {
    let deployment = startup::connect(config).await?;
    tracing::info!(
        check = deployment.site_access().summary(),
        "Matomo token checked"
    );
    let mut toolbox = catalogue::toolbox(deployment, config.allowed_tools.as_deref())?;
    match &config.audit_log {
        Some(AuditTarget::Stderr) => {
            toolbox = toolbox.with_audit(Arc::new(JsonLinesAudit::to_stderr()))
        }
        Some(AuditTarget::File(path)) => {
            toolbox = toolbox.with_audit(Arc::new(JsonLinesAudit::to_file(path)?))
        }
        None => {}
    }
    Ok(toolbox)
}

/// `serve`: stdio or Streamable HTTP, after the enabled flag and the token check.
pub async fn serve(path: Option<&Path>, http: bool) -> Result<()> {
    let config = load(path)?;
    config.require_enabled()?;
    let toolbox = toolbox(&config).await?;
    if !http {
        return Ok(serve_stdio(toolbox, info()).await?);
    }
    let mut http_config = HttpConfig::default()
        .with_bind(config.http.bind)
        .with_max_body_bytes(config.http.max_body_bytes)
        .with_max_in_flight(config.http.max_concurrent_calls)
        .with_read_timeout(config.http.read_timeout)
        .with_max_sessions(config.http.max_sessions)
        .with_session_idle_timeout(config.http.session_idle_timeout);
    for token in &config.http.bearer_tokens {
        http_config = http_config.with_bearer_token(BearerToken::new(token.expose()));
    }
    if !config.http.allowed_origins.is_empty() {
        let origins: Vec<String> = http_config
            .allowed_origins
            .iter()
            .chain(&config.http.allowed_origins)
            .cloned()
            .collect();
        http_config = http_config.with_allowed_origins(origins);
    }
    if !config.http.allowed_hosts.is_empty() {
        let hosts: Vec<String> = http_config
            .allowed_hosts
            .iter()
            .chain(&config.http.allowed_hosts)
            .cloned()
            .collect();
        http_config = http_config.with_allowed_hosts(hosts);
    }
    let server = HttpServer::bind(toolbox, info(), http_config).await?;
    eprintln!("matomo-mcp: serving MCP at {}", server.url());
    server
        .serve(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// `check`: what this configuration would do, without serving.
pub async fn check(path: Option<&Path>) -> Result<()> {
    let config = load(path)?;
    println!("configuration: ok");
    println!(
        "serving enabled: {}",
        if config.enabled {
            "yes"
        } else {
            "no (set enabled = true to serve)"
        }
    );
    println!("ceiling: {} ({})", config.ceiling, config.ceiling.meaning());
    println!("threshold k: {}", config.privacy.threshold.k());
    let noise = &config.privacy.noise;
    if noise.enabled {
        println!(
            "differential privacy: on; ε={} per answer, at most ε={} per {} h, budget in {}{}",
            noise.epsilon_micros as f64 / 1e6,
            noise.budget_micros as f64 / 1e6,
            noise.window.as_secs() / 3600,
            noise
                .budget_file
                .as_ref()
                .map_or_else(String::new, |path| path.display().to_string()),
            if noise.has_key_file() {
                ""
            } else {
                " (no privacy.noise.key_file: answers change at each start)"
            }
        );
    } else {
        println!(
            "differential privacy: off (privacy.noise.enabled = false): answers carry exact numbers"
        );
    }
    let toolbox = toolbox(&config).await?;
    println!(
        "Matomo: reachable; token check: {}",
        toolbox.state().site_access().summary()
    );
    let exposed: Vec<&str> = toolbox.list().map(|t| t.name()).collect();
    println!("tools exposed ({}): {}", exposed.len(), exposed.join(", "));
    let hidden: Vec<String> = toolbox
        .all_descriptors()
        .filter(|d| !d.max_class().is_within(config.ceiling))
        .map(|d| format!("{} ({})", d.name(), d.max_class()))
        .collect();
    if !hidden.is_empty() {
        println!("tools above the ceiling, not served: {}", hidden.join(", "));
    }
    if config.ceiling > PrivacyClass::Aggregate {
        println!(
            "WARNING: the ceiling is above aggregate: visitor-level data reaches the AI provider; update your DPIA"
        );
    }
    Ok(())
}

/// `manifest`: Markdown or JSON, with the token check unless offline.
pub async fn manifest(path: Option<&Path>, json: bool, offline: bool) -> Result<()> {
    let config = load(path)?;
    let builder = if offline {
        let descriptors = catalogue::descriptors(config.allowed_tools.as_deref())?;
        settings(
            PrivacyManifest::from_descriptors(&descriptors, config.ceiling),
            &config,
        )
        .token_check("not performed (manifest generated with --offline)")
        .build()
    } else {
        let toolbox = toolbox(&config).await?;
        let check = toolbox.state().site_access().summary().to_owned();
        settings(PrivacyManifest::builder(&toolbox), &config)
            .token_check(check)
            .build()
    };
    println!(
        "{}",
        if json {
            builder.to_json()
        } else {
            builder.to_markdown()
        }
    );
    Ok(())
}

fn settings(builder: ManifestBuilder, config: &Config) -> ManifestBuilder {
    let mut builder = builder
        .enabled(config.enabled)
        .threshold(config.privacy.threshold)
        .noise(&config.privacy.noise)
        .scrubbing(
            config.privacy.allowed_query_params.clone(),
            config
                .privacy
                .scrub_patterns
                .iter()
                .map(|(name, _)| name.clone())
                .collect(),
        );
    if let Some(key) = &config.privacy.pseudonym_key {
        builder = builder.pseudonym_key_fingerprint(key.fingerprint());
    }
    match &config.audit_log {
        Some(AuditTarget::Stderr) => builder.audit_log("standard error"),
        Some(AuditTarget::File(path)) => builder.audit_log(path.display().to_string()),
        None => builder,
    }
}

/// `tools`: the definitions this configuration exposes, without contacting Matomo.
///
/// Without a configuration file, the tools a default configuration exposes (every aggregate
/// tool): what an operator sees before writing one.
pub fn tools(path: Option<&Path>) -> Result<()> {
    let (allowed, ceiling) = match path {
        Some(path) => {
            let config = load(Some(path))?;
            (config.allowed_tools, config.ceiling)
        }
        None => (None, PrivacyClass::Aggregate),
    };
    let descriptors: Vec<_> = catalogue::descriptors(allowed.as_deref())?
        .into_iter()
        .filter(|d| d.max_class().is_within(ceiling))
        .collect();
    println!("{}", serde_json::to_string_pretty(&descriptors)?);
    Ok(())
}
