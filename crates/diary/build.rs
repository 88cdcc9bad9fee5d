//! The diary's build script: `sqlx::migrate!` embeds the migrations at compile time, so the
//! crate is rebuilt when one is added or changed.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
