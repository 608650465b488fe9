//! The `results` of a KRM function: what kpt shows (kustomize ignores them).
//!
//! One result is one [`KrmResult`], written into the ResourceList's `results` list as its serde
//! serialization: the wire format of kpt's `framework.Result` (`sigs.k8s.io/kustomize/kyaml/fn/
//! framework`, `result.go`), the fields kruise-inject sets, in this order:
//!
//! ```yaml
//! - message: injected log (log)      # always
//!   severity: info                   # error | warning | info
//!   resourceRef:                     # the item it is about, when there is one
//!     apiVersion: apps/v1
//!     kind: Deployment
//!     name: web
//!     namespace: shop                # when the item has one
//!   file:                            # where kpt or kustomize read the item, when it says
//!     path: apps/web.yaml
//!     index: 0                       # when it says
//! ```

use serde::Serialize;
use serde_json::Value;

use crate::pipeline::context::Notice;

/// `severity` of a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A failure (the function also exits non-zero).
    Error,
    /// Something the user should look at.
    Warning,
    /// What was done.
    Info,
}

/// `resourceRef` of a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRef {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`, when the object has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// `file` of a result: where the orchestrator read the item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileRef {
    /// Path in the package.
    pub path: String,
    /// Index of the document in the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<u64>,
}

/// One result (see the module documentation for how it is written).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KrmResult {
    /// What happened.
    pub message: String,
    /// How bad.
    pub severity: Severity,
    /// The object it is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_ref: Option<ResourceRef>,
    /// Its file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<FileRef>,
}

impl KrmResult {
    /// The result as it is written into the ResourceList: its serialization. (Strings, an
    /// optional integer and string-keyed maps: serializing it cannot fail.)
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// A warning of the context gathering (a SidecarSet Kruise admits with a warning) as a result on
/// the item it concerns.
pub fn notice_result(notice: Notice) -> KrmResult {
    let (resource_ref, file) = identify(&notice.object);
    KrmResult {
        message: notice.finding.message,
        severity: Severity::Warning,
        resource_ref: Some(resource_ref),
        file,
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
    use serde_json::json;

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

    /// The wire format, key order included (it decides the YAML written).
    #[test]
    fn a_result_is_written_in_kpts_field_order() {
        let result = KrmResult {
            message: "m".into(),
            severity: Severity::Warning,
            resource_ref: Some(ResourceRef {
                api_version: "v1".into(),
                kind: "Pod".into(),
                name: "p".into(),
                namespace: Some("ns".into()),
            }),
            file: Some(FileRef {
                path: "a.yaml".into(),
                index: Some(3),
            }),
        };
        assert_eq!(
            result.to_value().to_string(),
            r#"{"message":"m","severity":"warning","resourceRef":{"apiVersion":"v1","kind":"Pod","name":"p","namespace":"ns"},"file":{"path":"a.yaml","index":3}}"#
        );
        let bare = KrmResult {
            message: "m".into(),
            severity: Severity::Error,
            resource_ref: None,
            file: Some(FileRef {
                path: "a.yaml".into(),
                index: None,
            }),
        };
        assert_eq!(
            bare.to_value().to_string(),
            r#"{"message":"m","severity":"error","file":{"path":"a.yaml"}}"#
        );
    }
}
