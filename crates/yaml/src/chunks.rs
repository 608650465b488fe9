//! A YAML stream read in pieces of whole documents, so that a long stream (a `kubectl get -o yaml`
//! of thousands of objects, the output of `render`) is parsed and edited a few documents at a
//! time instead of as one tree.
//!
//! [`Chunks`] cuts the stream only where [`crate::tree::parse`] of the whole text would put a
//! document boundary: at the start of a `---` line (`---` at column 0 followed by a blank or the
//! end of the line: a document start marker, which YAML does not allow inside a scalar), when the
//! piece so far holds a line of content and its last content line is neither a `...` document end
//! marker nor a `%` directive (after `...` the boundary is after that line, and a directive belongs
//! to the document after it; such pieces simply continue). Parsing each piece on its own then gives
//! the same documents, with the same spans relative to the piece, as parsing the whole text: the
//! caller adds [`Chunk::first_line`] to the lines. A piece is at least `min_len` bytes long unless
//! the stream ends (fewer, larger pieces cost less to parse).
//!
//! Malformed YAML can differ: a quoted scalar or a flow collection cut by a `---` line is an error
//! either way, but the message can differ. Callers that must report the whole text's error parse the
//! rest of the stream in one piece when a piece fails.

use std::io::{self, BufRead};

use crate::tree::{Document, Node, NodeKind};

/// A piece of a YAML stream made of whole documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// The bytes (not checked to be UTF-8).
    pub bytes: Vec<u8>,
    /// Lines of the stream before this piece (0 for the first piece).
    pub first_line: usize,
    /// `---` lines of the stream before this piece (lines that are `---`, or start with `--- `).
    pub markers_before: usize,
}

/// The pieces of a stream; see the module documentation.
#[derive(Debug)]
pub struct Chunks<R> {
    reader: R,
    min_len: usize,
    /// the piece being gathered
    bytes: Vec<u8>,
    first_line: usize,
    markers_before: usize,
    /// lines and markers in `bytes`
    lines: usize,
    markers: usize,
    /// `bytes` has a content line, and the last one is neither `...` nor a directive
    can_cut: bool,
    /// a line read but not yet in a piece (a `---` line that starts the next piece)
    carry: Option<Vec<u8>>,
    done: bool,
}

impl<R: BufRead> Chunks<R> {
    /// The pieces of `reader`, each at least `min_len` bytes long (but the last).
    pub fn new(reader: R, min_len: usize) -> Self {
        Chunks {
            reader,
            min_len,
            bytes: Vec::new(),
            first_line: 0,
            markers_before: 0,
            lines: 0,
            markers: 0,
            can_cut: false,
            carry: None,
            done: false,
        }
    }

    /// Everything not yet returned, as one piece (`None` at the end): for a caller that wants the
    /// rest in one parse.
    pub fn rest(&mut self) -> io::Result<Option<Chunk>> {
        let mut bytes = std::mem::take(&mut self.bytes);
        if let Some(line) = self.carry.take() {
            bytes.extend_from_slice(&line);
        }
        if !self.done {
            self.reader.read_to_end(&mut bytes)?;
            self.done = true;
        }
        if bytes.is_empty() {
            return Ok(None);
        }
        Ok(Some(Chunk {
            bytes,
            first_line: self.first_line,
            markers_before: self.markers_before,
        }))
    }

    fn take(&mut self) -> Chunk {
        let chunk = Chunk {
            bytes: std::mem::take(&mut self.bytes),
            first_line: self.first_line,
            markers_before: self.markers_before,
        };
        self.first_line += self.lines;
        self.markers_before += self.markers;
        self.lines = 0;
        self.markers = 0;
        self.can_cut = false;
        chunk
    }

    fn push_line(&mut self, line: &[u8]) {
        self.bytes.extend_from_slice(line);
        if line.ends_with(b"\n") {
            self.lines += 1;
        }
        if is_document_start(line) {
            let text = line.strip_suffix(b"\n").unwrap_or(line);
            let text = text.strip_suffix(b"\r").unwrap_or(text);
            if text == b"---" || text.starts_with(b"--- ") {
                self.markers += 1;
            }
            return;
        }
        let trimmed = trim_start(line);
        if trimmed.is_empty() || trimmed.starts_with(b"#") {
            return;
        }
        self.can_cut = !(is_document_end(line) || line.starts_with(b"%"));
    }
}

impl<R: BufRead> Iterator for Chunks<R> {
    type Item = io::Result<Chunk>;

    fn next(&mut self) -> Option<io::Result<Chunk>> {
        if let Some(line) = self.carry.take() {
            self.push_line(&line);
        }
        loop {
            if self.done {
                return (!self.bytes.is_empty()).then(|| Ok(self.take()));
            }
            let mut line = Vec::new();
            match self.reader.read_until(b'\n', &mut line) {
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
                Ok(0) => self.done = true,
                Ok(_) => {
                    if is_document_start(&line) && self.can_cut && self.bytes.len() >= self.min_len
                    {
                        self.carry = Some(line);
                        return Some(Ok(self.take()));
                    }
                    self.push_line(&line);
                }
            }
        }
    }
}

/// Adds `lines` to the line of every document and node: the documents of a [`Chunk`] parsed on
/// its own, numbered as lines of the whole stream ([`Chunk::first_line`]).
pub fn shift_lines(documents: &mut [Document], lines: usize) {
    if lines == 0 {
        return;
    }
    let mut stack: Vec<&mut Node> = Vec::new();
    for doc in documents {
        doc.line += lines;
        stack.extend(doc.root.as_mut());
        while let Some(node) = stack.pop() {
            node.line += lines;
            match &mut node.kind {
                NodeKind::Sequence(items) => stack.extend(items.iter_mut()),
                NodeKind::Mapping(pairs) => {
                    stack.extend(pairs.iter_mut().flat_map(|(k, v)| [k, v]));
                }
                NodeKind::Scalar { .. } | NodeKind::Alias(_) => {}
            }
        }
    }
}

fn trim_start(line: &[u8]) -> &[u8] {
    let n = line
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .count();
    &line[n..]
}

/// `---` at column 0 followed by a blank, a line break or the end.
fn is_document_start(line: &[u8]) -> bool {
    line.starts_with(b"---") && matches!(line.get(3), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
}

/// `...` at column 0 followed by a blank, a line break or the end.
fn is_document_end(line: &[u8]) -> bool {
    line.starts_with(b"...") && matches!(line.get(3), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::tree;

    fn pieces(text: &str, min_len: usize) -> Vec<Chunk> {
        Chunks::new(text.as_bytes(), min_len)
            .collect::<io::Result<Vec<_>>>()
            .unwrap()
    }

    /// The documents of the pieces, with spans and lines moved to the whole text.
    fn documents_of_pieces(
        text: &str,
        min_len: usize,
    ) -> Vec<(std::ops::Range<usize>, usize, Option<usize>)> {
        let mut out = Vec::new();
        let mut at = 0;
        for chunk in pieces(text, min_len) {
            let piece = std::str::from_utf8(&chunk.bytes).unwrap();
            assert_eq!(
                chunk.first_line,
                text[..at].matches('\n').count(),
                "{text:?}"
            );
            let mut docs =
                tree::parse(piece).unwrap_or_else(|e| panic!("{piece:?} of {text:?}: {e}"));
            shift_lines(&mut docs, chunk.first_line);
            for doc in docs {
                let root_line = doc.root.as_ref().map(|r| r.line);
                out.push((doc.span.start + at..doc.span.end + at, doc.line, root_line));
            }
            at += chunk.bytes.len();
        }
        assert_eq!(at, text.len());
        out
    }

    fn documents(text: &str) -> Vec<(std::ops::Range<usize>, usize, Option<usize>)> {
        tree::parse(text)
            .unwrap()
            .into_iter()
            .map(|d: Document| (d.span, d.line, d.root.map(|r| r.line)))
            .collect()
    }

    #[test]
    fn pieces_hold_whole_documents_as_the_whole_parse_cuts_them() {
        for text in [
            "a: 1\n---\nb: 2\n---\nc: 3\n",
            "# head\n---\na: 1\n--- # two\nb: |\n  x\n  ---\n---\n",
            "---\na: 1\n...\n---\nb: 2\n...\n# tail\n",
            "a: 1\n...\n%YAML 1.2\n---\nb: 2\n---\nc: 3",
            "a: 1\n---\n# only a comment\n---\nb: 2\n",
            "a: 1\r\n---\r\nb: 2\r\n",
            "a: 1\n...\nb: 2\n---\nc: 3\n",
            "a: 1\n---\t\nb: 2\n",
            "a: |\n  x\n---\nb: 1\n",
            "",
            "---\n",
            "# just a comment\n",
            "\u{feff}a: 1\n---\nb: x\n  y\n",
        ] {
            assert_eq!(documents_of_pieces(text, 0), documents(text), "{text:?}");
            assert_eq!(documents_of_pieces(text, 8), documents(text), "{text:?}");
        }
    }

    #[test]
    fn pieces_are_cut_only_at_markers_after_content_and_at_least_min_len_long() {
        let text = "a: 1\n---\nb: 2\n---\nc: 3\n";
        let cut: Vec<String> = pieces(text, 0)
            .into_iter()
            .map(|c| String::from_utf8(c.bytes).unwrap())
            .collect();
        assert_eq!(cut, ["a: 1\n", "---\nb: 2\n", "---\nc: 3\n"]);
        assert_eq!(pieces(text, 10).len(), 2);
        assert_eq!(pieces(text, 1000).len(), 1);
        let chunks = pieces(text, 0);
        assert_eq!(
            chunks
                .iter()
                .map(|c| (c.first_line, c.markers_before))
                .collect::<Vec<_>>(),
            [(0, 0), (1, 0), (3, 1)]
        );
        // after `...` or a directive, no cut: the boundary is elsewhere
        assert_eq!(pieces("a: 1\n...\n---\nb: 2\n", 0).len(), 1);
        assert_eq!(pieces("%YAML 1.2\n---\nb: 2\n", 0).len(), 1);
        // the rest in one piece
        let mut chunks = Chunks::new(text.as_bytes(), 0);
        assert!(chunks.next().is_some());
        let rest = chunks.rest().unwrap().unwrap();
        assert_eq!(rest.bytes, b"---\nb: 2\n---\nc: 3\n");
        assert_eq!((rest.first_line, rest.markers_before), (1, 0));
        assert_eq!(chunks.rest().unwrap(), None);
        assert!(chunks.next().is_none());
    }

    proptest::proptest! {
        #[test]
        fn random_streams_are_cut_where_the_whole_parse_cuts_them(
            parts in proptest::collection::vec(0usize..12, 0..24),
            min_len in 0usize..16,
        ) {
            const FRAGMENTS: [&str; 12] = [
                "a: 1\n", "---\n", "--- # x\n", "...\n", "# c\n", "\n", "b:\n  - x\n",
                "%YAML 1.2\n", "c: |\n  t\n\n", "--- |\n  s\n", "- 1\n", "d: 'q'\r\n",
            ];
            let text: String = parts.iter().map(|&i| FRAGMENTS[i]).collect();
            if tree::parse(&text).is_ok() {
                proptest::prop_assert_eq!(documents_of_pieces(&text, min_len), documents(&text), "{:?}", text);
            }
        }
    }
}
