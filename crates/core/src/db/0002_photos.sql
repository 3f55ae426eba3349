-- Photos attached to requirements of audits.
--
-- photo_file: one row per distinct original, named by its SHA-256; the original, the display
-- copy and the thumbnail live as files beside the database (photos/ab/<sha256>.*). Append-only.
-- photo: one attachment of a file to a requirement of an audit, with its caption.

CREATE TABLE photo_file (
    sha256         TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    format         TEXT NOT NULL CHECK (format IN ('jpeg', 'png', 'webp')),
    bytes          INTEGER NOT NULL CHECK (bytes > 0),
    width          INTEGER NOT NULL,   -- the original, after EXIF orientation
    height         INTEGER NOT NULL,
    display_width  INTEGER NOT NULL,
    display_height INTEGER NOT NULL,
    display_bytes  INTEGER NOT NULL,
    thumb_width    INTEGER NOT NULL,
    thumb_height   INTEGER NOT NULL,
    thumb_bytes    INTEGER NOT NULL,
    device_id      TEXT NOT NULL,
    created_at     TEXT NOT NULL
);

CREATE TRIGGER photo_file_immutable BEFORE UPDATE ON photo_file
BEGIN SELECT RAISE(ABORT, 'photo files never change'); END;
CREATE TRIGGER photo_file_undeletable BEFORE DELETE ON photo_file
BEGIN SELECT RAISE(ABORT, 'photo files are never deleted'); END;

CREATE TABLE photo (
    id             TEXT PRIMARY KEY,
    audit_id       TEXT NOT NULL REFERENCES audit(id),
    requirement_id TEXT NOT NULL REFERENCES requirement(id),
    sha256         TEXT NOT NULL REFERENCES photo_file(sha256),
    file_name      TEXT NOT NULL,
    caption        TEXT NOT NULL DEFAULT '',
    device_id      TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (audit_id, requirement_id, sha256)
);
CREATE INDEX photo_audit ON photo(audit_id, requirement_id);

-- Photos are attached, captioned and removed only while their audit is a draft.
CREATE TRIGGER photo_insert_draft_only BEFORE INSERT ON photo
WHEN (SELECT status FROM audit WHERE id = NEW.audit_id) <> 'draft'
BEGIN SELECT RAISE(ABORT, 'audit is not a draft'); END;
CREATE TRIGGER photo_update_draft_only BEFORE UPDATE ON photo
WHEN (SELECT status FROM audit WHERE id = OLD.audit_id) <> 'draft'
BEGIN SELECT RAISE(ABORT, 'audit is not a draft'); END;
CREATE TRIGGER photo_delete_draft_only BEFORE DELETE ON photo
WHEN (SELECT status FROM audit WHERE id = OLD.audit_id) <> 'draft'
BEGIN SELECT RAISE(ABORT, 'audit is not a draft'); END;
