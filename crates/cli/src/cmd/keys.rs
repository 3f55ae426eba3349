//! `storecheck keys request`: a certificate request for an auditor's signing key, for HQ to
//! issue the chain's certificate. `storecheck keys show`: this device and the fingerprint of
//! the key it signs its bundles with, for HQ to compare when it enrols the device.

use std::path::PathBuf;

use storecheck_core::Db;
use storecheck_core::i18n::Text;
use storecheck_report::sign::Signer;

use crate::messages_ca::CaMessage;
use crate::output::{Out, write_whole};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Show this device's id, name and the fingerprint of the key it signs its sync bundles
    /// with (made now if it is not yet), for HQ to compare when it enrols the device
    Show,
    /// Write a certificate request (PKCS #10) for an auditor's signing key, naming the
    /// auditor and the store, for HQ to issue a certificate of the chain
    Request {
        /// The file to write
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The auditor, exactly as they sign reports (their key is made now if it is not yet)
        #[arg(long, value_name = "NAME")]
        signer: String,
        /// The store's code [default: the store, when this database has one]
        #[arg(long, value_name = "CODE")]
        store: Option<String>,
    },
}

pub fn run(db: &mut Db, out: &Out, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Show => {
            let key = storecheck_sync::DeviceKey::load_or_create(&db.keys_dir()?, db.ids())?;
            let id = db.device().to_string();
            let name = db.device_name()?;
            let fingerprint = key.key_id();
            out.print(
                &serde_json::json!({
                    "device_id": id,
                    "name": name,
                    "fingerprint": fingerprint,
                    "fingerprint_shown": storecheck_core::hq_package::fingerprint_shown(&fingerprint),
                }),
                || {
                    CaMessage::ThisDevice {
                        id: &id,
                        name: &name,
                        fingerprint: &fingerprint,
                    }
                    .text(out.lang)
                },
            )
        }
        Command::Request {
            out: path,
            signer,
            store,
        } => {
            let signer = signer.trim().to_string();
            if signer.is_empty() {
                return Err(storecheck_core::Error::invalid(
                    "--signer",
                    "the auditor's name is empty: give it as they sign reports",
                    "имя проверяющего пусто: укажите его так, как он подписывает отчёты",
                )
                .into());
            }
            let store = match store {
                Some(code) => db.store_by_code(&code)?.code,
                None => {
                    let stores = db.list_stores()?;
                    match stores.as_slice() {
                        [one] => one.code.clone(),
                        _ => {
                            return Err(storecheck_core::Error::invalid(
                                "--store",
                                format!(
                                    "this database has {} stores: say which one the auditor works in",
                                    stores.len()
                                ),
                                format!(
                                    "в этой базе магазинов: {}; укажите, в каком работает проверяющий",
                                    stores.len()
                                ),
                            )
                            .into());
                        }
                    }
                }
            };
            let now = chrono::DateTime::parse_from_rfc3339(&db.now())?.with_timezone(&chrono::Utc);
            let identity = Signer::load_or_create(&db.keys_dir()?, &signer, now, db.ids())
                .map_err(storecheck_core::Error::from)?;
            let pem = identity
                .request(&store)
                .map_err(storecheck_core::Error::from)?;
            write_whole(&path, pem.as_bytes())?;
            let file = path.display().to_string();
            out.print(
                &serde_json::json!({"file": file, "auditor": signer, "store": store}),
                || {
                    CaMessage::RequestWritten {
                        file: &file,
                        auditor: &signer,
                        store: &store,
                    }
                    .text(out.lang)
                },
            )
        }
    }
}
