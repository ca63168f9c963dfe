"""Publish validated events to Kafka and wait for the broker's acknowledgement (acks=all)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from aiokafka import AIOKafkaProducer

from streams.kafka.security import aiokafka_options
from streams.settings import Settings


class KafkaPublisher:
    """An idempotent aiokafka producer: each event to the topic of its type, keyed by service."""

    def __init__(self, settings: Settings) -> None:
        self._topics = {kind: topic for topic, kind in settings.topic_types.items()}
        self._producer = AIOKafkaProducer(
            bootstrap_servers=settings.kafka_bootstrap.split(","),
            acks="all",
            enable_idempotence=True,
            linger_ms=5,
            max_request_size=settings.max_message_bytes + 1024,
            request_timeout_ms=int(settings.gateway_timeout_s * 1000),
            client_id=f"{settings.app_id}-gateway",
            **aiokafka_options(settings),
        )

    async def start(self) -> None:
        """Connect to the brokers (raises ``KafkaError`` when none answers)."""
        await self._producer.start()

    async def health(self) -> None:
        """Raise when no broker answers a metadata request."""
        await self._producer.client.fetch_all_metadata()

    async def stop(self) -> None:
        """Flush and close."""
        await self._producer.stop()

    async def publish(self, events: Sequence[dict[str, Any]]) -> None:
        """Send validated event dicts; return once all are acknowledged. Raises ``KafkaError``."""
        futures = [
            await self._producer.send(
                self._topics[event["type"]],
                value=orjson.dumps(event),
                key=event["service"].encode(),
            )
            for event in events
        ]
        for future in futures:
            await future
