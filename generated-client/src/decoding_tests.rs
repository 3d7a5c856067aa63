//! Decoding answers never panics, whatever the service sends: a property test over bodies
//! shaped like the document's answers, with values replaced by anything JSON can hold
//! (`null` included, which Huawei services send for absent fields), and over raw bytes.

use proptest::prelude::*;
use serde_json::{json, Value};

use crate::operation::decode;
use crate::types;

/// Any JSON value, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "[a-zA-Z0-9 _-]{0,12}".prop_map(Value::String),
        Just(json!("SUCCESS")),
        Just(json!("FAILED")),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,10}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A job as the service sends it.
fn job() -> Value {
    json!({"id": "j", "job_type": "T", "begin_time": "t", "end_time": "t", "status": "RUNNING",
           "job_error_code": "E", "fail_reason": "r", "sub_jobs_total": 1,
           "sub_jobs": [{"id": "s", "status": "SUCCESS", "process": 50, "attach_user": "u",
                         "entities": {"desktop_id": "d", "user_name": "u"}}]})
}

/// Replaces the value visited `target`-th (depth first, modulo their number) with `with`.
fn replace(body: &mut Value, target: usize, with: Value) {
    fn count(value: &Value) -> usize {
        1 + match value {
            Value::Object(map) => map.values().map(count).sum(),
            Value::Array(items) => items.iter().map(count).sum(),
            _ => 0,
        }
    }
    fn visit(value: &mut Value, target: &mut usize, with: &mut Option<Value>) {
        if *target == 0 {
            if let Some(with) = with.take() {
                *value = with;
            }
            return;
        }
        *target -= 1;
        match value {
            Value::Object(map) => map.values_mut().for_each(|v| visit(v, target, with)),
            Value::Array(items) => items.iter_mut().for_each(|v| visit(v, target, with)),
            _ => {}
        }
    }
    let mut target = target % count(body);
    visit(body, &mut target, &mut Some(with));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20_000, .. ProptestConfig::default() })]

    #[test]
    fn jobs_shaped_like_the_document_never_panic(
        changes in prop::collection::vec((any::<usize>(), any_json()), 1..4)
    ) {
        let mut body = job();
        for (target, with) in changes {
            replace(&mut body, target, with);
        }
        let bytes = serde_json::to_vec(&body).unwrap();
        let _ = decode::<types::ShowJobResponse>(&bytes);
        let _ = decode::<types::BatchDetachResponse>(&bytes);
    }

    #[test]
    fn any_json_never_panics(body in any_json()) {
        let bytes = serde_json::to_vec(&body).unwrap();
        let _ = decode::<types::ShowJobResponse>(&bytes);
        let _ = decode::<types::BatchAttachResponse>(&bytes);
    }

    #[test]
    fn any_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = decode::<types::ShowJobResponse>(&bytes);
    }
}

#[test]
fn a_null_anywhere_optional_decodes_as_absent() {
    let mut body = job();
    body["sub_jobs"] = Value::Null;
    body["end_time"] = Value::Null;
    let job = decode::<types::ShowJobResponse>(body.to_string().as_bytes()).unwrap();
    assert!(job.sub_jobs.is_empty());
    assert_eq!(job.end_time, None);
    let nested = json!({"id": "j", "sub_jobs": [{"id": "s", "entities": null, "status": null}]});
    let job = decode::<types::ShowJobResponse>(nested.to_string().as_bytes()).unwrap();
    assert_eq!(job.sub_jobs[0].entities, None);
}
