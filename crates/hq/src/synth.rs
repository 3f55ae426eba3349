//! A synthetic chain for the dashboard's tests and benchmark: stores in regions, audits spread
//! over a span of days with answers that vary by store, region and time, revisions, and
//! corrective actions (most of the older ones done).
//!
//! Audits go in through the same write path as an import (`put_audit`, one transaction per
//! batch, rollups refreshed per batch), so what the dashboard reads is what an import writes.
//! It is deterministic for a seed. What it returns is what it wrote, for tests that compute the
//! figures again on their own.

use std::collections::HashMap;

use crate::params;
use chrono::{Duration, NaiveDate};
use storecheck_core::model::{AuditStatus, Kind, Response, ShiftPart, Standard};
use storecheck_core::record::{
    ActionRecord, AnswerRecord, AuditRecord, StandardRecord, StoreRecord,
};
use storecheck_core::scoring::{self, Given};
use storecheck_sync::Sent;
use uuid::Uuid;

use crate::db::HqDb;
use crate::error::Result;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Chain {
    pub stores: usize,
    pub regions: usize,
    pub audits: usize,
    pub first_day: NaiveDate,
    pub days: i64,
    /// Share of audits that get a revision (0–1).
    pub revisions: f64,
    pub seed: u64,
}

/// One generated audit as written, and whether it counts (no revision replaces it).
#[derive(Debug, Clone)]
pub struct Made {
    pub audit: AuditRecord,
    pub current: bool,
    /// Actions marked done, by id, with the day.
    pub done: HashMap<Uuid, String>,
}

const REGIONS: &[&str] = &[
    "Москва",
    "Санкт-Петербург",
    "Центр",
    "Северо-Запад",
    "Юг",
    "Поволжье",
    "Урал",
    "Сибирь",
    "Дальний Восток",
    "Северный Кавказ",
    "Черноземье",
    "Калининград",
    "Крым",
    "Западная Сибирь",
    "Южный Урал",
    "Верхняя Волга",
];

const CITIES: &[&str] = &[
    "Тверская",
    "Невский",
    "Калуга",
    "Псков",
    "Краснодар",
    "Самара",
    "Екатеринбург",
    "Новосибирск",
    "Владивосток",
    "Пятигорск",
    "Ярославль",
    "Казань",
];

/// A small, fast, seeded generator (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    /// A UUID v7 at `millis` since 1970, as a device makes them: rows made later sort later,
    /// so a big chain is written in the order of its indexes.
    fn uuid_at(&mut self, millis: u64) -> Uuid {
        let bytes: [u8; 10] = self.next().to_le_bytes()[..]
            .iter()
            .chain(&self.next().to_le_bytes()[..2])
            .copied()
            .collect::<Vec<u8>>()
            .try_into()
            .unwrap_or([0; 10]);
        uuid::Builder::from_unix_timestamp_millis(millis, &bytes).into_uuid()
    }
}

/// The region of store number `i` of `chain`.
pub fn region_name(i: usize) -> String {
    REGIONS
        .get(i)
        .map_or_else(|| format!("Регион {}", i + 1), |r| (*r).to_string())
}

/// The stores of a chain: code `S0001`…, a name, a region.
pub fn stores(chain: &Chain) -> Vec<StoreRecord> {
    (0..chain.stores)
        .map(|i| StoreRecord {
            code: format!("S{:04}", i + 1),
            name: format!("Магазин №{} — {}", i + 1, CITIES[i % CITIES.len()]),
            region: Some(region_name(i % chain.regions.max(1))),
        })
        .collect()
}

/// Writes `chain` into `hq` with `standard`; returns every audit written (for tests: a big
/// chain's records do not fit in memory, see [`generate_count`]).
pub fn generate(hq: &mut HqDb, standard: &StandardRecord, chain: &Chain) -> Result<Vec<Made>> {
    let mut made = Vec::with_capacity(chain.audits);
    write(hq, standard, chain, |m| made.push(m))?;
    Ok(made)
}

/// Writes `chain` into `hq` with `standard`; returns how many audits were written (revisions
/// included), keeping none of them in memory.
pub fn generate_count(hq: &mut HqDb, standard: &StandardRecord, chain: &Chain) -> Result<usize> {
    let mut n = 0;
    write(hq, standard, chain, |_| n += 1)?;
    Ok(n)
}

fn write(
    hq: &mut HqDb,
    standard: &StandardRecord,
    chain: &Chain,
    mut each: impl FnMut(Made),
) -> Result<()> {
    let model = Standard {
        id: standard.id,
        code: standard.code.clone(),
        version: standard.version.clone(),
        title: standard.title.clone(),
        language: standard.language.clone(),
        ratings: standard.ratings.clone(),
        sections: standard.sections.clone(),
        created_at: String::new(),
    };
    let requirements: HashMap<Uuid, _> = model.requirements().map(|r| (r.id, r.clone())).collect();
    let mut rng = Rng(chain.seed ^ 0x5EED);
    let stores = stores(chain);
    // Each store's own level and drift, each region's.
    let skill: Vec<f64> = stores.iter().map(|_| 0.70 + 0.27 * rng.unit()).collect();
    let drift: Vec<f64> = stores.iter().map(|_| (rng.unit() - 0.5) * 0.15).collect();
    let devices: Vec<Uuid> = stores.iter().map(|_| rng.uuid_at(0)).collect();
    // A few stores fall silent for the last 60 days.
    let silent: Vec<bool> = stores.iter().map(|_| rng.unit() < 0.03).collect();
    let last_day = chain.first_day + Duration::days(chain.days - 1);

    // A big chain is written faster with a bigger page cache (1 GB at most, for this
    // connection only).
    if let Some(lite) = hq.conn.sqlite() {
        lite.pragma_update(None, "cache_size", -1_000_000)?;
    }
    let tx = hq.conn.transaction()?;
    crate::import::put_standard(&tx, standard)?;
    for s in &stores {
        crate::import::put_store(&tx, s, "2000-01-01T00:00:00.000Z")?;
    }
    tx.commit()?;

    let batch = 5_000;
    let mut i = 0;
    while i < chain.audits {
        let tx = hq.conn.transaction()?;
        let end = (i + batch).min(chain.audits);
        for n in i..end {
            let day = chain.first_day + Duration::days(n as i64 * chain.days / chain.audits as i64);
            let mut st = rng.below(stores.len());
            if silent[st] && (last_day - day).num_days() < 60 {
                st = (st + 1) % stores.len();
            }
            let time = (day - chain.first_day).num_days() as f64 / chain.days.max(1) as f64;
            let p = (skill[st] + drift[st] * time).clamp(0.3, 0.995);
            let revise = rng.unit() < chain.revisions;
            let first = audit(&mut rng, &model, &stores[st], devices[st], day, p, None);
            let mut copies = vec![first];
            if revise {
                let of = copies[0].id;
                let mut r = audit(&mut rng, &model, &stores[st], devices[st], day, p, Some(of));
                r.revision_reason = Some("Уточнены ответы".into());
                copies.push(r);
            }
            let count = copies.len();
            for (k, a) in copies.into_iter().enumerate() {
                let sent = Sent {
                    audit: a,
                    report: None,
                };
                crate::import::put_audit(
                    &tx,
                    &sent,
                    &crate::import::record_sha256(&sent.audit),
                    None,
                    &requirements,
                    &sent.audit.updated_at,
                )?;
                let mut done = HashMap::new();
                for c in &sent.audit.actions {
                    let due = NaiveDate::parse_from_str(&c.due, "%Y-%m-%d").unwrap_or(day);
                    if (last_day - due).num_days() > 14 && rng.unit() < 0.92 {
                        let at = (due - Duration::days(rng.below(5) as i64)).to_string();
                        tx.prepare_cached(
                            "UPDATE corrective_action SET done_at = ?2 WHERE id = ?1",
                        )?
                        .execute(params![c.id.to_string(), at])?;
                        done.insert(c.id, at);
                    }
                }
                if let Some(of) = sent.audit.revision_of {
                    crate::rollup::recheck_current(&tx, &[of.to_string()])?;
                }
                each(Made {
                    audit: sent.audit,
                    current: k + 1 == count,
                    done,
                });
            }
        }
        crate::rollup::refresh(&tx)?;
        tx.commit()?;
        i = end;
    }
    Ok(())
}

/// One completed audit of `store` on `day`, each answer passing with about `p`.
fn audit(
    rng: &mut Rng,
    standard: &Standard,
    store: &StoreRecord,
    device: Uuid,
    day: NaiveDate,
    p: f64,
    revision_of: Option<Uuid>,
) -> AuditRecord {
    let minute = rng.below(60);
    let at = format!("{day}T18:{minute:02}:00.000Z");
    let millis = day
        .and_hms_opt(18, minute as u32, 0)
        .map_or(0, |t| t.and_utc().timestamp_millis().max(0) as u64);
    let id = rng.uuid_at(millis);
    let mut answers = Vec::new();
    let mut responses: Vec<(Uuid, Response)> = Vec::new();
    for r in standard.requirements() {
        let na = r.na_allowed && rng.unit() < 0.04;
        let (response, value, text, resp) = if na {
            ("na", None, None, Response::Na)
        } else {
            match r.kind {
                Kind::Check => {
                    // Knock-out requirements are kept far more often than the rest.
                    let p = if r.hard { 1.0 - (1.0 - p) / 8.0 } else { p };
                    if rng.unit() < p {
                        ("pass", None, None, Response::Pass)
                    } else {
                        ("fail", None, None, Response::Fail)
                    }
                }
                Kind::Scale => {
                    let (min, max) = (r.min.unwrap_or(0.0), r.max.unwrap_or(5.0));
                    let q = (p + (rng.unit() - 0.5) * 0.5).clamp(0.0, 1.0);
                    let v = (min + (max - min) * q).round();
                    ("value", Some(v), None, Response::Value(v))
                }
                Kind::Number => {
                    let inside = rng.unit() < p;
                    let v = match (r.min, r.max, inside) {
                        (Some(min), Some(max), true) => ((min + max) / 2.0).round(),
                        (Some(min), _, false) => min - 1.0,
                        (_, Some(max), false) => max + 1.0,
                        (Some(min), None, true) => min,
                        (None, Some(max), true) => max,
                        (None, None, _) => 1.0,
                    };
                    ("value", Some(v), None, Response::Value(v))
                }
                Kind::Text => {
                    let t = "Всё по стандарту".to_string();
                    ("text", None, Some(t.clone()), Response::Text(t))
                }
            }
        };
        responses.push((r.id, resp));
        answers.push(AnswerRecord {
            id: rng.uuid_at(millis),
            requirement_id: r.id,
            code: r.code.clone(),
            response: Some(response.to_string()),
            value,
            text,
            note: None,
            device_id: device,
            created_at: at.clone(),
            updated_at: at.clone(),
        });
    }
    let given: HashMap<Uuid, Given<'_>> = responses
        .iter()
        .map(|(id, r)| {
            (
                *id,
                Given {
                    response: r,
                    note: None,
                },
            )
        })
        .collect();
    let card = scoring::score(standard, &given);
    let chosen: Vec<_> = card.findings.iter().filter(|_| rng.unit() < 0.3).collect();
    let actions = chosen
        .into_iter()
        .map(|f| ActionRecord {
            id: rng.uuid_at(millis),
            requirement_id: f.requirement_id,
            code: f.code.clone(),
            what: format!("Устранить: {}", f.text),
            owner: "Управляющий".into(),
            due: (day + Duration::days(7)).to_string(),
            device_id: device,
            created_at: at.clone(),
            updated_at: at.clone(),
        })
        .collect();
    AuditRecord {
        id,
        store: store.clone(),
        standard_id: standard.id,
        shift_date: day.to_string(),
        shift: ShiftPart::ALL[rng.below(ShiftPart::ALL.len())],
        auditor: format!("Аудитор {}", rng.below(40) + 1),
        observed: None,
        status: AuditStatus::Completed,
        revision_of,
        revision_reason: None,
        device_id: device,
        created_at: at.clone(),
        updated_at: at.clone(),
        completed_at: Some(at),
        score: card.score,
        rating: card.rating,
        hard_failures: card.hard_failures,
        answers,
        photos: Vec::new(),
        actions,
    }
}
