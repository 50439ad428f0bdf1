//! Heading ids are the ones GitHub gives, so deep links copied from GitHub
//! keep working on the site. Cases from the github-slugger test suite.

mod common;

use common::*;
use serde_json::Value;

fn cases() -> Vec<(String, String)> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/github-slugger-cases.json"))
            .unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["heading"].as_str().unwrap().to_string(), c["expected_id"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn the_slugger_gives_githubs_ids_in_order() {
    let mut slugger = playbook::slug::Slugger::default();
    for (heading, expected) in cases() {
        assert_eq!(slugger.slug(&heading), expected, "heading {heading:?}");
    }
}

#[test]
fn rendered_headings_carry_githubs_ids() {
    let body: String = cases().iter().map(|(h, _)| format!("## {h}\n\ntext\n\n")).collect();
    let dir = project(&[("playbooks/ids.md", &format!("# Ids\n\n{body}"))]);
    let site = build_project(dir.path(), None);
    let html = site.body("ids/index.html");
    for (heading, expected) in cases() {
        // The id comes from the text as written; the heading shows emoji.
        let escaped = playbook::markdown::escape_html(&playbook::emoji::replace_shortcodes(&heading));
        let tag = format!("<h2 id=\"{expected}\">{escaped}</h2>");
        assert!(html.contains(&tag), "missing {tag}");
    }
}

/// Every `id="..."` of a page, in order.
fn ids(html: &str) -> Vec<&str> {
    html.split(" id=\"").skip(1).filter_map(|rest| rest.split('"').next()).collect()
}

#[test]
fn no_two_elements_of_a_page_share_an_id() {
    // Frameworks named alike (whose stable ids a later heading's GitHub id
    // could take), headings named like the theme's own elements, a heading
    // named like a footnote, and a footnote defined twice.
    let dir = project(&[(
        "playbooks/a.md",
        "# A\n\n## Frameworks\n\n### X\n\n### X\n\n### X\n\n## Content\n\n## Sidebar\n\n## Search Results\n\n\
         ## Main\n\n## PB Main\n\n## 1\n\n## Fn 1\n\n## Story Mode: X\n\n> **Officer**: CTO\n\n## Story Mode X Title\n\n\
         See[^1], [^a] and [^a-2] and [[#x-2]].\n\n[^1]: one\n[^1]: two\n\
         [^a]: first a\n[^a]: second a\n[^a-2]: the real a-2\n",
    )]);
    let site = build_project(dir.path(), None);
    let page = site.page("a/index.html");
    let ids = ids(&page);
    let mut seen = std::collections::HashSet::new();
    let repeated: Vec<&&str> = ids.iter().filter(|id| !seen.insert(**id)).collect();
    assert!(repeated.is_empty(), "ids used twice: {repeated:?} in {ids:?}");
    for id in ["x", "x-1", "x-2", "content", "sidebar", "search-results", "main", "1", "fn-1"] {
        assert!(ids.contains(&id), "GitHub's id {id} is on the page: {ids:?}");
    }
    assert!(page.contains("one") && page.contains("two"), "both definitions are kept");
    assert!(ids.contains(&"pb-main-1"), "a heading never takes the theme's ids: {ids:?}");
    assert!(
        ids.contains(&"fn-1-1") && ids.contains(&"story-mode-x-title-1"),
        "nor a footnote's or the card's: {ids:?}"
    );
    let def = &page[page.find("id=\"fn-a-2\"").expect("a-2's definition")..];
    assert!(def[..def.find("</div>").unwrap()].contains("the real a-2"), "a repeated label leaves fn-a-2 to a-2");
    assert!(site.body("a/index.html").contains("<a href=\"#x-2\">"), "the link goes to the third heading");
}
