//! The Kubernetes objects of a parsed file: each document, and each item of a `kind: List`, with its
//! YAML node (for editing) and its resolved value (for the semantics).

use std::collections::BTreeMap;
use std::fmt;

use kruise_inject_yaml::edit::{EditError, Editor};
use kruise_inject_yaml::emit::EmitCache;
use kruise_inject_yaml::resolve;
use kruise_inject_yaml::stream::{self, Piece, StreamError};
use kruise_inject_yaml::tree::{self, Document, Node, YamlError};
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
    /// For a part of a file read a few documents at a time ([`ParsedFile::parse_part`]): the lines
    /// of the file before it (node lines already count them) and its documents before it; 0 for a
    /// whole file.
    pub first_line: usize,
    /// See `first_line`.
    pub first_document: usize,
}

/// Where a part of a file ([`kruise_inject_yaml::chunks::Chunk`]) starts in the file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PartStart {
    /// Lines of the file before the part.
    pub line: usize,
    /// Documents of the file before the part.
    pub document: usize,
    /// `---` lines of the file before the part.
    pub markers: usize,
    /// Whether the file's first line of content is a `---` marker.
    pub file_starts_with_marker: bool,
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

    /// `metadata.name`; without one `web-*` (its `generateName`), else `<unnamed>`: never empty.
    pub fn shown_name(&self) -> String {
        match self.name() {
            "" => self
                .value
                .pointer("/metadata/generateName")
                .and_then(Value::as_str)
                .filter(|g| !g.is_empty())
                .map_or_else(|| "<unnamed>".to_owned(), |g| format!("{g}*")),
            name => name.to_owned(),
        }
    }

    /// `apps/v1 Deployment default/nginx`: how reports and errors name the object. Cluster-scoped
    /// kinds (a SidecarSet, a Namespace), and objects of no namespace when `default_namespace` is
    /// empty, have no `namespace/`.
    pub fn display_name(&self, default_namespace: &str) -> String {
        let ns = match self.kind() {
            "SidecarSet" | "Namespace" => "",
            _ => self.namespace().unwrap_or(default_namespace),
        };
        let slash = if ns.is_empty() { "" } else { "/" };
        format!(
            "{} {} {ns}{slash}{}",
            self.api_version(),
            self.kind(),
            self.shown_name()
        )
    }

    /// A report line about this object, `FILE:LINE: apiVersion kind ns/name: LEVEL: message`,
    /// placed and named as [`Object::error`] does (`LEVEL` is `warning`, `note`...).
    pub fn report(
        &self,
        default_namespace: &str,
        level: &str,
        message: impl fmt::Display,
    ) -> String {
        let message = message.to_string();
        let own = format!("{} {}: ", self.kind(), self.name());
        let body = match message.strip_prefix(own.as_str()) {
            Some(rest) if !self.name().is_empty() => rest,
            _ => &message,
        };
        let line = annotation_path(body)
            .and_then(|path| leading_field_line(self.node, &path))
            .or_else(|| leading_field_line(self.node, body))
            .unwrap_or(self.location.line);
        format!(
            "{}:{line}: {}: {level}: {body}",
            self.location.file,
            self.display_name(default_namespace)
        )
    }

    /// `apps/v1 Deployment nginx`: how errors name the object.
    pub fn label(&self) -> String {
        format!(
            "{} {} {}",
            self.api_version(),
            self.kind(),
            self.shown_name()
        )
    }

    /// An error about this object: `FILE:LINE: document N: apiVersion kind name: message`. A
    /// message that starts with a field path of the object (`spec.containers[0].env: ...`) is
    /// placed at that field's line (or, for a missing field, its parent's); one that already names
    /// the object (`SidecarSet log: ...`, as the SidecarSet reader's errors do) does not name it
    /// twice.
    pub fn error(&self, message: impl fmt::Display) -> DocumentError {
        self.error_below(&[], message)
    }

    /// [`Object::error`] for a message about the pod template at `base` (e.g.
    /// `["spec", "template"]`): its field paths, and a leading `pod annotation KEY`, are found below
    /// that node.
    pub fn error_below(&self, base: &[&str], message: impl fmt::Display) -> DocumentError {
        let message = message.to_string();
        let named = format!("{} {}", self.kind(), self.name());
        let message = match message.strip_prefix(named.as_str()) {
            Some(rest) if !self.name().is_empty() && rest.starts_with(": ") => {
                format!("{}: {}", self.label(), &rest[2..])
            }
            Some(rest) if !self.name().is_empty() && rest.starts_with(' ') => {
                format!("{} {message}", self.api_version())
            }
            _ => format!("{}: {message}", self.label()),
        };
        let body = message.split_once(": ").map_or("", |(_, rest)| rest);
        let line = self.node.at(base).and_then(|node| {
            let about_pod = body.starts_with("pod ");
            let path = match annotation_path(body) {
                Some(path) if !about_pod || !base.is_empty() || self.kind() == "Pod" => path,
                _ => body.to_owned(),
            };
            leading_field_line(node, &path)
        });
        DocumentError {
            location: Location {
                line: line.unwrap_or(self.location.line),
                ..self.location.clone()
            },
            message,
        }
    }
}

/// `metadata.annotations.KEY:` for a message about an annotation (`annotation KEY ...`, `pod
/// annotation KEY ...`).
fn annotation_path(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("pod annotation ")
        .or_else(|| message.strip_prefix("annotation "))?;
    let key = rest.split(' ').next().filter(|k| !k.is_empty())?;
    Some(format!("metadata.annotations.{key}:"))
}

/// The line of the field whose path (`spec.containers[0].env`, `metadata.annotations.a.b/c`,
/// `spec.containers[name]`) starts `message`, followed by `:`: the key's line, or for a missing
/// last field its parent's. `None` when the message does not start with a path, or when more than
/// the last field is missing (the path is not this object's).
fn leading_field_line(node: &Node, message: &str) -> Option<usize> {
    let path = message.split_once(':').map(|(path, _)| path)?;
    if path.is_empty()
        || path.starts_with(['.', '['])
        || !path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/[]".contains(c))
    {
        return None;
    }
    let mut node = node;
    let mut line = None;
    let mut rest = path;
    while !rest.is_empty() {
        let found = if let Some(inner) = rest.strip_prefix('[') {
            let (index, after) = inner.split_once(']')?;
            rest = after.strip_prefix('.').unwrap_or(after);
            let items = node.as_seq()?;
            match index.parse::<usize>() {
                Ok(i) => items.get(i),
                Err(_) => items
                    .iter()
                    .find(|item| item.get("name").and_then(Node::as_str) == Some(index)),
            }
            .map(|item| (item.line, item))
        } else {
            // the longest key that the path continues (keys may hold dots: `kruise.io/x`)
            let pairs = node.as_map()?;
            let best = pairs
                .iter()
                .filter_map(|(k, v)| {
                    let key = k.as_str()?;
                    let after = rest.strip_prefix(key)?;
                    (after.is_empty() || after.starts_with(['.', '['])).then_some((key, k, v))
                })
                .max_by_key(|(key, _, _)| key.len());
            match best {
                Some((key, k, v)) => {
                    let after = &rest[key.len()..];
                    rest = after.strip_prefix('.').unwrap_or(after);
                    Some((k.line, v))
                }
                None => None,
            }
        };
        match found {
            Some((at, next)) => {
                line = Some(at);
                node = next;
            }
            // the last field is missing: its parent's line
            None => {
                let last = !rest.contains(['.', '[']);
                return if last { line } else { None };
            }
        }
    }
    line
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
                                document: self.first_document + index + 1,
                            },
                            message: format!(
                                "cannot edit this document: {}",
                                EditError {
                                    line: err.line + self.first_line,
                                    ..err
                                }
                            ),
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
        let start = PartStart {
            file_starts_with_marker: starts_with_marker(&text),
            ..PartStart::default()
        };
        Self::parse_part(name, text, start)
    }

    /// Parses `text`, a part of the file `name` made of whole documents that starts at `start`
    /// ([`kruise_inject_yaml::chunks::Chunks`]): lines, document numbers and errors are the
    /// file's, as [`ParsedFile::parse`] of the whole file gives them.
    pub fn parse_part(name: String, text: String, start: PartStart) -> Result<Self, DocumentError> {
        let mut documents = tree::parse(&text).map_err(|err| {
            let markers = start.markers + count_markers_before(&text, err.line);
            let document = if start.file_starts_with_marker && markers > 0 {
                markers - 1
            } else {
                markers
            };
            DocumentError {
                location: Location {
                    file: name.clone(),
                    line: start.line + err.line,
                    document: 1 + document,
                },
                message: format!("invalid YAML: {}", err.message),
            }
        })?;
        kruise_inject_yaml::chunks::shift_lines(&mut documents, start.line);
        Ok(Self {
            name,
            text,
            documents,
            first_line: start.line,
            first_document: start.document,
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
            objects.extend(document_objects(
                &self.name,
                self.first_document,
                index,
                root,
                value,
            )?);
        }
        Ok(objects)
    }

    fn location(&self, document: usize, node: &Node) -> Location {
        location(&self.name, self.first_document + document, node)
    }
}

fn location(file: &str, document: usize, node: &Node) -> Location {
    Location {
        file: file.to_owned(),
        line: node.line,
        document: document + 1,
    }
}

/// The objects of document `index` of file `file`, whose root is `root` and its value `value`:
/// none (a null document), the root, or the items of a `List`; locations count documents from
/// `first_document` (the part of a file that starts there, [`ParsedFile::parse_part`]).
fn document_objects<'a>(
    file: &str,
    first_document: usize,
    index: usize,
    root: &'a Node,
    value: Value,
) -> Result<Vec<Object<'a>>, DocumentError> {
    if value.is_null() {
        return Ok(Vec::new());
    }
    let mut object = Object {
        document: index,
        node: root,
        value,
        location: location(file, first_document + index, root),
    };
    check_object(&object)?;
    if !(object.kind().ends_with("List") && object.value.get("items").is_some()) {
        return Ok(vec![object]);
    }
    let Some(items) = root.get("items") else {
        return Ok(Vec::new());
    };
    let item_nodes: Vec<&Node> = match &items.kind {
        tree::NodeKind::Sequence(nodes) => nodes.iter().collect(),
        _ => Vec::new(),
    };
    // The items are moved out of the List (not copied): a big `kubectl get -o yaml` is held once.
    let values = match object.value.get_mut("items").map(Value::take) {
        Some(Value::Array(values)) => values,
        Some(Value::Null) => Vec::new(),
        _ => return Err(object.error("items must be a list")),
    };
    let mut objects = Vec::with_capacity(values.len());
    for (node, value) in item_nodes.into_iter().zip(values) {
        let item = Object {
            document: index,
            node,
            value,
            location: location(file, first_document + index, node),
        };
        check_object(&item)?;
        objects.push(item);
    }
    Ok(objects)
}

/// A YAML syntax error in file `name`.
fn syntax_error(name: &str, text: &str, err: &YamlError) -> DocumentError {
    DocumentError {
        location: Location {
            file: name.to_owned(),
            line: err.line,
            document: {
                let markers = count_markers_before(text, err.line);
                1 + if starts_with_marker(text) && markers > 0 {
                    markers - 1
                } else {
                    markers
                }
            },
        },
        message: format!("invalid YAML: {}", err.message),
    }
}

/// How [`stream_objects`] ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Streamed {
    /// Every object was handed out.
    Done,
    /// A document with a top-level `items` sequence turned out not to be a `List` (its `kind` is
    /// read after its items): its items were handed out as objects, but it is one object. Read the
    /// text again with [`ParsedFile::parse`] and [`ParsedFile::objects`].
    NotAList,
}

/// Why [`stream::read`] stopped.
enum Stop {
    Error(DocumentError),
    NotAList,
}

/// The objects of [`ParsedFile::objects`], handed to `visit` one by one as they are read, without
/// the tree of the whole text: an item of a `List` is handed out as soon as it is read and its
/// tree dropped after (issue 14: as a tree, a `kubectl get pods -A -o yaml` of 10,000 pods took
/// 1.7 GB). The errors are those of [`ParsedFile::parse`] and [`ParsedFile::objects`]; but with
/// several problems in a text the one found first may differ (the items of a `List` are read
/// before the rest of it), and the objects before a problem have been handed out.
pub fn stream_objects(
    name: &str,
    text: &str,
    mut visit: impl FnMut(&Object<'_>) -> Result<(), DocumentError>,
) -> Result<Streamed, DocumentError> {
    let result = stream::read(text, |piece| match piece {
        Piece::Item {
            document,
            node,
            value,
        } => {
            let item = Object {
                document,
                node,
                value,
                location: location(name, document, node),
            };
            check_object(&item)
                .and_then(|()| visit(&item))
                .map_err(Stop::Error)
        }
        Piece::Document {
            index,
            document,
            value,
            items,
        } => {
            let (Some(root), Some(value)) = (&document.root, value) else {
                return Ok(());
            };
            let objects = document_objects(name, 0, index, root, value).map_err(Stop::Error)?;
            if items > 0 && objects.len() == 1 && std::ptr::eq(objects[0].node, root) {
                return Err(Stop::NotAList);
            }
            objects.iter().try_for_each(&mut visit).map_err(Stop::Error)
        }
    });
    match result {
        Ok(()) => Ok(Streamed::Done),
        Err(StreamError::Visit(Stop::NotAList)) => Ok(Streamed::NotAList),
        Err(StreamError::Visit(Stop::Error(e))) => Err(e),
        Err(StreamError::Syntax(err)) => Err(syntax_error(name, text, &err)),
        Err(StreamError::Value { document, error }) => Err(DocumentError {
            location: Location {
                file: name.to_owned(),
                line: error.line,
                document: document + 1,
            },
            message: error.message,
        }),
    }
}

/// An object must be a mapping with `apiVersion` and `kind`.
pub fn check_object(object: &Object<'_>) -> Result<(), DocumentError> {
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

/// How many `---` document markers stand before `line`.
fn count_markers_before(text: &str, line: usize) -> usize {
    text.lines()
        .take(line.saturating_sub(1))
        .filter(|l| *l == "---" || l.starts_with("--- "))
        .count()
}

/// Whether the first line of content (not blank, not a comment) is a `---` marker: then the
/// first marker does not start a new document (see [`ParsedFile::parse_part`]).
pub fn starts_with_marker(text: &str) -> bool {
    text.lines()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .is_some_and(|l| l == "---" || l.starts_with("--- "))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  generateName: web-\n  annotations:\n    kruise.io/sidecarset-hash: x\nspec:\n  template:\n    metadata:\n      annotations:\n        kruise.io/sidecarset-hash: '[1]'\n    spec:\n      containers:\n      - name: web\n        image: web\n      - name: log\n        env: 3\n";

    fn error(text: &str, base: &[&str], message: &str) -> (usize, String) {
        let file = ParsedFile::parse("f.yaml".into(), text.into()).expect("YAML");
        let objects = file.objects().expect("objects");
        let e = objects[0].error_below(base, message);
        (e.location.line, e.message)
    }

    #[test]
    fn errors_name_nameless_objects_and_point_at_the_field() {
        let template = ["spec", "template"];
        let label = "apps/v1 Deployment web-*";
        for (base, message, line) in [
            (
                &[][..],
                "spec.template.spec.containers[1].env: expected a list",
                17,
            ),
            (
                &[][..],
                "spec.template.spec.containers[log].env: expected a list",
                17,
            ),
            (&template[..], "spec.containers[0]: bad", 14),
            (
                &[][..],
                "metadata.annotations.kruise.io/sidecarset-hash: bad",
                6,
            ),
            // a missing field: its parent's line
            (&[][..], "metadata.name: needed", 3),
            (&[][..], "spec.replicas: needed", 7),
            // `pod annotation KEY` below the template, not the Deployment's own annotation
            (
                &template[..],
                "pod annotation kruise.io/sidecarset-hash cannot be read",
                11,
            ),
            (
                &[][..],
                "pod annotation kruise.io/sidecarset-hash cannot be read",
                1,
            ),
            // an item out of range: the list's line
            (&[][..], "spec.template.spec.containers[7]: x", 13),
            // not a path of this object, or not a path at all
            (&[][..], "spec.containers[0].env: x", 1),
            (&[][..], "invalid YAML: x", 1),
            (&[][..], "SidecarSet log: spec: x", 1),
        ] {
            let (at, text) = error(DEPLOYMENT, base, message);
            assert_eq!(at, line, "{message}");
            assert_eq!(text, format!("{label}: {message}"));
        }
    }

    #[test]
    fn reports_name_cluster_scoped_objects_without_a_slash_and_once() {
        let ss = "apiVersion: apps.kruise.io/v1alpha1\nkind: SidecarSet\nmetadata:\n  name: log\n  annotations:\n    kruise.io/sidecarset-hash: stale\nspec: {}\n";
        let file = ParsedFile::parse("ss.yaml".into(), ss.into()).expect("YAML");
        let objects = file.objects().expect("objects");
        assert_eq!(
            objects[0].display_name(""),
            "apps.kruise.io/v1alpha1 SidecarSet log"
        );
        assert_eq!(
            objects[0].display_name("default"),
            "apps.kruise.io/v1alpha1 SidecarSet log"
        );
        assert_eq!(
            objects[0].report(
                "",
                "warning",
                "SidecarSet log: annotation kruise.io/sidecarset-hash is \"stale\""
            ),
            "ss.yaml:6: apps.kruise.io/v1alpha1 SidecarSet log: warning: annotation kruise.io/sidecarset-hash is \"stale\""
        );
        let cr = "apiVersion: apps/v1\nkind: ControllerRevision\nmetadata:\n  name: log-1\nrevision: 1\n";
        let file = ParsedFile::parse("cr.yaml".into(), cr.into()).expect("YAML");
        let objects = file.objects().expect("objects");
        assert_eq!(
            objects[0].display_name(""),
            "apps/v1 ControllerRevision log-1"
        );
        assert_eq!(
            objects[0].report("", "note", "revision: odd"),
            "cr.yaml:5: apps/v1 ControllerRevision log-1: note: revision: odd"
        );
    }

    #[test]
    fn an_error_naming_its_object_names_it_once() {
        let ss = "apiVersion: apps.kruise.io/v1alpha1\nkind: SidecarSet\nmetadata:\n  name: log\nspec:\n  containers:\n  - name: log\n    env: 3\n";
        assert_eq!(
            error(
                ss,
                &[],
                "SidecarSet log: spec.containers[0].env: expected a list"
            ),
            (
                8,
                "apps.kruise.io/v1alpha1 SidecarSet log: spec.containers[0].env: expected a list"
                    .to_owned()
            )
        );
        assert_eq!(
            error(ss, &[], "SidecarSet log defines no containers").1,
            "apps.kruise.io/v1alpha1 SidecarSet log defines no containers"
        );
        // another SidecarSet, or a longer name, is not this one
        assert_eq!(
            error(ss, &[], "SidecarSet logger: x").1,
            "apps.kruise.io/v1alpha1 SidecarSet log: SidecarSet logger: x"
        );
        let unnamed = "apiVersion: v1\nkind: Pod\nmetadata:\n  labels: {}\n";
        assert_eq!(
            error(unnamed, &[], "metadata.name: a pod needs a name"),
            (
                3,
                "v1 Pod <unnamed>: metadata.name: a pod needs a name".to_owned()
            )
        );
    }
}
