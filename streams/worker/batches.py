"""Hold an agent's messages while it processes them; stop the worker on a failure.

Faust acknowledges what an agent took as soon as the agent moves on, on an
exception as on shutdown (``take_events``, ``Stream.events``). Every agent
here wants the opposite: a message is released for commit only once its
work is written, and anything unexpected stops the worker with nothing of
the batch acknowledged, so that the next worker reads it again. ``holding``
is that wrapper, written once for the ``ingest``, ``correlate`` and
``notify`` agents.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from faust.types import AppT, EventT, Message

from streams.worker.counters import IngestCounters
from streams.worker.holds import hold, release

DescribeFailure = Callable[[Message, Message], str]
"""Return the log line of an unexpected failure, given the first and last message held."""


def position(message: Message) -> str:
    """Return where ``message`` was read: ``topic[partition]@offset``."""
    return f"{message.topic}[{message.partition}]@{message.offset}"


@dataclass
class Held:
    """The outcome of a :func:`holding` block: ``failed`` once the worker is stopping."""

    failed: bool = False


@asynccontextmanager
async def holding(
    app: AppT,
    events: Sequence[EventT[Any]],
    counters: IngestCounters,
    describe_failure: DescribeFailure,
    *,
    log: logging.Logger,
    fatal: tuple[type[Exception], ...] = (),
) -> AsyncIterator[Held]:
    """Hold ``events``' messages for the block; release them only if it succeeds.

    Each message is held (``holds.hold``) on entering. When the block
    completes, every message is released (``holds.release``: marked
    finished, then ``decref``) and may be committed.
    When it raises:

    * ``asyncio.CancelledError`` passes through, nothing released;
    * an exception of a ``fatal`` type (an expected reason to stop, such as
      ``DlqLimitExceeded``) is recorded as ``counters.last_error = str(exc)``
      and logged at CRITICAL without a traceback;
    * any other exception is recorded as ``repr(exc)`` and logged with its
      traceback as ``describe_failure(first message, last message)``.

    In both failure cases the worker is crashed (``app.crash``), nothing is
    released (so nothing of the batch is committed), the exception does not
    propagate and the yielded :class:`Held` has ``failed`` set: the agent
    must then return.

    Args:
        app: The Faust app (tracks held messages, is crashed on a failure).
        events: The batch, never empty.
        counters: Where ``last_error`` is recorded.
        describe_failure: The log line of an unexpected failure.
        log: The caller's logger.
        fatal: Exception types that stop the worker without a traceback.
    """
    outcome = Held()
    for event in events:
        hold(app, event.message)
    try:
        yield outcome
    except asyncio.CancelledError:
        raise
    except fatal as exc:
        counters.last_error = str(exc)
        log.critical("%s", exc)
        outcome.failed = True
        await app.crash(exc)
        return
    except Exception as exc:
        counters.last_error = repr(exc)
        log.exception("%s", describe_failure(events[0].message, events[-1].message))
        outcome.failed = True
        await app.crash(exc)
        return
    for event in events:
        release(app, event.message)
