//! The chain's stores as this database knows them.

use rusqlite::{OptionalExtension, params};

use crate::db::Db;
use crate::error::{Conflict, Error, Invalid, Result};
use crate::model::Store;
use crate::standard::parse_uuid;

impl Db {
    /// Adds a store, or returns it unchanged when the same code, name and region are there.
    ///
    /// Errors: [`Error::Conflict`] when the code belongs to a store with another name or region;
    /// [`Error::InvalidInput`] for an empty code or name.
    pub fn add_store(&mut self, code: &str, name: &str, region: Option<&str>) -> Result<Store> {
        let code = code.trim();
        let name = name.trim();
        let region = region.map(str::trim).filter(|r| !r.is_empty());
        if code.is_empty() || name.is_empty() {
            return Err(Invalid::StoreNeedsCodeAndName.into());
        }
        if let Some(existing) = self.find_store(code)? {
            if existing.name == name && existing.region.as_deref() == region {
                return Ok(existing);
            }
            return Err(Conflict::StoreExists {
                code: code.to_string(),
                name: existing.name,
            }
            .into());
        }
        let id = self.new_id();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO store (id, code, name, region, device_id, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                params![
                    id.to_string(),
                    code,
                    name,
                    region,
                    tx.device.to_string(),
                    tx.now
                ],
            )?;
            Ok(())
        })?;
        Ok(Store {
            id,
            code: code.to_string(),
            name: name.to_string(),
            region: region.map(str::to_string),
        })
    }

    fn find_store(&self, code: &str) -> Result<Option<Store>> {
        let row: Option<(String, String, String, Option<String>)> = self
            .conn
            .query_row(
                "SELECT id, code, name, region FROM store WHERE code = ?1",
                [code.trim()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        row.map(|(id, code, name, region)| {
            Ok(Store {
                id: parse_uuid(&id)?,
                code,
                name,
                region,
            })
        })
        .transpose()
    }

    /// The store with this code. Errors: [`Error::NotFound`].
    pub fn store_by_code(&self, code: &str) -> Result<Store> {
        self.find_store(code)?.ok_or_else(|| Error::NotFound {
            what: crate::error::Entity::Store,
            key: code.to_string(),
        })
    }

    /// Every store, by code.
    pub fn list_stores(&self) -> Result<Vec<Store>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, code, name, region FROM store ORDER BY code")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
        rows.map(|row| {
            let (id, code, name, region) = row?;
            Ok(Store {
                id: parse_uuid(&id)?,
                code,
                name,
                region,
            })
        })
        .collect()
    }
}
