//! Markdown to HTML for a playbook body.
//!
//! The event stream from pulldown-cmark is rewritten, not the HTML: headings
//! get their ids, frameworks and exit games are wrapped in `<section>`s with
//! their stable ids, Don't/Do lists become contrast boxes, code is
//! highlighted and links point where the link stage resolved them. One
//! `push_html` call then writes the page, so tables and footnotes keep their
//! state.

use std::ops::Range;

use pulldown_cmark::{BlockQuoteKind, CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

use crate::highlight;
use crate::model::{Pattern, Playbook, SectionKind};

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

/// The Don't/Do pairs of the list starting at `offset`, if it is one.
fn pattern_list(playbook: &Playbook, offset: usize) -> Option<&Range<usize>> {
    starting_at(&playbook.layout.pattern_lists, offset, |(at, _)| *at).map(|(_, pairs)| pairs)
}

/// A fenced block drawn as a diagram (mermaid) rather than shown as code.
pub fn is_diagram(info: &str) -> bool {
    info.trim() == "mermaid"
}

pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // Writing to a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(&mut out, s);
    out
}

/// The body of `playbook` as HTML.
pub fn render_body(playbook: &Playbook, links: &LinkRewrites) -> String {
    let body = &playbook.body;
    let mut events: Vec<Event<'_>> = Vec::with_capacity(events_capacity(body));
    let mut iter = Parser::new_ext(body, options()).into_offset_iter().peekable();
    let mut open_section: Option<u8> = None;
    let mut depth = 0usize;
    // Raw HTML in a heading is shown as text: titles and the table of
    // contents take heading text, and markup there would run in every page
    // that lists it.
    let mut in_heading = false;

    while let Some((event, range)) = iter.next() {
        if depth == 0 && is_block_start(&event) && playbook.layout.hidden.iter().any(|h| h.start == range.start) {
            skip_block(&mut iter);
            continue;
        }
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
                if let Some(section) = starting_at(&playbook.sections, range.start, |s| s.heading.start) {
                    let (id, heading_id) = (&section.id, &section.heading_id);
                    let class = match section.kind {
                        SectionKind::Framework => "framework",
                        SectionKind::ExitGame => "exit-game",
                    };
                    // `### Hire vs Wait` has the same stable and GitHub id; the
                    // heading keeps it, as ids must be unique. No accessible
                    // name: two playbooks may both have a "Buy vs Build", and
                    // named sections would be look-alike landmarks in print.
                    let section_id = if id == heading_id { String::new() } else { format!(" id=\"{id}\"") };
                    events.push(Event::Html(format!("<section class=\"{class}\"{section_id}>\n").into()));
                    open_section = Some(lvl);
                }
                let id =
                    starting_at(&playbook.headings, range.start, |h| h.range.start).map(|h| CowStr::from(h.id.clone()));
                events.push(Event::Start(Tag::Heading { level, id, classes, attrs }));
                depth += 1;
                in_heading = true;
            }
            Event::Html(h) | Event::InlineHtml(h) if in_heading => events.push(Event::Text(h)),
            Event::End(TagEnd::Heading(level)) => {
                in_heading = false;
                depth = depth.saturating_sub(1);
                events.push(Event::End(TagEnd::Heading(level)));
            }
            Event::Start(Tag::List(_)) if depth == 0 && pattern_list(playbook, range.start).is_some() => {
                let pairs =
                    pattern_list(playbook, range.start).map_or(&[][..], |pairs| &playbook.patterns[pairs.clone()]);
                skip_block(&mut iter);
                events.push(Event::Html(contrast_html(pairs).into()));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match &kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                let mut code = String::new();
                for (e, _) in iter.by_ref() {
                    match e {
                        Event::Text(t) => code.push_str(&t),
                        Event::End(TagEnd::CodeBlock) => break,
                        _ => {}
                    }
                }
                let html = if is_diagram(&lang) {
                    // Drawn in the browser by the mermaid script; without
                    // JavaScript the source stays readable.
                    format!("<pre class=\"mermaid\">{}</pre>\n", escape_html(&code))
                } else {
                    highlight::code_block(&code, &lang).to_string()
                };
                events.push(Event::Html(html.into()));
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                depth += 1;
                match links.get(range.start) {
                    Some(rw) => {
                        events.push(Event::Html(link_open(rw, &title).into()));
                        if let Some(label) = &rw.label {
                            // The author's text, up to the link's end, gives way to the label.
                            skip_block(&mut iter);
                            events.push(Event::Text(label.clone().into()));
                            events.push(Event::Html("</a>".into()));
                            depth -= 1;
                        }
                    }
                    None => events.push(Event::Start(Tag::Link { link_type, dest_url, title, id })),
                }
            }
            // A bare checkbox has no accessible name; say what its state means.
            Event::TaskListMarker(done) => {
                let (checked, label) = if done { (" checked", "Done") } else { ("", "Not done") };
                events.push(Event::Html(
                    format!("<input type=\"checkbox\" disabled{checked} aria-label=\"{label}\"> ").into(),
                ));
            }
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                depth += 1;
                let dest_url = links.get(range.start).map_or(dest_url, |rw| rw.href.clone().into());
                events.push(Event::Start(Tag::Image { link_type, dest_url, title, id }));
            }
            Event::End(TagEnd::Link) => {
                depth = depth.saturating_sub(1);
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
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    html
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

fn link_open(rw: &LinkRewrite, title: &str) -> String {
    let mut a = format!("<a href=\"{}\"", escape_href(&rw.href));
    if !title.is_empty() {
        a.push_str(&format!(" title=\"{}\"", escape_html(title)));
    }
    if rw.external {
        a.push_str(" rel=\"noopener\"");
    }
    a.push('>');
    a
}

fn escape_href(href: &str) -> String {
    let mut out = String::with_capacity(href.len());
    let _ = pulldown_cmark_escape::escape_href(&mut out, href);
    out
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
}
