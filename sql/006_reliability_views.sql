-- Rolling, MTBF, DORA, SLA and security views (definitions: docs/metrics.md).

-- Mean and p90 of ttr over the incidents resolved in the 30 days ending on
-- `day` (day-29 .. day, UTC), for every day from a key's first resolution to
-- 29 days after its last one on which that window is not empty.
CREATE OR REPLACE VIEW mttr.mttr_rolling_30d_live AS
WITH resolved AS
(
    SELECT service, environment, severity, toDate(resolved_at, 'UTC') AS d, ttr_seconds
    FROM mttr.incidents FINAL
    WHERE status = 'resolved'
),
days AS
(
    SELECT service, environment, severity,
           arrayJoin(arrayMap(x -> min(d) + x, range(toUInt32(max(d) - min(d) + 30)))) AS day
    FROM resolved
    GROUP BY service, environment, severity
)
SELECT
    days.day AS day,
    days.service AS service,
    days.environment AS environment,
    days.severity AS severity,
    count() AS incidents,
    avg(r.ttr_seconds) AS mttr_seconds,
    quantileExactInclusive(0.9)(r.ttr_seconds) AS p90_seconds
FROM days
INNER JOIN resolved AS r
    ON r.service = days.service AND r.environment = days.environment AND r.severity = days.severity
WHERE r.d BETWEEN days.day - 29 AND days.day
GROUP BY day, service, environment, severity;

-- Mean time between failures: from the end of one resolved incident to the
-- start of the next incident of the same service/environment (by started_at),
-- clamped at 0 when they overlap.
CREATE OR REPLACE VIEW mttr.mtbf_by_service_live AS
SELECT
    service,
    environment,
    count() AS gaps,
    avg(gap_seconds) AS mtbf_seconds
FROM
(
    SELECT
        service,
        environment,
        greatest(dateDiff('millisecond', previous_resolved, started_at), 0) / 1000 AS gap_seconds
    FROM
    (
        SELECT
            service,
            environment,
            started_at,
            lagInFrame(resolved_at) OVER w AS previous_resolved,
            row_number() OVER w AS n
        FROM mttr.incidents FINAL
        WINDOW w AS (PARTITION BY service, environment ORDER BY started_at, incident_id
                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
    )
    WHERE n > 1 AND previous_resolved IS NOT NULL
)
GROUP BY service, environment;

-- SLA targets per severity. Change one with a plain INSERT (a newer
-- updated_at wins); the defaults carry 1970-01-01 so re-running migrations
-- never overrides a change.
CREATE TABLE IF NOT EXISTS mttr.severity_targets
(
    severity       String,
    target_seconds UInt32,
    updated_at     DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY severity;

INSERT INTO mttr.severity_targets (severity, target_seconds, updated_at) VALUES
    ('critical', 3600, '1970-01-01 00:00:00'),
    ('high', 14400, '1970-01-01 00:00:00'),
    ('medium', 86400, '1970-01-01 00:00:00'),
    ('low', 259200, '1970-01-01 00:00:00');

-- Per service, severity and month of resolved_at: incidents whose ttr exceeded
-- the severity's target.
CREATE OR REPLACE VIEW mttr.sla_compliance_live AS
SELECT
    toStartOfMonth(toDate(i.resolved_at, 'UTC')) AS month,
    i.service AS service,
    i.environment AS environment,
    i.severity AS severity,
    any(t.target_seconds) AS target_seconds,
    count() AS incidents,
    countIf(i.ttr_seconds > t.target_seconds) AS breached,
    breached / incidents AS breach_rate
FROM mttr.incidents AS i FINAL
INNER JOIN (SELECT severity, target_seconds FROM mttr.severity_targets FINAL) AS t
    ON t.severity = i.severity
WHERE i.status = 'resolved'
GROUP BY month, service, environment, severity;

-- Security incidents: time to contain (= ttm) and time to recover (= ttr).
CREATE OR REPLACE VIEW mttr.security_mttr_live AS
SELECT
    service,
    environment,
    severity,
    count() AS incidents,
    avg(ttm_seconds) AS mean_time_to_contain_seconds,
    avg(ttr_seconds) AS mean_time_to_recover_seconds,
    quantileExactInclusive(0.5)(ttr_seconds) AS p50_seconds,
    quantileExactInclusive(0.9)(ttr_seconds) AS p90_seconds,
    avg(ttd_seconds) AS mttd_seconds,
    avg(tta_seconds) AS mtta_seconds
FROM mttr.incidents FINAL
WHERE status = 'resolved' AND category = 'security'
GROUP BY service, environment, severity;

-- DORA per month (UTC, of the deploy) and service/environment: succeeded
-- deployments (from mttr.events), deploys per calendar day of the month,
-- failed deployments (those that are some incident's cause_deploy_id), change
-- failure rate, and the median ttr of incidents resolved in that month (NULL
-- when none resolved).
CREATE OR REPLACE VIEW mttr.dora_monthly_live AS
WITH
deploys AS
(
    SELECT DISTINCT
        toStartOfMonth(toDate(occurred_at, 'UTC')) AS month, service, environment,
        subject_id AS deploy_id
    FROM mttr.events FINAL
    WHERE type = 'deploy' AND status = 'succeeded'
),
causes AS
(
    SELECT DISTINCT service, environment, assumeNotNull(cause_deploy_id) AS deploy_id
    FROM mttr.incidents FINAL
    WHERE cause_deploy_id IS NOT NULL
),
restores AS
(
    SELECT
        toStartOfMonth(toDate(resolved_at, 'UTC')) AS month, service, environment,
        quantileExactInclusive(0.5)(ttr_seconds) AS median_time_to_restore_seconds
    FROM mttr.incidents FINAL
    WHERE status = 'resolved'
    GROUP BY month, service, environment
)
SELECT
    d.month AS month,
    d.service AS service,
    d.environment AS environment,
    count() AS deployments,
    deployments / toDayOfMonth(toLastDayOfMonth(d.month)) AS deploys_per_day,
    countIf(c.deploy_id IS NOT NULL) AS failed_deployments,
    failed_deployments / deployments AS change_failure_rate,
    any(r.median_time_to_restore_seconds) AS median_time_to_restore_seconds
FROM deploys AS d
LEFT JOIN causes AS c
    ON c.service = d.service AND c.environment = d.environment AND c.deploy_id = d.deploy_id
LEFT JOIN restores AS r
    ON r.month = d.month AND r.service = d.service AND r.environment = d.environment
GROUP BY month, service, environment
SETTINGS join_use_nulls = 1;
