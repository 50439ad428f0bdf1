//! The handbook a reader sees after `playbook build` (issue: the handbook).

mod common;

use common::*;

#[test]
fn the_seed_story_mode_card_shows_its_briefing() {
    let site = build_fixture(None);
    let main = site.main("career-strategy/index.html");
    let card_start = main.find("class=\"story-card\"").expect("a story card");
    let card = &main[card_start..main[card_start..].find("</section>").unwrap() + card_start];
    assert!(card.contains("<dt>Location</dt><dd>Boardroom</dd>"), "{card}");
    assert!(card.contains("<dt>Officer</dt><dd>Chief Technology Officer</dd>"), "{card}");
    assert!(card.contains("<dt>Mission Date</dt><dd>2050.01.01</dd>"), "{card}");
    assert!(card.contains("The CTO"), "{card}");
    assert!(card.contains("You are the best coder in the room."), "{card}");
    assert!(card.contains("Team. We are pivoting the roadmap. Here is the 5-year vision."), "{card}");
    // The briefing is shown once, as the card, not again as a blockquote.
    assert_eq!(main.matches("Boardroom").count(), 1);
}

#[test]
fn a_briefing_line_the_card_has_no_field_for_is_still_on_the_card() {
    let dir = project(&[(
        "playbooks/a.md",
        "# A\n\n## Story Mode: Budget talks\n\n> **Officer**: CFO\n> **Budget**: $2M over two years\n>\n\
         > Context the author wrote in the briefing.\n",
    )]);
    let site = build_project(dir.path(), None);
    let main = site.main("a/index.html");
    let card = &main[main.find("class=\"story-card\"").unwrap()..];
    let card = &card[..card.find("</section>").unwrap()];
    assert!(card.contains("<dt>Officer</dt><dd>CFO</dd>"), "{card}");
    assert!(card.contains("<strong>Budget:</strong> $2M over two years"), "{card}");
    assert!(card.contains("Context the author wrote in the briefing."), "{card}");
    assert_eq!(main.matches("$2M").count(), 1, "shown once, on the card: {main}");
}

#[test]
fn the_seed_without_front_matter_gets_title_track_and_level_from_its_h1() {
    let site = build_fixture(None);
    let main = site.main("career-strategy/index.html");
    assert!(main.contains("<h1>From Engineer to Leader</h1>"));
    assert!(main.contains("<span class=\"level\">Deep Dive</span>"));
    assert!(main.contains("<a href=\"/tracks/career-strategy/\">Career Strategy</a>"));
}

#[test]
fn the_mojibake_emoji_is_repaired_everywhere() {
    let site = build_fixture(None);
    for file in site.all_files() {
        let bytes = std::fs::read(&file).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("ðŸ"), "mojibake left in {}", file.display());
    }
    let page = site.main("career-strategy/index.html");
    assert!(page.contains("📜"), "the repaired scroll emoji is shown");
}

#[test]
fn the_mojibake_repair_is_reported_with_file_and_line() {
    let out = playbook(&["check", "--root", FIXTURE]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("playbooks/career_strategy.md:3:4: warning: repaired mojibake"), "{stderr}");
}

#[test]
fn the_frameworks_page_links_each_framework_to_its_anchor() {
    let site = build_fixture(None);
    let main = site.main("frameworks/index.html");
    assert_eq!(link_texts(&main, "/career-strategy/#the-ai-maturity-curve"), ["The AI Maturity Curve"]);
    assert_eq!(link_texts(&main, "/career-strategy/#buy-vs-build"), ["Buy vs Build"]);
    assert_eq!(link_texts(&main, "/ops/incident-review/#five-whys"), ["Five Whys"]);
    // and the anchors exist on the playbook page, as the framework's section
    let page = site.main("career-strategy/index.html");
    assert!(page.contains("<section class=\"framework\" id=\"buy-vs-build\""));
    assert!(page.contains("<h3 id=\"22-buy-vs-build\">"));
}

#[test]
fn ids_are_unique_when_a_stable_id_equals_the_github_id() {
    let site = build_fixture(None);
    let main = site.main("people/hiring-loop/index.html");
    assert_eq!(main.matches("id=\"hire-vs-wait\"").count(), 1, "{main}");
    assert!(main.contains("<section class=\"exit-game\">"));
}

#[test]
fn the_print_page_has_every_playbook_in_order_with_unique_ids() {
    let site = build_fixture(None);
    let main = site.main("print/index.html");
    let order: Vec<usize> = ["From Engineer to Leader", "Incident Review", "The Hiring Loop", "Giving Feedback"]
        .iter()
        .map(|t| main.find(&format!("<h2 class=\"print-title\">{t}</h2>")).unwrap_or_else(|| panic!("{t}")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "reading order");
    // Over HTTP the page's script gathers each chapter from its page
    // (tests/e2e checks the gathered page); the HTML says where from.
    assert!(main.contains("data-src=\"/career-strategy/\" data-prefix=\"career-strategy--\""), "{main}");
    assert!(!main.contains("class=\"playbook-body\""), "the text is not published twice");
    let mut ids: Vec<&str> = main
        .match_indices(" id=\"")
        .map(|(i, _)| {
            let rest = &main[i + 5..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "every id on the print page is unique");
}

#[test]
fn the_exit_games_page_lists_every_exit_game() {
    let site = build_fixture(None);
    let main = site.main("exit-games/index.html");
    assert_eq!(link_texts(&main, "/career-strategy/#startup-vs-big-tech"), ["Startup vs Big Tech"]);
    assert_eq!(link_texts(&main, "/people/hiring-loop/#hire-vs-wait"), ["Hire vs Wait"]);
    assert_eq!(link_texts(&main, "/ops/incident-review/#fix-forward-vs-roll-back"), ["Fix Forward vs Roll Back"]);
    assert!(!main.contains("Buy vs Build"), "frameworks are not exit games");
}

#[test]
fn dont_say_do_say_pairs_are_side_by_side() {
    let site = build_fixture(None);
    let main = site.main("career-strategy/index.html");
    let dont = main.find("class=\"contrast-dont\"").expect("a contrast box");
    let do_ = main.find("class=\"contrast-do\"").unwrap();
    assert!(dont < do_);
    assert!(main[dont..do_].contains("The validation loss decreased by 0.05 via AdamW."));
    assert!(main[do_..].contains("saving 20 hours/week"));
    assert!(!main.contains("Don't say</strong>"), "the pairs are not left as a plain list");
}

#[test]
fn the_home_page_groups_playbooks_by_track_with_level_and_teaser() {
    let site = build_fixture(None);
    let main = site.main("index.html");
    let ops = main.find(">Operations</a></h2>").expect("Operations track");
    let people = main.find(">People</a></h2>").expect("People track");
    assert!(ops < people, "tracks in order");
    assert!(main[people..].contains(">The Hiring Loop</a> <span class=\"level\">Core</span>"));
    assert!(main.contains("<span class=\"teaser-officer\">Chief Technology Officer</span>"));
    assert!(main.contains("<span class=\"teaser-location\">Boardroom</span>"));
    assert!(main.contains("<p class=\"teaser-problem\">You are the best coder in the room."));
}

#[test]
fn front_matter_wins_and_unknown_keys_are_kept() {
    let site = build_fixture(None);
    let main = site.main("people/hiring-loop/index.html");
    assert!(main.contains("<h1>The Hiring Loop</h1>"));
    assert!(main.contains("<dt>Location</dt><dd>Interview Room 3</dd>"));
    // TOML dates in front matter are text
    let ops = site.main("ops/incident-review/index.html");
    assert!(ops.contains("<dt>Mission Date</dt><dd>2051-03-14</dd>"), "{ops}");
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let site = build_fixture(None);
    assert!(!site.path("drafts/secret-plan/index.html").exists());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let status = playbook(&["build", "--root", FIXTURE, "--out", out.to_str().unwrap(), "--force", "--drafts"]);
    assert!(status.status.success());
    assert!(out.join("drafts/secret-plan/index.html").exists());
}

#[test]
fn tracks_and_tags_have_listing_pages() {
    let site = build_fixture(None);
    let people = site.main("tags/people/index.html");
    assert!(people.contains(">The Hiring Loop</a>") && people.contains(">Incident Review</a>"));
    let track = site.main("tracks/operations/index.html");
    assert!(track.contains(">Incident Review</a>"));
    assert!(!track.contains(">The Hiring Loop</a>"));
}

#[test]
fn code_is_highlighted_with_classes_and_one_stylesheet() {
    let site = build_fixture(None);
    let page = site.page("ops/incident-review/index.html");
    assert!(page.contains("<code class=\"language-rust\"><span class=\"hk\">"), "{page}");
    assert!(page.contains("assets/syntax.css"));
    assert!(site.page("assets/syntax.css").contains("html[data-theme=\"dark\"]"));
    // a page without code does not load the stylesheet
    assert!(!site.page("people/feedback/index.html").contains("syntax.css"));
}

#[test]
fn tables_footnotes_and_task_lists_render() {
    let site = build_fixture(None);
    let main = site.main("ops/incident-review/index.html");
    assert!(main.contains("<th>Step</th>"));
    // A wide table scrolls in its own box, not the page, on a phone.
    let table = main.find("<table>").expect("a table");
    assert!(main[..table].ends_with("<div class=\"table-wrap\">\n"), "{main}");
    assert!(main[table..].contains("</table>\n</div>"), "{main}");
    assert!(main.contains("class=\"footnote-definition\""));
    assert!(main.contains("<input type=\"checkbox\" disabled checked aria-label=\"Done\"> Timeline written"), "{main}");
    assert!(main.contains("<input type=\"checkbox\" disabled aria-label=\"Not done\"> Owners assigned"));
}

#[test]
fn every_page_has_breadcrumbs_and_the_sidebar_loads_from_one_script() {
    let site = build_fixture(None);
    let page = site.page("people/feedback/index.html");
    assert!(page.contains("<li><a href=\"/\">Home</a></li>\n<li><a href=\"/tracks/people/\">People</a></li>\n<li><span aria-current=\"page\">Giving Feedback</span></li>"), "{page}");
    assert!(page.contains("<script src=\"/assets/nav.js\" defer></script>"));
    let nav = site.page("assets/nav.js");
    for title in ["From Engineer to Leader", "The Hiring Loop", "Incident Review", "Giving Feedback"] {
        assert!(nav.contains(title), "{title} in nav.js");
    }
    // pages do not carry the list of all playbooks themselves
    assert!(!site.page("index.html").contains("PLAYBOOK_NAV"));
    // A handbook this small lists its playbooks in nav.js itself.
    assert!(nav.contains("\"u\":\"tracks/people/\",\"c\":3,\"p\":[{\"t\":"), "{nav}");
    assert!(!nav.contains("\"f\":") && !site.dir.path().join("assets/nav").exists());
}

#[test]
fn previous_and_next_follow_reading_order() {
    let site = build_fixture(None);
    let main = site.main("ops/incident-review/index.html");
    assert!(main.contains("<a class=\"pager-prev\" rel=\"prev\" href=\"/career-strategy/\">"));
    // The Hiring Loop has a weight: it opens its track.
    assert!(main.contains("<a class=\"pager-next\" rel=\"next\" href=\"/people/hiring-loop/\">"));
}

#[test]
fn site_files_404_sitemap_nojekyll_and_static() {
    let site = build_fixture(Some("https://example.org/handbook/"));
    assert!(site.path(".nojekyll").exists());
    assert_eq!(site.page("robots.txt"), "User-agent: *\n");
    let sitemap = site.page("sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.org/handbook/career-strategy/</loc>"));
    assert!(sitemap.contains("<loc>https://example.org/handbook/</loc>"));
    let not_found = site.page("404.html");
    assert!(not_found.contains("href=\"/handbook/assets/style.css?v="), "404 uses absolute asset URLs");
    assert!(not_found.contains("<a href=\"/handbook/\">Go to the handbook"));
}

#[test]
fn every_internal_url_carries_the_base_path() {
    let site = build_fixture(Some("https://example.org/handbook/"));
    for file in site.all_files().iter().filter(|f| f.extension().is_some_and(|e| e == "html")) {
        let html = std::fs::read_to_string(file).unwrap();
        for attr in ["href=\"", "src=\""] {
            for (i, _) in html.match_indices(attr) {
                let url = &html[i + attr.len()..];
                let url = &url[..url.find('"').unwrap()];
                let ok = url.starts_with("/handbook/") || url.starts_with('#') || url.starts_with("https://");
                assert!(ok, "{} has {attr}{url}", file.display());
            }
        }
    }
    let page = site.page("people/hiring-loop/index.html");
    assert!(page.contains("<a href=\"/handbook/career-strategy/#buy-vs-build\">"));
    assert!(page.contains("href=\"/handbook/assets/style.css?v="));
}

#[test]
fn a_template_override_takes_effect() {
    let dir = project(&[
        ("playbooks/a.md", "# A\n\nBody.\n"),
        (
            "templates/404.html",
            "{% extends \"base.html\" %}{% block content %}<p>Custom lost page</p>{% endblock content %}",
        ),
        ("templates/assets/style.css", "body { color: rebeccapurple; }"),
    ]);
    let site = build_project(dir.path(), None);
    assert!(site.page("404.html").contains("<p>Custom lost page</p>"));
    assert_eq!(site.page("assets/style.css"), "body { color: rebeccapurple; }");
    // the rest of the default theme is still there
    assert!(site.page("a/index.html").contains("class=\"site-header\""));
}

#[test]
fn the_themes_scripts_and_stylesheets_are_asked_for_at_their_version() {
    let text = "# A\n\n```rust\nfn a() {}\n```\n";
    let plain = project(&[("playbooks/a.md", text)]);
    let styled = project(&[("playbooks/a.md", text), ("templates/assets/style.css", "body { color: rebeccapurple; }")]);
    let page = |dir: &std::path::Path| build_project(dir, None).page("a/index.html");
    let version = |page: &str| {
        let at = page.find("assets/style.css?v=").expect("the stylesheet at a version") + 19;
        page[at..at + page[at..].find('"').unwrap()].to_string()
    };
    let first = page(plain.path());
    let v = version(&first);
    assert!(v.len() == 8 && v.bytes().all(|b| b.is_ascii_hexdigit()), "{v}");
    for asset in ["style.css", "syntax.css", "theme.js", "playbook.js"] {
        assert!(first.contains(&format!("assets/{asset}?v={v}\"")), "{asset}");
    }
    assert_eq!(version(&page(plain.path())), v, "the same theme, the same version");
    // A browser that cached the default stylesheet asks for the new one.
    assert_ne!(version(&page(styled.path())), v);
}

#[test]
fn a_bare_folder_of_markdown_builds_with_the_embedded_theme() {
    let dir = project(&[("playbooks/just_notes.md", "Some notes.\n")]);
    let site = build_project(dir.path(), None);
    assert!(site.main("just-notes/index.html").contains("<h1>Just Notes</h1>"));
    assert!(site.main("index.html").contains("<h1>Playbook Handbook</h1>"));
    assert!(site.path("assets/style.css").exists());
}

#[test]
fn cname_is_written_when_configured() {
    let dir = project(&[("playbook.toml", "cname = \"handbook.example.org\"\n"), ("playbooks/a.md", "# A\n")]);
    let site = build_project(dir.path(), None);
    assert_eq!(site.page("CNAME"), "handbook.example.org\n");
}

#[test]
fn the_build_prints_a_one_line_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let run = playbook(&["build", "--root", FIXTURE, "--out", out.to_str().unwrap(), "--force"]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success());
    assert!(stdout.starts_with("Built 5 playbooks (6 frameworks, 4 exit games): "), "{stdout}");
}

#[test]
fn the_print_page_says_what_it_gathers_and_nothing_when_there_is_nothing() {
    let one = project(&[("playbooks/a.md", "# A\n\nText.\n")]);
    assert!(playbook(&["build", "--root", one.path().to_str().unwrap()]).status.success());
    let print = std::fs::read_to_string(one.path().join("public/print/index.html")).unwrap();
    assert!(print.contains("Gathering 1 playbook for printing"), "{print}");
    let none = project(&[("playbooks/README.md", "# Welcome\n\nNo playbooks yet.\n")]);
    assert!(playbook(&["build", "--root", none.path().to_str().unwrap()]).status.success());
    let print = std::fs::read_to_string(none.path().join("public/print/index.html")).unwrap();
    assert!(!print.contains("print-status"), "no status for an empty handbook: {print}");
}

#[test]
fn the_home_page_shows_a_few_cards_per_track_and_links_to_the_rest() {
    let files: Vec<(String, String)> =
        (1..=14).map(|i| (format!("playbooks/ops/p{i:02}.md"), format!("# Playbook {i:02}\n\nText.\n"))).collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let dir = project(&refs);
    assert!(playbook(&["build", "--root", dir.path().to_str().unwrap()]).status.success());
    let home = std::fs::read_to_string(dir.path().join("public/index.html")).unwrap();
    assert_eq!(home.matches("<li class=\"card\">").count(), 12, "{home}");
    assert!(home.contains(">Playbook 12</a>") && !home.contains(">Playbook 13</a>"));
    assert!(home.contains("<a href=\"/tracks/ops/\">All 14 playbooks of Ops</a>"), "{home}");
    let track = std::fs::read_to_string(dir.path().join("public/tracks/ops/index.html")).unwrap();
    assert_eq!(track.matches("<li class=\"card\">").count(), 14, "the track's page lists them all");
}

#[test]
fn a_rebuild_writes_only_the_files_that_changed() {
    let dir = project(&[
        ("playbooks/a.md", "# A\n\nSee [[b]].\n"),
        ("playbooks/b.md", "# B\n\nText.\n"),
        ("playbooks/c.md", "# C\n\nText.\n"),
    ]);
    let root = dir.path().to_str().unwrap();
    let public = dir.path().join("public");
    let mtime = |rel: &str| std::fs::metadata(public.join(rel)).unwrap().modified().unwrap();
    assert!(playbook(&["build", "--root", root]).status.success());
    let (a, c) = (mtime("a/index.html"), mtime("c/index.html"));
    std::thread::sleep(std::time::Duration::from_millis(50));

    let run = playbook(&["build", "--root", root]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    let files: usize = stdout.split(", ").nth(2).and_then(|s| s.split(' ').next()).unwrap().parse().unwrap();
    assert!(
        stdout.contains(&format!("{files} files ({files} unchanged)")),
        "a no-change rebuild writes nothing: {stdout}"
    );
    assert_eq!((mtime("a/index.html"), mtime("c/index.html")), (a, c));

    std::fs::write(dir.path().join("playbooks/a.md"), "# A\n\nSee [[b]], edited.\n").unwrap();
    let run = playbook(&["build", "--root", root]);
    assert!(run.status.success());
    assert_ne!(mtime("a/index.html"), a, "the edited page is written");
    assert_eq!(mtime("c/index.html"), c, "a page the edit does not touch is not");
    assert!(std::fs::read_to_string(public.join("a/index.html")).unwrap().contains("edited"));
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(!stdout.contains(&format!("{files} unchanged")), "{stdout}");

    // A deleted playbook's page goes, with its folder; the rest stays put,
    // and nothing is left beside the output folder.
    std::fs::remove_file(dir.path().join("playbooks/c.md")).unwrap();
    std::fs::write(public.join("CNAME"), "example.org\n").unwrap();
    let run = playbook(&["build", "--root", root]);
    assert!(run.status.success());
    // What goes is said, a file put there by hand included.
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("Removed 2 files the site no longer has: CNAME, c/index.html"), "{stdout}");
    assert!(!public.join("c").exists(), "the deleted playbook's folder is removed");
    assert!(!std::fs::read_to_string(public.join("index.html")).unwrap().contains(">C</a>"));
    assert!(public.join("b/index.html").is_file());
    let mut beside: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    beside.sort();
    assert_eq!(beside, ["playbooks", "public"], "no staging folder left behind");
}

#[test]
fn a_base_url_that_would_break_every_link_is_an_error_naming_its_source() {
    let dir = project(&[("playbooks/a.md", "# A\n"), ("playbook.toml", "title = \"H\"\nbase_url = \"../up/\"\n")]);
    let root = dir.path().to_str().unwrap();
    let (code, stderr) = check(dir.path());
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("playbook.toml:2:1: error: base_url \"../up/\" has `.` or `..` in its path"), "{stderr}");
    // A wrong flag is a usage error: exit code 2, said before anything is read.
    let run = playbook(&["check", "--root", root, "--base-url", "javascript:alert(1)"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error: --base-url: the base URL \"javascript:alert(1)\""), "{stderr}");
    let missing = playbook(&["build", "--root", &format!("{root}/nowhere")]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nowhere` does not exist or is not a folder"));
}

#[test]
fn hidden_files_and_folders_in_playbooks_are_skipped() {
    let dir = project(&[
        ("playbooks/a.md", "# A\n\nText.\n"),
        ("playbooks/.obsidian/workspace.md", "# Not a playbook\n"),
        ("playbooks/.scratch.md", "# Not one either\n\n[[nowhere]]\n"),
    ]);
    #[cfg(unix)]
    std::os::unix::fs::symlink("user@host.1234:5678", dir.path().join("playbooks/.#a.md")).unwrap();
    let run = playbook(&["build", "--root", dir.path().to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "an editor's lock file does not stop the build: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.starts_with("Built 1 playbook "), "{stdout}");
    assert!(!dir.path().join("public/not-a-playbook").exists());
}

#[test]
fn a_folder_of_somebody_elses_files_is_not_built_into_without_force() {
    let dir = project(&[("playbooks/a.md", "# A\n\nText.\n"), ("docs/notes.txt", "precious\n")]);
    let root = dir.path().to_str().unwrap();
    let notes = dir.path().join("docs/notes.txt");
    let run = playbook(&["build", "--root", root, "--out", "docs"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("it holds files that playbook did not write (`notes.txt`)"), "{stderr}");
    assert!(stderr.contains("pass --force"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "precious\n", "nothing touched");
    assert!(!dir.path().join("docs/index.html").exists());

    // Asked for, the site replaces them; from then on the folder is the site's.
    assert!(playbook(&["build", "--root", root, "--out", "docs", "--force"]).status.success());
    assert!(!notes.exists() && dir.path().join("docs/index.html").is_file());
    std::fs::write(dir.path().join("playbooks/b.md"), "# B\n").unwrap();
    assert!(playbook(&["build", "--root", root, "--out", "docs"]).status.success(), "a folder a build wrote");
    assert!(dir.path().join("docs/b/index.html").is_file());
}

#[test]
fn an_empty_folder_or_a_fresh_gh_pages_worktree_is_built_into() {
    let dir = project(&[("playbooks/a.md", "# A\n\nText.\n"), ("site/.git/HEAD", "ref: refs/heads/gh-pages\n")]);
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let root = dir.path().to_str().unwrap();
    for out in ["empty", "site"] {
        let run = playbook(&["build", "--root", root, "--out", out]);
        assert!(run.status.success(), "{out}: {}", String::from_utf8_lossy(&run.stderr));
        assert!(dir.path().join(out).join("a/index.html").is_file());
    }
    assert!(dir.path().join("site/.git/HEAD").is_file(), "the worktree's .git is kept");
}

#[cfg(unix)]
#[test]
fn a_rebuild_that_cannot_replace_a_page_says_so_and_the_next_one_finishes() {
    let dir = project(&[("playbooks/a.md", "# A\n\nText.\n"), ("playbooks/b.md", "# B\n\nText.\n")]);
    let root = dir.path().to_str().unwrap();
    assert!(playbook(&["build", "--root", root]).status.success());
    let page = dir.path().join("public/a/index.html");
    // An immutable file cannot be replaced, even by root.
    let chattr = |flag: &str| std::process::Command::new("chattr").arg(flag).arg(&page).status();
    if !chattr("+i").is_ok_and(|s| s.success()) {
        eprintln!("chattr +i is not available here; skipped");
        return;
    }
    std::fs::write(dir.path().join("playbooks/a.md"), "# A\n\nEdited.\n").unwrap();
    let run = playbook(&["build", "--root", root]);
    chattr("-i").unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("a/index.html: Operation not permitted"), "names the file: {stderr}");
    assert!(stderr.contains("the output folder is partly updated; build again to finish"), "{stderr}");
    assert!(!stderr.contains("nothing was written"), "{stderr}");
    assert!(dir.path().join("public/b/index.html").is_file(), "no page is lost");

    assert!(playbook(&["build", "--root", root]).status.success());
    assert!(std::fs::read_to_string(&page).unwrap().contains("Edited."));
}

#[test]
fn a_build_that_fails_while_writing_pages_leaves_the_previous_site_and_no_staging() {
    // Pages stream into a staging folder as they render; a template error
    // found on the way must leave neither a half-new site nor the folder.
    let dir = project(&[("playbooks/a.md", "# A\n\nText.\n"), ("playbooks/b.md", "# B\n\nText.\n")]);
    let root = dir.path().to_str().unwrap();
    assert!(playbook(&["build", "--root", root]).status.success());
    let before = snapshot(&dir.path().join("public"));
    let broken = std::fs::read_to_string("templates/playbook.html")
        .unwrap()
        .replace("{{ playbook.title }}", "{{ playbook.nosuchfield.x }}");
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    std::fs::write(dir.path().join("templates/playbook.html"), broken).unwrap();
    let stderr = failing_build(dir.path());
    assert!(stderr.contains("templates/playbook.html"), "{stderr}");
    let after = snapshot(&dir.path().join("public"));
    assert_eq!(before, after, "the previous output is untouched");
    let beside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(beside.is_empty(), "staging left behind: {beside:?}");
}

#[test]
fn an_error_in_a_list_item_template_names_it_and_writes_nothing() {
    // Long lists render into their page only as it is put together; an
    // error there is still the partial's, at its line and column.
    let dir = project(&[
        ("playbooks/a.md", "# A\n\n## Frameworks\n\n### Buy vs Build\nText.\n"),
        ("templates/partials/catalog_entry.html", "<li>\n{{ entry.nosuch.deeper }}</li>\n"),
    ]);
    let stderr = failing_build(dir.path());
    assert!(stderr.contains("templates/partials/catalog_entry.html:2:"), "{stderr}");
    assert!(stderr.contains("`nosuch` is not defined"), "{stderr}");
    assert!(!dir.path().join("public").exists());
}

#[test]
fn unknown_filters_in_templates_are_each_named_at_their_line_and_column() {
    let dir = project(&[("playbooks/a.md", "# A\n\nText.\n")]);
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    let page = std::fs::read_to_string("templates/playbook.html").unwrap().replacen(
        "{{ playbook.title }}",
        "{{ playbook.title | nosuchfilter }}",
        1,
    );
    std::fs::write(dir.path().join("templates/playbook.html"), page).unwrap();
    std::fs::write(
        dir.path().join("templates/404.html"),
        "{% extends \"base.html\" %}\n{% block content %}{{ 1 | other }}{% endblock content %}\n",
    )
    .unwrap();
    let stderr = failing_build(dir.path());
    assert!(
        stderr.contains("templates/playbook.html:6:") && stderr.contains("Unknown filter `nosuchfilter`"),
        "{stderr}"
    );
    assert!(stderr.contains("templates/404.html:2:") && stderr.contains("Unknown filter `other`"), "{stderr}");
}

#[test]
fn every_broken_template_is_named_at_its_line_not_just_the_first() {
    let dir = project(&[
        ("playbooks/a.md", "# A\n\nText.\n"),
        ("templates/base.html", "<html>\n{% if %}\n"),
        ("templates/playbook.html", "x\n{{ x | }}\n"),
        ("templates/404.html", "\n{% extends \"nope.html\" %}\n"),
        ("templates/index.html", "{% extends \"index.html\" %}\n"),
    ]);
    let stderr = failing_build(dir.path());
    assert!(stderr.contains("templates/base.html:2:7: error: template error: Found `%}`"), "{stderr}");
    assert!(stderr.contains("templates/playbook.html:2:8: error: template error: Found `}}`"), "{stderr}");
    assert!(
        stderr.contains(
            "templates/404.html:2:1: error: template error: `404.html` extends `nope.html`, which is neither"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("templates/index.html:1:1: error: template error: `index.html` extends itself"),
        "{stderr}"
    );
    assert!(stderr.contains("4 problems found"), "{stderr}");
}

/// A broken template stops the site being made, but not the build's other
/// checks: every problem is reported in one go.
#[test]
fn a_broken_template_is_reported_with_the_builds_other_problems() {
    let dir = project(&[
        ("playbooks/a.md", "# A\n\nSee [[nowhere]].\n"),
        ("templates/base.html", "<html>\n{% if %}\n"),
        ("static/frameworks/index.html", "<p>mine</p>\n"),
    ]);
    let stderr = failing_build(dir.path());
    assert!(stderr.contains("templates/base.html:2:7: error: template error: Found `%}`"), "{stderr}");
    assert!(stderr.contains("static/frameworks/index.html: error: would replace `frameworks/index.html`"), "{stderr}");
    assert!(stderr.contains("playbooks/a.md:3:5: error: no playbook \"nowhere\""), "{stderr}");
    assert!(stderr.contains("3 problems found"), "{stderr}");
    assert!(!dir.path().join("public").exists(), "nothing was written");
}

#[test]
fn a_template_that_fails_on_one_page_names_the_page_and_suggests_a_default() {
    let page = std::fs::read_to_string(env!("CARGO_MANIFEST_DIR").to_string() + "/templates/playbook.html").unwrap();
    let page = page.replacen("{{ playbook.title }}", "{{ playbook.title }} {{ playbook.extra.owner }}", 1);
    let dir = project(&[
        ("playbooks/a.md", "---\nowner: sam\n---\n# A\n"),
        ("playbooks/b.md", "# B\n"),
        ("templates/playbook.html", &page),
    ]);
    let stderr = failing_build(dir.path());
    assert!(stderr.contains("error: template error: Field `owner` is not defined (making b/index.html)"), "{stderr}");
    assert!(stderr.contains("help: a value some pages lack needs a default, e.g. {{ playbook.extra.owner | default("));
}

#[test]
fn a_playbook_cannot_take_a_folder_the_site_uses() {
    // `media/` holds the files beside the playbooks; `assets/` the theme.
    let dir = project(&[
        ("playbooks/media.md", "# Media\n"),
        ("playbooks/assets.md", "# Assets\n"),
        ("playbooks/ok.md", "# Ok\n"),
        ("playbooks/t.md", "---\ntitle: T\nslug: tracks\n---\n# T\n"),
    ]);
    let stderr = failing_build(dir.path());
    assert!(stderr.contains("playbooks/media.md:1:1: error: slug \"media\" is used by the site itself"), "{stderr}");
    assert!(stderr.contains("playbooks/assets.md:1:1: error: slug \"assets\" is used by the site itself"), "{stderr}");
    // A slug from front matter is reported where it is written.
    assert!(stderr.contains("playbooks/t.md:3:1: error: slug \"tracks\" is used by the site itself"), "{stderr}");
}

#[test]
fn broken_yaml_fails_with_file_and_line_and_keeps_the_previous_site() {
    let dir = project(&[("playbooks/good.md", "# Good\n"), ("playbooks/x.md", "---\ntitle: fine\n---\nBody\n")]);
    let root = dir.path().to_str().unwrap();
    assert!(playbook(&["build", "--root", root]).status.success());
    let before = snapshot(&dir.path().join("public"));

    std::fs::write(dir.path().join("playbooks/x.md"), "---\ntitle: fine\ntags: [a, b\n---\nBody\n").unwrap();
    let stderr = failing_build(dir.path());
    assert!(stderr.contains("playbooks/x.md:3:"), "{stderr}");
    assert!(stderr.contains("invalid front matter"), "{stderr}");

    let after = snapshot(&dir.path().join("public"));
    assert_eq!(before, after, "the previous output is untouched");
}

#[test]
fn a_duplicate_slug_fails_naming_both_files() {
    let dir = project(&[
        ("playbooks/a.md", "---\nslug: same\n---\n# A\n"),
        ("playbooks/b.md", "---\ntitle: B\nslug: same\n---\n# B\n"),
    ]);
    let stderr = failing_build(dir.path());
    assert!(
        stderr.contains("playbooks/b.md:3:1: error: duplicate slug \"same\": playbooks/a.md has the same one"),
        "{stderr}"
    );
    assert!(!dir.path().join("public").exists(), "nothing written");
}

#[test]
fn all_errors_of_a_build_are_reported_together() {
    let dir = project(&[
        ("playbooks/a.md", "---\ntitle: [x\n---\n"),
        ("playbooks/b.md", "+++\ntitle = \n+++\n"),
        ("playbooks/c.md", "# Fine\n"),
    ]);
    let run = playbook(&["check", "--root", dir.path().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1));
    assert!(stderr.contains("playbooks/a.md:"), "{stderr}");
    assert!(stderr.contains("playbooks/b.md:2:"), "{stderr}");
    assert!(stderr.contains("2 problems found"), "{stderr}");
}

#[test]
fn a_relative_site_links_every_page_from_where_it_is() {
    let site = build_fixture(Some("./"));
    // A query stays after the index.html a folder link gets.
    let track = site.page("tracks/people/index.html");
    assert!(track.contains("<a href=\"../../print/index.html?track=people\">Print this track</a>"), "{track}");
    let page = site.page("people/hiring-loop/index.html");
    assert!(page.contains("href=\"../../assets/style.css?v="), "assets");
    assert!(page.contains("data-base=\"../../\""), "the scripts' base");
    // Folder links name index.html, which a browser needs on file://.
    assert!(page.contains("<a href=\"../../career-strategy/index.html#buy-vs-build\">"), "body links");
    let home = site.page("index.html");
    assert!(
        home.contains("href=\"./assets/style.css?v=") && home.contains("<a href=\"./career-strategy/index.html\">")
    );
    // Read from disk, the print page cannot fetch: its chapters are inline,
    // with their ids prefixed per chapter.
    let print = site.page("print/index.html");
    assert!(
        print.contains("<a href=\"../career-strategy/index.html#buy-vs-build\">"),
        "print links from its own depth"
    );
    assert!(print.contains("id=\"career-strategy--buy-vs-build\""));
    assert!(print.contains("<a href=\"#ops-incident-review--fn-pager\">1</a>"), "footnotes point inside their chapter");
    assert!(!print.contains("data-src="));
    assert!(
        !site.all_files().iter().any(|f| std::fs::read_to_string(f).is_ok_and(|t| t.contains("__playbook_root__")))
    );
    // Scripts get site paths and add the page's base themselves.
    let block = site.page("assets/search/d0.js");
    assert!(block.contains("[\"From Engineer to Leader\",\"career-strategy/\",\"Career Strategy\",[["), "{block}");
    assert!(block.contains(",[\"Buy vs Build\",\"buy-vs-build\",\"f\"]"), "{block}");
    let found = search(|f| site.page(f), "buy build");
    assert!(found.contains(&"career-strategy/#buy-vs-build".to_string()), "{found:?}");
}

#[test]
fn a_briefing_written_with_the_colon_inside_the_bold_fills_the_card() {
    let briefing = "# A\n\n## 📜 Story Mode — The Layoff\n\n> **Mission Date:** 2050.04.01\n> **The Problem:** Fires.\n>\n\
                    > *\"Repeat the mission.\"* — Our CEO\n\n## Next\n";
    let site = build_project(project(&[("playbooks/a.md", briefing)]).path(), None);
    let main = site.main("a/index.html");
    let card = &main[main.find("class=\"story-card\"").unwrap()..];
    let card = &card[..card.find("</section>").unwrap()];
    assert!(card.contains("Story Mode</span> The Layoff</h2>"), "{card}");
    // The icon is decoration: screen readers would read it out as "scroll".
    assert!(card.contains("<span class=\"story-icon\" aria-hidden=\"true\">📜</span> Story Mode"), "{card}");
    assert!(card.contains("<dt>Mission Date</dt><dd>2050.04.01</dd>"), "{card}");
    assert!(card.contains("<h3>The Problem</h3><p>Fires.</p>"), "{card}");
    assert!(card.contains("<p>Repeat the mission. — Our CEO</p>"), "{card}");
    assert!(!card.contains("story-more") && !card.contains("**"), "{card}");
    // No Location or Officer: no empty list of fields either.
    let only_problem = "# B\n\n## Story Mode\n\n> **The Problem**: Fires.\n";
    let main = build_project(project(&[("playbooks/b.md", only_problem)]).path(), None).main("b/index.html");
    assert!(main.contains("<h3>The Problem</h3>") && !main.contains("story-fields"), "{main}");
}

#[test]
fn the_home_page_opens_with_what_the_handbook_holds_and_tracks_and_tags_have_index_pages() {
    let site = build_fixture(None);
    let home = site.main("index.html");
    assert!(
        home.contains(
            "<p class=\"totals\">5 playbooks in 3 tracks · <a href=\"/frameworks/\">6 frameworks</a> · \
             <a href=\"/exit-games/\">4 exit games</a> · <a href=\"/map/\">Map</a></p>"
        ),
        "{home}"
    );
    assert!(home.contains("<li><a href=\"#track-people\">People</a> <span class=\"count\">3<"), "{home}");
    let tracks = site.main("tracks/index.html");
    assert!(
        tracks.contains("<li><a href=\"/tracks/people/\">People</a> <span class=\"count\">3 playbooks</span></li>"),
        "{tracks}"
    );
    let tags = site.main("tags/index.html");
    assert!(
        tags.contains("<li><a href=\"/tags/hiring/\">hiring</a> <span class=\"count\">1 playbook</span></li>"),
        "{tags}"
    );
}

#[test]
fn a_catalog_has_a_jump_list_of_the_initials_of_its_entries() {
    let site = build_fixture(None);
    let catalog = site.main("frameworks/index.html");
    assert!(catalog.contains("6 in all, by name."), "{catalog}");
    let jump = &catalog[catalog.find("<nav class=\"jump\"").expect("a jump list")..];
    let jump = &jump[..jump.find("</nav>").unwrap()];
    assert!(jump.contains("<a href=\"#career-strategy--buy-vs-build\">B</a>"), "{jump}");
    assert_eq!(jump.matches("<a ").count(), 5, "one link per initial: {jump}");
    for anchor in jump.split("href=\"#").skip(1).map(|a| &a[..a.find('"').unwrap()]) {
        assert!(catalog.contains(&format!("id=\"{anchor}\"")), "{anchor} is an entry");
    }
}

#[test]
fn a_story_mode_section_after_other_sections_has_its_card_in_its_place() {
    let text = "# A\n\n## 1. Context\n\nBefore.\n\n## Story Mode: The Fire\n\n> **Officer**: CTO\n\n\
                **Debrief**: after.\n\n## 2. Next\n\nLast.\n";
    let site = build_project(project(&[("playbooks/a.md", text)]).path(), None);
    let main = site.main("a/index.html");
    let at = |s: &str| main.find(s).unwrap_or_else(|| panic!("no {s}: {main}"));
    assert!(at("Before.") < at("class=\"story-card\"") && at("class=\"story-card\"") < at("Debrief"), "{main}");
    assert_eq!(main.matches("class=\"story-card\"").count(), 1, "{main}");
    assert!(at("<div class=\"playbook-body\">") < at("class=\"story-card\""), "the card is in the body: {main}");
    assert!(
        main.contains("<a href=\"#story-mode-the-fire\">Story Mode: The Fire</a>"),
        "listed in the contents: {main}"
    );
    assert!(!main.contains("pb-story-card"), "no marker is left: {main}");
    // First on its page, the card opens the article, as the seed's does.
    let first = "# B\n\n## Story Mode: S\n\n> **Officer**: CTO\n\n## 1. Context\n\nText.\n";
    let main = build_project(project(&[("playbooks/b.md", first)]).path(), None).main("b/index.html");
    assert!(main.find("class=\"story-card\"").unwrap() < main.find("<div class=\"playbook-body\">").unwrap(), "{main}");
}

#[test]
fn the_pager_says_when_it_crosses_into_another_track() {
    let site = build_fixture(None);
    let page = site.main("career-strategy/index.html");
    assert!(page.contains("<span>Next in Operations</span> Incident Review</a>"), "{page}");
    let hiring = site.main("people/hiring-loop/index.html");
    assert!(hiring.contains("<span>Previous in Operations</span> Incident Review</a>"), "{hiring}");
    let feedback = site.main("people/feedback/index.html");
    assert!(feedback.contains("<span>Previous</span> The Hiring Loop</a>"), "same track, no name: {feedback}");
}

#[test]
fn search_and_excerpts_read_unlabelled_wiki_links_as_the_page_shows_them() {
    let dir = project(&[
        (
            "playbooks/a.md",
            "# A

Start from [[strategy_notes]] and [[strategy_notes#plan]] first.

## Next

Then [[strategy_notes|the notes]].
",
        ),
        (
            "playbooks/strategy_notes.md",
            "# Notes on Strategy

## Plan
",
        ),
    ]);
    let site = build_project(dir.path(), None);
    let main = site.main("a/index.html");
    assert!(main.contains(">Notes on Strategy</a> and "), "{main}");
    let found = |query| search(|f| site.page(f), query);
    assert_eq!(found("start from notes"), ["a/"]);
    assert_eq!(found("then the notes"), ["a/#next"]);
    // A card without a summary shows the opening words, as the page reads.
    let home = site.page("index.html");
    assert!(home.contains("Start from Notes on Strategy and Notes on Strategy"), "{home}");
    assert!(!home.contains("strategy_notes"), "{home}");
}

#[test]
fn a_lone_playbook_has_no_empty_pager_and_two_link_each_other() {
    let lone = project(&[("playbooks/a.md", "# A\n")]);
    assert!(!build_project(lone.path(), None).page("a/index.html").contains("class=\"pager\""));
    let two = project(&[("playbooks/a.md", "# A\n"), ("playbooks/b.md", "# B\n")]);
    let page = build_project(two.path(), None).page("a/index.html");
    assert!(page.contains("<nav class=\"pager\"") && page.contains("rel=\"next\" href=\"/b/\""), "{page}");
}

#[test]
fn briefing_fields_keep_their_formatting_and_their_links_work() {
    let briefing = "# A\n\n## Story Mode: X\n\n> **Officer**: CTO\n> **The Problem**: We `ship` *slowly*; see [[b]]\n> \
                    and [the docs](https://example.com).\n> **The Solution**: **Strategic Leadership**. <kbd>K</kbd>\n> \
                    **Budget**: [[b#plan|the plan]]\n>\n> *\"Team. We **pivot**.\"*\n";
    let dir = project(&[("playbooks/a.md", briefing), ("playbooks/b.md", "# B\n\n## Plan\n")]);
    let site = build_project(dir.path(), None);
    let main = site.main("a/index.html");
    let card = &main[main.find("class=\"story-card\"").unwrap()..];
    let card = &card[..card.find("</section>").unwrap()];
    assert!(
        card.contains(
            "<p>We <code>ship</code> <em>slowly</em>; see <a href=\"/b/\">B</a>\nand <a href=\"https://example.com\" \
             rel=\"noopener\">the docs</a>.</p>"
        ),
        "{card}"
    );
    assert!(card.contains("<p><strong>Strategic Leadership</strong>. <kbd>K</kbd></p>"), "{card}");
    assert!(card.contains("<strong>Budget:</strong> <a href=\"/b/#plan\">the plan</a></p>"), "{card}");
    assert!(card.contains("<p>Team. We <strong>pivot</strong>.</p>"), "{card}");
    assert!(!card.contains("[[") && !card.contains("**"), "no Markdown shows as written: {card}");
    // Where there is no room for markup (a teaser, search), the text is plain.
    let home = site.page("index.html");
    // The unlabelled wiki link reads as its target's title there too, as on the card.
    assert!(home.contains("<p class=\"teaser-problem\">We ship slowly; see B and the docs.</p>"), "{home}");
    // The briefing's link is a link like any other: B knows it is linked from A.
    assert!(site.main("b/index.html").contains("href=\"/a/\""), "a back-link from the briefing");

    let safe = project(&[
        (
            "playbooks/a.md",
            "# A\n\n## Story Mode\n\n> **Officer**: <img src=https://example.com/x.png onerror=alert(1)> *CTO*\n",
        ),
        ("playbook.toml", "safe_html = true\n"),
    ]);
    let main = build_project(safe.path(), None).main("a/index.html");
    assert!(main.contains("<em>CTO</em>") && !main.contains("onerror"), "{main}");
}

#[test]
fn a_weighted_playbook_comes_before_the_unweighted_ones_of_its_track() {
    let dir = project(&[
        ("playbooks/people/a.md", "# Appraisals\n"),
        ("playbooks/people/z.md", "---\nweight: 1\n---\n# Zero to One\n"),
        ("playbooks/people/m.md", "---\nweight: 2\n---\n# Mentoring\n"),
        ("playbooks/people/b.md", "# Budgets\n"),
    ]);
    let site = build_project(dir.path(), None);
    let track = site.main("tracks/people/index.html");
    let at = |title: &str| track.find(title).unwrap_or_else(|| panic!("{title} in {track}"));
    assert!(
        at("Zero to One") < at("Mentoring") && at("Mentoring") < at("Appraisals") && at("Appraisals") < at("Budgets")
    );
    assert!(site.main("people/z/index.html").contains("rel=\"next\" href=\"/people/m/\""));
}

#[test]
fn a_back_link_names_its_section_unless_the_section_is_the_page_itself() {
    let dir = project(&[
        ("playbooks/a.md", "# A\n\n## Patterns\n\n### A\n\nSee [[c]].\n\n### Deep Work\n\nAlso [[c]].\n"),
        ("playbooks/c.md", "# C\n"),
    ]);
    let main = build_project(dir.path(), None).main("c/index.html");
    assert!(main.contains("<a href=\"/a/\">A</a></li>"), "{main}");
    // It goes to where the link is.
    assert!(main.contains("<a href=\"/a/#deep-work\">A</a> <small>in Deep Work</small></li>"), "{main}");
    assert!(!main.contains("<small>in A</small>"), "{main}");
}

#[test]
fn a_card_with_no_summary_or_story_shows_the_opening_words() {
    let dir = project(&[(
        "playbooks/g.md",
        "# Growth Plans\n\nA plan names the next role and the skills it needs. It is reviewed every quarter, \
         with the manager and a peer who has done the role before.\n\n## Why plans fail\n\nVague goals.\n",
    )]);
    let site = build_project(dir.path(), None);
    let home = site.main("index.html");
    let words = "A plan names the next role and the skills it needs. It is reviewed every quarter, with the manager \
                 and a peer who has…";
    assert!(home.contains(&format!("<p>{words}</p>")), "{home}");
    let page = site.page("g/index.html");
    assert!(page.contains(&format!("<meta name=\"description\" content=\"{words}\">")), "{page}");
}

/// A catalog of more entries than `list_page_size` goes over numbered
/// pages, each with the whole catalog's jump list and a pager, so that no
/// page grows with the handbook.
#[test]
fn a_long_catalog_is_split_into_pages_filed_without_leading_articles() {
    let dir = project(&[
        ("playbook.toml", "list_page_size = 2\n"),
        (
            "playbooks/a.md",
            "# Alpha\n\n## Strategic Frameworks\n\n### The Zeta Curve\n\nZeta.\n\n### Buy vs Build\n\nBuy.\n\n\
             ### Maturity Curve\n\nMaturity.\n",
        ),
        (
            "playbooks/b.md",
            "# Beta\n\n## Strategic Frameworks\n\n### An Apex Model\n\nApex.\n\n### Cost Map\n\nCost.\n",
        ),
    ]);
    let site = build_project(dir.path(), Some("https://example.org/"));
    let pages = ["frameworks/index.html", "frameworks/page/2/index.html", "frameworks/page/3/index.html"];
    let mains: Vec<String> = pages.iter().map(|p| site.main(p)).collect();
    assert!(!site.path("frameworks/page/4").exists() && !site.path("frameworks/page/1").exists());
    // Filed like a library: "An Apex Model" under A, "The Zeta Curve" under Z.
    let names = |main: &str| -> Vec<String> {
        main.split("<h2><a href=\"")
            .skip(1)
            .map(|h| h[h.find('>').unwrap() + 1..h.find("</a>").unwrap()].to_string())
            .collect()
    };
    assert_eq!(names(&mains[0]), ["An Apex Model", "Buy vs Build"]);
    assert_eq!(names(&mains[1]), ["Cost Map", "Maturity Curve"]);
    assert_eq!(names(&mains[2]), ["The Zeta Curve"]);
    assert!(mains[1].contains("5 in all, by name. Page 2 of 3."), "{}", mains[1]);
    assert!(site.page(pages[1]).contains("<title>Frameworks, page 2 of 3 · "), "the tab tells the pages apart");
    assert!(site.page(pages[0]).contains("<title>Frameworks · "), "the first page is the catalog's own");
    // Every page jumps to every initial: on its own page by anchor, on
    // another by that page's address and the anchor, which is there.
    let jump = |main: &str| -> Vec<(String, String)> {
        let nav = &main[main.find("<nav class=\"jump\"").expect("a jump list")..];
        let nav = &nav[..nav.find("</nav>").unwrap()];
        nav.split("<a href=\"")
            .skip(1)
            .map(|a| {
                (
                    a[..a.find('"').unwrap()].to_string(),
                    a[a.find('>').unwrap() + 1..a.find("</a>").unwrap()].to_string(),
                )
            })
            .collect()
    };
    let on_two = jump(&mains[1]);
    let letters: Vec<&str> = on_two.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(letters, ["A", "B", "C", "M", "Z"]);
    assert_eq!(on_two[0].0, "/frameworks/#b--an-apex-model");
    assert_eq!(on_two[2].0, "#b--cost-map");
    assert_eq!(on_two[4].0, "/frameworks/page/3/#a--the-zeta-curve");
    for main in &mains {
        for (url, _) in jump(main) {
            let (page, anchor) = url.split_once('#').unwrap();
            let target = match page.trim_start_matches('/') {
                "" => main.clone(),
                p => site.main(&format!("{p}index.html")),
            };
            assert!(target.contains(&format!("id=\"{anchor}\"")), "{url} leads to its entry");
        }
    }
    // The pager: the previous and next pages, and every page by number.
    let pager = &mains[1][mains[1].find("<nav class=\"pages\"").expect("a pager")..];
    assert!(pager.contains("<a rel=\"prev\" href=\"/frameworks/\">"), "{pager}");
    assert!(pager.contains("<a rel=\"next\" href=\"/frameworks/page/3/\">"), "{pager}");
    assert!(
        pager.contains("<a aria-current=\"page\" aria-label=\"Page 2\" href=\"/frameworks/page/2/\">2</a>"),
        "{pager}"
    );
    assert!(!mains[0].contains("rel=\"prev\"") && !mains[2].contains("rel=\"next\""));
    // The sitemap lists every page; the exit games catalog, with nothing in
    // it, is one page with no pager.
    let sitemap = site.page("sitemap.xml");
    for p in ["frameworks/", "frameworks/page/2/", "frameworks/page/3/", "exit-games/"] {
        assert!(sitemap.contains(&format!("<loc>https://example.org/{p}</loc>")), "{p}: {sitemap}");
    }
    assert!(!site.main("exit-games/index.html").contains("class=\"pages\""));
}

/// Past 300 playbooks one picture is too big to read (or load), and one
/// print page fetches every page of the site: each track gets a map and a
/// print page of its own, and the map's and print's pages list them (the
/// map's with how often each track links to the others).
#[test]
fn a_big_handbook_is_mapped_and_printed_track_by_track() {
    let mut files: Vec<(String, String)> = (0..151)
        .map(|i| (format!("playbooks/ops/o{i:03}.md"), format!("# Ops {i:03}\n\nText.\n")))
        .chain((0..150).map(|i| (format!("playbooks/people/p{i:03}.md"), format!("# People {i:03}\n\nText.\n"))))
        .collect();
    files[0].1 = "# Ops 000\n\nSee [[o001]] and [[p000]] and [[p001]].\n".into();
    files[2].1 = "# Ops 002 </script>\n\nText.\n".into();
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let site = build_project(project(&refs).path(), Some("https://example.org/"));
    let overview = site.main("map/index.html");
    assert!(!overview.contains("<svg"), "no picture of the whole handbook");
    assert!(
        overview.contains(
            "<li><a href=\"/map/ops/\">Ops</a> <span class=\"count\">151 playbooks</span>: links to People (2 links)</li>"
        ),
        "{overview}"
    );
    assert!(
        overview.contains("<li><a href=\"/map/people/\">People</a> <span class=\"count\">150 playbooks</span></li>")
    );
    let ops = site.main("map/ops/index.html");
    assert_eq!(ops.matches("<rect class=\"map-node\"").count(), 151, "its own playbooks alone");
    assert!(ops.contains("<a href=\"/map/ops/\" aria-current=\"page\">Ops</a>"), "{ops}");
    let edges = ops.split("class=\"map-edge\" d=\"").nth(1).and_then(|d| d.split('"').next()).expect("edges");
    assert_eq!(edges.matches('M').count(), 1, "the one link within the track is drawn: {edges}");
    assert!(
        ops.contains(": links to Ops 001, People 000 (People), People 001 (People)</li>"),
        "links to other tracks are named with their track: {ops}"
    );
    let height = |main: &str| {
        main.split("height=\"").nth(1).and_then(|h| h.split('"').next()).unwrap().parse::<usize>().unwrap()
    };
    let width =
        |main: &str| main.split("width=\"").nth(1).and_then(|h| h.split('"').next()).unwrap().parse::<usize>().unwrap();
    // 151 boxes of 56 px a row would be 8,456 px in one column.
    assert!(height(&ops) < 3_000 && width(&ops) >= 3 * 240, "in columns: {} by {}", width(&ops), height(&ops));
    for p in ["map/ops/index.html", "print/ops/index.html"] {
        assert!(site.page(p).contains("data-track=\"ops\">"), "{p} says its track for the sidebar");
    }
    assert!(!ops.contains("map-outline-track"), "a track's map does not name its own track on every line");
    let people = site.main("map/people/index.html");
    assert!(people.contains("<svg") && !people.contains("map-edge"), "no links within people");
    let print = site.main("print/index.html");
    assert!(!print.contains("print-chapter"), "no chapters on the list of tracks: {print}");
    assert!(print.contains("301 playbooks, too many to print at once"), "{print}");
    assert!(print.contains("<li><a href=\"/print/ops/\">Ops</a> <span class=\"count\">151 playbooks</span></li>"));
    let ops = site.main("print/ops/index.html");
    assert!(ops.contains("<p class=\"lead\">The 151 playbooks of Ops, to print or save as PDF.</p>"), "{ops}");
    assert_eq!(ops.matches("<article class=\"print-chapter").count(), 151, "its own playbooks alone");
    assert!(ops.contains("data-src=\"/ops/o150/\"") && !ops.contains("data-src=\"/people/"), "{ops}");
    assert!(ops.contains("<a href=\"/print/ops/\" aria-current=\"page\">Ops</a>"), "{ops}");
    // A track's page prints from its own print page, not a filter of all.
    assert!(site.main("tracks/ops/index.html").contains("href=\"/print/ops/\""));
    let sitemap = site.page("sitemap.xml");
    for p in ["map/people/", "print/people/"] {
        assert!(sitemap.contains(&format!("<loc>https://example.org/{p}</loc>")), "{p}");
    }
    // The sidebar's list: the tracks in the script every page loads, each
    // track's playbooks in a file of its own, loaded when the track opens.
    let nav = site.page("assets/nav.js");
    // Asked for at what it holds: a list cached from an earlier build is
    // never shown with this one's nav.js.
    let at = format!("assets/nav/ops.js?v={}", playbook::cache::version_of(site.page("assets/nav/ops.js").as_bytes()));
    assert!(nav.contains(&format!("{{\"n\":\"Ops\",\"u\":\"tracks/ops/\",\"c\":151,\"f\":\"{at}\"}}")), "{nav}");
    assert!(!nav.contains("Ops 000") && !nav.contains("\"p\":"), "no playbook listed in nav.js: {nav}");
    let ops = site.page("assets/nav/ops.js");
    assert!(
        ops.starts_with("window.PLAYBOOK_NAV_TRACK(\"tracks/ops/\",[{\"t\":\"Ops 000\",\"u\":\"ops/o000/\"},"),
        "{ops}"
    );
    assert_eq!(ops.matches("\"t\":").count(), 151);
    assert!(ops.contains("{\"t\":\"Ops 002 \\u003c/script>\",") && !ops.contains("</script>"), "{ops}");
    assert!(
        site.page("ops/o000/index.html").contains("<body data-base=\"/\" data-track=\"ops\">"),
        "its track, for the sidebar"
    );
}

/// A track of more playbooks than `list_page_size` has its map and its
/// print page over numbered pages too: no page of the site grows with the
/// handbook (a track's map of 1,250 playbooks was a 1.1 MB page).
#[test]
fn a_long_tracks_map_and_print_page_go_over_numbered_pages() {
    let mut files: Vec<(String, String)> = (0..251)
        .map(|i| (format!("playbooks/ops/o{i:03}.md"), format!("# Ops {i:03}\n\nText.\n")))
        .chain((0..50).map(|i| (format!("playbooks/people/p{i:03}.md"), format!("# People {i:03}\n\nText.\n"))))
        .collect();
    files[0].1 = "# Ops 000\n\nSee [[o001]] and [[o150]].\n".into();
    files[150].1 = "# Ops 150\n\nSee [[o151]].\n".into();
    files.push(("playbook.toml".into(), "list_page_size = 100\n".into()));
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let dir = project(&refs);
    let site = build_project(dir.path(), Some("https://example.org/"));
    let boxes = |main: &str| main.matches("<rect class=\"map-node\"").count();
    let edges = |main: &str| {
        main.split("class=\"map-edge\" d=\"")
            .nth(1)
            .and_then(|d| d.split('"').next())
            .map_or(0, |d| d.matches('M').count())
    };
    let first = site.main("map/ops/index.html");
    let second = site.main("map/ops/page/2/index.html");
    let third = site.main("map/ops/page/3/index.html");
    assert_eq!([boxes(&first), boxes(&second), boxes(&third)], [100, 100, 51]);
    assert!(first.contains("Ops 099") && !first.contains("Ops 100<") && third.contains("Ops 250"), "in order");
    // A link is drawn where both ends are on the page, and named in the
    // outline wherever its target is.
    assert_eq!([edges(&first), edges(&second), edges(&third)], [1, 1, 0]);
    assert!(first.contains(": links to Ops 001, Ops 150</li>"), "{first}");
    assert!(first.contains("The playbooks of Ops and the links between them. Page 1 of 3.</p>"), "{first}");
    assert!(first.contains("<a href=\"/map/ops/\" aria-current=\"page\">Ops</a>"), "{first}");
    let page = site.page("map/ops/page/2/index.html");
    assert!(page.contains("<title>Map: Ops, page 2 of 3 · "), "{page}");
    assert!(second.contains("<a href=\"/map/ops/\" aria-current=\"true\">Ops</a>"), "still its track: {second}");
    assert!(
        second.contains("<li><a href=\"/map/ops/\">Ops</a></li>\n<li><span aria-current=\"page\">Page 2</span>"),
        "{second}"
    );
    assert!(
        second.contains("<a rel=\"prev\" href=\"/map/ops/\">")
            && second.contains("<a rel=\"next\" href=\"/map/ops/page/3/\">")
    );
    assert!(page.contains("data-track=\"ops\">"), "the sidebar opens its track");
    let people = site.main("map/people/index.html");
    assert!(boxes(&people) == 50 && !people.contains("class=\"pages\""), "a short track is one page: {people}");
    assert!(people.contains("links between them.</p>") && !people.contains("Page 1 of 1"), "{people}");
    let chapters = |main: &str| main.matches("<article class=\"print-chapter").count();
    let print = [
        site.main("print/ops/index.html"),
        site.main("print/ops/page/2/index.html"),
        site.main("print/ops/page/3/index.html"),
    ];
    assert_eq!(print.each_ref().map(|p| chapters(p)), [100, 100, 51]);
    assert!(print[0].contains("The 251 playbooks of Ops, to print or save as PDF. Page 1 of 3."), "{}", print[0]);
    assert!(print[2].contains("data-src=\"/ops/o250/\"") && !print[2].contains("data-src=\"/ops/o199/\""));
    assert!(print[1].contains("Gathering 100 playbooks for printing"), "{}", print[1]);
    // Its contents are numbered on from the page before.
    assert!(print[1].contains("<h2>Contents</h2><ol start=\"101\">") && print[0].contains("<h2>Contents</h2><ol>"));
    let sitemap = site.page("sitemap.xml");
    for p in ["map/ops/page/3/", "print/ops/page/2/", "map/people/", "tracks/", "tags/", ""] {
        assert!(sitemap.contains(&format!("<loc>https://example.org/{p}</loc>")), "{p}");
    }
    assert!(!sitemap.contains("map/people/page/"), "{sitemap}");
    // Read from disk, the print pages hold their chapters, and page 2's
    // still go on from page 1's numbers.
    let from_disk = build_project(dir.path(), Some("./"));
    let second = from_disk.main("print/ops/page/2/index.html");
    assert!(second.contains("<h2>Contents</h2><ol start=\"101\">"), "{second}");
    assert_eq!(second.matches("<div class=\"playbook-body\">").count(), 100, "chapters inline");
    assert!(second.contains("<li><a href=\"../../../../print/ops/index.html\">Ops</a></li>"), "{second}");
    assert!(second.contains("<a rel=\"next\" href=\"../../../../print/ops/page/3/index.html\">"), "{second}");
}

/// 300 playbooks are still one handbook: one map, one print page, one
/// sidebar script; past that, `list_page_size = 0` keeps each track's map
/// and print page whole.
#[test]
fn three_hundred_playbooks_are_one_map_and_page_size_zero_keeps_tracks_whole() {
    let files = |n: usize| -> Vec<(String, String)> {
        (0..n).map(|i| (format!("playbooks/ops/o{i:03}.md"), format!("# Ops {i:03}\n\nText.\n"))).collect()
    };
    let mut three_hundred = files(299);
    three_hundred.push(("playbooks/people/p.md".into(), "# Person\n\nText.\n".into()));
    let refs: Vec<(&str, &str)> = three_hundred.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let site = build_project(project(&refs).path(), None);
    assert!(site.main("map/index.html").contains("<svg"), "one picture of all 300");
    assert!(!site.dir.path().join("map/ops").exists() && !site.dir.path().join("assets/nav").exists());
    assert!(site.page("assets/nav.js").contains("\"c\":299,\"p\":[{\"t\":\"Ops 000\""));

    let mut whole = files(301);
    whole.push(("playbook.toml".into(), "list_page_size = 0\n".into()));
    let refs: Vec<(&str, &str)> = whole.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let site = build_project(project(&refs).path(), None);
    let map = site.main("map/ops/index.html");
    assert_eq!(map.matches("<rect class=\"map-node\"").count(), 301, "one page of the whole track");
    assert!(!map.contains("class=\"pages\"") && !site.dir.path().join("map/ops/page").exists());
    assert_eq!(site.main("print/ops/index.html").matches("<article class=\"print-chapter").count(), 301);
    assert!(site.dir.path().join("assets/nav/ops.js").exists(), "the sidebar still goes track by track");
}

/// A track's or a tag's list of more playbooks than `list_page_size` goes
/// over numbered pages; the folder's introduction opens the first.
#[test]
fn a_long_track_or_tag_list_is_split_into_pages() {
    let mut files: Vec<(String, String)> = (1..=7)
        .map(|i| (format!("playbooks/ops/p{i}.md"), format!("---\ntags: [oncall]\n---\n# Ops {i}\n\nText.\n")))
        .collect();
    files.push(("playbooks/ops/README.md".into(), "# Operations\n\nHow we run things.\n".into()));
    files.push(("playbooks/people/a.md".into(), "---\ntags: [oncall]\n---\n# Alpha Person\n\nText.\n".into()));
    files.push(("playbook.toml".into(), "list_page_size = 3\n".into()));
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let site = build_project(project(&refs).path(), Some("https://example.org/"));
    let titles = |main: &str| -> Vec<String> {
        main.split("<h3><a href=\"")
            .skip(1)
            .map(|c| c[c.find('>').unwrap() + 1..c.find("</a>").unwrap()].to_string())
            .collect()
    };
    let first = site.main("tracks/ops/index.html");
    assert_eq!(titles(&first), ["Ops 1", "Ops 2", "Ops 3"], "{first}");
    assert!(first.contains("How we run things.") && first.contains("7 playbooks. Page 1 of 3."), "{first}");
    let second = site.main("tracks/ops/page/2/index.html");
    assert_eq!(titles(&second), ["Ops 4", "Ops 5", "Ops 6"]);
    assert!(!second.contains("How we run things."), "the introduction is on the first page only");
    assert!(second.contains("<li><a href=\"/tracks/ops/\">Ops</a></li>"), "back to the first page: {second}");
    assert!(second.contains("<li><a href=\"/tracks/\">Tracks</a></li>"), "the crumbs pass by all tracks: {second}");
    // The sidebar opens the track on all of its pages, told which it is.
    assert!(site.page("tracks/ops/page/2/index.html").contains("<body data-base=\"/\" data-track=\"ops\">"));
    assert!(second.contains("<a rel=\"next\" href=\"/tracks/ops/page/3/\">") && second.contains("Print this track"));
    assert_eq!(titles(&site.main("tracks/ops/page/3/index.html")), ["Ops 7"]);
    assert!(!site.path("tracks/ops/page/4").exists());
    // A tag lists its playbooks one per line, three to a page too.
    // A tag's rows go by title across tracks, each with its track.
    let first_tag = site.main("tags/oncall/index.html");
    assert!(first_tag.contains("<li><a href=\"/tags/\">Tags</a></li>"), "{first_tag}");
    let rows: Vec<&str> = first_tag.split("<li><a href=\"/").skip(3).map(|r| &r[..r.find("</li>").unwrap()]).collect();
    assert_eq!(
        rows,
        [
            "people/a/\">Alpha Person</a> <span class=\"row-track\">People</span>",
            "ops/p1/\">Ops 1</a> <span class=\"row-track\">Ops</span>",
            "ops/p2/\">Ops 2</a> <span class=\"row-track\">Ops</span>"
        ],
        "{first_tag}"
    );
    let tag = site.main("tags/oncall/page/3/index.html");
    assert!(
        tag.contains(">Ops 7</a>")
            && tag.contains("<a aria-current=\"page\" aria-label=\"Page 3\" href=\"/tags/oncall/page/3/\">3</a>"),
        "{tag}"
    );
    let sitemap = site.page("sitemap.xml");
    for p in ["tracks/ops/", "tracks/ops/page/3/", "tags/oncall/page/2/"] {
        assert!(sitemap.contains(&format!("<loc>https://example.org/{p}</loc>")), "{p}: {sitemap}");
    }
}
