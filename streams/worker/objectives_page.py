"""The worker's ``/mttr/objectives/`` page: availability objectives while it holds the database.

``mttr objectives load`` and ``list`` ask it while a worker runs on the
embedded chDB (``load_page.py`` describes the answers):

* ``POST /mttr/objectives/`` with the JSON of ``storage/objectives/wire.py``
  replaces that source's objectives and answers with the counts;
* ``GET /mttr/objectives/?service=S&at=T`` answers ``{"periods": [...]}``, the
  rows of ``mttr.availability_objective_periods``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import faust
from clickhouse_connect.driver.client import Client

from streams.storage.objectives.rows import ObjectiveRow
from streams.storage.objectives.table import periods, replace_source
from streams.storage.objectives.wire import from_body
from streams.storage.sources import LoadResult
from streams.worker.load_page import register_load_page

PAGE = "/mttr/objectives/"


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Objectives:
    """Objective loads and reads on the worker's client.

    Attributes:
        client: The worker's ClickHouse client.
        lock: The lock every user of ``client`` takes (the sinks too).
        clock: The current time (UTC), for ``loaded_at``.
    """

    client: Client
    lock: threading.Lock
    clock: Callable[[], datetime] = field(default=_now)

    async def load(self, source: str, rows: Sequence[ObjectiveRow]) -> LoadResult:
        """Replace ``source``'s rows (``replace_source``), in a thread under the lock."""

        def run() -> LoadResult:
            with self.lock:
                return replace_source(self.client, source, rows, self.clock())

        return await asyncio.to_thread(run)

    async def periods(self, service: str | None, at: datetime | None) -> list[dict[str, Any]]:
        """Return the objective periods (``table.periods``), in a thread under the lock."""

        def run() -> list[dict[str, Any]]:
            with self.lock:
                return periods(self.client, service, at)

        return await asyncio.to_thread(run)


def register_objectives_page(app: faust.App, objectives: Objectives) -> None:
    """Add ``/mttr/objectives/`` (GET and POST) to the worker's web server."""
    register_load_page(
        app, PAGE, "availability objectives", from_body, objectives.load, objectives.periods
    )
