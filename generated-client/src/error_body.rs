//! Reading the code and message out of an error body of whatever shape the service, its API
//! gateway or a proxy in between produced.

use serde_json::{Map, Value};

/// What an error body says, whatever its shape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorBody {
    /// Error code.
    pub code: Option<String>,
    /// Error message.
    pub message: Option<String>,
    /// Further details (`error_detail`), such as the field at fault.
    pub detail: Option<String>,
    /// Encrypted authorization message.
    pub encoded_authorization_message: Option<String>,
}

/// Names each field goes by: the service's, camel case, the gateway's and generic ones.
const CODE: [&str; 4] = ["error_code", "errorCode", "code", "error"];
const MESSAGE: [&str; 5] = ["error_msg", "errorMsg", "message", "msg", "error_message"];
const DETAIL: [&str; 3] = ["error_detail", "errorDetail", "detail"];
const ENCODED: [&str; 1] = ["encoded_authorization_message"];

/// Longest message kept from a plain-text or HTML body.
const TEXT_LIMIT: usize = 300;

impl ErrorBody {
    /// Parses JSON of any of the known shapes (flat, camel case, gateway `code`/`message`,
    /// nested under one key such as `{"error": {...}}`), else takes text or an HTML title.
    pub fn parse(body: &[u8]) -> Self {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(object)) => Self::from_object(&object)
                .or_else(|| {
                    object
                        .values()
                        .filter_map(Value::as_object)
                        .find_map(Self::from_object)
                })
                .unwrap_or_default(),
            Ok(_) | Err(_) => Self {
                message: text_message(&String::from_utf8_lossy(body)),
                ..Self::default()
            },
        }
    }

    fn from_object(object: &Map<String, Value>) -> Option<Self> {
        let field = |names: &[&str]| {
            names.iter().find_map(|name| match object.get(*name)? {
                Value::String(s) if !s.is_empty() => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
        };
        let found = Self {
            code: field(&CODE),
            message: field(&MESSAGE),
            detail: field(&DETAIL),
            encoded_authorization_message: field(&ENCODED),
        };
        (found.code.is_some() || found.message.is_some()).then_some(found)
    }
}

/// A one-line message from a text body: an HTML page's `<title>` or its text without tags.
fn text_message(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let text = match (lower.find("<title>"), lower.find("</title>")) {
        (Some(start), Some(end)) if start + 7 <= end => text[start + 7..end].to_string(),
        _ => strip_tags(text),
    };
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.is_empty() {
        return None;
    }
    Some(match line.char_indices().nth(TEXT_LIMIT) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    })
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> (Option<String>, Option<String>) {
        let b = ErrorBody::parse(body.as_bytes());
        (b.code, b.message)
    }

    fn some(code: &str, message: &str) -> (Option<String>, Option<String>) {
        (Some(code.into()), Some(message.into()))
    }

    #[test]
    fn every_known_shape_yields_code_and_message() {
        assert_eq!(
            parse(r#"{"error_code":"WKS.0001","error_msg":"bad"}"#),
            some("WKS.0001", "bad")
        );
        assert_eq!(
            parse(r#"{"errorCode":"WKS.0002","errorMsg":"camel"}"#),
            some("WKS.0002", "camel")
        );
        assert_eq!(
            parse(r#"{"code":"APIGW.0301","message":"gw"}"#),
            some("APIGW.0301", "gw")
        );
        assert_eq!(
            parse(r#"{"error":{"code":"IAM.0001","message":"nested"}}"#),
            some("IAM.0001", "nested")
        );
        assert_eq!(
            parse(r#"{"badRequest":{"code":400,"message":"nova style"}}"#),
            some("400", "nova style")
        );
        assert_eq!(
            parse("upstream connect error"),
            (None, Some("upstream connect error".into()))
        );
        assert_eq!(
            parse(
                "<html><head><title>502 Bad Gateway</title></head><body><h1>x</h1></body></html>"
            ),
            (None, Some("502 Bad Gateway".into()))
        );
        assert_eq!(
            parse("<p>Service <b>down</b></p>"),
            (None, Some("Service down".into()))
        );
        assert_eq!(parse(""), (None, None));
        assert_eq!(parse("[1,2]"), (None, Some("[1,2]".into())));
    }

    #[test]
    fn long_text_is_cut() {
        let message = parse(&"x".repeat(1000)).1.unwrap();
        assert_eq!(message.chars().count(), TEXT_LIMIT + 1);
    }
}
