//! One dataset, two servers: the emulator's seeded dataset tracked into a real Matomo 5.0.2, so
//! that a test can ask both the same question and compare (or run a privacy test against the
//! real thing).
//!
//! [`RealMatomo::shared`] makes the real Matomo of `../shared/matomo/matomo-real` available once
//! per test run and dataset: it starts (or installs) it, creates a site of its own for the
//! emulator's site 1 (UTC, e-commerce, created before the dataset's first day, with the
//! emulator's goals), gives the `viewer` user view access to it, tracks every visit of the
//! dataset through the bulk Tracking API, archives, and hands out the site id and both tokens.
//! [`RealMatomo::shared_site`] does the same for the emulator's other sites (2 in
//! Europe/Berlin, 3 in America/New_York), each in a real site of its own with the emulator's
//! time zone, currency, e-commerce setting and goals, so that Matomo's days, weeks and months
//! in a site's time zone can be compared.
//!
//! Shared by every test and test binary: a lock file serialises the setup across processes, and
//! a marker in `$MATOMO_HOME/run/` holds the fingerprint of the tracking requests (every field
//! sent, so a change of the dataset or of the way it is tracked makes a new site) with the site
//! id; a later run or another test binary with the same fingerprint reuses the site as it is.
//! The site's name carries the fingerprint too, so a site left half-tracked by a run that died
//! is recognised and replaced; no other site is ever touched.
//!
//! When Matomo cannot be made available (the script or its packages are missing, or starting it
//! needs root) the test prints one `SKIPPED …` line saying what to install and passes, unless
//! the environment variable `CI` is set: then it fails, so CI always runs against Matomo.

mod host_config;
mod http;
mod range_class;
mod row_limits;
mod setup;
mod tracking;

use std::io::Write;
use std::sync::Mutex;

use crate::calendar::Day;

pub use range_class::Subperiod;
pub use row_limits::RowLimits;
pub use setup::RealMatomoError;

/// A real Matomo holding the emulator's dataset in a site of its own.
#[derive(Clone)]
pub struct RealMatomo {
    port: u16,
    site: u32,
    emulator_site: u32,
    admin_token: String,
    view_token: String,
    access_log: std::path::PathBuf,
    /// `MATOMO_HOME`: Matomo's files, its configuration and the fixture's markers.
    home: std::path::PathBuf,
}

/// Tokens are secrets even in tests (CI logs are public).
impl std::fmt::Debug for RealMatomo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RealMatomo")
            .field("port", &self.port)
            .field("site", &self.site)
            .field("emulator_site", &self.emulator_site)
            .finish_non_exhaustive()
    }
}

/// Fixtures already set up in this process, by (seed, today, emulator site): every test of a
/// binary shares one per emulator site.
type Cache = Vec<((u64, Day, u32), Result<RealMatomo, setup::Failure>)>;
static SET_UP: Mutex<Cache> = Mutex::new(Vec::new());

impl RealMatomo {
    /// The real Matomo with the emulator's dataset of `seed` and `today` (emulator site 1) in a
    /// site of its own, set up on first use and reused by every later call, test binary and run.
    ///
    /// `Ok(None)` when Matomo cannot be made available on this machine and `CI` is not set: one
    /// `SKIPPED {test}: …` line on stderr says what to install; the test should then return.
    /// Errors: Matomo is unavailable and `CI` is set, or setting the site up failed.
    pub fn shared(
        test: &str,
        seed: u64,
        today: Day,
    ) -> Result<Option<RealMatomo>, RealMatomoError> {
        Self::shared_site(test, seed, today, setup::EMULATOR_SITE)
    }

    /// As [`RealMatomo::shared`], for the emulator's site `emulator_site` (1, 2 or 3): its
    /// visits in a real site of its own with the same time zone, currency, e-commerce setting
    /// and goals. [`RealMatomo::site`] is that real site's id; each emulator site's real site is
    /// set up once and reused as site 1's is.
    pub fn shared_site(
        test: &str,
        seed: u64,
        today: Day,
        emulator_site: u32,
    ) -> Result<Option<RealMatomo>, RealMatomoError> {
        let key = (seed, today, emulator_site);
        let mut cache = SET_UP
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let outcome = match cache.iter().find(|(k, _)| *k == key) {
            Some((_, outcome)) => outcome.clone(),
            None => {
                let outcome = setup::set_up(seed, today, emulator_site);
                cache.push((key, outcome.clone()));
                outcome
            }
        };
        match outcome {
            Ok(real) => Ok(Some(real)),
            Err(setup::Failure::Unavailable(why)) if std::env::var_os("CI").is_none() => {
                // Written to stderr directly: libtest captures `eprintln!` of passing tests.
                let _ = writeln!(std::io::stderr(), "SKIPPED {test}: no real Matomo: {why}");
                Ok(None)
            }
            Err(setup::Failure::Unavailable(why)) => Err(RealMatomoError::Unavailable(why)),
            Err(setup::Failure::Broken(why)) => Err(RealMatomoError::SetUp(why)),
        }
    }

    /// `http://127.0.0.1:PORT/`: what a client takes as its Matomo base URL.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// `http://127.0.0.1:PORT/index.php`: the API endpoint.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}/index.php", self.port)
    }

    /// The real Matomo's id of the site holding the dataset.
    pub fn site(&self) -> u32 {
        self.site
    }

    /// The emulator's site whose visits the real site holds.
    pub fn emulator_site(&self) -> u32 {
        self.emulator_site
    }

    /// A super user's token (`admin`).
    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    /// A token with view access to the site (`viewer`), as a deployment of the server holds.
    pub fn view_token(&self) -> &str {
        &self.view_token
    }

    /// nginx's access log: one line per request with Matomo's own time
    /// (`$msec $request_time $request_length "$request"`), for counting what a call costs.
    pub fn access_log(&self) -> &std::path::Path {
        &self.access_log
    }
}
