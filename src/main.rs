//! The `playbook` command line: parses the arguments and dispatches. All
//! work happens in the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use playbook::render::count;
use playbook::serve::ServeOptions;
use playbook::term::Term;
use playbook::{BuildError, BuildOptions, Diagnostics};

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  content errors: every problem is listed as file:line:col
  2  usage or I/O errors: bad arguments, an output folder that is refused or
     cannot be written, a port that is taken, a file that would be overwritten

Colours are used when stderr is a terminal and NO_COLOR is not set; builds
that take over a second show a spinner there, unless CI is set.";

#[derive(Parser)]
#[command(name = "playbook", version, about = "Build a handbook website from leadership playbooks", after_help = EXIT_CODES)]
struct Cli {
    /// Print only errors
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct SiteArgs {
    /// Project folder (holds playbooks/, and optionally playbook.toml, templates/, static/)
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Site URL or path the handbook is served under, e.g. https://user.github.io/repo/
    #[arg(long)]
    base_url: Option<String>,
    /// Include playbooks marked `draft: true`
    #[arg(long)]
    drafts: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Build the handbook into the output folder
    Build {
        #[command(flatten)]
        site: SiteArgs,
        /// Output folder, relative to the project folder
        #[arg(long, default_value = "public")]
        out: PathBuf,
        /// Allow an output folder outside the project, or one holding files
        /// that playbook did not write (they are replaced or deleted)
        #[arg(long)]
        force: bool,
    },
    /// Check playbooks, front matter and links without writing anything
    Check {
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Serve the handbook on 127.0.0.1, rebuilding and reloading the browser on every save
    #[command(after_help = "The site is built in memory (public/ is not touched) and served under \
        --base-url's path (default /). While a build fails, the terminal and every page show its \
        errors, and the last good build is still served.")]
    Serve {
        #[command(flatten)]
        site: SiteArgs,
        /// Port to listen on; 0 picks a free one
        #[arg(long, default_value_t = 3000)]
        port: u16,
        /// Open the handbook in the browser (xdg-open)
        #[arg(long)]
        open: bool,
    },
    /// Write a new playbook skeleton to playbooks/<slug>.md
    New {
        /// The playbook's title; the file name is made from it
        title: String,
        /// Track the playbook belongs to
        #[arg(long, default_value = "General")]
        track: String,
        /// Project folder
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Start a handbook: playbook.toml, a sample playbook, .gitignore and a GitHub Pages workflow (files already there are kept)
    Init {
        /// Folder to create the handbook in
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
}

impl SiteArgs {
    fn options(self, out: PathBuf) -> BuildOptions {
        BuildOptions { root: self.root, out, base_url: self.base_url, drafts: self.drafts }
    }

    /// What is wrong with the arguments themselves: a wrong argument is a
    /// usage error (exit code 2), not a handbook with errors in it.
    fn usage_error(&self) -> Option<String> {
        if !self.root.is_dir() {
            return Some(format!(
                "the project folder `{}` does not exist or is not a folder; give --root the folder that holds playbooks/",
                self.root.display()
            ));
        }
        let url = self.base_url.as_deref()?;
        let why = playbook::config::BaseUrl::parse(url).err()?;
        Some(format!("--base-url: the base URL {why}\n  help: {}", playbook::config::BaseUrl::HINT))
    }
}

impl Command {
    fn site(&self) -> Option<&SiteArgs> {
        match self {
            Command::Build { site, .. } | Command::Check { site } | Command::Serve { site, .. } => Some(site),
            Command::New { .. } | Command::Init { .. } => None,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let term = Term::detect(cli.quiet);
    if let Some(why) = cli.command.site().and_then(SiteArgs::usage_error) {
        term.error(&why);
        return ExitCode::from(2);
    }
    match cli.command {
        Command::Build { site, out, force } => build(term, &site.options(out), force),
        Command::Check { site } => check(term, &site.options(PathBuf::from("public"))),
        Command::Serve { site, port, open } => {
            let opts = ServeOptions { build: site.options(PathBuf::from("public")), port, open };
            or_error(term, playbook::serve::serve(&opts, term))
        }
        Command::New { title, track, root } => {
            let written = playbook::scaffold::new_playbook(&root, &title, Some(&track));
            or_error(term, written.map(|path| term.say(&format!("Wrote {}", path.display()))))
        }
        Command::Init { dir } => {
            or_error(term, playbook::scaffold::init(&dir).map(|init| said_init(term, &dir, &init)))
        }
    }
}

fn build(term: Term, opts: &BuildOptions, force: bool) -> ExitCode {
    let result = {
        let _spinner = term.spinner("Building the handbook");
        playbook::try_build(opts, force)
    };
    // The process ends once the report is printed.
    playbook::keep_freed_memory();
    let report = match result {
        Ok(report) => report,
        Err(BuildError::Content(diags)) => return fail(term, &diags, 1, NOTHING_WRITTEN),
        Err(BuildError::Output(diags)) => return fail(term, &diags, 2, NOTHING_WRITTEN),
        Err(BuildError::PartlyWritten(diags)) => {
            return fail(term, &diags, 2, "the output folder is partly updated; build again to finish");
        }
    };
    term.diagnostics(&report.warnings);
    let unchanged = match report.unchanged {
        0 => String::new(),
        n => format!(" ({n} unchanged)"),
    };
    term.say(&format!(
        "Built {} ({}, {}): {}, {}{unchanged} in {} ({:.2} s)",
        count(report.playbooks, "playbook"),
        count(report.frameworks, "framework"),
        count(report.exit_games, "exit game"),
        count(report.pages, "page"),
        count(report.files, "file"),
        report.out_dir.display(),
        report.elapsed.as_secs_f64()
    ));
    // Said, not done silently: a file put in the output by hand goes too.
    if !report.removed.is_empty() {
        const SHOWN: usize = 5;
        let names: Vec<String> =
            report.removed.iter().take(SHOWN).map(|p| playbook::diagnostic::display_path(p)).collect();
        let more = report.removed.len().saturating_sub(SHOWN);
        term.say(&format!(
            "Removed {} the site no longer has: {}{}",
            count(report.removed.len(), "file"),
            names.join(", "),
            if more > 0 { format!(" and {more} more") } else { String::new() }
        ));
    }
    ExitCode::SUCCESS
}

fn check(term: Term, opts: &BuildOptions) -> ExitCode {
    let result = {
        let _spinner = term.spinner("Checking the handbook");
        playbook::check(opts)
    };
    playbook::keep_freed_memory();
    match result {
        Ok(warnings) => {
            term.diagnostics(&warnings);
            term.say("No errors.");
            ExitCode::SUCCESS
        }
        Err(diags) => fail(term, &diags, 1, NOTHING_WRITTEN),
    }
}

/// What `init` wrote and kept, and what is left to the user.
fn said_init(term: Term, dir: &std::path::Path, init: &playbook::scaffold::Init) {
    for p in &init.written {
        term.say(&format!("Wrote {}", p.display()));
    }
    for p in &init.kept {
        term.say(&format!("Kept {} (already there)", p.display()));
    }
    if init.gitignore_lacks_public {
        term.say("Add /public to .gitignore: it is the built site, made anew by every build.");
    }
    if playbook::scaffold::git_url() == playbook::scaffold::PLACEHOLDER_GIT_URL {
        term.say(&format!(
            "Before publishing, set PLAYBOOK_GIT in {} to the repository playbook is installed from.",
            dir.join(playbook::scaffold::WORKFLOW_FILE).display()
        ));
    }
    term.say(&format!("Next: playbook serve --root {} --open", dir.display()));
}

/// Success, or the error said and exit code 2 (a problem outside the content).
fn or_error<E: std::fmt::Display>(term: Term, result: Result<(), E>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            term.error(&e.to_string());
            ExitCode::from(2)
        }
    }
}

/// What a failed build or check did to the output folder, when it did nothing.
const NOTHING_WRITTEN: &str = "nothing was written";

/// Lists the problems, then how many and what became of the output folder.
fn fail(term: Term, diags: &Diagnostics, code: u8, outcome: &str) -> ExitCode {
    term.diagnostics(diags);
    let n = diags.error_count();
    term.error(&format!("{} found; {outcome}", count(n, "problem")));
    ExitCode::from(code)
}
