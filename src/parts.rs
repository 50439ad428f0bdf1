//! Understands the parts of a playbook body by the conventions authors use:
//! the `Story Mode` briefing, frameworks and exit games as H3s under their
//! H2, and "Don't say / Do say" pairs.
//!
//! Input is the Markdown body; output is the outline the model needs. Only
//! top-level blocks count: a heading quoted inside a blockquote is not a
//! section of the playbook.

use foldhash::HashSet;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

use crate::diagnostic::Position;
use crate::markdown;
use crate::model::{
    Blocks, Heading, HtmlId, Layout, LinkKind, LinkRef, Pattern, Section, SectionKind, StoryLine, StoryMode, StoryText,
};
use crate::slug::{Slugger, stable_id, strip_section_number};
use pulldown_cmark::LinkType;

/// Everything found in one body.
#[derive(Debug, Default)]
pub struct Parts {
    /// The text of the first H1, if any.
    pub h1: Option<String>,
    pub headings: Vec<Heading>,
    pub story: Option<StoryMode>,
    pub sections: Vec<Section>,
    pub patterns: Vec<Pattern>,
    pub layout: Layout,
    pub links: Vec<LinkRef>,
    /// Plain text under each heading: `texts[0]` is the text before the first
    /// heading, `texts[i + 1]` the text under `headings[i]`. Capped per
    /// heading; it feeds search, not rendering.
    pub texts: Vec<String>,
    /// The `id`s of the author's own HTML (and the `name`s of `<a>`), which
    /// links may point at like headings.
    pub html_ids: Vec<HtmlId>,
    pub blocks: Blocks,
    /// The body as HTML, from the same parse.
    pub html: markdown::BodyHtml,
    /// Where the body's shape is not what the handbook reads, so a part the
    /// author meant is not found.
    pub warnings: Vec<Warning>,
}

/// A problem with the body that leaves the page as written.
#[derive(Debug, PartialEq)]
pub struct Warning {
    /// Byte offset in the body.
    pub at: usize,
    pub message: String,
    pub hint: &'static str,
}

/// Text kept per heading: what search keeps of it, and a little more for
/// the spaces it collapses. Kept for every playbook at once, so no more.
const TEXT_CAP: usize = crate::search::TEXT_CHARS + 80;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chapter {
    Story,
    Frameworks,
    ExitGames,
    Other,
}

fn classify(h2: &str) -> Chapter {
    let lower = h2.to_lowercase();
    if lower.contains("story mode") {
        Chapter::Story
    } else if lower.contains("exit game") {
        Chapter::ExitGames
    } else if lower.contains("framework") {
        Chapter::Frameworks
    } else {
        Chapter::Other
    }
}

type Events<'a> = Vec<(Event<'a>, Range<usize>)>;

pub fn analyze(body: &str, position: &mut dyn FnMut(usize) -> Position) -> Parts {
    let mut events: Events<'_> = Vec::with_capacity(markdown::events_capacity(body));
    events.extend(Parser::new_ext(body, markdown::options()).into_offset_iter());
    let mut parts = Parts { texts: vec![String::new()], ..Parts::default() };
    let mut slugger = Slugger::default();
    // Ids other elements of the page have: the theme's, and the footnotes'
    // (a `## Fn 1` heading is `fn-1-1`, footnote 1 keeps `fn-1`).
    crate::theme::THEME_IDS.iter().for_each(|id| slugger.reserve(id));
    for (event, _) in &events {
        if let Event::Start(Tag::FootnoteDefinition(label)) = event {
            slugger.reserve(&markdown::footnote_id(label));
        }
    }
    let mut chapter = Chapter::Other;
    let mut context = String::new();
    let mut briefing_found = false;
    // Whether a line or block ended since the last text.
    let mut gap = false;
    let mut depth = 0usize;
    let mut i = 0;
    while i < events.len() {
        let (event, range) = &events[i];
        match event {
            Event::Start(Tag::Heading { level, .. }) if depth == 0 => {
                let end = find_end(&events, i);
                // Inline HTML in a heading is shown as the text it is, but ids
                // are made without it, as GitHub makes them.
                let text = heading_text(&events[i + 1..end]);
                let id_text = plain_text(&events[i + 1..end]);
                let id = slugger.slug(&id_text);
                let level = *level as u8;
                on_heading(&mut parts, &mut chapter, level, (&text, &id_text), &id, range);
                // The story card's title is `<its id>-title`; no later heading takes it.
                if parts.story.as_ref().is_some_and(|s| s.anchor == id) {
                    slugger.reserve(&format!("{id}-title"));
                }
                if level >= 2 {
                    context = strip_section_number(&text).to_string();
                }
                parts.headings.push(Heading { level, text, id, range: range.clone() });
                // Texts grow word by word up to their cap; room for it at
                // once saves growing (and copying) them several times.
                parts.texts.push(String::with_capacity(TEXT_CAP));
                collect_links(&events[i..=end], &mut parts.links, position);
                i = end + 1;
                continue;
            }
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => {
                parts.links.extend(link_ref(event, events.get(i + 1).map(|(e, _)| e), range, position));
                // Its end is skipped with it, so the depth stays as it was.
                if let Some((mark, after)) = wiki_mark(&events, i) {
                    push_text(&mut parts.texts, &mut gap, &mark);
                    i = after;
                    continue;
                }
            }
            Event::Text(t) | Event::Code(t) => push_text(&mut parts.texts, &mut gap, &unmarked(t)),
            Event::SoftBreak | Event::HardBreak => gap = true,
            // The briefing is the first blockquote of the chapter that fills
            // in the card; any other blockquote is the author's and stays.
            Event::Start(Tag::BlockQuote(_)) if depth == 0 && chapter == Chapter::Story && !briefing_found => {
                if let Some(story) = parts.story.as_mut() {
                    // A blockquote naming none of the briefing's fields is
                    // the author's, and stays in the body.
                    let mut briefing = story.clone();
                    fill_story(&mut briefing, body, range.clone());
                    if (StoryMode { more: Vec::new(), ..briefing.clone() }) != *story {
                        *story = briefing;
                        parts.layout.hidden.push(range.clone());
                        briefing_found = true;
                    }
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => match kind {
                CodeBlockKind::Fenced(info) if markdown::is_diagram(info) => parts.blocks.diagrams = true,
                _ => parts.blocks.code = true,
            },
            Event::Start(tag @ (Tag::List(_) | Tag::Table(_))) if depth == 0 => {
                let end = find_end(&events, i);
                let block = &events[i..=end];
                let pairs = if matches!(tag, Tag::List(_)) { pattern_pairs(block) } else { table_pairs(block) };
                if let Some(pairs) = pairs {
                    let first = parts.patterns.len();
                    parts.patterns.extend(pairs.into_iter().map(|(dont, do_)| Pattern {
                        context: context.clone(),
                        dont,
                        do_,
                    }));
                    parts.layout.pattern_lists.push((range.start, first..parts.patterns.len()));
                }
            }
            // A block's lines come as one event each, and a tag may span
            // them; the block is read whole (its lines without the `>` of a
            // blockquote around it).
            Event::Start(Tag::HtmlBlock) => {
                let block: String = events[i..find_end(&events, i)]
                    .iter()
                    .filter_map(|(e, _)| if let Event::Html(line) = e { Some(&**line) } else { None })
                    .collect();
                html_ids(&block, &mut parts.html_ids);
            }
            Event::InlineHtml(html) => {
                html_ids(html, &mut parts.html_ids);
                raw_images(&mut parts, body, html, range, position);
            }
            Event::Html(html) => raw_images(&mut parts, body, html, range, position),
            _ => {}
        }
        match event {
            Event::Start(_) => depth += 1,
            Event::End(tag) => {
                depth = depth.saturating_sub(1);
                gap |= !markdown::is_inline(tag);
            }
            _ => {}
        }
        i += 1;
    }
    unique_section_ids(&mut parts);
    parts.warnings = shape_warnings(&parts);
    fill_summaries(&mut parts, &events);
    let outline = markdown::Outline {
        layout: &parts.layout,
        sections: &parts.sections,
        headings: &parts.headings,
        patterns: &parts.patterns,
    };
    parts.html = markdown::render_body(events, &outline);
    parts
}

/// Adds `t` to the text under the current heading, up to its cap. Texts of
/// one line run on (`**EM**:` reads `EM:`); lines and blocks are apart.
fn push_text(texts: &mut [String], gap: &mut bool, t: &str) {
    if let Some(bucket) = texts.last_mut().filter(|b| b.len() < TEXT_CAP) {
        if *gap && !bucket.is_empty() {
            bucket.push(' ');
        }
        bucket.push_str(t);
    }
    *gap = false;
}

fn on_heading(
    parts: &mut Parts,
    chapter: &mut Chapter,
    level: u8,
    (text, id_text): (&str, &str),
    id: &str,
    range: &Range<usize>,
) {
    match level {
        1 if parts.h1.is_none() => {
            parts.h1 = Some(text.to_string());
            parts.layout.hidden.push(range.clone());
        }
        2 => {
            *chapter = classify(text);
            if *chapter == Chapter::Story && parts.story.is_none() {
                let title = story_title(text);
                // The symbol authors put before "Story Mode" (the seed's 📜) stays with the card.
                let icon = text
                    .split(|c: char| c.is_alphanumeric())
                    .next()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string);
                parts.story = Some(StoryMode { title, icon, anchor: id.to_string(), ..StoryMode::default() });
                parts.layout.hidden.push(range.clone());
                parts.layout.story_heading = Some(range.start);
            }
        }
        3 if matches!(*chapter, Chapter::Frameworks | Chapter::ExitGames) => {
            let kind = if *chapter == Chapter::Frameworks { SectionKind::Framework } else { SectionKind::ExitGame };
            let name = strip_section_number(text).to_string();
            let mut stable = stable_id(strip_section_number(id_text));
            if stable.is_empty() {
                stable = id.to_string();
            }
            parts.sections.push(Section {
                kind,
                name,
                id: stable,
                heading_id: id.to_string(),
                summary: String::new(),
                heading: range.clone(),
            });
        }
        _ => {}
    }
}

/// The name after "Story Mode" in its heading, after a colon or a dash
/// (`Story Mode: The CTO`, `Story Mode — The Layoff`).
fn story_title(heading: &str) -> Option<String> {
    const KEY: &[u8] = b"story mode";
    let at = heading.as_bytes().windows(KEY.len()).position(|w| w.eq_ignore_ascii_case(KEY))?;
    let rest = heading[at + KEY.len()..].trim_start_matches([':', '—', '–', '-', ' ', '\u{a0}']).trim();
    (!rest.is_empty()).then(|| rest.to_string())
}

/// Chapters of frameworks or exit games with none in them, and a Story Mode
/// heading below `##` when there is no Story Mode: the author meant a part
/// that the handbook does not find (a table of options, `####` frameworks).
fn shape_warnings(parts: &Parts) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let chapters: Vec<&Heading> = parts.headings.iter().filter(|h| h.level <= 2).collect();
    for (k, h) in chapters.iter().enumerate() {
        let what = match classify(&h.text) {
            Chapter::Frameworks => "frameworks",
            Chapter::ExitGames => "exit games",
            _ => continue,
        };
        let end = chapters.get(k + 1).map_or(usize::MAX, |next| next.range.start);
        if h.level == 2 && !parts.sections.iter().any(|s| (h.range.start..end).contains(&s.heading.start)) {
            warnings.push(Warning {
                at: h.range.start,
                message: format!("`{}` holds no {what}, so none reaches the {what} catalog", h.text),
                hint: "give each its own `###` heading in this chapter (a table or a list stays on the page as written)",
            });
        }
    }
    if parts.story.is_none() {
        for h in parts.headings.iter().filter(|h| h.level > 2 && classify(&h.text) == Chapter::Story) {
            warnings.push(Warning {
                at: h.range.start,
                message: format!("`{}` is not read as the Story Mode briefing", h.text),
                hint: "make it a `##` heading, with the briefing in a blockquote under it",
            });
        }
    }
    warnings
}

/// Makes each framework's and exit game's id one that no other element of
/// the page has. Its stable id (its name's slug, without the section
/// number) is kept unless another heading's GitHub id or an earlier
/// section has it; then it is its own heading's GitHub id, which is unique
/// and depends only on the headings before it. (`### X` three times gives
/// the headings `x`, `x-1` and `x-2`, and the sections the same ids.)
fn unique_section_ids(parts: &mut Parts) {
    let headings: HashSet<&str> = parts.headings.iter().map(|h| h.id.as_str()).collect();
    let mut sections: HashSet<String> = HashSet::default();
    for s in &mut parts.sections {
        let own = s.id == s.heading_id;
        if !own && (headings.contains(s.id.as_str()) || sections.contains(&s.id)) {
            s.id = s.heading_id.clone();
        }
        sections.insert(s.id.clone());
    }
}

/// Links inside a heading: the main loop skips over headings.
fn collect_links(
    events: &[(Event<'_>, Range<usize>)],
    links: &mut Vec<LinkRef>,
    position: &mut dyn FnMut(usize) -> Position,
) {
    links.extend(
        events
            .iter()
            .enumerate()
            .filter_map(|(i, (e, range))| link_ref(e, events.get(i + 1).map(|(e, _)| e), range, position)),
    );
}

/// The link `event` starts, if it starts one; `next` (the event after it)
/// tells whether it has any text, and `position` where a body offset is in
/// the file.
fn link_ref(
    event: &Event<'_>,
    next: Option<&Event<'_>>,
    range: &Range<usize>,
    position: &mut dyn FnMut(usize) -> Position,
) -> Option<LinkRef> {
    let (kind, has_label, dest) = match event {
        // In a table, `[[a\|label]]` escapes the pipe from the table (as on
        // GitHub); the wiki link still splits there, so the escape goes.
        Event::Start(Tag::Link { link_type: LinkType::WikiLink { has_pothole }, dest_url, .. }) => {
            let dest: &str = dest_url;
            let dest = if *has_pothole { dest.strip_suffix('\\').unwrap_or(dest) } else { dest };
            (LinkKind::Wiki, !unlabelled_wiki(event, next), dest)
        }
        Event::Start(Tag::Link { dest_url, .. }) => (LinkKind::Markdown, true, &**dest_url),
        Event::Start(Tag::Image { dest_url, .. }) => (LinkKind::Image, true, &**dest_url),
        _ => return None,
    };
    Some(LinkRef { offset: range.start, position: position(range.start), dest: dest.to_string(), kind, has_label })
}

/// Whether `event` starts a wiki link shown as its target's title: one
/// without a label, or with an empty one (`[[a|]]` reads as no label, not as
/// a link nobody sees). `next` is the event after it.
fn unlabelled_wiki(event: &Event<'_>, next: Option<&Event<'_>>) -> bool {
    let Event::Start(Tag::Link { link_type: LinkType::WikiLink { has_pothole }, .. }) = event else {
        return false;
    };
    !has_pothole
        || match next {
            Some(Event::End(TagEnd::Link)) => true,
            Some(Event::Text(text)) => text.is_empty(),
            _ => false,
        }
}

/// Index of the `End` matching the `Start` at `start`.
fn find_end(events: &[(Event<'_>, Range<usize>)], start: usize) -> usize {
    let mut depth = 0usize;
    for (j, (e, _)) in events.iter().enumerate().skip(start) {
        match e {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return j;
                }
            }
            _ => {}
        }
    }
    events.len() - 1
}

/// The text of a heading as a reader sees it once inline HTML is escaped:
/// `# <b>Hi</b>` reads `<b>Hi</b>`, as the page shows it.
fn heading_text(events: &[(Event<'_>, Range<usize>)]) -> String {
    inline_text(events, Inline::WithHtml)
}

/// What a reader sees of some inline events, without markup.
pub fn plain_text(events: &[(Event<'_>, Range<usize>)]) -> String {
    inline_text(events, Inline::Plain)
}

/// [`plain_text`], with a mark for each unlabelled wiki link, which reads as
/// its target's title once links are resolved (`finish_text`).
fn reading_text(events: &[(Event<'_>, Range<usize>)]) -> String {
    inline_text(events, Inline::WithLinkMarks)
}

/// What [`inline_text`] makes of HTML and of unlabelled wiki links.
#[derive(Clone, Copy, PartialEq)]
enum Inline {
    /// Leaves HTML out and reads links as their text.
    Plain,
    /// Keeps HTML as text.
    WithHtml,
    /// Leaves HTML out and marks unlabelled wiki links.
    WithLinkMarks,
}

/// The text of inline events, trimmed.
fn inline_text(events: &[(Event<'_>, Range<usize>)], how: Inline) -> String {
    // The source they span is about the size of their text.
    let span = events.first().zip(events.last()).map_or(0, |((_, a), (_, b))| b.end.saturating_sub(a.start));
    let mut s = String::with_capacity(span);
    let mut k = 0;
    while let Some((e, _)) = events.get(k) {
        if let Some((mark, after)) = wiki_mark(events, k).filter(|_| how == Inline::WithLinkMarks) {
            s.push_str(&mark);
            k = after;
            continue;
        }
        k += 1;
        match e {
            Event::Text(t) | Event::Code(t) if how == Inline::WithLinkMarks => s.push_str(&unmarked(t)),
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => s.push_str(t),
            Event::InlineHtml(t) | Event::Html(t) if how == Inline::WithHtml => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            // The words of two blocks (a list item's paragraph and the list
            // in it) must not run together.
            Event::Start(tag) if !markdown::is_inline(&tag.to_end()) && !s.is_empty() && !s.ends_with(' ') => {
                s.push(' ')
            }
            Event::End(tag) if !markdown::is_inline(tag) && !s.ends_with(' ') => s.push(' '),
            _ => {}
        }
    }
    if s.trim().len() == s.len() { s } else { s.trim().to_string() }
}

/// The items of a list when every item is a "Don't say" followed by a "Do say".
fn pattern_pairs(list: &[(Event<'_>, Range<usize>)]) -> Option<Vec<(String, String)>> {
    let mut items = Vec::new();
    let mut depth = 0;
    let mut item_start = 0;
    for (k, (e, _)) in list.iter().enumerate() {
        match e {
            Event::Start(Tag::Item) if depth == 1 => item_start = k,
            Event::End(TagEnd::Item) if depth == 2 => items.push(plain_text(&list[item_start + 1..k])),
            _ => {}
        }
        match e {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth -= 1,
            _ => {}
        }
    }
    if items.is_empty() || items.len() % 2 != 0 {
        return None;
    }
    items.chunks(2).map(|pair| Some((strip_label(&pair[0], DONT_SAY)?, strip_label(&pair[1], DO_SAY)?))).collect()
}

/// The rows of a table whose two columns are headed "Don't say" and "Do
/// say", as pairs.
fn table_pairs(table: &[(Event<'_>, Range<usize>)]) -> Option<Vec<(String, String)>> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut cell_start = 0;
    for (k, (e, _)) in table.iter().enumerate() {
        match e {
            Event::Start(Tag::TableHead | Tag::TableRow) => rows.push(Vec::new()),
            Event::Start(Tag::TableCell) => cell_start = k,
            Event::End(TagEnd::TableCell) => rows.last_mut()?.push(plain_text(&table[cell_start + 1..k])),
            _ => {}
        }
    }
    let (head, body) = rows.split_first()?;
    let [dont, do_] = head.as_slice() else { return None };
    strip_label(dont, DONT_SAY).filter(|rest| rest.is_empty())?;
    strip_label(do_, DO_SAY).filter(|rest| rest.is_empty())?;
    let pairs: Vec<(String, String)> =
        body.iter().filter_map(|row| Some((row.first()?.clone(), row.get(1)?.clone()))).collect();
    (!pairs.is_empty()).then_some(pairs)
}

const DONT_SAY: &[&str] = &["don't say", "don’t say", "dont say"];
const DO_SAY: &[&str] = &["do say"];

/// `item` after its label, when it starts with one of `labels`. Marks
/// before the label (`❌`, `✅`, `:x:`) are not part of what is said.
fn strip_label(item: &str, labels: &[&str]) -> Option<String> {
    let item = skip_marks(item);
    let lower = item.to_lowercase();
    let label = labels.iter().find(|l| lower.starts_with(*l))?;
    // Labels are ASCII apart from the curly apostrophe, whose byte length is
    // the same in the lowercased and the original text.
    let rest = item.get(label.len()..)?;
    Some(rest.trim_start_matches([':', ' ']).trim().to_string())
}

/// `text` without the symbols and emoji shortcodes (`:x:`) it starts with.
fn skip_marks(text: &str) -> &str {
    let mut rest = text.trim_start();
    loop {
        let shortcode = rest.strip_prefix(':').and_then(|r| r.split_once(':')).filter(|(name, _)| {
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_+-".contains(&b))
        });
        rest = match shortcode {
            Some((_, after)) => after,
            None => match rest.chars().next() {
                Some(c) if !c.is_alphanumeric() && !c.is_whitespace() && !"\"'“‘*_`[".contains(c) => {
                    &rest[c.len_utf8()..]
                }
                _ => return rest,
            },
        }
        .trim_start();
    }
}

/// The `<img src>` of a piece of raw HTML at `range` in `body`, as image
/// links at the body offsets of their values. (A piece whose text is not
/// the body's there, as an HTML block's line inside a blockquote may not
/// be, could not be pointed into, and its images are left as written.)
fn raw_images(
    parts: &mut Parts,
    body: &str,
    html: &str,
    range: &Range<usize>,
    position: &mut dyn FnMut(usize) -> Position,
) {
    if body.get(range.clone()) != Some(html) {
        return;
    }
    // Only a file beside the playbooks is the handbook's to publish; an
    // address elsewhere stays exactly as written (entities and all).
    let local = |src: &str| !src.is_empty() && !src.starts_with(['/', '#', '?']) && !crate::links::is_external(src);
    for src in crate::rawhtml::image_sources(html).filter(|r| local(&html[r.clone()])) {
        let at = range.start + src.start..range.start + src.end;
        parts.links.push(LinkRef {
            offset: at.start,
            position: position(at.start),
            dest: html[src].to_string(),
            kind: LinkKind::Image,
            has_label: true,
        });
        parts.layout.raw_images.push(at);
    }
}

/// Adds the `id="..."` values of raw HTML to `ids`, and the `name="..."` of
/// each `<a>`: old-style anchors that pages still use. `html` is a whole
/// HTML block or one inline tag, so a tag written over several lines is
/// read whole.
fn html_ids(html: &str, ids: &mut Vec<HtmlId>) {
    let first = ids.len();
    for a in crate::rawhtml::attributes(html) {
        let anchor = a.name.eq_ignore_ascii_case("id")
            || (a.tag.eq_ignore_ascii_case("a") && a.name.eq_ignore_ascii_case("name"));
        if let Some(value) = a.value.map(|v| &html[v]).filter(|v| anchor && !v.is_empty()) {
            ids.push(HtmlId { id: value.to_string(), safe: false });
        }
    }
    // What the sanitizer keeps of this piece, asked only of pieces with ids.
    if ids.len() > first {
        let cleaned = crate::sanitize::clean(html);
        for found in &mut ids[first..] {
            found.safe = ["id", "name"].iter().any(|attr| cleaned.contains(&format!("{attr}=\"{}\"", found.id)));
        }
    }
}

/// Reads `**Label**: value` lines and the italic quote of the briefing
/// blockquote at `quoted` in `body`; every other line goes to `more`, so none
/// is lost. Each value keeps where its Markdown is in the body, for the card.
fn fill_story(story: &mut StoryMode, body: &str, quoted: Range<usize>) {
    /// What a line without a label of its own continues.
    enum Current {
        Nothing,
        Field(fn(&mut StoryMode) -> &mut Option<StoryText>),
        More(usize),
    }
    // Every piece below is a slice of `body`.
    let piece = |markdown: &str| (markdown.as_ptr() as usize - body.as_ptr() as usize, markdown.to_string());
    let text = |markdown: &str| StoryText { text: String::new(), markdown: vec![piece(markdown)] };
    let mut current = Current::Nothing;
    for raw in body[quoted].lines() {
        let line = raw.trim_start().strip_prefix('>').unwrap_or(raw).trim();
        if line.is_empty() {
            current = Current::Nothing;
            continue;
        }
        // Fields may be written as a list (`- **Officer**: CTO`).
        if let Some((label, value)) = markdown::list_item(line).and_then(labelled).or_else(|| labelled(line)) {
            let field = story_field(&label);
            let value = text(value);
            current = match field {
                // A field given a second time keeps its first value; the
                // second shows under its label among the rest.
                Some(field) if field(story).is_none() => {
                    *field(story) = Some(value);
                    Current::Field(field)
                }
                _ => {
                    story.more.push(StoryLine { label: Some(label), text: value });
                    Current::More(story.more.len() - 1)
                }
            };
        } else if is_quote(line) && story.quote.is_none() {
            let (quote, by) = split_quote(line);
            let mut quote = text(quote);
            // `*"…"* — Our CEO`: the attribution stays with the quote.
            quote.markdown.extend((!by.is_empty()).then(|| piece(by)));
            story.quote = Some(quote);
            current = Current::Nothing;
        } else {
            // A second quote is a line of its own, never the end of a field.
            let markdown = if is_quote(line) {
                current = Current::Nothing;
                unquote(line)
            } else {
                line
            };
            let slot = match current {
                Current::Field(field) => field(story).get_or_insert_default(),
                Current::More(i) => &mut story.more[i].text,
                Current::Nothing => {
                    story.more.push(StoryLine { label: None, text: StoryText::default() });
                    current = Current::More(story.more.len() - 1);
                    &mut story.more.last_mut().expect("just pushed").text
                }
            };
            slot.markdown.push(piece(markdown));
        }
    }
    for t in story.texts_mut() {
        t.text = story_text(&t.markdown);
    }
}

/// What a reader sees of a briefing field, for search, teasers and the
/// page's description: its text, without the Markdown.
fn story_text(pieces: &[(usize, String)]) -> String {
    let text = if markdown::has_markup(pieces) {
        reading_text(&markdown::story_events(pieces))
    } else {
        pieces.iter().map(|(_, p)| p.trim()).collect::<Vec<_>>().join(" ")
    };
    crate::emoji::replace_shortcodes(&text).into_owned()
}

/// `**The Problem**: text`, `**The Problem:** text` or `__The Problem__:
/// text` gives `("The Problem", "text")`, the value as written; so does
/// `The Problem: text` without emphasis, for the briefing's own fields only
/// (any other sentence may have a colon in it).
fn labelled(line: &str) -> Option<(String, &str)> {
    let Some(rest) = line.strip_prefix("**").or_else(|| line.strip_prefix("__")) else {
        let (label, value) = line.split_once(':')?;
        return story_field(label.trim()).is_some().then(|| (label.trim().to_string(), value.trim()));
    };
    let close = rest.find(&line[..2])?;
    let inside = rest[..close].trim();
    let label = inside.trim_end_matches(':').trim().to_string();
    let after = rest[close + 2..].trim_start();
    let value = match after.strip_prefix(':') {
        Some(value) => value,
        None if inside.ends_with(':') => after,
        None => return None,
    };
    Some((label, value.trim()))
}

/// The field of the briefing that a label names.
fn story_field(label: &str) -> Option<fn(&mut StoryMode) -> &mut Option<StoryText>> {
    match label.to_lowercase().as_str() {
        "mission date" | "date" => Some(|s| &mut s.mission_date),
        "location" => Some(|s| &mut s.location),
        "officer" => Some(|s| &mut s.officer),
        "problem" | "the problem" => Some(|s| &mut s.problem),
        "solution" | "the solution" => Some(|s| &mut s.solution),
        _ => None,
    }
}

fn is_quote(line: &str) -> bool {
    (line.starts_with('*') && !line.starts_with("**")) || (line.starts_with('_') && !line.starts_with("__"))
}

/// An italic quote line as its words, without the emphasis or the quotation
/// marks, and whatever follows the emphasis (`— Our CEO`, or nothing).
fn split_quote(line: &str) -> (&str, &str) {
    let b = line.as_bytes();
    // The emphasis closes at the last lone mark: the `**` of bold words
    // inside the quote do not close it.
    let lone = |k: usize| b[k] == b[0] && b[k - 1] != b[0] && b.get(k + 1) != Some(&b[0]);
    match (1..b.len()).rev().find(|&k| lone(k)) {
        Some(k) => (unquote(&line[1..k]), line[k + 1..].trim()),
        None => (unquote(line), ""),
    }
}

fn unquote(line: &str) -> &str {
    line.trim_matches(['*', '_', ' ']).trim_matches(['"', '“', '”']).trim()
}

const SUMMARY_CHARS: usize = 120;

/// Stands in a summary for a wiki link written without a label: it reads as
/// its target's title, which is known only once links are resolved.
const LINK_MARK: char = '\u{2}';

/// At `events[k]`, a wiki link shown as its target's title: its mark, and
/// the index after the link's end (its text, the target as written, is not
/// what a reader sees).
fn wiki_mark(events: &[(Event<'_>, Range<usize>)], k: usize) -> Option<(String, usize)> {
    let (e, range) = events.get(k)?;
    unlabelled_wiki(e, events.get(k + 1).map(|(e, _)| e)).then(|| (link_mark(range.start), find_end(events, k) + 1))
}

/// An author's text without [`LINK_MARK`]s: the marks in a text are ours.
fn unmarked(t: &str) -> std::borrow::Cow<'_, str> {
    if t.contains(LINK_MARK) { t.replace(LINK_MARK, "").into() } else { t.into() }
}

/// The mark for the unlabelled wiki link at body offset `offset`.
fn link_mark(offset: usize) -> String {
    let mut mark = String::with_capacity(24);
    mark.push(LINK_MARK);
    mark.push_str(itoa::Buffer::new().format(offset));
    mark.push(LINK_MARK);
    mark
}

/// Gives each framework and exit game the first words of its section, with
/// a mark for each unlabelled wiki link (see [`finish_summary`]).
fn fill_summaries(parts: &mut Parts, events: &Events<'_>) {
    // Sections are in document order, and every event before the first one
    // past a heading starts before it, so each search goes on from the last:
    // one pass over the events in all.
    let mut from = 0;
    for section in &mut parts.sections {
        let Some(start) = events[from..].iter().position(|(_, r)| r.start >= section.heading.end).map(|k| from + k)
        else {
            continue;
        };
        from = start;
        let end = events[start..]
            .iter()
            .position(|(e, _)| matches!(e, Event::Start(Tag::Heading { level, .. }) if (*level as u8) <= 3))
            .map_or(events.len(), |k| start + k);
        let mut text = String::new();
        let mut k = start;
        while k < end {
            if let Some((mark, after)) = wiki_mark(events, k) {
                text.push_str(&mark);
                k = after;
                continue;
            }
            let (e, _) = &events[k];
            k += 1;
            match e {
                // A table's cells, a code block or a footnote do not read as
                // the section's opening words.
                Event::Start(Tag::Table(_) | Tag::CodeBlock(_) | Tag::FootnoteDefinition(_)) => {
                    k = find_end(events, k - 1) + 1;
                    text.push(' ');
                }
                Event::Text(t) | Event::Code(t) => text.push_str(&unmarked(t)),
                // Words of two blocks must not run together; the end of a
                // link or of emphasis is inside a sentence.
                Event::SoftBreak | Event::HardBreak => text.push(' '),
                Event::End(tag) if !markdown::is_inline(tag) => text.push(' '),
                _ => {}
            }
            if text.len() > SUMMARY_CHARS * 2 {
                break;
            }
        }
        // With links to read as titles, it is cut once they are (`finish_summary`).
        let max = if text.contains(LINK_MARK) { usize::MAX } else { SUMMARY_CHARS };
        section.summary = at_sentence_end(clip_words(&text, max));
    }
}

/// The opening words of `text`, as a card or catalog shows them.
pub fn excerpt(text: &str) -> String {
    at_sentence_end(clip_words(text, SUMMARY_CHARS))
}

/// Whether a text or summary has unlabelled wiki links, which read as their
/// targets' titles once the link stage has found them.
pub fn has_link_marks(text: &str) -> bool {
    text.contains(LINK_MARK)
}

/// A text as a reader sees it, when it has unlabelled wiki links (`None`
/// otherwise): each as `label` gives it (its target's title).
pub fn finish_text<'t>(text: &str, mut label: impl FnMut(usize) -> Option<&'t str>) -> Option<String> {
    if !has_link_marks(text) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    for (k, piece) in text.split(LINK_MARK).enumerate() {
        // Pieces alternate: text, link offset, text, ...
        if k % 2 == 0 {
            out.push_str(piece);
        } else if let Some(title) = piece.parse().ok().and_then(&mut label) {
            out.push_str(title);
        }
    }
    Some(out)
}

/// A section's summary as [`finish_text`] makes it, cut to length.
pub fn finish_summary<'t>(summary: &str, label: impl Fn(usize) -> Option<&'t str>) -> Option<String> {
    finish_text(summary, label).map(|text| at_sentence_end(truncate_words(&text, SUMMARY_CHARS)))
}

/// A cut summary ends with its last whole sentence when that keeps at least
/// half of it: a catalog excerpt reads "… (Networking). …" rather than
/// "… (Networking). "Your…", a quote opened and never closed. The ellipsis
/// stays, set apart: the reader still sees that more follows.
fn at_sentence_end(mut summary: String) -> String {
    let Some(cut) = summary.strip_suffix('…') else { return summary };
    // Only the second half can hold the end: one backward scan of it.
    let b = cut.as_bytes();
    let end = (b.len() / 2..b.len().saturating_sub(1))
        .rev()
        .find(|&i| matches!(b[i], b'.' | b'!' | b'?') && b[i + 1] == b' ');
    if let Some(i) = end {
        summary.truncate(i + 1);
        summary.push_str(" …");
    }
    summary
}

/// `text` with its whitespace runs as single spaces, cut to `max` characters
/// as [`truncate_words`] cuts. That cut depends only on the first `max`
/// characters and on there being more, so the text is read up to the word
/// that crosses the limit and no further.
pub fn clip_words(text: &str, max: usize) -> String {
    // Search text is mostly ASCII already collapsed, which needs the cut only.
    let trimmed = text.trim_matches(|c: char| c.is_ascii_whitespace());
    if trimmed.is_ascii() && is_collapsed(trimmed.as_bytes()) {
        return truncate_words(trimmed, max);
    }
    let mut out = String::with_capacity(text.len().min(max.saturating_mul(4)));
    let mut chars = 0;
    for word in text.split_whitespace() {
        let space = usize::from(!out.is_empty());
        let width = word.chars().count();
        if chars + space + width <= max {
            if space == 1 {
                out.push(' ');
            }
            out.push_str(word);
            chars += space + width;
            continue;
        }
        // The cut goes through this word, or through the space before it.
        return match (space, max - chars) {
            (0, room) => cut_words(word.char_indices().nth(room).map_or(word, |(end, _)| &word[..end])),
            (_, 0) => cut_words(&out),
            _ => ellipsis(&out),
        };
    }
    out
}

/// Whether ASCII text has no whitespace but single spaces.
fn is_collapsed(bytes: &[u8]) -> bool {
    !bytes.windows(2).any(|w| w == b"  ")
        && !bytes.iter().any(|b| matches!(b, b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r'))
}

/// At most `max` characters, cut at a word boundary, with an ellipsis when cut.
pub fn truncate_words(text: &str, max: usize) -> String {
    // ASCII has a character per byte, so the cut is found without decoding.
    let end = if text.is_ascii() {
        (text.len() > max).then_some(max)
    } else {
        text.char_indices().nth(max).map(|(end, _)| end)
    };
    match end {
        Some(end) => cut_words(&text[..end]),
        None => text.to_string(),
    }
}

/// The first characters of a longer text, without the word the cut went
/// through, with an ellipsis.
fn cut_words(head: &str) -> String {
    ellipsis(head.rsplit_once(' ').map_or(head, |(words, _)| words))
}

/// Whole words of a longer text, with an ellipsis for the rest.
fn ellipsis(words: &str) -> String {
    format!("{}…", words.trim_end_matches([',', ';', ':', '.', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `body`'s parts, with link positions counted in `body` itself.
    fn analyzed(body: &str) -> Parts {
        analyze(body, &mut |offset| Position::at(body, offset))
    }

    const SEED_LIKE: &str = "# t: Title (Deep Dive)\n\n## 📜 Story Mode: The CTO\n\n> **Mission Date**: 2050.01.01\n> **Location**: Boardroom\n> **Officer**: Chief Technology Officer\n>\n> **The Problem**: You are the best coder.\n> But code doesn't solve it.\n>\n> **The Solution**: **Strategic Leadership**.\n> Moving on.\n>\n> *\"Team. We pivot.\"*\n\n## 2. Strategic Frameworks\n\n### 2.1 The AI Maturity Curve\nDon't build a Ferrari.\n\n### 2.2 Buy vs Build\n* **Commodity**: BUY.\n\n## 3. Communication Patterns\n\n### 3.1 Speaking to Executives\n*   **Don't say**: \"Loss fell.\"\n*   **Do say**: \"We saved 20 hours.\"\n\n## 4. The Exit Games\n\n### 4.1 Startup vs Big Tech\n* **Startup**: risk.\n";

    #[test]
    fn html_anchors_are_read_tag_by_tag_over_lines() {
        let p = analyzed(
            "# A\n\n<p><a name=\"inside\"></a></p>\n\n<a\n  name=\"split\"></a>\n\n<div\nID = multi data-x='a>b' hidden>\n\
             id=\"text\" is text</div>\n\n<input name=\"q\">\n\n> <span\n> id=\"quoted\">q</span>\n\n\
             Inline <a name=x>here</a> and <b id=\"\">none</b>.\n",
        );
        let ids: Vec<&str> = p.html_ids.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["inside", "split", "multi", "quoted", "x"]);
    }

    #[test]
    fn a_cut_summary_ends_with_its_last_whole_sentence_when_that_keeps_half() {
        let long = "Speaking at conferences builds a name in the field (Networking). \"Your next role comes from who \
                    knows your work, not from applications\" and more words";
        assert_eq!(
            at_sentence_end(clip_words(long, 120)),
            "Speaking at conferences builds a name in the field (Networking). …"
        );
        let early = "Short. Then a very long sentence that runs on and on past the limit of what a summary can hold \
                     in a catalog entry on the page of frameworks";
        let kept = at_sentence_end(clip_words(early, 120));
        assert!(kept.starts_with("Short. Then") && kept.ends_with('…'), "too little would be left: {kept}");
        assert_eq!(at_sentence_end("Whole. Not cut".to_string()), "Whole. Not cut");
    }

    #[test]
    fn a_summary_skips_tables_code_and_footnotes() {
        let p = analyzed(
            "# T\n\n## Frameworks\n\n### Five Whys\n\n| Step | Question |\n|-|-|\n| 1 | Why? |\n\n```text\nx = 1\n```\n\n\
             Ask why until the cause is a process.[^1]\n\n[^1]: Toyota's method.\n",
        );
        assert_eq!(p.sections[0].summary, "Ask why until the cause is a process.");
    }

    #[test]
    fn reads_the_story_mode_briefing() {
        let p = analyzed(SEED_LIKE);
        let s = p.story.unwrap();
        assert_eq!(s.title.as_deref(), Some("The CTO"));
        assert_eq!(s.mission_date.as_deref(), Some("2050.01.01"));
        assert_eq!(s.location.as_deref(), Some("Boardroom"));
        assert_eq!(s.officer.as_deref(), Some("Chief Technology Officer"));
        assert_eq!(s.problem.as_deref(), Some("You are the best coder. But code doesn't solve it."));
        assert_eq!(s.solution.as_deref(), Some("Strategic Leadership. Moving on."));
        assert_eq!(s.quote.as_deref(), Some("Team. We pivot."));
        assert_eq!(s.anchor, "-story-mode-the-cto");
        assert_eq!(s.icon.as_deref(), Some("📜"));
    }

    #[test]
    fn reads_the_briefing_as_authors_write_it() {
        let briefings = [
            "> **Mission Date:** 2050.04.01\n> **Location:** HQ\n> **Officer:** CTO\n> **The Problem:** Fires.\n",
            "> - **Mission Date**: 2050.04.01\n> - **Location**: HQ\n> - **Officer**: CTO\n> 1. **Problem**: Fires.\n",
            "> Mission Date: 2050.04.01\n> Location: HQ\n> Officer: CTO\n> The Problem: Fires.\n",
            "> __Mission Date__: 2050.04.01\n> __Location__: HQ\n> __Officer__: CTO\n> __The Problem__: Fires.\n",
        ];
        for briefing in briefings {
            let s = analyzed(&format!("## Story Mode\n\n{briefing}")).story.unwrap();
            let fields = [&s.mission_date, &s.location, &s.officer, &s.problem].map(|f| f.as_ref().map(|t| &*t.text));
            assert_eq!(fields, [Some("2050.04.01"), Some("HQ"), Some("CTO"), Some("Fires.")], "{briefing}");
            assert!(s.more.is_empty(), "{briefing}: {:?}", s.more);
        }
        // Without emphasis, only the briefing's own labels are fields.
        let s = analyzed("## Story Mode\n\n> Officer: CTO\n>\n> Note: it rained.\n").story.unwrap();
        assert_eq!(
            s.more.iter().map(|l| (l.label.as_deref(), &*l.text)).collect::<Vec<_>>(),
            [(None, "Note: it rained.")]
        );
    }

    #[test]
    fn the_story_name_follows_a_colon_or_a_dash_and_a_quote_keeps_its_attribution() {
        for (heading, name) in [
            ("## 📜 Story Mode — The Layoff", Some("The Layoff")),
            ("## Story Mode - The Layoff", Some("The Layoff")),
            ("## STORY MODE: The CTO", Some("The CTO")),
            ("## 📜 Story Mode", None),
        ] {
            let s = analyzed(&format!("{heading}\n\n> **Officer**: CTO\n")).story.unwrap();
            assert_eq!(s.title.as_deref(), name, "{heading}");
        }
        let s = analyzed("## Story Mode\n\n> **Officer**: CTO\n> *\"Repeat the mission.\"* — Our CEO\n").story.unwrap();
        assert_eq!(s.quote.as_deref(), Some("Repeat the mission. — Our CEO"));
        let s = analyzed("## Story Mode\n\n> **Officer**: CTO\n> *\"We **pivot** now.\"*\n").story.unwrap();
        assert_eq!(s.quote.as_deref(), Some("We pivot now."), "bold inside the quote does not end it");
    }

    #[test]
    fn a_briefing_keeps_what_is_none_of_its_fields() {
        let p = analyzed(
            "## Story Mode\n\n> **Officer**: first\n> **Officer**: second\n>\n> A paragraph\n> on two lines.\n>\n\
             > - a list item\n>\n> **Budget**: $2M\n> *\"One.\"*\n> **Location**: HQ\n> *\"Two.\"*\n",
        );
        let s = p.story.unwrap();
        assert_eq!(s.officer.as_deref(), Some("first"));
        assert_eq!(s.quote.as_deref(), Some("One."));
        assert_eq!(s.location.as_deref(), Some("HQ"), "a quote after a field is not part of it");
        let more: Vec<(Option<&str>, &str)> = s.more.iter().map(|l| (l.label.as_deref(), &*l.text)).collect();
        assert_eq!(
            more,
            [
                (Some("Officer"), "second"),
                (None, "A paragraph on two lines."),
                (None, "- a list item"),
                (Some("Budget"), "$2M"),
                (None, "Two."),
            ]
        );
    }

    #[test]
    fn finds_frameworks_and_exit_games_with_stable_ids() {
        let p = analyzed(SEED_LIKE);
        let names: Vec<_> =
            p.sections.iter().map(|s| (s.kind, s.name.as_str(), s.id.as_str(), s.heading_id.as_str())).collect();
        assert_eq!(
            names,
            [
                (SectionKind::Framework, "The AI Maturity Curve", "the-ai-maturity-curve", "21-the-ai-maturity-curve"),
                (SectionKind::Framework, "Buy vs Build", "buy-vs-build", "22-buy-vs-build"),
                (SectionKind::ExitGame, "Startup vs Big Tech", "startup-vs-big-tech", "41-startup-vs-big-tech"),
            ]
        );
        assert_eq!(p.sections[0].summary, "Don't build a Ferrari.");
    }

    #[test]
    fn finds_dont_say_do_say_pairs_under_their_heading() {
        let p = analyzed(SEED_LIKE);
        assert_eq!(
            p.patterns,
            [Pattern {
                context: "Speaking to Executives".into(),
                dont: "\"Loss fell.\"".into(),
                do_: "\"We saved 20 hours.\"".into(),
            }]
        );
        assert_eq!(p.layout.pattern_lists.len(), 1);
    }

    #[test]
    fn pairs_may_be_marked_with_emoji_or_written_as_a_table() {
        let pairs = |body: &str| {
            let p = analyzed(body);
            assert_eq!(p.layout.pattern_lists.len(), 1, "{body}");
            p.patterns.iter().map(|p| (p.dont.clone(), p.do_.clone())).collect::<Vec<_>>()
        };
        let expected = [("\"No.\"".to_string(), "\"Yes.\"".to_string())];
        assert_eq!(pairs("* ❌ **Don't say**: \"No.\"\n* ✅ **Do say**: \"Yes.\"\n"), expected);
        assert_eq!(pairs("- :x: Don't say: \"No.\"\n- :white_check_mark: Do say: \"Yes.\"\n"), expected);
        assert_eq!(pairs("| ❌ Don't say | ✅ Do say |\n|---|---|\n| \"No.\" | \"Yes.\" |\n"), expected);
        // Any other table, or a list of other words, stays as written.
        for body in ["| Don't say | Other |\n|-|-|\n| a | b |\n", "* Don't do this\n* Do say that\n"] {
            assert!(analyzed(body).patterns.is_empty(), "{body}");
        }
    }

    #[test]
    fn a_pair_with_a_list_in_it_keeps_its_words_apart() {
        let p =
            analyzed("* **Don't say**: \"Soon.\"\n* **Do say**: \"Sprint 14:\n  - ticket filed,\n  - owner set.\"\n");
        assert_eq!(p.patterns[0].do_, "\"Sprint 14: ticket filed, owner set.\"");
    }

    #[test]
    fn the_h1_and_story_are_hidden_from_the_body() {
        let p = analyzed(SEED_LIKE);
        assert_eq!(p.h1.as_deref(), Some("t: Title (Deep Dive)"));
        assert_eq!(p.layout.hidden.len(), 3);
    }

    #[test]
    fn a_list_that_is_not_all_pairs_stays_a_list() {
        let p = analyzed("* **Don't say**: a\n* something else\n");
        assert!(p.patterns.is_empty());
    }

    #[test]
    fn truncation_cuts_at_words() {
        assert_eq!(truncate_words("one two three", 9), "one two…");
        assert_eq!(truncate_words("short", 9), "short");
    }

    #[test]
    fn html_in_headings_is_text_and_ids_are_made_without_it() {
        let p = analyzed(
            "# <script>alert(1)</script>\n\n## Press <kbd>Ctrl</kbd>\n\n## Frameworks\n\n### <b>Buy</b> vs Build\n",
        );
        // Without the tags the title read `alert(1)`, taken as title `alert` at level `1`.
        assert_eq!(p.h1.as_deref(), Some("<script>alert(1)</script>"));
        assert_eq!(p.headings[1].text, "Press <kbd>Ctrl</kbd>");
        assert_eq!(p.headings[1].id, "press-ctrl");
        assert_eq!(p.sections[0].name, "<b>Buy</b> vs Build");
        assert_eq!(p.sections[0].id, "buy-vs-build");
    }

    #[test]
    fn blockquotes_that_are_not_the_briefing_stay_in_the_body() {
        // Every blockquote of the chapter used to be hidden until one named an
        // officer or a problem: their text was lost from the page, and each
        // one made the renderer's look-up of hidden blocks longer.
        let quotes = "> Words of wisdom, no briefing fields.\n\n".repeat(1_000);
        let body = format!("## Story Mode: S\n\n{quotes}> **Officer**: CTO\n\n> Afterwards.\n");
        let p = analyzed(&body);
        assert_eq!(p.story.as_ref().and_then(|s| s.officer.as_deref()), Some("CTO"));
        let briefing = body.find("> **Officer**").unwrap();
        let hidden: Vec<usize> = p.layout.hidden.iter().map(|r| r.start).collect();
        assert_eq!(hidden, [0, briefing], "only the Story Mode heading and the briefing are hidden");
    }

    #[test]
    fn a_repeated_framework_name_gets_numbered_ids_in_linear_time() {
        // Numbering each repeat from `-2` upwards again made 10,000 repeats
        // cost 50 million tries (minutes); a hostile playbook must not hang the build.
        let body = format!("## Frameworks\n\n### Plan B\n\n### Plan B 2\n\n{}", "### Plan B\n".repeat(10_000));
        let start = std::time::Instant::now();
        let p = analyzed(&body);
        let elapsed = start.elapsed();
        let ids: Vec<&str> = p.sections.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids.len(), 10_002);
        // A repeat's section is its own heading, with GitHub's id for it.
        assert_eq!(&ids[..4], ["plan-b", "plan-b-2", "plan-b-1", "plan-b-3"]);
        assert_eq!(ids[10_001], "plan-b-10001");
        let headings: std::collections::HashSet<&str> = p.headings.iter().map(|h| h.id.as_str()).collect();
        let own: Vec<bool> = p.sections.iter().map(|s| s.id == s.heading_id).collect();
        assert!(ids.iter().zip(own).all(|(id, own)| own || !headings.contains(id)), "no section takes a heading's id");
        assert!(elapsed.as_secs() < 5, "10,000 repeated framework names took {elapsed:?}");
    }

    #[test]
    fn summaries_of_many_sections_take_linear_time() {
        // Searching every section's start from the top made 40,000 sections
        // cost billions of steps.
        let sections: String = (0..40_000).map(|i| format!("### Framework {i}\nSummary {i}.\n\n")).collect();
        let body = format!("## Strategic Frameworks\n\n{sections}");
        let start = std::time::Instant::now();
        let p = analyzed(&body);
        let elapsed = start.elapsed();
        assert_eq!(p.sections.len(), 40_000);
        assert_eq!(p.sections[0].summary, "Summary 0.");
        assert_eq!(p.sections[39_999].summary, "Summary 39999.");
        assert!(elapsed.as_secs() < 5, "40,000 sections took {elapsed:?}");
    }

    #[test]
    fn a_summary_is_cut_to_length_once_its_links_read_as_titles() {
        let p = analyzed("## Frameworks\n\n### Curve\nSee [[x]] now.\u{2}9\u{2}\n");
        let title = "Long ".repeat(40);
        let label = |offset: usize| (offset == 29).then_some(title.as_str());
        let summary = finish_summary(&p.sections[0].summary, label).unwrap();
        assert!(summary.starts_with("See Long Long"), "{summary}");
        assert!(summary.ends_with("Long…") && summary.chars().count() <= SUMMARY_CHARS + 1, "{summary}");
        // The author's stray mark is not taken for a link.
        let short = finish_summary(&p.sections[0].summary, |_| Some("X"));
        assert_eq!(short.as_deref(), Some("See X now.9"));
    }

    #[test]
    fn clipping_collapses_whitespace_and_cuts_as_the_whole_text_would_be_cut() {
        const MAX: usize = 400;
        let whole = |t: &str| truncate_words(&t.split_whitespace().collect::<Vec<_>>().join(" "), MAX);
        let long = "word ".repeat(300);
        let unbroken = "x".repeat(MAX + 50);
        // Past the cut, only whether the text goes on matters: runs of
        // whitespace there, or wide spaces ending it, change nothing.
        let runs_after_the_cut = format!("{}b\n\n\tc  d", "a ".repeat(MAX / 2));
        let wide_space_after_the_cut = format!("{}a \u{3000}", "ab ".repeat(MAX / 3));
        let cases = [
            "  a\n\tb  c ",
            "",
            &long,
            &format!("{unbroken} tail"),
            &"é ".repeat(MAX),
            &"ab ".repeat(134),
            &runs_after_the_cut,
            &wide_space_after_the_cut,
        ];
        for text in cases {
            assert_eq!(clip_words(text, MAX), whole(text), "{text:?}");
        }
        assert_eq!(clip_words("  a\n\tb  c ", MAX), "a b c");
        assert!(clip_words(&long, MAX).ends_with('…') && clip_words(&long, MAX).chars().count() <= MAX);
        assert_eq!(clip_words(&long, usize::MAX), long.trim_end(), "no limit: collapsed only");
    }

    proptest::proptest! {
        #[test]
        fn clipping_is_cutting_the_collapsed_text(
            words in proptest::collection::vec(("[a-zé,.;:]{0,6}", "[ \n\t\u{a0}\u{2003}\u{3000}]{0,3}"), 0..40),
            max in 0usize..60,
        ) {
            let text: String = words.iter().map(|(w, gap)| format!("{w}{gap}")).collect();
            let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
            // The rule, spelled out: the first `max` characters, less the
            // word the cut went through and trailing punctuation, then "…".
            let spec = if collapsed.chars().count() <= max {
                collapsed.clone()
            } else {
                let head: String = collapsed.chars().take(max).collect();
                let head = head.rsplit_once(' ').map_or(head.as_str(), |(words, _)| words);
                format!("{}…", head.trim_end_matches([',', ';', ':', '.', ' ']))
            };
            proptest::prop_assert_eq!(truncate_words(&collapsed, max), spec.clone());
            proptest::prop_assert_eq!(clip_words(&collapsed, max), spec.clone());
            proptest::prop_assert_eq!(clip_words(&text, max), spec);
        }
    }

    #[test]
    fn search_text_runs_on_within_a_line_and_keeps_lines_apart() {
        let p = analyzed("## A\n\n* **EM**: \"I solve\" `x`.\n* Tom &amp; Jerry\nsaid *so*.\n\nNext.\n");
        assert_eq!(p.texts[1], "EM: \"I solve\" x. Tom & Jerry said so. Next.");
    }
}
