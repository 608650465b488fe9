//! What the pod webhook adds to a pod (semantics §6), as a [`crate::pod::PodPatch`].
