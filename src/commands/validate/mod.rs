//! `kruise-inject validate`: what Kruise's SidecarSet validating webhook would reject
//! (`validateSidecarSet`), and what a cluster only finds out too late: ConfigMaps and Secrets
//! missing in a namespace that receives a sidecar, SidecarSets that select nothing, sidecars that
//! replace or shadow application containers, and sidecars reading an `emptyDir` nobody writes.
//!
//! The rules are pure functions of [`crate::kruise::validation`]; [`Validator`] runs them over the
//! input files as they stream by, in two passes as `render` reads (memory holds a few files at a
//! time, the SidecarSets, and the findings): the first reads the context (SidecarSets,
//! Namespaces, ControllerRevisions, `kruise-configuration`) from the files whose text names one of
//! them, and admits the SidecarSets; the second reads every file once more, on render's threads
//! ([`engine::render_stream`]), checks its workloads and drops it, keeping only the names of the
//! ConfigMaps and Secrets it saw and the findings, grouped ([`findings`]) in input order. Whether
//! a referenced ConfigMap or Secret is among the inputs is decided at the end, when every file has
//! been read. [`run`] reads the files and prints ([`output`]).

pub mod findings;
pub mod output;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::Write as _;

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

use crate::commands::ExitStatus;
use crate::commands::args::{ContextArgs, FormatArg, OldSidecarSetsArg, QuietArg, WalkArgs};
use crate::kruise::validation::field_error;
use crate::kruise::validation::references::{self, Inventory};
use crate::kruise::validation::whitelist::{self, Whitelist};
use crate::kruise::validation::{lints, update_rules};
use crate::pipeline::admission::{self, Candidate};
use crate::pipeline::finding::{Finding, Rule, Severity};
use crate::pipeline::input::Walk;
use findings::{Collector, Findings, ObjectKey};
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
    /// `file:line: error: resource: message`, one line per finding (found on several objects: how
    /// many, and the first 3).
    #[default]
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
    let options = &settings.options;
    let all: Vec<Source> = order.iter().map(|(s, _)| s.clone()).collect();
    let broken = |e: anyhow::Error| engine::name_broken_files(e, &all);
    let mut reader = Reader::default();
    let mut validator = Validator::new(options, all.iter().map(ToString::to_string));
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
    // Second pass: every file, a few at a time.
    let paths: HashSet<String> = order
        .iter()
        .filter(|(_, is_path)| *is_path)
        .map(|(s, _)| s.to_string())
        .collect();
    validator
        .check_stream(&all, &paths, &mut reader)
        .map_err(broken)?;
    if !settings.old_sidecarsets.is_empty() {
        let old_sources = walk.expand(&settings.old_sidecarsets)?;
        if !settings.quiet {
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
        output::write(&findings, settings.output, &mut out)?;
        out.flush()
    })?;
    if !settings.quiet {
        eprintln!("validate: {}", output::summary(&findings));
    }
    let (errors, warnings) = findings.counts();
    Ok(ExitStatus::findings_if(
        errors > 0 || (settings.strict && warnings > 0),
    ))
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
/// file that may hold context, [`Validator::admit`], [`Validator::check_stream`] over every file,
/// then optionally [`Validator::check_updates`], and [`Validator::finish`].
#[derive(Debug)]
pub struct Validator {
    context: Context,
    results: Results,
}

/// What the second pass checks workloads against: fixed once the SidecarSets are admitted, shared
/// by the threads of the second pass.
#[derive(Debug)]
struct Context {
    options: Options,
    /// Namespaces and ControllerRevisions of the inputs (and the feature gates).
    cluster: Cluster,
    /// The SidecarSets of the inputs.
    sidecarsets: Vec<SidecarSetDoc>,
    whitelist: Option<Whitelist>,
    /// `cluster` with the admitted SidecarSets, and their indices in `sidecarsets`.
    cluster_ok: Cluster,
    admitted: Vec<(usize, SidecarSet)>,
}

/// What the second pass gathers, file after file in input order.
#[derive(Debug)]
struct Results {
    /// The ConfigMaps and Secrets of the inputs.
    inventory: Inventory,
    /// Workloads checked, and the SidecarSets that selected one of them.
    workloads: usize,
    selected: BTreeSet<String>,
    findings: Collector,
}

/// What the second pass finds in one file.
#[derive(Debug, Default)]
pub struct FileReport {
    /// Its ConfigMaps and Secrets.
    objects: Vec<ObjectKey>,
    /// Its workloads checked (in a PATH file).
    workloads: usize,
    /// The SidecarSets that selected one of them.
    selected: BTreeSet<String>,
    /// Its findings, each with the ConfigMap or Secret whose presence among the inputs cancels it.
    findings: Vec<(Finding, Option<ObjectKey>)>,
}

impl Validator {
    /// A validator of the files named `files` (in input order: findings come in that order).
    pub fn new(options: &Options, files: impl IntoIterator<Item = String>) -> Self {
        let mut cluster = Cluster::new(&options.kruise_namespace);
        cluster.feature_gates = options.feature_gates.clone();
        Validator {
            context: Context {
                options: options.clone(),
                cluster_ok: Cluster::new(&options.kruise_namespace),
                cluster,
                sidecarsets: Vec::new(),
                whitelist: None,
                admitted: Vec::new(),
            },
            results: Results {
                inventory: Inventory::new(),
                workloads: 0,
                selected: BTreeSet::new(),
                findings: Collector::new(files),
            },
        }
    }

    /// First pass: the SidecarSets, Namespaces, ControllerRevisions and the `kruise-configuration`
    /// ConfigMap of `file`. An error only for a document that is not a Kubernetes object.
    pub fn read_context(&mut self, file: &ParsedFile) -> Result<(), DocumentError> {
        let context = &mut self.context;
        let findings = &mut self.results.findings;
        for object in file.objects()? {
            match (group(object.api_version()), object.kind()) {
                ("apps.kruise.io", "SidecarSet") => {
                    let resource = admission::resource_name(&object.value);
                    context.sidecarsets.push(SidecarSetDoc {
                        node: object.node.clone(),
                        location: object.location,
                        value: object.value,
                        resource,
                    });
                }
                ("", "Namespace") => match string_map_at(&object.value, "/metadata/labels") {
                    Ok(labels) => context.cluster.add_namespace(object.name(), labels),
                    Err(e) => findings.push(error_at(
                        &object,
                        &context.options,
                        Rule::Input,
                        format!("metadata.labels: {e}"),
                    )),
                },
                ("apps", "ControllerRevision") => {
                    match ControllerRevision::from_value(&object.value) {
                        Ok(r) => context.cluster.add_controller_revision(r),
                        Err(e) => findings.push(error_at(
                            &object,
                            &context.options,
                            Rule::Input,
                            e.to_string(),
                        )),
                    }
                }
                ("", "ConfigMap")
                    if object.name() == whitelist::CONFIGMAP_NAME
                        && object
                            .namespace()
                            .is_none_or(|ns| ns == context.options.kruise_namespace) =>
                {
                    context.whitelist = Some(Whitelist::from_configmap(&object.value));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// What the API server and Kruise's validating webhook do with each SidecarSet; the admitted ones
    /// join the cluster the workloads are checked against.
    pub fn admit(&mut self) {
        let context = &mut self.context;
        let candidates: Vec<Candidate<'_>> = context
            .sidecarsets
            .iter()
            .map(|d| Candidate {
                node: &d.node,
                value: &d.value,
                location: &d.location,
            })
            .collect();
        let admission = admission::admit(&candidates, context.whitelist.as_ref(), &context.cluster);
        for f in admission.findings {
            self.results.findings.push(f);
        }
        let mut cluster_ok = Cluster::new(&context.options.kruise_namespace);
        cluster_ok.namespaces = context.cluster.namespaces.clone();
        cluster_ok.controller_revisions = context.cluster.controller_revisions.clone();
        cluster_ok.feature_gates = context.cluster.feature_gates.clone();
        for (_, ss) in &admission.admitted {
            let _ = cluster_ok.add_sidecarset(ss.clone());
        }
        context.cluster_ok = cluster_ok;
        context.admitted = admission.admitted;
    }

    /// Second pass: reads `sources` (through `reader` when they can be read only once) and checks
    /// them, on as many threads as `render` would use ([`engine::render_stream`]: a few files in
    /// flight, the results taken in input order; one thread when a `Partial` revision policy
    /// draws). The workloads of the files named in `paths` are checked; of the others, only the
    /// ConfigMaps and Secrets count.
    pub fn check_stream(
        &mut self,
        sources: &[Source],
        paths: &HashSet<String>,
        reader: &mut Reader,
    ) -> anyhow::Result<()> {
        let context = &self.context;
        let results = &mut self.results;
        let workers = engine::workers(&context.cluster_ok, sources);
        engine::render_stream(
            sources,
            reader,
            workers,
            |_| {
                let mut checker = Checker::new(context);
                move |file: &ParsedFile| checker.check_file(file, paths.contains(&file.name))
            },
            &mut |_, report| {
                results.absorb(report);
                Ok(())
            },
        )
    }

    /// The UPDATE rules of Kruise's validating webhook (kruise v1.9
    /// `sidecarset_create_update_handler.go`, `validateSidecarSet` with `older` set:
    /// `validateSidecarContainerConflict` and `validateSidecarSetCanaryAnnotations`) for every
    /// SidecarSet of the inputs that has a stored counterpart of the same name in `old`; the
    /// others are CREATEs. A SidecarSet that does not decode has its CREATE errors already.
    pub fn check_updates(&mut self, old: &[SidecarSet]) {
        for doc in &self.context.sidecarsets {
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
                self.results.findings.push(Finding {
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

    /// The findings: with the SidecarSets that selected no workload, and without the references
    /// to ConfigMaps and Secrets that turned out to be among the inputs.
    pub fn finish(self) -> Findings {
        let Validator {
            context,
            mut results,
        } = self;
        if results.workloads > 0 {
            for (i, ss) in &context.admitted {
                if !results.selected.contains(&ss.name) {
                    let doc = &context.sidecarsets[*i];
                    results.findings.push(Finding {
                        severity: Severity::Warning,
                        rule: Rule::UnusedSidecarset,
                        location: doc.location.clone(),
                        resource: doc.resource.clone(),
                        message: format!(
                            "SidecarSet {} selects none of the {} workloads among the inputs: check spec.selector (and spec.namespaceSelector)",
                            ss.name, results.workloads
                        ),
                    });
                }
            }
        }
        let inventory = results.inventory;
        results.findings.finish(|key| inventory.contains(key))
    }
}

impl Results {
    /// Takes in what the second pass found in a file (files in input order).
    fn absorb(&mut self, report: FileReport) {
        self.inventory.extend(report.objects);
        self.workloads += report.workloads;
        self.selected.extend(report.selected);
        for (finding, unless_present) in report.findings {
            match unless_present {
                None => self.findings.push(finding),
                Some(object) => self.findings.push_unless_present(object, finding),
            }
        }
    }
}

/// Checks the files of the second pass (one checker per thread).
struct Checker<'c> {
    context: &'c Context,
    /// The draws of `Partial` revision policies, file after file (one thread then).
    rng: Rng,
}

impl<'c> Checker<'c> {
    fn new(context: &'c Context) -> Self {
        Checker {
            context,
            rng: Rng::new(0),
        }
    }

    /// The ConfigMaps and Secrets of `file` and, when it is a PATH file (`is_path`), its
    /// workloads' findings. An error only for a document that is not a Kubernetes object.
    fn check_file(
        &mut self,
        file: &ParsedFile,
        is_path: bool,
    ) -> Result<FileReport, DocumentError> {
        let mut report = FileReport::default();
        for object in file.objects()? {
            match (group(object.api_version()), object.kind()) {
                ("", kind @ ("ConfigMap" | "Secret")) => {
                    let namespace = object
                        .namespace()
                        .unwrap_or(&self.context.options.default_namespace)
                        .to_owned();
                    report
                        .objects
                        .push((kind.to_owned(), namespace, object.name().to_owned()));
                }
                _ if is_path && pod_location(object.api_version(), object.kind()).is_some() => {
                    report.workloads += 1;
                    self.check_workload(&object, &mut report);
                }
                _ => {}
            }
            // The first pass skipped this file (its text names no context kind literally: escaped
            // in a JSON or double-quoted string), so a context object in it was not read: say so.
            if is_context(&object) && !engine::may_hold_context(&file.text) {
                report.findings.push((
                    error_at(
                        &object,
                        &self.context.options,
                        Rule::Input,
                        "not read as context: kruise-inject finds SidecarSets, Namespaces, ControllerRevisions and kruise-configuration by their names in the text, and this file spells them with escapes; write the kind and name without escapes".to_owned(),
                    ),
                    None,
                ));
            }
        }
        Ok(report)
    }

    /// What a workload's pods get, and what they need.
    fn check_workload(&mut self, object: &Object<'_>, report: &mut FileReport) {
        let context = self.context;
        let options = &context.options;
        let resource = object.display_name(&options.default_namespace);
        let finding = |severity, rule, message: String| Finding {
            severity,
            rule,
            location: object.location.clone(),
            resource: resource.clone(),
            message,
        };
        let Some(template) = pod_template(object) else {
            return;
        };
        let namespace = object.namespace().unwrap_or(&options.default_namespace);
        let (labels, annotations) = match (
            string_map_at(template, "/metadata/labels"),
            string_map_at(template, "/metadata/annotations"),
        ) {
            (Ok(l), Ok(a)) => (l, a),
            (Err(e), _) | (_, Err(e)) => {
                report.findings.push((
                    finding(
                        Severity::Error,
                        Rule::Input,
                        format!("pod labels or annotations: {e}"),
                    ),
                    None,
                ));
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
        let outcome = matching::match_pod(&context.cluster_ok, &pod, &mut self.rng);
        if let Some(u) = outcome.as_ref().ok().and_then(MatchOutcome::undecided) {
            report.findings.push((
                finding(Severity::Warning, Rule::NamespaceUnknown, u.to_string()),
                None,
            ));
        }
        let sidecarsets = match outcome {
            Ok(MatchOutcome::Matched { sidecarsets, notes }) => {
                report
                    .selected
                    .extend(notes.iter().map(|n| n.sidecarset.clone()));
                sidecarsets
            }
            Ok(MatchOutcome::Skipped(_)) => return,
            Err(e) => {
                report.findings.push((
                    finding(
                        Severity::Error,
                        Rule::PodWebhook,
                        format!("Kruise's pod webhook rejects the pod: {e}"),
                    ),
                    None,
                ));
                return;
            }
        };
        if sidecarsets.is_empty() {
            return;
        }
        report
            .selected
            .extend(sidecarsets.iter().map(|s| s.name.clone()));
        let rejected = match inject::inject(
            &pod,
            &sidecarsets,
            "1970-01-01T00:00:00Z",
            &context.cluster.feature_gates,
        ) {
            Ok(_) => None,
            Err(e @ InjectError::ResourcesPolicy { .. }) if e.is_unknowable() => Some(finding(
                Severity::Warning,
                Rule::PodWebhook,
                format!("cannot tell whether Kruise's pod webhook accepts the pod: {e}"),
            )),
            Err(e) => Some(finding(
                Severity::Error,
                Rule::PodWebhook,
                format!("Kruise's pod webhook rejects the pod: {e}"),
            )),
        };
        report.findings.extend(rejected.map(|f| (f, None)));
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
                report.findings.push((
                    finding(
                        Severity::Error,
                        Rule::MissingReference,
                        format!(
                            "SidecarSet {} injects {} that needs {} {}, which is not among the inputs in namespace {namespace}: the pod cannot start. Create {} {} in namespace {namespace} (in every namespace that receives the sidecar), or mark the reference optional: true",
                            ss.name, r.via, r.kind, r.name, r.kind, r.name
                        ),
                    ),
                    Some((r.kind.to_owned(), namespace.to_owned(), r.name.clone())),
                ));
            }
        }
        for warning in lints::lint(spec, &sidecarsets) {
            report
                .findings
                .push((finding(Severity::Warning, Rule::Lint, warning), None));
        }
    }
}

/// Whether the first pass reads `object` ([`Validator::read_context`]).
fn is_context(object: &Object<'_>) -> bool {
    match (group(object.api_version()), object.kind()) {
        ("apps.kruise.io", "SidecarSet") | ("", "Namespace") | ("apps", "ControllerRevision") => {
            true
        }
        ("", "ConfigMap") => object.name() == whitelist::CONFIGMAP_NAME,
        _ => false,
    }
}

fn error_at(object: &Object<'_>, options: &Options, rule: Rule, message: String) -> Finding {
    Finding {
        severity: Severity::Error,
        rule,
        location: object.location.clone(),
        resource: object.display_name(&options.default_namespace),
        message,
    }
}

/// Validates parsed files (`true`: a PATH file, whose workloads are checked; `false`: context),
/// every finding on its own, in file order, then line order. An error is returned only for a
/// document that is not a Kubernetes object.
pub fn check(
    files: &[(ParsedFile, bool)],
    options: &Options,
) -> Result<Vec<Finding>, DocumentError> {
    let mut validator = Validator::new(options, files.iter().map(|(f, _)| f.name.clone()));
    for (file, _) in files {
        validator.read_context(file)?;
    }
    validator.admit();
    let mut reports = Vec::new();
    let mut checker = Checker::new(&validator.context);
    for (file, is_path) in files {
        reports.push(checker.check_file(file, *is_path)?);
    }
    for report in reports {
        validator.results.absorb(report);
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
