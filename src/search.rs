//! The search index: one document per playbook and per section of it, with
//! the text a reader would search for. It ships as a script
//! (`assets/search-index.js`) that the page loads only when the reader starts
//! searching, so search works offline and from `file://`.

use serde::Serialize;

use crate::model::{Heading, Playbook, SectionKind};

/// Characters of text kept per document: enough to find a section by what it
/// says, small enough that a 1,000-playbook index stays a few megabytes.
const TEXT_CHARS: usize = 400;

/// One search result target. Short field names keep the index small.
#[derive(Debug, Serialize, PartialEq, Hash)]
pub struct SearchDoc {
    /// Title shown for the result.
    pub t: String,
    /// The playbook it belongs to (empty for the playbook itself).
    pub p: String,
    /// Site path (without the base, which the page adds), with the section's anchor.
    pub u: String,
    /// Kind: `page`, `section`, `framework`, `exit-game` or `story`.
    pub k: &'static str,
    /// Searchable text.
    pub x: String,
}

/// The documents of one playbook, whose page is at `url`.
pub fn documents(p: &Playbook, url: &str) -> Vec<SearchDoc> {
    let mut page_text = vec![p.track.name.clone()];
    page_text.extend(p.level.clone());
    page_text.extend(p.tags.iter().cloned());
    page_text.extend(p.summary.clone());
    let mut docs = vec![SearchDoc {
        t: p.title.clone(),
        p: String::new(),
        u: url.to_string(),
        k: "page",
        x: clip(&page_text.join(" ")),
    }];
    if let Some(s) = &p.story {
        let fields = [&s.title, &s.mission_date, &s.location, &s.officer, &s.problem, &s.solution, &s.quote];
        let text: Vec<&str> = fields.iter().filter_map(|f| f.as_deref()).collect();
        docs.push(SearchDoc {
            t: format!("Story Mode: {}", s.title.as_deref().unwrap_or(&p.title)),
            p: p.title.clone(),
            u: format!("{url}#{}", s.anchor),
            k: "story",
            x: clip(&text.join(" ")),
        });
    }
    docs[0].x.push(' ');
    docs[0].x.push_str(p.texts.first().map_or("", String::as_str));
    for (heading, text) in p.headings.iter().zip(p.texts.iter().skip(1)) {
        if let Some(mut doc) = section_doc(p, url, heading) {
            doc.x = text.clone();
            docs.push(doc);
        }
    }
    for d in &mut docs {
        d.x = clip(d.x.trim());
    }
    docs
}

/// A document for a heading, unless the page hides it.
fn section_doc(p: &Playbook, url: &str, h: &Heading) -> Option<SearchDoc> {
    let offset = h.range.start;
    if p.layout.hidden.iter().any(|r| r.start == offset) {
        return None;
    }
    let (kind, anchor, title) = match p.sections.iter().find(|s| s.heading.start == offset) {
        Some(s) if s.kind == SectionKind::Framework => ("framework", &s.id, s.name.clone()),
        Some(s) => ("exit-game", &s.id, s.name.clone()),
        None => ("section", &h.id, h.text.clone()),
    };
    Some(SearchDoc { t: title, p: p.title.clone(), u: format!("{url}#{anchor}"), k: kind, x: String::new() })
}

fn clip(text: &str) -> String {
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::parts::truncate_words(&words, TEXT_CHARS)
}

/// The index as a script assigning `window.PLAYBOOK_SEARCH`.
pub fn index_script(docs: &[&SearchDoc]) -> String {
    let json = serde_json::to_string(docs).unwrap_or_else(|_| "[]".into());
    format!("window.PLAYBOOK_SEARCH={};\n", json.replace('<', "\\u003c"))
}
