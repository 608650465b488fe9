//! `patchPodMetadata` (semantics §6.3).

use std::collections::BTreeMap;

use crate::sidecarset::SidecarSet;

/// A `MergePatchJson` patch that Kruise's webhook rejects.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "SidecarSet {sidecar_set}: patchPodMetadata MergePatchJson of annotation {key}: {reason} (the webhook rejects the pod)"
)]
pub struct PatchMetadataError {
    /// The SidecarSet whose patch failed.
    pub sidecar_set: String,
    /// The annotation key.
    pub key: String,
    /// What is wrong.
    pub reason: String,
}

/// Applies `spec.patchPodMetadata` of `sidecarsets` (in order) to `annotations`.
pub fn apply(
    annotations: &mut BTreeMap<String, String>,
    sidecarsets: &[SidecarSet],
) -> Result<Vec<String>, PatchMetadataError> {
    let _ = (annotations, sidecarsets);
    todo!()
}
