//! Our document against Huawei's definition of the same operations, field by field.
//!
//! Both are OpenAPI 3.0 trees (Huawei's read by [`super::convert`]). Each schema is read as a
//! shape: `$ref`s followed, `allOf` members merged, and every keyword remembered with the
//! pointer of the schema that holds it, so that a difference names the place in our document
//! to edit. Operations are matched by method and path.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::{json, Value};
use workspace_codegen::pointer::{follow, join};

use super::convert::Definition;

/// Constraint keywords that decide which values are accepted.
pub const BOUNDS: [&str; 7] = [
    "maxItems",
    "minItems",
    "maxLength",
    "minLength",
    "pattern",
    "minimum",
    "maximum",
];

/// Huawei's mark of a field whose value is personal data.
pub const SENSITIVE: &str = "x-isSensitive";

/// Whether a field is sent or received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    /// A parameter or the request body.
    Request,
    /// An answer.
    Answer,
}

/// One way in which our document and Huawei's definition differ.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// JSON pointer of the place in our document that holds (or would hold) the value.
    pub at: String,
    /// What differs: a keyword (`maxItems`, `type`, `enum`, `x-isSensitive`…), `field`,
    /// `required`, `status`, `parameter`, `operation`, or `defect` (a fault of the
    /// definition itself).
    pub aspect: String,
    /// The definition's value (`null`: it has none).
    pub official: Value,
    /// Ours (`null`: we have none).
    pub ours: Value,
    /// Request or answer.
    pub side: Side,
    /// Where it shows, in words (`batchAttach request desktops[].user_name`), once per place.
    pub places: Vec<String>,
}

impl Difference {
    /// An answer's bound: reported, never something to adopt, since the client enforces no
    /// bound on what the service sends.
    pub fn is_answer_bound(&self) -> bool {
        self.side == Side::Answer && BOUNDS.contains(&self.aspect.as_str())
    }

    /// The edit that would make our document agree.
    pub fn edit(&self) -> String {
        let value = |v: &Value| serde_json::to_string(v).unwrap_or_default();
        match (self.aspect.as_str(), &self.official, &self.ours) {
            ("defect", _, _) => {
                "none: the definition contradicts itself; keep ours and record it".to_string()
            }
            ("field" | "parameter" | "operation", Value::Null, _) => {
                format!("remove the {}, or record why it stays", self.aspect)
            }
            ("field" | "parameter", official, Value::Null) => {
                format!("add the {} ({})", self.aspect, value(official))
            }
            ("status", Value::Null, _) => "remove the response".to_string(),
            ("status", _, Value::Null) => "add the response".to_string(),
            ("required", Value::Bool(true), _) => {
                format!("add {} to `required`", value(&self.ours_name()))
            }
            ("required", _, _) => format!("take {} out of `required`", value(&self.ours_name())),
            (aspect, Value::Null, _) => format!("remove `{aspect}`"),
            (aspect, official, _) => format!("set `{aspect}: {}`", value(official)),
        }
    }

    /// The property a `required` difference is about (the last token of its pointer).
    fn ours_name(&self) -> Value {
        json!(self
            .places
            .first()
            .and_then(|p| p.rsplit(['.', ' ']).next()))
    }

    /// The key the list of recorded differences matches: place, aspect and both values.
    pub fn key(&self) -> (String, String, Value, Value) {
        (
            self.at.clone(),
            self.aspect.clone(),
            normalized(&self.official),
            normalized(&self.ours),
        )
    }
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = |v: &Value| match v {
            Value::Null => "none".to_string(),
            other => serde_json::to_string(other).unwrap_or_default(),
        };
        let shown = self.places.len().min(3);
        let mut places = self.places[..shown].join("; ");
        if self.places.len() > shown {
            places.push_str(&format!("; {} more", self.places.len() - shown));
        }
        write!(
            f,
            "{} {}: official {}, ours {} ({places})",
            self.at,
            self.aspect,
            value(&self.official),
            value(&self.ours),
        )
    }
}

/// Numbers compared by value: `100` and `100.0` are the same bound.
pub fn normalized(value: &Value) -> Value {
    match value {
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => json!(f as i64),
            _ => value.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(normalized).collect()),
        other => other.clone(),
    }
}

/// Every difference between `ours` and the operations of `theirs` that our document also has,
/// and each operation of ours that Huawei does not define. Differences at the same place with
/// the same values are reported once, with every place they show.
pub fn compare(ours: &Value, theirs: &[Definition]) -> Vec<Difference> {
    let mut found = Found::default();
    for (path, item) in ours
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let item_at = join("/paths", path);
        for method in workspace_codegen::model::METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let at = join(&item_at, method);
            let id = operation
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or(method);
            match theirs
                .iter()
                .find(|d| d.method == method && d.path == *path)
            {
                Some(definition) => {
                    let pair = Pair {
                        ours,
                        theirs: &definition.document,
                        operation: id,
                    };
                    let their_operation = &definition.document["paths"][path][method];
                    pair.operation(item, operation, &at, their_operation, &mut found);
                }
                None => found.push(Difference {
                    at,
                    aspect: "operation".into(),
                    official: Value::Null,
                    ours: json!(format!("{} {path}", method.to_ascii_uppercase())),
                    side: Side::Request,
                    places: vec![id.to_string()],
                }),
            }
        }
    }
    found.list
}

/// Differences found so far, merged by [`Difference::key`].
#[derive(Default)]
struct Found {
    list: Vec<Difference>,
}

impl Found {
    fn push(&mut self, difference: Difference) {
        let key = difference.key();
        match self.list.iter_mut().find(|d| d.key() == key) {
            Some(existing) => {
                for place in difference.places {
                    if !existing.places.contains(&place) {
                        existing.places.push(place);
                    }
                }
            }
            None => self.list.push(difference),
        }
    }
}

/// One operation of ours and Huawei's definition of it.
struct Pair<'a> {
    ours: &'a Value,
    theirs: &'a Value,
    operation: &'a str,
}

impl<'a> Pair<'a> {
    fn operation(
        &self,
        item: &'a Value,
        operation: &'a Value,
        at: &str,
        theirs: &'a Value,
        found: &mut Found,
    ) {
        self.parameters(item, operation, at, theirs, found);
        self.body(operation, at, theirs, found);
        self.responses(operation, at, theirs, found);
    }

    fn difference(
        &self,
        at: &str,
        aspect: &str,
        official: Value,
        ours: Value,
        side: Side,
        place: &str,
    ) -> Difference {
        Difference {
            at: at.to_string(),
            aspect: aspect.to_string(),
            official,
            ours,
            side,
            places: vec![format!("{} {place}", self.operation)],
        }
    }

    /// Path and query parameters by name (those of the path item and of the operation).
    fn parameters(
        &self,
        item: &'a Value,
        operation: &'a Value,
        at: &str,
        theirs: &'a Value,
        found: &mut Found,
    ) {
        let item_at = at.rsplit_once('/').map_or("", |(item, _)| item);
        let mut ours: BTreeMap<String, (&Value, String)> = BTreeMap::new();
        for (owner, owner_at) in [(item, item_at.to_string()), (operation, at.to_string())] {
            for (index, parameter) in owner
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let parameter_at = join(&join(&owner_at, "parameters"), &index.to_string());
                let (parameter, parameter_at) = follow(self.ours, parameter, &parameter_at)
                    .unwrap_or((parameter, parameter_at));
                if let Some(name) = parameter.get("name").and_then(Value::as_str) {
                    ours.insert(name.to_string(), (parameter, parameter_at));
                }
            }
        }
        let theirs: BTreeMap<&str, &Value> = theirs
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| Some((p.get("name")?.as_str()?, p)))
            .collect();
        for (name, (parameter, parameter_at)) in &ours {
            let place = format!("parameter {name}");
            let Some(their) = theirs.get(name.as_str()) else {
                found.push(self.difference(
                    parameter_at,
                    "parameter",
                    Value::Null,
                    parameter.get("in").cloned().unwrap_or_default(),
                    Side::Request,
                    &place,
                ));
                continue;
            };
            for key in ["in", "required"] {
                let (mine, official) = (flag(parameter, key), flag(their, key));
                if mine != official {
                    found.push(self.difference(
                        &join(parameter_at, key),
                        key,
                        official,
                        mine,
                        Side::Request,
                        &place,
                    ));
                }
            }
            let our_shape = Shape::read(
                self.ours,
                &parameter["schema"],
                &join(parameter_at, "schema"),
            );
            let their_shape = Shape::read(self.theirs, &their["schema"], "");
            self.schema(&our_shape, &their_shape, Side::Request, (&place, ""), found);
        }
        for (name, their) in theirs {
            if !ours.contains_key(name) {
                found.push(self.difference(
                    &join(at, "parameters"),
                    "parameter",
                    json!(format!(
                        "{name} in {}",
                        their.get("in").and_then(Value::as_str).unwrap_or("?")
                    )),
                    Value::Null,
                    Side::Request,
                    &format!("parameter {name}"),
                ));
            }
        }
    }

    fn body(&self, operation: &'a Value, at: &str, theirs: &'a Value, found: &mut Found) {
        let body_at = join(at, "requestBody");
        let ours = operation
            .get("requestBody")
            .map(|b| follow(self.ours, b, &body_at).unwrap_or((b, body_at.clone())));
        match (ours, theirs.get("requestBody")) {
            (None, None) => {}
            (Some((_, at)), None) => found.push(self.difference(
                &at,
                "field",
                Value::Null,
                json!("request body"),
                Side::Request,
                "request body",
            )),
            (None, Some(_)) => found.push(self.difference(
                &body_at,
                "field",
                json!("request body"),
                Value::Null,
                Side::Request,
                "request body",
            )),
            (Some((body, at)), Some(their)) => {
                let (mine, official) = (flag(body, "required"), flag(their, "required"));
                if mine != official {
                    found.push(self.difference(
                        &join(&at, "required"),
                        "required",
                        official,
                        mine,
                        Side::Request,
                        "request body",
                    ));
                }
                let schema_at = join(&join(&join(&at, "content"), "application/json"), "schema");
                let our_shape = Shape::read(
                    self.ours,
                    body.pointer("/content/application~1json/schema")
                        .unwrap_or(&Value::Null),
                    &schema_at,
                );
                let their_shape = Shape::read(
                    self.theirs,
                    their
                        .pointer("/content/application~1json/schema")
                        .unwrap_or(&Value::Null),
                    "",
                );
                self.schema(
                    &our_shape,
                    &their_shape,
                    Side::Request,
                    ("request", ""),
                    found,
                );
            }
        }
    }

    fn responses(&self, operation: &'a Value, at: &str, theirs: &'a Value, found: &mut Found) {
        let responses_at = join(at, "responses");
        let empty = serde_json::Map::new();
        let ours = operation
            .get("responses")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let their_responses = theirs
            .get("responses")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let statuses: BTreeSet<&String> = ours.keys().chain(their_responses.keys()).collect();
        for status in statuses {
            let place = format!("status {status}");
            let response_at = join(&responses_at, status);
            match (ours.get(status), their_responses.get(status)) {
                (Some(_), None) => found.push(self.difference(
                    &response_at,
                    "status",
                    Value::Null,
                    json!(status),
                    Side::Answer,
                    &place,
                )),
                (None, Some(_)) => found.push(self.difference(
                    &response_at,
                    "status",
                    json!(status),
                    Value::Null,
                    Side::Answer,
                    &place,
                )),
                (Some(mine), Some(their)) => {
                    let (mine, mine_at) =
                        follow(self.ours, mine, &response_at).unwrap_or((mine, response_at));
                    let schema_at = join(
                        &join(&join(&mine_at, "content"), "application/json"),
                        "schema",
                    );
                    match (json_schema(mine), json_schema(their)) {
                        (Some(m), Some(t)) => {
                            let name = if status.starts_with('2') {
                                "answer".to_string()
                            } else {
                                format!("answer {status}")
                            };
                            self.schema(
                                &Shape::read(self.ours, m, &schema_at),
                                &Shape::read(self.theirs, t, ""),
                                Side::Answer,
                                (&name, ""),
                                found,
                            );
                        }
                        (None, None) => {}
                        (m, _) => found.push(self.difference(
                            &schema_at,
                            "field",
                            json!(m.is_none().then_some("answer body")),
                            json!(m.is_some().then_some("answer body")),
                            Side::Answer,
                            &place,
                        )),
                    }
                }
                (None, None) => {}
            }
        }
    }

    /// Compares two schemas and, through their properties and items, every field below;
    /// `root` says which part of the operation they are (`request`, `answer 404`), `path`
    /// where inside it (`desktops[].user_name`).
    fn schema(
        &self,
        ours: &Shape,
        theirs: &Shape,
        side: Side,
        (root, path): (&str, &str),
        found: &mut Found,
    ) {
        let place = &if path.is_empty() {
            root.to_string()
        } else {
            format!("{root} {path}")
        };
        let (mine, official) = (ours.keyword("type"), theirs.keyword("type"));
        if !mine.is_null() && !official.is_null() && mine != official {
            // Values of another type: its format, bounds and fields do not compare.
            found.push(self.difference(
                &ours.keyword_at("type"),
                "type",
                official,
                mine,
                side,
                place,
            ));
            return;
        }
        for aspect in ["type", "format"].iter().chain(BOUNDS.iter()) {
            let official = theirs.keyword(aspect);
            let mine = ours.keyword(aspect);
            if same(&mine, &official) {
                continue;
            }
            if matches!(*aspect, "maxLength" | "minLength")
                && ours.enum_satisfies(aspect, &official)
            {
                continue;
            }
            found.push(self.difference(
                &ours.keyword_at(aspect),
                aspect,
                official,
                mine,
                side,
                place,
            ));
        }
        let (mine, official) = (ours.enumeration(), theirs.enumeration());
        if mine != official {
            found.push(self.difference(
                &ours.keyword_at("enum"),
                "enum",
                official,
                mine,
                side,
                place,
            ));
        }
        let (mine, official) = (ours.sensitive(), theirs.sensitive());
        if mine != official {
            found.push(self.difference(
                &ours.keyword_at(SENSITIVE),
                SENSITIVE,
                json!(official),
                json!(mine),
                side,
                place,
            ));
        }
        let child = |name: &str| {
            if path.is_empty() {
                name.to_string()
            } else {
                format!("{path}.{name}")
            }
        };
        for name in &theirs.required {
            if !theirs.properties.contains_key(name) {
                found.push(self.difference(
                    &ours.required_at,
                    "defect",
                    json!(format!(
                        "`required` names {name:?}, which is not a property"
                    )),
                    Value::Null,
                    side,
                    place,
                ));
            }
        }
        let names: BTreeSet<&String> = ours
            .properties
            .keys()
            .chain(theirs.properties.keys())
            .collect();
        for name in names {
            let child_path = child(name);
            let place = &format!("{root} {child_path}");
            match (ours.properties.get(name), theirs.properties.get(name)) {
                (Some(mine), Some(their)) => {
                    let (mine_required, their_required) =
                        (ours.required.contains(name), theirs.required.contains(name));
                    if mine_required != their_required {
                        found.push(self.difference(
                            &ours.required_at,
                            "required",
                            json!(their_required),
                            json!(mine_required),
                            side,
                            place,
                        ));
                    }
                    self.schema(mine, their, side, (root, &child_path), found);
                }
                (Some(mine), None) => found.push(self.difference(
                    &mine.at,
                    "field",
                    Value::Null,
                    mine.summary(),
                    side,
                    place,
                )),
                (None, Some(their)) => found.push(self.difference(
                    &join(&join(&ours.properties_at, "properties"), name),
                    "field",
                    their.summary(),
                    Value::Null,
                    side,
                    place,
                )),
                (None, None) => {}
            }
        }
        if let (Some(mine), Some(their)) = (&ours.items, &theirs.items) {
            self.schema(mine, their, side, (root, &format!("{path}[]")), found);
        }
    }
}

/// The schema of a response's JSON body.
fn json_schema(response: &Value) -> Option<&Value> {
    response.pointer("/content/application~1json/schema")
}

/// A boolean or string member of an object, `null` when absent (`required` defaults to false).
fn flag(owner: &Value, key: &str) -> Value {
    match owner.get(key) {
        Some(value) => value.clone(),
        None if key == "required" => json!(false),
        None => Value::Null,
    }
}

/// Two keyword values mean the same: equal numbers, or a bound that allows everything on one
/// side and is absent on the other.
fn same(a: &Value, b: &Value) -> bool {
    normalized(a) == normalized(b)
}

/// A schema as its keywords, properties and items, read through `$ref` and `allOf`.
#[derive(Debug, Default)]
struct Shape {
    /// Pointer of the property or schema this shape was read from.
    at: String,
    /// Pointer of the innermost schema, where a keyword it lacks would go.
    home: String,
    /// Pointer of the schema holding the properties (or where they would go).
    properties_at: String,
    /// Pointer of the `required` list (existing or to add).
    required_at: String,
    keywords: BTreeMap<String, (Value, String)>,
    properties: BTreeMap<String, Shape>,
    required: BTreeSet<String>,
    items: Option<Box<Shape>>,
}

/// Keywords a shape keeps.
const KEPT: [&str; 12] = [
    "type",
    "format",
    "enum",
    "maxItems",
    "minItems",
    "maxLength",
    "minLength",
    "pattern",
    "minimum",
    "maximum",
    SENSITIVE,
    "x-extensible-enum",
];

impl Shape {
    fn read(root: &Value, schema: &Value, at: &str) -> Self {
        Self::read_guarded(root, schema, at, &mut Vec::new())
    }

    fn read_guarded(root: &Value, schema: &Value, at: &str, visiting: &mut Vec<String>) -> Self {
        let mut levels = Vec::new();
        collect_levels(root, schema, at, &mut levels, 0);
        let mut shape = Shape {
            at: at.to_string(),
            ..Shape::default()
        };
        let targets: Vec<String> = levels.iter().map(|(_, at)| at.clone()).collect();
        if targets.iter().any(|t| visiting.contains(t)) {
            return shape; // a schema that contains itself: compared on its first visit
        }
        visiting.extend(targets.iter().cloned());
        shape.home = levels
            .iter()
            .rev()
            .find(|(level, _)| level.get("type").is_some())
            .or(levels.first())
            .map(|(_, at)| at.clone())
            .unwrap_or_else(|| at.to_string());
        shape.properties_at = levels
            .iter()
            .find(|(level, _)| level.get("properties").is_some())
            .map(|(_, at)| at.clone())
            .unwrap_or_else(|| shape.home.clone());
        shape.required_at = levels
            .iter()
            .find(|(level, _)| level.get("required").is_some())
            .map(|(_, at)| join(at, "required"))
            .unwrap_or_else(|| join(&shape.properties_at, "required"));
        for (level, level_at) in &levels {
            for key in KEPT {
                if let Some(value) = level.get(key) {
                    shape
                        .keywords
                        .entry(key.to_string())
                        .or_insert_with(|| (value.clone(), level_at.clone()));
                }
            }
            for name in level
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                shape.required.insert(name.to_string());
            }
            for (name, property) in level
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if !shape.properties.contains_key(name) {
                    let property_at = join(&join(level_at, "properties"), name);
                    let child = Shape::read_guarded(root, property, &property_at, visiting);
                    shape.properties.insert(name.clone(), child);
                }
            }
            if shape.items.is_none() {
                if let Some(items) = level.get("items") {
                    let items_at = join(level_at, "items");
                    shape.items = Some(Box::new(Shape::read_guarded(
                        root, items, &items_at, visiting,
                    )));
                }
            }
        }
        visiting.truncate(visiting.len() - targets.len());
        shape
    }

    /// A keyword's value; `null` when absent or when it allows everything (a minimum length
    /// or count of 0).
    fn keyword(&self, key: &str) -> Value {
        if key == "type" && !self.keywords.contains_key(key) && !self.properties.is_empty() {
            // Swagger 2.0 definitions often leave out the type of an object with properties.
            return json!("object");
        }
        match self.keywords.get(key).map(|(value, _)| value) {
            Some(value)
                if matches!(key, "minLength" | "minItems") && normalized(value) == json!(0) =>
            {
                Value::Null
            }
            Some(value) => value.clone(),
            None => Value::Null,
        }
    }

    /// Where a keyword is, or would go.
    fn keyword_at(&self, key: &str) -> String {
        match self.keywords.get(key) {
            Some((_, at)) => join(at, key),
            None => join(&self.home, key),
        }
    }

    fn enumeration(&self) -> Value {
        match self.keywords.get("enum") {
            Some((Value::Array(values), _)) => {
                let mut values = values.clone();
                values.sort_by_key(|v| v.to_string());
                Value::Array(values)
            }
            _ => Value::Null,
        }
    }

    fn sensitive(&self) -> bool {
        self.keywords
            .get(SENSITIVE)
            .is_some_and(|(value, _)| value == &Value::Bool(true))
    }

    /// Every value of our enumeration meets the length bound, which then says nothing more.
    fn enum_satisfies(&self, key: &str, bound: &Value) -> bool {
        let (Some((Value::Array(values), _)), Some(bound)) =
            (self.keywords.get("enum"), bound.as_u64())
        else {
            return false;
        };
        values.iter().all(|v| {
            let length = v.as_str().map_or(0, |s| s.chars().count()) as u64;
            if key == "maxLength" {
                length <= bound
            } else {
                length >= bound
            }
        })
    }

    /// What a field is, for a field present on one side only.
    fn summary(&self) -> Value {
        let text = |key: &str| self.keywords.get(key).and_then(|(v, _)| v.as_str());
        let kind = match (text("type"), &self.items) {
            (Some("array"), Some(items)) => format!(
                "array of {}",
                items
                    .keywords
                    .get("type")
                    .and_then(|(v, _)| v.as_str())
                    .unwrap_or("object")
            ),
            (Some(kind), _) => kind.to_string(),
            (None, _) if !self.properties.is_empty() => "object".to_string(),
            (None, _) => "untyped".to_string(),
        };
        json!(kind)
    }
}

/// The schemas a schema stands for, outermost first: itself (or its `$ref`'s target) and
/// its `allOf` members.
fn collect_levels<'v>(
    root: &'v Value,
    schema: &'v Value,
    at: &str,
    levels: &mut Vec<(&'v Value, String)>,
    depth: usize,
) {
    if depth > 16 {
        return;
    }
    let Some((schema, at)) = follow(root, schema, at) else {
        return;
    };
    levels.push((schema, at.clone()));
    for (index, member) in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let member_at = join(&join(&at, "allOf"), &index.to_string());
        collect_levels(root, member, &member_at, levels, depth + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::upstream::convert::Definition;

    /// One operation of ours (`body` as its request schema) against Huawei's (`theirs`).
    fn differences(ours: Value, theirs: Value) -> Vec<Difference> {
        let document = |body: Value, schemas: Value| {
            json!({"paths": {"/v2/{project_id}/things": {"post": {
                "operationId": "makeThing",
                "requestBody": {"required": true, "content": {"application/json": {"schema": body}}},
                "responses": {"200": {"description": "ok"}}}}},
                "components": {"schemas": schemas}})
        };
        let ours = document(json!({"$ref": "#/components/schemas/Req"}), ours);
        let theirs = Definition {
            name: "MakeThing".into(),
            method: "post".into(),
            path: "/v2/{project_id}/things".into(),
            document: document(json!({"$ref": "#/components/schemas/Req"}), theirs),
        };
        compare(&ours, &[theirs])
    }

    fn keys(found: &[Difference]) -> Vec<String> {
        found
            .iter()
            .map(|d| format!("{} {}", d.at, d.aspect))
            .collect()
    }

    #[test]
    fn keywords_are_placed_where_our_document_holds_them() {
        let found = differences(
            json!({
                "Req": {"type": "object", "properties": {
                    "name": {"allOf": [{"$ref": "#/components/schemas/Name"}], "description": "x"},
                    "ids": {"type": "array", "items": {"type": "string"}}}},
                "Name": {"type": "string", "maxLength": 32}}),
            json!({"Req": {"properties": {
                "name": {"type": "string", "maxLength": 64, "minLength": 0},
                "ids": {"type": "array", "maxItems": 100, "items": {"type": "string"}}}}}),
        );
        assert_eq!(
            keys(&found),
            [
                "/components/schemas/Req/properties/ids/maxItems maxItems",
                "/components/schemas/Name/maxLength maxLength",
            ],
            "a minimum of 0 says nothing; an object's missing type is implied by its properties"
        );
        assert_eq!(found[1].official, json!(64));
        assert_eq!(found[1].ours, json!(32));
        assert_eq!(found[0].edit(), "set `maxItems: 100`");
    }

    #[test]
    fn an_enumeration_within_a_length_bound_meets_it_and_a_type_difference_stands_alone() {
        let found = differences(
            json!({"Req": {"type": "object", "properties": {
                "kind": {"type": "string", "enum": ["USER", "GROUP"]},
                "limit": {"type": "integer", "minimum": 1}}}}),
            json!({"Req": {"properties": {
                "kind": {"type": "string", "enum": ["USER", "GROUP"], "maxLength": 20},
                "limit": {"type": "string", "maxLength": 255}}}}),
        );
        assert_eq!(
            keys(&found),
            ["/components/schemas/Req/properties/limit/type type"]
        );
    }

    #[test]
    fn a_required_entry_naming_no_property_is_the_definitions_defect() {
        let found = differences(
            json!({"Req": {"type": "object", "required": ["name"], "properties": {
                "name": {"type": "string"}}}}),
            json!({"Req": {"required": ["name", "group"], "properties": {
                "name": {"type": "string"}, "extra": {"type": "boolean"}}}}),
        );
        assert_eq!(
            keys(&found),
            [
                "/components/schemas/Req/required defect",
                "/components/schemas/Req/properties/extra field",
            ]
        );
        assert_eq!(
            found[0].edit(),
            "none: the definition contradicts itself; keep ours and record it"
        );
        assert_eq!(found[1].edit(), "add the field (\"boolean\")");
    }
}
