//! `kruise-inject rollout`: how the SidecarSet controller upgrades sidecars of running pods in
//! place, round by round (`pkg/controller/sidecarset`).
//!
//! The Kruise semantics are pure functions in [`crate::kruise::rollout`], one concept a module: the
//! pod state the controller reads (`pod`, `annotations`), which pods it manages (`matching`), the
//! status it reports (`status`), the pods a round upgrades (`strategy`, ordered by `sort` and
//! `scatter`), what an upgrade does to a pod (`upgrade`, `hot_upgrade`), rounds (`simulate`). This
//! module reads the inputs and prints ([`output`]).

pub mod from_workloads;
pub mod output;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::PathBuf;
use std::str::FromStr;

use anyhow::Context as _;

use self::output::{Format, Report};
use crate::commands::ExitStatus;
use crate::commands::args::{
    self, ContextArgs, FormatArg, InjectionArgs, OldSidecarSetsArg, QuietArg, WalkArgs,
};
use crate::kruise::cluster::Cluster;
use crate::kruise::features::FeatureGates;
use crate::kruise::rng::Rng;
use crate::kruise::rollout::matching::{Skip, matching_pods};
use crate::kruise::rollout::pod::Pod;
use crate::kruise::rollout::{annotations, hot_upgrade, simulate};
use crate::kruise::selector::PartialMatch;
use crate::kruise::sidecarset::{HASH_ANNOTATION, HASH_WITHOUT_IMAGE_ANNOTATION, SidecarSet};
use crate::kruise::workload::{PodLocation, pod_location};
use crate::pipeline::engine::{
    Reader, UndecidedSummary, UndecidedWorkload, all_sources, expand_context, expand_paths,
    gather_cluster, gather_cluster_once, name_broken_files, old_cluster as old_cluster_of,
};
use crate::pipeline::input::{self, Source};
use crate::pipeline::objects::{DocumentError, Object};

/// `kruise-inject rollout`.
#[derive(Debug, Clone, clap::Args)]
#[command(mut_arg("sidecarsets", |a| a.help(
    "The SidecarSets to roll out (usually the new version), and the Namespaces their \
     namespaceSelector needs (file or directory; repeatable)"
)))]
#[command(mut_arg("old_sidecarsets", |a| a.requires("from_workloads").help(
    "With --from-workloads: the SidecarSets the pods were created with (before the change), and \
     the Namespaces and ControllerRevisions they need (file or directory; repeatable)"
)))]
#[command(mut_arg("output", |a| a.help(
    "Output: `table` (a readable plan), `json` (per SidecarSet the status and the pods of each \
     round), `yaml` (the pods after the rounds, as a List `rollout` reads back)"
)))]
#[command(mut_arg("timestamp", |a| a.help(
    "Time the controller writes into annotations (RFC 3339, or `now`). Default: \
     SOURCE_DATE_EPOCH if set, else 1970-01-01T00:00:00Z, so that output is deterministic"
)))]
#[command(mut_arg("seed", |a| a.help(
    "Seed of the random draw of the `Partial` revision policy (--from-workloads injection)"
)))]
#[command(mut_arg("quiet", |a| a.help("Do not print warnings and notes on standard error")))]
pub struct RolloutArgs {
    /// Pods as the cluster reports them (`kubectl get pods -A -o yaml`, a List; or Pod documents),
    /// or with --from-workloads the workloads. Files or directories (walked for .yaml, .yml and
    /// .json files in sorted order); `-` or nothing reads standard input. SidecarSets and Namespaces
    /// among them apply too.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// The context (`-s`, `-n`, `--kruise-namespace`, `--feature-gates`).
    #[command(flatten)]
    pub context: ContextArgs,

    /// How directories are walked.
    #[command(flatten)]
    pub walk: WalkArgs,

    /// Plan from workloads instead of pods: each workload becomes `replicas` pods named
    /// <workload>-<i>, Running and Ready, injected with the SidecarSets of --old-sidecarsets.
    #[arg(long)]
    pub from_workloads: bool,

    /// `--old-sidecarsets` (requires --from-workloads).
    #[command(flatten)]
    pub old_sidecarsets: OldSidecarSetsArg,

    /// How many rounds to simulate: a number, or `all` (until nothing is left to do). Between
    /// rounds every upgraded sidecar is assumed to restart and its pod to become ready.
    #[arg(long, value_name = "N|all", default_value = "1")]
    pub rounds: crate::commands::rollout::Rounds,

    /// `-o`.
    #[command(flatten)]
    pub output: FormatArg<Format>,

    /// `--timestamp` (the controller's time) and `--seed`.
    #[command(flatten)]
    pub injection: InjectionArgs,

    /// Table output: show every round (runs of four or more rounds that upgrade the same number
    /// of pods the same way are otherwise shown as one entry listing the first pods).
    #[arg(long)]
    pub verbose: bool,

    /// `-q`.
    #[command(flatten)]
    pub quiet: QuietArg,
}

/// `rollout`'s settings: [`RolloutArgs`] resolved.
#[derive(Debug, Clone)]
pub struct RolloutSettings {
    /// PATH.
    pub paths: Vec<PathBuf>,
    /// `-s`.
    pub sidecarsets: Vec<PathBuf>,
    /// How directories are walked.
    pub walk: input::Walk,
    /// `--from-workloads`.
    pub from_workloads: bool,
    /// `--old-sidecarsets`.
    pub old_sidecarsets: Vec<PathBuf>,
    /// `--rounds`.
    pub rounds: Rounds,
    /// `-o`.
    pub output: Format,
    /// `-n`.
    pub namespace: String,
    /// The controller's time (`--timestamp`, SOURCE_DATE_EPOCH).
    pub now: String,
    /// `--kruise-namespace`.
    pub kruise_namespace: String,
    /// `--feature-gates`.
    pub feature_gates: FeatureGates,
    /// `--seed`.
    pub seed: u64,
    /// `--verbose`.
    pub verbose: bool,
    /// `-q`.
    pub quiet: bool,
}

impl RolloutArgs {
    /// The settings these arguments ask for, given `SOURCE_DATE_EPOCH`; an invalid timestamp or
    /// --exclude pattern is an error.
    pub fn resolve(&self, source_date_epoch: Option<&str>) -> anyhow::Result<RolloutSettings> {
        Ok(RolloutSettings {
            now: self.injection.timestamp(source_date_epoch)?,
            walk: self.walk.walk()?,
            paths: self.paths.clone(),
            sidecarsets: self.context.sidecarsets.clone(),
            from_workloads: self.from_workloads,
            old_sidecarsets: self.old_sidecarsets.old_sidecarsets.clone(),
            rounds: self.rounds,
            output: self.output.output,
            namespace: self.context.namespace.clone(),
            kruise_namespace: self.context.kruise_namespace.clone(),
            feature_gates: self.context.feature_gates.clone().unwrap_or_default(),
            seed: self.injection.seed,
            verbose: self.verbose,
            quiet: self.quiet.quiet,
        })
    }
}

/// `--rounds`: a number, or `all` (`None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rounds(pub Option<usize>);

impl FromStr for Rounds {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "all" {
            return Ok(Rounds(None));
        }
        s.parse()
            .map(|n| Rounds(Some(n)))
            .map_err(|_| format!("expected a number of rounds or `all`, found {s:?}"))
    }
}

/// What a run prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Standard output.
    pub stdout: String,
    /// Lines for standard error (warnings and notes).
    pub reports: Vec<String>,
    /// Lines for standard error even with `-q`: what could not be decided.
    pub undecided: Vec<String>,
}

/// Runs `rollout` as the command line asks: exit code 0, or an error (exit 2, nothing on stdout).
pub fn run(args: &RolloutArgs) -> anyhow::Result<ExitStatus> {
    let settings = args.resolve(args::source_date_epoch().as_deref())?;
    let outcome = execute(&settings)?;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(outcome.stdout.as_bytes())
        .and_then(|()| stdout.flush())
        .context("writing stdout")?;
    let mut stderr = std::io::stderr().lock();
    if !settings.quiet {
        for line in outcome.reports {
            let _ = writeln!(stderr, "{line}");
        }
    }
    for line in outcome.undecided {
        let _ = writeln!(stderr, "{line}");
    }
    Ok(ExitStatus::Success)
}

/// Reads the inputs, simulates, and renders the output (no printing).
pub fn execute(settings: &RolloutSettings) -> anyhow::Result<Outcome> {
    let now = &settings.now;
    let walk = &settings.walk;
    let mut reports = Vec::new();
    let sources = expand_paths(walk, &settings.paths, &mut reports)?;
    let context = expand_context(walk, &settings.sidecarsets, &mut reports)?;
    let mut reader = Reader::default();
    // Each input read once, each pod reduced to what the controller reads as soon as it is read
    // (issue 14); on any problem, read as before, which reports it as before.
    let mut read = PodsRead::default();
    let once = if settings.from_workloads {
        None
    } else {
        gather_cluster_once(
            &context,
            &sources,
            &settings.kruise_namespace,
            &settings.feature_gates,
            &mut reader,
            &mut reports,
            |object| read.add(object, &settings.namespace),
        )
    };
    let read_once = once.is_some();
    let cluster = match once {
        Some(cluster) => cluster,
        None => gather_cluster(
            &context,
            &sources,
            &settings.kruise_namespace,
            &settings.feature_gates,
            &mut reader,
            &mut reports,
        )
        .map_err(|e| name_broken_files(e, &all_sources(&context, &sources)))?,
    };
    // As `health`: a plan with no SidecarSet would be an empty table with exit 0, which reads as
    // "nothing to upgrade" when the SidecarSets were simply not given.
    anyhow::ensure!(
        !cluster.sidecarsets.is_empty(),
        "no SidecarSet (apps.kruise.io) in the inputs: give the SidecarSets to roll out with -s \
         (a file or directory, or `kubectl get sidecarset -o yaml`), or among the PATHs"
    );
    let mut changed_fields = BTreeMap::new();
    let mut undecided = UndecidedSummary::default();
    let mut pods = if settings.from_workloads {
        let old = old_cluster(settings, &cluster, &mut reader, &mut reports)?;
        for ss in &cluster.sidecarsets {
            if let Some(old_ss) = old.sidecarset(&ss.name) {
                changed_fields.insert(
                    ss.name.clone(),
                    from_workloads::sidecar_field_changes(old_ss, ss),
                );
            }
        }
        pods_from_workloads(
            settings,
            &sources,
            &old,
            now,
            &mut reader,
            &mut reports,
            &mut undecided,
        )?
    } else if read_once {
        read.finish(&mut reports)
    } else {
        read_pods(settings, &sources, &mut reader, &mut reports)?
    };
    let mut seen = BTreeSet::new();
    for pod in &pods {
        anyhow::ensure!(
            seen.insert(pod.key()),
            "pod {} appears twice among the inputs: give each pod once",
            pod.key()
        );
    }
    let sidecarsets = cluster.sidecarsets.clone();
    // A SidecarSet Kruise's validating webhook rejects is an error of `gather_cluster` (exit 2).
    reports.extend(input_notes(&sidecarsets, &pods, &cluster));
    let undecided: Vec<String> = undecided
        .line()
        .into_iter()
        .chain(unmanaged_unknown(&sidecarsets, &pods, &cluster))
        .collect();
    let runs = simulate::simulate(
        &sidecarsets,
        &mut pods,
        &cluster.namespaces,
        settings.rounds.0,
        now,
    );
    let report = Report {
        sidecarsets: &sidecarsets,
        runs: &runs,
        pods: &pods,
        changed_fields: &changed_fields,
        verbose: settings.verbose,
    };
    let stdout = match settings.output {
        Format::Table => output::table(&report),
        Format::Json => output::json(&report),
        Format::Yaml => output::yaml(&pods),
    };
    Ok(Outcome {
        stdout,
        reports,
        undecided,
    })
}

/// The cluster before the change, where `--from-workloads` creates the pods.
fn old_cluster(
    settings: &RolloutSettings,
    cluster: &Cluster,
    reader: &mut Reader,
    reports: &mut Vec<String>,
) -> anyhow::Result<Cluster> {
    let old_sources = expand_context(&settings.walk, &settings.old_sidecarsets, reports)?;
    if old_sources.is_empty() {
        reports.push(
            "warning: --from-workloads without --old-sidecarsets: the pods are created with no \
             SidecarSet, so none of them is injected and nothing is upgraded in place; give the \
             SidecarSets before the change with --old-sidecarsets"
                .to_owned(),
        );
    }
    old_cluster_of(cluster, &old_sources, reader, reports)
}

fn pods_from_workloads(
    settings: &RolloutSettings,
    sources: &[Source],
    old: &Cluster,
    now: &str,
    reader: &mut Reader,
    reports: &mut Vec<String>,
    undecided: &mut UndecidedSummary,
) -> anyhow::Result<Vec<Pod>> {
    let mut rng = Rng::new(settings.seed);
    let mut pods = Vec::new();
    reader.for_each_object(sources, |object| {
        let Some(made) =
            from_workloads::workload_pods(&object.value, &settings.namespace, old, &mut rng, now)
                .map_err(|e| object.error(e))?
        else {
            return Ok(());
        };
        if let Some(note) = &made.note {
            reports.push(format!(
                "{}:{}: {}: note: {note}",
                object.location.file,
                object.location.line,
                object.display_name(&settings.namespace)
            ));
        }
        if let Some(u) = made.undecided {
            reports.push(format!(
                "{}:{}: {}: warning: its pods were created with --old-sidecarsets: {u}",
                object.location.file,
                object.location.line,
                object.display_name(&settings.namespace)
            ));
            undecided.add(&[UndecidedWorkload {
                location: object.location.clone(),
                resource: object.display_name(&settings.namespace),
                undecided: u,
            }]);
        }
        for value in &made.pods {
            pods.push(Pod::from_value(value, &settings.namespace).map_err(|e| object.error(e))?);
        }
        Ok(())
    })?;
    Ok(pods)
}

fn read_pods(
    settings: &RolloutSettings,
    sources: &[Source],
    reader: &mut Reader,
    reports: &mut Vec<String>,
) -> anyhow::Result<Vec<Pod>> {
    let mut read = PodsRead::default();
    reader.for_each_object(sources, |object| Ok(read.add(object, &settings.namespace)?))?;
    Ok(read.finish(reports))
}

/// The pods of the inputs, each reduced to what the controller reads ([`Pod`]) as soon as it is
/// read, and the workloads among them (ignored).
#[derive(Debug, Default)]
struct PodsRead {
    pods: Vec<Pod>,
    workloads: Vec<String>,
}

impl PodsRead {
    fn add(&mut self, object: &Object<'_>, namespace: &str) -> Result<(), DocumentError> {
        match pod_location(object.api_version(), object.kind()) {
            Some(PodLocation::Pod) => self
                .pods
                .push(Pod::from_value(&object.value, namespace).map_err(|e| object.error(e))?),
            Some(_) => self.workloads.push(object.display_name(namespace)),
            None => {}
        }
        Ok(())
    }

    /// The pods; a note on the workloads ignored goes to `reports`.
    fn finish(self, reports: &mut Vec<String>) -> Vec<Pod> {
        let workloads = self.workloads;
        if !workloads.is_empty() {
            reports.push(format!(
                "note: {} ignored ({}{}): rollout reads Pods; to plan from workloads, use --from-workloads with --old-sidecarsets",
                if workloads.len() == 1 { "1 workload".to_owned() } else { format!("{} workloads", workloads.len()) },
                workloads.iter().take(3).cloned().collect::<Vec<_>>().join(", "),
                if workloads.len() > 3 { ", ..." } else { "" }
            ));
        }
        self.pods
    }
}

/// The summary line (printed even with `-q`) for the pods a SidecarSet's `selector` selects whose
/// namespace its `namespaceSelector` may or may not select: their Namespace objects are missing.
fn unmanaged_unknown(
    sidecarsets: &[SidecarSet],
    pods: &[Pod],
    cluster: &Cluster,
) -> Option<String> {
    let mut names = BTreeSet::new();
    let mut namespaces = BTreeSet::new();
    let mut labels = BTreeSet::new();
    let mut count = BTreeSet::new();
    for ss in sidecarsets {
        let Ok(matching) = matching_pods(ss, pods, &cluster.namespaces) else {
            continue;
        };
        for (i, skip) in &matching.skipped {
            if *skip != Skip::NamespaceUnknown {
                continue;
            }
            names.insert(ss.name.clone());
            namespaces.insert(pods[*i].namespace.clone());
            count.insert(*i);
            if let Some(selector) = &ss.spec.namespace_selector
                && let Ok(PartialMatch::Unknown(keys)) =
                    cluster.namespace_selected(&pods[*i].namespace, selector)
            {
                labels.extend(keys);
            }
        }
    }
    if names.is_empty() {
        return None;
    }
    let join = |set: &BTreeSet<String>, sep: &str| {
        set.iter().map(String::as_str).collect::<Vec<_>>().join(sep)
    };
    let one = names.len() == 1;
    let (what, verb, needs) = if one {
        ("SidecarSet", "manages", "its namespaceSelector needs")
    } else {
        ("SidecarSets", "manage", "their namespaceSelectors need")
    };
    let pods = if count.len() == 1 {
        "1 pod".to_owned()
    } else {
        format!("{} pods", count.len())
    };
    let in_namespaces = if namespaces.len() == 1 {
        "namespace"
    } else {
        "namespaces"
    };
    let label_word = if labels.len() == 1 { "label" } else { "labels" };
    Some(format!(
        "warning: unknown whether {what} {} {verb} {pods} in {in_namespaces} {}: {needs} {label_word} {} of Namespaces not among the inputs, so they are simulated as not managed; give the Namespace objects with -s (kubectl get namespace {} -o yaml > namespaces.yaml)",
        join(&names, ", "),
        join(&namespaces, ", "),
        join(&labels, ", "),
        join(&namespaces, " "),
    ))
}

/// Warnings about the inputs: pods without the status or annotations the controller needs.
fn input_notes(sidecarsets: &[SidecarSet], pods: &[Pod], cluster: &Cluster) -> Vec<String> {
    let mut notes = Vec::new();
    let list = |idx: &[&Pod]| {
        let mut names: Vec<String> = idx.iter().take(5).map(|p| p.key()).collect();
        if idx.len() > 5 {
            names.push(format!("... ({} in all)", idx.len()));
        }
        names.join(", ")
    };
    for ss in sidecarsets {
        if hot_upgrade::has_hot_upgrade_container(ss) && ss.resource_version.is_none() {
            notes.push(format!(
                "SidecarSet {}: note: no metadata.resourceVersion; the hot-upgrade version annotations get \"\" where the cluster writes it",
                ss.name
            ));
        }
        let Ok(matching) = matching_pods(ss, pods, &cluster.namespaces) else {
            continue;
        };
        let without: Vec<&Pod> = matching
            .matched
            .iter()
            .map(|&i| &pods[i])
            .filter(|p| {
                annotations::pod_upgrade_spec(
                    &p.annotations,
                    HASH_WITHOUT_IMAGE_ANNOTATION,
                    &ss.name,
                )
                .hash
                .is_empty()
            })
            .collect();
        if !without.is_empty() {
            notes.push(format!(
                "SidecarSet {}: warning: {} no {HASH_WITHOUT_IMAGE_ANNOTATION} entry for it, so the controller finds {} not upgradable: {}",
                ss.name,
                if without.len() == 1 { "1 pod has".to_owned() } else { format!("{} pods have", without.len()) },
                if without.len() == 1 { "it" } else { "them" },
                list(&without)
            ));
        }
    }
    for pod in pods {
        for key in [HASH_ANNOTATION, HASH_WITHOUT_IMAGE_ANNOTATION] {
            if let Some(problem) = annotations::hash_annotation_problem(&pod.annotations, key) {
                notes.push(format!(
                    "pod {}: warning: annotation {key} cannot be read ({problem}); the controller sees no entry in it",
                    pod.key()
                ));
            }
        }
    }
    let no_status: Vec<&Pod> = pods.iter().filter(|p| p.phase.is_empty()).collect();
    if !no_status.is_empty() {
        notes.push(format!(
            "note: {} no status (kubectl get pods -o yaml includes it): taken as not running and not ready: {}",
            if no_status.len() == 1 { "1 pod has".to_owned() } else { format!("{} pods have", no_status.len()) },
            list(&no_status)
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: RolloutArgs,
    }

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from([
            "x",
            "pods.yaml",
            "-s",
            "ss.yaml",
            "--rounds",
            "all",
            "-o",
            "json",
        ])
        .expect("valid");
        assert_eq!(cli.args.rounds, Rounds(None));
        assert_eq!(cli.args.output.output, Format::Json);
        let cli = Cli::try_parse_from(["x"]).expect("defaults");
        assert_eq!(cli.args.rounds, Rounds(Some(1)));
        assert!(Cli::try_parse_from(["x", "--rounds", "many"]).is_err());
        assert!(
            Cli::try_parse_from(["x", "--old-sidecarsets", "old"]).is_err(),
            "needs --from-workloads"
        );
    }
}
