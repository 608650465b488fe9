//! OpenKruise's behaviour (v1.9) as pure functions over typed values: no I/O, no command-line
//! types, no YAML text. One module per Kruise concept; each cites the upstream Go function it
//! mirrors (see docs/kruise-map.md).

pub mod cluster;
pub mod controller_revision;
pub mod decode;
pub mod features;
pub mod impact;
pub mod inject;
pub mod matching;
pub mod patch_metadata;
pub mod pod;
pub mod revision;
pub mod rng;
pub mod rollout;
pub mod selector;
pub mod sidecarset;
pub mod timestamp;
pub mod validation;
pub mod workload;
