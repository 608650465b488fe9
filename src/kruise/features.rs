//! Kruise's feature gates (kruise v1.9 `pkg/features/kruise_features.go`), as the manager's
//! `--feature-gates` flag reads them (k8s `component-base/featuregate: Set`), so a user can mirror
//! their installation. Pure: the text comes from a flag or a function config.

use std::collections::BTreeMap;
use std::fmt;

/// How mature a gate is; `AllAlpha=true` / `AllBeta=true` switch every gate of that stage on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Alpha.
    Alpha,
    /// Beta.
    Beta,
}

/// One gate Kruise v1.9 knows: its name, default and stage (`defaultFeatureGates`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gate {
    /// The name on the command line.
    pub name: &'static str,
    /// Its default.
    pub default: bool,
    /// Its stage.
    pub stage: Stage,
    /// What it changes in what kruise-inject computes; empty for gates that change nothing here
    /// (they are accepted so that a manager's whole `--feature-gates` value can be pasted).
    pub effect: &'static str,
}

/// `PodWebhook`: the pod webhook, which injects SidecarSets.
pub const POD_WEBHOOK: &str = "PodWebhook";
/// `SidecarSetPatchPodMetadataDefaultsAllowed`: patchPodMetadata allowed without a whitelist.
pub const PATCH_POD_METADATA_DEFAULTS_ALLOWED: &str = "SidecarSetPatchPodMetadataDefaultsAllowed";
/// `EnableSortSidecarContainerByName`: injected containers sorted by name.
pub const SORT_SIDECAR_CONTAINER_BY_NAME: &str = "EnableSortSidecarContainerByName";

const fn gate(name: &'static str, default: bool, stage: Stage) -> Gate {
    Gate {
        name,
        default,
        stage,
        effect: "",
    }
}

/// Every gate of Kruise v1.9, in the order of `defaultFeatureGates`.
pub const GATES: &[Gate] = &[
    Gate {
        effect: "off: no pod is injected (the pod webhook is not served); also forces SidecarSetPatchPodMetadataDefaultsAllowed off",
        ..gate(POD_WEBHOOK, true, Stage::Beta)
    },
    gate("KruiseDaemon", true, Stage::Beta),
    gate("DaemonWatchingPod", true, Stage::Beta),
    gate("CloneSetShortHash", false, Stage::Alpha),
    gate("KruisePodReadinessGate", false, Stage::Alpha),
    gate("PreDownloadImageForInPlaceUpdate", false, Stage::Alpha),
    gate("CloneSetPartitionRollback", false, Stage::Alpha),
    gate("ResourcesDeletionProtection", false, Stage::Beta),
    gate("WorkloadSpread", true, Stage::Beta),
    gate("PodUnavailableBudgetDeleteGate", true, Stage::Beta),
    gate("PodUnavailableBudgetUpdateGate", false, Stage::Alpha),
    gate("TemplateNoDefaults", false, Stage::Alpha),
    gate("InPlaceUpdateEnvFromMetadata", true, Stage::Beta),
    gate("StatefulSetAutoDeletePVC", true, Stage::Beta),
    Gate {
        effect: "on: a SidecarSet with patchPodMetadata is admitted without the kruise-configuration whitelist",
        ..gate(PATCH_POD_METADATA_DEFAULTS_ALLOWED, false, Stage::Alpha)
    },
    gate("SidecarTerminator", false, Stage::Alpha),
    gate("PodProbeMarkerGate", true, Stage::Beta),
    gate("PreDownloadImageForDaemonSetUpdate", false, Stage::Alpha),
    gate("CloneSetEventHandlerOptimization", false, Stage::Alpha),
    gate("PreparingUpdateAsUpdate", false, Stage::Alpha),
    gate("ImagePullJobGate", false, Stage::Alpha),
    gate("ResourceDistributionGate", false, Stage::Beta),
    gate("DeletionProtectionForCRDCascadingGate", false, Stage::Alpha),
    gate("EnhancedLivenessProbeGate", false, Stage::Alpha),
    gate(
        "RecreatePodWhenChangeVCTInCloneSetGate",
        false,
        Stage::Alpha,
    ),
    gate("StatefulSetStartOrdinal", false, Stage::Alpha),
    gate("PodIndexLabel", true, Stage::Beta),
    gate("EnableExternalCerts", false, Stage::Alpha),
    gate("StatefulSetAutoResizePVCGate", false, Stage::Alpha),
    gate(
        "ForceDeleteTimeoutExpectationFeatureGate",
        false,
        Stage::Alpha,
    ),
    gate("InPlaceWorkloadVerticalScaling", false, Stage::Alpha),
    gate("EnablePodProbeMarkerOnServerless", false, Stage::Alpha),
    Gate {
        effect: "on: injected sidecar containers (not only init containers) are sorted by name",
        ..gate(SORT_SIDECAR_CONTAINER_BY_NAME, false, Stage::Alpha)
    },
    gate("InPlacePodVerticalScaling", false, Stage::Alpha),
    gate(
        "DefaultHostNetworkHostPortsInPodTemplates",
        false,
        Stage::Alpha,
    ),
    gate("DaemonSetPruneIneligibleNodes", false, Stage::Alpha),
];

/// The gates of one Kruise installation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeatureGates {
    /// Gates set explicitly, by name (`AllAlpha` / `AllBeta` included).
    set: BTreeMap<String, bool>,
}

/// A `--feature-gates` value Kruise's manager would refuse to start with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeatureGateError {
    /// Not `NAME=BOOL`.
    #[error("missing bool value for {0:?}: write NAME=true or NAME=false")]
    MissingValue(String),
    /// A value `strconv.ParseBool` rejects.
    #[error("invalid value of {name}={value}: use true or false")]
    InvalidValue {
        /// Gate.
        name: String,
        /// Value.
        value: String,
    },
    /// A name Kruise v1.9 does not know.
    #[error("unrecognized feature gate: {name}{}", .suggestion.as_ref().map(|s| format!(" (did you mean {s}?)")).unwrap_or_default())]
    Unknown {
        /// Gate.
        name: String,
        /// A known gate with the same name in another case.
        suggestion: Option<&'static str>,
    },
}

impl FeatureGates {
    /// Reads `NAME=BOOL[,NAME=BOOL…]` as k8s `featuregate.Set` does: pairs separated by commas,
    /// whitespace around names and values trimmed, empty pairs skipped, bools as Go's
    /// `strconv.ParseBool`, `AllAlpha` / `AllBeta` accepted, unknown names refused.
    pub fn parse(text: &str) -> Result<FeatureGates, FeatureGateError> {
        let mut gates = FeatureGates::default();
        for pair in text.split(',') {
            if pair.trim().is_empty() {
                continue;
            }
            let Some((name, value)) = pair.split_once('=') else {
                return Err(FeatureGateError::MissingValue(pair.trim().to_owned()));
            };
            let (name, value) = (name.trim(), value.trim());
            let value = parse_bool(value).ok_or_else(|| FeatureGateError::InvalidValue {
                name: name.to_owned(),
                value: value.to_owned(),
            })?;
            if !matches!(name, "AllAlpha" | "AllBeta") && find(name).is_none() {
                return Err(FeatureGateError::Unknown {
                    name: name.to_owned(),
                    suggestion: GATES
                        .iter()
                        .find(|g| g.name.eq_ignore_ascii_case(name))
                        .map(|g| g.name),
                });
            }
            gates.set.insert(name.to_owned(), value);
        }
        Ok(gates)
    }

    /// `other`'s explicit settings on top of these (a function config on top of the flags).
    pub fn extend(&mut self, other: &FeatureGates) {
        self.set
            .extend(other.set.iter().map(|(name, value)| (name.clone(), *value)));
    }

    /// Whether gate `name` is on: set explicitly, else `AllAlpha` / `AllBeta` for its stage, else
    /// its default; then `SetDefaultFeatureGates`: with `PodWebhook` off,
    /// `SidecarSetPatchPodMetadataDefaultsAllowed` is off. Unknown names are off.
    pub fn enabled(&self, name: &str) -> bool {
        if name == PATCH_POD_METADATA_DEFAULTS_ALLOWED && !self.enabled(POD_WEBHOOK) {
            return false;
        }
        let Some(gate) = find(name) else {
            return false;
        };
        if let Some(&value) = self.set.get(name) {
            return value;
        }
        let all = match gate.stage {
            Stage::Alpha => "AllAlpha",
            Stage::Beta => "AllBeta",
        };
        self.set.get(all).copied().unwrap_or(gate.default)
    }

    /// `PodWebhook`.
    pub fn pod_webhook(&self) -> bool {
        self.enabled(POD_WEBHOOK)
    }

    /// `SidecarSetPatchPodMetadataDefaultsAllowed`.
    pub fn patch_pod_metadata_defaults_allowed(&self) -> bool {
        self.enabled(PATCH_POD_METADATA_DEFAULTS_ALLOWED)
    }

    /// `EnableSortSidecarContainerByName`.
    pub fn sort_sidecar_containers_by_name(&self) -> bool {
        self.enabled(SORT_SIDECAR_CONTAINER_BY_NAME)
    }
}

impl fmt::Display for FeatureGates {
    /// The explicit settings, `NAME=BOOL` joined by commas in name order (empty for the defaults).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (name, value)) in self.set.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{name}={value}")?;
        }
        Ok(())
    }
}

fn find(name: &str) -> Option<&'static Gate> {
    GATES.iter().find(|g| g.name == name)
}

/// Go `strconv.ParseBool`.
fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_kruise_v1_9s() {
        let gates = FeatureGates::default();
        assert!(gates.pod_webhook());
        assert!(!gates.patch_pod_metadata_defaults_allowed());
        assert!(!gates.sort_sidecar_containers_by_name());
        assert!(gates.enabled("WorkloadSpread"));
        assert!(!gates.enabled("NoSuchGate"));
        assert_eq!(GATES.len(), 36, "the gates of `defaultFeatureGates`");
        assert_eq!(gates.to_string(), "");
    }

    #[test]
    fn parses_like_the_manager_flag() {
        let gates = FeatureGates::parse(
            " EnableSortSidecarContainerByName=true, SidecarSetPatchPodMetadataDefaultsAllowed=T,,KruiseDaemon=0",
        )
        .expect("valid");
        assert!(gates.sort_sidecar_containers_by_name());
        assert!(gates.patch_pod_metadata_defaults_allowed());
        assert!(!gates.enabled("KruiseDaemon"));
        assert_eq!(
            gates.to_string(),
            "EnableSortSidecarContainerByName=true,KruiseDaemon=false,SidecarSetPatchPodMetadataDefaultsAllowed=true"
        );
    }

    #[test]
    fn all_alpha_and_all_beta_yield_to_explicit_settings() {
        let gates = FeatureGates::parse("AllAlpha=true,EnableSortSidecarContainerByName=false")
            .expect("valid");
        assert!(gates.patch_pod_metadata_defaults_allowed());
        assert!(!gates.sort_sidecar_containers_by_name());
        assert!(gates.pod_webhook(), "a beta gate keeps its default");
        let gates = FeatureGates::parse("AllBeta=false").expect("valid");
        assert!(!gates.pod_webhook());
    }

    #[test]
    fn pod_webhook_off_forces_patch_metadata_defaults_off() {
        let gates =
            FeatureGates::parse("PodWebhook=false,SidecarSetPatchPodMetadataDefaultsAllowed=true")
                .expect("valid");
        assert!(!gates.pod_webhook());
        assert!(!gates.patch_pod_metadata_defaults_allowed());
    }

    #[test]
    fn rejects_what_the_manager_rejects() {
        assert_eq!(
            FeatureGates::parse("PodWebhook"),
            Err(FeatureGateError::MissingValue("PodWebhook".into()))
        );
        assert_eq!(
            FeatureGates::parse("PodWebhook=yes")
                .expect_err("not a Go bool")
                .to_string(),
            "invalid value of PodWebhook=yes: use true or false"
        );
        assert_eq!(
            FeatureGates::parse("podwebhook=false")
                .expect_err("case matters")
                .to_string(),
            "unrecognized feature gate: podwebhook (did you mean PodWebhook?)"
        );
        assert!(matches!(
            FeatureGates::parse("SidecarSetSortByName=true"),
            Err(FeatureGateError::Unknown {
                suggestion: None,
                ..
            })
        ));
    }
}
