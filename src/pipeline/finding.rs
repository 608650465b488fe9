//! What validate and admission report: a finding is an error or a warning at a file and line.

use std::fmt;

use crate::pipeline::objects::Location;

/// Error or warning (`severity` in `validate -o json`: `error`, `warning`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
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

/// Which check found a finding: `rule` in `validate -o json` and the title of its GitHub
/// annotations, so the names (kebab-case, [`Rule::as_str`]) are a stable contract (README,
/// `validate`: rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// `kruise-webhook`: a rule of Kruise's SidecarSet validating webhook on CREATE (kruise v1.9
    /// `sidecarset_create_update_handler.go`, `validateSidecarSet`: field paths and messages as
    /// Kruise answers), conflicts with other SidecarSets, the ControllerRevision of
    /// `injectionStrategy.revision`; as a warning, a `resourcesPolicy` whose outcome depends on Go.
    KruiseWebhook,
    /// `kruise-webhook-update`: an UPDATE rule of the webhook against `--old-sidecarsets`
    /// (`validateSidecarContainerConflict`, `validateSidecarSetCanaryAnnotations`).
    KruiseWebhookUpdate,
    /// `unknown-field`: a field the SidecarSet CRD does not have (an error: `kubectl apply`
    /// rejects it), or one the CRD keeps but Kruise drops (a warning).
    UnknownField,
    /// `cluster-scoped`: `metadata.namespace` on a SidecarSet (ignored).
    ClusterScoped,
    /// `patch-metadata-whitelist`: `patchPodMetadata` that could not be checked, the
    /// `kruise-configuration` ConfigMap not being among the inputs.
    PatchMetadataWhitelist,
    /// `sidecarset`: what Kruise rewrites or ignores when it stores the SidecarSet (a hash
    /// annotation it recomputes, `spec.namespace` winning over `namespaceSelector`).
    Sidecarset,
    /// `duplicate`: two SidecarSets of the same name.
    Duplicate,
    /// `input`: an object validate cannot read as Kubernetes would (labels that are not strings, a
    /// ControllerRevision without its fields).
    Input,
    /// `namespace-unknown`: whether Kruise injects a SidecarSet into a workload depends on labels
    /// of a Namespace that is not among the inputs.
    NamespaceUnknown,
    /// `pod-webhook`: Kruise's pod webhook rejects the workload's pods, or may.
    PodWebhook,
    /// `missing-reference`: an injected sidecar needs a ConfigMap or Secret that is not among the
    /// inputs in the workload's namespace.
    MissingReference,
    /// `lint`: what Kruise accepts but breaks the pod's purpose (a sidecar replacing an
    /// application container, shadowed volumes or mount paths, an `emptyDir` nobody writes).
    Lint,
    /// `unused-sidecarset`: a SidecarSet that selects none of the workloads among the inputs.
    UnusedSidecarset,
}

impl Rule {
    /// Every rule.
    pub const ALL: [Rule; 13] = [
        Rule::KruiseWebhook,
        Rule::KruiseWebhookUpdate,
        Rule::UnknownField,
        Rule::ClusterScoped,
        Rule::PatchMetadataWhitelist,
        Rule::Sidecarset,
        Rule::Duplicate,
        Rule::Input,
        Rule::NamespaceUnknown,
        Rule::PodWebhook,
        Rule::MissingReference,
        Rule::Lint,
        Rule::UnusedSidecarset,
    ];

    /// The rule's name, e.g. `missing-reference`.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::KruiseWebhook => "kruise-webhook",
            Rule::KruiseWebhookUpdate => "kruise-webhook-update",
            Rule::UnknownField => "unknown-field",
            Rule::ClusterScoped => "cluster-scoped",
            Rule::PatchMetadataWhitelist => "patch-metadata-whitelist",
            Rule::Sidecarset => "sidecarset",
            Rule::Duplicate => "duplicate",
            Rule::Input => "input",
            Rule::NamespaceUnknown => "namespace-unknown",
            Rule::PodWebhook => "pod-webhook",
            Rule::MissingReference => "missing-reference",
            Rule::Lint => "lint",
            Rule::UnusedSidecarset => "unused-sidecarset",
        }
    }

    /// Whether its findings are about workloads (pods or pod templates), not SidecarSets.
    pub fn is_about_workloads(self) -> bool {
        matches!(
            self,
            Rule::NamespaceUnknown | Rule::PodWebhook | Rule::MissingReference | Rule::Lint
        )
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing validate reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// Which check found it.
    pub rule: Rule,
    /// Where.
    pub location: Location,
    /// The object, e.g. `apps.kruise.io/v1alpha1 SidecarSet filebeat-sidecarset`.
    pub resource: String,
    /// What, and what to do.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_and_severity_names_are_the_json_ones() {
        for rule in Rule::ALL {
            assert_eq!(
                serde_json::to_value(rule).ok(),
                Some(serde_json::Value::from(rule.as_str()))
            );
        }
        for severity in [Severity::Error, Severity::Warning] {
            assert_eq!(
                serde_json::to_value(severity).ok(),
                Some(serde_json::Value::from(severity.as_str()))
            );
        }
    }
}
