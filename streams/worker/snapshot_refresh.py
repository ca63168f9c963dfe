"""The worker's timer that keeps the view snapshots current (streams/storage/snapshots.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import faust

from streams.settings import Settings
from streams.storage.clickhouse import connect
from streams.storage.snapshots import Refresher

log = logging.getLogger(__name__)


def register_snapshot_refresh(app: faust.App, settings: Settings) -> Callable[[], dict[str, Any]]:
    """Refresh the snapshots every ``MTTR_SNAPSHOT_INTERVAL_S`` when data changed.

    The refresh runs in a thread on its own client, so the sinks keep writing
    meanwhile. A failed refresh is logged and retried at the next tick: the
    views stay exact without it, only slower. Returns a function giving the
    last refresh for the status page.
    """
    state: dict[str, Any] = {"enabled": settings.snapshot_interval_s > 0}
    if not state["enabled"]:
        return lambda: dict(state)
    refresher: list[Refresher] = []

    def run() -> None:
        if not refresher:
            refresher.append(Refresher(connect(settings)))
        done = refresher[0].run()
        if done is not None:
            state.update(
                refreshed_at=datetime.now(UTC).isoformat(timespec="seconds"),
                seconds=round(done.seconds, 3),
                full=done.full,
                rows=sum(done.rows.values()),
            )

    @app.timer(interval=settings.snapshot_interval_s)  # type: ignore[untyped-decorator]
    async def refresh_snapshots() -> None:
        try:
            await asyncio.to_thread(run)
        except Exception as exc:  # the views stay exact without snapshots
            state["last_error"] = str(exc)[:500]
            log.warning("view snapshot refresh failed (views read live meanwhile): %s", exc)

    return lambda: dict(state)
