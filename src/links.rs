//! Resolves every link of every playbook, once, before any HTML exists.
//!
//! Wiki links (`[[target#anchor|label]]`) and relative Markdown links to
//! `.md` files become site URLs with the base path; a target or anchor that
//! does not exist is an error at the link's line and column, with a "did you
//! mean" from the closest known name. The same pass records back-links,
//! references to frameworks and exit games, and the edges of the handbook map.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::Arc;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use rayon::prelude::*;

use crate::cache::Cache;
use crate::config::BaseUrl;
use crate::diagnostic::{Diagnostic, Diagnostics, Position};
use crate::handbook::{Handbook, PageId};
use crate::markdown::{LinkRewrite, LinkRewrites};
use crate::model::{LinkKind, LinkRef, Playbook};
use crate::slug::strip_section_number;

/// One place that points at a page.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Backlink {
    pub from: PageId,
    /// The heading the link sits under, if any.
    pub section: Option<Under>,
}

/// The heading a link sits under: its text without its number, and its id,
/// so a back-link goes to where the link is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Under {
    pub name: String,
    pub anchor: String,
}

/// The pages referring to each framework or exit game, by (page, section id),
/// sorted so that the catalog looks each up without building a key.
#[derive(Debug, Default)]
pub struct SectionRefs(Vec<((PageId, String), Vec<PageId>)>);

impl SectionRefs {
    /// From (page, section id, referring page) triples in order of the
    /// referring page, which each section's list keeps.
    fn collect(mut mentions: Vec<(PageId, String, PageId)>) -> Self {
        // Stable, so the referring pages stay in order.
        mentions.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        let mut refs: Vec<((PageId, String), Vec<PageId>)> = Vec::new();
        for (page, id, from) in mentions {
            match refs.last_mut() {
                Some(((p, i), froms)) if *p == page && *i == id => froms.push(from),
                _ => refs.push(((page, id), vec![from])),
            }
        }
        SectionRefs(refs)
    }

    /// The pages referring to section `id` of `page`, in page order.
    pub fn get(&self, page: PageId, id: &str) -> &[PageId] {
        self.0.binary_search_by(|((p, i), _)| (*p, i.as_str()).cmp(&(page, id))).map_or(&[], |at| &self.0[at].1)
    }
}

/// The edges from page `from`, out of `edges` sorted as
/// [`LinkGraph::edges`] are: found by binary search, so a page of the map
/// looks at its own playbooks' links, not at every link of the handbook.
pub fn edges_from(edges: &[(PageId, PageId)], from: PageId) -> &[(PageId, PageId)] {
    let start = edges.partition_point(|&(f, _)| f < from);
    let len = edges[start..].partition_point(|&(f, _)| f == from);
    &edges[start..start + len]
}

/// Everything the renderer needs to know about links, per page.
#[derive(Debug, Default)]
pub struct LinkGraph {
    pub rewrites: Vec<Arc<LinkRewrites>>,
    pub backlinks: Vec<Vec<Backlink>>,
    /// Pages referring to each framework or exit game.
    pub section_refs: SectionRefs,
    pub related: Vec<Vec<PageId>>,
    /// Distinct (from, to) pairs between different pages, sorted.
    pub edges: Vec<(PageId, PageId)>,
    /// Files next to the playbooks that pages reference, relative to `playbooks/`.
    pub files: BTreeSet<String>,
}

/// The names a page answers to, and its anchors.
struct Index<'a> {
    handbook: &'a Handbook,
    by_name: HashMap<String, Vec<PageId>>,
    /// Per page: every id a reader can land on. Borrowed from the handbook:
    /// copies were a tenth of the build's peak memory at 10,000 playbooks.
    anchors: Vec<HashSet<&'a str>>,
    /// Per page: any anchor of a framework or exit game (stable or GitHub id) -> its stable id.
    sections: Vec<HashMap<&'a str, &'a str>>,
    base: &'a BaseUrl,
}

/// Lowercase, with `_` and spaces read as `-`: `Career_Strategy` and
/// `career-strategy` name the same page.
fn normalize(name: &str) -> String {
    name.trim().to_lowercase().replace(['_', ' '], "-")
}

/// [`normalize`], borrowing the name when it already is normalized, as
/// most link targets are (every link is looked up).
fn normalized(name: &str) -> Cow<'_, str> {
    let name = name.trim();
    if name.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase() && b != b'_' && b != b' ') {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(normalize(name))
    }
}

impl<'a> Index<'a> {
    fn new(handbook: &'a Handbook, base: &'a BaseUrl, safe_html: bool) -> Self {
        // Names are made on both cores (four lowercased copies a page) and
        // gathered in page order, so each name's pages stay in order.
        let names: Vec<BTreeSet<String>> = (0..handbook.page_count())
            .into_par_iter()
            .map(|id| {
                let p = handbook.page(id);
                if handbook.is_landing(id) {
                    // `people/README.md` answers to `people`; only folder paths
                    // are unambiguous, so the bare `readme` name is dropped.
                    let folder = p.stem_path.rsplit_once('/').map_or("", |(f, _)| f);
                    return [normalize(folder), normalize(&p.stem_path)]
                        .into_iter()
                        .filter(|n| !n.is_empty())
                        .collect();
                }
                let file_name = p.stem_path.rsplit('/').next().unwrap_or(&p.stem_path);
                let slug_tail = p.slug.rsplit('/').next().unwrap_or(&p.slug);
                [p.slug.as_str(), p.stem_path.as_str(), file_name, slug_tail].iter().map(|n| normalize(n)).collect()
            })
            .collect();
        let mut by_name: HashMap<String, Vec<PageId>> = HashMap::with_capacity(names.len() * 2);
        for (id, names) in names.into_iter().enumerate() {
            for name in names {
                by_name.entry(name).or_default().push(id);
            }
        }
        let anchors =
            (0..handbook.page_count()).into_par_iter().map(|id| page_anchors(handbook.page(id), safe_html)).collect();
        let sections = (0..handbook.page_count())
            .into_par_iter()
            .map(|id| {
                let p = handbook.page(id);
                p.sections
                    .iter()
                    .flat_map(|s| [(s.id.as_str(), s.id.as_str()), (s.heading_id.as_str(), s.id.as_str())])
                    .collect()
            })
            .collect();
        Index { handbook, by_name, anchors, sections, base }
    }

    /// The page `target` names; `Err(Some(message))` when it names several,
    /// `Err(None)` when none (each caller words that for what was written).
    fn find(&self, target: &str) -> Result<PageId, Option<String>> {
        let key = normalized(target.trim_end_matches(".md"));
        match self.by_name.get(key.as_ref()).map(Vec::as_slice) {
            Some([one]) => Ok(*one),
            Some(many) => Err(Some(format!(
                "\"{target}\" names more than one playbook ({}); write its folder too",
                many.iter().map(|&i| self.handbook.page(i).stem_path.as_str()).collect::<Vec<_>>().join(", ")
            ))),
            None => Err(None),
        }
    }

    /// [`Self::find`] for a page named in a wiki link.
    fn page(&self, target: &str) -> Result<PageId, String> {
        self.find(target).map_err(|ambiguous| {
            ambiguous.unwrap_or_else(|| {
                let names = self.handbook.playbooks.iter().map(|p| p.stem_path.as_str());
                let mut msg = format!("no playbook \"{target}\"");
                // A playbook's title is what a writer remembers of it.
                let titled = self.handbook.playbooks.iter().find(|p| p.title.eq_ignore_ascii_case(target.trim()));
                if let Some(p) = titled {
                    msg.push_str(&format!("; \"{}\" is the title of \"{}\", link to that", p.title, p.stem_path));
                } else if let Some(s) = closest(target, names) {
                    msg.push_str(&format!("; did you mean \"{s}\"?"));
                }
                msg
            })
        })
    }

    fn anchor(&self, page: PageId, anchor: &str) -> Result<String, LinkError> {
        let anchors = &self.anchors[page];
        if let Some(id) = anchors.get(anchor).or_else(|| anchors.get(anchor.to_lowercase().as_str())) {
            return Ok(id.to_string());
        }
        let p = self.handbook.page(page);
        let mut message = format!("no section \"#{anchor}\" in \"{}\"", p.stem_path);
        // A heading's text written where its id goes (`#What if? (Q&A)`).
        let as_id = [crate::slug::github_base(anchor), crate::slug::stable_id(anchor)]
            .into_iter()
            .find_map(|id| anchors.get(id.as_str()).copied());
        if let Some(s) = as_id.or_else(|| closest(anchor, anchors.iter().copied())) {
            message.push_str(&format!("; did you mean \"#{s}\"?"));
        }
        // Its sections, in page order, as the author would look for them.
        const SHOWN: usize = 8;
        // A framework or exit game by its stable id (`#buy-vs-build`).
        let id = |h: &crate::model::Heading| p.section_of(h).map_or(&h.id, |s| &s.id).clone();
        let ids: Vec<String> =
            p.headings.iter().filter(|h| h.level >= 2 && !h.id.is_empty()).map(|h| format!("#{}", id(h))).collect();
        let hint = match ids.len() {
            0 => format!("\"{}\" has no sections to link to; link to the playbook itself", p.stem_path),
            n if n > SHOWN => format!("its sections are {}, … ({n} in all)", ids[..SHOWN].join(", ")),
            _ => format!("its sections are {}", ids.join(", ")),
        };
        Err(LinkError { message, hint: hint.into() })
    }

    fn url(&self, page: PageId, anchor: Option<&str>) -> String {
        let path = self.handbook.site_path(page);
        let mut url = String::with_capacity(self.base.path.len() + path.len() + anchor.map_or(0, |a| a.len() + 1));
        url.push_str(&self.base.path);
        url.push_str(&path);
        if let Some(a) = anchor {
            url.push('#');
            url.push_str(a);
        }
        url
    }
}

/// A hash of everything a link can resolve to or show: each page's names,
/// title, anchors and their labels, the files beside the playbooks and the
/// base path. While it holds, a page whose own text is unchanged resolves
/// its links as before.
fn fingerprint(handbook: &Handbook, base: &BaseUrl) -> u64 {
    let pages: Vec<u64> = (0..handbook.page_count())
        .into_par_iter()
        .map(|id| {
            let p = handbook.page(id);
            let headings: Vec<_> = p.headings.iter().map(|h| (&h.id, &h.text)).collect();
            let sections: Vec<_> = p.sections.iter().map(|s| (&s.id, &s.heading_id, &s.name)).collect();
            let story = p.story.as_ref().map(|s| &s.anchor);
            let names = (handbook.is_landing(id), &p.slug, &p.stem_path, &p.title, handbook.site_path(id));
            crate::cache::hash_of(&(names, headings, sections, story, &p.html_ids))
        })
        .collect();
    crate::cache::hash_of(&(pages, &handbook.files, &base.path))
}

/// Every id a reader can land on.
fn page_anchors(p: &Playbook, safe_html: bool) -> HashSet<&str> {
    let headings = p.headings.iter().map(|h| h.id.as_str());
    let sections = p.sections.iter().map(|s| s.id.as_str());
    let html = p.html_ids.iter().filter(|h| h.safe || !safe_html).map(|h| h.id.as_str());
    headings.chain(sections).chain(p.story.as_ref().map(|s| s.anchor.as_str())).chain(html).collect()
}

/// The text a reader sees for an anchor of a page.
fn anchor_label(p: &Playbook, anchor: &str) -> Option<String> {
    if let Some(s) = p.sections.iter().find(|s| s.id == anchor || s.heading_id == anchor) {
        return Some(s.name.clone());
    }
    if p.story.as_ref().is_some_and(|s| s.anchor == anchor) {
        return Some("Story Mode".to_string());
    }
    p.headings.iter().find(|h| h.id == anchor).map(|h| strip_section_number(&h.text).to_string())
}

/// `javascript:`, `vbscript:` and `data:` URLs (but images as `data:image/`)
/// execute in the page; browsers ignore whitespace and case in the scheme.
fn dangerous_scheme(dest: &str, image: bool) -> Option<String> {
    let cleaned: String =
        dest.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect::<String>().to_lowercase();
    let scheme = cleaned.split_once(':')?.0;
    let dangerous = match scheme {
        "javascript" | "vbscript" => true,
        "data" => !(image && cleaned.starts_with("data:image/")),
        _ => false,
    };
    dangerous.then(|| scheme.to_string())
}

pub(crate) fn is_external(dest: &str) -> bool {
    let scheme_end = dest.find(':');
    let slash = dest.find('/');
    dest.starts_with("//")
        || matches!((scheme_end, slash), (Some(c), Some(s)) if c < s)
        || (scheme_end.is_some() && slash.is_none())
}

/// Where a link goes, or why it goes nowhere.
enum Outcome {
    Internal { page: PageId, anchor: Option<String>, rewrite: LinkRewrite },
    File { rel: String, rewrite: LinkRewrite },
    External(LinkRewrite),
    Untouched,
}

/// Resolves every link of the handbook. With `safe_html`, ids the sanitizer
/// removes from the author's HTML are not link targets.
pub fn link(handbook: &Handbook, base: &BaseUrl, safe_html: bool, cache: &Cache, diags: &mut Diagnostics) -> LinkGraph {
    let n = handbook.page_count();
    // `serve` reuses a page's resolved links while the page and everything
    // its links can resolve to (names, anchors, titles) are unchanged: most
    // edits touch one page's text, not what other pages link to.
    let keys: Option<Vec<u64>> = cache.remembers().then(|| {
        let targets = crate::cache::hash_of(&(fingerprint(handbook, base), safe_html));
        (0..n).map(|id| crate::cache::hash_of(&(targets, id, handbook.page(id).text_hash))).collect()
    });
    let source = |id: PageId| &handbook.page(id).source;
    let mut resolved: Vec<Option<Arc<PageLinks>>> =
        (0..n).into_par_iter().map(|id| keys.as_ref().and_then(|k| cache.file_result(source(id), k[id]))).collect();
    let missing: Vec<PageId> = (0..n).filter(|&id| resolved[id].is_none()).collect();
    // The index of names and anchors is made only when some page needs it.
    if !missing.is_empty() {
        let index = Index::new(handbook, base, safe_html);
        // Resolving is per page and independent, so it runs in parallel; the
        // cross-page records (back-links, references) are merged after, in order.
        let made: Vec<Arc<PageLinks>> = missing.par_iter().map(|&id| Arc::new(resolve_page(&index, id))).collect();
        for (id, links) in missing.into_iter().zip(made) {
            if let Some(keys) = &keys {
                cache.keep_file_result(source(id), keys[id], links.clone());
            }
            resolved[id] = Some(links);
        }
    }
    // Every page's links were kept or made just now.
    let resolved: Vec<Arc<PageLinks>> = resolved.into_iter().map(Option::unwrap_or_default).collect();
    // Each page's links come deduplicated and sorted by target (see
    // `resolve_page`), so pages go in order and nothing is checked twice.
    let mut edges: Vec<(PageId, PageId)> = Vec::new();
    for (from, page_links) in resolved.iter().enumerate() {
        for t in &page_links.internal {
            if edges.last() != Some(&(from, t.page)) {
                edges.push((from, t.page));
            }
        }
    }
    // Related playbooks need only the edges: they are ranked on the other
    // thread while this one merges the rest, which has to go page by page.
    let (related, mut graph) = rayon::join(
        || {
            let inputs = || {
                let tags: Vec<&Vec<PageId>> = handbook.tags.iter().map(|g| &g.members).collect();
                let tracks: Vec<&Vec<PageId>> = handbook.tracks.iter().map(|g| &g.members).collect();
                crate::cache::hash_of(&(&edges, tags, tracks))
            };
            cache.memo("related", inputs, || related(handbook, &edges))
        },
        || merge(handbook, resolved, diags),
    );
    graph.related = related;
    graph.related.resize(n, Vec::new());
    graph.edges = edges;
    graph
}

/// The pages' resolved links as one graph: back-links and references by
/// target, rewrites and errors by page.
fn merge(handbook: &Handbook, resolved: Vec<Arc<PageLinks>>, diags: &mut Diagnostics) -> LinkGraph {
    let mut graph = LinkGraph { backlinks: vec![Vec::new(); resolved.len()], ..LinkGraph::default() };
    let mut mentions = Vec::new();
    // A one-shot build owns each page's links and moves them; `serve`'s
    // cache shares them, and they are copied (all but the rewrites).
    for (from, page_links) in resolved.into_iter().map(Arc::unwrap_or_clone).enumerate() {
        graph.files.extend(page_links.files);
        for t in page_links.internal {
            if let Some(section) = t.backlink {
                graph.backlinks[t.page].push(Backlink { from, section });
            }
            if let Some(id) = t.reference {
                mentions.push((t.page, id, from));
            }
        }
        if !page_links.errors.is_empty() {
            let p = handbook.page(from);
            for (position, e) in page_links.errors {
                diags.push(Diagnostic::error(&p.source, position, e.message).with_hint(e.hint));
            }
        }
        graph.rewrites.push(page_links.rewrites);
    }
    graph.section_refs = SectionRefs::collect(mentions);
    graph
}

/// Another playbook a page links to, once per back-link it gets.
#[derive(Clone)]
struct Target {
    page: PageId,
    /// A back-link to record, with the heading the link sits under; `None`
    /// when the page already has a back-link from that heading.
    backlink: Option<Option<Under>>,
    /// A framework or exit game of the target it refers to, the first time.
    reference: Option<String>,
}

/// What the links of one page resolved to.
#[derive(Default, Clone)]
struct PageLinks {
    rewrites: Arc<LinkRewrites>,
    /// Links to other playbooks, by target page.
    internal: Vec<Target>,
    files: Vec<String>,
    /// (where the link is in the file, what is wrong)
    errors: Vec<(Position, LinkError)>,
}

fn resolve_page(index: &Index<'_>, from: PageId) -> PageLinks {
    let p = index.handbook.page(from);
    let mut rewrites = LinkRewrites::with_capacity(p.links.len());
    let mut out = PageLinks::default();
    // (target page, heading the link sits under, framework or exit game it points at)
    let mut internal: Vec<(PageId, Option<Under>, Option<String>)> = Vec::new();
    // Links come in document order, so the heading each sits under is found
    // by walking the headings once.
    let mut headings = p.headings.iter().filter(|h| h.level >= 2).peekable();
    let mut section: Option<&crate::model::Heading> = None;
    for link in p.links.iter() {
        while let Some(h) = headings.next_if(|h| h.range.start < link.offset) {
            section = Some(h);
        }
        match resolve(index, from, link) {
            Ok(Outcome::Internal { page, anchor, rewrite }) => {
                rewrites.insert(link.offset, rewrite);
                // Back-links, references and the map are about playbooks.
                if page != from && !index.handbook.is_landing(page) && !index.handbook.is_landing(from) {
                    let target_section =
                        anchor.and_then(|a| index.sections[page].get(a.as_str()).map(|s| s.to_string()));
                    let section = section
                        .map(|h| Under { name: strip_section_number(&h.text).to_string(), anchor: h.id.clone() });
                    internal.push((page, section, target_section));
                }
            }
            Ok(Outcome::File { rel, rewrite }) => {
                rewrites.insert(link.offset, rewrite);
                out.files.push(rel);
            }
            Ok(Outcome::External(rewrite)) => {
                rewrites.insert(link.offset, rewrite);
            }
            Ok(Outcome::Untouched) => {}
            Err(e) => out.errors.push((link.position, e)),
        }
    }
    // A page links to another once per heading it links from, and refers to
    // a framework once: the graph keeps each (target, heading) back-link and
    // each referenced section once, in order of target then first mention.
    // Stable: links to the same page stay in the order they were written.
    internal.sort_by_key(|(page, _, _)| *page);
    let mut seen_back: HashSet<(PageId, Option<Under>)> = HashSet::new();
    let mut seen_refs: HashSet<(PageId, String)> = HashSet::new();
    for (page, section, target) in internal {
        let backlink = seen_back.insert((page, section.clone())).then_some(section);
        let reference = target.filter(|t| seen_refs.insert((page, t.clone())));
        if backlink.is_some() || reference.is_some() {
            out.internal.push(Target { page, backlink, reference });
        }
    }
    out.rewrites = Arc::new(rewrites);
    out
}

/// Why a link does not resolve, and how its author can fix it.
#[derive(Clone)]
struct LinkError {
    message: String,
    hint: std::borrow::Cow<'static, str>,
}

const PAGE_HINT: &str =
    "link to a playbook by its file name or slug, e.g. [[career_strategy#buy-vs-build]] or [text](career_strategy.md)";
const FILE_HINT: &str = "put the file itself (not a link to it) in playbooks/, and give its path from the playbook, \
    e.g. ![ladder](img/ladder.png) for playbooks/img/ladder.png";

impl From<String> for LinkError {
    fn from(message: String) -> LinkError {
        LinkError { message, hint: PAGE_HINT.into() }
    }
}

fn resolve(index: &Index<'_>, from: PageId, link: &LinkRef) -> Result<Outcome, LinkError> {
    let dest = link.dest.trim();
    if link.kind == LinkKind::Wiki {
        return resolve_wiki(index, from, dest, link.has_label);
    }
    if let Some(scheme) = dangerous_scheme(dest, link.kind == LinkKind::Image) {
        return Err(format!("a `{scheme}:` URL runs code in the reader's browser, so it is not allowed here").into());
    }
    if is_external(dest) {
        let external = dest.starts_with("http:") || dest.starts_with("https:") || dest.starts_with("//");
        return Ok(Outcome::External(LinkRewrite { href: dest.to_string(), label: None, external }));
    }
    if dest.starts_with('/') {
        return Ok(Outcome::Untouched);
    }
    // `#` alone is the top of the page, for a link as for a browser.
    let (path, anchor) = match dest.split_once('#') {
        Some((p, a)) => (p, Some(a).filter(|a| !a.is_empty())),
        None => (dest, None),
    };
    if path.is_empty() {
        let Some(anchor) = anchor else { return Ok(Outcome::Untouched) };
        let id = index.anchor(from, anchor)?;
        return Ok(Outcome::Internal {
            page: from,
            anchor: Some(id.clone()),
            rewrite: LinkRewrite { href: format!("#{id}"), label: None, external: false },
        });
    }
    let source = index.handbook.page(from);
    let joined = join_relative(&source.stem_path, &percent_decode(path))
        .ok_or_else(|| format!("\"{path}\" points outside the playbooks folder"))?;
    if link.kind == LinkKind::Image || !path.to_lowercase().ends_with(".md") {
        // `[x](career_strategy#plan)`: a playbook's name, without its `.md`.
        let named = (link.kind == LinkKind::Markdown && !index.handbook.files.contains(&joined))
            .then(|| index.find(&joined).ok())
            .flatten();
        if let Some(page) = named {
            let anchor = anchor.map_or(String::new(), |a| format!("#{a}"));
            let stem = &index.handbook.page(page).stem_path;
            let hint = if *stem == joined {
                format!("link to its file, as GitHub reads links: ({path}.md{anchor})")
            } else {
                format!("link to its file (`playbooks/{stem}.md`), or write [[{stem}{anchor}]]")
            };
            return Err(LinkError { message: format!("\"{path}\" names a playbook, not its file"), hint: hint.into() });
        }
        return resolve_file(index, path, joined).map_err(|message| LinkError { message, hint: FILE_HINT.into() });
    }
    let target = joined[..joined.len() - 3].to_string();
    let page = index.find(&target).map_err(|ambiguous| {
        if let Some(message) = ambiguous {
            return message;
        }
        let names = index.handbook.playbooks.iter().map(|p| p.stem_path.as_str());
        let mut msg = format!("no playbook file \"{path}\"");
        if let Some(s) = closest(&target, names) {
            msg.push_str(&format!("; did you mean \"{s}.md\"?"));
        }
        msg
    })?;
    let anchor = anchor.map(|a| index.anchor(page, a)).transpose()?;
    let href = index.url(page, anchor.as_deref());
    Ok(Outcome::Internal { page, anchor, rewrite: LinkRewrite { href, label: None, external: false } })
}

/// An image or attachment next to the playbooks: published under `media/`.
fn resolve_file(index: &Index<'_>, written: &str, rel: String) -> Result<Outcome, String> {
    if rel.to_lowercase().ends_with(".md") {
        return Err(format!("\"{written}\" is a playbook, not an image; link to it with [text]({written})"));
    }
    if !index.handbook.files.contains(&rel) {
        let mut msg = format!("no file \"{written}\" next to this playbook (looked for playbooks/{rel})");
        if let Some(s) = closest(&rel, index.handbook.files.iter().map(String::as_str)) {
            msg.push_str(&format!("; did you mean \"{s}\"?"));
        }
        return Err(msg);
    }
    let href = format!("{}{}{rel}", index.base.path, crate::paths::MEDIA);
    Ok(Outcome::File { rel, rewrite: LinkRewrite { href, label: None, external: false } })
}

/// `%20` and friends as the characters they stand for; invalid escapes stay.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

fn resolve_wiki(index: &Index<'_>, from: PageId, dest: &str, has_label: bool) -> Result<Outcome, LinkError> {
    let (target, anchor) = match dest.split_once('#') {
        Some((t, a)) => (t.trim(), Some(a.trim())),
        None => (dest, None),
    };
    let page = if target.is_empty() { from } else { index.page(target)? };
    let anchor = anchor.filter(|a| !a.is_empty()).map(|a| index.anchor(page, a)).transpose()?;
    let p = index.handbook.page(page);
    let label = (!has_label).then(|| {
        let section = anchor.as_deref().and_then(|a| anchor_label(p, a));
        match (target.is_empty(), section) {
            (true, Some(s)) => s,
            (false, Some(s)) => format!("{} › {s}", p.title),
            (_, None) => p.title.clone(),
        }
    });
    let href = if page == from && target.is_empty() {
        anchor.as_deref().map_or_else(|| index.url(page, None), |a| format!("#{a}"))
    } else {
        index.url(page, anchor.as_deref())
    };
    Ok(Outcome::Internal { page, anchor, rewrite: LinkRewrite { href, label, external: false } })
}

/// `people/hiring_loop` + `../ops/x.md` gives `ops/x.md`; `None` when it
/// climbs above `playbooks/` or holds a NUL or backslash.
fn join_relative(from_stem: &str, rel: &str) -> Option<String> {
    if rel.contains(['\0', '\\']) {
        return None;
    }
    let mut parts: Vec<&str> = from_stem.split('/').collect();
    parts.pop();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// The known name closest to `wanted`, if it is close enough to be a typo.
fn closest<'n>(wanted: &str, names: impl Iterator<Item = &'n str>) -> Option<&'n str> {
    let wanted = normalize(wanted);
    names
        .map(|n| (edit_distance(&wanted, &normalize(n)), n))
        .filter(|(d, n)| *d <= (n.chars().count() / 3).max(2))
        .min()
        .map(|(_, n)| n)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Up to four other playbooks per page, by shared links, tags and track.
fn related(handbook: &Handbook, edges: &[(PageId, PageId)]) -> Vec<Vec<PageId>> {
    const MAX: usize = 4;
    let n = handbook.playbooks.len();
    let edges: Vec<_> = edges.iter().copied().filter(|&(a, b)| a < n && b < n).collect();
    let mut neighbours: Vec<Vec<PageId>> = vec![Vec::new(); n];
    for &(a, b) in &edges {
        neighbours[a].push(b);
        neighbours[b].push(a);
    }
    let mut track_of = vec![0; n];
    for (gi, g) in handbook.tracks.iter().enumerate() {
        for &m in &g.members {
            track_of[m] = gi;
        }
    }
    let mut tags_of: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (gi, g) in handbook.tags.iter().enumerate() {
        for &m in &g.members {
            tags_of[m].push(gi);
        }
    }
    // Candidates are bounded per tag and track, so this stays linear in the
    // number of playbooks however large the groups get. Votes are summed in a
    // score per playbook, one array per rayon job, and only the candidates that
    // got a vote are read back and cleared: a few hundred per page, where
    // sorting the votes to sum them took a twentieth of a build.
    (0..n)
        .into_par_iter()
        // Each job of the split makes its own array: jobs of a few hundred
        // pages keep that to a few dozen arrays.
        .with_min_len(256)
        .map_init(
            || (vec![0u32; n], Vec::new()),
            |(scores, voted), page| {
                let mut vote = |candidate: PageId, weight: u32| {
                    if candidate != page {
                        if scores[candidate] == 0 {
                            voted.push(candidate);
                        }
                        scores[candidate] = scores[candidate].saturating_add(weight);
                    }
                };
                for &other in &neighbours[page] {
                    vote(other, 4);
                    neighbours[other].iter().take(20).for_each(|&second| vote(second, 1));
                }
                for &g in &tags_of[page] {
                    handbook.tags[g].members.iter().take(40).for_each(|&m| vote(m, 2));
                }
                handbook.tracks[track_of[page]].members.iter().take(25).for_each(|&m| vote(m, 1));
                // Highest score first, then the earlier playbook.
                let mut ranked: Vec<(u32, PageId)> =
                    voted.drain(..).map(|c| (std::mem::take(&mut scores[c]), c)).collect();
                let order = |a: &(u32, PageId), b: &(u32, PageId)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
                if ranked.len() > MAX {
                    ranked.select_nth_unstable_by(MAX, order);
                    ranked.truncate(MAX);
                }
                ranked.sort_unstable_by(order);
                ranked.iter().map(|&(_, p)| p).collect::<Vec<PageId>>()
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pages_edges_are_the_run_of_its_own() {
        let edges = [(0, 3), (2, 0), (2, 1), (2, 5), (4, 2)];
        assert_eq!(edges_from(&edges, 2), [(2, 0), (2, 1), (2, 5)]);
        assert_eq!(edges_from(&edges, 0), [(0, 3)]);
        assert!(edges_from(&edges, 1).is_empty() && edges_from(&edges, 9).is_empty());
    }

    fn handbook_of(files: &[(&str, &str)]) -> Handbook {
        let playbooks = files
            .iter()
            .map(|(name, text)| {
                let path = std::path::PathBuf::from(format!("playbooks/{name}.md"));
                let src = crate::load::SourceFile::new(path, name.to_string(), text.to_string());
                crate::parse::playbook(&src).unwrap()
            })
            .collect();
        Handbook::assemble(playbooks, BTreeSet::new(), false, &mut Diagnostics::default())
    }

    #[test]
    fn a_rebuild_resolves_again_only_the_pages_whose_links_may_have_changed() {
        let cache = Cache::enabled();
        let base = BaseUrl::default();
        let alpha = "# Alpha\n\nSee [[beta#plans]] and [[gamma]].\n";
        let gamma = "# Gamma\n\nSee [[alpha]].\n";
        let link = |beta: &str| {
            let handbook = handbook_of(&[("alpha", alpha), ("beta", beta), ("gamma", gamma)]);
            let mut diags = Diagnostics::default();
            let graph = super::link(&handbook, &base, false, &cache, &mut diags);
            (graph, diags)
        };
        let (first, _) = link("# Beta\n\n## Plans\n\nSome.\n");
        // Beta's text changes; nothing another page links to does.
        let (edited, _) = link("# Beta\n\n## Plans\n\nMore.\n");
        assert!(Arc::ptr_eq(&first.rewrites[0], &edited.rewrites[0]), "alpha resolved again");
        assert!(Arc::ptr_eq(&first.rewrites[2], &edited.rewrites[2]), "gamma resolved again");
        // The section alpha links to goes away: every page is resolved again.
        let (renamed, diags) = link("# Beta\n\n## Goals\n\nMore.\n");
        assert!(!Arc::ptr_eq(&edited.rewrites[0], &renamed.rewrites[0]));
        assert!(diags.iter().any(|d| d.file.ends_with("alpha.md") && d.message.contains("#plans")), "{diags:?}");
    }

    #[test]
    fn section_references_are_found_by_page_and_id_in_page_order() {
        let refs = SectionRefs::collect(vec![
            (2, "buy-vs-build".into(), 0),
            (1, "maturity".into(), 0),
            (2, "buy-vs-build".into(), 3),
            (2, "hire-vs-wait".into(), 4),
            (2, "buy-vs-build".into(), 5),
        ]);
        assert_eq!(refs.get(2, "buy-vs-build"), [0, 3, 5]);
        assert_eq!(refs.get(2, "hire-vs-wait"), [4]);
        assert_eq!(refs.get(1, "maturity"), [0]);
        assert!(refs.get(1, "buy-vs-build").is_empty());
        assert!(refs.get(7, "maturity").is_empty());
    }

    #[test]
    fn names_normalize_the_same_borrowed_or_not() {
        for name in ["career-strategy", " Career_Strategy ", "people/hiring loop", "ÉQUIPE", "a.md", ""] {
            assert_eq!(normalized(name), normalize(name), "{name:?}");
        }
        assert!(matches!(normalized("people/hiring-loop"), Cow::Borrowed(_)));
    }

    #[test]
    fn typos_get_a_suggestion() {
        let names = ["career_strategy", "hiring_loop"];
        assert_eq!(closest("carreer_strategy", names.into_iter()), Some("career_strategy"));
        assert_eq!(closest("zzz", names.into_iter()), None);
    }

    #[test]
    fn relative_paths_resolve_from_the_linking_file() {
        assert_eq!(join_relative("people/hiring_loop", "../ops/x.md").as_deref(), Some("ops/x.md"));
        assert_eq!(join_relative("a", "b.md").as_deref(), Some("b.md"));
        assert_eq!(join_relative("people/a", "img/l.png").as_deref(), Some("people/img/l.png"));
        assert_eq!(join_relative("a", "../../b.md"), None);
    }

    #[test]
    fn script_urls_are_refused() {
        assert_eq!(dangerous_scheme("javascript:alert(1)", false).as_deref(), Some("javascript"));
        assert_eq!(dangerous_scheme(" JavaScript\t:x", false).as_deref(), Some("javascript"));
        assert_eq!(dangerous_scheme("data:text/html,<b>", true).as_deref(), Some("data"));
        assert_eq!(dangerous_scheme("data:image/png;base64,AA", true), None);
        assert_eq!(dangerous_scheme("https://x.org", false), None);
    }

    #[test]
    fn schemes_are_external() {
        assert!(is_external("https://x.org/a"));
        assert!(is_external("mailto:a@b.c"));
        assert!(!is_external("other.md"));
        assert!(!is_external("../people/hiring_loop.md#a:b"));
    }
}
