//! Merging injected items into the pod's lists, as edit scripts over the
//! original lists: `mergeSidecarContainers`, `MergeVolumes`, `mergeSidecarSecrets`.
//!
//! Each function returns `None` when the merged list equals the original one, and otherwise the
//! whole new list, where an original item is [`ListItem::Keep`] unless it was replaced by a
//! different value.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde_json::Value;

use super::container::str_field;
use crate::kruise::pod::ListItem;

/// An injected container and its `podInjectPolicy`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Injected {
    /// The `corev1.Container` value (shared by the pods that get the same one).
    pub container: Arc<Value>,
    /// `podInjectPolicy` of its SidecarContainer.
    pub pod_inject_policy: String,
}

/// `mergeSidecarContainers(origins, injected)`: a pod container with an injected container's name
/// is replaced in place (the last such injected container wins); others go before the pod's
/// containers (`BeforeAppContainer`) or after them (anything else), in the given order.
pub(super) fn merge_sidecar_containers(
    origins: &[Value],
    injected: Vec<Injected>,
) -> Option<Vec<ListItem>> {
    let index: HashMap<&str, usize> = origins
        .iter()
        .enumerate()
        .map(|(i, c)| (str_field(c, "name"), i))
        .collect();
    let mut items: Vec<ListItem> = (0..origins.len()).map(ListItem::Keep).collect();
    let mut before = Vec::new();
    let mut after = Vec::new();
    for s in injected {
        if let Some(&i) = index.get(str_field(&s.container, "name")) {
            if let Some(slot) = items.get_mut(i) {
                *slot = if origins.get(i) == Some(&*s.container) {
                    ListItem::Keep(i)
                } else {
                    ListItem::New(s.container)
                };
            }
            continue;
        }
        let item = ListItem::New(s.container);
        if s.pod_inject_policy == "BeforeAppContainer" {
            before.push(item);
        } else {
            after.push(item);
        }
    }
    let out: Vec<ListItem> = before.into_iter().chain(items).chain(after).collect();
    changed(out, origins.len())
}

/// `MergeVolumes(original, additional)`: additional volumes whose name is not yet present, in
/// order (first wins; the pod's own volume wins).
pub(super) fn merge_volumes(original: &[Value], additional: Vec<Value>) -> Option<Vec<ListItem>> {
    let mut names: HashSet<String> = original
        .iter()
        .map(|v| str_field(v, "name").to_owned())
        .collect();
    let mut out: Vec<ListItem> = (0..original.len()).map(ListItem::Keep).collect();
    for volume in additional {
        if names.insert(str_field(&volume, "name").to_owned()) {
            out.push(ListItem::New(Arc::new(volume)));
        }
    }
    changed(out, original.len())
}

/// `mergeSidecarSecrets(inPod, inSidecars)`: the pod's secrets de-duplicated by name (first wins),
/// then the SidecarSets' secrets not yet present.
pub(super) fn merge_secrets(in_pod: &[Value], in_sidecars: Vec<Value>) -> Option<Vec<ListItem>> {
    let mut names: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    for (i, secret) in in_pod.iter().enumerate() {
        if names.insert(str_field(secret, "name").to_owned()) {
            out.push(ListItem::Keep(i));
        }
    }
    for secret in in_sidecars {
        if names.insert(str_field(&secret, "name").to_owned()) {
            out.push(ListItem::New(Arc::new(secret)));
        }
    }
    changed(out, in_pod.len())
}

/// `None` if `items` is exactly `Keep(0..len)`.
fn changed(items: Vec<ListItem>, len: usize) -> Option<Vec<ListItem>> {
    let unchanged = items.len() == len
        && items
            .iter()
            .enumerate()
            .all(|(i, item)| *item == ListItem::Keep(i));
    (!unchanged).then_some(items)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::{Value, json};

    use super::{Injected, merge_secrets, merge_sidecar_containers, merge_volumes};
    use crate::kruise::pod::ListItem::{self, Keep, New};

    fn named(names: &[&str]) -> Vec<Value> {
        names.iter().map(|n| json!({"name": n})).collect()
    }

    fn injected(name: &str, policy: &str) -> Injected {
        Injected {
            container: Arc::new(json!({"name": name, "image": "x"})),
            pod_inject_policy: policy.into(),
        }
    }

    fn render(origins: &[Value], items: &[ListItem]) -> Vec<String> {
        items
            .iter()
            .map(|item| match item {
                Keep(i) => origins[*i]["name"].as_str().unwrap_or("").to_owned(),
                New(v) => format!("+{}", v["name"].as_str().unwrap_or("")),
            })
            .collect()
    }

    // sidecarset_test.go: TestInjectInitContainerSort case 3 (input already sorted by name).
    #[test]
    fn before_app_container_goes_first() {
        let origins = named(&["app1-init", "app2-init"]);
        let items = merge_sidecar_containers(
            &origins,
            vec![
                injected("a-init", "AfterAppContainer"),
                injected("b-init", "BeforeAppContainer"),
                injected("c-init", "BeforeAppContainer"),
            ],
        )
        .expect("changed");
        assert_eq!(
            render(&origins, &items),
            ["+b-init", "+c-init", "app1-init", "app2-init", "+a-init"]
        );
    }

    #[test]
    fn same_name_replaced_in_place_unknown_policy_after() {
        let origins = vec![
            json!({"name": "app"}),
            json!({"name": "envoy", "image": "old"}),
        ];
        let items = merge_sidecar_containers(
            &origins,
            vec![injected("envoy", "BeforeAppContainer"), injected("log", "")],
        )
        .expect("changed");
        assert_eq!(render(&origins, &items), ["app", "+envoy", "+log"]);
        assert_eq!(
            items[1],
            ListItem::new(json!({"name": "envoy", "image": "x"}))
        );
    }

    #[test]
    fn equal_replacement_is_keep_and_no_change_is_none() {
        let origins = vec![
            json!({"name": "app"}),
            json!({"name": "envoy", "image": "x"}),
        ];
        assert_eq!(
            merge_sidecar_containers(&origins, vec![injected("envoy", "BeforeAppContainer")]),
            None
        );
        assert_eq!(merge_sidecar_containers(&origins, vec![]), None);
    }

    #[test]
    fn volumes_pod_wins_first_wins() {
        let original = named(&["a", "b"]);
        let items = merge_volumes(
            &original,
            vec![
                json!({"name": "b", "x": 1}),
                json!({"name": "c", "x": 1}),
                json!({"name": "c", "x": 2}),
            ],
        )
        .expect("changed");
        assert_eq!(
            items,
            vec![
                Keep(0),
                Keep(1),
                ListItem::new(json!({"name": "c", "x": 1}))
            ]
        );
        assert_eq!(merge_volumes(&original, named(&["a"])), None);
    }

    // sidecarset_test.go: TestMergeSidecarSecrets.
    #[test]
    fn secrets_deduplicate_pod_list_too() {
        let pod = named(&["s2", "s3", "s3"]);
        let items = merge_secrets(&pod, named(&["s0", "s1", "s2"])).expect("changed");
        assert_eq!(render(&pod, &items), ["s2", "s3", "+s0", "+s1"]);
        assert_eq!(items[..2], [Keep(0), Keep(1)]);
        assert_eq!(merge_secrets(&named(&["s0"]), named(&["s0"])), None);
        assert_eq!(merge_secrets(&[], vec![]), None);
    }
}
