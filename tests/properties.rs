//! Property tests: whatever a playbook holds, checking it never panics, and
//! every error it gets points at a real place in a file under `playbooks/`.
//! Case counts are capped so the suite stays fast in the normal test run.

use std::path::PathBuf;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use playbook::{BuildOptions, Diagnostics};

fn config(cases: u32) -> Config {
    // PROPTEST_CASES runs more for a deeper search. No regression files are
    // written into the repository; a failure prints its minimal input instead.
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(cases);
    Config { cases, failure_persistence: None, ..Config::default() }
}

/// A project with one good playbook; each case rewrites `playbooks/x.md`.
struct Project {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

impl Project {
    fn new() -> Project {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        std::fs::create_dir_all(root.join("playbooks")).unwrap();
        std::fs::write(root.join("playbooks/good.md"), "# Good\n\n## Strategic Frameworks\n\n### Alpha Plan\nText.\n")
            .unwrap();
        Project { _tmp: tmp, root }
    }

    fn check(&self, x: &[u8]) -> Result<Diagnostics, Diagnostics> {
        std::fs::write(self.root.join("playbooks/x.md"), x).unwrap();
        playbook::check(&BuildOptions::new(&self.root))
    }
}

/// The invariants of one `check`: no panic (the runner catches one), and an
/// `Err` holds at least one error; every diagnostic is in a file under
/// `playbooks/`, at a line and column that exist in it.
fn assert_well_formed(
    project: &Project,
    x: &[u8],
    result: Result<Diagnostics, Diagnostics>,
) -> Result<(), TestCaseError> {
    let diags = match result {
        Ok(warnings) => {
            prop_assert!(!warnings.has_errors(), "Ok with errors:\n{}", warnings);
            warnings
        }
        Err(diags) => {
            prop_assert!(diags.has_errors(), "Err without an error:\n{}", diags);
            diags
        }
    };
    for d in diags.iter() {
        prop_assert!(d.file.starts_with("playbooks"), "diagnostic outside playbooks/: {}", d);
        prop_assert!(d.line >= 1 && d.column >= 1, "position below 1:1: {}", d);
        let text = std::fs::read(project.root.join(&d.file)).unwrap_or_default();
        let text = String::from_utf8_lossy(&text);
        let lines = text_lines(&text);
        prop_assert!(d.line <= lines.len(), "line past the end of the file: {}", d);
        let line = lines[d.line - 1];
        prop_assert!(d.column <= line.chars().count() + 1, "column past the end of line {:?}: {}", line, d);
    }
    let _ = x;
    Ok(())
}

/// The lines of `text` as CommonMark ends them: at LF, CRLF (the CR stays
/// on its line) or a lone CR.
fn text_lines(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            lines.push(&text[start..i]);
            start = i + 1;
        }
    }
    lines.push(&text[start..]);
    lines
}

#[test]
fn arbitrary_bytes_as_a_playbook() {
    let project = Project::new();
    let bytes = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        // Text-like bytes: mostly ASCII with some high bytes and fences.
        proptest::collection::vec(
            prop_oneof![
                4 => 0x20u8..0x7F,
                1 => Just(b'\n'),
                1 => any::<u8>(),
                1 => prop::sample::select(b"-+#>[]*`\r\t".to_vec()),
            ],
            0..512
        ),
    ];
    TestRunner::new(config(256))
        .run(&bytes, |x| {
            let result = project.check(&x);
            assert_well_formed(&project, &x, result)
        })
        .unwrap();
}

/// Pieces of playbooks, valid and broken.
const FRAGMENTS: &[&str] = &[
    "# Title",
    "# track: Title (Level)",
    "## 📜 Story Mode: The CTO",
    "## ðŸ“œ Story Mode: Mojibake",
    "## Story Mode",
    "> **Mission Date**: 2050.01.01",
    "> **Officer**: CTO",
    "> **The Problem**: It breaks.",
    "> But keeps going",
    "> *\"Team. We pivot.\"*",
    ">",
    "> > nested",
    "> [!NOTE]",
    "## 2. Strategic Frameworks",
    "## Frameworks",
    "## The Exit Games",
    "### 2.2 Buy vs Build",
    "### Buy vs Build",
    "### ",
    "#### Deeper",
    "[[good]]",
    "[[good#alpha-plan]]",
    "[[good#nowhere]]",
    "[[nowhere]]",
    "[[#alpha-plan]]",
    "[[#buy-vs-build|here]]",
    "[[good|label]]",
    "[[",
    "]]",
    "[[|]]",
    "[[#]]",
    "[text](good.md#alpha-plan)",
    "[up](../../outside.md)",
    "[ext](https://example.com)",
    "[js](javascript:alert(1))",
    "![img](pic.png)",
    "- item",
    "  - nested item",
    "1. first",
    "- [ ] task",
    "* **Don't say**: \"No.\"",
    "* **Do say**: \"Yes.\"",
    "```",
    "```rust",
    "```mermaid",
    "~~~",
    "fn main() {}",
    "    indented code",
    "| a | b |",
    "|---|---|",
    "[^1]",
    "[^1]: A note.",
    "---",
    "+++",
    "***",
    "**",
    "_",
    "`",
    "\\",
    "<script>alert(1)</script>",
    "<!--",
    "-->",
    "&amp; &#0; &#xFFFFFF;",
    ":smile: :nosuchcode:",
    "$x^2$",
    "😀 👩‍👩‍👧 ✅",
    "ðŸ“œ âœ… Itâ€™s",
    "Ã",
    "é\u{301}\u{200d}",
    "\u{feff}",
    "\t",
    "\r",
    "",
    "Plain words.",
];

/// Front matter lines, valid and broken, YAML and TOML.
const YAML_KEYS: &[&str] = &[
    "title: A Title",
    "title: [a, b]",
    "title: \"<script>alert(1)</script>\"",
    "slug: custom-slug",
    "slug: ../../x",
    "slug: \"a\\u0000b\"",
    "slug: good",
    "slug: assets",
    "track: People",
    "track: people",
    "level: 3",
    "tags: [a, b]",
    "tags: hiring",
    "tags: [[nested]]",
    "weight: 2",
    "weight: heavy",
    "draft: false",
    "draft: maybe",
    "summary: Short.",
    "story:",
    "  officer: CTO",
    "  ofcer: typo",
    "story: 5",
    "owner: sam",
    "key: : bad",
    "  badly: indented",
    "[unclosed",
    "ðŸ“œ: mojibake",
];

const TOML_KEYS: &[&str] = &[
    "title = \"A Title\"",
    "title = [1]",
    "slug = \"custom-slug\"",
    "slug = \"../x\"",
    "tags = [\"a\"]",
    "tags = \"a\"",
    "weight = 1",
    "draft = \"no\"",
    "[story]",
    "officer = \"CTO\"",
    "mission_date = 2050-01-01",
    "story = 5",
    "summary = \"never closed",
    "= no key",
];

fn lines_of(pool: &'static [&'static str], max: usize) -> impl Strategy<Value = Vec<String>> {
    let piece = prop_oneof![
        8 => prop::sample::select(pool).prop_map(str::to_string),
        // Random text, including any Unicode.
        1 => any::<String>().prop_map(|s| s.chars().take(24).collect()),
        // Two pieces run together on one line.
        1 => (prop::sample::select(pool), prop::sample::select(pool)).prop_map(|(a, b)| format!("{a}{b}")),
    ];
    proptest::collection::vec(piece, 0..max)
}

fn playbook_text() -> impl Strategy<Value = String> {
    let front = prop_oneof![
        2 => Just(None),
        2 => lines_of(YAML_KEYS, 8).prop_map(|l| Some(("---", l))),
        1 => lines_of(TOML_KEYS, 6).prop_map(|l| Some(("+++", l))),
    ];
    let closed = prop_oneof![6 => Just(true), 1 => Just(false)];
    let newline = prop_oneof![6 => Just("\n"), 1 => Just("\r\n")];
    let blank_between = any::<bool>();
    (front, closed, lines_of(FRAGMENTS, 40), newline, blank_between).prop_map(|(front, closed, body, nl, blank)| {
        let mut text = String::new();
        if let Some((fence, lines)) = front {
            text.push_str(fence);
            text.push_str(nl);
            for l in lines {
                text.push_str(&l);
                text.push_str(nl);
            }
            if closed {
                text.push_str(fence);
                text.push_str(nl);
            }
        }
        for l in body {
            text.push_str(&l);
            text.push_str(nl);
            if blank {
                text.push_str(nl);
            }
        }
        text
    })
}

#[test]
fn arbitrary_markdown_with_front_matter() {
    let project = Project::new();
    TestRunner::new(config(256))
        .run(&playbook_text(), |text| {
            let result = project.check(text.as_bytes());
            assert_well_formed(&project, text.as_bytes(), result)
        })
        .unwrap();
}

/// The same texts also build: what `check` accepts is written, inside the output.
#[test]
fn what_check_accepts_builds() {
    let project = Project::new();
    let out = project.root.join("public");
    TestRunner::new(config(48))
        .run(&playbook_text(), |text| {
            let checked = project.check(text.as_bytes());
            let built = playbook::build(&BuildOptions::new(&project.root), false);
            prop_assert_eq!(checked.is_ok(), built.is_ok(), "check and build disagree");
            if built.is_ok() {
                prop_assert!(out.join("good/index.html").is_file());
            }
            let strays: Vec<_> = std::fs::read_dir(&project.root)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n != "playbooks" && n != "public")
                .collect();
            prop_assert!(strays.is_empty(), "left in the project: {:?}", strays);
            Ok(())
        })
        .unwrap();
}

// ---------------------------------------------------------------------------
// Units

fn tricky_text() -> impl Strategy<Value = String> {
    let tricky = prop::sample::select(vec![
        "İ", "ǅ", "ẞ", "Σ", "ς", "Ꭰ", "ﬁ", "Ⱥ", "\u{301}", "\u{200d}", "٣", "Ⅻ", "①", "_", "-", " ", "--", ".", "/",
        "a", "Z", "9", "📜", "é", "中文", "\u{0}", "\t",
    ]);
    prop_oneof![any::<String>(), proptest::collection::vec(tricky, 0..16).prop_map(|v| v.concat()),]
}

#[test]
fn slugify_is_idempotent_and_plain() {
    TestRunner::new(config(256))
        .run(&tricky_text(), |s| {
            let slug = playbook::slug::slugify(&s);
            prop_assert_eq!(playbook::slug::slugify(&slug), slug.clone(), "not idempotent for {:?}", s);
            for c in slug.chars() {
                let lower: String = c.to_lowercase().collect();
                prop_assert!(c == '-' || (c.is_alphanumeric() && lower == c.to_string()), "{:?} in {:?}", c, slug);
            }
            prop_assert!(!slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"), "{:?}", slug);
            Ok(())
        })
        .unwrap();
}

#[test]
fn repair_line_never_panics_and_leaves_ascii_alone() {
    TestRunner::new(config(256))
        .run(&tricky_text(), |s| {
            let repaired = playbook::mojibake::repair_line(&s);
            if s.is_ascii() {
                prop_assert_eq!(repaired, None);
            }
            Ok(())
        })
        .unwrap();
    TestRunner::new(config(256))
        .run(&proptest::collection::vec(0x20u8..0x7F, 0..64).prop_map(|b| String::from_utf8(b).unwrap()), |s| {
            prop_assert_eq!(playbook::mojibake::repair_line(&s), None);
            Ok(())
        })
        .unwrap();
}

/// What cp1252 shows for a byte (the five undefined bytes as themselves).
fn cp1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}', '\u{90}', '‘',
        '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9F => HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}

/// Whether `s`, garbled, shows a sign that no correct text shows: an emoji,
/// a Latin-1 letter or typographic punctuation (`Ã©`, `â€™`), two
/// characters beyond ASCII in a row, or one right before a letter.
fn surely_garbled(s: &str) -> bool {
    let wide =
        |c: char| c.len_utf8() == 4 || ('\u{80}'..='\u{ff}').contains(&c) || ('\u{2000}'..='\u{2fff}').contains(&c);
    let chars: Vec<char> = s.chars().collect();
    chars.iter().any(|&c| wide(c))
        || chars.windows(2).any(|w| !w[0].is_ascii() && (!w[1].is_ascii() || w[1].is_ascii_alphanumeric()))
}

#[test]
fn repair_line_undoes_mojibake() {
    TestRunner::new(config(256))
        .run(&tricky_text(), |s| {
            let s: String = s.chars().filter(|c| *c != '\n').collect();
            let garbled: String = s.bytes().map(cp1252).collect();
            let repaired = playbook::mojibake::repair_line(&garbled);
            // A garbled line is either left as it is or repaired whole.
            if s.is_ascii() {
                prop_assert_eq!(repaired, None, "garbled {:?}", garbled);
            } else if surely_garbled(&s) {
                prop_assert_eq!(repaired, Some(s.clone()), "garbled {:?}", garbled);
            } else if let Some(r) = repaired {
                prop_assert_eq!(r, s.clone(), "garbled {:?}", garbled);
            }
            Ok(())
        })
        .unwrap();
}

/// `serve` rebuilds through caches keyed by what each page is made of.
/// Whatever the edits (titles, tracks, headings, links between the files,
/// broken front matter), each rebuild must make what a fresh build makes,
/// or a writer would read a stale page.
#[test]
fn a_cached_rebuild_after_any_edits_is_a_fresh_build() {
    let project = Project::new();
    let names = ["good.md", "x.md", "y.md"];
    for name in &names[1..] {
        std::fs::write(project.root.join("playbooks").join(name), "# Start\n\nSee [[good]].\n").unwrap();
    }
    let opts = BuildOptions::new(&project.root);
    let builder = playbook::Builder::new(opts.clone());
    let edits = proptest::collection::vec((0..names.len(), playbook_text()), 1..5);
    TestRunner::new(config(32))
        .run(&edits, |edits| {
            for (file, text) in edits {
                std::fs::write(project.root.join("playbooks").join(names[file]), text).unwrap();
                let cached = builder.render();
                let fresh = playbook::render_site(&opts);
                match (cached, fresh) {
                    (Ok((cached, _)), Ok((fresh, _))) => {
                        let paths = |s: &playbook::Site| s.files.iter().map(|f| f.path.clone()).collect::<Vec<_>>();
                        prop_assert_eq!(paths(&cached), paths(&fresh));
                        for (c, f) in cached.files.iter().zip(&fresh.files) {
                            prop_assert!(c.bytes == f.bytes, "{} differs from a fresh build's", c.path);
                        }
                    }
                    (Err(_), Err(_)) => {}
                    (cached, fresh) => {
                        prop_assert!(false, "cached ok: {}, fresh ok: {}", cached.is_ok(), fresh.is_ok())
                    }
                }
            }
            Ok(())
        })
        .unwrap();
}
