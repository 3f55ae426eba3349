//! The IPC commands: each a few lines over the same storecheck-core functions the CLI calls.
//! Their TypeScript wrappers live in `ui/src/api/`.

use std::path::PathBuf;

use serde::Serialize;
use storecheck_core::audit::{
    AnswerInput, AnswerSaved, AuditSummary, AuditView, NewAction, NewAudit,
};
use storecheck_core::demo::DemoOutcome;
use storecheck_core::model::{CorrectiveAction, Photo, StandardInfo, Store};
use storecheck_core::photo::{Limits, PhotosSaved};
use storecheck_core::standard::ImportOutcome;
use storecheck_core::{Db, Lang};
use storecheck_report::sign::Verification;
use tauri::State;
use ts_rs::TS;
use uuid::Uuid;

use crate::AppState;
use crate::error::IpcError;

pub(crate) type Reply<T> = Result<T, IpcError>;

/// Runs `f` on the database, turning a core error into the UI's language.
pub(crate) fn with_db<T>(
    state: &State<'_, AppState>,
    f: impl FnOnce(&mut Db) -> storecheck_core::Result<T>,
) -> Reply<T> {
    let lang = state.lang();
    let mut db = state
        .db
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    match &mut *db {
        Ok(db) => f(db).map_err(|e| IpcError::from_core(&e, lang)),
        Err(unopened) => Err(IpcError::from_core(unopened, lang)),
    }
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
/// (the start-up benchmark) it prints the time since start and exits. Otherwise, now that the
/// window is usable, it removes this database's temporary files an earlier crash left
/// half-written (a day old at least, so a write under way in the command line is never touched).
/// The UI painted its first frame; `script_ms` and `paint_ms` are the page's own clock (ms
/// since the web view began loading it) when its script started and when it painted. For the
/// start-up benchmark, which splits the time into the shell and web view starting, the page
/// loading, and the first screen being built.
#[tauri::command]
pub fn ui_painted(state: State<'_, AppState>, script_ms: f64, paint_ms: f64) {
    let mut painted = state.painted.lock().unwrap_or_else(|p| p.into_inner());
    let at = *painted.get_or_insert(state.started.elapsed().as_secs_f64() * 1000.0);
    if std::env::var_os("STORECHECK_EXIT_WHEN_READY").is_some() {
        let loading = at - paint_ms;
        println!("painted after {at:.1} ms");
        println!(
            "web view loading at {loading:.1} ms, script at {:.1} ms",
            loading + script_ms
        );
    }
}

#[tauri::command(async)]
pub fn ui_ready(state: State<'_, AppState>) {
    if std::env::var_os("STORECHECK_EXIT_WHEN_READY").is_some() {
        println!(
            "ready after {:.1} ms",
            state.started.elapsed().as_secs_f64() * 1000.0
        );
        std::process::exit(0);
    }
    const DAY: std::time::Duration = std::time::Duration::from_secs(24 * 3600);
    let db = state.db.lock().unwrap_or_else(|p| p.into_inner());
    let Ok(db) = &*db else {
        return; // nothing was opened, so nothing is tidied
    };
    match db.remove_leftovers(std::time::SystemTime::now(), DAY) {
        Ok(n) if n.photo_files + n.report_files > 0 => eprintln!(
            "removed {} photo and {} report temporary files an earlier crash left half-written",
            n.photo_files, n.report_files
        ),
        Ok(_) => {}
        Err(e) => eprintln!("warning: could not tidy files beside the database: {e}"),
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
    // Reading and checking the file is pure and can take a while: it happens before the
    // database is locked, so answers keep being saved meanwhile.
    let draft = storecheck_core::import::read_standard(&path)
        .map_err(|e| IpcError::from_core(&e, state.lang()))?;
    with_db(&state, |db| db.publish_standard(&draft))
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

/// Attaches one photo to a requirement. The file's bytes are the request body (the UI reads
/// picked, dropped and pasted files alike); headers `x-audit`, `x-code` and `x-name`
/// (percent-encoded) say where it goes. The photo is decoded and reduced before the database
/// is locked, so several can be processed at once while the form stays responsive.
#[tauri::command(async)]
pub fn attach_photo(
    state: State<'_, AppState>,
    request: tauri::ipc::Request<'_>,
) -> Reply<PhotosSaved> {
    let lang = state.lang();
    let header = |name: &str| {
        header(&request, name).ok_or_else(|| {
            IpcError::from_core(
                &storecheck_core::Error::invalid(
                    name,
                    "missing in the photo request",
                    "нет в запросе фото",
                ),
                lang,
            )
        })
    };
    let audit = parse_id(&header("x-audit")?, lang)?;
    let code = header("x-code")?;
    let name = header("x-name")?;
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(IpcError::from_core(
            &storecheck_core::Error::invalid(
                "photo",
                "the photo's bytes did not arrive",
                "данные фото не получены",
            ),
            lang,
        ));
    };
    let prepared = storecheck_core::photo::prepare(&name, bytes.clone(), &Limits::default())
        .map_err(|e| IpcError::from_core(&e, lang))?;
    with_db(&state, |db| db.attach_photos(audit, &code, &[prepared]))
}

/// Marks a signed audit's corrective action done, by `x-by` (its owner when empty) with the
/// note `x-note` (headers percent-encoded); a photo as proof is the request body when there is
/// one (`x-name` its file name). Returns the audit with the action's new state.
#[tauri::command(async)]
pub fn action_done(
    state: State<'_, AppState>,
    request: tauri::ipc::Request<'_>,
) -> Reply<AuditView> {
    let lang = state.lang();
    let header = |name: &str| header(&request, name).unwrap_or_default();
    let action = parse_id(&header("x-action"), lang)?;
    let (note, by, name) = (header("x-note"), header("x-by"), header("x-name"));
    let photo = match request.body() {
        tauri::ipc::InvokeBody::Raw(bytes) if !bytes.is_empty() => Some(
            storecheck_core::photo::prepare(&name, bytes.clone(), &Limits::default())
                .map_err(|e| IpcError::from_core(&e, lang))?,
        ),
        _ => None,
    };
    with_db(&state, |db| {
        let f = db.action_done(
            action,
            Some(by.as_str()).filter(|b| !b.trim().is_empty()),
            &note,
            photo.as_ref(),
        )?;
        db.load_audit(f.audit_id)
    })
}

/// Moves a signed audit's corrective action to a new due date, saying why.
#[tauri::command(async)]
pub fn reschedule_action(
    state: State<'_, AppState>,
    action: Uuid,
    due: String,
    reason: String,
    by: Option<String>,
) -> Reply<AuditView> {
    with_db(&state, |db| {
        let f = db.reschedule_action(action, &due, &reason, by.as_deref())?;
        db.load_audit(f.audit_id)
    })
}

#[tauri::command(async)]
pub fn set_photo_caption(state: State<'_, AppState>, photo: Uuid, caption: String) -> Reply<Photo> {
    with_db(&state, |db| db.set_photo_caption(photo, &caption))
}

#[tauri::command(async)]
pub fn remove_photo(state: State<'_, AppState>, photo: Uuid) -> Reply<PhotosSaved> {
    with_db(&state, |db| db.remove_photo(photo))
}

fn parse_id(s: &str, lang: Lang) -> Reply<Uuid> {
    Uuid::parse_str(s).map_err(|_| {
        IpcError::from_core(
            &storecheck_core::Error::NotFound {
                what: storecheck_core::error::Entity::Audit,
                key: s.to_string(),
            },
            lang,
        )
    })
}

/// What the summary's signing form sends: the drawn signatures are PNG bytes.
#[derive(Debug, Clone, serde::Deserialize, TS)]
#[ts(export)]
pub struct SignInput {
    pub signer: String,
    pub drawn: Option<Vec<u8>>,
    pub acknowledged_by: Option<String>,
    pub acknowledgement: Option<Vec<u8>>,
}

/// Signs a completed audit in the UI's language; returns the audit, now signed and locked,
/// with its report.
#[tauri::command(async)]
pub fn sign_audit(state: State<'_, AppState>, id: Uuid, input: SignInput) -> Reply<AuditView> {
    with_db(&state, |db| {
        // The report is written for the regional manager in the standard's language, whatever
        // language this window's UI is in.
        let standard = db.load_audit(id)?.standard.language;
        let request = storecheck_report::SignRequest {
            signer: input.signer,
            lang: storecheck_report::report_lang(&standard, None),
            drawn: input.drawn,
            acknowledged_by: input.acknowledged_by,
            acknowledgement: input.acknowledgement,
            utc_offset: *chrono::Local::now().offset(),
        };
        storecheck_report::sign_audit(db, id, &request, chrono::Utc::now())?;
        db.load_audit(id)
    })
}

/// Writes a copy of a signed audit's PDF (the very bytes that were signed) to `path`, which
/// the person chose in the save dialog.
#[tauri::command(async)]
pub fn save_report(state: State<'_, AppState>, id: Uuid, path: PathBuf) -> Reply<()> {
    with_db(&state, |db| {
        let pdf = db.signed_pdf(id)?;
        std::fs::write(&path, pdf).map_err(|e| storecheck_core::Error::io(&path, e))
    })
}

/// What the "Send to HQ" screen shows: the audits the next bundle carries, the bundles
/// written so far, the drafts that stay behind.
#[tauri::command(async)]
pub fn sync_outbox(state: State<'_, AppState>) -> Reply<storecheck_sync::export::Outbox> {
    with_db(&state, |db| storecheck_sync::export::outbox(db))
}

/// Writes a signed bundle of what is not yet sent (everything completed or signed with `all`)
/// into `folder`, which the person chose (a USB stick, a shared folder).
#[tauri::command(async)]
pub fn export_bundle(
    state: State<'_, AppState>,
    folder: PathBuf,
    all: bool,
) -> Reply<storecheck_sync::export::ExportOutcome> {
    with_db(&state, |db| {
        let key = storecheck_sync::DeviceKey::load_or_create(&db.keys_dir()?, db.ids())?;
        storecheck_sync::export::export(db, &folder, all, &key)
    })
}

/// Opens a signed audit's PDF in the computer's PDF viewer.
#[tauri::command(async)]
pub fn open_report(state: State<'_, AppState>, id: Uuid) -> Reply<()> {
    with_db(&state, |db| {
        // Only the file that was signed, checked against its hash, is handed to the viewer.
        db.signed_pdf(id)?;
        let report = db
            .signed_report(id)?
            .ok_or_else(|| storecheck_core::Error::NotFound {
                what: storecheck_core::error::Entity::SignedReport,
                key: id.to_string(),
            })?;
        open::that_detached(&report.path).map_err(|e| storecheck_core::Error::io(&report.path, e))
    })
}

/// The auditor's drawn signature on a signed audit's report (a PNG), for its card.
#[tauri::command(async)]
pub fn drawn_signature(state: State<'_, AppState>, id: Uuid) -> Reply<Option<Vec<u8>>> {
    with_db(&state, |db| db.drawn_signature(id))
}

/// The audit a report file covers, when that very file was signed on this computer: the Verify
/// screen then says which store, shift and score it holds.
#[tauri::command(async)]
pub fn report_audit(state: State<'_, AppState>, path: PathBuf) -> Reply<Option<AuditSummary>> {
    with_db(&state, |db| {
        let pdf = std::fs::read(&path).map_err(|e| storecheck_core::Error::io(&path, e))?;
        db.audit_of_report(&pdf)?
            .map(|id| db.audit_summary(id))
            .transpose()
    })
}

/// Checks a report's signature; `trust` is a certificate file that must have issued it. Without
/// one, the chain's CA and revocation list from the installed HQ package are trusted, when
/// there is one.
#[tauri::command(async)]
pub fn verify_report(
    state: State<'_, AppState>,
    path: PathBuf,
    trust: Option<PathBuf>,
) -> Reply<Verification> {
    let lang = state.lang();
    if trust.is_none() {
        let installed = with_db(&state, |db| db.hq_trust())?;
        if let Some((ca, crl)) = installed {
            let pem = storecheck_report::ca::trust_pem(&ca, &crl);
            return storecheck_report::verify_bytes(&path, Some(pem.as_bytes()), lang)
                .map_err(|e| IpcError::from_core(&e, lang));
        }
    }
    storecheck_report::verify_file(&path, trust.as_deref(), lang)
        .map_err(|e| IpcError::from_core(&e, lang))
}

/// The HQ package installed at this store, if any: the chain whose CA it trusts.
#[tauri::command(async)]
pub fn installed_package(
    state: State<'_, AppState>,
) -> Reply<Option<storecheck_core::hq_package::InstalledPackage>> {
    with_db(&state, |db| db.installed_package())
}

/// What an HQ package holds, checked, before it is installed: the chain, its CA's fingerprint
/// (to confirm on the first), its standards and stores.
#[tauri::command(async)]
pub fn preview_package(
    state: State<'_, AppState>,
    path: PathBuf,
) -> Reply<storecheck_sync::package::PackagePreview> {
    let lang = state.lang();
    with_db(&state, |db| {
        storecheck_sync::package::preview(db, &path, &shown_name(&path), lang)
    })
}

/// Installs an HQ package; `pin` is the CA's fingerprint the person confirmed, for the first.
#[tauri::command(async)]
pub fn receive_package(
    state: State<'_, AppState>,
    path: PathBuf,
    pin: Option<String>,
) -> Reply<storecheck_sync::package::Received> {
    with_db(&state, |db| {
        storecheck_sync::package::receive(db, &path, &shown_name(&path), pin.as_deref())
    })
}

/// As [`preview_package`], for a package dropped on the window: its bytes are the request body,
/// its name the percent-encoded `x-name` header.
#[tauri::command(async)]
pub fn preview_package_dropped(
    state: State<'_, AppState>,
    request: tauri::ipc::Request<'_>,
) -> Reply<storecheck_sync::package::PackagePreview> {
    let lang = state.lang();
    let name = header(&request, "x-name").unwrap_or_else(|| "package".into());
    let bytes = body(&request, lang)?;
    with_db(&state, |db| {
        storecheck_sync::package::preview_bytes(db, bytes, &name, lang)
    })
}

/// As [`receive_package`], for a package dropped on the window (`x-name`, and `x-pin` for the
/// first).
#[tauri::command(async)]
pub fn receive_package_dropped(
    state: State<'_, AppState>,
    request: tauri::ipc::Request<'_>,
) -> Reply<storecheck_sync::package::Received> {
    let lang = state.lang();
    let name = header(&request, "x-name").unwrap_or_else(|| "package".into());
    let pin = header(&request, "x-pin").filter(|p| !p.is_empty());
    let bytes = body(&request, lang)?;
    with_db(&state, |db| {
        storecheck_sync::package::receive_bytes(db, bytes, &name, pin.as_deref())
    })
}

/// A request's raw body: a file's bytes.
fn body<'r>(request: &'r tauri::ipc::Request<'_>, lang: Lang) -> Reply<&'r [u8]> {
    match request.body() {
        tauri::ipc::InvokeBody::Raw(bytes) => Ok(bytes),
        _ => Err(IpcError::from_core(
            &storecheck_core::Error::invalid(
                "file",
                "the file's bytes did not arrive",
                "содержимое файла не поступило",
            ),
            lang,
        )),
    }
}

/// Writes a certificate request for `signer`'s key (made now if there is none) at `store`,
/// for HQ to issue the chain's certificate.
#[tauri::command(async)]
pub fn request_certificate(
    state: State<'_, AppState>,
    signer: String,
    store: String,
    path: PathBuf,
) -> Reply<storecheck_report::ca::CertificateStatus> {
    with_db(&state, |db| {
        let signer = signer.trim();
        if signer.is_empty() {
            return Err(storecheck_core::Error::invalid(
                "signer",
                "the auditor's name is empty: give it as they sign reports",
                "имя проверяющего пусто: укажите его так, как он подписывает отчёты",
            ));
        }
        let store = db.store_by_code(&store)?.code;
        let now = chrono::DateTime::parse_from_rfc3339(&db.now())
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_default();
        let identity = storecheck_report::sign::Signer::load_or_create(
            &db.keys_dir()?,
            signer,
            now,
            db.ids(),
        )?;
        let pem = identity.request(&store)?;
        storecheck_core::files::replace_durably(&path, pem.as_bytes(), db.ids())?;
        Ok(storecheck_report::ca::CertificateStatus::of(&identity))
    })
}

/// The certificate `signer` signs with now: self-made, or issued by the chain.
#[tauri::command(async)]
pub fn signer_certificate(
    state: State<'_, AppState>,
    signer: String,
) -> Reply<Option<storecheck_report::ca::CertificateStatus>> {
    with_db(&state, |db| {
        let keys = db.keys_dir()?;
        Ok(storecheck_report::ca::CertificateStatus::find(
            &keys,
            signer.trim(),
        ))
    })
}

/// The file's name as the person sees it.
fn shown_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Starts a new draft correcting a signed audit; returns its id.
#[tauri::command(async)]
pub fn revise_audit(state: State<'_, AppState>, id: Uuid, reason: String) -> Reply<Uuid> {
    with_db(&state, |db| db.revise_audit(id, &reason))
}

/// A request header's value, percent-decoded (the UI encodes with encodeURIComponent).
pub(crate) fn header(request: &tauri::ipc::Request<'_>, name: &str) -> Option<String> {
    request
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(storecheck_core::percent::decode)
}

/// Serves photo files to the web view: `photo://localhost/thumb/<sha256>` and
/// `…/display/<sha256>` (Windows: `http://photo.localhost/…`). Only those two kinds of path,
/// with a well-formed hash, are answered; everything else is 404.
pub fn serve_photo(
    root: &storecheck_core::photo::PhotoStore,
    path: &str,
) -> tauri::http::Response<Vec<u8>> {
    use storecheck_core::photo::{Variant, is_sha256};
    let path = storecheck_core::percent::decode(path.trim_start_matches('/'));
    let found = path.split_once('/').and_then(|(kind, sha)| {
        let variant = match kind {
            "thumb" => Variant::Thumb,
            "display" => Variant::Display,
            _ => return None,
        };
        is_sha256(sha).then(|| std::fs::read(root.path(sha, variant)).ok())?
    });
    let builder = tauri::http::Response::builder();
    let response = match found {
        Some(bytes) => builder
            .status(200)
            .header("Content-Type", "image/jpeg")
            .header("Cache-Control", "max-age=31536000, immutable")
            .body(bytes),
        None => builder.status(404).body(Vec::new()),
    };
    response.unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use storecheck_core::photo::{PhotoStore, Variant};

    #[test]
    fn the_photo_scheme_serves_only_thumbnails_and_display_copies_by_hash() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = PhotoStore::beside(&dir.path().join("s.db"));
        let sha = "ab".repeat(32);
        for (v, bytes) in [
            (Variant::Thumb, b"thumb".as_slice()),
            (Variant::Display, b"display"),
        ] {
            let p = store.path(&sha, v);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, bytes).expect("write");
        }
        let ok = serve_photo(&store, &format!("/thumb/{sha}"));
        assert_eq!(
            (ok.status().as_u16(), ok.body().as_slice()),
            (200, b"thumb".as_slice())
        );
        assert_eq!(ok.headers()["Content-Type"], "image/jpeg");
        let encoded = serve_photo(&store, &format!("/display%2F{sha}"));
        assert_eq!(
            encoded.body().as_slice(),
            b"display",
            "a percent-encoded slash"
        );
        for bad in [
            format!("/original/{sha}"),
            format!("/thumb/{}", "AB".repeat(32)),
            "/thumb/../../s.db".to_string(),
            format!("/thumb/{sha}/x"),
            String::new(),
        ] {
            assert_eq!(serve_photo(&store, &bad).status().as_u16(), 404, "{bad}");
        }
    }
}
