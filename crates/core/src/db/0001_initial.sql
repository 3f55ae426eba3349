-- StoreCheck schema 1. Every row carries a UUID v7, the device that made it and its times,
-- so that sync can merge databases without rewriting ids. Times are RFC 3339 UTC text.

CREATE TABLE device (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    is_self     INTEGER NOT NULL DEFAULT 0 CHECK (is_self IN (0, 1)),
    created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX device_self ON device(is_self) WHERE is_self = 1;

CREATE TABLE standard (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL,
    version     TEXT NOT NULL,
    title       TEXT NOT NULL,
    language    TEXT NOT NULL,
    ratings     TEXT NOT NULL,          -- JSON [{"name", "min"}]
    content_sha256 TEXT NOT NULL,       -- of the normalised content: identical re-imports are no-ops
    device_id   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (code, version)
);

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
    kind        TEXT NOT NULL CHECK (kind IN ('check', 'scale', 'number', 'text')),
    weight      REAL NOT NULL CHECK (weight > 0),
    hard        INTEGER NOT NULL CHECK (hard IN (0, 1)),
    photo       TEXT NOT NULL CHECK (photo IN ('none', 'optional', 'required', 'required-on-fail')),
    na_allowed  INTEGER NOT NULL CHECK (na_allowed IN (0, 1)),
    min         REAL,
    max         REAL,
    UNIQUE (standard_id, code)
);
CREATE INDEX requirement_section ON requirement(section_id, position);

-- Published standards never change.
CREATE TRIGGER standard_immutable BEFORE UPDATE ON standard
BEGIN SELECT RAISE(ABORT, 'standard versions are immutable'); END;
CREATE TRIGGER section_immutable BEFORE UPDATE ON section
BEGIN SELECT RAISE(ABORT, 'standard versions are immutable'); END;
CREATE TRIGGER requirement_immutable BEFORE UPDATE ON requirement
BEGIN SELECT RAISE(ABORT, 'standard versions are immutable'); END;

CREATE TABLE store (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    region      TEXT,
    device_id   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE audit (
    id          TEXT PRIMARY KEY,
    store_id    TEXT NOT NULL REFERENCES store(id),
    standard_id TEXT NOT NULL REFERENCES standard(id),
    shift_date  TEXT NOT NULL,
    shift       TEXT NOT NULL CHECK (shift IN ('opening', 'day', 'evening', 'closing')),
    auditor     TEXT NOT NULL,
    observed    TEXT,
    status      TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'completed', 'signed')),
    revision_of TEXT REFERENCES audit(id),
    revision_reason TEXT,
    device_id   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    completed_at TEXT
);
CREATE INDEX audit_store ON audit(store_id, shift_date);
CREATE INDEX audit_updated ON audit(updated_at);

-- A signed audit is locked for good, whatever program writes to the file.
CREATE TRIGGER audit_signed_locked BEFORE UPDATE ON audit
WHEN OLD.status = 'signed'
BEGIN SELECT RAISE(ABORT, 'audit is signed and locked'); END;
CREATE TRIGGER audit_signed_undeletable BEFORE DELETE ON audit
WHEN OLD.status = 'signed'
BEGIN SELECT RAISE(ABORT, 'audit is signed and locked'); END;

CREATE TABLE answer (
    id          TEXT PRIMARY KEY,
    audit_id    TEXT NOT NULL REFERENCES audit(id),
    requirement_id TEXT NOT NULL REFERENCES requirement(id),
    response    TEXT CHECK (response IN ('pass', 'fail', 'na', 'value', 'text')), -- NULL: a note, no answer yet
    value       REAL,
    text        TEXT,
    note        TEXT,
    device_id   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (audit_id, requirement_id)
);

-- Answers change only while their audit is a draft.
CREATE TRIGGER answer_insert_draft_only BEFORE INSERT ON answer
WHEN (SELECT status FROM audit WHERE id = NEW.audit_id) <> 'draft'
BEGIN SELECT RAISE(ABORT, 'audit is not a draft'); END;
CREATE TRIGGER answer_update_draft_only BEFORE UPDATE ON answer
WHEN (SELECT status FROM audit WHERE id = OLD.audit_id) <> 'draft'
BEGIN SELECT RAISE(ABORT, 'audit is not a draft'); END;
CREATE TRIGGER answer_delete_draft_only BEFORE DELETE ON answer
WHEN (SELECT status FROM audit WHERE id = OLD.audit_id) <> 'draft'
BEGIN SELECT RAISE(ABORT, 'audit is not a draft'); END;

CREATE TABLE corrective_action (
    id          TEXT PRIMARY KEY,
    audit_id    TEXT NOT NULL REFERENCES audit(id),
    requirement_id TEXT NOT NULL REFERENCES requirement(id),
    what        TEXT NOT NULL,
    owner       TEXT NOT NULL,
    due         TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX corrective_action_audit ON corrective_action(audit_id);

-- Corrective actions are part of the signed report: locked with it.
CREATE TRIGGER action_insert_unsigned_only BEFORE INSERT ON corrective_action
WHEN (SELECT status FROM audit WHERE id = NEW.audit_id) = 'signed'
BEGIN SELECT RAISE(ABORT, 'audit is signed and locked'); END;
CREATE TRIGGER action_update_unsigned_only BEFORE UPDATE ON corrective_action
WHEN (SELECT status FROM audit WHERE id = OLD.audit_id) = 'signed'
BEGIN SELECT RAISE(ABORT, 'audit is signed and locked'); END;
CREATE TRIGGER action_delete_unsigned_only BEFORE DELETE ON corrective_action
WHEN (SELECT status FROM audit WHERE id = OLD.audit_id) = 'signed'
BEGIN SELECT RAISE(ABORT, 'audit is signed and locked'); END;
