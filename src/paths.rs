//! The site's URL scheme, in one place: paths relative to the base path.

pub fn playbook(slug: &str) -> String {
    format!("{slug}/")
}

pub fn track(slug: &str) -> String {
    format!("tracks/{slug}/")
}

pub fn tag(slug: &str) -> String {
    format!("tags/{slug}/")
}

pub const HOME: &str = "";
pub const FRAMEWORKS: &str = "frameworks/";
pub const EXIT_GAMES: &str = "exit-games/";
pub const PRINT: &str = "print/";
pub const MAP: &str = "map/";

/// The file written for a site path: `a/` is `a/index.html`.
pub fn file(site_path: &str) -> String {
    if site_path.is_empty() || site_path.ends_with('/') {
        format!("{site_path}index.html")
    } else {
        site_path.to_string()
    }
}
