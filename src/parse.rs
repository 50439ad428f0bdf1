//! Turns one source file into a [`Playbook`]: front matter, the parts found in
//! the body, and what is inferred where the front matter is silent.
//!
//! Front matter wins over inference, field by field.

use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Position, Positions};
use crate::frontmatter::{self, FrontMatter, StoryFields};
use crate::load::SourceFile;
use crate::model::{Playbook, StoryMode, StoryText, Track};
use crate::parts;
use crate::slug::slugify;

/// Track of playbooks that name none and sit directly in `playbooks/`.
const DEFAULT_TRACK: &str = "General";

pub fn playbook(src: &SourceFile) -> Result<Playbook, Diagnostic> {
    let fm_error = |e: frontmatter::FrontMatterError| Diagnostic::error(&src.path, e.pos, e.message).with_hint(e.hint);
    let split = frontmatter::split(&src.text).map_err(fm_error)?;
    let mut problems = Vec::new();
    let fm = match &split.block {
        Some(block) => {
            let parsed = frontmatter::parse(&src.text, block);
            problems.extend(parsed.errors.into_iter().map(fm_error));
            parsed.front_matter
        }
        None => FrontMatter::default(),
    };
    let (slug, slug_position) = slug_of(src, &fm)?;

    let mut positions = Positions::new(&src.text);
    let parts = parts::analyze(split.body, &mut |offset| positions.at(split.body_offset + offset));
    let folder = src.stem_path.rsplit_once('/').map(|(dir, _)| dir.rsplit('/').next().unwrap_or(dir));
    let heading = parts.h1.as_deref().map(|h1| TitleLine::parse(h1, folder));
    let title = fm
        .title
        .clone()
        .or_else(|| heading.as_ref().map(|h| h.title.clone()))
        .unwrap_or_else(|| title_from_stem(&src.stem_path));
    let track = track_of(src, &fm, heading.as_ref().and_then(|h| h.track.as_deref())).map_err(|msg| {
        let pos = if fm.track.is_some() {
            Position::of_key(&src.text, "track")
        } else {
            // From the H1 `track: Title`, or from the folder name.
            parts
                .headings
                .iter()
                .find(|h| h.level == 1)
                .map_or(Position::START, |h| Position::at(&src.text, split.body_offset + h.range.start))
        };
        Diagnostic::error(&src.path, pos, msg).with_hint("choose a shorter track name")
    })?;
    for tag in &fm.tags {
        check_name_length("tag", tag, &slugify(tag)).map_err(|msg| {
            Diagnostic::error(&src.path, Position::of_key(&src.text, "tags"), msg).with_hint("choose a shorter tag")
        })?;
    }
    problems.extend(parts.warnings.iter().map(|w| {
        Diagnostic::warning(&src.path, positions.at(split.body_offset + w.at), w.message.clone()).with_hint(w.hint)
    }));
    // A Story Mode heading with nothing of a briefing under it gives a card
    // with a title alone; the fields were meant and not found.
    if let Some(story) = parts.story.as_ref().filter(|s| fm.story.is_none() && !s.has_fields()) {
        let heading = parts.headings.iter().find(|h| h.id == story.anchor);
        let at = heading.map_or(Position::START, |h| positions.at(split.body_offset + h.range.start));
        problems.push(
            Diagnostic::warning(&src.path, at, "the Story Mode section has no briefing, so its card is empty")
                .with_hint("put the fields in a blockquote under the heading: `> **Officer**: CTO`"),
        );
    }
    let story = merge_story(parts.story, fm.story);

    Ok(Playbook {
        source: src.path.clone(),
        stem_path: src.stem_path.clone(),
        slug,
        slug_position,
        title,
        track,
        level: fm.level.or_else(|| heading.and_then(|h| h.level)),
        tags: fm.tags,
        weight: fm.weight,
        summary: fm.summary,
        draft: fm.draft,
        story,
        sections: compact(parts.sections, |s| {
            [&mut s.name, &mut s.id, &mut s.heading_id, &mut s.summary].into_iter().for_each(exact)
        }),
        patterns: compact(parts.patterns, |p| [&mut p.context, &mut p.dont, &mut p.do_].into_iter().for_each(exact)),
        headings: compact(parts.headings, |h| [&mut h.text, &mut h.id].into_iter().for_each(exact)),
        links: compact(parts.links, |l| exact(&mut l.dest)),
        html_ids: compact(parts.html_ids, |h| exact(&mut h.id)),
        problems,
        texts: compact(parts.texts, exact),
        text_hash: src.hash,
        extra: fm.extra,
        body: Arc::new(parts.html),
        layout: Arc::new(parts.layout),
        blocks: parts.blocks,
    })
}

/// The playbook's slug, from its front matter or else its path, and where
/// a problem with it is shown.
fn slug_of(src: &SourceFile, fm: &FrontMatter) -> Result<(String, Position), Diagnostic> {
    let position = if fm.slug.is_some() { Position::of_key(&src.text, "slug") } else { Position::START };
    let slug = match &fm.slug {
        Some(s) => slug_from_front_matter(s).map_err(|msg| {
            Diagnostic::error(&src.path, position, msg)
                .with_hint("a slug is a plain name like `hiring-loop`, or folders and a name like `people/hiring-loop`")
        })?,
        None => slug_from_path(&src.stem_path),
    };
    if slug.is_empty() {
        return Err(Diagnostic::error(&src.path, Position::START, "the file name gives an empty slug")
            .with_hint("rename the file to contain letters or digits, or set `slug` in the front matter"));
    }
    check_slug_length(&slug).map_err(|msg| {
        Diagnostic::error(&src.path, position, msg).with_hint("set a shorter `slug` in the front matter")
    })?;
    Ok((slug, position))
}

/// The playbook's track: from the front matter, else the H1's `track:`
/// prefix, else its folder, else the default; or why its name is too long.
fn track_of(src: &SourceFile, fm: &FrontMatter, from_h1: Option<&str>) -> Result<Track, String> {
    let name = fm
        .track
        .clone()
        .or_else(|| from_h1.map(track_words))
        .or_else(|| src.stem_path.rsplit_once('/').map(|(dir, _)| track_words(dir.rsplit('/').next().unwrap_or(dir))))
        .unwrap_or_else(|| DEFAULT_TRACK.to_string());
    let slug = match slugify(&name) {
        s if s.is_empty() => slugify(DEFAULT_TRACK),
        s => s,
    };
    check_name_length("track", &name, &slug)?;
    Ok(Track { name, slug })
}

/// `items` without the spare room their growth left, in them or around
/// them: the model of every playbook is held for the whole build. They are
/// copied to blocks of their size, as shrinking in place frees nothing: the
/// allocator keeps a block that shrinks by less than half.
fn compact<T>(items: Vec<T>, mut shrink: impl FnMut(&mut T)) -> Arc<[T]> {
    items
        .into_iter()
        .map(|mut item| {
            shrink(&mut item);
            item
        })
        .collect()
}

fn exact(text: &mut String) {
    if text.capacity() > text.len() {
        *text = text.as_str().into();
    }
}

/// The H1 convention `track: Title (Level)`.
#[derive(Debug, PartialEq)]
struct TitleLine {
    track: Option<String>,
    title: String,
    level: Option<String>,
}

impl TitleLine {
    /// `folder` is the name of the folder the playbook is in, if any.
    fn parse(h1: &str, folder: Option<&str>) -> TitleLine {
        let (track, rest) = match h1.split_once(':') {
            Some((t, rest)) if is_track_name(t.trim(), folder) && !rest.trim().is_empty() => {
                (Some(t.trim().to_string()), rest)
            }
            _ => (None, h1),
        };
        let rest = rest.trim();
        let (title, level) = match rest.strip_suffix(')').and_then(|r| r.rsplit_once('(')) {
            Some((title, level)) if !title.trim().is_empty() && is_level(title, level.trim()) => {
                (title.trim(), Some(level.trim().to_string()))
            }
            _ => (rest, None),
        };
        TitleLine { track, title: title.to_string(), level: level.filter(|l| !l.is_empty()) }
    }
}

/// Whether the words before an H1's colon name a track: a name written like
/// a file name (`career_strategy`, `people`), or the name of the playbook's
/// folder. Other words are the start of a title: `Delegation: Letting Go`.
fn is_track_name(name: &str, folder: Option<&str>) -> bool {
    let file_like = name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    !name.is_empty() && (file_like || folder.is_some_and(|f| slugify(f) == slugify(name)))
}

/// Whether the `(…)` ending an H1 is a level (`Deep Dive`, `Core`, `L5`)
/// rather than part of the title: a year, or the words an abbreviation of
/// the title stands for (`Working with PMs (Product Managers)`), is not.
fn is_level(title: &str, level: &str) -> bool {
    let initials: String =
        level.split_whitespace().filter_map(|w| w.chars().next()).flat_map(char::to_uppercase).collect();
    let abbreviates = |word: &str| {
        let capitals: String = word.chars().filter(|c| c.is_uppercase()).collect();
        capitals.chars().count() >= 2 && capitals == initials
    };
    !level.chars().all(|c| c.is_ascii_digit()) && !title.split_whitespace().any(abbreviates)
}

fn title_from_stem(stem_path: &str) -> String {
    words(stem_path.rsplit('/').next().unwrap_or(stem_path))
}

/// A track named like a file, as an H1 prefix or a folder gives it
/// (`career_strategy`, `people`), is shown as words: "Career Strategy".
/// A name with capitals or spaces is spelled as the author wants it.
fn track_words(name: &str) -> String {
    if name.chars().any(|c| c.is_uppercase() || c.is_whitespace()) { name.to_string() } else { words(name) }
}

/// `hiring_loop` as "Hiring Loop".
fn words(name: &str) -> String {
    let words: Vec<String> = name
        .split(['_', '-', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
        })
        .collect();
    words.join(" ")
}

/// `people/hiring_loop` gives `people/hiring-loop`.
pub fn slug_from_path(stem_path: &str) -> String {
    stem_path.split('/').map(slugify).filter(|s| !s.is_empty()).collect::<Vec<_>>().join("/")
}

/// A slug from front matter must stay inside the site: no `..`, no absolute
/// path, no control characters.
fn slug_from_front_matter(raw: &str) -> Result<String, String> {
    if raw.chars().any(char::is_control) {
        return Err(format!("slug {raw:?} contains control characters"));
    }
    if raw.starts_with('/') || raw.starts_with('\\') || raw.contains(':') {
        return Err(format!("slug {raw:?} is an absolute path; pages must stay inside the output folder"));
    }
    if raw.split(['/', '\\']).any(|seg| seg.trim() == ".." || seg.trim() == ".") {
        return Err(format!("slug {raw:?} uses `.` or `..`; pages must stay inside the output folder"));
    }
    let slug = slug_from_path(&raw.replace('\\', "/"));
    if slug.is_empty() {
        return Err(format!("slug {raw:?} has no letters or digits"));
    }
    Ok(slug)
}

/// The most bytes a file system takes for one file or folder name.
const MAX_NAME_BYTES: usize = 255;

/// The most bytes of a page's path, so that with the output folder's own
/// path it stays well under the system's limit on a whole path (4096 bytes).
const MAX_SLUG_BYTES: usize = 1024;

fn shorten(name: &str) -> String {
    match name.char_indices().nth(32) {
        Some((at, _)) => format!("{}…", &name[..at]),
        None => name.to_string(),
    }
}

/// Every folder of a page's path must be a name the file system can create;
/// otherwise `check` passes and only writing the site fails.
fn check_slug_length(slug: &str) -> Result<(), String> {
    if let Some(long) = slug.split('/').find(|s| s.len() > MAX_NAME_BYTES) {
        return Err(format!(
            "slug {:?} has a part of {} bytes, longer than the {MAX_NAME_BYTES} bytes a file system allows for one folder name",
            shorten(long),
            long.len()
        ));
    }
    if slug.len() > MAX_SLUG_BYTES {
        return Err(format!(
            "slug {:?} is {} bytes long, longer than the {MAX_SLUG_BYTES} bytes allowed",
            shorten(slug),
            slug.len()
        ));
    }
    Ok(())
}

/// A track or tag becomes the folder `tracks/<slug>/` or `tags/<slug>/`.
fn check_name_length(what: &str, name: &str, slug: &str) -> Result<(), String> {
    if slug.len() > MAX_NAME_BYTES {
        return Err(format!(
            "{what} {:?} makes a folder name of {} bytes, longer than the {MAX_NAME_BYTES} bytes a file system allows",
            shorten(name),
            slug.len()
        ));
    }
    Ok(())
}

fn merge_story(found: Option<StoryMode>, fm: Option<StoryFields>) -> Option<StoryMode> {
    let Some(fm) = fm else { return found };
    let base = found.unwrap_or_else(|| StoryMode { anchor: "story-mode".into(), ..StoryMode::default() });
    Some(StoryMode {
        title: fm.title.or(base.title),
        icon: base.icon,
        mission_date: fm.mission_date.map(StoryText::from).or(base.mission_date),
        location: fm.location.map(StoryText::from).or(base.location),
        officer: fm.officer.map(StoryText::from).or(base.officer),
        problem: fm.problem.map(StoryText::from).or(base.problem),
        solution: fm.solution.map(StoryText::from).or(base.solution),
        quote: fm.quote.map(StoryText::from).or(base.quote),
        more: base.more,
        anchor: base.anchor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn source(stem: &str, text: &str) -> SourceFile {
        SourceFile::new(PathBuf::from(format!("playbooks/{stem}.md")), stem.into(), text.into())
    }

    #[test]
    fn the_h1_gives_track_title_and_level() {
        assert_eq!(
            TitleLine::parse("career_strategy: From Engineer to Leader (Deep Dive)", None),
            TitleLine {
                track: Some("career_strategy".into()),
                title: "From Engineer to Leader".into(),
                level: Some("Deep Dive".into()),
            }
        );
        assert_eq!(
            TitleLine::parse("Just a Title", None),
            TitleLine { track: None, title: "Just a Title".into(), level: None }
        );
    }

    #[test]
    fn a_colon_or_brackets_in_a_title_stay_in_it() {
        let parse = |h1, folder| {
            let t = TitleLine::parse(h1, folder);
            (t.track, t.title, t.level)
        };
        let owned = |t: Option<&str>, title: &str, l: Option<&str>| {
            (t.map(String::from), title.to_string(), l.map(String::from))
        };
        assert_eq!(parse("Delegation: Letting Go", Some("people")), owned(None, "Delegation: Letting Go", None));
        assert_eq!(
            parse("People: Letting Go", Some("people")),
            owned(Some("People"), "Letting Go", None),
            "the folder's name"
        );
        assert_eq!(
            parse("people: Feedback: The Hard Parts (Core)", None),
            owned(Some("people"), "Feedback: The Hard Parts", Some("Core"))
        );
        assert_eq!(
            parse("people: Working with PMs (Product Managers)", None),
            owned(Some("people"), "Working with PMs (Product Managers)", None)
        );
        assert_eq!(parse("Our Plan (2026)", None), owned(None, "Our Plan (2026)", None));
        assert_eq!(parse("Staff Engineering (L6)", None), owned(None, "Staff Engineering", Some("L6")));
    }

    #[test]
    fn front_matter_wins_over_the_h1() {
        let p = playbook(&source("x", "---\ntitle: Chosen\nlevel: Intro\n---\n# t: Inferred (Deep)\n")).unwrap();
        assert_eq!(p.title, "Chosen");
        assert_eq!(p.level.as_deref(), Some("Intro"));
        assert_eq!(p.track.name, "T");
    }

    #[test]
    fn nested_files_get_their_folder_as_slug_and_track() {
        let p = playbook(&source("people/hiring_loop", "Body only.\n")).unwrap();
        assert_eq!(p.slug, "people/hiring-loop");
        assert_eq!(p.track.name, "People");
        assert_eq!(p.title, "Hiring Loop");
    }

    #[test]
    fn a_track_named_like_a_file_is_shown_as_words_and_a_spelled_one_as_written() {
        let track = |stem: &str, text: &str| playbook(&source(stem, text)).unwrap().track;
        let seed = track("career_strategy", "# career_strategy: From Engineer to Leader (Deep Dive)\n");
        assert_eq!((seed.name.as_str(), seed.slug.as_str()), ("Career Strategy", "career-strategy"));
        assert_eq!(track("ai-leadership/x", "Body.\n").name, "Ai Leadership");
        assert_eq!(
            track("ai-leadership/x", "# AI Leadership: Title\n").name,
            "AI Leadership",
            "the folder, as spelled"
        );
        assert_eq!(track("x", "# ops_team: Title\n").name, "Ops Team");
        // Other words before a colon start the title.
        assert_eq!(track("x", "# AI leadership: Title\n").name, "General");
        assert_eq!(track("x", "---\ntrack: people_ops\n---\n").name, "people_ops", "front matter is taken as written");
    }

    #[test]
    fn a_slug_leaving_the_site_is_refused_at_its_line() {
        let e = playbook(&source("x", "---\ntitle: t\nslug: ../../etc/x\n---\n")).unwrap_err();
        assert_eq!((e.line, e.column), (3, 1));
        assert!(e.message.contains(".."), "{}", e.message);
        assert!(playbook(&source("x", "---\nslug: /abs\n---\n")).is_err());
        assert!(playbook(&source("x", "---\nslug: \"a\\u0000b\"\n---\n")).is_err());
    }

    #[test]
    fn names_too_long_for_a_folder_are_errors_at_their_line() {
        // These passed `check` and only failed when the site was written.
        let long = "a".repeat(256);
        let e = playbook(&source("x", &format!("---\ntitle: t\nslug: {long}\n---\n"))).unwrap_err();
        assert_eq!((e.line, e.column), (3, 1));
        assert!(e.message.contains("has a part of 256 bytes, longer than the 255 bytes"), "{}", e.message);
        let e = playbook(&source("x", &format!("---\nslug: {}\n---\n", ["ab"; 400].join("/")))).unwrap_err();
        assert!(e.message.contains("is 1199 bytes long"), "{}", e.message);
        let e = playbook(&source("x", &format!("---\ntitle: t\ntags: [ok, {long}]\n---\n"))).unwrap_err();
        assert_eq!((e.line, e.column), (3, 1));
        assert!(
            e.message.starts_with("tag \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…\" makes a folder name of 256 bytes"),
            "{}",
            e.message
        );
        let e = playbook(&source("x", &format!("+++\ntitle = \"t\"\ntrack = \"{long}\"\n+++\n"))).unwrap_err();
        assert_eq!((e.line, e.column), (3, 1));
        let e = playbook(&source("x", &format!("---\ntitle: t\n---\n\n# {long}: Title\n"))).unwrap_err();
        assert_eq!((e.line, e.column), (5, 1), "{}", e.message);
        // 'Ⱥ' is two bytes and its lowercase three: a file name that fits
        // can still give a slug that does not.
        let e = playbook(&source(&"Ⱥ".repeat(120), "")).unwrap_err();
        assert_eq!((e.line, e.column), (1, 1));
        assert!(e.message.contains("360 bytes"), "{}", e.message);
        // At the limit is fine.
        assert!(
            playbook(&source("x", &format!("---\nslug: {}\ntags: [{}]\n---\n", "b".repeat(255), "c".repeat(255))))
                .is_ok()
        );
    }

    #[test]
    fn story_front_matter_fills_in_over_the_briefing() {
        let p = playbook(&source(
            "x",
            "---\nstory:\n  officer: CFO\n---\n## Story Mode: S\n\n> **Officer**: CTO\n> **Location**: Boardroom\n",
        ))
        .unwrap();
        let s = p.story.unwrap();
        assert_eq!(s.officer.as_deref(), Some("CFO"));
        assert_eq!(s.location.as_deref(), Some("Boardroom"));
    }
}
