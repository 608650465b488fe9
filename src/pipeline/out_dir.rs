//! `--out-dir DIR`: the rendered stream as files, one per input file at the input's path relative to
//! the PATH argument it was found under; what `render --out-dir` writes and `check` compares.
//!
//! Files inside DIR are never inputs (DIR may lie inside an input directory), DIR must not contain
//! an input argument, and standard input has no path to be written to. Files are written
//! atomically: a temporary file in the same directory, renamed over the target.
//!
//! DIR is in the repository, which a pull request controls: a symlink inside it (or DIR itself a
//! symlink, or, for a relative DIR, any directory on the way to it) is an error before anything is
//! read, written or deleted there, so that `render --out-dir --prune` can neither write nor delete
//! files outside DIR, and `check` reads only what is in DIR.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

use crate::pipeline::engine::{
    InputPaths, Options, Renderer, Session, UndecidedSummary, all_sources, name_broken_files,
};
use crate::pipeline::input::{InputError, Source, Walk};

/// One input file and where its rendering goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The input file, as found.
    pub source: PathBuf,
    /// Its path below the output directory.
    pub relative: PathBuf,
}

/// Inputs that cannot be laid out in an output directory.
#[derive(Debug, thiserror::Error)]
pub enum OutDirError {
    /// `-` or no PATH at all.
    #[error(
        "standard input cannot be rendered with --out-dir: pass the files or directories to render as PATH arguments"
    )]
    Stdin,
    /// The output directory is, or contains, an input argument.
    #[error(
        "--out-dir {out_dir} contains the input {input}: choose an output directory outside the inputs (it may lie inside an input directory; its files are then not read as inputs)"
    )]
    ContainsInput {
        /// The output directory.
        out_dir: String,
        /// The input argument.
        input: String,
    },
    /// Two input files with one relative path.
    #[error(
        "{first} and {second} would both be written to {target}: pass a directory that holds both instead, so that their relative paths differ"
    )]
    Collision {
        /// The first input.
        first: String,
        /// The second input.
        second: String,
        /// Where both would go.
        target: String,
    },
    /// A symlink in (or on the way to) the output directory.
    #[error(
        "{path}: a symlink (to {target}) in the output directory: refused: --out-dir never follows a symlink, for writing, deleting or reading, so that a repository cannot make kruise-inject write or delete files elsewhere; replace it with a real directory or file (nothing was written or deleted)"
    )]
    Symlink {
        /// The link.
        path: String,
        /// What it says.
        target: String,
    },
    /// The output directory is a file.
    #[error("--out-dir {0} is not a directory: pass a directory (it is created if missing)")]
    NotADirectory(String),
    /// An input that cannot be read.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The OS refused (the cause follows in the error chain).
    #[error("{path}")]
    Io {
        /// The path.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
}

pub fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> OutDirError + '_ {
    move |source| OutDirError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// `path` made absolute with symlinks resolved, also when (a tail of) it does not exist yet.
fn resolve(path: &Path) -> Result<PathBuf, OutDirError> {
    let absolute = std::path::absolute(path).map_err(io_error(path))?;
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        match fs::canonicalize(existing) {
            Ok(canonical) => {
                let mut out = canonical;
                for part in rest.iter().rev() {
                    out.push(part);
                }
                return Ok(out);
            }
            Err(err) => match (existing.parent(), existing.file_name()) {
                (Some(parent), Some(name)) => {
                    rest.push(name.to_owned());
                    existing = parent;
                }
                _ => return Err(io_error(path)(err)),
            },
        }
    }
}

/// The output directory: resolved, and not a file.
fn resolve_out_dir(out_dir: &Path) -> Result<PathBuf, OutDirError> {
    if out_dir.exists() && !out_dir.is_dir() {
        return Err(OutDirError::NotADirectory(out_dir.display().to_string()));
    }
    resolve(out_dir)
}

/// Where each input file of `paths` goes below `out_dir`, in input order. Files inside `out_dir`
/// are skipped; a file found twice is laid out once. What the walks skip is added to `skipped`.
pub fn plan(
    paths: &[PathBuf],
    out_dir: &Path,
    walk: &Walk,
    skipped: &mut Vec<String>,
) -> Result<Vec<Target>, OutDirError> {
    if paths.is_empty() {
        return Err(OutDirError::Stdin);
    }
    let out = resolve_out_dir(out_dir)?;
    let mut targets = Vec::new();
    let mut taken: BTreeMap<PathBuf, (PathBuf, PathBuf)> = BTreeMap::new();
    for arg in paths {
        if arg.as_os_str() == "-" {
            return Err(OutDirError::Stdin);
        }
        let resolved_arg = resolve(arg)?;
        if resolved_arg.starts_with(&out) {
            return Err(OutDirError::ContainsInput {
                out_dir: out_dir.display().to_string(),
                input: arg.display().to_string(),
            });
        }
        let is_dir = arg.is_dir();
        let expanded = walk.expand(std::slice::from_ref(arg))?;
        skipped.extend(expanded.skip_lines());
        for source in expanded.sources {
            let Source::File(file) = source else {
                return Err(OutDirError::Stdin);
            };
            let canonical = fs::canonicalize(&file).map_err(io_error(&file))?;
            if canonical.starts_with(&out) {
                continue;
            }
            let relative = if is_dir {
                file.strip_prefix(arg)
                    .map(Path::to_path_buf)
                    .unwrap_or_default()
            } else {
                file.file_name().map(PathBuf::from).unwrap_or_default()
            };
            let relative = normal(&relative);
            match taken.get(&relative) {
                Some((seen, _)) if *seen == canonical => continue,
                Some((_, first)) => {
                    return Err(OutDirError::Collision {
                        first: first.display().to_string(),
                        second: file.display().to_string(),
                        target: out_dir.join(&relative).display().to_string(),
                    });
                }
                None => {
                    taken.insert(relative.clone(), (canonical, file.clone()));
                }
            }
            targets.push(Target {
                source: file,
                relative,
            });
        }
    }
    Ok(targets)
}

/// `path` without `.` components.
fn normal(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}

/// Expands context paths (`-s`) as `render` does, without the files inside `out_dir`.
pub fn outside(
    paths: &[PathBuf],
    out_dir: &Path,
    walk: &Walk,
    skipped: &mut Vec<String>,
) -> Result<Vec<Source>, OutDirError> {
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    let out = resolve_out_dir(out_dir)?;
    let mut sources = Vec::new();
    let expanded = walk.expand(paths)?;
    skipped.extend(expanded.skip_lines());
    for source in expanded.sources {
        if let Source::File(file) = &source {
            let canonical = fs::canonicalize(file).map_err(io_error(file))?;
            if canonical.starts_with(&out) {
                continue;
            }
        }
        sources.push(source);
    }
    Ok(sources)
}

/// The files `render --out-dir` would write, with their texts.
#[derive(Debug)]
pub struct Expected {
    /// Each target and its rendered text, in input order.
    pub files: Vec<(Target, String)>,
    /// The report lines (warnings about the context first).
    pub reports: Vec<String>,
    /// The warnings among them.
    pub warnings: Vec<String>,
    /// What could not be decided (its line is printed even with `-q`).
    pub undecided: UndecidedSummary,
}

/// Renders `inputs` with `options` for `out_dir`, in memory. A symlink in `out_dir` is an error
/// before anything is read there.
pub fn render(inputs: &InputPaths, options: Options, out_dir: &Path) -> anyhow::Result<Expected> {
    refuse_links(out_dir)?;
    let walk = &inputs.walk;
    let mut skipped = Vec::new();
    let targets = plan(&inputs.paths, out_dir, walk, &mut skipped)?;
    let context_sources = outside(&inputs.context, out_dir, walk, &mut skipped)?;
    let sources: Vec<Source> = targets
        .iter()
        .map(|t| Source::File(t.source.clone()))
        .collect();
    let Session {
        options,
        cluster,
        mut reader,
        warnings,
    } = Session::new(options, &context_sources, &sources)
        .map_err(|e| name_broken_files(e, &all_sources(&context_sources, &sources)))?;
    let mut renderer = Renderer::new(&cluster, &options);
    skipped.extend(warnings);
    let mut reports = skipped.clone();
    let mut warnings = skipped;
    let mut files = Vec::with_capacity(targets.len());
    let mut undecided = UndecidedSummary::default();
    for (target, source) in targets.into_iter().zip(&sources) {
        let rendered = reader
            .read(source)
            .and_then(|file| Ok(renderer.render_file(&file)?))
            .map_err(|e| name_broken_files(e, &sources))?;
        undecided.add(&rendered.undecided);
        for report in &rendered.reports {
            let line = report.to_string();
            if report.message.starts_with("warning:") {
                warnings.push(line.clone());
            }
            reports.push(line);
        }
        files.push((target, rendered.text));
    }
    Ok(Expected {
        files,
        reports,
        warnings,
        undecided,
    })
}

/// How a file in the output directory compares with what render writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileState {
    /// Byte for byte what render writes.
    Fresh,
    /// Different; its current text (lossily decoded if it is not UTF-8).
    Stale(String),
    /// Not there.
    Missing,
}

/// Compares the file at `path` with `text`. A symlink there is an error, not followed.
pub fn state(path: &Path, text: &str) -> Result<FileState, OutDirError> {
    if let Ok(meta) = fs::symlink_metadata(path)
        && meta.file_type().is_symlink()
    {
        return Err(link_error(path));
    }
    match fs::read(path) {
        Ok(bytes) if bytes == text.as_bytes() => Ok(FileState::Fresh),
        Ok(bytes) => Ok(FileState::Stale(
            String::from_utf8_lossy(&bytes).into_owned(),
        )),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(FileState::Missing),
        Err(err) => Err(io_error(path)(err)),
    }
}

/// The `.yaml`, `.yml` and `.json` files in `out_dir` (not below hidden directories, whatever
/// they hold) that are not targets, as paths below `out_dir`, sorted. Symlinks are not followed: one
/// is an error.
pub fn extras(out_dir: &Path, targets: &[&Target]) -> Result<Vec<PathBuf>, OutDirError> {
    if !fs::symlink_metadata(out_dir).is_ok_and(|m| m.is_dir()) {
        refuse_links(out_dir)?;
        return Ok(Vec::new());
    }
    let expected: std::collections::BTreeSet<&Path> =
        targets.iter().map(|t| t.relative.as_path()).collect();
    let mut extra = Vec::new();
    for file in listing(out_dir)? {
        if let Ok(relative) = file.strip_prefix(out_dir) {
            let relative = normal(relative);
            if !expected.contains(relative.as_path()) {
                extra.push(relative);
            }
        }
    }
    extra.sort();
    Ok(extra)
}

/// Refuses `out_dir` when it holds a symlink anywhere below it (hidden entries included), when it
/// is one, or, given as a relative path, when a directory on the way to it is one.
pub fn refuse_links(out_dir: &Path) -> Result<(), OutDirError> {
    let mut prefix = PathBuf::new();
    for component in out_dir.components() {
        prefix.push(component);
        let on_the_way = out_dir.is_relative() || prefix.as_path() == out_dir;
        if matches!(component, Component::Normal(_))
            && on_the_way
            && fs::symlink_metadata(&prefix).is_ok_and(|m| m.file_type().is_symlink())
        {
            return Err(link_error(&prefix));
        }
    }
    if fs::symlink_metadata(out_dir).is_ok_and(|m| m.is_dir()) {
        listing(out_dir)?;
    }
    Ok(())
}

/// The `.yaml`, `.yml` and `.json` regular files below `out_dir` (not below hidden directories),
/// sorted; any symlink below it (hidden ones too) is an error. Nothing is followed.
fn listing(out_dir: &Path) -> Result<Vec<PathBuf>, OutDirError> {
    let mut files = Vec::new();
    let entries = walkdir::WalkDir::new(out_dir)
        .follow_links(false)
        .sort_by_file_name()
        .min_depth(1);
    for entry in entries {
        let entry = entry.map_err(|err| {
            let path = err.path().unwrap_or(out_dir).to_path_buf();
            let error = err
                .into_io_error()
                .unwrap_or_else(|| std::io::Error::other("cannot list this directory"));
            OutDirError::Io {
                path: path.display().to_string(),
                source: error,
            }
        })?;
        let path = entry.path();
        if entry.path_is_symlink() {
            return Err(link_error(path));
        }
        let below = path.strip_prefix(out_dir).unwrap_or(path);
        let hidden = below
            .components()
            .any(|c| c.as_os_str().to_str().is_some_and(|n| n.starts_with('.')));
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| ["yaml", "yml", "json"].contains(&e));
        if entry.file_type().is_file() && !hidden && extension {
            files.push(path.to_path_buf());
        }
    }
    Ok(files)
}

fn link_error(path: &Path) -> OutDirError {
    OutDirError::Symlink {
        path: path.display().to_string(),
        target: fs::read_link(path).map_or_else(|_| "?".to_owned(), |t| t.display().to_string()),
    }
}

/// Writes `text` to `path` atomically: a temporary file in the same directory (created if
/// missing), then a rename. An existing file keeps its permissions; a new one gets 0644.
pub fn write_atomic(path: &Path, text: &str) -> Result<(), OutDirError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir).map_err(io_error(&dir))?;
    let permissions = fs::metadata(path).ok().map(|m| m.permissions());
    let mut temp = tempfile::Builder::new()
        .prefix(".kruise-inject-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(io_error(&dir))?;
    temp.write_all(text.as_bytes()).map_err(io_error(path))?;
    temp.as_file().sync_all().map_err(io_error(path))?;
    if let Some(permissions) = permissions.or_else(default_permissions) {
        fs::set_permissions(temp.path(), permissions).map_err(io_error(path))?;
    }
    temp.persist(path).map_err(|e| io_error(path)(e.error))?;
    Ok(())
}

/// Permissions of a new file: 0644 on Unix (a temporary file starts at 0600).
#[cfg(unix)]
fn default_permissions() -> Option<fs::Permissions> {
    use std::os::unix::fs::PermissionsExt as _;
    Some(fs::Permissions::from_mode(0o644))
}

/// Permissions of a new file: those the temporary file was created with.
#[cfg(not(unix))]
fn default_permissions() -> Option<fs::Permissions> {
    None
}

/// Removes the directories between `out_dir` and the file `relative` that are now empty.
pub fn remove_empty_parents(out_dir: &Path, relative: &Path) {
    let mut dir = relative.parent();
    while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty()) {
        // Fails (and stops) at the first directory that is not empty.
        if fs::remove_dir(out_dir.join(d)).is_err() {
            break;
        }
        dir = d.parent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(paths: &[PathBuf], out_dir: &Path) -> Result<Vec<Target>, OutDirError> {
        super::plan(paths, out_dir, &Walk::default(), &mut Vec::new())
    }

    fn setup() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        for f in [
            "apps/a.yaml",
            "apps/team/b.yml",
            "apps/out/stale.yaml",
            "other/a.yaml",
        ] {
            let p = dir.path().join(f);
            fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            fs::write(p, "apiVersion: v1\nkind: ConfigMap\n").expect("write");
        }
        dir
    }

    #[test]
    fn targets_are_relative_to_their_argument_and_skip_the_output_directory() {
        let dir = setup();
        let root = dir.path();
        let got = plan(
            &[root.join("apps"), root.join("other/a.yaml")],
            &root.join("apps/out"),
        );
        let got = got.err().map(|e| e.to_string());
        // other/a.yaml and apps/a.yaml both map to a.yaml.
        assert!(got.is_some_and(|e| e.contains("would both be written to")));

        let got = plan(&[root.join("apps")], &root.join("apps/out")).expect("plan");
        let rel: Vec<_> = got.iter().map(|t| t.relative.clone()).collect();
        assert_eq!(rel, [PathBuf::from("a.yaml"), PathBuf::from("team/b.yml")]);

        let got = plan(&[root.join("apps/team/b.yml")], &root.join("new/dir")).expect("plan");
        assert_eq!(got[0].relative, PathBuf::from("b.yml"));
    }

    #[test]
    fn stdin_and_output_directories_holding_inputs_are_refused() {
        let dir = setup();
        let root = dir.path();
        assert!(matches!(plan(&[], root), Err(OutDirError::Stdin)));
        assert!(matches!(
            plan(&[PathBuf::from("-")], root),
            Err(OutDirError::Stdin)
        ));
        assert!(matches!(
            plan(&[root.join("apps/a.yaml")], &root.join("apps")),
            Err(OutDirError::ContainsInput { .. })
        ));
        assert!(matches!(
            plan(&[root.join("apps")], &root.join("apps/a.yaml")),
            Err(OutDirError::NotADirectory(_))
        ));
    }

    #[test]
    fn atomic_writes_replace_and_report_state() {
        let dir = setup();
        let path = dir.path().join("new/sub/x.yaml");
        assert_eq!(state(&path, "a").ok(), Some(FileState::Missing));
        write_atomic(&path, "a: 1\n").expect("write");
        assert_eq!(state(&path, "a: 1\n").ok(), Some(FileState::Fresh));
        assert_eq!(
            state(&path, "a: 2\n").ok(),
            Some(FileState::Stale("a: 1\n".into()))
        );
        write_atomic(&path, "a: 2\n").expect("write");
        assert_eq!(fs::read_to_string(&path).ok().as_deref(), Some("a: 2\n"));
        let leftovers = fs::read_dir(path.parent().expect("parent"))
            .expect("list")
            .count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(&path).expect("stat").permissions().mode();
            assert_eq!(mode & 0o777, 0o644);
        }
    }

    #[test]
    fn extras_are_files_no_target_maps_to() {
        let dir = setup();
        let root = dir.path().join("apps");
        let targets = [Target {
            source: PathBuf::from("x"),
            relative: PathBuf::from("a.yaml"),
        }];
        let refs: Vec<&Target> = targets.iter().collect();
        let got = extras(&root, &refs).expect("extras");
        assert_eq!(
            got,
            [PathBuf::from("out/stale.yaml"), PathBuf::from("team/b.yml")]
        );
    }
}
