//! Which revision of a SidecarSet is injected (semantics §5).
