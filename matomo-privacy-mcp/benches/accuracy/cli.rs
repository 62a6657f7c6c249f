//! The command line: which Matomo and site, where the tokens are, how many trials, and which
//! counting rule the run measures.

use std::path::{Path, PathBuf};

use crate::matomo::COUNTING;

/// What a run measures and against which Matomo.
pub(crate) struct Opts {
    pub(crate) matomo: String,
    pub(crate) site: u32,
    pub(crate) viewer_token_file: PathBuf,
    pub(crate) admin_token_file: PathBuf,
    pub(crate) trials: u32,
    pub(crate) dump: bool,
    /// `privacy.noise.visit_spacing_minutes`, when the run measures that counting rule instead
    /// of the default.
    pub(crate) visit_spacing_minutes: Option<u32>,
}

pub(crate) fn opts() -> Opts {
    let home = std::env::var("MATOMO_HOME").unwrap_or_else(|_| "/var/lib/matomo-real".to_owned());
    let mut o = Opts {
        matomo: "http://127.0.0.1:8089".to_owned(),
        site: 1,
        viewer_token_file: Path::new(&home).join("run/viewer-token.json"),
        admin_token_file: Path::new(&home).join("run/admin-token.json"),
        trials: 3,
        dump: false,
        visit_spacing_minutes: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--matomo" => o.matomo = it.next().expect("--matomo URL"),
            "--site" => o.site = it.next().expect("--site N").parse().expect("a site id"),
            "--trials" => o.trials = it.next().expect("--trials N").parse().expect("a number"),
            "--dump" => o.dump = true,
            "--visit-spacing-minutes" => {
                let minutes: u32 = it
                    .next()
                    .expect("--visit-spacing-minutes N")
                    .parse()
                    .expect("a number of minutes");
                o.visit_spacing_minutes = Some(minutes);
                let _ = COUNTING.set(format!(
                    "visitCount==1,secondsSinceLastVisit>={}",
                    u64::from(minutes) * 60
                ));
            }
            // cargo bench passes --bench.
            _ => {}
        }
    }
    o
}
