//! Tidy: cheap checks of the whole tree, as ordinary tests so that no reviewer has to remember
//! them (as rust-analyzer's tidy does): no source file over 800 lines, SQL only in the diary and
//! the portal's store, no row read by position, every Rust file opening with a `//!` line and no
//! line ending in white space, the portal's two migration folders holding one schema, the UI
//! calling exactly the commands the shell registers, the portal's routes added only with
//! their access, and npm packages pinned to exact versions. Each failure names the files and
//! what to do.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The workspace's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root")
}

/// Folders that hold no source of ours: builds, installed packages, generated or downloaded
/// things, test output.
const SKIPPED: &[&str] = &[
    ".git",
    "target",
    "node_modules",
    "dist",
    "corpus",
    "artifacts",
    ".venv",
    "out",
    "smoke",
    "dev-authority",
    "gen",
];

/// The source files under `dir` (relative to the root, `/`-separated), whose names end in one of
/// `extensions`.
fn files(dir: &str, extensions: &[&str]) -> Vec<String> {
    fn walk(at: &Path, root: &Path, extensions: &[&str], out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(at) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !SKIPPED.contains(&name.as_str()) {
                    walk(&path, root, extensions, out);
                }
            } else if extensions.iter().any(|e| name.ends_with(&format!(".{e}"))) {
                let relative = path.strip_prefix(root).expect("under the root");
                out.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let root = root();
    let mut out = Vec::new();
    walk(&root.join(dir), &root, extensions, &mut out);
    out.sort();
    out
}

fn read(file: &str) -> String {
    std::fs::read_to_string(root().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// Every file of ours that holds code: Rust, the UI, the end-to-end tests, scripts.
fn sources() -> Vec<String> {
    files(".", &["rs", "ts", "svelte", "mjs", "js", "py", "sh"])
}

fn rust() -> Vec<String> {
    files(".", &["rs"])
}

/// A file of tests rather than of the program: integration tests and test support.
fn is_test(file: &str) -> bool {
    file.split('/').any(|part| part == "tests")
}

const MAX_LINES: usize = 800;

#[test]
fn no_source_file_passes_800_lines() {
    let long: Vec<String> = sources()
        .into_iter()
        .filter_map(|f| {
            let n = read(&f).lines().count();
            (n > MAX_LINES).then(|| format!("{f}: {n} lines"))
        })
        .collect();
    assert!(
        long.is_empty(),
        "split these into modules of at most {MAX_LINES} lines: {long:#?}"
    );
}

/// SQL runs in two places only: the diary, and the portal's store. (Tests may set up states no
/// page can reach, such as a session idle for an hour, with SQL of their own.)
#[test]
fn sql_runs_only_in_the_diary_and_the_portals_store() {
    let outside: Vec<String> = rust()
        .into_iter()
        .filter(|f| !is_test(f))
        .filter(|f| !f.starts_with("crates/diary/") && !f.starts_with("crates/portal/src/store/"))
        .filter(|f| read(f).contains("sqlx::query"))
        .collect();
    assert!(
        outside.is_empty(),
        "move these queries into crates/portal/src/store (or the diary): {outside:#?}"
    );
}

/// Rows are read by column name (or a `sqlx::FromRow` struct), never by position: a column
/// added to a SELECT must not shift what every later number reads.
#[test]
fn no_row_is_read_by_position() {
    let mut found = Vec::new();
    for f in rust() {
        for (i, line) in read(&f).lines().enumerate() {
            let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
            let mut rest = compact.as_str();
            while let Some(at) = rest.find("try_get") {
                rest = &rest[at + "try_get".len()..];
                // A number right after `try_get(` or after its turbofish `try_get::<T, _>(`.
                let args = match rest.strip_prefix("::<") {
                    Some(turbofish) => turbofish.split_once(">(").map_or("", |(_, a)| a),
                    None => rest.strip_prefix('(').unwrap_or(""),
                };
                if args.starts_with(|c: char| c.is_ascii_digit()) {
                    found.push(format!("{f}:{}", i + 1));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "read these by column name or through a sqlx::FromRow struct: {found:#?}"
    );
}

#[test]
fn every_rust_file_says_what_it_is() {
    let silent: Vec<String> = rust()
        .into_iter()
        .filter(|f| {
            let text = read(f);
            let first = text
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or_default();
            !first.starts_with("//!")
        })
        .collect();
    assert!(
        silent.is_empty(),
        "begin these with a `//!` line saying what the module is: {silent:#?}"
    );
}

/// A migration as both dialects should agree on it: comments gone, the SQLite and PostgreSQL
/// spellings of ids and integer types made one, white space collapsed.
fn normalised(sql: &str) -> String {
    let code: Vec<&str> = sql
        .lines()
        .map(|l| l.split("--").next().unwrap_or(""))
        .collect();
    let mut text = code.join(" ").to_uppercase();
    for (dialect, common) in [
        ("INTEGER PRIMARY KEY AUTOINCREMENT", "ID_PRIMARY_KEY"),
        (
            "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
            "ID_PRIMARY_KEY",
        ),
        ("BIGINT", "INTEGER"),
        ("BYTEA", "BLOB"),
    ] {
        text = text.replace(dialect, common);
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_portals_two_migration_folders_hold_one_schema() {
    let names = |dialect: &str| -> BTreeSet<String> {
        files(&format!("crates/portal/migrations/{dialect}"), &["sql"])
            .into_iter()
            .map(|f| f.rsplit('/').next().unwrap().to_owned())
            .collect()
    };
    let (sqlite, postgres) = (names("sqlite"), names("postgres"));
    assert!(!sqlite.is_empty());
    assert_eq!(
        sqlite, postgres,
        "each migration needs a file in both folders"
    );
    for name in &sqlite {
        let a = normalised(&read(&format!("crates/portal/migrations/sqlite/{name}")));
        let b = normalised(&read(&format!("crates/portal/migrations/postgres/{name}")));
        assert_eq!(a, b, "{name} differs between sqlite/ and postgres/");
    }
}

/// The commands the UI invokes (`invoke('name'` in `ui/src/lib/api.ts`).
fn ui_commands() -> BTreeSet<String> {
    let text = read("ui/src/lib/api.ts");
    let mut found = BTreeSet::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("invoke") {
        rest = &rest[at + "invoke".len()..];
        let call = rest.split_once('(').map_or("", |(head, args)| {
            // `invoke<T>(` or `invoke(`, not `invoke` in another word
            if head.is_empty() || head.starts_with('<') {
                args
            } else {
                ""
            }
        });
        if let Some(name) = call.strip_prefix('\'').and_then(|n| n.split_once('\'')) {
            found.insert(name.0.to_owned());
        }
    }
    found
}

/// The commands the shell registers (`generate_handler![…]` in `src-tauri/src/lib.rs`).
fn shell_commands() -> BTreeSet<String> {
    let text = read("src-tauri/src/lib.rs");
    let start = text
        .find("generate_handler![")
        .expect("the shell registers its commands with generate_handler!");
    let list = &text[start + "generate_handler![".len()..];
    let list = &list[..list.find(']').expect("the end of the list")];
    list.split(',')
        .map(|entry| entry.trim().rsplit("::").next().unwrap_or("").to_owned())
        .filter(|name| !name.is_empty())
        .collect()
}

#[test]
fn the_ui_calls_exactly_the_commands_the_shell_registers() {
    let (ui, shell) = (ui_commands(), shell_commands());
    assert!(ui.len() > 20 && shell.len() > 20, "{ui:?} {shell:?}");
    let unknown: Vec<_> = ui.difference(&shell).collect();
    assert!(
        unknown.is_empty(),
        "ui/src/lib/api.ts calls commands src-tauri does not register: {unknown:?}"
    );
    let unused: Vec<_> = shell.difference(&ui).collect();
    assert!(
        unused.is_empty(),
        "src-tauri registers commands ui/src/lib/api.ts never calls: {unused:?}"
    );
}

/// Routes are added to the portal's router only through `web::routes::Routes`, which makes each
/// name who may use it: a route added any other way would escape the guard and the matrix.
#[test]
fn the_portal_adds_routes_only_with_their_access() {
    let others: Vec<String> = files("crates/portal/src", &["rs"])
        .into_iter()
        .filter(|f| f != "crates/portal/src/web/routes.rs")
        .filter(|f| {
            let text = read(f);
            [".route(", ".route_service(", ".nest(", ".nest_service("]
                .iter()
                .any(|call| text.contains(call))
        })
        .collect();
    assert!(
        others.is_empty(),
        "add routes with web::routes::Routes (get, post, upload), not the router: {others:#?}"
    );
}

#[test]
fn no_line_ends_in_white_space() {
    let mut found = Vec::new();
    for file in rust() {
        for (i, line) in read(&file).lines().enumerate() {
            if line.ends_with([' ', '\t']) {
                found.push(format!("{file}:{}", i + 1));
            }
        }
    }
    assert!(found.is_empty(), "white space at the end of {found:#?}");
}

/// The npm packages the UI and the end-to-end tests name, with the version each asks for.
fn npm_dependencies() -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for manifest in ["ui/package.json", "tests/package.json"] {
        let json: serde_json::Value = serde_json::from_str(&read(manifest)).expect("package.json");
        for section in ["dependencies", "devDependencies"] {
            for (name, version) in json[section].as_object().into_iter().flatten() {
                let version = version.as_str().unwrap_or_default().to_owned();
                out.push((manifest.to_owned(), name.clone(), version));
            }
        }
    }
    out
}

/// An exact version: digits and dots, perhaps a pre-release; no range (`^`, `~`, `>`, `*`, `x`).
fn exact(version: &str) -> bool {
    let core = version.split(['-', '+']).next().unwrap_or_default();
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The registry's audit service cannot be reached from where this is built, so what is installed
/// is exactly what was chosen and reviewed: every npm package pinned to one version (the lock
/// files pin what they bring in).
#[test]
fn npm_packages_are_pinned_to_exact_versions() {
    let ranges: Vec<_> = npm_dependencies()
        .into_iter()
        .filter(|(_, _, version)| !exact(version))
        .collect();
    assert!(
        ranges.is_empty(),
        "pin these to the version in the package's lock file: {ranges:#?}"
    );
}

/// The checks themselves find what they look for.
#[test]
fn the_checks_see_what_they_look_for() {
    assert!(exact("5.3.0") && exact("1.0.0-rc.1"));
    assert!(
        !exact("^5.3.0") && !exact("~2.12.5") && !exact("5.x") && !exact("*") && !exact(">=1.0.0")
    );
    assert!(npm_dependencies()
        .iter()
        .any(|(_, name, _)| name == "svelte"));
    assert_eq!(
        normalised("id INTEGER PRIMARY KEY AUTOINCREMENT, -- a comment\n  at INTEGER"),
        normalised("id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\nat BIGINT -- other")
    );
    assert_ne!(normalised("at INTEGER"), normalised("at TEXT"));
    assert!(ui_commands().contains("check_in"));
    assert!(shell_commands().contains("check_in"));
    let rust = rust();
    assert!(rust.len() > 100, "only {} Rust files found", rust.len());
    assert!(rust.iter().any(|f| f == "crates/protocol/src/lib.rs"));
    assert!(rust.iter().any(|f| f == "fuzz/fuzz_targets/vd1.rs"));
    assert!(!rust.iter().any(|f| f.contains("/target/")));
    assert!(sources().iter().any(|f| f == "ui/src/lib/api.ts"));
}
