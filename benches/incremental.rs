//! Incremental rebuild benchmark (the `serve` loop): build a generated
//! 1,000-playbook handbook, then edit one playbook at a time and rebuild with
//! the same `Builder`. Reports the cold build, the median rebuild time and
//! how many output files each rebuild changed.
//!
//!     cargo bench --bench incremental [-- N]    (EDITS=k edits, default 7)

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use playbook::{BuildOptions, Builder};

fn files(builder: &Builder) -> HashMap<String, playbook::output::Bytes> {
    let (site, _) = builder.render().expect("the corpus builds");
    site.files.into_iter().map(|f| (f.path, f.bytes)).collect()
}

fn main() {
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1000);
    let dir = tempfile::tempdir().expect("a temp dir");
    let root = dir.path();
    let generator = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/gen_corpus.py");
    let status = Command::new("python3")
        .arg(&generator)
        .args(["--n", &n.to_string(), "--seed", "1", "--out"])
        .arg(root.join("playbooks"))
        .output()
        .expect("python3 runs scripts/gen_corpus.py");
    assert!(status.status.success());
    let builder = Builder::new(BuildOptions::new(root));

    let start = Instant::now();
    let mut previous = files(&builder);
    let cold = start.elapsed();

    let mut edited: Vec<_> = walkdir::WalkDir::new(root.join("playbooks"))
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect();
    let edits = std::env::var("EDITS").ok().and_then(|e| e.parse().ok()).unwrap_or(7);
    edited.truncate(edits);
    let mut times: Vec<Duration> = Vec::new();
    let mut changed_counts = Vec::new();
    for (i, path) in edited.iter().enumerate() {
        let mut text = std::fs::read_to_string(path).unwrap();
        text.push_str(&format!("\nEdited paragraph number {i}.\n"));
        std::fs::write(path, text).unwrap();
        let start = Instant::now();
        let next = files(&builder);
        times.push(start.elapsed());
        let changed: Vec<&String> = next.iter().filter(|(p, b)| previous.get(*p) != Some(*b)).map(|(p, _)| p).collect();
        changed_counts.push(changed.len());
        if i == 0 {
            let mut shown: Vec<_> = changed.iter().map(|s| s.as_str()).collect();
            shown.sort();
            println!("files changed by the first edit: {}", shown.join(", "));
        }
        previous = next;
    }
    times.sort();
    let median = times[times.len() / 2];
    println!("playbooks: {n}");
    println!("cold build (in memory): {:.1} ms", cold.as_secs_f64() * 1000.0);
    println!(
        "rebuild after editing one playbook: median {:.1} ms, min {:.1} ms, max {:.1} ms ({} edits)",
        median.as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0,
        times[times.len() - 1].as_secs_f64() * 1000.0,
        times.len()
    );
    println!("output files changed per edit: {changed_counts:?} of {}", previous.len());
}
