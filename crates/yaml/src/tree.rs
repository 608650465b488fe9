//! A YAML stream parsed into documents and nodes that know where their text is.
//!
//! The tree is built from saphyr-parser's events by an iterative builder (no recursion, nesting
//! is bounded by [`MAX_DEPTH`]). saphyr reports positions in chars and, for block collections,
//! points their end at the next token (possibly after comment lines); this module converts
//! everything to byte offsets and computes the real extent of every node from its children, so
//! that [`crate::edit`] can splice text precisely:
//!
//! - [`Node::span`] starts at the node's first byte (its anchor or tag if it has one; the `|` / `>`
//!   indicator of a block scalar; the first `-` of a block sequence; the first key of a block
//!   mapping) and ends right after its last content byte. Trailing spaces, line breaks and
//!   comments are never part of a node, except the trailing line breaks of a `|+` / `>+` (keep
//!   chomping) block scalar, which are content: its span ends after its last kept line break.
//! - An implicit empty scalar (`key:` with nothing after it, a bare `-`) has an empty span right
//!   after its `:` or `-` indicator.
//! - [`Node::dash`] is the byte offset of the `-` indicator of every block sequence item.

use std::collections::HashSet;
use std::ops::Range;

use saphyr_parser::{Event, Parser, ScalarStyle as ParserStyle, Span, Tag};

/// Collections nested deeper than this are rejected.
pub const MAX_DEPTH: usize = 128;

/// An error in YAML text: 1-based line and 1-based column (in characters) where it was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {col}: {message}")]
pub struct YamlError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl YamlError {
    pub(crate) fn at(node: &Node, message: impl Into<String>) -> Self {
        YamlError {
            line: node.line,
            col: node.col + 1,
            message: message.into(),
        }
    }
}

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// `value` is the scalar's content (quotes, escapes, folding and chomping applied); `tag` is
    /// written `!!str` for the YAML core schema, `!foo` for local tags, else the full tag URI.
    Scalar {
        value: String,
        style: ScalarStyle,
        tag: Option<String>,
    },
    Sequence(Vec<Node>),
    Mapping(Vec<(Node, Node)>),
    /// `*name`
    Alias(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Bytes of the node's own text (see the module documentation).
    pub span: Range<usize>,
    /// 1-based line of `span.start`.
    pub line: usize,
    /// 0-based column (in characters) of `span.start`.
    pub col: usize,
    /// Whether the node is in flow style (`[..]`, `{..}`, or anything inside them).
    pub flow: bool,
    pub kind: NodeKind,
    /// `&name` on this node.
    pub anchor: Option<String>,
    /// For an item of a block sequence: byte offset of its `-` indicator.
    pub dash: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Bytes of this document in the stream: from its first byte (a leading BOM, comments,
    /// directives, its `---` line) up to the first byte of the next document. The spans of a
    /// stream's documents tile the text.
    pub span: Range<usize>,
    /// `None` for an empty or comments-only document.
    pub root: Option<Node>,
    /// 1-based line where the document's content starts.
    pub line: usize,
}

impl Node {
    /// The value of `key` in this mapping (scalar keys compared by content, whatever their style).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.get_pair(key).map(|(_, v)| v)
    }

    /// The key node and the value node of `key` in this mapping.
    pub fn get_pair(&self, key: &str) -> Option<(&Node, &Node)> {
        match &self.kind {
            NodeKind::Mapping(pairs) => pairs
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    /// The node at `path` (mapping keys) below this one.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }

    /// A scalar's content.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Sequence(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.kind {
            NodeKind::Mapping(pairs) => Some(pairs),
            _ => None,
        }
    }

    /// An empty node: `key:` with nothing after it (no tag, no anchor).
    pub fn is_implicit_empty(&self) -> bool {
        self.span.is_empty()
            && matches!(&self.kind, NodeKind::Scalar { value, style: ScalarStyle::Plain, .. } if value.is_empty())
    }
}

/// Byte positions in a text: char index conversion, lines, columns.
pub(crate) struct Src<'a> {
    pub text: &'a str,
    ascii: bool,
    /// last converted (char index, byte offset): saphyr's positions mostly move forward, so
    /// converting from there costs the distance moved
    cursor: std::cell::Cell<(usize, usize)>,
    /// byte offset of the start of every line
    line_starts: LineStarts,
}

impl<'a> Src<'a> {
    pub fn new(text: &'a str) -> Self {
        let line_starts = LineStarts::new(text);
        Src {
            text,
            ascii: text.is_ascii(),
            cursor: std::cell::Cell::new((0, 0)),
            line_starts,
        }
    }

    /// Byte offset of a char index.
    pub fn byte(&self, char_index: usize) -> usize {
        let b = self.text.as_bytes();
        if self.ascii {
            return char_index.min(b.len());
        }
        let (mut ci, mut bi) = self.cursor.get();
        while ci < char_index && bi < b.len() {
            bi += match b[bi] {
                0x00..=0x7F => 1,
                0xC0..=0xDF => 2,
                0xE0..=0xEF => 3,
                _ => 4,
            };
            ci += 1;
        }
        while ci > char_index && bi > 0 {
            bi -= 1;
            while bi > 0 && (b[bi] & 0xC0) == 0x80 {
                bi -= 1;
            }
            ci -= 1;
        }
        let bi = bi.min(b.len());
        self.cursor.set((ci, bi));
        bi
    }

    /// 1-based line and 0-based char column of a byte offset (a leading BOM is not a column).
    pub fn line_col(&self, pos: usize) -> (usize, usize) {
        let idx = match self.line_starts.binary_search(pos) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let mut start = self.line_starts.get(idx).unwrap_or(0);
        if start == 0 && self.text.starts_with('\u{feff}') && pos >= 3 {
            start = 3;
        }
        let col = if self.ascii {
            pos.saturating_sub(start)
        } else {
            self.text.get(start..pos).map_or(0, |s| s.chars().count())
        };
        (idx + 1, col)
    }
}

/// The byte offsets of the starts of a text's lines, as 32-bit numbers when they fit: a pod dump
/// has a line every 40 bytes or so (issue 14).
enum LineStarts {
    Short(Vec<u32>),
    Long(Vec<usize>),
}

impl LineStarts {
    fn new(text: &str) -> Self {
        let starts = || {
            std::iter::once(0).chain(
                text.bytes()
                    .enumerate()
                    .filter(|&(_, b)| b == b'\n')
                    .map(|(i, _)| i + 1),
            )
        };
        let lines = 1 + text.bytes().filter(|&b| b == b'\n').count();
        if u32::try_from(text.len()).is_ok() {
            let mut v = Vec::with_capacity(lines);
            v.extend(starts().filter_map(|p| u32::try_from(p).ok()));
            LineStarts::Short(v)
        } else {
            let mut v = Vec::with_capacity(lines);
            v.extend(starts());
            LineStarts::Long(v)
        }
    }

    fn binary_search(&self, pos: usize) -> Result<usize, usize> {
        match self {
            LineStarts::Short(v) => match u32::try_from(pos) {
                Ok(p) => v.binary_search(&p),
                Err(_) => Err(v.len()),
            },
            LineStarts::Long(v) => v.binary_search(&pos),
        }
    }

    fn get(&self, idx: usize) -> Option<usize> {
        match self {
            LineStarts::Short(v) => v.get(idx).map(|&p| p as usize),
            LineStarts::Long(v) => v.get(idx).copied(),
        }
    }
}

/// Start of the line containing `pos` (after a BOM on the first line).
pub(crate) fn line_start(text: &str, pos: usize) -> usize {
    let b = text.as_bytes();
    let mut p = pos.min(b.len());
    while p > 0 && b[p - 1] != b'\n' {
        p -= 1;
    }
    if p == 0 && text.starts_with('\u{feff}') && pos >= 3 {
        3
    } else {
        p
    }
}

/// The position after the line break ending the line that contains the content ending at `pos`
/// (`pos` itself if it already is at a line start), or the end of the text.
pub(crate) fn line_end_after(text: &str, pos: usize) -> usize {
    let b = text.as_bytes();
    if pos > 0 && pos <= b.len() && b[pos - 1] == b'\n' {
        return pos;
    }
    match b
        .get(pos..)
        .and_then(|rest| rest.iter().position(|&c| c == b'\n'))
    {
        Some(i) => pos + i + 1,
        None => b.len(),
    }
}

/// Skips spaces, tabs, line breaks, BOMs and comments.
pub(crate) fn skip_blank(text: &str, mut p: usize) -> usize {
    let b = text.as_bytes();
    loop {
        match b.get(p) {
            Some(b' ' | b'\t' | b'\r' | b'\n') => p += 1,
            Some(b'#') => {
                while p < b.len() && b[p] != b'\n' {
                    p += 1;
                }
            }
            Some(0xEF) if b[p..].starts_with("\u{feff}".as_bytes()) => p += 3,
            _ => return p,
        }
    }
}

/// Skips blanks, comments and the indicators `:` `?` `-` (when followed by a blank), returning
/// the position of the first other byte.
fn skip_indicators(text: &str, mut p: usize, also_dash: bool) -> usize {
    let b = text.as_bytes();
    loop {
        p = skip_blank(text, p);
        match b.get(p) {
            Some(b':' | b'?') => p += 1,
            Some(b'-')
                if also_dash
                    && matches!(b.get(p + 1), None | Some(b' ' | b'\t' | b'\r' | b'\n')) =>
            {
                p += 1
            }
            _ => return p,
        }
    }
}

/// The `-` of the next block sequence item at or after `p`.
fn find_dash(text: &str, p: usize) -> Option<usize> {
    let q = skip_indicators(text, p, false);
    (text.as_bytes().get(q) == Some(&b'-')).then_some(q)
}

/// Anchor name and end of the properties (`&anchor`, `!tag`, in any order) starting at `p`.
fn parse_props(text: &str, mut p: usize) -> (Option<String>, usize) {
    let b = text.as_bytes();
    let mut anchor = None;
    let mut end = p;
    loop {
        let q = skip_blank(text, p);
        match b.get(q) {
            Some(b'&') => {
                let mut e = q + 1;
                while e < b.len()
                    && !matches!(
                        b[e],
                        b' ' | b'\t' | b'\r' | b'\n' | b',' | b'[' | b']' | b'{' | b'}'
                    )
                {
                    e += 1;
                }
                anchor = text.get(q + 1..e).map(str::to_string);
                end = e;
                p = e;
            }
            Some(b'!') => {
                let mut e = q + 1;
                if b.get(e) == Some(&b'<') {
                    while e < b.len() && b[e] != b'>' {
                        e += 1;
                    }
                    e = (e + 1).min(b.len());
                } else {
                    while e < b.len()
                        && !matches!(
                            b[e],
                            b' ' | b'\t' | b'\r' | b'\n' | b',' | b'[' | b']' | b'{' | b'}'
                        )
                    {
                        e += 1;
                    }
                }
                end = e;
                p = e;
            }
            _ => return (anchor, end),
        }
    }
}

fn tag_string(tag: &Tag) -> String {
    if tag.handle == "tag:yaml.org,2002:" {
        format!("!!{}", tag.suffix)
    } else {
        format!("{}{}", tag.handle, tag.suffix)
    }
}

pub(crate) struct Frame {
    /// saphyr's (line, col) of `start`
    at: Option<(usize, usize)>,
    pub(crate) is_map: bool,
    flow: bool,
    /// flow collection written with its own brackets (not a `[a: b]` single-pair mapping)
    bracketed: bool,
    pub(crate) start: Option<usize>,
    pub(crate) anchor: Option<String>,
    dash: Option<usize>,
    items: Vec<Node>,
    pub(crate) pairs: Vec<(Node, Node)>,
    pub(crate) key: Option<Node>,
    seen: HashSet<String>,
    /// end of the last item handed out instead of kept ([`Builder::take_items`])
    taken_end: Option<usize>,
}

pub(crate) struct DocBuild {
    pub(crate) start: usize,
    marker: Option<usize>,
    root: Option<Node>,
}

pub(crate) struct Builder<'a> {
    src: Src<'a>,
    /// byte offset just past the last token consumed
    cur: usize,
    pub(crate) stack: Vec<Frame>,
    pub(crate) docs: Vec<DocBuild>,
    pub(crate) doc: Option<DocBuild>,
    /// line end after the `...` that ended the previous document
    after_explicit_end: Option<usize>,
    /// [`parse_items`]: the root mapping key whose block sequence items are released, and the
    /// items released since the caller last took them
    release: Option<(&'a str, Vec<Node>)>,
    /// Hand out the items of a root mapping's `items` sequence ([`crate::stream`]).
    take_items: bool,
    /// An anchor was seen in the current document.
    anchor_seen: bool,
    /// The item just completed, when `take_items`.
    pub(crate) taken: Option<Node>,
}

impl<'a> Builder<'a> {
    pub(crate) fn new(text: &'a str, take_items: bool) -> Self {
        Builder {
            src: Src::new(text),
            cur: 0,
            stack: Vec::new(),
            docs: Vec::new(),
            doc: None,
            after_explicit_end: None,
            release: None,
            take_items,
            anchor_seen: false,
            taken: None,
        }
    }

    /// Whether a node completed now is an item of the `items` sequence of the document's root
    /// mapping, and no anchor came before its end in the document: an alias further on may refer
    /// to an anchored node, and so to the items around it; none can refer to this one.
    fn at_list_item(&self) -> bool {
        let [root, items] = self.stack.as_slice() else {
            return false;
        };
        !self.anchor_seen
            && root.is_map
            && !items.is_map
            && root.key.as_ref().and_then(Node::as_str) == Some("items")
    }

    fn err_at(&self, pos: usize, message: impl Into<String>) -> YamlError {
        let (line, col) = self.src.line_col(pos);
        YamlError {
            line,
            col: col + 1,
            message: message.into(),
        }
    }

    /// A node; `at` is saphyr's (line, col) of `span.start` when known.
    fn node(
        &self,
        span: Range<usize>,
        at: Option<(usize, usize)>,
        kind: NodeKind,
        anchor: Option<String>,
        flow: bool,
        dash: Option<usize>,
    ) -> Node {
        let (line, col) = at.unwrap_or_else(|| self.src.line_col(span.start));
        Node {
            span,
            line,
            col,
            flow,
            kind,
            anchor,
            dash,
        }
    }

    /// When the next node is an item of a block sequence: its dash (and the sequence's start).
    fn take_dash(&mut self) -> Option<usize> {
        let top = self.stack.last()?;
        if top.is_map || top.flow {
            return None;
        }
        let dash = find_dash(self.src.text, self.cur)?;
        self.cur = dash + 1;
        if let Some(top) = self.stack.last_mut() {
            top.start.get_or_insert(dash);
        }
        Some(dash)
    }

    fn parent_flow(&self) -> bool {
        self.stack.last().is_some_and(|f| f.flow)
    }

    fn attach(&mut self, mut node: Node) -> Result<(), YamlError> {
        if let (Some((key, released)), [root, seq]) = (&mut self.release, self.stack.as_slice())
            && root.is_map
            && !seq.is_map
            && !seq.flow
            && root.key.as_ref().and_then(Node::as_str) == Some(*key)
        {
            let placeholder = Node {
                span: node.span.clone(),
                line: node.line,
                col: node.col,
                flow: node.flow,
                kind: NodeKind::Scalar {
                    value: String::new(),
                    style: ScalarStyle::Plain,
                    tag: None,
                },
                anchor: None,
                dash: node.dash,
            };
            released.push(std::mem::replace(&mut node, placeholder));
        }
        if self.stack.last().is_some_and(|top| !top.is_map) {
            if self.take_items && self.at_list_item() {
                if let Some(top) = self.stack.last_mut() {
                    top.taken_end = Some(node.span.end);
                }
                self.taken = Some(node);
            } else if let Some(top) = self.stack.last_mut() {
                top.items.push(node);
            }
            return Ok(());
        }
        let Some(top) = self.stack.last_mut() else {
            if let Some(doc) = self.doc.as_mut() {
                doc.root = (!node.is_implicit_empty()).then_some(node);
            }
            return Ok(());
        };
        match top.key.take() {
            Some(key) => top.pairs.push((key, node)),
            None => {
                if let NodeKind::Scalar { value, style, .. } = &node.kind {
                    let merge = *style == ScalarStyle::Plain && value == "<<";
                    // small mappings: a scan; large ones: a set of the keys
                    let duplicate = if merge {
                        false
                    } else if top.pairs.len() < 16 {
                        top.pairs.iter().any(|(k, _)| k.as_str() == Some(value))
                    } else {
                        if top.seen.is_empty() {
                            top.seen.extend(
                                top.pairs
                                    .iter()
                                    .filter_map(|(k, _)| k.as_str())
                                    .map(str::to_string),
                            );
                        }
                        !top.seen.insert(value.clone())
                    };
                    if duplicate {
                        let message = format!("duplicate mapping key {value:?}");
                        return Err(YamlError::at(&node, message));
                    }
                }
                top.key = Some(node);
            }
        }
        Ok(())
    }

    fn expecting_value(&self) -> bool {
        self.stack
            .last()
            .is_some_and(|f| f.is_map && f.key.is_some())
    }

    pub(crate) fn on_event(&mut self, ev: Event<'_>, span: Span) -> Result<(), YamlError> {
        let text = self.src.text;
        let s = self.src.byte(span.start.index());
        let e = self.src.byte(span.end.index()).max(s);
        let marker = |pos: usize| (pos == s).then(|| (span.start.line(), span.start.col()));
        match ev {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
            Event::DocumentStart(explicit) => {
                self.anchor_seen = false;
                let start = if self.docs.is_empty() {
                    0
                } else if let Some(p) = self.after_explicit_end {
                    p
                } else {
                    line_start(text, s)
                };
                self.after_explicit_end = None;
                self.cur = if explicit { e } else { s };
                self.doc = Some(DocBuild {
                    start,
                    marker: explicit.then_some(s),
                    root: None,
                });
            }
            Event::DocumentEnd => {
                if let Some(doc) = self.doc.take() {
                    self.docs.push(doc);
                }
                if text.get(s..e) == Some("...") {
                    self.after_explicit_end = Some(line_end_after(text, e));
                }
            }
            Event::Scalar(value, style, anchor_id, tag) => {
                self.anchor_seen |= anchor_id > 0;
                let dash = self.take_dash();
                let has_props = anchor_id > 0 || tag.is_some();
                let style = match style {
                    ParserStyle::Plain => ScalarStyle::Plain,
                    ParserStyle::SingleQuoted => ScalarStyle::SingleQuoted,
                    ParserStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
                    ParserStyle::Literal => ScalarStyle::Literal,
                    ParserStyle::Folded => ScalarStyle::Folded,
                };
                let (anchor, _) = if has_props {
                    parse_props(text, s)
                } else {
                    (None, s)
                };
                let span = if style == ScalarStyle::Plain && value.is_empty() && !has_props {
                    // implicit empty scalar: right after its `:` (or `-`) indicator
                    let mut p = self.cur;
                    if self.expecting_value() {
                        let q = skip_blank(text, p);
                        if text.as_bytes().get(q) == Some(&b':') {
                            p = q + 1;
                        }
                    }
                    p..p
                } else if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
                    let start = if has_props {
                        s
                    } else {
                        let q = skip_indicators(text, self.cur, true);
                        if matches!(text.as_bytes().get(q), Some(b'|' | b'>')) {
                            q
                        } else {
                            s
                        }
                    };
                    start..block_scalar_end(text, start, e)
                } else if matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted) {
                    // saphyr's span runs on over blanks and comments after the closing quote
                    let (_, props_end) = if has_props {
                        parse_props(text, s)
                    } else {
                        (None, s)
                    };
                    s..quoted_end(text, skip_blank(text, props_end), e)
                } else {
                    s..e
                };
                self.cur = span.end;
                let flow = self.parent_flow();
                let tag = tag.map(|t| tag_string(&t));
                let kind = NodeKind::Scalar {
                    value: value.into_owned(),
                    style,
                    tag,
                };
                let at = marker(span.start);
                let node = self.node(span, at, kind, anchor, flow, dash);
                self.attach(node)?;
            }
            Event::Alias(_) => {
                let dash = self.take_dash();
                let name = text.get(s + 1..e).unwrap_or_default().to_string();
                self.cur = e;
                let flow = self.parent_flow();
                let node = self.node(s..e, marker(s), NodeKind::Alias(name), None, flow, dash);
                self.attach(node)?;
            }
            Event::SequenceStart(anchor_id, ref tag) | Event::MappingStart(anchor_id, ref tag) => {
                let is_map = matches!(ev, Event::MappingStart(..));
                self.anchor_seen |= anchor_id > 0;
                if self.stack.len() >= MAX_DEPTH {
                    return Err(self.err_at(s, format!("nesting deeper than {MAX_DEPTH} levels")));
                }
                let dash = self.take_dash();
                let has_props = anchor_id > 0 || tag.is_some();
                let last = text[s..e]
                    .trim_end_matches([' ', '\t', '\r', '\n'])
                    .as_bytes()
                    .last();
                let bracketed = matches!(last, Some(b'[' | b'{'));
                let flow = self.parent_flow() || bracketed;
                let mut anchor = None;
                if has_props {
                    let (a, end) = parse_props(text, s);
                    anchor = a;
                    self.cur = end;
                }
                if bracketed {
                    self.cur = e;
                }
                let start = if has_props || flow || is_map {
                    Some(s)
                } else {
                    None
                };
                self.stack.push(Frame {
                    at: start.and_then(marker),
                    is_map,
                    flow,
                    bracketed,
                    start,
                    anchor,
                    dash,
                    items: Vec::new(),
                    pairs: Vec::new(),
                    key: None,
                    seen: HashSet::new(),
                    taken_end: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                let last_end = if frame.is_map {
                    frame.pairs.last().map(|(_, v)| v.span.end)
                } else {
                    frame.items.last().map(|n| n.span.end).or(frame.taken_end)
                };
                let start = frame.start.unwrap_or(s);
                let end = if frame.bracketed {
                    // saphyr's span of `]` / `}` runs on over blanks and comments after it
                    let end = if matches!(text.as_bytes().get(s), Some(b']' | b'}')) {
                        s + 1
                    } else {
                        e
                    };
                    self.cur = end;
                    end
                } else {
                    last_end.unwrap_or(start).max(start)
                };
                let kind = if frame.is_map {
                    NodeKind::Mapping(frame.pairs)
                } else {
                    NodeKind::Sequence(frame.items)
                };
                let at = frame.at.filter(|_| frame.start == Some(start));
                let node = self.node(start..end, at, kind, frame.anchor, frame.flow, frame.dash);
                self.attach(node)?;
            }
        }
        Ok(())
    }

    pub(crate) fn finish(mut self) -> Vec<Document> {
        if let Some(doc) = self.doc.take() {
            self.docs.push(doc);
        }
        let text = self.src.text;
        if self.docs.is_empty() {
            if text.is_empty() {
                return Vec::new();
            }
            return vec![Document {
                span: 0..text.len(),
                root: None,
                line: 1,
            }];
        }
        let docs = std::mem::take(&mut self.docs);
        let starts: Vec<usize> = docs.iter().map(|d| d.start).collect();
        let mut out = Vec::with_capacity(docs.len());
        for (i, d) in docs.into_iter().enumerate() {
            let end = starts.get(i + 1).copied().unwrap_or(text.len());
            out.push(self.document(d, end));
        }
        out
    }

    /// The documents not yet handed out when the stream ends ([`crate::stream`]); `started`: some
    /// were.
    pub(crate) fn finish_stream(mut self, started: bool) -> Vec<Document> {
        if started && self.doc.is_none() && self.docs.is_empty() {
            return Vec::new();
        }
        if started && let Some(doc) = self.doc.take() {
            self.docs.push(doc);
        }
        self.finish()
    }

    /// The document built in `d`, which ends where the next one starts (`end`).
    pub(crate) fn document(&self, d: DocBuild, end: usize) -> Document {
        let line = match (&d.root, d.marker) {
            (Some(root), _) => root.line,
            (None, Some(m)) => self.src.line_col(m).0,
            (None, None) => self.src.line_col(d.start).0,
        };
        Document {
            span: d.start..end.max(d.start),
            root: d.root,
            line,
        }
    }
}

/// End (after the closing quote) of the quoted scalar whose opening quote is at `start`.
fn quoted_end(text: &str, start: usize, fallback: usize) -> usize {
    let b = text.as_bytes();
    let Some(&q) = b.get(start) else {
        return fallback;
    };
    let mut p = start + 1;
    while p < b.len() {
        match b[p] {
            b'\\' if q == b'"' => p += 2,
            b'\'' if q == b'\'' && b.get(p + 1) == Some(&b'\'') => p += 2,
            c if c == q => return p + 1,
            _ => p += 1,
        }
    }
    fallback
}

/// End of a block scalar whose token spans `start..token_end`: after its last non-blank byte, or
/// for keep chomping (`+`) after its last line break.
fn block_scalar_end(text: &str, start: usize, token_end: usize) -> usize {
    let b = text.as_bytes();
    let mut header_end = start;
    let mut keep = false;
    if matches!(b.get(start), Some(b'|' | b'>')) {
        header_end += 1;
        while let Some(&c) = b.get(header_end) {
            match c {
                b'+' => keep = true,
                b'-' | b'0'..=b'9' => {}
                _ => break,
            }
            header_end += 1;
        }
    }
    let mut end = token_end.min(b.len());
    if keep {
        while end > header_end && matches!(b[end - 1], b' ' | b'\t') {
            end -= 1;
        }
    } else {
        while end > header_end && matches!(b[end - 1], b' ' | b'\t' | b'\r' | b'\n') {
            end -= 1;
        }
    }
    end.max(header_end)
}

/// Refuses lone carriage returns.
pub(crate) fn check_line_ends(text: &str) -> Result<(), YamlError> {
    // YAML reads a lone CR as a line break, but edits are made at LF line boundaries: an edit
    // could land on the wrong line. Old Mac line ends have no place in manifests: refuse them.
    if let Some(pos) = text
        .match_indices('\r')
        .map(|(i, _)| i)
        .find(|&i| text.as_bytes().get(i + 1) != Some(&b'\n'))
    {
        let before = &text[..pos];
        return Err(YamlError {
            line: 1 + before.matches('\n').count(),
            col: 1 + before.rsplit('\n').next().map_or(0, |l| l.chars().count()),
            message: "a carriage return without a line feed (an old Mac line end): use LF or CRLF line ends".to_owned(),
        });
    }
    Ok(())
}

/// A syntax error of saphyr's.
pub(crate) fn scan_error(e: &saphyr_parser::ScanError) -> YamlError {
    let m = e.marker();
    YamlError {
        line: m.line(),
        col: m.col() + 1,
        message: e.info().to_string(),
    }
}

/// Parses a YAML stream (or JSON text) into its documents.
pub fn parse(text: &str) -> Result<Vec<Document>, YamlError> {
    parse_with(text, None, &mut |_| {})
}

/// Parses `text` as [`parse`] does, but hands each item of the block sequence that is the value of
/// the root mapping's `key` (`items` of a `List` or a KRM `ResourceList`) to `on_item` as soon as it
/// is complete, and keeps in the tree, in its place, an empty plain scalar with the item's span,
/// line, column and dash: the tree of a long list is then never whole in memory. Spans are offsets
/// into `text`. Items of a flow sequence stay in the tree.
pub fn parse_items(
    text: &str,
    key: &str,
    on_item: &mut dyn FnMut(Node),
) -> Result<Vec<Document>, YamlError> {
    parse_with(text, Some(key), on_item)
}

fn parse_with(
    text: &str,
    release: Option<&str>,
    on_item: &mut dyn FnMut(Node),
) -> Result<Vec<Document>, YamlError> {
    check_line_ends(text)?;
    let mut builder = Builder::new(text, false);
    builder.release = release.map(|key| (key, Vec::new()));
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        let (ev, span) = next.map_err(|e| scan_error(&e))?;
        builder.on_event(ev, span)?;
        if let Some((_, released)) = &mut builder.release {
            for item in released.drain(..) {
                on_item(item);
            }
        }
    }
    Ok(builder.finish())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use std::fmt::Write;

    /// Found by `cargo fuzz` (fuzz/regressions/render/lone-cr.yaml): a lone CR is a YAML line
    /// break, so an edit made at the next LF landed inside the following key.
    #[test]
    fn lone_carriage_returns_are_errors() {
        let err = parse("a: 1\nb: \"on\"\rc: 2\n").unwrap_err();
        assert_eq!((err.line, err.col), (2, 8));
        assert!(err.message.contains("carriage return"), "{}", err.message);
        assert!(parse("a: 1\r\nb: 2\r\n").is_ok());
        assert!(parse("a: 1\r").is_err());
    }

    const NGINX: &str = include_str!("../../../testdata/filebeat-sidecarset/nginx-deployment.yaml");

    /// One line per node: position, kind, dash column, the span's text.
    fn outline(text: &str, node: &Node) -> String {
        let mut out = String::new();
        let mut stack = vec![(node, 0usize, String::new())];
        while let Some((n, depth, label)) = stack.pop() {
            let kind = match &n.kind {
                NodeKind::Scalar { style, tag, .. } => format!(
                    "{style:?}{}",
                    tag.as_deref().map(|t| format!(" {t}")).unwrap_or_default()
                ),
                NodeKind::Sequence(_) => "Seq".into(),
                NodeKind::Mapping(_) => "Map".into(),
                NodeKind::Alias(a) => format!("*{a}"),
            };
            let dash = n
                .dash
                .map(|d| format!(" dash@{}", d - line_start(text, d)))
                .unwrap_or_default();
            let anchor = n
                .anchor
                .as_deref()
                .map(|a| format!(" &{a}"))
                .unwrap_or_default();
            let flow = if n.flow { " flow" } else { "" };
            let _ = writeln!(
                out,
                "{}{label}{}:{} {kind}{flow}{anchor}{dash} {:?}",
                "  ".repeat(depth),
                n.line,
                n.col,
                &text[n.span.clone()]
            );
            match &n.kind {
                NodeKind::Sequence(items) => {
                    stack.extend(
                        items
                            .iter()
                            .enumerate()
                            .rev()
                            .map(|(i, c)| (c, depth + 1, format!("[{i}] "))),
                    );
                }
                NodeKind::Mapping(pairs) => {
                    for (k, v) in pairs.iter().rev() {
                        stack.push((v, depth + 1, format!("{} = ", k.as_str().unwrap_or("?"))));
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn err(text: &str) -> String {
        parse(text)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_else(|| panic!("no error for {text:?}"))
    }

    #[test]
    fn spans_of_a_deployment() {
        let docs = parse(NGINX).unwrap();
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].span, 0..NGINX.len());
        insta::assert_snapshot!(outline(NGINX, docs[0].root.as_ref().unwrap()));
        let root = docs[0].root.as_ref().unwrap();
        let containers = root
            .at(&["spec", "template", "spec", "containers"])
            .unwrap();
        let item = &containers.as_seq().unwrap()[0];
        // the item's content ends at `name: log`, not at the next key
        assert!(NGINX[..item.span.end].ends_with("name: log"));
        assert_eq!(
            &NGINX[item.dash.unwrap()..item.dash.unwrap() + 8],
            "- name: "
        );
    }

    #[test]
    fn scalar_spans() {
        let text = "a: |\n  lit\n\n# c\nb: |+\n  keep\n\n\nc: >-\n  f\n   g\nd:\ne: \"q\\\"\" # x\nf: &x !!str 'v'''  \ng: *x\nh: [ 1, {i: j}, k: l, \"x\" ]  # c\ni: {a: b} # d\nj: p\n  q   # c\n- \n";
        // the last line makes it invalid: check the error, then parse the valid part
        assert!(
            err(text).starts_with("line 20, column 3: "),
            "{}",
            err(text)
        );
        let text = &text[..text.len() - 3];
        let docs = parse(text).unwrap();
        insta::assert_snapshot!(outline(text, docs[0].root.as_ref().unwrap()));
    }

    #[test]
    fn nested_and_indented_sequences() {
        let text =
            "l:\n- - a\n  - b\n-\n- ? x\n  : y\nk:\n  - &s\n    - z\n  # comment\n  -   spaced\n";
        let docs = parse(text).unwrap();
        insta::assert_snapshot!(outline(text, docs[0].root.as_ref().unwrap()));
    }

    #[test]
    fn stream_spans() {
        let text = "# leading\na: 1\n# trailing of doc 1\n---\nb: 2\n...\n# after end\n%YAML 1.1\n---\nc: 3\n--- |\n  text\n---\n# only a comment\n---\n";
        let docs = parse(text).unwrap();
        let parts: Vec<(&str, Option<&str>, usize)> = docs
            .iter()
            .map(|d| {
                (
                    &text[d.span.clone()],
                    d.root.as_ref().map(|r| &text[r.span.clone()]),
                    d.line,
                )
            })
            .collect();
        assert_eq!(
            parts,
            [
                ("# leading\na: 1\n# trailing of doc 1\n", Some("a: 1"), 2),
                ("---\nb: 2\n...\n", Some("b: 2"), 5),
                ("# after end\n%YAML 1.1\n---\nc: 3\n", Some("c: 3"), 10),
                ("--- |\n  text\n", Some("|\n  text"), 11),
                ("---\n# only a comment\n", None, 13),
                ("---\n", None, 15),
            ]
        );
        assert!(parse("").unwrap().is_empty());
        let only = parse("# nothing\n").unwrap();
        assert_eq!(
            (only.len(), only[0].span.clone(), only[0].root.is_none()),
            (1, 0..10, true)
        );
    }

    #[test]
    fn bom_crlf_and_unicode() {
        let text = "\u{feff}a: ü\r\nlist:\r\n- é: 1\r\n  x: \"ß\"\r\n";
        let docs = parse(text).unwrap();
        assert_eq!(docs[0].span, 0..text.len());
        let root = docs[0].root.as_ref().unwrap();
        assert_eq!((root.line, root.col), (1, 0));
        assert_eq!(&text[root.span.clone()], &text[3..text.len() - 2]);
        let item = &root.get("list").unwrap().as_seq().unwrap()[0];
        assert_eq!(&text[item.span.clone()], "é: 1\r\n  x: \"ß\"");
        assert_eq!(item.get("x").unwrap().col, 5);
        assert_eq!(line_start(text, 3), 3);
    }

    #[test]
    fn json_with_tabs() {
        let text = "{\n\t\"a\": [1,\t2],\n\t\"b\": {\"c\": null}\n}\n";
        let docs = parse(text).unwrap();
        let root = docs[0].root.as_ref().unwrap();
        assert!(root.flow);
        assert_eq!(&text[root.span.clone()], &text[..text.len() - 1]);
        assert_eq!(&text[root.get("a").unwrap().span.clone()], "[1,\t2]");
    }

    #[test]
    fn errors() {
        assert_eq!(
            err("a: 1\nb: 2\na: 3\n"),
            "line 3, column 1: duplicate mapping key \"a\""
        );
        assert_eq!(
            err("{\"a\": 1, \"a\": 2}"),
            "line 1, column 10: duplicate mapping key \"a\""
        );
        assert_eq!(
            err("a: b: c\n"),
            "line 1, column 5: mapping values are not allowed in this context"
        );
        assert!(err("a:\n\tb: 1\n").starts_with("line 2, column 2: "));
        assert!(err("k: *nope\n").contains("unknown anchor"));
        // merge keys may repeat
        assert!(parse("a: &a {x: 1}\nm:\n  <<: *a\n  <<: *a\n").is_ok());
    }

    #[test]
    fn depth_is_bounded() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert_eq!(
            err(&deep),
            "line 1, column 129: nesting deeper than 128 levels"
        );
        let huge = "[".repeat(1_000_000);
        // saphyr's own flow limit answers first here
        assert!(
            err(&huge).contains("recursion limit exceeded"),
            "{}",
            err(&huge)
        );
        let block: String = (0..200).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        assert!(err(&block).contains("nesting deeper"));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod parse_items_tests {
    use super::*;

    #[test]
    fn items_are_released_one_by_one_and_leave_placeholders_with_their_spans() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- a: 1\n  b: [x]\n# between\n- c: {d: 2}\nnested:\n  items:\n  - kept\nflow: [1]\n";
        let mut items = Vec::new();
        let docs = parse_items(text, "items", &mut |item| items.push(item)).unwrap();
        let whole = parse(text).unwrap();
        let root = docs[0].root.as_ref().unwrap();
        let whole_items = whole[0]
            .root
            .as_ref()
            .unwrap()
            .get("items")
            .unwrap()
            .as_seq()
            .unwrap();
        assert_eq!(items, whole_items);
        let placeholders = root.get("items").unwrap().as_seq().unwrap();
        for (p, item) in placeholders.iter().zip(&items) {
            assert_eq!(
                (&p.span, p.line, p.col, p.dash),
                (&item.span, item.line, item.col, item.dash)
            );
            assert_eq!(p.as_str(), Some(""));
        }
        assert_eq!(
            root.get("items").unwrap().span,
            whole[0].root.as_ref().unwrap().get("items").unwrap().span
        );
        // only the root's key: nested `items` stay
        assert_eq!(
            root.at(&["nested", "items"]),
            whole[0].root.as_ref().unwrap().at(&["nested", "items"])
        );
        assert_eq!(docs[0].span, whole[0].span);
        // a flow sequence keeps its items
        let mut released = 0;
        let docs = parse_items("items: [a, b]\n", "items", &mut |_| released += 1).unwrap();
        assert_eq!(released, 0);
        assert_eq!(docs, parse("items: [a, b]\n").unwrap());
    }
}
