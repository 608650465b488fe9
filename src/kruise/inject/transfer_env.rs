//! `transferEnv` (`util.go: GetSidecarTransferEnvs`,
//! `ExtractContainerNameFromFieldPath`) and `MergeEnvVar` (`pkg/util/pods.go`).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::Value;

use super::container::{list, str_field};
use super::go_values;
use crate::kruise::sidecarset::TransferEnvVar;

/// The env vars `transfer` copies from the pod's `spec.containers` (not init containers), in
/// order: per entry, its env names sorted and de-duplicated; for duplicate env names inside one
/// source container the last one is used. Entries whose `sourceContainerNameFrom` cannot be
/// resolved are skipped (the webhook logs and continues).
pub(super) fn transfer_envs(
    transfer: &[TransferEnvVar],
    pod_containers: &[Value],
    annotations: &BTreeMap<String, String>,
    labels: &BTreeMap<String, String>,
) -> Vec<Value> {
    if transfer.is_empty() {
        return Vec::new();
    }
    let mut envs_in_pod: HashMap<String, &Value> = HashMap::new();
    for container in pod_containers {
        for env in list(container, "env") {
            let key = format!(
                "{}/{}",
                str_field(container, "name"),
                str_field(env, "name")
            );
            envs_in_pod.insert(key, env);
        }
    }
    let mut out = Vec::new();
    for t in transfer {
        let mut names: BTreeSet<&str> = BTreeSet::new();
        if !t.env_name.is_empty() {
            names.insert(&t.env_name);
        }
        names.extend(t.env_names.iter().map(String::as_str));
        let source = match &t.source_container_name_field_path {
            Some(path) => match container_name_from_field_path(path, annotations, labels) {
                Some(name) => name,
                None => continue,
            },
            None => t.source_container_name.clone(),
        };
        for name in names {
            if let Some(env) = envs_in_pod.get(&format!("{source}/{name}")) {
                out.push(go_values::env_var(env));
            }
        }
    }
    out
}

/// `ExtractContainerNameFromFieldPath`: `metadata.annotations['k']` / `metadata.labels['k']`
/// (missing key → `""`); `None` for anything Kruise rejects.
fn container_name_from_field_path(
    path: &str,
    annotations: &BTreeMap<String, String>,
    labels: &BTreeMap<String, String>,
) -> Option<String> {
    let (field, subscript) = split_maybe_subscripted_path(path)?;
    match field {
        "metadata.annotations" if is_qualified_name(&subscript.to_lowercase()) => {
            Some(annotations.get(subscript).cloned().unwrap_or_default())
        }
        "metadata.labels" if is_qualified_name(subscript) => {
            Some(labels.get(subscript).cloned().unwrap_or_default())
        }
        _ => None,
    }
}

/// k8s `fieldpath.SplitMaybeSubscriptedPath`, `None` for an un-subscripted path.
fn split_maybe_subscripted_path(path: &str) -> Option<(&str, &str)> {
    let s = path.strip_suffix("']")?;
    let (field, subscript) = s.split_once("['")?;
    (!field.is_empty()).then_some((field, subscript))
}

/// k8s `validation.IsQualifiedName`: `[prefix/]name`, prefix a DNS-1123 subdomain, name ≤ 63
/// characters matching `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`.
fn is_qualified_name(value: &str) -> bool {
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if !is_dns1123_subdomain(prefix) {
                return false;
            }
            *name
        }
        _ => return false,
    };
    let b = name.as_bytes();
    let alnum = |c: &u8| c.is_ascii_alphanumeric();
    !b.is_empty()
        && b.len() <= 63
        && b.first().is_some_and(alnum)
        && b.last().is_some_and(alnum)
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// k8s `validation.IsDNS1123Subdomain`.
fn is_dns1123_subdomain(value: &str) -> bool {
    let lower_alnum = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !value.is_empty()
        && value.len() <= 253
        && value.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b.first().is_some_and(lower_alnum)
                && b.last().is_some_and(lower_alnum)
                && b.iter().all(|c| lower_alnum(c) || *c == b'-')
        })
}

/// `MergeEnvVar(original, additional)`: appends each additional env whose name is not yet present
/// (existing names win, including ones appended before).
pub(super) fn merge_env_vars(mut original: Vec<Value>, additional: Vec<Value>) -> Vec<Value> {
    let mut exists: HashSet<String> = original
        .iter()
        .map(|e| str_field(e, "name").to_owned())
        .collect();
    for env in additional {
        if exists.insert(str_field(&env, "name").to_owned()) {
            original.push(env);
        }
    }
    original
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::{Value, json};

    use super::{is_qualified_name, merge_env_vars, transfer_envs};
    use crate::kruise::sidecarset::TransferEnvVar;

    fn t(source: &str, env_name: &str, env_names: &[&str]) -> TransferEnvVar {
        TransferEnvVar {
            source_container_name: source.into(),
            source_container_name_field_path: None,
            env_name: env_name.into(),
            env_names: env_names.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn names(envs: &[Value]) -> Vec<&str> {
        envs.iter().filter_map(|e| e["name"].as_str()).collect()
    }

    fn pod() -> Vec<Value> {
        vec![
            json!({"name": "main", "env": [
                {"name": "B", "value": "b1"},
                {"name": "A", "value": "a"},
                {"name": "B", "value": "b2"},
            ]}),
            json!({"name": "other", "env": [{"name": "A", "value": "other-a"}]}),
        ]
    }

    #[test]
    fn names_sorted_deduplicated_last_duplicate_wins() {
        let none = BTreeMap::new();
        let envs = transfer_envs(&[t("main", "B", &["B", "A", "X"])], &pod(), &none, &none);
        assert_eq!(
            envs,
            vec![
                json!({"name": "A", "value": "a"}),
                json!({"name": "B", "value": "b2"})
            ]
        );
    }

    #[test]
    fn only_pod_containers_and_named_source() {
        let none = BTreeMap::new();
        let envs = transfer_envs(
            &[t("other", "A", &[]), t("init", "A", &[])],
            &pod(),
            &none,
            &none,
        );
        assert_eq!(envs, vec![json!({"name": "A", "value": "other-a"})]);
    }

    #[test]
    fn source_container_name_from_annotations_and_labels() {
        let ann = BTreeMap::from([("source".to_string(), "other".to_string())]);
        let labels = BTreeMap::from([("src".to_string(), "main".to_string())]);
        let from = |path: &str| TransferEnvVar {
            source_container_name: "main".into(),
            source_container_name_field_path: Some(path.into()),
            env_name: "A".into(),
            env_names: Vec::new(),
        };
        let got = |path: &str| transfer_envs(&[from(path)], &pod(), &ann, &labels);
        // The fieldRef wins over sourceContainerName.
        assert_eq!(
            got("metadata.annotations['source']"),
            vec![json!({"name": "A", "value": "other-a"})]
        );
        assert_eq!(
            got("metadata.labels['src']"),
            vec![json!({"name": "A", "value": "a"})]
        );
        // Missing key → "" → nothing; unsupported paths → entry skipped.
        assert!(got("metadata.annotations['missing']").is_empty());
        assert!(got("metadata.name").is_empty());
        assert!(got("metadata.namespace['x']").is_empty());
        assert!(got("metadata.labels['-bad-']").is_empty());
    }

    #[test]
    fn qualified_names() {
        assert!(is_qualified_name("app"));
        assert!(is_qualified_name("example.com/My_Name.1"));
        assert!(!is_qualified_name("Example.com/name"));
        assert!(!is_qualified_name("/name"));
        assert!(!is_qualified_name("a/b/c"));
        assert!(!is_qualified_name(&"x".repeat(64)));
    }

    // e2e "transfer Envs": the sidecar's own OD_NAME wins over the transferred one.
    #[test]
    fn merge_env_var_existing_names_win() {
        let merged = merge_env_vars(
            vec![
                json!({"name": "OD_NAME", "value": "sidecar_name"}),
                json!({"name": "IS_INJECTED", "value": "true"}),
            ],
            vec![
                json!({"name": "OD_NAME", "value": "od_name"}),
                json!({"name": "X", "value": "1"}),
                json!({"name": "X", "value": "2"}),
            ],
        );
        assert_eq!(names(&merged), ["OD_NAME", "IS_INJECTED", "X"]);
        assert_eq!(merged[0]["value"], "sidecar_name");
        assert_eq!(merged[2]["value"], "1");
    }
}
