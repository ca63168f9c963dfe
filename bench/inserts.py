"""``python -m bench.inserts``: what one ClickHouse insert of event or incident rows costs.

For each engine (embedded chDB, and a local ClickHouse server over HTTP,
``mttr clickhouse``'s) a fresh database in a temporary folder is migrated
with ``sql/*.sql``; then real rows (bench/insert_rows.py) are inserted into
``mttr.events`` and ``mttr.incidents`` in batches of 1, 10, 100 and 1,000
rows by each writer:

* ``insert``: clickhouse-connect's ``client.insert`` per batch, as the
  worker wrote before (a ``DESCRIBE`` per insert; on chDB the Native block
  goes through a temporary file read with ``INSERT ... FROM INFILE``);
* ``sink``: ``streams.storage.sink.TableSink.write``, what the worker runs now;
* candidates measured and not used (``--writers``): ``async``, the sink's
  prepared insert as an async insert that waits for its flush
  (``async_insert = 1, wait_for_async_insert = 1``); ``json``, the rows as
  JSON lines inside the ``INSERT`` statement (``FORMAT
  JSONCompactEachRow``; on chDB no temporary file).

Each batch is inserted by every writer in turn, the order rotating from
batch to batch and round to round, so background merges and a busy machine
hit each writer alike. The table gives, per insert, the median CPU and wall
milliseconds over all rounds (the median leaves out the inserts a merge
running in the background happened to slow down), the median CPU
microseconds per row, and the mean CPU milliseconds (merges included). On
chDB the process CPU includes the engine's threads (it runs in this
process); on a server, ``CPU`` is this process (the client) and ``server
ms`` the mean CPU of the server process per insert (read from ``/proc``
in ticks of 10 ms, so only its mean means something).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from clickhouse_connect.driver.client import Client
from pydantic import SecretStr

from bench.insert_rows import Rows, build
from streams.devtools.broker.ports import free_port
from streams.devtools.clickhouse import server
from streams.engine.incident import INCIDENT_COLUMNS
from streams.ingest.rows import EVENT_COLUMNS
from streams.settings import Settings
from streams.storage.clickhouse import connect, load_migrations, migrate
from streams.storage.insert import PreparedInsert
from streams.storage.sink import TableSink

SIZES = (1, 10, 100, 1000)
ENGINES = ("chdb", "server")
ROWS_PER_ROUND = 4000  # each round inserts about this many rows per writer and size
MAX_INSERTS = 40
PASSWORD = "bench-inserts"  # noqa: S105  # a throw-away local server

Write = Callable[[list[list[Any]]], None]
MakeWriter = Callable[[Client, str, Sequence[str]], Write]


def plain_insert(client: Client, table: str, columns: Sequence[str]) -> Write:
    """Return ``client.insert`` per batch: how the worker wrote before prepared inserts."""
    names = list(columns)

    def write(rows: list[list[Any]]) -> None:
        client.insert(table, rows, column_names=names)

    return write


def table_sink(client: Client, table: str, columns: Sequence[str]) -> Write:
    """Return the worker's writer: ``TableSink.write``."""
    return TableSink(client, table, columns).write


def async_sink(client: Client, table: str, columns: Sequence[str]) -> Write:
    """Return the sink's prepared insert as async inserts that wait for their flush (not used)."""
    return PreparedInsert(client, table, columns, ASYNC_SETTINGS)


def inline_json(client: Client, table: str, columns: Sequence[str]) -> Write:
    """Return inserts of the rows as JSON lines inside the statement (not used).

    On chDB this skips the temporary file; ``orjson`` writes the rows and
    ClickHouse parses the datetimes' ISO 8601 offsets with ``best_effort``.
    """
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) SETTINGS async_insert = 0, "
        "date_time_input_format = 'best_effort' FORMAT JSONCompactEachRow"
    )

    def write(rows: list[list[Any]]) -> None:
        client.command(sql, data=b"\n".join(orjson.dumps(row) for row in rows))

    return write


WRITERS: dict[str, MakeWriter] = {
    "insert": plain_insert,
    "sink": table_sink,
    "async": async_sink,
    "json": inline_json,
}
DEFAULT_WRITERS = ("insert", "sink")
ASYNC_SETTINGS = {"async_insert": 1, "wait_for_async_insert": 1}


@dataclass(frozen=True)
class Sample:
    """One writer's round: milliseconds per insert."""

    cpu_ms: float
    wall_ms: float
    server_ms: float | None


@dataclass(frozen=True)
class Target:
    """An engine to insert into: its client and, for a server, the process to watch."""

    engine: str
    client: Client
    server_pid: int | None


def server_cpu_s(pid: int | None) -> float:
    """Return the CPU seconds (user + system) ``pid`` has used so far (0 without a pid)."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def batches(source: list[list[Any]], size: int, count: int) -> list[list[list[Any]]]:
    """Return ``count`` batches of ``size`` rows, taken in turn from ``source`` (wrapping)."""
    span = len(source) - size
    return [source[(i * size) % span :][:size] for i in range(count)]


def measure(write: Write, rows: list[list[Any]], pid: int | None) -> Sample:
    """Insert ``rows`` with ``write``; return what that one insert cost."""
    server_before = server_cpu_s(pid)
    cpu, wall = time.process_time(), time.perf_counter()
    write(rows)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    server_ms = (server_cpu_s(pid) - server_before) * 1000 if pid else None
    return Sample(cpu * 1000, wall * 1000, server_ms)


def run_table(
    target: Target,
    table: tuple[str, Sequence[str], list[dict[str, Any]]],
    names: list[str],
    rounds: int,
) -> list[str]:
    """Measure the writers ``names`` on ``table`` at every size; return the report lines."""
    name_of_table, columns, rows = table
    source = [[row[column] for column in columns] for row in rows]
    writers = {name: WRITERS[name](target.client, name_of_table, columns) for name in names}
    lines = []
    for size in SIZES:
        count = max(5, min(MAX_INSERTS, ROWS_PER_ROUND // size))
        work = batches(source, size, count)
        for write in writers.values():
            write(work[0])  # warm-up: prepared inserts, first part of the table
        samples: dict[str, list[Sample]] = {name: [] for name in writers}
        for turn in range(rounds):
            for number, batch in enumerate(work):
                first = (turn + number) % len(names)
                for name in names[first:] + names[:first]:
                    samples[name].append(measure(writers[name], batch, target.server_pid))
        lines += [report_line(target.engine, name_of_table, size, n, samples[n]) for n in names]
        base = statistics.median(s.cpu_ms for s in samples[names[0]])
        ratios = [
            f"{n}/{names[0]} CPU {statistics.median(s.cpu_ms for s in samples[n]) / base:.2f}"
            for n in names[1:]
        ]
        lines.append(f"{'':46}{'  '.join(ratios)}")
    return lines


def report_line(engine: str, table: str, size: int, writer: str, samples: list[Sample]) -> str:
    """Return one row of the table: medians per insert, and means (they include merges)."""
    cpu = statistics.median(s.cpu_ms for s in samples)
    wall = statistics.median(s.wall_ms for s in samples)
    mean = statistics.fmean(s.cpu_ms for s in samples)
    server_ms = [s.server_ms for s in samples if s.server_ms is not None]
    on_server = f"{statistics.fmean(server_ms):10.2f}" if server_ms else f"{'-':>10}"
    return (
        f"{engine:7}{table:16}{size:6}  {writer:8}{cpu:9.2f}{wall:9.2f}"
        f"{cpu * 1000 / size:11.1f}{mean:10.2f}{on_server}"
    )


HEADER = (
    f"{'engine':7}{'table':16}{'rows':>6}  {'writer':8}{'CPU ms':>9}{'wall ms':>9}"
    f"{'CPU µs/row':>11}{'mean CPU':>10}{'server ms':>10}"
)


@contextmanager
def target(engine: str, folder: Path) -> Iterator[Target]:
    """Yield a client on a fresh migrated database of ``engine`` under ``folder``."""
    if engine == "chdb":
        client = connect(Settings(var_dir=folder / "var"))
        migrate(client, load_migrations())
        yield Target(engine, client, None)
        client.close()
        return
    directory = folder / "clickhouse-server"
    state, _ = server.start(
        directory,
        http_port=free_port(),
        tcp_port=free_port(),
        writer_password=PASSWORD,
        reader_password=PASSWORD,
    )
    try:
        client = connect(
            Settings(
                var_dir=folder / "var",
                clickhouse_url=SecretStr(state.url),
                clickhouse_password=SecretStr(PASSWORD),
            )
        )
        migrate(client, load_migrations())
        yield Target(engine, client, state.pid)
        client.close()
    finally:
        server.stop(directory)


def main(argv: list[str] | None = None) -> int:
    """Run the measurement on the chosen engines and print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench.inserts", description=__doc__)
    parser.add_argument("--engines", default=",".join(ENGINES), help="chdb,server (default both)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per size (default 5)")
    parser.add_argument(
        "--writers",
        default=",".join(DEFAULT_WRITERS),
        help=f"writers to compare, the first is the reference (of {','.join(WRITERS)}; "
        f"default {','.join(DEFAULT_WRITERS)})",
    )
    args = parser.parse_args(argv)
    engines = [name for name in args.engines.split(",") if name]
    writers = [name for name in args.writers.split(",") if name]
    unknown = sorted(set(engines) - set(ENGINES)) + sorted(set(writers) - set(WRITERS))
    if unknown or not writers:
        parser.error(f"unknown engine(s) or writer(s) {unknown}: see --help")
    rows: Rows = build()
    print(
        f"{len(rows.events)} event rows, {len(rows.incidents)} incident rows; {args.rounds} rounds"
    )
    print(HEADER, flush=True)
    tables = (
        ("mttr.events", EVENT_COLUMNS, rows.events),
        ("mttr.incidents", INCIDENT_COLUMNS, rows.incidents),
    )
    for engine in engines:
        # chDB allows one data path per process: a server started later runs in its own process
        with tempfile.TemporaryDirectory(prefix=f"bench-inserts-{engine}-") as folder:
            with target(engine, Path(folder)) as where:
                for table in tables:
                    for line in run_table(where, table, writers, args.rounds):
                        print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
