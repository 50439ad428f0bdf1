//! The site's URL scheme, in one place: paths relative to the base path.

// Made for every link of every page: `concat` allocates once, exactly,
// where `format!` grows its buffer.
pub fn playbook(slug: &str) -> String {
    [slug, "/"].concat()
}

pub fn track(slug: &str) -> String {
    [TRACKS, slug, "/"].concat()
}

pub fn tag(slug: &str) -> String {
    [TAGS, slug, "/"].concat()
}

/// A track's own print page, in a handbook too big for one.
pub fn print_of_track(slug: &str) -> String {
    [PRINT, slug, "/"].concat()
}

/// A track's own map, in a handbook too big for one.
pub fn map_of_track(slug: &str) -> String {
    [MAP, slug, "/"].concat()
}

pub const HOME: &str = "";
pub const FRAMEWORKS: &str = "frameworks/";
pub const EXIT_GAMES: &str = "exit-games/";
pub const PRINT: &str = "print/";
pub const MAP: &str = "map/";
pub const TRACKS: &str = "tracks/";
pub const TAGS: &str = "tags/";
/// The theme's files and the site's scripts.
pub const ASSETS: &str = "assets/";
/// Files beside the playbooks that pages reference.
pub const MEDIA: &str = "media/";

/// The site's own top-level folders and files, which no playbook may take as
/// its slug: the folders above, and `404.html`, `sitemap.xml` and a `search`
/// kept free for a search page.
pub fn reserved() -> Vec<&'static str> {
    let folders = [FRAMEWORKS, EXIT_GAMES, PRINT, MAP, TRACKS, TAGS, ASSETS, MEDIA];
    folders.iter().map(|f| f.trim_end_matches('/')).chain(["search", "404", "sitemap"]).collect()
}

/// The file written for a site path: `a/` is `a/index.html`.
pub fn file(site_path: &str) -> String {
    if site_path.is_empty() || site_path.ends_with('/') {
        [site_path, "index.html"].concat()
    } else {
        site_path.to_string()
    }
}
