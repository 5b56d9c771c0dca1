-- Tokens exchanged for an OIDC ID token (a CI job's workload identity) name the issuer; NULL for
-- tokens an administrator or start-up created. Exchanged tokens are short-lived and many: once
-- expired they are deleted (`purgeExchangedTokens`), found by this index.
ALTER TABLE tokens ADD COLUMN exchanged_from TEXT;
CREATE INDEX tokens_exchanged_expiry ON tokens (expires_at) WHERE exchanged_from IS NOT NULL;
