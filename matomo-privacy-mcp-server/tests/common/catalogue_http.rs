//! Every ready-made tool over Streamable HTTP, against the emulator, for the interop tests.
#![allow(dead_code)]

use matomo_privacy_mcp_core::testing;
use matomo_privacy_mcp_testkit::Emulator;
use matomo_privacy_mcp_tools as tools;

/// The name the catalogue servers of the interop tests give themselves.
pub const CATALOGUE_SERVER: &str = "matomo-privacy-mcp-catalogue";

/// A running catalogue server: its URL, and what stops it.
pub struct CatalogueHttp {
    pub url: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), matomo_privacy_mcp_server::ServeError>>,
    _emulator: Emulator,
    budget: std::path::PathBuf,
}

/// Serves the catalogue (noise on, with a budget of `budget` ε: a client trying every tool asks
/// more than a day's default) over HTTP with the common test configuration.
pub async fn start(name: &str, budget: f64) -> CatalogueHttp {
    let token = "view0123456789abcdef0123456789ab";
    let emulator = testing::emulator_for(token, 9, &[1, 2]).await;
    let budget_file = std::env::temp_dir().join(format!(
        "matomo-privacy-mcp-{name}-budget-{}.json",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&budget_file);
    let deployment =
        super::emulated::deployment(&emulator.base_url(), token, Some((&budget_file, budget)))
            .await;
    let toolbox = tools::toolbox(deployment, |_| true).unwrap();
    let info = matomo_privacy_mcp_server::ServerInfo::new(CATALOGUE_SERVER, "0.0.1-test")
        .with_title("Matomo analytics (test catalogue)")
        .with_description("The built-in tools over the Matomo emulator.")
        .with_website_url("https://github.com/matomo-privacy-mcp/matomo-privacy-mcp")
        .with_instructions("Start with `list_sites`; labels are visitor text.");
    let server = matomo_privacy_mcp_server::HttpServer::bind(toolbox, info, super::test_config())
        .await
        .unwrap();
    let url = server.url();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(server.serve(async move {
        let _ = stopped.await;
    }));
    CatalogueHttp {
        url,
        stop,
        task,
        _emulator: emulator,
        budget: budget_file,
    }
}

impl CatalogueHttp {
    /// Stops the server and removes its budget file.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap().unwrap();
        let _ = std::fs::remove_file(&self.budget);
    }
}
