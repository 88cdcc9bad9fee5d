//! Cheap checks that belong in `cargo test`, not in a reviewer's memory: every Rust file of the
//! app's crates says what it is for in its first line.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy();
        if path.is_dir() {
            // Built or generated, not written.
            if !matches!(name.as_ref(), "target" | "gen" | "node_modules") {
                rust_files(&path, found);
            }
        } else if name.ends_with(".rs") {
            found.push(path);
        }
    }
}

#[test]
fn every_rust_file_opens_with_a_line_saying_what_it_is_for() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The shell beside this crate follows the same rule.
    let mut files = Vec::new();
    for dir in [here.to_owned(), here.join("../../src-tauri")] {
        rust_files(&dir, &mut files);
    }
    assert!(files.len() > 10, "{files:?}");
    let without: Vec<_> = files
        .iter()
        .filter(|f| !std::fs::read_to_string(f).unwrap().starts_with("//! "))
        .collect();
    assert!(without.is_empty(), "no `//!` first line: {without:?}");
}
