-- Online sync: the HQ server this store sends to, and what it answered for each bundle. A
-- bundle is sent until HQ takes it (added or already present) or refuses it; a refused one is
-- not sent again (it would be refused again) but stays listed.
CREATE TABLE hq_server (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    url         TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE sync_push (
    bundle_id       TEXT PRIMARY KEY REFERENCES sync_bundle(id),
    url             TEXT NOT NULL,
    outcome         TEXT NOT NULL CHECK (outcome IN ('taken', 'refused')),
    added           INTEGER NOT NULL,
    already_present INTEGER NOT NULL,
    reason          TEXT,
    device_id       TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
