//! `playbook serve`: the author's loop. Builds the handbook into memory,
//! serves it on 127.0.0.1, watches the project and rebuilds on every save,
//! and tells open pages to reload through Server-Sent Events.
//!
//! A hand-written HTTP/1.1 server on `std::net` is enough here: it serves a
//! few dozen files from a `HashMap` to one person's browser, and it has to
//! inject a script and an error overlay into every HTML response, which a
//! generic file server would make harder, not easier.
//!
//! While the last build failed, every HTML response carries an overlay with
//! the diagnostics, and the last good build keeps being served underneath.
//! The site never touches the project's `public/`.

use std::collections::{HashMap, HashSet};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, mpsc};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher as _};

use crate::config::{BaseUrl, BuildOptions, CONFIG_FILE};
use crate::diagnostic::{Diagnostic, Diagnostics, Position};
use crate::load::PLAYBOOKS_DIR;
use crate::render::count;
use crate::term::Term;

/// Where open pages listen for "a new build is ready".
pub const EVENTS_PATH: &str = "/__playbook/events";

/// What `serve` watches, besides `playbook.toml`. Never the output folder.
pub const WATCHED_DIRS: [&str; 3] = [PLAYBOOKS_DIR, "templates", "static"];

/// Saves closer together than this are one change: editors write a temporary
/// file and rename it, or save several files at once.
const QUIET: Duration = Duration::from_millis(150);
/// A stream of changes that never pauses still rebuilds this often.
const MAX_WAIT: Duration = Duration::from_secs(2);

/// What `playbook serve` was asked for.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// `base_url` `None` serves at `/`.
    pub build: BuildOptions,
    /// 0 picks a free port.
    pub port: u16,
    /// Open the handbook in the browser once it is served.
    pub open: bool,
}

/// Serves until the process is stopped. Returns only on an I/O failure:
/// the port is taken, or the project folder cannot be watched.
pub fn serve(opts: &ServeOptions, term: Term) -> io::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", opts.port)).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("cannot listen on 127.0.0.1:{}: {e} (`--port 0` picks a free port)", opts.port),
        )
    })?;
    let port = listener.local_addr()?.port();
    let mut build = opts.build.clone();
    build.base_url = Some(build.base_url.unwrap_or_else(|| "/".into()));
    // A wrong --base-url is each build's error to report.
    let base = BaseUrl::parse(build.base_url.as_deref().unwrap_or("/")).unwrap_or_default().path;
    // Watch before the first build, so a save during it is not missed.
    let mut watch = Watch::new(&build.root)?;
    let shared = Arc::new(Shared::new(base.clone()));
    // One builder for the whole session: each rebuild reuses what the
    // previous one parsed and rendered.
    let build = crate::Builder::new(build);
    rebuild(&build, &shared, term, None);

    let url = format!("http://127.0.0.1:{port}{base}");
    {
        let mut out = io::stdout().lock();
        writeln!(out, "Serving {url} (Ctrl-C to stop)")?;
        out.flush()?;
    }
    if opts.open {
        open_browser(&url);
    }
    let server = Arc::clone(&shared);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let shared = Arc::clone(&server);
            std::thread::spawn(move || {
                let _ = handle(stream, &shared);
            });
        }
    });
    while let Some(changed) = watch.next_change() {
        rebuild(&build, &shared, term, Some((&watch.root, &changed)));
    }
    Err(io::Error::other("the file watcher stopped"))
}

/// The site as served: files by path relative to the base.
#[derive(Default)]
struct SiteFiles {
    files: HashMap<String, crate::output::Bytes>,
}

struct State {
    site: Arc<SiteFiles>,
    /// The diagnostics of the last build, while it failed.
    error: Option<Arc<str>>,
    /// Counts builds, good or failed; pages reload when it moves.
    generation: u64,
}

struct Shared {
    base: String,
    state: Mutex<State>,
    changed: Condvar,
}

impl Shared {
    fn new(base: String) -> Self {
        let state = State { site: Arc::default(), error: None, generation: 0 };
        Shared { base, state: Mutex::new(state), changed: Condvar::new() }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        crate::cache::lock(&self.state)
    }

    /// Publishes a build: a new site, or an error over the last good one.
    fn publish(&self, site: Option<SiteFiles>, error: Option<String>) {
        let mut state = self.lock();
        if let Some(site) = site {
            state.site = Arc::new(site);
        }
        state.error = error.map(Arc::from);
        state.generation += 1;
        drop(state);
        self.changed.notify_all();
    }

    fn snapshot(&self) -> (Arc<SiteFiles>, Option<Arc<str>>, u64) {
        let state = self.lock();
        (Arc::clone(&state.site), state.error.clone(), state.generation)
    }

    /// The generation once it differs from `seen`, or `None` after `timeout`.
    fn wait_change(&self, seen: u64, timeout: Duration) -> Option<u64> {
        let state = self.lock();
        let (state, _) = self
            .changed
            .wait_timeout_while(state, timeout, |s| s.generation == seen)
            .unwrap_or_else(|e| e.into_inner());
        (state.generation != seen).then_some(state.generation)
    }
}

/// Renders the site into memory, with the project's `static/` files.
fn render(builder: &crate::Builder) -> Result<(SiteFiles, usize, Diagnostics), Diagnostics> {
    let opts = &builder.opts;
    let (site, warnings) = builder.render()?;
    let mut files: HashMap<String, crate::output::Bytes> = site.files.into_iter().map(|f| (f.path, f.bytes)).collect();
    let static_dir = opts.root.join("static");
    match crate::output::read_static(&static_dir) {
        Ok(extra) => files.extend(extra.into_iter().map(|f| (f.path, f.bytes))),
        Err(e) => {
            let mut diags = warnings;
            diags.push(
                Diagnostic::error("static", Position::WHOLE, format!("cannot read the static files: {e}"))
                    .with_hint("check the permissions of the files in static/"),
            );
            return Err(diags);
        }
    }
    Ok((SiteFiles { files }, site.playbooks, warnings))
}

fn rebuild(builder: &crate::Builder, shared: &Shared, term: Term, changed: Option<(&Path, &[PathBuf])>) {
    let start = Instant::now();
    let result = {
        let _spinner = term.spinner("Building the handbook");
        render(builder)
    };
    let ms = start.elapsed().as_millis();
    match result {
        Ok((site, playbooks, warnings)) => {
            term.diagnostics(&warnings);
            let pages = site.files.keys().filter(|p| p.ends_with(".html")).count();
            let (previous, _, _) = shared.snapshot();
            let updated = site.files.iter().filter(|(path, bytes)| previous.files.get(*path) != Some(*bytes)).count()
                + previous.files.keys().filter(|p| !site.files.contains_key(*p)).count();
            shared.publish(Some(site), None);
            match changed {
                None => term.say(&format!("Built {playbooks} playbooks: {pages} pages in {ms} ms")),
                Some((root, paths)) => {
                    term.say(&format!("rebuilt in {ms} ms ({}); {updated} files changed", describe(root, paths)))
                }
            }
        }
        Err(diags) => {
            term.diagnostics(&diags);
            let n = diags.error_count();
            // Before any build has worked there is no site to fall back on.
            let (previous, _, _) = shared.snapshot();
            let served = if previous.files.is_empty() {
                "nothing is served until a build works"
            } else {
                "the last good build is still served"
            };
            term.error(&format!(
                "the build failed with {}; the browser shows {}, and {served}",
                count(n, "error"),
                if n == 1 { "it" } else { "them" }
            ));
            shared.publish(None, Some(diags.to_string()));
        }
    }
}

/// `playbooks/a.md` or `playbooks/a.md and 2 more files`. Files that are
/// gone (an editor's temporary file, renamed over the real one) are left out
/// unless nothing else changed.
fn describe(root: &Path, paths: &[PathBuf]) -> String {
    let existing: Vec<PathBuf> = paths.iter().filter(|p| p.exists()).cloned().collect();
    let paths = if existing.is_empty() { paths } else { &existing };
    let first =
        paths.first().map_or_else(String::new, |p| crate::diagnostic::display_path(p.strip_prefix(root).unwrap_or(p)));
    match paths.len() {
        0 | 1 => first,
        n => format!("{first} and {} more", count(n - 1, "file")),
    }
}

fn open_browser(url: &str) {
    let program = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    let child = std::process::Command::new(program)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Ok(mut child) = child {
        std::thread::spawn(move || child.wait());
    }
}

// ---------------------------------------------------------------- watching

/// File-system events for the project's sources, grouped into changes.
struct Watch {
    root: PathBuf,
    watcher: notify::RecommendedWatcher,
    events: mpsc::Receiver<notify::Result<notify::Event>>,
    /// Which of [`WATCHED_DIRS`] have a recursive watch.
    watched: HashSet<&'static str>,
}

impl Watch {
    fn new(root: &Path) -> io::Result<Watch> {
        let root = root.canonicalize().map_err(|e| {
            io::Error::new(e.kind(), format!("cannot open the project folder `{}`: {e}", root.display()))
        })?;
        let (tx, events) = mpsc::channel();
        let mut watcher = notify::recommended_watcher(move |event| {
            let _ = tx.send(event);
        })
        .map_err(io::Error::other)?;
        // The root itself, not recursively: `playbook.toml`, and folders
        // created later. Recursing would watch `public/` and `target/` too.
        watcher.watch(&root, RecursiveMode::NonRecursive).map_err(io::Error::other)?;
        let mut watch = Watch { root, watcher, events, watched: HashSet::new() };
        watch.refresh();
        Ok(watch)
    }

    /// Watches source folders that appeared; forgets those that went.
    fn refresh(&mut self) {
        for dir in WATCHED_DIRS {
            let path = self.root.join(dir);
            let is_dir = path.is_dir();
            if is_dir && !self.watched.contains(dir) {
                if self.watcher.watch(&path, RecursiveMode::Recursive).is_ok() {
                    self.watched.insert(dir);
                }
            } else if !is_dir && self.watched.remove(dir) {
                let _ = self.watcher.unwatch(&path);
            }
        }
    }

    /// Blocks until a source file changes, then until saves pause for
    /// [`QUIET`]; returns the paths that changed. `None` if the watcher died.
    fn next_change(&mut self) -> Option<Vec<PathBuf>> {
        let mut changed = Vec::new();
        while changed.is_empty() {
            let event = self.events.recv().ok()?;
            self.collect(event, &mut changed);
        }
        let started = Instant::now();
        let mut last = started;
        loop {
            let now = Instant::now();
            let until = (last + QUIET).min(started + MAX_WAIT);
            if now >= until {
                break;
            }
            match self.events.recv_timeout(until - now) {
                Ok(event) => {
                    let before = changed.len();
                    self.collect(event, &mut changed);
                    if changed.len() > before {
                        last = Instant::now();
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return None,
            }
        }
        self.refresh();
        changed.sort();
        changed.dedup();
        Some(changed)
    }

    fn collect(&self, event: notify::Result<notify::Event>, changed: &mut Vec<PathBuf>) {
        match event {
            // Reading a file is not changing it: our own builds read every
            // source, and reacting to that would rebuild forever.
            Ok(e) if matches!(e.kind, EventKind::Access(_)) => {}
            Ok(e) if e.need_rescan() => changed.push(self.root.join(PLAYBOOKS_DIR)),
            Ok(e) => changed.extend(e.paths.into_iter().filter(|p| self.is_source(p))),
            // The watcher lost track (a full event queue): rebuild to be safe.
            Err(_) => changed.push(self.root.join(PLAYBOOKS_DIR)),
        }
    }

    /// `playbook.toml`, or a file in one of [`WATCHED_DIRS`] that is not an
    /// editor's scratch file.
    fn is_source(&self, path: &Path) -> bool {
        let Ok(rel) = path.strip_prefix(&self.root) else { return false };
        let mut parts = rel.components();
        let Some(Component::Normal(first)) = parts.next() else { return false };
        if parts.next().is_none() && first == CONFIG_FILE {
            return true;
        }
        WATCHED_DIRS.iter().any(|d| first == *d) && !is_scratch(path)
    }
}

/// Swap, backup and lock files editors keep beside the file being edited.
fn is_scratch(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else { return false };
    name.ends_with('~')
        || name.starts_with(".#")
        || name == "4913"
        || name == ".DS_Store"
        || [".swp", ".swo", ".swx"].iter().any(|s| name.ends_with(s))
}

// ---------------------------------------------------------------- serving

/// What a request path asks for.
#[derive(Debug, PartialEq, Eq)]
enum Route {
    Events,
    /// A file of the site, by its path relative to the base.
    File(String),
    Redirect(String),
    NotFound,
}

/// Maps a request target to a route. Anything that could name a file outside
/// the site (`..`, `.`, empty segments, backslashes, NUL, bad escapes) is
/// `NotFound`, whether written plainly or percent-encoded.
fn resolve(target: &str, base: &str) -> Route {
    let path = target.split(['?', '#']).next().unwrap_or_default();
    if path == EVENTS_PATH {
        return Route::Events;
    }
    let Some(decoded) = percent_decode(path) else { return Route::NotFound };
    if !decoded.starts_with('/') || decoded.contains(['\0', '\\']) || decoded.chars().any(char::is_control) {
        return Route::NotFound;
    }
    let segments: Vec<&str> = decoded[1..].split('/').collect();
    let last = segments.len() - 1;
    if segments.iter().enumerate().any(|(i, s)| *s == "." || *s == ".." || (s.is_empty() && i != last)) {
        return Route::NotFound;
    }
    if base != "/" && (decoded == "/" || decoded == base.trim_end_matches('/')) {
        return Route::Redirect(base.to_string());
    }
    let Some(rel) = decoded.strip_prefix(base) else { return Route::NotFound };
    if rel.is_empty() || rel.ends_with('/') {
        Route::File(format!("{rel}index.html"))
    } else {
        Route::File(rel.to_string())
    }
}

/// `%2e%2e` becomes `..`; `None` for a malformed escape or text that is not UTF-8.
fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn handle(stream: TcpStream, shared: &Shared) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    (&mut reader).take(8192).read_line(&mut request_line)?;
    // Skip the headers; nothing in them changes the answer.
    let mut header_bytes = 0;
    loop {
        let mut line = String::new();
        let n = (&mut reader).take(8192).read_line(&mut line)?;
        header_bytes += n;
        if n == 0 || line == "\r\n" || line == "\n" || header_bytes > 64 * 1024 {
            break;
        }
    }
    let mut out = stream;
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return respond(&mut out, "400 Bad Request", "text/plain; charset=utf-8", b"bad request\n", false, "");
    };
    let head_only = method == "HEAD";
    if method != "GET" && !head_only {
        return respond(
            &mut out,
            "405 Method Not Allowed",
            "text/plain; charset=utf-8",
            b"only GET and HEAD\n",
            false,
            "Allow: GET, HEAD\r\n",
        );
    }
    let (site, error, generation) = shared.snapshot();
    match resolve(target, &shared.base) {
        Route::Events if !head_only => events(out, shared),
        Route::Events => respond(&mut out, "200 OK", "text/event-stream", b"", true, ""),
        Route::Redirect(to) => redirect(&mut out, &to),
        Route::File(rel) => {
            if let Some(bytes) = site.files.get(&rel) {
                let html = rel.ends_with(".html");
                let body = if html { inject(bytes, generation, error.as_deref()) } else { bytes.to_vec() };
                return respond(&mut out, "200 OK", content_type(&rel), &body, head_only, "");
            }
            let as_folder = format!("{rel}/index.html");
            if !rel.ends_with("index.html") && site.files.contains_key(&as_folder) {
                let path = target.split(['?', '#']).next().unwrap_or_default();
                return redirect(&mut out, &format!("{path}/"));
            }
            not_found(&mut out, &site, generation, error.as_deref(), head_only)
        }
        Route::NotFound => not_found(&mut out, &site, generation, error.as_deref(), head_only),
    }
}

fn not_found(
    out: &mut TcpStream,
    site: &SiteFiles,
    generation: u64,
    error: Option<&str>,
    head_only: bool,
) -> io::Result<()> {
    let page = match site.files.get("404.html") {
        Some(bytes) => bytes.to_vec(),
        None if error.is_some() && site.files.is_empty() => {
            // The very first build failed: there is no site yet, only the overlay.
            b"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed</title></head><body></body></html>".to_vec()
        }
        None => b"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head><body><h1>Not found</h1></body></html>".to_vec(),
    };
    let body = inject(&page, generation, error);
    respond(out, "404 Not Found", "text/html; charset=utf-8", &body, head_only, "")
}

fn redirect(out: &mut TcpStream, to: &str) -> io::Result<()> {
    respond(out, "302 Found", "text/plain; charset=utf-8", b"", false, &format!("Location: {to}\r\n"))
}

fn respond(
    out: &mut TcpStream,
    status: &str,
    content_type: &str,
    body: &[u8],
    head_only: bool,
    extra: &str,
) -> io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n\
         X-Content-Type-Options: nosniff\r\nConnection: close\r\n{extra}\r\n",
        body.len()
    );
    out.write_all(head.as_bytes())?;
    if !head_only {
        out.write_all(body)?;
    }
    out.flush()
}

/// The event stream: the current generation at once, then each new one as
/// it is published, and a comment every 15 s so a closed tab is noticed.
fn events(mut out: TcpStream, shared: &Shared) -> io::Result<()> {
    out.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
    )?;
    let (_, _, mut seen) = shared.snapshot();
    write!(out, "retry: 500\ndata: {seen}\n\n")?;
    out.flush()?;
    loop {
        match shared.wait_change(seen, Duration::from_secs(15)) {
            Some(generation) => {
                seen = generation;
                write!(out, "event: reload\ndata: {seen}\n\n")?;
            }
            None => out.write_all(b": still here\n\n")?,
        }
        out.flush()?;
    }
}

/// Adds the live-reload script, and the error overlay while the last build
/// failed, before `</body>`.
fn inject(html: &[u8], generation: u64, error: Option<&str>) -> Vec<u8> {
    let mut snippet = format!(
        "<script>/* playbook serve: live reload */(function(){{var g=\"{generation}\";\
         var s=new EventSource(\"{EVENTS_PATH}\");\
         function f(e){{if(e.data!==g){{s.close();location.reload();}}}}\
         s.onmessage=f;s.addEventListener(\"reload\",f);}})();</script>"
    );
    if let Some(error) = error {
        snippet.push_str(&format!(
            "<div id=\"playbook-error-overlay\" role=\"alert\" style=\"position:fixed;inset:0;z-index:2147483647;\
             overflow:auto;margin:0;padding:2rem;background:rgba(24,24,27,.96);color:#f4f4f5;\
             font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace\">\
             <p style=\"margin:0 0 1rem;font-size:16px\"><strong style=\"color:#f87171\">The last build failed.</strong> \
             This page shows the last good build; save a fix and it reloads.</p>\
             <pre style=\"white-space:pre-wrap;margin:0 0 1rem\">{}</pre>\
             <button type=\"button\" onclick=\"this.parentNode.remove()\">Dismiss</button></div>",
            crate::markdown::escape_html(error)
        ));
    }
    let at = find_last_ignore_case(html, b"</body").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + snippet.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(snippet.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find_last_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    (0..=haystack.len().checked_sub(needle.len())?)
        .rev()
        .find(|&i| haystack[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "xml" => "application/xml",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_overlay_shows_markup_in_a_message_as_text() {
        let page = inject(b"<html><body><p>page</p></body></html>", 7, Some("title: <script>x</script> & more"));
        let page = String::from_utf8(page).unwrap();
        assert!(page.contains("title: &lt;script&gt;x&lt;/script&gt; &amp; more"), "{page}");
        assert!(!page.contains("<script>x"), "{page}");
        assert!(page.ends_with("</body></html>"), "the overlay goes before </body>: {page}");
    }

    #[test]
    fn paths_map_to_site_files_under_the_base() {
        assert_eq!(resolve("/", "/"), Route::File("index.html".into()));
        assert_eq!(resolve("/a/?x=1", "/"), Route::File("a/index.html".into()));
        assert_eq!(resolve("/assets/style.css", "/"), Route::File("assets/style.css".into()));
        assert_eq!(resolve("/caf%C3%A9/", "/"), Route::File("café/index.html".into()));
        assert_eq!(resolve("/handbook/a/", "/handbook/"), Route::File("a/index.html".into()));
        assert_eq!(resolve("/handbook", "/handbook/"), Route::Redirect("/handbook/".into()));
        assert_eq!(resolve("/", "/handbook/"), Route::Redirect("/handbook/".into()));
        assert_eq!(resolve("/other/", "/handbook/"), Route::NotFound);
        assert_eq!(resolve(EVENTS_PATH, "/handbook/"), Route::Events);
    }

    #[test]
    fn traversal_in_any_spelling_is_not_found() {
        for bad in [
            "/../Cargo.toml",
            "/%2e%2e/x",
            "/%2E%2E/x",
            "/a/..",
            "/..%2f..%2fetc/passwd",
            "/..%5c..%5cx",
            "/a\\b",
            "/%00",
            "/a%00.html",
            "/./index.html",
            "//etc/passwd",
            "/%zz",
            "/%ff",
            "/handbook/../x",
            "x",
        ] {
            assert_eq!(resolve(bad, "/"), Route::NotFound, "{bad}");
        }
        assert_eq!(resolve("/handbook/%2e%2e/secret", "/handbook/"), Route::NotFound);
    }

    #[test]
    fn html_gets_the_script_and_the_overlay_before_body_ends() {
        let page = b"<html><body><p>hi</p></BODY></html>";
        let plain = String::from_utf8(inject(page, 3, None)).unwrap();
        assert!(plain.contains("var g=\"3\""));
        assert!(plain.ends_with("</BODY></html>"));
        assert!(!plain.contains("playbook-error-overlay"));
        let failed = String::from_utf8(inject(page, 4, Some("x.md:1:1: error: <bad>"))).unwrap();
        assert!(failed.contains("playbook-error-overlay"));
        assert!(failed.contains("x.md:1:1: error: &lt;bad&gt;"));
        assert!(failed.find("<p>hi</p>") < failed.find("playbook-error-overlay"));
    }

    #[test]
    fn editor_scratch_files_are_not_sources() {
        for name in ["a.md~", ".#a.md", ".a.md.swp", "4913"] {
            assert!(is_scratch(Path::new(name)), "{name}");
        }
        assert!(!is_scratch(Path::new("a.md")));
        assert!(!is_scratch(Path::new(".well-known")));
    }
}
