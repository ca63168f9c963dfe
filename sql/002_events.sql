-- Audit trail: every valid event exactly as received, one row per event_id.
-- Redelivered or republished events re-insert the same event_id; the
-- ReplacingMergeTree keeps one row per event_id (the latest ingested), so
-- read it with FINAL (or GROUP BY event_id) for exact counts.
-- ORDER BY holds only event_id: nothing that can change is part of the key.
CREATE TABLE IF NOT EXISTS mttr.events
(
    event_id        String,
    type            LowCardinality(String),
    service         String,
    environment     LowCardinality(String),
    occurred_at     DateTime64(3, 'UTC'),
    source          LowCardinality(String),
    status          LowCardinality(String),
    subject_id      String COMMENT 'alert_id, deploy_id or ticket_id',
    severity        LowCardinality(Nullable(String)),
    category        LowCardinality(Nullable(String)),
    kind            LowCardinality(Nullable(String)),
    raw             String CODEC(ZSTD(3)) COMMENT 'the original JSON message',
    kafka_topic     LowCardinality(String),
    kafka_partition Int32,
    kafka_offset    Int64,
    ingested_at     DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(ingested_at)
ORDER BY event_id;
