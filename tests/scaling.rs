//! Output grows linearly with the number of playbooks: nothing (such as a
//! sidebar listing every playbook) is copied into every page.

mod common;

use std::path::Path;
use std::process::Command;

fn corpus(n: usize, dir: &Path) {
    let status = Command::new("python3")
        .args([
            concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/gen_corpus.py"),
            "--n",
            &n.to_string(),
            "--seed",
            "1",
            "--out",
        ])
        .arg(dir.join("playbooks"))
        .output()
        .expect("python3 runs scripts/gen_corpus.py");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
}

fn total_bytes(dir: &Path) -> u64 {
    common::walk(dir).iter().map(|p| std::fs::metadata(p).unwrap().len()).sum()
}

fn built_size(n: usize) -> u64 {
    let project = tempfile::tempdir().unwrap();
    corpus(n, project.path());
    let site = common::build_project(project.path(), None);
    total_bytes(site.dir.path())
}

#[test]
fn doubling_the_playbooks_at_most_doubles_the_output() {
    let small = built_size(100);
    let large = built_size(200);
    let ratio = large as f64 / small as f64;
    assert!(ratio < 2.2, "200 playbooks made {large} bytes, 100 made {small}: ratio {ratio:.2}");
}

#[test]
fn a_page_does_not_grow_with_the_handbook() {
    let project = tempfile::tempdir().unwrap();
    corpus(30, project.path());
    let first = std::fs::read_dir(project.path().join("playbooks")).unwrap().next().unwrap().unwrap().path();
    let file = std::fs::read_dir(&first).unwrap().find_map(|e| e.ok().map(|e| e.path())).unwrap();
    let rel = file.strip_prefix(project.path()).unwrap().to_path_buf();
    // The same playbook alone and among 30 others (its links removed so it
    // builds alone): what precedes its body must not grow with the handbook.
    let alone = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(alone.path().join(rel.parent().unwrap())).unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let unlinked: String = text.lines().filter(|l| !l.contains("[[")).collect::<Vec<_>>().join("\n");
    std::fs::write(alone.path().join(&rel), &unlinked).unwrap();
    std::fs::write(&file, &unlinked).unwrap();
    let big = common::build_project(project.path(), None);
    let small = common::build_project(alone.path(), None);
    let page = |site: &common::Built| {
        let html = std::fs::read_to_string(
            common::walk(site.dir.path())
                .into_iter()
                .find(|p| {
                    p.to_string_lossy().contains(&format!(
                        "/{}/index.html",
                        playbook::parse::slug_from_path(&rel.with_extension("").file_name().unwrap().to_string_lossy())
                    ))
                })
                .expect("the page"),
        )
        .unwrap();
        // back-links, related playbooks and prev/next legitimately differ
        html[..html.find("<div class=\"playbook-body\">").unwrap()].len()
    };
    let (with_many, with_one) = (page(&big), page(&small));
    assert!(with_many <= with_one + 200, "page head grew from {with_one} to {with_many} bytes");
}

#[test]
fn a_search_finds_in_the_parts_it_loads_what_the_whole_index_has() {
    let project = tempfile::tempdir().unwrap();
    corpus(200, project.path());
    let site = common::build_project(project.path(), None);
    let read = |file: &str| site.page(file);
    let data = |name: &str| common::search_part(read, name).0;
    let mut index = data("index");
    let bounds: Vec<String> = serde_json::from_value(index["w"].clone()).unwrap();
    let parts = bounds.len();
    assert!(parts > 3, "200 playbooks' words in {parts} parts");
    // The same index with every word in one part: what a search has to find.
    let mut every = serde_json::Map::new();
    for n in 0..parts {
        every.extend(data(&format!("w{n}")).as_object().unwrap().clone());
    }
    index["w"] = serde_json::json!([""]);
    index["wv"] = serde_json::json!(["1"]);
    let whole_index = format!("window.PLAYBOOK_SEARCH_PART(\"index\",{index});\n");
    let whole_words =
        format!("window.PLAYBOOK_SEARCH_PART(\"w0\",{},\"1\");\n", serde_json::Value::Object(every.clone()));
    let whole = |file: &str| match file {
        "assets/search-index.js" => whole_index.clone(),
        "assets/search/w0.js" => whole_words.clone(),
        _ => read(file),
    };
    // Words, and starts of words, some of them in several parts.
    let mut terms: Vec<String> = every.keys().step_by(61).cloned().collect();
    terms.extend(terms.clone().iter().map(|w| w.chars().take(2).collect::<String>()));
    // A bound is the shortest start of its part's first word that sorts after
    // the word before: without its last character, it starts words on both
    // sides ("board" of "boardr").
    terms.extend(bounds.iter().filter(|b| b.chars().count() > 2).map(|b| {
        let mut start = b.clone();
        start.pop();
        start
    }));
    // A start that is a common word ("in" of "incident") looks for nothing.
    terms.retain(|t| playbook::search::words(t).next().is_some());
    let mut across = 0;
    for term in &terms {
        let found = common::search(read, term);
        assert!(!found.is_empty(), "{term} is in the index but finds nothing");
        assert_eq!(found, common::search(whole, term), "{term}");
        across += usize::from(bounds.iter().any(|b| b.len() > term.len() && b.starts_with(term.as_str())));
    }
    assert!(across >= 2, "only {across} of the terms have words in several parts: {bounds:?}");
}
