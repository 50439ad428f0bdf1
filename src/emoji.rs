//! GitHub's emoji shortcodes (`:rocket:`) as the emoji they stand for. The
//! table comes from the `emojis` crate (GitHub's gemoji list); an unknown
//! shortcode stays as written, as on GitHub.

use std::borrow::Cow;

/// `text` with every known `:shortcode:` replaced by its emoji.
pub fn replace_shortcodes(text: &str) -> Cow<'_, str> {
    if !text.contains(':') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(start) = rest.find(':') {
        let after = &rest[start + 1..];
        let name_len =
            after.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-'))).unwrap_or(after.len());
        let emoji = (name_len > 0 && after[name_len..].starts_with(':'))
            .then(|| emojis::get_by_shortcode(&after[..name_len]))
            .flatten();
        match emoji {
            Some(e) => {
                out.push_str(&rest[..start]);
                out.push_str(e.as_str());
                rest = &after[name_len + 1..];
                changed = true;
            }
            None => {
                out.push_str(&rest[..=start]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    if changed { Cow::Owned(out) } else { Cow::Borrowed(text) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_shortcodes_become_emoji() {
        assert_eq!(replace_shortcodes(":rocket: launch"), "🚀 launch");
        assert_eq!(replace_shortcodes("done :white_check_mark:"), "done ✅");
        assert_eq!(replace_shortcodes(":+1::smile:"), "👍😄");
    }

    #[test]
    fn unknown_shortcodes_and_times_stay() {
        assert_eq!(replace_shortcodes(":notanemoji: at 10:30"), ":notanemoji: at 10:30");
        assert_eq!(replace_shortcodes("a: b: c"), "a: b: c");
    }
}
