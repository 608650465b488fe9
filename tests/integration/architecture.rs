//! The layering of `src/` (docs/architecture.md), checked on the source text: every `crate::…`
//! path a file names points down a layer or within it, and no two modules need each other.
//!
//! Layers, top to bottom: `commands` (one module per subcommand, and `cli`, which assembles
//! them) → `pipeline` (reading, parsing, context, transforming, reporting, writing) → `kruise`
//! (OpenKruise's behaviour, pure). A command never names another command.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const LAYERS: [&str; 3] = ["kruise", "pipeline", "commands"];

/// A module: its path below the crate root (`kruise::rollout::status`, `commands::render`).
type Unit = String;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read src")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module a file holds (`src/kruise/rollout/mod.rs` is `kruise::rollout`), or `None` for the
/// crate root and for test-only files (`tests.rs`, `*_tests.rs`).
fn module_of(src: &Path, file: &Path) -> Option<Vec<String>> {
    let rel = file.strip_prefix(src).ok()?;
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    let last = parts.last()?.clone();
    if last == "tests" || last.ends_with("_tests") {
        return None;
    }
    if last == "mod" {
        parts.pop();
    }
    LAYERS.contains(&parts.first()?.as_str()).then_some(parts)
}

/// The text of a file without its `#[cfg(test)]` part (test modules come last) and comments.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path a text names from the crate root: `crate::a::b`, and `super::…`/`self::…` resolved
/// against `module`, including the ones inside `use crate::{a::b, c}` groups.
fn crate_paths_in(text: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        let Some(pos) = text[i..].find(['c', 's']) else {
            break;
        };
        let start = i + pos;
        i = start + 1;
        if start > 0
            && (bytes[start - 1].is_ascii_alphanumeric()
                || bytes[start - 1] == b'_'
                || bytes[start - 1] == b':')
        {
            continue;
        }
        let rest = &text[start..];
        let (prefix, len) = if rest.starts_with("crate::") {
            (Vec::new(), "crate::".len())
        } else if rest.starts_with("super::") || rest.starts_with("self::") {
            let mut base = module.to_vec();
            let mut j = 0;
            if rest.starts_with("self::") {
                j = "self::".len();
            }
            while rest[j..].starts_with("super::") {
                base.pop();
                j += "super::".len();
            }
            (base, j)
        } else {
            continue;
        };
        i = start + len;
        expand(&text[i..], prefix, &mut out);
    }
    out
}

/// Reads a use tree at the start of `rest` (after `crate::` or a group's `{`), pushing every
/// path it names with `prefix` in front.
fn expand(rest: &str, prefix: Vec<String>, out: &mut Vec<Vec<String>>) -> usize {
    let mut path = prefix;
    let mut j = 0;
    let b = rest.as_bytes();
    loop {
        let ident_end = rest[j..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(rest.len(), |e| j + e);
        if ident_end > j {
            path.push(rest[j..ident_end].to_owned());
            j = ident_end;
        }
        if rest[j..].starts_with("::{") {
            j += 3;
            loop {
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j >= b.len() || b[j] == b'}' {
                    return j + 1;
                }
                j += expand(&rest[j..], path.clone(), out);
                while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b',') {
                    j += 1;
                }
            }
        } else if rest[j..].starts_with("::") {
            j += 2;
        } else {
            out.push(path);
            // Skip an `as alias`.
            return j;
        }
    }
}

/// `crate_paths_in` from the crate root.
fn crate_paths(text: &str) -> Vec<Vec<String>> {
    crate_paths_in(text, &[])
}

fn graph() -> BTreeMap<Unit, BTreeSet<Unit>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: Vec<(PathBuf, Vec<String>)> = files
        .iter()
        .filter_map(|f| Some((f.clone(), module_of(&src, f)?)))
        .collect();
    let known: BTreeSet<Vec<String>> = modules.iter().map(|(_, m)| m.clone()).collect();
    let mut edges: BTreeMap<Unit, BTreeSet<Unit>> = BTreeMap::new();
    for (file, module) in &modules {
        let text = code(&std::fs::read_to_string(file).expect("read source"));
        let from = module.join("::");
        let entry = edges.entry(from.clone()).or_default();
        for path in crate_paths_in(&text, module) {
            // The longest known module the path goes through.
            let Some(to) = (1..=path.len())
                .rev()
                .map(|n| path[..n].to_vec())
                .find(|p| known.contains(p))
            else {
                continue;
            };
            // A module and the modules nested in it are one piece of code.
            let nested = to.starts_with(module) || module.starts_with(&to);
            if !nested {
                entry.insert(to.join("::"));
            }
        }
    }
    edges
}

fn layer(unit: &str) -> usize {
    let name = unit.split("::").next().unwrap_or_default();
    LAYERS.iter().position(|l| *l == name).unwrap_or(usize::MAX)
}

/// The subcommand a module belongs to (`commands::rollout::output` is `rollout`), if any.
fn command(unit: &str) -> Option<&str> {
    unit.strip_prefix("commands::")
        .map(|rest| rest.split("::").next().unwrap_or_default())
        .filter(|c| !SHARED_COMMAND_MODULES.contains(c))
}

/// Modules of the commands layer that every command may use: `cli` assembles the commands;
/// `args` holds the argument groups they share; `help` the examples and exit statuses of each.
const SHARED_COMMAND_MODULES: [&str; 3] = ["cli", "args", "help"];

#[test]
fn dependencies_point_down_the_layers() {
    let mut wrong = Vec::new();
    for (from, tos) in graph() {
        for to in tos {
            let up = layer(&to) > layer(&from);
            let sideways_command = match (command(&from), command(&to)) {
                (Some(a), Some(b)) => a != b,
                _ => false,
            } && !from.starts_with("commands::cli");
            if up || sideways_command {
                wrong.push(format!("{from} -> {to}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports that point up a layer or from one command to another:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_two_modules_need_each_other() {
    let edges = graph();
    // Tarjan's strongly connected components.
    struct State<'g> {
        edges: &'g BTreeMap<Unit, BTreeSet<Unit>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        cycles: Vec<Vec<&'g str>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.edges.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w);
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort_unstable();
                s.cycles.push(component);
            }
        }
    }
    let mut state = State {
        edges: &edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        cycles: Vec::new(),
    };
    for v in edges.keys() {
        if !state.index.contains_key(v.as_str()) {
            visit(&mut state, v);
        }
    }
    assert!(
        state.cycles.is_empty(),
        "modules that import each other (directly or through others): {:?}",
        state.cycles
    );
}

#[test]
fn the_path_reader_sees_grouped_imports() {
    let paths = crate_paths(
        "use crate::kruise::{sidecarset::SidecarSet, selector::{self, LabelSelector}};\nlet x = crate::pipeline::input::read(a);\nmy_crate::no::such",
    );
    let joined: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
    assert_eq!(
        joined,
        [
            "kruise::sidecarset::SidecarSet",
            "kruise::selector::self",
            "kruise::selector::LabelSelector",
            "pipeline::input::read",
        ]
    );
}

#[test]
fn the_graph_sees_the_layers() {
    let edges = graph();
    let has = |from: &str, to: &str| edges.get(from).is_some_and(|t| t.contains(to));
    assert!(has("commands::render", "pipeline::engine"));
    assert!(has("pipeline::engine", "kruise::inject"));
    // `super::` paths are resolved: status names the hot-upgrade pair through `super::hot_upgrade`.
    assert!(has(
        "kruise::rollout::status",
        "kruise::rollout::hot_upgrade"
    ));
    assert!(edges.len() > 60, "{} modules", edges.len());
}

/// The Kruise layer is pure: no files, no terminal, no command line, no YAML text.
#[test]
fn the_kruise_layer_does_no_io() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/kruise");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for file in files {
        let text = code(&std::fs::read_to_string(&file).expect("read source"));
        for needle in [
            "std::fs",
            "std::io",
            "std::env",
            "println!",
            "eprintln!",
            "clap::",
            "kruise_inject_yaml",
        ] {
            if text.contains(needle) {
                wrong.push(format!("{}: {needle}", file.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "I/O in the Kruise layer:\n{}",
        wrong.join("\n")
    );
}
