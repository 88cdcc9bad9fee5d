//! Where the diary lives and which authorities the app trusts, decided once at start.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use app::{Door, Lock, Portals};
use chrono::Utc;
use diary::{Diary, PlatformKeyStore};
use protocol::TrustList;

use crate::error::IpcError;
use crate::http::Client;

/// The trust file built into the app. A deployment replaces `src-tauri/trust.json` with the one
/// its authority's `portal init` wrote; development runs pass `--trust FILE` instead.
const BUNDLED_TRUST: &str = include_str!("../trust.json");

pub struct AppState {
    pub data_dir: PathBuf,
    pub authorities: Vec<String>,
    /// The authorities the app trusts: whose venue codes and share requests it believes, and
    /// the only portals it ever contacts.
    pub trust: TrustList,
    /// The open diary, or why it did not open. Replaced only when the citizen deletes all data.
    diary: RwLock<Result<Arc<Diary>, IpcError>>,
    /// The app lock: whether it is on (a PIN is set), and whether it was opened this session.
    pub lock: Lock,
    /// Venue mode: whether this device is bound to a venue's door.
    pub door: Door,
    /// One "delete all my data" at a time.
    erasing: tokio::sync::Mutex<()>,
    /// A venue link the app was opened with (a phone camera, or the desktop's URL handler), until
    /// the UI takes it to ask the citizen.
    pub link: std::sync::Mutex<Option<String>>,
}

impl AppState {
    /// Closes the diary cleanly, so its WAL is checkpointed into the file.
    pub async fn close(&self) {
        if let Ok(diary) = self.diary() {
            diary.close().await;
        }
    }

    pub fn diary(&self) -> Result<Arc<Diary>, IpcError> {
        let diary = self.diary.read().expect("not poisoned").clone()?;
        // A diary found damaged after it opened (its check runs beside the first reads) is
        // refused as one that did not open.
        match diary.failure() {
            Some(e) => Err(e.into()),
            None => Ok(diary),
        }
    }

    /// The diary once its check for damage has ended: what the UI's first question waits for,
    /// so that a damaged diary shows as one from the first screen.
    pub async fn checked_diary(&self) -> Result<Arc<Diary>, IpcError> {
        let diary = self.diary.read().expect("not poisoned").clone()?;
        diary.checked().await?;
        Ok(diary)
    }

    /// The diary, if the app lock is off or was opened: what reading the diary and sharing need.
    /// Never in venue mode.
    pub fn unlocked_diary(&self) -> Result<Arc<Diary>, IpcError> {
        let diary = self.citizen_diary()?;
        self.lock.require_open()?;
        Ok(diary)
    }

    /// The diary for the citizen's own part of the app (checking in and out): refused in venue
    /// mode, where the device is the venue's door.
    pub fn citizen_diary(&self) -> Result<Arc<Diary>, IpcError> {
        let diary = self.diary()?;
        self.door.require_off()?;
        Ok(diary)
    }

    /// The diary for the door's screens: only in venue mode.
    pub fn door_diary(&self) -> Result<Arc<Diary>, IpcError> {
        let diary = self.diary()?;
        if !self.door.is_on() {
            return Err(diary::Error::DoorNotBound.into());
        }
        Ok(diary)
    }

    /// The portals of the trusted authorities, over the real network.
    pub fn portals(&self) -> Portals<'_, Client> {
        Portals {
            trust: &self.trust,
            http: &Client,
        }
    }

    /// What a command that works while locked (checking in and out) may show of a visit: the
    /// place, which the citizen is standing in, but not their note.
    pub fn shown(&self, mut visit: diary::Visit) -> diary::Visit {
        if self.unlocked_diary().is_err() {
            visit.note.clear();
        }
        visit
    }

    /// What a command that works while locked may show of a visit other than the one just
    /// scanned (the open visit, the one a check-in or a check-out closed): while locked, its time
    /// but not its place, so that whoever picks up the locked phone does not learn where its owner
    /// is or was.
    pub fn shown_without_place(&self, visit: diary::Visit) -> diary::Visit {
        let visit = self.shown(visit);
        if self.unlocked_diary().is_ok() {
            return visit;
        }
        // Only its times: everything else may name the place, or its province (the authority).
        diary::Visit {
            id: visit.id,
            origin: String::new(),
            signature: String::new(),
            venue_id: None,
            name: String::new(),
            address: String::new(),
            unit_code: None,
            sector: None,
            usual_stay_minutes: None,
            key_id: None,
            authority: None,
            time_in: visit.time_in,
            time_out: visit.time_out,
            checkout: visit.checkout,
            note: String::new(),
            edited_at: None,
            withdrawn: false,
            auto_out: visit.auto_out,
        }
    }

    /// Erases the diary and its key, then opens a new, empty one (the citizen asked for both).
    /// Whatever happened to the erasing, the diary is opened again, so the app never keeps a
    /// closed diary: it shows what is there (a new diary, or the old one if nothing was deleted).
    pub async fn erase_and_start_again(&self) -> Result<(), IpcError> {
        let _one_at_a_time = self.erasing.lock().await;
        // In venue mode the guestbook is the venue's: it is not the citizen's to delete.
        let old = self.citizen_diary()?;
        let store = key_store().await;
        let erased = match &store {
            Ok(store) => old
                .erase(store.as_ref().map(|s| s as &dyn diary::KeyStore))
                .await
                .map_err(IpcError::from),
            Err(e) => Err(e.clone()),
        };
        let reopened = open_diary(&self.data_dir, self.trust.clone()).await;
        self.lock.reload(reopened.as_ref().ok()).await;
        self.door.reload(reopened.as_ref().ok()).await;
        *self.diary.write().expect("not poisoned") = reopened.map(Arc::new);
        erased?;
        self.diary().map(|_| ())
    }

    /// Opens the diary. A failure is kept and shown by the UI; it never becomes a new diary.
    /// Its check for damage goes on in the background (`Diary::checked`), and so does the first
    /// `keep`, which writes and so waits for it.
    pub async fn open(data_dir: PathBuf, trust: Result<TrustList, IpcError>) -> AppState {
        let authorities = trust
            .as_ref()
            .map(|t| t.authorities.iter().map(|a| a.name.clone()).collect())
            .unwrap_or_default();
        let trusted = trust.as_ref().cloned().unwrap_or_default();
        let diary = match trust {
            Ok(trust) => open_diary(&data_dir, trust).await,
            Err(e) => Err(e),
        };
        let lock = Lock::load(diary.as_ref().ok()).await;
        let door = Door::load(diary.as_ref().ok()).await;
        AppState {
            data_dir,
            authorities,
            trust: trusted,
            diary: RwLock::new(diary.map(Arc::new)),
            lock,
            door,
            erasing: tokio::sync::Mutex::new(()),
            link: Default::default(),
        }
    }

    /// What the diary does on start and at least daily: close a visit that outlasted its stay,
    /// delete what is older than the retention. A failure here is not fatal; it is tried again.
    pub async fn keep(&self) {
        if let Ok(diary) = self.diary() {
            let _ = diary.purge_expired(Utc::now()).await;
        }
    }
}

/// The platform key store, `None` where there is none (a headless machine).
async fn key_store() -> Result<Option<PlatformKeyStore>, IpcError> {
    // Connecting to the key store may block; it runs on a blocking thread. (The diary opens
    // during setup, before the window shows, so an unlock prompt delays the first screen.)
    let store = tauri::async_runtime::spawn_blocking(PlatformKeyStore::connect)
        .await
        .map_err(|e| app::Error::KeyStore(e.to_string()))?;
    Ok(store.ok())
}

async fn open_diary(data_dir: &Path, trust: TrustList) -> Result<Diary, IpcError> {
    // No key store at all (a headless machine): the diary falls back to a key file.
    let store = key_store().await?;
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
    /// Debug builds only (`--as-phone`): the UI is told it runs on a phone (Android), so that the
    /// desktop end-to-end tests drive its phone paths (the native scanner's overlay, the back
    /// button, the share sheet's sentences) with the phone's plugins faked in the page.
    pub as_phone: bool,
    /// The first argument that looks like a venue link, as a desktop URL handler passes it.
    pub link: Option<String>,
}

impl Options {
    pub fn parse(args: impl IntoIterator<Item = OsString>) -> Options {
        let mut options = Options::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.to_str() {
                Some("--data-dir") => options.data_dir = args.next().map(PathBuf::from),
                // Read in every build so its value is never taken for a link; used only in debug
                // builds: a release app trusts only the authorities built into it.
                Some("--trust") => {
                    let value = args.next().map(PathBuf::from);
                    if cfg!(debug_assertions) {
                        options.trust_file = value;
                    }
                }
                Some("--mock-camera") => options.mock_camera = cfg!(debug_assertions),
                Some("--as-phone") => options.as_phone = cfg!(debug_assertions),
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

/// The D-Bus name of the app running on the diary in `dir` (not the default one): the app's
/// identifier and a hash of the folder's absolute path, so that two launches on one folder are
/// one app, and on two folders two.
#[cfg(target_os = "linux")]
pub fn instance_id(dir: &std::path::Path) -> String {
    use std::hash::{Hash, Hasher};
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut hasher = std::hash::DefaultHasher::new();
    absolute.hash(&mut hasher);
    format!("org.visitdiary.app.diary_{:016x}", hasher.finish())
}

/// Venue links the app answers: `https://<host>/v/…`, and the foreign formats it reads. Whether
/// the link is a valid code is for the confirmation screen to say.
fn looks_like_a_link(text: &str) -> bool {
    let lower = text.trim().to_ascii_lowercase();
    let ours = lower
        .strip_prefix("https://")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(host, path)| !host.is_empty() && path.starts_with("v/"));
    ours || protocol::code::foreign_origin(text).is_some()
}

pub fn load_trust(file: Option<&Path>) -> Result<TrustList, IpcError> {
    let text = match file {
        Some(path) => std::fs::read_to_string(path).map_err(|e| app::Error::TrustFile {
            path: path.to_owned(),
            why: e.to_string(),
        })?,
        None => BUNDLED_TRUST.to_owned(),
    };
    Ok(TrustList::from_json(&text)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flag_value_is_never_taken_for_a_link() {
        let args = [
            "app",
            "--data-dir",
            "https://x/v/1#a",
            "--trust",
            "https://y/v/1#b",
        ]
        .map(OsString::from);
        let options = Options::parse(args);
        assert_eq!(options.link, None);
        assert_eq!(options.data_dir, Some("https://x/v/1#a".into()));
        assert!(looks_like_a_link("UKC19TRACING:1:abc"));
        assert!(!looks_like_a_link("https://example.com/menu/v/1"));
        assert!(!looks_like_a_link("/home/user/v/notes"));
    }

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
            "--as-phone",
            "https://yte.example/v/1#abc",
        ]
        .map(OsString::from);
        assert_eq!(
            Options::parse(args),
            Options {
                data_dir: Some("/d".into()),
                trust_file: Some("/t.json".into()),
                mock_camera: false,
                as_phone: true,
                link: Some("https://yte.example/v/1#abc".into()),
            }
        );
    }

    #[test]
    fn the_bundled_trust_file_parses_and_holds_no_test_key() {
        let trust = load_trust(None).unwrap();
        // The NHS test key of the published vectors must never ship.
        assert!(trust
            .nhs_keys
            .iter()
            .all(|k| !k.pem().contains("EEVs/o5+uQbTjL3chynL4wXgUg2R9")));
        assert!(!BUNDLED_TRUST.contains("EEVs/o5+uQbTjL3chynL4wXgUg2R9"));
    }
}
