"""Keep a down broker from flooding the log: repeated client messages are summarised.

While Kafka is unreachable, aiokafka logs every retry (every 100 ms, on
several connections): thousands of identical ERROR lines a minute that hide
everything else. ``RepeatThrottle`` lets the first message of each kind
through, drops repeats for ``interval`` seconds, and then lets the next one
through with a count of what it dropped, so an outage reads as a few lines.
Only warnings and errors are throttled: INFO records are the rebalance
history ("Revoking ...", "Setting newly assigned partitions ..."), rare and
needed in full to follow what a worker owned when.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

CLIENT_LOGGERS = ("aiokafka",)


class RepeatThrottle(logging.Filter):
    """Pass one WARNING-or-worse record per (logger, message template) every ``interval`` s."""

    def __init__(self, interval: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._interval = interval
        self._clock = clock
        self._last: dict[tuple[str, str], float] = {}
        self._dropped: dict[tuple[str, str], int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        """Return False for a repeat inside the interval; count it for the next one shown."""
        if record.levelno < logging.WARNING:
            return True
        key = (record.name, str(record.msg))
        now = self._clock()
        last = self._last.get(key)
        if last is not None and now - last < self._interval:
            self._dropped[key] = self._dropped.get(key, 0) + 1
            return False
        self._last[key] = now
        dropped = self._dropped.pop(key, 0)
        if dropped:
            seconds = now - last if last is not None else self._interval
            # Appended after formatting so a '%' in the message or its args stays intact.
            record.msg = record.getMessage() + (
                f" [{dropped} more like this in the last {seconds:.0f}s not shown]"
            )
            record.args = None
        return True


def throttle_client_logs(interval: float = 30.0) -> RepeatThrottle:
    """Install one ``RepeatThrottle`` on every Kafka client logger (already imported or not)."""
    throttle = RepeatThrottle(interval)
    import aiokafka  # noqa: F401 - imports the client modules, which create their loggers

    names = [
        name
        for name in list(logging.Logger.manager.loggerDict)
        if name.split(".")[0] in CLIENT_LOGGERS
    ]
    for name in {*names, *CLIENT_LOGGERS}:
        logging.getLogger(name).addFilter(throttle)
    return throttle
