"""The history the HTML report tests seed, written straight into chDB, and building the report.

``make_history(now)`` makes incidents and deploys relative to the current time
(three services, every severity, a title with markup in it: ``NASTY_TITLE``),
``seed()`` writes them into chDB (no worker holds it), ``build_report()`` runs
the real ``mttr report --html`` and ``page_data()`` reads the JSON embedded in
the page. Used by tests/integration/html_report/.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from streams.engine.incident import INCIDENT_COLUMNS
from streams.ingest.rows import EVENT_COLUMNS
from streams.settings import Settings
from streams.storage.clickhouse import connect, load_migrations, migrate
from tests.support.processes import mttr

SERVICES = ("checkout", "payments", "search")
TYPICAL_TTR = {"critical": 1800, "high": 5400, "medium": 14400, "low": 36000}
WINDOW_DAYS = 60  # the report runs with --since 60d; nothing is seeded near that boundary
NASTY_TITLE = '</script><b id="injected">bold</b> & "quotes"'


# --- the seeded history ------------------------------------------------------------


@dataclass
class History:
    now: datetime
    incidents: list[dict[str, Any]]
    deploys: list[dict[str, Any]]
    causes: set[str]

    @property
    def window_start(self) -> datetime:
        return self.now - timedelta(days=WINDOW_DAYS)

    def resolved_in_window(self) -> list[dict[str, Any]]:
        return [
            i
            for i in self.incidents
            if i["status"] == "resolved" and i["resolved_at"] >= self.window_start
        ]


def incident_row(n: int, service: str, severity: str, started: datetime, **fields: Any) -> dict:
    row: dict[str, Any] = dict.fromkeys(INCIDENT_COLUMNS)
    row.update(
        incident_id=f"inc-{n:04d}",
        service=service,
        environment="production",
        status="open",
        severity=severity,
        category="availability",
        title=f"{service} trouble #{n}",
        started_at=started,
        detected_at=started,
        alert_count=1,
        alert_ids=[f"a-{n}"],
        ticket_ids=[],
        event_count=2,
        reopen_count=0,
        completed=0,
        quality_flags=[],
        reviewed_at=None,
        time_to_review_seconds=None,
        fingerprint="",
        is_deleted=0,
        version=1,
        updated_at=started,
    )
    row.update(fields)
    return row


def make_history(now: datetime) -> History:
    """Return ~80 days of incidents and deploys for three services, relative to ``now``."""
    rng = random.Random(11)
    now = now.replace(microsecond=0)
    deploys: list[dict[str, Any]] = []
    for days_ago in [d for d in range(2, 86, 2) if abs(d - WINDOW_DAYS) > 3]:
        for service in SERVICES:
            occurred = now - timedelta(days=days_ago, hours=rng.uniform(0, 12))
            deploys.append(
                {
                    "service": service,
                    "occurred_at": occurred,
                    "deploy_id": f"dep-{service}-{days_ago}",
                }
            )
    days = [d for d in range(1, 86) if abs(d - WINDOW_DAYS) > 3]
    incidents: list[dict[str, Any]] = []
    causes: set[str] = set()
    for n in range(90):
        service, severity = rng.choice(SERVICES), rng.choice(tuple(TYPICAL_TTR))
        started = now - timedelta(days=rng.choice(days)) + timedelta(hours=rng.uniform(0, 3))
        ttd, tta = rng.uniform(30, 600), rng.uniform(60, 1800)
        ttr = min(TYPICAL_TTR[severity] * rng.lognormvariate(0, 0.6), 20 * 3600)
        ttr = round(ttr, 3)
        earlier = [d for d in deploys if d["service"] == service and d["occurred_at"] < started]
        latest = max(earlier, key=lambda d: d["occurred_at"], default=None)
        cause = latest["deploy_id"] if latest and rng.random() < 0.4 else None
        if cause:
            causes.add(cause)
        incidents.append(
            incident_row(
                n,
                service,
                severity,
                started,
                status="resolved",
                completed=1,
                detected_at=started + timedelta(seconds=ttd),
                ttd_seconds=round(ttd, 3),
                acknowledged_at=started + timedelta(seconds=ttd + tta),
                tta_seconds=round(tta, 3),
                resolved_at=started + timedelta(seconds=ttr),
                ttr_seconds=ttr,
                cause_deploy_id=cause,
            )
        )
    for n, (service, severity, hours) in enumerate(
        [("checkout", "critical", 3), ("search", "high", 30), ("payments", "low", 100)], start=90
    ):
        started = now - timedelta(hours=hours)
        title = NASTY_TITLE if n == 90 else f"{service} still broken"
        incidents.append(incident_row(n, service, severity, started, title=title))
    return History(now, incidents, deploys, causes)


def seed(settings: Settings, history: History) -> None:
    """Create the schema and insert the history into the (closed afterwards) chDB."""
    client = connect(settings)
    try:
        migrate(client, load_migrations())
        columns = list(INCIDENT_COLUMNS)
        client.insert(
            "mttr.incidents",
            [[row[c] for c in columns] for row in history.incidents],
            column_names=columns,
        )
        events = [
            {
                "event_id": f"ev-{d['deploy_id']}",
                "type": "deploy",
                "service": d["service"],
                "environment": "production",
                "occurred_at": d["occurred_at"],
                "source": "ci",
                "status": "succeeded",
                "subject_id": d["deploy_id"],
                "severity": None,
                "category": None,
                "kind": None,
                "commit_sha": "",
                "first_commit_at": None,
                "raw": "{}",
                "kafka_topic": "deploys",
                "kafka_partition": 0,
                "kafka_offset": n,
                "ingested_at": d["occurred_at"],
            }
            for n, d in enumerate(history.deploys)
        ]
        client.insert(
            "mttr.events",
            [[row[c] for c in EVENT_COLUMNS] for row in events],
            column_names=list(EVENT_COLUMNS),
        )
    finally:
        client.close()


def page_data(page: Path) -> dict[str, Any]:
    text = page.read_text(encoding="utf-8")
    match = re.search(
        r'<script type="application/json" id="report-data">(.*?)</script>', text, re.S
    )
    assert match
    return dict(json.loads(match.group(1)))


def build_report(settings: Settings, page: Path, *args: str) -> None:
    result = mttr(
        "report", "--html", str(page), "--since", f"{WINDOW_DAYS}d", *args, settings=settings
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"HTML report written to {page.resolve()}"
