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

``load`` and ``read`` run the queries (in a thread under the worker's
ClickHouse lock, like the report pages of ``web.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

import faust
import orjson

from streams.storage.owners.rows import Problem, parse_time
from streams.storage.sources import LoadResult

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024 * 1024
"""The largest load accepted (about a million rows)."""
MAX_PROBLEMS = 100
"""The most problems one answer lists (``error`` gives their number)."""

R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


class Checked(Protocol[R_co]):
    """What a table's ``from_body`` returns besides the source: rows and problems."""

    @property
    def rows(self) -> Sequence[R_co]:
        """The valid rows."""

    @property
    def problems(self) -> Sequence[Problem]:
        """Everything refused."""


def _bad_request(view: faust.web.View, error: str, problems: list[str]) -> Any:
    return view.json({"error": error, "problems": problems}, status=400)


def register_load_page(
    app: faust.App,
    page: str,
    what: str,
    from_body: Callable[[object], tuple[str, Checked[R]]],
    load: Callable[[str, Sequence[R]], Awaitable[LoadResult]],
    read: Callable[[str | None, datetime | None], Awaitable[list[dict[str, Any]]]],
) -> None:
    """Add ``page`` (GET and POST, module docstring) to the worker's web server.

    Args:
        app: The worker's Faust app.
        page: The path, e.g. ``/mttr/owners/``.
        what: The table's name in log lines, e.g. ``ownership``.
        from_body: The table's ``wire.from_body``.
        load: Replaces a source's rows.
        read: Lists the periods, optionally of one service and at one instant.
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
            return self.json({"periods": await read(query.get("service") or None, at)})

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
                result = await load(source, parsed.rows)
            except Exception as exc:  # noqa: BLE001 - answer the client; the worker goes on
                log.exception("%s load of source %r failed", what, source)
                return self.json({"error": f"the load failed: {exc}"}, status=500)
            log.info("%s source %r loaded: %s", what, source, result.as_json())
            return self.json(result.as_json())
