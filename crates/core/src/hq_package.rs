//! HQ packages at the store: what HQ sends back (the current standards with HQ's ids, the
//! store directory, the revocation list; the auditors' certificates go to the keys folder),
//! installed whole or refused whole.
//!
//! The package file itself is read and checked by `storecheck-sync` (`package`); this module
//! keeps what was installed, pins the chain's CA on the first package, refuses another CA or an
//! older package, and says why in both languages ([`PackageProblem`]).

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use ts_rs::TS;

use crate::Lang;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::record::{StandardRecord, StoreRecord};

/// A fingerprint as people read it aloud: uppercase hex in groups of four.
pub fn fingerprint_shown(hex: &str) -> String {
    hex.to_ascii_uppercase()
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a fingerprint as a person typed or pasted it (any case, any separators) is `hex`.
pub fn same_fingerprint(typed: &str, hex: &str) -> bool {
    let typed: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ':' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    typed.len() == 64 && typed == hex
}

/// Why an HQ package is refused. Nothing of a refused package is installed.
#[derive(Debug, Clone, PartialEq)]
pub enum PackageProblem {
    Unreadable {
        detail: String,
    },
    TooLarge {
        bytes: u64,
        limit: u64,
    },
    /// Not a ZIP archive, or not one HQ makes.
    NotAPackage {
        detail: String,
    },
    /// A name a package does not hold, or twice.
    BadEntry {
        name: String,
    },
    MissingEntry {
        name: String,
    },
    /// The size or SHA-256 of an entry is not what the signed list says: it was changed.
    Changed {
        name: String,
    },
    NewerFormat {
        found: u32,
        supported: u32,
    },
    /// Its CA certificate is not a CA's, or its signature is not that CA's.
    BadSignature,
    /// A line of a table, a certificate or the revocation list that cannot be read, or is not
    /// the CA's.
    BadRecord {
        entry: String,
        line: usize,
        detail: String,
    },
    /// The first package from HQ: its CA must be confirmed by its fingerprint before it is
    /// trusted.
    NotPinned {
        chain: String,
        fingerprint: String,
    },
    /// The fingerprint given to confirm the CA is not this package's CA's.
    PinMismatch {
        chain: String,
        fingerprint: String,
    },
    /// Signed by another CA than the one this store trusts.
    OtherCa {
        pinned_chain: String,
        pinned: String,
        found_chain: String,
        found: String,
    },
    /// Older than the package installed.
    Older {
        installed: u64,
        found: u64,
    },
    /// Another package under the number of one installed.
    SameNumber {
        sequence: u64,
    },
    /// A standard version this store holds with other content.
    StandardConflict {
        code: String,
        version: String,
    },
}

impl PackageProblem {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            PackageProblem::Unreadable { detail } => lang.pick(
                format!("the file cannot be read ({detail})"),
                format!("файл не читается ({detail})"),
            ),
            PackageProblem::TooLarge { bytes, limit } => lang.pick(
                format!("it is {bytes} bytes, more than an HQ package may be ({limit})"),
                format!("его размер {bytes} байт — больше, чем может быть пакет ЦО ({limit})"),
            ),
            PackageProblem::NotAPackage { detail } => lang.pick(
                format!("it is not an HQ package, or it is damaged ({detail})"),
                format!("это не пакет ЦО или он повреждён ({detail})"),
            ),
            PackageProblem::BadEntry { name } => lang.pick(
                format!("it holds «{name}», which an HQ package does not hold (or holds it twice)"),
                format!("в нём есть «{name}», чего в пакете ЦО не бывает (или это повторено)"),
            ),
            PackageProblem::MissingEntry { name } => lang.pick(
                format!("«{name}» is missing from it"),
                format!("в нём нет «{name}»"),
            ),
            PackageProblem::Changed { name } => lang.pick(
                format!("«{name}» was changed after HQ signed the package"),
                format!("«{name}» изменён после того, как ЦО подписал пакет"),
            ),
            PackageProblem::NewerFormat { found, supported } => lang.pick(
                format!("it was made by a newer StoreCheck (package format {found}; this one reads up to {supported})"),
                format!("он создан более новой версией StoreCheck (формат пакета {found}; эта версия читает до {supported})"),
            ),
            PackageProblem::BadSignature => lang.pick(
                "its signature is not its CA's: it was changed or made by someone else",
                "его подпись сделана не его УЦ: пакет изменён или составлен не ЦО",
            ),
            PackageProblem::BadRecord { entry, line, detail } => lang.pick(
                if *line > 0 {
                    format!("«{entry}», line {line}: {detail}")
                } else {
                    format!("«{entry}»: {detail}")
                },
                if *line > 0 {
                    format!("«{entry}», строка {line}: {detail}")
                } else {
                    format!("«{entry}»: {detail}")
                },
            ),
            PackageProblem::NotPinned { chain, fingerprint } => lang.pick(
                format!(
                    "this is the first package from HQ: it is signed by the CA «{chain}» with the fingerprint {}, which this store does not trust yet",
                    fingerprint_shown(fingerprint)
                ),
                format!(
                    "это первый пакет от ЦО: он подписан УЦ «{chain}» с отпечатком {}, которому этот магазин ещё не доверяет",
                    fingerprint_shown(fingerprint)
                ),
            ),
            PackageProblem::PinMismatch { chain, fingerprint } => lang.pick(
                format!(
                    "the fingerprint given is not the one of the CA «{chain}» that signed this package ({})",
                    fingerprint_shown(fingerprint)
                ),
                format!(
                    "указанный отпечаток не совпадает с отпечатком УЦ «{chain}», подписавшего пакет ({})",
                    fingerprint_shown(fingerprint)
                ),
            ),
            PackageProblem::OtherCa { pinned_chain, pinned, found_chain, found } => lang.pick(
                format!(
                    "it is signed by the CA «{found_chain}» ({}), not by «{pinned_chain}» ({}) that this store trusts",
                    fingerprint_shown(found),
                    fingerprint_shown(pinned)
                ),
                format!(
                    "он подписан УЦ «{found_chain}» ({}), а магазин доверяет УЦ «{pinned_chain}» ({})",
                    fingerprint_shown(found),
                    fingerprint_shown(pinned)
                ),
            ),
            PackageProblem::Older { installed, found } => lang.pick(
                format!("it is package {found}, older than package {installed} installed here"),
                format!("это пакет № {found} — старше установленного здесь пакета № {installed}"),
            ),
            PackageProblem::SameNumber { sequence } => lang.pick(
                format!("package {sequence} is installed here already, with other content"),
                format!("пакет № {sequence} уже установлен здесь, и его содержимое другое"),
            ),
            PackageProblem::StandardConflict { code, version } => lang.pick(
                format!("standard {code} version {version} is here with other content than HQ's"),
                format!("стандарт {code} версии {version} здесь есть, но его содержимое отличается от стандарта ЦО"),
            ),
        }
    }

    /// What to do about it.
    pub fn hint(&self, lang: Lang) -> Option<String> {
        Some(match self {
            PackageProblem::NotPinned { fingerprint, .. } => lang.pick(
                format!(
                    "ask HQ for its CA's fingerprint (HQ sees it in `storecheck hq ca init`); if it is the same, install with --pin {fingerprint}"
                ),
                format!(
                    "узнайте в ЦО отпечаток его УЦ (в ЦО его показывает `storecheck hq ca init`); если он тот же, установите с --pin {fingerprint}"
                ),
            ),
            PackageProblem::PinMismatch { .. } | PackageProblem::OtherCa { .. } => lang.pick(
                "do not install it: ask HQ where this package came from",
                "не устанавливайте его: выясните в ЦО, откуда этот пакет",
            ),
            PackageProblem::Older { .. } | PackageProblem::SameNumber { .. } => lang.pick(
                "nothing to do: the store has a newer package; ask HQ for the latest one if in doubt",
                "ничего делать не нужно: у магазина пакет новее; при сомнениях запросите в ЦО последний",
            ),
            PackageProblem::NewerFormat { .. } => lang.pick(
                "update StoreCheck, then install the package again",
                "обновите StoreCheck и установите пакет снова",
            ),
            PackageProblem::StandardConflict { .. } => lang.pick(
                "tell HQ: the same version of a standard must have the same content everywhere",
                "сообщите в ЦО: одна версия стандарта везде должна быть одинаковой",
            ),
            _ => lang.pick(
                "ask HQ for the package again (`storecheck hq package`) and copy it anew",
                "запросите пакет в ЦО снова (`storecheck hq package`) и скопируйте его заново",
            ),
        })
    }
}

/// A package read and checked whole, ready to install.
#[derive(Debug, Clone)]
pub struct PackageContents {
    pub sequence: u64,
    pub manifest_sha256: String,
    pub chain: String,
    /// SHA-256 of the CA certificate's DER, lowercase hex.
    pub ca_sha256: String,
    pub ca_der: Vec<u8>,
    pub crl_der: Vec<u8>,
    /// When HQ made it (RFC 3339).
    pub made_at: String,
    pub standards: Vec<StandardRecord>,
    pub stores: Vec<StoreRecord>,
    /// HQ's server address, when HQ gave one (packages made before it did carry none).
    pub server_url: Option<String>,
}

/// What installing a package did to the database.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct PackageInstall {
    pub chain: String,
    #[ts(type = "number")]
    pub sequence: u64,
    pub fingerprint: String,
    /// This package pinned the chain's CA (the store's first).
    pub pinned: bool,
    /// It was installed before: nothing changed.
    pub already: bool,
    /// Standard versions new here, as "CODE v VERSION".
    pub standards_added: Vec<String>,
    pub stores_added: usize,
    pub stores_changed: usize,
    /// HQ's server address the package gave, now this store's (none when it gave none, or the
    /// store keeps an address the person typed).
    pub server_url: Option<String>,
}

/// The latest package installed here.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct InstalledPackage {
    #[ts(type = "number")]
    pub sequence: u64,
    pub chain: String,
    pub fingerprint: String,
    pub made_at: String,
    pub installed_at: String,
}

/// What installing a package would do, the fingerprint aside: the rules [`Db::install_package`]
/// applies and a preview shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// No package is installed: this one would pin its CA, once confirmed.
    First,
    /// Newer than the latest installed, from the pinned CA.
    Newer,
    /// The latest installed, again: nothing to do.
    Already,
    Refused(PackageProblem),
}

impl Db {
    /// The content hash of a standard version held here.
    fn standard_hash(&self, code: &str, version: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT content_sha256 FROM standard WHERE code = ?1 AND version = ?2",
                params![code, version],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Whether package `p` would be installed: from the pinned CA, newer than the latest (the
    /// latest again changes nothing; an earlier one, replayed, would bring back what the
    /// latest took away, such as a revoked certificate), its standards not here with other
    /// content.
    pub fn package_verdict(&self, p: &PackageContents) -> Result<Verdict> {
        let first: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT chain, ca_sha256 FROM hq_package ORDER BY sequence LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let verdict = match first {
            Some((pinned_chain, pinned)) if pinned != p.ca_sha256 => {
                return Ok(Verdict::Refused(PackageProblem::OtherCa {
                    pinned_chain,
                    pinned,
                    found_chain: p.chain.clone(),
                    found: p.ca_sha256.clone(),
                }));
            }
            Some(_) => {
                let held: Option<i64> = self
                    .conn
                    .query_row(
                        "SELECT sequence FROM hq_package WHERE manifest_sha256 = ?1",
                        [&p.manifest_sha256],
                        |r| r.get(0),
                    )
                    .optional()?;
                let latest: i64 =
                    self.conn
                        .query_row("SELECT max(sequence) FROM hq_package", [], |r| r.get(0))?;
                if held == Some(latest) {
                    return Ok(Verdict::Already);
                }
                let latest = latest as u64;
                if p.sequence == latest {
                    return Ok(Verdict::Refused(PackageProblem::SameNumber {
                        sequence: p.sequence,
                    }));
                }
                if p.sequence < latest {
                    return Ok(Verdict::Refused(PackageProblem::Older {
                        installed: latest,
                        found: p.sequence,
                    }));
                }
                Verdict::Newer
            }
            None => Verdict::First,
        };
        for s in &p.standards {
            if self
                .standard_hash(&s.code, &s.version)?
                .is_some_and(|h| h != s.content_sha256)
            {
                return Ok(Verdict::Refused(PackageProblem::StandardConflict {
                    code: s.code.clone(),
                    version: s.version.clone(),
                }));
            }
        }
        Ok(verdict)
    }

    /// The latest HQ package installed here, if any.
    pub fn installed_package(&self) -> Result<Option<InstalledPackage>> {
        Ok(self
            .conn
            .query_row(
                "SELECT sequence, chain, ca_sha256, made_at, created_at FROM hq_package
                 ORDER BY sequence DESC LIMIT 1",
                [],
                |r| {
                    Ok(InstalledPackage {
                        sequence: r.get::<_, i64>(0)? as u64,
                        chain: r.get(1)?,
                        fingerprint: r.get(2)?,
                        made_at: r.get(3)?,
                        installed_at: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    /// The chain's CA certificate and latest revocation list (DER), from the latest package.
    pub fn hq_trust(&self) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT ca_der, crl_der FROM hq_package ORDER BY sequence DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Installs a checked package in one transaction: its standards (with HQ's ids), its store
    /// directory (HQ's names and regions win), and the record of it. The first package pins
    /// its CA when `pin` is that CA's fingerprint; later ones must come from the same CA and be
    /// newer. The same package again changes nothing.
    ///
    /// Errors: [`Error::Package`] with the reason; nothing is written.
    pub fn install_package(
        &mut self,
        file: &str,
        p: &PackageContents,
        pin: Option<&str>,
    ) -> Result<PackageInstall> {
        let refuse = |problem| Error::Package {
            file: file.to_string(),
            problem: Box::new(problem),
        };
        self.atomically(|db| {
            let verdict = db.package_verdict(p)?;
            let pinned = match verdict.clone() {
                Verdict::Refused(problem) => return Err(refuse(problem)),
                Verdict::First => match pin {
                    None => {
                        return Err(refuse(PackageProblem::NotPinned {
                            chain: p.chain.clone(),
                            fingerprint: p.ca_sha256.clone(),
                        }));
                    }
                    Some(typed) if !same_fingerprint(typed, &p.ca_sha256) => {
                        return Err(refuse(PackageProblem::PinMismatch {
                            chain: p.chain.clone(),
                            fingerprint: p.ca_sha256.clone(),
                        }));
                    }
                    Some(_) => true,
                },
                Verdict::Already | Verdict::Newer => false,
            };
            let mut outcome = PackageInstall {
                chain: p.chain.clone(),
                sequence: p.sequence,
                fingerprint: p.ca_sha256.clone(),
                pinned,
                already: false,
                standards_added: Vec::new(),
                stores_added: 0,
                stores_changed: 0,
                server_url: None,
            };
            if verdict == Verdict::Already {
                outcome.already = true;
                return Ok(outcome);
            }
            for s in &p.standards {
                // Present with the same content: nothing to do (another content is refused
                // by the verdict above).
                if db.standard_hash(&s.code, &s.version)?.is_none() {
                    db.publish_standard(&s.draft())?;
                    outcome
                        .standards_added
                        .push(format!("{} v{}", s.code, s.version));
                }
            }
            for store in &p.stores {
                let here: Option<(String, Option<String>)> = db
                    .conn
                    .query_row(
                        "SELECT name, region FROM store WHERE code = ?1",
                        [&store.code],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                match here {
                    None => {
                        db.add_store(&store.code, &store.name, store.region.as_deref())?;
                        outcome.stores_added += 1;
                    }
                    Some((name, region)) if name != store.name || region != store.region => {
                        db.write(|tx| {
                            tx.execute(
                                "UPDATE store SET name = ?2, region = ?3, updated_at = ?4 WHERE code = ?1",
                                params![store.code, store.name, store.region, tx.now],
                            )?;
                            Ok(())
                        })?;
                        outcome.stores_changed += 1;
                    }
                    Some(_) => {}
                }
            }
            let id = db.new_id();
            db.write(|tx| {
                tx.execute(
                    "INSERT INTO hq_package (id, sequence, manifest_sha256, chain, ca_sha256, ca_der, crl_der, made_at, standards, stores, device_id, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                    params![
                        id.to_string(),
                        p.sequence as i64,
                        p.manifest_sha256,
                        p.chain,
                        p.ca_sha256,
                        p.ca_der,
                        p.crl_der,
                        p.made_at,
                        p.standards.len() as i64,
                        p.stores.len() as i64,
                        tx.device.to_string(),
                        tx.now
                    ],
                )?;
                Ok(())
            })?;
            if let Some(url) = &p.server_url {
                // An address the person typed wins; one an earlier package gave is replaced.
                let changed = db.write(|tx| {
                    Ok(tx.execute(
                        "INSERT INTO hq_server (id, url, device_id, updated_at, from_package)
                         VALUES (1, ?1, ?2, ?3, 1)
                         ON CONFLICT (id) DO UPDATE SET url = excluded.url,
                             device_id = excluded.device_id, updated_at = excluded.updated_at
                         WHERE from_package = 1 AND url <> excluded.url",
                        params![url, tx.device.to_string(), tx.now],
                    )?)
                })?;
                let current = db.hq_server()?;
                if changed > 0 || current.as_deref() == Some(url.as_str()) {
                    outcome.server_url = current;
                }
            }
            Ok(outcome)
        })
    }
}
