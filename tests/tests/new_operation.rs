//! Adding an operation to the document is the only edit it takes: the client method and its
//! builder, the CLI subcommand and the simulator's route appear from the document alone
//! (the simulator answers 501 until it is given behaviour), and the change report calls it
//! additive. Checked at the generation level: building a second copy of the workspace per
//! test would take minutes.

use serde_json::{json, Value};
use workspace_codegen::report::{Report, Semver};
use workspace_simulator::{Simulator, DEMO_PROJECT_ID};

/// The document with one more operation: list the desktops of a user.
fn with_new_operation() -> Value {
    let mut tree = workspace_tests::spec_tree();
    tree["paths"]["/v2/{project_id}/desktops/zz-probe-list"] = json!({
        "parameters": [{"$ref": "#/components/parameters/ProjectId"}],
        "get": {
            "operationId": "zzProbeListDesktops",
            "summary": "List the desktops of a user (a probe operation)",
            "parameters": [{"name": "user_name", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "The desktops.", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/BatchDetachResponse"}}}}}
        }
    });
    tree
}

/// Source without white space, so that formatting does not matter to the checks.
fn compact(source: &str) -> String {
    source.split_whitespace().collect()
}

fn load(tree: &Value) -> workspace_codegen::Document {
    let path = workspace_tests::spec_path().with_extension("json");
    workspace_codegen::load_str(&path, &tree.to_string()).unwrap_or_else(|d| panic!("{d}"))
}

#[test]
fn the_client_and_the_cli_gain_the_operation_and_the_report_calls_it_additive() {
    let before = workspace_tests::document();
    let after = load(&with_new_operation());

    let (source, surface) = workspace_codegen::generate_with_surface(&after).unwrap();
    syn::parse_file(&source).expect("the generated client parses");
    let source = compact(&source);
    assert!(source.contains("pubfnzz_probe_list_desktops(&self)->operations::ZzProbeListDesktops{"));
    assert!(source.contains("pubstructZzProbeListDesktops{"));
    assert!(
        source.contains(
            "pubfnuser_name(mutself,value:impl::std::convert::Into<::std::string::String>,)"
        ),
        "the query parameter's setter"
    );

    let cli = workspace_codegen::generate_cli(&after).unwrap();
    syn::parse_file(&cli).expect("the generated CLI parses");
    let cli = compact(&cli);
    assert!(cli.contains("::clap::Command::new(\"zz-probe-list-desktops\")"));
    assert!(cli.contains("\"zz-probe-list-desktops\"=>{"));

    let (_, old_surface) = workspace_codegen::generate_with_surface(&before).unwrap();
    let report = Report::new(&old_surface, &surface, true);
    assert_eq!(report.semver(), Semver::Minor, "{report}");
    assert!(
        report
            .to_string()
            .contains("additive  added   `operation zzProbeListDesktops`"),
        "{report}"
    );
}

#[tokio::test]
async fn the_simulator_routes_the_operation_and_answers_501_naming_it() {
    let document = serde_json::to_string(&with_new_operation()).unwrap();
    let simulator = Simulator::builder()
        .document(document)
        .start()
        .await
        .unwrap();
    assert!(simulator.operations().any(|id| id == "zzProbeListDesktops"));
    let answer = workspace_tests::send_signed(
        &simulator.endpoint(),
        reqwest::Method::GET,
        &format!("/v2/{DEMO_PROJECT_ID}/desktops/zz-probe-list?user_name=alice"),
        None,
    )
    .await;
    assert_eq!(answer.status(), 501);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(
        body["error_msg"],
        "The simulator has no behaviour for operation zzProbeListDesktops."
    );
    assert_eq!(simulator.requests("zzProbeListDesktops"), 1);
}
