//! What a subcommand sends: its flags, and its body from `--json-body` (a file, or `-` for
//! standard input, read once) with the body flags merged over it. The body goes through the
//! library's `request_body`, so a field the document does not know is refused, naming the
//! nearest known one.

use clap::ArgMatches;
use huaweicloud_workspace::request_body;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::failure::Failure;

/// A body field offered as a flag (`--user-privilege-group`), and its JSON type.
pub struct Flag {
    /// The field's name in the body.
    pub field: &'static str,
    /// The flag, without `--`.
    pub flag: &'static str,
    /// `string`, `boolean`, `integer` or `number`.
    pub kind: &'static str,
}

/// Reads what subcommands need from outside the command line (standard input, once).
#[derive(Default)]
pub struct Input {
    stdin_read: bool,
}

impl Input {
    /// The subcommand's body: `--json-body` with the body flags over it. Neither given is a
    /// usage error.
    pub fn required_body<T: DeserializeOwned>(
        &mut self,
        matches: &ArgMatches,
        flags: &[Flag],
    ) -> Result<T, Failure> {
        match self.body_value(matches, flags)? {
            Some(value) => Ok(request_body::from_value(value)?),
            None => Err(Failure::usage(
                "this subcommand needs a request body: --json-body FILE (- reads standard input), or its body flags",
            )),
        }
    }

    /// An optional body: `None` when neither `--json-body` nor a body flag is given.
    #[allow(dead_code)] // for documents with optional bodies
    pub fn optional_body<T: DeserializeOwned>(
        &mut self,
        matches: &ArgMatches,
        flags: &[Flag],
    ) -> Result<Option<T>, Failure> {
        self.body_value(matches, flags)?
            .map(|value| request_body::from_value(value).map_err(Failure::from))
            .transpose()
    }

    fn body_value(
        &mut self,
        matches: &ArgMatches,
        flags: &[Flag],
    ) -> Result<Option<Value>, Failure> {
        let file = matches.get_one::<String>("json-body");
        let given: Vec<&Flag> = flags
            .iter()
            .filter(|f| matches.get_one::<String>(f.flag).is_some())
            .collect();
        if file.is_none() && given.is_empty() {
            return Ok(None);
        }
        let mut body = match file {
            Some(source) => self.read_json(source)?,
            None => Map::new(),
        };
        for flag in given {
            let text = matches
                .get_one::<String>(flag.flag)
                .cloned()
                .unwrap_or_default();
            body.insert(flag.field.to_string(), typed(flag, &text)?);
        }
        Ok(Some(Value::Object(body)))
    }

    /// Reads a JSON object from a file, or from standard input for `-`, exactly once, through
    /// the library: a regular file only, within its size limit, a key twice refused.
    fn read_json(&mut self, source: &str) -> Result<Map<String, Value>, Failure> {
        let path = if source == "-" {
            if self.stdin_read {
                return Err(Failure::usage("standard input can be read only once"));
            }
            self.stdin_read = true;
            None
        } else {
            Some(std::path::Path::new(source))
        };
        match request_body::read(path)? {
            Value::Object(map) => Ok(map),
            _ => Err(Failure::usage(format!(
                "{}: the request body must be a JSON object",
                path.map_or("standard input".to_string(), |p| p.display().to_string())
            ))),
        }
    }
}

/// A flag's text as the JSON value of its field's type.
fn typed(flag: &Flag, text: &str) -> Result<Value, Failure> {
    let bad = || {
        Failure::usage(format!(
            "--{}: {text:?} is not a valid {}",
            flag.flag, flag.kind
        ))
    };
    Ok(match flag.kind {
        "boolean" => Value::Bool(text.parse().map_err(|_| bad())?),
        "integer" => Value::from(text.parse::<i64>().map_err(|_| bad())?),
        "number" => serde_json::Number::from_f64(text.parse().map_err(|_| bad())?)
            .map(Value::Number)
            .ok_or_else(bad)?,
        _ => Value::String(text.to_string()),
    })
}

/// A required flag's text.
pub fn text(matches: &ArgMatches, flag: &str) -> Result<String, Failure> {
    optional_text(matches, flag).ok_or_else(|| Failure::usage(format!("--{flag} is required")))
}

/// An optional flag's text.
pub fn optional_text(matches: &ArgMatches, flag: &str) -> Option<String> {
    matches.get_one::<String>(flag).cloned()
}
