// The README's example, returning Matomo's typed rows instead of the pipeline's output.
use matomo_privacy_mcp_core::reporting::{Deployment, ReportArgs};
use matomo_privacy_mcp_core::models::Tree;
use matomo_privacy_mcp_core::models::actions::{GetPageTitles, PageRow};
use matomo_privacy_mcp_core::params::Date;
use matomo_privacy_mcp_core::{ToolError, matomo_tool};

/// Page titles by visits for one period.
#[matomo_tool(title = "Page titles")]
async fn titles(deployment: &Deployment, args: ReportArgs) -> Result<Vec<Tree<PageRow>>, ToolError> {
    Ok(deployment.client().report::<GetPageTitles>().site(args.site).month(Date::Today).send().await?)
}

fn main() {}
