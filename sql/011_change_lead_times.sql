-- Contract v1.1 change events and lead time for changes (docs/metrics.md,
-- "Lead time for changes"). Everything is computed from mttr.events at read
-- time: late events, replays and backfills give the same numbers.

-- The commit a deploy or a change names, lowercased ('' when none), and a
-- change's first commit. The worker writes both; rows stored before this
-- migration get commit_sha from their raw JSON (no change events existed).
ALTER TABLE mttr.events
    ADD COLUMN IF NOT EXISTS commit_sha String DEFAULT lower(JSONExtractString(raw, 'commit_sha'))
    AFTER kind;
ALTER TABLE mttr.events
    ADD COLUMN IF NOT EXISTS first_commit_at Nullable(DateTime64(3, 'UTC'))
    AFTER commit_sha;

-- One row per change (service, change_id). When several events carry the same
-- change, the one with the earliest occurred_at (ties: smallest event_id)
-- defines it; a redelivered copy of an event (same event_id) changes nothing.
CREATE OR REPLACE VIEW mttr.changes AS
SELECT
    service,
    id AS change_id,
    argMin(sha, (at, eid)) AS commit_sha,
    argMin(first, (at, eid)) AS first_commit_at,
    min(at) AS landed_at,
    min((at, eid)).2 AS event_id
FROM
(
    SELECT service, subject_id AS id, commit_sha AS sha, assumeNotNull(first_commit_at) AS first,
           occurred_at AS at, event_id AS eid
    FROM mttr.events
    WHERE type = 'change'
)
GROUP BY service, id;

-- One row per shipping deploy (service, environment, deploy_id): a succeeded
-- deploy of kind release, hotfix or config (or without a kind); rollback and
-- remediation ship nothing. deployed_at is its earliest succeeded event's
-- occurred_at, commit_sha the one of its earliest succeeded event carrying one.
-- reach: the landing time of the change of the same service whose commit_sha
-- is the deploy's (the earliest, if several), else the deploy's own time.
CREATE OR REPLACE VIEW mttr.shipping_deploys AS
WITH deploys AS
(
    SELECT
        service,
        environment,
        id AS deploy_id,
        min(at) AS deployed_at,
        argMinIf(sha, (at, eid), sha != '') AS commit_sha
    FROM
    (
        SELECT service, environment, subject_id AS id, commit_sha AS sha, occurred_at AS at,
               event_id AS eid
        FROM mttr.events
        WHERE type = 'deploy' AND status = 'succeeded'
          AND ifNull(kind, 'release') IN ('release', 'hotfix', 'config')
    )
    GROUP BY service, environment, id
),
landed AS
(
    SELECT service, commit_sha, min(landed_at) AS landed_at
    FROM mttr.changes
    GROUP BY service, commit_sha
)
SELECT
    d.service AS service,
    d.environment AS environment,
    d.deploy_id AS deploy_id,
    d.deployed_at AS deployed_at,
    d.commit_sha AS commit_sha,
    if(l.landed_at IS NULL, d.deployed_at, assumeNotNull(l.landed_at)) AS reach,
    l.landed_at IS NOT NULL AS reach_from_change
FROM deploys AS d
LEFT JOIN landed AS l ON l.service = d.service AND l.commit_sha = d.commit_sha AND d.commit_sha != ''
SETTINGS join_use_nulls = 1;

-- Change C (landed at m) is deployed to environment E by the earliest (by
-- deployed_at, ties: smaller deploy_id) shipping deploy of (C.service, E) whose
-- reach is >= m. Walking a service/environment's deploys in that order, only a
-- deploy whose reach exceeds every earlier deploy's reach can be that earliest
-- deploy for any change (the frontier); along the frontier reach strictly
-- grows, so the answer is the frontier deploy with the smallest reach >= m.
-- How it is found: per service, each change is repeated for every environment
-- the service has shipping deploys in, merged with the frontier deploys of
-- that environment, and walked from the latest time back (deploys at their
-- reach, changes at their landing; at equal times the deploy first, as
-- reach >= m includes equality): the deploy seen last before a change is the
-- frontier deploy with the smallest reach >= m. Every step keeps the service
-- column and reads each source once, so a filter on service (the snapshot
-- views' changed services) is applied before the work, not after it
-- (bench/README.md, "Views").
CREATE OR REPLACE VIEW mttr.change_lead_times AS
WITH
ordered AS
(
    SELECT
        service, environment, deploy_id, deployed_at, reach,
        count() OVER w AS earlier,
        max(reach) OVER w AS earlier_reach,
        min(deployed_at) OVER (PARTITION BY service, environment) AS first_deployed_at
    FROM mttr.shipping_deploys
    WINDOW w AS (PARTITION BY service, environment ORDER BY deployed_at, deploy_id
                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
),
per_service AS
(
    SELECT
        service,
        groupUniqArrayIf(environment, is_deploy) AS environments,
        groupArrayIf((change_id, commit_sha, first_commit_at, landed_at), NOT is_deploy) AS landed,
        groupArrayIf((environment, deploy_id, deployed_at, reach, first_deployed_at), is_deploy)
            AS frontier
    FROM
    (
        SELECT service, false AS is_deploy, '' AS environment, change_id, commit_sha,
               first_commit_at, landed_at, '' AS deploy_id, landed_at AS deployed_at,
               landed_at AS reach, landed_at AS first_deployed_at
        FROM mttr.changes
        UNION ALL
        SELECT service, true, environment, '', '', deployed_at, deployed_at, deploy_id,
               deployed_at, reach, first_deployed_at
        FROM ordered
        WHERE earlier = 0 OR reach > earlier_reach
    )
    GROUP BY service
),
walk AS
(
    SELECT service, step.1 AS environment, step.2 AS c, step.3 AS at, step.4 AS kind,
           step.5 AS deploy_id, step.6 AS deployed_at, step.7 AS first_deployed_at
    FROM per_service
    ARRAY JOIN arrayConcat(
        arrayFlatten(arrayMap(e -> arrayMap(x -> (e, x, x.4, 0, CAST(NULL AS Nullable(String)),
            CAST(NULL AS Nullable(DateTime64(3, 'UTC'))),
            CAST(NULL AS Nullable(DateTime64(3, 'UTC')))), landed), environments)),
        arrayMap(d -> (d.1, ('', '', d.3, d.3), d.4, 1, toNullable(d.2), toNullable(d.3),
            toNullable(d.5)), frontier)
    ) AS step
),
matched AS
(
    SELECT service, environment, c, kind,
           anyLast(deploy_id) OVER w AS deploy_id,
           anyLast(deployed_at) OVER w AS deployed_at,
           anyLast(first_deployed_at) OVER w AS first_deployed_at
    FROM walk
    WINDOW w AS (PARTITION BY service, environment ORDER BY at DESC, kind DESC
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
SELECT
    service,
    environment,
    c.1 AS change_id,
    c.2 AS commit_sha,
    c.3 AS first_commit_at,
    c.4 AS landed_at,
    assumeNotNull(deployed_at) AS deployed_at,
    assumeNotNull(deploy_id) AS deploy_id,
    (toUnixTimestamp64Milli(assumeNotNull(deployed_at)) - toUnixTimestamp64Milli(c.3)) / 1000
        AS lead_time_seconds,
    (toUnixTimestamp64Milli(c.4) - toUnixTimestamp64Milli(c.3)) / 1000 AS time_to_land_seconds,
    c.4 < assumeNotNull(first_deployed_at) AS landed_before_first_deploy
FROM matched
WHERE kind = 0 AND ifNull(deploy_id, '') != '';

-- Changes not deployed yet: per environment the service has shipping deploys
-- in, the changes no deploy there has shipped; a change of a service without
-- any shipping deploy is pending with environment ''.
CREATE OR REPLACE VIEW mttr.pending_changes AS
SELECT
    c.service AS service,
    e.environment AS environment,
    c.change_id AS change_id,
    c.commit_sha AS commit_sha,
    c.first_commit_at AS first_commit_at,
    c.landed_at AS landed_at
FROM mttr.changes AS c
LEFT JOIN (SELECT DISTINCT service, environment FROM mttr.shipping_deploys) AS e
    ON e.service = c.service
LEFT ANTI JOIN mttr.change_lead_times AS l
    ON l.service = c.service AND l.environment = e.environment AND l.change_id = c.change_id;

-- dora_monthly with the fourth key. Every column of sql/010 keeps its
-- definition; new (docs/metrics.md, dora_monthly):
--   changes_deployed: rows of change_lead_times of the service/environment
--     whose deployed_at lies in the month;
--   lead_time_p50_seconds, lead_time_p90_seconds: exact quantiles
--     (quantileExactInclusive) of their lead_time_seconds;
--   failed_deployment_recovery_p50_seconds: over the resolved incidents of the
--     service/environment whose resolved_at lies in the month and that name a
--     cause_deploy_id, the median of resolved_at minus that deploy's earliest
--     succeeded occurred_at.
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
),
lead_times AS
(
    SELECT
        toStartOfMonth(toDate(deployed_at, 'UTC')) AS month, service, environment,
        count() AS changes_deployed,
        quantileExactInclusive(0.5)(lead_time_seconds) AS lead_time_p50_seconds,
        quantileExactInclusive(0.9)(lead_time_seconds) AS lead_time_p90_seconds
    FROM mttr.change_lead_times
    GROUP BY month, service, environment
),
succeeded AS
(
    SELECT service, environment, subject_id AS deploy_id, min(occurred_at) AS deployed_at
    FROM mttr.events
    WHERE type = 'deploy' AND status = 'succeeded'
    GROUP BY service, environment, deploy_id
),
recoveries AS
(
    SELECT
        toStartOfMonth(toDate(i.resolved_at, 'UTC')) AS month,
        i.service AS service, i.environment AS environment,
        quantileExactInclusive(0.5)(
            (toUnixTimestamp64Milli(assumeNotNull(i.resolved_at))
             - toUnixTimestamp64Milli(s.deployed_at)) / 1000
        ) AS failed_deployment_recovery_p50_seconds
    FROM mttr.incidents AS i FINAL
    INNER JOIN succeeded AS s
        ON s.service = i.service AND s.environment = i.environment
       AND s.deploy_id = assumeNotNull(i.cause_deploy_id)
    WHERE i.status = 'resolved' AND i.cause_deploy_id IS NOT NULL
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
    any(r.median_time_to_restore_seconds) AS median_time_to_restore_seconds,
    ifNull(any(l.changes_deployed), 0) AS changes_deployed,
    any(l.lead_time_p50_seconds) AS lead_time_p50_seconds,
    any(l.lead_time_p90_seconds) AS lead_time_p90_seconds,
    any(x.failed_deployment_recovery_p50_seconds) AS failed_deployment_recovery_p50_seconds
FROM deploys AS d
LEFT JOIN causes AS c
    ON c.service = d.service AND c.environment = d.environment AND c.deploy_id = d.deploy_id
LEFT JOIN restores AS r
    ON r.month = d.month AND r.service = d.service AND r.environment = d.environment
LEFT JOIN lead_times AS l
    ON l.month = d.month AND l.service = d.service AND l.environment = d.environment
LEFT JOIN recoveries AS x
    ON x.month = d.month AND x.service = d.service AND x.environment = d.environment
GROUP BY month, service, environment
SETTINGS join_use_nulls = 1;

-- A view stores its column list when created: read the new columns (sql/009).
CREATE OR REPLACE VIEW mttr.dora_monthly AS SELECT * FROM mttr.dora_monthly_live;
