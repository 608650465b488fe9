//! The Kubernetes objects of a parsed file: each document, and each item of a `kind: List`, with its
//! YAML node (for editing) and its resolved value (for the semantics).

use std::collections::BTreeMap;
use std::fmt;

use kruise_inject_yaml::edit::{EditError, Editor};
use kruise_inject_yaml::emit::EmitCache;
use kruise_inject_yaml::resolve;
use kruise_inject_yaml::tree::{self, Document, Node};
use serde_json::Value;

/// A file (or stdin) and its documents.
#[derive(Debug)]
pub struct ParsedFile {
    /// The name used in messages: the path as given, or `<stdin>`.
    pub name: String,
    /// The whole text.
    pub text: String,
    /// Its YAML documents.
    pub documents: Vec<Document>,
}

/// Where an object or a problem is: file, line, document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// File name.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based index of the document in the file.
    pub document: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: document {}", self.file, self.line, self.document)
    }
}

/// A problem with one document, or with the YAML of a file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct DocumentError {
    /// Where.
    pub location: Location,
    /// What, and what to do.
    pub message: String,
}

/// One Kubernetes object found in a file.
#[derive(Debug)]
pub struct Object<'a> {
    /// Index of the document in [`ParsedFile::documents`].
    pub document: usize,
    /// The object's node (the document root, or a `List` item).
    pub node: &'a Node,
    /// The object as kubectl would read it.
    pub value: Value,
    /// Where it starts.
    pub location: Location,
}

impl Object<'_> {
    /// `apiVersion`, or `""`.
    pub fn api_version(&self) -> &str {
        self.value
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// `kind`, or `""`.
    pub fn kind(&self) -> &str {
        self.value.get("kind").and_then(Value::as_str).unwrap_or("")
    }

    /// `metadata.name`, or `""`.
    pub fn name(&self) -> &str {
        self.value
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// `metadata.namespace`, or `None`.
    pub fn namespace(&self) -> Option<&str> {
        self.value
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .filter(|ns| !ns.is_empty())
    }

    /// `apps/v1 Deployment default/nginx`: how reports and errors name the object.
    pub fn display_name(&self, default_namespace: &str) -> String {
        let name = match self.name() {
            "" => self
                .value
                .pointer("/metadata/generateName")
                .and_then(Value::as_str)
                .map_or_else(|| "<unnamed>".to_owned(), |g| format!("{g}*")),
            name => name.to_owned(),
        };
        let ns = self.namespace().unwrap_or(default_namespace);
        format!("{} {} {ns}/{name}", self.api_version(), self.kind())
    }

    /// An error about this object.
    pub fn error(&self, message: impl fmt::Display) -> DocumentError {
        DocumentError {
            location: self.location.clone(),
            message: format!(
                "{} {} {}: {message}",
                self.api_version(),
                self.kind(),
                self.name()
            ),
        }
    }
}

impl ParsedFile {
    /// The file's text with `edits` (by document index) made: each edited document gets one
    /// [`Editor`] on which `apply` makes its edits in order, and `finish` turns the original and the
    /// edited text of the document into the text written; everything else stays as it is. A failed
    /// edit is an error at its node.
    pub fn edit<E>(
        &self,
        edits: &BTreeMap<usize, Vec<(&Node, E)>>,
        cache: Option<&EmitCache>,
        apply: impl Fn(&mut Editor<'_>, &Node, &E) -> Result<(), EditError>,
        finish: impl Fn(&str, String) -> String,
    ) -> Result<String, DocumentError> {
        let mut text = String::with_capacity(self.text.len() + 1024 * edits.len());
        let mut at = 0;
        for (index, doc) in self.documents.iter().enumerate() {
            text.push_str(&self.text[at..doc.span.start]);
            let original = &self.text[doc.span.clone()];
            match edits.get(&index) {
                Some(list) => {
                    let mut editor = Editor::new(&self.text, doc);
                    if let Some(cache) = cache {
                        editor = editor.with_cache(cache);
                    }
                    for (node, edit) in list {
                        apply(&mut editor, node, edit).map_err(|err| DocumentError {
                            location: Location {
                                file: self.name.clone(),
                                line: node.line,
                                document: index + 1,
                            },
                            message: format!("cannot edit this document: {err}"),
                        })?;
                    }
                    text.push_str(&finish(original, editor.finish()));
                }
                None => text.push_str(original),
            }
            at = doc.span.end;
        }
        text.push_str(&self.text[at..]);
        Ok(text)
    }

    /// Parses `text`; YAML errors name the file and line.
    pub fn parse(name: String, text: String) -> Result<Self, DocumentError> {
        let documents = tree::parse(&text).map_err(|err| DocumentError {
            location: Location {
                file: name.clone(),
                line: err.line,
                document: 1 + count_documents_before(&text, err.line),
            },
            message: format!("invalid YAML: {}", err.message),
        })?;
        Ok(Self {
            name,
            text,
            documents,
        })
    }

    /// The objects of every document, in order: a document's root, or the items of a `List`.
    /// Empty documents (only comments, or nothing) have none. A document that is not an object
    /// with `apiVersion` and `kind` is an error.
    pub fn objects(&self) -> Result<Vec<Object<'_>>, DocumentError> {
        let mut objects = Vec::new();
        for (index, doc) in self.documents.iter().enumerate() {
            let Some(root) = &doc.root else { continue };
            let location = self.location(index, root);
            let value = resolve::to_value(root, doc).map_err(|err| DocumentError {
                location: Location {
                    line: err.line,
                    ..location.clone()
                },
                message: err.message,
            })?;
            if value.is_null() {
                continue;
            }
            let mut object = Object {
                document: index,
                node: root,
                value,
                location,
            };
            check_object(&object)?;
            if object.kind().ends_with("List") && object.value.get("items").is_some() {
                let Some(items) = root.get("items") else {
                    continue;
                };
                let item_nodes: Vec<&Node> = match &items.kind {
                    tree::NodeKind::Sequence(nodes) => nodes.iter().collect(),
                    _ => Vec::new(),
                };
                // The items are moved out of the List (not copied): a big `kubectl get -o yaml`
                // is held once.
                let values = match object.value.get_mut("items").map(Value::take) {
                    Some(Value::Array(values)) => values,
                    Some(Value::Null) => Vec::new(),
                    _ => return Err(object.error("items must be a list")),
                };
                for (node, value) in item_nodes.into_iter().zip(values) {
                    let item = Object {
                        document: index,
                        node,
                        value,
                        location: self.location(index, node),
                    };
                    check_object(&item)?;
                    objects.push(item);
                }
            } else {
                objects.push(object);
            }
        }
        Ok(objects)
    }

    fn location(&self, document: usize, node: &Node) -> Location {
        Location {
            file: self.name.clone(),
            line: node.line,
            document: document + 1,
        }
    }
}

fn check_object(object: &Object<'_>) -> Result<(), DocumentError> {
    let problem = if !object.value.is_object() {
        "not a Kubernetes object: expected a mapping with apiVersion and kind"
    } else if object.kind().is_empty() {
        "the document has no kind: every Kubernetes object needs apiVersion and kind"
    } else if object.api_version().is_empty() {
        "the document has no apiVersion: every Kubernetes object needs apiVersion and kind"
    } else {
        return Ok(());
    };
    Err(DocumentError {
        location: object.location.clone(),
        message: problem.to_owned(),
    })
}

/// How many `---` document markers stand before `line`: the document index of a YAML error.
fn count_documents_before(text: &str, line: usize) -> usize {
    let markers = text
        .lines()
        .take(line.saturating_sub(1))
        .filter(|l| *l == "---" || l.starts_with("--- "))
        .count();
    let starts_with_marker = text
        .lines()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .is_some_and(|l| l == "---" || l.starts_with("--- "));
    if starts_with_marker && markers > 0 {
        markers - 1
    } else {
        markers
    }
}
