//! Which pods a round upgrades (`sidecarset_strategy.go: GetNextUpgradePods,
//! calculateUpgradeCount`; `sidecarset_control.go: IsSidecarSetUpgradable`;
//! `pkg/util/tools.go: CalculatePartitionReplicas`; k8s `intstr.GetScaledValueFromIntOrPercent`).

use std::collections::BTreeSet;

use serde_json::Value;

use super::annotations;
use super::pod::Pod;
use super::scatter;
use super::sort::{self, PriorityError, PriorityStrategy};
use super::status;
use crate::kruise::sidecarset::{HASH_WITHOUT_IMAGE_ANNOTATION, SidecarSet};

/// One round's choice, with why the other pods wait. Indexes are into the matched pods.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// The pods to upgrade, in Kruise's order.
    pub upgrade: Vec<usize>,
    /// Pods whose sidecars changed in more than their images (`UpdateImmutableField`).
    pub not_upgradable: Vec<usize>,
    /// Pods `updateStrategy.selector` does not select.
    pub not_selected: Vec<usize>,
    /// Pods whose previous in-place upgrade is still in progress (skipped this round).
    pub in_progress: Vec<usize>,
    /// Waiting pods held back by `partition` (the last ones of the order).
    pub held_by_partition: Vec<usize>,
    /// Waiting pods beyond the `maxUnavailable` budget.
    pub over_budget: Vec<usize>,
    /// `partition` as a number of pods.
    pub partition: usize,
    /// `maxUnavailable` as a number of pods.
    pub max_unavailable: i64,
    /// Updated pods that are not ready (or still restarting) before the round.
    pub unavailable: usize,
}

/// `GetNextUpgradePods` over the matched pods.
pub fn next_upgrade_pods(ss: &SidecarSet, pods: &[&Pod]) -> Result<Plan, PriorityError> {
    let strategy = &ss.spec.update_strategy;
    let mut plan = Plan::default();
    let mut wait = Vec::new();
    let updated: Vec<bool> = pods
        .iter()
        .map(|p| status::is_pod_sidecar_updated(ss, p))
        .collect();
    for (i, pod) in pods.iter().enumerate() {
        if updated[i] {
            continue;
        }
        let selected = strategy
            .selector
            .as_ref()
            .is_none_or(|s| s.matches_unvalidated(&pod.labels).unwrap_or(false));
        if !selected {
            plan.not_selected.push(i);
            continue;
        }
        match is_sidecarset_upgradable(ss, pod) {
            (true, true) => wait.push(i),
            (false, _) => plan.not_upgradable.push(i),
            (true, false) => plan.in_progress.push(i),
        }
    }
    let wait = sort_update_indexes(ss, pods, wait)?;
    let total = pods.len();
    plan.partition = partition_replicas(strategy.partition.as_ref(), total);
    plan.max_unavailable = max_unavailable(strategy.max_unavailable.as_ref(), total);
    plan.unavailable = pods
        .iter()
        .zip(&updated)
        .filter(|(p, updated)| {
            **updated
                && (!status::is_pod_state_consistent(ss, p, &BTreeSet::new())
                    || !status::is_pod_ready(ss, p))
        })
        .count();
    let eligible = wait.len().saturating_sub(plan.partition);
    plan.held_by_partition = wait[eligible..].to_vec();
    let mut unavailable = i64::try_from(plan.unavailable).unwrap_or(i64::MAX);
    let mut count = 0;
    for &i in &wait[..eligible] {
        if !status::is_pod_ready(ss, pods[i]) {
            count += 1;
            continue;
        }
        if unavailable >= plan.max_unavailable {
            break;
        }
        unavailable += 1;
        count += 1;
    }
    plan.upgrade = wait[..count].to_vec();
    plan.over_budget = wait[count..eligible].to_vec();
    Ok(plan)
}

/// `SortUpdateIndexes`: the default order, then `priorityStrategy`, then `scatterStrategy`.
pub fn sort_update_indexes(
    ss: &SidecarSet,
    pods: &[&Pod],
    mut wait: Vec<usize>,
) -> Result<Vec<usize>, PriorityError> {
    let strategy = &ss.spec.update_strategy;
    sort::sort_default(pods, &mut wait);
    if let Some(priority) = &strategy.priority_strategy {
        PriorityStrategy::from_value(priority)?.sort(pods, &mut wait);
    }
    Ok(scatter_update_indexes(ss, pods, wait))
}

/// The last step of [`sort_update_indexes`]: `scatterStrategy` over the sorted waiting pods.
pub fn scatter_update_indexes(ss: &SidecarSet, pods: &[&Pod], wait: Vec<usize>) -> Vec<usize> {
    let strategy = &ss.spec.update_strategy;
    if strategy.scatter_strategy.is_empty() {
        return wait;
    }
    let terms = scatter::expand_terms(&strategy.scatter_strategy, pods);
    scatter::sort(&terms, pods, wait)
}

/// `IsSidecarSetUpgradable`: `(canUpgrade, consistent)`. Not upgradable when the pod's
/// `-without-image` hash differs from the SidecarSet's (something other than an image changed);
/// not consistent when a ready sidecar does not yet run its spec image.
pub fn is_sidecarset_upgradable(ss: &SidecarSet, pod: &Pod) -> (bool, bool) {
    let pod_hash =
        annotations::pod_upgrade_spec(&pod.annotations, HASH_WITHOUT_IMAGE_ANNOTATION, &ss.name)
            .hash;
    if pod_hash != ss.hash_without_image() {
        return (false, false);
    }
    for name in status::sidecar_containers_in_pod(ss) {
        let ready = pod.container_status(&name).is_some_and(|s| s.ready);
        if ready && !status::is_pod_state_consistent(ss, pod, &BTreeSet::from([name])) {
            return (true, false);
        }
    }
    (true, true)
}

/// Go's `int(f)` for a float64 on amd64: out of range (and NaN) gives `math.MinInt64`.
fn go_int(f: f64) -> i64 {
    #[allow(clippy::cast_precision_loss)]
    if f.is_nan() || f >= i64::MAX as f64 || f < i64::MIN as f64 {
        i64::MIN
    } else {
        #[allow(clippy::cast_possible_truncation)]
        let n = f as i64;
        n
    }
}

/// `CalculatePartitionReplicas`: an int as is; a percent string `ceil(pct × total / 100)` (floats
/// allowed), but `total − 1` when that is every pod of more than one and the string is not
/// `"100%"`; clamped to `[0, total]`. Anything unreadable is 0.
pub fn partition_replicas(partition: Option<&Value>, total: usize) -> usize {
    let total_i = i64::try_from(total).unwrap_or(i64::MAX);
    let value = match partition {
        None => return 0,
        Some(Value::String(s)) => {
            let Some(number) = s.strip_suffix('%') else {
                return 0;
            };
            let Ok(pct) = number.parse::<f64>() else {
                return 0;
            };
            #[allow(clippy::cast_precision_loss)]
            let p = go_int((pct * total as f64 / 100.0).ceil());
            if total > 1 && p == total_i && s != "100%" {
                total_i - 1
            } else {
                p
            }
        }
        Some(v) => v.as_i64().unwrap_or(0),
    };
    usize::try_from(value.clamp(0, total_i)).unwrap_or(0)
}

/// `maxUnavailable` as a number of pods: an int as is; an integer percent `ceil(pct × total /
/// 100)`; default 1; anything unreadable is 0 (then only not-ready pods are upgraded).
pub fn max_unavailable(value: Option<&Value>, total: usize) -> i64 {
    match value {
        None => 1,
        Some(Value::String(s)) => {
            let Some(number) = s.strip_suffix('%') else {
                return 0;
            };
            let Ok(pct) = number.parse::<i64>() else {
                return 0;
            };
            #[allow(clippy::cast_precision_loss)]
            go_int((pct as f64 * total as f64 / 100.0).ceil())
        }
        Some(v) => v.as_i64().unwrap_or(0),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::pod::Pod;
    use super::super::status::tests::{pods, sidecarset};
    use super::*;

    /// `tools_test.go: TestCalculatePartitionReplicas` (and its corner cases).
    #[test]
    fn partition_rounding() {
        let p = |v: Value, total| partition_replicas(Some(&v), total);
        assert_eq!(p(json!("99%"), 0), 0);
        assert_eq!(partition_replicas(None, 10), 0);
        assert_eq!(p(json!("99%"), 9), 8);
        assert_eq!(p(json!("90%"), 10), 9);
        assert_eq!(p(json!("1%"), 10), 1);
        assert_eq!(p(json!("99%"), 99), 98);
        assert_eq!(p(json!("100%"), 99), 99);
        assert_eq!(p(json!("0%"), 99), 0);
        assert_eq!(p(json!("100%"), 1), 1);
        assert_eq!(p(json!("1%"), 1), 1);
        assert_eq!(p(json!(5), 10), 5);
        assert_eq!(p(json!(1), 10), 1);
        assert_eq!(p(json!(0), 10), 0);
        assert_eq!(p(json!(10), 10), 10, "an int is never reduced");
        assert_eq!(p(json!(90), 14), 14, "clamped to the matched pods");
        assert_eq!(p(json!("99"), 9), 0, "not a percent");
        assert_eq!(p(json!("0.01%"), 9), 1);
        assert_eq!(p(json!("99.99%"), 999), 998);
        assert_eq!(p(json!("abc%"), 9), 0);
        assert_eq!(p(json!(-3), 9), 0);
        assert_eq!(
            p(json!("inf%"), 9),
            0,
            "Go's int(+Inf) is MinInt64, clamped to 0"
        );
    }

    #[test]
    fn max_unavailable_rounding() {
        let m = |v: Value, total| max_unavailable(Some(&v), total);
        assert_eq!(max_unavailable(None, 10), 1);
        assert_eq!(m(json!(10), 100), 10);
        assert_eq!(m(json!("10%"), 1000), 100);
        assert_eq!(m(json!("5%"), 5), 1, "rounded up");
        assert_eq!(m(json!("20%"), 14), 3);
        assert_eq!(m(json!("12.5%"), 8), 0, "intstr percents are integers");
        assert_eq!(m(json!("3"), 8), 0, "a string must be a percent");
        assert_eq!(m(json!(0), 8), 0);
    }

    fn count(strategy: Value, count: usize, upgraded: usize, ready: usize) -> (usize, usize) {
        let ss = sidecarset(strategy);
        let pods = pods(&ss, count, upgraded, ready);
        let refs: Vec<&Pod> = pods.iter().collect();
        let plan = next_upgrade_pods(&ss, &refs).expect("valid");
        (plan.upgrade.len(), plan.not_upgradable.len())
    }

    /// `sidecarset_strategy_test.go: TestGetNextUpgradePods`.
    #[test]
    fn upgrade_counts_of_kruise() {
        assert_eq!(count(json!({"maxUnavailable": 10}), 100, 30, 26), (6, 0));
        assert_eq!(
            count(json!({"maxUnavailable": "10%"}), 1000, 300, 260),
            (60, 0)
        );
        assert_eq!(
            count(json!({"maxUnavailable": "5%"}), 1000, 300, 250),
            (0, 0)
        );
        assert_eq!(count(json!({"maxUnavailable": 100}), 100, 30, 27), (70, 0));
        assert_eq!(
            count(
                json!({"maxUnavailable": 100, "partition": 180}),
                1000,
                800,
                760
            ),
            (20, 0)
        );
        assert_eq!(
            count(
                json!({"maxUnavailable": 100, "partition": 100}),
                1000,
                800,
                760
            ),
            (60, 0)
        );
        assert_eq!(
            count(
                json!({"maxUnavailable": 100, "partition": "18%"}),
                1000,
                800,
                760
            ),
            (20, 0)
        );
        assert_eq!(
            count(
                json!({"maxUnavailable": 100, "partition": "10%"}),
                1000,
                800,
                760
            ),
            (60, 0)
        );
        assert_eq!(count(json!({"maxUnavailable": "5%"}), 5, 0, 0), (1, 0));
        assert_eq!(
            count(json!({"maxUnavailable": 5, "partition": "99%"}), 5, 0, 0),
            (1, 0)
        );
        assert_eq!(
            count(json!({"maxUnavailable": 5, "partition": "1%"}), 5, 0, 0),
            (4, 0)
        );
    }

    #[test]
    fn canary_selector_and_not_upgradable_pods() {
        // "selector(app=test, count=30)": only selected pods wait.
        let ss = sidecarset(
            json!({"maxUnavailable": 100, "selector": {"matchLabels": {"app": "test"}}}),
        );
        let mut pods = pods(&ss, 1000, 0, 0);
        for p in pods.iter_mut().take(30) {
            p.labels.insert("app".into(), "test".into());
        }
        let refs: Vec<&Pod> = pods.iter().collect();
        let plan = next_upgrade_pods(&ss, &refs).expect("valid");
        assert_eq!((plan.upgrade.len(), plan.not_selected.len()), (30, 970));
        // "not upgradable sidecarset": the without-image hash differs.
        let ss = sidecarset(json!({"maxUnavailable": 100}));
        let mut pods = pods_of(&ss, 100);
        for p in &mut pods {
            p.annotations.insert(
                HASH_WITHOUT_IMAGE_ANNOTATION.into(),
                r#"{"test-sidecarset":{"hash":"without-aaa"}}"#.into(),
            );
        }
        let refs: Vec<&Pod> = pods.iter().collect();
        let plan = next_upgrade_pods(&ss, &refs).expect("valid");
        assert_eq!((plan.upgrade.len(), plan.not_upgradable.len()), (0, 100));
    }

    fn pods_of(ss: &SidecarSet, n: usize) -> Vec<Pod> {
        pods(ss, n, 0, 0)
    }

    fn names(pods: &[&Pod], idx: &[usize]) -> Vec<String> {
        idx.iter().map(|&i| pods[i].name.clone()).collect()
    }

    /// `sidecarset_strategy_test.go: TestSortNextUpgradePods` (pods shuffled by reversing them:
    /// the order must come from the sort keys).
    #[test]
    fn upgrade_order_of_kruise() {
        let run = |strategy: Value, edit: &dyn Fn(&mut Vec<Pod>), ready: usize| {
            let ss = sidecarset(strategy);
            let mut pods = pods(&ss, 20, 10, ready);
            edit(&mut pods);
            pods.reverse();
            let refs: Vec<&Pod> = pods.iter().collect();
            let plan = next_upgrade_pods(&ss, &refs).expect("valid");
            names(&refs, &plan.upgrade)
        };
        assert_eq!(
            run(json!({"maxUnavailable": 10}), &|_| {}, 5),
            ["pod-19", "pod-18", "pod-17", "pod-16", "pod-15"]
        );
        let not_ready = |pods: &mut Vec<Pod>| {
            pods[10].conditions[0].status = "False".into();
            pods[13].conditions[0].status = "False".into();
        };
        assert_eq!(
            run(json!({"maxUnavailable": 10}), &not_ready, 5),
            [
                "pod-13", "pod-10", "pod-19", "pod-18", "pod-17", "pod-16", "pod-15"
            ]
        );
        let weight = json!({"maxUnavailable": 10, "priorityStrategy": {"weightPriority": [
            {"weight": 50, "matchSelector": {"matchLabels": {"test-key": "foo"}}},
            {"weight": 30, "matchSelector": {"matchLabels": {"test-key": "bar"}}}]}});
        let labels = |pods: &mut Vec<Pod>| {
            pods[15].labels.insert("test-key".into(), "bar".into());
            pods[16].labels.insert("test-key".into(), "foo".into());
        };
        assert_eq!(run(weight, &labels, 2), ["pod-16", "pod-15"]);
        let order = json!({"maxUnavailable": 10, "priorityStrategy": {"orderPriority": [{"orderedKey": "key1"}]}});
        let keys = |pods: &mut Vec<Pod>| {
            for p in pods.iter_mut() {
                p.labels.insert("key1".into(), "5".into());
            }
            pods[17].labels.insert("key1".into(), "10".into());
            pods[18].labels.insert("key1".into(), "20".into());
        };
        assert_eq!(run(order, &keys, 2), ["pod-18", "pod-17"]);
    }

    #[test]
    fn not_ready_pods_do_not_use_the_budget() {
        let ss = sidecarset(json!({"maxUnavailable": 1}));
        let mut pods = pods(&ss, 5, 0, 0);
        pods[1].conditions[0].status = "False".into();
        pods[3].phase = "Pending".into();
        let refs: Vec<&Pod> = pods.iter().collect();
        let plan = next_upgrade_pods(&ss, &refs).expect("valid");
        // Pending first, then not ready, then one ready pod (the newest).
        assert_eq!(names(&refs, &plan.upgrade), ["pod-3", "pod-1", "pod-4"]);
        assert_eq!(names(&refs, &plan.over_budget), ["pod-2", "pod-0"]);
        // maxUnavailable 0: only the not-ready pods.
        let ss = sidecarset(json!({"maxUnavailable": 0}));
        let plan = next_upgrade_pods(&ss, &refs).expect("valid");
        assert_eq!(names(&refs, &plan.upgrade), ["pod-3", "pod-1"]);
    }

    #[test]
    fn partition_holds_back_the_last_pods_of_the_order() {
        let ss = sidecarset(json!({"maxUnavailable": 10, "partition": 2}));
        let pods = pods(&ss, 5, 0, 0);
        let refs: Vec<&Pod> = pods.iter().collect();
        let plan = next_upgrade_pods(&ss, &refs).expect("valid");
        assert_eq!(names(&refs, &plan.upgrade), ["pod-4", "pod-3", "pod-2"]);
        assert_eq!(names(&refs, &plan.held_by_partition), ["pod-1", "pod-0"]);
    }

    #[test]
    fn a_ready_sidecar_mid_upgrade_is_skipped() {
        let ss = sidecarset(json!({}));
        let mut pods = pods(&ss, 2, 0, 0);
        // The controller changed the image of pod-0 for an older revision; the kubelet has not
        // restarted the container yet, which is still ready.
        pods[0]
            .container_mut("test-sidecar")
            .expect("sidecar")
            .image = "test-image:v1.5".into();
        super::super::upgrade::update_pod_annotations_in_upgrade(
            &ss,
            &["test-sidecar".into()],
            &mut pods[0],
            "2024-01-01T00:00:00Z",
        );
        assert_eq!(is_sidecarset_upgradable(&ss, &pods[0]), (true, false));
        let refs: Vec<&Pod> = pods.iter().collect();
        let plan = next_upgrade_pods(&ss, &refs).expect("valid");
        assert_eq!(
            (plan.upgrade.as_slice(), plan.in_progress.as_slice()),
            (&[1][..], &[0][..])
        );
    }

    #[test]
    fn scatter_spreads_the_upgrade_order() {
        let ss = sidecarset(
            json!({"maxUnavailable": 100, "scatterStrategy": [{"key": "zone", "value": "a"}]}),
        );
        let mut pods = pods(&ss, 6, 0, 0);
        for p in pods.iter_mut().skip(4) {
            p.labels.insert("zone".into(), "a".into());
        }
        let refs: Vec<&Pod> = pods.iter().collect();
        let plan = next_upgrade_pods(&ss, &refs).expect("valid");
        // Default order: pod-5 .. pod-0; zone=a pods are pod-5 and pod-4: pod-5 first, pod-4 last.
        assert_eq!(
            names(&refs, &plan.upgrade),
            ["pod-5", "pod-3", "pod-2", "pod-1", "pod-0", "pod-4"]
        );
    }
}
