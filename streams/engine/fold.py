"""Folding: events of incidents older than the lateness horizon leave the member list (pure).

No event can be applied before the lateness horizon, so the walk over the
members before it never changes again (only forgetting drops whole finished
incidents). Once ``FOLD_MIN`` members before the horizon belong to incidents,
``fold`` walks them into the index's ``fold`` (the scan state and aggregates
after them) and drops them from ``members``: a long incident (an alert storm)
keeps the events of the last lateness window, not all of them, and its
fields stay exact, since the aggregates already count every event. Kept are
succeeded deploys (cause and fix links, the last ``MAX_DEPLOYS``) and events
of no incident (forgetting decides about those). A re-walk starts from the
fold (``index.walk``), and so do recomputed aggregates (``index.reaggregate``).
Their ids were forgotten already: ids are only remembered back to the horizon.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from streams.engine.index import Index, copy_scan, fold_start, foldable
from streams.engine.members import Member, sort_key
from streams.engine.scan import Seg, step
from streams.engine.summary import add, new_agg, own

if TYPE_CHECKING:
    from streams.engine.correlate import State

FOLD_MIN = 1024  # members before the horizon, in incidents, that make a fold worth it


def fold(state: State, index: Index, quiet_ms: int) -> None:
    """Fold the incidents' members before the horizon (``index["below"]`` members)."""
    members: list[Member] = state["members"]
    assign: list[int] = index["assign"]
    below = index["below"]
    start = fold_start(index, members)
    base = index["fold"] or {"segs": {}, "order": [], "owner": {}}
    scan = copy_scan(base)
    for seg in scan["segs"].values():
        seg["agg"] = own(seg["agg"])
    scan["next"] = index["next"]
    stash: dict[str, Seg] = {  # segments opened after the fold keep their ids
        seg["first"]: {"sid": int(sid), "agg": new_agg()}
        for sid, seg in index["segs"].items()
        if sid not in scan["segs"]
    }
    for position in range(start, below):
        record = step(scan, members[position], quiet_ms, stash)
        if record is not None:
            add(scan["segs"][str(record[0])]["agg"], members[position], owned=True)
    scan["key"] = list(sort_key(members[below - 1]))
    del scan["next"]
    drop = [foldable(members[p], assign[p]) for p in range(below)]
    index["fold"] = scan
    index["folded"] += sum(drop)
    state["members"] = [m for m, gone in zip(members, drop, strict=False) if not gone]
    state["members"] += members[below:]
    index["assign"] = [s for s, gone in zip(assign, drop, strict=False) if not gone]
    index["assign"] += assign[below:]
    journal = index["journal"]
    first = len(members) - len(journal)  # the position of the first record
    if first < below:
        del journal[: below - first]
    index["below"] = below - sum(drop)
    index["foldable"] = 0
