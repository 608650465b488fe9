//! `kruise-inject render`: every document of the inputs, with the SidecarSets injected that the
//! pod webhook would inject.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;

use anyhow::Context as _;
use std::path::PathBuf;

use kruise_inject_yaml::edit::{Editor, SeqItem};
use kruise_inject_yaml::emit::{EmitCache, IndentStyle};
use kruise_inject_yaml::tree::{Document, Node};
use serde_json::Value;

use crate::kruise::cluster::Cluster;
use crate::kruise::decode::string_map_at;
use crate::kruise::features::FeatureGates;
use crate::kruise::inject;
use crate::kruise::matching::{self, MatchOutcome};
use crate::kruise::pod::{ListItem, PodPatch, PodView};
use crate::kruise::rng::Rng;
use crate::kruise::workload::{PodLocation, pod_location};
use crate::pipeline::context;
use crate::pipeline::input::{self, Source, Walk};
use crate::pipeline::objects::{
    DocumentError, Location, Object, ParsedFile, Streamed, stream_objects,
};
use crate::pipeline::report::count_as;
use crate::pipeline::spool::Spool;

/// Output up to this size is kept in memory before it spills to a temporary file.
pub const SPOOL_IN_MEMORY: usize = 8 << 20;

/// How to render.
#[derive(Debug, Clone)]
pub struct Options {
    /// Namespace of objects that have none.
    pub default_namespace: String,
    /// The injection time, `YYYY-MM-DDTHH:MM:SSZ`.
    pub timestamp: String,
    /// Where ControllerRevisions live.
    pub kruise_namespace: String,
    /// Kruise's feature gates.
    pub feature_gates: FeatureGates,
    /// Seed of the `Partial` revision policy draw.
    pub seed: u64,
}

/// One line of the report on stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Where the object is.
    pub location: Location,
    /// The object, e.g. `apps/v1 Deployment default/nginx`.
    pub resource: String,
    /// What happened.
    pub message: String,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Location { file, line, .. } = &self.location;
        write!(f, "{file}:{line}: {}: {}", self.resource, self.message)
    }
}

/// A rendered file.
#[derive(Debug, Clone)]
pub struct RenderedFile {
    /// The file's text with the injections spliced in.
    pub text: String,
    /// Whether anything was injected.
    pub changed: bool,
    /// One line per pod or workload, and warnings.
    pub reports: Vec<Report>,
    /// The pods and workloads for which whether Kruise injects a SidecarSet is unknown.
    pub undecided: Vec<UndecidedWorkload>,
}

/// A pod or workload that Kruise may inject with SidecarSets that kruise-inject did not inject:
/// their `namespaceSelector` needs labels of a Namespace that is not among the inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndecidedWorkload {
    /// Where the object is.
    pub location: Location,
    /// The object, e.g. `apps/v1 Deployment web/nginx`.
    pub resource: String,
    /// The SidecarSets, the namespace and the labels.
    pub undecided: matching::Undecided,
}

/// What a run could not decide, for the one summary line every command prints on stderr (even
/// with `-q`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UndecidedSummary {
    workloads: usize,
    namespaces: std::collections::BTreeSet<String>,
    sidecarsets: std::collections::BTreeSet<String>,
    labels: std::collections::BTreeSet<String>,
}

/// Namespaces named in the summary line before it says how many there are.
const SUMMARY_NAMESPACES: usize = 8;

impl UndecidedSummary {
    /// Counts the undecided workloads of a rendered file.
    pub fn add(&mut self, undecided: &[UndecidedWorkload]) {
        for u in undecided {
            self.workloads += 1;
            self.namespaces.insert(u.undecided.namespace.clone());
            self.sidecarsets
                .extend(u.undecided.sidecarsets.iter().cloned());
            self.labels.extend(u.undecided.labels.iter().cloned());
        }
    }

    /// Nothing undecided.
    pub fn is_empty(&self) -> bool {
        self.workloads == 0
    }

    /// The summary line, if anything is undecided.
    pub fn line(&self) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        let join = |set: &std::collections::BTreeSet<String>| {
            set.iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let n = self.namespaces.len();
        let (namespaces, command) = if n <= SUMMARY_NAMESPACES {
            (
                format!(
                    "{} {}",
                    if n == 1 { "namespace" } else { "namespaces" },
                    join(&self.namespaces)
                ),
                format!(
                    "kubectl get namespace {} -o yaml > namespaces.yaml",
                    self.namespaces
                        .iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            )
        } else {
            let first: Vec<&str> = self
                .namespaces
                .iter()
                .take(SUMMARY_NAMESPACES)
                .map(String::as_str)
                .collect();
            (
                format!("{n} namespaces ({}, ...)", first.join(", ")),
                "kubectl get namespaces -o yaml > namespaces.yaml".to_owned(),
            )
        };
        let one_set = self.sidecarsets.len() == 1;
        let labels = format!(
            "{} {}",
            if self.labels.len() == 1 {
                "label"
            } else {
                "labels"
            },
            join(&self.labels)
        );
        Some(format!(
            "warning: unknown whether Kruise injects {} {} into {} in {namespaces}: {} {labels} of {} not among the inputs, so kruise-inject did not inject {}; give the Namespace {} with -s ({command})",
            if one_set { "SidecarSet" } else { "SidecarSets" },
            join(&self.sidecarsets),
            count_as(self.workloads, "pod or workload", "pods and workloads"),
            if one_set {
                "its namespaceSelector needs"
            } else {
                "their namespaceSelectors need"
            },
            if n == 1 {
                "a Namespace that is"
            } else {
                "Namespaces that are"
            },
            if one_set { "it" } else { "them" },
            if n == 1 { "object" } else { "objects" },
        ))
    }
}

/// Renders the files of one run against one cluster state.
#[derive(Debug)]
pub struct Renderer<'c> {
    cluster: &'c Cluster,
    options: &'c Options,
    rng: Rng,
    /// The text of injected containers that many pods share.
    emit_cache: EmitCache,
}

impl<'c> Renderer<'c> {
    /// A renderer; the `Partial` draws start from `options.seed`.
    pub fn new(cluster: &'c Cluster, options: &'c Options) -> Self {
        Self {
            cluster,
            options,
            rng: Rng::new(options.seed),
            emit_cache: EmitCache::new(),
        }
    }

    /// Renders one parsed file.
    pub fn render_file(&mut self, file: &ParsedFile) -> Result<RenderedFile, DocumentError> {
        let objects = file.objects()?;
        let mut reports = Vec::new();
        let mut undecided = Vec::new();
        let mut patches: BTreeMap<usize, Vec<(&Node, PodPatch)>> = BTreeMap::new();
        for object in &objects {
            if let Some((node, patch)) = self.render_object(object, &mut reports, &mut undecided)? {
                patches
                    .entry(object.document)
                    .or_default()
                    .push((node, patch));
            }
        }
        let changed = !patches.is_empty();
        let text = file.edit(&patches, Some(&self.emit_cache), apply, |_, edited| edited)?;
        Ok(RenderedFile {
            text,
            changed,
            reports,
            undecided,
        })
    }

    /// Renders one object that stands for a part of a document: an item of a long list parsed one
    /// at a time ([`kruise_inject_yaml::tree::parse_items`]), the root of `doc`, a document made
    /// for it whose span starts at the item's part of the text and runs to the end of the real
    /// document. New text is written in `style` (the whole document's) with LF line breaks.
    /// Returns the text of `range` (the item's part) with the injection, or `None` when nothing
    /// is injected; reports as [`Renderer::render_file`] makes them.
    #[allow(clippy::too_many_arguments)]
    pub fn render_part(
        &mut self,
        object: &Object<'_>,
        text: &str,
        doc: &Document,
        style: IndentStyle,
        range: std::ops::Range<usize>,
        reports: &mut Vec<Report>,
        undecided: &mut Vec<UndecidedWorkload>,
    ) -> Result<Option<String>, DocumentError> {
        let Some((node, patch)) = self.render_object(object, reports, undecided)? else {
            return Ok(None);
        };
        let mut editor =
            Editor::with_conventions(text, doc, style, false).with_cache(&self.emit_cache);
        apply(&mut editor, node, &patch)
            .map_err(|err| object.error(format!("cannot edit this document: {err}")))?;
        Ok(Some(editor.finish_range(range)))
    }

    /// Injects into one object; returns the node to edit and the patch, if anything changes.
    fn render_object<'o>(
        &mut self,
        object: &Object<'o>,
        reports: &mut Vec<Report>,
        undecided: &mut Vec<UndecidedWorkload>,
    ) -> Result<Option<(&'o Node, PodPatch)>, DocumentError> {
        let namespace = object
            .namespace()
            .unwrap_or(&self.options.default_namespace)
            .to_owned();
        let mut report = |message: String| {
            reports.push(Report {
                location: object.location.clone(),
                resource: object.display_name(&self.options.default_namespace),
                message,
            });
        };
        let Some(location) = pod_location(object.api_version(), object.kind()) else {
            if context::context_kind(object).is_none()
                && object
                    .node
                    .at(&["spec", "template", "spec", "containers"])
                    .is_some()
            {
                report(
                    "warning: has a pod template, but kruise-inject does not know this kind; \
                     passed through unchanged"
                        .to_owned(),
                );
            }
            return Ok(None);
        };
        let path: &[&str] = location.path(|p| object.node.at(p).is_some());
        let (Some(node), Some(template)) = (object.node.at(path), pointer(&object.value, path))
        else {
            report(format!(
                "not injected: no pod template at {}",
                path.join(".")
            ));
            return Ok(None);
        };
        let labels = string_map_at(template, "/metadata/labels")
            .map_err(|e| object.error(format!("{}: {e}", field(path, "metadata.labels"))))?;
        let annotations = string_map_at(template, "/metadata/annotations")
            .map_err(|e| object.error(format!("{}: {e}", field(path, "metadata.annotations"))))?;
        let active = location != PodLocation::Pod || is_active(&object.value);
        let pod = PodView {
            namespace: &namespace,
            labels,
            annotations,
            spec: template.get("spec").unwrap_or(&Value::Null),
            active,
        };
        let outcome =
            matching::match_pod(self.cluster, &pod, &mut self.rng).map_err(|e| object.error(e))?;
        if let Some(u) = outcome.undecided() {
            undecided.push(UndecidedWorkload {
                location: object.location.clone(),
                resource: object.display_name(&self.options.default_namespace),
                undecided: u,
            });
        }
        let (sidecarsets, notes) = match outcome {
            MatchOutcome::Skipped(reason) => {
                report(format!("not injected: {reason}"));
                return Ok(None);
            }
            MatchOutcome::Matched { sidecarsets, notes } => {
                let notes: Vec<String> = notes.iter().map(ToString::to_string).collect();
                if sidecarsets.is_empty() {
                    let why = if notes.is_empty() {
                        "no SidecarSet matches".to_owned()
                    } else {
                        notes.join("; ")
                    };
                    report(format!("not injected: {why}"));
                    return Ok(None);
                }
                (sidecarsets, notes)
            }
        };
        let injection = inject::inject(
            &pod,
            &sidecarsets,
            &self.options.timestamp,
            &self.cluster.feature_gates,
        )
        .map_err(|e| object.error_below(path, e))?;
        let summary = injection
            .injected
            .iter()
            .map(|s| {
                let mut names = s.containers.clone();
                names.extend(s.init_containers.iter().map(|c| format!("init:{c}")));
                if names.is_empty() {
                    s.name.clone()
                } else {
                    format!("{} ({})", s.name, names.join(", "))
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let notes: String = notes.iter().map(|n| format!("; {n}")).collect();
        if injection.patch.is_empty() {
            report(format!("up to date: {summary}{notes}"));
            return Ok(None);
        }
        report(format!("injected {summary}{notes}"));
        Ok(Some((node, injection.patch)))
    }
}

/// Applies a pod patch to the pod (or template) node.
fn apply(
    editor: &mut Editor<'_>,
    node: &Node,
    patch: &PodPatch,
) -> Result<(), kruise_inject_yaml::edit::EditError> {
    if !patch.annotations.is_empty() {
        editor.set_entries(node, &["metadata", "annotations"], &patch.annotations)?;
    }
    for (key, items) in patch.lists() {
        if let Some(items) = items {
            let items: Vec<SeqItem> = items
                .iter()
                .map(|item| match item {
                    ListItem::Keep(i) => SeqItem::Keep(*i),
                    ListItem::New(v) => SeqItem::Shared(v),
                })
                .collect();
            editor.edit_sequence(node, &["spec", key], &items)?;
        }
    }
    Ok(())
}

fn pointer<'v>(value: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter().try_fold(value, |v, key| v.get(key))
}

fn field(path: &[&str], rest: &str) -> String {
    if path.is_empty() {
        rest.to_owned()
    } else {
        format!("{}.{rest}", path.join("."))
    }
}

/// `IsPodActive`: not Succeeded or Failed, no deletionTimestamp (`util.go: IsActivePod`).
fn is_active(pod: &Value) -> bool {
    let phase = pod.pointer("/status/phase").and_then(Value::as_str);
    let deleting = pod
        .pointer("/metadata/deletionTimestamp")
        .is_some_and(|v| !v.is_null());
    !matches!(phase, Some("Succeeded" | "Failed")) && !deleting
}

/// Reads sources, caching stdin so that both passes see it.
#[derive(Debug, Default)]
pub struct Reader {
    stdin: Option<String>,
    /// Texts of sources that can be read only once (pipes, `/dev/stdin`, FIFOs given as PATH).
    once: BTreeMap<std::path::PathBuf, String>,
}

impl Reader {
    /// A reader whose standard input was already read.
    pub fn with_stdin(text: String) -> Self {
        Self {
            stdin: Some(text),
            once: BTreeMap::new(),
        }
    }

    /// Reads and parses a source.
    pub fn read(&mut self, source: &Source) -> anyhow::Result<ParsedFile> {
        let text = self.read_text(source)?;
        Ok(ParsedFile::parse(source.to_string(), text)?)
    }

    /// Reads and parses every source in turn and hands each of its objects to `visit`; an error
    /// (of reading, parsing or `visit`) names the broken files among `sources`
    /// ([`name_broken_files`]).
    pub fn for_each_object(
        &mut self,
        sources: &[Source],
        mut visit: impl FnMut(&Object<'_>) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        for source in sources {
            let file = self
                .read(source)
                .map_err(|e| name_broken_files(e, sources))?;
            let objects = file
                .objects()
                .map_err(|e| name_broken_files(e.into(), sources))?;
            for object in &objects {
                visit(object)?;
            }
        }
        Ok(())
    }

    /// Reads a source without parsing it.
    pub fn read_text(&mut self, source: &Source) -> anyhow::Result<String> {
        Ok(match source {
            Source::Stdin => match &self.stdin {
                Some(text) => text.clone(),
                None => {
                    let text = input::read(source)?;
                    self.stdin = Some(text.clone());
                    text
                }
            },
            Source::File(path) if readable_once(source) => match self.once.get(path) {
                Some(text) => text.clone(),
                None => {
                    let text = input::read(source)?;
                    self.once.insert(path.clone(), text.clone());
                    text
                }
            },
            Source::File(_) => input::read(source)?,
        })
    }
}

/// Standard input, or a path that is not a regular file (a pipe such as `/dev/stdin` or `<(...)`, a
/// FIFO): its text can be read only once, so the reader keeps it for the second pass.
fn readable_once(source: &Source) -> bool {
    match source {
        Source::Stdin => true,
        Source::File(path) => std::fs::metadata(path).is_ok_and(|m| !m.is_file()),
    }
}

/// Might this text hold context objects (SidecarSets, Namespaces, ControllerRevisions, the
/// `kruise-configuration` ConfigMap)? A cheap test that spares parsing most files twice.
pub fn may_hold_context(text: &str) -> bool {
    [
        "SidecarSet",
        "Namespace",
        "ControllerRevision",
        crate::kruise::validation::whitelist::CONFIGMAP_NAME,
    ]
    .iter()
    .any(|kind| text.contains(kind))
}

/// Builds the cluster state of a Kruise running in `kruise_namespace` with `feature_gates` from the
/// context paths and the rendered paths.
pub fn gather_cluster(
    context_sources: &[Source],
    sources: &[Source],
    kruise_namespace: &str,
    feature_gates: &FeatureGates,
    reader: &mut Reader,
    reports: &mut Vec<String>,
) -> anyhow::Result<Cluster> {
    let mut gatherer =
        context::Gatherer::new(kruise_namespace).with_feature_gates(feature_gates.clone());
    let mut seen = std::collections::BTreeSet::new();
    for source in context_sources.iter().chain(sources) {
        let key = match source {
            Source::File(path) => std::fs::canonicalize(path).ok().map(Source::File),
            Source::Stdin => Some(Source::Stdin),
        };
        if let Some(key) = key
            && !seen.insert(key)
        {
            continue;
        }
        let text = reader.read_text(source)?;
        if !may_hold_context(&text) {
            continue;
        }
        let file = ParsedFile::parse(source.to_string(), text)?;
        for object in file.objects()? {
            gatherer.add(&object)?;
        }
    }
    // Every SidecarSet passes the API server and Kruise's validating webhook, or nothing renders.
    let (cluster, notices) = gatherer.finish()?;
    reports.extend(notices.iter().map(context::Notice::report_line));
    Ok(cluster)
}

/// The cluster before a SidecarSet change (`--old-sidecarsets` of diff and rollout): `new` with its
/// SidecarSets replaced by those of `old_sources`; Namespaces and ControllerRevisions of the old
/// files are added where missing, and the revisions each SidecarSet registers settled again.
pub fn old_cluster(
    new: &Cluster,
    old_sources: &[Source],
    reader: &mut Reader,
    warnings: &mut Vec<String>,
) -> anyhow::Result<Cluster> {
    let gathered = gather_cluster(
        old_sources,
        &[],
        &new.kruise_namespace,
        &new.feature_gates,
        reader,
        warnings,
    )
    .context("reading --old-sidecarsets")?;
    let mut old = new.clone();
    old.sidecarsets = gathered.sidecarsets;
    for (name, labels) in gathered.namespaces {
        old.namespaces.entry(name).or_insert(labels);
    }
    for revision in gathered.controller_revisions {
        let known = old
            .controller_revisions
            .iter()
            .any(|r| r.namespace == revision.namespace && r.name == revision.name);
        if !known {
            old.controller_revisions.push(revision);
        }
    }
    old.settle_latest_revisions();
    Ok(old)
}

/// Expands PATH arguments with `walk` (none: standard input), adding what the walk skipped to
/// `reports`.
pub fn expand_paths(
    walk: &Walk,
    paths: &[PathBuf],
    reports: &mut Vec<String>,
) -> anyhow::Result<Vec<Source>> {
    let expanded = walk.expand(paths)?;
    reports.extend(expanded.skip_lines());
    Ok(expanded.sources)
}

/// Expands `paths` (a context option such as `-s` or `--old-sidecarsets`) with `walk`, adding what
/// the walk skipped to `reports`; no path is no source (a walk of no path is standard input).
pub fn expand_context(
    walk: &Walk,
    paths: &[PathBuf],
    reports: &mut Vec<String>,
) -> anyhow::Result<Vec<Source>> {
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    let expanded = walk.expand(paths)?;
    reports.extend(expanded.skip_lines());
    Ok(expanded.sources)
}

/// [`gather_cluster`] for a command that also reads every object of `sources` (rollout's pods),
/// reading each input once (issue 14): the objects of each file are handed, as they are read, to
/// the gatherer (when [`gather_cluster`] would) and, for `sources`, to `visit`; the items of a
/// `List` one at a time, never the tree of the whole file ([`stream_objects`]).
///
/// `None` when anything goes wrong: an input that cannot be read, a YAML or object error, an
/// error of `visit`, a rejected SidecarSet, a document that must be read whole. The caller then
/// runs [`gather_cluster`] and its own reading of `sources` as before, which report the problem
/// as they always did (the first in input order, the broken files named); nothing was added to
/// `reports`. With every input sound, the cluster, the reports and the objects given to `visit`
/// are theirs.
pub fn gather_cluster_once(
    context_sources: &[Source],
    sources: &[Source],
    kruise_namespace: &str,
    feature_gates: &FeatureGates,
    reader: &mut Reader,
    reports: &mut Vec<String>,
    mut visit: impl FnMut(&Object<'_>) -> Result<(), DocumentError>,
) -> Option<Cluster> {
    let mut gatherer =
        context::Gatherer::new(kruise_namespace).with_feature_gates(feature_gates.clone());
    let mut seen = std::collections::BTreeSet::new();
    for (i, source) in context_sources.iter().chain(sources).enumerate() {
        let own = i >= context_sources.len();
        // as `gather_cluster`: a file given twice is context once
        let first = match source {
            Source::File(path) => std::fs::canonicalize(path).ok().map(Source::File),
            Source::Stdin => Some(Source::Stdin),
        }
        .is_none_or(|key| seen.insert(key));
        if !first && !own {
            continue;
        }
        let text = reader.read_text(source).ok()?;
        let gather = first && may_hold_context(&text);
        if !gather && !own {
            continue;
        }
        let streamed = stream_objects(&source.to_string(), &text, |object| {
            if gather {
                gatherer.add(object)?;
            }
            if own {
                visit(object)?;
            }
            Ok(())
        });
        if streamed != Ok(Streamed::Done) {
            return None;
        }
    }
    let (cluster, notices) = gatherer.finish().ok()?;
    reports.extend(notices.iter().map(context::Notice::report_line));
    Some(cluster)
}

/// Appends one file's text to a multi-document stream, with a `---` separator where the file does
/// not start with one.
pub fn append_to_stream(
    out: &mut Spool,
    mut text: String,
    first: bool,
    last_byte: &mut Option<u8>,
) -> std::io::Result<()> {
    if text.is_empty() {
        return Ok(());
    }
    if !first {
        if last_byte.is_some_and(|b| b != b'\n') {
            out.write_all(b"\n")?;
        }
        // A BOM may only start the stream: drop it from every later file.
        if text.starts_with('\u{feff}') {
            text.replace_range(..'\u{feff}'.len_utf8(), "");
        }
        let starts_with_marker = text
            .lines()
            .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .is_some_and(|l| l == "---" || l.starts_with("--- ") || l.starts_with('%'));
        if !starts_with_marker && last_byte.is_some() {
            out.write_all(b"---\n")?;
        }
    }
    *last_byte = text.as_bytes().last().copied();
    out.push(text.into_bytes())
}

/// What every command that renders starts from: the settings, the cluster state gathered from the
/// context and the inputs, and the reader that read them.
#[derive(Debug)]
pub struct Session {
    /// The injection settings.
    pub options: Options,
    /// SidecarSets, Namespaces and ControllerRevisions of the context and the inputs.
    pub cluster: Cluster,
    /// The reader (it keeps standard input for the second pass).
    pub reader: Reader,
    /// Warnings about the context objects, as report lines.
    pub warnings: Vec<String>,
}

impl Session {
    /// Gathers the cluster from `context_sources` and `sources`, to render with `options`.
    pub fn new(
        options: Options,
        context_sources: &[Source],
        sources: &[Source],
    ) -> anyhow::Result<Self> {
        Self::with_reader(options, context_sources, sources, Reader::default())
    }

    /// Like [`Session::new`], reading through `reader` (which may hold standard input already).
    pub fn with_reader(
        options: Options,
        context_sources: &[Source],
        sources: &[Source],
        mut reader: Reader,
    ) -> anyhow::Result<Self> {
        let mut warnings = Vec::new();
        let cluster = gather_cluster(
            context_sources,
            sources,
            &options.kruise_namespace,
            &options.feature_gates,
            &mut reader,
            &mut warnings,
        )?;
        Ok(Self {
            options,
            cluster,
            reader,
            warnings,
        })
    }
}

/// The PATH and `-s` arguments expanded as `render` reads them.
#[derive(Debug, Default)]
pub struct Inputs {
    /// The files of `-s`.
    pub context_sources: Vec<Source>,
    /// The files of PATH (standard input when none).
    pub sources: Vec<Source>,
    /// Report lines: what the walks skipped, and why.
    pub skipped: Vec<String>,
}

/// `context_sources` then `sources`.
pub fn all_sources(context_sources: &[Source], sources: &[Source]) -> Vec<Source> {
    context_sources.iter().chain(sources).cloned().collect()
}

/// What to read: the PATH arguments, the context paths (`-s`) and how directories are walked.
#[derive(Debug)]
pub struct InputPaths {
    /// Files or directories whose documents are rendered (none: standard input).
    pub paths: Vec<PathBuf>,
    /// Files or directories read for context only.
    pub context: Vec<PathBuf>,
    /// How directories are walked.
    pub walk: Walk,
}

/// Expands the PATH and `-s` arguments as `render` reads them.
pub fn expand_inputs(spec: &InputPaths) -> anyhow::Result<Inputs> {
    let walk = &spec.walk;
    let paths = walk.expand(&spec.paths)?;
    let mut skipped = paths.skip_lines();
    let context_sources = if spec.context.is_empty() {
        Vec::new()
    } else {
        let context = walk.expand(&spec.context)?;
        skipped.extend(context.skip_lines());
        context.sources
    };
    Ok(Inputs {
        context_sources,
        sources: paths.sources,
        skipped,
    })
}

/// Report lines up to this size are kept in memory before they spill to a temporary file.
pub const SPOOL_REPORTS_IN_MEMORY: usize = 4 << 20;

/// Set (non-empty) to make `render` measure the benchmark floor: every file is read, parsed
/// (`tree::parse`) and resolved (`to_value`, through [`ParsedFile::objects`]) and written back
/// unchanged, through the same pipeline, without the context pass and without injection.
pub const BENCH_FLOOR_ENV: &str = "KRUISE_INJECT_BENCH_FLOOR";

/// How many threads render files; `KRUISE_INJECT_THREADS` overrides the number of cores.
pub const THREADS_ENV: &str = "KRUISE_INJECT_THREADS";

/// Files in flight (read, rendered or waiting to be written) per worker thread.
const WINDOW_PER_WORKER: usize = 4;

/// The floor's "render": parse, resolve every object, write the text back as it was.
pub fn floor_file(file: &ParsedFile) -> Result<RenderedFile, DocumentError> {
    let objects = file.objects()?;
    std::hint::black_box(&objects);
    Ok(RenderedFile {
        text: file.text.clone(),
        changed: false,
        reports: Vec::new(),
        undecided: Vec::new(),
    })
}

/// How many threads render: 1 when the output depends on the order of the `Partial` draws (a
/// SidecarSet with `injectionStrategy.revision.policy: Partial` draws from one seeded sequence, file
/// after file) or when there is at most one file.
pub fn workers(cluster: &Cluster, sources: &[Source]) -> usize {
    workers_for(cluster, sources.len())
}

/// How many threads share `jobs` independent pieces of work that render: as [`workers`] for
/// that many files.
pub fn workers_for(cluster: &Cluster, jobs: usize) -> usize {
    let draws = cluster.sidecarsets.iter().any(|ss| {
        ss.spec
            .injection_strategy
            .revision
            .as_ref()
            .is_some_and(|r| r.policy == crate::kruise::revision::PARTIAL_POLICY)
    });
    if draws || jobs < 2 {
        return 1;
    }
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    std::env::var(THREADS_ENV)
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(cores)
        .min(jobs)
}

/// Reads, parses and renders `sources` with `workers` threads (each with its own renderer, made by
/// `make_renderer`; `validate` checks files the same way, its "rendering" a file's findings) and
/// hands the results to `sink` in input order. At most
/// `WINDOW_PER_WORKER * workers` files are in flight, so memory holds a few files, not the inputs.
/// The first error in input order is returned, as a sequential run would; after an error no
/// further file is handed to `sink`. Standard input is read (from the reader's cache) on the
/// calling thread's sequential path.
pub fn render_stream<M, R, T>(
    sources: &[Source],
    reader: &mut Reader,
    workers: usize,
    make_renderer: M,
    sink: &mut dyn FnMut(usize, T) -> anyhow::Result<()>,
) -> anyhow::Result<()>
where
    M: Fn(usize) -> R + Sync,
    R: FnMut(&ParsedFile) -> Result<T, DocumentError>,
    T: Send,
{
    if workers <= 1 || sources.iter().any(readable_once) {
        let mut render = make_renderer(0);
        for (i, source) in sources.iter().enumerate() {
            let file = reader.read(source)?;
            sink(i, render(&file)?)?;
        }
        return Ok(());
    }
    let window = WINDOW_PER_WORKER * workers;
    let state = std::sync::Mutex::new(Window::default());
    let turn = std::sync::Condvar::new();
    let (tx, rx) = std::sync::mpsc::channel::<(usize, anyhow::Result<T>)>();
    std::thread::scope(|scope| {
        for w in 0..workers {
            let tx = tx.clone();
            let (state, turn, make_renderer) = (&state, &turn, &make_renderer);
            scope.spawn(move || {
                let mut render = make_renderer(w);
                loop {
                    let i = {
                        let Ok(mut s) = state.lock() else { return };
                        while !s.stop && s.next < sources.len() && s.next >= s.written + window {
                            s = match turn.wait(s) {
                                Ok(s) => s,
                                Err(_) => return,
                            };
                        }
                        if s.stop || s.next >= sources.len() {
                            return;
                        }
                        s.next += 1;
                        s.next - 1
                    };
                    let source = &sources[i];
                    let result = input::read(source)
                        .map_err(anyhow::Error::from)
                        .and_then(|text| Ok(ParsedFile::parse(source.to_string(), text)?))
                        .and_then(|file| Ok(render(&file)?));
                    if tx.send((i, result)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        let stop = |state: &std::sync::Mutex<Window>| {
            if let Ok(mut s) = state.lock() {
                s.stop = true;
            }
            turn.notify_all();
        };
        let mut pending = BTreeMap::new();
        let mut written = 0;
        for (i, result) in rx.iter() {
            pending.insert(i, result);
            while let Some(result) = pending.remove(&written) {
                let result = result.and_then(|rendered| sink(written, rendered));
                if let Err(err) = result {
                    stop(&state);
                    return Err(err);
                }
                written += 1;
                if let Ok(mut s) = state.lock() {
                    s.written = written;
                }
                turn.notify_all();
            }
        }
        stop(&state);
        if written == sources.len() {
            Ok(())
        } else {
            Err(anyhow::anyhow!("a render thread stopped early"))
        }
    })
}

/// The files the render threads have claimed and the results the writer has written.
#[derive(Debug, Default)]
struct Window {
    next: usize,
    written: usize,
    stop: bool,
}

/// The most broken files one error lists.
pub const MAX_BROKEN_FILES: usize = 20;

/// `err` when it is not about a file's text; otherwise, when other files among `sources` are broken
/// too (not UTF-8, not YAML, not made of Kubernetes objects), an error that lists each of them (up
/// to [`MAX_BROKEN_FILES`]), so that one run shows every file to fix. Files that can be read only
/// once (standard input, pipes) are not read again.
pub fn name_broken_files(err: anyhow::Error, sources: &[Source]) -> anyhow::Error {
    let first_file = err.chain().find_map(|e| {
        if let Some(e) = e.downcast_ref::<DocumentError>() {
            Some(e.location.file.clone())
        } else {
            match e.downcast_ref::<input::InputError>() {
                Some(input::InputError::NotUtf8 { path, .. }) => Some(path.clone()),
                _ => None,
            }
        }
    });
    let Some(first_file) = first_file else {
        return err;
    };
    let mut problems = vec![format!("{err:#}")];
    let mut seen = std::collections::BTreeSet::from([first_file]);
    let mut more = false;
    for source in sources {
        if readable_once(source) || !seen.insert(source.to_string()) {
            continue;
        }
        let problem = input::read(source)
            .map_err(anyhow::Error::from)
            .and_then(|text| {
                let file = ParsedFile::parse(source.to_string(), text)?;
                file.objects()?;
                Ok(())
            });
        if let Err(e) = problem {
            if problems.len() == MAX_BROKEN_FILES {
                more = true;
                break;
            }
            problems.push(format!("{e:#}"));
        }
    }
    if problems.len() == 1 {
        return err;
    }
    let more = if more {
        format!(" (the first {MAX_BROKEN_FILES}; there are more)")
    } else {
        String::new()
    };
    anyhow::anyhow!(
        "{} input files are broken{more}: fix each of them and run again:\n  {}",
        problems.len(),
        problems.join("\n  ")
    )
}

/// Prints report lines on standard error.
pub fn print_reports(lines: &[String]) {
    let mut stderr = std::io::stderr().lock();
    for line in lines {
        let _ = writeln!(stderr, "{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn undecided(ns: &str, sets: &[&str], labels: &[&str]) -> UndecidedWorkload {
        UndecidedWorkload {
            location: Location {
                file: "w.yaml".into(),
                line: 1,
                document: 0,
            },
            resource: format!("v1 Pod {ns}/p"),
            undecided: matching::Undecided {
                namespace: ns.into(),
                sidecarsets: sets.iter().map(|s| s.to_string()).collect(),
                labels: labels.iter().map(|s| s.to_string()).collect(),
            },
        }
    }

    #[test]
    fn undecided_summary_line() {
        let mut s = UndecidedSummary::default();
        assert_eq!(s.line(), None);
        s.add(&[undecided("web", &["logging"], &["team"])]);
        assert_eq!(
            s.line().as_deref(),
            Some(
                "warning: unknown whether Kruise injects SidecarSet logging into 1 pod or workload in namespace web: its namespaceSelector needs label team of a Namespace that is not among the inputs, so kruise-inject did not inject it; give the Namespace object with -s (kubectl get namespace web -o yaml > namespaces.yaml)"
            )
        );
        s.add(&[undecided("db", &["mesh", "logging"], &["env", "team"])]);
        let line = s.line().expect("undecided");
        assert!(
            line.contains("SidecarSets logging, mesh into 2 pods and workloads in namespaces db, web: their namespaceSelectors need labels env, team of Namespaces that are not among the inputs, so kruise-inject did not inject them; give the Namespace objects with -s (kubectl get namespace db web -o yaml"),
            "{line}"
        );
        // Many namespaces: the first ones, the count, and all namespaces to fetch.
        for i in 0..10 {
            s.add(&[undecided(&format!("ns-{i}"), &["logging"], &["team"])]);
        }
        let line = s.line().expect("undecided");
        assert!(
            line.contains("in 12 namespaces (db, ns-0, ns-1, ns-2, ns-3, ns-4, ns-5, ns-6, ...)"),
            "{line}"
        );
        assert!(
            line.ends_with("(kubectl get namespaces -o yaml > namespaces.yaml)"),
            "{line}"
        );
    }

    /// `--old-sidecarsets` (diff and rollout): the old cluster is the new one with the old
    /// SidecarSets; the new inputs' ControllerRevisions and Namespaces stay, the old inputs' are
    /// added.
    #[test]
    fn the_old_cluster_is_the_new_one_with_the_old_sidecarsets() {
        let revisions =
            include_str!("../../testdata/render/revisions/context/controllerrevisions.yaml");
        let sidecarset = |name: &str, image: &str| {
            format!(
                "apiVersion: apps.kruise.io/v1beta1\nkind: SidecarSet\nmetadata: {{name: {name}}}\nspec:\n  selector: {{matchLabels: {{app: web}}}}\n  containers: [{{name: {name}, image: {image}}}]\n"
            )
        };
        let new_text = format!(
            "{}---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: web, labels: {{team: a}}}}\n---\n{revisions}",
            sidecarset("logger", "logger:v2")
        );
        let mut warnings = Vec::new();
        let new = gather_cluster(
            &[Source::Stdin],
            &[],
            "kruise-system",
            &FeatureGates::default(),
            &mut Reader::with_stdin(new_text),
            &mut warnings,
        )
        .expect("the new cluster");
        assert!(!new.controller_revisions.is_empty());
        let old_text = format!(
            "{}---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: other}}\n",
            sidecarset("logger", "logger:v1")
        );
        let old = old_cluster(
            &new,
            &[Source::Stdin],
            &mut Reader::with_stdin(old_text),
            &mut warnings,
        )
        .expect("the old cluster");
        let image = |c: &Cluster| {
            c.sidecarsets[0].spec.containers[0].spec["image"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(
            (image(&new), image(&old)),
            ("logger:v2".into(), "logger:v1".into())
        );
        assert_eq!(
            old.controller_revisions.len(),
            new.controller_revisions.len()
        );
        assert!(old.namespaces.contains_key("web") && old.namespaces.contains_key("other"));
        assert_eq!(old.kruise_namespace, new.kruise_namespace);
    }
}
