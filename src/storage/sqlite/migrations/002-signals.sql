-- Risk signals (issue 4): the missing-name ledger, first-seen dates, known-malicious feed
-- records with provenance, and a cache of computed facts and verdicts.
-- Conventions as in 001: epoch-millisecond INTEGER times, JSON text columns.

-- Names asked for while the upstream did not have them (the hallucination tripwire).
CREATE TABLE missing_names (
  ecosystem      TEXT    NOT NULL,
  name           TEXT    NOT NULL,
  first_asked_at INTEGER NOT NULL,
  last_asked_at  INTEGER NOT NULL,
  count          INTEGER NOT NULL CHECK (count >= 1),
  appeared_at    INTEGER,
  PRIMARY KEY (ecosystem, name)
) STRICT;
CREATE INDEX missing_names_by_demand ON missing_names (count DESC, last_asked_at DESC);

-- Who asked, aggregated per (token, user agent, agent); `asker` is the JSON of those three.
CREATE TABLE missing_name_askers (
  ecosystem  TEXT    NOT NULL,
  name       TEXT    NOT NULL,
  asker      TEXT    NOT NULL,
  token_id   TEXT,
  user_agent TEXT,
  agent      TEXT,
  count      INTEGER NOT NULL CHECK (count >= 1),
  first_at   INTEGER NOT NULL,
  last_at    INTEGER NOT NULL,
  PRIMARY KEY (ecosystem, name, asker),
  FOREIGN KEY (ecosystem, name) REFERENCES missing_names (ecosystem, name) ON DELETE CASCADE
) STRICT;

-- When Airlock first saw a package and each of its versions.
CREATE TABLE first_seen_packages (
  ecosystem     TEXT    NOT NULL,
  name          TEXT    NOT NULL,
  first_seen_at INTEGER NOT NULL,
  PRIMARY KEY (ecosystem, name)
) STRICT;

CREATE TABLE first_seen_versions (
  ecosystem     TEXT    NOT NULL,
  name          TEXT    NOT NULL,
  version       TEXT    NOT NULL,
  first_seen_at INTEGER NOT NULL,
  PRIMARY KEY (ecosystem, name, version)
) STRICT, WITHOUT ROWID;

-- Feed records (e.g. OSV MAL-*), one row per (record, affected package), with provenance.
CREATE TABLE feed_advisories (
  source    TEXT    NOT NULL,
  id        TEXT    NOT NULL,
  ecosystem TEXT    NOT NULL,
  name      TEXT    NOT NULL,
  versions  TEXT    NOT NULL,
  ranges    TEXT    NOT NULL,
  summary   TEXT,
  aliases   TEXT    NOT NULL,
  published INTEGER,
  modified  INTEGER,
  withdrawn INTEGER,
  origin    TEXT    NOT NULL,
  sha256    TEXT    NOT NULL,
  import_id TEXT    NOT NULL,
  PRIMARY KEY (source, id, ecosystem, name)
) STRICT;
CREATE INDEX feed_advisories_by_package ON feed_advisories (ecosystem, name);

-- Exact affected versions, for (ecosystem, name, version) look-ups.
CREATE TABLE feed_advisory_versions (
  ecosystem TEXT NOT NULL,
  name      TEXT NOT NULL,
  version   TEXT NOT NULL,
  source    TEXT NOT NULL,
  id        TEXT NOT NULL,
  PRIMARY KEY (ecosystem, name, version, source, id),
  FOREIGN KEY (source, id, ecosystem, name) REFERENCES feed_advisories (source, id, ecosystem, name) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX feed_advisory_versions_by_record ON feed_advisory_versions (source, id, ecosystem, name);

CREATE TABLE feed_imports (
  id          TEXT    PRIMARY KEY,
  source      TEXT    NOT NULL,
  origin      TEXT    NOT NULL,
  imported_at INTEGER NOT NULL,
  imported_by TEXT    NOT NULL,
  added       INTEGER NOT NULL,
  updated     INTEGER NOT NULL,
  unchanged   INTEGER NOT NULL,
  rejected    INTEGER NOT NULL
) STRICT;
CREATE INDEX feed_imports_by_time ON feed_imports (imported_at, id);

-- Monotonic counters shared by every process (e.g. the feed revision).
CREATE TABLE counters (
  name  TEXT    PRIMARY KEY,
  value INTEGER NOT NULL
) STRICT;
INSERT INTO counters (name, value) VALUES ('feed_revision', 0);

-- Computed facts and verdicts with an expiry.
CREATE TABLE fact_cache (
  namespace   TEXT    NOT NULL,
  key         TEXT    NOT NULL,
  value       TEXT    NOT NULL,
  computed_at INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  PRIMARY KEY (namespace, key)
) STRICT;
CREATE INDEX fact_cache_by_expiry ON fact_cache (expires_at);
