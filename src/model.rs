//! The content model: what a playbook is once it has been understood.
//!
//! Values here are produced by `parse` and only read afterwards. Ranges are
//! byte ranges into the Markdown body, kept so rendering can place the Story
//! Mode card, framework sections and contrast boxes where the author wrote them.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

use crate::diagnostic::Position;
use crate::markdown::BodyHtml;

/// One playbook page.
///
/// The body and its parts are shared (`Arc`), and copied only where the
/// link stage changes them (a section summary's link titles): `serve` keeps
/// every parsed playbook and hands each build a copy, which then costs a
/// few small strings instead of the whole body, its headings, links and
/// search text (at 10,000 playbooks, copying those was a third of a rebuild).
#[derive(Debug, Clone)]
pub struct Playbook {
    /// Relative to the project root: `playbooks/career_strategy.md`.
    pub source: PathBuf,
    /// Relative to `playbooks/`, without extension: `people/hiring_loop`.
    pub stem_path: String,
    /// The page's path on the site, without slashes at either end: `people/hiring-loop`.
    pub slug: String,
    /// Where the slug was set (the front matter's `slug` key), for messages.
    pub slug_position: Position,
    pub title: String,
    pub track: Track,
    pub level: Option<String>,
    pub tags: Vec<String>,
    /// Order within the track: weighted playbooks first, lightest first;
    /// then the rest by title (as Hugo orders pages).
    pub weight: Option<i64>,
    pub summary: Option<String>,
    pub draft: bool,
    pub story: Option<StoryMode>,
    pub sections: Arc<[Section]>,
    pub patterns: Arc<[Pattern]>,
    pub headings: Arc<[Heading]>,
    /// Every link of the body, in order.
    pub links: Arc<[LinkRef]>,
    /// Ids of the author's raw HTML, which links may point at.
    pub html_ids: Arc<[HtmlId]>,
    /// Errors that still leave the page readable (broken front matter, read
    /// as if there were none): the build fails with them, but the page is
    /// linked like the others, so links to it are not reported broken too.
    /// Warnings about parts the body meant and does not have, too.
    pub problems: Vec<crate::diagnostic::Diagnostic>,
    /// Plain text per heading, for search (see `parts::Parts::texts`).
    pub texts: Arc<[String]>,
    /// Hash of the file's text: what a rebuild compares to reuse work. Once
    /// linked, of the titles its texts show for unlabelled wiki links too.
    pub text_hash: u64,
    /// Front matter keys the handbook does not know, for templates.
    pub extra: BTreeMap<String, serde_json::Value>,
    /// The body as HTML, links as written (see [`BodyHtml::linked`]).
    pub body: Arc<BodyHtml>,
    pub layout: Arc<Layout>,
    pub blocks: Blocks,
}

impl Playbook {
    /// What the page says before its first section: the text before any
    /// heading, and under its title (the H1, which its header shows).
    pub fn opening(&self) -> impl Iterator<Item = &str> {
        let under_title =
            self.headings.iter().zip(self.texts.iter().skip(1)).filter(|(h, _)| h.level == 1 && self.is_hidden(h));
        self.texts.first().into_iter().chain(under_title.map(|(_, text)| text)).map(String::as_str)
    }

    /// Whether the page shows the heading elsewhere than in its body (the H1
    /// in its header, the Story Mode heading as the card's title).
    pub fn is_hidden(&self, h: &Heading) -> bool {
        self.layout.hidden.iter().any(|r| r.start == h.range.start)
    }

    /// The framework or exit game that `h` heads, if it heads one.
    pub fn section_of(&self, h: &Heading) -> Option<&Section> {
        self.sections.iter().find(|s| s.heading.start == h.range.start)
    }

    /// A few words for a card or a description where the author gave no
    /// summary: the opening sentences.
    pub fn excerpt(&self) -> Option<String> {
        let text = self.opening().collect::<Vec<_>>().join(" ");
        let text = crate::parts::excerpt(&text);
        (!text.is_empty()).then_some(text)
    }

    pub fn frameworks(&self) -> impl Iterator<Item = &Section> {
        self.sections.iter().filter(|s| s.kind == SectionKind::Framework)
    }

    pub fn exit_games(&self) -> impl Iterator<Item = &Section> {
        self.sections.iter().filter(|s| s.kind == SectionKind::ExitGame)
    }
}

/// Which kinds of fenced block the body has: the site publishes the code
/// colours and the diagram script only when some page needs them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Blocks {
    /// Code, shown highlighted.
    pub code: bool,
    /// Mermaid diagrams, drawn in the browser.
    pub diagrams: bool,
}

impl Blocks {
    pub fn either(self, other: Blocks) -> Blocks {
        Blocks { code: self.code || other.code, diagrams: self.diagrams || other.diagrams }
    }
}

/// A group of playbooks, such as `career_strategy` or `People`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Hash)]
pub struct Track {
    pub name: String,
    pub slug: String,
}

/// The mission briefing that opens a playbook.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Hash)]
pub struct StoryMode {
    pub title: Option<String>,
    /// A symbol written before "Story Mode" in the heading, such as 📜.
    pub icon: Option<String>,
    pub mission_date: Option<StoryText>,
    pub location: Option<StoryText>,
    pub officer: Option<StoryText>,
    pub problem: Option<StoryText>,
    pub solution: Option<StoryText>,
    pub quote: Option<StoryText>,
    /// Whatever else the briefing says, in order: other `**Label**:`
    /// fields, a field given again, paragraphs and list items. Shown on the
    /// card after the known fields, so nothing an author wrote is dropped.
    pub more: Vec<StoryLine>,
    /// The id of the card on the page (the Story Mode heading's GitHub id).
    pub anchor: String,
}

impl StoryMode {
    /// Whether the briefing says anything besides its title.
    pub fn has_fields(&self) -> bool {
        self.texts().next().is_some()
    }

    /// Every field the briefing has, in the order the card shows them.
    pub fn texts(&self) -> impl Iterator<Item = &StoryText> {
        let named = [&self.mission_date, &self.location, &self.officer, &self.problem, &self.solution, &self.quote];
        named.into_iter().flatten().chain(self.more.iter().map(|line| &line.text))
    }

    /// [`Self::texts`], to change.
    pub fn texts_mut(&mut self) -> impl Iterator<Item = &mut StoryText> {
        let named = [
            &mut self.mission_date,
            &mut self.location,
            &mut self.officer,
            &mut self.problem,
            &mut self.solution,
            &mut self.quote,
        ];
        named.into_iter().flatten().chain(self.more.iter_mut().map(|line| &mut line.text))
    }
}

/// An `id` (or an `<a>`'s `name`) in the author's raw HTML.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct HtmlId {
    pub id: String,
    /// Whether it is still there once `safe_html` has cleaned the HTML:
    /// an `<iframe id>` is not, and no link may count on it then.
    pub safe: bool,
}

/// A line of a briefing that is none of its known fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Hash)]
pub struct StoryLine {
    /// The label as written (`Budget` for `**Budget**: ...`), if it has one.
    pub label: Option<String>,
    pub text: StoryText,
}

/// A field of the briefing: its plain text (for search, teasers and
/// descriptions; what templates get as the field), and the Markdown it was
/// read from, so the card can show it formatted, its links resolved.
#[derive(Debug, Clone, Default, PartialEq, Hash)]
pub struct StoryText {
    pub text: String,
    /// The pieces of Markdown (a field may run over several lines of the
    /// blockquote), each with its byte offset in the body, where the link
    /// stage's answers are keyed. None for text from front matter, which is
    /// shown as written.
    pub markdown: Vec<(usize, String)>,
}

/// Written as its text (what a template's `story.problem` has always been).
impl Serialize for StoryText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl std::ops::Deref for StoryText {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

/// Front matter's text, with no Markdown behind it.
impl From<String> for StoryText {
    fn from(text: String) -> Self {
        StoryText { text, markdown: Vec::new() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum SectionKind {
    Framework,
    ExitGame,
}

/// A framework or an exit game: a named section that the handbook catalogs.
#[derive(Debug, Clone, PartialEq, Serialize, Hash)]
pub struct Section {
    pub kind: SectionKind,
    /// The heading without its section number: `Buy vs Build`.
    pub name: String,
    /// Stable id, independent of numbering: `buy-vs-build`.
    pub id: String,
    /// The heading's GitHub id: `22-buy-vs-build`.
    pub heading_id: String,
    /// The first words of the section, as plain text. Until the link stage
    /// is done, with a mark for each unlabelled wiki link
    /// (`Handbook::linked` reads them as titles).
    pub summary: String,
    #[serde(skip)]
    pub heading: Range<usize>,
}

/// A "Don't say / Do say" pair.
#[derive(Debug, Clone, PartialEq, Serialize, Hash)]
pub struct Pattern {
    /// The heading the pair sits under: `Speaking to Executives`.
    pub context: String,
    pub dont: String,
    #[serde(rename = "do")]
    pub do_: String,
}

/// A heading of the body with its id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub id: String,
    #[serde(skip)]
    pub range: Range<usize>,
}

/// A link as written in the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    /// Byte offset of the link in the body.
    pub offset: usize,
    /// Where it is in the file, for messages about it.
    pub position: Position,
    pub dest: String,
    pub kind: LinkKind,
    /// Whether the author wrote the text shown (always, for Markdown links).
    pub has_label: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// `[text](target)`
    Markdown,
    /// `[[target]]`
    Wiki,
    /// `![alt](file)`
    Image,
}

/// Where the parts the renderer treats specially sit in the body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layout {
    /// Blocks left out of the body because the page shows them elsewhere
    /// (the H1 in the page header, the Story Mode heading and briefing in its card).
    pub hidden: Vec<Range<usize>>,
    /// Lists of "Don't say / Do say" pairs, by the start of the list, with
    /// the pairs' indices into `Playbook::patterns`.
    pub pattern_lists: Vec<(usize, Range<usize>)>,
    /// Where the `src` of each `<img>` in raw HTML is, in order: published
    /// and pointed at like a Markdown image's.
    pub raw_images: Vec<Range<usize>>,
    /// Where the Story Mode heading is: the card goes in its place when
    /// something of the page comes before it.
    pub story_heading: Option<usize>,
}
