//! Finds the playbooks of a project and reads them as text.
//!
//! This is the only stage that reads Markdown from disk. It decodes UTF-8,
//! strips a byte-order mark and repairs mojibake (with a warning per line), so
//! every later stage works on clean `&str`.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::cache::Cache;
use crate::diagnostic::{Diagnostic, Diagnostics, Position};
use crate::mojibake;

/// Folder under the project root that holds the playbooks.
pub const PLAYBOOKS_DIR: &str = "playbooks";

/// One Markdown file, read and decoded.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Relative to the project root, e.g. `playbooks/people/hiring_loop.md`.
    pub path: PathBuf,
    /// Relative to `playbooks/`, without the `.md` extension: `people/hiring_loop`.
    pub stem_path: String,
    pub text: String,
    /// Hash of `text`, made once: what a rebuild compares to reuse work.
    pub hash: u64,
}

impl SourceFile {
    pub fn new(path: PathBuf, stem_path: String, text: String) -> Self {
        let hash = crate::cache::hash_of(&text);
        SourceFile { path, stem_path, text, hash }
    }
}

/// Every `playbooks/**/*.md`, sorted by path so builds are deterministic.
/// A folder that cannot be read is an error on it; the rest are still found.
pub fn find(root: &Path, diags: &mut Diagnostics) -> Vec<PathBuf> {
    let dir = root.join(PLAYBOOKS_DIR);
    if !dir.is_dir() {
        diags.push(
            Diagnostic::error(PLAYBOOKS_DIR, Position::WHOLE, "no `playbooks/` folder in the project")
                .with_hint(format!("create `{}` and put your Markdown playbooks in it", dir.display())),
        );
        return Vec::new();
    }
    let mut paths = Vec::new();
    let walk = WalkDir::new(&dir).follow_links(true).sort_by_file_name().into_iter();
    for entry in walk.filter_entry(|e| !is_hidden(e)) {
        match entry {
            Ok(e) if e.file_type().is_file() && is_markdown(e.path()) => paths.push(e.into_path()),
            Ok(_) => {}
            // A link that leads nowhere is an error only where it is not hidden.
            Err(err) if err.path().is_some_and(|p| err.depth() > 0 && hidden_name(p)) => {}
            Err(err) => diags.push(walk_error(root, &err)),
        }
    }
    paths
}

/// Each of `paths` ([`find`]'s) read and handed to `then` as soon as it is
/// read (in parallel), in their order, so that a caller which parses them
/// never holds every file's text at once. A cache that remembers (the
/// `serve` loop's) lets files whose size and modification time are
/// unchanged be reused instead of read again.
pub fn read_each<T: Send>(
    root: &Path,
    paths: &[PathBuf],
    diags: &mut Diagnostics,
    cache: &Cache,
    then: impl Fn(&SourceFile) -> T + Sync,
) -> Vec<T> {
    let results: Vec<_> = paths
        .par_iter()
        .map(|p| {
            let stamp = || std::fs::metadata(p).ok().and_then(|m| Some((m.modified().ok()?, m.len())));
            let read = cache.source(p, stamp, || read_source(root, p));
            let (file, file_diags) = &*read;
            (file.as_ref().map(&then), file_diags.clone())
        })
        .collect();
    let mut out = Vec::with_capacity(results.len());
    for (made, file_diags) in results {
        diags.extend(file_diags);
        out.extend(made);
    }
    out
}

/// Names starting with a dot are the tools' own: an editor's lock or swap
/// file (Emacs's `.#notes.md` is a link to nowhere), `.git`, `.obsidian`.
/// The handbook skips them, as most site generators do.
pub(crate) fn is_hidden(entry: &walkdir::DirEntry) -> bool {
    entry.depth() > 0 && hidden_name(entry.path())
}

fn hidden_name(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'))
}

fn is_markdown(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("md"))
}

fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

fn walk_error(root: &Path, err: &walkdir::Error) -> Diagnostic {
    let path = err.path().map(|p| relative(root, p)).unwrap_or_else(|| PathBuf::from(PLAYBOOKS_DIR));
    // The walker's own message repeats the absolute path; the I/O error is enough.
    let reason = err.io_error().map_or_else(|| err.to_string(), ToString::to_string);
    let link = err.path().filter(|p| p.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink()));
    if err.loop_ancestor().is_some() {
        Diagnostic::error(path, Position::WHOLE, "symbolic link loop: this folder links back to one that contains it")
            .with_hint("remove the symbolic link or point it somewhere outside its own parent folders")
    } else if let Some(link) = link.filter(|l| std::fs::metadata(l).is_err()) {
        let target = std::fs::read_link(link).map(|t| t.display().to_string()).unwrap_or_default();
        Diagnostic::error(path, Position::WHOLE, format!("broken symbolic link to `{target}`: {reason}"))
            .with_hint("point the link at an existing file or folder, or remove it")
    } else {
        Diagnostic::error(path, Position::WHOLE, format!("cannot read this folder: {reason}"))
            .with_hint("check that the folder exists and that you have permission to read it")
    }
}

fn read_source(root: &Path, path: &Path) -> (Option<SourceFile>, Vec<Diagnostic>) {
    let rel = relative(root, path);
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(err) => {
            let d = Diagnostic::error(&rel, Position::WHOLE, format!("cannot read this file: {err}"))
                .with_hint("check the file's permissions (it must be readable by you)");
            return (None, vec![d]);
        }
    };
    let stem_path = stem_path(root, path);
    match decode(&rel, bytes) {
        Ok((text, mut diags)) => {
            if rel.to_str().is_none() {
                diags.push(not_utf8_name(&rel, &stem_path));
            }
            (Some(SourceFile::new(rel, stem_path, text)), diags)
        }
        Err(d) => (None, vec![d]),
    }
}

/// A name in another encoding (Latin-1 from an old archive) cannot be kept
/// in a URL as written: its bad bytes are read as U+FFFD, which the slug
/// then drops, so the page's address and the links by file name that
/// reach it differ from what the author sees.
fn not_utf8_name(rel: &Path, stem_path: &str) -> Diagnostic {
    Diagnostic::warning(rel, Position::WHOLE, format!("the file name is not valid UTF-8; it is read as `{stem_path}`"))
        .with_hint("rename the file in UTF-8 (most file managers and `convmv -f latin1 -t utf8` can)")
}

fn stem_path(root: &Path, path: &Path) -> String {
    let under = path.strip_prefix(root.join(PLAYBOOKS_DIR)).unwrap_or(path).with_extension("");
    under.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// UTF-8 text with the BOM removed and mojibake repaired.
pub fn decode(rel: &Path, mut bytes: Vec<u8>) -> Result<(String, Vec<Diagnostic>), Diagnostic> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    lone_cr_to_lf(&mut bytes);
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(err) => return Err(not_utf8(rel, err.as_bytes(), err.utf8_error().valid_up_to())),
    };
    let Some(repaired) = mojibake::repair(&text) else {
        return Ok((text, Vec::new()));
    };
    let warnings = repaired
        .lines
        .iter()
        .zip(&repaired.columns)
        .map(|(&line, &column)| {
            Diagnostic::warning(
                rel,
                Position { line, column },
                "repaired mojibake (UTF-8 text that was saved as Windows-1252)",
            )
            .with_hint("save the file as UTF-8 to silence this warning")
        })
        .collect();
    Ok((repaired.text, warnings))
}

/// Classic Mac files end lines with a lone CR. CommonMark reads it as a line
/// end, but front matter fences and the other line-by-line readers would
/// see one long line; as LF (one byte for one, so every position stays
/// where it was) they read the lines the author sees.
fn lone_cr_to_lf(bytes: &mut [u8]) {
    let mut from = 0;
    while let Some(i) = memchr::memchr(b'\r', &bytes[from..]) {
        let at = from + i;
        if bytes.get(at + 1) != Some(&b'\n') {
            bytes[at] = b'\n';
        }
        from = at + 1;
    }
}

fn not_utf8(rel: &Path, bytes: &[u8], offset: usize) -> Diagnostic {
    // The valid prefix is text, so the line and column of the bad byte are known.
    let prefix = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
    let pos = Position::at(prefix, offset);
    Diagnostic::error(rel, pos, format!("not valid UTF-8: byte 0x{:02X} at byte offset {offset}", bytes[offset]))
        .with_hint("re-save the file with UTF-8 encoding (most editors offer this under \"Save with encoding\")")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;

    #[test]
    fn invalid_utf8_names_the_byte_offset_and_line() {
        let err = decode(Path::new("playbooks/x.md"), b"ok\nab\xFFc".to_vec()).unwrap_err();
        assert!(err.message.contains("byte offset 5"), "{}", err.message);
        assert_eq!((err.line, err.column), (2, 3));
    }

    #[test]
    fn mojibake_is_repaired_with_a_warning_per_line() {
        let (text, warnings) = decode(Path::new("p.md"), "# a\n## ðŸ“œ Story\n".as_bytes().to_vec()).unwrap();
        assert_eq!(text, "# a\n## 📜 Story\n");
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].line, 2);
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_symlink_is_named_as_one() {
        // It was \"cannot read this folder: IO error for operation on /abs/path…\".
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(PLAYBOOKS_DIR)).unwrap();
        std::fs::write(dir.path().join("playbooks/ok.md"), "# Ok\n").unwrap();
        std::os::unix::fs::symlink("gone.md", dir.path().join("playbooks/dangling.md")).unwrap();
        let mut diags = Diagnostics::default();
        let paths = find(dir.path(), &mut diags);
        let files = read_each(dir.path(), &paths, &mut diags, &Cache::default(), |f| f.path.clone());
        assert_eq!(files.len(), 1);
        let d: Vec<_> = diags.iter().map(|d| (d.file.clone(), d.message.clone())).collect();
        assert_eq!(
            d,
            [(
                PathBuf::from("playbooks/dangling.md"),
                "broken symbolic link to `gone.md`: No such file or directory (os error 2)".to_string()
            )]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_file_name_not_in_utf8_is_built_with_a_warning() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(PLAYBOOKS_DIR)).unwrap();
        let latin1 = dir.path().join(PLAYBOOKS_DIR).join(std::ffi::OsStr::from_bytes(b"caf\xe9.md"));
        if std::fs::write(&latin1, "# Cafe\n").is_err() {
            return; // a file system that only takes UTF-8 names cannot hold one
        }
        let mut diags = Diagnostics::default();
        let paths = find(dir.path(), &mut diags);
        let stems = read_each(dir.path(), &paths, &mut diags, &Cache::default(), |f| f.stem_path.clone());
        assert_eq!(stems, ["caf\u{FFFD}"]);
        let d: Vec<_> = diags.iter().map(|d| (d.severity, d.message.as_str())).collect();
        assert_eq!(d, [(Severity::Warning, "the file name is not valid UTF-8; it is read as `caf\u{FFFD}`")]);
    }

    #[test]
    fn lone_cr_line_ends_become_lf_and_crlf_stays() {
        let (text, _) = decode(Path::new("p.md"), b"---\rtitle: Mac\r---\r\r# A\r\nb\r".to_vec()).unwrap();
        assert_eq!(text, "---\ntitle: Mac\n---\n\n# A\r\nb\n");
    }

    #[test]
    fn a_byte_order_mark_is_dropped() {
        let (text, _) = decode(Path::new("p.md"), b"\xEF\xBB\xBF# T".to_vec()).unwrap();
        assert_eq!(text, "# T");
    }
}
