//! The INI credentials file of the official SDKs (`~/.huaweicloud/credentials`).
//!
//! ```ini
//! [basic]            ; or [basiccredentials]
//! ak = ...
//! sk = ...
//! project_id = ...
//! security_token = ...   ; optional, temporary credentials
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The sections the official SDKs read basic (regional) credentials from, in order.
pub const SECTIONS: [&str; 2] = ["basic", "basiccredentials"];

/// Environment variable naming another credentials file.
pub const FILE_ENV: &str = "HUAWEICLOUD_SDK_CREDENTIALS_FILE";

/// Keys of the first basic-credentials section of an INI text, lower-cased, values trimmed.
/// `None` when the text has no such section.
pub fn basic_section(text: &str) -> Option<HashMap<String, String>> {
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
        sections
            .get_mut(section)
            .expect("section created on its header")
            .insert(key.trim().to_ascii_lowercase(), value.trim().to_string());
    }
    SECTIONS.iter().find_map(|name| sections.remove(*name))
}

/// Where the credentials file is: `$HUAWEICLOUD_SDK_CREDENTIALS_FILE`, else
/// `~/.huaweicloud/credentials`. `None` when neither can be determined.
pub fn default_path(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(path) = env(FILE_ENV).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let home = env("HOME").or_else(|| env("USERPROFILE"))?;
    Some(Path::new(&home).join(".huaweicloud").join("credentials"))
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
}
