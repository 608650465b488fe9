//! The integration tests: one binary that runs `kruise-inject` as a user would.

// A failing test panics: that is how it reports.
#![allow(clippy::panic)]

mod cases;
mod check;
mod diff;
mod generate;
mod health;
mod krm;
mod precommit;
mod render;
mod test;
mod uninject;
mod validate;
