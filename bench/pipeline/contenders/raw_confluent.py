"""Contender ``raw_confluent``: the physical limit of a Python consumer (confluent-kafka).

Consumes the three source topics from the beginning under the group
``config.group``, ``orjson.loads`` every message value and nothing else,
stops after ``EXPECTED`` messages and prints one JSON line: the messages,
the seconds from the first to the last message and the CPU seconds used.

``<bench venv>/bin/python -m bench.pipeline.contenders.raw_confluent CONFIG.json EXPECTED``
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import orjson
from confluent_kafka import Consumer  # type: ignore[import-not-found]

from bench.pipeline.contract import ContenderConfig, own_peak_rss_kib

BATCH = 1000


def consume(config: ContenderConfig, expected: int) -> dict[str, float]:
    """Read ``expected`` messages; return the counts and timings."""
    consumer = Consumer(
        {
            "bootstrap.servers": config.bootstrap,
            "group.id": config.group,
            "auto.offset.reset": "earliest",
            "enable.partition.eof": False,
        }
    )
    consumer.subscribe(list(config.topics.values()))
    count = 0
    first = last = 0.0
    try:
        while count < expected:
            # never ask for more than is left: the last batch would wait out the timeout
            messages = consumer.consume(min(BATCH, expected - count), timeout=1.0)
            for message in messages:
                if message.error() is not None:
                    continue
                if count == 0:
                    first = time.perf_counter()
                orjson.loads(message.value())
                count += 1
            if messages:
                last = time.perf_counter()  # the batch's last message is done
    finally:
        consumer.close()  # commits the offsets read (auto commit)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "messages": count,
        "seconds": last - first,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_kib": own_peak_rss_kib(),
    }


def main(argv: list[str]) -> None:
    """Run on ``argv``: CONFIG.json EXPECTED."""
    result = consume(ContenderConfig.read(Path(argv[0])), int(argv[1]))
    sys.stdout.write(orjson.dumps(result).decode() + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
