//! The `playbook` command line. All work happens in the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use playbook::{BuildOptions, Diagnostics};

const EXIT_CODES: &str = "Exit codes: 0 success, 1 content errors (all listed), 2 usage or I/O errors.";

#[derive(Parser)]
#[command(name = "playbook", version, about = "Build a handbook website from leadership playbooks", after_help = EXIT_CODES)]
struct Cli {
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

fn print_diagnostics(diags: &Diagnostics) {
    for d in diags.iter() {
        eprintln!("{d}");
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build { site, out, force } => match playbook::build(&site.options(out), force) {
            Ok(report) => {
                print_diagnostics(&report.warnings);
                println!(
                    "Built {} playbooks ({} frameworks, {} exit games): {} pages, {} files in {} ({:.2} s)",
                    report.playbooks,
                    report.frameworks,
                    report.exit_games,
                    report.pages,
                    report.files,
                    report.out_dir.display(),
                    report.elapsed.as_secs_f64()
                );
                ExitCode::SUCCESS
            }
            Err(diags) => fail(&diags),
        },
        Command::Check { site } => match playbook::check(&site.options(PathBuf::from("public"))) {
            Ok(warnings) => {
                print_diagnostics(&warnings);
                println!("No errors.");
                ExitCode::SUCCESS
            }
            Err(diags) => fail(&diags),
        },
    }
}

fn fail(diags: &Diagnostics) -> ExitCode {
    print_diagnostics(diags);
    let n = diags.error_count();
    eprintln!("error: {n} problem{} found; nothing was written", if n == 1 { "" } else { "s" });
    ExitCode::from(1)
}
