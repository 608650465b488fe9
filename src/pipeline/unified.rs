//! Unified diffs of two texts (`@@ -a,b +c,d @@` hunks) whose line numbers are those of the files the
//! texts come from, with optional colour and an optional budget of lines.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use similar::{ChangeTag, TextDiff};

/// The styles of diff output; all plain when colour is off.
#[derive(Debug, Clone, Copy, Default)]
pub struct Palette {
    /// Headings (the resource a diff is about).
    pub heading: Style,
    /// `---` / `+++` file lines.
    pub file: Style,
    /// `@@` hunk headers.
    pub hunk: Style,
    /// Removed lines.
    pub removed: Style,
    /// Added lines.
    pub added: Style,
    /// Remarks such as `... 12 more lines`.
    pub dim: Style,
}

impl Palette {
    /// Colours if `color`, else plain text.
    pub fn new(color: bool) -> Self {
        if !color {
            return Self::default();
        }
        Self {
            heading: Style::new().bold(),
            file: Style::new().bold(),
            hunk: AnsiColor::Cyan.on_default(),
            removed: AnsiColor::Red.on_default(),
            added: AnsiColor::Green.on_default(),
            dim: Style::new().dimmed(),
        }
    }

    /// `text` in `style`.
    pub fn paint(style: Style, text: &str) -> String {
        format!("{style}{text}{style:#}")
    }
}

/// One side of a diff: a text and the file line its first line is.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// The text.
    pub text: &'a str,
    /// 1-based line number of the text's first line in its file.
    pub first_line: usize,
}

impl<'a> Side<'a> {
    /// A text that starts at line 1.
    pub fn whole(text: &'a str) -> Self {
        Self {
            text,
            first_line: 1,
        }
    }
}

/// How to lay a diff out.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// Lines of context around each change.
    pub context: usize,
    /// At most this many lines (hunk headers included); the rest is summarised in one line.
    pub max_lines: Option<usize>,
}

/// The hunks of a unified diff from `old` to `new` (no `---`/`+++` lines), each line ending in
/// `\n`; empty when the texts are equal.
pub fn hunks(old: Side<'_>, new: Side<'_>, layout: Layout, palette: &Palette) -> String {
    let diff = TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .diff_lines(old.text, new.text);
    let mut lines: Vec<String> = Vec::new();
    for group in diff.grouped_ops(layout.context) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let old_range = first.old_range().start..last.old_range().end;
        let new_range = first.new_range().start..last.new_range().end;
        lines.push(Palette::paint(
            palette.hunk,
            &format!(
                "@@ -{} +{} @@",
                range(old_range.start + old.first_line, old_range.len()),
                range(new_range.start + new.first_line, new_range.len())
            ),
        ));
        for op in &group {
            for change in diff.iter_changes(op) {
                let (sign, style) = match change.tag() {
                    ChangeTag::Equal => (' ', Style::new()),
                    ChangeTag::Delete => ('-', palette.removed),
                    ChangeTag::Insert => ('+', palette.added),
                };
                let value = change.value();
                let value = value.strip_suffix('\n').unwrap_or(value);
                lines.push(Palette::paint(style, &format!("{sign}{value}")));
                if change.missing_newline() {
                    lines.push(Palette::paint(palette.dim, "\\ No newline at end of file"));
                }
            }
        }
    }
    let mut out = String::new();
    let total = lines.len();
    let shown = layout.max_lines.map_or(total, |max| total.min(max));
    for line in &lines[..shown] {
        out.push_str(line);
        out.push('\n');
    }
    if shown < total {
        let _ = writeln!(
            out,
            "{}",
            Palette::paint(
                palette.dim,
                &format!("... {} more diff lines", total - shown)
            )
        );
    }
    out
}

/// The 1-based file line of the first line that differs, on the old and the new side (the line
/// after the last one when a side only gains lines at its end).
pub fn first_change(old: Side<'_>, new: Side<'_>) -> Option<(usize, usize)> {
    let diff = TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .diff_lines(old.text, new.text);
    diff.ops()
        .iter()
        .find(|op| op.tag() != similar::DiffTag::Equal)
        .map(|op| {
            (
                op.old_range().start + old.first_line,
                op.new_range().start + new.first_line,
            )
        })
}

/// `start,len` as unified diffs write it (`start-1,0` for an empty range, `start` for one line).
fn range(start: usize, len: usize) -> String {
    match len {
        0 => format!("{},0", start - 1),
        1 => start.to_string(),
        _ => format!("{start},{len}"),
    }
}

/// The 1-based line of byte `offset` in `text`.
pub fn line_of_offset(text: &str, offset: usize) -> usize {
    1 + text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAYOUT: Layout = Layout {
        context: 1,
        max_lines: None,
    };

    #[test]
    fn hunks_use_file_line_numbers() {
        let old = "a\nb\nc\nd\n";
        let new = "a\nb\nx\nc\nd\n";
        let out = hunks(
            Side {
                text: old,
                first_line: 10,
            },
            Side {
                text: new,
                first_line: 20,
            },
            LAYOUT,
            &Palette::new(false),
        );
        assert_eq!(out, "@@ -11,2 +21,3 @@\n b\n+x\n c\n");
        assert_eq!(
            first_change(
                Side {
                    text: old,
                    first_line: 10
                },
                Side {
                    text: new,
                    first_line: 20
                }
            ),
            Some((12, 22))
        );
    }

    #[test]
    fn equal_texts_have_no_hunks() {
        let s = Side::whole("a\nb\n");
        assert_eq!(hunks(s, s, LAYOUT, &Palette::new(false)), "");
        assert_eq!(first_change(s, s), None);
    }

    #[test]
    fn empty_sides_and_missing_newlines_are_marked() {
        let out = hunks(
            Side::whole(""),
            Side::whole("a\nb"),
            LAYOUT,
            &Palette::new(false),
        );
        assert_eq!(
            out,
            "@@ -0,0 +1,2 @@\n+a\n+b\n\\ No newline at end of file\n"
        );
    }

    #[test]
    fn the_budget_cuts_long_diffs() {
        let new: String = (0..10).map(|i| format!("{i}\n")).collect();
        let out = hunks(
            Side::whole(""),
            Side::whole(&new),
            Layout {
                context: 3,
                max_lines: Some(4),
            },
            &Palette::new(false),
        );
        assert_eq!(out, "@@ -0,0 +1,10 @@\n+0\n+1\n+2\n... 7 more diff lines\n");
    }

    #[test]
    fn colour_wraps_each_line() {
        let out = hunks(
            Side::whole("a\n"),
            Side::whole("b\n"),
            LAYOUT,
            &Palette::new(true),
        );
        assert!(out.contains("\u{1b}[31m-a\u{1b}[0m\n"), "{out:?}");
        assert!(out.contains("\u{1b}[32m+b\u{1b}[0m\n"), "{out:?}");
    }

    #[test]
    fn lines_of_offsets() {
        assert_eq!(line_of_offset("a\nb\nc", 0), 1);
        assert_eq!(line_of_offset("a\nb\nc", 2), 2);
        assert_eq!(line_of_offset("a\nb\nc", 99), 3);
    }
}
