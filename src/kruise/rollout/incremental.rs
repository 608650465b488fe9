//! The rounds of [`super::simulate::simulate`], computed incrementally (issue 14).
//!
//! Kruise re-evaluates every matched pod in every reconcile (`sidecarset_processor.go:
//! UpdateSidecarSet` → `getMatchingPods`, `calculateStatus`, `sidecarset_strategy.go:
//! GetNextUpgradePods`). Between two rounds only the pods a round changed (upgraded, flipped, or
//! restarted by the kubelet) differ, so a [`View`] keeps per SidecarSet what each pod contributes
//! (matched, updated, ready, unavailable, hot-upgrade flip, and why it waits or its place in the
//! upgrade order) and updates only those pods. The waiting pods are kept ordered by the key of
//! the sort Kruise runs every round (`SortUpdateIndexes`: `ActivePods.Less`, then the stable
//! `priorityStrategy` sort, ties in pod order), so a round reads the first pods of the order
//! instead of sorting; `scatterStrategy`, which depends on the whole waiting set, is still
//! applied to the ordered list each round.
//!
//! The result is the same as re-evaluating everything: the straightforward simulation is kept as
//! a test oracle (`simulate::reference`) and a property test compares both.

use std::collections::{BTreeMap, BTreeSet};

use super::flip;
use super::hot_upgrade;
use super::matching::{Matching, Skip, matching_pods};
use super::pod::Pod;
use super::sort::{self, DefaultKey, PriorityKey, PriorityStrategy};
use super::status::{self, Status};
use super::strategy;
use super::upgrade;
use super::upgrade::PodChanges;
use crate::kruise::sidecarset::SidecarSet;

/// A waiting pod's place in the upgrade order before scattering: priority, `ActivePods.Less`,
/// pod index.
type OrderKey = (PriorityKey, DefaultKey, usize);

/// Why a matched pod that is not updated is not upgraded (`GetNextUpgradePods`), or its place in
/// the order when it waits.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Class {
    Updated,
    NotSelected,
    NotUpgradable,
    InProgress,
    Wait(OrderKey),
}

/// What a matched pod contributes to its SidecarSet's reconcile.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Facts {
    /// `IsPodSidecarUpdated`.
    updated: bool,
    /// `IsPodStateConsistent(∅) && IsPodReady` (the status' ready).
    ready: bool,
    /// `IsPodReady` (what `calculateUpgradeCount` reads).
    pod_ready: bool,
    /// Updated and not consistent or not ready: uses the `maxUnavailable` budget.
    unavailable: bool,
    /// Reconcile step 7 flips it.
    flip: bool,
    class: Class,
}

/// What one reconcile did (the parts the rounds record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Nothing: stopped before choosing pods, or every matched pod is updated.
    Nothing,
    /// Hot-upgrade flips.
    Flip(Vec<PodChanges>),
    /// The pods upgraded, the one whose update failed, and the pods found not upgradable.
    Upgrade {
        /// The pods upgraded, in order.
        upgraded: Vec<PodChanges>,
        /// The pod whose update failed, and why.
        failed: Option<(usize, String)>,
        /// The pods found not upgradable (pod order).
        not_upgradable: Vec<usize>,
    },
}

/// One SidecarSet's reconcile, kept up to date pod by pod.
pub struct View<'a> {
    ss: &'a SidecarSet,
    namespaces: &'a BTreeMap<String, BTreeMap<String, String>>,
    hot: bool,
    /// `None`: no `priorityStrategy`; `Some(None)`: one Kruise cannot decode.
    priority: Option<Option<PriorityStrategy>>,
    /// Pods whose matching fails (an invalid selector): the reconcile fails.
    errors: BTreeSet<usize>,
    /// Per pod: `None` when not matched.
    facts: Vec<Option<Facts>>,
    /// The pods the selector selects that are not managed, and why.
    skipped: BTreeMap<usize, Skip>,
    status: Status,
    unavailable: usize,
    wait: BTreeSet<OrderKey>,
    not_upgradable: BTreeSet<usize>,
    flips: BTreeSet<usize>,
}

impl<'a> View<'a> {
    /// The reconcile of `ss` over `pods` as they are now; also the pods it manages.
    pub fn new(
        ss: &'a SidecarSet,
        pods: &[Pod],
        namespaces: &'a BTreeMap<String, BTreeMap<String, String>>,
    ) -> Self {
        let priority = ss
            .spec
            .update_strategy
            .priority_strategy
            .as_ref()
            .map(|p| PriorityStrategy::from_value(p).ok());
        let mut view = View {
            ss,
            namespaces,
            hot: hot_upgrade::has_hot_upgrade_container(ss),
            priority,
            errors: BTreeSet::new(),
            facts: vec![None; pods.len()],
            skipped: BTreeMap::new(),
            status: Status::default(),
            unavailable: 0,
            wait: BTreeSet::new(),
            not_upgradable: BTreeSet::new(),
            flips: BTreeSet::new(),
        };
        for (i, pod) in pods.iter().enumerate() {
            view.refresh(i, pod);
        }
        view
    }

    /// The pods the SidecarSet manages (`getMatchingPods`; none when matching fails).
    pub fn matching(&self) -> Matching {
        if !self.errors.is_empty() {
            return Matching::default();
        }
        Matching {
            matched: (0..self.facts.len())
                .filter(|&i| self.facts[i].is_some())
                .collect(),
            skipped: self
                .skipped
                .iter()
                .map(|(&i, skip)| (i, skip.clone()))
                .collect(),
        }
    }

    /// The status the reconcile reports (`calculateStatus`; none when matching fails).
    pub fn status(&self) -> Status {
        if self.errors.is_empty() {
            self.status
        } else {
            Status::default()
        }
    }

    /// Takes pod `i` as it is now.
    pub fn refresh(&mut self, i: usize, pod: &Pod) {
        if let Some(old) = self.facts[i].take() {
            self.count(i, &old, false);
        }
        self.errors.remove(&i);
        self.skipped.remove(&i);
        let matching = match matching_pods(self.ss, std::slice::from_ref(pod), self.namespaces) {
            Ok(m) => m,
            Err(_) => {
                self.errors.insert(i);
                return;
            }
        };
        if let Some((_, skip)) = matching.skipped.into_iter().next() {
            self.skipped.insert(i, skip);
            return;
        }
        if matching.matched.is_empty() {
            return;
        }
        let facts = self.facts_of(i, pod);
        self.count(i, &facts, true);
        self.facts[i] = Some(facts);
    }

    /// `calculateStatus`, the hot-upgrade filter of step 7 and `GetNextUpgradePods` for one
    /// matched pod.
    fn facts_of(&self, i: usize, pod: &Pod) -> Facts {
        let ss = self.ss;
        let updated = status::is_pod_sidecar_updated(ss, pod);
        let consistent = status::is_pod_state_consistent(ss, pod, &BTreeSet::new());
        let pod_ready = status::is_pod_ready(ss, pod);
        let class = if updated {
            Class::Updated
        } else if !ss
            .spec
            .update_strategy
            .selector
            .as_ref()
            .is_none_or(|s| s.matches_unvalidated(&pod.labels).unwrap_or(false))
        {
            Class::NotSelected
        } else {
            match strategy::is_sidecarset_upgradable(ss, pod) {
                (true, true) => {
                    let priority = match &self.priority {
                        Some(Some(p)) => p.key(pod),
                        _ => PriorityStrategy::default().key(pod),
                    };
                    Class::Wait((priority, sort::default_key(pod), i))
                }
                (false, _) => Class::NotUpgradable,
                (true, false) => Class::InProgress,
            }
        };
        Facts {
            updated,
            ready: consistent && pod_ready,
            pod_ready,
            unavailable: updated && !(consistent && pod_ready),
            flip: self.hot && flip::needs_flip(ss, pod),
            class,
        }
    }

    /// Adds (or removes) what pod `i` contributes.
    fn count(&mut self, i: usize, f: &Facts, add: bool) {
        let n = |total: &mut usize, yes: bool| {
            if yes {
                if add {
                    *total += 1;
                } else {
                    *total -= 1;
                }
            }
        };
        n(&mut self.status.matched_pods, true);
        n(&mut self.status.updated_pods, f.updated);
        n(&mut self.status.ready_pods, f.ready);
        n(&mut self.status.updated_ready_pods, f.updated && f.ready);
        n(&mut self.unavailable, f.unavailable);
        let set = |set: &mut BTreeSet<usize>, yes: bool| {
            if yes {
                if add {
                    set.insert(i);
                } else {
                    set.remove(&i);
                }
            }
        };
        set(&mut self.flips, f.flip);
        set(&mut self.not_upgradable, f.class == Class::NotUpgradable);
        if let Class::Wait(key) = &f.class {
            if add {
                self.wait.insert(*key);
            } else {
                self.wait.remove(key);
            }
        }
    }

    /// One reconcile (`UpdateSidecarSet` from step 5 on), changing `pods`. The caller refreshes
    /// the pods it changed in every view.
    pub fn step(&self, pods: &mut [Pod], now: &str) -> Step {
        let ss = self.ss;
        let strategy = &ss.spec.update_strategy;
        if !self.errors.is_empty() || strategy.kind == "NotUpdate" || strategy.paused {
            return Step::Nothing;
        }
        if self.hot && !self.flips.is_empty() {
            let changes = self
                .flips
                .iter()
                .map(|&i| PodChanges {
                    pod: i,
                    changes: flip::flip(ss, &mut pods[i], now),
                })
                .collect();
            return Step::Flip(changes);
        }
        if self.status.updated_pods >= self.status.matched_pods {
            return Step::Nothing;
        }
        if matches!(self.priority, Some(None)) {
            return Step::Nothing;
        }
        let upgrade = self.next_upgrade_pods(pods);
        let not_upgradable: Vec<usize> = self.not_upgradable.iter().copied().collect();
        for &i in &not_upgradable {
            upgrade::set_upgradable_condition(ss, &mut pods[i], false, now);
        }
        let mut upgraded = Vec::new();
        let mut failed = None;
        for i in upgrade {
            match upgrade::upgrade_pod(ss, &mut pods[i], now) {
                Ok(changes) => upgraded.push(PodChanges { pod: i, changes }),
                Err(e) => {
                    failed = Some((i, e.to_string()));
                    break;
                }
            }
        }
        Step::Upgrade {
            upgraded,
            failed,
            not_upgradable,
        }
    }

    /// `GetNextUpgradePods`' choice (`calculateUpgradeCount` over the ordered waiting pods).
    fn next_upgrade_pods(&self, pods: &[Pod]) -> Vec<usize> {
        let strategy = &self.ss.spec.update_strategy;
        let total = self.status.matched_pods;
        let partition = strategy::partition_replicas(strategy.partition.as_ref(), total);
        let max_unavailable = strategy::max_unavailable(strategy.max_unavailable.as_ref(), total);
        let eligible = self.wait.len().saturating_sub(partition);
        let mut unavailable = i64::try_from(self.unavailable).unwrap_or(i64::MAX);
        let mut upgrade = Vec::new();
        let mut take = |i: usize| {
            let pod_ready = self.facts[i].as_ref().is_some_and(|f| f.pod_ready);
            if !pod_ready {
                upgrade.push(i);
                return true;
            }
            if unavailable >= max_unavailable {
                return false;
            }
            unavailable += 1;
            upgrade.push(i);
            true
        };
        if strategy.scatter_strategy.is_empty() {
            for key in self.wait.iter().take(eligible) {
                if !take(key.2) {
                    break;
                }
            }
        } else {
            // Scattering depends on every waiting and matched pod: the ordered list is scattered
            // as Kruise does, over positions in the matched pods.
            let matched: Vec<usize> = (0..self.facts.len())
                .filter(|&i| self.facts[i].is_some())
                .collect();
            let refs: Vec<&Pod> = matched.iter().map(|&i| &pods[i]).collect();
            let position = |i: usize| matched.binary_search(&i).unwrap_or(0);
            let wait: Vec<usize> = self.wait.iter().map(|k| position(k.2)).collect();
            let wait = strategy::scatter_update_indexes(self.ss, &refs, wait);
            for &p in wait.iter().take(eligible) {
                if !take(matched[p]) {
                    break;
                }
            }
        }
        upgrade
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::super::pod::Pod;
    use super::super::simulate::{reference, simulate};
    use crate::kruise::rng::Rng;
    use crate::kruise::sidecarset::SidecarSet;

    const NOW: &str = "2024-06-01T00:00:00Z";

    struct Draw(Rng);

    impl Draw {
        fn below(&mut self, n: usize) -> usize {
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss
            )]
            let i = (self.0.float64() * n as f64) as usize;
            i.min(n - 1)
        }
        fn chance(&mut self, p: f64) -> bool {
            self.0.float64() < p
        }
        fn pick<T: Clone>(&mut self, items: &[T]) -> T {
            items[self.below(items.len())].clone()
        }
    }

    /// A random `updateStrategy`.
    fn strategy(d: &mut Draw) -> Value {
        let mut s = serde_json::Map::new();
        let max = d.pick(&[
            Value::Null,
            json!(0),
            json!(1),
            json!(2),
            json!(5),
            json!("10%"),
            json!("50%"),
            json!("x"),
        ]);
        if !max.is_null() {
            s.insert("maxUnavailable".into(), max);
        }
        let partition = d.pick(&[
            Value::Null,
            Value::Null,
            json!(0),
            json!(2),
            json!("20%"),
            json!("99%"),
        ]);
        if !partition.is_null() {
            s.insert("partition".into(), partition);
        }
        if d.chance(0.15) {
            s.insert(
                "selector".into(),
                json!({"matchLabels": {"tier": "canary"}}),
            );
        }
        match d.below(5) {
            0 => {
                s.insert(
                    "priorityStrategy".into(),
                    json!({"weightPriority": [
                        {"weight": 50, "matchSelector": {"matchLabels": {"tier": "canary"}}},
                        {"weight": 20, "matchSelector": {"matchLabels": {"zone": "b"}}}]}),
                );
            }
            1 => {
                s.insert(
                    "priorityStrategy".into(),
                    json!({"orderPriority": [{"orderedKey": "rank"}, {"orderedKey": "zone"}]}),
                );
            }
            2 if d.chance(0.1) => {
                s.insert("priorityStrategy".into(), json!({"weightPriority": 3}));
            }
            _ => {}
        }
        match d.below(5) {
            0 => {
                s.insert(
                    "scatterStrategy".into(),
                    json!([{"key": "zone", "value": "a"}]),
                );
            }
            1 => {
                s.insert(
                    "scatterStrategy".into(),
                    json!([{"key": "zone", "value": "*"}]),
                );
            }
            2 => {
                s.insert(
                    "scatterStrategy".into(),
                    json!([{"key": "zone", "value": "b"}, {"key": "tier", "value": "canary"}]),
                );
            }
            _ => {}
        }
        if d.chance(0.05) {
            s.insert("paused".into(), json!(true));
        }
        if d.chance(0.05) {
            s.insert("type".into(), json!("NotUpdate"));
        }
        Value::Object(s)
    }

    fn sidecarsets(d: &mut Draw) -> Vec<SidecarSet> {
        let cold = |name: &str, container: &str, image: &str, strategy: Value| {
            json!({"apiVersion": "apps.kruise.io/v1beta1", "kind": "SidecarSet",
                "metadata": {"name": name, "resourceVersion": "7"},
                "spec": {"selector": {"matchLabels": {"app": "shop"}},
                    "containers": [{"name": container, "image": image}],
                    "updateStrategy": strategy}})
        };
        let mut out = vec![cold("log", "log", "log:v2", strategy(d))];
        if d.chance(0.4) {
            out.push(cold("metrics", "metrics", "metrics:v2", strategy(d)));
        }
        if d.chance(0.3) {
            let mut hot = cold("mesh", "envoy", "envoy:v2", strategy(d));
            hot["spec"]["containers"][0]["upgradeStrategy"] =
                json!({"upgradeType": "HotUpgrade", "hotUpgradeEmptyImage": "empty:1"});
            out.push(hot);
        }
        if d.chance(0.1) {
            out.push(cold("broken", "log", "log:v3", json!({})));
            let last = out.len() - 1;
            out[last]["spec"]["selector"] =
                json!({"matchExpressions": [{"key": "app", "operator": "Bad"}]});
        }
        out.iter()
            .map(|v| SidecarSet::from_value(v).expect("valid SidecarSet"))
            .collect()
    }

    fn id(image: &str) -> String {
        format!("docker-pullable://{image}@sha256:{:064}", image.len())
    }

    /// A random pod of the shop, injected with some of `sets`, in some state of an upgrade.
    fn pod(d: &mut Draw, i: usize, sets: &[SidecarSet]) -> Pod {
        let mut labels = serde_json::Map::new();
        labels.insert(
            "app".into(),
            json!(if d.chance(0.95) { "shop" } else { "other" }),
        );
        labels.insert("zone".into(), json!(d.pick(&["a", "b", "c", "c"])));
        if d.chance(0.3) {
            labels.insert("tier".into(), json!("canary"));
        }
        if d.chance(0.5) {
            labels.insert("rank".into(), json!(format!("r{}", d.below(4))));
        }
        let mut annotations = serde_json::Map::new();
        let mut hash = serde_json::Map::new();
        let mut without = serde_json::Map::new();
        let mut injected = Vec::new();
        let mut containers = vec![json!({"name": "app", "image": "app:1"})];
        let mut statuses = vec![];
        let mut states = serde_json::Map::new();
        let ready_pod = d.chance(0.8);
        for ss in sets {
            if ss.name == "broken" || !d.chance(0.93) {
                continue;
            }
            injected.push(ss.name.clone());
            let updated = d.chance(0.25);
            hash.insert(
                ss.name.clone(),
                json!({"hash": if updated { ss.hash().to_owned() } else { "old".to_owned() }}),
            );
            if d.chance(0.92) {
                let h = if d.chance(0.9) {
                    ss.hash_without_image().to_owned()
                } else {
                    "changed".to_owned()
                };
                without.insert(ss.name.clone(), json!({"hash": h}));
            }
            let sc = &ss.spec.containers[0];
            let new = sc.image();
            let old = new.replace(":v2", ":v1");
            let spec_image = if updated { new.to_owned() } else { old.clone() };
            // The kubelet still runs the old image now and then (an update in progress).
            let running = if updated && d.chance(0.3) {
                old.clone()
            } else {
                spec_image.clone()
            };
            if ss.name == "mesh" {
                let working = d.pick(&["envoy-1", "envoy-2"]);
                let idle = if working == "envoy-1" {
                    "envoy-2"
                } else {
                    "envoy-1"
                };
                annotations.insert(
                    "kruise.io/sidecarset-working-hotupgrade-container".into(),
                    json!(format!(r#"{{"envoy":"{working}"}}"#)),
                );
                let idle_image = if d.chance(0.7) {
                    "empty:1".to_owned()
                } else {
                    old.clone()
                };
                for (name, image) in [(working, spec_image.clone()), (idle, idle_image)] {
                    containers.push(json!({"name": name, "image": image}));
                    statuses.push(json!({"name": name, "image": image, "imageID": id(&image),
                        "ready": ready_pod || d.chance(0.5)}));
                    annotations.insert(format!("version.sidecarset.kruise.io/{name}"), json!("1"));
                }
            } else {
                containers.push(json!({"name": sc.name(), "image": spec_image}));
                if d.chance(0.97) {
                    statuses.push(
                        json!({"name": sc.name(), "image": running, "imageID": id(&running),
                        "ready": ready_pod || d.chance(0.5), "restartCount": d.below(3)}),
                    );
                }
                if running != spec_image || d.chance(0.1) {
                    states.insert(
                        ss.name.clone(),
                        json!({"revision": "r", "updateTimestamp": NOW,
                        "lastContainerStatuses": {sc.name(): {"imageID": id(&running)}}}),
                    );
                }
            }
        }
        statuses.insert(
            0,
            json!({"name": "app", "image": "app:1", "imageID": id("app:1"),
            "ready": ready_pod, "restartCount": d.below(4)}),
        );
        if !injected.is_empty() || d.chance(0.5) {
            annotations.insert(
                "kruise.io/sidecarset-injected-list".into(),
                json!(injected.join(",")),
            );
        }
        annotations.insert(
            "kruise.io/sidecarset-hash".into(),
            json!(Value::Object(hash).to_string()),
        );
        annotations.insert(
            "kruise.io/sidecarset-hash-without-image".into(),
            json!(Value::Object(without).to_string()),
        );
        if !states.is_empty() {
            annotations.insert(
                "kruise.io/sidecarset-inplace-update-state".into(),
                json!(Value::Object(states).to_string()),
            );
        }
        let time = |d: &mut Draw| {
            if d.chance(0.1) {
                Value::Null
            } else {
                json!(format!(
                    "2024-05-0{}T00:00:0{}Z",
                    1 + d.below(3),
                    d.below(3)
                ))
            }
        };
        let mut metadata = json!({"name": format!("pod-{i}"), "namespace": "shop",
            "labels": labels, "annotations": annotations, "creationTimestamp": time(d)});
        if d.chance(0.03) {
            metadata["deletionTimestamp"] = json!(NOW);
        }
        let mut conditions = vec![json!({"type": "Initialized", "status": "True"})];
        if d.chance(0.95) {
            conditions.push(
                json!({"type": "Ready", "status": if ready_pod { "True" } else { "False" },
                "lastTransitionTime": time(d)}),
            );
        }
        let mut value = json!({"apiVersion": "v1", "kind": "Pod", "metadata": metadata,
            "spec": {"containers": containers},
            "status": {"phase": d.pick(&["Running", "Running", "Running", "Pending", "Unknown"]),
                "conditions": conditions, "containerStatuses": statuses}});
        if d.chance(0.9) {
            value["spec"]["nodeName"] = json!(format!("node-{}", d.below(3)));
        }
        Pod::from_value(&value, "default").expect("valid pod")
    }

    /// The incremental simulation against the reference on a random case.
    fn same_as_reference(seed: u64) {
        let mut d = Draw(Rng::new(seed));
        let sets = sidecarsets(&mut d);
        let n = 1 + d.below(40);
        let pods: Vec<Pod> = (0..n).map(|i| pod(&mut d, i, &sets)).collect();
        let limit = d.pick(&[None, None, None, Some(0), Some(1), Some(3)]);
        let ns = BTreeMap::new();
        let mut a = pods.clone();
        let mut b = pods;
        let fast = simulate(&sets, &mut a, &ns, limit, NOW);
        let slow = reference(&sets, &mut b, &ns, limit, NOW);
        assert_eq!(fast, slow, "seed {seed}");
        assert_eq!(a, b, "seed {seed}");
    }

    #[test]
    fn random_cases_do_something() {
        // The generator makes rollouts of several rounds, flips and not-upgradable pods.
        let (mut rounds, mut flips, mut not_upgradable) = (0, 0, 0);
        for seed in 0..200 {
            let mut d = Draw(Rng::new(seed));
            let sets = sidecarsets(&mut d);
            let n = 1 + d.below(40);
            let mut pods: Vec<Pod> = (0..n).map(|i| pod(&mut d, i, &sets)).collect();
            for run in simulate(&sets, &mut pods, &BTreeMap::new(), None, NOW) {
                rounds += run.rounds.len();
                flips += run.rounds.iter().filter(|r| !r.flip.is_empty()).count();
                not_upgradable += run
                    .rounds
                    .iter()
                    .map(|r| r.not_upgradable.len())
                    .sum::<usize>();
            }
        }
        assert!(
            rounds > 400 && flips > 10 && not_upgradable > 100,
            "{rounds} {flips} {not_upgradable}"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn incremental_rounds_are_kruises(seed in any::<u64>()) {
            same_as_reference(seed);
        }
    }
}
