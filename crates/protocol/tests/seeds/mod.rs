//! The fuzz targets' seed corpora (`fuzz/seeds/<target>/`) are made from these tests' fixtures,
//! so that fuzzing starts from what portals and apps really send. `UPDATE_EXPECT=1` writes them;
//! otherwise each seed must be on disk exactly as the fixtures make it today.
#![allow(dead_code)]

use std::path::PathBuf;

pub fn seed(target: &str, name: &str, bytes: &[u8]) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/seeds")
        .join(target)
        .join(name);
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
    }
    let on_disk = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_EXPECT=1 writes it)", path.display()));
    assert!(
        on_disk == bytes,
        "{} differs from what the fixtures make (UPDATE_EXPECT=1 rewrites it)",
        path.display()
    );
}

/// A seed whose first byte tells the target how to use the rest.
pub fn with_mode(mode: u8, rest: &[u8]) -> Vec<u8> {
    let mut bytes = vec![mode];
    bytes.extend_from_slice(rest);
    bytes
}

/// The content a signed text carries (its COSE_Sign1 payload).
pub fn content(signed: &str) -> Vec<u8> {
    use base64::Engine;
    use coset::CborSerializable;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(signed)
        .unwrap();
    coset::CoseSign1::from_slice(&bytes)
        .unwrap()
        .payload
        .unwrap()
}
