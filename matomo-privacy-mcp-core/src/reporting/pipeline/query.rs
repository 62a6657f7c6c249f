//! A question about one row report, asked of a [`Deployment`]: the one way into the report
//! pipeline for custom tools and built-in ones alike.

use std::marker::PhantomData;

use super::{Labels, ReportOutput, RowReport, run, run_of};
use crate::RedactedDebug;
use crate::ToolError;
use crate::models::Report;
use crate::privacy::PrivacyClass;
use crate::reporting::Deployment;
use crate::reporting::args::ReportArgs;

/// Report `R` for one site and one period, built by [`Deployment::report`] and answered by
/// [`run`](Self::run) through every minimisation step the built-in tools take: the site check,
/// the segment rules, saved segments, label scrubbing, equal labels merged, distinct visitors
/// proven by Matomo, the threshold, differential privacy and the budget (when the deployment has
/// noise on), sorting and paging.
///
/// ```no_run
/// use matomo_privacy_mcp_core::models::actions::GetPageTitles;
/// use matomo_privacy_mcp_core::reporting::{Deployment, Labels, ReportArgs, ReportOutput};
/// use matomo_privacy_mcp_core::{ToolError, matomo_tool};
///
/// /// Page titles by visits for one period; titles with fewer than k visitors are left out.
/// #[matomo_tool]
/// async fn titles(deployment: &Deployment, args: ReportArgs) -> Result<ReportOutput, ToolError> {
///     deployment.report::<GetPageTitles>(&args).labels(Labels::Text).flat().run().await
/// }
/// ```
#[must_use = "a report query does nothing until `run` is awaited"]
#[derive(RedactedDebug)]
pub struct ReportQuery<'a, R> {
    #[redact]
    deployment: &'a Deployment,
    // The AI client's arguments (a segment may name a visitor's page or e-mail address)
    // stay out of `{:?}`, as the query's hand-written Debug kept them out before.
    #[redact]
    args: &'a ReportArgs,
    labels: Labels,
    flat: bool,
    class: PrivacyClass,
    report: PhantomData<fn() -> R>,
}

impl Deployment {
    /// Starts a question about row report `R` (any report of [`crate::models`] whose rows are
    /// labelled), for the site, period, date, segment and page in `args`.
    ///
    /// Labels are scrubbed as URLs unless [`labels`](ReportQuery::labels) says they are free
    /// text; the report is asked for as Matomo's tree unless [`flat`](ReportQuery::flat).
    pub fn report<'a, R: Report>(&'a self, args: &'a ReportArgs) -> ReportQuery<'a, R> {
        ReportQuery {
            deployment: self,
            args,
            // The stricter scrubbing: a URL loses its query string and fragment, and free
            // text loses only what follows a `?` or `#` in it.
            labels: Labels::Url,
            flat: false,
            class: PrivacyClass::Aggregate,
            report: PhantomData,
        }
    }
}

impl Deployment {
    /// Row report `report`, known by its method name rather than a type of
    /// [`crate::models`], through the same pipeline as [`report`](Self::report) (for an
    /// aggregate tool): for reports no type describes, such as any report of the site's catalogue.
    ///
    /// Its rows are decoded as Matomo's generic row (label, known metrics, row segment);
    /// metrics the SDK does not know are dropped.
    ///
    /// # Errors
    ///
    /// As [`ReportQuery::run`]'s.
    pub async fn report_by_method(
        &self,
        report: &RowReport<'_>,
        args: &ReportArgs,
    ) -> Result<ReportOutput, ToolError> {
        run_of(self, report, args, PrivacyClass::Aggregate).await
    }
}

impl<R: Report> ReportQuery<'_, R> {
    /// How the labels are scrubbed: [`Labels::Url`] (the default) for URLs and paths,
    /// [`Labels::Text`] for titles, names and keywords.
    pub fn labels(mut self, labels: Labels) -> Self {
        self.labels = labels;
        self
    }

    /// Asks Matomo for the report flattened (one row per leaf, `flat=1`) instead of its tree.
    pub fn flat(mut self) -> Self {
        self.flat = true;
        self
    }

    /// Accepts segment dimensions up to `class` in the caller's `segment` argument (a
    /// pseudonymous tool may filter on what it may show); the deployment's ceiling still bounds
    /// it. The answer's rows stay aggregate.
    pub fn segment_class(mut self, class: PrivacyClass) -> Self {
        self.class = class;
        self
    }

    /// Asks Matomo and returns the minimised answer.
    ///
    /// # Errors
    ///
    /// A [`ToolError`] the model can read: the site not served, a segment refused, Matomo
    /// unreachable or refusing, the privacy budget spent.
    pub async fn run(self) -> Result<ReportOutput, ToolError> {
        run::<R>(
            self.deployment,
            self.args,
            self.labels,
            self.flat,
            self.class,
        )
        .await
    }
}
