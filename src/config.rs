//! The optional `playbook.toml` at the project root, and the options of one build.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostic::{Diagnostic, Position};

pub const CONFIG_FILE: &str = "playbook.toml";

/// Site settings. Every key is optional; a bare folder of Markdown builds.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub title: String,
    pub description: String,
    pub author: String,
    pub language: String,
    /// Where the site is hosted: `https://user.github.io/repo/`, or just a path `/repo/`.
    pub base_url: String,
    /// Custom domain written to `CNAME` for GitHub Pages branch publishing.
    pub cname: Option<String>,
    /// Reduce raw HTML in playbooks to GitHub's allowlist (for handbooks
    /// that accept outside contributions). Authors are trusted by default.
    pub safe_html: bool,
    /// Items per page of the long lists: the frameworks and exit games
    /// catalogs, and the track and tag pages (0: all on one page). Past a
    /// few hundred, one page is more than a reader scrolls and, at thousands
    /// of playbooks, more than a phone will lay out.
    pub list_page_size: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Playbook Handbook".into(),
            description: "Leadership playbooks".into(),
            author: String::new(),
            language: "en".into(),
            base_url: "/".into(),
            cname: None,
            safe_html: false,
            list_page_size: 300,
        }
    }
}

impl Config {
    /// Reads `playbook.toml` if there is one.
    pub fn load(root: &Path) -> Result<Config, Diagnostic> {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => {
                return Err(Diagnostic::error(CONFIG_FILE, Position::START, format!("cannot read: {e}"))
                    .with_hint("check the file's permissions and that it is UTF-8 text"));
            }
        };
        Config::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Config, Diagnostic> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let pos = e.span().map_or(Position::START, |s| Position::at(text, s.start));
            Diagnostic::error(CONFIG_FILE, pos, e.message().to_string()).with_hint(
                "valid keys are title, description, author, language, base_url, cname, safe_html and list_page_size",
            )
        })?;
        let at = |key| Position::of_key(text, key);
        if let Err(why) = BaseUrl::parse(&config.base_url) {
            return Err(
                Diagnostic::error(CONFIG_FILE, at("base_url"), format!("base_url {why}")).with_hint(BaseUrl::HINT)
            );
        }
        if let Some(cname) = &config.cname
            && !is_domain(cname)
        {
            return Err(Diagnostic::error(CONFIG_FILE, at("cname"), format!("cname {cname:?} is not a domain name"))
                .with_hint("write just the domain GitHub Pages serves the site at, such as `handbook.example.org`"));
        }
        Ok(config)
    }
}

/// `handbook.example.org`: what GitHub Pages takes in a `CNAME` file.
fn is_domain(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// Where the site lives, split into the parts pages need; by default the
/// root of its host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// `https://example.org` when known; sitemaps need absolute URLs.
    pub origin: Option<String>,
    /// Always starts and ends with `/`: `/` or `/handbook/`. For a relative
    /// site, a placeholder that each page replaces with its way to the root.
    pub path: String,
    /// `base_url = "./"`: every link relative, so the site also works opened
    /// from disk (`file://`) or moved to any folder.
    pub relative: bool,
}

/// Stands for the path to the site's root in a relative site until each
/// page's own prefix (`../../`) is known.
pub const ROOT_PLACEHOLDER: &str = "/__playbook_root__/";

impl Default for BaseUrl {
    fn default() -> Self {
        BaseUrl { origin: None, path: "/".into(), relative: false }
    }
}

impl BaseUrl {
    pub const HINT: &str = "write where the site is served: a path such as `/handbook/`, a whole address such as \
        `https://user.github.io/repo/`, or `./` for a site that also opens from disk";

    /// Where the site lives, from `base_url` or `--base-url`. `Err` says why
    /// `raw` cannot be: every page's links start with it, so a stray scheme,
    /// `..` or space would break (or hijack) them all.
    pub fn parse(raw: &str) -> Result<BaseUrl, String> {
        let raw = raw.trim();
        if raw == "." || raw == "./" {
            return Ok(BaseUrl { origin: None, path: ROOT_PLACEHOLDER.to_string(), relative: true });
        }
        let (origin, path) = match raw.split_once("://") {
            Some((scheme, rest)) => {
                if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
                    return Err(format!("{raw:?} is not an http:// or https:// address"));
                }
                let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
                let host_ok = !host.is_empty()
                    && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
                if !host_ok {
                    return Err(format!("{raw:?} has no valid host name"));
                }
                (Some(format!("{scheme}://{host}")), path)
            }
            None if raw.contains(':') => return Err(format!("{raw:?} is neither a path nor an http(s) address")),
            None => (None, raw),
        };
        if path.split('/').any(|s| s == ".." || s == ".") {
            return Err(format!("{raw:?} has `.` or `..` in its path"));
        }
        if let Some(c) = path.chars().find(|c| c.is_whitespace() || c.is_control() || "\"'<>?#\\`".contains(*c)) {
            return Err(format!("{raw:?} has {c:?} in it, which a link cannot carry as it is"));
        }
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let path = if segments.is_empty() { "/".to_string() } else { format!("/{}/", segments.join("/")) };
        Ok(BaseUrl { origin, path, relative: false })
    }

    /// Absolute URL for a site path (`career-strategy/`), when the origin is known.
    pub fn absolute(&self, site_path: &str) -> Option<String> {
        self.origin.as_ref().map(|o| format!("{o}{}{site_path}", self.path))
    }
}

/// What one `build` or `check` is asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Output folder; relative paths are taken from `root`.
    pub out: PathBuf,
    /// Overrides `base_url` from the config.
    pub base_url: Option<String>,
    pub drafts: bool,
}

impl BuildOptions {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        BuildOptions { root: root.into(), out: PathBuf::from("public"), base_url: None, drafts: false }
    }

    pub fn out_dir(&self) -> PathBuf {
        if self.out.is_absolute() { self.out.clone() } else { self.root.join(&self.out) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_url_or_cname_that_would_break_every_link_is_refused_at_its_line() {
        for ok in ["/", "", "/handbook/", "handbook", "./", "https://user.github.io/repo/", "http://localhost:1111/x"] {
            assert!(BaseUrl::parse(ok).is_ok(), "{ok}");
        }
        for bad in
            ["javascript:alert(1)", "../x/", "/a/./b", "https://a b/", "https:///x", "ftp://h/", "/a b/", "/a\"b/"]
        {
            assert!(BaseUrl::parse(bad).is_err(), "{bad}");
        }
        let e = Config::parse("title = \"T\"\nbase_url = \"javascript:alert(1)\"\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 1));
        assert!(e.message.starts_with("base_url \"javascript:alert(1)\" is neither a path nor"), "{}", e.message);
        let e = Config::parse("cname = \"a\\nb/../../x\"\n").unwrap_err();
        assert!(e.message.contains("is not a domain name"), "{}", e.message);
        assert!(Config::parse("cname = \"handbook.example.org\"\n").is_ok());
    }

    #[test]
    fn every_key_is_optional() {
        assert_eq!(Config::parse("").unwrap(), Config::default());
        let c = Config::parse("title = \"Ops\"").unwrap();
        assert_eq!(c.title, "Ops");
        assert_eq!(c.language, "en");
    }

    #[test]
    fn an_unknown_key_is_an_error_at_its_line() {
        let e = Config::parse("title = \"x\"\ntitel = \"y\"\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("titel"), "{}", e.message);
    }

    #[test]
    fn base_urls_become_origin_and_path() {
        let b = BaseUrl::parse("https://example.org/handbook").unwrap();
        assert_eq!(b.origin.as_deref(), Some("https://example.org"));
        assert_eq!(b.path, "/handbook/");
        assert_eq!(b.absolute("a/").unwrap(), "https://example.org/handbook/a/");
        assert_eq!(BaseUrl::parse("/").unwrap().path, "/");
        assert_eq!(BaseUrl::parse("").unwrap().path, "/");
        assert_eq!(BaseUrl::parse("repo").unwrap().path, "/repo/");
        assert_eq!(BaseUrl::parse("https://x.io").unwrap().path, "/");
        assert!(BaseUrl::parse("./").unwrap().relative);
    }
}
