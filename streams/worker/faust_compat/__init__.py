"""The one door to Faust's and aiokafka's private names, and the worker's transport.

No other module in ``streams/`` names a private (``_x``) attribute or import of
faust, mode or aiokafka (``tests/static/test_faust_private_names.py``). Each
use below says which faust-streaming version it was checked against (0.15.3,
with aiokafka 0.14.0 and mode-streaming 0.7.1) and what happens if the name
disappears in a later version:

* ``faust.streams._current_event``: :func:`as_current_event`, :func:`current_event`;
* ``Consumer._committed_offset``: :func:`committed_offsets`;
* ``Consumer._active_partitions``: :func:`active_partitions`;
* ``Consumer._new_consumer_thread``, ``ConsumerThread._ensure_consumer`` and
  ``App._new_transport``: the transport below;
* ``Consumer.perform_seek`` (public, but its callers are Faust's recovery
  internals): overridden to seek with the flow stopped (below);
* ``Consumer._commit_offsets``: overridden to run the app's ``before_commit``
  hooks (:func:`add_before_commit`) before Faust flushes its producer and
  commits: the worker writes its staged table state there;
* the lean consume path, Faust code copied or mirrored and pinned by hash
  (``tests/static/test_faust_pins.py``): ``Consumer._drain_messages`` in
  ``drain.py``, ``Stream.take_events`` and the stream iterator's work per
  message in ``stream.py``, the raw serializer's decode in ``raw_schema.py``.

The transport: Faust's aiokafka driver with one fix.

Faust drops fetched messages whenever a rebalance is under way (flow stopped,
generation changed, partition paused) and relies on seeking every partition
back to its committed offset afterwards, so that the dropped messages are
read again. aiokafka's ``seek_to_committed`` only seeks partitions whose
committed offset is above 0: a partition the group never committed keeps
the position of the messages already dropped, and those messages are never
read by this worker (observed: a worker that joined while a killed member
was still in the group took over its partitions 12 s later and never read
the 4 uncommitted messages of one of them).

``seek_to_committed_or_earliest`` seeks those partitions to their earliest
offset instead, which is what ``consumer_auto_offset_reset="earliest"``
promises for a partition without a committed offset. Table changelogs are
left alone: the group never commits them (Faust positions them itself for
recovery and standbys), and rewinding them would only make standby replicas
re-read them from the start.

When the worker stops, Faust stops the flow and then commits. A stream that
pulls a message meanwhile skips it unread and *acknowledges* it (so that lag
does not grow), and the stop commit moves past a message nobody processed: it
is lost for good (observed: a deploy event fetched just before a SIGTERM was
never stored, and the restarted worker began after it). Faust's commit also
moves past an unacknowledged message at the head of a partition
(``Consumer._new_offset`` only stops at a gap of more than one offset, and not
at all for a partition never committed), so refusing some acks is not enough:
while the app stops, ``Consumer.ack`` acknowledges only messages whose batch
every agent reading them wrote and released (:func:`release`; two agents read
the incidents topic when both Slack and Teams notices are on), so every other
message of the stop stays behind the commit and the next worker reads it again. Only while
stopping: in a running worker a refusal could leave an offset that Faust never
delivers again unacknowledged, which stops the partition's commits; during a
rebalance Faust's own seek back to the committed offsets re-reads what it
skipped.

After a restart that restored a table from its changelog, recovery seeks the
source partitions back to their committed offsets while the fetcher is
already running, then resumes the flow, which empties the channel queues: a
message delivered during the seek was dropped unread and never acknowledged,
so its partition's commits stopped one message short for good (observed under
CPU load: 1 restart in 25 left a lag of 1, and 4 in 25 gave wrong incidents).
``Consumer.perform_seek`` stops the flow first, so nothing is delivered until
recovery resumes it.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Iterator, Mapping, Set
from contextlib import contextmanager
from typing import Any, ClassVar

import aiokafka
import faust
from aiokafka import TopicPartition
from faust.streams import _current_event
from faust.transport.drivers import aiokafka as driver
from faust.types import AppT, EventT, Message

from streams.worker.faust_compat.drain import DrainMixin
from streams.worker.faust_compat.stream import Stream
from streams.worker.holds import finished, interrupt, interrupted

log = logging.getLogger(__name__)


# faust.streams._current_event (checked against faust-streaming 0.15.3): the
# ContextVar holding a weak reference to the event being processed; Faust's
# table writes send their changelog message to that event's partition. Faust
# has a public getter (``faust.current_event``) but no setter. If the name
# disappears, importing this module fails: the worker does not start (it
# never writes state to a wrong changelog partition).


@contextmanager
def as_current_event(event: EventT[Any] | None) -> Iterator[None]:
    """Make ``event`` Faust's current event inside the block (None: no event).

    A table write inside the block goes to the changelog partition of
    ``event``'s partition, as if Faust's stream were delivering it. The
    previous current event is restored on leaving the block, also on an
    exception.
    """
    token = _current_event.set(weakref.ref(event) if event is not None else None)
    try:
        yield
    finally:
        _current_event.reset(token)


def current_event() -> EventT[Any] | None:
    """Return Faust's current event (set by Faust or :func:`as_current_event`), or None."""
    ref = _current_event.get(None)
    return ref() if ref is not None else None


def committed_offsets(consumer: Any) -> Mapping[Any, int | None]:
    """Return the group's committed offset per assigned partition, as Faust keeps it.

    Faust sets it when partitions are assigned and advances it at each
    commit. Returns an empty mapping when the consumer has none.
    """
    # faust.transport.consumer.Consumer._committed_offset (faust-streaming 0.15.3):
    # there is no public accessor. If the name disappears this returns {} and
    # every partition counts as never committed (its earliest offset), which
    # only errs towards holding the input watermark back.
    committed = getattr(consumer, "_committed_offset", None)
    return committed if isinstance(committed, Mapping) else {}


def active_partitions(consumer: Any) -> Set[Any]:
    """Return the assigned partitions the consumer reads (not paused); empty if unknown."""
    # faust.transport.consumer.Consumer._active_partitions (faust-streaming 0.15.3):
    # there is no public accessor. If the name disappears this returns an empty
    # set and the status page lists every assigned partition as paused.
    active: Set[Any] | None = getattr(consumer, "_active_partitions", None)
    return active or set()


async def seek_to_committed_or_earliest(
    consumer: aiokafka.AIOKafkaConsumer,
    rewind: Callable[[TopicPartition], bool] = lambda tp: True,
) -> Mapping[TopicPartition, int | None]:
    """Seek every assigned partition to its committed offset, or its earliest without one.

    ``rewind`` chooses the partitions without a committed offset that go back
    to their earliest offset (default: all). Returns the committed offsets
    (None where there is none), like ``AIOKafkaConsumer.seek_to_committed``.
    """
    committed: Mapping[TopicPartition, int | None] = await consumer.seek_to_committed()
    uncommitted = [
        tp for tp, offset in committed.items() if (offset is None or offset <= 0) and rewind(tp)
    ]
    if uncommitted:
        await consumer.seek_to_beginning(*uncommitted)
    return committed


def not_a_changelog(app: AppT) -> Callable[[TopicPartition], bool]:
    """Return a test for partitions that are not of one of ``app``'s table changelogs."""
    return lambda tp: tp.topic not in app.tables.changelog_topics


class ConsumerThread(driver.AIOKafkaConsumerThread):
    """Faust's consumer thread, rewinding never-committed partitions too."""

    async def seek_to_committed(self) -> Mapping[Any, int]:
        """Seek to committed offsets (earliest where none), on the consumer's thread."""
        # AIOKafkaConsumerThread._ensure_consumer (faust-streaming 0.15.3): the
        # thread's aiokafka consumer. If it disappears this raises AttributeError
        # at the first rebalance and the worker crashes (nothing is committed);
        # test_faust_private_names.py checks the name exists.
        return await self.call_thread(  # type: ignore[no-any-return]
            seek_to_committed_or_earliest, self._ensure_consumer(), not_a_changelog(self.app)
        )


class Consumer(DrainMixin, driver.Consumer):
    """Faust's aiokafka consumer with :class:`ConsumerThread`, never acking unread messages."""

    # Consumer._new_consumer_thread (faust-streaming 0.15.3) creates the thread.
    # If Faust stops calling it, Faust's own thread is used and never-committed
    # partitions are no longer rewound (test_faust_private_names.py checks the
    # name exists).
    def _new_consumer_thread(self) -> ConsumerThread:
        return ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    async def _commit_offsets(
        self, offsets: Mapping[Any, int], start_new_transaction: bool = True
    ) -> bool:
        """Run the app's ``before_commit`` hooks, then commit as Faust does.

        Faust's ``_commit_offsets`` flushes the producer before committing,
        so what the hooks wrote (the staged table state) is durable first.
        """
        # Consumer._commit_offsets (faust-streaming 0.15.3): every commit of
        # a non-transactional consumer goes through it (periodic, on stop,
        # every broker_commit_every messages), after the offsets to commit
        # were chosen and before producer.flush(). If Faust stops calling
        # it, the hooks never run and the staged state is never written:
        # test_faust_private_names.py checks the name exists.
        for hook in getattr(self.app, "before_commit", ()):
            hook()
        return bool(
            await super()._commit_offsets(offsets, start_new_transaction=start_new_transaction)
        )

    async def perform_seek(self) -> None:
        """Seek to the committed offsets with the flow stopped; the caller resumes it.

        After a changelog restore Faust's fetcher is already running when
        recovery resumes the source partitions and seeks them, and only then
        calls ``app.flow_control.resume()``, which empties every channel queue.
        A message delivered into a queue during the seek was wiped unread,
        with Faust's read offset already past it: never acknowledged, its
        partition's commits stopped just before it (observed: a restarted
        worker idle with one source message of lag for good). With the flow
        stopped nothing is delivered until recovery resumes it, and anything
        fetched before is read again from the committed offset.
        """
        # Consumer.perform_seek callers (faust-streaming 0.15.3): recovery's
        # on_recovery_completed and _resume_streams call resume_flow() after it;
        # getmany calls it only while the flow is already stopped.
        self.stop_flow()
        await super().perform_seek()

    async def on_partitions_revoked(self, revoked: set[Any]) -> None:
        """Mark held messages of ``revoked`` partitions (``holds.interrupt``), then revoke."""
        # Called by Faust (0.15.3) at the start of every revocation, before it
        # clears its acked offsets (test_faust_private_names.py checks the name).
        interrupt(self.app, revoked)
        await super().on_partitions_revoked(revoked)

    def ack(self, message: Message) -> bool:
        """Acknowledge ``message``, unless a rebalance interrupted it or the app stops unfinished.

        While the app stops, only a message whose batch every agent reading
        it wrote and released (:func:`release`, :func:`finished`) may be
        acknowledged; any other (skipped unread by Faust, buffered by
        ``take_events`` but not yet taken, or taken by a batch that did not
        finish) is left for the next worker.
        """
        app = self.app
        if interrupted(app, message):
            log.info(
                "not acknowledging %s[%d]@%d, taken before its partition was revoked: read again"
                " from the committed offset",
                message.topic,
                message.partition,
                message.offset,
            )
            return False
        if (
            app.should_stop
            and app.topics.acks_enabled_for(message.topic)
            and not finished(app, message)
        ):
            log.info(
                "not acknowledging %s[%d]@%d, not processed before the stop: the next worker"
                " reads it again",
                message.topic,
                message.partition,
                message.offset,
            )
            return False
        return bool(super().ack(message))


class Transport(driver.Transport):
    """Faust's aiokafka transport with :class:`Consumer`."""

    Consumer: ClassVar[Any] = Consumer


class App(faust.App):
    """``faust.App`` consuming ``kafka://`` brokers through :class:`Transport`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("Stream", Stream)
        super().__init__(*args, **kwargs)
        self.held_messages: weakref.WeakSet[Message] = weakref.WeakSet()
        self.finished_messages: weakref.WeakKeyDictionary[Message, int] = (
            weakref.WeakKeyDictionary()
        )
        self.before_commit: list[Callable[[], None]] = []  # add_before_commit
        self.interrupted_messages: weakref.WeakSet[Message] = weakref.WeakSet()

    # App._new_transport (faust-streaming 0.15.3) creates the transport. If Faust
    # stops calling it, kafka:// brokers get Faust's own transport, without the
    # two fixes above (test_faust_private_names.py checks the name exists).
    def _new_transport(self) -> Any:
        url = self.conf.broker_consumer[0]
        if url.scheme == "kafka":
            return Transport(self.conf.broker_consumer, self)
        return super()._new_transport()
