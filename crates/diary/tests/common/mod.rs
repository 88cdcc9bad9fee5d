//! What the diary's tests share besides the test authority (in `test-support`): an in-memory
//! key store, and snapshots of a diary's files to prove a failure changed nothing.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Mutex;

use diary::{DbKey, Error, KeyStore};

/// An in-memory key store, for the logic of choosing where a key goes (the real Secret Service
/// is tested in `keystore.rs`).
#[derive(Default)]
pub struct MemoryStore {
    pub key: Mutex<Option<Vec<u8>>>,
    /// Refuses to save, as a store whose prompt was dismissed.
    pub refuse: bool,
    /// Answers nothing, as a locked store.
    pub unreachable: bool,
}

impl KeyStore for MemoryStore {
    fn name(&self) -> &str {
        "memory"
    }
    fn load(&self) -> diary::Result<Option<DbKey>> {
        if self.unreachable {
            return Err(Error::KeyStore("locked".into()));
        }
        Ok(self
            .key
            .lock()
            .unwrap()
            .as_deref()
            .and_then(DbKey::from_bytes))
    }
    fn save(&self, key: &DbKey) -> diary::Result<()> {
        if self.refuse {
            return Err(Error::KeyStore("refused".into()));
        }
        *self.key.lock().unwrap() = Some(key.as_bytes().to_vec());
        Ok(())
    }
    fn delete(&self) -> diary::Result<()> {
        *self.key.lock().unwrap() = None;
        Ok(())
    }
}

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
