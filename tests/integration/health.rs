//! `kruise-inject health` end to end, and the printed Argo CD health check run in a real Lua 5.4
//! interpreter (embedded with mlua) against the same fixtures.

use serde_json::Value;

use crate::test::{Status, Test, repo};

const FIXTURES: &[&str] = &[
    "testdata/health/sidecarsets.yaml",
    "testdata/health/list.yaml",
    "testdata/health/all-healthy.yaml",
];

const LUA_KEY: &str = "resource.customizations.health.apps.kruise.io_SidecarSet";

#[test]
fn one_line_per_sidecarset_and_exit_1_unless_all_healthy() {
    Test::new()
        .copy("testdata/health/sidecarsets.yaml", "ss.yaml")
        .copy("testdata/health/list.yaml", "list.yaml")
        .args(&["health", "ss.yaml", "list.yaml"])
        .status(Status::Changes)
        .stdout(
        "healthy: Healthy: 3 of 3 matched pods updated and ready\n\
         paused: Suspended: SidecarSet is Suspended\n\
         rolling-out: Progressing: Waiting for rollout to finish: 2 of 5 matched pods updated\n\
         not-observed: Progressing: Waiting for rollout to finish: observed generation 2 is less than generation 3\n\
         not-ready: Progressing: Waiting for rollout to finish: 1 of 2 updated pods ready\n\
         no-status: Progressing: Waiting for sidecarSet\n\
         no-pods: Healthy: 0 of 0 matched pods updated and ready\n\
         listed-healthy: Healthy: 1 of 1 matched pods updated and ready\n\
         listed-rolling: Progressing: Waiting for rollout to finish: 3 of 4 matched pods updated\n",
        )
        .run();
}

#[test]
fn all_healthy_is_exit_0_and_json_output() {
    let out = Test::new()
        .copy("testdata/health/all-healthy.yaml", "ok.yaml")
        .args(&["health", "ok.yaml", "-o", "json"])
        .stdout_any()
        .run();
    let v: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(
        v,
        serde_json::json!([{"file": "ok.yaml", "line": 1, "name": "json-healthy", "status": "Healthy",
            "message": "2 of 2 matched pods updated and ready"}])
    );
    Test::new()
        .args(&["health"])
        .stdin(&std::fs::read_to_string(repo("testdata/health/all-healthy.yaml")).expect("fixture"))
        .stdout("json-healthy: Healthy: 2 of 2 matched pods updated and ready\n")
        .run();
}

#[test]
fn errors_are_exit_2() {
    for (text, message) in [
        ("a: [\n", "invalid YAML"),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
            "no SidecarSet",
        ),
    ] {
        Test::new()
            .file("in.yaml", text)
            .args(&["health", "in.yaml"])
            .status(Status::Error)
            .stderr_contains(message)
            .run();
    }
}

/// A JSON value as a Lua table literal (JSON `null` becomes a missing key, as in Argo CD).
fn lua_literal(v: &Value) -> String {
    match v {
        Value::Null => "nil".into(),
        Value::Bool(b) => b.to_string(),
        // Argo CD hands the check JSON numbers as Lua floats (gopher-lua's LNumber is a float64):
        // write `3` as `3.0` so that Lua 5.4 sees a float too.
        Value::Number(n) => match n.as_i64() {
            Some(i) => format!("{i}.0"),
            None => n.to_string(),
        },
        Value::String(s) => {
            let mut out = String::from("\"");
            for b in s.bytes() {
                match b {
                    b'"' | b'\\' => {
                        out.push('\\');
                        out.push(char::from(b));
                    }
                    0x20..=0x7e => out.push(char::from(b)),
                    _ => out.push_str(&format!("\\{b:03}")),
                }
            }
            out.push('"');
            out
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(lua_literal).collect();
            format!("{{{}}}", items.join(", "))
        }
        Value::Object(map) => {
            let items: Vec<String> = map
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| {
                    format!(
                        "[{}] = {}",
                        lua_literal(&Value::String(k.clone())),
                        lua_literal(v)
                    )
                })
                .collect();
            format!("{{{}}}", items.join(", "))
        }
    }
}

/// Runs an Argo CD health check body on `obj` in an embedded Lua 5.4 (mlua, vendored: no
/// interpreter needs to be installed): `Ok((status, message))`, or the Lua error.
fn run_lua(check: &str, obj: &Value) -> Result<(String, String), String> {
    let script = format!(
        "local obj = {}\nlocal function check(obj)\n{check}\nend\nlocal hs = check(obj)\nreturn hs.status, hs.message or \"\"\n",
        lua_literal(obj)
    );
    let lua = mlua::Lua::new();
    lua.load(script)
        .set_name("health.lua")
        .eval::<(String, String)>()
        .map_err(|e| e.to_string())
}

/// The SidecarSets of the fixtures, as kruise-inject reads them.
fn fixture_sidecarsets() -> Vec<Value> {
    let mut out = Vec::new();
    for path in FIXTURES {
        let text = std::fs::read_to_string(repo(path)).expect("fixture");
        let file = kruise_inject::pipeline::objects::ParsedFile::parse((*path).to_owned(), text)
            .expect("parse");
        out.extend(
            file.objects()
                .expect("objects")
                .into_iter()
                .filter(|o| o.kind() == "SidecarSet")
                .map(|o| o.value),
        );
    }
    out
}

/// The Lua of an argocd-cm ConfigMap.
fn lua_of(config_map: &str) -> String {
    let file =
        kruise_inject::pipeline::objects::ParsedFile::parse("argocd-cm".into(), config_map.into())
            .expect("the ConfigMap parses");
    let objects = file.objects().expect("objects");
    objects[0].value["data"][LUA_KEY]
        .as_str()
        .expect("the Lua health check")
        .to_owned()
}

#[test]
fn the_printed_argocd_lua_agrees_with_health_on_every_fixture() {
    let out = Test::new()
        .args(&["health", "--argocd-config"])
        .stdout_any()
        .run();
    let lua = lua_of(&out.stdout);
    let guide = std::fs::read_to_string(repo("testdata/filebeat-sidecarset/argocd-health-cm.yaml"))
        .expect("guide ConfigMap");
    // the same ConfigMap as the guide's, apart from the Lua
    let (ours, theirs): (Value, Value) = {
        let parse = |t: &str| {
            let f = kruise_inject::pipeline::objects::ParsedFile::parse("cm".into(), t.into())
                .expect("parse");
            let mut v = f.objects().expect("objects")[0].value.clone();
            v["data"][LUA_KEY] = Value::Null;
            v
        };
        (parse(&out.stdout), parse(&guide))
    };
    assert_eq!(ours, theirs);

    let rust = Test::at(repo("."))
        .args(&["health", "-o", "json"])
        .args(FIXTURES)
        .status(Status::Changes)
        .stdout_any()
        .run();
    let rust: Vec<Value> = serde_json::from_str(&rust.stdout).expect("JSON");
    let sidecarsets = fixture_sidecarsets();
    assert_eq!(rust.len(), sidecarsets.len());
    assert!(rust.len() >= 9);
    for (obj, want) in sidecarsets.iter().zip(&rust) {
        let want_pair = (
            want["status"].as_str().unwrap_or_default().to_owned(),
            want["message"].as_str().unwrap_or_default().to_owned(),
        );
        assert_eq!(run_lua(&lua, obj), Ok(want_pair), "{}", want["name"]);
    }
}

#[test]
fn the_guides_lua_fails_where_the_fields_are_missing() {
    let guide = std::fs::read_to_string(repo("testdata/filebeat-sidecarset/argocd-health-cm.yaml"))
        .expect("guide ConfigMap");
    let lua = lua_of(&guide);
    let sidecarsets = fixture_sidecarsets();
    let by_name = |name: &str| {
        sidecarsets
            .iter()
            .find(|s| s["metadata"]["name"] == name)
            .expect("fixture SidecarSet")
    };
    // no spec.updateStrategy: indexing nil
    let err = run_lua(&lua, by_name("rolling-out")).expect_err("the guide's Lua fails");
    assert!(
        err.contains("updateStrategy") || err.contains("nil"),
        "{err}"
    );
    // spec.matchedPods does not exist: comparing a number with nil
    let err = run_lua(&lua, by_name("healthy")).expect_err("the guide's Lua fails");
    assert!(err.contains("compare"), "{err}");
    // where it does not reach those lines it agrees
    assert_eq!(
        run_lua(&lua, by_name("paused")),
        Ok(("Suspended".into(), "SidecarSet is Suspended".into()))
    );
}
