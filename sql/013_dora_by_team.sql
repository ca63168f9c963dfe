-- DORA's four keys per team, month and environment (docs/metrics.md,
-- "dora_monthly_by_team"): the measures of dora_monthly (sql/011) computed over
-- the team's deploys, changes and incidents, never averaged over services.
-- Owners come from mttr.service_owner_periods (sql/012; '' when unowned):
--   a deploy belongs to its service's owner at its earliest succeeded
--   occurred_at of the month, a change to the owner when it landed, an
--   incident to the owner at its started_at.
-- One row per (month, team, environment) with at least one deployment, as in
-- dora_monthly. deploys_per_day and change_failure_rate are the team's totals
-- divided; the quantiles are over the team's changes or incidents.
-- Reads live, like mttr_by_team (sql/012): a re-loaded ownership changes the
-- rows of services none of whose events changed, which a per-service snapshot
-- would miss.
CREATE OR REPLACE VIEW mttr.dora_monthly_by_team AS
WITH
deploys AS
(
    SELECT month, service, environment, deploy_id, min(occurred_at) AS deployed_at
    FROM
    (
        SELECT toStartOfMonth(toDate(occurred_at, 'UTC')) AS month, service, environment,
               subject_id AS deploy_id, occurred_at
        FROM mttr.events
        WHERE type = 'deploy' AND status = 'succeeded' AND ifNull(kind, '') != 'remediation'
    )
    GROUP BY month, service, environment, deploy_id
),
causes AS
(
    SELECT DISTINCT service, environment, assumeNotNull(cause_deploy_id) AS deploy_id
    FROM mttr.incidents FINAL
    WHERE cause_deploy_id IS NOT NULL
),
team_deploys AS
(
    SELECT d.month AS month, ifNull(o.team, '') AS team, d.environment AS environment,
           count() AS deployments,
           countIf(c.deploy_id IS NOT NULL) AS failed_deployments
    FROM deploys AS d
    ASOF LEFT JOIN mttr.service_owner_periods AS o
        ON o.service = d.service AND d.deployed_at >= o.valid_from
    LEFT JOIN causes AS c
        ON c.service = d.service AND c.environment = d.environment AND c.deploy_id = d.deploy_id
    GROUP BY month, team, environment
    SETTINGS join_use_nulls = 1
),
incidents AS
(
    SELECT
        toStartOfMonth(toDate(i.resolved_at, 'UTC')) AS month, ifNull(o.team, '') AS team,
        i.environment AS environment, i.ttr_seconds AS ttr_seconds,
        if(s.deployed_at IS NULL, NULL,
           (toUnixTimestamp64Milli(assumeNotNull(i.resolved_at))
            - toUnixTimestamp64Milli(assumeNotNull(s.deployed_at))) / 1000) AS recovery_seconds
    FROM
    (
        SELECT service, environment, started_at, resolved_at, ttr_seconds, cause_deploy_id
        FROM mttr.incidents FINAL
        WHERE status = 'resolved'
    ) AS i
    ASOF LEFT JOIN mttr.service_owner_periods AS o
        ON o.service = i.service AND i.started_at >= o.valid_from
    LEFT JOIN
    (
        SELECT service, environment, subject_id AS deploy_id, min(occurred_at) AS deployed_at
        FROM mttr.events
        WHERE type = 'deploy' AND status = 'succeeded'
        GROUP BY service, environment, deploy_id
    ) AS s
        ON s.service = i.service AND s.environment = i.environment
       AND s.deploy_id = i.cause_deploy_id
    SETTINGS join_use_nulls = 1
),
team_incidents AS
(
    SELECT month, team, environment,
           quantileExactInclusive(0.5)(ttr_seconds) AS median_time_to_restore_seconds,
           quantileExactInclusiveIf(0.5)(assumeNotNull(recovery_seconds), recovery_seconds IS NOT NULL)
               AS failed_deployment_recovery_p50_seconds,
           countIf(recovery_seconds IS NOT NULL) AS recoveries
    FROM incidents
    GROUP BY month, team, environment
),
team_changes AS
(
    SELECT toStartOfMonth(toDate(l.deployed_at, 'UTC')) AS month, ifNull(o.team, '') AS team,
           l.environment AS environment,
           count() AS changes_deployed,
           quantileExactInclusive(0.5)(l.lead_time_seconds) AS lead_time_p50_seconds,
           quantileExactInclusive(0.9)(l.lead_time_seconds) AS lead_time_p90_seconds
    FROM mttr.change_lead_times AS l
    ASOF LEFT JOIN mttr.service_owner_periods AS o
        ON o.service = l.service AND l.landed_at >= o.valid_from
    GROUP BY month, team, environment
)
SELECT
    d.month AS month,
    d.team AS team,
    d.environment AS environment,
    d.deployments AS deployments,
    deployments / toDayOfMonth(toLastDayOfMonth(d.month)) AS deploys_per_day,
    d.failed_deployments AS failed_deployments,
    failed_deployments / deployments AS change_failure_rate,
    i.median_time_to_restore_seconds AS median_time_to_restore_seconds,
    ifNull(l.changes_deployed, 0) AS changes_deployed,
    l.lead_time_p50_seconds AS lead_time_p50_seconds,
    l.lead_time_p90_seconds AS lead_time_p90_seconds,
    if(ifNull(i.recoveries, 0) = 0, NULL, i.failed_deployment_recovery_p50_seconds)
        AS failed_deployment_recovery_p50_seconds
FROM team_deploys AS d
LEFT JOIN team_incidents AS i
    ON i.month = d.month AND i.team = d.team AND i.environment = d.environment
LEFT JOIN team_changes AS l
    ON l.month = d.month AND l.team = d.team AND l.environment = d.environment
SETTINGS join_use_nulls = 1;
