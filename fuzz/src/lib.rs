// The function the fuzz target runs. `tests/integration/hostile.rs` includes this file (with
// `#[path]`) and replays every file of `fuzz/corpus/render/` and `fuzz/regressions/render/`
// through it on stable Rust, so a crash found by the fuzzer becomes a regression test by copying
// its input into `fuzz/regressions/render/`.
//
// Plain `//` comments only: the file is also a module of the integration tests.

use kruise_inject::pipeline::context;
use kruise_inject::pipeline::engine::{Options, Renderer};
use kruise_inject::pipeline::objects::ParsedFile;

/// The name inputs get in messages.
const NAME: &str = "fuzz.yaml";

/// What one input did: rendered (the output) or rejected (the message). A panic, or a broken
/// property (see below), is a bug.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Render succeeded with this text.
    Rendered(String),
    /// Render refused the input with this message.
    Rejected(String),
}

/// Reads `data` as `render` reads one file that is both input and context (its SidecarSets,
/// Namespaces and ControllerRevisions apply to its own pods), renders it, and checks that
/// - a refusal is a message, not a panic;
/// - the output reads back (as YAML and as objects) and renders to itself: render is idempotent;
/// - `uninject` reads the input and the output without panicking.
pub fn render(data: &[u8]) -> Outcome {
    let first = match render_text(data) {
        Ok(text) => text,
        Err(message) => {
            // uninject must cope with anything render rejects too
            let _ = uninject_text(data);
            return Outcome::Rejected(message);
        }
    };
    let _ = uninject_text(data);
    match render_text(first.as_bytes()) {
        // Kruise's own exception: a MergePatchJson patch is written as it is into a pod without
        // the annotation, and merged (its nulls dropping keys; failing if it is not JSON) into one
        // that has it. `fuzz/regressions/render/merge-patch-*` are such inputs.
        _ if first.contains("MergePatchJson") => {}
        Ok(second) => assert_eq!(
            first,
            second,
            "render is not idempotent on {:?}",
            String::from_utf8_lossy(data)
        ),
        Err(message) => panic!(
            "render wrote what it cannot read back ({message}) from {:?}:\n{first}",
            String::from_utf8_lossy(data)
        ),
    }
    let _ = uninject_text(first.as_bytes());
    Outcome::Rendered(first)
}

fn options() -> Options {
    Options {
        default_namespace: "default".to_owned(),
        timestamp: "1970-01-01T00:00:00Z".to_owned(),
        kruise_namespace: "kruise-system".to_owned(),
        feature_gates: Default::default(),
        seed: 0,
    }
}

fn parse(data: &[u8]) -> Result<ParsedFile, String> {
    let text =
        kruise_inject::pipeline::input::text(data.to_vec(), NAME).map_err(|e| e.to_string())?;
    ParsedFile::parse(NAME.to_owned(), text).map_err(|e| e.to_string())
}

/// Render of one file that is its own context.
pub fn render_text(data: &[u8]) -> Result<String, String> {
    let file = parse(data)?;
    let mut gatherer = context::Gatherer::new("kruise-system");
    for object in file.objects().map_err(|e| e.to_string())? {
        gatherer.add(&object).map_err(|e| e.to_string())?;
    }
    let (cluster, _) = gatherer.finish().map_err(|e| e.to_string())?;
    let options = options();
    let rendered = Renderer::new(&cluster, &options)
        .render_file(&file)
        .map_err(|e| e.to_string())?;
    Ok(rendered.text)
}

/// Uninject of one file.
pub fn uninject_text(data: &[u8]) -> Result<String, String> {
    let file = parse(data)?;
    kruise_inject::commands::uninject::uninject_file(&file)
        .map(|(text, _)| text)
        .map_err(|e| e.to_string())
}
