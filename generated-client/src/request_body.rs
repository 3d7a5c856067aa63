//! Request bodies from JSON, checked against the document's rules with the path of the
//! offending field (`desktops[0].computer_name`), as a CLI or a configuration file needs.
//!
//! A field the document does not know is refused, with the nearest known name: a misspelled
//! `is_clear_dat` must not be dropped silently, or the service's default (`true`) would wipe
//! the desktop's data. A key written twice in one object is refused too, naming it and its
//! line: JSON parsers keep the last one silently, so `"is_clear_data": false, …,
//! "is_clear_data": true` would send the value that wipes the data.

use std::collections::BTreeSet;
use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::error::Error;
use crate::region::edit_distance;

/// Parses a request body from JSON text. A body that breaks a rule of the document (a type,
/// a pattern, a length, a required field, an enum value, an unknown field) or that is
/// followed by anything but white space is an [`Error::InvalidRequest`] naming the field.
///
/// ```
/// use huaweicloud_workspace::{request_body, types, Error};
///
/// let error = request_body::from_json::<types::BatchAttachRequest>(
///     r#"{"desktops": [{"desktop_id": "d1", "computer_name": "ends-with-"}]}"#,
/// )
/// .unwrap_err();
/// let Error::InvalidRequest { field, .. } = error else { unreachable!() };
/// assert_eq!(field.as_deref(), Some("desktops[0].computer_name"));
///
/// let error = request_body::from_json::<types::BatchAttachRequest>(
///     r#"{"desktops": [{"desktop_id": "d1", "is_clear_dat": false}]}"#,
/// )
/// .unwrap_err();
/// assert!(error.to_string().contains("did you mean `is_clear_data`?"));
/// ```
pub fn from_json<T: DeserializeOwned>(json: &str) -> Result<T, Error> {
    from_value(parse(json)?)
}

/// Parses JSON text as it is, refusing what a plain parser would let through: a key written
/// twice in one object (named by its path, with its line and column) and text after the
/// value. For a body to edit before [`from_value`] (the CLI merges its flags into one).
///
/// ```
/// use huaweicloud_workspace::{request_body, Error};
///
/// let error = request_body::parse(
///     "{\"desktops\": [{\"desktop_id\": \"d1\",\n  \"is_clear_data\": false,\n  \"is_clear_data\": true}]}",
/// )
/// .unwrap_err();
/// let Error::InvalidRequest { field, .. } = &error else { unreachable!() };
/// assert_eq!(field.as_deref(), Some("desktops[0].is_clear_data"));
/// assert!(error.to_string().ends_with("at line 3 column 17"), "{error}");
/// ```
pub fn parse(json: &str) -> Result<Value, Error> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let value = Strict {
        path: String::new(),
    }
    .deserialize(&mut deserializer)
    .map_err(|e| {
        let message = e.to_string();
        Error::invalid(duplicated_field(&message), message)
    })?;
    deserializer
        .end()
        .map_err(|e| Error::invalid(None, format!("unexpected text after the JSON body: {e}")))?;
    Ok(value)
}

/// The largest request body file read (100 desktops of batch-attach take about 30 KiB; the
/// largest body the service takes, 1,000 desktops of a privilege change with 500 users each,
/// a few MiB).
pub const MAX_FILE_LENGTH: usize = 8 << 20;

/// Reads a request body file as [`parse`] reads text: only a regular file (a FIFO or a
/// device is refused at once, never waited on), at most [`MAX_FILE_LENGTH`] bytes. `None`
/// as the path (or `/dev/stdin`) reads standard input, within the same limit.
pub fn read(path: Option<&std::path::Path>) -> Result<Value, Error> {
    // `/dev/stdin` (and its aliases) names standard input, which is read as such.
    let path = path.filter(|p| !is_standard_input(p));
    let (bytes, source) = match path {
        Some(path) => (
            crate::local_input::read(path, MAX_FILE_LENGTH),
            path.display().to_string(),
        ),
        None => (
            crate::local_input::read_stream(std::io::stdin().lock(), MAX_FILE_LENGTH),
            "standard input".to_string(),
        ),
    };
    let bytes =
        bytes.map_err(|why| Error::invalid(None, format!("cannot read {source}: {why}")))?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| Error::invalid(None, format!("{source} is not UTF-8 text")))?;
    parse(text).map_err(|error| match error {
        Error::InvalidRequest { field, message } => {
            Error::invalid(field, format!("{source}: {message}"))
        }
        other => other,
    })
}

/// Whether `path` names this process's standard input.
fn is_standard_input(path: &std::path::Path) -> bool {
    ["/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"]
        .iter()
        .any(|name| path == std::path::Path::new(name))
}

/// [`from_json`] for a body already parsed as JSON (with [`parse`], then edited, say).
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, Error> {
    serde_path_to_error::deserialize(value).map_err(invalid)
}

fn invalid<E: std::fmt::Display>(error: serde_path_to_error::Error<E>) -> Error {
    let path = error.path().to_string();
    let field = (path != ".").then_some(path);
    let mut message = error.inner().to_string();
    if let Some(suggestion) = nearest_known_field(&message) {
        message.push_str(&format!("; did you mean `{suggestion}`?"));
    }
    let message = match &field {
        Some(field) => format!("{field}: {message}"),
        None => message,
    };
    Error::invalid(field, message)
}

/// The start of the message a duplicate key gives (its path follows, between backticks).
const DUPLICATE: &str = "duplicate key `";

/// The field a duplicate-key message names.
fn duplicated_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix(DUPLICATE)?;
    rest.split_once('`').map(|(field, _)| field.to_string())
}

/// Reads any JSON value, refusing a key written twice in one object; `path` is where the
/// value sits (`desktops[0]`), for the message.
struct Strict {
    path: String,
}

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            let path = format!("{}[{}]", self.path, items.len());
            match seq.next_element_seed(Strict { path })? {
                Some(item) => items.push(item),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        let mut seen = BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = if self.path.is_empty() {
                key.clone()
            } else {
                format!("{}.{key}", self.path)
            };
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format!(
                    "{DUPLICATE}{path}`: the same key twice in one object, where one value \
                     would silently replace the other"
                )));
            }
            let value = map.next_value_seed(Strict { path })?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// serde says ``unknown field `x`, expected one of `a`, `b` ``: the known name closest to `x`.
fn nearest_known_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (unknown, expected) = rest.split_once('`')?;
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|known| (edit_distance(unknown, known), known))
        .filter(|(distance, known)| *distance <= (known.len() / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, known)| known.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_key_twice_is_refused_at_any_depth_naming_it() {
        for (text, field) in [
            (r#"{"a": 1, "a": 2}"#, "a"),
            (
                r#"{"desktops": [{"x": 1}, {"desktop_id": "d", "desktop_id": "e"}]}"#,
                "desktops[1].desktop_id",
            ),
            (
                r#"{"desktops": [], "desktops": [{"desktop_id": "d"}]}"#,
                "desktops",
            ),
        ] {
            let error = parse(text).unwrap_err();
            let Error::InvalidRequest { field: named, .. } = &error else {
                panic!("{error:?}")
            };
            assert_eq!(named.as_deref(), Some(field), "{text}");
            assert!(error.to_string().contains("line 1 column"), "{error}");
        }
        assert_eq!(
            parse(r#"{"a": [1, {"b": null}], "c": 1.5}"#).unwrap(),
            serde_json::json!({"a": [1, {"b": null}], "c": 1.5})
        );
        assert!(parse("{} x").is_err(), "trailing text");
    }

    /// Any JSON object with a key repeated in one of its objects, at any depth.
    fn with_a_duplicate() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("null".to_string()),
            any::<bool>().prop_map(|b| b.to_string()),
            any::<i32>().prop_map(|n| n.to_string()),
            "[a-z ]{0,6}".prop_map(|s| format!("{s:?}")),
        ];
        let value = leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|v| format!("[{}]", v.join(","))),
                prop::collection::btree_map("[a-z_]{1,6}", inner, 0..4).prop_map(|m| {
                    let members: Vec<String> =
                        m.into_iter().map(|(k, v)| format!("{k:?}:{v}")).collect();
                    format!("{{{}}}", members.join(","))
                }),
            ]
        });
        // An object whose members include the same key twice, placed inside other values.
        let duplicated = (
            "[a-z_]{1,6}",
            value.clone(),
            value.clone(),
            prop::collection::btree_map("[A-Z]{1,4}", value.clone(), 0..3),
        )
            .prop_map(|(key, first, second, others)| {
                let mut members: Vec<String> = others
                    .into_iter()
                    .map(|(k, v)| format!("{k:?}:{v}"))
                    .collect();
                members.insert(0, format!("{key:?}:{first}"));
                members.push(format!("{key:?}:{second}"));
                format!("{{{}}}", members.join(","))
            });
        (duplicated, prop::collection::vec(0..3u8, 0..4)).prop_map(|(mut text, wrappers)| {
            for wrapper in wrappers {
                text = match wrapper {
                    0 => format!("[{text}]"),
                    1 => format!("{{\"desktops\":{text}}}"),
                    _ => format!("{{\"a\":1,\"b\":[true,{text}]}}"),
                };
            }
            format!("{{\"outer\":{text}}}")
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5_000))]

        #[test]
        fn any_object_with_a_repeated_key_is_refused_and_never_becomes_a_body(text in with_a_duplicate()) {
            let error = parse(&text).unwrap_err();
            prop_assert!(error.to_string().contains("duplicate key"), "{}", error);
            prop_assert!(from_json::<crate::types::BatchAttachRequest>(&text).is_err());
        }
    }

    #[test]
    fn the_nearest_known_field_is_suggested() {
        assert_eq!(
            nearest_known_field("unknown field `is_clear_dat`, expected one of `desktop_id`, `is_clear_data`, `user_name`").as_deref(),
            Some("is_clear_data")
        );
        assert_eq!(
            nearest_known_field("unknown field `zzzz`, expected one of `desktop_id`, `user_name`"),
            None
        );
        assert_eq!(nearest_known_field("invalid type: string"), None);
    }
}
