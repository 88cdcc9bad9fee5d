//! What Visit Diary needs from a phone that no published Tauri plugin gives, as a plugin of its
//! own (Kotlin in `android/`, Swift in `ios/`, compiled by the hosted phone workflow):
//!
//! - `set_secure`: while the diary's screens show, Android's `FLAG_SECURE` keeps them out of
//!   screenshots, screen recordings and the recent-apps thumbnail; iOS covers the window when the
//!   app leaves the foreground, so the app switcher's snapshot shows the cover.
//! - `torch`: the torch, while the barcode scanner holds the camera.
//! - `dial`: the phone's dialler with a number filled in (an alert's hotline); the citizen
//!   presses call. Android's `ACTION_DIAL` needs no permission; iOS asks before it calls.
//! - `share_file` ([`Phone::share_file`]): the system share sheet for a file the app wrote, so a
//!   sealed diary or a printable card reaches the citizen's messaging app, mail or files. The
//!   webview is not granted it: only the Rust side asks, for files it wrote itself.
//!
//! On desktops the plugin does nothing (desktops have none of these or do not need them) and the
//! UI does not call it.

use std::path::Path;

use tauri::plugin::{Builder, TauriPlugin};
use tauri::{Manager, Runtime};

/// A failure of the native side.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[cfg(mobile)]
    #[error(transparent)]
    Native(#[from] tauri::plugin::mobile::PluginInvokeError),
    /// Desktops have no share sheet here; they save files to a folder the user can reach.
    #[error("this platform has no share sheet")]
    Unsupported,
}

#[cfg(target_os = "android")]
const ANDROID_PLUGIN: &str = "org.visitdiary.phone";

#[cfg(target_os = "ios")]
tauri::ios_plugin_binding!(init_plugin_phone);

/// The folder (under the app's cache folder) for files on their way to the share sheet; the
/// Android plugin's FileProvider serves this folder and no other.
pub const OUTBOX: &str = "outbox";

/// Access to the native side from Rust.
pub struct Phone<R: Runtime> {
    #[cfg(mobile)]
    handle: tauri::plugin::PluginHandle<R>,
    #[cfg(desktop)]
    _runtime: std::marker::PhantomData<fn() -> R>,
}

#[cfg(mobile)]
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct ShareFile<'a> {
    path: &'a str,
    mime: &'a str,
    title: &'a str,
}

impl<R: Runtime> Phone<R> {
    /// Opens the system share sheet for `path` (a file under [`OUTBOX`] in the app's cache
    /// folder), titled `title`. Returns once the sheet is shown; neither platform says reliably
    /// where the file went, and the app does not ask.
    pub async fn share_file(&self, path: &Path, mime: &str, title: &str) -> Result<(), Error> {
        #[cfg(mobile)]
        {
            let path = path.to_string_lossy();
            self.handle
                .run_mobile_plugin_async::<serde::de::IgnoredAny>(
                    "shareFile",
                    ShareFile {
                        path: &path,
                        mime,
                        title,
                    },
                )
                .await
                .map(|_| ())
                .map_err(Error::from)
        }
        #[cfg(desktop)]
        {
            let _ = (path, mime, title);
            Err(Error::Unsupported)
        }
    }
}

/// [`Phone`] from the app, a window or a handle.
pub trait PhoneExt<R: Runtime> {
    fn phone(&self) -> &Phone<R>;
}

impl<R: Runtime, T: Manager<R>> PhoneExt<R> for T {
    fn phone(&self) -> &Phone<R> {
        self.state::<Phone<R>>().inner()
    }
}

/// The plugin, `phone` to the webview.
pub fn init<R: Runtime>() -> TauriPlugin<R> {
    Builder::new("phone")
        .setup(|app, api| {
            #[cfg(target_os = "android")]
            let phone = Phone {
                handle: api.register_android_plugin(ANDROID_PLUGIN, "PhonePlugin")?,
            };
            #[cfg(target_os = "ios")]
            let phone = Phone {
                handle: api.register_ios_plugin(init_plugin_phone)?,
            };
            #[cfg(desktop)]
            let phone = {
                let _ = api;
                Phone::<R> {
                    _runtime: std::marker::PhantomData,
                }
            };
            app.manage(phone);
            Ok(())
        })
        .build()
}
