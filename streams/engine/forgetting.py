"""Forgetting: what a key's state may drop once no future event can change it.

``prune`` runs after every applied event with the key's safe watermark
(docs/incident-model.md, "Forgetting"). It keeps the state bounded over any
history: finished incidents and their events go, ids are remembered back to
the lateness horizon, and succeeded deploys stay as long as they can still be
a cause.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from streams.engine.incident import can_cause
from streams.engine.members import Member
from streams.engine.segment import Segment

if TYPE_CHECKING:
    from streams.engine.correlate import EngineConfig, State

MAX_DEPLOYS = 20  # succeeded deploys that can be a cause, always kept per key


def prune(
    state: State,
    incidents: list[tuple[Segment, dict[str, Any]]],
    watermark: int,
    config: EngineConfig,
) -> None:
    """Forget what no future (non-late) event can change, keeping state bounded.

    An incident is finished when it resolved more than the quiet period
    before the lateness horizon (nothing can reopen it) and its last event is
    older than the retention (ticket follow-ups). Events outside incidents are
    kept back to the suspect window before the horizon or before the earliest
    live incident, plus the last ``MAX_DEPLOYS`` succeeded deploys that can be a cause
    (remediation runs cannot, so frequent ones never push a release out).
    """
    horizon = watermark - config.allowed_lateness_ms
    keep_from = horizon
    finished: set[str] = set()
    live: set[str] = set()
    for seg, fields in incidents:
        resolved = fields["resolved_at"]
        if (
            resolved is not None
            and resolved + config.quiet_ms < horizon
            and seg.members[-1]["at"] + config.retention_ms < watermark
        ):
            finished.update(m["event_id"] for m in seg.members)
            state["emitted"].pop(fields["incident_id"], None)
        else:
            live.update(m["event_id"] for m in seg.members)
            keep_from = min(keep_from, fields["started_at"])
    keep_from -= config.suspect_ms
    members: list[Member] = state["members"]
    deploys = [
        m["event_id"]
        for m in members
        if m["type"] == "deploy" and m["status"] == "succeeded" and can_cause(m)
    ]
    recent_deploys = set(deploys[-MAX_DEPLOYS:])
    deploys_in_window = {
        m["event_id"]
        for m in members
        if m["type"] == "deploy" and m["status"] == "succeeded" and m["at"] >= keep_from
    }
    state["members"] = [
        m
        for m in members
        if m["event_id"] in live
        or m["event_id"] in recent_deploys  # deploys outlive their incident (cause links)
        or (m["event_id"] not in finished and m["at"] >= keep_from)
        or (m["event_id"] in deploys_in_window)
    ]
    state["seen"] = {k: v for k, v in state["seen"].items() if v >= horizon}
    state["emitted"] = {
        k: e for k, e in state["emitted"].items() if e["live"] or e["updated_watermark"] >= horizon
    }
