//! Proves the snapshot guard works: every kind of document change alters the generated
//! source, so the snapshot test would fail on it. The mutations pick their targets from the
//! document as it is (the first property, the first enum…) and name what they add
//! `zz…DriftProbe`, so no real edit collides with them.

use serde_json::{json, Value};
use workspace_tests::{spec_tree, workspace_root};

/// The snapshot file, from the workspace root.
const SNAPSHOT: &str = "tests/tests/snapshots/generated_snapshot__workspace_client.snap";
/// The longest diff a failure prints, in lines.
const DIFF_LINES: usize = 30;

/// The snapshotted source, as insta stores it (after its `---` header).
fn snapshot() -> String {
    let path = workspace_root().join(SNAPSHOT);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{SNAPSHOT}: {e}"));
    text.splitn(3, "---\n")
        .nth(2)
        .unwrap_or_else(|| panic!("{SNAPSHOT} has no insta header"))
        .to_string()
}

fn generate(tree: &Value) -> String {
    // Same file name as the real document, so the header line cannot cause a difference.
    let path = workspace_root().join("spec/workspace.yaml");
    let text = serde_json::to_string(tree).unwrap();
    let document = workspace_codegen::load_str(&path.with_extension("json"), &text)
        .unwrap_or_else(|d| panic!("mutated document rejected: {d}"));
    workspace_codegen::generate(&document)
        .unwrap_or_else(|d| panic!("{d}"))
        .replace("workspace.json", "workspace.yaml")
}

/// The lines that differ, between the common start and end, at most [`DIFF_LINES`].
fn compact_diff(expected: &str, actual: &str) -> String {
    let old: Vec<&str> = expected.lines().collect();
    let new: Vec<&str> = actual.lines().collect();
    let start = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let end = old[start..]
        .iter()
        .rev()
        .zip(new[start..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let removed = old[start..old.len() - end].iter().map(|l| format!("-{l}"));
    let added = new[start..new.len() - end].iter().map(|l| format!("+{l}"));
    let lines: Vec<String> = removed.chain(added).collect();
    let shown = lines.len().min(DIFF_LINES);
    let more = if lines.len() > shown {
        format!("\n… {} more lines", lines.len() - shown)
    } else {
        String::new()
    };
    format!(
        "@@ line {} @@\n{}{more}",
        start + 1,
        lines[..shown].join("\n")
    )
}

#[test]
fn unmutated_document_matches_the_snapshot() {
    // The baseline of the comparisons below: JSON re-serialization alone changes nothing.
    let generated = generate(&spec_tree());
    let snapshot = snapshot();
    assert!(
        generated.trim_end() == snapshot.trim_end(),
        "{SNAPSHOT} differs from the generator's output; run `cargo xtask regen`:\n{}",
        compact_diff(&snapshot, &generated)
    );
}

fn schemas(tree: &mut Value) -> &mut serde_json::Map<String, Value> {
    tree["components"]["schemas"].as_object_mut().unwrap()
}

/// The first component schema with properties, and the name of its first property. Request
/// bodies, and schemas whose first property an extension names (`x-fleet`'s key,
/// `x-starts-job`'s field), are passed over: changing those is a document error
/// (`broken_documents` shows them), not drift.
fn first_property(tree: &mut Value) -> (&mut Value, String) {
    let mut named = Vec::new();
    for item in tree["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            named.extend(
                operation
                    .pointer("/x-fleet/key")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            );
            named.extend(
                operation
                    .get("x-starts-job")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            );
        }
    }
    let first = |schema: &Value| {
        schema
            .get("properties")
            .and_then(Value::as_object)
            .and_then(|p| p.keys().next().cloned())
    };
    let schema = schemas(tree)
        .iter_mut()
        .filter(|(name, _)| !name.ends_with("Request"))
        .map(|(_, schema)| schema)
        .find(|s| first(s).is_some_and(|p| !named.contains(&p)))
        .expect("a schema with properties");
    let name = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone();
    (schema, name)
}

#[test]
fn every_mutation_changes_the_generated_source() {
    type Mutation = (&'static str, fn(&mut Value));
    let mutations: [Mutation; 7] = [
        ("remove a field", |t| {
            let (schema, name) = first_property(t);
            schema["properties"].as_object_mut().unwrap().remove(&name);
            if let Some(required) = schema.get_mut("required").and_then(Value::as_array_mut) {
                required.retain(|r| r != name.as_str());
            }
        }),
        ("add a field", |t| {
            let (schema, _) = first_property(t);
            schema["properties"]["zz_drift_probe"] = json!({"type": "string"});
        }),
        ("change a type", |t| {
            let (schema, name) = first_property(t);
            schema["properties"][&name] = json!({"type": "array", "items": {"type": "boolean"}});
        }),
        ("add an enum value", |t| {
            let enumerated = schemas(t)
                .values_mut()
                .find(|s| s.get("enum").is_some())
                .expect("an enum");
            enumerated["enum"]
                .as_array_mut()
                .unwrap()
                .push(json!("ZZ_DRIFT_PROBE"));
        }),
        ("add an operation", |t| {
            let paths = t["paths"].as_object_mut().unwrap();
            let (path, item) = paths
                .iter()
                .next()
                .map(|(p, i)| (p.clone(), i.clone()))
                .unwrap();
            let mut item = item;
            for operation in item.as_object_mut().unwrap().values_mut() {
                if let Some(operation) = operation.as_object_mut() {
                    if operation.contains_key("operationId") {
                        operation.insert("operationId".into(), json!("zzDriftProbe"));
                        operation.remove("x-job-query");
                        operation.remove("x-fleet");
                    }
                }
            }
            paths.insert(format!("{path}/zz-drift-probe"), item);
        }),
        ("flip whether a field is required", |t| {
            let (schema, name) = first_property(t);
            let object = schema.as_object_mut().unwrap();
            let required = object
                .entry("required")
                .or_insert(json!([]))
                .as_array_mut()
                .unwrap();
            if required.iter().any(|r| r == name.as_str()) {
                required.retain(|r| r != name.as_str());
            } else {
                required.push(json!(name));
            }
            if required.is_empty() {
                object.remove("required");
            }
        }),
        ("tighten a constraint", |t| {
            let (schema, _) = first_property(t);
            schema["properties"]["zz_drift_probe"] = json!({"type": "string", "maxLength": 3});
        }),
    ];
    let baseline = snapshot();
    // Examples would stop matching their schemas (which the generator checks); they do not
    // change the generated source, which this baseline proves.
    let without_examples = without_examples(spec_tree());
    assert_eq!(generate(&without_examples).trim_end(), baseline.trim_end());
    for (name, mutate) in mutations {
        let mut tree = without_examples.clone();
        mutate(&mut tree);
        assert_ne!(
            generate(&tree).trim_end(),
            baseline.trim_end(),
            "{name}: the generated source is unchanged, so {SNAPSHOT} would not catch it"
        );
    }
}

fn without_examples(mut tree: Value) -> Value {
    fn strip(value: &mut Value) {
        match value {
            Value::Object(map) => {
                map.remove("examples");
                map.remove("example");
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut tree);
    tree
}

#[test]
fn the_compact_diff_is_bounded_and_names_the_line() {
    let old: String = (0..100).map(|i| format!("line {i}\n")).collect();
    let new = old.replace("line 50\n", "changed\n");
    assert_eq!(
        compact_diff(&old, &new),
        "@@ line 51 @@\n-line 50\n+changed"
    );
    let many: String = (0..100).map(|i| format!("other {i}\n")).collect();
    let diff = compact_diff(&old, &many);
    assert_eq!(diff.lines().count(), DIFF_LINES + 2);
    assert!(diff.ends_with("… 170 more lines"), "{diff}");
}
