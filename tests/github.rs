//! GitHub parity: what renders on GitHub renders on the site (issue: GitHub parity).

mod common;

use common::*;

const PAGE: &str = "people/growth-plans/index.html";

#[test]
fn images_beside_playbooks_are_published_under_the_base_path() {
    let site = build_fixture(Some("https://example.org/handbook/"));
    let body = site.body(PAGE);
    assert!(body.contains("<img src=\"/handbook/media/people/img/ladder.png\" alt=\"The career ladder\" />"), "{body}");
    let published = std::fs::read(site.path("media/people/img/ladder.png")).unwrap();
    let original = std::fs::read(format!("{FIXTURE}/playbooks/people/img/ladder.png")).unwrap();
    assert_eq!(published, original);
}

#[test]
fn attachments_are_published_and_linked() {
    let site = build_fixture(None);
    let body = site.body(PAGE);
    assert_eq!(link_texts(&body, "/media/people/files/1-1-template.pdf"), ["1:1 template"]);
    assert!(site.path("media/people/files/1-1-template.pdf").exists());
}

#[test]
fn files_nobody_references_are_not_published() {
    let site = build_fixture(None);
    assert!(!site.path("media/people/img/unused.png").exists());
}

#[test]
fn a_missing_file_is_an_error_at_the_reference() {
    let dir = project(&[("playbooks/a.md", "# A\n\nLook: ![chart](img/chart.png)\n")]);
    let run = playbook(&["check", "--root", dir.path().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1));
    assert!(stderr.contains("playbooks/a.md:3:7: error: no file \"img/chart.png\" next to this playbook"), "{stderr}");
}

#[test]
fn an_img_in_raw_html_is_published_and_checked_like_a_markdown_image() {
    // GitHub READMEs size images with HTML: `<img src="img/x.png" width=300>`.
    let page = "# A\n\n<p align=\"center\"><img src=\"img/raw.png\" width=300></p>\n\n\
                Inline <img src=img/raw.png> and <img src=\"https://example.com/x.png?a=1&amp;b=2\">.\n\n\
                > <div>\n> <img alt=\"q\" src='img/raw.png'>\n> </div>\n";
    let story = "# S\n\n## Story Mode\n\n> **Officer**: <img src=\"img/raw.png\" width=20> *CTO*\n";
    let dir = project(&[("playbooks/a.md", page), ("playbooks/s.md", story), ("playbooks/img/raw.png", "PNG")]);
    let site = build_project(dir.path(), Some("/handbook/"));
    let card = site.main("s/index.html");
    assert!(card.contains("<dd><img src=\"/handbook/media/img/raw.png\" width=20> <em>CTO</em></dd>"), "{card}");
    let body = site.body("a/index.html");
    assert!(body.contains("<img src=\"/handbook/media/img/raw.png\" width=300>"), "{body}");
    assert!(body.contains("<img src=/handbook/media/img/raw.png>"), "{body}");
    assert!(body.contains("<img alt=\"q\" src='/handbook/media/img/raw.png'>"), "{body}");
    assert!(
        body.contains("<img src=\"https://example.com/x.png?a=1&amp;b=2\">"),
        "an address elsewhere stays as written"
    );
    assert_eq!(std::fs::read(site.path("media/img/raw.png")).unwrap(), b"PNG");

    let missing = project(&[("playbooks/a.md", "# A\n\n<img src=\"img/gone.png\" width=300>\n")]);
    let (code, stderr) = check(missing.path());
    assert_eq!(code, Some(1));
    assert!(stderr.contains("playbooks/a.md:3:11: error: no file \"img/gone.png\" next to this playbook"), "{stderr}");
}

#[test]
fn a_reference_outside_the_playbooks_is_an_error() {
    let dir = project(&[("playbooks/a.md", "# A\n\n[secret](../../etc/passwd)\n"), ("secret.txt", "x")]);
    let run = playbook(&["check", "--root", dir.path().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        stderr.contains("playbooks/a.md:3:1: error: \"../../etc/passwd\" points outside the playbooks folder"),
        "{stderr}"
    );
}

#[test]
fn each_github_alert_kind_is_a_labelled_callout() {
    let body = build_fixture(None).body(PAGE);
    for (class, label, text) in [
        ("note", "Note", "Growth plans are reviewed every quarter."),
        ("tip", "Tip", "Start from the ladder."),
        ("important", "Important", "Write the plan with the person"),
        ("warning", "Warning", "A plan without dates is a wish."),
        ("caution", "Caution", "Never tie a plan"),
    ] {
        let open = format!("<div class=\"alert alert-{class}\" role=\"note\" aria-label=\"{label}\">");
        let start = body.find(&open).unwrap_or_else(|| panic!("{class} alert"));
        let alert = &body[start..start + body[start..].find("</div>").unwrap()];
        assert!(
            alert.contains(&format!("<span class=\"alert-icon\" aria-hidden=\"true\"></span>{label}</p>")),
            "{alert}"
        );
        assert!(alert.contains(text), "{alert}");
        assert!(!alert.contains("[!"), "the marker is not shown");
    }
}

#[test]
fn emoji_shortcodes_become_emoji_and_unknown_ones_stay() {
    let body = build_fixture(None).body(PAGE);
    assert!(body.contains("🚀 Ship it ✅ but :notanemoji: stays."), "{body}");
}

#[test]
fn mermaid_blocks_become_diagrams_with_a_lazy_script() {
    let site = build_fixture(None);
    let body = site.body(PAGE);
    assert!(
        body.contains("<pre class=\"mermaid\">graph TD\n  A[Engineer] --&gt; B[Senior]"),
        "source readable without JS"
    );
    assert!(site.path("assets/mermaid.min.js").exists());
    let js = site.page("assets/playbook.js");
    assert!(
        js.contains("var pres = document.querySelectorAll(\"pre.mermaid\");\n  if (!pres.length) return;"),
        "loaded only on pages with a diagram"
    );
    assert!(js.contains("assets/mermaid.min.js"));
}

#[test]
fn mermaid_is_not_shipped_without_diagrams() {
    let dir = project(&[("playbooks/a.md", "# A\n\n```rust\nfn x() {}\n```\n")]);
    let site = build_project(dir.path(), None);
    assert!(!site.path("assets/mermaid.min.js").exists());
}

#[test]
fn a_folder_readme_is_the_tracks_landing_page() {
    let site = build_fixture(None);
    let track = site.main("tracks/people/index.html");
    assert!(track.contains("<h1>People</h1>"), "{track}");
    assert!(track.contains("Playbooks about hiring and growing people."), "{track}");
    assert!(
        track.contains("<a href=\"/people/hiring-loop/\">The Hiring Loop</a>"),
        "links in the landing page resolve"
    );
    assert!(track.contains(">Growth Plans</a>"), "the track's playbooks are listed");
    assert!(!site.path("people/readme/index.html").exists(), "not a playbook of its own");
    assert!(!site.page("assets/nav.js").contains("readme"));
}

#[test]
fn links_to_a_folder_landing_page_resolve_there() {
    let body = build_fixture(None).body(PAGE);
    assert_eq!(link_texts(&body, "/tracks/people/"), ["people playbooks", "the People track"]);
}

#[test]
fn html_that_github_allows_passes_through() {
    let body = build_fixture(None).body(PAGE);
    assert!(body.contains("<details>\n<summary>Why plans fail</summary>"));
    assert!(body.contains("<kbd>Ctrl</kbd>+<kbd>S</kbd>"));
    assert!(body.contains("note<sup>1</sup>.<br>"));
}

#[test]
fn safe_html_keeps_only_the_allowlist() {
    let dir = project(&[
        ("playbook.toml", "safe_html = true\n"),
        (
            "playbooks/a.md",
            "# A\n\n<details><summary>More</summary>\n\nHidden.\n</details>\n\n<kbd>K</kbd> <sup>2</sup><br>\n\n<script>alert('x')</script>\n\n<img src=https://example.com/x.png onerror=\"alert(1)\">\n\n<a href=\"javascript:alert(1)\">bad</a>\n\n> [!NOTE]\n> Kept.\n",
        ),
    ]);
    let site = build_project(dir.path(), None);
    let body = site.body("a/index.html");
    assert!(body.contains("<details><summary>More</summary>"), "{body}");
    assert!(body.contains("<kbd>K</kbd> <sup>2</sup><br>"), "{body}");
    assert!(!body.contains("<script") && !body.contains("onerror") && !body.contains("javascript:"), "{body}");
    assert!(body.contains("<div class=\"alert alert-note\" role=\"note\" aria-label=\"Note\">"), "{body}");
}

#[test]
fn raw_html_is_kept_when_authors_are_trusted() {
    let dir = project(&[("playbooks/a.md", "# A\n\n<div class=\"custom\">mine</div>\n")]);
    let body = build_project(dir.path(), None).body("a/index.html");
    assert!(body.contains("<div class=\"custom\">mine</div>"));
}

#[test]
fn frameworks_keep_their_stable_id_as_an_extra_anchor() {
    let body = build_fixture(None).body("career-strategy/index.html");
    assert!(body.contains("<section class=\"framework\" id=\"buy-vs-build\">\n<h3 id=\"22-buy-vs-build\">"));
}
