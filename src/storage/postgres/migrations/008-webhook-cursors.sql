-- Where each webhook's delivery stands in the audit trail (its outbox): every event up to `seq` is
-- done with. `attempts`, `last_error` and `failing_since` describe failures at the event after it.
-- The process delivering holds a lease (`holder` until `lease_until`, both NULL once let go), taken
-- and renewed by one conditional upsert, so gateways sharing the store deliver each event once.
-- Names sort in code-point order, as SQLite sorts them.
CREATE TABLE webhook_cursors (
  name          text COLLATE "C" NOT NULL PRIMARY KEY,
  seq           bigint      NOT NULL CHECK (seq >= 0),
  attempts      bigint      NOT NULL CHECK (attempts >= 0),
  last_error    text,
  failing_since timestamptz,
  delivered_at  timestamptz,
  holder        text,
  lease_until   timestamptz,
  updated_at    timestamptz NOT NULL,
  CHECK ((holder IS NULL) = (lease_until IS NULL))
);
