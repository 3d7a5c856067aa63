//! The INI credentials file of the official SDKs (`~/.huaweicloud/credentials`).
//!
//! ```ini
//! [basic]            ; or [basiccredentials]
//! ak = ...
//! sk = ...
//! project_id = ...
//! security_token = ...   ; optional, temporary credentials
//! region = cn-north-4    ; optional, the default region
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::credentials::{
    from_pair, CredentialsError, CredentialsSource, Env, Found, Resolved, Source, SourceSettings,
};

/// The sections the official SDKs read basic (regional) credentials from, in order.
const SECTIONS: [&str; 2] = ["basic", "basiccredentials"];

/// Environment variable naming another credentials file.
pub(crate) const FILE_ENV: &str = "HUAWEICLOUD_SDK_CREDENTIALS_FILE";

/// The largest credentials file read (a few lines are expected).
pub const MAX_CREDENTIALS_FILE: usize = 64 << 10;

/// The credentials file: `$HUAWEICLOUD_SDK_CREDENTIALS_FILE`, else `~/.huaweicloud/credentials`.
pub(crate) struct ProfileFile;

impl Source for ProfileFile {
    fn how_to_use(&self, env: Env<'_>, _: &SourceSettings) -> String {
        let path = path(env).map_or_else(
            || "~/.huaweicloud/credentials".to_string(),
            |(p, _)| p.display().to_string(),
        );
        format!("write ak and sk in the [basic] section of {path}")
    }

    fn find(&self, env: Env<'_>, _: &SourceSettings) -> Result<Option<Found>, CredentialsError> {
        let Some(section) = section(env)? else {
            return Ok(None);
        };
        let (path, _) = path(env).unwrap_or_default();
        let name = format!("the credentials file {}", path.display());
        let get = |key: &str| section.get(key).cloned().filter(|v| !v.is_empty());
        let credentials = from_pair(&name, get("ak"), get("sk"), get("security_token"))?;
        Ok(credentials.map(|credentials| {
            Found::Now(Resolved {
                credentials,
                project_id: get("project_id"),
                source: CredentialsSource::File(path),
            })
        }))
    }
}

/// The file's default region (`region` in its basic section), if it has one.
pub(crate) fn region(env: Env<'_>) -> Result<Option<String>, CredentialsError> {
    setting(env, "region")
}

/// The file's project id, for credentials that come from elsewhere (instance metadata).
pub(crate) fn project_id(env: Env<'_>) -> Result<Option<String>, CredentialsError> {
    setting(env, "project_id")
}

fn setting(env: Env<'_>, key: &str) -> Result<Option<String>, CredentialsError> {
    Ok(section(env)?.and_then(|s| s.get(key).cloned().filter(|v| !v.is_empty())))
}

/// Where the file is, and whether an environment variable chose it.
fn path(env: Env<'_>) -> Option<(PathBuf, bool)> {
    if let Some(path) = env(FILE_ENV).filter(|p| !p.is_empty()) {
        return Some((PathBuf::from(path), true));
    }
    let home = env("HOME").or_else(|| env("USERPROFILE"))?;
    Some((
        Path::new(&home).join(".huaweicloud").join("credentials"),
        false,
    ))
}

/// The basic section of the file, `None` when there is no file (or no such section). A file
/// named by the environment must exist.
fn section(env: Env<'_>) -> Result<Option<HashMap<String, String>>, CredentialsError> {
    let Some((path, chosen)) = path(env) else {
        return Ok(None);
    };
    if !crate::local_input::exists(&path) {
        return if chosen {
            Err(CredentialsError::MissingFile {
                variable: FILE_ENV,
                path,
            })
        } else {
            Ok(None)
        };
    }
    // Something is there, even a link to nothing: what it is, not "no credentials found".
    let text = crate::local_input::read_text(&path, MAX_CREDENTIALS_FILE, "credentials file")?;
    Ok(basic_section(&text))
}

/// Keys of the first basic-credentials section of an INI text, lower-cased, values trimmed.
/// `None` when the text has no such section. A leading byte order mark is ignored.
fn basic_section(text: &str) -> Option<HashMap<String, String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut sections: HashMap<String, HashMap<String, String>> = HashMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = name.trim().to_ascii_lowercase();
            sections.entry(name.clone()).or_default();
            current = Some(name);
            continue;
        }
        let (Some(section), Some((key, value))) = (&current, line.split_once(['=', ':'])) else {
            continue;
        };
        if let Some(entries) = sections.get_mut(section) {
            entries.insert(key.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    SECTIONS.iter().find_map(|name| sections.remove(*name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_either_section_name_with_comments_and_spacing() {
        let text = "; comment\n[other]\nak = nope\n\n[BasicCredentials]\n  ak =  AK1 \nsk:SK1\n# note\nproject_id = p1\n";
        let section = basic_section(text).unwrap();
        assert_eq!(section["ak"], "AK1");
        assert_eq!(section["sk"], "SK1");
        assert_eq!(section["project_id"], "p1");
        assert!(basic_section("[global]\nak=x\n").is_none());
    }

    #[test]
    fn basic_wins_over_basiccredentials() {
        let section = basic_section("[basiccredentials]\nak=second\n[basic]\nak=first\n").unwrap();
        assert_eq!(section["ak"], "first");
    }

    #[test]
    fn a_byte_order_mark_is_ignored() {
        let section = basic_section("\u{feff}[basic]\nak=x\n").unwrap();
        assert_eq!(section["ak"], "x");
    }
}
