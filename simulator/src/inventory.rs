//! What the simulated tenant has: desktops, users and groups. A demo inventory is built in;
//! another can be loaded from a JSON file.

use serde::{Deserialize, Serialize};

/// The desktops, users and groups of the simulated project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    /// The desktops of the project, with what the simulator needs of each.
    pub desktops: Vec<DesktopSpec>,
    /// Users of the domain (attachable to desktops).
    pub users: Vec<UserSpec>,
    /// User groups of the domain: a name, or `{"id": …, "name": …}`.
    #[serde(default)]
    pub groups: Vec<GroupSpec>,
}

/// One user group: its name alone (its id is then made from the name), or its id and name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum GroupSpec {
    /// Just the name.
    Name(String),
    /// Id and name.
    Full {
        /// Group id.
        id: String,
        /// Group name.
        name: String,
    },
}

impl GroupSpec {
    /// The group's name.
    pub fn name(&self) -> &str {
        match self {
            GroupSpec::Name(name) | GroupSpec::Full { name, .. } => name,
        }
    }

    /// The group's id.
    pub fn id(&self) -> String {
        match self {
            GroupSpec::Full { id, .. } => id.clone(),
            GroupSpec::Name(name) => {
                // A stable id of 32 hex digits, as the service's look.
                let mut hash: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
                for byte in name.bytes() {
                    hash = (hash ^ u128::from(byte))
                        .wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
                }
                format!("{hash:032x}")
            }
        }
    }
}

impl From<&str> for GroupSpec {
    fn from(name: &str) -> Self {
        GroupSpec::Name(name.to_string())
    }
}

/// One desktop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesktopSpec {
    /// Desktop id.
    pub id: String,
    /// Computer name.
    pub name: String,
    /// Whether several users may be attached.
    #[serde(default)]
    pub multi_user: bool,
    /// Whether it belongs to a desktop pool (pool desktops detach through a job).
    #[serde(default)]
    pub pool: bool,
    /// Whether it is powered on; jobs that need a running desktop fail on it.
    #[serde(default = "yes")]
    pub running: bool,
}

/// One user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserSpec {
    /// User id.
    pub id: String,
    /// User name.
    pub name: String,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

fn yes() -> bool {
    true
}

impl Inventory {
    /// A small tenant: five desktops (one multi-user, one in a pool, one powered off),
    /// four users and two groups. Ids are stable so that examples can name them.
    pub fn demo() -> Self {
        let desktop = |id: &str, name: &str, multi_user, pool, running| DesktopSpec {
            id: id.into(),
            name: name.into(),
            multi_user,
            pool,
            running,
        };
        let user = |id: &str, name: &str| UserSpec {
            id: id.into(),
            name: name.into(),
            email: Some(format!("{name}@example.com")),
        };
        Self {
            desktops: vec![
                desktop(
                    "b41a8cc1-4813-47a0-bf3a-7800fcd5b581",
                    "ws-dev-01",
                    false,
                    false,
                    true,
                ),
                desktop(
                    "5f4ed564-14eb-44fd-8ff7-0483725a532b",
                    "ws-dev-02",
                    false,
                    false,
                    true,
                ),
                desktop(
                    "dfdddcf4-f943-43b4-987b-e5785022d6c5",
                    "ws-shared-01",
                    true,
                    false,
                    true,
                ),
                desktop(
                    "7c2a9e1b-3d4f-4a6b-8c9d-0e1f2a3b4c5d",
                    "ws-pool-01",
                    false,
                    true,
                    true,
                ),
                desktop(
                    "0a1b2c3d-4e5f-4a6b-9c8d-7e6f5a4b3c2d",
                    "ws-off-01",
                    false,
                    false,
                    false,
                ),
            ],
            users: vec![
                user("3f6cc4c5d1ff4a79ab826b7964e9ff5d", "alice"),
                user("21bb9f13e6ff42fb96cd62489c446935", "bob"),
                user("7d1b0ab6a8e04c6a9c4d3c3f0e7b2a11", "carol"),
                user("9e8d7c6b5a4f4e3d2c1b0a9f8e7d6c5b", "dave"),
            ],
            groups: vec!["design_team".into(), "ops".into()],
        }
    }

    /// A tenant of `desktops` single-user desktops, all running (`ws-00001`, ...), and
    /// `users` users (`user00001`, ...), with ids that follow from their number: for a
    /// department-sized run.
    pub fn generated(desktops: usize, users: usize) -> Self {
        Self {
            desktops: (1..=desktops)
                .map(|n| DesktopSpec {
                    id: format!("{n:08x}-0000-4000-8000-{n:012x}"),
                    name: format!("ws-{n:05}"),
                    multi_user: false,
                    pool: false,
                    running: true,
                })
                .collect(),
            users: (1..=users)
                .map(|n| UserSpec {
                    id: format!("{n:032x}"),
                    name: format!("user{n:05}"),
                    email: Some(format!("user{n:05}@example.com")),
                })
                .collect(),
            groups: vec!["design_team".into(), "ops".into()],
        }
    }

    /// Reads an inventory from JSON.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }
}
