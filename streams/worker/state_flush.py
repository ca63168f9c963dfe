"""Write the staged incident state before every offset commit; forget revoked partitions.

``faust_compat.Consumer`` runs the app's ``before_commit`` hooks right before
it commits offsets, and Faust flushes its producer between the two: the state
of every committed event is in the changelog first (``staged_table``). When
partitions are revoked, their staged keys are dropped: the worker that takes
them over restores their state from the changelog and reads again, from the
committed offset, what this one had not committed.
"""

from __future__ import annotations

import logging
from typing import Any

import faust

from streams.worker.holds import add_before_commit
from streams.worker.staged_table import StagedTable

log = logging.getLogger(__name__)


def register_state_flush(app: faust.App, staged: StagedTable, changelog: str) -> None:
    """Write ``staged`` before each commit, only for partitions of ``changelog`` still owned."""

    def owned_partitions() -> set[int]:
        return {tp.partition for tp in app.consumer.assignment() if tp.topic == changelog}

    def before_commit() -> None:
        owned = owned_partitions()
        staged.write_through(lambda partition: partition in owned)

    add_before_commit(app, before_commit)

    @app.on_partitions_revoked.connect  # type: ignore[arg-type]
    async def forget_revoked(app: Any, revoked: set[Any], **kwargs: Any) -> None:
        dropped = staged.drop_partitions({tp.partition for tp in revoked})
        if dropped:
            log.info("revoked partitions: %d staged key states dropped", dropped)
