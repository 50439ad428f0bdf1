//! Writes the site so that nothing is ever lost. New and changed files go
//! into a staging folder beside the output folder as they are rendered;
//! only a complete build touches the output folder, and then only where the
//! site changed: each staged file is renamed over its old version (a reader
//! never sees half a file), then files the site no longer has are removed;
//! unchanged files are left as they are. A failed build, or one stopped
//! before it has rendered everything, leaves the previous output as it was;
//! one that fails while moving files in leaves each file whole and none of
//! the previous site's missing. Nothing is ever written outside the output
//! folder.
//!
//! A rebuild with no change writes nothing into the output folder and
//! removes nothing from it. Replacing the whole folder instead (staging
//! every file, then deleting the previous site) made such a rebuild of
//! 10,000 playbooks 1.5-1.7 times as slow as a clean build on disk: 40,000
//! folders and links made and removed.

use std::collections::HashSet;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use walkdir::WalkDir;

use crate::cache::lock;
use crate::diagnostic::{Diagnostic, Position};

/// A file's contents, shared so that pages reused from the previous build
/// are not copied. An `Arc<Vec<u8>>` (not `Arc<[u8]>`, which would copy
/// every rendered page once more to make).
pub type Bytes = Arc<Vec<u8>>;

/// One file of the site, by its path relative to the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub bytes: Bytes,
}

impl OutputFile {
    pub fn new(path: &str, bytes: impl Into<Vec<u8>>) -> Self {
        OutputFile { path: path.to_string(), bytes: Arc::new(bytes.into()) }
    }

    /// A file whose bytes are shared with a cache, without copying them.
    pub fn shared(path: &str, bytes: Bytes) -> Self {
        OutputFile { path: path.to_string(), bytes }
    }
}

/// A path inside the output folder, or `None` if it would leave it.
fn inside(path: &str) -> Option<PathBuf> {
    let p = Path::new(path);
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::Normal(s) => out.push(s),
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!out.as_os_str().is_empty() && !path.contains('\0')).then_some(out)
}

/// `path` made absolute and free of `.`/`..`, without touching the disk
/// beyond the current directory.
pub fn normalize(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Why an output folder outside the project is refused without --force.
const OUTSIDE: &str = "is outside the project";

/// Refuses output folders whose replacement would destroy the project, and
/// (unless forced) folders holding somebody else's files.
pub fn check_out_dir(root: &Path, out: &Path, force: bool) -> Result<(), Diagnostic> {
    let root = normalize(root);
    let out = normalize(out);
    let shown = out.display().to_string();
    // Each relation holds by the text of the paths or by the folders the
    // system finds (links followed, case as the file system reads it).
    let inside = |a: &Path, b: &Path| a.starts_with(b) || is_within(&resolved(a), b);
    let kept =
        [crate::load::PLAYBOOKS_DIR, "templates", "static", ".git", crate::config::CONFIG_FILE].map(|d| root.join(d));
    // `--force` allows a folder outside the project, never one whose
    // replacement would delete the project, its playbooks, its theme or
    // its history, nor a file.
    let problem = if inside(&root, &out) && inside(&out, &root) {
        Some("is the project folder itself")
    } else if inside(&kept[0], &out) {
        Some("contains the playbooks")
    } else if kept.iter().any(|k| inside(&out, k)) {
        Some("is the project's playbooks/, templates/, static/, .git/ or playbook.toml, or inside one")
    } else if kept.iter().any(|k| inside(k, &out)) {
        Some("contains the project's templates/, static/, .git/ or playbook.toml")
    } else if std::fs::symlink_metadata(&out).is_ok_and(|m| m.is_file()) {
        Some("is a file")
    } else if !(force || in_project(&out, &root)) {
        Some(OUTSIDE)
    } else {
        None
    };
    if let Some(what) = problem {
        // --force lets a build go outside the project, and nowhere else refused.
        let force = if what == OUTSIDE { " (a folder outside the project needs --force)" } else { "" };
        return Err(Diagnostic::error(
            shown.clone(),
            Position::WHOLE,
            format!("refusing to write the site to `{shown}`: it {what}, and building replaces what is in it"),
        )
        .with_hint(format!("choose another --out folder, such as `public`{force}")));
    }
    match foreign_entries(&out) {
        Some(what) if !force => Err(Diagnostic::error(
            shown.clone(),
            Position::WHOLE,
            format!("refusing to write the site to `{shown}`: it {what}, which building would replace or delete"),
        )
        .with_hint("build into a new or empty folder, or pass --force to let the site replace what is in it")),
        _ => Ok(()),
    }
}

/// Written into every site, so that a later build knows the folder is one
/// it may update, removing what the site no longer has.
pub const MARKER: &str = ".playbook";

/// What the marker says to whoever finds it.
pub const MARKER_TEXT: &str =
    "This folder is written by `playbook build`: each build removes the files here that the site no longer has.\n";

/// What `out` holds when it is a folder with files but no site a build
/// wrote (somebody else's files, which a build would delete): its first few
/// names. An empty folder, one holding only `.git` (a fresh `gh-pages`
/// worktree) or a file browser's `.DS_Store`, and a link (replaced, never
/// written through) hold none. Sites
/// built before the marker existed are told by the files every build writes.
/// A folder that cannot be listed may hold anything, so it counts as full.
fn foreign_entries(out: &Path) -> Option<String> {
    if !std::fs::symlink_metadata(out).is_ok_and(|m| m.is_dir()) {
        return None;
    }
    let ours = |rel: &str| std::fs::symlink_metadata(out.join(rel)).is_ok_and(|m| m.is_file());
    if ours(MARKER) || (ours(".nojekyll") && ours("assets/nav.js")) {
        return None;
    }
    let entries = match std::fs::read_dir(out) {
        Ok(entries) => entries,
        Err(e) => return Some(format!("cannot be listed ({e}), so it may hold files that playbook did not write")),
    };
    let mut names: Vec<String> = entries
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| vec![format!("an entry that cannot be read: {e}")])
        .into_iter()
        // A repository, and what file browsers leave in any folder they show.
        .filter(|name| ![".git", ".DS_Store", "Thumbs.db", "desktop.ini"].contains(&name.as_str()))
        .collect();
    if names.is_empty() {
        return None;
    }
    names.sort();
    const SHOWN: usize = 3;
    let more = names.len().saturating_sub(SHOWN);
    names.truncate(SHOWN);
    let mut list = names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
    if more > 0 {
        list.push_str(&format!(" and {more} more"));
    }
    Some(format!("holds files that playbook did not write ({list})"))
}

/// Whether `out` is in the project at `root` where the system puts it:
/// `deploy/site` is not when `deploy` is a link to elsewhere. (By the text,
/// for a project folder that does not exist.)
fn in_project(out: &Path, root: &Path) -> bool {
    if identity(root).is_none() {
        return out.starts_with(root);
    }
    // A link at the output folder itself is replaced, not written through:
    // where it points does not matter, only where it is.
    let spot = match (out.parent(), out.file_name()) {
        (Some(parent), Some(name)) => resolved(parent).join(name),
        _ => resolved(out),
    };
    is_within(&spot, root)
}

/// `path` (absolute) as the system resolves it, links followed, as far as
/// it exists; the rest as written.
fn resolved(path: &Path) -> PathBuf {
    let mut rest = Vec::new();
    let mut existing = path;
    loop {
        if let Ok(real) = std::fs::canonicalize(existing) {
            return rest.iter().rev().fold(real, |p, name| p.join(name));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return path.to_path_buf(),
        }
    }
}

/// Whether `a` is the existing folder `b` or inside it, as the system
/// finds them: some folder `a` is in (or `a` itself) is `b`, whatever
/// links or spelling lead there.
fn is_within(a: &Path, b: &Path) -> bool {
    let Some(b) = identity(b) else { return false };
    a.ancestors().any(|folder| identity(folder).as_ref() == Some(&b))
}

/// What tells a file apart from every other, links followed.
#[cfg(unix)]
fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity(path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path).ok()
}

/// What was written.
#[derive(Debug, Default, Clone)]
pub struct WriteReport {
    pub files: usize,
    pub bytes: u64,
    /// Files whose bytes were the same as in the previous output: left in
    /// place (or linked from it) instead of written again, keeping their
    /// modification time.
    pub unchanged: usize,
    /// A folder beside the output folder that could not be removed once
    /// the site was in place, and why.
    pub left_behind: Option<String>,
    /// Files of the previous output that the site no longer has, removed.
    pub removed: Vec<PathBuf>,
}

/// A generated file as the static-file check and the build report need it,
/// after its bytes have gone to a [`Sink`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emitted {
    pub path: String,
    pub len: u64,
    /// The hash of the bytes, kept only where `static/` has a file of the
    /// same path (see [`StaticFiles`]).
    pub hash: Option<u64>,
}

/// The paths of the files in `static/`. A generated file's bytes are compared
/// later only where a static file has its path (the two must then be the
/// same file, see [`static_conflicts`]), so only those are hashed: hashing
/// every page was a percent of a build.
#[derive(Debug, Default)]
pub struct StaticFiles(HashSet<String>);

impl StaticFiles {
    pub fn find(static_dir: &Path) -> Self {
        let files = WalkDir::new(static_dir)
            .min_depth(1)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .filter_map(|e| Some(e.path().strip_prefix(static_dir).ok()?.to_string_lossy().replace('\\', "/")))
            .collect();
        StaticFiles(files)
    }

    /// `file` as the static-file check and the build report need it.
    pub fn emitted(&self, file: &OutputFile) -> Emitted {
        let hash = self.0.contains(&file.path).then(|| content_hash(&file.bytes));
        Emitted { path: file.path.clone(), len: file.bytes.len() as u64, hash }
    }
}

/// Tells a static file with a generated file's bytes from one that would
/// replace it. Every output byte goes through it, so it is the build's fast
/// hash rather than SipHash; a collision needs a file crafted for it.
fn content_hash(bytes: &[u8]) -> u64 {
    crate::cache::hash_of(bytes)
}

/// Where rendered files go as they are made, so that a build never holds
/// the whole site in memory unless it is asked to (`serve` does).
pub trait Sink: Sync {
    fn put(&self, file: OutputFile);
}

/// Keeps every file in memory.
#[derive(Default)]
pub struct Memory(std::sync::Mutex<Vec<OutputFile>>);

impl Memory {
    pub fn into_files(self) -> Vec<OutputFile> {
        self.0.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for Memory {
    fn put(&self, file: OutputFile) {
        lock(&self.0).push(file);
    }
}

/// Drops every file: `check` renders everything and keeps nothing.
pub struct Discard;

impl Sink for Discard {
    fn put(&self, _: OutputFile) {}
}

/// Writes new and changed files into a staging folder beside the output
/// folder as they are rendered; [`Staging::finish`] adds `static/` and
/// updates the output folder from it. Dropped unfinished (a failed build),
/// it removes the staging folder and leaves the output folder as it was.
pub struct Staging {
    out: PathBuf,
    previous: Previous,
    dir: PathBuf,
    /// Every file of the site, by its path inside the output folder: what
    /// the output folder keeps.
    site: std::sync::Mutex<Vec<PathBuf>>,
    /// Folders made so far, so each is created once.
    made: std::sync::Mutex<HashSet<PathBuf>>,
    /// Folders of the output folder found to be real folders (not links),
    /// or not: a file is taken as unchanged only under real folders.
    real_dirs: std::sync::Mutex<std::collections::HashMap<PathBuf, bool>>,
    failure: std::sync::Mutex<Option<io::Error>>,
    files: AtomicUsize,
    bytes: AtomicU64,
    unchanged: AtomicUsize,
    finished: bool,
}

/// What a build does with the output folder it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Previous {
    /// Nothing there (or a file or a link, which is replaced): the staging
    /// folder becomes the output folder.
    None,
    /// A previous site, updated in place: unchanged files stay, staged
    /// files are renamed over their old versions.
    Update,
    /// A previous site on a file system that ignores case (macOS's and
    /// Windows's by default), where the site's `logo.png` is found as the
    /// `Logo.png` there: the whole site is staged, unchanged files
    /// hard-linked from the previous output under their exact names, and
    /// swapped in.
    Replace,
}

impl Staging {
    pub fn new(out: &Path) -> io::Result<Staging> {
        // The folder `check_out_dir` approved: `..` taken away by the text,
        // as it was checked, not through links by the system; and
        // `public/` or `public/.` would name a link's target, not the link.
        let out = normalize(out);
        let dir = beside(&out, "partial");
        if let Some(parent) = dir.parent() {
            std::fs::create_dir_all(parent)?;
            if !on_one_file_system(&out, parent) {
                return Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    format!(
                        "{} is a mount point (another file system or mount than the folder it is in); the \
                         site is written beside it and moved in, so build into a folder inside it instead",
                        out.display()
                    ),
                ));
            }
        }
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        // A link to a folder is replaced, never updated through.
        let previous = match std::fs::symlink_metadata(&out) {
            Ok(m) if m.is_dir() && ignores_case(&out) => Previous::Replace,
            Ok(m) if m.is_dir() => Previous::Update,
            _ => Previous::None,
        };
        Ok(Staging::with(out, dir, previous))
    }

    fn with(out: PathBuf, dir: PathBuf, previous: Previous) -> Staging {
        Staging {
            out,
            previous,
            dir,
            site: Default::default(),
            made: Default::default(),
            real_dirs: Default::default(),
            failure: Default::default(),
            files: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
            unchanged: AtomicUsize::new(0),
            finished: false,
        }
    }

    fn write(&self, file: &OutputFile) -> io::Result<()> {
        let rel = inside(&file.path).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("refusing to write `{}` outside the output folder", file.path),
            )
        })?;
        // The same bytes as the previous build's file: it stays where it is
        // (or is linked from there), so a no-change rebuild writes nothing
        // and servers and browsers see unchanged modification times.
        let same = self.is_unchanged(&rel, |old| same_file(old, file.bytes.len() as u64, &file.bytes[..]));
        if self.place(&rel, same, |target| std::fs::write(target, &file.bytes[..]))? {
            self.unchanged.fetch_add(1, Ordering::Relaxed);
        }
        lock(&self.site).push(rel);
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(file.bytes.len() as u64, Ordering::Relaxed);
        Ok(())
    }

    /// Whether the previous output has the file `rel`, as a file of its
    /// own, and `holds` says it holds the new bytes.
    fn is_unchanged(&self, rel: &Path, holds: impl FnOnce(&Path) -> bool) -> bool {
        self.previous != Previous::None && self.in_real_dirs(rel) && holds(&self.out.join(rel))
    }

    /// Puts the file `rel` where the build wants it: left in place when
    /// `same` and updating in place, else staged (linked from the previous
    /// output when `same`, else made by `write`). Whether it was unchanged.
    fn place(&self, rel: &Path, same: bool, write: impl FnOnce(&Path) -> io::Result<()>) -> io::Result<bool> {
        if same && self.previous == Previous::Update {
            return Ok(true);
        }
        let target = self.dir.join(rel);
        if let Some(parent) = target.parent()
            && lock(&self.made).insert(parent.to_path_buf())
        {
            std::fs::create_dir_all(parent)?;
        }
        if same && std::fs::hard_link(self.out.join(rel), &target).is_ok() {
            return Ok(true);
        }
        write(&target)?;
        Ok(false)
    }

    /// Whether every folder `rel` is in, inside the output folder, is a real
    /// folder. A file reached through a link is not the output's own: the
    /// update removes the link, so the file must be staged.
    fn in_real_dirs(&self, rel: &Path) -> bool {
        rel.ancestors().skip(1).filter(|a| !a.as_os_str().is_empty()).all(|folder| {
            if let Some(&real) = lock(&self.real_dirs).get(folder) {
                return real;
            }
            let real = std::fs::symlink_metadata(self.out.join(folder)).is_ok_and(|m| m.is_dir());
            lock(&self.real_dirs).insert(folder.to_path_buf(), real);
            real
        })
    }

    /// Copies `static/` in (refusing files that would replace generated
    /// ones) and puts the new site in place of the output folder.
    pub fn finish(mut self, emitted: &[Emitted], static_dir: Option<&Path>) -> Result<WriteReport, NotWritten> {
        let untouched = |error| NotWritten { error, partly_updated: false };
        if let Some(e) = lock(&self.failure).take() {
            return Err(untouched(e));
        }
        let mut report = WriteReport {
            files: self.files.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            unchanged: self.unchanged.load(Ordering::Relaxed),
            left_behind: None,
            removed: Vec::new(),
        };
        let mut site = std::mem::take(&mut *lock(&self.site));
        if let Some(dir) = static_dir.filter(|d| d.is_dir()) {
            if let Some(first) = static_conflicts(emitted, dir).first() {
                return Err(untouched(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{}: {}", crate::diagnostic::display_path(&first.file), first.message),
                )));
            }
            let copied = self.copy_static(dir, &mut site).map_err(untouched)?;
            report.files += copied.files;
            report.bytes += copied.bytes;
            report.unchanged += copied.unchanged;
        }
        // Once the site is in place, what is left to remove beside the output
        // folder is only reported: the build has done its job.
        let leftover = match self.previous {
            Previous::Update => {
                let (trash, removed) =
                    update(&self.dir, &self.out, &site).map_err(|error| NotWritten { error, partly_updated: true })?;
                report.removed = removed;
                let staging = remove_tree(&self.dir);
                let trash = trash.map_or(Ok(()), |t| remove_tree(&t));
                staging.and(trash)
            }
            Previous::Replace => {
                // The output's own repository goes over to the new site.
                let git = (self.out.join(GIT), self.dir.join(GIT));
                let carried = std::fs::symlink_metadata(&git.0).is_ok() && std::fs::rename(&git.0, &git.1).is_ok();
                swap(&self.dir, &self.out).map_err(|e| {
                    if carried {
                        let _ = std::fs::rename(&git.1, &git.0);
                    }
                    untouched(e)
                })?
            }
            Previous::None => replace(&self.dir, &self.out).map_err(untouched)?,
        };
        report.left_behind = leftover.err().map(|e| e.to_string());
        self.finished = true;
        Ok(report)
    }
}

/// Whether the file system of `dir` (which must exist) ignores case in names.
fn ignores_case(dir: &Path) -> bool {
    // One of its entries, with its letters' case swapped, is found under
    // that name too without being listed. (ASCII only: `ß` is `SS` in
    // capitals, which no file system takes for the same name.) An empty
    // folder has nothing that could be found under another name.
    let Ok(entries) = std::fs::read_dir(dir) else { return false };
    let names: HashSet<std::ffi::OsString> = entries.filter_map(|e| e.ok().map(|e| e.file_name())).collect();
    let swapped = names.iter().filter_map(|n| n.to_str()).find_map(|n| {
        let swapped: String = n
            .chars()
            .map(|c| if c.is_ascii_uppercase() { c.to_ascii_lowercase() } else { c.to_ascii_uppercase() })
            .collect();
        (swapped != n && !names.contains(std::ffi::OsStr::new(&swapped))).then_some(swapped)
    });
    swapped.is_some_and(|name| std::fs::symlink_metadata(dir.join(name)).is_ok())
}

/// Whether the folder `a`, if there is one, is on the same mount as `b`:
/// files are moved between them by renaming, which the system refuses
/// across mounts, even two mounts of one file system (a bind mount, a
/// container's volume).
fn on_one_file_system(a: &Path, b: &Path) -> bool {
    if !std::fs::symlink_metadata(a).is_ok_and(|m| m.is_dir()) {
        return true;
    }
    match (mount_id(a), mount_id(b)) {
        (Some(x), Some(y)) => x == y,
        _ => device(a) == device(b),
    }
}

/// The id of the mount `path` is on, links followed, where the system
/// tells (Linux 5.8+).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn mount_id(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let name = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    // SAFETY: statx is plain old data, which all-zero bytes make a valid value.
    let mut stx: libc::statx = unsafe { std::mem::zeroed() };
    // SAFETY: `name` is a NUL-terminated path and `stx` a live, writable statx.
    let done = unsafe { libc::statx(libc::AT_FDCWD, name.as_ptr(), 0, libc::STATX_MNT_ID, &mut stx) };
    (done == 0 && stx.stx_mask & libc::STATX_MNT_ID != 0).then_some(stx.stx_mnt_id)
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn mount_id(_: &Path) -> Option<u64> {
    None
}

/// The device `path` is on, links followed, where the system tells.
fn device(path: &Path) -> Option<u64> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| m.dev())
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// A repository's folder (or a worktree's file), kept where an output
/// folder has one at its top.
const GIT: &str = ".git";

/// Why [`Staging::finish`] did not put the site in place.
#[derive(Debug)]
pub struct NotWritten {
    pub error: io::Error,
    /// Whether the output folder was partly updated when the error came:
    /// each of its files whole, old or new, and none of the previous site's
    /// missing. Otherwise it is as it was.
    pub partly_updated: bool,
}

impl Staging {
    /// Copies `static/` verbatim into the staging folder, but for files
    /// with the same bytes in the previous output, which stay there; each
    /// file's path goes into `site`. Symbolic links are not followed, so a
    /// link can't pull files from elsewhere on the machine into the site.
    fn copy_static(&self, dir: &Path, site: &mut Vec<PathBuf>) -> io::Result<WriteReport> {
        let mut report = WriteReport::default();
        for entry in WalkDir::new(dir).sort_by_file_name() {
            let entry = entry.map_err(io::Error::other)?;
            if !entry.file_type().is_file() {
                continue;
            }
            let Ok(rel) = entry.path().strip_prefix(dir) else { continue };
            let same = self.is_unchanged(rel, |old| {
                let new = entry.metadata().ok().zip(std::fs::File::open(entry.path()).ok());
                new.is_some_and(|(m, new)| same_file(old, m.len(), new))
            });
            let copy = |target: &Path| std::fs::copy(entry.path(), target).map(drop);
            report.unchanged += usize::from(self.place(rel, same, copy)?);
            report.bytes += entry.metadata().map_err(io::Error::other)?.len();
            report.files += 1;
            site.push(rel.to_path_buf());
        }
        Ok(report)
    }
}

/// Whether `path` is a regular file (not a link) of `len` bytes holding
/// what `new` gives, compared a block at a time. Reading it whole doubled
/// each page in memory while it was compared, and the whole-handbook files
/// are megabytes (the search index's copy was the peak of a warm rebuild at
/// 10,000 playbooks); a static file may be larger still.
fn same_file(path: &Path, len: u64, new: impl io::Read) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.len() == len)
        && std::fs::File::open(path).is_ok_and(|old| same_bytes(old, new))
}

/// Whether `a` and `b` give the same bytes, read a block at a time.
fn same_bytes(mut a: impl io::Read, mut b: impl io::Read) -> bool {
    let (mut x, mut y) = ([0u8; 16 * 1024], [0u8; 16 * 1024]);
    loop {
        match (fill(&mut a, &mut x), fill(&mut b, &mut y)) {
            (Ok(n), Ok(m)) if n == m && x[..n] == y[..m] => {
                if n == 0 {
                    return true;
                }
            }
            _ => return false,
        }
    }
}

/// Reads into `block` until it is full or the input ends; how much it read.
fn fill(input: &mut impl io::Read, block: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < block.len() {
        match input.read(&mut block[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

impl Sink for Staging {
    fn put(&self, file: OutputFile) {
        if let Err(e) = self.write(&file) {
            lock(&self.failure).get_or_insert(e);
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.finished && self.dir.exists() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Files of `static/` that would replace a file the site generates, or
/// clash with one (a file where the site needs a folder, or the other way
/// round), as errors on `static/<path>`. Copying them would silently lose a
/// page, or fail halfway with an error naming no file. A static file with
/// the same bytes as the generated one (an empty `.nojekyll`) is no clash.
pub fn static_conflicts(files: &[Emitted], static_dir: &Path) -> Vec<Diagnostic> {
    use std::collections::HashMap;
    let generated: HashMap<&str, &Emitted> = files.iter().map(|f| (f.path.as_str(), f)).collect();
    let folders: HashSet<&str> =
        files.iter().flat_map(|f| f.path.match_indices('/').map(|(i, _)| &f.path[..i])).collect();
    let mut conflicts = Vec::new();
    for entry in WalkDir::new(static_dir).min_depth(1).sort_by_file_name().into_iter().filter_map(Result::ok) {
        let Ok(rel) = entry.path().strip_prefix(static_dir) else { continue };
        let rel = rel.to_string_lossy().replace('\\', "/");
        let is_file = entry.file_type().is_file();
        let problem = if let Some(made) = generated.get(rel.as_str()) {
            let same = is_file
                && std::fs::read(entry.path())
                    .is_ok_and(|b| b.len() as u64 == made.len && Some(content_hash(&b)) == made.hash);
            (!same)
                .then(|| format!("would replace `{rel}`, which playbook generates; the generated file would be lost"))
        } else if is_file && folders.contains(rel.as_str()) {
            Some(format!("is a file where the site needs the folder `{rel}/`"))
        } else {
            rel.match_indices('/')
                .map(|(i, _)| &rel[..i])
                .find(|a| generated.contains_key(a))
                .map(|a| format!("needs the folder `{a}/`, where the site has the file `{a}`"))
        };
        if let Some(message) = problem {
            conflicts.push(
                Diagnostic::error(Path::new("static").join(&rel), Position::WHOLE, message)
                    .with_hint("rename or move it; pages are overridden through templates/, not static/"),
            );
        }
    }
    conflicts
}

/// A hidden folder of this process next to the output folder: same file
/// system, so renames between them are atomic.
fn beside(out: &Path, what: &str) -> PathBuf {
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = out.file_name().map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    parent.join(format!(".{name}.{what}-{}", std::process::id()))
}

/// Puts the staging folder where the output folder goes, when there is no
/// previous output there to update: nothing, or a file or link, which is
/// removed (a link, not what it points to). The outer error means the
/// output is as it was; the inner one, that the site is in place but what
/// was there could not be removed.
fn replace(staging: &Path, out: &Path) -> io::Result<io::Result<()>> {
    if std::fs::symlink_metadata(out).is_err() {
        return std::fs::rename(staging, out).map(Ok);
    }
    swap(staging, out)
}

/// Swaps the staging folder in for what is at `out`, then removes that:
/// errors as for [`replace`]. What was there goes into a fresh folder
/// first, under a name no other folder has.
fn swap(staging: &Path, out: &Path) -> io::Result<io::Result<()>> {
    let old = fresh_folder(out, "old")?;
    let aside = old.join("site");
    if let Err(e) = std::fs::rename(out, &aside) {
        let _ = std::fs::remove_dir(&old);
        return Err(naming(out, e));
    }
    if let Err(e) = std::fs::rename(staging, out) {
        // Put what was there back before reporting.
        let _ = std::fs::rename(&aside, out);
        let _ = std::fs::remove_dir(&old);
        return Err(naming(out, e));
    }
    Ok(remove_tree(&old))
}

/// Makes the output folder `out` hold the site whose files are `site`.
/// Each file staged in `staging` is renamed over its place in `out` first;
/// what stands in the way (a folder where a file goes, a file or link where
/// a folder goes) is moved aside into a trash folder, not deleted. Only then
/// is what `out` has that the site has not removed, with the folders it
/// leaves empty (links and other non-files are removed, never followed).
/// A failure on the way puts what was moved aside back where it can, so
/// none of the previous site is missing; errors name their path. Returns
/// the trash folder, if one was made, for the caller to remove, and the
/// files removed.
fn update(staging: &Path, out: &Path, site: &[PathBuf]) -> io::Result<(Option<PathBuf>, Vec<PathBuf>)> {
    use rayon::prelude::*;
    let mut staged = Vec::new();
    for entry in WalkDir::new(staging).min_depth(1).sort_by_file_name() {
        let entry = entry.map_err(io::Error::other)?;
        if entry.file_type().is_file() {
            staged.push(entry.into_path());
        }
    }
    let trash = Trash::beside(out);
    let moved = staged.par_iter().try_for_each(|from| {
        let rel = from.strip_prefix(staging).map_err(io::Error::other)?;
        let to = out.join(rel);
        make_room(out, rel, &trash)?;
        std::fs::rename(from, &to).map_err(|e| naming(&to, e))
    });
    if let Err(e) = moved {
        return Err(match trash.put_back() {
            Some(stuck) => io::Error::new(e.kind(), format!("{e} ({stuck})")),
            None => e,
        });
    }
    let files: HashSet<&Path> = site.iter().map(PathBuf::as_path).collect();
    let folders: HashSet<&Path> =
        site.iter().flat_map(|f| f.ancestors().skip(1)).filter(|a| !a.as_os_str().is_empty()).collect();
    // A `.git` at the top is the output's own repository (a gh-pages
    // worktree or clone), never the site's to remove. It is left out of the
    // walk, so nothing in it is seen: the walk lists each folder before its
    // contents, and going through it backwards puts children before their
    // folder, so emptied folders can go too. (Listing contents first, the
    // walk reaches `.git` only after everything in it.)
    let walk = WalkDir::new(out).min_depth(1).into_iter();
    let entries: Vec<walkdir::DirEntry> = walk
        .filter_entry(|e| !(e.depth() == 1 && e.file_name() == GIT))
        .collect::<Result<_, _>>()
        .map_err(io::Error::other)?;
    let mut gone = Vec::new();
    for entry in entries.iter().rev() {
        let Ok(rel) = entry.path().strip_prefix(out) else { continue };
        let removed = if entry.file_type().is_dir() {
            if folders.contains(rel) { continue } else { std::fs::remove_dir(entry.path()) }
        } else if entry.file_type().is_file() && files.contains(rel) {
            continue;
        } else {
            gone.push(rel.to_path_buf());
            std::fs::remove_file(entry.path())
        };
        if let Err(e) = removed {
            // The new site is in; what was moved aside is only in the way.
            let e = naming(entry.path(), e);
            let trash = trash.made().map_or(String::new(), |t| format!(" (and {} is left)", t.display()));
            return Err(io::Error::new(e.kind(), format!("{e}{trash}")));
        }
    }
    gone.sort();
    Ok((trash.made(), gone))
}

/// Where [`update`] moves what stands in the way of the new site: a folder
/// beside the output folder (so moving is a rename), made on first use
/// under a name no other folder has.
struct Trash {
    near: PathBuf,
    moved: std::sync::Mutex<Moved>,
}

/// The trash folder, once made, and what was moved into it: (where it
/// was, where it is).
type Moved = (Option<PathBuf>, Vec<(PathBuf, PathBuf)>);

impl Trash {
    fn beside(out: &Path) -> Trash {
        Trash { near: out.to_path_buf(), moved: Default::default() }
    }

    /// Moves `path` aside if it is (still) a folder, or (still) not one,
    /// as `folder` says: another thread may have just moved it, or made
    /// the folder that goes there.
    fn take(&self, path: &Path, folder: bool) -> io::Result<()> {
        let mut moved = lock(&self.moved);
        if !std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir() == folder) {
            return Ok(());
        }
        let dir = match &moved.0 {
            Some(dir) => dir.clone(),
            None => moved.0.insert(fresh_folder(&self.near, "trash")?).clone(),
        };
        let aside = dir.join(moved.1.len().to_string());
        std::fs::rename(path, &aside).map_err(|e| naming(path, e))?;
        moved.1.push((path.to_path_buf(), aside));
        Ok(())
    }

    /// Puts back what was moved aside, removing the new site's files and
    /// folders that took its place. Says where anything that could not go
    /// back is, if it could not.
    fn put_back(&self) -> Option<String> {
        let mut moved = lock(&self.moved);
        let (dir, items) = &mut *moved;
        let stuck = items.drain(..).rev().filter(|(was, aside)| {
            let cleared = match std::fs::symlink_metadata(was) {
                Ok(m) if m.is_dir() => std::fs::remove_dir_all(was),
                Ok(_) => std::fs::remove_file(was),
                Err(_) => Ok(()),
            };
            cleared.and_then(|()| std::fs::rename(aside, was)).is_err()
        });
        let stuck = stuck.count();
        let dir = dir.take()?;
        if stuck == 0 {
            let _ = std::fs::remove_dir(&dir);
            return None;
        }
        Some(format!("{stuck} of the previous site's files or folders are in {}", dir.display()))
    }

    /// The folder this run made, if it made one.
    fn made(self) -> Option<PathBuf> {
        self.moved.into_inner().unwrap_or_else(|e| e.into_inner()).0
    }
}

/// Makes a new hidden folder beside `out` for `what`, under a name that
/// is not taken: process ids repeat (a container's first process is
/// always 1), and a folder left by an earlier run is not this run's.
fn fresh_folder(out: &Path, what: &str) -> io::Result<PathBuf> {
    let base = beside(out, what);
    let mut n = 0u32;
    loop {
        let dir = if n == 0 { base.clone() } else { PathBuf::from(format!("{}-{n}", base.display())) };
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
            Err(e) => return Err(naming(&dir, e)),
        }
    }
}

/// Clears the way in `out` for a file at `rel`: a file or link where one
/// of its folders goes, or a folder where the file goes, is moved into the
/// trash. (A file or link at the file's place is replaced by the rename.)
/// Files under one folder are moved in on several threads at once, so each
/// step allows for another thread having taken it already.
fn make_room(out: &Path, rel: &Path, trash: &Trash) -> io::Result<()> {
    let mut at = out.to_path_buf();
    let mut parts = rel.components().peekable();
    while let Some(part) = parts.next() {
        at.push(part);
        let last = parts.peek().is_none();
        match std::fs::symlink_metadata(&at) {
            Ok(m) if last => {
                if m.is_dir() {
                    trash.take(&at, true)?;
                }
            }
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                trash.take(&at, false)?;
                make_folder(&at).map_err(|e| naming(&at, e))?;
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if !last {
                    make_folder(&at).map_err(|e| naming(&at, e))?;
                }
            }
            Err(e) => return Err(naming(&at, e)),
        }
    }
    Ok(())
}

/// Makes the folder `path`, unless another thread just did.
fn make_folder(path: &Path) -> io::Result<()> {
    match std::fs::create_dir(path) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && path.is_dir() => Ok(()),
        made => made,
    }
}

/// `error`, saying which file or folder it is about.
fn naming(path: &Path, error: io::Error) -> io::Error {
    io::Error::new(error.kind(), format!("{}: {error}", path.display()))
}

/// Removes the folder `dir` and everything in it, its entries in parallel:
/// a staging folder emptied by a full rebuild of 10,000 playbooks is 10,000
/// folders. Symbolic links are removed, never followed.
fn remove_tree(dir: &Path) -> io::Result<()> {
    use rayon::prelude::*;
    let entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .and_then(|d| d.map(|e| e.map(|e| e.path())).collect::<io::Result<_>>())
        .map_err(|e| naming(dir, e))?;
    entries.par_iter().try_for_each(|path| {
        let removed = match std::fs::symlink_metadata(path) {
            Ok(m) if m.is_dir() => std::fs::remove_dir_all(path),
            Ok(_) => std::fs::remove_file(path),
            Err(e) => Err(e),
        };
        removed.map_err(|e| naming(path, e))
    })?;
    std::fs::remove_dir(dir).map_err(|e| naming(dir, e))
}

/// The project's `static/` folder as site files, for serving from memory.
/// Symbolic links are not followed, as when building.
pub fn read_static(dir: &Path) -> io::Result<Vec<OutputFile>> {
    let mut files = Vec::new();
    if !dir.is_dir() {
        return Ok(files);
    }
    for entry in WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(io::Error::other)?;
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(dir) else { continue };
        let path = rel.to_string_lossy().replace('\\', "/");
        files.push(OutputFile { path, bytes: Arc::new(std::fs::read(entry.path())?) });
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_site(out: &Path, files: &[OutputFile], static_dir: Option<&Path>) -> io::Result<WriteReport> {
        let staging = Staging::new(out)?;
        files.iter().for_each(|f| staging.put(f.clone()));
        let statics = static_dir.map(StaticFiles::find).unwrap_or_default();
        let emitted: Vec<Emitted> = files.iter().map(|f| statics.emitted(f)).collect();
        staging.finish(&emitted, static_dir).map_err(|not| not.error)
    }

    /// Files with these paths and texts.
    fn site(files: &[(&str, &str)]) -> Vec<OutputFile> {
        files.iter().map(|(p, b)| OutputFile::new(p, *b)).collect()
    }

    /// [`write_site`], telling whether a failure left the output partly updated.
    #[cfg(unix)]
    fn write_site_as_built(out: &Path, files: &[OutputFile]) -> Result<WriteReport, NotWritten> {
        let staging = Staging::new(out).map_err(|error| NotWritten { error, partly_updated: false })?;
        files.iter().for_each(|f| staging.put(f.clone()));
        let emitted: Vec<Emitted> = files.iter().map(|f| StaticFiles::default().emitted(f)).collect();
        staging.finish(&emitted, None)
    }

    #[test]
    fn a_file_holds_exactly_its_bytes_across_blocks() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("index.js");
        let holds = |path: &Path, bytes: &[u8]| std::fs::File::open(path).is_ok_and(|file| same_bytes(file, bytes));
        // Three and a half blocks, so the comparison crosses block edges.
        let bytes: Vec<u8> = (0..56 * 1024).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        assert!(holds(&path, &bytes));
        let mut last = bytes.clone();
        *last.last_mut().unwrap() ^= 1;
        assert!(!holds(&path, &last), "a change in the last block");
        assert!(!holds(&path, &bytes[..bytes.len() - 1]), "the file is longer");
        assert!(!holds(&path, &[&bytes[..], b"x"].concat()), "the file is shorter");
        assert!(!holds(&tmp.path().join("missing"), b""));
    }

    /// A folder beside the output folder, with `keep.txt`, which no build may touch.
    #[cfg(unix)]
    fn outside_folder(tmp: &Path) -> PathBuf {
        let outside = tmp.join("outside");
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("keep.txt"), "keep").unwrap();
        outside
    }

    #[cfg(unix)]
    #[test]
    fn unchanged_files_stay_in_place_not_written() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let first = [OutputFile::new("a/index.html", "same"), OutputFile::new("b.txt", "old")];
        assert_eq!(write_site(&out, &first, None).unwrap().unchanged, 0);
        let inode = |rel: &str| {
            use std::os::unix::fs::MetadataExt;
            std::fs::metadata(out.join(rel)).unwrap().ino()
        };
        let (a, b) = (inode("a/index.html"), inode("b.txt"));
        let second = [OutputFile::new("a/index.html", "same"), OutputFile::new("b.txt", "new")];
        let report = write_site(&out, &second, None).unwrap();
        assert_eq!((report.files, report.unchanged), (2, 1));
        assert_eq!(inode("a/index.html"), a, "the unchanged file is the same file");
        assert_ne!(inode("b.txt"), b);
        assert_eq!(std::fs::read_to_string(out.join("b.txt")).unwrap(), "new");
        let beside = names_in(tmp.path());
        assert_eq!(beside, ["public"], "no staging folder left behind");
    }

    #[test]
    fn a_rebuild_rewrites_what_changed_and_removes_what_went() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let first = site(&[("index.html", "home"), ("a/index.html", "a"), ("old/x.css", "x")]);
        write_site(&out, &first, None).unwrap();
        let a_time = std::fs::metadata(out.join("a/index.html")).unwrap().modified().unwrap();

        std::thread::sleep(std::time::Duration::from_millis(20));
        let second = site(&[("index.html", "home, edited"), ("a/index.html", "a"), ("b.txt", "new")]);
        let r = write_site(&out, &second, None).unwrap();
        assert_eq!((r.files, r.unchanged), (3, 1));
        assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "home, edited");
        assert_eq!(std::fs::read_to_string(out.join("b.txt")).unwrap(), "new");
        assert!(!out.join("old").exists(), "the emptied folder goes too");
        let a_after = std::fs::metadata(out.join("a/index.html")).unwrap().modified().unwrap();
        assert_eq!(a_time, a_after, "an unchanged file is not rewritten");

        // A file that becomes a folder and a folder that becomes a file.
        let third = site(&[("index.html/x", "now a folder"), ("a", "now a file")]);
        let r = write_site(&out, &third, None).unwrap();
        assert_eq!((r.files, r.unchanged), (2, 0));
        assert_eq!(std::fs::read_to_string(out.join("a")).unwrap(), "now a file");
        assert_eq!(std::fs::read_to_string(out.join("index.html/x")).unwrap(), "now a folder");
        let names: Vec<_> = walkdir::WalkDir::new(&out)
            .min_depth(1)
            .sort_by_file_name()
            .into_iter()
            .map(|e| e.unwrap().path().strip_prefix(&out).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a", "index.html", "index.html/x"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_rebuild_replaces_links_in_the_output_and_never_writes_through_them() {
        use std::os::unix::fs::symlink;
        let tmp = tempfile::tempdir().unwrap();
        let outside = outside_folder(tmp.path());
        // What the new site has at `page/index.html`, reached through a link.
        std::fs::write(outside.join("index.html"), "page").unwrap();
        let out = tmp.path().join("public");
        write_site(&out, &[OutputFile::new("index.html", "home")], None).unwrap();
        symlink(outside.join("keep.txt"), out.join("link.txt")).unwrap();
        symlink(outside.join("keep.txt"), out.join("stray.txt")).unwrap();
        symlink(&outside, out.join("page")).unwrap();

        let site = [
            OutputFile::new("index.html", "home"),
            OutputFile::new("link.txt", "site"),
            OutputFile::new("page/index.html", "page"),
        ];
        let r = write_site(&out, &site, None).unwrap();
        assert_eq!((r.files, r.unchanged), (3, 1), "only the real file is unchanged");
        for rel in ["link.txt", "page"] {
            assert!(!out.join(rel).symlink_metadata().unwrap().file_type().is_symlink(), "{rel} is the site's own");
        }
        assert_eq!(std::fs::read_to_string(out.join("link.txt")).unwrap(), "site");
        assert_eq!(std::fs::read_to_string(out.join("page/index.html")).unwrap(), "page");
        assert!(out.join("stray.txt").symlink_metadata().is_err(), "a link the site has not is removed");
        assert_eq!(std::fs::read_to_string(outside.join("keep.txt")).unwrap(), "keep");
        assert_eq!(std::fs::read_to_string(outside.join("index.html")).unwrap(), "page");

        // Paths that leave the output folder fail the build, and write nothing.
        let err = write_site(&out, &[OutputFile::new("../escape.txt", "x")], None).unwrap_err();
        assert!(err.to_string().contains("outside the output folder"), "{err}");
        assert!(!tmp.path().join("escape.txt").exists());
        assert_eq!(std::fs::read_to_string(out.join("page/index.html")).unwrap(), "page", "the site is as it was");
    }

    #[cfg(unix)]
    #[test]
    fn an_output_folder_that_is_a_link_is_replaced_not_written_through() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = outside_folder(tmp.path());
        let out = tmp.path().join("public");
        std::os::unix::fs::symlink(&outside, &out).unwrap();
        // A folder an earlier run with the same process id left behind.
        let earlier = beside(&out, "old");
        std::fs::create_dir_all(&earlier).unwrap();
        std::fs::write(earlier.join("x"), "earlier").unwrap();
        write_site(&out, &[OutputFile::new("index.html", "home")], None).unwrap();
        assert_eq!(std::fs::read_to_string(earlier.join("x")).unwrap(), "earlier", "not this run's");
        assert!(out.symlink_metadata().unwrap().is_dir(), "a folder of its own");
        assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "home");
        assert_eq!(std::fs::read_to_string(outside.join("keep.txt")).unwrap(), "keep");
        assert!(!outside.join("index.html").exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_trailing_slash_does_not_turn_a_linked_output_folder_into_its_target() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = outside_folder(tmp.path());
        std::os::unix::fs::symlink(&outside, tmp.path().join("public")).unwrap();
        for out in ["public/", "public/."] {
            write_site(&tmp.path().join(out), &[OutputFile::new("index.html", "home")], None).unwrap();
            assert!(tmp.path().join("public").symlink_metadata().unwrap().is_dir(), "{out}");
            assert_eq!(std::fs::read_to_string(outside.join("keep.txt")).unwrap(), "keep", "{out}");
            assert!(!outside.join("index.html").exists(), "{out}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_rebuild_that_cannot_move_a_file_in_loses_no_page_and_says_which_file() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let before = site(&[("a.txt", "a"), ("b.txt", "b"), ("c/index.html", "c")]);
        write_site(&out, &before, None).unwrap();
        // An immutable file cannot be replaced, even by root.
        let locked = out.join("b.txt");
        if !made_immutable(&locked) {
            return;
        }
        let after = site(&[("a.txt", "a2"), ("b.txt", "b2"), ("d.txt", "d")]);
        let failed = write_site_as_built(&out, &after);
        chattr("-i", &locked);
        let not = failed.unwrap_err();
        assert!(not.partly_updated);
        assert!(not.error.to_string().contains("b.txt"), "{}", not.error);
        let read = |rel: &str| std::fs::read_to_string(out.join(rel)).unwrap();
        assert!(["a", "a2"].contains(&read("a.txt").as_str()), "each file whole, old or new");
        assert_eq!(read("b.txt"), "b");
        assert_eq!(read("c/index.html"), "c", "a page of the previous site is not removed before the new one is in");

        // The next build finishes it.
        write_site(&out, &after, None).unwrap();
        assert_eq!((read("a.txt"), read("b.txt"), read("d.txt")), ("a2".into(), "b2".into(), "d".into()));
        assert!(!out.join("c").exists());
    }

    /// Makes `path` immutable (`chattr +i`: not even root may replace it),
    /// or says the test is skipped where that is not available.
    #[cfg(unix)]
    fn made_immutable(path: &Path) -> bool {
        let done = chattr("+i", path);
        if !done {
            eprintln!("chattr +i is not available here; skipped");
        }
        done
    }

    /// The names in `dir`.
    fn names_in(dir: &Path) -> Vec<std::ffi::OsString> {
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name()).collect()
    }

    /// `chattr` on `path`, or `false` where the file system or system has none.
    #[cfg(unix)]
    fn chattr(flag: &str, path: &Path) -> bool {
        std::process::Command::new("chattr").arg(flag).arg(path).status().is_ok_and(|s| s.success())
    }

    #[cfg(unix)]
    #[test]
    fn what_stands_in_the_way_is_moved_aside_and_put_back_if_the_new_file_cannot_go_in() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        write_site(&out, &site(&[("y/a.txt", "a"), ("keep.txt", "k")]), None).unwrap();
        // `y` becomes a file, which then cannot be moved in.
        let staging = Staging::new(&out).unwrap();
        for f in site(&[("y", "now a file"), ("keep.txt", "k")]) {
            staging.put(f);
        }
        let staged = staging.dir.clone();
        if !made_immutable(&staged.join("y")) {
            return;
        }
        let emitted: Vec<Emitted> =
            site(&[("y", "now a file"), ("keep.txt", "k")]).iter().map(|f| StaticFiles::default().emitted(f)).collect();
        let result = staging.finish(&emitted, None);
        chattr("-i", &staged.join("y"));
        let _ = std::fs::remove_dir_all(&staged);
        let not = result.unwrap_err();
        assert!(not.partly_updated);
        assert_eq!(std::fs::read_to_string(out.join("y/a.txt")).unwrap(), "a", "the folder is back");
        let beside = names_in(tmp.path());
        assert_eq!(beside, ["public"], "no trash left behind");
    }

    #[cfg(unix)]
    #[test]
    fn what_took_the_place_of_a_moved_folder_gives_it_back_when_a_later_file_fails() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        write_site(&out, &site(&[("x/a.txt", "a"), ("z.txt", "z")]), None).unwrap();
        if !made_immutable(&out.join("z.txt")) {
            return;
        }
        // A trash folder of an earlier run with the same process id.
        let earlier = beside(&out, "trash");
        std::fs::create_dir_all(earlier.join("0")).unwrap();
        std::fs::write(earlier.join("0/a.txt"), "earlier").unwrap();
        // One thread: files go in in order, so `x` is in when `z.txt` fails.
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let failed = one.install(|| write_site_as_built(&out, &site(&[("x", "now a file"), ("z.txt", "z2")])));
        chattr("-i", &out.join("z.txt"));
        assert!(failed.unwrap_err().partly_updated);
        assert_eq!(std::fs::read_to_string(out.join("x/a.txt")).unwrap(), "a", "the folder is back");
        assert_eq!(std::fs::read_to_string(earlier.join("0/a.txt")).unwrap(), "earlier", "not this run's");

        write_site(&out, &site(&[("x", "now a file"), ("z.txt", "z2")]), None).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("x")).unwrap(), "now a file");
        assert_eq!(std::fs::read_to_string(earlier.join("0/a.txt")).unwrap(), "earlier", "still not this run's");
        let mut beside: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().path()).collect();
        beside.sort();
        assert_eq!(beside, [earlier, out], "this run's trash is gone");
    }

    #[cfg(unix)]
    #[test]
    fn an_output_path_through_a_link_and_up_is_the_folder_it_names() {
        // `dist/sub/..` is `dist` as `check_out_dir` reads it; the system
        // would go through the link `sub` and up from where it points.
        let tmp = tempfile::tempdir().unwrap();
        let outside = outside_folder(tmp.path());
        std::fs::create_dir_all(outside.join("inner")).unwrap();
        std::fs::create_dir_all(tmp.path().join("dist")).unwrap();
        std::os::unix::fs::symlink(outside.join("inner"), tmp.path().join("dist/sub")).unwrap();
        let out = tmp.path().join("dist/sub/..");
        write_site(&out, &[OutputFile::new("index.html", "home")], None).unwrap();
        write_site(&out, &[OutputFile::new("index.html", "home, again")], None).unwrap();
        assert_eq!(std::fs::read_to_string(tmp.path().join("dist/index.html")).unwrap(), "home, again");
        assert_eq!(std::fs::read_to_string(outside.join("keep.txt")).unwrap(), "keep");
        assert!(outside.join("inner").is_dir() && !outside.join("index.html").exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_folder_that_becomes_a_file_goes_whole_and_what_cannot_be_removed_is_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        write_site(&out, &site(&[("x/1.txt", "1"), ("x/2.txt", "2")]), None).unwrap();
        if !made_immutable(&out.join("x/2.txt")) {
            return;
        }
        let result = write_site(&out, &site(&[("x", "now a file")]), None);
        let trash: Vec<PathBuf> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap().to_string_lossy().contains("trash"))
            .collect();
        for t in &trash {
            chattr("-i", &t.join("0/2.txt"));
            std::fs::remove_dir_all(t).unwrap();
        }
        let report = result.unwrap();
        assert_eq!(std::fs::read_to_string(out.join("x")).unwrap(), "now a file");
        let left = report.left_behind.expect("the trash could not be removed");
        assert!(left.contains("trash"), "{left}");
        assert_eq!(trash.len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn where_case_is_ignored_the_site_is_staged_whole_with_unchanged_files_linked() {
        use std::os::unix::fs::MetadataExt;
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        write_site(&out, &site(&[("logo.png", "png"), ("a/index.html", "a"), ("gone.txt", "g")]), None).unwrap();
        let inode = |rel: &str| std::fs::metadata(out.join(rel)).unwrap().ino();
        let (logo, folder) = (inode("logo.png"), inode("a"));
        // As `Staging::new` does on such a file system.
        let staging = Staging::with(out.clone(), beside(&out, "partial"), Previous::Replace);
        std::fs::create_dir_all(&staging.dir).unwrap();
        let files = site(&[("logo.png", "png"), ("a/index.html", "a, edited")]);
        files.iter().for_each(|f| staging.put(f.clone()));
        let emitted: Vec<Emitted> = files.iter().map(|f| StaticFiles::default().emitted(f)).collect();
        let report = staging.finish(&emitted, None).unwrap();
        assert_eq!((report.files, report.unchanged), (2, 1));
        assert_eq!(inode("logo.png"), logo, "linked from the previous output, under the site's own name");
        assert_ne!(inode("a"), folder, "the site was swapped in whole");
        assert_eq!(std::fs::read_to_string(out.join("a/index.html")).unwrap(), "a, edited");
        assert!(!out.join("gone.txt").exists());
        let beside = names_in(tmp.path());
        assert_eq!(beside, ["public"]);
        assert!(!ignores_case(&out), "this file system minds case");
        std::fs::write(out.join("LOGO.PNG"), "another file").unwrap();
        assert!(!ignores_case(&out), "names listed both ways are two files");
    }

    #[cfg(unix)]
    #[test]
    fn removing_a_tree_removes_links_in_it_but_not_what_they_point_to() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = outside_folder(tmp.path());
        let tree = tmp.path().join("old");
        std::fs::create_dir_all(tree.join("a/b")).unwrap();
        std::fs::write(tree.join("a/b/index.html"), "x").unwrap();
        std::fs::write(tree.join("top.txt"), "x").unwrap();
        std::os::unix::fs::symlink(&outside, tree.join("link")).unwrap();
        std::os::unix::fs::symlink(&outside, tree.join("a/link")).unwrap();
        remove_tree(&tree).unwrap();
        assert!(!tree.exists());
        assert_eq!(std::fs::read_to_string(outside.join("keep.txt")).unwrap(), "keep");
    }

    #[test]
    fn static_files_never_replace_generated_ones() {
        // `static/x/index.html` used to overwrite the page `x/` without a word,
        // and a file `static/x` failed the write with "Is a directory".
        let tmp = tempfile::tempdir().unwrap();
        let static_dir = tmp.path().join("static");
        for (rel, bytes) in [
            ("index.html", "MINE"),
            ("x", "a file"),
            (".nojekyll", ""),
            ("robots.txt", "ok"),
            ("sitemap.xml/inner.txt", "under a generated file"),
        ] {
            let path = static_dir.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
        let files = [
            OutputFile::new("index.html", "home"),
            OutputFile::new("x/index.html", "page x"),
            OutputFile::new(".nojekyll", ""),
            OutputFile::new("sitemap.xml", "<urlset/>"),
        ];
        let statics = StaticFiles::find(&static_dir);
        let emitted: Vec<Emitted> = files.iter().map(|f| statics.emitted(f)).collect();
        let found: Vec<_> = static_conflicts(&emitted, &static_dir)
            .iter()
            .map(|d| (crate::diagnostic::display_path(&d.file), d.message.clone()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "static/index.html".to_string(),
                    "would replace `index.html`, which playbook generates; the generated file would be lost"
                        .to_string()
                ),
                (
                    "static/sitemap.xml".to_string(),
                    "would replace `sitemap.xml`, which playbook generates; the generated file would be lost"
                        .to_string()
                ),
                (
                    "static/sitemap.xml/inner.txt".to_string(),
                    "needs the folder `sitemap.xml/`, where the site has the file `sitemap.xml`".to_string()
                ),
                ("static/x".to_string(), "is a file where the site needs the folder `x/`".to_string()),
            ]
        );

        // Writing refuses, and the previous site stays as it was.
        let out = tmp.path().join("public");
        write_site(&out, &[OutputFile::new("index.html", "old")], None).unwrap();
        let err = write_site(&out, &files, Some(&static_dir)).unwrap_err();
        assert!(err.to_string().starts_with("static/index.html: would replace `index.html`"), "{err}");
        assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "old");
        let beside = names_in(tmp.path());
        assert_eq!(beside.len(), 2, "staging left behind: {beside:?}");
    }

    #[test]
    fn paths_that_leave_the_output_are_refused() {
        assert!(inside("a/index.html").is_some());
        assert!(inside("../x").is_none());
        assert!(inside("/etc/passwd").is_none());
        assert!(inside("a/../../x").is_none());
        assert!(inside("a\0b").is_none());
    }

    #[test]
    fn a_folder_is_the_sites_when_a_build_wrote_it() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        assert_eq!(foreign_entries(&out), None, "no folder yet");
        std::fs::create_dir_all(out.join(".git")).unwrap();
        std::fs::write(out.join(".DS_Store"), "").unwrap();
        assert_eq!(foreign_entries(&out), None, "only a .git and what Finder leaves");
        for name in ["e.txt", "d.txt", "c", "b.txt", "a.txt"] {
            std::fs::write(out.join(name), "x").unwrap();
        }
        assert_eq!(
            foreign_entries(&out).as_deref(),
            Some("holds files that playbook did not write (`a.txt`, `b.txt`, `c` and 2 more)")
        );
        std::fs::create_dir(out.join(MARKER)).unwrap();
        assert!(foreign_entries(&out).is_some(), "a folder named like the marker is not the marker");
        std::fs::remove_dir(out.join(MARKER)).unwrap();
        std::fs::write(out.join(MARKER), MARKER_TEXT).unwrap();
        assert_eq!(foreign_entries(&out), None, "the marker");
        std::fs::remove_file(out.join(MARKER)).unwrap();
        std::fs::create_dir(out.join("assets")).unwrap();
        std::fs::write(out.join("assets/nav.js"), "").unwrap();
        std::fs::write(out.join(".nojekyll"), "").unwrap();
        assert_eq!(foreign_entries(&out), None, "a site built before the marker");
        #[cfg(unix)]
        {
            let link = tmp.path().join("link");
            std::fs::remove_file(out.join(".nojekyll")).unwrap();
            std::os::unix::fs::symlink(&out, &link).unwrap();
            assert!(foreign_entries(&out).is_some());
            assert_eq!(foreign_entries(&link), None, "a link is replaced, never written through");
        }
    }

    #[test]
    fn the_project_and_its_playbooks_are_never_an_output_folder() {
        let root = Path::new("/tmp/proj");
        assert!(check_out_dir(root, root, true).is_err());
        assert!(check_out_dir(root, Path::new("/tmp"), true).is_err());
        assert!(check_out_dir(root, Path::new("/tmp/proj/public"), false).is_ok());
        assert!(check_out_dir(root, Path::new("/elsewhere/site"), false).is_err());
        assert!(check_out_dir(root, Path::new("/elsewhere/site"), true).is_ok());
        for theme in [
            "/tmp/proj/templates",
            "/tmp/proj/static",
            "/tmp/proj/static/site",
            "/tmp/proj/playbooks/ops",
            "/tmp/proj/playbook.toml",
        ] {
            let refused = check_out_dir(root, Path::new(theme), true).unwrap_err();
            assert!(
                refused.message.contains("playbooks/, templates/, static/, .git/ or playbook.toml"),
                "{theme}: {}",
                refused.message
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_project_reached_through_a_link_is_still_never_an_output_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().join("project");
        std::fs::create_dir_all(real.join("playbooks")).unwrap();
        let alias = tmp.path().join("alias");
        std::os::unix::fs::symlink(&real, &alias).unwrap();
        let refused = check_out_dir(&alias, &real, true).unwrap_err();
        assert!(refused.message.contains("the project folder itself"), "{}", refused.message);
        assert!(check_out_dir(&real, &alias, true).is_err());
        assert!(check_out_dir(&alias, &tmp.path().join("alias/../project/playbooks/x"), true).is_err());
        assert!(check_out_dir(&alias, &alias.join("public"), false).is_ok());

        // The project's own folders through links, a file, and the history.
        let shared = tmp.path().join("shared");
        std::fs::create_dir_all(shared.join("pb")).unwrap();
        let linked = tmp.path().join("linked");
        std::fs::create_dir_all(&linked).unwrap();
        std::os::unix::fs::symlink(shared.join("pb"), linked.join("playbooks")).unwrap();
        std::fs::create_dir_all(linked.join(".git")).unwrap();
        std::fs::write(linked.join("NOTES.md"), "notes").unwrap();
        std::os::unix::fs::symlink(tmp.path().join("elsewhere"), linked.join("deploy")).unwrap();
        std::fs::create_dir_all(tmp.path().join("elsewhere")).unwrap();
        std::fs::create_dir_all(linked.join("vendor/theme/templates")).unwrap();
        std::os::unix::fs::symlink(linked.join("vendor/theme/templates"), linked.join("templates")).unwrap();
        // A link at the output folder itself is replaced, not followed.
        std::os::unix::fs::symlink(tmp.path().join("elsewhere"), linked.join("public")).unwrap();
        assert!(check_out_dir(&linked, &linked.join("public"), false).is_ok());
        for (out, what) in [
            (linked.join("vendor/theme"), "contains the project's templates/"),
            (shared.clone(), "contains the playbooks"),
            (shared.join("pb"), "contains the playbooks"),
            (shared.join("pb/ops"), "or inside one"),
            (linked.join(".git"), "or inside one"),
            (linked.join("NOTES.md"), "is a file"),
            (linked.join("deploy/site"), "outside the project"),
        ] {
            let refused = check_out_dir(&linked, &out, !what.contains("outside"))
                .err()
                .unwrap_or_else(|| panic!("{} was let through", out.display()));
            assert!(refused.message.contains(what), "{}: {}", out.display(), refused.message);
        }
    }

    #[test]
    fn the_output_folders_own_repository_is_kept() {
        // `git worktree add public gh-pages` puts a `.git` file there; a
        // clone, a `.git` folder.
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        write_site(&out, &site(&[("index.html", "home")]), None).unwrap();
        std::fs::write(out.join(".git"), "gitdir: /somewhere/.git/worktrees/public").unwrap();
        write_site(&out, &site(&[("index.html", "home, edited")]), None).unwrap();
        assert!(std::fs::read_to_string(out.join(".git")).unwrap().starts_with("gitdir:"));
        std::fs::remove_file(out.join(".git")).unwrap();
        std::fs::create_dir_all(out.join(".git/objects/ab")).unwrap();
        std::fs::write(out.join(".git/HEAD"), "ref: refs/heads/gh-pages\n").unwrap();
        std::fs::write(out.join(".git/objects/ab/cd"), "blob").unwrap();
        write_site(&out, &site(&[("index.html", "home, edited again")]), None).unwrap();
        assert_eq!(std::fs::read_to_string(out.join(".git/HEAD")).unwrap(), "ref: refs/heads/gh-pages\n");
        assert_eq!(std::fs::read_to_string(out.join(".git/objects/ab/cd")).unwrap(), "blob", "a clone's objects stay");
        // Where case is ignored, the site is swapped in whole: the
        // repository goes over with it.
        let staging = Staging::with(out.clone(), beside(&out, "partial"), Previous::Replace);
        std::fs::create_dir_all(&staging.dir).unwrap();
        let files = site(&[("index.html", "home, again")]);
        files.iter().for_each(|f| staging.put(f.clone()));
        let emitted: Vec<Emitted> = files.iter().map(|f| StaticFiles::default().emitted(f)).collect();
        staging.finish(&emitted, None).unwrap();
        assert!(out.join(".git/objects").is_dir());
        assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "home, again");
    }

    #[cfg(unix)]
    #[test]
    fn static_files_stay_in_place_while_unchanged() {
        use std::os::unix::fs::MetadataExt;
        let tmp = tempfile::tempdir().unwrap();
        let static_dir = tmp.path().join("static");
        std::fs::create_dir_all(static_dir.join("img")).unwrap();
        std::fs::write(static_dir.join("img/logo.svg"), "<svg/>").unwrap();
        std::fs::write(static_dir.join("extra.css"), "a{}").unwrap();
        let out = tmp.path().join("public");
        let pages = site(&[("index.html", "home")]);
        write_site(&out, &pages, Some(&static_dir)).unwrap();
        let inode = |rel: &str| std::fs::metadata(out.join(rel)).unwrap().ino();
        let (logo, css) = (inode("img/logo.svg"), inode("extra.css"));
        std::fs::write(static_dir.join("extra.css"), "b{}").unwrap();
        let r = write_site(&out, &pages, Some(&static_dir)).unwrap();
        assert_eq!((r.files, r.unchanged), (3, 2));
        assert_eq!(inode("img/logo.svg"), logo, "an unchanged static file is left alone");
        assert_ne!(inode("extra.css"), css);
        assert_eq!(std::fs::read_to_string(out.join("extra.css")).unwrap(), "b{}");
        std::fs::remove_file(static_dir.join("extra.css")).unwrap();
        write_site(&out, &pages, Some(&static_dir)).unwrap();
        assert!(!out.join("extra.css").exists(), "a static file that went is removed");
    }
}
