-- Signed reports: one per signed audit. The signed PDF itself lives beside the database
-- (reports/<id>.pdf), written and flushed before this row commits; pdf_sha256 names its bytes.
CREATE TABLE report (
    id              TEXT PRIMARY KEY,          -- the report id printed in every footer
    audit_id        TEXT NOT NULL UNIQUE REFERENCES audit(id),
    signer          TEXT NOT NULL,
    signed_at       TEXT NOT NULL,
    certificate     TEXT NOT NULL,             -- the signer's X.509 certificate, PEM
    lang            TEXT NOT NULL CHECK (lang IN ('en', 'ru')),
    acknowledged_by TEXT,
    signature_png   BLOB,
    acknowledgement_png BLOB,
    pdf_sha256      TEXT NOT NULL CHECK (length(pdf_sha256) = 64),
    pdf_bytes       INTEGER NOT NULL,
    device_id       TEXT NOT NULL,
    created_at      TEXT NOT NULL
);

CREATE TRIGGER report_immutable BEFORE UPDATE ON report
BEGIN SELECT RAISE(ABORT, 'a signed report never changes'); END;
CREATE TRIGGER report_undeletable BEFORE DELETE ON report
BEGIN SELECT RAISE(ABORT, 'a signed report is never deleted'); END;

-- Only a completed audit can be signed, and only with its report row in the same transaction.
CREATE TRIGGER audit_signed_needs_report BEFORE UPDATE OF status ON audit
WHEN NEW.status = 'signed' AND (OLD.status <> 'completed' OR NOT EXISTS (SELECT 1 FROM report WHERE audit_id = NEW.id))
BEGIN SELECT RAISE(ABORT, 'only a completed audit with its signed report can be marked signed'); END;
