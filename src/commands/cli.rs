//! The command line, in one place: every subcommand and flag (completions and the man page are
//! generated from these definitions).

use std::ffi::OsString;
use std::io::IsTerminal as _;
use std::path::Path;

use clap::{CommandFactory as _, Parser, Subcommand};

use crate::commands::ExitStatus;
use crate::commands::check::{self, CheckArgs};
use crate::commands::diff::{self, DiffArgs};
use crate::commands::generate;
use crate::commands::health::{self, HealthArgs};
use crate::commands::help::examples_help;
use crate::commands::krm::{self, KrmArgs};
use crate::commands::render::{self, RenderArgs};
use crate::commands::rollout::{self, RolloutArgs};
use crate::commands::uninject::{self, UninjectArgs};
use crate::commands::validate::{self, ValidateArgs};

/// Shows, offline and exactly, what OpenKruise SidecarSets do to your workloads.
#[derive(Debug, Parser)]
#[command(
    name = "kruise-inject",
    version,
    propagate_version = true,
    after_help = examples_help("")
)]
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
    #[command(after_help = examples_help("render"))]
    Render(RenderArgs),
    /// Show what rendering changes, as a unified diff per resource and a summary; with
    /// --old-sidecarsets, what a SidecarSet change does to the pods. Exit 0: no change, 1: changes,
    /// 2: error, 3: Kruise rejects the update of a SidecarSet (--old-sidecarsets).
    #[command(after_help = examples_help("diff"))]
    Diff(DiffArgs),
    /// Check that a directory holds exactly what `render --out-dir` would write there. Exit 0: up to
    /// date, 1: stale, missing or extra files, 2: error.
    #[command(after_help = examples_help("check"))]
    Check(CheckArgs),
    /// Validate SidecarSets as Kruise's webhook does, and what they inject: missing ConfigMaps and
    /// Secrets, name and mount collisions, sidecars reading volumes nobody writes. Exit 0: no error,
    /// 1: errors (or warnings with --strict), 2: unreadable input.
    #[command(after_help = examples_help("validate"))]
    Validate(ValidateArgs),
    /// Argo CD health of SidecarSets with status (`kubectl get sidecarset -o yaml`), or with
    /// --argocd-config a corrected argocd-cm health check. Exit 0: all Healthy, 1: otherwise, 2: error.
    #[command(after_help = examples_help("health"))]
    Health(HealthArgs),
    /// Remove what Kruise injected, using the annotations it wrote. Exit 0, or 2 on bad input.
    #[command(after_help = examples_help("uninject"))]
    Uninject(UninjectArgs),
    /// Run as a KRM function (kustomize, kpt): a ResourceList on stdin, the ResourceList with the
    /// SidecarSets injected on stdout. `kruise-inject` with no arguments and a ResourceList on
    /// stdin does the same (how kustomize runs an exec function).
    #[command(after_help = examples_help("krm"))]
    Krm(KrmArgs),
    /// Simulate how Kruise upgrades sidecars in place when a SidecarSet changes, round by round:
    /// which pods go first, how many rounds, which pods are never upgraded. Exit 0, or 2 on bad
    /// input.
    #[command(after_help = examples_help("rollout"))]
    Rollout(RolloutArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(after_help = examples_help("completions"))]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a man page (roff): kruise-inject(1), or kruise-inject-COMMAND(1).
    #[command(after_help = examples_help("man"))]
    Man {
        /// The subcommand whose page to print.
        command: Option<String>,
    },
}

/// How the binary was invoked: the one place that picks the mode.
#[derive(Debug)]
pub enum Invocation {
    /// kustomize's legacy exec plugin contract: the only argument is the plugin config file.
    LegacyPlugin(std::path::PathBuf),
    /// kustomize's exec KRM function contract (`config.kubernetes.io/function: {exec: {path:
    /// kruise-inject}}`): no arguments, a ResourceList on standard input.
    FunctionOnStdin,
    /// A command line.
    Command(Box<Cli>),
}

impl Invocation {
    /// Decides from the arguments (without the program name) how to run.
    pub fn resolve(args: &[OsString]) -> Self {
        if let [config] = args
            && Path::new(config).is_file()
            && !Cli::command()
                .get_subcommands()
                .any(|c| config.to_str() == Some(c.get_name()))
        {
            return Invocation::LegacyPlugin(config.into());
        }
        if args.is_empty() && !std::io::stdin().is_terminal() {
            return Invocation::FunctionOnStdin;
        }
        Invocation::Command(Box::new(Cli::parse()))
    }

    /// Runs it: the exit status, or an error ([`ExitStatus::Error`]).
    pub fn run(self) -> anyhow::Result<ExitStatus> {
        match self {
            Invocation::LegacyPlugin(config) => krm::run_legacy_plugin(&config),
            Invocation::FunctionOnStdin => match krm::run_without_arguments()? {
                Some(status) => Ok(status),
                None => Invocation::Command(Box::new(Cli::parse())).run(),
            },
            Invocation::Command(cli) => run_command(cli.command),
        }
    }
}

/// Runs one subcommand.
fn run_command(command: Command) -> anyhow::Result<ExitStatus> {
    match command {
        Command::Render(args) => match render::run(&args)? {
            render::Outcome::Done(status) => Ok(status),
            // `render` with a ResourceList on standard input behaves as `krm`.
            render::Outcome::ResourceList(text) => {
                krm::run_text(&text, &krm::Settings::from_render(&args.input))
            }
        },
        Command::Diff(args) => diff::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Validate(args) => validate::run(&args),
        Command::Health(args) => health::run(&args),
        Command::Uninject(args) => uninject::run(&args),
        Command::Krm(args) => krm::run(&args),
        Command::Rollout(args) => rollout::run(&args),
        Command::Completions { shell } => generate::run_completions(Cli::command(), shell),
        Command::Man { command } => generate::run_man(Cli::command(), command.as_deref()),
    }
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// A flag means the same in every command: one short, one value name, one default (`-o`'s
    /// values and default are each command's own).
    #[test]
    fn a_flag_is_the_same_in_every_command() {
        let mut seen = std::collections::BTreeMap::new();
        for command in Cli::command().get_subcommands() {
            for arg in command.get_arguments() {
                let Some(long) = arg.get_long() else {
                    continue;
                };
                let defaults: Vec<String> = if long == "output" {
                    Vec::new()
                } else {
                    arg.get_default_values()
                        .iter()
                        .map(|v| v.to_string_lossy().into_owned())
                        .collect()
                };
                let names: Vec<String> = arg
                    .get_value_names()
                    .unwrap_or_default()
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                let this = (arg.get_short(), names, defaults);
                let first = seen
                    .entry(long.to_owned())
                    .or_insert_with(|| (command.get_name().to_owned(), this.clone()));
                assert_eq!(
                    first.1,
                    this,
                    "--{long} differs between {} and {}",
                    first.0,
                    command.get_name()
                );
            }
        }
        assert!(seen.len() >= 20, "{seen:?}");
    }

    /// The groups' `Default` is what an empty command line gives, and each command's `-o` default
    /// is its own format's (a generic group must not share one default between commands).
    #[test]
    fn defaults_are_the_empty_command_line() -> Result<(), Box<dyn std::error::Error>> {
        use super::Command;
        use crate::commands::args::{ContextArgs, InjectionArgs, OutputFormat};
        use crate::commands::{health, rollout, validate};
        use clap::Parser as _;
        let parse = |args: &[&str]| {
            Cli::try_parse_from(std::iter::once("kruise-inject").chain(args.iter().copied()))
                .map(|cli| cli.command)
        };
        let Command::Render(render) = parse(&["render"])? else {
            return Err("render parses as another command".into());
        };
        assert_eq!(render.input.context, ContextArgs::default());
        assert_eq!(render.input.injection, InjectionArgs::default());
        assert_eq!(render.input.context.namespace, "default");
        assert_eq!(render.input.context.kruise_namespace, "kruise-system");
        let Command::Krm(krm) = parse(&["krm"])? else {
            return Err("krm parses as another command".into());
        };
        assert_eq!(krm.context, ContextArgs::default());
        assert_eq!(krm.injection, InjectionArgs::default());
        let Command::Diff(diff) = parse(&["diff"])? else {
            return Err("diff parses as another command".into());
        };
        assert_eq!(diff.output.format.output, OutputFormat::Text);
        let Command::Rollout(r) = parse(&["rollout"])? else {
            return Err("rollout parses as another command".into());
        };
        assert_eq!(r.output.output, rollout::output::Format::Table);
        assert_eq!(r.context, ContextArgs::default());
        let Command::Validate(v) = parse(&["validate"])? else {
            return Err("validate parses as another command".into());
        };
        assert_eq!(v.output.output, validate::ValidateFormat::Text);
        let Command::Health(h) = parse(&["health"])? else {
            return Err("health parses as another command".into());
        };
        assert_eq!(h.output.output, health::HealthFormat::Text);
        Ok(())
    }
}
