//! Which SidecarSets are injected into a pod, and in which order (the pod webhook,
//! `pkg/webhook/pod/mutating`).
//!
//! [`match_pod`] follows `sidecarset.go: sidecarsetMutatingPod` for a CREATE:
//!
//! 1. Pods in a namespace labelled `control-plane` (any value) never reach the webhook (its
//!    `namespaceSelector`); inactive pods (Succeeded/Failed, or being deleted) are skipped. A
//!    namespace whose Namespace object is not among the inputs is taken to have no `control-plane`
//!    label, except Kruise's own namespace, which Kruise's installation labels
//!    `control-plane: controller-manager` (`config/manager/manager.yaml`).
//! 2. Candidates: the SidecarSets indexed under the pod's namespace (`""` → `default`), then the
//!    cluster-scoped ones (`fieldindex: IndexSidecarSetV1Beta1`): a SidecarSet is indexed under
//!    `namespaceSelector.matchLabels["kubernetes.io/metadata.name"]` if present, else under the
//!    values of the first `matchExpressions` entry with that key and operator `In`, else it is
//!    cluster-scoped. Others can never match (every namespace carries its own name label).
//! 3. Per candidate, in order: `injectionStrategy.paused` → not injected; a `namespaceSelector` →
//!    it must select the pod's namespace (an invalid namespaceSelector matches no namespace). The
//!    namespace exists (the pod is in it), so its `kubernetes.io/metadata.name` label is known
//!    from its name; its other labels only from its Namespace object among the inputs
//!    ([`crate::kruise::cluster::namespace_selected`]). A selector that needs a label of a namespace not
//!    given is undecided: the SidecarSet is not injected, and the outcome says so
//!    ([`NotInjectedReason::NamespaceLabelsUnknown`], [`MatchOutcome::undecided`]). `selector`
//!    must match the pod labels (nil or empty matches nothing; an invalid selector is an error,
//!    as the webhook fails); then the revision to inject is resolved
//!    ([`crate::kruise::revision::suitable_revision`], which may draw from the RNG).
//! 4. Canary (`IsCanarySidecarSet`): every SidecarSet named by a matched canary's
//!    `apps.kruise.io/sidecarset-base` is dropped.
//!
//! **Order.** Kruise lists each index group from its informer cache, whose order is unspecified
//! (`sidecarsetMutatingPod`: `Client.List` with `MatchingFields`). kruise-inject uses a fixed rule
//! instead: namespace-indexed SidecarSets first, then cluster-scoped ones, each group sorted by
//! name. The order decides container order across SidecarSets, first-wins merges, and the order of
//! RNG draws.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use crate::kruise::cluster::Cluster;
use crate::kruise::pod::PodView;
use crate::kruise::revision::{RevisionError, suitable_revision};
use crate::kruise::rng::Rng;
use crate::kruise::selector::NAMESPACE_NAME_LABEL;
use crate::kruise::selector::{PartialMatch, SelectorError, kruise_matches};
use crate::kruise::sidecarset::SidecarSet;

/// Namespace label that keeps pods away from Kruise's pod webhook (its `namespaceSelector`).
pub const CONTROL_PLANE_LABEL: &str = "control-plane";

/// What the pod webhook does with a pod, as far as choosing SidecarSets goes.
#[derive(Debug, Clone, PartialEq)]
pub enum MatchOutcome<'c> {
    /// The webhook leaves the pod alone whatever the SidecarSets are.
    Skipped(PodSkip),
    /// The SidecarSets to inject (possibly none).
    Matched {
        /// The SidecarSets to inject, in injection order, each at the revision to inject
        /// (`getSuitableRevisionSidecarSet`): the cluster's own when that is the revision, else one
        /// restored from a ControllerRevision.
        sidecarsets: Vec<Cow<'c, SidecarSet>>,
        /// SidecarSets whose `selector` matches the pod but that are not injected, sorted by name.
        notes: Vec<NotInjected>,
    },
}

/// Why the whole pod is skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PodSkip {
    /// The `PodWebhook` feature gate is off: Kruise serves no pod webhook
    /// (kruise v1.9 `pkg/webhook/add_pod.go`: the pod handlers are registered only with the gate).
    PodWebhookDisabled,
    /// Phase Succeeded/Failed or a deletionTimestamp (`util.go: IsActivePod`).
    Inactive,
    /// The pod's Namespace has a `control-plane` label, so the webhook is never called.
    ControlPlaneNamespace {
        /// The namespace.
        namespace: String,
    },
    /// The pod is in Kruise's own namespace, whose Namespace object is not among the inputs:
    /// Kruise's installation labels it `control-plane`, so the webhook is never called.
    KruiseNamespace {
        /// The namespace.
        namespace: String,
    },
}

/// A SidecarSet whose `selector` matches the pod, and why it is not injected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotInjected {
    /// The SidecarSet's name.
    pub sidecarset: String,
    /// Why.
    pub reason: NotInjectedReason,
}

/// Why a SidecarSet whose `selector` matches a pod is not injected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotInjectedReason {
    /// `spec.injectionStrategy.paused: true`.
    InjectionPaused,
    /// The SidecarSet's `namespaceSelector` needs labels of the pod's namespace other than
    /// `kubernetes.io/metadata.name`, and its Namespace object is not among the inputs: whether
    /// Kruise injects the SidecarSet is unknown. It is not injected.
    NamespaceLabelsUnknown {
        /// The pod's namespace.
        namespace: String,
        /// The labels the selector needs (sorted).
        labels: Vec<String>,
    },
    /// The `namespaceSelector` does not match the pod's Namespace.
    NamespaceSelectorMismatch {
        /// The pod's namespace.
        namespace: String,
    },
    /// The `namespaceSelector` cannot be evaluated; Kruise treats it as matching no namespace.
    NamespaceSelectorInvalid {
        /// The error.
        error: SelectorError,
    },
    /// A matched canary SidecarSet names this one as its base.
    ReplacedByCanary {
        /// The canary SidecarSet's name.
        canary: String,
    },
}

/// A pod the webhook would reject (HTTP 500) because of a SidecarSet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MatchError {
    /// A SidecarSet's `selector` cannot be evaluated.
    #[error("SidecarSet {sidecarset}: {source}; Kruise rejects the pod: fix the selector")]
    Selector {
        /// The SidecarSet.
        sidecarset: String,
        /// The error, with its path under `spec.selector`.
        source: SelectorError,
    },
    /// The revision to inject cannot be determined.
    #[error(transparent)]
    Revision(#[from] RevisionError),
}

impl<'c> MatchOutcome<'c> {
    /// The SidecarSets to inject, in order (none for a skipped pod).
    pub fn sidecarsets(&self) -> &[Cow<'c, SidecarSet>] {
        match self {
            MatchOutcome::Skipped(_) => &[],
            MatchOutcome::Matched { sidecarsets, .. } => sidecarsets,
        }
    }

    /// The matching but not injected SidecarSets (none for a skipped pod).
    pub fn notes(&self) -> &[NotInjected] {
        match self {
            MatchOutcome::Skipped(_) => &[],
            MatchOutcome::Matched { notes, .. } => notes,
        }
    }

    /// The SidecarSets that Kruise may or may not inject, because their `namespaceSelector` needs
    /// labels of a Namespace that is not among the inputs (none when the answer is known).
    pub fn undecided(&self) -> Option<Undecided> {
        let mut out: Option<Undecided> = None;
        for note in self.notes() {
            if let NotInjectedReason::NamespaceLabelsUnknown { namespace, labels } = &note.reason {
                let u = out.get_or_insert_with(|| Undecided {
                    namespace: namespace.clone(),
                    sidecarsets: Vec::new(),
                    labels: Vec::new(),
                });
                u.sidecarsets.push(note.sidecarset.clone());
                u.labels.extend(labels.iter().cloned());
            }
        }
        if let Some(u) = &mut out {
            u.labels.sort();
            u.labels.dedup();
        }
        out
    }
}

/// A pod for which the answer is unknown: SidecarSets whose `namespaceSelector` needs labels of its
/// namespace, whose Namespace object is not among the inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undecided {
    /// The pod's namespace.
    pub namespace: String,
    /// The SidecarSets (sorted by name).
    pub sidecarsets: Vec<String>,
    /// The labels of the namespace their selectors need (sorted, unique).
    pub labels: Vec<String>,
}

/// Chooses the SidecarSets the pod webhook injects into `pod` on CREATE, in injection order, with
/// their revisions resolved (`sidecarsetMutatingPod`, `getSuitableRevisionSidecarSet`). See the
/// module documentation for the rules and the order.
pub fn match_pod<'c>(
    cluster: &'c Cluster,
    pod: &PodView,
    rng: &mut Rng,
) -> Result<MatchOutcome<'c>, MatchError> {
    if !cluster.feature_gates.pod_webhook() {
        return Ok(MatchOutcome::Skipped(PodSkip::PodWebhookDisabled));
    }
    let namespace = if pod.namespace.is_empty() {
        "default"
    } else {
        pod.namespace
    };
    match cluster.namespace_labels(namespace) {
        Some(labels) if labels.contains_key(CONTROL_PLANE_LABEL) => {
            return Ok(MatchOutcome::Skipped(PodSkip::ControlPlaneNamespace {
                namespace: namespace.to_owned(),
            }));
        }
        None if namespace == cluster.kruise_namespace => {
            return Ok(MatchOutcome::Skipped(PodSkip::KruiseNamespace {
                namespace: namespace.to_owned(),
            }));
        }
        _ => {}
    }
    if !pod.active {
        return Ok(MatchOutcome::Skipped(PodSkip::Inactive));
    }

    let mut in_namespace = Vec::new();
    let mut cluster_scoped = Vec::new();
    let mut elsewhere = Vec::new();
    for ss in &cluster.sidecarsets {
        match indexed_namespaces(ss) {
            None => cluster_scoped.push(ss),
            Some(namespaces) if namespaces.contains(&namespace) => in_namespace.push(ss),
            Some(_) => elsewhere.push(ss),
        }
    }

    let mut matched: Vec<Cow<'c, SidecarSet>> = Vec::new();
    let mut not_injected = Vec::new();
    let mut note = |ss: &SidecarSet, reason: NotInjectedReason| {
        // Only worth reporting when the SidecarSet is otherwise aimed at this pod. When the
        // namespace may match, an invalid selector matters too (the webhook would reject the pod).
        let undecided = matches!(reason, NotInjectedReason::NamespaceLabelsUnknown { .. });
        if kruise_matches(ss.spec.selector.as_ref(), &pod.labels).unwrap_or(undecided) {
            not_injected.push(NotInjected {
                sidecarset: ss.name.clone(),
                reason,
            });
        }
    };
    for ss in in_namespace.into_iter().chain(cluster_scoped) {
        if ss.spec.injection_strategy.paused {
            note(ss, NotInjectedReason::InjectionPaused);
            continue;
        }
        if let Some(reason) = namespace_mismatch(cluster, namespace, ss) {
            note(ss, reason);
            continue;
        }
        let selected = kruise_matches(ss.spec.selector.as_ref(), &pod.labels).map_err(|e| {
            MatchError::Selector {
                sidecarset: ss.name.clone(),
                source: e.under("spec.selector"),
            }
        })?;
        if selected {
            matched.push(suitable_revision(ss, pod, cluster, rng)?);
        }
    }
    for ss in elsewhere {
        if ss.spec.injection_strategy.paused {
            note(ss, NotInjectedReason::InjectionPaused);
        } else {
            note(
                ss,
                NotInjectedReason::NamespaceSelectorMismatch {
                    namespace: namespace.to_owned(),
                },
            );
        }
    }

    // Canary: drop the bases of matched canaries (base → first canary naming it).
    let mut bases: BTreeMap<String, String> = BTreeMap::new();
    for ss in &matched {
        if let Some(base) = ss.canary_base() {
            bases
                .entry(base.to_owned())
                .or_insert_with(|| ss.name.clone());
        }
    }
    let mut sidecarsets = Vec::with_capacity(matched.len());
    for ss in matched {
        match bases.get(&ss.name) {
            Some(canary) => not_injected.push(NotInjected {
                sidecarset: ss.name.clone(),
                reason: NotInjectedReason::ReplacedByCanary {
                    canary: canary.clone(),
                },
            }),
            None => sidecarsets.push(ss),
        }
    }
    not_injected.sort_by(|a, b| a.sidecarset.cmp(&b.sidecarset));
    Ok(MatchOutcome::Matched {
        sidecarsets,
        notes: not_injected,
    })
}

/// The namespaces a SidecarSet is indexed under (`IndexSidecarSetV1Beta1`); `None` for
/// cluster-scoped.
pub fn indexed_namespaces(ss: &SidecarSet) -> Option<Vec<&str>> {
    let selector = ss.spec.namespace_selector.as_ref()?;
    if let Some(name) = selector.match_labels.get(NAMESPACE_NAME_LABEL) {
        return Some(vec![name.as_str()]);
    }
    selector
        .match_expressions
        .iter()
        .find(|r| r.key == NAMESPACE_NAME_LABEL && r.operator == "In")
        .map(|r| r.values.iter().map(String::as_str).collect())
}

/// `IsSelectorNamespace` (`util.go`, v1.9): why the SidecarSet's `namespaceSelector` excludes
/// `namespace` (or may exclude it), if it does.
fn namespace_mismatch(
    cluster: &Cluster,
    namespace: &str,
    ss: &SidecarSet,
) -> Option<NotInjectedReason> {
    let selector = ss.spec.namespace_selector.as_ref()?;
    // Kruise converts the selector before fetching the Namespace; a conversion error means false.
    let empty = BTreeMap::new();
    if let Err(e) = selector.matches_unvalidated(&empty) {
        return Some(NotInjectedReason::NamespaceSelectorInvalid {
            error: e.under("spec.namespaceSelector"),
        });
    }
    match cluster.namespace_selected(namespace, selector) {
        Ok(PartialMatch::Matches) => None,
        Ok(PartialMatch::Unknown(labels)) => Some(NotInjectedReason::NamespaceLabelsUnknown {
            namespace: namespace.to_owned(),
            labels,
        }),
        _ => Some(NotInjectedReason::NamespaceSelectorMismatch {
            namespace: namespace.to_owned(),
        }),
    }
}

impl fmt::Display for PodSkip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PodSkip::PodWebhookDisabled => write!(
                f,
                "the PodWebhook feature gate is off (--feature-gates), so Kruise serves no pod webhook"
            ),
            PodSkip::Inactive => write!(
                f,
                "pod not active (phase Succeeded/Failed, or being deleted)"
            ),
            PodSkip::ControlPlaneNamespace { namespace } => write!(
                f,
                "namespace {namespace} is labelled {CONTROL_PLANE_LABEL}, which Kruise's pod webhook never sees"
            ),
            PodSkip::KruiseNamespace { namespace } => write!(
                f,
                "namespace {namespace} is Kruise's own namespace, which Kruise's installation labels {CONTROL_PLANE_LABEL} and its pod webhook never sees (its Namespace object is not among the inputs: give it to decide by its labels)"
            ),
        }
    }
}

/// Reads after "SidecarSet NAME ".
impl fmt::Display for NotInjectedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotInjectedReason::InjectionPaused => {
                write!(f, "is paused (spec.injectionStrategy.paused)")
            }
            NotInjectedReason::NamespaceLabelsUnknown { namespace, labels } => write!(
                f,
                "is not injected, but Kruise may inject it: its namespaceSelector needs {} {} of namespace {namespace}, whose Namespace object is not among the inputs; give it (e.g. with -s)",
                if labels.len() == 1 { "label" } else { "labels" },
                labels.join(", ")
            ),
            NotInjectedReason::NamespaceSelectorMismatch { namespace } => {
                write!(
                    f,
                    "does not select namespace {namespace} (namespaceSelector)"
                )
            }
            NotInjectedReason::NamespaceSelectorInvalid { error } => write!(
                f,
                "has an invalid namespaceSelector ({error}), which Kruise treats as matching no namespace"
            ),
            NotInjectedReason::ReplacedByCanary { canary } => {
                write!(f, "is replaced by its canary SidecarSet {canary}")
            }
        }
    }
}

/// Reads as a sentence about the pod.
impl fmt::Display for Undecided {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let one = self.sidecarsets.len() == 1;
        write!(
            f,
            "unknown whether Kruise injects {} {}: {} {} {} of namespace {}, whose Namespace object is not among the inputs; not injected: give the Namespace object (e.g. with -s)",
            if one { "SidecarSet" } else { "SidecarSets" },
            self.sidecarsets.join(", "),
            if one {
                "its namespaceSelector needs"
            } else {
                "their namespaceSelectors need"
            },
            if self.labels.len() == 1 {
                "label"
            } else {
                "labels"
            },
            self.labels.join(", "),
            self.namespace
        )
    }
}

impl fmt::Display for NotInjected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SidecarSet {} {}", self.sidecarset, self.reason)
    }
}

impl fmt::Display for MatchOutcome<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MatchOutcome::Skipped(s) => write!(f, "not injected: {s}"),
            MatchOutcome::Matched { sidecarsets, notes } => {
                if sidecarsets.is_empty() {
                    write!(f, "no SidecarSet is injected")?;
                } else {
                    let names: Vec<&str> = sidecarsets.iter().map(|s| s.name.as_str()).collect();
                    write!(f, "injects {}", names.join(", "))?;
                }
                for n in notes {
                    write!(f, "; {n}")?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    use crate::kruise::cluster::DEFAULT_KRUISE_NAMESPACE;
    use crate::kruise::controller_revision::{ControllerRevision, SIDECARSET_NAME_LABEL};
    use crate::kruise::sidecarset::{
        CANARY_ANNOTATION, CANARY_BASE_ANNOTATION, CUSTOM_VERSION_LABEL,
    };

    /// A v1beta1 SidecarSet selecting `app: web`, with `spec` members merged in.
    fn ss(name: &str, extra_spec: Value) -> SidecarSet {
        let mut doc = json!({
            "apiVersion": "apps.kruise.io/v1beta1",
            "kind": "SidecarSet",
            "metadata": {"name": name},
            "spec": {
                "selector": {"matchLabels": {"app": "web"}},
                "containers": [{"name": format!("{name}-c"), "image": format!("{name}:1")}]
            }
        });
        if let (Some(spec), Value::Object(extra)) = (
            doc.get_mut("spec").and_then(Value::as_object_mut),
            extra_spec,
        ) {
            spec.extend(extra);
        }
        SidecarSet::from_value(&doc).expect("valid SidecarSet")
    }

    fn in_ns(ns: &str) -> Value {
        json!({"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ns}}})
    }

    fn cluster(sets: Vec<SidecarSet>, namespaces: &[(&str, &[(&str, &str)])]) -> Cluster {
        let mut c = Cluster::new(DEFAULT_KRUISE_NAMESPACE);
        for s in sets {
            c.add_sidecarset(s).expect("unique");
        }
        for (name, labels) in namespaces {
            c.add_namespace(
                *name,
                labels
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            );
        }
        c
    }

    fn pod<'a>(ns: &'a str, spec: &'a Value) -> PodView<'a> {
        PodView {
            namespace: ns,
            labels: BTreeMap::from([("app".to_owned(), "web".to_owned())]),
            annotations: BTreeMap::new(),
            spec,
            active: true,
        }
    }

    fn run<'c>(c: &'c Cluster, p: &PodView) -> MatchOutcome<'c> {
        match_pod(c, p, &mut Rng::new(0)).expect("matches")
    }

    fn names<'o>(o: &'o MatchOutcome) -> Vec<&'o str> {
        o.sidecarsets().iter().map(|s| s.name.as_str()).collect()
    }

    fn notes<'o>(o: &'o MatchOutcome) -> Vec<(&'o str, &'o NotInjectedReason)> {
        o.notes()
            .iter()
            .map(|n| (n.sidecarset.as_str(), &n.reason))
            .collect()
    }

    #[test]
    fn order_is_namespace_indexed_then_cluster_scoped_each_by_name() {
        let expr_in = json!({"namespaceSelector": {"matchExpressions": [
            {"key": "team", "operator": "Exists"},
            {"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["other", "web"]}
        ]}});
        let c = cluster(
            vec![
                ss("a-cluster", json!({})),
                ss("z-ns", in_ns("web")),
                ss(
                    "b-cluster-label-selector",
                    json!({"namespaceSelector": {"matchLabels": {"team": "x"}}}),
                ),
                ss("m-ns-expr", expr_in),
            ],
            &[("web", &[("team", "x")])],
        );
        let spec = json!({});
        let o = run(&c, &pod("web", &spec));
        assert_eq!(
            names(&o),
            ["m-ns-expr", "z-ns", "a-cluster", "b-cluster-label-selector"]
        );
        assert!(o.notes().is_empty());
    }

    #[test]
    fn index_rule() {
        let idx = |v: Value| {
            indexed_namespaces(&ss("s", v))
                .map(|v| v.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        };
        assert_eq!(idx(json!({})), None);
        assert_eq!(idx(in_ns("a")), Some(vec!["a".to_string()]));
        assert_eq!(
            idx(json!({"namespaceSelector": {
                "matchLabels": {"kubernetes.io/metadata.name": "a"},
                "matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["b"]}]
            }})),
            Some(vec!["a".to_string()])
        );
        assert_eq!(
            idx(json!({"namespaceSelector": {"matchExpressions": [
                {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["x"]},
                {"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["b", "c"]},
                {"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["d"]}
            ]}})),
            Some(vec!["b".to_string(), "c".to_string()])
        );
        assert_eq!(
            idx(json!({"namespaceSelector": {"matchLabels": {"team": "a"}}})),
            None
        );
    }

    #[test]
    fn inactive_pod_is_skipped() {
        let c = cluster(vec![ss("a", json!({}))], &[]);
        let spec = json!({});
        let mut p = pod("web", &spec);
        p.active = false;
        let o = run(&c, &p);
        assert_eq!(o, MatchOutcome::Skipped(PodSkip::Inactive));
        assert_eq!(
            o.to_string(),
            "not injected: pod not active (phase Succeeded/Failed, or being deleted)"
        );
    }

    #[test]
    fn control_plane_namespace_is_skipped() {
        let c = cluster(
            vec![ss("a", json!({}))],
            &[("kube-system", &[("control-plane", "")])],
        );
        let spec = json!({});
        let o = run(&c, &pod("kube-system", &spec));
        assert_eq!(
            o,
            MatchOutcome::Skipped(PodSkip::ControlPlaneNamespace {
                namespace: "kube-system".into()
            })
        );
        // kube-system without the label is not excluded.
        let c = cluster(vec![ss("a", json!({}))], &[("kube-system", &[])]);
        assert_eq!(names(&run(&c, &pod("kube-system", &spec))), ["a"]);
    }

    #[test]
    fn empty_namespace_means_default() {
        let c = cluster(vec![ss("a", in_ns("default"))], &[("default", &[])]);
        let spec = json!({});
        assert_eq!(names(&run(&c, &pod("", &spec))), ["a"]);
    }

    #[test]
    fn paused_injection_is_noted() {
        let c = cluster(
            vec![
                ss("p", json!({"injectionStrategy": {"paused": true}})),
                ss(
                    "q",
                    json!({"injectionStrategy": {"paused": true}, "selector": {"matchLabels": {"app": "db"}}}),
                ),
            ],
            &[],
        );
        let spec = json!({});
        let o = run(&c, &pod("web", &spec));
        assert!(names(&o).is_empty());
        assert_eq!(notes(&o), [("p", &NotInjectedReason::InjectionPaused)]);
    }

    #[test]
    fn paused_is_checked_before_the_selector() {
        // A paused SidecarSet with an invalid selector is skipped, not an error.
        let c = cluster(
            vec![ss(
                "p",
                json!({"injectionStrategy": {"paused": true}, "selector": {"matchExpressions": [{"key": "a", "operator": "Bad"}]}}),
            )],
            &[],
        );
        let spec = json!({});
        assert!(match_pod(&c, &pod("web", &spec), &mut Rng::new(0)).is_ok());
    }

    #[test]
    fn name_label_selectors_resolve_without_namespace_objects() {
        // The API server labels every namespace with its name: no Namespace object is needed.
        let v1alpha1 = SidecarSet::from_value(&json!({
            "apiVersion": "apps.kruise.io/v1alpha1", "kind": "SidecarSet",
            "metadata": {"name": "alpha"},
            "spec": {"namespace": "web", "selector": {"matchLabels": {"app": "web"}},
                     "containers": [{"name": "alpha-c", "image": "alpha:1"}]}
        }))
        .expect("valid");
        let expr = |op: &str, values: &[&str]| {
            json!({"namespaceSelector": {"matchExpressions": [
                {"key": NAMESPACE_NAME_LABEL, "operator": op, "values": values}
            ]}})
        };
        let c = cluster(
            vec![
                v1alpha1,
                ss("beta", in_ns("web")),
                ss("in", expr("In", &["web", "x"])),
                ss("notin-other", expr("NotIn", &["other"])),
                ss("notin-web", expr("NotIn", &["web"])),
                ss("exists", expr("Exists", &[])),
                ss("doesnotexist", expr("DoesNotExist", &[])),
                ss("elsewhere", in_ns("other")),
            ],
            &[],
        );
        let spec = json!({});
        let o = run(&c, &pod("web", &spec));
        assert_eq!(
            names(&o),
            ["alpha", "beta", "in", "exists", "notin-other"],
            "{o}"
        );
        assert_eq!(o.undecided(), None);
        let mismatch = NotInjectedReason::NamespaceSelectorMismatch {
            namespace: "web".into(),
        };
        assert_eq!(
            notes(&o),
            [
                ("doesnotexist", &mismatch),
                ("elsewhere", &mismatch),
                ("notin-web", &mismatch)
            ]
        );
        // The default namespace too (a pod without namespace).
        let c = cluster(vec![ss("a", in_ns("default"))], &[]);
        assert_eq!(names(&run(&c, &pod("", &spec))), ["a"]);
    }

    #[test]
    fn other_namespace_labels_are_unknown_without_the_namespace_object() {
        let c = cluster(
            vec![
                ss(
                    "team",
                    json!({"namespaceSelector": {"matchLabels": {"team": "x"}}}),
                ),
                // Needs `team` only where the name label holds.
                ss(
                    "web-and-team",
                    json!({"namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: "web", "env": "prod"},
                        "matchExpressions": [{"key": "team", "operator": "Exists"}]}}),
                ),
                ss(
                    "other-and-team",
                    json!({"namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: "other", "team": "x"}}}),
                ),
                ss(
                    "not-for-this-pod",
                    json!({"namespaceSelector": {"matchLabels": {"team": "x"}}, "selector": {"matchLabels": {"app": "db"}}}),
                ),
                ss("plain", json!({})),
            ],
            &[],
        );
        let spec = json!({});
        let o = run(&c, &pod("web", &spec));
        assert_eq!(names(&o), ["plain"]);
        assert_eq!(
            notes(&o),
            [
                (
                    "other-and-team",
                    &NotInjectedReason::NamespaceSelectorMismatch {
                        namespace: "web".into()
                    }
                ),
                (
                    "team",
                    &NotInjectedReason::NamespaceLabelsUnknown {
                        namespace: "web".into(),
                        labels: vec!["team".into()]
                    }
                ),
                (
                    "web-and-team",
                    &NotInjectedReason::NamespaceLabelsUnknown {
                        namespace: "web".into(),
                        labels: vec!["env".into(), "team".into()]
                    }
                )
            ]
        );
        assert_eq!(
            o.undecided(),
            Some(Undecided {
                namespace: "web".into(),
                sidecarsets: vec!["team".into(), "web-and-team".into()],
                labels: vec!["env".into(), "team".into()],
            })
        );
        assert_eq!(
            o.undecided().map(|u| u.to_string()).as_deref(),
            Some(
                "unknown whether Kruise injects SidecarSets team, web-and-team: their namespaceSelectors need labels env, team of namespace web, whose Namespace object is not among the inputs; not injected: give the Namespace object (e.g. with -s)"
            )
        );
        let text = o.notes()[1].to_string();
        assert_eq!(
            text,
            "SidecarSet team is not injected, but Kruise may inject it: its namespaceSelector needs label team of namespace web, whose Namespace object is not among the inputs; give it (e.g. with -s)"
        );

        // With the Namespace object, its labels are known completely.
        let with = |labels: &[(&str, &str)]| {
            let c = cluster(
                vec![ss(
                    "team",
                    json!({"namespaceSelector": {"matchLabels": {"team": "x"}}}),
                )],
                &[("web", labels)],
            );
            let o = run(&c, &pod("web", &spec));
            (names(&o).join(","), o.undecided())
        };
        assert_eq!(with(&[("team", "x")]), ("team".into(), None));
        assert_eq!(with(&[]), (String::new(), None));
    }

    #[test]
    fn namespace_object_name_label_is_the_api_servers() {
        // A user value of kubernetes.io/metadata.name is overwritten by the API server.
        let c = cluster(
            vec![ss("a", in_ns("web"))],
            &[("web", &[(NAMESPACE_NAME_LABEL, "other")])],
        );
        let spec = json!({});
        assert_eq!(names(&run(&c, &pod("web", &spec))), ["a"]);
    }

    #[test]
    fn undecided_with_an_invalid_selector_is_noted() {
        // Kruise would reject the pod if the namespace matched: that is undecided too.
        let c = cluster(
            vec![ss(
                "a",
                json!({"namespaceSelector": {"matchLabels": {"team": "x"}},
                       "selector": {"matchExpressions": [{"key": "app", "operator": "Bad"}]}}),
            )],
            &[],
        );
        let spec = json!({});
        let o = run(&c, &pod("web", &spec));
        assert_eq!(
            o.undecided().map(|u| u.sidecarsets),
            Some(vec!["a".to_owned()])
        );
    }

    #[test]
    fn kruise_namespace_without_object_is_taken_as_control_plane() {
        let c = cluster(vec![ss("a", json!({}))], &[]);
        let spec = json!({});
        let o = run(&c, &pod(DEFAULT_KRUISE_NAMESPACE, &spec));
        assert_eq!(
            o,
            MatchOutcome::Skipped(PodSkip::KruiseNamespace {
                namespace: DEFAULT_KRUISE_NAMESPACE.into()
            })
        );
        assert!(o.to_string().contains("Kruise's own namespace"), "{o}");
        // Other namespaces without objects are taken to have no control-plane label.
        assert_eq!(names(&run(&c, &pod("web", &spec))), ["a"]);
        // Given without the label, the Namespace object decides.
        let c = cluster(vec![ss("a", json!({}))], &[(DEFAULT_KRUISE_NAMESPACE, &[])]);
        assert_eq!(
            names(&run(&c, &pod(DEFAULT_KRUISE_NAMESPACE, &spec))),
            ["a"]
        );
    }

    #[test]
    fn namespace_selector_mismatch_is_noted() {
        let c = cluster(
            vec![
                ss(
                    "label",
                    json!({"namespaceSelector": {"matchLabels": {"team": "y"}}}),
                ),
                ss("indexed-elsewhere", in_ns("other")),
                ss(
                    "not-selected",
                    json!({"namespaceSelector": {"matchLabels": {"team": "y"}}, "selector": {"matchLabels": {"app": "db"}}}),
                ),
            ],
            &[("web", &[("team", "x")])],
        );
        let spec = json!({});
        let o = run(&c, &pod("web", &spec));
        assert!(names(&o).is_empty());
        let mismatch = NotInjectedReason::NamespaceSelectorMismatch {
            namespace: "web".into(),
        };
        assert_eq!(
            notes(&o),
            [("indexed-elsewhere", &mismatch), ("label", &mismatch)]
        );
    }

    #[test]
    fn invalid_namespace_selector_matches_nothing() {
        let c = cluster(
            vec![ss(
                "a",
                json!({"namespaceSelector": {"matchExpressions": [{"key": "team", "operator": "Bad"}]}}),
            )],
            &[("web", &[])],
        );
        let spec = json!({});
        let o = run(&c, &pod("web", &spec));
        assert!(names(&o).is_empty());
        assert!(matches!(
            notes(&o).as_slice(),
            [("a", NotInjectedReason::NamespaceSelectorInvalid { .. })]
        ));
    }

    #[test]
    fn namespace_is_checked_before_the_selector() {
        let c = cluster(
            vec![ss(
                "a",
                json!({"namespaceSelector": {"matchLabels": {"team": "y"}}, "selector": {"matchExpressions": [{"key": "a", "operator": "Bad"}]}}),
            )],
            &[("web", &[])],
        );
        let spec = json!({});
        assert!(match_pod(&c, &pod("web", &spec), &mut Rng::new(0)).is_ok());
    }

    #[test]
    fn nil_and_empty_selectors_match_nothing() {
        let mut nil = ss("nil", json!({}));
        nil.spec.selector = None;
        let c = cluster(vec![nil, ss("empty", json!({"selector": {}}))], &[]);
        let spec = json!({});
        let o = run(&c, &pod("web", &spec));
        assert!(names(&o).is_empty());
        assert!(o.notes().is_empty());
    }

    #[test]
    fn invalid_selector_operator_is_an_error_naming_the_sidecarset() {
        let c = cluster(
            vec![ss(
                "bad",
                json!({"selector": {"matchExpressions": [{"key": "app", "operator": "Equals", "values": ["web"]}]}}),
            )],
            &[],
        );
        let spec = json!({});
        let e = match_pod(&c, &pod("web", &spec), &mut Rng::new(0)).expect_err("bad operator");
        let text = e.to_string();
        assert!(
            text.starts_with("SidecarSet bad: spec.selector.matchExpressions[0].operator:"),
            "{text}"
        );
        assert!(text.contains("\"Equals\""), "{text}");
    }

    #[test]
    fn revision_errors_propagate() {
        let c = cluster(
            vec![ss(
                "r",
                json!({"injectionStrategy": {"revision": {"revisionName": "r-123"}}}),
            )],
            &[],
        );
        let spec = json!({});
        let e = match_pod(&c, &pod("web", &spec), &mut Rng::new(0)).expect_err("missing revision");
        assert!(
            matches!(
                e,
                MatchError::Revision(RevisionError::RevisionNotFound { .. })
            ),
            "{e}"
        );
    }

    #[test]
    fn revisions_are_resolved() {
        let mut c = cluster(
            vec![ss(
                "r",
                json!({"injectionStrategy": {"revision": {"customVersion": "v1"}}}),
            )],
            &[],
        );
        c.add_controller_revision(ControllerRevision {
            name: "r-1".into(),
            namespace: String::new(),
            labels: BTreeMap::from([
                (SIDECARSET_NAME_LABEL.to_owned(), "r".to_owned()),
                (CUSTOM_VERSION_LABEL.to_owned(), "v1".to_owned()),
            ]),
            annotations: BTreeMap::new(),
            creation_timestamp: None,
            revision: 1,
            data: json!({"spec": {"$patch": "replace", "containers": [{"name": "r-c", "image": "r:0"}]}}),
        });
        let spec = json!({});
        let o = run(&c, &pod("web", &spec));
        assert_eq!(o.sidecarsets()[0].spec.containers[0].image(), "r:0");
        assert_eq!(o.sidecarsets()[0].latest_revision, "r-1");
    }

    fn canary(name: &str, base: &str, extra_spec: Value) -> SidecarSet {
        let mut s = ss(name, extra_spec);
        s.annotations
            .insert(CANARY_ANNOTATION.into(), "true".into());
        s.annotations
            .insert(CANARY_BASE_ANNOTATION.into(), base.into());
        s
    }

    #[test]
    fn matched_canary_replaces_its_base() {
        // The base sorts after the canary here, and before it in the second case.
        for (canary_name, base) in [("a-canary", "z-base"), ("z-canary", "a-base")] {
            let c = cluster(
                vec![
                    ss(base, json!({})),
                    canary(canary_name, base, json!({})),
                    ss("m-other", json!({})),
                ],
                &[],
            );
            let spec = json!({});
            let o = run(&c, &pod("web", &spec));
            let mut expected = vec![canary_name, "m-other"];
            expected.sort();
            assert_eq!(names(&o), expected);
            assert_eq!(
                notes(&o),
                [(
                    base,
                    &NotInjectedReason::ReplacedByCanary {
                        canary: canary_name.into()
                    }
                )]
            );
            assert!(o.notes()[0].to_string().contains(canary_name));
        }
    }

    #[test]
    fn unmatched_or_inexact_canary_keeps_the_base() {
        let spec = json!({});
        let unmatched = canary(
            "canary",
            "base",
            json!({"selector": {"matchLabels": {"app": "db"}}}),
        );
        let c = cluster(vec![ss("base", json!({})), unmatched], &[]);
        assert_eq!(names(&run(&c, &pod("web", &spec))), ["base"]);

        let mut not_true = canary("canary", "base", json!({}));
        not_true
            .annotations
            .insert(CANARY_ANNOTATION.into(), "True".into());
        let c = cluster(vec![ss("base", json!({})), not_true], &[]);
        assert_eq!(names(&run(&c, &pod("web", &spec))), ["base", "canary"]);

        let no_base = canary("canary", "", json!({}));
        assert!(!no_base.is_canary());
        assert_eq!(no_base.canary_base(), None);
    }

    #[test]
    fn display_texts() {
        let m = MatchOutcome::Matched {
            sidecarsets: vec![
                Cow::Owned(ss("a", json!({}))),
                Cow::Owned(ss("b", json!({}))),
            ],
            notes: vec![NotInjected {
                sidecarset: "c".into(),
                reason: NotInjectedReason::InjectionPaused,
            }],
        };
        assert_eq!(
            m.to_string(),
            "injects a, b; SidecarSet c is paused (spec.injectionStrategy.paused)"
        );
        let none = MatchOutcome::Matched {
            sidecarsets: vec![],
            notes: vec![],
        };
        assert_eq!(none.to_string(), "no SidecarSet is injected");
        let skip = PodSkip::ControlPlaneNamespace {
            namespace: "kube-system".into(),
        };
        assert_eq!(
            skip.to_string(),
            "namespace kube-system is labelled control-plane, which Kruise's pod webhook never sees"
        );
        let replaced = NotInjected {
            sidecarset: "base".into(),
            reason: NotInjectedReason::ReplacedByCanary {
                canary: "base-canary".into(),
            },
        };
        assert_eq!(
            replaced.to_string(),
            "SidecarSet base is replaced by its canary SidecarSet base-canary"
        );
    }
}
