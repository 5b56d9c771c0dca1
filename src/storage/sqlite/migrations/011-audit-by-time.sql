-- The audit trail by time: where a period begins (`firstAuditSeqAtOrAfter`, for exports and
-- reports of a period) without reading the whole table. `seq` is in the index, so the lookup
-- reads the index alone.
CREATE INDEX audit_events_by_at ON audit_events (at, seq);
