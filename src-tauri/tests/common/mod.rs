//! What the IPC tests share: the real app on Tauri's mock runtime over a real data folder, and
//! one command sent through the IPC as the webview sends it.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;
use visit_diary_lib::{run_app, Options};

/// A running app; only one at a time in a test binary.
pub struct Running {
    _app: tauri::App<tauri::test::MockRuntime>,
    _one_at_a_time: MutexGuard<'static, ()>,
}

/// A phone has one diary, and its key is one entry in the platform key store, whatever the data
/// folder. Tests share that entry (a test's new diary takes the key it finds there), so two apps
/// at once would race: one erasing everything deletes the key another just saved, and the check
/// that the store kept a new key fails. The apps of one test binary therefore run one at a time.
static ONE_APP: Mutex<()> = Mutex::new(());

/// The app with its diary in `data_dir`, trusting the authorities in `trust`, and its window.
pub fn app(data_dir: &Path, trust: &Path) -> (Running, WebviewWindow<tauri::test::MockRuntime>) {
    // A test that failed while holding it poisons the lock; the next still runs.
    let one_at_a_time = ONE_APP.lock().unwrap_or_else(|e| e.into_inner());
    let options = Options {
        data_dir: Some(data_dir.to_owned()),
        trust_file: Some(trust.to_owned()),
        mock_camera: false,
        as_phone: false,
        link: None,
    };
    let mut app = run_app(mock_builder(), options)
        .build(mock_context(noop_assets()))
        .unwrap();
    // Setup (where the diary opens) runs with the event loop's first turn.
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    let running = Running {
        _app: app,
        _one_at_a_time: one_at_a_time,
    };
    (running, webview)
}

/// `cmd` with `body`, answered as the UI receives it: the value, or the `{kind, message}` error.
pub fn invoke(
    webview: &WebviewWindow<tauri::test::MockRuntime>,
    cmd: &str,
    body: InvokeBody,
) -> Result<Value, Value> {
    get_ipc_response(
        webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body,
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().unwrap())
}
