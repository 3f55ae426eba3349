//! Online sync in the app: a thread of its own, with a database connection of its own, sends
//! what is new to HQ's server whenever it can, so the form never waits for the network.
//!
//! It pushes at start, every few minutes, and at once when the person asks ("Sync now") or
//! gives the server's address. After a failure it tries again later, each time later (30 s,
//! 1 min, 2 min, … up to 15 min, give or take a fifth so that a chain's laptops do not all
//! come back at once). What is waiting is in the database, so a laptop that slept or an app
//! that was killed goes on where it stopped. The window is told every change of state by the
//! `sync-status` event.

use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, SystemTime};

use serde::Serialize;
use storecheck_core::{Db, Lang};
use tauri::{AppHandle, Emitter, Manager, State};
use ts_rs::TS;

use crate::AppState;
use crate::commands::Reply;
use crate::error::IpcError;

/// What the window shows of online sync.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SyncStatus {
    /// HQ's server, once given.
    pub url: Option<String>,
    /// `off` (no server given), `syncing`, `synced`, `retrying` (after a failure).
    pub state: String,
    /// When HQ last took everything, RFC 3339.
    pub last_synced: Option<String>,
    /// Audits and follow-ups not yet in a bundle, and bundles HQ has not answered.
    pub waiting_audits: u32,
    pub waiting_bundles: u32,
    /// Bundles HQ refused (not sent again).
    pub refused: u32,
    /// Why the last try failed, in the window's language.
    pub last_error: Option<String>,
    /// When the next try is, RFC 3339.
    pub next_try: Option<String>,
}

/// The sync thread's shared state: what to show, and a bell to wake it.
#[derive(Default)]
pub struct Syncer {
    status: Mutex<SyncStatus>,
    wake: Condvar,
    rung: Mutex<bool>,
}

pub type SharedSyncer = Arc<Syncer>;

impl Syncer {
    fn ring(&self) {
        *self.rung.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.wake.notify_all();
    }

    /// Sleeps until rung or `for_` has passed.
    fn sleep(&self, for_: Duration) {
        let rung = self.rung.lock().unwrap_or_else(|p| p.into_inner());
        let (mut rung, _) = self
            .wake
            .wait_timeout_while(rung, for_, |r| !*r)
            .unwrap_or_else(|p| p.into_inner());
        *rung = false;
    }

    pub fn status(&self) -> SyncStatus {
        self.status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn set(&self, app: &AppHandle, change: impl FnOnce(&mut SyncStatus)) {
        let now = {
            let mut s = self.status.lock().unwrap_or_else(|p| p.into_inner());
            change(&mut s);
            s.clone()
        };
        let _ = app.emit("sync-status", now);
    }
}

fn rfc3339(t: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(t).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// How long to wait after `failures` failures in a row: doubling from 30 s to 15 min, give or
/// take a fifth.
pub fn backoff(failures: u32, jitter: f64) -> Duration {
    let base = 30.0 * 2f64.powi(failures.saturating_sub(1).min(10) as i32);
    let capped = base.min(15.0 * 60.0);
    Duration::from_secs_f64(capped * (0.8 + 0.4 * jitter.clamp(0.0, 1.0)))
}

/// A number in [0, 1) that differs from laptop to laptop and from try to try.
fn jitter() -> f64 {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    f64::from(nanos % 1_000_000) / 1_000_000.0
}

/// How often to look again when all is well.
const EVERY: Duration = Duration::from_secs(5 * 60);

/// Starts the sync thread over the database at `path`.
pub fn start(app: AppHandle, syncer: SharedSyncer, path: PathBuf) {
    std::thread::spawn(move || {
        // A connection of its own, so that sending never holds the form's.
        let mut db: Option<Db> = None;
        let mut failures = 0u32;
        loop {
            let lang = app.state::<AppState>().lang();
            if db.is_none() {
                db = Db::open(
                    &path,
                    storecheck_core::db::Inputs::system(storecheck_core::db::computer_name()),
                )
                .ok();
            }
            let Some(conn) = db.as_mut() else {
                syncer.sleep(EVERY);
                continue;
            };
            let delay = match once(&app, &syncer, conn, lang) {
                Tried::Off => EVERY,
                Tried::Ok => {
                    failures = 0;
                    EVERY
                }
                Tried::Failed => {
                    failures += 1;
                    let wait = backoff(failures, jitter());
                    syncer.set(&app, |s| {
                        s.next_try = Some(rfc3339(SystemTime::now() + wait));
                    });
                    wait
                }
            };
            syncer.sleep(delay);
        }
    });
}

enum Tried {
    Off,
    Ok,
    Failed,
}

/// What is waiting: audits and follow-ups not in a bundle, bundles not answered, refused.
fn waiting(db: &Db) -> (u32, u32, u32) {
    let audits = db.audits_to_send(false).map(|a| a.len()).unwrap_or(0)
        + db.followups_to_send(false).map(|f| f.len()).unwrap_or(0);
    let bundles = db.bundles_to_push().map(|b| b.len()).unwrap_or(0);
    let refused = db.refused_pushes().unwrap_or(0);
    (audits as u32, bundles as u32, refused)
}

/// One try: push what is new, then install a newer HQ package if one is pinned already.
fn once(app: &AppHandle, syncer: &Syncer, db: &mut Db, lang: Lang) -> Tried {
    let url = db.hq_server().ok().flatten();
    let (audits, bundles, refused) = waiting(db);
    let Some(url) = url else {
        syncer.set(app, |s| {
            *s = SyncStatus {
                state: "off".into(),
                waiting_audits: audits,
                waiting_bundles: bundles,
                refused,
                ..SyncStatus::default()
            };
        });
        return Tried::Off;
    };
    syncer.set(app, |s| {
        s.url = Some(url.clone());
        s.state = "syncing".into();
        s.waiting_audits = audits;
        s.waiting_bundles = bundles;
        s.refused = refused;
    });
    let result = (|| {
        let key = storecheck_sync::DeviceKey::load_or_create(&db.keys_dir()?, db.ids())?;
        let outbox = db.outbox_dir()?;
        storecheck_sync::push::push(db, &url, &key, &outbox, lang)?;
        // A newer HQ package, once the person trusted the first.
        if db.installed_package()?.is_some() {
            storecheck_sync::push::pull(db, &url, None)?;
        }
        Ok::<(), storecheck_core::Error>(())
    })();
    let (audits, bundles, refused) = waiting(db);
    match result {
        Ok(()) => {
            syncer.set(app, |s| {
                s.state = "synced".into();
                s.last_synced = Some(rfc3339(SystemTime::now()));
                s.last_error = None;
                s.next_try = None;
                s.waiting_audits = audits;
                s.waiting_bundles = bundles;
                s.refused = refused;
            });
            Tried::Ok
        }
        Err(e) => {
            let message = e.message(lang);
            syncer.set(app, |s| {
                s.state = "retrying".into();
                s.last_error = Some(message);
                s.waiting_audits = audits;
                s.waiting_bundles = bundles;
                s.refused = refused;
            });
            Tried::Failed
        }
    }
}

/// What online sync is doing now.
#[tauri::command]
pub fn sync_status(syncer: State<'_, SharedSyncer>) -> SyncStatus {
    syncer.status()
}

/// Remembers HQ's server and syncs at once.
#[tauri::command(async)]
pub fn set_sync_server(
    state: State<'_, AppState>,
    syncer: State<'_, SharedSyncer>,
    url: String,
) -> Reply<SyncStatus> {
    let lang = state.lang();
    // Plain HTTP to another computer is refused here, as the person types it.
    let url = storecheck_sync::push::server_url(&url)
        .and_then(|url| storecheck_sync::tls::plain_http_allowed(&url).map(|()| url))
        .map_err(|e| IpcError::from_core(&e, lang))?;
    crate::commands::with_db(&state, |db| db.set_hq_server(&url))?;
    syncer.ring();
    Ok(syncer.status())
}

/// Syncs now, without waiting for the next try.
#[tauri::command]
pub fn sync_now(syncer: State<'_, SharedSyncer>) -> SyncStatus {
    syncer.ring();
    syncer.status()
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use std::time::Duration;

    #[test]
    fn each_failure_waits_twice_as_long_up_to_a_quarter_of_an_hour_give_or_take_a_fifth() {
        assert_eq!(backoff(1, 0.5), Duration::from_secs(30));
        assert_eq!(backoff(2, 0.5), Duration::from_secs(60));
        assert_eq!(backoff(5, 0.5), Duration::from_secs(480));
        assert_eq!(backoff(9, 0.5), Duration::from_secs(900), "capped");
        assert_eq!(backoff(1_000, 0.5), Duration::from_secs(900));
        assert_eq!(backoff(1, 0.0), Duration::from_secs(24));
        assert_eq!(backoff(1, 1.0), Duration::from_secs(36));
    }
}
