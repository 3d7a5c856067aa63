//! Comma-separated values as RFC 4180 writes them: fields may be quoted (`"a, b"`), a quote
//! inside is doubled (`""`), a quoted field may span lines; `\n` or `\r\n` end a record.

/// A record, with the line it starts on (from 1).
pub(crate) struct Record {
    pub line: usize,
    pub fields: Vec<String>,
}

/// The records of `text`; an unclosed quote is an error naming its line.
pub(crate) fn records(text: &str) -> Result<Vec<Record>, (usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut start = 1;
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => fields.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                fields.push(std::mem::take(&mut field));
                records.push(Record {
                    line: start,
                    fields: std::mem::take(&mut fields),
                });
                line += 1;
                start = line;
                any = false;
            }
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err((start, "a quoted field is not closed".into()));
    }
    if any {
        fields.push(field);
        records.push(Record {
            line: start,
            fields,
        });
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_doubled_quotes_and_line_ends() {
        let parsed = records("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\"two\nlines\",z").unwrap();
        let fields: Vec<Vec<&str>> = parsed
            .iter()
            .map(|r| r.fields.iter().map(String::as_str).collect())
            .collect();
        assert_eq!(
            fields,
            [
                vec!["a", "b"],
                vec!["x, y", "say \"hi\""],
                vec!["two\nlines", "z"]
            ]
        );
        assert_eq!(parsed.iter().map(|r| r.line).collect::<Vec<_>>(), [1, 2, 3]);
        assert!(records("a,\"b\n").is_err());
        assert!(records("").unwrap().is_empty());
    }
}
