-- Availability and error budgets (docs/metrics.md, "Availability and error
-- budgets"; loaded with `mttr objectives load`, docs/objectives.md).
--
-- mttr.availability_objectives: one row per objective period and source, as
-- mttr.service_owners (sql/012) is for owners. The objective of a (service,
-- environment) at time t is the row with the greatest valid_from <= t; a row
-- given without a start has valid_from 1970-01-01 00:00:00.000 (the
-- beginning). min_severity is the least severe severity whose availability
-- incidents count as downtime under that objective (default 'high'). A load
-- replaces every row of one `source`: new or changed rows get a newer
-- loaded_at, rows no longer given a delete marker (is_deleted = 1); FINAL
-- returns the newest version per (service, environment, valid_from, source).
CREATE TABLE IF NOT EXISTS mttr.availability_objectives
(
    service      String,
    environment  String,
    objective    Float64 COMMENT 'the availability objective, a fraction such as 0.999',
    min_severity LowCardinality(String) COMMENT 'least severe severity counted as downtime',
    valid_from   DateTime64(3, 'UTC') COMMENT 'start of the period (1970-01-01: the beginning)',
    source       LowCardinality(String) COMMENT 'what loaded the row, e.g. file',
    loaded_at    DateTime64(3, 'UTC') COMMENT 'when this version was written (the version)',
    is_deleted   UInt8 COMMENT '1: the source no longer gives this period'
)
ENGINE = ReplacingMergeTree(loaded_at, is_deleted)
ORDER BY (service, environment, valid_from, source);

-- The objective periods. Definition: per (service, environment, valid_from)
-- the current row (FINAL, no delete markers) written last (greatest
-- loaded_at; then greatest source) gives objective, min_severity, source and
-- loaded_at; valid_until is the next valid_from of the same (service,
-- environment), or 2100-01-01 00:00:00.000 for the last period. A period
-- covers valid_from <= t < valid_until.
CREATE OR REPLACE VIEW mttr.availability_objective_periods AS
SELECT
    service,
    environment,
    tupleElement(winner, 1) AS objective,
    tupleElement(winner, 2) AS min_severity,
    valid_from,
    leadInFrame(valid_from, 1, toDateTime64('2100-01-01 00:00:00', 3, 'UTC')) OVER (
        PARTITION BY service, environment ORDER BY valid_from
        ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING
    ) AS valid_until,
    tupleElement(winner, 3) AS source,
    tupleElement(winner, 4) AS loaded_at
FROM
(
    SELECT
        service,
        environment,
        valid_from,
        argMax(tuple(objective, toString(min_severity), toString(source), loaded_at),
               tuple(loaded_at, toString(source))) AS winner
    FROM mttr.availability_objectives FINAL
    GROUP BY service, environment, valid_from
);

-- The severities with their rank, most severe first (critical 1 ... low 4):
-- "min_severity or more severe" is rank <= the rank of min_severity. The one
-- list of severities in SQL views (schemas.events.SEVERITIES, checked by
-- tests/unit/schemas/test_severities.py).
CREATE OR REPLACE VIEW mttr.severity_ranks AS
WITH ['critical', 'high', 'medium', 'low'] AS severities
SELECT severities[position] AS severity, toUInt8(position) AS rank
FROM (SELECT arrayJoin(arrayEnumerate(severities)) AS position);

-- Availability and error budget per UTC calendar month, service and
-- environment. Definitions (all times in epoch milliseconds, exact):
--   rows: every month from the first month of the (service, environment)'s
--     first incident of any category, or of the start of one of its objective
--     periods (a period from the beginning counts as starting this month),
--     through the current month; a month without downtime is a row too.
--   objective, min_severity: of the objective period in force at the month's
--     first instant (00:00:00.000 UTC of its first day); no period: objective
--     NULL and min_severity 'high'.
--   downtime: the length of the union of the [started_at, resolved_at)
--     intervals of the month's counted incidents, clipped to the month: an
--     incident of category 'availability' whose severity is min_severity or
--     more severe; an open incident lasts until now (now64(3) at query time).
--   availability: 1 - downtime / the month's length; in the current month
--     divided by the elapsed part (month start to now) instead.
--   error budget: (1 - objective) x the whole month's length (also in the
--     current month), rounded to the millisecond; consumed = the downtime;
--     remaining = budget - consumed (negative when overspent); ratio =
--     consumed / budget (above 1 when overspent). All NULL without objective.
--   team: the owner of the service at the month's first instant
--     (service_owner_periods, sql/012; '' when unowned).
-- Reads mttr.incidents FINAL, the objectives and the ownership live, with no
-- snapshot: it depends on the time of the query (open incidents, the current
-- month) and on the objective and ownership tables, none of which a
-- per-service incident snapshot (streams/storage/snapshots.py) would follow.
CREATE OR REPLACE VIEW mttr.availability_monthly AS
WITH
keys AS
(
    SELECT service, environment, min(first_month) AS first_month
    FROM
    (
        SELECT service, environment,
               least(toStartOfMonth(toDate(min(started_at), 'UTC')),
                     toStartOfMonth(toDate(now64(3, 'UTC'), 'UTC'))) AS first_month
        FROM mttr.incidents FINAL
        GROUP BY service, environment
        UNION ALL
        SELECT service, environment,
               least(if(valid_from = toDateTime64(0, 3, 'UTC'),
                        toStartOfMonth(toDate(now64(3, 'UTC'), 'UTC')),
                        toStartOfMonth(toDate(valid_from, 'UTC'))),
                     toStartOfMonth(toDate(now64(3, 'UTC'), 'UTC'))) AS first_month
        FROM mttr.availability_objective_periods
    )
    GROUP BY service, environment
),
months AS
(
    SELECT service, environment, month,
           toDateTime64(month, 3, 'UTC') AS month_start,
           toUnixTimestamp64Milli(toDateTime64(month, 3, 'UTC')) AS start_ms,
           toUnixTimestamp64Milli(toDateTime64(addMonths(month, 1), 3, 'UTC')) AS end_ms
    FROM
    (
        SELECT service, environment,
               arrayJoin(arrayMap(k -> addMonths(first_month, k),
                                  range(toUInt32(dateDiff('month', first_month,
                                      toStartOfMonth(toDate(now64(3, 'UTC'), 'UTC'))) + 1))))
                   AS month
        FROM keys
    )
),
targets AS
(
    SELECT m.service AS service, m.environment AS environment, m.month AS month,
           m.month_start AS month_start, m.start_ms AS start_ms, m.end_ms AS end_ms,
           o.objective AS objective, ifNull(o.min_severity, 'high') AS min_severity
    FROM months AS m
    ASOF LEFT JOIN mttr.availability_objective_periods AS o
        ON o.service = m.service AND o.environment = m.environment
       AND m.month_start >= o.valid_from
    SETTINGS join_use_nulls = 1
),
pieces AS
(
    SELECT service, environment, severity, month,
           greatest(s_ms, toUnixTimestamp64Milli(toDateTime64(month, 3, 'UTC'))) AS piece_start,
           least(e_ms, toUnixTimestamp64Milli(toDateTime64(addMonths(month, 1), 3, 'UTC')))
               AS piece_end
    FROM
    (
        SELECT service, environment, severity, s_ms, e_ms,
               arrayJoin(arrayMap(k -> addMonths(first, k),
                                  range(toUInt32(dateDiff('month', first, last) + 1)))) AS month
        FROM
        (
            SELECT service, environment, severity, s_ms, e_ms,
                   toStartOfMonth(toDate(fromUnixTimestamp64Milli(s_ms, 'UTC'), 'UTC')) AS first,
                   toStartOfMonth(toDate(fromUnixTimestamp64Milli(e_ms - 1, 'UTC'), 'UTC'))
                       AS last
            FROM
            (
                SELECT service, environment, toString(severity) AS severity,
                       toUnixTimestamp64Milli(started_at) AS s_ms,
                       least(if(status = 'resolved' AND resolved_at IS NOT NULL,
                                toUnixTimestamp64Milli(assumeNotNull(resolved_at)),
                                toUnixTimestamp64Milli(now64(3, 'UTC'))),
                             toUnixTimestamp64Milli(now64(3, 'UTC'))) AS e_ms
                FROM mttr.incidents FINAL
                WHERE category = 'availability'
            )
            WHERE e_ms > s_ms
        )
    )
),
downtime AS
(
    SELECT service, environment, month,
           sum(greatest(piece_end - greatest(piece_start, covered), 0)) AS downtime_ms
    FROM
    (
        SELECT p.service AS service, p.environment AS environment, p.month AS month,
               p.piece_start AS piece_start, p.piece_end AS piece_end,
               max(p.piece_end) OVER (
                   PARTITION BY p.service, p.environment, p.month
                   ORDER BY p.piece_start, p.piece_end
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
               ) AS covered
        FROM pieces AS p
        INNER JOIN targets AS t
            ON t.service = p.service AND t.environment = p.environment AND t.month = p.month
        INNER JOIN mttr.severity_ranks AS counted ON counted.severity = p.severity
        INNER JOIN mttr.severity_ranks AS least ON least.severity = t.min_severity
        WHERE counted.rank <= least.rank
    )
    GROUP BY service, environment, month
),
measured AS
(
    SELECT t.month AS month, t.service AS service, t.environment AS environment,
           t.month_start AS month_start,
           ifNull(d.downtime_ms, 0) AS downtime_ms,
           least(t.end_ms, toUnixTimestamp64Milli(now64(3, 'UTC'))) - t.start_ms AS elapsed_ms,
           t.objective AS objective, t.min_severity AS min_severity,
           round((1 - t.objective) * (t.end_ms - t.start_ms)) AS budget_ms
    FROM targets AS t
    LEFT JOIN downtime AS d
        ON d.service = t.service AND d.environment = t.environment AND d.month = t.month
    SETTINGS join_use_nulls = 1
)
SELECT
    x.month AS month,
    x.service AS service,
    x.environment AS environment,
    ifNull(o.team, '') AS team,
    x.downtime_ms / 1000 AS downtime_seconds,
    if(x.elapsed_ms <= 0, 1, 1 - x.downtime_ms / x.elapsed_ms) AS availability,
    x.objective AS objective,
    x.min_severity AS min_severity,
    x.budget_ms / 1000 AS error_budget_seconds,
    if(x.objective IS NULL, NULL, x.downtime_ms / 1000) AS budget_consumed_seconds,
    (x.budget_ms - x.downtime_ms) / 1000 AS budget_remaining_seconds,
    x.downtime_ms / x.budget_ms AS budget_consumed_ratio
FROM measured AS x
ASOF LEFT JOIN mttr.service_owner_periods AS o
    ON o.service = x.service AND x.month_start >= o.valid_from;
