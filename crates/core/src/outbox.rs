//! The store's side of sync: which audits are still to be sent to HQ, and the bundles that
//! carried them. Writing the bundle file is storecheck-sync's; this module only remembers.
//!
//! An audit is sent once per state: a completed audit, the same audit signed later, or
//! reopened and completed again, is due again. Drafts are never due. Sending never deletes or
//! hides anything.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use crate::db::Db;
use crate::error::Result;
use crate::standard::parse_uuid;

/// A bundle this database wrote.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SentBundle {
    pub id: Uuid,
    #[ts(type = "number")]
    pub sequence: i64,
    pub file_name: String,
    /// The folder it was written to.
    pub folder: String,
    pub manifest_sha256: String,
    pub audits: u32,
    pub photos: u32,
    #[ts(type = "number")]
    pub bytes: i64,
    pub created_at: String,
}

/// An audit due to be sent, as it is now.
#[derive(Debug, Clone, PartialEq)]
pub struct Due {
    pub id: Uuid,
    pub updated_at: String,
}

/// What recording a bundle needs.
#[derive(Debug, Clone)]
pub struct NewBundle<'a> {
    pub sequence: i64,
    pub file_name: &'a str,
    pub folder: &'a str,
    pub manifest_sha256: &'a str,
    /// The audits it carried, at the `updated_at` they were read with.
    pub audits: &'a [Due],
    /// The follow-ups it carried.
    pub followups: &'a [Uuid],
    pub photos: u32,
    pub bytes: i64,
}

impl Db {
    /// Completed and signed audits not yet carried by a bundle in their present state (every
    /// completed and signed audit with `all`), oldest change first.
    pub fn audits_to_send(&self, all: bool) -> Result<Vec<Due>> {
        let mut stmt = self.conn.prepare(
            "SELECT a.id, a.updated_at FROM audit a
             WHERE a.status IN ('completed', 'signed')
               AND (?1 OR NOT EXISTS (SELECT 1 FROM sync_sent s
                                      WHERE s.audit_id = a.id AND s.audit_updated_at = a.updated_at))
             ORDER BY a.updated_at, a.id",
        )?;
        let rows = stmt.query_map([all], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        rows.map(|row| {
            let (id, updated_at) = row?;
            Ok(Due {
                id: parse_uuid(&id)?,
                updated_at,
            })
        })
        .collect()
    }

    /// The last bundle this database wrote: its sequence number and manifest hash.
    pub fn last_bundle(&self) -> Result<Option<(i64, String)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT sequence, manifest_sha256 FROM sync_bundle ORDER BY sequence DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Records a bundle whose file is already whole on disk, and the audits it carried.
    pub fn record_bundle(&mut self, bundle: &NewBundle<'_>) -> Result<SentBundle> {
        let id = self.new_id();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO sync_bundle (id, sequence, file_name, folder, manifest_sha256, audits,
                    photos, bytes, device_id, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    id.to_string(),
                    bundle.sequence,
                    bundle.file_name,
                    bundle.folder,
                    bundle.manifest_sha256,
                    bundle.audits.len() as i64,
                    bundle.photos,
                    bundle.bytes,
                    tx.device.to_string(),
                    tx.now
                ],
            )?;
            let mut sent = tx.prepare(
                "INSERT OR IGNORE INTO sync_sent (audit_id, bundle_id, audit_updated_at)
                 VALUES (?1, ?2, ?3)",
            )?;
            for due in bundle.audits {
                sent.execute(params![due.id.to_string(), id.to_string(), due.updated_at])?;
            }
            let mut sent = tx.prepare(
                "INSERT OR IGNORE INTO sync_followup_sent (followup_id, bundle_id) VALUES (?1, ?2)",
            )?;
            for f in bundle.followups {
                sent.execute(params![f.to_string(), id.to_string()])?;
            }
            Ok(())
        })?;
        self.sent_bundles()?
            .into_iter()
            .find(|b| b.id == id)
            .ok_or_else(|| crate::Error::Corrupt(format!("bundle {id} was not recorded")))
    }

    /// Every bundle this database wrote, newest first.
    pub fn sent_bundles(&self) -> Result<Vec<SentBundle>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, sequence, file_name, folder, manifest_sha256, audits, photos, bytes, created_at
             FROM sync_bundle ORDER BY sequence DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                [r.get::<_, String>(2)?, r.get(3)?, r.get(4)?],
                r.get::<_, u32>(5)?,
                r.get::<_, u32>(6)?,
                r.get::<_, i64>(7)?,
                r.get::<_, String>(8)?,
            ))
        })?;
        rows.map(|row| {
            let (
                id,
                sequence,
                [file_name, folder, manifest_sha256],
                audits,
                photos,
                bytes,
                created_at,
            ) = row?;
            Ok(SentBundle {
                id: parse_uuid(&id)?,
                sequence,
                file_name,
                folder,
                manifest_sha256,
                audits,
                photos,
                bytes,
                created_at,
            })
        })
        .collect()
    }

    /// When a bundle last carried the audit (in any state), if one did.
    pub fn last_sent(&self, audit: Uuid) -> Result<Option<String>> {
        Ok(self.conn.query_row(
            "SELECT max(b.created_at) FROM sync_sent s JOIN sync_bundle b ON b.id = s.bundle_id
             WHERE s.audit_id = ?1",
            [audit.to_string()],
            |r| r.get(0),
        )?)
    }
}

/// A bundle still to be sent to the HQ server.
#[derive(Debug, Clone, PartialEq)]
pub struct ToPush {
    pub id: Uuid,
    pub sequence: i64,
    /// Where it was written.
    pub path: std::path::PathBuf,
    pub file_name: String,
}

/// What the HQ server answered for one bundle.
#[derive(Debug, Clone, PartialEq)]
pub enum Pushed {
    /// Taken: `added` audits new to HQ, `already_present` it had.
    Taken { added: u64, already_present: u64 },
    /// Refused, with the reason HQ gave.
    Refused { reason: String },
}

impl Db {
    /// The HQ server this store sends to, if one was given.
    pub fn hq_server(&self) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT url FROM hq_server WHERE id = 1", [], |r| r.get(0))
            .optional()?)
    }

    /// Remembers the HQ server's address as the person gave it: it stays this store's until
    /// they give another (an HQ package's address does not replace it). The address there
    /// already, given again, changes nothing.
    pub fn set_hq_server(&mut self, url: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO hq_server (id, url, device_id, updated_at) VALUES (1, ?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET url = excluded.url, device_id = excluded.device_id,
                     updated_at = excluded.updated_at, from_package = 0
                 WHERE url <> excluded.url",
                params![url, tx.device.to_string(), tx.now],
            )?;
            Ok(())
        })
    }

    /// The bundles HQ's server has neither taken nor refused, oldest first.
    pub fn bundles_to_push(&self) -> Result<Vec<ToPush>> {
        let mut stmt = self.conn.prepare(
            "SELECT b.id, b.sequence, b.folder, b.file_name FROM sync_bundle b
             WHERE NOT EXISTS (SELECT 1 FROM sync_push p WHERE p.bundle_id = b.id)
             ORDER BY b.sequence",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        rows.map(|row| {
            let (id, sequence, folder, file_name) = row?;
            Ok(ToPush {
                id: parse_uuid(&id)?,
                sequence,
                path: std::path::Path::new(&folder).join(&file_name),
                file_name,
            })
        })
        .collect()
    }

    /// How many bundles HQ's server refused (they are not sent again).
    pub fn refused_pushes(&self) -> Result<u32> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM sync_push WHERE outcome = 'refused'",
            [],
            |r| r.get(0),
        )?)
    }

    /// Records what the HQ server at `url` answered for bundle `bundle`.
    pub fn record_push(&mut self, bundle: Uuid, url: &str, answer: &Pushed) -> Result<()> {
        let (outcome, added, present, reason) = match answer {
            Pushed::Taken {
                added,
                already_present,
            } => ("taken", *added as i64, *already_present as i64, None),
            Pushed::Refused { reason } => ("refused", 0, 0, Some(reason.as_str())),
        };
        self.write(|tx| {
            tx.execute(
                "INSERT INTO sync_push (bundle_id, url, outcome, added, already_present, reason,
                    device_id, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (bundle_id) DO NOTHING",
                params![
                    bundle.to_string(),
                    url,
                    outcome,
                    added,
                    present,
                    reason,
                    tx.device.to_string(),
                    tx.now
                ],
            )?;
            Ok(())
        })
    }
}
