//! What Kruise's SidecarSet validating webhook and the API server reject, as pure rules over typed
//! values (Kruise v1.9 `pkg/webhook/sidecarset/validating/sidecarset_create_update_handler.go`),
//! and the checks `validate` adds on what a SidecarSet injects.
//!
//! [`field_error`] holds Kubernetes' `field.Error`; [`sidecarset_rules`] is `validateSidecarSet` (with
//! [`fake_pod`] for the Kubernetes pod checks and [`names`] for name syntax); [`unknown_fields`] the
//! CRD's structural schema; [`whitelist`] the patch-metadata whitelist
//! (`ValidateSidecarSetPatchMetadataWhitelist`); [`conflicts`] `validateSidecarConflict`;
//! [`update_rules`] the UPDATE-only rules; [`resources_policy`] `validateResourcesPolicy`;
//! [`references`] and [`lints`] what the cluster only finds out when a pod starts.

pub mod conflicts;
pub mod fake_pod;
pub mod field_error;
pub mod lints;
pub mod names;
pub mod references;
pub mod resources_policy;
pub mod sidecarset_rules;
pub mod unknown_fields;
pub mod update_rules;
pub mod whitelist;
