//! The README's first command must show a newcomer what the server does: numbers with their
//! intervals, rows of a report, and the refusals. A demo whose every answer is withheld (a
//! dataset dated away from "yesterday", or too few visitors for the default noise) still
//! exits 0, so its output is checked here.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

fn demo_output() -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_example-demo"))
        .output()
        .expect("the demo runs");
    assert!(
        output.status.success(),
        "the demo failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("the demo prints UTF-8")
}

/// The lines of the answer printed under the question whose title starts with `title`.
fn answer<'a>(output: &'a str, title: &str) -> Vec<&'a str> {
    output
        .split("\n── ")
        .find(|section| section.starts_with(title))
        .unwrap_or_else(|| panic!("no question `{title}` in the demo's output:\n{output}"))
        .lines()
        .collect()
}

/// Whether `line` shows `metric` as a whole number followed by its interval `[low–high]`.
fn shows_with_interval(line: &str, metric: &str) -> bool {
    let Some((_, rest)) = line.split_once(metric) else {
        return false;
    };
    let mut parts = rest.trim_start_matches([':', '=', ' ']).splitn(2, ' ');
    let value_is_whole = parts
        .next()
        .is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit()));
    let interval_is_whole = parts.next().is_some_and(|i| {
        i.strip_prefix('[')
            .and_then(|i| i.strip_suffix(']'))
            .and_then(|i| i.split_once('–'))
            .is_some_and(|(low, high)| {
                [low, high]
                    .iter()
                    .all(|end| !end.is_empty() && end.chars().all(|c| c.is_ascii_digit()))
            })
    });
    value_is_whole && interval_is_whole
}

#[test]
fn the_demo_shows_numbers_rows_and_refusals() {
    let output = demo_output();

    let summary = answer(&output, "How did the shop do yesterday?");
    assert!(
        summary
            .iter()
            .any(|line| shows_with_interval(line, "nb_visits")),
        "yesterday's visits are shown with their interval:\n{}",
        summary.join("\n")
    );

    for title in [
        "Top pages of the last seven days",
        "Countries of the last seven days",
    ] {
        let rows = answer(&output, title);
        let shown = rows
            .iter()
            .filter(|line| shows_with_interval(line, "nb_visits="))
            .count();
        assert!(
            shown >= 3,
            "`{title}` shows at least three rows with intervals:\n{}",
            rows.join("\n")
        );
    }

    let titles = answer(&output, "Page titles");
    let left_out = titles
        .iter()
        .find_map(|line| line.split_once(" rows with fewer than 5 distinct visitors left out"))
        .and_then(|(before, _)| before.rsplit(' ').next()?.parse::<u32>().ok());
    assert!(
        left_out.is_some_and(|n| n > 0),
        "page titles leave rare rows out and say how many:\n{}",
        titles.join("\n")
    );

    assert!(
        output.contains("refused by privacy policy: segment dimension `userId` is identifying")
    );
    assert!(output.contains("tool `visit_log` is not available"));
}
