"""A large, deterministic incident history generated inside ClickHouse.

Rows are produced by ``INSERT ... SELECT`` over ``numbers()``: generating a
million rows in Python and shipping them through the client would take longer
than the benchmark itself. Every "random" value is a hash of the row number
(``cityHash64(n, salt)``), so the same ``Spec`` always yields the same data.

The shape follows ``mttr simulate``: its severity mix, its lognormal repair
times per severity and its service names; detection and acknowledgement
delays are lognormal too. On top of that the history holds what ``FINAL`` has
to resolve on a live system: incidents written in two or three versions (the
older ones open, with another severity), incidents whose newest version is a
delete marker, and deploy events whose ``started`` and ``succeeded``/``failed``
rows share a deploy id; and the changes those deploys ship, and the services'
owners (``bench.dataset_changes``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.dataset_changes import CHANGES_PER_SLOT, change_events_sql, owners_sql, sha
from streams.devtools.simulate import REPAIR, SEVERITY_MIX, service_names
from streams.engine.incident import INCIDENT_COLUMNS
from streams.ingest.rows import EVENT_COLUMNS

ENVIRONMENTS = (("production", 0.6), ("staging", 0.25), ("development", 0.15))
CATEGORIES = ("availability", "performance", "errors")
TWO_TO_53 = 9007199254740992.0


@dataclass(frozen=True)
class Spec:
    """What to generate. ``incidents`` is the number of *current* incidents."""

    incidents: int = 1_000_000
    services: int = 2000
    days: int = 730
    end: datetime = datetime(2026, 11, 23, tzinfo=UTC)
    rewritten_share: float = 0.05  # incidents stored in 2 or 3 versions
    deleted: int = 2000  # extra incidents whose newest version is a delete marker
    open_share: float = 0.001  # open incidents, all started in the last three days
    security_share: float = 0.03
    cause_share: float = 0.3  # incidents naming a succeeded deploy as their cause
    deploys_per_key: int = 50  # per service and environment over the whole history
    failed_deploy_share: float = 0.05
    incident_batches: int = 10  # inserts (parts) holding the newest versions

    @property
    def start(self) -> datetime:
        """Return the first instant of the history."""
        return self.end - timedelta(days=self.days)

    def as_dict(self) -> dict[str, Any]:
        """Return the spec as JSON-ready values."""
        values = asdict(self)
        values["end"] = self.end.isoformat()
        return values


def _u(salt: int) -> str:
    """Return SQL for a uniform number in [0, 1) derived from row ``n`` and ``salt``."""
    return f"(bitShiftRight(cityHash64(n, {salt}), 11) / {TWO_TO_53})"


def _z(salt: int) -> str:
    """Return SQL for a standard normal number (Box-Muller over two hashed uniforms)."""
    return f"(sqrt(-2 * ln(1 - {_u(salt)})) * cos(2 * pi() * {_u(salt + 1)}))"


def _pick(salt: int, choices: tuple[tuple[str, float], ...]) -> str:
    """Return SQL choosing one of ``choices`` by their shares."""
    parts, total = [], 0.0
    for name, share in choices[:-1]:
        total += share
        parts.append(f"{_u(salt)} < {total!r}, '{name}'")
    return f"multiIf({', '.join(parts)}, '{choices[-1][0]}')"


def _by_severity(values: dict[str, float]) -> str:
    """Return SQL mapping the row's ``severity`` to a number."""
    branches = ", ".join(f"severity = '{name}', {value!r}" for name, value in values.items())
    return f"multiIf({branches}, nan)"


def _sql_list(values: list[str]) -> str:
    return "[" + ", ".join(f"'{v}'" for v in values) + "]"


def incident_source(spec: Spec, first: int, count: int) -> str:
    """Return a SELECT of the newest version of incidents ``first .. first+count-1``.

    Besides the table's columns it yields ``n`` and ``final_version`` so that
    older versions and delete markers can be derived from the same rows.
    """
    start_ms = int(spec.start.timestamp() * 1000)
    end_ms = int(spec.end.timestamp() * 1000)
    span_ms = end_ms - start_ms
    slot_ms = span_ms // spec.deploys_per_key
    mu = {s: math.log(median * 60) for s, (median, _) in REPAIR.items()}
    sigma = {s: spread for s, (_, spread) in REPAIR.items()}
    ttr_mu = _by_severity(mu)
    ttr_sigma = _by_severity(sigma)
    services = _sql_list(service_names(spec.services))
    return f"""
SELECT
    number AS n,
    substring(lower(hex(SHA256(concat('bench-', toString(n))))), 1, 24) AS incident_id,
    {services}[1 + toUInt32(floor({spec.services} * pow({_u(1)}, 1.5)))] AS service,
    {_pick(2, ENVIRONMENTS)} AS environment,
    {_u(3)} < {spec.open_share!r} AS is_open,
    if(is_open, 'open', 'resolved') AS status,
    {_pick(4, SEVERITY_MIX)} AS severity,
    if({_u(5)} < {spec.security_share!r}, 'security',
       {_sql_list(list(CATEGORIES))}[1 + (cityHash64(n, 6) % {len(CATEGORIES)})]) AS category,
    concat(category, ' trouble on ', service) AS title,
    if(is_open, {end_ms} - toInt64({_u(7)} * 259200000),
       {start_ms} + toInt64({_u(7)} * {span_ms})) AS started_ms,
    if({_u(8)} < 0.9, toInt64(1000 * exp(4 + {_z(9)})), NULL) AS ttd_ms,
    if({_u(11)} < 0.8, toInt64(1000 * exp(5 + {_z(12)})), NULL) AS tta_ms,
    if(is_open, NULL, toInt64(1000 * exp({ttr_mu} + {ttr_sigma} * {_z(14)}))) AS ttr_ms,
    if({_u(16)} < 0.75, toInt64(coalesce(ttr_ms, 3600000) * (0.2 + 0.7 * {_u(17)})), NULL)
        AS ttm_ms,
    if({_u(18)} < 0.5, toInt64(coalesce(ttm_ms, ttr_ms, 600000) * 0.5), NULL) AS tti_ms,
    started_ms + coalesce(ttd_ms, 0) AS detected_ms,
    intDiv(started_ms - {start_ms}, {slot_ms}) - 1 AS cause_slot,
    toUInt32(1 + cityHash64(n, 19) % 5) AS alert_count,
    if({_u(20)} < {spec.rewritten_share!r}, 2 + cityHash64(n, 21) % 2, 1) AS final_version,
    fromUnixTimestamp64Milli(started_ms, 'UTC') AS started_at,
    fromUnixTimestamp64Milli(detected_ms, 'UTC') AS detected_at,
    if(tta_ms IS NULL, NULL, fromUnixTimestamp64Milli(detected_ms + tta_ms, 'UTC'))
        AS acknowledged_at,
    if(tti_ms IS NULL, NULL, fromUnixTimestamp64Milli(detected_ms + tti_ms, 'UTC'))
        AS identified_at,
    if(ttm_ms IS NULL, NULL, fromUnixTimestamp64Milli(started_ms + ttm_ms, 'UTC'))
        AS mitigated_at,
    if(ttr_ms IS NULL, NULL, fromUnixTimestamp64Milli(started_ms + ttr_ms, 'UTC'))
        AS resolved_at,
    ttd_ms / 1000 AS ttd_seconds,
    tta_ms / 1000 AS tta_seconds,
    tti_ms / 1000 AS tti_seconds,
    ttm_ms / 1000 AS ttm_seconds,
    ttr_ms / 1000 AS ttr_seconds,
    arrayMap(k -> concat('alert-', toString(n), '-', toString(k)), range(alert_count))
        AS alert_ids,
    if({_u(22)} < 0.5, [concat('TKT-', toString(n))], []) AS ticket_ids,
    toUInt32(alert_count * 2 + length(ticket_ids) * 2 + cityHash64(n, 23) % 4) AS event_count,
    if(cause_slot >= 0 AND {_u(24)} < {spec.cause_share!r},
       concat('deploy-', service, '-', environment, '-', toString(cause_slot)), NULL)
        AS cause_deploy_id,
    if({_u(25)} < 0.2, concat('fix-', toString(n)), NULL) AS fix_deploy_id,
    if(fix_deploy_id IS NULL, NULL, if({_u(26)} < 0.7, 'rollback', 'hotfix')) AS repair_action,
    toUInt32({_u(27)} < 0.02) AS reopen_count,
    toUInt8(NOT is_open) AS completed,
    CAST([], 'Array(String)') AS quality_flags,
    CAST(NULL AS Nullable(DateTime64(3, 'UTC'))) AS reviewed_at,
    CAST(NULL AS Nullable(Float64)) AS time_to_review_seconds,
    concat('Alert', toString(cityHash64(n, 28) % 40)) AS fingerprint,
    toUInt8(0) AS is_deleted,
    toUInt64(final_version) AS version,
    fromUnixTimestamp64Milli(started_ms + coalesce(ttr_ms, ttd_ms, 0) + 1000, 'UTC')
        AS updated_at
FROM numbers({first}, {count})"""


def columns(overrides: dict[str, str] | None = None) -> str:
    """Return the ``mttr.incidents`` column list, with SQL expressions replacing some."""
    overrides = overrides or {}
    return ", ".join(overrides.get(c, c) for c in INCIDENT_COLUMNS)


def _older_versions_sql(spec: Spec) -> str:
    """Return the INSERT of the earlier versions: open, another severity, older."""
    total = spec.incidents + spec.deleted
    severities = _sql_list([s for s, _ in SEVERITY_MIX])
    older = {
        "status": "'open' AS status",
        "severity": f"{severities}[1 + (cityHash64(n, v, 30) % 4)] AS severity",
        "mitigated_at": "NULL AS mitigated_at",
        "resolved_at": "NULL AS resolved_at",
        "ttm_seconds": "NULL AS ttm_seconds",
        "ttr_seconds": "NULL AS ttr_seconds",
        "completed": "toUInt8(0) AS completed",
        "fix_deploy_id": "NULL AS fix_deploy_id",
        "repair_action": "NULL AS repair_action",
        "version": "toUInt64(v) AS version",
        "updated_at": "detected_at + toIntervalSecond(v) AS updated_at",
    }
    return (
        f"INSERT INTO mttr.incidents ({columns()}) SELECT {columns(older)} "
        f"FROM ({incident_source(spec, 0, total)}) ARRAY JOIN range(1, final_version) AS v "
        "WHERE final_version > 1"
    )


def _delete_markers_sql(spec: Spec) -> str:
    """Return the INSERT of a delete marker above the newest version of the extra incidents."""
    marker = {
        "is_deleted": "toUInt8(1) AS is_deleted",
        "version": "toUInt64(final_version + 1) AS version",
        "updated_at": "fromUnixTimestamp64Milli(started_ms + coalesce(ttr_ms, ttd_ms, 0) + 301000,"
        " 'UTC') AS updated_at",
    }
    return (
        f"INSERT INTO mttr.incidents ({columns()}) SELECT {columns(marker)} "
        f"FROM ({incident_source(spec, spec.incidents, spec.deleted)})"
    )


def _deploy_events_sql(spec: Spec, status: str) -> str:
    """Return the INSERT of one deploy event per deploy: ``started`` or its outcome."""
    keys = spec.services * len(ENVIRONMENTS)
    start_ms = int(spec.start.timestamp() * 1000)
    slot_ms = (int(spec.end.timestamp() * 1000) - start_ms) // spec.deploys_per_key
    envs = _sql_list([e for e, _ in ENVIRONMENTS])
    services = _sql_list(service_names(spec.services))
    if status == "started":
        status_sql = "'started'"
        offset = f"- toInt64(60000 * (2 + 10 * {_u(41)}))"
    else:
        status_sql = f"if({_u(42)} < {spec.failed_deploy_share!r}, 'failed', 'succeeded')"
        offset = ""
    columns = ", ".join(EVENT_COLUMNS)
    return f"""
INSERT INTO mttr.events ({", ".join(EVENT_COLUMNS)})
SELECT {columns} FROM (
SELECT
    number AS n,
    {services}[1 + intDiv(n % {keys}, {len(ENVIRONMENTS)})] AS service,
    {envs}[1 + n % {len(ENVIRONMENTS)}] AS environment,
    intDiv(n, {keys}) AS slot,
    concat('deploy-', service, '-', environment, '-', toString(slot)) AS subject_id,
    {status_sql} AS status,
    {start_ms} + slot * {slot_ms} + toInt64({_u(40)} * {slot_ms * 0.9}) {offset} AS at_ms,
    fromUnixTimestamp64Milli(at_ms, 'UTC') AS occurred_at,
    concat(subject_id, '-', status) AS event_id,
    'deploy' AS type,
    'ci' AS source,
    CAST(NULL, 'Nullable(String)') AS severity,
    CAST(NULL, 'Nullable(String)') AS category,
    if({_u(43)} < 0.15, 'config', 'release') AS kind,
    {sha("service", "slot", str(CHANGES_PER_SLOT - 1))} AS commit_sha,
    CAST(NULL AS Nullable(DateTime64(3, 'UTC'))) AS first_commit_at,
    concat('{{"event_id":"', event_id, '","type":"deploy","service":"', service,
           '","environment":"', environment, '","occurred_at":"',
           replaceOne(toString(occurred_at), ' ', 'T'), 'Z',
           '","deploy_id":"', subject_id, '","status":"', status, '","kind":"', kind,
           '","commit_sha":"', commit_sha, '"}}')
        AS raw,
    'deploys' AS kafka_topic,
    toInt32(cityHash64(service) % 4) AS kafka_partition,
    toInt64(n) AS kafka_offset,
    fromUnixTimestamp64Milli(at_ms + 100 + toInt64(4900 * {_u(44)}), 'UTC') AS ingested_at
FROM numbers({keys * spec.deploys_per_key})
)"""


def insert_statements(spec: Spec) -> list[str]:
    """Return every INSERT, one per part.

    Older versions, newest versions, delete markers, deploys, changes
    (``bench.dataset_changes``) and owners.
    """
    total = spec.incidents + spec.deleted
    batch = math.ceil(total / spec.incident_batches)
    statements = [_older_versions_sql(spec)]
    for first in range(0, total, batch):
        count = min(batch, total - first)
        statements.append(
            f"INSERT INTO mttr.incidents ({columns()}) SELECT {columns()} "
            f"FROM ({incident_source(spec, first, count)})"
        )
    statements.append(_delete_markers_sql(spec))
    statements += [_deploy_events_sql(spec, "started"), _deploy_events_sql(spec, "outcome")]
    statements += [change_events_sql(spec), owners_sql(spec)]
    return statements
