//! `kruise-inject diff`: what rendering changes, per resource, as unified diffs with a summary; with
//! `--old-sidecarsets`, what a SidecarSet change does: the inputs rendered with the old and with the
//! new SidecarSets, compared, and for each changed SidecarSet what Kruise does to running pods
//! ([`crate::kruise::impact`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use anyhow::Context as _;
use serde_json::Value;

use crate::commands::ExitStatus;
use crate::commands::args::{
    InputArgs, InputSettings, OldSidecarSetsArg, OutputArgs, OutputSettings,
};
use crate::kruise::cluster::Cluster;
use crate::kruise::impact::{self, Impact, ImpactKind};
use crate::kruise::sidecarset::{HASH_ANNOTATION, SidecarSet};
use crate::kruise::workload::{PodLocation, pod_location};
use crate::pipeline::context::{ContextKind, context_kind};
use crate::pipeline::engine::{self, Reader, Renderer, Session, print_reports};
use crate::pipeline::github::{self, Annotation, Level};
use crate::pipeline::input::Source;
use crate::pipeline::objects::{Location, Object, ParsedFile};
use crate::pipeline::report::{Report, choose, count, count_as};
use crate::pipeline::unified::{self, Layout, Palette, Side, line_of_offset};
use clap::Args;
use std::path::PathBuf;

/// `kruise-inject diff`.
#[derive(Debug, Clone, Args)]
#[command(mut_arg("paths", |a| a.help(
    "Files or directories to compare (directories are walked for .yaml, .yml and .json files in \
     sorted order); `-` or nothing reads standard input. Each is rendered and compared with itself \
     as it is (or, with --old-sidecarsets, rendered with the old SidecarSets); nothing is written"
)))]
#[command(mut_arg("old_sidecarsets", |a| a.help(
    "The SidecarSets before the change (file or directory; repeatable). The inputs are rendered \
     with these and with the SidecarSets of -s and PATH, and the two results are compared; for \
     each changed SidecarSet the output says what Kruise will do to pods that already run"
)))]
pub struct DiffArgs {
    /// The inputs, context and injection settings.
    #[command(flatten)]
    pub input: InputArgs,

    /// `--old-sidecarsets`.
    #[command(flatten)]
    pub old_sidecarsets: OldSidecarSetsArg,

    /// Lines of context around each change.
    #[arg(short = 'U', long, value_name = "N", default_value_t = 3)]
    pub context: usize,

    /// The output settings.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `diff`'s settings: [`DiffArgs`] resolved.
#[derive(Debug)]
pub struct DiffSettings {
    /// What to read and how to inject.
    pub input: InputSettings,
    /// `--old-sidecarsets`.
    pub old_sidecarsets: Vec<PathBuf>,
    /// `-U`.
    pub context: usize,
    /// How to print.
    pub output: OutputSettings,
}

impl DiffArgs {
    /// The settings these arguments ask for; an invalid --exclude pattern or timestamp is an error.
    pub fn resolve(&self) -> anyhow::Result<DiffSettings> {
        Ok(DiffSettings {
            input: self.input.resolve()?,
            old_sidecarsets: self.old_sidecarsets.old_sidecarsets.clone(),
            context: self.context,
            output: self.output.resolve(),
        })
    }
}

/// What happened to one named entry of a pod list (containers, volumes, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Delta {
    Added,
    Replaced,
    Removed,
}

/// The pod lists a SidecarSet contributes to, with the words used in summaries.
const LISTS: [(&str, &str); 4] = [
    ("containers", "containers"),
    ("initContainers", "init containers"),
    ("volumes", "volumes"),
    ("imagePullSecrets", "imagePullSecrets"),
];

/// One resource whose rendering changes.
#[derive(Debug, Clone)]
struct ResourceChange {
    /// `apps/v1 Deployment default/nginx`.
    name: String,
    /// apiVersion, kind, namespace and name, for `-o json`.
    identity: [String; 4],
    /// The first line of the input file that the diff changes, where the diff is against the
    /// input itself (without --old-sidecarsets) and the document holds this resource alone.
    changed_line: Option<usize>,
    /// Where it is in its input file.
    location: Location,
    /// The SidecarSets whose entry in `kruise.io/sidecarset-hash` changes, each with what it
    /// changes: (list index in [`LISTS`], entry name, delta).
    sidecarsets: BTreeMap<String, Vec<(usize, String, Delta)>>,
    /// Changes no changed SidecarSet accounts for.
    other: Vec<(usize, String, Delta)>,
}

/// One document whose text changes.
#[derive(Debug)]
struct DocumentDiff {
    resources: Vec<ResourceChange>,
    file: String,
    line: usize,
    before: String,
    before_line: usize,
    after: String,
    after_line: usize,
}

/// Everything `diff` found.
#[derive(Debug, Default)]
struct Comparison {
    /// The documents whose text changes, in input order.
    documents: Vec<DocumentDiff>,
    /// Pods and workloads read.
    workloads: usize,
    /// Files with a change.
    files: BTreeSet<String>,
    /// With `--old-sidecarsets`: the changed SidecarSets, by name.
    impacts: Vec<Impact>,
    /// With `--old-sidecarsets`: where each SidecarSet is defined.
    locations: BTreeMap<String, Location>,
    /// With `--old-sidecarsets`: why Kruise's webhook rejects the update of a SidecarSet (its
    /// UPDATE rules, [`crate::kruise::validation::update_rules`]), by name, each message with the advice.
    rejected: BTreeMap<String, Vec<String>>,
    /// Warnings about the inputs.
    warnings: Vec<String>,
    /// Pods and workloads Kruise may inject with SidecarSets not injected here (with the new
    /// SidecarSets, then with the old ones).
    undecided: Vec<engine::UndecidedWorkload>,
}

/// Runs `diff`: exit 0 when nothing changes, 1 when something does, 3 when Kruise's webhook rejects
/// the update of a SidecarSet (with `--old-sidecarsets`), an error otherwise.
pub fn run(args: &DiffArgs) -> anyhow::Result<ExitStatus> {
    let settings = args.resolve()?;
    let old_mode = !settings.old_sidecarsets.is_empty();
    let found = compare(&settings)?;
    let palette = Palette::new(settings.output.color);
    let layout = Layout {
        context: settings.context,
        max_lines: None,
    };
    let labels = if old_mode {
        ("rendered with --old-sidecarsets", "rendered")
    } else {
        ("input", "rendered")
    };
    let mut out = String::new();
    let mut annotations = Vec::new();
    write_documents(&mut out, &found.documents, labels, layout, &palette);
    let resources: Vec<&ResourceChange> =
        found.documents.iter().flat_map(|d| &d.resources).collect();
    if old_mode {
        if !out.is_empty() {
            out.push('\n');
        }
        write_impacts(
            &mut out,
            &found.impacts,
            &resources,
            &found.locations,
            &found.rejected,
            &palette,
        );
        for impact in &found.impacts {
            annotations.push(impact_annotation(
                impact,
                &found.locations,
                found.rejected.get(&impact.name),
            ));
        }
    }
    if !out.is_empty() {
        out.push('\n');
    }
    let replaced = if old_mode { "changed" } else { "replaced" };
    write_summary(
        &mut out,
        &mut annotations,
        &resources,
        &found,
        replaced,
        &palette,
    );

    Report {
        text: out,
        annotations,
        json: json_report(&resources, &found, replaced),
    }
    .print(settings.output.format.into())
    .context("writing stdout")?;
    github::append_step_summary(&step_summary(&resources, &found, replaced));
    if !settings.output.quiet {
        print_reports(&found.warnings);
    }
    // Even with -q: the diff may lack what Kruise injects.
    print_reports(undecided_summary(&found).line().as_slice());
    if !found.rejected.is_empty() {
        // Even with -q: the change cannot be applied as it is.
        for (name, messages) in &found.rejected {
            for message in messages {
                eprintln!("error: SidecarSet {name}: {}", rejection_text(message));
            }
        }
        return Ok(ExitStatus::Rejected);
    }
    Ok(ExitStatus::findings_if(
        !found.documents.is_empty() || !found.impacts.is_empty(),
    ))
}

/// Renders the inputs (with the old SidecarSets too, if given) and compares.
fn compare(settings: &DiffSettings) -> anyhow::Result<Comparison> {
    let engine::Inputs {
        context_sources,
        sources,
        mut skipped,
    } = engine::expand_inputs(&settings.input.paths)?;
    let Session {
        options,
        cluster,
        mut reader,
        warnings,
    } = Session::new(settings.input.options.clone(), &context_sources, &sources).map_err(|e| {
        engine::name_broken_files(e, &engine::all_sources(&context_sources, &sources))
    })?;
    let old_sources = engine::expand_context(
        &settings.input.paths.walk,
        &settings.old_sidecarsets,
        &mut skipped,
    )?;
    skipped.extend(warnings);
    let mut found = Comparison {
        warnings: skipped,
        ..Comparison::default()
    };
    let old_cluster = if old_sources.is_empty() {
        None
    } else {
        Some(engine::old_cluster(
            &cluster,
            &old_sources,
            &mut reader,
            &mut found.warnings,
        )?)
    };

    let mut renderer = Renderer::new(&cluster, &options);
    let mut old_renderer = old_cluster.as_ref().map(|c| Renderer::new(c, &options));
    let owners = Owners::new(&cluster, old_cluster.as_ref());
    for source in &sources {
        let file = reader
            .read(source)
            .map_err(|e| engine::name_broken_files(e, &sources))?;
        let after = renderer
            .render_file(&file)
            .map_err(|e| engine::name_broken_files(e.into(), &sources))?;
        found.undecided.extend(after.undecided.iter().cloned());
        for report in &after.reports {
            if report.message.starts_with("warning:") {
                found.warnings.push(report.to_string());
            } else {
                found.workloads += 1;
            }
        }
        let before = match &mut old_renderer {
            Some(r) => {
                let before = r.render_file(&file)?;
                found.undecided.extend(before.undecided);
                before.text
            }
            None => file.text.clone(),
        };
        if before == after.text {
            continue;
        }
        found.files.insert(file.name.clone());
        let against_input = before == file.text;
        let mut documents = document_diffs(
            &file,
            before,
            after.text,
            &owners,
            &options.default_namespace,
        )?;
        if against_input {
            for doc in &mut documents {
                let first = unified::first_change(
                    Side {
                        text: &doc.before,
                        first_line: doc.before_line,
                    },
                    Side {
                        text: &doc.after,
                        first_line: doc.after_line,
                    },
                )
                .map(|(old, _)| old);
                if let [resource] = doc.resources.as_mut_slice() {
                    resource.changed_line = first;
                }
            }
        }
        found.documents.extend(documents);
    }

    if let Some(old) = &old_cluster {
        found.impacts = impacts(old, &cluster);
        found.rejected = rejected_updates(old, &cluster);
        // A rejected change the impact does not list (the canary base annotation alone) still gets
        // its entry, so that the rejection is shown beside it.
        for name in found.rejected.keys() {
            if !found.impacts.iter().any(|i| &i.name == name) {
                found.impacts.push(Impact {
                    name: name.clone(),
                    kind: ImpactKind::NoRollout,
                    summary: ImpactKind::NoRollout.label().to_owned(),
                    changes: vec!["metadata.annotations".to_owned()],
                    statement:
                        "No rollout: neither hash changes, so Kruise does not touch running \
                                pods."
                            .to_owned(),
                });
            }
        }
        found.impacts.sort_by(|a, b| a.name.cmp(&b.name));
        let all: Vec<Source> = context_sources
            .iter()
            .chain(&sources)
            .chain(&old_sources)
            .cloned()
            .collect();
        found.locations = sidecarset_locations(&mut reader, &all, &old_sources)?;
    }
    Ok(found)
}

/// One unified diff per changed document, headed by its resources and file.
fn write_documents(
    out: &mut String,
    documents: &[DocumentDiff],
    (before_label, after_label): (&str, &str),
    layout: Layout,
    palette: &Palette,
) {
    for doc in documents {
        let names: Vec<&str> = doc.resources.iter().map(|r| r.name.as_str()).collect();
        let line = doc.resources.first().map_or(doc.line, |r| r.location.line);
        let heading = if names.is_empty() {
            format!("{}:{line}", doc.file)
        } else {
            format!("{} ({}:{line})", names.join(", "), doc.file)
        };
        let _ = writeln!(out, "{}", Palette::paint(palette.heading, &heading));
        let _ = writeln!(
            out,
            "{}",
            Palette::paint(palette.file, &format!("--- {} ({before_label})", doc.file))
        );
        let _ = writeln!(
            out,
            "{}",
            Palette::paint(palette.file, &format!("+++ {} ({after_label})", doc.file))
        );
        out.push_str(&unified::hunks(
            Side {
                text: &doc.before,
                first_line: doc.before_line,
            },
            Side {
                text: &doc.after,
                first_line: doc.after_line,
            },
            layout,
            palette,
        ));
    }
}

/// The summary: how many pods and workloads change, and what each SidecarSet does to each.
fn write_summary(
    out: &mut String,
    annotations: &mut Vec<Annotation>,
    resources: &[&ResourceChange],
    found: &Comparison,
    replaced: &str,
    palette: &Palette,
) {
    let workloads = found.workloads;
    let heading = match resources.len() {
        0 => format!(
            "Summary: no workload changes ({} read)",
            count_as(workloads, "pod or workload", "pods and workloads")
        ),
        n => format!(
            "Summary: {n} of {workloads} {} ({})",
            choose(
                workloads,
                "pod or workload changes",
                "pods and workloads change"
            ),
            count(found.files.len(), "file")
        ),
    };
    let _ = writeln!(out, "{}", Palette::paint(palette.heading, &heading));
    let mut by_sidecarset: BTreeMap<&str, usize> = BTreeMap::new();
    for resource in resources {
        let effects = effects_text(resource, replaced);
        let _ = writeln!(
            out,
            "  {} ({}:{}): {effects}",
            resource.name, resource.location.file, resource.location.line
        );
        for name in resource.sidecarsets.keys() {
            *by_sidecarset.entry(name).or_default() += 1;
        }
        annotations.push(Annotation::new(
            Level::Notice,
            &resource.location.file,
            resource.changed_line.unwrap_or(resource.location.line),
            format!("kruise-inject diff: {}", resource.name),
            format!("{}: {effects}", resource.name),
        ));
    }
    if !by_sidecarset.is_empty() {
        let list: Vec<String> = by_sidecarset
            .iter()
            .map(|(name, n)| format!("{name} ({})", count(*n, "workload")))
            .collect();
        let _ = writeln!(out, "  SidecarSets: {}", list.join(", "));
    }
    let mut seen = BTreeSet::new();
    for u in &found.undecided {
        if !seen.insert((&u.location.file, u.location.line, u.undecided.to_string())) {
            continue;
        }
        let _ = writeln!(
            out,
            "  {} ({}:{}): {}",
            u.resource, u.location.file, u.location.line, u.undecided
        );
        annotations.push(Annotation::new(
            Level::Warning,
            &u.location.file,
            u.location.line,
            format!("kruise-inject diff: {}", u.resource),
            format!("{}: {}", u.resource, u.undecided),
        ));
    }
}

/// The summary of what `diff` could not decide: each pod or workload once.
fn undecided_summary(found: &Comparison) -> engine::UndecidedSummary {
    let mut seen = BTreeSet::new();
    let unique: Vec<engine::UndecidedWorkload> = found
        .undecided
        .iter()
        .filter(|u| seen.insert((&u.location.file, u.location.line)))
        .cloned()
        .collect();
    let mut summary = engine::UndecidedSummary::default();
    summary.add(&unique);
    summary
}

/// The impacts of every SidecarSet that differs between the two clusters, by name.
fn impacts(old: &Cluster, new: &Cluster) -> Vec<Impact> {
    let names: BTreeSet<&str> = old
        .sidecarsets
        .iter()
        .chain(&new.sidecarsets)
        .map(|s| s.name.as_str())
        .collect();
    names
        .into_iter()
        .filter_map(|name| impact::impact(old.sidecarset(name), new.sidecarset(name)))
        .collect()
}

/// What Kruise's validating webhook says to updating each SidecarSet of `old` to the one of the same
/// name in `new` (kruise v1.9 `sidecarset_create_update_handler.go`, `validateSidecarSet` with
/// `older` set): the messages with the advice, by name; SidecarSets without errors are left out.
fn rejected_updates(old: &Cluster, new: &Cluster) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for ss in &new.sidecarsets {
        let Some(stored) = old.sidecarset(&ss.name) else {
            continue;
        };
        let errors = crate::kruise::validation::update_rules::validate_update(ss, stored);
        if !errors.is_empty() {
            out.insert(
                ss.name.clone(),
                errors
                    .iter()
                    .map(crate::kruise::validation::update_rules::with_advice)
                    .collect(),
            );
        }
    }
    out
}

/// `Kruise rejects this update: <message>; <advice>`.
fn rejection_text(message: &str) -> String {
    format!("Kruise rejects this update: {message}")
}

/// Where each SidecarSet is defined: the new ones from `all` (first definition), the ones only in
/// `old_sources` from there.
fn sidecarset_locations(
    reader: &mut Reader,
    all: &[Source],
    old_sources: &[Source],
) -> anyhow::Result<BTreeMap<String, Location>> {
    let old: BTreeSet<&Source> = old_sources.iter().collect();
    let mut new_locations = BTreeMap::new();
    let mut old_locations = BTreeMap::new();
    for source in all {
        let file = reader.read(source)?;
        if !file.text.contains("SidecarSet") {
            continue;
        }
        for object in file.objects()? {
            if context_kind(&object) == Some(ContextKind::SidecarSet) {
                let map = if old.contains(source) {
                    &mut old_locations
                } else {
                    &mut new_locations
                };
                map.entry(object.name().to_owned())
                    .or_insert_with(|| object.location.clone());
            }
        }
    }
    for (name, location) in old_locations {
        new_locations.entry(name).or_insert(location);
    }
    Ok(new_locations)
}

/// The `SidecarSet changes` section.
fn write_impacts(
    out: &mut String,
    impacts: &[Impact],
    resources: &[&ResourceChange],
    locations: &BTreeMap<String, Location>,
    rejected: &BTreeMap<String, Vec<String>>,
    palette: &Palette,
) {
    if impacts.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            Palette::paint(palette.heading, "SidecarSet changes: none")
        );
        return;
    }
    let _ = writeln!(
        out,
        "{}",
        Palette::paint(palette.heading, "SidecarSet changes:")
    );
    for impact in impacts {
        let at = locations
            .get(&impact.name)
            .map(|l| format!(" ({}:{})", l.file, l.line))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {}{at}: {}",
            Palette::paint(palette.heading, &impact.name),
            impact.summary
        );
        for change in &impact.changes {
            let _ = writeln!(out, "    - {change}");
        }
        let _ = writeln!(out, "    {}", impact.statement);
        for message in rejected.get(&impact.name).into_iter().flatten() {
            let _ = writeln!(out, "    {}", rejection_text(message));
        }
        let affected: Vec<&str> = resources
            .iter()
            .filter(|r| r.sidecarsets.contains_key(&impact.name))
            .map(|r| r.name.as_str())
            .collect();
        if affected.is_empty() {
            let _ = writeln!(out, "    Rendered workloads that change: none");
        } else {
            let _ = writeln!(
                out,
                "    Rendered workloads that change: {}",
                affected.join(", ")
            );
        }
    }
}

fn impact_annotation(
    impact: &Impact,
    locations: &BTreeMap<String, Location>,
    rejected: Option<&Vec<String>>,
) -> Annotation {
    let level = match impact.kind {
        _ if rejected.is_some() => Level::Error,
        ImpactKind::NotUpgradable | ImpactKind::Removed => Level::Warning,
        _ => Level::Notice,
    };
    let mut message = String::new();
    for change in &impact.changes {
        let _ = writeln!(message, "- {change}");
    }
    message.push_str(&impact.statement);
    for m in rejected.into_iter().flatten() {
        let _ = write!(message, "\n{}", rejection_text(m));
    }
    let title = format!("SidecarSet {}: {}", impact.name, impact.summary);
    match locations.get(&impact.name) {
        Some(l) => Annotation::new(level, &l.file, l.line, title, message),
        None => Annotation {
            level,
            file: None,
            line: 1,
            title,
            message,
        },
    }
}

/// `added`, `replaced` (`changed` with --old-sidecarsets) or `removed`.
fn delta_word(delta: Delta, replaced: &str) -> &str {
    match delta {
        Delta::Added => "added",
        Delta::Replaced => replaced,
        Delta::Removed => "removed",
    }
}

/// What rendering does to a resource as a whole: `injected` (only additions), `removed` (only
/// removals), `updated` (anything else in the pod lists), `annotations` (no list changes).
fn change_kind(resource: &ResourceChange) -> &'static str {
    let deltas: Vec<Delta> = resource
        .sidecarsets
        .values()
        .chain(std::iter::once(&resource.other))
        .flatten()
        .map(|(_, _, d)| *d)
        .collect();
    if deltas.is_empty() {
        "annotations"
    } else if deltas.iter().all(|d| *d == Delta::Added) {
        "injected"
    } else if deltas.iter().all(|d| *d == Delta::Removed) {
        "removed"
    } else {
        "updated"
    }
}

/// `image-only`, `not-upgradable`, `no-rollout`, `added` or `removed`.
fn impact_word(kind: ImpactKind) -> &'static str {
    match kind {
        ImpactKind::ImageOnly => "image-only",
        ImpactKind::NotUpgradable => "not-upgradable",
        ImpactKind::NoRollout => "no-rollout",
        ImpactKind::Added => "added",
        ImpactKind::Removed => "removed",
    }
}

/// The contract of `diff -o json`: one object,
/// `{"resources": [...], "sidecarsets": [...], "summary": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DiffJson<'a> {
    /// Each pod and workload whose rendering changes, in input order.
    pub resources: Vec<DiffResourceJson<'a>>,
    /// With `--old-sidecarsets`: each SidecarSet that differs between the old and the new ones
    /// (or whose update Kruise rejects), sorted by name; else `[]`.
    pub sidecarsets: Vec<DiffSidecarSetJson<'a>>,
    /// The counts.
    pub summary: DiffSummaryJson,
}

/// One pod or workload whose rendering changes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiffResourceJson<'a> {
    /// Its `apiVersion`.
    pub api_version: &'a str,
    /// Its `kind`.
    pub kind: &'a str,
    /// Its namespace (`--namespace` when it has none).
    pub namespace: &'a str,
    /// Its name.
    pub name: &'a str,
    /// Its input file.
    pub file: &'a str,
    /// The line of the resource in its file.
    pub line: usize,
    /// The first line of the input that the diff changes, when diffing against the input
    /// (without `--old-sidecarsets`) and the resource is alone in its document; else `null`.
    pub changed_line: Option<usize>,
    /// What rendering does to it: `injected` (only additions to its pod lists), `removed` (only
    /// removals), `updated` (anything else in the pod lists) or `annotations` (no list changes).
    pub change: &'static str,
    /// The SidecarSets whose entry in `kruise.io/sidecarset-hash` changes, sorted by name, each
    /// with what it changes.
    pub sidecarsets: Vec<DiffResourceSidecarSetJson<'a>>,
    /// Changes to the pod lists no changed SidecarSet accounts for.
    pub other: Vec<DiffEntryJson<'a>>,
}

/// What one SidecarSet changes in one pod or workload.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DiffResourceSidecarSetJson<'a> {
    /// The SidecarSet.
    pub name: &'a str,
    /// With `--old-sidecarsets`, what the change of the SidecarSet does to running pods:
    /// `image-only`, `not-upgradable`, `no-rollout`, `added` or `removed`; else `null`.
    pub impact: Option<&'static str>,
    /// The entries it adds, changes or removes, in the order of the pod lists.
    pub entries: Vec<DiffEntryJson<'a>>,
}

/// One entry of a pod list that changes:
/// `{"list": "containers", "name": "filebeat", "change": "added"}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DiffEntryJson<'a> {
    /// `containers`, `initContainers`, `volumes` or `imagePullSecrets`.
    pub list: &'static str,
    /// The entry's `name`.
    pub name: &'a str,
    /// `added`, `replaced` (`changed` with `--old-sidecarsets`) or `removed`.
    pub change: &'a str,
}

/// One SidecarSet that changes (`--old-sidecarsets`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DiffSidecarSetJson<'a> {
    /// Its name.
    pub name: &'a str,
    /// What the change does to running pods: `image-only`, `not-upgradable`, `no-rollout`,
    /// `added` or `removed`.
    pub impact: &'static str,
    /// A short summary (`image-only change: in-place upgrade`, `no rollout`, ...).
    pub summary: &'a str,
    /// What changed, one item each (`container filebeat: image a -> b`, `volumes`, ...).
    pub changes: &'a [String],
    /// What Kruise does to pods that run now, and to new pods.
    pub statement: &'a str,
    /// Why Kruise's validating webhook rejects the update, each message with its advice; `[]`
    /// when it accepts it.
    pub rejected: &'a [String],
    /// The file that defines it (the new definition, else the old one); `null` when unknown.
    pub file: Option<&'a str>,
    /// The line of that definition; `null` when unknown.
    pub line: Option<usize>,
    /// The rendered pods and workloads it changes (as in the text: `apps/v1 Deployment
    /// default/nginx`), in input order.
    pub workloads: Vec<&'a str>,
}

/// The counts of `diff -o json`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DiffSummaryJson {
    /// Pods and workloads read.
    pub workloads: usize,
    /// Pods and workloads whose rendering changes.
    pub changed: usize,
    /// Input files with a change.
    pub files: usize,
}

/// The `diff -o json` contract of what `diff` found.
fn json_report<'a>(
    resources: &[&'a ResourceChange],
    found: &'a Comparison,
    replaced: &'a str,
) -> DiffJson<'a> {
    let entries = |list: &'a [(usize, String, Delta)]| -> Vec<DiffEntryJson<'a>> {
        list.iter()
            .map(|(l, name, delta)| DiffEntryJson {
                list: LISTS[*l].0,
                name,
                change: delta_word(*delta, replaced),
            })
            .collect()
    };
    let impact_of = |name: &str| {
        found
            .impacts
            .iter()
            .find(|i| i.name == name)
            .map(|i| impact_word(i.kind))
    };
    let resources_json = resources
        .iter()
        .map(|r| {
            let [api_version, kind, namespace, name] = &r.identity;
            DiffResourceJson {
                api_version,
                kind,
                namespace,
                name,
                file: &r.location.file,
                line: r.location.line,
                changed_line: r.changed_line,
                change: change_kind(r),
                sidecarsets: r
                    .sidecarsets
                    .iter()
                    .map(|(ss, list)| DiffResourceSidecarSetJson {
                        name: ss,
                        impact: impact_of(ss),
                        entries: entries(list),
                    })
                    .collect(),
                other: entries(&r.other),
            }
        })
        .collect();
    let sidecarsets = found
        .impacts
        .iter()
        .map(|i| {
            let location = found.locations.get(&i.name);
            DiffSidecarSetJson {
                name: &i.name,
                impact: impact_word(i.kind),
                summary: &i.summary,
                changes: &i.changes,
                statement: &i.statement,
                rejected: found.rejected.get(&i.name).map_or(&[], Vec::as_slice),
                file: location.map(|l| l.file.as_str()),
                line: location.map(|l| l.line),
                workloads: resources
                    .iter()
                    .filter(|r| r.sidecarsets.contains_key(&i.name))
                    .map(|r| r.name.as_str())
                    .collect(),
            }
        })
        .collect();
    DiffJson {
        resources: resources_json,
        sidecarsets,
        summary: DiffSummaryJson {
            workloads: found.workloads,
            changed: resources.len(),
            files: found.files.len(),
        },
    }
}

/// The Markdown job summary of a GitHub Actions step.
fn step_summary(resources: &[&ResourceChange], found: &Comparison, replaced: &str) -> String {
    let mut out = String::from("### kruise-inject diff\n\n");
    if resources.is_empty() {
        let _ = writeln!(
            out,
            "No workload changes ({} pods and workloads read).\n",
            found.workloads
        );
    } else {
        let _ = writeln!(
            out,
            "**{} of {} pods and workloads change** ({}).\n",
            resources.len(),
            found.workloads,
            count(found.files.len(), "file")
        );
        out.push_str("| resource | file | change | what changes |\n|---|---|---|---|\n");
        for r in resources {
            let _ = writeln!(
                out,
                "| `{}` | `{}:{}` | {} | {} |",
                github::cell(&r.name),
                github::cell(&r.location.file),
                r.changed_line.unwrap_or(r.location.line),
                change_kind(r),
                github::cell(&effects_text(r, replaced))
            );
        }
        out.push('\n');
    }
    if !found.impacts.is_empty() {
        out.push_str("#### SidecarSet changes\n\n");
        for i in &found.impacts {
            let at = found
                .locations
                .get(&i.name)
                .map(|l| format!(" (`{}:{}`)", l.file, l.line))
                .unwrap_or_default();
            let _ = writeln!(out, "- **{}**{at}: {}. {}", i.name, i.summary, i.statement);
            for change in &i.changes {
                let _ = writeln!(out, "  - {change}");
            }
            for message in found.rejected.get(&i.name).into_iter().flatten() {
                let _ = writeln!(out, "  - **{}**", rejection_text(message));
            }
        }
        out.push('\n');
    }
    out
}

/// `filebeat-sidecarset (containers added: filebeat; volumes added: config, varlog)`.
fn effects_text(resource: &ResourceChange, replaced: &str) -> String {
    let group = |entries: &[(usize, String, Delta)]| -> String {
        let mut groups: BTreeMap<(usize, Delta), Vec<&str>> = BTreeMap::new();
        for (list, name, delta) in entries {
            groups.entry((*list, *delta)).or_default().push(name);
        }
        groups
            .iter()
            .map(|((list, delta), names)| {
                let verb = match delta {
                    Delta::Added => "added",
                    Delta::Replaced => replaced,
                    Delta::Removed => "removed",
                };
                format!("{} {verb}: {}", LISTS[*list].1, names.join(", "))
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut parts: Vec<String> = resource
        .sidecarsets
        .iter()
        .map(|(name, entries)| {
            if entries.is_empty() {
                format!("{name} (annotations only)")
            } else {
                format!("{name} ({})", group(entries))
            }
        })
        .collect();
    if !resource.other.is_empty() {
        parts.push(format!("other ({})", group(&resource.other)));
    }
    if parts.is_empty() {
        "annotations only".to_owned()
    } else {
        parts.join(", ")
    }
}

/// Which SidecarSet brings which container, volume and pull secret: from the new cluster, then the
/// old one.
struct Owners<'c> {
    new: &'c Cluster,
    old: Option<&'c Cluster>,
}

impl<'c> Owners<'c> {
    fn new(new: &'c Cluster, old: Option<&'c Cluster>) -> Self {
        Self { new, old }
    }

    fn sidecarset(&self, name: &str) -> Option<&'c SidecarSet> {
        self.new
            .sidecarset(name)
            .or_else(|| self.old.and_then(|c| c.sidecarset(name)))
    }

    /// Does SidecarSet `ss` put an entry called `entry` into pod list `list`?
    fn owns(&self, ss: &str, list: usize, entry: &str) -> bool {
        let Some(ss) = self.sidecarset(ss) else {
            return false;
        };
        let named = |values: &[Value]| {
            values
                .iter()
                .any(|v| v.get("name").and_then(Value::as_str) == Some(entry))
        };
        match LISTS[list].0 {
            "containers" => ss.spec.containers.iter().any(|c| {
                c.name() == entry
                    || (c.upgrade_type() == "HotUpgrade"
                        && [format!("{}-1", c.name()), format!("{}-2", c.name())]
                            .iter()
                            .any(|n| n == entry))
            }),
            "initContainers" => ss.spec.init_containers.iter().any(|c| c.name() == entry),
            "volumes" => named(&ss.spec.volumes),
            _ => named(&ss.spec.image_pull_secrets),
        }
    }
}

/// The documents of one file whose text changes between `before` and `after`.
fn document_diffs(
    file: &ParsedFile,
    before: String,
    after: String,
    owners: &Owners<'_>,
    default_namespace: &str,
) -> anyhow::Result<Vec<DocumentDiff>> {
    let before = if before == file.text {
        None
    } else {
        Some(ParsedFile::parse(file.name.clone(), before)?)
    };
    let before = before.as_ref().unwrap_or(file);
    let after = ParsedFile::parse(file.name.clone(), after)?;
    let whole = |resources| DocumentDiff {
        resources,
        file: file.name.clone(),
        line: 1,
        before: before.text.clone(),
        before_line: 1,
        after: after.text.clone(),
        after_line: 1,
    };
    let sources = file.objects()?;
    let olds = before.objects()?;
    let news = after.objects()?;
    let aligned = before.documents.len() == after.documents.len()
        && sources.len() == olds.len()
        && olds.len() == news.len();
    if !aligned {
        // Rendering never adds or removes documents; should it ever, show the file as one diff.
        return Ok(vec![whole(Vec::new())]);
    }
    let mut out = Vec::new();
    for (index, (b, a)) in before.documents.iter().zip(&after.documents).enumerate() {
        let before_text = &before.text[b.span.clone()];
        let after_text = &after.text[a.span.clone()];
        if before_text == after_text {
            continue;
        }
        let resources = sources
            .iter()
            .zip(&olds)
            .zip(&news)
            .filter(|((s, o), n)| s.document == index && o.value != n.value)
            .map(|((s, o), n)| resource_change(s, o, n, owners, default_namespace))
            .collect();
        let line = line_of_offset(
            &file.text,
            file.documents.get(index).map_or(0, |d| d.span.start),
        );
        out.push(DocumentDiff {
            resources,
            file: file.name.clone(),
            line,
            before: before_text.to_owned(),
            before_line: line_of_offset(&before.text, b.span.start),
            after: after_text.to_owned(),
            after_line: line_of_offset(&after.text, a.span.start),
        });
    }
    if out.is_empty() {
        // Only text between documents changed (never done by render).
        out.push(whole(Vec::new()));
    }
    Ok(out)
}

/// The pod (or pod template) of an object.
fn pod_of(value: &Value) -> Option<&Value> {
    let api = value
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let kind = value.get("kind").and_then(Value::as_str).unwrap_or("");
    let at = |path: &[&str]| path.iter().try_fold(value, |v, key| v.get(key));
    match pod_location(api, kind)? {
        PodLocation::Pod => Some(value),
        PodLocation::Template(path) => at(path),
        PodLocation::FirstOf(paths) => paths.iter().find_map(|p| at(p)),
    }
}

/// The entries of `kruise.io/sidecarset-hash` of a pod, by SidecarSet name.
fn hash_entries(pod: Option<&Value>) -> BTreeMap<String, Value> {
    pod.and_then(|p| p.pointer("/metadata/annotations"))
        .and_then(|a| a.get(HASH_ANNOTATION))
        .and_then(Value::as_str)
        .and_then(|text| serde_json::from_str::<Value>(text).ok())
        .and_then(|v| v.as_object().cloned())
        .map(|m| m.into_iter().collect())
        .unwrap_or_default()
}

/// What changes in one object between `old` and `new`.
fn resource_change(
    source: &Object<'_>,
    old: &Object<'_>,
    new: &Object<'_>,
    owners: &Owners<'_>,
    default_namespace: &str,
) -> ResourceChange {
    let old_pod = pod_of(&old.value);
    let new_pod = pod_of(&new.value);
    let old_entries = hash_entries(old_pod);
    let new_entries = hash_entries(new_pod);
    let mut sidecarsets: BTreeMap<String, Vec<(usize, String, Delta)>> = BTreeMap::new();
    for (name, entry) in &new_entries {
        if old_entries.get(name) != Some(entry) {
            sidecarsets.insert(name.clone(), Vec::new());
        }
    }
    for name in old_entries.keys() {
        if !new_entries.contains_key(name) {
            sidecarsets.insert(name.clone(), Vec::new());
        }
    }
    let mut other = Vec::new();
    for (list, (key, _)) in LISTS.iter().enumerate() {
        let entries = |pod: Option<&Value>| -> Vec<(String, Value)> {
            pod.and_then(|p| p.pointer(&format!("/spec/{key}")))
                .and_then(Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .map(|v| {
                            let name = v.get("name").and_then(Value::as_str).unwrap_or("");
                            (name.to_owned(), v.clone())
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let before = entries(old_pod);
        let after = entries(new_pod);
        let find = |list: &[(String, Value)], name: &str| {
            list.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
        };
        let mut deltas = Vec::new();
        for (name, value) in &after {
            match find(&before, name) {
                None => deltas.push((name.clone(), Delta::Added)),
                Some(v) if v != *value => deltas.push((name.clone(), Delta::Replaced)),
                Some(_) => {}
            }
        }
        for (name, _) in &before {
            if find(&after, name).is_none() {
                deltas.push((name.clone(), Delta::Removed));
            }
        }
        for (name, delta) in deltas {
            let owner = sidecarsets
                .keys()
                .find(|ss| owners.owns(ss, list, &name))
                .cloned();
            match owner {
                Some(ss) => sidecarsets.entry(ss).or_default().push((list, name, delta)),
                None => other.push((list, name, delta)),
            }
        }
    }
    ResourceChange {
        name: source.display_name(default_namespace),
        identity: [
            source.api_version().to_owned(),
            source.kind().to_owned(),
            source.namespace().unwrap_or(default_namespace).to_owned(),
            source.name().to_owned(),
        ],
        changed_line: None,
        location: source.location.clone(),
        sidecarsets,
        other,
    }
}
