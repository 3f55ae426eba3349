-- Store devices enrolled by the chain's CA. Once HQ has a CA, a bundle is taken only from a
-- device whose signing key a certificate of the CA is for (not revoked, not expired); the
-- bundles refused because it was not are remembered by key, so HQ sees who is waiting.

-- What a certificate of the CA is for: an auditor's signing key, HQ's server, or a store
-- device's bundle-signing key. `for_device` is the store device a device certificate enrols.
ALTER TABLE ca_certificate ADD COLUMN kind TEXT NOT NULL DEFAULT 'auditor'
    CHECK (kind IN ('auditor', 'server', 'device'));
ALTER TABLE ca_certificate ADD COLUMN for_device TEXT;
UPDATE ca_certificate SET kind = 'server' WHERE store_code = '';
CREATE INDEX ca_certificate_key ON ca_certificate(key_sha256);

-- Devices whose bundles were refused because their key is not enrolled: one row per key,
-- with the store codes its bundles named (JSON array, sorted) and when it last tried.
CREATE TABLE device_waiting (
    key_sha256  TEXT PRIMARY KEY,
    device_id   TEXT NOT NULL,
    name        TEXT NOT NULL,
    public_key  TEXT NOT NULL,            -- SubjectPublicKeyInfo PEM
    stores      TEXT NOT NULL,
    first_at    TEXT NOT NULL,
    last_at     TEXT NOT NULL,
    attempts    INTEGER NOT NULL
);
