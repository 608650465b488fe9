//! Property tests (issue 7): what `emit` writes reads back as the value it was given, `parse`
//! never panics and its spans can be sliced, and an editor with no edits changes nothing. Issue
//! 14: `stream::read` hands out what `parse` and `to_value` give, item by item.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use crate::emit::{self, IndentStyle};
use crate::stream::tests::agree;
use crate::{Editor, parse, to_value};

/// Strings rich in what makes YAML scalars ambiguous: indicators, quotes, spaces at the ends,
/// line breaks, YAML 1.1 words and numbers, non-ASCII and control characters.
fn tricky_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ a-z0-9:#&*!|>'\"%@`{}\\[\\],?\\-\\.\\n\\t\\\\~_+]{0,12}",
        prop::sample::select(vec![
            "on",
            "Off",
            "yes",
            "n",
            "Y",
            "null",
            "~",
            "0644",
            "0x1F",
            "1_000",
            "1e3",
            ".inf",
            "-.5",
            "true",
            "2001-12-14",
            "- a",
            "a: b",
            "#x",
            "&a",
            "*a",
            "!t",
            "|",
            ">",
            "",
            " ",
            "0o17",
            "+1",
            "=",
            "<<",
        ])
        .prop_map(str::to_owned),
    ]
}

/// JSON values without floats (YAML and JSON print floats differently; render writes none).
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        tricky_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((tricky_string(), inner), 0..4)
                .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// The value of the only document of `text`.
fn read_back(text: &str) -> Result<Value, String> {
    let docs = parse(text).map_err(|e| format!("{e:?} in {text:?}"))?;
    let [doc] = docs.as_slice() else {
        return Err(format!("{} documents in {text:?}", docs.len()));
    };
    let root = doc
        .root
        .as_ref()
        .ok_or_else(|| format!("empty: {text:?}"))?;
    to_value(root, doc).map_err(|e| format!("{e:?} in {text:?}"))
}

/// Parsing input that is mostly YAML punctuation: never a panic, spans inside the text on char
/// boundaries (render slices the text by them), and resolving each document never panics.
fn yamlish() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "([a-z]{0,3}|[ \\-:?,#&*!|>'\"{}\\[\\]\\n\\r\\t%@`]|---\\n|\u{feff}|é){0,80}",
    ]
}

/// A list item: a value in flow or block style, maybe anchored, or an alias (to an anchor that
/// may come before it, after it, or not at all).
fn list_item() -> impl Strategy<Value = String> {
    prop_oneof![
        value().prop_map(|v| emit::flow(&v)),
        value()
            .prop_filter("a collection", |v| v.is_array() || v.is_object())
            .prop_map(|v| {
                // a block collection as a `- ` item: its lines indented by 2
                let text = emit::block(&v, 0, &IndentStyle { map: 2, seq: 2 });
                text.trim_end().replace('\n', "\n  ")
            }),
        (0..3u8, value()).prop_map(|(n, v)| format!("&a{n} {}", emit::flow(&v))),
        (0..2u8).prop_map(|n| format!("*a{n}")),
        (0..2u8, 0..3u8).prop_map(|(n, m)| format!("{{k: *a{n}, &a{m} l: [*a{n}]}}")),
        (0..2u8).prop_map(|n| format!("{{<<: *a{n}, m: 1}}")),
    ]
}

/// A document whose root is a mapping with `items` among other entries, which may hold anchors
/// and aliases; in block or flow style.
fn list_text() -> impl Strategy<Value = String> {
    let before = prop::sample::subsequence(
        vec!["apiVersion: v1", "x0: &a0 {n: 0}", "x1: &a1 [1]"],
        1..=3,
    );
    let after = prop::sample::subsequence(
        vec!["kind: List", "y0: *a0", "metadata: {resourceVersion: \"\"}"],
        0..=3,
    );
    (
        before.prop_map(|v| v.into_iter().map(str::to_owned).collect::<Vec<_>>()),
        prop::collection::vec(list_item(), 0..6),
        after.prop_map(|v| v.into_iter().map(str::to_owned).collect::<Vec<_>>()),
        any::<bool>(),
        prop::sample::select(vec!["", "&r ", "!!map "]),
        prop::sample::select(vec!["", "---\nkind: Namespace\n---\n", "# c\n"]),
    )
        .prop_map(|(before, items, after, flow, props, lead)| {
            if flow {
                let mut entries = before.clone();
                let items: Vec<&str> = items
                    .iter()
                    .map(|i| if i.contains('\n') { "null" } else { i })
                    .collect();
                entries.push(format!("items: [{}]", items.join(", ")));
                entries.extend(after);
                format!("{lead}{props}{{{}}}\n", entries.join(", "))
            } else {
                let mut text = format!("{lead}{}", if props.is_empty() { "" } else { props });
                if !props.is_empty() {
                    text.push('\n');
                }
                for e in &before {
                    text.push_str(e);
                    text.push('\n');
                }
                text.push_str("items:\n");
                for item in &items {
                    text.push_str("- ");
                    text.push_str(item);
                    text.push('\n');
                }
                for e in &after {
                    text.push_str(e);
                    text.push('\n');
                }
                text
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn streamed_lists_are_what_parse_gives(text in list_text()) {
        agree(&text);
    }

    #[test]
    fn streamed_punctuation_is_what_parse_gives(text in yamlish()) {
        agree(&text);
        agree(&format!("items:\n- {text}"));
        agree(&format!("items:\n- a\n{text}"));
    }

    #[test]
    fn scalars_read_back_as_the_same_string(s in tricky_string()) {
        let text = format!("k: {}\n", emit::scalar(&s));
        prop_assert_eq!(read_back(&text), Ok(json!({"k": s})));
    }

    #[test]
    fn the_fast_plain_check_agrees_with_the_full_one(
        s in prop_oneof![
            tricky_string(),
            "-{0,3}[a-zA-Z/.0-9][a-zA-Z0-9_./:=\\-]{0,10}",
            "[0-9][a-zA-Z0-9]{0,5}",
        ],
    ) {
        if let Some(plain) = emit::simple_word(&s) {
            prop_assert_eq!(plain, emit::plain_ok_checked(&s), "{:?}", s);
        }
    }

    #[test]
    fn flow_values_read_back_as_the_same_value(v in value()) {
        let text = format!("{}\n", emit::flow(&v));
        prop_assert_eq!(read_back(&text), Ok(v));
    }

    #[test]
    fn block_values_read_back_as_the_same_value(
        v in value().prop_filter("a collection", |v| v.is_array() || v.is_object()),
        map in prop::sample::select(vec![2usize, 4]),
        seq in prop::sample::select(vec![0usize, 2]),
    ) {
        let text = emit::block(&v, 0, &IndentStyle { map, seq });
        prop_assert_eq!(read_back(&text), Ok(v));
    }

    #[test]
    fn parsing_never_panics_and_spans_slice_the_text(text in yamlish()) {
        if let Ok(docs) = parse(&text) {
            let mut at = 0;
            for doc in &docs {
                prop_assert!(doc.span.start >= at && doc.span.end >= doc.span.start);
                prop_assert!(text.get(doc.span.clone()).is_some(), "{:?} in {:?}", doc.span, text);
                at = doc.span.end;
                if let Some(root) = &doc.root {
                    let _ = to_value(root, doc);
                }
                prop_assert_eq!(Editor::new(&text, doc).finish(), &text[doc.span.clone()]);
            }
            prop_assert!(at <= text.len());
        }
    }
}
