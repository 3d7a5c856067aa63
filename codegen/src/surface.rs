//! The API surface users of the generated crate compile against, one line per item:
//! operations and their parameters, types, fields with their Rust types, enum variants, the
//! document's constraints and regions.
//!
//! It is checked in beside the generated source (`generated-client/api-surface.txt`), so that
//! `cargo xtask regen` can say what a change of the document does to users (see [`crate::report`]).

use std::collections::BTreeMap;
use std::fmt;

#[cfg(feature = "format")]
use serde_json::Value;
use typify::{TypeDetails, TypeEnumVariant, TypeSpace};

use crate::model::{Location, Model};

/// Constraint keywords that decide which values a generated type accepts.
#[cfg(feature = "format")]
const CONSTRAINTS: [&str; 10] = [
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
    "format",
];

/// Every item of the surface: `kind name` → details.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Surface {
    entries: BTreeMap<String, String>,
}

impl Surface {
    /// The surface of a generated client.
    pub(crate) fn read(model: &Model, types: &TypeSpace) -> Self {
        let mut surface = Self::default();
        for operation in &model.operations {
            let id = &operation.id;
            surface.add(
                format!("operation {id}"),
                format!(
                    "{} {} -> Client::{}",
                    operation.http_method(),
                    operation.path,
                    operation.method_name()
                ),
            );
            for parameter in &operation.parameters {
                let location = match parameter.location {
                    Location::Path => "path",
                    Location::Query => "query",
                };
                surface.add(
                    format!("parameter {id}.{}", parameter.name),
                    format!("{location} {}", requirement(parameter.required)),
                );
            }
            if let Some(body) = &operation.body {
                surface.add(
                    format!("body {id}"),
                    format!("types::{} {}", body.schema, requirement(body.required)),
                );
            }
            surface.add(
                format!("answer {id}"),
                match &operation.success.schema {
                    Some(schema) => format!("{} types::{schema}", operation.success.status),
                    None => format!("{} ()", operation.success.status),
                },
            );
            if let Some(field) = &operation.starts_job {
                surface.add(format!("starts-job {id}"), field.clone());
            }
            if let Some(failures) = &operation.partial_failures {
                surface.add(format!("partial-failures {id}"), failures.list.clone());
            }
            if let Some(pages) = &operation.pagination {
                surface.add(
                    format!("pagination {id}"),
                    format!("{} of {}", pages.items, pages.item_schema),
                );
            }
            if let Some(fleet) = &operation.fleet {
                surface.add(
                    format!("fleet {id}"),
                    format!(
                        "bulk {} ({}, by {})",
                        fleet.command, fleet.effect, fleet.key
                    ),
                );
            }
        }
        for (schema, direction) in &model.directions {
            surface.add(
                format!("used-in {}", crate::names::pascal(schema)),
                direction.to_string(),
            );
        }
        for open in &model.open_enums {
            let name = crate::names::pascal(&open.schema);
            surface.add(format!("type {name}"), "open enum".into());
            for value in &open.values {
                surface.add(
                    format!("variant {name}::{}", crate::names::pascal(value)),
                    "unit".into(),
                );
            }
        }
        for region in model.regions.iter().flat_map(|r| &r.values) {
            surface.add(format!("region {region}"), String::new());
        }
        for item in types.iter_types() {
            let name = item.name();
            match item.details() {
                TypeDetails::Struct(details) => {
                    surface.add(format!("type {name}"), "struct".into());
                    for property in details.properties_info() {
                        let rust = types
                            .get_type(&property.type_id)
                            .map(|t| rust_type(&t.ident().to_string()))
                            .unwrap_or_default();
                        surface.add(
                            format!("field {name}.{}", property.name),
                            format!("{rust} {}", requirement(property.required)),
                        );
                    }
                }
                TypeDetails::Enum(details) => {
                    surface.add(format!("type {name}"), "enum".into());
                    for variant in details.variants_info() {
                        let shape = match variant.details {
                            TypeEnumVariant::Simple => "unit",
                            TypeEnumVariant::Tuple(_) => "tuple",
                            TypeEnumVariant::Struct(_) => "struct",
                        };
                        surface.add(format!("variant {name}::{}", variant.name), shape.into());
                    }
                }
                TypeDetails::Newtype(details) => {
                    let inner = types
                        .get_type(&details.inner())
                        .map(|t| rust_type(&t.ident().to_string()))
                        .unwrap_or_default();
                    surface.add(format!("type {name}"), format!("newtype of {inner}"));
                }
                _ => {}
            }
        }
        surface
    }

    /// Adds what the document says beyond the Rust types: its version; each operation's
    /// statuses, security, deprecation and sunset date; and, wherever a schema is written,
    /// every keyword of [`CONSTRAINTS`], defaults, deprecations and `x-required-when` rules,
    /// each named by where it is written.
    #[cfg(feature = "format")]
    pub(crate) fn add_document_facts(&mut self, tree: &Value) {
        if let Some(version) = tree.pointer("/info/version").and_then(Value::as_str) {
            self.add("info version".into(), version.to_string());
        }
        self.add("info digest".into(), digest(tree));
        let global_security = tree.get("security");
        for item in tree
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|p| p.values())
        {
            for operation in item.as_object().into_iter().flat_map(|o| o.values()) {
                let Some(id) = operation.get("operationId").and_then(Value::as_str) else {
                    continue;
                };
                let statuses: Vec<&String> = operation
                    .get("responses")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flat_map(|r| r.keys())
                    .collect();
                let statuses: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
                self.add(format!("statuses {id}"), statuses.join(" "));
                if let Some(security) = operation.get("security").or(global_security) {
                    self.add(format!("security {id}"), security_text(security));
                }
                if operation.get("deprecated") == Some(&Value::Bool(true)) {
                    self.add(format!("deprecated operation {id}"), String::new());
                }
                if let Some(date) = operation.get("x-sunset").and_then(Value::as_str) {
                    self.add(format!("sunset {id}"), date.to_string());
                }
            }
        }
        crate::tree::walk(tree, "", &mut |value, at| {
            let Some(object) = value.as_object() else {
                return;
            };
            let in_schemas = at.starts_with("/components/schemas/")
                || (at.starts_with("/components/parameters/") || at.starts_with("/paths/"))
                    && at.ends_with("/schema");
            if !in_schemas || at.contains("/examples/") || at.contains("/example/") {
                return;
            }
            let text = |value: &Value| match value {
                Value::String(s) => format!("{s:?}"),
                other => other.to_string(),
            };
            for keyword in CONSTRAINTS {
                if let Some(limit) = object.get(keyword) {
                    self.add(format!("constraint {at} {keyword}"), text(limit));
                }
            }
            if let Some(default) = object.get("default") {
                self.add(format!("default {at}"), text(default));
            }
            if object.get("deprecated") == Some(&Value::Bool(true)) {
                self.add(format!("deprecated {at}"), String::new());
            }
            if let Some(rules) = object.get("x-required-when") {
                self.add(format!("required-when {at}"), rules.to_string());
            }
        });
    }

    fn add(&mut self, key: String, value: String) {
        self.entries.insert(key, value);
    }

    /// The entries, sorted by key.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The value of one entry.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries.get(key).map(String::as_str)
    }

    /// Reads the text [`Display`](fmt::Display) writes.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut entries = BTreeMap::new();
        for (number, line) in text.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, value) = line
                .split_once(" = ")
                .or_else(|| line.strip_suffix(" =").map(|k| (k, "")))
                .ok_or_else(|| format!("line {}: expected `kind name = value`", number + 1))?;
            entries.insert(key.to_string(), value.to_string());
        }
        Ok(Self { entries })
    }
}

impl fmt::Display for Surface {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "# The API surface of huaweicloud-workspace, written by `cargo xtask regen`. Do not edit."
        )?;
        for (key, value) in &self.entries {
            if value.is_empty() {
                writeln!(f, "{key} =")?;
            } else {
                writeln!(f, "{key} = {value}")?;
            }
        }
        Ok(())
    }
}

/// An operation's security requirements, one alternative per `|`: `akSkSignature | iamToken`.
#[cfg(feature = "format")]
fn security_text(security: &Value) -> String {
    let alternatives: Vec<String> = security
        .as_array()
        .into_iter()
        .flatten()
        .map(|requirement| {
            let names: Vec<&str> = requirement
                .as_object()
                .into_iter()
                .flat_map(|o| o.keys().map(String::as_str))
                .collect();
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(" + ")
            }
        })
        .collect();
    alternatives.join(" | ")
}

fn requirement(required: bool) -> &'static str {
    if required {
        "required"
    } else {
        "optional"
    }
}

/// A Rust type as tokens print it, made readable: no spaces, no `::std::…::` paths.
fn rust_type(tokens: &str) -> String {
    let compact: String = tokens.split_whitespace().collect();
    [
        "::std::option::",
        "::std::string::",
        "::std::vec::",
        "::std::collections::",
        "::std::boxed::",
        "::serde_json::",
    ]
    .iter()
    .fold(compact, |text, prefix| text.replace(prefix, ""))
}

/// A digest of the document's content (its JSON tree with keys in sorted order, so layout,
/// comments and key order do not count): how the change report tells a change of the
/// document from a change of the generator. FNV-1a, 64 bits, written here so that it never
/// changes with a toolchain, a crate or a crate's features.
#[cfg(feature = "format")]
fn digest(tree: &Value) -> String {
    fn canonical(value: &Value, out: &mut String) {
        match value {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                out.push('{');
                for key in keys {
                    out.push_str(&Value::String(key.clone()).to_string());
                    out.push(':');
                    canonical(&map[key.as_str()], out);
                    out.push(',');
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for item in items {
                    canonical(item, out);
                    out.push(',');
                }
                out.push(']');
            }
            scalar => out.push_str(&scalar.to_string()),
        }
    }
    let mut text = String::new();
    canonical(tree, &mut text);
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{hash:016x}")
}
