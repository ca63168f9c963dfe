-- When each incident version reached ClickHouse (the insert's own clock), for
-- audits ("when could a dashboard first see this?") and for measuring the
-- pipeline's end-to-end latency (bench/pipeline). Not in ORDER BY: it differs
-- between versions. Versions inserted before this migration have no stored
-- value and read as the time of the query (ClickHouse computes a missing
-- column's default on read): only later versions carry a real insert time.
ALTER TABLE mttr.incidents
    ADD COLUMN IF NOT EXISTS inserted_at DateTime64(3, 'UTC') DEFAULT now64(3)
    COMMENT 'when this version was inserted (ClickHouse clock)';
