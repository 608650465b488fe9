//! Which SidecarSets are injected into a pod, and in which order (semantics §4).
//!
//! [`match_pod`] follows `sidecarset.go: sidecarsetMutatingPod` for a CREATE:
//!
//! 1. Pods in a namespace labelled `control-plane` (any value) never reach the webhook (its
//!    `namespaceSelector`); inactive pods (Succeeded/Failed, or being deleted) are skipped.
//! 2. Candidates: the SidecarSets indexed under the pod's namespace (`""` → `default`), then the
//!    cluster-scoped ones (`fieldindex: IndexSidecarSetV1Beta1`): a SidecarSet is indexed under
//!    `namespaceSelector.matchLabels["kubernetes.io/metadata.name"]` if present, else under the
//!    values of the first `matchExpressions` entry with that key and operator `In`, else it is
//!    cluster-scoped. Others can never match (every namespace carries its own name label).
//! 3. Per candidate, in order: `injectionStrategy.paused` → not injected; a `namespaceSelector` →
//!    the pod's Namespace must be among the inputs and match it (an invalid namespaceSelector matches
//!    no namespace); `selector` must match the pod labels (nil or empty matches nothing; an invalid
//!    selector is an error, as the webhook fails); then the revision to inject is resolved
//!    ([`crate::revision::suitable_revision`], which may draw from the RNG).
//! 4. Canary (§4.3.6): every SidecarSet named by a matched canary's `apps.kruise.io/sidecarset-base`
//!    is dropped.
//!
//! **Order.** Kruise lists each index group from its informer cache, whose order is unspecified
//! (§4.5). kruise-inject uses a fixed rule instead: namespace-indexed SidecarSets first, then
//! cluster-scoped ones, each group sorted by name. The order decides container order across
//! SidecarSets, first-wins merges, and the order of RNG draws.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use crate::cluster::{Cluster, NAMESPACE_NAME_LABEL};
use crate::pod::PodView;
use crate::revision::{RevisionError, suitable_revision};
use crate::rng::Rng;
use crate::selector::{SelectorError, kruise_matches};
use crate::sidecarset::SidecarSet;

/// Namespace label that keeps pods away from Kruise's pod webhook (its `namespaceSelector`).
pub const CONTROL_PLANE_LABEL: &str = "control-plane";

/// What the pod webhook does with a pod, as far as choosing SidecarSets goes.
#[derive(Debug, Clone, PartialEq)]
pub enum MatchOutcome<'c> {
    /// The webhook leaves the pod alone whatever the SidecarSets are.
    Skipped(PodSkip),
    /// The SidecarSets to inject (possibly none).
    Matched {
        /// The SidecarSets to inject, in injection order, each at the revision to inject (§5):
        /// the cluster's own when that is the revision, else one restored from a
        /// ControllerRevision.
        sidecarsets: Vec<Cow<'c, SidecarSet>>,
        /// SidecarSets whose `selector` matches the pod but that are not injected, sorted by name.
        notes: Vec<NotInjected>,
    },
}

/// Why the whole pod is skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PodSkip {
    /// Phase Succeeded/Failed or a deletionTimestamp (§4.1.2).
    Inactive,
    /// The pod's Namespace has a `control-plane` label, so the webhook is never called.
    ControlPlaneNamespace {
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
    /// The SidecarSet has a `namespaceSelector` and the pod's Namespace is not among the inputs
    /// (Kruise then does not match).
    NamespaceNotFound {
        /// The pod's namespace.
        namespace: String,
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
}

/// Chooses the SidecarSets the pod webhook injects into `pod` on CREATE, in injection order, with
/// their revisions resolved (§4, §5). See the module documentation for the rules and the order.
pub fn match_pod<'c>(
    cluster: &'c Cluster,
    pod: &PodView,
    rng: &mut Rng,
) -> Result<MatchOutcome<'c>, MatchError> {
    let namespace = if pod.namespace.is_empty() {
        "default"
    } else {
        pod.namespace
    };
    if cluster
        .namespace_labels(namespace)
        .is_some_and(|labels| labels.contains_key(CONTROL_PLANE_LABEL))
    {
        return Ok(MatchOutcome::Skipped(PodSkip::ControlPlaneNamespace {
            namespace: namespace.to_owned(),
        }));
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
        // Only worth reporting when the SidecarSet is otherwise aimed at this pod.
        if kruise_matches(ss.spec.selector.as_ref(), &pod.labels).unwrap_or(false) {
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

/// `IsSelectorNamespace`: why the SidecarSet's `namespaceSelector` excludes `namespace`, if it does.
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
    let Some(labels) = cluster.namespace_labels(namespace) else {
        return Some(NotInjectedReason::NamespaceNotFound {
            namespace: namespace.to_owned(),
        });
    };
    match selector.matches_unvalidated(labels) {
        Ok(true) => None,
        _ => Some(NotInjectedReason::NamespaceSelectorMismatch {
            namespace: namespace.to_owned(),
        }),
    }
}

impl fmt::Display for PodSkip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PodSkip::Inactive => write!(
                f,
                "pod not active (phase Succeeded/Failed, or being deleted)"
            ),
            PodSkip::ControlPlaneNamespace { namespace } => write!(
                f,
                "namespace {namespace} is labelled {CONTROL_PLANE_LABEL}, which Kruise's pod webhook never sees"
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
            NotInjectedReason::NamespaceNotFound { namespace } => write!(
                f,
                "has a namespaceSelector, but namespace {namespace} not found among the inputs: add its Namespace object with -s"
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

    use crate::cluster::DEFAULT_KRUISE_NAMESPACE;
    use crate::controller_revision::{ControllerRevision, SIDECARSET_NAME_LABEL};
    use crate::sidecarset::{CANARY_ANNOTATION, CANARY_BASE_ANNOTATION, CUSTOM_VERSION_LABEL};

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
    fn namespace_not_among_inputs_is_noted() {
        let c = cluster(
            vec![ss(
                "a",
                json!({"namespaceSelector": {"matchLabels": {"team": "x"}}}),
            )],
            &[],
        );
        let spec = json!({});
        let o = run(&c, &pod("web", &spec));
        assert!(names(&o).is_empty());
        assert_eq!(
            notes(&o),
            [(
                "a",
                &NotInjectedReason::NamespaceNotFound {
                    namespace: "web".into()
                }
            )]
        );
        let text = o.notes()[0].to_string();
        assert!(
            text.contains(
                "namespace web not found among the inputs: add its Namespace object with -s"
            ),
            "{text}"
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
