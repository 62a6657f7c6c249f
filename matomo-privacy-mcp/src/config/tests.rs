use std::collections::HashMap;

use super::*;

/// The last section is `[matomo]`, so that tests can append keys to it.
const MINIMAL: &str = r#"
[privacy.noise]
budget_file = "/var/lib/matomo-privacy-mcp/privacy-budget.json"
[matomo]
url = "https://matomo.example.com"
token = "0123456789abcdef0123456789abcdef"
"#;

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| map.get(name).cloned()
}

fn errors(text: &str, vars: &[(&str, &str)]) -> Vec<String> {
    Config::from_toml_str(text, env(vars))
        .unwrap_err()
        .0
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn temp_file(name: &str, contents: &[u8]) -> String {
    // A file of its own per call: tests run in parallel, and one rewriting a file another
    // is reading would hand it a half-written (empty) token.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!(
        "matomo-privacy-mcp-config-{}-{n}-{name}",
        std::process::id()
    ));
    std::fs::write(&path, contents).unwrap();
    path.display().to_string()
}

#[test]
fn defaults_are_the_strictest() {
    let config = Config::from_toml_str(MINIMAL, |_| None).unwrap();
    assert!(!config.enabled);
    assert_eq!(config.ceiling, PrivacyClass::Aggregate);
    assert_eq!(config.privacy.threshold.k(), 5);
    assert!(config.privacy.allowed_query_params.is_empty());
    assert!(config.matomo.allowed_sites.is_none());
    assert!(!config.matomo.allow_privileged_token);
    assert_eq!(config.http.bind.to_string(), "127.0.0.1:8765");
    assert_eq!(config.http.read_timeout.as_secs(), 30);
    assert_eq!(config.http.max_sessions, 1000);
    assert_eq!(config.http.session_idle_timeout.as_secs(), 300);
    let noise = &config.privacy.noise;
    assert!(noise.enabled, "differential privacy is on by default");
    assert_eq!(noise.epsilon_micros, 500_000);
    assert_eq!(noise.budget_micros, 150_000_000);
    assert_eq!(noise.window.as_secs(), 86_400);
    assert!(!noise.has_key_file());
    assert_eq!(
        noise.bounds,
        matomo_privacy_mcp_core::dp::ContributionBounds::default()
    );
    let err = config.require_enabled().unwrap_err().to_string();
    assert_eq!(
        err,
        "configuration `enabled (MATOMO_PRIVACY_MCP_ENABLED)`: serving is disabled, which is the default; after your privacy assessment, set `enabled = true` in the configuration file or MATOMO_PRIVACY_MCP_ENABLED=true"
    );
}

#[test]
fn visits_can_be_counted_every_thirty_minutes() {
    use matomo_privacy_mcp_core::dp::CountedVisits;
    let text = MINIMAL.replace(
        "[privacy.noise]\n",
        "[privacy.noise]\nvisit_spacing_minutes = 30\n",
    );
    let config = Config::from_toml_str(&text, |_| None).unwrap();
    let bounds = config.privacy.noise.bounds;
    assert_eq!(bounds.counted, CountedVisits::Separated { minutes: 30 });
    assert_eq!(
        bounds.counted_segment().unwrap().to_string(),
        "visitCount==1,secondsSinceLastVisit>=1800"
    );
    let zero = MINIMAL.replace(
        "[privacy.noise]\n",
        "[privacy.noise]\nvisit_spacing_minutes = 0\n",
    );
    assert!(
        errors(&zero, &[])
            .iter()
            .any(|e| e
                .contains("`privacy.noise.visit_spacing_minutes`: 0 would leave every visit out")),
        "{:?}",
        errors(&zero, &[])
    );
}

#[test]
fn environment_overrides_the_file() {
    let token_file = temp_file("token", b"fedcba9876543210fedcba9876543210\n");
    let config = Config::from_toml_str(
        MINIMAL,
        env(&[
            ("MATOMO_URL", "https://other.example.org"),
            ("MATOMO_TOKEN_FILE", &token_file),
            ("MATOMO_PRIVACY_MCP_ENABLED", "true"),
            ("MATOMO_PRIVACY_MCP_ALLOWED_SITES", "1, 3"),
            (
                "MATOMO_PRIVACY_MCP_ALLOWED_TOOLS",
                "visits_summary,top_pages",
            ),
            ("MATOMO_PRIVACY_MCP_THRESHOLD_K", "10"),
            ("MATOMO_PRIVACY_MCP_AUDIT_LOG", "stderr"),
            ("MATOMO_PRIVACY_MCP_HTTP_BIND", "127.0.0.1:9000"),
            ("MATOMO_PRIVACY_MCP_NOISE", "false"),
            ("MATOMO_PRIVACY_MCP_NOISE_BUDGET_FILE", "/tmp/budget.json"),
            (
                "MATOMO_PRIVACY_MCP_HTTP_BEARER_TOKENS",
                "aaaaaaaaaaaaaaaaaaaa,bbbbbbbbbbbbbbbbbbbbbb",
            ),
        ]),
    )
    .unwrap();
    assert!(config.enabled);
    assert_eq!(config.matomo.url, "https://other.example.org");
    assert_eq!(
        config.matomo.token.as_ref().map(Secret::expose),
        Some("fedcba9876543210fedcba9876543210")
    );
    // Without [[profiles]], the top level is the one profile.
    assert_eq!(config.profiles.len(), 1);
    assert_eq!(config.profiles[0].name, "default");
    assert_eq!(config.profiles[0].threshold.k(), 10);
    assert_eq!(config.matomo.allowed_sites, Some(vec![1, 3]));
    assert_eq!(
        config.allowed_tools,
        Some(vec!["visits_summary".to_owned(), "top_pages".to_owned()])
    );
    assert_eq!(config.privacy.threshold.k(), 10);
    assert_eq!(config.audit_log, Some(AuditTarget::Stderr));
    assert_eq!(config.http.bind.port(), 9000);
    assert_eq!(config.http.bearer_tokens.len(), 2);
    let shown = format!("{config:?}");
    assert!(
        !shown.contains("fedcba98") && !shown.contains("aaaaaaaa"),
        "{shown}"
    );
}

#[test]
fn each_mistake_names_the_key_and_the_fix() {
    type Case<'a> = (String, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case<'_>> = vec![
        (
            String::new(),
            vec![],
            "configuration `matomo.url (MATOMO_URL)`: no Matomo URL is configured; set `url` under `[matomo]` or MATOMO_URL",
        ),
        (
            "[matomo]\nurl = \"matomo.example.com\"\ntoken = \"abc\"".into(),
            vec![],
            "`matomo.example.com` is not an http(s) URL",
        ),
        (
            "[matomo]\nurl = \"https://m.example\"".into(),
            vec![],
            "no Matomo token is configured; create a view-only token",
        ),
        (
            format!("{MINIMAL}token_file = \"/x\""),
            vec![],
            "both a token and a token file are given; keep one of them",
        ),
        (
            "[matomo]\nurl = \"https://m.example\"\ntoken_file = \"/nonexistent/token\"".into(),
            vec![],
            "cannot read token file `/nonexistent/token`",
        ),
        (
            "[matomo]\nurl = \"https://m.example\"\ntoken = \"has space\"".into(),
            vec![],
            "the token is empty or contains spaces",
        ),
        (
            format!("{MINIMAL}[http]\nmax_sessions = 0"),
            vec![],
            "configuration `http.max_sessions`: 0 would refuse every client",
        ),
        (
            format!("{MINIMAL}[http]\nread_timeout_seconds = 0"),
            vec![],
            "configuration `http.read_timeout_seconds`: 0 seconds would cut off every client",
        ),
        (
            format!("{MINIMAL}[http]\nsession_idle_timeout_seconds = 0"),
            vec![],
            "configuration `http.session_idle_timeout_seconds`: 0 seconds",
        ),
        (
            format!("ceiling = \"secret\"\n{MINIMAL}"),
            vec![],
            "configuration `ceiling (MATOMO_PRIVACY_MCP_CEILING)`: `secret` is not a privacy class",
        ),
        (
            format!("ceiling = \"pseudonymous\"\n{MINIMAL}"),
            vec![],
            "tools above aggregate need a pseudonym key",
        ),
        (
            MINIMAL.into(),
            vec![("MATOMO_PRIVACY_MCP_ENABLED", "maybe")],
            "`maybe` is not a boolean; use `true` or `false`",
        ),
        (
            MINIMAL.into(),
            vec![("MATOMO_PRIVACY_MCP_ALLOWED_SITES", "1,x")],
            "`x` is not a site id",
        ),
        (
            MINIMAL.into(),
            vec![("MATOMO_PRIVACY_MCP_THRESHOLD_K", "0")],
            "0 would show rows of no visitors",
        ),
        (
            MINIMAL.into(),
            vec![("MATOMO_PRIVACY_MCP_THRESHOLD_K", "five")],
            "`five` is not a whole number",
        ),
        (
            MINIMAL.into(),
            vec![("MATOMO_PRIVACY_MCP_PSEUDONYM_KEY_FILE", "/nonexistent/key")],
            "cannot read the pseudonym key file",
        ),
        (
            MINIMAL.into(),
            vec![("MATOMO_PRIVACY_MCP_HTTP_BIND", "localhost")],
            "`localhost` is not an address and port",
        ),
        (
            MINIMAL.into(),
            vec![("MATOMO_PRIVACY_MCP_HTTP_BEARER_TOKENS", "short")],
            "a bearer token is shorter than 16 characters",
        ),
        (
            format!("{MINIMAL}\n[[privacy.scrub_patterns]]\nname = \"x\"\nregex = \"(\""),
            vec![],
            "configuration `privacy.scrub_patterns`: scrub pattern `x` is not a valid regular expression",
        ),
        (
            format!("{MINIMAL}allowed_sites = []"),
            vec![],
            "the list is empty or holds 0",
        ),
        (
            format!("{MINIMAL}colour = \"red\""),
            vec![],
            "configuration `matomo.colour (line 7)`: there is no key `colour` in [matomo]",
        ),
    ];
    for (text, vars, expected) in cases {
        let all = errors(&text, &vars);
        assert!(
            all.iter().any(|e| e.contains(expected)),
            "expected {expected:?} in {all:#?}"
        );
    }
}

#[test]
fn all_mistakes_are_reported_at_once() {
    let all = errors("ceiling = \"x\"\n[http]\nbind = \"nowhere\"", &[]);
    assert!(all.len() >= 4, "{all:#?}");
}

#[test]
fn short_pseudonym_keys_are_refused() {
    let key = temp_file("short-key", b"too short");
    let all = errors(MINIMAL, &[("MATOMO_PRIVACY_MCP_PSEUDONYM_KEY_FILE", &key)]);
    assert!(
        all.iter().any(|e| e.contains("needs at least 32")),
        "{all:#?}"
    );
}

#[test]
fn noise_needs_a_budget_file_and_sane_settings_all_reported_at_once() {
    let without_file = "[matomo]\nurl = \"https://m.example\"\ntoken = \"abc\"\n";
    // Without a path, the user's state directory; without any, the key to set.
    let defaulted = Config::from_toml_str(without_file, env(&[("HOME", "/home/me")])).unwrap();
    assert_eq!(
        defaulted.privacy.noise.budget_file.as_deref(),
        Some(std::path::Path::new(
            "/home/me/.local/state/matomo-privacy-mcp/privacy-budget.json"
        ))
    );
    let xdg = Config::from_toml_str(
        without_file,
        env(&[("HOME", "/home/me"), ("XDG_STATE_HOME", "/state")]),
    )
    .unwrap();
    assert_eq!(
        xdg.privacy.noise.budget_file.as_deref(),
        Some(std::path::Path::new(
            "/state/matomo-privacy-mcp/privacy-budget.json"
        ))
    );
    assert_eq!(
        errors(without_file, &[]),
        [
            "configuration `privacy.noise.budget_file (MATOMO_PRIVACY_MCP_NOISE_BUDGET_FILE)`: noise is on (the default) and the privacy budget needs a file that survives restarts, but no state directory is known (neither XDG_STATE_HOME nor HOME is set); set `budget_file` under `[privacy.noise]` to a writable path such as `/var/lib/matomo-privacy-mcp/privacy-budget.json`, or set HOME"
        ]
    );
    // Off, no file is needed.
    let off = format!("{without_file}[privacy.noise]\nenabled = false\n");
    assert!(
        !Config::from_toml_str(&off, |_| None)
            .unwrap()
            .privacy
            .noise
            .enabled
    );
    let short_key = temp_file("short-noise-key", b"too short");
    let bad = format!(
        "{without_file}[privacy.noise]\nbudget_file = \"b.json\"\nepsilon_per_statistic = 0.0\nbudget_per_window = -1.0\nwindow_hours = 0\nvisits_per_visitor = 0\nkey_file = \"{short_key}\"\n"
    );
    let found = errors(&bad, &[]);
    for expected in [
        "`privacy.noise.epsilon_per_statistic`: 0 is not a usable ε",
        "`privacy.noise.budget_per_window`: -1 is not a usable ε",
        "`privacy.noise.window_hours`: a window of 0 hours",
        "`privacy.noise.visits_per_visitor`: 0 would leave every visit out",
        "has 9 bytes but needs at least 32",
    ] {
        assert!(
            found.iter().any(|e| e.contains(expected)),
            "{expected}: {found:#?}"
        );
    }
    // Keys of earlier versions are refused, naming the keys there are; two counting rules
    // at once are refused.
    let renamed = format!(
        "{without_file}[privacy.noise]\nbudget_file = \"b.json\"\nepsilon_per_answer = 1.0\n"
    );
    let found = errors(&renamed, &[]);
    assert!(
        found[0].contains("there is no key `epsilon_per_answer`")
            && found[0].contains("`epsilon_per_statistic`"),
        "{found:#?}"
    );
    let both = format!(
        "{without_file}[privacy.noise]\nbudget_file = \"b.json\"\nvisit_spacing_days = 1\nvisits_per_visitor = 2\n"
    );
    let found = errors(&both, &[]);
    assert!(
        found
            .iter()
            .any(|e| e.contains("only one rule can count a visitor's visits")),
        "{found:#?}"
    );
    let three = format!(
        "{without_file}[privacy.noise]\nbudget_file = \"b.json\"\nvisit_spacing_days = 1\nvisit_spacing_minutes = 30\n"
    );
    let found = errors(&three, &[]);
    assert!(
        found.iter().any(|e| e.contains(
            "`visit_spacing_days` and `visit_spacing_minutes` are set, but only one rule can count a visitor's visits"
        )),
        "{found:#?}"
    );
    let typo = format!("{without_file}[privacy.noise]\nepsilon = 1.0\n");
    assert!(
        errors(&typo, &[])[0].contains("there is no key `epsilon` in [privacy.noise]"),
        "{:?}",
        errors(&typo, &[])
    );
}

#[test]
fn allowed_hosts_are_read_checked_and_overridden() {
    let text = format!(
        "{MINIMAL}[http]\nallowed_hosts = [\"mcp.example.com\", \"10.0.0.5:8765\", \"[::1]:9\"]\n"
    );
    let config = Config::from_toml_str(&text, |_| None).unwrap();
    assert_eq!(
        config.http.allowed_hosts,
        ["mcp.example.com", "10.0.0.5:8765", "[::1]:9"]
    );
    let config = Config::from_toml_str(
        &text,
        env(&[("MATOMO_PRIVACY_MCP_HTTP_ALLOWED_HOSTS", "a.example, b")]),
    )
    .unwrap();
    assert_eq!(config.http.allowed_hosts, ["a.example", "b"]);
    let bad =
        format!("{MINIMAL}[http]\nallowed_hosts = [\"https://mcp.example.com/\", \"host:port\"]\n");
    let found = errors(&bad, &[]);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found[0].starts_with("configuration `http.allowed_hosts (MATOMO_PRIVACY_MCP_HTTP_ALLOWED_HOSTS)`: `https://mcp.example.com/` is not a host name"),
        "{found:#?}"
    );
}

#[test]
fn plain_http_to_another_machine_names_the_configuration_key() {
    let text = "[privacy.noise]\nenabled = false\n[matomo]\nurl = \"http://10.0.0.7/matomo\"\ntoken = \"0123456789abcdef\"\n";
    let found = errors(text, &[]);
    assert_eq!(
        found,
        [
            "configuration `matomo.url (MATOMO_URL)`: `http://10.0.0.7/matomo` is plain http:// to another machine, which would send the token in clear text; use https://, or, for a trusted private network only, set `allow_insecure_http = true` under `[matomo]`"
        ]
    );
    assert!(
        !found[0].contains("danger_"),
        "no Rust API in an operator's message"
    );
    let allowed = format!("{text}allow_insecure_http = true\n");
    assert!(Config::from_toml_str(&allowed, |_| None).is_ok());
    let local = text.replace("10.0.0.7", "127.0.0.1");
    assert!(Config::from_toml_str(&local, |_| None).is_ok());
}

/// Every unknown key is reported in one run, each with its section and line, together with
/// the mistakes in the values that could be read.
#[test]
fn unknown_keys_are_all_reported_with_section_and_line() {
    let text = "\
enabled = true
colour = \"red\"
[matomo]
url = \"https://m.example\"
token = \"0123456789abcdef\"
tiemout_seconds = 5
[privacy]
threshold_k = 0
[privacy.noise]
enabled = false
epsilon = 2.0
[http]
allowed_origin = [\"https://a.example\"]
";
    let found = errors(text, &[]);
    let expected_starts = [
        "configuration `colour (line 2)`: there is no key `colour` at the top level; the keys at the top level are `enabled`, `ceiling`,",
        "configuration `http.allowed_origin (line 13)`: there is no key `allowed_origin` in [http]",
        "configuration `matomo.tiemout_seconds (line 6)`: there is no key `tiemout_seconds` in [matomo]",
        "configuration `privacy.noise.epsilon (line 11)`: there is no key `epsilon` in [privacy.noise]",
        "configuration `privacy.threshold_k (MATOMO_PRIVACY_MCP_THRESHOLD_K)`: 0 would show rows of no visitors",
    ];
    for start in expected_starts {
        assert!(
            found.iter().any(|e| e.starts_with(start)),
            "{start}\n{found:#?}"
        );
    }
    assert_eq!(found.len(), expected_starts.len(), "{found:#?}");
    // A TOML syntax error says where.
    let broken = errors("[matomo]\nurl = \"https://m.example\"\ntoken = \n", &[]);
    assert!(
        broken[0].starts_with("configuration `file (line 3)`: not valid TOML"),
        "{broken:?}"
    );
}

/// The configuration reference documents every key the file takes, and nothing else.
#[test]
fn the_reference_documents_every_key() {
    let reference = include_str!("../../../docs/configuration.md");
    let documented: std::collections::BTreeSet<String> = reference
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split('`').next())
        .filter(|key| !key.contains(' '))
        .map(str::to_owned)
        .collect();
    let keys: std::collections::BTreeSet<String> = super::keys::all_keys()
        .into_iter()
        // Sections themselves and the fields of a scrub pattern are documented with their parent.
        .filter(|key| !key.starts_with("privacy.scrub_patterns.") && key != "privacy.noise")
        .collect();
    let missing: Vec<_> = keys.difference(&documented).collect();
    let stale: Vec<_> = documented.difference(&keys).collect();
    assert!(
        missing.is_empty(),
        "keys missing from docs/configuration.md: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "documented keys the file does not take: {stale:?}"
    );
}

#[test]
fn the_cache_is_configured_or_off() {
    let config = Config::from_toml_str(MINIMAL, |_| None).unwrap();
    let cache = format!("{:?}", config.cache.unwrap());
    assert!(cache.contains("max_entries: 1024"), "{cache}");
    let text =
        format!("{MINIMAL}[cache]\nmax_entries = 10\nmax_bytes = 1000\ntoday_ttl_seconds = 0\n");
    let cache = format!(
        "{:?}",
        Config::from_toml_str(&text, |_| None)
            .unwrap()
            .cache
            .unwrap()
    );
    assert!(
        cache.contains("max_entries: 10,")
            && cache.contains("max_bytes: 1000")
            && cache.contains("today_ttl: 0ns"),
        "{cache}"
    );
    let off = format!("{MINIMAL}[cache]\nenabled = false\n");
    assert!(
        Config::from_toml_str(&off, |_| None)
            .unwrap()
            .cache
            .is_none()
    );
    let zero = format!("{MINIMAL}[cache]\nmax_entries = 0\n");
    assert!(
        errors(&zero, &[])[0]
            .starts_with("configuration `cache.max_entries`: 0 would keep nothing")
    );
}

/// Values of the wrong type are all reported in one run, each with its key and line.
#[test]
fn wrong_types_are_all_reported_with_key_and_line() {
    let text = "\
[matomo]
url = \"https://m.example\"
token = \"0123456789abcdef\"
timeout_seconds = \"thirty\"
[privacy]
threshold_k = \"five\"
[privacy.noise]
enabled = \"yes please\"
colour = 1
";
    let found = errors(text, &[("HOME", "/home/me")]);
    assert_eq!(
        found,
        [
            "configuration `privacy.noise.colour (line 9)`: there is no key `colour` in [privacy.noise]; the keys in [privacy.noise] are `enabled`, `epsilon_per_statistic`, `budget_per_window`, `window_hours`, `budget_file`, `key_file`, `visit_spacing_days`, `visit_spacing_minutes`, `visits_per_visitor`, `actions_per_visit`; see the configuration reference",
            "configuration `matomo.timeout_seconds (line 4)`: this key takes a whole number, not text (\"thirty\"); write a whole number without quotes",
            "configuration `privacy.threshold_k (line 6)`: this key takes a whole number, not text (\"five\"); write a whole number without quotes",
            "configuration `privacy.noise.enabled (line 8)`: this key takes true or false, not text (\"yes please\"); write `true` or `false`, without quotes",
        ]
    );
}

/// One value of the wrong type hides no other mistake: the rest of the file is still checked,
/// and a quoted number is shown written without quotes.
#[test]
fn a_wrong_type_hides_no_other_mistake() {
    let text = "\
[matomo]
token = \"0123456789abcdef\"
timeout_seconds = \"30\"
allowed_sites = []
[privacy]
threshold_k = 0
[http]
max_sessions = -1
";
    assert_eq!(
        errors(text, &[("HOME", "/home/me")]),
        [
            "configuration `matomo.timeout_seconds (line 3)`: this key takes a whole number, not text (\"30\"); write it without quotes: `timeout_seconds = 30`",
            "configuration `http.max_sessions (line 8)`: this key takes a whole number from 0 to 18446744073709551615, not the whole number -1; see the configuration reference for the values it takes",
            "configuration `matomo.url (MATOMO_URL)`: no Matomo URL is configured; set `url` under `[matomo]` or MATOMO_URL",
            "configuration `matomo.allowed_sites (MATOMO_PRIVACY_MCP_ALLOWED_SITES)`: the list is empty or holds 0; list the positive site ids to serve, or remove the key to serve every site the token can view",
            "configuration `privacy.threshold_k (MATOMO_PRIVACY_MCP_THRESHOLD_K)`: 0 would show rows of no visitors; use at least 1; 5 is the default",
        ]
    );
}

/// An unknown key names the key it was probably meant to be, or the section it belongs in.
#[test]
fn an_unknown_key_suggests_the_closest() {
    let text = "\
[matomo]
url = \"https://m.example\"
token = \"0123456789abcdef\"
tiemout_seconds = 5
[privacy]
budget_file = \"/tmp/b.json\"
";
    assert_eq!(
        errors(text, &[("HOME", "/home/me")]),
        [
            "configuration `matomo.tiemout_seconds (line 4)`: there is no key `tiemout_seconds` in [matomo]; did you mean `timeout_seconds`? (the keys in [matomo] are `url`, `token`, `token_file`, `allowed_sites`, `allow_privileged_token`, `allow_insecure_http`, `timeout_seconds`, `max_concurrent_requests`; see the configuration reference)",
            "configuration `privacy.budget_file (line 6)`: there is no key `budget_file` in [privacy]; `budget_file` belongs in [privacy.noise] (the keys in [privacy] are `threshold_k`, `pseudonym_key_file`, `allowed_query_params`, `scrub_patterns`, `noise`; see the configuration reference)",
        ]
    );
}

/// A configuration with two profiles; the top level has no Matomo token of its own.
fn with_profiles(extra_top: &str, profiles: &str) -> String {
    let marketing = temp_file("profile-marketing", b"marketing0123456789abcdef0123\n");
    let support = temp_file("profile-support", b"support0123456789abcdef012345\n");
    format!(
        "ceiling = \"aggregate\"\n{extra_top}\n[privacy]\nthreshold_k = 7\n[privacy.noise]\nbudget_file = \"/tmp/b.json\"\nbudget_per_window = 12.0\n\
         [matomo]\nurl = \"https://matomo.example.com\"\nallowed_sites = [1, 2]\n\
         [tools]\nallowed = [\"list_sites\", \"countries\"]\n\
         [rate_limit]\nper_minute = 30\n\
         [[profiles]]\nname = \"marketing\"\nmatomo_token_file = \"{marketing}\"\nbearer_token_file = \"/run/secrets/m\"\n\
         [[profiles]]\nname = \"support\"\nmatomo_token_file = \"{support}\"\nallowed_sites = [2]\nallowed_tools = [\"top_pages\"]\n\
         threshold_k = 10\nrate_limit_per_minute = 5\nrate_limit_burst = 2\nbudget_per_window = 3.5\noauth_scope = \"matomo:support\"\n{profiles}"
    )
}

#[test]
fn profiles_inherit_what_they_do_not_set() {
    let text = with_profiles(
        "",
        "[http]\npublic_url = \"https://mcp.example.com/mcp\"\n[oauth]\nissuer = \"https://auth.example.com\"\n",
    );
    let config = Config::from_toml_str(&text, |_| None).unwrap();
    assert!(config.matomo.token.is_none());
    let [marketing, support] = &config.profiles[..] else {
        panic!("two profiles expected: {:?}", config.profiles)
    };
    assert_eq!(marketing.name, "marketing");
    assert_eq!(
        marketing.matomo_token.expose(),
        "marketing0123456789abcdef0123"
    );
    assert_eq!(marketing.allowed_sites, Some(vec![1, 2]));
    assert_eq!(
        marketing.allowed_tools,
        Some(vec!["list_sites".to_owned(), "countries".to_owned()])
    );
    assert_eq!(marketing.threshold.k(), 7);
    assert_eq!(
        marketing.rate_limit,
        Some(RateLimitSettings {
            per_minute: 30,
            burst: 30
        })
    );
    assert_eq!(marketing.budget_micros, 12_000_000);
    assert_eq!(
        marketing.bearer_token_file.as_deref(),
        Some(std::path::Path::new("/run/secrets/m"))
    );
    assert_eq!(support.allowed_sites, Some(vec![2]));
    assert_eq!(support.allowed_tools, Some(vec!["top_pages".to_owned()]));
    assert_eq!(support.threshold.k(), 10);
    assert_eq!(
        support.rate_limit,
        Some(RateLimitSettings {
            per_minute: 5,
            burst: 2
        })
    );
    assert_eq!(support.budget_micros, 3_500_000);
    assert_eq!(
        support.oauth,
        [OAuthRule::Scope("matomo:support".to_owned())]
    );
    let oauth = config.oauth.unwrap();
    assert_eq!(oauth.issuer, "https://auth.example.com");
    assert_eq!(oauth.resource, "https://mcp.example.com/mcp");
    assert!(!format!("{:?}", config.profiles).contains("marketing0123"));
}

#[test]
fn profile_mistakes_name_the_profile_and_key() {
    let all = errors(
        &with_profiles(
            "",
            "[[profiles]]\nname = \"support\"\nmatomo_token_file = \"/nonexistent/token\"\n\
             [[profiles]]\nmatomo_token_file = \"/x\"\n\
             [[profiles]]\nname = \"bad name!\"\n\
             [[profiles]]\nname = \"nobudget\"\nmatomo_token_file = \"/nonexistent\"\nrate_limit_per_minute = 0\n",
        ),
        &[],
    )
    .join("\n");
    for expected in [
        // OAuth rules without an authorization server.
        "configuration `oauth.issuer (MATOMO_PRIVACY_MCP_OAUTH_ISSUER)`: a profile accepts OAuth tokens",
        "configuration `profiles.support.name`: two profiles are named `support`",
        "configuration `profiles[4].name`: the profile has no name",
        "configuration `profiles.bad name!.name`: `bad name!` is not a profile name",
        "configuration `profiles.nobudget.matomo_token_file`: cannot read token file `/nonexistent`",
    ] {
        assert!(all.contains(expected), "missing {expected:?} in\n{all}");
    }
    // A top-level token or bearer tokens beside profiles are refused: each profile has its own.
    let all = errors(
        &with_profiles("", "")
            .replace(
                "[matomo]\n",
                "[matomo]\ntoken = \"0123456789abcdef0123456789abcdef\"\n",
            )
            .replace(
                "[tools]",
                "[http]\nbearer_tokens = [\"0123456789abcdef-token\"]\n[tools]",
            ),
        &[],
    )
    .join("\n");
    assert!(
        all.contains("with [[profiles]], each profile has its own Matomo token"),
        "{all}"
    );
    assert!(
        all.contains("with [[profiles]], each profile has its own bearer tokens"),
        "{all}"
    );
    // OAuth needs the public URL.
    let all = errors(
        &with_profiles("", "[oauth]\nissuer = \"https://auth.example.com\"\n"),
        &[],
    )
    .join("\n");
    assert!(
        all.contains("configuration `http.public_url (MATOMO_PRIVACY_MCP_HTTP_PUBLIC_URL)`: OAuth needs this server's public URL"),
        "{all}"
    );
    // A profile without a token file.
    let all = errors(
        &with_profiles("", "[[profiles]]\nname = \"tokenless\"\n"),
        &[],
    )
    .join("\n");
    assert!(
        all.contains(
            "configuration `profiles.tokenless.matomo_token_file`: the profile has no Matomo token"
        ),
        "{all}"
    );
}

#[test]
fn without_profiles_the_top_level_is_the_default_profile() {
    let text = format!("{MINIMAL}[rate_limit]\nper_minute = 10\nburst = 3\n");
    let config = Config::from_toml_str(&text, |_| None).unwrap();
    let [default] = &config.profiles[..] else {
        panic!("one profile expected")
    };
    assert_eq!(default.name, "default");
    assert_eq!(
        default.matomo_token.expose(),
        "0123456789abcdef0123456789abcdef"
    );
    assert_eq!(default.threshold.k(), 5);
    assert_eq!(
        default.rate_limit,
        Some(RateLimitSettings {
            per_minute: 10,
            burst: 3
        })
    );
    let all = errors(&format!("{MINIMAL}[rate_limit]\nburst = 3\n"), &[]).join("\n");
    assert!(
        all.contains("configuration `rate_limit.burst`: a burst without calls per minute"),
        "{all}"
    );
}

/// The Matomo part of a configuration whose noise has no budget file: with `[shared_state]` the
/// budget is kept in Redis and needs none.
const WITHOUT_BUDGET_FILE: &str = "[matomo]\nurl = \"https://matomo.example.com\"\ntoken = \"0123456789abcdef0123456789abcdef\"\n";

const REDIS_PASSWORD: &str = "redis-password-0123456789";

#[test]
fn shared_state_is_off_unless_configured() {
    let config = Config::from_toml_str(MINIMAL, |_| None).unwrap();
    assert!(config.shared_state.is_none());
}

#[cfg(feature = "redis")]
#[test]
fn shared_state_reads_every_key_and_keeps_the_password_secret() {
    let password = temp_file("redis-password", format!("{REDIS_PASSWORD}\n").as_bytes());
    let text = format!(
        "{WITHOUT_BUDGET_FILE}[shared_state]\nurl = \"rediss://matomo-privacy-mcp@redis.internal:6380/2\"\npassword_file = \"{password}\"\nprefix = \"matomo-privacy-mcp:prod:\"\ntimeout_ms = 250\n"
    );
    let config = Config::from_toml_str(&text, |_| None).unwrap();
    let shared = config.shared_state.as_ref().unwrap();
    assert_eq!(
        shared.location,
        "rediss://matomo-privacy-mcp@redis.internal:6380/2"
    );
    assert!(shared.tls && shared.authenticated && !shared.allow_without_password);
    assert!(!shared.is_loopback());
    assert_eq!(shared.password().map(Secret::expose), Some(REDIS_PASSWORD));
    assert_eq!(
        shared.password_file.as_deref(),
        Some(std::path::Path::new(&password))
    );
    assert_eq!(shared.prefix, "matomo-privacy-mcp:prod:");
    assert_eq!(shared.timeout.as_millis(), 250);
    assert!(shared.ca_certificate.is_none());
    // Noise is on, and the budget, kept in Redis, needs no file.
    assert!(config.privacy.noise.enabled);
    assert!(config.privacy.noise.budget_file.is_none());
    let shown = format!("{config:?}");
    assert!(!shown.contains(REDIS_PASSWORD), "{shown}");
    assert!(shown.contains("redis.internal:6380"), "{shown}");

    // The defaults; without a password only when allowed.
    let text = format!(
        "{MINIMAL}[shared_state]\nurl = \"redis://127.0.0.1:6379\"\nallow_without_password = true\n"
    );
    let config = Config::from_toml_str(&text, |_| None).unwrap();
    let shared = config.shared_state.as_ref().unwrap();
    assert_eq!(shared.prefix, DEFAULT_PREFIX);
    assert_eq!(shared.timeout.as_millis(), u128::from(DEFAULT_TIMEOUT_MS));
    assert!(!shared.tls && !shared.authenticated && shared.allow_without_password);
    assert!(shared.is_loopback());
    assert!(shared.password().is_none());
    // Both a shared state and a budget file: the file stays known (check and the manifest say it
    // is not used).
    assert!(config.privacy.noise.budget_file.is_some());
}

#[cfg(feature = "redis")]
#[test]
fn shared_state_comes_from_the_environment_with_a_password_in_the_url() {
    let url = format!("redis://:{REDIS_PASSWORD}@10.0.0.9:6379/0");
    let config = Config::from_toml_str(
        WITHOUT_BUDGET_FILE,
        env(&[("MATOMO_PRIVACY_MCP_SHARED_STATE_URL", &url)]),
    )
    .unwrap();
    let shared = config.shared_state.as_ref().unwrap();
    assert_eq!(shared.connect_url().expose(), url);
    assert_eq!(shared.location, "redis://10.0.0.9:6379/0");
    assert!(shared.authenticated && shared.password().is_none());
    assert!(!format!("{config:?}").contains(REDIS_PASSWORD));
    // The environment overrides the file's URL and password file.
    let password = temp_file("redis-password-env", REDIS_PASSWORD.as_bytes());
    let text = format!(
        "{WITHOUT_BUDGET_FILE}[shared_state]\nurl = \"redis://file.example:6379/0\"\npassword_file = \"/nonexistent/password\"\n"
    );
    let config = Config::from_toml_str(
        &text,
        env(&[
            (
                "MATOMO_PRIVACY_MCP_SHARED_STATE_URL",
                "redis://env.example:6379/1",
            ),
            ("MATOMO_PRIVACY_MCP_SHARED_STATE_PASSWORD_FILE", &password),
        ]),
    )
    .unwrap();
    let shared = config.shared_state.as_ref().unwrap();
    assert_eq!(shared.location, "redis://env.example:6379/1");
    assert_eq!(shared.password().map(Secret::expose), Some(REDIS_PASSWORD));
}

#[cfg(feature = "redis")]
#[test]
fn each_shared_state_mistake_names_its_key() {
    let password = temp_file("redis-password-mistakes", REDIS_PASSWORD.as_bytes());
    let empty = temp_file("redis-password-empty", b"\n");
    let pem = temp_file(
        "redis-ca-mistakes",
        b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    );
    let section = |keys: &str| format!("{WITHOUT_BUDGET_FILE}[shared_state]\n{keys}\n");
    let with_password =
        |url: &str| section(&format!("url = \"{url}\"\npassword_file = \"{password}\""));
    type Case = (String, Vec<(&'static str, String)>, &'static str);
    let cases: Vec<Case> = vec![
        (
            section(""),
            vec![],
            "configuration `shared_state.url (MATOMO_PRIVACY_MCP_SHARED_STATE_URL)`: the shared state has no Redis URL; set `url` under `[shared_state]` or MATOMO_PRIVACY_MCP_SHARED_STATE_URL",
        ),
        (
            WITHOUT_BUDGET_FILE.to_owned(),
            vec![(
                "MATOMO_PRIVACY_MCP_SHARED_STATE_PASSWORD_FILE",
                password.clone(),
            )],
            "configuration `shared_state.url (MATOMO_PRIVACY_MCP_SHARED_STATE_URL)`: the shared state has no Redis URL",
        ),
        (
            with_password("redis.internal:6379"),
            vec![],
            "configuration `shared_state.url (MATOMO_PRIVACY_MCP_SHARED_STATE_URL)`: `redis.internal://` is not a Redis URL; give `redis://host:port/db`",
        ),
        (
            with_password("not a url"),
            vec![],
            "configuration `shared_state.url (MATOMO_PRIVACY_MCP_SHARED_STATE_URL)`: the value is not a URL",
        ),
        (
            with_password("https://redis.internal/0"),
            vec![],
            "`https://` is not a Redis URL",
        ),
        (
            with_password("redis:///0"),
            vec![],
            "configuration `shared_state.url (MATOMO_PRIVACY_MCP_SHARED_STATE_URL)`: the URL has no host",
        ),
        (
            with_password("redis://redis.internal:6379/zero"),
            vec![],
            "the URL's path is not a database number; end the URL with the database number, such as `/0`",
        ),
        (
            with_password("rediss://redis.internal:6380/0#insecure"),
            vec![],
            "the URL has a query or a fragment (`#insecure` would turn off the check of Redis's TLS certificate)",
        ),
        (
            section(&format!(
                "url = \"redis://:{REDIS_PASSWORD}@redis.internal:6379/0\""
            )),
            vec![],
            "configuration `shared_state.url (MATOMO_PRIVACY_MCP_SHARED_STATE_URL)`: the URL holds a password, which would sit in the configuration file; put the password in a file and set `password_file` under `[shared_state]`",
        ),
        (
            section(&format!("password_file = \"{password}\"")),
            vec![(
                "MATOMO_PRIVACY_MCP_SHARED_STATE_URL",
                format!("redis://:{REDIS_PASSWORD}@redis.internal:6379/0"),
            )],
            "the URL and the password file give a password; keep one of them",
        ),
        (
            section("url = \"redis://redis.internal:6379/0\""),
            vec![],
            "configuration `shared_state.password_file (MATOMO_PRIVACY_MCP_SHARED_STATE_PASSWORD_FILE)`: the shared state will hold cached reports and privacy-budget ledgers, and no Redis password is given; require a password in Redis",
        ),
        (
            section(
                "url = \"redis://redis.internal:6379/0\"\npassword_file = \"/nonexistent/redis-password\"",
            ),
            vec![],
            "configuration `shared_state.password_file (MATOMO_PRIVACY_MCP_SHARED_STATE_PASSWORD_FILE)`: cannot read the password file `/nonexistent/redis-password`",
        ),
        (
            section(&format!(
                "url = \"redis://redis.internal:6379/0\"\npassword_file = \"{empty}\""
            )),
            vec![],
            "is empty or holds control characters; point it at a readable file holding only Redis's password",
        ),
        (
            section(&format!(
                "url = \"redis://r:6379/0\"\npassword_file = \"{password}\"\nprefix = \"\""
            )),
            vec![],
            "configuration `shared_state.prefix`: the key prefix is empty or contains spaces",
        ),
        (
            section(&format!(
                "url = \"redis://r:6379/0\"\npassword_file = \"{password}\"\nprefix = \"matomo mcp:\""
            )),
            vec![],
            "configuration `shared_state.prefix`: the key prefix is empty or contains spaces",
        ),
        (
            section(&format!(
                "url = \"rediss://r:6380/0\"\npassword_file = \"{password}\"\nca_file = \"/nonexistent/ca.pem\""
            )),
            vec![],
            "configuration `shared_state.ca_file`: `/nonexistent/ca.pem` cannot be read",
        ),
        (
            section(&format!(
                "url = \"rediss://r:6380/0\"\npassword_file = \"{password}\"\nca_file = \"{password}\""
            )),
            vec![],
            "holds no PEM certificate",
        ),
        (
            section(&format!(
                "url = \"redis://r:6379/0\"\npassword_file = \"{password}\"\nca_file = \"{pem}\""
            )),
            vec![],
            "configuration `shared_state.ca_file`: a certificate authority is given for a `redis://` URL, which does not use TLS",
        ),
        (
            section(&format!(
                "url = \"redis://r:6379/0\"\npassword_file = \"{password}\"\ntimeout_ms = 0"
            )),
            vec![],
            "configuration `shared_state.timeout_ms`: 0 ms is not a usable deadline for one Redis operation; use 1 to 10000 milliseconds",
        ),
        (
            section(&format!(
                "url = \"redis://r:6379/0\"\npassword_file = \"{password}\"\ntimeout_ms = 10001"
            )),
            vec![],
            "configuration `shared_state.timeout_ms`: 10001 ms is not a usable deadline",
        ),
        (
            section("url = \"redis://r:6379/0\"\npasword_file = \"/x\""),
            vec![],
            "configuration `shared_state.pasword_file (line 6)`: there is no key `pasword_file` in [shared_state]; did you mean `password_file`? (the keys in [shared_state] are `url`, `password_file`, `prefix`, `timeout_ms`, `allow_without_password`, `ca_file`; see the configuration reference)",
        ),
        (
            section("url = \"redis://r:6379/0\"\ntimeout_ms = \"500\""),
            vec![],
            "configuration `shared_state.timeout_ms (line 6)`: this key takes a whole number, not text (\"500\"); write it without quotes: `timeout_ms = 500`",
        ),
        (
            section("url = \"redis://r:6379/0\"\nallow_without_password = \"yes\""),
            vec![],
            "configuration `shared_state.allow_without_password (line 6)`: this key takes true or false, not text (\"yes\"); write `true` or `false`, without quotes",
        ),
    ];
    for (text, vars, expected) in cases {
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let all = errors(&text, &vars);
        assert!(
            all.iter().any(|e| e.contains(expected)),
            "expected {expected:?} in {all:#?}"
        );
        assert!(
            all.iter()
                .all(|e| !e.contains(REDIS_PASSWORD) && !e.contains("danger_")),
            "a message shows the password or a Rust API: {all:#?}"
        );
    }
    // Every mistake of the section at once.
    let all = errors(
        &section("url = \"redis://r:6379/x\"\nprefix = \"\"\ntimeout_ms = 0"),
        &[],
    );
    assert_eq!(all.len(), 3, "{all:#?}");
}

#[cfg(not(feature = "redis"))]
#[test]
fn shared_state_needs_a_build_with_redis() {
    let password = temp_file("redis-password-nofeature", REDIS_PASSWORD.as_bytes());
    let text = format!(
        "{WITHOUT_BUDGET_FILE}[shared_state]\nurl = \"redis://r:6379/0\"\npassword_file = \"{password}\"\n"
    );
    let all = errors(&text, &[]);
    assert!(
        all.iter().any(|e| e.starts_with(
            "configuration `shared_state`: this matomo-privacy-mcp was built without the `redis` feature"
        )),
        "{all:#?}"
    );
    let all = errors(
        MINIMAL,
        &[("MATOMO_PRIVACY_MCP_SHARED_STATE_URL", "redis://r:6379/0")],
    );
    assert!(
        all.iter()
            .any(|e| e.contains("built without the `redis` feature")),
        "{all:#?}"
    );
}

#[cfg(feature = "redis")]
#[test]
fn shared_state_trusts_a_private_certificate_authority_from_ca_file() {
    let password = temp_file("redis-password-ca", REDIS_PASSWORD.as_bytes());
    let pem = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    let ca = temp_file("redis-ca", pem);
    let text = format!(
        "{WITHOUT_BUDGET_FILE}[shared_state]\nurl = \"rediss://redis.internal:6380/0\"\npassword_file = \"{password}\"\nca_file = \"{ca}\"\n"
    );
    let config = Config::from_toml_str(&text, |_| None).unwrap();
    let shared = config.shared_state.as_ref().unwrap();
    assert!(shared.tls);
    assert_eq!(shared.ca_certificate.as_deref(), Some(&pem[..]));
}

/// The limits' defaults come from the server; the messages still say them as numbers.
#[test]
fn zero_http_limits_name_the_defaults() {
    let text = format!(
        "[http]\nmax_body_bytes = 0\nmax_sessions = 0\nread_timeout_seconds = 0\nsession_idle_timeout_seconds = 0\n{MINIMAL}"
    );
    assert_eq!(
        errors(&text, &[]),
        [
            "configuration `http.max_body_bytes / http.max_concurrent_calls`: 0 would refuse every request; use positive limits (defaults: 1048576 and 32)",
            "configuration `http.max_sessions`: 0 would refuse every client; use a positive limit (default: 1000)",
            "configuration `http.read_timeout_seconds`: 0 seconds would cut off every client at once; use a positive number of seconds (default: 30)",
            "configuration `http.session_idle_timeout_seconds`: 0 seconds would cut off every client at once; use a positive number of seconds (default: 300)",
        ]
    );
}
