"""Where ``mttr owners`` reads and writes: the running worker's ``/mttr/owners/``, or ClickHouse.

One process at a time may own an embedded chDB data path, so with ``chdb://``
(``--via auto``) the command first asks a running worker over its web port
and opens the database itself only when no worker answers. A server
(``http(s)://``) is always written directly. Both paths run the same
``storage/owners/table.py`` code, so they answer the same. ``through`` and
``worker_url`` take the page and the table, and a :class:`Target` (a table,
its worker page and its wire form) loads and lists through them, for
``mttr objectives`` too.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import click
from clickhouse_connect.driver.client import Client

from streams.cli.common import fail
from streams.settings import Settings
from streams.storage.clickhouse import connect
from streams.storage.owners.rows import Keyed, OwnerRow, format_time
from streams.storage.owners.table import OWNERS, TABLE
from streams.storage.owners.wire import to_body
from streams.storage.sources import SourceTable

PAGE = "/mttr/owners/"
T = TypeVar("T")
R = TypeVar("R", bound=Keyed)


def worker_url(settings: Settings, query: dict[str, str] | None = None, page: str = PAGE) -> str:
    """Return the URL of the worker's ``page`` with ``query``."""
    url = f"http://{settings.web_host}:{settings.web_port}{page}"
    return url + ("?" + urllib.parse.urlencode(query) if query else "")


def _ask_worker(request: urllib.request.Request, page: str) -> dict[str, Any] | None:
    """Return the worker's JSON answer, None when no worker answers; exit 1 when it refuses."""
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            answer = json.load(response)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            fail(f"the worker does not serve {page}: is it an older version of mttr?")
        try:
            refusal = json.loads(exc.read())
        except ValueError:
            refusal = {}
        for problem in refusal.get("problems", [])[:50]:
            click.echo(f"error: {problem}", err=True)
        fail(f"the worker refused it ({exc.code}): {refusal.get('error', exc.reason)}")
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return answer if isinstance(answer, dict) else None


def through(
    settings: Settings,
    via: str,
    request: urllib.request.Request,
    run: Callable[[Client], T],
    *,
    page: str = PAGE,
    table: str = TABLE,
) -> tuple[dict[str, Any] | None, T | None]:
    """Return the worker's answer, or ``run`` on a direct client (exactly one is not None).

    Args:
        settings: Where ClickHouse and the worker's web port are.
        via: ``auto`` (the worker when the database is embedded and one
            answers), ``worker`` (exit 1 when none answers) or ``direct``.
        request: The request to the worker's ``page``.
        run: What to do on a direct client instead.
        page: The worker's page (for messages).
        table: The table that must exist for ``run`` (exit 1 with the
            ``mttr migrate`` hint when it does not).
    """
    embedded = settings.resolved_clickhouse_url().startswith("chdb://")
    if via == "worker" or (via == "auto" and embedded):
        answer = _ask_worker(request, page)
        if answer is not None:
            return answer, None
        if via == "worker":
            fail(f"no worker answers on http://{settings.web_host}:{settings.web_port}/")
    return None, _direct(settings, run, table)


def _direct(settings: Settings, run: Callable[[Client], T], table: str) -> T:
    """Return ``run(client)`` on a new client; exits 1 when ClickHouse or the table is missing."""
    try:
        client = connect(settings)
    except Exception as exc:  # noqa: BLE001
        hint = ""
        if settings.resolved_clickhouse_url().startswith("chdb://"):
            hint = (" (the embedded database is used by one process at a time: is a worker "
                    "running without its web port reachable?)")  # fmt: skip
        fail(f"cannot open ClickHouse at {settings.clickhouse_url_for_display()}: {exc}{hint}")
    try:
        if not client.command(f"EXISTS TABLE {table}"):
            fail(f"{table} does not exist in {settings.clickhouse_url_for_display()}: "
                 "run `mttr migrate` first")  # fmt: skip
        return run(client)
    except Exception as exc:  # noqa: BLE001 - report driver errors without a traceback
        fail(f"ClickHouse at {settings.clickhouse_url_for_display()} failed: {exc}")
    finally:
        client.close()


@dataclass(frozen=True)
class Target(Generic[R]):
    """A reference table as the CLI reaches it: the table, the worker's page, the wire form.

    Attributes:
        table: The table (``storage/sources.SourceTable``).
        page: The worker's page for it, e.g. ``/mttr/owners/``.
        to_body: The table's ``wire.to_body``.
    """

    table: SourceTable[R]
    page: str
    to_body: Callable[[str, Sequence[R]], dict[str, Any]]

    def load_rows(
        self, settings: Settings, via: str, source: str, rows: Sequence[R]
    ) -> tuple[dict[str, Any], str]:
        """Replace ``source``'s rows through the worker or directly.

        Returns the load's counts (``LoadResult.as_json``) and `` through the
        worker`` or an empty string, for the summary line.
        """
        body = json.dumps(self.to_body(source, rows)).encode()
        request = urllib.request.Request(  # noqa: S310 - http:// to the configured worker only
            worker_url(settings, page=self.page),
            data=body,
            method="POST",
            headers={"Content-Type": "application/json"},
        )

        def replace(client: Client) -> dict[str, Any]:
            return self.table.replace_source(client, source, rows, datetime.now(UTC)).as_json()

        answer, direct = through(
            settings, via, request, replace, page=self.page, table=self.table.table
        )
        if answer is not None:
            return answer, " through the worker"
        assert direct is not None  # noqa: S101 - through returns one of the two
        return direct, ""

    def list_periods(
        self, settings: Settings, via: str, service: str | None, at: datetime | None
    ) -> list[dict[str, Any]]:
        """Return the table's periods (``SourceTable.periods``) through the worker or directly."""
        query = {"service": service or "", "at": format_time(at) if at else ""}
        request = urllib.request.Request(  # noqa: S310
            worker_url(settings, {k: v for k, v in query.items() if v}, page=self.page)
        )
        answer, direct = through(
            settings, via, request, lambda c: self.table.periods(c, service, at),
            page=self.page, table=self.table.table,
        )  # fmt: skip
        if answer is not None:
            return list(answer.get("periods", []))
        return direct or []


OWNER_TARGET: Target[OwnerRow] = Target(OWNERS, PAGE, to_body)
"""Ownership: ``mttr.service_owners`` on ``/mttr/owners/``."""
load_rows = OWNER_TARGET.load_rows
"""Replace a source's ownership rows through the worker or directly (``Target.load_rows``)."""
