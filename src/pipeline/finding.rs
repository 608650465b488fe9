//! What validate and admission report: a finding is an error or a warning at a file and line.

use crate::pipeline::objects::Location;

/// Error or warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// What Kruise would reject, or what keeps a pod from starting.
    Error,
    /// What works but is probably not what was meant.
    Warning,
}

impl Severity {
    /// `error` / `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One thing validate reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// Which check found it (stable identifier, e.g. `kruise-webhook`, `missing-configmap`).
    pub rule: &'static str,
    /// Where.
    pub location: Location,
    /// The object, e.g. `apps.kruise.io/v1alpha1 SidecarSet filebeat-sidecarset`.
    pub resource: String,
    /// What, and what to do.
    pub message: String,
}
