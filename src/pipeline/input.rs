//! Finding and reading input files: files, directories (walked recursively in sorted order) and stdin.
//!
//! A directory is walked with `walkdir` (sorted by name, so the output bytes never depend on the
//! file system's order), and `--exclude` patterns are gitignore lines matched with the `ignore`
//! crate's matcher against the path below the walked directory. `.gitignore` files are NOT
//! honoured: what is rendered must not depend on which files git happens to ignore (a rendered
//! output directory is often ignored, a local override is often not), and kustomize and kubectl
//! do not honour them either; say `--exclude` for what to leave out.
//!
//! What a walk finds must stay inside the directory it was reached from: a symlink that resolves
//! outside it is an error naming the link and its target, unless `--allow-outside-links` (the
//! counterpart of kustomize's `--load-restrictor LoadRestrictionsNone`). A repository is anyone's
//! pull request, and a link `apps/zz.yaml -> ~/.kube/config` would otherwise copy a token into the
//! rendered output. A PATH named on the command line is trusted as given.
//!
//! Repositories hold more than manifests. A walk skips, and reports: Helm charts (a directory with
//! a `Chart.yaml`: its templates are Go templates, not manifests), kustomize and kpt configuration
//! (`kustomization.yaml`, `kind: Component`, `Kptfile`, kpt function configs, kruise-inject's own
//! function config) and files none of whose documents has an `apiVersion` or a `kind` (Helm
//! values, other tools' config; a document with only one of them is a broken manifest, and stays an
//! error). A file named explicitly is read as given, and is an error if it is not made of
//! Kubernetes objects.

use std::fmt;
use std::fs;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};

/// Where a text comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// Standard input (`-`, or no path at all).
    Stdin,
    /// A file.
    File(PathBuf),
}

/// The file paths among `sources` and then `more`.
pub fn paths<'s>(sources: &'s [Source], more: &'s [Source]) -> impl Iterator<Item = &'s Path> {
    sources.iter().chain(more).filter_map(|s| match s {
        Source::File(path) => Some(path.as_path()),
        Source::Stdin => None,
    })
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Stdin => f.write_str("<stdin>"),
            Source::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// A path that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The OS refused (missing, unreadable, a symlink loop...).
    // Not a `#[source]`: the message already ends with it, and `{:#}` would print it twice.
    #[error("{path}: {error}")]
    Io {
        /// The path, as given or as found while walking.
        path: String,
        /// The OS error.
        error: std::io::Error,
    },
    /// The bytes are not UTF-8 text.
    #[error("{path}: line {line}: not valid UTF-8 text (YAML and JSON must be UTF-8)")]
    NotUtf8 {
        /// The path.
        path: String,
        /// 1-based line of the first invalid byte.
        line: usize,
    },
    /// A FIFO, socket or device found while walking a directory: reading it could block forever.
    #[error(
        "{path}: not a regular file (a FIFO, socket or device); give it as a PATH of its own to read it"
    )]
    NotRegular {
        /// The path.
        path: String,
    },
    /// A directory that (through symlinks) contains itself.
    #[error("{path}: symlink loop: this directory contains itself")]
    SymlinkLoop {
        /// The path.
        path: String,
    },
    /// A symlink found by a walk (or a path of a function config) that resolves outside the
    /// directory it was reached from.
    #[error(
        "{link}: a symlink to {target}, which resolves to {resolved}, outside {root} (the directory it was reached from): refused, so that a repository cannot make kruise-inject read files elsewhere on this machine; remove the link, --exclude it, or pass --allow-outside-links if you trust it"
    )]
    OutsideLink {
        /// The link, as found.
        link: String,
        /// What the link says.
        target: String,
        /// Where it leads, with every link resolved.
        resolved: String,
        /// The directory it must stay inside.
        root: String,
    },
    /// A path of a function config (or plugin parameter) that leads outside the package root.
    #[error(
        "{path}: resolves to {resolved}, outside the package root {root}: paths in the function config must stay inside the package (pass --allow-outside-links if you trust it)"
    )]
    OutsideRoot {
        /// The path, as written in the config.
        path: String,
        /// Where it leads.
        resolved: String,
        /// The package root.
        root: String,
    },
    /// A symlink found by a walk whose target does not exist, with a name that would be read.
    #[error(
        "{link}: a symlink to {target}, which does not exist: fix or remove the link, or --exclude it"
    )]
    DanglingLink {
        /// The link, as found.
        link: String,
        /// What the link says.
        target: String,
    },
    /// An `--exclude` pattern that is not a valid gitignore line.
    #[error("--exclude {pattern:?}: {message}")]
    BadExclude {
        /// The pattern.
        pattern: String,
        /// What is wrong with it.
        message: String,
    },
}

/// Extensions of the files a directory walk picks up.
const EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

/// The file that makes a directory a Helm chart.
const HELM_CHART_FILE: &str = "Chart.yaml";

/// How directories are walked: `--exclude` and `--allow-outside-links`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Walk {
    /// Gitignore lines; a match below a walked directory is left out.
    pub excludes: Vec<String>,
    /// Follow symlinks that resolve outside the directory a walk started from.
    pub allow_outside_links: bool,
}

/// Sources found by expanding paths, and the files a walk left out on purpose.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expanded {
    /// The files (and stdin) to read, in order.
    pub sources: Vec<Source>,
    /// What the walks skipped, and why, in walk order.
    pub skipped: Vec<Skipped>,
}

impl Expanded {
    /// The report lines of the skipped files.
    pub fn skip_lines(&self) -> Vec<String> {
        self.skipped.iter().map(ToString::to_string).collect()
    }
}

/// A file or directory a walk did not read, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The path, as found.
    pub path: PathBuf,
    /// Why.
    pub reason: SkipReason,
}

/// Why a walk skipped a file or directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// A directory with a `Chart.yaml`.
    HelmChart,
    /// Kustomize, kpt or kruise-inject configuration: the first such object's apiVersion and kind.
    Config {
        /// Its apiVersion.
        api_version: String,
        /// Its kind.
        kind: String,
    },
    /// No document has `apiVersion` or `kind` (a document with one of them is a broken manifest,
    /// not skipped).
    NotManifest,
    /// A dangling symlink whose name would not be read anyway.
    DanglingLink {
        /// What the link says.
        target: String,
    },
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: skipped: ", self.path.display())?;
        match &self.reason {
            SkipReason::HelmChart => write!(
                f,
                "a Helm chart (it has a {HELM_CHART_FILE}): its templates are not manifests until Helm renders them; to inject into what it renders, pipe `helm template` into kruise-inject"
            ),
            SkipReason::Config { api_version, kind } => {
                let what = config_tool(api_version).unwrap_or("tool");
                write!(
                    f,
                    "{api_version} {kind} is {what} configuration, not a manifest kubectl applies"
                )
            }
            SkipReason::NotManifest => f.write_str(
                "no document has apiVersion or kind: not a manifest (Helm values, another tool's config...)",
            ),
            SkipReason::DanglingLink { target } => {
                write!(f, "a symlink to {target}, which does not exist")
            }
        }
    }
}

/// The tool whose configuration an apiVersion is, for the API groups a walk skips: kustomize
/// (`kustomize.config.k8s.io` Kustomization and Component; `builtin` plugin configs), kpt
/// (`kpt.dev` Kptfile, `fn.kpt.dev` function configs) and kruise-inject's own function config.
fn config_tool(api_version: &str) -> Option<&'static str> {
    if api_version == "builtin" {
        return Some("kustomize");
    }
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    match group {
        "kustomize.config.k8s.io" => Some("kustomize"),
        "kpt.dev" => Some("kpt"),
        g if g.ends_with(".kpt.dev") => Some("kpt"),
        crate::pipeline::function_config::GROUP => Some("kruise-inject function"),
        _ => None,
    }
}

impl Walk {
    /// A walk with these excludes; an invalid pattern is an error.
    pub fn new(excludes: &[String], allow_outside_links: bool) -> Result<Self, InputError> {
        let walk = Self {
            excludes: excludes.to_vec(),
            allow_outside_links,
        };
        walk.matcher()?;
        Ok(walk)
    }

    /// The matcher of the excludes, on paths relative to the walked directory.
    fn matcher(&self) -> Result<Gitignore, InputError> {
        let mut builder = GitignoreBuilder::new(".");
        for pattern in &self.excludes {
            builder
                .add_line(None, pattern)
                .map_err(|err| InputError::BadExclude {
                    pattern: pattern.clone(),
                    message: err.to_string(),
                })?;
        }
        builder.build().map_err(|err| InputError::BadExclude {
            pattern: self.excludes.join(" "),
            message: err.to_string(),
        })
    }

    /// Expands command-line paths into sources: `-` is stdin, a file is itself (trusted as
    /// given), a directory is every `.yaml`, `.yml` and `.json` file below it (not below hidden
    /// directories, not excluded, not skipped), in sorted path order. No paths at all means stdin.
    pub fn expand(&self, paths: &[PathBuf]) -> Result<Expanded, InputError> {
        if paths.is_empty() {
            return Ok(Expanded {
                sources: vec![Source::Stdin],
                skipped: Vec::new(),
            });
        }
        let matcher = self.matcher()?;
        let mut out = Expanded::default();
        for path in paths {
            if path.as_os_str() == "-" {
                out.sources.push(Source::Stdin);
                continue;
            }
            let meta = fs::metadata(path).map_err(|source| io_error(path, source))?;
            if meta.is_dir() {
                let root = fs::canonicalize(path).map_err(|source| io_error(path, source))?;
                self.walk(path, &root, &matcher, &mut out)?;
            } else {
                out.sources.push(Source::File(path.clone()));
            }
        }
        Ok(out)
    }

    /// Expands paths that a repository wrote (the `sidecarsets` of a function config), relative
    /// to `base`: each must lead inside `root`, and walks stay inside `root` too.
    pub fn expand_within(
        &self,
        base: &Path,
        root: &Path,
        paths: &[PathBuf],
    ) -> Result<Expanded, InputError> {
        let canonical_root = fs::canonicalize(root).map_err(|source| io_error(root, source))?;
        let matcher = self.matcher()?;
        let mut out = Expanded::default();
        for path in paths {
            let full = base.join(path);
            let resolved = fs::canonicalize(&full).map_err(|source| io_error(&full, source))?;
            if !self.allow_outside_links && !resolved.starts_with(&canonical_root) {
                return Err(InputError::OutsideRoot {
                    path: path.display().to_string(),
                    resolved: resolved.display().to_string(),
                    root: canonical_root.display().to_string(),
                });
            }
            if resolved.is_dir() {
                self.walk(&full, &canonical_root, &matcher, &mut out)?;
            } else {
                out.sources.push(Source::File(full));
            }
        }
        Ok(out)
    }

    /// Walks `dir`, whose files must resolve inside `root` (canonical).
    fn walk(
        &self,
        dir: &Path,
        root: &Path,
        matcher: &Gitignore,
        out: &mut Expanded,
    ) -> Result<(), InputError> {
        let mut entries = walkdir::WalkDir::new(dir)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter();
        while let Some(entry) = entries.next() {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    let Some(path) = err.path().map(Path::to_path_buf) else {
                        return Err(walk_error(dir, err));
                    };
                    if err.loop_ancestor().is_some() {
                        return Err(InputError::SymlinkLoop {
                            path: path.display().to_string(),
                        });
                    }
                    let relative = path.strip_prefix(dir).unwrap_or(&path);
                    if err.depth() > 0
                        && (is_hidden(&path) || matcher.matched(relative, false).is_ignore())
                    {
                        continue;
                    }
                    match fs::read_link(&path) {
                        // A link whose target does not exist (or cannot be reached).
                        Ok(target) if !path.exists() => {
                            let target = target.display().to_string();
                            if has_extension(&path) {
                                return Err(InputError::DanglingLink {
                                    link: path.display().to_string(),
                                    target,
                                });
                            }
                            out.skipped.push(Skipped {
                                path,
                                reason: SkipReason::DanglingLink { target },
                            });
                            continue;
                        }
                        _ => return Err(walk_error(&path, err)),
                    }
                }
            };
            let path = entry.path();
            let is_dir = entry.file_type().is_dir();
            if entry.depth() > 0 {
                let relative = path.strip_prefix(dir).unwrap_or(path);
                if is_hidden(path) || matcher.matched(relative, is_dir).is_ignore() {
                    if is_dir {
                        entries.skip_current_dir();
                    }
                    continue;
                }
            }
            if !is_dir && !has_extension(path) {
                // Never read: no need to look where a link leads.
                continue;
            }
            if entry.path_is_symlink() && !self.allow_outside_links {
                let resolved = fs::canonicalize(path).map_err(|source| io_error(path, source))?;
                if !resolved.starts_with(root) {
                    let target = fs::read_link(path)
                        .map_or_else(|_| "?".to_owned(), |t| t.display().to_string());
                    return Err(InputError::OutsideLink {
                        link: path.display().to_string(),
                        target,
                        resolved: resolved.display().to_string(),
                        root: root.display().to_string(),
                    });
                }
            }
            if is_dir {
                if path.join(HELM_CHART_FILE).is_file() {
                    out.skipped.push(Skipped {
                        path: path.to_path_buf(),
                        reason: SkipReason::HelmChart,
                    });
                    entries.skip_current_dir();
                }
                continue;
            }
            if !entry.file_type().is_file() {
                return Err(InputError::NotRegular {
                    path: path.display().to_string(),
                });
            }
            match classify(path)? {
                None => out.sources.push(Source::File(path.to_path_buf())),
                // kustomize reads a kustomization without apiVersion and kind by its name.
                Some(SkipReason::NotManifest) if is_kustomization(path) => {
                    out.skipped.push(Skipped {
                        path: path.to_path_buf(),
                        reason: SkipReason::Config {
                            api_version: "kustomize.config.k8s.io/v1beta1".to_owned(),
                            kind: "Kustomization".to_owned(),
                        },
                    });
                }
                Some(reason) => out.skipped.push(Skipped {
                    path: path.to_path_buf(),
                    reason,
                }),
            }
        }
        Ok(())
    }
}

/// The names kustomize reads a kustomization from (`konfig.RecognizedKustomizationFileNames`).
fn is_kustomization(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n == "kustomization.yaml" || n == "kustomization.yml")
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'))
}

fn walk_error(path: &Path, err: walkdir::Error) -> InputError {
    let path = err.path().unwrap_or(path).to_path_buf();
    let error = err
        .into_io_error()
        .unwrap_or_else(|| std::io::Error::other("cannot walk this directory"));
    io_error(&path, error)
}

fn has_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e))
}

/// What is said on stderr before standard input is read from a terminal: without it, a command
/// given no PATH looks hung.
pub fn waiting_note(what: &str) -> String {
    let end = if cfg!(windows) {
        "Ctrl-Z, Enter"
    } else {
        "Ctrl-D"
    };
    format!("reading {what} from standard input ({end} to end)…")
}

/// Says [`waiting_note`] on stderr when standard input is a terminal (a person is expected to type
/// or paste); never when it is a pipe, a file or `/dev/null`.
pub fn note_if_terminal(what: &str) {
    use std::io::IsTerminal as _;
    if std::io::stdin().is_terminal() {
        eprintln!("{}", waiting_note(what));
    }
}

/// Whether a walked file is skipped, and why (`None`: read it). Decided from the first lines when
/// a document plainly starts with `apiVersion:` and `kind:` keys of a manifest (most files);
/// otherwise by parsing. A file that does not parse, or is not UTF-8, is kept: reading it reports
/// the error with its line.
fn classify(path: &Path) -> Result<Option<SkipReason>, InputError> {
    let file = fs::File::open(path).map_err(|source| io_error(path, source))?;
    let mut reader = std::io::BufReader::new(file);
    let mut bytes = Vec::new();
    let mut scan = QuickScan::default();
    loop {
        let start = bytes.len();
        let n = reader
            .read_until(b'\n', &mut bytes)
            .map_err(|source| io_error(path, source))?;
        if n == 0 {
            break;
        }
        if scan.line(&bytes[start..]) {
            return Ok(None);
        }
    }
    reader
        .read_to_end(&mut bytes)
        .map_err(|source| io_error(path, source))?;
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Ok(None);
    };
    Ok(classify_text(text))
}

/// [`classify`] of a text, by parsing it.
fn classify_text(text: &str) -> Option<SkipReason> {
    use kruise_inject_yaml::{resolve, tree};
    let documents = tree::parse(text).ok()?;
    let mut config = None;
    let mut not_object = false;
    for doc in &documents {
        let Some(root) = &doc.root else { continue };
        let value = resolve::to_value(root, doc).ok()?;
        if value.is_null() {
            continue;
        }
        let field = |key: &str| {
            value
                .get(key)
                .and_then(serde_json::Value::as_str)
                .filter(|s| !s.is_empty())
        };
        let has = |key: &str| value.get(key).is_some();
        match (field("apiVersion"), field("kind")) {
            // A manifest: the file is read.
            (Some(api_version), Some(_)) if config_tool(api_version).is_none() => return None,
            (Some(api_version), Some(kind)) => {
                config.get_or_insert_with(|| SkipReason::Config {
                    api_version: api_version.to_owned(),
                    kind: kind.to_owned(),
                });
            }
            // A manifest missing a field (or with a null one) is a mistake to report, not a file
            // to skip: keep it, so that reading it names the document.
            _ if has("apiVersion") || has("kind") => return None,
            _ => not_object = true,
        }
    }
    // Empty files (no document, or only comments) are kept: they render to nothing, as before.
    config.or(not_object.then_some(SkipReason::NotManifest))
}

/// The quick test of [`classify`]: line by line, is there a document whose root is a block
/// mapping (its first line a plain `key:` at column 0) with `apiVersion:` (of a group that is not
/// skipped) and `kind:` keys at column 0? It only ever says "keep"; a wrong "keep" (a column-0
/// line inside a multi-line scalar) is reported as an error when the file is read.
#[derive(Debug, Default)]
struct QuickScan {
    started: bool,
    mapping: bool,
    api_version: bool,
    kind: bool,
}

impl QuickScan {
    /// Takes one line; true once the file is known to hold a manifest.
    fn line(&mut self, line: &[u8]) -> bool {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line == b"---" || line.starts_with(b"--- ") || line == b"..." {
            *self = Self::default();
            // `--- |` or `--- {...`: the root starts on the marker's line, not as a block mapping.
            let rest = line.get(4..).unwrap_or_default().trim_ascii();
            if !rest.is_empty() && !rest.starts_with(b"#") {
                self.started = true;
            }
            return false;
        }
        let trimmed = line.trim_ascii_start();
        if trimmed.is_empty() || trimmed.starts_with(b"#") || line.starts_with(b"%") {
            return false;
        }
        if !self.started {
            self.started = true;
            self.mapping =
                line.first().is_some_and(u8::is_ascii_alphabetic) && line.contains(&b':');
        }
        if !self.mapping {
            return false;
        }
        let value = |key: &[u8]| {
            line.strip_prefix(key)
                .and_then(|rest| std::str::from_utf8(rest).ok())
                .map(|rest| {
                    let rest = rest.split(" #").next().unwrap_or("").trim();
                    rest.trim_matches(|c| c == '"' || c == '\'')
                })
                .filter(|v| !v.is_empty())
        };
        if let Some(api_version) = value(b"apiVersion:") {
            self.api_version = config_tool(api_version).is_none();
        } else if value(b"kind:").is_some() {
            self.kind = true;
        }
        self.api_version && self.kind
    }
}

/// Reads a source as UTF-8 text.
pub fn read(source: &Source) -> Result<String, InputError> {
    let (bytes, name) = match source {
        Source::Stdin => {
            note_if_terminal("manifests");
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|error| InputError::Io {
                    path: "<stdin>".into(),
                    error,
                })?;
            (bytes, "<stdin>".to_owned())
        }
        Source::File(path) => (
            fs::read(path).map_err(|source| io_error(path, source))?,
            path.display().to_string(),
        ),
    };
    text(bytes, &name)
}

/// Checks that `bytes` are UTF-8, naming the line of the first bad byte otherwise.
pub fn text(bytes: Vec<u8>, name: &str) -> Result<String, InputError> {
    String::from_utf8(bytes).map_err(|err| {
        let valid = err.utf8_error().valid_up_to();
        let line = 1 + err.as_bytes()[..valid]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        InputError::NotUtf8 {
            path: name.to_owned(),
            line,
        }
    })
}

fn io_error(path: &Path, error: std::io::Error) -> InputError {
    InputError::Io {
        path: path.display().to_string(),
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(paths: &[PathBuf]) -> Result<Vec<Source>, InputError> {
        Walk::default().expand(paths).map(|e| e.sources)
    }

    #[test]
    fn no_paths_means_stdin() {
        assert_eq!(expand(&[]).ok(), Some(vec![Source::Stdin]));
        assert_eq!(
            expand(&[PathBuf::from("-")]).ok(),
            Some(vec![Source::Stdin])
        );
    }

    #[test]
    fn directories_are_walked_in_sorted_order_skipping_hidden_and_other_files()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let root = dir.path();
        fs::create_dir_all(root.join("b/c"))?;
        fs::create_dir_all(root.join(".git"))?;
        for f in [
            "b/c/z.yaml",
            "b/a.json",
            "a.yml",
            "README.md",
            ".git/x.yaml",
            "b/.hidden.yaml",
        ] {
            fs::write(
                root.join(f),
                "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\"}",
            )?;
        }
        let got = expand(&[root.to_path_buf()])?;
        let want: Vec<Source> = ["a.yml", "b/a.json", "b/c/z.yaml"]
            .iter()
            .map(|f| Source::File(root.join(f)))
            .collect();
        assert_eq!(got, want);
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_errors() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        fs::create_dir(dir.path().join("d"))?;
        std::os::unix::fs::symlink(dir.path(), dir.path().join("d/up"))?;
        let err = expand(&[dir.path().to_path_buf()]).err();
        assert!(
            matches!(err, Some(InputError::SymlinkLoop { .. })),
            "{err:?}"
        );
        std::os::unix::fs::symlink("self", dir.path().join("self"))?;
        let err = expand(&[dir.path().join("self")]).err();
        assert!(matches!(err, Some(InputError::Io { .. })), "{err:?}");
        Ok(())
    }

    #[test]
    fn what_is_not_a_manifest_is_classified_by_its_documents() {
        let keep = |t: &str| classify_text(t).is_none();
        assert!(keep("apiVersion: v1\nkind: ConfigMap\n"));
        assert!(
            keep("# only a comment\n"),
            "empty files render to nothing, as before"
        );
        assert!(
            keep("a: [\n"),
            "YAML errors are reported when the file is read"
        );
        assert!(
            keep("apiVersion: v1\nmetadata: {}\n"),
            "a broken manifest is an error"
        );
        assert!(keep("kind: Pod\n"));
        assert!(keep(
            "replicas: 1\n---\napiVersion: v1\nkind: ConfigMap\n---\napiVersion: kpt.dev/v1\nkind: Kptfile\n"
        ));
        assert_eq!(
            classify_text("replicaCount: 2\nimage: {tag: x}\n"),
            Some(SkipReason::NotManifest)
        );
        assert_eq!(
            classify_text("{\"extends\": [\"config:recommended\"]}"),
            Some(SkipReason::NotManifest)
        );
        for (api_version, kind) in [
            ("kustomize.config.k8s.io/v1beta1", "Kustomization"),
            ("kustomize.config.k8s.io/v1alpha1", "Component"),
            ("kpt.dev/v1", "Kptfile"),
            ("fn.kpt.dev/v1alpha1", "SetNamespace"),
            ("builtin", "PatchTransformer"),
            ("kruise-inject.dev/v1alpha1", "KruiseInject"),
        ] {
            let text = format!("apiVersion: {api_version}\nkind: {kind}\n---\nfoo: bar\n");
            assert_eq!(
                classify_text(&text),
                Some(SkipReason::Config {
                    api_version: api_version.into(),
                    kind: kind.into()
                })
            );
        }
    }

    #[test]
    fn the_quick_scan_only_ever_says_keep_for_plain_manifests() {
        let scan = |text: &str| {
            let mut quick = QuickScan::default();
            text.split_inclusive('\n')
                .any(|line| quick.line(line.as_bytes()))
        };
        assert!(scan("# c\napiVersion: apps/v1\nkind: Deployment\n"));
        assert!(scan("kind: Deployment\r\napiVersion: \"apps/v1\"\r\n"));
        assert!(scan("foo: 1\n---\napiVersion: v1 # core\nkind: Pod\n"));
        assert!(
            !scan("apiVersion: v1\n---\nkind: Pod\n"),
            "two half documents"
        );
        assert!(!scan(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        ));
        assert!(
            !scan("--- |\napiVersion: v1\nkind: Pod\n"),
            "a block scalar"
        );
        assert!(!scan("{\"apiVersion\": \"v1\", \"kind\": \"Pod\"}"));
        assert!(!scan("apiVersion:\nkind: Pod\n"));
    }

    #[cfg(unix)]
    #[test]
    fn walks_refuse_links_out_of_the_tree_and_skip_what_they_are_told()
    -> Result<(), Box<dyn std::error::Error>> {
        let outside = tempfile::tempdir()?;
        fs::write(
            outside.path().join("config"),
            "apiVersion: v1\nkind: Config\n",
        )?;
        let dir = tempfile::tempdir()?;
        let root = dir.path().join("apps");
        fs::create_dir_all(root.join("sub"))?;
        fs::write(root.join("a.yaml"), "apiVersion: v1\nkind: ConfigMap\n")?;
        std::os::unix::fs::symlink("../a.yaml", root.join("sub/inside.yaml"))?;
        std::os::unix::fs::symlink(outside.path().join("config"), root.join("zz.yaml"))?;
        let err = expand(std::slice::from_ref(&root)).err();
        assert!(
            matches!(&err, Some(InputError::OutsideLink { link, .. }) if link.ends_with("apps/zz.yaml")),
            "{err:?}"
        );
        let walk = Walk::new(&["zz.yaml".into()], false)?;
        let got = walk.expand(std::slice::from_ref(&root))?;
        assert_eq!(
            got.sources,
            [
                Source::File(root.join("a.yaml")),
                Source::File(root.join("sub/inside.yaml"))
            ]
        );
        let walk = Walk::new(&[], true)?;
        assert_eq!(walk.expand(std::slice::from_ref(&root))?.sources.len(), 3);
        // A link out of the tree named explicitly is trusted.
        assert_eq!(
            expand(&[root.join("zz.yaml")])?,
            [Source::File(root.join("zz.yaml"))]
        );
        // Within a package root: the path itself must lead inside.
        let err = Walk::default()
            .expand_within(&root, &root, &[PathBuf::from("..")])
            .err();
        assert!(
            matches!(err, Some(InputError::OutsideRoot { .. })),
            "{err:?}"
        );
        Ok(())
    }

    #[test]
    fn helm_charts_are_skipped_as_a_whole() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let chart = dir.path().join("charts/web");
        fs::create_dir_all(chart.join("templates"))?;
        fs::write(chart.join("Chart.yaml"), "apiVersion: v2\nname: web\n")?;
        fs::write(
            chart.join("templates/d.yaml"),
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n",
        )?;
        let got = Walk::default().expand(&[dir.path().to_path_buf()])?;
        assert_eq!(got.sources, []);
        assert_eq!(
            got.skipped,
            [Skipped {
                path: chart.clone(),
                reason: SkipReason::HelmChart
            }]
        );
        Ok(())
    }

    #[test]
    fn missing_files_and_invalid_utf8_name_the_path() {
        let err = expand(&[PathBuf::from("/nonexistent/x.yaml")]).err();
        assert!(err.is_some_and(|e| e.to_string().starts_with("/nonexistent/x.yaml: ")));
        let err = text(b"a: 1\nb: \xff\n".to_vec(), "f.yaml").err();
        assert_eq!(
            err.map(|e| e.to_string()).as_deref(),
            Some("f.yaml: line 2: not valid UTF-8 text (YAML and JSON must be UTF-8)")
        );
    }
}
