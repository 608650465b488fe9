//! The command line, in one place: every subcommand and flag (completions and the man page are
//! generated from these definitions).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Shows, offline and exactly, what OpenKruise SidecarSets do to your workloads.
#[derive(Debug, Parser)]
#[command(
    name = "kruise-inject",
    version,
    propagate_version = true,
    after_help = crate::commands::generate::examples_help("")
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
    #[command(after_help = crate::commands::generate::examples_help("render"))]
    Render(RenderArgs),
    /// Show what rendering changes, as a unified diff per resource and a summary; with
    /// --old-sidecarsets, what a SidecarSet change does to the pods. Exit 0: no change, 1: changes,
    /// 2: error, 3: Kruise rejects the update of a SidecarSet (--old-sidecarsets).
    #[command(after_help = crate::commands::generate::examples_help("diff"))]
    Diff(DiffArgs),
    /// Check that a directory holds exactly what `render --out-dir` would write there. Exit 0: up to
    /// date, 1: stale, missing or extra files, 2: error.
    #[command(after_help = crate::commands::generate::examples_help("check"))]
    Check(CheckArgs),
    /// Validate SidecarSets as Kruise's webhook does, and what they inject: missing ConfigMaps and
    /// Secrets, name and mount collisions, sidecars reading volumes nobody writes. Exit 0: no error,
    /// 1: errors (or warnings with --strict), 2: unreadable input.
    #[command(after_help = crate::commands::generate::examples_help("validate"))]
    Validate(ValidateArgs),
    /// Argo CD health of SidecarSets with status (`kubectl get sidecarset -o yaml`), or with
    /// --argocd-config a corrected argocd-cm health check. Exit 0: all Healthy, 1: otherwise, 2: error.
    #[command(after_help = crate::commands::generate::examples_help("health"))]
    Health(HealthArgs),
    /// Remove what Kruise injected, using the annotations it wrote. Exit 0, or 2 on bad input.
    #[command(after_help = crate::commands::generate::examples_help("uninject"))]
    Uninject(UninjectArgs),
    /// Run as a KRM function (kustomize, kpt): a ResourceList on stdin, the ResourceList with the
    /// SidecarSets injected on stdout. `kruise-inject` with no arguments and a ResourceList on
    /// stdin does the same (how kustomize runs an exec function).
    #[command(after_help = crate::commands::generate::examples_help("krm"))]
    Krm(KrmArgs),
    /// Simulate how Kruise upgrades sidecars in place when a SidecarSet changes, round by round:
    /// which pods go first, how many rounds, which pods are never upgraded. Exit 0, or 2 on bad
    /// input.
    #[command(after_help = crate::commands::generate::examples_help("rollout"))]
    Rollout(RolloutArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(after_help = crate::commands::generate::examples_help("completions"))]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a man page (roff): kruise-inject(1), or kruise-inject-COMMAND(1).
    #[command(after_help = crate::commands::generate::examples_help("man"))]
    Man {
        /// The subcommand whose page to print.
        command: Option<String>,
    },
}

/// What to render and how: the inputs, the context and the injection settings shared by every
/// command that renders.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Files or directories to render (directories are walked for .yaml, .yml and .json files in
    /// sorted order, skipping and reporting Helm charts, kustomize and kpt configuration and files
    /// that are not manifests); `-` or nothing reads standard input. Every document is written to standard
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

    /// Kruise's feature gates, as the manager's `--feature-gates` (e.g.
    /// `EnableSortSidecarContainerByName=true,SidecarSetPatchPodMetadataDefaultsAllowed=true`), so
    /// that the result is your installation's; unset gates keep Kruise v1.9's defaults.
    #[arg(long, value_name = "NAME=BOOL,...", value_parser = crate::kruise::features::FeatureGates::parse)]
    pub feature_gates: Option<crate::kruise::features::FeatureGates>,

    /// Seed of the random draw of the `Partial` revision policy.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,

    /// How directories are walked.
    #[command(flatten)]
    pub walk: WalkArgs,
}

/// How directories are walked: shared by every command that reads PATH arguments.
#[derive(Debug, Clone, Default, Args)]
pub struct WalkArgs {
    /// Leave out what a directory walk finds where GLOB matches: a .gitignore line (`charts/`,
    /// `*.values.yaml`, `/legacy/**`, `!keep.yaml`) matched against the path below the walked
    /// directory; repeatable. A file named as a PATH is always read. `.gitignore` files are not
    /// honoured: what is read never depends on what git ignores.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Follow symlinks that lead outside the directory a walk started from (and let a function
    /// config name paths outside the package). By default such a link is an error naming it and its
    /// target, so that a pull request cannot make kruise-inject read files elsewhere on the
    /// machine (kustomize's `--load-restrictor LoadRestrictionsNone`, for symlinks).
    #[arg(long)]
    pub allow_outside_links: bool,
}

impl WalkArgs {
    /// The walk these flags ask for; an invalid --exclude pattern is an error.
    pub fn walk(&self) -> Result<crate::pipeline::input::Walk, crate::pipeline::input::InputError> {
        crate::pipeline::input::Walk::new(&self.exclude, self.allow_outside_links)
    }
}

/// `kruise-inject render`.
#[derive(Debug, Clone, Args)]
pub struct RenderArgs {
    /// The inputs, context and injection settings.
    #[command(flatten)]
    pub input: InputArgs,

    /// Write one file per input file into DIR, at the input's path relative to the PATH argument it
    /// was found under, instead of one stream on standard output. Files that are already up to
    /// date are not touched. Exit code 1 when anything was written (so that a pre-commit hook
    /// fails and the new files get committed), 0 when DIR was up to date.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,

    /// With --out-dir: delete the .yaml, .yml and .json files in DIR that no input renders to (left
    /// over from deleted or moved inputs). Without it they are reported, and the exit code is 1.
    #[arg(long, requires = "out_dir")]
    pub prune: bool,

    /// Do not print the per-resource report on standard error.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `kruise-inject diff`.
#[derive(Debug, Clone, Args)]
#[command(mut_arg("paths", |a| a.help(
    "Files or directories to compare (directories are walked for .yaml, .yml and .json files in \
     sorted order); `-` or nothing reads standard input. Each is rendered and compared with itself \
     as it is (or, with --old-sidecarsets, rendered with the old SidecarSets); nothing is written"
)))]
pub struct DiffArgs {
    /// The inputs, context and injection settings.
    #[command(flatten)]
    pub input: InputArgs,

    /// The SidecarSets before the change (file or directory; repeatable). The inputs are rendered
    /// with these and with the SidecarSets of -s and PATH, and the two results are compared; for
    /// each changed SidecarSet the output says what Kruise will do to pods that already run.
    #[arg(long = "old-sidecarsets", value_name = "PATH")]
    pub old_sidecarsets: Vec<PathBuf>,

    /// Lines of context around each change.
    #[arg(short = 'U', long, value_name = "N", default_value_t = 3)]
    pub context: usize,

    /// The output settings.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `kruise-inject check`.
#[derive(Debug, Clone, Args)]
#[command(mut_arg("paths", |a| a.help(
    "The inputs given to `render --out-dir DIR`: files or directories (walked for .yaml, .yml and \
     .json files in sorted order). Each renders to DIR/<its path relative to the PATH it was found \
     under>; that file is compared with what render would write there. Nothing is written"
)))]
pub struct CheckArgs {
    /// The inputs, context and injection settings: the same as given to `render --out-dir`.
    #[command(flatten)]
    pub input: InputArgs,

    /// The directory `render --out-dir DIR` writes, to compare with what it would write now.
    #[arg(long, value_name = "DIR", required = true)]
    pub out_dir: PathBuf,

    /// Accepted so that `check` takes the same arguments as `render --out-dir DIR --prune` (one
    /// argument list for both pre-commit hooks). Files in DIR that no input renders to are
    /// reported with or without it.
    #[arg(long)]
    pub prune: bool,

    /// The output settings.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// How `diff` and `check` print.
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// When to colour the output: `auto` colours on a terminal unless NO_COLOR is set.
    #[arg(long, value_name = "WHEN", value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,

    /// `github` adds GitHub Actions annotations (`::notice`, `::warning`, `::error` workflow
    /// commands) after the text, so that a pull request shows each finding at its line (paths
    /// relative to GITHUB_WORKSPACE, else the working directory); `json` prints one JSON object
    /// instead of the text. With GITHUB_STEP_SUMMARY set, a Markdown summary is appended to it.
    #[arg(short = 'o', long, value_name = "FORMAT", value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,

    /// Do not print warnings about the inputs on standard error.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// On a terminal, unless `NO_COLOR` is set (or `CLICOLOR=0`; `CLICOLOR_FORCE` forces it).
    Auto,
    /// Always, even when `NO_COLOR` is set.
    Always,
    /// Never.
    Never,
}

/// `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Text for people.
    Text,
    /// Text, then GitHub Actions workflow-command annotations.
    Github,
    /// One JSON object: per resource (diff) or file (check) its identity, file, line, change and
    /// impact.
    Json,
}

/// `kruise-inject health`.
#[derive(Debug, Clone, Args)]
pub struct HealthArgs {
    /// Files or directories holding SidecarSets with their status (`kubectl get sidecarset -o
    /// yaml`, a `kind: List` included); `-` or nothing reads standard input. Other kinds are
    /// ignored. Exit 0: all Healthy, 1: any Progressing or Suspended, 2: error.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// How directories are walked.
    #[command(flatten)]
    pub walk: WalkArgs,

    /// Print an `argocd-cm` ConfigMap with the corrected SidecarSet health check (Lua) instead of
    /// checking anything.
    #[arg(long, conflicts_with = "paths")]
    pub argocd_config: bool,

    /// Output format.
    #[arg(short = 'o', long, value_name = "FORMAT", value_enum, default_value_t = HealthFormat::Text)]
    pub output: HealthFormat,
}

/// `health -o`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HealthFormat {
    /// `NAME: STATUS: message`, one line per SidecarSet.
    Text,
    /// A JSON array of `{"file", "line", "name", "status", "message"}`.
    Json,
}

/// `kruise-inject uninject`.
#[derive(Debug, Clone, Args)]
pub struct UninjectArgs {
    /// Files or directories to read (directories are walked for .yaml, .yml and .json files in
    /// sorted order); `-` or nothing reads standard input. Every document is written to standard
    /// output once, in input order: with what Kruise injected removed, byte-identical otherwise.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// How directories are walked.
    #[command(flatten)]
    pub walk: WalkArgs,

    /// Do not print the per-resource report on standard error.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `kruise-inject validate`.
#[derive(Debug, Clone, clap::Args)]
pub struct ValidateArgs {
    /// Workloads, Pods, SidecarSets, Namespaces, ConfigMaps and Secrets to validate (files or
    /// directories walked for .yaml, .yml and .json in sorted order; `-` is standard input). With no
    /// PATH, standard input is read, as by render; with -s, only when it is not a terminal.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Context: SidecarSets, Namespaces, ControllerRevisions, ConfigMaps and Secrets (file or
    /// directory; repeatable). SidecarSets here are validated too; workloads here are not.
    #[arg(short = 's', long = "sidecarsets", value_name = "PATH")]
    pub sidecarsets: Vec<PathBuf>,

    /// The SidecarSets as they are now in the cluster (file or directory; repeatable): a validated
    /// SidecarSet of the same name is an UPDATE of it, checked with Kruise's update rules too
    /// (sidecar containers cannot be added or renamed, upgradeType and a canary's base cannot
    /// change); the others are CREATEs.
    #[arg(long = "old-sidecarsets", value_name = "PATH")]
    pub old_sidecarsets: Vec<PathBuf>,

    /// How directories are walked.
    #[command(flatten)]
    pub walk: WalkArgs,

    /// Namespace of documents that have none.
    #[arg(short = 'n', long, value_name = "NS", default_value = "default")]
    pub namespace: String,

    /// Namespace Kruise runs in: where ControllerRevisions and the `kruise-configuration` ConfigMap
    /// (patch-metadata whitelist) live.
    #[arg(long, value_name = "NS", default_value = "kruise-system")]
    pub kruise_namespace: String,

    /// Kruise's feature gates, as the manager's `--feature-gates` (e.g.
    /// `EnableSortSidecarContainerByName=true,SidecarSetPatchPodMetadataDefaultsAllowed=true`), so
    /// that the result is your installation's; unset gates keep Kruise v1.9's defaults.
    #[arg(long, value_name = "NAME=BOOL,...", value_parser = crate::kruise::features::FeatureGates::parse)]
    pub feature_gates: Option<crate::kruise::features::FeatureGates>,

    /// Output format.
    #[arg(short = 'o', long, value_name = "FORMAT", value_enum, default_value_t = ValidateFormat::Text)]
    pub output: ValidateFormat,

    /// Count warnings as errors for the exit code.
    #[arg(long)]
    pub strict: bool,

    /// Do not print the summary line on standard error.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `validate -o, --output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ValidateFormat {
    /// `file:line: error: resource: message`, one line per finding.
    Text,
    /// One JSON object: `findings`, `errors`, `warnings`.
    Json,
    /// GitHub Actions workflow commands: `::error file=F,line=L::message`.
    Github,
}

/// `kruise-inject rollout`.
#[derive(Debug, Clone, clap::Args)]
pub struct RolloutArgs {
    /// Pods as the cluster reports them (`kubectl get pods -A -o yaml`, a List; or Pod documents),
    /// or with --from-workloads the workloads. Files or directories (walked for .yaml, .yml and
    /// .json files in sorted order); `-` or nothing reads standard input. SidecarSets and Namespaces
    /// among them apply too.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// The SidecarSets to roll out (usually the new version), and the Namespaces their
    /// namespaceSelector needs (file or directory; repeatable).
    #[arg(short = 's', long = "sidecarsets", value_name = "PATH")]
    pub sidecarsets: Vec<PathBuf>,

    /// How directories are walked.
    #[command(flatten)]
    pub walk: WalkArgs,

    /// Plan from workloads instead of pods: each workload becomes `replicas` pods named
    /// <workload>-<i>, Running and Ready, injected with the SidecarSets of --old-sidecarsets.
    #[arg(long)]
    pub from_workloads: bool,

    /// With --from-workloads: the SidecarSets the pods were created with (before the change), and
    /// the Namespaces and ControllerRevisions they need (file or directory; repeatable).
    #[arg(
        long = "old-sidecarsets",
        value_name = "PATH",
        requires = "from_workloads"
    )]
    pub old_sidecarsets: Vec<PathBuf>,

    /// How many rounds to simulate: a number, or `all` (until nothing is left to do). Between
    /// rounds every upgraded sidecar is assumed to restart and its pod to become ready.
    #[arg(long, value_name = "N|all", default_value = "1")]
    pub rounds: crate::commands::rollout::Rounds,

    /// Output: `table` (a readable plan), `json` (per SidecarSet the status and the pods of each
    /// round), `yaml` (the pods after the rounds, as a List `rollout` reads back).
    #[arg(short = 'o', long, value_enum, default_value_t = crate::commands::rollout::output::Format::Table)]
    pub output: crate::commands::rollout::output::Format,

    /// Namespace of objects that have none.
    #[arg(short = 'n', long, value_name = "NS", default_value = "default")]
    pub namespace: String,

    /// Time the controller writes into annotations (RFC 3339, or `now`). Default:
    /// SOURCE_DATE_EPOCH if set, else 1970-01-01T00:00:00Z, so that output is deterministic.
    #[arg(long, value_name = "RFC3339|now")]
    pub timestamp: Option<String>,

    /// Namespace where Kruise keeps SidecarSet ControllerRevisions.
    #[arg(long, value_name = "NS", default_value = "kruise-system")]
    pub kruise_namespace: String,

    /// Kruise's feature gates, as the manager's `--feature-gates` (e.g.
    /// `EnableSortSidecarContainerByName=true,SidecarSetPatchPodMetadataDefaultsAllowed=true`), so
    /// that the result is your installation's; unset gates keep Kruise v1.9's defaults.
    #[arg(long, value_name = "NAME=BOOL,...", value_parser = crate::kruise::features::FeatureGates::parse)]
    pub feature_gates: Option<crate::kruise::features::FeatureGates>,

    /// Seed of the random draw of the `Partial` revision policy (--from-workloads injection).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,

    /// Table output: show every round (runs of four or more rounds that upgrade the same number
    /// of pods the same way are otherwise shown as one entry listing the first pods).
    #[arg(long)]
    pub verbose: bool,

    /// Do not print warnings and notes on standard error.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `kruise-inject krm`: a ResourceList on standard input, the ResourceList with the SidecarSets
/// injected on standard output. The `functionConfig` (a `kruise-inject.dev/v1alpha1 KruiseInject`
/// object, or kpt's ConfigMap) overrides these options; its `sidecarsets` add to `-s`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct KrmArgs {
    /// Context read besides the items: SidecarSets, Namespaces, ControllerRevisions (file or
    /// directory, relative to the working directory; repeatable).
    #[arg(short = 's', long = "sidecarsets", value_name = "PATH")]
    pub sidecarsets: Vec<PathBuf>,

    /// How directories are walked.
    #[command(flatten)]
    pub walk: WalkArgs,

    /// Namespace of items that have none [default: default].
    #[arg(short = 'n', long, value_name = "NS")]
    pub namespace: Option<String>,

    /// Injection time written into the hash annotations (RFC 3339, or `now`). Default:
    /// SOURCE_DATE_EPOCH if set, else 1970-01-01T00:00:00Z.
    #[arg(long, value_name = "RFC3339|now")]
    pub timestamp: Option<String>,

    /// Namespace where Kruise keeps SidecarSet ControllerRevisions [default: kruise-system].
    #[arg(long, value_name = "NS")]
    pub kruise_namespace: Option<String>,

    /// Kruise's feature gates, as the manager's `--feature-gates` (e.g.
    /// `EnableSortSidecarContainerByName=true,SidecarSetPatchPodMetadataDefaultsAllowed=true`), so
    /// that the result is your installation's; unset gates keep Kruise v1.9's defaults. The
    /// function config's `featureGates` adds to these.
    #[arg(long, value_name = "NAME=BOOL,...", value_parser = crate::kruise::features::FeatureGates::parse)]
    pub feature_gates: Option<crate::kruise::features::FeatureGates>,

    /// Seed of the random draw of the `Partial` revision policy [default: 0].
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
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
