-- Packages published to hosted repositories (`npm publish` into Airlock). Unlike a cached
-- document, the row is the only copy: the package's registry document is kept here as text, with
-- the files it lists (`files`: JSON of file name → {blob, size}). `rev` counts the writes (1 for
-- the first); a write names the revision it follows and is refused when another came first
-- (compare-and-swap), so concurrent publishes of one package never lose each other's versions.
CREATE TABLE hosted_packages (
  repo       text        NOT NULL,
  ecosystem  text        NOT NULL,
  name       text        NOT NULL,
  rev        bigint      NOT NULL CHECK (rev >= 1),
  document   text        NOT NULL,
  files      text        NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (repo, name)
);
-- Names are listed in code-point order, as SQLite sorts them.
CREATE INDEX hosted_packages_by_name ON hosted_packages (ecosystem, name COLLATE "C");

-- Each blob a hosted package's files name, once per package, rewritten with the package in the
-- same transaction: the blob-store sweep keeps every one (the only copy of a published file).
CREATE TABLE hosted_blobs (
  repo text NOT NULL,
  name text NOT NULL,
  blob text NOT NULL,
  PRIMARY KEY (repo, name, blob),
  FOREIGN KEY (repo, name) REFERENCES hosted_packages (repo, name) ON DELETE CASCADE
);
CREATE INDEX hosted_blobs_by_blob ON hosted_blobs (blob);
