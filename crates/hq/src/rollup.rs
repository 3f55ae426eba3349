//! The dashboard's rollups (schema 2): audits, sections and requirements summed by day and
//! region, so a period's figures read a few thousand rows instead of millions of answers.
//!
//! They are never adjusted by differences. A write marks the (day, region) keys it touched
//! ([`touch_audit`], [`touch_store`]) and [`refresh`] recomputes exactly those rows from the
//! audits themselves, in the same transaction; [`rebuild`] does every key. So the rollups
//! always equal a rebuild, whatever order imports came in (tested).

use crate::params;
use crate::sql::Conn;

use crate::error::Result;

/// Marks the day and region (the store's, as HQ has it now) of audit `id`, if HQ holds it.
pub(crate) fn touch_audit(conn: &Conn, id: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO roll_touched (day, region)
         SELECT a.shift_date, coalesce(s.region, '') FROM audit a JOIN store s ON s.code = a.store_code
         WHERE a.id = ?1
         ON CONFLICT DO NOTHING",
    )?
    .execute([id])?;
    Ok(())
}

/// Marks every day of store `code`'s audits under `region` (its region before or after a
/// change).
pub(crate) fn touch_store(conn: &Conn, code: &str, region: Option<&str>) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO roll_touched (day, region)
         SELECT DISTINCT shift_date, coalesce(?2, '') FROM audit WHERE store_code = ?1
         ON CONFLICT DO NOTHING",
    )?
    .execute(params![code, region])?;
    Ok(())
}

/// Fills the temporary `roll_weeks` with the ISO weeks (Monday to Sunday) of the touched days
/// and regions: the one statement said in each backend's own date functions.
fn weeks_of_touched(conn: &Conn) -> Result<()> {
    conn.execute_batch(if conn.is_postgres() {
        "CREATE TEMP TABLE IF NOT EXISTS roll_weeks (week_start text COLLATE \"C\" NOT NULL,
             week_end text COLLATE \"C\" NOT NULL, region text COLLATE \"C\" NOT NULL,
             PRIMARY KEY (week_start, region));
         DELETE FROM roll_weeks;
         INSERT INTO roll_weeks
         SELECT DISTINCT to_char(date_trunc('week', day::date), 'YYYY-MM-DD'),
                to_char(date_trunc('week', day::date) + interval '6 days', 'YYYY-MM-DD'), region
         FROM roll_touched"
    } else {
        "CREATE TEMP TABLE IF NOT EXISTS roll_weeks (week_start TEXT NOT NULL,
             week_end TEXT NOT NULL, region TEXT NOT NULL, PRIMARY KEY (week_start, region));
         DELETE FROM roll_weeks;
         INSERT INTO roll_weeks
         SELECT DISTINCT date(day, 'weekday 0', '-6 days'), date(day, 'weekday 0'), region
         FROM roll_touched"
    })
}

/// Recomputes the rollup rows of every touched key from the audits that count, and clears the
/// marks.
pub(crate) fn refresh(conn: &Conn) -> Result<()> {
    weeks_of_touched(conn)?;
    conn.execute_batch(
        "DELETE FROM roll_audit WHERE (day, region) IN (SELECT day, region FROM roll_touched);
         DELETE FROM roll_section WHERE (day, region) IN (SELECT day, region FROM roll_touched);
         DELETE FROM roll_requirement WHERE (day, region) IN (SELECT day, region FROM roll_touched);

         INSERT INTO roll_audit (day, region, standard_id, week, audits, scored, score_sum,
             failed_hard, findings)
         SELECT t.day, t.region, a.standard_id, min(a.week), count(*), count(a.score),
                total(a.score), sum(a.failed_hard), sum(a.findings)
         FROM roll_touched t
         JOIN audit a ON a.shift_date = t.day AND a.current = 1
         JOIN store s ON s.code = a.store_code AND coalesce(s.region, '') = t.region
         GROUP BY t.day, t.region, a.standard_id;

         INSERT INTO roll_section (day, region, section_id, standard_id, week, audits, scored,
             score_sum, failed_hard, findings)
         SELECT t.day, t.region, x.section_id, min(a.standard_id), min(a.week), count(*), count(x.score),
                total(x.score), sum(x.failed_hard), sum(x.findings)
         FROM roll_touched t
         JOIN audit a ON a.shift_date = t.day AND a.current = 1
         JOIN store s ON s.code = a.store_code AND coalesce(s.region, '') = t.region
         JOIN audit_section x ON x.audit_id = a.id
         GROUP BY t.day, t.region, x.section_id;

         INSERT INTO roll_requirement (day, region, requirement_id, standard_id, answered,
             score_sum, failed)
         SELECT t.day, t.region, an.requirement_id, min(a.standard_id), count(an.score),
                total(an.score), count(CASE WHEN an.score < 0.5 THEN 1 END)
         FROM roll_touched t
         JOIN audit a ON a.shift_date = t.day AND a.current = 1
         JOIN store s ON s.code = a.store_code AND coalesce(s.region, '') = t.region
         JOIN answer an ON an.audit_id = a.id
         WHERE an.score IS NOT NULL
         GROUP BY t.day, t.region, an.requirement_id;

         -- The weeks of the touched days, recomputed from the days above and, by store,
         -- from the audits (roll_weeks is made and filled by `weeks_of_touched`).
         DELETE FROM roll_section_week
         WHERE (week_start, region) IN (SELECT week_start, region FROM roll_weeks);
         INSERT INTO roll_section_week (week_start, region, section_id, standard_id, week, audits,
             scored, score_sum, failed_hard, findings)
         SELECT w.week_start, w.region, r.section_id, min(r.standard_id), min(r.week),
                sum(r.audits), sum(r.scored), total(r.score_sum), sum(r.failed_hard),
                sum(r.findings)
         FROM roll_weeks w
         JOIN roll_section r ON r.day BETWEEN w.week_start AND w.week_end
                            AND r.region = w.region
         GROUP BY w.week_start, w.region, r.section_id;

         DELETE FROM roll_requirement_week
         WHERE (week_start, region) IN (SELECT week_start, region FROM roll_weeks);
         INSERT INTO roll_requirement_week (week_start, region, requirement_id, standard_id,
             answered, score_sum, failed)
         SELECT w.week_start, w.region, r.requirement_id, min(r.standard_id), sum(r.answered),
                total(r.score_sum), sum(r.failed)
         FROM roll_weeks w
         JOIN roll_requirement r ON r.day BETWEEN w.week_start AND w.week_end
                                AND r.region = w.region
         GROUP BY w.week_start, w.region, r.requirement_id;

         DELETE FROM roll_store_week
         WHERE (week_start, store_code) IN (
             SELECT w.week_start, s.code FROM roll_weeks w
             JOIN store s ON coalesce(s.region, '') = w.region);
         INSERT INTO roll_store_week (week_start, store_code, standard_id, audits, scored,
             score_sum, failed_hard)
         SELECT w.week_start, a.store_code, a.standard_id, count(*), count(a.score),
                total(a.score), sum(a.failed_hard)
         FROM roll_weeks w
         JOIN store s ON coalesce(s.region, '') = w.region
         JOIN audit a ON a.store_code = s.code AND a.current = 1
                     AND a.shift_date BETWEEN w.week_start AND w.week_end
         GROUP BY w.week_start, a.store_code, a.standard_id;

         DELETE FROM roll_store_section_week
         WHERE (store_code, week_start) IN (
             SELECT s.code, w.week_start FROM roll_weeks w
             JOIN store s ON coalesce(s.region, '') = w.region);
         INSERT INTO roll_store_section_week (week_start, store_code, section_id, standard_id,
             audits, scored, score_sum, failed_hard, findings)
         SELECT w.week_start, a.store_code, x.section_id, min(a.standard_id), count(*),
                count(x.score), total(x.score), sum(x.failed_hard), sum(x.findings)
         FROM roll_weeks w
         JOIN store s ON coalesce(s.region, '') = w.region
         JOIN audit a ON a.store_code = s.code AND a.current = 1
                     AND a.shift_date BETWEEN w.week_start AND w.week_end
         JOIN audit_section x ON x.audit_id = a.id
         GROUP BY w.week_start, a.store_code, x.section_id;

         DELETE FROM roll_weeks;
         DELETE FROM roll_touched;",
    )?;
    Ok(())
}

impl crate::HqDb {
    /// Recomputes every rollup row from the audits, in one transaction.
    pub fn rebuild_rollups(&mut self) -> Result<()> {
        let tx = self.conn.transaction()?;
        rebuild(&tx)?;
        tx.commit()?;
        Ok(())
    }
}

/// Recomputes every rollup row (after a migration, or a bulk load that wrote rows directly).
pub fn rebuild(conn: &Conn) -> Result<()> {
    conn.execute_batch(
        "DELETE FROM roll_audit; DELETE FROM roll_section; DELETE FROM roll_requirement;
         DELETE FROM roll_section_week; DELETE FROM roll_requirement_week;
         DELETE FROM roll_store_week; DELETE FROM roll_store_section_week;
         INSERT INTO roll_touched (day, region)
         SELECT DISTINCT a.shift_date, coalesce(s.region, '')
         FROM audit a JOIN store s ON s.code = a.store_code WHERE true
         ON CONFLICT DO NOTHING;",
    )?;
    refresh(conn)
}

/// Section scores and findings of audit `id`, from its answers (PRODUCT.md §5: the weighted
/// percentage of the answers that count, rounded to one decimal).
pub(crate) fn put_sections(conn: &Conn, id: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit_section (audit_id, section_id, score, findings, failed_hard)
         SELECT an.audit_id, r.section_id,
                round(CAST(sum(r.weight * an.score)
                      / nullif(sum(CASE WHEN an.score IS NOT NULL THEN r.weight END), 0) * 1000
                      AS NUMERIC)) / 10,
                count(CASE WHEN an.score < 0.5 THEN 1 END),
                max(CASE WHEN an.score < 0.5 AND r.hard = 1 THEN 1 ELSE 0 END)
         FROM answer an JOIN requirement r ON r.id = an.requirement_id
         WHERE an.audit_id = ?1
         GROUP BY an.audit_id, r.section_id",
    )?
    .execute([id])?;
    Ok(())
}

/// Sets whether each audit in `ids` counts: it does unless HQ holds a revision of it. Marks
/// those whose mark changed.
pub(crate) fn recheck_current(conn: &Conn, ids: &[String]) -> Result<()> {
    for id in ids {
        let changed = conn
            .prepare_cached(
                "UPDATE audit SET current = 1 - current
                 WHERE id = ?1
                   AND current = CASE WHEN EXISTS (SELECT 1 FROM audit r WHERE r.revision_of = audit.id)
                                      THEN 1 ELSE 0 END",
            )?
            .execute([id])?;
        if changed > 0 {
            conn.prepare_cached(
                "UPDATE corrective_action SET counts = (SELECT current FROM audit WHERE id = ?1)
                 WHERE audit_id = ?1",
            )?
            .execute([id])?;
            touch_audit(conn, id)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use storecheck_core::db::{Clock, Inputs};
    use storecheck_core::ids::Ids;
    use storecheck_core::record::StoreRecord;

    use crate::HqDb;
    use crate::synth::{self, Chain};

    #[test]
    fn a_store_moved_to_another_region_moves_its_audits_in_the_rollups() {
        let dir = tempfile::tempdir().expect("dir");
        let clock: Clock =
            Arc::new(|| chrono::DateTime::from_timestamp(1_795_000_000, 0).unwrap_or_default());
        let mut store = storecheck_core::Db::open(
            &dir.path().join("store.db"),
            Inputs::seeded(clock.clone(), 3),
        )
        .expect("store");
        store.load_demo(storecheck_core::Lang::Ru).expect("demo");
        let id = store.list_standards().expect("standards")[0].id;
        let standard = store.standard_record(id).expect("record");
        let mut hq = HqDb::open(
            &dir.path().join("hq.db"),
            clock.clone(),
            Ids::seeded(clock, 4),
        )
        .expect("hq");
        let chain = Chain {
            stores: 6,
            regions: 2,
            audits: 120,
            first_day: chrono::NaiveDate::from_ymd_opt(2026, 9, 1).expect("date"),
            days: 30,
            revisions: 0.1,
            seed: 2,
        };
        synth::generate(&mut hq, &standard, &chain).expect("generate");
        let moved = synth::stores(&chain)[0].clone();
        let regions = |hq: &HqDb| -> Vec<(String, i64)> {
            hq.conn
                .prepare(
                    "SELECT region, sum(audits) FROM roll_audit GROUP BY region ORDER BY region",
                )
                .expect("prepare")
                .query_map((), |r| Ok((r.get(0)?, r.get(1)?)))
                .expect("query")
                .collect::<crate::Result<_>>()
                .expect("rows")
        };
        let before = regions(&hq);
        let tx = hq.conn.transaction().expect("tx");
        crate::import::put_store(
            &tx,
            &StoreRecord {
                region: Some("Новый регион".into()),
                ..moved.clone()
            },
            "2099-01-01T00:00:00.000Z",
        )
        .expect("put store");
        super::refresh(&tx).expect("refresh");
        tx.commit().expect("commit");
        let after = regions(&hq);
        let of_store: i64 = hq
            .conn
            .query_row(
                "SELECT count(*) FROM audit WHERE store_code = ?1 AND current = 1",
                [&moved.code],
                |r| r.get(0),
            )
            .expect("count");
        assert!(of_store > 0);
        assert!(
            after.contains(&("Новый регион".to_string(), of_store)),
            "{after:?}"
        );
        let total = |v: &[(String, i64)]| v.iter().map(|x| x.1).sum::<i64>();
        assert_eq!(
            total(&before),
            total(&after),
            "nothing counted twice or lost"
        );
        let kept = crate::query::dump(&hq.conn).expect("dump");
        hq.rebuild_rollups().expect("rebuild");
        assert_eq!(
            crate::query::dump(&hq.conn).expect("dump"),
            kept,
            "equal to a rebuild"
        );
    }
}
