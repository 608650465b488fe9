//! kruise-inject: what OpenKruise's SidecarSet webhook and controller will do to your workloads,
//! computed offline from the files in a GitOps repository.
//!
//! Three layers, dependencies pointing one way (docs/architecture.md):
//!
//! - [`commands`]: one module per subcommand, with its arguments; turns them into a pipeline run and
//!   the result into an exit status.
//! - [`pipeline`]: reading, walking and parsing inputs, gathering the cluster context, transforming
//!   each document, reporting and writing.
//! - [`kruise`]: OpenKruise's semantics, pure functions over typed values.
//!
//! Below them, the `kruise-inject-yaml` crate reads, edits and writes YAML text losslessly, and
//! `kruise-inject-kube` encodes Kubernetes types as Go does.

pub mod commands;
pub mod kruise;
pub mod pipeline;
