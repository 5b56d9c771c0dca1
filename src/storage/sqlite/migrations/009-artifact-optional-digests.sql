-- sha512 and sha1 become optional: null when Airlock did not compute them, for an artifact verified
-- by its sha256 alone (Hugging Face files, OCI blobs), which hashes its bytes once instead of three
-- times. npm keeps computing both (its integrity, shasum and the replaced-tarball check need them).
-- first_sha512 (migration 004) was nullable already: it stays null when the first put had none.
-- SQLite cannot drop NOT NULL in place: the table is rebuilt with the same columns (those of 001,
-- first_sha512 of 004, used_at of 005), its rows copied, and its indexes made again.
CREATE TABLE artifacts_009 (
  repo         TEXT    NOT NULL,
  purl         TEXT    NOT NULL,
  filename     TEXT    NOT NULL,
  ecosystem    TEXT    NOT NULL,
  name         TEXT    NOT NULL,
  version      TEXT    NOT NULL,
  blob         TEXT    NOT NULL,
  size         INTEGER NOT NULL CHECK (size >= 0),
  sha512       TEXT,
  sha1         TEXT,
  stored_at    INTEGER NOT NULL,
  first_sha512 TEXT,
  used_at      INTEGER,
  PRIMARY KEY (repo, purl, filename)
) STRICT;
INSERT INTO artifacts_009 (repo, purl, filename, ecosystem, name, version, blob, size, sha512, sha1, stored_at, first_sha512, used_at)
  SELECT repo, purl, filename, ecosystem, name, version, blob, size, sha512, sha1, stored_at, first_sha512, used_at FROM artifacts;
DROP TABLE artifacts;
ALTER TABLE artifacts_009 RENAME TO artifacts;
CREATE INDEX artifacts_by_blob ON artifacts (blob);
CREATE INDEX artifacts_by_package ON artifacts (ecosystem, name, version);
