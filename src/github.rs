//! GitHub Actions annotations: `::error file=F,line=L,title=T::message` workflow commands, which a
//! pull request shows at the line of the file.

use std::fmt;

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
    fn stdin_has_no_file() {
        let a = Annotation::new(Level::Notice, "<stdin>", 3, "t", "m");
        assert_eq!(a.to_string(), "::notice title=t::m");
    }
}
