//! What the IPC tests share: the real app on Tauri's mock runtime over a real data folder, and
//! one command sent through the IPC as the webview sends it.

use std::path::Path;

use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;
use visit_diary_lib::{run_app, Options};

/// The app with its diary in `data_dir`, trusting the authorities in `trust`, and its window.
pub fn app(
    data_dir: &Path,
    trust: &Path,
) -> (
    tauri::App<tauri::test::MockRuntime>,
    WebviewWindow<tauri::test::MockRuntime>,
) {
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
    (app, webview)
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
