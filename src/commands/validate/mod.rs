//! `kruise-inject validate`: what Kruise's SidecarSet validating webhook would reject (semantics §8),
//! and what a cluster only finds out too late: ConfigMaps and Secrets missing in a namespace that
//! receives a sidecar, SidecarSets that select nothing, sidecars that replace or shadow application
//! containers, and sidecars reading an `emptyDir` nobody writes.
//!
//! The rules are pure functions of [`crate::kruise::validation`]; [`Validator`] runs them over the
//! input files as they stream by, in two passes as `render` reads (memory holds one file at a
//! time, the SidecarSets, and the findings): the first reads the context (SidecarSets,
//! Namespaces, ControllerRevisions, `kruise-configuration`) from the files whose text names one of
//! them, and admits the SidecarSets; the second reads every file once more and checks each
//! workload as it comes, keeping only the ConfigMaps and Secrets it sees (names) and the findings,
//! grouped ([`findings`]). A reference to a ConfigMap or Secret is decided at the end, when every
//! file has been read. [`run`] reads the files and prints ([`output`]).

pub mod findings;
pub mod output;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::rc::Rc;

use kruise_inject_yaml::tree::Node;
use serde_json::Value;

use crate::kruise::cluster::Cluster;
use crate::kruise::controller_revision::ControllerRevision;
use crate::kruise::decode::string_map_at;
use crate::kruise::inject::{self, InjectError};
use crate::kruise::matching::{self, MatchOutcome};
use crate::kruise::pod::PodView;
use crate::kruise::rng::Rng;
use crate::kruise::sidecarset::SidecarSet;
use crate::kruise::workload::{group, pod_location};
use crate::pipeline::engine::{self, Reader};
use crate::pipeline::input::Source;
use crate::pipeline::objects::{DocumentError, Location, Object, ParsedFile};

use crate::commands::args::WalkArgs;
use crate::kruise::validation::field_error;
use crate::kruise::validation::references::{self, Inventory};
use crate::kruise::validation::whitelist::{self, Whitelist};
use crate::kruise::validation::{lints, update_rules};
use crate::pipeline::admission::{self, Candidate};
use crate::pipeline::finding::{Finding, Rule, Severity};
use findings::{Collector, Findings};
pub use output::Format;
use std::path::PathBuf;

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
    /// `file:line: error: resource: message`, one line per finding (found on several objects: how
    /// many, and the first 3).
    Text,
    /// One JSON object: `findings` (each with `count` and every location), `errors`, `warnings`.
    Json,
    /// GitHub Actions workflow commands, one per finding: `::error file=F,line=L::message`.
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
pub fn run(args: &ValidateArgs) -> anyhow::Result<u8> {
    // No PATH: standard input, as `render` reads it; but with -s on a terminal nobody is piping
    // anything, so only the -s files are validated (rather than waiting for typed input).
    let walk = args.walk.walk()?;
    let mut skipped = Vec::new();
    let sources = if args.paths.is_empty()
        && !args.sidecarsets.is_empty()
        && std::io::IsTerminal::is_terminal(&std::io::stdin())
    {
        Vec::new()
    } else {
        let expanded = walk.expand(&args.paths)?;
        skipped.extend(expanded.skip_lines());
        expanded.sources
    };
    let context_sources = {
        let expanded = walk.expand(&args.sidecarsets)?;
        skipped.extend(expanded.skip_lines());
        expanded.sources
    };
    if !args.quiet {
        engine::print_reports(&skipped);
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
    let options = Options {
        default_namespace: args.namespace.clone(),
        kruise_namespace: args.kruise_namespace.clone(),
        feature_gates: args.feature_gates.clone().unwrap_or_default(),
    };
    let all: Vec<Source> = order.iter().map(|(s, _)| s.clone()).collect();
    let broken = |e: anyhow::Error| engine::name_broken_files(e, &all);
    let mut reader = Reader::default();
    let mut validator = Validator::new(&options, all.iter().map(ToString::to_string));
    // First pass: the context, from the files whose text names a kind of it.
    for source in &all {
        let text = reader.read_text(source).map_err(broken)?;
        if !engine::may_hold_context(&text) {
            continue;
        }
        let file = ParsedFile::parse(source.to_string(), text).map_err(|e| broken(e.into()))?;
        validator
            .read_context(&file)
            .map_err(|e| broken(e.into()))?;
    }
    validator.admit();
    // Second pass: every file, one at a time.
    for (source, is_path) in &order {
        let file = reader.read(source).map_err(broken)?;
        validator
            .check_file(&file, *is_path)
            .map_err(|e| broken(e.into()))?;
    }
    if !args.old_sidecarsets.is_empty() {
        let old_sources = walk.expand(&args.old_sidecarsets)?;
        if !args.quiet {
            engine::print_reports(&old_sources.skip_lines());
        }
        let mut reports = Vec::new();
        let old = engine::gather_cluster(
            &old_sources.sources,
            &[],
            &options.kruise_namespace,
            &options.feature_gates,
            &mut reader,
            &mut reports,
        )
        .map_err(|e| engine::name_broken_files(e, &old_sources.sources))
        .map_err(|e| e.context("reading --old-sidecarsets"))?;
        validator.check_updates(&old.sidecarsets);
    }
    let findings = validator.finish();
    crate::pipeline::spool::to_stdout(|stdout| {
        let mut out = std::io::BufWriter::new(stdout);
        output::write(&findings, args.output, &mut out)?;
        out.flush()
    })?;
    if !args.quiet {
        eprintln!("validate: {}", output::summary(&findings));
    }
    let (errors, warnings) = findings.counts();
    Ok(u8::from(errors > 0 || (args.strict && warnings > 0)))
}

/// A SidecarSet of the inputs, kept from the first pass to the end.
#[derive(Debug)]
struct SidecarSetDoc {
    node: Node,
    value: Value,
    location: Location,
    resource: String,
}

/// Validates files as they stream by (module documentation): [`Validator::read_context`] for every
/// file that may hold context, [`Validator::admit`], [`Validator::check_file`] for every file,
/// then optionally [`Validator::check_updates`], and [`Validator::finish`].
#[derive(Debug)]
pub struct Validator {
    options: Options,
    /// Namespaces and ControllerRevisions of the inputs (and the feature gates).
    cluster: Cluster,
    /// The SidecarSets of the inputs.
    sidecarsets: Vec<SidecarSetDoc>,
    whitelist: Option<Whitelist>,
    /// `cluster` with the admitted SidecarSets, and their indices in `sidecarsets`.
    cluster_ok: Cluster,
    admitted: Vec<(usize, SidecarSet)>,
    /// The ConfigMaps and Secrets of the inputs.
    inventory: Inventory,
    /// Workloads checked, and the SidecarSets that selected one of them.
    workloads: usize,
    selected: BTreeSet<String>,
    rng: Rng,
    findings: Collector,
}

impl Validator {
    /// A validator of the files named `files` (in input order: findings come in that order).
    pub fn new(options: &Options, files: impl IntoIterator<Item = String>) -> Self {
        let mut cluster = Cluster::new(&options.kruise_namespace);
        cluster.feature_gates = options.feature_gates.clone();
        Validator {
            options: options.clone(),
            cluster_ok: Cluster::new(&options.kruise_namespace),
            cluster,
            sidecarsets: Vec::new(),
            whitelist: None,
            admitted: Vec::new(),
            inventory: Inventory::new(),
            workloads: 0,
            selected: BTreeSet::new(),
            rng: Rng::new(0),
            findings: Collector::new(files),
        }
    }

    /// First pass: the SidecarSets, Namespaces, ControllerRevisions and the `kruise-configuration`
    /// ConfigMap of `file`. An error only for a document that is not a Kubernetes object.
    pub fn read_context(&mut self, file: &ParsedFile) -> Result<(), DocumentError> {
        for object in file.objects()? {
            match (group(object.api_version()), object.kind()) {
                ("apps.kruise.io", "SidecarSet") => {
                    let resource = admission::resource_name(&object.value);
                    self.sidecarsets.push(SidecarSetDoc {
                        node: object.node.clone(),
                        location: object.location,
                        value: object.value,
                        resource,
                    });
                }
                ("", "Namespace") => match string_map_at(&object.value, "/metadata/labels") {
                    Ok(labels) => self.cluster.add_namespace(object.name(), labels),
                    Err(e) => self.findings.push(self.error_at(
                        &object,
                        Rule::Input,
                        format!("metadata.labels: {e}"),
                    )),
                },
                ("apps", "ControllerRevision") => {
                    match ControllerRevision::from_value(&object.value) {
                        Ok(r) => self.cluster.add_controller_revision(r),
                        Err(e) => {
                            self.findings
                                .push(self.error_at(&object, Rule::Input, e.to_string()))
                        }
                    }
                }
                ("", "ConfigMap")
                    if object.name() == whitelist::CONFIGMAP_NAME
                        && object
                            .namespace()
                            .is_none_or(|ns| ns == self.options.kruise_namespace) =>
                {
                    self.whitelist = Some(Whitelist::from_configmap(&object.value));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// What the API server and Kruise's validating webhook do with each SidecarSet (§8); the
    /// admitted ones join the cluster the workloads are checked against.
    pub fn admit(&mut self) {
        let candidates: Vec<Candidate<'_>> = self
            .sidecarsets
            .iter()
            .map(|d| Candidate {
                node: &d.node,
                value: &d.value,
                location: &d.location,
            })
            .collect();
        let admission = admission::admit(&candidates, self.whitelist.as_ref(), &self.cluster);
        for f in admission.findings {
            self.findings.push(f);
        }
        let mut cluster_ok = Cluster::new(&self.options.kruise_namespace);
        cluster_ok.namespaces = self.cluster.namespaces.clone();
        cluster_ok.controller_revisions = self.cluster.controller_revisions.clone();
        cluster_ok.feature_gates = self.cluster.feature_gates.clone();
        for (_, ss) in &admission.admitted {
            let _ = cluster_ok.add_sidecarset(ss.clone());
        }
        self.cluster_ok = cluster_ok;
        self.admitted = admission.admitted;
    }

    /// Second pass: the ConfigMaps and Secrets of `file` and, when it is a PATH file (`is_path`),
    /// its workloads. An error only for a document that is not a Kubernetes object.
    pub fn check_file(&mut self, file: &ParsedFile, is_path: bool) -> Result<(), DocumentError> {
        for object in file.objects()? {
            match (group(object.api_version()), object.kind()) {
                ("", kind @ ("ConfigMap" | "Secret")) => {
                    let namespace = object
                        .namespace()
                        .unwrap_or(&self.options.default_namespace)
                        .to_owned();
                    self.inventory
                        .insert((kind.to_owned(), namespace, object.name().to_owned()));
                }
                _ if is_path && pod_location(object.api_version(), object.kind()).is_some() => {
                    self.workloads += 1;
                    self.check_workload(&object);
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// What a workload's pods get, and what they need.
    fn check_workload(&mut self, object: &Object<'_>) {
        let resource: Rc<str> = Rc::from(object.display_name(&self.options.default_namespace));
        let findings = &mut self.findings;
        let mut add = |severity, rule, message: String| {
            findings.push_at(severity, rule, &object.location, &resource, message);
        };
        let Some(template) = pod_template(object) else {
            return;
        };
        let namespace = object
            .namespace()
            .unwrap_or(&self.options.default_namespace);
        let (labels, annotations) = match (
            string_map_at(template, "/metadata/labels"),
            string_map_at(template, "/metadata/annotations"),
        ) {
            (Ok(l), Ok(a)) => (l, a),
            (Err(e), _) | (_, Err(e)) => {
                add(
                    Severity::Error,
                    Rule::Input,
                    format!("pod labels or annotations: {e}"),
                );
                return;
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
        let outcome = matching::match_pod(&self.cluster_ok, &pod, &mut self.rng);
        if let Some(u) = outcome.as_ref().ok().and_then(MatchOutcome::undecided) {
            add(Severity::Warning, Rule::NamespaceUnknown, u.to_string());
        }
        let sidecarsets = match outcome {
            Ok(MatchOutcome::Matched { sidecarsets, notes }) => {
                self.selected
                    .extend(notes.iter().map(|n| n.sidecarset.clone()));
                sidecarsets
            }
            Ok(MatchOutcome::Skipped(_)) => return,
            Err(e) => {
                add(
                    Severity::Error,
                    Rule::PodWebhook,
                    format!("Kruise's pod webhook rejects the pod: {e}"),
                );
                return;
            }
        };
        if sidecarsets.is_empty() {
            return;
        }
        self.selected
            .extend(sidecarsets.iter().map(|s| s.name.clone()));
        match inject::inject(
            &pod,
            &sidecarsets,
            "1970-01-01T00:00:00Z",
            &self.cluster.feature_gates,
        ) {
            Ok(_) => {}
            Err(e @ InjectError::ResourcesPolicy { .. }) if e.is_unknowable() => add(
                Severity::Warning,
                Rule::PodWebhook,
                format!("cannot tell whether Kruise's pod webhook accepts the pod: {e}"),
            ),
            Err(e) => add(
                Severity::Error,
                Rule::PodWebhook,
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
        // Whether the ConfigMaps and Secrets are among the inputs is known once every file is
        // read: the finding is dropped then if it is.
        for ss in &sidecarsets {
            for r in references::needed(ss, &pod_volumes) {
                self.findings.push_unless_present(
                    (r.kind.to_owned(), namespace.to_owned(), r.name.clone()),
                    Severity::Error,
                    Rule::MissingReference,
                    &object.location,
                    &resource,
                    format!(
                        "SidecarSet {} injects {} that needs {} {}, which is not among the inputs in namespace {namespace}: the pod cannot start. Create {} {} in namespace {namespace} (in every namespace that receives the sidecar), or mark the reference optional: true",
                        ss.name, r.via, r.kind, r.name, r.kind, r.name
                    ),
                );
            }
        }
        for warning in lints::lint(spec, &sidecarsets) {
            self.findings.push_at(
                Severity::Warning,
                Rule::Lint,
                &object.location,
                &resource,
                warning,
            );
        }
    }

    /// The UPDATE rules of Kruise's validating webhook (kruise v1.9
    /// `sidecarset_create_update_handler.go`, `validateSidecarSet` with `older` set:
    /// `validateSidecarContainerConflict` and `validateSidecarSetCanaryAnnotations`) for every
    /// SidecarSet of the inputs that has a stored counterpart of the same name in `old`; the
    /// others are CREATEs. A SidecarSet that does not decode has its CREATE errors already.
    pub fn check_updates(&mut self, old: &[SidecarSet]) {
        for doc in &self.sidecarsets {
            let name = doc
                .value
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            let Some(stored) = old.iter().find(|s| s.name == name) else {
                continue;
            };
            let Ok(new) = SidecarSet::from_value(&doc.value) else {
                continue;
            };
            for e in update_rules::validate_update(&new, stored) {
                let path = match &e.value {
                    _ if e.path == "metadata" => format!(
                        "metadata.annotations.{}",
                        crate::kruise::sidecarset::CANARY_BASE_ANNOTATION
                    ),
                    Some(field_error::BadValue::Str(name)) => {
                        let index = doc
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
                self.findings.push(Finding {
                    severity: Severity::Error,
                    rule: Rule::KruiseWebhookUpdate,
                    location: Location {
                        line: admission::line_of(&doc.node, &path).unwrap_or(doc.location.line),
                        ..doc.location.clone()
                    },
                    resource: doc.resource.clone(),
                    message: format!(
                        "{e}; Kruise rejects this update; {}",
                        update_rules::advice(&e)
                    ),
                });
            }
        }
    }

    /// The findings: the SidecarSets that selected no workload, and the references to ConfigMaps
    /// and Secrets that are not among the inputs.
    pub fn finish(mut self) -> Findings {
        if self.workloads > 0 {
            for (i, ss) in &self.admitted {
                if !self.selected.contains(&ss.name) {
                    let doc = &self.sidecarsets[*i];
                    self.findings.push(Finding {
                        severity: Severity::Warning,
                        rule: Rule::UnusedSidecarset,
                        location: doc.location.clone(),
                        resource: doc.resource.clone(),
                        message: format!(
                            "SidecarSet {} selects none of the {} workloads among the inputs: check spec.selector (and spec.namespaceSelector)",
                            ss.name, self.workloads
                        ),
                    });
                }
            }
        }
        let inventory = self.inventory;
        self.findings.finish(|key| inventory.contains(key))
    }

    fn error_at(&self, object: &Object<'_>, rule: Rule, message: String) -> Finding {
        Finding {
            severity: Severity::Error,
            rule,
            location: object.location.clone(),
            resource: object.display_name(&self.options.default_namespace),
            message,
        }
    }
}

/// Validates parsed files (`true`: a PATH file, whose workloads are checked; `false`: context),
/// every finding on its own, in file order, then line order. An error is returned only for a document that is not a Kubernetes
/// object.
pub fn check(
    files: &[(ParsedFile, bool)],
    options: &Options,
) -> Result<Vec<Finding>, DocumentError> {
    let mut validator = Validator::new(options, files.iter().map(|(f, _)| f.name.clone()));
    for (file, _) in files {
        validator.read_context(file)?;
    }
    validator.admit();
    for (file, is_path) in files {
        validator.check_file(file, *is_path)?;
    }
    Ok(validator.finish().flat())
}

/// The pod template of a workload (the object itself for a Pod).
fn pod_template<'v>(object: &'v Object<'_>) -> Option<&'v Value> {
    let path =
        pod_location(object.api_version(), object.kind())?.path(|p| object.node.at(p).is_some());
    path.iter().try_fold(&object.value, |v, k| v.get(k))
}

#[cfg(test)]
mod tests;
