//! What the pod webhook adds to a pod (semantics §6), as a [`crate::pod::PodPatch`].

use crate::pod::{PodPatch, PodView};
use crate::sidecarset::SidecarSet;

/// Why injection fails (the webhook would reject the pod).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InjectError {
    /// A `patchPodMetadata` entry could not be applied.
    #[error(transparent)]
    PatchMetadata(#[from] crate::patch_metadata::PatchMetadataError),
}

/// The result of injecting SidecarSets into a pod.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Injection {
    /// The edit script.
    pub patch: PodPatch,
    /// What each SidecarSet contributed.
    pub injected: Vec<InjectedSidecarSet>,
}

/// The containers one SidecarSet put into the pod, by the names they have in the pod.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InjectedSidecarSet {
    /// SidecarSet name.
    pub name: String,
    /// Names in `spec.containers`.
    pub containers: Vec<String>,
    /// Names in `spec.initContainers`.
    pub init_containers: Vec<String>,
}

/// Injects `sidecarsets` into `pod`.
pub fn inject(
    pod: &PodView,
    sidecarsets: &[SidecarSet],
    timestamp: &str,
) -> Result<Injection, InjectError> {
    let _ = (pod, sidecarsets, timestamp);
    todo!()
}
