"""Which messages an agent holds and released, and hooks run before offsets are committed.

Only public Faust API here (``Message.incref``/``decref``, ``app.agents``);
``faust_compat.Consumer`` reads these to decide what may be acknowledged
while the app stops, and runs the ``before_commit`` hooks.
"""

from __future__ import annotations

from collections.abc import Callable, Set
from typing import Any

from faust.types import AppT, Message


def hold(app: AppT, message: Message) -> None:
    """Keep ``message`` unacknowledged until ``message.decref()``, as taken by an agent."""
    message.incref()
    registry = getattr(app, "held_messages", None)
    if registry is not None:
        registry.add(message)


def held(app: AppT, message: Message) -> bool:
    """Return whether an agent took ``message`` (``hold``)."""
    return message in getattr(app, "held_messages", ())


def release(app: AppT, message: Message) -> None:
    """Mark ``message``'s work as written by one agent and drop the reference ``hold`` added."""
    registry = getattr(app, "finished_messages", None)
    if registry is not None:
        registry[message] = registry.get(message, 0) + 1
    message.decref()


def interrupt(app: AppT, revoked: Set[Any]) -> None:
    """Mark the messages agents hold, not yet acknowledged, from ``revoked`` partitions.

    A batch can be in flight while its partitions are revoked
    (``stream_wait_empty=False``): its staged state is dropped at the
    revocation (``state_flush``), yet Faust would acknowledge its messages
    when the batch ends and, if this worker gets the partition back, commit
    them: their events would be missing from the state. ``faust_compat``
    never acknowledges a marked message (:func:`interrupted`); after the
    rebalance the partition is read again from its committed offset.
    """
    marked = getattr(app, "interrupted_messages", None)
    if marked is None:
        return
    for message in list(getattr(app, "held_messages", ())):
        if message.tp in revoked and not message.acked:
            marked.add(message)


def interrupted(app: AppT, message: Message) -> bool:
    """Return whether ``message`` was held when its partition was revoked (:func:`interrupt`)."""
    return message in getattr(app, "interrupted_messages", ())


def add_before_commit(app: AppT, hook: Callable[[], None]) -> None:
    """Run ``hook`` right before each offset commit (``Consumer._commit_offsets``).

    Faust flushes its producer after the hooks and before committing, so
    what a hook sends is in Kafka before the offsets are committed.
    """
    hooks: list[Callable[[], None]] | None = getattr(app, "before_commit", None)
    if hooks is None:
        msg = "before-commit hooks need the worker's faust_compat.App"
        raise TypeError(msg)
    hooks.append(hook)


def readers(app: AppT, topic: str) -> int:
    """Return how many of ``app``'s agents read ``topic`` (at least 1)."""
    count = sum(topic in getattr(agent.channel, "topics", ()) for agent in app.agents.values())
    return max(count, 1)


def finished(app: AppT, message: Message) -> bool:
    """Return whether every agent reading ``message``'s topic released it (``release``).

    Several agents can read one topic (the Slack and Teams notify agents both
    read the incidents topic): the message is finished only once each of them
    wrote its work, not when the first did.
    """
    releases: int = getattr(app, "finished_messages", {}).get(message, 0)
    return releases >= readers(app, message.topic) if releases else False
