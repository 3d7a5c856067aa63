//! Each deliberately broken document yields the expected diagnostic: file, pointer and reason.

use workspace_codegen::Diagnostics;
use workspace_tests::broken_fixture;

/// Loads and generates like the build script does; the problems, or a panic if there are none.
fn diagnostics(name: &str) -> Diagnostics {
    let path = broken_fixture(name);
    let result =
        workspace_codegen::load(&path).and_then(|document| workspace_codegen::generate(&document));
    match result {
        Ok(_) => panic!("{name} generated without a diagnostic"),
        Err(diagnostics) => {
            for diagnostic in &diagnostics {
                assert_eq!(diagnostic.file, path, "diagnostic names another file");
            }
            diagnostics
        }
    }
}

fn assert_single(name: &str, pointer: &str, reason: &str) {
    let found = diagnostics(name);
    let all: Vec<_> = found
        .iter()
        .map(|d| (d.pointer.as_str(), d.reason.as_str()))
        .collect();
    assert_eq!(found.len(), 1, "{name}: {all:#?}");
    let only = found.iter().next().unwrap();
    assert_eq!(only.pointer, pointer, "{name}");
    assert!(
        only.reason.contains(reason),
        "{name}: reason {:?} lacks {reason:?}",
        only.reason
    );
}

#[test]
fn dangling_ref() {
    assert_single(
        "bad-ref.yaml",
        "/paths/~1v2~1{project_id}~1things/post/requestBody/content/application~1json/schema/$ref",
        "dangling reference: \"#/components/schemas/Missing\" does not resolve",
    );
}

#[test]
fn external_ref() {
    assert_single(
        "external-ref.yaml",
        "/paths/~1things/get/responses/200/content/application~1json/schema/$ref",
        "is not local",
    );
}

#[test]
fn missing_operation_id() {
    assert_single(
        "missing-operation-id.yaml",
        "/paths/~1things/get",
        "missing operationId",
    );
}

#[test]
fn duplicate_operation_id() {
    // Reported at the second use, in document order, naming the first.
    assert_single(
        "duplicate-operation-id.yaml",
        "/paths/~1other-things/get/operationId",
        "duplicate operationId \"getThing\", first used at /paths/~1things/get",
    );
}

#[test]
fn openapi_3_1() {
    assert_single(
        "openapi-3.1.yaml",
        "/openapi",
        "OpenAPI 3.1.0 is not supported",
    );
}

#[test]
fn two_error_schemas() {
    assert_single(
        "two-error-schemas.yaml",
        "/paths/~1things/get/responses/500",
        "error responses of one operation must share one schema: 500 uses #/components/schemas/GatewayError, 400 uses #/components/schemas/Error",
    );
}

#[test]
fn enum_values_differing_only_in_case() {
    assert_single(
        "enum-case.yaml",
        "/components/schemas/Kind/enum/1",
        "enum values \"USER\" and \"user\" differ only in case",
    );
}

#[test]
fn two_request_media_types() {
    assert_single(
        "two-request-media-types.yaml",
        "/paths/~1things/post/requestBody/content",
        "more than one request media type (application/json, application/x-www-form-urlencoded)",
    );
}

#[test]
fn optional_path_parameter() {
    assert_single(
        "optional-path-parameter.yaml",
        "/paths/~1things~1{thing_id}/get/parameters/0",
        "path parameter \"thing_id\" must be `required: true`",
    );
}

#[test]
fn undeclared_path_variable() {
    assert_single(
        "undeclared-path-variable.yaml",
        "/paths/~1jobs~1{job_id}/get",
        "path template variable {job_id} has no path parameter",
    );
}

#[test]
fn unknown_schema_type() {
    assert_single(
        "wrong-shape.yaml",
        "/components/schemas/Thing/properties/name/type",
        "unknown schema type \"strin\"",
    );
}

#[test]
fn not_yaml() {
    assert_single(
        "not-yaml.yaml",
        "",
        "invalid YAML: did not find expected ',' or ']' at line 3",
    );
}

#[test]
fn a_generator_panic_becomes_a_diagnostic() {
    assert_single(
        "generator-panic.yaml",
        "",
        "the generator panicked on this document: not yet implemented: unhandled not schema",
    );
}

#[test]
fn a_success_answer_without_a_schema() {
    // progenitor panicked on this one; the model now names the place.
    assert_single(
        "response-without-schema.yaml",
        "/paths/~1things/get/responses/200/content/application~1json/schema",
        "the success response schema must be a `$ref`",
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let found = diagnostics("many-problems.yaml");
    let mut pointers: Vec<_> = found.iter().map(|d| d.pointer.as_str()).collect();
    pointers.sort();
    assert_eq!(
        pointers,
        [
            "/components/schemas/Kind/enum/1",
            "/openapi",
            "/paths/~1things~1{thing_id}/get",
            "/paths/~1things~1{thing_id}/get/parameters/0",
            "/paths/~1things~1{thing_id}/get/responses/200/content/application~1json/schema/$ref",
        ]
    );
    let report = found.to_string();
    assert!(
        report.starts_with("5 problems in the OpenAPI document:\n"),
        "{report}"
    );
    assert!(
        report.contains("many-problems.yaml#/openapi: OpenAPI 3.1.0 is not supported"),
        "{report}"
    );
}

#[test]
fn every_fixture_is_tested() {
    let mut names: Vec<_> = std::fs::read_dir(broken_fixture(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    names.sort();
    let source = include_str!("broken_documents.rs");
    for name in names {
        assert!(
            source.contains(&format!("\"{name}\"")),
            "{name} has no test"
        );
    }
}

#[test]
fn a_required_name_that_is_not_a_property() {
    assert_single(
        "required-not-a-property.yaml",
        "/components/schemas/Thing/required/1",
        "\"type\" is required but is not a property: the generator would emit a field of type serde_json::Value for it",
    );
}

#[test]
fn an_example_that_does_not_match_its_schema() {
    assert_single(
        "example-mismatch.yaml",
        "/paths/~1things/get/responses/200/content/application~1json/examples/one/value",
        "the example does not match its schema at /name: \"a-name-far-too-long\" is longer than 8 characters",
    );
}

#[test]
fn an_operation_without_a_success_answer() {
    assert_single(
        "no-success-response.yaml",
        "/paths/~1things/get/responses",
        "no 2xx response",
    );
}

#[test]
fn schemas_that_would_become_serde_json_value() {
    let found = diagnostics("untyped-schemas.yaml");
    let all: Vec<_> = found
        .iter()
        .map(|d| (d.pointer.as_str(), d.reason.as_str()))
        .collect();
    assert_eq!(all.len(), 3, "{all:#?}");
    for (pointer, reason) in [
        ("/components/schemas/Thing/properties/name", "has no `type`"),
        (
            "/components/schemas/Thing/properties/tags",
            "an object without `properties`",
        ),
        (
            "/components/schemas/Thing/properties/parts",
            "an array without `items`",
        ),
    ] {
        assert!(
            all.iter().any(|(p, r)| *p == pointer
                && r.contains(reason)
                && r.contains("serde_json::Value")),
            "{pointer}: {all:#?}"
        );
    }
}

#[test]
fn extensions_that_do_not_fit_the_operation() {
    let found = diagnostics("bad-extensions.yaml");
    let all: Vec<_> = found
        .iter()
        .map(|d| (d.pointer.as_str(), d.reason.as_str()))
        .collect();
    assert_eq!(
        all,
        [
            (
                "/paths/~1v2~1{project_id}~1things/post/x-starts-job",
                "the success answer has no string property \"job\" to hold the job id"
            ),
            (
                "/paths/~1other~1{project_id}~1things/get",
                "the path must start with \"/v2/{project_id}\" like the first operation's: the parameters bound in the configuration form the client's base URL"
            ),
        ]
    );
}

#[test]
fn fleet_operations_need_a_bounded_batch_a_known_effect_and_their_own_command() {
    let found = diagnostics("bad-fleet.yaml");
    let all: Vec<_> = found
        .iter()
        .map(|d| (d.pointer.as_str(), d.reason.as_str()))
        .collect();
    assert_eq!(
        all,
        [
            (
                "/paths/~1v2~1{project_id}~1detach/post/x-fleet/effect",
                "effect \"unbind\" is not one of attach, detach, regroup"
            ),
            (
                "/paths/~1v2~1{project_id}~1unbounded/post/x-fleet",
                "the body needs exactly one array with maxItems whose items (component schemas) have the property \"desktop_id\": the batch; it has 0"
            ),
            (
                "/paths/~1v2~1{project_id}~1regroup/post/x-fleet/command",
                "the command \"attach\" is attachThings's already"
            ),
        ],
        "{all:#?}"
    );
}

#[test]
fn answer_enums_must_be_named_and_not_shared_with_requests() {
    let found = diagnostics("answer-enums.yaml");
    let all: Vec<_> = found
        .iter()
        .map(|d| (d.pointer.as_str(), d.reason.as_str()))
        .collect();
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(all[0].0, "/components/schemas/Colour");
    assert!(all[0].1.contains("both sent and received"), "{}", all[0].1);
    assert_eq!(all[1].0, "/components/schemas/Thing/properties/state");
    assert!(
        all[1]
            .1
            .contains("must be a named schema under components/schemas"),
        "{}",
        all[1].1
    );
}
