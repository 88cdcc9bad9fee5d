//! Where the diary lives and which authorities the app trusts, decided once at start.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use diary::{Diary, PlatformKeyStore};
use protocol::TrustList;

use crate::error::IpcError;

/// The trust file built into the app. A deployment replaces `src-tauri/trust.json` with the one
/// its authority's `portal init` wrote; development runs pass `--trust FILE` instead.
const BUNDLED_TRUST: &str = include_str!("../trust.json");

pub struct AppState {
    pub data_dir: PathBuf,
    pub authorities: Vec<String>,
    diary: Result<Diary, IpcError>,
    /// A venue link the app was opened with (a phone camera, or the desktop's URL handler), until
    /// the UI takes it to ask the citizen.
    pub link: std::sync::Mutex<Option<String>>,
}

impl AppState {
    /// Closes the diary cleanly, so its WAL is checkpointed into the file.
    pub async fn close(&self) {
        if let Ok(diary) = &self.diary {
            diary.close().await;
        }
    }

    pub fn diary(&self) -> Result<&Diary, IpcError> {
        self.diary.as_ref().map_err(Clone::clone)
    }

    /// Opens the diary. A failure is kept and shown by the UI; it never becomes a new diary.
    pub async fn open(data_dir: PathBuf, trust: Result<TrustList, IpcError>) -> AppState {
        let authorities = trust
            .as_ref()
            .map(|t| t.authorities.iter().map(|a| a.name.clone()).collect())
            .unwrap_or_default();
        let diary = match trust {
            Ok(trust) => open_diary(&data_dir, trust).await,
            Err(e) => Err(e),
        };
        AppState {
            data_dir,
            authorities,
            diary,
            link: Default::default(),
        }
    }
}

async fn open_diary(data_dir: &Path, trust: TrustList) -> Result<Diary, IpcError> {
    // Connecting to the key store may block; it runs on a blocking thread. (The diary opens
    // during setup, before the window shows, so an unlock prompt delays the first screen.)
    let store = tauri::async_runtime::spawn_blocking(PlatformKeyStore::connect)
        .await
        .map_err(|e| IpcError::new("key_store", e.to_string()))?;
    // No key store at all (a headless machine): the diary falls back to a key file.
    let store = store.ok();
    Ok(Diary::open(
        data_dir,
        trust,
        store.as_ref().map(|s| s as &dyn diary::KeyStore),
    )
    .await?)
}

/// Command-line options of the desktop build: `--data-dir DIR`, and in debug builds only
/// `--trust FILE` (a release build trusts only the authorities built into it).
#[derive(Default, Debug, PartialEq)]
pub struct Options {
    pub data_dir: Option<PathBuf>,
    pub trust_file: Option<PathBuf>,
    /// Debug builds only: WebKit's test camera instead of a real one (Linux).
    pub mock_camera: bool,
    /// A venue link given as the first plain argument, as a desktop URL handler passes it.
    pub link: Option<String>,
}

impl Options {
    pub fn parse(args: impl IntoIterator<Item = OsString>) -> Options {
        let mut options = Options::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.to_str() {
                Some("--data-dir") => options.data_dir = args.next().map(PathBuf::from),
                #[cfg(debug_assertions)]
                Some("--trust") => options.trust_file = args.next().map(PathBuf::from),
                #[cfg(debug_assertions)]
                Some("--mock-camera") => options.mock_camera = true,
                Some(flag) if flag.starts_with("--") => {}
                Some(text) if options.link.is_none() && looks_like_a_link(text) => {
                    options.link = Some(text.to_owned())
                }
                _ => {}
            }
        }
        options
    }
}

/// Venue links the app answers: this system's and the foreign formats it reads.
fn looks_like_a_link(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    (lower.starts_with("https://") && (lower.contains("/v/") || lower.contains("coronawarn.app")))
        || text.starts_with("NZCOVIDTRACER:")
        || text.starts_with("UKC19TRACING:")
}

pub fn load_trust(file: Option<&Path>) -> Result<TrustList, IpcError> {
    let text = match file {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| IpcError::new("invalid_trust", format!("{}: {e}", path.display())))?,
        None => BUNDLED_TRUST.to_owned(),
    };
    Ok(TrustList::from_json(&text)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(debug_assertions)]
    fn options_are_read_from_the_command_line() {
        let args = [
            "app",
            "--data-dir",
            "/d",
            "--trust",
            "/t.json",
            "--other",
            "https://yte.example/v/1#abc",
        ]
        .map(OsString::from);
        assert_eq!(
            Options::parse(args),
            Options {
                data_dir: Some("/d".into()),
                trust_file: Some("/t.json".into()),
                mock_camera: false,
                link: Some("https://yte.example/v/1#abc".into()),
            }
        );
    }

    #[test]
    fn the_bundled_trust_file_parses() {
        load_trust(None).unwrap();
    }
}
