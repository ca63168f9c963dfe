"""Processes around the gateway benchmark: CPU time, the health wait, the topics read back.

Used by bench/gateway.py: ``cpu_seconds`` reads /proc for the gateway and the
broker, ``wait_healthy`` polls the gateway's ``/healthz`` after its start,
``read_topics`` reads the source topics back after the load to count what
Kafka holds.
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import orjson
from kafka import KafkaConsumer, TopicPartition


def cpu_seconds(pid: int) -> float:
    """Return the user plus system CPU seconds of process ``pid`` so far (0 when unreadable)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()  # fields 3.. of proc(5): utime is 14, stime 15
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    """Poll ``url`` until it answers 200; ``RuntimeError`` with the log tail if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
    msg = f"the gateway did not answer {url} with 200 within {timeout:.0f} s:\n{tail}"
    raise RuntimeError(msg)


def read_topics(
    bootstrap: str, topics: list[str], timeout: float = 120
) -> tuple[Counter[str], dict[str, int]]:
    """Read ``topics`` from the beginning to their current end offsets.

    Returns (event id -> messages carrying it, messages per topic). Raises
    ``TimeoutError`` when the end offsets are not reached within ``timeout``.
    """
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    try:
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        ids: Counter[str] = Counter()
        per_topic = dict.fromkeys(topics, 0)
        deadline = time.monotonic() + timeout
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            if time.monotonic() > deadline:
                msg = f"could not read {topics} to their end offsets within {timeout:.0f} s"
                raise TimeoutError(msg)
            for tp, messages in consumer.poll(timeout_ms=1000, max_records=10_000).items():
                per_topic[tp.topic] += len(messages)
                ids.update(orjson.loads(m.value)["event_id"] for m in messages)
        return ids, per_topic
    finally:
        consumer.close()
