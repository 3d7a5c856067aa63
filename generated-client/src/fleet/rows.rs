//! The rows of a fleet run: one batch item per row, from CSV with a header (columns named
//! after the item's fields; a column `field.nested` fills one object of a list) or JSON lines
//! (one item object per line). Every row is checked against the document before anything is
//! sent, and every bad row is reported at once, with its line and field.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value};

use super::{csv, FieldKind, Shape};
use crate::error::Error;

/// The most rows one run takes.
pub const MAX_ROWS: usize = 1_000_000;
/// The largest rows file read.
pub const MAX_ROWS_FILE: usize = 256 << 20;

/// How a rows file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// Comma-separated values with a header.
    Csv,
    /// One JSON object per line.
    JsonLines,
}

/// One row: the batch item it stands for, and where it is in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub(crate) line: usize,
    pub(crate) item: Value,
    pub(crate) key: String,
}

impl Row {
    /// The line it starts on (from 1).
    pub fn line(&self) -> usize {
        self.line
    }

    /// The batch item, as JSON.
    pub fn item(&self) -> &Value {
        &self.item
    }

    /// The desktop it names (the item's key field).
    pub fn key(&self) -> &str {
        &self.key
    }
}

/// A row that cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Its line.
    pub line: usize,
    /// The field at fault, when one is.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// Every row that cannot be sent (nothing is sent while one is).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RowErrors(pub Vec<RowError>);

impl fmt::Display for RowErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} bad rows, nothing sent:", self.0.len())?;
        for error in &self.0 {
            write!(f, "\n  line {}", error.line)?;
            if let Some(field) = &error.field {
                write!(f, ", {field}")?;
            }
            write!(f, ": {}", error.message)?;
        }
        Ok(())
    }
}

/// Reads a rows file (a regular file, at most [`MAX_ROWS_FILE`]): its text, and its format
/// from its name (`.jsonl` or `.ndjson`: JSON lines; anything else: CSV).
pub fn read_rows_file(path: &std::path::Path) -> std::io::Result<(String, Format)> {
    let bytes = crate::local_input::read(path, MAX_ROWS_FILE)
        .map_err(|why| std::io::Error::other(format!("rows file {}: {why}", path.display())))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "rows file {}: not UTF-8 text (byte {})",
                path.display(),
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    let json_lines = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson"));
    let format = if json_lines {
        Format::JsonLines
    } else {
        Format::Csv
    };
    Ok((text, format))
}

/// Reads and checks the rows of `text` for `shape`'s operation.
pub fn read_rows(
    client: &crate::Client,
    shape: &Shape,
    text: &str,
    format: Format,
) -> Result<Vec<Row>, RowErrors> {
    // Every row is read and checked, so that every bad one is reported at once.
    let (items, mut errors) = match format {
        Format::Csv => csv_items(shape, text)?,
        Format::JsonLines => json_items(text),
    };
    if items.len() > MAX_ROWS {
        return Err(RowErrors(vec![RowError {
            line: items[MAX_ROWS].0,
            field: None,
            message: format!("a run takes at most {MAX_ROWS} rows"),
        }]));
    }
    let mut rows = Vec::with_capacity(items.len());
    for (line, item) in items {
        match check(client, shape, line, item) {
            Ok(row) => rows.push(row),
            Err(error) => errors.push(error),
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(RowError {
            line: 1,
            field: None,
            message: "there are no rows".into(),
        });
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(RowErrors(errors))
    }
}

/// A row checked against the document (as the only item of a call) and its key read.
fn check(client: &crate::Client, shape: &Shape, line: usize, item: Value) -> Result<Row, RowError> {
    let prefix = format!("{}[0].", shape.items);
    let local = |text: &str| text.replace(&prefix, "");
    if let Err(error) = (shape.check)(client, item.clone()) {
        let (field, message) = match error {
            Error::InvalidRequest { field, message, .. } => {
                (field.map(|f| local(&f)), local(&message))
            }
            other => (None, other.to_string()),
        };
        return Err(RowError {
            line,
            field,
            message,
        });
    }
    let key = item
        .get(shape.key)
        .and_then(Value::as_str)
        .filter(|k| !k.trim().is_empty())
        .ok_or_else(|| RowError {
            line,
            field: Some(shape.key.to_string()),
            message: format!("{} is required: it names the desktop", shape.key),
        })?;
    Ok(Row {
        line,
        key: key.to_string(),
        item,
    })
}

/// Items read, with the line each starts on, and the rows that could not be read.
type Read = (Vec<(usize, Value)>, Vec<RowError>);

/// The items of the lines that are JSON objects, and an error for each other line.
fn json_items(text: &str) -> Read {
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match crate::request_body::parse(line) {
            Ok(value @ Value::Object(_)) => items.push((index + 1, value)),
            Ok(_) => errors.push(RowError {
                line: index + 1,
                field: None,
                message: "a row must be a JSON object".into(),
            }),
            Err(error) => {
                let (field, message) = match error {
                    Error::InvalidRequest { field, message, .. } => (field, message),
                    other => (None, other.to_string()),
                };
                errors.push(RowError {
                    line: index + 1,
                    field,
                    message,
                })
            }
        }
    }
    (items, errors)
}

/// A column: a field of the item, or a field of one object of one of its lists.
enum Column {
    Field(&'static super::Field),
    Nested(&'static super::Field, &'static super::Field),
}

/// The items of the records whose every field reads, and an error for each field that does
/// not; a bad header or quoting is an error of the whole file.
fn csv_items(shape: &Shape, text: &str) -> Result<Read, RowErrors> {
    let one = |line, message: String| {
        RowErrors(vec![RowError {
            line,
            field: None,
            message,
        }])
    };
    let records = csv::records(text).map_err(|(line, message)| one(line, message))?;
    let mut records = records.into_iter();
    let Some(header) = records.next() else {
        return Err(one(1, "there is no header line".into()));
    };
    let mut columns = Vec::new();
    let mut errors = Vec::new();
    for name in &header.fields {
        let name = name.trim();
        let column = match name.split_once('.') {
            None => shape
                .fields
                .iter()
                .find(|f| f.name == name && f.kind != FieldKind::Objects)
                .map(Column::Field),
            Some((list, nested)) => shape
                .fields
                .iter()
                .find(|f| f.name == list && f.kind == FieldKind::Objects)
                .and_then(|f| {
                    f.nested
                        .iter()
                        .find(|n| n.name == nested)
                        .map(|n| Column::Nested(f, n))
                }),
        };
        match column {
            Some(column) => columns.push((name.to_string(), column)),
            None => errors.push(RowError {
                line: header.line,
                field: Some(name.to_string()),
                message: format!("no such column: the columns are {}", known_columns(shape)),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(RowErrors(errors));
    }
    let mut items = Vec::new();
    for record in records {
        if record.fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.fields.len() != columns.len() {
            errors.push(RowError {
                line: record.line,
                field: None,
                message: format!(
                    "{} fields where the header has {}",
                    record.fields.len(),
                    columns.len()
                ),
            });
            continue;
        }
        let mut item = Map::new();
        let mut nested: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
        for ((name, column), text) in columns.iter().zip(&record.fields) {
            if text.is_empty() {
                continue;
            }
            let (field, target) = match column {
                Column::Field(field) => (*field, &mut item),
                Column::Nested(list, field) => (*field, nested.entry(list.name).or_default()),
            };
            match typed(field.kind, text) {
                Ok(value) => {
                    target.insert(field.name.to_string(), value);
                }
                Err(message) => errors.push(RowError {
                    line: record.line,
                    field: Some(name.clone()),
                    message,
                }),
            }
        }
        if errors.last().is_some_and(|e| e.line == record.line) {
            continue;
        }
        for (list, object) in nested {
            item.insert(list.to_string(), Value::Array(vec![Value::Object(object)]));
        }
        items.push((record.line, Value::Object(item)));
    }
    Ok((items, errors))
}

fn typed(kind: FieldKind, text: &str) -> Result<Value, String> {
    match kind {
        FieldKind::Boolean => match text.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(format!("{text:?} is not true or false")),
        },
        FieldKind::Integer => text
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| format!("{text:?} is not a whole number")),
        _ => Ok(Value::String(text.to_string())),
    }
}

/// The columns a rows file of `shape` may have, for messages.
fn known_columns(shape: &Shape) -> String {
    let mut names = Vec::new();
    for field in shape.fields {
        if field.kind == FieldKind::Objects {
            names.extend(
                field
                    .nested
                    .iter()
                    .map(|n| format!("{}.{}", field.name, n.name)),
            );
        } else {
            names.push(field.name.to_string());
        }
    }
    names.join(", ")
}
