-- Airlock metadata schema for PostgreSQL, version 1 (the same model as the SQLite driver).
-- Conventions: times are timestamptz (written with millisecond precision); JSON columns hold
-- JSON text verbatim; ids are time-ordered (ULID). Runs inside the migration transaction,
-- with search_path set to Airlock's schema.

CREATE TABLE documents (
  repo          text        NOT NULL,
  key           text        NOT NULL,
  blob          text        NOT NULL,
  size          bigint      NOT NULL CHECK (size >= 0),
  content_type  text        NOT NULL,
  etag          text,
  last_modified text,
  fetched_at    timestamptz NOT NULL,
  PRIMARY KEY (repo, key)
);
CREATE INDEX documents_by_blob ON documents (blob);

CREATE TABLE artifacts (
  repo      text        NOT NULL,
  purl      text        NOT NULL,
  filename  text        NOT NULL,
  ecosystem text        NOT NULL,
  name      text        NOT NULL,
  version   text        NOT NULL,
  blob      text        NOT NULL,
  size      bigint      NOT NULL CHECK (size >= 0),
  sha512    text        NOT NULL,
  sha1      text        NOT NULL,
  stored_at timestamptz NOT NULL,
  PRIMARY KEY (repo, purl, filename)
);
CREATE INDEX artifacts_by_blob ON artifacts (blob);
CREATE INDEX artifacts_by_package ON artifacts (ecosystem, name, version);

CREATE TABLE decisions (
  id          text        PRIMARY KEY,
  repo        text        NOT NULL,
  purl        text        NOT NULL,
  phase       text        NOT NULL,
  verdict     text        NOT NULL,
  reasons     text        NOT NULL,
  warnings    text        NOT NULL,
  policy_hash text        NOT NULL,
  facts       text        NOT NULL,
  request     text,
  created_at  timestamptz NOT NULL
);
CREATE INDEX decisions_by_time ON decisions (created_at, id);
CREATE INDEX decisions_by_purl ON decisions (purl, created_at, id);

CREATE TABLE quarantine (
  id              text        PRIMARY KEY,
  repo            text        NOT NULL,
  purl            text        NOT NULL,
  ecosystem       text        NOT NULL,
  name            text        NOT NULL,
  version         text        NOT NULL,
  state           text        NOT NULL CHECK (state IN ('quarantined', 'released', 'rejected')),
  reasons         text        NOT NULL,
  facts           text        NOT NULL,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  decided_by      text,
  decided_at      timestamptz,
  decision_reason text,
  expires_at      timestamptz
);
CREATE UNIQUE INDEX quarantine_one_open ON quarantine (repo, purl) WHERE state = 'quarantined';
CREATE INDEX quarantine_by_purl ON quarantine (purl, repo, created_at, id);
CREATE INDEX quarantine_by_state ON quarantine (state, created_at, id);
CREATE INDEX quarantine_by_time ON quarantine (created_at, id);

CREATE TABLE exceptions (
  id         text        PRIMARY KEY,
  ecosystem  text        NOT NULL,
  name       text        NOT NULL,
  version    text,
  rules      text        NOT NULL,
  reason     text        NOT NULL,
  created_by text        NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz
);
CREATE INDEX exceptions_by_package ON exceptions (ecosystem, name);
CREATE INDEX exceptions_by_time ON exceptions (created_at, id);

-- The audit trail: append-only, hash-chained.
CREATE TABLE audit_events (
  seq       bigint      PRIMARY KEY CHECK (seq >= 1),
  at        timestamptz NOT NULL,
  actor     text        NOT NULL,
  action    text        NOT NULL,
  subject   text        NOT NULL,
  details   text        NOT NULL,
  prev_hash text        NOT NULL CHECK (length(prev_hash) = 64),
  hash      text        NOT NULL UNIQUE CHECK (length(hash) = 64)
);
CREATE INDEX audit_events_by_subject ON audit_events (subject, seq);

CREATE FUNCTION audit_events_extend_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head_seq  bigint;
  head_hash text;
BEGIN
  SELECT seq, hash INTO head_seq, head_hash FROM audit_events ORDER BY seq DESC LIMIT 1;
  IF NEW.seq IS DISTINCT FROM COALESCE(head_seq, 0) + 1
     OR NEW.prev_hash IS DISTINCT FROM COALESCE(head_hash, repeat('0', 64)) THEN
    RAISE EXCEPTION 'audit_events: an event must extend the chain head';
  END IF;
  RETURN NEW;
END
$$;

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only';
END
$$;

CREATE TRIGGER audit_events_extend_chain BEFORE INSERT ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_extend_chain();
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

CREATE TABLE tokens (
  id         text        PRIMARY KEY,
  hash       text        NOT NULL UNIQUE,
  role       text        NOT NULL,
  label      text        NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz,
  revoked_at timestamptz
);
