//! The `kruise-inject` binary: parses arguments, runs the command, maps errors to exit codes.

use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use kruise_inject::commands::cli::{Cli, Command};

/// Rendering builds and drops many small values; mimalloc makes that markedly cheaper than glibc's
/// allocator (see bench/RESULTS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // kustomize's legacy exec plugin contract: the only argument is the plugin config file.
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let result = if let [config] = args.as_slice()
        && std::path::Path::new(config).is_file()
        && !Cli::command()
            .get_subcommands()
            .any(|c| config.to_str() == Some(c.get_name()))
    {
        kruise_inject::commands::krm::run_legacy_plugin(std::path::Path::new(config))
    } else if args.is_empty() && !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        // kustomize's exec KRM function contract (`config.kubernetes.io/function: {exec: {path:
        // kruise-inject}}`): no arguments, a ResourceList on stdin.
        match kruise_inject::commands::krm::run_without_arguments() {
            Ok(Some(code)) => Ok(code),
            Ok(None) => run(Cli::parse()),
            Err(err) => Err(err),
        }
    } else {
        run(Cli::parse())
    };
    match result {
        Ok(code) => ExitCode::from(code),
        // The reader of standard output went away (`render | head -1`): not an error, as in
        // ripgrep (crates/core/main.rs: a broken pipe exits 0, quietly). Rust ignores SIGPIPE, so
        // it arrives as this error rather than as the signal C tools die of.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Render(args) => kruise_inject::pipeline::engine::run(&args),
        Command::Diff(args) => kruise_inject::commands::diff::run(&args),
        Command::Check(args) => kruise_inject::commands::check::run(&args),
        Command::Validate(args) => kruise_inject::commands::validate::run(&args),
        Command::Health(args) => kruise_inject::commands::health::run(&args),
        Command::Uninject(args) => kruise_inject::commands::uninject::run(&args),
        Command::Krm(args) => kruise_inject::commands::krm::run(&args),
        Command::Rollout(args) => kruise_inject::commands::rollout::run(&args),
        Command::Completions { shell } => kruise_inject::commands::generate::run_completions(shell),
        Command::Man { command } => kruise_inject::commands::generate::run_man(command.as_deref()),
    }
}

/// Whether an error comes from writing to a closed pipe.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
