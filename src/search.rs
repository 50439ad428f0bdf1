//! The search index: one document per playbook and per section of it,
//! found by the words a reader would search for. It ships as scripts (see
//! [`Index`]) that the page loads part by part as the reader searches, so
//! search works offline and from `file://`, and a search in a handbook of
//! any size loads a few of them.

use foldhash::HashMap;

use crate::model::{Heading, Playbook, SectionKind};

/// Bytes of text kept per document: enough to find a section by what it
/// says, small enough that a 1,000-playbook index stays a few megabytes.
pub const TEXT_CHARS: usize = 400;

/// One search result target. The page it belongs to is not repeated in
/// each: the index lists pages once and documents point into that list.
#[derive(Debug, PartialEq)]
pub struct SearchDoc<'a> {
    /// Title shown for the result; empty for the playbook itself.
    pub t: String,
    /// The anchor on the playbook's page; empty for the playbook itself.
    pub a: String,
    /// Kind, one letter: see `KINDS`.
    pub k: char,
    /// What it is found by besides its title, in pieces: the words in
    /// their first [`TEXT_CHARS`] bytes.
    pub x: Vec<&'a str>,
}

impl SearchDoc<'_> {
    /// The text it is found by.
    pub fn text(&self) -> impl Iterator<Item = &str> {
        self.x.iter().scan(TEXT_CHARS, |budget, piece| {
            if *budget == 0 {
                return None;
            }
            if piece.len() <= *budget {
                *budget -= piece.len();
                return Some(*piece);
            }
            // Cut between words where there is a space near (text in
            // scripts without spaces is cut anywhere), and nothing after.
            let mut cut = *budget;
            while !piece.is_char_boundary(cut) {
                cut -= 1;
            }
            *budget = 0;
            let space = piece[..cut].rfind(' ').filter(|&at| cut - at <= 40);
            Some(&piece[..space.unwrap_or(cut)])
        })
    }
}

/// Kind letters and what the page's script calls them.
pub const KINDS: &[(char, &str)] =
    &[('p', "page"), ('s', "section"), ('f', "framework"), ('e', "exit-game"), ('m', "story")];

fn kind(name: &str) -> char {
    KINDS.iter().find(|(_, n)| *n == name).map_or('s', |(c, _)| *c)
}

/// The documents of one playbook.
pub fn documents(p: &Playbook) -> Vec<SearchDoc<'_>> {
    let mut page_text = vec![p.track.name.as_str()];
    page_text.extend(p.level.as_deref());
    page_text.extend(p.tags.iter().map(String::as_str));
    page_text.extend(p.summary.as_deref());
    page_text.extend(p.opening());
    let mut docs = vec![SearchDoc { t: String::new(), a: String::new(), k: kind("page"), x: page_text }];
    if let Some(s) = &p.story {
        let mut text: Vec<&str> = s.title.as_deref().into_iter().collect();
        text.extend(s.texts().map(|t| &*t.text));
        docs.push(SearchDoc {
            t: format!("Story Mode: {}", s.title.as_deref().unwrap_or(&p.title)),
            a: s.anchor.clone(),
            k: kind("story"),
            x: text,
        });
    }
    for (heading, text) in p.headings.iter().zip(p.texts.iter().skip(1)) {
        if let Some(mut doc) = section_doc(p, heading) {
            doc.x = vec![text];
            docs.push(doc);
        }
    }
    docs
}

/// A document for a heading, unless the page hides it.
fn section_doc<'a>(p: &Playbook, h: &Heading) -> Option<SearchDoc<'a>> {
    if p.is_hidden(h) {
        return None;
    }
    let (k, anchor, title) = match p.section_of(h) {
        Some(s) if s.kind == SectionKind::Framework => ("framework", &s.id, s.name.clone()),
        Some(s) => ("exit-game", &s.id, s.name.clone()),
        None => ("section", &h.id, h.text.clone()),
    };
    Some(SearchDoc { t: title, a: anchor.clone(), k: kind(k), x: Vec::new() })
}

/// A playbook's part of the index: how its results show, and the words
/// each of its documents is found by. Made per playbook (in parallel, and
/// kept by `serve` while the playbook is unchanged); an [`Index`] puts them
/// together.
#[derive(Debug, Default)]
pub struct Entry {
    /// `[title, path, track, [[title, anchor, kind], ...]]` as JSON: what
    /// its results show, for the block of pages it is listed in.
    row: Vec<u8>,
    docs: u32,
    /// Every word of every document as it comes, one after the other.
    text: String,
    /// (end of the word in `text`, document, its [`META_BITS`]), in
    /// document order.
    words: Vec<(u32, u32, u16)>,
}

/// What ranks a document found by a word, packed into its posting's low
/// [`META_BITS`] bits: the document's kind (its index in [`KINDS`]) and
/// how many words its title has (up to 15), and whether the word is in the
/// title (1) and is the title's first word (2). The page's script ranks
/// with these alone, before it loads anything about the documents.
const META_BITS: u32 = 9;

/// The words of [`fold`]ed text that a reader's query is matched against:
/// split at anything but letters and digits, without words too short or too
/// common to tell documents apart, and runs of scripts written without
/// spaces as their pairs of characters (see [`unspaced`] and [`pieces`]).
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    let mut at = 0;
    // Pieces of a word in a script without spaces, last first.
    let mut pending: Vec<&str> = Vec::new();
    std::iter::from_fn(move || {
        loop {
            if let Some(piece) = pending.pop() {
                return Some(piece);
            }
            let start = skip(text, at, false);
            if start == text.len() {
                return None;
            }
            at = skip(text, start, true);
            let word = &text[start..at];
            if word.is_ascii() || !word.chars().any(unspaced) {
                if kept(word) {
                    return Some(word);
                }
            } else {
                pending = pieces(word);
                pending.reverse();
            }
        }
    })
}

fn kept(word: &str) -> bool {
    word.chars().nth(1).is_some() && !is_stop_word(word)
}

/// Whether `c` is of a script written without spaces between words
/// (Chinese, Japanese, Thai, Lao), whose text is found by its pairs of
/// characters: 私たちの採用 by 採用.
fn unspaced(c: char) -> bool {
    matches!(c, '\u{e00}'..='\u{eff}' | '\u{3005}'..='\u{3007}' | '\u{303b}' | '\u{3040}'..='\u{30ff}'
        | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{3ffff}')
}

/// A word with characters of such a script, as it is found: each run of
/// them as its pairs of characters and its last character alone, the rest
/// as words. A query of one character (人, a whole word in Chinese) then
/// finds it wherever it is, as the start of a piece.
fn pieces(word: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    let end = |i: usize| chars.get(i).map_or(word.len(), |&(at, _)| at);
    let mut pieces = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let run = unspaced(chars[i].1);
        let mut j = i;
        while j < chars.len() && unspaced(chars[j].1) == run {
            j += 1;
        }
        if run {
            pieces.extend((i..j - 1).map(|p| &word[chars[p].0..end(p + 2)]));
            pieces.push(&word[chars[j - 1].0..end(j)]);
        } else if kept(&word[chars[i].0..end(j)]) {
            pieces.push(&word[chars[i].0..end(j)]);
        }
        i = j;
    }
    pieces
}

/// Where the run of letters and digits (or of anything else, if not
/// `alphanumeric`) from `at` ends: a byte at a time where the text is
/// ASCII, which most is.
fn skip(text: &str, mut at: usize, alphanumeric: bool) -> usize {
    let bytes = text.as_bytes();
    while let Some(&b) = bytes.get(at) {
        let (is, len) = if b.is_ascii() {
            (b.is_ascii_alphanumeric(), 1)
        } else {
            text[at..].chars().next().map_or((false, 1), |c| (c.is_alphanumeric(), c.len_utf8()))
        };
        if is != alphanumeric {
            break;
        }
        at += len;
    }
    at
}

/// `text` as [`words`] reads it: lower case and without accents (NFKD
/// without its combining marks, as the page's script does with
/// `normalize("NFKD")`).
pub fn fold(text: &str) -> String {
    let lower = text.to_lowercase();
    if lower.is_ascii() {
        return lower;
    }
    let decomposed = match icu_normalizer::DecomposingNormalizerBorrowed::new_nfkd().normalize(&lower) {
        std::borrow::Cow::Owned(changed) => Some(changed),
        std::borrow::Cow::Borrowed(_) => None,
    };
    let folded = decomposed.unwrap_or(lower);
    // Letters drawn as capitals (𝐁, ℍ) come apart into capitals: lowered
    // again, a character at a time (as the page's script does), and without
    // the marks that are not letters but sit inside words: the accents and
    // Japanese sound marks decomposing split off, Thai and Lao tone marks.
    folded
        .chars()
        .filter(|c| !matches!(c, '\u{300}'..='\u{36f}' | '\u{3099}' | '\u{309a}' | '\u{e47}'..='\u{e4e}' | '\u{ec8}'..='\u{ece}'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Calls `each` with the [`words`] of `text` [`fold`]ed, in order,
/// without folding all of it: folding never joins or splits text at an
/// ASCII mark or space, so the stretches between them are folded apart,
/// and those of ASCII letters and digits (most of any text) only lowered.
pub fn each_word(text: &str, mut each: impl FnMut(&str)) {
    // The exception: a capital sigma lowers by the letters around it,
    // seen across an apostrophe or a full stop.
    if text.contains('Σ') {
        words(&fold(text)).for_each(each);
        return;
    }
    let mut word = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        let end = rest.bytes().position(|b| b.is_ascii() && !b.is_ascii_alphanumeric()).unwrap_or(rest.len());
        let span = &rest[..end];
        if span.is_ascii() {
            word.clear();
            word.push_str(span);
            word.make_ascii_lowercase();
            if kept(&word) {
                each(&word);
            }
        } else {
            words(&fold(span)).for_each(&mut each);
        }
        // The mark or space ending the stretch is one byte.
        rest = &rest[(end + 1).min(rest.len())..];
    }
}

fn is_stop_word(word: &str) -> bool {
    word.len() <= 4 && STOP_WORDS.contains(&word)
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
    let mut page_title = Vec::new();
    each_word(&p.title, |w| page_title.push(w.to_string()));
    let mut title = Vec::new();
    for (n, d) in docs.iter().enumerate() {
        // A section is found by its page's title too, ranked as text.
        title.clear();
        if d.t.is_empty() {
            title.extend(page_title.iter().cloned());
        } else {
            each_word(&d.t, |w| title.push(w.to_string()));
        }
        let kind = KINDS.iter().position(|(c, _)| *c == d.k).unwrap_or(1) as u16;
        // Its words, as a query's: each once.
        let distinct = title.iter().enumerate().filter(|(i, w)| !title[..*i].contains(w)).count();
        let base = kind << 6 | (distinct.min(15) as u16) << 2;
        let mut push = |w: &str, flags: u16| {
            entry.text.push_str(w);
            entry.words.push((entry.text.len() as u32, n as u32, base | flags));
        };
        // A word may come more than once: the index keeps one posting per
        // document, with every flag its words had.
        for (i, w) in title.iter().enumerate() {
            push(w, if i == 0 { 3 } else { 1 });
        }
        if !d.t.is_empty() {
            page_title.iter().for_each(|w| push(w, 0));
        }
        d.text().for_each(|piece| each_word(piece, |w| push(w, 0)));
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
/// - `assets/search-index.js`, part `index`, is `{"w": [bounds], "wv":
///   [versions], "d": [first document of each block], "dv": [versions]}`,
///   a part's version being a hash of its script, which it ends with and
///   is asked for at (`?v=`);
/// - `assets/search/w<n>.js` holds the words from bound `n` up to the next
///   (in the order of [`sort_as_browsers_do`], see [`bound`]) and the
///   documents each is in: `{word: [posting, ...]}`, a posting being the
///   distance in documents from the previous one times 2^[`META_BITS`]
///   plus its [`META_BITS`];
/// - `assets/search/d<n>.js` holds the results' data of block `n`: rows of
///   [`Entry`].
///
/// Each part is a script calling `window.PLAYBOOK_SEARCH_PART(name, data,
/// version)` (the index, `(name, data)`),
/// so search works from `file://` too. A query loads the parts of its
/// words, and the blocks of the results it shows: a few of hundreds of
/// files, however big the handbook.
///
/// Entries are added one by one and need not be kept: only the postings,
/// already written as text, grow with the handbook.
#[derive(Default)]
pub struct Index {
    postings: HashMap<Box<str>, Postings>,
    docs: u32,
    files: Vec<(String, Vec<u8>)>,
    /// The block being filled, and the first document of each block.
    block: Option<Part>,
    firsts: Vec<u32>,
}

impl Index {
    pub fn add(&mut self, e: &Entry) {
        let mut start = 0;
        for &(end, doc, meta) in &e.words {
            let word = &e.text[start..end as usize];
            start = end as usize;
            let doc = self.docs + doc;
            let postings = match self.postings.get_mut(word) {
                Some(p) => p,
                None => self.postings.entry(word.into()).or_default(),
            };
            match &mut postings.pending {
                Some((d, m)) if *d == doc => *m |= meta,
                _ => {
                    postings.flush();
                    postings.pending = Some((doc, meta));
                }
            }
        }
        let first = self.docs;
        let firsts = &mut self.firsts;
        let block = self.block.get_or_insert_with(|| {
            firsts.push(first);
            Part::new(format!("d{}", firsts.len() - 1), b'[')
        });
        block.next();
        block.script.extend_from_slice(&e.row);
        self.docs += e.docs;
        if self.firsts.last().is_some_and(|&f| self.docs - f >= BLOCK_DOCS) {
            self.finish_block();
        }
    }

    fn finish_block(&mut self) {
        if let Some(block) = self.block.take() {
            self.files.push(block.file(b']'));
        }
    }

    pub fn finish(mut self) -> Vec<(String, Vec<u8>)> {
        self.finish_block();
        self.postings.values_mut().for_each(Postings::flush);
        // Words in the order a browser compares them, cut into parts of
        // about WORD_PART_BYTES; each part's bound is the shortest start of
        // its first word that sorts after the word before it. Each word's
        // postings are let go as soon as its part has them: at 10,000
        // playbooks they are 15 MB.
        let mut words: Vec<Box<str>> = self.postings.keys().cloned().collect();
        sort_as_browsers_do(&mut words);
        let mut files = std::mem::take(&mut self.files);
        let mut bounds: Vec<String> = Vec::new();
        let mut part: Option<Part> = None;
        let mut previous: Option<Box<str>> = None;
        for word in words {
            if part.as_ref().is_some_and(|p| p.script.len() >= WORD_PART_BYTES) {
                files.extend(part.take().map(|p| p.file(b'}')));
            }
            let part = part.get_or_insert_with(|| {
                bounds.push(bound(previous.as_deref(), &word));
                Part::new(format!("w{}", bounds.len() - 1), b'{')
            });
            part.next();
            push_json_str(&mut part.script, &word);
            part.script.extend_from_slice(b":[");
            if let Some(postings) = self.postings.remove(&word) {
                part.script.extend_from_slice(&postings.text);
            }
            part.script.push(b']');
            previous = Some(word);
        }
        files.extend(part.map(|p| p.file(b'}')));
        // Each part is asked for at a hash of what it holds (`?v=`), and
        // ends with it: a browser never uses a part it cached from another
        // build, a part that did not change keeps its bytes (and is not
        // written again), and a page whose browser cached an earlier
        // build's index sees that the parts it gets do not match it.
        let (mut wv, mut dv) = (Vec::new(), Vec::new());
        for (path, script) in &mut files {
            let v = crate::cache::version_of(script.as_slice());
            script.extend_from_slice(format!(",\"{v}\");\n").as_bytes());
            if path.starts_with("assets/search/w") { wv.push(v) } else { dv.push(v) }
        }
        let mut index = Part::start("index");
        // `v` is for the script of an earlier build, cached with its pages,
        // which asked for every part at it.
        let v = crate::cache::version_of(&(&wv, &dv));
        let manifest = serde_json::json!({ "w": bounds, "wv": wv, "d": self.firsts, "dv": dv, "v": v });
        // Writing JSON into memory cannot fail.
        let _ = serde_json::to_writer(NoTagOpen(&mut index), &manifest);
        index.extend_from_slice(b");\n");
        files.push((INDEX.to_string(), index));
        files
    }
}

/// A word's postings: the text of its list so far, the last document
/// in it, and the document it was last seen in, whose posting is written
/// once the word is seen in another (or the index is finished), with the
/// flags of each time the word came in it.
#[derive(Default)]
struct Postings {
    text: Vec<u8>,
    last: u32,
    pending: Option<(u32, u16)>,
}

impl Postings {
    /// Writes the pending posting, if any.
    fn flush(&mut self) {
        let Some((doc, meta)) = self.pending.take() else { return };
        if !self.text.is_empty() {
            self.text.push(b',');
        }
        let packed = u64::from(doc - self.last) << META_BITS | u64::from(meta);
        self.text.extend_from_slice(itoa::Buffer::new().format(packed).as_bytes());
        self.last = doc;
    }
}

/// About how big a part of words grows before the next begins: what one
/// word of a query loads (more only for a word in very many documents, or
/// for a short start of many words). Small handbooks get one part.
const WORD_PART_BYTES: usize = 32 * 1024;

/// Sorts words as the page's script compares them, by UTF-16 code units.
/// UTF-8's byte order, which is faster, is the same order except where a
/// character of U+E000-U+FFFF meets one past U+FFFF, and both begin with a
/// byte of 0xEE or more.
fn sort_as_browsers_do(words: &mut [Box<str>]) {
    words.sort_unstable();
    if words.iter().any(|w| w.bytes().any(|b| b >= 0xEE)) {
        words.sort_unstable_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
    }
}

/// The bound of a part that begins with `word`: the shortest start of it
/// that sorts after `previous`, the last word of the part before (none
/// for the first part, whose bound is empty). A term then has its words in
/// the part of the last bound not after it, and in the parts after that
/// whose bounds start with it.
fn bound(previous: Option<&str>, word: &str) -> String {
    let Some(previous) = previous else { return String::new() };
    let same = word.chars().zip(previous.chars()).take_while(|(a, b)| a == b).count();
    word.chars().take(same + 1).collect()
}

/// A part of the index being written: its name, which is also its file's,
/// and its script so far.
struct Part {
    name: String,
    script: Vec<u8>,
    empty: bool,
}

impl Part {
    /// The script's start, up to its data.
    fn start(name: &str) -> Vec<u8> {
        format!("window.PLAYBOOK_SEARCH_PART(\"{name}\",").into_bytes()
    }

    /// A part whose data is a list or object that `open` begins.
    fn new(name: String, open: u8) -> Part {
        let mut script = Part::start(&name);
        script.push(open);
        Part { name, script, empty: true }
    }

    /// Before the next item of the list or object.
    fn next(&mut self) {
        if !self.empty {
            self.script.push(b',');
        }
        self.empty = false;
    }

    /// Its file, the data closed with `close`; its version and the end of
    /// the call come once the data is whole.
    fn file(mut self, close: u8) -> (String, Vec<u8>) {
        self.script.push(close);
        (format!("assets/search/{}.js", self.name), self.script)
    }
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
    use std::collections::BTreeMap;

    proptest::proptest! {
        #[test]
        fn rows_are_what_serde_json_writes_with_no_tag_open(
            texts in proptest::collection::vec("(\\PC|[\\x00-\\x1f\"\\\\<>\\x7f\u{2028}])*", 5),
            kind in proptest::sample::select(&['p', 's', 'é'][..]),
        ) {
            let doc = SearchDoc { t: texts[0].clone(), a: texts[1].clone(), k: kind, x: vec!["not shipped"] };
            let empty = SearchDoc { t: String::new(), a: String::new(), k: 'p', x: Vec::new() };
            let mut spec = Vec::new();
            let docs = [(&doc.t, &doc.a, doc.k), (&empty.t, &empty.a, empty.k)];
            serde_json::to_writer(NoTagOpen(&mut spec), &(&texts[2], &texts[3], &texts[4], docs)).unwrap();
            let made = row(&texts[2], &texts[3], &texts[4], &[doc, empty]);
            proptest::prop_assert_eq!(String::from_utf8(made).unwrap(), String::from_utf8(spec).unwrap());
        }
    }

    proptest::proptest! {
        #[test]
        fn each_word_finds_the_words_of_the_folded_text(text in "([a-zA-Z0-9 .,'-]|[ΣΑé\u{301}]|\\PC)*") {
            let mut found = Vec::new();
            each_word(&text, |w| found.push(w.to_string()));
            let folded = fold(&text);
            proptest::prop_assert_eq!(found, words(&folded).collect::<Vec<_>>());
        }
    }

    #[test]
    fn words_are_folded_split_and_common_ones_left_out() {
        let folded = fold("Café/RACI-map: the Buy vs Build — Ⅻ naïve a 𝐁𝐮𝐲");
        assert_eq!(
            words(&folded).collect::<Vec<_>>(),
            ["cafe", "raci", "map", "buy", "vs", "build", "xii", "naive", "buy"]
        );
        // Text without spaces between words is found by pairs of characters,
        // and its last character alone (so that any one character starts a
        // piece); the sound marks that NFKD splits off katakana are dropped,
        // and so are Thai tone marks (ำ comes apart into one).
        let folded = fold("私たちの採用プロセス v2 ガイド 人々 น้ำ 人");
        assert_eq!(
            words(&folded).collect::<Vec<_>>(),
            [
                "私た", "たち", "ちの", "の採", "採用", "用フ", "フロ", "ロセ", "セス", "ス", "v2", "カイ", "イト",
                "ト", "人々", "々", "นา", "า", "人"
            ]
        );
        assert_eq!(words(&fold("abc東京def")).collect::<Vec<_>>(), ["abc", "東京", "京", "def"]);
    }

    #[test]
    fn words_sort_and_bound_their_parts_as_the_browser_compares() {
        // U+FF21 (Ａ, one UTF-16 unit) sorts after U+1D400 (𝐀, a surrogate
        // pair, 0xD835...) in a browser, though not by code point.
        let mut words: Vec<Box<str>> = ["b\u{ff21}", "b\u{1d400}", "a", "ab"].map(Box::from).into();
        sort_as_browsers_do(&mut words);
        assert_eq!(words, ["a", "ab", "b\u{1d400}", "b\u{ff21}"].map(Box::from));
        assert_eq!(bound(None, "anything"), "");
        assert_eq!(bound(Some("board"), "boardroom"), "boardr");
        assert_eq!(bound(Some("alpha"), "beta"), "b");
        assert_eq!(bound(Some("採用"), "採算"), "採算");
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
                let (name, mut json) = text
                    .strip_prefix("window.PLAYBOOK_SEARCH_PART(\"")
                    .and_then(|t| t.strip_suffix(");\n"))
                    .and_then(|t| t.split_once("\","))
                    .unwrap_or_else(|| panic!("{path}: {text}"));
                if path != INDEX {
                    // Every other part ends with its version.
                    json = json.rsplit_once(",\"").unwrap_or_else(|| panic!("{path}: {text}")).0;
                }
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
        assert_eq!(a.text, "buyvsbuildgeneralwhenbuyvendorsbuyvsbuildcomparevendors", "every word as it comes");
        let files = files(&[a, b]);
        let parts = parts(&files);
        let index = &parts["index"];
        let (wv, dv) = (index["wv"][0].as_str().unwrap(), index["dv"][0].as_str().unwrap());
        let v = index["v"].as_str().unwrap();
        assert_eq!(*index, serde_json::json!({"w": [""], "wv": [wv], "d": [0], "dv": [dv], "v": v}));
        // Each part ends with its version, a hash of what it holds.
        for (path, script) in files.iter().filter(|(path, _)| path != INDEX) {
            let v = if path.ends_with("/w0.js") { wv } else { dv };
            assert!(script.ends_with(format!(",\"{v}\");\n").as_bytes()), "{path}");
        }
        // A new word changes the words' part and its version; the block of
        // results, the same, keeps its bytes and version.
        let changed = entry(&playbook("b", "# Hiring\n\nBuild the team twice.\n"), "b/");
        let a = entry(&playbook("a", "# Buy vs Build\n\nWhen to buy.\n\n## Vendors\n\nCompare the vendors.\n"), "a/");
        let again = self::files(&[a, changed]);
        let index = &self::parts(&again)["index"];
        assert!(index["wv"][0] != wv && index["dv"][0] == dv, "{index}");
        assert_eq!(
            again.iter().find(|(p, _)| p.ends_with("/d0.js")),
            files.iter().find(|(p, _)| p.ends_with("/d0.js"))
        );
        // Buy vs Build is document 0, its section 1, Hiring 2. A posting is
        // the step from the last document, then kind, title length and flags.
        let meta = |kind: u64, title_words: u64, flags: u64| kind << 6 | title_words << 2 | flags;
        let words = &parts["w0"];
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
    fn a_big_index_is_split_into_parts_of_a_bounded_size_and_in_blocks() {
        let text: String = (0..40).map(|i| format!("## Part {i}\n\nword{i} alpha beta\n\n")).collect();
        let many: Vec<Entry> =
            (0..200).map(|i| entry(&playbook(&format!("p{i}"), &format!("# P {i}\n\n{text}")), "p/")).collect();
        let files = files(&many);
        let parts = parts(&files);
        let index = &parts["index"];
        let bounds: Vec<&str> = index["w"].as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
        assert!(bounds.len() > 2 && bounds[0].is_empty(), "{bounds:?}");
        // Each part has the words from its bound to the next one's, and
        // only the last word it took makes it bigger than the budget.
        for (n, bound) in bounds.iter().enumerate() {
            let name = format!("w{n}");
            let words = parts[&name].as_object().unwrap();
            let next = bounds.get(n + 1);
            assert!(words.keys().all(|w| w.as_str() >= *bound && next.is_none_or(|b| w.as_str() < *b)), "{name}");
            let size = files.iter().find(|(p, _)| p == &format!("assets/search/{name}.js")).unwrap().1.len();
            let last = serde_json::to_string(&words.iter().next_back()).unwrap().len();
            assert!(size < WORD_PART_BYTES + last + 64, "{name} is {size} bytes");
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
        let playbook = crate::parse::playbook(&src).unwrap();
        let docs = documents(&playbook);
        let page = docs[0].text().collect::<Vec<_>>().join(" ");
        assert!(page.contains("Before.") && page.contains("A promotion is earned."), "{page:?}");
        let section = docs.iter().find(|d| d.t == "Why plans fail").expect("the section");
        assert_eq!(section.text().collect::<Vec<_>>(), ["Vague goals."]);
        assert!(!docs.iter().any(|d| d.t == "Growth Plans"), "the title is the page, not a section");
    }

    #[test]
    fn a_document_is_found_by_the_first_text_chars_of_its_text() {
        let long = "word ".repeat(100);
        let doc = SearchDoc { t: String::new(), a: String::new(), k: 'p', x: vec!["Ops", &long, "never"] };
        let text: Vec<&str> = doc.text().collect();
        assert_eq!(text, ["Ops", &long[..394]], "cut between words, and nothing after the cut");
        let wide = "日本".repeat(100);
        let doc = SearchDoc { x: vec![&wide], ..doc };
        assert_eq!(doc.text().next().map(str::len), Some(TEXT_CHARS - 1), "cut between characters");
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
