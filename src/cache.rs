//! What one build can reuse from the previous one, for `serve`: parsed
//! playbooks keyed by their text, rendered bodies keyed by their text and
//! resolved links, and rendered pages keyed by their template context. An
//! edit to one playbook then re-parses and re-renders only what it changes.
//!
//! Keys are 64-bit hashes of the inputs; everything is dropped when the
//! theme or the configuration changes.

use std::cell::Cell;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::diagnostic::Diagnostic;
use crate::model::Playbook;

#[derive(Default)]
pub struct Cache {
    /// A one-shot build keeps nothing: storing every page it renders would
    /// only double its memory.
    enabled: bool,
    /// Source path -> (hash of its text, what parsing it gave).
    parsed: Mutex<HashMap<PathBuf, (u64, Result<Playbook, Diagnostic>)>>,
    /// Source path -> (hash of body and links, HTML).
    bodies: Mutex<HashMap<PathBuf, (u64, Arc<str>)>>,
    /// Output path -> (hash of the page's context, bytes).
    pages: Mutex<HashMap<String, (u64, Arc<[u8]>)>>,
    /// Hash of the theme and configuration the cached output was made with.
    epoch: Mutex<u64>,
}

/// A rendered HTML fragment and the hash of what it was rendered from.
///
/// Page contexts carry bodies of several kilobytes (megabytes, for the print
/// page). To key the page cache, a context is serialized with each fragment
/// written as its hash instead of its text, which is what makes checking an
/// unchanged page cheap.
#[derive(Debug, Clone)]
pub struct Html {
    pub key: u64,
    pub html: Arc<str>,
}

thread_local! {
    static KEYING: Cell<bool> = const { Cell::new(false) };
}

impl serde::Serialize for Html {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if KEYING.with(Cell::get) { s.serialize_u64(self.key) } else { s.serialize_str(&self.html) }
    }
}

/// The cache key of a template context: its JSON, with fragments as hashes.
pub fn key_of<T: serde::Serialize>(template: &str, context: &T) -> u64 {
    KEYING.with(|k| k.set(true));
    let json = serde_json::to_vec(context);
    KEYING.with(|k| k.set(false));
    json.map_or(0, |j| hash_of(&(template, j)))
}

pub fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// A poisoned lock only means another thread panicked mid-insert; the maps
/// stay usable as caches.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

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

    pub fn parsed(&self, path: &PathBuf, text: &str, parse: impl FnOnce() -> Result<Playbook, Diagnostic>) -> Result<Playbook, Diagnostic> {
        if !self.enabled {
            return parse();
        }
        let key = hash_of(text);
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
