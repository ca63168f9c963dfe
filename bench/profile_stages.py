"""Where the worker's CPU goes: py-spy's collapsed stacks summed into named stages (pure).

A stack is ``frame;frame;...;leaf count`` with frames like
``function (path/to/module.py:line)``. Each stack is charged to the first
stage whose pattern matches, walking from the leaf towards the root, so time
in ``json`` under a Faust table write counts as a Kafka produce, and
``logging`` under aiokafka counts as logging. The event loop's own frames
(``GENERIC``) count only when nothing else matches.
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
        ("decode (msgspec fast path, orjson + pydantic)", r"ingest/decode\.py|schemas/|pydantic"),
        ("ClickHouse inserts", r"clickhouse_connect|chdb"),
        ("the hop: bundle, forward, unbundle", r"KafkaSends\.forward|ingest/bundle\.py|_forwarded"),
        ("incident rows, publish", r"IncidentWriter|publish_incidents"),
        (
            "Kafka produce (changelog, incidents, forwards)",
            r"faust/tables/|staged_table\.py|faust/transport/producer\.py|faust/topics\.py"
            r"|faust/serializers|faust/utils/json|aiokafka/producer|aiokafka/record",
        ),
        (
            "ack and commit",
            r"\.(ack|_?commit\w*|_new_offset|_filter_committable_offsets|on_message_out)\s\("
            r".*faust|Message\.(ack|decref|incref)\s",
        ),
        ("fetch (aiokafka consumer)", r"aiokafka/consumer/"),
        (
            "Faust consume path",
            r"faust/(transport|streams|channels|agents|sensors|events)"
            r"|streams/worker/faust_compat/(drain|stream|raw_schema)\.py",
        ),
        ("our agents and pipeline", r"streams/(worker|ingest|storage)/"),
    )
)
GENERIC: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("waiting in select", r"EpollSelector\.select"),
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
    """Return the stage of one stack (frames root first); asyncio itself only as a last resort.

    A socket write of a produce request has asyncio frames at its leaf: it is
    charged to the producer found further out, not to the event loop.
    """
    for stages in (STAGES, GENERIC):
        for frame in reversed(frames):
            for name, pattern in stages:
                if pattern.search(frame):
                    return name
    return OTHER


def shares(totals: Counter[str]) -> list[tuple[str, int, float]]:
    """Return ``(stage, samples, share)`` rows, largest first."""
    whole = sum(totals.values()) or 1
    return [(name, n, n / whole) for name, n in totals.most_common()]
