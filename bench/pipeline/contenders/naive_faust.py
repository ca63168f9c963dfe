"""Naive Faust: the same correlation rules, written the way a Faust tutorial would.

A custom Faust codec turns every message into the pydantic event model; one
agent per source topic repartitions its stream by (service, environment)
with ``group_by``; the engine state of each key lives in a RocksDB-backed
Faust table (JSON snapshots in its changelog); every event and every
incident row is written to chDB with an ``insert`` of its own. None of the
real worker's batching, raw-bytes fast path or input watermark: the harness
gives this contender an allowed lateness that covers the whole backlog.

Run as ``python -m bench.pipeline.contenders.naive_faust CONFIG.json``
(see ``bench/pipeline/contract.py``); stops on SIGTERM.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import clickhouse_connect
import faust
from clickhouse_connect.driver.client import Client
from faust.serializers import codecs

from bench.pipeline.contract import ContenderConfig
from schemas.events import EVENT_ADAPTER
from streams.engine.correlate import apply_event
from streams.engine.incident import INCIDENT_COLUMNS
from streams.engine.members import to_member
from streams.ingest.decode import Decoded, Origin
from streams.ingest.rows import EVENT_COLUMNS, event_to_row

log = logging.getLogger(__name__)

CODEC = "mttr-event"


class EventCodec(codecs.Codec):
    """Message bytes <-> pydantic event (alert, deploy or ticket, by its ``type``).

    A message that does not validate raises here; Faust logs it and skips it.
    """

    def _loads(self, s: bytes) -> Any:
        return EVENT_ADAPTER.validate_json(s)

    def _dumps(self, s: Any) -> bytes:
        return EVENT_ADAPTER.dump_json(s)


codecs.register(CODEC, EventCodec())


def connect(config: ContenderConfig) -> Client:
    """Open the chDB database the harness migrated (one process per path)."""
    return clickhouse_connect.get_client(dsn=f"chdb://{config.chdb_path}", tz_mode="aware")


def create_app(config: ContenderConfig, client: Client) -> faust.App:
    """Return the Faust app: one correlating agent per source topic, one state table."""
    app = faust.App(
        config.group,
        broker=f"kafka://{config.bootstrap}",
        store="rocksdb://",
        datadir=config.state_dir,
        topic_partitions=config.partitions,
        consumer_auto_offset_reset="earliest",
        web_enabled=False,
    )
    table = app.Table("incident-state", partitions=config.partitions)
    engine = config.engine_config()

    def correlate(
        event_type: str,
    ) -> Callable[[faust.StreamT[Any]], Coroutine[Any, Any, None]]:
        async def process(stream: faust.StreamT[Any]) -> None:
            by_key = stream.group_by(
                lambda e: f"{e.service}/{e.environment}", name=f"{event_type}-by-key"
            )
            events: AsyncIterator[Any] = by_key.events()
            async for message_event in events:
                event = message_event.value
                message = message_event.message
                key = f"{event.service}/{event.environment}"
                now = datetime.now(UTC)
                state, outputs = apply_event(
                    table.get(key),
                    to_member(event),
                    event.service,
                    event.environment,
                    engine,
                    int(now.timestamp() * 1000),
                )
                table[key] = state
                decoded = Decoded(
                    event, message.value, Origin(message.topic, message.partition, message.offset)
                )
                row = event_to_row(decoded, now)
                client.insert(
                    "mttr.events", [[row[c] for c in EVENT_COLUMNS]], column_names=EVENT_COLUMNS
                )
                for incident in outputs.rows:
                    client.insert(
                        "mttr.incidents",
                        [[incident[c] for c in INCIDENT_COLUMNS]],
                        column_names=INCIDENT_COLUMNS,
                    )
                if outputs.late:
                    log.warning("late event %s of %s dropped", event.event_id, key)

        return process

    for event_type, topic_name in config.topics.items():
        topic = app.topic(
            topic_name,
            key_type=bytes,
            key_serializer="raw",
            value_serializer=CODEC,
            partitions=config.partitions,
        )
        app.agent(topic, name=f"correlate-{event_type}")(correlate(event_type))
    return app


def main(argv: list[str]) -> None:
    """Run the worker on the config at ``argv[0]`` until SIGTERM."""
    config = ContenderConfig.read(Path(argv[0]))
    client = connect(config)
    try:
        app = create_app(config, client)
        faust.Worker(app, loglevel="warning").execute_from_commandline()
    finally:
        client.close()


if __name__ == "__main__":
    main(sys.argv[1:])
