-- MTTR views. Every view reads the current incident rows exactly
-- (mttr.incidents FINAL: one row per incident, delete markers hidden), so a
-- re-written incident is never counted twice. Means ignore missing (NULL)
-- durations; quantiles are exact and interpolated (quantileExactInclusive,
-- the "linear" method of numpy.percentile). docs/metrics.md defines every column.
--
-- Each definition is named <view>_live: it computes the rows at read time.
-- sql/009_view_snapshots.sql defines the views analysts read (<view>), which
-- return the same rows from a snapshot plus these definitions for what changed.

-- Per service, environment and severity over all resolved incidents.
CREATE OR REPLACE VIEW mttr.mttr_by_service_severity_live AS
SELECT
    service,
    environment,
    severity,
    count() AS incidents,
    avg(ttr_seconds) AS mttr_seconds,
    quantileExactInclusive(0.5)(ttr_seconds) AS p50_seconds,
    quantileExactInclusive(0.9)(ttr_seconds) AS p90_seconds,
    quantileExactInclusive(0.99)(ttr_seconds) AS p99_seconds,
    avg(ttd_seconds) AS mttd_seconds,
    avg(tta_seconds) AS mtta_seconds,
    avg(ttm_seconds) AS mttm_seconds
FROM mttr.incidents FINAL
WHERE status = 'resolved'
GROUP BY service, environment, severity;

-- The same measures bucketed by the UTC day of resolved_at.
CREATE OR REPLACE VIEW mttr.mttr_daily_live AS
SELECT
    toDate(resolved_at, 'UTC') AS day,
    service,
    environment,
    severity,
    count() AS incidents,
    avg(ttr_seconds) AS mttr_seconds,
    quantileExactInclusive(0.5)(ttr_seconds) AS p50_seconds,
    quantileExactInclusive(0.9)(ttr_seconds) AS p90_seconds,
    avg(ttd_seconds) AS mttd_seconds,
    avg(tta_seconds) AS mtta_seconds
FROM mttr.incidents FINAL
WHERE status = 'resolved'
GROUP BY day, service, environment, severity;

-- By the ISO week (starting Monday, UTC) of resolved_at; `week` is that Monday.
CREATE OR REPLACE VIEW mttr.mttr_weekly_live AS
SELECT
    toMonday(toDate(resolved_at, 'UTC')) AS week,
    service,
    environment,
    severity,
    count() AS incidents,
    avg(ttr_seconds) AS mttr_seconds,
    quantileExactInclusive(0.5)(ttr_seconds) AS p50_seconds,
    quantileExactInclusive(0.9)(ttr_seconds) AS p90_seconds,
    avg(ttd_seconds) AS mttd_seconds,
    avg(tta_seconds) AS mtta_seconds
FROM mttr.incidents FINAL
WHERE status = 'resolved'
GROUP BY week, service, environment, severity;

-- By the calendar month (UTC) of resolved_at; `month` is its first day.
CREATE OR REPLACE VIEW mttr.mttr_monthly_live AS
SELECT
    toStartOfMonth(toDate(resolved_at, 'UTC')) AS month,
    service,
    environment,
    severity,
    count() AS incidents,
    avg(ttr_seconds) AS mttr_seconds,
    quantileExactInclusive(0.5)(ttr_seconds) AS p50_seconds,
    quantileExactInclusive(0.9)(ttr_seconds) AS p90_seconds,
    avg(ttd_seconds) AS mttd_seconds,
    avg(tta_seconds) AS mtta_seconds
FROM mttr.incidents FINAL
WHERE status = 'resolved'
GROUP BY month, service, environment, severity;

-- Open incidents with their current age (now() at query time).
CREATE OR REPLACE VIEW mttr.open_incidents_live AS
SELECT
    incident_id,
    service,
    environment,
    severity,
    category,
    title,
    started_at,
    detected_at,
    acknowledged_at,
    dateDiff('millisecond', started_at, now64(3, 'UTC')) / 1000 AS age_seconds
FROM mttr.incidents FINAL
WHERE status = 'open';
