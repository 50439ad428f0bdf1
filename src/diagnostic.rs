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
        write!(f, "{}:{}:{}: {label}: {}", display_path(&self.file), self.line, self.column, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  help: {hint}")?;
        }
        Ok(())
    }
}

/// Paths print with `/` on every platform so messages are stable in tests.
pub fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    pub const START: Position = Position { line: 1, column: 1 };

    /// Where `offset` falls in `text`, counted from the start (see
    /// [`Positions`] for many offsets of one text).
    pub fn at(text: &str, offset: usize) -> Position {
        Positions::new(text).at(offset)
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
pub struct Positions<'a> {
    text: &'a str,
    scanned: usize,
    line: usize,
    line_start: usize,
}

impl<'a> Positions<'a> {
    pub fn new(text: &'a str) -> Self {
        Positions { text, scanned: 0, line: 1, line_start: 0 }
    }

    /// The position of `offset`; an offset before the last one asked starts
    /// the scan over.
    pub fn at(&mut self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        if offset < self.scanned {
            *self = Positions::new(self.text);
        }
        let skipped = &self.text.as_bytes()[self.scanned..offset];
        self.line += memchr::memchr_iter(b'\n', skipped).count();
        if let Some(i) = memchr::memrchr(b'\n', skipped) {
            self.line_start = self.scanned + i + 1;
        }
        self.scanned = offset;
        let start = self.line_start;
        let column = self.text.get(start..offset).map_or(offset - start, |s| s.chars().count()) + 1;
        Position { line: self.line, column }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule, spelled out: lines are counted by the newlines before the
    /// offset, columns by the characters since the last one, both from one.
    fn spec(text: &str, offset: usize) -> Position {
        let before = &text[..offset.min(text.len())];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Position { line: 1 + before.matches('\n').count(), column: 1 + before[line_start..].chars().count() }
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
    fn a_diagnostic_prints_file_line_column_and_hint() {
        let d = Diagnostic::error("playbooks/x.md", Position { line: 3, column: 7 }, "bad").with_hint("fix it");
        assert_eq!(d.to_string(), "playbooks/x.md:3:7: error: bad\n  help: fix it");
    }
}
