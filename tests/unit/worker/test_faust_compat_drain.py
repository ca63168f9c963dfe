"""The worker's fetch loop against Faust's own, and the inline delivery under it.

``streams/worker/faust_compat/drain.py`` runs each delivery inline up to its
first suspension instead of in four tasks. Each scenario runs Faust's
``Consumer._drain_messages`` and ours on the worker's consumer (not started,
no broker: ``getmany`` and the conductor's callback are replaced) and must
give the same deliveries, in the same order, with the same read offsets.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import pytest
from faust.transport.consumer import Consumer as FaustConsumer
from faust.types import TP
from faust.types.tuples import ConsumerMessage

from streams.settings import Settings
from streams.worker.app import create_app
from streams.worker.faust_compat import Consumer
from streams.worker.faust_compat.drain import deliver

LOOPS: dict[str, Callable[[Any, Any], Coroutine[Any, Any, None]]] = {
    "faust": FaustConsumer._drain_messages,
    "ours": Consumer._drain_messages,
}
Delivery = Callable[[Any, ConsumerMessage, list[Any]], Coroutine[Any, Any, None]]


class _Fetcher:
    """What the loop needs of Faust's Fetcher service: its stopped flag."""

    def __init__(self) -> None:
        self._stopped = asyncio.Event()


def _drain(loop: str, offsets: list[int], delivery: Delivery) -> tuple[list[Any], Any]:
    """Feed ``offsets`` of partition t/0 through ``loop``; return the log and read offsets."""

    async def scenario() -> tuple[list[Any], Any]:
        consumer = create_app(Settings(kafka_bootstrap="127.0.0.1:1")).consumer
        fetcher = _Fetcher()
        log: list[Any] = []

        async def getmany(timeout: float) -> AsyncIterator[tuple[TP, ConsumerMessage]]:
            for offset in offsets:
                if not consumer.flow_active:  # as Faust's getmany: nothing once it stops
                    break
                yield (
                    TP("t", 0),
                    ConsumerMessage("t", 0, offset, 0.0, 0, None, None, b"v", None, tp=TP("t", 0)),
                )
            fetcher._stopped.set()

        async def callback(message: ConsumerMessage) -> None:
            await delivery(consumer, message, log)

        consumer.getmany = getmany
        consumer.callback = callback
        await LOOPS[loop](consumer, fetcher)
        await asyncio.sleep(0.01)  # a cancelled delivery's last step
        return log, dict(consumer._read_offset)

    return asyncio.run(scenario())


@pytest.mark.parametrize("loop", LOOPS)
def test_deliveries_in_order(loop: str) -> None:
    async def delivery(consumer: Any, message: ConsumerMessage, log: list[Any]) -> None:
        log.append(message.offset)

    assert _drain(loop, [0, 1, 2], delivery) == ([0, 1, 2], {TP("t", 0): 2})


@pytest.mark.parametrize("loop", LOOPS)
def test_a_blocked_delivery_finishes_before_the_next(loop: str) -> None:
    """A delivery waiting (a full queue, a full producer buffer) is awaited in order."""

    async def delivery(consumer: Any, message: ConsumerMessage, log: list[Any]) -> None:
        log.append(("in", message.offset))
        if message.offset == 1:
            await asyncio.sleep(0.01)
        log.append(("out", message.offset))

    log, read = _drain(loop, [0, 1, 2], delivery)
    assert log == [("in", 0), ("out", 0), ("in", 1), ("out", 1), ("in", 2), ("out", 2)]
    assert read == {TP("t", 0): 2}


@pytest.mark.parametrize("loop", LOOPS)
def test_a_blocked_delivery_is_cancelled_when_the_flow_stops(loop: str) -> None:
    """A rebalance stops the flow: the blocked delivery is cancelled, nothing more is read."""

    async def delivery(consumer: Any, message: ConsumerMessage, log: list[Any]) -> None:
        log.append(("in", message.offset))
        if message.offset == 1:
            asyncio.get_running_loop().call_later(0.01, consumer.stop_flow)
            try:
                await asyncio.Event().wait()  # never set
            except asyncio.CancelledError:
                log.append(("cancelled", message.offset))
                raise
        log.append(("out", message.offset))

    log, read = _drain(loop, [0, 1, 2], delivery)
    assert log == [("in", 0), ("out", 0), ("in", 1), ("cancelled", 1)]
    assert read == {TP("t", 0): 1}  # Faust's: moved on; the seek after the rebalance rewinds


@pytest.mark.parametrize("loop", LOOPS)
@pytest.mark.parametrize("suspend_first", [False, True])
def test_a_failing_delivery_stops_the_loop(loop: str, suspend_first: bool) -> None:
    async def delivery(consumer: Any, message: ConsumerMessage, log: list[Any]) -> None:
        log.append(message.offset)
        if suspend_first:
            await asyncio.sleep(0)
        raise ValueError(message.offset)

    with pytest.raises(ValueError, match="0"):
        _drain(loop, [0, 1], delivery)


def test_deliver_runs_a_coroutine_that_never_waits_to_its_end() -> None:
    done: list[int] = []

    async def coroutine() -> None:
        done.append(1)

    assert deliver(coroutine()) is None
    assert done == [1]


def test_deliver_hands_back_the_rest_of_a_coroutine_that_waits() -> None:
    async def scenario() -> tuple[list[str], Any]:
        steps: list[str] = []
        gate = asyncio.get_running_loop().create_future()

        async def coroutine() -> str:
            steps.append("before")
            await gate
            steps.append("after")
            return "result"

        rest = deliver(coroutine())
        assert rest is not None
        assert steps == ["before"]
        gate.set_result(None)
        return steps, await rest

    assert asyncio.run(scenario()) == (["before", "after"], "result")


def test_cancelling_the_rest_cancels_the_coroutine() -> None:
    async def scenario() -> list[str]:
        steps: list[str] = []

        async def coroutine() -> None:
            try:
                await asyncio.Event().wait()
            finally:
                steps.append("finally")

        rest = deliver(coroutine())
        assert rest is not None
        task = asyncio.ensure_future(rest)
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return steps

    assert asyncio.run(scenario()) == ["finally"]
