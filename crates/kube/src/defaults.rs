//! The Kubernetes defaulting Kruise applies to SidecarSet containers and volumes
//! (semantics §2.2, `apis/apps/defaults`).

use serde_json::Value;

/// `setDefaultContainer`: k8s `SetDefaults_Container` plus Kruise's extra container defaults
/// (ports protocol, env fieldRef apiVersion, resources rounded up to milli, liveness/readiness probe
/// defaults, lifecycle httpGet defaults). `container` is a [`crate::schema`]-normalized value; the
/// result stays in Go field order.
pub fn container(container: &mut Value) {
    let _ = container;
    todo!()
}

/// `SetDefaultPodVolumes` for one normalized volume; the result stays in Go field order.
pub fn volume(volume: &mut Value) {
    let _ = volume;
    todo!()
}
