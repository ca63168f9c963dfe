-- Incidents: one row per incident version, written at every change.
-- ReplacingMergeTree(version, is_deleted): FINAL returns the newest version of
-- each incident and hides incidents whose newest version is a delete marker
-- (an id that disappeared because a late event merged or re-split incidents).
-- ORDER BY holds only columns fixed for an incident's whole life.
CREATE TABLE IF NOT EXISTS mttr.incidents
(
    incident_id     String,
    service         String,
    environment     LowCardinality(String),
    status          LowCardinality(String) COMMENT 'open | resolved',
    severity        LowCardinality(String),
    category        LowCardinality(String),
    title           String,
    started_at      DateTime64(3, 'UTC'),
    detected_at     DateTime64(3, 'UTC'),
    acknowledged_at Nullable(DateTime64(3, 'UTC')),
    identified_at   Nullable(DateTime64(3, 'UTC')),
    mitigated_at    Nullable(DateTime64(3, 'UTC')),
    resolved_at     Nullable(DateTime64(3, 'UTC')),
    ttd_seconds     Nullable(Float64) COMMENT 'detected_at - started_at',
    tta_seconds     Nullable(Float64) COMMENT 'acknowledged_at - detected_at',
    tti_seconds     Nullable(Float64) COMMENT 'identified_at - detected_at',
    ttm_seconds     Nullable(Float64) COMMENT 'mitigated_at - started_at',
    ttr_seconds     Nullable(Float64) COMMENT 'resolved_at - started_at (MTTR averages this)',
    alert_count     UInt32,
    alert_ids       Array(String),
    ticket_ids      Array(String),
    event_count     UInt32,
    cause_deploy_id Nullable(String),
    fix_deploy_id   Nullable(String),
    repair_action   LowCardinality(Nullable(String)),
    reopen_count    UInt32,
    quality_flags   Array(String) COMMENT 'e.g. ttd_negative_clamped',
    is_deleted      UInt8,
    version         UInt64,
    updated_at      DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(version, is_deleted)
ORDER BY (service, environment, incident_id);
