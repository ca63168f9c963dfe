"""A Faust schema for the worker's raw-bytes topics, decoding without the codec machinery.

Every topic the worker consumes carries bytes it parses itself (parse at the
edge): ``key_type=bytes, value_type=bytes`` with the ``raw`` serializer.
Faust still decodes each message through its serializer registry (a codec
lookup, the ``raw`` codec's ``want_bytes``, ``_prepare_payload`` for
``bytes``: the same bytes back, or None for None) and then
``app.create_event``, which looks up the event class in the settings each
time. :func:`raw_bytes` returns a schema whose decoder makes the event
``app.create_event`` makes, ``app.conf.Event(app, message.key,
message.value, message.headers, message)``, with the class looked up once:
the same event for every message, for about a tenth less CPU on the consume
path (``bench/faust_path.py``). Checked against faust-streaming
0.15.3 (``tests/static/test_faust_pins.py`` pins the decode it replaces).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import faust
from faust.types import AppT, EventT, Message

Decode = Callable[..., Awaitable[EventT[Any]]]


class RawBytes(faust.Schema):  # type: ignore[type-arg]
    """Key and value as the message's bytes (or None), as Faust's ``raw`` serializer gives."""

    def __init__(self) -> None:
        super().__init__(
            key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw"
        )

    def compile(self, app: AppT, **_: Any) -> Decode:
        """Return the decoder of Faust's ``Schema.compile``, for bytes: it never fails.

        The event is what ``app.create_event`` makes (``app.conf.Event``), with
        the event class looked up once here rather than per message.
        """
        event: Any = app.conf.Event

        async def decode(message: Message, *, propagate: bool = False) -> EventT[Any]:
            return event(app, message.key, message.value, message.headers, message)  # type: ignore[no-any-return]

        return decode


def raw_bytes() -> faust.Schema:  # type: ignore[type-arg]
    """Return the schema of a topic of raw bytes (pass as ``app.topic(..., schema=...)``)."""
    return RawBytes()
