"""The provisioned Grafana dashboards: loading them, their panel targets and template variables.

``load_dashboards()`` reads grafana/provisioning/dashboards/json/, ``panels()``
and ``panel_queries()`` walk them (collapsed rows included); ``Variable`` and
``TimeRange`` are what a panel query is expanded with, ``custom_options()`` the
values of a custom variable. tests/support/grafana_queries.py expands the SQL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tests.support.paths import ROOT

DASHBOARD_DIR = ROOT / "grafana" / "provisioning" / "dashboards" / "json"
DATASOURCE = {"type": "grafana-clickhouse-datasource", "uid": "mttr-clickhouse"}
# sqlds/plugin-sdk FormatQueryOption: 0 = time series, 1 = table (2 logs, 3 trace, 4 multi).
FORMAT_TIME_SERIES, FORMAT_TABLE = 0, 1
ALL = "$__all"


@dataclass(frozen=True)
class Variable:
    """A multi-value template variable: its options and the current selection."""

    name: str
    options: tuple[str, ...]
    selected: tuple[str, ...] | None = None  # None: "All"

    @property
    def current_value(self) -> str:
        """Return ``current.value.toString()`` as the plugin sees it."""
        return ALL if self.selected is None else ",".join(self.selected)

    @property
    def values(self) -> list[str]:
        """Return the values substituted for the variable ("All": every option)."""
        return list(self.options if self.selected is None else self.selected)


@dataclass(frozen=True)
class TimeRange:
    """The dashboard time range and the panel interval Grafana computed for it."""

    start: datetime
    end: datetime
    interval_s: int


@dataclass(frozen=True)
class PanelQuery:
    """One target of one panel."""

    dashboard: str
    panel: dict[str, Any]
    target: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.dashboard}: {self.panel['title']} [{self.target['refId']}]"


def load_dashboards() -> dict[str, dict[str, Any]]:
    """Return every provisioned dashboard JSON by file name."""
    return {
        path.name: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(DASHBOARD_DIR.glob("*.json"))
    }


def panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Yield every panel, including those nested in collapsed rows."""
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def panel_queries(dashboards: dict[str, dict[str, Any]]) -> list[PanelQuery]:
    """Return every target of every panel of every dashboard."""
    return [
        PanelQuery(dashboard["uid"], panel, target)
        for dashboard in dashboards.values()
        for panel in panels(dashboard)
        for target in panel.get("targets", [])
    ]


def custom_options(query: str) -> tuple[str, ...]:
    """Return the values of a custom variable (``a,b`` or ``text : value`` items)."""
    items = [item.strip() for item in re.split(r"(?<!\\),", query) if item.strip()]
    return tuple(item.split(" : ", 1)[-1].strip() for item in items)
