//! The hand-written side of progenitor's CLI: where results go, and the project id filled in
//! from the configuration when `--project-id` is not given.

use std::cell::RefCell;
use std::rc::Rc;

use huaweicloud_workspace::generated_api::{builder, types, Error, ResponseValue};
use serde_json::Value;

use crate::generated::CliConfig;

/// Keeps the decoded response for `main` to print (and to wait on).
pub struct Output {
    /// The last successful response, as JSON.
    pub result: Rc<RefCell<Option<Value>>>,
    /// The project id from the configuration.
    pub project_id: String,
}

/// Whether the command line gave `--project-id` itself.
fn project_given(matches: &clap::ArgMatches) -> bool {
    matches.value_source("project-id").is_some()
}

macro_rules! fill_project_id {
    ($($method:ident => $builder:ident),* $(,)?) => {$(
        fn $method(&self, matches: &clap::ArgMatches, request: &mut builder::$builder<'_>) -> anyhow::Result<()> {
            if !project_given(matches) {
                *request = request.clone().project_id(self.project_id.as_str());
            }
            Ok(())
        }
    )*};
}

impl CliConfig for Output {
    fn success_item<T>(&self, value: &ResponseValue<T>)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {
        *self.result.borrow_mut() = Some(serde_json::to_value(&**value).unwrap_or(Value::Null));
    }

    fn success_no_item(&self, _: &ResponseValue<()>) {
        *self.result.borrow_mut() = Some(Value::Null);
    }

    // Errors are reported by `main`, with the raw response it captured.
    fn error<T>(&self, _: &Error<T>)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {
    }

    // No operation of the document is paginated.
    fn list_start<T>(&self)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {
    }

    fn list_item<T>(&self, _: &T)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {
    }

    fn list_end_success<T>(&self)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {
    }

    fn list_end_error<T>(&self, _: &Error<T>)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {
    }

    fill_project_id! {
        execute_batch_attach => BatchAttach,
        execute_batch_detach => BatchDetach,
        execute_show_job => ShowJob,
    }

    fn execute_change_user_privilege_group(
        &self,
        matches: &clap::ArgMatches,
        request: &mut builder::ChangeUserPrivilegeGroup<'_>,
    ) -> anyhow::Result<()> {
        if !project_given(matches) {
            *request = request.clone().project_id(self.project_id.as_str());
        }
        // progenitor's `--json-body` replaces the whole body, flags included; a flag given
        // next to the file is meant to override the file's field, so apply it again.
        if let Some(group) = matches.get_one::<types::UserGroup>("user-privilege-group") {
            let group = *group;
            *request = request
                .clone()
                .body_map(move |body| body.user_privilege_group(group));
        }
        Ok(())
    }
}
