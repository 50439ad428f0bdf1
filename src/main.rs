//! The `playbook` command line: parses the arguments and dispatches. All
//! work happens in the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use playbook::term::Term;
use playbook::{BuildError, BuildOptions, Diagnostics};

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  content errors: every problem is listed as file:line:col
  2  usage or I/O errors: bad arguments, an output folder that is refused or
     cannot be written

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
        /// Allow an output folder outside the project
        #[arg(long)]
        force: bool,
    },
    /// Check playbooks, front matter and links without writing anything
    Check {
        #[command(flatten)]
        site: SiteArgs,
    },
}

impl SiteArgs {
    fn options(self, out: PathBuf) -> BuildOptions {
        BuildOptions { root: self.root, out, base_url: self.base_url, drafts: self.drafts }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let term = Term::detect(cli.quiet);
    match cli.command {
        Command::Build { site, out, force } => {
            let opts = site.options(out);
            let result = {
                let _spinner = term.spinner("Building the handbook");
                playbook::try_build(&opts, force)
            };
            match result {
                Ok(report) => {
                    term.diagnostics(&report.warnings);
                    term.say(&format!(
                        "Built {} playbooks ({} frameworks, {} exit games): {} pages, {} files in {} ({:.2} s)",
                        report.playbooks,
                        report.frameworks,
                        report.exit_games,
                        report.pages,
                        report.files,
                        report.out_dir.display(),
                        report.elapsed.as_secs_f64()
                    ));
                    ExitCode::SUCCESS
                }
                Err(BuildError::Content(diags)) => fail(term, &diags, 1),
                Err(BuildError::Output(diags)) => fail(term, &diags, 2),
            }
        }
        Command::Check { site } => {
            let result = {
                let _spinner = term.spinner("Checking the handbook");
                playbook::check(&site.options(PathBuf::from("public")))
            };
            match result {
                Ok(warnings) => {
                    term.diagnostics(&warnings);
                    term.say("No errors.");
                    ExitCode::SUCCESS
                }
                Err(diags) => fail(term, &diags, 1),
            }
        }
    }
}

fn fail(term: Term, diags: &Diagnostics, code: u8) -> ExitCode {
    term.diagnostics(diags);
    let n = diags.error_count();
    term.error(&format!("{n} problem{} found; nothing was written", if n == 1 { "" } else { "s" }));
    ExitCode::from(code)
}
