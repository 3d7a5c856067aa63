//! `spec/verdicts.yaml`: the maintainer's verdicts where the change report's own rule is
//! wrong for one change, each with its reason; and the date sunset dates are compared with.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

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
    let days = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    civil_date(days as i64)
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's algorithm).
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::civil_date;

    #[test]
    fn days_become_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(11_016), "2000-02-29");
        assert_eq!(civil_date(20_787), "2026-11-30");
    }
}
