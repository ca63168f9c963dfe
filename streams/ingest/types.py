"""Types shared by the ingest step and the layers that feed it.

``RawMessage`` is a consumed message as bytes plus where it came from;
``SendDeadLetter`` sends one dead letter (key, value, headers) and returns once
the dead-letter topic acknowledged it; ``RowSink`` is where the ingest step
puts ``mttr.events`` rows (``streams.storage.sink.TableSink`` in the worker).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from streams.ingest.decode import Origin

SendDeadLetter = Callable[[bytes | None, bytes, list[tuple[str, bytes]]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RawMessage:
    """A consumed message as bytes plus where it came from."""

    key: bytes | None
    value: bytes | None
    origin: Origin


class RowSink(Protocol):
    """Buffers rows and writes them durably (the storage layer implements it)."""

    def add(self, row: dict[str, Any]) -> None:
        """Buffer one row; no I/O."""

    def flush(self) -> int:
        """Write every buffered row; return how many. Raises if the write failed.

        Called in a thread; the buffer is kept on failure, so a retry writes
        the same rows again.
        """
