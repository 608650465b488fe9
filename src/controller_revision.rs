//! ControllerRevisions of SidecarSets (semantics §3.3, §5): their data, their names, and reading them
//! from `apps/v1 ControllerRevision` documents.

use std::collections::BTreeMap;

use serde_json::Value;

/// An `apps/v1 ControllerRevision` as read from an input document.
#[derive(Debug, Clone, PartialEq)]
pub struct ControllerRevision {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace` (the Kruise namespace for SidecarSet revisions).
    pub namespace: String,
    /// `metadata.labels`.
    pub labels: BTreeMap<String, String>,
    /// `metadata.annotations`.
    pub annotations: BTreeMap<String, String>,
    /// `metadata.creationTimestamp`, as written (RFC 3339), if any.
    pub creation_timestamp: Option<String>,
    /// `.revision`.
    pub revision: i64,
    /// `.data`.
    pub data: Value,
}
