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

import threading

import faust
from clickhouse_connect.driver.client import Client

from streams.storage.owners.table import OWNERS
from streams.storage.owners.wire import from_body
from streams.worker.load_page import TableLoads, register_load_page

PAGE = "/mttr/owners/"


def register_owners_page(app: faust.App, client: Client, lock: threading.Lock) -> None:
    """Add ``/mttr/owners/`` (GET and POST, module docstring) on ``client`` under ``lock``."""
    register_load_page(app, PAGE, "ownership", from_body, TableLoads(OWNERS, client, lock))
