//! `kruise-inject krm`: kruise-inject as a KRM function (kpt, kustomize) and as a legacy kustomize
//! exec plugin.
//!
//! - [`resource_list`]: the `ResourceList` on stdin and stdout;
//! - [`function_config`](crate::pipeline::function_config): the `functionConfig` (`KruiseInject` or kpt's ConfigMap);
//! - [`results`]: what the function reports back;
//! - [`legacy_plugin`]: `kubectl kustomize --enable-alpha-plugins`.
//!
//! The ResourceList is edited in place, like `render` edits a file: each item is an object of the
//! document, only the pod templates that get a sidecar change, and `results` is appended at the
//! end. Every annotation kpt and kustomize put on the items, and every comment, comes back as it was.

mod items;
pub mod legacy_plugin;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde_json::Value;

pub use crate::pipeline::resource_list::{self, is_resource_list};
pub use legacy_plugin::run_legacy_plugin;

use crate::commands::ExitStatus;
use crate::commands::args::{self, ContextArgs, InjectionArgs, WalkArgs};
use crate::kruise::features::FeatureGates;
use crate::kruise::timestamp;
use crate::pipeline::context::{self, ContextKind};
use crate::pipeline::engine::{Options, Renderer, Report, UndecidedSummary, print_reports};
use crate::pipeline::function_config::FunctionConfig;
use crate::pipeline::input;
use crate::pipeline::krm_results::{self as results, KrmResult, Severity};
use crate::pipeline::objects::{DocumentError, Object, ParsedFile};

/// `kruise-inject krm`: a ResourceList on standard input, the ResourceList with the SidecarSets
/// injected on standard output. The `functionConfig` (a `kruise-inject.dev/v1alpha1 KruiseInject`
/// object, or kpt's ConfigMap) overrides these options; its `sidecarsets` add to `-s`.
///
/// The flags' defaults are the other commands' (the function config's values override any of
/// them, given or not, so a default is only what neither sets).
#[derive(Debug, Clone, Default, clap::Args)]
#[command(mut_arg("sidecarsets", |a| a.help(
    "Context read besides the items: SidecarSets, Namespaces, ControllerRevisions (file or \
     directory, relative to the working directory; repeatable)"
)))]
#[command(mut_arg("namespace", |a| a.help("Namespace of items that have none")))]
#[command(mut_arg("feature_gates", |a| a.help(
    "Kruise's feature gates, as the manager's `--feature-gates` (e.g. \
     `EnableSortSidecarContainerByName=true,SidecarSetPatchPodMetadataDefaultsAllowed=true`), so \
     that the result is your installation's; unset gates keep Kruise v1.9's defaults. The \
     function config's `featureGates` adds to these"
)))]
pub struct KrmArgs {
    /// The context (`-s`, `-n`, `--kruise-namespace`, `--feature-gates`).
    #[command(flatten)]
    pub context: ContextArgs,

    /// The injection settings (`--timestamp`, `--seed`).
    #[command(flatten)]
    pub injection: InjectionArgs,

    /// How directories are walked.
    #[command(flatten)]
    pub walk: WalkArgs,
}

/// Everything a run depends on besides its input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Context files or directories of the command line, relative to the working directory.
    pub sidecarsets: Vec<PathBuf>,
    /// Context files or directories of the function config (which the repository wrote), relative
    /// to the working directory: they must stay inside the package root ([`package_root`]).
    pub config_sidecarsets: Vec<PathBuf>,
    /// How directories are walked.
    pub walk: input::Walk,
    /// Namespace of objects that have none.
    pub namespace: String,
    /// `--timestamp`.
    pub timestamp: Option<String>,
    /// Where ControllerRevisions live.
    pub kruise_namespace: String,
    /// Kruise's feature gates.
    pub feature_gates: FeatureGates,
    /// Seed of the `Partial` draw.
    pub seed: u64,
    /// The `SOURCE_DATE_EPOCH` environment variable.
    pub source_date_epoch: Option<String>,
}

impl Settings {
    /// The settings of the command line and the environment: the one place `krm`'s arguments
    /// are resolved.
    pub fn new(args: &KrmArgs) -> Self {
        Self::from_groups(&args.context, &args.injection, &args.walk)
    }

    /// The settings of `render`'s flags, for a ResourceList given to `render` on stdin.
    pub fn from_render(args: &args::InputArgs) -> Self {
        Self::from_groups(&args.context, &args.injection, &args.walk)
    }

    /// The settings of the shared argument groups and the environment.
    fn from_groups(context: &ContextArgs, injection: &InjectionArgs, walk: &WalkArgs) -> Self {
        Self {
            sidecarsets: context.sidecarsets.clone(),
            config_sidecarsets: Vec::new(),
            walk: input::Walk {
                excludes: walk.exclude.clone(),
                allow_outside_links: walk.allow_outside_links,
            },
            namespace: context.namespace.clone(),
            timestamp: injection.timestamp.clone(),
            kruise_namespace: context.kruise_namespace.clone(),
            feature_gates: context.feature_gates.clone().unwrap_or_default(),
            seed: injection.seed,
            source_date_epoch: args::source_date_epoch(),
        }
    }

    /// These settings overridden by a config.
    pub fn with_config(&self, config: &FunctionConfig) -> Self {
        let mut out = self.clone();
        out.config_sidecarsets
            .extend(config.sidecarsets.iter().cloned());
        if let Some(ns) = &config.namespace {
            out.namespace.clone_from(ns);
        }
        if config.timestamp.is_some() {
            out.timestamp.clone_from(&config.timestamp);
        }
        if let Some(ns) = &config.kruise_namespace {
            out.kruise_namespace.clone_from(ns);
        }
        if let Some(seed) = config.seed {
            out.seed = seed;
        }
        if let Some(gates) = &config.feature_gates {
            out.feature_gates.extend(gates);
        }
        out
    }

    fn options(&self) -> Result<Options, String> {
        let timestamp =
            timestamp::resolve(self.timestamp.as_deref(), self.source_date_epoch.as_deref())
                .map_err(|e| e.to_string())?;
        Ok(Options {
            default_namespace: self.namespace.clone(),
            timestamp,
            kruise_namespace: self.kruise_namespace.clone(),
            feature_gates: self.feature_gates.clone(),
            seed: self.seed,
        })
    }
}

/// A run that failed: the message for people (stderr), and the ResourceList to write for kpt (the
/// input unchanged, with an error result), when the input was a ResourceList.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct KrmError {
    /// What went wrong, and where.
    pub message: String,
    /// The input with the error in its `results`; `None` when the input is not a ResourceList.
    pub output: Option<String>,
}

/// Runs the function on a ResourceList (the text of standard input); `cwd` resolves the
/// `sidecarsets` paths of the `functionConfig`. Options come from the `functionConfig` and
/// `SOURCE_DATE_EPOCH`.
pub fn process(input: &str, cwd: &Path) -> Result<String, KrmError> {
    process_with(input, cwd, &Settings::new(&KrmArgs::default())).map(|(text, ..)| text)
}

/// [`process`] with the settings of a command line; also returns the results written and what
/// could not be decided.
pub fn process_with(
    input: &str,
    cwd: &Path,
    settings: &Settings,
) -> Result<(String, Vec<KrmResult>, UndecidedSummary), KrmError> {
    // Item by item when it can (no whole tree in memory); else, and for every error, the whole
    // tree.
    match items::process(input, cwd, settings) {
        Some(done) => Ok(done),
        None => process_whole(input, cwd, settings),
    }
}

/// [`process_with`] on the whole tree of the ResourceList.
fn process_whole(
    input: &str,
    cwd: &Path,
    settings: &Settings,
) -> Result<(String, Vec<KrmResult>, UndecidedSummary), KrmError> {
    let not_resource_list = |message: String| KrmError {
        message: format!("standard input is not a KRM ResourceList: {message}"),
        output: None,
    };
    let file = ParsedFile::parse("<stdin>".into(), input.to_owned())
        .map_err(|e| not_resource_list(e.to_string()))?;
    let list = resource_list::find(&file).map_err(|e| not_resource_list(e.0))?;
    let fail = |result: KrmResult| {
        let output = resource_list::with_results(input, std::slice::from_ref(&result)).ok();
        KrmError {
            message: describe(&result),
            output,
        }
    };
    let config_error = |message: String| {
        fail(KrmResult {
            message,
            severity: Severity::Error,
            resource_ref: None,
            file: None,
        })
    };

    let config = FunctionConfig::from_value(&list.function_config)
        .map_err(|e| config_error(e.to_string()))?;
    let settings = settings.with_config(&config);
    let options = settings.options().map_err(config_error)?;
    let objects = if list.root.get("items").is_some() {
        file.objects().map_err(|e| fail(item_error(&[], &e)))?
    } else {
        Vec::new()
    };
    let mut results = Vec::new();
    let mut gatherer = context::Gatherer::new(&options.kruise_namespace)
        .with_feature_gates(options.feature_gates.clone());
    let from_files =
        gather_files(&mut gatherer, &settings, cwd, &mut results).map_err(config_error)?;
    for object in &objects {
        if is_duplicate(object, &from_files) {
            continue;
        }
        gatherer
            .add(object)
            .map_err(|e| fail(item_error(&objects, &e)))?;
    }
    // Every SidecarSet passes the API server and Kruise's validating webhook, or nothing renders.
    let (cluster, notices) = gatherer
        .finish()
        .map_err(|rejected| fail(rejection_result(&objects, &rejected)))?;
    results.extend(notices.into_iter().map(results::notice_result));

    let rendered = Renderer::new(&cluster, &options)
        .render_file(&file)
        .map_err(|e| fail(item_error(&objects, &e)))?;
    for report in &rendered.reports {
        if let Some(result) = report_result(report, &objects) {
            results.push(result);
        }
    }
    // Whether Kruise injects more is unknown: a warning on the item.
    for u in &rendered.undecided {
        let message = u.undecided.to_string();
        results.push(match objects.iter().find(|o| o.location == u.location) {
            Some(object) => item_result(object, Severity::Warning, message),
            None => KrmResult {
                message: format!("{}: {message}", u.resource),
                severity: Severity::Warning,
                resource_ref: None,
                file: None,
            },
        });
    }
    let mut undecided = UndecidedSummary::default();
    undecided.add(&rendered.undecided);
    let text = resource_list::with_results(&rendered.text, &results)
        .map_err(|e| config_error(format!("cannot append the results: {e}")))?;
    Ok((text, results, undecided))
}

/// Runs `kruise-inject krm`: exit 0 and the ResourceList on stdout; on failure the message on
/// stderr, the input with an error result on stdout (for kpt), and exit 2.
pub fn run(args: &KrmArgs) -> anyhow::Result<ExitStatus> {
    let mut input = String::new();
    crate::pipeline::input::note_if_terminal("a ResourceList");
    std::io::stdin()
        .read_to_string(&mut input)
        .context("reading the ResourceList from standard input")?;
    run_text(&input, &Settings::new(args))
}

/// `kruise-inject` with no arguments and standard input not a terminal: how kustomize runs an exec
/// KRM function (`config.kubernetes.io/function: {exec: {path: kruise-inject}}` has no field for
/// arguments) and how `kpt fn eval --exec kruise-inject` runs it. A ResourceList on stdin runs as
/// `krm` with the options of its `functionConfig`; empty stdin is `None` (the caller prints the
/// usage); anything else is an error that says what was expected.
pub fn run_without_arguments() -> anyhow::Result<Option<ExitStatus>> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("reading standard input")?;
    if input.trim().is_empty() {
        return Ok(None);
    }
    if !is_resource_list(&input) {
        anyhow::bail!(
            "no command given, and standard input is not a KRM ResourceList (run with no \
             arguments, kruise-inject is a KRM function, as kustomize and kpt run it); see \
             `kruise-inject --help` for the commands"
        );
    }
    run_text(&input, &Settings::new(&KrmArgs::default())).map(Some)
}

/// Runs the function on a ResourceList already read: the ResourceList on stdout and exit 0, or the
/// input with an error result on stdout (for kpt), the message on stderr and exit 2.
pub fn run_text(input: &str, settings: &Settings) -> anyhow::Result<ExitStatus> {
    let cwd = std::env::current_dir().context("the working directory")?;
    let mut stdout = std::io::stdout().lock();
    match process_with(input, &cwd, settings) {
        Ok((text, _, undecided)) => {
            stdout
                .write_all(text.as_bytes())
                .context("writing stdout")?;
            stdout.flush().context("writing stdout")?;
            // For people too: kustomize ignores results; stderr is what it passes on.
            print_reports(undecided.line().as_slice());
            Ok(ExitStatus::Success)
        }
        Err(err) => {
            if let Some(output) = &err.output {
                let _ = stdout.write_all(output.as_bytes());
                let _ = stdout.flush();
            }
            eprintln!("error: kruise-inject: {}", err.message);
            Ok(ExitStatus::Error)
        }
    }
}

/// The root that the paths of a function config must stay inside: the git work tree holding `cwd`
/// (its nearest ancestor with a `.git`), or `cwd` itself outside git. kpt runs a function in the
/// package's directory or above it, kustomize in the kustomization's directory; in both, what the
/// config may name is the repository, never the rest of the machine.
pub fn package_root(cwd: &Path) -> PathBuf {
    cwd.ancestors()
        .find(|dir| std::fs::symlink_metadata(dir.join(".git")).is_ok())
        .unwrap_or(cwd)
        .to_path_buf()
}

/// Reads the context files and directories into the cluster; returns the SidecarSets read (name →
/// spec), so that the same SidecarSet among the items is not a duplicate. The command line's
/// paths are trusted as given; the function config's must stay inside [`package_root`]. What the
/// walks skip becomes info results.
pub(crate) fn gather_files(
    gatherer: &mut context::Gatherer,
    settings: &Settings,
    cwd: &Path,
    results: &mut Vec<KrmResult>,
) -> Result<HashMap<String, Value>, String> {
    let mut sidecarsets = HashMap::new();
    let mut sources = Vec::new();
    for path in &settings.sidecarsets {
        let full = cwd.join(path);
        let expanded = settings
            .walk
            .expand(std::slice::from_ref(&full))
            .map_err(|e| e.to_string())?;
        sources.push(expanded);
    }
    if !settings.config_sidecarsets.is_empty() {
        let expanded = settings
            .walk
            .expand_within(cwd, &package_root(cwd), &settings.config_sidecarsets)
            .map_err(|e| e.to_string())?;
        sources.push(expanded);
    }
    for expanded in sources {
        for line in expanded.skip_lines() {
            results.push(KrmResult {
                message: line,
                severity: Severity::Info,
                resource_ref: None,
                file: None,
            });
        }
        for source in expanded.sources {
            let text = input::read(&source).map_err(|e| e.to_string())?;
            let name = match &source {
                input::Source::File(file) => {
                    file.strip_prefix(cwd).unwrap_or(file).display().to_string()
                }
                input::Source::Stdin => "<stdin>".into(),
            };
            let file = ParsedFile::parse(name, text).map_err(|e| e.to_string())?;
            for object in file.objects().map_err(|e| e.to_string())? {
                gatherer.add(&object).map_err(|e| e.to_string())?;
                if context::context_kind(&object) == Some(ContextKind::SidecarSet) {
                    sidecarsets.insert(
                        object.name().to_owned(),
                        object.value.get("spec").cloned().unwrap_or(Value::Null),
                    );
                }
            }
        }
    }
    Ok(sidecarsets)
}

/// A SidecarSet item that is also among the context files, with the same spec.
pub(crate) fn is_duplicate(object: &Object<'_>, from_files: &HashMap<String, Value>) -> bool {
    context::context_kind(object) == Some(ContextKind::SidecarSet)
        && from_files
            .get(object.name())
            .is_some_and(|spec| Some(spec) == object.value.get("spec"))
}

fn item_result(object: &Object<'_>, severity: Severity, message: String) -> KrmResult {
    let (resource_ref, file) = results::identify(&object.value);
    KrmResult {
        message,
        severity,
        resource_ref: Some(resource_ref),
        file,
    }
}

/// The item a line of the ResourceList belongs to: the last one that starts at or before it.
fn item_at<'o, 'f>(objects: &'o [Object<'f>], line: usize) -> Option<&'o Object<'f>> {
    objects.iter().rev().find(|o| o.location.line <= line)
}

/// The error result for rejected SidecarSets: on the first one's item, with its errors, when it is an
/// item; the whole message otherwise (a context file).
fn rejection_result(objects: &[Object<'_>], rejected: &context::Rejected) -> KrmResult {
    let whole = KrmResult {
        message: rejected.to_string(),
        severity: Severity::Error,
        resource_ref: None,
        file: None,
    };
    let Some(first) = rejected.errors.first() else {
        return whole;
    };
    let item = (first.location.file == "<stdin>")
        .then(|| item_at(objects, first.location.line))
        .flatten();
    let Some(object) = item else {
        return whole;
    };
    let same = |f: &&crate::pipeline::finding::Finding| {
        f.location.file == first.location.file
            && f.location.document == first.location.document
            && f.resource == first.resource
    };
    let mut message = rejected
        .errors
        .iter()
        .filter(same)
        .map(|f| f.message.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    message.push_str(
        ": rejected by the API server or Kruise's validating webhook, it is never created and injects nothing",
    );
    if rejected.errors.iter().any(|f| !same(&f)) {
        message.push_str(
            " (other SidecarSets are rejected too: `kruise-inject validate` lists every finding)",
        );
    }
    let mut result = item_result(object, Severity::Error, message);
    if result.file.is_none() {
        result.message = format!(
            "ResourceList line {}: {}: {}",
            first.location.line, first.resource, result.message
        );
    }
    result
}

fn item_error(objects: &[Object<'_>], err: &DocumentError) -> KrmResult {
    match item_at(objects, err.location.line) {
        Some(object) => {
            // `err.message` starts with the object's apiVersion, kind and name.
            // or, when it names the object itself (`SidecarSet x defines ...`), its apiVersion
            let prefix = format!("{}: ", object.label());
            let own = format!(
                "{} {} {} ",
                object.api_version(),
                object.kind(),
                object.name()
            );
            let message = match err.message.strip_prefix(&prefix) {
                Some(rest) => rest,
                None if err.message.starts_with(&own) => {
                    &err.message[object.api_version().len() + 1..]
                }
                None => &err.message,
            };
            let mut result = item_result(object, Severity::Error, message.to_owned());
            if result.file.is_none() {
                result.message =
                    format!("ResourceList line {}: {}", err.location.line, err.message);
            }
            result
        }
        None => KrmResult {
            message: format!("ResourceList line {}: {}", err.location.line, err.message),
            severity: Severity::Error,
            resource_ref: None,
            file: None,
        },
    }
}

/// The result of one report line of the renderer: `info` for an injection, `warning` for a
/// warning; nothing for the workloads no SidecarSet matches.
fn report_result(report: &Report, objects: &[Object<'_>]) -> Option<KrmResult> {
    let severity =
        if report.message.starts_with("injected ") || report.message.starts_with("up to date") {
            Severity::Info
        } else if report.message.starts_with("warning: ") {
            Severity::Warning
        } else {
            return None;
        };
    let message = report
        .message
        .strip_prefix("warning: ")
        .unwrap_or(&report.message)
        .to_owned();
    Some(
        match objects.iter().find(|o| o.location == report.location) {
            Some(object) => item_result(object, severity, message),
            None => KrmResult {
                message: format!("{}: {message}", report.resource),
                severity,
                resource_ref: None,
                file: None,
            },
        },
    )
}

/// A result as one line for stderr.
fn describe(result: &KrmResult) -> String {
    let mut out = String::new();
    if let Some(file) = &result.file {
        out.push_str(&file.path);
        out.push_str(": ");
    }
    if let Some(r) = &result.resource_ref
        && !result
            .message
            .contains(&format!("{} {} {}", r.api_version, r.kind, r.name))
        && !result
            .message
            .starts_with(&format!("{} {} ", r.kind, r.name))
    {
        let ns = r
            .namespace
            .as_deref()
            .map(|ns| format!("{ns}/"))
            .unwrap_or_default();
        out.push_str(&format!("{} {} {ns}{}: ", r.api_version, r.kind, r.name));
    }
    out.push_str(&result.message);
    out
}

#[cfg(test)]
mod tests;
