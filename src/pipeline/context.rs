//! The cluster state render needs, gathered from input objects: SidecarSets, Namespaces and
//! ControllerRevisions.

use crate::kruise::decode::string_map_at;

use serde_json::Value;

use kruise_inject_yaml::tree::Node;

use crate::kruise::cluster::Cluster;
use crate::kruise::controller_revision::ControllerRevision;
use crate::kruise::validation::whitelist::{self, Whitelist};
use crate::kruise::workload::group;
use crate::pipeline::admission::{self, Candidate};
use crate::pipeline::finding::{Finding, Severity};
use crate::pipeline::objects::{DocumentError, Location, Object};

/// What kind of context object a document is, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContextKind {
    /// `apps.kruise.io/* SidecarSet`.
    SidecarSet,
    /// `v1 Namespace`.
    Namespace,
    /// `apps/v1 ControllerRevision`.
    ControllerRevision,
    /// `v1 ConfigMap` (`kruise-configuration` holds the patch-metadata whitelist).
    ConfigMap,
}

/// Classifies an object as context.
pub fn context_kind(object: &Object<'_>) -> Option<ContextKind> {
    match (group(object.api_version()), object.kind()) {
        ("apps.kruise.io", "SidecarSet") => Some(ContextKind::SidecarSet),
        ("", "Namespace") => Some(ContextKind::Namespace),
        ("apps", "ControllerRevision") => Some(ContextKind::ControllerRevision),
        ("", "ConfigMap") => Some(ContextKind::ConfigMap),
        _ => None,
    }
}

/// Gathers the cluster state of one run from its context objects. SidecarSets are admitted only
/// once every object is in ([`Gatherer::finish`]): whether Kruise accepts one can depend on the others
/// (a canary's base, conflicts) and on the `kruise-configuration` ConfigMap.
#[derive(Debug)]
pub struct Gatherer {
    cluster: Cluster,
    /// SidecarSet documents: node, value, location.
    sidecarsets: Vec<(Node, Value, Location)>,
    whitelist: Option<Whitelist>,
}

/// SidecarSets the API server or Kruise's validating webhook would reject: they never exist, so
/// rendering with or without them would be wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", rejection_message(.errors))]
pub struct Rejected {
    /// The errors, one per rule broken, in input order.
    pub errors: Vec<Finding>,
}

fn rejection_message(errors: &[Finding]) -> String {
    let mut lines: Vec<String> = errors
        .iter()
        .map(|f| format!("{}: {}: {}", f.location, f.resource, f.message))
        .collect();
    let mut names: Vec<&str> = errors.iter().map(|f| f.resource.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let (what, it) = match names.as_slice() {
        [one] => (format!("{one} is"), "it injects"),
        many => (format!("{} SidecarSets are", many.len()), "they inject"),
    };
    lines.push(format!(
        "{what} rejected by the API server or Kruise's validating webhook: never created, {it} nothing. Fix the errors above (`kruise-inject validate` lists every finding)"
    ));
    lines.join("\n")
}

/// A warning about a gathered SidecarSet.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// The warning.
    pub finding: Finding,
    /// The SidecarSet document (KRM results name it).
    pub object: Value,
}

impl Notice {
    /// The report line: `file:line: resource: warning: message`.
    pub fn report_line(&self) -> String {
        let f = &self.finding;
        format!(
            "{}:{}: {}: warning: {}",
            f.location.file, f.location.line, f.resource, f.message
        )
    }
}

impl Gatherer {
    /// An empty cluster whose Kruise runs in `kruise_namespace`.
    pub fn new(kruise_namespace: &str) -> Self {
        Gatherer {
            cluster: Cluster::new(kruise_namespace),
            sidecarsets: Vec::new(),
            whitelist: None,
        }
    }

    /// The Kruise installation's feature gates (they decide parts of admission and injection).
    #[must_use]
    pub fn with_feature_gates(mut self, gates: crate::kruise::features::FeatureGates) -> Self {
        self.cluster.feature_gates = gates;
        self
    }

    /// Takes in an object, if it is context: a SidecarSet (admitted later), a Namespace, a
    /// ControllerRevision, the `kruise-configuration` ConfigMap (in the Kruise namespace or without
    /// one).
    pub fn add(&mut self, object: &Object<'_>) -> Result<(), DocumentError> {
        match context_kind(object) {
            Some(ContextKind::SidecarSet) => {
                self.sidecarsets.push((
                    object.node.clone(),
                    object.value.clone(),
                    object.location.clone(),
                ));
                Ok(())
            }
            Some(ContextKind::ConfigMap) => {
                if object.name() == whitelist::CONFIGMAP_NAME
                    && object
                        .namespace()
                        .is_none_or(|ns| ns == self.cluster.kruise_namespace)
                {
                    self.whitelist = Some(Whitelist::from_configmap(&object.value));
                }
                Ok(())
            }
            _ => add_other(&mut self.cluster, object),
        }
    }

    /// Admits the SidecarSets ([`crate::pipeline::admission::admit`]): the cluster and the warnings,
    /// or every error if one is rejected.
    pub fn finish(self) -> Result<(Cluster, Vec<Notice>), Rejected> {
        let candidates: Vec<Candidate<'_>> = self
            .sidecarsets
            .iter()
            .map(|(node, value, location)| Candidate {
                node,
                value,
                location,
            })
            .collect();
        let admission = admission::admit(&candidates, self.whitelist.as_ref(), &self.cluster);
        let (errors, warnings): (Vec<Finding>, Vec<Finding>) = admission
            .findings
            .into_iter()
            .partition(|f| f.severity == Severity::Error);
        if !errors.is_empty() {
            return Err(Rejected { errors });
        }
        let object_of = |f: &Finding| {
            self.sidecarsets
                .iter()
                .find(|(_, _, l)| l.file == f.location.file && l.document == f.location.document)
                .map(|(_, v, _)| v.clone())
                .unwrap_or(Value::Null)
        };
        let notices = warnings
            .into_iter()
            .map(|finding| Notice {
                object: object_of(&finding),
                finding,
            })
            .collect();
        let mut cluster = self.cluster;
        for (_, ss) in admission.admitted {
            // Names are unique among the admitted SidecarSets.
            let _ = cluster.add_sidecarset(ss);
        }
        Ok((cluster, notices))
    }
}

/// Adds a Namespace or a ControllerRevision to the cluster; other objects are ignored.
fn add_other(cluster: &mut Cluster, object: &Object<'_>) -> Result<(), DocumentError> {
    match context_kind(object) {
        Some(ContextKind::Namespace) => {
            let labels = string_map_at(&object.value, "/metadata/labels")
                .map_err(|e| object.error(format!("metadata.labels: {e}")))?;
            cluster.add_namespace(object.name(), labels);
            Ok(())
        }
        Some(ContextKind::ControllerRevision) => {
            let revision =
                ControllerRevision::from_value(&object.value).map_err(|e| object.error(e))?;
            cluster.add_controller_revision(revision);
            Ok(())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::objects::ParsedFile;

    fn gather(text: &str) -> Result<(Cluster, Vec<Notice>), Rejected> {
        let file = ParsedFile::parse("in.yaml".into(), text.to_owned()).expect("parses");
        let mut g = Gatherer::new("kruise-system");
        for object in file.objects().expect("objects") {
            g.add(&object).expect("context object");
        }
        g.finish()
    }

    const SS: &str = "apiVersion: apps.kruise.io/v1beta1\nkind: SidecarSet\nmetadata:\n  name: NAME\nspec:\n  selector:\n    matchLabels: {app: web}\n  containers:\n  - name: NAME\n";

    #[test]
    fn rejected_sidecarsets_are_all_named_with_file_and_line() {
        let text = format!(
            "{}---\n{}",
            SS.replace("NAME", "a"),
            SS.replace("NAME", "b")
        );
        let err = gather(&text).expect_err("no image");
        assert_eq!(
            err.to_string(),
            "in.yaml:9: document 1: apps.kruise.io/v1beta1 SidecarSet a: spec.containers[0].image: Required value\n\
             in.yaml:19: document 2: apps.kruise.io/v1beta1 SidecarSet b: spec.containers[0].image: Required value\n\
             2 SidecarSets are rejected by the API server or Kruise's validating webhook: never created, they inject nothing. Fix the errors above (`kruise-inject validate` lists every finding)"
        );
    }

    #[test]
    fn admitted_sidecarsets_join_the_cluster_with_their_warnings() {
        let text = format!(
            "{}    image: x\n    imagePullPolcy: Always\n",
            SS.replace("NAME", "a")
        );
        let (cluster, notices) = gather(&text).expect("admitted");
        assert_eq!(cluster.sidecarsets.len(), 1);
        assert_eq!(notices.len(), 1);
        assert!(
            notices[0].report_line().starts_with(
                "in.yaml:11: apps.kruise.io/v1beta1 SidecarSet a: warning: unknown field \"spec.containers[0].imagePullPolcy\""
            ),
            "{}",
            notices[0].report_line()
        );
        assert_eq!(notices[0].object["metadata"]["name"], "a");
    }
}
