//! The `ResourceList` document: finding it, and appending `results` to it without touching the rest
//! of its text.

use kruise_inject_yaml::edit::{Editor, SeqItem};
use kruise_inject_yaml::resolve;
use kruise_inject_yaml::tree::{self, Document, Node};
use serde_json::Value;

use super::krm_results::KrmResult;
use crate::pipeline::objects::ParsedFile;

/// The API versions of `ResourceList` this function reads.
pub const API_VERSIONS: &[&str] = &["config.kubernetes.io/v1", "config.kubernetes.io/v1beta1"];

/// The ResourceList of a parsed input.
#[derive(Debug)]
pub struct ResourceList<'f> {
    /// Its root node.
    pub root: &'f Node,
    /// `functionConfig`, or `null`.
    pub function_config: Value,
}

/// Why a text is not a ResourceList this function can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NotResourceList(pub String);

/// Finds the ResourceList: the input must be one YAML (or JSON) document, a mapping with
/// `kind: ResourceList` and a `config.kubernetes.io` apiVersion, whose `items` is a list.
pub fn find(file: &ParsedFile) -> Result<ResourceList<'_>, NotResourceList> {
    find_in(&file.documents)
}

/// [`find`] among parsed documents.
pub fn find_in(documents: &[Document]) -> Result<ResourceList<'_>, NotResourceList> {
    let mut documents = documents.iter().filter(|d| d.root.is_some());
    let (Some(doc), None) = (documents.next(), documents.next()) else {
        return Err(NotResourceList(
            "expected exactly one YAML document, a ResourceList".into(),
        ));
    };
    let Some(root) = &doc.root else {
        return Err(NotResourceList("the input is empty".into()));
    };
    if root.as_map().is_none() {
        return Err(NotResourceList("the document is not a mapping".into()));
    }
    let text = |key: &str| root.get(key).and_then(Node::as_str).unwrap_or_default();
    let (api_version, kind) = (text("apiVersion"), text("kind"));
    if kind != "ResourceList" || !API_VERSIONS.contains(&api_version) {
        return Err(NotResourceList(format!(
            "found apiVersion {api_version:?} kind {kind:?}, expected kind ResourceList of {}",
            API_VERSIONS.join(" or ")
        )));
    }
    match root.get("items") {
        None => {}
        Some(items) if items.as_seq().is_some() || items.is_implicit_empty() => {}
        Some(items) => {
            let value = resolve::to_value(items, doc).unwrap_or(Value::Null);
            if !value.is_null() {
                return Err(NotResourceList(format!(
                    "line {}: items must be a list",
                    items.line
                )));
            }
        }
    }
    let function_config = match root.get("functionConfig") {
        Some(node) => resolve::to_value(node, doc).map_err(|e| {
            NotResourceList(format!("functionConfig: line {}: {}", e.line, e.message))
        })?,
        None => Value::Null,
    };
    Ok(ResourceList {
        root,
        function_config,
    })
}

/// Whether `text` is a KRM ResourceList (what `render` uses to recognise one on standard input).
pub fn is_resource_list(text: &str) -> bool {
    if !text.contains("ResourceList") {
        return false;
    }
    // The items are not needed to tell: they are parsed one at a time and dropped.
    tree::parse_items(text, "items", &mut |_| {}).is_ok_and(|documents| find_in(&documents).is_ok())
}

/// `text` (a ResourceList) with `results` appended to its `results` list (created at the end of
/// the document when missing). Everything else stays byte-identical.
pub fn with_results(text: &str, results: &[KrmResult]) -> Result<String, String> {
    if results.is_empty() {
        return Ok(text.to_owned());
    }
    let documents = tree::parse(text).map_err(|e| format!("line {}: {}", e.line, e.message))?;
    let Some((doc, root)) = documents
        .iter()
        .find_map(|d| d.root.as_ref().map(|root| (d, root)))
    else {
        return Err("no ResourceList document".into());
    };
    let existing = root
        .get("results")
        .and_then(Node::as_seq)
        .map_or(0, <[Node]>::len);
    let values: Vec<serde_json::Value> = results.iter().map(|r| r.to_value()).collect();
    let items: Vec<SeqItem> = (0..existing)
        .map(SeqItem::Keep)
        .chain(values.iter().map(SeqItem::New))
        .collect();
    let mut editor = Editor::new(text, doc);
    editor
        .edit_sequence(root, &["results"], &items)
        .map_err(|e| e.to_string())?;
    let mut out = String::with_capacity(text.len() + 256 * results.len());
    out.push_str(&text[..doc.span.start]);
    out.push_str(&editor.finish());
    out.push_str(&text[doc.span.end..]);
    Ok(out)
}
