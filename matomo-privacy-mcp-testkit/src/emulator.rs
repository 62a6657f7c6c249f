//! The [`Emulator`] handle: builder, start, faults, recorded requests, shutdown.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::calendar::Day;
use crate::dataset::Dataset;
use crate::faults::{Fault, FaultSet};
use crate::query::auth::Access;
use crate::query::table::RowLimits;
use crate::recorder::RecordedRequest;
use crate::server::{Shared, lock, router};

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// Binding 127.0.0.1 on a free port failed (no loopback interface, or the process is out of sockets).
    #[error(
        "could not bind the emulator to 127.0.0.1: {0}; check that loopback networking is available"
    )]
    Bind(#[source] std::io::Error),
}

/// Configures an [`Emulator`]: dataset seed, the day treated as "today", and the tokens it accepts.
#[derive(Clone, Debug)]
pub struct EmulatorBuilder {
    seed: u64,
    today: Option<Day>,
    traffic_until: Option<Day>,
    tokens: Tokens,
    copies: u32,
    row_limits: RowLimits,
}

/// The tokens an emulator accepts, each with its access. Its Debug shows the access only: the
/// tokens are secrets even in tests (CI logs are public).
#[derive(Clone, Default)]
struct Tokens(Vec<(String, Access)>);

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(_, access)| access))
            .finish()
    }
}

impl EmulatorBuilder {
    /// Seed of the synthetic dataset; the same seed (and today) always yields the same data and bytes.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The day the emulator treats as today (`date=today`, `lastN`, Live). Defaults to the real UTC date.
    pub fn today(mut self, day: Day) -> Self {
        self.today = Some(day);
        self
    }

    /// The dataset's last day of traffic, when it is not [`today`](Self::today): the dataset
    /// is the one of this seed and day (the same visits), while `today` stays the day the
    /// emulator's Matomo believes is today. A real Matomo holding a dataset of the past keeps
    /// its own clock's today, and a `period=range` reaching that day is built from other periods
    /// than a past one (whole weeks and months, days before the range's start included), so an
    /// emulator compared with it must believe the same today.
    pub fn traffic_until(mut self, day: Day) -> Self {
        self.traffic_until = Some(day);
        self
    }

    /// How many rows Matomo's archiver keeps in each table of the page reports before it sums
    /// the others into one truncation row ("Others", or `"/dir/ - Others"` flattened, marked
    /// `"is_summary": true`, with its directory's segment): its
    /// `datatable_archiving_maximum_rows_actions` (the top table, 500 by default) and
    /// `datatable_archiving_maximum_rows_subtable_actions` (each directory's, 100). Small
    /// limits make the emulator's few pages truncate as a large site's do.
    pub fn archive_row_limits(mut self, actions: usize, actions_subtable: usize) -> Self {
        self.row_limits = RowLimits {
            actions: actions.max(1),
            actions_subtable: actions_subtable.max(1),
            ..self.row_limits
        };
        self
    }

    /// How many rows Matomo's archiver keeps in the site search keywords' table before it sums
    /// the others into one truncation row (`Others`, `"is_summary": true`, no segment): its
    /// `datatable_archiving_maximum_rows_site_search` (500 by default).
    pub fn site_search_row_limit(mut self, rows: usize) -> Self {
        self.row_limits.site_search = rows.max(1);
        self
    }

    /// How many rows Matomo's archiver keeps in each table of the referrer reports before it
    /// sums the others into one truncation row (`Others`, or `"<name> - Others"` flattened; a
    /// day's tables are built whole and cut by visits): its
    /// `datatable_archiving_maximum_rows_referrers` (the top table, 1,000 by default) and
    /// `datatable_archiving_maximum_rows_subtable_referrers` (each name's keywords or URLs, 50).
    pub fn referrer_row_limits(mut self, rows: usize, subtable_rows: usize) -> Self {
        self.row_limits.referrers = rows.max(1);
        self.row_limits.referrers_subtable = subtable_rows.max(1);
        self
    }

    /// `copies` times the visitors and visits on the same sites
    /// ([`Dataset::generate_busier`]): enough people for a server's default noise and
    /// threshold to show numbers, as to a newcomer trying one.
    pub fn busier(mut self, copies: u32) -> Self {
        self.copies = copies;
        self
    }

    /// A token with view access to `sites`.
    pub fn view_token(self, token: impl Into<String>, sites: &[u32]) -> Self {
        self.token(
            token,
            Access {
                view: sites.to_vec(),
                ..Access::default()
            },
        )
    }

    /// A token with write access to `sites` (write implies view).
    pub fn write_token(self, token: impl Into<String>, sites: &[u32]) -> Self {
        self.token(
            token,
            Access {
                write: sites.to_vec(),
                ..Access::default()
            },
        )
    }

    /// A token with admin access to `sites`.
    pub fn admin_token(self, token: impl Into<String>, sites: &[u32]) -> Self {
        self.token(
            token,
            Access {
                admin: sites.to_vec(),
                ..Access::default()
            },
        )
    }

    /// A super-user token: every site, every method.
    pub fn super_user_token(self, token: impl Into<String>) -> Self {
        self.token(
            token,
            Access {
                super_user: true,
                ..Access::default()
            },
        )
    }

    fn token(mut self, token: impl Into<String>, access: Access) -> Self {
        self.tokens.0.push((token.into(), access));
        self
    }

    /// Generates the dataset, binds 127.0.0.1 on a free port and serves in a background task of the
    /// current tokio runtime.
    pub async fn start(self) -> Result<Emulator, EmulatorError> {
        let today = self.today.unwrap_or_else(Day::today_utc);
        let anchor = self.traffic_until.unwrap_or(today);
        let mut dataset = Dataset::generate_busier(self.seed, anchor, self.copies);
        dataset.today = today;
        let dataset = Arc::new(dataset);
        let shared = Arc::new(Shared {
            dataset: dataset.clone(),
            tokens: self.tokens.0,
            faults: Mutex::new(FaultSet::default()),
            requests: Mutex::new(Vec::new()),
            row_limits: self.row_limits,
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(EmulatorError::Bind)?;
        let addr = listener.local_addr().map_err(EmulatorError::Bind)?;
        let (tx, rx) = oneshot::channel::<()>();
        let app = router(shared.clone());
        let task = tokio::spawn(async move {
            // A serve error here only ends the emulator; the test then sees connection errors.
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Emulator {
            addr,
            shared,
            stop: Some(tx),
            task: Some(task),
        })
    }
}

/// A running Matomo emulator. Dropping it stops the server; [`Emulator::shutdown`] also waits for it.
pub struct Emulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Tokens are deliberately left out.
        f.debug_struct("Emulator")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Starts configuring an emulator (seed 0, today = real UTC date, no tokens).
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder {
            seed: 0,
            today: None,
            traffic_until: None,
            tokens: Tokens::default(),
            copies: 1,
            row_limits: RowLimits::default(),
        }
    }

    /// `http://127.0.0.1:PORT/`: what a client takes as its Matomo base URL.
    pub fn base_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// `http://127.0.0.1:PORT/index.php`: the API endpoint.
    pub fn endpoint(&self) -> String {
        self.base_url() + "index.php"
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The dataset behind every report, for tests that recompute numbers.
    pub fn dataset(&self) -> &Dataset {
        &self.shared.dataset
    }

    /// Adds a fault; it applies to following requests until cleared (or used up).
    pub fn inject(&self, fault: Fault) {
        lock(&self.shared.faults).inject(fault);
    }

    /// Removes every fault: the emulator behaves like Matomo again.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// How many requests arrived (retries count separately).
    pub fn request_count(&self) -> usize {
        lock(&self.shared.requests).len()
    }

    /// Forgets recorded requests.
    pub fn clear_requests(&self) {
        lock(&self.shared.requests).clear();
    }

    /// Stops accepting connections, lets in-flight requests finish, and waits for the server task.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}
