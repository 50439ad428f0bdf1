//! Two builds of the same handbook are byte for byte the same: parallel
//! stages, hash maps and the file system's order must never leak into the
//! site, or every deploy would churn every file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use playbook::BuildOptions;

mod common;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/handbook")
}

/// Every file under `dir` by relative path, with its bytes.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect()
}

fn build_into(out: &Path, drafts: bool) -> BTreeMap<PathBuf, Vec<u8>> {
    let opts = BuildOptions {
        root: fixture(),
        out: out.to_path_buf(),
        base_url: Some("https://example.org/handbook/".into()),
        drafts,
    };
    // The output is outside the fixture, so the build needs `force`.
    playbook::build(&opts, true).unwrap_or_else(|d| panic!("the fixture must build:\n{d}"));
    files(out)
}

#[test]
fn two_builds_of_the_fixture_are_byte_identical() {
    for drafts in [false, true] {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let first = build_into(&a.path().join("site"), drafts);
        let second = build_into(&b.path().join("site"), drafts);
        assert!(first.contains_key(Path::new("index.html")), "{:?}", first.keys().collect::<Vec<_>>());
        assert!(first.len() > 10, "{:?}", first.keys().collect::<Vec<_>>());
        let names_a: Vec<_> = first.keys().collect();
        let names_b: Vec<_> = second.keys().collect();
        assert_eq!(names_a, names_b, "the two builds wrote different files (drafts: {drafts})");
        for (path, bytes) in &first {
            assert!(&second[path] == bytes, "{} differs between two builds (drafts: {drafts})", path.display());
        }
    }
}

#[test]
fn rebuilding_in_place_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let first = build_into(&out, false);
    let second = build_into(&out, false);
    assert_eq!(first.keys().collect::<Vec<_>>(), second.keys().collect::<Vec<_>>());
    assert!(first == second, "a second build into the same folder changed it");
    // Nothing is left beside the output folder (staging or old copies).
    let beside: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(beside, ["site"]);
}

/// A copy of the fixture project, to edit.
fn fixture_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in walkdir::WalkDir::new(fixture()).into_iter().map(Result::unwrap) {
        let to = dir.path().join(entry.path().strip_prefix(fixture()).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    dir
}

/// `serve` rebuilds through a cache of bodies and pages; after any edit,
/// what it serves must be what a fresh build makes, or a reader would see
/// a stale page until the server restarts.
#[test]
fn a_cached_rebuild_after_an_edit_is_a_fresh_build() {
    let dir = fixture_copy();
    let opts =
        BuildOptions { root: dir.path().to_path_buf(), out: dir.path().join("public"), base_url: None, drafts: false };
    let builder = playbook::Builder::new(opts.clone());
    builder.render().unwrap_or_else(|d| panic!("{d}"));
    let hiring = dir.path().join("playbooks/people/hiring_loop.md");
    let text = std::fs::read_to_string(&hiring).unwrap();
    let edits = [
        // The body alone, in place: the page's context is the same but for
        // its body (no heading moves, no summary changes).
        text.replace("2. Pairing session", "2. Pairing SESSION"),
        // The title, which other pages show in their links to it.
        text.replace("title: The Hiring Loop", "title: The Renamed Loop"),
    ];
    for edited in edits {
        assert_ne!(edited, text, "the edit applies to the fixture");
        std::fs::write(&hiring, &edited).unwrap();
        let (cached, _) = builder.render().unwrap_or_else(|d| panic!("{d}"));
        let (fresh, _) = playbook::render_site(&opts).unwrap_or_else(|d| panic!("{d}"));
        let page = |site: &playbook::Site| {
            let file = site.files.iter().find(|f| f.path == "people/hiring-loop/index.html").expect("the edited page");
            String::from_utf8_lossy(&file.bytes).into_owned()
        };
        assert_eq!(page(&cached).contains("Pairing SESSION"), edited.contains("Pairing SESSION"));
        assert_same_files(&cached, &fresh);
    }
}

fn assert_same_files(cached: &playbook::Site, fresh: &playbook::Site) {
    assert_eq!(cached.files.len(), fresh.files.len());
    for (c, f) in cached.files.iter().zip(&fresh.files) {
        assert_eq!(c.path, f.path);
        assert!(c.bytes == f.bytes, "{} is stale after the edit", c.path);
    }
}

/// A project under a temporary folder, rebuilt through the cache as `serve`
/// rebuilds it.
struct Served {
    _dir: tempfile::TempDir,
    opts: BuildOptions,
    builder: playbook::Builder,
}

impl Served {
    fn new(files: &[(&str, &str)]) -> Served {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("playbooks")).unwrap();
        let root = dir.path().to_path_buf();
        let opts = BuildOptions { out: root.join("public"), root, base_url: None, drafts: false };
        let served = Served { builder: playbook::Builder::new(opts.clone()), opts, _dir: dir };
        for (name, text) in files {
            served.write(name, text);
        }
        served
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.opts.root.join("playbooks").join(name), text).unwrap();
    }

    fn remove(&self, name: &str) {
        std::fs::remove_file(self.opts.root.join("playbooks").join(name)).unwrap();
    }

    /// The site rebuilt through the cache, which must be what a fresh build makes.
    fn rebuild(&self) -> playbook::Site {
        let (cached, _) = self.builder.render().unwrap_or_else(|d| panic!("{d}"));
        let (fresh, _) = playbook::render_site(&self.opts).unwrap_or_else(|d| panic!("{d}"));
        assert_same_files(&cached, &fresh);
        cached
    }
}

/// The text of the page at `path`.
fn page(site: &playbook::Site, path: &str) -> String {
    let file = site.files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("no {path}"));
    String::from_utf8_lossy(&file.bytes).into_owned()
}

/// A framework's summary shows the titles of the playbooks it links to, and
/// the catalog the titles of the playbooks referring to it. The cache shares
/// parsed playbooks between builds, so filling in one build's titles must
/// leave the shared copy as parsed, and the catalog's key must see a
/// referring page's title, or a later rename would never show.
#[test]
fn a_renamed_playbook_is_renamed_in_summaries_and_catalog_references() {
    let framework = "# Alpha\n\n## 2. Strategic Frameworks\n\n### 2.1 The Flywheel\n\nTurn it with [[beta]] weekly.\n";
    let refers = |title: &str| format!("# {title}\n\nSee [[alpha#the-flywheel]].\n");
    let served = Served::new(&[("alpha.md", framework), ("beta.md", &refers("Beta Original"))]);
    let catalog = page(&served.rebuild(), "frameworks/index.html");
    assert!(catalog.contains("Turn it with Beta Original weekly."), "{catalog}");
    assert!(catalog.contains(">Beta Original</a></p>"), "referenced from beta: {catalog}");
    for title in ["Beta Renamed", "Beta Original"] {
        served.write("beta.md", &refers(title));
        let catalog = page(&served.rebuild(), "frameworks/index.html");
        assert!(catalog.contains(&format!("Turn it with {title} weekly.")), "{catalog}");
        assert!(catalog.contains(&format!(">{title}</a></p>")), "{catalog}");
    }
    // A referring page renamed, nothing else changed.
    served.write("gamma.md", &refers("Gamma One"));
    served.rebuild();
    served.write("gamma.md", &refers("Gamma Two"));
    let catalog = page(&served.rebuild(), "frameworks/index.html");
    assert!(catalog.contains(">Gamma Two</a>"), "{catalog}");
}

/// Search, a card's excerpt and the page's description read an unlabelled
/// wiki link as its target's title; renaming the target alone must reach
/// them through the cache.
#[test]
fn a_renamed_playbook_is_renamed_in_search_and_excerpts_that_link_it() {
    let linking = "# Alpha\n\nTurn it with [[beta]] weekly.\n\n## Story Mode\n\n> **The Problem**: see [[beta]].\n";
    let served = Served::new(&[("alpha.md", linking), ("beta.md", "# Beta Original\n")]);
    served.rebuild();
    served.write("beta.md", "# Beta Renamed\n");
    let site = served.rebuild();
    let found = |query| common::search(|f| page(&site, f), query);
    assert_eq!(found("turn renamed weekly"), ["alpha/"]);
    assert_eq!(found("see renamed"), ["alpha/#story-mode"]);
    assert!(found("original").is_empty());
    assert!(page(&site, "alpha/index.html").contains("content=\"see Beta Renamed.\""));
}

/// A playbook deleted while `serve` runs leaves the site at the next
/// rebuild, which is what a fresh build makes.
#[test]
fn a_deleted_playbook_leaves_the_cached_site() {
    let served = Served::new(&[("alpha.md", "# Alpha\n\nText.\n"), ("beta.md", "# Beta\n\nText.\n")]);
    assert!(served.rebuild().files.iter().any(|f| f.path == "beta/index.html"));
    served.remove("beta.md");
    assert!(!served.rebuild().files.iter().any(|f| f.path == "beta/index.html"));
}

/// A playbook page shows its neighbours', back-links' and related
/// playbooks' titles. `serve` checks each page against what it is made of,
/// so renaming one playbook must reach the pages around it, though their
/// own text is unchanged.
#[test]
fn a_renamed_playbook_is_renamed_on_the_pages_around_it() {
    // Alpha is alone in its track, so Beta is only its next page, not a
    // related one.
    let served = Served::new(&[
        ("alpha.md", "# one: Alpha\n\nText.\n"),
        ("beta.md", "# two: Beta\n\nSee [[gamma]].\n"),
        ("gamma.md", "# two: Gamma\n\nText.\n"),
    ]);
    served.rebuild();
    // Still between the two in reading order.
    served.write("beta.md", "# two: Bravo\n\nSee [[gamma]].\n");
    let site = served.rebuild();
    let alpha = page(&site, "alpha/index.html");
    assert!(alpha.contains("<span>Next in Two</span> Bravo</a>"), "{alpha}");
    let gamma = page(&site, "gamma/index.html");
    assert!(gamma.contains("<span>Previous</span> Bravo</a>"), "{gamma}");
    assert!(gamma.contains("Referenced by") && gamma.contains(">Bravo</a>"), "{gamma}");
}

/// "people" in one playbook and "People" in another are one track, shown
/// with the capital. A playbook that changes its spelling changes how every
/// other member's page and the catalog name the track, though their text is
/// unchanged.
#[test]
fn a_track_spelled_anew_in_one_playbook_is_respelled_on_every_page() {
    let framework = "# people: Alpha\n\n## 2. Strategic Frameworks\n\n### 2.1 The Flywheel\n\nTurn it.\n";
    let served = Served::new(&[("alpha.md", framework), ("beta.md", "# people: Beta\n\nText.\n")]);
    served.rebuild();
    served.write("beta.md", "# People: Beta\n\nText.\n");
    let site = served.rebuild();
    assert!(page(&site, "alpha/index.html").contains(">People</a>"), "{}", page(&site, "alpha/index.html"));
    let catalog = page(&site, "frameworks/index.html");
    assert!(catalog.contains("· People</p>"), "{catalog}");
}

/// An entry added to a catalog, or renamed, moves others to other pages:
/// every page of the catalog must be made again, not only the one it is on.
#[test]
fn a_new_catalog_entry_moves_the_later_ones_to_their_new_pages() {
    let framework = |name: &str| format!("# {name} Book\n\n## Strategic Frameworks\n\n### {name}\n\nText.\n");
    let served = Served::new(&[("b.md", &framework("Beta")), ("c.md", &framework("Gamma"))]);
    std::fs::write(served.opts.root.join("playbook.toml"), "list_page_size = 1\n").unwrap();
    let site = served.rebuild();
    assert!(page(&site, "frameworks/page/2/index.html").contains(">Gamma</a></h2>"));
    served.write("a.md", &framework("Alpha"));
    let site = served.rebuild();
    assert!(page(&site, "frameworks/index.html").contains(">Alpha</a></h2>"));
    assert!(page(&site, "frameworks/page/2/index.html").contains(">Beta</a></h2>"));
    assert!(page(&site, "frameworks/page/3/index.html").contains(">Gamma</a></h2>"));
    served.remove("a.md");
    let site = served.rebuild();
    assert!(site.files.iter().all(|f| !f.path.starts_with("frameworks/page/3/")), "the last page went");
    // Renamed, it moves to the first page; the count and the pages stay.
    served.write("c.md", &framework("Aardvark"));
    let site = served.rebuild();
    assert!(page(&site, "frameworks/index.html").contains(">Aardvark</a></h2>"));
    assert!(page(&site, "frameworks/page/2/index.html").contains(">Beta</a></h2>"));
}
