-- HQ's files in the database itself (a SQLite HQ keeps them in a folder beside its file): photo
-- originals, signed PDFs, the chain's CA, the server's certificate and the packages made, so
-- that servers on several computers share one PostgreSQL and nothing else. Each is named by its
-- path in that folder (photos/ab/<sha256>.jpg, reports/<id>.pdf, ca/ca-key.pem, …).

CREATE TABLE hq_file (
    name        text COLLATE "C" PRIMARY KEY,
    bytes       bytea NOT NULL
);

-- Photos and PDFs are compressed already: stored out of line as they are, never compressed
-- again.
ALTER TABLE hq_file ALTER COLUMN bytes SET STORAGE EXTERNAL;
