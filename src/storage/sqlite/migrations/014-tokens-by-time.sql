-- Tokens listed newest first a page at a time (GET /-/api/tokens, keyset on (created_at, id)):
-- exchanged tokens of CI jobs make the table long enough that each page should not sort it all.
CREATE INDEX tokens_by_time ON tokens (created_at, id);
