"""Types shared by the ingest step and the layers that feed it.

``RawMessage`` is a consumed message as bytes plus where it came from;
``SendDeadLetter`` sends one dead letter (key, value, headers) and returns once
the dead-letter topic acknowledged it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from streams.ingest.decode import Origin

SendDeadLetter = Callable[[bytes | None, bytes, list[tuple[str, bytes]]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RawMessage:
    """A consumed message as bytes plus where it came from."""

    key: bytes | None
    value: bytes | None
    origin: Origin
