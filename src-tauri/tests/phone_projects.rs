//! The phone projects as committed (`gen/android`, the iOS texts in `Info.ios.plist` and `ios/`,
//! the app's `phone` plugin in crates/phone): what a phone build takes from them that matters to
//! the citizen. The builds themselves run in the hosted workflow (`.github/workflows/mobile.yml`).

use std::path::{Path, PathBuf};

fn here(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn read(path: &str) -> String {
    std::fs::read_to_string(here(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn config() -> serde_json::Value {
    serde_json::from_str(&read("tauri.conf.json")).unwrap()
}

const MANIFEST: &str = "gen/android/app/src/main/AndroidManifest.xml";

/// iOS has no backup rules to write: the phone plugin marks the data folder as excluded from
/// backups when it loads, and the diary's key is a Keychain item for this device only. Only the
/// hosted workflow builds these files; here they are read as text.
#[test]
fn on_ios_neither_the_diary_nor_its_key_goes_to_a_backup_or_a_new_phone() {
    let swift = read("../crates/phone/ios/Sources/PhonePlugin.swift");
    let load = &swift[swift.find("func load(webview").expect("load")..];
    let load = &load[..load.find("\n  }").unwrap()];
    assert!(
        load.contains("keepDataOutOfBackups()"),
        "load does not keep the data out of backups"
    );
    let keep = &swift[swift
        .find("func keepDataOutOfBackups")
        .expect("keepDataOutOfBackups")..];
    for line in [
        "urls(for: .applicationSupportDirectory, in: .userDomainMask)",
        "values.isExcludedFromBackup = true",
        "try folder.setResourceValues(values)",
    ] {
        assert!(keep.contains(line), "keepDataOutOfBackups lacks {line}");
    }
    let key = read("../crates/diary/src/key.rs");
    assert!(
        key.contains(
            "#[cfg(target_os = \"ios\")]\nconst ENTRY_MODIFIERS: &[(&str, &str)] = &[(\"access-policy\", \"when-unlocked-this-device-only\")];"
        ),
        "the iOS key is not for this device only"
    );
}

#[test]
fn nothing_of_the_app_goes_to_a_backup_or_a_new_phone() {
    let manifest = read(MANIFEST);
    for attribute in [
        r#"android:allowBackup="false""#,
        r#"android:fullBackupContent="false""#,
        r#"android:dataExtractionRules="@xml/data_extraction_rules""#,
    ] {
        assert!(manifest.contains(attribute), "{MANIFEST} lacks {attribute}");
    }
    let rules = read("gen/android/app/src/main/res/xml/data_extraction_rules.xml");
    for section in ["cloud-backup", "device-transfer"] {
        let start = rules.find(&format!("<{section}>")).expect(section);
        let end = rules.find(&format!("</{section}>")).expect(section);
        let body = &rules[start..end];
        for domain in [
            "root",
            "file",
            "database",
            "sharedpref",
            "external",
            "device_root",
            "device_file",
            "device_database",
            "device_sharedpref",
        ] {
            assert!(
                body.contains(&format!(r#"<exclude domain="{domain}" path="." />"#)),
                "{section} keeps {domain}"
            );
            assert!(!body.contains("<include"), "{section} includes something");
        }
    }
}

#[test]
fn venue_links_open_the_app_over_https_only() {
    let config = config();
    let links = config["plugins"]["deep-link"]["mobile"].as_array().unwrap();
    assert_eq!(links.len(), 1);
    // http would let anyone on the network hand the app a link as the authority's; app links are
    // verified against the portal's /.well-known files.
    assert_eq!(links[0]["scheme"], serde_json::json!(["https"]));
    assert_eq!(links[0]["appLink"], true);
    // Posters of venue code v1 and v2.
    assert_eq!(links[0]["pathPrefix"], serde_json::json!(["/v/1", "/v/2"]));
}

#[test]
fn the_android_app_shows_the_apps_own_icon_and_name_in_both_languages() {
    let res = "gen/android/app/src/main/res";
    for density in ["mdpi", "hdpi", "xhdpi", "xxhdpi", "xxxhdpi"] {
        for icon in ["ic_launcher", "ic_launcher_round", "ic_launcher_foreground"] {
            let ours = format!("../icons/android/mipmap-{density}/{icon}.png");
            let built = format!("{res}/mipmap-{density}/{icon}.png");
            assert!(
                std::fs::read(here(&ours)).unwrap() == std::fs::read(here(&built)).unwrap(),
                "{built} is not {ours}"
            );
        }
    }
    assert_eq!(
        read(&format!("{res}/mipmap-anydpi-v26/ic_launcher.xml")),
        read("../icons/android/mipmap-anydpi-v26/ic_launcher.xml")
    );
    let name = |file: &str| {
        let text = read(&format!("{res}/{file}"));
        let start = text.find(r#"<string name="app_name">"#).unwrap() + 24;
        text[start..start + text[start..].find('<').unwrap()].to_owned()
    };
    assert_eq!(name("values/strings.xml"), "Nhật ký ra vào");
    assert_eq!(name("values-en/strings.xml"), "Visit Diary");
    // A phone app: no TV launcher.
    assert!(!read(MANIFEST).contains("LEANBACK"));
}

#[test]
fn gradle_calls_back_the_rust_cli() {
    // The npm CLI through `node` records a callback that fails (tauri-apps/tauri#9536, #9292).
    let task = read("gen/android/buildSrc/src/main/java/org/visitdiary/app/kotlin/BuildTask.kt");
    assert!(task.contains(r#"val executable = """cargo""";"#));
    assert!(task.contains(r#"listOf("tauri", "android", "android-studio-script")"#));
}

#[test]
fn the_share_sheets_file_provider_does_not_merge_into_the_apps() {
    // Two providers of one class in the merged manifest would be merged into one.
    let app = read(MANIFEST);
    let plugin = read("../crates/phone/android/src/main/AndroidManifest.xml");
    assert!(app.contains(r#"android:name="androidx.core.content.FileProvider""#));
    assert!(plugin.contains(r#"android:name="org.visitdiary.phone.OutboxProvider""#));
    assert!(!plugin.contains(r#"android:name="androidx.core.content.FileProvider""#));
    // It lends the outbox (crates/phone OUTBOX) and nothing else.
    let paths = read("../crates/phone/android/src/main/res/xml/visit_diary_outbox.xml");
    assert_eq!(paths.matches("-path ").count(), 1);
    assert!(paths.contains(&format!(
        r#"<cache-path name="outbox" path="{}/" />"#,
        tauri_plugin_phone::OUTBOX
    )));
}

/// Every command the app's plugin declares has its native half on both phones, by the name Tauri
/// calls it there (`set_secure` → `setSecure`): a missing one would fail only on a phone, when a
/// citizen presses its button.
#[test]
fn every_command_of_the_phone_plugin_has_its_kotlin_and_swift_halves() {
    let build = read("../crates/phone/build.rs");
    let list = build
        .split("const COMMANDS: &[&str] = &[")
        .nth(1)
        .and_then(|rest| rest.split("];").next())
        .expect("COMMANDS in crates/phone/build.rs");
    let commands: Vec<&str> = list
        .split(',')
        .map(|c| c.trim().trim_matches('"'))
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(commands, ["set_secure", "torch", "dial", "share_file"]);
    let kotlin = read("../crates/phone/android/src/main/java/PhonePlugin.kt");
    let swift = read("../crates/phone/ios/Sources/PhonePlugin.swift");
    for command in commands {
        let mut words = command.split('_');
        let camel: String = words.next().unwrap().to_string()
            + &words
                .map(|w| w[..1].to_uppercase() + &w[1..])
                .collect::<String>();
        assert!(
            kotlin.contains(&format!("@Command\n    fun {camel}(invoke: Invoke)")),
            "Kotlin has no @Command {camel}"
        );
        assert!(
            swift.contains(&format!(
                "@objc public func {camel}(_ invoke: Invoke) throws"
            )),
            "Swift has no {camel}"
        );
    }
}

/// The value of `key` in a plist (a `<string>` right after it).
fn plist_string(plist: &str, key: &str) -> Option<String> {
    let after = &plist[plist.find(&format!("<key>{key}</key>"))?..];
    let start = after.find("<string>")? + 8;
    Some(after[start..start + after[start..].find("</string>")?].to_owned())
}

/// The `"key" = "value";` lines of an `InfoPlist.strings`.
fn strings(path: &str) -> Vec<(String, String)> {
    read(path)
        .lines()
        .filter_map(|l| {
            let l = l.trim().strip_prefix('"')?.strip_suffix("\";")?;
            let (key, value) = l.split_once("\" = \"")?;
            Some((key.to_owned(), value.to_owned()))
        })
        .collect()
}

#[test]
fn ios_asks_for_the_camera_and_face_id_in_vietnamese_and_english() {
    let plist = read("Info.ios.plist");
    assert_eq!(
        plist_string(&plist, "CFBundleDevelopmentRegion").as_deref(),
        Some("vi")
    );
    let vi = strings("ios/vi.lproj/InfoPlist.strings");
    let en = strings("ios/en.lproj/InfoPlist.strings");
    let keys = |s: &[(String, String)]| s.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
    assert_eq!(
        keys(&vi),
        [
            "CFBundleDisplayName",
            "NSCameraUsageDescription",
            "NSFaceIDUsageDescription"
        ]
    );
    assert_eq!(keys(&en), keys(&vi));
    // Without NSFaceIDUsageDescription iOS never offers Face ID. The plist's own texts are the
    // Vietnamese ones.
    for (key, value) in &vi {
        assert_eq!(plist_string(&plist, key).as_ref(), Some(value), "{key}");
    }
    assert!(
        en.iter().all(|(_, v)| v.is_ascii()),
        "English texts: {en:?}"
    );
}

#[test]
fn the_ios_minimum_is_the_one_the_ui_is_built_for() {
    // The UI is built for Safari 15 (ui/vite.config.ts), which came with iOS 15.
    let vite = std::fs::read_to_string(here("../ui/vite.config.ts")).unwrap();
    let target = vite
        .split("target: 'safari")
        .nth(1)
        .expect("a Safari build target");
    let safari: String = target.chars().take_while(char::is_ascii_digit).collect();
    let minimum = config()["bundle"]["iOS"]["minimumSystemVersion"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(minimum, format!("{safari}.0"));
    let package = read("../crates/phone/ios/Package.swift");
    assert!(package.contains(&format!(".iOS(.v{safari})")));
}
