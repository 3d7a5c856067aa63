//! What reaches the terminal: text from the service or from files is stripped of control
//! characters and escape sequences, so that an answer cannot move the cursor, hide text or
//! rewrite the screen; long text is cut.

use std::io::Write;

use serde_json::Value;

/// Writes a line to standard output. A reader that went away (`| head -1`) is not an error
/// of this command: the rest is dropped quietly, as the Unix tools do, and the exit code
/// still says how the operation went.
pub fn to_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}").and_then(|()| out.flush());
}

/// [`to_stdout`] without the line end (a table ends its own lines).
pub fn to_stdout_raw(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// Writes a line to standard error, quietly dropped when nobody reads it.
pub fn to_stderr(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// The longest line printed for an error.
const MAX_LINE: usize = 2000;

/// Characters that reorder how the terminal shows text (bidirectional overrides).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

/// `text` without control characters (escape sequences lose their ESC and stay visible as
/// plain text), with new lines and tabs as spaces, and at most [`MAX_LINE`] characters.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_LINE));
    for (count, c) in text.chars().enumerate() {
        if count == MAX_LINE {
            out.push('…');
            break;
        }
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() || is_bidi_control(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// JSON on one line, safe for a terminal: serde_json escapes C0 controls; C1 controls and
/// bidirectional overrides are escaped here too (`\u009b` is a terminal's CSI).
pub fn json_line(value: &Value) -> String {
    escape_terminal(&value.to_string())
}

/// Pretty JSON, safe for a terminal.
pub fn json_pretty(value: &Value) -> String {
    escape_terminal(&serde_json::to_string_pretty(value).unwrap_or_default())
}

fn escape_terminal(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_control() && !matches!(c, '\n' | ' ') || is_bidi_control(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escape_sequences_and_controls_do_not_reach_the_terminal() {
        assert_eq!(clean("red\u{1b}[31m text\u{7}"), "red[31m text");
        assert_eq!(clean("a\u{9b}2Jb\u{202e}c"), "a2Jbc");
        assert_eq!(clean("two\nlines"), "two lines");
        assert_eq!(clean(&"x".repeat(5000)).chars().count(), MAX_LINE + 1);
        let line = json_line(&json!({"m": "a\u{1b}[2J\u{9b}b\u{202e}"}));
        assert_eq!(line, r#"{"m":"a\u001b[2J\u009bb\u202e"}"#);
        let parsed: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(parsed["m"], "a\u{1b}[2J\u{9b}b\u{202e}", "still valid JSON");
    }
}
