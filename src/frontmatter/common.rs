//! YAML front matter in the shape nearly every playbook has, read without a
//! YAML parser: serde-saphyr takes ~17 us for a dozen lines, a twentieth of
//! a large build.
//!
//! The shape: top-level `key: value` lines with the known keys, `tags` as a
//! flow list, and `story:` followed by its fields indented two spaces. A
//! value is a double-quoted string without escapes, or plain words that
//! YAML reads as text (they start with a letter, use no punctuation YAML
//! gives a meaning, and are not a boolean or null). Anything else (comments,
//! escapes, other keys, block scalars, repeated keys, numbers or booleans
//! where text is wanted) is `None`, and serde-saphyr reads the block: its
//! results and its errors with their positions are the ones users get. A
//! test compares the two on every shape this accepts.

use super::{FrontMatter, StoryFields};

/// The front matter of `text`, if it has the common shape.
pub fn parse(text: &str) -> Option<FrontMatter> {
    let mut fm = FrontMatter::default();
    let mut seen: Vec<&str> = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim().is_empty() {
            continue;
        }
        let (key, value) = match line.split_once(':') {
            Some((key, value)) if is_key(key) && (value.is_empty() || value.starts_with(' ')) => (key, value.trim()),
            _ => return None,
        };
        if seen.contains(&key) {
            return None;
        }
        seen.push(key);
        match key {
            "title" => fm.title = Some(text_value(value)?),
            "slug" => fm.slug = Some(text_value(value)?),
            "track" => fm.track = Some(text_value(value)?),
            "level" => fm.level = Some(text_value(value)?),
            "summary" => fm.summary = Some(text_value(value)?),
            "weight" => fm.weight = Some(integer(value)?),
            "draft" => {
                fm.draft = match value {
                    "true" => true,
                    "false" => false,
                    _ => return None,
                }
            }
            "tags" => fm.tags = flow_list(value)?,
            "story" if value.is_empty() => {
                let mut story = StoryFields::default();
                let mut fields: Vec<&str> = Vec::new();
                while let Some(field) = lines.next_if(|l| l.starts_with(' ')) {
                    let (name, value) = field.strip_prefix("  ")?.split_once(':')?;
                    if !is_key(name) || !value.starts_with(' ') || fields.contains(&name) {
                        return None;
                    }
                    fields.push(name);
                    let value = Some(text_value(value.trim())?);
                    match name {
                        "title" => story.title = value,
                        "mission_date" => story.mission_date = value,
                        "location" => story.location = value,
                        "officer" => story.officer = value,
                        "problem" => story.problem = value,
                        "solution" => story.solution = value,
                        "quote" => story.quote = value,
                        _ => return None,
                    }
                }
                if fields.is_empty() {
                    return None;
                }
                fm.story = Some(story);
            }
            _ => return None,
        }
    }
    Some(fm)
}

/// A key as written at the start of its line: lowercase letters and `_`.
fn is_key(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

/// Text: `"..."` without escapes or control characters, or plain words.
fn text_value(value: &str) -> Option<String> {
    if let Some(inner) = value.strip_prefix('"') {
        let inner = inner.strip_suffix('"')?;
        // Control characters, a BOM and Unicode line breaks are left to YAML.
        if inner.chars().any(|c| matches!(c, '"' | '\\' | '\u{feff}' | '\u{2028}' | '\u{2029}') || c.is_control()) {
            return None;
        }
        return Some(inner.to_string());
    }
    plain_words(value, " _-.()/&+").map(str::to_string)
}

/// Plain text YAML cannot read as anything else: an ASCII letter first,
/// then letters, digits and `allowed` punctuation, and no boolean or null
/// (YAML 1.1's `yes`, `no`, `on`, `off` included) or a non-finite number.
fn plain_words<'a>(value: &'a str, allowed: &str) -> Option<&'a str> {
    const NOT_TEXT: &[&str] = &["true", "false", "yes", "no", "on", "off", "y", "n", "null", "inf", "infinity", "nan"];
    let first = value.bytes().next()?;
    let ok = first.is_ascii_alphabetic()
        && value.chars().all(|c| c.is_ascii_alphanumeric() || allowed.contains(c))
        && !NOT_TEXT.iter().any(|w| value.eq_ignore_ascii_case(w));
    ok.then_some(value)
}

/// A decimal integer without a leading zero or sign other than `-`.
fn integer(value: &str) -> Option<i64> {
    let digits = value.strip_prefix('-').unwrap_or(value);
    let plain = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    if !plain || (digits.len() > 1 && digits.starts_with('0')) {
        return None;
    }
    value.parse().ok()
}

/// `[a, "b c"]`: tags, each a quoted string or a plain word.
fn flow_list(value: &str) -> Option<Vec<String>> {
    let inner = value.strip_prefix('[')?.strip_suffix(']')?.trim();
    if inner.is_empty() {
        return Some(Vec::new());
    }
    inner
        .split(',')
        .map(|item| {
            let item = item.trim();
            match item.strip_prefix('"') {
                Some(_) => text_value(item),
                None => plain_words(item, " _-.").map(str::to_string),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn saphyr(text: &str) -> Option<FrontMatter> {
        serde_saphyr::from_str::<FrontMatter>(text).ok()
    }

    const CORPUS_SHAPE: &str = "title: \"Board Planning\"\nslug: \"board-planning-9983\"\ntrack: \"execution\"\nlevel: \"EM\"\ntags: [\"leadership\", \"hiring\"]\nstory:\n  mission_date: \"2038.04.28\"\n  location: \"Zoom Call #47\"\n  officer: \"Head of AI\"\n  problem: \"The model hates the model registry.\"\n  solution: \"Onboarding Leadership\"\n  quote: \"Team. We are pivoting. Here is the 2-year vision.\"\n";

    #[test]
    fn the_common_shape_reads_as_yaml_reads_it() {
        let fm = parse(CORPUS_SHAPE).expect("the common shape");
        assert_eq!(Some(&fm), saphyr(CORPUS_SHAPE).as_ref());
        assert_eq!(fm.tags, ["leadership", "hiring"]);
        assert_eq!(fm.story.and_then(|s| s.location).as_deref(), Some("Zoom Call #47"));
        let plain = "title: Hiring Loop\nweight: -3\ndraft: true\ntags: [people, hiring-loop]\nlevel: EM\n";
        assert_eq!(parse(plain), saphyr(plain));
        assert!(parse(plain).is_some());
    }

    #[test]
    fn anything_else_is_left_to_the_yaml_parser() {
        for text in [
            "title: \"a \\\" quote\"\n", // an escape
            "title: yes\n",              // a boolean where text is wanted
            "level: 3\n",                // a number where text is wanted
            "weight: 010\n",             // octal or decimal, depending on the YAML
            "title: a # comment\n",      // a comment
            "owner: sam\n",              // a key the playbook does not know
            "title: a\ntitle: b\n",      // a repeated key
            "title: >\n  folded\n",      // a block scalar
            "tags:\n  - a\n",            // a block list
            "story:\n",                  // an empty story
            "story:\n    title: deep\n", // another indentation
            "story:\n  icon: x\n",       // a field the story does not have
            "title: Führung\n",          // plain text beyond ASCII
            "title: a: b\n",             // a colon in plain text
            "title:\"x\"\n",             // no space after the colon
            " title: x\n",               // an indented key
        ] {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }

    /// A value in one of the shapes `parse` accepts, mostly, or must refuse.
    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            10 => "[A-Za-z][A-Za-z0-9 _.()/&+-]{0,12}",
            10 => "\"[^\"\\\\]{0,12}\"",
            1 => "-?[0-9]{1,4}",
            1 => prop::sample::select(vec!["true", "false", "Yes", "NO", "on", "Off", "null", "~", "y", "NaN", ""])
                .prop_map(str::to_string),
            1 => "[ -~]{0,8}",
        ]
    }

    /// A top-level line: mostly a known key with a value of its kind.
    fn field() -> impl Strategy<Value = (String, String)> {
        let text = prop::sample::select(vec!["title", "slug", "track", "level", "summary"]).prop_map(str::to_string);
        prop_oneof![
            6 => (text, value()),
            1 => (Just("weight".to_string()), prop_oneof!["-?[0-9]{1,20}", value()]),
            1 => (Just("draft".to_string()), prop_oneof![Just("true".to_string()), Just("false".to_string()), value()]),
            1 => (Just("owner".to_string()), value()),
        ]
    }

    fn story_key() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "title",
            "mission_date",
            "location",
            "officer",
            "problem",
            "solution",
            "quote",
            "icon",
        ])
        .prop_map(str::to_string)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        /// Whatever `parse` reads, serde-saphyr reads the same.
        #[test]
        fn never_reads_differently_from_yaml(
            fields in prop::collection::vec(field(), 0..6),
            tags in prop::option::of(prop::collection::vec(value(), 0..4)),
            story in prop::option::of(prop::collection::vec((story_key(), value()), 0..4)),
        ) {
            let mut text = String::new();
            for (k, v) in &fields {
                text.push_str(&format!("{k}: {v}\n"));
            }
            if let Some(tags) = &tags {
                text.push_str(&format!("tags: [{}]\n", tags.join(", ")));
            }
            if let Some(story) = &story {
                text.push_str("story:\n");
                for (k, v) in story {
                    text.push_str(&format!("  {k}: {v}\n"));
                }
            }
            if let Some(fm) = parse(&text) {
                prop_assert_eq!(Some(fm), saphyr(&text), "{:?}", text);
            }
        }
    }
}
