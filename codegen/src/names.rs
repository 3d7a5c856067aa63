//! Rust names for document names, exactly as progenitor and typify derive them, so that the
//! code this crate generates next to theirs refers to the same items.

use heck::{ToKebabCase, ToPascalCase, ToSnakeCase};

/// `batchAttach` → `batch_attach`; a keyword gets a trailing `_` (`type` → `type_`).
pub fn snake(name: &str) -> String {
    sanitize(&name.to_snake_case(), "x")
}

/// `batchAttach` → `BatchAttach`.
pub fn pascal(name: &str) -> String {
    sanitize(&name.to_pascal_case(), "X")
}

/// `batchAttach` → `batch-attach`, the CLI's subcommand names; `job_id` → `job-id`.
pub fn kebab(name: &str) -> String {
    name.to_kebab_case()
}

/// `cn-north-4` → `CN_NORTH_4`, the name of a constant.
pub fn constant(name: &str) -> String {
    name.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
        .to_ascii_uppercase()
}

/// typify's rules: characters that cannot continue an identifier become `-` before the case
/// conversion; a leading non-letter gets a prefix; keywords get a trailing `_`.
fn sanitize(converted: &str, prefix: &str) -> String {
    let cleaned: String = converted
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    let out = match cleaned.chars().next() {
        None => prefix.to_string(),
        Some(c) if c.is_alphabetic() || c == '_' => cleaned,
        Some(_) => format!("{prefix}{cleaned}"),
    };
    if syn::parse_str::<syn::Ident>(&out).is_ok() && out != "gen" && out != "_" {
        out
    } else {
        format!("{out}_")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_typify() {
        assert_eq!(snake("batchAttach"), "batch_attach");
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("job_id"), "job_id");
        assert_eq!(
            pascal("changeUserPrivilegeGroup"),
            "ChangeUserPrivilegeGroup"
        );
        assert_eq!(pascal("ShowJobResponse"), "ShowJobResponse");
        assert_eq!(
            kebab("changeUserPrivilegeGroup"),
            "change-user-privilege-group"
        );
        assert_eq!(kebab("job_id"), "job-id");
        assert_eq!(constant("eu-west-101"), "EU_WEST_101");
    }
}
