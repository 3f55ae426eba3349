//! storecheck-app: the StoreCheck desktop shell. It opens the same database the `storecheck`
//! command uses and exposes storecheck-core to the web UI through the commands in
//! [`commands`]; it holds no logic of its own.
//!
//! Entry point: [`run`].

pub mod commands;
pub mod error;

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use storecheck_core::{Db, Lang};

/// What every command shares: the open database and the language of messages.
pub struct AppState {
    /// The database, or why it could not be opened: then every command answers with that
    /// reason, so the window says what is wrong and what to do instead of never appearing.
    pub db: Mutex<Result<Db, storecheck_core::Error>>,
    pub path: PathBuf,
    pub started: Instant,
    russian: AtomicBool,
}

impl AppState {
    pub fn new(
        db: Result<Db, storecheck_core::Error>,
        path: PathBuf,
        started: Instant,
    ) -> AppState {
        AppState {
            db: Mutex::new(db),
            path,
            started,
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
    let path = storecheck_core::db::default_path();
    let db = Db::open(&path, storecheck_core::db::system_clock());
    if let Err(e) = &db {
        // The window still opens and shows this, in the UI's language, on its first screen.
        eprintln!("error: {}", e.headline(Lang::En));
        if let Some(h) = e.hint(Lang::En) {
            eprintln!("hint: {h}");
        }
    }
    let photos = storecheck_core::photo::PhotoStore::beside(&path);
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .register_asynchronous_uri_scheme_protocol("photo", move |_ctx, request, responder| {
            let photos = photos.clone();
            let path = request.uri().path().to_string();
            std::thread::spawn(move || responder.respond(commands::serve_photo(&photos, &path)));
        })
        .manage(AppState::new(db, path, started))
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::ui_ready,
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
            commands::attach_photo,
            commands::set_photo_caption,
            commands::remove_photo,
            commands::sign_audit,
            commands::save_report,
            commands::open_report,
            commands::drawn_signature,
            commands::report_audit,
            commands::verify_report,
            commands::revise_audit,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("error: StoreCheck could not start its window: {e}");
        std::process::exit(1);
    }
}
