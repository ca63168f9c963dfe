"""The physical limit in Python here: fetch every message with aiokafka and parse it, nothing else.

``python -m bench.pipeline.contenders.raw_aiokafka CONFIG.json EXPECTED`` reads
the three topics from the beginning until it has seen ``EXPECTED`` messages,
``orjson.loads`` every value, and prints one JSON line: messages, seconds from
the first to the last message, and CPU seconds of the whole process.
"""

from __future__ import annotations

import asyncio
import resource
import sys
import time
from pathlib import Path

import orjson
from aiokafka import AIOKafkaConsumer

from bench.pipeline.contract import ContenderConfig, own_peak_rss_kib


async def consume(config: ContenderConfig, expected: int) -> dict[str, float]:
    """Read until ``expected`` messages; return the counts and timings."""
    consumer = AIOKafkaConsumer(
        *config.topics.values(),
        bootstrap_servers=config.bootstrap,
        group_id=config.group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    seen, first, last = 0, 0.0, 0.0
    try:
        while seen < expected:
            batches = await consumer.getmany(timeout_ms=1000, max_records=10_000)
            for messages in batches.values():
                for message in messages:
                    orjson.loads(message.value)
                if messages:
                    first = first or time.perf_counter()
                    seen += len(messages)
                    last = time.perf_counter()
    finally:
        await consumer.stop()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "messages": seen,
        "seconds": last - first,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_kib": own_peak_rss_kib(),
    }


def main() -> None:
    """Entry point: ``CONFIG.json EXPECTED``."""
    config = ContenderConfig.read(Path(sys.argv[1]))
    result = asyncio.run(consume(config, int(sys.argv[2])))
    print(orjson.dumps(result).decode(), flush=True)


if __name__ == "__main__":
    main()
