//! A site of the real Matomo whose page reports Matomo's archiver truncates with small row
//! limits, so that a test sees the "… - Others" rows a large site's reports hold with a handful
//! of visits.
//!
//! The limits (`datatable_archiving_maximum_rows_actions` and
//! `datatable_archiving_maximum_rows_subtable_actions`) are global settings of `config.ini.php`.
//! Lowering them there, even for a minute, would truncate every archive Matomo builds meanwhile
//! (the conformance suite's segments are archived on request) and those archives would stay.
//! Matomo has a narrower way: for a request whose `Host` is `{host}` it reads
//! `config/{host}.config.ini.php` instead of `config.ini.php` when that file exists. The fixture
//! writes such a file (a copy of `config.ini.php` with the limits) for a host name nothing else
//! uses and builds its site's archives (each day, then each week and month holding them) through
//! requests naming that host; every other request, to any site, reads the ordinary configuration. Nothing global changes, so nothing
//! has to be serialised against the other suites beyond the fixture's lock while the site is
//! set up; the site's archives, once built, are read by any client at `127.0.0.1`.

use std::collections::BTreeSet;
use std::io::Write;
use std::time::Instant;

use serde_json::Value;

use super::setup::{self, Api, Failure, Lock};
use super::{RealMatomo, RealMatomoError, http, tracking};
use crate::calendar::Day;
use crate::dataset::{Site, Visit};

/// How many tracking requests go in one bulk request.
const BULK: usize = 500;

/// The periods archived through the limited host, in the fingerprint: a site set up by a
/// fixture that archived fewer is set up again.
const ARCHIVED: &str = "archived: day, week, month";

/// The rows Matomo's archiver keeps per table of the page reports before it folds the rest into
/// one "Others" row (Matomo's defaults: 500 and 100).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowLimits {
    /// `datatable_archiving_maximum_rows_actions`: rows of the top-level table.
    pub actions: u32,
    /// `datatable_archiving_maximum_rows_subtable_actions`: rows per directory.
    pub subtable_actions: u32,
}

impl RowLimits {
    /// The host name whose configuration holds these limits and `more` (the values of
    /// [`RealMatomo::site_with_archiving_limits`]' further settings, in order).
    fn host(self, more: &[(&str, u32)]) -> String {
        let more: String = more.iter().map(|(_, value)| format!("-{value}")).collect();
        format!(
            "rows-{}-{}{more}.testkit.test",
            self.actions, self.subtable_actions
        )
    }

    /// The lines of `config.ini.php`'s `[General]` setting these limits and `more`.
    pub fn settings(self, more: &[(&str, u32)]) -> String {
        let mut out = format!(
            "datatable_archiving_maximum_rows_actions = {}\n\
             datatable_archiving_maximum_rows_subtable_actions = {}\n",
            self.actions, self.subtable_actions
        );
        for (name, value) in more {
            out.push_str(&format!("{name} = {value}\n"));
        }
        out
    }
}

impl RealMatomo {
    /// A site of its own holding `visits` (tracked as `site`'s, without goals), every day of
    /// them, every week and every month holding them archived with Matomo's page-report row
    /// limits set to `limits`; its id.
    ///
    /// A week's archive is built from its days' and a month's from its whole weeks' and loose
    /// days', each sum truncated again (`ArchiveProcessor::aggregateDataTableRecords`): those
    /// too are built through the limited host, so that a later request from any client reads
    /// archives truncated with these limits at every level (Matomo does not archive a finished
    /// period twice). A range is not: a client asking one has it built with the ordinary limits.
    ///
    /// `tag` names the site (`testkit {tag} {fingerprint}`) and its marker in
    /// `$MATOMO_HOME/run/` (letters, digits and `-` only): a later run with the same visits and
    /// limits reuses the site as it is, a changed one replaces it. `Ok(None)` (after one
    /// `SKIPPED {test}: …` line) when Matomo's configuration folder cannot be written and `CI`
    /// is not set.
    pub fn site_with_row_limits(
        &self,
        test: &str,
        tag: &str,
        site: &Site,
        visits: &[Visit],
        limits: RowLimits,
    ) -> Result<Option<u32>, RealMatomoError> {
        self.site_with_archiving_limits(test, tag, limits, &[], site, visits)
    }

    /// [`RealMatomo::site_with_row_limits`] with further archiving settings of `[General]` in
    /// force while its periods are archived (`datatable_archiving_maximum_rows_site_search`,
    /// `…_referrers`, `…_subtable_referrers`: the other reports' row limits).
    pub fn site_with_archiving_limits(
        &self,
        test: &str,
        tag: &str,
        limits: RowLimits,
        more: &[(&str, u32)],
        site: &Site,
        visits: &[Visit],
    ) -> Result<Option<u32>, RealMatomoError> {
        match self.set_up_row_limited(tag, site, visits, limits, more) {
            Ok(id) => Ok(Some(id)),
            Err(Failure::Unavailable(why)) if std::env::var_os("CI").is_none() => {
                let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {why}");
                Ok(None)
            }
            Err(Failure::Unavailable(why)) => Err(RealMatomoError::Unavailable(why)),
            Err(Failure::Broken(why)) => Err(RealMatomoError::SetUp(why)),
        }
    }

    fn set_up_row_limited(
        &self,
        tag: &str,
        site: &Site,
        visits: &[Visit],
        limits: RowLimits,
        more: &[(&str, u32)],
    ) -> Result<u32, Failure> {
        if tag.is_empty() || !tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(Failure::Broken(format!(
                "tag {tag:?}: letters, digits and - only"
            )));
        }
        let mut ordered: Vec<&Visit> = visits.iter().collect();
        // A visitor's visits must reach Matomo in time order for it to count them.
        ordered.sort_by_key(|v| (v.first_ts, v.id));
        let host = limits.host(more);
        let fingerprint = setup::fingerprint(
            [host.clone(), ARCHIVED.to_owned()].into_iter().chain(
                ordered
                    .iter()
                    .flat_map(|v| tracking::tracking_requests(v, site, 0)),
            ),
        );
        let name = format!("testkit {tag} {fingerprint}");
        let marker = self.home.join(format!("run/testkit-{tag}.json"));
        let api = Api {
            port: self.port,
            token: &self.admin_token,
        };

        let _lock = Lock::take(&self.home.join("run/testkit.lock"))?;
        if let Some(id) = setup::marked_site(&marker, &fingerprint)
            && setup::is_named(&api, id, &name)
        {
            return Ok(id);
        }
        let _ = std::fs::remove_file(&marker);
        setup::remove_own_sites(&api, &format!("testkit {tag} "))?;
        super::host_config::write(&self.home, &host, &limits.settings(more))?;

        let started = Instant::now();
        let id = setup::create_site(&api, &[], site, &name)?;
        let requests: Vec<String> = ordered
            .iter()
            .flat_map(|v| tracking::tracking_requests(v, site, id))
            .collect();
        for chunk in requests.chunks(BULK) {
            setup::track(self.port, &self.admin_token, chunk)?;
        }
        // Browser-triggered archiving (on in `matomo-real`) builds each period's archive on the
        // first request for it: the first one names the limited host. Days first, then the
        // weeks and months summed from them.
        let days: BTreeSet<Day> = ordered.iter().map(|v| v.day).collect();
        let weeks: BTreeSet<Day> = days.iter().map(|d| d.week_start()).collect();
        let months: BTreeSet<Day> = days.iter().map(|d| d.month_start()).collect();
        let periods = (days.iter().map(|d| ("day", d)))
            .chain(weeks.iter().map(|d| ("week", d)))
            .chain(months.iter().map(|d| ("month", d)));
        for (period, date) in periods {
            self.archive_as(&host, id, period, &date.to_string())?;
        }
        let _ = writeln!(
            std::io::stderr(),
            "real Matomo fixture: site {id} ({} visits, {} days) tracked and archived with rows \
             limited to {}/{} in {:.1} s",
            ordered.len(),
            days.len(),
            limits.actions,
            limits.subtable_actions,
            started.elapsed().as_secs_f64()
        );
        let content = serde_json::json!({"fingerprint": fingerprint, "site": id}).to_string();
        std::fs::write(&marker, content)
            .map_err(|e| Failure::Broken(format!("writing {}: {e}", marker.display())))?;
        Ok(id)
    }

    /// Asks the period's page report through `host`, so that Matomo archives the period with
    /// that host's configuration.
    fn archive_as(&self, host: &str, site: u32, period: &str, date: &str) -> Result<(), Failure> {
        let body = crate::realistic::form_encode(&[
            ("module", "API"),
            ("format", "JSON"),
            ("method", "Actions.getPageUrls"),
            ("idSite", &site.to_string()),
            ("period", period),
            ("date", date),
            ("flat", "1"),
            ("token_auth", &self.admin_token),
        ]);
        let answer = http::post_as(
            self.port,
            host,
            "/index.php",
            "application/x-www-form-urlencoded",
            &body,
        )
        .map_err(|e| Failure::Broken(format!("archiving {period} {date} through {host}: {e}")))?;
        match serde_json::from_str::<Value>(&answer.body) {
            Ok(Value::Array(_)) => Ok(()),
            _ => Err(Failure::Broken(format!(
                "archiving {period} {date} through {host}: HTTP {} answered {}",
                answer.status,
                answer.body.chars().take(200).collect::<String>()
            ))),
        }
    }
}
