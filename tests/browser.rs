//! Real-browser end-to-end tests and HTML validation of the fixture handbook.
//!
//! Builds `tests/fixtures/handbook` with the `playbook` binary, then runs
//! `tests/e2e/run.mjs` (Debian Chromium driven by playwright-core, axe-core)
//! and the Nu HTML Checker over every generated page. These need
//! `/usr/bin/chromium`, `node`, `java` and `tests/e2e/node_modules`, which
//! `.ci/run` installs. Without them the test is skipped, except under CI
//! (env `CI` set), where a missing tool is a failure.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

const BASE: &str = "/handbook/";
const CHROMIUM: &str = "/usr/bin/chromium";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn e2e_dir() -> PathBuf {
    root().join("tests/e2e")
}

fn vnu_jar() -> PathBuf {
    e2e_dir().join("node_modules/vnu-jar/build/dist/vnu.jar")
}

/// Finds a program on PATH.
fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(program)).find(|p| p.is_file())
}

/// Everything the browser tests need that is not there, as readable names.
fn missing_prerequisites() -> Vec<String> {
    let mut missing = Vec::new();
    if !Path::new(CHROMIUM).exists() {
        missing.push(CHROMIUM.to_string());
    }
    for tool in ["node", "java"] {
        if which(tool).is_none() {
            missing.push(format!("`{tool}` on PATH"));
        }
    }
    let modules = e2e_dir().join("node_modules");
    if !modules.is_dir() {
        missing.push("tests/e2e/node_modules".to_string());
        return missing;
    }
    for file in ["playwright-core/package.json", "axe-core/axe.min.js", "vnu-jar/build/dist/vnu.jar"] {
        if !modules.join(file).is_file() {
            missing.push(format!("tests/e2e/node_modules/{file}"));
        }
    }
    missing
}

struct Outcome {
    success: bool,
    status: String,
    stdout: String,
    stderr: String,
}

/// Runs a command to completion, killing it after `limit`. Output is read on
/// threads so a chatty child never blocks on a full pipe.
fn run(cmd: &mut Command, limit: Duration) -> Outcome {
    let shown = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {shown}: {e}"));
    let drain = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for a child process") {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(100));
    };
    let (stdout, stderr) = (out.join().unwrap(), err.join().unwrap());
    Outcome {
        success: status.is_some_and(|s| s.success()),
        status: status.map_or_else(|| format!("killed after {} s", limit.as_secs()), |s| s.to_string()),
        stdout,
        stderr,
    }
}

/// Whether the browser tools are installed. Under CI their absence is a
/// failure; elsewhere the tests are skipped with a message.
fn tools_ready() -> bool {
    let missing = missing_prerequisites();
    if missing.is_empty() {
        return true;
    }
    let what = missing.join(", ");
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("browser tests cannot run under CI: missing {what}; .ci/run should have installed them");
    }
    // Written to the real stderr, past the test harness's capture, so a
    // plain `cargo test` shows it.
    let _ = writeln!(std::io::stderr(), "skipping browser tests: missing {what}; run .ci/run to install");
    false
}

/// The fixture handbook built with `base_url` into a temporary folder: the
/// folder (keep it alive while the site is used) and the site in it.
fn build_fixture_site(base_url: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let site = tmp.path().join("site");
    let build = run(
        Command::new(env!("CARGO_BIN_EXE_playbook"))
            .current_dir(root())
            .args(["build", "--root", "tests/fixtures/handbook", "--out"])
            .arg(&site)
            .args(["--base-url", base_url, "--force"]),
        Duration::from_secs(120),
    );
    assert!(build.success, "playbook build failed ({}):\n{}{}", build.status, build.stdout, build.stderr);
    (tmp, site)
}

#[test]
fn browser_end_to_end_and_html_validity() {
    if !tools_ready() {
        return;
    }
    let (_tmp, site) = build_fixture_site(BASE);

    let e2e = run(
        Command::new("node").current_dir(root()).arg(e2e_dir().join("run.mjs")).arg(&site).arg(BASE),
        Duration::from_secs(600),
    );
    println!("--- node tests/e2e/run.mjs ({})\n{}{}", e2e.status, e2e.stdout, e2e.stderr);

    let vnu = run(
        Command::new("java")
            .current_dir(root())
            .arg("-jar")
            .arg(vnu_jar())
            .args(["--errors-only", "--skip-non-html"])
            .arg(&site),
        Duration::from_secs(300),
    );
    println!("--- Nu HTML Checker ({})\n{}{}", vnu.status, vnu.stdout, vnu.stderr);

    let mut failures = Vec::new();
    if !e2e.success {
        // Each FAIL line with its indented details.
        let mut in_fail = false;
        let summary = e2e
            .stdout
            .lines()
            .filter(|l| {
                in_fail = l.starts_with("FAIL") || (in_fail && l.starts_with("     "));
                in_fail
            })
            .collect::<Vec<_>>()
            .join("\n  ");
        failures.push(format!("browser steps failed ({}):\n  {summary}", e2e.status));
    }
    if !vnu.success {
        let errors = vnu.stderr.lines().chain(vnu.stdout.lines()).filter(|l| !l.trim().is_empty()).count();
        failures.push(format!("Nu HTML Checker found {errors} error(s) ({})", vnu.status));
    }
    assert!(failures.is_empty(), "{}\n(full output above)", failures.join("\n"));
}

/// A relative site opened from disk: search loads its index as a script and
/// its result opens the right page, with no server at all.
#[test]
fn search_works_from_disk() {
    if !tools_ready() {
        return;
    }
    let (_tmp, site) = build_fixture_site("./");
    let check = run(
        Command::new("node").current_dir(root()).arg(e2e_dir().join("file_search.mjs")).arg(&site),
        Duration::from_secs(120),
    );
    println!("{}{}", check.stdout, check.stderr);
    assert!(check.success, "search from file:// failed ({}):\n{}{}", check.status, check.stdout, check.stderr);
}
