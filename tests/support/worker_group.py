"""Several ``mttr worker`` processes in one consumer group: members, assignments, settling.

``member()`` turns one worker's settings into another process of the same group (same
app id and topics, its own ``MTTR_VAR_DIR`` and web port). ``assignments()`` reads
which partitions of a topic each group member holds, from the broker;
``wait_members()`` waits until that many members each hold some. ``settle_all()``
waits until every member has nothing left to process or complete.
"""

from __future__ import annotations

import time
from pathlib import Path

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from streams.devtools.broker.local import free_port
from streams.kafka.names import forwarded_topic_name
from streams.settings import Settings
from tests.support.scripted_stream import settle


def member(base: Settings, tmp_path: Path, name: str) -> Settings:
    """Return ``base`` as another process of its group: own data directory and web port."""
    return base.model_copy(update={"var_dir": tmp_path / name, "web_port": free_port()})


def assignments(settings: Settings, topic: str) -> dict[str, list[int]]:
    """Return each group member's (member id) assigned partitions of ``topic``."""
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    try:
        group = admin.describe_groups([settings.app_id])[settings.app_id]
    finally:
        admin.close()
    members = {}
    for found in group["members"]:
        assignment = found["member_assignment"]  # "" while the group rebalances
        assigned = assignment["assigned_partitions"] if isinstance(assignment, dict) else []
        members[found["member_id"]] = sorted(
            p for tp in assigned if tp["topic"] == topic for p in tp["partitions"]
        )
    return members


def wait_members(settings: Settings, count: int, timeout: float = 90) -> dict[str, list[int]]:
    """Wait until ``count`` members each hold ``events-by-service`` partitions."""
    deadline = time.monotonic() + timeout
    members: dict[str, list[int]] = {}
    while time.monotonic() < deadline:
        try:
            members = assignments(settings, forwarded_topic_name(settings))
        except KafkaError:  # e.g. no group coordinator yet on a fresh broker
            members = {}
        if len(members) == count and all(members.values()):
            return members
        time.sleep(0.5)
    raise TimeoutError(f"group never had {count} assigned members: {members}")


def settle_all(members: list[Settings], timeout: float = 180.0) -> None:
    """Wait until every member processed everything and its incident rows stopped changing."""
    for settings in members:
        settle(settings, timeout)
