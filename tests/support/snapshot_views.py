"""Reading the analytics views as comparable rows, and small incident rows to feed them.

``rows_of(client, view)`` returns a view's rows in a stable order (service as plain text,
floats rounded to 1e-6, ``open_incidents`` without ``age_seconds``, which moves with the
clock); ``all_views(client)`` does so for every view of streams/storage/snapshots.py, and
``differing_from_live(client)`` names the views that do not return exactly their live
definition's rows, which is what a snapshot must reproduce. ``incident()`` builds one
resolved incident row and ``write()`` inserts rows into ``mttr.incidents``. ``ViewWatch``
reads every view in a thread during a ``with`` block, counting failed reads.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from clickhouse_connect.driver.client import Client

from streams.engine.incident import INCIDENT_COLUMNS
from streams.settings import Settings
from streams.storage.clickhouse import connect
from streams.storage.snapshots import VIEWS

START = datetime(2026, 3, 2, tzinfo=UTC)
MOVING = {"open_incidents": "age_seconds"}  # columns computed from now() at read time

Rows = list[tuple[Any, ...]]


def incident(n: int, service: str, *, version: int = 1, ttr_s: float = 600.0) -> dict[str, Any]:
    """Return the row of resolved incident ``n`` of ``service`` (one every 7 hours)."""
    started = START + timedelta(hours=7 * n)
    resolved = started + timedelta(seconds=ttr_s)
    row: dict[str, Any] = dict.fromkeys(INCIDENT_COLUMNS)
    row.update(
        incident_id=f"inc-{n}",
        service=service,
        environment="production",
        status="resolved",
        severity=("critical", "high")[n % 2],
        category="security" if n % 5 == 0 else "availability",
        title=f"incident {n}",
        started_at=started,
        detected_at=started,
        resolved_at=resolved,
        ttr_seconds=ttr_s,
        alert_count=1,
        alert_ids=[f"a-{n}"],
        ticket_ids=[],
        event_count=1,
        reopen_count=0,
        completed=1,
        quality_flags=[],
        reviewed_at=None,
        time_to_review_seconds=None,
        fingerprint="",
        is_deleted=0,
        version=version,
        updated_at=resolved,
    )
    return row


def write(client: Client, rows: list[dict[str, Any]]) -> None:
    """Insert incident rows (every column of ``INCIDENT_COLUMNS``) in one block."""
    columns = list(INCIDENT_COLUMNS)
    client.insert("mttr.incidents", [[r[c] for c in columns] for r in rows], column_names=columns)


def rows_of(client: Client, view: str) -> Rows:
    """Every row of ``mttr.<view>``, service as plain text, floats rounded, in a stable order."""
    moving = MOVING.get(view.removesuffix("_live"))
    what = f"* EXCEPT ({moving})" if moving else "*"
    result = client.query(f"SELECT {what} FROM mttr.{view}")  # noqa: S608 (fixed names)
    rows = [tuple(_rounded(v) for v in row) for row in result.result_rows]
    return sorted(rows, key=repr)


def _rounded(value: Any) -> Any:
    return round(value, 6) if isinstance(value, float) else value


def all_views(client: Client) -> dict[str, Rows]:
    """Return ``rows_of`` every analytics view, by name."""
    return {view.name: rows_of(client, view.name) for view in VIEWS}


def differing_from_live(client: Client) -> list[str]:
    """Return the views whose rows are not exactly their live definition's."""
    return [
        view.name
        for view in VIEWS
        if rows_of(client, view.name) != rows_of(client, f"{view.name}_live")
    ]


class ViewWatch:
    """Reads every view on its own client, in a thread, from ``start()`` to the block's end.

    Start it once the schema exists (a worker migrated). ``reads`` counts the
    successful reads, ``failures`` says which failed and why.
    """

    def __init__(self, settings: Settings, pause_s: float = 0.2) -> None:
        self._settings = settings
        self._pause_s = pause_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="view-watch", daemon=True)
        self.reads = 0
        self.failures: list[str] = []

    def __enter__(self) -> ViewWatch:
        return self

    def start(self) -> None:
        """Start reading."""
        self._thread.start()

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(60)

    def _loop(self) -> None:
        client = connect(self._settings)
        try:
            while not self._stop.is_set():
                for view in VIEWS:
                    try:
                        client.query(f"SELECT count() FROM mttr.{view.name}")  # noqa: S608
                        self.reads += 1
                    except Exception as exc:  # noqa: BLE001 - a failed read is what we count
                        self.failures.append(f"{view.name}: {exc}"[:300])
                self._stop.wait(self._pause_s)
        finally:
            client.close()
