//! Edits of a document as text splices: untouched text is never re-serialised.
//!
//! An [`Editor`] collects edits on one document of a parsed stream and [`Editor::finish`] returns
//! that document's text with them applied. New text follows the document's own conventions: its
//! indentation ([`detect_style`]), its line breaks (CRLF stays CRLF), block or flow style as the
//! edited collection is written (JSON documents get JSON).
//!
//! Where text goes, in block context:
//! - a new sequence item before item 0: at the start of item 0's `-` line; after item `i`: right
//!   after the line where item `i`'s content ends (a comment line that follows stays after it);
//! - a removed (or replaced) item: from the start of its `-` line through the end of the line
//!   where its content ends;
//! - a new mapping key: after the line where the mapping's content ends, at the mapping's column;
//! - a key whose value is `null`, empty, `{}` or `[]` gets block content under it (a comment on its
//!   line stays there).
//!
//! Several inserts at one point come out innermost node first, then in call order. Edits that
//! would overlap (editing inside an item that is being removed) are refused with an [`EditError`],
//! and so are edits through an alias or of an anchored node that an alias refers to.

use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::emit::{
    EmitCache, IndentStyle, block_seq_with, block_with, detect_style, flow, json_string,
    pretty_json, scalar,
};
use crate::resolve::{Resolved, resolve_scalar};
use crate::tree::{Document, Node, NodeKind, ScalarStyle, line_end_after, line_start, skip_blank};

/// One entry of a sequence edit script.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SeqItem<'v> {
    /// The original item at this index, unchanged (indices strictly increasing; original items
    /// not kept are removed).
    Keep(usize),
    /// A new item at this place in the list.
    New(&'v Value),
    /// A new item that is also put into other documents: with an [`EmitCache`] its text is
    /// emitted once per indentation and reused.
    Shared(&'v Arc<Value>),
}

impl<'v> SeqItem<'v> {
    /// The new value, if this is a new item.
    fn new_value(&self) -> Option<&'v Value> {
        match *self {
            SeqItem::Keep(_) => None,
            SeqItem::New(v) => Some(v),
            SeqItem::Shared(v) => Some(v),
        }
    }
}

/// An edit that can't be made: 1-based line of the node concerned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct EditError {
    pub line: usize,
    pub message: String,
}

enum SpliceText {
    Text(String),
    Pending(usize),
}

struct Splice {
    range: Range<usize>,
    /// start of the node the splice belongs to: inner nodes first among inserts at one point
    node_start: usize,
    seq: usize,
    text: SpliceText,
    /// a scalar value replaced by `set_entries` (may be replaced again)
    value: bool,
}

/// New content rendered at [`Editor::finish`], so that later edits can add to it.
struct Pending {
    value: Value,
    kind: PendingKind,
}

enum PendingKind {
    /// new keys after the last line of a block mapping whose keys are at `col`
    BlockAppend {
        col: usize,
        eof: bool,
        lit: LiteralOk,
    },
    /// new keys in a flow mapping (`multiline`: indentation of its lines and one level's unit)
    FlowAppend {
        empty: bool,
        multiline: Option<(String, String)>,
    },
    /// block content for a key at `col` whose value was null / empty / `{}` / `[]`
    BlockReplace {
        col: usize,
        prefix: String,
        lit: LiteralOk,
    },
    /// a null value in flow context
    FlowReplace { empty_span: bool },
}

#[derive(Clone, Copy)]
struct LiteralOk {
    literal: bool,
    keep: bool,
}

enum Target<'n> {
    /// the node at the path; `key` is its key when it is a mapping value
    Found {
        key: Option<&'n Node>,
        node: &'n Node,
    },
    /// `mapping` lacks `rest[0]`
    Missing {
        mapping: &'n Node,
        rest: Vec<String>,
    },
    /// the value of `key` is null / empty / an empty flow collection in block context: it gets
    /// new content, `rest` below it
    Replace {
        key: &'n Node,
        value: &'n Node,
        rest: Vec<String>,
    },
}

/// (kept item before, kept item after, original items removed, new values) of a sequence edit
type Slot<'v> = (Option<usize>, Option<usize>, Range<usize>, Vec<&'v Value>);

enum Leaf {
    Array(Vec<Value>),
    Entries(Map<String, Value>),
}

/// Edits of one document of a stream; see the module documentation.
pub struct Editor<'a> {
    text: &'a str,
    doc: &'a Document,
    style: IndentStyle,
    nl: &'static str,
    aliased: HashSet<&'a str>,
    splices: Vec<Splice>,
    pending: Vec<Pending>,
    pending_at: HashMap<(usize, usize, bool), usize>,
    seq: usize,
    /// where `|+` / `>+` block scalars end: blank lines after them are part of them
    keep_ends: HashSet<usize>,
    /// texts of [`SeqItem::Shared`] items, kept across documents
    cache: Option<&'a EmitCache>,
}

impl<'a> Editor<'a> {
    /// An editor of `doc`, one of the documents [`crate::tree::parse`] found in `text` (the whole
    /// stream: spans are offsets into it). New text uses the document's detected style.
    pub fn new(text: &'a str, doc: &'a Document) -> Self {
        Self::make(text, doc, None)
    }

    /// An editor of `doc` whose new text is written in `style`, with CRLF line breaks when `crlf`:
    /// for a document that stands for a part of a larger one (an item of a long list, see
    /// [`crate::tree::parse_items`]), whose conventions are the whole document's. `doc.span` may
    /// run on past the part (what follows an edit decides how it is written): see
    /// [`Editor::finish_range`].
    pub fn with_conventions(
        text: &'a str,
        doc: &'a Document,
        style: IndentStyle,
        crlf: bool,
    ) -> Self {
        Self::make(text, doc, Some((style, if crlf { "\r\n" } else { "\n" })))
    }

    fn make(
        text: &'a str,
        doc: &'a Document,
        conventions: Option<(IndentStyle, &'static str)>,
    ) -> Self {
        let mut aliased = HashSet::new();
        let mut keep_ends = HashSet::new();
        let mut stack: Vec<&'a Node> = doc.root.iter().collect();
        while let Some(n) = stack.pop() {
            match &n.kind {
                NodeKind::Alias(name) => {
                    aliased.insert(name.as_str());
                }
                NodeKind::Sequence(items) => stack.extend(items.iter()),
                NodeKind::Mapping(pairs) => stack.extend(pairs.iter().flat_map(|(k, v)| [k, v])),
                NodeKind::Scalar {
                    style: ScalarStyle::Literal | ScalarStyle::Folded,
                    ..
                } if text.as_bytes().get(n.span.end.wrapping_sub(1)) == Some(&b'\n') => {
                    keep_ends.insert(n.span.end);
                }
                NodeKind::Scalar { .. } => {}
            }
        }
        let (style, nl) = conventions.unwrap_or_else(|| {
            let doc_text = text.get(doc.span.clone()).unwrap_or_default();
            let nl = if doc_text.contains("\r\n") {
                "\r\n"
            } else {
                "\n"
            };
            (detect_style(text, doc), nl)
        });
        Editor {
            text,
            doc,
            style,
            nl,
            aliased,
            splices: Vec::new(),
            pending: Vec::new(),
            pending_at: HashMap::new(),
            seq: 0,
            keep_ends,
            cache: None,
        }
    }

    /// This editor, reusing the text of [`SeqItem::Shared`] items from `cache` (and adding to it).
    pub fn with_cache(mut self, cache: &'a EmitCache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// The indentation style new block text is written in.
    pub fn style(&self) -> IndentStyle {
        self.style
    }

    /// Writes new block text in `style` instead of the detected one.
    pub fn with_style(mut self, style: IndentStyle) -> Self {
        self.style = style;
        self
    }

    fn line_of(&self, pos: usize) -> usize {
        let pos = pos.min(self.text.len());
        self.text.as_bytes()[..pos]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    fn err(&self, pos: usize, message: impl Into<String>) -> EditError {
        EditError {
            line: self.line_of(pos),
            message: message.into(),
        }
    }

    /// Byte column of `pos` in its line.
    fn col(&self, pos: usize) -> usize {
        pos - line_start(self.text, pos)
    }

    fn at_line_start(&self, pos: usize) -> bool {
        let ls = line_start(self.text, pos);
        self.text[ls..pos].bytes().all(|b| b == b' ' || b == b'\t')
    }

    fn check_editable(&self, node: &Node, what: &str) -> Result<(), EditError> {
        if let NodeKind::Alias(name) = &node.kind {
            return Err(self.err(
                node.span.start,
                format!("{what} is an alias (*{name}) and can't be edited"),
            ));
        }
        if let Some(a) = node.anchor.as_deref().filter(|a| self.aliased.contains(a)) {
            return Err(self.err(
                node.span.start,
                format!(
                    "{what} is anchored (&{a}) and aliased: editing it would change its aliases too"
                ),
            ));
        }
        Ok(())
    }

    /// A null or empty value, or (in block context) an empty flow collection: replaced by content.
    fn replaceable(key: &Node, value: &Node) -> bool {
        match &value.kind {
            NodeKind::Scalar {
                value: v,
                style: ScalarStyle::Plain,
                tag: None,
            } => resolve_scalar(v, ScalarStyle::Plain, None) == Ok(Resolved::Null),
            NodeKind::Mapping(pairs) => pairs.is_empty() && !key.flow,
            NodeKind::Sequence(items) => items.is_empty() && !key.flow,
            _ => false,
        }
    }

    /// The key node whose value is `node` (`node` must be a node of the document).
    fn key_of(&self, node: &Node) -> Option<&'a Node> {
        let mut stack: Vec<&'a Node> = self.doc.root.iter().collect();
        while let Some(n) = stack.pop() {
            if node.span.start < n.span.start || node.span.start > n.span.end {
                continue;
            }
            match &n.kind {
                NodeKind::Sequence(items) => stack.extend(items.iter()),
                NodeKind::Mapping(pairs) => {
                    for (k, v) in pairs {
                        if v.span == node.span && v.kind == node.kind {
                            return Some(k);
                        }
                        stack.push(v);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// An anchor that an alias refers to, in `node` or below it.
    fn aliased_anchor_in(&self, node: &Node) -> Option<usize> {
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            if n.anchor
                .as_deref()
                .is_some_and(|a| self.aliased.contains(a))
            {
                return Some(n.span.start);
            }
            match &n.kind {
                NodeKind::Sequence(items) => stack.extend(items.iter()),
                NodeKind::Mapping(pairs) => stack.extend(pairs.iter().flat_map(|(k, v)| [k, v])),
                _ => {}
            }
        }
        None
    }

    fn find<'n>(&self, at: &'n Node, path: &[&str]) -> Result<Target<'n>, EditError>
    where
        'a: 'n,
    {
        self.check_editable(at, "the node")?;
        let mut key: Option<&'n Node> = if path.is_empty() {
            self.key_of(at)
        } else {
            None
        };
        let mut node = at;
        for (i, k) in path.iter().enumerate() {
            let rest = || path[i..].iter().map(|s| s.to_string()).collect::<Vec<_>>();
            if let Some(kn) = key.filter(|kn| Self::replaceable(kn, node)) {
                return Ok(Target::Replace {
                    key: kn,
                    value: node,
                    rest: rest(),
                });
            }
            match &node.kind {
                NodeKind::Mapping(_) => match node.get_pair(k) {
                    Some((kn, vn)) => {
                        self.check_editable(vn, &format!("{:?}", path[..=i].join(".")))?;
                        key = Some(kn);
                        node = vn;
                    }
                    None => {
                        return Ok(Target::Missing {
                            mapping: node,
                            rest: rest(),
                        });
                    }
                },
                _ => {
                    return Err(self.err(
                        node.span.start,
                        format!("{:?} is not a mapping", path[..i].join(".")),
                    ));
                }
            }
        }
        Ok(Target::Found { key, node })
    }

    /// Replaces the block collection `node` (the value of `key`, if any), whose content ends at
    /// `content_end`, by the empty flow collection `empty` (`[]` or `{}`): after the key's colon
    /// through the end of the content's last line, or the node itself when it has no block key.
    fn replace_with_empty(
        &mut self,
        key: Option<&Node>,
        node: &Node,
        content_end: usize,
        empty: &str,
    ) -> Result<(), EditError> {
        match key.filter(|k| !k.flow) {
            Some(k) => {
                let colon = self.colon_end(k, node);
                let end = line_end_after(self.text, content_end);
                let nl = if end > 0 && self.text.as_bytes()[end - 1] == b'\n' {
                    self.nl
                } else {
                    ""
                };
                self.add_splice(
                    colon..end,
                    node.span.start,
                    SpliceText::Text(format!(" {empty}{nl}")),
                    false,
                )
            }
            None => self.add_splice(
                node.span.clone(),
                node.span.start,
                SpliceText::Text(empty.to_owned()),
                false,
            ),
        }
    }

    fn add_splice(
        &mut self,
        range: Range<usize>,
        node_start: usize,
        text: SpliceText,
        value: bool,
    ) -> Result<(), EditError> {
        for s in &mut self.splices {
            if value && s.value && s.range == range {
                s.text = text;
                return Ok(());
            }
        }
        let (a, b) = (range.start, range.end);
        for s in &self.splices {
            let (c, d) = (s.range.start, s.range.end);
            // an insert (even at the edge of a replaced range) for a node inside the replaced text
            let inside = |start: usize, end: usize, node: usize, other: usize| {
                start < end && start <= node && node < end && node != other
            };
            let overlap = if a == b {
                (c < a && a < d) || inside(c, d, node_start, s.node_start)
            } else if c == d {
                (a < c && c < b) || inside(a, b, s.node_start, node_start)
            } else {
                a < d && c < b
            };
            if overlap {
                return Err(self.err(a, "this edit overlaps an earlier edit of the document"));
            }
        }
        self.splices.push(Splice {
            range,
            node_start,
            seq: self.seq,
            text,
            value,
        });
        self.seq += 1;
        Ok(())
    }

    /// The start of the first line at or after `pos` (a line start) that isn't blank.
    fn skip_blank_lines(&self, mut pos: usize) -> usize {
        let end = self.doc.span.end.min(self.text.len());
        while pos < end {
            let next = line_end_after(self.text, pos + 1).min(end);
            if !self.text[pos..next].trim().is_empty() {
                break;
            }
            pos = next;
        }
        pos
    }

    /// Whether a block scalar may end the text inserted at `pos` (the lines after it must not be
    /// read as part of it).
    fn literal_ok_at(&self, pos: usize) -> LiteralOk {
        if pos >= self.text.len() && !self.text.ends_with('\n') {
            // the inserted text will lose its final line break
            return LiteralOk {
                literal: false,
                keep: false,
            };
        }
        let rest = self.text.get(pos..self.doc.span.end).unwrap_or_default();
        let mut keep = true;
        for line in rest.split('\n') {
            let t = line.trim_matches([' ', '\t', '\r']);
            if t.is_empty() {
                keep = false;
                continue;
            }
            return LiteralOk {
                literal: !t.starts_with('#'),
                keep: keep && !t.starts_with('#'),
            };
        }
        LiteralOk {
            literal: true,
            keep: true,
        }
    }

    fn lines(&self, s: String) -> String {
        if self.nl == "\n" {
            s
        } else {
            s.replace('\n', self.nl)
        }
    }

    fn render_block(&self, value: &Value, indent: usize, lit: LiteralOk) -> String {
        self.lines(block_with(
            value,
            indent,
            &self.style,
            lit.literal,
            lit.keep,
        ))
    }

    // ---- sequences ----

    /// The sequence at `path` below `at` becomes `items`; see [`SeqItem`]. Missing keys along the
    /// path are created (at the end of their mapping); a null, empty or `[]` value gets the items.
    pub fn edit_sequence(
        &mut self,
        at: &Node,
        path: &[&str],
        items: &[SeqItem],
    ) -> Result<(), EditError> {
        let mut last = None;
        for it in items {
            if let SeqItem::Keep(i) = it {
                if last.is_some_and(|l| *i <= l) {
                    return Err(self.err(
                        at.span.start,
                        "SeqItem::Keep indices must be strictly increasing",
                    ));
                }
                last = Some(*i);
            }
        }
        let new_items =
            || -> Option<Vec<Value>> { items.iter().map(|it| it.new_value().cloned()).collect() };
        let name = path.join(".");
        match self.find(at, path)? {
            Target::Found { key, node } => match &node.kind {
                NodeKind::Sequence(orig) if !key.is_some_and(|k| Self::replaceable(k, node)) => {
                    if let Some(i) = last.filter(|i| *i >= orig.len()) {
                        return Err(self.err(node.span.start, format!("{name:?} has no item {i}")));
                    }
                    self.check_editable(node, &format!("{name:?}"))?;
                    self.sequence(key, node, orig, items)
                }
                _ => match key {
                    Some(k) if Self::replaceable(k, node) => {
                        let arr = new_items().ok_or_else(|| {
                            self.err(node.span.start, format!("{name:?} has no items to keep"))
                        })?;
                        if arr.is_empty() {
                            return Ok(());
                        }
                        self.replace_value(k, node, &[], Leaf::Array(arr))
                    }
                    _ => Err(self.err(node.span.start, format!("{name:?} is not a sequence"))),
                },
            },
            Target::Missing { mapping, rest } => {
                let arr = new_items().ok_or_else(|| {
                    self.err(mapping.span.start, format!("{name:?} has no items to keep"))
                })?;
                if arr.is_empty() {
                    return Ok(());
                }
                self.append_keys(mapping, &rest, Leaf::Array(arr))
            }
            Target::Replace { key, value, rest } => {
                let arr = new_items().ok_or_else(|| {
                    self.err(value.span.start, format!("{name:?} has no items to keep"))
                })?;
                if arr.is_empty() {
                    return Ok(());
                }
                self.replace_value(key, value, &rest, Leaf::Array(arr))
            }
        }
    }

    fn sequence(
        &mut self,
        key: Option<&Node>,
        seq: &Node,
        orig: &[Node],
        items: &[SeqItem],
    ) -> Result<(), EditError> {
        let mut slots: Vec<Slot<'_>> = Vec::new();
        let mut prev: Option<usize> = None;
        let mut news: Vec<&Value> = Vec::new();
        let mut kept = 0;
        for it in items {
            match it {
                SeqItem::New(v) => news.push(v),
                SeqItem::Shared(v) => {
                    if let Some(cache) = self.cache {
                        cache.share(v);
                    }
                    news.push(v);
                }
                SeqItem::Keep(i) => {
                    let from = prev.map_or(0, |p| p + 1);
                    slots.push((prev, Some(*i), from..*i, std::mem::take(&mut news)));
                    prev = Some(*i);
                    kept += 1;
                }
            }
        }
        let new_count = items.len() - kept;
        slots.push((prev, None, prev.map_or(0, |p| p + 1)..orig.len(), news));
        for (_, _, removed, _) in &slots {
            if let Some(pos) = orig[removed.clone()]
                .iter()
                .find_map(|n| self.aliased_anchor_in(n))
            {
                return Err(self.err(
                    pos,
                    "a removed item holds an anchor that an alias refers to",
                ));
            }
        }
        slots.retain(|(_, _, removed, news)| !removed.is_empty() || !news.is_empty());
        if slots.is_empty() {
            return Ok(());
        }
        if kept == 0 && new_count == 0 {
            return self.empty_sequence(key, seq, orig);
        }
        if orig.is_empty() {
            // `[]` in flow context
            let values: Vec<String> = items
                .iter()
                .filter_map(|it| it.new_value().map(flow))
                .collect();
            let pos = seq.span.end.saturating_sub(1);
            return self.add_splice(
                pos..pos,
                seq.span.start,
                SpliceText::Text(values.join(", ")),
                false,
            );
        }
        if seq.flow {
            self.flow_sequence(seq, orig, slots)
        } else {
            self.block_sequence(seq, orig, slots)
        }
    }

    fn block_sequence(
        &mut self,
        seq: &Node,
        orig: &[Node],
        slots: Vec<Slot<'_>>,
    ) -> Result<(), EditError> {
        let text = self.text;
        let dash = |i: usize| orig[i].dash.unwrap_or(orig[i].span.start);
        let col = self.col(dash(0));
        let render = |this: &Self, news: &[&Value], lit: LiteralOk| {
            if news.is_empty() {
                this.render_block(&Value::Array(Vec::new()), col, lit)
            } else {
                this.lines(block_seq_with(
                    news,
                    col,
                    &this.style,
                    lit.literal,
                    lit.keep,
                    this.cache,
                ))
            }
        };
        // text for a `-` that isn't at the start of its line (`- - a`): the first line's
        // indentation dropped, the item that follows moved to a line of its own
        let mid_line = |s: String| s.get(col..).unwrap_or_default().to_string() + &" ".repeat(col);
        for (before, after, removed, news) in slots {
            if !removed.is_empty() {
                let first = removed.start;
                let last = removed.end - 1;
                let d = dash(first);
                if self.at_line_start(d) {
                    let mut end = line_end_after(text, orig[last].span.end);
                    if news.is_empty() && self.keep_ends.contains(&line_start(text, d)) {
                        // blank lines after the removed items would join the `|+` scalar before
                        end = self.skip_blank_lines(end);
                    }
                    let mut t = if news.is_empty() {
                        String::new()
                    } else {
                        render(self, &news, self.literal_ok_at(end))
                    };
                    if end == text.len() && !text.ends_with('\n') {
                        t.truncate(t.trim_end_matches(['\r', '\n']).len());
                    }
                    self.add_splice(
                        line_start(text, d)..end,
                        seq.span.start,
                        SpliceText::Text(t),
                        false,
                    )?;
                } else if let Some(b) = after {
                    let t = if news.is_empty() {
                        String::new()
                    } else {
                        mid_line(render(
                            self,
                            &news,
                            LiteralOk {
                                literal: true,
                                keep: true,
                            },
                        ))
                    };
                    self.add_splice(d..dash(b), seq.span.start, SpliceText::Text(t), false)?;
                } else {
                    let t = render(self, &news, self.literal_ok_at(orig[last].span.end));
                    let t = t
                        .get(col..)
                        .unwrap_or_default()
                        .trim_end_matches(['\r', '\n'])
                        .to_string();
                    self.add_splice(
                        d..orig[last].span.end,
                        seq.span.start,
                        SpliceText::Text(t),
                        false,
                    )?;
                }
            } else if let Some(a) = before {
                let pos = line_end_after(text, orig[a].span.end);
                let mut t = render(self, &news, self.literal_ok_at(pos));
                if pos == text.len() && !text.ends_with('\n') {
                    t = format!("{}{}", self.nl, t.trim_end_matches(['\r', '\n']));
                }
                self.add_splice(pos..pos, seq.span.start, SpliceText::Text(t), false)?;
            } else {
                let d = dash(0);
                let lit = LiteralOk {
                    literal: true,
                    keep: true,
                };
                if self.at_line_start(d) {
                    // before the comment lines that head the first item (at its `-` column)
                    let pos = self.head_comments_start(line_start(text, d), col);
                    let t = render(self, &news, lit);
                    self.add_splice(pos..pos, seq.span.start, SpliceText::Text(t), false)?;
                } else {
                    let t = mid_line(render(self, &news, lit));
                    self.add_splice(d..d, seq.span.start, SpliceText::Text(t), false)?;
                }
            }
        }
        Ok(())
    }

    /// Start of the run of whole-line comments at column `col` that ends right before the line
    /// starting at `line`: the comments that head the item on that line (`line` if none).
    fn head_comments_start(&self, line: usize, col: usize) -> usize {
        let text = self.text;
        let mut start = line;
        while start > 0 {
            let prev = line_start(text, start - 1);
            let content = text[prev..start].trim_end_matches(['\r', '\n']);
            let indent = content.len() - content.trim_start_matches(' ').len();
            if indent == col && content[indent..].starts_with('#') {
                start = prev;
            } else {
                break;
            }
        }
        start
    }

    /// Indentation of the line holding `pos`, and one level's unit relative to `outer`'s line.
    fn flow_layout(&self, outer: usize, first_item: &Node) -> Option<(String, String)> {
        if !self.at_line_start(first_item.span.start) {
            return None;
        }
        let indent = self.text[line_start(self.text, first_item.span.start)..first_item.span.start]
            .to_string();
        let outer_ls = line_start(self.text, outer);
        let outer_indent: String = self.text[outer_ls..]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        let unit = match indent.strip_prefix(outer_indent.as_str()) {
            Some(u) if !u.is_empty() => u.to_string(),
            _ => "  ".to_string(),
        };
        Some((indent, unit))
    }

    fn flow_sequence(
        &mut self,
        seq: &Node,
        orig: &[Node],
        slots: Vec<Slot<'_>>,
    ) -> Result<(), EditError> {
        let layout = self.flow_layout(seq.span.start, &orig[0]);
        let sep = match &layout {
            Some((indent, _)) => format!(",{}{indent}", self.nl),
            None => ", ".to_string(),
        };
        for (before, after, removed, news) in slots {
            let rendered: Vec<String> = news
                .iter()
                .map(|v| match &layout {
                    Some((indent, unit)) => self.lines(pretty_json(v, indent, unit)),
                    None => flow(v),
                })
                .collect();
            let lead = || {
                rendered
                    .iter()
                    .map(|r| format!("{sep}{r}"))
                    .collect::<String>()
            };
            let trail = || {
                rendered
                    .iter()
                    .map(|r| format!("{r}{sep}"))
                    .collect::<String>()
            };
            let (range, t) = if !removed.is_empty() {
                let (first, last) = (removed.start, removed.end - 1);
                if let Some(b) = after {
                    (orig[first].span.start..orig[b].span.start, trail())
                } else if let Some(a) = before {
                    (orig[a].span.end..orig[last].span.end, lead())
                } else {
                    (
                        orig[first].span.start..orig[last].span.end,
                        rendered.join(&sep),
                    )
                }
            } else if let Some(a) = before {
                (orig[a].span.end..orig[a].span.end, lead())
            } else {
                (orig[0].span.start..orig[0].span.start, trail())
            };
            self.add_splice(range, seq.span.start, SpliceText::Text(t), false)?;
        }
        Ok(())
    }

    fn empty_sequence(
        &mut self,
        key: Option<&Node>,
        seq: &Node,
        orig: &[Node],
    ) -> Result<(), EditError> {
        let (Some(first), Some(last)) = (orig.first(), orig.last()) else {
            return Ok(());
        };
        if seq.flow {
            return self.add_splice(
                first.span.start..last.span.end,
                seq.span.start,
                SpliceText::Text(String::new()),
                false,
            );
        }
        self.replace_with_empty(key, seq, seq.span.end, "[]")
    }

    /// The position right after the `:` that follows key `k` (whose value is `value`).
    fn colon_end(&self, k: &Node, value: &Node) -> usize {
        if value.span.is_empty() {
            return value.span.start;
        }
        let q = skip_blank(self.text, k.span.end);
        if self.text.as_bytes().get(q) == Some(&b':') {
            q + 1
        } else {
            k.span.end
        }
    }

    // ---- mappings ----

    /// In the mapping at `path` below `at` (created when missing; a null, empty or `{}` value
    /// becomes a mapping), sets each key to its string value: an existing key's value text is
    /// replaced (unless it already is that string), a new key is added at the end of the mapping.
    pub fn set_entries(
        &mut self,
        at: &Node,
        path: &[&str],
        entries: &[(String, String)],
    ) -> Result<(), EditError> {
        if entries.is_empty() {
            return Ok(());
        }
        let map: Map<String, Value> = entries
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        let name = path.join(".");
        match self.find(at, path)? {
            Target::Found { key, node } => match &node.kind {
                NodeKind::Mapping(_) if !key.is_some_and(|k| Self::replaceable(k, node)) => {
                    self.check_editable(node, &format!("{name:?}"))?;
                    let mut new = Map::new();
                    for (k, v) in map {
                        match node.get_pair(&k) {
                            Some((kn, vn)) => {
                                self.set_value(node, kn, vn, &k, v.as_str().unwrap_or_default())?
                            }
                            None => {
                                new.insert(k, v);
                            }
                        }
                    }
                    if new.is_empty() {
                        return Ok(());
                    }
                    self.append_keys(node, &[], Leaf::Entries(new))
                }
                _ => match key {
                    Some(k) if Self::replaceable(k, node) => {
                        self.replace_value(k, node, &[], Leaf::Entries(map))
                    }
                    _ => Err(self.err(node.span.start, format!("{name:?} is not a mapping"))),
                },
            },
            Target::Missing { mapping, rest } => {
                self.append_keys(mapping, &rest, Leaf::Entries(map))
            }
            Target::Replace { key, value, rest } => {
                self.replace_value(key, value, &rest, Leaf::Entries(map))
            }
        }
    }

    fn set_value(
        &mut self,
        mapping: &Node,
        key: &Node,
        value: &Node,
        name: &str,
        v: &str,
    ) -> Result<(), EditError> {
        self.check_editable(value, &format!("the value of {name:?}"))?;
        match &value.kind {
            NodeKind::Scalar {
                value: cur,
                style,
                tag,
            } => {
                if resolve_scalar(cur, *style, tag.as_deref()) == Ok(Resolved::Str) && cur == v {
                    return Ok(());
                }
            }
            NodeKind::Mapping(p) if p.is_empty() && value.flow => {}
            NodeKind::Sequence(i) if i.is_empty() && value.flow => {}
            _ => {
                return Err(self.err(
                    value.span.start,
                    format!("the value of {name:?} is not a scalar"),
                ));
            }
        }
        let t = if mapping.flow {
            json_string(v)
        } else {
            scalar(v)
        };
        if value.span.is_empty() {
            let pos = value.span.start.max(key.span.end);
            self.add_splice(
                pos..pos,
                value.span.start,
                SpliceText::Text(format!(" {t}")),
                true,
            )
        } else {
            self.add_splice(
                value.span.clone(),
                value.span.start,
                SpliceText::Text(t),
                true,
            )
        }
    }

    fn merge_pending(
        &mut self,
        idx: usize,
        rest: &[String],
        leaf: Leaf,
        at: usize,
    ) -> Result<(), EditError> {
        let result = match self.pending.get_mut(idx) {
            Some(p) => put(&mut p.value, rest, leaf),
            None => Ok(()),
        };
        result.map_err(|path| self.err(at, format!("{path:?} was already set to something else")))
    }

    /// New keys at the end of `mapping`: `rest[0]` holding `rest[1..]` ... holding `leaf`.
    fn append_keys(
        &mut self,
        mapping: &Node,
        rest: &[String],
        leaf: Leaf,
    ) -> Result<(), EditError> {
        let id = (mapping.span.start, mapping.span.end, false);
        if let Some(&idx) = self.pending_at.get(&id) {
            return self.merge_pending(idx, rest, leaf, mapping.span.start);
        }
        let NodeKind::Mapping(pairs) = &mapping.kind else {
            return Err(self.err(mapping.span.start, "not a mapping"));
        };
        let (pos, kind) = if mapping.flow {
            if !self.text[mapping.span.clone()].trim_end().ends_with('}') {
                return Err(self.err(
                    mapping.span.start,
                    "can't add keys to a single-pair flow mapping",
                ));
            }
            match pairs.last() {
                None => (
                    mapping.span.end.saturating_sub(1),
                    PendingKind::FlowAppend {
                        empty: true,
                        multiline: None,
                    },
                ),
                Some((_, v)) => (
                    v.span.end,
                    PendingKind::FlowAppend {
                        empty: false,
                        multiline: pairs
                            .first()
                            .and_then(|(k, _)| self.flow_layout(mapping.span.start, k)),
                    },
                ),
            }
        } else {
            let Some((first, _)) = pairs.first() else {
                return Err(self.err(mapping.span.start, "empty block mapping"));
            };
            let pos = line_end_after(self.text, mapping.span.end);
            let kind = PendingKind::BlockAppend {
                col: self.col(first.span.start),
                eof: pos == self.text.len() && !self.text.ends_with('\n'),
                lit: self.literal_ok_at(pos),
            };
            (pos, kind)
        };
        let idx = self.pending.len();
        self.add_splice(
            pos..pos,
            mapping.span.start,
            SpliceText::Pending(idx),
            false,
        )?;
        self.pending.push(Pending {
            value: Value::Object(Map::new()),
            kind,
        });
        self.pending_at.insert(id, idx);
        self.merge_pending(idx, rest, leaf, mapping.span.start)
    }

    /// New content for the value of `key` (null, empty, or an empty flow collection).
    fn replace_value(
        &mut self,
        key: &Node,
        value: &Node,
        rest: &[String],
        leaf: Leaf,
    ) -> Result<(), EditError> {
        let id = (value.span.start, value.span.end, true);
        if let Some(&idx) = self.pending_at.get(&id) {
            return self.merge_pending(idx, rest, leaf, value.span.start);
        }
        let (range, kind) = if key.flow {
            (
                value.span.clone(),
                PendingKind::FlowReplace {
                    empty_span: value.span.is_empty(),
                },
            )
        } else {
            let colon = self.colon_end(key, value);
            let b = self.text.as_bytes();
            let mut eol = value.span.end;
            while eol < b.len() && b[eol] != b'\n' {
                eol += 1;
            }
            let after = eol + 1;
            if eol > value.span.end && b[eol - 1] == b'\r' {
                eol -= 1;
            }
            let rest_of_line = self.text[value.span.end..eol].trim_end();
            let kind = PendingKind::BlockReplace {
                col: self.col(key.span.start),
                prefix: rest_of_line.to_string(),
                lit: self.literal_ok_at(after.min(b.len())),
            };
            (colon..eol, kind)
        };
        let idx = self.pending.len();
        self.add_splice(range, value.span.start, SpliceText::Pending(idx), false)?;
        self.pending.push(Pending {
            value: Value::Null,
            kind,
        });
        self.pending_at.insert(id, idx);
        self.merge_pending(idx, rest, leaf, value.span.start)
    }

    fn render_pending(&self, p: &Pending) -> String {
        match &p.kind {
            PendingKind::BlockAppend { col, eof, lit } => {
                let t = self.render_block(&p.value, *col, *lit);
                if *eof {
                    format!("{}{}", self.nl, t.trim_end_matches(['\r', '\n']))
                } else {
                    t
                }
            }
            PendingKind::FlowAppend { empty, multiline } => {
                let Value::Object(map) = &p.value else {
                    return String::new();
                };
                let parts = map.iter().map(|(k, v)| match multiline {
                    Some((indent, unit)) => format!(
                        "{}: {}",
                        json_string(k),
                        self.lines(pretty_json(v, indent, unit))
                    ),
                    None => format!("{}: {}", json_string(k), flow(v)),
                });
                match multiline {
                    Some((indent, _)) => {
                        parts.map(|s| format!(",{}{indent}{s}", self.nl)).collect()
                    }
                    None if *empty => parts.collect::<Vec<_>>().join(", "),
                    None => parts.map(|s| format!(", {s}")).collect(),
                }
            }
            PendingKind::BlockReplace { col, prefix, lit } => {
                let indent = match &p.value {
                    Value::Array(_) => col + self.style.seq,
                    _ => col + self.style.map.max(1),
                };
                let body = self.render_block(&p.value, indent, *lit);
                format!("{prefix}{}{}", self.nl, body.trim_end_matches(['\r', '\n']))
            }
            PendingKind::FlowReplace { empty_span } => {
                format!("{}{}", if *empty_span { " " } else { "" }, flow(&p.value))
            }
        }
    }

    /// Removes `keys` from the mapping at `path` below `at` (keys it doesn't have, and a missing
    /// mapping, are ignored). In block style a removed key goes from the start of its line through
    /// the end of the line where its value ends (a comment on that line goes with it); a first key
    /// that shares its line with a `-` (`- name: x`) is replaced by the next kept key. In flow style
    /// (and JSON) a removed pair goes with the separator before it (after it, for leading pairs), so
    /// that removing keys that [`Editor::set_entries`] added gives back the original text. A block
    /// mapping that loses every key becomes `{}`.
    pub fn remove_entries(
        &mut self,
        at: &Node,
        path: &[&str],
        keys: &[&str],
    ) -> Result<(), EditError> {
        let name = path.join(".");
        let (key, mapping) = match self.find(at, path)? {
            Target::Found { key, node } => (key, node),
            Target::Missing { .. } | Target::Replace { .. } => return Ok(()),
        };
        let NodeKind::Mapping(pairs) = &mapping.kind else {
            return Err(self.err(mapping.span.start, format!("{name:?} is not a mapping")));
        };
        self.check_editable(mapping, &format!("{name:?}"))?;
        let removed: Vec<bool> = pairs
            .iter()
            .map(|(k, _)| {
                matches!(&k.kind, NodeKind::Scalar { value, .. } if keys.contains(&value.as_str()))
            })
            .collect();
        if !removed.contains(&true) {
            return Ok(());
        }
        for ((k, v), _) in pairs.iter().zip(&removed).filter(|(_, r)| **r) {
            if let Some(pos) = self
                .aliased_anchor_in(k)
                .or_else(|| self.aliased_anchor_in(v))
            {
                return Err(self.err(
                    pos,
                    "a removed entry holds an anchor that an alias refers to",
                ));
            }
        }
        let text = self.text;
        if removed.iter().all(|r| *r) {
            let (first, last) = (&pairs[0], &pairs[pairs.len() - 1]);
            if mapping.flow {
                return self.add_splice(
                    first.0.span.start..last.1.span.end,
                    mapping.span.start,
                    SpliceText::Text(String::new()),
                    false,
                );
            }
            return self.replace_with_empty(
                key,
                mapping,
                mapping.span.end.max(last.1.span.end),
                "{}",
            );
        }
        // runs of removed pairs: first..=last
        let mut runs = Vec::new();
        let mut i = 0;
        while i < pairs.len() {
            if removed[i] {
                let first = i;
                while i + 1 < pairs.len() && removed[i + 1] {
                    i += 1;
                }
                runs.push((first, i));
            }
            i += 1;
        }
        for (first, last) in runs {
            let before = first.checked_sub(1);
            let after = (last + 1 < pairs.len()).then_some(last + 1);
            let range = if mapping.flow {
                match (before, after) {
                    (Some(b), _) => pairs[b].1.span.end..pairs[last].1.span.end,
                    (None, Some(a)) => pairs[first].0.span.start..pairs[a].0.span.start,
                    (None, None) => pairs[first].0.span.start..pairs[last].1.span.end,
                }
            } else {
                let k = &pairs[first].0;
                let v_end = pairs[last].1.span.end.max(pairs[last].0.span.end);
                match after {
                    Some(a) if !self.at_line_start(k.span.start) => {
                        k.span.start..pairs[a].0.span.start
                    }
                    _ => {
                        let mut start = line_start(text, k.span.start);
                        let end = line_end_after(text, v_end);
                        let touching = self.splices.iter().any(|s| s.range.end == start);
                        if end == text.len() && !text.ends_with('\n') && !touching {
                            // the kept text must not end with a line break it didn't have
                            let mut s = start;
                            if s > 0 && text.as_bytes()[s - 1] == b'\n' {
                                s -= 1;
                                if s > 0 && text.as_bytes()[s - 1] == b'\r' {
                                    s -= 1;
                                }
                            }
                            start = s;
                        }
                        start..end
                    }
                }
            };
            self.add_splice(
                range,
                mapping.span.start,
                SpliceText::Text(String::new()),
                false,
            )?;
        }
        Ok(())
    }

    /// The document's text with the edits applied.
    pub fn finish(mut self) -> String {
        let span = self.doc.span.clone();
        self.finish_range(span)
    }

    /// The text of `span` (a part of the document's span) with the edits that fall inside it
    /// applied (an insertion at either end of it included): [`Editor::finish`] of that part.
    pub fn finish_range(&mut self, span: Range<usize>) -> String {
        self.splices.sort_by_key(|s| {
            (
                s.range.start,
                !s.range.is_empty(),
                Reverse(s.node_start),
                s.seq,
            )
        });
        let mut out = String::with_capacity(span.len() + 256);
        let mut cursor = span.start;
        for s in &self.splices {
            if s.range.start < cursor || s.range.end > span.end {
                continue;
            }
            out.push_str(&self.text[cursor..s.range.start]);
            match &s.text {
                SpliceText::Text(t) => out.push_str(t),
                SpliceText::Pending(i) => {
                    if let Some(p) = self.pending.get(*i) {
                        out.push_str(&self.render_pending(p));
                    }
                }
            }
            cursor = s.range.end;
        }
        out.push_str(&self.text[cursor..span.end]);
        out
    }
}

/// Puts `leaf` at `rest` below `root` (objects created as needed; `Err`: the path in the way).
fn put(root: &mut Value, rest: &[String], leaf: Leaf) -> Result<(), String> {
    let mut cur = root;
    for (i, k) in rest.iter().enumerate() {
        if cur.is_null() {
            *cur = Value::Object(Map::new());
        }
        let Value::Object(obj) = cur else {
            return Err(rest[..i].join("."));
        };
        cur = obj.entry(k.clone()).or_insert(Value::Null);
    }
    if cur.is_null() {
        *cur = match leaf {
            Leaf::Array(_) => Value::Array(Vec::new()),
            Leaf::Entries(_) => Value::Object(Map::new()),
        };
    }
    match (cur, leaf) {
        (Value::Array(items), Leaf::Array(arr)) => {
            *items = arr;
            Ok(())
        }
        (Value::Object(obj), Leaf::Entries(entries)) => {
            obj.extend(entries);
            Ok(())
        }
        _ => Err(rest.join(".")),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::resolve::to_value;
    use crate::tree::parse;
    use serde_json::json;

    const EXAMPLES: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/filebeat-sidecarset"
    );
    const NGINX: &str = include_str!("../../../testdata/filebeat-sidecarset/nginx-deployment.yaml");

    fn filebeat() -> Value {
        json!({
            "name": "filebeat",
            "image": "docker.elastic.co/beats/filebeat:7.16.2",
            "args": ["-c", "/etc/filebeat.yml", "-e"],
            "env": [{"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}}],
            "volumeMounts": [{"name": "varlog", "mountPath": "/var/log", "readOnly": true}],
        })
    }

    /// Edits document `index` of `text`; checks the result parses and returns its text.
    fn edit(
        text: &str,
        index: usize,
        f: impl FnOnce(&mut Editor, &Node) -> Result<(), EditError>,
    ) -> String {
        let docs = parse(text).unwrap();
        let doc = &docs[index];
        let mut ed = Editor::new(text, doc);
        f(&mut ed, doc.root.as_ref().unwrap()).unwrap_or_else(|e| panic!("{e}"));
        let out = ed.finish();
        parse(&out).unwrap_or_else(|e| panic!("edited text doesn't parse: {e}\n{out}"));
        out
    }

    /// Shared items give the same text with a cache as without one, across documents of other
    /// indentations and whether or not the item ends the document (a literal block scalar there
    /// is written differently), and the cache reuses what it emitted.
    #[test]
    fn shared_items_read_from_the_cache_as_emitted() {
        let item = Arc::new(json!({"name": "s", "script": "a\nb\n", "args": ["on", "x"]}));
        let other = Arc::new(json!({"name": "t"}));
        // held elsewhere too, as injection's shared containers are
        let _owners = (Arc::clone(&item), Arc::clone(&other));
        let texts = [
            "l:\n- name: a\nk: v\n",
            "l:\n  - name: a\n",
            "x:\n    l:\n        - name: a\n",
            "l: [a]\n",
            "l:\n- name: a # c\n",
        ];
        let cache = EmitCache::new();
        for _round in 0..2 {
            for text in texts {
                for script in [
                    vec![SeqItem::Keep(0), SeqItem::Shared(&item)],
                    vec![
                        SeqItem::Shared(&item),
                        SeqItem::Keep(0),
                        SeqItem::Shared(&other),
                    ],
                    vec![SeqItem::Shared(&other), SeqItem::Shared(&item)],
                ] {
                    let run = |cached: bool| {
                        let docs = parse(text).unwrap();
                        let root = docs[0].root.as_ref().unwrap();
                        let node = root.get("l").or_else(|| root.get("x")?.get("l")).unwrap();
                        let mut ed = Editor::new(text, &docs[0]);
                        if cached {
                            ed = ed.with_cache(&cache);
                        }
                        ed.edit_sequence(node, &[], &script).unwrap();
                        ed.finish()
                    };
                    assert_eq!(run(true), run(false), "{text:?} {script:?}");
                }
            }
        }
        assert!(cache.texts() > 0);
        // a value nothing else holds is emitted, not kept
        let lone = EmitCache::new();
        let text = "l:\n- a\n";
        let docs = parse(text).unwrap();
        let mut ed = Editor::new(text, &docs[0]).with_cache(&lone);
        let node = docs[0].root.as_ref().unwrap().get("l").unwrap();
        let value = Arc::new(json!({"name": "once"}));
        ed.edit_sequence(node, &[], &[SeqItem::Shared(&value)])
            .unwrap();
        assert!(ed.finish().contains("- name: once"));
        assert_eq!(lone.texts(), 0);
    }

    fn edit_err(text: &str, f: impl FnOnce(&mut Editor, &Node) -> Result<(), EditError>) -> String {
        let docs = parse(text).unwrap();
        let mut ed = Editor::new(text, &docs[0]);
        f(&mut ed, docs[0].root.as_ref().unwrap())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    fn value(text: &str) -> Value {
        let docs = parse(text).unwrap();
        to_value(docs[0].root.as_ref().unwrap(), &docs[0]).unwrap()
    }

    /// Every line of `orig` is in `out`, in order and unchanged: a pure addition for `diff`.
    fn pure_addition(orig: &str, out: &str) -> bool {
        let mut want = orig.split_inclusive('\n').peekable();
        for line in out.split_inclusive('\n') {
            if want.peek() == Some(&line) {
                want.next();
            }
        }
        want.peek().is_none()
    }

    fn at<'v>(v: &'v Value, path: &[&str]) -> &'v Value {
        path.iter().fold(v, |v, k| &v[k])
    }

    #[test]
    fn unedited_documents_are_byte_identical() {
        let mut texts: Vec<String> = std::fs::read_dir(EXAMPLES)
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect();
        texts.extend(
            [
                "\u{feff}a: 1\r\nb:\r\n- x # c\r\n",
                "a: 1\n---\n# c\n...\n%YAML 1.1\n--- !!map\nb: [1, 2]\n--- |+\n  x\n\n",
                "{\n\t\"a\": [1,\t2]\n}",
                "no newline at end",
                "# only comments\n",
                "",
            ]
            .map(String::from),
        );
        for text in &texts {
            let docs = parse(text).unwrap();
            let mut all = String::new();
            for doc in &docs {
                let out = Editor::new(text, doc).finish();
                assert_eq!(out, text[doc.span.clone()]);
                all.push_str(&out);
            }
            assert_eq!(&all, text);
        }
    }

    #[test]
    fn sidecar_injection_is_a_pure_addition() {
        let out = edit(NGINX, 0, |ed, root| {
            let template = root.at(&["spec", "template"]).unwrap();
            ed.edit_sequence(
                template,
                &["spec", "containers"],
                &[SeqItem::New(&filebeat()), SeqItem::Keep(0)],
            )?;
            ed.edit_sequence(
                template,
                &["spec", "volumes"],
                &[
                    SeqItem::Keep(0),
                    SeqItem::New(&json!({"name": "varlog", "emptyDir": {}})),
                    SeqItem::New(
                        &json!({"name": "config", "configMap": {"name": "filebeat-config"}}),
                    ),
                ],
            )?;
            ed.set_entries(
                template,
                &["metadata", "annotations"],
                &[(
                    "kruise.io/sidecarset-hash".into(),
                    "{\"filebeat\":{\"hash\":\"abc\"}}".into(),
                )],
            )
        });
        assert!(pure_addition(NGINX, &out));
        insta::assert_snapshot!(out);
        let v = value(&out);
        let pod = at(&v, &["spec", "template"]);
        assert_eq!(pod["spec"]["containers"][0], filebeat());
        assert_eq!(pod["spec"]["containers"][1]["name"], "nginx");
        assert_eq!(pod["spec"]["volumes"].as_array().unwrap().len(), 3);
        assert_eq!(
            pod["metadata"]["annotations"]["kruise.io/sidecarset-hash"],
            "{\"filebeat\":{\"hash\":\"abc\"}}"
        );
    }

    const LIST: &str = "\
items:
# first
- a
  # still item a
# second
- b   # trailing comment
- c
# end of document
";

    #[test]
    fn an_item_inserted_first_goes_above_the_comments_heading_the_old_first_item() {
        let text = "spec:\n  containers:\n  # the app\n  # (main)\n  - name: app\n";
        let out = edit(text, 0, |ed, root| {
            ed.edit_sequence(
                root,
                &["spec", "containers"],
                &[SeqItem::New(&json!({"name": "sidecar"})), SeqItem::Keep(0)],
            )
        });
        assert_eq!(
            out,
            "spec:\n  containers:\n  - name: sidecar\n  # the app\n  # (main)\n  - name: app\n"
        );
        // A comment indented otherwise is not the item's: the insertion stays at the `-` line.
        let text = "spec:\n  containers:\n    # about the list\n  - name: app\n";
        let out = edit(text, 0, |ed, root| {
            ed.edit_sequence(
                root,
                &["spec", "containers"],
                &[SeqItem::New(&json!({"name": "sidecar"})), SeqItem::Keep(0)],
            )
        });
        assert_eq!(
            out,
            "spec:\n  containers:\n    # about the list\n  - name: sidecar\n  - name: app\n"
        );
    }

    fn items_edit(items: &[SeqItem]) -> String {
        edit(LIST, 0, |ed, root| {
            ed.edit_sequence(root, &["items"], items)
        })
    }

    #[test]
    fn sequence_inserts_replacements_removals() {
        let n = |s: &str| SeqItem::New(Box::leak(Box::new(json!(s))));
        let k = SeqItem::Keep;
        let start = items_edit(&[n("new"), k(0), k(1), k(2)]);
        let middle = items_edit(&[k(0), n("new"), k(1), k(2)]);
        let end = items_edit(&[k(0), k(1), k(2), n("new")]);
        for out in [&start, &middle, &end] {
            assert!(pure_addition(LIST, out), "{out}");
        }
        insta::assert_snapshot!("insert_start", start);
        insta::assert_snapshot!("insert_middle", middle);
        insta::assert_snapshot!("insert_end", end);
        let replace = items_edit(&[k(0), n("B"), k(2)]);
        assert_eq!(value(&replace)["items"], json!(["a", "B", "c"]));
        insta::assert_snapshot!("replace", replace);
        let remove = items_edit(&[k(1)]);
        assert_eq!(value(&remove)["items"], json!(["b"]));
        insta::assert_snapshot!("remove", remove);
        let all = items_edit(&[]);
        assert_eq!(value(&all)["items"], json!([]));
        insta::assert_snapshot!("remove_all", all);
        assert_eq!(items_edit(&[k(0), k(1), k(2)]), LIST);
    }

    #[test]
    fn nested_sequences_in_sequences() {
        let text = "l:\n- - a\n  - b\n- x\n";
        let n = |s: &str| SeqItem::New(Box::leak(Box::new(json!(s))));
        let out = edit(text, 0, |ed, root| {
            let inner = &root.get("l").unwrap().as_seq().unwrap()[0];
            ed.edit_sequence(inner, &[], &[n("new"), SeqItem::Keep(1)])
        });
        assert_eq!(out, "l:\n- - new\n  - b\n- x\n");
        let out = edit(text, 0, |ed, root| {
            let inner = &root.get("l").unwrap().as_seq().unwrap()[0];
            ed.edit_sequence(
                inner,
                &[],
                &[n("first"), SeqItem::Keep(0), SeqItem::Keep(1), n("last")],
            )
        });
        assert_eq!(out, "l:\n- - first\n  - a\n  - b\n  - last\n- x\n");
        let out = edit(text, 0, |ed, root| {
            let inner = &root.get("l").unwrap().as_seq().unwrap()[0];
            ed.edit_sequence(inner, &[], &[])
        });
        assert_eq!(out, "l:\n- []\n- x\n");
    }

    #[test]
    fn missing_keys_are_created() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n# trailing comment\n";
        let out = edit(text, 0, |ed, root| {
            let template = root.at(&["spec", "template"]).unwrap();
            ed.set_entries(
                template,
                &["metadata", "annotations"],
                &[("a".into(), "on".into())],
            )?;
            ed.set_entries(
                template,
                &["metadata", "labels"],
                &[("app".into(), "x".into())],
            )?;
            ed.edit_sequence(
                template,
                &["spec", "initContainers"],
                &[SeqItem::New(
                    &json!({"name": "init", "command": ["sh", "-c", "echo 1\necho 2\n"]}),
                )],
            )?;
            ed.edit_sequence(
                template,
                &["spec", "volumes"],
                &[SeqItem::New(&json!({"name": "v"}))],
            )?;
            ed.set_entries(
                root,
                &["metadata", "annotations"],
                &[("b".into(), "2".into())],
            )
        });
        assert!(pure_addition(text, &out));
        insta::assert_snapshot!(out);
        let v = value(&out);
        assert_eq!(
            v["spec"]["template"]["metadata"],
            json!({"annotations": {"a": "on"}, "labels": {"app": "x"}})
        );
        assert_eq!(
            v["spec"]["template"]["spec"]["initContainers"][0]["command"][2],
            "echo 1\necho 2\n"
        );
        assert_eq!(v["metadata"], json!({"annotations": {"b": "2"}}));
    }

    #[test]
    fn empty_values_become_block_content() {
        let text = "metadata:\n  annotations: {}  # none yet\n  labels:\nspec:\n  volumes: []\n  containers: ~\n  x: 1\n";
        let out = edit(text, 0, |ed, root| {
            ed.set_entries(
                root,
                &["metadata", "annotations"],
                &[("a".into(), "1".into())],
            )?;
            ed.set_entries(
                root,
                &["metadata", "labels", "deeper"],
                &[("b".into(), "yes".into())],
            )?;
            ed.edit_sequence(
                root,
                &["spec", "volumes"],
                &[SeqItem::New(&json!({"name": "v"}))],
            )?;
            ed.edit_sequence(
                root,
                &["spec", "containers"],
                &[SeqItem::New(&json!({"name": "c"}))],
            )
        });
        insta::assert_snapshot!(out);
        assert_eq!(
            value(&out),
            json!({"metadata": {"annotations": {"a": "1"}, "labels": {"deeper": {"b": "yes"}}}, "spec": {"volumes": [{"name": "v"}], "containers": [{"name": "c"}], "x": 1}})
        );
    }

    #[test]
    fn set_entries_replaces_values() {
        let text = "metadata:\n  annotations:\n    same: \"true\"\n    old: v1 # keep this comment\n    block: |\n      text\n    empty:\n  name: x\n";
        let out = edit(text, 0, |ed, root| {
            ed.set_entries(
                root,
                &["metadata", "annotations"],
                &[
                    ("same".into(), "true".into()),
                    ("old".into(), "v2".into()),
                    ("block".into(), "no".into()),
                    ("empty".into(), "e".into()),
                    ("new".into(), "1.0".into()),
                ],
            )?;
            ed.set_entries(
                root,
                &["metadata", "annotations"],
                &[("old".into(), "v3".into())],
            )
        });
        insta::assert_snapshot!(out);
        assert_eq!(
            value(&out)["metadata"]["annotations"],
            json!({"same": "true", "old": "v3", "block": "no", "empty": "e", "new": "1.0"})
        );
    }

    #[test]
    fn flow_documents() {
        let text = "{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: a}, {name: b}]}}\n";
        let out = edit(text, 0, |ed, root| {
            ed.edit_sequence(
                root,
                &["spec", "containers"],
                &[
                    SeqItem::Keep(0),
                    SeqItem::New(&json!({"name": "x", "args": ["on"]})),
                    SeqItem::Keep(1),
                ],
            )?;
            ed.set_entries(
                root,
                &["metadata", "annotations"],
                &[("k".into(), "v".into())],
            )?;
            ed.set_entries(root, &["metadata"], &[("name".into(), "q".into())])?;
            ed.edit_sequence(
                root,
                &["spec", "volumes"],
                &[SeqItem::New(&json!({"name": "v"}))],
            )
        });
        assert_eq!(
            out,
            "{apiVersion: v1, kind: Pod, metadata: {name: \"q\", \"annotations\": {\"k\": \"v\"}}, spec: {containers: [{name: a}, {\"name\": \"x\", \"args\": [\"on\"]}, {name: b}], \"volumes\": [{\"name\": \"v\"}]}}\n"
        );
        let text = "args: [a, b, c]\nempty: []\nenv: {A: \"1\"}\n";
        let out = edit(text, 0, |ed, root| {
            ed.edit_sequence(
                root,
                &["args"],
                &[SeqItem::New(&json!("z")), SeqItem::Keep(1)],
            )?;
            ed.set_entries(root, &["env"], &[("B".into(), "2".into())])
        });
        assert_eq!(
            out,
            "args: [\"z\", b]\nempty: []\nenv: {A: \"1\", \"B\": \"2\"}\n"
        );
        let out = edit(text, 0, |ed, root| {
            ed.edit_sequence(root, &["args"], &[SeqItem::Keep(0), SeqItem::Keep(1)])
        });
        assert_eq!(out, "args: [a, b]\nempty: []\nenv: {A: \"1\"}\n");
        let out = edit(text, 0, |ed, root| ed.edit_sequence(root, &["args"], &[]));
        assert_eq!(out, "args: []\nempty: []\nenv: {A: \"1\"}\n");
    }

    const JSON_POD: &str = r#"{
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {
        "name": "p"
    },
    "spec": {
        "containers": [
            {
                "name": "app"
            }
        ],
        "volumes": []
    }
}
"#;

    #[test]
    fn json_documents() {
        let out = edit(JSON_POD, 0, |ed, root| {
            ed.edit_sequence(
                root,
                &["spec", "containers"],
                &[
                    SeqItem::New(&json!({"name": "first"})),
                    SeqItem::Keep(0),
                    SeqItem::New(&json!({"name": "last", "args": ["a"]})),
                ],
            )?;
            ed.edit_sequence(
                root,
                &["spec", "volumes"],
                &[SeqItem::New(&json!({"name": "v"}))],
            )?;
            ed.set_entries(
                root,
                &["metadata", "annotations"],
                &[("k".into(), "v".into())],
            )
        });
        insta::assert_snapshot!(out);
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v, value(&out));
        assert_eq!(v["spec"]["containers"].as_array().unwrap().len(), 3);
    }

    #[test]
    fn tabs_in_flow() {
        let text =
            "{\n\t\"metadata\": {\n\t\t\"name\": \"p\"\n\t},\n\t\"args\": [\n\t\t\"a\"\n\t]\n}\n";
        let out = edit(text, 0, |ed, root| {
            ed.edit_sequence(
                root,
                &["args"],
                &[SeqItem::Keep(0), SeqItem::New(&json!({"x": [1]}))],
            )?;
            ed.set_entries(root, &["metadata"], &[("namespace".into(), "ns".into())])
        });
        assert_eq!(
            out,
            "{\n\t\"metadata\": {\n\t\t\"name\": \"p\",\n\t\t\"namespace\": \"ns\"\n\t},\n\t\"args\": [\n\t\t\"a\",\n\t\t{\n\t\t\t\"x\": [\n\t\t\t\t1\n\t\t\t]\n\t\t}\n\t]\n}\n"
        );
        serde_json::from_str::<Value>(&out).unwrap();
    }

    #[test]
    fn list_documents() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: apps/v1\n  kind: Deployment\n  spec:\n    template:\n      spec:\n        containers:\n        - name: a\n- apiVersion: v1\n  kind: Service\n";
        let out = edit(text, 0, |ed, root| {
            let item = &root.get("items").unwrap().as_seq().unwrap()[0];
            ed.edit_sequence(
                item,
                &["spec", "template", "spec", "containers"],
                &[SeqItem::Keep(0), SeqItem::New(&json!({"name": "b"}))],
            )?;
            ed.set_entries(
                item,
                &["spec", "template", "metadata", "annotations"],
                &[("k".into(), "v".into())],
            )
        });
        assert!(pure_addition(text, &out));
        insta::assert_snapshot!(out);
    }

    #[test]
    fn crlf_and_bom() {
        let text = "\u{feff}metadata:\r\n  name: x\r\nspec:\r\n  containers:\r\n  - name: a\r\n";
        let out = edit(text, 0, |ed, root| {
            ed.edit_sequence(
                root,
                &["spec", "containers"],
                &[
                    SeqItem::New(&json!({"name": "s", "script": "a\nb\n"})),
                    SeqItem::Keep(0),
                    SeqItem::New(&json!({"name": "z"})),
                ],
            )?;
            ed.set_entries(
                root,
                &["metadata", "annotations"],
                &[("k".into(), "v".into())],
            )?;
            ed.set_entries(root, &["top"], &[("k".into(), "v".into())])
        });
        assert!(out.starts_with('\u{feff}'));
        assert!(!out.replace("\r\n", "").contains('\n'), "{out:?}");
        assert!(pure_addition(text, &out));
        insta::assert_snapshot!(out.replace('\r', "␍"));
        assert_eq!(value(&out)["spec"]["containers"][0]["script"], "a\nb\n");
    }

    #[test]
    fn quoted_keys() {
        let text = "\"metadata\":\n  'labels':\n    \"a\": \"b\"\n\"spec\":\n  \"containers\":\n    - \"name\": \"a\"\n";
        let out = edit(text, 0, |ed, root| {
            ed.edit_sequence(
                root,
                &["spec", "containers"],
                &[SeqItem::Keep(0), SeqItem::New(&json!({"name": "b"}))],
            )?;
            ed.set_entries(
                root,
                &["metadata", "labels"],
                &[("c".into(), "d".into()), ("a".into(), "b2".into())],
            )
        });
        assert_eq!(
            out,
            "\"metadata\":\n  'labels':\n    \"a\": b2\n    c: d\n\"spec\":\n  \"containers\":\n    - \"name\": \"a\"\n    - name: b\n"
        );
    }

    #[test]
    fn block_scalars_before_the_insertion_point() {
        let text = "c:\n- name: a\n  script: |\n    echo a\n\n    echo b\n\n- name: b\n  keep: |+\n    kept\n\n\n# comment\nd: 1\n";
        let out = edit(text, 0, |ed, root| {
            ed.edit_sequence(
                root,
                &["c"],
                &[
                    SeqItem::Keep(0),
                    SeqItem::New(&json!({"name": "mid", "s": "x\n"})),
                    SeqItem::Keep(1),
                    SeqItem::New(&json!({"name": "end", "s": "y\n\n"})),
                ],
            )
        });
        assert!(pure_addition(text, &out));
        insta::assert_snapshot!(out);
        let v = value(&out);
        assert_eq!(v["c"][0]["script"], "echo a\n\necho b\n");
        assert_eq!(v["c"][1]["s"], "x\n");
        assert_eq!(v["c"][2]["keep"], "kept\n\n\n");
        assert_eq!(v["c"][3]["s"], "y\n\n");
    }

    #[test]
    fn streams() {
        let text = "a: 1\n---\nkind: A\nl:\n- x\n---\n# doc 3\nkind: B\nl: [y]\n...\n";
        let docs = parse(text).unwrap();
        let mut out = String::new();
        for (i, doc) in docs.iter().enumerate() {
            let mut ed = Editor::new(text, doc);
            if i > 0 {
                let root = doc.root.as_ref().unwrap();
                ed.edit_sequence(
                    root,
                    &["l"],
                    &[SeqItem::Keep(0), SeqItem::New(&json!(format!("new{i}")))],
                )
                .unwrap();
            }
            out.push_str(&ed.finish());
        }
        assert_eq!(
            out,
            "a: 1\n---\nkind: A\nl:\n- x\n- new1\n---\n# doc 3\nkind: B\nl: [y, \"new2\"]\n...\n"
        );
    }

    #[test]
    fn indented_style_and_no_final_newline() {
        let text = "spec:\n    containers:\n        -   name: a\n    volumes:\n        - name: v";
        let out = edit(text, 0, |ed, root| {
            assert_eq!(ed.style(), IndentStyle { map: 4, seq: 4 });
            ed.edit_sequence(
                root,
                &["spec", "volumes"],
                &[
                    SeqItem::Keep(0),
                    SeqItem::New(&json!({"name": "w", "emptyDir": {"medium": "Memory"}})),
                ],
            )?;
            ed.edit_sequence(
                root,
                &["spec", "initContainers"],
                &[SeqItem::New(&json!({"name": "i", "args": ["x"]}))],
            )
        });
        assert_eq!(
            out,
            "spec:\n    containers:\n        -   name: a\n    volumes:\n        - name: v\n        - name: w\n          emptyDir:\n              medium: Memory\n    initContainers:\n        - name: i\n          args:\n              - x"
        );
    }

    #[test]
    fn refused_edits() {
        let text = "base: &b\n  x: [1]\nuse: *b\nlist:\n- a\nm: {k: v}\n";
        assert!(
            edit_err(text, |ed, root| ed.edit_sequence(root, &["use", "x"], &[])).contains("alias")
        );
        assert!(
            edit_err(text, |ed, root| ed.edit_sequence(root, &["base", "x"], &[]))
                .contains("aliased")
        );
        assert!(
            edit_err(text, |ed, root| ed.edit_sequence(
                root,
                &["list"],
                &[SeqItem::Keep(1)]
            ))
            .contains("no item 1")
        );
        assert!(
            edit_err(text, |ed, root| ed.edit_sequence(
                root,
                &["list"],
                &[SeqItem::Keep(0), SeqItem::Keep(0)]
            ))
            .contains("strictly")
        );
        assert!(
            edit_err(text, |ed, root| ed.edit_sequence(root, &["m"], &[]))
                .contains("not a sequence")
        );
        assert!(
            edit_err(text, |ed, root| ed.set_entries(
                root,
                &["list", "x"],
                &[("a".into(), "b".into())]
            ))
            .contains("not a mapping")
        );
        assert!(
            edit_err(text, |ed, root| ed.edit_sequence(
                root,
                &["missing"],
                &[SeqItem::Keep(0)]
            ))
            .contains("no items to keep")
        );
        let anchored = "list:\n- &a x\n- y\nuse: *a\n";
        assert!(
            edit_err(anchored, |ed, root| ed.edit_sequence(
                root,
                &["list"],
                &[SeqItem::Keep(1)]
            ))
            .contains("alias refers to")
        );
        let overlap = edit_err(NGINX, |ed, root| {
            let containers = root
                .at(&["spec", "template", "spec", "containers"])
                .unwrap();
            ed.edit_sequence(containers, &[], &[SeqItem::New(&json!("x"))])?;
            ed.edit_sequence(
                &containers.as_seq().unwrap()[0],
                &["volumeMounts"],
                &[SeqItem::Keep(0), SeqItem::New(&json!({"name": "m"}))],
            )
        });
        assert!(overlap.contains("overlaps"), "{overlap}");
        let conflict = edit_err(text, |ed, root| {
            ed.edit_sequence(root, &["new", "a"], &[SeqItem::New(&json!(1))])?;
            ed.set_entries(root, &["new", "a", "b"], &[("c".into(), "d".into())])
        });
        assert!(conflict.contains("already set"), "{conflict}");
    }

    /// (JSON pointer of a mapping, its node, a key of it) for every pair of `root`.
    fn pairs(root: &Node) -> Vec<(String, &Node, String, &Node)> {
        let mut out = Vec::new();
        let mut stack = vec![(String::new(), root)];
        while let Some((ptr, n)) = stack.pop() {
            match &n.kind {
                NodeKind::Sequence(items) => stack.extend(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, c)| (format!("{ptr}/{i}"), c)),
                ),
                NodeKind::Mapping(ps) => {
                    for (k, v) in ps {
                        let key = k.as_str().unwrap_or_default().to_string();
                        out.push((ptr.clone(), n, key.clone(), v));
                        stack.push((
                            format!("{ptr}/{}", key.replace('~', "~0").replace('/', "~1")),
                            v,
                        ));
                    }
                }
                _ => {}
            }
        }
        out
    }

    #[test]
    fn edits_resolve_as_expected() {
        let mut texts: Vec<String> = std::fs::read_dir(EXAMPLES)
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect();
        texts.extend(
            [
                NGINX.replace('\n', "\r\n"),
                LIST.to_string(),
                JSON_POD.to_string(),
                "spec:\n    containers:\n        -   name: a\n            args: [x, y]\n    volumes:\n        - name: v".to_string(),
                "a: {b: [1, 2], c: {}}\nd: [ {e: f} ]  # c\nl:\n- - a\n  - b\n- |+\n  keep\n\n# end\n".to_string(),
                "\u{feff}m:\n  k: |\n    lit\n\n  s:\n  - x\n\n  # gap\n  - y\n".to_string(),
                "args: [\n  \"a\",\n  \"b\"\n  ]\nenv: {\n  A: 1\n  }\n".to_string(),
                "c:\n- name: a\n  script: |+\n    x\n\n\n- name: b\n  v: >-\n    folded\n    text\n\n# between\n- c\n".to_string(),
                "x: &anc\n  w: [1]\nz:\n  - &i item\n  -\n  - ''\n  - k:\n    l: # c\n".to_string(),
                "{\"a\": {\"b\": []}, \"c\": [1], \"d\": {}}".to_string(),
                "top:\n  - a\n  - b  # last\n\n\n# trailing\n".to_string(),
            ],
        );
        let new = json!({"name": "on", "script": "echo\n", "list": ["0644", {}], "n": 1.5});
        let tail = json!("x\n\n");
        let mut count = 0;
        for text in &texts {
            let docs = parse(text).unwrap();
            let doc = &docs[0];
            let root = doc.root.as_ref().unwrap();
            let orig = to_value(root, doc).unwrap();
            for (ptr, map, key, value) in pairs(root) {
                let check = |f: &dyn Fn(&mut Editor) -> Result<(), EditError>,
                             want: &dyn Fn(&mut Value)| {
                    let mut ed = Editor::new(text, doc);
                    f(&mut ed).unwrap_or_else(|e| panic!("{ptr}/{key}: {e}\n{text}"));
                    let out = ed.finish();
                    let mut expected = orig.clone();
                    want(expected.pointer_mut(&ptr).unwrap());
                    let docs2 = parse(&out).unwrap_or_else(|e| panic!("{ptr}/{key}: {e}\n{out}"));
                    let got = to_value(docs2[0].root.as_ref().unwrap(), &docs2[0]).unwrap();
                    assert_eq!(
                        got, expected,
                        "{ptr}/{key}\n--- before\n{text}\n--- after\n{out}"
                    );
                };
                let k = key.as_str();
                if let Some(items) = value.as_seq() {
                    let n = items.len();
                    let mut scripts: Vec<Vec<SeqItem>> = vec![
                        std::iter::once(SeqItem::New(&new))
                            .chain((0..n).map(SeqItem::Keep))
                            .collect(),
                        (0..n)
                            .map(SeqItem::Keep)
                            .chain([SeqItem::New(&new), SeqItem::New(&tail)])
                            .collect(),
                        vec![],
                    ];
                    for i in 0..n {
                        scripts.push(
                            (0..n)
                                .map(|j| {
                                    if i == j {
                                        SeqItem::New(&new)
                                    } else {
                                        SeqItem::Keep(j)
                                    }
                                })
                                .collect(),
                        );
                        scripts.push((0..n).filter(|j| *j != i).map(SeqItem::Keep).collect());
                    }
                    for script in &scripts {
                        count += 1;
                        check(&|ed| ed.edit_sequence(map, &[k], script), &|v| {
                            let old = v[k].as_array().cloned().unwrap_or_default();
                            v[k] = Value::Array(
                                script
                                    .iter()
                                    .map(|it| match it {
                                        SeqItem::Keep(j) => old[*j].clone(),
                                        SeqItem::New(x) => (*x).clone(),
                                        SeqItem::Shared(x) => (***x).clone(),
                                    })
                                    .collect(),
                            );
                        });
                    }
                }
                if value.as_map().is_some() {
                    let existing = value
                        .as_map()
                        .unwrap()
                        .iter()
                        .find(|(_, v)| v.as_str().is_some())
                        .and_then(|(k, _)| k.as_str());
                    let mut entries = vec![
                        ("new/key".to_string(), "yes".to_string()),
                        ("multi".to_string(), "a\nb\n".to_string()),
                    ];
                    entries.extend(existing.map(|e| (e.to_string(), "changed".to_string())));
                    count += 1;
                    check(&|ed| ed.set_entries(map, &[k], &entries), &|v| {
                        if !v[k].is_object() {
                            v[k] = json!({});
                        }
                        for (ek, ev) in &entries {
                            v[k][ek] = json!(ev);
                        }
                    });
                }
                count += 1;
                check(
                    &|ed| {
                        ed.set_entries(map, &[k, "deep", "er"], &[("z".into(), "0".into())])
                            .or_else(|e| {
                                if e.message.contains("not a mapping") {
                                    Ok(())
                                } else {
                                    Err(e)
                                }
                            })
                    },
                    &|v| {
                        if v[k].is_object() || v[k].is_null() {
                            v[k]["deep"]["er"]["z"] = json!("0");
                        }
                    },
                );
            }
        }
        assert!(count > 200, "{count}");
    }

    #[test]
    fn editing_a_sequence_node_directly() {
        let text = "a:\n  containers:\n  - name: x\n  b: 1\n";
        let out = edit(text, 0, |ed, root| {
            let containers = root.at(&["a", "containers"]).unwrap();
            ed.edit_sequence(containers, &[], &[])
        });
        assert_eq!(out, "a:\n  containers: []\n  b: 1\n");
        let out = edit(text, 0, |ed, root| {
            let containers = root.at(&["a", "containers"]).unwrap();
            ed.edit_sequence(
                containers,
                &[],
                &[SeqItem::Keep(0), SeqItem::New(&json!({"name": "y"}))],
            )
        });
        assert_eq!(
            out,
            "a:\n  containers:\n  - name: x\n  - name: \"y\"\n  b: 1\n"
        );
    }

    #[test]
    fn inner_inserts_come_before_outer_ones() {
        // a new volume after the last one and a new key after `volumes` land at the same point
        let out = edit(NGINX, 0, |ed, root| {
            let spec = root.at(&["spec", "template", "spec"]).unwrap();
            ed.set_entries(spec, &[], &[("hostname".into(), "h".into())])?;
            ed.edit_sequence(
                spec,
                &["volumes"],
                &[SeqItem::Keep(0), SeqItem::New(&json!({"name": "v2"}))],
            )
        });
        assert!(
            out.ends_with(
                "      - name: log\n        emptyDir: {}\n      - name: v2\n      hostname: h\n"
            ),
            "{out}"
        );
    }

    fn remove(text: &str, path: &[&str], keys: &[&str]) -> String {
        edit(text, 0, |ed, root| ed.remove_entries(root, path, keys))
    }

    #[test]
    fn remove_entries_block_flow_and_compact() {
        let text = "m:\n  a: 1 # one\n  b:\n    c: 2\n  d: 3\n# end\n";
        assert_eq!(
            remove(text, &["m"], &["b"]),
            "m:\n  a: 1 # one\n  d: 3\n# end\n"
        );
        assert_eq!(
            remove(text, &["m"], &["a", "d"]),
            "m:\n  b:\n    c: 2\n# end\n"
        );
        assert_eq!(remove(text, &["m"], &["x"]), text);
        assert_eq!(remove(text, &["nope", "m"], &["a"]), text);
        assert_eq!(remove(text, &["m"], &["a", "b", "d"]), "m: {}\n# end\n");
        assert_eq!(remove(text, &[], &["m"]), "{}\n# end\n");
        let compact = "l:\n- a: 1\n  b: 2\n  c: 3\n";
        let out = edit(compact, 0, |ed, root| {
            let item = &root.get("l").unwrap().as_seq().unwrap()[0];
            ed.remove_entries(item, &[], &["a", "c"])
        });
        assert_eq!(out, "l:\n- b: 2\n");
        let flow = "m: {a: 1, b: 2, c: 3}\n";
        assert_eq!(remove(flow, &["m"], &["a"]), "m: {b: 2, c: 3}\n");
        assert_eq!(remove(flow, &["m"], &["b", "c"]), "m: {a: 1}\n");
        assert_eq!(remove(flow, &["m"], &["a", "b", "c"]), "m: {}\n");
        let no_newline = "m:\n  a: 1\n  b: 2";
        assert_eq!(remove(no_newline, &["m"], &["b"]), "m:\n  a: 1");
        let crlf = "m:\r\n  a: 1\r\n  b: 2\r\n";
        assert_eq!(remove(crlf, &["m"], &["a"]), "m:\r\n  b: 2\r\n");
        assert!(
            edit_err("m: &x {a: 1}\nn: *x\n", |ed, root| ed.remove_entries(
                root,
                &["m"],
                &["a"]
            ))
            .contains("alias")
        );
        assert!(
            edit_err("m: [1]\n", |ed, root| ed.remove_entries(
                root,
                &["m"],
                &["a"]
            ))
            .contains("not a mapping")
        );
    }

    #[test]
    fn removing_entries_that_set_entries_added_gives_back_the_text() {
        let entries = [
            ("k/a".to_owned(), "{\"x\":1}".to_owned()),
            ("k/b".to_owned(), "v".to_owned()),
        ];
        for text in [
            "metadata:\n  labels:\n    app: x\n  # comment\nspec: {}\n",
            "metadata:\n  annotations:\n    mine: \"1\"\nspec: {}\n",
            "{\"metadata\": {\"name\": \"x\"}, \"spec\": {}}\n",
            "{\n  \"metadata\": {\n    \"annotations\": {\n      \"a\": \"b\"\n    }\n  }\n}\n",
            "metadata: {annotations: {a: b}}\n",
            "metadata:\n  name: x",
        ] {
            let added = edit(text, 0, |ed, root| {
                ed.set_entries(root, &["metadata", "annotations"], &entries)
            });
            assert_ne!(added, text);
            let had = value(text)["metadata"].get("annotations").is_some();
            let back = if had {
                remove(&added, &["metadata", "annotations"], &["k/a", "k/b"])
            } else {
                remove(&added, &["metadata"], &["annotations"])
            };
            assert_eq!(back, text, "{added}");
        }
    }
}
