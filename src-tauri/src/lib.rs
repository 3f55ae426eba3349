//! storecheck-app: the StoreCheck desktop shell. It opens the same database the `storecheck`
//! command uses and exposes storecheck-core to the web UI through the commands in
//! [`commands`]; it holds no logic of its own.
//!
//! Entry point: [`run`].
//!
//! The shell is where StoreCheck meets the system: it reads the environment and the clock here
//! and passes them into the core, which may not (clippy.toml).
#![allow(clippy::disallowed_methods)]

pub mod commands;
pub mod error;
pub mod hq;
pub mod sync;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use storecheck_core::{Db, Lang};

/// What every command shares: the open database and the language of messages.
pub struct AppState {
    /// The database, or why it could not be opened: then every command answers with that
    /// reason, so the window says what is wrong and what to do instead of never appearing.
    ///
    /// It is opened on a thread of its own while the window and its web view start (which
    /// takes most of the start-up time); that thread holds the lock until the database is open,
    /// so the first command simply waits for it.
    pub db: Arc<Mutex<Result<Db, storecheck_core::Error>>>,
    pub path: PathBuf,
    pub started: Instant,
    /// When the UI first painted, in ms since start (for the start-up benchmark).
    pub painted: Mutex<Option<f64>>,
    /// The HQ workspace's database, when the app has one open.
    pub hq: hq::SharedHq,
    russian: AtomicBool,
}

impl AppState {
    /// A state whose database another thread is opening behind `db`'s lock.
    pub fn opening(
        db: Arc<Mutex<Result<Db, storecheck_core::Error>>>,
        path: PathBuf,
        started: Instant,
    ) -> AppState {
        AppState {
            db,
            path,
            started,
            painted: Mutex::new(None),
            hq: hq::SharedHq::default(),
            // Until the UI says its language: the computer's (the first message may come
            // before, such as why the database could not be opened).
            russian: AtomicBool::new(Lang::from_locale(|k| std::env::var(k).ok()) == Lang::Ru),
        }
    }

    pub fn lang(&self) -> Lang {
        if self.russian.load(Ordering::Relaxed) {
            Lang::Ru
        } else {
            Lang::En
        }
    }

    pub fn set_lang(&self, lang: Lang) {
        self.russian.store(lang == Lang::Ru, Ordering::Relaxed);
    }
}

/// Opens the database (`$STORECHECK_DB`, else the app's data directory) and runs the app.
pub fn run() {
    let started = Instant::now();
    let path = storecheck_core::db::default_path(std::env::var_os("STORECHECK_DB"));
    let db = open_in_background(path.clone());
    let photos = storecheck_core::photo::PhotoStore::beside(&path);
    let state = AppState::opening(db, path.clone(), started);
    let syncer: sync::SharedSyncer = Default::default();
    let sync_thread = syncer.clone();
    let hq_photos = state.hq.clone();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .register_asynchronous_uri_scheme_protocol("photo", move |_ctx, request, responder| {
            let photos = photos.clone();
            let path = request.uri().path().to_string();
            std::thread::spawn(move || responder.respond(commands::serve_photo(&photos, &path)));
        })
        .register_asynchronous_uri_scheme_protocol("hqphoto", move |_ctx, request, responder| {
            let hq = hq_photos.clone();
            let path = request.uri().path().to_string();
            std::thread::spawn(move || responder.respond(hq::serve_photo(&hq, &path)));
        })
        .manage(state)
        .manage(syncer)
        .setup(move |app| {
            sync::start(app.handle().clone(), sync_thread, path);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::ui_ready,
            commands::ui_painted,
            commands::set_lang,
            commands::load_demo,
            commands::import_standard,
            commands::list_standards,
            commands::list_stores,
            commands::add_store,
            commands::list_audits,
            commands::create_audit,
            commands::load_audit,
            commands::save_answer,
            commands::clear_answer,
            commands::complete_audit,
            commands::reopen_audit,
            commands::delete_draft,
            commands::add_action,
            commands::remove_action,
            commands::action_done,
            commands::reschedule_action,
            commands::attach_photo,
            commands::set_photo_caption,
            commands::remove_photo,
            commands::sign_audit,
            commands::save_report,
            commands::open_report,
            commands::drawn_signature,
            commands::report_audit,
            commands::verify_report,
            sync::sync_status,
            sync::set_sync_server,
            sync::sync_now,
            commands::installed_package,
            commands::preview_package,
            commands::receive_package,
            commands::preview_package_dropped,
            commands::receive_package_dropped,
            commands::request_certificate,
            commands::signer_certificate,
            commands::revise_audit,
            commands::sync_outbox,
            commands::export_bundle,
            hq::workspace,
            hq::set_workspace,
            hq::hq_open,
            hq::hq_import,
            hq::hq_import_dropped,
            hq::hq_imports,
            hq::hq_gaps,
            hq::hq_options,
            hq::hq_dashboard,
            hq::hq_drill,
            hq::hq_audit,
            hq::hq_review,
            hq::hq_devices,
            hq::hq_enrol_device,
            hq::hq_verify,
            hq::hq_open_report,
            hq::hq_save_report,
            hq::hq_export,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("error: StoreCheck could not start its window: {e}");
        std::process::exit(1);
    }
}

/// Opens the database on a thread of its own, holding the lock until it is open, and returns
/// once that thread holds the lock: the window starts meanwhile and the first command waits.
fn open_in_background(path: PathBuf) -> Arc<Mutex<Result<Db, storecheck_core::Error>>> {
    let not_yet = storecheck_core::Error::Database {
        path: path.display().to_string(),
        problem: storecheck_core::error::DatabaseProblem::Damaged {
            detail: "still being opened".into(),
        },
    };
    let db = Arc::new(Mutex::new(Err(not_yet)));
    let (locked, wait) = std::sync::mpsc::channel();
    let shared = Arc::clone(&db);
    std::thread::spawn(move || {
        let mut slot = shared.lock().unwrap_or_else(|p| p.into_inner());
        let _ = locked.send(());
        let opened = Db::open(
            &path,
            storecheck_core::db::Inputs::system(storecheck_core::db::computer_name()),
        );
        if let Err(e) = &opened {
            // The window still opens and shows this, in the UI's language, on its first screen.
            eprintln!("error: {}", e.headline(Lang::En));
            if let Some(h) = e.hint(Lang::En) {
                eprintln!("hint: {h}");
            }
        }
        *slot = opened;
    });
    let _ = wait.recv();
    db
}
