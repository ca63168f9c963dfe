"""Create the source, dead-letter and internal topics when they are missing (kafka-python admin)."""

from __future__ import annotations

import logging

from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError

from streams.kafka.names import forwarded_topic_name, ticks_topic_name
from streams.kafka.security import explain_auth_failures, kafka_python_options
from streams.settings import Settings

log = logging.getLogger(__name__)


def ensure_topics(
    settings: Settings, *, internal: bool = False, timeout_ms: int = 30_000
) -> list[str]:
    """Create any missing event, dead-letter or incidents topic (``topic_partitions`` each).

    With ``internal`` (the worker), also the ``correlate`` agent's input topics
    (forwarded events and ticks): a topic that does not exist yet when the
    consumer subscribes is ignored until its next metadata refresh (minutes),
    so the worker must not leave their creation to its first message.
    Existing topics are left untouched. Returns the names that were created.
    """
    wanted = [*settings.event_topics, settings.topic_dead_letter, settings.topic_incidents]
    if internal:
        wanted += [forwarded_topic_name(settings), ticks_topic_name(settings)]
    with explain_auth_failures(settings):  # the first contact of `mttr publish` and the worker
        admin = KafkaAdminClient(
            bootstrap_servers=settings.kafka_bootstrap.split(","),
            client_id=f"{settings.app_id}-admin",
            request_timeout_ms=timeout_ms,
            **kafka_python_options(settings),
        )
    try:
        existing = set(admin.list_topics())
        missing = [name for name in wanted if name not in existing]
        created = []
        for name in missing:
            try:
                configs = {}
                if name == settings.topic_dead_letter:
                    # dead letters carry the original bytes plus headers
                    configs["max.message.bytes"] = str(settings.max_message_bytes + 256 * 1024)
                admin.create_topics(
                    [
                        NewTopic(
                            name,
                            num_partitions=settings.topic_partitions,
                            replication_factor=-1,  # the broker's default.replication.factor
                            topic_configs=configs,
                        )
                    ]
                )
                created.append(name)
            except TopicAlreadyExistsError:  # created concurrently by another process
                pass
        if created:
            log.info("created topics %s with %d partitions", created, settings.topic_partitions)
        return created
    finally:
        admin.close()
