-- StoreCheck HQ schema 1: every store's completed and signed audits, each exactly once, with
-- the standards they use, the stores by their chain-wide code, and a log of every file
-- imported. Rows keep the ids, devices and times the stores gave them.

-- A store laptop HQ has heard from, and the key its bundles are signed with.
CREATE TABLE device (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    key_id      TEXT,                 -- SHA-256 of the public key's DER; NULL until a bundle
    public_key  TEXT                  -- SubjectPublicKeyInfo PEM
);

-- Every bundle imported, by the hash of its manifest.
CREATE TABLE bundle (
    manifest_sha256 TEXT PRIMARY KEY CHECK (length(manifest_sha256) = 64),
    device_id   TEXT NOT NULL REFERENCES device(id),
    sequence    INTEGER NOT NULL CHECK (sequence > 0),
    previous    TEXT,
    created_at  TEXT NOT NULL,
    audits      INTEGER NOT NULL
);
CREATE INDEX bundle_sequence ON bundle(device_id, sequence);

-- Stores by code. HQ's own name and region win; until HQ names a store, the newest name a
-- store's audits carried (by the audit's last change, so the order of imports does not matter).
CREATE TABLE store (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    region      TEXT,
    named_by_hq INTEGER NOT NULL DEFAULT 0 CHECK (named_by_hq IN (0, 1)),
    as_of       TEXT NOT NULL
);

CREATE TABLE standard (
    id          TEXT PRIMARY KEY,     -- derived from code, version and content
    code        TEXT NOT NULL,
    version     TEXT NOT NULL,
    title       TEXT NOT NULL,
    language    TEXT NOT NULL,
    ratings     TEXT NOT NULL,        -- JSON [{"name", "min"}]
    content_sha256 TEXT NOT NULL
);
CREATE INDEX standard_code ON standard(code, version);

CREATE TABLE section (
    id          TEXT PRIMARY KEY,
    standard_id TEXT NOT NULL REFERENCES standard(id),
    position    INTEGER NOT NULL,
    title       TEXT NOT NULL,
    UNIQUE (standard_id, position)
);

CREATE TABLE requirement (
    id          TEXT PRIMARY KEY,
    standard_id TEXT NOT NULL REFERENCES standard(id),
    section_id  TEXT NOT NULL REFERENCES section(id),
    position    INTEGER NOT NULL,
    code        TEXT NOT NULL,
    text        TEXT NOT NULL,
    guidance    TEXT,
    kind        TEXT NOT NULL,
    weight      REAL NOT NULL,
    hard        INTEGER NOT NULL,
    photo       TEXT NOT NULL,
    na_allowed  INTEGER NOT NULL,
    min         REAL,
    max         REAL,
    UNIQUE (standard_id, code)
);

CREATE TABLE audit (
    id          TEXT PRIMARY KEY,
    store_code  TEXT NOT NULL REFERENCES store(code),
    standard_id TEXT NOT NULL REFERENCES standard(id),
    shift_date  TEXT NOT NULL,
    shift       TEXT NOT NULL,
    auditor     TEXT NOT NULL,
    observed    TEXT,
    status      TEXT NOT NULL CHECK (status IN ('completed', 'signed')),
    revision_of TEXT,                 -- no reference: the original may arrive later
    revision_reason TEXT,
    device_id   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    completed_at TEXT,
    score       REAL,                 -- as the store computed it (PRODUCT.md §5)
    rating      TEXT,
    failed_hard INTEGER NOT NULL CHECK (failed_hard IN (0, 1)),
    hard_failures TEXT NOT NULL,      -- JSON array of requirement codes
    store_name  TEXT NOT NULL,        -- the store's name and region as the audit carried them
    store_region TEXT,
    record_sha256 TEXT NOT NULL,      -- of the whole record as sent: two copies compare by it
    pdf_data    TEXT CHECK (pdf_data IN ('matches', 'absent'))  -- signed audits: the PDF's own data
);
CREATE INDEX audit_store_date ON audit(store_code, shift_date);
CREATE INDEX audit_date ON audit(shift_date);
CREATE INDEX audit_standard ON audit(standard_id);

-- A signed audit never changes at HQ.
CREATE TRIGGER audit_signed_locked BEFORE UPDATE ON audit
WHEN OLD.status = 'signed'
BEGIN SELECT RAISE(ABORT, 'a signed audit never changes'); END;
CREATE TRIGGER audit_signed_undeletable BEFORE DELETE ON audit
WHEN OLD.status = 'signed'
BEGIN SELECT RAISE(ABORT, 'a signed audit never changes'); END;

CREATE TABLE answer (
    id          TEXT PRIMARY KEY,
    audit_id    TEXT NOT NULL REFERENCES audit(id),
    requirement_id TEXT NOT NULL REFERENCES requirement(id),
    code        TEXT NOT NULL,
    response    TEXT,
    value       REAL,
    text        TEXT,
    note        TEXT,
    score       REAL,                 -- 0..1 as §5 scores it; NULL when it does not count
    device_id   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX answer_audit ON answer(audit_id);
CREATE INDEX answer_requirement ON answer(requirement_id);

CREATE TABLE photo (
    id          TEXT PRIMARY KEY,
    audit_id    TEXT NOT NULL REFERENCES audit(id),
    requirement_id TEXT NOT NULL REFERENCES requirement(id),
    code        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    format      TEXT NOT NULL,
    bytes       INTEGER NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    file_name   TEXT NOT NULL,
    caption     TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX photo_audit ON photo(audit_id);

-- Photo originals HQ holds (files under <hq>-files/photos/), by hash. A photo row whose file
-- has not arrived (an audit imported from its PDF alone) has no row here yet.
CREATE TABLE photo_file (
    sha256      TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    format      TEXT NOT NULL,
    bytes       INTEGER NOT NULL
);

CREATE TABLE corrective_action (
    id          TEXT PRIMARY KEY,
    audit_id    TEXT NOT NULL REFERENCES audit(id),
    requirement_id TEXT NOT NULL REFERENCES requirement(id),
    code        TEXT NOT NULL,
    what        TEXT NOT NULL,
    owner       TEXT NOT NULL,
    due         TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX corrective_action_audit ON corrective_action(audit_id);

-- Signed reports; the PDF is kept under <hq>-files/reports/<id>.pdf.
CREATE TABLE report (
    id          TEXT PRIMARY KEY,
    audit_id    TEXT NOT NULL UNIQUE REFERENCES audit(id),
    signer      TEXT NOT NULL,
    signed_at   TEXT NOT NULL,
    lang        TEXT NOT NULL,
    acknowledged_by TEXT,
    pdf_sha256  TEXT NOT NULL,
    pdf_bytes   INTEGER NOT NULL
);
CREATE TRIGGER report_immutable BEFORE UPDATE ON report
BEGIN SELECT RAISE(ABORT, 'a signed report never changes'); END;
CREATE TRIGGER report_undeletable BEFORE DELETE ON report
BEGIN SELECT RAISE(ABORT, 'a signed report never changes'); END;

-- Every file HQ was given, what it added, what it already had, what it refused and why.
CREATE TABLE import (
    id          TEXT PRIMARY KEY,
    file        TEXT NOT NULL,
    file_sha256 TEXT,
    kind        TEXT NOT NULL,        -- bundle, database, pdf, unknown
    device_id   TEXT,
    sequence    INTEGER,
    imported_at TEXT NOT NULL,
    added       INTEGER NOT NULL,
    already_present INTEGER NOT NULL,
    refused     TEXT NOT NULL         -- JSON [{"what", "reason"}], reasons in English
);
CREATE INDEX import_time ON import(imported_at);
