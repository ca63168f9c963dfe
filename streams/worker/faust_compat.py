"""The Kafka transport the worker runs on: Faust's aiokafka driver with one fix.

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
never stored, and the restarted worker began after it). While the app stops,
``Consumer.ack`` refuses the acknowledgement of such a message (flow stopped
or older generation, and no agent took it with ``hold``), so the next worker
reads it again. Only while stopping: in a running worker a refusal could
leave an offset that Faust never delivers again unacknowledged, which stops
the partition's commits; during a rebalance Faust's own seek back to the
committed offsets re-reads what it skipped.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import aiokafka
import faust
from aiokafka import TopicPartition
from faust.transport.drivers import aiokafka as driver
from faust.types import AppT, Message

log = logging.getLogger(__name__)


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


def hold(app: AppT, message: Message) -> None:
    """Keep ``message`` unacknowledged until ``message.decref()``, as taken by an agent."""
    message.incref()
    registry = getattr(app, "held_messages", None)
    if registry is not None:
        registry.add(message)


def held(app: AppT, message: Message) -> bool:
    """Return whether an agent took ``message`` (``hold``)."""
    return message in getattr(app, "held_messages", ())


class ConsumerThread(driver.AIOKafkaConsumerThread):
    """Faust's consumer thread, rewinding never-committed partitions too."""

    async def seek_to_committed(self) -> Mapping[Any, int]:
        """Seek to committed offsets (earliest where none), on the consumer's thread."""
        return await self.call_thread(  # type: ignore[no-any-return]
            seek_to_committed_or_earliest, self._ensure_consumer(), not_a_changelog(self.app)
        )


class Consumer(driver.Consumer):
    """Faust's aiokafka consumer with :class:`ConsumerThread`, never acking unread messages."""

    def _new_consumer_thread(self) -> ConsumerThread:
        return ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    def ack(self, message: Message) -> bool:
        """Acknowledge ``message``, unless the app stops and Faust skipped it unread."""
        app = self.app
        skipped = not (
            app.flow_control.is_active() and message.generation_id == app.consumer_generation_id
        )
        if (
            skipped
            and app.should_stop
            and app.topics.acks_enabled_for(message.topic)
            and not held(app, message)
        ):
            log.info(
                "not acknowledging %s[%d]@%d, skipped unread while stopping: the next worker"
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
        super().__init__(*args, **kwargs)
        self.held_messages: weakref.WeakSet[Message] = weakref.WeakSet()

    def _new_transport(self) -> Any:
        url = self.conf.broker_consumer[0]
        if url.scheme == "kafka":
            return Transport(self.conf.broker_consumer, self)
        return super()._new_transport()
