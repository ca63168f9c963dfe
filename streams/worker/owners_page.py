"""The worker's ``/mttr/owners/`` page: service ownership while it holds the embedded database.

chDB lets one process own a data path at a time, so while a worker runs,
``mttr owners load``, ``import-backstage`` and ``list`` ask it here:

* ``POST /mttr/owners/`` with the JSON of ``storage/owners/wire.py`` replaces
  that source's rows and answers 200 with the counts
  (``{"source", "added", "changed", "removed", "unchanged", "loaded_at"}``);
  400 ``{"error", "problems"}`` for a body that is not JSON or holds an invalid
  row (the first ``MAX_PROBLEMS`` problems, ``rows[N]: field: reason``; nothing
  is written), 413 for a body over ``MAX_BODY_BYTES``, 500 ``{"error"}`` when
  ClickHouse fails.
* ``GET /mttr/owners/?service=S&at=T`` answers ``{"periods": [...]}``, the
  rows of ``mttr.service_owner_periods`` (400 for an invalid ``at``).

The queries run in a thread under the worker's ClickHouse lock, like the
report pages (``web.py``); the page itself is ``load_page.py``'s, shared with
``/mttr/objectives/``.
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

from streams.storage.owners.rows import OwnerRow
from streams.storage.owners.table import LoadResult, periods, replace_source
from streams.storage.owners.wire import from_body
from streams.worker.load_page import register_load_page

PAGE = "/mttr/owners/"


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Owners:
    """Ownership loads and reads on the worker's client.

    Attributes:
        client: The worker's ClickHouse client.
        lock: The lock every user of ``client`` takes (the sinks too).
        clock: The current time (UTC), for ``loaded_at``.
    """

    client: Client
    lock: threading.Lock
    clock: Callable[[], datetime] = field(default=_now)

    async def load(self, source: str, rows: Sequence[OwnerRow]) -> LoadResult:
        """Replace ``source``'s rows (``replace_source``), in a thread under the lock."""

        def run() -> LoadResult:
            with self.lock:
                return replace_source(self.client, source, rows, self.clock())

        return await asyncio.to_thread(run)

    async def periods(self, service: str | None, at: datetime | None) -> list[dict[str, Any]]:
        """Return the ownership periods (``table.periods``), in a thread under the lock."""

        def run() -> list[dict[str, Any]]:
            with self.lock:
                return periods(self.client, service, at)

        return await asyncio.to_thread(run)


def register_owners_page(app: faust.App, owners: Owners) -> None:
    """Add ``/mttr/owners/`` (GET and POST, module docstring) to the worker's web server."""
    register_load_page(app, PAGE, "ownership", from_body, owners.load, owners.periods)
