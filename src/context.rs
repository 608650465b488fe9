//! The cluster state render needs, gathered from input objects: SidecarSets, Namespaces and
//! ControllerRevisions.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::cluster::Cluster;
use crate::controller_revision::ControllerRevision;
use crate::objects::{DocumentError, Object};
use crate::sidecarset::SidecarSet;
use crate::workload::group;

/// What kind of context object a document is, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContextKind {
    /// `apps.kruise.io/* SidecarSet`.
    SidecarSet,
    /// `v1 Namespace`.
    Namespace,
    /// `apps/v1 ControllerRevision`.
    ControllerRevision,
    /// `v1 ConfigMap` (read for later checks; nothing in render depends on it).
    ConfigMap,
}

/// Classifies an object as context.
pub fn context_kind(object: &Object<'_>) -> Option<ContextKind> {
    match (group(object.api_version()), object.kind()) {
        ("apps.kruise.io", "SidecarSet") => Some(ContextKind::SidecarSet),
        ("", "Namespace") => Some(ContextKind::Namespace),
        ("apps", "ControllerRevision") => Some(ContextKind::ControllerRevision),
        ("", "ConfigMap") => Some(ContextKind::ConfigMap),
        _ => None,
    }
}

/// Adds a context object to the cluster. Returns the warnings to report (e.g. a stale hash
/// annotation on a SidecarSet).
pub fn add(cluster: &mut Cluster, object: &Object<'_>) -> Result<Vec<String>, DocumentError> {
    match context_kind(object) {
        Some(ContextKind::SidecarSet) => {
            let sidecarset = SidecarSet::from_value(&object.value).map_err(|e| object.error(e))?;
            let warnings = sidecarset.warnings.clone();
            cluster
                .add_sidecarset(sidecarset)
                .map_err(|e| object.error(e))?;
            Ok(warnings)
        }
        Some(ContextKind::Namespace) => {
            let labels = string_map(&object.value, "/metadata/labels")
                .map_err(|e| object.error(format!("metadata.labels: {e}")))?;
            cluster.add_namespace(object.name(), labels);
            Ok(Vec::new())
        }
        Some(ContextKind::ControllerRevision) => {
            let revision =
                ControllerRevision::from_value(&object.value).map_err(|e| object.error(e))?;
            cluster.add_controller_revision(revision);
            Ok(Vec::new())
        }
        Some(ContextKind::ConfigMap) | None => Ok(Vec::new()),
    }
}

/// A `map[string]string` field (labels, annotations) at a JSON pointer; absent or null is empty.
pub fn string_map(value: &Value, pointer: &str) -> Result<BTreeMap<String, String>, String> {
    match value.pointer(pointer) {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                Value::Null => Ok((k.clone(), String::new())),
                other => Err(format!(
                    "the value of {k:?} is {other}, not a string: quote it (kubectl would reject it)"
                )),
            })
            .collect(),
        Some(other) => Err(format!("expected a mapping of strings, found {other}")),
    }
}
