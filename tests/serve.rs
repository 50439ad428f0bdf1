//! `playbook serve` as an author uses it: the real binary on a small project
//! in a temporary folder, spoken to over plain HTTP/1.1 on 127.0.0.1.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_playbook");

const ALPHA: &str = "---\ntitle: Alpha Playbook\ntrack: People\n---\n\n## Story Mode: First Light\n\n\
> **Mission Date**: 2050.01.01\n> **Location**: Bridge\n> **Officer**: Captain\n>\n\
> **The Problem**: Nobody talks.\n>\n> **The Solution**: Talk.\n>\n> *\"Say it.\"*\n\n\
## Strategic Frameworks\n\n### The Alpha Frame\nORIGINAL-ALPHA-TEXT\n";

const BETA: &str = "---\ntitle: Beta Playbook\ntrack: People\n---\n\nSee [[alpha]].\n";

/// A small project in a temporary folder.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("playbooks")).unwrap();
    std::fs::write(dir.path().join("playbook.toml"), "title = \"Serve Test\"\n").unwrap();
    std::fs::write(dir.path().join("playbooks/alpha.md"), ALPHA).unwrap();
    std::fs::write(dir.path().join("playbooks/beta.md"), BETA).unwrap();
    // A file a traversal would reach if the server read the project folder.
    std::fs::write(dir.path().join("Cargo.toml"), "SECRET-OUTSIDE-THE-SITE\n").unwrap();
    dir
}

/// A running `playbook serve`, killed when dropped.
struct Server {
    child: Child,
    port: u16,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(root: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(BIN)
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .args(extra)
            .env_remove("CI")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start playbook serve");
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        let lines = Arc::clone(&stdout);
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("Serving http://127.0.0.1:") {
                    let port: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    let _ = tx.send(port.parse::<u16>().unwrap());
                }
                lines.lock().unwrap().push(line);
            }
        });
        let err = child.stderr.take().unwrap();
        let text = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut reader = BufReader::new(err);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                text.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        let mut server = Server { child, port: 0, stdout, stderr };
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(port) => server.port = port,
            Err(_) => panic!("no `Serving` line; stderr:\n{}", server.stderr()),
        }
        server
    }

    fn get(&self, path: &str) -> (u16, String) {
        get(self.port, path)
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn rebuilds(&self) -> usize {
        self.stdout.lock().unwrap().iter().filter(|l| l.starts_with("rebuilt")).count()
    }

    /// Waits until the page at `path` satisfies `ok`, at most `limit`.
    #[track_caller]
    fn wait_for(&self, path: &str, limit: Duration, what: &str, ok: impl Fn(&str) -> bool) -> Duration {
        let start = Instant::now();
        loop {
            let (_, body) = self.get(path);
            if ok(&body) {
                return start.elapsed();
            }
            if start.elapsed() > limit {
                panic!(
                    "{what}: not seen at {path} within {limit:?}\nstdout: {:?}\nstderr: {}\nlast body:\n{body}",
                    self.stdout.lock().unwrap(),
                    self.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 GET: the status code and the body.
fn get(port: u16, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map_or(String::new(), |(_, b)| b.to_string());
    (status, body)
}

/// Listens to the event stream; each `data:` value arrives on the channel.
fn events(port: u16) -> mpsc::Receiver<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "GET /__playbook/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if let Some(data) = line.strip_prefix("data: ")
                && tx.send(data.to_string()).is_err()
            {
                break;
            }
        }
    });
    rx
}

/// Whether `text` has a `file:line:col: error:` line for `file`.
fn has_error_at(text: &str, file: &str) -> bool {
    text.match_indices(&format!("{file}:")).any(|(i, m)| {
        let rest = &text[i + m.len()..];
        let mut parts = rest.splitn(3, ':');
        let numeric = |s: Option<&str>| s.is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()));
        numeric(parts.next()) && numeric(parts.next()) && parts.next().is_some_and(|r| r.starts_with(" error:"))
    })
}

fn alpha(dir: &Path) -> PathBuf {
    dir.join("playbooks/alpha.md")
}

#[test]
fn an_edit_shows_on_the_page_and_on_the_event_stream_within_a_second() {
    let dir = project();
    let server = Server::start(dir.path(), &[]);
    let (status, page) = server.get("/alpha/");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("ORIGINAL-ALPHA-TEXT"));
    assert!(page.contains("/__playbook/events"), "the live-reload script is injected");
    assert!(!page.contains("playbook-error-overlay"));

    let stream = events(server.port);
    let first = stream.recv_timeout(Duration::from_secs(5)).expect("the stream opens with the current build");
    std::fs::write(alpha(dir.path()), ALPHA.replace("ORIGINAL-ALPHA-TEXT", "EDITED-ALPHA-TEXT")).unwrap();
    let took = server.wait_for("/alpha/", Duration::from_secs(5), "the edit", |b| b.contains("EDITED-ALPHA-TEXT"));
    assert!(took < Duration::from_secs(1), "the edit took {took:?} to show");
    let next = stream.recv_timeout(Duration::from_secs(1)).expect("a reload signal");
    assert_ne!(next, first, "the signal names a new build");
    assert!(!dir.path().join("public").exists(), "serve never writes the project's public/");
}

#[test]
fn a_broken_save_shows_an_overlay_over_the_last_good_page_until_fixed() {
    let dir = project();
    let server = Server::start(dir.path(), &[]);
    server.wait_for("/alpha/", Duration::from_secs(5), "the first build", |b| b.contains("ORIGINAL-ALPHA-TEXT"));

    let broken = ALPHA.replace("title: Alpha Playbook", "title: [unclosed").replace("ORIGINAL", "BROKEN");
    std::fs::write(alpha(dir.path()), broken).unwrap();
    let page_with_overlay = |b: &str| b.contains("playbook-error-overlay");
    server.wait_for("/alpha/", Duration::from_secs(5), "the overlay", page_with_overlay);
    let (status, page) = server.get("/alpha/");
    assert_eq!(status, 200);
    assert!(has_error_at(&page, "playbooks/alpha.md"), "the diagnostic with its file, line and column:\n{page}");
    assert!(
        page.contains("ORIGINAL-ALPHA-TEXT") && !page.contains("BROKEN-ALPHA-TEXT"),
        "the last good build is served"
    );
    // Every HTML page carries it, not only the broken playbook's.
    assert!(page_with_overlay(&server.get("/beta/").1));
    assert!(has_error_at(&server.stderr(), "playbooks/alpha.md"), "the terminal shows it too:\n{}", server.stderr());
    assert!(server.stderr().contains("and the last good build is still served"), "{}", server.stderr());

    std::fs::write(alpha(dir.path()), ALPHA.replace("ORIGINAL", "FIXED")).unwrap();
    server.wait_for("/alpha/", Duration::from_secs(5), "the fix", |b| {
        b.contains("FIXED-ALPHA-TEXT") && !page_with_overlay(b)
    });
    assert!(!page_with_overlay(&server.get("/beta/").1));
}

#[test]
fn a_first_build_that_fails_does_not_claim_a_good_one_is_served() {
    let dir = project();
    std::fs::write(alpha(dir.path()), ALPHA.replace("title: Alpha Playbook", "title: [unclosed")).unwrap();
    let server = Server::start(dir.path(), &[]);
    let start = Instant::now();
    while !server.stderr().contains("the build failed") && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let stderr = server.stderr();
    assert!(stderr.contains("and nothing is served until a build works"), "{stderr}");
    assert!(!stderr.contains("last good build"), "{stderr}");
}

#[test]
fn a_burst_of_saves_is_one_rebuild() {
    let dir = project();
    let server = Server::start(dir.path(), &[]);
    server.wait_for("/alpha/", Duration::from_secs(5), "the first build", |b| b.contains("ORIGINAL-ALPHA-TEXT"));
    assert_eq!(server.rebuilds(), 0);
    // 20 saves, 10 ms apart, some the way editors do it: a temporary file renamed over the real one.
    for i in 0..20 {
        let text = ALPHA.replace("ORIGINAL-ALPHA-TEXT", &format!("SAVE-{i}-TEXT"));
        if i % 2 == 0 {
            std::fs::write(alpha(dir.path()), text).unwrap();
        } else {
            let temp = dir.path().join("playbooks/.alpha.md.tmp");
            std::fs::write(&temp, text).unwrap();
            std::fs::rename(&temp, alpha(dir.path())).unwrap();
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    server.wait_for("/alpha/", Duration::from_secs(5), "the last save", |b| b.contains("SAVE-19-TEXT"));
    std::thread::sleep(Duration::from_millis(600));
    let n = server.rebuilds();
    assert!((1..=2).contains(&n), "{n} rebuilds for one burst: {:?}", server.stdout.lock().unwrap());
}

#[test]
fn traversal_urls_are_not_found() {
    let dir = project();
    let server = Server::start(dir.path(), &[]);
    for path in [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/%2e%2e/x",
        "/..%5c..%5cx",
        "/..%5cCargo.toml",
        "/%00",
        "/alpha/%00",
        "/a\\..\\Cargo.toml",
        "/./Cargo.toml",
    ] {
        let (status, body) = server.get(path);
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains("SECRET-OUTSIDE-THE-SITE"), "{path}");
    }
}

#[test]
fn a_base_url_serves_the_handbook_under_its_path() {
    let dir = project();
    let server = Server::start(dir.path(), &["--base-url", "/handbook/"]);
    let (status, page) = server.get("/handbook/alpha/");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("href=\"/handbook/"), "links carry the base path");
    assert_eq!(server.get("/alpha/").0, 404);
    assert_eq!(server.get("/").0, 302, "the root points at the handbook");
    assert_eq!(server.get("/handbook/%2e%2e/Cargo.toml").0, 404);
    assert_eq!(server.get("/handbook/../Cargo.toml").0, 404);
}

/// Resident memory of a process, from /proc, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// A bounded load on loopback: 20,000 requests from 64 concurrent clients
/// lose nothing, and the server's memory stays flat.
#[test]
fn under_load_no_request_is_lost_and_memory_stays_flat() {
    const CLIENTS: usize = 64;
    const PER_CLIENT: usize = 313; // 64 x 313 = 20,032 requests
    let dir = project();
    let server = Server::start(dir.path(), &[]);
    let port = server.port;
    let pid = server.child.id();
    let paths: [(&str, u16); 5] =
        [("/", 200), ("/alpha/", 200), ("/assets/style.css", 200), ("/beta/", 200), ("/no-such-page/", 404)];
    let run = |clients: usize, per_client: usize| {
        let failures = Arc::new(Mutex::new(Vec::new()));
        let threads: Vec<_> = (0..clients)
            .map(|c| {
                let failures = Arc::clone(&failures);
                std::thread::spawn(move || {
                    for i in 0..per_client {
                        let (path, want) = paths[(c + i) % paths.len()];
                        let (status, _) = get(port, path);
                        if status != want {
                            failures.lock().unwrap().push(format!("{path}: {status}"));
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        Arc::try_unwrap(failures).unwrap().into_inner().unwrap()
    };
    assert!(run(8, 50).is_empty(), "warm-up");
    let before = rss_kib(pid);
    let start = Instant::now();
    let failures = run(CLIENTS, PER_CLIENT);
    let elapsed = start.elapsed();
    let after = rss_kib(pid);
    println!(
        "load: {} requests, {CLIENTS} concurrent, {} failed, {:.1} s ({:.0} req/s); server RSS {before} KiB -> {after} KiB",
        CLIENTS * PER_CLIENT,
        failures.len(),
        elapsed.as_secs_f64(),
        (CLIENTS * PER_CLIENT) as f64 / elapsed.as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} of {} requests failed: {:?}",
        failures.len(),
        CLIENTS * PER_CLIENT,
        &failures[..failures.len().min(10)]
    );
    assert!(after < before + 32 * 1024, "server memory grew from {before} KiB to {after} KiB");
}
