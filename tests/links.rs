//! Cross-links that never break (issue: cross-links).

mod common;

use common::*;

fn hiring(base: Option<&str>) -> String {
    build_fixture(base).body("people/hiring-loop/index.html")
}

#[test]
fn wiki_links_render_to_page_urls_with_the_target_title() {
    let main = hiring(None);
    assert_eq!(link_texts(&main, "/career-strategy/"), ["From Engineer to Leader", "here"]);
    assert_eq!(link_texts(&main, "/career-strategy/#buy-vs-build"), ["From Engineer to Leader › Buy vs Build"]);
}

#[test]
fn a_github_heading_id_resolves_to_the_same_place() {
    let main = hiring(None);
    assert_eq!(link_texts(&main, "/career-strategy/#22-buy-vs-build"), ["the build question"]);
}

#[test]
fn markdown_links_to_md_files_are_rewritten() {
    let main = hiring(None);
    assert_eq!(link_texts(&main, "/career-strategy/#the-ai-maturity-curve"), ["the curve"]);
}

#[test]
fn same_page_wiki_links_show_the_section_title() {
    let main = hiring(None);
    assert_eq!(link_texts(&main, "#interview-loop"), ["Interview Loop"]);
}

#[test]
fn folder_paths_and_labels_work_in_wiki_links() {
    let main = build_fixture(None).body("ops/incident-review/index.html");
    assert_eq!(link_texts(&main, "/people/hiring-loop/"), ["our hiring playbook"]);
    assert_eq!(link_texts(&main, "/people/hiring-loop/#interview-loop"), ["The Hiring Loop › Interview Loop"]);
}

#[test]
fn every_link_form_carries_the_base_path() {
    let main = hiring(Some("https://example.org/handbook/"));
    assert_eq!(link_texts(&main, "/handbook/career-strategy/"), ["From Engineer to Leader", "here"]);
    assert_eq!(
        link_texts(&main, "/handbook/career-strategy/#buy-vs-build"),
        ["From Engineer to Leader › Buy vs Build"]
    );
    assert_eq!(link_texts(&main, "/handbook/career-strategy/#22-buy-vs-build"), ["the build question"]);
    assert_eq!(link_texts(&main, "/handbook/career-strategy/#the-ai-maturity-curve"), ["the curve"]);
    assert_eq!(link_texts(&main, "#interview-loop"), ["Interview Loop"]);
}

#[test]
fn external_links_are_kept_and_get_noopener() {
    let main = hiring(None);
    assert!(main.contains("<a href=\"https://example.com/hiring\" rel=\"noopener\">Hiring guide</a>"));
}

#[test]
fn back_links_name_the_linking_playbook_and_section() {
    let site = build_fixture(None);
    let main = site.main("career-strategy/index.html");
    let start = main.find("Referenced by").expect("a Referenced by section");
    let refs = &main[start..];
    assert!(
        refs.contains(
            "<a href=\"/people/hiring-loop/#why-it-matters\">The Hiring Loop</a> <small>in Why it matters</small>"
        ),
        "{refs}"
    );
    let ops = site.main("ops/incident-review/index.html");
    // Its section is called what the page is: said once.
    assert!(ops.contains("<a href=\"/people/feedback/\">Giving Feedback</a></li>"), "{ops}");
}

#[test]
fn catalog_entries_show_where_they_are_referenced_from() {
    let main = build_fixture(None).main("frameworks/index.html");
    let entry = main.find("id=\"career-strategy--buy-vs-build\"").expect("entry");
    let end = main[entry..].find("</li>").unwrap() + entry;
    assert!(
        main[entry..end].contains("Referenced from <a href=\"/people/hiring-loop/\">The Hiring Loop</a>"),
        "{}",
        &main[entry..end]
    );
    let whys = main.find("id=\"ops-incident-review--five-whys\"").expect("entry");
    let end = main[whys..].find("</li>").unwrap() + whys;
    assert!(main[whys..end].contains("<a href=\"/people/feedback/\">Giving Feedback</a>"));
}

#[test]
fn related_playbooks_rank_linked_and_tagged_ones_first() {
    let main = build_fixture(None).main("people/hiring-loop/index.html");
    let start = main.find("Related playbooks").expect("related section");
    let related = &main[start..main[start..].find("</section>").unwrap() + start];
    let order: Vec<_> =
        ["Incident Review", "From Engineer to Leader", "Giving Feedback"].iter().map(|t| related.find(t)).collect();
    assert!(order.iter().all(Option::is_some), "{related}");
    // Incident Review links here and shares the "people" tag; it ranks first.
    assert!(order[0] < order[1] && order[0] < order[2], "{related}");
    assert!(related.matches("<li>").count() <= 5);
}

#[test]
fn the_map_lists_every_playbook_as_a_link_in_svg() {
    let site = build_fixture(None);
    let main = site.main("map/index.html");
    assert!(main.contains("<svg class=\"handbook-map\""));
    for (url, title) in [
        ("/career-strategy/", "From Engineer to Leader"),
        ("/people/hiring-loop/", "The Hiring Loop"),
        ("/ops/incident-review/", "Incident Review"),
        ("/people/feedback/", "Giving Feedback"),
    ] {
        assert!(main.contains(&format!("<a href=\"{url}\"><rect class=\"map-node\"")), "{title} node");
        assert!(main.contains(&format!("<title>{title}</title>")), "{title} label");
    }
    let edges = main.split("class=\"map-edge\" d=\"").nth(1).and_then(|d| d.split('"').next()).unwrap_or("");
    assert!(edges.matches('M').count() >= 4, "links drawn as curves of the edge path: {edges}");
    assert!(main.contains("<a href=\"/people/hiring-loop/\">The Hiring Loop</a> <span class=\"map-outline-track\">(People)</span>: links to From Engineer to Leader"), "{main}");
}

#[test]
fn a_long_title_is_cut_in_its_map_box_and_whole_in_its_tooltip() {
    let long = "Négociation & « stratégie » au long cours";
    let exact = "Twenty-six characters ab&";
    let dir = project(&[
        ("playbooks/long.md", &format!("# {long}\n\nText.\n")),
        ("playbooks/exact.md", &format!("# {exact}c\n\nText.\n")),
    ]);
    let main = build_project(dir.path(), None).main("map/index.html");
    assert!(main.contains("map-label\" x=\"30\" y=\"65\">Négociation &amp; « stratégie…</text>"), "{main}");
    assert!(main.contains("<title>Négociation &amp; « stratégie » au long cours</title>"), "{main}");
    // 26 characters fit whole.
    assert!(main.contains(">Twenty-six characters ab&amp;c</text>"), "{main}");
}

const BROKEN: &str = "# Broken\n\nSee [[carreer_strategy]] for more.\n\nAnd [[career_strategy#buy-vs-bild]] too.\n";

fn broken_project() -> tempfile::TempDir {
    let seed = std::fs::read_to_string(format!("{FIXTURE}/playbooks/career_strategy.md")).unwrap();
    project(&[("playbooks/career_strategy.md", &seed), ("playbooks/x.md", BROKEN)])
}

#[test]
fn broken_page_and_anchor_links_fail_build_with_positions_and_suggestions() {
    let dir = broken_project();
    let stderr = failing_build(dir.path());
    assert!(
        stderr
            .contains("playbooks/x.md:3:5: error: no playbook \"carreer_strategy\"; did you mean \"career_strategy\"?"),
        "{stderr}"
    );
    assert!(stderr.contains("playbooks/x.md:5:5: error: no section \"#buy-vs-bild\" in \"career_strategy\"; did you mean \"#buy-vs-build\"?"), "{stderr}");
    assert!(!dir.path().join("public").exists());
}

#[test]
fn check_reports_the_same_errors_without_writing() {
    let dir = broken_project();
    let run = playbook(&["check", "--root", dir.path().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("playbooks/x.md:3:5: error: no playbook \"carreer_strategy\""), "{stderr}");
    assert!(stderr.contains("playbooks/x.md:5:5: error: no section \"#buy-vs-bild\""), "{stderr}");
    assert!(!dir.path().join("public").exists());
}

#[test]
fn check_passes_on_a_sound_handbook() {
    let run = playbook(&["check", "--root", FIXTURE]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
}

#[test]
fn broken_markdown_file_links_are_errors_too() {
    let dir = project(&[("playbooks/a.md", "# A\n\n[b](b.md) and [c](missing.md#x)\n"), ("playbooks/b.md", "# B\n")]);
    let run = playbook(&["check", "--root", dir.path().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1));
    assert!(stderr.contains("playbooks/a.md:3:15: error: no playbook file \"missing.md\""), "{stderr}");
    assert_eq!(stderr.matches("error:").count(), 2, "one problem plus the summary: {stderr}");
}

#[test]
fn front_matter_lines_count_in_link_positions() {
    let dir = project(&[("playbooks/a.md", "---\ntitle: A\n---\n\nSee [[nope]].\n")]);
    let run = playbook(&["check", "--root", dir.path().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("playbooks/a.md:5:5: error: no playbook \"nope\""), "{stderr}");
}

#[test]
fn positions_count_old_mac_and_windows_line_endings() {
    let dir = project(&[
        ("playbooks/mac.md", "# Mac\r\rSee [[nope]].\r"),
        ("playbooks/windows.md", "# Windows\r\n\r\nSee [[gone]].\r\n"),
    ]);
    let (_, stderr) = check(dir.path());
    assert!(stderr.contains("playbooks/mac.md:3:5: error: no playbook \"nope\""), "{stderr}");
    assert!(stderr.contains("playbooks/windows.md:3:5: error: no playbook \"gone\""), "{stderr}");
}

#[test]
fn a_broken_link_far_along_a_long_line_is_placed_by_its_column() {
    // 20,000 links on one line: each is placed from the one before, not
    // from the start of the line (which was quadratic: 16 s at 400,000).
    let line = format!("{}[[nope]]\n", "[[a]] ".repeat(20_000));
    let dir = project(&[("playbooks/a.md", &format!("# A\n\n{line}"))]);
    let (_, stderr) = check(dir.path());
    assert!(stderr.contains("playbooks/a.md:3:120001: error: no playbook \"nope\""), "{stderr}");
}

#[test]
fn links_to_raw_html_anchors_the_top_and_from_table_cells_resolve() {
    let dir = project(&[
        (
            "playbooks/a.md",
            "# A\n\n<h2 id=\"raw\">Raw</h2>\n<a name=\"custom\"></a>\n<div id = \"spaced\"></div>\n\n<p><a\nname=\"split\"></a></p>\n\n\
             [r](#raw) [c](#custom) [m](#split) [s](#spaced) [top](#) [b](b.md#) [o](b.md#old)\n\n| who | link |\n|-|-|\n| me | [[b\\|the B page]] |\n",
        ),
        ("playbooks/b.md", "# B\n\n<p><span id='old'>kept</span></p>\n"),
    ]);
    let site = build_project(dir.path(), None);
    let body = site.body("a/index.html");
    for (href, text) in [
        ("#raw", "r"),
        ("#custom", "c"),
        ("#split", "m"),
        ("#spaced", "s"),
        ("#", "top"),
        ("/b/", "b"),
        ("/b/#old", "o"),
        ("/b/", "the B page"),
    ] {
        assert!(link_texts(&body, href).contains(&text.to_string()), "{href} {text}: {body}");
    }
    assert!(body.contains("<td><a href=\"/b/\">the B page</a></td>"), "{body}");
    let broken = project(&[("playbooks/a.md", "# A\n\n<div id=\"real\"></div>\n\n[x](#unreal)\n")]);
    let (_, stderr) = check(broken.path());
    assert!(
        stderr.contains("playbooks/a.md:5:1: error: no section \"#unreal\" in \"a\"; did you mean \"#real\"?"),
        "{stderr}"
    );
}

#[test]
fn a_heading_written_for_its_id_or_a_playbook_without_md_gets_the_link_that_works() {
    let dir = project(&[
        ("playbooks/a.md", "# A\n\nSee [[#What if? (Q&A)]] and [ladder](b#plan).\n\n## What if? (Q&A)\n"),
        ("playbooks/b.md", "# B\n\n## Plan\n"),
    ]);
    let (_, stderr) = check(dir.path());
    assert!(
        stderr.contains(
            "playbooks/a.md:3:5: error: no section \"#What if? (Q&A)\" in \"a\"; did you mean \"#what-if-qa\"?"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("playbooks/a.md:3:29: error: \"b\" names a playbook, not its file"), "{stderr}");
    assert!(stderr.contains("help: link to its file, as GitHub reads links: (b.md#plan)"), "{stderr}");
}

#[test]
fn broken_front_matter_is_reported_with_the_files_other_errors_and_no_echo_elsewhere() {
    let dir =
        project(&[("playbooks/a.md", "---\ntitle: [a]\n---\n# A\n\n[[nope]]\n"), ("playbooks/b.md", "# B\n\n[[a]]\n")]);
    let (code, stderr) = check(dir.path());
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("playbooks/a.md:2:8: error: invalid front matter"), "{stderr}");
    assert!(stderr.contains("playbooks/a.md:6:1: error: no playbook \"nope\""), "the file's own link: {stderr}");
    assert!(!stderr.contains("b.md"), "a link to the page with broken front matter still finds it: {stderr}");
}

#[test]
fn an_empty_wiki_label_shows_the_target_and_an_empty_heading_gets_no_id() {
    let dir = project(&[
        ("playbooks/a.md", "# A\n\n## Sec\n\n## \n\n[[b|]] [[#sec|]] [[b|own words]]\n"),
        ("playbooks/b.md", "# B\n"),
    ]);
    let site = build_project(dir.path(), None);
    let body = site.body("a/index.html");
    assert_eq!(link_texts(&body, "/b/"), ["B", "own words"], "{body}");
    assert_eq!(link_texts(&body, "#sec"), ["Sec"], "{body}");
    let page = site.page("a/index.html");
    assert!(!page.contains("id=\"\""), "no empty id: {page}");
    assert!(!page.contains("<a href=\"#\"></a>"), "no empty contents entry: {page}");
}

#[test]
fn a_broken_image_gets_a_hint_about_files_not_playbooks() {
    let dir = project(&[
        ("playbooks/a.md", "# A\n\n![chart](b.md) ![ladder](img/ladder.png)\n"),
        ("playbooks/b.md", "# B\n"),
    ]);
    let (code, stderr) = check(dir.path());
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("playbooks/a.md:3:1: error: \"b.md\" is a playbook, not an image"), "{stderr}");
    assert!(stderr.contains("error: no file \"img/ladder.png\" next to this playbook"), "{stderr}");
    assert_eq!(stderr.matches("help: put the file itself").count(), 2, "{stderr}");
    assert!(!stderr.contains("link to a playbook by its file name"), "{stderr}");
}

#[test]
fn with_safe_html_an_id_the_sanitizer_removes_is_no_link_target() {
    let page = "# A\n\n<iframe id=\"video\" src=\"x\"></iframe>\n\n<p><span id=\"kept\">k</span></p>\n\n[v](#video) [k](#kept)\n";
    let trusted = project(&[("playbooks/a.md", page)]);
    assert_eq!(check(trusted.path()).0, Some(0), "authors are trusted by default: both ids are on the page");
    let safe = project(&[("playbooks/a.md", page), ("playbook.toml", "safe_html = true\n")]);
    let (code, stderr) = check(safe.path());
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("playbooks/a.md:7:1: error: no section \"#video\""), "{stderr}");
    assert!(!stderr.contains("#kept"), "{stderr}");
}

#[test]
fn an_ambiguous_file_name_asks_for_the_folder() {
    let dir = project(&[
        ("playbooks/people/loop.md", "# People loop\n"),
        ("playbooks/ops/loop.md", "# Ops loop\n"),
        ("playbooks/a.md", "[[loop]] and [[ops/loop]]\n"),
    ]);
    let run = playbook(&["check", "--root", dir.path().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("playbooks/a.md:1:1: error: \"loop\" names more than one playbook (ops/loop, people/loop); write its folder too"), "{stderr}");
    assert_eq!(stderr.matches(": error:").count(), 1, "[[ops/loop]] resolves: {stderr}");
}

#[test]
fn a_md_link_that_names_two_playbooks_asks_for_the_folder() {
    let dir = project(&[
        ("playbooks/a.md", "# A\n\nSee [the review](review.md).\n"),
        ("playbooks/ops/review.md", "# Ops Review\n"),
        ("playbooks/people/review.md", "# People Review\n"),
    ]);
    let stderr = failing_build(dir.path());
    assert!(
        stderr
            .contains("playbooks/a.md:3:5: error: \"review\" names more than one playbook (ops/review, people/review)"),
        "{stderr}"
    );
}

#[test]
fn catalog_summaries_show_a_wiki_link_as_its_target_title() {
    // The seed's frameworks open with "See [[...]]."; a summary showed the
    // slug, and a space before the full stop.
    let root = project(&[
        (
            "playbooks/a.md",
            "# A\n\n## Strategic Frameworks\n\n### 1.1 Buy vs Build\nSee [[b#hire-vs-wait]]. Also *[[b]]*, and [the b page](b.md).\n",
        ),
        ("playbooks/b.md", "# The B Playbook\n\n## Hire vs Wait\n\nText.\n"),
    ]);
    let main = build_project(root.path(), None).main("frameworks/index.html");
    let entry = main.find("id=\"a--buy-vs-build\"").expect("entry");
    let entry = &main[entry..main[entry..].find("</li>").unwrap() + entry];
    assert!(
        entry.contains("<p>See The B Playbook › Hire vs Wait. Also The B Playbook, and the b page.</p>"),
        "{entry}"
    );
}

#[test]
fn a_theme_gets_section_summaries_with_their_links_read_as_titles() {
    let root = project(&[
        ("playbooks/a.md", "# A\n\n## Strategic Frameworks\n\n### Buy vs Build\nSee [[b]].\n"),
        ("playbooks/b.md", "# The B Playbook\n"),
        (
            "templates/playbook.html",
            "{% for f in playbook.frameworks %}<p>{{ f.name }}: {{ f.summary }}</p>{% endfor %}",
        ),
    ]);
    let page = build_project(root.path(), None).page("a/index.html");
    assert_eq!(page, "<p>Buy vs Build: See The B Playbook.</p>");
}

#[test]
fn a_broken_section_link_lists_the_sections_and_a_title_points_at_its_playbook() {
    let dir = project(&[
        ("playbooks/a.md", "# Alpha Plan\n\n## Frameworks\n\n### Buy vs Build\n\n## Notes\n"),
        ("playbooks/b.md", "# B\n\n[[a#nope]] [[Alpha Plan]]\n"),
    ]);
    let (code, stderr) = check(dir.path());
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("playbooks/b.md:3:1: error: no section \"#nope\" in \"a\""), "{stderr}");
    assert!(stderr.contains("help: its sections are #frameworks, #buy-vs-build, #notes\n"), "{stderr}");
    assert!(
        stderr.contains("error: no playbook \"Alpha Plan\"; \"Alpha Plan\" is the title of \"a\", link to that"),
        "{stderr}"
    );
}
