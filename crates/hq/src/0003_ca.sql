-- The chain's certificate authority at HQ: the certificates it issued to auditors, and which
-- it revoked (its key and certificate are files in `<name>-files/ca/`). And the HQ packages
-- made for the stores, numbered so a store never installs an older one over a newer.

CREATE TABLE ca_certificate (
    id            TEXT PRIMARY KEY,
    -- The certificate's serial number, hex.
    serial        TEXT NOT NULL UNIQUE,
    auditor       TEXT NOT NULL,
    store_code    TEXT NOT NULL,
    -- SHA-256 of the auditor's public key (SubjectPublicKeyInfo DER), hex.
    key_sha256    TEXT NOT NULL,
    not_before    TEXT NOT NULL,
    not_after     TEXT NOT NULL,
    der           BLOB NOT NULL,
    revoked_at    TEXT,
    revoke_reason TEXT CHECK (revoke_reason IN ('key-lost', 'left', 'replaced')),
    device_id     TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX ca_certificate_store ON ca_certificate(store_code, auditor);

CREATE TABLE hq_package (
    id              TEXT PRIMARY KEY,
    sequence        INTEGER NOT NULL UNIQUE CHECK (sequence > 0),
    manifest_sha256 TEXT NOT NULL,
    standards       INTEGER NOT NULL,
    stores          INTEGER NOT NULL,
    certificates    INTEGER NOT NULL,
    device_id       TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
