-- What happened to a corrective action after its audit was signed: done (when, by whom, a note,
-- optionally a photo as proof) or its due date moved, with the reason. Follow-ups are records
-- of their own: the signed audit and its actions never change, and an action's state is its
-- follow-ups read in order. They travel to HQ in bundles like audits.

CREATE TABLE action_followup (
    id          TEXT PRIMARY KEY,
    action_id   TEXT NOT NULL REFERENCES corrective_action(id),
    audit_id    TEXT NOT NULL REFERENCES audit(id),
    kind        TEXT NOT NULL CHECK (kind IN ('done', 'rescheduled')),
    -- done: the day it was done; rescheduled: the new due date (YYYY-MM-DD).
    on_date     TEXT NOT NULL,
    by_whom     TEXT NOT NULL,
    -- done: a note (may be empty); rescheduled: the reason (required).
    note        TEXT NOT NULL,
    -- A photo as proof: its original in the photo store, by hash.
    photo_sha256 TEXT,
    photo_format TEXT,
    device_id   TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX action_followup_action ON action_followup(action_id, created_at);

-- Only a signed audit's actions are followed up (before, the action itself is edited).
CREATE TRIGGER action_followup_signed_only BEFORE INSERT ON action_followup
WHEN (SELECT status FROM audit WHERE id = NEW.audit_id) <> 'signed'
BEGIN SELECT RAISE(ABORT, 'follow-ups are for signed audits'); END;
CREATE TRIGGER action_followup_immutable BEFORE UPDATE ON action_followup
BEGIN SELECT RAISE(ABORT, 'a follow-up never changes'); END;
CREATE TRIGGER action_followup_undeletable BEFORE DELETE ON action_followup
BEGIN SELECT RAISE(ABORT, 'a follow-up never changes'); END;

-- Which bundle carried each follow-up (each is sent once).
CREATE TABLE sync_followup_sent (
    followup_id TEXT PRIMARY KEY REFERENCES action_followup(id),
    bundle_id   TEXT NOT NULL REFERENCES sync_bundle(id)
);
