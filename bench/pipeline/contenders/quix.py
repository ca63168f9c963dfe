"""Contender ``quix``: the same incident rules written idiomatically with Quix Streams.

The library a Python team would pick instead of Faust: one ``Application``;
each source topic's ``StreamingDataFrame`` decodes at the edge (the same
strict ``streams.ingest.decode`` as ours) and re-keys to the correlation key
``service/environment`` into one keyed topic (``{group}-by-key``, our
repartition step); its dataframe runs a stateful ``apply`` that keeps the
key's engine state in Quix State (RocksDB, with its changelog topic) and
calls ``streams.engine.correlate.apply_event``. A ``BatchingSink`` inserts the event rows
and incident rows into chDB on every checkpoint, before the offsets are
committed. Runs until SIGTERM (``Application.run`` handles it).

Runs in the bench venv (``bench/pipeline/venv.py``), not the main one:
``<venv>/bin/python -m bench.pipeline.contenders.quix CONFIG.json``.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import clickhouse_connect
from quixstreams import Application, State, message_context  # type: ignore[import-not-found]
from quixstreams.models import TopicConfig  # type: ignore[import-not-found]
from quixstreams.sinks import BatchingSink, SinkBatch  # type: ignore[import-not-found]

from bench.pipeline.contract import ContenderConfig
from schemas.events import ChangeEvent
from streams.engine.correlate import EngineConfig, apply_event
from streams.engine.incident import INCIDENT_COLUMNS
from streams.engine.members import from_ms, to_member, to_ms
from streams.ingest.decode import Decoded, Origin, decode
from streams.ingest.rows import EVENT_COLUMNS, event_to_row

MAX_MESSAGE_BYTES = 1 << 20
_EVENT_TIMES = ("occurred_at", "ingested_at")  # carried as epoch ms through the repartition


def decode_record(raw: bytes) -> dict[str, Any] | None:
    """Validate one source message; return what the keyed step needs (None: invalid).

    The record must survive the JSON repartition topic, so the event row's
    datetimes travel as epoch milliseconds.
    """
    ctx = message_context()
    decoded = decode(
        raw,
        Origin(ctx.topic, ctx.partition, ctx.offset),
        expected_type=None,
        max_bytes=MAX_MESSAGE_BYTES,
    )
    if not isinstance(decoded, Decoded):
        return None  # ours sends these to the dead-letter topic; nothing to correlate
    row = event_to_row(decoded, datetime.now(UTC))
    for name in _EVENT_TIMES:
        row[name] = to_ms(row[name])
    event = decoded.event
    if isinstance(event, ChangeEvent):  # stored by ours, never correlated; not in this data
        return None
    return {
        "service": event.service,
        "environment": event.environment,
        "member": to_member(event),
        "event": row,
    }


def correlation_key(record: dict[str, Any]) -> str:
    """Return the key the rules run per: ``service/environment``."""
    return f"{record['service']}/{record['environment']}"


def make_correlate(config: EngineConfig) -> Any:
    """Return the stateful step: one ``apply_event`` on the key's state kept in Quix State."""

    def correlate(record: dict[str, Any], state: State) -> dict[str, Any]:
        before = state.get("s")
        after, outputs = apply_event(
            before,
            record["member"],
            record["service"],
            record["environment"],
            config,
            int(time.time() * 1000),
        )
        if not (outputs.duplicate or outputs.late):  # those change nothing
            state.set("s", after)
        return {"event": record["event"], "incidents": outputs.rows}

    return correlate


class ClickHouseSink(BatchingSink):  # type: ignore[misc]
    """Inserts each checkpoint's event rows and incident rows into chDB."""

    def __init__(self, chdb_path: str) -> None:
        super().__init__()
        self._dsn = f"chdb://{Path(chdb_path).resolve()}"
        self._client: Any = None

    def setup(self) -> None:
        """Open the chDB client (called once by ``Application.run``)."""
        self._client = clickhouse_connect.get_client(dsn=self._dsn, tz_mode="aware")

    def write(self, batch: SinkBatch) -> None:
        """Insert one topic partition's batch: its event rows, then its incident rows."""
        events: list[list[Any]] = []
        incidents: list[list[Any]] = []
        for item in batch:
            row = dict(item.value["event"])
            for name in _EVENT_TIMES:
                row[name] = from_ms(row[name])
            events.append([row[column] for column in EVENT_COLUMNS])
            incidents.extend(
                [incident[column] for column in INCIDENT_COLUMNS]
                for incident in item.value["incidents"]
            )
        if events:
            self._client.insert("mttr.events", events, column_names=list(EVENT_COLUMNS))
        if incidents:
            self._client.insert("mttr.incidents", incidents, column_names=list(INCIDENT_COLUMNS))


def build(config: ContenderConfig) -> Application:
    """Return the application: topics, the dataframe pipeline and the sink."""
    app = Application(
        broker_address=config.bootstrap,
        consumer_group=config.group,
        auto_offset_reset="earliest",
        state_dir=config.state_dir,
        loglevel="WARNING",
    )
    # One keyed topic that all three sources write to: what ``group_by`` would create,
    # but without ``concat``, whose cross-topic timestamp alignment the rules (order
    # independent within the allowed lateness) do not need and which held the last
    # messages back for seconds in our runs.
    by_key = app.topic(
        f"{config.group}-by-key",
        key_serializer="str",
        key_deserializer="str",
        config=TopicConfig(num_partitions=config.partitions, replication_factor=1),
    )
    for name in config.topics.values():
        source = app.dataframe(app.topic(name, value_deserializer="bytes"))
        source = source.apply(decode_record).filter(lambda record: record is not None)
        source.to_topic(by_key, key=correlation_key)
    sdf = app.dataframe(by_key)
    sdf = sdf.apply(make_correlate(config.engine_config()), stateful=True)
    sdf.sink(ClickHouseSink(config.chdb_path))
    return app


def main(argv: list[str]) -> None:
    """Run the contender on ``argv[0]`` (the config JSON) until SIGTERM."""
    config = ContenderConfig.read(Path(argv[0]))
    build(config).run()


if __name__ == "__main__":
    main(sys.argv[1:])
