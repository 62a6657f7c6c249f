//! Learning the k-anonymous vocabulary of a period from Matomo's aggregate reports.

use std::collections::{BTreeMap, BTreeSet};

use super::Deployment;
use super::args::Request;
use super::pipeline::{Labels, MAX_CHECKED_ROWS, Overlap, Pipeline, fetch_rows_of};
use super::visitors::Visitors;
use crate::ToolError;
use crate::minimise::{TextKind, Vocabulary};
use crate::models::{Report, actions, events, referrers};

impl Deployment {
    /// The values of `needed` (what generalised visits hold, [`Vocabulary::needed`]) that at
    /// least `threshold_k` distinct visitors of the request's site and period share, by kind:
    /// what [`Vocabulary::generalise`] may leave as it is.
    ///
    /// Each kind is read from the report listing its values (page URLs, titles, event
    /// categories and actions, referrers), for the whole period without a segment, labels
    /// scrubbed as the visit's values are; a value passes when its row passes the threshold,
    /// Matomo asked for the distinct visitors of rows that could.
    ///
    /// # Errors
    ///
    /// Matomo unreachable or refusing one of the reports.
    pub async fn shared_vocabulary(
        &self,
        request: &Request,
        needed: &BTreeSet<(TextKind, String)>,
    ) -> Result<Vocabulary, ToolError> {
        learn(self, request, needed).await
    }
}

/// The values of `needed` that at least `k` distinct visitors of the period share, by kind.
///
/// Each kind is read from the report listing its values (page URLs, titles, event
/// categories and actions, referrers), for the whole period without a segment, labels
/// scrubbed as the visit's values are; a value passes when its row passes the threshold,
/// Matomo asked for the distinct visitors of rows that could (at most [`MAX_CHECKED_ROWS`]
/// per report, most visits first).
pub(crate) async fn learn(
    deployment: &Deployment,
    request: &Request,
    needed: &BTreeSet<(TextKind, String)>,
) -> Result<Vocabulary, ToolError> {
    let mut vocabulary = Vocabulary::new();
    let mut by_kind: BTreeMap<TextKind, BTreeSet<&str>> = BTreeMap::new();
    for (kind, value) in needed {
        by_kind.entry(*kind).or_default().insert(value);
    }
    let visitors = Visitors::new(&deployment.client, request, None);
    for (kind, values) in by_kind {
        let sources: &[Source] = match kind {
            TextKind::Url => &[Source::Pages],
            TextKind::Title => &[Source::Titles],
            TextKind::EventCategory => &[Source::EventCategories],
            TextKind::EventAction => &[Source::EventActions],
            TextKind::Referrer => &[
                Source::Websites,
                Source::SearchEngines,
                Source::Campaigns,
                Source::Socials,
            ],
        };
        for source in sources {
            let rows = source.rows(deployment, request).await?;
            let pipeline = Pipeline {
                scrubber: &deployment.scrubber,
                threshold: deployment.threshold,
                request,
                labels: if *source == Source::Pages {
                    Labels::Url
                } else {
                    Labels::Text
                },
                // Only labels are learnt here; no number is released.
                noise: None,
                scope: None,
            };
            let mut rows: Vec<_> = pipeline
                .scrubbed(rows)
                .into_iter()
                .filter(|row| values.contains(row.label.as_str()))
                .collect();
            pipeline
                .check_rows(&visitors, &mut rows, MAX_CHECKED_ROWS, Overlap::Possible)
                .await?;
            for row in rows.iter().filter(|row| deployment.threshold.passes(row)) {
                vocabulary.allow(kind, &row.label);
            }
        }
    }
    Ok(vocabulary)
}

/// A report's method, its fixed parameters, and whether it is asked for flat.
type SourceReport = (&'static str, &'static [(&'static str, &'static str)], bool);

/// The reports that list the values of a kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    Pages,
    Titles,
    EventCategories,
    EventActions,
    Websites,
    SearchEngines,
    Campaigns,
    Socials,
}

impl Source {
    async fn rows(
        self,
        deployment: &Deployment,
        request: &Request,
    ) -> Result<Vec<super::SourceRow>, ToolError> {
        let (method, fixed, flat) = self.report();
        fetch_rows_of(deployment, method, fixed, request, flat, None, None).await
    }

    /// The report's method and fixed parameters, and whether it is asked for flat: the actions
    /// reports are trees of path segments, whose leaves are the whole URLs and titles.
    fn report(self) -> SourceReport {
        fn of<R: Report>(flat: bool) -> SourceReport {
            (R::METHOD, R::PARAMS, flat)
        }
        match self {
            Self::Pages => of::<actions::GetPageUrls>(true),
            Self::Titles => of::<actions::GetPageTitles>(true),
            Self::EventCategories => of::<events::GetCategory>(false),
            Self::EventActions => of::<events::GetAction>(false),
            Self::Websites => of::<referrers::GetWebsites>(false),
            Self::SearchEngines => of::<referrers::GetSearchEngines>(false),
            Self::Campaigns => of::<referrers::GetCampaigns>(false),
            Self::Socials => of::<referrers::GetSocials>(false),
        }
    }
}
