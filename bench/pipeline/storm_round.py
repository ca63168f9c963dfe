"""The alert-storm row of the pipeline benchmark: publish the storm, run, check, print.

The storm (storm.py) is pre-filled once into three fresh topics of the
benchmark's broker. ``ours`` and, when it is among the contenders, ``quix``
each read it once from the beginning into a fresh chDB database
(storm_run.py), stopped at ``cap`` seconds. A finished run is checked against
the incident derived by hand (``storm.expected``); a wrong or capped run does
not count. Its rate is also given as a share of the same contender's median
rate on the spread-out dataset of the same benchmark run.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.pipeline import dataset as data
from bench.pipeline import storm, storm_run
from bench.pipeline.contest import Contender, prepare
from bench.pipeline.contract import ContenderConfig, incident_rows
from bench.pipeline.measure import state_bytes, topic_bytes
from streams.settings import Settings
from streams.storage.clickhouse import connect

STORM_CONTENDERS = ("ours", "quix")


def _verdict(figures: dict[str, Any], folder: Path, chdb: str, wanted: dict[str, Any]) -> str:
    """Return '' when the stored incident is the expected one, else what is wrong."""
    if figures.get("error"):
        return str(figures["error"])[:200]
    if figures["capped"]:
        return f"capped at {figures['events']:,} events processed; output not checked"
    client = connect(Settings(clickhouse_url=f"chdb://{chdb}", var_dir=folder))
    try:
        problems = storm.check(incident_rows(client), wanted)
    finally:
        client.close()
    return "; ".join(problems)


def run(
    bootstrap: str, broker_dir: Path, work: Path, console: Console, chosen: list[Contender],
    spread: dict[str, float], size: tuple[int, int], cap: float,
) -> dict[str, Any]:  # fmt: skip
    """Publish a storm of ``size`` (events, alert ids), run each storm contender, report.

    ``spread`` is each contender's median events/s on the spread-out dataset.
    """
    events, alerts = size
    dataset = storm.build(events, alerts)
    wanted = storm.expected(dataset)
    window = min(5_000, events // 10)
    topics = data.Topics("bench-storm-alerts", "bench-storm-deploys", "bench-storm-tickets")
    data.create_topics(bootstrap, topics)
    seconds = data.prefill(bootstrap, topics, dataset)
    console.print(
        f"storm: {events:,} alert events of {alerts:,} alert ids on one key over "
        f"{dataset.days * 24:.1f} h, {len(dataset.messages):,} messages, pre-filled in "
        f"{seconds:.1f} s; expected one incident: {wanted}"
    )
    runs = []
    for contender in [c for c in chosen if c.name in STORM_CONTENDERS]:
        folder = work / f"storm-{contender.name}"
        chdb = str(prepare(folder))
        config = ContenderConfig(
            bootstrap=bootstrap,
            topics={"alert": topics.alerts, "deploy": topics.deploys, "ticket": topics.tickets},
            group=f"bench-storm-{contender.name}-{time.time_ns()}",
            chdb_path=chdb,
            state_dir=str(folder / "state"),
            partitions=data.PARTITIONS,
            **({"allowed_lateness_s": contender.lateness_s} if contender.lateness_s else {}),
        )
        console.print(f"storm: {contender.name} (cap {cap:.0f} s) ...", end=" ")
        figures = storm_run.run(contender, config, folder, len(dataset.messages), cap, window)
        if contender.name == "ours":  # also after a crash: the state it could not write
            changelog = f"{config.group}-incident-state-changelog"
            figures["state_bytes"] = state_bytes(bootstrap, changelog)
            figures["changelog_bytes_written"] = topic_bytes(broker_dir / "data", changelog)
        problem = _verdict(figures, folder, chdb, wanted)
        figures["counts"] = not problem
        figures["output"] = problem or "one incident, as expected"
        rate = spread.get(contender.name)
        if rate and figures.get("events_per_second"):
            figures["share_of_spread"] = round(figures["events_per_second"] / rate, 3)
        runs.append(figures)
        console.print({k: v for k, v in figures.items() if k not in ("first", "last")})
    console.print(table(runs, events, alerts))
    return {
        "events": events,
        "alerts": alerts,
        "messages": len(dataset.messages),
        "hours": round(dataset.days * 24, 2),
        "window": window,
        "cap_seconds": cap,
        "expected": wanted,
        "runs": runs,
    }


def _cost(figures: dict[str, Any], which: str) -> str:
    part = figures.get(which)
    if not part:
        return "-"
    return (
        f"{part['cpu_us_per_event']:,.0f} ({part['from_event']:,}-{part['to_event']:,}, "
        f"{part['seconds']:.1f} s, {part['ingested']:,} ingested)"
    )


def table(runs: list[dict[str, Any]], events: int, alerts: int) -> Table:
    """Return the storm table: rate, share of the spread-out rate, costs per window."""
    view = Table(title=f"Alert storm ({events:,} events of {alerts:,} alerts on one key)")
    for name in ("contender", "events/s", "of spread", "CPU µs/event", "first window µs/event",
                 "last window µs/event", "last/first", "state bytes", "output"):  # fmt: skip
        view.add_column(name, justify="left" if name in ("contender", "output") else "right")
    for f in runs:
        capped = " (capped, so far)" if f.get("capped") else ""
        share = f.get("share_of_spread")
        ratio = f.get("last_over_first")
        view.add_row(
            f["contender"],
            f"{f.get('events_per_second', 0):,.0f}{capped}",
            f"{share:.0%}" if share is not None else "-",
            f"{f.get('cpu_us_per_event', 0):,.0f}",
            _cost(f, "first"),
            _cost(f, "last"),
            f"{ratio:.2f}x" if ratio is not None else "-",
            f"{f['state_bytes']:,}" if f.get("state_bytes") else "-",
            "counts" if f["counts"] else f"does not count: {f['output'][:100]}",
        )
    return view
