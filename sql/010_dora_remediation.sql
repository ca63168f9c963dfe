-- Contract v1.1: deploys of kind 'remediation' (a runbook or job run against a
-- service: restart, scale, failover) are operational actions, not changes to
-- the service. They mitigate incidents (docs/incident-model.md) but are no
-- deployments: dora_monthly leaves them out of `deployments` (so out of
-- deploys_per_day and of the change failure rate's denominator), and the
-- engine never names one as cause_deploy_id (the numerator). Every other kind
-- counts exactly as before; a deploy event without a kind (NULL) counts too.
-- Otherwise the definition of sql/007 (docs/metrics.md, dora_monthly).
CREATE OR REPLACE VIEW mttr.dora_monthly_live AS
WITH
deploys AS
(
    SELECT DISTINCT
        toStartOfMonth(toDate(occurred_at, 'UTC')) AS month, service, environment,
        subject_id AS deploy_id
    FROM mttr.events
    WHERE type = 'deploy' AND status = 'succeeded' AND ifNull(kind, '') != 'remediation'
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
