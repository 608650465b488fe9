//! The integration tests: one binary that runs `kruise-inject` as a user would.

// A failing test panics: that is how it reports.
#![allow(clippy::panic)]

mod admission;
mod architecture;
mod argocd;
mod cases;
mod check;
mod ci_output;
mod collisions;
mod command_line;
mod completion;
mod diff;
mod docs;
mod examples;
mod feature_gates;
mod generate;
mod gitops_inputs;
mod health;
mod hostile;
mod krm;
mod kustomize_exec;
mod links;
mod long_streams;
mod namespaces;
mod output_contracts;
mod precommit;
mod properties;
mod render;
mod resources_policy;
mod rollout;
mod rollout_scale;
mod rollout_stream;
mod test;
mod uninject;
mod update_rules;
mod validate;
mod validate_grouped;
mod walk;
