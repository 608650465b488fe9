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

/// The YAML writer for a long list: the text of [`yaml`] of `list(items)`, but each item's value
/// built and written in turn, so that the values of all items are never in memory at once (a
/// `rollout -o yaml` of 10,000 pods, issue 14). `list` puts the items in their place (`items:` of a
/// `v1 List`).
pub fn yaml_list<T: Serialize>(
    list: impl Fn(Vec<serde_json::Value>) -> T,
    items: impl Iterator<Item = serde_json::Value>,
) -> String {
    let style = IndentStyle::default();
    let mut items = items.peekable();
    if items.peek().is_none() {
        return yaml(&list(Vec::new()));
    }
    // The list with one item, `0`, in place of the items: its text around `- 0\n` is what comes
    // before and after them.
    let frame = yaml(&list(vec![serde_json::Value::from(0)]));
    let (head, tail) = frame.split_once("\n- 0\n").unwrap_or((&frame, ""));
    let mut out = String::with_capacity(frame.len() + 4096 * items.size_hint().0);
    out.push_str(head);
    out.push('\n');
    for item in items {
        // An item's text does not depend on the items around it, except the end of the text after
        // the last: none of them ends the list (a key follows), none of these ends it.
        let pair = serde_json::Value::Array(vec![item, serde_json::Value::from(0)]);
        let text = emit::block(&pair, 0, &style);
        out.push_str(text.strip_suffix("- 0\n").unwrap_or(&text));
    }
    out.push_str(tail);
    out
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
