//! The headquarters workspace: the same app opened on an HQ database (storecheck-hq) instead
//! of a store's. Which workspace is shown and which HQ file is open are remembered in
//! `workspace.json` beside the store database.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use storecheck_core::{ErrorCode, Lang};
use storecheck_hq::dashboard::{Analytics, Dashboard, Drill, Filter, Focus, Options, Source};
use storecheck_hq::db::Location;
use storecheck_hq::import::FileOutcome;
use storecheck_hq::query::{Gap, ImportLine};
use storecheck_hq::review::{HqAuditView, Review};
use storecheck_hq::{HqDb, HqError};
use storecheck_report::sign::Verification;
use tauri::{AppHandle, Emitter, State};
use ts_rs::TS;

use crate::AppState;
use crate::error::IpcError;

type Reply<T> = Result<T, IpcError>;

/// Which half of StoreCheck the window shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Mode {
    #[default]
    Store,
    Hq,
}

/// What is remembered between runs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Remembered {
    #[serde(default)]
    mode: Mode,
    /// A SQLite file's path, or a `postgres://` URL.
    #[serde(default)]
    hq_path: Option<String>,
}

/// The HQ database the app has open, if any, and where its files are (for the photo scheme).
#[derive(Default)]
pub struct HqSlot {
    pub db: Option<HqDb>,
    /// Where it is: a file's path, or a `postgres://` URL.
    pub path: Option<String>,
}

pub type SharedHq = Arc<Mutex<HqSlot>>;

#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct WorkspaceInfo {
    pub mode: Mode,
    /// The HQ database open (or to be opened: the default beside the store database): a file's
    /// path, or a PostgreSQL URL without its password.
    pub hq_path: String,
    pub hq: Option<HqInfo>,
    /// Why the HQ database could not be opened, in the UI's language.
    pub error: Option<IpcError>,
}

#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct HqInfo {
    pub path: String,
    pub audits: u32,
    pub stores: u32,
    pub devices: u32,
    pub bundles: u32,
}

/// The store devices HQ knows, and whether HQ has the chain's CA: without it, every device
/// is taken on first use and none needs enrolling.
#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct Devices {
    pub with_ca: bool,
    pub devices: Vec<storecheck_hq::enrol::KnownDevice>,
}

/// One file's verdict, sent as the `hq-import` event while an import runs.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportProgress {
    pub index: u32,
    pub total: u32,
    pub outcome: FileOutcome,
}

#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct ExportWritten {
    /// The files written.
    pub files: Vec<String>,
    pub audits: u32,
}

impl IpcError {
    pub fn from_hq(e: &HqError, lang: Lang) -> IpcError {
        use storecheck_core::i18n::Text;
        IpcError {
            code: match e {
                HqError::NotFound { .. } => ErrorCode::NotFound,
                HqError::BadPeriod { .. } | HqError::Missing { .. } => ErrorCode::InvalidInput,
                _ => ErrorCode::Storage,
            },
            message: e.text(lang),
            hint: e.hint(lang),
            problems: Vec::new(),
        }
    }
}

fn settings_file(state: &AppState) -> PathBuf {
    state.path.with_file_name("workspace.json")
}

fn remembered(state: &AppState) -> Remembered {
    std::fs::read(settings_file(state))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

fn remember(state: &AppState, r: &Remembered) -> Reply<()> {
    let path = settings_file(state);
    let lang = state.lang();
    let bytes = serde_json::to_vec_pretty(r).unwrap_or_default();
    let clock: storecheck_core::db::Clock = Arc::new(chrono::Utc::now);
    // Replaced whole: the choice made last is the one remembered.
    storecheck_core::files::replace_durably(
        &path,
        &bytes,
        &storecheck_core::ids::Ids::from_os(clock),
    )
    .map_err(|e| IpcError::from_core(&e, lang))
}

/// The HQ database to open: the remembered one, else `$STORECHECK_HQ`, else `hq.db` beside
/// the store database.
fn hq_path(state: &AppState) -> String {
    remembered(state)
        .hq_path
        .or_else(|| std::env::var("STORECHECK_HQ").ok())
        .unwrap_or_else(|| state.path.with_file_name("hq.db").display().to_string())
}

/// Opens the HQ database at `at` (a file, or a `postgres://` URL whose files are kept in
/// `hq-files` beside the store database, or `$STORECHECK_HQ_FILES`).
fn open_hq(state: &AppState, at: &str) -> Result<HqDb, HqError> {
    let clock: storecheck_core::db::Clock = Arc::new(chrono::Utc::now);
    let files = std::env::var_os("STORECHECK_HQ_FILES")
        .map_or_else(|| state.path.with_file_name("hq-files"), PathBuf::from);
    HqDb::open_at(
        &Location::parse(std::ffi::OsStr::new(at)),
        &files,
        clock.clone(),
        storecheck_core::ids::Ids::from_os(clock),
    )
}

fn info(db: &HqDb) -> Result<HqInfo, HqError> {
    let c = db.connection();
    let n = |sql: &str| -> Result<u32, HqError> {
        Ok(c.query_row(sql, (), |r| r.get::<_, i64>(0))?
            .clamp(0, u32::MAX as i64) as u32)
    };
    Ok(HqInfo {
        path: db.location().shown(),
        audits: n("SELECT count(*) FROM audit WHERE current = 1")?,
        stores: n("SELECT count(*) FROM store")?,
        devices: n("SELECT count(*) FROM device")?,
        bundles: n("SELECT count(*) FROM bundle")?,
    })
}

/// Opens the HQ database at `path` into the slot (when it is not the one open), and says how
/// the workspace stands.
fn workspace_info(state: &AppState, mode: Mode, path: String, open: bool) -> WorkspaceInfo {
    let lang = state.lang();
    let mut slot = state.hq.lock().unwrap_or_else(|p| p.into_inner());
    let mut error = None;
    if open && (slot.db.is_none() || slot.path.as_deref() != Some(path.as_str())) {
        match off_runtime(|| open_hq(state, &path)) {
            Ok(db) => {
                slot.db = Some(db);
                slot.path = Some(path.clone());
            }
            Err(e) => error = Some(IpcError::from_hq(&e, lang)),
        }
    }
    let this = slot.path.as_deref() == Some(path.as_str());
    let hq = match (&mut slot.db, &error) {
        (Some(db), None) if this => match off_runtime(move || info(db)) {
            Ok(i) => Some(i),
            Err(e) => {
                error = Some(IpcError::from_hq(&e, lang));
                None
            }
        },
        _ => None,
    };
    WorkspaceInfo {
        mode,
        hq_path: Location::parse(std::ffi::OsStr::new(&path)).shown(),
        hq,
        error,
    }
}

/// Runs `f` on a thread of its own, outside the async runtime the commands run on: the
/// PostgreSQL client blocks on a runtime of its own, which cannot start inside another.
fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| match s.spawn(f).join() {
        Ok(out) => out,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

/// Runs `f` on the open HQ database.
fn with_hq<T: Send>(
    state: &State<'_, AppState>,
    f: impl FnOnce(&mut HqDb) -> Result<T, HqError> + Send,
) -> Reply<T> {
    let lang = state.lang();
    let mut slot = state.hq.lock().unwrap_or_else(|p| p.into_inner());
    match &mut slot.db {
        Some(db) => off_runtime(move || f(db)).map_err(|e| IpcError::from_hq(&e, lang)),
        None => Err(IpcError::from_hq(
            &HqError::NotFound {
                what: lang.pick("open database", "открытой базы").to_string(),
            },
            lang,
        )),
    }
}

fn today() -> String {
    chrono::Local::now().date_naive().to_string()
}

/// The workspace shown at start (remembered), with the HQ database opened when it is HQ.
#[tauri::command(async)]
pub fn workspace(state: State<'_, AppState>) -> WorkspaceInfo {
    let r = remembered(&state);
    workspace_info(&state, r.mode, hq_path(&state), r.mode == Mode::Hq)
}

/// Switches between the store and HQ, and remembers it.
#[tauri::command(async)]
pub fn set_workspace(state: State<'_, AppState>, mode: Mode) -> Reply<WorkspaceInfo> {
    let mut r = remembered(&state);
    r.mode = mode;
    remember(&state, &r)?;
    Ok(workspace_info(
        &state,
        mode,
        hq_path(&state),
        mode == Mode::Hq,
    ))
}

/// Opens (or creates) the HQ database at `path` and remembers it: a file, or a PostgreSQL
/// database as `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`.
#[tauri::command(async)]
pub fn hq_open(state: State<'_, AppState>, path: String) -> Reply<WorkspaceInfo> {
    let info = workspace_info(&state, Mode::Hq, path.clone(), true);
    if info.error.is_none() {
        remember(
            &state,
            &Remembered {
                mode: Mode::Hq,
                hq_path: Some(path),
            },
        )?;
    }
    Ok(info)
}

/// Imports bundles, store database files and signed PDFs, in order; each file's verdict is
/// sent as an `hq-import` event as soon as it is written.
#[tauri::command(async)]
pub fn hq_import(
    app: AppHandle,
    state: State<'_, AppState>,
    paths: Vec<PathBuf>,
) -> Reply<Vec<FileOutcome>> {
    let lang = state.lang();
    let total = paths.len() as u32;
    with_hq(&state, |hq| {
        hq.import_files_with(&paths, lang, |i, outcome| {
            let _ = app.emit(
                "hq-import",
                ImportProgress {
                    index: i as u32,
                    total,
                    outcome: outcome.clone(),
                },
            );
        })
    })
}

/// Imports one file dropped on the window: its bytes are the request body, its name the
/// percent-encoded `x-name` header.
#[tauri::command(async)]
pub fn hq_import_dropped(
    state: State<'_, AppState>,
    request: tauri::ipc::Request<'_>,
) -> Reply<FileOutcome> {
    let lang = state.lang();
    let name = crate::commands::header(&request, "x-name").unwrap_or_else(|| "file".into());
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(IpcError::from_hq(
            &HqError::Missing {
                what: lang
                    .pick("the file's bytes", "содержимое файла")
                    .to_string(),
            },
            lang,
        ));
    };
    with_hq(&state, |hq| hq.import_bytes(&name, bytes, lang))
}

#[tauri::command(async)]
pub fn hq_imports(state: State<'_, AppState>) -> Reply<Vec<ImportLine>> {
    let lang = state.lang();
    with_hq(&state, |hq| hq.imports(500, lang))
}

#[tauri::command(async)]
pub fn hq_gaps(state: State<'_, AppState>) -> Reply<Vec<Gap>> {
    with_hq(&state, |hq| hq.gaps())
}

#[tauri::command(async)]
pub fn hq_options(state: State<'_, AppState>) -> Reply<Options> {
    with_hq(&state, |hq| hq.options())
}

#[tauri::command(async)]
pub fn hq_dashboard(state: State<'_, AppState>, filter: Filter) -> Reply<Dashboard> {
    with_hq(&state, |hq| hq.dashboard(&filter, &today(), Source::Best))
}

#[tauri::command(async)]
pub fn hq_drill(state: State<'_, AppState>, filter: Filter, focus: Focus) -> Reply<Drill> {
    with_hq(&state, |hq| hq.drill(&filter, &focus))
}

#[tauri::command(async)]
pub fn hq_audit(state: State<'_, AppState>, id: String) -> Reply<HqAuditView> {
    with_hq(&state, |hq| hq.audit_view(&id, &today()))
}

#[tauri::command(async)]
pub fn hq_review(
    state: State<'_, AppState>,
    id: String,
    reviewer: String,
    comment: String,
) -> Reply<Review> {
    with_hq(&state, |hq| hq.add_review(&id, &reviewer, &comment))
}

/// The store devices HQ knows, waiting ones first.
#[tauri::command(async)]
pub fn hq_devices(state: State<'_, AppState>) -> Reply<Devices> {
    with_hq(&state, |hq| {
        Ok(Devices {
            with_ca: hq.has_ca()?,
            devices: hq.devices()?,
        })
    })
}

/// Enrols the device of fingerprint (or id) `device` for `store`, by the chain's CA.
#[tauri::command(async)]
pub fn hq_enrol_device(
    state: State<'_, AppState>,
    device: String,
    store: String,
) -> Reply<storecheck_hq::enrol::EnrolledDevice> {
    with_hq(&state, |hq| hq.enrol_device(&device, &store))
}

/// The id of the signed report HQ holds for audit `id`.
fn report_of(hq: &HqDb, id: &str) -> Result<uuid::Uuid, HqError> {
    let report: String = hq
        .connection()
        .query_row("SELECT id FROM report WHERE audit_id = ?1", [id], |r| {
            r.get(0)
        })
        .map_err(|_| HqError::NotFound {
            what: format!("signed report of audit {id}"),
        })?;
    uuid::Uuid::parse_str(&report).map_err(|e| HqError::Corrupt(e.to_string()))
}

/// That the signed PDF of report `report` is missing from HQ's files.
fn report_missing(hq: &HqDb, report: uuid::Uuid) -> HqError {
    HqError::NotFound {
        what: format!(
            "PDF {}",
            hq.files().shown(&storecheck_hq::files::report_name(report))
        ),
    }
}

/// The bytes of the signed PDF HQ holds for audit `id`.
fn report_bytes(hq: &HqDb, id: &str) -> Result<Vec<u8>, HqError> {
    let report = report_of(hq, id)?;
    hq.report_bytes(report)?
        .ok_or_else(|| report_missing(hq, report))
}

/// Checks the signed PDF HQ holds for audit `id`: signature, and the data inside it.
#[tauri::command(async)]
pub fn hq_verify(state: State<'_, AppState>, id: String) -> Reply<Verification> {
    let lang = state.lang();
    // Trusted: the chain's own CA with its revocation list as of now, once HQ has made one.
    let (bytes, trust) = with_hq(&state, |hq| {
        let trust = if hq.has_ca()? {
            Some(hq.ca_trust()?)
        } else {
            None
        };
        Ok((report_bytes(hq, &id)?, trust))
    })?;
    Ok(storecheck_report::verify::verify_pdf_in(
        &bytes,
        trust.as_deref().map(str::as_bytes),
        lang,
    ))
}

#[tauri::command(async)]
pub fn hq_open_report(state: State<'_, AppState>, id: String) -> Reply<()> {
    with_hq(&state, |hq| {
        let report = report_of(hq, &id)?;
        let path = hq
            .report_as_file(report)?
            .ok_or_else(|| report_missing(hq, report))?;
        open::that_detached(&path).map_err(|e| HqError::io(&path, e))
    })
}

#[tauri::command(async)]
pub fn hq_save_report(state: State<'_, AppState>, id: String, path: PathBuf) -> Reply<()> {
    with_hq(&state, |hq| {
        let bytes = report_bytes(hq, &id)?;
        std::fs::write(&path, bytes).map_err(|e| HqError::io(&path, e))
    })
}

/// Exports the filter's audits, answers, findings and corrective actions for BI: XLSX into
/// `path`, or CSV files into the folder `path`.
#[tauri::command(async)]
pub fn hq_export(
    state: State<'_, AppState>,
    format: String,
    path: PathBuf,
    filter: Filter,
) -> Reply<ExportWritten> {
    with_hq(&state, |hq| {
        let f = storecheck_hq::export::Filter {
            from: Some(filter.from.clone()).filter(|s| !s.is_empty()),
            to: Some(filter.to.clone()).filter(|s| !s.is_empty()),
            region: filter.region.clone(),
            store: filter.store.clone(),
            standard: filter.standard.clone(),
            since: None,
        };
        let to = if format == "csv" {
            storecheck_hq::export::Output::csv(&path)
        } else {
            storecheck_hq::export::Output::xlsx(&path)
        };
        let done = hq.export(&f, to)?;
        Ok(ExportWritten {
            files: done.files.iter().map(|p| p.display().to_string()).collect(),
            audits: done.rows_of("audits") as u32,
        })
    })
}

/// Serves HQ's photo originals to the web view: `hqphoto://localhost/<sha256>.<ext>`.
pub fn serve_photo(hq: &SharedHq, path: &str) -> tauri::http::Response<Vec<u8>> {
    let not_found = || {
        tauri::http::Response::builder()
            .status(404)
            .body(Vec::new())
            .unwrap_or_default()
    };
    let name = path.trim_start_matches('/');
    let Some((sha, ext)) = name.split_once('.') else {
        return not_found();
    };
    if !storecheck_core::photo::is_sha256(sha) {
        return not_found();
    }
    use storecheck_core::photo::Format;
    let Some(format) = [Format::Jpeg, Format::Png, Format::Webp]
        .into_iter()
        .find(|f| f.extension() == ext)
    else {
        return not_found();
    };
    let found = {
        let slot = hq.lock().unwrap_or_else(|p| p.into_inner());
        match &slot.db {
            Some(db) => db.photo_bytes(sha, format.as_str()),
            None => return not_found(),
        }
    };
    match found {
        Ok(Some(bytes)) => tauri::http::Response::builder()
            .header("Content-Type", format!("image/{}", format.as_str()))
            .header("Cache-Control", "max-age=31536000, immutable")
            .body(bytes)
            .unwrap_or_default(),
        Ok(None) | Err(_) => not_found(),
    }
}
