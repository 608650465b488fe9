//! The `functionConfig` of a KRM function call, and the config file of the legacy kustomize plugin:
//! a typed `kruise-inject.dev/v1alpha1 KruiseInject` object, or kpt's `ConfigMap` (`kpt fn eval
//! ... -- key=value`).

use std::path::PathBuf;

use serde_json::{Map, Value};

/// The API group of the tool's own config kind.
pub const GROUP: &str = "kruise-inject.dev";
/// The tool's own config kind.
pub const KIND: &str = "KruiseInject";

/// The keys a config may set (spec fields of `KruiseInject`, `data` keys of a ConfigMap).
const KEYS: &str = "sidecarsets, namespace, timestamp, seed, kruiseNamespace, featureGates";

/// A config that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("functionConfig: {0}")]
pub struct ConfigError(pub String);

/// What a config sets; `None` (or empty) leaves the default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FunctionConfig {
    /// SidecarSet (and Namespace, ControllerRevision) files or directories, relative to the working
    /// directory.
    pub sidecarsets: Vec<PathBuf>,
    /// Namespace of items that have none.
    pub namespace: Option<String>,
    /// Injection time (RFC 3339 or `now`).
    pub timestamp: Option<String>,
    /// Seed of the `Partial` revision policy draw.
    pub seed: Option<u64>,
    /// Where ControllerRevisions live.
    pub kruise_namespace: Option<String>,
    /// Kruise's feature gates (`NAME=BOOL,...`).
    pub feature_gates: Option<crate::kruise::features::FeatureGates>,
}

impl FunctionConfig {
    /// Reads a config object; `null` (no config) is the empty config.
    pub fn from_value(value: &Value) -> Result<Self, ConfigError> {
        if value.is_null() {
            return Ok(Self::default());
        }
        let api_version = value
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        let kind = value.get("kind").and_then(Value::as_str).unwrap_or("");
        let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
        match (group, kind) {
            ("", "ConfigMap") => Self::from_config_map(value),
            (GROUP, KIND) => Self::from_typed(value),
            _ => Err(ConfigError(format!(
                "unsupported kind {api_version:?} {kind:?}: use {GROUP}/v1alpha1 {KIND} \
                 (spec: {KEYS}) or a ConfigMap whose data has those keys"
            ))),
        }
    }

    fn from_config_map(value: &Value) -> Result<Self, ConfigError> {
        let mut config = Self::default();
        let data = match value.get("data") {
            None | Some(Value::Null) => return Ok(config),
            Some(Value::Object(data)) => data,
            Some(other) => {
                return Err(ConfigError(format!(
                    "ConfigMap data must be a mapping, found {other}"
                )));
            }
        };
        for (key, value) in data {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            match key.as_str() {
                "sidecarsets" => {
                    config.sidecarsets = text
                        .split([',', '\n'])
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(PathBuf::from)
                        .collect();
                }
                _ => config.set_scalar(key, text)?,
            }
        }
        Ok(config)
    }

    fn from_typed(value: &Value) -> Result<Self, ConfigError> {
        let mut config = Self::default();
        let spec = match value.get("spec") {
            None | Some(Value::Null) => return Ok(config),
            Some(Value::Object(spec)) => spec,
            Some(other) => {
                return Err(ConfigError(format!(
                    "{KIND} spec must be a mapping, found {other}"
                )));
            }
        };
        for (key, value) in spec {
            match (key.as_str(), value) {
                (_, Value::Null) => {}
                ("sidecarsets", Value::String(path)) => config.sidecarsets = vec![path.into()],
                ("sidecarsets", Value::Array(paths)) => {
                    config.sidecarsets = paths
                        .iter()
                        .map(|p| match p {
                            Value::String(path) => Ok(PathBuf::from(path)),
                            other => Err(ConfigError(format!(
                                "spec.sidecarsets: expected a list of paths, found {other}"
                            ))),
                        })
                        .collect::<Result<_, _>>()?;
                }
                ("sidecarsets", other) => {
                    return Err(ConfigError(format!(
                        "spec.sidecarsets: expected a list of paths, found {other}"
                    )));
                }
                (_, Value::String(text)) => config.set_scalar(key, text.clone())?,
                (_, Value::Number(n)) => config.set_scalar(key, n.to_string())?,
                (_, other) => {
                    // Unknown keys are reported as such before the type.
                    config.set_scalar(key, String::new())?;
                    return Err(ConfigError(format!(
                        "spec.{key}: expected a string, found {other}"
                    )));
                }
            }
        }
        Ok(config)
    }

    fn set_scalar(&mut self, key: &str, text: String) -> Result<(), ConfigError> {
        let text = text.trim().to_owned();
        let value = (!text.is_empty()).then_some(text);
        match key {
            "namespace" => self.namespace = value,
            "timestamp" => self.timestamp = value,
            "kruiseNamespace" | "kruise-namespace" => self.kruise_namespace = value,
            "featureGates" | "feature-gates" => {
                self.feature_gates = value
                    .map(|v| {
                        crate::kruise::features::FeatureGates::parse(&v)
                            .map_err(|e| ConfigError(format!("featureGates: {e}")))
                    })
                    .transpose()?;
            }
            "seed" => {
                self.seed = value
                    .map(|v| {
                        v.parse::<u64>().map_err(|_| {
                            ConfigError(format!("seed: expected a whole number, found {v:?}"))
                        })
                    })
                    .transpose()?;
            }
            _ => {
                return Err(ConfigError(format!(
                    "unknown key {key:?}: the keys are {KEYS}"
                )));
            }
        }
        Ok(())
    }
}

/// The `data` of a ConfigMap config as written by `kpt fn eval -- k=v` (for tests and docs).
pub fn config_map(data: &[(&str, &str)]) -> Value {
    let data: Map<String, Value> = data
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
        .collect();
    serde_json::json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "function-input"},
        "data": data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn no_config_is_the_default() {
        assert_eq!(
            FunctionConfig::from_value(&Value::Null),
            Ok(FunctionConfig::default())
        );
    }

    #[test]
    fn typed_config() {
        let config = FunctionConfig::from_value(&json!({
            "apiVersion": "kruise-inject.dev/v1alpha1",
            "kind": "KruiseInject",
            "metadata": {"name": "inject"},
            "spec": {
                "sidecarsets": ["platform/", "more.yaml"],
                "namespace": "apps",
                "timestamp": "2024-01-01T00:00:00Z",
                "seed": 7,
                "kruiseNamespace": "kruise",
                "featureGates": "EnableSortSidecarContainerByName=true",
            },
        }));
        assert_eq!(
            config,
            Ok(FunctionConfig {
                sidecarsets: vec!["platform/".into(), "more.yaml".into()],
                namespace: Some("apps".into()),
                timestamp: Some("2024-01-01T00:00:00Z".into()),
                seed: Some(7),
                kruise_namespace: Some("kruise".into()),
                feature_gates: Some(
                    crate::kruise::features::FeatureGates::parse(
                        "EnableSortSidecarContainerByName=true"
                    )
                    .expect("gate")
                ),
            })
        );
    }

    #[test]
    fn config_map_config() {
        let config = FunctionConfig::from_value(&config_map(&[
            ("sidecarsets", "a.yaml, b/"),
            ("seed", "3"),
            ("kruise-namespace", "k"),
        ]));
        assert_eq!(
            config,
            Ok(FunctionConfig {
                sidecarsets: vec!["a.yaml".into(), "b/".into()],
                seed: Some(3),
                kruise_namespace: Some("k".into()),
                ..FunctionConfig::default()
            })
        );
    }

    #[test]
    fn mistakes_are_errors() {
        let typo = FunctionConfig::from_value(&config_map(&[("sidecarset", "a.yaml")]));
        assert!(typo.is_err_and(|e| e.0.contains("unknown key \"sidecarset\"")));
        let seed = FunctionConfig::from_value(&config_map(&[("seed", "x")]));
        assert!(seed.is_err_and(|e| e.0.contains("seed")));
        let kind = FunctionConfig::from_value(&json!({"apiVersion": "v1", "kind": "Secret"}));
        assert!(kind.is_err_and(|e| e.0.contains("unsupported kind")));
    }
}
