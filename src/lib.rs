//! kruise-inject: what OpenKruise's SidecarSet webhook and controller will do to your workloads,
//! computed offline from the files in a GitOps repository.
//!
//! The OpenKruise semantics are pure functions over typed values (no I/O), each in a module named after
//! the Kruise concept it implements, so the code can be read next to `sidecarset-semantics.md`:
//!
//! - [`sidecarset`]: the SidecarSet object, v1alpha1/v1beta1 conversion, defaulting, hashes (§2, §3).
//! - [`controller_revision`]: ControllerRevision data and names (§3.3).
//! - [`selector`]: label selectors with Kruise's rules (§4.3).
//! - [`matching`]: which SidecarSets a pod gets, in which order (§4).
//! - [`revision`]: which revision of a SidecarSet is injected (§5).
//! - [`inject`]: what is added to the pod (§6), as a [`pod::PodPatch`].
//! - [`patch_metadata`]: `patchPodMetadata` (§6.3).
//!
//! Reading, writing and editing YAML text lives in the `kruise-inject-yaml` crate; Go-compatible
//! encoding of Kubernetes types in `kruise-inject-kube`. The commands join them: [`render`].

pub mod check;
pub mod cli;
pub mod cluster;
pub mod context;
pub mod controller_revision;
pub mod diff;
pub mod features;
pub mod generate;
pub mod github;
pub mod health;
pub mod impact;
pub mod inject;
pub mod input;
pub mod krm;
pub mod matching;
pub mod objects;
pub mod out_dir;
pub mod patch_metadata;
pub mod pod;
pub mod render;
pub mod revision;
pub mod rng;
pub mod rollout;
pub mod selector;
pub mod sidecarset;
pub mod spool;
pub mod timestamp;
pub mod unified;
pub mod uninject;
pub mod validate;
pub mod workload;
