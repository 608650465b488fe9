//! The rules Kruise's validating webhook adds when a SidecarSet is *updated* (kruise v1.9
//! `pkg/webhook/sidecarset/validating/sidecarset_create_update_handler.go`:
//! `validateSidecarContainerConflict`, and the UPDATE branch of
//! `validateSidecarSetCanaryAnnotations`), comparing the edited SidecarSet with the stored one.
//! Pure: both objects are as Kruise holds them (converted to v1beta1 and defaulted).

use super::field_error::FieldError;
use super::sidecarset_rules::go_string_map;
use crate::kruise::sidecarset::{CANARY_BASE_ANNOTATION, SidecarSet};

/// The errors Kruise's webhook returns for updating `old` to `new`, on top of the CREATE rules.
///
/// - Every container of `new.spec.containers` must exist by name in `old.spec.containers`: adding
///   or renaming a sidecar container is rejected (`container <n> is not found`); removing one is
///   allowed; init containers are not compared.
/// - A container's `upgradeStrategy.upgradeType` cannot change once set
///   (`container <n> upgradeType is immutable`).
/// - For a canary SidecarSet, `apps.kruise.io/sidecarset-base` must be the old object's value (also
///   when the old object was no canary: a SidecarSet cannot become one by an update).
pub fn validate_update(new: &SidecarSet, old: &SidecarSet) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Some(base) = new.canary_base()
        && old
            .annotations
            .get(CANARY_BASE_ANNOTATION)
            .map(String::as_str)
            != Some(base)
    {
        errors.push(FieldError::invalid_go(
            "metadata",
            go_string_map(&new.annotations),
            format!("annotations[{CANARY_BASE_ANNOTATION}] is immutable"),
        ));
    }
    for container in &new.spec.containers {
        let name = container.name();
        match old.spec.containers.iter().find(|c| c.name() == name) {
            Some(stored) => {
                let before = stored.upgrade_type();
                if !before.is_empty() && container.upgrade_type() != before {
                    errors.push(FieldError::invalid(
                        "spec.containers.upgradeStrategy.upgradeType",
                        name,
                        format!("container {name} upgradeType is immutable"),
                    ));
                }
            }
            None => errors.push(FieldError::invalid(
                "spec.containers.name",
                name,
                format!("container {name} is not found"),
            )),
        }
    }
    errors
}

/// What to do instead of an update Kruise rejects: Kruise never lets these fields change in place.
pub fn advice(error: &FieldError) -> &'static str {
    if error.path == "metadata" {
        "to move a canary to another base, create a new canary \
         SidecarSet (and delete the old one) instead"
    } else {
        "to add or rename a sidecar container or change its \
         upgradeType, create a new SidecarSet (and delete the old one) instead"
    }
}

/// `<Kruise's message>; <advice>`.
pub fn with_advice(error: &FieldError) -> String {
    format!("{error}; {}", advice(error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn sidecarset(annotations: Value, containers: Value) -> SidecarSet {
        SidecarSet::from_value(&json!({
            "apiVersion": "apps.kruise.io/v1beta1",
            "kind": "SidecarSet",
            "metadata": {"name": "log", "annotations": annotations},
            "spec": {
                "selector": {"matchLabels": {"app": "web"}},
                "updateStrategy": {"type": "NotUpdate"},
                "containers": containers
            }
        }))
        .expect("valid SidecarSet")
    }

    fn messages(errors: &[FieldError]) -> Vec<String> {
        errors.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn an_image_change_is_allowed() {
        let old = sidecarset(json!({}), json!([{"name": "agent", "image": "agent:1"}]));
        let new = sidecarset(json!({}), json!([{"name": "agent", "image": "agent:2"}]));
        assert!(validate_update(&new, &old).is_empty());
    }

    #[test]
    fn adding_or_renaming_a_container_is_rejected_and_removing_is_allowed() {
        let old = sidecarset(
            json!({}),
            json!([{"name": "agent", "image": "a"}, {"name": "proxy", "image": "p"}]),
        );
        let renamed = sidecarset(
            json!({}),
            json!([{"name": "agent", "image": "a"}, {"name": "envoy", "image": "p"}]),
        );
        assert_eq!(
            messages(&validate_update(&renamed, &old)),
            [r#"spec.containers.name: Invalid value: "envoy": container envoy is not found"#]
        );
        let removed = sidecarset(json!({}), json!([{"name": "agent", "image": "a"}]));
        assert!(validate_update(&removed, &old).is_empty());
    }

    #[test]
    fn the_upgrade_type_is_immutable_once_stored() {
        // The stored object was defaulted to ColdUpgrade; an explicit ColdUpgrade is no change.
        let old = sidecarset(json!({}), json!([{"name": "agent", "image": "a"}]));
        let cold = sidecarset(
            json!({}),
            json!([{"name": "agent", "image": "a", "upgradeStrategy": {"upgradeType": "ColdUpgrade"}}]),
        );
        assert!(validate_update(&cold, &old).is_empty());
        let hot = sidecarset(
            json!({}),
            json!([{"name": "agent", "image": "a", "upgradeStrategy": {
                "upgradeType": "HotUpgrade", "hotUpgradeEmptyImage": "empty:1"}}]),
        );
        assert_eq!(
            messages(&validate_update(&hot, &old)),
            [
                r#"spec.containers.upgradeStrategy.upgradeType: Invalid value: "agent": container agent upgradeType is immutable"#
            ]
        );
    }

    #[test]
    fn the_canary_base_is_immutable() {
        let containers = json!([{"name": "agent", "image": "a"}]);
        let canary = |base: &str| json!({"apps.kruise.io/sidecarset-canary": "true", "apps.kruise.io/sidecarset-base": base});
        let old = sidecarset(canary("log-base"), containers.clone());
        assert!(
            validate_update(&sidecarset(canary("log-base"), containers.clone()), &old).is_empty()
        );
        let moved = sidecarset(canary("other-base"), containers.clone());
        let errors = messages(&validate_update(&moved, &old));
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].starts_with("metadata: Invalid value: map[string]string{")
                && errors[0]
                    .ends_with(": annotations[apps.kruise.io/sidecarset-base] is immutable"),
            "{errors:?}"
        );
        // A SidecarSet cannot become a canary by an update.
        let plain = sidecarset(json!({}), containers.clone());
        assert_eq!(validate_update(&moved, &plain).len(), 1);
        // A canary may stop being one.
        assert!(validate_update(&plain, &old).is_empty());
    }

    #[test]
    fn the_advice_says_what_to_do_instead() {
        let container =
            FieldError::invalid("spec.containers.name", "x", "container x is not found");
        assert_eq!(
            with_advice(&container),
            "spec.containers.name: Invalid value: \"x\": container x is not found; to add or \
             rename a sidecar container or change its upgradeType, create a new SidecarSet (and \
             delete the old one) instead"
        );
        let base = FieldError::invalid_go("metadata", "map[string]string{}".into(), "immutable");
        assert!(advice(&base).starts_with("to move a canary to another base"));
    }
}
