-- StoreCheck HQ on PostgreSQL, schema 1: the same tables, columns and indexes as the SQLite HQ
-- database at its schema 4 (src/0001_hq.sql to src/0004_store_sections.sql), so that every
-- statement of the HQ code means the same on both. Times and dates are RFC 3339 and ISO text,
-- as on SQLite, so they sort and compare the same way, and every text column has the "C"
-- collation (bytes in order, as SQLite compares them) whatever the database's locale; integers
-- are bigint, reals double precision, bytes bytea.

-- What this database is, and its schema version (SQLite keeps these in its header).
CREATE TABLE hq_schema (
    application text COLLATE "C" NOT NULL,
    version     bigint NOT NULL
);

-- SQLite's total(): a sum that is 0.0, not NULL, over no rows.
CREATE AGGREGATE total(double precision) (SFUNC = float8pl, STYPE = float8, INITCOND = '0');

-- Refuses the change with the trigger's message.
CREATE FUNCTION hq_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation';
END;
$$;

-- A store laptop HQ has heard from, and the key its bundles are signed with.
CREATE TABLE device (
    id          text COLLATE "C" PRIMARY KEY,
    name        text COLLATE "C" NOT NULL,
    key_id      text COLLATE "C",                 -- SHA-256 of the public key's DER; NULL until a bundle
    public_key  text COLLATE "C"                  -- SubjectPublicKeyInfo PEM
);

-- Every bundle imported, by the hash of its manifest.
CREATE TABLE bundle (
    manifest_sha256 text COLLATE "C" PRIMARY KEY CHECK (length(manifest_sha256) = 64),
    device_id   text COLLATE "C" NOT NULL REFERENCES device(id),
    sequence    bigint NOT NULL CHECK (sequence > 0),
    previous    text COLLATE "C",
    created_at  text COLLATE "C" NOT NULL,
    audits      bigint NOT NULL
);
CREATE INDEX bundle_sequence ON bundle(device_id, sequence);

-- Stores by code. HQ's own name and region win; until HQ names a store, the newest name a
-- store's audits carried (by the audit's last change, so the order of imports does not matter).
CREATE TABLE store (
    code        text COLLATE "C" PRIMARY KEY,
    name        text COLLATE "C" NOT NULL,
    region      text COLLATE "C",
    named_by_hq bigint NOT NULL DEFAULT 0 CHECK (named_by_hq IN (0, 1)),
    as_of       text COLLATE "C" NOT NULL
);

CREATE TABLE standard (
    id          text COLLATE "C" PRIMARY KEY,     -- derived from code, version and content
    code        text COLLATE "C" NOT NULL,
    version     text COLLATE "C" NOT NULL,
    title       text COLLATE "C" NOT NULL,
    language    text COLLATE "C" NOT NULL,
    ratings     text COLLATE "C" NOT NULL,        -- JSON [{"name", "min"}]
    content_sha256 text COLLATE "C" NOT NULL
);
CREATE INDEX standard_code ON standard(code, version);

CREATE TABLE section (
    id          text COLLATE "C" PRIMARY KEY,
    standard_id text COLLATE "C" NOT NULL REFERENCES standard(id),
    position    bigint NOT NULL,
    title       text COLLATE "C" NOT NULL,
    UNIQUE (standard_id, position)
);

CREATE TABLE requirement (
    id          text COLLATE "C" PRIMARY KEY,
    standard_id text COLLATE "C" NOT NULL REFERENCES standard(id),
    section_id  text COLLATE "C" NOT NULL REFERENCES section(id),
    position    bigint NOT NULL,
    code        text COLLATE "C" NOT NULL,
    text        text COLLATE "C" NOT NULL,
    guidance    text COLLATE "C",
    kind        text COLLATE "C" NOT NULL,
    weight      double precision NOT NULL,
    hard        bigint NOT NULL,
    photo       text COLLATE "C" NOT NULL,
    na_allowed  bigint NOT NULL,
    min         double precision,
    max         double precision,
    UNIQUE (standard_id, code)
);

CREATE TABLE audit (
    id          text COLLATE "C" PRIMARY KEY,
    store_code  text COLLATE "C" NOT NULL REFERENCES store(code),
    standard_id text COLLATE "C" NOT NULL REFERENCES standard(id),
    shift_date  text COLLATE "C" NOT NULL,
    shift       text COLLATE "C" NOT NULL,
    auditor     text COLLATE "C" NOT NULL,
    observed    text COLLATE "C",
    status      text COLLATE "C" NOT NULL CHECK (status IN ('completed', 'signed')),
    revision_of text COLLATE "C",                 -- no reference: the original may arrive later
    revision_reason text COLLATE "C",
    device_id   text COLLATE "C" NOT NULL,
    created_at  text COLLATE "C" NOT NULL,
    updated_at  text COLLATE "C" NOT NULL,
    completed_at text COLLATE "C",
    score       double precision,                 -- as the store computed it (PRODUCT.md §5)
    rating      text COLLATE "C",
    failed_hard bigint NOT NULL CHECK (failed_hard IN (0, 1)),
    hard_failures text COLLATE "C" NOT NULL,      -- JSON array of requirement codes
    store_name  text COLLATE "C" NOT NULL,        -- the store's name and region as the audit carried them
    store_region text COLLATE "C",
    record_sha256 text COLLATE "C" NOT NULL,      -- of the whole record as sent: two copies compare by it
    pdf_data    text COLLATE "C" CHECK (pdf_data IN ('matches', 'absent'))  -- signed audits: the PDF's own data
);
CREATE INDEX audit_store_date ON audit(store_code, shift_date);
CREATE INDEX audit_date ON audit(shift_date);
CREATE INDEX audit_standard ON audit(standard_id);

-- A signed audit never changes at HQ.

CREATE TABLE answer (
    id          text COLLATE "C" PRIMARY KEY,
    audit_id    text COLLATE "C" NOT NULL REFERENCES audit(id),
    requirement_id text COLLATE "C" NOT NULL REFERENCES requirement(id),
    code        text COLLATE "C" NOT NULL,
    response    text COLLATE "C",
    value       double precision,
    text        text COLLATE "C",
    note        text COLLATE "C",
    score       double precision,                 -- 0..1 as §5 scores it; NULL when it does not count
    device_id   text COLLATE "C" NOT NULL,
    created_at  text COLLATE "C" NOT NULL,
    updated_at  text COLLATE "C" NOT NULL
);
CREATE INDEX answer_audit ON answer(audit_id);
CREATE INDEX answer_requirement ON answer(requirement_id);

CREATE TABLE photo (
    id          text COLLATE "C" PRIMARY KEY,
    audit_id    text COLLATE "C" NOT NULL REFERENCES audit(id),
    requirement_id text COLLATE "C" NOT NULL REFERENCES requirement(id),
    code        text COLLATE "C" NOT NULL,
    sha256      text COLLATE "C" NOT NULL,
    format      text COLLATE "C" NOT NULL,
    bytes       bigint NOT NULL,
    width       bigint NOT NULL,
    height      bigint NOT NULL,
    file_name   text COLLATE "C" NOT NULL,
    caption     text COLLATE "C" NOT NULL,
    device_id   text COLLATE "C" NOT NULL,
    created_at  text COLLATE "C" NOT NULL,
    updated_at  text COLLATE "C" NOT NULL
);
CREATE INDEX photo_audit ON photo(audit_id);

-- Photo originals HQ holds (files under <hq>-files/photos/), by hash. A photo row whose file
-- has not arrived (an audit imported from its PDF alone) has no row here yet.
CREATE TABLE photo_file (
    sha256      text COLLATE "C" PRIMARY KEY CHECK (length(sha256) = 64),
    format      text COLLATE "C" NOT NULL,
    bytes       bigint NOT NULL
);

CREATE TABLE corrective_action (
    id          text COLLATE "C" PRIMARY KEY,
    audit_id    text COLLATE "C" NOT NULL REFERENCES audit(id),
    requirement_id text COLLATE "C" NOT NULL REFERENCES requirement(id),
    code        text COLLATE "C" NOT NULL,
    what        text COLLATE "C" NOT NULL,
    owner       text COLLATE "C" NOT NULL,
    due         text COLLATE "C" NOT NULL,
    device_id   text COLLATE "C" NOT NULL,
    created_at  text COLLATE "C" NOT NULL,
    updated_at  text COLLATE "C" NOT NULL
);
CREATE INDEX corrective_action_audit ON corrective_action(audit_id);

-- Signed reports; the PDF is kept under <hq>-files/reports/<id>.pdf.
CREATE TABLE report (
    id          text COLLATE "C" PRIMARY KEY,
    audit_id    text COLLATE "C" NOT NULL UNIQUE REFERENCES audit(id),
    signer      text COLLATE "C" NOT NULL,
    signed_at   text COLLATE "C" NOT NULL,
    lang        text COLLATE "C" NOT NULL,
    acknowledged_by text COLLATE "C",
    pdf_sha256  text COLLATE "C" NOT NULL,
    pdf_bytes   bigint NOT NULL
);

-- Every file HQ was given, what it added, what it already had, what it refused and why.
CREATE TABLE import (
    id          text COLLATE "C" PRIMARY KEY,
    file        text COLLATE "C" NOT NULL,
    file_sha256 text COLLATE "C",
    kind        text COLLATE "C" NOT NULL,        -- bundle, database, pdf, unknown
    device_id   text COLLATE "C",
    sequence    bigint,
    imported_at text COLLATE "C" NOT NULL,
    added       bigint NOT NULL,
    already_present bigint NOT NULL,
    refused     text COLLATE "C" NOT NULL         -- JSON [{"what", "reason"}], reasons in English
);
CREATE INDEX import_time ON import(imported_at);

ALTER TABLE audit ADD COLUMN week text COLLATE "C" NOT NULL DEFAULT '';          -- 2026-W47
ALTER TABLE audit ADD COLUMN findings bigint NOT NULL DEFAULT 0;    -- scored answers below 0.5
ALTER TABLE audit ADD COLUMN current bigint NOT NULL DEFAULT 1 CHECK (current IN (0, 1));
-- When HQ took this copy (HQ's clock; for `hq export --since`). Audits held before: their
-- last change at the store.
ALTER TABLE audit ADD COLUMN imported_at text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE answer ADD COLUMN shift_date text COLLATE "C" NOT NULL DEFAULT '';

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
    audit_id    text COLLATE "C" NOT NULL REFERENCES audit(id),
    section_id  text COLLATE "C" NOT NULL REFERENCES section(id),
    score       double precision,
    findings    bigint NOT NULL,
    failed_hard bigint NOT NULL CHECK (failed_hard IN (0, 1)),
    PRIMARY KEY (audit_id, section_id)
);

-- Corrective actions as followed up at the store: the due date now, and when it was done;
-- with their audit's store and standard, and whether their audit counts, so the open ones in
-- any scope are read from one index.
ALTER TABLE corrective_action ADD COLUMN due_now text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE corrective_action ADD COLUMN done_at text COLLATE "C";
ALTER TABLE corrective_action ADD COLUMN store_code text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE corrective_action ADD COLUMN standard_id text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE corrective_action ADD COLUMN counts bigint NOT NULL DEFAULT 1 CHECK (counts IN (0, 1));
CREATE INDEX corrective_action_open ON corrective_action(due_now, store_code, standard_id)
    WHERE done_at IS NULL AND counts = 1;

-- Rollups. `region` is '' for stores without one. Sums, not means: a mean is sum / count.
CREATE TABLE roll_audit (
    day         text COLLATE "C" NOT NULL,
    region      text COLLATE "C" NOT NULL,
    standard_id text COLLATE "C" NOT NULL,
    week        text COLLATE "C" NOT NULL,
    audits      bigint NOT NULL,
    scored      bigint NOT NULL,    -- audits with a score
    score_sum   double precision NOT NULL,
    failed_hard bigint NOT NULL,
    findings    bigint NOT NULL,
    PRIMARY KEY (day, region, standard_id)
);

CREATE TABLE roll_section (
    day         text COLLATE "C" NOT NULL,
    region      text COLLATE "C" NOT NULL,
    section_id  text COLLATE "C" NOT NULL,
    standard_id text COLLATE "C" NOT NULL,
    week        text COLLATE "C" NOT NULL,
    audits      bigint NOT NULL,
    scored      bigint NOT NULL,
    score_sum   double precision NOT NULL,
    failed_hard bigint NOT NULL,
    findings    bigint NOT NULL,
    PRIMARY KEY (day, region, section_id)
);

CREATE TABLE roll_requirement (
    day         text COLLATE "C" NOT NULL,
    region      text COLLATE "C" NOT NULL,
    requirement_id text COLLATE "C" NOT NULL,
    standard_id text COLLATE "C" NOT NULL,
    answered    bigint NOT NULL,    -- answers that count (scored)
    score_sum   double precision NOT NULL,
    failed      bigint NOT NULL,
    PRIMARY KEY (day, region, requirement_id)
);

-- The same by ISO week (`week_start` its Monday), so a long period reads whole weeks here and
-- only its partial weeks' days above; and audits by store and week for stores ranked.
CREATE TABLE roll_section_week (
    week_start  text COLLATE "C" NOT NULL,
    region      text COLLATE "C" NOT NULL,
    section_id  text COLLATE "C" NOT NULL,
    standard_id text COLLATE "C" NOT NULL,
    week        text COLLATE "C" NOT NULL,
    audits      bigint NOT NULL,
    scored      bigint NOT NULL,
    score_sum   double precision NOT NULL,
    failed_hard bigint NOT NULL,
    findings    bigint NOT NULL,
    PRIMARY KEY (week_start, region, section_id)
);

CREATE TABLE roll_requirement_week (
    week_start  text COLLATE "C" NOT NULL,
    region      text COLLATE "C" NOT NULL,
    requirement_id text COLLATE "C" NOT NULL,
    standard_id text COLLATE "C" NOT NULL,
    answered    bigint NOT NULL,
    score_sum   double precision NOT NULL,
    failed      bigint NOT NULL,
    PRIMARY KEY (week_start, region, requirement_id)
);

CREATE TABLE roll_store_week (
    week_start  text COLLATE "C" NOT NULL,
    store_code  text COLLATE "C" NOT NULL,
    standard_id text COLLATE "C" NOT NULL,
    audits      bigint NOT NULL,
    scored      bigint NOT NULL,
    score_sum   double precision NOT NULL,
    failed_hard bigint NOT NULL,
    PRIMARY KEY (week_start, store_code, standard_id)
);

-- The (day, region) keys an import touched; emptied once their rollup rows are recomputed.
-- (A real table, not TEMP, so a reader sees no half-made temp schema; it is empty between
-- transactions.)
CREATE TABLE roll_touched (
    day         text COLLATE "C" NOT NULL,
    region      text COLLATE "C" NOT NULL,
    PRIMARY KEY (day, region)
);

-- A regional manager's review of an audit: HQ's own data, never the signed audit's.
CREATE TABLE review (
    id          text COLLATE "C" PRIMARY KEY,
    audit_id    text COLLATE "C" NOT NULL REFERENCES audit(id),
    reviewer    text COLLATE "C" NOT NULL,
    comment     text COLLATE "C" NOT NULL,
    device_id   text COLLATE "C" NOT NULL,
    created_at  text COLLATE "C" NOT NULL
);
CREATE INDEX review_audit ON review(audit_id, created_at);

-- This HQ workspace's own settings; `device` is the id its own rows (reviews) carry.
CREATE TABLE workspace (
    key         text COLLATE "C" PRIMARY KEY,
    value       text COLLATE "C" NOT NULL
);

-- Follow-ups of corrective actions (done, or due date moved), as the stores made them. No
-- reference to the action: a follow-up may arrive before its audit (bundles come in any order);
-- the action's due date now and when it was done are recomputed from these whenever either
-- arrives (src/import.rs).
CREATE TABLE followup (
    id          text COLLATE "C" PRIMARY KEY,
    action_id   text COLLATE "C" NOT NULL,
    audit_id    text COLLATE "C" NOT NULL,
    kind        text COLLATE "C" NOT NULL CHECK (kind IN ('done', 'rescheduled')),
    on_date     text COLLATE "C" NOT NULL,
    by_whom     text COLLATE "C" NOT NULL,
    note        text COLLATE "C" NOT NULL,
    photo_sha256 text COLLATE "C",
    photo_format text COLLATE "C",
    device_id   text COLLATE "C" NOT NULL,
    created_at  text COLLATE "C" NOT NULL
);
CREATE INDEX followup_action ON followup(action_id, created_at);

-- The chain's certificate authority at HQ: the certificates it issued to auditors, and which
-- it revoked (its key and certificate are files in `<name>-files/ca/`). And the HQ packages
-- made for the stores, numbered so a store never installs an older one over a newer.

CREATE TABLE ca_certificate (
    id            text COLLATE "C" PRIMARY KEY,
    -- The certificate's serial number, hex.
    serial        text COLLATE "C" NOT NULL UNIQUE,
    auditor       text COLLATE "C" NOT NULL,
    store_code    text COLLATE "C" NOT NULL,
    -- SHA-256 of the auditor's public key (SubjectPublicKeyInfo DER), hex.
    key_sha256    text COLLATE "C" NOT NULL,
    not_before    text COLLATE "C" NOT NULL,
    not_after     text COLLATE "C" NOT NULL,
    der           bytea NOT NULL,
    revoked_at    text COLLATE "C",
    revoke_reason text COLLATE "C" CHECK (revoke_reason IN ('key-lost', 'left', 'replaced')),
    device_id     text COLLATE "C" NOT NULL,
    created_at    text COLLATE "C" NOT NULL
);
CREATE INDEX ca_certificate_store ON ca_certificate(store_code, auditor);

CREATE TABLE hq_package (
    id              text COLLATE "C" PRIMARY KEY,
    sequence        bigint NOT NULL UNIQUE CHECK (sequence > 0),
    manifest_sha256 text COLLATE "C" NOT NULL,
    standards       bigint NOT NULL,
    stores          bigint NOT NULL,
    certificates    bigint NOT NULL,
    device_id       text COLLATE "C" NOT NULL,
    created_at      text COLLATE "C" NOT NULL
);

-- A region's heat map is its stores × sections: summed by ISO week (Monday) and store, so a
-- period reads a row per store, week and section instead of every audit's sections. Kept
-- current by each import like the other rollups (src/rollup.rs).
CREATE TABLE roll_store_section_week (
    week_start  text COLLATE "C" NOT NULL,
    store_code  text COLLATE "C" NOT NULL,
    section_id  text COLLATE "C" NOT NULL,
    standard_id text COLLATE "C" NOT NULL,
    audits      bigint NOT NULL,
    scored      bigint NOT NULL,
    score_sum   double precision NOT NULL,
    failed_hard bigint NOT NULL,
    findings    bigint NOT NULL,
    PRIMARY KEY (store_code, week_start, section_id)
);

-- A signed audit never changes at HQ, but for whether it counts (a revision arriving replaces
-- it in the figures, never in its data); a signed report and a follow-up never change.
CREATE TRIGGER audit_signed_locked BEFORE UPDATE OF
    id, store_code, standard_id, shift_date, shift, auditor, observed, status, revision_of,
    revision_reason, device_id, created_at, updated_at, completed_at, score, rating, failed_hard,
    hard_failures, store_name, store_region, record_sha256, pdf_data, week, findings, imported_at
ON audit FOR EACH ROW WHEN (OLD.status = 'signed')
EXECUTE FUNCTION hq_refuse('a signed audit never changes');
CREATE TRIGGER audit_signed_undeletable BEFORE DELETE ON audit
FOR EACH ROW WHEN (OLD.status = 'signed')
EXECUTE FUNCTION hq_refuse('a signed audit never changes');
CREATE TRIGGER report_immutable BEFORE UPDATE OR DELETE ON report
FOR EACH ROW EXECUTE FUNCTION hq_refuse('a signed report never changes');
CREATE TRIGGER followup_immutable BEFORE UPDATE ON followup
FOR EACH ROW EXECUTE FUNCTION hq_refuse('a follow-up never changes');
