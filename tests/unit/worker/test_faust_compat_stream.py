"""The worker's ``Stream.take_events`` against Faust's own, on the same scenarios.

``streams/worker/faust_compat/stream.py`` takes a batch's messages from the
channel's queue in the agent's task instead of Faust's background iterator.
Each scenario runs once through Faust's ``take_events`` and once through
ours and must give the same batches, the same acknowledgements and the same
consumer bookkeeping. No broker: events go straight into the stream's queue.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import faust
import pytest
from faust.types import TP, EventT
from faust.types.tuples import ConsumerMessage

from streams.settings import Settings
from streams.worker.app import create_app
from streams.worker.faust_compat import App, current_event
from streams.worker.faust_compat.stream import Stream
from streams.worker.holds import hold, release

TOPIC = "t"
Take = Callable[[Any, int, float], AsyncIterator[Sequence[EventT[Any]]]]
TAKES: dict[str, Take] = {
    "faust": lambda stream, n, within: faust.Stream.take_events(stream, n, within),
    "ours": lambda stream, n, within: stream.take_events(n, within),
}


def _app() -> App:
    app = create_app(Settings(kafka_bootstrap="127.0.0.1:1"))
    assert isinstance(app, App)
    app.flow_control.resume()
    app.topics._acking_topics.add(TOPIC)  # what subscribing an agent does
    return app


def _put(app: App, stream: Any, offset: int, generation: int | None = None) -> ConsumerMessage:
    """Deliver a message to the stream's queue as the conductor does (one reference)."""
    message = ConsumerMessage(
        TOPIC, 0, offset, 0.0, 0, None, None, b"v", None, tp=TP(TOPIC, 0),
        generation_id=app.consumer_generation_id if generation is None else generation,
    )  # fmt: skip
    message.incref()
    stream.channel.queue.put_nowait(app.create_event(None, message.value, [], message))
    return message


def test_the_worker_app_streams_are_ours() -> None:
    app = _app()
    assert isinstance(app.stream(app.channel()), Stream)


@pytest.mark.parametrize("take", TAKES)
def test_batches_and_acknowledgements(take: str) -> None:
    """At most n per batch; a batch is acknowledged when the next one is asked for."""

    async def scenario() -> list[Any]:
        app = _app()
        stream = app.stream(app.channel())
        messages = [_put(app, stream, offset) for offset in range(5)]
        seen: list[Any] = []
        batches = TAKES[take](stream, 2, 0.05)
        async for batch in batches:
            seen.append([e.message.offset for e in batch])
            seen.append([m.acked for m in messages])
            seen.append(current_event())  # never set in the agent's task
            if sum(len(b) for b in seen[::3]) == 5:
                break
        seen.append(app.consumer._acked[TP(TOPIC, 0)][:])
        await batches.aclose()  # as Stream.on_stop does
        seen.append(app.consumer._acked[TP(TOPIC, 0)])
        seen.append(len(app.consumer.unacked))
        return seen

    assert asyncio.run(scenario()) == [
        [0, 1], [False] * 5, None,
        [2, 3], [True, True, False, False, False], None,
        [4], [True] * 4 + [False], None,
        [0, 1, 2, 3], [0, 1, 2, 3, 4], 0,  # the last batch: when the generator closes
    ]  # fmt: skip


@pytest.mark.parametrize("take", TAKES)
def test_a_held_message_waits_for_its_release(take: str) -> None:
    async def scenario() -> list[bool]:
        app = _app()
        stream = app.stream(app.channel())
        first, second = _put(app, stream, 0), _put(app, stream, 1)
        states = []
        async for batch in TAKES[take](stream, 1, 0.05):
            if batch[0].message is first:
                hold(app, first)  # its batch is being written
            else:
                states.append(first.acked)  # taken by the stream, still held
                release(app, first)  # written
                break
        states += [first.acked, second.acked]
        return states

    assert asyncio.run(scenario()) == [False, False, False]


@pytest.mark.parametrize("take", TAKES)
def test_a_partial_batch_leaves_after_within(take: str) -> None:
    async def scenario() -> list[list[int]]:
        app = _app()
        stream = app.stream(app.channel())
        _put(app, stream, 0)
        batches = []
        async for batch in TAKES[take](stream, 100, 0.05):
            batches.append([e.message.offset for e in batch])
            if len(batches) == 2:
                break
            asyncio.get_running_loop().call_later(0.01, _put, app, stream, 1)
        return batches

    assert asyncio.run(scenario()) == [[0], [1]]


@pytest.mark.parametrize("take", TAKES)
@pytest.mark.parametrize("stopping", [False, True])
def test_skipped_messages_are_not_acknowledged(take: str, stopping: bool) -> None:
    """Of an older generation or while the flow is suspended: skipped unread, never acked.

    Faust's compiled iterator (installed) drops them unacknowledged; after
    the rebalance Faust seeks back to the committed offsets and reads them
    again.
    """

    async def scenario() -> tuple[list[list[int]], list[int]]:
        app = _app()
        stream = app.stream(app.channel())
        _put(app, stream, 0, generation=app.consumer_generation_id - 1)
        _put(app, stream, 1)
        if stopping:
            app._stopped.set()  # while stopping, only released messages are acknowledged
        taken = []
        batches = TAKES[take](stream, 10, 0.05)
        async for batch in batches:
            taken.append([e.message.offset for e in batch])
            break
        await batches.aclose()
        return taken, app.consumer._acked[TP(TOPIC, 0)]

    assert asyncio.run(scenario()) == ([[1]], [] if stopping else [1])


def test_a_stream_with_a_processor_uses_faust_take_events() -> None:
    async def scenario() -> list[Any]:
        app = _app()
        stream = app.stream(app.channel())
        stream.add_processor(lambda value: value)
        _put(app, stream, 0)
        async for batch in stream.take_events(10, 0.05):
            return [e.message.offset for e in batch] + [stream._passive]
        return []

    assert asyncio.run(scenario()) == [0, True]  # Faust's background iterator ran


def test_an_error_thrown_into_the_channel_reaches_the_agent() -> None:
    async def scenario() -> None:
        app = _app()
        stream = app.stream(app.channel())
        loop = asyncio.get_running_loop()
        loop.call_later(0.01, stream.channel._throw, KeyError("thrown"))
        async for _ in stream.take_events(10, 1.0):
            break

    with pytest.raises(KeyError, match="thrown"):
        asyncio.run(scenario())


@pytest.mark.parametrize("take", TAKES)
def test_the_batches_end_when_the_actor_stops(take: str) -> None:
    """``Actor.cancel`` (the agent stops) throws StopAsyncIteration into the channel."""

    async def scenario() -> list[list[int]]:
        app = _app()
        stream = app.stream(app.channel())
        _put(app, stream, 0)
        batches = []
        async for batch in TAKES[take](stream, 10, 0.05):
            batches.append([e.message.offset for e in batch])
            loop = asyncio.get_running_loop()
            loop.call_later(0.01, stream.channel._throw, StopAsyncIteration())
        return batches  # the loop ended, without an error

    assert asyncio.run(asyncio.wait_for(scenario(), 10)) == [[0]]


def test_nothing_is_taken_while_a_batch_is_out() -> None:
    """The queue keeps the backlog while the agent writes (the conductor's back-pressure)."""

    async def scenario() -> list[int]:
        app = _app()
        stream = app.stream(app.channel())
        for offset in range(5):
            _put(app, stream, offset)
        sizes = []
        async for _ in stream.take_events(2, 0.05):
            await asyncio.sleep(0.05)  # writing the batch: other tasks run
            sizes.append(stream.channel.queue.qsize())
            if len(sizes) == 2:
                break
        return sizes

    assert asyncio.run(scenario()) == [3, 1]
