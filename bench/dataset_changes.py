"""Changes and owners for the views benchmark's history (``bench.dataset``), in SQL.

Per service and deploy slot (``Spec.deploys_per_key`` slots over the history),
``CHANGES_PER_SLOT`` changes land in the half slot before the slot starts;
every deploy of the slot (any environment) names the commit of the slot's
last change (``j = CHANGES_PER_SLOT - 1``), so it ships the slot's changes
landed up to that one (docs/metrics.md, "Lead time for changes"). First
commits are hours to days before landing (lognormal). Owners: each service
belongs to one of ``TEAMS`` teams from the beginning, and one in ten moves to
another team in the middle of the history. Every value is a hash of the row
number, so the same ``Spec`` gives the same rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from streams.devtools.simulate import service_names
from streams.ingest.rows import EVENT_COLUMNS

if TYPE_CHECKING:
    from bench.dataset import Spec

CHANGES_PER_SLOT = 2
TEAMS = 50
TWO_TO_53 = 9007199254740992.0


def sha(service: str, slot: str, j: str) -> str:
    """Return SQL for the commit of change ``j`` of ``slot`` of ``service`` (16 hex digits)."""
    return f"lower(hex(cityHash64({service}, {slot}, {j}, 77)))"


def _u(salt: int) -> str:
    return f"(bitShiftRight(cityHash64(n, {salt}), 11) / {TWO_TO_53})"


def change_events_sql(spec: Spec) -> str:
    """Return the INSERT of every change event (one part)."""
    start_ms = int(spec.start.timestamp() * 1000)
    slot_ms = (int(spec.end.timestamp() * 1000) - start_ms) // spec.deploys_per_key
    services = "[" + ", ".join(f"'{s}'" for s in service_names(spec.services)) + "]"
    per_service = spec.deploys_per_key * CHANGES_PER_SLOT
    lognormal_ms = (
        f"toInt64(3600000 * exp(2.5 + sqrt(-2 * ln(1 - {_u(51)})) * cos(2 * pi() * {_u(52)})))"  # noqa: E501
    )
    return f"""
INSERT INTO mttr.events ({", ".join(EVENT_COLUMNS)})
SELECT {", ".join(EVENT_COLUMNS)} FROM (
SELECT
    number AS n,
    {services}[1 + intDiv(n, {per_service})] AS service,
    intDiv(n % {per_service}, {CHANGES_PER_SLOT}) AS slot,
    n % {CHANGES_PER_SLOT} AS j,
    {sha("service", "slot", "j")} AS commit_sha,
    {start_ms} + slot * {slot_ms} - toInt64((0.02 + 0.48 * {_u(50)}) * {slot_ms}) AS at_ms,
    fromUnixTimestamp64Milli(at_ms, 'UTC') AS occurred_at,
    toNullable(fromUnixTimestamp64Milli(at_ms - least({lognormal_ms}, 30 * 86400000), 'UTC'))
        AS first_commit_at,
    concat('change-', service, '-', toString(slot), '-', toString(j)) AS event_id,
    concat('PR-', toString(n)) AS subject_id,
    'change' AS type,
    'production' AS environment,
    'github' AS source,
    'landed' AS status,
    CAST(NULL, 'Nullable(String)') AS severity,
    CAST(NULL, 'Nullable(String)') AS category,
    CAST(NULL, 'Nullable(String)') AS kind,
    concat('{{"event_id":"', event_id, '","type":"change","service":"', service,
           '","change_id":"', subject_id, '","commit_sha":"', commit_sha, '"}}') AS raw,
    'changes' AS kafka_topic,
    toInt32(cityHash64(service) % 4) AS kafka_partition,
    toInt64(n) AS kafka_offset,
    fromUnixTimestamp64Milli(at_ms + 1000, 'UTC') AS ingested_at
FROM numbers({spec.services * per_service})
)"""


def owners_sql(spec: Spec) -> str:
    """Return the INSERT of the ownership periods (one part)."""
    services = "[" + ", ".join(f"'{s}'" for s in service_names(spec.services)) + "]"
    middle = spec.start + (spec.end - spec.start) / 2
    return f"""
INSERT INTO mttr.service_owners (service, team, valid_from, source, loaded_at, is_deleted)
SELECT service, team, valid_from, 'bench', toDateTime64('{spec.end:%Y-%m-%d}', 3, 'UTC'), 0
FROM (
    SELECT arrayJoin({services}) AS service, cityHash64(service) AS h,
           arrayJoin(if(h % 10 = 0, [0, 1], [0])) AS moved,
           concat('team-', toString((h + moved) % {TEAMS})) AS team,
           if(moved = 1, toDateTime64('{middle:%Y-%m-%d %H:%M:%S}', 3, 'UTC'),
              toDateTime64(0, 3, 'UTC')) AS valid_from
)"""
