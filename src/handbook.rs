//! The handbook as a whole: the playbooks that will be published, in reading
//! order, grouped by track and by tag, with every slug unique.
//!
//! Everything that needs all playbooks at once is computed here, once, so the
//! renderer never walks the whole handbook per page.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Diagnostics, Position};
use crate::markdown::LinkRewrites;
use crate::model::{Playbook, StoryMode, Track};
use crate::slug::slugify;

/// Index of a playbook in [`Handbook::playbooks`].
pub type PageId = usize;

#[derive(Debug, Clone)]
pub struct TrackGroup {
    pub track: Track,
    pub members: Vec<PageId>,
}

#[derive(Debug, Clone)]
pub struct TagGroup {
    pub name: String,
    pub slug: String,
    pub members: Vec<PageId>,
}

/// Warns of playbooks titled as another of their track is: the sidebar,
/// search, back-links and the map show titles, and two alike cannot be told
/// apart. (Playbooks are sorted by track, then title.)
fn same_titles(playbooks: &[Playbook], diags: &mut Diagnostics) {
    let key = |p: &Playbook| (p.track.name.to_lowercase(), p.title.to_lowercase());
    for pair in playbooks.windows(2) {
        if key(&pair[0]) == key(&pair[1]) {
            diags.push(
                Diagnostic::warning(
                    &pair[1].source,
                    Position::WHOLE,
                    "another playbook of its track has the same title",
                )
                .with_hint(format!(
                    "readers cannot tell them apart in the sidebar, search and links: give this one or {} another title",
                    pair[0].source.display()
                )),
            );
        }
    }
}

/// A folder's `README.md` or `index.md`: the landing page of the folder's
/// track (or, at the top of `playbooks/`, the home page's introduction).
#[derive(Debug)]
pub struct Landing {
    /// `people`, or empty for `playbooks/` itself.
    pub folder: String,
    pub page: Playbook,
}

impl Landing {
    /// The track this folder's playbooks fall in by default; `None` for the home page.
    pub fn track_slug(&self) -> Option<String> {
        let last = self.folder.rsplit('/').next().filter(|s| !s.is_empty())?;
        Some(slugify(last))
    }
}

fn is_landing(p: &Playbook) -> bool {
    let stem = p.stem_path.rsplit('/').next().unwrap_or_default();
    stem.eq_ignore_ascii_case("readme") || stem.eq_ignore_ascii_case("index")
}

#[derive(Debug)]
pub struct Handbook {
    /// In reading order: by track, then weighted playbooks by weight, then
    /// the rest by title.
    pub playbooks: Vec<Playbook>,
    pub tracks: Vec<TrackGroup>,
    pub tags: Vec<TagGroup>,
    /// Folder landing pages; their ids follow the playbooks' (see [`Handbook::page`]).
    pub landings: Vec<Landing>,
    /// Files other than playbooks under `playbooks/` (images, attachments),
    /// relative to it; published only when a playbook references them.
    pub files: BTreeSet<String>,
}

/// The most playbooks the whole-handbook pages (the map, the print page)
/// show at once; past it they go track by track.
pub const WHOLE_PAGE_MAX: usize = 300;

impl Handbook {
    /// Whether the map and the print page go track by track: one picture
    /// of 10,000 playbooks was a 13.6 MB page, and printing them all fetched
    /// every page of the site.
    pub fn by_track(&self) -> bool {
        self.playbooks.len() > WHOLE_PAGE_MAX
    }

    /// Drops drafts (unless wanted) and playbooks whose slug is taken.
    pub fn assemble(
        mut playbooks: Vec<Playbook>,
        files: BTreeSet<String>,
        drafts: bool,
        diags: &mut Diagnostics,
    ) -> Handbook {
        playbooks.retain(|p| drafts || !p.draft);
        // Taken out in place: partitioning into two new vectors left the
        // playbooks' one with up to twice the room it needs (megabytes at
        // 10,000 playbooks, held to the end of the build).
        let landing_pages: Vec<Playbook> = playbooks.extract_if(.., |p| is_landing(p)).collect();
        let mut landings: Vec<Landing> = landing_pages
            .into_iter()
            .map(|page| Landing {
                folder: page.stem_path.rsplit_once('/').map_or(String::new(), |(f, _)| f.to_string()),
                page,
            })
            .collect();
        landings.sort_by(|a, b| a.folder.cmp(&b.folder).then(a.page.source.cmp(&b.page.source)));
        landings.dedup_by(|later, first| {
            let same = later.folder == first.folder;
            if same {
                diags.push(
                    Diagnostic::error(
                        &later.page.source,
                        Position::START,
                        format!("{} is already the landing page of this folder", first.page.source.display()),
                    )
                    .with_hint("keep one of README.md and index.md"),
                );
            }
            same
        });
        // Sorting is most of assembling (Paths compare by component); the
        // order decides which of two playbooks claiming a slug keeps it.
        playbooks.par_sort_by(|a, b| a.source.cmp(&b.source));
        let mut owner: HashMap<String, usize> = HashMap::new();
        let mut keep = vec![true; playbooks.len()];
        let reserved = crate::paths::reserved();
        for (i, p) in playbooks.iter().enumerate() {
            let first_segment = p.slug.split('/').next().unwrap_or_default();
            if reserved.contains(&first_segment) {
                diags.push(
                    Diagnostic::error(
                        &p.source,
                        p.slug_position,
                        format!("slug \"{}\" is used by the site itself", p.slug),
                    )
                    .with_hint(format!(
                        "rename the file or set another `slug` in its front matter (reserved: {})",
                        reserved.join(", ")
                    )),
                );
                keep[i] = false;
                continue;
            }
            if let Some(&other) = owner.get(&p.slug) {
                diags.push(
                    Diagnostic::error(
                        &p.source,
                        p.slug_position,
                        format!(
                            "duplicate slug \"{}\": {} has the same one",
                            p.slug,
                            playbooks[other].source.display()
                        ),
                    )
                    .with_hint("give one of them another `slug` in its front matter, or rename the file"),
                );
                keep[i] = false;
            } else {
                owner.insert(p.slug.clone(), i);
            }
        }
        let mut keep = keep.into_iter();
        playbooks.retain(|_| keep.next().unwrap_or(false));
        // Keys made once per playbook, not twice per comparison.
        playbooks.par_sort_by_cached_key(|p| {
            (p.track.name.to_lowercase(), p.weight.is_none(), p.weight, p.title.to_lowercase(), p.slug.clone())
        });
        same_titles(&playbooks, diags);
        let tracks = group_tracks(&playbooks);
        for g in &tracks {
            for &m in &g.members {
                playbooks[m].track = g.track.clone();
            }
        }
        let tags = group_tags(&playbooks);
        Handbook { playbooks, tracks, tags, landings, files }
    }

    /// A playbook (`id < playbooks.len()`) or a landing page (the ids after).
    pub fn page(&self, id: PageId) -> &Playbook {
        match id.checked_sub(self.playbooks.len()) {
            Some(l) => &self.landings[l].page,
            None => &self.playbooks[id],
        }
    }

    /// The handbook once the link stage has resolved every link (`rewrites`,
    /// by page id): each section's summary and each heading's text (for
    /// search and excerpts) reads its unlabelled wiki links as their targets'
    /// titles, and the links as written are dropped, as
    /// nothing after that stage reads them.
    ///
    /// Besides the track's spelling, these summaries and texts are the only
    /// parts of a playbook made from other files than its own; `serve`'s
    /// page keys (`PlaybookInputs`, `CatalogInputs` in `pages`) hash the
    /// summaries for that reason, and the texts through `text_hash`.
    pub fn linked(mut self, rewrites: &[Arc<LinkRewrites>]) -> Self {
        let finish = |(p, rewrites): (&mut Playbook, &Arc<LinkRewrites>)| {
            p.links = Arc::default();
            let label = |offset| rewrites.get(offset).and_then(|r| r.label.as_deref());
            // The sections may be shared with `serve`'s cache: only a
            // playbook whose summaries change gets sections of its own.
            if p.sections.iter().any(|s| crate::parts::has_link_marks(&s.summary)) {
                for s in Arc::make_mut(&mut p.sections) {
                    if let Some(summary) = crate::parts::finish_summary(&s.summary, label) {
                        s.summary = summary;
                    }
                }
            }
            // The titles that texts show, in order: what search, teasers and
            // the page's description read now depends on them too.
            let mut shown = Vec::new();
            let mut label = |offset| {
                let title = label(offset);
                shown.push(title);
                title
            };
            if p.texts.iter().any(|t| crate::parts::has_link_marks(t)) {
                p.texts = p
                    .texts
                    .iter()
                    .map(|t| crate::parts::finish_text(t, &mut label).unwrap_or_else(|| t.clone()))
                    .collect();
            }
            for t in p.story.iter_mut().flat_map(StoryMode::texts_mut) {
                if let Some(text) = crate::parts::finish_text(&t.text, &mut label) {
                    t.text = text;
                }
            }
            if !shown.is_empty() {
                p.text_hash = crate::cache::hash_of(&(p.text_hash, shown));
            }
        };
        let (for_playbooks, for_landings) = rewrites.split_at(self.playbooks.len().min(rewrites.len()));
        self.playbooks.par_iter_mut().zip(for_playbooks).for_each(finish);
        self.landings.iter_mut().map(|l| &mut l.page).zip(for_landings).for_each(finish);
        self
    }

    /// Playbooks and landing pages.
    pub fn page_count(&self) -> usize {
        self.playbooks.len() + self.landings.len()
    }

    pub fn is_landing(&self, id: PageId) -> bool {
        id >= self.playbooks.len()
    }

    /// Where a page lives, relative to the base path.
    pub fn site_path(&self, id: PageId) -> String {
        match id.checked_sub(self.playbooks.len()) {
            Some(l) => self.landings[l]
                .track_slug()
                .map_or_else(|| crate::paths::HOME.to_string(), |t| crate::paths::track(&t)),
            None => crate::paths::playbook(&self.playbooks[id].slug),
        }
    }

    /// The landing page of a track, if its folder has one.
    pub fn landing_of_track(&self, track_slug: &str) -> Option<PageId> {
        self.landings
            .iter()
            .position(|l| l.track_slug().as_deref() == Some(track_slug))
            .map(|l| self.playbooks.len() + l)
    }

    /// The top-level `playbooks/README.md`, shown on the home page.
    pub fn home_landing(&self) -> Option<PageId> {
        self.landings.iter().position(|l| l.folder.is_empty()).map(|l| self.playbooks.len() + l)
    }

    pub fn framework_count(&self) -> usize {
        self.playbooks.iter().map(|p| p.frameworks().count()).sum()
    }

    pub fn exit_game_count(&self) -> usize {
        self.playbooks.iter().map(|p| p.exit_games().count()).sum()
    }
}

fn group_tracks(playbooks: &[Playbook]) -> Vec<TrackGroup> {
    let mut groups: Vec<TrackGroup> = Vec::new();
    for (id, p) in playbooks.iter().enumerate() {
        // Playbooks are sorted by track name, so a track's members are adjacent;
        // two names with one slug ("People", "people") share a group.
        match groups.last_mut() {
            Some(g) if g.track.slug == p.track.slug => g.members.push(id),
            _ => groups.push(TrackGroup { track: p.track.clone(), members: vec![id] }),
        }
    }
    // "People" in front matter and "people" in an H1 are one track; show the
    // capitalised spelling if any member uses one.
    for g in &mut groups {
        if let Some(&better) =
            g.members.iter().find(|&&m| playbooks[m].track.name != playbooks[m].track.name.to_lowercase())
        {
            g.track = playbooks[better].track.clone();
        }
    }
    groups
}

fn group_tags(playbooks: &[Playbook]) -> Vec<TagGroup> {
    let mut by_slug: BTreeMap<String, TagGroup> = BTreeMap::new();
    for (id, p) in playbooks.iter().enumerate() {
        for tag in &p.tags {
            let slug = slugify(tag);
            if slug.is_empty() {
                continue;
            }
            let group = by_slug.entry(slug.clone()).or_insert_with(|| TagGroup {
                name: tag.clone(),
                slug,
                members: Vec::new(),
            });
            if group.members.last() != Some(&id) {
                group.members.push(id);
            }
        }
    }
    // A tag's playbooks come from every track: listed by title, not track by track.
    let mut groups: Vec<TagGroup> = by_slug.into_values().collect();
    for g in &mut groups {
        g.members.sort_by_cached_key(|&m| (playbooks[m].title.to_lowercase(), m));
    }
    groups
}
