//! A YAML stream read document by document, the items of a list handed out one at a time (issue
//! 14).
//!
//! `kubectl get pods -A -o yaml` is one document, a `kind: List` whose `items` hold every pod; its
//! tree ([`crate::tree::parse`]) takes about twenty times its text. [`read`] builds the tree of
//! one item of the `items` sequence of a document's root mapping, hands it out with its value and
//! drops it: what it holds at a time is one item and the rest of the document (its `apiVersion`,
//! `kind`, `metadata`). Once an anchor appears in a document, the items from there on stay in it
//! (an alias further on may need them) and come with it: a dump has no anchors, and a text that
//! has them costs what [`crate::tree::parse`] costs, no more.
//!
//! What it hands out is what [`crate::tree::parse`] and [`crate::resolve::to_value`] give for the
//! same text, piece by piece: an item's node (spans, lines and columns in the whole text) and its
//! value; then its document, whose `items` sequence holds only the items not handed out (its span
//! still the whole sequence's). The bounds are theirs: nesting ([`crate::tree::MAX_DEPTH`]), and
//! alias expansion ([`crate::resolve::MAX_ALIAS_EXPANSION`]) per document (the items handed out
//! have no aliases: no anchor comes before them).
//!
//! Whether the document is a `List` is known only at its end (`kubectl` writes `kind` after
//! `items`): a reader that finds it is not must read the document again with
//! [`crate::tree::parse`] (a document that is not a list but has a top-level `items` sequence).

use saphyr_parser::Parser;
use serde_json::Value;

use crate::resolve::value_among;
use crate::tree::{Builder, Document, Node, YamlError, check_line_ends, scan_error};

/// What [`read`] hands out, in the order of the text.
#[derive(Debug)]
pub enum Piece<'a> {
    /// An item of the `items` sequence of the root mapping of document `document` (0-based).
    Item {
        document: usize,
        node: &'a Node,
        /// The item's value ([`crate::resolve::to_value`]).
        value: Value,
    },
    /// A document, after its items.
    Document {
        index: usize,
        /// The document; the `items` sequence of its root holds the items not handed out.
        document: &'a Document,
        /// Its root's value (its `items` those not handed out); `None` for a document with no
        /// root (empty, or only comments).
        value: Option<Value>,
        /// How many items of it were handed out before.
        items: usize,
    },
}

/// Why [`read`] stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StreamError<E> {
    /// The text is not YAML (what [`crate::tree::parse`] finds).
    #[error("{0}")]
    Syntax(YamlError),
    /// A value of document `document` (0-based) cannot be read (what
    /// [`crate::resolve::to_value`] finds).
    #[error("{error}")]
    Value { document: usize, error: YamlError },
    /// The visitor stopped.
    #[error("{0}")]
    Visit(E),
}

/// The document being read.
#[derive(Default)]
struct Current {
    index: usize,
    /// Items handed out so far.
    items: usize,
}

/// Reads `text`, handing its documents and the items of their lists to `visit` (see the module
/// documentation).
pub fn read<E>(
    text: &str,
    mut visit: impl FnMut(Piece<'_>) -> Result<(), E>,
) -> Result<(), StreamError<E>> {
    check_line_ends(text).map_err(StreamError::Syntax)?;
    let mut builder = Builder::new(text, true);
    let mut parser = Parser::new_from_str(text);
    let mut current = Current::default();
    while let Some(next) = parser.next_event() {
        let (ev, span) = next.map_err(|e| StreamError::Syntax(scan_error(&e)))?;
        builder.on_event(ev, span).map_err(StreamError::Syntax)?;
        if let Some(item) = builder.taken.take() {
            // no alias in it (no anchor before it); below the root mapping and its `items`
            let value =
                value_among(&item, &[&item], 2, &mut 0).map_err(|error| StreamError::Value {
                    document: current.index,
                    error,
                })?;
            visit(Piece::Item {
                document: current.index,
                node: &item,
                value,
            })
            .map_err(StreamError::Visit)?;
            current.items += 1;
        }
        // a document ended and the next began: the first ends where the second starts
        if let Some(next_start) = builder.doc.as_ref().map(|d| d.start)
            && !builder.docs.is_empty()
        {
            for d in std::mem::take(&mut builder.docs) {
                let document = builder.document(d, next_start);
                hand_out(&document, &mut current, &mut visit)?;
                current = Current {
                    index: current.index + 1,
                    items: 0,
                };
            }
        }
    }
    let started = current.index > 0;
    let rest = builder.finish_stream(started);
    for document in rest {
        hand_out(&document, &mut current, &mut visit)?;
        current = Current {
            index: current.index + 1,
            items: 0,
        };
    }
    Ok(())
}

/// Resolves a complete document and hands it out.
fn hand_out<E>(
    document: &Document,
    current: &mut Current,
    visit: &mut impl FnMut(Piece<'_>) -> Result<(), E>,
) -> Result<(), StreamError<E>> {
    let value = match &document.root {
        None => None,
        Some(root) => {
            Some(
                value_among(root, &[root], 0, &mut 0).map_err(|error| StreamError::Value {
                    document: current.index,
                    error,
                })?,
            )
        }
    };
    visit(Piece::Document {
        index: current.index,
        document,
        value,
        items: current.items,
    })
    .map_err(StreamError::Visit)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
pub(crate) mod tests {
    use super::*;
    use crate::resolve::{MAX_ALIAS_EXPANSION, to_value};
    use crate::tree::{NodeKind, parse};

    /// Whether `node` or a node below it has an anchor.
    fn has_anchor(node: &Node) -> bool {
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            if n.anchor.is_some() {
                return true;
            }
            match &n.kind {
                NodeKind::Sequence(items) => stack.extend(items.iter()),
                NodeKind::Mapping(pairs) => stack.extend(pairs.iter().flat_map(|(k, v)| [k, v])),
                _ => {}
            }
        }
        false
    }

    /// What [`read`] hands out, as owned values: items (document, node, value) and documents.
    #[derive(Debug, PartialEq)]
    pub(crate) enum Owned {
        Item(usize, Node, Value),
        Document(usize, Document, Option<Value>, usize),
    }

    pub(crate) fn pieces(text: &str) -> Result<Vec<Owned>, StreamError<std::convert::Infallible>> {
        let mut out = Vec::new();
        read(text, |piece| {
            out.push(match piece {
                Piece::Item {
                    document,
                    node,
                    value,
                } => Owned::Item(document, node.clone(), value),
                Piece::Document {
                    index,
                    document,
                    value,
                    items,
                } => Owned::Document(index, document.clone(), value, items),
            });
            Ok(())
        })?;
        Ok(out)
    }

    /// What [`read`] must hand out for `text`, from [`parse`] and [`to_value`]; `None` if they fail.
    pub(crate) fn expected(text: &str) -> Option<Vec<Owned>> {
        let docs = parse(text).ok()?;
        let mut out = Vec::new();
        for (index, mut doc) in docs.into_iter().enumerate() {
            let value = match &doc.root {
                Some(root) => Some(to_value(root, &doc).ok()?),
                None => None,
            };
            let mut items = 0;
            // the items before the document's first anchor are handed out
            let taken = doc.root.as_ref().map_or(0, |root| {
                let Some(pairs) = root.as_map() else {
                    return 0;
                };
                let Some(at) = pairs.iter().position(|(k, _)| k.as_str() == Some("items")) else {
                    return 0;
                };
                let (key, seq) = &pairs[at];
                let before = root.anchor.is_some()
                    || has_anchor(key)
                    || seq.anchor.is_some()
                    || pairs[..at]
                        .iter()
                        .any(|(k, v)| has_anchor(k) || has_anchor(v));
                match seq.as_seq() {
                    Some(nodes) if !before => nodes.iter().take_while(|n| !has_anchor(n)).count(),
                    _ => 0,
                }
            });
            let mut value = value;
            if taken > 0 {
                let Some(root) = doc.root.as_mut() else {
                    unreachable!()
                };
                let NodeKind::Mapping(pairs) = &mut root.kind else {
                    unreachable!()
                };
                let Some((_, seq)) = pairs.iter_mut().find(|(k, _)| k.as_str() == Some("items"))
                else {
                    unreachable!()
                };
                let NodeKind::Sequence(nodes) = &mut seq.kind else {
                    unreachable!()
                };
                let Some(Value::Array(values)) = value.as_mut().and_then(|v| v.get_mut("items"))
                else {
                    unreachable!()
                };
                for (node, v) in nodes.drain(..taken).zip(values.drain(..taken)) {
                    out.push(Owned::Item(index, node, v));
                    items += 1;
                }
            }
            out.push(Owned::Document(index, doc, value, items));
        }
        Some(out)
    }

    /// [`read`] hands out what [`expected`] says, and fails where [`parse`] or [`to_value`] fail
    /// (with the same error when there is one only).
    pub(crate) fn agree(text: &str) {
        let got = pieces(text);
        match expected(text) {
            Some(want) => assert_eq!(got.as_ref().ok(), Some(&want), "{text:?}"),
            None => assert!(got.is_err(), "{text:?}: {got:?}"),
        }
    }

    const LIST: &str = "apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: a\n    labels: {app: web}\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: b\n  spec:\n    containers:\n    - name: c\n      image: nginx\nkind: List\nmetadata:\n  resourceVersion: \"\"\n";

    #[test]
    fn a_list_is_handed_out_item_by_item() {
        let got = pieces(LIST).unwrap();
        assert_eq!(Some(&got), expected(LIST).as_ref());
        let lines: Vec<(usize, usize)> = got
            .iter()
            .filter_map(|p| match p {
                Owned::Item(_, node, _) => Some((node.line, node.col)),
                Owned::Document(..) => None,
            })
            .collect();
        assert_eq!(lines, [(3, 2), (8, 2)]);
        let Owned::Document(0, doc, Some(value), 2) = &got[2] else {
            panic!("{got:?}")
        };
        assert_eq!(
            value,
            &serde_json::json!({"apiVersion": "v1", "items": [], "kind": "List", "metadata": {"resourceVersion": ""}})
        );
        // the emptied sequence keeps its span (the whole list)
        let items = doc.root.as_ref().unwrap().get("items").unwrap();
        assert_eq!(items.as_seq().map(<[Node]>::len), Some(0));
        assert!(LIST[items.span.clone()].starts_with("- apiVersion"));
        assert!(LIST[items.span.clone()].ends_with("image: nginx"));
    }

    #[test]
    fn json_lists_and_several_documents() {
        let text = "{\"apiVersion\": \"v1\", \"items\": [\n  {\"kind\": \"Pod\", \"metadata\": {\"name\": \"a\"}},\n  {\"kind\": \"Pod\"}\n], \"kind\": \"List\"}\n---\n# a comment\nkind: Namespace\n---\n---\nitems: []\nkind: List\n---\nitems:\nkind: List\n";
        let got = pieces(text).unwrap();
        assert_eq!(Some(&got), expected(text).as_ref());
        let shape: Vec<(usize, usize)> = got
            .iter()
            .filter_map(|p| match p {
                Owned::Document(i, _, _, n) => Some((*i, *n)),
                Owned::Item(..) => None,
            })
            .collect();
        assert_eq!(shape, [(0, 2), (1, 0), (2, 0), (3, 0), (4, 0)]);
        for text in ["", "# only\n", "---\n", "a: 1\n...\n# x\n"] {
            assert_eq!(Some(pieces(text).unwrap()), expected(text), "{text:?}");
        }
    }

    #[test]
    fn aliases_resolve_as_in_the_whole_document() {
        let text = "x: &v 1\nitems:\n- &p {name: a, n: *v}\n- {name: b, like: *p}\n- *p\nkind: List\ncopy: *p\n";
        let got = pieces(text).unwrap();
        assert_eq!(Some(&got), expected(text).as_ref());
        // an alias to the list, to the root, to an anchor not yet defined, to its own item: as
        // for the whole document
        for text in [
            "items: &all\n- a\ncopy: *all\n",
            "&r\nitems:\n- *r\n",
            "items:\n- *later\n- &later x\n",
            "items:\n- &p [*p]\n",
            "&r {items: [{a: *r}]}\n",
        ] {
            agree(text);
        }
        let Err(StreamError::Value { error, .. }) = pieces("&r\nitems:\n- *r\n") else {
            panic!("no error")
        };
        assert_eq!(
            error.to_string(),
            "line 3, column 3: alias *r refers to a node containing it"
        );
    }

    #[test]
    fn alias_expansion_is_bounded_per_document() {
        // every item alone is under the bound, the document is not: the same error as a whole
        let per_item = MAX_ALIAS_EXPANSION / 4 + 1;
        let big = format!("[{}]", vec!["0"; per_item - 1].join(","));
        let text = format!("x: &b {big}\nitems:\n- *b\n- *b\n- *b\n- *b\n");
        let whole = parse(&text).unwrap();
        let want = to_value(whole[0].root.as_ref().unwrap(), &whole[0]).unwrap_err();
        let Err(StreamError::Value { document: 0, error }) = pieces(&text) else {
            panic!("no error")
        };
        assert_eq!(error, want);
        assert!(error.message.contains("alias expansion"), "{error}");
        // the next document starts afresh
        let text =
            format!("x: &b {big}\nitems:\n- *b\n- *b\n---\nx: &b {big}\nitems:\n- *b\n- *b\n");
        assert_eq!(Some(pieces(&text).unwrap()), expected(&text));
    }

    #[test]
    fn errors_are_those_of_parse() {
        let deep = format!(
            "items:\n- {}{}\n",
            "[".repeat(crate::tree::MAX_DEPTH),
            "]".repeat(crate::tree::MAX_DEPTH)
        );
        for text in [
            "items:\n- a: 1\n  a: 2\n",
            "items:\n- a: b: c\n",
            "a: 1\r",
            "items:\n- x\nitems: 2\n",
            deep.as_str(),
        ] {
            let want = parse(text).unwrap_err();
            assert_eq!(
                pieces(text).unwrap_err(),
                StreamError::Syntax(want),
                "{text:?}"
            );
        }
        // a bad scalar in an item: the error of its value, in its document
        let text = "a: 1\n---\nitems:\n- !!int x\n";
        let want = parse(text).unwrap();
        let want = to_value(want[1].root.as_ref().unwrap(), &want[1]).unwrap_err();
        assert_eq!(
            pieces(text).unwrap_err(),
            StreamError::Value {
                document: 1,
                error: want
            }
        );
    }

    #[test]
    fn the_visitor_stops_the_reading() {
        let mut seen = 0;
        let result = read(LIST, |piece| {
            seen += 1;
            match piece {
                Piece::Item { .. } => Err("stop"),
                Piece::Document { .. } => Ok(()),
            }
        });
        assert_eq!((result, seen), (Err(StreamError::Visit("stop")), 1));
    }

    #[test]
    fn items_from_the_first_anchor_on_stay_in_the_document() {
        let text = "items:\n- a\n- {k: &k b}\n- c\n- *k\nkind: List\n";
        let got = pieces(text).unwrap();
        assert_eq!(Some(&got), expected(text).as_ref());
        let Owned::Document(0, doc, Some(value), 1) = &got[1] else {
            panic!("{got:?}")
        };
        assert_eq!(
            value,
            &serde_json::json!({"items": [{"k": "b"}, "c", "b"], "kind": "List"})
        );
        assert_eq!(
            doc.root
                .as_ref()
                .unwrap()
                .get("items")
                .unwrap()
                .as_seq()
                .map(<[Node]>::len),
            Some(3)
        );
    }
}
