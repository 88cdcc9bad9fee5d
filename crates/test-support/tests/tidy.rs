//! Cheap checks on the source, as ordinary tests so that no reviewer has to remember them: every
//! Rust file of the folders below opens with a `//!` line saying what it is, and no line ends in
//! white space. (The portal and the app shell are to join the list once their own files say.)

use std::path::{Path, PathBuf};

const CHECKED: &[&str] = &[
    "crates/protocol",
    "crates/diary",
    "crates/test-support",
    "bench/src",
    "fuzz/fuzz_targets",
    "src-tauri/tests",
];

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "target") {
                rust_files(&path, found);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

fn checked_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for dir in CHECKED {
        rust_files(&root.join(dir), &mut files);
    }
    files.sort();
    // The folders exist and hold code: an empty list would pass every check.
    assert!(files.len() > 40, "only {} files found", files.len());
    files
}

#[test]
fn every_file_says_what_it_is() {
    let unsaid: Vec<_> = checked_files()
        .into_iter()
        .filter(|f| !std::fs::read_to_string(f).unwrap().starts_with("//! "))
        .collect();
    assert!(unsaid.is_empty(), "no `//!` line opens {unsaid:#?}");
}

#[test]
fn no_line_ends_in_white_space() {
    let mut found = Vec::new();
    for file in checked_files() {
        for (i, line) in std::fs::read_to_string(&file).unwrap().lines().enumerate() {
            if line.ends_with([' ', '\t']) {
                found.push(format!("{}:{}", file.display(), i + 1));
            }
        }
    }
    assert!(found.is_empty(), "white space at the end of {found:#?}");
}
