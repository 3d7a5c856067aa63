//! The operations as this crate's generators see them, read once from the checked document.
//!
//! The client's operations layer, the CLI and the API surface are all built from this model,
//! so that per-operation knowledge lives in the document only. The `x-` extensions it reads:
//!
//! | extension | where | meaning |
//! |---|---|---|
//! | `x-bound-in-config: true` | a path parameter | the client's configuration supplies it (the project id) |
//! | `x-starts-job: FIELD` | an operation | its answer names a job in `FIELD` (empty: none started) |
//! | `x-job-query: PARAM` | one operation | it shows the job whose id is path parameter `PARAM` |
//! | `x-partial-failures: {list, id, code, message}` | an operation | its answer lists the items it failed on |
//! | `x-required-when: [{property, in, requires}]` | an object schema | `requires` are needed when `property` takes a value `in` the list |
//! | `x-pagination: {offset, limit, items, total, page}` | a list operation | its offset and limit query parameters, the answer's list and total, and the page size asked for when the caller sets none |
//! | `x-fleet: {command, effect, key}` | a batch operation | a fleet run drives it: `bulk <command>`; `effect` is what it does to a desktop's users (`attach`, `detach`, `regroup`); `key` the item property naming the desktop. The batch (the body's one array with `maxItems` whose items have `key`) and its limit come from the body |
//!
//! | `x-extensible-enum: [VALUES]` | an answer's enum schema | the values known so far (an answer enum is open either way, see [`crate::directions`]) |
//! | `x-sunset: YYYY-MM-DD` | a deprecated operation | when it may be removed; the change report says loudly if it goes earlier |
//!
//! The request bounds of the document (`minItems`/`maxItems`, `minimum`/`maximum`, and
//! `minLength`/`maxLength` of plain text) are read here too: the operations layer checks them
//! before sending, where the generated types would not (see [`Bounds`]).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::diagnostics::Diagnostics;
use crate::directions::{self, Direction, OpenEnum};
use crate::load::RawDocument;
use crate::names;
use crate::pointer::{follow, join};

/// HTTP methods an OpenAPI path item can hold, in the order the document is read.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The keywords that bound a value: lengths, counts, ranges and patterns.
pub const BOUND_KEYWORDS: [&str; 10] = [
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "uniqueItems",
];

/// Path parameters the client's configuration can supply (`x-bound-in-config`).
pub const CONFIG_VALUES: [&str; 1] = ["project_id"];

/// Everything the generators need, in document order.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The path prefix every operation shares, up to its last bound parameter (`/v2/{project_id}`).
    pub base_path: Vec<Segment>,
    /// Every operation of the document, in document order.
    pub operations: Vec<Operation>,
    /// The regional endpoints of `servers[0]`, when it has a `region` variable.
    pub regions: Option<Regions>,
    /// Which way each component schema the operations reach travels.
    pub directions: BTreeMap<String, Direction>,
    /// The enums answers carry, generated open.
    pub open_enums: Vec<OpenEnum>,
}

/// One segment of the shared path prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Literal text.
    Literal(String),
    /// A parameter the configuration supplies.
    Bound(String),
}

/// One operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// `operationId`.
    pub id: String,
    /// Lower-case HTTP method.
    pub method: String,
    /// The path template as the document writes it.
    pub path: String,
    /// The path template after the shared prefix (what the client appends to its base URL).
    pub relative_path: String,
    /// JSON pointer of the operation object.
    pub pointer: String,
    /// One-line summary.
    pub summary: Option<String>,
    /// Longer description.
    pub description: Option<String>,
    /// Path and query parameters, bound ones excluded.
    pub parameters: Vec<Parameter>,
    /// The JSON request body.
    pub body: Option<Body>,
    /// The documented success answer.
    pub success: Success,
    /// `x-starts-job`: the answer's field naming the job started.
    pub starts_job: Option<String>,
    /// `x-job-query`: the path parameter naming the job shown.
    pub job_query: Option<String>,
    /// `x-partial-failures`.
    pub partial_failures: Option<PartialFailures>,
    /// `x-pagination`.
    pub pagination: Option<Pagination>,
    /// `x-fleet`.
    pub fleet: Option<Fleet>,
}

/// `x-fleet`: how a fleet run drives a batch operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fleet {
    /// The subcommand of `bulk` (`attach`).
    pub command: String,
    /// What the operation does to a desktop's users: `attach`, `detach` or `regroup`.
    pub effect: String,
    /// The body's array property holding the batch (`desktops`).
    pub items: String,
    /// Its `maxItems`: the most items one call takes.
    pub max_items: u64,
    /// The component schema of an item.
    pub item_schema: String,
    /// The item property naming the desktop (`desktop_id`).
    pub key: String,
    /// The item's fields, as a row of a rows file gives them.
    pub fields: Vec<ItemField>,
}

/// A field of a batch item, as a column of a rows file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemField {
    /// The property's name.
    pub name: String,
    /// `string`, `boolean` or `integer`; for an array of objects, `array`.
    pub kind: String,
    /// For an array of objects, its items' scalar fields (a column `name.field` fills one item).
    pub nested: Vec<ItemField>,
}

/// What `x-fleet`'s `effect` may be.
pub const FLEET_EFFECTS: [&str; 3] = ["attach", "detach", "regroup"];

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// A path segment.
    Path,
    /// The query string.
    Query,
}

/// A path or query parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Its name in the document.
    pub name: String,
    /// Path or query.
    pub location: Location,
    /// Whether it must be given.
    pub required: bool,
    /// What it is.
    pub description: Option<String>,
    /// Text, integer or boolean.
    pub kind: ValueKind,
    /// Its enumerated values (text only), if it has any.
    pub values: Vec<String>,
    /// The values it accepts.
    pub bounds: Bounds,
}

/// What a parameter holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// `type: string`.
    Text,
    /// `type: integer`.
    Integer,
    /// `type: boolean`.
    Boolean,
}

/// The bounds a request value must keep (absent: none). The generated types check a
/// `pattern` (typify makes a validating type of a patterned text); these they do not, so the
/// operations layer checks them before sending.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bounds {
    /// `minLength`, in characters.
    pub min_length: Option<u64>,
    /// `maxLength`, in characters.
    pub max_length: Option<u64>,
    /// `minItems`.
    pub min_items: Option<u64>,
    /// `maxItems`.
    pub max_items: Option<u64>,
    /// `minimum`.
    pub minimum: Option<i64>,
    /// `maximum`.
    pub maximum: Option<i64>,
}

impl Bounds {
    /// Whether there is anything to check.
    pub fn is_empty(&self) -> bool {
        *self == Bounds::default()
    }
}

/// A JSON request body.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// The component schema it references.
    pub schema: String,
    /// Whether the operation needs one.
    pub required: bool,
    /// Its top-level scalar properties (the CLI offers each as a flag).
    pub scalar_fields: Vec<ScalarField>,
    /// Where, inside the body, a schema has `x-required-when` rules or bounded properties.
    pub sites: Vec<CheckSite>,
}

/// A scalar property of a body's top level.
#[derive(Debug, Clone, PartialEq)]
pub struct ScalarField {
    /// Its name in the document.
    pub name: String,
    /// `string`, `boolean`, `integer` or `number`.
    pub kind: String,
    /// Its enumerated values, if it has any.
    pub values: Vec<String>,
    /// What it is.
    pub description: Option<String>,
}

/// An object schema of the body with something to check before sending, and the path leading
/// to it from the body.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckSite {
    /// The steps from the body to the schema.
    pub path: Vec<Step>,
    /// The schema's `x-required-when` rules.
    pub rules: Vec<RequiredWhen>,
    /// Its properties that have bounds to keep.
    pub bounds: Vec<FieldBounds>,
}

/// A property and its bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldBounds {
    /// The property's name in the document.
    pub property: String,
    /// Its bounds.
    pub bounds: Bounds,
}

/// One step into a body: a property, and how the generated type holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The property's name in the document.
    pub property: String,
    /// An array: every item is visited.
    pub array: bool,
    /// Optional (and not an array): an `Option`.
    pub optional: bool,
}

/// `requires` must be present when `property` is one of `values`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredWhen {
    /// The property whose value decides.
    pub property: String,
    /// The values that make `requires` necessary.
    pub values: Vec<String>,
    /// The properties then required.
    pub requires: Vec<String>,
}

/// The documented success answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Success {
    /// Its status code.
    pub status: u16,
    /// The component schema of its JSON body (`None`: no body).
    pub schema: Option<String>,
}

/// `x-partial-failures`: which list of the answer holds the failed items, and their fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialFailures {
    /// The array property listing failures.
    pub list: String,
    /// The item property naming what failed (a desktop id).
    pub id: String,
    /// The item property with the error code.
    pub code: String,
    /// The item property with the message.
    pub message: String,
}

/// `x-pagination`: how a list operation pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pagination {
    /// The integer query parameter with the index of a page's first item.
    pub offset: String,
    /// The integer query parameter with the page size.
    pub limit: String,
    /// The answer's array property holding a page's items.
    pub items: String,
    /// The component schema of an item.
    pub item_schema: String,
    /// The answer's integer property with the number of items over every page.
    pub total: String,
    /// The page size asked for when the caller sets none.
    pub page: u64,
}

/// Regional endpoints: `servers[0].url` with its `region` variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Regions {
    /// The URL template, e.g. `https://workspace.{region}.myhuaweicloud.com`.
    pub url: String,
    /// The default region.
    pub default: Option<String>,
    /// Every region listed.
    pub values: Vec<String>,
}

impl Operation {
    /// The Rust name of the client method and of progenitor's builder method.
    pub fn method_name(&self) -> String {
        names::snake(&self.id)
    }

    /// The Rust name of the operation's builder types.
    pub fn type_name(&self) -> String {
        names::pascal(&self.id)
    }

    /// The CLI subcommand.
    pub fn subcommand(&self) -> String {
        names::kebab(&self.id)
    }

    /// Upper-case HTTP method.
    pub fn http_method(&self) -> String {
        self.method.to_ascii_uppercase()
    }
}

/// Reads the model from a document that passed the structural checks; every problem found
/// in the extensions is reported.
pub fn read(document: &RawDocument) -> Result<Model, Diagnostics> {
    let mut reader = Reader {
        document,
        diagnostics: Diagnostics::default(),
    };
    let model = reader.model();
    reader.diagnostics.into_result(model)
}

struct Reader<'a> {
    document: &'a RawDocument,
    diagnostics: Diagnostics,
}

/// A parameter as declared, before the bound ones are set apart.
struct Declared {
    parameter: Parameter,
    bound: bool,
}

impl<'a> Reader<'a> {
    fn root(&self) -> &'a Value {
        &self.document.value
    }

    /// The `properties` of the object schema at `schema_pointer`, if it has any.
    fn properties_at(&self, schema_pointer: &str) -> Option<&'a serde_json::Map<String, Value>> {
        self.root()
            .pointer(schema_pointer)?
            .get("properties")?
            .as_object()
    }

    fn report(&mut self, at: impl Into<String>, reason: impl Into<String>) {
        self.diagnostics.push(&self.document.path, at, reason);
    }

    /// `value` with `$ref`s followed, and the pointer it lives at.
    fn resolve(&self, value: &'a Value, at: &str) -> (&'a Value, String) {
        follow(self.root(), value, at).unwrap_or((value, at.to_string()))
    }

    fn model(&mut self) -> Model {
        let mut operations = Vec::new();
        let mut prefixes: Vec<(String, Vec<Segment>)> = Vec::new();
        if let Some(paths) = self.root().get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                let item_at = join("/paths", path);
                let (item, _) = self.resolve(item, &item_at);
                for method in METHODS {
                    let Some(operation) = item.get(method) else {
                        continue;
                    };
                    let at = join(&item_at, method);
                    if let Some((operation, prefix)) =
                        self.operation(path, method, item, operation, &at)
                    {
                        prefixes.push((at, prefix));
                        operations.push(operation);
                    }
                }
            }
        }
        let base_path = self.common_prefix(&prefixes);
        let prefix_len = render_path(&base_path).len();
        for operation in &mut operations {
            operation.relative_path = operation.path[prefix_len..].to_string();
        }
        self.job_extensions_agree(&operations);
        self.fleet_commands_differ(&operations);
        let directions = directions::of_document(self.root());
        let open_enums = self.open_enums(&directions);
        Model {
            base_path,
            operations,
            regions: self.regions(),
            directions,
            open_enums,
        }
    }

    /// The enums answers carry. One that requests carry too must be split in two (a request
    /// enum refuses what the document does not list, an answer enum keeps it); one written
    /// inline in an answer must be named, so that its type can be generated open.
    fn open_enums(&mut self, directions: &BTreeMap<String, Direction>) -> Vec<OpenEnum> {
        let mut open = Vec::new();
        for (name, direction) in directions {
            let at = join("/components/schemas", name);
            let Some(schema) = self.root().pointer(&at) else {
                continue;
            };
            if direction.in_answers() {
                for inline in directions::inline_enums(schema, &at) {
                    self.report(
                        inline,
                        "an enum inside an answer must be a named schema under \
                         components/schemas (referenced with $ref), so that its type is \
                         generated open: a value the service adds later must still decode",
                    );
                }
            }
            let Some(values) = directions::listed_values(schema) else {
                continue;
            };
            match direction {
                Direction::Request => continue,
                Direction::Both => {
                    self.report(
                        at,
                        "this enum is both sent and received: split it into two schemas, \
                         one for requests (closed: a value the document does not list is \
                         refused) and one for answers (open: a value the service adds is kept)",
                    );
                    continue;
                }
                Direction::Answer => {}
            }
            if schema.get("type").and_then(Value::as_str) != Some("string") {
                self.report(at, "an answer enum must be `type: string`");
                continue;
            }
            let mut variants = BTreeMap::new();
            for value in &values {
                let variant = names::pascal(value);
                if variant.is_empty() || variant == directions::UNKNOWN_VARIANT {
                    self.report(
                        &at,
                        format!(
                            "the value {value:?} has no variant name of its own (`{}` keeps \
                             values the document does not list)",
                            directions::UNKNOWN_VARIANT
                        ),
                    );
                } else if let Some(other) = variants
                    .insert(variant.clone(), value)
                    // Values that differ only in case are reported by the checks already.
                    .filter(|other| !other.eq_ignore_ascii_case(value))
                {
                    self.report(
                        &at,
                        format!(
                            "the values {other:?} and {value:?} both name the variant `{variant}`"
                        ),
                    );
                }
            }
            open.push(OpenEnum {
                schema: name.clone(),
                description: schema
                    .get("description")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                values,
            });
        }
        open
    }

    /// Every operation must start with the same prefix holding the bound parameters.
    fn common_prefix(&mut self, prefixes: &[(String, Vec<Segment>)]) -> Vec<Segment> {
        let Some((_, first)) = prefixes.first() else {
            return Vec::new();
        };
        for (at, prefix) in &prefixes[1..] {
            if prefix != first {
                self.report(
                    at.clone(),
                    format!(
                        "the path must start with {:?} like the first operation's: the \
                         parameters bound in the configuration form the client's base URL",
                        render_path(first)
                    ),
                );
            }
        }
        first.clone()
    }

    fn operation(
        &mut self,
        path: &str,
        method: &str,
        item: &'a Value,
        operation: &'a Value,
        at: &str,
    ) -> Option<(Operation, Vec<Segment>)> {
        let id = operation.get("operationId")?.as_str()?.to_string();
        let text = |key: &str| {
            operation
                .get(key)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let mut declared = self.parameters(item, &join_item_at(at), "parameters");
        declared.extend(self.parameters(operation, at, "parameters"));
        let bound: BTreeSet<String> = declared
            .iter()
            .filter(|d| d.bound)
            .map(|d| d.parameter.name.clone())
            .collect();
        let prefix = self.prefix(path, &bound, at);
        let parameters: Vec<Parameter> = declared
            .into_iter()
            .filter(|d| !d.bound)
            .map(|d| d.parameter)
            .collect();
        let body = self.body(operation, at);
        let success = self.success(operation, at)?;
        let starts_job = self.starts_job(operation, &success, at);
        let job_query = self.job_query(operation, &parameters, at);
        let partial_failures = self.partial_failures(operation, &success, at);
        let pagination = self.pagination(operation, &parameters, &success, at);
        let fleet = self.fleet(operation, body.as_ref(), starts_job.is_some(), at);
        Some((
            Operation {
                id,
                method: method.to_string(),
                path: path.to_string(),
                relative_path: String::new(),
                pointer: at.to_string(),
                summary: text("summary"),
                description: text("description"),
                parameters,
                body,
                success,
                starts_job,
                job_query,
                partial_failures,
                pagination,
                fleet,
            },
            prefix,
        ))
    }

    /// The segments of `path` up to its last bound parameter.
    fn prefix(&mut self, path: &str, bound: &BTreeSet<String>, at: &str) -> Vec<Segment> {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let last_bound = segments
            .iter()
            .rposition(|s| parameter_of(s).is_some_and(|name| bound.contains(name)));
        let Some(last) = last_bound else {
            if let Some(name) = bound.iter().next() {
                self.report(
                    at,
                    format!("bound parameter {name:?} does not appear in the path"),
                );
            }
            return Vec::new();
        };
        segments[..=last]
            .iter()
            .map(|segment| match parameter_of(segment) {
                Some(name) if bound.contains(name) => Segment::Bound(name.to_string()),
                Some(name) => {
                    self.report(
                        at,
                        format!(
                            "path parameter {name:?} comes before a parameter bound in the \
                             configuration: the bound ones must lead the path"
                        ),
                    );
                    Segment::Literal((*segment).to_string())
                }
                None => Segment::Literal((*segment).to_string()),
            })
            .collect()
    }

    fn parameters(&mut self, owner: &'a Value, owner_at: &str, key: &str) -> Vec<Declared> {
        let Some(list) = owner.get(key).and_then(Value::as_array) else {
            return Vec::new();
        };
        let mut found = Vec::new();
        for (index, parameter) in list.iter().enumerate() {
            let parameter_at = join(&join(owner_at, key), &index.to_string());
            let (parameter, parameter_at) = self.resolve(parameter, &parameter_at);
            let name = parameter.get("name").and_then(Value::as_str).unwrap_or("");
            let location = match parameter.get("in").and_then(Value::as_str) {
                Some("path") => Location::Path,
                Some("query") => Location::Query,
                Some(other) => {
                    self.report(
                        join(&parameter_at, "in"),
                        format!("{other} parameters are not supported: use path or query"),
                    );
                    continue;
                }
                None => continue,
            };
            let schema = parameter
                .get("schema")
                .map(|s| self.resolve(s, &join(&parameter_at, "schema")).0)
                .unwrap_or(&Value::Null);
            let kind = match schema.get("type").and_then(Value::as_str) {
                Some("string") => ValueKind::Text,
                Some("integer") => ValueKind::Integer,
                Some("boolean") => ValueKind::Boolean,
                _ => {
                    self.report(
                        join(&parameter_at, "schema"),
                        format!("parameter {name:?} must be a string, an integer or a boolean: the client checks and encodes path and query values as one value each"),
                    );
                    ValueKind::Text
                }
            };
            if kind != ValueKind::Text && location == Location::Path {
                self.report(
                    join(&parameter_at, "schema"),
                    format!("path parameter {name:?} must be a string"),
                );
            }
            let bound = parameter.get("x-bound-in-config") == Some(&Value::Bool(true));
            if bound && location != Location::Path {
                self.report(
                    join(&parameter_at, "x-bound-in-config"),
                    "only path parameters can be bound in the configuration",
                );
            }
            if bound && !CONFIG_VALUES.contains(&name) {
                self.report(
                    join(&parameter_at, "x-bound-in-config"),
                    format!(
                        "the client's configuration has no value for {name:?}; it supplies {}",
                        CONFIG_VALUES.join(", ")
                    ),
                );
            }
            found.push(Declared {
                parameter: Parameter {
                    name: name.to_string(),
                    location,
                    required: parameter.get("required") == Some(&Value::Bool(true)),
                    description: parameter
                        .get("description")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    kind,
                    values: enum_values(schema),
                    bounds: bounds_of(self.root(), schema),
                },
                bound,
            });
        }
        found
    }

    /// The component a `$ref` names (`#/components/schemas/X` → `X`), or a diagnostic.
    fn component(&mut self, schema: Option<&Value>, at: &str, what: &str) -> Option<String> {
        let reference = schema.and_then(|s| s.get("$ref")).and_then(Value::as_str);
        match reference.and_then(|r| r.strip_prefix("#/components/schemas/")) {
            Some(name) => Some(name.to_string()),
            // A reference to another file is reported by the checks.
            None if reference.is_some_and(|r| !r.starts_with('#')) => None,
            None => {
                self.report(
                    at,
                    format!("the {what} schema must be a `$ref` to #/components/schemas/…, so that its type has a stable name"),
                );
                None
            }
        }
    }

    fn body(&mut self, operation: &'a Value, at: &str) -> Option<Body> {
        let body_at = join(at, "requestBody");
        let (body, body_at) = self.resolve(operation.get("requestBody")?, &body_at);
        let media_at = join(&join(&body_at, "content"), "application/json");
        let Some(media) = body.pointer("/content/application~1json") else {
            self.report(
                join(&body_at, "content"),
                "the request body must be application/json",
            );
            return None;
        };
        let schema_at = join(&media_at, "schema");
        let schema = self.component(media.get("schema"), &schema_at, "request body")?;
        let schema_pointer = format!("/components/schemas/{schema}");
        let scalar_fields = self.scalar_fields(&schema_pointer);
        let mut sites = Vec::new();
        let mut visiting = Vec::new();
        self.check_sites(&schema_pointer, &mut Vec::new(), &mut visiting, &mut sites);
        Some(Body {
            schema,
            required: body.get("required") == Some(&Value::Bool(true)),
            scalar_fields,
            sites,
        })
    }

    fn scalar_fields(&self, schema_pointer: &str) -> Vec<ScalarField> {
        let Some(properties) = self.properties_at(schema_pointer) else {
            return Vec::new();
        };
        properties
            .iter()
            .filter_map(|(name, property)| {
                let resolved = schema_of(self.root(), property);
                let kind = resolved.get("type").and_then(Value::as_str)?;
                if !matches!(kind, "string" | "boolean" | "integer" | "number") {
                    return None;
                }
                let values = enum_values(resolved);
                let description = property
                    .get("description")
                    .or_else(|| resolved.get("description"))
                    .and_then(Value::as_str)
                    .map(str::to_string);
                Some(ScalarField {
                    name: name.clone(),
                    kind: kind.to_string(),
                    values,
                    description,
                })
            })
            .collect()
    }

    /// Walks the schema at `pointer` (properties, array items) for `x-required-when` and for
    /// bounded properties.
    fn check_sites(
        &mut self,
        pointer: &str,
        path: &mut Vec<Step>,
        visiting: &mut Vec<String>,
        found: &mut Vec<CheckSite>,
    ) {
        if visiting.iter().any(|p| p == pointer) {
            return; // a recursive schema: its checks were found on the first visit
        }
        let Some(schema) = self.root().pointer(pointer) else {
            return;
        };
        visiting.push(pointer.to_string());
        let rules = match schema.get("x-required-when") {
            Some(rules) => self.required_when(rules, schema, &join(pointer, "x-required-when")),
            None => Vec::new(),
        };
        let bounds: Vec<FieldBounds> = schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(name, property)| FieldBounds {
                property: name.clone(),
                bounds: bounds_of(self.root(), property),
            })
            .filter(|field| !field.bounds.is_empty())
            .collect();
        if !rules.is_empty() || !bounds.is_empty() {
            found.push(CheckSite {
                path: path.clone(),
                rules,
                bounds,
            });
        }
        let required: BTreeSet<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for (name, property) in properties {
                let (target, array) = match property.get("type").and_then(Value::as_str) {
                    Some("array") => (property.get("items"), true),
                    _ => (Some(property), false),
                };
                let Some(next) = target
                    .and_then(reference_of)
                    .and_then(|r| r.strip_prefix('#'))
                else {
                    continue;
                };
                path.push(Step {
                    property: name.clone(),
                    array,
                    optional: !array && !required.contains(name.as_str()),
                });
                self.check_sites(next, path, visiting, found);
                path.pop();
            }
        }
        visiting.pop();
    }

    fn required_when(&mut self, rules: &Value, schema: &Value, at: &str) -> Vec<RequiredWhen> {
        let Some(list) = rules.as_array() else {
            self.report(
                at,
                "x-required-when must be a list of {property, in, requires}",
            );
            return Vec::new();
        };
        let properties = schema.get("properties").and_then(Value::as_object);
        let has = |name: &str| properties.is_some_and(|p| p.contains_key(name));
        let strings = |value: Option<&Value>| -> Option<Vec<String>> {
            value?
                .as_array()?
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        let mut read = Vec::new();
        for (index, rule) in list.iter().enumerate() {
            let rule_at = join(at, &index.to_string());
            let property = rule.get("property").and_then(Value::as_str);
            let (Some(property), Some(values), Some(requires)) = (
                property,
                strings(rule.get("in")),
                strings(rule.get("requires")),
            ) else {
                self.report(
                    rule_at,
                    "a rule needs `property` (a name), `in` and `requires` (lists of strings)",
                );
                continue;
            };
            for name in std::iter::once(property).chain(requires.iter().map(String::as_str)) {
                if !has(name) {
                    self.report(
                        rule_at.clone(),
                        format!("{name:?} is not a property of this schema"),
                    );
                }
            }
            read.push(RequiredWhen {
                property: property.to_string(),
                values,
                requires,
            });
        }
        read
    }

    fn success(&mut self, operation: &'a Value, at: &str) -> Option<Success> {
        let responses = operation.get("responses")?.as_object()?;
        let responses_at = join(at, "responses");
        let successes: Vec<_> = responses
            .iter()
            .filter(|(status, _)| status.starts_with('2'))
            .collect();
        let (status, response) = match successes.as_slice() {
            [] => {
                self.report(
                    responses_at,
                    "no 2xx response: the generator needs the success answer's status and schema",
                );
                return None;
            }
            [one] => *one,
            [_, second, ..] => {
                self.report(
                    join(&responses_at, second.0),
                    "more than one 2xx response: the generator supports exactly one",
                );
                return None;
            }
        };
        let response_at = join(&responses_at, status);
        let Ok(code) = status.parse::<u16>() else {
            self.report(
                response_at,
                format!("success status {status:?} must be a number such as 200"),
            );
            return None;
        };
        let (response, response_at) = self.resolve(response, &response_at);
        let schema = match response.get("content").and_then(Value::as_object) {
            None => None,
            Some(content) if content.is_empty() => None,
            Some(_) => {
                let Some(media) = response.pointer("/content/application~1json") else {
                    self.report(
                        join(&response_at, "content"),
                        "the success answer must be application/json",
                    );
                    return None;
                };
                let schema_at = join(
                    &join(&join(&response_at, "content"), "application/json"),
                    "schema",
                );
                Some(self.component(media.get("schema"), &schema_at, "success response")?)
            }
        };
        Some(Success {
            status: code,
            schema,
        })
    }

    /// The properties of a success answer's schema.
    fn answer_properties(&self, success: &Success) -> Option<&'a serde_json::Map<String, Value>> {
        let schema = success.schema.as_ref()?;
        self.properties_at(&format!("/components/schemas/{schema}"))
    }

    fn starts_job(&mut self, operation: &Value, success: &Success, at: &str) -> Option<String> {
        let value = operation.get("x-starts-job")?;
        let at = join(at, "x-starts-job");
        let Some(field) = value.as_str() else {
            self.report(
                at,
                "x-starts-job names the answer's field holding the job id",
            );
            return None;
        };
        let property = self.answer_properties(success).and_then(|p| p.get(field));
        if property.and_then(|p| p.get("type")).and_then(Value::as_str) != Some("string") {
            self.report(
                at,
                format!("the success answer has no string property {field:?} to hold the job id"),
            );
            return None;
        }
        Some(field.to_string())
    }

    fn job_query(
        &mut self,
        operation: &Value,
        parameters: &[Parameter],
        at: &str,
    ) -> Option<String> {
        let value = operation.get("x-job-query")?;
        let at = join(at, "x-job-query");
        let name = value.as_str();
        match name {
            Some(name)
                if parameters
                    .iter()
                    .any(|p| p.name == name && p.location == Location::Path) =>
            {
                Some(name.to_string())
            }
            _ => {
                self.report(
                    at,
                    "x-job-query names the path parameter that carries the job id",
                );
                None
            }
        }
    }

    fn partial_failures(
        &mut self,
        operation: &Value,
        success: &Success,
        at: &str,
    ) -> Option<PartialFailures> {
        let value = operation.get("x-partial-failures")?;
        let at = join(at, "x-partial-failures");
        let field = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_string);
        let (Some(list), Some(id), Some(code), Some(message)) =
            (field("list"), field("id"), field("code"), field("message"))
        else {
            self.report(
                at,
                "x-partial-failures needs `list`, `id`, `code` and `message`: the answer's array of failures and its items' fields",
            );
            return None;
        };
        let items = self
            .answer_properties(success)
            .and_then(|p| p.get(&list))
            .filter(|p| p.get("type").and_then(Value::as_str) == Some("array"))
            .and_then(|p| p.get("items"))
            .map(|items| self.resolve(items, "").0);
        let Some(items) = items else {
            self.report(
                at,
                format!("the success answer has no array property {list:?}"),
            );
            return None;
        };
        for name in [&id, &code, &message] {
            if items.pointer(&format!("/properties/{name}")).is_none() {
                self.report(
                    at.clone(),
                    format!("the items of {list:?} have no property {name:?}"),
                );
            }
        }
        Some(PartialFailures {
            list,
            id,
            code,
            message,
        })
    }

    fn pagination(
        &mut self,
        operation: &Value,
        parameters: &[Parameter],
        success: &Success,
        at: &str,
    ) -> Option<Pagination> {
        let value = operation.get("x-pagination")?;
        let at = join(at, "x-pagination");
        let field = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_string);
        let (Some(offset), Some(limit), Some(items), Some(total), Some(page)) = (
            field("offset"),
            field("limit"),
            field("items"),
            field("total"),
            value.get("page").and_then(Value::as_u64).filter(|p| *p > 0),
        ) else {
            self.report(
                at,
                "x-pagination needs `offset`, `limit` (its query parameters), `items`, `total` (the answer's list and count) and `page` (a page size above 0)",
            );
            return None;
        };
        for name in [&offset, &limit] {
            let integer = parameters.iter().any(|p| {
                p.name == *name && p.location == Location::Query && p.kind == ValueKind::Integer
            });
            if !integer {
                self.report(
                    at.clone(),
                    format!("the operation has no integer query parameter {name:?}"),
                );
            }
        }
        if let Some(limit) = parameters.iter().find(|p| p.name == limit) {
            if limit.bounds.maximum.is_some_and(|max| (page as i64) > max)
                || limit.bounds.minimum.is_some_and(|min| (page as i64) < min)
            {
                self.report(
                    join(&at, "page"),
                    format!("a page of {page} is outside the bounds of {:?}", limit.name),
                );
            }
        }
        let properties = self.answer_properties(success);
        let item_schema = properties
            .and_then(|p| p.get(&items))
            .filter(|p| p.get("type").and_then(Value::as_str) == Some("array"))
            .and_then(|p| p.get("items"))
            .and_then(reference_of)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .map(str::to_string);
        let Some(item_schema) = item_schema else {
            self.report(
                at,
                format!("the success answer has no array property {items:?} of a component schema"),
            );
            return None;
        };
        let total_is_integer = properties
            .and_then(|p| p.get(&total))
            .and_then(|p| p.get("type"))
            .and_then(Value::as_str)
            == Some("integer");
        if !total_is_integer {
            self.report(
                at,
                format!("the success answer has no integer property {total:?}"),
            );
            return None;
        }
        Some(Pagination {
            offset,
            limit,
            items,
            item_schema,
            total,
            page,
        })
    }

    fn fleet(
        &mut self,
        operation: &Value,
        body: Option<&Body>,
        starts_job: bool,
        at: &str,
    ) -> Option<Fleet> {
        let value = operation.get("x-fleet")?;
        let at = join(at, "x-fleet");
        let field = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_string);
        let (Some(command), Some(effect), Some(key)) =
            (field("command"), field("effect"), field("key"))
        else {
            self.report(at, "x-fleet needs `command` (the bulk subcommand), `effect` (attach, detach or regroup) and `key` (the item property naming the desktop)");
            return None;
        };
        if !FLEET_EFFECTS.contains(&effect.as_str()) {
            self.report(
                join(&at, "effect"),
                format!(
                    "effect {effect:?} is not one of {}",
                    FLEET_EFFECTS.join(", ")
                ),
            );
            return None;
        }
        if !starts_job {
            self.report(
                at.clone(),
                "a fleet run follows the job each call starts: the operation needs x-starts-job",
            );
        }
        let Some(body) = body else {
            self.report(
                at,
                "a fleet run sends items in the request body: the operation has none",
            );
            return None;
        };
        let body_pointer = format!("/components/schemas/{}", body.schema);
        let properties = self.properties_at(&body_pointer);
        let batches: Vec<(String, u64, String)> = properties
            .into_iter()
            .flatten()
            .filter_map(|(name, property)| {
                let max = keyword_of(self.root(), property, "maxItems")?.as_u64()?;
                let item = property
                    .get("items")
                    .and_then(reference_of)?
                    .strip_prefix("#/components/schemas/")?;
                let keyed = self
                    .root()
                    .pointer(&format!("/components/schemas/{item}/properties/{key}"))
                    .is_some();
                keyed.then(|| (name.clone(), max, item.to_string()))
            })
            .collect();
        let [(items, max_items, item_schema)] = batches.as_slice() else {
            self.report(at, format!("the body needs exactly one array with maxItems whose items (component schemas) have the property {key:?}: the batch; it has {}", batches.len()));
            return None;
        };
        let item_pointer = format!("/components/schemas/{item_schema}");
        let fields = self.item_fields(&item_pointer);
        if !fields.iter().any(|f| f.name == key && f.kind == "string") {
            self.report(
                join(&at, "key"),
                format!("the items of {items:?} have no text property {key:?}"),
            );
        }
        Some(Fleet {
            command,
            effect,
            items: items.clone(),
            max_items: *max_items,
            item_schema: item_schema.clone(),
            key,
            fields,
        })
    }

    /// The scalar fields of the object schema at `pointer`, and its arrays of objects with
    /// theirs.
    fn item_fields(&self, pointer: &str) -> Vec<ItemField> {
        let Some(properties) = self.properties_at(pointer) else {
            return Vec::new();
        };
        properties
            .iter()
            .filter_map(|(name, property)| {
                let resolved = schema_of(self.root(), property);
                let kind = resolved.get("type").and_then(Value::as_str)?;
                match kind {
                    "string" | "boolean" | "integer" => Some(ItemField {
                        name: name.clone(),
                        kind: kind.to_string(),
                        nested: Vec::new(),
                    }),
                    "array" => {
                        let item = resolved
                            .get("items")
                            .and_then(reference_of)?
                            .strip_prefix('#')?;
                        let nested: Vec<ItemField> = self
                            .item_fields(item)
                            .into_iter()
                            .filter(|f| f.kind != "array")
                            .collect();
                        (!nested.is_empty()).then(|| ItemField {
                            name: name.clone(),
                            kind: "array".into(),
                            nested,
                        })
                    }
                    _ => None,
                }
            })
            .collect()
    }

    /// Each `x-fleet` command names one operation (`bulk <command>`).
    fn fleet_commands_differ(&mut self, operations: &[Operation]) {
        let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
        for operation in operations {
            let Some(fleet) = &operation.fleet else {
                continue;
            };
            if let Some(first) = seen.insert(fleet.command.as_str(), operation.id.as_str()) {
                self.report(
                    join(&join(&operation.pointer, "x-fleet"), "command"),
                    format!("the command {:?} is {first}'s already", fleet.command),
                );
            }
        }
    }

    /// A job can be waited for only if one operation shows jobs.
    fn job_extensions_agree(&mut self, operations: &[Operation]) {
        let queries: Vec<&Operation> = operations
            .iter()
            .filter(|o| o.job_query.is_some())
            .collect();
        if queries.len() > 1 {
            self.report(
                join(&queries[1].pointer, "x-job-query"),
                format!("a second job query; {} is the first", queries[0].id),
            );
        }
        if queries.is_empty() {
            if let Some(starter) = operations.iter().find(|o| o.starts_job.is_some()) {
                self.report(
                    join(&starter.pointer, "x-starts-job"),
                    "an operation starts a job, but no operation is marked x-job-query to follow it",
                );
            }
        }
    }

    fn regions(&mut self) -> Option<Regions> {
        let server = self.root().pointer("/servers/0")?;
        let variable = server.pointer("/variables/region")?;
        let url = server.get("url")?.as_str()?.to_string();
        if !url.contains("{region}") {
            self.report(
                "/servers/0/url",
                "the server URL has a region variable but no {region}",
            );
        }
        let values = variable
            .get("enum")
            .and_then(Value::as_array)
            .map(|v| {
                v.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        Some(Regions {
            url,
            default: variable
                .get("default")
                .and_then(Value::as_str)
                .map(str::to_string),
            values,
        })
    }
}

/// The pointer of a path item, from an operation's pointer.
fn join_item_at(operation_at: &str) -> String {
    operation_at
        .rsplit_once('/')
        .map_or_else(String::new, |(item, _)| item.to_string())
}

/// `{name}` → `name`.
fn parameter_of(segment: &str) -> Option<&str> {
    segment.strip_prefix('{')?.strip_suffix('}')
}

/// The schema a property stands for: `$ref`s followed, and `allOf: [one]` (the document's way
/// of giving a `$ref` its own description) read as `one`.
pub(crate) fn schema_of<'v>(root: &'v Value, schema: &'v Value) -> &'v Value {
    let mut current = schema;
    for _ in 0..16 {
        let resolved = follow(root, current, "").map_or(current, |(target, _)| target);
        match resolved
            .get("allOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            Some([only]) => current = only,
            _ => return resolved,
        }
    }
    current
}

/// The text values of a schema's `enum`.
fn enum_values(schema: &Value) -> Vec<String> {
    schema
        .get("enum")
        .and_then(Value::as_array)
        .map(|v| {
            v.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The bounds the operations layer checks on a value of `schema`: item counts of arrays,
/// ranges of numbers, and lengths of text that the generated types take as a plain `String`
/// (no `pattern`, no `enum`; see [`checked_text`]).
pub(crate) fn bounds_of(root: &Value, schema: &Value) -> Bounds {
    let resolved = schema_of(root, schema);
    let keyword = |key: &str| keyword_of(root, schema, key);
    let count = |key: &str| keyword(key).and_then(Value::as_u64);
    let number = |key: &str| {
        keyword(key).and_then(|v| {
            v.as_i64()
                .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
        })
    };
    match resolved.get("type").and_then(Value::as_str) {
        Some("array") => Bounds {
            min_items: count("minItems").filter(|n| *n > 0),
            max_items: count("maxItems"),
            ..Bounds::default()
        },
        Some("integer" | "number") => Bounds {
            minimum: number("minimum"),
            maximum: number("maximum"),
            ..Bounds::default()
        },
        Some("string") if checked_text(root, schema) => Bounds {
            min_length: count("minLength").filter(|n| *n > 0),
            max_length: count("maxLength"),
            ..Bounds::default()
        },
        _ => Bounds::default(),
    }
}

/// Whether a text schema's lengths are checked by the operations layer: it has no `pattern`
/// and no `enum`, so the generated type is a plain `String` (the generation view removes its
/// lengths, which would otherwise make a validating type of it).
pub(crate) fn checked_text(root: &Value, schema: &Value) -> bool {
    keyword_of(root, schema, "pattern").is_none() && keyword_of(root, schema, "enum").is_none()
}

/// A keyword of a schema or of the schemas it stands for (`$ref`, `allOf: [one]`), the
/// outermost first.
fn keyword_of<'v>(root: &'v Value, schema: &'v Value, key: &str) -> Option<&'v Value> {
    let mut current = schema;
    for _ in 0..16 {
        let resolved = follow(root, current, "").map_or(current, |(target, _)| target);
        if let Some(value) = current.get(key).or_else(|| resolved.get(key)) {
            return Some(value);
        }
        match resolved
            .get("allOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            Some([only]) => current = only,
            _ => return None,
        }
    }
    None
}

/// The `$ref` a property stands for, through `allOf: [one]`.
fn reference_of(schema: &Value) -> Option<&str> {
    let mut current = schema;
    for _ in 0..16 {
        if let Some(reference) = current.get("$ref").and_then(Value::as_str) {
            return Some(reference);
        }
        match current
            .get("allOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            Some([only]) => current = only,
            _ => return None,
        }
    }
    None
}

/// `/v2/{project_id}`.
pub fn render_path(segments: &[Segment]) -> String {
    segments
        .iter()
        .map(|s| match s {
            Segment::Literal(text) => format!("/{text}"),
            Segment::Bound(name) => format!("/{{{name}}}"),
        })
        .collect()
}
