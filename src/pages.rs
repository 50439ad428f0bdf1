//! Every file of the site, rendered from the linked handbook: the home page,
//! one page per playbook, the framework and exit-game catalogs, track and tag
//! listings, the 404 page, the sitemap and the shared navigation script.
//!
//! Templates receive typed views built here; nothing is a string map.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use serde::Serialize;

use crate::cache::Html;
use crate::config::{BaseUrl, Config};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::handbook::{Handbook, PageId, TrackGroup};
use crate::links::LinkGraph;
use crate::map::{self, Column};
use crate::markdown;
use crate::model::{Blocks, Pattern, Playbook, SectionKind, StoryMode, StoryText};
use crate::output::{Emitted, OutputFile, Sink, StaticFiles};
use crate::paginate::{self, PagerView, Pagination};
use crate::paths;
use crate::render::{ListMarker, Lists, Renderer, count, thousands};
use crate::theme::Theme;

#[derive(Debug, Serialize, Hash)]
pub struct SiteView {
    pub title: String,
    pub description: String,
    pub author: String,
    pub language: String,
    /// Base path every URL starts with: `/` or `/handbook/`.
    pub base: String,
    /// Put after the theme's scripts' and stylesheets' addresses: see
    /// [`crate::theme::Theme::version`].
    pub assets: String,
}

#[derive(Debug, Clone, Serialize, Hash)]
struct PageView {
    title: String,
    url: String,
    description: String,
    crumbs: Vec<Crumb>,
    has_code: bool,
    /// The slug of the track a track's own page is about (its list, map or
    /// print page), for the sidebar to open that track.
    track: Option<String>,
}

#[derive(Debug, Clone, Serialize, Hash)]
struct Crumb {
    name: String,
    url: Option<String>,
}

#[derive(Debug, Clone, Serialize, Hash)]
struct LinkView<'a> {
    title: &'a str,
    url: String,
    section: Option<&'a str>,
}

#[derive(Debug, Serialize, Hash)]
struct Card<'a> {
    title: &'a str,
    url: String,
    /// Shown on a tag's rows, which mix tracks (and titles recur across them).
    track: &'a str,
    level: Option<&'a str>,
    /// The author's summary, or for a playbook with no story to tease
    /// either, its opening words: a card is never an empty box.
    summary: Option<std::borrow::Cow<'a, str>>,
    story: Option<&'a StoryMode>,
}

#[derive(Debug, Serialize)]
struct TrackView<'a> {
    name: &'a str,
    slug: &'a str,
    url: String,
    /// Its first playbooks, each through `partials/card.html`.
    playbooks: ListMarker,
    /// How many playbooks the track has; its page lists them all.
    count: usize,
    /// How many of them the home page shows.
    shown: usize,
}

/// The Story Mode card: the story's fields as text (what templates have
/// always had), and in `html` each one formatted, its links resolved.
#[derive(Debug, Serialize, Hash)]
struct StoryView<'a> {
    #[serde(flatten)]
    story: std::borrow::Cow<'a, StoryMode>,
    html: StoryHtml,
}

#[derive(Debug, Serialize, Hash)]
struct StoryHtml {
    mission_date: Option<String>,
    location: Option<String>,
    officer: Option<String>,
    problem: Option<String>,
    solution: Option<String>,
    quote: Option<String>,
    more: Vec<StoryLineHtml>,
}

#[derive(Debug, Serialize, Hash)]
struct StoryLineHtml {
    label: Option<String>,
    html: String,
}

#[derive(Debug, Serialize, Hash)]
struct TocEntry<'a> {
    level: u8,
    id: &'a str,
    text: &'a str,
}

#[derive(Debug, Serialize, Hash)]
struct PlaybookView<'a> {
    slug: &'a str,
    source: String,
    title: &'a str,
    url: String,
    track: LinkView<'a>,
    level: Option<&'a str>,
    tags: Vec<LinkView<'a>>,
    summary: Option<&'a str>,
    story: Option<StoryView<'a>>,
    /// The card is in the body, where the Story Mode section is, not at the
    /// top of the article: something of the page comes before it.
    story_in_body: bool,
    frameworks: Vec<&'a crate::model::Section>,
    exit_games: Vec<&'a crate::model::Section>,
    patterns: &'a [Pattern],
    toc: Vec<TocEntry<'a>>,
    /// The body, spliced in after Tera: it is most of the page.
    content: ListMarker,
    prev: Option<LinkView<'a>>,
    next: Option<LinkView<'a>>,
    backlinks: Vec<LinkView<'a>>,
    related: Vec<LinkView<'a>>,
    extra: Extra<'a>,
}

#[derive(Debug, Serialize, Hash)]
struct CatalogEntry<'a> {
    name: &'a str,
    anchor: String,
    url: String,
    summary: &'a str,
    playbook_title: &'a str,
    playbook_url: String,
    track: &'a str,
    referenced_by: Vec<LinkView<'a>>,
}

#[derive(Debug, Serialize)]
struct CatalogView {
    title: &'static str,
    intro: &'static str,
    /// This page's entries, each through `partials/catalog_entry.html`.
    entries: ListMarker,
    /// Entries in the whole catalog, on every page.
    count: usize,
    /// Where each initial's entries start, for a jump list.
    letters: Vec<Initial>,
    pager: PagerView,
}

#[derive(Debug, Serialize)]
struct Initial {
    letter: String,
    /// The id of its first entry.
    anchor: String,
    /// The first entry: `#id` on its own page, the page's URL and `#id` on the others.
    url: String,
}

/// A name as a catalog files it, like a library: lowercased, without a
/// leading article. Framework names are mostly "The Something Curve", and
/// sorted as written they all sat under T.
fn filing_name(name: &str) -> String {
    let name = name.trim_start().to_lowercase();
    for article in ["the ", "a ", "an "] {
        if let Some(rest) = name.strip_prefix(article)
            && !rest.trim().is_empty()
        {
            return rest.trim_start().to_string();
        }
    }
    name
}

/// The initials of entries sorted by [`filing_name`], each with the index of
/// its first entry; names not starting with a letter or digit go under `#`.
fn initials(entries: &[CatalogEntry<'_>]) -> Vec<(String, usize)> {
    let mut letters: Vec<(String, usize)> = Vec::new();
    for (k, e) in entries.iter().enumerate() {
        let letter = match filing_name(e.name).chars().next() {
            Some(c) if c.is_alphanumeric() => c.to_uppercase().collect(),
            _ => "#".to_string(),
        };
        if letters.iter().all(|(l, _)| *l != letter) {
            letters.push((letter, k));
        }
    }
    letters
}

#[derive(Debug, Serialize)]
struct ListingView {
    title: String,
    /// The folder's README or index page, rendered, for a track.
    intro: Option<Html>,
    /// Each playbook through `partials/card.html`, or `partials/row.html`
    /// when compact.
    playbooks: ListMarker,
    /// A tag's page lists its playbooks one per line; a track's shows cards.
    compact: bool,
    /// The print page with this track's playbooks alone, for a track.
    print_url: Option<String>,
    /// Playbooks in the whole list, on every page.
    count: usize,
    pager: PagerView,
}

#[derive(Serialize)]
struct HomeContext<'a> {
    site: &'a SiteView,
    page: PageView,
    tracks: Vec<TrackView<'a>>,
    /// `playbooks/README.md`, rendered.
    intro: Option<Html>,
    totals: Totals,
}

/// What the handbook holds, for its home page.
#[derive(Serialize, Hash, Clone)]
struct Totals {
    playbooks: usize,
    frameworks: usize,
    exit_games: usize,
}

#[derive(Serialize, Hash)]
struct PlaybookContext<'a> {
    site: &'a SiteView,
    page: PageView,
    playbook: PlaybookView<'a>,
}

#[derive(Serialize)]
struct CatalogContext<'a> {
    site: &'a SiteView,
    page: PageView,
    catalog: CatalogView,
}

#[derive(Serialize)]
struct ListingContext<'a> {
    site: &'a SiteView,
    page: PageView,
    listing: ListingView,
}

#[derive(Debug, Serialize, Hash)]
struct Chapter<'a> {
    anchor: String,
    /// The playbook's page, where the script fetches the chapter from.
    url: String,
    /// Put before every id of the chapter.
    prefix: String,
    title: &'a str,
    track: &'a str,
    /// For the page's script, which prints one track when asked.
    track_slug: &'a str,
    level: Option<&'a str>,
    /// Inline chapters only (relative sites); fetched ones bring their own.
    story: Option<StoryView<'a>>,
    content: Option<Html>,
}

#[derive(Serialize)]
struct PrintContext<'a> {
    site: &'a SiteView,
    page: PageView,
    print: PrintView<'a>,
}

#[derive(Serialize)]
struct PrintView<'a> {
    /// The site's title, and a track's name on a track's own print page.
    heading: String,
    lead: String,
    /// The tracks' print pages, in a handbook printed track by track.
    tracks: Vec<TrackLink>,
    /// Whether the page's script gathers the chapters from their pages.
    gathered: bool,
    /// The number of the first chapter (page 2 of a track's goes on where
    /// page 1 stopped).
    first: usize,
    contents: Vec<ContentsLine<'a>>,
    /// Each chapter through `partials/print_chapter.html`.
    chapters: ListMarker,
    /// The other pages of a track's print page, when it has more.
    pager: PagerView,
}

#[derive(Serialize)]
struct ContentsLine<'a> {
    anchor: &'a str,
    title: &'a str,
}

#[derive(Debug, Serialize, Hash)]
struct MapNode<'a> {
    title: &'a str,
    url: String,
    track: &'a str,
    /// Titles only: each is a node of the same outline, and a link per edge
    /// would make the map page the largest of the site. On a track's map, a
    /// playbook of another track is followed by that track's name.
    links_to: Vec<std::borrow::Cow<'a, str>>,
}

#[derive(Debug, Serialize)]
struct MapView {
    heading: String,
    lead: String,
    /// The picture (`map::svg`), put in where the template prints it; empty
    /// on the overview of a handbook mapped track by track.
    svg: ListMarker,
    /// Each playbook drawn, through `partials/map_node.html`.
    nodes: ListMarker,
    /// The maps of the tracks, when the handbook is mapped track by track.
    tracks: Vec<TrackLink>,
    /// The other pages of a track's map, when it has more.
    pager: PagerView,
}

/// A track's own map or print page, in a handbook that has them.
#[derive(Debug, Clone, Serialize, Hash)]
struct TrackLink {
    name: String,
    url: String,
    count: usize,
    /// On the track's own pages, its `aria-current`: "page" on the page it
    /// links to, "true" on the track's further pages.
    current: Option<&'static str>,
    /// On the map: "People (12)", each other track its playbooks link to,
    /// and how often.
    links_to: Vec<String>,
}

/// What a whole-handbook page (a map, a print page) says around what it
/// shows: the whole handbook's, one track's, or the list of the tracks'.
struct Framing {
    site_path: String,
    title: String,
    heading: String,
    lead: String,
    crumbs: Vec<Crumb>,
    tracks: Vec<TrackLink>,
    /// The slug of the track of a track's own page.
    track: Option<String>,
    /// The other pages of a track too long for one (`list_page_size`).
    pager: PagerView,
    /// The number of its first playbook in the whole list, from 1.
    first: usize,
}

impl Framing {
    /// A page of one part, with no list of the tracks and no other pages
    /// (which a track's pages add).
    fn new(site_path: String, title: String, heading: String, lead: String, crumbs: Vec<Crumb>) -> Framing {
        let (tracks, track, pager, first) = (Vec::new(), None, PagerView::single(), 1);
        Framing { site_path, title, heading, lead, crumbs, tracks, track, pager, first }
    }
}

/// The list of the tracks' pages, the one at `own` marked as current: the
/// page itself on `own`'s first page, its track on the others.
fn tracks_marking(tracks: &[TrackLink], own: &str, first_page: bool) -> Vec<TrackLink> {
    let mark = if first_page { "page" } else { "true" };
    tracks.iter().map(|t| TrackLink { current: (t.url == own).then_some(mark), ..t.clone() }).collect()
}

#[derive(Serialize)]
struct MapContext<'a> {
    site: &'a SiteView,
    page: PageView,
    map: MapView,
}

#[derive(Serialize, Hash)]
struct BareContext<'a> {
    site: &'a SiteView,
    page: PageView,
}

/// The page listing every track, or every tag: `groups.html`.
#[derive(Serialize, Hash)]
struct GroupsContext<'a> {
    site: &'a SiteView,
    page: PageView,
    groups: Vec<GroupView<'a>>,
}

#[derive(Serialize, Hash)]
struct GroupView<'a> {
    name: &'a str,
    url: String,
    /// Its playbooks.
    count: usize,
}

/// Front matter keys the handbook does not know, for templates. JSON values
/// have no `Hash`; their text stands in for them in cache keys.
#[derive(Debug)]
struct Extra<'a>(&'a BTreeMap<String, serde_json::Value>);

impl Serialize for Extra<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl std::hash::Hash for Extra<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        serde_json::to_string(self.0).unwrap_or_default().hash(h);
    }
}

/// Cards per track on the home page: enough to show what a track holds, and
/// the home page stays the same size however many playbooks there are.
const HOME_CARDS: usize = 12;

/// What a playbook's ids start with on a page that holds many playbooks
/// (the catalogs, the print page), so that they stay unique there.
fn id_prefix(slug: &str) -> String {
    format!("{}--", slug.replace('/', "-"))
}

/// A page of a relative site with the root placeholder replaced by its way
/// to the root: `people/a/index.html` gets `../../`. The 404 page is served
/// at any depth, so it keeps links from the server's root.
fn relative_links(path: &str, html: &[u8]) -> Vec<u8> {
    let prefix = match path.matches('/').count() {
        _ if path == "404.html" => "/".to_string(),
        0 => "./".to_string(),
        depth => "../".repeat(depth),
    };
    let html = String::from_utf8_lossy(html).replace(crate::config::ROOT_PLACEHOLDER, &prefix);
    if path == "404.html" {
        return html.into_bytes();
    }
    // Opened from disk, a folder URL shows a file listing, not its page:
    // internal links name `index.html` explicitly.
    let mut out = String::with_capacity(html.len() + html.len() / 50);
    let mut rest = html.as_str();
    while let Some(i) = rest.find("href=\"") {
        let (head, tail) = rest.split_at(i + 6);
        out.push_str(head);
        let end = tail.find('"').unwrap_or(tail.len());
        let url = &tail[..end];
        let internal = url.starts_with("./") || url.starts_with("../");
        let (path, anchor) = url.split_once('#').map_or((url, None), |(p, a)| (p, Some(a)));
        let (path, query) = path.split_once('?').map_or((path, None), |(p, q)| (p, Some(q)));
        out.push_str(path);
        if internal && path.ends_with('/') {
            out.push_str("index.html");
        }
        if let Some(q) = query {
            out.push('?');
            out.push_str(q);
        }
        if let Some(a) = anchor {
            out.push('#');
            out.push_str(a);
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out.into_bytes()
}

/// Takes each page of a group (the home page, a catalog's, the listings,
/// the maps, the print pages) as soon as it is made, so that a one-shot
/// build never holds a group whole.
type Made<'m> = &'m (dyn Fn(Result<OutputFile, Diagnostic>) + Sync);

/// A file, or group of pages, this large (a catalog, the maps, the search
/// index at scale) leaves megabytes behind once written.
const BIG_FILE: usize = 1 << 20;

/// What a playbook page is made from, hashed without making its context:
/// the playbook's text (its title, tags, story, headings, patterns and
/// front matter), where it is, its track and linked summaries, its body,
/// and the titles and places of its neighbours, back-links and related
/// playbooks.
struct PlaybookInputs<'s, 'a> {
    site: &'s Site<'a>,
    id: PageId,
    /// The body's key (see [`crate::cache::Html`]).
    content: u64,
}

impl std::hash::Hash for PlaybookInputs<'_, '_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        let Site { handbook, links, view, .. } = self.site;
        let p = &handbook.playbooks[self.id];
        let page = |id: PageId| self.site.link_shown(id);
        (view, p.text_hash, &p.source, &p.slug, &p.track, &p.sections, self.content).hash(h);
        let n = handbook.playbooks.len();
        // A neighbour's track shows when it is another.
        let neighbour = |k: PageId| (page(k), &handbook.playbooks[k].track.slug);
        ((self.id > 0).then(|| neighbour(self.id - 1)), (self.id + 1 < n).then(|| neighbour(self.id + 1))).hash(h);
        let backlinks = &links.backlinks[self.id];
        backlinks.len().hash(h);
        for b in backlinks {
            (page(b.from), &b.section).hash(h);
        }
        let related = links.related.get(self.id).map_or(&[][..], Vec::as_slice);
        related.len().hash(h);
        for &other in related {
            page(other).hash(h);
        }
    }
}

/// What a catalog page is made from: every entry's fields and the title and
/// place of each page referring to it, hashed as they are, without making
/// the entries (30,000 at 10,000 playbooks).
struct CatalogInputs<'s, 'a> {
    site: &'s Site<'a>,
    kind: SectionKind,
}

/// What one page of a catalog is made from: the whole catalog (any change
/// can move entries from page to page), hashed once for all its pages, and
/// which page this is.
struct CatalogPage<'k, 's, 'a> {
    whole: &'k OnceLock<u64>,
    inputs: &'k CatalogInputs<'s, 'a>,
    page: usize,
    pagination: Pagination,
}

impl std::hash::Hash for CatalogPage<'_, '_, '_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.whole.get_or_init(|| crate::cache::hash_of(self.inputs)).hash(h);
        (self.page, self.pagination.pages, self.pagination.range(self.page, usize::MAX)).hash(h);
    }
}

impl std::hash::Hash for CatalogInputs<'_, '_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        let Site { handbook, links, view, .. } = self.site;
        (view, self.kind).hash(h);
        for (id, p) in handbook.playbooks.iter().enumerate() {
            for s in p.sections.iter().filter(|s| s.kind == self.kind) {
                (&p.slug, &p.title, &p.track.name, &s.name, &s.id, &s.summary).hash(h);
                let refs = links.section_refs.get(id, &s.id);
                refs.len().hash(h);
                for &from in refs {
                    self.site.link_shown(from).hash(h);
                }
            }
        }
    }
}

/// Shared inputs of every page.
pub struct Site<'a> {
    pub handbook: &'a Handbook,
    pub cache: &'a crate::cache::Cache,
    pub links: &'a LinkGraph,
    pub config: &'a Config,
    pub base: &'a BaseUrl,
    pub view: SiteView,
    pub renderer: &'a Renderer,
}

impl<'a> Site<'a> {
    pub fn new(
        handbook: &'a Handbook,
        links: &'a LinkGraph,
        config: &'a Config,
        base: &'a BaseUrl,
        renderer: &'a Renderer,
        cache: &'a crate::cache::Cache,
        assets: String,
    ) -> Self {
        let view = SiteView {
            title: config.title.clone(),
            description: config.description.clone(),
            author: config.author.clone(),
            language: config.language.clone(),
            base: base.path.clone(),
            assets,
        };
        Site { handbook, cache, links, config, base, view, renderer }
    }

    fn url(&self, site_path: &str) -> String {
        [self.base.path.as_str(), site_path].concat()
    }

    /// The previous or next playbook of `id`, with its track when that is
    /// another: the pager goes on across tracks, and says so.
    fn neighbour(&self, id: PageId, other: PageId) -> LinkView<'a> {
        let track = &self.handbook.playbooks[other].track;
        let crossing = track.slug != self.handbook.playbooks[id].track.slug;
        self.page_link(other, crossing.then_some(track.name.as_str()))
    }

    fn page_link(&self, id: PageId, section: Option<&'a str>) -> LinkView<'a> {
        LinkView { title: &self.handbook.page(id).title, url: self.url(&self.handbook.site_path(id)), section }
    }

    /// What [`Self::page_link`] shows of page `id` besides the base path,
    /// for the keys that stand for a page's links without making them.
    fn link_shown(&self, id: PageId) -> (&'a str, String) {
        (&self.handbook.page(id).title, self.handbook.site_path(id))
    }

    fn card(&self, p: &'a Playbook) -> Card<'a> {
        Card {
            title: &p.title,
            url: self.url(&paths::playbook(&p.slug)),
            track: &p.track.name,
            level: p.level.as_deref(),
            summary: match (&p.summary, &p.story) {
                (Some(summary), _) => Some(summary.into()),
                (None, None) => p.excerpt().map(Into::into),
                (None, Some(_)) => None,
            },
            story: p.story.as_ref(),
        }
    }

    fn page(&self, title: &str, site_path: &str, crumbs: Vec<Crumb>) -> PageView {
        PageView {
            title: title.to_string(),
            url: self.url(site_path),
            description: self.view.description.clone(),
            crumbs,
            has_code: false,
            track: None,
        }
    }

    fn home_crumb(&self) -> Crumb {
        Crumb { name: "Home".into(), url: Some(self.url("")) }
    }

    /// Playbook pages rendered per job at most (see `emit`).
    const PAGES_PER_JOB: usize = 16;

    /// Renders every file of the site into `sink` as it is made, and lists
    /// what was emitted. Each playbook page goes out as soon as it is
    /// rendered, so a build holds a few pages at a time, not the site.
    pub fn emit(&self, theme: &Theme, sink: &dyn Sink, statics: &StaticFiles, diags: &mut Diagnostics) -> Vec<Emitted> {
        let emitted = std::sync::Mutex::new(Vec::with_capacity(self.handbook.playbooks.len() + 64));
        let put = |file: OutputFile| {
            let file = if self.base.relative && file.path.ends_with(".html") {
                OutputFile::new(&file.path, relative_links(&file.path, &file.bytes))
            } else {
                file
            };
            crate::cache::lock(&emitted).push(statics.emitted(&file));
            let big = file.bytes.len() > BIG_FILE;
            sink.put(file);
            if big {
                crate::memory::release_freed_memory();
            }
        };
        let n = self.handbook.playbooks.len();
        // Landing pages (folder READMEs) are few; their bodies are kept for
        // the home and track pages they introduce.
        let landings: Vec<Html> = (n..self.handbook.page_count()).map(|id| self.body(id)).collect();
        let intro = |id: PageId| landings[id - n].clone();
        // What the on-demand assets are needed for, over every page.
        let blocks =
            (0..self.handbook.page_count()).fold(Blocks::default(), |b, id| b.either(self.handbook.page(id).blocks));
        let needs = |asset: &str| crate::theme::ON_DEMAND.iter().any(|(a, needed)| *a == asset && needed(&blocks));
        // The whole-handbook pages and files are megabytes each at scale. They
        // are made a group after another, alongside the playbook pages (which
        // take a few kilobytes each), and each is written as soon as it is
        // made, so the build holds a few of them at once, never a group.
        // Playbook pages go in small jobs: the whole-handbook side waits on
        // its own parallel parts by taking on other jobs, and a job of half
        // the remaining pages held it up until the pages were all done, with
        // the rest of it left to one core.
        let (pages, whole): (Vec<Diagnostic>, Vec<Diagnostic>) = rayon::join(
            || {
                (0..n)
                    .into_par_iter()
                    .with_max_len(Self::PAGES_PER_JOB)
                    .filter_map(|id| self.playbook_page(id, self.body(id)).map(&put).err())
                    .collect()
            },
            || self.whole_handbook(&put, &intro, &needs),
        );
        diags.extend(pages);
        diags.extend(whole);
        self.site_files(theme, &put, &needs);
        if self.base.origin.is_some() {
            // Every page the build made (not `static/`'s, copied later): a
            // list of the pages kept apart from the code that makes them
            // missed some.
            let mut pages: Vec<String> = crate::cache::lock(&emitted)
                .iter()
                .filter_map(|e| e.path.strip_suffix("index.html"))
                .filter(|folder| folder.is_empty() || folder.ends_with('/'))
                .map(str::to_string)
                .collect();
            pages.sort_unstable();
            put(OutputFile::new("sitemap.xml", self.sitemap(&pages)));
        }
        let mut emitted = emitted.into_inner().unwrap_or_else(|e| e.into_inner());
        // Files arrive in whatever order the threads finish them.
        emitted.sort_by(|a, b| a.path.cmp(&b.path));
        emitted
    }

    /// The pages and files made from the whole handbook, a group after
    /// another, each put out as it is made; the problems met.
    fn whole_handbook(
        &self,
        put: &(dyn Fn(OutputFile) + Sync),
        intro: &(dyn Fn(PageId) -> Html + Sync),
        needs: &dyn Fn(&str) -> bool,
    ) -> Vec<Diagnostic> {
        // The pages of a catalog, the maps or the print pages come to
        // megabytes at scale (a relative site's print pages hold every
        // playbook's text); once a group is written, the memory it took
        // goes back.
        use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
        let errors = std::sync::Mutex::new(Vec::new());
        let group_bytes = AtomicUsize::new(0);
        let made = |m: Result<OutputFile, Diagnostic>| match m {
            Ok(file) => {
                group_bytes.fetch_add(file.bytes.len(), Relaxed);
                put(file);
            }
            Err(d) => crate::cache::lock(&errors).push(d),
        };
        let group = |make: &dyn Fn(Made)| {
            group_bytes.store(0, Relaxed);
            make(&made);
            if group_bytes.load(Relaxed) > BIG_FILE {
                crate::memory::release_freed_memory();
            }
        };
        group(&|made| {
            made(self.home(self.handbook.home_landing().map(intro)));
            made(self.not_found());
        });
        group(&|made| self.maps(made));
        for kind in [SectionKind::Framework, SectionKind::ExitGame] {
            group(&|made| self.catalog(kind, made));
        }
        group(&|made| self.listings(intro, made));
        group(&|made| self.group_indexes().into_iter().for_each(made));
        group(&|made| self.prints(needs("assets/syntax.css"), made));
        for file in self.nav_scripts() {
            put(file);
        }
        for file in self.search_index().iter() {
            put(file.clone());
        }
        errors.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    /// The files every site has besides its pages: the theme's assets (an
    /// on-demand one only where a page needs it), the markers and CNAME.
    fn site_files(&self, theme: &Theme, put: &dyn Fn(OutputFile), needs: &dyn Fn(&str) -> bool) {
        for (name, bytes) in &theme.assets {
            let on_demand = crate::theme::ON_DEMAND.iter().any(|(asset, _)| asset == name);
            if !on_demand || needs(name) {
                put(OutputFile::new(name, bytes.as_ref()));
            }
        }
        put(OutputFile::new(".nojekyll", Vec::new()));
        put(OutputFile::new(crate::output::MARKER, crate::output::MARKER_TEXT));
        if let Some(cname) = &self.config.cname {
            put(OutputFile::new("CNAME", format!("{cname}\n")));
        }
    }

    /// A page through its template, unless the same context was rendered
    /// before (then the cached bytes are reused).
    fn render<T: Serialize + std::hash::Hash>(
        &self,
        template: &str,
        site_path: &str,
        ctx: &T,
    ) -> Result<OutputFile, Diagnostic> {
        self.render_spliced(template, site_path, Lists::default(), ctx)
    }

    /// [`Self::render`] for a context holding markers of `lists`.
    fn render_spliced<'l, T: Serialize + std::hash::Hash>(
        &'l self,
        template: &str,
        site_path: &str,
        lists: Lists<'l>,
        ctx: &T,
    ) -> Result<OutputFile, Diagnostic> {
        self.render_from(template, site_path, ctx, |l| {
            *l = lists;
            Ok(ctx)
        })
    }

    /// [`Self::render`] for a page whose context is costly to make (it renders
    /// long lists): `inputs` decide whether the cached page is still good, and
    /// `ctx` is only called when it is not.
    fn render_from<'l, K: std::hash::Hash, T: Serialize>(
        &'l self,
        template: &str,
        site_path: &str,
        inputs: &K,
        ctx: impl FnOnce(&mut Lists<'l>) -> Result<T, Diagnostic>,
    ) -> Result<OutputFile, Diagnostic> {
        let out = paths::file(site_path);
        let key = || crate::cache::hash_of(&(template, inputs));
        let bytes = self.cache.page(&out, key, || {
            let mut lists = Lists::default();
            let ctx = ctx(&mut lists)?;
            lists.splice(self.renderer.render(template, &ctx)?)
        });
        // A template fails on one page's values (a playbook without the
        // `extra` key another has): the message says which page.
        let bytes = bytes.map_err(|mut d| {
            d.message = format!("{} (making {out})", d.message.trim_end_matches('.'));
            d
        })?;
        Ok(OutputFile::shared(&out, bytes))
    }

    /// Page `id`'s story card, its fields formatted and linked as its body is.
    fn story(&self, id: PageId, story: Option<std::borrow::Cow<'a, StoryMode>>) -> Option<StoryView<'a>> {
        let story = story?;
        let rewrites = &self.links.rewrites[id];
        let html = |t: &StoryText| {
            let raw_images = &self.handbook.page(id).layout.raw_images;
            let html = markdown::story_html(&t.markdown, &t.text, raw_images).linked(rewrites);
            if self.config.safe_html { crate::sanitize::clean(&html) } else { html }
        };
        let field = |f: &Option<StoryText>| f.as_ref().map(html);
        let html = StoryHtml {
            mission_date: field(&story.mission_date),
            location: field(&story.location),
            officer: field(&story.officer),
            problem: field(&story.problem),
            solution: field(&story.solution),
            quote: field(&story.quote),
            more: story.more.iter().map(|l| StoryLineHtml { label: l.label.clone(), html: html(&l.text) }).collect(),
        };
        Some(StoryView { story, html })
    }

    /// A page's body as HTML, reused when its text and links are unchanged.
    fn body(&self, id: PageId) -> Html {
        let p = self.handbook.page(id);
        let rewrites = &self.links.rewrites[id];
        // The HTML comes from the file's text alone.
        let key = || crate::cache::hash_of(&(p.text_hash, rewrites, self.config.safe_html));
        self.cache.body(&p.source, key, || {
            let html = p.body.linked(rewrites);
            if self.config.safe_html { crate::sanitize::clean(&html) } else { html }
        })
    }

    fn playbook_page(&self, id: PageId, content: Html) -> Result<OutputFile, Diagnostic> {
        let site_path = paths::playbook(&self.handbook.playbooks[id].slug);
        // The context is made only when the page is rendered: `serve` checks
        // the inputs of 10,000 pages on every rebuild.
        let inputs = PlaybookInputs { site: self, id, content: content.key };
        self.render_from("playbook.html", &site_path, &inputs, |lists| {
            let p = &self.handbook.playbooks[id];
            let story = self.story(id, p.story.as_ref().map(std::borrow::Cow::Borrowed));
            let in_body = story.is_some() && content.html.contains(markdown::STORY_MARK);
            let content = match &story {
                Some(story) if in_body => self.with_story_card(story, content)?,
                _ => content,
            };
            Ok(self.playbook_context(id, &site_path, lists.fragment(content), story, in_body))
        })
    }

    /// The body with the Story Mode card where its section is.
    fn with_story_card(&self, story: &StoryView<'_>, content: Html) -> Result<Html, Diagnostic> {
        let cards = std::slice::from_ref(story);
        let card: String =
            self.renderer.render_each("partials/story_card.html", &self.view, cards).collect::<Result<_, _>>()?;
        Ok(Html { key: content.key, html: Arc::new(content.html.replacen(markdown::STORY_MARK, &card, 1)) })
    }

    /// What `playbook.html` is given for playbook `id`, its body at `content`.
    fn playbook_context(
        &self,
        id: PageId,
        site_path: &str,
        content: ListMarker,
        story: Option<StoryView<'a>>,
        story_in_body: bool,
    ) -> PlaybookContext<'_> {
        let p = &self.handbook.playbooks[id];
        let track_url = self.url(&paths::track(&p.track.slug));
        let mut page = self.page(
            &p.title,
            site_path,
            vec![
                self.home_crumb(),
                Crumb { name: p.track.name.clone(), url: Some(track_url.clone()) },
                Crumb { name: p.title.clone(), url: None },
            ],
        );
        page.has_code = p.blocks.code;
        // The sidebar opens the page's track; in a big handbook it knows
        // the track's playbooks only once it has loaded their list.
        page.track = Some(p.track.slug.clone());
        let problem = p.story.as_ref().and_then(|s| s.problem.as_deref());
        if let Some(d) = p.summary.clone().or_else(|| problem.map(str::to_string)).or_else(|| p.excerpt()) {
            page.description = d;
        }
        // The Story Mode card opens the article, right under the contents:
        // listing it there would point one line down. In the body, it is
        // listed where its section is.
        let card = p.story.as_ref().map(|s| s.anchor.as_str()).filter(|_| !story_in_body);
        let toc: Vec<TocEntry<'_>> = p
            .headings
            .iter()
            .filter(|h| (2..=3).contains(&h.level) && !h.id.is_empty() && Some(h.id.as_str()) != card)
            .map(|h| TocEntry { level: h.level, id: &h.id, text: &h.text })
            .collect();
        let n = self.handbook.playbooks.len();
        let view = PlaybookView {
            slug: &p.slug,
            source: p.source.to_string_lossy().replace('\\', "/"),
            title: &p.title,
            url: self.url(site_path),
            track: LinkView { title: &p.track.name, url: track_url, section: None },
            level: p.level.as_deref(),
            tags: p
                .tags
                .iter()
                .map(|t| LinkView { title: t, url: self.url(&paths::tag(&crate::slug::slugify(t))), section: None })
                .collect(),
            summary: p.summary.as_deref(),
            story,
            story_in_body,
            frameworks: p.frameworks().collect(),
            exit_games: p.exit_games().collect(),
            patterns: &p.patterns,
            toc,
            content,
            prev: (id > 0).then(|| self.neighbour(id, id - 1)),
            next: (id + 1 < n).then(|| self.neighbour(id, id + 1)),
            backlinks: self.links.backlinks[id]
                .iter()
                // "Giving Feedback in Giving Feedback" says the section once too often.
                .map(|b| {
                    let under = b.section.as_ref().filter(|u| u.name != self.handbook.page(b.from).title);
                    let mut link = self.page_link(b.from, under.map(|u| u.name.as_str()));
                    // To where the link is, on the referring page.
                    if let Some(u) = under {
                        link.url.push('#');
                        link.url.push_str(&u.anchor);
                    }
                    link
                })
                .collect(),
            related: self
                .links
                .related
                .get(id)
                .map_or_else(Vec::new, |r| r.iter().map(|&o| self.page_link(o, None)).collect()),
            extra: Extra(&p.extra),
        };
        PlaybookContext { site: &self.view, page, playbook: view }
    }

    fn home(&self, intro: Option<Html>) -> Result<OutputFile, Diagnostic> {
        let page = self.page(&self.view.title, "", Vec::new());
        let cards: Vec<Vec<Card<'_>>> = self
            .handbook
            .tracks
            .iter()
            .map(|g| g.members.iter().take(HOME_CARDS).map(|&m| self.card(&self.handbook.playbooks[m])).collect())
            .collect();
        let names: Vec<_> = self.handbook.tracks.iter().map(|g| (&g.track, g.members.len())).collect();
        let totals = Totals {
            playbooks: self.handbook.playbooks.len(),
            frameworks: self.handbook.framework_count(),
            exit_games: self.handbook.exit_game_count(),
        };
        let inputs = (&self.view, &page, &intro, &names, &cards, &totals);
        self.render_from("index.html", "", &inputs, |lists| {
            let mut tracks = Vec::with_capacity(self.handbook.tracks.len());
            for (g, cards) in self.handbook.tracks.iter().zip(&cards) {
                tracks.push(TrackView {
                    name: &g.track.name,
                    slug: &g.track.slug,
                    url: self.url(&paths::track(&g.track.slug)),
                    playbooks: lists.list(self.renderer, "partials/card.html", &self.view, cards)?,
                    count: g.members.len(),
                    shown: cards.len(),
                });
            }
            Ok(HomeContext {
                site: &self.view,
                page: page.clone(),
                tracks,
                intro: intro.clone(),
                totals: totals.clone(),
            })
        })
    }

    /// The pages of a catalog: every framework or exit game, by name,
    /// `list_page_size` to a page.
    fn catalog(&self, kind: SectionKind, made: Made) {
        let (title, intro, first) = match kind {
            SectionKind::Framework => ("Frameworks", "Every strategic framework of every playbook.", paths::FRAMEWORKS),
            SectionKind::ExitGame => {
                ("Exit games", "Every exit game: the options compared in each playbook.", paths::EXIT_GAMES)
            }
        };
        let pagination = self.catalog_pagination(kind);
        let url = |page: usize| self.url(&paginate::site_path(first, page));
        // Made only when a page is rendered: `serve` checks the inputs on
        // every rebuild, and making the entries was most of that check. Both
        // are made once for all the pages.
        let entries = OnceLock::new();
        let whole = OnceLock::new();
        let inputs = CatalogInputs { site: self, kind };
        (1..=pagination.pages)
            .into_par_iter()
            .map(|n| {
                let site_path = paginate::site_path(first, n);
                let crumbs = vec![self.home_crumb(), Crumb { name: title.into(), url: None }];
                let page = self.list_page(title, first, n, pagination, crumbs);
                let key = CatalogPage { whole: &whole, inputs: &inputs, page: n, pagination };
                self.render_from("catalog.html", &site_path, &key, |lists| {
                    let (entries, initials) = entries.get_or_init(|| {
                        let entries = self.catalog_entries(kind);
                        let initials = initials(&entries);
                        (entries, initials)
                    });
                    let letters = initials
                        .iter()
                        .map(|&(ref letter, k)| {
                            let anchor = entries[k].anchor.clone();
                            let on = pagination.page_of(k);
                            let url = if on == n { format!("#{anchor}") } else { format!("{}#{anchor}", url(on)) };
                            Initial { letter: letter.clone(), anchor, url }
                        })
                        .collect();
                    let count = entries.len();
                    let mine = &entries[pagination.range(n, count)];
                    let listed = lists.list(self.renderer, "partials/catalog_entry.html", &self.view, mine)?;
                    let pager = pagination.view(n, url);
                    let catalog = CatalogView { title, intro, entries: listed, count, letters, pager };
                    Ok(CatalogContext { site: &self.view, page: page.clone(), catalog })
                })
            })
            .for_each(made);
    }

    /// Page `n` of the list at `first`, titled `title`, its last crumb the
    /// list's.
    fn list_page(&self, title: &str, first: &str, n: usize, pagination: Pagination, crumbs: Vec<Crumb>) -> PageView {
        let (title, site_path, crumbs) = self.nth_page(title, first, n, pagination, crumbs);
        self.page(&title, &site_path, crumbs)
    }

    /// The title, site path and crumbs of page `n` of a list. The first page
    /// is the list's own address and title; a later one says which it is,
    /// and its crumbs lead back to the first.
    fn nth_page(
        &self,
        title: &str,
        first: &str,
        n: usize,
        pagination: Pagination,
        mut crumbs: Vec<Crumb>,
    ) -> (String, String, Vec<Crumb>) {
        if n == 1 {
            return (title.to_string(), first.to_string(), crumbs);
        }
        if let Some(list) = crumbs.last_mut() {
            list.url = Some(self.url(first));
        }
        crumbs.push(Crumb { name: format!("Page {n}"), url: None });
        (format!("{title}, page {n} of {}", pagination.pages), paginate::site_path(first, n), crumbs)
    }

    /// Page `n` of a track's map or print page of `items` playbooks, framed
    /// as `first` (the track's first page), with its pager.
    fn framing_page(&self, first: Framing, n: usize, pagination: Pagination, items: usize) -> Framing {
        let pager = pagination.view(n, |k| self.url(&paginate::site_path(&first.site_path, k)));
        let (title, site_path, crumbs) = self.nth_page(&first.title, &first.site_path, n, pagination, first.crumbs);
        let lead = if pagination.pages > 1 {
            format!("{} Page {} of {}.", first.lead, thousands(n as i64), thousands(pagination.pages as i64))
        } else {
            first.lead
        };
        let first_item = pagination.range(n, items).start + 1;
        Framing { site_path, title, lead, crumbs, pager, first: first_item, ..first }
    }

    /// How a catalog splits into pages, from its count alone.
    fn catalog_pagination(&self, kind: SectionKind) -> Pagination {
        let count = self.handbook.playbooks.iter().flat_map(|p| p.sections.iter()).filter(|s| s.kind == kind).count();
        Pagination::new(count, self.config.list_page_size)
    }

    /// Every framework or exit game, by name.
    fn catalog_entries(&self, kind: SectionKind) -> Vec<CatalogEntry<'a>> {
        let mut entries = Vec::new();
        for (id, p) in self.handbook.playbooks.iter().enumerate() {
            let playbook_url = self.url(&paths::playbook(&p.slug));
            for s in p.sections.iter().filter(|s| s.kind == kind) {
                let refs = self.links.section_refs.get(id, &s.id);
                entries.push(CatalogEntry {
                    name: &s.name,
                    anchor: format!("{}{}", id_prefix(&p.slug), s.id),
                    url: format!("{playbook_url}#{}", s.id),
                    summary: &s.summary,
                    playbook_title: &p.title,
                    playbook_url: playbook_url.clone(),
                    track: &p.track.name,
                    referenced_by: refs.iter().map(|&from| self.page_link(from, None)).collect(),
                });
            }
        }
        // Filed once per entry, not once per comparison.
        entries.sort_by_cached_key(|e| (filing_name(e.name), e.anchor.clone()));
        entries
    }

    fn listings(&self, intro: &(dyn Fn(PageId) -> Html + Sync), made: Made) {
        let no_members = Vec::new();
        // A folder's landing page gives its track page a title and an introduction.
        let tracks = self.handbook.tracks.iter().map(|g| {
            let landing = self.handbook.landing_of_track(&g.track.slug);
            let title =
                landing.map_or_else(|| format!("Track: {}", g.track.name), |l| self.handbook.page(l).title.clone());
            (title, g.track.name.clone(), paths::track(&g.track.slug), &g.members, landing, false)
        });
        // Landing pages of folders with no playbooks still get their page.
        let lone = self.handbook.landings.iter().enumerate().filter_map(|(i, l)| {
            let slug = l.track_slug()?;
            self.handbook.tracks.iter().all(|g| g.track.slug != slug).then(|| {
                let id = self.handbook.playbooks.len() + i;
                let title = l.page.title.clone();
                (title.clone(), title, paths::track(&slug), &no_members, Some(id), false)
            })
        });
        let tags = self
            .handbook
            .tags
            .iter()
            .map(|g| (format!("Tag: {}", g.name), g.name.clone(), paths::tag(&g.slug), &g.members, None, true));
        // Each list's pages, `list_page_size` playbooks to a page.
        let pages: Vec<_> = tracks
            .chain(lone)
            .chain(tags)
            .flat_map(|(title, name, first, members, landing, compact)| {
                let pagination = Pagination::new(members.len(), self.config.list_page_size);
                (1..=pagination.pages).map(move |n| {
                    let list = (title.clone(), name.clone(), first.clone(), members, landing, compact);
                    (list, n, pagination)
                })
            })
            .collect();
        pages
            .into_par_iter()
            .map(|((title, name, first, members, landing, compact), n, pagination)| {
                let site_path = paginate::site_path(&first, n);
                // Home, then the index of all tracks or tags, then this one.
                let (index_name, index) =
                    if first.starts_with(paths::TAGS) { ("Tags", paths::TAGS) } else { ("Tracks", paths::TRACKS) };
                let index_crumb = Crumb { name: index_name.into(), url: Some(self.url(index)) };
                let crumbs = vec![self.home_crumb(), index_crumb, Crumb { name, url: None }];
                let mut page = self.list_page(&title, &first, n, pagination, crumbs);
                let track = first.strip_prefix(paths::TRACKS).map(|t| t.trim_end_matches('/'));
                page.track = track.map(str::to_string);
                // The folder's introduction opens the list, on its first page.
                let intro = landing.filter(|_| n == 1).map(intro);
                let cards: Vec<Card<'_>> = members[pagination.range(n, members.len())]
                    .iter()
                    .map(|&m| self.card(&self.handbook.playbooks[m]))
                    .collect();
                let pager = pagination.view(n, |k| self.url(&paginate::site_path(&first, k)));
                let inputs = (&self.view, &page, &title, &intro, &cards, compact, (n, pagination.pages));
                self.render_from("listing.html", &site_path, &inputs, |lists| {
                    let partial = if compact { "partials/row.html" } else { "partials/card.html" };
                    let playbooks = lists.list(self.renderer, partial, &self.view, &cards)?;
                    let print_url = track.filter(|_| !members.is_empty()).map(|slug| {
                        if self.handbook.by_track() {
                            self.url(&paths::print_of_track(slug))
                        } else {
                            format!("{}?track={slug}", self.url(paths::PRINT))
                        }
                    });
                    let count = members.len();
                    let listing = ListingView {
                        title: title.clone(),
                        intro: intro.clone(),
                        playbooks,
                        compact,
                        print_url,
                        count,
                        pager,
                    };
                    Ok(ListingContext { site: &self.view, page: page.clone(), listing })
                })
            })
            .for_each(made);
    }

    /// The whole handbook on one page, in reading order, for "save as PDF".
    /// Ids are prefixed per chapter so they stay unique on the page.
    ///
    /// Served over HTTP, the page holds the chapters' headings and its script
    /// gathers their text from the playbook pages: the text is published once,
    /// not twice (it would be a third of the site). A relative site is read
    /// from disk, where browsers refuse to fetch, so there it is inlined.
    fn print(&self, view: Framing, members: &[PageId], has_code: bool) -> Result<OutputFile, Diagnostic> {
        let inline = self.base.relative;
        let chapters: Vec<Chapter<'_>> = members
            .par_iter()
            .map(|&id| {
                let p = &self.handbook.playbooks[id];
                let prefix = id_prefix(&p.slug);
                let (story, content) = if inline {
                    let story = p.story.clone().map(|mut s| {
                        s.anchor = format!("{prefix}{}", s.anchor);
                        std::borrow::Cow::Owned(s)
                    });
                    let story = self.story(id, story);
                    let body = self.body(id);
                    // Cached beside the page's body, under its own key.
                    let key = || crate::cache::hash_of(&(body.key, &prefix));
                    let content =
                        self.cache.body(&p.source.join("#print"), key, || markdown::prefix_ids(&body.html, &prefix));
                    (story, Some(content))
                } else {
                    (None, None)
                };
                Chapter {
                    anchor: format!("{prefix}top"),
                    url: self.url(&paths::playbook(&p.slug)),
                    prefix,
                    title: &p.title,
                    track: &p.track.name,
                    track_slug: &p.track.slug,
                    level: p.level.as_deref(),
                    story,
                    content,
                }
            })
            .collect();
        let mut page = self.page(&view.title, &view.site_path, view.crumbs.clone());
        page.has_code = has_code;
        page.track = view.track.clone();
        let inputs = (&self.view, &page, &chapters, (&view.heading, &view.lead, &view.tracks, &view.pager, view.first));
        self.render_from("print.html", &view.site_path, &inputs, |lists| {
            let contents = chapters.iter().map(|c| ContentsLine { anchor: &c.anchor, title: c.title }).collect();
            let print = PrintView {
                heading: view.heading.clone(),
                lead: view.lead.clone(),
                tracks: view.tracks.clone(),
                gathered: !inline,
                first: view.first,
                contents,
                chapters: lists.list(self.renderer, "partials/print_chapter.html", &self.view, &chapters)?,
                pager: view.pager.clone(),
            };
            Ok(PrintContext { site: &self.view, page: page.clone(), print })
        })
    }

    /// The print pages: the whole handbook on one, or in a big one
    /// ([`Handbook::by_track`]), a track to a page and a list of them.
    fn prints(&self, has_code: bool, made: Made) {
        let handbook = self.handbook;
        let site = &self.view;
        let print_crumb = |url| Crumb { name: "Print".into(), url };
        let whole = |lead: String| {
            let crumbs = vec![self.home_crumb(), print_crumb(None)];
            Framing::new(paths::PRINT.into(), "Print".into(), site.title.clone(), lead, crumbs)
        };
        if !handbook.by_track() {
            let all: Vec<PageId> = (0..handbook.playbooks.len()).collect();
            return made(self.print(whole(site.description.clone()), &all, has_code));
        }
        let tracks = self.track_links(paths::print_of_track);
        let list = Framing {
            tracks: tracks.clone(),
            ..whole(format!(
                "{}, too many to print at once: print a track at a time.",
                count(handbook.playbooks.len(), "playbook")
            ))
        };
        let frame = |g: &TrackGroup, tracks| {
            let name = &g.track.name;
            let crumbs = vec![
                self.home_crumb(),
                print_crumb(Some(self.url(paths::PRINT))),
                Crumb { name: name.clone(), url: None },
            ];
            let lead = match g.members.len() {
                1 => format!("The playbook of {name}, to print or save as PDF."),
                n => format!("The {} of {name}, to print or save as PDF.", count(n, "playbook")),
            };
            let site_path = paths::print_of_track(&g.track.slug);
            Framing {
                tracks,
                track: Some(g.track.slug.clone()),
                ..Framing::new(site_path, format!("Print: {name}"), format!("{}: {name}", site.title), lead, crumbs)
            }
        };
        made(self.print(list, &[], has_code));
        self.track_by_track(&tracks, frame, |_, view, members| self.print(view, members, has_code), made);
    }

    /// A big handbook's map or print pages of each track (the caller makes
    /// the list of them), `list_page_size` playbooks to a page. `frame`
    /// says what a track's first page says around its playbooks, given the
    /// list of the tracks with its own marked; `of_track` makes a page of
    /// its playbooks `members`.
    fn track_by_track(
        &self,
        tracks: &[TrackLink],
        frame: impl Fn(&TrackGroup, Vec<TrackLink>) -> Framing + Sync,
        of_track: impl Fn(&TrackGroup, Framing, &[PageId]) -> Result<OutputFile, Diagnostic> + Sync,
        made: Made,
    ) {
        let pages: Vec<_> = self
            .handbook
            .tracks
            .iter()
            .zip(tracks)
            .flat_map(|(g, this)| {
                let pagination = Pagination::new(g.members.len(), self.config.list_page_size);
                (1..=pagination.pages).map(move |n| (g, this, n, pagination))
            })
            .collect();
        pages.into_par_iter().for_each(|(g, this, n, pagination)| {
            let first = frame(g, tracks_marking(tracks, &this.url, n == 1));
            let view = self.framing_page(first, n, pagination, g.members.len());
            made(of_track(g, view, &g.members[pagination.range(n, g.members.len())]));
        });
    }

    /// The map: the whole handbook in one picture, or in a big one
    /// ([`Handbook::by_track`]), an overview of the tracks and a map of each.
    fn maps(&self, made: Made) {
        let handbook = self.handbook;
        // The pictures depend on titles, tracks and links only; most edits
        // change none of them.
        let drawn = OnceLock::new();
        let key = || {
            *drawn.get_or_init(|| {
                let drawn: Vec<_> = handbook.playbooks.iter().map(|p| (&p.title, &p.slug, &p.track.name)).collect();
                crate::cache::hash_of(&(&drawn, &self.links.edges, &self.base.path))
            })
        };
        let n = handbook.playbooks.len();
        if !handbook.by_track() {
            let columns = map::track_per_column(handbook);
            let members: Vec<PageId> = (0..n).collect();
            return made(self.map_page(self.whole_map(n, Vec::new()), &key, &columns, &members));
        }
        let tracks = self.track_maps();
        let map_crumb = Crumb { name: "Map".into(), url: Some(self.url(paths::MAP)) };
        made(self.map_page(self.whole_map(n, tracks.clone()), &key, &[], &[]));
        let frame = |g: &TrackGroup, tracks| {
            let name = &g.track.name;
            let crumbs = vec![self.home_crumb(), map_crumb.clone(), Crumb { name: name.clone(), url: None }];
            let lead = format!("The playbooks of {name} and the links between them.");
            let site_path = paths::map_of_track(&g.track.slug);
            Framing {
                tracks,
                track: Some(g.track.slug.clone()),
                ..Framing::new(site_path, format!("Map: {name}"), format!("Map: {name}"), lead, crumbs)
            }
        };
        let of_track = |g: &TrackGroup, view, members: &[PageId]| {
            let columns = map::track_columns(&g.track.name, members);
            self.map_page(view, &key, &columns, members)
        };
        self.track_by_track(&tracks, frame, of_track, made);
    }

    /// `map/`: the picture of all `n` playbooks, or with `tracks` (a big
    /// handbook's), the list of the tracks' maps.
    fn whole_map(&self, n: usize, tracks: Vec<TrackLink>) -> Framing {
        let lead = if tracks.is_empty() {
            "Every playbook, grouped by track, and the links between them.".into()
        } else {
            format!(
                "{} in {}, too many for one picture: each track has a map of its own, \
                 listed here with how often its playbooks link to each other track.",
                count(n, "playbook"),
                count(tracks.len(), "track")
            )
        };
        let crumbs = vec![self.home_crumb(), Crumb { name: "Map".into(), url: None }];
        Framing { tracks, ..Framing::new(paths::MAP.into(), "Map".into(), "Map of the handbook".into(), lead, crumbs) }
    }

    /// Each track's map, and how often its playbooks link to each other track.
    fn track_maps(&self) -> Vec<TrackLink> {
        let tracks = &self.handbook.tracks;
        let mut track_of = vec![0; self.handbook.playbooks.len()];
        for (t, g) in tracks.iter().enumerate() {
            for &m in &g.members {
                track_of[m] = t;
            }
        }
        let mut counts = vec![vec![0usize; tracks.len()]; tracks.len()];
        for &(from, to) in &self.links.edges {
            counts[track_of[from]][track_of[to]] += 1;
        }
        let mut links = self.track_links(paths::map_of_track);
        for (t, link) in links.iter_mut().enumerate() {
            link.links_to = (0..tracks.len())
                .filter(|&o| o != t && counts[t][o] > 0)
                .map(|o| format!("{} ({})", tracks[o].track.name, count(counts[t][o], "link")))
                .collect();
        }
        links
    }

    /// Every track, each linking to its own page at `page_of` (its map or
    /// its print page).
    fn track_links(&self, page_of: fn(&str) -> String) -> Vec<TrackLink> {
        self.handbook
            .tracks
            .iter()
            .map(|g| TrackLink {
                name: g.track.name.clone(),
                url: self.url(&page_of(&g.track.slug)),
                count: g.members.len(),
                current: None,
                links_to: Vec::new(),
            })
            .collect()
    }

    /// A map page: its picture of `columns` and the outline of `members`;
    /// on a track's map (`view.track`), links to other tracks' playbooks
    /// name their track.
    fn map_page(
        &self,
        view: Framing,
        key: &(dyn Fn() -> u64 + Sync),
        columns: &[Column<'_>],
        members: &[PageId],
    ) -> Result<OutputFile, Diagnostic> {
        let url = |id: PageId| self.url(&self.handbook.site_path(id));
        let svg = if columns.is_empty() {
            Html { key: 0, html: Arc::default() }
        } else {
            // Kept in the cache under the page's address.
            let cache_name = format!("#{}", view.site_path);
            self.cache.body(std::path::Path::new(&cache_name), key, || {
                map::svg(self.handbook, columns, &self.links.edges, &url)
            })
        };
        let playbooks = &self.handbook.playbooks;
        let nodes: Vec<MapNode> = members
            .iter()
            .map(|&id| {
                let p = &playbooks[id];
                // On a track's own map every node is of that track: said once, in the heading.
                let track_shown = if view.track.is_some() { "" } else { p.track.name.as_str() };
                let links_to = crate::links::edges_from(&self.links.edges, id)
                    .iter()
                    .map(|&(_, to)| {
                        let target = &playbooks[to];
                        match view.track.as_deref() {
                            Some(own) if target.track.slug != own => {
                                format!("{} ({})", target.title, target.track.name).into()
                            }
                            _ => target.title.as_str().into(),
                        }
                    })
                    .collect();
                MapNode { title: &p.title, url: url(id), track: track_shown, links_to }
            })
            .collect();
        let mut page = self.page(&view.title, &view.site_path, view.crumbs.clone());
        page.track = view.track.clone();
        let inputs = (&self.view, &page, &svg, &nodes, (&view.heading, &view.lead, &view.tracks, &view.pager));
        self.render_from("map.html", &view.site_path, &inputs, |lists| {
            let nodes = lists.list(self.renderer, "partials/map_node.html", &self.view, &nodes)?;
            let svg = lists.fragment(svg.clone());
            let (heading, lead, tracks) = (view.heading.clone(), view.lead.clone(), view.tracks.clone());
            let map = MapView { heading, lead, svg, nodes, tracks, pager: view.pager.clone() };
            Ok(MapContext { site: &self.view, page: page.clone(), map })
        })
    }

    /// The search index's files (see [`crate::search::Index`]), made again
    /// only when a playbook's part of it changed.
    fn search_index(&self) -> Arc<Vec<OutputFile>> {
        let playbooks = &self.handbook.playbooks;
        let paths: Vec<String> = playbooks.iter().map(|p| paths::playbook(&p.slug)).collect();
        let keys: Vec<u64> = playbooks
            .iter()
            .zip(&paths)
            .map(|(p, path)| crate::cache::hash_of(&(p.text_hash, path, &p.track.name)))
            .collect();
        self.cache.memo(
            "search index",
            || crate::cache::hash_of(&keys),
            || {
                /// Playbooks whose parts are made at once, in parallel.
                const CHUNK: usize = 512;
                let mut index = crate::search::Index::default();
                for start in (0..playbooks.len()).step_by(CHUNK) {
                    let entries: Vec<Arc<crate::search::Entry>> = (start..(start + CHUNK).min(playbooks.len()))
                        .into_par_iter()
                        .map(|i| {
                            let p = &playbooks[i];
                            self.cache.search_entry(&p.source, || keys[i], || crate::search::entry(p, &paths[i]))
                        })
                        .collect();
                    entries.iter().for_each(|e| index.add(e));
                }
                Arc::new(index.finish().into_iter().map(|(path, bytes)| OutputFile::new(&path, bytes)).collect())
            },
        )
    }

    /// `tracks/` and `tags/`: every track and every tag, so that going up
    /// from a track's or a tag's page finds the others (not a 404).
    fn group_indexes(&self) -> [Result<OutputFile, Diagnostic>; 2] {
        let tracks = self.handbook.tracks.iter().map(|g| GroupView {
            name: &g.track.name,
            url: self.url(&paths::track(&g.track.slug)),
            count: g.members.len(),
        });
        let tags = self.handbook.tags.iter().map(|g| GroupView {
            name: &g.name,
            url: self.url(&paths::tag(&g.slug)),
            count: g.members.len(),
        });
        [("Tracks", paths::TRACKS, tracks.collect::<Vec<_>>()), ("Tags", paths::TAGS, tags.collect())].map(
            |(title, site_path, groups)| {
                let crumbs = vec![self.home_crumb(), Crumb { name: title.to_string(), url: None }];
                let page = self.page(title, site_path, crumbs);
                self.render("groups.html", site_path, &GroupsContext { site: &self.view, page, groups })
            },
        )
    }

    fn not_found(&self) -> Result<OutputFile, Diagnostic> {
        let page = self.page("Page not found", "404.html", Vec::new());
        self.render("404.html", "404.html", &BareContext { site: &self.view, page })
    }

    /// The sidebar's data, shared by every page instead of copied into each
    /// (`assets/nav.js`). URLs are site paths; the script puts the page's
    /// base in front. A big handbook ([`Handbook::by_track`]) lists each
    /// track's playbooks in a file of its own (`assets/nav/<track>.js`),
    /// loaded when the track is first shown: one list of 10,000 playbooks
    /// was 0.75 MB that every page loaded.
    fn nav_scripts(&self) -> Vec<OutputFile> {
        #[derive(Serialize)]
        struct NavPage<'a> {
            t: &'a str,
            u: String,
        }
        #[derive(Serialize)]
        struct NavTrack<'a> {
            n: &'a str,
            u: String,
            /// How many playbooks it has.
            c: usize,
            /// Its playbooks, or where they are listed.
            #[serde(skip_serializing_if = "Option::is_none")]
            p: Option<Vec<NavPage<'a>>>,
            #[serde(skip_serializing_if = "Option::is_none")]
            f: Option<String>,
        }
        #[derive(Serialize)]
        struct Nav<'a> {
            tracks: Vec<NavTrack<'a>>,
        }
        /// `prefix`, `value` as JSON, `suffix`: a script that hands data to the page's.
        fn script(prefix: &str, value: &impl Serialize, suffix: &str) -> Vec<u8> {
            let mut script = prefix.as_bytes().to_vec();
            // Writing JSON into memory cannot fail.
            let _ = serde_json::to_writer(crate::search::NoTagOpen(&mut script), value);
            script.extend_from_slice(suffix.as_bytes());
            script
        }
        let split = self.handbook.by_track();
        let mut files = Vec::new();
        let mut tracks = Vec::with_capacity(self.handbook.tracks.len());
        for g in &self.handbook.tracks {
            let u = paths::track(&g.track.slug);
            let entries: Vec<NavPage<'_>> = g
                .members
                .iter()
                .map(|&m| {
                    let p = &self.handbook.playbooks[m];
                    NavPage { t: &p.title, u: paths::playbook(&p.slug) }
                })
                .collect();
            let (p, f) = if split {
                let file = format!("assets/nav/{}.js", g.track.slug);
                let mut bytes = script("window.PLAYBOOK_NAV_TRACK(", &u, ",");
                bytes.extend(script("", &entries, ");\n"));
                // Asked for at what it holds, so a browser that cached an
                // earlier build's list asks for this one's. (nav.js itself
                // is not versioned, or one more playbook would change
                // every page: a browser may use its own for a while.)
                let at = format!("{file}?v={}", crate::cache::version_of(&bytes));
                files.push(OutputFile::new(&file, bytes));
                (None, Some(at))
            } else {
                (Some(entries), None)
            };
            tracks.push(NavTrack { n: &g.track.name, u, c: g.members.len(), p, f });
        }
        files.push(OutputFile::new("assets/nav.js", script("window.PLAYBOOK_NAV=", &Nav { tracks }, ";\n")));
        files
    }

    /// The sitemap of the pages at these site paths.
    fn sitemap(&self, pages: &[String]) -> String {
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for p in pages {
            if let Some(abs) = self.base.absolute(p) {
                xml.push_str(&format!("  <url><loc>{}</loc></url>\n", markdown::escape_html(&abs)));
            }
        }
        xml.push_str("</urlset>\n");
        xml
    }
}
