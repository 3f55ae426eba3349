//! Online sync at the store: the same signed bundles, sent to HQ's server instead of carried
//! on a stick, and the HQ package fetched from it.
//!
//! [`push`] writes a bundle of what is new (into the outbox folder beside the database) and
//! sends every bundle HQ has neither taken nor refused, oldest first, recording each answer as
//! it comes: a push cut off anywhere sends the rest next time, and a bundle HQ already has is
//! answered "already present". A bundle refused because HQ has not enrolled this device (or
//! revoked it) is kept to send again, and stops the push. It stops at the first failure (the network, a busy or unwell
//! server) so bundles arrive in order. [`pull`] installs a newer HQ package under the same rules
//! as `sync receive`.

use std::path::Path;

use serde::Serialize;
use storecheck_core::outbox::Pushed;
use storecheck_core::{Db, Error, Lang, Result};
use ts_rs::TS;

use crate::DeviceKey;
use crate::package::Received;

/// A bundle HQ's server refused, and why.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct PushRefusal {
    pub file: String,
    pub reason: String,
    /// What to do, when HQ said (to ask HQ to enrol this device, with its fingerprint).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub hint: Option<String>,
}

/// What a push did. `sent` and `already_present` count audits.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct PushOutcome {
    pub url: String,
    /// The number of the bundle this push wrote, when there was something new.
    #[ts(type = "number | null")]
    pub exported: Option<u64>,
    /// Bundles HQ answered this time.
    #[ts(type = "number")]
    pub bundles: u64,
    #[ts(type = "number")]
    pub sent: u64,
    #[ts(type = "number")]
    pub already_present: u64,
    pub refused: Vec<PushRefusal>,
    /// Bundles whose file is no longer where it was written (carried by hand, or removed):
    /// they are not sent; HQ lists them as missing until one arrives.
    pub missing_files: Vec<String>,
}

/// The address as given, checked: `http://` or `https://`, without a trailing slash.
pub fn server_url(given: &str) -> Result<String> {
    let url = given.trim().trim_end_matches('/').to_string();
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(url)
    } else {
        Err(Error::invalid(
            "--to",
            format!("{given:?} is not an address: give it as http://host:port or https://host"),
            format!("«{given}» — не адрес: укажите его как http://узел:порт или https://узел"),
        ))
    }
}

fn network(url: &str, detail: impl std::fmt::Display) -> Error {
    Error::Network {
        url: url.to_string(),
        detail: detail.to_string(),
    }
}

fn lang_tag(lang: Lang) -> &'static str {
    match lang {
        Lang::Ru => "ru",
        Lang::En => "en",
    }
}

/// The `error.message` of a server's JSON answer, or its status.
fn message(status: u16, body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
        .unwrap_or_else(|| format!("HTTP {status}"))
}

/// Writes a bundle of what is new into `outbox` and sends every bundle HQ's server at `url`
/// has not answered, oldest first; remembers `url` as this store's HQ server.
///
/// Errors: [`Error::HqServer`] before anything is sent when the server is not to be trusted
/// (see [`crate::tls`]); [`Error::Network`] when the server cannot be reached or answers with a failure of
/// its own (the bundles not answered wait for the next push); nothing is lost either way.
pub fn push(
    db: &mut Db,
    url: &str,
    key: &DeviceKey,
    outbox: &Path,
    lang: Lang,
) -> Result<PushOutcome> {
    let url = server_url(url)?;
    // Refused before anything is written or sent: plain HTTP to another computer, HTTPS with no
    // CA to check the server by.
    let agent = crate::tls::agent(db, &url, None)?;
    let exported = crate::export::export(db, outbox, false, key)?.sequence;
    let sent = send(db, &agent, &url, exported, lang);
    // Remembered unless the server proved not to be the chain's.
    if !matches!(sent, Err(Error::HqServer { .. })) {
        db.set_hq_server(&url)?;
    }
    sent
}

/// Sends every bundle not answered yet, oldest first, recording each answer.
fn send(
    db: &mut Db,
    agent: &ureq::Agent,
    url: &str,
    exported: Option<u64>,
    lang: Lang,
) -> Result<PushOutcome> {
    let url = url.to_string();
    let mut out = PushOutcome {
        url: url.clone(),
        exported,
        bundles: 0,
        sent: 0,
        already_present: 0,
        refused: Vec::new(),
        missing_files: Vec::new(),
    };
    let device = db.device().to_string();
    for b in db.bundles_to_push()? {
        // Streamed from the file with its size: a bundle is never held in memory whole.
        let file = match std::fs::File::open(&b.path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                out.missing_files.push(b.path.display().to_string());
                continue;
            }
            Err(e) => return Err(Error::io(&b.path, e)),
        };
        let response = agent
            .post(format!("{url}/v1/bundles"))
            .header("content-type", "application/zip")
            .header("accept-language", lang_tag(lang))
            .header(
                "x-storecheck-file",
                storecheck_core::percent::encode(&b.file_name),
            )
            .header("x-storecheck-device", &device)
            .send(&file)
            .map_err(|e| crate::tls::refused(&url, e))?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .with_config()
            .limit(16 << 20)
            .read_to_vec()
            .map_err(|e| network(&url, crate::tls::network_detail(&e)))?;
        let answer: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        // Refused for want of enrolment: not recorded, so the next push sends it again (HQ
        // takes it once it enrols this device); the later ones wait behind it, in order.
        if status == 422 && answer["refused"][0]["waits_for_enrolment"] == true {
            out.bundles += 1;
            out.refused.push(PushRefusal {
                file: b.file_name.clone(),
                reason: answer["refused"][0]["reason"]
                    .as_str()
                    .map_or_else(|| message(status, &body), str::to_string),
                hint: answer["refused"][0]["hint"].as_str().map(str::to_string),
            });
            break;
        }
        let pushed = match status {
            200 => Pushed::Taken {
                added: answer["added"].as_u64().unwrap_or(0),
                already_present: answer["already_present"].as_u64().unwrap_or(0),
            },
            422 => Pushed::Refused {
                reason: answer["refused"][0]["reason"]
                    .as_str()
                    .map_or_else(|| message(status, &body), str::to_string),
            },
            _ => return Err(network(&url, message(status, &body))),
        };
        db.record_push(b.id, &url, &pushed)?;
        out.bundles += 1;
        match pushed {
            Pushed::Taken {
                added,
                already_present,
            } => {
                out.sent += added;
                out.already_present += already_present;
            }
            Pushed::Refused { reason } => out.refused.push(PushRefusal {
                file: b.file_name.clone(),
                reason,
                hint: answer["refused"][0]["hint"].as_str().map(str::to_string),
            }),
        }
    }
    Ok(out)
}

/// What a pull did.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum PullOutcome {
    /// HQ has no package newer than the one installed.
    UpToDate,
    /// HQ has made no package yet.
    NoPackage,
    Installed(Received),
}

/// Fetches HQ's latest package from the server at `url` when it is newer than the one
/// installed, and installs it as `sync receive` does (`pin` for the first: over HTTPS the
/// server is then trusted for presenting the CA of that fingerprint, see [`crate::tls`]).
pub fn pull(db: &mut Db, url: &str, pin: Option<&str>) -> Result<PullOutcome> {
    let url = server_url(url)?;
    let after = db.installed_package()?.map_or(0, |p| p.sequence);
    let response = crate::tls::agent(db, &url, pin)?
        .get(format!("{url}/v1/package?after={after}"))
        .call()
        .map_err(|e| crate::tls::refused(&url, e))?;
    let status = response.status().as_u16();
    if matches!(status, 200 | 204 | 404) {
        db.set_hq_server(&url)?;
    }
    let sequence = response
        .headers()
        .get("x-storecheck-sequence")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let body = response
        .into_body()
        .with_config()
        .limit(crate::package::MAX_BYTES)
        .read_to_vec()
        .map_err(|e| network(&url, crate::tls::network_detail(&e)))?;
    match status {
        204 => Ok(PullOutcome::UpToDate),
        404 => Ok(PullOutcome::NoPackage),
        200 => {
            let name = format!("hq-package-{:06}.zip", sequence.unwrap_or(0));
            crate::package::receive_bytes(db, &body, &name, pin).map(PullOutcome::Installed)
        }
        _ => Err(network(&url, message(status, &body))),
    }
}
