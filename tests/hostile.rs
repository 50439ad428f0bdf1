//! Hostile and broken input (issue 7): never a panic, never a write outside
//! the output folder, never a lost page.
//!
//! Every case builds a real project in a temporary folder through the library
//! (`playbook::build` / `playbook::check`), and a few through the binary. A
//! broken case always follows the same script: the project builds once, one
//! file is broken and a link in another playbook gets a typo, and the second
//! build must fail with exactly the expected errors (the typo proves that the
//! other playbooks were still read, parsed and linked), report them all at
//! once, and leave the first build's output byte for byte as it was.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use playbook::{BuildOptions, Diagnostic, Diagnostics};

const GOOD: &str = "---\ntitle: Good Playbook\ntags: [solid]\n---\n# Good Playbook\n\n## Strategic Frameworks\n\n### Alpha Plan\nKeep going.\n";
const OTHER: &str = "# Other Playbook\n\nSee [[good#alpha-plan]].\n";
/// `OTHER` with a typo in its link: an error that only exists if `good.md`
/// and `other.md` were both parsed and linked.
const OTHER_TYPO: &str = "# Other Playbook\n\nSee [[good#alpah-plan]].\n";
const TYPO_MESSAGE: &str = "no section \"#alpah-plan\" in \"good\"; did you mean \"#alpha-plan\"?";

/// A project inside a sandbox folder: `sandbox/outer/project`, so that a
/// page escaping the output folder by a few `..` still lands in the sandbox,
/// where a snapshot sees it.
struct Project {
    _tmp: tempfile::TempDir,
    sandbox: PathBuf,
    root: PathBuf,
}

impl Project {
    fn new() -> Project {
        let tmp = tempfile::tempdir().expect("temporary folder");
        let sandbox = tmp.path().join("sandbox");
        let root = sandbox.join("outer").join("project");
        std::fs::create_dir_all(root.join("playbooks")).unwrap();
        let p = Project { _tmp: tmp, sandbox, root };
        p.write("playbooks/good.md", GOOD);
        p.write("playbooks/other.md", OTHER);
        p
    }

    fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    fn opts(&self) -> BuildOptions {
        BuildOptions::new(&self.root)
    }

    fn out(&self) -> PathBuf {
        self.root.join("public")
    }

    fn build(&self) -> Result<playbook::BuildReport, Diagnostics> {
        playbook::build(&self.opts(), false)
    }

    /// Builds and panics with the diagnostics if the build fails.
    fn build_ok(&self) -> playbook::BuildReport {
        self.build().unwrap_or_else(|d| panic!("build failed:\n{d}"))
    }

    fn page(&self, site_path: &str) -> String {
        let path = self.out().join(site_path).join("index.html");
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }
}

/// Every file and folder under `dir` (symbolic links not followed), with
/// the contents of files and the targets of links.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut map = BTreeMap::new();
    if !dir.exists() {
        return map;
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(dir).unwrap().to_path_buf();
        let ft = entry.file_type();
        let content = if ft.is_file() {
            std::fs::read(entry.path()).unwrap()
        } else if ft.is_symlink() {
            let mut v = b"-> ".to_vec();
            v.extend(std::fs::read_link(entry.path()).unwrap().to_string_lossy().as_bytes());
            v
        } else {
            b"<dir>".to_vec()
        };
        map.insert(rel, content);
    }
    map
}

/// Everything in the sandbox but the output folder.
fn snapshot_outside_output(p: &Project) -> BTreeMap<PathBuf, Vec<u8>> {
    let out_rel = p.out().strip_prefix(&p.sandbox).unwrap().to_path_buf();
    snapshot(&p.sandbox).into_iter().filter(|(k, _)| !k.starts_with(&out_rel)).collect()
}

/// `(file, line, column, message)` of every error, in order.
fn errors(diags: &Diagnostics) -> Vec<(String, usize, usize, String)> {
    diags
        .iter()
        .filter(|d| d.is_error())
        .map(|d| (playbook::diagnostic::display_path(&d.file), d.line, d.column, d.message.clone()))
        .collect()
}

/// One expected error: file, line, column and a part of the message.
type Expected<'a> = (&'a str, usize, usize, &'a str);

fn assert_errors(diags: &Diagnostics, expected: &[Expected<'_>]) {
    let got = errors(diags);
    let matches = got.len() == expected.len()
        && got
            .iter()
            .zip(expected)
            .all(|((f, l, c, m), (ef, el, ec, em))| f == ef && l == el && c == ec && m.contains(em));
    assert!(matches, "expected errors {expected:#?}\ngot:\n{diags}");
}

/// The broken-file script. `break_it` breaks the project (after a first,
/// successful build); the typo link in `other.md` is added by this function
/// and expected last in the sorted errors, after `expected`.
fn assert_broken_build_keeps_output(break_it: impl FnOnce(&Project), expected: &[Expected<'_>]) -> Diagnostics {
    let p = Project::new();
    p.build_ok();
    let before = snapshot(&p.out());
    assert!(before.contains_key(Path::new("good/index.html")));
    let outside_before = snapshot_outside_output(&p);

    break_it(&p);
    p.write("playbooks/other.md", OTHER_TYPO);
    let outside_broken = snapshot_outside_output(&p);

    let mut all: Vec<Expected<'_>> = expected.to_vec();
    all.push(("playbooks/other.md", 3, 5, TYPO_MESSAGE));
    all.sort_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));

    let checked = playbook::check(&p.opts()).expect_err("check must fail");
    assert_errors(&checked, &all);
    let diags = p.build().expect_err("build must fail");
    assert_errors(&diags, &all);

    assert_eq!(snapshot(&p.out()), before, "a failed build changed the previous output");
    assert_eq!(snapshot_outside_output(&p), outside_broken, "a failed build wrote outside the output folder");
    // Only the files this test wrote differ from before the break.
    assert_ne!(outside_before, outside_broken);
    diags
}

fn message_of<'a>(diags: &'a Diagnostics, file: &str) -> &'a Diagnostic {
    diags
        .iter()
        .find(|d| playbook::diagnostic::display_path(&d.file) == file)
        .unwrap_or_else(|| panic!("no diagnostic for {file} in\n{diags}"))
}

// ---------------------------------------------------------------------------
// Front matter

#[test]
fn broken_yaml_front_matter() {
    let diags = assert_broken_build_keeps_output(
        |p| p.write("playbooks/x.md", "---\ntitle: ok\ntags: [a, b\n---\n# Body\n"),
        &[("playbooks/x.md", 3, 7, "invalid front matter: unclosed bracket '['")],
    );
    assert!(message_of(&diags, "playbooks/x.md").hint.as_deref().unwrap().contains("tags (a list)"));
}

#[test]
fn broken_yaml_front_matter_with_bad_indentation() {
    assert_broken_build_keeps_output(
        |p| p.write("playbooks/x.md", "---\ntitle: ok\n  bad: : indent\n---\n"),
        &[("playbooks/x.md", 3, 6, "invalid front matter: mapping values are not allowed in this context")],
    );
}

#[test]
fn broken_toml_front_matter() {
    assert_broken_build_keeps_output(
        |p| p.write("playbooks/x.md", "+++\ntitle = \"ok\"\nsummary = \"never closed\n+++\n# Body\n"),
        &[("playbooks/x.md", 3, 24, "invalid front matter: invalid basic string")],
    );
}

#[test]
fn every_bad_front_matter_key_is_reported_in_one_build() {
    assert_broken_build_keeps_output(
        |p| {
            p.write("playbooks/x.md", "---\ntitle: [a, b]\ntags: hiring\nweight: soon\n---\n# Body\n");
            p.write("playbooks/y.md", "+++\ndraft = \"maybe\"\nweight = \"soon\"\n+++\n");
        },
        &[
            ("playbooks/x.md", 2, 8, "invalid front matter: invalid type: a list or a map, expected text"),
            ("playbooks/x.md", 3, 7, "invalid front matter: invalid type: text \"hiring\", expected a list of tags"),
            (
                "playbooks/x.md",
                4,
                9,
                "invalid front matter: invalid type: text \"soon\", expected a whole number like 10",
            ),
            ("playbooks/y.md", 2, 9, "invalid front matter: invalid type"),
            (
                "playbooks/y.md",
                3,
                10,
                "invalid front matter: invalid type: text \"soon\", expected a whole number like 10",
            ),
        ],
    );
}

#[test]
fn a_title_that_is_a_list() {
    assert_broken_build_keeps_output(
        |p| {
            p.write("playbooks/x.md", "---\ntitle: [a, b]\n---\n");
            p.write("playbooks/y.md", "+++\ntitle = [1]\n+++\n");
        },
        &[
            ("playbooks/x.md", 2, 8, "invalid front matter: invalid type: a list or a map, expected text"),
            ("playbooks/y.md", 2, 9, "invalid front matter: invalid type: a list, expected text"),
        ],
    );
}

#[test]
fn tags_that_are_a_string() {
    assert_broken_build_keeps_output(
        |p| {
            p.write("playbooks/x.md", "---\ntitle: x\ntags: hiring\n---\n");
            p.write("playbooks/y.md", "+++\ntitle = \"y\"\ntags = \"hiring\"\n+++\n");
        },
        &[
            ("playbooks/x.md", 3, 7, "invalid front matter: invalid type: text \"hiring\", expected a list of tags"),
            ("playbooks/y.md", 3, 8, "invalid front matter: invalid type: text \"hiring\", expected a list of tags"),
        ],
    );
}

#[test]
fn a_story_that_is_a_number() {
    assert_broken_build_keeps_output(
        |p| {
            p.write("playbooks/x.md", "---\ntitle: x\nstory: 5\n---\n");
            p.write("playbooks/y.md", "+++\nstory = 5\n+++\n");
        },
        &[
            ("playbooks/x.md", 3, 8, "invalid front matter: invalid type: number 5, expected the story's fields"),
            ("playbooks/y.md", 2, 9, "invalid front matter: invalid type: number 5, expected the story's fields"),
        ],
    );
}

#[test]
fn an_unclosed_front_matter_fence() {
    assert_broken_build_keeps_output(
        |p| {
            p.write("playbooks/x.md", "---\ntitle: x\n# Body\n\nText.\n");
            p.write("playbooks/y.md", "+++");
        },
        &[
            ("playbooks/x.md", 1, 1, "front matter opened with `---` is never closed"),
            ("playbooks/y.md", 1, 1, "front matter opened with `+++` is never closed"),
        ],
    );
}

#[test]
fn front_matter_nested_ten_thousand_deep_is_refused_without_overflow() {
    let deep = 10_000;
    assert_broken_build_keeps_output(
        |p| {
            p.write("playbooks/x.md", format!("---\nowner: {}{}\n---\n", "[".repeat(deep), "]".repeat(deep)));
            p.write("playbooks/y.md", format!("+++\nowner = {}{}\n+++\n", "[".repeat(deep), "]".repeat(deep)));
        },
        &[
            ("playbooks/x.md", 2, 263, "invalid front matter: recursion limit exceeded"),
            ("playbooks/y.md", 2, 89, "invalid front matter: cannot recurse further"),
        ],
    );
}

// ---------------------------------------------------------------------------
// Empty and minimal files

#[test]
fn an_empty_file_is_a_page_titled_by_its_name() {
    let p = Project::new();
    p.write("playbooks/empty_notes.md", "");
    let report = p.build_ok();
    assert_eq!(report.playbooks, 3);
    assert!(report.warnings.is_empty(), "{}", report.warnings);
    let page = p.page("empty-notes");
    assert!(page.contains("<h1>Empty Notes</h1>"), "{page}");
    assert!(std::fs::read_to_string(p.out().join("index.html")).unwrap().contains("href=\"/empty-notes/\""));
}

#[test]
fn a_file_with_only_front_matter_is_a_page() {
    let p = Project::new();
    p.write("playbooks/only.md", "---\ntitle: Only Front Matter\nsummary: Nothing below the fence.\n---\n");
    p.write("playbooks/only_toml.md", "+++\ntitle = \"Only TOML\"\n+++");
    p.build_ok();
    let page = p.page("only");
    assert!(page.contains("<h1>Only Front Matter</h1>"), "{page}");
    assert!(page.contains("content=\"Nothing below the fence.\""), "{page}");
    assert!(p.page("only-toml").contains("<h1>Only TOML</h1>"));
}

#[test]
fn a_file_of_only_a_bom_or_only_whitespace_is_a_page() {
    let p = Project::new();
    p.write("playbooks/bom.md", b"\xEF\xBB\xBF");
    p.write("playbooks/blank.md", "\n\n   \n\t\n");
    p.write("playbooks/crlf.md", "---\r\ntitle: Windows Lines\r\n---\r\n# Ignored\r\n");
    p.write("playbooks/cr.md", "---\rtitle: Mac Lines\r---\r# Ignored\r\rSome text.\r");
    p.build_ok();
    assert!(p.page("bom").contains("<h1>Bom</h1>"));
    assert!(p.page("blank").contains("<h1>Blank</h1>"));
    assert!(p.page("crlf").contains("<h1>Windows Lines</h1>"));
    let mac = p.page("cr");
    assert!(mac.contains("<h1>Mac Lines</h1>") && mac.contains("<p>Some text.</p>"), "{mac}");
}

// ---------------------------------------------------------------------------
// Slugs

#[test]
fn two_playbooks_with_the_same_slug() {
    assert_broken_build_keeps_output(
        |p| {
            p.write("playbooks/a.md", "---\nslug: same\n---\n# A\n");
            p.write("playbooks/b.md", "+++\nslug = \"same\"\n+++\n# B\n");
            // Two file names that give one slug.
            p.write("playbooks/people/Hiring Loop.md", "# One\n");
            p.write("playbooks/people/hiring_loop.md", "# Two\n");
        },
        &[
            ("playbooks/b.md", 2, 1, "duplicate slug \"same\": playbooks/a.md has the same one"),
            (
                "playbooks/people/hiring_loop.md",
                1,
                1,
                "duplicate slug \"people/hiring-loop\": playbooks/people/Hiring Loop.md has the same one",
            ),
        ],
    );
}

#[test]
fn slugs_that_try_to_leave_the_output_folder_are_refused() {
    let p = Project::new();
    p.build_ok();
    let out_before = snapshot(&p.out());
    let abs = p.sandbox.join("escaped");
    let hostile: Vec<(&str, String)> = vec![
        ("up.md", "---\nslug: ../../x\n---\n".into()),
        ("up_deep.md", "---\ntitle: t\nslug: a/../../../../escaped\n---\n".into()),
        ("up_backslash.md", "---\nslug: '..\\..\\escaped'\n---\n".into()),
        ("dot.md", "---\nslug: ./.\n---\n".into()),
        ("absolute.md", format!("---\nslug: {}\n---\n", abs.display())),
        ("drive.md", "---\nslug: 'C:\\escaped'\n---\n".into()),
        ("nul_yaml.md", "---\nslug: \"a\\u0000b\"\n---\n".into()),
        ("nul_toml.md", "+++\n\nslug = \"a\\u0000b\"\n+++\n".into()),
        ("newline.md", "---\nslug: \"a\\nb\"\n---\n".into()),
        ("toml_up.md", "+++\ntitle = \"t\"\nslug = \"../x\"\n+++\n".into()),
    ];
    for (name, text) in &hostile {
        p.write(&format!("playbooks/{name}"), text);
    }
    let outside_before = snapshot_outside_output(&p);
    let diags = p.build().expect_err("hostile slugs must fail the build");
    assert_errors(
        &diags,
        &[
            ("playbooks/absolute.md", 2, 1, "is an absolute path; pages must stay inside the output folder"),
            ("playbooks/dot.md", 2, 1, "uses `.` or `..`"),
            ("playbooks/drive.md", 2, 1, "is an absolute path"),
            ("playbooks/newline.md", 2, 1, "contains control characters"),
            ("playbooks/nul_toml.md", 3, 1, "contains control characters"),
            ("playbooks/nul_yaml.md", 2, 1, "contains control characters"),
            ("playbooks/toml_up.md", 3, 1, "uses `.` or `..`"),
            ("playbooks/up.md", 2, 1, "slug \"../../x\" uses `.` or `..`; pages must stay inside the output folder"),
            ("playbooks/up_backslash.md", 2, 1, "uses `.` or `..`"),
            ("playbooks/up_deep.md", 3, 1, "uses `.` or `..`"),
        ],
    );
    assert_eq!(snapshot(&p.out()), out_before);
    assert_eq!(snapshot_outside_output(&p), outside_before, "something was written outside the output folder");
    assert!(!abs.exists());
    for gone in ["x", "escaped"] {
        assert!(!p.sandbox.join(gone).exists() && !p.sandbox.join("outer").join(gone).exists());
    }
}

#[test]
fn odd_slugs_that_stay_inside_are_written_inside() {
    let p = Project::new();
    p.write("playbooks/a.md", "---\nslug: x/..hidden\n---\n# A\n");
    p.write("playbooks/b.md", "---\nslug: \"%2e%2e%2fescaped\"\n---\n# B\n");
    p.write("playbooks/c.md", "---\nslug: \"~/home\"\n---\n# C\n");
    p.write("playbooks/d.md", "---\nslug: 'a\\b'\n---\n# D\n");
    p.write("playbooks/e.md", "---\nslug: \"  spaced / out  \"\n---\n# E\n");
    // File names that would be `.` or `..` once their extension is gone.
    let outside_before = snapshot_outside_output(&p);
    p.build_ok();
    assert_eq!(snapshot_outside_output(&p), outside_before, "something was written outside the output folder");
    for site_path in ["x/hidden", "2e-2e-2fescaped", "home", "a/b", "spaced/out"] {
        assert!(p.out().join(site_path).join("index.html").is_file(), "{site_path}");
    }
}

#[test]
fn file_names_without_letters_are_refused() {
    assert_broken_build_keeps_output(
        |p| {
            p.write("playbooks/..md", "# Dot dot\n");
            p.write("playbooks/...md", "# Three dots\n");
            p.write("playbooks/+++.md", "# Plus\n");
        },
        // Names starting with a dot are hidden, and skipped like an editor's files.
        &[("playbooks/+++.md", 1, 1, "the file name gives an empty slug")],
    );
}

#[test]
fn names_too_long_for_a_file_system_are_errors_at_their_line() {
    let long = "a".repeat(300);
    assert_broken_build_keeps_output(
        |p| {
            p.write("playbooks/x.md", format!("---\ntitle: x\nslug: {long}\n---\n"));
            p.write("playbooks/y.md", format!("---\ntitle: y\ntags: [ok, {long}]\n---\n"));
            p.write("playbooks/z.md", format!("+++\ntrack = \"{long}\"\n+++\n"));
        },
        &[
            ("playbooks/x.md", 3, 1, "has a part of 300 bytes, longer than the 255 bytes a file system allows"),
            (
                "playbooks/y.md",
                3,
                1,
                "makes a folder name of 300 bytes, longer than the 255 bytes a file system allows",
            ),
            ("playbooks/z.md", 2, 1, "makes a folder name of 300 bytes"),
        ],
    );
}

// ---------------------------------------------------------------------------
// Markup in text

/// No output file may carry a live script from the playbooks.
fn assert_no_live_markup(p: &Project) {
    for (path, bytes) in snapshot(&p.out()) {
        let text = String::from_utf8_lossy(&bytes);
        for live in ["<script>alert", "<img src=x", "<b>bold</b>"] {
            assert!(!text.contains(live), "{} contains {live:?}", path.display());
        }
    }
}

#[test]
fn html_in_front_matter_comes_out_escaped() {
    let p = Project::new();
    p.write(
        "playbooks/x.md",
        "---\ntitle: \"<script>alert(1)</script>\"\nsummary: \"<b>bold</b> summary\"\ntrack: \"<img src=x onerror=alert(2)>\"\nlevel: \"<script>alert(3)</script>\"\ntags: [\"<script>alert(4)</script>\"]\nstory:\n  title: \"<script>alert(5)</script>\"\n  officer: \"<script>alert(6)</script>\"\n  problem: \"</p><script>alert(7)</script>\"\n  quote: \"\\\"><script>alert(8)</script>\"\nowner: \"<script>alert(9)</script>\"\n---\nBody.\n",
    );
    p.build_ok();
    assert_no_live_markup(&p);
    let page = p.page("x");
    for visible in [
        "&lt;script&gt;alert(1)",
        "&lt;b&gt;bold",
        "&lt;img src=x onerror=alert(2)&gt;",
        "&lt;script&gt;alert(3)",
        "&lt;script&gt;alert(6)",
    ] {
        assert!(page.contains(visible), "{visible} is not visible in\n{page}");
    }
    // The tag's page exists under its slug, with the name escaped.
    let tag = p.page("tags/script-alert-4-script");
    assert!(tag.contains("&lt;script&gt;alert(4)"), "{tag}");
}

#[test]
fn html_in_headings_comes_out_escaped() {
    let p = Project::new();
    p.write(
        "playbooks/x.md",
        "# <script>alert(1)</script>\n\n## <script>alert(2)</script> Plans\n\n## Frameworks\n\n### <img src=x onerror=alert(3)> Buy\nText.\n\n#### <b>bold</b> four\n",
    );
    p.build_ok();
    assert_no_live_markup(&p);
    let page = p.page("x");
    for visible in [
        "&lt;script&gt;alert(1)",
        "&lt;script&gt;alert(2)&lt;/script&gt; Plans",
        "&lt;img src=x onerror=alert(3)&gt; Buy",
        "&lt;b&gt;bold&lt;/b&gt; four",
    ] {
        assert!(page.contains(visible), "{visible} is not visible in\n{page}");
    }
}

#[test]
fn a_quote_in_a_code_fence_language_cannot_add_attributes() {
    let p = Project::new();
    p.write("playbooks/x.md", "# X\n\n```rust\" onmouseover=\"alert(1)\nfn main() {}\n```\n\n```\"x\nplain\n```\n");
    p.build_ok();
    let page = p.page("x");
    assert!(!page.contains("onmouseover=\"alert"), "{page}");
    assert!(
        page.contains("<code class=\"language-rust&quot;\">fn main() {}"),
        "the first word is the language:\n{page}"
    );
    assert!(page.contains("<code class=\"language-&quot;x\">plain"), "{page}");
}

#[test]
fn html_in_a_heading_is_the_title_as_text() {
    // The part that does not depend on the body renderer: the H1 becomes the
    // title, escaped, and the table of contents shows the heading as written.
    let p = Project::new();
    p.write("playbooks/x.md", "# <script>alert(1)</script>\n\n## <script>alert(2)</script> Plans\n\nText.\n");
    p.build_ok();
    let page = p.page("x");
    assert!(page.contains("<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(2)&lt;/script&gt; Plans</a>"), "{page}");
}

// ---------------------------------------------------------------------------
// Encoding

#[test]
fn a_file_that_is_not_utf8_names_the_byte_offset() {
    assert_broken_build_keeps_output(
        |p| {
            p.write("playbooks/x.md", b"ok\nab\xFFc\n".as_slice());
            // Latin-1 `café` in the front matter.
            p.write("playbooks/latin1.md", b"---\ntitle: caf\xE9\n---\n".as_slice());
            // UTF-16 with its byte-order mark.
            p.write("playbooks/utf16.md", b"\xFF\xFE#\x00 \x00T\x00".as_slice());
            // A truncated emoji at the very end.
            p.write("playbooks/truncated.md", b"# Scroll \xF0\x9F\x93".as_slice());
        },
        &[
            ("playbooks/latin1.md", 2, 11, "not valid UTF-8: byte 0xE9 at byte offset 14"),
            ("playbooks/truncated.md", 1, 10, "not valid UTF-8: byte 0xF0 at byte offset 9"),
            ("playbooks/utf16.md", 1, 1, "not valid UTF-8: byte 0xFF at byte offset 0"),
            ("playbooks/x.md", 2, 3, "not valid UTF-8: byte 0xFF at byte offset 5"),
        ],
    );
}

#[test]
fn mojibake_is_repaired_with_a_warning_and_builds() {
    let p = Project::new();
    p.write("playbooks/x.md", "# Title\n\n## ðŸ“œ Story Mode: Itâ€™s On\n\n> **Officer**: CTO\n");
    let report = p.build_ok();
    let w: Vec<_> = report.warnings.iter().map(|d| (playbook::diagnostic::display_path(&d.file), d.line)).collect();
    assert_eq!(w, [("playbooks/x.md".to_string(), 3)]);
    let page = p.page("x");
    assert!(page.contains("It’s On"), "{page}");
}

#[test]
fn parts_written_in_a_shape_the_handbook_does_not_read_are_warned_about_at_their_heading() {
    let p = Project::new();
    p.write(
        "playbooks/x.md",
        "# Title\n\n## Story Mode: S\n\n**Officer**: CTO, without a blockquote\n\n## 4. The Exit Games\n\n\
         | Option | Pros |\n|-|-|\n| Stay | Safe |\n\n## 5. Strategic Frameworks\n\n#### Cynefin\n\nText.\n",
    );
    p.write("playbooks/y.md", "# Y\n\n## Notes\n\n### Story Mode: Later\n\n> **Officer**: CTO\n");
    let report = p.build_ok();
    let mut w: Vec<_> = report
        .warnings
        .iter()
        .map(|d| (playbook::diagnostic::display_path(&d.file), d.line, d.message.clone()))
        .collect();
    w.sort();
    let at = |file: &str, line, message: &str| (format!("playbooks/{file}"), line, message.to_string());
    assert_eq!(
        w,
        [
            at("x.md", 3, "the Story Mode section has no briefing, so its card is empty"),
            at("x.md", 7, "`4. The Exit Games` holds no exit games, so none reaches the exit games catalog"),
            at("x.md", 13, "`5. Strategic Frameworks` holds no frameworks, so none reaches the frameworks catalog"),
            at("y.md", 5, "`Story Mode: Later` is not read as the Story Mode briefing"),
        ]
    );
    // The page still shows all of it.
    let page = p.page("x");
    assert!(page.contains("<td>Stay</td>") && page.contains("Cynefin"), "{page}");
}

#[test]
fn two_playbooks_of_a_track_with_the_same_title_are_warned_about() {
    let p = Project::new();
    p.write("playbooks/ops/a.md", "# Incident Review\n");
    p.write("playbooks/ops/b.md", "# incident review\n");
    p.write("playbooks/people/c.md", "# Incident Review\n");
    let report = p.build_ok();
    let w: Vec<_> = report
        .warnings
        .iter()
        .map(|d| (playbook::diagnostic::display_path(&d.file), d.message.clone(), d.hint.clone().unwrap_or_default()))
        .collect();
    assert_eq!(w.len(), 1, "another track tells the third apart: {w:?}");
    assert_eq!(w[0].1, "another playbook of its track has the same title");
    assert!(w[0].2.contains("playbooks/ops/"), "{w:?}");
}

// ---------------------------------------------------------------------------
// Size and depth

#[test]
fn a_twenty_megabyte_playbook_builds() {
    let mut text = String::from(
        "---\ntitle: Big\n---\n# Big\n\n## Story Mode: Volume\n\n> **Officer**: Archivist\n> **The Problem**: Too much text.\n\n## Strategic Frameworks\n\n",
    );
    let para = "Lorem ipsum dolor sit amet, **consectetur** adipiscing elit, see [[good#alpha-plan]] and `code` too. Ünïcödé ✅ text.\n";
    let mut i = 0;
    while text.len() < 20 * 1024 * 1024 {
        if i % 2_000 == 0 {
            text.push_str(&format!("\n### Framework {i}\n\n* **Don't say**: \"No.\"\n* **Do say**: \"Yes, {i}.\"\n\n"));
        }
        text.push_str(para);
        if i % 8 == 7 {
            text.push('\n');
        }
        i += 1;
    }
    text.push_str("\n### The Last Framework\n\nThe end.\n");
    let p = Project::new();
    p.write("playbooks/big.md", &text);
    let start = Instant::now();
    let report = p.build_ok();
    let elapsed = start.elapsed();
    assert_eq!(report.playbooks, 3);
    let page = p.page("big");
    assert!(page.len() > 20 * 1024 * 1024, "{}", page.len());
    assert!(page.contains("id=\"the-last-framework\""));
    assert!(page.contains("The end."));
    let backlinks = p.page("good");
    assert!(backlinks.contains("href=\"/big/\""), "the big page's links count");
    // Generous: a few seconds in debug on a busy machine; quadratic work
    // over 20 MB would take minutes.
    assert!(elapsed < Duration::from_secs(120), "20 MB took {elapsed:?}");
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// The rendered Markdown of a playbook page, without the theme around it.
fn body_of(page: &str) -> &str {
    let start = page.find("<div class=\"playbook-body\">").expect("a playbook body");
    let len = page[start..].find("</div>").expect("the body's end");
    &page[start..start + len]
}

#[test]
fn ten_thousand_nested_lists_build_without_overflowing_the_stack() {
    let p = Project::new();
    p.write("playbooks/bullets.md", format!("# Bullets\n\n{}deep\n", "- ".repeat(10_000)));
    p.write("playbooks/numbers.md", format!("# Numbers\n\n{}deep\n", "1. ".repeat(10_000)));
    p.write("playbooks/mixed.md", format!("# Mixed\n\n{}deep\n", "> - ".repeat(5_000)));
    p.build_ok();
    let bullets = p.page("bullets");
    let bullets = body_of(&bullets);
    assert_eq!(count(bullets, "<ul>"), 10_000);
    assert_eq!(count(bullets, "</ul>"), 10_000);
    assert!(bullets.contains("<li>deep</li>"));
    assert_eq!(count(body_of(&p.page("numbers")), "<ol>"), 10_000);
    let mixed = p.page("mixed");
    let mixed = body_of(&mixed);
    assert_eq!(count(mixed, "<blockquote>"), 5_000);
    assert_eq!(count(mixed, "<ul>"), 5_000);
}

#[test]
fn ten_thousand_nested_blockquotes_build_without_overflowing_the_stack() {
    let p = Project::new();
    p.write("playbooks/quotes.md", format!("# Quotes\n\n{} deep\n", ">".repeat(10_000)));
    // The same, where the Story Mode briefing is read from a blockquote.
    p.write(
        "playbooks/story.md",
        format!("# Story\n\n## Story Mode: Deep\n\n{} **Officer**: Deep\n", "> ".repeat(10_000)),
    );
    p.build_ok();
    let quotes = p.page("quotes");
    let quotes = body_of(&quotes);
    assert_eq!(count(quotes, "<blockquote>"), 10_000);
    assert_eq!(count(quotes, "</blockquote>"), 10_000);
    assert!(quotes.contains("<p>deep</p>"));
    assert!(p.page("story").contains("Deep"));
}

#[test]
fn ten_thousand_nested_emphasis_links_and_brackets_build() {
    let p = Project::new();
    p.write("playbooks/stars.md", format!("# Stars\n\n{}x{}\n", "*".repeat(10_000), "*".repeat(10_000)));
    // The innermost `[[good]]` is a wiki link; the rest stays text.
    p.write("playbooks/brackets.md", format!("# Brackets\n\n{}good{}\n", "[".repeat(10_000), "]".repeat(10_000)));
    p.write("playbooks/wiki.md", format!("# Wiki\n\n{}good{}\n", "[[".repeat(5_000), "]]".repeat(5_000)));
    p.write("playbooks/parens.md", format!("# Parens\n\n[x]({}y{})\n", "(".repeat(10_000), ")".repeat(10_000)));
    p.build_ok();
    assert!(p.page("stars").contains('x'));
    assert!(p.page("brackets").contains("href=\"/good/\""));
}

#[test]
fn many_headings_each_with_a_link_build_in_linear_time() {
    let p = Project::new();
    let body: String = (0..50_000).map(|i| format!("## Part {i}\n\nSee [[good]].\n\n")).collect();
    p.write("playbooks/x.md", format!("# X\n\n{body}"));
    let start = Instant::now();
    p.build_ok();
    assert!(start.elapsed() < Duration::from_secs(60), "{:?}", start.elapsed());
}

// ---------------------------------------------------------------------------
// The file system

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_the_only_error_and_the_rest_still_builds() {
    let p = Project::new();
    p.build_ok();
    let before = snapshot(&p.out());
    std::fs::create_dir_all(p.root.join("playbooks/team")).unwrap();
    p.write("playbooks/team/member.md", "# Member\n\nSee [[good]].\n");
    std::os::unix::fs::symlink("..", p.root.join("playbooks/team/loop")).unwrap();
    let diags = p.build().expect_err("a symlink loop fails the build");
    assert_errors(&diags, &[("playbooks/team/loop", 0, 0, "symbolic link loop")]);
    assert_eq!(diags.len(), 1, "{diags}");
    assert_eq!(snapshot(&p.out()), before);
    // Once the loop is gone, the rest builds.
    std::fs::remove_file(p.root.join("playbooks/team/loop")).unwrap();
    p.build_ok();
    assert!(p.page("team/member").contains("<h1>Member</h1>"));
}

#[cfg(unix)]
#[test]
fn a_dangling_symlink_is_an_error_naming_it() {
    assert_broken_build_keeps_output(
        |p| std::os::unix::fs::symlink("nowhere.md", p.root.join("playbooks/dangling.md")).unwrap(),
        &[("playbooks/dangling.md", 0, 0, "broken symbolic link to `nowhere.md`: No such file or directory")],
    );
}

#[cfg(unix)]
#[test]
fn special_files_named_md_are_not_read() {
    // A FIFO would block a read forever; devices are endless.
    let p = Project::new();
    let fifo = p.root.join("playbooks/pipe.md");
    let status = Command::new("mkfifo").arg(&fifo).status();
    std::os::unix::fs::symlink("/dev/zero", p.root.join("playbooks/zero.md")).unwrap();
    let report = p.build_ok();
    assert_eq!(report.playbooks, 2);
    if status.is_ok_and(|s| s.success()) {
        assert!(fifo.exists());
    }
}

#[cfg(unix)]
fn running_as_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

#[cfg(unix)]
#[test]
fn a_file_that_cannot_be_read() {
    use std::os::unix::fs::PermissionsExt;
    let p = Project::new();
    p.build_ok();
    let before = snapshot(&p.out());
    let secret = p.root.join("playbooks/secret.md");
    p.write("playbooks/secret.md", "# Secret\n");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    let readable = std::fs::read(&secret).is_ok();
    let result = p.build();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
    if readable {
        // Root reads any file whatever its mode: the page is built.
        assert!(running_as_root() || readable, "chmod 000 did not stop reading");
        eprintln!(
            "a_file_that_cannot_be_read: running as root, chmod 000 does not prevent reading; checking that it builds"
        );
        result.unwrap_or_else(|d| panic!("{d}"));
        assert!(p.page("secret").contains("<h1>Secret</h1>"));
    } else {
        let diags = result.expect_err("an unreadable file fails the build");
        assert_errors(&diags, &[("playbooks/secret.md", 1, 1, "cannot read this file: Permission denied")]);
        assert_eq!(snapshot(&p.out()), before);
    }
}

/// A file that even root cannot read: a link to `/proc/self/mem`, whose
/// first page is never mapped, fails every read with an I/O error.
#[cfg(target_os = "linux")]
#[test]
fn a_file_that_fails_to_read_even_as_root() {
    if std::fs::read("/proc/self/mem").is_ok() {
        eprintln!("a_file_that_fails_to_read_even_as_root: /proc/self/mem is readable here; skipped");
        return;
    }
    assert_broken_build_keeps_output(
        |p| std::os::unix::fs::symlink("/proc/self/mem", p.root.join("playbooks/mem.md")).unwrap(),
        &[("playbooks/mem.md", 0, 0, "cannot read this file")],
    );
}

#[test]
fn a_static_file_never_replaces_a_generated_page() {
    let p = Project::new();
    p.build_ok();
    let before = snapshot(&p.out());
    p.write("static/good/index.html", "<p>not the playbook</p>");
    p.write("static/robots.txt", "User-agent: *\n");
    let diags = p.build().expect_err("a static file replacing a page fails the build");
    // Found before anything is written (so `check` reports it too), at the static file.
    let e: Vec<_> = diags
        .iter()
        .filter(|d| d.is_error())
        .map(|d| (playbook::diagnostic::display_path(&d.file), d.message.as_str()))
        .collect();
    assert_eq!(
        e,
        [(
            "static/good/index.html".to_string(),
            "would replace `good/index.html`, which playbook generates; the generated file would be lost"
        )]
    );
    assert_eq!(snapshot(&p.out()), before);
    std::fs::remove_file(p.root.join("static/good/index.html")).unwrap();
    p.build_ok();
    assert!(p.page("good").contains("<h1>Good Playbook</h1>"));
    assert_eq!(std::fs::read_to_string(p.out().join("robots.txt")).unwrap(), "User-agent: *\n");
}

// ---------------------------------------------------------------------------
// All at once, and through the binary

/// Every broken file of this suite in one project: each error once, sorted.
#[test]
fn every_problem_is_reported_in_one_build() {
    let diags = assert_broken_build_keeps_output(
        |p| {
            p.write("playbooks/a_yaml.md", "---\ntitle: ok\ntags: [a, b\n---\n");
            p.write("playbooks/b_toml.md", "+++\ntitle = \"ok\"\nsummary = \"never closed\n+++\n");
            p.write("playbooks/c_unclosed.md", "---\ntitle: x\n");
            p.write("playbooks/d_utf8.md", b"ok\nab\xFFc\n".as_slice());
            p.write("playbooks/e_slug.md", "---\nslug: ../../x\n---\n");
            p.write("playbooks/f_link.md", "# F\n\n[[nowhere]]\n");
        },
        &[
            ("playbooks/a_yaml.md", 3, 7, "unclosed bracket"),
            ("playbooks/b_toml.md", 3, 24, "invalid basic string"),
            ("playbooks/c_unclosed.md", 1, 1, "never closed"),
            ("playbooks/d_utf8.md", 2, 3, "byte offset 5"),
            ("playbooks/e_slug.md", 2, 1, "uses `.` or `..`"),
            ("playbooks/f_link.md", 3, 1, "no playbook \"nowhere\""),
        ],
    );
    assert_eq!(diags.error_count(), 7);
}

fn run_binary(args: &[&str], root: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_playbook"))
        .args(args)
        .arg("--root")
        .arg(root)
        .output()
        .expect("run the playbook binary");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_binary_exits_1_and_lists_every_error_with_its_position() {
    let p = Project::new();
    let (code, _, stderr) = run_binary(&["build"], &p.root);
    assert_eq!(code, 0, "{stderr}");
    let before = snapshot(&p.out());
    p.write("playbooks/x.md", "---\ntitle: ok\ntags: [a, b\n---\n");
    p.write("playbooks/y.md", b"ok\nab\xFFc\n".as_slice());
    p.write("playbooks/z.md", "---\nslug: ../../x\n---\n");
    p.write("playbooks/other.md", OTHER_TYPO);
    for command in ["build", "check"] {
        let (code, _, stderr) = run_binary(&[command], &p.root);
        assert_eq!(code, 1, "{command}: {stderr}");
        let errors: Vec<&str> = stderr.lines().filter(|l| l.contains(": error: ")).collect();
        assert_eq!(
            errors,
            [
                format!("playbooks/other.md:3:5: error: {TYPO_MESSAGE}").as_str(),
                "playbooks/x.md:3:7: error: invalid front matter: unclosed bracket '['",
                "playbooks/y.md:2:3: error: not valid UTF-8: byte 0xFF at byte offset 5",
                "playbooks/z.md:2:1: error: slug \"../../x\" uses `.` or `..`; pages must stay inside the output folder",
            ],
            "{command}: {stderr}"
        );
        assert!(stderr.contains("4 problems found; nothing was written"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert_eq!(snapshot(&p.out()), before);
}

#[test]
fn the_binary_reports_an_unclosed_fence_at_line_1() {
    let p = Project::new();
    p.write("playbooks/x.md", "---\ntitle: x\n");
    let (code, _, stderr) = run_binary(&["check"], &p.root);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.starts_with("playbooks/x.md:1:1: error: front matter opened with `---` is never closed\n"),
        "{stderr}"
    );
}

#[test]
fn the_binary_builds_deeply_nested_input() {
    let p = Project::new();
    p.write("playbooks/deep.md", format!("{}deep\n\n{} deep\n", "- ".repeat(10_000), ">".repeat(10_000)));
    let (code, stdout, stderr) = run_binary(&["build"], &p.root);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("Built 3 playbooks"), "{stdout}");
    assert!(p.page("deep").contains("deep"));
}
