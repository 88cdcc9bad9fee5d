//! What the app's webview may load and call, read from the files Tauri builds it from: the
//! Content-Security-Policy in `tauri.conf.json` and the capabilities. (The e2e test `the webview
//! loads nothing from outside…` shows the policy holding in the real window.)

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

fn read(path: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The policy's directives and their sources.
fn csp() -> BTreeMap<String, Vec<String>> {
    let config = read("tauri.conf.json");
    let text = config["app"]["security"]["csp"]
        .as_str()
        .expect("a Content-Security-Policy is set");
    text.split(';')
        .filter_map(|d| {
            let mut words = d.split_whitespace().map(str::to_owned);
            Some((words.next()?, words.collect()))
        })
        .collect()
}

#[test]
fn the_policy_allows_only_the_app_itself() {
    let csp = csp();
    let sources = |d: &str| csp.get(d).cloned().unwrap_or_default();
    assert_eq!(sources("default-src"), ["'self'"]);
    // No inline or evaluated script, nothing from elsewhere.
    assert_eq!(sources("script-src"), ["'self'"]);
    assert_eq!(sources("object-src"), ["'none'"]);
    assert_eq!(sources("base-uri"), ["'none'"]);
    assert_eq!(sources("frame-ancestors"), ["'none'"]);
    // The only connection is the bridge to the app's Rust side.
    assert_eq!(sources("connect-src"), ["ipc:", "http://ipc.localhost"]);
    for (directive, list) in &csp {
        for source in list {
            assert!(
                !source.contains('*')
                    && source != "'unsafe-eval'"
                    && source != "https:"
                    && source != "http:"
                    && (!source.contains("://") || source == "http://ipc.localhost"),
                "{directive} allows {source}"
            );
        }
    }
    // Svelte sets element styles; styles cannot run code.
    assert_eq!(sources("style-src"), ["'self'", "'unsafe-inline'"]);
}

#[test]
fn the_webview_shows_the_bundled_ui_and_nothing_remote() {
    let config = read("tauri.conf.json");
    assert_eq!(config["build"]["frontendDist"], "../ui/dist");
    for window in config["app"]["windows"].as_array().unwrap() {
        assert!(
            window.get("url").is_none(),
            "a window opens a URL of its own"
        );
    }
    assert_ne!(config["app"]["withGlobalTauri"], true);
    assert!(config["app"]["security"]
        .get("dangerousDisableAssetCspModification")
        .is_none());
}

#[test]
fn capabilities_grant_only_what_the_ui_uses() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("capabilities");
    let mut granted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let capability = read(&format!("capabilities/{name}"));
        assert!(
            capability.get("remote").is_none(),
            "{name} lets remote pages call the app"
        );
        assert_eq!(capability["windows"], serde_json::json!(["main"]), "{name}");
        let platforms = match capability.get("platforms") {
            Some(p) => p
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap().to_owned())
                .collect(),
            None => vec!["all".to_owned()],
        };
        for platform in platforms {
            let set = granted.entry(platform).or_default();
            for p in capability["permissions"].as_array().unwrap() {
                set.insert(p.as_str().expect("permissions by name").to_owned());
            }
        }
    }
    let set = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    // Adding a permission means adding it here, knowingly.
    let expected = BTreeMap::from([
        (
            "all".to_owned(),
            set(&[
                "notification:allow-is-permission-granted",
                "notification:allow-notify",
                "notification:allow-request-permission",
            ]),
        ),
        (
            "linux".to_owned(),
            set(&["core:event:allow-listen", "core:event:allow-unlisten"]),
        ),
        (
            "macOS".to_owned(),
            set(&["core:event:allow-listen", "core:event:allow-unlisten"]),
        ),
        (
            "windows".to_owned(),
            set(&["core:event:allow-listen", "core:event:allow-unlisten"]),
        ),
        (
            "android".to_owned(),
            set(&[
                "barcode-scanner:default",
                "core:app:allow-register-listener",
                "core:app:allow-remove-listener",
                "core:event:allow-listen",
                "core:event:allow-unlisten",
                "deep-link:default",
                "notification:allow-create-channel",
                "phone:default",
            ]),
        ),
        (
            "iOS".to_owned(),
            set(&[
                "barcode-scanner:default",
                "core:app:allow-register-listener",
                "core:app:allow-remove-listener",
                "core:event:allow-listen",
                "core:event:allow-unlisten",
                "deep-link:default",
                "notification:allow-create-channel",
                "phone:default",
            ]),
        ),
    ]);
    assert_eq!(granted, expected);
}

/// The webview may keep its screens out of sight, switch the torch and open the dialler with a
/// number (the citizen still presses call), but not hand a file to the share sheet: the Rust side does, for files it wrote (a webview that could name any path
/// could send the diary's own database out).
#[test]
fn the_phone_plugin_lends_the_webview_no_file() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/phone/permissions/default.toml"),
    )
    .unwrap();
    // One line in our own file: `permissions = [...]`, a JSON list too.
    let line = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("permissions = "))
        .expect("a permissions line");
    let granted: Vec<String> = serde_json::from_str(line).unwrap();
    assert_eq!(granted, ["allow-set-secure", "allow-torch", "allow-dial"]);
}
