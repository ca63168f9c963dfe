-- Service ownership (docs/ownership.md): which team owned a service when.
--
-- mttr.service_owners: one row per ownership period and source. A service's
-- owner at time t is the team of its row with the greatest valid_from <= t;
-- before its first row a service is unowned (team ''). A row without a start
-- in its file has valid_from 1970-01-01 00:00:00.000 (the beginning).
-- `mttr owners load` / `import-backstage` replace every row of one `source`:
-- rows that are new or whose team changed are written with a newer loaded_at,
-- rows no longer given get a delete marker (is_deleted = 1). FINAL returns the
-- newest version per (service, valid_from, source) and hides delete markers.
-- loaded_at only grows (each load writes max(now, newest loaded_at + 1 ms)).
CREATE TABLE IF NOT EXISTS mttr.service_owners
(
    service     String,
    team        String,
    valid_from  DateTime64(3, 'UTC') COMMENT 'start of the period (1970-01-01: the beginning)',
    source      LowCardinality(String) COMMENT 'what loaded the row, e.g. file or backstage',
    loaded_at   DateTime64(3, 'UTC') COMMENT 'when this version was written (the version)',
    is_deleted  UInt8 COMMENT '1: the source no longer gives this period'
)
ENGINE = ReplacingMergeTree(loaded_at, is_deleted)
ORDER BY (service, valid_from, source);

-- The ownership periods, the one owner lookup every per-team view uses.
-- Definition: per (service, valid_from) the current row (FINAL, no delete
-- markers) written last (greatest loaded_at; then greatest source) gives team,
-- source and loaded_at; valid_until is the service's next valid_from, or
-- 2100-01-01 00:00:00.000 (the end of event time in the contract) for the
-- last period. A period covers valid_from <= t < valid_until.
-- Look an owner up with
--     ASOF LEFT JOIN mttr.service_owner_periods AS o
--         ON o.service = x.service AND x.t >= o.valid_from
-- (an unmatched row gets team '', unowned), or join on service and
-- valid_from <= t < valid_until.
CREATE OR REPLACE VIEW mttr.service_owner_periods AS
SELECT
    service,
    tupleElement(winner, 1) AS team,
    valid_from,
    leadInFrame(valid_from, 1, toDateTime64('2100-01-01 00:00:00', 3, 'UTC')) OVER (
        PARTITION BY service ORDER BY valid_from ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING
    ) AS valid_until,
    tupleElement(winner, 2) AS source,
    tupleElement(winner, 3) AS loaded_at
FROM
(
    SELECT
        service,
        valid_from,
        argMax(tuple(team, toString(source), loaded_at), tuple(loaded_at, toString(source)))
            AS winner
    FROM mttr.service_owners FINAL
    GROUP BY service, valid_from
);

-- MTTR per team, environment and severity over all resolved incidents: the
-- measures of mttr_by_service_severity (sql/005; docs/metrics.md) grouped by
-- the team that owned each incident's service at its started_at
-- (service_owner_periods; '' when unowned). Reads mttr.incidents FINAL and the
-- ownership live, with no snapshot: the snapshots (streams/storage/snapshots.py)
-- keep unchanged services' rows, and a re-load of the ownership changes a
-- team's rows without any incident changing, so a snapshot would go stale.
CREATE OR REPLACE VIEW mttr.mttr_by_team AS
SELECT
    ifNull(o.team, '') AS team,
    i.environment AS environment,
    i.severity AS severity,
    count() AS incidents,
    avg(ttr_seconds) AS mttr_seconds,
    quantileExactInclusive(0.5)(ttr_seconds) AS p50_seconds,
    quantileExactInclusive(0.9)(ttr_seconds) AS p90_seconds,
    avg(ttd_seconds) AS mttd_seconds,
    avg(tta_seconds) AS mtta_seconds
FROM
(
    SELECT service, environment, severity, started_at, ttr_seconds, ttd_seconds, tta_seconds
    FROM mttr.incidents FINAL
    WHERE status = 'resolved'
) AS i
ASOF LEFT JOIN mttr.service_owner_periods AS o
    ON o.service = i.service AND i.started_at >= o.valid_from
GROUP BY team, environment, severity;
