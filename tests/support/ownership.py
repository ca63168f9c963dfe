"""The March 2026 incident history of the ownership tests, and files to load.

``checkout`` changes owner in the middle of March (``OWNERS_YAML``: payments
from the beginning, storefront from 2026-03-15T00:00:00Z); ``search`` has no
owner. Every incident is in ``prod``; ttd is 30 s for all (dashboard_seed's
rows). tests/integration/test_owners.py holds the numbers computed by hand.

=====  ========  ========  ========================  =====  ======  =================
id     service   severity  started_at                ttr s  tta s   note
=====  ========  ========  ========================  =====  ======  =================
c1     checkout  high      2026-03-02T10:00:00Z        600      60
c2     checkout  high      2026-03-10T08:00:00Z       1800     120  version 1 had 9999
c3     checkout  critical  2026-03-14T23:59:59.999Z    300      60  1 ms before the change
c4     checkout  high      2026-03-15T00:00:00Z        900    None  at the change
c5     checkout  high      2026-03-20T12:00:00Z       2700      90
c6     checkout  high      2026-03-21T09:00:00Z       open          not resolved
c7     checkout  high      2026-03-22T09:00:00Z        100      60  deleted (marker)
s1     search    high      2026-03-05T06:00:00Z        400      30  unowned
=====  ========  ========  ========================  =====  ======  =================
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from clickhouse_connect.driver.client import Client

from streams.engine.incident import INCIDENT_COLUMNS
from tests.support.dashboard_seed import incident

OWNERS_YAML = """\
# who owns what
- service: checkout
  team: payments
- service: checkout
  team: storefront
  valid_from: 2026-03-15T00:00:00Z
"""
CORRECTED_YAML = """\
- service: checkout
  team: payments
- service: checkout
  team: storefront
  valid_from: "2026-03-10T00:00:00Z"
"""
CATALOG_YAML = """\
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: shop
spec:
  owner: group:default/storefront
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
spec:
  type: service
  owner: group:default/platform
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: search
spec:
  type: service
  owner: discovery
"""


def _at(day: int, hour: int = 0, minute: int = 0, second: int = 0, ms: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, ms * 1000, tzinfo=UTC)


def march_incidents() -> list[dict[str, Any]]:
    """Return every incident row version of the table in the module docstring."""
    high, critical = ("checkout", "prod", "high"), ("checkout", "prod", "critical")
    rows = [
        incident("c1", high, _at(2, 10), 600.0, tta_s=60.0),
        {**incident("c2", high, _at(10, 8), 9999.0, tta_s=120.0), "version": 1},
        {**incident("c2", high, _at(10, 8), 1800.0, tta_s=120.0), "version": 2},
        incident("c3", critical, _at(14, 23, 59, 59, 999), 300.0, tta_s=60.0),
        incident("c4", high, _at(15), 900.0, tta_s=None),
        incident("c5", high, _at(20, 12), 2700.0, tta_s=90.0),
        incident("c6", high, _at(21, 9), None),
        incident("c7", high, _at(22, 9), 100.0, tta_s=60.0),
        {**incident("c7", high, _at(22, 9), 100.0, tta_s=60.0), "version": 2, "is_deleted": 1},
        incident("s1", ("search", "prod", "high"), _at(5, 6), 400.0, tta_s=30.0),
    ]
    return rows


def seed_incidents(client: Client) -> None:
    """Insert ``march_incidents()`` into ``mttr.incidents``."""
    rows = march_incidents()
    columns = [c for c in INCIDENT_COLUMNS if c in rows[0]]
    client.insert("mttr.incidents", [[r[c] for c in columns] for r in rows], column_names=columns)


def by_team(client: Client) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Return ``mttr.mttr_by_team`` keyed by (team, environment, severity)."""
    result = client.query("SELECT * FROM mttr.mttr_by_team")
    return {
        (row.pop("team"), row.pop("environment"), row.pop("severity")): row
        for row in result.named_results()
    }
