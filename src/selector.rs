//! Label selectors with Kruise's rules (semantics §4.3, `pkg/util/selector.go`).

use std::collections::BTreeMap;

use serde_json::Value;

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
