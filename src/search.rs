//! The search index: one document per playbook and per section of it,
//! found by the words a reader would search for. It ships as scripts (see
//! [`Index`]) that the page loads part by part as the reader searches, so
//! search works offline and from `file://`, and a search in a handbook of
//! any size loads a few of them.

use std::collections::BTreeMap;

use foldhash::HashMap;
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

/// A playbook's part of the index: how its results show, and the words
/// each of its documents is found by. Made per playbook (in parallel, and
/// kept by `serve` while the playbook is unchanged); [`files`] puts them
/// together.
#[derive(Debug, Default)]
pub struct Entry {
    /// `[title, path, track, [[title, anchor, kind], ...]]` as JSON: what
    /// its results show, for the block of pages it is listed in.
    row: Vec<u8>,
    docs: u32,
    /// Every distinct word of every document, one after the other.
    text: String,
    /// (end of the word in `text`, document, [`Meta`]), in document order.
    words: Vec<(u32, u32, u16)>,
}

/// What ranks a document found by a word, packed into its posting's low
/// [`META_BITS`] bits: the document's kind (its index in [`KINDS`]) and
/// how many words its title has (up to 15), and whether the word is in the
/// title (1) and is the title's first word (2). The page's script ranks
/// with these alone, before it loads anything about the documents.
const META_BITS: u32 = 9;

/// The words a reader's query is matched against: lower case, accents
/// dropped (NFKD without its combining marks, as the page's script does with
/// `normalize("NFKD")`), split at anything but letters and digits, and
/// without words too short or too common to tell documents apart.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().nth(1).is_some() && !STOP_WORDS.contains(w))
}

/// `text` as [`words`] reads it: lower case and without accents.
pub fn fold(text: &str) -> String {
    let lower = text.to_lowercase();
    if lower.is_ascii() {
        return lower;
    }
    let nfkd = icu_normalizer::DecomposingNormalizerBorrowed::new_nfkd().normalize(&lower);
    nfkd.chars().filter(|c| !('\u{300}'..='\u{36f}').contains(c)).collect()
}

/// Words in most documents, left out of the index and of queries (the
/// page's script has the same list).
const STOP_WORDS: &[&str] = &[
    "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of", "on", "or", "that", "the",
    "this", "to", "was", "we", "with",
];

/// The part of the index for the playbook at site path `path`.
pub fn entry(p: &Playbook, path: &str) -> Entry {
    let docs = documents(p);
    let mut entry =
        Entry { row: row(&p.title, path, &p.track.name, &docs), docs: docs.len() as u32, ..Entry::default() };
    let page_title = fold(&p.title);
    for (n, d) in docs.iter().enumerate() {
        // A section is found by its page's title too, ranked as text.
        let title = if d.t.is_empty() { page_title.clone() } else { fold(&d.t) };
        let text = if d.t.is_empty() { fold(&d.x) } else { fold(&format!("{} {}", p.title, d.x)) };
        let in_title: Vec<&str> = words(&title).collect();
        let kind = KINDS.iter().position(|(c, _)| *c == d.k).unwrap_or(1) as u16;
        let base = kind << 6 | (in_title.len().min(15) as u16) << 2;
        let mut seen: HashMap<&str, usize> = HashMap::default();
        let mut mine: Vec<(&str, u16)> = Vec::new();
        let all = in_title
            .iter()
            .enumerate()
            .map(|(i, w)| (*w, if i == 0 { 3 } else { 1 }))
            .chain(words(&text).map(|w| (w, 0)));
        for (w, flags) in all {
            match seen.get(w) {
                Some(&at) => mine[at].1 |= flags,
                None => {
                    seen.insert(w, mine.len());
                    mine.push((w, flags));
                }
            }
        }
        for (w, flags) in mine {
            entry.text.push_str(w);
            entry.words.push((entry.text.len() as u32, n as u32, base | flags));
        }
    }
    entry
}

/// A page's row in its block: `[title, path, track, [[title, anchor, kind], ...]]`.
fn row(title: &str, path: &str, track: &str, docs: &[SearchDoc]) -> Vec<u8> {
    let mut row = Vec::with_capacity(64 + docs.iter().map(|d| 8 + d.t.len() + d.a.len()).sum::<usize>());
    row.push(b'[');
    for (i, text) in [title, path, track].into_iter().enumerate() {
        if i > 0 {
            row.push(b',');
        }
        push_json_str(&mut row, text);
    }
    row.extend_from_slice(b",[");
    for (n, d) in docs.iter().enumerate() {
        row.extend_from_slice(if n > 0 { b",[" } else { b"[" });
        push_json_str(&mut row, &d.t);
        row.push(b',');
        push_json_str(&mut row, &d.a);
        row.push(b',');
        push_json_str(&mut row, d.k.encode_utf8(&mut [0; 4]));
        row.push(b']');
    }
    row.extend_from_slice(b"]]");
    row
}

/// Documents listed per block of result data: a search loads only the
/// blocks its best results are in.
const BLOCK_DOCS: u32 = 400;

/// Where the index starts: the script a page loads first.
pub const INDEX: &str = "assets/search-index.js";

/// The index's files, made from each playbook's [`Entry`] in the
/// handbook's order:
///
/// - `assets/search-index.js`, part `index`, is `{"k": k, "w": [keys],
///   "d": [first document of each block]}`;
/// - `assets/search/w<key>.js` holds the words starting with `key` (their
///   first `k` characters) and the documents each is in: `{word: [posting,
///   ...]}`, a posting being the distance in documents from the previous
///   one times 2^[`META_BITS`] plus its [`META_BITS`];
/// - `assets/search/d<n>.js` holds the results' data of block `n`: rows of
///   [`Entry`].
///
/// Each part is a script calling `window.PLAYBOOK_SEARCH_PART(name, data)`,
/// so search works from `file://` too. A query loads the parts of its
/// words' keys, and the blocks of the results it shows: a few of hundreds
/// of files, however big the handbook.
///
/// Entries are added one by one and need not be kept: only the postings,
/// already written as text, grow with the handbook.
#[derive(Default)]
pub struct Index {
    /// Each word's postings as the text of its list, and its last document.
    postings: HashMap<Box<str>, (Vec<u8>, u32)>,
    count: usize,
    docs: u32,
    files: Vec<(String, Vec<u8>)>,
    /// The block being filled, and the first document of each block.
    block: Option<Vec<u8>>,
    firsts: Vec<u32>,
}

impl Index {
    pub fn add(&mut self, e: &Entry) {
        let mut start = 0;
        for &(end, doc, meta) in &e.words {
            let word = &e.text[start..end as usize];
            start = end as usize;
            let doc = self.docs + doc;
            let (list, last) = match self.postings.get_mut(word) {
                Some(p) => p,
                None => self.postings.entry(word.into()).or_insert((Vec::new(), 0)),
            };
            if !list.is_empty() {
                list.push(b',');
            }
            let packed = u64::from(doc - *last) << META_BITS | u64::from(meta);
            list.extend_from_slice(itoa::Buffer::new().format(packed).as_bytes());
            *last = doc;
        }
        self.count += e.words.len();
        let first = self.docs;
        let firsts = &mut self.firsts;
        let block = self.block.get_or_insert_with(|| {
            firsts.push(first);
            let mut part = part_start(&format!("d{}", firsts.len() - 1));
            part.push(b'[');
            part
        });
        if block.last() != Some(&b'[') {
            block.push(b',');
        }
        block.extend_from_slice(&e.row);
        self.docs += e.docs;
        if self.firsts.last().is_some_and(|&f| self.docs - f >= BLOCK_DOCS) {
            self.finish_block();
        }
    }

    fn finish_block(&mut self) {
        if let Some(mut part) = self.block.take() {
            part.extend_from_slice(b"]);\n");
            self.files.push((format!("assets/search/d{}.js", self.firsts.len() - 1), part));
        }
    }

    pub fn finish(mut self) -> Vec<(String, Vec<u8>)> {
        self.finish_block();
        // Keys long enough that a part stays about 100 KB or less in this
        // corpus's words (fewer, bigger parts for a small handbook).
        let k = match self.count {
            0..30_000 => 0,
            30_000..300_000 => 1,
            _ => 2,
        };
        let mut by_key: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for word in self.postings.keys() {
            by_key.entry(key(word, k)).or_default().push(word);
        }
        let keys: Vec<&String> = by_key.keys().collect();
        let mut index = part_start("index");
        let manifest = serde_json::json!({ "k": k, "w": keys, "d": self.firsts });
        // Writing JSON into memory cannot fail.
        let _ = serde_json::to_writer(NoTagOpen(&mut index), &manifest);
        index.extend_from_slice(b");\n");
        let mut files = std::mem::take(&mut self.files);
        files.push((INDEX.to_string(), index));
        for (key, mut words) in by_key {
            words.sort_unstable();
            let name = format!("w{key}");
            let mut part = part_start(&name);
            part.push(b'{');
            for (i, word) in words.into_iter().enumerate() {
                if i > 0 {
                    part.push(b',');
                }
                push_json_str(&mut part, word);
                part.extend_from_slice(b":[");
                part.extend_from_slice(&self.postings[word].0);
                part.push(b']');
            }
            part.extend_from_slice(b"});\n");
            files.push((format!("assets/search/{name}.js"), part));
        }
        files
    }
}

/// The key of the part a word is in: its first `k` characters, each kept
/// as it is if a lower-case ASCII letter or a digit, else written `_` and
/// its code point in hex, so that it makes a file name anywhere (and two
/// keys never differ only in case).
pub fn key(word: &str, k: usize) -> String {
    let mut key = String::new();
    for c in word.chars().take(k) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            key.push(c);
        } else {
            key.push_str(&format!("_{:x}", u32::from(c)));
        }
    }
    key
}

fn part_start(name: &str) -> Vec<u8> {
    format!("window.PLAYBOOK_SEARCH_PART(\"{name}\",").into_bytes()
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
            texts in proptest::collection::vec("(\\PC|[\\x00-\\x1f\"\\\\<>\\x7f\u{2028}])*", 5),
            kind in proptest::sample::select(&['p', 's', 'é'][..]),
        ) {
            let doc = SearchDoc { t: texts[0].clone(), a: texts[1].clone(), k: kind, x: "not shipped".into() };
            let empty = SearchDoc { t: String::new(), a: String::new(), k: 'p', x: String::new() };
            let mut spec = Vec::new();
            let docs = [(&doc.t, &doc.a, doc.k), (&empty.t, &empty.a, empty.k)];
            serde_json::to_writer(NoTagOpen(&mut spec), &(&texts[2], &texts[3], &texts[4], docs)).unwrap();
            let made = row(&texts[2], &texts[3], &texts[4], &[doc, empty]);
            proptest::prop_assert_eq!(String::from_utf8(made).unwrap(), String::from_utf8(spec).unwrap());
        }
    }

    #[test]
    fn words_are_folded_split_and_common_ones_left_out() {
        let folded = fold("Café/RACI-map: the Buy vs Build — Ⅻ naïve a");
        assert_eq!(words(&folded).collect::<Vec<_>>(), ["cafe", "raci", "map", "buy", "vs", "build", "xii", "naive"]);
        assert_eq!(key("budget", 2), "bu");
        assert_eq!(key(&fold("Ça"), 1), "c");
        assert_eq!(key("日本", 2), "_65e5_672c");
        assert_eq!(key("x", 2), "x");
        assert_eq!(key("anything", 0), "");
    }

    fn files(entries: &[Entry]) -> Vec<(String, Vec<u8>)> {
        let mut index = Index::default();
        entries.iter().for_each(|e| index.add(e));
        index.finish()
    }

    fn playbook(name: &str, text: &str) -> Playbook {
        let src = crate::load::SourceFile::new(format!("playbooks/{name}.md").into(), name.into(), text.into());
        crate::parse::playbook(&src).unwrap()
    }

    /// The parts' data, by name.
    fn parts(files: &[(String, Vec<u8>)]) -> BTreeMap<String, serde_json::Value> {
        files
            .iter()
            .map(|(path, bytes)| {
                let text = std::str::from_utf8(bytes).unwrap();
                let (name, json) = text
                    .strip_prefix("window.PLAYBOOK_SEARCH_PART(\"")
                    .and_then(|t| t.strip_suffix(");\n"))
                    .and_then(|t| t.split_once("\","))
                    .unwrap_or_else(|| panic!("{path}: {text}"));
                let stem = path.rsplit('/').next().unwrap().trim_end_matches(".js");
                assert!(stem == name || (path == INDEX && name == "index"), "{path} holds {name}");
                (name.to_string(), serde_json::from_str(json).unwrap())
            })
            .collect()
    }

    #[test]
    fn a_word_leads_to_its_documents_and_their_results() {
        let a = entry(&playbook("a", "# Buy vs Build\n\nWhen to buy.\n\n## Vendors\n\nCompare the vendors.\n"), "a/");
        let b = entry(&playbook("b", "# Hiring\n\nBuild the team.\n"), "b/");
        assert_eq!((a.docs, b.docs), (2, 1));
        assert_eq!(a.text, "buyvsbuildgeneralwhenvendorsbuyvsbuildcompare", "each document's words, once each");
        let files = files(&[a, b]);
        let parts = parts(&files);
        assert_eq!(parts["index"], serde_json::json!({"k": 0, "w": [""], "d": [0]}));
        // Buy vs Build is document 0, its section 1, Hiring 2. A posting is
        // the step from the last document, then kind, title length and flags.
        let meta = |kind: u64, title_words: u64, flags: u64| kind << 6 | title_words << 2 | flags;
        let words = &parts["w"];
        assert_eq!(words["buy"], serde_json::json!([meta(0, 3, 3), 1 << 9 | meta(1, 1, 0)]));
        assert_eq!(words["build"], serde_json::json!([meta(0, 3, 1), 1 << 9 | meta(1, 1, 0), 1 << 9 | meta(0, 1, 0)]));
        assert_eq!(words["vendors"], serde_json::json!([1 << 9 | meta(1, 1, 3)]));
        assert!(words.get("the").is_none() && words.get("to").is_none(), "common words are left out");
        assert_eq!(
            parts["d0"],
            serde_json::json!([
                ["Buy vs Build", "a/", "General", [["", "", "p"], ["Vendors", "vendors", "s"]]],
                ["Hiring", "b/", "General", [["", "", "p"]]]
            ])
        );
    }

    #[test]
    fn a_big_index_is_split_by_its_words_first_letters_and_in_blocks() {
        let text: String = (0..40).map(|i| format!("## Part {i}\n\nword{i} alpha beta\n\n")).collect();
        let many: Vec<Entry> =
            (0..200).map(|i| entry(&playbook(&format!("p{i}"), &format!("# P {i}\n\n{text}")), "p/")).collect();
        let files = files(&many);
        let parts = parts(&files);
        let index = &parts["index"];
        assert_eq!(index["k"], 1, "{} postings", many.iter().map(|e| e.words.len()).sum::<usize>());
        let keys: Vec<&str> = index["w"].as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
        assert!(keys.contains(&"w") && keys.contains(&"a") && keys.contains(&"b"), "{keys:?}");
        for key in keys {
            let words = parts[&format!("w{key}")].as_object().unwrap();
            assert!(words.keys().all(|w| w.starts_with(key)), "part {key} has {words:?}");
        }
        let firsts: Vec<u64> = index["d"].as_array().unwrap().iter().map(|d| d.as_u64().unwrap()).collect();
        assert_eq!(firsts.len(), files.iter().filter(|(p, _)| p.starts_with("assets/search/d")).count());
        assert!(firsts.len() > 1 && firsts.windows(2).all(|w| w[1] - w[0] >= u64::from(BLOCK_DOCS)), "{firsts:?}");
        // Every document is in one block, in order.
        let listed: usize = (0..firsts.len())
            .map(|n| {
                parts[&format!("d{n}")]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p[3].as_array().unwrap().len())
                    .sum::<usize>()
            })
            .sum();
        assert_eq!(listed as u32, many.iter().map(|e| e.docs).sum::<u32>());
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
        let p = entry(&playbook("x", "# a </script> b\n\n## <b>\n\nText.\n"), "x/");
        for (path, bytes) in files(&[p]) {
            let text = String::from_utf8(bytes).unwrap();
            assert!(!text.contains('<'), "{path}: {text}");
        }
    }
}
