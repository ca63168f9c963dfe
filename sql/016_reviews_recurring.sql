-- Learning from incidents (docs/metrics.md, "Reviews (postmortems)" and
-- "Recurring failures"): which incidents need a review and whether they got
-- one in time, and which failures keep coming back. Both views read
-- mttr.incidents FINAL live, with no snapshot (streams/storage/snapshots.py):
-- review_compliance depends on the time of the query (overdue) and on the
-- policy table, which a per-service incident snapshot would not follow;
-- recurring_failures could be snapshotted (it depends on incidents only) but
-- is not part of the snapshot machinery yet.

-- The review policy per severity: whether a resolved incident of that severity
-- needs a review (postmortem) and within how many days of resolved_at.
-- Defaults: critical and high, 7 days; medium and low need none. Change a
-- severity with a plain insert: the row with the newest updated_at wins, and
-- the defaults below are re-inserted by every `mttr migrate` with updated_at
-- 1970-01-01, so a re-run never reverts a change (as mttr.severity_targets,
-- sql/006). A severity without a row needs no review.
CREATE TABLE IF NOT EXISTS mttr.review_policy
(
    severity        String,
    review_required UInt8 COMMENT '1: a resolved incident of this severity needs a review',
    due_days        UInt32 COMMENT 'the review is due within this many days of resolved_at',
    updated_at      DateTime64(3, 'UTC') COMMENT 'the version: the newest row wins'
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY severity;

INSERT INTO mttr.review_policy (severity, review_required, due_days, updated_at) VALUES
    ('critical', 1, 7, '1970-01-01 00:00:00'),
    ('high', 1, 7, '1970-01-01 00:00:00'),
    ('medium', 0, 7, '1970-01-01 00:00:00'),
    ('low', 0, 7, '1970-01-01 00:00:00');

-- Review compliance per month of resolved_at (UTC), service, environment and
-- severity, over resolved incidents, with the current policy (it applies to
-- every month, past ones too). Counts of incidents:
--   resolved: resolved incidents; review_required: those the policy requires
--   a review of; reviewed: required ones with reviewed_at (at any time);
--   reviewed_on_time: required ones with reviewed_at <= resolved_at + due_days
--   (inclusive); overdue: required ones without reviewed_at whose due time
--   (resolved_at + due_days) is before now64(3) at query time (a late review
--   is reviewed, neither on time nor overdue).
--   review_rate = reviewed / review_required, NULL when nothing is required.
--   median_time_to_review_seconds: quantileExactInclusive(0.5) of
--   time_to_review_seconds over the reviewed required incidents; NULL if none.
CREATE OR REPLACE VIEW mttr.review_compliance AS
SELECT
    month,
    service,
    environment,
    severity,
    count() AS resolved,
    toUInt64(countIf(required)) AS review_required,
    toUInt64(countIf(required AND reviewed_at IS NOT NULL)) AS reviewed,
    toUInt64(countIf(required AND reviewed_at IS NOT NULL AND reviewed_at <= due_at))
        AS reviewed_on_time,
    toUInt64(countIf(required AND reviewed_at IS NULL AND due_at < now64(3, 'UTC'))) AS overdue,
    if(review_required = 0, NULL, reviewed / review_required) AS review_rate,
    quantileExactInclusive(0.5)(if(required AND reviewed_at IS NOT NULL,
                                   time_to_review_seconds, NULL))
        AS median_time_to_review_seconds
FROM
(
    SELECT
        toStartOfMonth(toDate(assumeNotNull(i.resolved_at), 'UTC')) AS month,
        i.service AS service,
        i.environment AS environment,
        i.severity AS severity,
        i.reviewed_at AS reviewed_at,
        i.time_to_review_seconds AS time_to_review_seconds,
        p.review_required = 1 AS required,
        addDays(assumeNotNull(i.resolved_at), p.due_days) AS due_at
    FROM mttr.incidents AS i FINAL
    LEFT JOIN
    (
        SELECT severity, review_required, due_days FROM mttr.review_policy FINAL
    ) AS p ON p.severity = i.severity
    WHERE i.status = 'resolved' AND i.resolved_at IS NOT NULL
)
GROUP BY month, service, environment, severity;

-- Recurring failures: per service, environment and fingerprint (sql/014;
-- incidents with the empty fingerprint, no alert name and no ticket title or
-- written before sql/014, are left out), over current incidents, open ones
-- included. Incidents are ordered by started_at (then incident_id); each one
-- after the first whose predecessor is resolved has the gap started_at -
-- predecessor's resolved_at, clamped at 0 when it started before that
-- resolution (an overlap); after an open predecessor there is no gap.
--   incidents: every incident; first_started_at, last_started_at: min and max
--   started_at; mttr_seconds: mean ttr_seconds of the resolved ones (NULL if
--   none); mean_time_between_seconds: mean gap (NULL without gaps, e.g. a
--   single incident); recurrences_30d: gaps of at most 30 days (inclusive,
--   to the millisecond). Read it ORDER BY recurrences_30d DESC, incidents
--   DESC, last_started_at DESC, service, environment, fingerprint.
CREATE OR REPLACE VIEW mttr.recurring_failures AS
SELECT
    service,
    environment,
    fingerprint,
    count() AS incidents,
    min(started_at) AS first_started_at,
    max(started_at) AS last_started_at,
    avg(ttr_seconds) AS mttr_seconds,
    avg(gap_ms) / 1000 AS mean_time_between_seconds,
    toUInt64(countIf(gap_ms <= 30 * 86400000)) AS recurrences_30d
FROM
(
    SELECT
        service,
        environment,
        fingerprint,
        started_at,
        resolved_ttr AS ttr_seconds,
        if(previous_ms IS NULL, NULL,
           greatest(toUnixTimestamp64Milli(started_at) - assumeNotNull(previous_ms), 0))
            AS gap_ms
    FROM
    (
        SELECT
            service,
            environment,
            fingerprint,
            started_at,
            if(status = 'resolved', ttr_seconds, NULL) AS resolved_ttr,
            lagInFrame(
                if(status = 'resolved' AND resolved_at IS NOT NULL,
                   toNullable(toUnixTimestamp64Milli(assumeNotNull(resolved_at))), NULL),
                1
            ) OVER (
                PARTITION BY service, environment, fingerprint
                ORDER BY started_at, incident_id
                ROWS BETWEEN 1 PRECEDING AND CURRENT ROW
            ) AS previous_ms
        FROM mttr.incidents FINAL
        WHERE fingerprint != ''
    )
)
GROUP BY service, environment, fingerprint;
