//! Which operation a request is for, read from the OpenAPI document's paths: the simulator
//! serves every operation the document has, and so does the tests' loopback server.

use http::Method;
use serde_json::Value;

/// One operation: its method, its path template split in segments, its `operationId`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Route {
    method: Method,
    segments: Vec<Segment>,
    operation_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Parameter(String),
}

/// A request matched to an operation, with its path parameters (percent-decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched<'a> {
    /// The operation's `operationId`.
    pub operation_id: &'a str,
    /// `(name, value)` of each path parameter, in path order.
    pub parameters: Vec<(String, String)>,
}

impl Matched<'_> {
    /// The value of path parameter `name`.
    pub fn parameter(&self, name: &str) -> Option<&str> {
        self.parameters
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request matched no operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unmatched {
    /// No operation has this path.
    NoPath,
    /// Operations have this path, with other methods (these, for the `Allow` header).
    WrongMethod(Vec<Method>),
}

/// The operations of a document, by method and path template.
#[derive(Debug, Clone, Default)]
pub struct Routes {
    routes: Vec<Route>,
}

const METHODS: [(&str, Method); 8] = [
    ("get", Method::GET),
    ("put", Method::PUT),
    ("post", Method::POST),
    ("delete", Method::DELETE),
    ("options", Method::OPTIONS),
    ("head", Method::HEAD),
    ("patch", Method::PATCH),
    ("trace", Method::TRACE),
];

impl Routes {
    /// Every operation of the document (a JSON tree), in document order.
    pub fn from_document(document: &Value) -> Self {
        let mut routes = Vec::new();
        for (path, item) in document
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let segments: Vec<Segment> = path
                .trim_start_matches('/')
                .split('/')
                .map(
                    |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                        Some(name) => Segment::Parameter(name.to_string()),
                        None => Segment::Literal(s.to_string()),
                    },
                )
                .collect();
            for (name, method) in METHODS {
                let Some(id) = item
                    .get(name)
                    .and_then(|op| op.get("operationId"))
                    .and_then(Value::as_str)
                else {
                    continue;
                };
                routes.push(Route {
                    method,
                    segments: segments.clone(),
                    operation_id: id.to_string(),
                });
            }
        }
        Self { routes }
    }

    /// The operation `method` and `path` (as sent, percent-encoded) are for. As routers do,
    /// the path template is chosen first, the one with the most literal segments winning
    /// (`/desktops/detail` over `/desktops/{desktop_id}`, whatever the document's order),
    /// then the method among that template's operations.
    pub fn find(&self, method: &Method, path: &str) -> Result<Matched<'_>, Unmatched> {
        let sent: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let literals = |route: &Route| {
            route
                .segments
                .iter()
                .filter(|s| matches!(s, Segment::Literal(_)))
                .count()
        };
        let template = self
            .routes
            .iter()
            .filter(|route| route.matches(&sent).is_some())
            .max_by_key(|route| literals(route))
            .map(|route| &route.segments)
            .ok_or(Unmatched::NoPath)?;
        let same_template = self.routes.iter().filter(|r| &r.segments == template);
        let mut allowed = Vec::new();
        for route in same_template {
            if route.method == *method {
                let parameters = route.matches(&sent).unwrap_or_default();
                return Ok(Matched {
                    operation_id: &route.operation_id,
                    parameters,
                });
            }
            allowed.push(route.method.clone());
        }
        Err(Unmatched::WrongMethod(allowed))
    }

    /// The `operationId`s, in document order.
    pub fn operation_ids(&self) -> impl Iterator<Item = &str> {
        self.routes.iter().map(|r| r.operation_id.as_str())
    }

    /// Whether the document has an operation with this id.
    pub fn contains(&self, operation_id: &str) -> bool {
        self.operation_ids().any(|id| id == operation_id)
    }
}

impl Route {
    fn matches(&self, sent: &[&str]) -> Option<Vec<(String, String)>> {
        if sent.len() != self.segments.len() {
            return None;
        }
        let mut parameters = Vec::new();
        for (segment, value) in self.segments.iter().zip(sent) {
            match segment {
                Segment::Literal(text) if text == value => {}
                Segment::Literal(_) => return None,
                Segment::Parameter(_) if value.is_empty() => return None,
                Segment::Parameter(name) => {
                    let decoded = percent_encoding::percent_decode_str(value)
                        .decode_utf8_lossy()
                        .into_owned();
                    parameters.push((name.clone(), decoded));
                }
            }
        }
        Some(parameters)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn requests_find_their_operation_and_parameters() {
        let routes = Routes::from_document(&json!({"paths": {
            "/v2/{project_id}/desktops/batch-attach": {"post": {"operationId": "batchAttach"}},
            "/v2/{project_id}/workspace-jobs/{job_id}": {"get": {"operationId": "showJob"}}
        }}));
        let found = routes
            .find(&Method::GET, "/v2/p1/workspace-jobs/a%2Fb")
            .unwrap();
        assert_eq!(found.operation_id, "showJob");
        assert_eq!(found.parameter("project_id"), Some("p1"));
        assert_eq!(found.parameter("job_id"), Some("a/b"));
        assert_eq!(
            routes.find(&Method::GET, "/v2/p1/desktops/batch-attach"),
            Err(Unmatched::WrongMethod(vec![Method::POST]))
        );
        assert_eq!(routes.find(&Method::GET, "/admin"), Err(Unmatched::NoPath));
        assert_eq!(
            routes.find(&Method::GET, "/v2/p1/workspace-jobs/"),
            Err(Unmatched::NoPath)
        );
        assert_eq!(
            routes.operation_ids().collect::<Vec<_>>(),
            ["batchAttach", "showJob"]
        );
    }

    #[test]
    fn a_literal_segment_wins_over_a_parameter_whatever_the_order() {
        let routes = Routes::from_document(&json!({"paths": {
            "/v2/{project_id}/desktops/{desktop_id}": {"get": {"operationId": "showDesktop"}},
            "/v2/{project_id}/desktops/detail": {"get": {"operationId": "listDesktops"}},
            "/v2/{project_id}/desktops/batch-attach": {"post": {"operationId": "batchAttach"}}
        }}));
        assert_eq!(
            routes.find(&Method::GET, "/v2/p1/desktops/batch-attach"),
            Err(Unmatched::WrongMethod(vec![Method::POST])),
            "the literal template, then its methods"
        );
        let found = routes.find(&Method::GET, "/v2/p1/desktops/detail").unwrap();
        assert_eq!(found.operation_id, "listDesktops");
        let found = routes.find(&Method::GET, "/v2/p1/desktops/d1").unwrap();
        assert_eq!(found.operation_id, "showDesktop");
        assert_eq!(found.parameter("desktop_id"), Some("d1"));
    }
}
