//! Markdown to HTML for a playbook body.
//!
//! The event stream from pulldown-cmark is rewritten, not the HTML: headings
//! get their ids, frameworks and exit games are wrapped in `<section>`s with
//! their stable ids, Don't/Do lists become contrast boxes and code is
//! highlighted. One writer call then writes the body, so tables and
//! footnotes keep their state. This happens as the body is parsed, from the
//! events its parts were found in, before any other playbook is known; where
//! each link sits is kept, and the link stage's targets go in there later.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{BlockQuoteKind, CodeBlockKind, CowStr, Event, Options, Tag, TagEnd};

use crate::highlight;
use crate::model::{Heading, Layout, Pattern, Section, SectionKind};

/// The Markdown dialect: GitHub's, plus wiki links.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM
        | Options::ENABLE_WIKILINKS
}

/// Room for the events of `text`, so collecting them rarely grows the list
/// (each growth copies it). Playbooks run 7 to 10 bytes of Markdown per
/// event; growing cost 2% of a build's instructions.
pub fn events_capacity(text: &str) -> usize {
    text.len() / 8
}

/// Where a link of the body goes, decided by the link stage.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LinkRewrite {
    pub href: String,
    /// Replaces the link's text when the author gave none (`[[target]]`).
    pub label: Option<String>,
    pub external: bool,
}

/// A page's rewrites by the byte offset where each link starts in the body,
/// kept in order of offset. The link stage finds links in document order and
/// rendering asks for them in that order, so a sorted list serves both
/// without a hash table per page (a tenth of the link stage's memory).
#[derive(Debug, Default, Clone, PartialEq, Eq, Hash)]
pub struct LinkRewrites(Vec<(usize, LinkRewrite)>);

impl LinkRewrites {
    /// Room for `links` rewrites: the graph holds every page's to the end.
    pub fn with_capacity(links: usize) -> Self {
        LinkRewrites(Vec::with_capacity(links))
    }

    /// Sets the rewrite of the link at `offset`, replacing any there.
    pub fn insert(&mut self, offset: usize, rewrite: LinkRewrite) {
        match self.0.binary_search_by_key(&offset, |(at, _)| *at) {
            Ok(i) => self.0[i].1 = rewrite,
            Err(i) => self.0.insert(i, (offset, rewrite)),
        }
    }

    pub fn get(&self, offset: usize) -> Option<&LinkRewrite> {
        starting_at(&self.0, offset, |(at, _)| *at).map(|(_, rewrite)| rewrite)
    }
}

/// The one of `items` that starts at byte `offset` of the body. The parts of
/// a body (headings, sections, links, lists) are each found in document
/// order, so their lists are sorted by where they start.
fn starting_at<T>(items: &[T], offset: usize, start: impl Fn(&T) -> usize) -> Option<&T> {
    items.binary_search_by_key(&offset, start).ok().map(|i| &items[i])
}

/// A fenced block drawn as a diagram (mermaid) rather than shown as code.
pub fn is_diagram(info: &str) -> bool {
    info.trim() == "mermaid"
}

pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_escaped(&mut out, s);
    out
}

/// `s` escaped for HTML, added to `out`.
pub fn push_escaped(out: &mut String, s: &str) {
    // Writing to a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(out, s);
}

/// A body as HTML before the link stage has run: its links as the author
/// wrote them, and where each sits. The Markdown is parsed once, for its
/// parts and its HTML together; the link stage's answers are put in at the
/// recorded places ([`BodyHtml::linked`]), which costs a copy, not a parse.
#[derive(Debug, Clone, Default)]
pub struct BodyHtml {
    html: String,
    /// In document order, none overlapping.
    slots: Vec<LinkSlot>,
}

/// Where a link (or an image's source) sits in [`BodyHtml::html`].
#[derive(Debug, Clone)]
struct LinkSlot {
    /// Byte offset of the link in the Markdown: what rewrites are keyed by.
    offset: usize,
    /// The opening `<a ...>` as the author wrote it, or an image's source.
    written: Range<usize>,
    kind: SlotKind,
}

#[derive(Debug, Clone)]
enum SlotKind {
    /// The link's text ends where its `</a>` starts; a label replaces it.
    Link {
        title: String,
        text_end: usize,
    },
    Image,
}

/// What the parts of a body say about rendering it.
pub struct Outline<'a> {
    pub layout: &'a Layout,
    pub sections: &'a [Section],
    pub headings: &'a [Heading],
    pub patterns: &'a [Pattern],
}

impl Outline<'_> {
    /// The Don't/Do pairs of the list or table starting at `offset`, if it is one.
    fn pattern_list(&self, offset: usize) -> Option<&[Pattern]> {
        starting_at(&self.layout.pattern_lists, offset, |(at, _)| *at)
            .and_then(|(_, pairs)| self.patterns.get(pairs.clone()))
    }
}

/// Stands in a body for the Story Mode card when the section is not where
/// the page starts: the page puts the card there (see `pages`).
pub const STORY_MARK: &str = "<!--pb-story-card-->\n";

/// A body's events, with their offsets in the Markdown, rendered as HTML
/// with its links as written.
pub fn render_body<'a>(events: Vec<(Event<'a>, Range<usize>)>, outline: &Outline<'_>) -> BodyHtml {
    let mut footnotes = Footnotes::new(&events);
    let mut iter = events.into_iter();
    let mut events: Vec<Event<'_>> = Vec::with_capacity(iter.size_hint().0);
    // Where each link's events are in `events`, to learn where their HTML lands.
    let mut marks: Vec<SlotMarks> = Vec::new();
    let mut open_links: Vec<usize> = Vec::new();
    let mut open_section: Option<u8> = None;
    let mut depth = 0usize;
    // Raw HTML in a heading is shown as text: titles and the table of
    // contents take heading text, and markup there would run in every page
    // that lists it.
    let mut in_heading = false;

    // Whether the reader sees anything of the body before the Story Mode
    // heading; if so, the card goes where the heading was.
    let mut shown = false;
    while let Some((event, range)) = iter.next() {
        if depth == 0 && is_block_start(&event) && outline.layout.hidden.iter().any(|h| h.start == range.start) {
            if shown && outline.layout.story_heading == Some(range.start) {
                events.push(Event::Html(STORY_MARK.into()));
            }
            skip_block(&mut iter);
            continue;
        }
        shown |= depth == 0 && is_block_start(&event);
        match event {
            // A rule before anything visible only separated the hidden title or
            // briefing from the rest; a rule between chapters ends a section.
            Event::Rule if depth == 0 && events.is_empty() => {}
            Event::Rule if depth == 0 && open_section.is_some() => {
                events.push(Event::Html("</section>\n".into()));
                open_section = None;
                events.push(Event::Rule);
            }
            Event::Start(Tag::Heading { level, id: _, classes, attrs }) if depth == 0 => {
                let lvl = level as u8;
                if open_section.is_some_and(|open| lvl <= open) {
                    events.push(Event::Html("</section>\n".into()));
                    open_section = None;
                }
                if let Some(section) = starting_at(outline.sections, range.start, |s| s.heading.start) {
                    events.push(Event::Html(section_open(section).into()));
                    open_section = Some(lvl);
                }
                // A heading with no text (`## `) has no id: `id=""` is not HTML.
                let id = starting_at(outline.headings, range.start, |h| h.range.start)
                    .filter(|h| !h.id.is_empty())
                    .map(|h| CowStr::from(h.id.clone()));
                events.push(Event::Start(Tag::Heading { level, id, classes, attrs }));
                depth += 1;
                in_heading = true;
            }
            Event::Html(h) | Event::InlineHtml(h) if in_heading => events.push(Event::Text(h)),
            Event::Html(_) | Event::InlineHtml(_) => {
                // Raw HTML is written as it is, so a source's place in the
                // page is its place in the text.
                for src in outline.layout.raw_images.iter().filter(|s| range.contains(&s.start)) {
                    let within = src.start - range.start..src.end - range.start;
                    marks.push(SlotMarks {
                        offset: src.start,
                        event: events.len(),
                        kind: MarkKind::RawImage { within },
                    });
                }
                events.push(event);
            }
            Event::End(TagEnd::Heading(level)) => {
                in_heading = false;
                depth = depth.saturating_sub(1);
                events.push(Event::End(TagEnd::Heading(level)));
            }
            Event::Start(Tag::List(_) | Tag::Table(_)) if depth == 0 && outline.pattern_list(range.start).is_some() => {
                let pairs = outline.pattern_list(range.start).unwrap_or_default();
                skip_block(&mut iter);
                events.push(Event::Html(contrast_html(pairs).into()));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let code = code_text(&mut iter);
                events.push(Event::Html(code_html(&kind, &code).into()));
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                depth += 1;
                open_links.push(marks.len());
                marks.push(SlotMarks {
                    offset: range.start,
                    event: events.len(),
                    // The end is set when the link's `End` comes.
                    kind: MarkKind::Link { title: title.to_string(), end_event: events.len() },
                });
                events.push(Event::Start(Tag::Link { link_type, dest_url, title, id }));
            }
            // Footnotes get the ids GitHub shows (`#fn-1`), not their bare
            // labels, which a heading (`## 1`) may already have.
            Event::FootnoteReference(label) => events.push(Event::FootnoteReference(footnote_id(&label))),
            Event::Start(Tag::FootnoteDefinition(label)) => {
                depth += 1;
                events.push(Event::Start(Tag::FootnoteDefinition(footnotes.id(&label))));
            }
            Event::TaskListMarker(done) => events.push(Event::Html(checkbox_html(done).into())),
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                depth += 1;
                marks.push(SlotMarks { offset: range.start, event: events.len(), kind: MarkKind::Image });
                events.push(Event::Start(Tag::Image { link_type, dest_url, title, id }));
            }
            Event::End(TagEnd::Link) => {
                depth = depth.saturating_sub(1);
                if let Some(MarkKind::Link { end_event, .. }) = open_links.pop().map(|m| &mut marks[m].kind) {
                    *end_event = events.len();
                }
                events.push(Event::Html("</a>".into()));
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                depth += 1;
                events.push(Event::Html(alert_open(kind).into()));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => {
                depth = depth.saturating_sub(1);
                events.push(Event::Html("</div>\n".into()));
            }
            // A wide table scrolls in a box of its own, instead of making
            // the whole page scroll sideways on a phone.
            Event::Start(Tag::Table(align)) => {
                depth += 1;
                events.push(Event::Html("<div class=\"table-wrap\">\n".into()));
                events.push(Event::Start(Tag::Table(align)));
            }
            Event::End(TagEnd::Table) => {
                depth = depth.saturating_sub(1);
                events.push(Event::End(TagEnd::Table));
                events.push(Event::Html("</div>\n".into()));
            }
            Event::Start(tag) => {
                depth += 1;
                in_heading |= matches!(tag, Tag::Heading { .. });
                events.push(Event::Start(tag));
            }
            Event::End(tag) => {
                depth = depth.saturating_sub(1);
                events.push(Event::End(tag));
            }
            Event::Text(t) => events.push(Event::Text(match crate::emoji::replace_shortcodes(&t) {
                std::borrow::Cow::Borrowed(_) => t,
                std::borrow::Cow::Owned(o) => o.into(),
            })),
            other => events.push(other),
        }
    }
    if open_section.is_some() {
        events.push(Event::Html("</section>\n".into()));
    }
    write_html(events, marks)
}

/// The opening tag of a framework's or exit game's section.
fn section_open(section: &Section) -> String {
    let class = match section.kind {
        SectionKind::Framework => "framework",
        SectionKind::ExitGame => "exit-game",
    };
    // `### Hire vs Wait` has the same stable and GitHub id; the heading
    // keeps it, as ids must be unique. No accessible name: two playbooks may
    // both have a "Buy vs Build", and named sections would be look-alike
    // landmarks in print.
    let (id, heading_id) = (&section.id, &section.heading_id);
    let section_id = if id == heading_id { String::new() } else { format!(" id=\"{id}\"") };
    format!("<section class=\"{class}\"{section_id}>\n")
}

/// A code block's text, taken from `iter` up to the block's end.
fn code_text<'a>(iter: &mut impl Iterator<Item = (Event<'a>, Range<usize>)>) -> String {
    let mut code = String::new();
    for (e, _) in iter {
        match e {
            Event::Text(t) => code.push_str(&t),
            Event::End(TagEnd::CodeBlock) => break,
            _ => {}
        }
    }
    code
}

/// A fenced or indented block of code: highlighted, or a diagram.
fn code_html(kind: &CodeBlockKind<'_>, code: &str) -> String {
    let lang = match kind {
        CodeBlockKind::Fenced(info) => info.as_ref(),
        CodeBlockKind::Indented => "",
    };
    if is_diagram(lang) {
        // Drawn in the browser by the mermaid script; without JavaScript
        // the source stays readable.
        format!("<pre class=\"mermaid\">{}</pre>\n", escape_html(code))
    } else {
        highlight::code_block(code, lang).to_string()
    }
}

/// A task list's checkbox. A bare one has no accessible name; it says what
/// its state means.
fn checkbox_html(done: bool) -> String {
    let (checked, label) = if done { (" checked", "Done") } else { ("", "Not done") };
    format!("<input type=\"checkbox\" disabled{checked} aria-label=\"{label}\"> ")
}

/// A link's or image's events, before their HTML is written.
struct SlotMarks {
    offset: usize,
    /// The index of its `Start` event.
    event: usize,
    kind: MarkKind,
}

enum MarkKind {
    /// `end_event` is the index of the link's `</a>`.
    Link {
        title: String,
        end_event: usize,
    },
    Image,
    /// An `<img src>` value in raw HTML, at `within` the event's text.
    RawImage {
        within: Range<usize>,
    },
}

pub(crate) fn footnote_id(label: &str) -> pulldown_cmark::CowStr<'static> {
    format!("fn-{label}").into()
}

/// Ids of footnote definitions. References point at `fn-<label>`, so a
/// label's first definition has it; a label defined again keeps its text
/// under an id that no label's definition has (`fn-a-2` is left for a
/// label `a-2`), numbered on from the last one given.
struct Footnotes {
    /// Every label's id, and every id given since.
    taken: HashSet<String>,
    defined: HashSet<String>,
    last: HashMap<String, usize>,
}

impl Footnotes {
    fn new(events: &[(Event<'_>, Range<usize>)]) -> Footnotes {
        let taken = events
            .iter()
            .filter_map(|(e, _)| match e {
                Event::Start(Tag::FootnoteDefinition(label)) => Some(footnote_id(label).to_string()),
                _ => None,
            })
            .collect();
        Footnotes { taken, defined: HashSet::new(), last: HashMap::new() }
    }

    fn id(&mut self, label: &str) -> pulldown_cmark::CowStr<'static> {
        if self.defined.insert(label.to_string()) {
            return footnote_id(label);
        }
        let n = self.last.entry(label.to_string()).or_insert(1);
        loop {
            *n += 1;
            let id = footnote_id(&format!("{label}-{n}"));
            if self.taken.insert(id.to_string()) {
                return id;
            }
        }
    }
}

/// Writes `events` as HTML in one go (tables and footnotes keep their
/// state), noting where each event's HTML starts: the writer asks for an
/// event only once it has written the one before.
fn write_html(events: Vec<Event<'_>>, marks: Vec<SlotMarks>) -> BodyHtml {
    let mut starts = Vec::with_capacity(events.len() + 1);
    let mut html = String::with_capacity(events.len() * 16);
    let written = Cell::new(0usize);
    let events = events.into_iter().inspect(|_| starts.push(written.get()));
    // Writing to a String cannot fail.
    let _ = pulldown_cmark::html::write_html_fmt(Counted { out: &mut html, written: &written }, events);
    starts.push(html.len());
    let at = |event: usize| starts.get(event).copied().unwrap_or(html.len());
    let slots = marks
        .into_iter()
        .filter_map(|m| {
            let written = at(m.event)..at(m.event + 1);
            // Inside an image's description no tag is written: there is
            // nothing to point elsewhere.
            if written.is_empty() {
                return None;
            }
            Some(match m.kind {
                MarkKind::Link { title, end_event } => {
                    LinkSlot { offset: m.offset, written, kind: SlotKind::Link { title, text_end: at(end_event) } }
                }
                // Only the source: `<img src="` before it, `" alt="` after.
                MarkKind::Image => LinkSlot {
                    offset: m.offset,
                    written: written.start + IMG_OPEN.len()..written.end - IMG_ALT.len(),
                    kind: SlotKind::Image,
                },
                MarkKind::RawImage { within } => LinkSlot {
                    offset: m.offset,
                    written: written.start + within.start..written.start + within.end,
                    kind: SlotKind::Image,
                },
            })
        })
        .collect();
    // Held for the whole build, so copied to a block of its size: shrinking
    // in place leaves the allocator's block as it was, up to twice the text.
    BodyHtml { html: html.as_str().into(), slots }
}

const IMG_OPEN: &str = "<img src=\"";
const IMG_ALT: &str = "\" alt=\"";

/// A `String` that tells how much has been written to it.
struct Counted<'a> {
    out: &'a mut String,
    written: &'a Cell<usize>,
}

impl std::fmt::Write for Counted<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.out.push_str(s);
        self.written.set(self.out.len());
        Ok(())
    }
}

impl BodyHtml {
    /// The HTML with each link pointing where the link stage resolved it.
    pub fn linked(&self, links: &LinkRewrites) -> String {
        let html = &self.html;
        let mut out = String::with_capacity(html.len() + html.len() / 16);
        let mut done = 0;
        for slot in &self.slots {
            // A slot inside a link whose label replaced its text is gone with it.
            let Some(rw) = links.get(slot.offset).filter(|_| slot.written.start >= done) else { continue };
            out.push_str(&html[done..slot.written.start]);
            done = slot.written.end;
            match &slot.kind {
                SlotKind::Link { title, text_end } => {
                    push_link_open(&mut out, rw, title);
                    if let Some(label) = &rw.label {
                        // The author's text, up to the link's end, gives way to the label.
                        let _ = pulldown_cmark_escape::escape_html_body_text(&mut out, label);
                        done = *text_end;
                    }
                }
                SlotKind::Image => {
                    let _ = pulldown_cmark_escape::escape_href(&mut out, &rw.href);
                }
            }
        }
        out.push_str(&html[done..]);
        out
    }
}

/// Whether a Story Mode field's pieces hold anything Markdown would change:
/// most (a date, a place, a title) do not, and their text is their HTML.
pub fn has_markup(pieces: &[(usize, String)]) -> bool {
    pieces.iter().any(|(_, p)| p.bytes().any(|b| b"*_`[]<>&\\~!|".contains(&b)))
        || pieces.iter().skip(1).any(|(_, p)| list_item(p).is_some())
}

/// The text of a list item's line (`- x`, `* x`, `+ x`, `1. x`, `1) x`).
pub fn list_item(line: &str) -> Option<&str> {
    let rest = line.strip_prefix(['-', '*', '+']).or_else(|| {
        let digits = line.find(|c: char| !c.is_ascii_digit()).filter(|&k| k > 0)?;
        line[digits..].strip_prefix(['.', ')'])
    })?;
    rest.starts_with([' ', '\t']).then(|| rest.trim())
}

/// A Story Mode field's Markdown (pieces of the body at their offsets) as
/// inline HTML: emphasis, code and links as in the body, and its links at the
/// body's offsets, so the link stage's answers for the body go in here too.
pub fn story_html(pieces: &[(usize, String)], text: &str, raw_images: &[Range<usize>]) -> BodyHtml {
    if !has_markup(pieces) {
        return BodyHtml { html: escape_html(text), slots: Vec::new() };
    }
    // The page's raw `<img src>`, so those in the briefing point where the body's do.
    let layout = Layout { raw_images: raw_images.to_vec(), ..Layout::default() };
    render_body(story_events(pieces), &Outline { layout: &layout, sections: &[], headings: &[], patterns: &[] })
}

/// The inline events of a Story Mode field, at body offsets. Each piece was
/// a line of the briefing, where `- `, `1.` or `#` began no list or heading,
/// so those stay text (a list item on a line of its own); the card's own
/// markup holds the field.
pub fn story_events(pieces: &[(usize, String)]) -> Vec<(Event<'static>, Range<usize>)> {
    let mut markdown = String::new();
    // Where each run of `markdown` starts, and where it came from in the body.
    let mut starts = Vec::with_capacity(pieces.len());
    for (offset, piece) in pieces {
        // A list's items go on lines of their own, as the author wrote them.
        if !markdown.is_empty() {
            markdown.push_str(if list_item(piece).is_some() { "\\\n" } else { "\n" });
        }
        let escape = block_marker(piece);
        starts.push((markdown.len(), *offset));
        markdown.push_str(&piece[..escape.unwrap_or(0)]);
        if let Some(at) = escape {
            markdown.push('\\');
            starts.push((markdown.len(), offset + at));
        }
        markdown.push_str(&piece[escape.unwrap_or(0)..]);
    }
    let in_body = |at: usize| {
        let (start, offset) = starts[starts.partition_point(|(s, _)| *s <= at).saturating_sub(1)];
        offset + at.saturating_sub(start)
    };
    pulldown_cmark::Parser::new_ext(&markdown, options())
        .into_offset_iter()
        .filter(|(e, _)| match e {
            Event::Start(tag) => is_inline(&tag.to_end()),
            Event::End(tag) => is_inline(tag),
            Event::Rule => false,
            _ => true,
        })
        .map(|(e, r)| (e.into_static(), in_body(r.start)..in_body(r.end)))
        .collect()
}

/// Where a backslash keeps a line from opening a block (a list, heading,
/// quote, fence, table row or rule, or underlining the line before).
fn block_marker(line: &str) -> Option<usize> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let bytes = line.as_bytes();
    let after = |at: usize| bytes.get(at).is_none_or(|b| b.is_ascii_whitespace());
    match bytes.first()? {
        b'#' | b'>' | b'=' | b'|' | b'+' | b'-' => Some(0),
        b'*' | b'_' if after(1) || line.bytes().all(|b| b == bytes[0] || b == b' ') => Some(0),
        b'`' | b'~' if line.starts_with("```") || line.starts_with("~~~") => Some(0),
        _ if (1..=9).contains(&digits) && matches!(bytes.get(digits), Some(b'.' | b')')) && after(digits + 1) => {
            Some(digits)
        }
        _ => None,
    }
}

/// Tags that sit inside a line of text.
pub fn is_inline(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Link
            | TagEnd::Image
            | TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
    )
}

/// The same HTML with every id, and every link to one on the same page,
/// prefixed: several bodies can then share one page (the print page). Text
/// never contains a literal `"` (it is escaped), so these patterns only match
/// attributes.
pub fn prefix_ids(html: &str, prefix: &str) -> String {
    const ATTRS: [&str; 3] = [" id=\"", " aria-labelledby=\"", " href=\"#"];
    // One pass, one allocation (the print page joins every body of the
    // handbook); each pattern's next match is remembered, so nothing is
    // scanned twice.
    let next = |from: usize, attr: &str| html[from..].find(attr).map_or(usize::MAX, |i| from + i + attr.len());
    let mut ends: Vec<usize> = ATTRS.iter().map(|a| next(0, a)).collect();
    let mut out = String::with_capacity(html.len() + html.len() / 20);
    let mut done = 0;
    while let Some((k, &end)) = ends.iter().enumerate().min_by_key(|(_, e)| **e).filter(|(_, e)| **e != usize::MAX) {
        out.push_str(&html[done..end]);
        out.push_str(prefix);
        done = end;
        ends[k] = next(end, ATTRS[k]);
    }
    out.push_str(&html[done..]);
    out
}

fn is_block_start(e: &Event<'_>) -> bool {
    matches!(e, Event::Start(Tag::Heading { .. } | Tag::BlockQuote(_)))
}

/// Consumes events up to the end of the block that was just opened.
fn skip_block<'a>(iter: &mut impl Iterator<Item = (Event<'a>, Range<usize>)>) {
    let mut depth = 1usize;
    for (e, _) in iter {
        match e {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return;
                }
            }
            _ => {}
        }
    }
}

fn push_link_open(out: &mut String, rw: &LinkRewrite, title: &str) {
    out.push_str("<a href=\"");
    // Writing to a String cannot fail.
    let _ = pulldown_cmark_escape::escape_href(&mut *out, &rw.href);
    out.push('"');
    if !title.is_empty() {
        out.push_str(" title=\"");
        push_escaped(out, title);
        out.push('"');
    }
    if rw.external {
        out.push_str(" rel=\"noopener\"");
    }
    out.push('>');
}

/// A GitHub alert (`> [!NOTE]`) as a callout with an icon and a label that
/// screen readers announce.
fn alert_open(kind: BlockQuoteKind) -> String {
    let (class, label) = match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    };
    // The icon is drawn by the stylesheet, so the body stays plain HTML that
    // the `safe_html` allowlist keeps.
    format!(
        "<div class=\"alert alert-{class}\" role=\"note\" aria-label=\"{label}\">\n<p class=\"alert-title\"><span class=\"alert-icon\" aria-hidden=\"true\"></span>{label}</p>\n"
    )
}

/// "Don't say / Do say" pairs side by side.
fn contrast_html(pairs: &[Pattern]) -> String {
    let mut html = String::new();
    for p in pairs {
        html.push_str(&format!(
            "<div class=\"contrast\">\n<div class=\"contrast-dont\"><p class=\"contrast-label\">Don’t say</p><p>{}</p></div>\n<div class=\"contrast-do\"><p class=\"contrast-label\">Do say</p><p>{}</p></div>\n</div>\n",
            escape_html(&p.dont),
            escape_html(&p.do_)
        ));
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to(href: &str) -> LinkRewrite {
        LinkRewrite { href: href.to_string(), label: None, external: false }
    }

    #[test]
    fn rewrites_are_found_by_offset_in_whatever_order_they_came() {
        let mut rewrites = LinkRewrites::default();
        rewrites.insert(40, to("/c/"));
        rewrites.insert(5, to("/a/"));
        rewrites.insert(20, to("/b/"));
        rewrites.insert(20, to("/b2/"));
        assert_eq!(rewrites.get(5).map(|r| r.href.as_str()), Some("/a/"));
        assert_eq!(rewrites.get(20).map(|r| r.href.as_str()), Some("/b2/"), "a second rewrite replaces the first");
        assert_eq!(rewrites.get(40).map(|r| r.href.as_str()), Some("/c/"));
        assert_eq!(rewrites.get(6), None);
    }

    /// `body` rendered, each of its links (in order) given the rewrite
    /// beside it, `None` for none.
    fn linked(body: &str, rewrites: &[Option<LinkRewrite>]) -> String {
        let parts = crate::parts::analyze(body, &mut |offset| crate::diagnostic::Position::at(body, offset));
        assert_eq!(parts.links.len(), rewrites.len(), "links of {body:?}");
        let mut links = LinkRewrites::default();
        for (link, rewrite) in parts.links.iter().zip(rewrites) {
            if let Some(rewrite) = rewrite {
                links.insert(link.offset, rewrite.clone());
            }
        }
        parts.html.linked(&links)
    }

    fn labelled(href: &str, label: &str) -> Option<LinkRewrite> {
        Some(LinkRewrite { href: href.to_string(), label: Some(label.to_string()), external: false })
    }

    #[test]
    fn a_story_field_is_inline_html_with_its_links_at_the_body_offsets() {
        // The body's briefing lines, as fill_story hands them over.
        let body = "> **Budget**: see [[x]] and *more*\n> - kept as text\n> 1. also\n> ---\n";
        let at = |s: &str| (body.find(s).unwrap(), s.to_string());
        let pieces = [at("see [[x]] and *more*"), at("- kept as text"), at("1. also"), at("---")];
        let mut rewrites = LinkRewrites::default();
        rewrites.insert(body.find("[[x]]").unwrap(), to("/x/"));
        assert_eq!(
            story_html(&pieces, "unused", &[]).linked(&rewrites),
            "see <a href=\"/x/\">x</a> and <em>more</em><br />\n- kept as text<br />\n1. also\n---",
            "a list's items stay on lines of their own"
        );
        let plain = [at("see [[x]] and *more*"), at("---")];
        assert!(!has_markup(&plain[1..]) && has_markup(&[plain[1].clone(), at("- kept as text")]));
        // Nothing to format: the text is the HTML, unparsed.
        assert_eq!(story_html(&[at("- kept as text")], "a < b", &[]).linked(&rewrites), "a &lt; b");
        for (line, marker) in
            [("# h", Some(0)), ("* i", Some(0)), ("*em*", None), ("12) x", Some(2)), ("12.5", None), ("```", Some(0))]
        {
            assert_eq!(block_marker(line), marker, "{line}");
        }
    }

    #[test]
    fn links_without_rewrites_stay_as_written() {
        let html = linked("See [a](x.md \"T\") and ![i](p.png).\n", &[None, None]);
        assert_eq!(html, "<p>See <a href=\"x.md\" title=\"T\">a</a> and <img src=\"p.png\" alt=\"i\" />.</p>\n");
    }

    #[test]
    fn a_rewrite_replaces_the_target_and_keeps_text_and_title() {
        let external = LinkRewrite { href: "https://e.com/?a=1&b".into(), label: None, external: true };
        let html = linked("See [*a*](x.md \"T\"), [b](https://e.com/?a=1&b)\n", &[Some(to("/x/")), Some(external)]);
        assert_eq!(
            html,
            "<p>See <a href=\"/x/\" title=\"T\"><em>a</em></a>, <a href=\"https://e.com/?a=1&amp;b\" rel=\"noopener\">b</a></p>\n"
        );
    }

    #[test]
    fn a_label_replaces_the_text_of_a_wiki_link() {
        let html = linked(
            "# T\n\n## [[x]] and [[y]]\n\nEnd [[z]]",
            &[labelled("/x/", "X & <Co>"), None, labelled("/z/", "Zed")],
        );
        assert_eq!(
            html,
            "<h2 id=\"x-and-y\"><a href=\"/x/\">X &amp; &lt;Co&gt;</a> and <a href=\"y\">y</a></h2>\n<p>End <a href=\"/z/\">Zed</a></p>\n"
        );
    }

    #[test]
    fn an_image_inside_a_link_gets_its_own_target() {
        let html = linked(
            "[![badge](b.svg)](x.md) [![c](c.svg)](y.md)\n",
            &[Some(to("/x/")), Some(to("/media/b.svg")), None, Some(to("/media/c.svg"))],
        );
        assert_eq!(
            html,
            "<p><a href=\"/x/\"><img src=\"/media/b.svg\" alt=\"badge\" /></a> <a href=\"y.md\"><img src=\"/media/c.svg\" alt=\"c\" /></a></p>\n"
        );
    }

    #[test]
    fn an_image_inside_an_image_description_is_only_text() {
        let html = linked(
            "![a ![b](b.png)](p.png) [c](c.md) ![](x.png)\n",
            &[Some(to("/p.png")), Some(to("/b.png")), Some(to("/c/")), Some(to("/x.png"))],
        );
        assert_eq!(
            html,
            "<p><img src=\"/p.png\" alt=\"a b\" /> <a href=\"/c/\">c</a> <img src=\"/x.png\" alt=\"\" /></p>\n"
        );
    }
}
