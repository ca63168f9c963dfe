"""The hand-computed months of the availability tests, and the files they load.

docs/metrics.md ("Availability and error budgets") works through the same
numbers. ``shop``/``prod`` has the objectives of ``OBJECTIVES_YAML``: 0.999
(high or worse) from the beginning, 0.9995 (medium or worse) from
2026-09-01T00:00:00Z. ``search``/``prod`` has none. Owners: shop is owned by
payments from the beginning and by storefront from 2026-07-15 (so July is
still payments': the owner at the month's start).

==  ======  ========  ============  ================================  =======================
id  key     severity  category      interval (2026, UTC)              counts
==  ======  ========  ============  ================================  =======================
a   shop    high      availability  06-10 10:00 .. 10:30              June (a+b: 10:00-10:50)
b   shop    critical  availability  06-10 10:20 .. 10:50              June, overlaps a
c   shop    medium    availability  06-12 00:00 .. 01:00              no: below high in June
d   shop    critical  performance   06-15 00:00 .. 05:00              no: not availability
e   shop    high      availability  06-30 23:00 .. 07-01 01:00:00.5   June 3,600, July 3,600.5
f   shop    high      availability  07-01 00:30 .. 00:45              inside e: adds nothing
g   shop    medium    availability  09-05 12:00 .. 13:00              September (medium counts)
h   shop    critical  availability  10-01 00:00 .. open               every month since
x   shop    high      availability  06-20 .. 06-21 (deleted)          no: a delete marker
s   search  high      availability  06-03 08:00 .. 09:00              June, no objective
==  ======  ========  ============  ================================  =======================
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from clickhouse_connect.driver.client import Client

from streams.engine.incident import INCIDENT_COLUMNS
from tests.support.dashboard_seed import incident

OBJECTIVES_YAML = """\
# availability objectives
- service: shop
  environment: prod
  objective: 0.999                 # from the beginning, high or worse
- service: shop
  environment: prod
  objective: 0.9995
  min_severity: medium
  valid_from: 2026-09-01T00:00:00Z
"""
OBJECTIVES_CSV = """\
service,environment,objective,valid_from,min_severity
shop,prod,0.999,,
shop,prod,0.9995,2026-09-01T00:00:00Z,medium
"""
OWNERS_YAML = """\
- service: shop
  team: payments
- service: shop
  team: storefront
  valid_from: 2026-07-15T00:00:00Z
"""


def at(month: int, day: int, hour: int = 0, minute: int = 0, ms: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, ms // 1000, ms % 1000 * 1000, tzinfo=UTC)


def _row(
    incident_id: str,
    key: tuple[str, str],
    start: datetime,
    end: datetime | None,
    category: str = "availability",
) -> dict[str, Any]:
    ttr = None if end is None else (end - start).total_seconds()
    return {**incident(incident_id, (key[0], "prod", key[1]), start, ttr), "category": category}


def availability_incidents() -> list[dict[str, Any]]:
    """Return every incident row version of the table in the module docstring."""
    shop = "shop"
    return [
        _row("a", (shop, "high"), at(6, 10, 10), at(6, 10, 10, 30)),
        _row("b", (shop, "critical"), at(6, 10, 10, 20), at(6, 10, 10, 50)),
        _row("c", (shop, "medium"), at(6, 12), at(6, 12, 1)),
        _row("d", (shop, "critical"), at(6, 15), at(6, 15, 5), category="performance"),
        _row("e", (shop, "high"), at(6, 30, 23), at(7, 1, 1, 0, 500)),
        _row("f", (shop, "high"), at(7, 1, 0, 30), at(7, 1, 0, 45)),
        _row("g", (shop, "medium"), at(9, 5, 12), at(9, 5, 13)),
        _row("h", (shop, "critical"), at(10, 1), None),
        _row("x", (shop, "high"), at(6, 20), at(6, 21)),
        {**_row("x", (shop, "high"), at(6, 20), at(6, 21)), "version": 2, "is_deleted": 1},
        _row("s", ("search", "high"), at(6, 3, 8), at(6, 3, 9)),
    ]


def seed_availability(client: Client) -> None:
    """Insert ``availability_incidents()`` into ``mttr.incidents``."""
    rows = availability_incidents()
    columns = [c for c in INCIDENT_COLUMNS if c in rows[0]]
    client.insert("mttr.incidents", [[r[c] for c in columns] for r in rows], column_names=columns)
