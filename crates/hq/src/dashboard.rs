//! The HQ dashboard: headline figures, the trend by week, stores ranked, the store × section
//! heat map, the requirements failed most often and overdue corrective actions, for a period,
//! region, store and standard version; and the audits behind any bar, cell or point.
//!
//! Which audits count and how the average is computed are as in [`crate::stats`]: each audit
//! once (a revision HQ holds replaces the audit it revises), the average score is the plain mean
//! of the audits' own §5 scores, a section's average the mean of the audits' section scores, a
//! requirement's fail rate its answers below 0.5 over its answers that count.
//!
//! Every figure is one aggregation written once over a *source* of the same shape: for the
//! chain or a region, the rollups ([`crate::rollup`]: a period is a few thousand rows at any
//! size); for one store, the store's own rows (a few hundred audits). [`Source::Raw`] over the
//! whole chain is the naive query the benchmark measures beside the rollups.

use std::collections::{BTreeMap, HashMap};

use crate::sql::{Conn, Row, Stmt, Value};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::db::HqDb;
use crate::error::{HqError, Result};

/// What the dashboard shows: shifts from `from` to `to` (inclusive, `YYYY-MM-DD`), in one
/// region, one store (by code) and one standard version (by id) when given.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Filter {
    pub from: String,
    pub to: String,
    /// `""` is the stores without a region.
    pub region: Option<String>,
    pub store: Option<String>,
    pub standard: Option<String>,
}

/// Where the figures are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The rollups by day and region, unless one store is asked for (then its own rows).
    Best,
    /// The audits, sections and answers themselves: what the rollups replace.
    Raw,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Figures {
    pub audits: u32,
    /// Mean of the audits' scores, one decimal; `None` with no scored audit.
    pub average_score: Option<f64>,
    pub failed_hard: u32,
    /// Share of audits failed on a hard requirement, percent with one decimal.
    pub failed_hard_share: Option<f64>,
    pub findings: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Headline {
    pub period: Figures,
    /// The period of the same length just before.
    pub previous: Figures,
    pub previous_from: String,
    pub previous_to: String,
    /// Stores in the region (or the one store) HQ knows.
    pub stores: u32,
    /// Of those, stores with no audit in the period.
    pub not_audited: u32,
    /// Corrective actions not done yet, of the audits that count (whatever their period).
    pub open_actions: u32,
    /// Of those, past their due date.
    pub overdue_actions: u32,
}

/// One point of the trend: an ISO week and a line (a region, or the store).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct TrendPoint {
    pub week: String,
    /// The Monday of the week, `YYYY-MM-DD`, for the time axis.
    pub monday: String,
    pub series: String,
    pub audits: u32,
    pub average_score: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct StoreRow {
    pub code: String,
    pub name: String,
    pub region: Option<String>,
    pub audits: u32,
    pub average_score: Option<f64>,
    /// In the previous period.
    pub previous_score: Option<f64>,
    /// Points since the previous period.
    pub change: Option<f64>,
    pub failed_hard: u32,
}

/// What the heat map's rows are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RowKind {
    /// The chain: one row per region.
    Region,
    /// A region: one row per store.
    Store,
    /// A store: one row per ISO week.
    Week,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct HeatCell {
    pub row: String,
    /// The section's title (sections of different versions with one title are one column).
    pub section: String,
    pub audits: u32,
    pub average_score: Option<f64>,
    pub findings: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Heat {
    pub rows: RowKind,
    /// Section titles in the standard's order.
    pub sections: Vec<String>,
    pub cells: Vec<HeatCell>,
}

/// A requirement (by code, across versions) with its failures in the period.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RequirementRow {
    pub code: String,
    /// The text of the newest version that has it.
    pub text: String,
    pub section: String,
    pub hard: bool,
    /// Answers that count.
    pub answered: u32,
    pub failed: u32,
    /// `failed / answered`, percent with one decimal.
    pub fail_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ActionRow {
    pub id: String,
    pub audit_id: String,
    pub store: String,
    pub store_name: String,
    pub region: Option<String>,
    pub code: String,
    pub what: String,
    pub owner: String,
    pub due: String,
    pub days_overdue: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Dashboard {
    pub filter: Filter,
    /// The day overdue is counted from.
    pub today: String,
    pub headline: Headline,
    pub trend: Vec<TrendPoint>,
    /// The lines of `trend` together, week by week (series empty): the chain, or the region in
    /// scope; the store's own line when a store is chosen.
    pub trend_total: Vec<TrendPoint>,
    /// Every store in scope, audited or not, best average first (not audited last).
    pub stores: Vec<StoreRow>,
    pub heat: Heat,
    /// Requirements with answers in the period, most failed first.
    pub requirements: Vec<RequirementRow>,
    /// The most overdue actions first, at most [`OVERDUE_SHOWN`].
    pub overdue: Vec<ActionRow>,
}

/// How many overdue actions the dashboard lists (the headline counts them all).
pub const OVERDUE_SHOWN: usize = 100;
/// How many audits a drill-down lists (it counts them all).
pub const DRILL_SHOWN: usize = 500;
/// The trend shows at least this many weeks up to the period's end.
const TREND_WEEKS: i64 = 12;

/// What a drill-down asks for: the audits behind one mark of the dashboard, within the filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Focus {
    /// Every audit in the filter.
    Audits,
    /// A trend point: the audits of an ISO week (the whole week, as the trend shows it) in a
    /// line.
    /// `series` none: the point of the lines' total, every audit of the week in the filter.
    Week {
        week: String,
        series: Option<String>,
    },
    /// A store's audits in the period.
    Store { code: String },
    /// A heat-map cell: the audits of a row with the section.
    Cell {
        rows: RowKind,
        row: String,
        section: String,
    },
    /// Audits in which the requirement failed.
    Requirement { code: String },
    /// Audits failed on a hard requirement.
    FailedHard,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct DrillAudit {
    pub id: String,
    pub store: String,
    pub store_name: String,
    pub region: Option<String>,
    pub shift_date: String,
    pub shift: String,
    pub auditor: String,
    /// `completed` or `signed`.
    pub status: String,
    pub score: Option<f64>,
    pub rating: Option<String>,
    pub hard_failures: Vec<String>,
    pub findings: u32,
    /// The standard's code and version.
    pub standard: String,
    pub version: String,
    /// Whether a regional manager has reviewed it.
    pub reviewed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Drill {
    pub total: u32,
    /// Newest shift first, at most [`DRILL_SHOWN`].
    pub audits: Vec<DrillAudit>,
}

/// What the filters offer.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Options {
    /// `""` stands for stores without a region.
    pub regions: Vec<String>,
    pub stores: Vec<StoreOption>,
    pub standards: Vec<StandardOption>,
    /// The first and last shift HQ holds.
    pub first: Option<String>,
    pub last: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct StoreOption {
    pub code: String,
    pub name: String,
    pub region: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct StandardOption {
    pub id: String,
    pub code: String,
    pub version: String,
    pub title: String,
    pub audits: u32,
}

/// The dashboard's reads, for any HQ backend.
pub trait Analytics {
    fn options(&self) -> Result<Options>;
    /// Everything the dashboard shows for `filter`, with overdue counted from `today`.
    fn dashboard(&self, filter: &Filter, today: &str, source: Source) -> Result<Dashboard>;
    fn drill(&self, filter: &Filter, focus: &Focus) -> Result<Drill>;
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

impl Filter {
    /// Refuses a period that is not two dates in order.
    pub fn check(&self) -> Result<(NaiveDate, NaiveDate)> {
        match (date(&self.from), date(&self.to)) {
            (Some(f), Some(t)) if f <= t => Ok((f, t)),
            _ => Err(HqError::BadPeriod {
                from: self.from.clone(),
                to: self.to.clone(),
            }),
        }
    }

    /// The period of the same length just before this one.
    pub fn previous(&self) -> Result<Filter> {
        let (f, t) = self.check()?;
        let days = (t - f).num_days() + 1;
        Ok(Filter {
            from: (f - Duration::days(days)).to_string(),
            to: (f - Duration::days(1)).to_string(),
            ..self.clone()
        })
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn mean(sum: f64, n: i64) -> Option<f64> {
    (n > 0).then(|| round1(sum / n as f64))
}

fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

/// The rows an aggregation reads: `audits(day, region, store, standard_id, week, audits,
/// scored, score_sum, failed_hard, findings)`, `sections(… section_id …)`,
/// `requirements(… requirement_id, answered, score_sum, failed)`. Rollups have no store
/// (`store` is NULL there and the filter's store is never asked of them).
struct Sources {
    audits: &'static str,
    sections: &'static str,
    requirements: &'static str,
}

/// Sections and requirements read whole weeks (`:full_from` to `:full_monday`, the Mondays of
/// the weeks inside the period) from the weekly rollups and the days before and after them
/// (`:from` to `:head_to`, `:tail_from` to `:to`) from the daily ones, so a year is 52 weeks of
/// rows, not 365 days of them.
const ROLLUPS: Sources = Sources {
    audits: "SELECT day, region, NULL AS store, standard_id, week, audits, scored, score_sum,
                    failed_hard, findings FROM roll_audit",
    sections: "SELECT week_start AS day, region, NULL AS store, standard_id, week, section_id,
                      audits, scored, score_sum, failed_hard, findings
               FROM roll_section_week WHERE week_start BETWEEN :full_from AND :full_monday
               UNION ALL
               SELECT day, region, NULL, standard_id, week, section_id, audits, scored,
                      score_sum, failed_hard, findings
               FROM roll_section WHERE day BETWEEN :from AND :head_to
               UNION ALL
               SELECT day, region, NULL, standard_id, week, section_id, audits, scored,
                      score_sum, failed_hard, findings
               FROM roll_section WHERE day BETWEEN :tail_from AND :to",
    requirements: "SELECT week_start AS day, region, NULL AS store, standard_id, requirement_id,
                          answered, score_sum, failed
                   FROM roll_requirement_week WHERE week_start BETWEEN :full_from AND :full_monday
                   UNION ALL
                   SELECT day, region, NULL, standard_id, requirement_id, answered, score_sum,
                          failed
                   FROM roll_requirement WHERE day BETWEEN :from AND :head_to
                   UNION ALL
                   SELECT day, region, NULL, standard_id, requirement_id, answered, score_sum,
                          failed
                   FROM roll_requirement WHERE day BETWEEN :tail_from AND :to",
};

/// The same shapes from the rows themselves; `:store` (when bound) keeps one store's, read by
/// its index.
const RAW: Sources = Sources {
    audits: "SELECT a.shift_date AS day, coalesce(s.region, '') AS region, a.store_code AS store,
                    a.standard_id, a.week, 1 AS audits, CASE WHEN a.score IS NOT NULL THEN 1 ELSE 0 END AS scored,
                    coalesce(a.score, 0) AS score_sum, a.failed_hard, a.findings
             FROM audit a JOIN store s ON s.code = a.store_code
             WHERE a.current = 1 AND (CAST(:store AS TEXT) IS NULL OR a.store_code = :store)",
    sections: "SELECT a.shift_date AS day, coalesce(s.region, '') AS region, a.store_code AS store,
                      a.standard_id, a.week, x.section_id, 1 AS audits,
                      CASE WHEN x.score IS NOT NULL THEN 1 ELSE 0 END AS scored, coalesce(x.score, 0) AS score_sum,
                      x.failed_hard, x.findings
               FROM audit a JOIN store s ON s.code = a.store_code
               JOIN audit_section x ON x.audit_id = a.id
               WHERE a.current = 1 AND (CAST(:store AS TEXT) IS NULL OR a.store_code = :store)
                 AND a.shift_date BETWEEN :from AND :to
                 AND (CAST(:region AS TEXT) IS NULL OR a.store_code IN
                      (SELECT code FROM store WHERE coalesce(region, '') = :region))",
    requirements: "SELECT a.shift_date AS day, coalesce(s.region, '') AS region,
                          a.store_code AS store, a.standard_id, an.requirement_id,
                          1 AS answered, an.score AS score_sum, an.score < 0.5 AS failed
                   FROM audit a JOIN store s ON s.code = a.store_code
                   JOIN answer an ON an.audit_id = a.id
                   WHERE a.current = 1 AND an.score IS NOT NULL
                     AND (CAST(:store AS TEXT) IS NULL OR a.store_code = :store)",
};

/// A region's stores × sections over the filter's period (`:region` bound): whole ISO weeks from
/// `roll_store_section_week`, the days before and after them from the audits.
const STORE_SECTIONS: &str = "
    SELECT store_code, section_id, audits, score_sum, scored, findings
    FROM roll_store_section_week
    WHERE store_code IN (SELECT code FROM store WHERE coalesce(region, '') = :region)
      AND week_start BETWEEN :full_from AND :full_monday
      AND (CAST(:standard AS TEXT) IS NULL OR standard_id = :standard)
    UNION ALL
    SELECT a.store_code, x.section_id, 1, coalesce(x.score, 0), CASE WHEN x.score IS NOT NULL THEN 1 ELSE 0 END, x.findings
    FROM audit a JOIN audit_section x ON x.audit_id = a.id
    WHERE a.store_code IN (SELECT code FROM store WHERE coalesce(region, '') = :region)
      AND a.current = 1 AND a.shift_date BETWEEN :from AND :head_to
      AND (CAST(:standard AS TEXT) IS NULL OR a.standard_id = :standard)
    UNION ALL
    SELECT a.store_code, x.section_id, 1, coalesce(x.score, 0), CASE WHEN x.score IS NOT NULL THEN 1 ELSE 0 END, x.findings
    FROM audit a JOIN audit_section x ON x.audit_id = a.id
    WHERE a.store_code IN (SELECT code FROM store WHERE coalesce(region, '') = :region)
      AND a.current = 1 AND a.shift_date BETWEEN :tail_from AND :to
      AND (CAST(:standard AS TEXT) IS NULL OR a.standard_id = :standard)";

/// The filter's conditions on a source's rows (period, region, standard).
const SCOPE: &str = "day BETWEEN :from AND :to
    AND (CAST(:region AS TEXT) IS NULL OR region = :region)
    AND (CAST(:standard AS TEXT) IS NULL OR standard_id = :standard)";

/// How a period splits for the weekly rollups: the Mondays of the whole ISO weeks inside it
/// (first and last), and the days before and after them (`head_to`: the last day before the
/// first whole week; `tail_from`: the first day after the last). With no whole week, the
/// weeks' range is empty and the head is the whole period.
struct Split {
    full_from: String,
    full_monday: String,
    head_to: String,
    tail_from: String,
}

fn split(filter: &Filter) -> Split {
    use chrono::Datelike;
    let none = || Split {
        full_from: "9999-12-31".into(),
        full_monday: "0000-01-01".into(),
        head_to: filter.to.clone(),
        tail_from: "9999-12-31".into(),
    };
    let (Some(from), Some(to)) = (date(&filter.from), date(&filter.to)) else {
        return none();
    };
    let first = from + Duration::days((7 - i64::from(from.weekday().num_days_from_monday())) % 7);
    let last_sunday = to - Duration::days((i64::from(to.weekday().num_days_from_monday()) + 1) % 7);
    let last_monday = last_sunday - Duration::days(6);
    if first > last_monday {
        return none();
    }
    Split {
        full_from: first.to_string(),
        full_monday: last_monday.to_string(),
        head_to: (first - Duration::days(1)).to_string(),
        tail_from: (last_sunday + Duration::days(1)).to_string(),
    }
}

/// Binds the filter's values to whichever of `:from :to :region :store :standard :today` the
/// statement has.
fn bind(stmt: &mut Stmt<'_>, filter: &Filter, extra: &[(&str, Value)]) -> Result<()> {
    let opt = |v: &Option<String>| v.clone().map_or(Value::Null, Value::Text);
    let weeks = split(filter);
    let values = [
        (":from", Value::Text(filter.from.clone())),
        (":to", Value::Text(filter.to.clone())),
        (":full_from", Value::Text(weeks.full_from)),
        (":full_monday", Value::Text(weeks.full_monday)),
        (":head_to", Value::Text(weeks.head_to)),
        (":tail_from", Value::Text(weeks.tail_from)),
        (":region", opt(&filter.region)),
        (":store", opt(&filter.store)),
        (":standard", opt(&filter.standard)),
    ];
    for (name, value) in values.iter().chain(extra.iter()) {
        stmt.bind_named(name, value)?;
    }
    Ok(())
}

/// Runs `sql` with the filter bound and maps each row.
fn rows<T>(
    conn: &Conn,
    sql: &str,
    filter: &Filter,
    extra: &[(&str, Value)],
    mut map: impl FnMut(&Row<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    bind(&mut stmt, filter, extra)?;
    let mut out = Vec::new();
    let mut it = stmt.raw_query()?;
    while let Some(row) = it.next()? {
        out.push(map(&row)?);
    }
    Ok(out)
}

/// The ISO week `2026-W47` of a date `2026-11-18` (empty when it is not a date).
pub fn iso_week(date: &str) -> String {
    NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map(|d| d.format("%G-W%V").to_string())
        .unwrap_or_default()
}

/// The Monday of an ISO week `2026-W47`.
pub fn monday_of(week: &str) -> Option<String> {
    let (y, w) = week.split_once("-W")?;
    NaiveDate::from_isoywd_opt(y.parse().ok()?, w.parse().ok()?, chrono::Weekday::Mon)
        .map(|d| d.to_string())
}

/// The trend's days: whole ISO weeks, from the week of the period's start (or
/// [`TREND_WEEKS`] weeks before its end, if earlier) to the week of its end.
pub fn trend_range(filter: &Filter) -> Result<Filter> {
    use chrono::Datelike;
    let (from, to) = filter.check()?;
    let from = from.min(to - Duration::weeks(TREND_WEEKS) + Duration::days(1));
    let monday = from - Duration::days(i64::from(from.weekday().num_days_from_monday()));
    let sunday = to + Duration::days(6 - i64::from(to.weekday().num_days_from_monday()));
    Ok(Filter {
        from: monday.to_string(),
        to: sunday.to_string(),
        ..filter.clone()
    })
}

impl HqDb {
    fn sources(&self, filter: &Filter, source: Source) -> &'static Sources {
        if source == Source::Raw || filter.store.is_some() {
            &RAW
        } else {
            &ROLLUPS
        }
    }

    /// Audits, average score, failed hard and findings in the filter.
    pub fn figures(&self, filter: &Filter, source: Source) -> Result<Figures> {
        let src = self.sources(filter, source);
        let sql = format!(
            "SELECT total(audits), total(scored), total(score_sum), total(failed_hard), total(findings)
             FROM ({}) AS src WHERE {SCOPE}",
            src.audits
        );
        let mut out = rows(&self.conn, &sql, filter, &[], |r| {
            let n = r.get::<_, f64>(0)? as i64;
            let scored = r.get::<_, f64>(1)? as i64;
            let hard = r.get::<_, f64>(3)? as i64;
            Ok(Figures {
                audits: count(n),
                average_score: mean(r.get(2)?, scored),
                failed_hard: count(hard),
                failed_hard_share: (n > 0).then(|| round1(hard as f64 * 100.0 / n as f64)),
                findings: count(r.get::<_, f64>(4)? as i64),
            })
        })?;
        Ok(out.remove(0))
    }

    /// The stores in scope: code, name, region.
    fn scoped_stores(&self, filter: &Filter) -> Result<Vec<StoreOption>> {
        rows(
            &self.conn,
            "SELECT code, name, region FROM store
             WHERE (CAST(:region AS TEXT) IS NULL OR coalesce(region, '') = :region)
               AND (CAST(:store AS TEXT) IS NULL OR code = :store)
             ORDER BY code",
            filter,
            &[],
            |r| {
                Ok(StoreOption {
                    code: r.get(0)?,
                    name: r.get(1)?,
                    region: r.get(2)?,
                })
            },
        )
    }

    /// Per store in scope with audits in the filter's period: audits, sum and count of
    /// scores, failed hard. Reads the period's audits by their index.
    pub fn per_store(&self, filter: &Filter) -> Result<BTreeMap<String, (i64, f64, i64, i64)>> {
        // Whole weeks from the weekly rollup, the other days from the period's index; summed
        // here rather than by SQLite's GROUP BY, which sorts every row it is given.
        let sql = "SELECT store_code, audits, score_sum, scored, failed_hard
             FROM (
                 SELECT store_code, standard_id, audits, score_sum, scored, failed_hard
                 FROM roll_store_week WHERE week_start BETWEEN :full_from AND :full_monday
                 UNION ALL
                 SELECT store_code, standard_id, 1, coalesce(score, 0), CASE WHEN score IS NOT NULL THEN 1 ELSE 0 END,
                        failed_hard
                 FROM audit WHERE current = 1 AND shift_date BETWEEN :from AND :head_to
                 UNION ALL
                 SELECT store_code, standard_id, 1, coalesce(score, 0), CASE WHEN score IS NOT NULL THEN 1 ELSE 0 END,
                        failed_hard
                 FROM audit WHERE current = 1 AND shift_date BETWEEN :tail_from AND :to) AS src
             WHERE (CAST(:store AS TEXT) IS NULL OR store_code = :store)
               AND (CAST(:standard AS TEXT) IS NULL OR standard_id = :standard)
               AND (CAST(:region AS TEXT) IS NULL
                    OR store_code IN (SELECT code FROM store WHERE coalesce(region, '') = :region))";
        let mut out: BTreeMap<String, (i64, f64, i64, i64)> = BTreeMap::new();
        let mut sums: HashMap<String, (i64, f64, i64, i64)> = HashMap::new();
        let mut stmt = self.conn.prepare_cached(sql)?;
        bind(&mut stmt, filter, &[])?;
        let mut it = stmt.raw_query()?;
        while let Some(r) = it.next()? {
            let row = (
                r.get::<_, i64>(1)?,
                r.get::<_, f64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
            );
            let code = r.get_ref(0)?.as_str()?;
            match sums.get_mut(code) {
                Some(acc) => {
                    acc.0 += row.0;
                    acc.1 += row.1;
                    acc.2 += row.2;
                    acc.3 += row.3;
                }
                None => {
                    sums.insert(code.to_string(), row);
                }
            }
        }
        out.extend(sums);
        Ok(out)
    }

    /// The average score by ISO week and line over [`trend_range`].
    pub fn trend(&self, filter: &Filter, source: Source) -> Result<Vec<TrendPoint>> {
        Ok(self.trend_sums(filter, source)?.0)
    }

    /// The trend's lines, and their total week by week, from one read of the sums.
    fn trend_sums(
        &self,
        filter: &Filter,
        source: Source,
    ) -> Result<(Vec<TrendPoint>, Vec<TrendPoint>)> {
        let wide = trend_range(filter)?;
        let series = if filter.store.is_some() {
            "store"
        } else {
            "region"
        };
        let sql = format!(
            "SELECT week, {series}, total(audits), total(score_sum), total(scored)
             FROM ({}) AS src WHERE {SCOPE} GROUP BY week, {series} ORDER BY week, {series}",
            self.sources(filter, source).audits
        );
        let sums = rows(&self.conn, &sql, &wide, &[], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, f64>(2)?,
                r.get::<_, f64>(3)?,
                r.get::<_, f64>(4)?,
            ))
        })?;
        let point = |week: &str, series: String, audits: f64, sum: f64, scored: f64| TrendPoint {
            monday: monday_of(week).unwrap_or_default(),
            week: week.to_string(),
            series,
            audits: count(audits as i64),
            average_score: mean(sum, scored as i64),
        };
        let mut total: BTreeMap<String, [f64; 3]> = BTreeMap::new();
        let mut lines = Vec::with_capacity(sums.len());
        for (week, line, audits, sum, scored) in sums {
            let t = total.entry(week.clone()).or_default();
            t[0] += audits;
            t[1] += sum;
            t[2] += scored;
            lines.push(point(&week, line, audits, sum, scored));
        }
        let total = total
            .into_iter()
            .map(|(week, [audits, sum, scored])| point(&week, String::new(), audits, sum, scored))
            .collect();
        Ok((lines, total))
    }

    /// The heat map: regions, stores of a region, or weeks of a store, by section.
    pub fn heat(&self, filter: &Filter, source: Source) -> Result<Heat> {
        let kind = if filter.store.is_some() {
            RowKind::Week
        } else if filter.region.is_some() {
            RowKind::Store
        } else {
            RowKind::Region
        };
        let row = match kind {
            RowKind::Region => "region",
            RowKind::Store => "store",
            RowKind::Week => "week",
        };
        let rollups = source != Source::Raw;
        // Summed here rather than by SQLite's GROUP BY, which sorts every row it is given.
        let sql = if kind == RowKind::Store && rollups {
            // A region's stores: whole weeks from the store × section rollup, the days before
            // and after them from the stores' audits, each read by its store's index.
            STORE_SECTIONS.to_string()
        } else {
            // Rows by store need the stores' own rows (the other rollups are by region).
            let src = if kind == RowKind::Store {
                &RAW
            } else {
                self.sources(filter, source)
            };
            format!(
                "SELECT {row}, section_id, audits, score_sum, scored, findings
                 FROM ({}) AS src WHERE {SCOPE}",
                src.sections
            )
        };
        let mut sums: HashMap<(String, String), [f64; 4]> = HashMap::new();
        {
            let mut stmt = self.conn.prepare_cached(&sql)?;
            bind(&mut stmt, filter, &[])?;
            let mut it = stmt.raw_query()?;
            while let Some(r) = it.next()? {
                let key = (r.get::<_, String>(0)?, r.get::<_, String>(1)?);
                let acc = sums.entry(key).or_default();
                for (i, a) in acc.iter_mut().enumerate() {
                    *a += r.get::<_, f64>(i + 2)?;
                }
            }
        }
        let titles = self.section_titles()?;
        let mut merged: BTreeMap<(String, String), [f64; 4]> = BTreeMap::new();
        let mut positions: BTreeMap<String, i64> = BTreeMap::new();
        for ((row, section_id), acc) in sums {
            let Some((title, position)) = titles.get(&section_id) else {
                continue;
            };
            let p = positions.entry(title.clone()).or_insert(*position);
            *p = (*p).min(*position);
            let m = merged.entry((row, title.clone())).or_default();
            for (a, b) in m.iter_mut().zip(acc) {
                *a += b;
            }
        }
        let cells = merged
            .into_iter()
            .map(
                |((row, section), [audits, sum, scored, findings])| HeatCell {
                    row,
                    section,
                    audits: count(audits as i64),
                    average_score: mean(sum, scored as i64),
                    findings: count(findings as i64),
                },
            )
            .collect();
        let mut sections: Vec<(i64, String)> = positions.into_iter().map(|(t, p)| (p, t)).collect();
        sections.sort();
        Ok(Heat {
            rows: kind,
            sections: sections.into_iter().map(|(_, t)| t).collect(),
            cells,
        })
    }

    /// Every section's title and position, by id.
    fn section_titles(&self) -> Result<HashMap<String, (String, i64)>> {
        self.conn
            .prepare_cached("SELECT id, title, position FROM section")?
            .query_map((), |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
            .collect::<Result<_>>()
    }

    /// Requirements by code with their failures, most failed first.
    pub fn requirements(&self, filter: &Filter, source: Source) -> Result<Vec<RequirementRow>> {
        let sql = format!(
            "SELECT requirement_id, answered, failed FROM ({}) AS src WHERE {SCOPE}",
            self.sources(filter, source).requirements
        );
        let mut sums: HashMap<String, (f64, f64)> = HashMap::new();
        {
            let mut stmt = self.conn.prepare_cached(&sql)?;
            bind(&mut stmt, filter, &[])?;
            let mut it = stmt.raw_query()?;
            while let Some(r) = it.next()? {
                let (answered, failed) = (r.get::<_, f64>(1)?, r.get::<_, f64>(2)?);
                let id = r.get_ref(0)?.as_str()?;
                // Looked up by &str: most rows add to a requirement already seen.
                match sums.get_mut(id) {
                    Some(acc) => {
                        acc.0 += answered;
                        acc.1 += failed;
                    }
                    None => {
                        sums.insert(id.to_string(), (answered, failed));
                    }
                }
            }
        }
        // Each requirement by code, with the text and section of the newest version that has
        // it (by version, then id).
        let mut info: HashMap<String, (String, String, String, bool)> = HashMap::new();
        let mut newest: HashMap<String, (String, String, String, bool)> = HashMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.id, r.code, r.text, sc.title, r.hard, st.version, st.id
             FROM requirement r JOIN section sc ON sc.id = r.section_id
             JOIN standard st ON st.id = r.standard_id",
        )?;
        let all = stmt.query_map((), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, bool>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        for row in all {
            let (id, code, text, section, hard, version, standard) = row?;
            info.insert(id, (code.clone(), text.clone(), section.clone(), hard));
            let key = format!("{version}\u{0}{standard}");
            let e = newest
                .entry(code)
                .or_insert_with(|| (key.clone(), text.clone(), section.clone(), hard));
            if key > e.0 {
                *e = (key, text, section, e.3 || hard);
            }
            e.3 |= hard;
        }
        let mut by_code: BTreeMap<String, (f64, f64)> = BTreeMap::new();
        for (id, (answered, failed)) in sums {
            if let Some((code, ..)) = info.get(&id) {
                let acc = by_code.entry(code.clone()).or_default();
                acc.0 += answered;
                acc.1 += failed;
            }
        }
        let mut out: Vec<RequirementRow> = by_code
            .into_iter()
            .map(|(code, (answered, failed))| {
                let (answered, failed) = (answered as i64, failed as i64);
                let (_, text, section, hard) = newest.get(&code).cloned().unwrap_or_default();
                RequirementRow {
                    code,
                    text,
                    section,
                    hard,
                    answered: count(answered),
                    failed: count(failed),
                    fail_rate: (answered > 0)
                        .then(|| round1(failed as f64 * 100.0 / answered as f64)),
                }
            })
            .collect();
        out.sort_by(|a, b| b.failed.cmp(&a.failed).then_with(|| a.code.cmp(&b.code)));
        Ok(out)
    }

    /// Open actions in scope (any period): (open, overdue) counts and the most overdue ones.
    pub fn actions(&self, filter: &Filter, today: &str) -> Result<(u32, u32, Vec<ActionRow>)> {
        let scope = "FROM corrective_action c
             WHERE c.done_at IS NULL AND c.counts = 1
               AND (CAST(:region AS TEXT) IS NULL
                    OR c.store_code IN (SELECT code FROM store WHERE coalesce(region, '') = :region))
               AND (CAST(:store AS TEXT) IS NULL OR c.store_code = :store)
               AND (CAST(:standard AS TEXT) IS NULL OR c.standard_id = :standard)";
        let today_v = [(":today", Value::Text(today.to_string()))];
        let counts = rows(
            &self.conn,
            &format!("SELECT count(*), count(CASE WHEN c.due_now < :today THEN 1 END) {scope}"),
            filter,
            &today_v,
            |r| Ok((count(r.get(0)?), count(r.get(1)?))),
        )?;
        let today_d = date(today);
        let list = rows(
            &self.conn,
            &format!(
                "SELECT c.id, c.audit_id, c.store_code,
                        (SELECT name FROM store WHERE code = c.store_code),
                        (SELECT region FROM store WHERE code = c.store_code),
                        c.code, c.what, c.owner, c.due_now
                 {scope} AND c.due_now < :today
                 ORDER BY c.due_now, c.store_code, c.id LIMIT {OVERDUE_SHOWN}"
            ),
            filter,
            &today_v,
            |r| {
                let due: String = r.get(8)?;
                Ok(ActionRow {
                    id: r.get(0)?,
                    audit_id: r.get(1)?,
                    store: r.get(2)?,
                    store_name: r.get(3)?,
                    region: r.get(4)?,
                    code: r.get(5)?,
                    what: r.get(6)?,
                    owner: r.get(7)?,
                    days_overdue: match (today_d, date(&due)) {
                        (Some(t), Some(d)) => (t - d).num_days() as i32,
                        _ => 0,
                    },
                    due,
                })
            },
        )?;
        Ok((counts[0].0, counts[0].1, list))
    }
}

impl Analytics for HqDb {
    fn options(&self) -> Result<Options> {
        let regions = self
            .conn
            .prepare("SELECT DISTINCT coalesce(region, '') FROM store ORDER BY 1")?
            .query_map((), |r| r.get(0))?
            .collect::<Result<_>>()?;
        let stores = self.scoped_stores(&Filter::default())?;
        let standards = self
            .conn
            .prepare(
                "SELECT st.id, st.code, st.version, st.title,
                        (SELECT total(audits) FROM roll_audit r WHERE r.standard_id = st.id)
                 FROM standard st ORDER BY st.code, st.version",
            )?
            .query_map((), |r| {
                Ok(StandardOption {
                    id: r.get(0)?,
                    code: r.get(1)?,
                    version: r.get(2)?,
                    title: r.get(3)?,
                    audits: count(r.get::<_, f64>(4)? as i64),
                })
            })?
            .collect::<Result<_>>()?;
        let (first, last) =
            self.conn
                .query_row("SELECT min(day), max(day) FROM roll_audit", (), |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
        Ok(Options {
            regions,
            stores,
            standards,
            first,
            last,
        })
    }

    fn dashboard(&self, filter: &Filter, today: &str, source: Source) -> Result<Dashboard> {
        filter.check()?;
        let previous = filter.previous()?;
        let stores_in_scope = self.scoped_stores(filter)?;
        let now = self.per_store(filter)?;
        let before = self.per_store(&previous)?;
        let mut stores: Vec<StoreRow> = stores_in_scope
            .into_iter()
            .map(|s| {
                let (audits, sum, scored, hard) = now.get(&s.code).copied().unwrap_or_default();
                let average_score = mean(sum, scored);
                let previous_score = before.get(&s.code).and_then(|p| mean(p.1, p.2));
                StoreRow {
                    change: average_score
                        .zip(previous_score)
                        .map(|(a, b)| round1(a - b)),
                    code: s.code,
                    name: s.name,
                    region: s.region,
                    audits: count(audits),
                    average_score,
                    previous_score,
                    failed_hard: count(hard),
                }
            })
            .collect();
        stores.sort_by(|a, b| {
            b.average_score
                .is_some()
                .cmp(&a.average_score.is_some())
                .then_with(|| {
                    b.average_score
                        .unwrap_or(0.0)
                        .total_cmp(&a.average_score.unwrap_or(0.0))
                })
                .then_with(|| a.code.cmp(&b.code))
        });
        let (open_actions, overdue_actions, overdue) = self.actions(filter, today)?;
        let headline = Headline {
            period: self.figures(filter, source)?,
            previous: self.figures(&previous, source)?,
            previous_from: previous.from.clone(),
            previous_to: previous.to.clone(),
            stores: count(stores.len() as i64),
            not_audited: count(stores.iter().filter(|s| s.audits == 0).count() as i64),
            open_actions,
            overdue_actions,
        };
        let (trend, trend_total) = self.trend_sums(filter, source)?;
        Ok(Dashboard {
            filter: filter.clone(),
            today: today.to_string(),
            headline,
            trend,
            trend_total,
            stores,
            heat: self.heat(filter, source)?,
            requirements: self.requirements(filter, source)?,
            overdue,
        })
    }

    fn drill(&self, filter: &Filter, focus: &Focus) -> Result<Drill> {
        self.drill_with(filter, focus, 2 * DRILL_SHOWN as i64)
    }
}

impl HqDb {
    /// [`Analytics::drill`], reading a requirement's failures audit by audit when it has more
    /// than `dense_above` of them, else from their index (the two give the same list).
    pub fn drill_with(&self, filter: &Filter, focus: &Focus, dense_above: i64) -> Result<Drill> {
        filter.check()?;
        // A requirement's drill-down is counted from the same rows as its bar (one answer per
        // requirement and audit: its failures are its audits), not by reading them all.
        let known_total = match focus {
            Focus::Requirement { code } => {
                let sql = format!(
                    "SELECT total(failed) FROM ({}) AS src WHERE {SCOPE}
                       AND requirement_id IN (SELECT id FROM requirement WHERE code = :code)",
                    self.sources(filter, Source::Best).requirements
                );
                let total = rows(
                    &self.conn,
                    &sql,
                    filter,
                    &[(":code", Value::Text(code.clone()))],
                    |r| r.get::<_, f64>(0),
                )?[0] as i64;
                Some(total)
            }
            // A region's cell is counted from the rollups its colour comes from, not by
            // reading every audit of the region's stores.
            Focus::Cell {
                rows: RowKind::Region,
                row,
                section,
            } => {
                let sql = format!(
                    "SELECT total(audits) FROM ({}) AS src WHERE {SCOPE} AND region = :row
                       AND section_id IN (SELECT id FROM section WHERE title = :section)",
                    self.sources(filter, Source::Best).sections
                );
                let total = rows(
                    &self.conn,
                    &sql,
                    filter,
                    &[
                        (":row", Value::Text(row.clone())),
                        (":section", Value::Text(section.clone())),
                    ],
                    |r| r.get::<_, f64>(0),
                )?[0] as i64;
                Some(total)
            }
            _ => None,
        };
        let mut extra: Vec<(&str, Value)> = Vec::new();
        let mut period = "a.shift_date BETWEEN :from AND :to";
        let focus_sql = match focus {
            Focus::Audits => "1 = 1",
            Focus::Week { week, series } => {
                // The whole week, by its days (read by the date index).
                let monday = monday_of(week).ok_or_else(|| HqError::BadPeriod {
                    from: week.clone(),
                    to: week.clone(),
                })?;
                let sunday = date(&monday).map(|d| (d + Duration::days(6)).to_string());
                period = "a.shift_date BETWEEN :monday AND :sunday";
                extra.push((":monday", Value::Text(monday)));
                extra.push((":sunday", Value::Text(sunday.unwrap_or_default())));
                match series {
                    None => "1 = 1",
                    Some(series) => {
                        extra.push((":series", Value::Text(series.clone())));
                        if filter.store.is_some() {
                            "a.store_code = :series"
                        } else {
                            "a.store_code IN (SELECT code FROM store WHERE coalesce(region, '') = :series)"
                        }
                    }
                }
            }
            Focus::Store { code } => {
                extra.push((":code", Value::Text(code.clone())));
                "a.store_code = :code"
            }
            Focus::Cell { rows, row, section } => {
                extra.push((":row", Value::Text(row.clone())));
                extra.push((":section", Value::Text(section.clone())));
                match rows {
                    // `|| ''`: the region's stores are a filter on the walk of the period's
                    // index, newest first, which stops at the page; not an index of their own,
                    // which would read all their audits to sort them.
                    RowKind::Region => {
                        "(a.store_code || '') IN (SELECT code FROM store WHERE coalesce(region, '') = :row)
                         AND EXISTS (SELECT 1 FROM audit_section x
                         JOIN section sc ON sc.id = x.section_id
                         WHERE x.audit_id = a.id AND sc.title = :section)"
                    }
                    RowKind::Store => {
                        "a.store_code = :row AND EXISTS (SELECT 1 FROM audit_section x
                         JOIN section sc ON sc.id = x.section_id
                         WHERE x.audit_id = a.id AND sc.title = :section)"
                    }
                    RowKind::Week => {
                        "a.week = :row AND a.store_code = :store
                         AND EXISTS (SELECT 1 FROM audit_section x
                         JOIN section sc ON sc.id = x.section_id
                         WHERE x.audit_id = a.id AND sc.title = :section)"
                    }
                }
            }
            Focus::Requirement { code } => {
                extra.push((":code", Value::Text(code.clone())));
                // Failed often: walk the period's audits newest first and stop at the page
                // (failures are dense). Seldom: take its few failures from their index.
                if known_total.unwrap_or(0) > dense_above {
                    // Looked up in the failures' index (an answer carries its audit's date).
                    "EXISTS (SELECT 1 FROM answer an WHERE an.code = :code
                             AND an.shift_date = a.shift_date AND an.audit_id = a.id
                             AND an.score < 0.5)"
                } else {
                    "a.id IN (SELECT audit_id FROM answer WHERE code = :code AND score < 0.5
                              AND shift_date BETWEEN :from AND :to)"
                }
            }
            Focus::FailedHard => "a.failed_hard = 1",
        };
        let scope = format!(
            "FROM audit a JOIN store s ON s.code = a.store_code
             JOIN standard st ON st.id = a.standard_id
             WHERE a.current = 1 AND {period} AND ({focus_sql})
               AND (CAST(:region AS TEXT) IS NULL
                    OR a.store_code IN (SELECT code FROM store WHERE coalesce(region, '') = :region))
               AND (CAST(:store AS TEXT) IS NULL OR a.store_code = :store)
               AND (CAST(:standard AS TEXT) IS NULL OR a.standard_id = :standard)"
        );
        let total = match known_total {
            Some(total) => total,
            None => rows(
                &self.conn,
                &format!("SELECT count(*) {scope}"),
                filter,
                &extra,
                |r| r.get::<_, i64>(0),
            )?[0],
        };
        let audits = rows(
            &self.conn,
            &format!(
                "SELECT a.id, a.store_code, s.name, s.region, a.shift_date, a.shift, a.auditor,
                        a.status, a.score, a.rating, a.hard_failures, a.findings, st.code,
                        st.version, EXISTS (SELECT 1 FROM review v WHERE v.audit_id = a.id)
                 {scope}
                 ORDER BY a.shift_date DESC, a.store_code, a.id LIMIT {DRILL_SHOWN}"
            ),
            filter,
            &extra,
            |r| {
                let hard: String = r.get(10)?;
                Ok(DrillAudit {
                    id: r.get(0)?,
                    store: r.get(1)?,
                    store_name: r.get(2)?,
                    region: r.get(3)?,
                    shift_date: r.get(4)?,
                    shift: r.get(5)?,
                    auditor: r.get(6)?,
                    status: r.get(7)?,
                    score: r.get(8)?,
                    rating: r.get(9)?,
                    hard_failures: serde_json::from_str(&hard).unwrap_or_default(),
                    findings: count(r.get(11)?),
                    standard: r.get(12)?,
                    version: r.get(13)?,
                    reviewed: r.get(14)?,
                })
            },
        )?;
        Ok(Drill {
            total: count(total),
            audits,
        })
    }
}
