//! YAML text for new values.
//!
//! Strings are written so that every YAML 1.1 reader (go-yaml v2, kubectl, PyYAML) and every
//! YAML 1.2 reader reads them back as the same string: plain when nothing could read them as
//! anything else, else single-quoted, else double-quoted with escapes. Block output uses the
//! indentation of the document it goes into ([`IndentStyle`], [`detect_style`]).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::tree::{Document, Node, NodeKind, line_start};

/// How a document indents nested collections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndentStyle {
    /// Spaces a nested mapping is indented under its key (e.g. 2).
    pub map: usize,
    /// Spaces a sequence's `-` is indented under its key: 0 for kubectl's compact style
    /// (`key:\n- a`), 2 for the indented style (`key:\n  - a`).
    pub seq: usize,
}

impl Default for IndentStyle {
    fn default() -> Self {
        IndentStyle { map: 2, seq: 0 }
    }
}

/// A char that may appear unescaped in any quoting style (tab and line breaks excluded; the
/// YAML 1.1 line separators U+2028/U+2029 and the BOM as well).
pub(crate) fn is_printable(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
        && !matches!(c, '\u{FEFF}' | '\u{2028}' | '\u{2029}')
}

/// Plain words some YAML 1.1 or 1.2 reader gives another meaning (compared ignoring case).
const SPECIAL_WORDS: &[&str] = &[
    "y", "n", "yes", "no", "true", "false", "on", "off", "null", "~", "=", "<<",
];

/// Whether a plain `s` could be read as a number, a timestamp, an infinity or NaN by some
/// YAML 1.1 or 1.2 reader (conservative: version strings like `1.2.3` count too).
fn looks_numeric(s: &str) -> bool {
    let t = s.strip_prefix(['+', '-']).unwrap_or(s);
    if t.eq_ignore_ascii_case(".inf") || t.eq_ignore_ascii_case(".nan") {
        return true;
    }
    let b = t.as_bytes();
    let starts_numeric = match b {
        [d, ..] if d.is_ascii_digit() => true,
        [b'.', d, ..] if d.is_ascii_digit() => true,
        _ => false,
    };
    if !starts_numeric {
        return false;
    }
    // YYYY-M-D... timestamps (also with a space before the time part)
    if b.len() >= 8
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5].is_ascii_digit()
    {
        return true;
    }
    // ints (any base), floats, exponents, sexagesimal (1:20) of YAML 1.1 and 1.2
    b.iter()
        .all(|c| c.is_ascii_hexdigit() || b"_xXoO.:+-".contains(c))
}

/// The common cases, decided from bytes alone (`None`: not one of them), exactly as
/// [`plain_ok_checked`] decides them:
/// - a word that starts with a letter or `/` and holds only letters, digits and `-_./:=` (not
///   ending in `:`), such as names, images, paths: plain unless one of [`SPECIAL_WORDS`], as no
///   number, timestamp or other non-string starts with a letter or `/`;
/// - `-` or `--` then such a word, such as command-line flags (`--log-level=info`): plain;
/// - digits and letters only, starting with a digit and holding a letter that no number or
///   timestamp can hold (`50m`, `64Mi`): plain.
pub(crate) fn simple_word(s: &str) -> Option<bool> {
    let word = |w: &[u8]| {
        w.first()
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'/')
            && w.iter()
                .all(|c| c.is_ascii_alphanumeric() || b"-_./:=".contains(c))
            && w.last() != Some(&b':')
    };
    let b = s.as_bytes();
    if word(b) {
        return Some(s.len() > 5 || !SPECIAL_WORDS.iter().any(|w| w.eq_ignore_ascii_case(s)));
    }
    let flag = b.strip_prefix(b"--").or_else(|| b.strip_prefix(b"-"));
    if flag.is_some_and(word) {
        return Some(true);
    }
    let unit = b.first().is_some_and(u8::is_ascii_digit)
        && b.iter().all(u8::is_ascii_alphanumeric)
        && b.iter()
            .any(|c| c.is_ascii_alphabetic() && !b"abcdefABCDEFxXoOtTzZ".contains(c));
    unit.then_some(true)
}

/// Whether `s` may be written plain, by every check.
pub(crate) fn plain_ok_checked(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    // `-` starts a plain scalar when a non-space follows (`-c`, `-Xmx1g`), as go-yaml writes it.
    let dash_ok =
        first == '-' && s.len() > 1 && !s[1..].starts_with([' ', '\t']) && !s.starts_with("---");
    if ("-?:,[]{}#&*!|>'\"%@`".contains(first) && !dash_ok) || first == ' ' || s.ends_with(' ') {
        return false;
    }
    if !s.chars().all(is_printable) {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    if s.starts_with("...")
        || SPECIAL_WORDS.iter().any(|w| w.eq_ignore_ascii_case(s))
        || looks_numeric(s)
    {
        return false;
    }
    // belt and braces: what go-yaml v2 would make of it
    crate::resolve::resolve_plain(s) == crate::resolve::Resolved::Str
}

/// A string scalar that every YAML 1.1 and 1.2 reader reads back as exactly `s`, for block
/// context: plain when safe; else double-quoted, as kubectl writes (`"true"`, `"0644"`); else, when
/// the string holds `"` or `\\` (JSON annotation values), single-quoted with `'` doubled; else
/// double-quoted with escapes.
pub fn scalar(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_scalar(&mut out, s);
    out
}

/// [`scalar`], appended to `out`. Long strings (JSON annotation values) are scanned once for what
/// decides the style.
fn push_scalar(out: &mut String, s: &str) {
    match simple_word(s) {
        Some(true) => return out.push_str(s),
        Some(false) => {
            out.push('"');
            out.push_str(s);
            out.push('"');
            return;
        }
        None => {}
    }
    let printable = if s.is_ascii() {
        s.bytes().all(|b| (0x20..=0x7e).contains(&b))
    } else {
        s.chars().all(is_printable)
    };
    if printable && plain_ok_checked(s) {
        out.push_str(s);
    } else if printable && !s.contains(['"', '\\']) {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else if printable {
        out.push('\'');
        if s.contains('\'') {
            out.push_str(&s.replace('\'', "''"));
        } else {
            out.push_str(s);
        }
        out.push('\'');
    } else {
        out.push_str(&json_string(s));
    }
}

/// A double-quoted string valid as both JSON and YAML: `"` and `\` escaped, control chars,
/// C1 controls, DEL, U+2028/U+2029, BOM and non-characters as `\uXXXX` (or `\n`, `\t`, ...).
pub(crate) fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if is_printable(c) => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
    out
}

/// JSON text of `value` (valid YAML flow style), with `, ` and `: ` separators.
pub fn flow(value: &Value) -> String {
    let mut out = String::new();
    write_flow(&mut out, value);
    out
}

fn write_flow(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => out.push_str(&json_string(s)),
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_flow(out, v);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&json_string(k));
                out.push_str(": ");
                write_flow(out, v);
            }
            out.push('}');
        }
    }
}

/// Multi-line JSON: nested lines start with `base` plus one `unit` per level; the first line is
/// not indented and there is no final line break.
pub(crate) fn pretty_json(value: &Value, base: &str, unit: &str) -> String {
    let mut out = String::new();
    write_pretty(&mut out, value, base, unit);
    out
}

fn write_pretty(out: &mut String, value: &Value, base: &str, unit: &str) {
    let inner = format!("{base}{unit}");
    match value {
        Value::Array(items) if !items.is_empty() => {
            out.push_str("[\n");
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n");
                }
                out.push_str(&inner);
                write_pretty(out, v, &inner, unit);
            }
            out.push('\n');
            out.push_str(base);
            out.push(']');
        }
        Value::Object(map) if !map.is_empty() => {
            out.push_str("{\n");
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n");
                }
                out.push_str(&inner);
                out.push_str(&json_string(k));
                out.push_str(": ");
                write_pretty(out, v, &inner, unit);
            }
            out.push('\n');
            out.push_str(base);
            out.push('}');
        }
        _ => write_flow(out, value),
    }
}

/// Whether a string can be a literal block scalar (`|`) that reads back exactly.
fn literal_ok(s: &str) -> bool {
    if !s.contains('\n') || !s.chars().all(|c| c == '\n' || c == '\t' || is_printable(c)) {
        return false;
    }
    let body = s.trim_end_matches('\n');
    body.rsplit('\n')
        .next()
        .is_some_and(|last| last.chars().any(|c| c != ' ' && c != '\t'))
}

/// Block-style YAML of `value` (a mapping or sequence) whose lines all start at column `indent`;
/// every line ends with `\n`. Multi-line strings become literal block scalars (`|`, `|-`, `|+`,
/// with an indentation indicator when their first line starts with a space); empty collections
/// are written `{}` / `[]`; numbers, booleans and null plain. A scalar `value` gives one line.
pub fn block(value: &Value, indent: usize, style: &IndentStyle) -> String {
    block_with(value, indent, style, true, true)
}

/// [`block_with`] of a non-empty sequence given as references: the new items of a list edit,
/// emitted without first copying them into one `Value::Array`.
pub(crate) fn block_seq_with(
    items: &[&Value],
    indent: usize,
    style: &IndentStyle,
    last_literal: bool,
    last_keep: bool,
    cache: Option<&EmitCache>,
) -> String {
    let mut w = BlockWriter::new(style, last_literal, last_keep);
    match cache {
        Some(cache) => {
            let n = items.len();
            for (i, &item) in items.iter().enumerate() {
                let last = i + 1 == n;
                let key = CacheKey {
                    value: std::ptr::from_ref(item) as usize,
                    indent,
                    map: w.map,
                    seq: w.seq,
                    last,
                    last_literal: last && last_literal,
                    last_keep: last && last_keep,
                };
                if !cache.reuse(&key, &mut w.out) {
                    let start = w.out.len();
                    w.seq_of(&[item], indent, last);
                    cache.store(key, &w.out[start..]);
                }
            }
        }
        None => w.seq_of(items, indent, true),
    }
    w.out
}

/// The block text of shared sequence items, emitted once per indentation and reused: what
/// [`crate::edit::SeqItem::Shared`] items become. Items are known by address; the cache holds a
/// reference to each, so no other value can take its address while the cache lives. Bounded: it
/// starts afresh past [`EmitCache::MAX_TEXTS`] texts.
#[derive(Debug, Default)]
pub struct EmitCache {
    inner: RefCell<CacheInner>,
}

#[derive(Debug, Default)]
struct CacheInner {
    shared: HashMap<usize, Arc<Value>>,
    texts: HashMap<CacheKey, String>,
}

/// One item's text depends on the item, where it goes and whether it ends the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct CacheKey {
    value: usize,
    indent: usize,
    map: usize,
    seq: usize,
    last: bool,
    last_literal: bool,
    last_keep: bool,
}

impl EmitCache {
    /// Texts kept at most.
    pub const MAX_TEXTS: usize = 4096;

    /// A new, empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many texts are kept.
    pub fn texts(&self) -> usize {
        self.inner.borrow().texts.len()
    }

    /// Marks `value` as shared, if something else holds it too (a value made for one document
    /// only is not worth keeping): its texts may be cached from now on.
    pub(crate) fn share(&self, value: &Arc<Value>) {
        if Arc::strong_count(value) < 2 {
            return;
        }
        let mut inner = self.inner.borrow_mut();
        if inner.shared.len() >= Self::MAX_TEXTS {
            inner.shared.clear();
            inner.texts.clear();
        }
        inner
            .shared
            .entry(Arc::as_ptr(value) as usize)
            .or_insert_with(|| Arc::clone(value));
    }

    /// Appends the cached text for `key` to `out`; false if there is none.
    fn reuse(&self, key: &CacheKey, out: &mut String) -> bool {
        match self.inner.borrow().texts.get(key) {
            Some(text) => {
                out.push_str(text);
                true
            }
            None => false,
        }
    }

    /// Keeps `text` for `key` if its item is shared.
    fn store(&self, key: CacheKey, text: &str) {
        let mut inner = self.inner.borrow_mut();
        if !inner.shared.contains_key(&key.value) {
            return;
        }
        if inner.texts.len() >= Self::MAX_TEXTS {
            inner.texts.clear();
        }
        inner.texts.insert(key, text.to_owned());
    }
}

/// [`block`]; the very last scalar of the output is a block scalar only if `last_literal` (and,
/// for keep chomping, `last_keep`) allow it: the text that will follow the output might otherwise
/// be read as part of it (a comment line, or blank lines for `|+`).
pub(crate) fn block_with(
    value: &Value,
    indent: usize,
    style: &IndentStyle,
    last_literal: bool,
    last_keep: bool,
) -> String {
    let mut w = BlockWriter::new(style, last_literal, last_keep);
    match value {
        Value::Object(m) if !m.is_empty() => w.map(m, indent, true),
        Value::Array(a) if !a.is_empty() => w.seq(a, indent, true),
        v => {
            w.pad(indent);
            w.inline(v);
            w.out.push('\n');
        }
    }
    w.out
}

struct BlockWriter {
    out: String,
    map: usize,
    seq: usize,
    last_literal: bool,
    last_keep: bool,
}

impl BlockWriter {
    fn new(style: &IndentStyle, last_literal: bool, last_keep: bool) -> Self {
        BlockWriter {
            out: String::new(),
            map: style.map.clamp(1, 9),
            seq: style.seq,
            last_literal,
            last_keep,
        }
    }

    /// Whether `s` is written as a block scalar (`last`: the last scalar of the output).
    fn use_literal(&self, s: &str, last: bool) -> bool {
        literal_ok(s) && (!last || (self.last_literal && (self.last_keep || !s.ends_with("\n\n"))))
    }

    fn pad(&mut self, n: usize) {
        const SPACES: &str = "                                                                ";
        let mut left = n;
        while left > 0 {
            let step = left.min(SPACES.len());
            self.out.push_str(&SPACES[..step]);
            left -= step;
        }
    }

    fn inline(&mut self, v: &Value) {
        match v {
            Value::String(s) => push_scalar(&mut self.out, s),
            Value::Object(_) => self.out.push_str("{}"),
            Value::Array(_) => self.out.push_str("[]"),
            other => write_flow(&mut self.out, other),
        }
    }

    fn map(&mut self, m: &Map<String, Value>, indent: usize, last: bool) {
        let n = m.len();
        for (i, (k, v)) in m.iter().enumerate() {
            let last = last && i + 1 == n;
            self.pad(indent);
            push_scalar(&mut self.out, k);
            self.out.push(':');
            match v {
                Value::Object(child) if !child.is_empty() => {
                    self.out.push('\n');
                    self.map(child, indent + self.map, last);
                }
                Value::Array(items) if !items.is_empty() => {
                    self.out.push('\n');
                    self.seq(items, indent + self.seq, last);
                }
                Value::String(s) if self.use_literal(s, last) => {
                    self.out.push(' ');
                    self.literal(s, indent, self.map);
                }
                v => {
                    self.out.push(' ');
                    self.inline(v);
                    self.out.push('\n');
                }
            }
        }
    }

    fn seq(&mut self, items: &[Value], indent: usize, last: bool) {
        let refs: Vec<&Value> = items.iter().collect();
        self.seq_of(&refs, indent, last);
    }

    fn seq_of(&mut self, items: &[&Value], indent: usize, last: bool) {
        let n = items.len();
        for (i, &v) in items.iter().enumerate() {
            let last = last && i + 1 == n;
            let start = self.out.len();
            match v {
                Value::Object(child) if !child.is_empty() => self.map(child, indent + 2, last),
                Value::Array(child) if !child.is_empty() => self.seq(child, indent + 2, last),
                Value::String(s) if self.use_literal(s, last) => {
                    self.pad(indent + 2);
                    self.literal(s, indent, 2);
                }
                v => {
                    self.pad(indent + 2);
                    self.inline(v);
                    self.out.push('\n');
                }
            }
            // the first line of the item: `- ` in place of its last two spaces
            self.out
                .replace_range(start + indent..start + indent + 2, "- ");
        }
    }

    /// `|` block scalar whose content is indented `offset` spaces more than `parent`.
    fn literal(&mut self, s: &str, parent: usize, offset: usize) {
        let body = s.trim_end_matches('\n');
        let trailing = s.len() - body.len();
        self.out.push('|');
        let first = body.split('\n').find(|l| !l.is_empty()).unwrap_or_default();
        if first.starts_with(' ') {
            self.out.push_str(&offset.to_string());
        }
        match trailing {
            0 => self.out.push('-'),
            1 => {}
            _ => self.out.push('+'),
        }
        self.out.push('\n');
        for line in body.split('\n') {
            if !line.is_empty() {
                self.pad(parent + offset);
                self.out.push_str(line);
            }
            self.out.push('\n');
        }
        for _ in 1..trailing {
            self.out.push('\n');
        }
    }
}

/// The indentation style of a document: how far nested mappings are indented under their key
/// and where block sequences' `-` sit under their key (the most frequent of each; default
/// `map: 2, seq: 0`).
pub fn detect_style(text: &str, doc: &Document) -> IndentStyle {
    let mut counts = StyleCounts::default();
    if let Some(root) = &doc.root {
        counts.add(text, root);
    }
    counts.style()
}

/// What [`detect_style`] counts, gathered from parts of a document in document order: the
/// indentations of a mapping's own entries ([`StyleCounts::add_entries`]) and of whole subtrees
/// ([`StyleCounts::add`]), merged with [`StyleCounts::extend`]. For a document walked as its root's
/// entries, then each root value's subtree in order, [`StyleCounts::style`] is `detect_style` of the
/// document: that is how a document whose list items are parsed one at a time
/// ([`crate::tree::parse_items`]) gets the style of the whole.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StyleCounts {
    /// (indentation, count) in the order first seen
    maps: Vec<(usize, usize)>,
    seqs: Vec<(usize, usize)>,
}

impl StyleCounts {
    /// Counts `node` and everything below it, depth first in document order.
    pub fn add(&mut self, text: &str, node: &Node) {
        let mut stack: Vec<&Node> = vec![node];
        while let Some(node) = stack.pop() {
            match &node.kind {
                NodeKind::Sequence(items) => stack.extend(items.iter().rev()),
                NodeKind::Mapping(pairs) => {
                    stack.extend(pairs.iter().rev().map(|(_, v)| v));
                    self.add_entries(text, node);
                }
                _ => {}
            }
        }
    }

    /// Counts the entries of the mapping `node` only (not what is below their values).
    pub fn add_entries(&mut self, text: &str, node: &Node) {
        let NodeKind::Mapping(pairs) = &node.kind else {
            return;
        };
        let col = |pos: usize| pos - line_start(text, pos);
        for (k, v) in pairs {
            if node.flow || v.flow {
                continue;
            }
            let key_col = col(k.span.start);
            match &v.kind {
                NodeKind::Sequence(items) => {
                    if let Some(d) = items
                        .first()
                        .and_then(|i| i.dash)
                        .and_then(|dash| col(dash).checked_sub(key_col))
                    {
                        count(&mut self.seqs, d, 1);
                    }
                }
                NodeKind::Mapping(child) if v.anchor.is_none() => {
                    if let Some(d) = child
                        .first()
                        .and_then(|(ck, _)| col(ck.span.start).checked_sub(key_col))
                        .filter(|d| *d > 0)
                    {
                        count(&mut self.maps, d, 1);
                    }
                }
                _ => {}
            }
        }
    }

    /// Adds the counts of a later part of the document.
    pub fn extend(&mut self, later: &StyleCounts) {
        for &(k, c) in &later.maps {
            count(&mut self.maps, k, c);
        }
        for &(k, c) in &later.seqs {
            count(&mut self.seqs, k, c);
        }
    }

    /// The most frequent indentations (ties go to the first seen).
    pub fn style(&self) -> IndentStyle {
        let best = |v: &[(usize, usize)], default: usize| {
            v.iter()
                .fold(None, |best: Option<(usize, usize)>, &(k, c)| match best {
                    Some((_, bc)) if bc >= c => best,
                    _ => Some((k, c)),
                })
                .map_or(default, |(k, _)| k)
        };
        IndentStyle {
            map: best(&self.maps, 2),
            seq: best(&self.seqs, 0),
        }
    }
}

fn count(v: &mut Vec<(usize, usize)>, x: usize, n: usize) {
    match v.iter_mut().find(|(k, _)| *k == x) {
        Some((_, c)) => *c += n,
        None => v.push((x, n)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::resolve::to_value;
    use crate::tree::parse;
    use serde_json::json;

    /// Strings some YAML reader would take for something else if written plain.
    pub(crate) const AMBIGUOUS: &[&str] = &[
        "",
        " ",
        "y",
        "Y",
        "yes",
        "Yes",
        "YES",
        "n",
        "N",
        "no",
        "No",
        "NO",
        "true",
        "True",
        "TRUE",
        "false",
        "False",
        "FALSE",
        "on",
        "On",
        "ON",
        "off",
        "Off",
        "OFF",
        "~",
        "null",
        "Null",
        "NULL",
        "0",
        "12",
        "-1",
        "+1",
        "0644",
        "0o17",
        "0x1F",
        "0b101",
        "1_000",
        "1e3",
        "1E3",
        "1.5",
        ".5",
        "5.",
        "-.5",
        "+12.5e-3",
        ".inf",
        "-.inf",
        "+.INF",
        ".Inf",
        ".nan",
        ".NaN",
        ".NAN",
        "1:20",
        "190:20:30.15",
        "2001-12-14",
        "2001-12-14t21:59:43.10-05:00",
        "2001-12-14 21:59:43.10 -5",
        "=",
        "<<",
        "- a",
        "-",
        "? x",
        "?",
        ":",
        ": x",
        "a: b",
        "a #b",
        "a:",
        "key:",
        ",x",
        "[a]",
        "]",
        "{a}",
        "}",
        "#x",
        "&a",
        "*a",
        "!tag",
        "|",
        ">",
        "'q'",
        "\"q\"",
        "%x",
        "@x",
        "`x",
        " lead",
        "trail ",
        "tab\tin",
        "multi\nline",
        "cr\rx",
        "nul\0x",
        "bell\u{7}",
        "del\u{7f}",
        "nel\u{85}x",
        "ls\u{2028}x",
        "bom\u{feff}x",
        "---",
        "...",
        "--- a",
        "... a",
        "0.",
        "1.2.3",
        "0x",
        "09",
        "1e400",
        "9999999999999999999999",
        "'",
        "\"",
    ];

    /// Strings that are fine plain, with characters that look special.
    const OTHER: &[&str] = &[
        "+",
        "it's",
        "a\\nb",
        "\\",
        "a'",
        "x\"",
        "nginx:1.25",
        "a-",
        "a?",
        "a!",
        "50%",
    ];

    #[test]
    fn plain_when_safe() {
        for s in [
            "nginx",
            "nginx:latest",
            "a b",
            "/var/log",
            "kruise.io/inject",
            "200Mi",
            "100m",
            "12h",
            "${NODE_NAME}",
            "a:b",
            "a#b",
            "http://x:80/y",
            "über",
            "x-y",
            "1.0-rc1",
            "yes-sir",
            "nully",
            "truex",
            "a,b",
            "a'b",
            "a\"b",
        ] {
            assert_eq!(scalar(s), s, "{s}");
        }
        assert_eq!(scalar("-c"), "-c");
        assert_eq!(scalar("-Xmx1g"), "-Xmx1g");
        assert_eq!(scalar("-"), "\"-\"");
        assert_eq!(scalar("- x"), "\"- x\"");
        assert_eq!(scalar("-1"), "\"-1\"");
        assert_eq!(scalar("---x"), "\"---x\"");
        assert_eq!(scalar("on"), "\"on\"");
        assert_eq!(scalar("it's: x"), "\"it's: x\"");
        assert_eq!(scalar("{\"a\":1}"), "'{\"a\":1}'");
        assert_eq!(scalar("a\\b: c"), "'a\\b: c'");
        assert_eq!(scalar("a\nb"), "\"a\\nb\"");
        assert_eq!(scalar("\t"), "\"\\t\"");
        assert_eq!(scalar("ls\u{2028}"), "\"ls\\u2028\"");
        assert!(AMBIGUOUS.len() >= 50);
    }

    /// What a YAML 1.2 core schema reader makes of a plain scalar: `true` if a string.
    fn yaml12_plain_is_string(s: &str) -> bool {
        let core_null = ["~", "null", "Null", "NULL", ""];
        let core_bool = ["true", "True", "TRUE", "false", "False", "FALSE"];
        let t = s.strip_prefix(['+', '-']).unwrap_or(s);
        let int = !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        let oct = s
            .strip_prefix("0o")
            .is_some_and(|r| !r.is_empty() && r.bytes().all(|b| (b'0'..=b'7').contains(&b)));
        let hex = s
            .strip_prefix("0x")
            .is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_hexdigit()));
        let special = [".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN"].contains(&t);
        !(core_null.contains(&s)
            || core_bool.contains(&s)
            || int
            || oct
            || hex
            || special
            || crate::resolve::is_yaml_float(s))
    }

    /// `k: <scalar>` read back with go-yaml v2 rules (and a YAML 1.2 core check for plain output).
    fn read_back(s: &str) -> Value {
        let emitted = scalar(s);
        if !emitted.starts_with(['\'', '"']) {
            assert!(
                yaml12_plain_is_string(&emitted),
                "{s:?} plain {emitted} is not a YAML 1.2 string"
            );
        }
        let text = format!("k: {emitted}\n");
        let docs = parse(&text).unwrap_or_else(|e| panic!("{s:?} as {emitted}: {e}"));
        let root = docs[0].root.as_ref().unwrap();
        to_value(root, &docs[0]).unwrap()["k"].clone()
    }

    #[test]
    fn the_fast_plain_check_decides_words_as_the_full_one() {
        let words = [
            "y",
            "Y",
            "n",
            "N",
            "yes",
            "No",
            "ON",
            "off",
            "True",
            "false",
            "null",
            "NULL",
            "Null",
            "nginx",
            "/var/log",
            "a:b",
            "a:",
            "/",
            "registry.example.com/agent:1.2.3",
            "http://x/y",
            "x.y_z-1",
            "onion",
            "nullable",
            "yess",
        ];
        for s in words.iter().chain(AMBIGUOUS).chain(OTHER) {
            if let Some(plain) = simple_word(s) {
                assert_eq!(plain, plain_ok_checked(s), "{s:?}");
            }
        }
        assert_eq!(simple_word("Yes"), Some(false));
        assert_eq!(simple_word("nginx"), Some(true));
        assert_eq!(simple_word("a:"), None);
        assert_eq!(simple_word("0644"), None);
        assert_eq!(simple_word("---x"), None);
        assert_eq!(simple_word("--config"), Some(true));
        assert_eq!(simple_word("64Mi"), Some(true));
        assert_eq!(simple_word("1e3"), None);
    }

    #[test]
    fn ambiguous_strings_read_back() {
        for s in AMBIGUOUS {
            assert_eq!(read_back(s), json!(s), "{s:?} emitted as {}", scalar(s));
            let e = scalar(s);
            assert!(e.starts_with(['\'', '"']), "{s:?} not quoted: {e}");
        }
        for s in OTHER {
            assert_eq!(read_back(s), json!(s), "{s:?} emitted as {}", scalar(s));
        }
    }

    #[test]
    fn flow_is_json() {
        let v = json!({"a": [1, 2.5, "x\u{85}", null, true], "b": {}, "c": [], "d\"": "e\\"});
        let f = flow(&v);
        assert_eq!(
            f,
            r#"{"a": [1, 2.5, "x\u0085", null, true], "b": {}, "c": [], "d\"": "e\\"}"#
        );
        assert_eq!(serde_json::from_str::<Value>(&f).unwrap(), v);
        let p = pretty_json(&v, "  ", "  ");
        assert_eq!(serde_json::from_str::<Value>(&p).unwrap(), v);
    }

    fn tricky_values() -> Vec<Value> {
        let mut strings: Vec<Value> = AMBIGUOUS.iter().map(|s| json!(s)).collect();
        strings.extend(
            [
                "line1\nline2\n",
                "no newline\nat end",
                "keep\n\n\n",
                " leading space\nsecond\n",
                "\nleading newline\n",
                "\n  leading newline then indent\n",
                "trailing spaces  \nx\n",
                "#!/bin/sh\necho hi # not a comment\n",
                "a\n\nb\n",
                "tab\tinside\nline\n",
                "ends in blank line\n  \n",
                "\n\n",
                "  \n",
                "x\r\ny\n",
            ]
            .map(|s| json!(s)),
        );
        vec![
            json!({"strings": strings.clone()}),
            json!({"k": {"nested": {"deep": [1, -2, 3.25, 1e300, null, true, false]}}, "empty_map": {}, "empty_list": []}),
            json!([{"name": "a", "args": ["-c", "on", "0644"], "env": [{"name": "X", "value": "yes"}]}, [1, [2, [3]]], "last\n\n"]),
            Value::Object(
                strings
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        (
                            s.as_str().unwrap_or("").to_string() + &i.to_string(),
                            s.clone(),
                        )
                    })
                    .collect(),
            ),
            Value::Object(
                AMBIGUOUS
                    .iter()
                    .map(|s| (s.to_string(), json!(s)))
                    .collect(),
            ),
            json!({"script": "#!/bin/sh\n  indented first\n", "after": 1}),
            json!(["  indented first\nline\n", {"k": "  x\ny"}]),
        ]
    }

    fn read(text: &str) -> Value {
        let docs = parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let root = docs[0].root.as_ref().unwrap();
        to_value(root, &docs[0]).unwrap_or_else(|e| panic!("{e}\n{text}"))
    }

    #[test]
    fn emitted_values_read_back() {
        for v in tricky_values() {
            for style in [
                IndentStyle { map: 2, seq: 0 },
                IndentStyle { map: 4, seq: 2 },
                IndentStyle { map: 3, seq: 3 },
            ] {
                for indent in [0, 4] {
                    for last_ok in [true, false] {
                        let text = block_with(&v, indent, &style, last_ok, last_ok);
                        assert!(
                            text.lines()
                                .all(|l| l.is_empty() || l.starts_with(&" ".repeat(indent))),
                            "{text}"
                        );
                        assert_eq!(read(&text), v, "{style:?} {indent}\n{text}");
                    }
                }
            }
            assert_eq!(read(&flow(&v)), v);
            assert_eq!(read(&pretty_json(&v, "", "\t")), v);
        }
    }

    #[test]
    fn block_shapes() {
        let v = json!({
            "containers": [{"name": "filebeat", "args": ["-c", "/etc/filebeat.yml"], "env": [], "resources": {}}],
            "script": "#!/bin/sh\necho hi\n",
            "strip": "a\nb",
            "keep": "a\n\n",
            "indented": "  x\ny\n",
        });
        insta::assert_snapshot!(block(&v, 2, &IndentStyle::default()), @r#"
          containers:
          - name: filebeat
            args:
            - -c
            - /etc/filebeat.yml
            env: []
            resources: {}
          script: |
            #!/bin/sh
            echo hi
          strip: |-
            a
            b
          keep: |+
            a

          indented: |2
              x
            y
        "#);
        insta::assert_snapshot!(block(&json!([["a", "b"], {"k": ["v"]}, " x\n"]), 0, &IndentStyle { map: 4, seq: 2 }), @r"
        - - a
          - b
        - k:
            - v
        - |2
           x
        ");
        insta::assert_snapshot!(block_with(&json!({"last": "a\nb\n"}), 0, &IndentStyle::default(), false, false), @r#"last: "a\nb\n""#);
    }

    #[test]
    fn detects_styles() {
        let compact = "a:\n  b:\n  - x\n  c:\n    d: 1\n";
        let docs = parse(compact).unwrap();
        assert_eq!(
            detect_style(compact, &docs[0]),
            IndentStyle { map: 2, seq: 0 }
        );
        let indented = "a:\n    b:\n        - x\n    c:\n        - y\n";
        let docs = parse(indented).unwrap();
        assert_eq!(
            detect_style(indented, &docs[0]),
            IndentStyle { map: 4, seq: 4 }
        );
        let json = "{\"a\": [1]}";
        let docs = parse(json).unwrap();
        assert_eq!(detect_style(json, &docs[0]), IndentStyle::default());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod style_counts_tests {
    use super::*;
    use crate::tree::{parse, parse_items};

    #[test]
    fn the_counts_of_the_parts_give_the_style_of_the_whole() {
        for text in [
            "kind: List\nitems:\n  - a:\n       b: 1\n    c:\n    - 1\nfunctionConfig:\n   x:\n      y: 1\n",
            "items:\n- a:\n    b: 1\n  c:\n      - 1\n- a:\n    b: 1\nfunctionConfig:\n  d:\n     - 2\n",
            "results:\n    - a: 1\nitems:\n- metadata:\n   name: x\n",
        ] {
            let whole = parse(text).unwrap();
            let mut items = Vec::new();
            let docs = parse_items(text, "items", &mut |item| items.push(item)).unwrap();
            let root = docs[0].root.as_ref().unwrap();
            let mut counts = StyleCounts::default();
            counts.add_entries(text, root);
            for (k, v) in root.as_map().unwrap() {
                if k.as_str() == Some("items") {
                    for item in &items {
                        let mut part = StyleCounts::default();
                        part.add(text, item);
                        counts.extend(&part);
                    }
                } else {
                    counts.add(text, v);
                }
            }
            assert_eq!(counts.style(), detect_style(text, &whole[0]), "{text}");
        }
    }
}
