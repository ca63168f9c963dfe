"""A worker page that loads and lists one reference table (ownership, objectives).

chDB lets one process own a data path at a time, so while a worker runs, the
``mttr owners`` and ``mttr objectives`` commands ask it on a page of its own
(``owners_page.py``, ``objectives_page.py``), built here the same way:

* ``POST PAGE`` with the JSON of the table's ``wire.py`` replaces that
  source's rows and answers 200 with the counts (``LoadResult.as_json``);
  400 ``{"error", "problems"}`` for a body that is not JSON or holds an invalid
  row (the first ``MAX_PROBLEMS`` problems; nothing is written), 413 for a
  body over ``MAX_BODY_BYTES``, 500 ``{"error"}`` when ClickHouse fails.
* ``GET PAGE?service=S&at=T`` answers ``{"periods": [...]}`` (400 for an
  invalid ``at``).

:class:`TableLoads` runs a table's queries (``storage/sources.py``'s
``SourceTable``) in a thread under the worker's ClickHouse lock, like the
report pages of ``web.py``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import faust
import orjson
from clickhouse_connect.driver.client import Client

from streams.storage.owners.rows import Checked, Keyed, parse_time
from streams.storage.sources import LoadResult, SourceTable

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024 * 1024
"""The largest load accepted (about a million rows)."""
MAX_PROBLEMS = 100
"""The most problems one answer lists (``error`` gives their number)."""

R = TypeVar("R", bound=Keyed)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class TableLoads(Generic[R]):
    """A reference table's loads and reads on the worker's client.

    Attributes:
        table: The table (``SourceTable``), e.g. ``owners.table.OWNERS``.
        client: The worker's ClickHouse client.
        lock: The lock every user of ``client`` takes (the sinks too).
        clock: The current time (UTC), for ``loaded_at``.
    """

    table: SourceTable[R]
    client: Client
    lock: threading.Lock
    clock: Callable[[], datetime] = field(default=_now)

    async def load(self, source: str, rows: Sequence[R]) -> LoadResult:
        """Replace ``source``'s rows (``replace_source``), in a thread under the lock."""

        def run() -> LoadResult:
            with self.lock:
                return self.table.replace_source(self.client, source, rows, self.clock())

        return await asyncio.to_thread(run)

    async def periods(self, service: str | None, at: datetime | None) -> list[dict[str, Any]]:
        """Return the table's periods (``SourceTable.periods``), in a thread under the lock."""

        def run() -> list[dict[str, Any]]:
            with self.lock:
                return self.table.periods(self.client, service, at)

        return await asyncio.to_thread(run)


def _bad_request(view: faust.web.View, error: str, problems: list[str]) -> Any:
    return view.json({"error": error, "problems": problems}, status=400)


def register_load_page(
    app: faust.App,
    page: str,
    what: str,
    from_body: Callable[[object], tuple[str, Checked[R]]],
    loads: TableLoads[R],
) -> None:
    """Add ``page`` (GET and POST, module docstring) to the worker's web server.

    Args:
        app: The worker's Faust app.
        page: The path, e.g. ``/mttr/owners/``.
        what: The table's name in log lines, e.g. ``ownership``.
        from_body: The table's ``wire.from_body``.
        loads: Replaces a source's rows and lists the periods, optionally of
            one service and at one instant.
    """

    @app.page(page)
    class LoadPage(faust.web.View):
        """GET the periods, POST a load."""

        async def get(self, request: Any) -> Any:
            query = dict(request.query)
            at = None
            if query.get("at"):
                try:
                    at = parse_time(query["at"])
                except ValueError as exc:
                    return _bad_request(self, f"at: {exc}", [f"at: {exc}"])
            return self.json({"periods": await loads.periods(query.get("service") or None, at)})

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
                result = await loads.load(source, parsed.rows)
            except Exception as exc:  # noqa: BLE001 - answer the client; the worker goes on
                log.exception("%s load of source %r failed", what, source)
                return self.json({"error": f"the load failed: {exc}"}, status=500)
            log.info("%s source %r loaded: %s", what, source, result.as_json())
            return self.json(result.as_json())
