//! Whether the SidecarSets of one run would exist in a cluster: what the API server and Kruise's
//! validating webhook do with each of them on CREATE (`validateSidecarSet`), in one place for
//! `validate` (which lists every finding) and for every command that gathers SidecarSets
//! ([`crate::pipeline::context::Gatherer`], which stops on an error and reports the warnings).
//!
//! In order, per SidecarSet: fields the CRD schema does not have ([`crate::kruise::validation::unknown_fields`];
//! kubectl's strict field validation), `metadata.namespace` (ignored on a cluster-scoped object),
//! the webhook's rules ([`crate::kruise::validation::sidecarset_rules`], `validateSidecarSet`), decoding and defaulting
//! ([`SidecarSet::from_value`]), names unique; then the `injectionStrategy.revision` lookup and the
//! conflicts with the other SidecarSets (`validateSidecarConflict`, only for SidecarSets without
//! other errors, as in Kruise), and the patch-metadata whitelist
//! (`ValidateSidecarSetPatchMetadataWhitelist`) when the `kruise-configuration` ConfigMap is
//! among the inputs — a warning that says the check was not possible when it is not.

use std::collections::BTreeMap;

use kruise_inject_yaml::tree::Node;
use serde_json::Value;

use crate::kruise::cluster::Cluster;
use crate::kruise::decode::string_map_at;
use crate::kruise::revision::find_revision;
use crate::kruise::sidecarset::{
    CANARY_ANNOTATION, CANARY_BASE_ANNOTATION, SidecarSet, SidecarSetError,
};
use crate::kruise::validation::conflicts;
use crate::kruise::validation::field_error::{self, FieldError};
use crate::kruise::validation::sidecarset_rules::{self, RuleContext};
use crate::kruise::validation::unknown_fields;
use crate::kruise::validation::whitelist::{self, Whitelist};
use crate::pipeline::finding::{Finding, Rule, Severity};
use crate::pipeline::objects::Location;

/// A SidecarSet document to admit.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// Its YAML node (for the line of a field).
    pub node: &'a Node,
    /// Its value.
    pub value: &'a Value,
    /// Where it starts.
    pub location: &'a Location,
}

/// What [`admit`] found.
#[derive(Debug, Default)]
pub struct Admission {
    /// Errors (the SidecarSet is never created) and warnings, in candidate order.
    pub findings: Vec<Finding>,
    /// The SidecarSets that would be created, as Kruise stores them, with the index of their
    /// candidate; SidecarSets with conflicts (`validateSidecarConflict`) are included, so that the
    /// workload checks of `validate` still see them.
    pub admitted: Vec<(usize, SidecarSet)>,
}

/// How findings name a SidecarSet: `apps.kruise.io/v1beta1 SidecarSet filebeat` (`<unnamed>`, or
/// `generateName*`, when it has no name).
pub fn resource_name(value: &Value) -> String {
    let api = value
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let name = match value.pointer("/metadata/name").and_then(Value::as_str) {
        Some(n) if !n.is_empty() => n.to_owned(),
        _ => match value
            .pointer("/metadata/generateName")
            .and_then(Value::as_str)
        {
            Some(g) if !g.is_empty() => format!("{g}*"),
            _ => "<unnamed>".to_owned(),
        },
    };
    format!("{api} SidecarSet {name}")
}

/// Admits the SidecarSets of one run. `base` holds the Namespaces and ControllerRevisions of the
/// inputs (its SidecarSets are ignored); `whitelist` is the `kruise-configuration` ConfigMap's, if it
/// is among the inputs.
pub fn admit(
    candidates: &[Candidate<'_>],
    whitelist: Option<&Whitelist>,
    base: &Cluster,
) -> Admission {
    let mut out = Admission::default();
    let known: BTreeMap<String, bool> = candidates
        .iter()
        .map(|c| {
            let annotations = string_map_at(c.value, "/metadata/annotations").unwrap_or_default();
            let canary = annotations.get(CANARY_ANNOTATION).map(String::as_str) == Some("true")
                && annotations
                    .get(CANARY_BASE_ANNOTATION)
                    .is_some_and(|b| !b.is_empty());
            let name = c
                .value
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            (name.to_owned(), canary)
        })
        .collect();
    let ctx = RuleContext {
        whitelist,
        sidecarsets: Some(&known),
        patch_metadata_defaults_allowed: base.feature_gates.patch_pod_metadata_defaults_allowed(),
    };

    let mut valid: Vec<(usize, SidecarSet)> = Vec::new();
    for (i, c) in candidates.iter().enumerate() {
        let mut rejected = false;
        for u in unknown_fields::unknown_fields(c.value) {
            let severity = if u.dropped {
                Severity::Warning
            } else {
                rejected = true;
                Severity::Error
            };
            out.findings.push(at_path(
                c,
                severity,
                Rule::UnknownField,
                &u.path,
                u.message(),
            ));
        }
        if let Some(ns) = c
            .value
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .filter(|ns| !ns.is_empty())
        {
            out.findings.push(at_path(
                c,
                Severity::Warning,
                Rule::ClusterScoped,
                "metadata.namespace",
                format!(
                    "metadata.namespace {ns:?} is ignored: SidecarSets are cluster-scoped (the API server clears it); remove it"
                ),
            ));
        }
        let has_patches = c
            .value
            .pointer("/spec/patchPodMetadata")
            .and_then(Value::as_array)
            .is_some_and(|p| !p.is_empty());
        if has_patches
            && whitelist.is_none()
            && !base.feature_gates.patch_pod_metadata_defaults_allowed()
        {
            out.findings.push(at_path(
                c,
                Severity::Warning,
                Rule::PatchMetadataWhitelist,
                "spec.patchPodMetadata",
                format!(
                    "not checked against the patch-metadata whitelist: the {} ConfigMap (in {}) is not among the inputs. A default Kruise install has none and rejects this SidecarSet (spec.patchPodMetadata: Required value: SidecarSet patch metadata whitelist not found) unless the SidecarSetPatchPodMetadataDefaultsAllowed feature gate is on; add the cluster's ConfigMap to the inputs (kubectl get configmap {} -n {} -o yaml) to check",
                    whitelist::CONFIGMAP_NAME,
                    base.kruise_namespace,
                    whitelist::CONFIGMAP_NAME,
                    base.kruise_namespace,
                ),
            ));
        }
        let spec = c.value.get("spec").unwrap_or(&Value::Null);
        for warning in crate::kruise::validation::resources_policy::warnings(spec) {
            out.findings.push(at_path(
                c,
                Severity::Warning,
                Rule::KruiseWebhook,
                "",
                warning,
            ));
        }
        let errs = sidecarset_rules::validate(c.value, &ctx);
        if !errs.is_empty() {
            for e in &errs {
                out.findings.push(field_finding(c, e));
            }
            continue;
        }
        match SidecarSet::from_value(c.value) {
            Ok(ss) => {
                for w in &ss.warnings {
                    let message = w
                        .strip_prefix(&format!("SidecarSet {}: ", ss.name))
                        .unwrap_or(w)
                        .to_owned();
                    // `annotation KEY is …`: at that annotation's line.
                    let path = message
                        .strip_prefix("annotation ")
                        .and_then(|rest| rest.split_once(' '))
                        .map(|(key, _)| format!("metadata.annotations.{key}"))
                        .unwrap_or_default();
                    out.findings.push(at_path(
                        c,
                        Severity::Warning,
                        Rule::Sidecarset,
                        &path,
                        message,
                    ));
                }
                if rejected {
                    continue;
                }
                if valid.iter().any(|(_, v)| v.name == ss.name) {
                    out.findings.push(at_path(c, Severity::Error, Rule::Duplicate, "metadata.name", format!(
                        "SidecarSet {} is defined twice: SidecarSets are cluster-scoped, so names are unique; the second one would replace the first: remove or rename one of them",
                        ss.name
                    )));
                    continue;
                }
                valid.push((i, ss));
            }
            Err(e) => {
                let (path, message) = match &e {
                    SidecarSetError::Invalid { path, message, .. } => {
                        (path.as_str(), format!("{path}: {message}"))
                    }
                    other => ("", other.to_string()),
                };
                out.findings.push(at_path(
                    c,
                    Severity::Error,
                    Rule::KruiseWebhook,
                    path,
                    message,
                ));
            }
        }
    }

    // `validateSidecarSetSpec`: the ControllerRevision of injectionStrategy.revision must exist.
    let mut cluster = Cluster::new(&base.kruise_namespace);
    cluster.feature_gates = base.feature_gates.clone();
    cluster.namespaces = base.namespaces.clone();
    cluster.controller_revisions = base.controller_revisions.clone();
    for (_, ss) in &valid {
        let _ = cluster.add_sidecarset(ss.clone());
    }
    let mut clean: Vec<(usize, SidecarSet)> = Vec::new();
    for (i, ss) in valid {
        if let Some(reference) = &ss.spec.injection_strategy.revision
            && let Err(e) = find_revision(&ss, reference, &cluster)
        {
            let e = FieldError::new(
                "revision",
                field_error::ErrorType::Invalid,
                None,
                format!(
                    "Cannot find specific ControllerRevision, err: {}",
                    e.to_string()
                        .strip_prefix(&format!("SidecarSet {}: ", ss.name))
                        .unwrap_or(&e.to_string())
                ),
            )
            .at("spec.injectionStrategy.revision");
            out.findings.push(field_finding(&candidates[i], &e));
            continue;
        }
        clean.push((i, ss));
    }
    // `validateSidecarConflict`, against the other valid SidecarSets (sorted by name, as the API
    // lists them).
    let mut others = Cluster::new(&base.kruise_namespace);
    for (_, ss) in &clean {
        let _ = others.add_sidecarset(ss.clone());
    }
    for (i, ss) in &clean {
        for e in conflicts::conflicts(ss, &others.sidecarsets) {
            out.findings.push(field_finding(&candidates[*i], &e));
        }
    }
    out.admitted = clean;
    // Candidate order (files in the order given), then line order.
    let mut files: Vec<&str> = Vec::new();
    for c in candidates {
        if !files.contains(&c.location.file.as_str()) {
            files.push(&c.location.file);
        }
    }
    out.findings.sort_by_key(|f| {
        (
            files.iter().position(|n| *n == f.location.file),
            f.location.document,
            f.location.line,
        )
    });
    out
}

/// A finding about candidate `c` at the line of `path` (the candidate's first line when the
/// document does not have it).
fn at_path(
    c: &Candidate<'_>,
    severity: Severity,
    rule: Rule,
    path: &str,
    message: String,
) -> Finding {
    Finding {
        severity,
        rule,
        location: Location {
            line: line_of(c.node, path).unwrap_or(c.location.line),
            ..c.location.clone()
        },
        resource: resource_name(c.value),
        message,
    }
}

/// A webhook error, at the line of its field (where Kruise's path does not name the field in the
/// document, [`FieldError::at`] does).
fn field_finding(c: &Candidate<'_>, e: &FieldError) -> Finding {
    let path = e.at.as_deref().unwrap_or(&e.path);
    at_path(c, Severity::Error, Rule::KruiseWebhook, path, e.to_string())
}

/// The line of the deepest node on `path` (`spec.containers[0].name`) that the document has.
pub fn line_of(root: &Node, path: &str) -> Option<usize> {
    let mut node = root;
    let mut line = None;
    if path.is_empty() {
        return None;
    }
    let mut rest = path;
    while !rest.is_empty() {
        let (part, tail) = rest.split_once('.').unwrap_or((rest, ""));
        // A map key may hold dots (`metadata.labels.app.kubernetes.io/name`): the whole rest.
        if let Some((k, _)) = node.get_pair(rest)
            && node.get_pair(part).is_none()
        {
            return Some(k.line);
        }
        rest = tail;
        let (key, indices) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            let Some((k, v)) = node.get_pair(key) else {
                break;
            };
            node = v;
            line = Some(k.line);
        }
        for index in indices.split(']').filter_map(|s| s.strip_prefix('[')) {
            let Some(i) = index.parse::<usize>().ok() else {
                return line;
            };
            let Some(items) = node.as_seq() else {
                return line;
            };
            let Some(item) = items.get(i) else {
                return line;
            };
            node = item;
            line = Some(item.line);
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::objects::ParsedFile;

    fn admit_text(text: &str, whitelist: Option<&Whitelist>) -> Admission {
        let file = ParsedFile::parse("ss.yaml".into(), text.to_owned()).expect("parses");
        let objects = file.objects().expect("objects");
        let candidates: Vec<Candidate<'_>> = objects
            .iter()
            .map(|o| Candidate {
                node: o.node,
                value: &o.value,
                location: &o.location,
            })
            .collect();
        admit(&candidates, whitelist, &Cluster::new("kruise-system"))
    }

    fn lines(a: &Admission) -> Vec<String> {
        a.findings
            .iter()
            .map(|f| {
                format!(
                    "{}:{} {} {}: {}",
                    f.location.line,
                    f.severity.as_str(),
                    f.rule,
                    f.resource,
                    f.message
                )
            })
            .collect()
    }

    const SS: &str = "apiVersion: apps.kruise.io/v1beta1\nkind: SidecarSet\nmetadata:\n  name: mesh\nspec:\n  selector:\n    matchLabels: {app: web}\n  containers:\n  - name: envoy\n    image: envoy:1\n";

    #[test]
    fn an_accepted_sidecarset_has_no_findings() {
        let a = admit_text(SS, None);
        assert_eq!(lines(&a), Vec::<String>::new());
        assert_eq!(a.admitted.len(), 1);
    }

    #[test]
    fn an_unknown_field_rejects_and_points_at_its_line() {
        let a = admit_text(&format!("{SS}  injectionStratgy: {{paused: true}}\n"), None);
        assert_eq!(
            lines(&a),
            [
                "11:error unknown-field apps.kruise.io/v1beta1 SidecarSet mesh: unknown field \"spec.injectionStratgy\" (did you mean \"injectionStrategy\"?): the API server rejects the SidecarSet (kubectl apply validates fields strictly), so it is never created"
            ]
        );
        assert!(a.admitted.is_empty());
    }

    #[test]
    fn a_dropped_field_and_a_namespace_are_warnings_and_admitted() {
        let text = SS
            .replace(
                "  name: mesh\n",
                "  name: mesh\n  namespace: istio-system\n",
            )
            .replace(
                "    image: envoy:1\n",
                "    image: envoy:1\n    imagePullPolcy: Always\n",
            );
        let a = admit_text(&text, None);
        let found = lines(&a);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].starts_with("5:warning cluster-scoped "),
            "{found:?}"
        );
        assert!(
            found[1].starts_with("12:warning unknown-field "),
            "{found:?}"
        );
        assert_eq!(a.admitted.len(), 1);
        // Kruise's decoding dropped the field.
        assert_eq!(
            a.admitted[0].1.spec.containers[0]
                .spec
                .get("imagePullPolicy")
                .and_then(Value::as_str),
            Some("IfNotPresent")
        );
    }

    #[test]
    fn patch_metadata_warns_without_the_whitelist_and_is_checked_with_it() {
        let text = format!("{SS}  patchPodMetadata:\n  - annotations: {{oom-score: '1'}}\n");
        let a = admit_text(&text, None);
        assert_eq!(a.findings.len(), 1);
        assert_eq!(a.findings[0].rule, Rule::PatchMetadataWhitelist);
        assert_eq!(a.findings[0].severity, Severity::Warning);
        assert_eq!(a.findings[0].location.line, 11);
        let denied = Whitelist::from_json(r#"{"rules":[{"allowedAnnotationKeyExprs":["^x$"]}]}"#);
        let a = admit_text(&text, Some(&denied));
        assert_eq!(
            lines(&a),
            [
                "11:error kruise-webhook apps.kruise.io/v1beta1 SidecarSet mesh: spec.patchPodMetadata: Required value: sidecarSet patch metadata annotation(oom-score) is not allowed"
            ]
        );
        let allowed =
            Whitelist::from_json(r#"{"rules":[{"allowedAnnotationKeyExprs":["^oom-score$"]}]}"#);
        assert!(admit_text(&text, Some(&allowed)).findings.is_empty());
    }

    #[test]
    fn an_unnamed_sidecarset_is_named_unnamed() {
        let a = admit_text(&SS.replace("  name: mesh\n", "  labels: {a: b}\n"), None);
        assert!(
            lines(&a)[0].contains(
                "apps.kruise.io/v1beta1 SidecarSet <unnamed>: metadata.name: Required value"
            ),
            "{:?}",
            lines(&a)
        );
    }

    #[test]
    fn duplicates_and_conflicts_are_errors() {
        let a = admit_text(&format!("{SS}---\n{SS}"), None);
        assert_eq!(a.findings.len(), 1, "{:?}", lines(&a));
        assert_eq!(a.findings[0].rule, Rule::Duplicate);
        let other = SS.replace("name: mesh", "name: mesh2");
        let a = admit_text(&format!("{SS}---\n{other}"), None);
        assert!(
            lines(&a)
                .iter()
                .all(|l| l.contains("container envoy already exist in mesh")),
            "{:?}",
            lines(&a)
        );
    }
}
