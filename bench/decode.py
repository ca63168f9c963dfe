"""``python -m bench.decode``: CPU time of ``decode()`` per event, the fast path against the models.

Decodes every message of the pipeline benchmark's dataset (bench/pipeline/dataset.py,
the same events, duplicates and types) with the type of its topic, twice per
round and interleaved: with ``decode()`` as the worker runs it (msgspec first,
``schemas/fast.py``) and with the models alone (``decode_by_models`` behind the
same null and size checks, which is what ``decode()`` was before the fast path).
Both must give equal events for every message before anything is timed. Reports
the median over the rounds of the process CPU time (``time.process_time``) per
event, overall and per event type, and the ratio; then the same for the
validators alone (``parse_event`` against ``EVENT_ADAPTER`` on ``orjson.loads``),
without what both ways of ``decode()`` share. No broker is needed.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable

import orjson

from bench.pipeline.dataset import build
from bench.report import load_average
from schemas.events import EVENT_ADAPTER
from schemas.fast import parse_event
from streams.ingest.decode import Decoded, Invalid, Origin, decode, decode_by_models

Decode = Callable[[bytes, Origin, str], object]
MAX_BYTES = 1024 * 1024
ORIGINS = {kind: Origin(f"{kind}s", 0, 0) for kind in ("alert", "deploy", "ticket")}


def with_fast_path(raw: bytes, origin: Origin, kind: str) -> Decoded | Invalid:
    """``decode()`` as the worker calls it."""
    return decode(raw, origin, expected_type=kind, max_bytes=MAX_BYTES)


def models_only(raw: bytes, origin: Origin, kind: str) -> Decoded | Invalid:
    """``decode()`` without the fast path: the null and size checks, then the models."""
    if raw is None or len(raw) > MAX_BYTES:
        return decode(raw, origin, expected_type=kind, max_bytes=MAX_BYTES)
    return decode_by_models(raw, origin, expected_type=kind)


def fast_only(raw: bytes, _origin: Origin, _kind: str) -> object:
    """The fast path of the contract alone."""
    return parse_event(raw)


def contract_only(raw: bytes, _origin: Origin, _kind: str) -> object:
    """The models alone, on what orjson makes of the bytes."""
    return EVENT_ADAPTER.validate_python(orjson.loads(raw))


def check(messages: list[tuple[str, bytes]]) -> int:
    """Fail unless both ways decode every message to equal events; return fast-path hits."""
    hits = 0
    for kind, raw in messages:
        new, old = with_fast_path(raw, ORIGINS[kind], kind), models_only(raw, ORIGINS[kind], kind)
        if not (isinstance(new, Decoded) and isinstance(old, Decoded)):
            sys.exit(f"not decoded: {raw!r}")
        if new.event != old.event or new.event.model_fields_set != old.event.model_fields_set:
            sys.exit(f"different events for {raw!r}")
        hits += parse_event(raw) is not None
    return hits


def cpu_us(way: Decode, messages: list[tuple[str, bytes]]) -> float:
    """Return the CPU microseconds per message of one pass of ``way`` over ``messages``."""
    gc.collect()
    started = time.process_time()
    for kind, raw in messages:
        way(raw, ORIGINS[kind], kind)
    return (time.process_time() - started) / len(messages) * 1e6


def main(argv: list[str]) -> int:
    """Build the dataset, check both ways agree, time them; print the medians."""
    parser = argparse.ArgumentParser(prog="python -m bench.decode", description=__doc__)
    parser.add_argument("--events", type=int, default=50_000, help="distinct events (50000)")
    parser.add_argument("--services", type=int, default=2000, help="services (default 2000)")
    parser.add_argument("--runs", type=int, default=7, help="interleaved rounds (default 7)")
    args = parser.parse_args(argv)
    dataset = build(args.services, args.events)
    messages = [(kind, raw) for kind, _key, raw in dataset.messages]
    hits = check(messages)
    print(f"{len(messages)} messages, {hits} decided by the fast path; load {load_average()}")
    groups = {"all": messages} | {
        kind: [m for m in messages if m[0] == kind] for kind in ("alert", "deploy", "ticket")
    }
    rows: list[tuple[str, list[tuple[str, bytes]], Decode, Decode]] = [
        (f"decode {name}", group, models_only, with_fast_path) for name, group in groups.items()
    ]
    rows.append(("validate", messages, contract_only, fast_only))
    print(f"{'':<16}{'count':>7}{'models µs':>11}{'fast µs':>9}{'ratio':>7}")
    for name, group, slow, fast in rows:
        old: list[float] = []
        new: list[float] = []
        for _ in range(args.runs):
            old.append(cpu_us(slow, group))
            new.append(cpu_us(fast, group))
        before, after = statistics.median(old), statistics.median(new)
        print(f"{name:<16}{len(group):>7}{before:>11.2f}{after:>9.2f}{before / after:>7.2f}")
    print(f"median of {args.runs} interleaved rounds, process CPU time; load {load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
