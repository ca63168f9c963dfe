"""The hand-made lead-time cases of docs/metrics.md, as contract events through the worker's rows.

Every event is real contract JSON, decoded by ``streams.ingest.decode.decode`` and
turned into its ``mttr.events`` row by ``streams.ingest.rows.event_to_row``, as the
worker does. Each case has a service of its own (every view groups by service), so
all of them share one database. ``steps()`` is what tests/integration/views/
test_views_lead_time.py runs: incidents, the events (one change redelivered, one
late change inserted last), a read of every view, then a replay of every event
(new ``ingested_at``, new Kafka offsets) and the same reads again. The expected
rows are written out, by hand, in that test.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from streams.engine.incident import INCIDENT_COLUMNS
from streams.ingest.decode import Decoded, Origin, decode
from streams.ingest.rows import EVENT_COLUMNS, event_to_row
from tests.support.view_steps import Insert, Read, Step, run_steps

Reads = dict[str, list[dict[str, Any]]]
VIEWS = ("changes", "shipping_deploys", "change_lead_times", "pending_changes", "dora_monthly")
TOPICS = {"change": "changes", "deploy": "deploys"}
INGESTED = datetime(2026, 12, 1, tzinfo=UTC)  # the first ingestion; the replay is a day later


def utc(stamp: str) -> datetime:
    """Return ``2026-11-02T10:00`` (seconds and milliseconds optional) as a UTC datetime."""
    return datetime.fromisoformat(stamp).replace(tzinfo=UTC)


def _z(stamp: str) -> str:
    return utc(stamp).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def change(
    event_id: str,
    service: str,
    change_id: str,
    sha: str,
    landed: str,
    first: str | None = None,
    *,
    environment: str = "production",
) -> dict[str, Any]:
    """Return a change event landed at ``landed`` (``first``: its first commit, else omitted)."""
    event = {
        "type": "change",
        "event_id": event_id,
        "service": service,
        "environment": environment,  # accepted and ignored
        "occurred_at": _z(landed),
        "change_id": change_id,
        "commit_sha": sha,
    }
    if first is not None:
        event["first_commit_at"] = _z(first)
    return event


def deploy(
    event_id: str,
    service: str,
    environment: str,
    deploy_id: str,
    at: str,
    *,
    kind: str = "release",
    sha: str | None = None,
    status: str = "succeeded",
) -> dict[str, Any]:
    """Return a deploy event of ``deploy_id`` (``sha``: the commit it names, else none)."""
    event = {
        "type": "deploy",
        "event_id": event_id,
        "service": service,
        "environment": environment,
        "occurred_at": _z(at),
        "source": "ci",
        "deploy_id": deploy_id,
        "status": status,
        "kind": kind,
    }
    if sha is not None:
        event["commit_sha"] = sha
    return event


def rows_of(messages: list[dict[str, Any]], offset: int, ingested_at: datetime) -> list[Any]:
    """Return the worker's ``mttr.events`` rows of ``messages`` (Kafka offsets from ``offset``)."""
    rows = []
    for n, message in enumerate(messages):
        topic = TOPICS[message["type"]]
        decoded = decode(
            orjson.dumps(message),
            Origin(topic, 0, offset + n),
            expected_type=message["type"],
            max_bytes=1_000_000,
        )
        assert isinstance(decoded, Decoded), decoded
        rows.append(event_to_row(decoded, ingested_at + timedelta(milliseconds=n)))
    return rows


def incident(
    incident_id: str, service: str, started: str, resolved: str | None, cause: str | None
) -> dict[str, Any]:
    """Return a current production incident row (open when ``resolved`` is None)."""
    started_at = utc(started)
    resolved_at = None if resolved is None else utc(resolved)
    ttr = None if resolved_at is None else (resolved_at - started_at).total_seconds()
    row: dict[str, Any] = dict.fromkeys(INCIDENT_COLUMNS)
    row.update(
        incident_id=incident_id,
        service=service,
        environment="production",
        status="open" if resolved_at is None else "resolved",
        severity="high",
        category="availability",
        title=f"{service} incident {incident_id}",
        started_at=started_at,
        detected_at=started_at,
        resolved_at=resolved_at,
        ttr_seconds=ttr,
        alert_count=1,
        alert_ids=[f"alert-{incident_id}"],
        ticket_ids=[],
        event_count=1,
        cause_deploy_id=cause,
        reopen_count=0,
        completed=0 if resolved_at is None else 1,
        quality_flags=[],
        reviewed_at=None,
        time_to_review_seconds=None,
        fingerprint="",
        is_deleted=0,
        version=1,
        updated_at=resolved_at or started_at,
    )
    return row


# --- the cases ---------------------------------------------------------------------

WORKED = [  # docs/metrics.md "Lead time for changes": api, 2026-11-02
    change("ev-api-c101", "api", "101", "aaaa1", "2026-11-02T10:00", "2026-11-02T09:00"),
    change("ev-api-c102", "api", "102", "bbbb2", "2026-11-02T11:00", "2026-11-02T10:30"),
    change("ev-api-c103", "api", "103", "cccc3", "2026-11-02T12:00", "2026-11-02T11:30"),
    deploy("ev-api-s1-go", "api", "staging", "S1", "2026-11-02T11:00", status="started"),
    deploy("ev-api-s1", "api", "staging", "S1", "2026-11-02T11:10", sha="bbbb2"),
    deploy("ev-api-d1", "api", "production", "D1", "2026-11-02T10:30", sha="AAAA1"),
    deploy("ev-api-d2", "api", "production", "D2", "2026-11-02T11:30", kind="rollback"),
    deploy("ev-api-d3", "api", "production", "D3", "2026-11-02T12:30", sha="bbbb2"),
    deploy("ev-api-d4", "api", "production", "D4", "2026-11-02T13:00", kind="config", sha="ffff9"),
]
EARLY = [  # landed before, at, and after the first recorded deploy; rollback/remediation
    change("ev-early-1", "early", "e1", "e1e1e1", "2026-11-05T08:00", "2026-11-05T07:00"),
    change("ev-early-2", "early", "e2", "e2e2e2", "2026-11-05T09:00", "2026-11-05T08:30"),
    change("ev-early-3", "early", "e3", "e3e3e3", "2026-11-05T09:30", "2026-11-05T09:15"),
    deploy("ev-early-d1", "early", "production", "E1", "2026-11-05T09:00"),
    deploy("ev-early-rem", "early", "production", "R1", "2026-11-05T09:40", kind="remediation",
           sha="e3e3e3"),
    deploy("ev-early-rb", "early", "production", "RB", "2026-11-05T09:45", kind="rollback",
           sha="E3E3E3"),
    deploy("ev-early-d2", "early", "production", "E2", "2026-11-05T10:00", kind="hotfix"),
]  # fmt: skip
ORPHAN = [  # a deploy naming a commit no change has: its reach is its own time
    change("ev-orphan-1", "orphan", "o1", "0a0a0a", "2026-11-06T11:00", "2026-11-06T10:00"),
    change("ev-orphan-3", "orphan", "o3", "0b0b0b", "2026-11-06T12:00:00.001"),
    deploy("ev-orphan-d1", "orphan", "production", "O1", "2026-11-06T12:00", sha="0123abcd"),
    # succeeded again, naming o3's commit: the earliest success naming one counts
    deploy("ev-orphan-d1-again", "orphan", "production", "O1", "2026-11-06T12:05", sha="0b0b0b"),
]
SHAS = [  # commit ids compare lowercased and in full, within the service
    change("ev-shas-1", "shas", "pr-1", "abc123", "2026-11-07T10:00", "2026-11-07T09:00"),
    change("ev-shas-2", "shas", "push-def456", "DEF456", "2026-11-07T11:00", "2026-11-07T10:30"),
    change("ev-other-1", "other", "pr-9", "0ddba11", "2026-11-07T08:00"),  # another service
    deploy("ev-shas-p1", "shas", "production", "P1", "2026-11-07T12:00", sha="ABC123"),
    deploy("ev-shas-p2", "shas", "production", "P2", "2026-11-07T13:00", sha="def456"),
    deploy("ev-shas-t0", "shas", "staging", "T0", "2026-11-07T10:30", sha="0DDBA11"),
    deploy("ev-shas-t1", "shas", "staging", "T1", "2026-11-07T12:00", sha="abc1"),
]
DUPS = [  # several events per change; a deploy with two succeeded events
    change("ev-dups-1a", "dups", "d1", "d1d1bb", "2026-11-09T10:20", "2026-11-09T08:00"),
    change("ev-dups-1b", "dups", "d1", "d1d1aa", "2026-11-09T10:00", "2026-11-09T09:00"),
    change("ev-dups-2b", "dups", "d2", "d2d2bb", "2026-11-09T10:30", "2026-11-09T09:30"),
    change("ev-dups-2a", "dups", "d2", "d2d2aa", "2026-11-09T10:30", "2026-11-09T10:00"),
    change("ev-dups-3", "dups", "d3", "d3d3d3", "2026-11-09T10:40", "2026-11-09T10:35"),
    deploy("ev-dups-x1a", "dups", "production", "X1", "2026-11-09T11:00"),
    deploy("ev-dups-x1b", "dups", "production", "X1", "2026-11-09T11:05", sha="d1d1aa"),
    deploy("ev-dups-x2-go", "dups", "production", "X2", "2026-11-09T11:50", sha="d1d1aa",
           status="started"),
    deploy("ev-dups-x2", "dups", "production", "X2", "2026-11-09T12:00", sha="D1D1BB"),
]  # fmt: skip
REDELIVERED = [DUPS[4]]  # the same event_id again: one row
LATE_ON_TIME = [
    change("ev-late-n1", "late", "n1", "0e0e0e", "2026-11-11T09:00", "2026-11-11T08:00"),
    deploy("ev-late-l1", "late", "production", "L1", "2026-11-10T10:00"),
    deploy("ev-late-l2", "late", "production", "L2", "2026-11-12T10:00", sha="01d0c0"),
    deploy("ev-late-l3", "late", "production", "L3", "2026-11-13T10:00"),
]
LATE = [  # landed long before the others, inserted after everything else
    change("ev-late-old", "late", "old1", "01d0c0", "2026-11-01T09:00", "2026-10-30T09:00"),
]
MONTHLY = [  # landed in October, deployed in November
    deploy("ev-monthly-m0", "monthly", "production", "M0", "2026-10-31T22:30"),
    change("ev-monthly-1", "monthly", "m1", "a0a0a0", "2026-10-31T23:00", "2026-10-31T22:00"),
    deploy("ev-monthly-m1", "monthly", "production", "M1", "2026-11-01T00:30"),
]
TIES = [  # deploys at the same instant; two changes and three deploys naming one commit
    change("ev-ties-1", "ties", "t1", "7a7a01", "2026-11-14T08:00", "2026-11-14T07:00"),
    change("ev-ties-2", "ties", "t2", "7a7a02", "2026-11-14T09:00", "2026-11-14T08:30"),
    change("ev-ties-3", "ties", "push-7a7a02", "7A7A02", "2026-11-14T09:30"),
    deploy("ev-ties-tb", "ties", "production", "TB", "2026-11-14T10:00"),
    deploy("ev-ties-ta", "ties", "production", "TA", "2026-11-14T10:00", sha="7a7a01"),
    deploy("ev-ties-g1", "ties", "staging", "G1", "2026-11-14T11:00", sha="7a7a02"),
    deploy("ev-ties-g2", "ties", "staging", "G2", "2026-11-14T12:00", sha="7a7a02"),
    deploy("ev-ties-g3", "ties", "staging", "G3", "2026-11-14T13:00"),
]
ON_TIME = WORKED + EARLY + ORPHAN + SHAS + DUPS + LATE_ON_TIME + MONTHLY + TIES
INCIDENTS = [
    incident("inc-api-d3", "api", "2026-11-02T13:00", "2026-11-02T14:00", "D3"),
    incident("inc-api-d1", "api", "2026-11-02T10:45", "2026-11-02T11:15", "D1"),
    incident("inc-dups-x1", "dups", "2026-11-09T11:10", "2026-11-09T11:40", "X1"),
    incident("inc-dups-none", "dups", "2026-11-09T11:40", "2026-11-09T11:50", None),
    incident("inc-dups-open", "dups", "2026-11-09T12:10", None, "X2"),
]


def reads() -> list[Step]:
    return [Read(view) for view in VIEWS]


def steps() -> list[Step]:
    """Incidents, events in two blocks, a redelivery, the late change; read; replay; read."""
    columns = tuple(EVENT_COLUMNS)
    first = rows_of(ON_TIME, 1000, INGESTED)
    half = len(first) // 2
    replayed = ON_TIME + LATE
    return [
        Insert("incidents", INCIDENTS, tuple(INCIDENT_COLUMNS)),
        Insert("events", first[:half], columns),
        Insert("events", first[half:], columns),
        Insert("events", rows_of(REDELIVERED, 5000, INGESTED + timedelta(hours=1)), columns),
        Insert("events", rows_of(LATE, 6000, INGESTED + timedelta(hours=2)), columns),
        *reads(),
        Insert("events", rows_of(replayed, 9000, INGESTED + timedelta(days=1)), columns),
        *reads(),
    ]


def read_cases(engine: str, directory: Path) -> tuple[Reads, Reads]:
    """Run ``steps()`` on a fresh database; return every view before and after the replay."""
    results = run_steps(engine, directory, steps())
    first, replayed = results[: len(VIEWS)], results[len(VIEWS) :]
    return dict(zip(VIEWS, first, strict=True)), dict(zip(VIEWS, replayed, strict=True))


def keyed(
    rows: list[dict[str, Any]], key: tuple[str, ...], columns: tuple[str, ...]
) -> dict[tuple[str, ...], tuple[Any, ...]]:
    """Return the ``columns`` of each row keyed by its ``key`` values (as text), each once."""
    found: dict[tuple[str, ...], tuple[Any, ...]] = {}
    for row in rows:
        group = tuple(str(row[k]) for k in key)
        assert group not in found, f"duplicate row {group}"
        found[group] = tuple(row[c] for c in columns)
    return found


def stamped(rows: dict[Any, tuple[Any, ...]]) -> dict[Any, tuple[Any, ...]]:
    """Return ``rows`` with every ``2026-...`` text value turned into a UTC datetime."""
    return {
        key: tuple(utc(v) if isinstance(v, str) and v.startswith("20") else v for v in row)
        for key, row in rows.items()
    }
