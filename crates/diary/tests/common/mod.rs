//! What the diary's tests share besides the test authority and the in-memory key store (in
//! `test-support`): snapshots of a diary's files to prove a failure changed nothing.
#![allow(dead_code, unused_imports)]

use std::path::Path;

pub use test_support::MemoryStore;

/// Every byte of the diary's files, to prove a failure changed nothing.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// Fails naming the files that differ from `before` (added, removed or changed).
pub fn assert_unchanged(dir: &Path, before: &[(String, Vec<u8>)]) {
    let after = snapshot(dir);
    let names = |files: &[(String, Vec<u8>)]| files.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&after),
        names(before),
        "the diary's files were added or removed"
    );
    for ((name, a), (_, b)) in after.iter().zip(before) {
        assert!(
            a == b,
            "{name} was changed ({} bytes before, {} after)",
            b.len(),
            a.len()
        );
    }
}
