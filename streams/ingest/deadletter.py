"""Dead letters: the headers that travel with a rejected message, and the ratio limit.

The dead-letter topic receives the original bytes unchanged plus headers
``reason``, ``source_topic``, ``source_partition``, ``source_offset`` and
``rejected_at``. A message over the size limit cannot be re-published whole,
so its first ``TRUNCATED_BYTES`` are kept, with headers ``truncated=true``
and ``original_bytes``; the full original stays in the source topic at the
offset named by the headers. ``DlqLimit`` (after arroyo's) stops the worker when a bad
producer deploy would otherwise dead-letter a whole topic.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime

from streams.errors import DlqLimitExceeded
from streams.ingest.decode import Invalid

TRUNCATED_BYTES = 64 * 1024


def dead_letter_record(
    invalid: Invalid, rejected_at: datetime, max_bytes: int
) -> tuple[bytes, list[tuple[str, bytes]]]:
    """Return the dead-letter value and headers; oversized values are truncated."""
    headers = dead_letter_headers(invalid, rejected_at)
    if len(invalid.raw) <= max_bytes:
        return invalid.raw, headers
    headers += [("truncated", b"true"), ("original_bytes", str(len(invalid.raw)).encode())]
    return invalid.raw[: min(TRUNCATED_BYTES, max_bytes)], headers


def dead_letter_headers(invalid: Invalid, rejected_at: datetime) -> list[tuple[str, bytes]]:
    """Return the Kafka headers describing why and where a message was rejected."""
    return [
        ("reason", invalid.reason.encode("utf-8")),
        ("source_topic", invalid.origin.topic.encode("utf-8")),
        ("source_partition", str(invalid.origin.partition).encode()),
        ("source_offset", str(invalid.origin.offset).encode()),
        ("rejected_at", rejected_at.isoformat(timespec="milliseconds").encode()),
    ]


class DlqLimit:
    """Tracks the share of invalid messages over a sliding window of recent ones.

    ``record()`` raises ``DlqLimitExceeded`` once the window is full and the
    invalid share exceeds ``max_invalid_ratio``. A short burst of garbage at
    start-up therefore never trips it; a producer sending only garbage does.
    """

    def __init__(self, max_invalid_ratio: float, window: int) -> None:
        self.max_invalid_ratio = max_invalid_ratio
        self.window = window
        self._recent: deque[bool] = deque(maxlen=window)
        self._invalid = 0

    def record(self, valid: bool) -> None:
        """Count one message; raise ``DlqLimitExceeded`` if the limit is now exceeded."""
        if len(self._recent) == self.window and not self._recent[0]:
            self._invalid -= 1
        self._recent.append(valid)
        if not valid:
            self._invalid += 1
        if (
            len(self._recent) == self.window
            and self._invalid / self.window > self.max_invalid_ratio
        ):
            msg = (
                f"{self._invalid} of the last {self.window} messages were invalid "
                f"(limit {self.max_invalid_ratio:.0%}); stopping instead of dead-lettering "
                "the topic. Fix the producer, or raise MTTR_DLQ_MAX_INVALID_RATIO / "
                "set MTTR_DLQ_LIMIT_ENABLED=false, then restart."
            )
            raise DlqLimitExceeded(msg)


def reason_class(reason: str) -> str:
    """Return a short, low-cardinality class of a rejection reason (a metrics label).

    The text before the first colon: ``late``, ``not valid JSON``, a field name
    such as ``occurred_at``, ``correlation failed``; at most 40 characters.
    """
    head = reason.split(":", 1)[0].strip()
    return head[:40] or "unknown"
