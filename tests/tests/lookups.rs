//! The lookups a batch workflow needs, against a simulated tenant of 1,050 desktops (half of
//! them assigned by batch-attach) and 300 users: every page read once, the filters, one
//! desktop's users; through the library's page stream and the CLI's `--all`.

use std::collections::BTreeSet;
use std::time::Duration;

use futures_util::StreamExt;
use huaweicloud_workspace::{request_body, types, Client};
use serde_json::{json, Value};
use workspace_simulator::inventory::{DesktopSpec, UserSpec};
use workspace_simulator::{Inventory, Simulator, DEMO_SECRET_KEY};
use workspace_tests::{cli, simulator_config};

const DESKTOPS: usize = 1_050;
const USERS: usize = 300;

fn desktop_id(i: usize) -> String {
    format!("00000000-0000-4000-8000-{i:012}")
}

fn user_name(i: usize) -> String {
    format!("user{i:03}")
}

/// Desktops with an even index are assigned, to user `(i / 2) % 300`.
fn assigned(i: usize) -> Option<String> {
    i.is_multiple_of(2).then(|| user_name((i / 2) % USERS))
}

async fn tenant() -> (Simulator, Client) {
    let inventory = Inventory {
        desktops: (0..DESKTOPS)
            .map(|i| DesktopSpec {
                id: desktop_id(i),
                name: format!("ws-{i:04}"),
                multi_user: false,
                pool: false,
                running: true,
            })
            .collect(),
        users: (0..USERS)
            .map(|i| UserSpec {
                id: format!("{i:032x}"),
                name: user_name(i),
                email: None,
            })
            .collect(),
        groups: Vec::new(),
    };
    let simulator = Simulator::builder()
        .inventory(inventory)
        .job_duration(Duration::from_millis(10))
        .start()
        .await
        .unwrap();
    let client = Client::new(simulator_config(&simulator.endpoint()).build().unwrap()).unwrap();
    let pairs: Vec<Value> = (0..DESKTOPS)
        .filter_map(|i| {
            assigned(i).map(|user| {
                json!({"desktop_id": desktop_id(i), "user_name": user, "user_group": "users"})
            })
        })
        .collect();
    for chunk in pairs.chunks(100) {
        let body: types::BatchAttachRequest =
            request_body::from_value(json!({ "desktops": chunk })).unwrap();
        client.batch_attach().body(body).send().await.unwrap();
    }
    (simulator, client)
}

fn ids(desktops: &[types::DesktopDetail]) -> Vec<String> {
    desktops
        .iter()
        .map(|d| d.desktop_id.clone().unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn every_page_once_the_unassigned_filter_and_a_desktops_users() {
    let (simulator, client) = tenant().await;

    // Every desktop, exactly once, over pages of the default size.
    let all = client.list_desktops().pages().items().await.unwrap();
    let all_ids = ids(&all);
    let unique: BTreeSet<&String> = all_ids.iter().collect();
    assert_eq!(all_ids.len(), DESKTOPS);
    assert_eq!(unique.len(), DESKTOPS, "no desktop twice");
    assert_eq!(
        simulator.requests("listDesktops"),
        11,
        "1,050 desktops in pages of 100"
    );

    // The page stream, with a page size of our own.
    let mut pages = client.list_desktops().limit(400).pages();
    let mut sizes = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.unwrap();
        assert_eq!(page.total_count, Some(DESKTOPS as i32));
        sizes.push(page.desktops.len());
    }
    assert_eq!(sizes, [400, 400, 250]);

    // Exactly the unassigned desktops.
    let unassigned = client
        .list_desktops()
        .user_attached(false)
        .pages()
        .items()
        .await
        .unwrap();
    let expected: BTreeSet<String> = (0..DESKTOPS)
        .filter(|i| assigned(*i).is_none())
        .map(desktop_id)
        .collect();
    assert_eq!(
        ids(&unassigned).into_iter().collect::<BTreeSet<_>>(),
        expected
    );
    assert_eq!(unassigned.len(), DESKTOPS / 2);

    // One user's desktops, and what one desktop shows.
    let of_user = client
        .list_desktops()
        .user_name(user_name(7))
        .pages()
        .items()
        .await
        .unwrap();
    let expected: Vec<String> = (0..DESKTOPS)
        .filter(|i| assigned(*i) == Some(user_name(7)))
        .map(desktop_id)
        .collect();
    assert_eq!(ids(&of_user), expected);
    let shown = client
        .show_desktop()
        .desktop_id(desktop_id(14))
        .send()
        .await
        .unwrap();
    let desktop = shown.desktop.as_ref().unwrap();
    let attached: Vec<(Option<&str>, Option<&str>)> = desktop
        .attach_user_infos
        .iter()
        .map(|u| (u.user_name.as_deref(), u.user_group.as_deref()))
        .collect();
    assert_eq!(attached, [(Some("user007"), Some("users"))]);
    assert_eq!(desktop.user_list, ["user007"]);

    let users = client.list_users().pages().items().await.unwrap();
    assert_eq!(users.len(), USERS);
    assert_eq!(
        users
            .iter()
            .find(|u| u.user_name.as_deref() == Some("user007"))
            .and_then(|u| u.total_desktops),
        Some(expected.len() as i32)
    );
}

#[tokio::test]
async fn the_cli_reads_every_page_with_all_and_one_page_without() {
    let (simulator, _client) = tenant().await;
    let endpoint = simulator.endpoint();
    let run = |args: &[&str]| {
        let mut command = cli::command("lookups-home", DEMO_SECRET_KEY);
        command.args(args).args(["--endpoint", &endpoint]);
        cli::run(command, None)
    };

    let every = run(&["list-desktops", "--all"]).await;
    assert_eq!(every.code, Some(0), "{}", every.stderr);
    let every = every.json();
    let listed: Vec<&str> = every["desktops"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["desktop_id"].as_str())
        .collect();
    assert_eq!(listed.len(), DESKTOPS);
    assert_eq!(listed.iter().collect::<BTreeSet<_>>().len(), DESKTOPS);
    assert_eq!(every["total_count"], DESKTOPS);

    let unassigned = run(&["list-desktops", "--user-attached", "false", "--all"]).await;
    assert_eq!(unassigned.code, Some(0), "{}", unassigned.stderr);
    let unassigned = unassigned.json();
    assert_eq!(
        unassigned["desktops"].as_array().unwrap().len(),
        DESKTOPS / 2
    );
    assert!(unassigned["desktops"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["attach_user_infos"].as_array().is_none_or(Vec::is_empty)));

    let one_page = run(&["list-desktops", "--limit", "30"]).await;
    assert_eq!(one_page.code, Some(0), "{}", one_page.stderr);
    let one_page = one_page.json();
    assert_eq!(one_page["desktops"].as_array().unwrap().len(), 30);
    assert_eq!(
        one_page["total_count"], DESKTOPS,
        "the service's total, not the page's"
    );

    let shown = run(&["show-desktop", "--desktop-id", &desktop_id(14)]).await;
    assert_eq!(shown.code, Some(0), "{}", shown.stderr);
    assert_eq!(
        shown.json()["desktop"]["attach_user_infos"][0]["user_name"],
        "user007"
    );

    let bad = run(&["list-desktops", "--limit", "501"]).await;
    assert_eq!(bad.code, Some(3), "{}", bad.stderr);
    assert!(
        bad.stderr
            .contains("limit is 501; the largest accepted is 500"),
        "{}",
        bad.stderr
    );
}
