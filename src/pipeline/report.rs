//! How commands report: one writer per output format, and the words for counted things.
//!
//! - text for people: each command writes its own, counting with [`count`], [`count_as`] and
//!   [`choose`];
//! - `github`: the text, then GitHub Actions annotations
//!   ([`github::Annotation`], written by [`github::annotations`] only);
//! - `json`: a typed contract deriving `serde::Serialize` (one documented type per command:
//!   `diff`, `check`, `rollout`, ...), pretty-printed by [`json`] only;
//! - `yaml`: the same kind of type as block YAML, by [`yaml`] only.
//!
//! [`Report`] puts the three formats of `diff` and `check` (`-o text|github|json`) behind one
//! writer.

use std::io::{self, Write};

use kruise_inject_yaml::emit::{self, IndentStyle};
use serde::Serialize;

use crate::pipeline::github::{self, Annotation};

/// The format of a [`Report`] (`-o text|github|json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The text for people.
    Text,
    /// The text, then the annotations.
    Github,
    /// The JSON contract instead of the text.
    Json,
}

/// What a command found, in every format it prints.
#[derive(Debug, Clone)]
pub struct Report<J> {
    /// The text for people (`-o text`, and before the annotations with `-o github`).
    pub text: String,
    /// The annotations of `-o github`, paths as given on the command line.
    pub annotations: Vec<Annotation>,
    /// The JSON contract of `-o json`.
    pub json: J,
}

impl<J: Serialize> Report<J> {
    /// Writes the report in `format` to standard output ([`crate::pipeline::spool::to_stdout`]:
    /// a closed pipe ends it quietly).
    pub fn print(self, format: Format) -> io::Result<()> {
        crate::pipeline::spool::to_stdout(|stdout| self.write(stdout, format))
    }

    /// Writes the report in `format` to `out`: the text; the text and then the annotations made
    /// relative to the [`github::Workspace`]; or the JSON contract.
    pub fn write(self, out: &mut impl Write, format: Format) -> io::Result<()> {
        match format {
            Format::Text => out.write_all(self.text.as_bytes()),
            Format::Github => {
                out.write_all(self.text.as_bytes())?;
                out.write_all(github::annotations(self.annotations).as_bytes())
            }
            Format::Json => out.write_all(json(&self.json).as_bytes()),
        }
    }
}

/// The JSON writer: `value` pretty-printed (two-space indent, fields in declaration order), with a
/// final newline.
pub fn json<T: Serialize + ?Sized>(value: &T) -> String {
    // A derived `Serialize` with string keys cannot fail to serialize.
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// The YAML writer: `value` as a block YAML document (fields in declaration order), as `render`
/// writes YAML.
pub fn yaml<T: Serialize + ?Sized>(value: &T) -> String {
    // A derived `Serialize` with string keys cannot fail to convert.
    let value = serde_json::to_value(value).unwrap_or_default();
    emit::block(&value, 0, &IndentStyle::default())
}

/// `1 file`, `2 files`, `0 files`: `n` and `noun`, which takes an `s` in the plural.
pub fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// `1 pod or workload`, `2 pods and workloads`: `n` and the singular `one` or the plural `many`.
pub fn count_as(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", choose(n, one, many))
}

/// `one` when `n` is 1, else `many` (`choose(n, "namespace", "namespaces")`).
pub fn choose<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::github::Level;

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Contract {
        up_to_date: bool,
        line: Option<usize>,
        files: Vec<&'static str>,
    }

    fn report() -> Report<Contract> {
        Report {
            text: "text\n".to_owned(),
            annotations: vec![Annotation::new(Level::Notice, "<stdin>", 1, "t", "m")],
            json: Contract {
                up_to_date: false,
                line: None,
                files: Vec::new(),
            },
        }
    }

    fn written(format: Format) -> String {
        let mut out = Vec::new();
        report().write(&mut out, format).expect("write");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn one_writer_per_format() {
        assert_eq!(written(Format::Text), "text\n");
        assert_eq!(written(Format::Github), "text\n::notice title=t::m\n");
        assert_eq!(
            written(Format::Json),
            "{\n  \"upToDate\": false,\n  \"line\": null,\n  \"files\": []\n}\n"
        );
    }

    #[test]
    fn yaml_keeps_the_field_order() {
        #[derive(Serialize)]
        struct List {
            b: u8,
            a: &'static str,
        }
        assert_eq!(yaml(&List { b: 1, a: "x" }), "b: 1\na: x\n");
    }

    #[test]
    fn counts() {
        assert_eq!(count(0, "file"), "0 files");
        assert_eq!(count(1, "file"), "1 file");
        assert_eq!(count(2, "workload"), "2 workloads");
        assert_eq!(
            count_as(1, "pod or workload", "pods and workloads"),
            "1 pod or workload"
        );
        assert_eq!(
            count_as(3, "pod or workload", "pods and workloads"),
            "3 pods and workloads"
        );
        assert_eq!(choose(2, "namespace", "namespaces"), "namespaces");
    }
}
