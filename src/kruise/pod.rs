//! The pod as SidecarSet injection sees it, and the changes injection makes to it.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value};

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
    /// False for pods in phase Succeeded/Failed or with a deletionTimestamp
    /// (`util.go: IsActivePod`).
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

    /// The list edits with the `spec` key each applies to (`None`: that list is unchanged).
    pub fn lists(&self) -> [(&'static str, &Option<Vec<ListItem>>); 4] {
        [
            ("initContainers", &self.init_containers),
            ("containers", &self.containers),
            ("volumes", &self.volumes),
            ("imagePullSecrets", &self.image_pull_secrets),
        ]
    }

    /// The pod `spec` and annotations with the patch applied, as values (the text edit is
    /// `render`'s). A kept index past the original list gives `null`.
    pub fn apply_to(
        &self,
        spec: &Value,
        annotations: &BTreeMap<String, String>,
    ) -> (Map<String, Value>, BTreeMap<String, String>) {
        let mut spec = match spec {
            Value::Object(m) => m.clone(),
            _ => Map::new(),
        };
        for (key, items) in self.lists() {
            let Some(items) = items else { continue };
            let original = spec
                .get(key)
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let list = items
                .iter()
                .map(|item| match item {
                    ListItem::Keep(i) => original.get(*i).cloned().unwrap_or(Value::Null),
                    ListItem::New(v) => (**v).clone(),
                })
                .collect();
            spec.insert(key.to_owned(), Value::Array(list));
        }
        let mut annotations = annotations.clone();
        for (k, v) in &self.annotations {
            annotations.insert(k.clone(), v.clone());
        }
        (spec, annotations)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn apply_to_rebuilds_the_changed_lists_and_annotations() {
        let patch = PodPatch {
            annotations: vec![("b".into(), "2".into())],
            containers: Some(vec![
                ListItem::new(json!({"name": "sidecar"})),
                ListItem::Keep(0),
                ListItem::Keep(7),
            ]),
            ..PodPatch::default()
        };
        let spec = json!({"containers": [{"name": "app"}], "volumes": [{"name": "v"}]});
        let annotations = BTreeMap::from([("a".to_owned(), "1".to_owned())]);
        let (spec, annotations) = patch.apply_to(&spec, &annotations);
        assert_eq!(
            Value::Object(spec),
            json!({"containers": [{"name": "sidecar"}, {"name": "app"}, null], "volumes": [{"name": "v"}]})
        );
        assert_eq!(annotations.len(), 2);
        let (spec, _) = patch.apply_to(&Value::Null, &BTreeMap::new());
        assert_eq!(
            Value::Object(spec),
            json!({"containers": [{"name": "sidecar"}, null, null]})
        );
    }
}
