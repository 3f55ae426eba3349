-- StoreCheck HQ schema 2: what the dashboard reads, kept current inside each import.
--
-- Per audit: its ISO week, its findings, whether it counts (no revision HQ holds replaces it)
-- and its section scores. Per answer: its audit's shift date, so a requirement's failures are
-- found by period without reading other answers. Rollups by day and region (the store's region
-- as HQ has it now): audits, sections, requirements. An import recomputes the rollup rows of
-- every (day, region) it touched from the rows themselves (src/rollup.rs), so they never drift.

-- The signed-audit lock lets only `current` change (a revision arriving replaces an audit in
-- the figures, never in its data).
DROP TRIGGER audit_signed_locked;

ALTER TABLE audit ADD COLUMN week TEXT NOT NULL DEFAULT '';          -- 2026-W47
ALTER TABLE audit ADD COLUMN findings INTEGER NOT NULL DEFAULT 0;    -- scored answers below 0.5
ALTER TABLE audit ADD COLUMN current INTEGER NOT NULL DEFAULT 1 CHECK (current IN (0, 1));
-- When HQ took this copy (HQ's clock; for `hq export --since`). Audits held before: their
-- last change at the store.
ALTER TABLE audit ADD COLUMN imported_at TEXT NOT NULL DEFAULT '';
ALTER TABLE answer ADD COLUMN shift_date TEXT NOT NULL DEFAULT '';

UPDATE audit SET
    imported_at = updated_at,
    week = strftime('%G-W%V', shift_date),
    findings = (SELECT count(*) FROM answer WHERE answer.audit_id = audit.id AND answer.score < 0.5),
    current = NOT EXISTS (SELECT 1 FROM audit r WHERE r.revision_of = audit.id);
UPDATE answer SET shift_date = (SELECT shift_date FROM audit WHERE audit.id = answer.audit_id);

CREATE TRIGGER audit_signed_locked BEFORE UPDATE OF
    id, store_code, standard_id, shift_date, shift, auditor, observed, status, revision_of,
    revision_reason, device_id, created_at, updated_at, completed_at, score, rating, failed_hard,
    hard_failures, store_name, store_region, record_sha256, pdf_data, week, findings, imported_at
ON audit
WHEN OLD.status = 'signed'
BEGIN SELECT RAISE(ABORT, 'a signed audit never changes'); END;

CREATE INDEX audit_revision_of ON audit(revision_of) WHERE revision_of IS NOT NULL;
-- Audits that count, by period: every per-store figure reads only this index.
CREATE INDEX audit_period ON audit(shift_date, store_code, score, failed_hard, findings, standard_id)
    WHERE current = 1;
-- A requirement's failures by period.
CREATE INDEX answer_failed ON answer(code, shift_date, audit_id) WHERE score < 0.5;
CREATE INDEX store_region ON store(region, code);
CREATE INDEX audit_imported ON audit(imported_at);

-- Each section's score in each audit: PRODUCT.md §5's weighted percentage over its answers.
CREATE TABLE audit_section (
    audit_id    TEXT NOT NULL REFERENCES audit(id),
    section_id  TEXT NOT NULL REFERENCES section(id),
    score       REAL,
    findings    INTEGER NOT NULL,
    failed_hard INTEGER NOT NULL CHECK (failed_hard IN (0, 1)),
    PRIMARY KEY (audit_id, section_id)
) WITHOUT ROWID;
-- Filled for the audits already held by the upgrade itself (src/db.rs), with the same
-- statement an import uses (src/rollup.rs), as are the rollups.

-- Corrective actions as followed up at the store: the due date now, and when it was done;
-- with their audit's store and standard, and whether their audit counts, so the open ones in
-- any scope are read from one index.
ALTER TABLE corrective_action ADD COLUMN due_now TEXT NOT NULL DEFAULT '';
ALTER TABLE corrective_action ADD COLUMN done_at TEXT;
ALTER TABLE corrective_action ADD COLUMN store_code TEXT NOT NULL DEFAULT '';
ALTER TABLE corrective_action ADD COLUMN standard_id TEXT NOT NULL DEFAULT '';
ALTER TABLE corrective_action ADD COLUMN counts INTEGER NOT NULL DEFAULT 1 CHECK (counts IN (0, 1));
UPDATE corrective_action SET
    due_now = due,
    store_code = (SELECT store_code FROM audit WHERE audit.id = corrective_action.audit_id),
    standard_id = (SELECT standard_id FROM audit WHERE audit.id = corrective_action.audit_id),
    counts = (SELECT current FROM audit WHERE audit.id = corrective_action.audit_id);
CREATE INDEX corrective_action_open ON corrective_action(due_now, store_code, standard_id)
    WHERE done_at IS NULL AND counts = 1;

-- Rollups. `region` is '' for stores without one. Sums, not means: a mean is sum / count.
CREATE TABLE roll_audit (
    day         TEXT NOT NULL,
    region      TEXT NOT NULL,
    standard_id TEXT NOT NULL,
    week        TEXT NOT NULL,
    audits      INTEGER NOT NULL,
    scored      INTEGER NOT NULL,    -- audits with a score
    score_sum   REAL NOT NULL,
    failed_hard INTEGER NOT NULL,
    findings    INTEGER NOT NULL,
    PRIMARY KEY (day, region, standard_id)
) WITHOUT ROWID;

CREATE TABLE roll_section (
    day         TEXT NOT NULL,
    region      TEXT NOT NULL,
    section_id  TEXT NOT NULL,
    standard_id TEXT NOT NULL,
    week        TEXT NOT NULL,
    audits      INTEGER NOT NULL,
    scored      INTEGER NOT NULL,
    score_sum   REAL NOT NULL,
    failed_hard INTEGER NOT NULL,
    findings    INTEGER NOT NULL,
    PRIMARY KEY (day, region, section_id)
) WITHOUT ROWID;

CREATE TABLE roll_requirement (
    day         TEXT NOT NULL,
    region      TEXT NOT NULL,
    requirement_id TEXT NOT NULL,
    standard_id TEXT NOT NULL,
    answered    INTEGER NOT NULL,    -- answers that count (scored)
    score_sum   REAL NOT NULL,
    failed      INTEGER NOT NULL,
    PRIMARY KEY (day, region, requirement_id)
) WITHOUT ROWID;

-- The same by ISO week (`week_start` its Monday), so a long period reads whole weeks here and
-- only its partial weeks' days above; and audits by store and week for stores ranked.
CREATE TABLE roll_section_week (
    week_start  TEXT NOT NULL,
    region      TEXT NOT NULL,
    section_id  TEXT NOT NULL,
    standard_id TEXT NOT NULL,
    week        TEXT NOT NULL,
    audits      INTEGER NOT NULL,
    scored      INTEGER NOT NULL,
    score_sum   REAL NOT NULL,
    failed_hard INTEGER NOT NULL,
    findings    INTEGER NOT NULL,
    PRIMARY KEY (week_start, region, section_id)
) WITHOUT ROWID;

CREATE TABLE roll_requirement_week (
    week_start  TEXT NOT NULL,
    region      TEXT NOT NULL,
    requirement_id TEXT NOT NULL,
    standard_id TEXT NOT NULL,
    answered    INTEGER NOT NULL,
    score_sum   REAL NOT NULL,
    failed      INTEGER NOT NULL,
    PRIMARY KEY (week_start, region, requirement_id)
) WITHOUT ROWID;

CREATE TABLE roll_store_week (
    week_start  TEXT NOT NULL,
    store_code  TEXT NOT NULL,
    standard_id TEXT NOT NULL,
    audits      INTEGER NOT NULL,
    scored      INTEGER NOT NULL,
    score_sum   REAL NOT NULL,
    failed_hard INTEGER NOT NULL,
    PRIMARY KEY (week_start, store_code, standard_id)
) WITHOUT ROWID;

-- The (day, region) keys an import touched; emptied once their rollup rows are recomputed.
-- (A real table, not TEMP, so a reader sees no half-made temp schema; it is empty between
-- transactions.)
CREATE TABLE roll_touched (
    day         TEXT NOT NULL,
    region      TEXT NOT NULL,
    PRIMARY KEY (day, region)
) WITHOUT ROWID;

-- A regional manager's review of an audit: HQ's own data, never the signed audit's.
CREATE TABLE review (
    id          TEXT PRIMARY KEY,
    audit_id    TEXT NOT NULL REFERENCES audit(id),
    reviewer    TEXT NOT NULL,
    comment     TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX review_audit ON review(audit_id, created_at);

-- This HQ workspace's own settings; `device` is the id its own rows (reviews) carry.
CREATE TABLE workspace (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL
);

-- Follow-ups of corrective actions (done, or due date moved), as the stores made them. No
-- reference to the action: a follow-up may arrive before its audit (bundles come in any order);
-- the action's due date now and when it was done are recomputed from these whenever either
-- arrives (src/import.rs).
CREATE TABLE followup (
    id          TEXT PRIMARY KEY,
    action_id   TEXT NOT NULL,
    audit_id    TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('done', 'rescheduled')),
    on_date     TEXT NOT NULL,
    by_whom     TEXT NOT NULL,
    note        TEXT NOT NULL,
    photo_sha256 TEXT,
    photo_format TEXT,
    device_id   TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX followup_action ON followup(action_id, created_at);
CREATE TRIGGER followup_immutable BEFORE UPDATE ON followup
BEGIN SELECT RAISE(ABORT, 'a follow-up never changes'); END;
