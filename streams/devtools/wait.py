"""Waiting until the worker processed everything published so far (demo and tests)."""

from __future__ import annotations

from streams.kafka.lag import wait_caught_up
from streams.kafka.names import forwarded_topic_name
from streams.settings import Settings


def wait_processed(settings: Settings, *, timeout: float = 120.0) -> None:
    """Wait until both agents committed everything published so far."""
    wait_caught_up(settings, timeout=timeout)
    wait_caught_up(settings, topics=(forwarded_topic_name(settings),), timeout=timeout)
