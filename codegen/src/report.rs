//! What a change of the document does to users of the generated crate: each added, removed or
//! changed item of the [`Surface`], classified by its effect on code compiled against it, and
//! the semver step that follows.
//!
//! The rules follow cargo-semver-checks (the Rust API users compile against) with
//! oasdiff's view of constraints (the values a call may carry): the generated types are
//! `#[non_exhaustive]` and built with builders, so an optional field or an enum value is
//! additive; removing anything, making a field required or changing a type breaks users;
//! tightening a constraint breaks the calls it now refuses, loosening one does not.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::directions::Direction;
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
    /// Which way what it belongs to travels.
    pub direction: Direction,
    /// The rule that judged it, in words (`request narrowed: maxLength tightened`).
    pub rule: String,
    /// What a maintainer must read: an override's reason, an early removal.
    pub note: Option<String>,
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

/// A verdict the maintainer sets for one item, with the reason (`spec/verdicts.yaml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// The item, as the report names it.
    pub item: String,
    /// `none`, `additive` or `breaking`.
    pub impact: String,
    /// Why the report's own verdict is wrong here.
    pub reason: String,
}

/// Every change between two surfaces, and whether the generated source changed at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The changes, in item order.
    pub changes: Vec<Change>,
    /// Whether the generated source differs (a description changes the source, not the API).
    pub source_changed: bool,
    /// The document's `info.version`, before and after.
    pub versions: (Option<String>, Option<String>),
    /// Whether the document itself changed (its digest; unknown counts as changed): a new
    /// generator changes the code, not the document, and calls for no new `info.version`.
    pub document_changed: bool,
}

impl Report {
    /// Compares the surface before and after a change of the document.
    pub fn new(before: &Surface, after: &Surface, source_changed: bool) -> Self {
        let mut changes = Vec::new();
        let old: BTreeMap<&str, &str> = before.entries().collect();
        let new: BTreeMap<&str, &str> = after.entries().collect();
        for (item, value) in &old {
            match new.get(item) {
                None => changes.extend(removed(item, value, before)),
                Some(now) if now != value => {
                    if !is_metadata(item) || kind_of(item) == "used-in" {
                        changes.push(changed(item, value, now, after));
                    }
                }
                Some(_) => {}
            }
        }
        for (item, value) in &new {
            if !old.contains_key(item) {
                changes.extend(added(item, value, before, after));
            }
        }
        changes.sort_by(|a, b| a.item.cmp(&b.item));
        let mut report = Self {
            changes,
            source_changed,
            versions: (
                before.get("info version").map(str::to_string),
                after.get("info version").map(str::to_string),
            ),
            document_changed: match (before.get("info digest"), after.get("info digest")) {
                (Some(old), Some(new)) => old != new,
                _ => true,
            },
        };
        report.pair_renamed_operations();
        report.pair_renamed_types(before, after);
        report.note_sunsets(before);
        report
    }

    /// A type removed and another added with the same shape (struct or enum, the same field
    /// or variant names) is one type renamed: one breaking change, instead of every field,
    /// variant and constraint of both listed apart (and the types typify names after them).
    fn pair_renamed_types(&mut self, before: &Surface, after: &Surface) {
        let shape = |surface: &Surface, name: &str| -> (String, BTreeSet<String>) {
            let kind = surface
                .get(&format!("type {name}"))
                .unwrap_or_default()
                .to_string();
            let members = surface
                .entries()
                .filter_map(|(key, _)| {
                    let rest = key
                        .strip_prefix(&format!("field {name}."))
                        .or_else(|| key.strip_prefix(&format!("variant {name}::")))?;
                    Some(rest.to_string())
                })
                .collect();
            (kind, members)
        };
        let named = |kind: Kind| -> Vec<String> {
            self.changes
                .iter()
                .filter(|c| c.kind == kind && kind_of(&c.item) == "type")
                .map(|c| c.item.trim_start_matches("type ").to_string())
                .collect()
        };
        let (gone, new) = (named(Kind::Removed), named(Kind::Added));
        let mut renames = Vec::new();
        for old in &gone {
            let old_shape = shape(before, old);
            if old_shape.1.is_empty() {
                continue;
            }
            if let Some(twin) = new.iter().find(|n| shape(after, n) == old_shape) {
                renames.push((old.clone(), twin.clone()));
            }
        }
        for (old, twin) in renames {
            let explained = |change: &Change| {
                let owner = change.item.split_once(' ').map_or("", |(_, n)| n);
                let owner = match kind_of(&change.item) {
                    "constraint" | "default" | "deprecated" | "required-when" => {
                        match pointer_tokens(owner).as_slice() {
                            [a, b, schema, ..] if a == "components" && b == "schemas" => {
                                crate::names::pascal(schema)
                            }
                            _ => return false,
                        }
                    }
                    "type" | "field" | "variant" => owner
                        .split(['.', ':'])
                        .next()
                        .unwrap_or_default()
                        .to_string(),
                    _ => return false,
                };
                (owner.starts_with(&old) && change.kind != Kind::Added)
                    || (owner.starts_with(&twin) && change.kind != Kind::Removed)
            };
            let direction = direction_of(&format!("type {twin}"), after);
            self.changes.retain(|c| !explained(c));
            // What changed besides the name is still a change of its own.
            for (key, value) in after.entries() {
                let Some(member) = key
                    .strip_prefix(&format!("field {twin}."))
                    .map(|m| (format!("field {old}.{m}"), key))
                else {
                    continue;
                };
                let Some(was) = before.get(&member.0) else {
                    continue;
                };
                if was.replace(&old, &twin) != value {
                    self.changes.push(changed(member.1, was, value, after));
                }
            }
            // Constraints and defaults, keyed by what follows the schema's name.
            let written = |surface: &Surface, name: &str| -> BTreeMap<String, (String, String)> {
                surface
                    .entries()
                    .filter(|(key, _)| matches!(kind_of(key), "constraint" | "default"))
                    .filter_map(|(key, value)| {
                        let (kind, rest) = key.split_once(' ')?;
                        let tail = rest.strip_prefix("/components/schemas/")?;
                        let (schema, tail) = tail.split_once(['/', ' ']).unwrap_or((tail, ""));
                        (crate::names::pascal(schema) == name).then(|| {
                            (
                                format!("{kind} {tail}"),
                                (key.to_string(), value.to_string()),
                            )
                        })
                    })
                    .collect()
            };
            let (was, now) = (written(before, &old), written(after, &twin));
            for (tail, (key, value)) in &now {
                match was.get(tail) {
                    None => self.changes.extend(added(key, value, before, after)),
                    Some((_, old_value)) if old_value != value => {
                        self.changes.push(changed(key, old_value, value, after));
                    }
                    Some(_) => {}
                }
            }
            for (tail, (key, value)) in &was {
                if !now.contains_key(tail) {
                    self.changes.extend(removed(key, value, before));
                }
            }
            self.changes.push(Change {
                kind: Kind::Changed,
                item: format!("type {old}"),
                before: Some(old.clone()),
                after: Some(twin.clone()),
                impact: Impact::Breaking,
                direction,
                rule: "renamed: code naming it no longer compiles".into(),
                note: None,
            });
        }
        self.changes.sort_by(|a, b| a.item.cmp(&b.item));
    }

    /// An operation removed and another added with the same method and path is one
    /// operation renamed (its `operationId`): breaking, as its method name changes.
    fn pair_renamed_operations(&mut self) {
        let endpoint = |value: &Option<String>| {
            value
                .as_deref()
                .and_then(|v| v.split(" -> ").next())
                .map(str::to_string)
        };
        let added: Vec<(usize, Option<String>)> = self
            .changes
            .iter()
            .enumerate()
            .filter(|(_, c)| c.kind == Kind::Added && kind_of(&c.item) == "operation")
            .map(|(i, c)| (i, endpoint(&c.after)))
            .collect();
        let mut gone = Vec::new();
        for index in 0..self.changes.len() {
            let change = &self.changes[index];
            if change.kind != Kind::Removed || kind_of(&change.item) != "operation" {
                continue;
            }
            let was = endpoint(&change.before);
            if let Some((twin, _)) = added.iter().find(|(_, e)| e.is_some() && *e == was) {
                let new_item = self.changes[*twin].item.clone();
                let change = &mut self.changes[index];
                change.kind = Kind::Changed;
                change.after = Some(new_item.trim_start_matches("operation ").to_string());
                change.before = Some(change.item.trim_start_matches("operation ").to_string());
                change.impact = Impact::Breaking;
                change.rule = "renamed (its operationId): its method and builder change".into();
                gone.push(*twin);
            }
        }
        let mut index = 0;
        self.changes.retain(|_| {
            index += 1;
            !gone.contains(&(index - 1))
        });
    }

    /// Marks an operation removed while it had a sunset date: the date is what users
    /// were promised, so a removal before it must be said loudly (see [`Report::sunset_check`]).
    fn note_sunsets(&mut self, before: &Surface) {
        for change in &mut self.changes {
            if change.kind == Kind::Removed && kind_of(&change.item) == "operation" {
                let id = change.item.trim_start_matches("operation ");
                if let Some(date) = before.get(&format!("sunset {id}")) {
                    change.note = Some(format!("sunset {date}"));
                }
            }
        }
    }

    /// Operations removed before their sunset date (`today` as `YYYY-MM-DD`): each is said
    /// loudly in the report, breaking whatever else the report says.
    pub fn sunset_check(&mut self, today: &str) {
        for change in &mut self.changes {
            let Some(date) = change
                .note
                .as_deref()
                .and_then(|n| n.strip_prefix("sunset "))
                .map(str::to_string)
            else {
                continue;
            };
            change.impact = Impact::Breaking;
            change.note = Some(if today < date.as_str() {
                format!("REMOVED BEFORE ITS SUNSET DATE {date}: users were promised it until then")
            } else {
                format!("removed after its sunset date {date}, as announced")
            });
        }
    }

    /// Applies the maintainer's verdicts, and returns the items of those that name no change
    /// of this report (left over from an earlier change: remove them). An impact that is not
    /// `none`, `additive` or `breaking`, or an empty reason, is an error.
    pub fn apply_overrides(&mut self, overrides: &[Override]) -> Result<Vec<String>, String> {
        let mut unused = Vec::new();
        for entry in overrides {
            let impact = match entry.impact.as_str() {
                "none" => Impact::None,
                "additive" => Impact::Additive,
                "breaking" => Impact::Breaking,
                other => {
                    return Err(format!(
                        "override of `{}`: impact {other:?} is not none, additive or breaking",
                        entry.item
                    ))
                }
            };
            if entry.reason.trim().is_empty() {
                return Err(format!("override of `{}` gives no reason", entry.item));
            }
            match self.changes.iter_mut().find(|c| c.item == entry.item) {
                Some(change) => {
                    change.note = Some(format!(
                        "overridden from {}: {}",
                        change.impact, entry.reason
                    ));
                    change.impact = impact;
                }
                None => unused.push(entry.item.clone()),
            }
        }
        Ok(unused)
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

    /// Whether the document's `info.version` moved as the verdict calls for (a 0.x version
    /// moves its minor number for a major verdict), and what to write if it did not.
    pub fn version_check(&self) -> Result<String, String> {
        let (Some(before), Some(after)) = (&self.versions.0, &self.versions.1) else {
            return Ok("info.version: not compared (absent on one side)".into());
        };
        let parse = |v: &str| -> Option<(u64, u64, u64)> {
            let mut parts = v
                .split(['-', '+'])
                .next()?
                .split('.')
                .map(|p| p.parse().ok());
            Some((parts.next()??, parts.next()??, parts.next()??))
        };
        let (Some(old), Some(new)) = (parse(before), parse(after)) else {
            return Err(format!(
                "info.version {before} → {after}: not MAJOR.MINOR.PATCH, cannot be compared"
            ));
        };
        if !self.document_changed && self.changes.is_empty() {
            return Ok(format!(
                "info.version {before} → {after}: the document did not change (the generated \
                 code did: a release of the crate, not of the document)"
            ));
        }
        let verdict = self.semver();
        let (major, minor, patch) = old;
        let wanted = match verdict {
            Semver::Major if major == 0 => (0, minor + 1, 0),
            Semver::Major => (major + 1, 0, 0),
            Semver::Minor if major == 0 => (0, minor, patch + 1),
            Semver::Minor => (major, minor + 1, 0),
            Semver::Patch => (major, minor, patch + 1),
            Semver::None => old,
        };
        let text = |v: (u64, u64, u64)| format!("{}.{}.{}", v.0, v.1, v.2);
        if new >= wanted {
            Ok(format!(
                "info.version {before} → {after}: enough for semver: {verdict}"
            ))
        } else {
            Err(format!(
                "info.version {before} → {after}: semver: {verdict} calls for at least {}; \
                 bump `info.version` in the document (or record why not in spec/verdicts.yaml)",
                text(wanted)
            ))
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
                .filter(|c| c.kind == kind && c.impact != Impact::None)
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
            out.push_str(if self.document_changed {
                "### Changed\n- Documentation of the generated API (no API change).\n"
            } else {
                "### Changed\n- The generated code, from the same document (no API change).\n"
            });
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
            writeln!(
                f,
                "{impact:<9} {kind:<7} {} [{}: {}]",
                describe(change),
                change.direction,
                change.rule
            )?;
            if let Some(note) = &change.note {
                writeln!(f, "          !! {note}")?;
            }
        }
        match self.version_check() {
            Ok(line) | Err(line) => writeln!(f, "{line}")?,
        }
        writeln!(f, "semver: {}", self.semver())
    }
}

/// The first word of an item: `field`, `variant`, `constraint`…
fn kind_of(item: &str) -> &str {
    item.split(' ').next().unwrap_or("")
}

/// Items that describe the surface rather than belong to it: listed only when they change.
fn is_metadata(item: &str) -> bool {
    matches!(kind_of(item), "used-in" | "info")
}

/// Which way the schema an item belongs to travels, as `surface` records it: a parameter's
/// constraint travels in requests; a type typify named after its parent (an inline enum of
/// `AssignModelInfo`) travels as its parent does; what cannot be told travels both ways,
/// the strictest reading.
pub fn direction_of(item: &str, surface: &Surface) -> Direction {
    let name = item.split_once(' ').map_or("", |(_, name)| name);
    let owner = match kind_of(item) {
        "field" | "variant" | "type" | "used-in" => name
            .split(['.', ':'])
            .next()
            .unwrap_or_default()
            .to_string(),
        "constraint" | "default" | "deprecated" | "required-when" => {
            match pointer_tokens(name).as_slice() {
                [first, ..] if first == "paths" => return Direction::Request,
                [first, second, ..] if first == "components" && second == "parameters" => {
                    return Direction::Request
                }
                [first, second, schema, ..] if first == "components" && second == "schemas" => {
                    crate::names::pascal(schema)
                }
                _ => return Direction::Both,
            }
        }
        "parameter" | "body" => return Direction::Request,
        "answer" | "starts-job" | "partial-failures" | "pagination" => return Direction::Answer,
        _ => return Direction::Both,
    };
    // The longest schema name the owner starts with: a lookup per prefix, not a scan of the
    // surface per change (a report on a large document makes thousands of these).
    let mut key = String::from("used-in ");
    let start = key.len();
    (1..=owner.len())
        .rev()
        .filter(|&len| owner.is_char_boundary(len))
        .find_map(|len| {
            key.truncate(start);
            key.push_str(&owner[..len]);
            surface.get(&key)
        })
        .and_then(Direction::parse)
        .unwrap_or(Direction::Both)
}

/// The change an added surface line makes; none for a constraint of something new (a new
/// field, type or operation, which the report lists itself, constraints included).
fn added(item: &str, value: &str, before: &Surface, after: &Surface) -> Option<Change> {
    let existed = subject_existed(item, before);
    if is_metadata(item) || (!existed && matches!(kind_of(item), "constraint" | "default")) {
        return None;
    }
    let direction = direction_of(item, after);
    let (impact, rule) = match kind_of(item) {
        // What comes with a new type or operation is new too: nobody used it before.
        _ if !existed => (Impact::Additive, "new"),
        // A new required input breaks callers that do not give it; a new required answer
        // field is one more field to read.
        "field" if value.ends_with(" required") && direction.in_requests() => {
            (Impact::Breaking, "request narrowed: a new required field")
        }
        "parameter" | "body" if value.ends_with(" required") => {
            (Impact::Breaking, "request narrowed: a new required input")
        }
        // A new constraint refuses values that were accepted; on an answer it only promises
        // more (the client never enforces answer bounds).
        "constraint" if direction.in_requests() => {
            (Impact::Breaking, "request narrowed: a new constraint")
        }
        "constraint" => (Impact::None, "answer narrowed: a new constraint"),
        "field" if direction.in_answers() => (Impact::Additive, "answer widened: a new field"),
        "field" => (Impact::Additive, "request widened: a new optional field"),
        "parameter" => (
            Impact::Additive,
            "request widened: a new optional parameter",
        ),
        "variant" if direction.in_answers() => (
            Impact::Additive,
            "answer widened: a new value (answer enums are open: older clients keep it as Unknown)",
        ),
        "variant" => (Impact::Additive, "request widened: a new value"),
        // The operation now reports some answers as errors.
        "partial-failures" => (Impact::Breaking, "answers that succeeded become errors"),
        "required-when" => (Impact::Breaking, "request narrowed: a new rule"),
        "default" => (Impact::Additive, "a default documented"),
        "deprecated" => (Impact::Additive, "deprecated: still there, to be removed"),
        "sunset" => (Impact::Additive, "a sunset date announced"),
        "pagination" => (Impact::Additive, "pages() added"),
        "fleet" => (Impact::Additive, "a bulk subcommand added"),
        "starts-job" => (Impact::Additive, "the job it starts can be waited for"),
        _ => (Impact::Additive, "new"),
    };
    Some(Change {
        kind: Kind::Added,
        item: item.to_string(),
        before: None,
        after: Some(value.to_string()),
        impact,
        direction,
        rule: rule.to_string(),
        note: None,
    })
}

fn removed(item: &str, value: &str, before: &Surface) -> Option<Change> {
    if is_metadata(item) {
        return None;
    }
    let direction = direction_of(item, before);
    let (impact, rule) = match kind_of(item) {
        // A constraint removed accepts more than before: safe for what is sent, not for
        // what is read.
        "constraint" if direction.in_answers() => (
            Impact::Breaking,
            "answer widened: a constraint readers relied on is gone",
        ),
        "constraint" => (Impact::None, "request widened: a constraint removed"),
        "required-when" => (Impact::None, "request widened: a rule removed"),
        "deprecated" => (Impact::None, "no longer deprecated"),
        "sunset" => (Impact::None, "the sunset date withdrawn"),
        "default" => (
            Impact::Breaking,
            "a default withdrawn: what an omitted value means changed",
        ),
        "variant" if direction.in_answers() => {
            (Impact::Breaking, "answer narrowed: a value removed")
        }
        "variant" => (Impact::Breaking, "request narrowed: a value removed"),
        "field" if direction.in_answers() => (Impact::Breaking, "answer narrowed: a field removed"),
        _ => (Impact::Breaking, "removed"),
    };
    Some(Change {
        kind: Kind::Removed,
        item: item.to_string(),
        before: Some(value.to_string()),
        after: None,
        impact,
        direction,
        rule: rule.to_string(),
        note: None,
    })
}

fn changed(item: &str, before: &str, after: &str, surface: &Surface) -> Change {
    let direction = direction_of(item, surface);
    let (impact, rule): (Impact, String) = match kind_of(item) {
        "constraint" => constraint_change(item, before, after, direction),
        "parameter" => {
            let (before_kind, before_required) = split_requirement(before);
            let (after_kind, after_required) = split_requirement(after);
            if before_kind != after_kind {
                (
                    Impact::Breaking,
                    "moved: its location (`in`) changed".into(),
                )
            } else if !before_required && after_required {
                (Impact::Breaking, "request narrowed: now required".into())
            } else {
                (Impact::None, "request widened: now optional".into())
            }
        }
        "body" => {
            let (before_kind, before_required) = split_requirement(before);
            let (after_kind, after_required) = split_requirement(after);
            if before_kind != after_kind || (!before_required && after_required) {
                (Impact::Breaking, "request narrowed".into())
            } else {
                (Impact::None, "request widened: now optional".into())
            }
        }
        "field" => {
            let (before_type, before_required) = split_requirement(before);
            let (after_type, after_required) = split_requirement(after);
            let rule = if before_type
                .trim_start_matches("Option<")
                .trim_end_matches('>')
                != after_type
                    .trim_start_matches("Option<")
                    .trim_end_matches('>')
            {
                "its type changed"
            } else if before_required && !after_required && direction.in_answers() {
                "answer narrowed: now optional (its Rust type changes)"
            } else if !before_required && after_required && direction.in_requests() {
                "request narrowed: now required"
            } else {
                "its Rust type changes"
            };
            (Impact::Breaking, rule.into())
        }
        "statuses" => statuses_change(before, after),
        "used-in" => (Impact::None, "it now travels another way".into()),
        "starts-job" => (Impact::None, "the job is read from another field".into()),
        "sunset" => (Impact::None, "the sunset date moved".into()),
        "default" => (
            Impact::Breaking,
            "a default changed: what an omitted value means".into(),
        ),
        "security" => (Impact::Breaking, "its security requirements changed".into()),
        "operation" => (Impact::Breaking, "its method or path changed".into()),
        "required-when" => (Impact::Breaking, "a rule changed".into()),
        "pagination" | "fleet" => (Impact::Breaking, "the generated helpers changed".into()),
        _ => (Impact::Breaking, "changed".into()),
    };
    Change {
        kind: Kind::Changed,
        item: item.to_string(),
        before: Some(before.to_string()),
        after: Some(after.to_string()),
        impact,
        direction,
        rule,
        note: None,
    }
}

/// A success status added or removed changes what a call returns; an error status added is
/// one more failure to expect; one removed is a failure no longer documented.
fn statuses_change(before: &str, after: &str) -> (Impact, String) {
    let set = |text: &str| -> BTreeSet<String> { text.split(' ').map(str::to_string).collect() };
    let (old, new) = (set(before), set(after));
    let success = |s: &BTreeSet<String>| -> BTreeSet<String> {
        s.iter().filter(|c| c.starts_with('2')).cloned().collect()
    };
    let added: Vec<&String> = new.difference(&old).collect();
    let removed: Vec<&String> = old.difference(&new).collect();
    let list = |codes: &[&String]| {
        codes
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if success(&old) != success(&new) {
        return (Impact::Breaking, "its success status changed".into());
    }
    match (added.is_empty(), removed.is_empty()) {
        (false, _) => (
            Impact::Additive,
            format!("a failure to expect: {} documented", list(&added)),
        ),
        _ => (
            Impact::None,
            format!("{} no longer documented", list(&removed)),
        ),
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
        "body" | "answer" | "starts-job" | "partial-failures" | "statuses" | "security"
        | "sunset" | "pagination" | "fleet" => before.get(&format!("operation {name}")).is_some(),
        "constraint" | "default" | "required-when" => constraint_subject_existed(name, before),
        _ => true,
    }
}

/// The unescaped tokens of the JSON pointer an item is named by (its first word).
fn pointer_tokens(name: &str) -> Vec<String> {
    let pointer = name.split(' ').next().unwrap_or_default();
    pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// A constraint is named by its JSON pointer (then its keyword): on a component schema, its
/// property, or an operation's parameter.
fn constraint_subject_existed(name: &str, before: &Surface) -> bool {
    let tokens = pointer_tokens(name);
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
        // A parameter is named by its index: it existed if something was written at that
        // index before (a parameter that had no constraint gets its first as if new).
        ["paths", _, .., "parameters", _, "schema"] => {
            let prefix = name.split(' ').next().unwrap_or_default();
            before.entries().any(|(k, _)| {
                k.split_once(' ')
                    .is_some_and(|(_, rest)| rest.starts_with(prefix))
            })
        }
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

/// A bound that moves inward narrows what travels: breaking for what is sent, nothing for
/// what is read. One that moves outward widens it: nothing for what is sent, breaking for
/// what is read (code relied on the old bound). A changed pattern or format may do either.
fn constraint_change(
    item: &str,
    before: &str,
    after: &str,
    direction: Direction,
) -> (Impact, String) {
    let keyword = item.rsplit(' ').next().unwrap_or("");
    let (Ok(old), Ok(new)) = (before.parse::<f64>(), after.parse::<f64>()) else {
        return (Impact::Breaking, format!("its {keyword} changed"));
    };
    let tighter = match keyword {
        "maxLength" | "maximum" | "exclusiveMaximum" | "maxItems" => new < old,
        "minLength" | "minimum" | "exclusiveMinimum" | "minItems" => new > old,
        _ => return (Impact::Breaking, format!("its {keyword} changed")),
    };
    match (tighter, direction) {
        (true, Direction::Answer) => (
            Impact::None,
            format!("answer narrowed: {keyword} tightened"),
        ),
        (true, _) => (
            Impact::Breaking,
            format!("request narrowed: {keyword} tightened"),
        ),
        (false, Direction::Request) => {
            (Impact::None, format!("request widened: {keyword} loosened"))
        }
        (false, _) => (
            Impact::Breaking,
            format!("answer widened: {keyword} loosened, readers relied on it"),
        ),
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
        constraint /components/schemas/Name maxLength = 15\n\
        used-in Job = answer\n\
        used-in Name = request\n\
        used-in Status = answer\n";

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
        // A required field: one more to give in a request, one more to read in an answer.
        assert_eq!(
            verdict(
                &with("type Input = struct\nused-in Input = request\n"),
                &with("type Input = struct\nused-in Input = request\nfield Input.name = String required\n")
            ),
            Semver::Major
        );
        assert_eq!(
            verdict(BASE, &with("field Job.name = String required\n")),
            Semver::Minor
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
    fn a_new_generator_alone_calls_for_no_new_document_version() {
        let with_digest = |digest: &str| {
            surface(&format!(
                "{BASE}info version = 2.0.0\ninfo digest = {digest}\n"
            ))
        };
        // The same document, other generated code: a patch of the crate, not of the document.
        let regenerated = Report::new(&with_digest("aa"), &with_digest("aa"), true);
        assert_eq!(regenerated.semver(), Semver::Patch);
        assert!(regenerated.changes.is_empty());
        assert!(
            regenerated.version_check().is_ok(),
            "{:?}",
            regenerated.version_check()
        );
        assert!(regenerated.changelog_entry().contains("same document"));
        // A description edited: the document changed, so its version must move.
        let edited = Report::new(&with_digest("aa"), &with_digest("bb"), true);
        assert!(edited.version_check().is_err());
        assert!(edited.changelog_entry().contains("Documentation"));
        // A surface without a digest (written before there was one) counts as changed.
        let unknown = Report::new(
            &surface(&format!("{BASE}info version = 2.0.0\n")),
            &with_digest("aa"),
            true,
        );
        assert!(unknown.version_check().is_err());
    }

    #[test]
    fn the_document_version_must_move_as_far_as_the_verdict() {
        let versioned =
            |version: &str, extra: &str| format!("{BASE}info version = {version}\n{extra}");
        let removal = "field Job.id = Option<String> optional\n";
        let check = |before: &str, after: &str| {
            Report::new(&surface(before), &surface(after), before != after).version_check()
        };
        // Breaking: 2.0.0 must become 3.0.0; a 0.x version moves its minor number.
        let broken = |v: &str| versioned(v, "").replace(removal, "");
        assert!(check(&versioned("2.0.0", ""), &broken("2.1.0")).is_err());
        assert!(check(&versioned("2.0.0", ""), &broken("3.0.0")).is_ok());
        assert!(check(&versioned("0.4.1", ""), &broken("0.5.0")).is_ok());
        assert!(check(&versioned("0.4.1", ""), &broken("0.4.2")).is_err());
        // Additive: a minor bump; nothing changed: no bump needed, but never backwards.
        let added = |v: &str| versioned(v, "field Job.name = Option<String> optional\n");
        let message = check(&versioned("2.0.0", ""), &added("2.0.1")).unwrap_err();
        assert!(message.contains("at least 2.1.0"), "{message}");
        assert!(check(&versioned("2.0.0", ""), &added("2.1.0")).is_ok());
        assert!(check(&versioned("2.0.0", ""), &versioned("2.0.0", "")).is_ok());
        assert!(check(&versioned("2.0.0", ""), &versioned("1.9.0", "")).is_err());
    }

    #[test]
    fn an_override_sets_the_verdict_and_shows_its_reason() {
        let after = BASE.replace("maxLength = 15", "maxLength = 14");
        let mut report = Report::new(&surface(BASE), &surface(&after), true);
        assert_eq!(report.semver(), Semver::Major);
        let item = "constraint /components/schemas/Name maxLength".to_string();
        let entry = |impact: &str, reason: &str| Override {
            item: item.clone(),
            impact: impact.into(),
            reason: reason.into(),
        };
        assert!(report
            .clone()
            .apply_overrides(&[entry("minor", "x")])
            .is_err());
        assert!(report
            .clone()
            .apply_overrides(&[entry("none", " ")])
            .is_err());
        let unused = report
            .apply_overrides(&[
                entry("none", "the service never took longer names"),
                Override {
                    item: "field Job.gone".into(),
                    impact: "none".into(),
                    reason: "an old change".into(),
                },
            ])
            .unwrap();
        assert_eq!(unused, ["field Job.gone"]);
        assert_eq!(report.semver(), Semver::Patch);
        assert!(
            report
                .to_string()
                .contains("overridden from breaking: the service never took longer names"),
            "{report}"
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
