//! What one build can reuse from the previous one, for `serve`: parsed
//! playbooks keyed by their text, rendered bodies keyed by their text and
//! resolved links, and rendered pages keyed by their template context. An
//! edit to one playbook then re-parses and re-renders only what it changes.
//!
//! Keys are 64-bit hashes of the inputs; everything is dropped when the
//! theme or the configuration changes.

use std::any::Any;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use std::time::SystemTime;

use crate::diagnostic::Diagnostic;
use crate::load::SourceFile;
use crate::model::Playbook;

#[derive(Default)]
pub struct Cache {
    /// A one-shot build keeps nothing: storing every page it renders would
    /// only double its memory.
    enabled: bool,
    /// Source file -> (modification time and size, when it was read, what
    /// reading it gave).
    sources: Mutex<HashMap<PathBuf, ((SystemTime, u64), SystemTime, SourceRead)>>,
    /// Source path -> (hash of its text, what parsing it gave).
    parsed: Mutex<HashMap<PathBuf, (u64, Result<Playbook, Diagnostic>)>>,
    /// Source path -> (hash of body and links, HTML).
    bodies: Mutex<HashMap<PathBuf, (u64, Arc<str>)>>,
    /// Output path -> (hash of the page's context, bytes).
    pages: Mutex<HashMap<String, (u64, Arc<[u8]>)>>,
    /// Hash of the theme and configuration the cached output was made with.
    epoch: Mutex<u64>,
    /// Search documents per source path: (hash of inputs, documents).
    docs: Mutex<HashMap<PathBuf, (u64, Arc<[crate::search::SearchDoc]>)>>,
    /// Other whole-handbook results, by name: (hash of inputs, value).
    memos: Mutex<HashMap<&'static str, (u64, Box<dyn Any + Send>)>>,
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
    pub html: Arc<str>,
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

/// A poisoned lock only means another thread panicked mid-insert; the maps
/// stay usable as caches.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A source file read and decoded, with its warnings (mojibake repaired).
type SourceRead = (Option<SourceFile>, Vec<Diagnostic>);

impl Cache {
    /// A cache that remembers, for builders that build again.
    pub fn enabled() -> Self {
        Cache { enabled: true, ..Cache::default() }
    }

    /// Forgets rendered output made with another theme or configuration.
    pub fn start_epoch(&self, epoch: u64) {
        let mut current = lock(&self.epoch);
        if *current != epoch {
            lock(&self.bodies).clear();
            lock(&self.pages).clear();
            *current = epoch;
        }
    }

    /// A file as read last time, while its modification time and size are
    /// the same. File times tick coarsely (a few milliseconds), so a read
    /// made within a second of the file's modification is not trusted: a
    /// second save of the same length in the same tick would look unchanged.
    pub fn source(&self, path: &Path, stamp: (SystemTime, u64), read: impl FnOnce() -> SourceRead) -> SourceRead {
        if !self.enabled {
            return read();
        }
        let settled = |read_at: &SystemTime| read_at.duration_since(stamp.0).is_ok_and(|d| d.as_secs() >= 1);
        if let Some((_, _, hit)) = lock(&self.sources).get(path).filter(|(s, at, _)| *s == stamp && settled(at)) {
            return hit.clone();
        }
        let read_at = SystemTime::now();
        let result = read();
        lock(&self.sources).insert(path.to_path_buf(), (stamp, read_at, result.clone()));
        result
    }

    pub fn parsed(&self, path: &PathBuf, text: &str, parse: impl FnOnce() -> Result<Playbook, Diagnostic>) -> Result<Playbook, Diagnostic> {
        if !self.enabled {
            return parse();
        }
        let key = hash_of(text);
        // (the parser stores the same hash in `Playbook::text_hash`)
        if let Some((k, r)) = lock(&self.parsed).get(path) {
            if *k == key {
                return r.clone();
            }
        }
        let result = parse();
        if self.enabled {
            lock(&self.parsed).insert(path.clone(), (key, result.clone()));
        }
        result
    }

    /// Keys are computed only by a cache that remembers; a one-shot build
    /// skips hashing entirely.
    pub fn body(&self, path: &Path, key: impl FnOnce() -> u64, render: impl FnOnce() -> String) -> Html {
        if !self.enabled {
            return Html { key: 0, html: render().into() };
        }
        let key = key();
        if let Some((k, html)) = lock(&self.bodies).get(path) {
            if *k == key {
                return Html { key, html: html.clone() };
            }
        }
        let html: Arc<str> = render().into();
        lock(&self.bodies).insert(path.to_path_buf(), (key, html.clone()));
        Html { key, html }
    }

    /// A whole-handbook result (such as related playbooks) reused while its
    /// inputs hash the same.
    pub fn memo<T: Clone + Send + 'static>(&self, name: &'static str, key: impl FnOnce() -> u64, compute: impl FnOnce() -> T) -> T {
        if !self.enabled {
            return compute();
        }
        let key = key();
        if let Some(hit) = lock(&self.memos).get(name).filter(|(k, _)| *k == key).and_then(|(_, v)| v.downcast_ref::<T>()) {
            return hit.clone();
        }
        let value = compute();
        lock(&self.memos).insert(name, (key, Box::new(value.clone())));
        value
    }

    /// A playbook's search documents, reused while its text, URL and track
    /// are the same.
    pub fn docs(&self, path: &Path, key: u64, make: impl FnOnce() -> Vec<crate::search::SearchDoc>) -> Arc<[crate::search::SearchDoc]> {
        if !self.enabled {
            return make().into();
        }
        if let Some((_, docs)) = lock(&self.docs).get(path).filter(|(k, _)| *k == key) {
            return docs.clone();
        }
        let docs: Arc<[crate::search::SearchDoc]> = make().into();
        lock(&self.docs).insert(path.to_path_buf(), (key, docs.clone()));
        docs
    }

    pub fn page<E>(
        &self,
        out_path: &str,
        key: impl FnOnce() -> u64,
        render: impl FnOnce() -> Result<Vec<u8>, E>,
    ) -> Result<Arc<[u8]>, E> {
        if !self.enabled {
            return render().map(Arc::from);
        }
        let key = key();
        if let Some((k, bytes)) = lock(&self.pages).get(out_path) {
            if *k == key {
                return Ok(bytes.clone());
            }
        }
        let bytes: Arc<[u8]> = render()?.into();
        lock(&self.pages).insert(out_path.to_string(), (key, bytes.clone()));
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_tell_apart_what_differs_by_one_byte_or_by_length() {
        assert_ne!(hash_of("abcdefgh1"), hash_of("abcdefgh2"));
        assert_ne!(hash_of(&[0u8; 3][..]), hash_of(&[0u8; 4][..]));
        assert_eq!(hash_of(&("page", 1u64)), hash_of(&("page", 1u64)));
    }
}
