"""The pure correlation engine on an alert storm and on spread-out data: CPU per event.

``python -m bench.engine_storm [--workload storm|spread] [--events N] [--batch N]``

* **storm**: ONE service/environment and ONE incident: 50,000 alert events of
  5,000 alert ids (each alert fires and resolves 5 times at random moments of a
  2-hour span, so at every moment some alert fires), sent roughly in event-time
  order (shuffled within blocks of 50) with 1% sent twice, as the pipeline
  benchmark sends its data (``bench/pipeline/dataset.py``). Fixed seed.
* **spread**: the pipeline benchmark's dataset (2,000 services, few events per key).

Events are decoded and reduced to members before the clock starts; what is timed
is what ``streams/worker/correlation_step.py`` does per event: take the key's state
(a private copy the first time the key is touched in a batch of ``--batch`` events,
``--batch 1``: a copy per event), then ``apply_event``. The output gives the CPU
microseconds per event of every 5,000 events (the last chunk may be shorter), of
the first and the last 5,000 (``last_over_first``) and of all, and the size of
the storm key's state as JSON (``orjson.dumps``) at the end and at its largest
(sampled every 1,000 events, outside the timed part). Default windows (quiet
10 min, lateness 1 h, suspect 1 h, retention 7 d).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from array import array
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from schemas.events import EVENT_ADAPTER, SEVERITIES, ChangeEvent
from streams.engine.correlate import EngineConfig, State, apply_event, copy_state
from streams.engine.members import Member, to_member

CONFIG = EngineConfig()
SEED = 17
START = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
SPAN_MS = 2 * 3_600_000
CYCLES = 5  # firings (and resolutions) per alert
SHUFFLE_BLOCK = 50
DUPLICATE_SHARE = 0.01
CHUNK = 5_000
SAMPLE_EVERY = 1_000
NOW_MS = 1_800_000_000_000

Item = tuple[str, str, Member]


def _stamp(ms: int) -> str:
    return (START + timedelta(milliseconds=ms)).isoformat(timespec="milliseconds")


def storm_events(alerts: int = 5_000, seed: int = SEED) -> list[dict[str, Any]]:
    """Return the storm's events in sending order (duplicates included)."""
    rng = random.Random(seed)
    distinct: list[dict[str, Any]] = []
    for number in range(alerts):
        times = sorted(rng.sample(range(SPAN_MS), 2 * CYCLES))
        severity = rng.choice(SEVERITIES)
        for cycle, at_ms in enumerate(times):
            distinct.append(
                {
                    "event_id": f"storm-{number:04d}-{cycle}",
                    "type": "alert",
                    "service": "storm",
                    "environment": "production",
                    "occurred_at": _stamp(at_ms),
                    "alert_id": f"alert-{number:04d}",
                    "name": f"Alert{number % 40}",
                    "status": "firing" if cycle % 2 == 0 else "resolved",
                    "severity": severity,
                    "category": "availability",
                }
            )
    sent = distinct + rng.sample(distinct, int(len(distinct) * DUPLICATE_SHARE))
    sent.sort(key=lambda event: event["occurred_at"])  # duplicates next to their original
    arrivals: list[dict[str, Any]] = []
    for start in range(0, len(sent), SHUFFLE_BLOCK):
        block = sent[start : start + SHUFFLE_BLOCK]
        rng.shuffle(block)
        arrivals.extend(block)
    return arrivals


def spread_events(events: int) -> list[dict[str, Any]]:
    """Return the pipeline benchmark's messages (2,000 services), decoded, in sending order."""
    from bench.pipeline.dataset import build  # noqa: PLC0415 - only this workload needs it

    return [orjson.loads(value) for _, _, value in build(2_000, events).messages]


def to_items(events: list[dict[str, Any]]) -> list[Item]:
    """Validate and reduce every event to (service, environment, member)."""
    items = []
    for event in events:
        parsed = EVENT_ADAPTER.validate_python(event)
        if isinstance(parsed, ChangeEvent):  # never correlated
            continue
        items.append((parsed.service, parsed.environment, to_member(parsed)))
    return items


def run(items: list[Item], batch: int, sample_key: tuple[str, str] | None) -> dict[str, Any]:
    """Apply ``items`` as the correlation step does; return timings and state sizes."""
    states: dict[tuple[str, str], State] = {}
    owned: set[tuple[str, str]] = set()
    cpu = array("d")  # seconds per event
    sizes: list[int] = []
    rows = late = duplicates = 0
    for index, (service, environment, member) in enumerate(items):
        if index % batch == 0:
            owned = set()  # a new batch: every state is the table's, copy before changing it
        key = (service, environment)
        started = time.process_time()
        state = states.get(key)
        if key not in owned:
            state = copy_state(state) if state is not None else None
            owned.add(key)
        state, outputs = apply_event(state, member, service, environment, CONFIG, NOW_MS + index)
        states[key] = state
        cpu.append(time.process_time() - started)
        rows += len(outputs.rows)
        late += outputs.late
        duplicates += outputs.duplicate
        if sample_key is not None and ((index + 1) % SAMPLE_EVERY == 0 or index + 1 == len(items)):
            sizes.append(len(orjson.dumps(states[sample_key])))
    chunks = [_us(cpu[start : start + CHUNK]) for start in range(0, len(cpu), CHUNK)]
    return {
        "events": len(items),
        "batch": batch,
        "us_per_event_per_5000": chunks,
        "us_per_event_first_5000": _us(cpu[:CHUNK]),
        "us_per_event_last_5000": _us(cpu[-CHUNK:]),
        "last_over_first": round(_us(cpu[-CHUNK:]) / _us(cpu[:CHUNK]), 2),
        "us_per_event": _us(cpu),
        "cpu_s": round(sum(cpu), 3),
        "rows": rows,
        "late": late,
        "duplicates": duplicates,
        "keys": len(states),
        "state_bytes_end": sizes[-1] if sizes else None,
        "state_bytes_max": max(sizes) if sizes else None,
    }


def _us(seconds: Sequence[float]) -> float:
    return round(sum(seconds) / max(len(seconds), 1) * 1e6, 1)


def main(argv: list[str] | None = None) -> int:
    """Build the workload, apply it ``--runs`` times, print the median run as JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.engine_storm", description=__doc__)
    parser.add_argument("--workload", choices=("storm", "spread"), default="storm")
    parser.add_argument("--events", type=int, default=None, help="apply only the first N")
    parser.add_argument("--batch", type=int, default=1_000, help="events per batch (1: copy each)")
    parser.add_argument("--runs", type=int, default=1, help="repetitions (median by total CPU)")
    args = parser.parse_args(argv)
    if args.workload == "storm":
        items, sample = to_items(storm_events()), ("storm", "production")
    else:
        items, sample = to_items(spread_events(50_000)), None
    items = items[: args.events] if args.events else items
    results = [run(items, args.batch, sample) for _ in range(args.runs)]
    median = statistics.median_low(result["cpu_s"] for result in results)
    chosen = next(result for result in results if result["cpu_s"] == median)
    chosen["workload"] = args.workload
    chosen["runs_cpu_s"] = [result["cpu_s"] for result in results]
    print(orjson.dumps(chosen, option=orjson.OPT_INDENT_2).decode())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
