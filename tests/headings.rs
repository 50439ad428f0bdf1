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
