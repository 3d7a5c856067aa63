//! Regions the Workspace service runs in, and the endpoint of each. The list, the constants
//! (`Region::CN_NORTH_4`…) and the endpoint template come from the document's `servers`.

use std::borrow::Cow;
use std::fmt;

use crate::generated::REGIONAL_ENDPOINT;

/// Prefix of the official per-region endpoint override:
/// `HUAWEICLOUD_SDK_REGION_WORKSPACE_<REGION in upper case, - as _>`.
const ENDPOINT_ENV_PREFIX: &str = "HUAWEICLOUD_SDK_REGION_WORKSPACE_";

/// A region id such as `cn-north-4`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Region(Cow<'static, str>);

impl Region {
    /// A region the document lists (the generated constants use it).
    pub(crate) const fn from_static(id: &'static str) -> Self {
        Self(Cow::Borrowed(id))
    }

    /// A region by id. Ids the service is not known to run in are accepted, but need an
    /// endpoint (explicit, or from `HUAWEICLOUD_SDK_REGION_WORKSPACE_<REGION>`) to be used.
    pub fn new(id: impl Into<String>) -> Self {
        let id = id.into();
        Self::ALL
            .iter()
            .find(|r| r.id() == id)
            .cloned()
            .unwrap_or(Self(Cow::Owned(id)))
    }

    /// The region id.
    pub fn id(&self) -> &str {
        &self.0
    }

    /// Whether the service is known to run in this region.
    pub fn is_known(&self) -> bool {
        Self::ALL.contains(self)
    }

    /// The known region whose id is closest to this one, for a typo such as `cn-north4`.
    pub fn suggestion(&self) -> Option<&'static Region> {
        if self.is_known() {
            return None;
        }
        let id = self.id().to_ascii_lowercase();
        Self::ALL
            .iter()
            .map(|known| (edit_distance(&id, known.id()), known))
            .filter(|(distance, known)| *distance <= 2 && known.id() != self.id())
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, known)| known)
    }

    /// Name of the environment variable that overrides this region's endpoint.
    pub fn endpoint_env(&self) -> String {
        format!(
            "{ENDPOINT_ENV_PREFIX}{}",
            self.id().to_ascii_uppercase().replace('-', "_")
        )
    }

    /// The endpoint: the environment override if set (the first of a comma-separated list,
    /// as the official SDK reads it), else the document's template for a known region.
    pub(crate) fn endpoint(&self, env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
        if let Some(value) = env(&self.endpoint_env()) {
            if let Some(first) = value.split(',').map(str::trim).find(|e| !e.is_empty()) {
                return Some(first.to_string());
            }
        }
        let template = REGIONAL_ENDPOINT?;
        self.is_known()
            .then(|| template.replace("{region}", self.id()))
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Levenshtein distance, for suggestions (also used for misspelled field names).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documents_regions_with_their_endpoints() {
        assert_eq!(Region::ALL.len(), 18);
        let none = |_: &str| None;
        assert_eq!(
            Region::EU_WEST_101.endpoint(&none).as_deref(),
            Some("https://workspace.eu-west-101.myhuaweicloud.com")
        );
        assert_eq!(Region::new("cn-north-4"), Region::CN_NORTH_4);
        assert_eq!(Region::new("mars-1").endpoint(&none), None);
    }

    #[test]
    fn the_environment_overrides_the_endpoint() {
        let env = |name: &str| {
            (name == "HUAWEICLOUD_SDK_REGION_WORKSPACE_CN_NORTH_4")
                .then(|| "https://proxy.example:8443, https://second".to_string())
        };
        assert_eq!(
            Region::CN_NORTH_4.endpoint(&env).as_deref(),
            Some("https://proxy.example:8443")
        );
    }

    #[test]
    fn a_typo_gets_the_closest_known_region() {
        assert_eq!(
            Region::new("cn-north4").suggestion(),
            Some(&Region::CN_NORTH_4)
        );
        assert_eq!(
            Region::new("CN-NORTH-4").suggestion(),
            Some(&Region::CN_NORTH_4)
        );
        assert_eq!(Region::CN_NORTH_4.suggestion(), None);
        assert_eq!(Region::new("mars-1").suggestion(), None);
        assert_eq!(edit_distance("is_clear_dat", "is_clear_data"), 1);
    }
}
