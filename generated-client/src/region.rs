//! Regions the Workspace service runs in, and the endpoint of each.

use std::borrow::Cow;
use std::fmt;

/// Prefix of the official per-region endpoint override:
/// `HUAWEICLOUD_SDK_REGION_WORKSPACE_<REGION in upper case, - as _>`.
pub const ENDPOINT_ENV_PREFIX: &str = "HUAWEICLOUD_SDK_REGION_WORKSPACE_";

/// A region id such as `cn-north-4`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Region(Cow<'static, str>);

macro_rules! regions {
    ($($name:ident = $id:literal),* $(,)?) => {
        impl Region {
            $(
                #[doc = concat!("`", $id, "`")]
                pub const $name: Region = Region(Cow::Borrowed($id));
            )*
            /// Every region the service runs in, as the official SDK lists them.
            pub const ALL: &'static [Region] = &[$(Region::$name),*];
        }
    };
}

regions! {
    CN_EAST_3 = "cn-east-3",
    CN_NORTH_4 = "cn-north-4",
    CN_SOUTH_1 = "cn-south-1",
    CN_SOUTHWEST_2 = "cn-southwest-2",
    LA_SOUTH_2 = "la-south-2",
    SA_BRAZIL_1 = "sa-brazil-1",
    LA_NORTH_2 = "la-north-2",
    AP_SOUTHEAST_3 = "ap-southeast-3",
    CN_NORTH_9 = "cn-north-9",
    AP_SOUTHEAST_1 = "ap-southeast-1",
    CN_EAST_5 = "cn-east-5",
    ME_EAST_1 = "me-east-1",
    AF_SOUTH_1 = "af-south-1",
    TR_WEST_1 = "tr-west-1",
    CN_NORTH_11 = "cn-north-11",
    AF_NORTH_1 = "af-north-1",
    AP_SOUTHEAST_2 = "ap-southeast-2",
    EU_WEST_101 = "eu-west-101",
}

impl Region {
    /// A region by id. Ids the service is not known to run in are accepted, but need an
    /// endpoint (explicit or from the environment) to be used.
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

    /// Name of the environment variable that overrides this region's endpoint.
    pub fn endpoint_env(&self) -> String {
        format!(
            "{ENDPOINT_ENV_PREFIX}{}",
            self.id().to_ascii_uppercase().replace('-', "_")
        )
    }

    /// The endpoint: the environment override if set (the first of a comma-separated list,
    /// as the official SDK reads it), else `https://workspace.{region}.myhuaweicloud.com` for a
    /// known region, else `None`.
    pub fn endpoint(&self, env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
        if let Some(value) = env(&self.endpoint_env()) {
            if let Some(first) = value.split(',').map(str::trim).find(|e| !e.is_empty()) {
                return Some(first.to_string());
            }
        }
        self.is_known()
            .then(|| format!("https://workspace.{}.myhuaweicloud.com", self.id()))
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eighteen_regions_with_default_endpoints() {
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
    fn environment_overrides_the_endpoint() {
        let env = |name: &str| {
            (name == "HUAWEICLOUD_SDK_REGION_WORKSPACE_CN_NORTH_4")
                .then(|| "https://proxy.example:8443, https://second".to_string())
        };
        assert_eq!(
            Region::CN_NORTH_4.endpoint_env(),
            "HUAWEICLOUD_SDK_REGION_WORKSPACE_CN_NORTH_4"
        );
        assert_eq!(
            Region::CN_NORTH_4.endpoint(&env).as_deref(),
            Some("https://proxy.example:8443")
        );
    }
}
