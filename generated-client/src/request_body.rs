//! Request bodies from JSON, checked against the document's rules with the path of the
//! offending field (`desktops[0].computer_name`), as a CLI or a config file needs.

use serde::de::DeserializeOwned;

use crate::error::Error;

/// Parses a request body from JSON text. A body that breaks a rule of the document (a type,
/// a pattern, a length, a required field, an enum value) is an [`Error::InvalidRequest`]
/// naming the field by its path.
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
/// ```
pub fn from_json<T: DeserializeOwned>(json: &str) -> Result<T, Error> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let field = (path != ".").then_some(path);
        let message = match &field {
            Some(field) => format!("{field}: {}", error.inner()),
            None => error.inner().to_string(),
        };
        Error::InvalidRequest { field, message }
    })
}
