"""What the worker sends to Kafka besides consuming: dead letters, events, incidents, ticks.

Every send goes through the app's producer (``producer_acks=-1``, see
``streams.worker.app``), looked up at call time: the producer exists only
once the app runs. Agent tests replace these sends (``build.WorkerIO``).
"""

from __future__ import annotations

import asyncio
from typing import Any

import faust
import orjson

from streams.ingest.bundle import BUNDLE_HEADER, bundle
from streams.ingest.decode import Decoded
from streams.ingest.progress import WATERMARK_HEADER
from streams.kafka.names import forwarded_topic_name, ticks_topic_name
from streams.settings import Settings
from streams.worker.agents import TICK_HEADER


class KafkaSends:
    """The worker's producers of the dead-letter, events-by-service, incidents and ticks topics."""

    def __init__(self, app: faust.App, settings: Settings) -> None:
        self._app = app
        self._settings = settings

    async def send_dead_letter(
        self, key: bytes | None, value: bytes, headers: list[tuple[str, bytes]]
    ) -> None:
        """Send one dead letter and wait until the broker has it (``SendDeadLetter``)."""
        await self._app.producer.send_and_wait(
            self._settings.topic_dead_letter,
            key,
            value,
            partition=None,
            timestamp=None,
            headers=headers,
        )

    async def forward(self, events: list[Decoded], watermark: int | None) -> None:
        """Forward valid events as bundles keyed by service (``Forward``).

        Each bundle carries the bundle header and, when known, the input
        watermark; returns once the broker has every bundle.
        """
        headers = [(BUNDLE_HEADER, b"1")]
        if watermark is not None:
            headers.append((WATERMARK_HEADER, str(watermark).encode()))
        futures = [
            await self._app.producer.send(
                forwarded_topic_name(self._settings),
                key,
                value,
                partition=None,
                timestamp=None,
                headers=headers,
            )
            for key, value in bundle(events)
        ]
        await asyncio.gather(*futures)

    async def publish_incidents(self, rows: list[dict[str, Any]]) -> None:
        """Publish incident rows as JSON keyed by incident id (``PublishRows``).

        Returns once the broker has every row.
        """
        futures = [
            await self._app.producer.send(
                self._settings.topic_incidents,
                row["incident_id"].encode(),
                orjson.dumps(row),
                partition=None,
                timestamp=None,
                headers=None,
            )
            for row in rows
        ]
        await asyncio.gather(*futures)

    async def send_ticks(self) -> None:
        """Send one tick to every partition of the ticks topic (drives idle completion)."""
        for partition in range(self._settings.topic_partitions):
            await self._app.producer.send(
                ticks_topic_name(self._settings),
                None,
                b"",
                partition=partition,
                timestamp=None,
                headers=[(TICK_HEADER, b"1")],
            )


def register_tick_timer(app: faust.App, settings: Settings, sends: KafkaSends, *, on: bool) -> None:
    """Register the timer ticking the correlation topic every ``idle_flush_s / 2`` (≥ 0.5 s).

    With ``on`` False (agent tests: no producer) the timer runs and sends nothing.
    """

    @app.timer(interval=max(0.5, settings.idle_flush_s / 2))  # type: ignore[untyped-decorator]
    async def send_ticks() -> None:
        """Tick every partition of the correlation topic (drives idle completion)."""
        if not on:
            return
        await sends.send_ticks()
