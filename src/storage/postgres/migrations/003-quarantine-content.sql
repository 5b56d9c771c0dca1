-- The content a quarantine record was opened for: the address of the artifact's bytes the gate
-- judged (`sha256:<hex>`). A release covers those bytes only. NULL for records opened without
-- content, and for records from before this migration (their releases cover any content).
ALTER TABLE quarantine ADD COLUMN content_digest text;
