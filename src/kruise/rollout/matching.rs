//! The pods a SidecarSet manages (`sidecarset_processor.go: getMatchingPods`): selected by
//! `selector` in the namespaces `namespaceSelector` picks, active, injected with the SidecarSet
//! (`kruise.io/sidecarset-injected-list`) and holding its containers.

use std::collections::BTreeMap;

use super::annotations::{self, INJECTED_LIST_ANNOTATION};
use super::hot_upgrade;
use super::pod::Pod;
use crate::kruise::cluster::namespace_selected;
use crate::kruise::selector::{PartialMatch, SelectorError};
use crate::kruise::sidecarset::SidecarSet;

/// Why a pod the SidecarSet's `selector` selects is not managed by it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// The SidecarSet's `namespaceSelector` needs labels of the pod's namespace other than
    /// `kubernetes.io/metadata.name`, and its Namespace object is not among the inputs: whether the
    /// controller manages the pod is unknown. Simulated as not managed.
    NamespaceUnknown,
    /// The `namespaceSelector` does not select the pod's namespace.
    NamespaceNotSelected,
    /// Phase Succeeded/Failed, or being deleted.
    Inactive,
    /// `kruise.io/sidecarset-injected-list` does not name the SidecarSet: the pod was created
    /// before it (or without it) and is never upgraded in place.
    NotInjected,
    /// A sidecar container (or, for hot upgrade, `<c>-1`/`<c>-2` and the working annotation) is
    /// missing from the pod.
    MissingContainer(String),
}

/// The matched pods (indexes into the pods given, in input order) and the selected pods skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matching {
    /// Managed pods.
    pub matched: Vec<usize>,
    /// Pods the selector selects that are not managed, and why.
    pub skipped: Vec<(usize, Skip)>,
}

/// `getMatchingPods`. `namespaces`: the Namespace objects among the inputs (name → labels); a pod's
/// namespace exists, so its `kubernetes.io/metadata.name` label is known without its object
/// ([`namespace_selected`]). A `selector` Kruise cannot evaluate is an error (the controller's
/// reconcile fails).
pub fn matching_pods(
    ss: &SidecarSet,
    pods: &[Pod],
    namespaces: &BTreeMap<String, BTreeMap<String, String>>,
) -> Result<Matching, SelectorError> {
    let mut out = Matching::default();
    let Some(selector) = &ss.spec.selector else {
        return Ok(out);
    };
    for (i, pod) in pods.iter().enumerate() {
        if !selector
            .matches_unvalidated(&pod.labels)
            .map_err(|e| e.under("spec.selector"))?
        {
            continue;
        }
        let skip = if let Some(ns_selector) = &ss.spec.namespace_selector {
            // `FetchSidecarSetMatchedNamespace` (util.go, v1.9): an invalid selector fails the
            // reconcile, treated here like a namespace that is not selected.
            match namespace_selected(namespaces, &pod.namespace, ns_selector) {
                Ok(PartialMatch::Matches) => None,
                Ok(PartialMatch::Unknown(_)) => Some(Skip::NamespaceUnknown),
                _ => Some(Skip::NamespaceNotSelected),
            }
        } else {
            None
        };
        let skip = skip.or_else(|| {
            if !pod.is_active() {
                Some(Skip::Inactive)
            } else if !is_injected(ss, pod) {
                Some(Skip::NotInjected)
            } else {
                missing_container(ss, pod).map(Skip::MissingContainer)
            }
        });
        match skip {
            Some(skip) => out.skipped.push((i, skip)),
            None => out.matched.push(i),
        }
    }
    Ok(out)
}

/// `IsPodInjectedSidecarSet`.
fn is_injected(ss: &SidecarSet, pod: &Pod) -> bool {
    pod.annotations
        .get(INJECTED_LIST_ANNOTATION)
        .is_some_and(|list| list.split(',').any(|n| n == ss.name))
}

/// `IsPodConsistentWithSidecarSet`: the first sidecar container the pod lacks.
fn missing_container(ss: &SidecarSet, pod: &Pod) -> Option<String> {
    for c in &ss.spec.containers {
        if hot_upgrade::is_hot_upgrade(c) {
            let (c1, c2) = hot_upgrade::container_names(c.name());
            if !annotations::hot_upgrade_work_info(&pod.annotations).contains_key(c.name()) {
                return Some(format!(
                    "{} (no entry in {})",
                    c.name(),
                    annotations::WORKING_CONTAINER_ANNOTATION
                ));
            }
            for name in [c1, c2] {
                if pod.container(&name).is_none() {
                    return Some(name);
                }
            }
        } else if pod.container(c.name()).is_none() {
            return Some(c.name().to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::status::tests::{pod, sidecarset};
    use super::*;
    use crate::kruise::sidecarset::SidecarSet;

    #[test]
    fn keeps_active_injected_pods_with_their_sidecars() {
        let ss = sidecarset(json!({}));
        let mut pods: Vec<Pod> = (0..6).map(|i| pod(&ss, i)).collect();
        pods[1].labels.insert("app".into(), "other".into());
        pods[2].phase = "Succeeded".into();
        pods[3]
            .annotations
            .insert(INJECTED_LIST_ANNOTATION.into(), "a,b".into());
        pods[4].containers.retain(|c| c.name != "test-sidecar");
        let m = matching_pods(&ss, &pods, &BTreeMap::new()).expect("valid");
        assert_eq!(m.matched, [0, 5]);
        assert_eq!(
            m.skipped,
            [
                (2, Skip::Inactive),
                (3, Skip::NotInjected),
                (4, Skip::MissingContainer("test-sidecar".into()))
            ]
        );
    }

    #[test]
    fn namespace_selector_needs_the_namespace_objects() {
        let ss = SidecarSet::from_value(&json!({
            "apiVersion": "apps.kruise.io/v1alpha1", "kind": "SidecarSet",
            "metadata": {"name": "test-sidecarset"},
            "spec": {"selector": {"matchLabels": {"app": "sidecar"}}, "namespace": "web",
                     "containers": [{"name": "test-sidecar", "image": "test-image:v2"}]}
        }))
        .expect("valid");
        let mut pods = vec![pod(&ss, 0), pod(&ss, 1)];
        pods[1].namespace = "web".into();
        // `spec.namespace` needs only the name label: no Namespace object is needed.
        let m = matching_pods(&ss, &pods, &BTreeMap::new()).expect("valid");
        assert_eq!(m.matched, [1]);
        assert_eq!(m.skipped, [(0, Skip::NamespaceNotSelected)]);
        // A selector on another label needs the Namespace objects.
        let mut by_team = ss.clone();
        by_team.spec.namespace_selector = Some(
            crate::kruise::selector::LabelSelector::from_value(
                &json!({"matchLabels": {"team": "a"}}),
                "spec.namespaceSelector",
            )
            .expect("valid"),
        );
        let m = matching_pods(&by_team, &pods, &BTreeMap::new()).expect("valid");
        assert_eq!(
            m.skipped,
            [(0, Skip::NamespaceUnknown), (1, Skip::NamespaceUnknown)]
        );
        let given = BTreeMap::from([(
            "web".to_owned(),
            BTreeMap::from([("team".to_owned(), "a".to_owned())]),
        )]);
        let m = matching_pods(&by_team, &pods, &given).expect("valid");
        assert_eq!(m.matched, [1]);
        assert_eq!(m.skipped, [(0, Skip::NamespaceUnknown)]);
        let namespaces = BTreeMap::from([
            (
                "web".to_owned(),
                BTreeMap::from([("kubernetes.io/metadata.name".to_owned(), "web".to_owned())]),
            ),
            ("default".to_owned(), BTreeMap::new()),
        ]);
        let m = matching_pods(&ss, &pods, &namespaces).expect("valid");
        assert_eq!(m.matched, [1]);
        assert_eq!(m.skipped, [(0, Skip::NamespaceNotSelected)]);
    }
}
