"""Worker settings: Faust app id and store, batches, dead-letter limit, rule windows, web port."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from streams.settings.base import MiB
from streams.settings.paths import VarDirSettings


class WorkerSettings(VarDirSettings):
    """How ``mttr worker`` runs: its Faust app, sinks, correlation windows and status page.

    Reads ``MTTR_APP_ID``, ``MTTR_STORE``, the batch, dead-letter and window
    variables, ``MTTR_WEB_*``, ``MTTR_LOG_LEVEL`` and, inherited from
    ``VarDirSettings``, ``MTTR_VAR_DIR`` (where ``rocksdb://`` tables live).
    """

    # --- Faust app -------------------------------------------------------------
    app_id: str = Field("mttr", description="Faust application id (consumer group, state names).")
    store: str = Field(
        "memory://",
        description="Faust table store: memory:// (rebuilt from the changelog) or rocksdb://.",
    )

    # --- Messages, batches and the dead-letter limit ---------------------------
    max_message_bytes: int = Field(
        MiB, ge=1024, description="Messages larger than this are dead-lettered."
    )
    sink_batch_size: int = Field(
        1000, ge=1, description="Max events per batch (and per ClickHouse insert) of each agent."
    )
    sink_batch_seconds: float = Field(
        0.5, gt=0, description="Max seconds an event waits in a batch before the insert."
    )
    sink_retry_max_seconds: float = Field(
        30.0,
        gt=0,
        description="Longest back-off between retries of a failed insert, dead letter or publish.",
    )
    dlq_limit_enabled: bool = Field(
        True, description="Stop the worker when too many recent messages are invalid."
    )
    dlq_max_invalid_ratio: float = Field(
        0.5, gt=0, le=1, description="Invalid share of the recent window that stops the worker."
    )
    dlq_window: int = Field(
        1000, ge=10, description="Number of recent messages the invalid ratio is computed over."
    )

    # --- Correlation windows ---------------------------------------------------
    quiet_period_s: float = Field(
        600,
        ge=0,
        description="Seconds after a resolution in which an alert or opened ticket reopens it.",
    )
    allowed_lateness_s: float = Field(
        3600, ge=0, description="Events this far behind a key's newest event are still applied."
    )
    suspect_window_s: float = Field(
        3600, ge=0, description="Deploys this long before an incident started may be its cause."
    )
    correlate_in_place: bool = Field(
        True,
        description=(
            "Correlate events that arrive on their service's partition (murmur2 of the service,"
            " equal partition counts) without forwarding them; false forwards every event."
        ),
    )
    idle_flush_s: float = Field(
        30,
        ge=0.5,
        description=(
            "Wall-clock idle seconds after which a partition's resolved incidents complete"
            " (and a source partition stuck below its end counts as caught up)."
        ),
    )
    retention_s: float = Field(
        7 * 86400, ge=0, description="How long finished incidents stay in state for ticket updates."
    )
    review_retention_s: float = Field(
        90 * 86400,
        ge=0,
        description=(
            "How long after its resolution a ticket postmortem still reviews an incident"
            " (finished incidents with tickets are kept in a compact review ledger)."
        ),
    )
    snapshot_interval_s: float = Field(
        60,
        ge=0,
        description=(
            "Seconds between checks for new data to refresh the view snapshots that make whole"
            " views fast (0: never; views are exact either way)."
        ),
    )

    # --- Status page and logs --------------------------------------------------
    web_host: str = Field("127.0.0.1", description="Worker web (status) interface bind address.")
    web_port: int = Field(6066, ge=0, le=65535, description="Worker web (status) port.")
    log_level: Literal["debug", "info", "warn", "error"] = Field(
        "info", description="Log level of the worker and CLI."
    )
