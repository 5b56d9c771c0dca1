-- Blob upload sessions in progress (an oci push: POST, PATCH …, PUT ?digest=), in the store so
-- that any gateway sharing it can take an upload's next request. Each chunk received is a blob of
-- its own; `parts` lists them in order (JSON text of an array of {blob, size}) and the blob sweep
-- keeps them. `rev` counts the writes: a chunk is appended by compare-and-swap, so two chunks
-- racing for the same offset cannot both be.
CREATE TABLE upload_sessions (
  id         text        NOT NULL PRIMARY KEY,
  repo       text        NOT NULL,
  name       text        NOT NULL,
  rev        bigint      NOT NULL CHECK (rev >= 1),
  parts      text        NOT NULL,
  started_at timestamptz NOT NULL,
  touched_at timestamptz NOT NULL
);
CREATE INDEX upload_sessions_by_repo ON upload_sessions (repo);
