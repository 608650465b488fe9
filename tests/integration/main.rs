//! The integration tests: one binary that runs `kruise-inject` as a user would.

mod cases;
mod render;
mod test;
