//! The desktop entry point: runs the app (phones enter through `run`'s mobile entry point).
// Prevents an extra console window on Windows in release.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    visit_diary_lib::run()
}
