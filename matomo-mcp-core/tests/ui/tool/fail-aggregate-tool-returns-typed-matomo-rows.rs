// The README's example, returning Matomo's typed rows instead of the pipeline's output.
use matomo_mcp_core::catalogue::{Deployment, ReportArgs};
use matomo_mcp_core::models::Tree;
use matomo_mcp_core::models::actions::{GetPageTitles, PageRow};
use matomo_mcp_core::params::Params;
use matomo_mcp_core::{ToolError, matomo_tool};

/// Page titles by visits for one period.
#[matomo_tool(title = "Page titles")]
async fn titles(deployment: &Deployment, args: ReportArgs) -> Result<Vec<Tree<PageRow>>, ToolError> {
    let _ = args;
    let rows = deployment.client().report::<GetPageTitles>(&Params::new()).await?;
    Ok(rows.into_one().unwrap_or_default())
}

fn main() {}
