//! Fenced code highlighted by syntect into a few short CSS classes.
//!
//! syntect's own HTML output nests a span per scope with every scope name
//! as a class (`<span class="hl-meta hl-function hl-rust">`): about 70 bytes
//! of markup per token, most of a code-heavy page's size. Readers see a
//! dozen colours, so each token gets one class for its kind (`hk` keyword,
//! `hs` string, ...) and runs of the same kind share one flat span. The
//! palettes are the theme's `assets/syntax.css`, light and dark.
//!
//! The syntax set is loaded on first use only, so a handbook without code
//! never pays for it.

use foldhash::HashMap;
use std::cell::RefCell;
use std::sync::{Arc, LazyLock, Mutex, Once};

use syntect::parsing::{ParseState, Scope, ScopeStack, ScopeStackOp, SyntaxSet};
use syntect::util::LinesWithEndings;

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

/// Starts loading the grammars on a thread of their own, once. Bodies are
/// highlighted as they are parsed, and loading takes several milliseconds,
/// during which every thread that meets code would wait; started before the
/// playbooks are found, it runs while the folder is walked, on a core that
/// is idle until parsing starts. (A handbook without code spends that time
/// on the idle core and gains nothing.)
pub fn warm_up() {
    static STARTED: Once = Once::new();
    STARTED.call_once(|| {
        std::thread::spawn(|| LazyLock::force(&SYNTAXES));
    });
}

/// Lets go of the blocks and lines remembered so far, on every thread.
/// Bodies are highlighted as they are parsed; the rest of the build has no
/// use for them, and at 10,000 playbooks they were 17 MB of its peak.
pub fn forget() {
    if let Ok(mut cache) = CACHE.lock() {
        *cache = HashMap::default();
    }
    rayon::broadcast(|_| LINES.with_borrow_mut(|lines| *lines = HashMap::default()));
}

/// Scope prefixes and the class of a token inside them, most specific first.
/// A token takes the class of its innermost scope that has one, so the `//`
/// of a comment is coloured as the comment and a string's quotes as the string.
const KINDS: &[(&str, &str)] = &[
    ("comment", "hc"),
    ("string", "hs"),
    ("constant.character.escape", "he"),
    ("constant", "hn"),
    ("variable.language", "hk"),
    ("keyword.operator", "ho"),
    ("keyword", "hk"),
    ("storage.type", "hk"),
    ("storage.modifier", "hk"),
    ("entity.name.function", "hf"),
    ("support.function", "hf"),
    ("variable.function", "hf"),
    ("entity.name.tag", "hg"),
    ("entity.other.attribute-name", "ha"),
    ("entity.name", "ht"),
    ("support.type", "ht"),
    ("support.class", "ht"),
    ("markup.heading", "hh"),
    ("markup.inserted", "hi"),
    ("markup.deleted", "hd"),
    ("invalid", "hx"),
];

static KIND_SCOPES: LazyLock<Vec<(Scope, &'static str)>> =
    LazyLock::new(|| KINDS.iter().filter_map(|(s, class)| Some((Scope::new(s).ok()?, *class))).collect());

/// Blocks larger than this are shown plain: some grammars backtrack badly on
/// pathological input, and a reader gains little from colouring a huge dump.
const MAX_HIGHLIGHT_BYTES: usize = 128 * 1024;

/// Highlighted blocks by language and code. Highlighting dominates the cost
/// of a page with code, and the same snippet recurs across playbooks, so
/// each distinct block is highlighted once per process, up to
/// [`CACHE_BLOCKS`] of them: most blocks are seen once, and a big handbook
/// would otherwise hold all its code twice until the end of the build.
/// (`serve` reuses unchanged pages' bodies whole, code and all.)
static CACHE: LazyLock<Mutex<HashMap<CodeKey, Arc<str>>>> = LazyLock::new(Default::default);

const CACHE_BLOCKS: usize = 1024;

/// (language, code)
type CodeKey = (String, String);

/// A `<pre>` block for `code`, highlighted when `lang` is known.
pub fn code_block(code: &str, lang: &str) -> Arc<str> {
    let key = (lang.to_string(), code.to_string());
    if let Some(hit) = CACHE.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return hit;
    }
    let html: Arc<str> = render_block(code, lang).into();
    if let Ok(mut cache) = CACHE.lock()
        && cache.len() < CACHE_BLOCKS
    {
        cache.insert(key, html.clone());
    }
    html
}

fn render_block(code: &str, lang: &str) -> String {
    let lang = lang.split([' ', ',', '{']).next().unwrap_or("").trim();
    // An attribute value: quotes are escaped too (the info string is the
    // author's, and `rust"onclick=...` must stay inside the class).
    let class = if lang.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{}\"", crate::markdown::escape_html(lang))
    };
    let body = if lang.is_empty() || code.len() > MAX_HIGHLIGHT_BYTES {
        escape(code)
    } else {
        highlighted(code, lang).unwrap_or_else(|| escape(code))
    };
    format!("<pre class=\"code\"><code{class}>{body}</code></pre>\n")
}

/// The class of a token with these scopes: its innermost scope's that has one.
fn kind(stack: &[Scope]) -> Option<&'static str> {
    stack.iter().rev().find_map(|scope| class_of(*scope))
}

thread_local! {
    /// Each scope's class, once found: a grammar uses a few hundred scopes,
    /// and testing every token's scopes against every prefix was a
    /// twelfth of highlighting.
    static CLASSES: RefCell<HashMap<Scope, Option<&'static str>>> = RefCell::default();
}

fn class_of(scope: Scope) -> Option<&'static str> {
    CLASSES.with_borrow_mut(|classes| {
        *classes
            .entry(scope)
            .or_insert_with(|| KIND_SCOPES.iter().find(|(k, _)| k.is_prefix_of(scope)).map(|(_, c)| *c))
    })
}

/// Builds the HTML, merging neighbouring text of the same kind into one span.
#[derive(Default)]
struct Spans {
    html: String,
    open: Option<&'static str>,
}

impl Spans {
    fn push(&mut self, text: &str, class: Option<&'static str>) {
        if text.is_empty() {
            return;
        }
        // Whitespace takes any colour, so it never splits a run.
        let class = if text.trim().is_empty() { self.open } else { class };
        if class != self.open {
            if self.open.is_some() {
                self.html.push_str("</span>");
            }
            if let Some(c) = class {
                self.html.push_str("<span class=\"");
                self.html.push_str(c);
                self.html.push_str("\">");
            }
            self.open = class;
        }
        pulldown_cmark_escape::escape_html_body_text(&mut self.html, text).ok();
    }

    fn finish(mut self) -> String {
        if self.open.is_some() {
            self.html.push_str("</span>");
        }
        self.html
    }
}

/// A line as the grammar parsed it: the state it started in, its scope
/// operations, and the state it left.
type ParsedLine = (ParseState, Vec<(usize, ScopeStackOp)>, ParseState);

thread_local! {
    /// Parsed lines by grammar and text, per thread (a parse state holds
    /// regex captures, which stay on their thread). Handbooks repeat lines
    /// across their snippets far more than whole snippets (three lines in
    /// four, in the benchmark corpus), and a line parsed from the same state
    /// parses the same. Grammar matching is most of the cost of highlighting.
    static LINES: RefCell<HashMap<(String, String), Vec<ParsedLine>>> = RefCell::default();
}

/// Distinct lines remembered per thread; past this, lines are parsed each
/// time. At 4,096 the cache of the 10,000-playbook corpus filled up with
/// lines seen once, and lines that recur later were parsed again and again;
/// a few megabytes more per thread make builds that size 4-6% faster.
const CACHE_LINES: usize = 16384;

/// `line` parsed from `state` (which moves on to the state after it).
fn parse_line(syntax: &str, line: &str, state: &mut ParseState) -> Option<Vec<(usize, ScopeStackOp)>> {
    LINES.with_borrow_mut(|lines| {
        let key = (syntax.to_string(), line.to_string());
        if let Some((_, ops, after)) =
            lines.get(&key).and_then(|seen| seen.iter().find(|(before, _, _)| before == state))
        {
            *state = after.clone();
            return Some(ops.clone());
        }
        let before = state.clone();
        let ops = state.parse_line(line, &SYNTAXES).ok()?;
        if lines.len() < CACHE_LINES {
            lines.entry(key).or_default().push((before, ops.clone(), state.clone()));
        }
        Some(ops)
    })
}

fn highlighted(code: &str, lang: &str) -> Option<String> {
    let syntax = SYNTAXES.find_syntax_by_token(lang)?;
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut spans = Spans { html: String::with_capacity(code.len() * 2), open: None };
    for line in LinesWithEndings::from(code) {
        let mut at = 0;
        for (offset, op) in parse_line(&syntax.name, line, &mut state)? {
            spans.push(&line[at..offset], kind(stack.as_slice()));
            at = offset;
            stack.apply(&op).ok()?;
        }
        spans.push(&line[at..], kind(stack.as_slice()));
    }
    Some(spans.finish())
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    pulldown_cmark_escape::escape_html_body_text(&mut out, s).ok();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_get_one_flat_class_for_their_kind() {
        let html = code_block("// check\nfn main() { let s = \"<b>\"; }\n", "rust");
        assert!(html.starts_with("<pre class=\"code\"><code class=\"language-rust\">"), "{html}");
        assert!(html.contains("<span class=\"hc\">// check\n</span>"), "{html}");
        assert!(html.contains("<span class=\"hk\">fn </span>"), "{html}");
        assert!(html.contains("<span class=\"hf\">main</span>"), "{html}");
        assert!(html.contains("<span class=\"hs\">\"&lt;b&gt;\"</span>"), "{html}");
        assert!(!html.contains("<span class=\"hk\"><span"), "spans are never nested: {html}");
        // Nothing is lost: without the markup (and the newline after the
        // block), the code reads as written.
        let text = html.split('<').map(|s| s.split_once('>').map_or(s, |(_, t)| t)).collect::<String>();
        assert_eq!(text.replace("&lt;", "<").replace("&gt;", ">"), "// check\nfn main() { let s = \"<b>\"; }\n\n");
    }

    #[test]
    fn a_repeated_line_is_coloured_by_where_it_is() {
        // `y = 1` is parsed as code first; inside a string later, the line
        // cache must not hand it the code's colours, and back in code it must.
        let code = code_block("x = 0\ny = 1\n", "python");
        assert!(code.contains("<span class=\"hn\">1"), "{code}");
        let in_string = code_block("s = \"\"\"\ny = 1\n\"\"\"\n", "python");
        let start = in_string.find("<span class=\"hs\">").expect("a string");
        let end = start + in_string[start..].find("</span>").unwrap();
        assert!(in_string[start..end].contains("y = 1"), "{in_string}");
        assert!(!in_string.contains("<span class=\"hn\">"), "{in_string}");
        let again = code_block("z = 0\ny = 1\n", "python");
        assert_eq!(again.replace('z', "x"), &*code);
    }

    #[test]
    fn a_quote_in_the_language_stays_inside_the_class() {
        let html = code_block("x\n", "rust\"onmouseover=\"alert(1)");
        assert!(
            html.starts_with("<pre class=\"code\"><code class=\"language-rust&quot;onmouseover=&quot;alert(1)\">"),
            "{html}"
        );
    }

    #[test]
    fn unknown_languages_are_escaped_plain_text() {
        let html = code_block("<b>\n", "nosuchlang");
        assert!(html.contains("&lt;b&gt;"));
        assert!(!html.contains("<span"));
    }

    #[test]
    fn every_kind_has_a_colour_in_both_palettes() {
        let css = crate::theme::DEFAULT_THEME.iter().find(|(n, _)| *n == "assets/syntax.css").map(|(_, b)| b).unwrap();
        let css = std::str::from_utf8(css).unwrap();
        for (_, class) in KINDS {
            assert!(css.contains(&format!(".{class} ")) || css.contains(&format!(".{class},")), "light .{class}");
            assert!(css.contains(&format!("html[data-theme=\"dark\"] .{class}")), "dark .{class}");
        }
    }
}
