//! Problems found in a build, each pinned to a file, line and column.
//!
//! Every stage pushes into a [`Diagnostics`] list instead of returning at the
//! first error, so one build reports everything that is wrong at once.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, with where it is, what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path relative to the project root, as the author knows it.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(file: impl Into<PathBuf>, pos: Position, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, file.into(), pos, message.into())
    }

    pub fn warning(file: impl Into<PathBuf>, pos: Position, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, file.into(), pos, message.into())
    }

    fn new(severity: Severity, file: PathBuf, pos: Position, message: String) -> Self {
        Diagnostic { severity, file, line: pos.line, column: pos.column, message, hint: None }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let message = printable(&self.message);
        match self.line {
            0 => write!(f, "{}: {label}: {message}", display_path(&self.file))?,
            _ => write!(f, "{}:{}:{}: {label}: {message}", display_path(&self.file), self.line, self.column)?,
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  help: {}", printable(hint))?;
        }
        Ok(())
    }
}

/// Paths print with `/` on every platform so messages are stable in tests.
pub fn display_path(path: &Path) -> String {
    printable(&path.to_string_lossy().replace('\\', "/")).into_owned()
}

/// `text` with its control characters written out (`\u{1b}`), keeping line
/// breaks and tabs: file names and link targets are the author's, and an
/// escape sequence in one must not recolour, move or retitle the terminal
/// that prints a message about it.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars().map(|c| if hidden(c) { c.escape_unicode().to_string() } else { c.to_string() }).collect()
}

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    pub const START: Position = Position { line: 1, column: 1 };
    /// About a folder, a flag or a file as a whole: shown with no line and
    /// column, which would point at text that is not there.
    pub const WHOLE: Position = Position { line: 0, column: 0 };

    /// Where `offset` falls in `text`, counted from the start (see
    /// [`Positions`] for many offsets of one text).
    pub fn at(text: &str, offset: usize) -> Position {
        Positions::new(text).at(offset)
    }

    /// Where `key:` (YAML) or `key =` (TOML) is first written in `text`,
    /// for a message about a value that parsed but cannot be used; the
    /// start when it is not found.
    pub fn of_key(text: &str, key: &str) -> Position {
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let t = line.trim_start();
            if t.starts_with(key) && t[key.len()..].trim_start().starts_with([':', '=']) {
                return Position::at(text, offset + (line.len() - t.len()));
            }
            offset += line.len();
        }
        Position::START
    }
}

/// All problems of a build, in a stable order.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sorted by file and position so parallel stages still print deterministically.
    pub fn sorted(mut self) -> Self {
        self.0.sort_by(|a, b| {
            (&a.file, a.line, a.column, a.severity, &a.message)
                .cmp(&(&b.file, b.line, b.column, b.severity, &b.message))
        });
        self.0.dedup();
        self
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

/// Positions of offsets in one text, asked in increasing order, found in
/// one pass over the text: a playbook's links are found in order, and
/// indexing every line of every file for them was a hundredth of a build.
/// Columns are counted on as well, not from the start of the line again: a
/// line of 400,000 links took 16 s to check when each counted its line anew.
///
/// A line ends at `\n`, `\r\n` or a lone `\r`, as in CommonMark, so files
/// saved with old Mac line endings get their lines counted too.
pub struct Positions<'a> {
    text: &'a str,
    /// Where the scan has got to; always at a character boundary.
    scanned: usize,
    line: usize,
    line_start: usize,
    /// Characters from `line_start` to `scanned`.
    column_chars: usize,
}

impl<'a> Positions<'a> {
    pub fn new(text: &'a str) -> Self {
        Positions { text, scanned: 0, line: 1, line_start: 0, column_chars: 0 }
    }

    /// The position of `offset`; an offset before the last one asked starts
    /// the scan over.
    pub fn at(&mut self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        if offset < self.scanned {
            *self = Positions::new(self.text);
        }
        let mut boundary = offset;
        while !self.text.is_char_boundary(boundary) {
            boundary -= 1;
        }
        let bytes = self.text.as_bytes();
        let mut counted_from = self.scanned;
        for i in memchr::memchr2_iter(b'\n', b'\r', &bytes[self.scanned..boundary]) {
            let at = self.scanned + i;
            // The `\n` of a `\r\n` ends the line; the `\r` alone does not.
            if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                continue;
            }
            self.line += 1;
            self.line_start = at + 1;
            self.column_chars = 0;
            counted_from = at + 1;
        }
        self.column_chars += self.text[counted_from..boundary].chars().count();
        self.scanned = boundary;
        // Inside a character (no parser gives such offsets), columns count
        // the line's bytes so far.
        let column = if boundary == offset { self.column_chars } else { offset - self.line_start };
        Position { line: self.line, column: column + 1 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule, spelled out: lines are counted by the newlines before the
    /// offset, columns by the characters since the last one, both from one.
    fn spec(text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let ends: Vec<usize> = text
            .char_indices()
            .filter(|&(i, c)| c == '\n' || (c == '\r' && !text[i + 1..].starts_with('\n')))
            .map(|(i, _)| i + 1)
            .filter(|&end| end <= offset)
            .collect();
        let line_start = ends.last().copied().unwrap_or(0);
        Position { line: 1 + ends.len(), column: 1 + text[line_start..offset].chars().count() }
    }

    #[test]
    fn positions_count_lines_and_characters_from_one() {
        let text = "ab\nçd\n";
        assert_eq!(Position::at(text, 0), Position { line: 1, column: 1 });
        assert_eq!(Position::at(text, 3), Position { line: 2, column: 1 });
        // 'ç' is two bytes but one column
        assert_eq!(Position::at(text, 5), Position { line: 2, column: 2 });
        // Inside a character, columns count its bytes so far.
        assert_eq!(Position::at(text, 4), Position { line: 2, column: 2 });
        for offset in (0..=text.len() + 1).filter(|&o| text.is_char_boundary(o.min(text.len()))) {
            assert_eq!(Position::at(text, offset), spec(text, offset), "offset {offset}");
        }
    }

    #[test]
    fn a_lone_cr_ends_a_line_and_a_crlf_ends_one_line() {
        let text = "a\rb\r\nc\n\rd";
        assert_eq!(Position::at(text, 2), Position { line: 2, column: 1 }, "after a lone CR");
        assert_eq!(Position::at(text, 4), Position { line: 2, column: 3 }, "between the CR and LF of a CRLF");
        assert_eq!(Position::at(text, 5), Position { line: 3, column: 1 }, "after a CRLF");
        assert_eq!(Position::at(text, 8), Position { line: 5, column: 1 }, "after LF then a lone CR");
        let mut one_pass = Positions::new(text);
        for offset in 0..=text.len() {
            assert_eq!(one_pass.at(offset), spec(text, offset), "offset {offset}");
        }
    }

    #[test]
    fn columns_on_a_long_line_count_on_from_the_last_offset() {
        let line = "é[[a]]".repeat(1000);
        let mut positions = Positions::new(&line);
        for (k, (offset, _)) in line.match_indices("[[").enumerate() {
            assert_eq!(positions.at(offset), Position { line: 1, column: 6 * k + 2 });
        }
    }

    proptest::proptest! {
        #[test]
        fn positions_in_one_pass_are_positions_from_the_start(
            text in "[a\n\r é€]{0,60}",
            offsets in proptest::collection::vec(0usize..70, 0..12),
        ) {
            let mut positions = Positions::new(&text);
            for offset in offsets {
                let spec = text.is_char_boundary(offset.min(text.len())).then(|| spec(&text, offset));
                if let Some(spec) = spec {
                    proptest::prop_assert_eq!(positions.at(offset), spec, "offset {}", offset);
                }
            }
        }
    }

    #[test]
    fn control_characters_from_file_names_and_messages_are_written_out() {
        let d = Diagnostic::error("playbooks/a\u{1b}[2Jb.md", Position::START, "no playbook \"x\u{7}\"")
            .with_hint("a\tb\nc");
        assert_eq!(d.to_string(), "playbooks/a\\u{1b}[2Jb.md:1:1: error: no playbook \"x\\u{7}\"\n  help: a\tb\nc");
    }

    #[test]
    fn a_diagnostic_prints_file_line_column_and_hint() {
        let d = Diagnostic::error("playbooks/x.md", Position { line: 3, column: 7 }, "bad").with_hint("fix it");
        assert_eq!(d.to_string(), "playbooks/x.md:3:7: error: bad\n  help: fix it");
    }
}
