//! `kruise-inject validate`: what Kruise's SidecarSet validating webhook would reject
//! (`validateSidecarSet`), and what a cluster only finds out too late: ConfigMaps and Secrets
//! missing in a namespace that receives a sidecar, SidecarSets that select nothing, sidecars that
//! replace or shadow application containers, and sidecars reading an `emptyDir` nobody writes.
//!
//! The rules are pure functions, one concept a module: [`sidecarset_rules`] (`validateSidecarSet`,
//! with [`fake_pod`] for the Kubernetes pod checks and [`names`] for Kubernetes name syntax),
//! [`whitelist`] (`ValidateSidecarSetPatchMetadataWhitelist`), [`conflicts`]
//! (`validateSidecarConflict`), [`references`], [`lints`]. [`check`] runs them over parsed files;
//! [`run`] reads the files and prints ([`output`]).

pub mod output;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;

use serde_json::Value;

use crate::kruise::cluster::Cluster;
use crate::kruise::controller_revision::ControllerRevision;
use crate::kruise::decode::string_map_at;
use crate::kruise::inject::{self, InjectError};
use crate::kruise::matching::{self, MatchOutcome};
use crate::kruise::pod::PodView;
use crate::kruise::rng::Rng;
use crate::kruise::workload::{group, pod_location};
use crate::pipeline::engine::Reader;
use crate::pipeline::input::Source;
use crate::pipeline::objects::{DocumentError, Object, ParsedFile};

use crate::commands::ExitStatus;
use crate::commands::args::{ContextArgs, FormatArg, OldSidecarSetsArg, QuietArg, WalkArgs};
use crate::kruise::validation::field_error;
use crate::kruise::validation::references::{self, Inventory};
use crate::kruise::validation::whitelist::{self, Whitelist};
use crate::kruise::validation::{lints, update_rules};
use crate::pipeline::admission::{self, Candidate};
use crate::pipeline::finding::{Finding, Severity};
use crate::pipeline::input::Walk;
pub use output::Format;
use std::path::PathBuf;

/// `kruise-inject validate`.
#[derive(Debug, Clone, clap::Args)]
#[command(mut_arg("sidecarsets", |a| a.help(
    "Context: SidecarSets, Namespaces, ControllerRevisions, ConfigMaps and Secrets (file or \
     directory; repeatable). SidecarSets here are validated too; workloads here are not"
)))]
#[command(mut_arg("old_sidecarsets", |a| a.help(
    "The SidecarSets as they are now in the cluster (file or directory; repeatable): a validated \
     SidecarSet of the same name is an UPDATE of it, checked with Kruise's update rules too \
     (sidecar containers cannot be added or renamed, upgradeType and a canary's base cannot \
     change); the others are CREATEs"
)))]
#[command(mut_arg("quiet", |a| a.help("Do not print the summary line on standard error")))]
pub struct ValidateArgs {
    /// Workloads, Pods, SidecarSets, Namespaces, ConfigMaps and Secrets to validate (files or
    /// directories walked for .yaml, .yml and .json in sorted order; `-` is standard input). With no
    /// PATH, standard input is read, as by render; with -s, only when it is not a terminal.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// The context (`-s`, `-n`, `--kruise-namespace`, `--feature-gates`).
    #[command(flatten)]
    pub context: ContextArgs,

    /// `--old-sidecarsets`.
    #[command(flatten)]
    pub old_sidecarsets: OldSidecarSetsArg,

    /// How directories are walked.
    #[command(flatten)]
    pub walk: WalkArgs,

    /// `-o`.
    #[command(flatten)]
    pub output: FormatArg<ValidateFormat>,

    /// Count warnings as errors for the exit code.
    #[arg(long)]
    pub strict: bool,

    /// `-q`.
    #[command(flatten)]
    pub quiet: QuietArg,
}

/// `validate`'s settings: [`ValidateArgs`] resolved.
#[derive(Debug, Clone)]
pub struct ValidateSettings {
    /// PATH.
    pub paths: Vec<PathBuf>,
    /// `-s`.
    pub sidecarsets: Vec<PathBuf>,
    /// `--old-sidecarsets`.
    pub old_sidecarsets: Vec<PathBuf>,
    /// How directories are walked.
    pub walk: Walk,
    /// How to check.
    pub options: Options,
    /// `-o`.
    pub output: ValidateFormat,
    /// `--strict`.
    pub strict: bool,
    /// `-q`.
    pub quiet: bool,
}

impl ValidateArgs {
    /// The settings these arguments ask for; an invalid --exclude pattern is an error.
    pub fn resolve(&self) -> anyhow::Result<ValidateSettings> {
        Ok(ValidateSettings {
            paths: self.paths.clone(),
            sidecarsets: self.context.sidecarsets.clone(),
            old_sidecarsets: self.old_sidecarsets.old_sidecarsets.clone(),
            walk: self.walk.walk()?,
            options: Options {
                default_namespace: self.context.namespace.clone(),
                kruise_namespace: self.context.kruise_namespace.clone(),
                feature_gates: self.context.feature_gates.clone().unwrap_or_default(),
            },
            output: self.output.output,
            strict: self.strict,
            quiet: self.quiet.quiet,
        })
    }
}

/// `validate -o, --output`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ValidateFormat {
    /// `file:line: error: resource: message`, one line per finding.
    #[default]
    Text,
    /// One JSON object: `findings`, `errors`, `warnings`.
    Json,
    /// GitHub Actions workflow commands: `::error file=F,line=L::message`.
    Github,
}

/// How to check.
#[derive(Debug, Clone)]
pub struct Options {
    /// Namespace of documents that have none.
    pub default_namespace: String,
    /// Kruise's namespace.
    pub kruise_namespace: String,
    /// Kruise's feature gates.
    pub feature_gates: crate::kruise::features::FeatureGates,
}

/// Runs `validate`: exit code 0 without errors (warnings alone keep 0 unless `--strict`), 1 with
/// errors; an `Err` (unreadable input) is exit code 2 in `main`.
pub fn run(args: &ValidateArgs) -> anyhow::Result<ExitStatus> {
    let settings = args.resolve()?;
    // No PATH: standard input, as `render` reads it; but with -s on a terminal nobody is piping
    // anything, so only the -s files are validated (rather than waiting for typed input).
    let walk = &settings.walk;
    let mut skipped = Vec::new();
    let sources = if settings.paths.is_empty()
        && !settings.sidecarsets.is_empty()
        && std::io::IsTerminal::is_terminal(&std::io::stdin())
    {
        Vec::new()
    } else {
        let expanded = walk.expand(&settings.paths)?;
        skipped.extend(expanded.skip_lines());
        expanded.sources
    };
    let context_sources = {
        let expanded = walk.expand(&settings.sidecarsets)?;
        skipped.extend(expanded.skip_lines());
        expanded.sources
    };
    if !settings.quiet {
        crate::pipeline::engine::print_reports(&skipped);
    }
    // Each file once; a file given both as PATH and -s counts as PATH.
    let mut order: Vec<(Source, bool)> = Vec::new();
    let mut index: BTreeMap<Source, usize> = BTreeMap::new();
    for (source, is_path) in context_sources
        .into_iter()
        .map(|s| (s, false))
        .chain(sources.into_iter().map(|s| (s, true)))
    {
        let key = match &source {
            Source::File(p) => Source::File(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())),
            Source::Stdin => Source::Stdin,
        };
        match index.get(&key) {
            Some(&i) => order[i].1 |= is_path,
            None => {
                index.insert(key, order.len());
                order.push((source, is_path));
            }
        }
    }
    let mut reader = Reader::default();
    let mut files = Vec::with_capacity(order.len());
    for (source, is_path) in &order {
        let file = reader.read(source).map_err(|e| {
            let all: Vec<Source> = order.iter().map(|(s, _)| s.clone()).collect();
            crate::pipeline::engine::name_broken_files(e, &all)
        })?;
        files.push((file, *is_path));
    }
    let options = &settings.options;
    let mut findings = check(&files, options)?;
    if !settings.old_sidecarsets.is_empty() {
        let old_sources = walk.expand(&settings.old_sidecarsets)?;
        if !settings.quiet {
            crate::pipeline::engine::print_reports(&old_sources.skip_lines());
        }
        let mut reports = Vec::new();
        let old = crate::pipeline::engine::gather_cluster(
            &old_sources.sources,
            &[],
            &options.kruise_namespace,
            &options.feature_gates,
            &mut reader,
            &mut reports,
        )
        .map_err(|e| crate::pipeline::engine::name_broken_files(e, &old_sources.sources))
        .map_err(|e| e.context("reading --old-sidecarsets"))?;
        findings.extend(update_findings(&files, &old.sidecarsets)?);
        sort_findings(&mut findings, &files);
    }
    crate::pipeline::spool::to_stdout(|stdout| {
        stdout.write_all(output::render(&findings, settings.output).as_bytes())
    })?;
    if !settings.quiet {
        eprintln!("validate: {}", output::summary(&findings));
    }
    let (errors, warnings) = output::counts(&findings);
    Ok(ExitStatus::findings_if(
        errors > 0 || (settings.strict && warnings > 0),
    ))
}

struct SidecarSetDoc<'f> {
    object: Object<'f>,
    resource: String,
}

/// Validates parsed files (`true`: a PATH file, whose workloads are checked; `false`: context).
/// Findings come in file order, then line order. An error is returned only for a document that
/// is not a Kubernetes object.
pub fn check(
    files: &[(ParsedFile, bool)],
    options: &Options,
) -> Result<Vec<Finding>, DocumentError> {
    let mut findings = Vec::new();
    let mut sidecarset_docs = Vec::new();
    let mut workloads = Vec::new();
    let mut cluster = Cluster::new(&options.kruise_namespace);
    cluster.feature_gates = options.feature_gates.clone();
    let mut inventory = Inventory::new();
    let mut whitelist = None;
    for (file, is_path) in files {
        for object in file.objects()? {
            let namespace = object
                .namespace()
                .unwrap_or(&options.default_namespace)
                .to_owned();
            match (group(object.api_version()), object.kind()) {
                ("apps.kruise.io", "SidecarSet") => {
                    let resource = admission::resource_name(&object.value);
                    sidecarset_docs.push(SidecarSetDoc { object, resource });
                }
                ("", "Namespace") => match string_map_at(&object.value, "/metadata/labels") {
                    Ok(labels) => cluster.add_namespace(object.name(), labels),
                    Err(e) => findings.push(error_at(
                        &object,
                        &options.default_namespace,
                        "input",
                        format!("metadata.labels: {e}"),
                    )),
                },
                ("apps", "ControllerRevision") => {
                    match ControllerRevision::from_value(&object.value) {
                        Ok(r) => cluster.add_controller_revision(r),
                        Err(e) => findings.push(error_at(
                            &object,
                            &options.default_namespace,
                            "input",
                            e.to_string(),
                        )),
                    }
                }
                ("", kind @ ("ConfigMap" | "Secret")) => {
                    if kind == "ConfigMap"
                        && object.name() == whitelist::CONFIGMAP_NAME
                        && object
                            .namespace()
                            .is_none_or(|ns| ns == options.kruise_namespace)
                    {
                        whitelist = Some(Whitelist::from_configmap(&object.value));
                    }
                    inventory.insert((kind.to_owned(), namespace, object.name().to_owned()));
                }
                _ if *is_path && pod_location(object.api_version(), object.kind()).is_some() => {
                    workloads.push(object);
                }
                _ => {}
            }
        }
    }

    // What the API server and Kruise's validating webhook do with each SidecarSet; the admitted
    // ones join the cluster.
    let candidates: Vec<Candidate<'_>> = sidecarset_docs
        .iter()
        .map(|d| Candidate {
            node: d.object.node,
            value: &d.object.value,
            location: &d.object.location,
        })
        .collect();
    let admission = admission::admit(&candidates, whitelist.as_ref(), &cluster);
    findings.extend(admission.findings);
    let clean = admission.admitted;
    let mut cluster_ok = Cluster::new(&options.kruise_namespace);
    cluster_ok.namespaces = cluster.namespaces.clone();
    cluster_ok.controller_revisions = cluster.controller_revisions.clone();
    cluster_ok.feature_gates = cluster.feature_gates.clone();
    for (_, ss) in &clean {
        let _ = cluster_ok.add_sidecarset(ss.clone());
    }

    // Workloads: what each pod gets, and what it needs.
    let mut selected: BTreeSet<String> = BTreeSet::new();
    let mut rng = Rng::new(0);
    for object in &workloads {
        let resource = object.display_name(&options.default_namespace);
        let mut add = |severity, rule, message: String| {
            findings.push(Finding {
                severity,
                rule,
                location: object.location.clone(),
                resource: resource.clone(),
                message,
            });
        };
        let Some((template, _)) = pod_template(object) else {
            continue;
        };
        let namespace = object.namespace().unwrap_or(&options.default_namespace);
        let (labels, annotations) = match (
            string_map_at(template, "/metadata/labels"),
            string_map_at(template, "/metadata/annotations"),
        ) {
            (Ok(l), Ok(a)) => (l, a),
            (Err(e), _) | (_, Err(e)) => {
                add(
                    Severity::Error,
                    "input",
                    format!("pod labels or annotations: {e}"),
                );
                continue;
            }
        };
        let spec = template.get("spec").unwrap_or(&Value::Null);
        let pod = PodView {
            namespace,
            labels,
            annotations,
            spec,
            active: true,
        };
        let outcome = matching::match_pod(&cluster_ok, &pod, &mut rng);
        if let Some(u) = outcome.as_ref().ok().and_then(MatchOutcome::undecided) {
            add(Severity::Warning, "namespace-unknown", u.to_string());
        }
        let sidecarsets = match outcome {
            Ok(MatchOutcome::Matched { sidecarsets, notes }) => {
                selected.extend(notes.iter().map(|n| n.sidecarset.clone()));
                sidecarsets
            }
            Ok(MatchOutcome::Skipped(_)) => continue,
            Err(e) => {
                add(
                    Severity::Error,
                    "pod-webhook",
                    format!("Kruise's pod webhook rejects the pod: {e}"),
                );
                continue;
            }
        };
        if sidecarsets.is_empty() {
            continue;
        }
        selected.extend(sidecarsets.iter().map(|s| s.name.clone()));
        match inject::inject(
            &pod,
            &sidecarsets,
            "1970-01-01T00:00:00Z",
            &cluster.feature_gates,
        ) {
            Ok(_) => {}
            Err(e @ InjectError::ResourcesPolicy { .. }) if e.is_unknowable() => add(
                Severity::Warning,
                "pod-webhook",
                format!("cannot tell whether Kruise's pod webhook accepts the pod: {e}"),
            ),
            Err(e) => add(
                Severity::Error,
                "pod-webhook",
                format!("Kruise's pod webhook rejects the pod: {e}"),
            ),
        }
        let pod_volumes: BTreeSet<String> = spec
            .get("volumes")
            .and_then(Value::as_array)
            .map(|vs| {
                vs.iter()
                    .filter_map(|v| v.get("name").and_then(Value::as_str).map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        for ss in &sidecarsets {
            for r in references::missing(ss, namespace, &pod_volumes, &inventory) {
                add(
                    Severity::Error,
                    "missing-reference",
                    format!(
                        "SidecarSet {} injects {} that needs {} {}, which is not among the inputs in namespace {namespace}: the pod cannot start. Create {} {} in namespace {namespace} (in every namespace that receives the sidecar), or mark the reference optional: true",
                        ss.name, r.via, r.kind, r.name, r.kind, r.name
                    ),
                );
            }
        }
        for warning in lints::lint(spec, &sidecarsets) {
            add(Severity::Warning, "lint", warning);
        }
    }
    if !workloads.is_empty() {
        for (i, ss) in &clean {
            if !selected.contains(&ss.name) {
                let doc = &sidecarset_docs[*i];
                findings.push(finding(doc, Severity::Warning, "unused-sidecarset", format!(
                    "SidecarSet {} selects none of the {} workloads among the inputs: check spec.selector (and spec.namespaceSelector)",
                    ss.name,
                    workloads.len()
                )));
            }
        }
    }

    sort_findings(&mut findings, files);
    Ok(findings)
}

/// Findings in file order, then line order (stable).
fn sort_findings(findings: &mut [Finding], files: &[(ParsedFile, bool)]) {
    let file_order: BTreeMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(i, (f, _))| (f.name.as_str(), i))
        .collect();
    findings.sort_by_key(|f| {
        (
            file_order
                .get(f.location.file.as_str())
                .copied()
                .unwrap_or(usize::MAX),
            f.location.line,
        )
    });
}

/// The UPDATE rules of Kruise's validating webhook (kruise v1.9
/// `sidecarset_create_update_handler.go`, `validateSidecarSet` with `older` set:
/// `validateSidecarContainerConflict` and `validateSidecarSetCanaryAnnotations`) for every
/// SidecarSet of `files` that has a stored counterpart of the same name in `old`; the others are
/// CREATEs. A SidecarSet that does not decode has its CREATE errors already.
pub fn update_findings(
    files: &[(ParsedFile, bool)],
    old: &[crate::kruise::sidecarset::SidecarSet],
) -> Result<Vec<Finding>, DocumentError> {
    let mut findings = Vec::new();
    for (file, _) in files {
        for object in file.objects()? {
            if (group(object.api_version()), object.kind()) != ("apps.kruise.io", "SidecarSet") {
                continue;
            }
            let Some(stored) = old.iter().find(|s| s.name == object.name()) else {
                continue;
            };
            let Ok(new) = crate::kruise::sidecarset::SidecarSet::from_value(&object.value) else {
                continue;
            };
            for e in update_rules::validate_update(&new, stored) {
                let path = match &e.value {
                    _ if e.path == "metadata" => format!(
                        "metadata.annotations.{}",
                        crate::kruise::sidecarset::CANARY_BASE_ANNOTATION
                    ),
                    Some(field_error::BadValue::Str(name)) => {
                        let index = object
                            .value
                            .pointer("/spec/containers")
                            .and_then(Value::as_array)
                            .and_then(|cs| {
                                cs.iter().position(|c| {
                                    c.get("name").and_then(Value::as_str) == Some(name)
                                })
                            })
                            .unwrap_or(0);
                        let field = e.path.strip_prefix("spec.containers.").unwrap_or("name");
                        format!("spec.containers[{index}].{field}")
                    }
                    _ => e.path.clone(),
                };
                findings.push(Finding {
                    severity: Severity::Error,
                    rule: "kruise-webhook-update",
                    location: crate::pipeline::objects::Location {
                        line: admission::line_of(object.node, &path)
                            .unwrap_or(object.location.line),
                        ..object.location.clone()
                    },
                    resource: admission::resource_name(&object.value),
                    message: format!(
                        "{e}; Kruise rejects this update; {}",
                        update_rules::advice(&e)
                    ),
                });
            }
        }
    }
    Ok(findings)
}

fn pod_template<'v>(object: &'v Object<'_>) -> Option<(&'v Value, ())> {
    let path =
        pod_location(object.api_version(), object.kind())?.path(|p| object.node.at(p).is_some());
    let value = path.iter().try_fold(&object.value, |v, k| v.get(k))?;
    Some((value, ()))
}

fn error_at(
    object: &Object<'_>,
    default_namespace: &str,
    rule: &'static str,
    message: String,
) -> Finding {
    Finding {
        severity: Severity::Error,
        rule,
        location: object.location.clone(),
        resource: object.display_name(default_namespace),
        message,
    }
}

fn finding(
    doc: &SidecarSetDoc<'_>,
    severity: Severity,
    rule: &'static str,
    message: String,
) -> Finding {
    Finding {
        severity,
        rule,
        location: doc.object.location.clone(),
        resource: doc.resource.clone(),
        message,
    }
}

#[cfg(test)]
mod tests;
