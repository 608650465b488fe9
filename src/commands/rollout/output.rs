//! What `rollout` prints: a readable plan (`table`), the JSON contract (`json`), or the pods after
//! the simulated rounds (`yaml`, a `v1 List` like `kubectl get pods -o yaml`, which `rollout` reads
//! back).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

use crate::kruise::rollout::annotations;
use crate::kruise::rollout::image;
use crate::kruise::rollout::matching::Skip;
use crate::kruise::rollout::pod::Pod;
use crate::kruise::rollout::simulate::{Action, Round, Run, Stopped};
use crate::kruise::rollout::status::{self, Status};
use crate::kruise::rollout::strategy::{self, Plan};
use crate::kruise::rollout::upgrade::PodChanges;
use crate::kruise::sidecarset::{HASH_WITHOUT_IMAGE_ANNOTATION, SidecarSet};
use crate::pipeline::report;

/// `--output`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A readable plan.
    #[default]
    Table,
    /// The JSON contract: per SidecarSet the status now and per round the pods changed.
    Json,
    /// The pods after the simulated rounds, as a `v1 List`.
    Yaml,
}

/// Everything the outputs show.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    /// The SidecarSets, in simulation order.
    pub sidecarsets: &'a [SidecarSet],
    /// Their simulations.
    pub runs: &'a [Run],
    /// The pods after the rounds.
    pub pods: &'a [Pod],
    /// Per SidecarSet, the sidecar fields other than `image` that changed since the old
    /// SidecarSet (known with `--from-workloads`).
    pub changed_fields: &'a BTreeMap<String, Vec<String>>,
    /// `--verbose`: the table shows every round (else runs of alike rounds are collapsed).
    pub verbose: bool,
}

/// The contract of `rollout -o json`: `{"sidecarSets": [...]}`, stable across versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RolloutJson<'a> {
    /// One entry per SidecarSet, in simulation order (sorted by name).
    pub sidecar_sets: Vec<SidecarSetJson<'a>>,
}

/// The simulation of one SidecarSet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SidecarSetJson<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its `kruise.io/sidecarset-hash`, computed from its spec as in `render`.
    pub hash: &'a str,
    /// The status the SidecarSet reports now.
    pub status: StatusJson,
    /// The rounds the controller runs, the next one first; none when it has nothing to do (all
    /// pods updated, `paused`, `type: NotUpdate`); a first round that upgrades nothing is listed
    /// when it finds not-upgradable pods.
    pub rounds: Vec<RoundJson>,
}

/// One round of the controller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoundJson {
    /// The pods it upgrades (`namespace/name`), in the order the controller upgrades them.
    pub upgrade: Vec<String>,
    /// The pods it skips as not upgradable (`UpdateImmutableField`).
    pub not_upgradable: Vec<String>,
    /// The pods whose hot-upgrade pair it flips.
    pub flip: Vec<String>,
    /// The status after the round.
    pub status: StatusJson,
}

/// A SidecarSet's `status` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusJson {
    /// `matchedPods`: the pods it manages.
    pub matched_pods: usize,
    /// `updatedPods`: the pods whose hash annotation carries its current hash.
    pub updated_pods: usize,
    /// `readyPods`: the pods whose sidecars run what the spec says and that are ready.
    pub ready_pods: usize,
    /// `updatedReadyPods`: the pods both updated and ready.
    pub updated_ready_pods: usize,
}

impl From<&Status> for StatusJson {
    fn from(s: &Status) -> Self {
        Self {
            matched_pods: s.matched_pods,
            updated_pods: s.updated_pods,
            ready_pods: s.ready_pods,
            updated_ready_pods: s.updated_ready_pods,
        }
    }
}

/// The JSON contract of a report.
pub fn json_contract<'a>(report: &Report<'a>) -> RolloutJson<'a> {
    let keys = |idx: &mut dyn Iterator<Item = usize>| -> Vec<String> {
        idx.map(|i| report.pods[i].key()).collect()
    };
    let sidecar_sets = report
        .sidecarsets
        .iter()
        .zip(report.runs)
        .map(|(ss, run)| SidecarSetJson {
            name: &ss.name,
            hash: ss.hash(),
            status: StatusJson::from(&run.status),
            rounds: run
                .rounds
                .iter()
                .map(|r| RoundJson {
                    upgrade: keys(&mut r.upgrade.iter().map(|c| c.pod)),
                    not_upgradable: keys(&mut r.not_upgradable.iter().copied()),
                    flip: keys(&mut r.flip.iter().map(|c| c.pod)),
                    status: StatusJson::from(&r.status),
                })
                .collect(),
        })
        .collect();
    RolloutJson { sidecar_sets }
}

/// The JSON contract (pretty-printed, with a final newline).
pub fn json(report: &Report) -> String {
    report::json(&json_contract(report))
}

/// `rollout -o yaml`: the pods as a `v1 List`, as `kubectl get pods -o yaml` prints them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodList {
    /// `v1`.
    pub api_version: &'static str,
    /// The pods after the rounds, in input order.
    pub items: Vec<Value>,
    /// `List`.
    pub kind: &'static str,
    /// `{resourceVersion: ""}`.
    pub metadata: ListMeta,
}

/// The `metadata` of a [`PodList`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListMeta {
    /// Empty, as kubectl writes it.
    pub resource_version: &'static str,
}

/// The pods as a `v1 List` in YAML ([`PodList`]), each pod's value built and written in turn
/// ([`report::yaml_list`]: the values of all pods at once took tens of KB a pod, issue 14).
pub fn yaml(pods: &[Pod]) -> String {
    report::yaml_list(
        |items| PodList {
            api_version: "v1",
            items,
            kind: "List",
            metadata: ListMeta {
                resource_version: "",
            },
        },
        pods.iter().map(Pod::to_value),
    )
}

/// Pods listed per group in the table; the rest are counted.
const LIST_LIMIT: usize = 10;

/// The readable plan.
pub fn table(report: &Report) -> String {
    let mut out = String::new();
    for (n, (ss, run)) in report.sidecarsets.iter().zip(report.runs).enumerate() {
        if n > 0 {
            out.push('\n');
        }
        sidecarset_table(&mut out, report, ss, run);
    }
    if report.sidecarsets.is_empty() {
        out.push_str("no SidecarSets among the inputs: give them with -s\n");
    }
    out
}

fn status_line(s: &Status) -> String {
    format!(
        "matched {}, updated {}, ready {}, updatedReady {}",
        s.matched_pods, s.updated_pods, s.ready_pods, s.updated_ready_pods
    )
}

fn sidecarset_table(out: &mut String, report: &Report, ss: &SidecarSet, run: &Run) {
    let _ = writeln!(out, "SidecarSet {}", ss.name);
    let _ = writeln!(out, "  hash            {}", ss.hash());
    let _ = writeln!(
        out,
        "  updateStrategy  {}",
        describe_strategy(ss, run.status.matched_pods)
    );
    let _ = writeln!(out, "  now             {}", status_line(&run.status));
    let matched = &run.matching.matched;
    if !matched.is_empty() {
        let mut names: Vec<String> = matched
            .iter()
            .take(3)
            .map(|&i| report.pods[i].key())
            .collect();
        if matched.len() > 3 {
            names.push(format!("... ({} pods)", matched.len()));
        }
        let _ = writeln!(out, "  matched pods    {}", names.join(", "));
    }
    let mut r = 0;
    while r < run.rounds.len() {
        let round = &run.rounds[r];
        let alike = if report.verbose {
            1
        } else {
            alike_rounds(&run.rounds[r..])
        };
        if alike >= COLLAPSE_MIN {
            collapsed_rounds(out, report.pods, r, &run.rounds[r..r + alike]);
            r += alike;
            continue;
        }
        let mut what = Vec::new();
        if !round.upgrade.is_empty() {
            what.push(format!(
                "upgrade {}",
                report::count(round.upgrade.len(), "pod")
            ));
        }
        if !round.flip.is_empty() {
            what.push(format!(
                "flip {} (the old hot-upgrade container gets the empty image)",
                report::count(round.flip.len(), "pod")
            ));
        }
        if what.is_empty() {
            what.push("no pod upgraded".to_owned());
        }
        let _ = writeln!(out, "\n  round {}: {}", r + 1, what.join(", "));
        changes_lines(out, report, &round.upgrade);
        changes_lines(out, report, &round.flip);
        if !round.not_upgradable.is_empty() {
            let _ = writeln!(
                out,
                "    not upgradable (UpdateImmutableField), skipped: {}",
                report::count(round.not_upgradable.len(), "pod")
            );
            if r == 0 {
                let _ = writeln!(
                    out,
                    "      why: {}",
                    not_upgradable_reason(report, ss, &round.not_upgradable)
                );
                pod_list(out, report.pods, &round.not_upgradable);
            }
        }
        if let Some((pod, error)) = &round.failed {
            let _ = writeln!(
                out,
                "    failed: {}: {error}; Kruise retries and fails again: the rollout stops here",
                report.pods[*pod].key()
            );
        }
        let _ = writeln!(out, "    after: {}", status_line(&round.status));
        r += 1;
    }
    out.push('\n');
    next_lines(out, report, ss, run);
}

/// Rounds in a run this long or longer are shown as one entry (without `--verbose`).
const COLLAPSE_MIN: usize = 4;

/// How many rounds from the first of `rounds` on are alike: each upgrades the same number of pods
/// and every pod the same way, and nothing else happens in them (no flip, no pod found not
/// upgradable, no failure).
fn alike_rounds(rounds: &[Round]) -> usize {
    let plain = |r: &Round| {
        !r.upgrade.is_empty()
            && r.flip.is_empty()
            && r.not_upgradable.is_empty()
            && r.failed.is_none()
    };
    let Some(first) = rounds.first().filter(|r| plain(r)) else {
        return 0;
    };
    let what = change_text(&first.upgrade[0]);
    rounds
        .iter()
        .take_while(|r| {
            plain(r)
                && r.upgrade.len() == first.upgrade.len()
                && r.upgrade.iter().all(|c| change_text(c) == what)
        })
        .count()
}

/// Alike rounds (from index `from`) as one entry: what each does, the pods in order (the first
/// [`LIST_LIMIT`]), the status after the last.
fn collapsed_rounds(out: &mut String, pods: &[Pod], from: usize, rounds: &[Round]) {
    let each = rounds[0].upgrade.len();
    let total: usize = rounds.iter().map(|r| r.upgrade.len()).sum();
    let _ = writeln!(
        out,
        "\n  rounds {}-{}: upgrade {} each, {} in all",
        from + 1,
        from + rounds.len(),
        report::count(each, "pod"),
        report::count(total, "pod")
    );
    let _ = writeln!(out, "    each pod: {}", change_text(&rounds[0].upgrade[0]));
    let _ = writeln!(out, "    in this order:");
    let order: Vec<usize> = rounds
        .iter()
        .flat_map(|r| r.upgrade.iter().map(|c| c.pod))
        .collect();
    for &i in order.iter().take(LIST_LIMIT) {
        let _ = writeln!(out, "      {}", pods[i].key());
    }
    if order.len() > LIST_LIMIT {
        let _ = writeln!(
            out,
            "      ... and {} more (--verbose shows every round)",
            order.len() - LIST_LIMIT
        );
    }
    let last = &rounds[rounds.len() - 1];
    let _ = writeln!(
        out,
        "    after round {}: {}",
        from + rounds.len(),
        status_line(&last.status)
    );
}

/// What an upgrade did to one pod.
fn change_text(c: &PodChanges) -> String {
    if c.changes.is_empty() {
        "(image already current: only the hash annotation changes)".to_owned()
    } else {
        c.changes
            .iter()
            .map(|ch| format!("{}: {}", ch.container, image_change(&ch.from, &ch.to)))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Pods listed per round in the table without `--verbose`; the rest are counted.
const ROUND_LIMIT: usize = 20;

fn changes_lines(out: &mut String, report: &Report, changes: &[PodChanges]) {
    let pods = report.pods;
    let shown = if report.verbose {
        changes
    } else {
        &changes[..changes.len().min(ROUND_LIMIT)]
    };
    let width = shown
        .iter()
        .map(|c| pods[c.pod].key().len())
        .max()
        .unwrap_or(0);
    for c in shown {
        let what = change_text(c);
        let _ = writeln!(out, "    {:width$}  {what}", pods[c.pod].key());
    }
    if shown.len() < changes.len() {
        let _ = writeln!(
            out,
            "    ... and {} more (--verbose lists every pod; -o json too)",
            report::count(changes.len() - shown.len(), "pod")
        );
    }
}

/// `repo:old -> new` when only the tag or digest changes, else both images in full.
fn image_change(from: &str, to: &str) -> String {
    let show = |s: &str| {
        if s.is_empty() {
            "\"\"".to_owned()
        } else {
            s.to_owned()
        }
    };
    match (image::parse(from), image::parse(to)) {
        (Some(a), Some(b)) if a.repo == b.repo => {
            let rest = if b.digest.is_empty() { b.tag } else { b.digest };
            if rest.is_empty() {
                format!("{from} -> {to}")
            } else {
                format!("{from} -> {rest}")
            }
        }
        _ => format!("{} -> {}", show(from), show(to)),
    }
}

fn pod_list(out: &mut String, pods: &[Pod], idx: &[usize]) {
    for &i in idx.iter().take(LIST_LIMIT) {
        let _ = writeln!(out, "      {}", pods[i].key());
    }
    if idx.len() > LIST_LIMIT {
        let _ = writeln!(
            out,
            "      ... and {} more (-o json lists every pod of a round)",
            idx.len() - LIST_LIMIT
        );
    }
}

/// What the controller would do next, or why it stops, and where every pod not updated stays.
fn next_lines(out: &mut String, report: &Report, ss: &SidecarSet, run: &Run) {
    let pods = report.pods;
    let next = &run.next;
    let matched = &next.matching.matched;
    let not_updated: Vec<usize> = matched
        .iter()
        .copied()
        .filter(|&i| !status::is_pod_sidecar_updated(ss, &pods[i]))
        .collect();
    let rounds = report::count(run.rounds.len(), "round");
    match &next.action {
        Action::Stopped(Stopped::NotUpdate) => {
            let _ = writeln!(
                out,
                "  updateStrategy.type is NotUpdate: the controller never upgrades sidecars in place; {} keep the old sidecars until recreated:",
                report::count(not_updated.len(), "pod")
            );
            pod_list(out, pods, &not_updated);
        }
        Action::Stopped(Stopped::Paused) => {
            let _ = writeln!(
                out,
                "  updateStrategy.paused is true: no pod is upgraded until it is unpaused; {} wait:",
                report::count(not_updated.len(), "pod")
            );
            pod_list(out, pods, &not_updated);
        }
        Action::Stopped(Stopped::Invalid(e)) => {
            let _ = writeln!(
                out,
                "  the controller cannot reconcile this SidecarSet: {e}"
            );
        }
        Action::Finished if next.status.matched_pods == 0 => {
            let _ = writeln!(out, "  no pod is managed by this SidecarSet");
        }
        Action::Finished if run.rounds.is_empty() => {
            let _ = writeln!(
                out,
                "  nothing to do: all {} matched pods are up to date",
                next.status.matched_pods
            );
        }
        Action::Finished => {
            let _ = writeln!(
                out,
                "  done after {rounds}: all {} matched pods run the new sidecars",
                next.status.matched_pods
            );
        }
        Action::Flip(flip) => {
            let _ = writeln!(
                out,
                "  stopped after {rounds} (--rounds): the next round flips {}; --rounds all shows the whole rollout",
                report::count(flip.len(), "pod")
            );
        }
        Action::Upgrade { upgraded, .. } if !upgraded.is_empty() => {
            let _ = writeln!(
                out,
                "  stopped after {rounds} (--rounds): the next round upgrades {}; --rounds all shows the whole rollout",
                report::count(upgraded.len(), "pod"),
            );
        }
        Action::Upgrade { plan, .. } => {
            let when = if run
                .rounds
                .iter()
                .any(|r| !r.upgrade.is_empty() || !r.flip.is_empty())
            {
                format!("stops after {rounds}")
            } else {
                "nothing is upgraded".to_owned()
            };
            let _ = writeln!(
                out,
                "  {when}: {} of {} matched pods stay on the old sidecars",
                not_updated.len(),
                matched.len()
            );
            let listed = run
                .rounds
                .first()
                .is_some_and(|r| r.not_upgradable == plan.not_upgradable);
            waiting_groups(out, report, ss, plan, listed);
        }
    }
    skipped_lines(out, pods, ss, &next.matching.skipped);
}

/// The pods that wait, by reason. `not_upgradable_listed`: round 1 already listed the
/// not-upgradable pods.
fn waiting_groups(
    out: &mut String,
    report: &Report,
    ss: &SidecarSet,
    plan: &Plan,
    not_upgradable_listed: bool,
) {
    let pods = report.pods;
    let us = &ss.spec.update_strategy;
    if !plan.not_selected.is_empty() {
        let selector = us
            .selector
            .as_ref()
            .map_or(String::new(), |s| s.describe("everything"));
        let _ = writeln!(
            out,
            "    not selected by updateStrategy.selector ({selector}): {}",
            report::count(plan.not_selected.len(), "pod")
        );
        pod_list(out, pods, &plan.not_selected);
    }
    if !plan.not_upgradable.is_empty() && not_upgradable_listed {
        let _ = writeln!(
            out,
            "    not upgradable in place (listed in round 1; they get the new sidecars only when recreated): {}",
            report::count(plan.not_upgradable.len(), "pod")
        );
    } else if !plan.not_upgradable.is_empty() {
        let _ = writeln!(
            out,
            "    not upgradable in place (UpdateImmutableField; they get the new sidecars only when recreated): {}",
            report::count(plan.not_upgradable.len(), "pod")
        );
        let _ = writeln!(
            out,
            "      why: {}",
            not_upgradable_reason(report, ss, &plan.not_upgradable)
        );
        pod_list(out, pods, &plan.not_upgradable);
    }
    if !plan.held_by_partition.is_empty() {
        let _ = writeln!(
            out,
            "    held back by partition {}: {}",
            with_count(
                us.partition.as_ref(),
                i64::try_from(plan.partition).unwrap_or(i64::MAX)
            ),
            report::count(plan.held_by_partition.len(), "pod")
        );
        pod_list(out, pods, &plan.held_by_partition);
    }
    if !plan.over_budget.is_empty() {
        let _ = writeln!(
            out,
            "    waiting for maxUnavailable {} ({} updated and unavailable): {}",
            with_count(us.max_unavailable.as_ref(), plan.max_unavailable),
            plan.unavailable,
            report::count(plan.over_budget.len(), "pod")
        );
        pod_list(out, pods, &plan.over_budget);
    }
    if !plan.in_progress.is_empty() {
        let _ = writeln!(
            out,
            "    a previous in-place update still in progress: {}",
            report::count(plan.in_progress.len(), "pod")
        );
        pod_list(out, pods, &plan.in_progress);
    }
}

fn not_upgradable_reason(report: &Report, ss: &SidecarSet, not_upgradable: &[usize]) -> String {
    if let Some(fields) = report
        .changed_fields
        .get(&ss.name)
        .filter(|f| !f.is_empty())
    {
        return format!(
            "the SidecarSet changed more than images ({}); in place Kruise only changes images",
            fields.join(", ")
        );
    }
    let missing = not_upgradable.iter().any(|&i| {
        annotations::pod_upgrade_spec(
            &report.pods[i].annotations,
            HASH_WITHOUT_IMAGE_ANNOTATION,
            &ss.name,
        )
        .hash
        .is_empty()
    });
    if missing {
        format!(
            "the pods have no {HASH_WITHOUT_IMAGE_ANNOTATION} entry for {} (or the SidecarSet changed more than images)",
            ss.name
        )
    } else {
        format!(
            "their {HASH_WITHOUT_IMAGE_ANNOTATION} differs from the SidecarSet's ({}): a sidecar field other than image changed",
            ss.hash_without_image()
        )
    }
}

fn skipped_lines(out: &mut String, pods: &[Pod], ss: &SidecarSet, skipped: &[(usize, Skip)]) {
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, skip) in skipped {
        let why = match skip {
            Skip::NamespaceUnknown => "in a namespace whose Namespace object is not among the inputs, and spec.namespaceSelector needs its labels: unknown whether the controller manages them, simulated as not managed (give the Namespace objects)"
                .to_owned(),
            Skip::NamespaceNotSelected => {
                "in a namespace spec.namespaceSelector does not select".to_owned()
            }
            Skip::Inactive => "not active (Succeeded, Failed or being deleted)".to_owned(),
            Skip::NotInjected => format!(
                "not injected with {} (created before it, or it was not matched then): never upgraded in place, they get it when recreated",
                ss.name
            ),
            Skip::MissingContainer(c) => {
                format!("missing sidecar container {c}: the controller ignores them")
            }
        };
        groups.entry(why).or_default().push(*i);
    }
    for (why, idx) in groups {
        let _ = writeln!(
            out,
            "    selected by spec.selector but {why}: {}",
            report::count(idx.len(), "pod")
        );
        pod_list(out, pods, &idx);
    }
}

/// `"20%"`, `3`, or `-` when unset.
fn raw(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => "-".to_owned(),
    }
}

/// `3`, or `20% (3 pods)` when the value is not simply that number of pods.
fn with_count(v: Option<&Value>, pods: i64) -> String {
    match v {
        Some(Value::Number(n)) if n.as_i64() == Some(pods) => pods.to_string(),
        _ => format!(
            "{} ({})",
            raw(v),
            report::count(usize::try_from(pods.max(0)).unwrap_or(0), "pod")
        ),
    }
}

fn describe_strategy(ss: &SidecarSet, matched: usize) -> String {
    let us = &ss.spec.update_strategy;
    let mut parts = vec![us.kind.clone()];
    if us.paused {
        parts.push("paused".to_owned());
    }
    if let Some(s) = &us.selector {
        parts.push(format!("selector {}", s.describe("everything")));
    }
    let partition = strategy::partition_replicas(us.partition.as_ref(), matched);
    parts.push(format!(
        "partition {}",
        with_count(
            us.partition.as_ref(),
            i64::try_from(partition).unwrap_or(i64::MAX)
        )
    ));
    let max = strategy::max_unavailable(us.max_unavailable.as_ref(), matched);
    parts.push(format!(
        "maxUnavailable {}",
        with_count(us.max_unavailable.as_ref(), max)
    ));
    if let Some(p) = &us.priority_strategy {
        let count = |k: &str| p.get(k).and_then(Value::as_array).map_or(0, Vec::len);
        let (w, o) = (count("weightPriority"), count("orderPriority"));
        if w > 0 {
            parts.push(format!("weightPriority ({})", report::count(w, "term")));
        } else if o > 0 {
            let keys: Vec<&str> = p["orderPriority"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|t| t.get("orderedKey")?.as_str())
                        .collect()
                })
                .unwrap_or_default();
            parts.push(format!("orderPriority {}", keys.join(",")));
        }
    }
    if !us.scatter_strategy.is_empty() {
        let terms: Vec<String> = us
            .scatter_strategy
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        parts.push(format!("scatter {}", terms.join(",")));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kruise::selector::LabelSelector;
    use kruise_inject_yaml::emit::{self, IndentStyle};
    use serde_json::json;

    #[test]
    fn image_changes_show_the_new_tag() {
        assert_eq!(
            image_change(
                "docker.elastic.co/beats/filebeat:7.16.2",
                "docker.elastic.co/beats/filebeat:7.17.0"
            ),
            "docker.elastic.co/beats/filebeat:7.16.2 -> 7.17.0"
        );
        assert_eq!(
            image_change("envoy:1", "hotupgrade:empty"),
            "envoy:1 -> hotupgrade:empty"
        );
        assert_eq!(image_change("", "envoy:1"), "\"\" -> envoy:1");
    }

    /// The List written pod by pod is the text of the whole List written at once, also with pods
    /// that end in a multi-line string (block scalars whose chomping depends on what follows).
    #[test]
    fn the_yaml_list_is_written_pod_by_pod_as_a_whole() {
        let pod = |name: &str, last: &str| {
            Pod::from_value(
                &json!({"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": name, "namespace": "web", "annotations": {"a": "x\ny\n"}},
                    "spec": {"containers": [{"name": "c", "image": "nginx:1"}]},
                    "status": {"phase": "Running"}, "zz": last}),
                "default",
            )
            .expect("pod")
        };
        let whole = |pods: &[Pod]| {
            emit::block(
                &json!({
                    "apiVersion": "v1",
                    "items": pods.iter().map(Pod::to_value).collect::<Vec<_>>(),
                    "kind": "List",
                    "metadata": {"resourceVersion": ""},
                }),
                0,
                &IndentStyle::default(),
            )
        };
        for pods in [
            vec![],
            vec![pod("a", "")],
            vec![
                pod("a", "keep\n\n"),
                pod("b", "strip"),
                pod("c", " lead\nx\n"),
            ],
        ] {
            assert_eq!(yaml(&pods), whole(&pods));
        }
    }

    #[test]
    fn selectors_read_like_kubectl() {
        let s = LabelSelector::from_value(
            &json!({"matchLabels": {"a": "1"}, "matchExpressions": [
                {"key": "b", "operator": "In", "values": ["x", "y"]},
                {"key": "c", "operator": "DoesNotExist"}]}),
            "s",
        )
        .expect("valid");
        assert_eq!(s.describe("everything"), "a=1,b in (x,y),!c");
    }
}
