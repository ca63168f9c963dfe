"""The worker's consumer rewinds a never-committed partition to its earliest offset.

Faust drops messages fetched during a rebalance and then seeks back to the
committed offsets; aiokafka's ``seek_to_committed`` leaves a partition
without a committed offset where it is, so its dropped messages were never
read (streams/worker/faust_compat/). Checked on the real broker: plain aiokafka
stays put, ``seek_to_committed_or_earliest`` goes back.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from faust.types import TP, Message
from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic

from streams.settings import Settings
from streams.worker.app import create_app
from streams.worker.faust_compat import (
    ConsumerThread,
    not_a_changelog,
    seek_to_committed_or_earliest,
)
from streams.worker.holds import hold, interrupt, release

pytestmark = pytest.mark.integration


def _topic_with(bootstrap: str, messages: int) -> str:
    topic = f"rewind-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        admin.close()
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for i in range(messages):
        producer.send(topic, value=f"m{i}".encode(), partition=0)
    producer.flush()
    producer.close()
    return topic


async def _read_to_end(consumer: AIOKafkaConsumer, tp: TopicPartition, end: int) -> None:
    async with asyncio.timeout(30):
        while await consumer.position(tp) < end:
            await consumer.getmany(tp, timeout_ms=500)


def test_never_committed_partition_goes_back_to_earliest(kafka_bootstrap: str) -> None:
    topic = _topic_with(kafka_bootstrap, messages=3)
    tp = TopicPartition(topic, 0)

    async def scenario() -> list[object]:
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=kafka_bootstrap,
            group_id=f"{topic}-group",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            await _read_to_end(consumer, tp, 3)  # fetched, as Faust does before dropping them
            plain = await consumer.seek_to_committed()
            after_plain = await consumer.position(tp)
            await seek_to_committed_or_earliest(consumer, rewind=lambda tp: False)
            not_chosen = await consumer.position(tp)  # e.g. a table changelog: left alone
            ours = await seek_to_committed_or_earliest(consumer)
            after_ours = await consumer.position(tp)
            await consumer.commit({tp: 2})
            await _read_to_end(consumer, tp, 3)
            await seek_to_committed_or_earliest(consumer)
            after_commit = await consumer.position(tp)
        finally:
            await consumer.stop()
        return [plain[tp], after_plain, not_chosen, ours[tp], after_ours, after_commit]

    plain_committed, after_plain, not_chosen, committed, after_ours, after_commit = asyncio.run(
        scenario()
    )
    assert plain_committed is None  # nothing committed
    assert after_plain == 3  # aiokafka alone: the 3 fetched messages would never be read again
    assert not_chosen == 3
    assert committed is None
    assert after_ours == 0  # ours: read again from the earliest offset
    assert after_commit == 2  # a committed offset is still where reading resumes


def test_the_worker_app_uses_this_consumer() -> None:
    app = create_app(Settings(kafka_bootstrap="127.0.0.1:9092"))
    assert isinstance(app.consumer._thread, ConsumerThread)


def test_table_changelogs_are_never_rewound(isolated_settings: Settings) -> None:
    """The worker rewinds its sources, not the changelog (never committed; Faust positions it)."""
    from streams.worker.build import build_worker

    settings = isolated_settings
    app = build_worker(settings, client=None)  # type: ignore[arg-type]  # nothing is written
    rewinds = not_a_changelog(app)
    assert all(rewinds(TopicPartition(topic, 0)) for topic in settings.source_topics)
    assert not rewinds(TopicPartition(f"{settings.app_id}-incident-state-changelog", 0))


def test_only_finished_messages_are_acknowledged_while_stopping(
    isolated_settings: Settings,
) -> None:
    """Faust acks what it skips once the flow is stopped; while stopping, the consumer refuses.

    While the app stops, only a message whose batch an agent wrote and
    released (``release``) is acknowledged: one skipped unread, one of an
    older generation, one buffered while the flow was still active and one
    taken by a batch that did not finish are all refused. In a running worker
    nothing changes (Faust re-reads what it skipped in a rebalance by seeking
    back to the committed offsets).
    """
    from streams.worker.build import build_worker

    app = build_worker(isolated_settings, client=None)  # type: ignore[arg-type]
    consumer, topic = app.consumer, isolated_settings.topic_deploys
    app.topics._acking_topics.add(topic)  # what subscribing the ingest agent does at start
    app.consumer_generation_id = 3

    def message(offset: int, generation: int = 3, *, taken: bool = False) -> Message:
        fetched = Message(
            topic, 0, offset, 0.0, 0, None, None, b"{}", None, generation_id=generation
        )
        if taken:
            hold(app, fetched)
        return fetched

    app.flow_control.resume()
    assert consumer.ack(message(0))
    app.flow_control.suspend()  # a rebalance: unchanged behaviour
    assert consumer.ack(message(1))
    app.flow_control.resume()
    app._stopped.set()  # the worker stops (SIGTERM)
    assert not consumer.ack(message(2))  # flow still active, but nobody processed it
    app.flow_control.suspend()  # Faust stops the flow, then commits
    assert not consumer.ack(message(3))  # pulled after the flow stopped: skipped unread
    assert not consumer.ack(message(4, generation=2))
    assert not consumer.ack(message(5, taken=True))  # taken, but its batch did not finish
    written = message(6, taken=True)
    release(app, written)  # the batch was written
    assert consumer.ack(written)  # acknowledged
    assert consumer._acked[TP(topic, 0)] == [0, 1, 6]


def test_faust_commits_past_an_unacknowledged_head() -> None:
    """Why refusing skipped messages alone was not enough: Faust's next commit offset.

    With nothing committed yet, acked offsets [1, 2] give a commit of 3 although
    offset 0 was never acknowledged; with 31 committed, acked [32] gives 33
    although 31 was not acknowledged. Only a gap of more than one offset stops it.
    """
    from faust.transport.consumer import Consumer as FaustConsumer

    class Probe:
        _new_offset = FaustConsumer._new_offset

        def __init__(self, committed: int | None, acked: list[int]) -> None:
            self._committed_offset = {TP("t", 0): committed}
            self._acked = {TP("t", 0): acked}
            self._acked_index = {TP("t", 0): set(acked)}
            self._gap = {TP("t", 0): None}

    assert Probe(None, [1, 2])._new_offset(TP("t", 0)) == 3
    assert Probe(31, [32])._new_offset(TP("t", 0)) == 33
    assert Probe(31, [33])._new_offset(TP("t", 0)) is None


def test_nothing_is_delivered_while_recovery_seeks(isolated_settings: Settings) -> None:
    """The seek back to the committed offsets runs with the consumer's flow stopped.

    After a changelog restore the fetcher is already running when recovery
    resumes the source partitions and seeks them; it then resumes the app's
    flow control, which empties the channel queues. A message delivered
    during the seek was wiped unread and never acknowledged (a restarted
    worker kept one source message of lag for good). The caller resumes the
    flow after the seek, as before.
    """
    from streams.worker.build import build_worker

    app = build_worker(isolated_settings, client=None)  # type: ignore[arg-type]
    consumer = app.consumer
    flow_during_seek: list[bool] = []

    async def seek_to_committed() -> dict[TP, int]:
        flow_during_seek.append(consumer.flow_active)  # could the fetcher deliver now?
        return {}

    consumer.seek_to_committed = seek_to_committed  # type: ignore[method-assign]
    consumer.resume_flow()  # as after "Restoring state from changelog topics"
    asyncio.run(consumer.perform_seek())
    assert flow_during_seek == [False]
    consumer.resume_flow()  # what recovery does next
    assert consumer.flow_active


def test_messages_held_when_their_partition_is_revoked_are_never_acknowledged(
    isolated_settings: Settings,
) -> None:
    """A batch in flight across a revocation is read again, never committed.

    Its staged state was dropped at the revocation (``state_flush``); if its
    messages were acknowledged when the batch ended, a worker that got the
    partition back would commit them and their events would be missing from
    the state (seen with 2 and 3 workers in bench/pipeline/scaling.py).
    """
    from streams.worker.build import build_worker

    app = build_worker(isolated_settings, client=None)  # type: ignore[arg-type]
    consumer, topic = app.consumer, isolated_settings.topic_deploys
    app.topics._acking_topics.add(topic)
    app.consumer_generation_id = 3
    app.flow_control.resume()

    def taken(partition: int, offset: int) -> Message:
        fetched = Message(
            topic, partition, offset, 0.0, 0, None, None, b"{}", None, generation_id=3
        )
        hold(app, fetched)
        return fetched

    in_flight, elsewhere, acked = taken(0, 5), taken(1, 5), taken(0, 4)
    release(app, acked)
    assert consumer.ack(acked)
    interrupt(app, {TP(topic, 0)})  # what Consumer.on_partitions_revoked does first
    release(app, in_flight)  # the batch ends after the revocation
    release(app, elsewhere)
    assert not consumer.ack(in_flight)  # read again from the committed offset
    assert consumer.ack(elsewhere)  # its partition was not revoked
