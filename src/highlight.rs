//! Fenced code highlighted by syntect into CSS classes.
//!
//! The syntax set is loaded on first use only, so a handbook without code
//! never pays for it. Classes (not inline colours) let one stylesheet serve
//! the light and the dark theme.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// Blocks larger than this are shown plain: some grammars backtrack badly on
/// pathological input, and a reader gains little from colouring a huge dump.
const MAX_HIGHLIGHT_BYTES: usize = 128 * 1024;

/// Highlighted blocks by language and code. Highlighting dominates the cost
/// of a page with code, and the same snippet recurs across playbooks, in the
/// print page and across `serve` rebuilds, so each distinct block is
/// highlighted once per process.
static CACHE: LazyLock<Mutex<HashMap<CodeKey, Arc<str>>>> = LazyLock::new(Default::default);

/// (language, code)
type CodeKey = (String, String);

/// A `<pre>` block for `code`, highlighted when `lang` is known.
pub fn code_block(code: &str, lang: &str) -> Arc<str> {
    let key = (lang.to_string(), code.to_string());
    if let Some(hit) = CACHE.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return hit;
    }
    let html: Arc<str> = render_block(code, lang).into();
    if let Ok(mut cache) = CACHE.lock() {
        cache.insert(key, html.clone());
    }
    html
}

fn render_block(code: &str, lang: &str) -> String {
    let lang = lang.split([' ', ',', '{']).next().unwrap_or("").trim();
    let class = if lang.is_empty() { String::new() } else { format!(" class=\"language-{}\"", escape(lang)) };
    let body = if lang.is_empty() || code.len() > MAX_HIGHLIGHT_BYTES {
        escape(code)
    } else {
        highlighted(code, lang).unwrap_or_else(|| escape(code))
    };
    format!("<pre class=\"code\"><code{class}>{body}</code></pre>\n")
}

fn highlighted(code: &str, lang: &str) -> Option<String> {
    let syntaxes = &*SYNTAXES;
    let syntax = syntaxes.find_syntax_by_token(lang)?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        generator.parse_html_for_line_which_includes_newline(line).ok()?;
    }
    Some(generator.finalize())
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    pulldown_cmark_escape::escape_html(&mut out, s).ok();
    out
}

/// One stylesheet with a light palette and a dark one under `[data-theme=dark]`.
pub fn stylesheet() -> String {
    let themes = ThemeSet::load_defaults();
    let light = themes.themes.get("InspiredGitHub").and_then(|t| css_for_theme_with_class_style(t, CLASS_STYLE).ok());
    let dark = themes.themes.get("base16-ocean.dark").and_then(|t| css_for_theme_with_class_style(t, CLASS_STYLE).ok());
    let mut css = light.unwrap_or_default();
    css.push_str("\n/* dark */\n");
    for line in dark.unwrap_or_default().lines() {
        if line.starts_with('.') {
            css.push_str("html[data-theme=\"dark\"] ");
        }
        css.push_str(line);
        css.push('\n');
    }
    css
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_languages_get_classes() {
        let html = code_block("fn main() {}\n", "rust");
        assert!(html.contains("class=\"language-rust\""));
        assert!(html.contains("hl-"), "{html}");
    }

    #[test]
    fn unknown_languages_are_escaped_plain_text() {
        let html = code_block("<b>\n", "nosuchlang");
        assert!(html.contains("&lt;b&gt;"));
        assert!(!html.contains("hl-"));
    }

    #[test]
    fn the_stylesheet_has_a_dark_palette() {
        let css = stylesheet();
        assert!(css.contains("html[data-theme=\"dark\"] .hl-"));
    }
}
