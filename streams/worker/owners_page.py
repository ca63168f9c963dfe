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
report pages (``web.py``).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import faust
import orjson
from clickhouse_connect.driver.client import Client

from streams.storage.owners.rows import OwnerRow, parse_time
from streams.storage.owners.table import LoadResult, periods, replace_source
from streams.storage.owners.wire import from_body

log = logging.getLogger(__name__)

PAGE = "/mttr/owners/"
MAX_BODY_BYTES = 64 * 1024 * 1024
"""The largest load accepted (about a million rows)."""
MAX_PROBLEMS = 100
"""The most problems one answer lists (``error`` gives their number)."""


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


def _bad_request(view: faust.web.View, error: str, problems: list[str]) -> Any:
    return view.json({"error": error, "problems": problems}, status=400)


def register_owners_page(app: faust.App, owners: Owners) -> None:
    """Add ``/mttr/owners/`` (GET and POST, module docstring) to the worker's web server."""

    @app.page(PAGE)
    class OwnersPage(faust.web.View):
        """Service ownership: GET the periods, POST a load."""

        async def get(self, request: Any) -> Any:
            query = dict(request.query)
            at = None
            if query.get("at"):
                try:
                    at = parse_time(query["at"])
                except ValueError as exc:
                    return _bad_request(self, f"at: {exc}", [f"at: {exc}"])
            return self.json({"periods": await owners.periods(query.get("service") or None, at)})

        async def post(self, request: Any) -> Any:
            length = request.content_length
            if length is not None and length > MAX_BODY_BYTES:
                error = f"body of {length} bytes is over the limit of {MAX_BODY_BYTES}"
                return self.json({"error": error}, status=413)
            try:
                body = orjson.loads(await self.read_request_content(request))
            except orjson.JSONDecodeError as exc:
                return _bad_request(self, f"body: not JSON: {exc}", [f"body: not JSON: {exc}"])
            source, parsed = from_body(body)
            if parsed.problems:
                problems = [str(problem) for problem in parsed.problems]
                error = f"{len(problems)} problems, e.g. {problems[0]}; nothing loaded"
                return _bad_request(self, error, problems[:MAX_PROBLEMS])
            try:
                result = await owners.load(source, parsed.rows)
            except Exception as exc:  # noqa: BLE001 - answer the client; the worker goes on
                log.exception("ownership load of source %r failed", source)
                return self.json({"error": f"the load failed: {exc}"}, status=500)
            log.info("ownership source %r loaded: %s", source, result.as_json())
            return self.json(result.as_json())
