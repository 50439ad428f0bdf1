//! The search index: one document per playbook and per section of it, with
//! the text a reader would search for. It ships as a script
//! (`assets/search-index.js`) that the page loads only when the reader starts
//! searching, so search works offline and from `file://`.

use serde::Serialize;

use crate::model::{Heading, Playbook, SectionKind};

/// Characters of text kept per document: enough to find a section by what it
/// says, small enough that a 1,000-playbook index stays a few megabytes.
pub const TEXT_CHARS: usize = 400;

/// One search result target. The page it belongs to is not repeated in
/// each: the index lists pages once and documents point into that list.
#[derive(Debug, Serialize, PartialEq, Hash)]
pub struct SearchDoc {
    /// Title shown for the result; empty for the playbook itself.
    pub t: String,
    /// The anchor on the playbook's page; empty for the playbook itself.
    pub a: String,
    /// Kind, one letter: see `KINDS`.
    pub k: char,
    /// Searchable text.
    pub x: String,
}

/// Kind letters and what the page's script calls them.
pub const KINDS: &[(char, &str)] =
    &[('p', "page"), ('s', "section"), ('f', "framework"), ('e', "exit-game"), ('m', "story")];

fn kind(name: &str) -> char {
    KINDS.iter().find(|(_, n)| *n == name).map_or('s', |(c, _)| *c)
}

/// The documents of one playbook.
pub fn documents(p: &Playbook) -> Vec<SearchDoc> {
    let mut page_text = vec![p.track.name.clone()];
    page_text.extend(p.level.clone());
    page_text.extend(p.tags.iter().cloned());
    page_text.extend(p.summary.clone());
    let mut docs = vec![SearchDoc { t: String::new(), a: String::new(), k: kind("page"), x: page_text.join(" ") }];
    if let Some(s) = &p.story {
        let mut text: Vec<&str> = s.title.as_deref().into_iter().collect();
        text.extend(s.texts().map(|t| &*t.text));
        docs.push(SearchDoc {
            t: format!("Story Mode: {}", s.title.as_deref().unwrap_or(&p.title)),
            a: s.anchor.clone(),
            k: kind("story"),
            x: text.join(" "),
        });
    }
    for text in p.opening() {
        docs[0].x.push(' ');
        docs[0].x.push_str(text);
    }
    for d in &mut docs {
        d.x = clip(&d.x);
    }
    for (heading, text) in p.headings.iter().zip(p.texts.iter().skip(1)) {
        if let Some(mut doc) = section_doc(p, heading) {
            doc.x = clip(text);
            docs.push(doc);
        }
    }
    docs
}

/// A document for a heading, unless the page hides it.
fn section_doc(p: &Playbook, h: &Heading) -> Option<SearchDoc> {
    if p.is_hidden(h) {
        return None;
    }
    let (k, anchor, title) = match p.section_of(h) {
        Some(s) if s.kind == SectionKind::Framework => ("framework", &s.id, s.name.clone()),
        Some(s) => ("exit-game", &s.id, s.name.clone()),
        None => ("section", &h.id, h.text.clone()),
    };
    Some(SearchDoc { t: title, a: anchor.clone(), k: kind(k), x: String::new() })
}

fn clip(text: &str) -> String {
    crate::parts::clip_words(text, TEXT_CHARS)
}

/// The documents of the page at `page` in the index's list of pages, as the
/// index's rows: `[page, title, anchor, kind, text]`, comma-separated. Made
/// per page (in parallel, and without keeping every page's documents until
/// the index is written).
pub fn rows(page: usize, docs: &[SearchDoc]) -> Vec<u8> {
    let mut out = Vec::with_capacity(docs.iter().map(|d| 24 + d.t.len() + d.a.len() + d.x.len()).sum());
    let page = page.to_string();
    for (i, d) in docs.iter().enumerate() {
        out.extend_from_slice(if i > 0 { b",[" } else { b"[" });
        out.extend_from_slice(page.as_bytes());
        for text in [d.t.as_str(), d.a.as_str(), d.k.encode_utf8(&mut [0; 4]), d.x.as_str()] {
            out.push(b',');
            push_json_str(&mut out, text);
        }
        out.push(b']');
    }
    out
}

/// `text` as a JSON string, escaped as serde_json escapes it and with `<`
/// as `\u003c` (see [`NoTagOpen`]), in one pass: the index is megabytes of
/// text, and serde_json's writer followed by a second pass for `<` was a
/// twentieth of a build.
fn push_json_str(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    let bytes = text.as_bytes();
    let mut done = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !JSON_ESCAPED[usize::from(b)] {
            continue;
        }
        out.extend_from_slice(&bytes[done..i]);
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
            }
        }
        done = i + 1;
    }
    out.extend_from_slice(&bytes[done..]);
    out.push(b'"');
}

/// The bytes [`push_json_str`] escapes: control characters, `"`, `\`, `<`.
static JSON_ESCAPED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table[b'<' as usize] = true;
    table
};

/// The index as a script assigning `window.PLAYBOOK_SEARCH`:
/// `{"pages":[[title, path, track], ...], "docs":[[page, title, anchor, kind, text], ...]}`,
/// written from the pages (title, site path, track) and then each page's [`rows`]
/// as they are made, so they need not all be held at once.
pub struct IndexScript {
    script: Vec<u8>,
    empty: bool,
}

impl IndexScript {
    /// `size` is a guess of the whole script's size, to allocate once.
    pub fn new(pages: &[(&str, &str, &str)], size: usize) -> Self {
        let mut script = Vec::with_capacity(size);
        script.extend_from_slice(b"window.PLAYBOOK_SEARCH={\"pages\":");
        // Writing JSON into memory cannot fail.
        let _ = serde_json::to_writer(NoTagOpen(&mut script), pages);
        script.extend_from_slice(b",\"docs\":[");
        IndexScript { script, empty: true }
    }

    pub fn push(&mut self, rows: &[u8]) {
        if rows.is_empty() {
            return;
        }
        if !self.empty {
            self.script.push(b',');
        }
        self.script.extend_from_slice(rows);
        self.empty = false;
    }

    pub fn finish(mut self) -> Vec<u8> {
        self.script.extend_from_slice(b"]};\n");
        self.script
    }
}

/// Writes `<` (only ever inside JSON strings) as `\u003c`, so no text can
/// close the script element a JSON script is loaded by.
pub(crate) struct NoTagOpen<'a>(pub(crate) &'a mut Vec<u8>);

impl std::io::Write for NoTagOpen<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for part in buf.split_inclusive(|&b| b == b'<') {
            match part.split_last() {
                Some((b'<', head)) => {
                    self.0.extend_from_slice(head);
                    self.0.extend_from_slice(b"\\u003c");
                }
                _ => self.0.extend_from_slice(part),
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn rows_are_what_serde_json_writes_with_no_tag_open(
            texts in proptest::collection::vec("(\\PC|[\\x00-\\x1f\"\\\\<>\\x7f\u{2028}])*", 3),
            kind in proptest::sample::select(&['p', 's', 'é'][..]),
            page in 0usize..100_000,
        ) {
            let doc = SearchDoc { t: texts[0].clone(), a: texts[1].clone(), k: kind, x: texts[2].clone() };
            let mut spec = Vec::new();
            serde_json::to_writer(NoTagOpen(&mut spec), &(page, &doc.t, &doc.a, doc.k, &doc.x)).unwrap();
            spec.push(b',');
            serde_json::to_writer(NoTagOpen(&mut spec), &(page, "", "", 'p', "")).unwrap();
            let empty = SearchDoc { t: String::new(), a: String::new(), k: 'p', x: String::new() };
            proptest::prop_assert_eq!(String::from_utf8(rows(page, &[doc, empty])).unwrap(), String::from_utf8(spec).unwrap());
        }
    }

    #[test]
    fn the_text_under_the_title_is_found_on_the_page() {
        let src = crate::load::SourceFile::new(
            "playbooks/g.md".into(),
            "g".into(),
            "Before.\n\n# Growth Plans\n\nA promotion is earned.\n\n## Why plans fail\n\nVague goals.\n".into(),
        );
        let docs = documents(&crate::parse::playbook(&src).unwrap());
        let page = &docs[0];
        assert!(page.x.contains("Before.") && page.x.contains("A promotion is earned."), "{page:?}");
        let section = docs.iter().find(|d| d.t == "Why plans fail").expect("the section");
        assert_eq!(section.x, "Vague goals.");
        assert!(!docs.iter().any(|d| d.t == "Growth Plans"), "the title is the page, not a section");
    }

    #[test]
    fn no_text_can_close_the_script() {
        let docs = [SearchDoc { t: "a </script> b".into(), a: "x".into(), k: 's', x: "<b>".into() }];
        let mut index = IndexScript::new(&[("T<", "t/", "G<"), ("Empty", "e/", "G")], 0);
        index.push(&rows(0, &docs));
        index.push(&rows(1, &[]));
        let text = String::from_utf8(index.finish()).unwrap();
        assert_eq!(
            text,
            "window.PLAYBOOK_SEARCH={\"pages\":[[\"T\\u003c\",\"t/\",\"G\\u003c\"],[\"Empty\",\"e/\",\"G\"]],\"docs\":[[0,\"a \\u003c/script> b\",\"x\",\"s\",\"\\u003cb>\"]]};\n"
        );
    }
}
