//! The handbook as a whole: the playbooks that will be published, in reading
//! order, grouped by track and by tag, with every slug unique.
//!
//! Everything that needs all playbooks at once is computed here, once, so the
//! renderer never walks the whole handbook per page.

use std::collections::{BTreeMap, HashMap};

use crate::diagnostic::{Diagnostic, Diagnostics, Position};
use crate::model::{Playbook, Track};
use crate::slug::slugify;

/// First path segments the site itself uses.
pub const RESERVED_SLUGS: &[&str] =
    &["assets", "frameworks", "exit-games", "tracks", "tags", "print", "map", "search", "404", "sitemap"];

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

#[derive(Debug)]
pub struct Handbook {
    /// In reading order: by track, then weight, then title.
    pub playbooks: Vec<Playbook>,
    pub tracks: Vec<TrackGroup>,
    pub tags: Vec<TagGroup>,
}

impl Handbook {
    /// Drops drafts (unless wanted) and playbooks whose slug is taken.
    pub fn assemble(mut playbooks: Vec<Playbook>, drafts: bool, diags: &mut Diagnostics) -> Handbook {
        playbooks.retain(|p| drafts || !p.draft);
        playbooks.sort_by(|a, b| a.source.cmp(&b.source));
        let mut owner: HashMap<String, usize> = HashMap::new();
        let mut keep = vec![true; playbooks.len()];
        for (i, p) in playbooks.iter().enumerate() {
            let first_segment = p.slug.split('/').next().unwrap_or_default();
            if RESERVED_SLUGS.contains(&first_segment) {
                diags.push(
                    Diagnostic::error(&p.source, Position::START, format!("slug \"{}\" is used by the site itself", p.slug))
                        .with_hint(format!("rename the file or set another `slug` in its front matter (reserved: {})", RESERVED_SLUGS.join(", "))),
                );
                keep[i] = false;
                continue;
            }
            if let Some(&other) = owner.get(&p.slug) {
                diags.push(
                    Diagnostic::error(&p.source, p.slug_position, format!(
                        "duplicate slug \"{}\": {} has the same one",
                        p.slug,
                        playbooks[other].source.display()
                    ))
                    .with_hint("give one of them another `slug` in its front matter, or rename the file"),
                );
                keep[i] = false;
            } else {
                owner.insert(p.slug.clone(), i);
            }
        }
        let mut keep = keep.into_iter();
        playbooks.retain(|_| keep.next().unwrap_or(false));
        playbooks.sort_by(|a, b| {
            (a.track.name.to_lowercase(), a.weight, a.title.to_lowercase(), &a.slug)
                .cmp(&(b.track.name.to_lowercase(), b.weight, b.title.to_lowercase(), &b.slug))
        });
        let tracks = group_tracks(&playbooks);
        for g in &tracks {
            for &m in &g.members {
                playbooks[m].track = g.track.clone();
            }
        }
        let tags = group_tags(&playbooks);
        Handbook { playbooks, tracks, tags }
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
        if let Some(&better) = g.members.iter().find(|&&m| playbooks[m].track.name != playbooks[m].track.name.to_lowercase()) {
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
            let group = by_slug.entry(slug.clone()).or_insert_with(|| TagGroup { name: tag.clone(), slug, members: Vec::new() });
            if group.members.last() != Some(&id) {
                group.members.push(id);
            }
        }
    }
    by_slug.into_values().collect()
}
