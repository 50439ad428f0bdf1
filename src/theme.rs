//! The default theme, embedded in the binary so a bare folder of Markdown
//! builds. A project's `templates/` overrides any of these files by name.
//!
//! This table is the one list of theme files; nothing else repeats it.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use crate::diagnostic::{Diagnostic, Diagnostics, Position};
use crate::model::Blocks;

macro_rules! theme_files {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!("../templates/", $name)))),*]
    };
}

/// The default theme's own element ids. Headings never get them (a
/// `## PB Main` heading is `pb-main-1`), so no page has an id twice.
pub const THEME_IDS: &[&str] = &[
    "pb-main",
    "pb-sidebar",
    "pb-search-input",
    "pb-search-results",
    "pb-backlinks-title",
    "pb-related-title",
    "pb-print-status",
];

/// `(name under templates/, contents)`.
pub const DEFAULT_THEME: &[(&str, &[u8])] = theme_files![
    "base.html",
    "index.html",
    "playbook.html",
    "catalog.html",
    "listing.html",
    "groups.html",
    "404.html",
    "print.html",
    "map.html",
    "partials/card.html",
    "partials/catalog_entry.html",
    "partials/map_node.html",
    "partials/pager.html",
    "partials/print_chapter.html",
    "partials/row.html",
    "partials/story_card.html",
    "assets/style.css",
    "assets/syntax.css",
    "assets/playbook.js",
    "assets/theme.js",
    "assets/favicon.svg",
    "assets/mermaid.min.js",
    "assets/mermaid.LICENSE",
];

/// Assets published only when some page needs them, with what such a page
/// has. Mermaid is 5 MB; a handbook without diagrams never ships it, nor
/// code colours without code.
pub const ON_DEMAND: &[(&str, NeededFor)] = &[
    ("assets/mermaid.min.js", has_diagrams),
    ("assets/mermaid.LICENSE", has_diagrams),
    ("assets/syntax.css", has_code),
];

/// Whether a handbook with these blocks needs an asset.
pub type NeededFor = fn(&Blocks) -> bool;

fn has_diagrams(blocks: &Blocks) -> bool {
    blocks.diagrams
}

fn has_code(blocks: &Blocks) -> bool {
    blocks.code
}

/// The theme in effect: embedded defaults with the project's overrides on top.
#[derive(Debug, Default)]
pub struct Theme {
    /// Tera templates by name.
    pub templates: BTreeMap<String, Cow<'static, str>>,
    /// Files published under `assets/`, by path relative to `templates/`.
    /// Embedded ones are borrowed: mermaid alone is 5 MB.
    pub assets: BTreeMap<String, Cow<'static, [u8]>>,
    /// Identifies the project's overrides; the embedded files are fixed per binary.
    pub fingerprint: u64,
}

pub(crate) fn is_template(name: &str) -> bool {
    name.ends_with(".html") || name.ends_with(".xml")
}

impl Theme {
    /// The default theme alone.
    pub fn embedded() -> Theme {
        let mut theme = Theme::default();
        // Its files are checked by the tests: none has anything to report.
        let mut none = Diagnostics::default();
        for (name, bytes) in DEFAULT_THEME {
            theme.add(name, Cow::Borrowed(bytes), Path::new("templates"), &mut none);
        }
        theme
    }

    /// Defaults, then every file of `root/templates/` over them.
    pub fn load(root: &Path, diags: &mut Diagnostics) -> Theme {
        let mut theme = Theme::embedded();
        let mut overrides: Vec<(String, Vec<u8>)> = Vec::new();
        let dir = root.join("templates");
        if dir.is_dir() {
            for entry in walkdir::WalkDir::new(&dir).sort_by_file_name().into_iter().filter_map(Result::ok) {
                if !entry.file_type().is_file() {
                    continue;
                }
                let Ok(rel) = entry.path().strip_prefix(&dir) else { continue };
                let name = rel.to_string_lossy().replace('\\', "/");
                match std::fs::read(entry.path()) {
                    Ok(bytes) => overrides.push((name, bytes)),
                    Err(e) => diags.push(Diagnostic::error(
                        Path::new("templates").join(rel),
                        Position::START,
                        format!("cannot read template: {e}"),
                    )),
                }
            }
        }
        theme.fingerprint = crate::cache::hash_of(&overrides);
        for (name, bytes) in overrides {
            theme.add(&name, Cow::Owned(bytes), Path::new("templates"), diags);
        }
        theme
    }

    /// Names what the theme's files hold, for the pages to ask for its
    /// scripts and stylesheets at (`?v=`): a browser that cached those of
    /// an earlier build never uses them with this one's pages. The default
    /// theme's files are fixed per binary, and `fingerprint` covers the
    /// project's.
    pub fn version(&self) -> String {
        static EMBEDDED: std::sync::LazyLock<u64> = std::sync::LazyLock::new(|| crate::cache::hash_of(DEFAULT_THEME));
        crate::cache::version_of(&(*EMBEDDED, self.fingerprint))
    }

    /// The project's own templates, which replace the default theme's.
    pub fn overrides(&self) -> impl Iterator<Item = (&str, &str)> {
        self.templates.iter().filter(|(_, t)| matches!(t, Cow::Owned(_))).map(|(n, t)| (n.as_str(), t.as_ref()))
    }

    fn add(&mut self, name: &str, bytes: Cow<'static, [u8]>, dir: &Path, diags: &mut Diagnostics) {
        if is_template(name) {
            let text = match bytes {
                Cow::Borrowed(b) => std::str::from_utf8(b).map(Cow::Borrowed).map_err(|_| ()),
                Cow::Owned(b) => String::from_utf8(b).map(Cow::Owned).map_err(|_| ()),
            };
            match text {
                Ok(text) => {
                    self.templates.insert(name.to_string(), text);
                }
                Err(()) => diags.push(
                    Diagnostic::error(dir.join(name), Position::START, "template is not valid UTF-8")
                        .with_hint("save the template as UTF-8"),
                ),
            }
        } else if name.starts_with("assets/") {
            self.assets.insert(name.to_string(), bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_the_default_templates_write_is_reserved_from_headings() {
        for (name, bytes) in DEFAULT_THEME.iter().filter(|(n, _)| n.ends_with(".html")) {
            let text = std::str::from_utf8(bytes).unwrap();
            for id in text.split(" id=\"").skip(1).filter_map(|rest| rest.split('"').next()) {
                assert!(id.contains("{{") || THEME_IDS.contains(&id), "{name}: id {id:?} is not in THEME_IDS");
            }
        }
    }
}
