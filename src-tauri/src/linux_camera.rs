//! The in-app camera on Linux desktops. WebKitGTK keeps `getUserMedia` switched off and refuses
//! media permission requests that nobody answers. The webview only ever loads the app's own UI,
//! which asks for the camera when the user presses "Use the camera"; video is allowed, the
//! microphone never.

use tauri::{Runtime, WebviewWindow};
use webkit2gtk::glib::Cast;
use webkit2gtk::{
    PermissionRequestExt, SettingsExt, UserMediaPermissionRequest, UserMediaPermissionRequestExt,
    WebViewExt,
};

///
/// `mock_camera` (debug builds, `--mock-camera`) gives the webview WebKit's test camera, so the
/// end-to-end tests can exercise the permission path on a machine without a camera.
pub fn enable<R: Runtime>(window: &WebviewWindow<R>, mock_camera: bool) {
    let _ = window.with_webview(move |webview| {
        let view = webview.inner();
        if let Some(settings) = WebViewExt::settings(&view) {
            settings.set_enable_media_stream(true);
            if mock_camera {
                settings.set_enable_mock_capture_devices(true);
            }
        }
        view.connect_permission_request(|_, request| {
            match request.downcast_ref::<UserMediaPermissionRequest>() {
                Some(media) if media.is_for_video_device() && !media.is_for_audio_device() => {
                    request.allow()
                }
                _ => request.deny(),
            }
            true
        });
    });
}
