//! `patchPodMetadata` (semantics §6.3).
