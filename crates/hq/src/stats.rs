//! The chain's compliance in figures: audits, average score, audits failed on a hard
//! requirement and findings, by store, region, section, requirement or ISO week.
//!
//! Which audits count: those whose shift falls in the period, each once: an audit corrected by a
//! revision HQ holds is replaced by that revision (the latest of a chain counts, with its own
//! date). How the average is computed: each audit's score is PRODUCT.md §5's weighted
//! percentage over the answers that count, and the average is the plain mean of those
//! per-audit scores (every audit weighs the same, whatever its number of answers); audits with
//! no score are left out of the mean but counted. By section, an audit's section score is §5's
//! weighted percentage over that section's answers; by requirement, the mean of that
//! requirement's scores (0–1) as a percentage. A finding is a scored answer below 0.5.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::db::HqDb;
use crate::error::{HqError, Result};

/// What the figures are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Store,
    Region,
    Section,
    Requirement,
    Week,
}

impl By {
    pub fn parse(s: &str) -> Option<By> {
        Some(match s {
            "store" => By::Store,
            "region" => By::Region,
            "section" => By::Section,
            "requirement" => By::Requirement,
            "week" => By::Week,
            _ => return None,
        })
    }
}

/// One line of `hq stats`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stat {
    /// The store's code, the region (empty when a store has none), the section's title, the
    /// requirement's code, or the ISO week (`2026-W47`).
    pub key: String,
    pub audits: u64,
    /// Percentage rounded to one decimal; `None` when nothing counted.
    pub average_score: Option<f64>,
    /// Audits with a failed hard requirement (in this section or requirement, when by those).
    pub failed_hard: u64,
    pub findings: u64,
}

#[derive(Default)]
struct Acc {
    audits: std::collections::BTreeSet<String>,
    scores: Vec<f64>,
    failed_hard: std::collections::BTreeSet<String>,
    findings: u64,
}

/// The ISO week of a date, as `2026-W47`.
pub fn iso_week(date: &str) -> Option<String> {
    let d = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    let w = d.iso_week();
    Some(format!("{}-W{:02}", w.year(), w.week()))
}

impl HqDb {
    /// The figures by `by`, for shifts from `from` to `to` (inclusive, `YYYY-MM-DD`), sorted
    /// by key.
    pub fn stats(&self, by: By, from: Option<&str>, to: Option<&str>) -> Result<Vec<Stat>> {
        // The audits that count: in the period, and not corrected by a revision HQ holds.
        let mut stmt = self.conn.prepare(
            "SELECT a.id, a.store_code, coalesce(s.region, ''), a.shift_date, a.score, a.failed_hard
             FROM audit a JOIN store s ON s.code = a.store_code
             WHERE (CAST(?1 AS TEXT) IS NULL OR a.shift_date >= ?1) AND (CAST(?2 AS TEXT) IS NULL OR a.shift_date <= ?2)
               AND NOT EXISTS (SELECT 1 FROM audit r WHERE r.revision_of = a.id)",
        )?;
        let audits: Vec<(String, String, String, String, Option<f64>, bool)> = stmt
            .query_map([from, to], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?
            .collect::<Result<_>>()?;
        let mut groups: BTreeMap<String, Acc> = BTreeMap::new();
        match by {
            By::Store | By::Region | By::Week => {
                let mut findings: BTreeMap<String, u64> = BTreeMap::new();
                let mut stmt = self.conn.prepare(
                    "SELECT audit_id, count(*) FROM answer WHERE score < 0.5 GROUP BY audit_id",
                )?;
                for row in
                    stmt.query_map((), |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
                {
                    let (id, n) = row?;
                    findings.insert(id, n.max(0) as u64);
                }
                for (id, store, region, date, score, hard) in &audits {
                    let key = match by {
                        By::Store => store.clone(),
                        By::Region => region.clone(),
                        _ => iso_week(date)
                            .ok_or_else(|| HqError::Corrupt(format!("shift date {date}")))?,
                    };
                    let acc = groups.entry(key).or_default();
                    acc.audits.insert(id.clone());
                    acc.scores.extend(score);
                    if *hard {
                        acc.failed_hard.insert(id.clone());
                    }
                    acc.findings += findings.get(id).copied().unwrap_or(0);
                }
            }
            By::Section | By::Requirement => {
                let counted: std::collections::HashSet<&str> =
                    audits.iter().map(|a| a.0.as_str()).collect();
                let mut stmt = self.conn.prepare(
                    "SELECT an.audit_id, se.title, r.code, r.weight, r.hard, an.score
                     FROM answer an JOIN requirement r ON r.id = an.requirement_id
                                    JOIN section se ON se.id = r.section_id
                     WHERE an.response IS NOT NULL",
                )?;
                // Per (key, audit): Σ weight·score and Σ weight, for §5's weighted percentage.
                let mut sums: BTreeMap<(String, String), (f64, f64)> = BTreeMap::new();
                let rows = stmt.query_map((), |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, f64>(3)?,
                        r.get::<_, bool>(4)?,
                        r.get::<_, Option<f64>>(5)?,
                    ))
                })?;
                for row in rows {
                    let (audit, section, code, weight, hard, score) = row?;
                    if !counted.contains(audit.as_str()) {
                        continue;
                    }
                    let key = if by == By::Section { section } else { code };
                    let acc = groups.entry(key.clone()).or_default();
                    acc.audits.insert(audit.clone());
                    if let Some(score) = score {
                        let w = if by == By::Section { weight } else { 1.0 };
                        let sum = sums.entry((key, audit.clone())).or_insert((0.0, 0.0));
                        sum.0 += w * score;
                        sum.1 += w;
                        if score < 0.5 {
                            acc.findings += 1;
                            if hard {
                                acc.failed_hard.insert(audit);
                            }
                        }
                    }
                }
                for ((key, _), (num, den)) in sums {
                    if den > 0.0
                        && let Some(acc) = groups.get_mut(&key)
                    {
                        acc.scores.push(100.0 * num / den);
                    }
                }
            }
        }
        Ok(groups
            .into_iter()
            .map(|(key, acc)| Stat {
                key,
                audits: acc.audits.len() as u64,
                average_score: (!acc.scores.is_empty()).then(|| {
                    let mean = acc.scores.iter().sum::<f64>() / acc.scores.len() as f64;
                    (mean * 10.0).round() / 10.0
                }),
                failed_hard: acc.failed_hard.len() as u64,
                findings: acc.findings,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::iso_week;

    #[test]
    fn iso_weeks_cross_years_as_iso_8601_says() {
        assert_eq!(iso_week("2026-11-20").as_deref(), Some("2026-W47"));
        assert_eq!(iso_week("2027-01-01").as_deref(), Some("2026-W53"));
        assert_eq!(iso_week("2024-12-30").as_deref(), Some("2025-W01"));
        assert_eq!(iso_week("not a date"), None);
    }
}
