//! The controller's reconcile (`sidecarset_processor.go: UpdateSidecarSet`) and rounds of it.
//!
//! A round is one reconcile of every SidecarSet (in name order) that changes pods. Between rounds
//! the kubelet is assumed to do its part ([`settle`]): every container whose image the controller
//! changed restarts with the new image and is ready, and its pod is Running and Ready. The
//! simulation ends when a reconcile changes nothing, or after the number of rounds asked for.

use std::collections::{BTreeMap, BTreeSet};

use super::annotations::{self, INPLACE_UPDATE_STATE_ANNOTATION};
use super::flip;
use super::hot_upgrade;
use super::incremental::{Step, View};
use super::matching::{Matching, matching_pods};
use super::pod::{Condition, Pod};
use super::status::{self, Status, calculate_status};
use super::strategy::{self, Plan};
use super::upgrade::{self, PodChanges};
use crate::kruise::sidecarset::SidecarSet;
use crate::kruise::timestamp;

/// Why a reconcile stops before choosing pods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stopped {
    /// `updateStrategy.type: NotUpdate`.
    NotUpdate,
    /// `updateStrategy.paused: true`.
    Paused,
    /// The SidecarSet cannot be evaluated (an invalid selector or priority strategy); the
    /// controller's reconcile fails.
    Invalid(String),
}

/// What one reconcile does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Nothing, before choosing pods.
    Stopped(Stopped),
    /// Hot-upgrade flips (step 7); the reconcile ends there.
    Flip(Vec<PodChanges>),
    /// Every matched pod is updated.
    Finished,
    /// The round of `GetNextUpgradePods` (the plan's indexes are pod indexes); `failed`: the pod
    /// whose update failed (a `MergePatchJson` patch), which ends the round.
    Upgrade {
        /// Who is upgraded and why the others wait.
        plan: Plan,
        /// The pods upgraded, in order.
        upgraded: Vec<PodChanges>,
        /// The pod whose update failed, and why.
        failed: Option<(usize, String)>,
    },
}

/// One reconcile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconcile {
    /// The pods the SidecarSet manages (pod indexes).
    pub matching: Matching,
    /// The status it reports (before its changes).
    pub status: Status,
    /// What it does.
    pub action: Action,
}

/// `UpdateSidecarSet` on `pods`, applying its changes. `namespaces`: Namespace name → labels.
pub fn reconcile(
    ss: &SidecarSet,
    pods: &mut [Pod],
    namespaces: &BTreeMap<String, BTreeMap<String, String>>,
    now: &str,
) -> Reconcile {
    reconcile_in(ss, pods, namespaces, now)
}

/// What [`reconcile`] would do to `pods`, leaving them as they are: a copy is made of the pods it
/// changes only (what the controller does next, after the rounds: a copy of every pod took as
/// much memory as the pods, issue 14).
pub fn next(
    ss: &SidecarSet,
    pods: &[Pod],
    namespaces: &BTreeMap<String, BTreeMap<String, String>>,
    now: &str,
) -> Reconcile {
    reconcile_in(
        ss,
        &mut Scratch {
            pods,
            changed: BTreeMap::new(),
        },
        namespaces,
        now,
    )
}

/// The pods a reconcile reads and changes. It reads them all before it changes any, and reads a
/// pod it changes only through [`Pods::pod_mut`].
trait Pods {
    /// The pods as they were before the reconcile.
    fn pods(&self) -> &[Pod];
    /// Pod `i`, to change.
    fn pod_mut(&mut self, i: usize) -> &mut Pod;
}

impl Pods for [Pod] {
    fn pods(&self) -> &[Pod] {
        self
    }

    fn pod_mut(&mut self, i: usize) -> &mut Pod {
        &mut self[i]
    }
}

/// Pods left as they are: a pod is copied when it is first changed.
struct Scratch<'a> {
    pods: &'a [Pod],
    changed: BTreeMap<usize, Pod>,
}

impl Pods for Scratch<'_> {
    fn pods(&self) -> &[Pod] {
        self.pods
    }

    fn pod_mut(&mut self, i: usize) -> &mut Pod {
        let pods = self.pods;
        self.changed.entry(i).or_insert_with(|| pods[i].clone())
    }
}

fn reconcile_in<P: Pods + ?Sized>(
    ss: &SidecarSet,
    store: &mut P,
    namespaces: &BTreeMap<String, BTreeMap<String, String>>,
    now: &str,
) -> Reconcile {
    let pods = store.pods();
    let matching = match matching_pods(ss, pods, namespaces) {
        Ok(m) => m,
        Err(e) => {
            return Reconcile {
                matching: Matching::default(),
                status: Status::default(),
                action: Action::Stopped(Stopped::Invalid(e.to_string())),
            };
        }
    };
    let matched = matching.matched.clone();
    let status = calculate_status(ss, matched.iter().map(|&i| &pods[i]));
    let done = |action| Reconcile {
        matching: matching.clone(),
        status,
        action,
    };
    let strategy = &ss.spec.update_strategy;
    if strategy.kind == "NotUpdate" {
        return done(Action::Stopped(Stopped::NotUpdate));
    }
    if strategy.paused {
        return done(Action::Stopped(Stopped::Paused));
    }
    if hot_upgrade::has_hot_upgrade_container(ss) {
        let flips: Vec<usize> = matched
            .iter()
            .copied()
            .filter(|&i| flip::needs_flip(ss, &pods[i]))
            .collect();
        if !flips.is_empty() {
            let changes = flips
                .into_iter()
                .map(|i| PodChanges {
                    pod: i,
                    changes: flip::flip(ss, store.pod_mut(i), now),
                })
                .collect();
            return done(Action::Flip(changes));
        }
    }
    if status.updated_pods >= status.matched_pods {
        return done(Action::Finished);
    }
    let refs: Vec<&Pod> = matched.iter().map(|&i| &pods[i]).collect();
    let plan = match strategy::next_upgrade_pods(ss, &refs) {
        Ok(plan) => to_pod_indexes(plan, &matched),
        Err(e) => return done(Action::Stopped(Stopped::Invalid(e.to_string()))),
    };
    for &i in &plan.not_upgradable {
        upgrade::set_upgradable_condition(ss, store.pod_mut(i), false, now);
    }
    let mut upgraded = Vec::new();
    let mut failed = None;
    for &i in &plan.upgrade {
        match upgrade::upgrade_pod(ss, store.pod_mut(i), now) {
            Ok(changes) => upgraded.push(PodChanges { pod: i, changes }),
            Err(e) => {
                failed = Some((i, e.to_string()));
                break;
            }
        }
    }
    done(Action::Upgrade {
        plan,
        upgraded,
        failed,
    })
}

fn to_pod_indexes(plan: Plan, matched: &[usize]) -> Plan {
    let map = |v: Vec<usize>| v.into_iter().map(|i| matched[i]).collect();
    Plan {
        upgrade: map(plan.upgrade),
        not_upgradable: map(plan.not_upgradable),
        not_selected: map(plan.not_selected),
        in_progress: map(plan.in_progress),
        held_by_partition: map(plan.held_by_partition),
        over_budget: map(plan.over_budget),
        ..plan
    }
}

/// The kubelet between rounds: each container in `changed` (pod index → container names), and
/// each container an in-place update record says is still pending, restarts running its spec
/// image (`imageID` = the image, ready, one more restart); those pods become Running and Ready.
pub fn settle(
    pods: &mut [Pod],
    changed: &BTreeMap<usize, BTreeSet<String>>,
    sidecarsets: &[&str],
    now: &str,
) {
    for (i, pod) in pods.iter_mut().enumerate() {
        settle_pod(pod, changed.get(&i), sidecarsets, now);
    }
}

/// Whether [`settle`] restarts containers of `pod` that no reconcile changed: its in-place update
/// record (readable) says an update of some container is not completed.
pub fn is_pending(pod: &Pod, sidecarsets: &[&str]) -> bool {
    let readable = pod
        .annotations
        .get(INPLACE_UPDATE_STATE_ANNOTATION)
        .is_some_and(|t| annotations::parse_inplace_update_state(t).is_ok());
    if !readable {
        return false;
    }
    let all: BTreeSet<String> = pod
        .container_statuses
        .iter()
        .map(|s| s.name.clone())
        .collect();
    !status::is_sidecar_container_update_completed(pod, sidecarsets, &all)
}

/// [`settle`] of one pod (`changed`: its containers the round changed). Whether it changed it.
pub fn settle_pod(
    pod: &mut Pod,
    changed: Option<&BTreeSet<String>>,
    sidecarsets: &[&str],
    now: &str,
) -> bool {
    let mut names = changed.cloned().unwrap_or_default();
    if is_pending(pod, sidecarsets) {
        for cs in &pod.container_statuses {
            let one = BTreeSet::from([cs.name.clone()]);
            if !status::is_sidecar_container_update_completed(pod, sidecarsets, &one) {
                names.insert(cs.name.clone());
            }
        }
    }
    if names.is_empty() {
        return false;
    }
    for name in &names {
        let Some(image) = pod.container(name).map(|c| c.image.clone()) else {
            continue;
        };
        if let Some(s) = pod.container_status_mut(name) {
            s.image_id.clone_from(&image);
            s.image = image;
            s.ready = true;
            s.restart_count += 1;
        }
    }
    pod.phase = "Running".to_owned();
    let at = timestamp::parse_rfc3339(now);
    for kind in ["Ready", "ContainersReady"] {
        let needs = match pod.condition(kind) {
            Some(c) => c.status != "True",
            None => kind == "Ready",
        };
        if needs {
            pod.set_condition(Condition::new(kind, "True", "", ""), at);
        }
    }
    true
}

/// One round of one SidecarSet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    /// Pods upgraded, in order.
    pub upgrade: Vec<PodChanges>,
    /// Pods found not upgradable.
    pub not_upgradable: Vec<usize>,
    /// Pods whose hot-upgrade pair was flipped.
    pub flip: Vec<PodChanges>,
    /// A pod whose update failed, which ended the round.
    pub failed: Option<(usize, String)>,
    /// The status after the round (once the kubelet restarted what changed).
    pub status: Status,
}

/// The simulation of one SidecarSet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// The status before any round.
    pub status: Status,
    /// The pods it manages, before any round.
    pub matching: Matching,
    /// The rounds that changed pods (the first is the next round the controller runs); a first
    /// round that changes nothing is listed when it finds not-upgradable pods.
    pub rounds: Vec<Round>,
    /// What the controller would do after the last round (computed on a copy): why the
    /// simulation ended.
    pub next: Reconcile,
}

/// Rounds to simulate when no limit is given: far more than any real rollout needs.
const SAFETY_LIMIT: usize = 100_000;

/// Runs rounds of every SidecarSet on `pods` (changed in place): at most `limit` rounds, or until
/// nothing changes.
///
/// Each reconcile is [`reconcile`]'s, computed incrementally ([`super::incremental::View`]): only
/// the pods the previous reconcile or the kubelet changed are evaluated again.
pub fn simulate(
    sidecarsets: &[SidecarSet],
    pods: &mut [Pod],
    namespaces: &BTreeMap<String, BTreeMap<String, String>>,
    limit: Option<usize>,
    now: &str,
) -> Vec<Run> {
    let names: Vec<&str> = sidecarsets.iter().map(|s| s.name.as_str()).collect();
    let mut runs: Vec<(Status, Matching, Vec<Round>)> =
        vec![(Status::default(), Matching::default(), Vec::new()); sidecarsets.len()];
    let mut views = Vec::with_capacity(sidecarsets.len());
    for ss in sidecarsets {
        views.push(View::new(ss, pods, namespaces));
    }
    let mut active = vec![true; sidecarsets.len()];
    let limit = limit.unwrap_or(SAFETY_LIMIT);
    // The pods the next settle looks at: at first all, then those changed and those it left
    // with an update still pending.
    let mut pending: BTreeSet<usize> = (0..pods.len()).collect();
    for round in 0..limit {
        let mut changed: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
        let mut recorded = Vec::new();
        for k in 0..sidecarsets.len() {
            if !active[k] {
                continue;
            }
            if round == 0 {
                runs[k].0 = views[k].status();
                runs[k].1 = views[k].matching();
            }
            let step = views[k].step(pods, now);
            let mut note = |changes: &[PodChanges]| {
                for c in changes {
                    let names = changed.entry(c.pod).or_default();
                    names.extend(c.changes.iter().map(|c| c.container.clone()));
                }
                for view in &mut views {
                    for c in changes {
                        view.refresh(c.pod, &pods[c.pod]);
                    }
                }
            };
            let entry = match step {
                Step::Nothing => None,
                Step::Flip(flip) => {
                    note(&flip);
                    Some(Round {
                        upgrade: Vec::new(),
                        not_upgradable: Vec::new(),
                        flip,
                        failed: None,
                        status: Status::default(),
                    })
                }
                Step::Upgrade {
                    upgraded,
                    failed,
                    not_upgradable,
                } => {
                    note(&upgraded);
                    let changed_pods = !upgraded.is_empty();
                    if !changed_pods || failed.is_some() {
                        active[k] = false;
                    }
                    (changed_pods || failed.is_some() || (round == 0 && !not_upgradable.is_empty()))
                        .then_some(Round {
                            upgrade: upgraded,
                            not_upgradable,
                            flip: Vec::new(),
                            failed,
                            status: Status::default(),
                        })
                }
            };
            match entry {
                Some(entry) => {
                    runs[k].2.push(entry);
                    recorded.push(k);
                }
                None => active[k] = false,
            }
        }
        if recorded.is_empty() {
            break;
        }
        let candidates: BTreeSet<usize> = changed.keys().copied().chain(pending).collect();
        pending = BTreeSet::new();
        for i in candidates {
            if settle_pod(&mut pods[i], changed.get(&i), &names, now) {
                for view in &mut views {
                    view.refresh(i, &pods[i]);
                }
            }
            if is_pending(&pods[i], &names) {
                pending.insert(i);
            }
        }
        for k in recorded {
            if let Some(last) = runs[k].2.last_mut() {
                last.status = views[k].status();
            }
        }
        if !active.iter().any(|a| *a) {
            break;
        }
    }
    drop(views);
    sidecarsets
        .iter()
        .zip(runs)
        .map(|(ss, (status, matching, rounds))| {
            let next = next(ss, pods, namespaces, now);
            // A first round that never ran (no round asked for) still reports the status now.
            let (status, matching) = if limit == 0 {
                (next.status, next.matching.clone())
            } else {
                (status, matching)
            };
            Run {
                status,
                matching,
                rounds,
                next,
            }
        })
        .collect()
}

/// [`simulate`] as Kruise runs it: every reconcile re-evaluates every pod (quadratic in the pods
/// when a round upgrades one). The test oracle of the incremental [`simulate`].
#[cfg(test)]
pub(crate) fn reference(
    sidecarsets: &[SidecarSet],
    pods: &mut [Pod],
    namespaces: &BTreeMap<String, BTreeMap<String, String>>,
    limit: Option<usize>,
    now: &str,
) -> Vec<Run> {
    let names: Vec<&str> = sidecarsets.iter().map(|s| s.name.as_str()).collect();
    let mut runs: Vec<(Status, Matching, Vec<Round>)> =
        vec![(Status::default(), Matching::default(), Vec::new()); sidecarsets.len()];
    let mut active = vec![true; sidecarsets.len()];
    let limit = limit.unwrap_or(SAFETY_LIMIT);
    for round in 0..limit {
        let mut changed: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
        let mut recorded = Vec::new();
        for (k, ss) in sidecarsets.iter().enumerate() {
            if !active[k] {
                continue;
            }
            let r = reconcile(ss, pods, namespaces, now);
            if round == 0 {
                runs[k].0 = r.status;
                runs[k].1 = r.matching.clone();
            }
            let mut note = |changes: &[PodChanges]| {
                for c in changes {
                    let names = changed.entry(c.pod).or_default();
                    names.extend(c.changes.iter().map(|c| c.container.clone()));
                }
            };
            let entry = match r.action {
                Action::Stopped(_) | Action::Finished => None,
                Action::Flip(flip) => {
                    note(&flip);
                    Some(Round {
                        upgrade: Vec::new(),
                        not_upgradable: Vec::new(),
                        flip,
                        failed: None,
                        status: Status::default(),
                    })
                }
                Action::Upgrade {
                    plan,
                    upgraded,
                    failed,
                } => {
                    note(&upgraded);
                    let changed_pods = !upgraded.is_empty();
                    if !changed_pods || failed.is_some() {
                        active[k] = false;
                    }
                    (changed_pods
                        || failed.is_some()
                        || (round == 0 && !plan.not_upgradable.is_empty()))
                    .then_some(Round {
                        upgrade: upgraded,
                        not_upgradable: plan.not_upgradable,
                        flip: Vec::new(),
                        failed,
                        status: Status::default(),
                    })
                }
            };
            match entry {
                Some(entry) => {
                    runs[k].2.push(entry);
                    recorded.push(k);
                }
                None => active[k] = false,
            }
        }
        if recorded.is_empty() {
            break;
        }
        settle(pods, &changed, &names, now);
        for k in recorded {
            let status = match matching_pods(&sidecarsets[k], pods, namespaces) {
                Ok(m) => calculate_status(&sidecarsets[k], m.matched.iter().map(|&i| &pods[i])),
                Err(_) => Status::default(),
            };
            if let Some(last) = runs[k].2.last_mut() {
                last.status = status;
            }
        }
        if !active.iter().any(|a| *a) {
            break;
        }
    }
    sidecarsets
        .iter()
        .zip(runs)
        .map(|(ss, (status, matching, rounds))| {
            let mut copy = pods.to_vec();
            let next = reconcile(ss, &mut copy, namespaces, now);
            // A first round that never ran (no round asked for) still reports the status now.
            let (status, matching) = if limit == 0 {
                (next.status, next.matching.clone())
            } else {
                (status, matching)
            };
            Run {
                status,
                matching,
                rounds,
                next,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::super::annotations::WORKING_CONTAINER_ANNOTATION;
    use super::super::status::tests::{pods, sidecarset};
    use super::*;

    const NOW: &str = "2024-01-01T00:00:00Z";
    const EMPTY: &str = "hotupgrade:empty";
    const EMPTY_ID: &str = "docker-pullable://hotupgrade@sha256:91873971hhf0981293480lhhhgsfgs09809085024lddd092jjj44k4h4vv44";

    fn status(m: usize, u: usize, r: usize, ur: usize) -> Status {
        Status {
            matched_pods: m,
            updated_pods: u,
            ready_pods: r,
            updated_ready_pods: ur,
        }
    }

    fn hot_sidecarset() -> SidecarSet {
        SidecarSet::from_value(&json!({
            "apiVersion": "apps.kruise.io/v1beta1", "kind": "SidecarSet",
            "metadata": {"name": "test-sidecarset", "resourceVersion": "22"},
            "spec": {"selector": {"matchLabels": {"app": "nginx"}},
                     "containers": [{"name": "test-sidecar", "image": "test-image:v2",
                        "upgradeStrategy": {"upgradeType": "HotUpgrade", "hotUpgradeEmptyImage": EMPTY}}]}
        }))
        .expect("valid")
    }

    /// `sidecarset_hotupgrade_test.go: podHotUpgrade`.
    fn hot_pod(ss: &SidecarSet) -> Pod {
        let env = |c: &str| {
            json!([{"name": "SIDECARSET_VERSION", "valueFrom": {"fieldRef": {
            "fieldPath": format!("metadata.annotations['version.sidecarset.kruise.io/{c}']")}}}])
        };
        let value: Value = json!({
            "metadata": {"name": "liheng-test", "namespace": "default", "labels": {"app": "nginx"},
                "annotations": {
                    "kruise.io/sidecarset-injected-list": "test-sidecarset",
                    "kruise.io/sidecarset-hash": r#"{"test-sidecarset":{"hash":"aaa","sidecarList":["test-sidecar"]}}"#,
                    "kruise.io/sidecarset-hash-without-image": format!(r#"{{"test-sidecarset":{{"hash":"{}"}}}}"#, ss.hash_without_image()),
                    "version.sidecarset.kruise.io/test-sidecar-1": "1",
                    "version.sidecarset.kruise.io/test-sidecar-2": "1",
                    "kruise.io/sidecarset-working-hotupgrade-container": r#"{"test-sidecar":"test-sidecar-1"}"#}},
            "spec": {"containers": [
                {"name": "nginx", "image": "nginx:1.15.1"},
                {"name": "test-sidecar-1", "image": "test-image:v1", "env": env("test-sidecar-1")},
                {"name": "test-sidecar-2", "image": EMPTY, "env": env("test-sidecar-2")}]},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
                "containerStatuses": [
                    {"name": "nginx", "image": "nginx:1.15.1", "ready": true,
                     "imageID": "docker-pullable://nginx@sha256:a9286defaba7b3a519d585ba0e37d0b2cbee74ebfe590960b0b1d6a5e97d1e1d"},
                    {"name": "test-sidecar-1", "image": "test-image:v1", "ready": true,
                     "imageID": super::super::status::tests::V1_ID},
                    {"name": "test-sidecar-2", "image": EMPTY, "imageID": EMPTY_ID, "ready": true}]}
        });
        Pod::from_value(&value, "default").expect("pod")
    }

    fn image(pod: &Pod, name: &str) -> String {
        pod.container(name)
            .map(|c| c.image.clone())
            .unwrap_or_default()
    }

    /// `sidecarset_hotupgrade_test.go: TestUpdateHotUpgradeSidecar`: four reconciles, the kubelet
    /// acting between them as the test's handlers do.
    #[test]
    fn hot_upgrade_cycle_of_kruise() {
        let ss = hot_sidecarset();
        let mut pods = vec![hot_pod(&ss)];
        let ns = BTreeMap::new();

        let r = reconcile(&ss, &mut pods, &ns, NOW);
        assert_eq!(r.status, status(1, 0, 1, 0));
        assert!(matches!(r.action, Action::Upgrade { ref upgraded, .. } if upgraded.len() == 1));
        assert_eq!(image(&pods[0], "test-sidecar-1"), "test-image:v1");
        assert_eq!(image(&pods[0], "test-sidecar-2"), "test-image:v2");
        let a = &pods[0].annotations;
        assert_eq!(
            a[WORKING_CONTAINER_ANNOTATION],
            r#"{"test-sidecar":"test-sidecar-2"}"#
        );
        assert_eq!(a["version.sidecarset.kruise.io/test-sidecar-2"], "22");
        assert_eq!(a["versionalt.sidecarset.kruise.io/test-sidecar-2"], "1");
        assert_eq!(a["versionalt.sidecarset.kruise.io/test-sidecar-1"], "22");

        // The kubelet has not restarted test-sidecar-2 yet.
        let r = reconcile(&ss, &mut pods, &ns, NOW);
        assert_eq!(r.status, status(1, 1, 0, 0));
        assert_eq!(r.action, Action::Finished);
        // "test-sidecar-2 container is upgrading": it now runs v2.
        let s = pods[0]
            .container_status_mut("test-sidecar-2")
            .expect("status");
        s.image = "test-image:v2".into();
        s.image_id = super::super::status::tests::V2_ID.into();

        let r = reconcile(&ss, &mut pods, &ns, NOW);
        assert_eq!(r.status, status(1, 1, 0, 0));
        assert!(matches!(r.action, Action::Flip(ref f) if f.len() == 1));
        assert_eq!(image(&pods[0], "test-sidecar-1"), EMPTY);
        assert_eq!(image(&pods[0], "test-sidecar-2"), "test-image:v2");
        assert_eq!(
            pods[0].annotations["version.sidecarset.kruise.io/test-sidecar-1"],
            "0"
        );
        assert_eq!(
            pods[0].annotations["versionalt.sidecarset.kruise.io/test-sidecar-2"],
            "0"
        );
        // "reset test-sidecar-1 empty image": it now runs the empty image.
        let s = pods[0]
            .container_status_mut("test-sidecar-1")
            .expect("status");
        s.image = EMPTY.into();
        s.image_id = EMPTY_ID.into();

        let r = reconcile(&ss, &mut pods, &ns, NOW);
        assert_eq!(r.status, status(1, 1, 1, 1));
        assert_eq!(r.action, Action::Finished);
    }

    /// The same cycle as rounds: upgrade, flip, then nothing left; the next upgrade goes to `-1`.
    #[test]
    fn hot_upgrade_rounds() {
        let ss = hot_sidecarset();
        let mut pods = vec![hot_pod(&ss)];
        let runs = simulate(
            std::slice::from_ref(&ss),
            &mut pods,
            &BTreeMap::new(),
            None,
            NOW,
        );
        let run = &runs[0];
        assert_eq!(run.status, status(1, 0, 1, 0));
        assert_eq!(run.rounds.len(), 2);
        assert_eq!(
            run.rounds[0].upgrade[0].changes[0].container,
            "test-sidecar-2"
        );
        assert_eq!(run.rounds[0].status, status(1, 1, 0, 0));
        assert_eq!(run.rounds[1].flip[0].changes[0].container, "test-sidecar-1");
        assert_eq!(run.rounds[1].status, status(1, 1, 1, 1));
        assert_eq!(run.next.action, Action::Finished);

        let mut v3 = ss_json_v3();
        v3["metadata"]["resourceVersion"] = json!("23");
        let ss3 = SidecarSet::from_value(&v3).expect("valid");
        let runs = simulate(
            std::slice::from_ref(&ss3),
            &mut pods,
            &BTreeMap::new(),
            None,
            NOW,
        );
        assert_eq!(
            runs[0].rounds[0].upgrade[0].changes[0].container,
            "test-sidecar-1"
        );
        assert_eq!(image(&pods[0], "test-sidecar-1"), "test-image:v3");
        assert_eq!(image(&pods[0], "test-sidecar-2"), EMPTY);
    }

    fn ss_json_v3() -> Value {
        json!({
            "apiVersion": "apps.kruise.io/v1beta1", "kind": "SidecarSet",
            "metadata": {"name": "test-sidecarset"},
            "spec": {"selector": {"matchLabels": {"app": "nginx"}},
                     "containers": [{"name": "test-sidecar", "image": "test-image:v3",
                        "upgradeStrategy": {"upgradeType": "HotUpgrade", "hotUpgradeEmptyImage": EMPTY}}]}
        })
    }

    #[test]
    fn rounds_until_done_respect_max_unavailable() {
        let ss = sidecarset(json!({"maxUnavailable": 2}));
        let mut pods = pods(&ss, 5, 0, 0);
        let runs = simulate(
            std::slice::from_ref(&ss),
            &mut pods,
            &BTreeMap::new(),
            None,
            NOW,
        );
        let sizes: Vec<usize> = runs[0].rounds.iter().map(|r| r.upgrade.len()).collect();
        assert_eq!(sizes, [2, 2, 1]);
        assert_eq!(runs[0].rounds[2].status, status(5, 5, 5, 5));
        assert_eq!(runs[0].next.action, Action::Finished);
        // The kubelet restarted each upgraded sidecar.
        let s = pods[0].container_status("test-sidecar").expect("status");
        assert_eq!((s.image.as_str(), s.restart_count), ("test-image:v2", 1));
    }

    #[test]
    fn settled_pods_are_running_and_ready() {
        let ss = sidecarset(json!({}));
        let mut pods = pods(&ss, 1, 0, 0);
        let value = json!({"metadata": {"name": "x"}, "status": {"phase": "Pending", "conditions": [
            {"type": "Ready", "status": "False", "reason": "ContainersNotReady", "message": "m"}]}});
        let waiting = Pod::from_value(&value, "default").expect("pod");
        pods[0].phase = waiting.phase.clone();
        pods[0].conditions = waiting.conditions.clone();
        let runs = simulate(
            std::slice::from_ref(&ss),
            &mut pods,
            &BTreeMap::new(),
            Some(1),
            NOW,
        );
        assert_eq!(runs[0].rounds[0].status, status(1, 1, 1, 1));
        let v = pods[0].to_value();
        assert_eq!(v["status"]["phase"], "Running");
        assert_eq!(
            v["status"]["conditions"][0],
            json!({"type": "Ready", "status": "True", "lastTransitionTime": NOW})
        );
        assert_eq!(v["status"]["containerStatuses"][1]["restartCount"], 1);
    }

    #[test]
    fn a_round_limit_leaves_the_rest_for_later() {
        let ss = sidecarset(json!({}));
        let mut pods = pods(&ss, 3, 0, 0);
        let runs = simulate(
            std::slice::from_ref(&ss),
            &mut pods,
            &BTreeMap::new(),
            Some(1),
            NOW,
        );
        assert_eq!(runs[0].rounds.len(), 1);
        assert_eq!(runs[0].rounds[0].status, status(3, 1, 3, 1));
        assert!(
            matches!(&runs[0].next.action, Action::Upgrade { upgraded, .. } if upgraded.len() == 1)
        );
    }

    #[test]
    fn not_update_and_paused_change_nothing() {
        for strategy in [json!({"type": "NotUpdate"}), json!({"paused": true})] {
            let ss = sidecarset(strategy);
            let mut pods = pods(&ss, 3, 0, 0);
            let before = pods.clone();
            let runs = simulate(
                std::slice::from_ref(&ss),
                &mut pods,
                &BTreeMap::new(),
                None,
                NOW,
            );
            assert!(runs[0].rounds.is_empty());
            assert_eq!(runs[0].status, status(3, 0, 3, 0));
            assert!(matches!(runs[0].next.action, Action::Stopped(_)));
            assert_eq!(pods, before);
        }
    }

    #[test]
    fn not_upgradable_pods_are_reported_once_and_marked() {
        let ss = sidecarset(json!({"maxUnavailable": 5}));
        let mut pods = pods(&ss, 3, 0, 0);
        pods[1].annotations.insert(
            crate::kruise::sidecarset::HASH_WITHOUT_IMAGE_ANNOTATION.into(),
            r#"{"test-sidecarset":{"hash":"old"}}"#.into(),
        );
        let runs = simulate(
            std::slice::from_ref(&ss),
            &mut pods,
            &BTreeMap::new(),
            None,
            NOW,
        );
        assert_eq!(runs[0].rounds.len(), 1);
        assert_eq!(runs[0].rounds[0].not_upgradable, [1]);
        assert_eq!(runs[0].rounds[0].upgrade.len(), 2);
        let c = pods[1]
            .condition("SidecarSetUpgradable")
            .expect("condition");
        assert_eq!(
            (c.status.as_str(), c.reason.as_str()),
            ("False", "UpdateImmutableField")
        );
        // Only pod 1 is left, and it never will be upgraded.
        assert!(
            matches!(&runs[0].next.action, Action::Upgrade { plan, upgraded, .. }
            if upgraded.is_empty() && plan.not_upgradable == [1])
        );
    }
}
