//! Lossless YAML for kruise-inject.
//!
//! - [`chunks`]: a stream read a few whole documents at a time.
//! - [`tree`]: a YAML stream parsed into documents and nodes that know their byte spans in the text.
//! - [`resolve`]: plain scalars resolved as kubectl resolves them (go-yaml v2, YAML 1.1), nodes turned
//!   into `serde_json::Value`s, with bounds on alias expansion and depth.
//! - [`stream`]: a stream read document by document, the items of a `List` one at a time (a
//!   `kubectl get -o yaml` of many objects without the tree of all of them).
//! - [`emit`]: YAML text for new values: block style in a document's own indentation, or flow (JSON)
//!   style; every string quoted where YAML 1.1 or 1.2 would read it as anything but that string.
//! - [`edit`]: edits on a node (sequence edit scripts, mapping keys set) turned into text splices that
//!   leave every other byte of the document as it was.

pub mod chunks;
pub mod edit;
pub mod emit;
pub mod resolve;
pub mod stream;
pub mod tree;

#[cfg(test)]
mod proptests;

pub use edit::{EditError, Editor, SeqItem};
pub use emit::IndentStyle;
pub use resolve::to_value;
pub use tree::{Document, Node, NodeKind, ScalarStyle, YamlError, parse};
