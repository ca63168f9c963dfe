"""Local development settings: the broker's Kafka version, jar cache, heap; a reader password."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field, SecretStr, field_validator

from streams.settings.paths import VarDirSettings, project_root


class LocalSettings(VarDirSettings):
    """The broker ``mttr kafka start`` and ``mttr demo`` run on this machine.

    Reads ``MTTR_KAFKA_VERSION``, ``MTTR_KAFKA_CACHE_DIR``, ``MTTR_KAFKA_HEAP``,
    ``MTTR_CLICKHOUSE_READER_PASSWORD`` (the local ClickHouse server's read-only user) and,
    inherited from ``VarDirSettings``, ``MTTR_VAR_DIR`` (broker data and logs).
    """

    kafka_version: str = Field("4.4.0", description="Apache Kafka version of the local broker.")
    kafka_cache_dir: Path | None = Field(
        None, description="Where broker jars are cached (default: .cache/kafka in the project)."
    )
    kafka_heap: str = Field("512m", description="JVM max heap of the local broker (<= 768m).")
    clickhouse_reader_password: SecretStr | None = Field(
        None,
        description="Password of mttr_reader, the read-only user of `mttr clickhouse start`.",
    )

    @field_validator("kafka_heap")
    @classmethod
    def _heap_is_capped(cls, value: str) -> str:
        units = {"k": 1 / 1024, "m": 1, "g": 1024}
        if not re.fullmatch(r"[1-9][0-9]*[kKmMgG]", value):
            msg = f"kafka_heap must look like 512m or 1g, got {value!r}"
            raise ValueError(msg)
        suffix = value[-1:].lower()
        if int(value[:-1]) * units[suffix] > 768:
            msg = f"kafka_heap {value} exceeds the 768m cap"
            raise ValueError(msg)
        return value

    def resolved_kafka_cache_dir(self) -> Path:
        """Return the folder holding the broker jars for ``kafka_version``."""
        base = self.kafka_cache_dir or project_root() / ".cache" / "kafka"
        return base / self.kafka_version
