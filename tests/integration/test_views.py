"""Every analytics view (sql/005, sql/006) against an independent Python model.

One real embedded ClickHouse (chDB) is built once for the module: the schema
from the migrations, a seeded incident history (random.Random(42)) and deploy
events. The history contains what ``FINAL`` has to get right: incidents written
in several versions (only the highest counts), incidents whose newest version
is a delete marker (they vanish, also as a DORA cause), one incident deleted
and then re-created, and a deploy event stored twice under the same event_id.

The expectations never come from ClickHouse: they are computed in plain Python
from the "current incidents" (per incident_id the highest version, dropped when
it is a delete marker) following docs/metrics.md, and every column of every
row of every view is compared.
"""

from __future__ import annotations

import calendar
import math
import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from clickhouse_connect.driver.client import Client

from streams.clickhouse import connect, load_migrations, migrate
from streams.incident import INCIDENT_COLUMNS
from streams.rows import EVENT_COLUMNS
from streams.settings import Settings
from streams.snapshots import in_use, refresh

pytestmark = pytest.mark.integration

SERVICES = ("checkout", "payments", "search", "auth")
ENVIRONMENTS = ("prod", "staging")
SEVERITIES = ("critical", "high", "medium", "low")
CATEGORIES = ("availability", "latency", "errors", "security")
DEFAULT_TARGETS = {"critical": 3600, "high": 14400, "medium": 86400, "low": 259200}

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
HISTORY_START = datetime(2025, 10, 13, tzinfo=UTC)
HISTORY_DAYS = 120
# Deploys start a month earlier: September has deploys but no resolved incident,
# the case where dora_monthly has no median time to restore.
DEPLOY_START = datetime(2025, 9, 1, tzinfo=UTC)
DEPLOY_END = HISTORY_START + timedelta(days=HISTORY_DAYS)

INCIDENTS = 300
SUCCEEDED_DEPLOYS = 200


def ms_of(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(milliseconds=1)


def at_ms(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)


# --- the reference model -------------------------------------------------------


def quantile(values: Iterable[float], q: float) -> float:
    """Return the linear-interpolation quantile (numpy "linear", R7)."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


def mean(values: Iterable[float | None]) -> float | None:
    """Return the mean of the present values, None when there is none."""
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def test_quantile_matches_the_documented_example() -> None:
    assert quantile([3000, 600, 1200], 0.5) == 1200
    assert quantile([3000, 600, 1200], 0.9) == pytest.approx(2640)
    assert quantile([3000, 600, 1200], 0.99) == pytest.approx(2964)
    assert quantile([5.0], 0.9) == 5.0
    assert quantile([1.0, 2.0, 3.0, 4.0], 0.25) == pytest.approx(1.75)


def day_of(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def monday_of(moment: datetime) -> date:
    day = day_of(moment)
    return day - timedelta(days=day.weekday())


def month_of(moment: datetime) -> date:
    return day_of(moment).replace(day=1)


def duration_measures(group: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the measures shared by the daily, weekly and monthly views."""
    ttr = [i["ttr_seconds"] for i in group]
    return {
        "incidents": len(group),
        "mttr_seconds": mean(ttr),
        "p50_seconds": quantile(ttr, 0.5),
        "p90_seconds": quantile(ttr, 0.9),
        "mttd_seconds": mean(i["ttd_seconds"] for i in group),
        "mtta_seconds": mean(i["tta_seconds"] for i in group),
    }


def group_by(
    rows: Iterable[dict[str, Any]], key: Callable[[dict[str, Any]], tuple[Any, ...]]
) -> dict[tuple[Any, ...], list[dict[str, Any]]]:
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return dict(groups)


def resolved(incidents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for i in incidents if i["status"] == "resolved"]


def by_key(i: dict[str, Any]) -> tuple[str, str, str]:
    return (i["service"], i["environment"], i["severity"])


def expected_by_service_severity(incidents: list[dict[str, Any]]) -> dict[tuple[Any, ...], Any]:
    expected = {}
    for key, group in group_by(resolved(incidents), by_key).items():
        ttr = [i["ttr_seconds"] for i in group]
        expected[key] = {
            "incidents": len(group),
            "mttr_seconds": mean(ttr),
            "p50_seconds": quantile(ttr, 0.5),
            "p90_seconds": quantile(ttr, 0.9),
            "p99_seconds": quantile(ttr, 0.99),
            "mttd_seconds": mean(i["ttd_seconds"] for i in group),
            "mtta_seconds": mean(i["tta_seconds"] for i in group),
            "mttm_seconds": mean(i["ttm_seconds"] for i in group),
        }
    return expected


def expected_bucketed(
    incidents: list[dict[str, Any]], bucket: Callable[[datetime], date]
) -> dict[tuple[Any, ...], Any]:
    groups = group_by(resolved(incidents), lambda i: (bucket(i["resolved_at"]), *by_key(i)))
    return {key: duration_measures(group) for key, group in groups.items()}


def expected_rolling_30d(incidents: list[dict[str, Any]]) -> dict[tuple[Any, ...], Any]:
    expected = {}
    for key, group in group_by(resolved(incidents), by_key).items():
        days = [day_of(i["resolved_at"]) for i in group]
        day = min(days)
        while day <= max(days) + timedelta(days=29):
            window = [
                i["ttr_seconds"]
                for i, d in zip(group, days, strict=True)
                if day - timedelta(days=29) <= d <= day
            ]
            if window:
                expected[(day, *key)] = {
                    "incidents": len(window),
                    "mttr_seconds": mean(window),
                    "p90_seconds": quantile(window, 0.9),
                }
            day += timedelta(days=1)
    return expected


def mtbf_gaps(incidents: list[dict[str, Any]]) -> dict[tuple[str, str], list[float]]:
    """Return the end-to-start gaps per service/environment (open incidents included)."""
    gaps: dict[tuple[str, str], list[float]] = {}
    by_service = group_by(incidents, lambda i: (i["service"], i["environment"]))
    for key, group in by_service.items():
        ordered = sorted(group, key=lambda i: (i["started_at"], i["incident_id"]))
        gaps[key] = [
            max((current["started_at"] - previous["resolved_at"]).total_seconds(), 0.0)
            for previous, current in zip(ordered, ordered[1:], strict=False)
            if previous["resolved_at"] is not None
        ]
    return gaps


def expected_mtbf(incidents: list[dict[str, Any]]) -> dict[tuple[Any, ...], Any]:
    return {
        key: {"gaps": len(gaps), "mtbf_seconds": mean(gaps)}
        for key, gaps in mtbf_gaps(incidents).items()
        if gaps
    }


def expected_sla(
    incidents: list[dict[str, Any]], targets: dict[str, int]
) -> dict[tuple[Any, ...], Any]:
    expected = {}
    groups = group_by(resolved(incidents), lambda i: (month_of(i["resolved_at"]), *by_key(i)))
    for key, group in groups.items():
        target = targets[key[3]]
        breached = sum(1 for i in group if i["ttr_seconds"] > target)
        expected[key] = {
            "target_seconds": target,
            "incidents": len(group),
            "breached": breached,
            "breach_rate": breached / len(group),
        }
    return expected


def expected_security(incidents: list[dict[str, Any]]) -> dict[tuple[Any, ...], Any]:
    expected = {}
    security = [i for i in resolved(incidents) if i["category"] == "security"]
    for key, group in group_by(security, by_key).items():
        ttr = [i["ttr_seconds"] for i in group]
        expected[key] = {
            "incidents": len(group),
            "mean_time_to_contain_seconds": mean(i["ttm_seconds"] for i in group),
            "mean_time_to_recover_seconds": mean(ttr),
            "p50_seconds": quantile(ttr, 0.5),
            "p90_seconds": quantile(ttr, 0.9),
            "mttd_seconds": mean(i["ttd_seconds"] for i in group),
            "mtta_seconds": mean(i["tta_seconds"] for i in group),
        }
    return expected


def expected_dora(
    incidents: list[dict[str, Any]], events: list[dict[str, Any]]
) -> dict[tuple[Any, ...], Any]:
    """Return dora_monthly per docs/metrics.md (median None when nothing was restored)."""
    deploys: dict[tuple[date, str, str], set[str]] = defaultdict(set)
    for event in events:
        if event["type"] == "deploy" and event["status"] == "succeeded":
            key = (month_of(event["occurred_at"]), event["service"], event["environment"])
            deploys[key].add(event["subject_id"])
    causes = {
        (i["service"], i["environment"], i["cause_deploy_id"])
        for i in incidents
        if i["cause_deploy_id"] is not None
    }
    restores = group_by(
        resolved(incidents),
        lambda i: (month_of(i["resolved_at"]), i["service"], i["environment"]),
    )
    expected = {}
    for key, ids in deploys.items():
        month, service, environment = key
        failed = sum(1 for d in ids if (service, environment, d) in causes)
        restored = restores.get(key)
        expected[key] = {
            "deployments": len(ids),
            "deploys_per_day": len(ids) / calendar.monthrange(month.year, month.month)[1],
            "failed_deployments": failed,
            "change_failure_rate": failed / len(ids),
            "median_time_to_restore_seconds": (
                quantile([i["ttr_seconds"] for i in restored], 0.5) if restored else None
            ),
        }
    return expected


# --- the seeded history --------------------------------------------------------


@dataclass
class History:
    """What was inserted, and the current incidents the views must see."""

    versions: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    event_rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def current(self) -> list[dict[str, Any]]:
        newest: dict[str, dict[str, Any]] = {}
        for row in self.versions:
            kept = newest.get(row["incident_id"])
            if kept is None or row["version"] > kept["version"]:
                newest[row["incident_id"]] = row
        return [row for row in newest.values() if not row["is_deleted"]]


Deploys = dict[tuple[str, str], list[tuple[int, str]]]


def make_events(rng: random.Random, history: History) -> tuple[Deploys, list[str]]:
    """Add the deploy events; return the succeeded (ms, id) per service/env, failed ids."""
    start, end = ms_of(DEPLOY_START), ms_of(DEPLOY_END)
    succeeded: Deploys = defaultdict(list)
    failed: list[str] = []
    numbers = iter(range(1, 10_000))

    def add(deploy_id: str, service: str, environment: str, ms: int, status: str) -> None:
        occurred_at = at_ms(ms)
        event = {
            "event_id": f"ev-{next(numbers):05d}",
            "type": "deploy",
            "service": service,
            "environment": environment,
            "occurred_at": occurred_at,
            "source": "ci",
            "status": status,
            "subject_id": deploy_id,
            "severity": None,
            "category": None,
            "kind": rng.choice(["release", "config", None]),
            "raw": f'{{"deploy_id":"{deploy_id}","status":"{status}"}}',
            "kafka_topic": "deploys",
            "kafka_partition": rng.randrange(4),
            "kafka_offset": rng.randrange(1_000_000),
            "ingested_at": occurred_at + timedelta(seconds=rng.uniform(0.1, 5)),
        }
        history.events.append(event)
        history.event_rows.append(event)

    for n in range(SUCCEEDED_DEPLOYS):
        service, environment = rng.choice(SERVICES), rng.choice(ENVIRONMENTS)
        deploy_id = f"dep-{service}-{environment}-{n:04d}"
        done = rng.randrange(start, end)
        if rng.random() < 0.6:  # its 'started' event: never counted
            add(deploy_id, service, environment, done - rng.randrange(60_000, 1_800_000), "started")
        add(deploy_id, service, environment, done, "succeeded")
        succeeded[(service, environment)].append((done, deploy_id))

    # a deploy started in one month and succeeded in the next counts in the next
    month_end = ms_of(datetime(2025, 11, 1, tzinfo=UTC))
    add("dep-search-prod-cross", "search", "prod", month_end - 300_000, "started")
    add("dep-search-prod-cross", "search", "prod", month_end + 300_000, "succeeded")
    succeeded[("search", "prod")].append((month_end + 300_000, "dep-search-prod-cross"))

    # a succeeded deploy announced twice (two event ids, same deploy id): counted once
    done, deploy_id = succeeded[("checkout", "prod")][0]
    add(deploy_id, "checkout", "prod", done + 1000, "succeeded")

    # failed deploys: never counted, even when an incident names them as cause
    for n in range(25):
        service, environment = rng.choice(SERVICES), rng.choice(ENVIRONMENTS)
        deploy_id = f"dep-{service}-{environment}-failed-{n:02d}"
        done = rng.randrange(start, end)
        add(deploy_id, service, environment, done - 120_000, "started")
        add(deploy_id, service, environment, done, "failed")
        failed.append(deploy_id)

    # one event redelivered: the same event_id stored twice, FINAL keeps one
    redelivered = dict(history.events[5])
    redelivered["ingested_at"] = redelivered["ingested_at"] + timedelta(minutes=3)
    history.event_rows.append(redelivered)
    return succeeded, failed


def make_incident(rng: random.Random, n: int, deploys: Deploys) -> dict[str, Any]:
    service, environment = rng.choice(SERVICES), rng.choice(ENVIRONMENTS)
    security_share = 0.4 if service == "auth" else 0.1
    category = "security" if rng.random() < security_share else rng.choice(CATEGORIES[:3])
    started = ms_of(HISTORY_START) + rng.randrange(HISTORY_DAYS * 86_400_000)
    is_open = rng.random() < 0.05
    ttd_ms = round(rng.lognormvariate(4, 1) * 1000) if rng.random() < 0.9 else None
    detected = started + (ttd_ms or 0)
    tta_ms = round(rng.lognormvariate(5, 1) * 1000) if rng.random() < 0.8 else None
    ttr_ms = None if is_open else round(rng.lognormvariate(8, 1.6) * 1000)
    ttm_ms = None
    if rng.random() < 0.75:
        ttm_ms = round((ttr_ms or 4_000_000) * rng.uniform(0.2, 0.9))
    cause = None
    candidates = [d for d in deploys.get((service, environment), []) if d[0] < started]
    if candidates and rng.random() < 0.35:
        cause = rng.choice(candidates[-10:])[1]

    def seconds(value: int | None) -> float | None:
        return None if value is None else value / 1000

    return {
        "incident_id": f"inc-{n:04d}",
        "service": service,
        "environment": environment,
        "status": "open" if is_open else "resolved",
        "severity": rng.choice(SEVERITIES),
        "category": category,
        "title": f"{category} trouble on {service} #{n}",
        "started_at": at_ms(started),
        "detected_at": at_ms(detected),
        "acknowledged_at": None if tta_ms is None else at_ms(detected + tta_ms),
        "identified_at": None,
        "mitigated_at": None if ttm_ms is None else at_ms(started + ttm_ms),
        "resolved_at": None if ttr_ms is None else at_ms(started + ttr_ms),
        "ttd_seconds": seconds(ttd_ms),
        "tta_seconds": seconds(tta_ms),
        "tti_seconds": None,
        "ttm_seconds": seconds(ttm_ms),
        "ttr_seconds": seconds(ttr_ms),
        "alert_count": rng.randrange(1, 6),
        "alert_ids": [f"alert-{n}-{k}" for k in range(2)],
        "ticket_ids": [],
        "event_count": rng.randrange(1, 20),
        "cause_deploy_id": cause,
        "fix_deploy_id": None,
        "repair_action": None,
        "reopen_count": 0,
        "completed": 0 if is_open else 1,
        "quality_flags": [],
        "is_deleted": 0,
        "version": 1,
        "updated_at": at_ms(started + (ttr_ms or 0) + 1000),
    }


def older_version(
    rng: random.Random, row: dict[str, Any], version: int, deploys: Deploys
) -> dict[str, Any]:
    """Return an earlier, different version of ``row`` (same sort key)."""
    old = dict(row)
    old["version"] = version
    old["severity"] = rng.choice([s for s in SEVERITIES if s != row["severity"]])
    old["category"] = rng.choice(CATEGORIES)
    old["updated_at"] = row["updated_at"] - timedelta(minutes=10 * (10 - version))
    # a real succeeded deploy: it would count as failed if an old version leaked
    own = [d for _, d in deploys[(row["service"], row["environment"])]]
    old["cause_deploy_id"] = rng.choice([None, rng.choice(own)])
    if row["status"] == "resolved" and rng.random() < 0.5:
        old.update(status="open", resolved_at=None, ttr_seconds=None, completed=0)
    else:  # resolved earlier with another ttr (the incident was later reopened)
        ttr = round(rng.uniform(60, 200_000), 3)
        old.update(
            status="resolved",
            ttr_seconds=ttr,
            resolved_at=row["started_at"] + timedelta(seconds=ttr),
            completed=1,
        )
    return old


def make_history() -> History:
    rng = random.Random(42)
    history = History()
    deploys, failed = make_events(rng, history)
    finals = [make_incident(rng, n, deploys) for n in range(INCIDENTS)]

    # force an overlap (clamped MTBF gap) and a started_at tie (ordered by id)
    first = finals[0]
    for row in finals[1:3]:
        shift = first["started_at"] + timedelta(seconds=30) - row["started_at"]
        moved = ("started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at")
        for column in (*moved, "updated_at"):
            if row[column] is not None:
                row[column] += shift
        row.update(service=first["service"], environment=first["environment"])
    # a failed deploy named as cause must not appear at all
    finals[4]["cause_deploy_id"] = failed[0]
    # ttr exactly at the target is no breach (also at the changed 'high' target 7200)
    for row, severity, ttr in zip(
        finals[10:13], ("high", "critical", "high"), (14400, 3600, 7200), strict=True
    ):
        row.update(status="resolved", severity=severity, ttr_seconds=float(ttr), completed=1)
        row["resolved_at"] = row["started_at"] + timedelta(seconds=ttr)

    for row in finals:
        n = int(row["incident_id"].split("-")[1])
        if n % 9 == 5:  # rewritten: 2 or 3 versions, the last one counts
            count = 2 + n % 2
            row["version"] = count
            history.versions += [older_version(rng, row, v, deploys) for v in range(1, count)]
        history.versions.append(row)
        if n % 23 == 7:  # newest version is a delete marker: the incident vanishes
            marker = dict(row, version=row["version"] + 1, is_deleted=1)
            marker["updated_at"] = row["updated_at"] + timedelta(minutes=5)
            if n % 2:  # even the cause of a deleted incident does not count
                marker["cause_deploy_id"] = row["cause_deploy_id"] = deploys[
                    (row["service"], row["environment"])
                ][-1][1]
            history.versions.append(marker)
        if n == 100:  # deleted, then re-created: present with its newest version
            history.versions.append(dict(row, version=row["version"] + 1, is_deleted=1))
            history.versions.append(dict(row, version=row["version"] + 2, severity="critical"))

    # a cause deploy of another service/environment must not count as failed
    referenced = {r["cause_deploy_id"] for r in history.versions}
    foreign = next(d for _, d in deploys[("auth", "staging")] if d not in referenced)
    finals[3].update(service="payments", environment="prod", cause_deploy_id=foreign)
    return history


@dataclass
class Database:
    client: Client
    history: History
    mode: str

    def rows(self, view: str, key: tuple[str, ...]) -> dict[tuple[Any, ...], dict[str, Any]]:
        result = self.client.query(f"SELECT * FROM mttr.{view}")
        rows: dict[tuple[Any, ...], dict[str, Any]] = {}
        for row in result.named_results():
            group = tuple(row.pop(k) for k in key)
            assert group not in rows, f"{view}: duplicate group {group}"
            rows[group] = row
        return rows


# How the views are read (streams/snapshots.py): "live" right after migrate;
# "refreshed" from snapshots taken after every insert; "changed" from snapshots
# taken before the recent writes (newer versions and delete markers of one
# service, deploys of another, the redelivered event), which are then read
# live; "rebuilt" after a refresh that built on the "changed" state.
MODES = ("live", "refreshed", "changed", "rebuilt")
RECENT = HISTORY_START + timedelta(days=90)


def is_recent_write(row: dict[str, Any]) -> bool:
    if "incident_id" in row:
        return row["service"] == "search" and row["updated_at"] >= RECENT
    return row["service"] == "auth" and row["occurred_at"] >= RECENT


def insert(client: Client, table: str, rows: list[dict[str, Any]], columns: list[str]) -> None:
    client.insert(table, [[r[c] for c in columns] for r in rows], column_names=columns)


@pytest.fixture(scope="module", params=MODES)
def db(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Database]:
    mode = request.param
    settings = Settings(var_dir=tmp_path_factory.mktemp(f"views-{mode}") / "var")
    client = connect(settings)
    try:
        migrate(client, load_migrations())
        history = make_history()
        rows = list(history.versions)
        random.Random(7).shuffle(rows)  # versions arrive in any order, across parts
        events = history.event_rows
        held = mode in ("changed", "rebuilt")
        recent = [r for r in rows if held and is_recent_write(r)]
        rows = [r for r in rows if not (held and is_recent_write(r))]
        recent_events = [e for e in events[:-1] if held and is_recent_write(e)] + events[-1:]
        events = [e for e in events[:-1] if not (held and is_recent_write(e))]
        columns, event_columns = list(INCIDENT_COLUMNS), list(EVENT_COLUMNS)
        for part in (rows[:120], rows[120:250], rows[250:]):
            insert(client, "mttr.incidents", part, columns)
        insert(client, "mttr.events", events, event_columns)
        if held:
            refresh(client, grace_s=0)
            assert recent and len(recent_events) > 1, "the test data has no recent writes"
            insert(client, "mttr.incidents", recent, columns)
        insert(client, "mttr.events", recent_events, event_columns)
        if mode == "refreshed":
            refresh(client, grace_s=0)
        if mode == "rebuilt":
            refresh(client, full=False, grace_s=0)
        yield Database(client, history, mode)
    finally:
        client.close()


# --- comparison ----------------------------------------------------------------


def assert_same(actual: dict[Any, dict[str, Any]], expected: dict[Any, dict[str, Any]]) -> None:
    """Compare two result sets keyed by group: same groups, same columns, same values."""
    assert expected, "the model produced no rows: the test data is broken"
    missing = sorted(set(expected) - set(actual), key=str)
    extra = sorted(set(actual) - set(expected), key=str)
    assert not missing and not extra, f"missing groups {missing[:5]}, extra groups {extra[:5]}"
    problems = []
    for key, want in expected.items():
        got = actual[key]
        assert set(got) == set(want), f"{key}: columns {sorted(got)} != {sorted(want)}"
        for column, value in want.items():
            if isinstance(value, float):
                ok = isinstance(got[column], float) and got[column] == pytest.approx(
                    value, rel=1e-9, abs=1e-6
                )
            else:
                ok = got[column] == value
            if not ok:
                problems.append(f"{key} {column}: got {got[column]!r}, expected {value!r}")
    assert not problems, f"{len(problems)} mismatches:\n" + "\n".join(problems[:20])


# --- the data really has the cases the views must handle ----------------------


def test_history_covers_the_final_cases(db: Database) -> None:
    history = db.history
    ids = [r["incident_id"] for r in history.versions]
    current = history.current
    assert 280 <= len(current) <= 300
    assert sum(ids.count(i) >= 3 for i in set(ids)) >= 5  # 3-version incidents
    deleted = {r["incident_id"] for r in history.versions} - {r["incident_id"] for r in current}
    assert len(deleted) >= 10
    assert any(r["status"] == "open" for r in current)
    assert any(r["category"] == "security" for r in resolved(current))
    assert any(gap == 0.0 for gaps in mtbf_gaps(current).values() for gap in gaps)
    assert any(r["cause_deploy_id"] for r in current)
    # FINAL sanity: one row per current incident, the redelivered event stored once
    final = db.client.query("SELECT count(), uniqExact(incident_id) FROM mttr.incidents FINAL")
    assert final.result_rows == [(len(current), len(current))]
    events = db.client.query("SELECT count() FROM mttr.events FINAL").result_rows[0][0]
    assert events == len(history.events) == len(history.event_rows) - 1


# --- the views -----------------------------------------------------------------


def test_views_read_the_snapshots_of_their_mode(db: Database) -> None:
    """Snapshot modes really serve unchanged services from the snapshot, changed ones live."""
    assert in_use(db.client) == (db.mode != "live")
    if db.mode == "live":
        return
    text = db.client.query(
        "SELECT create_table_query FROM system.tables "
        "WHERE database = 'mttr' AND name = 'dora_monthly'"
    ).result_rows[0][0]
    table = re.search(r"mttr\.dora_monthly__snapshot_\d+", text)
    blocks = [int(b) for b in re.findall(r"_block_number > (\d+)", text)][:2]  # incidents, events
    assert table and len(blocks) == 2, text
    from_snapshot = db.client.query(f"SELECT DISTINCT service FROM {table.group()}").result_rows
    changed = {
        table: {
            s
            for (s,) in db.client.query(
                f"SELECT DISTINCT service FROM mttr.{table} WHERE _block_number > {block}"
            ).result_rows
        }
        for table, block in zip(("incidents", "events"), blocks, strict=True)
    }
    assert {s for (s,) in from_snapshot} == set(SERVICES)
    if db.mode == "changed":  # search's versions and auth's deploys came after the snapshot
        redelivered = db.history.event_rows[-1]["service"]
        assert changed == {"incidents": {"search"}, "events": {"auth", redelivered}}
    else:
        assert changed == {"incidents": set(), "events": set()}


def test_mttr_by_service_severity(db: Database) -> None:
    actual = db.rows("mttr_by_service_severity", ("service", "environment", "severity"))
    assert_same(actual, expected_by_service_severity(db.history.current))


@pytest.mark.parametrize(
    ("view", "bucket_column", "bucket"),
    [
        ("mttr_daily", "day", day_of),
        ("mttr_weekly", "week", monday_of),
        ("mttr_monthly", "month", month_of),
    ],
)
def test_bucketed_views(
    db: Database, view: str, bucket_column: str, bucket: Callable[[datetime], date]
) -> None:
    actual = db.rows(view, (bucket_column, "service", "environment", "severity"))
    assert_same(actual, expected_bucketed(db.history.current, bucket))


def test_mttr_rolling_30d(db: Database) -> None:
    actual = db.rows("mttr_rolling_30d", ("day", "service", "environment", "severity"))
    expected = expected_rolling_30d(db.history.current)
    assert len(expected) > 1000
    assert_same(actual, expected)


def test_mtbf_by_service(db: Database) -> None:
    actual = db.rows("mtbf_by_service", ("service", "environment"))
    assert_same(actual, expected_mtbf(db.history.current))


def test_open_incidents(db: Database) -> None:
    before = datetime.now(UTC)
    actual = db.rows("open_incidents", ("incident_id",))
    after = datetime.now(UTC)
    columns = (
        "service",
        "environment",
        "severity",
        "category",
        "title",
        "started_at",
        "detected_at",
        "acknowledged_at",
    )
    open_now = [i for i in db.history.current if i["status"] == "open"]
    expected = {(i["incident_id"],): {c: i[c] for c in columns} for i in open_now}
    ages = {key: row.pop("age_seconds") for key, row in actual.items()}
    assert_same(actual, expected)
    for (incident_id,), age in ages.items():
        started = next(i["started_at"] for i in open_now if i["incident_id"] == incident_id)
        low = (before - started).total_seconds() - 2
        high = (after - started).total_seconds() + 2
        assert low <= age <= high, (incident_id, age, low, high)


def test_sla_compliance_with_default_targets(db: Database) -> None:
    actual = db.rows("sla_compliance", ("month", "service", "environment", "severity"))
    assert_same(actual, expected_sla(db.history.current, DEFAULT_TARGETS))


def test_sla_target_change_is_an_insert_and_survives_migrate(db: Database) -> None:
    changed = DEFAULT_TARGETS | {"high": 7200}
    current = db.history.current
    assert expected_sla(current, changed) != expected_sla(current, DEFAULT_TARGETS)
    key = ("month", "service", "environment", "severity")
    changed_at = datetime.now(UTC).replace(microsecond=0)
    columns = ["severity", "target_seconds", "updated_at"]
    db.client.insert("mttr.severity_targets", [["high", 7200, changed_at]], column_names=columns)
    try:
        assert_same(db.rows("sla_compliance", key), expected_sla(current, changed))
        migrate(db.client, load_migrations())  # re-inserts the 1970 defaults: must not win
        assert_same(db.rows("sla_compliance", key), expected_sla(current, changed))
    finally:  # restore the default for the other tests of the module
        restored_at = changed_at + timedelta(seconds=1)
        db.client.insert(
            "mttr.severity_targets", [["high", 14400, restored_at]], column_names=columns
        )
    assert_same(db.rows("sla_compliance", key), expected_sla(current, DEFAULT_TARGETS))


def test_security_mttr(db: Database) -> None:
    actual = db.rows("security_mttr", ("service", "environment", "severity"))
    assert_same(actual, expected_security(db.history.current))


def test_dora_monthly(db: Database) -> None:
    actual = db.rows("dora_monthly", ("month", "service", "environment"))
    expected = expected_dora(db.history.current, db.history.events)
    assert any(row["failed_deployments"] for row in expected.values())
    # September has deploys but no resolved incident: the median is NULL there
    # (restores.median is Nullable, so the LEFT JOIN default is NULL, not 0)
    nothing_restored = [
        k for k, r in expected.items() if r["median_time_to_restore_seconds"] is None
    ]
    assert len(nothing_restored) >= 4
    assert_same(actual, expected)
