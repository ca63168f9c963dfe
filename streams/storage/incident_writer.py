"""Outputs of the correlation step: incident rows to ClickHouse and the incidents topic.

Rows and late events are collected while a batch is processed (no I/O), then
``flush()`` writes them, only the newest version of each incident: dead
letters first, then ``mttr.incidents``, then the ``incidents`` topic, each
retried with back-off until it succeeds. The agent acknowledges the batch only
after ``flush()`` returned.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from clickhouse_connect.driver.client import Client

from streams.engine.incident import INCIDENT_COLUMNS
from streams.ingest.deadletter import dead_letter_record
from streams.ingest.decode import Invalid
from streams.ingest.types import SendDeadLetter
from streams.retry import retry_forever
from streams.storage.sink import TableSink

PublishRows = Callable[[list[dict[str, Any]]], Awaitable[None]]
INCIDENTS_TABLE = "mttr.incidents"


def newest_versions(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return ``rows`` without the versions a newer row of the same incident supersedes.

    Within one flush an incident can change many times (a batch of a busy
    key: each event is a new version); only its newest row is written, in the
    order of the rows kept. ``FINAL`` reads the same, and the versions keep
    their numbers (docs/incident-model.md, "Versions").
    """
    newest: dict[str, dict[str, Any]] = {}
    for row in rows:
        kept = newest.get(row["incident_id"])
        if kept is None or row["version"] >= kept["version"]:
            newest.pop(row["incident_id"], None)  # re-insert: the newest row keeps the order
            newest[row["incident_id"]] = row
    return list(newest.values())


class IncidentWriter:
    """Collects one batch's incident rows and dead letters, then writes them durably."""

    def __init__(
        self,
        client: Client,
        lock: threading.Lock,
        publish: PublishRows,
        send_dead_letter: SendDeadLetter,
        *,
        max_bytes: int,
        retry_max_delay: float,
        on_write: Callable[[str, float], None] | None = None,
    ) -> None:
        self._sink = TableSink(client, INCIDENTS_TABLE, INCIDENT_COLUMNS, lock, on_write)
        self._publish = publish
        self._send_dead_letter = send_dead_letter
        self._max_bytes = max_bytes
        self._retry = retry_max_delay
        self._rows: list[dict[str, Any]] = []
        self._dead: list[tuple[bytes | None, Invalid]] = []

    def add_rows(self, rows: list[dict[str, Any]]) -> None:
        """Collect incident rows (no I/O)."""
        self._rows.extend(rows)

    def dead_letter(self, key: bytes | None, invalid: Invalid) -> None:
        """Collect a message to dead-letter (no I/O)."""
        self._dead.append((key, invalid))

    async def flush(self) -> tuple[int, list[str]]:
        """Write everything collected; returns (rows, dead-letter reasons). Retries until done."""
        dead, self._dead = self._dead, []
        for key, invalid in dead:
            value, headers = dead_letter_record(invalid, datetime.now(UTC), self._max_bytes)
            await retry_forever(
                lambda key=key, value=value, headers=headers: self._send_dead_letter(  # type: ignore[misc]
                    key, value, headers
                ),
                what=f"dead-letter of {invalid.origin}",
                max_delay=self._retry,
            )
        rows, self._rows = newest_versions(self._rows), []
        if rows:
            for row in rows:
                self._sink.add(row)
            # Independent writes, both needed before the batch is acknowledged: run together.
            await asyncio.gather(
                retry_forever(
                    lambda: asyncio.to_thread(self._sink.flush),
                    what=f"insert of {len(rows)} incident rows",
                    max_delay=self._retry,
                ),
                retry_forever(
                    lambda: self._publish(rows),
                    what=f"publishing {len(rows)} incident rows",
                    max_delay=self._retry,
                ),
            )
        return len(rows), [invalid.reason for _, invalid in dead]
