//! The argument groups several commands share, each flag defined once, and their resolution into
//! the pipeline's settings (the one place that reads SOURCE_DATE_EPOCH).

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::kruise::features::FeatureGates;
use crate::kruise::timestamp;
use crate::pipeline::engine::{InputPaths, Options};
use crate::pipeline::input::{InputError, Walk};

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
    #[arg(long, value_name = "NAME=BOOL,...", value_parser = FeatureGates::parse)]
    pub feature_gates: Option<FeatureGates>,

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
    pub fn walk(&self) -> Result<Walk, InputError> {
        Walk::new(&self.exclude, self.allow_outside_links)
    }
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

impl From<OutputFormat> for crate::pipeline::report::Format {
    fn from(format: OutputFormat) -> Self {
        match format {
            OutputFormat::Text => Self::Text,
            OutputFormat::Github => Self::Github,
            OutputFormat::Json => Self::Json,
        }
    }
}

impl InputArgs {
    /// The injection settings these flags ask for: the one place the command line (and
    /// SOURCE_DATE_EPOCH) becomes the pipeline's [`Options`].
    pub fn options(&self) -> anyhow::Result<Options> {
        let source_date_epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
        Ok(Options {
            default_namespace: self.namespace.clone(),
            timestamp: timestamp::resolve(self.timestamp.as_deref(), source_date_epoch.as_deref())?,
            kruise_namespace: self.kruise_namespace.clone(),
            feature_gates: self.feature_gates.clone().unwrap_or_default(),
            seed: self.seed,
        })
    }

    /// What these flags ask to read; an invalid --exclude pattern is an error.
    pub fn paths(&self) -> Result<InputPaths, InputError> {
        Ok(InputPaths {
            paths: self.paths.clone(),
            context: self.sidecarsets.clone(),
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
