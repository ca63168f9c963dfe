"""Where the worker's CPU goes: py-spy's collapsed stacks summed into named stages (pure).

A stack is ``frame;frame;...;leaf count`` with frames like
``function (path/to/module.py:line)``. Each stack is charged to the first
stage whose pattern matches, walking from the leaf towards the root, so time
in ``json`` under a Faust table write counts as a table write, and
``logging`` under aiokafka counts as logging.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

STAGES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("logging", r"/logging/__init__\.py"),
        ("engine (streams/engine)", r"streams/engine/"),
        ("decode (orjson + pydantic)", r"streams/ingest/decode\.py|pydantic"),
        ("ClickHouse inserts", r"clickhouse_connect|chdb"),
        ("table/changelog writes", r"faust/tables/|staged_table\.py|write_through"),
        ("the hop: bundle, forward, unbundle", r"ingest/bundle\.py|worker/sends\.py.*forward"),
        ("incident rows, publish", r"incident_writer\.py|publish_incidents|engine/incident"),
        ("ack and commit", r"^_?(ack|commit\w*|new_offset|on_message_out)\s.*faust"),
        ("producer (aiokafka)", r"aiokafka/producer|aiokafka/record"),
        ("Faust consume path", r"faust/(transport|streams|channels|topics|agents)|conductor"),
        ("fetch (aiokafka)", r"aiokafka/consumer|aiokafka/conn|aiokafka/client"),
        ("our agents and pipeline", r"streams/(worker|ingest)/"),
        ("asyncio loop", r"asyncio/"),
    )
)
OTHER = "other"


def parse(lines: Iterable[str]) -> Counter[str]:
    """Return samples per stage from py-spy ``--format raw`` lines."""
    totals: Counter[str] = Counter()
    for line in lines:
        line = line.rstrip()
        if not line or " " not in line:
            continue
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        totals[stage_of(stack.split(";"))] += int(count)
    return totals


def stage_of(frames: list[str]) -> str:
    """Return the stage of one stack (frames root first)."""
    for frame in reversed(frames):
        for name, pattern in STAGES:
            if pattern.search(frame):
                return name
    return OTHER


def shares(totals: Counter[str]) -> list[tuple[str, int, float]]:
    """Return ``(stage, samples, share)`` rows, largest first."""
    whole = sum(totals.values()) or 1
    return [(name, n, n / whole) for name, n in totals.most_common()]
