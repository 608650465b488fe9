//! The command line, in one place: every subcommand and flag (completions and the man page are
//! generated from these definitions).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Shows, offline and exactly, what OpenKruise SidecarSets do to your workloads.
#[derive(Debug, Parser)]
#[command(name = "kruise-inject", version, propagate_version = true)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write the manifests as the cluster will run them: every matching SidecarSet injected into Pods
    /// and workload pod templates, with the annotations and hashes Kruise writes.
    Render(RenderArgs),
}

/// `kruise-inject render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// Files or directories to render (directories are walked for .yaml, .yml and .json files in
    /// sorted order); `-` or nothing reads standard input. Every document is written to standard
    /// output once, in input order: changed where something was injected, byte-identical otherwise.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Context that is read but not written out: SidecarSets, Namespaces, ControllerRevisions and
    /// ConfigMaps (file or directory; repeatable). SidecarSets, Namespaces and ControllerRevisions
    /// among the PATH documents apply too.
    #[arg(short = 's', long = "sidecarsets", value_name = "PATH")]
    pub sidecarsets: Vec<PathBuf>,

    /// Namespace of documents that have none.
    #[arg(short = 'n', long, value_name = "NS", default_value = "default")]
    pub namespace: String,

    /// Injection time written into the hash annotations (RFC 3339, or `now`). Default:
    /// SOURCE_DATE_EPOCH if set, else 1970-01-01T00:00:00Z, so that output is deterministic.
    #[arg(long, value_name = "RFC3339|now")]
    pub timestamp: Option<String>,

    /// Namespace where Kruise keeps SidecarSet ControllerRevisions.
    #[arg(long, value_name = "NS", default_value = "kruise-system")]
    pub kruise_namespace: String,

    /// Seed of the random draw of the `Partial` revision policy.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,

    /// Do not print the per-resource report on standard error.
    #[arg(short, long)]
    pub quiet: bool,
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
