-- The HQ server's address may come from the HQ package (which carries it since HQ gives it):
-- `from_package` marks an address a package set, so a later package may change it, while an
-- address the person typed stays until they type another.
ALTER TABLE hq_server ADD COLUMN from_package INTEGER NOT NULL DEFAULT 0;
