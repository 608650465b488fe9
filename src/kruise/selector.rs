//! Label selectors with Kruise's rules (`pkg/util/selector.go`).
//!
//! Two evaluations exist, because Kruise uses two:
//!
//! - [`LabelSelector::matches`]: `metav1.LabelSelectorAsSelector` semantics. Besides an unknown
//!   operator, it rejects `In`/`NotIn` without values and `Exists`/`DoesNotExist` with values, as
//!   Kubernetes does. Kruise's validating webhook applies these rules to `spec.selector`,
//!   `spec.namespaceSelector` and (for `RollingUpdate`) `spec.updateStrategy.selector`, so a SidecarSet
//!   breaking them cannot exist in a cluster.
//! - [`LabelSelector::matches_unvalidated`]: Kruise's `ValidatedLabelSelectorAsSelector`, used at
//!   injection time: only an unknown operator is an error; `In` without values matches nothing,
//!   `NotIn` without values matches everything.
//!
//! Both treat an empty selector as matching everything; [`kruise_matches`] adds Kruise's rule for
//! `spec.selector` that a nil or empty selector matches nothing.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::kruise::decode;

/// Label every namespace carries with its own name (Kubernetes ≥ 1.21).
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// A `metav1.LabelSelector`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector {
    /// `matchLabels`.
    pub match_labels: BTreeMap<String, String>,
    /// `matchExpressions`.
    pub match_expressions: Vec<Requirement>,
}

/// One `matchExpressions` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// `key`.
    pub key: String,
    /// `operator`: `In`, `NotIn`, `Exists`, `DoesNotExist` (anything else is an error when matching).
    pub operator: String,
    /// `values`.
    pub values: Vec<String>,
}

/// A selector that cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct SelectorError {
    /// Field path of the selector, e.g. `spec.selector.matchExpressions[0].operator`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl SelectorError {
    /// The same error with `prefix` (the selector's own field path, e.g. `spec.selector`) put in front
    /// of its path. [`LabelSelector::matches`] reports paths relative to the selector.
    pub fn under(mut self, prefix: &str) -> Self {
        self.path = decode::join(prefix, &self.path);
        self
    }
}

impl From<decode::FieldError> for SelectorError {
    fn from(e: decode::FieldError) -> Self {
        SelectorError {
            path: e.path,
            message: e.message,
        }
    }
}

/// The operators Kubernetes label selectors know.
const OPERATORS: [&str; 4] = ["In", "NotIn", "Exists", "DoesNotExist"];

impl LabelSelector {
    /// Decodes a `metav1.LabelSelector` as Go's `encoding/json` would: `null` members are empty,
    /// unknown members are ignored, a member of the wrong type is an error naming its path (`path` is
    /// the selector's own path, e.g. `spec.selector`).
    pub fn from_value(value: &Value, path: &str) -> Result<Self, SelectorError> {
        let Some(obj) = decode::object(value, path)? else {
            return Ok(LabelSelector::default());
        };
        let match_labels = decode::string_map(obj, "matchLabels", path)?;
        let mut match_expressions = Vec::new();
        let exprs_path = decode::join(path, "matchExpressions");
        for (i, item) in decode::array(obj, "matchExpressions", path)?
            .iter()
            .enumerate()
        {
            let item_path = format!("{exprs_path}[{i}]");
            let Some(expr) = decode::object(item, &item_path)? else {
                // Go decodes a null list item into a zero requirement.
                match_expressions.push(Requirement {
                    key: String::new(),
                    operator: String::new(),
                    values: Vec::new(),
                });
                continue;
            };
            match_expressions.push(Requirement {
                key: decode::string(expr, "key", &item_path)?.unwrap_or_default(),
                operator: decode::string(expr, "operator", &item_path)?.unwrap_or_default(),
                values: decode::string_list(expr, "values", &item_path)?,
            });
        }
        Ok(LabelSelector {
            match_labels,
            match_expressions,
        })
    }

    /// True when the selector has neither `matchLabels` nor `matchExpressions`.
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }

    /// The selector as kubectl prints one: `a=b,c in (d,e),!f`; `everything` when it is empty.
    pub fn describe(&self, everything: &str) -> String {
        let mut parts: Vec<String> = self
            .match_labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        for r in &self.match_expressions {
            parts.push(match r.operator.as_str() {
                "In" => format!("{} in ({})", r.key, r.values.join(",")),
                "NotIn" => format!("{} notin ({})", r.key, r.values.join(",")),
                "Exists" => r.key.clone(),
                "DoesNotExist" => format!("!{}", r.key),
                op => format!("{} {op} ({})", r.key, r.values.join(",")),
            });
        }
        if parts.is_empty() {
            everything.to_owned()
        } else {
            parts.join(",")
        }
    }

    /// Standard Kubernetes label-selector evaluation (`metav1.LabelSelectorAsSelector`): every
    /// `matchLabels` pair AND every expression must hold; `NotIn` holds when the key is absent; an
    /// empty selector matches everything.
    ///
    /// Errors (paths relative to the selector, see [`SelectorError::under`]): an unknown operator,
    /// `In`/`NotIn` without values, `Exists`/`DoesNotExist` with values. They are reported whatever
    /// the labels are.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> Result<bool, SelectorError> {
        self.evaluate(labels, true)
    }

    /// Kruise's `ValidatedLabelSelectorAsSelector` evaluation: like [`LabelSelector::matches`], but
    /// only an unknown operator is an error (`In` without values matches nothing, `NotIn` without
    /// values everything, values of `Exists`/`DoesNotExist` are ignored).
    pub fn matches_unvalidated(
        &self,
        labels: &BTreeMap<String, String>,
    ) -> Result<bool, SelectorError> {
        self.evaluate(labels, false)
    }

    fn evaluate(
        &self,
        labels: &BTreeMap<String, String>,
        strict: bool,
    ) -> Result<bool, SelectorError> {
        for (i, r) in self.match_expressions.iter().enumerate() {
            r.check(i, strict)?;
        }
        let labels_hold = self
            .match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v));
        Ok(labels_hold && self.match_expressions.iter().all(|r| r.holds(labels)))
    }
}

/// What is known of one label of an object whose labels are only partly known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KnownLabel<'a> {
    /// The label is set to this value.
    Value(&'a str),
    /// The label is known to be absent.
    Absent,
    /// Nothing is known of the label.
    Unknown,
}

/// A selector's answer for labels that are only partly known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartialMatch {
    /// Matches whatever the unknown labels are.
    Matches,
    /// Does not match whatever the unknown labels are.
    DoesNotMatch,
    /// The answer depends on these labels (sorted, unique), which are not known.
    Unknown(Vec<String>),
}

impl LabelSelector {
    /// [`LabelSelector::matches_unvalidated`] for labels of which only some are known (`label`
    /// says what is known of a key). All requirements must hold, so one that fails on known labels
    /// decides [`PartialMatch::DoesNotMatch`]; otherwise a requirement on an unknown label makes the
    /// answer [`PartialMatch::Unknown`]. An `In` without values never holds and a `NotIn` without
    /// values always holds, whatever the label is.
    pub fn matches_partly<'l>(
        &self,
        label: impl Fn(&str) -> KnownLabel<'l>,
    ) -> Result<PartialMatch, SelectorError> {
        for (i, r) in self.match_expressions.iter().enumerate() {
            r.check(i, false)?;
        }
        let mut unknown: Vec<String> = Vec::new();
        let mut fails = false;
        for (k, v) in &self.match_labels {
            match label(k) {
                KnownLabel::Value(value) => fails |= value != v,
                KnownLabel::Absent => fails = true,
                KnownLabel::Unknown => unknown.push(k.clone()),
            }
        }
        for r in &self.match_expressions {
            let value = match label(&r.key) {
                KnownLabel::Value(value) => Some(value),
                KnownLabel::Absent => None,
                KnownLabel::Unknown => match r.operator.as_str() {
                    "In" if r.values.is_empty() => {
                        fails = true;
                        continue;
                    }
                    "NotIn" if r.values.is_empty() => continue,
                    _ => {
                        unknown.push(r.key.clone());
                        continue;
                    }
                },
            };
            fails |= !r.holds_for(value);
        }
        Ok(if fails {
            PartialMatch::DoesNotMatch
        } else if unknown.is_empty() {
            PartialMatch::Matches
        } else {
            unknown.sort();
            unknown.dedup();
            PartialMatch::Unknown(unknown)
        })
    }
}

impl Requirement {
    /// The error `labels.NewRequirement` (strict) or Kruise's converter would return.
    fn check(&self, index: usize, strict: bool) -> Result<(), SelectorError> {
        let at = |field: &str| format!("matchExpressions[{index}].{field}");
        if !OPERATORS.contains(&self.operator.as_str()) {
            return Err(SelectorError {
                path: at("operator"),
                message: format!(
                    "{:?} is not a valid label selector operator: use In, NotIn, Exists or DoesNotExist",
                    self.operator
                ),
            });
        }
        if !strict {
            return Ok(());
        }
        match self.operator.as_str() {
            "In" | "NotIn" if self.values.is_empty() => Err(SelectorError {
                path: at("values"),
                message: format!(
                    "for 'in', 'notin' operators, values set can't be empty: give key {:?} at least one value, or use Exists/DoesNotExist",
                    self.key
                ),
            }),
            "Exists" | "DoesNotExist" if !self.values.is_empty() => Err(SelectorError {
                path: at("values"),
                message: format!(
                    "values set must be empty for exists and does not exist: remove the values of key {:?}, or use In/NotIn",
                    self.key
                ),
            }),
            _ => Ok(()),
        }
    }

    /// `labels.Requirement.Matches` for an operator accepted by [`Requirement::check`].
    fn holds(&self, labels: &BTreeMap<String, String>) -> bool {
        self.holds_for(labels.get(&self.key).map(String::as_str))
    }

    /// [`Requirement::holds`] for the value of its key (`None`: absent).
    fn holds_for(&self, value: Option<&str>) -> bool {
        let contains = |v: &str| self.values.iter().any(|x| x == v);
        match self.operator.as_str() {
            "In" => value.is_some_and(contains),
            "NotIn" => value.is_none_or(|v| !contains(v)),
            "Exists" => value.is_some(),
            "DoesNotExist" => value.is_none(),
            _ => false,
        }
    }
}

/// Kruise's rule for a SidecarSet's `spec.selector` (`util.go: PodMatchedSidecarSet`): a nil
/// or empty selector matches nothing; otherwise [`LabelSelector::matches`].
pub fn kruise_matches(
    selector: Option<&LabelSelector>,
    labels: &BTreeMap<String, String>,
) -> Result<bool, SelectorError> {
    match selector {
        None => Ok(false),
        Some(s) if s.is_empty() => Ok(false),
        Some(s) => s.matches(labels),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn sel(v: Value) -> LabelSelector {
        LabelSelector::from_value(&v, "spec.selector").expect("valid selector")
    }

    #[test]
    fn decodes_labels_and_expressions() {
        let s = sel(json!({
            "matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}],
            "unknown": 1
        }));
        assert_eq!(s.match_labels, labels(&[("app", "web")]));
        assert_eq!(
            s.match_expressions,
            vec![Requirement {
                key: "tier".into(),
                operator: "In".into(),
                values: vec!["a".into(), "b".into()]
            }]
        );
        assert!(!s.is_empty());
        assert!(sel(json!({})).is_empty());
        assert!(sel(json!({"matchLabels": null, "matchExpressions": null})).is_empty());
        assert!(sel(Value::Null).is_empty());
    }

    #[test]
    fn type_errors_name_the_path() {
        let e = LabelSelector::from_value(&json!({"matchLabels": {"a": 1}}), "spec.selector")
            .expect_err("number label value");
        assert_eq!(e.path, "spec.selector.matchLabels[a]");
        assert!(e.message.contains("expected a string"), "{e}");
        let e = LabelSelector::from_value(
            &json!({"matchExpressions": [{"key": "a", "operator": "In", "values": "x"}]}),
            "spec.selector",
        )
        .expect_err("values not a list");
        assert_eq!(e.path, "spec.selector.matchExpressions[0].values");
        let e = LabelSelector::from_value(&json!(["a"]), "spec.selector").expect_err("list");
        assert_eq!(e.path, "spec.selector");
    }

    #[test]
    fn match_labels_all_must_hold() {
        let s = sel(json!({"matchLabels": {"a": "1", "b": "2"}}));
        assert_eq!(
            s.matches(&labels(&[("a", "1"), ("b", "2"), ("c", "3")])),
            Ok(true)
        );
        assert_eq!(s.matches(&labels(&[("a", "1")])), Ok(false));
        assert_eq!(s.matches(&labels(&[("a", "1"), ("b", "x")])), Ok(false));
    }

    #[test]
    fn labels_and_expressions_are_anded() {
        let s = sel(json!({
            "matchLabels": {"a": "1"},
            "matchExpressions": [{"key": "b", "operator": "Exists"}]
        }));
        assert_eq!(s.matches(&labels(&[("a", "1"), ("b", "")])), Ok(true));
        assert_eq!(s.matches(&labels(&[("a", "1")])), Ok(false));
        assert_eq!(s.matches(&labels(&[("b", "x")])), Ok(false));
    }

    #[test]
    fn operators() {
        let op = |o: &str, vals: &[&str]| {
            sel(json!({"matchExpressions": [{"key": "k", "operator": o, "values": vals}]}))
        };
        let with = labels(&[("k", "v")]);
        let other = labels(&[("k", "w")]);
        let without = labels(&[("x", "v")]);
        assert_eq!(op("In", &["v", "z"]).matches(&with), Ok(true));
        assert_eq!(op("In", &["v", "z"]).matches(&other), Ok(false));
        assert_eq!(op("In", &["v"]).matches(&without), Ok(false));
        assert_eq!(op("NotIn", &["v"]).matches(&with), Ok(false));
        assert_eq!(op("NotIn", &["v"]).matches(&other), Ok(true));
        assert_eq!(op("NotIn", &["v"]).matches(&without), Ok(true));
        assert_eq!(op("Exists", &[]).matches(&with), Ok(true));
        assert_eq!(op("Exists", &[]).matches(&without), Ok(false));
        assert_eq!(op("DoesNotExist", &[]).matches(&with), Ok(false));
        assert_eq!(op("DoesNotExist", &[]).matches(&without), Ok(true));
    }

    #[test]
    fn empty_selector_matches_everything_in_standard_semantics() {
        assert_eq!(sel(json!({})).matches(&labels(&[])), Ok(true));
        assert_eq!(sel(json!({})).matches(&labels(&[("a", "b")])), Ok(true));
    }

    #[test]
    fn invalid_operator_is_an_error_naming_it() {
        let s = sel(json!({"matchExpressions": [
            {"key": "a", "operator": "Exists"},
            {"key": "somekey", "operator": "badOp"}
        ]}));
        for strict in [true, false] {
            let r = if strict {
                s.matches(&labels(&[]))
            } else {
                s.matches_unvalidated(&labels(&[]))
            };
            let e = r.expect_err("bad operator").under("spec.selector");
            assert_eq!(e.path, "spec.selector.matchExpressions[1].operator");
            assert!(e.message.contains("\"badOp\""), "{e}");
            assert!(
                e.message.contains("In, NotIn, Exists or DoesNotExist"),
                "{e}"
            );
        }
    }

    #[test]
    fn value_count_errors_are_strict_only() {
        let in_empty = sel(json!({"matchExpressions": [{"key": "k", "operator": "In"}]}));
        let e = in_empty
            .matches(&labels(&[("k", "v")]))
            .expect_err("In without values");
        assert_eq!(e.path, "matchExpressions[0].values");
        assert!(e.message.contains("can't be empty"), "{e}");
        assert_eq!(
            in_empty.matches_unvalidated(&labels(&[("k", "v")])),
            Ok(false)
        );

        let notin_empty =
            sel(json!({"matchExpressions": [{"key": "k", "operator": "NotIn", "values": []}]}));
        assert!(notin_empty.matches(&labels(&[])).is_err());
        assert_eq!(
            notin_empty.matches_unvalidated(&labels(&[("k", "v")])),
            Ok(true)
        );

        for op in ["Exists", "DoesNotExist"] {
            let s =
                sel(json!({"matchExpressions": [{"key": "k", "operator": op, "values": ["v"]}]}));
            let e = s.matches(&labels(&[])).expect_err("values with Exists");
            assert!(e.message.contains("must be empty"), "{e}");
            assert!(s.matches_unvalidated(&labels(&[])).is_ok());
        }
    }

    #[test]
    fn partly_known_labels_give_three_answers() {
        // Only `name` is known (set to "web"); `gone` is known absent; others unknown.
        let known = |key: &str| match key {
            "name" => KnownLabel::Value("web"),
            "gone" => KnownLabel::Absent,
            _ => KnownLabel::Unknown,
        };
        let m = |v: Value| sel(v).matches_partly(known).expect("valid");
        let unknown =
            |keys: &[&str]| PartialMatch::Unknown(keys.iter().map(|k| k.to_string()).collect());
        assert_eq!(
            m(json!({"matchLabels": {"name": "web"}})),
            PartialMatch::Matches
        );
        assert_eq!(
            m(json!({"matchLabels": {"name": "x"}})),
            PartialMatch::DoesNotMatch
        );
        assert_eq!(
            m(json!({"matchLabels": {"gone": "x"}})),
            PartialMatch::DoesNotMatch
        );
        assert_eq!(m(json!({})), PartialMatch::Matches);
        for (op, values, expected) in [
            ("In", json!(["web", "x"]), PartialMatch::Matches),
            ("In", json!(["x"]), PartialMatch::DoesNotMatch),
            ("NotIn", json!(["x"]), PartialMatch::Matches),
            ("NotIn", json!(["web"]), PartialMatch::DoesNotMatch),
            ("Exists", json!([]), PartialMatch::Matches),
            ("DoesNotExist", json!([]), PartialMatch::DoesNotMatch),
        ] {
            let s =
                json!({"matchExpressions": [{"key": "name", "operator": op, "values": values}]});
            assert_eq!(m(s), expected, "{op}");
        }
        // An unknown label: unknown, unless a known requirement already fails.
        assert_eq!(
            m(json!({"matchLabels": {"name": "web", "team": "a"},
                     "matchExpressions": [{"key": "env", "operator": "Exists"}, {"key": "team", "operator": "In", "values": ["a"]}]})),
            unknown(&["env", "team"])
        );
        assert_eq!(
            m(json!({"matchLabels": {"name": "x", "team": "a"}})),
            PartialMatch::DoesNotMatch
        );
        // Kruise's lenient forms decide whatever the label is.
        assert_eq!(
            m(json!({"matchExpressions": [{"key": "team", "operator": "NotIn", "values": []}]})),
            PartialMatch::Matches
        );
        assert_eq!(
            m(json!({"matchExpressions": [{"key": "team", "operator": "In", "values": []}]})),
            PartialMatch::DoesNotMatch
        );
        // An unknown operator is an error, whatever is known.
        let e = sel(json!({"matchExpressions": [{"key": "team", "operator": "Bad"}]}))
            .matches_partly(known)
            .expect_err("bad operator");
        assert_eq!(e.path, "matchExpressions[0].operator");
    }

    #[test]
    fn kruise_nil_or_empty_selector_matches_nothing() {
        let l = labels(&[("a", "b")]);
        assert_eq!(kruise_matches(None, &l), Ok(false));
        assert_eq!(kruise_matches(Some(&sel(json!({}))), &l), Ok(false));
        assert_eq!(
            kruise_matches(Some(&sel(json!({"matchLabels": {"a": "b"}}))), &l),
            Ok(true)
        );
        assert!(
            kruise_matches(
                Some(&sel(
                    json!({"matchExpressions": [{"key": "a", "operator": "Nope"}]})
                )),
                &l
            )
            .is_err()
        );
    }
}
