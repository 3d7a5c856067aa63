//! Signing cost per request, and the cost of building, serializing and signing batch bodies
//! of 10, 1,000 and 10,000 desktops (which must grow linearly).
//!
//! `cargo bench -p huaweicloud-workspace --bench signing`

use std::time::SystemTime;

use divan::Bencher;
use huaweicloud_workspace::signing::{sign_request, SigningParams};
use huaweicloud_workspace::{types, Secret};

fn main() {
    divan::main();
}

fn key(secret: &Secret) -> SigningParams<'_> {
    SigningParams::new("HPUAEXAMPLEAK7QZ1X0Q", secret)
        .project_id("0bec5db98280d2d02fd6c00c2de791ce")
}

fn request(method: reqwest::Method, path: &str, body: Option<Vec<u8>>) -> reqwest::Request {
    let url = format!(
        "https://workspace.cn-north-4.myhuaweicloud.com/v2/0bec5db98280d2d02fd6c00c2de791ce/{path}"
    );
    let mut request = reqwest::Request::new(method, url.parse().unwrap());
    let headers = request.headers_mut();
    headers.insert("content-type", "application/json".parse().unwrap());
    headers.insert("accept", "application/json".parse().unwrap());
    *request.body_mut() = body.map(Into::into);
    request
}

/// One job query (no body), signed.
#[divan::bench]
fn sign_show_job(bencher: Bencher) {
    let secret = Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    let template = request(
        reqwest::Method::GET,
        "workspace-jobs/3979904c-7beb-4f34-835f-2fa989a5550a",
        None,
    );
    let now = SystemTime::now();
    bencher
        .with_inputs(|| template.try_clone().unwrap())
        .bench_local_values(|mut request| {
            sign_request(&mut request, &key(&secret), now).unwrap();
            request
        });
}

fn attach_body(desktops: usize) -> types::BatchAttachRequest {
    let desktops = (0..desktops)
        .map(|i| {
            types::AttachInstancesDesktopInfo::builder()
                .desktop_id(format!("b41a8cc1-4813-47a0-bf3a-{i:012}"))
                .user_name(
                    format!("user{i}")
                        .parse::<types::DesktopUserName>()
                        .unwrap(),
                )
                .user_group(types::UserGroup::Users)
                .computer_name(
                    format!("ws-{i}")
                        .parse::<types::AttachInstancesDesktopInfoComputerName>()
                        .unwrap(),
                )
                .try_into()
                .unwrap()
        })
        .collect::<Vec<types::AttachInstancesDesktopInfo>>();
    types::BatchAttachRequest::builder()
        .desktops(desktops)
        .try_into()
        .unwrap()
}

/// Build (with the generated builders and their validation), serialize and sign a
/// batch-attach body of N desktops.
#[divan::bench(args = [10, 1_000, 10_000])]
fn build_serialize_sign_batch_attach(bencher: Bencher, desktops: usize) {
    let secret = Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    let now = SystemTime::now();
    bencher
        .counter(divan::counter::ItemsCount::new(desktops))
        .bench_local(|| {
            let body = serde_json::to_vec(&attach_body(desktops)).unwrap();
            let mut request = request(reqwest::Method::POST, "desktops/batch-attach", Some(body));
            sign_request(&mut request, &key(&secret), now).unwrap();
            request
        });
}

/// Serialize and sign only (the body already built), to separate the two costs.
#[divan::bench(args = [10, 1_000, 10_000])]
fn serialize_sign_batch_attach(bencher: Bencher, desktops: usize) {
    let secret = Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    let now = SystemTime::now();
    let body = attach_body(desktops);
    bencher
        .counter(divan::counter::ItemsCount::new(desktops))
        .bench_local(|| {
            let bytes = serde_json::to_vec(&body).unwrap();
            let mut request = request(reqwest::Method::POST, "desktops/batch-attach", Some(bytes));
            sign_request(&mut request, &key(&secret), now).unwrap();
            request
        });
}
