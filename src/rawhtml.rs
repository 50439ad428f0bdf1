//! Raw HTML in a playbook, read as far as the handbook needs it: each tag's
//! name and attributes, and where each value is, so that ids can be link
//! targets and an `<img src>` beside the playbook can be published like a
//! Markdown image.

use std::ops::Range;

/// An attribute of a tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute<'a> {
    /// The tag's name as written (`img`, `A`).
    pub tag: &'a str,
    pub name: &'a str,
    /// Where the value is in the HTML, inside its quotes; None for a bare
    /// attribute (`hidden`).
    pub value: Option<Range<usize>>,
}

/// Every attribute of every tag in `html`, in order. HTML allows spaces
/// around the `=` (`id = "x"`) and unquoted values; text between tags is
/// no attribute (`id=x` in a sentence), nor is anything in a closing tag
/// or a comment's `<!--`.
pub fn attributes(html: &str) -> Vec<Attribute<'_>> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(lt) = html[at..].find('<') {
        at += lt + 1;
        let name_len = html[at..].find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(html.len() - at);
        if name_len == 0 {
            continue;
        }
        let tag = &html[at..at + name_len];
        at += name_len;
        while let Some((name, value, next)) = next_attribute(html, at) {
            found.push(Attribute { tag, name, value });
            at = next;
        }
    }
    found
}

/// Where the values of the `src` of `<img>` tags are in `html`.
pub fn image_sources(html: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    attributes(html)
        .into_iter()
        .filter_map(|a| (a.tag.eq_ignore_ascii_case("img") && a.name.eq_ignore_ascii_case("src")).then_some(a.value?))
}

/// The attribute starting at `at` (inside a tag, after its name or the
/// attribute before): its name, its value's place, and where the next one
/// may start; None at the tag's end.
fn next_attribute(html: &str, at: usize) -> Option<(&str, Option<Range<usize>>, usize)> {
    let skipped = html[at..].len() - html[at..].trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/').len();
    let start = at + skipped;
    let rest = &html[start..];
    let name_len = rest.find(|c: char| c.is_ascii_whitespace() || matches!(c, '=' | '>' | '/')).unwrap_or(rest.len());
    if name_len == 0 {
        return None;
    }
    let name = &rest[..name_len];
    let after_name = start + name_len;
    let Some(value) = html[after_name..].trim_start().strip_prefix('=') else {
        return Some((name, None, after_name));
    };
    let value = value.trim_start();
    let value_at = html.len() - value.len();
    Some(match value.chars().next() {
        Some(quote @ ('"' | '\'')) => match value[1..].find(quote) {
            Some(end) => (name, Some(value_at + 1..value_at + 1 + end), value_at + end + 2),
            None => (name, Some(value_at + 1..html.len()), html.len()),
        },
        _ => {
            let end = value.find(|c: char| c.is_ascii_whitespace() || c == '>').unwrap_or(value.len());
            (name, Some(value_at..value_at + end), value_at + end)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_read_tag_by_tag_with_their_places() {
        let html = "<p><a\n  name=\"split\"></a></p> id=text <DIV ID = multi data-x='a>b' hidden></div><img src=x.png>";
        let found: Vec<(&str, &str, Option<&str>)> =
            attributes(html).iter().map(|a| (a.tag, a.name, a.value.clone().map(|v| &html[v]))).collect();
        assert_eq!(
            found,
            [
                ("a", "name", Some("split")),
                ("DIV", "ID", Some("multi")),
                ("DIV", "data-x", Some("a>b")),
                ("DIV", "hidden", None),
                ("img", "src", Some("x.png")),
            ]
        );
        let imgs = "<IMG alt='x' SRC=\"img/a.png\"/> <img src=b.png> <a src=no>";
        let sources: Vec<&str> = image_sources(imgs).map(|r| &imgs[r]).collect();
        assert_eq!(sources, ["img/a.png", "b.png"]);
    }

    #[test]
    fn an_unclosed_quote_runs_to_the_end() {
        let html = "<img src=\"open";
        assert_eq!(attributes(html)[0].value.clone().map(|v| &html[v]), Some("open"));
    }
}
