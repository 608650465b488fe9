//! The argument groups several commands share, each flag defined once (ripgrep's flags), and
//! their resolution into the pipeline's settings (the one place that reads SOURCE_DATE_EPOCH).
//!
//! Every command flattens the groups it takes; where a flag means more for one command, the command
//! changes its help with `#[command(mut_arg(…))]`, never its name, short or default. Defaults are
//! constants the code shares ([`DEFAULT_NAMESPACE`], [`DEFAULT_KRUISE_NAMESPACE`],
//! [`DEFAULT_SEED`]), and each group's `Default` is what an empty command line gives. Each command
//! turns its arguments into its settings once, at the top of its `run` (uv's settings step).

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::kruise::cluster::{DEFAULT_KRUISE_NAMESPACE, DEFAULT_NAMESPACE};
use crate::kruise::features::FeatureGates;
use crate::kruise::timestamp;
use crate::pipeline::engine::{InputPaths, Options};
use crate::pipeline::input::{InputError, Walk};

/// What to render and how: the inputs, the context and the injection settings shared by every
/// command that renders (`render`, `diff`, `check`).
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Files or directories to render (directories are walked for .yaml, .yml and .json files in
    /// sorted order, skipping and reporting Helm charts, kustomize and kpt configuration and files
    /// that are not manifests); `-` or nothing reads standard input. Every document is written to standard
    /// output once, in input order: changed where something was injected, byte-identical otherwise.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// The context.
    #[command(flatten)]
    pub context: ContextArgs,

    /// The injection settings.
    #[command(flatten)]
    pub injection: InjectionArgs,

    /// How directories are walked.
    #[command(flatten)]
    pub walk: WalkArgs,
}

/// The cluster the inputs go to: the context files and the namespaces and feature gates of the
/// installation. Shared by every command that reads SidecarSets (`render`, `diff`, `check`,
/// `validate`, `krm`, `rollout`); a command whose `-s` means more says so with `mut_arg`.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct ContextArgs {
    /// Context that is read but not written out: SidecarSets, Namespaces, ControllerRevisions and
    /// ConfigMaps (file or directory; repeatable). SidecarSets, Namespaces and ControllerRevisions
    /// among the PATH documents apply too.
    #[arg(short = 's', long = "sidecarsets", value_name = "PATH")]
    pub sidecarsets: Vec<PathBuf>,

    /// Namespace of documents that have none.
    #[arg(short = 'n', long, value_name = "NS", default_value = DEFAULT_NAMESPACE)]
    pub namespace: String,

    /// Namespace Kruise runs in: where ControllerRevisions and the `kruise-configuration` ConfigMap
    /// (patch-metadata whitelist) live.
    #[arg(long, value_name = "NS", default_value = DEFAULT_KRUISE_NAMESPACE)]
    pub kruise_namespace: String,

    /// Kruise's feature gates, as the manager's `--feature-gates` (e.g.
    /// `EnableSortSidecarContainerByName=true,SidecarSetPatchPodMetadataDefaultsAllowed=true`), so
    /// that the result is your installation's; unset gates keep Kruise v1.9's defaults.
    #[arg(long, value_name = "NAME=BOOL,...", value_parser = FeatureGates::parse)]
    pub feature_gates: Option<FeatureGates>,
}

impl Default for ContextArgs {
    /// What an empty command line gives (the defaults of the flags).
    fn default() -> Self {
        Self {
            sidecarsets: Vec::new(),
            namespace: DEFAULT_NAMESPACE.to_owned(),
            kruise_namespace: DEFAULT_KRUISE_NAMESPACE.to_owned(),
            feature_gates: None,
        }
    }
}

/// What an injection writes that the cluster would decide: the time and the random draw. Shared by
/// `render`, `diff`, `check`, `krm` and `rollout`.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct InjectionArgs {
    /// Injection time written into the hash annotations (RFC 3339, or `now`). Default:
    /// SOURCE_DATE_EPOCH if set, else 1970-01-01T00:00:00Z, so that output is deterministic.
    #[arg(long, value_name = "RFC3339|now")]
    pub timestamp: Option<String>,

    /// Seed of the random draw of the `Partial` revision policy.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SEED)]
    pub seed: u64,
}

impl Default for InjectionArgs {
    /// What an empty command line gives (the defaults of the flags).
    fn default() -> Self {
        Self {
            timestamp: None,
            seed: DEFAULT_SEED,
        }
    }
}

/// `--seed` when not given.
pub const DEFAULT_SEED: u64 = 0;

/// The environment variable that sets the injection time when `--timestamp` is not given
/// (reproducible builds' `SOURCE_DATE_EPOCH`).
pub const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";

/// `SOURCE_DATE_EPOCH`, as the environment has it: the one place that reads it.
pub fn source_date_epoch() -> Option<String> {
    std::env::var(SOURCE_DATE_EPOCH).ok()
}

impl InjectionArgs {
    /// The injection time these flags ask for, given `SOURCE_DATE_EPOCH`.
    pub fn timestamp(&self, source_date_epoch: Option<&str>) -> anyhow::Result<String> {
        Ok(timestamp::resolve(
            self.timestamp.as_deref(),
            source_date_epoch,
        )?)
    }
}

impl ContextArgs {
    /// The pipeline's settings for these flags and the injection ones (`SOURCE_DATE_EPOCH` read
    /// here).
    pub fn options(&self, injection: &InjectionArgs) -> anyhow::Result<Options> {
        Ok(Options {
            default_namespace: self.namespace.clone(),
            timestamp: injection.timestamp(source_date_epoch().as_deref())?,
            kruise_namespace: self.kruise_namespace.clone(),
            feature_gates: self.feature_gates.clone().unwrap_or_default(),
            seed: injection.seed,
        })
    }
}

/// `-q, --quiet`: what it silences differs per command (`mut_arg("quiet", …)`); what the tool
/// cannot know is said on standard error even with it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Args)]
pub struct QuietArg {
    /// Do not print warnings about the inputs on standard error.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `--old-sidecarsets`: the SidecarSets before a change (`diff`, `validate`, `rollout`; each says
/// what it does with them with `mut_arg("old_sidecarsets", …)`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
pub struct OldSidecarSetsArg {
    /// The SidecarSets before the change, as they are in the cluster now (file or directory;
    /// repeatable).
    #[arg(long = "old-sidecarsets", value_name = "PATH")]
    pub old_sidecarsets: Vec<PathBuf>,
}

/// `--out-dir DIR` and `--prune`: `render` writes DIR, `check` compares with it (and requires it:
/// `mut_arg("out_dir", |a| a.required(true))`), with the same arguments in both pre-commit hooks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
pub struct OutDirArgs {
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
}

/// `-o, --output FORMAT`: one flag, each command's own formats (`F`, whose `#[default]` variant is
/// the default); the help says what they print (`mut_arg("output", …)` where it says more).
#[derive(Debug, Clone, Args)]
pub struct FormatArg<F>
where
    F: ValueEnum + Default + Clone + Send + Sync + 'static,
{
    /// Output format.
    // Not `default_value_t`: clap's derive keeps its text in a `static`, which a generic group
    // shares between all its `F`s (rollout would default to diff's `text`).
    #[arg(short = 'o', long, value_name = "FORMAT", value_enum, default_value = default_name::<F>())]
    pub output: F,
}

/// The name of `F`'s `#[default]` value, as the command line spells it.
fn default_name<F: ValueEnum + Default>() -> String {
    F::default()
        .to_possible_value()
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default()
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
    pub fn walk(&self) -> Result<Walk, InputError> {
        Walk::new(&self.exclude, self.allow_outside_links)
    }
}

/// How `diff` and `check` print.
#[derive(Debug, Clone, Args)]
#[command(mut_arg("output", |a| a.help(
    "`github` adds GitHub Actions annotations (`::notice`, `::warning`, `::error` workflow \
     commands) after the text, so that a pull request shows each finding at its line (paths \
     relative to GITHUB_WORKSPACE, else the working directory); `json` prints one JSON object \
     instead of the text. With GITHUB_STEP_SUMMARY set, a Markdown summary is appended to it"
)))]
pub struct OutputArgs {
    /// When to colour the output: `auto` colours on a terminal unless NO_COLOR is set.
    #[arg(long, value_name = "WHEN", value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,

    /// The output format.
    #[command(flatten)]
    pub format: FormatArg<OutputFormat>,

    /// `-q`.
    #[command(flatten)]
    pub quiet: QuietArg,
}

/// How `diff` and `check` print, resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputSettings {
    /// Whether to colour standard output.
    pub color: bool,
    /// `-o`.
    pub format: OutputFormat,
    /// `-q`.
    pub quiet: bool,
}

impl OutputArgs {
    /// The settings these flags ask for (`--color auto` looks at the terminal here).
    pub fn resolve(&self) -> OutputSettings {
        OutputSettings {
            color: self.color.enabled(),
            format: self.format.output,
            quiet: self.quiet.quiet,
        }
    }
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Text for people.
    #[default]
    Text,
    /// Text, then GitHub Actions workflow-command annotations.
    Github,
    /// One JSON object: per resource (diff) or file (check) its identity, file, line, change and
    /// impact.
    Json,
}

impl From<OutputFormat> for crate::pipeline::report::Format {
    fn from(format: OutputFormat) -> Self {
        match format {
            OutputFormat::Text => Self::Text,
            OutputFormat::Github => Self::Github,
            OutputFormat::Json => Self::Json,
        }
    }
}

/// What `render`, `diff` and `check` read and how they inject: [`InputArgs`] resolved.
#[derive(Debug)]
pub struct InputSettings {
    /// What to read.
    pub paths: InputPaths,
    /// How to inject.
    pub options: Options,
}

impl InputArgs {
    /// The settings these flags (and SOURCE_DATE_EPOCH) ask for: the one place the command line
    /// becomes the pipeline's [`InputPaths`] and [`Options`]. An invalid --exclude pattern or
    /// timestamp is an error.
    pub fn resolve(&self) -> anyhow::Result<InputSettings> {
        Ok(InputSettings {
            paths: self.paths()?,
            options: self.options()?,
        })
    }

    /// How these flags ask to inject (SOURCE_DATE_EPOCH read here); an invalid timestamp is an
    /// error. Part of [`InputArgs::resolve`], for `render`, which checks it only once standard
    /// input is known not to hold a ResourceList.
    pub fn options(&self) -> anyhow::Result<Options> {
        self.context.options(&self.injection)
    }

    /// What these flags ask to read; an invalid --exclude pattern is an error. Part of
    /// [`InputArgs::resolve`].
    pub fn paths(&self) -> Result<InputPaths, InputError> {
        Ok(InputPaths {
            paths: self.paths.clone(),
            context: self.context.sidecarsets.clone(),
            walk: self.walk.walk()?,
        })
    }
}

impl ColorWhen {
    /// Whether to colour standard output: `auto` follows the terminal, `NO_COLOR`, `CLICOLOR` and
    /// `CLICOLOR_FORCE`.
    pub fn enabled(self) -> bool {
        match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => matches!(
                anstream::AutoStream::choice(&std::io::stdout()),
                anstream::ColorChoice::Always | anstream::ColorChoice::AlwaysAnsi
            ),
        }
    }
}
