//! Builds fixture projects into temporary folders and reads what a reader
//! would see.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use playbook::BuildOptions;

pub const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/handbook");

/// A built site in a temporary folder.
pub struct Built {
    pub dir: tempfile::TempDir,
}

impl Built {
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    #[track_caller]
    pub fn page(&self, rel: &str) -> String {
        let path = self.path(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The `<main>` element of a page: what the reader came for.
    #[track_caller]
    pub fn main(&self, rel: &str) -> String {
        let html = self.page(rel);
        let start = html.find("<main").expect("page has <main>");
        let end = html.find("</main>").expect("page has </main>");
        html[start..end].to_string()
    }

    /// The rendered Markdown body of a playbook page, without the table of
    /// contents, back-links and related playbooks around it.
    #[track_caller]
    pub fn body(&self, rel: &str) -> String {
        let html = self.page(rel);
        let start = html.find("<div class=\"playbook-body\">").expect("a playbook body");
        let rest = &html[start..];
        let end = ["<section class=\"backlinks\"", "<section class=\"related\"", "<nav class=\"pager\""]
            .iter()
            .filter_map(|m| rest.find(m))
            .min()
            .unwrap_or(rest.len());
        rest[..end].to_string()
    }

    pub fn all_files(&self) -> Vec<PathBuf> {
        walk(self.dir.path())
    }
}

pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[track_caller]
pub fn build_project(root: &Path, base_url: Option<&str>) -> Built {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let opts = BuildOptions {
        root: root.to_path_buf(),
        out: out.clone(),
        base_url: base_url.map(str::to_string),
        drafts: false,
    };
    if let Err(d) = playbook::build(&opts, true) {
        panic!("build failed:\n{d}");
    }
    // Keep the temp dir alive, pointing at the site inside it.
    let site = tempfile::tempdir().unwrap();
    std::fs::remove_dir(site.path()).unwrap();
    std::fs::rename(&out, site.path()).unwrap();
    Built { dir: site }
}

#[track_caller]
pub fn build_fixture(base_url: Option<&str>) -> Built {
    build_project(Path::new(FIXTURE), base_url)
}

/// Runs the real binary.
pub fn playbook(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_playbook")).args(args).output().expect("run playbook")
}

/// `playbook check` of the project at `root`: its exit code and what it printed.
pub fn check(root: &Path) -> (Option<i32>, String) {
    let run = playbook(&["check", "--root", root.to_str().unwrap()]);
    (run.status.code(), String::from_utf8_lossy(&run.stderr).into_owned())
}

/// Builds the project at `root`, which must fail on its content (exit code
/// 1); the diagnostics printed.
pub fn failing_build(root: &Path) -> String {
    let run = playbook(&["build", "--root", root.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    stderr
}

/// Every file under `dir` with its bytes, to compare a folder before and after.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    walk(dir)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

/// A project made of the given files, in a temporary folder.
pub fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

/// The text of every `<a>` with this `href` on a page.
pub fn link_texts(html: &str, href: &str) -> Vec<String> {
    let needle = format!("<a href=\"{href}\"");
    html.match_indices(&needle)
        .filter_map(|(i, _)| {
            let rest = &html[i..];
            let open_end = rest.find('>')? + 1;
            let close = rest.find("</a>")?;
            Some(strip_tags(&rest[open_end..close]))
        })
        .collect()
}

pub fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Part `name` of a site's search index (`index`, `w<n>` or `d<n>`), read
/// with `read`: its data, and the version it ends with (none for the index).
pub fn search_part(read: impl Fn(&str) -> String, name: &str) -> (serde_json::Value, String) {
    let file = if name == "index" { "assets/search-index.js".to_string() } else { format!("assets/search/{name}.js") };
    let text = read(&file);
    let args = text
        .strip_prefix(&format!("window.PLAYBOOK_SEARCH_PART(\"{name}\","))
        .and_then(|t| t.strip_suffix(");\n"))
        .unwrap_or_else(|| panic!("{file} is not the part {name}: {text}"));
    let (json, version) = match args.rsplit_once(",\"") {
        Some((json, v)) if name != "index" => (json, v.trim_end_matches('"').to_string()),
        _ => (args, String::new()),
    };
    (serde_json::from_str(json).unwrap_or_else(|e| panic!("{file}: {e}")), version)
}

/// What the site's search finds for `query`: the results (`path` or
/// `path#anchor`) whose documents have, for each word of the query, a word
/// that starts with it, in the index's order. It reads the index's parts as
/// the page's script does, without the ranking (the browser tests rank).
/// `read` gives a file of the site.
pub fn search(read: impl Fn(&str) -> String, query: &str) -> Vec<String> {
    let part = |name: &str| search_part(&read, name);
    let (index, _) = part("index");
    // A part as the index lists it: its version there is the one it ends with.
    let listed = |kind: &str, n: usize| {
        let (data, version) = part(&format!("{kind}{n}"));
        assert_eq!(index[format!("{kind}v")][n], version.as_str(), "{kind}{n} is not the part the index lists");
        data
    };
    let bounds: Vec<&str> = index["w"].as_array().unwrap().iter().map(|b| b.as_str().unwrap()).collect();
    // As a browser compares strings.
    let before = |a: &str, b: &str| a.encode_utf16().lt(b.encode_utf16());
    let folded = playbook::search::fold(query);
    let mut found: Option<std::collections::BTreeSet<u64>> = None;
    for term in playbook::search::words(&folded) {
        // The part of the last bound not after the term, and the next ones
        // while their bounds start with it.
        let first = bounds.iter().rposition(|b| !before(term, b)).unwrap_or(0);
        let more = bounds.iter().skip(first + 1).take_while(|b| b.starts_with(term)).count();
        let mut docs = std::collections::BTreeSet::new();
        for n in (first..bounds.len()).take(1 + more) {
            for (word, postings) in listed("w", n).as_object().unwrap() {
                if word.starts_with(term) {
                    let mut id = 0;
                    for p in postings.as_array().unwrap() {
                        id += p.as_u64().unwrap() >> 9;
                        docs.insert(id);
                    }
                }
            }
        }
        found = Some(match found {
            Some(f) => f.intersection(&docs).copied().collect(),
            None => docs,
        });
    }
    let firsts: Vec<u64> = index["d"].as_array().unwrap().iter().map(|d| d.as_u64().unwrap()).collect();
    let mut results = Vec::new();
    for id in found.unwrap_or_default() {
        let n = firsts.iter().rposition(|&f| f <= id).unwrap();
        let mut at = (id - firsts[n]) as usize;
        for page in listed("d", n).as_array().unwrap() {
            let docs = page[3].as_array().unwrap();
            if at < docs.len() {
                let anchor = docs[at][1].as_str().unwrap();
                let path = page[1].as_str().unwrap();
                results.push(if anchor.is_empty() { path.to_string() } else { format!("{path}#{anchor}") });
                break;
            }
            at -= docs.len();
        }
    }
    results
}
