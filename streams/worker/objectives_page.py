"""The worker's ``/mttr/objectives/`` page: availability objectives while it holds the database.

``mttr objectives load`` and ``list`` ask it while a worker runs on the
embedded chDB (``load_page.py`` describes the answers):

* ``POST /mttr/objectives/`` with the JSON of ``storage/objectives/wire.py``
  replaces that source's objectives and answers with the counts;
* ``GET /mttr/objectives/?service=S&at=T`` answers ``{"periods": [...]}``, the
  rows of ``mttr.availability_objective_periods``.
"""

from __future__ import annotations

import threading

import faust
from clickhouse_connect.driver.client import Client

from streams.storage.objectives.table import OBJECTIVES
from streams.storage.objectives.wire import from_body
from streams.worker.load_page import TableLoads, register_load_page

PAGE = "/mttr/objectives/"


def register_objectives_page(app: faust.App, client: Client, lock: threading.Lock) -> None:
    """Add ``/mttr/objectives/`` (GET and POST) on ``client`` under ``lock``."""
    loads = TableLoads(OBJECTIVES, client, lock)
    register_load_page(app, PAGE, "availability objectives", from_body, loads)
