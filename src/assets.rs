//! Files that sit beside the playbooks (images, attachments): found here,
//! checked by the link stage, and published under `media/` only when some
//! playbook references them.

use std::collections::BTreeSet;
use std::path::Path;

use walkdir::WalkDir;

use crate::diagnostic::{Diagnostic, Diagnostics, Position};
use crate::load::PLAYBOOKS_DIR;
use crate::output::OutputFile;

/// Every non-Markdown file under `playbooks/`, relative to it, with `/`.
/// Symbolic links are not followed: a link must not publish files from
/// elsewhere on the machine.
pub fn discover(root: &Path) -> BTreeSet<String> {
    let dir = root.join(PLAYBOOKS_DIR);
    WalkDir::new(&dir)
        .into_iter()
        .filter_entry(|e| !crate::load::is_hidden(e))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && !e.path().extension().is_some_and(|x| x.eq_ignore_ascii_case("md")))
        .filter_map(|e| e.path().strip_prefix(&dir).ok().map(|p| p.to_string_lossy().replace('\\', "/")))
        .collect()
}

/// The referenced files, read for publishing under `media/`.
pub fn read(root: &Path, files: &BTreeSet<String>, media_dir: &str, diags: &mut Diagnostics) -> Vec<OutputFile> {
    let dir = root.join(PLAYBOOKS_DIR);
    files
        .iter()
        .filter_map(|rel| match std::fs::read(dir.join(rel)) {
            Ok(bytes) => Some(OutputFile::new(&format!("{media_dir}{rel}"), bytes)),
            Err(e) => {
                diags.push(
                    Diagnostic::error(
                        Path::new(PLAYBOOKS_DIR).join(rel),
                        Position::START,
                        format!("cannot read this file: {e}"),
                    )
                    .with_hint("check the file's permissions"),
                );
                None
            }
        })
        .collect()
}
