//! The document itself: OpenAPI 3.0.x, every `$ref` resolves, every example matches its schema.

use serde_json::{json, Value};
use workspace_tests::{spec_tree, walk};

#[test]
fn document_is_openapi_3_0_and_passes_the_generator_checks() {
    let tree = spec_tree();
    let version = tree["openapi"].as_str().expect("openapi is a string");
    assert!(version.starts_with("3.0."), "openapi is {version}");
    let document =
        workspace_codegen::load(&workspace_tests::spec_path()).unwrap_or_else(|d| panic!("{d}"));
    let operations: Vec<_> = document
        .openapi
        .operations()
        .map(|(path, method, op)| {
            (
                path.to_string(),
                method.to_string(),
                op.operation_id.clone().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        operations,
        [
            (
                "/v2/{project_id}/desktops/batch-attach".into(),
                "post".into(),
                "batchAttach".into()
            ),
            (
                "/v2/{project_id}/desktops/batch-detach".into(),
                "post".into(),
                "batchDetach".into()
            ),
            (
                "/v2/{project_id}/desktops/change-user-privilege-group".into(),
                "post".into(),
                "changeUserPrivilegeGroup".into()
            ),
            (
                "/v2/{project_id}/workspace-jobs/{job_id}".into(),
                "get".into(),
                "showJob".into()
            ),
        ]
    );
}

#[test]
fn every_ref_resolves() {
    let tree = spec_tree();
    let mut references = 0;
    walk(&tree, "", &mut |value, at| {
        if let Some(reference) = value.get("$ref").and_then(Value::as_str) {
            references += 1;
            let pointer = reference
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("{at}: non-local reference {reference}"));
            assert!(
                tree.pointer(pointer).is_some(),
                "{at}: {reference} does not resolve"
            );
        }
    });
    assert!(references > 50, "only {references} references found");
}

#[test]
fn every_example_matches_its_schema() {
    let tree = spec_tree();
    let components = strict(tree["components"].clone());
    let mut checked = Vec::new();
    walk(&tree, "", &mut |value, at| {
        let Some(schema) = value.get("schema") else {
            return;
        };
        let examples: Vec<(String, &Value)> = match (value.get("examples"), value.get("example")) {
            (Some(Value::Object(named)), _) => named
                .iter()
                .map(|(name, example)| (format!("{at}/examples/{name}"), &example["value"]))
                .collect(),
            (None, Some(example)) => vec![(format!("{at}/example"), example)],
            _ => return,
        };
        let validator = validator_for(schema, &components);
        for (example_at, example) in examples {
            let errors: Vec<String> = validator
                .iter_errors(example)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(
                errors.is_empty(),
                "{example_at} does not match its schema: {errors:#?}"
            );
            checked.push(example_at);
        }
    });
    // Every request and response body has at least one example: 3 requests, 4 responses,
    // the shared error. Counting guards against a walk that silently checks nothing.
    assert!(
        checked.len() >= 14,
        "only {} examples checked: {checked:#?}",
        checked.len()
    );
    for operation in [
        "batch-attach",
        "batch-detach",
        "change-user-privilege-group",
    ] {
        assert!(
            checked
                .iter()
                .any(|at| at.contains(operation) && at.contains("requestBody")),
            "{operation} request example missing"
        );
        assert!(
            checked
                .iter()
                .any(|at| at.contains(operation) && at.contains("responses")),
            "{operation} response example missing"
        );
    }
}

/// The validator really rejects what the pages got wrong, so the test above can fail.
#[test]
fn uncorrected_page_examples_are_rejected() {
    let tree = spec_tree();
    let components = strict(tree["components"].clone());
    let cases = [
        (
            "BatchDetachRequest",
            json!({"desktops": [{"desktop_id": "d", "is_detach_all_users": "false"}]}),
        ),
        (
            "ChangeUserPrivilegeGroupRequest",
            json!({"desktops": [{"desktop_id": "d", "attach_user_infos": [{"user_name": "u", "type": "user"}]}]}),
        ),
        (
            "BatchAttachRequest",
            json!({"users": [{"user_id": "1", "user_name": "user1"}]}),
        ),
        (
            "BatchAttachRequest",
            json!({"desktops": [{"computer_name": "ends-with-"}]}),
        ),
        (
            "BatchAttachRequest",
            json!({"assign_model": {"desktop_assign_user_num": 2}}),
        ),
    ];
    for (schema, example) in cases {
        let validator = validator_for(
            &json!({"$ref": format!("#/components/schemas/{schema}")}),
            &components,
        );
        assert!(!validator.is_valid(&example), "{schema} accepted {example}");
    }
}

fn validator_for(schema: &Value, components: &Value) -> jsonschema::Validator {
    let root = json!({"allOf": [strict(schema.clone())], "components": components});
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&root)
        .unwrap_or_else(|e| panic!("schema does not compile: {e}"))
}

/// Forbids properties a schema does not list, so a misspelled example field is caught.
fn strict(mut schema: Value) -> Value {
    fn visit(value: &mut Value) {
        match value {
            Value::Object(map) => {
                if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                    map.insert("additionalProperties".into(), Value::Bool(false));
                }
                map.values_mut().for_each(visit);
            }
            Value::Array(items) => items.iter_mut().for_each(visit),
            _ => {}
        }
    }
    visit(&mut schema);
    schema
}
