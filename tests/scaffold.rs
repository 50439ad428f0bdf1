//! `playbook init`, `playbook new` and the command line's manners (exit
//! codes, quiet, colour), run as the real binary; and a build killed halfway.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_playbook");

fn playbook(args: &[&str], cwd: &Path) -> Output {
    Command::new(BIN).args(args).current_dir(cwd).env_remove("NO_COLOR").output().expect("run playbook")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[track_caller]
fn assert_code(out: &Output, code: i32) {
    assert_eq!(out.status.code(), Some(code), "stdout:\n{}\nstderr:\n{}", text(&out.stdout), text(&out.stderr));
}

#[test]
fn init_then_build_gives_a_handbook() {
    let tmp = tempfile::tempdir().unwrap();
    let out = playbook(&["init", "team-handbook"], tmp.path());
    assert_code(&out, 0);
    let dir = tmp.path().join("team-handbook");
    for f in ["playbook.toml", "playbooks/first-playbook.md", ".gitignore", ".github/workflows/pages.yml"] {
        assert!(dir.join(f).is_file(), "{f}");
        assert!(text(&out.stdout).contains(f), "prints {f}:\n{}", text(&out.stdout));
    }
    let config = std::fs::read_to_string(dir.join("playbook.toml")).unwrap();
    assert!(config.contains("title = \"Team Handbook\""), "{config}");
    assert!(config.contains("description = "));
    assert!(config.contains("# base_url = "));
    assert!(std::fs::read_to_string(dir.join(".gitignore")).unwrap().lines().any(|l| l == "/public"));

    let built = playbook(&["build", "--root", "team-handbook"], tmp.path());
    assert_code(&built, 0);
    assert!(dir.join("public/index.html").is_file());
    let page = std::fs::read_to_string(dir.join("public/first-playbook/index.html")).unwrap();
    assert!(page.contains("First Playbook"));
    assert!(text(&built.stderr).is_empty(), "the sample builds without warnings:\n{}", text(&built.stderr));
}

#[test]
fn the_workflow_publishes_with_the_official_pages_actions() {
    let tmp = tempfile::tempdir().unwrap();
    assert_code(&playbook(&["init"], tmp.path()), 0);
    let yaml = std::fs::read_to_string(tmp.path().join(".github/workflows/pages.yml")).unwrap();
    let wf: serde_json::Value = serde_saphyr::from_str(&yaml).expect("the workflow is YAML");

    assert_eq!(wf["permissions"]["contents"], "read");
    assert_eq!(wf["permissions"]["pages"], "write");
    assert_eq!(wf["permissions"]["id-token"], "write");
    assert_eq!(wf["concurrency"]["group"], "pages");
    assert_eq!(wf["concurrency"]["cancel-in-progress"], false);

    let jobs = wf["jobs"].as_object().expect("jobs");
    let steps: Vec<&serde_json::Value> = jobs.values().flat_map(|j| j["steps"].as_array().expect("steps")).collect();
    let uses: Vec<&str> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
    for action in
        ["actions/checkout@", "actions/configure-pages@", "actions/upload-pages-artifact@", "actions/deploy-pages@"]
    {
        assert!(uses.iter().any(|u| u.starts_with(action)), "{action} in {uses:?}");
    }
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    let install = runs.iter().find(|r| r.contains("cargo install") && r.contains("--git")).expect("an install step");
    // Left as `init` wrote it, the placeholder stops the job with a message
    // saying what to set, before cargo fails on a repository that is not there.
    let check = format!("if [ \"$PLAYBOOK_GIT\" = \"{}\" ]", playbook::scaffold::PLACEHOLDER_GIT_URL);
    assert!(install.contains(&check) && install.contains("::error") && install.contains("exit 1"), "{install}");
    let build = runs.iter().find(|r| r.contains("playbook build")).expect("a build step");
    assert!(build.contains(r#"--base-url "${{ steps.pages.outputs.base_url }}/""#), "{build}");
    let pages_step = steps.iter().find(|s| s["id"] == "pages").expect("configure-pages has id `pages`");
    assert!(pages_step["uses"].as_str().unwrap().starts_with("actions/configure-pages@"));
    let upload =
        steps.iter().find(|s| s["uses"].as_str().is_some_and(|u| u.contains("upload-pages-artifact"))).unwrap();
    assert_eq!(upload["with"]["path"], "public");
    assert_eq!(jobs["deploy"]["environment"]["name"], "github-pages");
    assert_eq!(jobs["deploy"]["needs"], "build");
}

#[test]
fn init_keeps_what_is_there_and_adds_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join(".gitignore"), "mine\n").unwrap();
    std::fs::create_dir(tmp.path().join("playbooks")).unwrap();
    std::fs::write(tmp.path().join("playbooks/own.md"), "# Own\n").unwrap();
    let out = playbook(&["init", "."], tmp.path());
    assert_code(&out, 0);
    let said = text(&out.stdout);
    assert!(said.contains("Kept ./.gitignore (already there)") && said.contains("Add /public to .gitignore"), "{said}");
    assert_eq!(std::fs::read_to_string(tmp.path().join(".gitignore")).unwrap(), "mine\n", "never overwritten");
    assert!(tmp.path().join("playbook.toml").exists() && tmp.path().join(".github/workflows/pages.yml").exists());
    assert!(!tmp.path().join("playbooks/first-playbook.md").exists(), "no sample beside the author's playbooks");
    // Again: everything is there, nothing changes.
    let toml = std::fs::read_to_string(tmp.path().join("playbook.toml")).unwrap();
    std::fs::write(tmp.path().join("playbook.toml"), format!("{toml}# edited\n")).unwrap();
    assert_code(&playbook(&["init", "."], tmp.path()), 0);
    assert!(std::fs::read_to_string(tmp.path().join("playbook.toml")).unwrap().ends_with("# edited\n"));
    // A file where the folder should be is named as such.
    std::fs::write(tmp.path().join("afile"), "x").unwrap();
    let out = playbook(&["init", "afile"], tmp.path());
    assert_code(&out, 2);
    assert!(text(&out.stderr).contains("it is a file, not a folder"), "{}", text(&out.stderr));
}

#[test]
fn new_writes_a_skeleton_that_builds_and_never_overwrites() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let out = playbook(&["new", "The Hiring Loop", "--track", "People"], root);
    assert_code(&out, 0);
    let path = root.join("playbooks/the-hiring-loop.md");
    assert!(text(&out.stdout).contains("playbooks/the-hiring-loop.md"), "{}", text(&out.stdout));
    let skeleton = std::fs::read_to_string(&path).unwrap();
    for needle in [
        "---\ntitle: \"The Hiring Loop\"\ntrack: \"People\"\nlevel: ",
        "\ntags: ",
        "\nsummary: ",
        "## Story Mode: The Hiring Loop",
        "> **Mission Date**:",
        "> **Location**:",
        "> **Officer**:",
        "> **The Problem**:",
        "> **The Solution**:",
        "> *\"",
        "## Strategic Frameworks\n\n### ",
        "## Communication Patterns",
        "**Don't say**:",
        "**Do say**:",
        "## The Exit Games\n\n### ",
    ] {
        assert!(skeleton.contains(needle), "missing {needle:?} in\n{skeleton}");
    }

    let built = playbook(&["build"], root);
    assert_code(&built, 0);
    assert!(text(&built.stdout).contains("Built 1 playbook (1 framework, 1 exit game)"), "{}", text(&built.stdout));
    let page = std::fs::read_to_string(root.join("public/the-hiring-loop/index.html")).unwrap();
    assert!(page.contains("The Hiring Loop"));
    assert!(std::fs::read_to_string(root.join("public/frameworks/index.html")).unwrap().contains("First Framework"));

    std::fs::write(&path, "my own words\n").unwrap();
    let again = playbook(&["new", "The Hiring Loop"], root);
    assert_code(&again, 2);
    assert!(text(&again.stderr).contains("already exists"), "{}", text(&again.stderr));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "my own words\n");

    assert_code(&playbook(&["new", "???"], root), 2);
}

#[test]
fn exit_codes_tell_content_errors_from_usage_and_io_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    assert_code(&playbook(&["new", "Broken Links"], root), 0);
    let help = playbook(&["--help"], root);
    assert_code(&help, 0);
    let help = text(&help.stdout);
    assert!(
        help.contains("Exit codes") && help.contains("1  content errors") && help.contains("2  usage or I/O"),
        "{help}"
    );

    assert_code(&playbook(&["build", "--no-such-flag"], root), 2);
    // An output folder outside the project is refused: 2.
    let outside = tempfile::tempdir().unwrap();
    let refused = playbook(&["build", "--out", outside.path().to_str().unwrap()], root);
    assert_code(&refused, 2);
    // An output folder that cannot be written (its parent is a file): 2.
    std::fs::write(root.join("blocker"), "").unwrap();
    assert_code(&playbook(&["build", "--out", "blocker/site"], root), 2);
    // A broken link is a content error: 1, with file:line:col.
    let path = root.join("playbooks/broken-links.md");
    let mut text_with_link = std::fs::read_to_string(&path).unwrap();
    text_with_link.push_str("\nSee [[no-such-playbook]].\n");
    std::fs::write(&path, text_with_link).unwrap();
    let broken = playbook(&["build"], root);
    assert_code(&broken, 1);
    let err = text(&broken.stderr);
    assert!(err.contains("playbooks/broken-links.md:") && err.contains(": error: "), "{err}");
    assert!(!err.contains('\x1b'), "no colour when stderr is not a terminal: {err:?}");
}

#[test]
fn quiet_prints_only_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    assert_code(&playbook(&["--quiet", "new", "Quiet One"], root), 0);
    // A warning (mojibake) that --quiet leaves out.
    let path = root.join("playbooks/quiet-one.md");
    let mut s = std::fs::read_to_string(&path).unwrap();
    s.push_str("\nA scroll: ðŸ“œ\n");
    std::fs::write(&path, s).unwrap();
    let loud = playbook(&["build"], root);
    assert_code(&loud, 0);
    assert!(!loud.stdout.is_empty());
    let quiet = playbook(&["build", "--quiet"], root);
    assert_code(&quiet, 0);
    assert!(quiet.stdout.is_empty() && quiet.stderr.is_empty(), "{}{}", text(&quiet.stdout), text(&quiet.stderr));
    std::fs::write(&path, "---\ntitle: [broken\n---\n").unwrap();
    let failed = playbook(&["build", "-q"], root);
    assert_code(&failed, 1);
    assert!(text(&failed.stderr).contains("error"));
}

/// Kills the child when dropped, so no test leaves a process behind.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                files.insert(e.path().strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(e.path()).unwrap());
            }
        }
    }
    files
}

fn write_playbooks(root: &Path, n: usize, word: &str) {
    let dir = root.join("playbooks");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..n {
        let body = format!(
            "---\ntitle: Playbook {i}\ntrack: Track {}\n---\n\n## Strategic Frameworks\n\n### Frame {i}\n{word} {i}.\n\n\
             ## The Exit Games\n\n### Exit {i}\nLeave {word}.\n",
            i % 7
        );
        std::fs::write(dir.join(format!("p{i:04}.md")), body).unwrap();
    }
}

#[test]
fn a_build_killed_halfway_leaves_the_previous_site_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write_playbooks(root, 3000, "before");
    assert_code(&playbook(&["build", "-q"], root), 0);
    let public = root.join("public");
    let before = snapshot(&public);
    assert!(before.len() > 3000);
    // The next build would change every page.
    write_playbooks(root, 3000, "after");

    // Killed early (loading or rendering), then killed while writing: the
    // moment its staging folder appears beside public/.
    for kill_when_staging in [false, true] {
        let child = Command::new(BIN)
            .args(["build", "-q"])
            .current_dir(root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut child = KillOnDrop(child);
        let start = Instant::now();
        if kill_when_staging {
            let staging = format!(".public.partial-{}", child.0.id());
            while !root.join(&staging).exists() && start.elapsed() < Duration::from_secs(60) {
                if child.0.try_wait().unwrap().is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(2));
            }
        } else {
            std::thread::sleep(Duration::from_millis(100));
        }
        let finished_first = child.0.try_wait().unwrap().is_some();
        drop(child);
        if finished_first {
            // The machine was fast enough to finish; that run proves nothing.
            eprintln!("the build finished before it could be killed (kill_when_staging = {kill_when_staging})");
            write_playbooks(root, 3000, "before");
            assert_code(&playbook(&["build", "-q"], root), 0);
            write_playbooks(root, 3000, "after");
            continue;
        }
        let after = snapshot(&public);
        assert_eq!(after.len(), before.len(), "same files (kill_when_staging = {kill_when_staging})");
        assert!(
            after == before,
            "public/ is byte for byte the previous site (kill_when_staging = {kill_when_staging})"
        );
    }

    // A full build afterwards replaces the site, leftovers or not.
    assert_code(&playbook(&["build", "-q"], root), 0);
    let page = std::fs::read_to_string(public.join("p0001/index.html")).unwrap();
    assert!(page.contains("after 1."), "the new build is in place");
}
