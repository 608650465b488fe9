//! The Kubernetes defaulting Kruise applies to SidecarSet containers and volumes
//! (`apis/apps/defaults/v1beta1.go: SetDefaultsSidecarSetV1beta1`).
//!
//! Both functions expect values normalized by [`crate::schema`] and leave them normalized: missing keys
//! are added and the value is re-encoded through the schema, so new keys land at their Go position.
//! The Kruise-specific `SidecarContainer` defaults (`podInjectPolicy`, `upgradeStrategy.upgradeType`,
//! `shareVolumePolicy.type`) are not applied here.

use serde_json::{Map, Value, json};

use crate::quantity::Quantity;
use crate::schema;

/// `setDefaultContainer`: k8s `SetDefaults_Container` plus Kruise's extra container defaults
/// (ports protocol, env fieldRef apiVersion, resources rounded up to milli, liveness/readiness probe
/// defaults, lifecycle httpGet defaults). `container` is a [`crate::schema`]-normalized value; the
/// result stays in Go field order.
///
/// Also defaults `transferEnv[].sourceContainerNameFrom.fieldRef.apiVersion` (Kruise
/// `setDefaultContainerV1beta1`; where Go would dereference a nil `fieldRef` this does nothing).
pub fn container(container: &mut Value) {
    let Some(obj) = container.as_object_mut() else {
        return;
    };
    // k8s SetDefaults_Container
    if is_blank(obj.get("imagePullPolicy")) {
        let image = obj.get("image").and_then(Value::as_str).unwrap_or("");
        obj.insert(
            "imagePullPolicy".to_string(),
            json!(default_image_pull_policy(image)),
        );
    }
    set_str_if_blank(obj, "terminationMessagePath", "/dev/termination-log");
    set_str_if_blank(obj, "terminationMessagePolicy", "File");

    for port in objects_mut(obj, "ports") {
        set_str_if_blank(port, "protocol", "TCP");
    }
    for transfer in objects_mut(obj, "transferEnv") {
        if let Some(field_ref) = object_mut(transfer, "sourceContainerNameFrom")
            .and_then(|from| object_mut(from, "fieldRef"))
        {
            set_str_if_blank(field_ref, "apiVersion", "v1");
        }
    }
    for env in objects_mut(obj, "env") {
        if let Some(field_ref) =
            object_mut(env, "valueFrom").and_then(|from| object_mut(from, "fieldRef"))
        {
            set_str_if_blank(field_ref, "apiVersion", "v1");
        }
    }
    if let Some(resources) = object_mut(obj, "resources") {
        for list in ["limits", "requests"] {
            if let Some(map) = object_mut(resources, list) {
                for value in map.values_mut() {
                    // SetDefaults_ResourceList: RoundUp(-3), re-serialized canonically.
                    if let Ok(mut q) = Quantity::from_json(value) {
                        q.round_up(-3);
                        *value = Value::String(q.to_string());
                    }
                }
            }
        }
    }
    for probe in ["livenessProbe", "readinessProbe"] {
        if let Some(probe) = object_mut(obj, probe) {
            set_int_if_zero(probe, "timeoutSeconds", 1);
            set_int_if_zero(probe, "periodSeconds", 10);
            set_int_if_zero(probe, "successThreshold", 1);
            set_int_if_zero(probe, "failureThreshold", 3);
            if let Some(http_get) = object_mut(probe, "httpGet") {
                http_get_action(http_get);
            }
        }
    }
    if let Some(lifecycle) = object_mut(obj, "lifecycle") {
        for hook in ["postStart", "preStop"] {
            if let Some(http_get) =
                object_mut(lifecycle, hook).and_then(|h| object_mut(h, "httpGet"))
            {
                http_get_action(http_get);
            }
        }
    }

    let is_sidecar = schema::SIDECAR_ONLY_FIELDS
        .iter()
        .any(|k| obj.contains_key(*k));
    let normalized = if is_sidecar {
        schema::sidecar_container(container, "")
    } else {
        schema::container(container, "")
    };
    if let Ok(v) = normalized {
        *container = v;
    }
}

/// `SetDefaultPodVolumes` for one normalized volume; the result stays in Go field order.
///
/// (`image.pullPolicy` is not defaulted: the `ImageVolume` feature gate is off in Kruise's
/// Kubernetes 1.32 libraries.)
pub fn volume(volume: &mut Value) {
    let Some(obj) = volume.as_object_mut() else {
        return;
    };
    // SetDefaults_Volume: no source at all → emptyDir.
    if !obj.iter().any(|(k, v)| k != "name" && !v.is_null()) {
        obj.insert("emptyDir".to_string(), json!({}));
    }
    if let Some(host_path) = object_mut(obj, "hostPath") {
        set_if_nil(host_path, "type", json!(""));
    }
    if let Some(secret) = object_mut(obj, "secret") {
        set_if_nil(secret, "defaultMode", json!(420));
    }
    if let Some(downward) = object_mut(obj, "downwardAPI") {
        set_if_nil(downward, "defaultMode", json!(420));
        downward_api_items(downward);
    }
    if let Some(config_map) = object_mut(obj, "configMap") {
        set_if_nil(config_map, "defaultMode", json!(420));
    }
    if let Some(projected) = object_mut(obj, "projected") {
        set_if_nil(projected, "defaultMode", json!(420));
        for source in objects_mut(projected, "sources") {
            if let Some(downward) = object_mut(source, "downwardAPI") {
                downward_api_items(downward);
            }
            if let Some(token) = object_mut(source, "serviceAccountToken") {
                set_if_nil(token, "expirationSeconds", json!(3600));
            }
        }
    }
    if let Ok(v) = schema::volume(volume, "") {
        *volume = v;
    }
}

/// The `imagePullPolicy` Kubernetes defaults for `image`: `Always` when the image's tag is `latest` or
/// it has neither tag nor digest, `IfNotPresent` otherwise (also when the reference does not parse).
/// (k8s `SetDefaults_Container` → `parsers.ParseImageName` → `reference.ParseNormalizedNamed`.)
pub fn default_image_pull_policy(image: &str) -> &'static str {
    match image_tag(image) {
        Some(tag) if tag == "latest" => "Always",
        _ => "IfNotPresent",
    }
}

fn http_get_action(http_get: &mut Map<String, Value>) {
    set_str_if_blank(http_get, "path", "/");
    set_str_if_blank(http_get, "scheme", "HTTP");
}

fn downward_api_items(downward: &mut Map<String, Value>) {
    for item in objects_mut(downward, "items") {
        if let Some(field_ref) = object_mut(item, "fieldRef") {
            set_str_if_blank(field_ref, "apiVersion", "v1");
        }
    }
}

fn object_mut<'a>(
    obj: &'a mut Map<String, Value>,
    key: &str,
) -> Option<&'a mut Map<String, Value>> {
    obj.get_mut(key).and_then(Value::as_object_mut)
}

fn objects_mut<'a>(
    obj: &'a mut Map<String, Value>,
    key: &str,
) -> impl Iterator<Item = &'a mut Map<String, Value>> {
    obj.get_mut(key)
        .and_then(Value::as_array_mut)
        .into_iter()
        .flat_map(|items| items.iter_mut().filter_map(Value::as_object_mut))
}

/// A string field at its Go zero value (`""`, absent or `null`).
fn is_blank(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(_) => false,
    }
}

fn set_str_if_blank(obj: &mut Map<String, Value>, key: &str, value: &str) {
    if is_blank(obj.get(key)) {
        obj.insert(key.to_string(), json!(value));
    }
}

fn set_int_if_zero(obj: &mut Map<String, Value>, key: &str, value: i64) {
    let zero = match obj.get(key) {
        None | Some(Value::Null) => true,
        Some(v) => v.as_i64() == Some(0),
    };
    if zero {
        obj.insert(key.to_string(), json!(value));
    }
}

/// Pointer fields: only nil (absent or `null`) is defaulted.
fn set_if_nil(obj: &mut Map<String, Value>, key: &str, value: Value) {
    if obj.get(key).is_none_or(Value::is_null) {
        obj.insert(key.to_string(), value);
    }
}

// ------------------------------------------------------------------------------------------------
// Image references: github.com/distribution/reference v0.6.0 (`ParseNormalizedNamed`, `Parse`,
// `regexp.go`) and github.com/opencontainers/go-digest v1.0.0 (`Digest.Validate`).

/// The tag `parsers.ParseImageName` returns (`latest` when there is neither tag nor digest), or
/// `None` when the reference does not parse.
fn image_tag(image: &str) -> Option<String> {
    if image.len() == 64
        && image
            .bytes()
            .all(|b| matches!(b, b'a'..=b'f' | b'0'..=b'9'))
    {
        return None;
    }
    let (domain, remainder) = split_docker_domain(image);
    let remote = remainder.split(':').next().unwrap_or("");
    if remote.to_lowercase() != remote {
        return None;
    }
    let full = format!("{domain}/{remainder}");
    let (tag, digest) = parse_reference(&full)?;
    if tag.is_empty() && digest.is_empty() {
        return Some("latest".to_string());
    }
    Some(tag.to_string())
}

fn split_docker_domain(name: &str) -> (String, String) {
    const DEFAULT_DOMAIN: &str = "docker.io";
    let Some((maybe_domain, maybe_remote)) = name.split_once('/') else {
        return (DEFAULT_DOMAIN.to_string(), format!("library/{name}"));
    };
    let (domain, remote) = if maybe_domain == "localhost"
        || maybe_domain.contains(['.', ':'])
        || maybe_domain.to_lowercase() != maybe_domain
    {
        let domain = if maybe_domain == "index.docker.io" {
            DEFAULT_DOMAIN
        } else {
            maybe_domain
        };
        (domain, maybe_remote.to_string())
    } else {
        (DEFAULT_DOMAIN, name.to_string())
    };
    if domain == DEFAULT_DOMAIN && !remote.contains('/') {
        return (domain.to_string(), format!("library/{remote}"));
    }
    (domain.to_string(), remote)
}

/// `reference.Parse`: (tag, digest) of a valid reference.
fn parse_reference(s: &str) -> Option<(&str, &str)> {
    let r = split_reference(s)?;
    if r.path.len() > 255 {
        return None;
    }
    Some((r.tag, r.digest))
}

/// An image reference split as `reference.Parse` splits it: `name[:tag][@digest]`, the name being
/// `[domain/]path`. Parts not written are `""`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference<'a> {
    /// The name as written, e.g. `docker.io/busybox` (no normalisation).
    pub name: &'a str,
    /// The domain (with port) the name starts with, e.g. `localhost:5000` or `[::1]`.
    pub domain: &'a str,
    /// The name without the domain.
    pub path: &'a str,
    /// The tag.
    pub tag: &'a str,
    /// The digest, e.g. `sha256:a928...`.
    pub digest: &'a str,
}

/// The grammar of `reference.Parse` (distribution/reference v0.6.0 `ReferenceRegexp`) and the digest
/// validation of go-digest; `None` where either fails. The name-length limit is left to the caller
/// (v0.6.0 limits the path to 255 characters, docker/distribution v2 the whole name).
pub fn split_reference(s: &str) -> Option<Reference<'_>> {
    let (left, digest) = match s.split_once('@') {
        Some((l, d)) => (l, d),
        None => (s, ""),
    };
    if !digest.is_empty() && !valid_digest(digest) {
        return None;
    }
    if s.contains('@') && digest.is_empty() {
        return None;
    }
    let last_slash = left.rfind('/');
    let (name, tag) = match left.rfind(':') {
        Some(colon) if last_slash.is_none_or(|sl| colon > sl) => {
            (&left[..colon], &left[colon + 1..])
        }
        _ => (left, ""),
    };
    if left.len() > name.len() && !valid_tag(tag) {
        return None;
    }
    let path_len = valid_name(name)?;
    let (domain, path) = if path_len == name.len() {
        ("", name)
    } else {
        (
            &name[..name.len() - path_len - 1],
            &name[name.len() - path_len..],
        )
    };
    Some(Reference {
        name,
        domain,
        path,
        tag,
        digest,
    })
}

/// `[\w][\w.-]{0,127}`
fn valid_tag(tag: &str) -> bool {
    let b = tag.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    !b.is_empty()
        && b.len() <= 128
        && word(b[0])
        && b[1..].iter().all(|&c| word(c) || c == b'.' || c == b'-')
}

/// `namePat` = `(?:domainAndPort/)?remoteName`; returns the length of the path part.
fn valid_name(name: &str) -> Option<usize> {
    let components: Vec<&str> = name.split('/').collect();
    if let Some((first, rest)) = components.split_first()
        && !rest.is_empty()
        && valid_domain_and_port(first)
        && rest.iter().all(|c| valid_path_component(c))
    {
        return Some(name.len() - first.len() - 1);
    }
    if components.iter().all(|c| valid_path_component(c)) {
        return Some(name.len());
    }
    None
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
fn valid_path_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    let mut i = 0;
    loop {
        let start = i;
        while i < b.len() && alnum(b[i]) {
            i += 1;
        }
        if i == start {
            return false;
        }
        if i == b.len() {
            return true;
        }
        let sep_start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &c[sep_start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-');
        if !ok {
            return false;
        }
    }
}

/// `(?:domainName|\[[a-fA-F0-9:]+\])(?::[0-9]+)?`
fn valid_domain_and_port(d: &str) -> bool {
    let (host, port) = if let Some(inner) = d.strip_prefix('[') {
        let Some(close) = inner.find(']') else {
            return false;
        };
        let addr = &inner[..close];
        if addr.is_empty() || !addr.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return false;
        }
        let rest = &inner[close + 1..];
        match rest.strip_prefix(':') {
            Some(port) => (None, Some(port)),
            None if rest.is_empty() => (None, None),
            None => return false,
        }
    } else {
        match d.split_once(':') {
            Some((h, p)) => (Some(h), Some(p)),
            None => (Some(d), None),
        }
    };
    if let Some(port) = port
        && (port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    match host {
        None => true,
        Some(h) => h.split('.').all(|comp| {
            let b = comp.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter().all(|&x| x.is_ascii_alphanumeric() || x == b'-')
        }),
    }
}

/// `digestPat` plus go-digest validation: only sha256/sha384/sha512 with lowercase hex of the right
/// length are accepted.
fn valid_digest(d: &str) -> bool {
    let Some((alg, encoded)) = d.split_once(':') else {
        return false;
    };
    let len = match alg {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return false,
    };
    encoded.len() == len
        && encoded
            .bytes()
            .all(|b| matches!(b, b'a'..=b'f' | b'0'..=b'9'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gojson::to_string;

    fn defaulted_volume(v: Value) -> String {
        let mut v = schema::volume(&v, "v").unwrap_or_default();
        volume(&mut v);
        to_string(&v)
    }

    fn defaulted_container(v: Value) -> String {
        let mut v = schema::container(&v, "c").unwrap_or_default();
        container(&mut v);
        to_string(&v)
    }

    #[test]
    fn image_pull_policy() {
        let digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let cases = [
            ("nginx".to_string(), "Always"),
            ("nginx:latest".to_string(), "Always"),
            ("nginx:1.2".to_string(), "IfNotPresent"),
            (format!("nginx@{digest}"), "IfNotPresent"),
            (format!("name:latest@{digest}"), "Always"),
            (format!("name:1@{digest}"), "IfNotPresent"),
            ("localhost:5000/nginx".to_string(), "Always"),
            ("localhost:5000/nginx:1".to_string(), "IfNotPresent"),
            ("localhost:5000/nginx:latest".to_string(), "Always"),
            ("docker.io/library/nginx".to_string(), "Always"),
            (
                "registry.example.com/team/app:v2".to_string(),
                "IfNotPresent",
            ),
            ("[::1]:5000/app".to_string(), "Always"),
            ("MyRegistry/app".to_string(), "Always"),
            // Unparseable references: IfNotPresent.
            (String::new(), "IfNotPresent"),
            ("Nginx".to_string(), "IfNotPresent"),
            ("nginx@sha256:abc".to_string(), "IfNotPresent"),
            (
                format!("name:latest@sha256:{}", "A".repeat(64)),
                "IfNotPresent",
            ),
            ("nginx:".to_string(), "IfNotPresent"),
            ("nginx::1".to_string(), "IfNotPresent"),
            ("-nginx".to_string(), "IfNotPresent"),
            (
                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".to_string(),
                "IfNotPresent",
            ),
            (format!("a/{}", "b".repeat(260)), "IfNotPresent"),
        ];
        for (image, want) in cases {
            assert_eq!(default_image_pull_policy(&image), want, "{image}");
        }
    }

    #[test]
    fn container_defaults_in_go_order() {
        assert_eq!(
            defaulted_container(json!({
                "name": "c", "image": "app:1",
                "resources": {"limits": {"cpu": "0.0001", "memory": "1000Mi"}, "requests": {"cpu": "1000m"}},
                "readinessProbe": {"httpGet": {"port": 8080, "path": "/ready"}, "periodSeconds": 5},
                "startupProbe": {"httpGet": {"port": 8080}},
                "lifecycle": {"preStop": {"httpGet": {"port": "http"}}},
                "env": [{"name": "A", "valueFrom": {"fieldRef": {"apiVersion": "v2", "fieldPath": "x"}}}],
                "imagePullPolicy": "Never",
            })),
            concat!(
                r#"{"name":"c","image":"app:1","env":[{"name":"A","valueFrom":{"fieldRef":{"apiVersion":"v2","fieldPath":"x"}}}],"#,
                r#""resources":{"limits":{"cpu":"1m","memory":"1000Mi"},"requests":{"cpu":"1"}},"#,
                r#""readinessProbe":{"httpGet":{"path":"/ready","port":8080,"scheme":"HTTP"},"timeoutSeconds":1,"periodSeconds":5,"successThreshold":1,"failureThreshold":3},"#,
                r#""startupProbe":{"httpGet":{"port":8080}},"#,
                r#""lifecycle":{"preStop":{"httpGet":{"path":"/","port":"http","scheme":"HTTP"}}},"#,
                r#""terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"Never"}"#
            )
        );
    }

    #[test]
    fn sidecar_transfer_env_field_ref() {
        let mut s = schema::sidecar_container(
            &json!({"name": "s", "transferEnv": [{"sourceContainerNameFrom": {"fieldRef": {"fieldPath": "metadata.labels['app']"}}, "envName": "E"},
                                                  {"sourceContainerNameFrom": {}}]}),
            "c",
        )
        .unwrap_or_default();
        container(&mut s);
        assert_eq!(
            to_string(&s),
            concat!(
                r#"{"name":"s","resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent","#,
                r#""upgradeStrategy":{},"shareVolumePolicy":{},"transferEnv":[{"sourceContainerNameFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.labels['app']"}},"envName":"E"},{"sourceContainerNameFrom":{}}]}"#
            )
        );
    }

    #[test]
    fn volume_defaults() {
        assert_eq!(
            defaulted_volume(
                json!({"name": "cfg", "configMap": {"optional": true, "items": [{"key": "a", "path": "b"}], "name": "cm"}})
            ),
            r#"{"name":"cfg","configMap":{"name":"cm","items":[{"key":"a","path":"b"}],"defaultMode":420,"optional":true}}"#
        );
        assert_eq!(
            defaulted_volume(json!({"name": "e", "emptyDir": {}})),
            r#"{"name":"e","emptyDir":{}}"#
        );
        assert_eq!(
            defaulted_volume(json!({"name": "e"})),
            r#"{"name":"e","emptyDir":{}}"#
        );
        assert_eq!(
            defaulted_volume(json!({"name": "h", "hostPath": {"path": "/var/log"}})),
            r#"{"name":"h","hostPath":{"path":"/var/log","type":""}}"#
        );
        assert_eq!(
            defaulted_volume(json!({"name": "h", "hostPath": {"path": "/d", "type": "Directory"}})),
            r#"{"name":"h","hostPath":{"path":"/d","type":"Directory"}}"#
        );
        assert_eq!(
            defaulted_volume(json!({"name": "s", "secret": {"secretName": "x", "defaultMode": 0}})),
            r#"{"name":"s","secret":{"secretName":"x","defaultMode":0}}"#
        );
        assert_eq!(
            defaulted_volume(json!({"name": "s", "secret": {"secretName": "x"}})),
            r#"{"name":"s","secret":{"secretName":"x","defaultMode":420}}"#
        );
        assert_eq!(
            defaulted_volume(
                json!({"name": "d", "downwardAPI": {"items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}})
            ),
            r#"{"name":"d","downwardAPI":{"items":[{"path":"labels","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.labels"}}],"defaultMode":420}}"#
        );
        assert_eq!(
            defaulted_volume(json!({"name": "p", "projected": {"sources": [
                {"serviceAccountToken": {"path": "token"}},
                {"downwardAPI": {"items": [{"path": "n", "fieldRef": {"fieldPath": "metadata.name"}}]}},
                {"configMap": {"name": "ca"}}]}})),
            concat!(
                r#"{"name":"p","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3600,"path":"token"}},"#,
                r#"{"downwardAPI":{"items":[{"path":"n","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.name"}}]}},"#,
                r#"{"configMap":{"name":"ca"}}],"defaultMode":420}}"#
            )
        );
    }
}
