//! Go-compatible Kubernetes encoding for kruise-inject.
//!
//! OpenKruise computes SidecarSet hashes over Go `encoding/json` output of Kubernetes types, and it
//! injects containers and volumes as Go structs (unknown fields dropped, defaults applied). This crate
//! reproduces those bytes from `serde_json::Value`s (built with `preserve_order`, so a map's insertion
//! order is its output order):
//!
//! - [`gojson`]: Go `encoding/json` `Marshal` text of a value, in the value's own key order.
//! - [`quantity`]: `resource.Quantity` parsing, rounding and canonical strings.
//! - [`schema`]: decode a user value as Go would into `corev1.Container`, the SidecarSet
//!   `SidecarContainer`, `corev1.Volume`; re-encode in Go field order with Go's omitempty rules.
//! - [`defaults`]: the Kubernetes defaulting functions Kruise runs on SidecarSet containers and volumes.
//! - [`hashing`]: SHA-256 hex, `rand.SafeEncodeString`, FNV-1 32-bit.

pub mod defaults;
pub mod gojson;
pub mod hashing;
pub mod quantity;
pub mod schema;

pub use schema::SchemaError;

#[cfg(test)]
mod acceptance_tests;
