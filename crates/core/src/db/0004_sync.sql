-- Sync bundles this database wrote, and which audit (at which last change) each carried.
--
-- sync_bundle: one row per bundle, numbered 1, 2, … for this device; the manifest's hash is
-- the next bundle's `previous`. A row is written only after its file is whole on disk.
-- sync_sent: an audit is "not yet sent" while no bundle carried it at its current updated_at
-- (a reopened and completed-again audit, or one signed since, is sent again). Nothing here
-- ever hides or deletes an audit.

CREATE TABLE sync_bundle (
    id              TEXT PRIMARY KEY,
    sequence        INTEGER NOT NULL UNIQUE CHECK (sequence > 0),
    file_name       TEXT NOT NULL,
    folder          TEXT NOT NULL,
    manifest_sha256 TEXT NOT NULL CHECK (length(manifest_sha256) = 64),
    audits          INTEGER NOT NULL,
    photos          INTEGER NOT NULL,
    bytes           INTEGER NOT NULL,
    device_id       TEXT NOT NULL,
    created_at      TEXT NOT NULL
);

CREATE TABLE sync_sent (
    audit_id         TEXT NOT NULL,
    bundle_id        TEXT NOT NULL REFERENCES sync_bundle(id),
    audit_updated_at TEXT NOT NULL,
    PRIMARY KEY (audit_id, bundle_id)
);
CREATE INDEX sync_sent_audit ON sync_sent(audit_id, audit_updated_at);

CREATE TRIGGER sync_bundle_immutable BEFORE UPDATE ON sync_bundle
BEGIN SELECT RAISE(ABORT, 'a sent bundle never changes'); END;
