"""Which partition a keyed message lands on with Kafka's default partitioner.

Java clients, kafka-python and aiokafka send a keyed message to partition
``(murmur2(key) & 0x7fffffff) % partitions``; so does ``mttr publish`` (keyed
by service) and the worker's forward to ``<app_id>-events-by-service``.
librdkafka-based producers (confluent-kafka, kcat) do the same only with
``partitioner=murmur2_random``; their default (``consistent_random``) hashes
with CRC32.
"""

from __future__ import annotations

from functools import lru_cache

from aiokafka.partitioner import murmur2


@lru_cache(maxsize=65_536)  # one entry per service; the hash costs a few µs in pure Python
def partition_for(key: bytes, partitions: int) -> int:
    """Return the partition Kafka's default partitioner picks for ``key`` among ``partitions``."""
    hashed: int = murmur2(key)
    return (hashed & 0x7FFFFFFF) % partitions
