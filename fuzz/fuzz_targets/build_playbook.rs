//! Writes the fuzzer's bytes as a playbook next to a good one and checks the
//! project: `playbook::check` must never panic, and an error must always
//! point at a real line and column of a file under `playbooks/`.
//!
//! Run from the repository root:
//! `cargo fuzz run --sanitizer none build_playbook -- -max_total_time=60`

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use playbook::BuildOptions;

/// One project for the whole run; each input rewrites `playbooks/x.md`.
fn project() -> &'static PathBuf {
    static PROJECT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &PROJECT
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("a temporary folder");
            let root = dir.path().to_path_buf();
            std::fs::create_dir_all(root.join("playbooks")).expect("playbooks/");
            std::fs::write(
                root.join("playbooks/good.md"),
                "# Good\n\n## Strategic Frameworks\n\n### Alpha Plan\nText.\n",
            )
            .expect("good.md");
            (dir, root)
        })
        .1
}

fuzz_target!(|data: &[u8]| {
    let root = project();
    std::fs::write(root.join("playbooks/x.md"), data).expect("x.md");
    let diags = match playbook::check(&BuildOptions::new(root)) {
        Ok(warnings) => warnings,
        Err(diags) => {
            assert!(diags.has_errors(), "Err without an error:\n{diags}");
            diags
        }
    };
    for d in diags.iter() {
        assert!(d.file.starts_with("playbooks"), "diagnostic outside playbooks/: {d}");
        assert!(d.line >= 1 && d.column >= 1, "position below 1:1: {d}");
        let lines = if d.file.ends_with("x.md") { data.split(|&b| b == b'\n').count() } else { usize::MAX };
        assert!(d.line <= lines, "line past the end of the file: {d}");
    }
});
