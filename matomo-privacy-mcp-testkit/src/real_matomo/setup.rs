//! Making the real Matomo available and putting the dataset into it, once.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{RealMatomo, http, tracking};
use crate::calendar::Day;
use crate::dataset::{Dataset, Goal};

/// What the fixture could not do.
#[derive(Debug, thiserror::Error)]
pub enum RealMatomoError {
    /// Matomo cannot run on this machine, and `CI` is set, where every test must run.
    #[error("no real Matomo, and CI is set: {0}")]
    Unavailable(String),
    /// Matomo runs, but setting the dataset's site up in it failed.
    #[error("setting the real Matomo's test site up failed: {0}")]
    SetUp(String),
}

/// Why there is no fixture: skip-able (nothing to run Matomo with) or a failure.
#[derive(Clone, Debug)]
pub(super) enum Failure {
    Unavailable(String),
    Broken(String),
}

/// Bumped when the way the dataset is put into Matomo changes beyond its tracking requests.
const FORMAT: &str = "real-matomo-fixture-1";
/// The emulator's site [`RealMatomo::shared`] tracks: the shop (e-commerce, goals, campaigns).
pub(super) const EMULATOR_SITE: u32 = 1;
/// The `viewer` user's password, as `matomo-real install` sets it (its README).
const VIEWER_PASSWORD_CONFIRMATION: &str = "AdminPass123!";
/// How many tracking requests go in one bulk request.
const BULK: usize = 500;
/// How long a test waits for another process's setup (tracking and archiving take under a minute).
const LOCK_WAIT: Duration = Duration::from_secs(900);

pub(super) struct Place {
    pub(super) home: PathBuf,
    pub(super) port: u16,
    script: PathBuf,
}

pub(super) fn place() -> Place {
    let home = std::env::var_os("MATOMO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/lib/matomo-real"));
    let port = std::env::var("MATOMO_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8089);
    Place {
        home,
        port,
        script: script(),
    }
}

/// `matomo-real` in the workspace's sibling `shared/`, as the fixtures' tests find it. Looked up
/// from the running test's package (cargo sets `CARGO_MANIFEST_DIR` when it runs a test) before
/// this crate's own directory at build time: a build shared between two checkouts (one
/// `target/`) must not send one checkout's tests to the other's `shared/`.
fn script() -> PathBuf {
    const SCRIPT: &str = "shared/matomo/matomo-real";
    let built_in = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let running = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    running
        .iter()
        .chain(std::iter::once(&built_in))
        .flat_map(|package| package.ancestors().skip(1))
        .map(|dir| dir.join(SCRIPT))
        .find(|script| script.is_file())
        // Named without `..`, for the SKIPPED line's command.
        .map(|script| std::fs::canonicalize(&script).unwrap_or(script))
        .unwrap_or_else(|| built_in.join("../..").join(SCRIPT))
}

/// The real site's name for the emulator's `emulator_site` of `seed` and `today`, without the
/// fingerprint: site 1's as it always was (so its sites are reused), the others' with the site
/// first, so that no prefix of one emulator site's names is a prefix of another's.
fn name_prefix(seed: u64, today: Day, emulator_site: u32) -> String {
    if emulator_site == EMULATOR_SITE {
        format!("testkit seed {seed} {today} ")
    } else {
        format!("testkit site {emulator_site} seed {seed} {today} ")
    }
}

/// The marker holding the fingerprint and the real site id, named as [`name_prefix`] is.
fn marker_name(seed: u64, today: Day, emulator_site: u32) -> String {
    if emulator_site == EMULATOR_SITE {
        format!("run/testkit-seed{seed}-{today}.json")
    } else {
        format!("run/testkit-site{emulator_site}-seed{seed}-{today}.json")
    }
}

pub(super) fn set_up(seed: u64, today: Day, emulator_site: u32) -> Result<RealMatomo, Failure> {
    let place = place();
    ensure_running(&place)?;
    let admin_token = read_token(&place.home.join("run/admin-token.json"))?;
    let view_token = read_token(&place.home.join("run/viewer-token.json"))?;
    let api = Api {
        port: place.port,
        token: &admin_token,
    };
    let dataset = Dataset::generate(seed, today);
    let Some(site) = dataset.site(emulator_site).cloned() else {
        return Err(Failure::Broken(format!(
            "the dataset has no site {emulator_site}"
        )));
    };
    let mut visits: Vec<_> = dataset
        .visits
        .iter()
        .filter(|v| v.site == emulator_site)
        .collect();
    // The planted copies come after the sorted visits; a visitor's visits must reach Matomo in
    // time order for it to count them.
    visits.sort_by_key(|v| (v.first_ts, v.id));
    // The site id is not known yet: the fingerprint is over requests for idsite 0.
    let fingerprint = fingerprint(
        visits
            .iter()
            .flat_map(|v| tracking::tracking_requests(v, &site, 0)),
    );
    let prefix = name_prefix(seed, today, emulator_site);
    let name = format!("{prefix}{fingerprint}");
    let marker = place.home.join(marker_name(seed, today, emulator_site));

    let _lock = Lock::take(&place.home.join("run/testkit.lock"))?;
    if let Some(id) = marked_site(&marker, &fingerprint)
        && is_named(&api, id, &name)
    {
        return Ok(fixture(&place, id, emulator_site, admin_token, view_token));
    }
    let _ = std::fs::remove_file(&marker);
    remove_own_sites(&api, &prefix)?;

    let started = Instant::now();
    let goals: Vec<&Goal> = dataset.goals.iter().filter(|g| g.site == site.id).collect();
    let id = create_site(&api, &goals, &site, &name)?;
    let mut requests = Vec::new();
    for visit in &visits {
        requests.extend(tracking::tracking_requests(visit, &site, id));
    }
    for chunk in requests.chunks(BULK) {
        track(place.port, &admin_token, chunk)?;
    }
    let tracked = started.elapsed();
    archive(&place, id)?;
    // Written to stderr directly (libtest captures `eprintln!`): CI's log shows what it cost.
    let _ = writeln!(
        std::io::stderr(),
        "real Matomo fixture: site {id} (the emulator's site {emulator_site}, {}, {} visits, {} tracking requests) tracked in {:.1} s, archived in {:.1} s",
        site.timezone,
        visits.len(),
        requests.len(),
        tracked.as_secs_f64(),
        (started.elapsed() - tracked).as_secs_f64()
    );
    let content = serde_json::json!({"fingerprint": fingerprint, "site": id}).to_string();
    std::fs::write(&marker, content)
        .map_err(|e| Failure::Broken(format!("writing {}: {e}", marker.display())))?;
    Ok(fixture(&place, id, emulator_site, admin_token, view_token))
}

fn fixture(
    place: &Place,
    site: u32,
    emulator_site: u32,
    admin_token: String,
    view_token: String,
) -> RealMatomo {
    RealMatomo {
        port: place.port,
        site,
        emulator_site,
        admin_token,
        view_token,
        access_log: place.home.join("log/access.log"),
        home: place.home.clone(),
    }
}

/// FNV-1a (64 bits) over the format and every request: stable across runs and platforms.
pub(super) fn fingerprint(requests: impl Iterator<Item = String>) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    eat(FORMAT.as_bytes());
    for r in requests {
        eat(r.as_bytes());
        eat(b"\n");
    }
    format!("{hash:016x}")
}

pub(super) fn marked_site(marker: &Path, fingerprint: &str) -> Option<u32> {
    let text = std::fs::read_to_string(marker).ok()?;
    let value: Value = serde_json::from_str(&text).ok()?;
    if value.get("fingerprint")?.as_str()? != fingerprint {
        return None;
    }
    u32::try_from(value.get("site")?.as_u64()?).ok()
}

/// Whether Matomo's site `id` is named `name`: still the site a marker says was set up.
pub(super) fn is_named(api: &Api<'_>, id: u32, name: &str) -> bool {
    api.call("SitesManager.getSiteFromId", &[("idSite", &id.to_string())])
        .ok()
        .and_then(|s| s.get("name").and_then(Value::as_str).map(str::to_owned))
        .as_deref()
        == Some(name)
}

fn is_up(port: u16) -> bool {
    http::post(
        port,
        "/index.php",
        "application/x-www-form-urlencoded",
        "module=API&method=API.getMatomoVersion&format=JSON",
    )
    .is_ok()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// Matomo answering on its port: already, or after `matomo-real install` (idempotent: installs
/// what is missing, starts what is stopped).
fn ensure_running(place: &Place) -> Result<(), Failure> {
    if is_up(place.port) {
        return Ok(());
    }
    let install = format!(
        "install nginx, php-fpm 8.2 and MariaDB with `sudo {} install` (Debian), or run the tests as root",
        place.script.display()
    );
    if !place.script.is_file() {
        return Err(Failure::Unavailable(format!(
            "{} not found (the repository's ../shared/matomo)",
            place.script.display()
        )));
    }
    if !is_root() {
        return Err(Failure::Unavailable(format!(
            "nothing answers on 127.0.0.1:{}; {install}",
            place.port
        )));
    }
    let out = Command::new("bash")
        .arg(&place.script)
        .arg("install")
        .output()
        .map_err(|e| Failure::Unavailable(format!("running the script: {e}; {install}")))?;
    if !out.status.success() || !is_up(place.port) {
        let tail: String = String::from_utf8_lossy(&out.stderr)
            .lines()
            .rev()
            .take(3)
            .collect::<Vec<_>>()
            .join(" | ");
        return Err(Failure::Unavailable(format!(
            "`matomo-real install` failed ({tail}); {install}"
        )));
    }
    Ok(())
}

pub(super) fn read_token(path: &Path) -> Result<String, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::Unavailable(format!(
            "cannot read {} ({e}): run the tests as the user who installed Matomo",
            path.display()
        ))
    })?;
    serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| v.get("value").and_then(Value::as_str).map(str::to_owned))
        .ok_or_else(|| Failure::Broken(format!("{} holds no token", path.display())))
}

/// Matomo's API with the admin token (in the body only).
pub(super) struct Api<'a> {
    pub(super) port: u16,
    pub(super) token: &'a str,
}

impl Api<'_> {
    pub(super) fn call(&self, method: &str, params: &[(&str, &str)]) -> Result<Value, Failure> {
        let body = crate::realistic::api_request_body(method, params, self.token);
        let answer = http::post(
            self.port,
            "/index.php",
            "application/x-www-form-urlencoded",
            &body,
        )
        .map_err(|e| Failure::Broken(format!("{method}: {e}")))?;
        crate::realistic::api_answer(method, answer.status, &answer.body)
            .map_err(|e| Failure::Broken(e.to_string()))
    }
}

/// Deletes the sites a run of this fixture made for this dataset earlier (a stale fingerprint, or
/// a setup that died half-way): only sites whose name starts with `prefix`.
pub(super) fn remove_own_sites(api: &Api<'_>, prefix: &str) -> Result<(), Failure> {
    let sites = api.call("SitesManager.getAllSites", &[])?;
    let all: Vec<&Value> = match &sites {
        Value::Array(list) => list.iter().collect(),
        Value::Object(map) => map.values().collect(),
        _ => Vec::new(),
    };
    for site in all {
        let name = site.get("name").and_then(Value::as_str).unwrap_or("");
        if !name.starts_with(prefix) {
            continue;
        }
        let id = match site.get("idsite") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => continue,
        };
        api.call("SitesManager.deleteSite", &[("idSite", &id)])?;
    }
    Ok(())
}

pub(super) fn create_site(
    api: &Api<'_>,
    goals: &[&Goal],
    site: &crate::dataset::Site,
    name: &str,
) -> Result<u32, Failure> {
    let start = site.ts_created.get(..10).unwrap_or("2020-01-01");
    let created = api.call(
        "SitesManager.addSite",
        &[
            ("siteName", name),
            ("urls[0]", &site.main_url),
            ("ecommerce", if site.ecommerce { "1" } else { "0" }),
            ("timezone", &site.timezone),
            ("currency", &site.currency),
            ("startDate", start),
        ],
    )?;
    let id = match &created {
        Value::Number(n) => n.as_u64(),
        Value::Object(o) => o.get("value").and_then(Value::as_u64),
        _ => None,
    }
    .and_then(|n| u32::try_from(n).ok())
    .ok_or_else(|| Failure::Broken(format!("SitesManager.addSite answered {created}")))?;
    let id_text = id.to_string();
    for goal in goals {
        // As the recorded Matomo's goals have them; "exact" is refused for a manual goal.
        let pattern_type = match goal.match_attribute.as_str() {
            "event_category" => "exact",
            _ => "contains",
        };
        let revenue = goal.revenue.to_string();
        // Matomo wants a pattern even for a manual goal (and does not show it); a manual goal
        // converts as often as it is sent, as the recorded Matomo's "Manual Lead" does.
        let manual = goal.match_attribute == "manually";
        let made = api.call(
            "Goals.addGoal",
            &[
                ("idSite", &id_text),
                ("name", &goal.name),
                ("matchAttribute", &goal.match_attribute),
                ("pattern", if manual { "manually" } else { &goal.pattern }),
                ("patternType", pattern_type),
                ("revenue", &revenue),
                (
                    "allowMultipleConversionsPerVisit",
                    if manual { "1" } else { "0" },
                ),
            ],
        )?;
        let goal_id = match &made {
            Value::Number(n) => n.as_u64(),
            Value::Object(o) => o.get("value").and_then(Value::as_u64),
            _ => None,
        };
        if goal_id != Some(u64::from(goal.id)) {
            return Err(Failure::Broken(format!(
                "goal {} was created as {made}",
                goal.id
            )));
        }
    }
    api.call(
        "UsersManager.setUserAccess",
        &[
            ("userLogin", "viewer"),
            ("access", "view"),
            ("idSites", &id_text),
            ("passwordConfirmation", VIEWER_PASSWORD_CONFIRMATION),
        ],
    )?;
    Ok(id)
}

pub(super) fn track(port: u16, token: &str, requests: &[String]) -> Result<(), Failure> {
    let body = serde_json::json!({"requests": requests, "token_auth": token}).to_string();
    let answer = http::post(port, "/matomo.php", "application/json", &body)
        .map_err(|e| Failure::Broken(format!("bulk tracking: {e}")))?;
    let value: Value = serde_json::from_str(&answer.body).map_err(|_| {
        Failure::Broken(format!(
            "bulk tracking: HTTP {} without JSON",
            answer.status
        ))
    })?;
    let tracked = value.get("tracked").and_then(Value::as_u64);
    let invalid = value.get("invalid").and_then(Value::as_u64).unwrap_or(0);
    if tracked != Some(requests.len() as u64) || invalid != 0 {
        return Err(Failure::Broken(format!(
            "bulk tracking of {} requests answered {value}",
            requests.len()
        )));
    }
    Ok(())
}

/// Matomo's own archiver over the site (root only); otherwise the first report requests archive
/// it, since browser-triggered archiving is on.
fn archive(place: &Place, id: u32) -> Result<(), Failure> {
    if !is_root() {
        return Ok(());
    }
    let out = Command::new("bash")
        .arg(&place.script)
        .arg("archive")
        .arg(id.to_string())
        .output()
        .map_err(|e| Failure::Broken(format!("matomo-real archive: {e}")))?;
    if !out.status.success() {
        return Err(Failure::Broken(format!(
            "matomo-real archive {id} failed: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        )));
    }
    Ok(())
}

/// A lock file across processes: created exclusively with the holder's pid, removed on drop;
/// a lock whose holder is gone is taken over.
pub(super) struct Lock(PathBuf);

impl Lock {
    pub(super) fn take(path: &Path) -> Result<Lock, Failure> {
        let deadline = Instant::now() + LOCK_WAIT;
        loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
            {
                Ok(mut file) => {
                    let _ = write!(file, "{}", std::process::id());
                    return Ok(Lock(path.to_path_buf()));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder = std::fs::read_to_string(path).unwrap_or_default();
                    let alive = holder
                        .trim()
                        .parse::<u32>()
                        .is_ok_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
                    // An empty file is a holder between creating and writing it.
                    if !alive && !holder.trim().is_empty() {
                        let _ = std::fs::remove_file(path);
                        continue;
                    }
                    if Instant::now() > deadline {
                        return Err(Failure::Broken(format!(
                            "{} held for {} s",
                            path.display(),
                            LOCK_WAIT.as_secs()
                        )));
                    }
                    std::thread::sleep(Duration::from_millis(500));
                }
                Err(e) => {
                    return Err(Failure::Unavailable(format!(
                        "cannot create {} ({e}): run the tests as the user who installed Matomo",
                        path.display()
                    )));
                }
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
