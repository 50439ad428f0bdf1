//! What one build can reuse from the previous one, for `serve`: parsed
//! playbooks keyed by their text, each page's resolved links keyed by its
//! text and everything links can point to, rendered bodies keyed by their
//! text and resolved links, and rendered pages keyed by their template
//! context. An edit to one playbook then re-parses, re-links and re-renders
//! only what it changes.
//!
//! Keys are 64-bit hashes of the inputs; rendered bodies and pages are
//! dropped when the theme or the configuration changes, and entries for
//! files that are gone after the build that no longer finds them.

use foldhash::{HashMap, HashMapExt, HashSet};
use std::any::{Any, TypeId};
use std::convert::Infallible;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use std::time::SystemTime;

use crate::diagnostic::Diagnostic;
use crate::load::SourceFile;
use crate::model::Playbook;

/// One kind of cached result: per name (a path), the key it was made from
/// and the value. Keys are compared whole; a different key replaces the entry.
struct Slots<N, K, V>(Mutex<HashMap<N, (K, V)>>);

impl<N, K, V> Default for Slots<N, K, V> {
    fn default() -> Self {
        Slots(Mutex::new(HashMap::new()))
    }
}

impl<N: Hash + Eq, K: PartialEq, V: Clone> Slots<N, K, V> {
    /// The value stored under `name` for `key`, or `make`'s, stored.
    fn get_or<E>(&self, name: N, key: K, make: impl FnOnce() -> Result<V, E>) -> Result<V, E> {
        if let Some((_, v)) = lock(&self.0).get(&name).filter(|(k, _)| *k == key) {
            return Ok(v.clone());
        }
        let value = make()?;
        lock(&self.0).insert(name, (key, value.clone()));
        Ok(value)
    }
}

/// Results of any type, each under a name and its type, so that a stored
/// value always downcasts to the type asked for.
type AnySlots<N> = Slots<(N, TypeId), u64, Arc<dyn Any + Send + Sync>>;

impl<N: Hash + Eq> AnySlots<N> {
    fn get_typed<T: Send + Sync + 'static>(&self, name: N, key: u64) -> Option<Arc<T>> {
        let hit = lock(&self.0).get(&(name, TypeId::of::<T>())).filter(|(k, _)| *k == key).map(|(_, v)| v.clone());
        hit.and_then(|v| v.downcast().ok())
    }

    fn put_typed<T: Send + Sync + 'static>(&self, name: N, key: u64, value: Arc<T>) {
        lock(&self.0).insert((name, TypeId::of::<T>()), (key, value));
    }
}

/// When a source file was last seen changed (size and modification time),
/// and when it was read.
type Stamp = ((SystemTime, u64), SystemTime);

#[derive(Default)]
pub struct Cache {
    /// A one-shot build keeps nothing: storing every page it renders would
    /// only double its memory.
    enabled: bool,
    sources: Slots<PathBuf, Stamp, Arc<SourceRead>>,
    /// Keyed by the hash of the text. Shared, so that a hit is copied
    /// outside the lock, on the thread that asked.
    parsed: Slots<PathBuf, u64, Arc<Result<Playbook, Diagnostic>>>,
    /// Keyed by the hash of body and resolved links.
    bodies: Slots<PathBuf, u64, Arc<String>>,
    /// Output path -> bytes, keyed by the hash of the page's context.
    pages: Slots<String, u64, crate::output::Bytes>,
    /// A playbook's part of the search index, keyed by its text, URL and
    /// track: an edit writes the index again from them.
    search_entries: Slots<PathBuf, u64, Arc<crate::search::Entry>>,
    /// Other whole-handbook results, by name.
    memos: AnySlots<&'static str>,
    /// Other results per source file (such as its resolved links).
    per_file: AnySlots<PathBuf>,
    /// Hash of the theme and configuration the cached output was made with.
    epoch: Mutex<u64>,
}

/// A rendered HTML fragment and the hash of what it was rendered from.
///
/// Page contexts carry bodies of several kilobytes (megabytes, for the print
/// page). A context's cache key hashes each fragment as the hash it was made
/// from instead of its text, which is what makes checking an unchanged page
/// cheap.
#[derive(Debug, Clone)]
pub struct Html {
    pub key: u64,
    /// A `String`, not a `str`: making an `Arc<str>` copies the text, and
    /// every page's body passes through here.
    pub html: Arc<String>,
}

impl serde::Serialize for Html {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.html)
    }
}

/// A fragment enters a cache key as the hash it was made from, not as its text.
impl Hash for Html {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.key.hash(h);
    }
}

pub fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = KeyHasher::default();
    value.hash(&mut h);
    h.finish()
}

/// Eight hex digits that change with `value`, for a file's address
/// (`?v=`): the hash's top half, as its low bits come from a multiply that
/// never sees the top of the last eight bytes hashed.
pub fn version_of<T: Hash + ?Sized>(value: &T) -> String {
    format!("{:08x}", hash_of(value) >> 32)
}

/// The Fx hash (rustc's), eight bytes a step: keys cover megabytes of page
/// text per rebuild, where SipHash's resistance to crafted collisions buys
/// nothing and costs a few milliseconds.
#[derive(Default)]
struct KeyHasher(u64);

impl KeyHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]));
        }
        let mut tail = [0u8; 8];
        let rest = chunks.remainder();
        tail[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(tail) ^ (rest.len() as u64) << 56);
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A poisoned lock only means another thread panicked while holding it; what
/// the build's mutexes guard (caches, lists of files) stays usable.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A source file read and decoded, with its warnings (mojibake repaired).
type SourceRead = (Option<SourceFile>, Vec<Diagnostic>);

impl Cache {
    /// A cache that remembers, for builders that build again.
    pub fn enabled() -> Self {
        Cache { enabled: true, ..Cache::default() }
    }

    /// Whether this cache keeps results for the next build (`serve`'s does).
    pub fn remembers(&self) -> bool {
        self.enabled
    }

    /// Forgets what was kept for files this build no longer has: sources
    /// deleted or renamed, pages no longer made. A `serve` session then
    /// holds what the current handbook needs, however often files move.
    /// `found` are the source files as found, under `root`; the model names
    /// them relative to it.
    pub fn forget_all_but(&self, root: &Path, found: &[PathBuf], emitted: &[crate::output::Emitted]) {
        if !self.enabled {
            return;
        }
        // Each file found is kept in `sources` (unless the system cannot say
        // when it changed): more entries there than files found means some
        // file is gone. Most rebuilds skip the sets of 10,000 paths.
        if lock(&self.sources.0).len() > found.len() {
            let found_set: HashSet<&Path> = found.iter().map(PathBuf::as_path).collect();
            let sources: HashSet<&Path> = found.iter().map(|p| p.strip_prefix(root).unwrap_or(p)).collect();
            lock(&self.sources.0).retain(|p, _| found_set.contains(p.as_path()));
            lock(&self.parsed.0).retain(|p, _| sources.contains(p.as_path()));
            lock(&self.bodies.0).retain(|p, _| sources.contains(p.as_path()));
            lock(&self.search_entries.0).retain(|p, _| sources.contains(p.as_path()));
            lock(&self.per_file.0).retain(|(p, _), _| sources.contains(p.as_path()));
        }
        // Pages are fewer than the files emitted (assets are not kept here),
        // so at most that many pages no longer made wait for a later pass.
        if lock(&self.pages.0).len() > emitted.len() {
            let pages: HashSet<&str> = emitted.iter().map(|e| e.path.as_str()).collect();
            lock(&self.pages.0).retain(|p, _| pages.contains(p.as_str()));
        }
    }

    /// Forgets rendered output made with another theme or configuration.
    pub fn start_epoch(&self, epoch: u64) {
        let mut current = lock(&self.epoch);
        if *current != epoch {
            lock(&self.bodies.0).clear();
            lock(&self.pages.0).clear();
            *current = epoch;
        }
    }

    /// A file as read last time, while its modification time and size are
    /// the same. File times tick coarsely (a few milliseconds), so a read
    /// made within a second of the file's modification is not trusted: a
    /// second save of the same length in the same tick would look unchanged.
    ///
    /// `changed` asks the file system only when the cache is on: a one-shot
    /// build has no earlier read to compare with, and skips a call per file.
    pub fn source(
        &self,
        path: &Path,
        changed: impl FnOnce() -> Option<(SystemTime, u64)>,
        read: impl FnOnce() -> SourceRead,
    ) -> Arc<SourceRead> {
        if !self.enabled {
            return Arc::new(read());
        }
        let Some(changed) = changed() else {
            return Arc::new(read());
        };
        let settled = |(changed, read_at): &Stamp| read_at.duration_since(changed.0).is_ok_and(|d| d.as_secs() >= 1);
        // Reading now: a later save gets a later modification time.
        let stamp = (changed, SystemTime::now());
        let same_file = |s: &Stamp| s.0 == changed;
        let hit = lock(&self.sources.0).get(path).filter(|(s, _)| same_file(s) && settled(s)).map(|(_, v)| v.clone());
        hit.unwrap_or_else(|| {
            let result = Arc::new(read());
            lock(&self.sources.0).insert(path.to_path_buf(), (stamp, result.clone()));
            result
        })
    }

    /// Parsing, reused while the file's text hashes the same
    /// (`SourceFile::hash`, which the parser keeps as `Playbook::text_hash`).
    pub fn parsed(
        &self,
        path: &Path,
        text_hash: u64,
        parse: impl FnOnce() -> Result<Playbook, Diagnostic>,
    ) -> Result<Playbook, Diagnostic> {
        if !self.enabled {
            return parse();
        }
        let parsed = self.parsed.get_or(path.to_path_buf(), text_hash, || Ok::<_, Infallible>(Arc::new(parse())));
        Result::clone(&parsed.unwrap_or_else(|never| match never {}))
    }

    /// Keys are computed only by a cache that remembers; a one-shot build
    /// skips hashing entirely.
    pub fn body(&self, path: &Path, key: impl FnOnce() -> u64, render: impl FnOnce() -> String) -> Html {
        if !self.enabled {
            return Html { key: 0, html: Arc::new(render()) };
        }
        let key = key();
        let html = self.bodies.get_or(path.to_path_buf(), key, || Ok::<_, Infallible>(Arc::new(render())));
        Html { key, html: html.unwrap_or_else(|never| match never {}) }
    }

    /// A whole-handbook result (such as related playbooks) reused while its
    /// inputs hash the same.
    pub fn memo<T: Clone + Send + Sync + 'static>(
        &self,
        name: &'static str,
        key: impl FnOnce() -> u64,
        compute: impl FnOnce() -> T,
    ) -> T {
        if !self.enabled {
            return compute();
        }
        let key = key();
        if let Some(hit) = self.memos.get_typed::<T>(name, key) {
            return T::clone(&hit);
        }
        let value = compute();
        self.memos.put_typed(name, key, Arc::new(value.clone()));
        value
    }

    /// A result about one source file (such as its resolved links) kept by
    /// the last build from inputs that hash to `key`.
    pub fn file_result<T: Send + Sync + 'static>(&self, path: &Path, key: u64) -> Option<Arc<T>> {
        self.enabled.then(|| self.per_file.get_typed(path.to_path_buf(), key)).flatten()
    }

    /// Keeps a result about one source file for the next build.
    pub fn keep_file_result<T: Send + Sync + 'static>(&self, path: &Path, key: u64, value: Arc<T>) {
        if self.enabled {
            self.per_file.put_typed(path.to_path_buf(), key, value);
        }
    }

    /// A playbook's part of the search index, reused while its inputs hash
    /// the same.
    pub fn search_entry(
        &self,
        path: &Path,
        key: impl FnOnce() -> u64,
        make: impl FnOnce() -> crate::search::Entry,
    ) -> Arc<crate::search::Entry> {
        if !self.enabled {
            return Arc::new(make());
        }
        let entry = self.search_entries.get_or(path.to_path_buf(), key(), || Ok::<_, Infallible>(Arc::new(make())));
        entry.unwrap_or_else(|never| match never {})
    }

    /// A page's bytes, reused while its template context hashes the same.
    pub fn page<E>(
        &self,
        out_path: &str,
        key: impl FnOnce() -> u64,
        render: impl FnOnce() -> Result<Vec<u8>, E>,
    ) -> Result<crate::output::Bytes, E> {
        if !self.enabled {
            return render().map(Arc::new);
        }
        self.pages.get_or(out_path.to_string(), key(), || render().map(Arc::new))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_changes_with_any_byte_even_the_last() {
        for len in 1..=24 {
            let text = "a".repeat(len);
            for at in 0..len {
                let mut other = text.clone().into_bytes();
                other[at] = b'b';
                assert_ne!(version_of(text.as_bytes()), version_of(other.as_slice()), "{len} bytes, byte {at}");
            }
        }
    }

    #[test]
    fn a_reused_playbook_shares_what_the_link_stage_never_changes() {
        let cache = Cache::enabled();
        let text = "# A\n\n## One\n\nText with [a link](b.md).\n".to_string();
        let src = SourceFile::new(PathBuf::from("playbooks/a.md"), "a".into(), text);
        let first = cache.parsed(&src.path, src.hash, || crate::parse::playbook(&src)).unwrap();
        let again = cache.parsed(&src.path, src.hash, || panic!("parsed twice")).unwrap();
        assert!(Arc::ptr_eq(&first.body, &again.body));
        assert!(Arc::ptr_eq(&first.headings, &again.headings) && Arc::ptr_eq(&first.links, &again.links));
        assert!(Arc::ptr_eq(&first.texts, &again.texts) && Arc::ptr_eq(&first.sections, &again.sections));
    }

    #[test]
    fn what_was_kept_for_files_that_are_gone_is_forgotten() {
        let cache = Cache::enabled();
        let root = Path::new("/project");
        let found = [root.join("playbooks/a.md"), root.join("playbooks/b.md")];
        for (path, page) in found.iter().zip(["a/index.html", "b/index.html"]) {
            let rel = path.strip_prefix(root).unwrap();
            cache.source(path, || Some((SystemTime::UNIX_EPOCH, 1)), || (None, Vec::new()));
            let _ = cache.parsed(rel, 1, || Err(Diagnostic::error(rel, crate::diagnostic::Position::START, "x")));
            cache.body(rel, || 1, String::new);
            cache.keep_file_result(rel, 1, Arc::new(1u8));
            cache.page(page, || 1, || Ok::<_, Infallible>(Vec::new())).unwrap();
        }
        let emitted = crate::output::Emitted { path: "a/index.html".into(), len: 0, hash: None };
        cache.forget_all_but(root, &found[..1], &[emitted]);
        let a = Path::new("playbooks/a.md");
        assert_eq!(lock(&cache.sources.0).keys().collect::<Vec<_>>(), [&found[0]]);
        assert_eq!(lock(&cache.parsed.0).keys().collect::<Vec<_>>(), [a]);
        assert_eq!(lock(&cache.bodies.0).keys().collect::<Vec<_>>(), [a]);
        assert_eq!(lock(&cache.per_file.0).keys().map(|(p, _)| p.as_path()).collect::<Vec<_>>(), [a]);
        assert_eq!(lock(&cache.pages.0).keys().collect::<Vec<_>>(), ["a/index.html"]);
    }

    #[test]
    fn keys_tell_apart_what_differs_by_one_byte_or_by_length() {
        assert_ne!(hash_of("abcdefgh1"), hash_of("abcdefgh2"));
        assert_ne!(hash_of(&[0u8; 3][..]), hash_of(&[0u8; 4][..]));
        assert_eq!(hash_of(&("page", 1u64)), hash_of(&("page", 1u64)));
    }
}
