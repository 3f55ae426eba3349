-- A region's heat map is its stores × sections: summed by ISO week (Monday) and store, so a
-- period reads a row per store, week and section instead of every audit's sections. Kept
-- current by each import like the other rollups (src/rollup.rs).
CREATE TABLE roll_store_section_week (
    week_start  TEXT NOT NULL,
    store_code  TEXT NOT NULL,
    section_id  TEXT NOT NULL,
    standard_id TEXT NOT NULL,
    audits      INTEGER NOT NULL,
    scored      INTEGER NOT NULL,
    score_sum   REAL NOT NULL,
    failed_hard INTEGER NOT NULL,
    findings    INTEGER NOT NULL,
    PRIMARY KEY (store_code, week_start, section_id)
) WITHOUT ROWID;

-- For the audits already held.
INSERT INTO roll_store_section_week (week_start, store_code, section_id, standard_id, audits,
    scored, score_sum, failed_hard, findings)
SELECT date(a.shift_date, 'weekday 0', '-6 days'), a.store_code, x.section_id,
       min(a.standard_id), count(*), count(x.score), total(x.score), sum(x.failed_hard),
       sum(x.findings)
FROM audit a JOIN audit_section x ON x.audit_id = a.id
WHERE a.current = 1
GROUP BY 1, a.store_code, x.section_id;
