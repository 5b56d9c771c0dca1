-- When an artifact's bytes were last used: stored, or downloaded by a client (recorded in batches,
-- at most about once an hour per blob). A sweep with an artifact retention removes the bytes of
-- artifacts unused for longer; the record stays, and the next download fetches and verifies them
-- again. Rows from before start as used when they were stored.
ALTER TABLE artifacts ADD COLUMN used_at timestamptz;
UPDATE artifacts SET used_at = stored_at;
