-- Store devices enrolled by the chain's CA (SQLite's 0005_enrolment.sql): what each certificate
-- is for, and the devices whose bundles were refused because their key is not enrolled.

ALTER TABLE ca_certificate ADD COLUMN kind text COLLATE "C" NOT NULL DEFAULT 'auditor'
    CHECK (kind IN ('auditor', 'server', 'device'));
ALTER TABLE ca_certificate ADD COLUMN for_device text COLLATE "C";
UPDATE ca_certificate SET kind = 'server' WHERE store_code = '';
CREATE INDEX ca_certificate_key ON ca_certificate(key_sha256);

CREATE TABLE device_waiting (
    key_sha256  text COLLATE "C" PRIMARY KEY,
    device_id   text COLLATE "C" NOT NULL,
    name        text COLLATE "C" NOT NULL,
    public_key  text COLLATE "C" NOT NULL,
    stores      text COLLATE "C" NOT NULL,
    first_at    text COLLATE "C" NOT NULL,
    last_at     text COLLATE "C" NOT NULL,
    attempts    bigint NOT NULL
);
