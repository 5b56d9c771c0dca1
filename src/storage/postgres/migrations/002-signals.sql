-- Risk signals (issue 4) for PostgreSQL: the missing-name ledger, first-seen dates,
-- known-malicious feed records with provenance, and a cache of computed facts and verdicts.

CREATE TABLE missing_names (
  ecosystem      text        NOT NULL,
  name           text        NOT NULL,
  first_asked_at timestamptz NOT NULL,
  last_asked_at  timestamptz NOT NULL,
  count          bigint      NOT NULL CHECK (count >= 1),
  appeared_at    timestamptz,
  PRIMARY KEY (ecosystem, name)
);
CREATE INDEX missing_names_by_demand ON missing_names (count DESC, last_asked_at DESC);

CREATE TABLE missing_name_askers (
  ecosystem  text        NOT NULL,
  name       text        NOT NULL,
  asker      text        NOT NULL,
  token_id   text,
  user_agent text,
  agent      text,
  count      bigint      NOT NULL CHECK (count >= 1),
  first_at   timestamptz NOT NULL,
  last_at    timestamptz NOT NULL,
  PRIMARY KEY (ecosystem, name, asker),
  FOREIGN KEY (ecosystem, name) REFERENCES missing_names (ecosystem, name) ON DELETE CASCADE
);

CREATE TABLE first_seen_packages (
  ecosystem     text        NOT NULL,
  name          text        NOT NULL,
  first_seen_at timestamptz NOT NULL,
  PRIMARY KEY (ecosystem, name)
);

CREATE TABLE first_seen_versions (
  ecosystem     text        NOT NULL,
  name          text        NOT NULL,
  version       text        NOT NULL,
  first_seen_at timestamptz NOT NULL,
  PRIMARY KEY (ecosystem, name, version)
);

CREATE TABLE feed_advisories (
  source    text        NOT NULL,
  id        text        NOT NULL,
  ecosystem text        NOT NULL,
  name      text        NOT NULL,
  versions  text        NOT NULL,
  ranges    text        NOT NULL,
  summary   text,
  aliases   text        NOT NULL,
  published timestamptz,
  modified  timestamptz,
  withdrawn timestamptz,
  origin    text        NOT NULL,
  sha256    text        NOT NULL,
  import_id text        NOT NULL,
  PRIMARY KEY (source, id, ecosystem, name)
);
CREATE INDEX feed_advisories_by_package ON feed_advisories (ecosystem, name);

CREATE TABLE feed_advisory_versions (
  ecosystem text NOT NULL,
  name      text NOT NULL,
  version   text NOT NULL,
  source    text NOT NULL,
  id        text NOT NULL,
  PRIMARY KEY (ecosystem, name, version, source, id),
  FOREIGN KEY (source, id, ecosystem, name) REFERENCES feed_advisories (source, id, ecosystem, name) ON DELETE CASCADE
);
CREATE INDEX feed_advisory_versions_by_record ON feed_advisory_versions (source, id, ecosystem, name);

CREATE TABLE feed_imports (
  id          text        PRIMARY KEY,
  source      text        NOT NULL,
  origin      text        NOT NULL,
  imported_at timestamptz NOT NULL,
  imported_by text        NOT NULL,
  added       integer     NOT NULL,
  updated     integer     NOT NULL,
  unchanged   integer     NOT NULL,
  rejected    integer     NOT NULL
);
CREATE INDEX feed_imports_by_time ON feed_imports (imported_at, id);

CREATE TABLE counters (
  name  text   PRIMARY KEY,
  value bigint NOT NULL
);
INSERT INTO counters (name, value) VALUES ('feed_revision', 0);

CREATE TABLE fact_cache (
  namespace   text        NOT NULL,
  key         text        NOT NULL,
  value       text        NOT NULL,
  computed_at timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (namespace, key)
);
CREATE INDEX fact_cache_by_expiry ON fact_cache (expires_at);
