-- Where each webhook's delivery stands in the audit trail (its outbox): every event up to `seq` is
-- done with. `attempts`, `last_error` and `failing_since` describe failures at the event after it.
-- The process delivering holds a lease (`holder` until `lease_until`, both NULL once let go), taken
-- and renewed by one conditional upsert, so gateways sharing the store deliver each event once.
-- Times in epoch milliseconds.
CREATE TABLE webhook_cursors (
  name          TEXT    NOT NULL PRIMARY KEY,
  seq           INTEGER NOT NULL CHECK (seq >= 0),
  attempts      INTEGER NOT NULL CHECK (attempts >= 0),
  last_error    TEXT,
  failing_since INTEGER,
  delivered_at  INTEGER,
  holder        TEXT,
  lease_until   INTEGER,
  updated_at    INTEGER NOT NULL,
  CHECK ((holder IS NULL) = (lease_until IS NULL))
) STRICT, WITHOUT ROWID;
