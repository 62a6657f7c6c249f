//! Matomo's own `Piwik\Period\Range`, run with `php` from the real Matomo's sources: which
//! periods Matomo sums for `period=range`, for a `today` of the test's choosing.
//!
//! The API builds a range as `new Range('range', $date, $timezone, Date::factory('today',
//! $timezone))` (`Period\Factory::makePeriodFromQueryParams`); the script builds it the same way
//! with `today` given, so that a test can ask about any weekday and month end, whatever the day
//! it runs on.

use std::process::Command;

use super::{RealMatomo, RealMatomoError};

/// One period Matomo sums for a range: `day`, `week`, `month` or `year`, and its first and last
/// day (`YYYY-MM-DD`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subperiod {
    /// `day`, `week`, `month` or `year`.
    pub kind: String,
    /// Its first day.
    pub first: String,
    /// Its last day.
    pub last: String,
}

/// Reads `today@range` pairs from `argv` and prints, for each, the range's subperiods as
/// `kind:first:last` separated by spaces, one range a line.
const SCRIPT: &str = r#"
$root = getenv('MATOMO_SOURCES');
define('PIWIK_INCLUDE_PATH', $root);
define('PIWIK_USER_PATH', $root);
define('PIWIK_DOCUMENT_ROOT', $root);
require_once $root . '/vendor/autoload.php';
require_once $root . '/core/bootstrap.php';
$environment = new \Piwik\Application\Environment(null);
$environment->init();
foreach (array_slice($argv, 1) as $asked) {
    [$today, $date] = explode('@', $asked, 2);
    $range = new \Piwik\Period\Range('range', $date, 'UTC', \Piwik\Date::factory($today));
    $parts = [];
    foreach ($range->getSubperiods() as $period) {
        $parts[] = $period->getLabel() . ':' . $period->getDateStart()->toString()
            . ':' . $period->getDateEnd()->toString();
    }
    echo implode(' ', $parts), "\n";
}
"#;

impl RealMatomo {
    /// The periods Matomo 5.0.2's `Range` class sums for `period=range`, for each of `asked`:
    /// the site's today (`YYYY-MM-DD`, the site in UTC) and the range's `date` (`first,last`,
    /// or Matomo's other range forms such as `last7`); in the order of `asked`.
    ///
    /// # Errors
    ///
    /// `php` missing or failing (then [`RealMatomoError::SetUp`] holds its output), or its
    /// output not one line per range.
    pub fn range_subperiods(
        &self,
        asked: &[(String, String)],
    ) -> Result<Vec<Vec<Subperiod>>, RealMatomoError> {
        let sources = self.home.join("matomo");
        let output = Command::new("php")
            .arg("-r")
            .arg(SCRIPT)
            .arg("--")
            .args(asked.iter().map(|(today, date)| format!("{today}@{date}")))
            .env("MATOMO_SOURCES", &sources)
            .output()
            .map_err(|e| RealMatomoError::SetUp(format!("running php: {e}")))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            return Err(RealMatomoError::SetUp(format!(
                "php with Matomo's Range class failed ({}): {}{}",
                output.status,
                stdout.lines().last().unwrap_or(""),
                String::from_utf8_lossy(&output.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            )));
        }
        let lines: Vec<Vec<Subperiod>> = stdout.lines().map(subperiods).collect();
        if lines.len() != asked.len() {
            return Err(RealMatomoError::SetUp(format!(
                "php answered {} lines for {} ranges",
                lines.len(),
                asked.len()
            )));
        }
        Ok(lines)
    }
}

fn subperiods(line: &str) -> Vec<Subperiod> {
    line.split_whitespace()
        .filter_map(|part| {
            let mut fields = part.splitn(3, ':');
            Some(Subperiod {
                kind: fields.next()?.to_owned(),
                first: fields.next()?.to_owned(),
                last: fields.next()?.to_owned(),
            })
        })
        .collect()
}
