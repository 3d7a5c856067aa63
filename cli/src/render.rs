//! `--output table`: a short view of an answer for people — its top-level values, then one
//! row per desktop (desktop, user, status, error) for each list it holds. JSON stays the
//! default, for scripts.

use serde_json::{Map, Value};

use crate::text::clean;

/// The columns, each read from the first of its candidate fields that a row has.
const COLUMNS: [(&str, &[&str]); 4] = [
    ("DESKTOP", &["entities.desktop_id", "desktop_id"]),
    ("USER", &["attach_user", "entities.user_name", "user_name"]),
    ("STATUS", &["status"]),
    ("ERROR", &["error_code", "error_msg", "fail_reason"]),
];

/// The table view of `value`: an answer, or `{"response": …, "job": …}` after `--wait`.
pub fn table(value: &Value) -> String {
    let mut out = String::new();
    match value.as_object() {
        Some(object) if object.contains_key("response") && object.contains_key("job") => {
            describe(&mut out, &object["response"], "");
            if let Some(job) = object["job"].as_object() {
                describe_object(&mut out, job, "job ");
            }
        }
        _ => describe(&mut out, value, ""),
    }
    out
}

fn describe(out: &mut String, value: &Value, prefix: &str) {
    match value {
        Value::Object(object) => describe_object(out, object, prefix),
        Value::Null => {}
        other => out.push_str(&format!("{}\n", scalar(other))),
    }
}

fn describe_object(out: &mut String, object: &Map<String, Value>, prefix: &str) {
    for (key, value) in object {
        match value {
            Value::Array(items) if items.iter().all(Value::is_object) => {}
            Value::Array(items) => {
                let joined: Vec<String> = items.iter().map(scalar).collect();
                if !joined.is_empty() {
                    out.push_str(&format!("{prefix}{key}: {}\n", clean(&joined.join(", "))));
                }
            }
            Value::Object(_) | Value::Null => {}
            other => {
                let text = scalar(other);
                if !text.is_empty() {
                    out.push_str(&format!("{prefix}{key}: {}\n", clean(&text)));
                }
            }
        }
    }
    for (key, value) in object {
        if let Value::Array(items) = value {
            if !items.is_empty() && items.iter().all(Value::is_object) {
                out.push_str(&format!("\n{prefix}{key}:\n"));
                out.push_str(&rows(items, key));
            }
        }
    }
}

fn rows(items: &[Value], list: &str) -> String {
    let mut cells: Vec<Vec<String>> = vec![COLUMNS.iter().map(|(h, _)| h.to_string()).collect()];
    for item in items {
        cells.push(
            COLUMNS
                .iter()
                .map(|(header, fields)| {
                    let found: Vec<String> = fields
                        .iter()
                        .filter_map(|field| lookup(item, field))
                        .map(scalar)
                        .filter(|v| !v.is_empty())
                        .collect();
                    match (*header, found.is_empty()) {
                        // A list of failures has no status field: its rows failed.
                        ("STATUS", true) if list.contains("fail") => "FAILED".to_string(),
                        ("ERROR", _) => clean(&found.join(" ")),
                        (_, _) => clean(found.first().map(String::as_str).unwrap_or("-")),
                    }
                })
                .map(|cell| {
                    if cell.is_empty() {
                        "-".to_string()
                    } else {
                        cell
                    }
                })
                .collect(),
        );
    }
    let widths: Vec<usize> = (0..COLUMNS.len())
        .map(|column| {
            cells
                .iter()
                .map(|row| row[column].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in cells {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// The value at a dotted path (`entities.desktop_id`).
fn lookup<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(value, |v, key| v.get(key))
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_detach_with_a_failure_and_its_job_read_as_rows() {
        let shown = table(&json!({
            "response": {"job_id": "j1", "failed_operation_list": [
                {"desktop_id": "d2", "error_code": "WKS.0104", "error_msg": "The desktop does not exist."}]},
            "job": {"id": "j1", "status": "SUCCESS", "sub_jobs": [
                {"status": "SUCCESS", "attach_user": "alice", "entities": {"desktop_id": "d1"}}]}
        }));
        assert_eq!(
            shown,
            "job_id: j1\n\
             \nfailed_operation_list:\n\
             DESKTOP  USER  STATUS  ERROR\n\
             d2       -     FAILED  WKS.0104 The desktop does not exist.\n\
             job id: j1\n\
             job status: SUCCESS\n\
             \njob sub_jobs:\n\
             DESKTOP  USER   STATUS   ERROR\n\
             d1       alice  SUCCESS  -\n"
        );
    }
}
