"""Snapshots that make whole-view reads fast without giving up exact numbers.

Each analytics view ``mttr.<view>`` has a live definition ``mttr.<view>_live``
(sql/005-007) that recomputes every row from ``mttr.incidents FINAL`` at read
time: exact, but it reads all incidents. ``refresh`` stores each live view's
rows in an in-memory table and points ``mttr.<view>`` at::

    snapshot rows of the services nothing changed for since the snapshot
    UNION ALL
    live rows of the services something changed for

"Since" is a block number. ClickHouse numbers every insert into a (non
replicated) MergeTree table at commit, under the table's parts lock, so every
block up to the highest committed one is visible to any later read; with
``enable_block_number_column`` (sql/009) a row keeps its number through merges
as ``_block_number``. ``refresh`` reads the highest committed number of each
source table *before* it computes the snapshot, so every row at or below it is
in the snapshot, and every row above it makes its service "changed". Every
view groups by service, so a service's rows depend on its own incidents (and,
for DORA, deploys) only. A merge that drops an incident's older version keeps
the newer one, so a changed service stays visible until the next refresh.

A snapshot is trusted only while it still holds the rows it was created with
(an in-memory table is empty after a restart); otherwise the whole view reads
live. Each refresh writes the view text with its snapshot table name, block
numbers and row count as literals, so one read always sees one consistent set.

Several workers on one server each refresh; a view may read any of their
snapshots (each is exact). Tables are named ``<view>__snapshot_<ms>_<owner>``:
a refresher drops only tables it replaced itself, and another owner's once no
view reads it and it is ``STALE_S`` old (left by a stopped or killed worker).
docs/metrics.md ("Snapshots") describes this for analysts.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from dataclasses import dataclass

from clickhouse_connect.driver.client import Client

log = logging.getLogger(__name__)

SOURCE_TABLES = ("incidents", "events", "severity_targets")
AGE = "dateDiff('millisecond', started_at, now64(3, 'UTC')) / 1000"
OWNER = secrets.token_hex(4)  # this process's mark on the snapshot tables it creates
STALE_S = 3600.0  # age at which another owner's snapshot table no view reads is dropped


@dataclass(frozen=True)
class SnapshotView:
    """One analytics view and what, besides incidents, its rows depend on.

    Attributes:
        name: The view analysts read (``mttr.<name>``); ``<name>_live`` computes it.
        events: A new deploy event changes its service's rows (DORA).
        targets: A changed SLA target changes every row (SLA compliance).
        read_columns: What the view returns from the snapshot (``open_incidents``
            computes the age when read).
    """

    name: str
    events: bool = False
    targets: bool = False
    read_columns: str = "*"


VIEWS = (
    SnapshotView("mttr_by_service_severity"),
    SnapshotView("mttr_daily"),
    SnapshotView("mttr_weekly"),
    SnapshotView("mttr_monthly"),
    SnapshotView("mttr_rolling_30d"),
    SnapshotView("open_incidents", read_columns=f"* REPLACE ({AGE} AS age_seconds)"),
    SnapshotView("mtbf_by_service"),
    SnapshotView("sla_compliance", targets=True),
    SnapshotView("security_mttr"),
    SnapshotView("dora_monthly", events=True),
)


@dataclass(frozen=True)
class Blocks:
    """The highest committed block number of each source table (0: empty)."""

    incidents: int
    events: int
    severity_targets: int


@dataclass(frozen=True)
class Refreshed:
    """What one ``refresh`` did."""

    blocks: Blocks
    rows: dict[str, int]
    seconds: float
    full: bool


def committed_blocks(client: Client) -> Blocks:
    """Return the highest block number committed so far to each source table."""
    result = client.query(
        "SELECT table, max(max_block_number) FROM system.parts "
        "WHERE active AND database = 'mttr' AND table IN %(tables)s GROUP BY table",
        parameters={"tables": SOURCE_TABLES},
    )
    found = {str(table): int(block) for table, block in result.result_rows}
    return Blocks(*(found.get(table, 0) for table in SOURCE_TABLES))


def changed_services(view: SnapshotView, blocks: Blocks) -> str:
    """Return SQL listing the services with rows newer than ``blocks``."""
    parts = [f"SELECT service FROM mttr.incidents WHERE _block_number > {blocks.incidents}"]
    if view.events:
        parts.append(f"SELECT service FROM mttr.events WHERE _block_number > {blocks.events}")
    if view.targets:  # a new target: every service
        parts.append(f"SELECT service FROM mttr.incidents WHERE {targets_changed(blocks)}")
    return " UNION ALL ".join(parts)


def targets_changed(blocks: Blocks) -> str:
    """Return SQL that is true once an SLA target was inserted after ``blocks``."""
    return (
        "(SELECT count() FROM mttr.severity_targets "
        f"WHERE _block_number > {blocks.severity_targets}) > 0"
    )


def snapshot_view_sql(view: SnapshotView, table: str, blocks: Blocks, rows: int) -> str:
    """Return the ``CREATE OR REPLACE VIEW`` reading ``table`` (``rows`` rows at ``blocks``)."""
    changed = changed_services(view, blocks)
    intact = f"(SELECT count() FROM {table}) = {rows}"
    return (
        f"CREATE OR REPLACE VIEW mttr.{view.name} AS "
        f"SELECT {view.read_columns} FROM {table} WHERE {intact} AND service NOT IN ({changed}) "
        "UNION ALL "
        "SELECT * REPLACE (toLowCardinality(service) AS service) "
        f"FROM (SELECT * FROM mttr.{view.name}_live WHERE NOT ({intact}) OR service IN ({changed}))"
    )


def snapshot_tables(client: Client, view: SnapshotView) -> list[str]:
    """Return the names of ``view``'s snapshot tables (every owner's), oldest first."""
    return [name for _, _, name in _tables(client, view)]


def _tables(client: Client, view: SnapshotView) -> list[tuple[int, str, str]]:
    """Return (stamp in epoch ms, owner, name) of ``view``'s snapshot tables, oldest first.

    Tables named before owners existed (``<view>__snapshot_<ms>``) have owner "".
    """
    prefix = f"{view.name}__snapshot_"
    result = client.query(
        "SELECT name FROM system.tables WHERE database = 'mttr' AND startsWith(name, %(prefix)s)",
        parameters={"prefix": prefix},
    )
    names = [str(name) for (name,) in result.result_rows]
    parts = [(name, *name.removeprefix(prefix).split("_", 1), "") for name in names]
    return sorted((int(stamp), owner, name) for name, stamp, owner, *_ in parts if stamp.isdigit())


def refresh_view(
    client: Client, view: SnapshotView, blocks: Blocks, stamp: int, *, full: bool, owner: str
) -> int:
    """Snapshot one view and point ``mttr.<view>`` at it; return the snapshot's rows.

    A full refresh recomputes every row from the live definition, sorted by
    service (each block of the in-memory table then holds few services, which
    keeps the service filter cheap). Otherwise the new snapshot is the view
    itself: the previous snapshot's rows of unchanged services plus live rows
    of the changed ones, appended in service order.
    """
    table = f"mttr.{view.name}__snapshot_{stamp}_{owner}"
    source = f"mttr.{view.name}_live ORDER BY service" if full else f"mttr.{view.name}"
    client.command(
        f"CREATE TABLE {table} ENGINE = Memory AS "
        f"SELECT * REPLACE (toLowCardinality(service) AS service) FROM {source}"
    )
    rows = int(client.query(f"SELECT count() FROM {table}").result_rows[0][0])
    client.command(snapshot_view_sql(view, table, blocks, rows))
    return rows


def drop_snapshots(
    client: Client, view: SnapshotView, owner: str = OWNER, stale_s: float = STALE_S
) -> list[str]:
    """Drop ``view``'s snapshot tables no read needs any more; return their names.

    Those are ``owner``'s tables but its newest (call it after pointing the
    view at that one) and other owners' tables that the view does not read
    and that are ``stale_s`` old: another refresher may point the view at
    its newest table at any moment (its older ones no view reads).
    """
    tables = _tables(client, view)
    mine = [name for _, by, name in tables if by == owner]
    result = client.query(
        "SELECT create_table_query FROM system.tables WHERE database = 'mttr' AND name = %(name)s",
        parameters={"name": view.name},
    )
    reading = " ".join(str(text) for (text,) in result.result_rows)
    stale = time.time_ns() // 1_000_000 - stale_s * 1000
    dropped = mine[:-1] + [
        name
        for stamp, by, name in tables
        if by != owner and stamp < stale and not re.search(rf"\b{re.escape(name)}\b", reading)
    ]
    for name in dropped:
        client.command(f"DROP TABLE IF EXISTS mttr.{name}")
    return dropped


def refresh(
    client: Client,
    views: tuple[SnapshotView, ...] = VIEWS,
    *,
    full: bool = True,
    grace_s: float = 1.0,
    owner: str = OWNER,
) -> Refreshed:
    """Snapshot every view now; the block numbers are read before any snapshot.

    ``full=False`` builds each snapshot from the current one (see
    ``refresh_view``); it is as exact as a full refresh and costs about one
    read of the view. The replaced snapshots are dropped ``grace_s`` after
    the last view was pointed at its new one, so a read that had just
    resolved the old view text still finds its table; ``seconds`` in the
    result leaves that wait out. ``owner`` marks the new tables: only
    ``owner``'s replaced tables are dropped (see ``drop_snapshots``).
    """
    began = time.perf_counter()
    blocks = committed_blocks(client)
    stamp = time.time_ns() // 1_000_000
    rows = {v.name: refresh_view(client, v, blocks, stamp, full=full, owner=owner) for v in views}
    seconds = time.perf_counter() - began
    time.sleep(grace_s)
    for view in views:
        drop_snapshots(client, view, owner)
    return Refreshed(blocks, rows, seconds, full)


def in_use(client: Client, views: tuple[SnapshotView, ...] = VIEWS) -> bool:
    """Return whether every view reads a snapshot (``mttr migrate`` points them back to live)."""
    result = client.query(
        "SELECT countIf(position(create_table_query, '__snapshot_') > 0) FROM system.tables "
        "WHERE database = 'mttr' AND name IN %(names)s",
        parameters={"names": tuple(view.name for view in views)},
    )
    return int(result.result_rows[0][0]) == len(views)


class Refresher:
    """Keeps the snapshots current, spending at most ``max_share`` of the time on it.

    ``run`` refreshes when a source table has a new block (or a view reads
    live, e.g. after ``mttr migrate`` or a restart) and the last refresh ended
    long enough ago (9 times its own duration for the default 10%). Refreshes build on the previous
    snapshot; one in ``FULL_EVERY_S`` (and the first) recomputes everything.
    """

    FULL_EVERY_S = 3600.0

    def __init__(
        self, client: Client, *, grace_s: float = 1.0, max_share: float = 0.1, owner: str = OWNER
    ) -> None:
        self._client = client
        self._owner = owner
        self._grace_s = grace_s
        self._pause = 1 / max_share - 1  # seconds of pause per second of refresh
        self._blocks: Blocks | None = None
        self._next_at = 0.0
        self._full_at = -self.FULL_EVERY_S
        self.last: Refreshed | None = None

    def run(self) -> Refreshed | None:
        """Refresh if due and needed; return what was done, or None."""
        now = time.monotonic()
        if now < self._next_at:
            return None
        blocks = committed_blocks(self._client)
        current = in_use(self._client)
        if blocks == self._blocks and current:
            return None
        full = not current or now - self._full_at >= self.FULL_EVERY_S
        done = refresh(self._client, full=full, grace_s=self._grace_s, owner=self._owner)
        if full:
            self._full_at = now
        self._blocks, self.last = done.blocks, done
        self._next_at = time.monotonic() + self._pause * done.seconds
        log.debug(
            "view snapshots refreshed (%s) in %.2f s: %s",
            "full" if full else "changed services",
            done.seconds,
            done.rows,
        )
        return done
