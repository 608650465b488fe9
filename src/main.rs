//! The `kruise-inject` binary: parses arguments, runs the command, maps the outcome to an exit
//! status ([`ExitStatus`]; errors are [`ExitStatus::Error`]).

use std::process::ExitCode;

use kruise_inject::commands::ExitStatus;
use kruise_inject::commands::cli::Invocation;

/// Rendering builds and drops many small values; mimalloc makes that markedly cheaper than glibc's
/// allocator (see bench/RESULTS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    match Invocation::resolve(&args).run() {
        Ok(status) => status.into(),
        // The reader of standard output went away (`render | head -1`): not an error, as in
        // ripgrep (crates/core/main.rs: a broken pipe exits 0, quietly). Rust ignores SIGPIPE, so
        // it arrives as this error rather than as the signal C tools die of.
        Err(err) if is_broken_pipe(&err) => ExitStatus::Success.into(),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitStatus::Error.into()
        }
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
