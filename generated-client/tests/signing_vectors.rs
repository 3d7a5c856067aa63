//! The signer reproduces, byte for byte, signatures computed by the official Python SDK core
//! (`tests/fixtures/signing_vectors.json`, written by `make_signing_vectors.py` beside it).

use std::time::{Duration, UNIX_EPOCH};

use huaweicloud_workspace::signing::{sign_request, SigningParams};
use huaweicloud_workspace::Secret;
use reqwest::header::{HeaderName, HeaderValue};
use serde_json::Value;

#[test]
fn signatures_match_the_official_sdk() {
    let vectors: Value =
        serde_json::from_str(include_str!("fixtures/signing_vectors.json")).unwrap();
    let secret_key = Secret::new(vectors["sk"].as_str().unwrap());
    let now = UNIX_EPOCH + Duration::from_secs(vectors["unix_time"].as_u64().unwrap());
    let cases = vectors["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 11);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let method =
            reqwest::Method::from_bytes(case["method"].as_str().unwrap().as_bytes()).unwrap();
        let url = reqwest::Url::parse(case["url"].as_str().unwrap()).unwrap();
        let mut request = reqwest::Request::new(method, url);
        for pair in case["headers"].as_array().unwrap() {
            request.headers_mut().append(
                HeaderName::from_bytes(pair[0].as_str().unwrap().as_bytes()).unwrap(),
                HeaderValue::from_str(pair[1].as_str().unwrap()).unwrap(),
            );
        }
        let body = case["body"].as_str().unwrap();
        if !body.is_empty() {
            *request.body_mut() = Some(body.to_string().into());
        }
        let token = case["security_token"].as_str().map(Secret::new);
        let mut key = SigningParams::new(vectors["ak"].as_str().unwrap(), &secret_key)
            .project_id(vectors["project_id"].as_str().unwrap());
        if let Some(token) = &token {
            key = key.security_token(token);
        }
        sign_request(&mut request, &key, now).unwrap();

        let sent = |header: &str| {
            request
                .headers()
                .get(header)
                .map(|v| v.to_str().unwrap().to_string())
        };
        assert_eq!(
            sent("authorization").as_deref(),
            case["expected_authorization"].as_str(),
            "{name}"
        );
        for (header, value) in case["expected_headers"].as_object().unwrap() {
            assert_eq!(
                sent(header).as_deref(),
                value.as_str(),
                "{name}: header {header}"
            );
        }
    }
}

/// A signature over different bytes than those sent would be rejected by the service.
#[test]
fn the_signature_covers_the_exact_body() {
    let secret_key = Secret::new("sk");
    let key = SigningParams::new("ak", &secret_key);
    let now = UNIX_EPOCH + Duration::from_secs(1_795_162_500);
    let sign = |body: &str| {
        let url = reqwest::Url::parse("https://h/v2/p/desktops/batch-attach").unwrap();
        let mut request = reqwest::Request::new(reqwest::Method::POST, url);
        *request.body_mut() = Some(body.to_string().into());
        sign_request(&mut request, &key, now).unwrap();
        request.headers()["authorization"]
            .to_str()
            .unwrap()
            .to_string()
    };
    assert_ne!(sign(r#"{"desktops":[]}"#), sign(r#"{"desktops": []}"#));
    assert_eq!(sign(r#"{"desktops":[]}"#), sign(r#"{"desktops":[]}"#));
}

/// The security token is a secret: marked sensitive, so that HTTP libraries never log it.
#[test]
fn the_security_token_header_is_sensitive() {
    let secret_key = Secret::new("sk");
    let token = Secret::new("the-token");
    let key = SigningParams::new("ak", &secret_key).security_token(&token);
    let url = reqwest::Url::parse("https://h/v2/p/workspace-jobs/j").unwrap();
    let mut request = reqwest::Request::new(reqwest::Method::GET, url);
    sign_request(&mut request, &key, UNIX_EPOCH).unwrap();
    let header = &request.headers()["x-security-token"];
    assert_eq!(header, "the-token");
    assert!(header.is_sensitive());
}
