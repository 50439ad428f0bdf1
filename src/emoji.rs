//! GitHub's emoji shortcodes (`:rocket:`) as the emoji they stand for. The
//! table comes from the `emojis` crate (GitHub's gemoji list); an unknown
//! shortcode stays as written, as on GitHub.

use std::borrow::Cow;

/// `text` with every known `:shortcode:` replaced by its emoji. Text without
/// one (most text with a colon: `**VP**: ...`) is returned as it is, with
/// nothing allocated.
pub fn replace_shortcodes(text: &str) -> Cow<'_, str> {
    let mut out: Option<String> = None;
    // `text[..copied]` is in `out`; the next colon is looked for from `from`.
    let (mut copied, mut from) = (0, 0);
    // memchr, not `str::find`: this runs on every text of every body.
    while let Some(found) = memchr::memchr(b':', &text.as_bytes()[from..]) {
        let start = from + found;
        let after = &text[start + 1..];
        let name_len =
            after.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-'))).unwrap_or(after.len());
        let emoji = (name_len > 0 && after[name_len..].starts_with(':'))
            .then(|| emojis::get_by_shortcode(&after[..name_len]))
            .flatten();
        match emoji {
            Some(e) => {
                let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
                out.push_str(&text[copied..start]);
                out.push_str(e.as_str());
                copied = start + name_len + 2;
                from = copied;
            }
            None => from = start + 1,
        }
    }
    match out {
        Some(mut out) => {
            out.push_str(&text[copied..]);
            Cow::Owned(out)
        }
        None => Cow::Borrowed(text),
    }
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
