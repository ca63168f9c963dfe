"""Commit as soon as the worker goes quiet, instead of at the next periodic commit.

Faust commits every ``broker_commit_interval`` (2.8 s): a worker that has
just read the last message of a backlog, or one event of a quiet stream,
holds its offsets uncommitted (and its staged state unwritten) for up to
that long. Committed offsets are what a restarted worker resumes from and
what the consumer-lag gauges show, so that wait is seen as lag that is not
there and as work done again after a crash. Every ``QUIET_S`` this timer
looks at the worker's counters; when nothing was processed since the last
look, it asks the consumer to commit what was acknowledged (Faust's
``Consumer.commit``: nothing happens when nothing is pending, and never two
commits at once). Under load a batch ends more often than that, so it adds
no commit there; the periodic commit is unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable

import faust

log = logging.getLogger(__name__)

QUIET_S = 0.25


def register_prompt_commit(app: faust.App, activity: Callable[[], Hashable]) -> None:
    """Commit once ``activity()`` stayed the same for ``QUIET_S`` seconds."""
    last: list[Hashable] = [None]

    @app.timer(interval=QUIET_S)  # type: ignore[untyped-decorator]
    async def commit_when_quiet() -> None:
        now = activity()
        quiet, last[0] = now == last[0], now
        if not quiet or app.rebalancing or app.should_stop:
            return
        try:
            await app.consumer.commit()
        except Exception as exc:  # noqa: BLE001 - the periodic commit follows anyway
            log.debug("commit when quiet failed: %r", exc)
