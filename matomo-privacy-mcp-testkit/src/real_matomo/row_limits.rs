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
//! uses and builds its site's day archives through requests naming that host; every other
//! request, to any site, reads the ordinary configuration. Nothing global changes, so nothing
//! has to be serialised against the other suites beyond the fixture's lock while the site is
//! set up; the site's archives, once built, are read by any client at `127.0.0.1`.

use std::collections::BTreeSet;
use std::io::Write;
use std::time::Instant;

use serde_json::Value;

use super::setup::{self, Api, Failure, Lock};
use super::{RealMatomo, RealMatomoError, http, tracking};
use crate::dataset::{Site, Visit};

/// How many tracking requests go in one bulk request.
const BULK: usize = 500;

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
    /// The host name whose configuration holds these limits.
    fn host(self) -> String {
        format!(
            "rows-{}-{}.testkit.test",
            self.actions, self.subtable_actions
        )
    }
}

impl RealMatomo {
    /// A site of its own holding `visits` (tracked as `site`'s, without goals), every day of
    /// them archived with Matomo's page-report row limits set to `limits`; its id.
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
        match self.set_up_row_limited(tag, site, visits, limits) {
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
    ) -> Result<u32, Failure> {
        if tag.is_empty() || !tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(Failure::Broken(format!(
                "tag {tag:?}: letters, digits and - only"
            )));
        }
        let mut ordered: Vec<&Visit> = visits.iter().collect();
        // A visitor's visits must reach Matomo in time order for it to count them.
        ordered.sort_by_key(|v| (v.first_ts, v.id));
        let host = limits.host();
        let fingerprint = setup::fingerprint(
            std::iter::once(host.clone()).chain(
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
        let settings = format!(
            "datatable_archiving_maximum_rows_actions = {}\ndatatable_archiving_maximum_rows_subtable_actions = {}\n",
            limits.actions, limits.subtable_actions
        );
        super::host_config::write(&self.home, &host, &settings)?;

        let started = Instant::now();
        let id = setup::create_site(&api, &[], site, &name)?;
        let requests: Vec<String> = ordered
            .iter()
            .flat_map(|v| tracking::tracking_requests(v, site, id))
            .collect();
        for chunk in requests.chunks(BULK) {
            setup::track(self.port, &self.admin_token, chunk)?;
        }
        // Browser-triggered archiving (on in `matomo-real`) builds each day's archive on the
        // first request for it: the first one names the limited host.
        let days: BTreeSet<String> = ordered.iter().map(|v| v.day.to_string()).collect();
        for day in &days {
            self.archive_day_as(&host, id, day)?;
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

    /// Asks the day's page report through `host`, so that Matomo archives the day with that
    /// host's configuration.
    fn archive_day_as(&self, host: &str, site: u32, day: &str) -> Result<(), Failure> {
        let body = crate::realistic::form_encode(&[
            ("module", "API"),
            ("format", "JSON"),
            ("method", "Actions.getPageUrls"),
            ("idSite", &site.to_string()),
            ("period", "day"),
            ("date", day),
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
        .map_err(|e| Failure::Broken(format!("archiving {day} through {host}: {e}")))?;
        match serde_json::from_str::<Value>(&answer.body) {
            Ok(Value::Array(_)) => Ok(()),
            _ => Err(Failure::Broken(format!(
                "archiving {day} through {host}: HTTP {} answered {}",
                answer.status,
                answer.body.chars().take(200).collect::<String>()
            ))),
        }
    }
}
