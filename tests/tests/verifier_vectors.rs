//! The simulator's signature verifier (written apart from the client's signer, on purpose)
//! accepts every signature the official Python SDK computed, an encoded `/` in a path
//! segment included, and refuses each of them once a byte of the request changes.

use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
use serde_json::Value;
use workspace_simulator::auth::verify;

#[test]
fn the_simulator_accepts_the_official_signatures() {
    let path = workspace_tests::workspace_root()
        .join("generated-client/tests/fixtures/signing_vectors.json");
    let vectors: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let (ak, sk) = (
        vectors["ak"].as_str().unwrap(),
        vectors["sk"].as_str().unwrap(),
    );
    let cases = vectors["cases"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let url = reqwest::Url::parse(case["url"].as_str().unwrap()).unwrap();
        let query = url.query().map(|q| format!("?{q}")).unwrap_or_default();
        let uri: Uri = format!("{}{query}", url.path()).parse().unwrap();
        let method = Method::from_bytes(case["method"].as_str().unwrap().as_bytes()).unwrap();
        let mut headers = HeaderMap::new();
        let pairs = case["headers"].as_array().unwrap().iter().map(|p| {
            (
                p[0].as_str().unwrap().to_string(),
                p[1].as_str().unwrap().to_string(),
            )
        });
        let expected = case["expected_headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()));
        for (name, value) in pairs.chain(expected) {
            headers.insert(
                HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes()).unwrap(),
                HeaderValue::from_str(value.trim()).unwrap(),
            );
        }
        let body = case["body"].as_str().unwrap().as_bytes();
        assert_eq!(
            verify(&method, &uri, &headers, body, ak, sk),
            Ok(()),
            "{name}"
        );
        let tampered = [body, b" "].concat();
        let unsigned_payload = headers
            .get("x-sdk-content-sha256")
            .is_some_and(|v| v == "UNSIGNED-PAYLOAD");
        if unsigned_payload {
            // The body is left out of the signature, as the gateway leaves it; the header
            // that says so is signed.
            assert_eq!(
                verify(&method, &uri, &headers, &tampered, ak, sk),
                Ok(()),
                "{name}"
            );
            let mut without = headers.clone();
            without.remove("x-sdk-content-sha256");
            assert!(
                verify(&method, &uri, &without, body, ak, sk).is_err(),
                "{name}"
            );
        } else {
            assert!(
                verify(&method, &uri, &headers, &tampered, ak, sk).is_err(),
                "{name}"
            );
        }
    }
}
