"""The raw-bytes schema decodes every message to the event Faust's ``raw`` serializer gives."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from faust.types import TP
from faust.types.tuples import ConsumerMessage

from streams.settings import Settings
from streams.worker.app import create_app, source_topic
from streams.worker.faust_compat.raw_schema import RawBytes, raw_bytes


@pytest.mark.parametrize(
    ("key", "value", "headers"),
    [
        (b"api", b'{"type": "alert"}', [("source_topic", b"alerts")]),
        (None, b"{not json", []),
        (b"api", None, None),
        (None, None, [("mttr-tick", b"")]),
        (b"", b"", []),
    ],
)
def test_same_event_as_faust_raw_serializer(
    key: bytes | None, value: bytes | None, headers: Any
) -> None:
    app = create_app(Settings(kafka_bootstrap="127.0.0.1:1"))
    faust_topic = app.topic(
        "t", key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw"
    )
    our_topic = app.topic("t", schema=raw_bytes())
    message = ConsumerMessage("t", 0, 7, 0.0, 0, headers, key, value, None, tp=TP("t", 0))

    async def decode() -> list[Any]:
        events = [await faust_topic.decode(message), await our_topic.decode(message)]
        return [(e.key, e.value, e.headers, e.message) for e in events]

    faust_event, our_event = asyncio.run(decode())
    assert our_event == faust_event


def test_the_worker_topics_use_it() -> None:
    settings = Settings(kafka_bootstrap="127.0.0.1:1")
    topic = source_topic(create_app(settings), settings)
    assert isinstance(topic.schema, RawBytes)
    assert (topic.key_type, topic.value_type) == (bytes, bytes)
    assert (topic.key_serializer, topic.value_serializer) == ("raw", "raw")
