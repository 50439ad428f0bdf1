//! `playbook new` and `playbook init`: files an author starts from. Neither
//! ever overwrites anything.

use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::config::CONFIG_FILE;
use crate::load::PLAYBOOKS_DIR;
use crate::slug::slugify;

/// Where the generated GitHub Pages workflow installs playbook from. A build
/// can bake in the real address with `PLAYBOOK_GIT_URL=... cargo build`, or
/// through `repository` in Cargo.toml; otherwise the workflow carries this
/// placeholder, which the README tells the author to replace.
pub const PLACEHOLDER_GIT_URL: &str = "https://github.com/OWNER/playbook";

/// The built site, and the staging folder a build that was killed can leave.
const GITIGNORE: &str = "/public\n/.public.*\n";

/// The workflow file `init` writes, relative to the handbook.
pub const WORKFLOW_FILE: &str = ".github/workflows/pages.yml";

/// The address `cargo install --git` uses in the generated workflow.
pub fn git_url() -> &'static str {
    match option_env!("PLAYBOOK_GIT_URL") {
        Some(url) if !url.is_empty() => url,
        _ if !env!("CARGO_PKG_REPOSITORY").is_empty() => env!("CARGO_PKG_REPOSITORY"),
        _ => PLACEHOLDER_GIT_URL,
    }
}

/// Why nothing was written.
#[derive(Debug)]
pub enum ScaffoldError {
    /// These files are already there; nothing was touched.
    Exists(Vec<PathBuf>),
    /// The title gives no usable file name.
    BadTitle(String),
    Io(PathBuf, io::Error),
}

impl fmt::Display for ScaffoldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScaffoldError::Exists(paths) => {
                let list: Vec<_> = paths.iter().map(|p| format!("`{}`", p.display())).collect();
                write!(
                    f,
                    "{} already exist{}; nothing was written (playbook never overwrites a file)",
                    list.join(", "),
                    if paths.len() == 1 { "s" } else { "" }
                )
            }
            ScaffoldError::BadTitle(why) => f.write_str(why),
            ScaffoldError::Io(path, e) => write!(f, "cannot write `{}`: {e}", path.display()),
        }
    }
}

impl std::error::Error for ScaffoldError {}

/// A new playbook with every standard section, ready to build as it is.
pub fn playbook_skeleton(title: &str, track: &str) -> String {
    let title = one_line(title);
    let track = one_line(track);
    format!(
        r#"---
title: {qtitle}
track: {qtrack}
level: Core
tags: []
summary: One sentence on when to reach for this playbook.
---

## Story Mode: {title}

> **Mission Date**: 2050.01.01
> **Location**: Where it happens
> **Officer**: Who is in charge
>
> **The Problem**: What goes wrong without this playbook.
>
> **The Solution**: What this playbook does about it.
>
> *"A line the officer would say."*

## Strategic Frameworks

### First Framework
How to think about the problem, in a few steps.

## Communication Patterns

### Saying It
*   **Don't say**: "Something that makes it worse."
*   **Do say**: "Something that helps."

## The Exit Games

### First Exit Game
How to leave the situation well.
"#,
        qtitle = yaml_string(&title),
        qtrack = yaml_string(&track),
    )
}

/// Writes `playbooks/<slug>.md` under `root` and returns its path.
pub fn new_playbook(root: &Path, title: &str, track: Option<&str>) -> Result<PathBuf, ScaffoldError> {
    let slug = slugify(title);
    if slug.is_empty() {
        return Err(ScaffoldError::BadTitle(format!(
            "the title `{title}` has no letters or digits to name the file after"
        )));
    }
    if crate::paths::reserved().contains(&slug.as_str()) {
        return Err(ScaffoldError::BadTitle(format!(
            "`{slug}` is a folder the site itself uses; choose a longer title"
        )));
    }
    let path = root.join(PLAYBOOKS_DIR).join(format!("{slug}.md"));
    let text = playbook_skeleton(title, track.unwrap_or("General"));
    write_all(&[(path.clone(), text)])?;
    Ok(path)
}

/// What `init` did: the files it wrote, and those it found already there
/// and left as they were.
#[derive(Debug, Default)]
pub struct Init {
    pub written: Vec<PathBuf>,
    pub kept: Vec<PathBuf>,
    /// An existing `.gitignore` that does not keep the built site out of Git.
    pub gitignore_lacks_public: bool,
}

/// Scaffolds a handbook in `dir` (created if missing): `playbook.toml`, a
/// sample playbook (when `playbooks/` has none yet), `.gitignore` and a
/// GitHub Pages workflow. A file already there is kept as it is, so a
/// handbook can be started in a repository that has a `.gitignore` or a
/// `playbooks/` of its own.
pub fn init(dir: &Path) -> Result<Init, ScaffoldError> {
    if dir.exists() && !dir.is_dir() {
        return Err(ScaffoldError::Io(
            dir.to_path_buf(),
            io::Error::other("it is a file, not a folder; give a folder to start the handbook in"),
        ));
    }
    let name = dir
        .canonicalize()
        .ok()
        .or_else(|| Some(crate::output::normalize(dir)))
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let mut files = vec![(dir.join(CONFIG_FILE), config_file(&handbook_title(&name)))];
    let mut init = Init::default();
    // The playbooks a build would find (hidden files are not).
    if !crate::load::find(dir, &mut crate::diagnostic::Diagnostics::default()).is_empty() {
        init.kept.push(dir.join(PLAYBOOKS_DIR));
    } else {
        files.push((dir.join(PLAYBOOKS_DIR).join("first-playbook.md"), playbook_skeleton("First Playbook", "General")));
    }
    files.push((dir.join(".gitignore"), GITIGNORE.to_string()));
    files.push((dir.join(WORKFLOW_FILE), pages_workflow(git_url())));
    let (kept, new): (Vec<_>, Vec<_>) = files.into_iter().partition(|(p, _)| p.symlink_metadata().is_ok());
    write_all(&new)?;
    init.gitignore_lacks_public = kept.iter().any(|(p, _)| {
        p.ends_with(".gitignore")
            && std::fs::read_to_string(p).is_ok_and(|t| !t.lines().any(|l| l.trim().trim_matches('/') == "public"))
    });
    init.written = new.into_iter().map(|(p, _)| p).collect();
    init.kept.extend(kept.into_iter().map(|(p, _)| p));
    Ok(init)
}

/// Writes every file, or none if any already exists.
fn write_all(files: &[(PathBuf, String)]) -> Result<(), ScaffoldError> {
    let existing: Vec<PathBuf> =
        files.iter().filter(|(p, _)| p.symlink_metadata().is_ok()).map(|(p, _)| p.clone()).collect();
    if !existing.is_empty() {
        return Err(ScaffoldError::Exists(existing));
    }
    for (path, text) in files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| ScaffoldError::Io(parent.to_path_buf(), e))?;
        }
        // `create_new` so a file appearing since the check is still never replaced.
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(path).map_err(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists {
                ScaffoldError::Exists(vec![path.clone()])
            } else {
                ScaffoldError::Io(path.clone(), e)
            }
        })?;
        file.write_all(text.as_bytes()).map_err(|e| ScaffoldError::Io(path.clone(), e))?;
    }
    Ok(())
}

fn config_file(title: &str) -> String {
    let title = toml::Value::String(title.to_string());
    format!(
        r#"# Settings for this handbook; every key is optional.
title = {title}
description = "Leadership playbooks"
# author = "Your team"
# language = "en"

# Where the site is published. Every link carries its path, so a GitHub Pages
# project site needs the repository's: base_url = "https://USER.github.io/REPO/".
# The workflow in .github/workflows/pages.yml passes it with --base-url, so
# this can stay commented out.
# base_url = "/"
"#
    )
}

/// The GitHub Actions workflow that builds the handbook and publishes it with
/// GitHub's official Pages actions.
pub fn pages_workflow(git_url: &str) -> String {
    format!(
        r#"# Builds the handbook with playbook and publishes it on GitHub Pages.
# Once per repository: Settings > Pages > Build and deployment > Source: "GitHub Actions".
name: Publish handbook to GitHub Pages

on:
  push:
    branches: [main]
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

# One deployment at a time; a running one is never cancelled halfway.
concurrency:
  group: pages
  cancel-in-progress: false

env:
  # The repository playbook is installed from (`cargo install --git`).
  # Add `--tag vX.Y.Z` to the install step to pin a release.
  PLAYBOOK_GIT: {git_url}

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v6
      - id: pages
        uses: actions/configure-pages@v6
      - name: Install playbook
        run: |
          if [ "$PLAYBOOK_GIT" = "{placeholder}" ]; then
            echo "::error file={workflow}::Set PLAYBOOK_GIT at the top of {workflow} to the Git URL of playbook's repository."
            exit 1
          fi
          cargo install --locked --git "$PLAYBOOK_GIT" playbook
      - name: Build the handbook
        # base_url is https://USER.github.io/REPO for a project site, or the
        # custom domain; every link in the handbook carries its path.
        run: playbook build --base-url "${{{{ steps.pages.outputs.base_url }}}}/"
      - uses: actions/upload-pages-artifact@v5
        with:
          path: public

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v5
"#,
        placeholder = PLACEHOLDER_GIT_URL,
        workflow = WORKFLOW_FILE,
    )
}

/// `my-team_handbook` reads as `My Team Handbook`.
fn handbook_title(folder: &str) -> String {
    let words: Vec<String> = folder
        .split(['-', '_', ' ', '.'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
        })
        .collect();
    if words.is_empty() { "Playbook Handbook".into() } else { words.join(" ") }
}

/// Control characters (a pasted newline) would break the front matter.
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_string()
}

/// A YAML double-quoted scalar: safe for `:`, `#`, quotes and leading dashes.
fn yaml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_become_file_names_and_quoted_front_matter() {
        let text = playbook_skeleton("Ship it: \"now\"", "People");
        assert!(text.starts_with("---\ntitle: \"Ship it: \\\"now\\\"\"\ntrack: \"People\"\n"), "{text}");
        assert!(text.contains("## Story Mode: Ship it: \"now\""));
        assert_eq!(handbook_title("my-team_handbook"), "My Team Handbook");
        assert_eq!(handbook_title(""), "Playbook Handbook");
    }

    #[test]
    fn reserved_and_empty_titles_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(matches!(new_playbook(tmp.path(), "Map", None), Err(ScaffoldError::BadTitle(_))));
        assert!(matches!(new_playbook(tmp.path(), "!!!", None), Err(ScaffoldError::BadTitle(_))));
        assert!(!tmp.path().join(PLAYBOOKS_DIR).exists());
    }
}
