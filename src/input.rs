//! Finding and reading input files: files, directories (walked recursively in sorted order) and stdin.

use std::fmt;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

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
}

/// Extensions of the files a directory walk picks up.
const EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

/// Expands command-line paths into sources: `-` is stdin, a file is itself, a directory is every
/// `.yaml`, `.yml` and `.json` file below it (not below hidden directories), in sorted path order.
/// No paths at all means stdin.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<Source>, InputError> {
    if paths.is_empty() {
        return Ok(vec![Source::Stdin]);
    }
    let mut sources = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            sources.push(Source::Stdin);
            continue;
        }
        let meta = fs::metadata(path).map_err(|source| io_error(path, source))?;
        if meta.is_dir() {
            let mut ancestors = Vec::new();
            walk(path, &mut ancestors, &mut sources)?;
        } else {
            sources.push(Source::File(path.clone()));
        }
    }
    Ok(sources)
}

fn walk(dir: &Path, ancestors: &mut Vec<PathBuf>, out: &mut Vec<Source>) -> Result<(), InputError> {
    let canonical = fs::canonicalize(dir).map_err(|source| io_error(dir, source))?;
    if ancestors.contains(&canonical) {
        return Err(InputError::SymlinkLoop {
            path: dir.display().to_string(),
        });
    }
    ancestors.push(canonical);
    let mut entries = fs::read_dir(dir)
        .map_err(|source| io_error(dir, source))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|source| io_error(dir, source))?;
    entries.sort();
    for path in entries {
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        let meta = fs::metadata(&path).map_err(|source| io_error(&path, source))?;
        if meta.is_dir() {
            walk(&path, ancestors, out)?;
        } else if !meta.is_file() {
            // only if it has one of the extensions: other entries are never read
            if has_extension(&path) {
                return Err(InputError::NotRegular {
                    path: path.display().to_string(),
                });
            }
        } else if has_extension(&path) {
            out.push(Source::File(path));
        }
    }
    ancestors.pop();
    Ok(())
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
            fs::write(root.join(f), "{}")?;
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
