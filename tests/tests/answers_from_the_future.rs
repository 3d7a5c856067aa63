//! A client built today, answered by the service of tomorrow: a value the document does not
//! list yet (a job status Huawei adds) decodes into the enum's `Unknown` variant with its
//! text, the CLI prints it, fields it does not know are ignored, and the change report calls
//! adding that value to the document additive.

use huaweicloud_workspace::types::{self, JobStatus};
use huaweicloud_workspace::{Client, JobState};
use serde_json::{json, Value};
use workspace_codegen::report::{Impact, Report, Semver};
use workspace_tests::cli::{self, run};
use workspace_tests::loopback::{self, LoopbackServer, Reply};

/// A job answer as a later version of the service could send it.
fn job_from_the_future() -> Value {
    json!({
        "id": "6b3e2f1a-0c4d-4e5f-8a9b-1c2d3e4f5a6b",
        "job_type": "BATCH_ATTACH_INSTANCES",
        "status": "SUSPENDED",
        "sub_jobs_total": 1,
        "priority_queue": "fast",
        "sub_jobs": [{
            "id": "7c4f3a2b-1d5e-4f60-9bac-2d3e4f5a6b7c",
            "status": "ARCHIVED",
            "entities": {"desktop_id": "b41a8cc1-4813-47a0-bf3a-7800fcd5b581"}
        }]
    })
}

#[test]
fn an_unknown_value_decodes_into_the_unknown_variant_with_its_text() {
    let job: types::ShowJobResponse = serde_json::from_value(job_from_the_future()).unwrap();
    assert_eq!(job.status, Some(JobStatus::Unknown("SUSPENDED".into())));
    assert_eq!(
        job.sub_jobs[0].status,
        Some(JobStatus::Unknown("ARCHIVED".into()))
    );
    let status = job.status.clone().unwrap();
    assert!(!status.is_known());
    assert_eq!(status.to_string(), "SUSPENDED");
    // A status the waiter does not know counts as still running, with its text.
    assert_eq!(status.state(), JobState::Other("SUSPENDED".into()));
    // Written back as the service wrote it.
    let written = serde_json::to_value(&job).unwrap();
    assert_eq!(written["status"], "SUSPENDED");
    assert_eq!(written["sub_jobs"][0]["status"], "ARCHIVED");
    // The values the document lists keep their variants.
    let known: JobStatus = serde_json::from_value(json!("SUCCESS")).unwrap();
    assert_eq!(known, JobStatus::Success);
    assert!(known.is_known());
}

#[tokio::test]
async fn the_client_and_the_cli_take_the_answer_and_show_the_value() {
    let server = LoopbackServer::start().await;
    server.reply("showJob", Reply::json(200, job_from_the_future()));
    let client = Client::new(
        workspace_tests::loopback_config(&server.endpoint())
            .build()
            .unwrap(),
    )
    .unwrap();
    let job = client.show_job().job_id("j").send().await.unwrap();
    assert_eq!(
        job.into_inner().status,
        Some(JobStatus::Unknown("SUSPENDED".into()))
    );

    for output in ["json", "table"] {
        let mut command = cli::command("hwc-future-answers", loopback::SECRET_KEY);
        command
            .env("HUAWEICLOUD_SDK_AK", loopback::ACCESS_KEY)
            .env("HUAWEICLOUD_SDK_PROJECT_ID", loopback::PROJECT_ID)
            .args([
                "show-job",
                "--job-id",
                "j",
                "--endpoint",
                &server.endpoint(),
                "--output",
                output,
            ]);
        let done = run(command, None).await;
        assert_eq!(done.code, Some(0), "{output}: {}", done.stderr);
        assert!(
            done.stdout.contains("SUSPENDED"),
            "{output}: {}",
            done.stdout
        );
        assert!(
            done.stdout.contains("ARCHIVED"),
            "{output}: {}",
            done.stdout
        );
        if output == "json" {
            assert_eq!(done.json()["status"], "SUSPENDED");
        }
    }
}

#[test]
fn the_report_calls_adding_an_answer_value_additive() {
    let before = workspace_tests::document();
    let mut tree = workspace_tests::spec_tree();
    tree["components"]["schemas"]["JobStatus"]["x-extensible-enum"]
        .as_array_mut()
        .unwrap()
        .push(json!("SUSPENDED"));
    let after = workspace_codegen::load_str(&workspace_tests::spec_path(), &tree.to_string())
        .unwrap_or_else(|d| panic!("{d}"));
    let (old_source, old_surface) = workspace_codegen::generate_with_surface(&before).unwrap();
    let (new_source, new_surface) = workspace_codegen::generate_with_surface(&after).unwrap();
    let report = Report::new(&old_surface, &new_surface, old_source != new_source);
    let changes: Vec<(&str, Impact)> = report
        .changes
        .iter()
        .map(|c| (c.item.as_str(), c.impact))
        .collect();
    assert_eq!(
        changes,
        [("variant JobStatus::Suspended", Impact::Additive)],
        "{report}"
    );
    assert_eq!(report.semver(), Semver::Minor);
    assert!(report.to_string().contains("answer"), "{report}");
}
