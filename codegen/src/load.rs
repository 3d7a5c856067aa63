//! Reading an OpenAPI document from disk: YAML or JSON by extension, into both a raw
//! JSON tree (for checks that report JSON pointers) and typed `openapiv3` structures.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::diagnostics::Diagnostics;
use crate::pointer;

/// A parsed document, not yet checked.
#[derive(Debug, Clone)]
pub struct RawDocument {
    /// Where it was read from (used in every diagnostic).
    pub path: PathBuf,
    /// The document as a JSON tree.
    pub value: Value,
}

/// Reads and parses `path`. The extension chooses the parser: `.yaml`/`.yml` or `.json`.
pub fn read(path: &Path) -> Result<RawDocument, Diagnostics> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| Diagnostics::one(path, "", format!("cannot read the file: {error}")))?;
    parse(path, &text)
}

/// Parses `text` as the document at `path` (the extension chooses the parser).
pub fn parse(path: &Path, text: &str) -> Result<RawDocument, Diagnostics> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let value = match extension.as_deref() {
        Some("yaml" | "yml") => {
            let yaml: serde_norway::Value = serde_norway::from_str(text)
                .map_err(|error| Diagnostics::one(path, "", format!("invalid YAML: {error}")))?;
            yaml_to_json(path, yaml, "")?
        }
        Some("json") => serde_json::from_str(text)
            .map_err(|error| Diagnostics::one(path, "", format!("invalid JSON: {error}")))?,
        _ => {
            return Err(Diagnostics::one(
                path,
                "",
                "unknown file type: the name must end in .yaml, .yml or .json",
            ))
        }
    };
    Ok(RawDocument {
        path: path.to_path_buf(),
        value,
    })
}

/// Converts a YAML tree to JSON. Scalar mapping keys become strings (`200:` → `"200"`),
/// as an OpenAPI reader expects; other keys and non-finite numbers are reported.
fn yaml_to_json(path: &Path, yaml: serde_norway::Value, at: &str) -> Result<Value, Diagnostics> {
    use serde_norway::Value as Yaml;
    Ok(match yaml {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
                    .ok_or_else(|| Diagnostics::one(path, at, "a number JSON cannot represent"))?
            }
        }
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| yaml_to_json(path, item, &pointer::join(at, &i.to_string())))
                .collect::<Result<_, _>>()?,
        ),
        Yaml::Mapping(map) => {
            let mut object = serde_json::Map::with_capacity(map.len());
            for (key, value) in map {
                let key = match key {
                    Yaml::String(s) => s,
                    Yaml::Number(n) => n.to_string(),
                    Yaml::Bool(b) => b.to_string(),
                    other => {
                        return Err(Diagnostics::one(
                            path,
                            at,
                            format!("mapping key {other:?} is not a string"),
                        ))
                    }
                };
                let child = yaml_to_json(path, value, &pointer::join(at, &key))?;
                object.insert(key, child);
            }
            Value::Object(object)
        }
        Yaml::Tagged(tagged) => yaml_to_json(path, tagged.value, at)?,
    })
}

/// Deserializes the checked tree into `openapiv3` types; a shape error names its pointer.
pub fn to_openapi(document: &RawDocument) -> Result<openapiv3::OpenAPI, Diagnostics> {
    serde_path_to_error::deserialize(&document.value).map_err(|error| {
        let mut at = String::new();
        for segment in error.path().iter() {
            use serde_path_to_error::Segment;
            match segment {
                Segment::Seq { index } => at = pointer::join(&at, &index.to_string()),
                Segment::Map { key } => at = pointer::join(&at, key),
                Segment::Enum { variant } => at = pointer::join(&at, variant),
                Segment::Unknown => {}
            }
        }
        Diagnostics::one(
            &document.path,
            at,
            format!("not a valid OpenAPI 3.0 object: {}", error.inner()),
        )
    })
}
