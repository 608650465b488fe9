//! What a cluster would supply to the webhook, gathered from input files: SidecarSets, Namespaces,
//! ControllerRevisions, ConfigMaps.

use std::collections::BTreeMap;

use crate::controller_revision::ControllerRevision;
use crate::sidecarset::SidecarSet;

/// Label every namespace carries with its own name (Kubernetes ≥ 1.21).
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

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
}
