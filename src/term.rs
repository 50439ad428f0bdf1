//! How the command line talks to a person: diagnostics in colour when
//! stderr is a terminal, nothing but errors under `--quiet`, and a spinner
//! for work that takes longer than a second.

use std::io::{IsTerminal, Write};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::diagnostic::{Diagnostic, Diagnostics, Severity, display_path, printable};

/// Output settings for one run, decided once from the flags and the environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct Term {
    /// Only errors are printed.
    pub quiet: bool,
    /// `error:` in red, `warning:` in yellow.
    pub color: bool,
    /// Long work shows a spinner on stderr.
    pub progress: bool,
}

/// Times one warning is printed in full before the rest are summed up.
pub const SAME_WARNINGS: usize = 5;

/// Files named on the summing-up line.
const NAMED_FILES: usize = 10;

/// The line that stands for warnings `rest`, which say the same as the
/// ones printed of other places: how many, and in which files.
fn more_of_the_same(rest: &[&Diagnostic]) -> String {
    let mut files: Vec<String> = rest.iter().map(|d| display_path(&d.file)).collect();
    files.dedup();
    let mut named = files.iter().take(NAMED_FILES).cloned().collect::<Vec<_>>().join(", ");
    if files.len() > NAMED_FILES {
        named.push_str(&format!(" and {} more files", files.len() - NAMED_FILES));
    }
    format!("{} more of \"{}\", in {named}", rest.len(), printable(&rest[0].message))
}

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const CYAN: &str = "\x1b[1;36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

impl Term {
    /// Colour only when stderr is a terminal and `NO_COLOR` is unset or
    /// empty (no-color.org); a progress spinner only on a terminal outside CI.
    pub fn detect(quiet: bool) -> Term {
        let tty = std::io::stderr().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "0" && v != "false");
        Term { quiet, color: tty && !no_color, progress: tty && !ci && !quiet }
    }

    /// One diagnostic as `file:line:col: error: message` and its `help:` line.
    pub fn format(&self, d: &Diagnostic) -> String {
        if !self.color {
            return d.to_string();
        }
        let (label, color) = match d.severity {
            Severity::Error => ("error", RED),
            Severity::Warning => ("warning", YELLOW),
        };
        let mut out = format!(
            "{BOLD}{}:{}:{}:{RESET} {color}{label}{RESET}{BOLD}: {}{RESET}",
            display_path(&d.file),
            d.line,
            d.column,
            printable(&d.message)
        );
        if let Some(hint) = &d.hint {
            out.push_str(&format!("\n  {CYAN}help{RESET}: {}", printable(hint)));
        }
        out
    }

    /// Prints every error to stderr, and the warnings unless `--quiet`: a
    /// warning that many files share (mojibake in a whole folder of old
    /// files) is printed [`SAME_WARNINGS`] times, then the other files
    /// are named on one line, so the errors are not lost in a wall of it.
    pub fn diagnostics(&self, diags: &Diagnostics) {
        let mut err = std::io::stderr().lock();
        for line in self.report(diags) {
            let _ = writeln!(err, "{line}");
        }
    }

    /// What [`Self::diagnostics`] prints, line by line.
    fn report(&self, diags: &Diagnostics) -> Vec<String> {
        let mut lines = Vec::new();
        let mut seen: foldhash::HashMap<&str, Vec<&Diagnostic>> = Default::default();
        for d in diags.iter().filter(|d| d.is_error() || !self.quiet) {
            let same = if d.is_error() { None } else { Some(seen.entry(&d.message).or_default()) };
            if let Some(same) = same {
                same.push(d);
                if same.len() > SAME_WARNINGS {
                    continue;
                }
            }
            lines.push(self.format(d));
        }
        let mut more: Vec<_> = seen.into_values().filter(|same| same.len() > SAME_WARNINGS).collect();
        more.sort_by_key(|same| same[0].file.clone());
        let label = if self.color { format!("{YELLOW}warning{RESET}") } else { "warning".into() };
        for same in more {
            lines.push(format!("{label}: {}", more_of_the_same(&same[SAME_WARNINGS..])));
        }
        lines
    }

    /// A summary line on stderr: `error: 3 problems found`.
    pub fn error(&self, message: &str) {
        let label = if self.color { format!("{RED}error{RESET}") } else { "error".into() };
        eprintln!("{label}: {message}");
    }

    /// A line of news on stdout, left out under `--quiet`; flushed at once so
    /// a program reading the output sees it.
    pub fn say(&self, message: &str) {
        if !self.quiet {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{message}");
            let _ = out.flush();
        }
    }

    /// Starts a spinner that appears only if the work is still running after
    /// a second; it disappears when the returned guard is dropped.
    pub fn spinner(&self, message: &str) -> Spinner {
        if !self.progress {
            return Spinner { done: None, thread: None };
        }
        let (done, wait) = mpsc::channel::<()>();
        let message = message.to_string();
        let thread = std::thread::spawn(move || {
            if wait.recv_timeout(Duration::from_secs(1)) != Err(mpsc::RecvTimeoutError::Timeout) {
                return;
            }
            let bar = indicatif::ProgressBar::new_spinner().with_elapsed(Duration::from_secs(1));
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            bar.set_message(message);
            bar.enable_steady_tick(Duration::from_millis(100));
            let _ = wait.recv();
            bar.finish_and_clear();
        });
        Spinner { done: Some(done), thread: Some(thread) }
    }
}

/// Clears the spinner (if it showed) when dropped.
pub struct Spinner {
    done: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Spinner {
    fn drop(&mut self) {
        drop(self.done.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Position;

    #[test]
    fn colour_wraps_the_label_and_plain_text_is_unchanged() {
        let d = Diagnostic::error("playbooks/x.md", Position { line: 2, column: 3 }, "bad").with_hint("fix");
        let plain = Term::default();
        assert_eq!(plain.format(&d), "playbooks/x.md:2:3: error: bad\n  help: fix");
        let color = Term { color: true, ..Term::default() };
        let shown = color.format(&d);
        assert!(shown.contains("\x1b[1;31merror\x1b[0m"), "{shown:?}");
        assert!(shown.contains("playbooks/x.md:2:3:"));
    }

    #[test]
    fn a_warning_many_files_share_is_summed_up_and_errors_never_are() {
        let mut diags = Diagnostics::default();
        for k in 0..20 {
            diags.push(Diagnostic::warning(
                format!("playbooks/{k:02}.md"),
                Position { line: 1, column: 1 },
                "mojibake",
            ));
            diags.push(Diagnostic::error(format!("playbooks/{k:02}.md"), Position { line: 2, column: 1 }, "broken"));
        }
        let diags = diags.sorted();
        let lines = Term::default().report(&diags);
        assert_eq!(lines.iter().filter(|l| l.contains("error: broken")).count(), 20);
        assert_eq!(lines.iter().filter(|l| l.contains("warning: mojibake")).count(), SAME_WARNINGS);
        assert_eq!(
            lines.last().unwrap(),
            "warning: 15 more of \"mojibake\", in playbooks/05.md, playbooks/06.md, playbooks/07.md, playbooks/08.md, \
             playbooks/09.md, playbooks/10.md, playbooks/11.md, playbooks/12.md, playbooks/13.md, playbooks/14.md and 5 more files"
        );
        assert!(Term { quiet: true, ..Term::default() }.report(&diags).iter().all(|l| l.contains("error")));
    }
}
