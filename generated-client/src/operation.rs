//! What every generated operation does the same way: checking what goes into the request,
//! and reading the answer. The generated builders (`crate::operations`) call these.
//!
//! Every answer reaches [`finish`]: the documented success as bytes, every other status as the
//! whole `reqwest::Response` (the generation view leaves the error answers out of what
//! progenitor sees). So status, headers and raw body are in hand wherever an error is built,
//! and every body is read within the configured size limit.

use std::future::poll_fn;
use std::pin::Pin;

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use progenitor_client::{ByteStream, ResponseValue};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::client::Client;
use crate::error::{
    self, Error, FailedItem, PartialFailure, ServiceError, Unexpected, UnexpectedResponse,
};
use crate::response::Response;

/// The longest path or query value accepted, in bytes (gateways refuse longer URLs anyway).
const MAX_PARAMETER_LENGTH: usize = 1024;

/// What progenitor's generated `send()` returns, for the view's operations.
type Sent<T> = Result<ResponseValue<T>, progenitor_client::Error>;

/// A value a builder refused, kept until `send()` reports it (builders stay `Clone`).
#[derive(Debug, Clone)]
pub(crate) struct Invalid {
    field: Option<String>,
    message: String,
}

impl Invalid {
    fn new(field: &str, message: String) -> Self {
        Self {
            field: Some(field.to_string()),
            message,
        }
    }
}

impl From<Invalid> for Error {
    fn from(invalid: Invalid) -> Self {
        Error::invalid(invalid.field, invalid.message)
    }
}

/// Where a text parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// A path segment.
    Path,
    /// The query string (encoded by the HTTP client).
    Query,
}

/// The bounds the document gives a value (see `workspace_codegen::model::Bounds`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
}

impl Bounds {
    /// No bound at all: generated code names only the bounds a value has
    /// (`Bounds { max_length: Some(255), ..Bounds::NONE }`), which keeps it short.
    pub const NONE: Bounds = Bounds {
        min_length: None,
        max_length: None,
        min_items: None,
        max_items: None,
        minimum: None,
        maximum: None,
    };
}

/// A text parameter, checked against its bounds and values. A path value is also kept inside
/// its segment: progenitor encodes what could end a segment (`/`, `?`, `#`, `%`), but not a
/// dot segment, which URL parsers resolve (`..` climbs out of the API path), nor `\`, which
/// they read as `/`. Messages never repeat the value (it may be long, or personal).
pub(crate) fn text_parameter(
    name: &str,
    value: String,
    place: Place,
    bounds: &Bounds,
    values: &[&str],
) -> Result<String, Invalid> {
    let invalid = |why: String| Err(Invalid::new(name, format!("{name} {why}")));
    if place == Place::Path {
        if value.is_empty() {
            return invalid("is empty".into());
        }
        if value == "." || value == ".." {
            return invalid(format!(
                "is {value:?}, a dot segment that would leave its place in the URL path"
            ));
        }
        if value.contains('\\') {
            return invalid("contains '\\', which URL parsers read as '/'".into());
        }
    }
    if value.len() > MAX_PARAMETER_LENGTH {
        return invalid(format!(
            "is {} bytes long; the longest accepted is {MAX_PARAMETER_LENGTH}",
            value.len()
        ));
    }
    if let Err(why) = within(Measure::Length(value.chars().count() as u64), bounds) {
        return invalid(why);
    }
    if !values.is_empty() && !values.contains(&value.as_str()) {
        return invalid(format!("must be one of {}", values.join(", ")));
    }
    Ok(value)
}

/// An integer parameter, checked against its range.
pub(crate) fn integer_parameter(name: &str, value: i64, bounds: &Bounds) -> Result<i64, Invalid> {
    within(Measure::Number(value), bounds)
        .map(|()| value)
        .map_err(|why| Invalid::new(name, format!("{name} {why}")))
}

/// What a bound is measured on: a text's characters, an array's items, a number.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Measure {
    Length(u64),
    Items(u64),
    Number(i64),
}

/// A value of a generated type whose bounds the operations layer checks.
pub(crate) trait Bounded {
    /// The measure of the value; `None` when it is absent.
    fn measure(&self) -> Option<Measure>;
}

impl Bounded for String {
    fn measure(&self) -> Option<Measure> {
        Some(Measure::Length(self.chars().count() as u64))
    }
}

impl<T> Bounded for Vec<T> {
    fn measure(&self) -> Option<Measure> {
        Some(Measure::Items(self.len() as u64))
    }
}

impl<T: Bounded> Bounded for Option<T> {
    fn measure(&self) -> Option<Measure> {
        self.as_ref().and_then(Bounded::measure)
    }
}

macro_rules! bounded_integers {
    ($($t:ty),*) => {$(
        impl Bounded for $t {
            fn measure(&self) -> Option<Measure> {
                Some(Measure::Number(i64::try_from(*self).unwrap_or(i64::MAX)))
            }
        }
    )*};
}
bounded_integers!(i32, i64, u32, u64);

/// Why `measure` breaks `bounds`, if it does (words that follow the value's name).
fn within(measure: Measure, bounds: &Bounds) -> Result<(), String> {
    let count = |n: u64, low: Option<u64>, high: Option<u64>, unit: &str| {
        if let Some(high) = high.filter(|high| n > *high) {
            return Err(format!("has {n} {unit}; at most {high} are accepted"));
        }
        if let Some(low) = low.filter(|low| n < *low) {
            return Err(format!("has {n} {unit}; at least {low} are needed"));
        }
        Ok(())
    };
    match measure {
        Measure::Length(n) => count(n, bounds.min_length, bounds.max_length, "characters"),
        Measure::Items(n) => count(n, bounds.min_items, bounds.max_items, "items"),
        Measure::Number(n) => {
            if let Some(high) = bounds.maximum.filter(|high| n > *high) {
                return Err(format!("is {n}; the largest accepted is {high}"));
            }
            if let Some(low) = bounds.minimum.filter(|low| n < *low) {
                return Err(format!("is {n}; the smallest accepted is {low}"));
            }
            Ok(())
        }
    }
}

/// Checks the field `property` of the value at `at` against its bounds; the path is built
/// only for the message.
pub(crate) fn check_field(
    value: &impl Bounded,
    at: &FieldPath<'_>,
    property: &str,
    bounds: &Bounds,
) -> Result<(), Error> {
    let Some(measure) = value.measure() else {
        return Ok(());
    };
    within(measure, bounds).map_err(|why| {
        let field = at.field(property, None).render();
        Error::invalid(Some(field.clone()), format!("{field} {why}"))
    })
}

/// Makes sure the client holds credentials valid now (renewing them when due) before a call
/// is sent: a source that cannot give them is the call's error, and nothing is sent.
pub(crate) async fn credentials_ready(client: &Client) -> Result<(), Error> {
    let config = client.config();
    config
        .credentials()
        .get(config.clock())
        .await
        .map(drop)
        .map_err(Error::Credentials)
}

/// A value the builder needs: missing is an error naming it.
pub(crate) fn required<T>(name: &str, value: Option<Result<T, Invalid>>) -> Result<T, Error> {
    match value {
        Some(value) => value.map_err(Error::from),
        None => Err(Error::invalid(
            Some(name.to_string()),
            format!("{name} is required"),
        )),
    }
}

/// An optional value: absent is fine, refused is an error.
pub(crate) fn optional<T>(value: Option<Result<T, Invalid>>) -> Result<Option<T>, Error> {
    value.transpose().map_err(Error::from)
}

/// A request body from anything that converts to it (its builder, or itself); a rule of the
/// document it breaks is an error naming the field.
pub(crate) fn body<T, B>(body: B) -> Result<T, Invalid>
where
    B: TryInto<T>,
    B::Error: std::fmt::Display,
{
    body.try_into().map_err(|e| {
        let message = e.to_string();
        Invalid {
            field: field_of(&message),
            message,
        }
    })
}

/// The field a typify conversion error names (`... supplied value for FIELD: ...` or
/// `no value supplied for FIELD`).
fn field_of(message: &str) -> Option<String> {
    let start = message.rfind("supplied value for ").map(|i| i + 19);
    let start = start.or_else(|| message.rfind("no value supplied for ").map(|i| i + 22))?;
    let field: String = message[start..]
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!field.is_empty()).then_some(field)
}

/// A text field of a generated type, required (`String`) or optional (`Option<String>`).
pub(crate) trait Text {
    fn text(&self) -> Option<&str>;
}

impl Text for String {
    fn text(&self) -> Option<&str> {
        Some(self)
    }
}

impl Text for Option<String> {
    fn text(&self) -> Option<&str> {
        self.as_deref()
    }
}

/// The text of a field, whether the document requires it or not.
pub(crate) fn text(field: &impl Text) -> Option<&str> {
    field.text()
}

/// `x-required-when`: `requires` must be present when `property` is one of `values`.
pub(crate) struct RequiredWhen {
    pub property: &'static str,
    pub values: &'static [&'static str],
    pub requires: &'static [&'static str],
}

/// Where a value sits in a request body, for messages (`desktops[0].assign_model`): a chain
/// of borrowed steps on the stack, turned into text only when a check fails, so a request
/// that passes every check allocates nothing for its paths.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FieldPath<'a> {
    parent: Option<&'a FieldPath<'a>>,
    property: &'a str,
    index: Option<usize>,
}

impl<'a> FieldPath<'a> {
    /// The body itself.
    pub(crate) const ROOT: FieldPath<'static> = FieldPath {
        parent: None,
        property: "",
        index: None,
    };

    /// The field `property` of this value (its item `index`, for an array).
    pub(crate) fn field(&'a self, property: &'a str, index: Option<usize>) -> FieldPath<'a> {
        FieldPath {
            parent: Some(self),
            property,
            index,
        }
    }

    /// The path as text: `desktops[0].assign_model`.
    pub(crate) fn render(&self) -> String {
        let mut path = self.parent.map(FieldPath::render).unwrap_or_default();
        if !self.property.is_empty() {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(self.property);
        }
        if let Some(index) = self.index {
            path.push_str(&format!("[{index}]"));
        }
        path
    }
}

/// Checks `rules` on `node` (the object at `at`), as its wire form.
pub(crate) fn required_when(
    node: &impl Serialize,
    at: &FieldPath<'_>,
    rules: &[RequiredWhen],
) -> Result<(), Error> {
    let value = serde_json::to_value(node).unwrap_or(Value::Null);
    for rule in rules {
        let Some(decider) = value.get(rule.property).and_then(Value::as_str) else {
            continue;
        };
        if !rule.values.contains(&decider) {
            continue;
        }
        for needed in rule.requires {
            if value.get(*needed).is_none_or(Value::is_null) {
                let field = at.field(needed, None).render();
                return Err(Error::invalid(
                    Some(field.clone()),
                    format!("{field} is required when {} is {decider}", rule.property),
                ));
            }
        }
    }
    Ok(())
}

/// Reads the answer of a generated call: the documented success decoded as `T`, anything
/// else an error that keeps status, headers and raw body.
pub(crate) async fn finish<T: DeserializeOwned>(
    client: &Client,
    sent: Sent<ByteStream>,
) -> Result<Response<T>, Error> {
    let limit = client.config().max_response_body();
    let answer = match sent {
        Ok(answer) => answer,
        Err(error) => return Err(from_generated(client, error).await),
    };
    let status = answer.status();
    let headers = answer.headers().clone();
    let expected = answer.content_length();
    let body = match read(answer.into_inner_stream(), limit, expected).await {
        Ok(body) => body,
        Err(Read::TooLarge(start)) => return Err(too_large(status, headers, start, limit)),
        Err(Read::Failed(source)) => return Err(interrupted(status, headers, source)),
    };
    if let Some(encoding) = content_encoding(&headers) {
        return Err(Error::UnexpectedResponse(Box::new(
            UnexpectedResponse::new(status, headers, body, Unexpected::Encoded(encoding)),
        )));
    }
    match decode::<T>(&body) {
        Ok(value) => Ok(Response::new(value, status, headers)),
        Err(reason) => Err(Error::UnexpectedResponse(Box::new(
            UnexpectedResponse::new(status, headers, body, Unexpected::Undecodable(reason)),
        ))),
    }
}

// Called by generated code when the document has such an operation.
#[allow(dead_code)]
/// [`finish`] for a success without a body.
pub(crate) async fn finish_empty(client: &Client, sent: Sent<()>) -> Result<Response<()>, Error> {
    match sent {
        Ok(answer) => {
            let (status, headers) = (answer.status(), answer.headers().clone());
            Ok(Response::new((), status, headers))
        }
        Err(error) => Err(from_generated(client, error).await),
    }
}

/// An answer that lists failed items is a [`PartialFailure`], never a success.
pub(crate) fn refuse_partial_failures<T: Serialize>(
    response: Response<T>,
    failures: impl FnOnce(&T) -> (Vec<FailedItem>, Option<String>),
) -> Result<Response<T>, Error> {
    let (failed, job_id) = failures(&response);
    if failed.is_empty() {
        return Ok(response);
    }
    let answer = serde_json::to_value(&*response).unwrap_or(Value::Null);
    let (status, headers) = (response.status(), response.headers().clone());
    Err(Error::PartialFailure(Box::new(PartialFailure::new(
        failed, job_id, answer, status, headers,
    ))))
}

/// The one function that turns progenitor's error into this crate's: an answer other than
/// the documented success arrives here whole, and is read once, within `limit`.
async fn from_generated(client: &Client, error: progenitor_client::Error) -> Error {
    let limit = client.config().max_response_body();
    use progenitor_client::Error as Generated;
    match error {
        Generated::UnexpectedResponse(response) => from_answer(client, response, limit).await,
        Generated::InvalidRequest(message) => {
            let field = message
                .split(" for ")
                .nth(1)
                .and_then(|rest| rest.split_whitespace().next())
                .map(str::to_string);
            Error::invalid(field, message)
        }
        // The request could not be signed: it was not sent.
        Generated::Custom(message) => Error::invalid(None, message),
        Generated::CommunicationError(source)
        | Generated::ResponseBodyError(source)
        | Generated::InvalidUpgrade(source) => error::from_transport(source),
        // The view hands progenitor no error schema and no JSON success, so it neither
        // decodes an error answer nor a success body; were it to, the answer is kept.
        Generated::ErrorResponse(answer) => {
            let (status, headers) = (answer.status(), answer.headers().clone());
            Error::UnexpectedResponse(Box::new(UnexpectedResponse::new(
                status,
                headers,
                Bytes::new(),
                Unexpected::UndocumentedStatus,
            )))
        }
        Generated::InvalidResponsePayload(body, e) => {
            Error::UnexpectedResponse(Box::new(UnexpectedResponse::new(
                StatusCode::OK,
                HeaderMap::new(),
                body,
                Unexpected::Undecodable(e.to_string()),
            )))
        }
    }
}

/// An answer other than the documented success: a redirect is never followed, an error
/// status is the service's error, anything else is unexpected.
async fn from_answer(client: &Client, response: reqwest::Response, limit: usize) -> Error {
    let status = response.status();
    let headers = response.headers().clone();
    let body = match read_response(response, limit).await {
        Ok(body) => body,
        Err(Read::TooLarge(start)) => return too_large(status, headers, start, limit),
        Err(Read::Failed(source)) => return interrupted(status, headers, source),
    };
    if let Some(encoding) = content_encoding(&headers) {
        return Error::UnexpectedResponse(Box::new(UnexpectedResponse::new(
            status,
            headers,
            body,
            Unexpected::Encoded(encoding),
        )));
    }
    if status.is_client_error() || status.is_server_error() {
        let config = client.config();
        let signed_with = config.credentials().held();
        let error = ServiceError::new(status, headers, body).diagnosed(
            config.clock().now(),
            signed_with.as_ref().and_then(|c| c.access_key()),
        );
        return Error::Service(Box::new(error));
    }
    let kind = if status.is_redirection() {
        Unexpected::Redirect
    } else {
        Unexpected::UndocumentedStatus
    };
    Error::UnexpectedResponse(Box::new(UnexpectedResponse::new(
        status, headers, body, kind,
    )))
}

/// The `Content-Encoding` of an answer, unless there is none (or `identity`). The client asks
/// for no encoding, so a body that has one is refused by name rather than misread as JSON.
fn content_encoding(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(reqwest::header::CONTENT_ENCODING)?;
    let text = String::from_utf8_lossy(value.as_bytes()).trim().to_string();
    (!text.is_empty() && !text.eq_ignore_ascii_case("identity")).then_some(text)
}

/// An answer whose body was cut off: its status and headers (request id included) are kept.
/// A deadline that struck is a timeout, as anywhere else in a call.
fn interrupted(status: StatusCode, headers: HeaderMap, source: reqwest::Error) -> Error {
    if source.is_timeout() {
        return error::from_transport(source);
    }
    let mut reason = source.to_string();
    let mut cause = std::error::Error::source(&source);
    while let Some(current) = cause {
        reason.push_str(&format!(": {current}"));
        cause = current.source();
    }
    Error::UnexpectedResponse(Box::new(UnexpectedResponse::new(
        status,
        headers,
        Bytes::new(),
        Unexpected::Interrupted(reason),
    )))
}

fn too_large(status: StatusCode, headers: HeaderMap, start: Bytes, limit: usize) -> Error {
    Error::UnexpectedResponse(Box::new(UnexpectedResponse::new(
        status,
        headers,
        start,
        Unexpected::TooLarge { limit },
    )))
}

/// How much of an oversized body is kept in the error.
const KEPT_OF_OVERSIZED: usize = 4096;

enum Read {
    /// Over the limit; the body's start.
    TooLarge(Bytes),
    /// The transport failed while reading.
    Failed(reqwest::Error),
}

/// Where a body's chunks come from.
enum Chunks {
    /// The success body, as progenitor hands it over.
    Stream(Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send + Sync>>),
    /// Any other answer, whole.
    Response(reqwest::Response),
}

impl Chunks {
    async fn next(&mut self) -> Result<Option<Bytes>, Read> {
        let chunk = match self {
            Chunks::Stream(stream) => poll_fn(|cx| stream.as_mut().poll_next(cx)).await,
            Chunks::Response(response) => response.chunk().await.transpose(),
        };
        chunk.transpose().map_err(Read::Failed)
    }
}

/// Reads a success body within `limit` bytes.
async fn read(
    stream: Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send + Sync>>,
    limit: usize,
    expected: Option<u64>,
) -> Result<Bytes, Read> {
    collect(Chunks::Stream(stream), limit, expected).await
}

/// Reads an error answer's body within `limit` bytes.
async fn read_response(response: reqwest::Response, limit: usize) -> Result<Bytes, Read> {
    let expected = response.content_length();
    collect(Chunks::Response(response), limit, expected).await
}

/// Gathers chunks until the end or the limit; a body in one chunk is not copied.
async fn collect(mut chunks: Chunks, limit: usize, expected: Option<u64>) -> Result<Bytes, Read> {
    if expected.is_some_and(|length| length > limit as u64) {
        let start = match chunks.next().await {
            Ok(Some(chunk)) => chunk.slice(..chunk.len().min(KEPT_OF_OVERSIZED)),
            _ => Bytes::new(),
        };
        return Err(Read::TooLarge(start));
    }
    let Some(first) = chunks.next().await? else {
        return Ok(Bytes::new());
    };
    let Some(second) = chunks.next().await? else {
        return if first.len() > limit {
            Err(Read::TooLarge(
                first.slice(..KEPT_OF_OVERSIZED.min(first.len())),
            ))
        } else {
            Ok(first)
        };
    };
    let capacity = expected.map_or(first.len() + second.len(), |length| length as usize);
    let mut body = BytesMut::with_capacity(capacity.min(limit));
    let mut pending = Some(second);
    let mut chunk = Some(first);
    while let Some(next) = chunk {
        if body.len() + next.len() > limit {
            body.extend_from_slice(&next[..(limit + 1 - body.len()).min(next.len())]);
            body.truncate(KEPT_OF_OVERSIZED);
            return Err(Read::TooLarge(body.freeze()));
        }
        body.extend_from_slice(&next);
        chunk = match pending.take() {
            Some(second) => Some(second),
            None => chunks.next().await?,
        };
    }
    Ok(body.freeze())
}

/// Decodes a success body. Huawei services send `null` for absent fields: a body that does
/// not decode as it is decodes again without its `null` members. The error names the field.
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    if let Ok(value) = serde_json::from_slice(body) {
        return Ok(value);
    }
    let mut tree: Value =
        serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    drop_null_members(&mut tree);
    serde_path_to_error::deserialize(tree).map_err(|e| {
        let path = e.path().to_string();
        if path == "." {
            e.inner().to_string()
        } else {
            format!("{path}: {}", e.inner())
        }
    })
}

/// Removes every object member whose value is `null`, at any depth.
fn drop_null_members(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(drop_null_members);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_null_members),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_come_out_of_typify_messages() {
        assert_eq!(
            field_of("conversion to `BatchAttachRequest` for body failed: error converting supplied value for computer_name: longer than 15 characters").as_deref(),
            Some("computer_name")
        );
        assert_eq!(
            field_of("no value supplied for user_group").as_deref(),
            Some("user_group")
        );
        assert_eq!(field_of("something else"), None);
    }

    #[test]
    fn field_paths_read_as_the_body_is_written() {
        let root = FieldPath::ROOT;
        assert_eq!(root.render(), "");
        let desktop = root.field("desktops", Some(3));
        assert_eq!(desktop.render(), "desktops[3]");
        let model = desktop.field("assign_model", None);
        assert_eq!(
            model.field("user_name", None).render(),
            "desktops[3].assign_model.user_name"
        );
        let error = check_field(
            &"a name that is too long".to_string(),
            &desktop,
            "user_name",
            &Bounds {
                max_length: Some(4),
                ..Bounds::NONE
            },
        )
        .unwrap_err();
        assert!(
            error.to_string().contains("desktops[3].user_name"),
            "{error}"
        );
    }

    fn path_value(name: &str, value: String) -> Result<String, Invalid> {
        text_parameter(name, value, Place::Path, &Bounds::NONE, &[])
    }

    #[test]
    fn path_values_stay_inside_their_segment() {
        for bad in [".", "..", "..\\..\\admin", "a\\b", ""] {
            let error = path_value("job_id", bad.to_string()).unwrap_err();
            assert_eq!(error.field.as_deref(), Some("job_id"), "{bad:?}");
        }
        let long = "x".repeat(100_000);
        let message = path_value("job_id", long).unwrap_err().message;
        assert!(message.len() < 200, "the value is not repeated: {message}");
        for fine in [
            "3979904c-7beb-4f34-835f-2fa989a5550a",
            "a/b",
            "a..b",
            "%2e%2e",
            "...",
        ] {
            assert!(path_value("job_id", fine.to_string()).is_ok(), "{fine}");
        }
    }

    #[test]
    fn parameters_keep_their_bounds_and_values() {
        let bounds = Bounds {
            max_length: Some(3),
            ..Bounds::NONE
        };
        let error = text_parameter("name", "abcd".into(), Place::Query, &bounds, &[]).unwrap_err();
        assert_eq!(
            error.message,
            "name has 4 characters; at most 3 are accepted"
        );
        assert!(
            text_parameter("name", "äbc".into(), Place::Query, &bounds, &[]).is_ok(),
            "characters, not bytes"
        );
        let error = text_parameter(
            "sort",
            "up".into(),
            Place::Query,
            &Bounds::NONE,
            &["ASC", "DESC"],
        )
        .unwrap_err();
        assert_eq!(error.message, "sort must be one of ASC, DESC");
        let range = Bounds {
            minimum: Some(-1),
            maximum: Some(500),
            ..Bounds::NONE
        };
        assert_eq!(
            integer_parameter("limit", 501, &range).unwrap_err().message,
            "limit is 501; the largest accepted is 500"
        );
        assert_eq!(
            integer_parameter("limit", -2, &range).unwrap_err().message,
            "limit is -2; the smallest accepted is -1"
        );
        assert_eq!(integer_parameter("limit", -1, &range).unwrap(), -1);
    }

    #[test]
    fn body_fields_keep_their_bounds() {
        let items = Bounds {
            min_items: Some(1),
            max_items: Some(2),
            ..Bounds::NONE
        };
        let root = FieldPath::ROOT;
        let error = check_field(&vec![1, 2, 3], &root, "desktops", &items).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid request, not sent: desktops has 3 items; at most 2 are accepted"
        );
        assert!(check_field(&Vec::<u8>::new(), &root, "desktops", &items).is_err());
        assert!(
            check_field(
                &None::<String>,
                &root,
                "user_name",
                &Bounds {
                    min_length: Some(1),
                    ..Bounds::NONE
                }
            )
            .is_ok(),
            "absent is not checked"
        );
    }

    #[test]
    fn nulls_decode_as_absent() {
        #[derive(serde::Deserialize, Debug)]
        struct Job {
            id: Option<String>,
            #[serde(default)]
            sub_jobs: Vec<Job>,
        }
        let job: Job =
            decode(br#"{"id": null, "sub_jobs": [{"id": "s", "sub_jobs": null}]}"#).unwrap();
        assert_eq!(job.id, None);
        assert_eq!(job.sub_jobs[0].id.as_deref(), Some("s"));
        let error = decode::<Job>(br#"{"id": 5}"#).unwrap_err();
        assert!(error.starts_with("id: invalid type"), "{error}");
        assert!(decode::<Job>(b"<html>")
            .unwrap_err()
            .starts_with("the body is not JSON"));
    }

    #[test]
    fn bodies_are_read_within_the_limit() {
        struct Fixed(Vec<Bytes>);
        impl Stream for Fixed {
            type Item = reqwest::Result<Bytes>;
            fn poll_next(
                mut self: Pin<&mut Self>,
                _: &mut std::task::Context<'_>,
            ) -> std::task::Poll<Option<Self::Item>> {
                let next = (!self.0.is_empty()).then(|| Ok(self.0.remove(0)));
                std::task::Poll::Ready(next)
            }
        }
        let run = |chunks: Vec<&'static [u8]>, limit: usize, expected: Option<u64>| {
            let stream = Fixed(chunks.into_iter().map(Bytes::from_static).collect());
            match block_on(read(Box::pin(stream), limit, expected)) {
                Ok(body) => Ok(body),
                Err(Read::TooLarge(start)) => Err(start.len()),
                Err(Read::Failed(_)) => Err(usize::MAX),
            }
        };
        assert_eq!(run(vec![b"abc"], 3, None), Ok(Bytes::from_static(b"abc")));
        assert_eq!(
            run(vec![b"ab", b"cd", b"e"], 5, None),
            Ok(Bytes::from_static(b"abcde"))
        );
        assert_eq!(
            run(vec![b"ab", b"cd", b"ef"], 5, None),
            Err(6),
            "kept up to the limit, and one byte more"
        );
        assert_eq!(run(vec![b"abcdef"], 5, None), Err(6));
        assert_eq!(
            run(vec![b"ab"], 5, Some(1 << 40)),
            Err(2),
            "a declared length over the limit is refused at once"
        );
        assert_eq!(run(vec![], 5, None), Ok(Bytes::new()));
    }

    /// Polls a future whose chunks are always ready to completion.
    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        loop {
            if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut context) {
                return output;
            }
        }
    }
}
