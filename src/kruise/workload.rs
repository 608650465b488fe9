//! Which documents hold pods: a Pod itself, or the pod template of a workload.
//!
//! A workload's pod template gets what each of its pods would get: the template's labels and
//! annotations, the workload's namespace.

/// Where the pod of a document lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodLocation {
    /// The document is a Pod: `metadata` and `spec` at the root.
    Pod,
    /// A workload: the pod template (`metadata` and `spec`) at this path of keys.
    Template(&'static [&'static str]),
    /// A workload with several possible templates (AdvancedCronJob): the first path present.
    FirstOf(&'static [&'static [&'static str]]),
}

impl PodLocation {
    /// The keys leading to the pod: none for a Pod, the template path, or the first of several
    /// paths that is `present` (the first path when none is).
    pub fn path(self, present: impl Fn(&[&str]) -> bool) -> &'static [&'static str] {
        match self {
            PodLocation::Pod => &[],
            PodLocation::Template(path) => path,
            PodLocation::FirstOf(paths) => paths
                .iter()
                .copied()
                .find(|p| present(p))
                .unwrap_or(paths[0]),
        }
    }
}

const TEMPLATE: &[&str] = &["spec", "template"];
const JOB_TEMPLATE: &[&str] = &["spec", "jobTemplate", "spec", "template"];
const ADVANCED_CRON_JOB: &[&[&str]] = &[
    &["spec", "template", "jobTemplate", "spec", "template"],
    &[
        "spec",
        "template",
        "broadcastJobTemplate",
        "spec",
        "template",
    ],
];

/// The group of an `apiVersion` (`""` for the core group `v1`).
pub fn group(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(group, _)| group)
}

/// Where pods live in a document of this `apiVersion` and `kind`, or `None` for kinds that
/// kruise-inject passes through.
pub fn pod_location(api_version: &str, kind: &str) -> Option<PodLocation> {
    let group = group(api_version);
    let location = match (group, kind) {
        ("", "Pod") => PodLocation::Pod,
        ("", "ReplicationController") => PodLocation::Template(TEMPLATE),
        ("apps" | "extensions", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet") => {
            PodLocation::Template(TEMPLATE)
        }
        ("batch", "Job") => PodLocation::Template(TEMPLATE),
        ("batch", "CronJob") => PodLocation::Template(JOB_TEMPLATE),
        // OpenKruise workloads (apis/apps/v1alpha1, v1beta1): CloneSet, Advanced StatefulSet,
        // Advanced DaemonSet, BroadcastJob keep the pod template at spec.template; AdvancedCronJob
        // has spec.template.{jobTemplate,broadcastJobTemplate}.spec.template.
        ("apps.kruise.io", "CloneSet" | "StatefulSet" | "DaemonSet" | "BroadcastJob") => {
            PodLocation::Template(TEMPLATE)
        }
        ("apps.kruise.io", "AdvancedCronJob") => PodLocation::FirstOf(ADVANCED_CRON_JOB),
        _ => return None,
    };
    Some(location)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_and_kruise_kinds_have_templates() {
        assert_eq!(pod_location("v1", "Pod"), Some(PodLocation::Pod));
        for (api, kind) in [
            ("apps/v1", "Deployment"),
            ("apps/v1", "StatefulSet"),
            ("apps/v1", "DaemonSet"),
            ("apps/v1", "ReplicaSet"),
            ("v1", "ReplicationController"),
            ("batch/v1", "Job"),
            ("apps.kruise.io/v1alpha1", "CloneSet"),
            ("apps.kruise.io/v1beta1", "StatefulSet"),
            ("apps.kruise.io/v1alpha1", "DaemonSet"),
            ("apps.kruise.io/v1alpha1", "BroadcastJob"),
        ] {
            assert_eq!(
                pod_location(api, kind),
                Some(PodLocation::Template(&["spec", "template"])),
                "{api} {kind}"
            );
        }
        assert_eq!(
            pod_location("batch/v1", "CronJob"),
            Some(PodLocation::Template(&[
                "spec",
                "jobTemplate",
                "spec",
                "template"
            ]))
        );
        assert!(matches!(
            pod_location("apps.kruise.io/v1alpha1", "AdvancedCronJob"),
            Some(PodLocation::FirstOf(_))
        ));
    }

    #[test]
    fn other_kinds_and_groups_pass_through() {
        assert_eq!(pod_location("v1", "ConfigMap"), None);
        assert_eq!(pod_location("example.com/v1", "Deployment"), None);
        assert_eq!(pod_location("apps/v1", "Pod"), None);
        assert_eq!(pod_location("apps.kruise.io/v1alpha1", "SidecarSet"), None);
    }
}
