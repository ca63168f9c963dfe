"""A fresh database of one engine, fed and read step by step: for hand-made view scenarios.

``run_steps(engine, directory, steps)`` migrates a new database on ``engine``
(tests/support/clickhouse_engines.py), runs the ``Insert`` and ``Read`` steps in
order and returns the rows of every ``Read`` (a list of dicts per read, in the
view's order). Nothing else is shared with other tests.

chDB embeds one server per process, bound to one path: while another fixture of
the run holds it (the package-scoped databases of tests/integration/views/), no
second path can be opened. So on ``chdb`` the steps run in a child process of
their own (``spawn``: a fresh interpreter), on ``server`` in this process.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from streams.settings import Settings
from streams.storage.clickhouse import connect, load_migrations, migrate
from tests.support.clickhouse_engines import storage

Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class Insert:
    """Insert ``rows`` (dicts holding at least ``columns``) into ``mttr.<table>``, one block."""

    table: str
    rows: Rows
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Read:
    """Read every row of ``mttr.<view>`` (``SELECT *``)."""

    view: str


Step = Insert | Read


def run_steps(engine: str, directory: Path, steps: list[Step]) -> list[Rows]:
    """Run ``steps`` on a fresh database of ``engine`` in ``directory``; return each read."""
    if engine != "chdb":
        return _run(engine, directory, steps)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_run, (engine, directory, steps))


def _run(engine: str, directory: Path, steps: list[Step]) -> list[Rows]:
    with storage(engine, directory) as target:
        client = connect(Settings(var_dir=directory / "var", **target))
        try:
            migrate(client, load_migrations())
            reads: list[Rows] = []
            for step in steps:
                if isinstance(step, Insert):
                    columns = list(step.columns)
                    data = [[row[c] for c in columns] for row in step.rows]
                    client.insert(f"mttr.{step.table}", data, column_names=columns)
                else:
                    result = client.query(f"SELECT * FROM mttr.{step.view}")
                    reads.append([dict(row) for row in result.named_results()])
            return reads
        finally:
            client.close()
