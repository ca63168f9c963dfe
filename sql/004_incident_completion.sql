-- completed = 1 once an incident is final: resolved, and either the service's
-- event time moved past resolved_at + quiet period, or its partition was idle
-- for MTTR_IDLE_FLUSH_S. A later event can still reopen it (completed = 0).
ALTER TABLE mttr.incidents ADD COLUMN IF NOT EXISTS completed UInt8 DEFAULT 0 AFTER reopen_count;
