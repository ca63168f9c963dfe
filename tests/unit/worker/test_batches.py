"""batches.holding: hold a batch, release it on success, crash the worker on a failure."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import pytest

from streams.errors import DlqLimitExceeded
from streams.worker.batches import holding, position
from streams.worker.counters import IngestCounters

log = logging.getLogger("tests.batches")


@dataclass
class Message:
    topic: str
    partition: int
    offset: int
    refcount: int = 0

    def incref(self) -> None:
        self.refcount += 1

    def decref(self) -> None:
        self.refcount -= 1


@dataclass
class Event:
    message: Message


@dataclass
class App:
    crashed: list[BaseException] = field(default_factory=list)

    async def crash(self, exc: BaseException) -> None:
        self.crashed.append(exc)


def _batch() -> list[Event]:
    return [Event(Message("alerts", 0, 5)), Event(Message("deploys", 2, 9))]


def _describe(first: Any, last: Any) -> str:
    return f"failed from {position(first)} to {position(last)}"


def _run(body: Any, *, fatal: tuple[type[Exception], ...] = ()) -> tuple[Any, ...]:
    app, events, counters = App(), _batch(), IngestCounters()
    held: list[int] = []

    async def scenario() -> bool:
        async with holding(
            app,  # type: ignore[arg-type]
            events,  # type: ignore[arg-type]
            counters,
            _describe,
            log=log,
            fatal=fatal,
        ) as batch:
            held.extend(e.message.refcount for e in events)
            await body()
        return batch.failed

    failed = asyncio.run(scenario())
    return failed, app, [e.message.refcount for e in events], held, counters


def test_success_releases_every_message() -> None:
    async def body() -> None:
        return None

    failed, app, refcounts, held, counters = _run(body)
    assert (failed, app.crashed, held, refcounts) == (False, [], [1, 1], [0, 0])
    assert counters.last_error is None


def test_an_unexpected_failure_crashes_and_keeps_the_batch_held(
    caplog: pytest.LogCaptureFixture,
) -> None:
    error = RuntimeError("boom")

    async def body() -> None:
        raise error

    with caplog.at_level(logging.ERROR, logger="tests.batches"):
        failed, app, refcounts, _, counters = _run(body)
    assert (failed, app.crashed, refcounts) == (True, [error], [1, 1])
    assert counters.last_error == "RuntimeError('boom')"
    [record] = caplog.records
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert record.name == "tests.batches"
    assert record.getMessage() == "failed from alerts[0]@5 to deploys[2]@9"


def test_a_fatal_failure_is_logged_critical_without_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    error = DlqLimitExceeded("too many invalid")

    async def body() -> None:
        raise error

    with caplog.at_level(logging.ERROR, logger="tests.batches"):
        failed, app, refcounts, _, counters = _run(body, fatal=(DlqLimitExceeded,))
    assert (failed, app.crashed, refcounts) == (True, [error], [1, 1])
    assert counters.last_error == "too many invalid"
    [record] = caplog.records
    assert record.levelno == logging.CRITICAL and record.exc_info is None
    assert record.getMessage() == "too many invalid"


def test_cancellation_passes_through_and_keeps_the_batch_held() -> None:
    app, events, counters = App(), _batch(), IngestCounters()

    async def scenario() -> None:
        async with holding(app, events, counters, _describe, log=log):  # type: ignore[arg-type]
            raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(scenario())
    assert [e.message.refcount for e in events] == [1, 1]
    assert (app.crashed, counters.last_error) == ([], None)
