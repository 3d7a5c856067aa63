//! RFC 6901 JSON pointers: building them while walking a document, and resolving local `$ref`s.

use serde_json::Value;

/// Escapes one reference token (`~` → `~0`, `/` → `~1`).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// `base` extended by one token, escaped.
pub fn join(base: &str, token: &str) -> String {
    format!("{base}/{}", escape(token))
}

/// The value a local reference (`#/a/b`) points to, if the reference is local and resolves.
pub fn resolve_local<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    root.pointer(pointer)
}

/// Follows `$ref` chains (at most `limit` hops, to survive cycles) and returns the target
/// with the pointer it lives at.
pub fn follow<'a>(root: &'a Value, value: &'a Value, at: &str) -> Option<(&'a Value, String)> {
    let mut current = (value, at.to_string());
    for _ in 0..32 {
        match current.0.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let target = resolve_local(root, reference)?;
                current = (target, reference.trim_start_matches('#').to_string());
            }
            None => return Some(current),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escapes_slashes_and_tildes() {
        assert_eq!(join("/paths", "/v2/{id}~x"), "/paths/~1v2~1{id}~0x");
    }

    #[test]
    fn follows_reference_chains_and_stops_on_cycles() {
        let doc = json!({"a": {"$ref": "#/b"}, "b": {"$ref": "#/c"}, "c": {"x": 1},
                         "loop": {"$ref": "#/loop"}});
        let (target, at) = follow(&doc, &doc["a"], "/a").unwrap();
        assert_eq!(target, &json!({"x": 1}));
        assert_eq!(at, "/c");
        assert!(follow(&doc, &doc["loop"], "/loop").is_none());
        assert!(resolve_local(&doc, "other.yaml#/a").is_none());
    }
}
