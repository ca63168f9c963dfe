"""Faust's fetch loop (``Consumer._drain_messages``) without four asyncio tasks per message.

Faust's loop hands every fetched message to the conductor with
``await self.wait_first(callback(message), self.suspend_flow.wait())``:
mode's ``wait_first`` wraps the delivery, the flow-suspension wait and the
consumer's stopped and crashed waits in four tasks and an ``asyncio.wait``,
so that a delivery still blocked when the flow is suspended (a rebalance) or
the consumer stops is cancelled. That costs about a third of the CPU of
consuming a message (``bench/faust_path.py``), and it buys nothing for the
usual delivery, which never blocks: the conductor's ``on_message`` waits only
while the app's flow control is suspended, while the producer buffer is
over its limit or while a stream's queue is full (``stream_buffer_maxsize``).

:meth:`DrainMixin._drain_messages` is Faust's loop with one change: the
delivery coroutine is first run inline, up to its first suspension
(:func:`deliver`). A delivery that completes there is exactly what the
delivery task would have done in its first step, in the same order (Faust's
``wait_first`` creates the delivery task first, so it ran first). A delivery
that suspends goes on, from where it stopped, inside the very
``wait_first`` Faust uses, with the same cancellation on a suspended flow, a
stop or a crash. (Faust's next delivery task ran after the cancelled one's
last step, an inline one could run before it; but once the flow is stopped
``getmany`` yields nothing more, so no delivery follows.) Everything else of
the loop (generation checks and seeks in ``getmany``, read offsets, gaps,
``broker_commit_every``) is Faust's code unchanged. Deliveries run in the
same order as in Faust, one after another.

Checked against faust-streaming 0.15.3 (``tests/static/test_faust_pins.py``
pins the hash of Faust's ``Consumer._drain_messages`` this copies).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine, Generator
from typing import Any, cast

from faust.transport.consumer import CONSUMER_FETCHING
from mode import Service


class _Resume:
    """Await the rest of a coroutine that already ran up to a suspension yielding ``pending``.

    Awaiting this yields ``pending`` to the task first (what the coroutine
    would have yielded to it), then drives the coroutine on exactly as
    ``await`` would: values and exceptions (a cancellation) thrown in are
    passed to it, and its return value is returned.
    """

    __slots__ = ("coro", "pending")

    def __init__(self, coro: Coroutine[Any, Any, Any], pending: Any) -> None:
        self.coro = coro
        self.pending = pending

    def __await__(self) -> Generator[Any, Any, Any]:
        coro, pending = self.coro, self.pending
        while True:
            try:
                sent = yield pending
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # a cancellation: the coroutine decides
                try:
                    pending = coro.throw(exc)
                except StopIteration as stop:
                    return stop.value
            else:
                try:
                    pending = coro.send(sent)
                except StopIteration as stop:
                    return stop.value


def deliver(coro: Coroutine[Any, Any, Any]) -> Awaitable[Any] | None:
    """Run ``coro`` up to its first suspension; None if it completed, else the rest to await.

    An exception ``coro`` raises before suspending propagates, as awaiting it would.
    """
    try:
        pending = coro.send(None)
    except StopIteration:
        return None
    return _Resume(coro, pending)


class DrainMixin:
    """Mixed into the worker's Faust consumer, before Faust's ``Consumer``."""

    # Faust's Consumer._drain_messages (faust-streaming 0.15.3), copied but for
    # the delivery (marked). Faust's Fetcher service calls it; if Faust stops
    # calling it, Faust's own loop runs (slower, same guarantees). If Faust
    # changes it, test_faust_pins.py fails: compare and copy again.
    async def _drain_messages(self, fetcher: Any) -> None:  # pragma: no cover  # noqa: C901
        consumer: Any = self
        callback = consumer.callback
        getmany = consumer.getmany
        consumer_should_stop = cast(Service, consumer)._stopped.is_set
        fetcher_should_stop = cast(Service, fetcher)._stopped.is_set

        get_read_offset = consumer._read_offset.__getitem__
        set_read_offset = consumer._read_offset.__setitem__
        flag_consumer_fetching = CONSUMER_FETCHING
        set_flag = consumer.diag.set_flag
        unset_flag = consumer.diag.unset_flag
        commit_every = consumer._commit_every
        acks_enabled_for = consumer.app.topics.acks_enabled_for

        yield_every = 100
        num_since_yield = 0
        sleep = asyncio.sleep

        try:
            while not (consumer_should_stop() or fetcher_should_stop()):
                set_flag(flag_consumer_fetching)
                ait = getmany(timeout=1.0)

                # Sleeping because sometimes getmany is called in a loop
                # never releasing to the event loop
                await consumer.sleep(0)
                if not consumer.should_stop:
                    async for tp, message in ait:
                        num_since_yield += 1
                        if num_since_yield > yield_every:
                            await sleep(0)
                            num_since_yield = 0

                        offset = message.offset
                        r_offset = get_read_offset(tp)
                        if r_offset is None or offset >= r_offset:
                            gap = offset - (r_offset or 0)
                            # We have a gap in income messages
                            if gap > 1 and r_offset:
                                acks_enabled = acks_enabled_for(message.topic)
                                if acks_enabled:
                                    await consumer._add_gap(tp, r_offset + 1, offset)
                            if commit_every is not None:
                                if consumer._n_acked >= commit_every:
                                    consumer._n_acked = 0
                                    await consumer.commit()
                            # The change: inline up to the first suspension.
                            rest = deliver(callback(message))
                            if rest is not None:
                                await consumer.wait_first(rest, consumer.suspend_flow.wait())
                            set_read_offset(tp, offset)
                        else:
                            consumer.log.dev(
                                "DROPPED MESSAGE ROFF %r: k=%r v=%r",
                                offset,
                                message.key,
                                message.value,
                            )
                    unset_flag(flag_consumer_fetching)

        except consumer.consumer_stopped_errors:
            if consumer.transport.app.should_stop:
                # we're already stopping so ignore
                consumer.log.info("Broker stopped consumer, shutting down...")
                return
            raise
        except asyncio.CancelledError:
            if consumer.transport.app.should_stop:
                # we're already stopping so ignore
                consumer.log.info("Consumer shutting down for user cancel.")
                return
            raise
        except Exception as exc:
            consumer.log.exception("Drain messages raised: %r", exc)
            raise
        finally:
            unset_flag(flag_consumer_fetching)
