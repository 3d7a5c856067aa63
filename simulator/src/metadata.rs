//! The instance metadata service of an ECS instance with an agency, as the simulator plays
//! it: `PUT /meta-data/latest/api/token` gives a session token, `GET
//! /openstack/latest/securitykey` (with that token in `X-Metadata-Token`) gives temporary keys
//! that expire after the configured time. The keys it issued sign requests until then; after,
//! the simulator refuses them as the service does.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{Method, StatusCode};
use serde_json::json;

/// The session token's path.
pub(crate) const TOKEN_PATH: &str = "/meta-data/latest/api/token";
/// The temporary keys' path.
pub(crate) const KEY_PATH: &str = "/openstack/latest/securitykey";

/// A key the simulator issued.
#[derive(Debug, Clone)]
pub(crate) struct IssuedKey {
    pub secret: String,
    pub token: String,
    pub expires: SystemTime,
}

/// What the service has issued.
#[derive(Debug, Default)]
pub(crate) struct Issued {
    sessions: Vec<String>,
    keys: HashMap<String, IssuedKey>,
    next: u64,
    /// How many times keys were asked for.
    pub key_requests: usize,
}

impl Issued {
    /// The key issued under this access key id, if any.
    pub fn key(&self, access_key: &str) -> Option<&IssuedKey> {
        self.keys.get(access_key)
    }

    fn next(&mut self) -> u64 {
        self.next += 1;
        self.next
    }

    /// Answers a request to the service: status and body, or `None` when the path is not
    /// the service's.
    pub fn answer(
        &mut self,
        method: &Method,
        path: &str,
        session: Option<&str>,
        lifetime: Duration,
        now: SystemTime,
    ) -> Option<(StatusCode, String)> {
        match (method, path) {
            (&Method::PUT, TOKEN_PATH) => {
                let token = format!("simulated-session-{:016x}", self.next() * 0x9e37_79b9);
                self.sessions.push(token.clone());
                Some((StatusCode::OK, token))
            }
            (&Method::GET, KEY_PATH) => {
                if !session.is_some_and(|s| self.sessions.iter().any(|known| known == s)) {
                    return Some((
                        StatusCode::UNAUTHORIZED,
                        "a session token is required".into(),
                    ));
                }
                self.key_requests += 1;
                let n = self.next();
                let access = format!("SIMTEMP{n:013}");
                let key = IssuedKey {
                    secret: format!("simulated-temporary-secret-{n:08x}"),
                    token: format!("simulated-security-token-{n:08x}"),
                    expires: now + lifetime,
                };
                let body = json!({"credential": {
                    "access": access,
                    "secret": key.secret,
                    "securitytoken": key.token,
                    "expires_at": rfc3339(key.expires),
                }});
                self.keys.insert(access, key);
                Some((StatusCode::OK, body.to_string()))
            }
            (_, TOKEN_PATH | KEY_PATH) => Some((StatusCode::METHOD_NOT_ALLOWED, String::new())),
            _ => None,
        }
    }
}

/// `2026-11-30T10:15:00.000000Z`, as the service writes expiry times.
pub(crate) fn rfc3339(time: SystemTime) -> String {
    let seconds = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let formatted =
        humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(seconds)).to_string();
    formatted.replace('Z', ".000000Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_need_a_session_and_expire() {
        let mut issued = Issued::default();
        let now = UNIX_EPOCH + Duration::from_secs(1_795_162_500);
        let life = Duration::from_secs(20);
        let (status, _) = issued
            .answer(&Method::GET, KEY_PATH, None, life, now)
            .unwrap();
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (_, session) = issued
            .answer(&Method::PUT, TOKEN_PATH, None, life, now)
            .unwrap();
        let (status, body) = issued
            .answer(&Method::GET, KEY_PATH, Some(&session), life, now)
            .unwrap();
        assert_eq!(status, StatusCode::OK);
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            body["credential"]["expires_at"],
            "2026-11-20T08:15:20.000000Z"
        );
        let access = body["credential"]["access"].as_str().unwrap();
        assert_eq!(issued.key(access).unwrap().expires, now + life);
        assert!(issued
            .answer(&Method::GET, "/other", None, life, now)
            .is_none());
    }
}
