//! The IPC commands: each a few lines over the same storecheck-core functions the CLI calls.
//! Their TypeScript wrappers live in `ui/src/api/`.

use std::path::PathBuf;

use serde::Serialize;
use storecheck_core::audit::{
    AnswerInput, AnswerSaved, AuditSummary, AuditView, NewAction, NewAudit,
};
use storecheck_core::demo::DemoOutcome;
use storecheck_core::model::{CorrectiveAction, StandardInfo, Store};
use storecheck_core::standard::ImportOutcome;
use storecheck_core::{Db, Lang};
use tauri::State;
use ts_rs::TS;
use uuid::Uuid;

use crate::AppState;
use crate::error::IpcError;

type Reply<T> = Result<T, IpcError>;

/// Runs `f` on the database, turning a core error into the UI's language.
fn with_db<T>(
    state: &State<'_, AppState>,
    f: impl FnOnce(&mut Db) -> storecheck_core::Result<T>,
) -> Reply<T> {
    let lang = state.lang();
    let mut db = state
        .db
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    f(&mut db).map_err(|e| IpcError::from_core(&e, lang))
}

/// What the UI needs to know at start.
#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct AppInfo {
    pub version: String,
    pub database: String,
    pub standards: u32,
    pub audits: u32,
}

#[tauri::command(async)]
pub fn app_info(state: State<'_, AppState>) -> Reply<AppInfo> {
    let database = state.path.display().to_string();
    with_db(&state, |db| {
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            database,
            standards: db.list_standards()?.len() as u32,
            audits: db.list_audits()?.len() as u32,
        })
    })
}

/// The UI calls this once its first screen shows data. With `STORECHECK_EXIT_WHEN_READY=1`
/// (the start-up benchmark) it prints the time since start and exits.
#[tauri::command(async)]
pub fn ui_ready(state: State<'_, AppState>) {
    if std::env::var_os("STORECHECK_EXIT_WHEN_READY").is_some() {
        println!(
            "ready after {:.1} ms",
            state.started.elapsed().as_secs_f64() * 1000.0
        );
        std::process::exit(0);
    }
}

/// Sets the language of messages from now on.
#[tauri::command(async)]
pub fn set_lang(state: State<'_, AppState>, lang: Lang) {
    state.set_lang(lang);
}

#[tauri::command(async)]
pub fn load_demo(state: State<'_, AppState>, lang: Lang) -> Reply<DemoOutcome> {
    with_db(&state, |db| db.load_demo(lang))
}

#[tauri::command(async)]
pub fn import_standard(state: State<'_, AppState>, path: PathBuf) -> Reply<ImportOutcome> {
    with_db(&state, |db| {
        let draft = storecheck_core::import::read_standard(&path)?;
        db.publish_standard(&draft)
    })
}

#[tauri::command(async)]
pub fn list_standards(state: State<'_, AppState>) -> Reply<Vec<StandardInfo>> {
    with_db(&state, |db| db.list_standards())
}

#[tauri::command(async)]
pub fn list_stores(state: State<'_, AppState>) -> Reply<Vec<Store>> {
    with_db(&state, |db| db.list_stores())
}

#[tauri::command(async)]
pub fn add_store(
    state: State<'_, AppState>,
    code: String,
    name: String,
    region: Option<String>,
) -> Reply<Store> {
    with_db(&state, |db| db.add_store(&code, &name, region.as_deref()))
}

#[tauri::command(async)]
pub fn list_audits(state: State<'_, AppState>) -> Reply<Vec<AuditSummary>> {
    with_db(&state, |db| db.list_audits())
}

#[tauri::command(async)]
pub fn create_audit(state: State<'_, AppState>, audit: NewAudit) -> Reply<Uuid> {
    with_db(&state, |db| db.create_audit(&audit))
}

#[tauri::command(async)]
pub fn load_audit(state: State<'_, AppState>, id: Uuid) -> Reply<AuditView> {
    with_db(&state, |db| db.load_audit(id))
}

#[tauri::command(async)]
pub fn save_answer(
    state: State<'_, AppState>,
    id: Uuid,
    code: String,
    input: AnswerInput,
) -> Reply<AnswerSaved> {
    with_db(&state, |db| db.save_answer(id, &code, &input))
}

#[tauri::command(async)]
pub fn clear_answer(state: State<'_, AppState>, id: Uuid, code: String) -> Reply<AnswerSaved> {
    with_db(&state, |db| db.clear_answer(id, &code))
}

#[tauri::command(async)]
pub fn complete_audit(state: State<'_, AppState>, id: Uuid) -> Reply<AuditView> {
    with_db(&state, |db| db.complete_audit(id))
}

#[tauri::command(async)]
pub fn reopen_audit(state: State<'_, AppState>, id: Uuid) -> Reply<AuditView> {
    with_db(&state, |db| db.reopen_audit(id))
}

#[tauri::command(async)]
pub fn delete_draft(state: State<'_, AppState>, id: Uuid) -> Reply<()> {
    with_db(&state, |db| db.delete_draft(id))
}

#[tauri::command(async)]
pub fn add_action(
    state: State<'_, AppState>,
    id: Uuid,
    action: NewAction,
) -> Reply<CorrectiveAction> {
    with_db(&state, |db| db.add_action(id, &action))
}

#[tauri::command(async)]
pub fn remove_action(state: State<'_, AppState>, id: Uuid, action: Uuid) -> Reply<()> {
    with_db(&state, |db| db.remove_action(id, action))
}
