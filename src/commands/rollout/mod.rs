//! `kruise-inject rollout`: how the SidecarSet controller upgrades sidecars of running pods in
//! place, round by round (semantics §7).
//!
//! The Kruise semantics are pure functions, one concept a module: the pod state the controller
//! reads ([`pod`], [`annotations`]), which pods it manages ([`matching`]), the status it reports
//! ([`status`]), the pods a round upgrades ([`strategy`], ordered by [`sort`] and [`scatter`]),
//! what an upgrade does to a pod ([`upgrade`], [`hot_upgrade`]), rounds ([`simulate`]). This
//! module reads the inputs and prints ([`output`]).

pub mod from_workloads;
pub mod output;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::PathBuf;
use std::str::FromStr;

use anyhow::Context as _;

use self::output::{Format, Report};
use crate::commands::args::WalkArgs;
use crate::kruise::cluster::Cluster;
use crate::kruise::rng::Rng;
use crate::kruise::rollout::matching::{Skip, matching_pods};
use crate::kruise::rollout::pod::Pod;
use crate::kruise::rollout::{annotations, hot_upgrade, simulate};
use crate::kruise::selector::PartialMatch;
use crate::kruise::sidecarset::{HASH_ANNOTATION, HASH_WITHOUT_IMAGE_ANNOTATION, SidecarSet};
use crate::kruise::timestamp;
use crate::kruise::workload::{PodLocation, pod_location};
use crate::pipeline::engine::{
    Reader, UndecidedSummary, UndecidedWorkload, all_sources, gather_cluster, gather_cluster_once,
    name_broken_files,
};
use crate::pipeline::input::{self, Source};
use crate::pipeline::objects::{DocumentError, Object};

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
pub fn run(args: &RolloutArgs) -> anyhow::Result<u8> {
    let source_date_epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    let outcome = execute(args, source_date_epoch.as_deref())?;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(outcome.stdout.as_bytes())
        .and_then(|()| stdout.flush())
        .context("writing stdout")?;
    let mut stderr = std::io::stderr().lock();
    if !args.quiet {
        for line in outcome.reports {
            let _ = writeln!(stderr, "{line}");
        }
    }
    for line in outcome.undecided {
        let _ = writeln!(stderr, "{line}");
    }
    Ok(0)
}

/// Reads the inputs, simulates, and renders the output (no printing).
pub fn execute(args: &RolloutArgs, source_date_epoch: Option<&str>) -> anyhow::Result<Outcome> {
    let now = timestamp::resolve(args.timestamp.as_deref(), source_date_epoch)?;
    let walk = args.walk.walk()?;
    let mut reports = Vec::new();
    let sources = expand_optional(&walk, &args.paths, true, &mut reports)?;
    let context = expand_optional(&walk, &args.sidecarsets, false, &mut reports)?;
    let mut reader = Reader::default();
    let feature_gates = args.feature_gates.clone().unwrap_or_default();
    // Each input read once, each pod reduced to what the controller reads as soon as it is read
    // (issue 14); on any problem, read as before, which reports it as before.
    let mut read = PodsRead::default();
    let once = if args.from_workloads {
        None
    } else {
        gather_cluster_once(
            &context,
            &sources,
            &args.kruise_namespace,
            &feature_gates,
            &mut reader,
            &mut reports,
            |object| read.add(object, &args.namespace),
        )
    };
    let read_once = once.is_some();
    let cluster = match once {
        Some(cluster) => cluster,
        None => gather_cluster(
            &context,
            &sources,
            &args.kruise_namespace,
            &feature_gates,
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
    let mut pods = if args.from_workloads {
        let old = old_cluster(args, &cluster, &mut reader, &mut reports)?;
        for ss in &cluster.sidecarsets {
            if let Some(old_ss) = old.sidecarset(&ss.name) {
                changed_fields.insert(
                    ss.name.clone(),
                    from_workloads::sidecar_field_changes(old_ss, ss),
                );
            }
        }
        pods_from_workloads(
            args,
            &sources,
            &old,
            &now,
            &mut reader,
            &mut reports,
            &mut undecided,
        )?
    } else if read_once {
        read.finish(&mut reports)
    } else {
        read_pods(args, &sources, &mut reader, &mut reports)?
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
        args.rounds.0,
        &now,
    );
    let report = Report {
        sidecarsets: &sidecarsets,
        runs: &runs,
        pods: &pods,
        changed_fields: &changed_fields,
        verbose: args.verbose,
    };
    let stdout = match args.output {
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

/// Expands `paths` (no path: standard input if `stdin`, else nothing); what the walks skip is
/// added to `reports`.
fn expand_optional(
    walk: &input::Walk,
    paths: &[PathBuf],
    stdin: bool,
    reports: &mut Vec<String>,
) -> anyhow::Result<Vec<Source>> {
    if paths.is_empty() && !stdin {
        return Ok(Vec::new());
    }
    let expanded = walk.expand(paths)?;
    reports.extend(expanded.skip_lines());
    Ok(expanded.sources)
}

/// The cluster the pods were created in: the old SidecarSets (with their Namespaces and
/// ControllerRevisions), plus the Namespaces of the other inputs.
fn old_cluster(
    args: &RolloutArgs,
    cluster: &Cluster,
    reader: &mut Reader,
    reports: &mut Vec<String>,
) -> anyhow::Result<Cluster> {
    let old_sources = expand_optional(&args.walk.walk()?, &args.old_sidecarsets, false, reports)?;
    if old_sources.is_empty() {
        reports.push(
            "warning: --from-workloads without --old-sidecarsets: the pods are created with no \
             SidecarSet, so none of them is injected and nothing is upgraded in place; give the \
             SidecarSets before the change with --old-sidecarsets"
                .to_owned(),
        );
    }
    let mut old = gather_cluster(
        &old_sources,
        &[],
        &args.kruise_namespace,
        &cluster.feature_gates,
        reader,
        reports,
    )?;
    for (name, labels) in &cluster.namespaces {
        old.namespaces
            .entry(name.clone())
            .or_insert_with(|| labels.clone());
    }
    Ok(old)
}

fn pods_from_workloads(
    args: &RolloutArgs,
    sources: &[Source],
    old: &Cluster,
    now: &str,
    reader: &mut Reader,
    reports: &mut Vec<String>,
    undecided: &mut UndecidedSummary,
) -> anyhow::Result<Vec<Pod>> {
    let mut rng = Rng::new(args.seed);
    let mut pods = Vec::new();
    for source in sources {
        let file = reader
            .read(source)
            .map_err(|e| name_broken_files(e, sources))?;
        let objects = file
            .objects()
            .map_err(|e| name_broken_files(e.into(), sources))?;
        for object in objects {
            let Some(made) =
                from_workloads::workload_pods(&object.value, &args.namespace, old, &mut rng, now)
                    .map_err(|e| object.error(e))?
            else {
                continue;
            };
            if let Some(note) = &made.note {
                reports.push(format!(
                    "{}:{}: {}: note: {note}",
                    object.location.file,
                    object.location.line,
                    object.display_name(&args.namespace)
                ));
            }
            if let Some(u) = made.undecided {
                reports.push(format!(
                    "{}:{}: {}: warning: its pods were created with --old-sidecarsets: {u}",
                    object.location.file,
                    object.location.line,
                    object.display_name(&args.namespace)
                ));
                undecided.add(&[UndecidedWorkload {
                    location: object.location.clone(),
                    resource: object.display_name(&args.namespace),
                    undecided: u,
                }]);
            }
            for value in &made.pods {
                pods.push(Pod::from_value(value, &args.namespace).map_err(|e| object.error(e))?);
            }
        }
    }
    Ok(pods)
}

fn read_pods(
    args: &RolloutArgs,
    sources: &[Source],
    reader: &mut Reader,
    reports: &mut Vec<String>,
) -> anyhow::Result<Vec<Pod>> {
    let mut read = PodsRead::default();
    for source in sources {
        let file = reader
            .read(source)
            .map_err(|e| name_broken_files(e, sources))?;
        let objects = file
            .objects()
            .map_err(|e| name_broken_files(e.into(), sources))?;
        for object in objects {
            read.add(&object, &args.namespace)?;
        }
    }
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
        assert_eq!(cli.args.output, Format::Json);
        let cli = Cli::try_parse_from(["x"]).expect("defaults");
        assert_eq!(cli.args.rounds, Rounds(Some(1)));
        assert!(Cli::try_parse_from(["x", "--rounds", "many"]).is_err());
        assert!(
            Cli::try_parse_from(["x", "--old-sidecarsets", "old"]).is_err(),
            "needs --from-workloads"
        );
    }
}
