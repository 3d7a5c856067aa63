//! `spec/verdicts.yaml`: the maintainer's verdicts where the change report's own rule is
//! wrong for one change, each with its reason; and the date sunset dates are compared with.

use std::path::Path;
use std::time::SystemTime;

use serde_json::Value;
use workspace_codegen::report::Override;

/// Where the overrides live, from the workspace root.
pub const PATH: &str = "spec/verdicts.yaml";

/// The overrides of `path` (`overrides: [{item, impact, reason}]`); none when the file is
/// absent. An entry with another key, or without one of these, is an error naming it.
pub fn read(path: &Path) -> Result<Vec<Override>, String> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let tree = workspace_codegen::read_tree(path).map_err(|d| d.to_string())?;
    let entries = match tree.get("overrides") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(entries)) => entries,
        Some(_) => return Err(format!("{}: `overrides` must be a list", path.display())),
    };
    entries
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            let at = format!("{}: overrides[{index}]", path.display());
            let object = entry.as_object().ok_or(format!("{at}: not a mapping"))?;
            if let Some(key) = object
                .keys()
                .find(|k| !matches!(k.as_str(), "item" | "impact" | "reason"))
            {
                return Err(format!("{at}: unknown key `{key}`"));
            }
            let text = |key: &str| {
                object
                    .get(key)
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or(format!("{at}: `{key}` (text) is missing"))
            };
            Ok(Override {
                item: text("item")?,
                impact: text("impact")?,
                reason: text("reason")?,
            })
        })
        .collect()
}

/// Today's date in UTC, `YYYY-MM-DD`.
pub fn today() -> String {
    date_of(SystemTime::now())
}

/// The UTC date of `time`, `YYYY-MM-DD`: the date part of its RFC 3339 form.
fn date_of(time: SystemTime) -> String {
    let mut text = humantime::format_rfc3339_seconds(time).to_string();
    text.truncate("YYYY-MM-DD".len());
    text
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::date_of;

    #[test]
    fn days_become_dates() {
        let day = |days: u64| UNIX_EPOCH + Duration::from_secs(days * 86_400);
        assert_eq!(date_of(day(0)), "1970-01-01");
        assert_eq!(date_of(day(11_016)), "2000-02-29");
        assert_eq!(date_of(day(20_787)), "2026-11-30");
    }
}
