//! Tauri's Rust crates and their npm packages in step: `tauri build` refuses a plugin whose npm
//! package and crate differ in major or minor version, and so does the hosted phone workflow. The
//! versions compared are the ones locked (`Cargo.lock`, `ui/package-lock.json`), which are what
//! a build uses.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every package locked in `Cargo.lock` whose name starts with `tauri`, and its versions.
fn crates() -> BTreeMap<String, Vec<String>> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).expect("Cargo.lock");
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut name = None;
    for line in lock.lines() {
        if let Some(n) = line.strip_prefix("name = \"") {
            name = Some(n.trim_end_matches('"').to_owned());
        } else if let (Some(v), Some(n)) = (line.strip_prefix("version = \""), name.take()) {
            if n.starts_with("tauri") {
                found
                    .entry(n)
                    .or_default()
                    .push(v.trim_end_matches('"').into());
            }
        }
    }
    found
}

/// The `@tauri-apps/*` packages installed for the UI, by name, and their versions.
fn npm() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(root().join("ui/package-lock.json")).expect("lock");
    let lock: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    lock["packages"]
        .as_object()
        .expect("packages")
        .iter()
        .filter_map(|(path, p)| {
            let name = path.strip_prefix("node_modules/@tauri-apps/")?;
            Some((name.to_owned(), p["version"].as_str()?.to_owned()))
        })
        .collect()
}

fn major_minor(version: &str) -> String {
    version.split('.').take(2).collect::<Vec<_>>().join(".")
}

/// The crate an npm package goes with: `api` with `tauri`, `plugin-x` with `tauri-plugin-x`.
fn crate_of(package: &str) -> Option<String> {
    match package {
        "api" => Some("tauri".into()),
        p if p.starts_with("plugin-") => Some(format!("tauri-{p}")),
        _ => None,
    }
}

#[test]
fn every_tauri_npm_package_has_its_crates_major_and_minor() {
    let crates = crates();
    let mut pairs = 0;
    let mut drift = Vec::new();
    for (package, version) in npm() {
        let Some(name) = crate_of(&package) else {
            continue;
        };
        let Some(locked) = crates.get(&name) else {
            drift.push(format!(
                "@tauri-apps/{package} {version} has no crate {name} locked"
            ));
            continue;
        };
        pairs += 1;
        for v in locked {
            if major_minor(v) != major_minor(&version) {
                drift.push(format!("@tauri-apps/{package} {version} but {name} {v}"));
            }
        }
    }
    assert!(
        drift.is_empty(),
        "bring these to the same major.minor (ui/package.json, src-tauri/Cargo.toml): {drift:#?}"
    );
    // api, barcode-scanner, deep-link and notification: the check saw what it is for.
    assert!(pairs >= 4, "only {pairs} packages compared");
}

#[test]
fn the_check_sees_a_drift() {
    assert_eq!(major_minor("2.8.0"), "2.8");
    assert_ne!(major_minor("2.8.0"), major_minor("2.5.0"));
    assert_eq!(
        crate_of("plugin-deep-link").as_deref(),
        Some("tauri-plugin-deep-link")
    );
    assert_eq!(crate_of("api").as_deref(), Some("tauri"));
    assert_eq!(crate_of("cli"), None);
}
