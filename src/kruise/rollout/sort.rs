//! The order pods are upgraded in, before scattering (`sidecarset_strategy.go: SortUpdateIndexes`):
//! Kubernetes' `controller.ActivePods.Less` (`util.go: GetPodsSortFunc`), then `priorityStrategy`
//! (`pkg/util/updatesort/priority_sort.go`).
//!
//! Kruise sorts with Go's unstable `sort.Slice`; pods that compare equal keep their input order
//! here (a stable sort). With more than 12 waiting pods tied on every key Kruise's order may differ.

use std::cmp::{Ordering, Reverse};

use serde_json::Value;

use super::pod::Pod;
use crate::kruise::selector::LabelSelector;

/// `ActivePods.Less` as an ordering: earlier = upgraded first. Unassigned before assigned, then
/// Pending < Unknown < Running, not ready before ready, for two ready pods the later ready time
/// first (zero counts as latest), more restarts first, later creation first (zero first).
pub fn active_pods_order(a: &Pod, b: &Pod) -> Ordering {
    fn phase(p: &Pod) -> u8 {
        match p.phase.as_str() {
            "Unknown" => 1,
            "Running" => 2,
            _ => 0,
        }
    }
    /// `afterOrZero`: zero first, then later first.
    fn later_or_zero_first(a: Option<i64>, b: Option<i64>) -> Ordering {
        match (a, b) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(a), Some(b)) => b.cmp(&a),
        }
    }
    let unassigned_first =
        if a.node_name != b.node_name && (a.node_name.is_empty() || b.node_name.is_empty()) {
            b.node_name.is_empty().cmp(&a.node_name.is_empty())
        } else {
            Ordering::Equal
        };
    unassigned_first
        .then_with(|| phase(a).cmp(&phase(b)))
        .then_with(|| a.is_ready().cmp(&b.is_ready()))
        .then_with(|| {
            if a.is_ready() && b.is_ready() {
                later_or_zero_first(a.ready_time(), b.ready_time())
            } else {
                Ordering::Equal
            }
        })
        .then_with(|| b.max_restarts().cmp(&a.max_restarts()))
        .then_with(|| later_or_zero_first(a.creation_timestamp, b.creation_timestamp))
}

/// [`active_pods_order`] as a key: `a` sorts before `b` by the comparator exactly when
/// `default_key(a) < default_key(b)`, and they tie exactly when the keys are equal. The
/// incremental rounds ([`super::incremental`]) keep the waiting pods ordered by it.
pub type DefaultKey = (
    bool,
    u8,
    bool,
    Option<(bool, Reverse<i64>)>,
    Reverse<i64>,
    (bool, Reverse<i64>),
);

/// The key of [`active_pods_order`]: assigned, phase, ready, the ready time when ready (zero
/// first, then later first), restarts (more first), creation (zero first, then later first).
pub fn default_key(p: &Pod) -> DefaultKey {
    let later_or_zero_first = |t: Option<i64>| (t.is_some(), Reverse(t.unwrap_or(0)));
    let phase = match p.phase.as_str() {
        "Unknown" => 1,
        "Running" => 2,
        _ => 0,
    };
    let ready = p.is_ready();
    (
        !p.node_name.is_empty(),
        phase,
        ready,
        ready.then(|| later_or_zero_first(p.ready_time())),
        Reverse(p.max_restarts()),
        later_or_zero_first(p.creation_timestamp),
    )
}

/// Sorts `indexes` (into `pods`) by [`active_pods_order`], keeping ties in input order.
pub fn sort_default(pods: &[&Pod], indexes: &mut [usize]) {
    indexes.sort_by(|&i, &j| active_pods_order(pods[i], pods[j]));
}

/// [`PriorityStrategy::key`]: weight (higher first), level (lower first), order (higher first).
pub type PriorityKey = (Reverse<i64>, i64, Reverse<i64>);

/// `updateStrategy.priorityStrategy` (`pub.UpdatePriorityStrategy`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PriorityStrategy {
    /// `weightPriority`: `(weight, matchSelector)`.
    pub weight: Vec<(i64, LabelSelector)>,
    /// `orderPriority`: the `orderedKey`s.
    pub order: Vec<String>,
}

/// A `priorityStrategy` that cannot be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("spec.updateStrategy.priorityStrategy{path}: {message}")]
pub struct PriorityError {
    /// Path below `priorityStrategy`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl PriorityStrategy {
    /// Decodes `priorityStrategy` as Go would (null members empty, unknown members ignored).
    pub fn from_value(value: &Value) -> Result<Self, PriorityError> {
        let bad = |path: String, message: String| PriorityError { path, message };
        let list = |key: &str| -> Result<Vec<Value>, PriorityError> {
            match value.get(key) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::Array(items)) => Ok(items.clone()),
                Some(other) => Err(bad(
                    format!(".{key}"),
                    format!("expected a list, found {other}"),
                )),
            }
        };
        if !(value.is_object() || value.is_null()) {
            return Err(bad(String::new(), format!("expected a map, found {value}")));
        }
        let mut out = PriorityStrategy::default();
        for (i, term) in list("weightPriority")?.iter().enumerate() {
            let path = format!(".weightPriority[{i}]");
            let weight = match term.get("weight") {
                None | Some(Value::Null) => 0,
                Some(w) => w
                    .as_i64()
                    .filter(|w| i32::try_from(*w).is_ok())
                    .ok_or_else(|| {
                        bad(
                            format!("{path}.weight"),
                            format!("expected an integer, found {w}"),
                        )
                    })?,
            };
            let selector =
                LabelSelector::from_value(term.get("matchSelector").unwrap_or(&Value::Null), "")
                    .map_err(|e| {
                        bad(
                            format!("{path}.matchSelector{}", dotted(&e.path)),
                            e.message,
                        )
                    })?;
            out.weight.push((weight, selector));
        }
        for (i, term) in list("orderPriority")?.iter().enumerate() {
            let key = match term.get("orderedKey") {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(other) => {
                    return Err(bad(
                        format!(".orderPriority[{i}].orderedKey"),
                        format!("expected a string, found {other}"),
                    ));
                }
            };
            out.order.push(key);
        }
        Ok(out)
    }

    /// The sum of the weights of the terms whose selector matches (an invalid selector counts as
    /// not matching; an empty one matches every pod).
    pub fn weight_of(&self, pod: &Pod) -> i64 {
        self.weight
            .iter()
            .filter(|(_, s)| s.matches_unvalidated(&pod.labels).unwrap_or(false))
            .map(|(w, _)| w)
            .sum()
    }

    /// `(level, order)`: the first term whose key the pod has, with the trailing digits of the
    /// value; `(-1, 0)` for a pod with none of the keys.
    pub fn order_of(&self, pod: &Pod) -> (i64, i64) {
        self.order
            .iter()
            .enumerate()
            .find_map(|(i, key)| {
                pod.labels
                    .get(key)
                    .map(|v| (i64::try_from(i).unwrap_or(i64::MAX), trailing_int(v)))
            })
            .unwrap_or((-1, 0))
    }

    /// The priority sort as a key: a stable sort by it is [`PriorityStrategy::sort`].
    pub fn key(&self, pod: &Pod) -> PriorityKey {
        if !self.weight.is_empty() {
            (Reverse(self.weight_of(pod)), 0, Reverse(0))
        } else if !self.order.is_empty() {
            let (level, order) = self.order_of(pod);
            (Reverse(0), level, Reverse(order))
        } else {
            (Reverse(0), 0, Reverse(0))
        }
    }

    /// The stable priority sort: higher weight first if `weightPriority` is set, else lower level
    /// then higher order first. Equal pods keep their order.
    pub fn sort(&self, pods: &[&Pod], indexes: &mut [usize]) {
        if !self.weight.is_empty() {
            indexes.sort_by_key(|&i| std::cmp::Reverse(self.weight_of(pods[i])));
        } else if !self.order.is_empty() {
            indexes.sort_by(|&i, &j| {
                let (li, oi) = self.order_of(pods[i]);
                let (lj, oj) = self.order_of(pods[j]);
                li.cmp(&lj).then(oj.cmp(&oi))
            });
        }
    }
}

fn dotted(path: &str) -> String {
    if path.is_empty() || path.starts_with('[') {
        path.to_owned()
    } else {
        format!(".{path}")
    }
}

/// `getIntFromStringSuffix`: the number formed by the trailing digits, 0 if none or too large.
fn trailing_int(v: &str) -> i64 {
    let digits = v.len() - v.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    v[v.len() - digits..].parse().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    fn pod_with(labels: &[(&str, &str)]) -> Pod {
        let labels: BTreeMap<&str, &str> = labels.iter().copied().collect();
        Pod::from_value(
            &json!({"metadata": {"name": "p", "labels": labels}}),
            "default",
        )
        .expect("pod")
    }

    fn strategy(v: Value) -> PriorityStrategy {
        PriorityStrategy::from_value(&v).expect("valid")
    }

    /// Every combination of the fields `ActivePods.Less` reads, with ties.
    fn all_kinds_of_pods() -> Vec<Pod> {
        let mut out = Vec::new();
        for node in ["", "n1"] {
            for phase in ["Pending", "Unknown", "Running", "Failed"] {
                for ready in [None, Some("True"), Some("False")] {
                    for ready_at in [
                        None,
                        Some("2024-01-01T00:00:00Z"),
                        Some("2024-01-02T00:00:00Z"),
                    ] {
                        for restarts in [0, 2] {
                            for created in [
                                None,
                                Some("2024-01-01T00:00:00Z"),
                                Some("2024-01-03T00:00:00Z"),
                            ] {
                                let mut conditions = vec![];
                                if let Some(status) = ready {
                                    conditions.push(json!({"type": "Ready", "status": status,
                                        "lastTransitionTime": ready_at}));
                                }
                                out.push(
                                    Pod::from_value(
                                        &json!({"metadata": {"name": "p", "creationTimestamp": created},
                                            "spec": {"nodeName": node},
                                            "status": {"phase": phase, "conditions": conditions,
                                                "containerStatuses": [{"name": "c", "restartCount": restarts}]}}),
                                        "default",
                                    )
                                    .expect("pod"),
                                );
                            }
                        }
                    }
                }
            }
        }
        out
    }

    /// The key orders pods as the comparator does, ties included.
    #[test]
    fn default_key_is_the_comparator() {
        let pods = all_kinds_of_pods();
        for a in &pods {
            for b in &pods {
                assert_eq!(
                    default_key(a).cmp(&default_key(b)),
                    active_pods_order(a, b),
                    "{a:?} {b:?}"
                );
            }
        }
    }

    /// `priority_sort_test.go: TestCompare` (a pod goes before another iff `compare` is true; the
    /// default `true` of the test is "keep the order").
    #[test]
    fn compare_cases_of_kruise() {
        let weights = strategy(json!({"weightPriority": [
            {"weight": 20, "matchSelector": {"matchLabels": {"key": "foo"}}},
            {"weight": 10, "matchSelector": {"matchLabels": {"key": "bar"}}}]}));
        let before = |s: &PriorityStrategy, a: &[(&str, &str)], b: &[(&str, &str)]| {
            let pods = [pod_with(a), pod_with(b)];
            let refs: Vec<&Pod> = pods.iter().collect();
            let mut idx = [1, 0];
            s.sort(&refs, &mut idx);
            // `a` (index 0) goes first only when strictly preferred.
            idx[0] == 0
        };
        let weight_equal = |a, b| {
            let pods = [pod_with(a), pod_with(b)];
            weights.weight_of(&pods[0]) == weights.weight_of(&pods[1])
        };
        assert!(weight_equal(&[], &[]));
        assert!(weight_equal(&[("key", "foo")], &[("key", "foo")]));
        assert!(!before(&weights, &[("key", "bar")], &[("key", "foo")]));
        assert!(!before(&weights, &[], &[("key", "bar")]));
        assert!(!before(&weights, &[], &[("key", "foo")]));
        let three = strategy(json!({"weightPriority": [
            {"weight": 20, "matchSelector": {"matchLabels": {"key1": "foo"}}},
            {"weight": 10, "matchSelector": {"matchLabels": {"key2": "bar"}}},
            {"weight": 15, "matchSelector": {"matchLabels": {"key3": "baz"}}}]}));
        assert!(!before(
            &three,
            &[("key1", "foo")],
            &[("key2", "bar"), ("key3", "baz")]
        ));
        let three = strategy(json!({"weightPriority": [
            {"weight": 20, "matchSelector": {"matchLabels": {"key1": "foo"}}},
            {"weight": 10, "matchSelector": {"matchLabels": {"key2": "bar"}}},
            {"weight": 5, "matchSelector": {"matchLabels": {"key3": "baz"}}}]}));
        assert!(!before(
            &three,
            &[("key2", "bar"), ("key3", "baz")],
            &[("key1", "foo")]
        ));

        let order =
            strategy(json!({"orderPriority": [{"orderedKey": "key1"}, {"orderedKey": "key2"}]}));
        assert!(before(&order, &[("key1", "o-10")], &[("key1", "o-5")]));
        assert!(!before(&order, &[("key1", "o-10")], &[("key1", "o-20")]));
        assert!(!before(&order, &[("key2", "o-20")], &[("key1", "o-10")]));
        assert!(before(&order, &[("key2", "o-20")], &[("key2", "o-10")]));
        // `getPodOrderPriority`: a pod with none of the keys comes first.
        assert!(before(&order, &[], &[("key1", "o-10")]));
    }

    /// `priority_sort_test.go: Test_prioritySort_Sort`.
    #[test]
    fn sort_keeps_unmatched_pods_in_order() {
        let s = strategy(json!({"weightPriority": [
            {"weight": 100, "matchSelector": {"matchLabels": {"foo": "bar"}}},
            {"weight": 90, "matchSelector": {"matchLabels": {"hello": "world"}}}]}));
        let pods = [
            pod_with(&[("hello", "world")]),
            pod_with(&[]),
            pod_with(&[("foo", "bar")]),
            pod_with(&[]),
        ];
        let pods: Vec<&Pod> = pods.iter().collect();
        let mut idx = [0, 1, 2, 3];
        s.sort(&pods, &mut idx);
        assert_eq!(idx, [2, 0, 1, 3]);
        let none = strategy(json!({"weightPriority": [
            {"weight": 100, "matchSelector": {"matchLabels": {"not": "match"}}}]}));
        let mut idx = [0, 1, 2, 3];
        none.sort(&pods, &mut idx);
        assert_eq!(idx, [0, 1, 2, 3]);
        let mut idx = [0, 1, 2, 3];
        strategy(json!({})).sort(&pods, &mut idx);
        assert_eq!(idx, [0, 1, 2, 3]);
    }

    #[test]
    fn trailing_digits() {
        assert_eq!(trailing_int("o-10"), 10);
        assert_eq!(trailing_int("abc"), 0);
        assert_eq!(trailing_int("7"), 7);
        assert_eq!(trailing_int("x99999999999999999999"), 0);
    }

    fn status_pod(
        node: &str,
        phase: &str,
        ready: Option<&str>,
        restarts: i64,
        created: Option<&str>,
    ) -> Pod {
        let mut conditions = Vec::new();
        if let Some(t) = ready {
            conditions.push(json!({"type": "Ready", "status": "True", "lastTransitionTime": t}));
        } else {
            conditions.push(json!({"type": "Ready", "status": "False"}));
        }
        Pod::from_value(
            &json!({"metadata": {"name": "p", "creationTimestamp": created},
                    "spec": {"nodeName": node},
                    "status": {"phase": phase, "conditions": conditions,
                               "containerStatuses": [{"name": "c", "restartCount": restarts}]}}),
            "default",
        )
        .expect("pod")
    }

    #[test]
    fn default_order_follows_active_pods_less() {
        use Ordering::*;
        let t1 = Some("2024-01-01T00:00:00Z");
        let t2 = Some("2024-01-02T00:00:00Z");
        let base = || status_pod("n", "Running", t1, 0, t1);
        let cmp = |a: &Pod, b: &Pod| active_pods_order(a, b);
        // 1. unassigned first (only when exactly one is unassigned)
        assert_eq!(cmp(&status_pod("", "Running", t1, 0, t1), &base()), Less);
        assert_eq!(cmp(&status_pod("m", "Running", t1, 0, t1), &base()), Equal);
        // 2. Pending < Unknown < Running; other phases count as Pending
        assert_eq!(
            cmp(
                &status_pod("n", "Pending", t1, 0, t1),
                &status_pod("n", "Unknown", t1, 0, t1)
            ),
            Less
        );
        assert_eq!(cmp(&status_pod("n", "Unknown", t1, 0, t1), &base()), Less);
        assert_eq!(
            cmp(
                &status_pod("n", "Weird", t1, 0, t1),
                &status_pod("n", "Pending", t1, 0, t1)
            ),
            Equal
        );
        // 3. not ready first
        assert_eq!(cmp(&status_pod("n", "Running", None, 0, t1), &base()), Less);
        // 4. later ready first; zero ready time first
        assert_eq!(cmp(&status_pod("n", "Running", t2, 0, t1), &base()), Less);
        assert_eq!(
            cmp(
                &status_pod("n", "Running", Some(""), 0, t1),
                &status_pod("n", "Running", t2, 0, t1)
            ),
            Less
        );
        // 5. more restarts first
        assert_eq!(cmp(&status_pod("n", "Running", t1, 3, t1), &base()), Less);
        // 6. later creation first; zero first
        assert_eq!(cmp(&status_pod("n", "Running", t1, 0, t2), &base()), Less);
        assert_eq!(
            cmp(
                &status_pod("n", "Running", t1, 0, None),
                &status_pod("n", "Running", t1, 0, t2)
            ),
            Less
        );
        // ties keep input order
        let pods = [base(), base(), status_pod("", "Running", t1, 0, t1), base()];
        let pods: Vec<&Pod> = pods.iter().collect();
        let mut idx = [0, 1, 2, 3];
        sort_default(&pods, &mut idx);
        assert_eq!(idx, [2, 0, 1, 3]);
    }

    /// Kruise's `sort.Slice` is not stable; kruise-inject keeps tied pods in input order, also
    /// beyond the sizes where any sort happens to be stable.
    #[test]
    fn tied_pods_keep_their_input_order() {
        let t1 = Some("2024-01-01T00:00:00Z");
        let pods: Vec<Pod> = (0..200)
            .map(|i| status_pod("n", "Running", t1, i % 3, t1))
            .collect();
        let refs: Vec<&Pod> = pods.iter().collect();
        let mut idx: Vec<usize> = (0..200).rev().collect();
        sort_default(&refs, &mut idx);
        let want: Vec<usize> = [2, 1, 0]
            .iter()
            .flat_map(|r| (0..200).rev().filter(move |i| i % 3 == *r))
            .collect();
        assert_eq!(idx, want);
    }
}
