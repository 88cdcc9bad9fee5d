//! The Tauri 2 shell of Visit Diary: commands over `crates/diary` and `crates/app`, plugins,
//! the mobile entry.
//!
//! Invariant: no diary logic and no app rules here. Commands read the clock and randomness and
//! delegate; platform differences stay behind `cfg(mobile)` in this file.

mod card;
mod commands;
mod door;
mod error;
mod exposure;
mod http;
#[cfg(target_os = "linux")]
mod linux_camera;
mod lock;
mod share;
mod state;

use tauri::{Manager, Runtime};

pub use error::IpcError;
pub use state::{AppState, Options};

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    let options = Options::parse(std::env::args_os());
    let builder = tauri::Builder::default();
    // Desktops: a second launch (a venue link opened from the browser or the file manager) hands
    // its link to the running app and exits; the plugin must be the first one registered.
    #[cfg(desktop)]
    let builder = {
        let single = tauri_plugin_single_instance::Builder::new()
            .callback(|app, argv, _cwd| commands::link_from_second_launch(app, argv));
        // One app per diary: a second launch on another data folder (a developer's, a test's)
        // is an app of its own. (Linux; elsewhere the plugin keys on the app's identifier.)
        #[cfg(target_os = "linux")]
        let single = match &options.data_dir {
            Some(dir) => single.dbus_id(state::instance_id(dir)),
            None => single,
        };
        builder.plugin(single.build())
    };
    run_app(builder, options)
        .build(tauri::generate_context!())
        .expect("error while building Visit Diary")
        .run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                if let Some(state) = app.try_state::<AppState>() {
                    tauri::async_runtime::block_on(state.close());
                }
            }
        });
}

/// Builds the app on any runtime, so tests can pass `tauri::test::mock_builder()`.
pub fn run_app<R: Runtime>(builder: tauri::Builder<R>, options: Options) -> tauri::Builder<R> {
    // Phones: the native scanner, and venue links (app links / universal links for the
    // authority's host) opening the app; the UI listens with `onOpenUrl`. The app's own `phone`
    // plugin (crates/phone): screens kept out of screenshots and the app switcher, the torch while
    // scanning, the share sheet for the files the app writes.
    #[cfg(mobile)]
    let builder = builder
        .plugin(tauri_plugin_barcode_scanner::init())
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_phone::init());
    // Every platform: a system notification when an exposure notice matches a visit; the
    // biometric prompt for the app lock (it answers "not available" on Linux desktops).
    let builder = builder
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_biometric::init());
    builder
        .setup(move |app| {
            #[cfg(target_os = "linux")]
            if let Some(window) = app.get_webview_window("main") {
                linux_camera::enable(&window, options.mock_camera);
            }
            #[cfg(mobile)]
            share::empty_outbox(app.handle());
            app.manage(commands::Platform(if options.as_phone {
                "android"
            } else {
                std::env::consts::OS
            }));
            let data_dir = match options.data_dir.clone() {
                Some(dir) => dir,
                None => app.path().app_data_dir()?,
            };
            let trust = state::load_trust(options.trust_file.as_deref());
            let state = tauri::async_runtime::block_on(AppState::open(data_dir, trust));
            *state.link.lock().expect("not yet shared") = options.link.clone();
            app.manage(state);
            // The requests fetched, until the citizen decides; sealed diaries name this version.
            let version = app.package_info().version.to_string();
            app.manage(app::Sharing::new(version.clone()));
            // A tracer's requests to this door, the same way; guestbooks name this version.
            app.manage(app::DoorAsks::new(version));
            app.manage(app::Cosigning::default());
            // While the app is open, the diary closes overdue visits and deletes what aged out
            // on start and every hour; off the start-up path, since it waits for the diary's
            // check for damage.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                loop {
                    handle.state::<AppState>().keep().await;
                    tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                }
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::take_link,
            commands::preview_code,
            commands::check_in,
            commands::check_in_image,
            commands::decode_qr,
            commands::check_out,
            commands::open_visit,
            commands::list_visits,
            commands::count_visits,
            commands::get_visit,
            commands::add_manual,
            commands::update_visit,
            commands::delete_visit,
            commands::get_retention,
            commands::set_retention,
            commands::delete_all_data,
            lock::lock_status,
            lock::set_pin,
            lock::disable_lock,
            lock::unlock,
            lock::unlock_with_biometrics,
            lock::lock_app,
            share::fetch_share_request,
            share::share_visits,
            share::retry_share,
            share::save_share_file,
            share::list_shares,
            share::forget_share_request,
            exposure::refresh_exposures,
            exposure::list_alerts,
            exposure::list_withdrawn_alerts,
            door::door_status,
            door::door_preview,
            door::door_turn_on,
            door::door_turn_off,
            door::door_scan,
            door::door_counts,
            door::door_set_retention,
            door::door_request_fetch,
            door::door_request_answer,
            door::door_request_save,
            door::door_request_forget,
            door::cosign_read,
            door::cosign_sign,
            door::cosign_cancel,
            card::card_provinces,
            card::card_authorities,
            card::my_contact,
            card::set_my_contact,
            card::forget_my_contact,
            card::my_code,
            card::family_card,
            card::save_family_card,
        ])
}
