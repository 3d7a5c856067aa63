//! Checking who is calling: SDK-HMAC-SHA256 signatures, verified independently of the client's
//! signer (the canonical request is rebuilt from what arrived on the wire, with its own
//! encoding and date code, so a signer bug cannot hide behind shared code). This repeats what
//! the client's `signing.rs` and `clock.rs` compute, on purpose: a check that shared their
//! code would agree with their bugs. It hashes with RustCrypto where the signer uses ring.

use hmac::{Hmac, KeyInit, Mac};
use http::{HeaderMap, Method, Uri};
use sha2::{Digest, Sha256};

/// Why a signature was rejected.
pub type Rejection = String;

/// The access key id a signed request names in its `Authorization` header.
pub fn access_key_of(headers: &HeaderMap) -> Option<&str> {
    header(headers, "authorization")?
        .strip_prefix("SDK-HMAC-SHA256 ")?
        .split(", ")
        .find_map(|part| part.strip_prefix("Access="))
}

/// Checks the `Authorization` header of a received request against `access_key`/`secret_key`.
pub fn verify(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    access_key: &str,
    secret_key: &str,
) -> Result<(), Rejection> {
    let authorization = header(headers, "authorization").ok_or("no Authorization header")?;
    let rest = authorization
        .strip_prefix("SDK-HMAC-SHA256 ")
        .ok_or("Authorization is not SDK-HMAC-SHA256")?;
    let mut access = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(", ") {
        match part.split_once('=') {
            Some(("Access", v)) => access = Some(v),
            Some(("SignedHeaders", v)) => signed_headers = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => return Err(format!("unexpected Authorization part {part:?}")),
        }
    }
    let (access, signed_headers, signature) = (
        access.ok_or("no Access")?,
        signed_headers.ok_or("no SignedHeaders")?,
        signature.ok_or("no Signature")?,
    );
    if access != access_key {
        return Err(format!("unknown access key {access}"));
    }
    let date = header(headers, "x-sdk-date").ok_or("no X-Sdk-Date header")?;
    let names: Vec<&str> = signed_headers.split(';').collect();
    for required in ["host", "x-sdk-date"] {
        if !names.contains(&required) {
            return Err(format!("{required} is not signed"));
        }
    }
    let mut canonical_headers = String::new();
    let mut shown_headers = String::new();
    for name in &names {
        let value = header(headers, name).ok_or_else(|| format!("signed header {name} missing"))?;
        canonical_headers += &format!("{name}:{}\n", value.trim());
        // The canonical request is shown to help debug a signer; secrets never are.
        let shown = if SECRET_HEADERS.contains(name) {
            "***"
        } else {
            value.trim()
        };
        shown_headers += &format!("{name}:{shown}\n");
    }
    // As the gateway does: a non-empty body whose signed X-Sdk-Content-Sha256 says
    // UNSIGNED-PAYLOAD is left out of the signature (the official signer does that for bodies
    // that are not JSON).
    let unsigned = !body.is_empty()
        && names.contains(&"x-sdk-content-sha256")
        && header(headers, "x-sdk-content-sha256") == Some("UNSIGNED-PAYLOAD");
    let payload = if unsigned {
        "UNSIGNED-PAYLOAD".to_string()
    } else {
        to_hex(&Sha256::digest(body))
    };
    let canonical_with = |headers: &str| {
        [
            method.as_str().to_string(),
            canonical_path(uri.path()),
            canonical_query(uri.query().unwrap_or("")),
            headers.to_string(),
            signed_headers.to_string(),
            payload.clone(),
        ]
        .join("\n")
    };
    let canonical = canonical_with(&canonical_headers);
    let string_to_sign = format!(
        "SDK-HMAC-SHA256\n{date}\n{}",
        to_hex(&Sha256::digest(canonical.as_bytes()))
    );
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret_key.as_bytes())
        .map_err(|e| e.to_string())?;
    mac.update(string_to_sign.as_bytes());
    let expected = to_hex(&mac.finalize().into_bytes());
    if expected == signature {
        Ok(())
    } else {
        Err(format!(
            "signature mismatch; canonical request was (secrets shown as ***):\n{}",
            canonical_with(&shown_headers)
        ))
    }
}

/// Headers whose values are secret.
const SECRET_HEADERS: [&str; 2] = ["x-security-token", "x-auth-token"];

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// As the official signer does it: the whole path is decoded first, then split, so an
/// encoded `/` (`%2F`) inside a segment separates segments in the canonical form.
fn canonical_path(path: &str) -> String {
    let decoded = unescape(path, false);
    let mut out: String = decoded
        .split(|b| *b == b'/')
        .map(escape)
        .collect::<Vec<_>>()
        .join("/");
    if !out.ends_with('/') {
        out.push('/');
    }
    out
}

fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (unescape(k, true), unescape(v, true))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", escape(k), escape(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Decodes `%XX` escapes (and `+` as a space in query parts).
fn unescape(text: &str, plus_is_space: bool) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let digit = |b: u8| (b as char).to_digit(16);
                match (digit(bytes[i + 1]), digit(bytes[i + 2])) {
                    (Some(high), Some(low)) => {
                        out.push((high * 16 + low) as u8);
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                }
            }
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// Encodes every byte but RFC 3986's unreserved characters.
fn escape(bytes: &[u8]) -> String {
    let mut out = String::new();
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out += &format!("%{b:02X}");
        }
    }
    out
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether an `X-Sdk-Date` (`%Y%m%dT%H%M%SZ`, UTC) lies within `max_skew` of `now`.
pub fn is_fresh(sdk_date: &str, now: std::time::SystemTime, max_skew: std::time::Duration) -> bool {
    let Some(signed_at) = unix_seconds(sdk_date) else {
        return false;
    };
    let now = now
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    (now - signed_at).unsigned_abs() <= max_skew.as_secs()
}

/// Seconds since the Unix epoch of a `%Y%m%dT%H%M%SZ` date.
fn unix_seconds(date: &str) -> Option<i64> {
    let b = date.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let number = |from: usize, to: usize| -> Option<i64> { date.get(from..to)?.parse().ok() };
    let (y, m, d) = (number(0, 4)?, number(4, 6)?, number(6, 8)?);
    let (hh, mm, ss) = (number(9, 11)?, number(11, 13)?, number(13, 15)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Days from 1970-01-01 by counting from March 1st of year 0 (leap day last).
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let days = 365 * y + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + d - 1 - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn dates_convert_to_unix_seconds() {
        assert_eq!(unix_seconds("19700101T000000Z"), Some(0));
        assert_eq!(unix_seconds("20261120T081500Z"), Some(1_795_162_500));
        assert_eq!(unix_seconds("20000301T000000Z"), Some(951_868_800));
        assert_eq!(unix_seconds("2026-11-20"), None);
    }

    #[test]
    fn freshness_allows_the_skew_both_ways() {
        let now = UNIX_EPOCH + Duration::from_secs(1_795_162_500);
        let skew = Duration::from_secs(900);
        assert!(is_fresh("20261120T081500Z", now, skew));
        assert!(is_fresh("20261120T083000Z", now, skew));
        assert!(!is_fresh("20261120T083001Z", now, skew));
        assert!(!is_fresh("20261120T075959Z", now, skew));
    }

    #[test]
    fn a_tampered_body_fails_verification() {
        let headers = HeaderMap::new();
        let error = verify(
            &Method::GET,
            &"/x".parse().unwrap(),
            &headers,
            b"",
            "ak",
            "sk",
        )
        .unwrap_err();
        assert_eq!(error, "no Authorization header");
    }
}
