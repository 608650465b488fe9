//! The SidecarSet (semantics §2, §3): reading `apps.kruise.io/v1alpha1` and `v1beta1` objects,
//! converting v1alpha1 to v1beta1, defaulting as Kruise's mutating webhook stores it, and its hashes
//! and ControllerRevision name.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::selector::LabelSelector;

/// A SidecarSet as Kruise stores it: converted to v1beta1, defaulted, with its hashes computed.
#[derive(Debug, Clone, PartialEq)]
pub struct SidecarSet {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.labels` (after conversion: without `apps.kruise.io/sidecarset-custom-version`).
    pub labels: BTreeMap<String, String>,
    /// `metadata.annotations` as given, plus the two hash annotations as Kruise computes them.
    pub annotations: BTreeMap<String, String>,
    /// `metadata.resourceVersion`, if given (hot upgrade writes it into pod annotations).
    pub resource_version: Option<String>,
    /// The defaulted v1beta1 spec.
    pub spec: SidecarSetSpec,
    /// `status.latestRevision` as Kruise would set it: the ControllerRevision name of this spec with
    /// collision count 0, or the restored revision's name for a historic revision (§5).
    pub latest_revision: String,
    /// Things a user should know about this object that do not stop rendering, e.g. a
    /// `kruise.io/sidecarset-hash` annotation in the input that differs from the computed hash
    /// (the cluster would rewrite it).
    pub warnings: Vec<String>,
}

/// The v1beta1 `SidecarSetSpec` after defaulting (§2.1, §2.2).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SidecarSetSpec {
    /// `selector`.
    pub selector: Option<LabelSelector>,
    /// `namespaceSelector` (v1alpha1 `namespace: X` converted to `kubernetes.io/metadata.name: X`).
    pub namespace_selector: Option<LabelSelector>,
    /// `initContainers`.
    pub init_containers: Vec<SidecarContainer>,
    /// `containers`.
    pub containers: Vec<SidecarContainer>,
    /// `volumes`, each normalized to Go field order and defaulted.
    pub volumes: Vec<Value>,
    /// `updateStrategy`.
    pub update_strategy: UpdateStrategy,
    /// `injectionStrategy`.
    pub injection_strategy: InjectionStrategy,
    /// `imagePullSecrets`, each `{"name": ...}`.
    pub image_pull_secrets: Vec<Value>,
    /// `revisionHistoryLimit` (default 10).
    pub revision_history_limit: i32,
    /// `patchPodMetadata`.
    pub patch_pod_metadata: Vec<PatchPodMetadata>,
    /// `customVersion` (v1alpha1: the `apps.kruise.io/sidecarset-custom-version` label).
    pub custom_version: Option<String>,
}

/// One `containers[]` or `initContainers[]` entry of a SidecarSet.
#[derive(Debug, Clone, PartialEq)]
pub struct SidecarContainer {
    /// The whole defaulted `SidecarContainer` in Go field order: `corev1.Container` fields, then
    /// `podInjectPolicy`, `upgradeStrategy`, `shareVolumePolicy`, ... This is the hash input.
    pub spec: Value,
}

/// `updateStrategy` (§2.1). Only the fields injection needs are typed; the rest stay as values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateStrategy {
    /// `type`: `RollingUpdate` (default) or `NotUpdate`.
    pub kind: String,
    /// `paused`.
    pub paused: bool,
    /// `selector` (canary).
    pub selector: Option<LabelSelector>,
    /// `partition`: an int or a string (percent); default int 0.
    pub partition: Option<Value>,
    /// `maxUnavailable`: an int or a string; default int 1.
    pub max_unavailable: Option<Value>,
    /// `priorityStrategy`, as given.
    pub priority_strategy: Option<Value>,
    /// `scatterStrategy`: `(key, value)` terms.
    pub scatter_strategy: Vec<(String, String)>,
}

/// `injectionStrategy` (§2.1).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InjectionStrategy {
    /// `paused`.
    pub paused: bool,
    /// `revision`.
    pub revision: Option<RevisionRef>,
}

/// `injectionStrategy.revision`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RevisionRef {
    /// `customVersion`.
    pub custom_version: Option<String>,
    /// `revisionName`.
    pub revision_name: Option<String>,
    /// `policy`: `Always` (default) or `Partial`.
    pub policy: String,
}

/// One `patchPodMetadata[]` entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PatchPodMetadata {
    /// `annotations`.
    pub annotations: BTreeMap<String, String>,
    /// `patchPolicy`: `Retain` (default), `Overwrite`, `MergePatchJson`.
    pub patch_policy: String,
}
