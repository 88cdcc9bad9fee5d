//! The plugin's permissions, and its Android and iOS projects handed to the app's build.
//!
//! The commands the native plugins answer: `set_secure`, `torch` and `dial` are the UI's to call
//! (permissions/default.toml); `share_file` is not granted to the webview: only the Rust side,
//! which wrote the file, asks the share sheet for it.

const COMMANDS: &[&str] = &["set_secure", "torch", "dial", "share_file"];

fn main() {
    tauri_plugin::Builder::new(COMMANDS)
        .android_path("android")
        .ios_path("ios")
        .build();
}
