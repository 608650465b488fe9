//! The documents in `docs/` stay true to the code: every repository path that
//! `docs/architecture.md` and `docs/kruise-map.md` name exists, every test the Kruise map says pins
//! a behaviour exists, and comments cite the upstream Kruise function or file they mirror, not
//! section numbers of a document outside the repository.

use std::path::{Path, PathBuf};

use crate::test::repo;

/// The documents checked for paths.
const DOCS: [&str; 2] = ["docs/architecture.md", "docs/kruise-map.md"];

/// Top-level folders of the repository a document may name a path under.
const ROOTS: [&str; 8] = [
    "src/",
    "crates/",
    "tests/",
    "testdata/",
    "bench/",
    "docs/",
    "examples/",
    "fuzz/",
];

/// The section sign, written as an escape so that this file does not contain one.
const SECTION_SIGN: char = '\u{a7}';

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Files under `dir` (recursively, sorted) whose name ends with one of `extensions`, skipping
/// build output.
fn files(dir: &Path, extensions: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                files(&path, extensions, out);
            }
        } else if extensions.iter().any(|ext| name.ends_with(ext)) {
            out.push(path);
        }
    }
}

/// The targets of the Markdown links of `text` (`[text](target)`) that are repository paths: not
/// URLs, not anchors, without their `#fragment`.
fn link_targets(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("](") {
        rest = &rest[at + 2..];
        let Some(end) = rest.find(')') else { break };
        let target = rest[..end].split('#').next().unwrap_or_default();
        if !target.is_empty() && !target.contains("://") && !target.starts_with("mailto:") {
            out.push(target.to_owned());
        }
        rest = &rest[end..];
    }
    out
}

/// Repository paths written out in `text` (`src/kruise/rollout/flip.rs`, in code spans or plain),
/// up to the first character that cannot be part of a path (`src/commands/<name>.rs` names the
/// folder `src/commands/`). Paths inside link targets (`../src/…`) are left to [`link_targets`].
fn written_paths(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let part = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b'-');
    let mut out = Vec::new();
    for root in ROOTS {
        let mut from = 0;
        while let Some(at) = text[from..].find(root) {
            let start = from + at;
            from = start + root.len();
            if start > 0 && part(bytes[start - 1]) {
                continue;
            }
            let end = text[start..]
                .bytes()
                .position(|b| !part(b))
                .map_or(text.len(), |n| start + n);
            let path = text[start..end].trim_end_matches(['.', ',']);
            out.push(path.to_owned());
        }
    }
    out
}

#[test]
fn paths_named_in_the_docs_exist() {
    let mut missing = Vec::new();
    for doc in DOCS {
        let text = read(&repo(doc));
        let dir = repo(doc)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        for target in link_targets(&text) {
            if !dir.join(&target).exists() {
                missing.push(format!("{doc}: link to {target}"));
            }
        }
        for path in written_paths(&text) {
            if !repo(&path).exists() {
                missing.push(format!("{doc}: {path}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "paths the docs name that do not exist (a module moved or was renamed: update the docs):\n{}",
        missing.join("\n")
    );
}

#[test]
fn tests_named_in_the_kruise_map_exist() {
    let mut sources = Vec::new();
    for dir in ["src", "crates", "tests"] {
        files(&repo(dir), &[".rs"], &mut sources);
    }
    let code: String = sources.iter().map(|p| read(p)).collect();
    let text = read(&repo("docs/kruise-map.md"));
    let mut named = 0;
    let mut missing = Vec::new();
    // The last column of every table row ("Pinned by") names test functions in code spans.
    for row in text
        .lines()
        .filter(|l| l.starts_with("| ") && l.ends_with(" |"))
    {
        let pinned = row
            .trim_end_matches(" |")
            .rsplit(" | ")
            .next()
            .unwrap_or_default();
        for (i, span) in pinned.split('`').enumerate() {
            let is_name = i % 2 == 1
                && span.starts_with(|c: char| c.is_ascii_lowercase())
                && span
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !is_name {
                continue;
            }
            named += 1;
            if !code.contains(&format!("fn {span}(")) {
                missing.push(span.to_owned());
            }
        }
    }
    assert!(named > 200, "only {named} test names found in the map");
    assert!(
        missing.is_empty(),
        "tests docs/kruise-map.md names that do not exist (renamed? update the map): {missing:?}"
    );
}

#[test]
fn comments_cite_upstream_names_not_section_numbers() {
    let mut checked = Vec::new();
    for dir in ["src", "crates", "tests", "fuzz"] {
        files(&repo(dir), &[".rs"], &mut checked);
    }
    files(&repo("docs"), &[".md"], &mut checked);
    checked.push(repo("README.md"));
    let mut found = Vec::new();
    for path in &checked {
        for (n, line) in read(path).lines().enumerate() {
            if line.contains(SECTION_SIGN) {
                let shown = path.strip_prefix(repo("")).unwrap_or(path).display();
                found.push(format!("{shown}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "section numbers of a document outside the repository; cite the upstream Kruise function \
         and file instead (e.g. `applyResourcesPolicy` (pkg/webhook/pod/mutating/sidecarset_resources.go)), \
         or docs/kruise-map.md:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_path_readers_see_links_and_written_paths() {
    let text = "See [flip](../src/kruise/rollout/flip.rs#L3), [site](https://x.io/a) and \
                `src/commands/<name>.rs`, crates/yaml, pkg/util/pods.go and tests/x.rs.";
    assert_eq!(link_targets(text), ["../src/kruise/rollout/flip.rs"]);
    assert_eq!(
        written_paths(text),
        ["src/commands/", "crates/yaml", "tests/x.rs"]
    );
}
