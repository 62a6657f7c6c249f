//! One answer's noise: the release planned for its question, paid for from the budget (all of
//! its statistics or none), and its rows shown with what they left out.

use std::pin::Pin;
use std::time::{SystemTime, UNIX_EPOCH};

use super::{BudgetError, Completion, NoiseNote, NoiseSetup, NoisyRow, Question, Release, Spread};
use crate::ToolError;
use crate::minimise::Metrics;
use crate::minimise::threshold::{MergeRule, known_metric};
use crate::params::{Date, Day, Period};

/// The exact visits of an answer's population, asked of Matomo by the caller (which knows the
/// client and the segments): under the answer's counting rule, and under
/// [`COMPLETE_RULE`](super::COMPLETE_RULE). `None` when Matomo did not count them.
pub(crate) trait Population: Send + Sync {
    /// `(counted, complete)` visits.
    fn visits(&self) -> PopulationVisits<'_>;
}

/// What [`Population::visits`] returns.
pub(crate) type PopulationVisits<'p> =
    Pin<Box<dyn Future<Output = Result<Option<(u64, u64)>, ToolError>> + Send + 'p>>;

/// The whole population of an answer, whose two totals complete its counts to Matomo's
/// ([`Completion`]): where to ask them, and the statistics they are.
pub(crate) struct Whole<'a> {
    /// Where the totals come from.
    pub population: Box<dyn Population + 'a>,
    /// The statistic of the counted total (a summary's visits over the answer's segment).
    pub counted: Question,
    /// The statistic of the complete total.
    pub complete: Question,
}

/// The confidence of each of the two totals' intervals that the share's interval is made of.
const TOTALS_CONFIDENCE: f64 = 0.99;

/// The two totals of an answer's population, released: what completes its counts.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Totals {
    /// The statistics to pay for, with the answer's.
    pub ids: [[u8; 32]; 2],
    /// The share of Matomo's visits counted, from the two.
    pub completion: Completion,
}

/// The noise of one answer of a built-in tool, when the deployment has noise on.
pub(crate) struct Noisy<'a> {
    setup: &'a NoiseSetup,
    /// The budget's account: the deployment's, per site (sites are separate datasets, so their
    /// budgets compose in parallel).
    account: String,
    question: Question,
    spread: Spread,
    days: u32,
    /// The answer's population, when its counts are completed to Matomo's.
    whole: Option<Whole<'a>>,
    /// The only counts released, when not every count of the rows is ([`Noisy::releasing`]).
    only: Option<&'static [&'static str]>,
}

/// The counts a report's rows show by default, each one released statistic: the visits (what
/// rows are selected, ordered and completed by) and the report's own count where it has one
/// (entries, exits, events). An analyst reading a report of countries reads its visits; its
/// distinct visitors, bounces and conversions would cost three more releases each time.
/// `all_metrics` asks for every count.
pub(crate) fn headline_counts(source: &str) -> &'static [&'static str] {
    match source {
        "Actions.getEntryPageUrls" | "Actions.getEntryPageTitles" => {
            &["nb_visits", "entry_nb_visits"]
        }
        "Actions.getExitPageUrls" | "Actions.getExitPageTitles" => &["nb_visits", "exit_nb_visits"],
        events if events.starts_with("Events.") => &["nb_visits", "nb_events"],
        _ => &["nb_visits"],
    }
}

impl<'a> Noisy<'a> {
    /// The noise of an answer about `question` (for a period of at most `days` days), charged
    /// to `account`.
    pub(crate) fn new(
        setup: &'a NoiseSetup,
        account: &str,
        question: Question,
        spread: Spread,
        days: u32,
    ) -> Self {
        Self {
            setup,
            account: account.to_owned(),
            question,
            spread,
            days,
            whole: None,
            only: None,
        }
    }

    /// Releases only `counts` of the rows' counts (per-metric ε: a question pays for what it
    /// shows); the others are named in `noise.not_released`. The statistics released are the
    /// same whichever counts are asked with them: a count released here is the same number,
    /// charged once, when another answer asks for more.
    pub(crate) fn releasing(mut self, counts: &'static [&'static str]) -> Self {
        self.only = Some(counts);
        self
    }

    /// Completes the answer's counts to Matomo's with the two totals of `whole`, when the
    /// counting rule leaves visits out.
    pub(crate) fn completed_by(mut self, whole: Whole<'a>) -> Self {
        self.whole = Some(whole);
        self
    }

    /// Adds noise to rows (each named by its key), charging the answer to the budget: the
    /// noisy rows in the same order, and the note the answer carries.
    pub(crate) async fn rows<'r>(
        &self,
        rows: impl IntoIterator<Item = (&'r str, &'r Metrics)> + Clone,
    ) -> Result<(Vec<NoisyRow>, NoiseNote), ToolError> {
        let charged = self.charge(rows.clone()).await?;
        let mut seen = Seen::default();
        let noisy = rows
            .into_iter()
            .map(|(key, metrics)| seen.noisy(&charged.release, key, metrics))
            .collect();
        Ok((noisy, charged.note(seen)))
    }

    /// Plans the noise of an answer over these rows and charges each statistic it releases to
    /// the budget (a statistic released before in the window is free); the rows' noise is then
    /// drawn from the plan, as much of it as is shown.
    ///
    /// The statistics are charged all or none: when the budget cannot hold them all, nothing
    /// is charged and the answer is refused. Never more than the limit is spent.
    pub(crate) async fn charge<'r>(
        &self,
        rows: impl IntoIterator<Item = (&'r str, &'r Metrics)>,
    ) -> Result<Charged<'_>, ToolError> {
        let mut release = self.plan(rows);
        let totals = if release.columns().is_empty() {
            None
        } else {
            self.totals().await?
        };
        let extra: Vec<[u8; 32]> = totals.iter().flat_map(|t| t.ids).collect();
        let (charged, left) = pay_ids(self.setup, &self.account, ids_of([&release]), extra).await?;
        if let Some(totals) = totals {
            release.complete_with(totals.completion);
        }
        Ok(Charged {
            release,
            charged,
            left,
            held_back: self.held_back(),
        })
    }

    /// The counts this answer could release and does not ([`Noisy::releasing`]).
    fn held_back(&self) -> Vec<&'static str> {
        let Some(only) = self.only else {
            return Vec::new();
        };
        self.setup
            .dp
            .bounds()
            .noisy_metrics(self.spread)
            .iter()
            .copied()
            .filter(|name| !only.contains(name))
            .collect()
    }

    /// The two totals of the answer's population, released (not yet paid for: pay
    /// [`Totals::ids`] with the answer's statistics), when its counts are completed to Matomo's;
    /// `None` when they are not, or Matomo did not count the population.
    pub(crate) async fn totals(&self) -> Result<Option<Totals>, ToolError> {
        let (Some(whole), Some(complete_dp)) = (&self.whole, self.setup.dp.completing()) else {
            return Ok(None);
        };
        let Some((counted, complete)) = whole.population.visits().await? else {
            return Ok(None);
        };
        // Each total's interval at 99 %: one share completes every row of every answer about the
        // same period and segment, so a share drawn too low would take them all out together.
        let part = TOTALS_CONFIDENCE;
        let total = |dp: &super::DifferentialPrivacy, question: &Question, visits: u64| {
            // Exact in f64: visits far below 2^53.
            #[allow(clippy::cast_precision_loss)]
            let row = Metrics::new().with("nb_visits", visits as f64);
            let release = dp.release(question, Spread::OneRowPerVisit, self.days, [("", &row)]);
            let column = release.columns().first()?;
            let (value, _) = release.noisy_column("nb_visits", [("", &row)]).pop()??;
            Some((column.release_id(), (value, column.half_width(part))))
        };
        let (Some((counted_id, counted)), Some((complete_id, complete))) = (
            total(&self.setup.dp, &whole.counted, counted),
            total(&complete_dp, &whole.complete, complete),
        ) else {
            return Ok(None);
        };
        Ok(Some(Totals {
            ids: [counted_id, complete_id],
            completion: Completion::from_totals(counted, complete),
        }))
    }

    /// The release of an answer over these rows, not yet paid for ([`pay_ids`]).
    pub(crate) fn plan<'r>(
        &self,
        rows: impl IntoIterator<Item = (&'r str, &'r Metrics)>,
    ) -> Release<'a> {
        let mut release = self
            .setup
            .dp
            .release(&self.question, self.spread, self.days, rows);
        if let Some(only) = self.only {
            // A statistic's id and noise are its own (its metric's values only): leaving the
            // others out changes nothing of those released.
            release.columns.retain(|column| only.contains(&column.name));
        }
        release
    }
}

/// The statistics of `releases`, by release id.
pub(crate) fn ids_of<'r, 'a: 'r>(
    releases: impl IntoIterator<Item = &'r Release<'a>>,
) -> Vec<[u8; 32]> {
    releases
        .into_iter()
        .flat_map(Release::columns)
        .map(|column| column.release_id())
        .collect()
}

/// Charges every statistic of `ids` and `more` (by release id: the answers of one question,
/// such as the points of a trend, and the totals that complete them, [`Totals::ids`]) to
/// `account`, all or none: the ε charged now and the ε left in the window.
///
/// Within [`all_or_none`] (a question of several answers), the statistics are only quoted here
/// (refused now if the question's statistics so far would not fit) and charged together when
/// the question is complete.
pub(crate) async fn pay_ids(
    setup: &NoiseSetup,
    account: &str,
    mut ids: Vec<[u8; 32]>,
    more: Vec<[u8; 32]>,
) -> Result<(u64, u64), ToolError> {
    ids.extend(more);
    let epsilon = setup.dp.epsilon_micros();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    if let Ok(pending) = QUESTION.try_with(|q| q.lock().map(|q| q.clone()).unwrap_or_default()) {
        let own: Vec<&[u8]> = ids.iter().map(<[u8; 32]>::as_slice).collect();
        let mut all: Vec<&[u8]> = pending.iter().map(<[u8; 32]>::as_slice).collect();
        all.extend(own.iter().copied());
        let whole = setup
            .budget
            .quote_all(account, &all, epsilon, now)
            .await
            .map_err(budget_refusal)?;
        let mine = setup
            .budget
            .quote_all(account, &own, epsilon, now)
            .await
            .map_err(budget_refusal)?;
        let _ = QUESTION.try_with(|q| {
            if let Ok(mut q) = q.lock() {
                q.extend(ids);
            }
        });
        return Ok((mine.charged_micros, whole.left_micros));
    }
    let questions: Vec<&[u8]> = ids.iter().map(<[u8; 32]>::as_slice).collect();
    let charges = setup
        .budget
        .charge_all(account, &questions, epsilon, now)
        .await
        .map_err(budget_refusal)?;
    Ok((charges.charged_micros, charges.left_micros))
}

tokio::task_local! {
    /// The statistics a question of several answers has released so far, charged together
    /// when it is complete ([`all_or_none`]).
    static QUESTION: std::sync::Mutex<Vec<[u8; 32]>>;
}

/// Runs `question`, a question of several answers about one site (the two periods of a
/// comparison, the parts of an overview), so that the statistics all its answers release are
/// charged to `account` together, all or none: refused for the budget, it has spent nothing.
pub(crate) async fn all_or_none<T>(
    setup: Option<&NoiseSetup>,
    account: &str,
    question: impl Future<Output = Result<T, ToolError>>,
) -> Result<T, ToolError> {
    let Some(setup) = setup else {
        return question.await;
    };
    QUESTION
        .scope(std::sync::Mutex::new(Vec::new()), async {
            let answer = question.await?;
            let ids = QUESTION
                .try_with(|q| q.lock().map(|q| q.clone()).unwrap_or_default())
                .unwrap_or_default();
            let questions: Vec<&[u8]> = ids.iter().map(<[u8; 32]>::as_slice).collect();
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            setup
                .budget
                .charge_all(account, &questions, setup.dp.epsilon_micros(), now)
                .await
                .map_err(budget_refusal)?;
            Ok(answer)
        })
        .await
}

/// A spent budget or an unreachable shared ledger is the privacy policy at work; a budget file
/// that cannot be written is the operator's mistake, reported as the server's own failure so
/// that neither the user nor the model takes it for a rule about the question.
fn budget_refusal(error: BudgetError) -> ToolError {
    match error {
        BudgetError::Store { .. } => ToolError::internal(format!(
            "{error}; answers with noise cannot be counted until the server's operator fixes it"
        )),
        _ => ToolError::policy_refusal(error.to_string()),
    }
}

/// The budget account of a deployment's answers about one site.
pub(crate) fn site_account(account: &str, site: u32) -> String {
    format!("{account}/site-{site}")
}

/// The period a date names, as one label whatever day within it was given (`2026-11` for any
/// day of November with period `month`): questions about the same period are the same question.
pub(crate) fn period_label(period: Period, date: Date) -> String {
    let Date::Day(day) = date else {
        return date.to_string();
    };
    match period {
        Period::Month => format!("{:04}-{:02}", day.year(), day.month()),
        Period::Year => format!("{:04}", day.year()),
        Period::Week => week_start(day).map_or_else(|| day.to_string(), |d| d.to_string()),
        Period::Day | Period::Range => day.to_string(),
    }
}

/// The Monday of a day's week (Matomo's weeks start on Monday).
fn week_start(day: Day) -> Option<jiff::civil::Date> {
    let date = jiff::civil::Date::new(
        i16::try_from(day.year()).ok()?,
        i8::try_from(day.month()).ok()?,
        i8::try_from(day.day()).ok()?,
    )
    .ok()?;
    let back = i64::from(date.weekday().to_monday_zero_offset());
    date.checked_sub(jiff::Span::new().days(back)).ok()
}

/// An answer's noise, planned and paid for.
pub(crate) struct Charged<'a> {
    pub release: Release<'a>,
    charged: u64,
    left: u64,
    /// Counts the answer could have released and did not ([`Noisy::releasing`]).
    held_back: Vec<&'static str>,
}

impl<'a> Charged<'a> {
    /// A release paid for with [`pay_ids`]: `charged` of the ε charged then is this answer's, and
    /// `left` remained.
    pub(crate) fn paid(release: Release<'a>, charged: u64, left: u64) -> Self {
        Self {
            release,
            charged,
            left,
            held_back: Vec::new(),
        }
    }

    /// The note the answer carries, naming what its shown rows left out or could not show.
    pub(crate) fn note(&self, seen: Seen) -> NoiseNote {
        let mut note = self.release.note(self.charged, self.left);
        // A count held back, or a rate of one, was not released; the rest cannot be.
        let (mut not_released, mut left_out): (Vec<String>, Vec<String>) =
            seen.left_out.into_iter().partition(|name| {
                let parts = match known_metric(name) {
                    Some((
                        _,
                        MergeRule::Ratio {
                            numerator,
                            denominator,
                        },
                    )) => [numerator, denominator],
                    _ => [name.as_str(), name.as_str()],
                };
                parts.iter().any(|part| self.held_back.contains(part))
            });
        left_out.sort_unstable();
        not_released.sort_unstable();
        let mut uncertain = seen.uncertain;
        uncertain.sort_unstable();
        note.left_out = left_out;
        note.not_released = not_released;
        note.uncertain = uncertain;
        note
    }
}

/// What noisy rows left out (no noise for it) or did not show (too uncertain), each named once.
#[derive(Default)]
pub(crate) struct Seen {
    left_out: Vec<String>,
    uncertain: Vec<String>,
}

impl Seen {
    /// A row's noisy numbers, noting what it left out or could not show.
    pub(crate) fn noisy(
        &mut self,
        release: &Release<'_>,
        key: &str,
        metrics: &Metrics,
    ) -> NoisyRow {
        let row = release.noisy(key, metrics);
        for name in &row.left_out {
            if !self.left_out.iter().any(|n| n == name) {
                self.left_out.push((*name).to_owned());
            }
        }
        for name in &row.uncertain {
            if !self.uncertain.iter().any(|n| n == name) {
                self.uncertain.push((*name).to_owned());
            }
        }
        row
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An unusable budget file is the server's failure; a spent budget is the policy's refusal.
    #[test]
    fn only_the_policy_refuses_by_policy() {
        let store = budget_refusal(BudgetError::Store {
            path: "/state/privacy-budget.json".to_owned(),
            reason: "Permission denied (os error 13)".to_owned(),
        });
        assert_eq!(
            store.to_string(),
            "internal error: the privacy budget file `/state/privacy-budget.json` cannot be used: Permission denied (os error 13); answers with noise cannot be counted until the server's operator fixes it"
        );
        let spent = budget_refusal(BudgetError::Exhausted {
            left_micros: 0,
            limit_micros: 1_000_000,
            asked_micros: 500_000,
            renews_at: 1_795_737_600,
        });
        assert!(
            spent.to_string().starts_with("refused by privacy policy: "),
            "{spent}"
        );
    }
}
