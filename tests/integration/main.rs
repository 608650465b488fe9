//! The integration tests: one binary that runs `kruise-inject` as a user would.

// A failing test panics: that is how it reports.
#![allow(clippy::panic)]

mod cases;
mod check;
mod diff;
mod generate;
mod health;
mod hostile;
mod krm;
mod precommit;
mod properties;
mod render;
mod rollout;
mod rollout_scale;
mod test;
mod uninject;
mod validate;
