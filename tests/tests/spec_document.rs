//! The document itself: OpenAPI 3.0.x, every `$ref` resolves, every example matches its schema.

use serde_json::{json, Value};
use workspace_tests::{spec_tree, walk};

#[test]
fn document_is_openapi_3_0_and_passes_the_generator_checks() {
    let tree = spec_tree();
    let version = tree["openapi"].as_str().expect("openapi is a string");
    assert!(version.starts_with("3.0."), "openapi is {version}");
    let document = workspace_tests::document();
    let model = document.model();
    assert!(!model.operations.is_empty());
    // The project id is bound in the configuration, so it leads every path.
    assert_eq!(
        workspace_codegen::model::render_path(&model.base_path),
        "/v2/{project_id}"
    );
    // Jobs can be followed: one operation shows them, and the operations that start them
    // say in which field.
    assert_eq!(
        model
            .operations
            .iter()
            .filter(|o| o.job_query.is_some())
            .count(),
        1
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
    for operation in &workspace_tests::document().model().operations {
        let at = &operation.pointer;
        if operation.body.is_some() {
            assert!(
                checked
                    .iter()
                    .any(|c| c.starts_with(at.as_str()) && c.contains("requestBody")),
                "{} request example missing",
                operation.id
            );
        }
        assert!(
            checked
                .iter()
                .any(|c| c.starts_with(at.as_str()) && c.contains("responses")),
            "{} response example missing",
            operation.id
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
