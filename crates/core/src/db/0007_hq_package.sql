-- HQ packages installed at this store: what HQ sent (standards, the store directory, the
-- auditors' certificates, the revocation list), signed by the chain's CA. The first package
-- pins the CA: every later one must be signed by the same one, and be newer.
CREATE TABLE hq_package (
    id              TEXT PRIMARY KEY,
    sequence        INTEGER NOT NULL UNIQUE CHECK (sequence > 0),
    manifest_sha256 TEXT NOT NULL UNIQUE,
    chain           TEXT NOT NULL,
    -- SHA-256 of the CA certificate's DER, lowercase hex.
    ca_sha256       TEXT NOT NULL,
    ca_der          BLOB NOT NULL,
    -- The CA's revocation list as it came in this package (X.509 CRL, DER).
    crl_der         BLOB NOT NULL,
    -- When HQ made it (RFC 3339).
    made_at         TEXT NOT NULL,
    standards       INTEGER NOT NULL,
    stores          INTEGER NOT NULL,
    device_id       TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE TRIGGER hq_package_immutable BEFORE UPDATE ON hq_package
BEGIN SELECT RAISE(ABORT, 'an installed HQ package never changes'); END;
