//! The pod as SidecarSet injection sees it, and the changes injection makes to it.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

/// A pod, or the pod template of a workload, as the pod webhook sees it at CREATE.
#[derive(Debug, Clone)]
pub struct PodView<'a> {
    /// `metadata.namespace`, or the workload's namespace, or the default namespace.
    pub namespace: &'a str,
    /// `metadata.labels` (of the template for workloads).
    pub labels: BTreeMap<String, String>,
    /// `metadata.annotations` (of the template for workloads).
    pub annotations: BTreeMap<String, String>,
    /// The pod spec (`spec` of a Pod, `spec.template.spec` of a Deployment...). `Value::Null` if absent.
    pub spec: &'a Value,
    /// False for pods in phase Succeeded/Failed or with a deletionTimestamp (§4.1).
    pub active: bool,
}

/// One entry of a list after injection: an item of the original list, or a new one.
#[derive(Debug, Clone, PartialEq)]
pub enum ListItem {
    /// The original item at this index, unchanged. Kept indices are strictly increasing.
    Keep(usize),
    /// A new item (an injected container, volume, pull secret, or a replacement of an original
    /// item); pods that get the same injected container share it.
    New(Arc<Value>),
}

/// Everything injection changes in a pod: the edit layer turns this into text splices.
///
/// `None` means "this list is unchanged"; `Some(items)` is the whole new list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PodPatch {
    /// `metadata.annotations` keys to set, in the order to add them (only keys whose value changes).
    pub annotations: Vec<(String, String)>,
    /// New `spec.initContainers`.
    pub init_containers: Option<Vec<ListItem>>,
    /// New `spec.containers`.
    pub containers: Option<Vec<ListItem>>,
    /// New `spec.volumes`.
    pub volumes: Option<Vec<ListItem>>,
    /// New `spec.imagePullSecrets`.
    pub image_pull_secrets: Option<Vec<ListItem>>,
}

impl ListItem {
    /// A new item holding `value`.
    pub fn new(value: Value) -> Self {
        ListItem::New(Arc::new(value))
    }
}

impl PodPatch {
    /// True when applying the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        self.annotations.is_empty()
            && self.init_containers.is_none()
            && self.containers.is_none()
            && self.volumes.is_none()
            && self.image_pull_secrets.is_none()
    }
}
