//! Proves the snapshot guard works: every kind of document change alters the generated
//! source, so the snapshot test would fail on it.

use serde_json::{json, Value};
use workspace_codegen::Settings;
use workspace_tests::{spec_tree, workspace_root};

/// The snapshotted source, as insta stores it (after its `---` header).
fn snapshot() -> String {
    let path =
        workspace_root().join("tests/tests/snapshots/generated_snapshot__workspace_client.snap");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let body = text.splitn(3, "---\n").nth(2).expect("insta header");
    body.to_string()
}

fn generate(tree: &Value) -> String {
    // Same file name as the real document, so the header line cannot cause a difference.
    let path = workspace_root().join("spec/workspace.yaml");
    let text = serde_json::to_string(tree).unwrap();
    let document = workspace_codegen::load_str(&path.with_extension("json"), &text)
        .unwrap_or_else(|d| panic!("mutated document rejected: {d}"));
    generate_document(&document).replace("workspace.json", "workspace.yaml")
}

fn generate_document(document: &workspace_codegen::Document) -> String {
    workspace_codegen::generate(document, &Settings::default()).unwrap_or_else(|d| panic!("{d}"))
}

fn schema<'a>(tree: &'a mut Value, name: &str) -> &'a mut Value {
    &mut tree["components"]["schemas"][name]
}

#[test]
fn unmutated_document_matches_the_snapshot() {
    // The baseline of the comparisons below: JSON re-serialization alone changes nothing.
    assert_eq!(generate(&spec_tree()).trim_end(), snapshot().trim_end());
}

#[test]
fn every_mutation_changes_the_generated_source() {
    type Mutation = (&'static str, fn(&mut Value));
    let mutations: [Mutation; 7] = [
        ("remove a field", |t| {
            schema(t, "BatchDetachResponse")["properties"]
                .as_object_mut()
                .unwrap()
                .remove("success_job_ids");
        }),
        ("rename a field", |t| {
            let properties = schema(t, "AssignModelInfo")["properties"]
                .as_object_mut()
                .unwrap();
            let field = properties.remove("desktop_assigin_user_num").unwrap();
            properties.insert("desktop_assign_user_num".into(), field);
        }),
        ("change a type", |t| {
            schema(t, "JobDetailInfo")["properties"]["process"] = json!({"type": "string"});
        }),
        ("add an enum value", |t| {
            schema(t, "UserGroup")["enum"]
                .as_array_mut()
                .unwrap()
                .push(json!("guests"));
        }),
        ("add an operation", |t| {
            let show_job = t["paths"]["/v2/{project_id}/workspace-jobs/{job_id}"].clone();
            let mut list = show_job;
            list["get"]["operationId"] = json!("showJobAgain");
            t["paths"]["/v2/{project_id}/workspace-jobs/{job_id}/again"] = list;
        }),
        ("make a field required", |t| {
            schema(t, "BatchAttachRequest")["required"] = json!(["desktops"]);
        }),
        ("tighten a constraint", |t| {
            schema(t, "AttachInstancesDesktopInfo")["properties"]["computer_name"]["maxLength"] =
                json!(14);
        }),
    ];
    let baseline = snapshot();
    for (name, mutate) in mutations {
        let mut tree = spec_tree();
        mutate(&mut tree);
        assert_ne!(
            generate(&tree).trim_end(),
            baseline.trim_end(),
            "{name}: generated source unchanged"
        );
    }
}
