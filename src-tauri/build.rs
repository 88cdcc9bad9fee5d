//! Builds Tauri's context (configuration, capabilities, icons) into the app.
fn main() {
    tauri_build::build()
}
