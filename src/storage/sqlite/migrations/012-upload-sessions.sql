-- Blob upload sessions in progress (an oci push: POST, PATCH …, PUT ?digest=), in the store so
-- that any gateway sharing it can take an upload's next request. Each chunk received is a blob of
-- its own; `parts` lists them in order (JSON array of {blob, size}) and the blob sweep keeps them.
-- `rev` counts the writes: a chunk is appended by compare-and-swap, so two chunks racing for the
-- same offset cannot both be. Times in epoch milliseconds.
CREATE TABLE upload_sessions (
  id         TEXT    NOT NULL PRIMARY KEY,
  repo       TEXT    NOT NULL,
  name       TEXT    NOT NULL,
  rev        INTEGER NOT NULL CHECK (rev >= 1),
  parts      TEXT    NOT NULL,
  started_at INTEGER NOT NULL,
  touched_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX upload_sessions_by_repo ON upload_sessions (repo);
