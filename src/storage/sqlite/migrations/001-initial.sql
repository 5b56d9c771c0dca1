-- Airlock metadata schema, version 1.
-- Conventions: times are epoch milliseconds (INTEGER); JSON columns hold JSON text; ids are
-- time-ordered (ULID). Newest-first listings use (created_at, id) keyset pagination.
-- Runs inside the migration transaction: no BEGIN/COMMIT here.

-- Upstream documents (packuments, simple pages …) cached as blobs.
CREATE TABLE documents (
  repo          TEXT    NOT NULL,
  key           TEXT    NOT NULL,
  blob          TEXT    NOT NULL,
  size          INTEGER NOT NULL CHECK (size >= 0),
  content_type  TEXT    NOT NULL,
  etag          TEXT,
  last_modified TEXT,
  fetched_at    INTEGER NOT NULL,
  PRIMARY KEY (repo, key)
) STRICT;
CREATE INDEX documents_by_blob ON documents (blob);

-- Artifacts that passed integrity checks and were stored.
CREATE TABLE artifacts (
  repo      TEXT    NOT NULL,
  purl      TEXT    NOT NULL,
  filename  TEXT    NOT NULL,
  ecosystem TEXT    NOT NULL,
  name      TEXT    NOT NULL,
  version   TEXT    NOT NULL,
  blob      TEXT    NOT NULL,
  size      INTEGER NOT NULL CHECK (size >= 0),
  sha512    TEXT    NOT NULL,
  sha1      TEXT    NOT NULL,
  stored_at INTEGER NOT NULL,
  PRIMARY KEY (repo, purl, filename)
) STRICT;
CREATE INDEX artifacts_by_blob ON artifacts (blob);
CREATE INDEX artifacts_by_package ON artifacts (ecosystem, name, version);

-- Every policy decision, with the facts it saw.
CREATE TABLE decisions (
  id          TEXT    PRIMARY KEY,
  repo        TEXT    NOT NULL,
  purl        TEXT    NOT NULL,
  phase       TEXT    NOT NULL,
  verdict     TEXT    NOT NULL,
  reasons     TEXT    NOT NULL,
  warnings    TEXT    NOT NULL,
  policy_hash TEXT    NOT NULL,
  facts       TEXT    NOT NULL,
  request     TEXT,
  created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX decisions_by_time ON decisions (created_at, id);
CREATE INDEX decisions_by_purl ON decisions (purl, created_at, id);

-- Quarantine records: quarantined → released | rejected (released → rejected).
CREATE TABLE quarantine (
  id              TEXT    PRIMARY KEY,
  repo            TEXT    NOT NULL,
  purl            TEXT    NOT NULL,
  ecosystem       TEXT    NOT NULL,
  name            TEXT    NOT NULL,
  version         TEXT    NOT NULL,
  state           TEXT    NOT NULL CHECK (state IN ('quarantined', 'released', 'rejected')),
  reasons         TEXT    NOT NULL,
  facts           TEXT    NOT NULL,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  decided_by      TEXT,
  decided_at      INTEGER,
  decision_reason TEXT,
  expires_at      INTEGER
) STRICT;
-- At most one open record per (repo, purl): repeated requests find the same record.
CREATE UNIQUE INDEX quarantine_one_open ON quarantine (repo, purl) WHERE state = 'quarantined';
CREATE INDEX quarantine_by_purl ON quarantine (purl, repo, created_at, id);
CREATE INDEX quarantine_by_state ON quarantine (state, created_at, id);
CREATE INDEX quarantine_by_time ON quarantine (created_at, id);

-- Time-boxed exceptions to policy.
CREATE TABLE exceptions (
  id         TEXT    PRIMARY KEY,
  ecosystem  TEXT    NOT NULL,
  name       TEXT    NOT NULL,
  version    TEXT,
  rules      TEXT    NOT NULL,
  reason     TEXT    NOT NULL,
  created_by TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER
) STRICT;
CREATE INDEX exceptions_by_package ON exceptions (ecosystem, name);
CREATE INDEX exceptions_by_time ON exceptions (created_at, id);

-- The audit trail: append-only, hash-chained (hash = sha256(prev_hash, canonical event)).
CREATE TABLE audit_events (
  seq       INTEGER PRIMARY KEY CHECK (seq >= 1),
  at        INTEGER NOT NULL,
  actor     TEXT    NOT NULL,
  action    TEXT    NOT NULL,
  subject   TEXT    NOT NULL,
  details   TEXT    NOT NULL,
  prev_hash TEXT    NOT NULL CHECK (length(prev_hash) = 64),
  hash      TEXT    NOT NULL UNIQUE CHECK (length(hash) = 64)
) STRICT;
CREATE INDEX audit_events_by_subject ON audit_events (subject, seq);

-- Each new event must extend the chain: next seq, linked to the current head.
CREATE TRIGGER audit_events_extend_chain BEFORE INSERT ON audit_events
WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_events)
  OR NEW.prev_hash IS NOT COALESCE(
       (SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1),
       '0000000000000000000000000000000000000000000000000000000000000000')
BEGIN
  SELECT RAISE(ABORT, 'audit_events: an event must extend the chain head');
END;

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END;

-- API tokens, stored as sha256 of the secret.
CREATE TABLE tokens (
  id         TEXT    PRIMARY KEY,
  hash       TEXT    NOT NULL UNIQUE,
  role       TEXT    NOT NULL,
  label      TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked_at INTEGER
) STRICT;
