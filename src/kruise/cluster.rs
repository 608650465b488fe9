//! What a cluster would supply to the webhook, gathered from input files: SidecarSets, Namespaces,
//! ControllerRevisions, ConfigMaps.

use std::collections::BTreeMap;

use crate::kruise::controller_revision::{
    ControllerRevision, SIDECARSET_NAME_LABEL, register_latest_revision,
};
use crate::kruise::features::FeatureGates;
use crate::kruise::selector::NAMESPACE_NAME_LABEL;
use crate::kruise::selector::{KnownLabel, LabelSelector, PartialMatch, SelectorError};
use crate::kruise::sidecarset::{SidecarSet, revision_data};

/// The namespace Kruise runs in unless told otherwise (`POD_NAMESPACE` default,
/// `GetKruiseNamespace`).
pub const DEFAULT_KRUISE_NAMESPACE: &str = "kruise-system";

/// The namespace of an object that names none, as `kubectl apply` puts it (a kubeconfig context
/// without a namespace).
pub const DEFAULT_NAMESPACE: &str = "default";

/// The objects the pod webhook would read from the API server.
#[derive(Debug, Clone, Default)]
pub struct Cluster {
    /// Every SidecarSet, sorted by name (names are unique).
    pub sidecarsets: Vec<SidecarSet>,
    /// Namespace name → labels, including `kubernetes.io/metadata.name`.
    pub namespaces: BTreeMap<String, BTreeMap<String, String>>,
    /// ControllerRevisions, in input order.
    pub controller_revisions: Vec<ControllerRevision>,
    /// The namespace Kruise runs in (where SidecarSet ControllerRevisions live).
    pub kruise_namespace: String,
    /// The feature gates Kruise's manager runs with.
    pub feature_gates: FeatureGates,
}

/// Inputs that cannot describe one cluster.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClusterError {
    /// Two SidecarSets with one name.
    #[error(
        "SidecarSet {name} is defined twice: SidecarSets are cluster-scoped, so names are unique; remove or rename one of them"
    )]
    DuplicateSidecarSet {
        /// The name.
        name: String,
    },
}

impl Cluster {
    /// An empty cluster whose Kruise runs in `kruise_namespace` (usually
    /// [`DEFAULT_KRUISE_NAMESPACE`]).
    pub fn new(kruise_namespace: impl Into<String>) -> Self {
        Cluster {
            kruise_namespace: kruise_namespace.into(),
            ..Cluster::default()
        }
    }

    /// Adds a SidecarSet, keeping [`Cluster::sidecarsets`] sorted by name.
    pub fn add_sidecarset(&mut self, sidecarset: SidecarSet) -> Result<(), ClusterError> {
        match self
            .sidecarsets
            .binary_search_by(|s| s.name.as_str().cmp(&sidecarset.name))
        {
            Ok(_) => Err(ClusterError::DuplicateSidecarSet {
                name: sidecarset.name,
            }),
            Err(index) => {
                let name = sidecarset.name.clone();
                self.sidecarsets.insert(index, sidecarset);
                self.settle_latest_revision(&name);
                Ok(())
            }
        }
    }

    /// Adds (or replaces) a Namespace with its labels; `kubernetes.io/metadata.name: <name>` is set
    /// as the API server sets it.
    pub fn add_namespace(&mut self, name: impl Into<String>, mut labels: BTreeMap<String, String>) {
        let name = name.into();
        labels.insert(NAMESPACE_NAME_LABEL.to_owned(), name.clone());
        self.namespaces.insert(name, labels);
    }

    /// Adds a ControllerRevision. One without a namespace is taken to be in the Kruise namespace. A
    /// later one with the namespace and name of an earlier one replaces it (in place), as applying
    /// both files would.
    pub fn add_controller_revision(&mut self, mut revision: ControllerRevision) {
        if revision.namespace.is_empty() {
            revision.namespace = self.kruise_namespace.clone();
        }
        match self
            .controller_revisions
            .iter_mut()
            .find(|r| r.namespace == revision.namespace && r.name == revision.name)
        {
            Some(existing) => *existing = revision.clone(),
            None => self.controller_revisions.push(revision.clone()),
        }
        if let Some(name) = revision.labels.get(SIDECARSET_NAME_LABEL) {
            self.settle_latest_revision(name);
        }
    }

    /// Sets every SidecarSet's `latest_revision` to the name the controller registers given the
    /// ControllerRevisions known now ([`register_latest_revision`]). [`Cluster::add_sidecarset`] and
    /// [`Cluster::add_controller_revision`] keep it up to date; call this after changing
    /// [`Cluster::sidecarsets`] or [`Cluster::controller_revisions`] directly.
    pub fn settle_latest_revisions(&mut self) {
        let names: Vec<String> = self.sidecarsets.iter().map(|s| s.name.clone()).collect();
        for name in names {
            self.settle_latest_revision(&name);
        }
    }

    fn settle_latest_revision(&mut self, name: &str) {
        let Ok(index) = self
            .sidecarsets
            .binary_search_by(|s| s.name.as_str().cmp(name))
        else {
            return;
        };
        let namespace = &self.kruise_namespace;
        let ss = &self.sidecarsets[index];
        let latest = register_latest_revision(
            &ss.name,
            &revision_data(&ss.spec),
            &ss.revision_status,
            self.controller_revisions.iter().filter(|r| {
                r.namespace == *namespace
                    && r.labels.get(SIDECARSET_NAME_LABEL).map(String::as_str) == Some(name)
            }),
        );
        self.sidecarsets[index].latest_revision = latest;
    }

    /// The SidecarSet named `name`.
    pub fn sidecarset(&self, name: &str) -> Option<&SidecarSet> {
        self.sidecarsets
            .binary_search_by(|s| s.name.as_str().cmp(name))
            .ok()
            .and_then(|i| self.sidecarsets.get(i))
    }

    /// The labels of Namespace `name`, if it is among the inputs.
    pub fn namespace_labels(&self, name: &str) -> Option<&BTreeMap<String, String>> {
        self.namespaces.get(name)
    }

    /// Whether `selector` (a `namespaceSelector`) selects namespace `name`; see
    /// [`namespace_selected`].
    pub fn namespace_selected(
        &self,
        name: &str,
        selector: &LabelSelector,
    ) -> Result<PartialMatch, SelectorError> {
        namespace_selected(&self.namespaces, name, selector)
    }

    /// The ControllerRevisions in the Kruise namespace, in input order.
    pub fn kruise_revisions(&self) -> impl Iterator<Item = &ControllerRevision> {
        self.controller_revisions
            .iter()
            .filter(|r| r.namespace == self.kruise_namespace)
    }

    /// The ControllerRevision `name` in the Kruise namespace.
    pub fn kruise_revision(&self, name: &str) -> Option<&ControllerRevision> {
        self.kruise_revisions().find(|r| r.name == name)
    }
}

/// Whether `selector` (a SidecarSet's `namespaceSelector`) selects namespace `name`, which exists
/// (a pod is in it), from what the inputs say of it (`namespaces`: name → labels of the Namespace
/// objects given). Kruise reads the Namespace object (`util.go: IsSelectorNamespace`, v1.9); the
/// API server labels every namespace `kubernetes.io/metadata.name=<name>` (immutable, Kubernetes ≥
/// 1.21, overriding any value given). So the labels of a Namespace given are known completely,
/// with that label; of a namespace not given only that label is known, and a selector that needs
/// another label is [`PartialMatch::Unknown`]. An invalid selector is an error (Kruise: no match).
pub fn namespace_selected(
    namespaces: &BTreeMap<String, BTreeMap<String, String>>,
    name: &str,
    selector: &LabelSelector,
) -> Result<PartialMatch, SelectorError> {
    let given = namespaces.get(name);
    selector.matches_partly(|key| {
        if key == NAMESPACE_NAME_LABEL {
            KnownLabel::Value(name)
        } else {
            match given {
                Some(labels) => labels
                    .get(key)
                    .map_or(KnownLabel::Absent, |v| KnownLabel::Value(v)),
                None => KnownLabel::Unknown,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn ss(name: &str) -> SidecarSet {
        SidecarSet {
            name: name.into(),
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
            resource_version: None,
            spec: Default::default(),
            latest_revision: String::new(),
            revision_status: Default::default(),
            warnings: Vec::new(),
        }
    }

    fn cr(ns: &str, name: &str, data: Value) -> ControllerRevision {
        ControllerRevision {
            name: name.into(),
            namespace: ns.into(),
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
            creation_timestamp: None,
            revision: 1,
            data,
        }
    }

    #[test]
    fn sidecarsets_sorted_and_unique() {
        let mut c = Cluster::new(DEFAULT_KRUISE_NAMESPACE);
        for n in ["b", "c", "a"] {
            c.add_sidecarset(ss(n)).expect("unique");
        }
        let names: Vec<_> = c.sidecarsets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(
            c.add_sidecarset(ss("b")),
            Err(ClusterError::DuplicateSidecarSet { name: "b".into() })
        );
        assert_eq!(c.sidecarsets.len(), 3);
        assert_eq!(c.sidecarset("c").map(|s| s.name.as_str()), Some("c"));
        assert!(c.sidecarset("d").is_none());
    }

    #[test]
    fn latest_revision_follows_the_revisions_of_the_sidecarset_in_either_order() {
        let doc = json!({
            "apiVersion": "apps.kruise.io/v1beta1",
            "kind": "SidecarSet",
            "metadata": {"name": "log"},
            "spec": {
                "selector": {"matchLabels": {"app": "web"}},
                "containers": [{"name": "agent", "image": "agent:1"}]
            }
        });
        let fresh = || SidecarSet::from_value(&doc).expect("valid");
        let data: Value =
            serde_json::from_str(&crate::kruise::sidecarset::revision_data(&fresh().spec))
                .expect("JSON");
        let mut labelled = cr("kruise-system", "log-collided", data.clone());
        labelled
            .labels
            .insert(SIDECARSET_NAME_LABEL.into(), "log".into());

        let mut after = Cluster::new("kruise-system");
        after.add_sidecarset(fresh()).expect("unique");
        let computed = after.sidecarsets[0].latest_revision.clone();
        assert_ne!(computed, "log-collided");
        after.add_controller_revision(labelled.clone());
        assert_eq!(after.sidecarsets[0].latest_revision, "log-collided");

        let mut before = Cluster::new("kruise-system");
        before.add_controller_revision(labelled.clone());
        before.add_sidecarset(fresh()).expect("unique");
        assert_eq!(before.sidecarsets[0].latest_revision, "log-collided");

        // Not this SidecarSet's (no label), or not in the Kruise namespace: not listed by Kruise.
        let mut unlabelled = Cluster::new("kruise-system");
        unlabelled.add_controller_revision(cr("kruise-system", "log-x", data.clone()));
        let mut elsewhere = labelled;
        elsewhere.namespace = "other".into();
        unlabelled.add_controller_revision(elsewhere);
        unlabelled.add_sidecarset(fresh()).expect("unique");
        assert_eq!(unlabelled.sidecarsets[0].latest_revision, computed);
    }

    #[test]
    fn namespaces_get_their_name_label() {
        let mut c = Cluster::new("kruise-system");
        c.add_namespace(
            "web",
            BTreeMap::from([
                ("team".into(), "a".into()),
                (NAMESPACE_NAME_LABEL.into(), "wrong".into()),
            ]),
        );
        let labels = c.namespace_labels("web").expect("added");
        assert_eq!(labels.get("team").map(String::as_str), Some("a"));
        assert_eq!(
            labels.get(NAMESPACE_NAME_LABEL).map(String::as_str),
            Some("web")
        );
    }

    #[test]
    fn namespaces_not_given_are_known_by_their_name_label_only() {
        let mut c = Cluster::new("kruise-system");
        c.add_namespace("given", BTreeMap::from([("team".into(), "a".into())]));
        let sel =
            |v: Value| LabelSelector::from_value(&v, "spec.namespaceSelector").expect("valid");
        let by_name = sel(json!({"matchLabels": {NAMESPACE_NAME_LABEL: "web"}}));
        let by_team = sel(json!({"matchLabels": {"team": "a"}}));
        let selected = |ns: &str, s: &LabelSelector| c.namespace_selected(ns, s).expect("valid");
        assert_eq!(selected("web", &by_name), PartialMatch::Matches);
        assert_eq!(selected("other", &by_name), PartialMatch::DoesNotMatch);
        assert_eq!(
            selected("web", &by_team),
            PartialMatch::Unknown(vec!["team".into()])
        );
        assert_eq!(selected("given", &by_team), PartialMatch::Matches);
        assert_eq!(selected("given", &by_name), PartialMatch::DoesNotMatch);
        // The name label holds even when a map lacks it (or has another value).
        let raw = BTreeMap::from([(
            "web".to_owned(),
            BTreeMap::from([(NAMESPACE_NAME_LABEL.to_owned(), "x".to_owned())]),
        )]);
        assert_eq!(
            namespace_selected(&raw, "web", &by_name),
            Ok(PartialMatch::Matches)
        );
        assert_eq!(
            namespace_selected(&raw, "web", &by_team),
            Ok(PartialMatch::DoesNotMatch)
        );
    }

    #[test]
    fn controller_revisions_default_to_the_kruise_namespace() {
        let mut c = Cluster::new("kruise");
        c.add_controller_revision(cr("", "r1", json!(1)));
        c.add_controller_revision(cr("other", "r2", json!(1)));
        assert_eq!(
            c.kruise_revision("r1").map(|r| r.namespace.as_str()),
            Some("kruise")
        );
        assert!(c.kruise_revision("r2").is_none());
        c.add_controller_revision(cr("kruise", "r1", json!(2)));
        assert_eq!(c.controller_revisions.len(), 2);
        assert_eq!(c.kruise_revision("r1").map(|r| &r.data), Some(&json!(2)));
    }
}
