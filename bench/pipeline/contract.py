"""What the harness hands a contender, and how it reads the contender's result.

A contender is a process started as ``python -m bench.pipeline.contenders.NAME
CONFIG.json`` (or, for ``ours``, the real ``mttr worker``). It consumes the
three source topics from the beginning under the consumer group ``group``,
stores every valid event in ``mttr.events`` and every incident row the
correlation rules produce in ``mttr.incidents`` of the already migrated chDB
database at ``chdb_path`` (the contender owns that path while it runs), and
runs until SIGTERM. The harness knows it is done when the group's committed
offsets reach the end of every topic the group commits to (repartition
topics included) and the incident count stops changing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson
from clickhouse_connect.driver.client import Client

from streams.engine.correlate import EngineConfig

# Columns an incident must agree on with ours to count. Left out: version and
# updated_at (processing time) and completed (idle completion runs on wall
# clock ticks, which a contender may not have).
COMPARED_COLUMNS = (
    "incident_id", "service", "environment", "status", "severity", "category", "title",
    "started_at", "detected_at", "acknowledged_at", "identified_at", "mitigated_at",
    "resolved_at", "ttr_seconds", "alert_ids", "ticket_ids", "event_count",
    "cause_deploy_id", "fix_deploy_id", "repair_action", "reopen_count", "quality_flags",
)  # fmt: skip


@dataclass(frozen=True)
class ContenderConfig:
    """Everything a contender needs; written as JSON next to its database."""

    bootstrap: str
    topics: dict[str, str]  # event type ("alert", "deploy", "ticket") -> topic
    group: str  # consumer group / application id
    chdb_path: str
    state_dir: str  # for the framework's own state (RocksDB etc.)
    partitions: int
    quiet_period_s: float = 600.0
    allowed_lateness_s: float = 3600.0
    suspect_window_s: float = 3600.0
    retention_s: float = 7 * 86400.0

    def engine_config(self) -> EngineConfig:
        """Return the correlation rules' windows."""
        return EngineConfig(
            quiet_ms=int(self.quiet_period_s * 1000),
            allowed_lateness_ms=int(self.allowed_lateness_s * 1000),
            suspect_ms=int(self.suspect_window_s * 1000),
            retention_ms=int(self.retention_s * 1000),
        )

    def write(self, path: Path) -> None:
        """Write the config as JSON to ``path``."""
        path.write_bytes(orjson.dumps(asdict(self), option=orjson.OPT_INDENT_2))

    @classmethod
    def read(cls, path: Path) -> ContenderConfig:
        """Read a config written by ``write``."""
        return cls(**orjson.loads(path.read_bytes()))


def own_peak_rss_kib() -> int:
    """Return this process's peak RSS (``VmHWM``) in KiB.

    Not ``getrusage``'s ``ru_maxrss``: on Linux that keeps the high-water mark
    of the image before ``exec``, i.e. the harness process the contender was
    forked from (4.4 GiB after the views benchmark loaded 1M incidents).
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def incident_rows(client: Client) -> dict[str, tuple[Any, ...]]:
    """Return the current incidents (``FINAL``, not deleted) as compared columns by id."""
    result = client.query(
        f"SELECT {', '.join(COMPARED_COLUMNS)} FROM mttr.incidents FINAL WHERE is_deleted = 0"
    )
    return {row[0]: tuple(row) for row in result.result_rows}


def event_count(client: Client) -> int:
    """Return the number of distinct events stored."""
    return int(client.query("SELECT count() FROM mttr.events FINAL").result_rows[0][0])


def differences(ours: dict[str, tuple[Any, ...]], theirs: dict[str, tuple[Any, ...]]) -> str:
    """Describe how ``theirs`` differs from ``ours`` ('' when equal), with one example."""
    missing = sorted(set(ours) - set(theirs))
    extra = sorted(set(theirs) - set(ours))
    changed = sorted(i for i in set(ours) & set(theirs) if ours[i] != theirs[i])
    if not (missing or extra or changed):
        return ""
    parts = [f"{len(missing)} missing", f"{len(extra)} extra", f"{len(changed)} different"]
    if changed:
        first = changed[0]
        columns = [
            f"{name}: ours {a!r}, theirs {b!r}"
            for name, a, b in zip(COMPARED_COLUMNS, ours[first], theirs[first], strict=True)
            if a != b
        ]
        parts.append(f"e.g. {first}: {'; '.join(columns[:3])}")
    return ", ".join(parts)
