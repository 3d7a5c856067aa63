//! SDK-HMAC-SHA256 request signing, byte for byte as Huawei Cloud's SDK core does it. The
//! client signs every call itself; [`sign_request`] and [`sign_parts`] are public so that
//! requests to other Huawei Cloud APIs, or through another HTTP stack, can be signed the same way.
//!
//! The canonical request is
//! `METHOD \n canonical URI \n canonical query \n canonical headers \n signed headers \n hex(sha256(body))`,
//! the string to sign is `SDK-HMAC-SHA256 \n X-Sdk-Date \n hex(sha256(canonical request))`, and
//! the signature is `hex(hmac_sha256(SK, string to sign))`.

use std::time::SystemTime;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, HOST};
use ring::{digest, hmac};

use crate::secret::Secret;

/// The signing algorithm's name, as it appears in `Authorization`.
const ALGORITHM: &str = "SDK-HMAC-SHA256";
/// Header carrying the signing time.
const X_SDK_DATE: &str = "x-sdk-date";
/// Header carrying the project id.
const X_PROJECT_ID: &str = "x-project-id";
/// Header carrying the security token of temporary credentials (signed, and secret).
const X_SECURITY_TOKEN: &str = "x-security-token";

/// The values a request is signed with: the key pair, and the headers the signature covers.
#[derive(Debug, Clone)]
pub struct SigningParams<'a> {
    access_key: &'a str,
    secret_key: &'a Secret,
    project_id: Option<&'a str>,
    security_token: Option<&'a Secret>,
}

impl<'a> SigningParams<'a> {
    /// Signs with the access key and its secret key.
    pub fn new(access_key: &'a str, secret_key: &'a Secret) -> Self {
        Self {
            access_key,
            secret_key,
            project_id: None,
            security_token: None,
        }
    }

    /// Sends (and signs) `X-Project-Id`.
    pub fn project_id(mut self, project_id: &'a str) -> Self {
        self.project_id = Some(project_id);
        self
    }

    /// Sends (and signs) the security token of temporary credentials as `X-Security-Token`.
    pub fn security_token(mut self, token: &'a Secret) -> Self {
        self.security_token = Some(token);
        self
    }
}

/// The request could not be signed (a header value the SDK would reject).
#[derive(Debug, thiserror::Error)]
#[error("cannot sign the request: {0}")]
pub struct SigningError(String);

/// The header saying how the body is signed, and its value for a body left out.
const X_SDK_CONTENT_SHA256: &str = "x-sdk-content-sha256";
const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// Signs `request` in place: adds `X-Sdk-Date`, `X-Project-Id`, `X-Security-Token` and `Host`,
/// trims header values, and sets `Authorization`. Signs the exact body bytes that will be sent
/// (a body that is neither JSON nor BSON is marked `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`
/// and left out, as the official signer does).
pub fn sign_request(
    request: &mut reqwest::Request,
    key: &SigningParams<'_>,
    now: SystemTime,
) -> Result<(), SigningError> {
    let body: &[u8] = match request.body() {
        None => &[],
        Some(body) => body.as_bytes().ok_or_else(|| {
            SigningError("a streaming body cannot be signed; send the bytes instead".into())
        })?,
    };
    // The official signer leaves a body that is neither JSON nor BSON out of the signature,
    // saying so in a signed header; the gateway verifies it that way.
    let content_type = request
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).to_string());
    let unsigned = !body.is_empty()
        && content_type.is_some_and(|t| {
            !t.starts_with("application/json") && !t.starts_with("application/bson")
        });
    let body_hash = if unsigned {
        insert(
            request.headers_mut(),
            X_SDK_CONTENT_SHA256,
            UNSIGNED_PAYLOAD,
        )?;
        UNSIGNED_PAYLOAD.to_string()
    } else {
        hex(sha256(body).as_ref())
    };
    let method = request.method().clone();
    let url = request.url().clone();
    sign_parts(
        method.as_str(),
        &url,
        request.headers_mut(),
        &body_hash,
        key,
        now,
    )
}

/// Signs a request given by its parts (for HTTP stacks other than this crate's `reqwest`):
/// `body_hash` is the lower-case hex SHA-256 of the exact body bytes sent.
pub fn sign_parts(
    method: &str,
    url: &reqwest::Url,
    headers: &mut HeaderMap,
    body_hash: &str,
    key: &SigningParams<'_>,
    now: SystemTime,
) -> Result<(), SigningError> {
    let date = crate::clock::sdk_date(now);
    headers.remove(AUTHORIZATION);
    insert(headers, X_SDK_DATE, &date)?;
    insert(headers, HOST.as_str(), &host_of(url))?;
    if let Some(project_id) = key.project_id {
        insert(headers, X_PROJECT_ID, project_id)?;
    }
    if let Some(token) = key.security_token {
        insert(headers, X_SECURITY_TOKEN, token.expose())?;
        if let Some(value) = headers.get_mut(X_SECURITY_TOKEN) {
            value.set_sensitive(true);
        }
    }
    trim_values(headers)?;

    let signed = signed_header_names(headers);
    let canonical = canonical_request(method, url, headers, &signed, body_hash);
    let signature = signature(key.secret_key, &date, &canonical);
    let authorization = format!(
        "{ALGORITHM} Access={}, SignedHeaders={}, Signature={signature}",
        key.access_key,
        signed.join(";")
    );
    insert(headers, AUTHORIZATION.as_str(), &authorization)
}

/// Lower-case hex SHA-256 of `body`, as [`sign_parts`] wants it.
pub fn body_hash(body: &[u8]) -> String {
    hex(sha256(body).as_ref())
}

/// `Host` as the SDK derives it: the URL's host, with the port when the URL names one.
fn host_of(url: &reqwest::Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// Lower-cased names of every header to sign: all present, except those containing `_`.
fn signed_header_names(headers: &HeaderMap) -> Vec<String> {
    let mut names: Vec<String> = headers
        .keys()
        .map(|name| name.as_str().to_ascii_lowercase())
        .filter(|name| !name.contains('_'))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The canonical request for `signed` headers of `headers` (values already trimmed).
fn canonical_request(
    method: &str,
    url: &reqwest::Url,
    headers: &HeaderMap,
    signed: &[String],
    body_hash: &str,
) -> String {
    let mut canonical_headers = String::new();
    for name in signed {
        let value = headers
            .get(name.as_str())
            .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_string())
            .unwrap_or_default();
        canonical_headers.push_str(name);
        canonical_headers.push(':');
        canonical_headers.push_str(&value);
        canonical_headers.push('\n');
    }
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        method.to_ascii_uppercase(),
        canonical_uri(url.path()),
        canonical_query(url),
        canonical_headers,
        signed.join(";"),
        body_hash
    )
}

/// The hex HMAC-SHA256 signature of the string to sign built from `canonical`.
fn signature(secret_key: &Secret, date: &str, canonical: &str) -> String {
    let string_to_sign = format!(
        "{ALGORITHM}\n{date}\n{}",
        hex(sha256(canonical.as_bytes()).as_ref())
    );
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret_key.expose().as_bytes());
    hex(hmac::sign(&key, string_to_sign.as_bytes()).as_ref())
}

/// SHA-256 by ring, the crypto provider the client's TLS already uses: one crypto library
/// in a dependent's build.
fn sha256(data: &[u8]) -> digest::Digest {
    digest::digest(&digest::SHA256, data)
}

/// Each path segment percent-decoded, then re-encoded leaving only `A-Z a-z 0-9 - _ . ~`;
/// always ends with `/`.
fn canonical_uri(path: &str) -> String {
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let mut uri = decoded.split('/').map(encode).collect::<Vec<_>>().join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// Query pairs sorted by decoded name then value (as the SDK sorts them), each part encoded
/// like a path segment.
fn canonical_query(url: &reqwest::Url) -> String {
    let mut pairs: Vec<_> = url.query_pairs().collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes everything but the unreserved characters of RFC 3986.
fn encode(text: &str) -> String {
    const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(text, UNRESERVED).to_string()
}

/// Lower-case hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(DIGITS[usize::from(byte >> 4)] as char);
        out.push(DIGITS[usize::from(byte & 0xf)] as char);
    }
    out
}

fn insert(headers: &mut HeaderMap, name: &str, value: &str) -> Result<(), SigningError> {
    let name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| SigningError(format!("invalid header name {name:?}")))?;
    // The value may be secret (a token): the error names the header, never the value.
    let value = HeaderValue::from_str(value)
        .map_err(|_| SigningError(format!("invalid characters in the value of {name}")))?;
    headers.insert(name, value);
    Ok(())
}

/// The SDK sends (and signs) header values without surrounding white space.
fn trim_values(headers: &mut HeaderMap) -> Result<(), SigningError> {
    for value in headers.values_mut() {
        let bytes = value.as_bytes();
        let trimmed = bytes.trim_ascii();
        if trimmed.len() != bytes.len() {
            let sensitive = value.is_sensitive();
            *value = HeaderValue::from_bytes(trimmed)
                .map_err(|_| SigningError("a header value cannot be trimmed".into()))?;
            value.set_sensitive(sensitive);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_uri_reencodes_each_segment_and_ends_with_a_slash() {
        assert_eq!(canonical_uri("/v2/p/jobs"), "/v2/p/jobs/");
        assert_eq!(
            canonical_uri("/v2/p/job%20one%C3%A9~x"),
            "/v2/p/job%20one%C3%A9~x/"
        );
        assert_eq!(canonical_uri("/a+b/c:d"), "/a%2Bb/c%3Ad/");
        assert_eq!(canonical_uri("/"), "/");
    }

    #[test]
    fn canonical_query_sorts_and_encodes() {
        let url = reqwest::Url::parse("https://h/p?b=2&a=x%20y&a=1&c=a%2Bb").unwrap();
        assert_eq!(canonical_query(&url), "a=1&a=x%20y&b=2&c=a%2Bb");
    }

    #[test]
    fn hex_encodes_every_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
    }
}
