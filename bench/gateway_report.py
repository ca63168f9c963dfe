"""Figures of the gateway benchmark: throughput, latency and delivery, as tables and JSON.

``load`` below is the document the load generator wrote (see
bench/gateway_load.py): every route loaded alone, in turn. Throughput and
latency count only each route's measured window; the delivery check counts
every request, warm-ups included.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.gateway_payloads import route
from bench.timing import quantile


@dataclass(frozen=True)
class Throughput:
    """The measured window's requests to one route (``None``: every route, windows summed).

    Latencies are those of the 2xx answers, as the client saw them: from
    sending the request to reading the whole answer, Kafka's acknowledgement
    included.
    """

    route: str | None
    requests: int
    ok: int
    events: int
    window_s: float
    latencies_ms: tuple[float, ...]
    statuses: dict[str, int]

    @property
    def requests_per_s(self) -> float:
        """Return answered requests (any status) per second of the window."""
        return self.requests / self.window_s

    @property
    def events_per_s(self) -> float:
        """Return acknowledged events per second of the window."""
        return self.events / self.window_s

    def latency(self, q: float) -> float | None:
        """Return the ``q`` quantile of the 2xx latencies in ms (None without any)."""
        return quantile(list(self.latencies_ms), q) if self.latencies_ms else None

    def as_dict(self) -> dict[str, Any]:
        """Return the figures as JSON-ready values (milliseconds rounded to 0.1)."""
        names = {"p50_ms": 0.5, "p90_ms": 0.9, "p99_ms": 0.99, "max_ms": 1.0}
        rounded = {name: self.latency(q) for name, q in names.items()}
        return {
            "route": self.route or "all",
            "endpoint": f"POST {route(self.route)}" if self.route else "all",
            "requests": self.requests,
            "ok": self.ok,
            "errors": self.requests - self.ok,
            "window_s": round(self.window_s, 2),
            "events": self.events,
            "requests_per_s": round(self.requests_per_s, 1),
            "events_per_s": round(self.events_per_s, 1),
            **{k: None if v is None else round(v, 1) for k, v in rounded.items()},
            "statuses": self.statuses,
        }


def throughput(load: dict[str, Any], name: str | None) -> Throughput:
    """Return the figures of route ``name`` over its measured window (None: all routes)."""
    rows = [r for r in load["requests"] if not r[4] and (name is None or r[0] == name)]
    ok = [r for r in rows if 200 <= r[1] < 300]
    statuses = Counter(str(r[1]) for r in rows)
    windows = load["windows"]
    return Throughput(
        name,
        len(rows),
        len(ok),
        sum(r[3] for r in ok),
        windows[name] if name is not None else sum(windows.values()),
        tuple(r[2] for r in ok),
        dict(sorted(statuses.items())),
    )


def per_second(load: dict[str, Any], name: str) -> list[int]:
    """Return the requests of route ``name`` answered in each whole second of its window."""
    seconds = [0] * int(load["duration_s"])
    for row in load["requests"]:
        if row[0] == name and not row[4] and 0 <= row[5] < len(seconds):
            seconds[int(row[5])] += 1
    return seconds


@dataclass(frozen=True)
class Delivery:
    """Every event id acknowledged with a 2xx, looked up in the topics read back."""

    acknowledged: int
    acknowledged_twice: int
    unacknowledged: int
    stored: int
    messages: int
    per_topic: dict[str, int]
    lost: tuple[str, ...]
    duplicates: int
    stored_unacknowledged: int
    mismatched: int

    @property
    def complete(self) -> bool:
        """Return True when something was acknowledged and all of it is in Kafka."""
        return self.acknowledged > 0 and not self.lost

    def as_dict(self) -> dict[str, Any]:
        """Return the counts as JSON-ready values (the first 100 lost ids)."""
        return {
            "acknowledged_event_ids": self.acknowledged,
            "acknowledged_twice": self.acknowledged_twice,
            "unacknowledged_events": self.unacknowledged,
            "distinct_event_ids_in_kafka": self.stored,
            "messages_in_kafka": self.messages,
            "messages_per_topic": self.per_topic,
            "lost": len(self.lost),
            "lost_sample": list(self.lost[:100]),
            "duplicates": self.duplicates,
            "in_kafka_without_2xx": self.stored_unacknowledged,
            "answers_with_another_event_count": self.mismatched,
        }


def delivery(load: dict[str, Any], stored: Counter[str], per_topic: dict[str, int]) -> Delivery:
    """Compare the acknowledged event ids with ``stored`` (event id -> messages in Kafka)."""
    acknowledged = set(load["acknowledged"])
    return Delivery(
        acknowledged=len(acknowledged),
        acknowledged_twice=len(load["acknowledged"]) - len(acknowledged),
        unacknowledged=load["unacknowledged"],
        stored=len(stored),
        messages=sum(stored.values()),
        per_topic=per_topic,
        lost=tuple(sorted(acknowledged - stored.keys())),
        duplicates=sum(n - 1 for n in stored.values() if n > 1),
        stored_unacknowledged=len(stored.keys() - acknowledged),
        mismatched=load["mismatched"],
    )


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def throughput_table(load: dict[str, Any], rows: list[Throughput]) -> Table:
    """Return a row per route, then all routes together."""
    table = Table(
        title=(
            f"gateway load, each route alone: {load['concurrency']} connections for "
            f"{load['duration_s']:g} s (after a {load['warmup_s']:g} s warm-up, "
            f"{max(load['warmups'].values(), default=0):g} s for the first), "
            "from a second process, gateway token on"
        ),
        title_justify="left",
        caption=(
            "latency in ms of the 2xx answers, seen by the client: request sent to answer read, "
            "Kafka acks=all included; errors: requests answered otherwise or not at all; "
            "all: every route's requests over the sum of the windows"
        ),
        caption_justify="left",
    )
    table.add_column("route", no_wrap=True)
    for name in ("requests", "req/s", "events", "events/s", "p50", "p90", "p99", "max", "errors"):
        table.add_column(name, justify="right")
    for row in rows:
        errors = row.requests - row.ok
        table.add_row(
            f"POST {route(row.route)}" if row.route else "all",
            f"{row.requests:,}",
            f"{row.requests_per_s:,.0f}",
            f"{row.events:,}",
            f"{row.events_per_s:,.0f}",
            *(_ms(row.latency(q)) for q in (0.5, 0.9, 0.99, 1.0)),
            f"[red]{errors:,}" if errors else "0",
        )
    return table


def delivery_table(result: Delivery) -> Table:
    """Return the end-to-end count as a two-column table."""
    table = Table(
        title="end to end: acknowledged event ids in Kafka",
        title_justify="left",
        caption="warm-ups included; topics read from the beginning to their end offsets",
        caption_justify="left",
    )
    table.add_column("count", no_wrap=True)
    table.add_column("events", justify="right")
    lost = f"[green]{len(result.lost)}" if not result.lost else f"[red]{len(result.lost):,}"
    for name, value in (
        ("acknowledged (2xx)", f"{result.acknowledged:,}"),
        ("  of which in more than one answer", f"{result.acknowledged_twice:,}"),
        ("distinct event ids in Kafka", f"{result.stored:,}"),
        ("messages in the topics", f"{result.messages:,}"),
        *((f"  in {topic}", f"{n:,}") for topic, n in result.per_topic.items()),
        ("[bold]lost: acknowledged, not in Kafka", lost),
        ("duplicates: extra copies in Kafka", f"{result.duplicates:,}"),
        ("sent without a 2xx answer", f"{result.unacknowledged:,}"),
        ("event ids in Kafka without a 2xx answer", f"{result.stored_unacknowledged:,}"),
        ("2xx answers naming another number of events", f"{result.mismatched:,}"),
    ):
        table.add_row(name, value)
    return table


def print_verdict(console: Console, result: Delivery, rows: list[Throughput]) -> bool:
    """Print whether every request succeeded and every acknowledged event reached Kafka.

    Returns True when both hold (and something was acknowledged).
    """
    failing = {
        row.route: row.requests - row.ok for row in rows if row.route and row.requests > row.ok
    }
    if failing:
        listed = ", ".join(f"{name} {n:,}" for name, n in failing.items())
        console.print(f"[red]requests without a 2xx answer (must be 0): {listed}")
    if result.complete:
        console.print(f"[green]zero lost: all {result.acknowledged:,} acknowledged events in Kafka")
    elif not result.acknowledged:
        console.print("[red]no request was acknowledged: nothing was measured")
    else:
        sample = ", ".join(result.lost[:5])
        console.print(f"[red]{len(result.lost):,} acknowledged events are NOT in Kafka: {sample}")
    if result.unacknowledged and not failing:
        console.print(f"[red]{result.unacknowledged:,} events sent in warm-ups got no 2xx answer")
    return result.complete and not failing and not result.unacknowledged


def write_json(folder: Path, started: datetime, document: dict[str, Any]) -> Path:
    """Write ``gateway-<date>.json`` into ``folder`` (via a .tmp file) and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"gateway-{started.date().isoformat()}.json"
    tmp = path.with_suffix(".json.tmp")
    body = {"started_at": started.isoformat(timespec="seconds"), **document}
    tmp.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path
