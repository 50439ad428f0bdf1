//! Tera, loaded once with the theme's templates, and rendering of typed
//! contexts into pages. Autoescaping is on for every `.html` and `.xml`
//! template, so text from front matter can never inject markup.

use std::path::PathBuf;

use serde::Serialize;
use tera::{Context, Tera};

use crate::diagnostic::{Diagnostic, Diagnostics, Position};
use crate::theme::Theme;

pub struct Renderer {
    tera: Tera,
}

/// Partials that render one item of a long list (a card, a catalog entry,
/// ...), with the name the item has in them. Pages with thousands of items
/// render them in batches through these, so converting a page's context
/// for Tera never needs memory for the whole list at once.
pub const EACH: &[(&str, &str)] = &[
    ("partials/card.html", "card"),
    ("partials/row.html", "card"),
    ("partials/catalog_entry.html", "entry"),
    ("partials/map_node.html", "node"),
    ("partials/print_chapter.html", "chapter"),
    ("partials/story_card.html", "story"),
];

/// Items per Tera call in [`Renderer::render_each`].
const BATCH: usize = 256;

fn each_template(partial: &str) -> String {
    format!("each/{partial}")
}

impl Renderer {
    pub fn new(theme: &Theme, diags: &mut Diagnostics) -> Option<Renderer> {
        let loops: Vec<(String, String)> = EACH
            .iter()
            .map(|(partial, var)| {
                (
                    each_template(partial),
                    format!("{{% for {var} in items %}}{{% include \"{partial}\" %}}{{% endfor %}}"),
                )
            })
            .collect();
        let loops = || loops.iter().map(|(n, t)| (n.as_str(), t.as_str()));
        let templates = theme.templates.iter().map(|(n, t)| (n.as_str(), t.as_ref()));
        match compile(templates.chain(loops())) {
            Ok(tera) => Some(Renderer { tera }),
            Err(e) => {
                // Tera stops at the first broken template. Each override is
                // tried alone over the default theme, so every broken file is
                // named; an error only the overrides together make is
                // reported as Tera found it.
                let defaults = || {
                    crate::theme::DEFAULT_THEME
                        .iter()
                        .filter(|(n, _)| crate::theme::is_template(n))
                        .filter_map(|(n, b)| Some((*n, std::str::from_utf8(b).ok()?)))
                };
                let mut found: Vec<Diagnostic> = theme
                    .overrides()
                    .filter_map(|(name, text)| {
                        compile(defaults().filter(|(n, _)| *n != name).chain([(name, text)]).chain(loops())).err()
                    })
                    .flat_map(|e| template_errors(&e, theme))
                    .collect();
                if found.is_empty() {
                    found = template_errors(&e, theme);
                }
                diags.extend(found);
                None
            }
        }
    }

    /// Renders `template` with a typed context whose fields are the
    /// template's top-level variables.
    pub fn render<T: Serialize>(&self, template: &str, context: &T) -> Result<String, Diagnostic> {
        let ctx = Context::from_serialize(context).map_err(|e| template_error(&e))?;
        self.tera.render(template, &ctx).map_err(|e| template_error(&e))
    }

    /// Every item through `partial` (one of [`EACH`]), in batches, each
    /// rendered as it is asked for.
    pub fn render_each<'r, S: Serialize, T: Serialize>(
        &'r self,
        partial: &str,
        site: &'r S,
        items: &'r [T],
    ) -> impl Iterator<Item = Result<String, Diagnostic>> + 'r {
        #[derive(Serialize)]
        struct Batch<'a, S, T> {
            site: &'a S,
            items: &'a [T],
        }
        let template = each_template(partial);
        items.chunks(BATCH).map(move |items| self.render(&template, &Batch { site, items }))
    }
}

fn compile<'t>(templates: impl IntoIterator<Item = (&'t str, &'t str)>) -> tera::TeraResult<Tera> {
    let mut tera = Tera::new();
    tera.set_escape_fn(escape_html);
    tera.register_filter("thousands", |n: i64, _: tera::Kwargs, _: &tera::State| thousands(n));
    tera.register_filter("count", |n: i64, kwargs: tera::Kwargs, _: &tera::State| -> tera::TeraResult<String> {
        let n = usize::try_from(n).map_err(|_| tera::Error::message(format!("`count` needs a count, not {n}")))?;
        Ok(count(n, kwargs.must_get("noun")?))
    });
    tera.add_raw_templates(templates).map(|()| tera)
}

/// `2,469`: a count as a reader reads it (the handbooks are written in
/// English; `language` does not change it).
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (k, d) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// `1 playbook`, `2,469 playbooks`: how many of `noun` (made plural with
/// an `s`, which the nouns used here all take).
pub fn count(n: usize, noun: &str) -> String {
    let plural = if n == 1 { "" } else { "s" };
    format!("{} {noun}{plural}", thousands(n as i64))
}

/// Tera's own escaper, to the byte, but it writes each run of plain text at
/// once: Tera's writes every byte through a `dyn Write` call, which was a
/// twentieth of a build's time.
fn escape_html(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let bytes = input.as_bytes();
    let mut done = 0;
    while let Some(k) = first_escaped(&bytes[done..]) {
        let i = done + k;
        out.write_all(&bytes[done..i])?;
        out.write_all(match bytes[i] {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            _ => b"&#39;",
        })?;
        done = i + 1;
    }
    out.write_all(&bytes[done..])
}

/// Where the first byte [`escape_html`] replaces is, looked for eight bytes
/// at a time: most of what templates print has none, and escaping was a
/// thirtieth of a build.
fn first_escaped(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    // The high bit of each byte of `x` equal to `b`. Above a match, a byte may
    // be flagged wrongly, but the lowest flag is always right.
    let equal = |x: u64, b: u8| {
        let y = x ^ (ONES * u64::from(b));
        y.wrapping_sub(ONES) & !y & HIGH
    };
    let mut chunks = bytes.chunks_exact(8);
    for (n, chunk) in chunks.by_ref().enumerate() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        let found = equal(x, b'&') | equal(x, b'<') | equal(x, b'>') | equal(x, b'"') | equal(x, b'\'');
        if found != 0 {
            return Some(n * 8 + found.trailing_zeros() as usize / 8);
        }
    }
    let rest = chunks.remainder();
    rest.iter().position(|&b| ESCAPED[usize::from(b)]).map(|k| bytes.len() - rest.len() + k)
}

/// The bytes [`escape_html`] replaces, as a table: one load per byte of text.
static ESCAPED: [bool; 256] = {
    let mut table = [false; 256];
    let mut k = 0;
    while k < 5 {
        table[b"&<>\"'"[k] as usize] = true;
        k += 1;
    }
    table
};

/// Long lists of a page, rendered apart and put into the page after Tera
/// has rendered the rest around a marker for each. A list of thousands of
/// items then never passes through Tera's context as one string (copied
/// into a value, into filter arguments, then into the output), and is only
/// rendered once the page is written out, batch by batch straight into it:
/// a page costs about its own size to make, not two or five times.
#[derive(Default)]
pub struct Lists<'a> {
    lists: Vec<ListWriter<'a>>,
    /// Bytes the fragments will add, so the page is allocated once.
    fragment_bytes: usize,
}

/// Appends a rendered list to a page.
type ListWriter<'a> = Box<dyn Fn(&mut Vec<u8>) -> Result<(), Diagnostic> + Send + 'a>;

/// Where a list goes in its page; a view field that the template prints.
#[derive(Debug, Hash)]
pub struct ListMarker {
    /// What the template prints; empty for an empty list.
    text: String,
    /// The hash of what it stands for, so a cache key over the view sees
    /// a changed fragment (0 for lists, whose items are keyed by the page).
    key: u64,
}

impl Serialize for ListMarker {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

/// Control characters never appear in the markup of a rendered page, and
/// HTML escaping leaves them as they are.
const MARK: char = '\u{1}';

impl<'a> Lists<'a> {
    /// Every item through `partial` (one of [`EACH`]); the marker stands in
    /// for the list in the page's context (an empty one for no items).
    pub fn list<S: Serialize + Sync, T: Serialize + Sync>(
        &mut self,
        renderer: &'a Renderer,
        partial: &'a str,
        site: &'a S,
        items: &'a [T],
    ) -> Result<ListMarker, Diagnostic> {
        // An empty list is an empty string, so templates can test for it.
        if items.is_empty() {
            return Ok(ListMarker { text: String::new(), key: 0 });
        }
        self.lists.push(Box::new(move |out: &mut Vec<u8>| {
            let batches = items.len().div_ceil(BATCH);
            for (k, batch) in renderer.render_each(partial, site, items).enumerate() {
                let batch = batch?;
                if k == 0 {
                    // The first batch tells what the rest will take, so the
                    // page grows once instead of doubling into copies.
                    out.reserve(batch.len() * batches);
                }
                out.extend_from_slice(batch.as_bytes());
            }
            Ok(())
        }));
        Ok(self.marker(0))
    }

    /// A rendered fragment (the map's picture: megabytes at scale) put into
    /// the page the same way, so it is not copied into Tera's context and
    /// out again.
    pub fn fragment(&mut self, html: crate::cache::Html) -> ListMarker {
        if html.html.is_empty() {
            return ListMarker { text: String::new(), key: html.key };
        }
        let key = html.key;
        self.fragment_bytes += html.html.len();
        self.lists.push(Box::new(move |out: &mut Vec<u8>| {
            out.extend_from_slice(html.html.as_bytes());
            Ok(())
        }));
        self.marker(key)
    }

    /// The marker of the list added last.
    fn marker(&self, key: u64) -> ListMarker {
        ListMarker { text: format!("{MARK}list {}{MARK}", self.lists.len() - 1), key }
    }

    /// The page with each marker replaced by its list.
    pub fn splice(self, page: String) -> Result<Vec<u8>, Diagnostic> {
        if self.lists.is_empty() {
            return Ok(page.into_bytes());
        }
        let mut out = Vec::with_capacity(page.len() + self.fragment_bytes);
        let mut rest = page.as_str();
        while let Some(start) = rest.find(MARK) {
            let after = &rest[start + 1..];
            let Some((index, tail)) = after.split_once(MARK).and_then(|(inner, tail)| {
                inner.strip_prefix("list ").and_then(|i| i.parse::<usize>().ok()).map(|i| (i, tail))
            }) else {
                out.extend_from_slice(&rest.as_bytes()[..=start]);
                rest = after;
                continue;
            };
            out.extend_from_slice(&rest.as_bytes()[..start]);
            if let Some(write) = self.lists.get(index) {
                write(&mut out)?;
            }
            rest = tail;
        }
        out.extend_from_slice(rest.as_bytes());
        Ok(out)
    }
}

fn template_error(e: &tera::Error) -> Diagnostic {
    template_errors(e, &Theme::default()).swap_remove(0)
}

/// Every problem a Tera error reports, each at its template, line and column.
/// Tera checks all templates' filters, tests and functions at once and
/// reports what is missing as one message of several reports, each with a
/// `--> name:line:column` line; those are taken apart here.
fn template_errors(e: &tera::Error, theme: &Theme) -> Vec<Diagnostic> {
    let diagnostic = |file: String, pos: Position, message: &str| {
        let hint = if message.contains("is not defined") {
            "a value some pages lack needs a default, e.g. {{ playbook.extra.owner | default(value=\"\") }}, \
             or a test: {% if playbook.extra.owner %}"
        } else {
            "fix the template, or delete your override to use the default theme's"
        };
        Diagnostic::error(PathBuf::from(file), pos, format!("template error: {message}")).with_hint(hint)
    };
    // Where a template's `{% extends` is, for errors about what it extends.
    let extends = |name: &str| {
        let text = theme.templates.get(name).map_or("", |t| t.as_ref());
        text.find("extends").map_or(Position::START, |at| {
            let tag = text[..at].rfind("{%").unwrap_or(at);
            Position::at(text, tag)
        })
    };
    match e.kind() {
        tera::ErrorKind::MissingParent { current, parent } => vec![diagnostic(
            format!("templates/{current}"),
            extends(current),
            &format!("`{current}` extends `{parent}`, which is neither in templates/ nor in the default theme"),
        )],
        tera::ErrorKind::CircularExtend { inheritance_chain, .. } => {
            // The first template met again is where the loop closes.
            let looped = inheritance_chain
                .iter()
                .enumerate()
                .find(|(i, name)| inheritance_chain[i + 1..].contains(name))
                .map_or(inheritance_chain.first(), |(_, name)| Some(name));
            let name = looped.map_or("", String::as_str);
            vec![diagnostic(
                format!("templates/{name}"),
                extends(name),
                &format!("`{name}` extends itself, through {}", inheritance_chain.join(" -> ")),
            )]
        }
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => vec![diagnostic(
            format!("templates/{}", r.filename()),
            Position { line: r.span().start_line.max(1), column: r.span().start_col + 1 },
            r.message(),
        )],
        _ => {
            let text = e.to_string();
            let located: Vec<Diagnostic> = text
                .split("\n\n")
                .filter_map(|report| {
                    let message = report.lines().next()?.trim().trim_start_matches("error:").trim();
                    let place = report.lines().find_map(|l| l.trim().strip_prefix("--> "))?;
                    let mut parts = place.rsplitn(3, ':');
                    let column = parts.next()?.trim().parse().ok()?;
                    let line = parts.next()?.trim().parse().ok()?;
                    let name = parts.next()?;
                    Some(diagnostic(format!("templates/{name}"), Position { line, column }, message))
                })
                .collect();
            if located.is_empty() { vec![diagnostic("templates".into(), Position::START, &text)] } else { located }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_written_with_thousands_separators() {
        let cases =
            [(0, "0"), (999, "999"), (1000, "1,000"), (2469, "2,469"), (1_234_567, "1,234,567"), (-1000, "-1,000")];
        for (n, text) in cases {
            assert_eq!(thousands(n), text);
        }
        let tera = compile([("t", "{{ n | thousands }} in all")]).unwrap();
        let mut ctx = tera::Context::new();
        ctx.insert("n", &10_000);
        assert_eq!(tera.render("t", &ctx).unwrap(), "10,000 in all");
    }

    #[test]
    fn a_count_names_one_thing_or_many() {
        assert_eq!(
            [count(0, "track"), count(1, "track"), count(2469, "exit game")],
            ["0 tracks", "1 track", "2,469 exit games"]
        );
        let tera = compile([("t", "{{ n | count(noun=\"playbook\") }}")]).unwrap();
        let render = |n: i64| {
            let mut ctx = tera::Context::new();
            ctx.insert("n", &n);
            tera.render("t", &ctx).unwrap()
        };
        assert_eq!([render(1), render(1500)], ["1 playbook", "1,500 playbooks"]);
        let mut ctx = tera::Context::new();
        ctx.insert("n", &-1);
        assert!(tera.render("t", &ctx).is_err(), "no count is negative");
    }

    #[test]
    fn lists_go_where_their_markers_are() {
        let mut lists = Lists::default();
        for items in ["<li>a</li><li>b</li>", "<li>c</li>"] {
            lists.fragment(crate::cache::Html { key: 0, html: std::sync::Arc::new(items.to_string()) });
        }
        let page = format!("<ul>{MARK}list 1{MARK}</ul>\u{1}stray<ol>{MARK}list 0{MARK}</ol>");
        let out = String::from_utf8(lists.splice(page).unwrap()).unwrap();
        assert_eq!(out, "<ul><li>c</li></ul>\u{1}stray<ol><li>a</li><li>b</li></ol>");
    }

    #[test]
    fn escaping_is_teras_to_the_byte() {
        for text in ["", "plain", "<a href=\"x\">Tom & Jerry's</a>", "é<€>'", "&&", "end>"] {
            let (mut ours, mut teras) = (Vec::new(), Vec::new());
            escape_html(text, &mut ours).unwrap();
            tera::escape_html(text, &mut teras).unwrap();
            assert_eq!(String::from_utf8(ours).unwrap(), String::from_utf8(teras).unwrap(), "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_escapes_as_tera_escapes_it(
            text in "[a&<>\"'é€ ]{0,40}|([a-zé€ \u{7f}\u{ff}]{0,13}[&<>\"']){0,5}[a-z€]{0,9}"
        ) {
            let (mut ours, mut teras) = (Vec::new(), Vec::new());
            escape_html(&text, &mut ours).unwrap();
            tera::escape_html(&text, &mut teras).unwrap();
            proptest::prop_assert_eq!(ours, teras);
        }
    }
}
