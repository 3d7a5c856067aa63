//! Request bodies from JSON, checked against the document's rules with the path of the
//! offending field (`desktops[0].computer_name`), as a CLI or a configuration file needs.
//!
//! A field the document does not know is refused, with the nearest known name: a misspelled
//! `is_clear_dat` must not be dropped silently, or the service's default (`true`) would wipe
//! the desktop's data.

use serde::de::DeserializeOwned;

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
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(invalid)?;
    deserializer
        .end()
        .map_err(|e| Error::invalid(None, format!("unexpected text after the JSON body: {e}")))?;
    Ok(value)
}

/// [`from_json`] for a body already parsed as JSON (after editing it, say).
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
