//! The top-level modules of each crate of the workspace (the core, the ready-made tools, the
//! testkit, the server and the application) depend on each other in one direction only: no cycle,
//! so that each can be understood, tested and (one day) split off on its own. A dependency is a
//! `crate::module` path, or a root re-export (`crate::ToolError`) resolved to its module, in code;
//! doc comments and intra-doc links do not count. The other crates are checked from a checkout of
//! the repository (a downloaded core crate has only its own sources).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The module graph of a sibling crate of the workspace, when this is a checkout of the
/// repository.
fn sibling_graph(name: &str) -> Option<BTreeMap<String, BTreeSet<String>>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(name)
        .join("src");
    dir.join("lib.rs").is_file().then(|| dependency_graph(&dir))
}

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in fs::read_dir(path).unwrap() {
            rust_files(&entry.unwrap().path(), out);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_owned());
    }
}

/// The top-level modules and, for each name re-exported at the root, the module it comes from.
fn modules_and_root_names(src: &Path) -> (BTreeSet<String>, BTreeMap<String, String>) {
    let lib = fs::read_to_string(src.join("lib.rs")).unwrap();
    let mut modules = BTreeSet::new();
    let mut root = BTreeMap::new();
    for line in lib.lines() {
        let line = line.trim();
        if let Some(rest) = line
            .strip_prefix("pub mod ")
            .or_else(|| line.strip_prefix("mod "))
        {
            modules.insert(rest.trim_end_matches(';').to_owned());
        }
    }
    // `pub use module::{A, B};` possibly over several lines.
    let mut rest = lib.as_str();
    while let Some(start) = rest.find("pub use ") {
        let statement = &rest[start + 8..];
        let end = statement.find(';').unwrap();
        let statement = &statement[..end];
        if let Some((module, names)) = statement.split_once("::")
            && modules.contains(module)
        {
            for name in names.trim_matches(|c| c == '{' || c == '}').split(',') {
                let name = name.trim();
                if !name.is_empty() {
                    root.insert(name.to_owned(), module.to_owned());
                }
            }
        }
        rest = &rest[start + 8 + end..];
    }
    (modules, root)
}

fn identifier_after(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

fn dependency_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let (modules, root) = modules_and_root_names(src);
    let mut graph = BTreeMap::new();
    for module in &modules {
        let dir = src.join(module);
        let path = if dir.is_dir() {
            dir
        } else {
            src.join(format!("{module}.rs"))
        };
        let mut files = Vec::new();
        rust_files(&path, &mut files);
        let mut deps = BTreeSet::new();
        for file in files {
            for line in fs::read_to_string(&file).unwrap().lines() {
                if line.trim_start().starts_with("//") {
                    continue;
                }
                for (at, _) in line.match_indices("crate::") {
                    let name = identifier_after(&line[at + 7..]);
                    let target = if modules.contains(name) {
                        Some(name.to_owned())
                    } else {
                        root.get(name).cloned()
                    };
                    if let Some(target) = target
                        && &target != module
                    {
                        deps.insert(target);
                    }
                }
            }
        }
        graph.insert(module.clone(), deps);
    }
    graph
}

/// A cycle through `start`, if there is one, as the path of modules.
fn cycle_from(
    graph: &BTreeMap<String, BTreeSet<String>>,
    start: &str,
    path: &mut Vec<String>,
) -> Option<Vec<String>> {
    for next in &graph[path.last().unwrap()] {
        if next == start {
            let mut cycle = path.clone();
            cycle.push(next.clone());
            return Some(cycle);
        }
        if !path.contains(next) {
            path.push(next.clone());
            if let Some(cycle) = cycle_from(graph, start, path) {
                return Some(cycle);
            }
            path.pop();
        }
    }
    None
}

/// Fails with the first cycle found among `graph`'s modules.
fn assert_no_cycle(graph: &BTreeMap<String, BTreeSet<String>>) {
    for module in graph.keys() {
        let cycle = cycle_from(graph, module, &mut vec![module.clone()]);
        assert!(
            cycle.is_none(),
            "dependency cycle: {}",
            cycle.unwrap_or_default().join(" -> ")
        );
    }
}

#[test]
fn the_core_modules_have_no_dependency_cycle() {
    let graph = dependency_graph(&src());
    assert!(graph.len() >= 12, "modules found: {graph:?}");
    // The scan sees real edges (so that an empty graph cannot pass).
    assert!(graph["reporting"].contains("client"), "{graph:?}");
    assert!(graph["client"].contains("params"), "{graph:?}");
    assert_no_cycle(&graph);
}

#[test]
fn the_testkits_modules_have_no_dependency_cycle() {
    let Some(graph) = sibling_graph("matomo-privacy-mcp-testkit") else {
        return;
    };
    // The emulator's layers, each on the ones below: the API's dispatch on the reports, the
    // reports on the request's reading (query) and the dataset, the query on the dataset.
    assert!(graph["api"].contains("reports"), "{graph:?}");
    assert!(graph["reports"].contains("query"), "{graph:?}");
    assert!(graph["query"].contains("dataset"), "{graph:?}");
    assert_no_cycle(&graph);
}

#[test]
fn the_server_and_the_applications_modules_have_no_dependency_cycle() {
    for name in ["matomo-privacy-mcp-server", "matomo-privacy-mcp"] {
        let Some(graph) = sibling_graph(name) else {
            continue;
        };
        assert!(graph.len() >= 5, "{name}: modules found: {graph:?}");
        assert!(
            graph.values().any(|deps| !deps.is_empty()),
            "{name}: {graph:?}"
        );
        assert_no_cycle(&graph);
    }
}

#[test]
fn the_ready_made_tools_modules_have_no_dependency_cycle() {
    let Some(graph) = sibling_graph("matomo-privacy-mcp-tools") else {
        return;
    };
    // One module per tool with logic of its own, the row reports and the summaries.
    assert!(graph.len() >= 15, "modules found: {graph:?}");
    // A comparison asks the `report` tool's question for each period.
    assert!(graph["compare_periods"].contains("report"), "{graph:?}");
    assert_no_cycle(&graph);
}

/// The ready-made tools depend on the core, never the other way: the core's code names neither
/// the tools crate nor a tool (its doc comments may show them in examples).
#[test]
fn the_core_does_not_depend_on_the_ready_made_tools() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    for file in files {
        for line in fs::read_to_string(&file).unwrap().lines() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            assert!(
                !line.contains("matomo_privacy_mcp_tools") && !line.contains("reporting::tools"),
                "{}: {line}",
                file.display()
            );
        }
    }
}

#[test]
fn params_and_segment_depend_on_no_client_or_tool() {
    let graph = dependency_graph(&src());
    for module in ["params", "segment"] {
        for forbidden in ["client", "tool", "reporting", "policy"] {
            assert!(
                !graph[module].contains(forbidden),
                "`{module}` depends on `{forbidden}`: {:?}",
                graph[module]
            );
        }
    }
}
