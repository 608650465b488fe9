//! The `results` of a KRM function: what kpt shows (kustomize ignores them).

use serde_json::{Map, Value, json};

/// `severity` of a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// A failure (the function also exits non-zero).
    Error,
    /// Something the user should look at.
    Warning,
    /// What was done.
    Info,
}

impl Severity {
    fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// `resourceRef` of a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceRef {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`, when the object has one.
    pub namespace: Option<String>,
}

/// `file` of a result: where the orchestrator read the item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRef {
    /// Path in the package.
    pub path: String,
    /// Index of the document in the file.
    pub index: Option<u64>,
}

/// One result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KrmResult {
    /// What happened.
    pub message: String,
    /// How bad.
    pub severity: Severity,
    /// The object it is about.
    pub resource_ref: Option<ResourceRef>,
    /// Its file.
    pub file: Option<FileRef>,
}

impl KrmResult {
    /// The result as it is written into the ResourceList.
    pub fn to_value(&self) -> Value {
        let mut out = Map::new();
        out.insert("message".into(), Value::String(self.message.clone()));
        out.insert(
            "severity".into(),
            Value::String(self.severity.as_str().into()),
        );
        if let Some(r) = &self.resource_ref {
            let mut reference = Map::new();
            reference.insert("apiVersion".into(), Value::String(r.api_version.clone()));
            reference.insert("kind".into(), Value::String(r.kind.clone()));
            reference.insert("name".into(), Value::String(r.name.clone()));
            if let Some(ns) = &r.namespace {
                reference.insert("namespace".into(), Value::String(ns.clone()));
            }
            out.insert("resourceRef".into(), Value::Object(reference));
        }
        if let Some(f) = &self.file {
            let mut file = json!({"path": f.path});
            if let Some(index) = f.index {
                file["index"] = json!(index);
            }
            out.insert("file".into(), file);
        }
        Value::Object(out)
    }
}

/// The `resourceRef` and `file` of an item, from its fields and the annotations kpt and kustomize
/// put on it (`internal.config.kubernetes.io/path` and `config.kubernetes.io/path`, `.../index`).
pub fn identify(item: &Value) -> (ResourceRef, Option<FileRef>) {
    let text = |pointer: &str| item.pointer(pointer).and_then(Value::as_str);
    let reference = ResourceRef {
        api_version: text("/apiVersion").unwrap_or_default().to_owned(),
        kind: text("/kind").unwrap_or_default().to_owned(),
        name: text("/metadata/name").unwrap_or_default().to_owned(),
        namespace: text("/metadata/namespace")
            .filter(|ns| !ns.is_empty())
            .map(str::to_owned),
    };
    let annotation = |key: &str| {
        item.pointer("/metadata/annotations")
            .and_then(|a| a.get(key))
            .and_then(Value::as_str)
    };
    let path = annotation("internal.config.kubernetes.io/path")
        .or_else(|| annotation("config.kubernetes.io/path"));
    let index = annotation("internal.config.kubernetes.io/index")
        .or_else(|| annotation("config.kubernetes.io/index"))
        .and_then(|i| i.trim().parse().ok());
    let file = path.map(|path| FileRef {
        path: path.to_owned(),
        index,
    });
    (reference, file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_names_the_item_and_its_file() {
        let item = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "nginx", "annotations": {
                "config.kubernetes.io/path": "deploy.yaml",
                "config.kubernetes.io/index": "2",
            }},
        });
        let (resource_ref, file) = identify(&item);
        let result = KrmResult {
            message: "injected".into(),
            severity: Severity::Info,
            resource_ref: Some(resource_ref),
            file,
        };
        assert_eq!(
            result.to_value(),
            json!({
                "message": "injected", "severity": "info",
                "resourceRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "nginx"},
                "file": {"path": "deploy.yaml", "index": 2},
            })
        );
    }
}
