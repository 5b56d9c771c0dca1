-- The sha512 of the first bytes Airlock stored for an artifact file. A put that replaces the
-- bytes keeps it, so the gate can tell that an upstream replaced a version's artifact (the npm
-- registry never lets a published version's tarball change). Rows from before start as their own.
ALTER TABLE artifacts ADD COLUMN first_sha512 TEXT;
UPDATE artifacts SET first_sha512 = sha512;
