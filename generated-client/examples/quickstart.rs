//! Quickstart: a real scenario end to end. With no options it starts the Workspace simulator
//! in this process and runs against it: attach two users, change one's privilege group,
//! detach, waiting for each job.
//!
//! ```sh
//! cargo run --example quickstart
//! ```
//!
//! Against a real region it needs an explicit flag and real desktop ids, never by accident
//! (credentials and project id come from `HUAWEICLOUD_SDK_*` or `~/.huaweicloud/credentials`):
//!
//! ```sh
//! cargo run --example quickstart -- --real-region cn-north-4 \
//!     --desktop DESKTOP_ID_1 --desktop DESKTOP_ID_2 --user alice --user bob
//! ```

use std::time::Duration;

use huaweicloud_workspace::{
    request_body, types, Client, Config, Credentials, JobOutcome, Region, StartsJob, WaitOptions,
};
use serde_json::json;
use workspace_simulator::{Simulator, DEMO_ACCESS_KEY, DEMO_PROJECT_ID, DEMO_SECRET_KEY};

struct Scenario {
    desktops: Vec<String>,
    users: Vec<String>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let values = |flag: &str| -> Vec<String> {
        args.windows(2)
            .filter(|w| w[0] == flag)
            .map(|w| w[1].clone())
            .collect()
    };
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("usage: quickstart [--real-region REGION --desktop ID --desktop ID --user NAME --user NAME]");
        return Ok(());
    }

    let _simulator;
    let (client, scenario, wait) = match values("--real-region").first() {
        Some(region) => {
            let scenario = Scenario {
                desktops: values("--desktop"),
                users: values("--user"),
            };
            if scenario.desktops.len() != 2 || scenario.users.len() != 2 {
                return Err(
                    "--real-region needs exactly two --desktop ids and two --user names".into(),
                );
            }
            let config = Config::builder()
                .region(Region::new(region.as_str()))
                .build()?;
            println!(
                "Running against the real region {region} (project {}).",
                config.project_id()
            );
            (Client::new(config)?, scenario, WaitOptions::default())
        }
        None => {
            let simulator = Simulator::builder()
                .job_duration(Duration::from_millis(600))
                .start()
                .await?;
            println!(
                "Started the Workspace simulator on {}.",
                simulator.endpoint()
            );
            let config = Config::builder()
                .credentials(Credentials::ak_sk(DEMO_ACCESS_KEY, DEMO_SECRET_KEY))
                .project_id(DEMO_PROJECT_ID)
                .endpoint(simulator.endpoint())
                .build()?;
            _simulator = simulator;
            let scenario = Scenario {
                desktops: vec![
                    "b41a8cc1-4813-47a0-bf3a-7800fcd5b581".into(),
                    "5f4ed564-14eb-44fd-8ff7-0483725a532b".into(),
                ],
                users: vec!["alice".into(), "bob".into()],
            };
            let wait = WaitOptions::default()
                .with_intervals(Duration::from_millis(100), Duration::from_secs(1));
            (Client::new(config)?, scenario, wait)
        }
    };

    // 1. Attach: each user gets one desktop, as a standard Windows user.
    let pairs: Vec<_> = scenario
        .desktops
        .iter()
        .zip(&scenario.users)
        .map(|(desktop, user)| json!({"desktop_id": desktop, "user_name": user, "user_group": "users"}))
        .collect();
    let body: types::BatchAttachRequest =
        request_body::from_json(&json!({ "desktops": pairs }).to_string())?;
    let attached = client.batch_attach().body(body).send().await?;
    println!(
        "Attach: job {} started (request id {}).",
        attached.job_id().unwrap_or("-"),
        attached.request_id().unwrap_or("-")
    );
    report("attach", client.wait_for(&attached, &wait).await?);

    // 2. Make the first user an administrator of their desktop.
    let body: types::ChangeUserPrivilegeGroupRequest = request_body::from_json(
        &json!({"desktops": [{"desktop_id": scenario.desktops[0],
            "attach_user_infos": [{"user_name": scenario.users[0], "user_privilege_group": "administrators", "type": "USER"}]}]})
        .to_string(),
    )?;
    let changed = client
        .change_user_privilege_group()
        .body(body)
        .send()
        .await?;
    println!(
        "Privilege change: job {} started.",
        changed.job_id().unwrap_or("-")
    );
    report("privilege change", client.wait_for(&changed, &wait).await?);

    // 3. Detach both users again.
    let desktops: Vec<_> = scenario
        .desktops
        .iter()
        .map(|d| json!({"desktop_id": d, "is_detach_all_users": true}))
        .collect();
    let body: types::BatchDetachRequest =
        request_body::from_json(&json!({ "desktops": desktops }).to_string())?;
    // A desktop the service could not unbind makes this an error (Error::PartialFailure),
    // never a silent success.
    let detached = client.batch_detach().body(body).send().await?;
    report("detach", client.wait_for(&detached, &wait).await?);
    println!("Done.");
    Ok(())
}

fn report(what: &str, outcome: JobOutcome) {
    match outcome {
        JobOutcome::Succeeded(job) => println!(
            "{what}: job {} finished {} ({} sub-jobs).",
            job.id.as_deref().unwrap_or("-"),
            job.status.as_ref().map_or("-", |s| s.as_str()),
            job.sub_jobs.len()
        ),
        JobOutcome::NoJob => println!("{what}: done, no job to follow (an empty job id)."),
        _ => println!("{what}: done."),
    }
}
