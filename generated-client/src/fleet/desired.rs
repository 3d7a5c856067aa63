//! Whether a row is already in place on its desktop, from the desktop as the lookups show
//! it: what each effect means for a desktop's users.

use serde_json::Value;

use super::Effect;
use crate::types::DesktopDetail;

/// Where a row stands on its desktop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Standing {
    /// What the row asks for is so already.
    InPlace,
    /// An operation is under way on the desktop: look again later.
    Busy,
    /// What the row asks for is not so.
    NotInPlace,
}

/// Where `item` stands on `desktop` for `effect`.
pub(crate) fn standing(effect: Effect, item: &Value, desktop: &DesktopDetail) -> Standing {
    if busy(desktop) {
        return Standing::Busy;
    }
    let attached = |name: &str| {
        desktop
            .attach_user_infos
            .iter()
            .any(|u| u.user_name.as_deref() == Some(name))
    };
    let group_of = |name: &str| {
        desktop
            .attach_user_infos
            .iter()
            .find(|u| u.user_name.as_deref() == Some(name))
            .and_then(|u| u.user_group.clone())
    };
    let names = |list: &str| -> Vec<String> {
        item.get(list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|u| {
                u.get("user_name")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .collect()
    };
    let done = match effect {
        Effect::Attach => {
            let mut wanted = names("attach_user_infos");
            if wanted.is_empty() {
                wanted.extend(
                    item.get("user_name")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                );
            }
            !wanted.is_empty() && wanted.iter().all(|name| attached(name))
        }
        Effect::Detach => {
            if item.get("is_detach_all_users") == Some(&Value::Bool(true)) {
                desktop.attach_user_infos.is_empty()
            } else {
                let unwanted = names("detach_user_infos");
                !unwanted.is_empty() && unwanted.iter().all(|name| !attached(name))
            }
        }
        Effect::Regroup => {
            let changes: Vec<(String, String)> = item
                .get("attach_user_infos")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|u| {
                    Some((
                        u.get("user_name")?.as_str()?.to_string(),
                        u.get("user_privilege_group")?.as_str()?.to_string(),
                    ))
                })
                .collect();
            !changes.is_empty()
                && changes
                    .iter()
                    .all(|(name, group)| group_of(name).as_deref() == Some(group.as_str()))
        }
    };
    if done {
        Standing::InPlace
    } else {
        Standing::NotInPlace
    }
}

/// Whether an operation is under way on the desktop (its task, or an assignment state that
/// is changing).
fn busy(desktop: &DesktopDetail) -> bool {
    desktop
        .task_status
        .as_deref()
        .is_some_and(|t| !t.trim().is_empty())
        || desktop
            .attach_state
            .as_deref()
            .is_some_and(|s| s.ends_with("ING") || s == "WAITING")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn desktop(users: serde_json::Value) -> DesktopDetail {
        serde_json::from_value(json!({"desktop_id": "d", "attach_user_infos": users})).unwrap()
    }

    #[test]
    fn each_effect_reads_the_desktops_users() {
        let alice = desktop(json!([{"user_name": "alice", "user_group": "users", "type": "USER"}]));
        let nobody = desktop(json!([]));
        let attach = json!({"desktop_id": "d", "user_name": "alice"});
        assert_eq!(standing(Effect::Attach, &attach, &alice), Standing::InPlace);
        assert_eq!(
            standing(Effect::Attach, &attach, &nobody),
            Standing::NotInPlace
        );
        let all = json!({"desktop_id": "d", "is_detach_all_users": true});
        assert_eq!(standing(Effect::Detach, &all, &nobody), Standing::InPlace);
        assert_eq!(standing(Effect::Detach, &all, &alice), Standing::NotInPlace);
        let admin = json!({"desktop_id": "d", "attach_user_infos": [{"user_name": "alice", "user_privilege_group": "administrators"}]});
        assert_eq!(
            standing(Effect::Regroup, &admin, &alice),
            Standing::NotInPlace
        );
        let busy: DesktopDetail =
            serde_json::from_value(json!({"desktop_id": "d", "attach_state": "ATTACHING"}))
                .unwrap();
        assert_eq!(standing(Effect::Attach, &attach, &busy), Standing::Busy);
    }
}
