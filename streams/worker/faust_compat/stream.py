"""Faust's ``Stream.take_events`` reading its channel's queue directly, in the agent's task.

Faust's ``take_events`` adds a buffering processor to the stream and runs
the stream's own iterator in a background task (``_passive_drainer``),
which takes one message per event-loop round (``await sleep(0)`` in the
iterator, plus a coroutine chain per message through the channel, the
processor and ``on_merge``). :meth:`Stream.take_events` takes the messages
from the same queue itself, as many as are there, and does per message what
Faust's iterator does (``faust/_cython/streams.pyx`` ``StreamIterator``,
``Stream._py_aiter``), in the same order:

* a message delivered while the app's flow control is suspended, or of an
  older consumer generation (a rebalance), is skipped unread and not
  acknowledged, as Faust's compiled iterator (the one installed) does; after
  the rebalance Faust seeks back to the committed offsets and reads it
  again. (Faust's pure-Python iterator acknowledges it, which would let a
  commit move past a message nobody read.)
* a message of an acking topic is tracked as unacknowledged
  (``consumer.unacked``) and reported to the sensors (``on_message_in``),
  once; then ``on_stream_event_in``.

Batches are what Faust's ``take_events`` yields: at most ``max_`` events,
yielded once full, or when ``within`` seconds passed with at least one;
after a batch, when the agent asks for the next one (or the generator is
closed), each event is acknowledged (``Stream.ack``): a held message stays
unacknowledged until released. While a batch is out nothing is taken from
the queue, so the queue fills, the conductor's ``stream_buffer_maxsize``
back-pressure pauses the partitions and the backlog stays in Kafka, as with
Faust's. The current event is not set in the agent's task, as Faust's (whose
iterator sets it in its own task): an agent sets it per event
(``faust_compat.as_current_event``).

When the agent stops, Faust's actor throws ``StopAsyncIteration`` into the
channel (``Actor.cancel``): as with Faust's, the events already taken are
yielded and the batches end, and the stream stops.

Only a plain stream over a channel takes this path; a stream with
processors, joins or combined streams, or one already iterated, uses
Faust's ``take_events``. Checked against faust-streaming 0.15.3
(``tests/static/test_faust_pins.py`` pins the hashes of the Faust code
this mirrors).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Sequence
from typing import Any

import faust
from faust.types import ChannelT, EventT
from mode.utils.times import Seconds, want_seconds


class Stream(faust.Stream):  # type: ignore[type-arg]
    """``faust.Stream`` with a leaner :meth:`take_events`."""

    def take_events(
        self, max_: int, within: Seconds
    ) -> AsyncGenerator[Sequence[EventT[Any]], None]:
        """Yield lists of at most ``max_`` events, within ``within`` seconds (as Faust's)."""
        plain = (
            isinstance(self.channel, ChannelT)
            and not self._processors
            and not self.combined
            and self.join_strategy is None
            and not self._passive
        )
        if not plain:
            return super().take_events(max_, within)
        batches = self._take_from_queue(max_, want_seconds(within) if within else None)
        # Stream._active_agens (faust-streaming 0.15.3): Stream.on_stop closes
        # these, so the acknowledgements below run when the stream stops.
        self._active_agens.add(batches)
        return batches

    async def _take_from_queue(
        self, max_: int, timeout: float | None
    ) -> AsyncGenerator[Sequence[EventT[Any]], None]:
        self._finalized = True  # as Stream.__aiter__: no processor can be added now
        started_here = await self.maybe_start()
        channel: Any = self.channel  # a ChannelT (take_events checked)
        queue = channel.queue
        loop = asyncio.get_running_loop()
        events: list[EventT[Any]] = []
        ended = False  # the actor stopped reading (Actor.cancel)
        try:
            while not (self.should_stop or ended):
                deadline = None if timeout is None else loop.time() + timeout
                while len(events) < max_ and not self.should_stop:
                    try:
                        if not queue.empty():
                            value = queue.get_nowait()
                        else:
                            left = None if deadline is None else deadline - loop.time()
                            value = await self._next_value(queue, left)
                    except StopAsyncIteration:
                        # Actor.cancel() throws it into the channel when the agent
                        # stops: Faust's iterator ends there, and so does its stream.
                        ended = True
                        break
                    if value is _NOTHING:
                        break
                    event = self._accept(value)
                    if event is not None:
                        events.append(event)
                if events:
                    try:
                        yield list(events)
                    finally:
                        taken, events = events, []
                        for event in taken:
                            self._acknowledge(event)
        finally:
            self._channel_stop_iteration(self.channel)
            if started_here:
                await self.stop()
                self.service_reset()

    async def _next_value(self, queue: Any, timeout: float | None) -> Any:
        """Wait for the queue's next value; ``_NOTHING`` on a timeout (also <= 0) or a stop.

        A value the getter took is returned even if the stream stopped
        meanwhile, never dropped. An exception thrown into the channel
        propagates, as in Faust's iterator.
        """
        if timeout is not None and timeout <= 0:
            return _NOTHING
        getter = asyncio.ensure_future(queue.get())
        # wait_first cancels the getter if it is still waiting (timeout, stop)
        if timeout is None:
            await self.wait_first(getter)
        else:
            await self.wait_first(getter, timeout=timeout)
        if getter.done() and not getter.cancelled():
            return getter.result()
        return _NOTHING

    def _accept(self, value: Any) -> EventT[Any] | None:
        """Do what Faust's stream iterator does per message; None for a skipped one."""
        if not isinstance(value, EventT):
            msg = "Take buffer found current_event is None"  # Faust's take_events error
            raise RuntimeError(msg)
        app = self.app
        message = value.message
        if not app.flow_control.is_active() or message.generation_id != app.consumer_generation_id:
            return None  # skipped unread, not acknowledged: read again after the seek
        tp, offset = message.tp, message.offset
        if not message.tracked and message.topic in app.topics.acking_topics:
            message.tracked = True
            app.consumer.unacked.add(message)
            self._on_message_in(tp, offset, message)
        self._on_stream_event_in(tp, offset, self, value)
        self.events_total += 1
        return value

    def _acknowledge(self, event: EventT[Any]) -> None:
        """``Stream.ack`` without a coroutine (its body is synchronous)."""
        last_stream_to_ack = event.ack()
        message = event.message
        self._on_stream_event_out(message.tp, message.offset, self, event)
        if last_stream_to_ack:
            self._on_message_out(message.tp, message.offset, message)


_NOTHING = object()
