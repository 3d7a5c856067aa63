//! The generated types speak the service's wire format: each corrected page example, built
//! with the generated builders, serializes to exactly the example in the document, and every
//! response example decodes (and re-encodes unchanged).

use huaweicloud_workspace::types::{self, error::ConversionError};
use serde_json::{json, Value};
use workspace_tests::{request_example, response_example};

type Built<T> = Result<T, ConversionError>;

fn wire<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("serializes")
}

#[test]
fn batch_attach_by_policy() -> Built<()> {
    let desktop = |id: &str| {
        types::AttachInstancesDesktopInfo::builder()
            .desktop_id(id.to_string())
            .try_into()
    };
    let user = |id: &str, name: &str| {
        types::AttachInstancesUserInfo::builder()
            .user_id(id.to_string())
            .user_name(name)
            .user_group(types::UserGroup::Users)
            .try_into()
    };
    let body: types::BatchAttachRequest = types::BatchAttachRequest::builder()
        .desktops(vec![
            desktop("b41a8cc1-4813-47a0-bf3a-7800fcd5b581")?,
            desktop("5f4ed564-14eb-44fd-8ff7-0483725a532b")?,
            desktop("dfdddcf4-f943-43b4-987b-e5785022d6c5")?,
        ])
        .users(vec![
            user("3f6cc4c5d1ff4a79ab826b7964e9ff5d", "user1")?,
            user("21bb9f13e6ff42fb96cd62489c446935", "user2")?,
        ])
        .assign_model(Some(
            types::AssignModelInfo::builder()
                .assign_dimension(types::AssignModelInfoAssignDimension::User)
                .priority_strategy(types::AssignModelInfoPriorityStrategy::UserNoDesktop)
                .user_assigin_desktop_num(1)
                .try_into()?,
        ))
        .try_into()?;
    let sent = wire(&body);
    assert_eq!(sent, request_example("batchAttach", "assignByPolicy"));
    // The service's misspelling is the wire name; the unset sibling is not sent at all.
    assert_eq!(sent["assign_model"]["user_assigin_desktop_num"], 1);
    assert!(sent["assign_model"]
        .get("desktop_assigin_user_num")
        .is_none());
    assert_eq!(sent["assign_model"]["priority_strategy"], "USER_NO_DESKTOP");
    Ok(())
}

#[test]
fn batch_attach_explicitly() -> Built<()> {
    let body: types::BatchAttachRequest = types::BatchAttachRequest::builder()
        .desktops(vec![
            types::AttachInstancesDesktopInfo::builder()
                .desktop_id("b41a8cc1-4813-47a0-bf3a-7800fcd5b581".to_string())
                .user_name("alice".parse::<types::DesktopUserName>()?)
                .user_email("alice@example.com".to_string())
                .user_group(types::UserGroup::Administrators)
                .computer_name(
                    "ws-alice-01".parse::<types::AttachInstancesDesktopInfoComputerName>()?,
                )
                .is_clear_data(false)
                .try_into()?,
            types::AttachInstancesDesktopInfo::builder()
                .desktop_id("5f4ed564-14eb-44fd-8ff7-0483725a532b".to_string())
                .attach_user_infos(vec![types::AttachInstancesUserInfo::builder()
                    .user_id("7d1b0ab6a8e04c6a9c4d3c3f0e7b2a11".to_string())
                    .user_name("design_team")
                    .user_group(types::UserGroup::Users)
                    .type_(types::ObjectType::Group)
                    .try_into()?])
                .try_into()?,
        ])
        .try_into()?;
    let sent = wire(&body);
    assert_eq!(sent, request_example("batchAttach", "assignExplicitly"));
    assert_eq!(
        sent["desktops"][0]["is_clear_data"],
        json!(false),
        "a boolean, not a string"
    );
    assert_eq!(sent["desktops"][1]["attach_user_infos"][0]["type"], "GROUP");
    Ok(())
}

#[test]
fn batch_detach_examples() -> Built<()> {
    let listed: types::BatchDetachRequest = types::BatchDetachRequest::builder()
        .desktops(vec![types::DetachInstancesDesktopInfo::builder()
            .desktop_id("b41a8cc1-4813-47a0-bf3a-7800fcd5b581".to_string())
            .is_detach_all_users(false)
            .detach_user_infos(vec![types::DetachInstancesUserInfo::builder()
                .user_id("3f6cc4c5d1ff4a79ab826b7964e9ff5d".to_string())
                .user_name("user1")
                .user_group(types::UserGroup::Users)
                .type_(types::ObjectType::User)
                .try_into()?])
            .try_into()?])
        .try_into()?;
    let sent = wire(&listed);
    assert_eq!(sent, request_example("batchDetach", "detachListedUsers"));
    assert_eq!(
        sent["desktops"][0]["is_detach_all_users"],
        json!(false),
        "the page sent \"false\""
    );

    let everyone: types::BatchDetachRequest = types::BatchDetachRequest::builder()
        .desktops(vec![types::DetachInstancesDesktopInfo::builder()
            .desktop_id("5f4ed564-14eb-44fd-8ff7-0483725a532b".to_string())
            .is_detach_all_users(true)
            .try_into()?])
        .try_into()?;
    let sent = wire(&everyone);
    assert_eq!(sent, request_example("batchDetach", "detachEveryone"));
    assert!(
        sent["desktops"][0].get("detach_user_infos").is_none(),
        "an empty list is not sent"
    );
    Ok(())
}

#[test]
fn change_user_privilege_group_examples() -> Built<()> {
    let promote: types::ChangeUserPrivilegeGroupRequest =
        types::ChangeUserPrivilegeGroupRequest::builder()
            .desktops(vec![types::ChangeUserPrivilegeGroupDesktopInfo::builder()
                .desktop_id("b41a8cc1-4813-47a0-bf3a-7800fcd5b581")
                .attach_user_infos(vec![types::ChangeUserPrivilegeGroupUserInfo::builder()
                    .user_name("user1")
                    .user_privilege_group(types::UserGroup::Administrators)
                    .type_(types::ObjectType::User)
                    .try_into()?])
                .try_into()?])
            .try_into()?;
    let sent = wire(&promote);
    assert_eq!(
        sent,
        request_example("changeUserPrivilegeGroup", "promoteUser")
    );
    assert_eq!(
        sent["desktops"][0]["attach_user_infos"][0]["type"], "USER",
        "the page sent \"user\""
    );

    let whole: types::ChangeUserPrivilegeGroupRequest =
        types::ChangeUserPrivilegeGroupRequest::builder()
            .desktops(vec![types::ChangeUserPrivilegeGroupDesktopInfo::builder()
                .desktop_id("5f4ed564-14eb-44fd-8ff7-0483725a532b")
                .try_into()?])
            .user_privilege_group(types::UserGroup::Users)
            .try_into()?;
    assert_eq!(
        wire(&whole),
        request_example("changeUserPrivilegeGroup", "wholeDesktop")
    );
    Ok(())
}

/// Decodes a response example into `T` and checks nothing was lost on the way (an empty
/// list and an absent one are the same to the generated types).
fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(example: Value) -> T {
    let decoded: T = serde_json::from_value(example.clone()).expect("decodes");
    assert_eq!(
        without_empty_lists(wire(&decoded)),
        without_empty_lists(example),
        "re-encoding changed the example"
    );
    decoded
}

fn without_empty_lists(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| v.as_array().is_none_or(|a| !a.is_empty()))
                .map(|(k, v)| (k, without_empty_lists(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_empty_lists).collect()),
        other => other,
    }
}

#[test]
fn response_examples_decode() {
    let attach: types::BatchAttachResponse =
        round_trip(response_example("batchAttach", "accepted"));
    assert_eq!(
        attach.job_id.as_deref(),
        Some("3979904c-7beb-4f34-835f-2fa989a5550a")
    );

    let pool: types::BatchDetachResponse =
        round_trip(response_example("batchDetach", "poolDesktop"));
    assert_eq!(pool.success_job_ids.len(), 1);
    let failed: types::BatchDetachResponse =
        round_trip(response_example("batchDetach", "partialFailure"));
    assert_eq!(failed.job_id.as_deref(), Some(""));
    assert_eq!(
        failed.failed_operation_list[0].error_code.as_deref(),
        Some("WKS.0104")
    );

    let changed: types::ChangeUserPrivilegeGroupResponse =
        round_trip(response_example("changeUserPrivilegeGroup", "accepted"));
    assert!(changed.job_id.is_some());

    let running: types::ShowJobResponse = round_trip(response_example("showJob", "running"));
    assert_eq!(running.status.as_ref().map(|s| s.as_str()), Some("RUNNING"));
    assert_eq!(
        running.sub_jobs[0]
            .entities
            .as_ref()
            .unwrap()
            .desktop_name
            .as_deref(),
        Some("ws-user1-01")
    );
    let failed_job: types::ShowJobResponse = round_trip(response_example("showJob", "failed"));
    assert_eq!(failed_job.job_error_code.as_deref(), Some("WKS.0301"));
}

#[test]
fn unknown_job_status_and_unknown_fields_still_decode() {
    let job: types::ShowJobResponse = serde_json::from_value(json!({
        "id": "j", "status": "CANCELLING", "added_later": {"x": 1},
        "sub_jobs": [{"id": "s", "status": "PAUSED"}]
    }))
    .expect("an open set of statuses");
    assert_eq!(job.status.as_ref().map(|s| s.as_str()), Some("CANCELLING"));
    assert_eq!(
        job.sub_jobs[0].status.as_ref().map(|s| s.as_str()),
        Some("PAUSED")
    );
}

#[test]
fn constraint_violations_are_rejected_naming_the_field() {
    let error = types::AttachInstancesUserInfo::builder()
        .user_name("has space")
        .user_group(types::UserGroup::Users)
        .try_into()
        .map(|_: types::AttachInstancesUserInfo| ())
        .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("error converting supplied value for user_name: doesn't match pattern"),
        "{error}"
    );

    let error = types::AttachInstancesUserInfo::builder()
        .user_name("user1")
        .try_into()
        .map(|_: types::AttachInstancesUserInfo| ())
        .unwrap_err();
    assert_eq!(error.to_string(), "no value supplied for user_group");

    for (bad, why) in [
        ("1digit", "doesn't match pattern"),
        ("ends-with-", "doesn't match pattern"),
        ("sixteen-chars-xx", "longer than 15 characters"),
        ("", "shorter than 1 characters"),
    ] {
        let error = bad
            .parse::<types::AttachInstancesDesktopInfoComputerName>()
            .unwrap_err();
        assert!(error.to_string().starts_with(why), "{bad:?}: {error}");
    }
    assert!("ws_01"
        .parse::<types::AttachInstancesDesktopInfoComputerName>()
        .is_ok());
    for group in ["设计组", "㐀组", "鿏组"] {
        assert!(
            group.parse::<types::UserOrGroupName>().is_ok(),
            "Chinese group names are valid, extension A and the block's last ideographs too: {group}"
        );
    }
    assert!(
        "x".repeat(64).parse::<types::UserOrGroupName>().is_ok(),
        "Huawei's definition bounds user and group names to 64 characters"
    );
    assert!("x".repeat(65).parse::<types::UserOrGroupName>().is_err());
    assert!("has space".parse::<types::UserOrGroupName>().is_err());

    // A body decoded from JSON is validated too: the constraint cannot be bypassed.
    let decoded = serde_json::from_value::<types::BatchAttachRequest>(json!({
        "desktops": [{"computer_name": "ends-with-"}]
    }));
    assert!(decoded.is_err());
}
