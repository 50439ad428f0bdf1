//! Ids and URL slugs made from human text.
//!
//! Heading ids follow GitHub's rules (github-slugger) so that a deep link
//! copied from GitHub keeps working on the site. URL slugs and stable ids for
//! frameworks and exit games are stricter: lowercase letters and digits joined
//! by single hyphens, without the section numbers authors put in headings.

use foldhash::HashMap;

/// The id GitHub gives a heading, before de-duplication.
pub fn github_base(text: &str) -> String {
    // Most headings are ASCII, where the rules come down to a byte each;
    // the general case mapping cost a tenth of parsing.
    if !text.is_ascii() {
        return github_base_unicode(text);
    }
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b' ' => out.push('-'),
            b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' => out.push(char::from(b)),
            b'A'..=b'Z' => out.push(char::from(b.to_ascii_lowercase())),
            _ => {}
        }
    }
    out
}

fn github_base_unicode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c == ' ' {
            out.push('-');
        } else if c.is_alphanumeric() || c == '-' || c == '_' || is_combining_mark(c) {
            out.push(c);
        }
    }
    out
}

/// Combining marks belong to the letter before them (Devanagari vowel signs,
/// accents written as separate code points); GitHub keeps them.
fn is_combining_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x0610..=0x061A | 0x064B..=0x065F
        | 0x0900..=0x0903 | 0x093A..=0x094F | 0x0951..=0x0957 | 0x0962..=0x0963
        | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// Gives each heading of one page a unique id, the way GitHub does:
/// a repeated id gets `-1`, `-2`, ... appended.
#[derive(Debug, Default)]
pub struct Slugger {
    occurrences: HashMap<String, usize>,
}

impl Slugger {
    pub fn slug(&mut self, text: &str) -> String {
        let original = github_base(text);
        let mut slug = original.clone();
        while self.occurrences.contains_key(&slug) {
            let n = self.occurrences.entry(original.clone()).or_insert(0);
            *n += 1;
            slug = format!("{original}-{n}");
        }
        self.occurrences.insert(slug.clone(), 0);
        slug
    }

    /// Reserves an id (a framework's stable id) so no heading takes it later.
    pub fn reserve(&mut self, id: &str) {
        self.occurrences.entry(id.to_string()).or_insert(0);
    }
}

/// Lowercase letters and digits of any script, joined by single hyphens.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_dash = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        // Checked after lowercasing: 'İ' lowercases to 'i' plus a combining dot.
        if c.is_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(c);
        } else {
            pending_dash = true;
        }
    }
    out
}

/// The id a framework or exit game keeps however its section is numbered:
/// `2.2 Buy vs Build` gives `buy-vs-build`.
pub fn stable_id(name: &str) -> String {
    slugify(strip_section_number(name))
}

/// `2.2 Buy vs Build`, `2.2. Buy`, `3) Buy`, `IV. Buy`, `A) Buy` and
/// `(b) Buy` all lose their number. `A. Lincoln's Rule` keeps its initial: a
/// letter and a full stop may be a name.
pub fn strip_section_number(name: &str) -> &str {
    let trimmed = name.trim_start();
    let number_end = trimmed.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ')')).unwrap_or(trimmed.len());
    let (number, rest) = trimmed.split_at(number_end);
    // A bare integer is part of the name ("2050 Vision"); "2.", "2.2" or "3)" is a number.
    let is_number = number.chars().any(|c| c.is_ascii_digit()) && number.chars().any(|c| c == '.' || c == ')');
    if is_number && (rest.starts_with(' ') || rest.is_empty()) {
        return rest.trim_start();
    }
    match trimmed.split_once(' ') {
        Some((word, rest)) if is_letter_number(word) => rest.trim_start(),
        _ => trimmed,
    }
}

/// `A)`, `b)`, `(c)`, `(2)`, `IV.` or `iv)`: a section numbered in letters.
fn is_letter_number(word: &str) -> bool {
    let roman = |s: &str| {
        (1..=4).contains(&s.len()) && (s.bytes().all(|b| b"IVX".contains(&b)) || s.bytes().all(|b| b"ivx".contains(&b)))
    };
    let letter = |s: &str| s.len() == 1 && s.bytes().all(|b| b.is_ascii_alphabetic());
    if let Some(inner) = word.strip_prefix('(').and_then(|w| w.strip_suffix(')')) {
        let digits = (1..=2).contains(&inner.len()) && inner.bytes().all(|b| b.is_ascii_digit());
        return letter(inner) || digits || roman(inner);
    }
    match word.strip_suffix(')') {
        Some(inner) => letter(inner) || roman(inner),
        None => word.strip_suffix('.').is_some_and(roman),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn ascii_headings_get_the_ids_the_general_rules_give(text in "[ -~\t]{0,40}") {
            proptest::prop_assert_eq!(github_base(&text), github_base_unicode(&text));
        }
    }

    #[test]
    fn github_ids_keep_underscores_and_drop_punctuation() {
        assert_eq!(github_base("2.2 Buy vs Build"), "22-buy-vs-build");
        assert_eq!(github_base("📜 Story Mode: The CTO"), "-story-mode-the-cto");
        assert_eq!(github_base("heading with an _ underscore"), "heading-with-an-_-underscore");
    }

    #[test]
    fn repeated_headings_get_numbered_like_on_github() {
        let mut s = Slugger::default();
        let ids: Vec<_> = ["echo", "echo", "echo 1", "echo-1", "echo"].iter().map(|h| s.slug(h)).collect();
        assert_eq!(ids, ["echo", "echo-1", "echo-1-1", "echo-1-2", "echo-2"]);
    }

    #[test]
    fn stable_ids_drop_section_numbers() {
        assert_eq!(stable_id("2.2 Buy vs Build"), "buy-vs-build");
        assert_eq!(stable_id("4.1 Startup vs Big Tech"), "startup-vs-big-tech");
        assert_eq!(stable_id("The AI Maturity Curve"), "the-ai-maturity-curve");
        assert_eq!(stable_id("3) Plan B"), "plan-b");
        assert_eq!(stable_id("2050 Vision"), "2050-vision");
        for name in
            ["A) The Two-Pizza Team", "b) The Two-Pizza Team", "(c) The Two-Pizza Team", "IV. The Two-Pizza Team"]
        {
            assert_eq!(strip_section_number(name), "The Two-Pizza Team", "{name}");
        }
        for name in ["A. Lincoln's Rule", "I Am Here", "(Not) Numbered", "Mix. Match"] {
            assert_eq!(strip_section_number(name), name, "a name, not a number");
        }
    }

    #[test]
    fn slugify_is_idempotent_on_tricky_letters() {
        for s in ["İstanbul", "career_strategy", "  A -- B ", "Ünïcödé ✅ Done"] {
            let once = slugify(s);
            assert_eq!(slugify(&once), once, "{s}");
        }
        assert_eq!(slugify("career_strategy"), "career-strategy");
    }
}
