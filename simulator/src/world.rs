//! The simulated tenant's state and what each operation does to it.
//!
//! Bodies arrive here already validated against the OpenAPI document; these rules are the
//! ones a schema cannot express (existence, conflicts, who is attached where).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::inventory::{DesktopSpec, Inventory, UserSpec};
use crate::jobs::{Job, SubJob};
use crate::routes::Matched;

/// What an operation answers: a value, or a job to write out (a job never changes once
/// started, so it is written without holding the world).
#[derive(Debug)]
pub enum Answer {
    /// The answer as it is.
    Ready(Value),
    /// A job as it stands at `now`.
    Job {
        /// The job to show.
        job: Arc<Job>,
        /// The project it is shown in.
        project_id: String,
        /// The moment it is shown at.
        now: Instant,
    },
}

impl Answer {
    /// The answer's JSON.
    pub fn into_json(self) -> Value {
        match self {
            Answer::Ready(value) => value,
            Answer::Job {
                job,
                project_id,
                now,
            } => job.to_json(&project_id, now),
        }
    }
}

/// The job type of an assignment, from the service's list (the SDK's `ListItaSubJobsRequest`).
const JOB_ATTACH: &str = "attachDesktops";
/// The job type of a batch unbinding, from the same list.
const JOB_DETACH: &str = "batchDetachDesktops";
/// The service's list has no job type for a privilege change: the simulator names it after
/// the operation.
const JOB_PRIVILEGE: &str = "changeUserPrivilegeGroup";

/// An error answer: status, error code, message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Huawei-style error code.
    pub code: &'static str,
    /// What went wrong, in the answer's `error_msg`.
    pub message: String,
}

impl ApiError {
    /// An error answer.
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// The answer to an operation of the document the simulator has no behaviour for.
    pub fn not_implemented(operation_id: &str) -> Self {
        Self::new(
            501,
            "SIM.0501",
            format!("The simulator has no behaviour for operation {operation_id}."),
        )
    }
}

/// A user or group attached to a desktop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// User or group name.
    pub name: String,
    /// `USER` or `GROUP`.
    pub kind: String,
    /// Privilege group (`users`, `administrators`, `sudo`, `default`).
    pub privilege_group: String,
}

/// A desktop and who is attached to it.
#[derive(Debug, Clone)]
pub struct Desktop {
    /// What the inventory says of it.
    pub spec: DesktopSpec,
    /// Attached users and groups.
    pub attachments: Vec<Attachment>,
    /// The job acting on it, if one is in progress.
    pub busy_with: Option<String>,
}

/// Everything the simulator knows.
#[derive(Debug)]
pub struct World {
    desktops: BTreeMap<String, Desktop>,
    /// Users by name.
    users: BTreeMap<String, UserSpec>,
    /// Group ids by name.
    groups: BTreeMap<String, String>,
    jobs: BTreeMap<String, Arc<Job>>,
    job_duration: Duration,
    next_id: u64,
    /// How many accepted requests named each desktop.
    named: BTreeMap<String, u64>,
    /// Counts the changes: a state written out is newer than another when its count is.
    generation: u64,
}

#[derive(Deserialize)]
struct UserInfo {
    user_name: String,
    #[serde(default)]
    user_group: Option<String>,
    #[serde(default)]
    user_privilege_group: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
struct AttachDesktop {
    desktop_id: Option<String>,
    user_name: Option<String>,
    user_group: Option<String>,
    #[serde(default)]
    attach_user_infos: Vec<UserInfo>,
}

#[derive(Deserialize)]
struct AssignModel {
    assign_dimension: Option<String>,
    priority_strategy: Option<String>,
    desktop_assigin_user_num: Option<usize>,
    user_assigin_desktop_num: Option<usize>,
}

#[derive(Deserialize)]
struct AttachRequest {
    #[serde(default)]
    desktops: Vec<AttachDesktop>,
    #[serde(default)]
    users: Vec<UserInfo>,
    assign_model: Option<AssignModel>,
}

#[derive(Deserialize)]
struct DetachDesktop {
    desktop_id: Option<String>,
    #[serde(default)]
    is_detach_all_users: bool,
    #[serde(default)]
    detach_user_infos: Vec<UserInfo>,
}

#[derive(Deserialize)]
struct DetachRequest {
    #[serde(default)]
    desktops: Vec<DetachDesktop>,
}

#[derive(Deserialize)]
struct PrivilegeDesktop {
    desktop_id: String,
    #[serde(default)]
    attach_user_infos: Vec<UserInfo>,
}

#[derive(Deserialize)]
struct PrivilegeRequest {
    desktops: Vec<PrivilegeDesktop>,
    user_privilege_group: Option<String>,
}

fn parse<T: serde::de::DeserializeOwned>(body: Value) -> Result<T, ApiError> {
    serde_json::from_value(body)
        .map_err(|e| ApiError::new(400, "WKS.0001", format!("Invalid request body: {e}")))
}

impl World {
    /// A world holding `inventory`, whose jobs take `job_duration`.
    pub fn new(inventory: &Inventory, job_duration: Duration) -> Self {
        Self {
            desktops: inventory
                .desktops
                .iter()
                .map(|spec| {
                    let desktop = Desktop {
                        spec: spec.clone(),
                        attachments: Vec::new(),
                        busy_with: None,
                    };
                    (spec.id.clone(), desktop)
                })
                .collect(),
            users: inventory
                .users
                .iter()
                .map(|u| (u.name.clone(), u.clone()))
                .collect(),
            groups: inventory
                .groups
                .iter()
                .map(|g| (g.name().to_string(), g.id()))
                .collect(),
            jobs: BTreeMap::new(),
            job_duration,
            next_id: 1,
            named: BTreeMap::new(),
            generation: 0,
        }
    }

    /// How many accepted requests named the desktop.
    pub fn accepted_requests(&self, desktop_id: &str) -> u64 {
        self.named.get(desktop_id).copied().unwrap_or(0)
    }

    /// How many changes the world has seen.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Per desktop, who is attached with which group, and how many accepted requests named
    /// it: what `--state-file` holds.
    pub fn state(&self) -> Value {
        let desktops: Map<String, Value> = self
            .desktops
            .iter()
            .map(|(id, desktop)| {
                let users: Vec<Value> = desktop
                    .attachments
                    .iter()
                    .map(|a| json!({"name": a.name, "type": a.kind, "privilege_group": a.privilege_group}))
                    .collect();
                let state = json!({"users": users, "accepted_requests": self.accepted_requests(id)});
                (id.clone(), state)
            })
            .collect();
        json!({ "desktops": desktops })
    }

    /// Counts an accepted request that named the desktops of its body's `desktops`.
    fn accepted(&mut self, body: &Value) {
        let named = body
            .get("desktops")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|d| d.get("desktop_id").and_then(Value::as_str));
        for id in named {
            if self.desktops.contains_key(id) {
                *self.named.entry(id.to_string()).or_default() += 1;
            }
        }
        self.generation += 1;
    }

    /// One desktop.
    pub fn desktop(&self, id: &str) -> Option<&Desktop> {
        self.desktops.get(id)
    }

    fn new_id(&mut self, prefix: &str) -> String {
        let n = self.next_id;
        self.next_id += 1;
        format!("{prefix}{n:08x}-0000-4000-8000-{:012x}", n * 7919)
    }

    /// Clears `busy_with` of desktops whose job has ended.
    fn settle(&mut self, now: Instant) {
        let jobs = &self.jobs;
        for desktop in self.desktops.values_mut() {
            if let Some(job) = &desktop.busy_with {
                if jobs.get(job).is_none_or(|j| !j.in_progress(now)) {
                    desktop.busy_with = None;
                }
            }
        }
    }

    fn usable(&self, id: Option<&str>, index: usize) -> Result<&Desktop, ApiError> {
        let id = id.ok_or_else(|| {
            ApiError::new(
                400,
                "WKS.0001",
                format!("desktops[{index}].desktop_id is required"),
            )
        })?;
        let desktop = self.desktops.get(id).ok_or_else(|| {
            ApiError::new(404, "WKS.0104", format!("The desktop {id} does not exist."))
        })?;
        if let Some(job) = &desktop.busy_with {
            return Err(ApiError::new(
                409,
                "WKS.0409",
                format!("The desktop {id} has an operation in progress (job {job})."),
            ));
        }
        Ok(desktop)
    }

    fn check_principal(&self, info: &UserInfo, desktop: &DesktopSpec) -> Result<(), ApiError> {
        let kind = info.kind.as_deref().unwrap_or("USER");
        let known = if kind == "GROUP" {
            self.groups.contains_key(&info.user_name)
        } else {
            self.users.contains_key(&info.user_name)
        };
        if !known {
            let what = if kind == "GROUP" {
                "user group"
            } else {
                "user"
            };
            return Err(ApiError::new(
                400,
                "WKS.0105",
                format!("The {what} {} does not exist.", info.user_name),
            ));
        }
        if info.user_name.eq_ignore_ascii_case(&desktop.name) {
            return Err(ApiError::new(
                400,
                "WKS.0106",
                format!("The user name {} equals the desktop name.", info.user_name),
            ));
        }
        Ok(())
    }

    fn start_job(&mut self, job_type: &'static str, sub_jobs: Vec<SubJob>, now: Instant) -> String {
        let id = self.new_id("");
        for sub in &sub_jobs {
            if let Some(desktop) = self.desktops.get_mut(&sub.desktop_id) {
                desktop.busy_with = Some(id.clone());
            }
        }
        let job = Job {
            id: id.clone(),
            job_type,
            created: now,
            created_at: SystemTime::now(),
            duration: self.job_duration,
            sub_jobs,
        };
        self.jobs.insert(id.clone(), Arc::new(job));
        id
    }

    fn sub_job(
        &mut self,
        desktop: &DesktopSpec,
        user: Option<String>,
        failure: Option<(String, String)>,
    ) -> SubJob {
        SubJob {
            id: self.new_id("5"),
            desktop_id: desktop.id.clone(),
            desktop_name: desktop.name.clone(),
            user,
            failure,
        }
    }

    /// Runs operation `operation_id` of the document: `path` holds its path parameters,
    /// `query` its validated query parameters (as JSON values) and `body` its validated
    /// request body. An operation without behaviour here answers 501. What may be large to
    /// write out (a job of many sub-jobs) is written by [`Answer::into_json`], after the
    /// caller has let go of the world.
    pub fn handle(
        &mut self,
        operation_id: &str,
        path: &Matched<'_>,
        query: &Map<String, Value>,
        body: Option<Value>,
        now: Instant,
    ) -> Result<Answer, ApiError> {
        let body = body.unwrap_or(Value::Null);
        let changed = match operation_id {
            "batchAttach" => Some(self.batch_attach(body.clone(), now)),
            "batchDetach" => Some(self.batch_detach(body.clone(), now)),
            "changeUserPrivilegeGroup" => Some(self.change_user_privilege_group(body.clone(), now)),
            _ => None,
        };
        if let Some(answer) = changed {
            if answer.is_ok() {
                self.accepted(&body);
            }
            return answer.map(Answer::Ready);
        }
        let ready = match operation_id {
            "showJob" => {
                let project_id = path.parameter("project_id").unwrap_or_default();
                let job_id = path.parameter("job_id").unwrap_or_default();
                return self.show_job(job_id, project_id, now);
            }
            "listDesktops" => Ok(self.list_desktops(query, now)),
            "showDesktop" => {
                self.show_desktop(path.parameter("desktop_id").unwrap_or_default(), now)
            }
            "listUsers" => Ok(self.list_users(query)),
            "listUserGroups" => Ok(self.list_user_groups(query)),
            other => Err(ApiError::not_implemented(other)),
        };
        ready.map(Answer::Ready)
    }

    /// POST batch-attach.
    pub fn batch_attach(&mut self, body: Value, now: Instant) -> Result<Value, ApiError> {
        self.settle(now);
        let request: AttachRequest = parse(body)?;
        let plan = match &request.assign_model {
            Some(model) if !request.users.is_empty() => self.plan_by_policy(&request, model)?,
            _ => self.plan_explicit(&request)?,
        };
        let mut sub_jobs = Vec::new();
        for (desktop_id, attachments) in plan {
            let desktop = self
                .desktops
                .get_mut(&desktop_id)
                .expect("planned desktops exist");
            for attachment in &attachments {
                desktop.attachments.retain(|a| a.name != attachment.name);
                desktop.attachments.push(attachment.clone());
            }
            let spec = desktop.spec.clone();
            let users = attachments
                .iter()
                .map(|a| a.name.clone())
                .collect::<Vec<_>>()
                .join(",");
            sub_jobs.push(self.sub_job(&spec, Some(users), None));
        }
        let job_id = self.start_job(JOB_ATTACH, sub_jobs, now);
        Ok(json!({ "job_id": job_id }))
    }

    fn plan_explicit(
        &self,
        request: &AttachRequest,
    ) -> Result<Vec<(String, Vec<Attachment>)>, ApiError> {
        if request.desktops.is_empty() {
            return Err(ApiError::new(
                400,
                "WKS.0001",
                "desktops is empty: name the desktops to assign.",
            ));
        }
        let mut plan = Vec::new();
        let mut seen = BTreeSet::new();
        for (index, entry) in request.desktops.iter().enumerate() {
            let desktop = self.usable(entry.desktop_id.as_deref(), index)?;
            if !seen.insert(desktop.spec.id.clone()) {
                return Err(ApiError::new(
                    400,
                    "WKS.0001",
                    format!(
                        "desktops[{index}]: the desktop {} is listed more than once.",
                        desktop.spec.id
                    ),
                ));
            }
            let infos: Vec<UserInfo> = if entry.attach_user_infos.is_empty() {
                match (&entry.user_name, &entry.user_group) {
                    (Some(name), Some(group)) => vec![UserInfo {
                        user_name: name.clone(),
                        user_group: Some(group.clone()),
                        user_privilege_group: None,
                        kind: None,
                    }],
                    _ => {
                        return Err(ApiError::new(400, "WKS.0001", format!(
                            "desktops[{index}]: user_name and user_group are required when attach_user_infos is empty."
                        )))
                    }
                }
            } else {
                entry
                    .attach_user_infos
                    .iter()
                    .map(|i| UserInfo {
                        user_name: i.user_name.clone(),
                        user_group: i.user_group.clone(),
                        user_privilege_group: None,
                        kind: i.kind.clone(),
                    })
                    .collect()
            };
            plan.push((
                desktop.spec.id.clone(),
                self.attachments_for(desktop, &infos)?,
            ));
        }
        Ok(plan)
    }

    fn attachments_for(
        &self,
        desktop: &Desktop,
        infos: &[UserInfo],
    ) -> Result<Vec<Attachment>, ApiError> {
        if !desktop.spec.multi_user {
            if infos.len() > 1 {
                return Err(ApiError::new(
                    400,
                    "WKS.0107",
                    format!(
                        "The desktop {} is not a multi-user desktop.",
                        desktop.spec.id
                    ),
                ));
            }
            let newcomer = &infos[0].user_name;
            if let Some(holder) = desktop.attachments.iter().find(|a| &a.name != newcomer) {
                return Err(ApiError::new(
                    409,
                    "WKS.0110",
                    format!(
                        "The desktop {} is already assigned to {}.",
                        desktop.spec.id, holder.name
                    ),
                ));
            }
        }
        infos
            .iter()
            .map(|info| {
                self.check_principal(info, &desktop.spec)?;
                Ok(Attachment {
                    name: info.user_name.clone(),
                    kind: info.kind.clone().unwrap_or_else(|| "USER".into()),
                    privilege_group: info.user_group.clone().unwrap_or_else(|| "users".into()),
                })
            })
            .collect()
    }

    fn plan_by_policy(
        &self,
        request: &AttachRequest,
        model: &AssignModel,
    ) -> Result<Vec<(String, Vec<Attachment>)>, ApiError> {
        let mut free: Vec<&Desktop> = Vec::new();
        for (index, entry) in request.desktops.iter().enumerate() {
            let desktop = self.usable(entry.desktop_id.as_deref(), index)?;
            if free.iter().any(|d| d.spec.id == desktop.spec.id) {
                continue; // listed twice: assigned once
            }
            if desktop.attachments.is_empty() || desktop.spec.multi_user {
                free.push(desktop);
            }
        }
        let by_desktop = model.assign_dimension.as_deref() == Some("DESKTOP");
        let strategy = model
            .priority_strategy
            .as_deref()
            .unwrap_or("USER_NO_DESKTOP");
        let mut plan: Vec<(String, Vec<Attachment>)> = Vec::new();
        if by_desktop {
            let per_desktop = match strategy {
                "DESKTOP_ASSIGN_USERS_OR_GROUPS" => request.users.len(),
                _ => model.desktop_assigin_user_num.unwrap_or(1),
            };
            let mut users = request.users.iter().cycle();
            for desktop in free {
                let take = if desktop.spec.multi_user {
                    per_desktop
                } else {
                    1
                };
                let infos: Vec<UserInfo> = (0..take.min(request.users.len()))
                    .filter_map(|_| users.next())
                    .map(|u| UserInfo {
                        user_name: u.user_name.clone(),
                        user_group: u.user_group.clone(),
                        user_privilege_group: None,
                        kind: u.kind.clone(),
                    })
                    .collect();
                plan.push((
                    desktop.spec.id.clone(),
                    self.attachments_for(desktop, &infos)?,
                ));
            }
        } else {
            let per_user = model.user_assigin_desktop_num.unwrap_or(1);
            let mut desktops = free.into_iter();
            for user in &request.users {
                for _ in 0..per_user {
                    let Some(desktop) = desktops.next() else {
                        return Err(ApiError::new(
                            400,
                            "WKS.0108",
                            format!("No free desktop left for user {}.", user.user_name),
                        ));
                    };
                    let info = UserInfo {
                        user_name: user.user_name.clone(),
                        user_group: user.user_group.clone(),
                        user_privilege_group: None,
                        kind: user.kind.clone(),
                    };
                    plan.push((
                        desktop.spec.id.clone(),
                        self.attachments_for(desktop, std::slice::from_ref(&info))?,
                    ));
                }
            }
        }
        Ok(plan)
    }

    /// POST batch-detach.
    pub fn batch_detach(&mut self, body: Value, now: Instant) -> Result<Value, ApiError> {
        self.settle(now);
        let request: DetachRequest = parse(body)?;
        let mut failed = Vec::new();
        let mut pool_sub_jobs = Vec::new();
        for entry in &request.desktops {
            let id = entry.desktop_id.clone().unwrap_or_default();
            let fail = |code: &str, message: String, name: &str| json!({"desktop_id": id, "desktop_name": name, "error_code": code, "error_msg": message});
            let Some(desktop) = self.desktops.get_mut(&id) else {
                failed.push(fail(
                    "WKS.0104",
                    format!("The desktop {id} does not exist."),
                    "",
                ));
                continue;
            };
            if let Some(job) = &desktop.busy_with {
                failed.push(fail(
                    "WKS.0409",
                    format!("The desktop has an operation in progress (job {job})."),
                    &desktop.spec.name,
                ));
                continue;
            }
            if entry.is_detach_all_users {
                desktop.attachments.clear();
            } else {
                let missing: Vec<&str> = entry
                    .detach_user_infos
                    .iter()
                    .map(|u| u.user_name.as_str())
                    .filter(|name| !desktop.attachments.iter().any(|a| a.name == *name))
                    .collect();
                if !missing.is_empty() || entry.detach_user_infos.is_empty() {
                    let message = if missing.is_empty() {
                        "No user to unbind: set is_detach_all_users or detach_user_infos."
                            .to_string()
                    } else {
                        format!("Not attached to this desktop: {}.", missing.join(", "))
                    };
                    failed.push(fail("WKS.0106", message, &desktop.spec.name));
                    continue;
                }
                desktop.attachments.retain(|a| {
                    !entry
                        .detach_user_infos
                        .iter()
                        .any(|u| u.user_name == a.name)
                });
            }
            if desktop.spec.pool {
                let spec = desktop.spec.clone();
                let sub = self.sub_job(&spec, None, None);
                pool_sub_jobs.push(sub);
            }
        }
        let job_id = if pool_sub_jobs.is_empty() {
            String::new()
        } else {
            self.start_job(JOB_DETACH, pool_sub_jobs, now)
        };
        let success: Vec<&str> = if job_id.is_empty() {
            vec![]
        } else {
            vec![job_id.as_str()]
        };
        Ok(json!({"failed_operation_list": failed, "job_id": job_id, "success_job_ids": success}))
    }

    /// POST change-user-privilege-group.
    pub fn change_user_privilege_group(
        &mut self,
        body: Value,
        now: Instant,
    ) -> Result<Value, ApiError> {
        self.settle(now);
        let request: PrivilegeRequest = parse(body)?;
        let mut changes: Vec<(String, Vec<(String, String)>)> = Vec::new();
        for (index, entry) in request.desktops.iter().enumerate() {
            let desktop = self.usable(Some(&entry.desktop_id), index)?;
            let mut desktop_changes = Vec::new();
            for info in &entry.attach_user_infos {
                if !desktop.attachments.iter().any(|a| a.name == info.user_name) {
                    return Err(ApiError::new(
                        400,
                        "WKS.0106",
                        format!(
                            "{} is not attached to the desktop {}.",
                            info.user_name, entry.desktop_id
                        ),
                    ));
                }
                let group = info
                    .user_privilege_group
                    .clone()
                    .or_else(|| request.user_privilege_group.clone())
                    .ok_or_else(|| {
                        ApiError::new(
                            400,
                            "WKS.0001",
                            format!(
                                "desktops[{index}]: no privilege group for {}.",
                                info.user_name
                            ),
                        )
                    })?;
                desktop_changes.push((info.user_name.clone(), group));
            }
            if entry.attach_user_infos.is_empty() {
                let group = request.user_privilege_group.clone().ok_or_else(|| {
                    ApiError::new(400, "WKS.0001", format!("desktops[{index}]: user_privilege_group is required when attach_user_infos is empty."))
                })?;
                desktop_changes.extend(
                    desktop
                        .attachments
                        .iter()
                        .map(|a| (a.name.clone(), group.clone())),
                );
            }
            changes.push((entry.desktop_id.clone(), desktop_changes));
        }
        let mut sub_jobs = Vec::new();
        for (desktop_id, desktop_changes) in changes {
            let desktop = self.desktops.get_mut(&desktop_id).expect("checked above");
            let failure = (!desktop.spec.running).then(|| {
                (
                    "WKS.0301".to_string(),
                    "The desktop is not running.".to_string(),
                )
            });
            if failure.is_none() {
                for (name, group) in &desktop_changes {
                    if let Some(a) = desktop.attachments.iter_mut().find(|a| &a.name == name) {
                        a.privilege_group = group.clone();
                    }
                }
            }
            let spec = desktop.spec.clone();
            let users = desktop_changes
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(",");
            sub_jobs.push(self.sub_job(&spec, Some(users), failure));
        }
        let job_id = self.start_job(JOB_PRIVILEGE, sub_jobs, now);
        Ok(json!({ "job_id": job_id }))
    }

    /// A desktop as the lookups describe it: who is attached, with which group.
    fn describe(&self, desktop: &Desktop) -> Value {
        let spec = &desktop.spec;
        let users: Vec<&str> = desktop
            .attachments
            .iter()
            .filter(|a| a.kind != "GROUP")
            .map(|a| a.name.as_str())
            .collect();
        let groups: Vec<&str> = desktop
            .attachments
            .iter()
            .filter(|a| a.kind == "GROUP")
            .map(|a| a.name.as_str())
            .collect();
        let attached: Vec<Value> = desktop
            .attachments
            .iter()
            .map(|a| {
                let id = if a.kind == "GROUP" {
                    self.groups.get(&a.name).cloned()
                } else {
                    self.users.get(&a.name).map(|u| u.id.clone())
                };
                json!({"user_id": id, "user_name": a.name, "user_group": a.privilege_group, "type": a.kind})
            })
            .collect();
        let desktop_type = if spec.pool {
            "POOLED"
        } else if spec.multi_user {
            "SHARED"
        } else {
            "DEDICATED"
        };
        let mut value = json!({
            "desktop_id": spec.id,
            "computer_name": spec.name,
            "status": if spec.running { "ACTIVE" } else { "SHUTOFF" },
            "desktop_type": desktop_type,
            "attach_state": if desktop.attachments.is_empty() { "UNATTACH" } else { "ATTACHED" },
            "user_list": users,
            "user_group_list": groups,
            "attach_user_infos": attached,
        });
        if let Some(task) = &desktop.busy_with {
            value["task_status"] = json!(format!("job {task}"));
        }
        if let (false, Some(first)) = (spec.multi_user, desktop.attachments.first()) {
            value["user_name"] = json!(first.name);
            value["user_group"] = json!(first.privilege_group);
        }
        value
    }

    /// GET desktops/detail: the desktops the filters select, one page. The simulator applies
    /// `status`, `user_name`, `computer_name`, `desktop_type` and `user_attached`; the other
    /// filters are accepted and ignored.
    pub fn list_desktops(&mut self, query: &Map<String, Value>, now: Instant) -> Value {
        self.settle(now);
        let text = |name: &str| query.get(name).and_then(Value::as_str);
        // The filters are read once, not per desktop: a page of a large fleet stays cheap.
        let (status, desktop_type) = (text("status"), text("desktop_type"));
        let (computer_name, user_name) = (text("computer_name"), text("user_name"));
        let user_attached = query.get("user_attached").and_then(Value::as_bool);
        // Describing a desktop costs; only the filters on described fields need it.
        let needs_description = status.is_some() || desktop_type.is_some();
        let selected: Vec<&Desktop> = self
            .desktops
            .values()
            .filter(|d| {
                let described = if needs_description {
                    self.describe(d)
                } else {
                    Value::Null
                };
                let field = |name: &str| described.get(name).and_then(Value::as_str);
                status.is_none_or(|s| field("status") == Some(s))
                    && computer_name.is_none_or(|n| d.spec.name == n)
                    && desktop_type.is_none_or(|t| field("desktop_type") == Some(t))
                    && user_name.is_none_or(|u| {
                        d.attachments
                            .iter()
                            .any(|a| a.kind != "GROUP" && a.name == u)
                    })
                    && user_attached.is_none_or(|attached| attached != d.attachments.is_empty())
            })
            .collect();
        page(query, selected, "desktops", 500, |d| self.describe(d))
    }

    /// GET desktops/{desktop_id}.
    pub fn show_desktop(&mut self, desktop_id: &str, now: Instant) -> Result<Value, ApiError> {
        self.settle(now);
        let desktop = self.desktops.get(desktop_id).ok_or_else(|| {
            ApiError::new(
                404,
                "WKS.0104",
                format!("The desktop {desktop_id} does not exist."),
            )
        })?;
        Ok(json!({ "desktop": self.describe(desktop) }))
    }

    /// GET users: `user_name` and `group_name` select (the simulator keeps no group
    /// membership, so `group_name` selects nobody); the other filters are ignored.
    pub fn list_users(&self, query: &Map<String, Value>) -> Value {
        let text = |name: &str| query.get(name).and_then(Value::as_str);
        let selected: Vec<&UserSpec> = self
            .users
            .values()
            .filter(|u| text("user_name").is_none_or(|n| u.name == n))
            .filter(|_| text("group_name").is_none())
            .collect();
        let desktops_of = self.attached_counts(|kind| kind != "GROUP");
        page(query, selected, "users", usize::MAX, |user| {
            let desktops = desktops_of.get(user.name.as_str()).copied().unwrap_or(0);
            let mut value = json!({
                "id": user.id,
                "user_name": user.name,
                "total_desktops": desktops,
                "active_type": "USER_ACTIVATE",
                "locked": false,
                "disabled": false,
            });
            if let Some(email) = &user.email {
                value["user_email"] = json!(email);
            }
            value
        })
    }

    /// How many desktops each name is attached to, counting attachments of the kinds
    /// `counted` accepts.
    fn attached_counts(&self, counted: impl Fn(&str) -> bool) -> HashMap<&str, usize> {
        let mut counts = HashMap::new();
        for desktop in self.desktops.values() {
            let names: BTreeSet<&str> = desktop
                .attachments
                .iter()
                .filter(|a| counted(&a.kind))
                .map(|a| a.name.as_str())
                .collect();
            for name in names {
                *counts.entry(name).or_default() += 1;
            }
        }
        counts
    }

    /// GET groups: `keyword` selects the groups whose name contains it.
    pub fn list_user_groups(&self, query: &Map<String, Value>) -> Value {
        let keyword = query.get("keyword").and_then(Value::as_str);
        let selected: Vec<(&String, &String)> = self
            .groups
            .iter()
            .filter(|(name, _)| keyword.is_none_or(|k| name.contains(k)))
            .collect();
        let members_of = self.attached_counts(|kind| kind == "GROUP");
        page(query, selected, "user_groups", 100, |(name, id)| {
            let members = members_of.get(name.as_str()).copied().unwrap_or(0);
            json!({"id": id, "name": name, "platform_type": "LOCAL", "user_quantity": members})
        })
    }

    /// GET workspace-jobs/{job_id}: the job, to be written out later.
    pub fn show_job(
        &mut self,
        job_id: &str,
        project_id: &str,
        now: Instant,
    ) -> Result<Answer, ApiError> {
        self.settle(now);
        self.jobs
            .get(job_id)
            .map(|job| Answer::Job {
                job: job.clone(),
                project_id: project_id.to_string(),
                now,
            })
            .ok_or_else(|| {
                ApiError::new(404, "WKS.0104", format!("The job {job_id} does not exist."))
            })
    }
}

/// One page of `items` as a list answer: `offset` and `limit` from the query (`limit` 0 or
/// absent: `default_limit`), and the total before paging. Only the page's items are
/// `described`.
fn page<T>(
    query: &Map<String, Value>,
    items: Vec<T>,
    key: &str,
    default_limit: usize,
    described: impl Fn(T) -> Value,
) -> Value {
    let number = |name: &str| {
        query
            .get(name)
            .and_then(Value::as_u64)
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
    };
    let total = items.len();
    let offset = number("offset").unwrap_or(0);
    let limit = number("limit").filter(|l| *l > 0).unwrap_or(default_limit);
    let page: Vec<Value> = items
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(described)
        .collect();
    json!({ key: page, "total_count": total })
}
