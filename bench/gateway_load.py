"""The load generator of the gateway benchmark: run in its own process by bench/gateway.py.

``python -m bench.gateway_load --url http://127.0.0.1:PORT --keys FILE --routes
events,alertmanager,... --output FILE`` loads each route in turn, alone: for
``--warmup`` plus ``--duration`` seconds it keeps ``--concurrency`` requests
in flight to that route (one keep-alive connection each, closed loop: a
connection sends its next request as soon as the previous one was answered),
waits for the requests in flight, then moves to the next route. It writes
FILE (JSON):

* ``requests``: one ``[route, status, latency_ms, events, warmup, done_s]``
  per request; status 0 is a request that got no HTTP answer (connection
  error or the client timeout); ``events`` is what the builder announced;
  ``done_s`` is when it finished, in seconds after the route's measured
  window opened (negative during its warm-up).
* ``windows``: route -> its measured window in seconds (until its last
  request was answered); ``warmups``: route -> its warm-up in seconds
  (``--warmup``, but at least ``FIRST_WARMUP_S`` for the first route, which
  also warms up the broker and the gateway's Kafka producer).
* ``acknowledged``: every event id of every 2xx answer;
  ``unacknowledged``: the events announced by requests that got anything
  else (they may or may not be in Kafka); ``mismatched``: 2xx answers naming
  another number of events than announced.
* ``cpu_s``: this process's CPU time.

The requests come from the payload builders (bench/gateway_payloads/): each
source's real example with new ids and times, signed with the run's secrets
(``--keys``, written by bench/gateway.py) or carrying the gateway token. Every
id carries the run tag, the connection and a sequence number, so every event
id is new; the draws are seeded (``--seed``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import orjson

from bench.gateway_payloads import Builder, Draw, Keys, builders_for

NUMBERS_PER_CONNECTION = 10_000_000  # Draw.number = connection * this + sequence: unique
FIRST_WARMUP_S = 3.0  # the first route also warms up the broker and the gateway's producer


@dataclass
class Record:
    """What the load generator collects (see the module docstring)."""

    requests: list[tuple[str, int, float, int, bool, float]] = field(default_factory=list)
    windows: dict[str, float] = field(default_factory=dict)
    warmups: dict[str, float] = field(default_factory=dict)
    acknowledged: list[str] = field(default_factory=list)
    unacknowledged: int = 0
    mismatched: int = 0
    failures: dict[str, int] = field(default_factory=dict)


@dataclass
class Connection:
    """One connection's draws: its id prefix, its sequence (across routes) and its generator."""

    worker: int
    tag: str
    keys: Keys
    rng: random.Random
    seq: int = 0

    def draw(self) -> Draw:
        """Return the next draw: a new uid and number, the same keys and generator."""
        self.seq += 1
        uid = f"{self.tag}{self.worker:02d}{self.seq:07d}"
        number = self.worker * NUMBERS_PER_CONNECTION + self.seq
        return Draw(uid=uid, number=number, keys=self.keys, rng=self.rng)


async def send(
    session: aiohttp.ClientSession,
    url: str,
    name: str,
    build: Builder,
    connection: Connection,
    window: tuple[float, float],
    record: Record,
) -> None:
    """Send requests of route ``name`` back to back until ``window`` closes (``perf_counter``)."""
    opens, closes = window
    while time.perf_counter() < closes:
        request = build(connection.draw())
        began = time.perf_counter()
        status, answer = 0, b""
        try:
            async with session.post(
                url + request.target, data=request.body, headers=request.headers
            ) as response:
                answer = await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            failure = type(exc).__name__
            record.failures[failure] = record.failures.get(failure, 0) + 1
        done = time.perf_counter()
        record.requests.append(
            (name, status, (done - began) * 1000, request.events, began < opens, done - opens)
        )
        if 200 <= status < 300:
            acked = orjson.loads(answer).get("event_ids", [])
            record.acknowledged.extend(acked)
            record.mismatched += len(acked) != request.events
        else:
            record.unacknowledged += request.events


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Load every route in turn and return the output document."""
    keys = Keys.read(args.keys)
    builders = builders_for(args.routes.split(","))
    connections = [
        Connection(n, args.tag, keys, random.Random(args.seed * 1000 + n))
        for n in range(args.concurrency)
    ]
    record = Record()
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    timeout = aiohttp.ClientTimeout(total=args.timeout)
    cpu_began = os.times()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        for index, (name, build) in enumerate(builders.items()):
            warmup = max(FIRST_WARMUP_S, args.warmup) if index == 0 else args.warmup
            record.warmups[name] = warmup
            opens = time.perf_counter() + warmup
            window = (opens, opens + args.duration)
            await asyncio.gather(
                *(send(session, args.url, name, build, c, window, record) for c in connections)
            )
            record.windows[name] = time.perf_counter() - opens
    cpu = os.times()
    return {
        "concurrency": args.concurrency,
        "warmup_s": args.warmup,
        "duration_s": args.duration,
        "routes": list(builders),
        "windows": record.windows,
        "warmups": record.warmups,
        "cpu_s": (cpu.user - cpu_began.user) + (cpu.system - cpu_began.system),
        "requests": record.requests,
        "acknowledged": record.acknowledged,
        "unacknowledged": record.unacknowledged,
        "mismatched": record.mismatched,
        "failures": record.failures,
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.gateway_load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--url", required=True, help="the gateway, e.g. http://127.0.0.1:8080")
    parser.add_argument("--keys", type=Path, required=True, help="the run's keys (JSON)")
    parser.add_argument("--routes", required=True, help="comma-separated route names, in order")
    parser.add_argument("--output", type=Path, required=True, help="JSON file to write")
    parser.add_argument("--concurrency", type=int, default=16, help="connections in flight")
    parser.add_argument("--duration", type=float, default=8.0, help="measured seconds per route")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds before each window")
    parser.add_argument("--timeout", type=float, default=30.0, help="client timeout per request")
    parser.add_argument("--tag", default="run", help="prefix of every id")
    parser.add_argument("--seed", type=int, default=1, help="seed of the payload draws")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the load, write ``--output``; return 0 (failed requests are data, not errors)."""
    args = parse_args(argv)
    document = asyncio.run(run(args))
    tmp = args.output.with_suffix(".tmp")
    tmp.write_bytes(orjson.dumps(document))
    tmp.replace(args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
