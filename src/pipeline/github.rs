//! GitHub Actions annotations: `::error file=F,line=L,title=T::message` workflow commands, which a
//! pull request shows at the line of the file. Every annotation kruise-inject prints is an
//! [`Annotation`] written by [`annotations`]; the job summary is appended by
//! [`append_step_summary`].

use std::fmt;
use std::path::{Component, Path, PathBuf};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// `::notice`: information (what a change does).
    Notice,
    /// `::warning`: something a reviewer should look at.
    Warning,
    /// `::error`: something to fix.
    Error,
}

/// One annotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// The level.
    pub level: Level,
    /// The file, relative to the repository root (as given on the command line); `None` for
    /// standard input.
    pub file: Option<String>,
    /// The 1-based line.
    pub line: usize,
    /// A short title.
    pub title: String,
    /// The message; may span lines.
    pub message: String,
}

impl Annotation {
    /// An annotation at `file:line`; `<stdin>` is no file.
    pub fn new(
        level: Level,
        file: &str,
        line: usize,
        title: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            level,
            file: Some(file.to_owned()).filter(|f| f != "<stdin>"),
            line: line.max(1),
            title: title.into(),
            message: message.into(),
        }
    }
}

impl Annotation {
    /// This annotation with its file made relative to the workspace; a file outside it (or that
    /// cannot be placed) loses its `file=`/`line=` properties, and its message names it instead,
    /// since GitHub cannot show an annotation at a file outside the repository.
    pub fn in_workspace(mut self, workspace: &Workspace) -> Self {
        if let Some(file) = self.file.take() {
            match workspace.relative(&file) {
                Some(relative) => self.file = Some(relative),
                None => self.message = format!("{file}:{}: {}", self.line, self.message),
            }
        }
        self
    }
}

/// The one writer of annotations: one workflow command a line, each made relative to the
/// [`Workspace`] of this process's environment ([`Annotation::in_workspace`]); empty for none.
pub fn annotations(annotations: impl IntoIterator<Item = Annotation>) -> String {
    let mut annotations = annotations.into_iter().peekable();
    if annotations.peek().is_none() {
        return String::new();
    }
    let workspace = Workspace::from_env();
    annotations
        .map(|a| format!("{}\n", a.in_workspace(&workspace)))
        .collect()
}

/// The directory annotation paths are relative to: `GITHUB_WORKSPACE` (the repository checkout
/// of a GitHub Actions job), else the working directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    root: PathBuf,
    cwd: PathBuf,
}

impl Workspace {
    /// The workspace of this process's environment.
    pub fn from_env() -> Self {
        let cwd = std::env::current_dir().unwrap_or_default();
        let root = std::env::var_os("GITHUB_WORKSPACE")
            .filter(|w| !w.is_empty())
            .map_or_else(|| cwd.clone(), PathBuf::from);
        Self::new(root, cwd)
    }

    /// A workspace at `root`; relative file names are relative to `cwd`.
    pub fn new(root: PathBuf, cwd: PathBuf) -> Self {
        let root = absolute(&root, &cwd);
        Self { root, cwd }
    }

    /// `file` relative to the workspace root, with `/` separators; `None` when it is outside.
    pub fn relative(&self, file: &str) -> Option<String> {
        let path = absolute(Path::new(file), &self.cwd);
        let relative = path.strip_prefix(&self.root).ok()?;
        let parts: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        (!parts.is_empty()).then(|| parts.join("/"))
    }
}

/// `path` made absolute against `cwd`, `.` and `..` resolved, symbolic links resolved where the
/// path exists (so that `/tmp` and its target compare equal).
fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    if let Ok(real) = std::fs::canonicalize(&joined) {
        return real;
    }
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    // the longest existing ancestor, resolved, with the rest appended
    let mut existing = out.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(name) => rest.push(name.to_owned()),
            None => return out,
        }
        if !existing.pop() {
            return out;
        }
    }
    let mut real = std::fs::canonicalize(&existing).unwrap_or(existing);
    for name in rest.iter().rev() {
        real.push(name);
    }
    real
}

/// Appends `markdown` to the file named by `GITHUB_STEP_SUMMARY` (the job summary of a GitHub
/// Actions step), when that variable is set; a failure to write is reported on stderr.
pub fn append_step_summary(markdown: &str) {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return;
    };
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| std::io::Write::write_all(&mut file, markdown.as_bytes()));
    if let Err(err) = written {
        eprintln!(
            "warning: cannot write the job summary to GITHUB_STEP_SUMMARY={}: {err}",
            Path::new(&path).display()
        );
    }
}

/// A Markdown table cell: `|` escaped, on one line.
pub fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

impl fmt::Display for Annotation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let command = match self.level {
            Level::Notice => "notice",
            Level::Warning => "warning",
            Level::Error => "error",
        };
        write!(f, "::{command} ")?;
        if let Some(file) = &self.file {
            write!(f, "file={},line={},", property(file), self.line)?;
        }
        write!(
            f,
            "title={}::{}",
            property(&self.title),
            data(&self.message)
        )
    }
}

/// Escapes the message of a workflow command.
pub fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command.
pub fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_escape_properties_and_data() {
        let a = Annotation::new(
            Level::Error,
            "out/a,b.yaml",
            0,
            "kruise-inject: stale",
            "50% done\nnext",
        );
        assert_eq!(
            a.to_string(),
            "::error file=out/a%2Cb.yaml,line=1,title=kruise-inject%3A stale::50%25 done%0Anext"
        );
    }

    #[test]
    fn workspace_paths_are_relative_and_never_outside() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join("apps")).expect("create");
        let ws = Workspace::new(root.clone(), root.join("apps"));
        assert_eq!(ws.relative("nginx.yaml"), Some("apps/nginx.yaml".into()));
        assert_eq!(
            ws.relative("./x/../nginx.yaml"),
            Some("apps/nginx.yaml".into())
        );
        assert_eq!(
            ws.relative(&root.join("platform/a.yaml").display().to_string()),
            Some("platform/a.yaml".into())
        );
        assert_eq!(ws.relative("../../elsewhere.yaml"), None);
        assert_eq!(ws.relative("/tmp/base/platform/a.yaml"), None);
        let a = Annotation::new(Level::Warning, "/tmp/base/a.yaml", 4, "t", "m").in_workspace(&ws);
        assert_eq!(a.to_string(), "::warning title=t::/tmp/base/a.yaml:4: m");
    }

    #[test]
    fn annotations_are_one_a_line_and_none_is_nothing() {
        assert_eq!(annotations(Vec::new()), "");
        let a = Annotation::new(Level::Notice, "<stdin>", 3, "t", "m");
        let b = Annotation::new(Level::Error, "<stdin>", 1, "u", "n\nx");
        assert_eq!(
            annotations([a, b]),
            "::notice title=t::m\n::error title=u::n%0Ax\n"
        );
    }

    #[test]
    fn stdin_has_no_file() {
        let a = Annotation::new(Level::Notice, "<stdin>", 3, "t", "m");
        assert_eq!(a.to_string(), "::notice title=t::m");
    }
}
