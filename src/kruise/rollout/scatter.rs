//! `updateStrategy.scatterStrategy`: spreading the pods that carry given labels through the
//! upgrade order (`sidecarset_strategy.go: parseUpdateScatterTerms`,
//! `pkg/util/updatesort/scatter_sort.go`).

use std::collections::BTreeMap;

use super::pod::Pod;

/// A scatter term `key=value`.
pub type Term = (String, String);

/// `parseUpdateScatterTerms`: a term with value `*` becomes one term per value of that label on
/// the matched pods (in pod order); duplicates are dropped.
pub fn expand_terms(terms: &[Term], pods: &[&Pod]) -> Vec<Term> {
    let mut out: Vec<Term> = Vec::new();
    let mut insert = |term: Term| {
        if !out.contains(&term) {
            out.push(term);
        }
    };
    for (key, value) in terms {
        if value != "*" {
            insert((key.clone(), value.clone()));
            continue;
        }
        for pod in pods {
            if let Some(v) = pod.labels.get(key) {
                insert((key.clone(), v.clone()));
            }
        }
    }
    out
}

fn label<'a>(pod: &'a Pod, key: &str) -> &'a str {
    pod.labels.get(key).map_or("", String::as_str)
}

/// `scatterSort.Sort`: `indexes` (into `pods`, all matched pods) reordered by each term in turn.
/// With more than one term, only the terms some waiting pod carries are used, the most common
/// first.
pub fn sort(terms: &[Term], pods: &[&Pod], indexes: Vec<usize>) -> Vec<usize> {
    if terms.is_empty() || indexes.len() <= 1 {
        return indexes;
    }
    let terms = if terms.len() == 1 {
        terms.to_vec()
    } else {
        let mut found: Vec<Term> = Vec::new();
        let mut counts: BTreeMap<Term, usize> = BTreeMap::new();
        for (key, value) in terms {
            for &i in &indexes {
                if pods[i].labels.get(key) == Some(value) {
                    let term = (key.clone(), value.clone());
                    let count = counts.entry(term.clone()).or_insert(0);
                    if *count == 0 {
                        found.push(term);
                    }
                    *count += 1;
                }
            }
        }
        found.sort_by_key(|t| std::cmp::Reverse(counts[t]));
        found
    };
    terms
        .iter()
        .fold(indexes, |idx, term| scatter_by_term(term, pods, idx))
}

/// `scatterPodsByRule`: the waiting pods carrying the term are spread evenly among the others, the
/// last of them moved to the very end.
pub fn scatter_by_term((key, value): &Term, pods: &[&Pod], indexes: Vec<usize>) -> Vec<usize> {
    let (mut matched, unmatched): (Vec<usize>, Vec<usize>) =
        indexes.iter().partition(|&&i| label(pods[i], key) == value);
    if matched.len() <= 1 || unmatched.len() <= 1 {
        return indexes;
    }
    let total_matched = pods.iter().filter(|p| label(p, key) == value).count();
    let total_unmatched = pods.len() - total_matched;
    let last = matched.pop().unwrap_or_default();
    let group = group_by_density(
        total_matched - 1,
        total_unmatched,
        matched.len(),
        unmatched.len(),
    );
    let mut out = Vec::with_capacity(indexes.len());
    // Cursors into `matched` and `unmatched`: what is left of each starts there.
    let (mut m, mut u) = (0, 0);
    if group.unmatched_remainder > 0 {
        migrate(&unmatched, &mut u, &mut out, group.unmatched_remainder);
    }
    for _ in 0..group.groups {
        migrate(&matched, &mut m, &mut out, group.matched_size);
        migrate(&unmatched, &mut u, &mut out, group.unmatched_size);
    }
    out.extend_from_slice(&matched[m..]);
    out.extend_from_slice(&unmatched[u..]);
    out.push(last);
    out
}

/// `migrateItems`: move `size` items (all, if fewer) from the front of what is left of `src`
/// (from `from` on) to `dst`. A cursor, not a removal from the front of a vector: that made a
/// scatter quadratic in the waiting pods (issue 14).
fn migrate(src: &[usize], from: &mut usize, dst: &mut Vec<usize>, size: usize) {
    let n = size.min(src.len() - *from);
    dst.extend_from_slice(&src[*from..*from + n]);
    *from += n;
}

/// `scatterGroup`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Group {
    groups: usize,
    matched_size: usize,
    unmatched_size: usize,
    unmatched_remainder: usize,
}

/// `newScatterGroup`: `min(m, u)` groups, sizes rounded half away from zero.
fn new_group(matched: usize, unmatched: usize) -> Group {
    let groups = matched.min(unmatched);
    let size = |n: usize| {
        // Go converts the rounded float64 back to int; both counts are at least 1 here.
        let s = (n as f64 / groups as f64).round();
        if s.is_finite() { s as usize } else { 0 }
    };
    Group {
        groups,
        matched_size: size(matched),
        unmatched_size: size(unmatched),
        unmatched_remainder: 0,
    }
}

/// `calculateGroupByDensity` (float32 density comparison, as in Go).
fn group_by_density(
    total_matched: usize,
    total_unmatched: usize,
    matched: usize,
    unmatched: usize,
) -> Group {
    let total = new_group(total_matched, total_unmatched);
    let update = new_group(matched, unmatched);
    #[allow(clippy::cast_precision_loss)]
    let density = |u: usize, m: usize| u as f32 / m as f32;
    if density(total_unmatched, total_matched) >= density(unmatched, matched) {
        return update;
    }
    let mut group = Group {
        groups: 0,
        matched_size: total.matched_size,
        unmatched_size: total.unmatched_size,
        unmatched_remainder: 0,
    };
    let div = |a: usize, b: usize| a.checked_div(b).unwrap_or(0);
    group.groups = div(matched, group.matched_size).min(div(unmatched, group.unmatched_size));
    group.unmatched_remainder = unmatched.saturating_sub(group.groups * group.unmatched_size);
    group
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pods_from(labels: &[&[(&str, &str)]]) -> Vec<Pod> {
        labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let l: BTreeMap<&str, &str> = l.iter().copied().collect();
                Pod::from_value(
                    &json!({"metadata": {"name": format!("{i}"), "labels": l}}),
                    "default",
                )
                .expect("pod")
            })
            .collect()
    }

    fn t(k: &str, v: &str) -> Term {
        (k.to_owned(), v.to_owned())
    }

    const A: (&str, &str) = ("labelA", "AAA");
    const B: (&str, &str) = ("labelB", "BBB");
    const C: (&str, &str) = ("labelC", "CCC");

    /// `scatter_sort_test.go: TestScatterPodsByRule`.
    #[test]
    fn scatter_by_one_term() {
        type Case<'a> = (&'a [&'a [(&'a str, &'a str)]], &'a [usize]);
        let cases: &[Case] = &[
            (&[&[]], &[0]),
            (&[&[A]], &[0]),
            (&[&[A], &[]], &[0, 1]),
            (&[&[], &[], &[], &[], &[A], &[A]], &[4, 0, 1, 2, 3, 5]),
            (&[&[], &[], &[], &[A], &[A], &[A]], &[3, 0, 1, 4, 2, 5]),
            (
                &[&[], &[], &[], &[A], &[], &[], &[A]],
                &[3, 0, 1, 2, 4, 5, 6],
            ),
            (
                &[&[], &[], &[], &[], &[], &[], &[A], &[A], &[A]],
                &[6, 0, 1, 2, 7, 3, 4, 5, 8],
            ),
            (&[&[], &[], &[A], &[A], &[A], &[A]], &[2, 3, 0, 4, 1, 5]),
            (
                &[&[], &[A], &[], &[A], &[], &[], &[A], &[A], &[A]],
                &[1, 0, 3, 2, 6, 4, 7, 5, 8],
            ),
            (
                &[&[], &[], &[A], &[], &[A], &[A], &[A], &[A], &[A]],
                &[2, 4, 0, 5, 6, 1, 7, 3, 8],
            ),
            (
                &[
                    &[],
                    &[],
                    &[],
                    &[],
                    &[("ee", "")],
                    &[("a", "")],
                    &[],
                    &[A],
                    &[A],
                    &[A, B],
                ],
                &[7, 0, 1, 2, 3, 8, 4, 5, 6, 9],
            ),
        ];
        for (i, (labels, want)) in cases.iter().enumerate() {
            let pods = pods_from(labels);
            let refs: Vec<&Pod> = pods.iter().collect();
            let got = scatter_by_term(&t(A.0, A.1), &refs, (0..pods.len()).collect());
            assert_eq!(got, *want, "case {i}");
        }
    }

    /// `scatter_sort_test.go: TestSort` (all pods waiting).
    #[test]
    fn scatter_sort_cases_of_kruise() {
        type Case<'a> = (&'a [&'a [(&'a str, &'a str)]], &'a [Term], &'a [usize]);
        let ab = [t(A.0, A.1), t(B.0, B.1)];
        let ba = [t(B.0, B.1), t(A.0, A.1)];
        let abc = [t(A.0, A.1), t(B.0, B.1), t(C.0, C.1)];
        let a = [t(A.0, A.1)];
        let b = [t(B.0, B.1)];
        let cases: &[Case] = &[
            (&[&[A, B]], &a, &[0]),
            (&[&[], &[], &[], &[], &[], &[]], &[], &[0, 1, 2, 3, 4, 5]),
            (&[&[], &[], &[], &[], &[A], &[A]], &a, &[4, 0, 1, 2, 3, 5]),
            (
                &[
                    &[],
                    &[],
                    &[],
                    &[],
                    &[("sdfb", "eee")],
                    &[("dsf", "same")],
                    &[B],
                    &[A],
                    &[A],
                    &[A, B],
                ],
                &b,
                &[6, 0, 1, 2, 3, 4, 5, 7, 8, 9],
            ),
            (
                &[&[B], &[B], &[], &[], &[A], &[A]],
                &ab,
                &[0, 4, 2, 3, 5, 1],
            ),
            (
                &[&[], &[], &[], &[B], &[A, B], &[A]],
                &ab,
                &[4, 0, 1, 2, 5, 3],
            ),
            (
                &[
                    &[],
                    &[],
                    &[],
                    &[],
                    &[("sdfb", "eee")],
                    &[("dsf", "same")],
                    &[B],
                    &[A],
                    &[A],
                    &[B],
                ],
                &ba,
                &[7, 6, 0, 1, 2, 3, 4, 5, 9, 8],
            ),
            (
                &[
                    &[],
                    &[],
                    &[],
                    &[],
                    &[("sdfb", "eee")],
                    &[("dsf", "same")],
                    &[B],
                    &[A],
                    &[A],
                    &[B],
                ],
                &ab,
                &[6, 7, 0, 1, 2, 3, 4, 5, 8, 9],
            ),
            (
                &[
                    &[],
                    &[],
                    &[],
                    &[],
                    &[("sdfb", "eee")],
                    &[("dsf", "same")],
                    &[A, B],
                    &[],
                    &[],
                    &[B, A],
                ],
                &ab,
                &[6, 0, 1, 2, 3, 4, 5, 7, 8, 9],
            ),
            (
                &[
                    &[],
                    &[],
                    &[],
                    &[("sdfb", "eee")],
                    &[("dsf", "same")],
                    &[A, B],
                    &[],
                    &[],
                    &[B, A],
                ],
                &ab,
                &[5, 0, 1, 2, 3, 4, 6, 7, 8],
            ),
            (
                &[
                    &[],
                    &[A],
                    &[A, C],
                    &[B, C],
                    &[B],
                    &[],
                    &[],
                    &[C],
                    &[C],
                    &[C],
                ],
                &abc,
                &[3, 2, 0, 7, 8, 5, 6, 9, 1, 4],
            ),
            (
                &[&[], &[A], &[A], &[B], &[B], &[C], &[C], &[C], &[C], &[C]],
                &abc,
                &[3, 1, 5, 0, 6, 7, 8, 9, 2, 4],
            ),
        ];
        for (i, (labels, terms, want)) in cases.iter().enumerate() {
            let pods = pods_from(labels);
            let refs: Vec<&Pod> = pods.iter().collect();
            let got = sort(terms, &refs, (0..pods.len()).collect());
            assert_eq!(got, *want, "case {i}");
        }
    }

    /// `TestSort` cases where only the first pods wait: the totals count every pod.
    #[test]
    fn totals_count_all_matched_pods() {
        type Case<'a> = (&'a [&'a [(&'a str, &'a str)]], usize, &'a [usize]);
        const S: (&str, &str) = ("sdfb", "eee");
        const D: (&str, &str) = ("dsf", "same");
        let cases: &[Case] = &[
            (
                &[&[], &[], &[], &[A], &[S], &[D], &[A, B], &[], &[], &[]],
                8,
                &[3, 0, 1, 2, 4, 5, 7, 6],
            ),
            (
                &[
                    &[],
                    &[],
                    &[],
                    &[A],
                    &[],
                    &[],
                    &[S],
                    &[D],
                    &[A, B],
                    &[],
                    &[],
                    &[B, A],
                ],
                11,
                &[0, 1, 2, 4, 3, 5, 6, 7, 9, 10, 8],
            ),
            (
                &[
                    &[],
                    &[],
                    &[],
                    &[A],
                    &[S, A],
                    &[D],
                    &[A, B],
                    &[],
                    &[],
                    &[B, A],
                ],
                10,
                &[6, 3, 0, 1, 4, 2, 5, 7, 8, 9],
            ),
            (
                &[&[], &[A], &[A], &[S], &[D], &[A, B], &[], &[], &[B, A]],
                9,
                &[5, 1, 0, 3, 2, 4, 6, 7, 8],
            ),
            (
                &[
                    &[A],
                    &[],
                    &[],
                    &[A],
                    &[S, A],
                    &[D],
                    &[A, B],
                    &[],
                    &[],
                    &[B, A],
                ],
                8,
                &[1, 0, 2, 3, 5, 4, 7, 6],
            ),
            (
                &[
                    &[],
                    &[],
                    &[A],
                    &[A],
                    &[],
                    &[A],
                    &[S],
                    &[D],
                    &[A, B],
                    &[],
                    &[],
                    &[B, A],
                ],
                11,
                &[0, 2, 1, 4, 3, 6, 7, 5, 9, 10, 8],
            ),
            // "continuous sort 1" and "2"
            (
                &[&[], &[], &[], &[], &[A], &[A], &[A]],
                6,
                &[0, 1, 4, 2, 3, 5],
            ),
            (
                &[&[A], &[A], &[], &[], &[], &[], &[], &[], &[], &[A]],
                7,
                &[2, 0, 3, 4, 5, 6, 1],
            ),
        ];
        let ab = [t(A.0, A.1), t(B.0, B.1)];
        for (i, (labels, waiting, want)) in cases.iter().enumerate() {
            let pods = pods_from(labels);
            let refs: Vec<&Pod> = pods.iter().collect();
            let terms: &[Term] = if i < 6 { &ab } else { &ab[..1] };
            assert_eq!(
                sort(terms, &refs, (0..*waiting).collect()),
                *want,
                "case {i}"
            );
        }
    }

    /// `sidecarset_strategy_test.go: TestParseUpdateScatterTerms`.
    #[test]
    fn star_terms_expand_to_the_values_on_pods() {
        let mut labels: Vec<Vec<(&str, &str)>> = vec![vec![]; 100];
        for (i, v) in [
            "value-4-0",
            "value-4-1",
            "value-4-2",
            "value-4",
            "value-4",
            "value-4",
        ]
        .iter()
        .enumerate()
        {
            labels[i].push(("key-4", v));
        }
        let label_refs: Vec<&[(&str, &str)]> = labels.iter().map(Vec::as_slice).collect();
        let pods = pods_from(&label_refs);
        let refs: Vec<&Pod> = pods.iter().collect();
        let terms = [
            t("key-1", "value-1"),
            t("key-2", "value-2"),
            t("key-3", "value-3"),
            t("key-4", "*"),
        ];
        assert_eq!(
            expand_terms(&terms, &refs),
            [
                t("key-1", "value-1"),
                t("key-2", "value-2"),
                t("key-3", "value-3"),
                t("key-4", "value-4-0"),
                t("key-4", "value-4-1"),
                t("key-4", "value-4-2"),
                t("key-4", "value-4"),
            ]
        );
        assert_eq!(expand_terms(&terms[..3], &refs), terms[..3]);
    }
}
