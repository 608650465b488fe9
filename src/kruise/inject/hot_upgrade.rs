//! Hot-upgrade injection (`sidecarset_hotupgrade.go: injectHotUpgradeContainers,
//! generateHotUpgradeContainers, setSidecarContainerVersionEnv`; `util_hotupgrade.go`).

use std::collections::BTreeMap;

use serde_json::Value;

use super::container::{env_field_ref, set_field, set_list};
use crate::kruise::sidecarset::SidecarContainer;

/// Pod annotation recording the working container of each hot-upgrade sidecar.
pub const WORKING_CONTAINER_ANNOTATION: &str = "kruise.io/sidecarset-working-hotupgrade-container";

/// `version.sidecarset.kruise.io/<podContainerName>`.
pub fn version_annotation(container: &str) -> String {
    format!("version.sidecarset.kruise.io/{container}")
}

/// `versionalt.sidecarset.kruise.io/<podContainerName>`.
pub fn version_alt_annotation(container: &str) -> String {
    format!("versionalt.sidecarset.kruise.io/{container}")
}

/// `GetPodHotUpgradeInfoInAnnotations`: the working-container map from the pod annotation. Go's
/// `json.Unmarshal` leaves the map empty on a syntax error or a non-object, keeps the entries it
/// could decode (non-string values as `""`) on a type error, and sets it to nil for `null`
/// (returned as `None`).
pub(crate) fn parse_work_info(value: Option<&str>) -> Option<BTreeMap<String, String>> {
    let Some(text) = value else {
        return Some(BTreeMap::new());
    };
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Null) => None,
        Ok(Value::Object(map)) => Some(
            map.into_iter()
                .map(|(k, v)| (k, v.as_str().unwrap_or("").to_owned()))
                .collect(),
        ),
        _ => Some(BTreeMap::new()),
    }
}

/// The working-container annotation value: Go-JSON of the map, keys sorted.
pub fn encode_work_info(info: &BTreeMap<String, String>) -> String {
    let map = info
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    kruise_inject_kube::gojson::to_string_sorted(&Value::Object(map))
}

/// `injectHotUpgradeContainers`: the pair of containers for `container` (the processed sidecar),
/// its version annotations and the updated working-container annotation added to `annotations`.
/// `None` if the pod's working-container annotation is JSON `null` (Go writes into a nil map and
/// fails).
pub(super) fn inject(
    container: &Value,
    sidecar: &SidecarContainer,
    work_info: &mut Option<BTreeMap<String, String>>,
    annotations: &mut BTreeMap<String, String>,
) -> Option<[Value; 2]> {
    let name = sidecar.name();
    let info = work_info.as_mut()?;
    info.insert(name.to_owned(), format!("{name}-1"));
    annotations.insert(
        WORKING_CONTAINER_ANNOTATION.to_owned(),
        encode_work_info(info),
    );
    annotations.extend(version_annotations(name));
    Some(containers(
        container,
        name,
        sidecar.hot_upgrade_empty_image(),
    ))
}

/// `generateHotUpgradeContainers`: `<name>-1` (working, the sidecar's image) and `<name>-2` (the
/// `hotUpgradeEmptyImage`), each with `SIDECARSET_VERSION` and `SIDECARSET_VERSION_ALT` appended.
fn containers(container: &Value, name: &str, empty_image: &str) -> [Value; 2] {
    let make = |suffix: &str, image: Option<&str>| {
        let mut c = container.clone();
        let own = format!("{name}{suffix}");
        if let Some(obj) = c.as_object_mut() {
            set_field(obj, "name", Value::String(own.clone()));
            match image {
                Some("") => {
                    obj.shift_remove("image");
                }
                Some(image) => set_field(obj, "image", Value::String(image.to_owned())),
                None => {}
            }
            let mut env = obj
                .get("env")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            env.push(env_field_ref(
                "SIDECARSET_VERSION",
                &format!("metadata.annotations['{}']", version_annotation(&own)),
            ));
            env.push(env_field_ref(
                "SIDECARSET_VERSION_ALT",
                &format!("metadata.annotations['{}']", version_alt_annotation(&own)),
            ));
            set_list(obj, "env", env);
        }
        c
    };
    [make("-1", None), make("-2", Some(empty_image))]
}

/// The version annotations of a freshly injected pair: `-1` works (`"1"`/`"0"`), `-2` is empty
/// (`"0"`/`"1"`).
fn version_annotations(name: &str) -> [(String, String); 4] {
    let (c1, c2) = (format!("{name}-1"), format!("{name}-2"));
    [
        (version_annotation(&c1), "1".to_owned()),
        (version_alt_annotation(&c1), "0".to_owned()),
        (version_annotation(&c2), "0".to_owned()),
        (version_alt_annotation(&c2), "1".to_owned()),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::{containers, parse_work_info, version_annotations};

    #[test]
    fn pair_of_containers_with_version_envs() {
        let c = json!({"name": "envoy", "image": "envoy:1", "env": [{"name": "IS_INJECTED", "value": "true"}], "resources": {}});
        let [c1, c2] = containers(&c, "envoy", "envoy:empty");
        assert_eq!(
            c1.to_string(),
            r#"{"name":"envoy-1","image":"envoy:1","env":[{"name":"IS_INJECTED","value":"true"},{"name":"SIDECARSET_VERSION","valueFrom":{"fieldRef":{"fieldPath":"metadata.annotations['version.sidecarset.kruise.io/envoy-1']"}}},{"name":"SIDECARSET_VERSION_ALT","valueFrom":{"fieldRef":{"fieldPath":"metadata.annotations['versionalt.sidecarset.kruise.io/envoy-1']"}}}],"resources":{}}"#
        );
        assert_eq!(c2["name"], "envoy-2");
        assert_eq!(c2["image"], "envoy:empty");
        assert_eq!(
            c2["env"][2]["valueFrom"]["fieldRef"]["fieldPath"],
            "metadata.annotations['versionalt.sidecarset.kruise.io/envoy-2']"
        );
        // No hotUpgradeEmptyImage: Go's empty image is omitted.
        let [_, c2] = containers(&c, "envoy", "");
        assert!(c2.get("image").is_none());
    }

    #[test]
    fn version_annotation_values() {
        let got: BTreeMap<_, _> = version_annotations("dns-f").into_iter().collect();
        let want: BTreeMap<String, String> = [
            ("version.sidecarset.kruise.io/dns-f-1", "1"),
            ("versionalt.sidecarset.kruise.io/dns-f-1", "0"),
            ("version.sidecarset.kruise.io/dns-f-2", "0"),
            ("versionalt.sidecarset.kruise.io/dns-f-2", "1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn work_info_parsing_follows_go() {
        let m = |kvs: &[(&str, &str)]| -> BTreeMap<String, String> {
            kvs.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(parse_work_info(None), Some(m(&[])));
        assert_eq!(
            parse_work_info(Some(r#"{"a":"a-2"}"#)),
            Some(m(&[("a", "a-2")]))
        );
        assert_eq!(parse_work_info(Some("{bad")), Some(m(&[])));
        assert_eq!(parse_work_info(Some("[1]")), Some(m(&[])));
        assert_eq!(
            parse_work_info(Some(r#"{"a":1,"b":"b-1"}"#)),
            Some(m(&[("a", ""), ("b", "b-1")]))
        );
        assert_eq!(parse_work_info(Some("null")), None);
    }
}
