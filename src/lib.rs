//! playbook turns a folder of leadership playbooks into a static handbook.
//!
//! The pipeline runs one way, each stage in its own module:
//!
//! 1. [`load`] finds `playbooks/**/*.md` and decodes them (repairing mojibake),
//!    handing each to the parser as soon as it is read;
//! 2. [`parse`] reads front matter ([`frontmatter`]) and understands the body
//!    ([`parts`]) into a [`model::Playbook`], its body rendered from the same
//!    parse ([`markdown`], code by [`highlight`]) with its links as written;
//! 3. [`handbook`] orders and groups the playbooks, rejecting duplicate slugs;
//! 4. [`links`] resolves every link and records back-links;
//! 5. [`pages`] renders every page through Tera ([`render`], [`theme`]),
//!    with each body's links pointed where they resolved, and hands each
//!    file to an [`output::Sink`] as soon as it is made;
//! 6. [`output`] writes them into a staging folder that replaces the output
//!    folder only once the build has succeeded.
//!
//! Every stage adds to one [`Diagnostics`] list, so a build reports all its
//! problems together; the output folder is left as it was when any of them
//! is an error.

pub mod assets;
pub mod cache;
pub mod config;
pub mod diagnostic;
pub mod emoji;
pub mod frontmatter;
pub mod handbook;
pub mod highlight;
pub mod links;
pub mod load;
pub mod map;
pub mod markdown;
mod memory;
pub mod model;
pub mod mojibake;
pub mod output;
pub mod pages;
pub mod paginate;
pub mod parse;
pub mod parts;
pub mod paths;
pub mod rawhtml;
pub mod render;
pub mod sanitize;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod slug;
pub mod term;
pub mod theme;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use memory::{Process, release_freed_memory};

pub use config::{BaseUrl, BuildOptions, Config};
pub use diagnostic::{Diagnostic, Diagnostics, Position, Severity};
pub use memory::keep_freed_memory;

/// What a successful build did.
#[derive(Debug)]
pub struct BuildReport {
    pub playbooks: usize,
    pub frameworks: usize,
    pub exit_games: usize,
    pub pages: usize,
    pub files: usize,
    pub bytes: u64,
    /// Files with the same bytes as in the previous output, which were not written again.
    pub unchanged: usize,
    /// Files of the previous output the site no longer has, removed (a
    /// deleted playbook's page, or a file someone put there by hand).
    pub removed: Vec<PathBuf>,
    pub out_dir: PathBuf,
    pub elapsed: Duration,
    /// Warnings only; a build with errors returns `Err`.
    pub warnings: Diagnostics,
}

/// A site rendered in memory, not yet written.
pub struct Site {
    pub files: Vec<output::OutputFile>,
    pub playbooks: usize,
    pub frameworks: usize,
    pub exit_games: usize,
}

/// What a render produced, its files having gone to a sink.
struct Rendered {
    emitted: Vec<output::Emitted>,
    playbooks: usize,
    frameworks: usize,
    exit_games: usize,
}

/// Runs every stage but writing. `Err` holds all diagnostics when any is an error.
pub fn render_site(opts: &BuildOptions) -> Result<(Site, Diagnostics), Diagnostics> {
    in_memory(opts, &cache::Cache::default())
}

/// Builds the same project again and again (as `serve` does), reusing what
/// did not change since the previous build.
pub struct Builder {
    pub opts: BuildOptions,
    cache: cache::Cache,
}

impl Builder {
    pub fn new(opts: BuildOptions) -> Self {
        Builder { opts, cache: cache::Cache::enabled() }
    }

    /// Every file of the site, in memory.
    pub fn render(&self) -> Result<(Site, Diagnostics), Diagnostics> {
        in_memory(&self.opts, &self.cache)
    }
}

fn in_memory(opts: &BuildOptions, cache: &cache::Cache) -> Result<(Site, Diagnostics), Diagnostics> {
    let sink = output::Memory::default();
    let (r, diags) = render_into(opts, cache, &sink)?;
    let mut files = sink.into_files();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((Site { files, playbooks: r.playbooks, frameworks: r.frameworks, exit_games: r.exit_games }, diags))
}

/// Renders the site into `sink`, file by file.
fn render_into(
    opts: &BuildOptions,
    cache: &cache::Cache,
    sink: &dyn output::Sink,
) -> Result<(Rendered, Diagnostics), Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut clock = StageClock::new();
    let (config, base) = settings(opts, &mut diags);
    highlight::warm_up();
    let (paths, playbooks, files) = load_and_parse(opts, cache, &mut diags);
    clock.lap("load+parse");
    highlight::forget();
    release_freed_memory();
    let handbook = handbook::Handbook::assemble(playbooks, files, opts.drafts, &mut diags);
    clock.lap("assemble");
    let graph = links::link(&handbook, &base, config.safe_html, cache, &mut diags);
    let handbook = handbook.linked(&graph.rewrites);
    clock.lap("link");
    release_freed_memory();
    let theme = theme::Theme::load(&opts.root, &mut diags);
    // Templates that do not compile cannot make the site, but it is still
    // made, with the default theme's and into nothing, so that the build's
    // other problems (a static file in a generated page's place) are
    // reported with theirs. What it renders is cached in an epoch of its
    // own: `serve` rebuilds on every save while a template is broken, and
    // none of it is kept once the templates compile again.
    let (renderer, sink, stand_in) = match render::Renderer::new(&theme, &mut diags) {
        Some(renderer) => (renderer, sink, false),
        None => match render::Renderer::new(&theme::Theme::embedded(), &mut diags) {
            Some(renderer) => (renderer, &output::Discard as &dyn output::Sink, true),
            None => return Err(diags.sorted()),
        },
    };
    cache.start_epoch(cache::hash_of(&(stand_in, theme.fingerprint, format!("{config:?}"), &base.path, &base.origin)));
    let site = pages::Site::new(&handbook, &graph, &config, &base, &renderer, cache, theme.version());
    let static_dir = opts.root.join("static");
    let statics = output::StaticFiles::find(&static_dir);
    let mut emitted = site.emit(&theme, sink, &statics, &mut diags);
    for file in assets::read(&opts.root, &graph.files, paths::MEDIA, &mut diags) {
        emitted.push(statics.emitted(&file));
        sink.put(file);
    }
    diags.extend(output::static_conflicts(&emitted, &static_dir));
    cache.forget_all_but(&opts.root, &paths, &emitted);
    clock.lap("render");
    let diags = diags.sorted();
    if diags.has_errors() {
        return Err(diags);
    }
    let rendered = Rendered {
        emitted,
        playbooks: handbook.playbooks.len(),
        frameworks: handbook.framework_count(),
        exit_games: handbook.exit_game_count(),
    };
    drop(site);
    drop_later((handbook, graph));
    Ok((rendered, diags))
}

/// The project's configuration and the base URL the site is built for
/// (the flag's, else the configuration's); defaults where they are wrong,
/// with the problem said.
fn settings(opts: &BuildOptions, diags: &mut Diagnostics) -> (Config, BaseUrl) {
    let config = Config::load(&opts.root).unwrap_or_else(|d| {
        diags.push(d);
        Config::default()
    });
    // The configuration's base_url was checked as it was read: only the
    // flag can be wrong here.
    let base = BaseUrl::parse(opts.base_url.as_deref().unwrap_or(&config.base_url)).unwrap_or_else(|why| {
        diags.push(
            Diagnostic::error("--base-url", Position::WHOLE, format!("the base URL {why}")).with_hint(BaseUrl::HINT),
        );
        BaseUrl::default()
    });
    (config, base)
}

/// The playbooks' paths, the playbooks that parsed, and the other files
/// under `playbooks/` (images and the like); each problem goes to `diags`.
fn load_and_parse(
    opts: &BuildOptions,
    cache: &cache::Cache,
    diags: &mut Diagnostics,
) -> (Vec<PathBuf>, Vec<model::Playbook>, std::collections::BTreeSet<String>) {
    // Each file is parsed as soon as it is read: the playbooks hold what
    // they need of the text, and the texts go one by one.
    let paths = load::find(&opts.root, diags);
    memory::expect_playbooks(paths.len());
    // The other files beside the playbooks are listed meanwhile: a walk of
    // the folder that needs nothing parsed (5 ms at 10,000 playbooks).
    let (parsed, files) = rayon::join(
        || load::read_each(&opts.root, &paths, diags, cache, |s| cache.parsed(&s.path, s.hash, || parse::playbook(s))),
        || assets::discover(&opts.root),
    );
    let mut playbooks = Vec::with_capacity(parsed.len());
    for p in parsed {
        match p {
            Ok(mut p) => {
                diags.extend(std::mem::take(&mut p.problems));
                playbooks.push(p);
            }
            Err(d) => diags.push(d),
        }
    }
    (paths, playbooks, files)
}

/// Frees `value` on a thread of its own. Freeing the model of every page
/// is a few hundred thousand deallocations (50 ms at 10,000 playbooks) that
/// nothing waits for: a build exits, and `serve` goes on serving.
fn drop_later<T: Send + 'static>(value: T) {
    // If no thread can be made, the closure (and `value`) is dropped here.
    let _ = std::thread::Builder::new().name("drop".into()).spawn(move || drop(value));
}

/// Prints how long each stage took when `PLAYBOOK_TIMINGS` is set; a cheap
/// profile for builds that feel slow. CPU time beside wall time shows how
/// well a stage uses the cores.
struct StageClock {
    on: bool,
    last: Instant,
    last_cpu_ms: usize,
}

impl StageClock {
    fn new() -> Self {
        let on = std::env::var_os("PLAYBOOK_TIMINGS").is_some();
        StageClock { on, last: Instant::now(), last_cpu_ms: if on { Process::now().cpu_ms } else { 0 } }
    }

    fn lap(&mut self, stage: &str) {
        if self.on {
            let process = Process::now();
            eprintln!(
                "timing: {stage:<8} {:>8.1} ms  cpu {:>5} ms   resident {}",
                self.last.elapsed().as_secs_f64() * 1000.0,
                process.cpu_ms - self.last_cpu_ms,
                memory::resident(&process)
            );
            self.last = Instant::now();
            self.last_cpu_ms = process.cpu_ms;
        }
    }
}

/// Validates everything a build would, without writing anything.
pub fn check(opts: &BuildOptions) -> Result<Diagnostics, Diagnostics> {
    render_into(opts, &cache::Cache::default(), &output::Discard).map(|(_, warnings)| warnings)
}

/// Why a build failed, which decides the exit code: the content (1) or the
/// output folder (2). Either way every diagnostic is listed.
#[derive(Debug)]
pub enum BuildError {
    /// Problems in the playbooks, templates or configuration; nothing was written.
    Content(Diagnostics),
    /// The output folder was refused, or could not be written; it is as it was.
    Output(Diagnostics),
    /// Moving the new site into the output folder failed partway: each of
    /// its files is whole, old or new, and a build that succeeds finishes it.
    PartlyWritten(Diagnostics),
}

impl BuildError {
    pub fn diagnostics(&self) -> &Diagnostics {
        match self {
            BuildError::Content(d) | BuildError::Output(d) | BuildError::PartlyWritten(d) => d,
        }
    }

    pub fn into_diagnostics(self) -> Diagnostics {
        match self {
            BuildError::Content(d) | BuildError::Output(d) | BuildError::PartlyWritten(d) => d,
        }
    }
}

/// Builds the handbook into the output folder.
pub fn build(opts: &BuildOptions, force: bool) -> Result<BuildReport, Diagnostics> {
    try_build(opts, force).map_err(BuildError::into_diagnostics)
}

/// [`build`], telling content errors from output-folder errors.
pub fn try_build(opts: &BuildOptions, force: bool) -> Result<BuildReport, BuildError> {
    let start = Instant::now();
    let out_dir = opts.out_dir();
    if let Err(d) = output::check_out_dir(&opts.root, &out_dir, force) {
        let mut diags = Diagnostics::default();
        diags.push(d);
        return Err(BuildError::Output(diags));
    }
    let cannot_write = |not: output::NotWritten, warnings: &Diagnostics| {
        let mut diags = warnings.clone();
        let error =
            Diagnostic::error(out_dir.clone(), Position::WHOLE, format!("cannot write the site: {}", not.error));
        diags.push(if not.partly_updated {
            error.with_hint(
                "the output folder is partly updated, each file whole (old or new); fix the cause and build again to finish",
            )
        } else {
            error.with_hint(
                "check that the output folder's parent exists and is writable; the previous output was left as it was",
            )
        });
        if not.partly_updated { BuildError::PartlyWritten(diags) } else { BuildError::Output(diags) }
    };
    // New and changed files go into the staging folder as they are
    // rendered; a failed build drops it, and the previous output stays as it was.
    let staging = output::Staging::new(&out_dir)
        .map_err(|error| cannot_write(output::NotWritten { error, partly_updated: false }, &Diagnostics::default()))?;
    let (site, warnings) = render_into(opts, &cache::Cache::default(), &staging).map_err(BuildError::Content)?;
    let pages = site.emitted.iter().filter(|f| f.path.ends_with(".html")).count();
    let static_dir = opts.root.join("static");
    let written = staging.finish(&site.emitted, Some(&static_dir)).map_err(|e| cannot_write(e, &warnings))?;
    let mut warnings = warnings;
    if let Some(why) = &written.left_behind {
        warnings.push(
            Diagnostic::warning(out_dir.clone(), Position::WHOLE, format!("the site is in place, but {why}"))
                .with_hint("remove the hidden folder beside the output folder that the message names"),
        );
    }
    Ok(BuildReport {
        playbooks: site.playbooks,
        frameworks: site.frameworks,
        exit_games: site.exit_games,
        pages,
        files: written.files,
        bytes: written.bytes,
        unchanged: written.unchanged,
        removed: written.removed,
        out_dir,
        elapsed: start.elapsed(),
        warnings,
    })
}
