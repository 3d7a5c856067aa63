//! What a change of the document does to users of the generated crate: each added, removed or
//! changed item of the [`Surface`], classified by its effect on code compiled against it, and
//! the semver step that follows.
//!
//! The rules follow cargo-semver-checks (the Rust API users compile against) with
//! oasdiff's view of constraints (the values a call may carry): the generated types are
//! `#[non_exhaustive]` and built with builders, so an optional field or an enum value is
//! additive; removing anything, making a field required or changing a type breaks users;
//! tightening a constraint breaks the calls it now refuses, loosening one does not.

use std::fmt;

use crate::Surface;

/// The effect of one change on users of the generated crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Impact {
    /// Nothing they compile against changes (a description, a looser constraint).
    None,
    /// Something new they may use; their code keeps compiling and working.
    Additive,
    /// Code written against the old crate may stop compiling or start failing.
    Breaking,
}

impl fmt::Display for Impact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Impact::None => "none",
            Impact::Additive => "additive",
            Impact::Breaking => "breaking",
        })
    }
}

/// Whether an item was added, removed or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// New in the document.
    Added,
    /// Gone from the document.
    Removed,
    /// Still there, different.
    Changed,
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Added, removed or changed.
    pub kind: Kind,
    /// The item (`field BatchDetachResponse.job_id`).
    pub item: String,
    /// Its value before, if it existed.
    pub before: Option<String>,
    /// Its value after, if it exists.
    pub after: Option<String>,
    /// What it does to users.
    pub impact: Impact,
}

/// The semver step a set of changes calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Semver {
    /// Nothing generated changed.
    None,
    /// The generated code changed, its API did not.
    Patch,
    /// Only additions.
    Minor,
    /// At least one breaking change.
    Major,
}

impl fmt::Display for Semver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Semver::None => "none",
            Semver::Patch => "patch",
            Semver::Minor => "minor",
            Semver::Major => "major",
        })
    }
}

/// Every change between two surfaces, and whether the generated source changed at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The changes, in item order.
    pub changes: Vec<Change>,
    /// Whether the generated source differs (a description changes the source, not the API).
    pub source_changed: bool,
}

impl Report {
    /// Compares the surface before and after a change of the document.
    pub fn new(before: &Surface, after: &Surface, source_changed: bool) -> Self {
        let mut changes = Vec::new();
        let mut old = before.entries().peekable();
        let mut new = after.entries().peekable();
        loop {
            let change = match (old.peek(), new.peek()) {
                (None, None) => break,
                (Some((k, v)), None) => {
                    let change = removed(k, v);
                    old.next();
                    change
                }
                (None, Some((k, v))) => {
                    let change = added(k, v, before);
                    new.next();
                    match change {
                        Some(change) => change,
                        None => continue,
                    }
                }
                (Some((ok, ov)), Some((nk, nv))) => match ok.cmp(nk) {
                    std::cmp::Ordering::Less => {
                        let change = removed(ok, ov);
                        old.next();
                        change
                    }
                    std::cmp::Ordering::Greater => {
                        let change = added(nk, nv, before);
                        new.next();
                        match change {
                            Some(change) => change,
                            None => continue,
                        }
                    }
                    std::cmp::Ordering::Equal => {
                        let change = (ov != nv).then(|| changed(ok, ov, nv));
                        old.next();
                        new.next();
                        match change {
                            Some(change) => change,
                            None => continue,
                        }
                    }
                },
            };
            changes.push(change);
        }
        Self {
            changes,
            source_changed,
        }
    }

    /// The semver step: major for any breaking change, minor for additions, patch when only
    /// the generated source changed, none when nothing did.
    pub fn semver(&self) -> Semver {
        match self.changes.iter().map(|c| c.impact).max() {
            Some(Impact::Breaking) => Semver::Major,
            Some(Impact::Additive) => Semver::Minor,
            Some(Impact::None) => Semver::Patch,
            None if self.source_changed => Semver::Patch,
            None => Semver::None,
        }
    }

    /// The entry to paste under `## [Unreleased]` of CHANGELOG.md (Keep a Changelog).
    pub fn changelog_entry(&self) -> String {
        let mut out = String::new();
        for (heading, kind) in [
            ("Added", Kind::Added),
            ("Changed", Kind::Changed),
            ("Removed", Kind::Removed),
        ] {
            let lines: Vec<String> = self
                .changes
                .iter()
                .filter(|c| c.kind == kind)
                .map(|c| {
                    let breaking = if c.impact == Impact::Breaking {
                        "**Breaking:** "
                    } else {
                        ""
                    };
                    format!("- {breaking}{}", describe(c))
                })
                .collect();
            if !lines.is_empty() {
                out.push_str(&format!("### {heading}\n{}\n", lines.join("\n")));
            }
        }
        if out.is_empty() && self.source_changed {
            out.push_str("### Changed\n- Documentation of the generated API (no API change).\n");
        }
        out
    }
}

fn describe(change: &Change) -> String {
    let value = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
    match (change.kind, value(&change.before), value(&change.after)) {
        (Kind::Added, _, Some(after)) => format!("`{}` ({after})", change.item),
        (Kind::Removed, Some(before), _) => format!("`{}` (was {before})", change.item),
        (Kind::Changed, Some(before), Some(after)) => {
            format!("`{}`: {before} → {after}", change.item)
        }
        _ => format!("`{}`", change.item),
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.changes.is_empty() {
            let what = if self.source_changed {
                "the generated source changed, its API did not"
            } else {
                "nothing generated changed"
            };
            writeln!(f, "no API change: {what}")?;
        }
        for change in &self.changes {
            let kind = match change.kind {
                Kind::Added => "added",
                Kind::Removed => "removed",
                Kind::Changed => "changed",
            };
            let impact = change.impact.to_string();
            writeln!(f, "{impact:<9} {kind:<7} {}", describe(change))?;
        }
        writeln!(f, "semver: {}", self.semver())
    }
}

/// The first word of an item: `field`, `variant`, `constraint`…
fn kind_of(item: &str) -> &str {
    item.split(' ').next().unwrap_or("")
}

/// The change an added surface line makes; none for a constraint of something new (a new
/// field, type or operation, which the report lists itself, constraints included).
fn added(item: &str, value: &str, before: &Surface) -> Option<Change> {
    let existed = subject_existed(item, before);
    if !existed && kind_of(item) == "constraint" {
        return None;
    }
    let impact = match kind_of(item) {
        // What comes with a new type or operation is new too: nobody used it before.
        _ if !existed => Impact::Additive,
        // A new required input breaks callers that do not give it.
        "field" | "parameter" | "body" if value.ends_with(" required") => Impact::Breaking,
        // A new constraint refuses values that were accepted.
        "constraint" => Impact::Breaking,
        // The operation now reports some answers as errors.
        "partial-failures" => Impact::Breaking,
        _ => Impact::Additive,
    };
    Some(Change {
        kind: Kind::Added,
        item: item.to_string(),
        before: None,
        after: Some(value.to_string()),
        impact,
    })
}

fn removed(item: &str, value: &str) -> Change {
    let impact = match kind_of(item) {
        // A constraint removed accepts more than before.
        "constraint" => Impact::None,
        _ => Impact::Breaking,
    };
    Change {
        kind: Kind::Removed,
        item: item.to_string(),
        before: Some(value.to_string()),
        after: None,
        impact,
    }
}

fn changed(item: &str, before: &str, after: &str) -> Change {
    let impact = match kind_of(item) {
        "constraint" => constraint_change(item, before, after),
        "parameter" | "body" => {
            let (before_kind, before_required) = split_requirement(before);
            let (after_kind, after_required) = split_requirement(after);
            if before_kind != after_kind || (!before_required && after_required) {
                Impact::Breaking
            } else {
                Impact::None
            }
        }
        "starts-job" => Impact::None,
        _ => Impact::Breaking,
    };
    Change {
        kind: Kind::Changed,
        item: item.to_string(),
        before: Some(before.to_string()),
        after: Some(after.to_string()),
        impact,
    }
}

/// Whether what `item` belongs to (its type, its operation, the field a constraint is on)
/// was there before: a required field of a new type breaks nobody.
fn subject_existed(item: &str, before: &Surface) -> bool {
    let name = item.split_once(' ').map_or("", |(_, name)| name);
    match kind_of(item) {
        "field" | "variant" => {
            let owner = name.split(['.', ':']).next().unwrap_or_default();
            before.get(&format!("type {owner}")).is_some()
        }
        "parameter" => {
            let operation = name.split('.').next().unwrap_or_default();
            before.get(&format!("operation {operation}")).is_some()
        }
        "body" | "answer" | "starts-job" | "partial-failures" => {
            before.get(&format!("operation {name}")).is_some()
        }
        "constraint" => constraint_subject_existed(name, before),
        _ => true,
    }
}

/// A constraint is named by its JSON pointer (then its keyword): on a component schema, its
/// property, or an operation's parameter.
fn constraint_subject_existed(name: &str, before: &Surface) -> bool {
    let pointer = name.split(' ').next().unwrap_or_default();
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    match tokens
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["components", "schemas", schema, "properties", property, ..] => {
            let owner = crate::names::pascal(schema);
            let field = crate::names::snake(property);
            before.get(&format!("field {owner}.{field}")).is_some()
        }
        ["components", "schemas", schema, ..] => before
            .get(&format!("type {}", crate::names::pascal(schema)))
            .is_some(),
        ["paths", path, ..] => before
            .entries()
            .any(|(k, v)| k.starts_with("operation ") && v.contains(&format!(" {path} "))),
        _ => true,
    }
}

/// `"types::X required"` → (`"types::X"`, true).
fn split_requirement(value: &str) -> (&str, bool) {
    match value.rsplit_once(' ') {
        Some((kind, "required")) => (kind, true),
        Some((kind, "optional")) => (kind, false),
        _ => (value, false),
    }
}

/// A bound that moves inward breaks; one that moves outward does not; a changed pattern or
/// format may refuse what was accepted, so it breaks.
fn constraint_change(item: &str, before: &str, after: &str) -> Impact {
    let keyword = item.rsplit(' ').next().unwrap_or("");
    let (Ok(before), Ok(after)) = (before.parse::<f64>(), after.parse::<f64>()) else {
        return Impact::Breaking;
    };
    let tighter = match keyword {
        "maxLength" | "maximum" | "exclusiveMaximum" | "maxItems" => after < before,
        "minLength" | "minimum" | "exclusiveMinimum" | "minItems" => after > before,
        _ => true,
    };
    if tighter {
        Impact::Breaking
    } else {
        Impact::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn surface(lines: &str) -> Surface {
        Surface::parse(lines).unwrap()
    }

    fn verdict(before: &str, after: &str) -> Semver {
        Report::new(&surface(before), &surface(after), before != after).semver()
    }

    const BASE: &str = "operation showJob = GET /jobs/{id} -> Client::show_job\n\
        type Job = struct\n\
        field Job.id = Option<String> optional\n\
        type Status = enum\n\
        variant Status::Running = unit\n\
        type Name = newtype of String\n\
        constraint /components/schemas/Name maxLength = 15\n";

    #[test]
    fn one_rule_per_kind_of_change() {
        let with = |extra: &str| format!("{BASE}{extra}");
        let without = |line: &str| BASE.replace(line, "");
        let replace = |from: &str, to: &str| BASE.replace(from, to);
        assert_eq!(verdict(BASE, BASE), Semver::None);
        assert_eq!(
            verdict(BASE, &with("field Job.name = Option<String> optional\n")),
            Semver::Minor
        );
        assert_eq!(
            verdict(BASE, &with("field Job.name = String required\n")),
            Semver::Major
        );
        assert_eq!(
            verdict(BASE, &with("variant Status::Paused = unit\n")),
            Semver::Minor
        );
        assert_eq!(
            verdict(
                BASE,
                &with("operation listJobs = GET /jobs -> Client::list_jobs\n")
            ),
            Semver::Minor
        );
        assert_eq!(
            verdict(BASE, &without("field Job.id = Option<String> optional\n")),
            Semver::Major
        );
        assert_eq!(
            verdict(BASE, &without("variant Status::Running = unit\n")),
            Semver::Major
        );
        assert_eq!(
            verdict(
                BASE,
                &without("operation showJob = GET /jobs/{id} -> Client::show_job\n")
            ),
            Semver::Major
        );
        assert_eq!(
            verdict(BASE, &replace("Option<String> optional", "String required")),
            Semver::Major
        );
        assert_eq!(
            verdict(
                BASE,
                &replace("Option<String> optional", "Option<i64> optional")
            ),
            Semver::Major
        );
        assert_eq!(
            verdict(BASE, &replace("maxLength = 15", "maxLength = 14")),
            Semver::Major
        );
        assert_eq!(
            verdict(BASE, &replace("maxLength = 15", "maxLength = 16")),
            Semver::Patch
        );
        assert_eq!(
            verdict(
                BASE,
                &without("constraint /components/schemas/Name maxLength = 15\n")
            ),
            Semver::Patch
        );
        assert_eq!(
            verdict(
                BASE,
                &with("constraint /components/schemas/Name pattern = \"^a\"\n")
            ),
            Semver::Major
        );
        // What comes with a new type is new too.
        assert_eq!(
            verdict(
                BASE,
                &with("type Item = struct\nfield Item.id = String required\nconstraint /components/schemas/Item/properties/id maxLength = 3\n")
            ),
            Semver::Minor
        );
        // A new field's constraints come with it: the report lists the field alone.
        let report = Report::new(
            &surface(BASE),
            &surface(&with("field Job.progress = Option<i32> optional\nconstraint /components/schemas/Job/properties/progress format = \"int32\"\n")),
            true,
        );
        let items: Vec<&str> = report.changes.iter().map(|c| c.item.as_str()).collect();
        assert_eq!(items, ["field Job.progress"]);
        // Only the source changed (a description): patch.
        assert_eq!(
            Report::new(&surface(BASE), &surface(BASE), true).semver(),
            Semver::Patch
        );
    }

    #[test]
    fn the_report_ends_with_the_semver_line_and_gives_a_changelog_entry() {
        let after = BASE.replace("field Job.id = Option<String> optional\n", "")
            + "variant Status::Paused = unit\n";
        let report = Report::new(&surface(BASE), &surface(&after), true);
        let text = report.to_string();
        assert_eq!(text.lines().last(), Some("semver: major"));
        assert!(
            text.contains("breaking  removed `field Job.id` (was Option<String> optional)"),
            "{text}"
        );
        assert!(
            text.contains("additive  added   `variant Status::Paused` (unit)"),
            "{text}"
        );
        let entry = report.changelog_entry();
        assert!(
            entry.contains("### Added\n- `variant Status::Paused` (unit)"),
            "{entry}"
        );
        assert!(
            entry.contains("### Removed\n- **Breaking:** `field Job.id`"),
            "{entry}"
        );
    }
}
