//! The optional block of metadata at the top of a playbook: YAML between
//! `---` lines or TOML between `+++` lines.
//!
//! Errors are reported at the line and column of the original file, not of
//! the block, so an author can jump straight to the mistake.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};

use crate::diagnostic::Position;

mod common;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Toml,
}

/// A file cut into its front matter block and its Markdown body.
#[derive(Debug, Clone, Copy)]
pub struct Split<'a> {
    pub block: Option<Block<'a>>,
    pub body: &'a str,
    /// Byte offset of `body` in the file.
    pub body_offset: usize,
}

#[derive(Debug, Clone, Copy)]
pub struct Block<'a> {
    pub format: Format,
    pub text: &'a str,
    /// Byte offset of `text` in the file.
    pub offset: usize,
}

/// A problem in the front matter, positioned in the whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatterError {
    pub pos: Position,
    pub message: String,
    pub hint: String,
}

/// The keys a playbook may set. Anything else is kept in `extra`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub slug: Option<String>,
    pub track: Option<String>,
    pub level: Option<String>,
    pub tags: Vec<String>,
    pub weight: Option<i64>,
    pub summary: Option<String>,
    pub draft: bool,
    pub story: Option<StoryFields>,
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// Key by key, each value read as its field wants it. (serde's `flatten`
/// for `extra` would read every value first without knowing its field, as
/// YAML guesses: `title: no` became "false", `slug: y` "true" and the tag
/// `1.10` "1.1".)
impl<'de> Deserialize<'de> for FrontMatter {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<FrontMatter, D::Error> {
        use serde::de::{MapAccess, Visitor};
        struct Text(Option<String>);
        impl<'de> Deserialize<'de> for Text {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
                text(d).map(Text)
            }
        }
        struct Tags(Vec<String>);
        impl<'de> Deserialize<'de> for Tags {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Tags, D::Error> {
                tags(d).map(Tags)
            }
        }
        struct Weight(Option<i64>);
        impl<'de> Deserialize<'de> for Weight {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Weight, D::Error> {
                weight(d).map(Weight)
            }
        }
        struct Story(Option<StoryFields>);
        impl<'de> Deserialize<'de> for Story {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Story, D::Error> {
                story(d).map(Story)
            }
        }
        struct Keys;
        impl<'de> Visitor<'de> for Keys {
            type Value = FrontMatter;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("front matter keys such as `title:` and `tags:`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FrontMatter, A::Error> {
                let mut fm = FrontMatter::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "title" => fm.title = map.next_value::<Text>()?.0,
                        "slug" => fm.slug = map.next_value::<Text>()?.0,
                        "track" => fm.track = map.next_value::<Text>()?.0,
                        "level" => fm.level = map.next_value::<Text>()?.0,
                        "summary" => fm.summary = map.next_value::<Text>()?.0,
                        "tags" => fm.tags = map.next_value::<Tags>()?.0,
                        "weight" => fm.weight = map.next_value::<Weight>()?.0,
                        "draft" => fm.draft = map.next_value::<Option<bool>>()?.unwrap_or_default(),
                        "story" => fm.story = map.next_value::<Story>()?.0,
                        _ => {
                            let value = map.next_value()?;
                            fm.extra.insert(key, value);
                        }
                    }
                }
                Ok(fm)
            }
        }
        d.deserialize_map(Keys)
    }
}

/// The Story Mode briefing, when written as front matter.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct StoryFields {
    #[serde(deserialize_with = "text")]
    pub title: Option<String>,
    #[serde(deserialize_with = "text")]
    pub mission_date: Option<String>,
    #[serde(deserialize_with = "text")]
    pub location: Option<String>,
    #[serde(deserialize_with = "text")]
    pub officer: Option<String>,
    #[serde(deserialize_with = "text")]
    pub problem: Option<String>,
    #[serde(deserialize_with = "text")]
    pub solution: Option<String>,
    #[serde(deserialize_with = "text")]
    pub quote: Option<String>,
}

/// A text field is the text as written, whatever YAML would take it for:
/// `level: 3`, `title: no`, `mission_date = 2050-01-01` (a TOML date) are
/// text to the author. Empty (or `~`) is no value.
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    use serde::de::{Error, MapAccess, SeqAccess, Visitor};
    struct Optional;
    impl<'de> Visitor<'de> for Optional {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("text")
        }
        fn visit_none<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            // A YAML reader hands a string target the scalar as written;
            // TOML's values come typed, and read as they are written.
            d.deserialize_string(Text).map(Some)
        }
    }
    struct Text;
    impl<'de> Visitor<'de> for Text {
        type Value = String;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("text")
        }
        fn visit_str<E: Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_string<E: Error>(self, v: String) -> Result<String, E> {
            Ok(v)
        }
        fn visit_bool<E: Error>(self, v: bool) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_i64<E: Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_u64<E: Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        /// `1.0` stays `1.0` (as TOML and JSON print it), not `1`.
        fn visit_f64<E: Error>(self, v: f64) -> Result<String, E> {
            Ok(format!("{v:?}"))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<String, A::Error> {
            Err(invalid_type(serde::de::Unexpected::Seq, "text"))
        }
        /// A TOML date comes as a map of one private key.
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<String, A::Error> {
            if let Some((key, serde_json::Value::String(date))) = map.next_entry::<String, serde_json::Value>()?
                && key.contains("datetime")
                && map.next_key::<serde::de::IgnoredAny>()?.is_none()
            {
                return Ok(date);
            }
            Err(invalid_type(serde::de::Unexpected::Map, "text"))
        }
    }
    d.deserialize_option(Optional)
}

/// `invalid type: text "hiring", expected <what>`, the value named in the
/// author's words.
fn invalid_type<E: serde::de::Error>(v: serde::de::Unexpected<'_>, expected: &str) -> E {
    E::custom(format!("invalid type: {}, expected {expected}", unexpected(&v)))
}

/// What a value is, in the author's words, for "invalid type" messages.
fn unexpected(v: &serde::de::Unexpected<'_>) -> String {
    use serde::de::Unexpected as U;
    match v {
        U::Str(s) => format!("text {s:?}"),
        U::Char(c) => format!("text {:?}", c.to_string()),
        U::Bool(b) => format!("{b}"),
        U::Signed(n) => format!("number {n}"),
        U::Unsigned(n) => format!("number {n}"),
        U::Float(n) => format!("number {n}"),
        U::Seq => "a list".into(),
        U::Map => "a map".into(),
        U::Unit | U::Option => "nothing".into(),
        other => other.to_string(),
    }
}

/// The `visit_*` methods of a visitor that refuses these kinds of value,
/// each named in the author's words by the visitor's `wrong`.
macro_rules! refuse {
    ($($kind:ident),+) => { $(refuse!(@ $kind);)+ };
    (@ str) => { refuse!(@ visit_str, &str, Str); };
    (@ bool) => { refuse!(@ visit_bool, bool, Bool); };
    (@ i64) => { refuse!(@ visit_i64, i64, Signed); };
    (@ u64) => { refuse!(@ visit_u64, u64, Unsigned); };
    (@ f64) => { refuse!(@ visit_f64, f64, Float); };
    (@ $method:ident, $t:ty, $unexpected:ident) => {
        fn $method<E: Error>(self, v: $t) -> Result<Self::Value, E> {
            Err(self.wrong(Unexpected::$unexpected(v)))
        }
    };
    (@ seq) => {
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            Err(self.wrong(Unexpected::Seq))
        }
    };
    (@ map) => {
        fn visit_map<A: serde::de::MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            Err(self.wrong(Unexpected::Map))
        }
    };
}

/// `tags` is a list of text; a bare `tags: hiring` is a mistake worth naming.
fn tags<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    use serde::de::{Error, SeqAccess, Unexpected, Visitor};
    struct Tags;
    impl Tags {
        fn wrong<E: Error>(self, v: Unexpected<'_>) -> E {
            invalid_type(v, "a list of tags like [hiring, people]")
        }
    }
    impl<'de> Visitor<'de> for Tags {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a list of tags like [hiring, people]")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
            let mut tags = Vec::new();
            while let Some(tag) = seq.next_element::<Tag>()? {
                tags.push(tag.0);
            }
            Ok(tags)
        }
        fn visit_unit<E: Error>(self) -> Result<Vec<String>, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: Error>(self) -> Result<Vec<String>, E> {
            Ok(Vec::new())
        }
        refuse!(str, bool, i64, u64, f64, map);
    }
    d.deserialize_any(Tags)
}

/// `weight` orders playbooks: a whole number, said so in the author's words
/// (the parsers' own "invalid i64" means nothing to most writers).
fn weight<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    use serde::de::{Error, Unexpected, Visitor};
    struct Weight;
    impl Weight {
        fn wrong<E: Error>(self, v: Unexpected<'_>) -> E {
            invalid_type(v, "a whole number like 10")
        }
    }
    impl<'de> Visitor<'de> for Weight {
        type Value = Option<i64>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a whole number like 10")
        }
        fn visit_i64<E: Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_u64<E: Error>(self, v: u64) -> Result<Self::Value, E> {
            i64::try_from(v).map(Some).map_err(|_| self.wrong(Unexpected::Unsigned(v)))
        }
        fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        refuse!(str, bool, f64, seq, map);
    }
    d.deserialize_any(Weight)
}

/// One tag: text, or a number or boolean written as text (`tags: [2050]`).
struct Tag(String);

impl<'de> Deserialize<'de> for Tag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Tag, D::Error> {
        match text(d)? {
            Some(t) => Ok(Tag(t)),
            None => Err(invalid_type(serde::de::Unexpected::Unit, "a tag")),
        }
    }
}

/// `story` is a map of the briefing's fields.
fn story<'de, D: Deserializer<'de>>(d: D) -> Result<Option<StoryFields>, D::Error> {
    use serde::de::value::MapAccessDeserializer;
    use serde::de::{Error, MapAccess, Unexpected, Visitor};
    struct Story;
    impl Story {
        fn wrong<E: Error>(self, v: Unexpected<'_>) -> E {
            invalid_type(v, "the story's fields (title, mission_date, location, officer, problem, solution, quote)")
        }
    }
    impl<'de> Visitor<'de> for Story {
        type Value = Option<StoryFields>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("the story's fields")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            StoryFields::deserialize(MapAccessDeserializer::new(map)).map(Some)
        }
        fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        refuse!(str, bool, i64, u64, f64, seq);
    }
    d.deserialize_any(Story)
}

/// Finds the front matter block, if the file opens with `---` or `+++`.
pub fn split(text: &str) -> Result<Split<'_>, FrontMatterError> {
    let first_line_end = text.find('\n').map_or(text.len(), |i| i + 1);
    let fence = text[..first_line_end].trim_end();
    let format = match fence {
        "---" => Format::Yaml,
        "+++" => Format::Toml,
        _ => return Ok(Split { block: None, body: text, body_offset: 0 }),
    };
    let mut at = first_line_end;
    while at < text.len() {
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        let line = text[at..end].trim_end();
        if line == fence || (format == Format::Yaml && line == "...") {
            let block = Block { format, text: &text[first_line_end..at], offset: first_line_end };
            return Ok(Split { block: Some(block), body: &text[end..], body_offset: end });
        }
        at = end;
    }
    Err(FrontMatterError {
        pos: Position::START,
        message: format!("front matter opened with `{fence}` is never closed"),
        hint: format!("add a line with just `{fence}` after the last front matter key"),
    })
}

/// Front matter as far as it could be read, and every problem found in it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    /// The keys that were read; those in error are left out.
    pub front_matter: FrontMatter,
    pub errors: Vec<FrontMatterError>,
}

/// Problems reported per block at most: past this, the block is more
/// likely not front matter at all.
const MAX_ERRORS: usize = 20;

/// Parses a block into typed front matter, reporting every key in error,
/// not only the first: a key found wrong is left out and the rest read
/// again, as long as what is left is still well-formed YAML or TOML (a
/// follow-on error from cutting a key out would send the author after a
/// mistake they never made).
pub fn parse(file_text: &str, block: &Block<'_>) -> Parsed {
    // Lines are cut to empty ones, so a position in `text` is on the
    // same line as in the block.
    let first_line = Position::at(file_text, block.offset).line;
    let mut text = Cow::Borrowed(block.text);
    let mut errors = Vec::new();
    loop {
        let attempt = match block.format {
            _ if text.trim().is_empty() => Ok(FrontMatter::default()),
            Format::Yaml => parse_yaml(&text),
            Format::Toml => parse_toml(&text),
        };
        let e = match attempt {
            Ok(front_matter) => return Parsed { front_matter, errors },
            Err(e) => e,
        };
        let rest = without_entry(&text, e.pos.line, block.format).filter(|rest| well_formed(rest, block.format));
        errors.push(FrontMatterError { pos: Position { line: first_line + e.pos.line - 1, ..e.pos }, ..e });
        match rest {
            Some(rest) if errors.len() < MAX_ERRORS => text = Cow::Owned(rest),
            _ => return Parsed { front_matter: FrontMatter::default(), errors },
        }
    }
}

/// `text` with the innermost entry holding `line` (1-based) cut to empty
/// lines: its key's line and the more indented, blank or comment lines after
/// it. A nested key (`  ofcer:` under `story:`) goes alone, so the other
/// keys beside it are still read. None when that line is not inside a
/// `key: value` (or `key = value`) entry, as for a TOML `[table]` header,
/// whose keys would move up a level.
fn without_entry(text: &str, line: usize, format: Format) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let indent = |l: &str| l.len() - l.trim_start_matches([' ', '\t']).len();
    let blank = |l: &str| matches!(l.trim_start().chars().next(), None | Some('#'));
    let separator = match format {
        Format::Yaml => ':',
        Format::Toml => '=',
    };
    let is_key = |l: &str| !l.trim_start().starts_with(['[', '-', '?', '{']) && l.contains(separator);
    let at = line.min(lines.len()).checked_sub(1)?;
    // The error's own line if it is a key's, else the nearest key above it
    // that is less indented (the one whose value the line is part of).
    let mut deeper_than = usize::MAX;
    let start = (0..=at).rev().find(|&i| {
        let l = lines[i];
        if blank(l) {
            return false;
        }
        if is_key(l) && (i == at || indent(l) < deeper_than) {
            return true;
        }
        deeper_than = deeper_than.min(indent(l));
        false
    })?;
    let base = indent(lines[start]);
    let end = (start + 1..lines.len()).find(|&i| !blank(lines[i]) && indent(lines[i]) <= base).unwrap_or(lines.len());
    let mut rest = String::with_capacity(text.len());
    for (i, l) in lines.iter().enumerate() {
        if (start..end).contains(&i) {
            rest.push_str(&l[l.trim_end_matches(['\r', '\n']).len()..]);
        } else {
            rest.push_str(l);
        }
    }
    Some(rest)
}

/// Whether `text` is YAML or TOML at all, whatever its keys hold.
fn well_formed(text: &str, format: Format) -> bool {
    match format {
        Format::Yaml => serde_saphyr::from_str::<serde::de::IgnoredAny>(text).is_ok(),
        Format::Toml => toml::from_str::<toml::Table>(text).is_ok(),
    }
}

const KEYS_HINT: &str = "front matter keys are title, slug, track, level, tags (a list), weight (a number), \
summary, draft (true/false) and story (with title, mission_date, location, officer, problem, solution, quote)";

/// Errors here are positioned in `text` itself.
fn parse_yaml(text: &str) -> Result<FrontMatter, FrontMatterError> {
    if let Some(fm) = common::parse(text) {
        return Ok(fm);
    }
    serde_saphyr::from_str::<FrontMatter>(text).map_err(|e| {
        let pos = e.location().map_or(Position::START, |l| Position {
            line: (l.line() as usize).max(1),
            column: (l.column() as usize).max(1),
        });
        let message = yaml_message(&e);
        let hint = quoting_hint(text, pos.line, &message).unwrap_or_else(|| KEYS_HINT.to_string());
        FrontMatterError { pos, message, hint }
    })
}

/// For a value with `: ` in it (`title: Delegation: Letting Go`), which YAML
/// reads as a second key: the line as it should be, quoted.
fn quoting_hint(text: &str, line: usize, message: &str) -> Option<String> {
    if !message.contains("mapping values are not allowed") {
        return None;
    }
    let (key, value) = text.lines().nth(line.checked_sub(1)?)?.split_once(": ")?;
    let quoted = value.trim().replace('\\', "\\\\").replace('"', "\\\"");
    Some(format!("a value with `: ` in it needs quotes: {key}: \"{quoted}\""))
}

/// serde-saphyr's message without the snippet and location it appends, which
/// are relative to the block rather than the file.
fn yaml_message(e: &serde_saphyr::Error) -> String {
    let full = e.without_snippet().to_string();
    let first = full.lines().next().unwrap_or("invalid YAML").trim();
    // Locations come as ` at line 2, column 8`, or for a value reached
    // through an alias ` (defined at line 1, column 7) (used at ...)`.
    let first = first.split(" (defined at line ").next().unwrap_or(first);
    let first = first.split(" at line ").next().unwrap_or(first);
    // What the reader says of a list or map where a text field is read as
    // written (see `text`).
    let first = if first == "expected string scalar" { "invalid type: a list or a map, expected text" } else { first };
    // The parser's advice (an option of its own) means nothing to an author.
    if let Some(key) = first.strip_prefix("duplicate mapping key: ").and_then(|rest| rest.split(',').next()) {
        return format!("invalid front matter: `{key}` is given twice; keep one");
    }
    format!("invalid front matter: {first}")
}

/// Errors here are positioned in `text` itself.
fn parse_toml(text: &str) -> Result<FrontMatter, FrontMatterError> {
    toml::from_str::<FrontMatter>(text).map_err(|e| FrontMatterError {
        pos: Position::at(text, e.span().map_or(0, |s| s.start)),
        message: format!("invalid front matter: {}", e.message().trim()),
        hint: KEYS_HINT.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_with_a_colon_gets_the_quoted_line_as_its_hint() {
        let e = fm("---\ntitle: Delegation: Letting \"Go\"\n---\n").unwrap_err();
        assert_eq!(e.pos.line, 2);
        assert_eq!(e.hint, "a value with `: ` in it needs quotes: title: \"Delegation: Letting \\\"Go\\\"\"");
    }

    /// The front matter of `text`, or its first error.
    fn fm(text: &str) -> Result<FrontMatter, FrontMatterError> {
        let s = split(text)?;
        let parsed = parse(text, &s.block.expect("a block"));
        parsed.errors.into_iter().next().map_or(Ok(parsed.front_matter), Err)
    }

    #[test]
    fn no_front_matter_means_the_whole_file_is_body() {
        let s = split("# Title\n").unwrap();
        assert!(s.block.is_none());
        assert_eq!(s.body, "# Title\n");
    }

    #[test]
    fn yaml_and_toml_give_the_same_fields() {
        let y =
            fm("---\ntitle: Hiring\ntags: [a, b]\nweight: 2\nstory:\n  officer: CTO\nowner: sam\n---\nbody").unwrap();
        let t = fm("+++\ntitle = \"Hiring\"\ntags = [\"a\", \"b\"]\nweight = 2\nowner = \"sam\"\n[story]\nofficer = \"CTO\"\n+++\nbody").unwrap();
        assert_eq!(y, t);
        assert_eq!(y.title.as_deref(), Some("Hiring"));
        assert_eq!(y.extra["owner"], "sam");
        assert_eq!(y.story.unwrap().officer.as_deref(), Some("CTO"));
    }

    #[test]
    fn the_body_starts_after_the_closing_fence() {
        let s = split("---\ntitle: x\n---\n# Body\n").unwrap();
        assert_eq!(s.body, "# Body\n");
        assert_eq!(s.body_offset, 17);
    }

    #[test]
    fn text_fields_keep_what_yaml_would_read_as_booleans_or_numbers() {
        let y = fm("---\nslug: y\ntitle: no\ntrack: NO\nlevel: off\nsummary: 0x1F\ntags: [yes, on, 1.10, 0x1F, 007]\n\
                    draft: yes\nweight: 3\nstory:\n  mission_date: 2050-01-01\n  officer: n\nowner: sam\n---\n")
        .unwrap();
        assert_eq!(
            (y.slug.as_deref(), y.title.as_deref(), y.track.as_deref(), y.level.as_deref(), y.summary.as_deref()),
            (Some("y"), Some("no"), Some("NO"), Some("off"), Some("0x1F"))
        );
        assert_eq!(y.tags, ["yes", "on", "1.10", "0x1F", "007"]);
        assert!(y.draft, "a true/false key still reads yes as true");
        assert_eq!(y.weight, Some(3));
        let story = y.story.unwrap();
        assert_eq!((story.mission_date.as_deref(), story.officer.as_deref()), (Some("2050-01-01"), Some("n")));
        assert_eq!(y.extra["owner"], "sam");
        let empty = fm("---\ntitle:\nlevel: ~\ntags:\n---\n").unwrap();
        assert_eq!((empty.title, empty.level, empty.tags.len()), (None, None, 0));
        let t = fm("+++\nlevel = 3\ndraft = true\n[story]\nmission_date = 2050-01-01\n+++\n").unwrap();
        assert_eq!((t.level.as_deref(), t.draft), (Some("3"), true));
        assert_eq!(t.story.unwrap().mission_date.as_deref(), Some("2050-01-01"));
    }

    #[test]
    fn a_value_through_an_alias_is_reported_where_it_is_used_in_a_whole_message() {
        let e = fm("---\nx: &a [1]\ntitle: *a\n---\n").unwrap_err();
        assert_eq!(e.message, "invalid front matter: invalid type: a list or a map, expected text");
        assert_eq!(e.pos, Position { line: 3, column: 8 });
    }

    #[test]
    fn a_key_given_twice_is_named_without_the_parsers_advice() {
        let e = fm("---\ntitle: A\ntitle: B\n---\n").unwrap_err();
        assert_eq!((e.pos.line, e.message.as_str()), (3, "invalid front matter: `title` is given twice; keep one"));
    }

    #[test]
    fn broken_yaml_points_at_the_file_line() {
        let e = fm("---\ntitle: ok\ntags: [a, b\n---\n").unwrap_err();
        assert!(e.pos.line >= 3, "{e:?}");
        assert!(e.message.starts_with("invalid front matter"), "{e:?}");
    }

    #[test]
    fn wrong_types_are_errors_at_their_line() {
        let e = fm("---\ntitle: ok\ntags: 5\n---\n").unwrap_err();
        assert_eq!(e.pos.line, 3, "{e:?}");
        let e = fm("---\ntitle: [a, b]\n---\n").unwrap_err();
        assert_eq!(e.pos.line, 2, "{e:?}");
        let e = fm("+++\ntitle = \"x\"\ndraft = \"maybe\"\n+++\n").unwrap_err();
        assert_eq!(e.pos.line, 3, "{e:?}");
    }

    #[test]
    fn tags_and_story_of_the_wrong_type_say_what_was_written() {
        let e = fm("---\ntitle: x\ntags: hiring\n---\n").unwrap_err();
        assert_eq!((e.pos.line, e.pos.column), (3, 7), "{e:?}");
        assert_eq!(
            e.message,
            "invalid front matter: invalid type: text \"hiring\", expected a list of tags like [hiring, people]"
        );
        let e = fm("+++\ntags = \"hiring\"\n+++\n").unwrap_err();
        assert_eq!((e.pos.line, e.pos.column), (2, 8), "{e:?}");
        assert!(e.message.contains("invalid type: text \"hiring\", expected a list of tags"), "{e:?}");
        let e = fm("---\nstory: 5\n---\n").unwrap_err();
        assert_eq!((e.pos.line, e.pos.column), (2, 8), "{e:?}");
        assert!(
            e.message.starts_with("invalid front matter: invalid type: number 5, expected the story's fields"),
            "{e:?}"
        );
        let e = fm("+++\nstory = [1]\n+++\n").unwrap_err();
        assert_eq!((e.pos.line, e.pos.column), (2, 9), "{e:?}");
        assert!(e.message.contains("invalid type: a list, expected the story's fields"), "{e:?}");
    }

    #[test]
    fn tags_and_story_of_the_right_type_still_parse() {
        let y = fm("---\ntags: [a, 2050, true]\nstory:\n  officer: CTO\n  mission_date: 2050.01.01\n---\n").unwrap();
        assert_eq!(y.tags, ["a", "2050", "true"]);
        assert_eq!(y.story.as_ref().unwrap().officer.as_deref(), Some("CTO"));
        let t = fm("+++\ntags = []\n[story]\nofficer = \"CTO\"\nmission_date = 2050-01-01\n+++\n").unwrap();
        assert!(t.tags.is_empty());
        assert_eq!(t.story.unwrap().mission_date.as_deref(), Some("2050-01-01"));
        assert_eq!(fm("---\ntags:\nstory:\n---\n").unwrap(), FrontMatter::default());
        // An unknown story field is still an error at its own line.
        let e = fm("---\ntitle: x\nstory:\n  officer: a\n  ofcer: b\n---\n").unwrap_err();
        assert_eq!(e.pos.line, 5, "{e:?}");
        assert!(e.message.contains("ofcer"), "{e:?}");
    }

    #[test]
    fn dates_and_numbers_are_text_where_text_is_expected() {
        let t = fm("+++\n[story]\nmission_date = 2050-01-01\n+++\n").unwrap();
        assert_eq!(t.story.unwrap().mission_date.as_deref(), Some("2050-01-01"));
        let y = fm("---\nlevel: 3\n---\n").unwrap();
        assert_eq!(y.level.as_deref(), Some("3"));
    }

    fn all(text: &str) -> Parsed {
        parse(text, &split(text).unwrap().block.expect("a block"))
    }

    #[test]
    fn every_key_in_error_is_reported_and_the_others_are_kept() {
        let p =
            all("---\ntitle: [a, b]\nslug: kept\ntags: hiring\nstory:\n  officer: a\n  ofcer: b\n\nweight: x\n---\n");
        let at: Vec<_> = p.errors.iter().map(|e| (e.pos.line, e.message.as_str())).collect();
        assert_eq!(at.len(), 4, "{at:?}");
        assert_eq!(at[0], (2, "invalid front matter: invalid type: a list or a map, expected text"));
        assert_eq!(at[1].0, 4, "{at:?}");
        assert!(at[1].1.contains("\"hiring\""), "{at:?}");
        assert_eq!(at[2].0, 7, "{at:?}");
        assert!(at[2].1.contains("ofcer"), "{at:?}");
        assert_eq!(at[3].0, 9, "{at:?}");
        assert_eq!(p.front_matter.slug.as_deref(), Some("kept"));
        assert_eq!(p.front_matter.title, None);

        let t = all("+++\ntitle = \"ok\"\ndraft = \"maybe\"\ntags = \"x\"\n+++\n");
        let at: Vec<_> = t.errors.iter().map(|e| (e.pos.line, e.pos.column)).collect();
        assert_eq!(at, [(3, 9), (4, 8)]);
        assert_eq!(t.front_matter.title.as_deref(), Some("ok"));
    }

    #[test]
    fn errors_under_one_key_are_each_reported() {
        let p = all("---\nstory:\n  problem: [1]\n  misson_date: x\n  officer: CTO\n  solution:\n    - a\n---\n");
        let lines: Vec<_> = p.errors.iter().map(|e| e.pos.line).collect();
        assert_eq!(lines, [3, 4, 7], "{:?}", p.errors);
        assert_eq!(
            p.front_matter.story.and_then(|s| s.officer).as_deref(),
            Some("CTO"),
            "the good key beside them is kept"
        );
    }

    #[test]
    fn a_syntax_error_is_reported_once_without_follow_on_errors() {
        // Cutting `tags` out could not make the rest well-formed, so the
        // one real error is all the author sees.
        let p = all("---\ntitle: x\ntags: [a, b\nweight: y\n---\n");
        assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
        // A TOML table header is not cut: its keys would move up a level.
        let t = all("+++\n[story]\nofficer = [1]\nquote = [2]\n+++\n");
        assert_eq!(t.errors.len(), 2, "{:?}", t.errors);
        let t = all("+++\nstory = 5\n[story]\nofficer = \"a\"\n+++\n");
        assert_eq!(t.errors.len(), 1, "{:?}", t.errors);
        // A block that is not a map at all is one error, not one per line.
        assert_eq!(all("---\n- a\n- b\n---\n").errors.len(), 1);
    }

    #[test]
    fn an_unclosed_fence_is_an_error() {
        let e = split("---\ntitle: x\n# Body\n").unwrap_err();
        assert!(e.message.contains("never closed"));
    }

    #[test]
    fn an_empty_block_is_empty_front_matter() {
        assert_eq!(fm("---\n---\nbody").unwrap(), FrontMatter::default());
    }
}
