//! Which SidecarSets are injected into a pod, and in which order (semantics §4).
