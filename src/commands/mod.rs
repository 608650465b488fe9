//! One module per subcommand: its arguments turned into a pipeline run, its result into an exit
//! status. [`cli`] assembles them. A command never imports another command.

pub mod args;
pub mod check;
pub mod cli;
pub mod diff;
pub mod generate;
pub mod health;
pub mod help;
pub mod krm;
pub mod render;
pub mod rollout;
pub mod uninject;
pub mod validate;
